//! Cases, their timeline, veto requests, escalations and filings.
//!
//! A case is stored as its domain value (JSON) beside the columns that lists and jobs query.
//! Every save appends the timeline event and the audit entry in the same transaction.

use super::{Ctx, audit};
use crate::{Result, Row, StoreError, Tx, Value, params};
use noveto_domain::access::{Scope, ScopeKind};
use noveto_domain::case::{Case, Event, VetoRequest};
use serde::Serialize;
use serde_json::json;

fn to_doc<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Deadlines as the job runner sees them: `(due day, state)` per deadline, computed by the
/// caller with the calendar.
pub struct DueInfo {
    pub what: String,
    pub due: Option<String>,
    pub state: &'static str,
}

fn sync_deadlines(tx: &mut dyn Tx, case_id: i64, owner: i64, c: &Case, dues: &[DueInfo]) -> Result<()> {
    for (i, (d, info)) in c.deadlines.iter().zip(dues).enumerate() {
        let key = format!("{}#{}", info.what, i);
        super::jobs::put_deadline(
            tx,
            "case",
            case_id,
            &key,
            Some(owner),
            info.due.as_deref(),
            info.state,
            &to_doc(d)?,
        )?;
    }
    Ok(())
}

/// Stored when a case has no running deadline (sorts last).
pub const NO_DUE: &str = "9999-12-31";

/// The earliest due day of a running deadline, for sorting the workbench.
fn next_due(dues: &[DueInfo]) -> String {
    dues.iter().filter(|d| d.state != "met").filter_map(|d| d.due.clone()).min().unwrap_or_else(|| NO_DUE.into())
}

/// What search reads of a case (issue 27): the applicant's name, organisation and the request.
fn search_text(c: &Case) -> String {
    format!("{} {} {}", c.applicant.name, c.applicant.org.as_deref().unwrap_or(""), c.request)
}

pub fn insert(tx: &mut dyn Tx, ctx: &Ctx, c: &Case, ev: &Event, dues: &[DueInfo]) -> Result<(i64, String)> {
    let tmp = format!("tmp-{}-{}", c.receipt_no, rand::random::<u64>());
    let id = tx.insert(
        "INSERT INTO cases (receipt_no, center_id, unit_id, window_id, first_contact_id, status, kind, item_code, opened_at, next_due, open, doc, version, outcome, closed_at, kind_pending, growth_pending, applicant_name, applicant_phone, search_text, applicant_id_no, applicant_credit_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '{}', 1, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id",
        params![
            tmp,
            c.center_id,
            c.unit_id,
            c.window_id,
            c.first_contact_id,
            c.status.as_str(),
            serde_json::to_value(c.kind).ok().and_then(|v| v.as_str().map(String::from)),
            c.item_code.clone(),
            ctx.now.as_str(),
            next_due(dues),
            c.status != noveto_domain::case::Status::Closed,
            outcome_of(c),
            c.closed_at.map(noveto_domain::time::rfc3339),
            c.awaits_kind_decision(),
            growth_pending(c),
            c.applicant.name.as_str(),
            c.applicant.phone.as_str(),
            search_text(c),
            c.applicant.id_doc.as_ref().map(|d| d.number.clone()),
            c.applicant.credit_code.clone()
        ],
    )?;
    // The receipt number: the prefix the caller chose plus the row id (unique, no counter row).
    let receipt = format!("{}{:06}", c.receipt_no, id);
    let c = c.clone().numbered(receipt.clone());
    tx.exec_ahead(
        "UPDATE cases SET receipt_no = $1, doc = $2 WHERE id = $3",
        params![receipt.as_str(), to_doc(&c)?, id],
    )?;
    event(tx, ctx, id, ev)?;
    sync_deadlines(tx, id, c.first_contact_id, &c, dues)?;
    audit::append(tx, ctx, "case.received", "case", id, &json!({"receipt_no": receipt, "status": c.status}))?;
    Ok((id, receipt))
}

fn event(tx: &mut dyn Tx, ctx: &Ctx, case_id: i64, ev: &Event) -> Result<()> {
    tx.exec_ahead(
        "INSERT INTO case_events (case_id, at, actor_id, kind, detail, tag, flagged) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![case_id, ctx.now.as_str(), ctx.actor, ev.kind(), ev.detail().to_string(), ev.tag(), ev.flagged()],
    )
}

/// What a change to a case brings with it, written in the same transaction as the case and its
/// event, each with its own audit entry. This enum is the whole list: the application layer
/// writes a case only through [`apply`] (or [`insert`], [`request_veto`],
/// [`record_withdrawal`] for the changes that create a row the event names), and the functions
/// that write each effect are private to this module — none can be called without the case's
/// event and audit entries beside it.
#[derive(Debug, Clone)]
pub enum Effect {
    /// A veto request with one more decision (version-checked: of two deciders one is recorded).
    SaveVeto(VetoRequest),
    /// The filing's tail: the request's result (一头一尾).
    CloseFiling { veto_request_id: i64, outcome: &'static str },
    /// A new escalation at `level` (supersedes the open one); its id is returned by `apply`.
    OpenEscalation { unit_id: Option<i64>, level: String, major: bool, due: String, reason: String },
    /// The answer to an open escalation (fails when it was answered or moved meanwhile).
    AnswerEscalation { id: i64, answer: String },
    /// The window head's confirmation of the applicant's withdrawal.
    ConfirmWithdrawal(noveto_domain::case::Withdrawal),
    /// A message through the outbox.
    Notify(super::jobs::Message),
    /// NV-6: the verification of a commitment, due on `due` (YYYY-MM-DD).
    OpenCommitmentCheck { due: String },
}

/// Writes a changed case with its event and `effects` in one transaction; returns the ids of
/// rows the effects created (an escalation's). `version` is the one read: a concurrent change
/// makes this fail (optimistic lock) instead of silently overwriting it.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    id: i64,
    version: i64,
    c: &Case,
    ev: &Event,
    dues: &[DueInfo],
    effects: &[Effect],
) -> Result<Vec<i64>> {
    save(tx, ctx, id, version, c, ev, dues)?;
    let mut created = vec![];
    for e in effects {
        match e {
            Effect::SaveVeto(v) => save_veto(tx, ctx, v)?,
            Effect::CloseFiling { veto_request_id, outcome } => close_filing(tx, ctx, *veto_request_id, outcome)?,
            Effect::OpenEscalation { unit_id, level, major, due, reason } => {
                created.push(insert_escalation(tx, ctx, id, *unit_id, level, *major, due, reason)?)
            }
            Effect::AnswerEscalation { id: esc, answer } => answer_escalation(tx, ctx, *esc, answer)?,
            Effect::ConfirmWithdrawal(w) => confirm_withdrawal(tx, ctx, w)?,
            Effect::Notify(m) => {
                super::jobs::enqueue(tx, ctx, m)?;
            }
            Effect::OpenCommitmentCheck { due } => {
                super::commitments::open(tx, ctx, id, c, due)?;
            }
        }
    }
    Ok(created)
}

/// NV-8, NV-9: a veto request is stored, the case changed by `decide` (given the request's new
/// id: the domain's `veto_requested`), and the filing with the center opened — one
/// transaction. `decide`'s own error (a domain refusal) comes back as it is.
pub fn request_veto<E: From<StoreError>>(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    v: &VetoRequest,
    unit_id: Option<i64>,
    version: i64,
    decide: impl FnOnce(i64) -> std::result::Result<(Case, Event, Vec<DueInfo>), E>,
) -> std::result::Result<i64, E> {
    let vid = insert_veto(tx, ctx, v, unit_id)?;
    let (c, ev, dues) = decide(vid)?;
    save(tx, ctx, v.case_id, version, &c, &ev, &dues)?;
    let v = v.clone().numbered(vid);
    open_filing(tx, ctx, &v, unit_id, c.item_code.as_deref())?;
    Ok(vid)
}

