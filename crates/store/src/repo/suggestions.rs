//! FAQ-3: suggestions and what became of them. Rows are written only from the domain's
//! [`Suggestion`] after one of its commands, each with its event audited in the same transaction;
//! a decision is applied only if the row is still in the state the decision started from, so of
//! two decisions clicked at once exactly one lands.

use super::{Ctx, audit, org};
use crate::{Result, Row, StoreError, Tx, params};
use noveto_domain::suggestion::{Change, Event, Source, Status, Suggestion, SuggestionData};
use serde_json::json;

/// A suggestion with where and when.
#[derive(Debug, Clone)]
pub struct SuggestionRow {
    pub s: Suggestion,
    pub window_id: Option<i64>,
    pub recorded_at: String,
    pub decided_at: Option<String>,
    pub done_at: Option<String>,
}

const COLS: &str = "id, center_id, unit_id, window_id, item_code, case_id, source, text, contact, status, recorded_by, \
                    recorded_at, decided_by, decided_at, decision_note, change_doc, done_by, done_at";

fn row(r: &Row) -> SuggestionRow {
    let change: Option<Change> = r.opt_str(15).and_then(|c| serde_json::from_str(&c).ok());
    SuggestionRow {
        s: Suggestion::stored(SuggestionData {
            id: r.i64(0),
            center_id: r.i64(1),
            unit_id: r.opt_i64(2),
            item_code: r.opt_str(4),
            case_id: r.opt_i64(5),
            source: Source::parse(&r.str(6)).unwrap_or(Source::Staff),
            text: r.str(7),
            contact: r.str(8),
            status: Status::parse(&r.str(9)).unwrap_or(Status::Recorded),
            recorded_by: r.i64(10),
            decided_by: r.opt_i64(12),
            decision_note: r.opt_str(14),
            change,
            done_by: r.opt_i64(16),
        }),
        window_id: r.opt_i64(3),
        recorded_at: r.str(11),
        decided_at: r.opt_str(13),
        done_at: r.opt_str(17),
    }
}

/// Records a new suggestion (from [`Suggestion::record`]); returns its id.
pub fn insert(tx: &mut dyn Tx, ctx: &Ctx, s: &Suggestion, window_id: Option<i64>, ev: &Event) -> Result<i64> {
    let id = tx.insert(
        "INSERT INTO suggestions (center_id, unit_id, window_id, item_code, case_id, source, text, contact, status, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        params![
            s.center_id,
            s.unit_id,
            window_id,
            s.item_code.clone(),
            s.case_id,
            s.source.as_str(),
            s.text.as_str(),
            s.contact.as_str(),
            s.status.as_str(),
            s.recorded_by,
            ctx.now.as_str()
        ],
    )?;
    audit::append(tx, ctx, ev.name(), "suggestion", id, &json!({"text": s.text, "source": s.source.as_str()}))?;
    Ok(id)
}

pub fn get(tx: &mut dyn Tx, id: i64) -> Result<Option<SuggestionRow>> {
    Ok(tx.query_one(&format!("SELECT {COLS} FROM suggestions WHERE id = $1"), params![id])?.as_ref().map(row))
}

/// Applies a decision's result if the row is still in state `from`; otherwise fails with
/// [`StoreError::Conflict`] (someone else decided first) and nothing of the job is kept.
pub fn apply(tx: &mut dyn Tx, ctx: &Ctx, s: &Suggestion, from: Status, ev: &Event) -> Result<()> {
    let n = match ev {
        Event::Recorded => 0,
        Event::Adopted { .. } | Event::Declined { .. } => tx.exec(
            "UPDATE suggestions SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4 WHERE id = $5 AND status = $6",
            params![s.status.as_str(), s.decided_by, ctx.now.as_str(), s.decision_note.clone(), s.id, from.as_str()],
        )?,
        Event::Implemented { change, .. } => tx.exec(
            "UPDATE suggestions SET status = $1, change_doc = $2, done_by = $3, done_at = $4 WHERE id = $5 AND status = $6",
            params![
                s.status.as_str(),
                serde_json::to_string(change).unwrap_or_default(),
                s.done_by,
                ctx.now.as_str(),
                s.id,
                from.as_str()
            ],
        )?,
    };
    if n == 0 {
        return Err(StoreError::Conflict("该意见建议已由他人处理，请刷新查看".into()));
    }
    audit::append(tx, ctx, ev.name(), "suggestion", s.id, &serde_json::to_value(ev).unwrap_or_default())
}

/// Every suggestion (in a state, if given), newest first, with its center's chain (for the
/// caller's scope check — the one door every reader of suggestions goes through).
pub fn all_with_centers(tx: &mut dyn Tx, status: Option<Status>) -> Result<Vec<(SuggestionRow, Vec<i64>)>> {
    let rows: Vec<SuggestionRow> = match status {
        Some(st) => tx.query(
            &format!("SELECT {COLS} FROM suggestions WHERE status = $1 ORDER BY id DESC"),
            params![st.as_str()],
        )?,
        None => tx.query(&format!("SELECT {COLS} FROM suggestions ORDER BY id DESC"), params![])?,
    }
    .iter()
    .map(row)
    .collect();
    let mut chains: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let c = match chains.get(&r.s.center_id) {
            Some(c) => c.clone(),
            None => {
                let c = org::center_chain(tx, r.s.center_id)?;
                chains.insert(r.s.center_id, c.clone());
                c
            }
        };
        out.push((r, c));
    }
    Ok(out)
}
