//! Who is calling: argon2id passwords, bearer tokens and browser sessions (both kept as SHA-256
//! hashes), slowed-down failed logins. The adapters read the token or the cookie; everything
//! that touches the store is here.

use crate::{App, Error, Kind, Principal, Result};
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use noveto_domain::audit::hex;
use noveto_domain::time::rfc3339;
use noveto_store::StoreError;
use noveto_store::repo::{Ctx, auth, org};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex(&b)
}

pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

pub fn verify_password(pw: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| argon2::Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
}

/// A new bearer token for the staff member with this login: returns the token (shown once) and
/// stores its hash. `ctx.actor` is the administrator, or None from the command line. Takes the
/// store alone, so that `noveto token issue` need not load the whole application.
pub async fn issue_token(store: &noveto_store::Store, login: &str, ctx: Ctx) -> Result<String> {
    let l = login.to_string();
    let staff = store.read(move |tx| org::staff_by_login(tx, &l)).await?;
    let (staff, _) = staff.ok_or_else(|| Error::not_found(&format!("登录名为“{login}”的工作人员")))?;
    let token = format!("nv_{}", random_token(24));
    let h = sha256_hex(&token);
    store.write(move |tx| auth::add_token(tx, &ctx, staff.id, &h)).await?;
    Ok(token)
}

fn principal(s: org::Staff, grants: Vec<noveto_domain::access::Grant>, csrf: Option<String>) -> Principal {
    Principal { id: s.id, login: s.login, name: s.name, grants, csrf }
}

/// The caller of a bearer token (kept in memory while the organisation is unchanged).
pub async fn token_principal(s: &App, token: &str) -> Result<Option<Principal>> {
    let h = sha256_hex(token);
    let g = s.store.org_generation();
    if let Some(p) = s.tokens.get(&h, g) {
        return Ok(Some(p));
    }
    // One query: the token, its staff member and the grants.
    let key = h.clone();
    let found = s.store.read(move |tx| auth::token_principal(tx, &key)).await?;
    let p = found.map(|(st, gr)| principal(st, gr, None));
    if let Some(p) = &p {
        s.tokens.put(h, g, p.clone());
    }
    Ok(p)
}

/// The caller of a browser session, while it is live: not ended, not expired, and used within
/// the policy's `session_idle_minutes`.
pub async fn session_principal(s: &App, session_id: &str) -> Result<Option<Principal>> {
    let h = sha256_hex(session_id);
    let now = s.now();
    let idle = chrono::Duration::minutes(i64::from(s.policy().session_idle_minutes.max(1)));
    let (now_s, idle_since) = (rfc3339(now), rfc3339(now - idle));
    let key = h.clone();
    let Some(live) = s.store.read(move |tx| auth::session(tx, &key, &now_s, &idle_since)).await? else {
        return Ok(None);
    };
    // The idle clock restarts with each request; written at most once a minute.
    if live.last_seen < rfc3339(now - chrono::Duration::minutes(1)) {
        let now_s = rfc3339(now);
        s.store.write(move |tx| auth::touch_session(tx, &h, &now_s)).await?;
    }
    let staff_id = live.staff_id;
    let found = s.store.read(move |tx| org::staff_with_grants(tx, staff_id)).await?;
    Ok(found.map(|(st, g)| principal(st, g, Some(live.csrf))))
}

/// Ends a browser session (logout, or a new login from the same browser).
pub async fn end_session(s: &App, session_id: &str, by: Option<i64>) -> Result<()> {
    let h = sha256_hex(session_id);
    let ctx = Ctx { actor: by, now: s.now_str() };
    s.store.write(move |tx| auth::end_session(tx, &ctx, &h)).await?;
    Ok(())
}

/// Tries a login; on success returns the session id (for the cookie) and its CSRF token.
/// Failures are recorded by login and by address. Past the policy's `limits` for a login or for
/// an address within 15 minutes each further try waits longer (doubling, at most the policy's
/// `max_delay_ms`) — but the right password still gets in: no lockout anyone could turn
/// against a clerk, and no block of a whole hall behind one proxy address.
pub async fn login(s: &App, login: &str, password: &str, address: &str) -> Result<(String, String)> {
    let now = s.now();
    let since = rfc3339(now - chrono::Duration::minutes(15));
    let (l, a) = (login.to_string(), address.to_string());
    let (found, failures, from_address) = s
        .store
        .read(move |tx| {
            let f = auth::failures_since(tx, &l, &since)?;
            let fa = auth::address_failures_since(tx, &a, &since)?;
            Ok::<_, StoreError>((org::staff_by_login(tx, &l)?, f, fa))
        })
        .await?;
    let limits = s.policy().limits.clone();
    let wait = limits
        .delay(failures, limits.login_failures_per_login)
        .max(limits.delay(from_address, limits.login_failures_per_address));
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let pw = password.to_string();
    let ok = match found {
        Some((staff, hash)) if staff.active => {
            let good = tokio::task::spawn_blocking(move || verify_password(&pw, &hash)).await.unwrap_or(false);
            good.then_some(staff.id)
        }
        _ => {
            // Same work for an unknown login, so timing does not tell which logins exist.
            let _ = tokio::task::spawn_blocking(move || verify_password(&pw, DUMMY_HASH)).await;
            None
        }
    };
    let now_s = s.now_str();
    match ok {
        Some(id) => {
            let sid = random_token(32);
            let csrf = random_token(16);
            let expires = rfc3339(now + chrono::Duration::hours(12));
            let (h, c) = (sha256_hex(&sid), csrf.clone());
            let ctx = Ctx { actor: Some(id), now: now_s };
            s.store.write(move |tx| auth::add_session(tx, &ctx, &h, id, &c, &expires)).await?;
            Ok((sid, csrf))
        }
        None => {
            let l = login.chars().take(64).collect::<String>();
            let a = address.chars().take(64).collect::<String>();
            let ctx = Ctx { actor: None, now: now_s };
            s.store.write(move |tx| auth::login_failed(tx, &ctx, &l, &a)).await?;
            // Debug formatting escapes control characters: a newline in the login field cannot
            // forge a line of its own in the log.
            tracing::warn!(login = ?login.chars().take(64).collect::<String>(), "failed login");
            Err(Error::new(Kind::Unauthorized, "bad_credentials", "登录名或密码不正确"))
        }
    }
}

const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Yb1hB9lHcCUvvYRmj1iOJZCX6x7VYhSrE2dYeVd5Hdc";
