//! Reports kept as they were made (BBC-5, BBC-6): one row per kind, center and period, so a job
//! that runs twice — or on two servers — makes each once; the message announcing it is queued in
//! the same transaction.

use super::{Ctx, audit, jobs};
use crate::{Result, Row, StoreError, Tx, params};
use serde_json::json;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub id: i64,
    pub kind: String,
    pub center_id: i64,
    pub period: String,
    pub made_at: String,
    pub made_by: Option<i64>,
    pub title: String,
    pub doc: serde_json::Value,
}

fn row(r: &Row) -> Report {
    Report {
        id: r.i64(0),
        kind: r.str(1),
        center_id: r.i64(2),
        period: r.str(3),
        made_at: r.str(4),
        made_by: r.opt_i64(5),
        title: r.str(6),
        doc: serde_json::from_str(&r.str(7)).unwrap_or_default(),
    }
}

const COLS: &str = "id, kind, center_id, period, made_at, made_by, title, doc";

/// Keeps a report unless one of its kind, center and period exists; with it, its messages.
/// Returns the new report's id, or None when it was made before.
#[allow(clippy::too_many_arguments)]
pub fn keep(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    kind: &str,
    center_id: i64,
    period: &str,
    title: &str,
    doc: &serde_json::Value,
    messages: &[jobs::Message],
) -> Result<Option<i64>> {
    let found = tx.query_one(
        "SELECT id FROM reports WHERE kind = $1 AND center_id = $2 AND period = $3",
        params![kind, center_id, period],
    )?;
    if found.is_some() {
        return Ok(None);
    }
    let id = tx
        .insert(
            "INSERT INTO reports (kind, center_id, period, made_at, made_by, title, doc) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            params![kind, center_id, period, ctx.now.as_str(), ctx.actor, title, doc.to_string()],
        )
        .map_err(|e| match e {
            // Another server made it at the same moment: the same report.
            StoreError::Unique(_) => StoreError::Duplicate(format!("{title}已生成")),
            e => e,
        })?;
    for m in messages {
        jobs::enqueue(tx, ctx, m)?;
    }
    audit::append(
        tx,
        ctx,
        "report.kept",
        "report",
        id,
        &json!({"kind": kind, "center_id": center_id, "period": period}),
    )?;
    Ok(Some(id))
}

/// The reports of `kinds`, newest first.
pub fn list(tx: &mut dyn Tx, kinds: &[&str], limit: i64) -> Result<Vec<Report>> {
    let mut out = vec![];
    for k in kinds {
        out.extend(
            tx.query(
                &format!("SELECT {COLS} FROM reports WHERE kind = $1 ORDER BY id DESC LIMIT $2"),
                params![*k, limit],
            )?
            .iter()
            .map(row),
        );
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.id));
    Ok(out)
}

pub fn get(tx: &mut dyn Tx, id: i64) -> Result<Option<Report>> {
    Ok(tx.query_one(&format!("SELECT {COLS} FROM reports WHERE id = $1"), params![id])?.as_ref().map(row))
}
