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
    /// The receipt number of the case it concerns (a refused application's, from /follow): the
    /// matter is linked to the case when the phone is the one left with it.
    #[serde(default)]
    pub case_receipt_no: Option<String>,
}

fn hour_ago(s: &App) -> String {
    noveto_domain::time::rfc3339(s.now() - chrono::Duration::hours(1))
}

/// PUB-1: an online submission's throttle — per phone a refusal, per address a growing delay (a
/// hall's Wi-Fi is one address). Returns the phone's key, to record the attempt with the ticket.
async fn throttle(s: &App, address: &str, phone: &Phone) -> Result<String> {
    let limits = s.policy().limits.clone();
    let by_phone = phone_key(phone.as_str());
    let (a, p2, since) = (address.to_string(), by_phone.clone(), hour_ago(s));
    let (from_address, from_phone) = s
        .store
        .read(move |tx| {
            Ok::<_, StoreError>((
                auth::public_attempts_since(tx, "submit", &a, &since)?,
                auth::public_attempts_since(tx, "submit_phone", &p2, &since)?,
            ))
        })
        .await?;
    if from_phone >= limits.submissions_per_phone as i64 {
        return Err(Error::new(
            crate::error::Kind::Throttled,
            "too_many_submissions",
            "这个手机号码一小时内提交次数过多，请稍后再试，或拨打服务热线反映",
        ));
    }
    let wait = limits.delay(from_address, limits.submissions_per_address);
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    Ok(by_phone)
}

/// PUB-1, BBC-1: a matter submitted online. It goes to the center's 办不成事 desk as 承诺件 (the
/// desk may class it otherwise before dispatching), with its deadline from the policy.
pub async fn submit_unresolved(s: &App, address: &str, b: PublicUnresolvedIn) -> Result<Registered> {
    let name = text("name", "姓名", &b.reporter.name, 50)?;
    let phone = Phone::parse(&b.reporter.phone)?;
    let mut summary = long_text("summary", "反映事项", &b.summary, 2000)?;
    let mut case_id = None;
    if let Some(r) = b.case_receipt_no.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        let r = text("case_receipt_no", "受理编号", r, 40)?;
        let r2 = r.clone();
        let case = s
            .store
            .read(move |tx| match cases::id_by_receipt(tx, &r2)? {
                Some(id) => Ok::<_, StoreError>(cases::get(tx, id)?.map(|(c, _)| (id, c))),
                None => Ok(None),
            })
            .await?;
        let same =
            |stored: &str| Phone::parse(stored).ok().map(|x| x.as_str().to_string()) == Some(phone.as_str().into());
        match case {
            Some((id, c)) if same(&c.applicant.phone) => case_id = Some(id),
            _ => summary = format!("{summary}（涉及受理编号 {r}）"),
        }
    }
    let by_phone = throttle(s, address, &phone).await?;
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
    let n = NewUnresolved {
        center_id: desk.center_id,
        desk_id: Some(desk.id),
        reporter: Reporter { name, phone: phone.as_str().into() },
        summary,
        case_id,
        class: Class::General,
        fallback: None,
    };
    let a = address.to_string();
    let saved = crate::tickets::open_with::<Unresolved>(s, None, desk.center_id, n, move |tx, ctx, _| {
        auth::public_attempt(tx, ctx, "submit", &a)?;
        auth::public_attempt(tx, ctx, "submit_phone", &by_phone)
    })
    .await?;
    crate::unresolved::registered(s, saved).await
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicComplaintIn {
    /// `process` (流程繁不繁), `efficiency` (效率高不高), `attitude` (态度好不好) or `other`.
    pub category: String,
    pub content: String,
    pub complainant: crate::complaints::ComplainantIn,
    /// TC-5: keep my name and phone from the sections that handle it.
    #[serde(default)]
    pub confidential: bool,
    /// The center it is for (default: the root center).
    #[serde(default)]
    pub center_id: Option<i64>,
}

