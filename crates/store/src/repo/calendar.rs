//! Calendar years imported after the build (each November's notice) and local overrides.

use super::{Ctx, audit};
use crate::{Result, Tx, params};
use noveto_domain::calendar::{Override, YearNotice};
use serde_json::json;

pub fn save_year(tx: &mut dyn Tx, ctx: &Ctx, y: &YearNotice) -> Result<()> {
    let doc = serde_json::to_string(y).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
    tx.exec(
        "INSERT INTO calendar_years (year, doc) VALUES ($1, $2) ON CONFLICT (year) DO UPDATE SET doc = excluded.doc",
        params![y.year as i64, doc],
    )?;
    audit::append(tx, ctx, "calendar.import", "calendar", y.year as i64, &json!({"year": y.year, "notices": y.notices}))
}

pub fn years(tx: &mut dyn Tx) -> Result<Vec<YearNotice>> {
    tx.query("SELECT doc FROM calendar_years ORDER BY year", &[])?.iter().map(|r| r.json(0)).collect()
}

pub fn set_override(tx: &mut dyn Tx, ctx: &Ctx, region: &str, o: &Override) -> Result<()> {
    tx.exec(
        "INSERT INTO calendar_overrides (region, day, working, reason) VALUES ($1, $2, $3, $4)
         ON CONFLICT (region, day) DO UPDATE SET working = excluded.working, reason = excluded.reason",
        params![region, o.date.to_string(), o.working, o.reason.as_str()],
    )?;
    audit::append(
        tx,
        ctx,
        "calendar.override",
        "calendar",
        0,
        &json!({"region": region, "date": o.date, "working": o.working, "reason": o.reason}),
    )
}

/// The regions that have local overrides.
pub fn regions(tx: &mut dyn Tx) -> Result<Vec<String>> {
    Ok(tx
        .query("SELECT DISTINCT region FROM calendar_overrides ORDER BY region", &[])?
        .iter()
        .map(|r| r.str(0))
        .collect())
}

pub fn overrides(tx: &mut dyn Tx, region: &str) -> Result<Vec<Override>> {
    Ok(tx
        .query("SELECT day, working, reason FROM calendar_overrides WHERE region = $1 ORDER BY day", params![region])?
        .iter()
        .filter_map(|r| Some(Override { date: r.str(0).parse().ok()?, working: r.bool(1), reason: r.str(2) }))
        .collect())
}
