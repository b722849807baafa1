//! What the center reads at the end of a month (NV-15, NV-16, AS-1): the veto statistics — every
//! negative ending by unit, window, item and reason with the trend — the consistency of alike
//! requests, and the assessment of units and windows with the policy's weights, each figure
//! drillable to the matters behind it. Every figure is made of the same scoped reads as the
//! filings (`cases::visible_filings`, `cases::visible_other_endings`), so a report never counts
//! what its reader may not see.

use crate::{App, Error, Principal, Result};
use chrono::{Datelike, NaiveDate};
use noveto_domain::access::{Action, Place, may_somewhere};
use noveto_store::repo::assessment as repo;
use serde::Serialize;
use std::collections::BTreeMap;

/// How a matter with no catalog item, or no unit, reads in the reports.
pub const NO_ITEM: &str = "（未指定事项）";
pub const NO_UNIT: &str = "（未指定单位）";

/// The assessment's figures and what people call them.
pub const FIGURES: [(&str, &str); 6] = [
    ("vetoes", "否决"),
    ("other_negative_endings", "其他否定性办结"),
    ("overdue", "超期"),
    ("complaints", "吐槽找茬"),
    ("unresolved", "办不成事"),
    ("flagged_replies", "推诿用语"),
];

/// A figure's name for people.
pub fn figure_label(f: &str) -> &'static str {
    FIGURES.iter().find(|(k, _)| *k == f).map(|(_, l)| *l).unwrap_or("其他否定性办结")
}

/// A report's period: a month, a quarter or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Period {
    Month(i32, u32),
    Quarter(i32, u32),
    Year(i32),
}

impl Period {
    /// `month=YYYY-MM`, `quarter=YYYYQn` or `year=YYYY` (exactly one).
    pub fn parse(month: Option<&str>, quarter: Option<&str>, year: Option<i32>) -> Result<Period> {
        let bad = |f: &'static str, m: &str| Error::bad("invalid_period", m.to_string()).at(f);
        match (month.map(str::trim).filter(|x| !x.is_empty()), quarter.map(str::trim).filter(|x| !x.is_empty()), year) {
            (Some(m), None, None) => {
                let d = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
                    .map_err(|_| bad("month", "月份格式应为 2026-11"))?;
                Ok(Period::Month(d.year(), d.month()))
            }
            (None, Some(q), None) => {
                let (f, _) =
                    noveto_domain::rating::parse_quarter(q).ok_or_else(|| bad("quarter", "季度格式应为 2026Q4"))?;
                Ok(Period::Quarter(f.year(), (f.month() - 1) / 3 + 1))
            }
            (None, None, Some(y)) if (2000..=2100).contains(&y) => Ok(Period::Year(y)),
            _ => Err(bad("month", "请给出 month=2026-11、quarter=2026Q4 或 year=2026 之一")),
        }
    }
    /// The first day and the first day after.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
        match self {
            Period::Month(y, m) => (d(y, m), d(y, m).checked_add_months(chrono::Months::new(1)).unwrap_or_default()),
            Period::Quarter(y, q) => {
                let f = d(y, (q - 1) * 3 + 1);
                (f, f.checked_add_months(chrono::Months::new(3)).unwrap_or_default())
            }
            Period::Year(y) => (d(y, 1), d(y + 1, 1)),
        }
    }
    /// The months it spans, `YYYY-MM`.
    pub fn months(self) -> Vec<String> {
        let (mut f, t) = self.days();
        let mut v = vec![];
        while f < t {
            v.push(f.format("%Y-%m").to_string());
            f = f.checked_add_months(chrono::Months::new(1)).unwrap_or(t);
        }
        v
    }
    pub fn label(self) -> String {
        match self {
            Period::Month(y, m) => format!("{y}-{m:02}"),
            Period::Quarter(y, q) => format!("{y}Q{q}"),
            Period::Year(y) => y.to_string(),
        }
    }
}

/// A count by some key, with a link where people can act on it.
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub key: String,
    pub label: String,
    /// For a count by reason: the reason as written (the label is then the item's name).
    pub reason: Option<String>,
    pub count: usize,
    /// For a veto reason or item: how many of the requests were approved.
    pub approved: usize,
    pub link: Option<String>,
}