/// PUB-1, TC-2: a complaint submitted online (the government website channel), for the
/// supervision section to register, class and assign.
pub async fn submit_complaint(s: &App, address: &str, b: PublicComplaintIn) -> Result<crate::complaints::Registered> {
    let category = crate::complaints::parse_category(&b.category)?;
    let content = long_text("content", "吐槽找茬内容", &b.content, 2000)?;
    let name = text("name", "姓名", &b.complainant.name, 50)?;
    let phone = Phone::parse(&b.complainant.phone).map_err(|e| Error::from(e).at("phone"))?;
    let d = crate::org::directory(s).await?;
    let center = match b.center_id {
        Some(c) => d.centers.iter().find(|x| x.id == c),
        None => d.centers.iter().find(|x| x.parent_id.is_none()),
    }
    .ok_or_else(|| Error::bad("unknown_center", "所选中心不存在").at("center_id"))?
    .id;
    let by_phone = throttle(s, address, &phone).await?;
    let n = noveto_domain::complaint::NewComplaint {
        center_id: center,
        window_id: None,
        about_unit: None,
        channel: noveto_domain::complaint::Channel::Website,
        category,
        content,
        complainant: noveto_domain::complaint::Complainant { name, phone: phone.as_str().into() },
        confidential: b.confidential,
        hotline_order: None,
    };
    let a = address.to_string();
    crate::complaints::open_public(s, center, n, move |tx, ctx| {
        auth::public_attempt(tx, ctx, "submit", &a)?;
        auth::public_attempt(tx, ctx, "submit_phone", &by_phone)
    })
    .await
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
    /// NV-17: how a case ended, in the words the person reads: the outcome, the reason and its
    /// legal basis, where to go, and the remedies against a refusal.
    pub outcome: Option<Ending>,
    /// NV-17: an open application's promised completion date (承诺办结日).
    pub promised: Option<String>,
    /// After a one-time notice: what to bring.
    pub to_bring: Vec<Bring>,
    /// NV-1: an application's back-office stages, where it stands in them (no staff names).
    pub stages: Vec<StageShown>,
    /// NV-7: the reply was moved past the date promised — to when, and why.
    pub reply_extended: Option<Extended>,
    /// The center's hotline and supervision phone (every public page shows them).
    pub hotline: String,
    pub supervision_phone: String,
}

/// One back-office stage as the applicant reads it.
#[derive(Serialize, Debug)]
pub struct StageShown {
    pub name: String,
    /// `done`, `current` or `waiting`.
    pub state: &'static str,
    pub done_at: Option<String>,
    /// The day the stage is due to be done by (open stages).
    pub due: Option<String>,
}

/// One material to bring, with how to get it right.
#[derive(Serialize, Debug)]
pub struct Bring {
    pub material: String,
    pub how_to_fix: String,
}

#[derive(Serialize, Debug)]
pub struct Extended {
    pub to: String,
    pub reason: String,
}

