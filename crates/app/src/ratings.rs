//! HCP: 好差评 ratings on the one ticket path. A rating is given once per service on the window's
//! device or by the same-day SMS (HCP-2, 409 `already_rated` for a second), and by the quarterly
//! callback to a reproducible sample; an unsatisfied one opens its rectification in the same
//! write (HCP-6). The rater is seen by the supervision section only; the rated staff never learn
//! who rated — not on a screen, in a file or a message.

use crate::tickets::{self, AppTicket, Loaded, View};
use crate::{App, Error, Principal, Result};
use chrono::NaiveDate;
use noveto_domain::access::{Action, Place, Relation, may_somewhere};
use noveto_domain::rating::{
    Channel, Dimension, Level, NewRating, Rater, Rating, RatingError, Satisfaction, Service, parse_quarter, quarter_of,
};
use noveto_domain::rectification::{NewRectification, Origin, Person, Rectification};
use noveto_domain::ticket::Facts;
use noveto_store::StoreError;
use noveto_store::repo::ratings as repo;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

impl From<RatingError> for Error {
    fn from(e: RatingError) -> Error {
        Error::bad(e.code(), e.to_string()).at("level")
    }
}

impl AppTicket for Rating {
    fn center_id(&self) -> i64 {
        self.center_id
    }
    fn receipt(&self) -> &str {
        &self.receipt_no
    }
    fn unit(&self) -> Option<i64> {
        self.unit_id
    }
    fn policy_ref(&self) -> (&str, u32) {
        ("", 0)
    }
    fn place(&self, centers: Vec<i64>) -> Place {
        Place { centers, unit: self.unit_id, window: self.window_id }
    }
    /// The rater is the supervision section's to see, whoever else reads the rating.
    fn relation(&self, _p: &Principal, _l: &Loaded<Self>) -> Relation {
        Relation { works_it: false, confidential: true }
    }
    fn may_read(p: &Principal, l: &Loaded<Self>) -> Result<()> {
        p.may(Action::ReadRatings, &l.place)
    }
    fn authorize(_p: &Principal, _l: &Loaded<Self>, a: noveto_domain::rating::Offer) -> Result<()> {
        match a {}
    }
}

/// What a rating is about, found from the service it names.
struct Served {
    service: Service,
    center_id: i64,
    unit_id: Option<i64>,
    window_id: Option<i64>,
    staff_id: Option<i64>,
    receipt: String,
    person: Rater,
}

async fn served(s: &App, service: Service) -> Result<Served> {
    let found = s
        .store
        .read(move |tx| {
            Ok::<_, StoreError>(match service {
                Service::Case(id) => noveto_store::repo::cases::get(tx, id)?.map(|(c, _)| Served {
                    service,
                    center_id: c.center_id,
                    unit_id: c.unit_id,
                    window_id: c.window_id,
                    staff_id: Some(c.first_contact_id),
                    receipt: c.receipt_no.clone(),
                    person: Rater { name: c.applicant.name.clone(), phone: c.applicant.phone.clone() },
                }),
                Service::Unresolved(id) => noveto_store::repo::unresolved::get(tx, id)?.map(|u| Served {
                    service,
                    center_id: u.center_id,
                    unit_id: u.unit_id,
                    window_id: u.desk_id,
                    staff_id: u.answered_by.or(u.registered_by),
                    receipt: u.receipt_no.clone(),
                    person: Rater { name: u.reporter.name.clone(), phone: u.reporter.phone.clone() },
                }),
                Service::Complaint(id) => noveto_store::repo::complaints::get(tx, id)?.map(|c| Served {
                    service,
                    center_id: c.center_id,
                    unit_id: c.lead,
                    window_id: c.window_id,
                    staff_id: c.replied_by,
                    receipt: c.receipt_no.clone(),
                    person: Rater { name: c.complainant.name.clone(), phone: c.complainant.phone.clone() },
                }),
            })
        })
        .await?;
    found.ok_or_else(|| Error::bad("unknown_service", "所评价的办件、办不成事反映或吐槽找茬不存在").at("case_id"))
}

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RatingIn {
    pub case_id: Option<i64>,
    pub unresolved_id: Option<i64>,
    pub complaint_id: Option<i64>,
    /// `device`, `sms` or `callback`.
    pub channel: String,
    /// `satisfied`/`unsatisfied` on the two-level scale; 1–5 (5 = 非常满意) on the five-level one.
    /// For a callback that did not reach the person, leave it out and send `reached: false`.
    #[serde(default)]
    pub level: Option<serde_json::Value>,
    /// Levels per dimension: `attitude`, `efficiency`, `discipline`, `language`, `appearance`.
    #[serde(default)]
    pub dimensions: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    pub comment: Option<String>,
    /// A callback: whether the person was reached (an effective call).
    #[serde(default)]
    pub reached: Option<bool>,
}

