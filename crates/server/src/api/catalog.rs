//! Catalog (CAT-1 … CAT-3) and common-question library (FAQ-1 … FAQ-3) routes: handlers over
//! `noveto_app::catalog` and `noveto_app::faq`.

pub use noveto_app::catalog::{ItemIn, MaterialIn};
pub use noveto_app::faq::{FaqIn, PromoteIn};

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use noveto_app::{catalog, faq};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// CAT-1: creates an item or, for an existing code, saves a new version.
pub async fn save_item(State(s): State<AppState>, p: Principal, ApiJson(b): ApiJson<ItemIn>) -> ApiResult<Response> {
    let saved = catalog::save_item(&s, &p, b).await?;
    let status = if saved.existed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(json!({"code": saved.code, "version": saved.version}))).into_response())
}

/// CAT-2: one item's guide (public).
pub async fn get_item(State(s): State<AppState>, ApiPath(code): ApiPath<String>) -> ApiResult<Json<Value>> {
    let item = catalog::get_item(&s, &code).await?.ok_or_else(|| ApiError::not_found("事项"))?;
    Ok(Json(serde_json::to_value(item).unwrap_or_default()))
}

#[derive(Deserialize, JsonSchema)]
pub struct ItemQuery {
    /// Search words; without it every item.
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    pub limit: Option<usize>,
}

/// CAT-2: browse and search the catalog (public).
pub async fn list_items(State(s): State<AppState>, ApiQuery(q): ApiQuery<ItemQuery>) -> ApiResult<Json<Value>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let list = catalog::list_items(&s, q.q.as_deref(), q.unit_id, limit).await?;
    Ok(Json(json!({"items": list})))
}

pub async fn versions(
    State(s): State<AppState>,
    _p: Principal,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"versions": catalog::versions(&s, &code).await?})))
}

#[derive(Deserialize, JsonSchema)]
pub struct ExportQuery {
    /// csv | xlsx
    pub format: String,
}

/// A file download.
pub fn attachment(format: catalog::Format, name: &str, bytes: Vec<u8>) -> Response {
    let (ty, ext) = match format {
        catalog::Format::Csv => ("text/csv; charset=utf-8", "csv"),
        catalog::Format::Xlsx => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    };
    let disposition = format!("attachment; filename=\"{name}.{ext}\"");
    ([(header::CONTENT_TYPE, ty.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

/// CAT-3: the whole catalog as CSV or XLSX.
pub async fn export(
    State(s): State<AppState>,
    _p: Principal,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let format = catalog::Format::parse(&q.format)?;
    let (bytes, _) = catalog::export(&s, format).await?;
    Ok(attachment(format, "catalog", bytes))
}

#[derive(Deserialize, JsonSchema)]
pub struct ImportQuery {
    /// Import the good rows even when some rows are bad.
    pub partial: Option<bool>,
}

/// CAT-3: the file is the request body (CSV or XLSX, up to 20 MB).
pub async fn import(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let r = catalog::import(&s, Some(&p), &body, q.partial.unwrap_or(false)).await?;
    let status =
        if !r.errors.is_empty() && r.imported == 0 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, Json(serde_json::to_value(r).unwrap_or_default())).into_response())
}

// ---- FAQ -----------------------------------------------------------------------------------

pub async fn create_faq(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<FaqIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = faq::create(&s, &p, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

pub async fn update_faq(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<FaqIn>,
) -> ApiResult<Json<Value>> {
    let active = faq::update(&s, &p, id, b).await?;
    Ok(Json(json!({"id": id, "active": active})))
}

pub async fn get_faq(State(s): State<AppState>, _p: Principal, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(serde_json::to_value(faq::get(&s, id).await?).unwrap_or_default()))
}

#[derive(Deserialize, JsonSchema)]
pub struct SearchQuery {
    pub q: String,
    pub limit: Option<usize>,
}

/// FAQ-1, FAQ-2: search the library; every search is logged to measure the answer rate.
pub async fn search(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<Value>> {
    let limit = q.limit.unwrap_or(5).clamp(1, 50);
    let (sid, list) = faq::search(&s, &p, &q.q, limit).await?;
    let hits: Vec<Value> = list
        .iter()
        .map(|(f, score)| json!({"id": f.id, "question": f.question, "answer": f.answer, "score": score}))
        .collect();
    Ok(Json(json!({"search_id": sid, "hits": hits})))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsedIn {
    pub faq_id: i64,
}

/// FAQ-2: the hit was used to answer.
pub async fn used(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<UsedIn>,
) -> ApiResult<Json<Value>> {
    faq::used(&s, &p, id, b.faq_id).await?;
    Ok(Json(json!({"search_id": id, "used": b.faq_id})))
}

#[derive(Deserialize, JsonSchema)]
pub struct StatsQuery {
    /// YYYY-MM
    pub month: String,
}

/// FAQ-2: the answer rate and precision of a month, and the questions the library missed.
pub async fn stats(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Value>> {
    Ok(Json(serde_json::to_value(faq::stats(&s, &p, &q.month).await?).unwrap_or_default()))
}

/// FAQ-3: an answered consultation or a decided gray-area escalation becomes a library entry.
pub async fn promote(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PromoteIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let fid = faq::promote(&s, &p, id, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": fid, "source": format!("case:{id}")}))))
}
