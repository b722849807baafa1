//! PUB-1: what the public does without an account — submit a 办不成事 matter online and follow
//! their own matter (a case or a 办不成事 matter) by its receipt number and their phone. Both are
//! throttled per address across servers, and a follow answers a wrong pair exactly as it answers
//! an unknown one, no faster, so that receipt numbers cannot be guessed.

use crate::unresolved::{Registered, ReporterIn};
use crate::{App, Error, Result};
use noveto_domain::unresolved::{Class, NewUnresolved, Reporter, Unresolved};
use noveto_domain::validate::{Phone, long_text, text};
use noveto_store::StoreError;
use noveto_store::repo::{Ctx, auth, cases, org, unresolved as repo};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Online submissions one address may make in an hour.
pub const SUBMIT_LIMIT: i64 = 5;
/// Follow attempts that found nothing one address may make in an hour.
pub const FOLLOW_MISS_LIMIT: i64 = 20;
/// Every follow answers after at least this long, found or not.
pub const FOLLOW_FLOOR_MS: u64 = 300;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicUnresolvedIn {
    pub reporter: ReporterIn,
    /// What they tried, where, and what did not get done.
    pub summary: String,
    /// The center it is for (default: the first center with a 办不成事 desk).
    #[serde(default)]
    pub center_id: Option<i64>,
}

fn hour_ago(s: &App) -> String {
    noveto_domain::time::rfc3339(s.now() - chrono::Duration::hours(1))
}

/// PUB-1, BBC-1: a matter submitted online. It goes to the center's 办不成事 desk as 承诺件 (the
/// desk may class it otherwise before dispatching), with its deadline from the policy.
pub async fn submit_unresolved(s: &App, address: &str, b: PublicUnresolvedIn) -> Result<Registered> {
    let name = text("name", "姓名", &b.reporter.name, 50)?;
    let phone = Phone::parse(&b.reporter.phone)?;
    let summary = long_text("summary", "反映事项", &b.summary, 2000)?;
    let (a, since) = (address.to_string(), hour_ago(s));
    let tried = s.store.read(move |tx| auth::public_attempts_since(tx, "submit", &a, &since)).await?;
    if tried >= SUBMIT_LIMIT {
        return Err(Error::new(
            crate::error::Kind::Throttled,
            "too_many_submissions",
            "提交过于频繁，请一小时后再试，或拨打服务热线反映",
        ));
    }
    let d = crate::org::directory(s).await?;
    let desk = d
        .windows
        .iter()
        .filter(|w| w.kind == "unresolved_desk")
        .find(|w| match b.center_id {
            Some(c) => w.center_id == c,
            None => d.centers.iter().any(|c| c.id == w.center_id && c.parent_id.is_none()),
        })
        .or_else(|| d.windows.iter().find(|w| w.kind == "unresolved_desk" && b.center_id.is_none()))
        .cloned()
        .ok_or_else(|| Error::bad("no_desk", "该中心尚未设立“办不成事”反映窗口，请拨打服务热线反映").at("center_id"))?;
    let (_, region) = s.center_chain(desk.center_id).await?;
    let n = NewUnresolved {
        center_id: desk.center_id,
        desk_id: Some(desk.id),
        reporter: Reporter { name, phone: phone.as_str().into() },
        summary,
        case_id: None,
        class: Class::General,
    };
    let (u, ev) = Unresolved::register(n, None, &s.policy(), s.now())?;
    let cal = s.calendar_for(&region);
    let due = u.deadline.as_ref().and_then(|d| d.due(&cal, s.now()).ok());
    let ctx = Ctx { actor: None, now: s.now_str() };
    let (a, d2) = (address.to_string(), due.map(|d| d.to_string()));
    let (id, receipt_no) = s
        .store
        .write(move |tx| {
            auth::public_attempt(tx, &ctx, "submit", &a)?;
            repo::insert(tx, &ctx, &u, d2.as_deref(), &ev)
        })
        .await?;
    Ok(Registered { id, receipt_no, due })
}

/// One step of a followed matter, for the person who brought it.
#[derive(Serialize, Debug)]
pub struct Step {
    pub what: &'static str,
    pub at: String,
}

/// PUB-1: what the person sees of their matter (no staff names, no internal notes).
#[derive(Serialize, Debug)]
pub struct Followed {
    /// `case` or `unresolved`.
    pub kind: &'static str,
    pub receipt_no: String,
    pub status: &'static str,
    pub due: Option<String>,
    pub steps: Vec<Step>,
    /// The result told to the person, once there is one.
    pub answer: Option<String>,
}

/// The steps a person sees of their case, by event kind (other events are not theirs to see).
const CASE_STEPS: [(&str, &str); 12] = [
    ("received", "已接件"),
    ("accepted", "已受理"),
    ("accepted_with_deficiency", "已受理"),
    ("notice", "已出具一次性告知单"),
    ("supplement_received", "已收到补正材料"),
    ("approved_by_commitment", "已按告知承诺办理"),
    ("referred", "已转至责任单位"),
    ("handoff_acknowledged", "责任单位已接收"),
    ("escalated", "已请示，等待答复"),
    ("escalation_answered", "请示已答复"),
    ("reply", "已答复"),
    ("closed", "已办结"),
];

