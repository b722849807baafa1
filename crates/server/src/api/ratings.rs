//! HCP: 好差评 ratings, satisfaction, the callback sample, the platform export and the
//! rectifications, over `noveto_app::ratings` and `noveto_app::rectifications`.

use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use noveto_app::ratings as app;
pub use noveto_app::ratings::RatingIn;
use noveto_app::rectifications as rect;
use noveto_app::tickets::View;
use noveto_domain::rating::Rating;
use noveto_domain::rectification::Rectification;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// A rating as the API shows it (the rater only to the supervision section).
pub fn rating_json(r: &View<Rating>) -> Value {
    json!({
        "id": r.id, "receipt_no": r.receipt_no, "service": r.service, "service_receipt": r.service_receipt,
        "center_id": r.center_id, "unit_id": r.unit_id, "window_id": r.window_id, "staff_id": r.staff_id,
        "channel": r.channel, "level": r.level.map(|l| l.value), "level_label": r.level.map(|l| l.label()),
        "satisfied": r.satisfied(), "dimensions": r.dimensions.iter().map(|(d, l)| (d.as_str(), l.value)).collect::<std::collections::BTreeMap<_, _>>(),
        "comment": r.comment, "rater": r.rater, "rated_at": r.rated_at.map(noveto_domain::time::rfc3339),
        "quarter": r.quarter(),
    })
}

/// A rectification as the API shows it.
pub fn rectification_json(r: &View<Rectification>) -> Value {
    json!({
        "id": r.id, "version": r.version, "receipt_no": r.receipt_no, "center_id": r.center_id, "unit_id": r.unit_id,
        "assignee": r.assignee, "origin": r.origin, "problem": r.problem, "person": r.person,
        "status": r.status.as_str(), "status_label": r.status.label(), "verification": r.verification,
        "measures": r.measures, "told": r.told, "appeal": r.appeal, "appeal_decision": r.appeal_decision,
        "due": r.due, "opened_at": r.opened_at.map(noveto_domain::time::rfc3339),
        "done_at": r.done_at.map(noveto_domain::time::rfc3339), "offers": r.offers,
    })
}

/// HCP-2, HCP-3: a rating of one service; a second device-or-SMS rating is 409 `already_rated`.
pub async fn create(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<RatingIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let r = app::rate(&s, &p, b).await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(r).unwrap_or_default())))
}

#[derive(Deserialize, JsonSchema)]
pub struct QuarterQuery {
    /// `YYYYQn`; default: this quarter.
    pub quarter: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
}

/// The quarter's ratings the caller may read.
pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<QuarterQuery>,
) -> ApiResult<Json<Value>> {
    let quarter = q.quarter.unwrap_or_else(|| app::this_quarter(&s));
    let v = app::list(&s, &p, &quarter).await?;
    Ok(Json(json!({"quarter": quarter, "ratings": v.iter().map(rating_json).collect::<Vec<_>>()})))
}

#[derive(Deserialize, JsonSchema)]
pub struct SatisfactionQuery {
    /// `YYYYQn`.
    pub quarter: Option<String>,
    /// `YYYY`: the year's figure as the policy says (sum or mean of the quarters).
    pub year: Option<i32>,
    pub unit_id: Option<i64>,
    /// `json` (default); `csv` or `xlsx` give the quarter by unit and window.
    pub format: Option<String>,
}

/// HCP-5: `{device, sms, callback: {satisfied, total, rate}, composite}` for a quarter or a year.
pub async fn satisfaction(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<SatisfactionQuery>,
) -> ApiResult<Response> {
    use axum::response::IntoResponse;
    if let Some(f) = q.format.as_deref().filter(|f| *f != "json") {
        let quarter = q.quarter.clone().unwrap_or_else(|| app::this_quarter(&s));
        let rows = app::breakdown(&s, &p, &quarter).await?;
        return super::catalog::json_or_file(
            Some(f),
            &format!("满意度-{quarter}"),
            || json!({}),
            |f| app::breakdown_file(&rows, f),
        );
    }
    let quarter = match (&q.quarter, q.year) {
        (None, None) => Some(app::this_quarter(&s)),
        (q, _) => q.clone(),
    };
    let f = app::satisfaction_of(&s, &p, quarter.as_deref(), q.year, q.unit_id).await?;
    Ok(Json(serde_json::to_value(f).unwrap_or_default()).into_response())
}

#[derive(Deserialize, JsonSchema)]
pub struct SampleQuery {
    pub quarter: Option<String>,
    /// The seed: the same seed draws the same sample.
    pub seed: Option<u64>,
    /// How many calls (default 30).
    pub size: Option<usize>,
}

