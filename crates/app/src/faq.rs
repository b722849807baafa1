//! The common-question library (FAQ-1 … FAQ-3): entries kept by those who manage the library at
//! a unit, searched by every clerk (each search logged, the used hit marked), monthly figures,
//! and answered consultations promoted into the library.

use crate::cases::{load, parse_month};
use crate::catalog::unit_place;
use crate::{App, Error, Principal, Result};
use noveto_domain::access::{Action, Place, may_somewhere};
use noveto_domain::validate::long_text;
use noveto_store::repo::{cases, faq};
use schemars::JsonSchema;
use serde::Deserialize;

pub use noveto_store::repo::faq::Faq;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqIn {
    pub question: String,
    pub answer: String,
    pub item_codes: Option<Vec<String>>,
    pub unit_id: Option<i64>,
    /// false retires the entry (PUT only).
    pub active: Option<bool>,
}

async fn may_edit(s: &App, p: &Principal, unit: Option<i64>) -> Result<()> {
    match unit {
        Some(u) => p.may(Action::ManageFaq, &unit_place(s, u).await?),
        None if may_somewhere(&p.grants, Action::ManageFaq) => Ok(()),
        None => Err(Error::forbidden("无权编辑问题咨询库")),
    }
}

fn fields(b: &FaqIn) -> Result<(String, String, Vec<String>)> {
    let q = long_text("question", "问题", &b.question, 500)?;
    let a = long_text("answer", "答案", &b.answer, 4000)?;
    let codes = b
        .item_codes
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    Ok((q, a, codes))
}

/// A new entry; returns its id.
pub async fn create(s: &App, p: &Principal, b: FaqIn) -> Result<i64> {
    let (q, a, codes) = fields(&b)?;
    may_edit(s, p, b.unit_id).await?;
    insert_entry(s, p, q, a, codes, b.unit_id, "manual".into()).await
}

/// Writes a new entry (already checked and authorized) and brings the index up to date.
async fn insert_entry(
    s: &App,
    p: &Principal,
    q: String,
    a: String,
    codes: Vec<String>,
    unit: Option<i64>,
    source: String,
) -> Result<i64> {
    let ctx = p.ctx(&s.now_str());
    let id = s
        .store
        .write(move |tx| {
            faq::insert(
                tx,
                &ctx,
                &faq::NewFaq { question: &q, answer: &a, item_codes: &codes, unit_id: unit, source: &source },
            )
        })
        .await?;
    s.search.follow(&s.store).await;
    Ok(id)
}

/// Changes an entry (or retires it with `active: false`); returns whether it stays active.
pub async fn update(s: &App, p: &Principal, id: i64, b: FaqIn) -> Result<bool> {
    let (q, a, codes) = fields(&b)?;
    let old = s.store.read(move |tx| faq::get(tx, id)).await?.ok_or_else(|| Error::not_found("问答"))?;
    may_edit(s, p, old.unit_id.or(b.unit_id)).await?;
    let ctx = p.ctx(&s.now_str());
    let (unit, active) = (b.unit_id.or(old.unit_id), b.active.unwrap_or(true));
    s.store
        .write(move |tx| {
            faq::update(
                tx,
                &ctx,
                id,
                &faq::NewFaq { question: &q, answer: &a, item_codes: &codes, unit_id: unit, source: "" },
                active,
            )
        })
        .await?;
    s.search.follow(&s.store).await;
    Ok(active)
}

/// One entry (any staff member may read the library).
pub async fn get(s: &App, id: i64) -> Result<Faq> {
    s.store.read(move |tx| faq::get(tx, id)).await?.ok_or_else(|| Error::not_found("问答"))
}

/// FAQ-1, FAQ-2: searches the library; every search is logged to measure the answer rate.
/// Returns the search's id (to mark the hit used) and the active hits, best first.
pub async fn search(s: &App, p: &Principal, q: &str, limit: usize) -> Result<(i64, Vec<(Faq, f32)>)> {
    let q = q.trim();
    if q.is_empty() {
        return Err(Error::bad("required", "请输入要查的问题"));
    }
    if q.chars().count() > 200 {
        return Err(Error::bad("too_long", "问题不能超过 200 个字"));
    }
    let hits = s.search.search_faq(q, limit);
    let ids: Vec<i64> = hits.iter().map(|h| h.id as i64).collect();
    let found = s.store.read(move |tx| faq::by_ids(tx, &ids)).await?;
    let list: Vec<(Faq, f32)> = hits
        .iter()
        .filter_map(|h| found.iter().find(|f| f.id as u64 == h.id && f.active).map(|f| (f.clone(), h.score)))
        .collect();
    let ctx = p.ctx(&s.now_str());
    let (q2, n, top) = (q.to_string(), list.len() as i64, list.first().map(|(f, _)| f.id));
    let sid = s.store.write(move |tx| faq::log_search(tx, &ctx, &q2, n, top)).await?;
    Ok((sid, list))
}