/// A rating given: its id, and the rectification it opened when unsatisfied.
#[derive(Serialize, Debug)]
pub struct Rated {
    pub id: i64,
    pub receipt_no: String,
    pub satisfied: Option<bool>,
    pub rectification_id: Option<i64>,
}

fn service_of(b: &RatingIn) -> Result<Service> {
    match (b.case_id, b.unresolved_id, b.complaint_id) {
        (Some(c), None, None) => Ok(Service::Case(c)),
        (None, Some(u), None) => Ok(Service::Unresolved(u)),
        (None, None, Some(c)) => Ok(Service::Complaint(c)),
        _ => Err(Error::bad("service_required", "请指明所评价的一项服务：case_id、unresolved_id 或 complaint_id 之一")
            .at("case_id")),
    }
}

fn levels(s: &App, b: &RatingIn, channel: Channel) -> Result<(Option<Level>, BTreeMap<Dimension, Level>)> {
    let scale = s.policy().rating.scale;
    let bad = || Error::from(RatingError::BadLevel);
    let level = match (&b.level, channel, b.reached) {
        (None, Channel::Callback, Some(false)) => None,
        (Some(_), Channel::Callback, Some(false)) => {
            return Err(Error::bad("invalid_level", "未接通的回访不填写评价等级").at("level"));
        }
        (Some(v), _, _) => Some(Level::parse(scale, v).ok_or_else(bad)?),
        (None, _, _) => return Err(bad()),
    };
    let mut dims = BTreeMap::new();
    for (k, v) in b.dimensions.clone().unwrap_or_default() {
        let d = Dimension::parse(&k).ok_or_else(|| {
            Error::bad("invalid_dimension", "评价维度须为服务态度、办事效率、工作纪律、服务用语、仪表形象之一")
                .at("dimensions")
        })?;
        dims.insert(d, Level::parse(scale, &v).ok_or_else(bad)?);
    }
    Ok((level, dims))
}

/// HCP-2, HCP-3: a rating through the API: on the device by the window's staff (its device),
/// by SMS or callback by the supervision section (the platform's relay, the callers).
pub async fn rate(s: &App, p: &Principal, b: RatingIn) -> Result<Rated> {
    let channel = Channel::parse(b.channel.trim()).ok_or_else(|| {
        Error::bad("invalid_channel", "评价渠道须为 device（评价器）、sms（短信）或 callback（电话回访）").at("channel")
    })?;
    let service = service_of(&b)?;
    let sv = served(s, service).await?;
    let (centers, _) = s.center_chain(sv.center_id).await?;
    let place = Place { centers, unit: sv.unit_id, window: sv.window_id };
    match channel {
        Channel::Device => p.may(Action::RateOnDevice, &place)?,
        Channel::Sms | Channel::Callback => p.may(Action::RecordRating, &place)?,
    }
    give(s, Some(p.id), sv, channel, &b).await
}

