//! `Idempotency-Key` on every POST of the API: a retried request with the same key and body
//! gets the first answer and changes nothing; the same key with another body gets 422.
//!
//! The key belongs to the caller (a hash of its credentials), so one caller can never read
//! another's answer. A key whose first request has not answered (still running, or cut off by
//! a crash) is refused with 409 rather than run twice: nothing acknowledged is done twice.

use crate::AppState;
use crate::error::ApiError;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use noveto_store::repo::idempotency::{self, Seen};
use sha2::{Digest, Sha256};

pub const HEADER: &str = "idempotency-key";
/// How long a key is kept (at least 24 hours, as promised in the API document).
pub const KEEP_HOURS: i64 = 48;
/// The largest request and answer bodies a key keeps.
const MAX_BODY: usize = 16 * 1024 * 1024;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Who is calling, as far as keys are concerned: a hash of the bearer token or session cookie.
fn caller(req: &Request) -> String {
    let mut h = Sha256::new();
    for name in [header::AUTHORIZATION, header::COOKIE] {
        if let Some(v) = req.headers().get(&name) {
            h.update(name.as_str().as_bytes());
            h.update(v.as_bytes());
        }
    }
    hex(&h.finalize())
}

fn valid_key(k: &str) -> bool {
    (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic())
}

pub async fn layer(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
    let key = match key.to_str() {
        Ok(k) if valid_key(k) => k.to_string(),
        _ => {
            return ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_idempotency_key",
                "Idempotency-Key 须为 1–255 个可见 ASCII 字符（建议使用 UUID）",
            )
            .into_response();
        }
    };
    let who = caller(&req);
    let (parts, body) = req.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "请求体过大").into_response(),
    };
    let mut h = Sha256::new();
    h.update(parts.uri.to_string().as_bytes());
    h.update([0]);
    h.update(&bytes);
    let request_hash = hex(&h.finalize());
    let now = s.now_str();
    let (w, k, rh) = (who.clone(), key.clone(), request_hash);
    let seen = match s.store.write(move |tx| idempotency::claim(tx, &w, &k, &rh, &now)).await {
        Ok(seen) => seen,
        Err(e) => return ApiError::from(e).into_response(),
    };
    match seen {
        Seen::Claimed => {}
        Seen::OtherRequest => {
            return ApiError::bad(
                "idempotency_key_reused",
                "该 Idempotency-Key 已用于另一个请求：同一个键只能重试同一个请求",
            )
            .into_response();
        }
        Seen::InProgress => {
            return ApiError::conflict(
                "idempotency_in_progress",
                "使用该 Idempotency-Key 的请求尚未完成（或已中断、结果未知）：请查询结果后再提交，不要重复办理",
            )
            .into_response();
        }
        Seen::Answered(status, body) => return replay(status, body),
    }
    let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (rparts, rbody) = resp.into_parts();
    let out = match axum::body::to_bytes(rbody, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => Bytes::new(),
    };
    let status = rparts.status;
    let text = String::from_utf8_lossy(&out).into_owned();
    let (w, k) = (who, key);
    let kept = if status.is_server_error() {
        // Nothing was done: the key may be used again.
        s.store.write(move |tx| idempotency::release(tx, &w, &k)).await
    } else {
        s.store.write(move |tx| idempotency::answer(tx, &w, &k, status.as_u16(), &text)).await
    };
    if let Err(e) = kept {
        tracing::error!("idempotency key not kept: {e}");
    }
    Response::from_parts(rparts, Body::from(out))
}

fn replay(status: u16, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut().insert("idempotency-replayed", HeaderValue::from_static("true"));
    r
}