/// How a case ended, for the person who brought it (NV-17).
#[derive(Serialize, Debug, Default)]
pub struct Ending {
    /// `approved`, `approved_by_commitment`, `answered`, `referred`, `handed_over`, `withdrawn`,
    /// `not_required` or `vetoed` (the domain's list of endings).
    pub ending: &'static str,
    /// 不予受理 / 不予许可 / 已办结 / 已答复 …
    pub title: &'static str,
    /// What was decided or answered, in the staff's words (an answer, a confirmation, a note).
    pub text: Option<String>,
    /// A refusal's reason and its legal basis.
    pub reason: Option<String>,
    pub legal_basis: Option<String>,
    /// A referral: where to go, the address, whom to call, how.
    pub go_to: Option<String>,
    pub address: Option<String>,
    pub contact: Option<String>,
    pub how: Option<String>,
    /// A refusal: the right to 行政复议 and 行政诉讼, with body, court and time limits.
    pub remedies: Option<Remedies>,
    /// A refusal: the 办不成事 desk's report form with the receipt number filled in.
    pub report: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct Remedies {
    pub review_body: String,
    pub review_days: i64,
    pub court: String,
    pub litigation_months: i64,
    /// The sentence the person reads.
    pub text: String,
}

/// The remedies against a refusal at `center` (行政许可法 第三十八条): review within the
/// center's `review_days` by its review body, or a suit within `litigation_months`.
pub fn remedies(center: Option<&org::Center>) -> Remedies {
    let review_body = center.map(|c| c.review_body.trim().to_string()).filter(|b| !b.is_empty());
    let court = center.map(|c| c.court.trim().to_string()).filter(|b| !b.is_empty());
    let review_days = center.map_or(60, |c| c.review_days);
    let litigation_months = center.map_or(6, |c| c.litigation_months);
    let body = review_body.clone().unwrap_or_else(|| "作出决定机关的本级人民政府或上一级主管部门".into());
    let court_text = court.clone().unwrap_or_else(|| "有管辖权的人民法院".into());
    Remedies {
        text: format!(
            "如对本决定不服，可以自收到本决定之日起 {review_days} 日内向{body}申请行政复议，或者在 {litigation_months} 个月内向{court_text}提起行政诉讼。"
        ),
        review_body: body,
        review_days,
        court: court_text,
        litigation_months,
    }
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

/// The title a person reads for each ending (NV-17).
const ENDING_TITLES: [(&str, &str); 9] = [
    ("approved", "已办结"),
    ("approved_by_commitment", "已按告知承诺制办结"),
    ("answered", "已答复"),
    ("referred", "已指引至其他单位办理"),
    ("handed_over", "已转交其他单位办理"),
    ("withdrawn", "您已撤回申请"),
    ("not_required", "依法无需办理许可"),
    ("vetoed_before_acceptance", "不予受理"),
    ("vetoed", "不予许可"),
];

/// The steps a person sees of a 办不成事 matter.
const MATTER_STEPS: [&str; 3] = ["已登记", "已转责任单位办理", "责任单位已答复"];
const MATTER_CLOSED: &str = "已办结";
const COMPLAINT_STEPS: [&str; 4] = ["已受理", "已转责任科室办理", "责任科室已回复", "已办结"];

/// Every step's words, for the message catalog.
pub fn step_labels() -> impl Iterator<Item = &'static str> {
    CASE_STEPS
        .iter()
        .map(|(_, l)| *l)
        .chain(MATTER_STEPS)
        .chain([MATTER_CLOSED])
        .chain(COMPLAINT_STEPS)
        .chain(ENDING_TITLES.iter().map(|(_, l)| *l))
}

fn ending_title(key: &str) -> &'static str {
    ENDING_TITLES.iter().find(|(k, _)| *k == key).map(|(_, l)| *l).unwrap_or("已办结")
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

/// A phone number as a throttle's key: hashed, so the count's audit entry holds no phone.
fn phone_key(phone: &str) -> String {
    use sha2::Digest;
    let h = sha2::Sha256::digest(format!("noveto-throttle:{phone}").as_bytes());
    h.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

async fn follow_now(s: &App, address: &str, receipt: &str, phone: &str) -> Result<Followed> {
    // Guessing the phone of one receipt number is refused for that number; misses from one
    // address (a hall's Wi-Fi) only wait longer.
    let limits = s.policy().limits.clone();
    let (a, r, since) = (address.to_string(), receipt.trim().chars().take(40).collect::<String>(), hour_ago(s));
    let (misses, on_receipt) = s
        .store
        .read(move |tx| {
            Ok::<_, StoreError>((
                auth::public_attempts_since(tx, "follow_miss", &a, &since)?,
                auth::public_attempts_since(tx, "follow_miss_receipt", &r, &since)?,
            ))
        })
        .await?;
    if on_receipt >= limits.follow_misses_per_receipt as i64 {
        return Err(Error::new(
            crate::error::Kind::Throttled,
            "too_many_attempts",
            "这个受理编号一小时内查询失败次数过多，请稍后再试，或拨打服务热线查询",
        ));
    }
    let wait = limits.delay(misses, limits.follow_misses_per_address);
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let wanted = Phone::parse(phone).ok().map(|p| p.as_str().to_string());
    let r = receipt.trim().to_string();
    let found = s
        .store
        .read(move |tx| {
            if let Some(m) = repo::by_receipt(tx, &r)? {
                let center = org::center_by_id(tx, m.center_id)?;
                return Ok::<_, StoreError>(Some(Err(Ok((m, center)))));
            }
            if let Some(c) = noveto_store::repo::complaints::by_receipt(tx, &r)? {
                let center = org::center_by_id(tx, c.center_id)?;
                return Ok(Some(Err(Err((c, center)))));
            }
            let Some(id) = cases::id_by_receipt(tx, &r)? else { return Ok(None) };
            let Some((c, _)) = cases::get(tx, id)? else { return Ok(None) };
            let veto = match c.veto_request_id {
                Some(v) => cases::get_veto(tx, v)?,
                None => None,
            };
            let withdrawals = cases::withdrawals_of_case(tx, id)?;
            let center = org::center_by_id(tx, c.center_id)?;
            Ok(Some(Ok(CaseFacts { timeline: cases::timeline(tx, id)?, case: c, veto, withdrawals, center })))
        })
        .await?;
    let same = |stored: &str| Phone::parse(stored).ok().map(|p| p.as_str().to_string()) == wanted && wanted.is_some();
    let shown = match found {
        Some(Err(Ok((m, center)))) if same(&m.reporter.phone) => Some(unresolved_view(s, &m, center.as_ref()).await?),
        Some(Err(Err((c, center)))) if same(&c.complainant.phone) => {
            Some(complaint_view(s, &c, center.as_ref()).await?)
        }
        Some(Ok(f)) if same(&f.case.applicant.phone) => {
            let (_, region) = s.center_chain(f.case.center_id).await?;
            Some(case_view(s, &region, &f))
        }
        _ => None,
    };
    match shown {
        Some(v) => Ok(v),
        None => {
            let (a, ctx) = (address.to_string(), Ctx { actor: None, now: s.now_str() });
            let r = receipt.trim().chars().take(40).collect::<String>();
            s.store
                .write(move |tx| {
                    auth::public_attempt(tx, &ctx, "follow_miss", &a)?;
                    auth::public_attempt(tx, &ctx, "follow_miss_receipt", &r)
                })
                .await?;
            Err(Error::new(crate::error::Kind::NotFound, "not_found", "没有找到：请核对受理编号和登记时留的电话号码"))
        }
    }
}

/// What a followed case is read with.
struct CaseFacts {
    case: noveto_domain::case::Case,
    timeline: Vec<cases::TimelineEntry>,
    veto: Option<noveto_domain::case::VetoRequest>,
    withdrawals: Vec<noveto_domain::case::Withdrawal>,
    center: Option<org::Center>,
}

async fn unresolved_view(s: &App, m: &repo::UnresolvedRow, center: Option<&org::Center>) -> Result<Followed> {
    let [registered, dispatched, answered] = MATTER_STEPS;
    let at = |t: &Option<chrono::DateTime<chrono::FixedOffset>>| t.map(noveto_domain::time::rfc3339);
    let mut steps = vec![];
    if let Some(t) = at(&m.registered_at) {
        steps.push(Step { what: registered, at: t });
    }
    if let Some(t) = at(&m.dispatched_at) {
        steps.push(Step { what: dispatched, at: t });
    }
    if let Some(t) = at(&m.answered_at) {
        steps.push(Step { what: answered, at: t });
    }
    if let Some(t) = at(&m.closed_at) {
        steps.push(Step { what: MATTER_CLOSED, at: t });
    }
    let (_, region) = s.center_chain(m.center_id).await?;
    // BBC-1, BBC-4: what the person was told — the right body outside government services, or
    // what to bring, where and to whom.
    let answer = match (&m.body, &m.result) {
        (Some(b), _) => {
            Some(format!("该事项不属于政务服务事项，请联系{}（地址：{}；电话：{}）。", b.name, b.address, b.phone))
        }
        (None, Some(r)) => Some(r.clone()),
        (None, None) => None,
    };
    let to_bring = m
        .notice
        .iter()
        .map(|n| Bring {
            material: n.materials.clone(),
            how_to_fix: format!("到{}找{}办理，联系电话 {}", n.window, n.person, n.contact),
        })
        .collect();
    Ok(Followed {
        kind: "unresolved",
        receipt_no: m.receipt_no.clone(),
        status: m.status.label(),
        due: crate::tickets::due_of(s, &m.ticket, &region).map(|d| d.to_string()),
        steps,
        answer,
        outcome: None,
        promised: None,
        to_bring,
        stages: vec![],
        reply_extended: None,
        hotline: center.map(|c| c.hotline.clone()).unwrap_or_default(),
        supervision_phone: center.map(|c| c.supervision_phone.clone()).unwrap_or_default(),
    })
}

/// What the complainant reads of their complaint: where it is, by when, and the reply.
async fn complaint_view(
    s: &App,
    c: &noveto_store::repo::complaints::ComplaintRow,
    center: Option<&org::Center>,
) -> Result<Followed> {
    let at = |t: &Option<chrono::DateTime<chrono::FixedOffset>>| t.map(noveto_domain::time::rfc3339);
    let [received, assigned, replied, closed] = COMPLAINT_STEPS;
    let mut steps = vec![];
    for (what, t) in
        [(received, &c.received_at), (assigned, &c.assigned_at), (replied, &c.replied_at), (closed, &c.closed_at)]
    {
        if let Some(t) = at(t) {
            steps.push(Step { what, at: t });
        }
    }
    let (_, region) = s.center_chain(c.center_id).await?;
    let open = c.status.is_open();
    Ok(Followed {
        kind: "complaint",
        receipt_no: c.receipt_no.clone(),
        status: c.status.label(),
        due: if open { crate::tickets::due_of(s, &c.ticket, &region).map(|d| d.to_string()) } else { None },
        steps,
        answer: c.reply.clone(),
        outcome: None,
        promised: None,
        to_bring: vec![],
        stages: vec![],
        reply_extended: c.extension.as_ref().filter(|_| open).map(|r| Extended {
            to: crate::tickets::due_of(s, &c.ticket, &region).map(|d| d.to_string()).unwrap_or_default(),
            reason: r.clone(),
        }),
        hotline: center.map(|c| c.hotline.clone()).unwrap_or_default(),
        supervision_phone: center.map(|c| c.supervision_phone.clone()).unwrap_or_default(),
    })
}

fn case_view(s: &App, region: &str, f: &CaseFacts) -> Followed {
    use noveto_domain::case::Status;
    use noveto_domain::ending::Ending as E;
    let (c, timeline) = (&f.case, &f.timeline);
    let cal = s.calendar_for(region);
    let now = s.now();
    let due = c
        .deadlines
        .iter()
        .filter(|d| d.met_at.is_none())
        .filter_map(|d| d.due(&cal, now).ok())
        .min()
        .map(|d| d.to_string());
    let open = c.status != Status::Closed;
    let promised = c
        .deadlines
        .iter()
        .filter(|d| open && d.what == "promised_time_limit" && d.met_at.is_none())
        .filter_map(|d| d.due(&cal, now).ok())
        .min()
        .map(|d| d.to_string());
    let waiting_for: &[noveto_domain::case::Missing] = match c.status {
        Status::Notified => &c.notified,
        Status::AcceptedWithDeficiency => &c.deficiency,
        _ => &[],
    };
    let to_bring =
        waiting_for.iter().map(|m| Bring { material: m.material.clone(), how_to_fix: m.how_to_fix.clone() }).collect();
    let closed = timeline.iter().rev().find(|e| e.kind == "closed").map(|e| e.detail.clone()).unwrap_or_default();
    let note = closed["note"].as_str().filter(|n| !n.trim().is_empty()).map(String::from);
    let accepted = timeline.iter().any(|e| e.kind == "accepted" || e.kind == "accepted_with_deficiency");
    let outcome = c.ending().map(|ending| {
        let key = match ending {
            E::Vetoed if !accepted => "vetoed_before_acceptance",
            e => e.as_str(),
        };
        let mut o =
            Ending { ending: ending.as_str(), title: ending_title(key), text: note.clone(), ..Default::default() };
        match ending {
            E::Vetoed => {
                o.reason = f.veto.as_ref().map(|v| v.reason.clone());
                o.legal_basis = f.veto.as_ref().map(|v| v.legal_basis.clone());
                o.remedies = Some(remedies(f.center.as_ref()));
                o.report = Some(format!("/report?receipt_no={}", c.receipt_no));
            }
            E::Referred | E::HandedOver => {
                if let Some(r) = &c.referral {
                    o.go_to = Some(r.target_name()).filter(|x| !x.is_empty());
                    o.address = Some(r.address.clone());
                    o.contact = Some(r.contact.clone());
                    o.how = Some(r.how.clone());
                }
            }
            E::Withdrawn => {
                let w = f.withdrawals.iter().rev().find(|w| w.confirmed_by.is_some());
                o.text = Some(match w {
                    Some(w) => format!("您的书面撤回申请已经窗口负责人确认：{}", w.statement),
                    None => "您的撤回申请已经确认。".into(),
                });
            }
            E::NotRequired => {
                o.legal_basis = closed["legal_basis"].as_str().map(String::from);
                o.text = Some(match &note {
                    Some(n) => format!("经窗口负责人确认，您所申请的事项依法无需办理许可。{n}"),
                    None => "经窗口负责人确认，您所申请的事项依法无需办理许可。".into(),
                });
            }
            E::Answered | E::Approved | E::ApprovedByCommitment => {}
        }
        o
    });
    let steps = timeline
        .iter()
        .filter_map(|e| {
            let what = match (e.kind.as_str(), &outcome) {
                ("closed", Some(o)) => o.title,
                (k, _) => case_step(k)?,
            };
            Some(Step { what, at: e.at.clone() })
        })
        .collect();
    let stages = c
        .stages
        .iter()
        .enumerate()
        .map(|(n, st)| StageShown {
            name: st.name.clone(),
            state: st.state(),
            done_at: st.done_at.map(noveto_domain::time::rfc3339),
            // An open matter's stages still to finish.
            due: (open && st.done_at.is_none()).then(|| c.stage_due(n, &cal, now)).flatten().map(|d| d.to_string()),
        })
        .collect();
    Followed {
        kind: "case",
        stages,
        receipt_no: c.receipt_no.clone(),
        status: match &outcome {
            Some(o) => o.title,
            None => c.status.label(),
        },
        due,
        steps,
        answer: note.filter(|_| c.outcome == Some(noveto_domain::case::Outcome::Answered)),
        outcome,
        promised,
        to_bring,
        reply_extended: c
            .reply_extended
            .as_ref()
            .filter(|_| open)
            .map(|e| Extended { to: e.to.to_string(), reason: e.reason.clone() }),
        hotline: f.center.as_ref().map(|c| c.hotline.clone()).unwrap_or_default(),
        supervision_phone: f.center.as_ref().map(|c| c.supervision_phone.clone()).unwrap_or_default(),
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