/// The one way a rating is written: once per service on the device or by SMS; unsatisfied, with
/// its rectification in the same write.
async fn give(s: &App, by: Option<i64>, sv: Served, channel: Channel, b: &RatingIn) -> Result<Rated> {
    let (level, dimensions) = levels(s, b, channel)?;
    let comment = b.comment.clone().unwrap_or_default();
    if channel.once() {
        let (k, id) = (sv.service.kind(), sv.service.id());
        if s.store.read(move |tx| repo::rated_once(tx, k, id)).await? {
            return Err(already_rated());
        }
    }
    let real_name = channel != Channel::Device;
    let bad = level.is_some_and(|l| !l.satisfied());
    let n = NewRating {
        center_id: sv.center_id,
        unit_id: sv.unit_id,
        window_id: sv.window_id,
        staff_id: sv.staff_id,
        service: sv.service,
        service_receipt: sv.receipt.clone(),
        channel,
        level,
        dimensions,
        comment: comment.clone(),
        rater: real_name.then(|| sv.person.clone()),
    };
    // HCP-6: the rectification of a bad rating, decided with the rating's facts and written with it.
    let (_, region) = s.center_chain(sv.center_id).await?;
    let (policy, calendar, now) = (s.policy(), s.calendar_for(&region), s.now());
    let assignee = match sv.unit_id {
        Some(u) if bad => crate::unresolved::contact_of(s, u).await.ok().map(|c| c.1),
        _ => None,
    };
    let (unit, center, receipt) = (sv.unit_id, sv.center_id, sv.receipt.clone());
    let person = real_name.then(|| Person { name: sv.person.name.clone(), phone: sv.person.phone.clone() });
    let label = level.map(|l| l.label()).unwrap_or_default();
    let made = tickets::open_with::<Rating>(s, by, sv.center_id, n, move |tx, ctx, saved| {
        let (Some(unit), true) = (unit, bad) else { return Ok(()) };
        let f = Facts { by, now, policy: &policy, calendar: &calendar };
        let r = NewRectification {
            center_id: center,
            unit_id: unit,
            assignee,
            origin: Origin::Rating { rating_id: saved.id, real_name },
            // A real-name rater's service stays with the supervision section (its receipt number
            // would lead the unit to the person); a device rating was given at the window anyway.
            problem: format!(
                "“{label}”评价（{}）：{}",
                if real_name { "实名评价，由监督监察科回访" } else { receipt.as_str() },
                if comment.trim().is_empty() { "未留意见" } else { comment.trim() }
            ),
            person,
            due: None,
        };
        let d = noveto_domain::ticket::open::<Rectification>(r, &f).map_err(|e| StoreError::Invalid(e.to_string()))?;
        noveto_store::repo::tickets::insert(tx, ctx, &d).map(|_| ())
    })
    .await;
    let saved = match made {
        Err(e) if e.code == "conflict" => return Err(already_rated()),
        r => r?,
    };
    let id = saved.id;
    let rect = if bad { s.store.read(move |tx| repo::rectification_of(tx, id)).await?.map(|r| r.id) } else { None };
    Ok(Rated { id, receipt_no: saved.receipt_no.clone(), satisfied: saved.satisfied(), rectification_id: rect })
}

fn already_rated() -> Error {
    Error::conflict("already_rated", "这项服务已经评价过了，每项服务只评价一次")
}

// ---------- SMS invitations (HCP-3) ----------

/// The key that signs rating links, made once and kept in the store.
async fn token_key(s: &App) -> Result<Vec<u8>> {
    let found = s.store.read(|tx| noveto_store::repo::get_meta(tx, "rating_token_key")).await?;
    if let Some(k) = found {
        return Ok(hex_decode(&k));
    }
    let k: String = (0..32).map(|_| format!("{:02x}", rand::random::<u8>())).collect();
    let ctx = noveto_store::repo::Ctx { actor: None, now: s.now_str() };
    let k2 = k.clone();
    s.store
        .write(move |tx| {
            // Another server may have made it first: keep theirs.
            if noveto_store::repo::get_meta(tx, "rating_token_key")?.is_none() {
                noveto_store::repo::set_meta(tx, &ctx, "rating_token_key", &k2)?;
            }
            Ok::<_, StoreError>(())
        })
        .await?;
    let k = s.store.read(|tx| noveto_store::repo::get_meta(tx, "rating_token_key")).await?.unwrap_or(k);
    Ok(hex_decode(&k))
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len() / 2).filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()).collect()
}

