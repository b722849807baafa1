//! The working-day calendar (CAL-1, CAL-2): due days and working days for anyone, a year's
//! days, importing a State Council notice and local overrides (administrators), and recomputing
//! every open deadline such a change moves.

use crate::cases::dues;
use crate::{App, Error, Principal, Result};
use chrono::{Datelike, NaiveDate};
use noveto_domain::access::{Action, may_somewhere};
use noveto_domain::calendar::{Calendar, Override, YearNotice, parse_notice_json, parse_toml};
use noveto_store::repo::calendar as repo;
use noveto_store::repo::{Ctx, cases as cases_repo, jobs};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// A day typed by a person: `YYYY-MM-DD`, or an error naming the field.
pub fn parse_day(field: &'static str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        let mut e = Error::bad(
            "invalid_date",
            format!("日期“{}”无效，格式应为 YYYY-MM-DD", s.chars().take(20).collect::<String>()),
        );
        e.field = Some(field);
        e
    })
}

/// The N-th working day after `from` (not counted) in a region's calendar, provisional where
/// no notice covers it yet.
pub fn due(s: &App, from: &str, working_days: u32, region: &str) -> Result<Value> {
    let from = parse_day("from", from)?;
    if working_days > 3650 {
        return Err(Error::bad("too_many_days", "working_days 不能超过 3650"));
    }
    let cal = s.calendar_for(region);
    let due = cal.due(from, working_days)?;
    // Provisional when any day counted lies in a year without an imported notice: the years
    // without one all come after the covered ones, so it is enough to look at the due day.
    let provisional = cal.is_provisional(due);
    Ok(json!({
        "from": from, "working_days": working_days, "due": due, "label": cal.label(due), "provisional": provisional,
        "note": provisional.then_some(noveto_domain::calendar::PROVISIONAL_NOTE),
    }))
}

pub fn working_day(s: &App, date: &str, region: &str) -> Result<Value> {
    let d = parse_day("date", date)?;
    let cal = s.calendar_for(region);
    Ok(
        json!({"date": d, "working": cal.is_working_day(d)?, "label": cal.label(d), "provisional": cal.is_provisional(d)}),
    )
}

/// A year's notices, holidays, weekday holidays and make-up working days.
pub fn year(s: &App, y: i32) -> Result<Value> {
    let cal = s.calendar();
    let (notice, provisional) = cal
        .year_as_answered(y)
        .map(|(n, p)| (n.clone(), p))
        .ok_or_else(|| Error::not_found(&format!("{y} 年的日历")))?;
    let first = NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(|| Error::not_found("年份"))?;
    let (mut off, mut make_up) = (vec![], vec![]);
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
        d = d.succ_opt().ok_or_else(Error::internal)?;
    }
    Ok(
        json!({"year": y, "provisional": provisional, "provisional_note": provisional.then_some(noveto_domain::calendar::PROVISIONAL_NOTE),
               "notices": notice.notices, "holidays": notice.holidays, "weekday_holidays": off, "make_up_working_days": make_up}),
    )
}

/// Parses a year file in either format: noveto's TOML, or the notice JSON
/// `{year, papers, days: [{name, date, isOffDay}]}`.
/// [`parse_years`] of an uploaded file.
pub fn parse_years_file(bytes: &[u8]) -> Result<Vec<YearNotice>> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| Error::bad("invalid_calendar", "文件须为 UTF-8 编码的 TOML 或 JSON"))?;
    parse_years(text)
}

pub fn parse_years(content: &str) -> Result<Vec<YearNotice>> {
    Ok(if content.trim_start().starts_with('{') { vec![parse_notice_json(content)?] } else { parse_toml(content)? })
}

/// The calendars in force, by region, before a change (to recompute deadlines against).
fn snapshot(s: &App) -> HashMap<String, Arc<Calendar>> {
    s.calendars.read().map(|m| m.clone()).unwrap_or_default()
}

