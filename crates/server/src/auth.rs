//! Authentication: argon2id passwords, bearer tokens and browser sessions (both stored as
//! SHA-256 hashes), CSRF tokens, slowed-down failed logins.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};

pub const SESSION_COOKIE: &str = "nv_session";

pub use noveto_app::Principal;
pub use noveto_app::auth::{ADDRESS_LIMIT, random_token, sha256_hex, verify_password};
pub use noveto_app::org::hash_password;

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
    match cookie(parts, SESSION_COOKIE) {
        Some(sid) => Ok(noveto_app::auth::session_principal(state, sid).await?),
        None => Ok(None),
    }
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
            let p = noveto_app::auth::token_principal(state, token).await?;
            return p.ok_or_else(ApiError::unauthorized);
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

/// Tries a login (see [`noveto_app::auth::login`]); on success the session id and its CSRF token.
pub async fn login(state: &AppState, login: &str, password: &str, address: &str) -> Result<(String, String), ApiError> {
    Ok(noveto_app::auth::login(state, login, password, address).await?)
}
