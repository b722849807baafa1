//! Calendar routes (CAL-1).

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use chrono::{Datelike, NaiveDate};
use noveto_domain::access::{Action, may_somewhere};
use noveto_domain::calendar::{Override, YearNotice, parse_notice_json, parse_toml};
use noveto_store::repo::calendar as repo;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn parse_day(field: &'static str, s: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        let mut e = ApiError::bad(
            "invalid_date",
            format!("日期“{}”无效，格式应为 YYYY-MM-DD", s.chars().take(20).collect::<String>()),
        );
        e.field = Some(field);
        e
    })
}

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
    let from = parse_day("from", &q.from)?;
    let n = q.working_days.unwrap_or(0);
    if n > 3650 {
        return Err(ApiError::bad("too_many_days", "working_days 不能超过 3650"));
    }
    let cal = s.calendar_for(q.region.as_deref().unwrap_or(""));
    let due = cal.due(from, n)?;
    // Provisional when any day counted lies in a year without an imported notice: the years
    // without one all come after the covered ones, so it is enough to look at the due day.
    let provisional = cal.is_provisional(due);
    Ok(Json(json!({
        "from": from, "working_days": n, "due": due, "label": cal.label(due), "provisional": provisional,
        "note": provisional.then_some(noveto_domain::calendar::PROVISIONAL_NOTE),
    })))
}

#[derive(Deserialize, JsonSchema)]
pub struct DayQuery {
    pub date: String,
    pub region: Option<String>,
}

pub async fn working_day(State(s): State<AppState>, ApiQuery(q): ApiQuery<DayQuery>) -> ApiResult<Json<Value>> {
    let d = parse_day("date", &q.date)?;
    let cal = s.calendar_for(q.region.as_deref().unwrap_or(""));
    Ok(Json(
        json!({"date": d, "working": cal.is_working_day(d)?, "label": cal.label(d), "provisional": cal.is_provisional(d)}),
    ))
}

pub async fn year(State(s): State<AppState>, ApiPath(y): ApiPath<i32>) -> ApiResult<Json<Value>> {
    let cal = s.calendar();
    let notice = cal.year(y).cloned().ok_or_else(|| ApiError::not_found(&format!("{y} 年的日历")))?;
    let first = NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(|| ApiError::not_found("年份"))?;
    let mut off = vec![];
    let mut make_up = vec![];
    let mut d = first;
    while d.year() == y {
        let w = cal.is_working_day(d)?;
        let weekend = d.weekday().number_from_monday() >= 6;
        if !w && !weekend {
            off.push(d);
        }
        if w && weekend {
            make_up.push(d);
        }
        d = d.succ_opt().ok_or_else(ApiError::internal)?;
    }
    Ok(Json(
        json!({"year": y, "notices": notice.notices, "holidays": notice.holidays, "weekday_holidays": off, "make_up_working_days": make_up}),
    ))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportIn {
    /// The notice in noveto's TOML format or the JSON format `{year, papers, days: [{name, date, isOffDay}]}`.
    pub content: String,
}

/// Parses a year file in either format.
pub fn parse_years(content: &str) -> Result<Vec<YearNotice>, noveto_domain::calendar::CalendarError> {
    if content.trim_start().starts_with('{') {
        parse_notice_json(content).map(|y| vec![y])
    } else {
        parse_toml(content)
    }
}

pub async fn import_year(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<ImportIn>,
) -> ApiResult<Json<Value>> {
    if !may_somewhere(&p.grants, Action::ManageCalendar) {
        return Err(ApiError::forbidden("无权导入日历：只有系统管理员可以导入"));
    }
    let years = parse_years(&b.content)?;
    let imported = import(&s, &p, years).await?;
    Ok(Json(json!({"imported": imported, "covered": s.calendar().covered()})))
}

/// Validates years against the current calendar, stores them, and swaps the calendar in.
pub async fn import(s: &AppState, p: &Principal, years: Vec<YearNotice>) -> ApiResult<Vec<i32>> {
    let mut cal = (*s.calendar()).clone();
    for y in &years {
        cal = cal.with_year(y.clone())?;
    }
    let ctx = p.ctx(&s.now_str());
    let ys = years.clone();
    s.store
        .write(move |tx| {
            for y in &ys {
                repo::save_year(tx, &ctx, y)?;
            }
            Ok::<_, noveto_store::StoreError>(())
        })
        .await?;
    if let Ok(mut m) = s.calendars.write() {
        m.insert(String::new(), std::sync::Arc::new(cal));
    }
    s.reload_regions().await?;
    Ok(years.iter().map(|y| y.year).collect())
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
    if !may_somewhere(&p.grants, Action::ManageCalendar) {
        return Err(ApiError::forbidden("无权调整日历：只有系统管理员可以调整"));
    }
    let date = parse_day("date", &b.date)?;
    s.calendar().is_working_day(date)?;
    let reason = noveto_domain::validate::text("reason", "调整原因", &b.reason, 60)?;
    let region = b.region.unwrap_or_default();
    let o = Override { date, working: b.working, reason };
    let ctx = p.ctx(&s.now_str());
    let (r2, o2) = (region.clone(), o.clone());
    s.store.write(move |tx| repo::set_override(tx, &ctx, &r2, &o2)).await?;
    s.reload_regions().await?;
    Ok(Json(json!({"region": region, "date": date, "working": o.working})))
}
