//! 好差评 ratings (HCP-1 … HCP-5; 威环审服发〔2019〕13号《政务服务“好差评”制度》): every service —
//! a case, a 办不成事 matter, a complaint — rated once by the person served, at the window's device
//! or by the same-day SMS, and a quarterly phone callback to a sample; on the policy's scale (two
//! levels in Weihai Huancui, five nationally); the rate per channel and the composite. A rating
//! is written once and never changed; an unsatisfied one opens a rectification (HCP-6) in the same
//! write.
//!
//! The rater is never shown to the rated staff: no event carries them, and the access layer's
//! `seen` hides them from everyone but the supervision section.

use crate::deadline::Deadline;
use crate::ticket::{Facts, Now, Ticket};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What was rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Service {
    Case(i64),
    Unresolved(i64),
    Complaint(i64),
}

impl Service {
    pub fn kind(self) -> &'static str {
        match self {
            Service::Case(_) => "case",
            Service::Unresolved(_) => "unresolved",
            Service::Complaint(_) => "complaint",
        }
    }
    pub fn id(self) -> i64 {
        match self {
            Service::Case(i) | Service::Unresolved(i) | Service::Complaint(i) => i,
        }
    }
    pub fn parse(kind: &str, id: i64) -> Option<Service> {
        match kind {
            "case" => Some(Service::Case(id)),
            "unresolved" => Some(Service::Unresolved(id)),
            "complaint" => Some(Service::Complaint(id)),
            _ => None,
        }
    }
}

/// HCP-3: how the rating was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The rating device at the window, right after the service.
    Device,
    /// The same-day SMS invitation's link.
    Sms,
    /// The quarterly phone callback to a sample.
    Callback,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Device, Channel::Sms, Channel::Callback];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Device => "device",
            Channel::Sms => "sms",
            Channel::Callback => "callback",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Channel::Device => "窗口评价器",
            Channel::Sms => "短信评价",
            Channel::Callback => "电话回访",
        }
    }
    /// One rating per service on the device or by SMS (HCP-2); callbacks are a sample of their own.
    pub fn once(self) -> bool {
        matches!(self, Channel::Device | Channel::Sms)
    }
}

/// HCP-1: what is rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Attitude,
    Efficiency,
    Discipline,
    Language,
    Appearance,
}

impl Dimension {
    pub const ALL: [Dimension; 5] =
        [Dimension::Attitude, Dimension::Efficiency, Dimension::Discipline, Dimension::Language, Dimension::Appearance];
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Attitude => "attitude",
            Dimension::Efficiency => "efficiency",
            Dimension::Discipline => "discipline",
            Dimension::Language => "language",
            Dimension::Appearance => "appearance",
        }
    }
    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|c| c.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Dimension::Attitude => "服务态度",
            Dimension::Efficiency => "办事效率",
            Dimension::Discipline => "工作纪律",
            Dimension::Language => "服务用语",
            Dimension::Appearance => "仪表形象",
        }
    }
}

/// HCP-4: a level on the policy's scale: 2 (1 不满意, 2 满意) or 5 (1 非常不满意 … 5 非常满意).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub scale: u8,
    pub value: u8,
}

impl Level {
    /// Parses what a rater sends: `satisfied`/`unsatisfied` on the two-level scale, 1–5 on five.
    pub fn parse(scale: u8, v: &serde_json::Value) -> Option<Level> {
        let value = match (scale, v) {
            (2, serde_json::Value::String(s)) if s == "satisfied" => 2,
            (2, serde_json::Value::String(s)) if s == "unsatisfied" => 1,
            (5, serde_json::Value::Number(n)) => n.as_u64().filter(|n| (1..=5).contains(n))? as u8,
            (5, serde_json::Value::String(s)) => s.parse::<u8>().ok().filter(|n| (1..=5).contains(n))?,
            _ => return None,
        };
        Some(Level { scale, value })
    }
    /// HCP-4: 满意 on two levels; 非常满意, 满意 and 基本满意 on five.
    pub fn satisfied(self) -> bool {
        if self.scale == 2 { self.value == 2 } else { self.value >= 3 }
    }
    pub fn label(self) -> &'static str {
        match (self.scale, self.value) {
            (2, 2) => "满意",
            (2, _) => "不满意",
            (_, 5) => "非常满意",
            (_, 4) => "满意",
            (_, 3) => "基本满意",
            (_, 2) => "不满意",
            _ => "非常不满意",
        }
    }
    /// The levels of a scale, best first, with how the API names each.
    pub fn all(scale: u8) -> Vec<(Level, serde_json::Value)> {
        if scale == 2 {
            vec![
                (Level { scale, value: 2 }, serde_json::json!("satisfied")),
                (Level { scale, value: 1 }, serde_json::json!("unsatisfied")),
            ]
        } else {
            (1..=5).rev().map(|v| (Level { scale: 5, value: v }, serde_json::json!(v))).collect()
        }
    }
}