/// NV-3: a warm handoff taken over — the receiving unit's own case is stored (with its event)
/// and the handed-off case changed by `decide` (given the new case's id: the domain's
/// `acknowledge_handoff`) — one transaction. Returns the new case's id and receipt number.
#[allow(clippy::too_many_arguments)]
pub fn hand_over<E: From<StoreError>>(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    new_case: &Case,
    new_ev: &Event,
    new_dues: &[DueInfo],
    old_id: i64,
    old_version: i64,
    decide: impl FnOnce(i64) -> std::result::Result<(Case, Event, Vec<DueInfo>), E>,
) -> std::result::Result<(i64, String), E> {
    let (nid, receipt) = insert(tx, ctx, new_case, new_ev, new_dues)?;
    let (c, ev, dues) = decide(nid)?;
    save(tx, ctx, old_id, old_version, &c, &ev, &dues)?;
    Ok((nid, receipt))
}

/// NV-2: the applicant's written withdrawal is stored and the case changed by `decide` (given
/// the withdrawal's new id) — one transaction.
pub fn record_withdrawal<E: From<StoreError>>(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    w: &noveto_domain::case::Withdrawal,
    unit_id: Option<i64>,
    window_id: Option<i64>,
    version: i64,
    decide: impl FnOnce(i64) -> std::result::Result<(Case, Event, Vec<DueInfo>), E>,
) -> std::result::Result<i64, E> {
    let wid = insert_withdrawal(tx, ctx, w, unit_id, window_id)?;
    let (c, ev, dues) = decide(wid)?;
    save(tx, ctx, w.case_id, version, &c, &ev, &dues)?;
    Ok(wid)
}

/// A withdrawal waiting for the window head's confirmation, with where its case is.
#[derive(Debug, Clone, Serialize)]
pub struct PendingWithdrawal {
    pub id: i64,
    pub case_id: i64,
    pub statement: String,
    pub recorded_by: i64,
    pub recorded_at: String,
    pub receipt_no: String,
    pub applicant: String,
    #[serde(skip)]
    pub place: CasePlace,
}

/// NV-2, issue 31 (being told): the withdrawals not yet confirmed on cases still open, oldest
/// first (a partial index holds only the unconfirmed ones).
pub fn pending_withdrawals(tx: &mut dyn Tx) -> Result<Vec<PendingWithdrawal>> {
    Ok(tx
        .query(
            "SELECT w.id, w.case_id, w.statement, w.recorded_by, w.recorded_at, c.receipt_no, c.applicant_name,
                    c.center_id, c.unit_id, c.window_id, c.first_contact_id
             FROM withdrawals w JOIN cases c ON c.id = w.case_id
             WHERE w.confirmed = 0 AND c.open = 1 ORDER BY w.id LIMIT 500",
            params![],
        )?
        .iter()
        .map(|r| PendingWithdrawal {
            id: r.i64(0),
            case_id: r.i64(1),
            statement: r.str(2),
            recorded_by: r.i64(3),
            recorded_at: r.str(4),
            receipt_no: r.str(5),
            applicant: r.str(6),
            place: CasePlace {
                center_id: r.i64(7),
                unit_id: r.opt_i64(8),
                window_id: r.opt_i64(9),
                first_contact_id: r.i64(10),
            },
        })
        .collect())
}

/// The stored outcome column (`approved`, `vetoed` …), as the domain serialises it.
fn outcome_of(c: &Case) -> Option<String> {
    c.outcome.and_then(|o| serde_json::to_value(o).ok()).and_then(|v| v.as_str().map(String::from))
}

/// NV-4: a growth request waits for the window head (the head's queue reads this column).
fn growth_pending(c: &Case) -> bool {
    c.growth_request.is_some() && c.status != noveto_domain::case::Status::Closed
}

/// Saves a changed case with its event (see [`apply`]).
fn save(tx: &mut dyn Tx, ctx: &Ctx, id: i64, version: i64, c: &Case, ev: &Event, dues: &[DueInfo]) -> Result<()> {
    let n = tx.exec(
        "UPDATE cases SET status = $1, next_due = $2, open = $3, doc = $4, kind = $5, version = version + 1,
           outcome = $8, closed_at = $9, kind_pending = $10, growth_pending = $11, applicant_name = $12,
           applicant_phone = $13, search_text = $14
         WHERE id = $6 AND version = $7",
        params![
            c.status.as_str(),
            next_due(dues),
            c.status != noveto_domain::case::Status::Closed,
            to_doc(c)?,
            c.kind.as_str(),
            id,
            version,
            outcome_of(c),
            c.closed_at.map(noveto_domain::time::rfc3339),
            c.awaits_kind_decision(),
            growth_pending(c),
            c.applicant.name.as_str(),
            c.applicant.phone.as_str(),
            search_text(c)
        ],
    )?;
    if n == 0 {
        return Err(StoreError::Conflict("办件已被他人同时修改，请刷新后重试".into()));
    }
    event(tx, ctx, id, ev)?;
    sync_deadlines(tx, id, c.first_contact_id, c, dues)?;
    audit::append(
        tx,
        ctx,
        &format!("case.{}", ev.kind()),
        "case",
        id,
        &json!({"status": c.status, "detail": ev.detail()}),
    )
}

pub fn get(tx: &mut dyn Tx, id: i64) -> Result<Option<(Case, i64)>> {
    match tx.query_one("SELECT doc, version FROM cases WHERE id = $1", params![id])? {
        Some(r) => Ok(Some((r.json(0)?, r.i64(1)))),
        None => Ok(None),
    }
}

/// Cases by id with their versions, in one read (`WHERE id IN`): those that exist.
pub fn get_many(tx: &mut dyn Tx, ids: &[i64]) -> Result<std::collections::HashMap<i64, (Case, i64)>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let values: Vec<Value> = ids.into_iter().map(Value::from).collect();
    crate::query_in(tx, "SELECT id, doc, version FROM cases WHERE id IN ({in})", &values)?
        .iter()
        .map(|r| Ok((r.i64(0), (r.json(1)?, r.i64(2)))))
        .collect()
}

/// Open cases after `after_id`, oldest first, with their version and their center's calendar
/// region (for recomputing deadlines page by page).
pub fn open_cases_page(tx: &mut dyn Tx, after_id: i64, limit: i64) -> Result<Vec<(i64, Case, i64, String)>> {
    tx.query(
        "SELECT c.id, c.doc, c.version, ce.region FROM cases c JOIN centers ce ON ce.id = c.center_id
         WHERE c.open = 1 AND c.id > $1 ORDER BY c.id LIMIT $2",
        params![after_id, limit],
    )?
    .iter()
    .map(|r| Ok((r.i64(0), r.json(1)?, r.i64(2), r.str(3))))
    .collect()
}

pub fn id_by_receipt(tx: &mut dyn Tx, receipt: &str) -> Result<Option<i64>> {
    Ok(tx.query_one("SELECT id FROM cases WHERE receipt_no = $1", params![receipt])?.map(|r| r.i64(0)))
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub kind: String,
    pub detail: serde_json::Value,
}

