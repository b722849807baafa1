//! NV-12: pre-screenings at a desk or window.

use super::{Ctx, audit};
use crate::{Result, Tx, params};
use noveto_domain::prescreen::Outcome;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Prescreen {
    pub id: i64,
    pub center_id: i64,
    pub window_id: Option<i64>,
    pub staff_id: i64,
    pub item_code: String,
    pub outcome: Outcome,
    pub at: String,
    pub case_id: Option<i64>,
}

fn row(r: &crate::Row) -> Prescreen {
    Prescreen {
        id: r.i64(0),
        center_id: r.i64(1),
        window_id: r.opt_i64(2),
        staff_id: r.i64(3),
        item_code: r.str(4),
        outcome: serde_json::from_str(&r.str(5)).unwrap_or(Outcome {
            brought: vec![],
            missing: vec![],
            complete: false,
            main_present: false,
        }),
        at: r.str(6),
        case_id: r.opt_i64(7),
    }
}

const COLS: &str = "id, center_id, window_id, staff_id, item_code, doc, at, case_id";

pub fn insert(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    center_id: i64,
    window_id: Option<i64>,
    item_code: &str,
    o: &Outcome,
) -> Result<i64> {
    let doc = serde_json::to_string(o).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
    let id = tx.insert(
        "INSERT INTO prescreens (center_id, window_id, staff_id, item_code, doc, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params![center_id, window_id, ctx.actor.unwrap_or(0), item_code, doc.as_str(), ctx.now.as_str()],
    )?;
    audit::append(
        tx,
        ctx,
        "prescreen.record",
        "prescreen",
        id,
        &serde_json::json!({"item_code": item_code, "missing": o.missing.len(), "window_id": window_id}),
    )?;
    Ok(id)
}

pub fn get(tx: &mut dyn Tx, id: i64) -> Result<Option<Prescreen>> {
    Ok(tx.query_one(&format!("SELECT {COLS} FROM prescreens WHERE id = $1"), params![id])?.as_ref().map(row))
}

/// The pre-screening a case was registered from, if any.
pub fn of_case(tx: &mut dyn Tx, case_id: i64) -> Result<Option<Prescreen>> {
    Ok(tx
        .query_one(
            &format!("SELECT {COLS} FROM prescreens WHERE case_id = $1 ORDER BY id DESC LIMIT 1"),
            params![case_id],
        )?
        .as_ref()
        .map(row))
}

/// Links a pre-screening to the case registered from it (once).
pub fn link_case(tx: &mut dyn Tx, ctx: &Ctx, id: i64, case_id: i64) -> Result<()> {
    let n = tx.exec("UPDATE prescreens SET case_id = $1 WHERE id = $2 AND case_id IS NULL", params![case_id, id])?;
    if n > 0 {
        audit::append(tx, ctx, "prescreen.registered", "prescreen", id, &serde_json::json!({"case_id": case_id}))?;
    }
    Ok(())
}

/// How many pre-screenings a window gave in `[from, to)`, and how many became cases.
pub fn count_at_window(tx: &mut dyn Tx, window_id: i64, from: &str, to: &str) -> Result<(i64, i64)> {
    let r = tx.query_one(
        "SELECT COUNT(*), COUNT(case_id) FROM prescreens WHERE window_id = $1 AND at >= $2 AND at < $3",
        params![window_id, from, to],
    )?;
    Ok(r.map(|r| (r.i64(0), r.i64(1))).unwrap_or((0, 0)))
}
