//! Calendar routes (CAL-1, CAL-2): handlers over `noveto_app::calendar`.

use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use noveto_app::calendar;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, JsonSchema)]
pub struct DueQuery {
    /// YYYY-MM-DD; the start day is not counted.
    pub from: String,
    /// N ≥ 0; 0 is the same day. Default 0.
    pub working_days: Option<u32>,
    /// A region with local overrides.
    pub region: Option<String>,
}

pub async fn due(State(s): State<AppState>, ApiQuery(q): ApiQuery<DueQuery>) -> ApiResult<Json<Value>> {
    Ok(Json(calendar::due(&s, &q.from, q.working_days.unwrap_or(0), q.region.as_deref().unwrap_or(""))?))
}

#[derive(Deserialize, JsonSchema)]
pub struct DayQuery {
    pub date: String,
    pub region: Option<String>,
}

pub async fn working_day(State(s): State<AppState>, ApiQuery(q): ApiQuery<DayQuery>) -> ApiResult<Json<Value>> {
    Ok(Json(calendar::working_day(&s, &q.date, q.region.as_deref().unwrap_or(""))?))
}

pub async fn year(State(s): State<AppState>, ApiPath(y): ApiPath<i32>) -> ApiResult<Json<Value>> {
    Ok(Json(calendar::year(&s, y)?))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportIn {
    /// The notice in noveto's TOML format or the JSON format `{year, papers, days: [{name, date, isOffDay}]}`.
    pub content: String,
}

pub async fn import_year(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<ImportIn>,
) -> ApiResult<Json<Value>> {
    let years = calendar::parse_years(&b.content)?;
    let (imported, recomputed) = calendar::import(&s, Some(&p), years).await?;
    Ok(Json(json!({"imported": imported, "covered": s.calendar().covered(), "recomputed_cases": recomputed})))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideIn {
    /// A region name (e.g. the county), or empty for every center.
    pub region: Option<String>,
    pub date: String,
    pub working: bool,
    pub reason: String,
}

pub async fn set_override(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<OverrideIn>,
) -> ApiResult<Json<Value>> {
    let region = b.region.unwrap_or_default();
    let (date, _) = calendar::set_override(&s, &p, &region, &b.date, b.working, &b.reason).await?;
    Ok(Json(json!({"region": region, "date": date, "working": b.working})))
}