pub fn timeline(tx: &mut dyn Tx, case_id: i64) -> Result<Vec<TimelineEntry>> {
    Ok(tx
        .query(
            "SELECT e.at, e.actor_id, s.name, e.kind, e.detail FROM case_events e LEFT JOIN staff s ON s.id = e.actor_id
             WHERE e.case_id = $1 ORDER BY e.id",
            params![case_id],
        )?
        .iter()
        .map(|r| TimelineEntry {
            at: r.str(0),
            actor_id: r.opt_i64(1),
            actor_name: r.opt_str(2),
            kind: r.str(3),
            detail: serde_json::from_str(&r.str(4)).unwrap_or_default(),
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseRow {
    pub id: i64,
    pub receipt_no: String,
    pub status: String,
    pub kind: String,
    pub opened_at: String,
    pub next_due: Option<String>,
    pub applicant: String,
    pub request: String,
    /// The open deadlines, so a list can say which rule and source its due day comes from.
    #[serde(skip)]
    pub open_deadlines: Vec<noveto_domain::deadline::Deadline>,
    /// Its first contact (ORG-4: B's list marks A's matters it covers).
    pub first_contact_id: i64,
}

/// What a list row takes from a case's document: serde skips the rest without building it (a
/// workbench page of fifty rows parsed every document whole into a tree of values).
#[derive(serde::Deserialize)]
struct RowDoc {
    #[serde(default)]
    request: String,
    #[serde(default)]
    deadlines: Vec<noveto_domain::deadline::Deadline>,
}

fn case_row(r: &Row) -> CaseRow {
    let doc = r.str(6);
    let (request, deadlines) = match serde_json::from_str::<RowDoc>(&doc) {
        Ok(d) => (d.request, d.deadlines),
        // A document this build cannot read as a whole still lists with what it can.
        Err(_) => {
            let v: serde_json::Value = serde_json::from_str(&doc).unwrap_or_default();
            let deadlines = serde_json::from_value(v["deadlines"].clone()).unwrap_or_default();
            (v["request"].as_str().unwrap_or_default().to_string(), deadlines)
        }
    };
    CaseRow {
        id: r.i64(0),
        receipt_no: r.str(1),
        status: r.str(2),
        kind: r.str(3),
        opened_at: r.str(4),
        next_due: r.opt_str(5).filter(|d| d != NO_DUE),
        applicant: r.str(8),
        request: request.chars().take(60).collect(),
        open_deadlines: deadlines.into_iter().filter(|d| d.met_at.is_none()).collect(),
        first_contact_id: r.i64(7),
    }
}

const ROW_COLS: &str = "id, receipt_no, status, kind, opened_at, next_due, doc, first_contact_id, applicant_name";

/// Which of a first contact's open matters a workbench view holds (issue 31), as the store
/// finds them: each through the `cases_workbench` index (by due day) or the
/// `cases_workbench_status` index (by status), so a view costs a range of an index however many
/// matters the person holds.
#[derive(Debug, Clone, Copy)]
pub enum OpenView<'a> {
    /// Every open matter.
    All,
    /// Its next deadline falls on the day `from` (YYYY-MM-DD; `until` is the day after).
    DueOn { from: &'a str, until: &'a str },
    /// Its next deadline is before the day (YYYY-MM-DD).
    DueBefore(&'a str),
    /// Its status is one of these.
    Statuses(&'a [&'a str]),
}

impl OpenView<'_> {
    /// The view's queries for these first contacts — one per person and, for a view by status,
    /// per status, so that each reads its index in order: the conditions on an open `cases` row
    /// and their parameters, the next placeholder free for the caller's limit.
    fn queries(&self, staff: &[i64]) -> Vec<(String, Vec<Value>)> {
        let parts: Vec<(&str, Vec<&str>)> = match *self {
            OpenView::All => vec![("", vec![])],
            OpenView::DueOn { from, until } => vec![(" AND next_due >= $2 AND next_due < $3", vec![from, until])],
            OpenView::DueBefore(day) => vec![(" AND next_due < $2", vec![day])],
            OpenView::Statuses(ss) => ss.iter().map(|st| (" AND status = $2", vec![*st])).collect(),
        };
        let mut out = vec![];
        for id in staff {
            for (cond, args) in &parts {
                let mut ps = vec![Value::from(*id)];
                ps.extend(args.iter().map(|a| Value::from(*a)));
                out.push((format!("first_contact_id = $1 AND open = 1{cond}"), ps));
            }
        }
        out
    }
}

/// NV-1, issue 31: how many open matters of these first contacts a view holds, counting at most
/// `cap + 1` (a page says "more than `cap`" past it): each count stops at the cap inside the
/// index, so a person holding a quarter of a million matters costs what one holding 201 does.
pub fn count_open_in_view(tx: &mut dyn Tx, staff: &[i64], view: OpenView, cap: i64) -> Result<i64> {
    let mut n = 0;
    for (cond, mut ps) in view.queries(staff) {
        if n > cap {
            break;
        }
        // The limit is a parameter: one statement text per view, prepared once.
        ps.push(Value::from(cap + 1 - n));
        let sql = format!("SELECT count(*) FROM (SELECT 1 FROM cases WHERE {cond} LIMIT ${}) AS v", ps.len());
        n += tx.query_one(&sql, &ps)?.map(|r| r.i64(0)).unwrap_or(0);
    }
    Ok(n.min(cap + 1))
}

/// NV-1, issue 31: the open matters of these first contacts that a view holds, nearest due day
/// first (no due day last), `limit` of them from the `offset`th, each query in its index's order.
pub fn open_in_view(tx: &mut dyn Tx, staff: &[i64], view: OpenView, limit: i64, offset: i64) -> Result<Vec<CaseRow>> {
    let (limit, offset) = (limit.max(0), offset.max(0));
    let mut out = vec![];
    for (cond, mut ps) in view.queries(staff) {
        ps.push(Value::from(limit + offset));
        let sql = format!("SELECT {ROW_COLS} FROM cases WHERE {cond} ORDER BY next_due, id LIMIT ${}", ps.len());
        out.extend(tx.query(&sql, &ps)?.iter().map(case_row));
    }
    out.sort_by(|a, b| {
        (a.next_due.as_deref().unwrap_or(NO_DUE), a.id).cmp(&(b.next_due.as_deref().unwrap_or(NO_DUE), b.id))
    });
    Ok(out.into_iter().skip(offset as usize).take(limit as usize).collect())
}

/// NV-3: the matters waiting to be placed at the centers `r` reaches (see [`Reach::for_placing`])
/// — with no cap: whoever places them must see every one.
pub fn unplaced_within(tx: &mut dyn Tx, r: &Reach) -> Result<Vec<(i64, Case)>> {
    within(tx, r, "SELECT c.id, c.doc FROM cases c WHERE c.status = 'unplaced' AND {reach}", |r| {
        Ok((r.i64(0), r.json(1)?))
    })
}

/// The workbench search's candidates, best first, at most `limit`: where each sits (for the
/// caller's access decision) and nothing else — the rows of the page are read afterwards, by id
/// ([`rows_by_ids`]), so a common name costs a range of an index, not thousands of documents.
/// Found through indexes only: the receipt number and the phone exactly, a name by its beginning,
/// three or more characters of the name, organisation or request through SQLite FTS5 trigrams or
/// PostgreSQL `pg_trgm`.
pub fn search_candidates(tx: &mut dyn Tx, needle: &str, limit: i64) -> Result<Vec<(i64, CasePlace)>> {
    let needle: String = needle.chars().filter(|c| !c.is_control()).collect();
    let needle = needle.trim();
    let digits: String = needle.chars().filter(|c| c.is_ascii_digit()).collect();
    let phone = noveto_domain::validate::Phone::parse(needle).map(|p| p.as_str().to_string()).unwrap_or_default();
    let cols = "id, center_id, unit_id, window_id, first_contact_id";
    let by = |tx: &mut dyn Tx, sql: &str, p: &[crate::Value]| -> Result<Vec<(i64, CasePlace)>> {
        Ok(tx
            .query(sql, p)?
            .iter()
            .map(|r| {
                let at = CasePlace {
                    center_id: r.i64(1),
                    unit_id: r.opt_i64(2),
                    window_id: r.opt_i64(3),
                    first_contact_id: r.i64(4),
                };
                (r.i64(0), at)
            })
            .collect())
    };
    let mut out = by(
        tx,
        &format!(
            "SELECT {cols} FROM cases WHERE receipt_no = $1 UNION SELECT {cols} FROM cases WHERE applicant_phone = $1 OR applicant_phone = $2 OR applicant_phone = $4 ORDER BY id DESC LIMIT $3"
        ),
        // A phone as typed, as digits (stored so before landlines kept their dash) and as stored now.
        params![needle, digits.as_str(), limit, phone.as_str()],
    )?;
    // An identity document or a credit code by the full number (letters in upper case).
    let number: String = needle.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if number.len() >= 8 && number.chars().all(|c| c.is_ascii_alphanumeric()) {
        out.extend(by(
            tx,
            &format!(
                "SELECT {cols} FROM cases WHERE applicant_id_no = $1 UNION SELECT {cols} FROM cases WHERE applicant_credit_code = $1 ORDER BY id DESC LIMIT $2"
            ),
            params![number.as_str(), limit],
        )?);
    }
    // A whole number found — a receipt, a phone, an identity document or a credit code — is
    // the answer: no name begins with one, and the substring index would be asked for digits.
    if !out.is_empty() {
        out.truncate(limit as usize);
        return Ok(out);
    }
    // A name: the whole name first, newest first straight off the (name, id) index; then names
    // that begin with it, in the index's order, only as many as are still wanted (a name is often
    // two characters: too short for trigrams; and a surname alone matches a twentieth of a
    // province, which must not be sorted at every keystroke).
    out.extend(by(
        tx,
        &format!("SELECT {cols} FROM cases WHERE applicant_name = $1 ORDER BY id DESC LIMIT $2"),
        params![needle, limit],
    )?);
    if (out.len() as i64) < limit {
        let upper = format!("{needle}\u{10FFFF}");
        let begins = format!("{needle}\u{1}");
        // PostgreSQL's name index is in pattern order (text_pattern_ops): only its own operators
        // use it — `>=`/`<` under the database's collation scan the table (193 ms at 200,000
        // cases; BENCHMARKS.md).
        let range = match tx.backend() {
            crate::Backend::Sqlite => "applicant_name >= $1 AND applicant_name < $2",
            crate::Backend::Postgres => "applicant_name ~>=~ $1 AND applicant_name ~<~ $2",
        };
        out.extend(by(
            tx,
            &format!("SELECT {cols} FROM cases WHERE {range} LIMIT $3"),
            params![begins.as_str(), upper.as_str(), limit - out.len() as i64],
        )?);
    }
    // Inside other words (a company's name, the request) only while the name itself has not
    // filled the page: a common name's own matches come first, and the substring index is not
    // asked for thousands of rows it would sort only to drop (10 ms for a name 2,500 people share
    // at 1,000,000 cases on PostgreSQL, growing with the hall).
    if needle.chars().count() >= 3 && (out.len() as i64) < limit {
        let found = match tx.backend() {
            crate::Backend::Sqlite => {
                // A phrase query: the needle quoted, its own quotes doubled.
                let phrase = format!("\"{}\"", needle.replace('"', "\"\""));
                // The index, and the cases queued for it (a few, read as they are: migration 23).
                by(
                    tx,
                    &format!(
                        "SELECT {cols} FROM cases WHERE id IN (
                           SELECT rowid FROM (SELECT rowid FROM cases_fts WHERE cases_fts MATCH $1 ORDER BY rowid DESC LIMIT $2)
                           UNION ALL
                           SELECT q.id FROM cases_fts_queue q CROSS JOIN cases c ON c.id = q.id WHERE instr(c.search_text, $3) > 0)
                         ORDER BY id DESC LIMIT $2"
                    ),
                    params![phrase.as_str(), limit, needle],
                )?
            }
            crate::Backend::Postgres => {
                let like = format!("%{}%", needle.replace(['%', '_', '\\'], ""));
                by(
                    tx,
                    &format!("SELECT {cols} FROM cases WHERE search_text LIKE $1 ORDER BY id DESC LIMIT $2"),
                    params![like.as_str(), limit],
                )?
            }
        };
        out.extend(found);
    }
    // In the order asked: numbers, the whole name (newest first), names beginning with it, then
    // the substring matches — never re-sorted, so the first n of a longer answer are the answer
    // for n, and a caller may ask for a few first and for more only when it needs them.
    let mut seen = std::collections::HashSet::new();
    out.retain(|(id, _)| seen.insert(*id));
    out.truncate(limit as usize);
    Ok(out)
}

/// Issue 27, SQLite: moves up to `batch` queued cases into the trigram index in one statement (one
/// segment for all of them) and takes them off the queue; returns how many. The queue leads the
/// join (`CROSS JOIN` fixes SQLite's order): statistics taken while the store was small made the
/// planner walk every case to find the queued thousand.
pub fn index_queued(tx: &mut dyn Tx, batch: i64) -> Result<u64> {
    let Some(last) = tx
        .query_one(
            "SELECT MAX(id), COUNT(*) FROM (SELECT id FROM cases_fts_queue ORDER BY id LIMIT $1)",
            params![batch],
        )?
        .filter(|r| r.i64(1) > 0)
    else {
        return Ok(0);
    };
    let (upto, n) = (last.i64(0), last.i64(1));
    tx.exec(
        "INSERT INTO cases_fts (rowid, search_text)
         SELECT c.id, c.search_text FROM cases_fts_queue q CROSS JOIN cases c ON c.id = q.id WHERE q.id <= $1",
        params![upto],
    )?;
    tx.exec("DELETE FROM cases_fts_queue WHERE id <= $1", params![upto])?;
    Ok(n as u64)
}

/// List rows of the cases `ids`, in that order (one query; missing ids are skipped).
pub fn rows_by_ids(tx: &mut dyn Tx, ids: &[i64]) -> Result<Vec<CaseRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let rows = tx.query(&format!("SELECT {ROW_COLS} FROM cases WHERE id IN ({list})"), &[])?;
    let mut by: std::collections::HashMap<i64, CaseRow> = rows.iter().map(|r| (r.i64(0), case_row(r))).collect();
    Ok(ids.iter().filter_map(|i| by.remove(i)).collect())
}

