//! Calendar routes (CAL-1).

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use chrono::{Datelike, NaiveDate};
use noveto_domain::access::{Action, may_somewhere};
use noveto_domain::calendar::Calendar;
use noveto_domain::calendar::{Override, YearNotice, parse_notice_json, parse_toml};
use noveto_store::repo::calendar as repo;
use noveto_store::repo::{Ctx, cases as cases_repo, jobs};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

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
    let (imported, recomputed) = import(&s, Some(p.id), years).await?;
    Ok(Json(json!({"imported": imported, "covered": s.calendar().covered(), "recomputed_cases": recomputed})))
}

/// The calendars in force, by region, before a change (to recompute deadlines against).
pub fn snapshot(s: &AppState) -> HashMap<String, Arc<Calendar>> {
    s.calendars.read().map(|m| m.clone()).unwrap_or_default()
}

/// CAL-2: after a calendar change, every open case whose deadlines move gets them recomputed —
/// saved with a timeline event and its audit entry, and its first contact told through the
/// outbox. Returns how many cases changed. Page by page, one write per changed case, so that a
/// case changed meanwhile (version check) is simply left for its next save.
pub async fn recompute_open_deadlines(s: &AppState, old: &HashMap<String, Arc<Calendar>>) -> ApiResult<usize> {
    let now = s.now();
    let ctx = Ctx { actor: None, now: noveto_domain::time::rfc3339(now) };
    let old_of = |region: &str| old.get(region).or_else(|| old.get("")).cloned();
    let (mut after, mut changed) = (0i64, 0usize);
    loop {
        let page = s.store.read(move |tx| cases_repo::open_cases_page(tx, after, 200)).await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        for (id, mut case, version, region) in page {
            let (Some(old_cal), new_cal) = (old_of(&region), s.calendar_for(&region)) else { continue };
            let Ok(Some(ev)) = case.recompute_deadlines(&old_cal, &new_cal, now) else { continue };
            let policy = s.policy_of(&case.policy_id, case.policy_version);
            let dues = crate::api::cases::dues(&case, &new_cal, &policy, now);
            let msg = jobs::Message {
                channel: "notify".into(),
                recipient: format!("staff:{}", case.first_contact_id),
                subject: format!("办件 {} 的期限因工作日历变更而调整", case.receipt_no),
                body: format!("办件 {}：{}", case.receipt_no, moved_text(&ev.detail())),
                dedupe: format!("recompute:{id}:{}", ctx.now),
            };
            let c2 = ctx.clone();
            let saved = s
                .store
                .write(move |tx| {
                    cases_repo::save(tx, &c2, id, version, &case, &ev, &dues)?;
                    jobs::enqueue(tx, &c2, &msg).map(|_| ())
                })
                .await;
            match saved {
                Ok(()) => changed += 1,
                Err(noveto_store::StoreError::Unique(_)) => {} // changed meanwhile; its own save recomputes
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(changed)
}

/// "请示答复 2027-02-10 → 2027-02-15；…" from a `deadlines_recomputed` event.
fn moved_text(detail: &Value) -> String {
    let moved = detail["moved"].as_array().cloned().unwrap_or_default();
    moved
        .iter()
        .map(|m| {
            format!(
                "{}由 {} 调整为 {}",
                crate::ui::what_label(m["what"].as_str().unwrap_or("")),
                m["from"].as_str().unwrap_or(""),
                m["to"].as_str().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// Validates years against the current calendar, stores them, and swaps the calendar in.
/// `actor` is the administrator (None from the command line). Returns the years imported and
/// how many open cases had deadlines recomputed.
pub async fn import(s: &AppState, actor: Option<i64>, years: Vec<YearNotice>) -> ApiResult<(Vec<i32>, usize)> {
    let old = snapshot(s);
    let mut cal = (*s.calendar()).clone();
    for y in &years {
        cal = cal.with_year(y.clone())?;
    }
    let ctx = Ctx { actor, now: s.now_str() };
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
    let recomputed = recompute_open_deadlines(s, &old).await?;
    Ok((years.iter().map(|y| y.year).collect(), recomputed))
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
    let old = snapshot(&s);
    s.store.write(move |tx| repo::set_override(tx, &ctx, &r2, &o2)).await?;
    s.reload_regions().await?;
    recompute_open_deadlines(&s, &old).await?;
    Ok(Json(json!({"region": region, "date": date, "working": o.working})))
}