/// NV-15: the veto statistics of a period.
#[derive(Debug, Clone, Serialize)]
pub struct VetoReport {
    pub period: String,
    pub requested: usize,
    pub approved: usize,
    pub denied: usize,
    pub pending: usize,
    pub withdrawals: usize,
    pub not_required: usize,
    pub referrals: usize,
    pub kind_changes: usize,
    pub negative_answers: usize,
    pub by_unit: Vec<Count>,
    pub by_window: Vec<Count>,
    pub by_item: Vec<Count>,
    pub by_reason: Vec<Count>,
    /// The last six months: `(month, vetoes requested, vetoes approved, other negative endings)`.
    pub trend: Vec<(String, usize, usize, usize)>,
    /// NV-16: items where alike requests (same item, same reason) got different outcomes.
    pub inconsistent: Vec<Inconsistent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Inconsistent {
    pub item_code: String,
    pub item: String,
    pub reason: String,
    pub approved: Vec<String>,
    pub denied: Vec<String>,
}

fn ensure_reader(p: &Principal) -> Result<()> {
    if may_somewhere(&p.grants, Action::ReadFilings) { Ok(()) } else { Err(Error::forbidden("无权查看报表")) }
}

/// NV-16: what makes veto requests alike — the catalog item (`None`: none named) and the reason key.
type Alike = (Option<String>, String);

fn sorted(m: BTreeMap<String, Count>) -> Vec<Count> {
    let mut v: Vec<Count> = m.into_values().collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    v
}

/// The six months of a period's trend, up to its last month ("YYYY-MM").
fn trend_months(period: Period) -> Vec<String> {
    let (_, end) = period.days();
    let last = end.pred_opt().unwrap_or(end);
    (0..6)
        .rev()
        .map(|back| {
            NaiveDate::from_ymd_opt(last.year(), last.month(), 1)
                .and_then(|d| d.checked_sub_months(chrono::Months::new(back)))
                .unwrap_or(last)
                .format("%Y-%m")
                .to_string()
        })
        .collect()
}

/// The months a veto report reads: its trend's first (or its own first, if earlier) to its last.
fn span_of(period: Period) -> (String, String) {
    let months = period.months();
    let trend = trend_months(period);
    let first = months.first().cloned().unwrap_or_default().min(trend.first().cloned().unwrap_or_default());
    (first, months.last().cloned().unwrap_or_default())
}

/// What the veto reports and the assessment count, read once for a span of months and shared by
/// every report made of it (the month-end page makes three): the filings and the other negative
/// endings, each counted by the database per month and place, of what the caller may see.
struct Counted {
    filings: Vec<noveto_store::repo::cases::VetoGroup>,
    endings: Vec<noveto_store::repo::cases::EndingGroup>,
}

async fn counted(s: &App, p: &Principal, first: &str, last: &str) -> Result<Counted> {
    let (filings, endings) = tokio::try_join!(
        crate::cases::visible_veto_groups(s, p, first, last),
        crate::cases::visible_ending_groups(s, p, first, last)
    )?;
    Ok(Counted { filings, endings })
}

/// NV-15: the monthly summary or quarterly (or yearly) analysis of every negative ending the
/// caller may see.
pub async fn vetoes(s: &App, p: &Principal, period: Period) -> Result<VetoReport> {
    // Reports and searches may be served by the read replica (issue 27).
    noveto_store::may_lag(async move {
        ensure_reader(p)?;
        let (first, last) = span_of(period);
        let c = counted(s, p, &first, &last).await?;
        veto_report(s, p, period, &c).await
    })
    .await
}

/// The veto report of `period` from counted groups over a span that holds it and its trend.
async fn veto_report(s: &App, p: &Principal, period: Period, c: &Counted) -> Result<VetoReport> {
    let d = crate::org::directory(s).await?;
    let unit = |id: Option<i64>| {
        id.and_then(|u| d.units.iter().find(|x| x.id == u))
            .map(|u| u.name.clone())
            .unwrap_or_else(|| "（未指定单位）".into())
    };
    let window = |id: Option<i64>| {
        id.and_then(|w| d.windows.iter().find(|x| x.id == w)).map(|w| w.name.clone()).unwrap_or_else(|| "—".into())
    };
    let mut r = VetoReport {
        period: period.label(),
        requested: 0,
        approved: 0,
        denied: 0,
        pending: 0,
        withdrawals: 0,
        not_required: 0,
        referrals: 0,
        kind_changes: 0,
        negative_answers: 0,
        by_unit: vec![],
        by_window: vec![],
        by_item: vec![],
        by_reason: vec![],
        trend: vec![],
        inconsistent: vec![],
    };
    let mut units: BTreeMap<String, Count> = BTreeMap::new();
    let mut windows: BTreeMap<String, Count> = BTreeMap::new();
    let mut items: BTreeMap<String, Count> = BTreeMap::new();
    let mut reasons: BTreeMap<String, Count> = BTreeMap::new();
    let bump = |m: &mut BTreeMap<String, Count>,
                key: String,
                label: String,
                reason: Option<String>,
                (n, approved): (usize, usize),
                link: Option<String>| {
        let c = m.entry(key.clone()).or_insert(Count { key, label, reason, count: 0, approved: 0, link });
        c.count += n;
        c.approved += approved;
    };
    // (item, reason key) → (approved, denied): NV-16's alike requests.
    let mut alike: BTreeMap<Alike, (usize, usize)> = BTreeMap::new();
    let months = period.months();
    let (first, last_month) = (months.first().cloned().unwrap_or_default(), months.last().cloned().unwrap_or_default());
    // The period's filings counted by the database per place, item, reason and outcome, and
    // their items' names in one more read.
    let within = |m: &String| *m >= first && *m <= last_month;
    let groups: Vec<_> = c.filings.iter().filter(|g| within(&g.month)).collect();
    let mut codes: Vec<String> = groups.iter().filter_map(|g| g.item_code.clone()).collect();
    codes.sort();
    codes.dedup();
    let names = crate::catalog::item_names(s, codes).await?;
    for g in groups {
        let n = g.count.max(0) as usize;
        let approved = if g.outcome.as_deref() == Some("approved") { n } else { 0 };
        r.requested += n;
        match g.outcome.as_deref() {
            Some("approved") => r.approved += n,
            Some("denied") => r.denied += n,
            _ => r.pending += n,
        }
        bump(&mut units, format!("u{}", g.unit_id.unwrap_or(0)), unit(g.unit_id), None, (n, approved), None);
        bump(&mut windows, format!("w{}", g.window_id.unwrap_or(0)), window(g.window_id), None, (n, approved), None);
        let code = g.item_code.clone().unwrap_or_default();
        let name = if code.is_empty() {
            NO_ITEM.to_string()
        } else {
            names.get(&code).cloned().unwrap_or_else(|| code.clone())
        };
        // The frequent reasons link to the item's guide, to adjust it (CAT-3).
        let guide = (!code.is_empty()).then(|| format!("/admin/catalog/items/{code}"));
        bump(&mut items, code.clone(), name.clone(), None, (n, approved), guide.clone());
        let key = g.reason_key.clone();
        bump(&mut reasons, format!("{code}|{key}"), name, Some(key.clone()), (n, approved), guide);
        let e = alike.entry((g.item_code.clone(), key)).or_default();
        match g.outcome.as_deref() {
            Some("approved") => e.0 += n,
            Some("denied") => e.1 += n,
            _ => {}
        }
    }
    // The receipts behind the alike requests decided differently — only those are read.
    let differ: Vec<Alike> = alike.into_iter().filter(|(_, (a, d))| *a > 0 && *d > 0).map(|(k, _)| k).collect();
    let mut receipts: BTreeMap<Alike, (Vec<String>, Vec<String>)> = BTreeMap::new();
    if !differ.is_empty() {
        let rows = crate::cases::visible_alike(s, p, &first, &last_month, differ, Action::ReadFilings).await?;
        // Oldest first, as the filings were made.
        for x in rows.into_iter().rev() {
            let e = receipts.entry((x.item_code, x.reason_key)).or_default();
            let receipt = x.receipt_no.unwrap_or_default();
            if x.outcome == "approved" { e.0.push(receipt) } else { e.1.push(receipt) }
        }
    }
    // The other endings of the period, and the trend of the six months up to its last.
    for g in c.endings.iter().filter(|g| within(&g.month)) {
        let n = g.count as usize;
        match g.kind {
            "withdrawn" => r.withdrawals += n,
            "not_required" => r.not_required += n,
            "referred" => r.referrals += n,
            "changed_to_consultation" => r.kind_changes += n,
            _ => r.negative_answers += n,
        }
    }
    r.trend = crate::cases::trend_of(&c.filings, &c.endings, &trend_months(period));
    r.inconsistent = receipts
        .into_iter()
        .filter(|(_, (a, d))| !a.is_empty() && !d.is_empty())
        .map(|((code, reason), (approved, denied))| {
            let code = code.unwrap_or_default();
            Inconsistent {
                item: items.get(&code).map(|c| c.label.clone()).unwrap_or_default(),
                item_code: code,
                reason,
                approved,
                denied,
            }
        })
        .collect();
    r.by_unit = sorted(units);
    r.by_window = sorted(windows);
    r.by_item = sorted(items);
    r.by_reason = sorted(reasons);
    Ok(r)
}

/// NV-16: the earlier decisions on the same item and reason, for the approver deciding a veto:
/// `(receipt, outcome, legal basis)`, newest first, at most ten — of the cases the approver may
/// read (their window's or unit's, or the center's) — over the last `months` months.
pub async fn alike_decisions(
    s: &App,
    p: &Principal,
    item_code: Option<&str>,
    reason: &str,
    months: u32,
) -> Result<Vec<(String, String, String)>> {
    Ok(alike_decisions_for(s, p, &[(item_code, reason)], months).await?.pop().unwrap_or_default())
}

/// [`alike_decisions`] for several requests at once (an inbox page of them): the decided filings
/// of the months read once, not once per request and month.
pub async fn alike_decisions_for(
    s: &App,
    p: &Principal,
    asks: &[(Option<&str>, &str)],
    months: u32,
) -> Result<Vec<Vec<(String, String, String)>>> {
    if asks.is_empty() {
        return Ok(vec![]);
    }
    let today = noveto_domain::time::local_date(s.now());
    let this = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let first = this.checked_sub_months(chrono::Months::new(months.saturating_sub(1))).unwrap_or(this);
    let (first, last) = (first.format("%Y-%m").to_string(), this.format("%Y-%m").to_string());
    // Only the pairs asked about, through their index: the decided filings of the months would
    // grow with the hall.
    let keyed: Vec<(Option<String>, String)> =
        asks.iter().map(|(code, reason)| (code.map(str::to_string), noveto_domain::case::reason_key(reason))).collect();
    let mut pairs = keyed.clone();
    pairs.sort();
    pairs.dedup();
    // Newest first, of what the approver may read.
    let readable = crate::cases::visible_alike(s, p, &first, &last, pairs, Action::ReadCase).await?;
    Ok(keyed
        .iter()
        .map(|(item_code, key)| {
            readable
                .iter()
                .filter(|x| &x.item_code == item_code && &x.reason_key == key)
                .take(10)
                .map(|x| {
                    let outcome = if x.outcome == "approved" { "批准否决" } else { "不予否决" };
                    (x.receipt_no.clone().unwrap_or_default(), outcome.to_string(), x.legal_basis.clone())
                })
                .collect()
        })
        .collect())
}

/// AS-1: the figures of one unit or window.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Figures {
    pub vetoes: usize,
    pub other_negative_endings: usize,
    pub overdue: usize,
    pub complaints: usize,
    pub unresolved: usize,
    pub flagged_replies: usize,
    /// The composite satisfaction of the period's quarters, in percent (None: no ratings).
    pub satisfaction: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub name: String,
    pub score: f64,
    pub figures: Figures,
    /// FZ: named in the month's awards.
    pub award: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub period: String,
    pub units: Vec<Scored>,
    pub windows: Vec<Scored>,
    pub weights: noveto_domain::policy::AssessmentWeights,
    pub source: String,
}

