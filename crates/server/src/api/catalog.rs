//! Catalog (CAT-1 … CAT-3) and common-question library (FAQ-1 … FAQ-3) routes: handlers over
//! `noveto_app::catalog` and `noveto_app::faq`.

pub use noveto_app::bundles::BundleIn;
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

#[derive(Deserialize, JsonSchema)]
pub struct BundleQuery {
    /// A plain-language question (开饭店要办什么证): `bundle` is the life event it asks for, if any.
    pub q: Option<String>,
}

/// CAT-4: the life-event bundles (public), and with `q` the one a question asks for.
pub async fn list_bundles(State(s): State<AppState>, ApiQuery(q): ApiQuery<BundleQuery>) -> ApiResult<Json<Value>> {
    let bundle = match q.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) => noveto_app::bundles::intent(&s, q).await?,
        None => None,
    };
    let bundles = noveto_app::bundles::all(&s).await?;
    Ok(Json(json!({"bundle": bundle, "bundles": bundles})))
}

/// CAT-4: one bundle with its items in order, shared materials and total time (public).
pub async fn get_bundle(State(s): State<AppState>, ApiPath(code): ApiPath<String>) -> ApiResult<Json<Value>> {
    Ok(Json(serde_json::to_value(noveto_app::bundles::get(&s, &code).await?).unwrap_or_default()))
}

/// CAT-4: creates a bundle or saves a new version.
pub async fn save_bundle(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<BundleIn>,
) -> ApiResult<Response> {
    let (code, version) = noveto_app::bundles::save(&s, &p, b).await?;
    let status = if version == 1 { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(json!({"code": code, "version": version}))).into_response())
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

/// A list as JSON (the default) or, with `format=csv|xlsx`, as a file named `name` — the one
/// answer of every list route that exports (cases, inbox, filings, roll-up).
pub fn json_or_file(
    format: Option<&str>,
    name: &str,
    json: impl FnOnce() -> Value,
    file: impl FnOnce(catalog::Format) -> noveto_app::Result<Vec<u8>>,
) -> ApiResult<Response> {
    match format.unwrap_or("json") {
        "json" => Ok(Json(json()).into_response()),
        f => {
            let format = catalog::Format::parse(f)?;
            Ok(attachment(format, name, file(format)?))
        }
    }
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
    /// The consultation answered with it (FAQ-2: answered from the library, not escalated).
    pub case_id: Option<i64>,
}

/// FAQ-2: the hit was used to answer.
pub async fn used(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<UsedIn>,
) -> ApiResult<Json<Value>> {
    faq::used(&s, &p, id, b.faq_id, b.case_id).await?;
    Ok(Json(json!({"search_id": id, "used": b.faq_id, "case_id": b.case_id})))
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

pub use noveto_app::suggestions::{ChangeIn, DecisionIn as SuggestionDecisionIn, SuggestionIn};

#[derive(Deserialize, JsonSchema)]
pub struct SuggestionQuery {
    /// recorded | adopted | declined | done
    pub status: Option<String>,
}

/// FAQ-3: a suggestion as the API shows it.
pub fn suggestion_json(x: &noveto_app::tickets::View<noveto_domain::suggestion::Suggestion>) -> Value {
    let r = x;
    json!({
        "id": x.id, "center_id": x.center_id, "unit_id": x.unit_id, "window_id": r.window_id,
        "item_code": x.item_code, "case_id": x.case_id, "source": x.source, "text": x.text,
        "contact": x.contact, "status": x.status, "status_label": x.status.label(),
        "recorded_by": x.recorded_by, "recorded_at": r.recorded_at,
        "decided_by": x.decided_by, "decided_at": r.decided_at, "decision_note": x.decision_note,
        "change": x.change, "change_label": x.change.as_ref().map(|c| c.describe()),
        "done_by": x.done_by, "done_at": r.done_at, "version": x.version, "offers": x.offers,
    })
}

/// FAQ-3: records a suggestion.
pub async fn create_suggestion(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<SuggestionIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = noveto_app::suggestions::record(&s, &p, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "status": "recorded"}))))
}

/// FAQ-3: the suggestions the caller may read.
pub async fn list_suggestions(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<SuggestionQuery>,
) -> ApiResult<Json<Value>> {
    let rows = noveto_app::suggestions::visible(&s, &p, q.status.as_deref()).await?;
    Ok(Json(json!({"suggestions": rows.iter().map(suggestion_json).collect::<Vec<_>>()})))
}

pub async fn get_suggestion(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(suggestion_json(&noveto_app::suggestions::get(&s, &p, id).await?)))
}

/// FAQ-3: adopt or decline.
pub async fn decide_suggestion(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SuggestionDecisionIn>,
) -> ApiResult<Json<Value>> {
    let st = noveto_app::suggestions::decide(&s, &p, id, b).await?;
    Ok(Json(json!({"id": id, "status": st})))
}

/// FAQ-3: the change that carried an adopted suggestion out.
pub async fn implement_suggestion(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ChangeIn>,
) -> ApiResult<Json<Value>> {
    let c = noveto_app::suggestions::implement(&s, &p, id, b).await?;
    Ok(Json(json!({"id": id, "status": "done", "change": c, "change_label": c.describe()})))
}
