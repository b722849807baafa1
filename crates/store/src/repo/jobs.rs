//! Background work: deadlines to remind and escalate, and the outbox (DESIGN invariant 7).
//!
//! Exactly once across servers: a reminder or escalation is claimed by a conditional update
//! (`… WHERE reminded = 0`) in the same transaction that writes its outbox messages. On
//! PostgreSQL a second server's update waits for the first's row lock and then finds nothing to
//! change; on SQLite the writer is single. Outbox delivery is claimed with a lease that expires,
//! so a crashed worker's messages are retried by another.

use super::{Ctx, audit};
use crate::{Result, Row, Tx, params};
use serde::Serialize;
use serde_json::json;

/// Deadline bookkeeping for any entity (a case, and the tickets to come): one row per
/// `(entity, entity_id, what)` with its owner, due day and state, which the job runner reminds
/// and escalates whatever the entity. Called by each entity's own `apply`, inside its write.
#[allow(clippy::too_many_arguments)]
pub(crate) fn put_deadline(
    tx: &mut dyn Tx,
    entity: &str,
    entity_id: i64,
    what: &str,
    owner: Option<i64>,
    due: Option<&str>,
    state: &str,
    doc: &str,
) -> Result<()> {
    tx.exec_ahead(
        "INSERT INTO deadlines (entity, entity_id, what, owner_id, due, state, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (entity, entity_id, what) DO UPDATE SET due = excluded.due, state = excluded.state, doc = excluded.doc, owner_id = excluded.owner_id",
        params![entity, entity_id, what, owner, due, state, doc],
    )
}

#[derive(Debug, Clone, Serialize)]
pub struct DeadlineRow {
    pub id: i64,
    pub entity: String,
    pub entity_id: i64,
    pub what: String,
    pub owner_id: Option<i64>,
    pub due: String,
}

fn dl(r: &Row) -> DeadlineRow {
    DeadlineRow {
        id: r.i64(0),
        entity: r.str(1),
        entity_id: r.i64(2),
        what: r.str(3),
        owner_id: r.opt_i64(4),
        due: r.str(5),
    }
}

/// Running deadlines due on or before `until` that were not reminded yet.
pub fn to_remind(tx: &mut dyn Tx, until: &str, limit: i64) -> Result<Vec<DeadlineRow>> {
    Ok(tx
        .query(
            "SELECT id, entity, entity_id, what, owner_id, due FROM deadlines
             WHERE state NOT IN ('met', 'paused') AND due IS NOT NULL AND due <= $1 AND reminded = 0 ORDER BY due, id LIMIT $2",
            params![until, limit],
        )?
        .iter()
        .map(dl)
        .collect())
}

/// Running deadlines whose due day is before `today` and that were not escalated yet.
pub fn missed(tx: &mut dyn Tx, today: &str, limit: i64) -> Result<Vec<DeadlineRow>> {
    Ok(tx
        .query(
            "SELECT id, entity, entity_id, what, owner_id, due FROM deadlines
             WHERE state NOT IN ('met', 'paused') AND due IS NOT NULL AND due < $1 AND escalated = 0 ORDER BY due, id LIMIT $2",
            params![today, limit],
        )?
        .iter()
        .map(dl)
        .collect())
}

/// A missed deadline of a case, with who and what it concerns (the supervision section's list).
#[derive(Debug, Clone)]
pub struct Missed {
    pub deadline: DeadlineRow,
    pub receipt_no: String,
    pub unit_id: Option<i64>,
    pub first_contact_id: i64,
    pub applicant: String,
}

/// Missed deadlines of cases in a center's subtree (the supervision section's list), with each
/// case's receipt number, unit, first contact and applicant, oldest due first. `d.entity || ''`
/// keeps the planners off the (entity, entity_id, what) key, which matches every case deadline
/// ever made: the live ones are few and `deadlines_live` finds them (134 ms → 3 ms at a million
/// cases, BENCHMARKS.md).
pub fn missed_in_center(tx: &mut dyn Tx, today: &str, center_id: i64, limit: i64) -> Result<Vec<Missed>> {
    Ok(tx
        .query(
            "WITH RECURSIVE sub(id) AS (
               SELECT id FROM centers WHERE id = $3
               UNION ALL SELECT c.id FROM centers c JOIN sub ON c.parent_id = sub.id)
             SELECT d.id, d.entity, d.entity_id, d.what, d.owner_id, d.due, c.receipt_no, c.unit_id, c.first_contact_id,
                    c.applicant_name
             FROM deadlines d JOIN cases c ON d.entity || '' = 'case' AND c.id = d.entity_id
             WHERE d.state NOT IN ('met', 'paused') AND d.due IS NOT NULL AND d.due < $1
               AND c.center_id IN (SELECT id FROM sub)
             ORDER BY d.due, d.id LIMIT $2",
            params![today, limit, center_id],
        )?
        .iter()
        .map(|r| Missed {
            deadline: dl(r),
            receipt_no: r.str(6),
            unit_id: r.opt_i64(7),
            first_contact_id: r.i64(8),
            applicant: r.str(9),
        })
        .collect())
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Message {
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// Unique per intended message: the same message is never queued twice.
    pub dedupe: String,
}