/// Where a case sits, for the caller's access decision on a list row.
#[derive(Debug, Clone, Copy)]
pub struct CasePlace {
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub first_contact_id: i64,
}

/// Cases of one unit, or of a center and every center below it, newest first, with an optional
/// status. The caller has decided that the unit or center is within the reader's scope; this
/// keeps the list inside it.
pub fn list(
    tx: &mut dyn Tx,
    unit_id: Option<i64>,
    center_id: i64,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<CaseRow>> {
    Ok(tx
        .query(
            &format!(
                "WITH RECURSIVE sub(id) AS (
                   SELECT id FROM centers WHERE id = $5
                   UNION ALL SELECT c.id FROM centers c JOIN sub ON c.parent_id = sub.id)
                 SELECT {ROW_COLS} FROM cases
                 WHERE (CAST($1 AS BIGINT) IS NULL OR unit_id = $1) AND (CAST($2 AS TEXT) IS NULL OR status = $2)
                   AND center_id IN (SELECT id FROM sub)
                 ORDER BY id DESC LIMIT $3 OFFSET $4"
            ),
            params![unit_id, status.map(String::from), limit, offset, center_id],
        )?
        .iter()
        .map(case_row)
        .collect())
}

fn insert_veto(tx: &mut dyn Tx, ctx: &Ctx, v: &VetoRequest, unit_id: Option<i64>) -> Result<i64> {
    let id = tx.insert(
        "INSERT INTO veto_requests (case_id, unit_id, status, level, requested_at, doc) VALUES ($1, $2, $3, $4, $5, '{}') RETURNING id",
        params![v.case_id, unit_id, v.status.as_str(), v.level().map(|l| l.as_str()), ctx.now.as_str()],
    )?;
    let v = v.clone().numbered(id);
    tx.exec("UPDATE veto_requests SET doc = $1 WHERE id = $2", params![to_doc(&v)?, id])?;
    audit::append(
        tx,
        ctx,
        "veto.request",
        "veto_request",
        id,
        &json!({"case_id": v.case_id, "reason": v.reason, "legal_basis": v.legal_basis, "levels": v.levels}),
    )?;
    Ok(id)
}

/// Saves a veto request after one more decision. Its version is the number of decisions: the
/// save applies only if the stored request has exactly one decision fewer, so of two deciders
/// who read the same request only the first is recorded (the other gets a conflict).
fn save_veto(tx: &mut dyn Tx, ctx: &Ctx, v: &VetoRequest) -> Result<()> {
    let decisions = v.chain.len() as i64;
    let n = tx.exec(
        "UPDATE veto_requests SET status = $1, level = $2, doc = $3, version = $4 WHERE id = $5 AND version = $6",
        params![v.status.as_str(), v.level().map(|l| l.as_str()), to_doc(v)?, decisions, v.id, decisions - 1],
    )?;
    if n == 0 {
        return Err(StoreError::Conflict("该否决报批已被他人同时审批，请刷新后查看".into()));
    }
    let last = v.chain.last();
    audit::append(tx, ctx, "veto.decision", "veto_request", v.id, &json!({"status": v.status, "decision": last}))
}

