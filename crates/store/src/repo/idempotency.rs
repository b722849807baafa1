//! `Idempotency-Key`: the first answer to a key, so that a retried POST changes nothing.
//!
//! A key is claimed when its request arrives (one row per caller and key, naming the attempt
//! that holds it). The write that changes a record marks the key done in the same transaction
//! ([`mark_done`], called by `Store::write` for the request's key), and the answer is kept
//! when it is known. So after any crash a key is either done — the change committed, and a
//! retry is told so (with what it changed) — or not done, and a retry takes the key over and
//! runs; should the first attempt still be running, at most one of the two can mark the key
//! done, and the other's change is undone. These rows are bookkeeping of the transport, not
//! business state, so they carry no audit entry.

use crate::{RequestKey, Result, StoreError, Tx, params};

/// What a key already stands for.
#[derive(Debug, PartialEq)]
pub enum Seen {
    /// The key is new, or its earlier attempt never changed anything: this attempt holds it now.
    Claimed,
    /// The same key came with another request.
    OtherRequest,
    /// The first answer: status and JSON body.
    Answered(u16, String),
    /// An earlier attempt changed the record (`entity` `id`) but its answer was lost (a crash
    /// between the commit and the answer).
    Done { entity: String, id: i64, path: String },
}

/// Claims `key` for `request_hash` by `attempt`, or says what it already stands for.
pub fn claim(
    tx: &mut dyn Tx,
    caller: &str,
    key: &str,
    request_hash: &str,
    now: &str,
    attempt: &str,
    path: &str,
) -> Result<Seen> {
    let n = tx.exec(
        "INSERT INTO idempotency (caller, key, request_hash, created_at, attempt, path) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (caller, key) DO NOTHING",
        params![caller, key, request_hash, now, attempt, path],
    )?;
    if n == 1 {
        return Ok(Seen::Claimed);
    }
    for _ in 0..2 {
        let Some(r) = tx.query_one(
            "SELECT request_hash, status, body, done_attempt, done_entity, done_id, path FROM idempotency WHERE caller = $1 AND key = $2",
            params![caller, key],
        )?
        else {
            return Err(StoreError::Conflict("该 Idempotency-Key 刚被清除，请重试".into()));
        };
        if r.str(0) != request_hash {
            return Ok(Seen::OtherRequest);
        }
        if let Some(status) = r.opt_i64(1) {
            return Ok(Seen::Answered(status as u16, r.str(2)));
        }
        if r.opt_str(3).is_some() {
            return Ok(Seen::Done {
                entity: r.opt_str(4).unwrap_or_default(),
                id: r.opt_i64(5).unwrap_or(0),
                path: r.opt_str(6).unwrap_or_default(),
            });
        }
        // Nothing was changed under the key: this attempt takes it over (the earlier one was cut
        // off by a crash — or, still running, can no longer mark it done and is undone).
        let n = tx.exec(
            "UPDATE idempotency SET attempt = $1 WHERE caller = $2 AND key = $3 AND status IS NULL AND done_attempt IS NULL",
            params![attempt, caller, key],
        )?;
        if n == 1 {
            return Ok(Seen::Claimed);
        }
    }
    Err(StoreError::Conflict("该 Idempotency-Key 的请求正在办理，请稍后查询".into()))
}

/// Marks the request's key done by its attempt, in the transaction that changed `entity` `id`.
/// Refused when another attempt holds the key or marked it done (the caller's change is then
/// undone with its job).
pub fn mark_done(tx: &mut dyn Tx, k: &RequestKey, entity: &str, id: i64) -> Result<()> {
    let n = tx.exec(
        "UPDATE idempotency SET done_attempt = $1, done_entity = COALESCE(done_entity, $2), done_id = COALESCE(done_id, $3)
         WHERE caller = $4 AND key = $5 AND attempt = $1 AND (done_attempt IS NULL OR done_attempt = $1)",
        params![k.attempt.as_str(), entity, id, k.caller.as_str(), k.key.as_str()],
    )?;
    if n == 0 {
        return Err(StoreError::Conflict(
            "使用该 Idempotency-Key 的请求已由另一次提交办理，本次未作任何修改：请查询结果".into(),
        ));
    }
    Ok(())
}

/// Stores the answer of a key this attempt holds (the first answer only).
pub fn answer(tx: &mut dyn Tx, caller: &str, key: &str, attempt: &str, status: u16, body: &str) -> Result<()> {
    tx.exec(
        "UPDATE idempotency SET status = $1, body = $2 WHERE caller = $3 AND key = $4 AND attempt = $5 AND status IS NULL",
        params![status as i64, body, caller, key, attempt],
    )?;
    Ok(())
}

/// Gives a key up that this attempt holds and never marked done (the request failed inside the
/// server and changed nothing): the key may be used again.
pub fn release(tx: &mut dyn Tx, caller: &str, key: &str, attempt: &str) -> Result<()> {
    tx.exec(
        "DELETE FROM idempotency WHERE caller = $1 AND key = $2 AND attempt = $3 AND status IS NULL AND done_attempt IS NULL",
        params![caller, key, attempt],
    )?;
    Ok(())
}

/// Keeps the answer a retry was given for a key done without one (the first one to keep wins).
pub fn answer_done(tx: &mut dyn Tx, caller: &str, key: &str, status: u16, body: &str) -> Result<()> {
    tx.exec(
        "UPDATE idempotency SET status = $1, body = $2 WHERE caller = $3 AND key = $4 AND status IS NULL AND done_attempt IS NOT NULL",
        params![status as i64, body, caller, key],
    )?;
    Ok(())
}

/// Forgets keys claimed before `before` (RFC 3339); returns how many.
pub fn purge(tx: &mut dyn Tx, before: &str) -> Result<u64> {
    tx.exec("DELETE FROM idempotency WHERE created_at < $1", params![before])
}
