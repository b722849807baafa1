//! Authentication: argon2id passwords, bearer tokens and browser sessions (both stored as
//! SHA-256 hashes), CSRF tokens, slowed-down failed logins.

use crate::AppState;
use crate::error::ApiError;
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use noveto_domain::audit::hex;
use noveto_domain::time::rfc3339;
use noveto_store::StoreError;
use noveto_store::repo::{Ctx, auth, org};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "nv_session";

pub use noveto_app::Principal;

pub fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex(&b)
}

pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

pub use noveto_app::org::hash_password;

pub fn verify_password(pw: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| argon2::Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
}

/// A new bearer token for a staff member: returns the token (shown once), stores its hash.
pub async fn issue_token(state: &AppState, staff_id: i64, ctx: Ctx) -> Result<String, StoreError> {
    let token = format!("nv_{}", random_token(24));
    let h = sha256_hex(&token);
    state.store.write(move |tx| auth::add_token(tx, &ctx, staff_id, &h)).await?;
    Ok(token)
}

fn principal(s: org::Staff, grants: Vec<noveto_domain::access::Grant>, csrf: Option<String>) -> Principal {
    Principal { id: s.id, login: s.login, name: s.name, grants, csrf }
}

async fn load_principal(state: &AppState, staff_id: i64, csrf: Option<String>) -> Result<Option<Principal>, ApiError> {
    // One query: the staff member and the grants.
    let found = state.store.read(move |tx| org::staff_with_grants(tx, staff_id)).await?;
    Ok(found.map(|(s, g)| principal(s, g, csrf)))
}

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_in(&parts.headers, name)
}

/// A cookie's value from request headers.
pub fn cookie_in<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The caller from a session cookie, if any.
pub async fn session_principal(state: &AppState, parts: &Parts) -> Result<Option<Principal>, ApiError> {
    let Some(sid) = cookie(parts, SESSION_COOKIE) else {
        return Ok(None);
    };
    let h = sha256_hex(sid);
    let now = state.now();
    let idle = chrono::Duration::minutes(i64::from(state.policy().session_idle_minutes.max(1)));
    let (now_s, idle_since) = (rfc3339(now), rfc3339(now - idle));
    let key = h.clone();
    let found = state.store.read(move |tx| auth::session(tx, &key, &now_s, &idle_since)).await?;
    let Some(live) = found else {
        return Ok(None);
    };
    // The idle clock restarts with each request; written at most once a minute.
    if live.last_seen < rfc3339(now - chrono::Duration::minutes(1)) {
        let now_s = rfc3339(now);
        state.store.write(move |tx| auth::touch_session(tx, &h, &now_s)).await?;
    }
    load_principal(state, live.staff_id, Some(live.csrf)).await
}

/// API callers: a bearer token, or a browser session whose unsafe requests carry the
/// `X-CSRF-Token` header.
impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(v) = parts.headers.get(header::AUTHORIZATION) {
            let token = v.to_str().ok().and_then(|s| s.strip_prefix("Bearer ")).map(str::trim);
            let Some(token) = token.filter(|t| !t.is_empty()) else {
                return Err(ApiError::unauthorized());
            };
            let h = sha256_hex(token);
            let g = state.store.org_generation();
            if let Some(p) = state.tokens.get(&h, g) {
                return Ok(p);
            }
            // One query: the token, its staff member and the grants.
            let key = h.clone();
            let found = state.store.read(move |tx| auth::token_principal(tx, &key)).await?;
            let p = found.map(|(s, g)| principal(s, g, None)).ok_or_else(ApiError::unauthorized)?;
            state.tokens.put(h, g, p.clone());
            return Ok(p);
        }
        let p = session_principal(state, parts).await?.ok_or_else(ApiError::unauthorized)?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
            if sent != p.csrf.as_deref() {
                return Err(ApiError::forbidden("缺少或错误的 CSRF 令牌（X-CSRF-Token）"));
            }
        }
        Ok(p)
    }
}

/// The caller's network address, for login throttling ("unknown" where the server was started
/// without connection info).
#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

/// Puts [`ClientAddr`] into every request's extensions.
pub async fn client_addr(mut req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let addr = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    req.extensions_mut().insert(ClientAddr(addr));
    next.run(req).await
}

/// Failed logins from one address within 15 minutes after which it is refused (429): whoever
/// guesses many logins from one place is stopped there, the clerk at another desk is not.
pub const ADDRESS_LIMIT: i64 = 30;

/// Tries a login; on success returns the session id (for the cookie) and its CSRF token.
/// Failures are recorded by login and by address. After 5 failures for a login within 15
/// minutes each further try for it waits longer (exponential, at most 2 s) — but the right
/// password still gets in: no lockout anyone could turn against a clerk. An address with
/// [`ADDRESS_LIMIT`] failures is refused for the rest of the window.
pub async fn login(state: &AppState, login: &str, password: &str, address: &str) -> Result<(String, String), ApiError> {
    let now = state.now();
    let since = noveto_domain::time::rfc3339(now - chrono::Duration::minutes(15));
    let (l, a) = (login.to_string(), address.to_string());
    let (found, failures, from_address) = state
        .store
        .read(move |tx| {
            let f = auth::failures_since(tx, &l, &since)?;
            let fa = auth::address_failures_since(tx, &a, &since)?;
            Ok::<_, StoreError>((org::staff_by_login(tx, &l)?, f, fa))
        })
        .await?;
    if from_address >= ADDRESS_LIMIT {
        return Err(ApiError::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "从此处登录失败的次数过多，请 15 分钟后再试；如忘记密码请联系管理员",
        ));
    }
    if failures >= 5 {
        let wait = std::time::Duration::from_millis(250u64 << (failures - 5).clamp(0, 3) as u32);
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
    let now_s = state.now_str();
    match ok {
        Some(id) => {
            let sid = random_token(32);
            let csrf = random_token(16);
            let expires = noveto_domain::time::rfc3339(now + chrono::Duration::hours(12));
            let (h, c) = (sha256_hex(&sid), csrf.clone());
            let ctx = Ctx { actor: Some(id), now: now_s };
            state.store.write(move |tx| auth::add_session(tx, &ctx, &h, id, &c, &expires)).await?;
            Ok((sid, csrf))
        }
        None => {
            let l = login.chars().take(64).collect::<String>();
            let a = address.chars().take(64).collect::<String>();
            let ctx = Ctx { actor: None, now: now_s };
            state.store.write(move |tx| auth::login_failed(tx, &ctx, &l, &a)).await?;
            // Debug formatting escapes control characters: a newline in the login field cannot
            // forge a line of its own in the log.
            tracing::warn!(login = ?login.chars().take(64).collect::<String>(), "failed login");
            Err(ApiError::new(axum::http::StatusCode::UNAUTHORIZED, "bad_credentials", "登录名或密码不正确"))
        }
    }
}

const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Yb1hB9lHcCUvvYRmj1iOJZCX6x7VYhSrE2dYeVd5Hdc";