/// The person who rated, where known (the SMS and the callback reach the applicant's phone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rater {
    pub name: String,
    pub phone: String,
}

/// What a rating holds (read-only outside the domain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingData {
    pub id: i64,
    pub receipt_no: String,
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    /// The member of staff who served (rated), where one did.
    pub staff_id: Option<i64>,
    pub service: Service,
    /// The service's own receipt number, for people.
    pub service_receipt: String,
    pub channel: Channel,
    /// None for a callback that did not reach the person (not an effective call).
    pub level: Option<Level>,
    pub dimensions: BTreeMap<Dimension, Level>,
    pub comment: String,
    pub rater: Option<Rater>,
    /// The callback's caller (who recorded it).
    pub recorded_by: Option<i64>,
    pub rated_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rating(RatingData);

impl std::ops::Deref for Rating {
    type Target = RatingData;
    fn deref(&self) -> &RatingData {
        &self.0
    }
}

/// What happened to a rating: it was given (once). No event carries the rater.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Rated { service: Service, channel: Channel, level: Option<Level>, dimensions: BTreeMap<Dimension, Level> },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    #[error("评价等级无效：满意度为两级时填 satisfied 或 unsatisfied，五级时填 1 至 5（5 为非常满意）")]
    BadLevel,
    #[error("评价意见不能超过 500 个字")]
    CommentTooLong,
    #[error("只有电话回访可以记录未接通")]
    NotReachedOnlyByPhone,
}

impl RatingError {
    pub fn code(&self) -> &'static str {
        match self {
            RatingError::BadLevel => "invalid_level",
            RatingError::CommentTooLong => "too_long",
            RatingError::NotReachedOnlyByPhone => "invalid_channel",
        }
    }
}

/// A rating as given.
pub struct NewRating {
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub service: Service,
    pub service_receipt: String,
    pub channel: Channel,
    pub level: Option<Level>,
    pub dimensions: BTreeMap<Dimension, Level>,
    pub comment: String,
    pub rater: Option<Rater>,
}