/// One matter behind a figure.
#[derive(Debug, Clone, Serialize)]
pub struct Behind {
    pub figure: String,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub receipt_no: String,
    pub link: String,
}

/// Every matter behind the figures of `period` placed in `unit` that the caller may see.
async fn behind(s: &App, p: &Principal, period: Period, unit: i64) -> Result<Vec<Behind>> {
    ensure_reader(p)?;
    let (f, t, today) = bounds(s, period);
    let rows = s.store.read(move |tx| repo::counted(tx, &f, &t, &today, unit)).await?;
    let mut out = vec![];
    for r in rows {
        let (centers, _) = s.center_chain(r.center_id).await?;
        if p.may(Action::ReadFilings, &Place { centers, unit: r.unit_id, window: None }).is_ok() {
            out.push(Behind {
                figure: r.figure.into(),
                unit_id: r.unit_id,
                window_id: r.window_id,
                receipt_no: r.receipt_no,
                link: r.link,
            });
        }
    }
    // The other negative endings, from the same read as the roll-up.
    let mut ids = vec![];
    let mut others = vec![];
    let months = period.months();
    if let (Some(first), Some(last)) = (months.first(), months.last()) {
        for e in crate::cases::visible_other_endings_in(s, p, first, last).await? {
            if e.unit_id == Some(unit) {
                ids.push(e.case_id);
                others.push(e);
            }
        }
    }
    let receipts: BTreeMap<i64, String> =
        s.store.read(move |tx| repo::case_receipts(tx, &ids)).await?.into_iter().collect();
    for e in others {
        out.push(Behind {
            figure: "other_negative_endings".into(),
            unit_id: e.unit_id,
            window_id: e.window_id,
            receipt_no: receipts.get(&e.case_id).cloned().unwrap_or_default(),
            link: format!("/cases/{}", e.case_id),
        });
    }
    Ok(out)
}