/// FAQ-2: the hit of one of the caller's searches was used to answer — on consultation
/// `case_id` when the clerk answered one (so that consultations answered from the library can be
/// told from those escalated), or at large.
pub async fn used(s: &App, p: &Principal, search_id: i64, faq_id: i64, case_id: Option<i64>) -> Result<()> {
    if let Some(c) = case_id {
        // Only a case the clerk may work is credited.
        load(s, p, c, Action::WorkCase).await?;
    }
    let (pid, now) = (p.id, s.now_str());
    let Some(question) = s.store.write(move |tx| faq::mark_used(tx, search_id, pid, faq_id, case_id, &now)).await?
    else {
        return Err(Error::not_found("检索记录"));
    };
    // The clerk's choice teaches the search (issue 13): here at once, elsewhere at the next sync.
    s.search.learn_faq(search_id, faq_id, &question);
    Ok(())
}

/// `YYYY-MM` → the month's first instant and the next month's, in RFC 3339 (Beijing time).
pub fn month_range(month: &str) -> Result<(String, String)> {
    let m = parse_month(month)?;
    let d = chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
        .map_err(|_| Error::bad("invalid_month", "月份无效"))?;
    let next = d.checked_add_months(chrono::Months::new(1)).ok_or_else(|| Error::bad("invalid_month", "月份无效"))?;
    Ok((format!("{d}T00:00:00+08:00"), format!("{next}T00:00:00+08:00")))
}

/// May the caller see the library's figures (the business section, those who keep the library)?
pub fn may_read_stats(p: &Principal) -> bool {
    may_somewhere(&p.grants, Action::ReadFilings) || may_somewhere(&p.grants, Action::ManageFaq)
}

/// FAQ-2: the answer rate and precision of a month, and the questions the library missed.
pub async fn stats(s: &App, p: &Principal, month: &str) -> Result<faq::Stats> {
    // Reports and searches may be served by the read replica (issue 27).
    noveto_store::may_lag(async move {
        if !may_read_stats(p) {
            return Err(Error::forbidden("无权查看问题咨询库统计"));
        }
        let (from, to) = month_range(month)?;
        Ok(s.store.read(move |tx| faq::stats(tx, &from, &to)).await?)
    })
    .await
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromoteIn {
    /// Defaults to the case's request.
    pub question: Option<String>,
    /// Defaults to the consultation's answer or the escalation's reply.
    pub answer: Option<String>,
}

/// FAQ-3: an answered consultation or a decided gray-area escalation becomes a library entry.
/// Returns the new entry's id.
pub async fn promote(s: &App, p: &Principal, case_id: i64, b: PromoteIn) -> Result<i64> {
    let l = load(s, p, case_id, Action::ReadCase).await?;
    p.may(Action::ManageFaq, &l.place).or_else(|_| {
        let unit_place = Place { centers: l.place.centers.clone(), unit: l.case.unit_id, window: None };
        p.may(Action::ManageFaq, &unit_place)
    })?;
    let tl = s.store.read(move |tx| cases::timeline(tx, case_id)).await?;
    let found_answer = tl
        .iter()
        .rev()
        .find_map(|e| match e.kind.as_str() {
            "escalation_answered" => e.detail["answer"].as_str().map(String::from),
            "closed" => e.detail["note"].as_str().map(String::from),
            _ => None,
        })
        .filter(|a| !a.trim().is_empty());
    let answer = b
        .answer
        .or(found_answer)
        .ok_or_else(|| Error::conflict("no_answer", "该办件还没有答复，无法收入问题咨询库"))?;
    let question = b.question.unwrap_or_else(|| l.case.request.clone());
    let q = long_text("question", "问题", &question, 500)?;
    let a = long_text("answer", "答案", &answer, 4000)?;
    let codes: Vec<String> = l.case.item_code.clone().into_iter().collect();
    insert_entry(s, p, q, a, codes, l.case.unit_id, format!("case:{case_id}")).await
}