fn sign(key: &[u8], text: &str) -> String {
    noveto_domain::audit::hmac_sha256(key, text.as_bytes()).iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// How long an SMS link rates (days).
pub const LINK_DAYS: i64 = 7;

/// A signed link token for a service: `kind-id-YYYYMMDD-mac` (the day it expires).
pub async fn token_for(s: &App, service: Service) -> Result<String> {
    let key = token_key(s).await?;
    let until = noveto_domain::time::local_date(s.now()) + chrono::Duration::days(LINK_DAYS);
    let body = format!("{}-{}-{}", service.kind(), service.id(), until.format("%Y%m%d"));
    Ok(format!("{body}-{}", sign(&key, &body)))
}

/// The service a token names, if it is genuine and not expired.
async fn service_of_token(s: &App, token: &str) -> Result<Service> {
    let refused =
        || Error::new(crate::error::Kind::NotFound, "invalid_link", "评价链接无效或已过期，请拨打服务热线评价");
    let parts: Vec<&str> = token.trim().split('-').collect();
    let [kind, id, until, mac] = parts[..] else { return Err(refused()) };
    let body = format!("{kind}-{id}-{until}");
    let key = token_key(s).await?;
    let good = sign(&key, &body);
    if good.len() != mac.len() || !good.bytes().zip(mac.bytes()).fold(true, |ok, (a, b)| ok & (a == b)) {
        return Err(refused());
    }
    let until = NaiveDate::parse_from_str(until, "%Y%m%d").map_err(|_| refused())?;
    if noveto_domain::time::local_date(s.now()) > until {
        return Err(refused());
    }
    let id: i64 = id.parse().map_err(|_| refused())?;
    Service::parse(kind, id).ok_or_else(refused)
}

/// What the SMS rating page shows: the service, without naming the staff.
#[derive(Serialize, Debug)]
pub struct RatePage {
    pub receipt_no: String,
    pub what: String,
    pub scale: u8,
    pub rated: bool,
}

/// The page behind an SMS link (a forged or expired link is refused; a used one says so).
pub async fn rate_page(s: &App, token: &str) -> Result<RatePage> {
    let service = service_of_token(s, token).await?;
    let sv = served(s, service).await?;
    let (k, id) = (service.kind(), service.id());
    let rated = s.store.read(move |tx| repo::rated_once(tx, k, id)).await?;
    let what = match service {
        Service::Case(_) => "办件",
        Service::Unresolved(_) => "办不成事反映",
        Service::Complaint(_) => "吐槽找茬",
    };
    Ok(RatePage { receipt_no: sv.receipt, what: what.into(), scale: s.policy().rating.scale, rated })
}

/// HCP-3: the rating given through an SMS link: once (a used link is refused).
pub async fn rate_by_link(s: &App, token: &str, b: RatingIn) -> Result<Rated> {
    let service = service_of_token(s, token).await?;
    let sv = served(s, service).await?;
    let r = give(s, None, sv, Channel::Sms, &b).await;
    match r {
        Err(e) if e.code == "already_rated" => {
            Err(Error::conflict("already_rated", "这项服务已经评价过了，评价链接只能使用一次"))
        }
        r => r,
    }
}

/// HCP-3: the same day's SMS invitations: every service that ended today and was not rated on the
/// device gets one, once (the outbox's dedupe), with a signed single-use link. Returns how many
/// were queued.
pub async fn invite(s: &App) -> Result<usize> {
    let today = noveto_domain::time::local_date(s.now());
    let (from, to) =
        (format!("{today}T00:00:00+08:00"), format!("{}T00:00:00+08:00", today + chrono::Duration::days(1)));
    let ended = s.store.read(move |tx| repo::ended(tx, &from, &to)).await?;
    let mut n = 0;
    for (kind, id, ..) in ended {
        let Some(service) = Service::parse(&kind, id) else { continue };
        let k = kind.clone();
        if s.store.read(move |tx| repo::rated_once(tx, &k, id)).await? {
            continue;
        }
        let sv = served(s, service).await?;
        if noveto_domain::validate::Phone::parse(&sv.person.phone).is_err() {
            continue;
        }
        let link = format!("{}/rate/{}", s.public_url(), token_for(s, service).await?);
        let m = noveto_store::repo::jobs::Message {
            channel: "sms".into(),
            recipient: format!("phone:{}", sv.person.phone),
            subject: "服务评价".into(),
            body: format!("您在政务服务中心办理的事项（{}）已办结，请对我们的服务作出评价：{link}", sv.receipt),
            dedupe: format!("rate-invite:{kind}:{id}"),
        };
        let ctx = noveto_store::repo::Ctx { actor: None, now: s.now_str() };
        let queued = s
            .store
            .write(move |tx| {
                let q = noveto_store::repo::jobs::enqueue(tx, &ctx, &m)?;
                if q {
                    noveto_store::repo::audit::append(tx, &ctx, "rating.invited", &kind, id, &serde_json::json!({}))?;
                }
                Ok::<_, StoreError>(q)
            })
            .await?;
        n += usize::from(queued);
    }
    Ok(n)
}

// ---------- Satisfaction (HCP-5) ----------

#[derive(Serialize, Debug)]
pub struct Figures {
    pub period: String,
    pub device: noveto_domain::rating::ChannelRate,
    pub sms: noveto_domain::rating::ChannelRate,
    pub callback: noveto_domain::rating::ChannelRate,
    pub composite: Option<f64>,
    pub weights_used: [f64; 3],
    pub reweighted: bool,
    /// The year's figure as the policy says (`sum` or `mean` of the quarters), for `year=`.
    pub year: Option<f64>,
    pub year_rule: Option<String>,
    pub quarters_counted: Option<usize>,
}

fn figures(period: String, s: Satisfaction) -> Figures {
    Figures {
        period,
        device: s.device,
        sms: s.sms,
        callback: s.callback,
        composite: s.composite,
        weights_used: s.weights_used,
        reweighted: s.reweighted,
        year: None,
        year_rule: None,
        quarters_counted: None,
    }
}

/// The ratings of quarters `[from, to]` the caller may read, annulled ones left out.
async fn readable(s: &App, p: &Principal, from: &str, to: &str) -> Result<Vec<View<Rating>>> {
    if !may_somewhere(&p.grants, Action::ReadRatings) {
        return Err(Error::forbidden("无权查看评价"));
    }
    let (f, t) = (from.to_string(), to.to_string());
    let (rows, annulled) =
        s.store.read(move |tx| Ok::<_, StoreError>((repo::of_quarters(tx, &f, &t)?, repo::annulled(tx)?))).await?;
    Ok(tickets::views(s, p, rows).into_iter().filter(|r| !annulled.contains(&r.id)).collect())
}

/// The counted ratings of quarters `[from, to]` the caller may read (each group's place decided
/// like a rating's), annulled ones left out: what every figure is made of.
pub async fn tallies(s: &App, p: &Principal, from: &str, to: &str) -> Result<Vec<repo::Tally>> {
    if !may_somewhere(&p.grants, Action::ReadRatings) {
        return Err(Error::forbidden("无权查看评价"));
    }
    let (f, t) = (from.to_string(), to.to_string());
    let rows = s.store.read(move |tx| repo::tally(tx, &f, &t)).await?;
    Ok(rows
        .into_iter()
        .filter(|(t, centers)| {
            let place = Place { centers: centers.clone(), unit: t.unit_id, window: t.window_id };
            p.may(Action::ReadRatings, &place).is_ok()
        })
        .map(|(t, _)| t)
        .collect())
}

/// HCP-5: the figures of the groups `keep` chooses.
pub fn satisfaction_of_tallies<'a>(
    groups: impl IntoIterator<Item = &'a repo::Tally>,
    policy: &noveto_domain::policy::Rating,
) -> Satisfaction {
    let mut c = noveto_domain::rating::Counts::default();
    for g in groups {
        if let Some(ch) = Channel::parse(&g.channel) {
            c.add(ch, g.total, g.satisfied);
        }
    }
    noveto_domain::rating::satisfaction_of_counts(&c, policy)
}