/// The period's bounds as the figures compare them: its first instant, the first instant after
/// it (RFC 3339, +08:00), and today (overdue counts only deadlines already past).
fn bounds(s: &App, period: Period) -> (String, String, String) {
    let (from, to) = period.days();
    let today = noveto_domain::time::local_date(s.now()).to_string();
    (format!("{from}T00:00:00+08:00"), format!("{to}T00:00:00+08:00"), today)
}

/// Every unit's and window's figures of `period` that the caller may see, counted by the
/// database per (center, unit, window) and decided once per group with the place each of its
/// matters has in [`behind`] — the same figures the drill-down lists, without reading them.
/// `endings`: the other negative endings the caller may see, counted over a span that holds
/// `period` ([`crate::cases::visible_ending_groups`]).
async fn tallies(
    s: &App,
    p: &Principal,
    period: Period,
    endings: &[noveto_store::repo::cases::EndingGroup],
) -> Result<(BTreeMap<i64, Figures>, BTreeMap<i64, Figures>)> {
    ensure_reader(p)?;
    let (f, t, today) = bounds(s, period);
    let groups = s.store.read(move |tx| repo::counts(tx, &f, &t, &today)).await?;
    let mut units: BTreeMap<i64, Figures> = BTreeMap::new();
    let mut windows: BTreeMap<i64, Figures> = BTreeMap::new();
    let mut add = |unit: Option<i64>, window: Option<i64>, figure: &str, n: i64| {
        for f in
            unit.map(|u| units.entry(u).or_default()).into_iter().chain(window.map(|x| windows.entry(x).or_default()))
        {
            let n = n as usize;
            match figure {
                "vetoes" => f.vetoes += n,
                "overdue" => f.overdue += n,
                "complaints" => f.complaints += n,
                "unresolved" => f.unresolved += n,
                "flagged_replies" => f.flagged_replies += n,
                _ => f.other_negative_endings += n,
            }
        }
    };
    for (g, centers) in groups {
        if p.may(Action::ReadFilings, &Place { centers, unit: g.unit_id, window: None }).is_ok() {
            add(g.unit_id, g.window_id, g.figure, g.count);
        }
    }
    let months = period.months();
    for g in endings.iter().filter(|g| months.contains(&g.month)) {
        add(g.unit_id, g.window_id, "other_negative_endings", g.count);
    }
    Ok((units, windows))
}

