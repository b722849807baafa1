//! The common-question library (FAQ-1 … FAQ-3) and the search log that measures it.

use super::{Ctx, audit};
use crate::{Result, Row, Tx, params};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Faq {
    pub id: i64,
    pub question: String,
    pub answer: String,
    pub item_codes: Vec<String>,
    pub unit_id: Option<i64>,
    /// Where it came from: `manual`, `case:ID`, `escalation:ID`.
    pub source: String,
    pub updated_at: String,
    pub active: bool,
}

fn faq(r: &Row) -> Faq {
    Faq {
        id: r.i64(0),
        question: r.str(1),
        answer: r.str(2),
        item_codes: r.str(3).split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
        unit_id: r.opt_i64(4),
        source: r.str(5),
        updated_at: r.str(6),
        active: r.bool(7),
    }
}
const COLS: &str = "id, question, answer, item_codes, unit_id, source, updated_at, active";

pub struct NewFaq<'a> {
    pub question: &'a str,
    pub answer: &'a str,
    pub item_codes: &'a [String],
    pub unit_id: Option<i64>,
    pub source: &'a str,
}

pub fn insert(tx: &mut dyn Tx, ctx: &Ctx, f: &NewFaq) -> Result<i64> {
    let id = tx.insert(
        "INSERT INTO faq (question, answer, item_codes, unit_id, source, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        params![f.question, f.answer, f.item_codes.join(","), f.unit_id, f.source, ctx.now.as_str()],
    )?;
    audit::append(tx, ctx, "faq.create", "faq", id, &json!({"question": f.question, "source": f.source}))?;
    Ok(id)
}

pub fn update(tx: &mut dyn Tx, ctx: &Ctx, id: i64, f: &NewFaq, active: bool) -> Result<bool> {
    let n = tx.exec(
        "UPDATE faq SET question = $1, answer = $2, item_codes = $3, unit_id = $4, updated_at = $5, active = $6 WHERE id = $7",
        params![f.question, f.answer, f.item_codes.join(","), f.unit_id, ctx.now.as_str(), active, id],
    )?;
    if n > 0 {
        audit::append(tx, ctx, "faq.update", "faq", id, &json!({"question": f.question, "active": active}))?;
    }
    Ok(n > 0)
}

pub fn get(tx: &mut dyn Tx, id: i64) -> Result<Option<Faq>> {
    Ok(tx.query_one(&format!("SELECT {COLS} FROM faq WHERE id = $1"), params![id])?.as_ref().map(faq))
}

/// Entries changed after `since` (RFC 3339), oldest first — for keeping a search index current.
pub fn changed_since(tx: &mut dyn Tx, since: &str, limit: i64) -> Result<Vec<Faq>> {
    Ok(tx
        .query(
            &format!("SELECT {COLS} FROM faq WHERE updated_at > $1 ORDER BY updated_at, id LIMIT $2"),
            params![since, limit],
        )?
        .iter()
        .map(faq)
        .collect())
}

pub fn by_ids(tx: &mut dyn Tx, ids: &[i64]) -> Result<Vec<Faq>> {
    let mut out = vec![];
    for id in ids {
        out.extend(get(tx, *id)?);
    }
    Ok(out)
}

/// Records a search; returns its id (to mark the hit that was used).
pub fn log_search(tx: &mut dyn Tx, ctx: &Ctx, query: &str, hits: i64, top: Option<i64>) -> Result<i64> {
    tx.insert(
        "INSERT INTO search_log (at, staff_id, query, hits, top_id) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        params![ctx.now.as_str(), ctx.actor, query, hits, top],
    )
}

/// The staff member used this hit to answer (pasted it into a reply), on a consultation
/// (`case_id`) or at large. Returns the question that was searched, or `None` when the search is
/// not the staff member's.
pub fn mark_used(
    tx: &mut dyn Tx,
    search_id: i64,
    staff_id: i64,
    faq_id: i64,
    case_id: Option<i64>,
    now: &str,
) -> Result<Option<String>> {
    if tx.exec(
        "UPDATE search_log SET used_id = $1, used_at = $2, case_id = COALESCE($3, case_id) WHERE id = $4 AND staff_id = $5",
        params![faq_id, now, case_id, search_id, staff_id],
    )? == 0
    {
        return Ok(None);
    }
    Ok(tx.query("SELECT query FROM search_log WHERE id = $1", params![search_id])?.first().map(|r| r.str(0)))
}

/// A question whose hit was used: (search id, entry used, question, when used).
pub type Used = (i64, i64, String, String);