pub fn get_veto(tx: &mut dyn Tx, id: i64) -> Result<Option<VetoRequest>> {
    match tx.query_one("SELECT doc FROM veto_requests WHERE id = $1", params![id])? {
        Some(r) => Ok(Some(r.json(0)?)),
        None => Ok(None),
    }
}

/// Pending veto requests waiting at one of `levels`, oldest first.
/// The places a person's scopes reach, as conditions on a case row `c` — as `access::Place` is
/// covered: a center scope reaches its own center and every center below it; a unit or window
/// scope, its own. Worked out from the organisation (the application layer keeps it in memory),
/// so a queue's read asks the store for cases only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach(std::collections::BTreeSet<(&'static str, i64)>);

impl Reach {
    pub fn of(centers: &[super::org::Center], scopes: &[Scope]) -> Reach {
        let mut out = std::collections::BTreeSet::new();
        for s in scopes {
            match s.kind {
                ScopeKind::Center => {
                    let mut todo = vec![s.id];
                    while let Some(c) = todo.pop() {
                        if out.insert(("c.center_id", c)) {
                            todo.extend(centers.iter().filter(|x| x.parent_id == Some(c)).map(|x| x.id));
                        }
                    }
                }
                ScopeKind::Unit => {
                    out.insert(("c.unit_id", s.id));
                }
                ScopeKind::Window => {
                    out.insert(("c.window_id", s.id));
                }
            }
        }
        Reach(out)
    }

    /// NV-3, placing matters: a center scope's own center and those below it, and the center of
    /// each window scope (a consultation desk places its center's matters).
    pub fn for_placing(centers: &[super::org::Center], windows: &[super::org::Window], scopes: &[Scope]) -> Reach {
        let mut at: Vec<Scope> = scopes.iter().filter(|s| s.kind == ScopeKind::Center).copied().collect();
        for s in scopes.iter().filter(|s| s.kind == ScopeKind::Window) {
            if let Some(w) = windows.iter().find(|w| w.id == s.id) {
                at.push(Scope { kind: ScopeKind::Center, id: w.center_id });
            }
        }
        Reach::of(centers, &at)
    }
}

/// Runs `sql` — rows about cases `c`, the first column a row id, `{reach}` where the places'
/// condition goes (its parameters from `$1`) — once per kind of place `reach` holds (centers,
/// units, windows; up to 500 of a kind at once): every row once, by row id. A person's queue is
/// read whole this way, however many other centers have waiting work — and a province's
/// business section, whose scope reaches every center below it, asks once, not once a center.
fn within<T>(tx: &mut dyn Tx, reach: &Reach, sql: &str, row: impl Fn(&Row) -> Result<T>) -> Result<Vec<T>> {
    let mut by_col: std::collections::BTreeMap<&str, Vec<Value>> = std::collections::BTreeMap::new();
    for (col, id) in &reach.0 {
        by_col.entry(col).or_default().push(Value::from(*id));
    }
    let mut seen = std::collections::BTreeMap::new();
    for (col, ids) in by_col {
        for r in crate::query_in(tx, &sql.replace("{reach}", &format!("{col} IN ({{in}})")), &ids)? {
            if let std::collections::btree_map::Entry::Vacant(e) = seen.entry(r.i64(0)) {
                e.insert(row(&r)?);
            }
        }
    }
    Ok(seen.into_values().collect())
}

/// The pending veto requests on cases these scopes reach (the inbox's candidates).
pub fn pending_vetoes_within(tx: &mut dyn Tx, reach: &Reach) -> Result<Vec<VetoRequest>> {
    within(
        tx,
        reach,
        "SELECT v.id, v.doc FROM veto_requests v JOIN cases c ON c.id = v.case_id WHERE v.status = 'pending' AND {reach}",
        |r| r.json(1),
    )
}

/// The open escalations on cases these scopes reach, by due day.
pub fn open_escalations_within(tx: &mut dyn Tx, reach: &Reach) -> Result<Vec<Escalation>> {
    let cols = ESC_COLS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", ");
    let mut v = within(
        tx,
        reach,
        &format!(
            "SELECT {cols} FROM escalations e JOIN cases c ON c.id = e.case_id WHERE e.status = 'open' AND {{reach}}"
        ),
        |r| Ok(escalation(r)),
    )?;
    v.sort_by(|a, b| (&a.due, a.id).cmp(&(&b.due, b.id)));
    Ok(v)
}

/// The open cases with a growth request waiting, among those these scopes reach.
pub fn growth_requests_within(tx: &mut dyn Tx, reach: &Reach) -> Result<Vec<(i64, Case)>> {
    within(tx, reach, "SELECT c.id, c.doc FROM cases c WHERE c.growth_pending = 1 AND {reach}", |r| {
        Ok((r.i64(0), r.json(1)?))
    })
}

/// NV-2: the applications whose clerk asked the window head to make them consultations, among
/// those these scopes reach.
pub fn kind_requests_within(tx: &mut dyn Tx, reach: &Reach) -> Result<Vec<(i64, Case)>> {
    within(tx, reach, "SELECT c.id, c.doc FROM cases c WHERE c.kind_pending = 1 AND {reach}", |r| {
        Ok((r.i64(0), r.json(1)?))
    })
}

/// NV-9: the filing with the center opens when the veto is requested …
/// It keeps the request's item and reason key (NV-16: what makes two requests alike).
fn open_filing(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    v: &VetoRequest,
    unit_id: Option<i64>,
    item_code: Option<&str>,
) -> Result<()> {
    let month: String = ctx.now.chars().take(7).collect();
    let id = tx.insert(
        "INSERT INTO filings (veto_request_id, case_id, unit_id, month, opened_at, item_code, reason_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        params![
            v.id,
            v.case_id,
            unit_id,
            month,
            ctx.now.as_str(),
            item_code,
            noveto_domain::case::reason_key(&v.reason)
        ],
    )?;
    audit::append(tx, ctx, "filing.open", "filing", id, &json!({"veto_request_id": v.id}))
}

/// … and closes at its result ("一头一尾").
fn close_filing(tx: &mut dyn Tx, ctx: &Ctx, veto_request_id: i64, outcome: &str) -> Result<()> {
    tx.exec(
        "UPDATE filings SET closed_at = $1, outcome = $2 WHERE veto_request_id = $3 AND closed_at IS NULL",
        params![ctx.now.as_str(), outcome, veto_request_id],
    )?;
    audit::append(tx, ctx, "filing.close", "veto_request", veto_request_id, &json!({"outcome": outcome}))
}

#[derive(Debug, Clone, Serialize)]
pub struct Filing {
    pub veto_request_id: i64,
    pub case_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub receipt_no: Option<String>,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub outcome: Option<String>,
    /// The applicant's name, the catalog item's code and the request, from the case.
    pub applicant: String,
    pub item_code: Option<String>,
    pub request: String,
    /// The veto's reason and legal basis, from the request.
    pub reason: String,
    pub legal_basis: String,
}

