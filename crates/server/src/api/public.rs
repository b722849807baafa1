//! PUB-1: the public routes — no account, throttled per address.

use crate::AppState;
use crate::auth::ClientAddr;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use noveto_app::public as app;
pub use noveto_app::public::{PublicComplaintIn, PublicUnresolvedIn};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// PUB-1, BBC-1: a 办不成事 matter submitted online.
pub async fn submit_unresolved(
    State(s): State<AppState>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    ApiJson(b): ApiJson<PublicUnresolvedIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let r = app::submit_unresolved(&s, &addr, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"receipt_no": r.receipt_no, "due": r.due}))))
}

/// PUB-1, TC-2: a complaint submitted online.
pub async fn submit_complaint(
    State(s): State<AppState>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    ApiJson(b): ApiJson<PublicComplaintIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let r = app::submit_complaint(&s, &addr, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"receipt_no": r.receipt_no, "due": r.due}))))
}

#[derive(Deserialize, JsonSchema)]
pub struct FollowQuery {
    pub receipt_no: String,
    /// The phone number left when the matter was registered.
    pub phone: String,
}

/// PUB-1: a matter by its receipt number and phone.
pub async fn follow(
    State(s): State<AppState>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    ApiQuery(q): ApiQuery<FollowQuery>,
) -> ApiResult<Json<Value>> {
    let f = app::follow(&s, &addr, &q.receipt_no, &q.phone).await?;
    Ok(Json(serde_json::to_value(f).unwrap_or_default()))
}