/// Ratings take no command after they are given.
pub enum Command {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Offer {}

impl Rating {
    pub fn stored(d: RatingData) -> Rating {
        Rating(d)
    }
    /// Counted as satisfied (None: a callback that reached nobody).
    pub fn satisfied(&self) -> Option<bool> {
        self.level.map(Level::satisfied)
    }
    /// The quarter it falls in, `YYYYQn`.
    pub fn quarter(&self) -> String {
        self.rated_at.map(|t| quarter_of(crate::time::local_date(t))).unwrap_or_default()
    }
}

/// The quarter of a day, `YYYYQn`.
pub fn quarter_of(d: NaiveDate) -> String {
    format!("{}Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

/// `YYYYQn` → its first day and the first day of the next quarter.
pub fn parse_quarter(q: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (y, n) = q.trim().split_once('Q')?;
    let (y, n): (i32, u32) = (y.parse().ok()?, n.parse().ok()?);
    if !(1..=4).contains(&n) {
        return None;
    }
    let first = NaiveDate::from_ymd_opt(y, (n - 1) * 3 + 1, 1)?;
    Some((first, first.checked_add_months(chrono::Months::new(3))?))
}

impl Ticket for Rating {
    const KIND: &'static str = "rating";
    const NAME: &'static str = "评价";
    type New = NewRating;
    type Command = Command;
    type Event = Event;
    type Error = RatingError;
    type Action = Offer;

    fn create(n: NewRating, f: &Facts) -> Result<(Rating, Vec<Event>), RatingError> {
        let scale = f.policy.rating.scale;
        let ok = |l: &Level| l.scale == scale && (1..=scale).contains(&l.value);
        if n.level.is_some_and(|l| !ok(&l)) || n.dimensions.values().any(|l| !ok(l)) {
            return Err(RatingError::BadLevel);
        }
        if n.level.is_none() && n.channel != Channel::Callback {
            return Err(RatingError::NotReachedOnlyByPhone);
        }
        if n.comment.chars().count() > 500 {
            return Err(RatingError::CommentTooLong);
        }
        let ev =
            Event::Rated { service: n.service, channel: n.channel, level: n.level, dimensions: n.dimensions.clone() };
        Ok((
            Rating(RatingData {
                id: 0,
                receipt_no: String::new(),
                center_id: n.center_id,
                unit_id: n.unit_id,
                window_id: n.window_id,
                staff_id: n.staff_id,
                service: n.service,
                service_receipt: n.service_receipt,
                channel: n.channel,
                level: n.level,
                dimensions: n.dimensions,
                comment: n.comment.trim().into(),
                rater: n.rater,
                recorded_by: f.by,
                rated_at: None,
            }),
            vec![ev],
        ))
    }

    fn handle(&self, cmd: Command, _f: &Facts) -> Result<Vec<Event>, RatingError> {
        match cmd {}
    }

    fn apply(&mut self, ev: &Event, at: Now) {
        match ev {
            Event::Rated { .. } => self.0.rated_at = Some(at),
        }
    }

    fn event_name(_ev: &Event) -> &'static str {
        "rating.rated"
    }

    fn offers(&self) -> Vec<Offer> {
        vec![]
    }

    fn deadlines(&self) -> Vec<(&Deadline, Option<i64>)> {
        vec![]
    }

    fn numbered(&mut self, id: i64, receipt: &str) {
        self.0.id = id;
        self.0.receipt_no = receipt.into();
    }
}

impl crate::ticket::Personal for Rating {
    /// A reader who may not see a real-name rater does not learn the service either (its
    /// receipt number leads to the person): the service reads as kind only, id 0, "（保密）".
    fn redacted(&self, seen: &crate::access::Seen) -> Rating {
        let mut r = self.clone();
        r.0.rater = self.rater.as_ref().map(|p| Rater { name: seen.name(&p.name), phone: seen.phone(&p.phone) });
        if self.rater.is_some() && seen.name == crate::access::Shown::Hidden {
            r.0.service = match self.service {
                Service::Case(_) => Service::Case(0),
                Service::Unresolved(_) => Service::Unresolved(0),
                Service::Complaint(_) => Service::Complaint(0),
            };
            r.0.service_receipt = crate::access::CONFIDENTIAL.into();
        }
        r
    }
}

/// HCP-5: one channel's figure in a period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct ChannelRate {
    pub satisfied: u64,
    /// Ratings given (callback: effective calls — those that reached the person).
    pub total: u64,
    /// satisfied ÷ total; None when the channel has no rating (never shown as 0 % or 100 %).
    pub rate: Option<f64>,
}

/// HCP-5: the figures of a period: per channel and the composite with the policy's weights,
/// spread over the channels that have ratings when one has none (`weights_used` says how).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Satisfaction {
    pub device: ChannelRate,
    pub sms: ChannelRate,
    pub callback: ChannelRate,
    pub composite: Option<f64>,
    /// The weights applied, after spreading those of empty channels.
    pub weights_used: [f64; 3],
    /// True when a channel had no rating and its weight was spread over the others.
    pub reweighted: bool,
}

/// HCP-5: the satisfaction of `ratings` (those of one period and scope, annulled ones left out)
/// under the policy's weights.
pub fn satisfaction<'a>(ratings: impl IntoIterator<Item = &'a Rating>, p: &crate::policy::Rating) -> Satisfaction {
    let mut counts = Counts::default();
    for r in ratings {
        if let Some(s) = r.satisfied() {
            counts.add(r.channel, 1, u64::from(s));
        }
    }
    satisfaction_of_counts(&counts, p)
}