fn quarter_arg(q: &str) -> Result<String> {
    parse_quarter(q)
        .map(|_| q.trim().to_string())
        .ok_or_else(|| Error::bad("invalid_quarter", "季度格式应为 2026Q4").at("quarter"))
}

/// HCP-5: satisfaction per channel and the composite, for a quarter (`YYYYQn`) or a year, for
/// everything the caller may read or one unit.
pub async fn satisfaction_of(
    s: &App,
    p: &Principal,
    quarter: Option<&str>,
    year: Option<i32>,
    unit: Option<i64>,
) -> Result<Figures> {
    let policy = s.policy();
    let keep = |r: &repo::Tally| unit.is_none_or(|u| r.unit_id == Some(u));
    match (quarter, year) {
        (Some(q), None) => {
            let q = quarter_arg(q)?;
            let v = tallies(s, p, &q, &q).await?;
            Ok(figures(q, satisfaction_of_tallies(v.iter().filter(|r| keep(r)), &policy.rating)))
        }
        (None, Some(y)) => {
            let v = tallies(s, p, &format!("{y}Q1"), &format!("{y}Q4")).await?;
            let per: Vec<Option<f64>> = (1..=4)
                .map(|n| {
                    let q = format!("{y}Q{n}");
                    satisfaction_of_tallies(v.iter().filter(|r| keep(r) && r.quarter == q), &policy.rating).composite
                })
                .collect();
            let (year_fig, counted) = noveto_domain::rating::year_figure(&per, &policy.rating.year);
            let mut f = figures(y.to_string(), satisfaction_of_tallies(v.iter().filter(|r| keep(r)), &policy.rating));
            f.year = year_fig;
            f.year_rule = Some(policy.rating.year.clone());
            f.quarters_counted = Some(counted);
            Ok(f)
        }
        _ => Err(Error::bad("period_required", "请给出 quarter=2026Q4 或 year=2026 之一").at("quarter")),
    }
}

