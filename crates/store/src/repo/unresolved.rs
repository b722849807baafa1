//! BBC: the 办不成事 desk's matters. Rows are written only from the domain's [`Unresolved`]
//! after one of its commands, each with its event audited in the same transaction; a decision
//! is applied only if the row is still in the state it started from, so of two dispatches (or
//! two answers) clicked at once exactly one lands. The matter's deadline goes in the shared
//! `deadlines` table, which the job runner reminds and escalates.

use super::{Ctx, audit};
use crate::{Result, Row, StoreError, Tx, params};
use noveto_domain::unresolved::{Event, Unresolved, UnresolvedData};
use serde_json::json;

/// A matter with when each step happened.
#[derive(Debug, Clone)]
pub struct UnresolvedRow {
    pub u: Unresolved,
    pub registered_at: String,
    pub dispatched_at: Option<String>,
    pub answered_at: Option<String>,
    /// The due day as last computed (None: not set yet).
    pub due: Option<String>,
    /// Bumped by every applied command: a command applies only over the version it read.
    pub version: i64,
}

const COLS: &str = "doc, registered_at, dispatched_at, answered_at, due, version";

fn row(r: &Row) -> Result<UnresolvedRow> {
    let d: UnresolvedData = r.json(0)?;
    Ok(UnresolvedRow {
        u: Unresolved::stored(d),
        registered_at: r.str(1),
        dispatched_at: r.opt_str(2),
        answered_at: r.opt_str(3),
        due: r.opt_str(4),
        version: r.i64(5),
    })
}

fn doc(u: &Unresolved) -> Result<String> {
    serde_json::to_string(&**u).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Who answers for the deadline now: the unit's contact once dispatched, else the registrar.
fn owner(u: &Unresolved) -> Option<i64> {
    u.sent_to.or(u.registered_by)
}

fn sync_deadline(tx: &mut dyn Tx, u: &Unresolved, due: Option<&str>) -> Result<()> {
    let Some(d) = &u.deadline else { return Ok(()) };
    let state = if d.met_at.is_some() { "met" } else { "running" };
    let text = serde_json::to_string(d).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    super::jobs::put_deadline(tx, "unresolved", u.id, &d.what, owner(u), due, state, &text)
}

/// Registers a new matter (from [`Unresolved::register`]); returns its id and receipt number
/// (`BC` + the day + the row id).
pub fn insert(tx: &mut dyn Tx, ctx: &Ctx, u: &Unresolved, due: Option<&str>, ev: &Event) -> Result<(i64, String)> {
    let tmp = format!("tmp-{}", rand::random::<u64>());
    let id = tx.insert(
        "INSERT INTO unresolved (receipt_no, center_id, desk_id, case_id, class, status, registered_at, due, doc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        params![
            tmp.as_str(),
            u.center_id,
            u.desk_id,
            u.case_id,
            u.class.as_str(),
            u.status.as_str(),
            ctx.now.as_str(),
            due,
            doc(u)?
        ],
    )?;
    let day: String = ctx.now.chars().take(10).filter(|c| c.is_ascii_digit()).collect();
    let receipt = format!("BC{day}{id:06}");
    let u = u.clone().numbered(id, receipt.clone());
    tx.exec("UPDATE unresolved SET receipt_no = $1, doc = $2 WHERE id = $3", params![receipt.as_str(), doc(&u)?, id])?;
    sync_deadline(tx, &u, due)?;
    audit::append(
        tx,
        ctx,
        ev.name(),
        "unresolved",
        id,
        &json!({"receipt_no": receipt, "event": serde_json::to_value(ev).unwrap_or_default()}),
    )?;
    Ok((id, receipt))
}

pub fn get(tx: &mut dyn Tx, id: i64) -> Result<Option<UnresolvedRow>> {
    tx.query_one(&format!("SELECT {COLS} FROM unresolved WHERE id = $1"), params![id])?.as_ref().map(row).transpose()
}

pub fn by_receipt(tx: &mut dyn Tx, receipt: &str) -> Result<Option<UnresolvedRow>> {
    tx.query_one(&format!("SELECT {COLS} FROM unresolved WHERE receipt_no = $1"), params![receipt])?
        .as_ref()
        .map(row)
        .transpose()
}

/// Applies a command's result if the row is still at `version` (as the command read it);
/// otherwise fails with [`StoreError::Conflict`] (someone else was first) and nothing of the job is
/// kept — so of two commands clicked at once exactly one lands, whatever they change.
pub fn apply(tx: &mut dyn Tx, ctx: &Ctx, u: &Unresolved, version: i64, due: Option<&str>, ev: &Event) -> Result<()> {
    // The time column the step stamps, if any.
    let stamp = match ev {
        Event::Registered { .. } => return Err(StoreError::Db("a registration is inserted, not applied".into())),
        Event::Dispatched { .. } => Some("dispatched_at"),
        Event::Answered { .. } => Some("answered_at"),
        Event::DeadlineSet { .. }
        | Event::EscalatedToLeader { .. }
        | Event::DeadlineMoved { .. }
        | Event::Classified { .. } => None,
    };
    let set = "UPDATE unresolved SET status = $1, unit_id = $2, due = $3, doc = $4, version = version + 1";
    let guard = "WHERE id = $5 AND version = $6";
    let (status, d) = (u.status.as_str(), doc(u)?);
    let n = match stamp {
        Some(col) => tx.exec(
            &format!("{set}, {col} = $7 {guard}"),
            params![status, u.unit_id, due, d, u.id, version, ctx.now.as_str()],
        )?,
        None => tx.exec(&format!("{set} {guard}"), params![status, u.unit_id, due, d, u.id, version])?,
    };
    if n == 0 {
        return Err(StoreError::Conflict("该事项已由他人处理，请刷新查看".into()));
    }
    sync_deadline(tx, u, due)?;
    audit::append(tx, ctx, ev.name(), "unresolved", u.id, &serde_json::to_value(ev).unwrap_or_default())
}

/// Every matter registered in `[from, to)` (RFC 3339 instants) plus every one still open, newest
/// first, each with its center's chain — the candidates for the caller's scope check, the one
/// door every list and ledger of matters goes through.
pub fn candidates(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Vec<(UnresolvedRow, Vec<i64>)>> {
    let rows = tx.query(
        &format!(
            "SELECT {COLS}, center_id FROM unresolved
             WHERE (registered_at >= $1 AND registered_at < $2) OR status IN ('registered', 'dispatched')
             ORDER BY id DESC"
        ),
        params![from, to],
    )?;
    let mut chains: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let center = r.i64(6);
        let chain = match chains.get(&center) {
            Some(c) => c.clone(),
            None => {
                let c = super::org::center_chain(tx, center)?;
                chains.insert(center, c.clone());
                c
            }
        };
        out.push((row(r)?, chain));
    }
    Ok(out)
}

/// The open matters (every one registered or dispatched), by id, with their centers — for a
/// calendar change to recompute.
pub fn open(tx: &mut dyn Tx) -> Result<Vec<UnresolvedRow>> {
    tx.query(&format!("SELECT {COLS} FROM unresolved WHERE status IN ('registered', 'dispatched') ORDER BY id"), &[])?
        .iter()
        .map(row)
        .collect()
}
