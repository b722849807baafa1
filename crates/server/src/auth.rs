//! Authentication: argon2id passwords, bearer tokens and browser sessions (both stored as
//! SHA-256 hashes), CSRF tokens, slowed-down failed logins.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};

pub const SESSION_COOKIE: &str = "nv_session";

pub use noveto_app::Principal;
pub use noveto_app::auth::{random_token, sha256_hex, verify_password};
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

/// A network the administrator names as a proxy of theirs (`serve --trusted-proxy`): an address
/// or `address/prefix`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Net {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl Net {
    pub fn parse(s: &str) -> Option<Net> {
        let (a, p) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (s.trim(), None),
        };
        let addr: std::net::IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = p.unwrap_or(max);
        (prefix <= max).then_some(Net { addr, prefix })
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        let bits = |ip: std::net::IpAddr| -> u128 {
            match ip {
                std::net::IpAddr::V4(v) => u32::from(v) as u128,
                std::net::IpAddr::V6(v) => u128::from(v),
            }
        };
        if self.addr.is_ipv4() != ip.is_ipv4() {
            return false;
        }
        let width = if ip.is_ipv4() { 32 } else { 128 };
        let shift = width - self.prefix as u32;
        shift >= width || (bits(self.addr) >> shift) == (bits(ip) >> shift)
    }
}

/// The client's address as the throttles count it: the connection's peer — or, when the peer is
/// a proxy the administrator named, the nearest address in `X-Forwarded-For` that is not one of
/// those proxies (anything a client wrote further left is not believed). Without trusted proxies
/// the header is ignored, so nobody can pick an address to throttle or to hide behind.
pub fn client_address(peer: Option<std::net::IpAddr>, forwarded: Option<&str>, trusted: &[Net]) -> String {
    let Some(peer) = peer else { return "unknown".into() };
    let is_trusted = |ip: std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer.to_string();
    }
    let hops: Vec<std::net::IpAddr> =
        forwarded.unwrap_or("").split(',').filter_map(|h| h.trim().parse::<std::net::IpAddr>().ok()).collect();
    hops.into_iter().rev().find(|ip| !is_trusted(*ip)).unwrap_or(peer).to_string()
}

/// Puts [`ClientAddr`] into every request's extensions.
pub async fn client_addr(
    axum::extract::State(trusted): axum::extract::State<std::sync::Arc<Vec<Net>>>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let peer = req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let addr = client_address(peer, forwarded, &trusted);
    req.extensions_mut().insert(ClientAddr(addr));
    next.run(req).await
}

/// Tries a login (see [`noveto_app::auth::login`]); on success the session id and its CSRF token.
pub async fn login(state: &AppState, login: &str, password: &str, address: &str) -> Result<(String, String), ApiError> {
    Ok(noveto_app::auth::login(state, login, password, address).await?)
}

#[cfg(test)]
mod proxy_tests {
    use super::*;

    // Issue 26, item 3: a forwarded address is believed only from a proxy the administrator named.
    #[test]
    fn forwarded_addresses_only_from_named_proxies() {
        let ip = |s: &str| Some(s.parse().unwrap());
        let proxies = vec![Net::parse("10.0.0.0/8").unwrap(), Net::parse("::1").unwrap()];
        assert_eq!(client_address(ip("203.0.113.5"), Some("198.51.100.1"), &proxies), "203.0.113.5", "not a proxy");
        assert_eq!(client_address(ip("10.1.2.3"), Some("198.51.100.1"), &proxies), "198.51.100.1");
        assert_eq!(
            client_address(ip("10.1.2.3"), Some("6.6.6.6, 198.51.100.1, 10.9.9.9"), &proxies),
            "198.51.100.1",
            "the nearest untrusted hop; what the client wrote to the left is not believed"
        );
        assert_eq!(client_address(ip("10.1.2.3"), None, &proxies), "10.1.2.3");
        assert_eq!(client_address(ip("10.1.2.3"), Some("garbage"), &[]), "10.1.2.3");
        assert_eq!(client_address(ip("::1"), Some("2001:db8::7"), &proxies), "2001:db8::7");
        assert!(Net::parse("10.0.0.0/33").is_none() && Net::parse("proxy").is_none());
        assert!(Net::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
    }
}