/// HCP-5: the quarter's figures per unit and window, as rows (for the file and the page).
pub async fn breakdown(s: &App, p: &Principal, quarter: &str) -> Result<Vec<(String, Figures)>> {
    // Reports and searches may be served by the read replica (issue 27).
    noveto_store::may_lag(async move {
        let q = quarter_arg(quarter)?;
        let v = tallies(s, p, &q, &q).await?;
        breakdown_of(s, &q, &v).await
    })
    .await
}

/// The quarter `q`'s breakdown from its counted ratings ([`tallies`]), read once where a page
/// needs them for more than this.
pub async fn breakdown_of(s: &App, q: &str, v: &[repo::Tally]) -> Result<Vec<(String, Figures)>> {
    let q = q.to_string();
    let d = crate::org::directory(s).await?;
    let policy = s.policy();
    let mut out = vec![(String::from("合计"), figures(q.clone(), satisfaction_of_tallies(v, &policy.rating)))];
    // Each unit, then each window, that has ratings: its satisfaction from its own groups.
    let each = |of: fn(&repo::Tally) -> Option<i64>| -> Vec<(i64, Satisfaction)> {
        let mut ids: Vec<i64> = v.iter().filter_map(of).collect();
        ids.sort();
        ids.dedup();
        ids.into_iter()
            .map(|id| (id, satisfaction_of_tallies(v.iter().filter(|r| of(r) == Some(id)), &policy.rating)))
            .collect()
    };
    for (u, f) in each(|r| r.unit_id) {
        let name = d.units.iter().find(|x| x.id == u).map(|x| x.name.clone()).unwrap_or_default();
        out.push((name, figures(q.clone(), f)));
    }
    for (w, f) in each(|r| r.window_id) {
        let name = d.windows.iter().find(|x| x.id == w).map(|x| x.name.clone()).unwrap_or_default();
        out.push((name, figures(q.clone(), f)));
    }
    Ok(out)
}

/// The breakdown as a file (CSV or XLSX).
pub fn breakdown_file(rows: &[(String, Figures)], format: crate::catalog::Format) -> Result<Vec<u8>> {
    let pct = |r: Option<f64>| r.map(|x| format!("{:.1}%", x * 100.0)).unwrap_or_else(|| "无评价".into());
    let columns = [
        "对象",
        "季度",
        "评价器满意",
        "评价器总数",
        "评价器满意率",
        "短信满意",
        "短信总数",
        "短信满意率",
        "回访满意",
        "有效回访",
        "回访满意率",
        "综合满意度",
        "权重是否调整",
    ];
    let data: Vec<Vec<String>> = rows
        .iter()
        .map(|(name, f)| {
            vec![
                name.clone(),
                f.period.clone(),
                f.device.satisfied.to_string(),
                f.device.total.to_string(),
                pct(f.device.rate),
                f.sms.satisfied.to_string(),
                f.sms.total.to_string(),
                pct(f.sms.rate),
                f.callback.satisfied.to_string(),
                f.callback.total.to_string(),
                pct(f.callback.rate),
                pct(f.composite),
                if f.reweighted { "是（无评价渠道的权重按比例分配）".into() } else { String::new() },
            ]
        })
        .collect();
    crate::catalog_file::table("满意度", &columns, &data, format == crate::catalog::Format::Xlsx)
        .map_err(|e| Error::bad("export_failed", e))
}

// ---------- The callback sample (HCP-3) ----------

/// One call of the quarter's sample, for the supervision section's callers.
#[derive(Serialize, Debug)]
pub struct Call {
    pub kind: &'static str,
    pub id: i64,
    pub receipt_no: String,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub name: String,
    pub phone: String,
    pub done: bool,
}