/// The filings of the months `first..=last` ("YYYY-MM"), each with the center chain of its case
/// (for the one access decision): one query for the filings and their cases' centers, one chain
/// per distinct center.
pub fn filings_with_centers(tx: &mut dyn Tx, first: &str, last: &str) -> Result<Vec<(Filing, Vec<i64>)>> {
    let rows = tx.query(
        "SELECT f.veto_request_id, f.case_id, f.unit_id, f.opened_at, f.closed_at, f.outcome, c.center_id, c.window_id, c.receipt_no,
                c.doc, v.doc
         FROM filings f LEFT JOIN cases c ON c.id = f.case_id LEFT JOIN veto_requests v ON v.id = f.veto_request_id
         WHERE f.month >= $1 AND f.month <= $2 ORDER BY f.id",
        params![first, last],
    )?;
    let mut chains = super::org::Chains::default();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let centers = chains.of(tx, r.opt_i64(6))?;
        let case: serde_json::Value = r.opt_str(9).and_then(|d| serde_json::from_str(&d).ok()).unwrap_or_default();
        let veto: serde_json::Value = r.opt_str(10).and_then(|d| serde_json::from_str(&d).ok()).unwrap_or_default();
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        let f = Filing {
            applicant: text(&case["applicant"]["name"]),
            item_code: case["item_code"].as_str().map(str::to_string),
            request: text(&case["request"]),
            reason: text(&veto["reason"]),
            legal_basis: text(&veto["legal_basis"]),
            veto_request_id: r.i64(0),
            case_id: r.i64(1),
            unit_id: r.opt_i64(2),
            window_id: r.opt_i64(7),
            receipt_no: r.opt_str(8),
            opened_at: r.str(3),
            closed_at: r.opt_str(4),
            outcome: r.opt_str(5),
        };
        out.push((f, centers));
    }
    Ok(out)
}

/// NV-16: a decided filing alike to a request being decided — same item, same reason key.
#[derive(Debug, Clone, Serialize)]
pub struct AlikeFiling {
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub item_code: Option<String>,
    pub reason_key: String,
    pub outcome: String,
    pub receipt_no: Option<String>,
    pub legal_basis: String,
}

/// The decided filings of the months `first..=last` alike to any of `asks` (an item — `None`:
/// cases that name no item — and a reason key), newest first, each with its case's center chain:
/// found through the index on (item, reason key, month), never by reading the months' filings.
/// `basis`: with each request's legal basis (read from the request; a report needs none).
pub fn alike_filings_with_centers(
    tx: &mut dyn Tx,
    first: &str,
    last: &str,
    asks: &[(Option<String>, String)],
    basis: bool,
) -> Result<Vec<(AlikeFiling, Vec<i64>)>> {
    let (doc, join) = if basis {
        ("v.doc", "LEFT JOIN veto_requests v ON v.id = f.veto_request_id")
    } else {
        ("CAST(NULL AS TEXT)", "")
    };
    let mut chains = super::org::Chains::default();
    let mut out = vec![];
    // A few hundred pairs a statement at most (a quarter's report may ask for many).
    for chunk in asks.chunks(200) {
        let mut ps = vec![crate::Value::from(first), crate::Value::from(last)];
        let mut alternatives = vec![];
        for (item, key) in chunk {
            ps.push(crate::Value::from(key.as_str()));
            let k = ps.len();
            match item {
                Some(code) => {
                    ps.push(crate::Value::from(code.as_str()));
                    alternatives.push(format!("(f.item_code = ${} AND f.reason_key = ${k})", k + 1));
                }
                None => alternatives.push(format!("(f.item_code IS NULL AND f.reason_key = ${k})")),
            }
        }
        let rows = tx.query(
            &format!(
                "SELECT f.id, f.unit_id, c.window_id, f.item_code, f.reason_key, f.outcome, c.receipt_no, {doc}, c.center_id
                   FROM filings f LEFT JOIN cases c ON c.id = f.case_id {join}
                  WHERE f.month >= $1 AND f.month <= $2 AND f.outcome IS NOT NULL AND ({})",
                alternatives.join(" OR ")
            ),
            &ps,
        )?;
        for r in rows {
            let veto: serde_json::Value = r.opt_str(7).and_then(|d| serde_json::from_str(&d).ok()).unwrap_or_default();
            let f = AlikeFiling {
                unit_id: r.opt_i64(1),
                window_id: r.opt_i64(2),
                item_code: r.opt_str(3),
                reason_key: r.opt_str(4).unwrap_or_default(),
                outcome: r.str(5),
                receipt_no: r.opt_str(6),
                legal_basis: veto["legal_basis"].as_str().unwrap_or_default().to_string(),
            };
            out.push((r.i64(0), f, chains.of(tx, r.opt_i64(8))?));
        }
    }
    out.sort_by_key(|x| std::cmp::Reverse(x.0));
    Ok(out.into_iter().map(|(_, f, c)| (f, c)).collect())
}

/// Migration 26: each filing made before it gets its request's reason key, by the domain's rule
/// (`reason_key`) that new filings are written with.
pub fn key_filed_reasons(tx: &mut dyn Tx) -> Result<()> {
    crate::each_in_batches(
        tx,
        "SELECT f.id, v.doc FROM filings f JOIN veto_requests v ON v.id = f.veto_request_id
          WHERE f.id > $1 ORDER BY f.id LIMIT 5000",
        |tx, r| {
            let doc: serde_json::Value = serde_json::from_str(&r.str(1)).unwrap_or_default();
            let key = noveto_domain::case::reason_key(doc["reason"].as_str().unwrap_or(""));
            tx.exec("UPDATE filings SET reason_key = $1 WHERE id = $2", params![key, r.i64(0)])?;
            Ok(())
        },
    )
}

/// NV-15: the filings of the months `first..=last` counted by the database per month, place, item,
/// reason key and outcome (`None`: still pending), each group with its case's center chain — one
/// read serves a period's figures and its trend alike.
#[derive(Debug, Clone, Serialize)]
pub struct VetoGroup {
    pub month: String,
    pub center_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub item_code: Option<String>,
    pub reason_key: String,
    pub outcome: Option<String>,
    pub count: i64,
}

pub fn veto_groups_with_centers(tx: &mut dyn Tx, first: &str, last: &str) -> Result<Vec<(VetoGroup, Vec<i64>)>> {
    let rows = tx
        .query(
            "SELECT c.center_id, f.unit_id, c.window_id, f.item_code, f.reason_key, f.outcome, COUNT(*), f.month
               FROM filings f LEFT JOIN cases c ON c.id = f.case_id
              WHERE f.month >= $1 AND f.month <= $2 GROUP BY 1, 2, 3, 4, 5, 6, 8",
            params![first, last],
        )?
        .iter()
        .map(|r| VetoGroup {
            month: r.str(7),
            center_id: r.opt_i64(0),
            unit_id: r.opt_i64(1),
            window_id: r.opt_i64(2),
            item_code: r.opt_str(3),
            reason_key: r.opt_str(4).unwrap_or_default(),
            outcome: r.opt_str(5),
            count: r.i64(6),
        })
        .collect();
    super::org::with_chains(tx, rows, |g| g.center_id)
}

#[derive(Debug, Clone, Serialize)]
pub struct Escalation {
    pub id: i64,
    pub case_id: i64,
    pub unit_id: Option<i64>,
    pub level: String,
    pub major: bool,
    pub status: String,
    pub due: String,
    pub reason: String,
    pub answer: Option<String>,
    pub created_at: String,
    pub created_by: i64,
}

fn escalation(r: &Row) -> Escalation {
    Escalation {
        id: r.i64(0),
        case_id: r.i64(1),
        unit_id: r.opt_i64(2),
        level: r.str(3),
        major: r.bool(4),
        status: r.str(5),
        due: r.str(6),
        reason: r.str(7),
        answer: r.opt_str(8),
        created_at: r.str(9),
        created_by: r.i64(10),
    }
}
const ESC_COLS: &str = "id, case_id, unit_id, level, major, status, due, reason, answer, created_at, created_by";

#[allow(clippy::too_many_arguments)]
fn insert_escalation(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    case_id: i64,
    unit_id: Option<i64>,
    level: &str,
    major: bool,
    due: &str,
    reason: &str,
) -> Result<i64> {
    // A new escalation supersedes the open one of the same case (it climbed a level).
    tx.exec("UPDATE escalations SET status = 'superseded' WHERE case_id = $1 AND status = 'open'", params![case_id])?;
    let id = tx.insert(
        "INSERT INTO escalations (case_id, unit_id, level, major, status, due, reason, created_at, created_by)
         VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8) RETURNING id",
        params![case_id, unit_id, level, major, due, reason, ctx.now.as_str(), ctx.actor.unwrap_or(0)],
    )?;
    audit::append(
        tx,
        ctx,
        "escalation.open",
        "escalation",
        id,
        &json!({"case_id": case_id, "level": level, "major": major, "due": due}),
    )?;
    Ok(id)
}