fn score(f: &Figures, w: &noveto_domain::policy::AssessmentWeights) -> f64 {
    let mut s = w.base
        - w.veto * f.vetoes as f64
        - w.other_negative * f.other_negative_endings as f64
        - w.overdue * f.overdue as f64
        - w.complaint * f.complaints as f64
        - w.unresolved * f.unresolved as f64
        - w.flagged_reply * f.flagged_replies as f64;
    if let Some(sat) = f.satisfaction {
        s += w.satisfaction * (sat - w.satisfaction_line);
    }
    (s * 10.0).round() / 10.0
}

/// AS-1: the assessment of every unit and window the caller may see, with the policy's weights
/// and their source; `unit` narrows it to one unit.
pub async fn assessment(s: &App, p: &Principal, period: Period, unit: Option<i64>) -> Result<Assessment> {
    // Reports and searches may be served by the read replica (issue 27).
    noveto_store::may_lag(async move {
        ensure_reader(p)?;
        let months = period.months();
        let (first, last) = (months.first().cloned().unwrap_or_default(), months.last().cloned().unwrap_or_default());
        let (endings, ratings) =
            tokio::try_join!(crate::cases::visible_ending_groups(s, p, &first, &last), quarter_ratings(s, p, period))?;
        assessment_of(s, p, period, unit, &endings, &ratings.unwrap_or_default()).await
    })
    .await
}