/// HCP-3: the quarter's callback sample — the same for the same seed — stratified by unit and
/// window over the services that ended in the quarter; the supervision section's.
pub async fn callback_sample(s: &App, p: &Principal, quarter: &str, seed: u64, size: usize) -> Result<Vec<Call>> {
    if !may_somewhere(&p.grants, Action::RecordRating) {
        return Err(Error::forbidden("电话回访样本由监督监察科抽取"));
    }
    let (first, next) =
        parse_quarter(quarter).ok_or_else(|| Error::bad("invalid_quarter", "季度格式应为 2026Q4").at("quarter"))?;
    let (from, to) = (format!("{first}T00:00:00+08:00"), format!("{next}T00:00:00+08:00"));
    let ended = s.store.read(move |tx| repo::ended(tx, &from, &to)).await?;
    let mut all = vec![];
    for (kind, id, center, unit, window, _) in ended {
        let (centers, _) = s.center_chain(center).await?;
        if p.may(Action::RecordRating, &Place { centers, unit, window }).is_ok()
            && let Some(sv) = Service::parse(&kind, id)
        {
            all.push((sv, unit, window));
        }
    }
    let picked = noveto_domain::rating::callback_sample(&all, seed, size.min(2000));
    let q = quarter.trim().to_string();
    let called = s.store.read(move |tx| repo::called(tx, &q)).await?;
    let mut out = vec![];
    for (service, unit, window) in picked {
        let sv = served(s, service).await?;
        out.push(Call {
            kind: service.kind(),
            id: service.id(),
            receipt_no: sv.receipt,
            unit_id: unit,
            window_id: window,
            name: sv.person.name,
            phone: sv.person.phone,
            done: called.iter().any(|(k, i)| k == service.kind() && *i == service.id()),
        });
    }
    Ok(out)
}

/// The quarter a day falls in, for defaults.
pub fn this_quarter(s: &App) -> String {
    quarter_of(noveto_domain::time::local_date(s.now()))
}

// ---------- The provincial platform's layout ----------

/// The fields of the provincial 好差评 platform's rating records that noveto fills, in order.
pub const PLATFORM_COLUMNS: [&str; 16] = [
    "评价编号",
    "办件编号",
    "事项编码",
    "事项名称",
    "评价渠道",
    "评价等级",
    "是否满意",
    "评价时间",
    "服务态度",
    "办事效率",
    "工作纪律",
    "服务用语",
    "仪表形象",
    "评价意见",
    "评价部门",
    "评价窗口",
];

/// The quarter's ratings in the provincial platform's layout (the rater never in it).
pub async fn platform_rows(s: &App, p: &Principal, quarter: &str) -> Result<Vec<Vec<String>>> {
    // Reports and searches may be served by the read replica (issue 27).
    noveto_store::may_lag(async move {
        let q = quarter_arg(quarter)?;
        let v = readable(s, p, &q, &q).await?;
        let d = crate::org::directory(s).await?;
        let mut rows = vec![];
        for r in &v {
            let item = match r.service {
                Service::Case(id) => {
                    let c = s.store.read(move |tx| noveto_store::repo::cases::get(tx, id)).await?.map(|x| x.0);
                    let code = c.as_ref().and_then(|c| c.item_code.clone()).unwrap_or_default();
                    let name = match code.is_empty() {
                        true => String::new(),
                        false => crate::catalog::get_item(s, &code).await?.map(|i| i.name).unwrap_or_default(),
                    };
                    (code, name)
                }
                Service::Unresolved(_) => (String::new(), "办不成事反映".into()),
                Service::Complaint(_) => (String::new(), "吐槽找茬".into()),
            };
            let dim = |d: Dimension| r.dimensions.get(&d).map(|l| l.label().to_string()).unwrap_or_default();
            rows.push(vec![
                r.receipt_no.clone(),
                r.service_receipt.clone(),
                item.0,
                item.1,
                r.channel.label().into(),
                r.level.map(|l| l.label()).unwrap_or("未接通").into(),
                match r.satisfied() {
                    Some(true) => "是".into(),
                    Some(false) => "否".into(),
                    None => String::new(),
                },
                r.rated_at.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default(),
                dim(Dimension::Attitude),
                dim(Dimension::Efficiency),
                dim(Dimension::Discipline),
                dim(Dimension::Language),
                dim(Dimension::Appearance),
                r.comment.clone(),
                r.unit_id.and_then(|u| d.units.iter().find(|x| x.id == u)).map(|u| u.name.clone()).unwrap_or_default(),
                r.window_id
                    .and_then(|w| d.windows.iter().find(|x| x.id == w))
                    .map(|w| w.name.clone())
                    .unwrap_or_default(),
            ]);
        }
        Ok(rows)
    })
    .await
}

