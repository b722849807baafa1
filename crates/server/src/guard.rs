//! Over-long request targets are refused in the error envelope. Text from a URL or a form is
//! input like a JSON field: a NUL character (which no store keeps —
//! PostgreSQL refuses it outright) is refused at the edge with 422 `invalid_chars`, before any
//! handler or store sees it, on every route and for every store alike. JSON and form bodies are
//! read here for the same check; uploads (multipart, files) are not text and pass untouched.

use crate::error::ApiError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest text body read for the check (larger ones are refused by each route's own limit).
const MAX_TEXT_BODY: usize = 16 * 1024 * 1024;

fn refused(api: bool) -> Response {
    let e = ApiError::bad("invalid_chars", "输入中含有不允许的控制字符（NUL），请删除后重试");
    if api { e.into_response() } else { crate::pages::error_page(None, false, &e) }
}

/// Whether `s` (as sent, percent-encoded) carries a NUL: `%00`, or a raw one.
fn nul_in_url(s: &str) -> bool {
    s.contains('\0') || s.as_bytes().windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// Whether a JSON body carries a NUL inside a string (`\u0000`) or raw.
fn nul_in_json(b: &[u8]) -> bool {
    b.contains(&0) || b.windows(6).any(|w| w[0] == b'\\' && (w[1] | 0x20) == b'u' && &w[2..] == b"0000")
}

/// The longest request target answered: longer ones get 414 in the error envelope, with the
/// security headers (hyper itself answers a bare 414 only past 64 KiB, where nothing of noveto
/// runs).
pub const MAX_URI: usize = 8 * 1024;

pub async fn layer(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("");
    if target.len() > MAX_URI {
        let e = ApiError::new(StatusCode::URI_TOO_LONG, "uri_too_long", "请求地址过长（上限 8 KB）：请缩短查询条件");
        return if api { e.into_response() } else { crate::pages::error_page(None, false, &e) };
    }
    if nul_in_url(target) {
        return refused(api);
    }
    let kind = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let form = kind.starts_with("application/x-www-form-urlencoded");
    let json = kind.starts_with("application/json");
    if !(form || json) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_TEXT_BODY).await else {
        return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "请求体过大或无法读取")
            .into_response();
    };
    let bad = if form { nul_in_url(&String::from_utf8_lossy(&bytes)) } else { nul_in_json(&bytes) };
    if bad {
        return refused(api);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_is_seen_however_it_is_written() {
        assert!(nul_in_url("/guides/%00"));
        assert!(nul_in_url("/api/v1/public/follow?receipt_no=%00&phone=1"));
        assert!(!nul_in_url("/guides/SC-001?q=%E4%BD%A0"));
        assert!(!nul_in_url("/api/v1/cases?limit=100"), "100 is no NUL");
        assert!(nul_in_json(br#"{"name": "a\u0000b"}"#));
        assert!(nul_in_json(br#"{"name": "a\U0000b"}"#));
        assert!(!nul_in_json(br#"{"n": 10000}"#));
    }
}
