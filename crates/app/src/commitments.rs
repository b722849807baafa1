//! NV-6: kept commitments. A case approved on a written commitment (告知承诺) gets a verification
//! with the policy's deadline (`commitment_check_days`) in the approval's own write
//! (`cases::do_commitment`); whoever works at the case's place records what was found —
//! confirmed, or false with what was done (revocation, a credit record) — once; the checks are
//! listed and counted per unit.

use crate::{App, Error, Principal, Result};
use noveto_domain::access::{Action, Place};
use noveto_store::repo::commitments::{self as repo, Check, Finding};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultIn {
    /// true: the promised facts hold; false: the commitment was false.
    pub confirmed: bool,
    /// What was found.
    #[serde(default)]
    pub note: String,
    /// Required when false: what was done (撤销许可, 纳入信用记录 …).
    #[serde(default)]
    pub action: String,
}

/// Per unit: open (of which overdue), confirmed, false.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub open: usize,
    pub overdue: usize,
    pub confirmed: usize,
    pub r#false: usize,
}

async fn place(s: &App, c: &Check) -> Result<Place> {
    let (centers, _) = s.center_chain(c.center_id).await?;
    Ok(Place { centers, unit: c.unit_id, window: c.window_id })
}

/// The open checks and those decided in `month` (YYYY-MM) that the caller may read, with the
/// counts per unit.
pub async fn list(s: &App, p: &Principal, month: &str) -> Result<(Vec<Check>, BTreeMap<Option<i64>, Tally>)> {
    let first = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| Error::bad("invalid_month", "月份格式应为 YYYY-MM").at("month"))?;
    let next =
        first.checked_add_months(chrono::Months::new(1)).ok_or_else(|| Error::bad("invalid_month", "月份超出范围"))?;
    let (from, to) = (first.to_string(), next.to_string());
    let all = s.store.read(move |tx| repo::list(tx, &from, &to)).await?;
    let today = noveto_domain::time::local_date(s.now()).to_string();
    let mut out = vec![];
    let mut by_unit: BTreeMap<Option<i64>, Tally> = BTreeMap::new();
    for c in all {
        if p.may(Action::ReadCase, &place(s, &c).await?).is_err() {
            continue;
        }
        let t = by_unit.entry(c.unit_id).or_default();
        match c.status.as_str() {
            "open" => {
                t.open += 1;
                if c.due < today {
                    t.overdue += 1;
                }
            }
            "confirmed" => t.confirmed += 1,
            _ => t.r#false += 1,
        }
        out.push(c);
    }
    Ok((out, by_unit))
}

/// NV-6: the verification of a case's commitment, for a reader of the case (who may read it
/// because they read the case).
pub async fn of_case(s: &App, case_id: i64) -> Result<Option<Check>> {
    Ok(s.store.read(move |tx| repo::of_case(tx, case_id)).await?)
}

/// A form's choice of result: `1` the promise holds, `0` it was false.
pub fn confirmed_of(v: &str) -> Result<bool> {
    match v.trim() {
        "1" => Ok(true),
        "0" => Ok(false),
        _ => Err(Error::bad("result_required", "请选择核查结果：承诺属实或不实").at("confirmed")),
    }
}

pub fn not_found() -> Error {
    Error::not_found("承诺核查")
}

/// Records what the verification found (once).
pub async fn decide(s: &App, p: &Principal, id: i64, b: ResultIn) -> Result<Check> {
    let c = s.store.read(move |tx| repo::get(tx, id)).await?.ok_or_else(not_found)?;
    p.may(Action::WorkCase, &place(s, &c).await?)?;
    let note = b.note.trim().chars().take(2000).collect::<String>();
    let action = b.action.trim().chars().take(500).collect::<String>();
    if !b.confirmed && action.is_empty() {
        return Err(
            Error::bad("action_required", "承诺不实的，须写明处理措施（如撤销许可、纳入信用记录）").at("action")
        );
    }
    if note.chars().any(|ch| ch.is_control() && ch != '\n') || action.chars().any(char::is_control) {
        return Err(Error::bad("invalid_chars", "内容含有不可见控制字符"));
    }
    let ctx = p.ctx(&s.now_str());
    let f = Finding { note, action };
    s.store.write(move |tx| repo::decide(tx, &ctx, id, b.confirmed, &f)).await?;
    s.store.read(move |tx| repo::get(tx, id)).await?.ok_or_else(Error::internal)
}