/// The steps a person sees of a 办不成事 matter.
const MATTER_STEPS: [&str; 3] = ["已登记", "已转责任单位办理", "已办结"];

/// Every step's words, for the message catalog.
pub fn step_labels() -> impl Iterator<Item = &'static str> {
    CASE_STEPS.iter().map(|(_, l)| *l).chain(MATTER_STEPS)
}

fn case_step(kind: &str) -> Option<&'static str> {
    CASE_STEPS.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l)
}

/// PUB-1: a matter by its receipt number and the phone left with it. A wrong pair and an unknown
/// number answer alike (`not_found`), after the same floor of time; misses are throttled.
pub async fn follow(s: &App, address: &str, receipt: &str, phone: &str) -> Result<Followed> {
    let started = std::time::Instant::now();
    let found = follow_now(s, address, receipt, phone).await;
    let floor = std::time::Duration::from_millis(FOLLOW_FLOOR_MS);
    if let Some(rest) = floor.checked_sub(started.elapsed()) {
        tokio::time::sleep(rest).await;
    }
    found
}

async fn follow_now(s: &App, address: &str, receipt: &str, phone: &str) -> Result<Followed> {
    let (a, since) = (address.to_string(), hour_ago(s));
    let misses = s.store.read(move |tx| auth::public_attempts_since(tx, "follow_miss", &a, &since)).await?;
    if misses >= FOLLOW_MISS_LIMIT {
        return Err(Error::new(crate::error::Kind::Throttled, "too_many_attempts", "查询次数过多，请一小时后再试"));
    }
    let wanted = Phone::parse(phone).ok().map(|p| p.as_str().to_string());
    let r = receipt.trim().to_string();
    let found = s
        .store
        .read(move |tx| {
            if let Some(m) = repo::by_receipt(tx, &r)? {
                return Ok::<_, StoreError>(Some(Err(m)));
            }
            let Some(id) = cases::id_by_receipt(tx, &r)? else { return Ok(None) };
            let Some((c, _)) = cases::get(tx, id)? else { return Ok(None) };
            Ok(Some(Ok((c, cases::timeline(tx, id)?))))
        })
        .await?;
    let same = |stored: &str| Phone::parse(stored).ok().map(|p| p.as_str().to_string()) == wanted && wanted.is_some();
    let shown = match found {
        Some(Err(m)) if same(&m.u.reporter.phone) => Some(unresolved_view(&m)),
        Some(Ok((c, timeline))) if same(&c.applicant.phone) => {
            let (_, region) = s.center_chain(c.center_id).await?;
            Some(case_view(s, &region, &c, &timeline))
        }
        _ => None,
    };
    match shown {
        Some(v) => Ok(v),
        None => {
            let (a, ctx) = (address.to_string(), Ctx { actor: None, now: s.now_str() });
            s.store.write(move |tx| auth::public_attempt(tx, &ctx, "follow_miss", &a)).await?;
            Err(Error::new(crate::error::Kind::NotFound, "not_found", "没有找到：请核对受理编号和登记时留的电话号码"))
        }
    }
}

fn unresolved_view(m: &repo::UnresolvedRow) -> Followed {
    let [registered, dispatched, answered] = MATTER_STEPS;
    let mut steps = vec![Step { what: registered, at: m.registered_at.clone() }];
    if let Some(at) = &m.dispatched_at {
        steps.push(Step { what: dispatched, at: at.clone() });
    }
    if let Some(at) = &m.answered_at {
        steps.push(Step { what: answered, at: at.clone() });
    }
    Followed {
        kind: "unresolved",
        receipt_no: m.u.receipt_no.clone(),
        status: m.u.status.label(),
        due: m.due.clone(),
        steps,
        answer: m.u.result.clone(),
    }
}

fn case_view(s: &App, region: &str, c: &noveto_domain::case::Case, timeline: &[cases::TimelineEntry]) -> Followed {
    let cal = s.calendar_for(region);
    let now = s.now();
    let due = c
        .deadlines
        .iter()
        .filter(|d| d.met_at.is_none())
        .filter_map(|d| d.due(&cal, now).ok())
        .min()
        .map(|d| d.to_string());
    Followed {
        kind: "case",
        receipt_no: c.receipt_no.clone(),
        status: c.status.label(),
        due,
        steps: timeline.iter().filter_map(|e| Some(Step { what: case_step(&e.kind)?, at: e.at.clone() })).collect(),
        answer: None,
    }
}

/// The centers that take online submissions (those with a 办不成事 desk), for the public form.
pub async fn desk_centers(s: &App) -> Result<Vec<org::Center>> {
    let d = crate::org::directory(s).await?;
    Ok(d.centers
        .into_iter()
        .filter(|c| d.windows.iter().any(|w| w.kind == "unresolved_desk" && w.center_id == c.id))
        .collect())
}
