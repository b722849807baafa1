//! NV-6: the verifications of written commitments (告知承诺) after approval.

use super::{Ctx, audit};
use crate::{Result, StoreError, Tx, params};
use noveto_domain::case::Case;
use serde::{Deserialize, Serialize};

/// What the verification found and, when the promise was false, what was done about it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Finding {
    #[serde(default)]
    pub note: String,
    /// When false: 撤销许可, 信用记录 … in words.
    #[serde(default)]
    pub action: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub id: i64,
    pub case_id: i64,
    pub receipt_no: String,
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub due: String,
    /// open | confirmed | false
    pub status: String,
    pub finding: Finding,
    pub decided_by: Option<i64>,
    pub decided_at: Option<String>,
}

/// The deadline key of a verification in the deadline table.
pub const DEADLINE: &str = "commitment_check";

/// Opens the verification of the commitment `c` was approved on.
/// Its deadline is one of the case's in the deadline table (`commitment_check`, owned by the
/// first contact), so the job runner reminds and escalates it, and the overdue lists and the
/// assessment count it, like any other.
pub fn open(tx: &mut dyn Tx, ctx: &Ctx, case_id: i64, c: &Case, due: &str) -> Result<()> {
    let doc = serde_json::json!({"what": DEADLINE, "due": due}).to_string();
    super::jobs::put_deadline(tx, "case", case_id, DEADLINE, Some(c.first_contact_id), Some(due), "running", &doc)?;
    let id = tx.insert(
        "INSERT INTO commitment_checks (case_id, center_id, unit_id, window_id, due, status, doc, created_at)
         VALUES ($1, $2, $3, $4, $5, 'open', '{}', $6) RETURNING id",
        params![case_id, c.center_id, c.unit_id, c.window_id, due, ctx.now.as_str()],
    )?;
    audit::append(
        tx,
        ctx,
        "commitment_check.open",
        "commitment_check",
        id,
        &serde_json::json!({"case_id": case_id, "due": due}),
    )
}

const COLS: &str = "k.id, k.case_id, c.receipt_no, k.center_id, k.unit_id, k.window_id, k.due, k.status, k.doc, k.decided_by, k.decided_at";

fn row(r: &crate::Row) -> Check {
    Check {
        id: r.i64(0),
        case_id: r.i64(1),
        receipt_no: r.str(2),
        center_id: r.i64(3),
        unit_id: r.opt_i64(4),
        window_id: r.opt_i64(5),
        due: r.str(6),
        status: r.str(7),
        finding: serde_json::from_str(&r.str(8)).unwrap_or_default(),
        decided_by: r.opt_i64(9),
        decided_at: r.opt_str(10),
    }
}

pub fn get(tx: &mut dyn Tx, id: i64) -> Result<Option<Check>> {
    Ok(tx
        .query_one(
            &format!("SELECT {COLS} FROM commitment_checks k JOIN cases c ON c.id = k.case_id WHERE k.id = $1"),
            params![id],
        )?
        .as_ref()
        .map(row))
}

/// The check of a case's commitment, if it was approved on one.
pub fn of_case(tx: &mut dyn Tx, case_id: i64) -> Result<Option<Check>> {
    Ok(tx
        .query_one(
            &format!("SELECT {COLS} FROM commitment_checks k JOIN cases c ON c.id = k.case_id WHERE k.case_id = $1"),
            params![case_id],
        )?
        .as_ref()
        .map(row))
}

/// The checks still open (oldest due first) and those decided in `[from, to)`.
pub fn list(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Vec<Check>> {
    Ok(tx
        .query(
            &format!(
                "SELECT {COLS} FROM commitment_checks k JOIN cases c ON c.id = k.case_id WHERE k.status = 'open'
                 UNION ALL SELECT {COLS} FROM commitment_checks k JOIN cases c ON c.id = k.case_id
                 WHERE k.status <> 'open' AND k.decided_at >= $1 AND k.decided_at < $2
                 ORDER BY 7, 1 LIMIT 2000"
            ),
            params![from, to],
        )?
        .iter()
        .map(row)
        .collect())
}

/// Records the result of an open check (once: a second result is a conflict).
pub fn decide(tx: &mut dyn Tx, ctx: &Ctx, id: i64, confirmed: bool, f: &Finding) -> Result<()> {
    let doc = serde_json::to_string(f).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let status = if confirmed { "confirmed" } else { "false" };
    let n = tx.exec(
        "UPDATE commitment_checks SET status = $1, doc = $2, decided_by = $3, decided_at = $4 WHERE id = $5 AND status = 'open'",
        params![status, doc.as_str(), ctx.actor, ctx.now.as_str(), id],
    )?;
    if n == 0 {
        return Err(StoreError::Conflict("该承诺核查已有结果，请刷新后查看".into()));
    }
    tx.exec(
        "UPDATE deadlines SET state = 'met' WHERE entity = 'case' AND what = $1
           AND entity_id = (SELECT case_id FROM commitment_checks WHERE id = $2)",
        params![DEADLINE, id],
    )?;
    audit::append(
        tx,
        ctx,
        "commitment_check.decide",
        "commitment_check",
        id,
        &serde_json::json!({"status": status, "finding": f}),
    )
}
