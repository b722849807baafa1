//! `Idempotency-Key`: the first answer to a key, so that a retried POST changes nothing.
//!
//! A key is claimed before the request runs (one row per caller and key); the answer is stored
//! when it is known. These rows are bookkeeping of the transport, not business state, so they
//! carry no audit entry.

use crate::{Result, Tx, params};

/// What a key already stands for.
pub enum Seen {
    /// The key is new: it is now claimed for this request.
    Claimed,
    /// The same key came with another request.
    OtherRequest,
    /// The first request with this key has not answered yet.
    InProgress,
    /// The first answer: status and JSON body.
    Answered(u16, String),
}

/// Claims `key` for `request_hash`, or says what it already stands for.
pub fn claim(tx: &mut dyn Tx, caller: &str, key: &str, request_hash: &str, now: &str) -> Result<Seen> {
    let n = tx.exec(
        "INSERT INTO idempotency (caller, key, request_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (caller, key) DO NOTHING",
        params![caller, key, request_hash, now],
    )?;
    if n == 1 {
        return Ok(Seen::Claimed);
    }
    let Some(r) = tx.query_one(
        "SELECT request_hash, status, body FROM idempotency WHERE caller = $1 AND key = $2",
        params![caller, key],
    )?
    else {
        return Ok(Seen::InProgress);
    };
    Ok(if r.str(0) != request_hash {
        Seen::OtherRequest
    } else {
        match r.opt_i64(1) {
            Some(status) => Seen::Answered(status as u16, r.str(2)),
            None => Seen::InProgress,
        }
    })
}

/// Stores the answer of a claimed key.
pub fn answer(tx: &mut dyn Tx, caller: &str, key: &str, status: u16, body: &str) -> Result<()> {
    tx.exec(
        "UPDATE idempotency SET status = $1, body = $2 WHERE caller = $3 AND key = $4",
        params![status as i64, body, caller, key],
    )?;
    Ok(())
}

/// Gives a claimed key up (the request failed inside the server and changed nothing).
pub fn release(tx: &mut dyn Tx, caller: &str, key: &str) -> Result<()> {
    tx.exec("DELETE FROM idempotency WHERE caller = $1 AND key = $2 AND status IS NULL", params![caller, key])?;
    Ok(())
}

/// Forgets keys claimed before `before` (RFC 3339); returns how many.
pub fn purge(tx: &mut dyn Tx, before: &str) -> Result<u64> {
    tx.exec("DELETE FROM idempotency WHERE created_at < $1", params![before])
}