pub fn enqueue(tx: &mut dyn Tx, ctx: &Ctx, m: &Message) -> Result<bool> {
    let n = tx.exec(
        "INSERT INTO outbox (channel, recipient, subject, body, dedupe, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (dedupe) DO NOTHING",
        params![
            m.channel.as_str(),
            m.recipient.as_str(),
            m.subject.as_str(),
            m.body.as_str(),
            m.dedupe.as_str(),
            ctx.now.as_str()
        ],
    )?;
    Ok(n > 0)
}

/// Claims the reminder of one deadline; `false` if another runner already did. The messages
/// are queued in the same transaction.
pub fn claim_reminder(tx: &mut dyn Tx, ctx: &Ctx, deadline_id: i64, msgs: &[Message]) -> Result<bool> {
    let n = tx.exec("UPDATE deadlines SET reminded = 1 WHERE id = $1 AND reminded = 0", params![deadline_id])?;
    if n == 0 {
        return Ok(false);
    }
    for m in msgs {
        enqueue(tx, ctx, m)?;
    }
    audit::append(tx, ctx, "deadline.remind", "deadline", deadline_id, &json!({"messages": msgs.len()}))?;
    Ok(true)
}

/// Claims the escalation of one missed deadline; `false` if another runner already did.
pub fn claim_escalation(tx: &mut dyn Tx, ctx: &Ctx, deadline_id: i64, msgs: &[Message]) -> Result<bool> {
    let n = tx.exec("UPDATE deadlines SET escalated = 1 WHERE id = $1 AND escalated = 0", params![deadline_id])?;
    if n == 0 {
        return Ok(false);
    }
    for m in msgs {
        enqueue(tx, ctx, m)?;
    }
    audit::append(tx, ctx, "deadline.escalate", "deadline", deadline_id, &json!({"messages": msgs.len()}))?;
    Ok(true)
}

#[derive(Debug, Clone, Serialize)]
pub struct Outgoing {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub dedupe: String,
    pub attempts: i64,
}

/// Leases up to `limit` unsent messages to `owner` until `lease_until`.
pub fn claim_outbox(tx: &mut dyn Tx, owner: &str, now: &str, lease_until: &str, limit: i64) -> Result<Vec<Outgoing>> {
    // The outer conditions are re-checked on the row a concurrent claimer may have changed.
    tx.exec(
        "UPDATE outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND (lease_until IS NULL OR lease_until < $3) ORDER BY id LIMIT $4)
           AND sent_at IS NULL AND (lease_until IS NULL OR lease_until < $3)",
        params![owner, lease_until, now, limit],
    )?;
    Ok(tx
        .query(
            "SELECT id, channel, recipient, subject, body, dedupe, attempts FROM outbox WHERE lease_owner = $1 AND lease_until = $2 AND sent_at IS NULL ORDER BY id",
            params![owner, lease_until],
        )?
        .iter()
        .map(|r| Outgoing {
            id: r.i64(0),
            channel: r.str(1),
            recipient: r.str(2),
            subject: r.str(3),
            body: r.str(4),
            dedupe: r.str(5),
            attempts: r.i64(6),
        })
        .collect())
}

pub fn outbox_sent(tx: &mut dyn Tx, id: i64, owner: &str, now: &str) -> Result<bool> {
    Ok(tx.exec(
        "UPDATE outbox SET sent_at = $1 WHERE id = $2 AND lease_owner = $3 AND sent_at IS NULL",
        params![now, id, owner],
    )? > 0)
}

/// A failed delivery: released for a retry at `retry_at`.
pub fn outbox_failed(tx: &mut dyn Tx, id: i64, owner: &str, error: &str, retry_at: &str) -> Result<()> {
    tx.exec(
        "UPDATE outbox SET last_error = $1, lease_until = $2 WHERE id = $3 AND lease_owner = $4",
        params![error, retry_at, id, owner],
    )?;
    Ok(())
}

/// Messages addressed to one staff member (their in-app inbox), newest first.
pub fn messages_for(tx: &mut dyn Tx, recipient: &str, limit: i64) -> Result<Vec<(String, String, String)>> {
    Ok(tx
        .query(
            "SELECT created_at, subject, body FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT $2",
            params![recipient, limit],
        )?
        .iter()
        .map(|r| (r.str(0), r.str(1), r.str(2)))
        .collect())
}