/// The case's latest escalation.
pub fn latest_escalation(tx: &mut dyn Tx, case_id: i64) -> Result<Option<Escalation>> {
    let id =
        tx.query_one("SELECT id FROM escalations WHERE case_id = $1 ORDER BY id DESC LIMIT 1", params![case_id])?;
    match id {
        Some(r) => get_escalation(tx, r.i64(0)),
        None => Ok(None),
    }
}

pub fn get_escalation(tx: &mut dyn Tx, id: i64) -> Result<Option<Escalation>> {
    Ok(tx
        .query_one(&format!("SELECT {ESC_COLS} FROM escalations WHERE id = $1"), params![id])?
        .as_ref()
        .map(escalation))
}

pub fn open_escalation_of_case(tx: &mut dyn Tx, case_id: i64) -> Result<Option<Escalation>> {
    Ok(tx
        .query_one(
            &format!("SELECT {ESC_COLS} FROM escalations WHERE case_id = $1 AND status = 'open' ORDER BY id DESC"),
            params![case_id],
        )?
        .as_ref()
        .map(escalation))
}

/// Answers an open escalation; one that was answered or passed up since it was read is left
/// alone and the whole write fails (two answerers cannot both answer).
fn answer_escalation(tx: &mut dyn Tx, ctx: &Ctx, id: i64, answer: &str) -> Result<()> {
    let n = tx.exec(
        "UPDATE escalations SET status = 'answered', answer = $1, answered_at = $2, answered_by = $3 WHERE id = $4 AND status = 'open'",
        params![answer, ctx.now.as_str(), ctx.actor, id],
    )?;
    if n == 0 {
        return Err(StoreError::Conflict("该请示已被他人答复或已上报上一级，请刷新后查看".into()));
    }
    audit::append(tx, ctx, "escalation.answer", "escalation", id, &json!({"answer": answer}))
}