/// HCP-3: the quarter's callback sample.
pub async fn sample(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<SampleQuery>,
) -> ApiResult<Json<Value>> {
    let quarter = q.quarter.unwrap_or_else(|| app::this_quarter(&s));
    let seed = q.seed.unwrap_or(1);
    let calls = app::callback_sample(&s, &p, &quarter, seed, q.size.unwrap_or(30)).await?;
    Ok(Json(json!({"quarter": quarter, "seed": seed, "calls": calls})))
}

/// The quarter's ratings in the provincial 好差评 platform's layout (`noveto_app::ratings::PLATFORM_COLUMNS`).
pub async fn export(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<QuarterQuery>,
) -> ApiResult<Response> {
    let quarter = q.quarter.unwrap_or_else(|| app::this_quarter(&s));
    let rows = app::platform_rows(&s, &p, &quarter).await?;
    let cols = app::PLATFORM_COLUMNS;
    super::catalog::json_or_file(
        q.format.as_deref(),
        &format!("好差评-{quarter}"),
        || json!({"quarter": quarter, "columns": cols, "ratings": rows.iter().map(|r| cols.iter().zip(r).map(|(c, v)| (c.to_string(), Value::String(v.clone()))).collect::<serde_json::Map<_, _>>()).collect::<Vec<_>>()}),
        |f| {
            noveto_app::catalog_file::table("好差评", &cols, &rows, f == noveto_app::catalog::Format::Xlsx)
                .map_err(|e| noveto_app::Error::bad("export_failed", e))
        },
    )
}

#[derive(Deserialize, JsonSchema)]
pub struct OpenQuery {
    /// Only those still open (default true).
    pub open: Option<bool>,
}

pub async fn rectifications(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<OpenQuery>,
) -> ApiResult<Json<Value>> {
    let v = rect::visible(&s, &p, q.open.unwrap_or(true)).await?;
    Ok(Json(json!({"rectifications": v.iter().map(rectification_json).collect::<Vec<_>>()})))
}

pub async fn rectification(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(rectification_json(&rect::get(&s, &p, id).await?)))
}

/// TC-7: complaints concentrated on a section become a rectification.
pub async fn open_rectification(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<rect::OpenIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = rect::open_for_complaints(&s, &p, b).await?;
    Ok((StatusCode::CREATED, Json(rectification_json(&rect::get(&s, &p, id).await?))))
}

pub async fn verify(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<rect::NoteIn>,
) -> ApiResult<Json<Value>> {
    rect::verify(&s, &p, id, b).await?;
    Ok(Json(rectification_json(&rect::get(&s, &p, id).await?)))
}

pub async fn done(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<rect::DoneIn>,
) -> ApiResult<Json<Value>> {
    rect::done(&s, &p, id, b).await?;
    Ok(Json(rectification_json(&rect::get(&s, &p, id).await?)))
}

pub async fn appeal(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<rect::AppealIn>,
) -> ApiResult<Json<Value>> {
    rect::appeal(&s, &p, id, b).await?;
    Ok(Json(rectification_json(&rect::get(&s, &p, id).await?)))
}

pub async fn decide_appeal(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<rect::DecisionIn>,
) -> ApiResult<Json<Value>> {
    rect::decide_appeal(&s, &p, id, b).await?;
    Ok(Json(rectification_json(&rect::get(&s, &p, id).await?)))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRatingIn {
    /// `satisfied`/`unsatisfied`, or 1–5.
    pub level: serde_json::Value,
    #[serde(default)]
    pub dimensions: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// HCP-3: the rating an SMS link gives (no account; the link rates once).
pub async fn by_link(
    State(s): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(b): ApiJson<LinkRatingIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let r = app::rate_by_link(
        &s,
        &token,
        RatingIn {
            channel: "sms".into(),
            level: Some(b.level),
            dimensions: b.dimensions,
            comment: b.comment,
            ..Default::default()
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({"receipt_no": r.receipt_no, "satisfied": r.satisfied}))))
}

/// HCP-3: the link a window's rating device opens (bound to the window, no login).
pub async fn kiosk(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let key = app::kiosk_key(&s, &p, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"window_id": id, "key": key, "url": format!("{}/kiosk/{key}", s.public_url())})),
    ))
}

/// AS-2: an inspection with its findings, followed up as a rectification.
pub async fn inspection(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<rect::InspectionIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = rect::record_inspection(&s, &p, b).await?;
    Ok((StatusCode::CREATED, Json(rectification_json(&rect::get(&s, &p, id).await?))))
}
