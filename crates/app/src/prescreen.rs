//! NV-12: pre-screening (预判). At the consultation desk, or any window before registering, the
//! person's materials are ticked against the catalog's list for the item; what is missing comes
//! back at once with how to get it, on a list that can be printed. Each pre-screening is kept,
//! counted per window as guidance given, and — when the matter is registered from it — linked to
//! the case, whose acceptance form then starts from what was ticked (nothing typed twice).

use crate::{App, Error, Principal, Result};
use noveto_domain::access::{Action, Place};
use noveto_domain::prescreen::{Required, check};
use noveto_store::repo::prescreens::{self as repo, Prescreen};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrescreenIn {
    /// The catalog item the person came for.
    pub item_code: String,
    /// The names of the catalog's materials the person brought.
    #[serde(default)]
    pub brought: Vec<String>,
    /// The desk or window; defaults to the caller's.
    pub window_id: Option<i64>,
}

/// The catalog's materials of an item as the pre-screening asks for them.
pub fn required_of(item: &noveto_store::repo::items::Item) -> Vec<Required> {
    item.materials
        .iter()
        .map(|m| {
            let how =
                [m.sample.trim(), m.common_errors.trim()].into_iter().filter(|x| !x.is_empty()).collect::<Vec<_>>();
            Required { name: m.name.clone(), main: m.main, how_to_fix: how.join("；") }
        })
        .collect()
}

/// A window's place and its center.
async fn place_of_window(s: &App, window_id: i64) -> Result<(Place, i64)> {
    let (w, centers, _) = s.window_place(window_id).await?.ok_or_else(|| Error::not_found("窗口"))?;
    Ok((Place { centers, unit: w.unit_id, window: Some(w.id) }, w.center_id))
}

/// Records a pre-screening at the caller's desk or window and returns it with what is missing.
pub async fn record(s: &App, p: &Principal, b: PrescreenIn) -> Result<Prescreen> {
    let code = b.item_code.trim().to_string();
    if code.is_empty() {
        return Err(Error::bad("item_required", "请选择要办理的事项").at("item_code"));
    }
    let item = crate::catalog::get_item(s, &code)
        .await?
        .ok_or_else(|| Error::bad("unknown_item", format!("事项库中没有事项编码“{code}”")).at("item_code"))?;
    let window_id = match b.window_id.or_else(|| p.own_window()) {
        Some(w) => w,
        None => return Err(Error::bad("window_required", "请填写预判所在的窗口或咨询台 window_id").at("window_id")),
    };
    let (place, center) = place_of_window(s, window_id).await?;
    p.may(Action::WorkCase, &place)?;
    let outcome = check(&required_of(&item), &b.brought);
    let ctx = p.ctx(&s.now_str());
    let o = outcome.clone();
    let id = s.store.write(move |tx| repo::insert(tx, &ctx, center, Some(window_id), &code, &o)).await?;
    get(s, p, id).await
}

/// One pre-screening, for those who work at its window's place.
pub async fn get(s: &App, p: &Principal, id: i64) -> Result<Prescreen> {
    let ps = s.store.read(move |tx| repo::get(tx, id)).await?.ok_or_else(|| Error::not_found("预判记录"))?;
    match ps.window_id {
        Some(w) => p.may(Action::WorkCase, &place_of_window(s, w).await?.0)?,
        None => return Err(Error::not_found("预判记录")),
    }
    Ok(ps)
}

/// Links the pre-screening to the case just registered from it (the caller registered it).
pub async fn link(s: &App, p: &Principal, id: i64, case_id: i64) -> Result<()> {
    get(s, p, id).await?;
    let ctx = p.ctx(&s.now_str());
    s.store.write(move |tx| repo::link_case(tx, &ctx, id, case_id)).await?;
    Ok(())
}

/// The pre-screening a case was registered from (its acceptance form starts from it).
pub async fn of_case(s: &App, case_id: i64) -> Result<Option<Prescreen>> {
    Ok(s.store.read(move |tx| repo::of_case(tx, case_id)).await?)
}

/// This month's pre-screenings at a window, and how many became cases.
pub async fn this_month(s: &App, window_id: i64) -> Result<(i64, i64)> {
    let today = noveto_domain::time::local_date(s.now());
    let first = chrono::Datelike::with_day0(&today, 0).unwrap_or(today);
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
    let (from, to) = (first.to_string(), next.to_string());
    Ok(s.store.read(move |tx| repo::count_at_window(tx, window_id, &from, &to)).await?)
}
