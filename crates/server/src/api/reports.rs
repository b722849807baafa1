//! NV-15, AS-1, HCP-5: the center's reports over `noveto_app::reports` — JSON, or a file
//! (`format=csv|xlsx|pdf`) with the same figures.

use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use noveto_app::reports::{self as app, Period};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, JsonSchema)]
pub struct PeriodQuery {
    /// `YYYY-MM`
    pub month: Option<String>,
    /// `YYYYQn`
    pub quarter: Option<String>,
    /// `YYYY`
    pub year: Option<i32>,
    pub unit_id: Option<i64>,
    /// `json` (default), `csv`, `xlsx` or `pdf`.
    pub format: Option<String>,
}

fn period(q: &PeriodQuery, s: &AppState) -> ApiResult<Period> {
    if q.month.is_none() && q.quarter.is_none() && q.year.is_none() {
        let today = noveto_domain::time::local_date(s.now());
        return Ok(Period::parse(Some(&today.format("%Y-%m").to_string()), None, None)?);
    }
    Ok(Period::parse(q.month.as_deref(), q.quarter.as_deref(), q.year)?)
}

fn pdf(d: noveto_docs::Document) -> ApiResult<Response> {
    crate::pages::forms::render(&d, "pdf")
}

/// NV-15, AS-1, HCP-5: the month-end reports of a month at once — its veto statistics, its
/// quarter's analysis, its assessment and its quarter's satisfaction (what `/reports` shows),
/// each with the figures its own route gives.
pub async fn month_end(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Response> {
    let month = match q.month.clone() {
        Some(m) => m,
        None => noveto_domain::time::local_date(s.now()).format("%Y-%m").to_string(),
    };
    let m = app::month_end(&s, &p, &month).await?;
    Ok(Json(json!({
        "month": month,
        "quarter": m.quarter,
        "vetoes": m.vetoes,
        "quarter_vetoes": m.quarter_vetoes,
        "assessment": m.assessment,
        "satisfaction": m.satisfaction.iter().map(|(n, f)| json!({"name": n, "figures": f})).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// NV-15: the veto statistics of a month, quarter or year.
pub async fn vetoes(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Response> {
    let per = period(&q, &s)?;
    let r = app::vetoes(&s, &p, per).await?;
    match q.format.as_deref() {
        Some("pdf") => pdf(crate::pages::forms::veto_report(&r)),
        f => super::catalog::json_or_file(
            f,
            &format!("否决统计-{}", r.period),
            || serde_json::to_value(&r).unwrap_or_default(),
            |f| app::tables_file(&format!("否决统计 {}", r.period), &app::veto_tables(&r), f),
        ),
    }
}

/// AS-1: the assessment with its weights and their source.
pub async fn assessment(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Response> {
    let per = period(&q, &s)?;
    let a = app::assessment(&s, &p, per, q.unit_id).await?;
    match q.format.as_deref() {
        Some("pdf") => pdf(crate::pages::forms::assessment_report(&a)),
        f => super::catalog::json_or_file(
            f,
            &format!("考核-{}", a.period),
            || serde_json::to_value(&a).unwrap_or_default(),
            |f| {
                let (cols, rows) = app::assessment_rows(&a);
                noveto_app::catalog_file::table("考核", &cols, &rows, f == noveto_app::catalog::Format::Xlsx)
                    .map_err(|e| noveto_app::Error::bad("export_failed", e))
            },
        ),
    }
}

#[derive(Deserialize, JsonSchema)]
pub struct DrillQuery {
    pub month: Option<String>,
    pub quarter: Option<String>,
    pub year: Option<i32>,
    /// `vetoes`, `other_negative_endings`, `overdue`, `complaints`, `unresolved` or
    /// `flagged_replies`; all when left out.
    pub figure: Option<String>,
}

/// AS-1: the matters behind a unit's figure.
pub async fn drill(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(unit): ApiPath<i64>,
    ApiQuery(q): ApiQuery<DrillQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let pq = PeriodQuery { month: q.month, quarter: q.quarter, year: q.year, unit_id: None, format: None };
    let per = period(&pq, &s)?;
    let items = app::drill(&s, &p, per, unit, q.figure.as_deref()).await?;
    Ok(Json(json!({"unit_id": unit, "period": per.label(), "items": items})))
}

/// HCP-5: the quarter's satisfaction by unit and window.
pub async fn satisfaction(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Response> {
    let quarter = q.quarter.clone().unwrap_or_else(|| noveto_app::ratings::this_quarter(&s));
    let rows = noveto_app::ratings::breakdown(&s, &p, &quarter).await?;
    match q.format.as_deref() {
        Some("pdf") => pdf(crate::pages::forms::satisfaction_report(&quarter, &rows)),
        Some(f) if f != "json" => super::catalog::json_or_file(Some(f), &format!("满意度-{quarter}"), || json!({}), |f| noveto_app::ratings::breakdown_file(&rows, f)),
        _ => Ok(Json(json!({"quarter": quarter, "rows": rows.iter().map(|(n, f)| json!({"name": n, "figures": f})).collect::<Vec<_>>()})).into_response()),
    }
}