/// Ratings with a verdict and the satisfied among them, per channel (device, SMS, callback): what
/// the figures are made of, counted by the store for a province's quarter (issue 27).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts(pub [(u64, u64); 3]);

impl Counts {
    pub fn add(&mut self, channel: Channel, total: u64, satisfied: u64) {
        let i = match channel {
            Channel::Device => 0,
            Channel::Sms => 1,
            Channel::Callback => 2,
        };
        self.0[i].0 += total;
        self.0[i].1 += satisfied;
    }
}

/// HCP-5 from counts: the same figures as [`satisfaction`].
pub fn satisfaction_of_counts(counts: &Counts, p: &crate::policy::Rating) -> Satisfaction {
    let mut by = [ChannelRate::default(); 3];
    for (c, (total, satisfied)) in by.iter_mut().zip(counts.0) {
        c.total = total;
        c.satisfied = satisfied;
    }
    for c in &mut by {
        c.rate = (c.total > 0).then(|| c.satisfied as f64 / c.total as f64);
    }
    let weights = [p.weight_device, p.weight_sms, p.weight_callback];
    let present: f64 = (0..3).filter(|i| by[*i].rate.is_some()).map(|i| weights[i]).sum();
    let mut used = [0.0; 3];
    let mut composite = None;
    if present > 0.0 {
        let mut sum = 0.0;
        for i in 0..3 {
            if let Some(r) = by[i].rate {
                used[i] = weights[i] / present;
                sum += used[i] * r;
            }
        }
        composite = Some(sum);
    }
    let reweighted = by.iter().any(|c| c.rate.is_none()) && composite.is_some();
    Satisfaction { device: by[0], sms: by[1], callback: by[2], composite, weights_used: used, reweighted }
}

/// HCP-5: the year's figure from its quarters' composites as the policy says: `sum` (WH, as
/// written) or `mean`; quarters without a figure are left out (and the answer says how many
/// counted).
pub fn year_figure(quarters: &[Option<f64>], rule: &str) -> (Option<f64>, usize) {
    let have: Vec<f64> = quarters.iter().flatten().copied().collect();
    if have.is_empty() {
        return (None, 0);
    }
    let sum: f64 = have.iter().sum();
    (Some(if rule == "sum" { sum } else { sum / have.len() as f64 }), have.len())
}

/// A service with its unit and window (a callback sample's stratum).
pub type Placed = (Service, Option<i64>, Option<i64>);

