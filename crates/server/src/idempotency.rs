//! `Idempotency-Key` on every POST of the API: a retried request with the same key and body
//! gets the first answer and changes nothing; the same key with another body gets 422.
//!
//! The key belongs to the caller (a hash of its credentials), so one caller can never read
//! another's answer. The key is marked done in the same transaction as the change it makes
//! (`repo::idempotency::mark_done`), so after any crash a retry finds it either done — and is
//! told so, never run twice — or not done, and runs (a first attempt still running can then no
//! longer commit its change). The request is compared by its meaning (canonical JSON).

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

/// The request's meaning, for telling a retry from another request: its target and, for a JSON
/// body, the JSON itself in one canonical form (keys sorted, no spacing), so `{"a":1, "b":2}`
/// and `{"b":2,"a":1}` are the same request.
fn request_hash(uri: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(uri.as_bytes());
    h.update([0]);
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => h.update(v.to_string().as_bytes()),
        Err(_) => h.update(body),
    }
    hex(&h.finalize())
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
    let rh = request_hash(&parts.uri.to_string(), &bytes);
    let now = s.now_str();
    let attempt = crate::auth::random_token(16);
    let path = parts.uri.path().to_string();
    let (w, k, a, p2) = (who.clone(), key.clone(), attempt.clone(), path.clone());
    let seen = match s.store.write(move |tx| idempotency::claim(tx, &w, &k, &rh, &now, &a, &p2)).await {
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
        Seen::Answered(status, body) => return replay(status, body, "true"),
        Seen::Done { entity, id, path } => return done(&s, &who, &key, &entity, id, &path).await,
    }
    // Every write of the request marks the key done in its own transaction (`Store::write`).
    let mark = noveto_store::RequestKey { caller: who.clone(), key: key.clone(), attempt: attempt.clone() };
    let resp = noveto_store::with_request_key(mark, next.run(Request::from_parts(parts, Body::from(bytes)))).await;
    let (rparts, rbody) = resp.into_parts();
    let out = match axum::body::to_bytes(rbody, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => Bytes::new(),
    };
    let status = rparts.status;
    let text = String::from_utf8_lossy(&out).into_owned();
    let (w, k) = (who, key);
    let kept = if status.is_server_error() {
        // Nothing was done (unless a write marked the key done): the key may be used again.
        s.store.write(move |tx| idempotency::release(tx, &w, &k, &attempt)).await
    } else {
        s.store.write(move |tx| idempotency::answer(tx, &w, &k, &attempt, status.as_u16(), &text)).await
    };
    if let Err(e) = kept {
        tracing::error!("idempotency key not kept: {e}");
    }
    Response::from_parts(rparts, Body::from(out))
}

/// Where a changed record can be read.
fn location(entity: &str, id: i64) -> Option<String> {
    let base = match entity {
        "case" => "cases",
        "veto_request" => "veto-requests",
        "unresolved" => "unresolved",
        "suggestion" => "suggestions",
        "faq" => "faq",
        _ => return None,
    };
    Some(format!("/api/v1/{base}/{id}"))
}

/// The answer to a retry of a request whose change committed but whose first answer was lost
/// (a crash in between): done — with what it changed and where to read it — never run twice.
/// Kept as the key's answer from then on.
async fn done(s: &AppState, who: &str, key: &str, entity: &str, id: i64, path: &str) -> Response {
    // A request that made something new answers 201, as it would have.
    let created = !path.split('/').any(|seg| seg == id.to_string());
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    let body = serde_json::json!({
        "done": true,
        "interrupted": true,
        "entity": entity,
        "id": id,
        "location": location(entity, id),
        "message": "该请求已经办理，但首次答复因中断未能送达：请按 location 查询结果，不要再次提交。",
    })
    .to_string();
    let (w, k, b) = (who.to_string(), key.to_string(), body.clone());
    if let Err(e) = s.store.write(move |tx| idempotency::answer_done(tx, &w, &k, status.as_u16(), &b)).await {
        tracing::error!("idempotency answer not kept: {e}");
    }
    replay(status.as_u16(), body, "interrupted")
}

fn replay(status: u16, body: String, how: &'static str) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut().insert("idempotency-replayed", HeaderValue::from_static(how));
    r
}
