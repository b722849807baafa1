//! AS-1, NV-15: the matters behind the center's monthly figures, one row each — what a report
//! counts and what its drill-down lists — with the center chain for the reader's scope.

use crate::{Result, Tx, params};

/// One matter counted by a figure.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Counted {
    /// `vetoes`, `overdue`, `complaints`, `unresolved` or `flagged_replies`.
    pub figure: &'static str,
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    /// The matter's receipt number and where people open it.
    pub receipt_no: String,
    pub link: String,
}

fn rows(tx: &mut dyn Tx, figure: &'static str, link: &str, sql: &str, p: &[crate::Value]) -> Result<Vec<Counted>> {
    Ok(tx
        .query(sql, p)?
        .iter()
        .map(|r| Counted {
            figure,
            center_id: r.i64(0),
            unit_id: r.opt_i64(1),
            window_id: r.opt_i64(2),
            receipt_no: r.str(3),
            link: link.replace("{id}", &r.i64(4).to_string()),
        })
        .collect())
}

/// The matters behind each figure of `[from, to)` (RFC 3339 instants; overdue: deadlines that
/// fell due in the period before `today` and were not met).
pub fn counted(tx: &mut dyn Tx, from: &str, to: &str, today: &str) -> Result<Vec<Counted>> {
    let mut out = rows(
        tx,
        "vetoes",
        "/cases/{id}",
        "SELECT c.center_id, v.unit_id, c.window_id, c.receipt_no, c.id FROM veto_requests v JOIN cases c ON c.id = v.case_id
         WHERE v.status = 'approved' AND v.requested_at >= $1 AND v.requested_at < $2 ORDER BY v.id",
        params![from, to],
    )?;
    let (df, dt) = (&from[..10.min(from.len())], &to[..10.min(to.len())]);
    out.extend(rows(
        tx,
        "overdue",
        "/cases/{id}",
        "SELECT c.center_id, c.unit_id, c.window_id, c.receipt_no, c.id FROM deadlines d JOIN cases c ON c.id = d.entity_id
         WHERE d.entity || '' = 'case' AND d.state NOT IN ('met', 'paused') AND d.due >= $1 AND d.due < $2 AND d.due < $3
         ORDER BY d.id",
        params![df, dt, today],
    )?);
    out.extend(rows(
        tx,
        "complaints",
        "/complaints#c{id}",
        "SELECT center_id, COALESCE(about_unit, lead_id), window_id, receipt_no, id FROM complaints
         WHERE received_at >= $1 AND received_at < $2 ORDER BY id",
        params![from, to],
    )?);
    out.extend(rows(
        tx,
        "unresolved",
        "/unresolved#u{id}",
        "SELECT center_id, unit_id, desk_id, receipt_no, id FROM unresolved
         WHERE registered_at >= $1 AND registered_at < $2 AND unit_id IS NOT NULL ORDER BY id",
        params![from, to],
    )?);
    out.extend(rows(
        tx,
        "flagged_replies",
        "/cases/{id}",
        "SELECT c.center_id, c.unit_id, c.window_id, c.receipt_no, c.id FROM case_events e JOIN cases c ON c.id = e.case_id
         WHERE e.flagged = 1 AND NOT (e.kind = 'closed' AND e.tag = 'answered') AND e.at >= $1 AND e.at < $2 ORDER BY e.id",
        params![from, to],
    )?);
    Ok(out)
}

/// The receipt number and center of cases by id (for the other negative endings' drill-down).
pub fn case_receipts(tx: &mut dyn Tx, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    let mut out = vec![];
    for id in ids {
        if let Some(r) = tx.query_one("SELECT receipt_no FROM cases WHERE id = $1", params![*id])? {
            out.push((*id, r.str(0)));
        }
    }
    Ok(out)
}