/// HCP-3: the quarter's callback sample — reproducible for a seed, stratified by unit and window:
/// from each stratum (in a fixed order) services are drawn by a seeded shuffle, round-robin over
/// the strata, until `size` are taken. `services` are `(service, unit, window)`.
pub fn callback_sample(services: &[Placed], seed: u64, size: usize) -> Vec<Placed> {
    let mut strata: BTreeMap<(Option<i64>, Option<i64>), Vec<Placed>> = BTreeMap::new();
    for s in services {
        strata.entry((s.1, s.2)).or_default().push(*s);
    }
    // splitmix64: a small, fixed generator, so the same seed draws the same sample anywhere.
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut lists: Vec<Vec<Placed>> = strata
        .into_values()
        .map(|mut v| {
            v.sort();
            for i in (1..v.len()).rev() {
                let j = (next() % (i as u64 + 1)) as usize;
                v.swap(i, j);
            }
            v
        })
        .collect();
    let mut out = vec![];
    let mut i = 0;
    while out.len() < size && lists.iter().any(|l| !l.is_empty()) {
        let n = lists.len();
        if let Some(x) = lists[i % n].pop() {
            out.push(x);
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(channel: Channel, scale: u8, value: Option<u8>) -> Rating {
        Rating(RatingData {
            id: 0,
            receipt_no: String::new(),
            center_id: 1,
            unit_id: None,
            window_id: None,
            staff_id: None,
            service: Service::Case(1),
            service_receipt: String::new(),
            channel,
            level: value.map(|value| Level { scale, value }),
            dimensions: BTreeMap::new(),
            comment: String::new(),
            rater: None,
            recorded_by: None,
            rated_at: None,
        })
    }

    /// HCP-4: the levels each scale takes and which count as satisfied.
    #[test]
    fn hcp_4_scales() {
        assert_eq!(Level::parse(2, &serde_json::json!("satisfied")), Some(Level { scale: 2, value: 2 }));
        assert_eq!(Level::parse(2, &serde_json::json!(5)), None);
        assert_eq!(Level::parse(5, &serde_json::json!(0)), None);
        assert!(Level { scale: 5, value: 3 }.satisfied() && !Level { scale: 5, value: 2 }.satisfied());
        assert!(!Level { scale: 2, value: 1 }.satisfied());
    }

    /// HCP-5: per channel satisfied ÷ total (callback ÷ effective calls), the composite with the
    /// weights — checked by hand — and spread over the channels that have ratings.
    #[test]
    fn hcp_5_composite_by_hand_and_with_an_empty_channel() {
        let p = crate::policy::Policy::parse(include_str!("../../../policies/weihai-huancui.toml")).unwrap().rating;
        let mut v = vec![];
        // Device 8 of 10 satisfied; SMS 3 of 4; callback 4 of 5 reached, 1 not reached.
        v.extend((0..8).map(|_| r(Channel::Device, 2, Some(2))));
        v.extend((0..2).map(|_| r(Channel::Device, 2, Some(1))));
        v.extend((0..3).map(|_| r(Channel::Sms, 2, Some(2))));
        v.push(r(Channel::Sms, 2, Some(1)));
        v.extend((0..4).map(|_| r(Channel::Callback, 2, Some(2))));
        v.push(r(Channel::Callback, 2, None));
        let s = satisfaction(&v, &p);
        assert_eq!((s.device.rate, s.sms.rate, s.callback.rate), (Some(0.8), Some(0.75), Some(1.0)));
        assert_eq!(s.callback.total, 4, "only effective calls");
        // 0.3 × 0.8 + 0.3 × 0.75 + 0.4 × 1.0 = 0.865
        assert!((s.composite.unwrap() - 0.865).abs() < 1e-9, "{s:?}");
        assert!(!s.reweighted);
        // No SMS at all: its 30 % spread over the others (0.3 / 0.7 and 0.4 / 0.7).
        let no_sms: Vec<Rating> = v.iter().filter(|x| x.channel != Channel::Sms).cloned().collect();
        let s = satisfaction(&no_sms, &p);
        assert_eq!(s.sms.rate, None, "an empty channel is none, not 0 %");
        let want = 0.3 / 0.7 * 0.8 + 0.4 / 0.7 * 1.0;
        assert!((s.composite.unwrap() - want).abs() < 1e-9 && s.reweighted, "{s:?}");
        assert_eq!(satisfaction(&[], &p).composite, None);
        assert_eq!(year_figure(&[Some(0.9), None, Some(0.8), Some(0.7)], "sum"), (Some(2.4000000000000004), 3));
        assert_eq!(year_figure(&[Some(0.9), Some(0.7)], "mean").0, Some(0.8));
    }

    /// HCP-3: the same seed draws the same sample; each unit and window is drawn from in turn.
    #[test]
    fn hcp_3_callback_sample_is_reproducible_and_stratified() {
        let services: Vec<(Service, Option<i64>, Option<i64>)> =
            (1..=60).map(|i| (Service::Case(i), Some(i % 3), Some(i % 6))).collect();
        let a = callback_sample(&services, 42, 12);
        assert_eq!(a, callback_sample(&services, 42, 12));
        assert_ne!(a, callback_sample(&services, 43, 12));
        assert_eq!(a.len(), 12);
        let strata: std::collections::BTreeSet<_> = a.iter().map(|s| (s.1, s.2)).collect();
        assert_eq!(strata.len(), 6, "every unit and window drawn from: {a:?}");
        assert_eq!(parse_quarter("2026Q4").unwrap().0, NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        assert_eq!(quarter_of(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()), "2026Q4");
    }
}