/// What the center reads at the end of a month (the `/reports` page): the month's veto
/// statistics, its quarter's analysis, the month's assessment and the quarter's satisfaction.
#[derive(Debug, Serialize)]
pub struct MonthEnd {
    /// The month's quarter, `YYYYQn`.
    pub quarter: String,
    pub vetoes: VetoReport,
    pub quarter_vetoes: VetoReport,
    pub assessment: Assessment,
    /// HCP-5: the quarter's satisfaction per unit and window (none for a reader of no ratings).
    pub satisfaction: Vec<(String, crate::ratings::Figures)>,
}

/// The month-end reports of `month` made of one read of each kind of count: the filings and the
/// other endings over the months the two veto reports and the assessment span (their trends
/// included), and the quarter's ratings — the same figures as [`vetoes`], [`assessment`] and
/// [`crate::ratings::breakdown`] each give alone.
pub async fn month_end(s: &App, p: &Principal, month: &str) -> Result<MonthEnd> {
    noveto_store::may_lag(async move {
        ensure_reader(p)?;
        let period = Period::parse(Some(month), None, None)?;
        let Period::Month(y, m) = period else {
            return Err(Error::bad("invalid_period", "月份格式应为 2026-11").at("month"));
        };
        let quarter = Period::Quarter(y, (m - 1) / 3 + 1);
        let ((mf, _), (qf, ql)) = (span_of(period), span_of(quarter));
        let label = quarter.label();
        let first = mf.min(qf);
        let (c, ratings) = tokio::try_join!(counted(s, p, &first, &ql), quarter_ratings(s, p, quarter))?;
        let none = vec![];
        let (vetoes, quarter_vetoes, assessment, satisfaction) = tokio::try_join!(
            veto_report(s, p, period, &c),
            veto_report(s, p, quarter, &c),
            assessment_of(s, p, period, None, &c.endings, ratings.as_ref().unwrap_or(&none)),
            async {
                match &ratings {
                    Some(v) => crate::ratings::breakdown_of(s, &label, v).await,
                    None => Ok(vec![]),
                }
            }
        )?;
        Ok(MonthEnd { quarter: label.clone(), vetoes, quarter_vetoes, assessment, satisfaction })
    })
    .await
}

/// The quarters whose satisfaction a period's assessment takes.
fn quarters_of(period: Period) -> Vec<String> {
    match period {
        Period::Month(y, m) => vec![format!("{y}Q{}", (m - 1) / 3 + 1)],
        Period::Quarter(y, q) => vec![format!("{y}Q{q}")],
        Period::Year(y) => (1..=4).map(|q| format!("{y}Q{q}")).collect(),
    }
}

/// The ratings of the period's quarters the caller may read, counted, in one read (`None` for a
/// reader of no ratings: their assessment shows no satisfaction, their month-end page no
/// satisfaction card's rows).
async fn quarter_ratings(
    s: &App,
    p: &Principal,
    period: Period,
) -> Result<Option<Vec<noveto_store::repo::ratings::Tally>>> {
    let q = quarters_of(period);
    let (from, to) = (q.first().cloned().unwrap_or_default(), q.last().cloned().unwrap_or_default());
    Ok(crate::ratings::tallies(s, p, &from, &to).await.ok())
}