/// NV-14: replies sent with refusal phrases, per window, between two moments.
pub fn flagged_replies_by_window(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Vec<(Option<i64>, i64, i64)>> {
    Ok(tx
        .query(
            "SELECT c.window_id, COUNT(*), COALESCE(SUM(e.flagged), 0)
             FROM case_events e JOIN cases c ON c.id = e.case_id
             WHERE e.kind = 'reply' AND e.at >= $1 AND e.at < $2 GROUP BY c.window_id ORDER BY c.window_id",
            params![from, to],
        )?
        .iter()
        .map(|r| (r.opt_i64(0), r.i64(1), r.i64(2)))
        .collect())
}

/// Warm handoffs (NV-3) waiting for their receivers, newest first, each case with its referral
/// — all of them: an unacknowledged handoff stays on the receiver's workbench however many
/// referrals follow. A handed-off case waits in its own status until taken over (its own
/// partial index, migration 29), so this reads the waiting few, never the handoffs of the years.
pub fn open_handoffs(tx: &mut dyn Tx) -> Result<Vec<(i64, Case)>> {
    tx.query("SELECT id, doc FROM cases WHERE status = 'handoff_pending' ORDER BY id DESC", &[])?
        .iter()
        .map(|r| Ok((r.i64(0), r.json(1)?)))
        .collect()
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct UnitFigures {
    pub cases: i64,
    pub vetoes_requested: i64,
    pub vetoes_approved: i64,
    pub overdue: i64,
    pub flagged_replies: i64,
}

/// A unit's figures between two moments (the window head's and leaders' home page).
pub fn unit_figures(tx: &mut dyn Tx, unit: i64, from: &str, to: &str, today: &str) -> Result<UnitFigures> {
    let one = |tx: &mut dyn Tx, sql: &str, p: &[crate::Value]| -> Result<i64> {
        Ok(tx.query_one(sql, p)?.map(|r| r.i64(0)).unwrap_or(0))
    };
    Ok(UnitFigures {
        cases: one(
            tx,
            "SELECT COUNT(*) FROM cases WHERE unit_id = $1 AND opened_at >= $2 AND opened_at < $3",
            params![unit, from, to],
        )?,
        vetoes_requested: one(
            tx,
            "SELECT COUNT(*) FROM veto_requests WHERE unit_id = $1 AND requested_at >= $2 AND requested_at < $3",
            params![unit, from, to],
        )?,
        vetoes_approved: one(
            tx,
            "SELECT COUNT(*) FROM veto_requests WHERE unit_id = $1 AND requested_at >= $2 AND requested_at < $3 AND status = 'approved'",
            params![unit, from, to],
        )?,
        overdue: one(
            tx,
            "SELECT COUNT(*) FROM deadlines d JOIN cases c ON c.id = d.entity_id
             WHERE d.entity || '' = 'case' AND c.unit_id = $1 AND d.state NOT IN ('met', 'paused') AND d.due < $2",
            params![unit, today],
        )?,
        flagged_replies: one(
            tx,
            "SELECT COUNT(*) FROM case_events e JOIN cases c ON c.id = e.case_id
             WHERE e.flagged = 1 AND NOT (e.kind = 'closed' AND e.tag = 'answered') AND c.unit_id = $1 AND e.at >= $2 AND e.at < $3",
            params![unit, from, to],
        )?,
    })
}

/// NV-2: records the applicant's written withdrawal; its id.
fn insert_withdrawal(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    w: &noveto_domain::case::Withdrawal,
    unit_id: Option<i64>,
    window_id: Option<i64>,
) -> Result<i64> {
    let id = tx.insert(
        "INSERT INTO withdrawals (case_id, unit_id, window_id, statement, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params![w.case_id, unit_id, window_id, w.statement.as_str(), w.recorded_by, ctx.now.as_str()],
    )?;
    audit::append(
        tx,
        ctx,
        "withdrawal.record",
        "case",
        w.case_id,
        &json!({"withdrawal_id": id, "statement": w.statement}),
    )?;
    Ok(id)
}

pub fn get_withdrawal(tx: &mut dyn Tx, id: i64) -> Result<Option<noveto_domain::case::Withdrawal>> {
    Ok(tx
        .query_one(
            "SELECT id, case_id, statement, recorded_by, confirmed_by FROM withdrawals WHERE id = $1",
            params![id],
        )?
        .map(|r| withdrawal(&r)))
}

/// The window head's confirmation; only while unconfirmed (two heads clicking at once: one wins).
fn confirm_withdrawal(tx: &mut dyn Tx, ctx: &Ctx, w: &noveto_domain::case::Withdrawal) -> Result<()> {
    let n = tx.exec(
        "UPDATE withdrawals SET confirmed = 1, confirmed_by = $1, confirmed_at = $2 WHERE id = $3 AND confirmed = 0",
        params![w.confirmed_by, ctx.now.as_str(), w.id],
    )?;
    if n == 0 {
        return Err(StoreError::Conflict("该撤回申请已由他人确认，请刷新后查看".into()));
    }
    audit::append(tx, ctx, "withdrawal.confirm", "case", w.case_id, &json!({"withdrawal_id": w.id}))
}

/// A case's withdrawals, oldest first.
pub fn withdrawals_of_case(tx: &mut dyn Tx, case_id: i64) -> Result<Vec<noveto_domain::case::Withdrawal>> {
    Ok(tx
        .query(
            "SELECT id, case_id, statement, recorded_by, confirmed_by FROM withdrawals WHERE case_id = $1 ORDER BY id",
            params![case_id],
        )?
        .iter()
        .map(withdrawal)
        .collect())
}

fn withdrawal(r: &Row) -> noveto_domain::case::Withdrawal {
    noveto_domain::case::Withdrawal::stored(noveto_domain::case::WithdrawalData {
        id: r.i64(0),
        case_id: r.i64(1),
        statement: r.str(2),
        recorded_by: r.i64(3),
        confirmed_by: r.opt_i64(4),
    })
}

/// A negative ending that is not a veto, for the monthly roll-up beside the vetoes (NV-2):
/// `withdrawn` (the applicant's written withdrawal, counted when recorded) or `not_required`.
pub struct OtherEnding {
    /// `withdrawn`, `not_required`, `answered` (a consultation's answer), `changed_to_consultation`
    /// (an application recorded again as a consultation), `referred` (an application sent
    /// elsewhere) or `escalation_answered`.
    pub kind: &'static str,
    pub case_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    /// The answer's text, for `answered` and `escalation_answered`.
    pub text: String,
    /// Whether the refusal check flagged the text when it went out (the event's `flagged`
    /// column): an answer that said no, sent only after its sender confirmed the wording.
    pub flagged: bool,
}

/// The negative endings other than vetoes of `[$1, $2)`, one row each: kind, case, unit, window,
/// center, the event's detail, whether the refusal check flagged it, and when. Consultation
/// answers only where they said no; escalation answers all (the gray-area filing lists them).
/// The roll-up reads these rows; the trend counts them — one list of what counts, for both.
const ENDINGS: &str = "
    SELECT 'withdrawn' kind, w.case_id, c.unit_id, c.window_id, c.center_id, '' detail, 0 flagged, w.recorded_at happened
      FROM withdrawals w JOIN cases c ON c.id = w.case_id
     WHERE w.recorded_at >= $1 AND w.recorded_at < $2
    UNION ALL
    SELECT 'not_required', c.id, c.unit_id, c.window_id, c.center_id, '', 0, c.closed_at FROM cases c
     WHERE c.outcome = 'not_required' AND c.closed_at >= $1 AND c.closed_at < $2
    UNION ALL
    SELECT 'answered', c.id, c.unit_id, c.window_id, c.center_id, e.detail, e.flagged, e.at
      FROM case_events e JOIN cases c ON c.id = e.case_id
     WHERE e.kind = 'closed' AND e.tag = 'answered' AND e.flagged = 1 AND e.at >= $1 AND e.at < $2
    UNION ALL
    SELECT 'referred', e.case_id, c.unit_id, c.window_id, c.center_id, '', 0, e.at
      FROM case_events e JOIN cases c ON c.id = e.case_id
     WHERE e.kind = 'referred' AND c.kind = 'application' AND e.at >= $1 AND e.at < $2
    UNION ALL
    SELECT 'changed_to_consultation', e.case_id, c.unit_id, c.window_id, c.center_id, e.detail, 0, e.at
      FROM case_events e JOIN cases c ON c.id = e.case_id
     WHERE e.kind = 'kind_changed' AND e.tag = 'consultation' AND e.at >= $1 AND e.at < $2
    UNION ALL
    SELECT 'escalation_answered', e.case_id, c.unit_id, c.window_id, c.center_id, e.detail, e.flagged, e.at
      FROM case_events e JOIN cases c ON c.id = e.case_id
     WHERE e.kind = 'escalation_answered' AND e.at >= $1 AND e.at < $2";

/// [`ENDINGS`]' kind column as the `'static` name [`OtherEnding::kind`] carries.
fn ending_kind(k: &str) -> &'static str {
    match k {
        "withdrawn" => "withdrawn",
        "not_required" => "not_required",
        "answered" => "answered",
        "changed_to_consultation" => "changed_to_consultation",
        "referred" => "referred",
        _ => "escalation_answered",
    }
}

/// The month's withdrawals, `not_required` endings, consultation answers and escalation answers
/// (`from` ≤ time < `to`), each with the center chain of its case (for the one access decision).
pub fn other_endings_with_centers(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Vec<(OtherEnding, Vec<i64>)>> {
    let rows = tx.query(ENDINGS, params![from, to])?;
    let mut chains = super::org::Chains::default();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let centers = chains.of(tx, Some(r.i64(4)))?;
        let kind = ending_kind(&r.str(0));
        let detail: serde_json::Value = serde_json::from_str(&r.str(5)).unwrap_or_default();
        let text = detail["note"]
            .as_str()
            .or(detail["answer"].as_str())
            .or(detail["reason"].as_str())
            .unwrap_or("")
            .to_string();
        let e = OtherEnding {
            kind,
            case_id: r.i64(1),
            unit_id: r.opt_i64(2),
            window_id: r.opt_i64(3),
            text,
            flagged: r.i64(6) != 0,
        };
        out.push((e, centers));
    }
    Ok(out)
}

/// NV-15: the negative endings other than vetoes ([`ENDINGS`]) of a run of months, counted by the
/// database per month, place (center, unit, window) and kind — never a row per matter — each group
/// with its center chain for the one access decision.
#[derive(Debug, Clone)]
pub struct EndingGroup {
    pub month: String,
    pub center_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    /// Which ([`OtherEnding::kind`]: `withdrawn`, `not_required`, `answered` and
    /// `escalation_answered` — both only where they said no —, `referred`,
    /// `changed_to_consultation`).
    pub kind: &'static str,
    pub count: i64,
}

/// The endings of `from` ≤ time < `to` as the roll-up compares them (RFC 3339 instants, +08:00);
/// an escalation answer only where it said no.
pub fn ending_groups_with_centers(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Vec<(EndingGroup, Vec<i64>)>> {
    let rows = tx
        .query(
            &format!(
                "SELECT substr(happened, 1, 7), center_id, unit_id, window_id, kind, COUNT(*) FROM ({ENDINGS}) o
                  WHERE kind <> 'escalation_answered' OR flagged = 1 GROUP BY 1, 2, 3, 4, 5"
            ),
            params![from, to],
        )?
        .iter()
        .map(|r| EndingGroup {
            month: r.str(0),
            center_id: r.opt_i64(1),
            unit_id: r.opt_i64(2),
            window_id: r.opt_i64(3),
            kind: ending_kind(&r.str(4)),
            count: r.i64(5),
        })
        .collect();
    super::org::with_chains(tx, rows, |g| g.center_id)
}

/// NV-9 (JL 三(三)): a unit's monthly filing with the center.
#[derive(Debug, Clone, Serialize)]
pub struct MonthlyFiling {
    pub unit_id: i64,
    pub month: String,
    pub filed_by: i64,
    pub filed_at: String,
    pub vetoes: i64,
    pub note: String,
}

/// Records a unit's monthly filing; a second one for the same unit and month is refused.
pub fn file_month(tx: &mut dyn Tx, ctx: &Ctx, f: &MonthlyFiling) -> Result<i64> {
    let id = tx
        .insert(
            "INSERT INTO monthly_filings (unit_id, month, filed_by, filed_at, vetoes, note) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            params![f.unit_id, f.month.as_str(), f.filed_by, f.filed_at.as_str(), f.vetoes, f.note.as_str()],
        )
        .map_err(|e| match e {
            StoreError::Unique(_) => StoreError::Duplicate("该单位本月已报备".into()),
            e => e,
        })?;
    audit::append(
        tx,
        ctx,
        "filing.monthly",
        "unit",
        f.unit_id,
        &json!({"month": f.month, "vetoes": f.vetoes, "note": f.note}),
    )?;
    Ok(id)
}

/// The month's monthly filings.
pub fn monthly_filings(tx: &mut dyn Tx, month: &str) -> Result<Vec<MonthlyFiling>> {
    Ok(tx
        .query(
            "SELECT unit_id, month, filed_by, filed_at, vetoes, note FROM monthly_filings WHERE month = $1 ORDER BY unit_id",
            params![month],
        )?
        .iter()
        .map(|r| MonthlyFiling {
            unit_id: r.i64(0),
            month: r.str(1),
            filed_by: r.i64(2),
            filed_at: r.str(3),
            vetoes: r.i64(4),
            note: r.str(5),
        })
        .collect())
}

/// 督办: the supervision section's urging of an overdue case, recorded and sent in one write.
pub fn urge(tx: &mut dyn Tx, ctx: &Ctx, case_id: i64, note: &str, m: &super::jobs::Message) -> Result<()> {
    super::jobs::enqueue(tx, ctx, m)?;
    audit::append(tx, ctx, "case.urge", "case", case_id, &json!({"note": note, "to": m.recipient}))
}