/// Every question whose hit was used at or after `since` (RFC 3339; empty for all), oldest first
/// — the search learns from them, at start and on every sync.
pub fn used_since(tx: &mut dyn Tx, since: &str) -> Result<Vec<Used>> {
    Ok(tx
        .query(
            "SELECT id, used_id, query, COALESCE(used_at, at) FROM search_log
             WHERE used_id IS NOT NULL AND COALESCE(used_at, at) >= $1 ORDER BY id",
            params![since],
        )?
        .iter()
        .map(|r| (r.i64(0), r.i64(1), r.str(2), r.str(3)))
        .collect())
}

/// FAQ-2 at the level of cases: the consultations answered in a period, and how.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Consultations {
    /// Consultations closed as answered.
    pub answered: i64,
    /// Of those, answered from the library: a hit was used on the case and it was not escalated.
    pub from_library: i64,
    /// Of those, escalated (请示) before the answer.
    pub escalated: i64,
    /// Answered by the window without the library or an escalation.
    pub by_window: i64,
    /// from_library / answered.
    pub library_rate: f64,
}

pub fn consultations(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Consultations> {
    // Counted from the index of endings alone: only a consultation can end `answered` (the
    // domain refuses it to an application, `AnsweredIsForConsultations`), so the count reads no
    // case row. The escalated and the library-answered are found from their own (smaller) tables
    // and joined to the month's answered cases, not probed once per answered case (issue 27).
    let count = |tx: &mut dyn Tx, sql: &str| -> Result<i64> {
        Ok(tx.query_one(sql, params![from, to])?.map(|r| r.i64(0)).unwrap_or(0))
    };
    let answered =
        count(tx, "SELECT COUNT(*) FROM cases WHERE outcome = 'answered' AND closed_at >= $1 AND closed_at < $2")?;
    let escalated = count(
        tx,
        "SELECT COUNT(DISTINCT e.case_id) FROM escalations e JOIN cases c ON c.id = e.case_id
          WHERE c.outcome = 'answered' AND c.closed_at >= $1 AND c.closed_at < $2",
    )?;
    let from_library = count(
        tx,
        "SELECT COUNT(DISTINCT s.case_id) FROM search_log s JOIN cases c ON c.id = s.case_id
          WHERE s.used_id IS NOT NULL AND c.outcome = 'answered' AND c.closed_at >= $1 AND c.closed_at < $2
            AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.case_id = s.case_id)",
    )?;
    Ok(Consultations {
        answered,
        from_library,
        escalated,
        by_window: answered - escalated - from_library,
        library_rate: if answered > 0 { from_library as f64 / answered as f64 } else { 0.0 },
    })
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    pub searches: i64,
    /// Searches that offered at least one entry (the search never returns nothing for a
    /// question that shares a character with the library, so this is not an answer).
    pub offered: i64,
    /// Searches answered from the library: one of their hits was used to answer.
    pub answered: i64,
    /// The same as `answered` (kept for readers of the first version).
    pub used: i64,
    /// Of those, searches whose first hit was the one used.
    pub first: i64,
    /// 解答率: answered / searches.
    pub answer_rate: f64,
    /// 精准度: first / answered — how often the search put the answer first.
    pub precision: f64,
    /// Questions that found nothing or whose hits were not used, most frequent first.
    pub misses: Vec<(String, i64)>,
    /// Consultations answered from the library versus escalated.
    pub consultations: Consultations,
}

/// FAQ-2: answer rate and precision between two moments.
pub fn stats(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Stats> {
    let r = tx
        .query_one(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN hits > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN used_id IS NOT NULL THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN used_id IS NOT NULL AND used_id = top_id THEN 1 ELSE 0 END), 0)
             FROM search_log WHERE at >= $1 AND at < $2",
            params![from, to],
        )?
        .map(|r| (r.i64(0), r.i64(1), r.i64(2), r.i64(3)))
        .unwrap_or_default();
    let misses = tx
        .query(
            "SELECT query, COUNT(*) AS n FROM search_log WHERE at >= $1 AND at < $2 AND (hits = 0 OR used_id IS NULL)
             GROUP BY query ORDER BY n DESC, query LIMIT 20",
            params![from, to],
        )?
        .iter()
        .map(|r| (r.str(0), r.i64(1)))
        .collect();
    let (searches, offered, used, first) = r;
    Ok(Stats {
        searches,
        offered,
        answered: used,
        used,
        first,
        answer_rate: if searches > 0 { used as f64 / searches as f64 } else { 0.0 },
        precision: if used > 0 { first as f64 / used as f64 } else { 0.0 },
        misses,
        consultations: consultations(tx, from, to)?,
    })
}