/// The assessment of `period` from the other endings counted over a span that holds it and the
/// ratings of its quarters.
async fn assessment_of(
    s: &App,
    p: &Principal,
    period: Period,
    unit: Option<i64>,
    endings: &[noveto_store::repo::cases::EndingGroup],
    ratings: &[noveto_store::repo::ratings::Tally],
) -> Result<Assessment> {
    let (mut units, mut windows) = tallies(s, p, period, endings).await?;
    let d = crate::org::directory(s).await?;
    let policy = s.policy();
    let w = policy.assessment_weights.clone();
    let quarters = quarters_of(period);
    // Every unit and window of the reader's scope is assessed, with or without matters.
    for u in &d.units {
        let (centers, _) = s.center_chain(u.center_id).await?;
        if p.may(Action::ReadFilings, &Place { centers, unit: Some(u.id), window: None }).is_ok() {
            units.entry(u.id).or_default();
        }
    }
    for x in d.windows.iter().filter(|x| x.kind == "window") {
        if let Some(u) = x.unit_id
            && units.contains_key(&u)
        {
            windows.entry(x.id).or_default();
        }
    }
    // Satisfaction: the composite of the period's quarters (their mean), per unit and window.
    let sat = |pred: &dyn Fn(&noveto_store::repo::ratings::Tally) -> bool| {
        let mut per = vec![];
        for q in &quarters {
            let v = ratings.iter().filter(|r| &r.quarter == q && pred(r));
            if let Some(c) = crate::ratings::satisfaction_of_tallies(v, &policy.rating).composite {
                per.push(c);
            }
        }
        (!per.is_empty()).then(|| per.iter().sum::<f64>() / per.len() as f64 * 100.0)
    };
    let mut unit_rows: Vec<Scored> = units
        .into_iter()
        .filter(|(u, _)| unit.is_none_or(|x| x == *u))
        .map(|(u, mut f)| {
            f.satisfaction = sat(&|r| r.unit_id == Some(u));
            Scored {
                unit_id: Some(u),
                window_id: None,
                name: d.units.iter().find(|x| x.id == u).map(|x| x.name.clone()).unwrap_or_default(),
                score: score(&f, &w),
                figures: f,
                award: false,
            }
        })
        .collect();
    let mut window_rows: Vec<Scored> = windows
        .into_iter()
        .filter_map(|(x, mut f)| {
            let win = d.windows.iter().find(|y| y.id == x)?;
            if unit.is_some_and(|u| win.unit_id != Some(u)) {
                return None;
            }
            f.satisfaction = sat(&|r| r.window_id == Some(x));
            Some(Scored {
                unit_id: win.unit_id,
                window_id: Some(x),
                name: win.name.clone(),
                score: score(&f, &w),
                figures: f,
                award: false,
            })
        })
        .collect();
    unit_rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
    window_rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
    // FZ: the month's awards go to the best windows.
    if matches!(period, Period::Month(..)) {
        for r in window_rows.iter_mut().take(w.monthly_awards as usize) {
            r.award = true;
        }
    }
    Ok(Assessment {
        period: period.label(),
        units: unit_rows,
        windows: window_rows,
        source: w.document.clone(),
        weights: w,
    })
}

/// AS-1: the matters behind one unit's figure (`vetoes`, `other_negative_endings`, `overdue`,
/// `complaints`, `unresolved`, `flagged_replies`), or all its figures.
pub async fn drill(s: &App, p: &Principal, period: Period, unit: i64, figure: Option<&str>) -> Result<Vec<Behind>> {
    // Reports and searches may be served by the read replica (issue 27).
    noveto_store::may_lag(async move {
        const FIGURES: [&str; 6] =
            ["vetoes", "other_negative_endings", "overdue", "complaints", "unresolved", "flagged_replies"];
        if let Some(f) = figure
            && !FIGURES.contains(&f)
        {
            return Err(Error::bad(
                "invalid_figure",
                "figure 须为 vetoes、other_negative_endings、overdue、complaints、unresolved、flagged_replies 之一",
            )
            .at("figure"));
        }
        Ok(behind(s, p, period, unit).await?.into_iter().filter(|b| figure.is_none_or(|f| b.figure == f)).collect())
    })
    .await
}

/// The veto report's tables as rows (the file and the PDF read the same).
/// A titled table: its title, column titles and rows.
pub type Table = (&'static str, Vec<&'static str>, Vec<Vec<String>>);

