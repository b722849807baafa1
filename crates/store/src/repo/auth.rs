//! Bearer tokens and browser sessions, both stored hashed; failed logins.

use super::{Ctx, audit};
use crate::{Result, Tx, params};
use serde_json::json;

pub fn add_token(tx: &mut dyn Tx, ctx: &Ctx, staff_id: i64, token_hash: &str) -> Result<i64> {
    let id = tx.insert(
        "INSERT INTO tokens (staff_id, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
        params![staff_id, token_hash, ctx.now.as_str()],
    )?;
    audit::append(tx, ctx, "token.issue", "staff", staff_id, &json!({"token_id": id}))?;
    Ok(id)
}

/// The active staff member a live token belongs to, with their grants (one query).
pub fn token_principal(
    tx: &mut dyn Tx,
    token_hash: &str,
) -> Result<Option<(super::org::Staff, Vec<noveto_domain::access::Grant>)>> {
    super::org::staff_with_grants_where(
        tx,
        "tokens t JOIN staff s ON s.id = t.staff_id",
        "t.token_hash = $1 AND t.revoked = 0 AND s.active = 1",
        crate::Value::Text(token_hash.to_string()),
    )
}

pub fn add_session(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    id_hash: &str,
    staff_id: i64,
    csrf: &str,
    expires_at: &str,
) -> Result<()> {
    tx.exec(
        "INSERT INTO sessions (id_hash, staff_id, csrf, created_at, expires_at, last_seen) VALUES ($1, $2, $3, $4, $5, $4)",
        params![id_hash, staff_id, csrf, ctx.now.as_str(), expires_at],
    )?;
    audit::append(tx, ctx, "session.login", "staff", staff_id, &json!({}))
}

/// A live session: its staff member, CSRF token and the last request seen on it.
pub struct LiveSession {
    pub staff_id: i64,
    pub csrf: String,
    pub last_seen: String,
}

/// A session that has neither reached its end (`now`) nor been idle since `idle_since`
/// (timestamps in the form the store writes them).
pub fn session(tx: &mut dyn Tx, id_hash: &str, now: &str, idle_since: &str) -> Result<Option<LiveSession>> {
    Ok(tx
        .query_one(
            "SELECT s.staff_id, s.csrf, s.last_seen FROM sessions s JOIN staff f ON f.id = s.staff_id
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen > $3 AND f.active = 1",
            params![id_hash, now, idle_since],
        )?
        .map(|r| LiveSession { staff_id: r.i64(0), csrf: r.str(1), last_seen: r.str(2) }))
}

/// Marks a request on the session (not audited: it changes no one's rights or matters).
pub fn touch_session(tx: &mut dyn Tx, id_hash: &str, now: &str) -> Result<()> {
    tx.exec("UPDATE sessions SET last_seen = $1 WHERE id_hash = $2", params![now, id_hash]).map(|_| ())
}

pub fn end_session(tx: &mut dyn Tx, ctx: &Ctx, id_hash: &str) -> Result<()> {
    let n = tx.exec("DELETE FROM sessions WHERE id_hash = $1", params![id_hash])?;
    if n > 0 {
        audit::append(tx, ctx, "session.logout", "staff", ctx.actor.unwrap_or(0), &json!({}))?;
    }
    Ok(())
}

/// Records a failed login (kept, and audited, so that guessing is visible).
pub fn login_failed(tx: &mut dyn Tx, ctx: &Ctx, login: &str, address: &str) -> Result<()> {
    tx.exec(
        "INSERT INTO login_failures (login, at, address) VALUES ($1, $2, $3)",
        params![login, ctx.now.as_str(), address],
    )?;
    audit::append(tx, ctx, "session.login_failed", "login", 0, &json!({"login": login, "address": address}))
}

/// PUB-1: a public action without an account (`what`: `submit`, `follow_miss`), kept with its
/// address in the same table as failed logins — under `public:…`, which the login throttle does
/// not count — so that the public routes can be throttled across servers.
pub fn public_attempt(tx: &mut dyn Tx, ctx: &Ctx, what: &str, address: &str) -> Result<()> {
    let key = format!("public:{what}");
    tx.exec(
        "INSERT INTO login_failures (login, at, address) VALUES ($1, $2, $3)",
        params![key.as_str(), ctx.now.as_str(), address],
    )?;
    audit::append(tx, ctx, "public.attempt", "public", 0, &json!({"what": what, "address": address}))
}

/// Public actions of one kind from one address since `since`.
pub fn public_attempts_since(tx: &mut dyn Tx, what: &str, address: &str, since: &str) -> Result<i64> {
    let key = format!("public:{what}");
    Ok(tx
        .query_one(
            "SELECT COUNT(*) FROM login_failures WHERE login = $1 AND address = $2 AND at > $3",
            params![key.as_str(), address, since],
        )?
        .map(|r| r.i64(0))
        .unwrap_or(0))
}

/// Failed logins from one address since `since` (RFC 3339), whatever the login.
pub fn address_failures_since(tx: &mut dyn Tx, address: &str, since: &str) -> Result<i64> {
    Ok(tx
        .query_one(
            "SELECT COUNT(*) FROM login_failures WHERE address = $1 AND at > $2 AND login NOT LIKE 'public:%'",
            params![address, since],
        )?
        .map(|r| r.i64(0))
        .unwrap_or(0))
}

pub fn failures_since(tx: &mut dyn Tx, login: &str, since: &str) -> Result<i64> {
    Ok(tx
        .query_one("SELECT COUNT(*) FROM login_failures WHERE login = $1 AND at > $2", params![login, since])?
        .map(|r| r.i64(0))
        .unwrap_or(0))
}