/// The ratings the caller may read, newest first (the supervision section's list).
pub async fn list(s: &App, p: &Principal, quarter: &str) -> Result<Vec<View<Rating>>> {
    let q = quarter_arg(quarter)?;
    readable(s, p, &q, &q).await
}

// ---------- The rating device at the window (HCP-3) ----------

/// The link a window's rating device opens (a tablet at the counter, no login): bound to the
/// window by a signed key. Issued by the window's head, the hall manager or the administrator.
pub async fn kiosk_key(s: &App, p: &Principal, window_id: i64) -> Result<String> {
    let Some((_, centers, _)) = s.window_place(window_id).await? else {
        return Err(Error::not_found("窗口"));
    };
    let place = Place { centers, unit: None, window: Some(window_id) };
    p.may(Action::SetAbsence, &place)?;
    let key = token_key(s).await?;
    let body = format!("kiosk-{window_id}");
    Ok(format!("{window_id}-{}", sign(&key, &body)))
}

/// The window a device key is bound to.
pub async fn kiosk_window(s: &App, key: &str) -> Result<i64> {
    let refused = || Error::new(crate::error::Kind::NotFound, "invalid_link", "评价器未绑定窗口，请联系窗口负责人");
    let (w, mac) = key.trim().split_once('-').ok_or_else(refused)?;
    let w: i64 = w.parse().map_err(|_| refused())?;
    let good = sign(&token_key(s).await?, &format!("kiosk-{w}"));
    if good.len() != mac.len() || !good.bytes().zip(mac.bytes()).fold(true, |ok, (a, b)| ok & (a == b)) {
        return Err(refused());
    }
    Ok(w)
}

/// What the device shows: the service just finished at the window (the last 30 minutes, not
/// rated yet) — its receipt number and what it was, never who was served or who served.
#[derive(Serialize, Debug, Clone)]
pub struct KioskService {
    pub kind: &'static str,
    pub id: i64,
    pub receipt_no: String,
    pub what: String,
}

pub async fn kiosk_service(s: &App, window_id: i64) -> Result<Option<KioskService>> {
    let since = noveto_domain::time::rfc3339(s.now() - chrono::Duration::minutes(30));
    let ids = s.store.read(move |tx| repo::recent_at_window(tx, window_id, &since)).await?;
    for id in ids {
        if s.store.read(move |tx| repo::rated_once(tx, "case", id)).await? {
            continue;
        }
        let c = s.store.read(move |tx| noveto_store::repo::cases::get(tx, id)).await?.map(|x| x.0);
        let Some(c) = c else { continue };
        let what = match c.item_code.clone() {
            Some(code) => crate::catalog::get_item(s, &code).await?.map(|i| i.name).unwrap_or_else(|| "办件".into()),
            None => "咨询".into(),
        };
        return Ok(Some(KioskService { kind: "case", id, receipt_no: c.receipt_no.clone(), what }));
    }
    Ok(None)
}

/// HCP-3: the rating given on the window's device.
pub async fn rate_on_kiosk(s: &App, key: &str, case_id: i64, b: RatingIn) -> Result<Rated> {
    let window = kiosk_window(s, key).await?;
    let sv = served(s, Service::Case(case_id)).await?;
    if sv.window_id != Some(window) {
        return Err(Error::bad("unknown_service", "这项服务不是在本窗口办理的").at("case_id"));
    }
    give(s, None, sv, Channel::Device, &b).await
}

/// Whether a service was rated on the device or by SMS (the clerk's screen asks for a rating only
/// while it was not).
pub async fn rated(s: &App, service: Service) -> Result<bool> {
    let (k, id) = (service.kind(), service.id());
    Ok(s.store.read(move |tx| repo::rated_once(tx, k, id)).await?)
}