pub fn veto_tables(r: &VetoReport) -> Vec<Table> {
    let counts = |v: &[Count]| {
        v.iter()
            .map(|c| {
                let label = match &c.reason {
                    Some(r) => format!("{}：{r}", c.label),
                    None => c.label.clone(),
                };
                vec![label, c.count.to_string(), c.approved.to_string()]
            })
            .collect::<Vec<_>>()
    };
    vec![
        (
            "汇总",
            vec!["项目", "件数"],
            vec![
                vec!["否决报批".into(), r.requested.to_string()],
                vec!["批准否决".into(), r.approved.to_string()],
                vec!["不予否决".into(), r.denied.to_string()],
                vec!["审批中".into(), r.pending.to_string()],
                vec!["申请人书面撤回".into(), r.withdrawals.to_string()],
                vec!["依法无需办理".into(), r.not_required.to_string()],
                vec!["申请指引他处".into(), r.referrals.to_string()],
                vec!["申请改为咨询".into(), r.kind_changes.to_string()],
                vec!["否定性答复".into(), r.negative_answers.to_string()],
            ],
        ),
        ("按单位", vec!["单位", "否决报批", "批准否决"], counts(&r.by_unit)),
        ("按窗口", vec!["窗口", "否决报批", "批准否决"], counts(&r.by_window)),
        ("按事项", vec!["事项", "否决报批", "批准否决"], counts(&r.by_item)),
        ("按理由", vec!["事项与理由", "否决报批", "批准否决"], counts(&r.by_reason)),
        (
            "近六个月",
            vec!["月份", "否决报批", "批准否决", "其他否定性办结"],
            r.trend.iter().map(|(m, a, b, c)| vec![m.clone(), a.to_string(), b.to_string(), c.to_string()]).collect(),
        ),
        (
            "同等申请不同结果",
            vec!["事项", "理由", "批准否决", "不予否决"],
            r.inconsistent
                .iter()
                .map(|x| vec![x.item.clone(), x.reason.clone(), x.approved.join("、"), x.denied.join("、")])
                .collect(),
        ),
    ]
}

/// The assessment as rows.
pub fn assessment_rows(a: &Assessment) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let cols = vec![
        "对象",
        "类型",
        "得分",
        "否决",
        "其他否定性办结",
        "超期",
        "吐槽找茬",
        "办不成事",
        "推诿用语",
        "满意度",
        "月度评优",
    ];
    let row = |r: &Scored, kind: &str| {
        vec![
            r.name.clone(),
            kind.into(),
            format!("{:.1}", r.score),
            r.figures.vetoes.to_string(),
            r.figures.other_negative_endings.to_string(),
            r.figures.overdue.to_string(),
            r.figures.complaints.to_string(),
            r.figures.unresolved.to_string(),
            r.figures.flagged_replies.to_string(),
            r.figures.satisfaction.map(|x| format!("{x:.1}%")).unwrap_or_else(|| "无评价".into()),
            if r.award { "是".into() } else { String::new() },
        ]
    };
    let mut rows: Vec<Vec<String>> = a.units.iter().map(|r| row(r, "单位")).collect();
    rows.extend(a.windows.iter().map(|r| row(r, "窗口")));
    (cols, rows)
}

/// A workbook or CSV of several tables (one sheet-like block each, titled).
pub fn tables_file(title: &str, tables: &[Table], format: crate::catalog::Format) -> Result<Vec<u8>> {
    // One table: the blocks one after another, each with its title row and header.
    let width = tables.iter().map(|t| t.1.len()).max().unwrap_or(1);
    let mut rows: Vec<Vec<String>> = vec![];
    for (name, cols, data) in tables {
        let mut head = vec![format!("【{name}】")];
        head.resize(width, String::new());
        rows.push(head);
        let mut c: Vec<String> = cols.iter().map(|x| x.to_string()).collect();
        c.resize(width, String::new());
        rows.push(c);
        for r in data {
            let mut r = r.clone();
            r.resize(width, String::new());
            rows.push(r);
        }
        rows.push(vec![String::new(); width]);
    }
    let header: Vec<&str> = (0..width).map(|_| "").collect();
    crate::catalog_file::table(title, &header, &rows, format == crate::catalog::Format::Xlsx)
        .map_err(|e| Error::bad("export_failed", e))
}