/// CAL-2: after a calendar change, every open case whose deadlines move gets them recomputed —
/// saved with a timeline event and its audit entry, and its first contact told through the
/// outbox; then the 办不成事 matters (theirs move without a message). Returns how many cases
/// and matters changed. Page by page, one write per changed case, so that a
/// case changed meanwhile (version check) is simply left for its next save.
async fn recompute_open_deadlines(s: &App, old: &HashMap<String, Arc<Calendar>>) -> Result<usize> {
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
            let dues = dues(&case, &new_cal, &policy, now);
            let msg = jobs::Message {
                channel: "notify".into(),
                recipient: format!("staff:{}", case.first_contact_id),
                subject: format!("办件 {} 的期限因工作日历变更而调整", case.receipt_no),
                body: format!("办件 {}：{}", case.receipt_no, moved_text(&ev.detail())),
                dedupe: format!("recompute:{id}:{}", ctx.now),
            };
            let c2 = ctx.clone();
            let effects = [cases_repo::Effect::Notify(msg)];
            let saved =
                s.store.write(move |tx| cases_repo::apply(tx, &c2, id, version, &case, &ev, &dues, &effects)).await;
            match saved {
                Ok(_) => changed += 1,
                Err(noveto_store::StoreError::Conflict(_)) => {} // changed meanwhile; its own save recomputes
                Err(e) => return Err(e.into()),
            }
        }
    }
    // The 办不成事 desk's matters and the complaints keep their deadlines in step too.
    changed += crate::unresolved::recompute_open(s, &old_of).await?;
    changed += crate::complaints::recompute_open(s, &old_of).await?;
    Ok(changed)
}

/// "请示答复由 2027-02-10 调整为 2027-02-15；…" from a `deadlines_recomputed` event.
fn moved_text(detail: &Value) -> String {
    let moved = detail["moved"].as_array().cloned().unwrap_or_default();
    moved
        .iter()
        .map(|m| {
            format!(
                "{}由 {} 调整为 {}",
                noveto_domain::deadline::label_of(m["what"].as_str().unwrap_or("")),
                m["from"].as_str().unwrap_or(""),
                m["to"].as_str().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("；")
}

fn may_manage(p: Option<&Principal>, refused: &str) -> Result<()> {
    match p {
        Some(p) if !may_somewhere(&p.grants, Action::ManageCalendar) => Err(Error::forbidden(refused)),
        _ => Ok(()),
    }
}

/// Validates years against the current calendar, stores them, swaps the calendar in and
/// recomputes the open deadlines that move. `p` is None from the command line. Returns the
/// years imported and how many open cases had deadlines recomputed.
pub async fn import(s: &App, p: Option<&Principal>, years: Vec<YearNotice>) -> Result<(Vec<i32>, usize)> {
    may_manage(p, "无权导入日历：只有系统管理员可以导入")?;
    let old = snapshot(s);
    let mut cal = (*s.calendar()).clone();
    for y in &years {
        cal = cal.with_year(y.clone())?;
    }
    let ctx = Ctx { actor: p.map(|p| p.id), now: s.now_str() };
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
        m.insert(String::new(), Arc::new(cal));
    }
    s.reload_regions().await?;
    let recomputed = recompute_open_deadlines(s, &old).await?;
    Ok((years.iter().map(|y| y.year).collect(), recomputed))
}

/// A local override (a region's extra day off or working day, with its reason); open
/// deadlines it moves are recomputed. Returns how many cases changed.
pub async fn set_override(
    s: &App,
    p: &Principal,
    region: &str,
    date: &str,
    working: bool,
    reason: &str,
) -> Result<(NaiveDate, usize)> {
    may_manage(Some(p), "无权调整日历：只有系统管理员可以调整")?;
    let date = parse_day("date", date)?;
    s.calendar().is_working_day(date)?;
    let reason = noveto_domain::validate::text("reason", "调整原因", reason, 60)?;
    let o = Override { date, working, reason };
    let ctx = p.ctx(&s.now_str());
    let r2 = region.to_string();
    let old = snapshot(s);
    s.store.write(move |tx| repo::set_override(tx, &ctx, &r2, &o)).await?;
    s.reload_regions().await?;
    let n = recompute_open_deadlines(s, &old).await?;
    Ok((date, n))
}

/// The calendar a command-line reader sees: the built-in one plus a store's imported years and
/// a region's overrides.
pub async fn stored(store: &noveto_store::Store, region: &str) -> Result<Calendar> {
    let region = region.to_string();
    let (years, overrides) = store
        .read(move |tx| Ok::<_, noveto_store::StoreError>((repo::years(tx)?, repo::overrides(tx, &region)?)))
        .await?;
    let mut cal = Calendar::builtin();
    for y in years {
        cal = cal.with_year(y)?;
    }
    Ok(cal.with_overrides(overrides))
}
