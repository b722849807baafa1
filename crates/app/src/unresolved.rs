//! BBC: the 办不成事 desk. A matter is registered at the desk with its class (the deadline follows
//! from the policy), dispatched to the responsible unit's liaison contact (B while A is away),
//! and closed with the unit's feedback; a complex matter's deadline is set by the supervision
//! section. Load → authorize → decide (the domain's [`Unresolved`]) → one store write; every
//! reader — API, page, ledger — goes through [`visible`].

use crate::tickets::{self, AppTicket, Loaded, View};
use crate::{App, Error, Principal, Result};
use chrono::{Datelike, NaiveDate, Weekday};
use noveto_domain::access::{Action, Place, Relation, ScopeKind, may_somewhere};
use noveto_domain::unresolved::{
    Body, Class, Command, Fallback, NewUnresolved, Offer, OneTimeNotice, Reporter, Status, Unresolved, UnresolvedError,
};
use noveto_domain::validate::{Phone, long_text, text};
use noveto_store::StoreError;
use noveto_store::repo::unresolved::{self as repo, UnresolvedRow};
use noveto_store::repo::{cases, org};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

impl From<UnresolvedError> for Error {
    fn from(e: UnresolvedError) -> Error {
        let field = match e {
            UnresolvedError::NoSummary => Some("summary"),
            UnresolvedError::NoName => Some("name"),
            UnresolvedError::NoResult => Some("result"),
            UnresolvedError::NotComplex | UnresolvedError::DueInPast => Some("due"),
            UnresolvedError::NoVerification => Some("note"),
            UnresolvedError::NoticeIncomplete => Some("materials"),
            UnresolvedError::BodyIncomplete => Some("body_name"),
            _ => None,
        };
        let err =
            if e.is_state() { Error::conflict(e.code(), e.to_string()) } else { Error::bad(e.code(), e.to_string()) };
        Error { field, ..err }
    }
}

impl AppTicket for Unresolved {
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
        (&self.policy_id, self.policy_version)
    }
    /// Its center, the desk that registered it, the unit it went to.
    fn place(&self, centers: Vec<i64>) -> Place {
        Place { centers, unit: self.unit_id, window: self.desk_id }
    }
    /// The desk works it, and so does the person it went to (the unit's contact, B, or the
    /// leader it went up to); the unit's other leaders read the reporter's phone masked until it
    /// is theirs (data minimization: they answer through the contact).
    fn relation(&self, p: &Principal, l: &Loaded<Self>) -> Relation {
        let works_it = p.may(Action::WorkUnresolved, &l.place).is_ok() || self.sent_to == Some(p.id);
        Relation { works_it, confidential: false }
    }
    fn may_read(p: &Principal, l: &Loaded<Self>) -> Result<()> {
        if p.may(Action::ReadUnresolved, &l.place).is_ok() || l.sent_to == Some(p.id) || answers(p, l) {
            return Ok(());
        }
        Err(Error::forbidden("无权查看该办不成事反映"))
    }
    fn authorize(p: &Principal, l: &Loaded<Self>, a: Offer) -> Result<()> {
        match a {
            Offer::Classify | Offer::Dispatch | Offer::ReferOutside | Offer::Tell => {
                p.may(Action::WorkUnresolved, &l.place)
            }
            Offer::Escalate if l.sent_to == Some(p.id) => Ok(()),
            Offer::Escalate => p.may(Action::WorkUnresolved, &l.place),
            Offer::SetDeadline => p.may(Action::SetUnresolvedDeadline, &l.place),
            // BBC-2: only the unit answers — never the desk in its place.
            Offer::Answer if answers(p, l) => Ok(()),
            Offer::Answer => Err(Error::forbidden("只有责任单位（业务联系人、B 岗或分管领导）才能答复流转来的事项")),
            // BBC-3: a matter that cannot be done is filed with the desk head.
            Offer::Verify if l.answer_resolved == Some(false) => p.may(Action::FileUnresolved, &l.place),
            Offer::Verify => p.may(Action::WorkUnresolved, &l.place),
            Offer::FinalAnswer => p.may(Action::FallbackAnswer, &l.place),
        }
    }
}

/// Whether `p` answers for the unit a matter went to: the person it went to (the contact or B,
/// or the leader it went up to), or a leader of the unit.
fn answers(p: &Principal, l: &Loaded<Unresolved>) -> bool {
    l.unit_id.is_some() && (l.sent_to == Some(p.id) || p.may(Action::AnswerUnresolved, &l.place).is_ok())
}

#[derive(Deserialize, JsonSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct ReporterIn {
    pub name: String,
    pub phone: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnresolvedIn {
    pub reporter: ReporterIn,
    /// What they tried, where, and what did not get done.
    pub summary: String,
    /// The case it concerns, if any.
    pub case_id: Option<i64>,
    /// The same by its receipt number (as the person at the desk reads it off their slip).
    #[serde(default)]
    pub case_receipt_no: Option<String>,
    /// `simple` (即办件), `general` (承诺件), `complex` (复杂或历史遗留) or `impossible`.
    pub class: String,
    /// The 办不成事 desk it is registered at (default: the caller's own desk).
    pub desk_id: Option<i64>,
}

/// A registered matter: its id, receipt number and due day (None: complex, set by supervision).
#[derive(Serialize)]
pub struct Registered {
    pub id: i64,
    pub receipt_no: String,
    pub due: Option<NaiveDate>,
}

/// The desk a registration is made at: the one named, or the caller's own 办不成事 desk.
async fn desk_for(s: &App, p: &Principal, named: Option<i64>) -> Result<org::Window> {
    let d = crate::org::directory(s).await?;
    let desks: Vec<&org::Window> = d.windows.iter().filter(|w| w.kind == "unresolved_desk").collect();
    let found = match named {
        Some(id) => desks.iter().find(|w| w.id == id).copied(),
        None => desks
            .iter()
            .copied()
            .find(|w| p.grants.iter().any(|g| g.scope.kind == ScopeKind::Window && g.scope.id == w.id)),
    };
    found.cloned().ok_or_else(|| {
        Error::bad("desk_required", "请选择登记的“办不成事”反映窗口（所选窗口不存在或不是该窗口）").at("desk_id")
    })
}

/// The 办不成事 desk the caller works at, if any (where the page offers the register form).
pub async fn my_desk(s: &App, p: &Principal) -> Option<org::Window> {
    desk_for(s, p, None).await.ok()
}

/// BBC-1 … BBC-3: registers a matter at a desk with its class; the deadline follows from the
/// policy in force.
pub async fn register(s: &App, p: &Principal, b: UnresolvedIn) -> Result<Registered> {
    let name = text("name", "反映人姓名", &b.reporter.name, 50)?;
    let phone = Phone::parse(&b.reporter.phone)?;
    let summary = long_text("summary", "反映事项", &b.summary, 2000)?;
    let class = parse_class(&b.class)?;
    let desk = desk_for(s, p, b.desk_id).await?;
    let (centers, _) = s.center_chain(desk.center_id).await?;
    let place = Place { centers, unit: None, window: Some(desk.id) };
    p.may(Action::WorkUnresolved, &place)?;
    if let Some(c) = b.case_id
        && s.store.read(move |tx| cases::get(tx, c)).await?.is_none()
    {
        return Err(Error::bad("unknown_case", "所关联的办件不存在").at("case_id"));
    }
    let case_id =
        match b.case_receipt_no.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => b.case_id,
            Some(r) => {
                let r = r.to_string();
                let found = s.store.read(move |tx| cases::id_by_receipt(tx, &r)).await?;
                Some(found.ok_or_else(|| {
                    Error::bad("unknown_case", "没有这个受理编号的办件，请核对").at("case_receipt_no")
                })?)
            }
        };
    let n = NewUnresolved {
        center_id: desk.center_id,
        desk_id: Some(desk.id),
        reporter: Reporter { name, phone: phone.as_str().into() },
        summary,
        case_id,
        class,
        fallback: None,
    };
    registered(s, tickets::open::<Unresolved>(s, Some(p.id), desk.center_id, n).await?).await
}

/// The answer to a registration.
pub(crate) async fn registered(s: &App, r: UnresolvedRow) -> Result<Registered> {
    let (_, region) = s.center_chain(r.center_id).await?;
    Ok(Registered { id: r.id, receipt_no: r.receipt_no.clone(), due: tickets::due_of(s, &r.ticket, &region) })
}

/// One matter the caller may read, as they may see it.
pub async fn get(s: &App, p: &Principal, id: i64) -> Result<View<Unresolved>> {
    let l = tickets::load::<Unresolved>(s, id).await?;
    tickets::view(s, p, &l)
}

/// Loads a matter and checks the caller may take `a` on it.
async fn load_for(s: &App, p: &Principal, id: i64, a: Offer) -> Result<Loaded<Unresolved>> {
    let l = tickets::load::<Unresolved>(s, id).await?;
    <Unresolved as AppTicket>::authorize(p, &l, a)?;
    Ok(l)
}

/// The history of a matter, for someone who may read it.
pub async fn history(s: &App, p: &Principal, id: i64) -> Result<Vec<noveto_store::repo::tickets::Step>> {
    get(s, p, id).await?;
    tickets::history::<Unresolved>(s, id).await
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchIn {
    pub unit_id: i64,
}

/// Who a dispatch went to.
#[derive(Serialize)]
pub struct Dispatched {
    pub unit_id: i64,
    pub sent_to: i64,
    pub sent_to_name: String,
    /// True when the contact's A post is marked absent and B received it.
    pub stand_in: bool,
}

/// A unit's liaison contact, or B while A is away: `(unit, Some((to, stand_in, name)))`.
pub(crate) async fn contact_of(s: &App, unit_id: i64) -> Result<(org::Unit, i64, bool, String)> {
    let target = s
        .store
        .read(move |tx| {
            let Some(unit) = org::unit_by_id(tx, unit_id)? else { return Ok::<_, StoreError>(None) };
            let Some(contact) = unit.contact_id else { return Ok(Some((unit, None))) };
            let b = org::stand_in(tx, contact)?;
            let to = b.unwrap_or(contact);
            let name = org::staff_by_id(tx, to)?.map(|x| x.name).unwrap_or_default();
            Ok(Some((unit, Some((to, b.is_some(), name)))))
        })
        .await?;
    let Some((unit, contact)) = target else {
        return Err(Error::bad("unknown_unit", "所选单位不存在").at("unit_id"));
    };
    let Some((to, stand_in, name)) = contact else {
        return Err(Error::bad(
            "contact_required",
            format!("{}尚未在业务联系表中指定联系人，请先请管理员指定后再流转", unit.name),
        )
        .at("unit_id"));
    };
    Ok((unit, to, stand_in, name))
}

/// BBC-2: sends the matter to the unit's liaison contact (流转单), or B while A is away.
pub async fn dispatch(s: &App, p: &Principal, id: i64, b: DispatchIn) -> Result<Dispatched> {
    let l = load_for(s, p, id, Offer::Dispatch).await?;
    let (unit, to, stand_in, name) = contact_of(s, b.unit_id).await?;
    if !l.place.centers.contains(&unit.center_id) {
        return Err(Error::bad("unknown_unit", "所选单位不在该中心").at("unit_id"));
    }
    tickets::decide(s, Some(p.id), &l, Command::Dispatch { unit_id: unit.id, sent_to: to, stand_in }).await?;
    Ok(Dispatched { unit_id: unit.id, sent_to: to, sent_to_name: name, stand_in })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackIn {
    /// What the unit did, or why it cannot be done.
    pub result: String,
    pub resolved: bool,
    /// BBC-7: a bottleneck in the process the matter showed, recorded as a process-improvement
    /// suggestion of the unit (FAQ-3), sent to the unit's contact and tracked there to the change
    /// that removes it.
    #[serde(default)]
    pub bottleneck: Option<String>,
    /// NV-14: send even though refusal phrases were flagged (they are recorded).
    #[serde(default)]
    pub confirm: bool,
}

/// BBC-2, BBC-3: the unit's answer (its contact, B, or its leaders — never the desk), checked
/// for refusal phrases; the desk then checks it with the person and closes.
pub async fn feedback(s: &App, p: &Principal, id: i64, b: FeedbackIn) -> Result<Status> {
    let l = load_for(s, p, id, Offer::Answer).await?;
    let result = long_text("result", "办理结果", &b.result, 2000)?;
    let flagged = crate::cases::applicant_text("办理结果", &result, b.confirm).map_err(|e| e.at("result"))?;
    let flagged: Vec<String> = flagged.into_iter().map(|f| f.phrase).collect();
    let bottleneck = match b.bottleneck.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        None => None,
        Some(x) => Some(long_text("bottleneck", "流程堵点", x, 1000)?),
    };
    let cmd = Command::Answer { resolved: b.resolved, result, flagged };
    let saved = match bottleneck {
        None => tickets::decide(s, Some(p.id), &l, cmd).await?,
        Some(x) => {
            // The unit found it itself: whoever answered follows it (they recorded it).
            let sug = crate::suggestions::bottleneck(s, p, &l, &x, None).await?;
            tickets::decide_with(s, Some(p.id), &l, cmd, move |tx, ctx| {
                noveto_store::repo::tickets::insert(tx, ctx, &sug).map(|_| ())
            })
            .await?
        }
    };
    Ok(saved.status)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BottleneckIn {
    /// The step of the unit's process that made the matter fail.
    pub text: String,
}

/// BBC-7: a bottleneck the desk found in a matter is sent to the responsible unit's liaison
/// contact as a process improvement (a suggestion of the unit), who reads and follows it to the
/// change; returns the suggestion's id.
pub async fn bottleneck(s: &App, p: &Principal, id: i64, b: BottleneckIn) -> Result<i64> {
    let l = tickets::load::<Unresolved>(s, id).await?;
    p.may(Action::WorkUnresolved, &l.place)?;
    let Some(unit) = l.unit_id else {
        return Err(Error::conflict("not_dispatched", "尚未流转至责任单位，无法发送流程改进建议"));
    };
    let text = long_text("text", "流程堵点", &b.text, 1000)?;
    let (_, contact, _, _) = contact_of(s, unit).await?;
    let d = crate::suggestions::bottleneck(s, p, &l, &text, Some(contact)).await?;
    let ctx = p.ctx(&s.now_str());
    Ok(s.store.write(move |tx| noveto_store::repo::tickets::insert(tx, &ctx, &d)).await?.id)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyIn {
    /// Whether the person confirmed it is done (or, for a matter that cannot be done, that the
    /// reasons reached them); false sends it back to the unit.
    pub done: bool,
    /// What the person said when the desk called back.
    pub note: String,
}

/// The desk checks the unit's answer with the person and closes the matter — a matter that
/// cannot be done by the desk head, who files it (BBC-3) — or sends it back to the unit.
pub async fn verify(s: &App, p: &Principal, id: i64, b: VerifyIn) -> Result<Status> {
    let l = load_for(s, p, id, Offer::Verify).await?;
    let note = long_text("note", "回访核实情况", &b.note, 1000)?;
    Ok(tickets::decide(s, Some(p.id), &l, Command::Verify { done: b.done, note }).await?.status)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeIn {
    /// What to bring.
    pub materials: String,
    /// Where to go.
    pub window: String,
    /// Who will see them.
    pub person: String,
    /// How to reach that person.
    pub contact: String,
}

/// BBC-4: the one-time notice — materials, window, person and contact — told once.
pub async fn tell(s: &App, p: &Principal, id: i64, b: NoticeIn) -> Result<()> {
    let l = load_for(s, p, id, Offer::Tell).await?;
    let n = OneTimeNotice {
        materials: long_text("materials", "所需材料", &b.materials, 1000)?,
        window: text("window", "办理窗口", &b.window, 100)?,
        person: text("person", "经办人", &b.person, 50)?,
        contact: text("contact", "联系方式", &b.contact, 50)?,
    };
    tickets::decide(s, Some(p.id), &l, Command::Tell(n)).await?;
    Ok(())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutsideIn {
    /// The body that handles it.
    pub name: String,
    pub address: String,
    pub phone: String,
}

/// BBC-1: not a government service — the person is told the right body's name, address and
/// phone, and the matter closes with that.
pub async fn refer_outside(s: &App, p: &Principal, id: i64, b: OutsideIn) -> Result<()> {
    let l = load_for(s, p, id, Offer::ReferOutside).await?;
    let body = Body {
        name: text("body_name", "有权处理的部门", &b.name, 100)?,
        address: text("body_address", "部门地址", &b.address, 200)?,
        phone: text("body_phone", "部门电话", &b.phone, 50)?,
    };
    tickets::decide(s, Some(p.id), &l, Command::ReferOutside(body)).await?;
    Ok(())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassIn {
    /// `simple`, `general`, `complex` or `impossible`.
    pub class: String,
}

fn parse_class(c: &str) -> Result<Class> {
    Class::parse(c.trim()).ok_or_else(|| {
        Error::bad("invalid_class", "请选择事项类别：即办件、承诺件、复杂或历史遗留问题、确实无法办理").at("class")
    })
}

/// BBC-2, BBC-3: the desk classes a matter before dispatching it (one submitted online arrives
/// as 承诺件); the deadline follows from the policy, counted from registration.
pub async fn classify(s: &App, p: &Principal, id: i64, b: ClassIn) -> Result<Option<NaiveDate>> {
    let class = parse_class(&b.class)?;
    let l = load_for(s, p, id, Offer::Classify).await?;
    let saved = tickets::decide(s, Some(p.id), &l, Command::Classify { class }).await?;
    Ok(tickets::due_of(s, &saved.ticket, &l.region))
}

/// BBC-2: the contact cannot act — the matter goes up to the unit's leader in charge (ORG-3),
/// sent by the desk or by the contact. Returns the leader's id.
pub async fn escalate(s: &App, p: &Principal, id: i64) -> Result<i64> {
    let l = load_for(s, p, id, Offer::Escalate).await?;
    let Some(unit_id) = l.unit_id else {
        return Err(Error::from(UnresolvedError::NotDispatched(l.status)));
    };
    let unit = s.store.read(move |tx| org::unit_by_id(tx, unit_id)).await?.ok_or_else(|| Error::not_found("单位"))?;
    let leader = unit.leader_id.ok_or_else(|| {
        Error::bad("leader_required", format!("{}尚未在业务联系表中指定分管领导，请先请管理员指定", unit.name))
    })?;
    tickets::decide(s, Some(p.id), &l, Command::Escalate { leader_id: leader }).await?;
    Ok(leader)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineIn {
    /// The day by which the complex matter must be done (YYYY-MM-DD).
    pub due: String,
}

/// BBC-3: the supervision section sets a complex matter's deadline.
pub async fn set_deadline(s: &App, p: &Principal, id: i64, b: DeadlineIn) -> Result<NaiveDate> {
    let due: NaiveDate =
        b.due.trim().parse().map_err(|_| Error::bad("invalid_date", "日期格式应为 2026-12-31").at("due"))?;
    let l = load_for(s, p, id, Offer::SetDeadline).await?;
    tickets::decide(s, Some(p.id), &l, Command::SetDeadline { due }).await?;
    Ok(due)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FinalAnswerIn {
    /// The desk's final answer to the applicant (兜底回复).
    pub answer: String,
    /// NV-14: send even though refusal phrases were flagged.
    #[serde(default)]
    pub confirm: bool,
}

/// NV-13: the desk (its head, with the business section) gives the final answer on a veto nobody
/// owned.
pub async fn final_answer(s: &App, p: &Principal, id: i64, b: FinalAnswerIn) -> Result<Status> {
    let l = load_for(s, p, id, Offer::FinalAnswer).await?;
    let answer = long_text("answer", "兜底答复", &b.answer, 2000)?;
    let flagged = crate::cases::applicant_text("兜底答复", &answer, b.confirm).map_err(|e| e.at("answer"))?;
    let flagged = flagged.into_iter().map(|f| f.phrase).collect();
    Ok(tickets::decide(s, Some(p.id), &l, Command::FinalAnswer { answer, flagged }).await?.status)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FallbackIn {
    /// Why nobody owns the veto: whose responsibility is unclear, or that no unit will decide.
    pub reason: String,
}

/// NV-13: a veto request whose responsibility is unclear, or that no unit will decide, is handed
/// to the 办不成事 desk of the case's center (by the window head, the hall manager or the
/// business section), which leads with the business section and gives the final answer within
/// the policy's deadline. Once per case.
pub async fn fallback(s: &App, p: &Principal, case_id: i64, b: FallbackIn) -> Result<Registered> {
    let l = crate::cases::load(s, p, case_id, Action::ReadCase).await?;
    p.may(Action::FallbackAnswer, &l.place)?;
    if l.case.veto_request_id.is_none() || l.case.status != noveto_domain::case::Status::VetoPending {
        return Err(Error::conflict("no_pending_veto", "只有待审批的否决申请才能转“办不成事”窗口兜底"));
    }
    if fallback_of_case(s, case_id).await?.is_some() {
        return Err(Error::conflict("already_fallen_back", "该办件的否决事项已转“办不成事”窗口兜底"));
    }
    let reason = long_text("reason", "转交理由", &b.reason, 1000)?;
    fallback_for(s, p.id, &l.case, case_id, reason).await
}

/// NV-13: the desk matter answering a case's veto in the last resort, if any.
pub async fn fallback_of_case(s: &App, case_id: i64) -> Result<Option<UnresolvedRow>> {
    let rows = s.store.read(move |tx| repo::of_case(tx, case_id)).await?;
    Ok(rows.into_iter().find(|r| r.fallback.is_some()))
}

async fn fallback_for(
    s: &App,
    by: i64,
    case: &noveto_domain::case::Case,
    case_id: i64,
    reason: String,
) -> Result<Registered> {
    let d = crate::org::directory(s).await?;
    let desk = d
        .windows
        .iter()
        .find(|w| w.kind == "unresolved_desk" && w.center_id == case.center_id)
        .ok_or_else(|| Error::bad("no_desk", "本中心尚未设立“办不成事”反映窗口，无法转交兜底"))?;
    let n = NewUnresolved {
        center_id: case.center_id,
        desk_id: Some(desk.id),
        reporter: Reporter { name: case.applicant.name.clone(), phone: case.applicant.phone.clone() },
        summary: format!("否决事项责任不清或无人决定，转“办不成事”窗口兜底答复（办件 {}）：{reason}", case.receipt_no),
        case_id: Some(case_id),
        class: Class::General,
        fallback: Some(Fallback { case_id, veto_request_id: case.veto_request_id, reason }),
    };
    registered(s, tickets::open::<Unresolved>(s, Some(by), case.center_id, n).await?).await
}

/// A week as `YYYY-Www` (ISO 8601): its Monday.
pub fn parse_week(w: &str) -> Result<NaiveDate> {
    let bad = || Error::bad("invalid_week", "周次格式应为 2026-W48").at("week");
    let (y, n) = w.trim().split_once("-W").ok_or_else(bad)?;
    let (y, n): (i32, u32) = (y.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    NaiveDate::from_isoywd_opt(y, n, Weekday::Mon).ok_or_else(bad)
}

/// The week `day` lies in, as `YYYY-Www`.
pub fn week_of(day: NaiveDate) -> String {
    let w = day.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The matters the caller may read — registered in `week` (its Monday), plus every one still
/// open — newest first: the one scoped query behind the API, the desk page and the ledger.
pub async fn visible(s: &App, p: &Principal, week: NaiveDate) -> Result<Vec<View<Unresolved>>> {
    visible_between(s, p, week, week + chrono::Duration::days(7)).await
}

/// The same for the days `[from, to)`.
pub async fn visible_between(s: &App, p: &Principal, from: NaiveDate, to: NaiveDate) -> Result<Vec<View<Unresolved>>> {
    let unit_role = p.grants.iter().any(|g| g.scope.kind == ScopeKind::Unit);
    if !may_somewhere(&p.grants, Action::ReadUnresolved) && !unit_role {
        return Err(Error::forbidden("无权查看办不成事反映"));
    }
    let from = format!("{from}T00:00:00+08:00");
    let to = format!("{to}T00:00:00+08:00");
    let all = s.store.read(move |tx| repo::candidates(tx, &from, &to)).await?;
    Ok(tickets::views(s, p, all))
}

/// A home page's two lists in one read of the matters: those dispatched to the caller or their
/// unit that still wait for its answer, due first (the liaison contact's and the leader's home),
/// and those past their due day, for whoever oversees them (the supervision card).
pub async fn for_home(s: &App, p: &Principal) -> Result<(Vec<View<Unresolved>>, Vec<View<Unresolved>>)> {
    let today = noveto_domain::time::local_date(s.now());
    let all: Vec<View<Unresolved>> = match visible(s, p, today).await {
        Ok(v) => v,
        Err(_) => return Ok((vec![], vec![])),
    };
    let mut late: Vec<View<Unresolved>> = all.iter().filter(|r| is_overdue(r, today)).cloned().collect();
    late.sort_by_key(|r| r.due);
    let mut mine: Vec<View<Unresolved>> = all.into_iter().filter(|m| m.offers(Offer::Answer)).collect();
    mine.sort_by_key(|m| m.due.unwrap_or(NaiveDate::MAX));
    Ok((mine, late))
}

fn is_overdue(r: &View<Unresolved>, today: NaiveDate) -> bool {
    r.status.is_open() && r.answered_at.is_none() && r.due.is_some_and(|d| d < today)
}

/// BBC-5: the week's ledger — the registration table and the progress of every matter — with
/// the days it is reported: the desk to its center, then the center to supervision.
#[derive(Serialize, Deserialize)]
pub struct Ledger {
    pub week: String,
    pub desk_report_day: NaiveDate,
    pub center_report_day: NaiveDate,
    pub registered: usize,
    /// Answered by their unit (or closed).
    pub answered: usize,
    /// Waiting for their unit's answer.
    pub open: usize,
    /// Checked with the person and closed.
    pub closed: usize,
    pub overdue: usize,
    pub lines: Vec<LedgerLine>,
}

#[derive(Serialize, Deserialize)]
pub struct LedgerLine {
    pub id: i64,
    pub receipt_no: String,
    pub registered_at: String,
    pub reporter: String,
    pub phone: String,
    pub summary: String,
    pub class: String,
    pub unit_id: Option<i64>,
    pub status: String,
    pub due: Option<String>,
    pub overdue: bool,
    pub answered_at: Option<String>,
    pub closed_at: Option<String>,
    pub result: Option<String>,
}

fn stamp(t: Option<chrono::DateTime<chrono::FixedOffset>>) -> Option<String> {
    t.map(noveto_domain::time::rfc3339)
}

/// BBC-5: the ledger of `week` (`YYYY-Www`) for what the caller may read.
pub async fn ledger(s: &App, p: &Principal, week: &str) -> Result<Ledger> {
    let monday = parse_week(week)?;
    let rows = visible(s, p, monday).await?;
    Ok(ledger_of(s, monday, &rows))
}

/// The reporting days of the week starting `monday` under `policy`: the desk's to its center
/// (BBC-5: Friday — the last working day on or before it when it is off) and the center's to the
/// supervision department (Monday of the next week — the first working day on or after it).
pub fn report_days(
    policy: &noveto_domain::policy::Policy,
    cal: &noveto_domain::calendar::Calendar,
    monday: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let day = |monday: NaiveDate, wd: u32| monday + chrono::Duration::days(i64::from(wd.clamp(1, 7)) - 1);
    let mut desk = day(monday, policy.unresolved.desk_report_weekday);
    let mut center = day(monday + chrono::Duration::days(7), policy.unresolved.center_report_weekday);
    for _ in 0..14 {
        if cal.is_working_day(desk).unwrap_or(true) {
            break;
        }
        desk -= chrono::Duration::days(1);
    }
    for _ in 0..14 {
        if cal.is_working_day(center).unwrap_or(true) {
            break;
        }
        center += chrono::Duration::days(1);
    }
    (desk, center)
}

/// BBC-5: the ledger of the week starting `monday` over `rows` (what [`visible`] gave for it),
/// for a page that shows the rows as well and reads them once.
pub fn ledger_of(s: &App, monday: NaiveDate, rows: &[View<Unresolved>]) -> Ledger {
    let (desk_report_day, center_report_day) = report_days(&s.policy(), &s.calendar(), monday);
    let today = noveto_domain::time::local_date(s.now());
    let next = monday + chrono::Duration::days(7);
    let lines: Vec<LedgerLine> = rows
        .iter()
        .map(|r| {
            let open = r.status.is_open();
            LedgerLine {
                id: r.id,
                receipt_no: r.receipt_no.clone(),
                registered_at: stamp(r.registered_at).unwrap_or_default(),
                reporter: r.reporter.name.clone(),
                phone: r.reporter.phone.clone(),
                summary: r.summary.clone(),
                class: r.class.label().into(),
                unit_id: r.unit_id,
                status: r.status.label().into(),
                due: r.due.map(|d| d.to_string()),
                overdue: open && r.answered_at.is_none() && r.due.is_some_and(|d| d < today),
                answered_at: stamp(r.answered_at),
                closed_at: stamp(r.closed_at),
                result: r.result.clone(),
            }
        })
        .collect();
    let in_week = |r: &View<Unresolved>| r.registered_day().is_some_and(|d| d >= monday && d < next);
    Ledger {
        week: week_of(monday),
        desk_report_day,
        center_report_day,
        registered: rows.iter().filter(|r| in_week(r)).count(),
        answered: rows.iter().filter(|r| r.answered_at.is_some() || !r.status.is_open()).count(),
        open: rows.iter().filter(|r| r.status.is_open() && r.answered_at.is_none()).count(),
        closed: rows.iter().filter(|r| !r.status.is_open()).count(),
        overdue: lines.iter().filter(|l| l.overdue).count(),
        lines,
    }
}

/// BBC-5: the ledger's columns and rows (the file and the PDF read the same).
pub fn ledger_table(l: &Ledger, units: &[org::Unit]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let columns = vec![
        "受理编号",
        "登记时间",
        "反映人",
        "联系电话",
        "反映事项",
        "类别",
        "责任单位",
        "状态",
        "办理时限",
        "是否超期",
        "答复时间",
        "办结时间",
        "办理结果",
    ];
    let time = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t).map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
    };
    let rows: Vec<Vec<String>> = l
        .lines
        .iter()
        .map(|x| {
            let unit =
                x.unit_id.and_then(|u| units.iter().find(|n| n.id == u)).map(|u| u.name.clone()).unwrap_or_default();
            vec![
                x.receipt_no.clone(),
                time(&x.registered_at),
                x.reporter.clone(),
                x.phone.clone(),
                x.summary.clone(),
                x.class.clone(),
                unit,
                x.status.clone(),
                x.due.clone().unwrap_or_else(|| "待监督部门确定".into()),
                if x.overdue { "超期".into() } else { String::new() },
                x.answered_at.as_deref().map(time).unwrap_or_default(),
                x.closed_at.as_deref().map(time).unwrap_or_default(),
                x.result.clone().unwrap_or_default(),
            ]
        })
        .collect();
    (columns, rows)
}

/// BBC-5: the ledger as a file (CSV or XLSX): one row per matter.
pub fn ledger_file(l: &Ledger, units: &[org::Unit], format: crate::catalog::Format) -> Result<Vec<u8>> {
    let (columns, rows) = ledger_table(l, units);
    crate::catalog_file::table("办不成事台账", &columns, &rows, format == crate::catalog::Format::Xlsx)
        .map_err(|e| Error::bad("export_failed", e))
}

/// BBC-6: a unit that stalled in a month — matters still open past their due day, answered
/// after it, or answered as impossible — with the receipt numbers, for the criticism notice.
#[derive(Serialize, Deserialize)]
pub struct Stall {
    pub unit_id: i64,
    pub overdue: usize,
    pub late: usize,
    pub impossible: usize,
    pub receipts: Vec<String>,
}

/// BBC-6: the units to list for criticism in `month` (`YYYY-MM`): every unit with a matter
/// registered that month (or still open) that it left overdue or answered late; most first.
pub async fn stalls(s: &App, p: &Principal, month: &str) -> Result<Vec<Stall>> {
    let bad = || Error::bad("invalid_month", "月份格式应为 2026-11").at("month");
    let first = NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d").map_err(|_| bad())?;
    let next = first.checked_add_months(chrono::Months::new(1)).ok_or_else(bad)?;
    let today = noveto_domain::time::local_date(s.now());
    let mut by_unit: std::collections::BTreeMap<i64, Stall> = std::collections::BTreeMap::new();
    for r in visible_between(s, p, first, next).await? {
        let Some(unit) = r.unit_id else { continue };
        let answered = r.answered_at.map(noveto_domain::time::local_date);
        let overdue = r.status.is_open() && answered.is_none() && r.due.is_some_and(|d| d < today);
        let late = matches!((answered, r.due), (Some(a), Some(d)) if a > d);
        let impossible = r.answer_resolved == Some(false);
        if !(overdue || late || impossible) {
            continue;
        }
        let e = by_unit.entry(unit).or_insert(Stall {
            unit_id: unit,
            overdue: 0,
            late: 0,
            impossible: 0,
            receipts: vec![],
        });
        e.overdue += usize::from(overdue);
        e.late += usize::from(late);
        e.impossible += usize::from(impossible);
        e.receipts.push(r.receipt_no.clone());
    }
    let mut v: Vec<Stall> = by_unit.into_values().filter(|x| x.overdue + x.late > 0).collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.overdue + x.late));
    Ok(v)
}

/// CAL-2: after a calendar change, every open matter whose due day moves is saved with it (and
/// its `deadlines` row follows); one write each, a matter changed meanwhile is left for its own
/// next save. Returns how many moved.
pub async fn recompute_open(
    s: &App,
    old_of: impl Fn(&str) -> Option<std::sync::Arc<noveto_domain::calendar::Calendar>>,
) -> Result<usize> {
    let mut moved = 0;
    for r in s.store.read(repo::open).await? {
        let l = tickets::placed(s, r).await?;
        let Some(old) = old_of(&l.region) else { continue };
        let before = l.row.version;
        match tickets::decide(s, None, &l, Command::Recompute { old }).await {
            Ok(saved) if saved.version != before => moved += 1,
            Ok(_) => {}
            Err(e) if e.kind == crate::Kind::Conflict => {}
            Err(e) => return Err(e),
        }
    }
    Ok(moved)
}

/// BBC-5: the desk's Friday ledger to its center, and the center's Monday roll-up to the
/// supervision department; BBC-6: a referral for accountability.
pub const DESK_WEEKLY: &str = "bbc_desk_weekly";
pub const CENTER_WEEKLY: &str = "bbc_center_weekly";
pub const ACCOUNTABILITY: &str = "bbc_accountability";

/// What a kept report holds.
#[derive(Serialize, Deserialize)]
pub struct ReportDoc {
    pub ledger: Ledger,
    /// BBC-6: the units that stalled (the Monday roll-up and a referral).
    #[serde(default)]
    pub stalls: Vec<Stall>,
    /// BBC-6: why it is referred, by whom.
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub unit_id: Option<i64>,
}

/// A center's matters of the week starting `monday` as the center reads them (the reporter's
/// name, the phone masked): what a report keeps, whoever reads it later.
async fn center_ledger(s: &App, center_id: i64, monday: NaiveDate, days: i64) -> Result<Ledger> {
    let from = format!("{monday}T00:00:00+08:00");
    let to = format!("{}T00:00:00+08:00", monday + chrono::Duration::days(days));
    let all = s.store.read(move |tx| repo::candidates(tx, &from, &to)).await?;
    let seen = noveto_domain::access::Seen {
        name: noveto_domain::access::Shown::Full,
        phone: noveto_domain::access::Shown::Masked,
    };
    let views: Vec<View<Unresolved>> = all
        .into_iter()
        .filter(|(_, chain)| chain.contains(&center_id))
        .map(|(r, chain)| tickets::view_as(s, tickets::placed_with(s, r, chain), seen))
        .collect();
    Ok(ledger_of(s, monday, &views))
}

/// The units that stalled among `l`'s lines (BBC-6).
fn stalls_of(l: &Ledger) -> Vec<Stall> {
    let mut by: std::collections::BTreeMap<i64, Stall> = Default::default();
    for x in &l.lines {
        let Some(u) = x.unit_id else { continue };
        let late =
            matches!((&x.answered_at, &x.due), (Some(a), Some(d)) if a.get(..10).is_some_and(|a| a > d.as_str()));
        if !(x.overdue || late) {
            continue;
        }
        let e = by.entry(u).or_insert(Stall { unit_id: u, overdue: 0, late: 0, impossible: 0, receipts: vec![] });
        e.overdue += usize::from(x.overdue);
        e.late += usize::from(late);
        e.receipts.push(x.receipt_no.clone());
    }
    by.into_values().collect()
}

fn staff_message(to: i64, subject: String, body: String, dedupe: String) -> noveto_store::repo::jobs::Message {
    noveto_store::repo::jobs::Message {
        channel: "staff".into(),
        recipient: format!("staff:{to}"),
        subject,
        body,
        dedupe,
    }
}

/// BBC-5: makes the reports due by now, once each: for every center with a 办不成事 desk, this
/// week's desk ledger from its report day (Friday, or the last working day before it), and last
/// week's roll-up to the supervision department from its day (Monday, or the first working day
/// after it). Each is kept and announced through the outbox in one write. Returns how many were
/// made.
pub async fn weekly_reports(s: &App) -> Result<usize> {
    use noveto_domain::access::{Role, Scope};
    let today = noveto_domain::time::local_date(s.now());
    let d = crate::org::directory(s).await?;
    let mut made = 0;
    for desk in d.windows.iter().filter(|w| w.kind == "unresolved_desk") {
        let center = desk.center_id;
        let (_, region) = s.center_chain(center).await?;
        let cal = s.calendar_for(&region);
        let policy = s.policy();
        let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let name = d.centers.iter().find(|c| c.id == center).map(|c| c.name.clone()).unwrap_or_default();
        let mut due: Vec<(&str, NaiveDate)> = vec![];
        let (desk_day, _) = report_days(&policy, &cal, monday);
        if today >= desk_day {
            due.push((DESK_WEEKLY, monday));
        }
        let last = monday - chrono::Duration::days(7);
        let (_, center_day) = report_days(&policy, &cal, last);
        if today >= center_day {
            due.push((CENTER_WEEKLY, last));
        }
        for (kind, week) in due {
            let ledger = center_ledger(s, center, week, 7).await?;
            let stalls = if kind == CENTER_WEEKLY { stalls_of(&ledger) } else { vec![] };
            let period = ledger.week.clone();
            let (title, to) = if kind == DESK_WEEKLY {
                let mut to = s
                    .store
                    .read({
                        let desk = desk.id;
                        move |tx| org::holders(tx, Role::WindowHead, Scope { kind: ScopeKind::Window, id: desk })
                    })
                    .await?;
                to.extend(
                    s.store
                        .read(move |tx| {
                            org::holders(tx, Role::HallManager, Scope { kind: ScopeKind::Center, id: center })
                        })
                        .await?,
                );
                (format!("{name}“办不成事”周报（{period}，窗口报中心）"), to)
            } else {
                let to = s
                    .store
                    .read(move |tx| org::holders(tx, Role::Supervision, Scope { kind: ScopeKind::Center, id: center }))
                    .await?;
                (format!("{name}“办不成事”周报（{period}，中心报监督部门）"), to)
            };
            let body = format!(
                "{title}：登记 {} 件，单位已答复 {} 件，办结 {} 件，待答复 {} 件，其中超期 {} 件{}。请在“办不成事”页面的报告中查看或下载。",
                ledger.registered,
                ledger.answered,
                ledger.closed,
                ledger.open,
                ledger.overdue,
                if stalls.is_empty() {
                    String::new()
                } else {
                    format!("；拖延、超时单位 {} 个", stalls.len())
                }
            );
            let msgs: Vec<_> = to
                .iter()
                .map(|t| staff_message(*t, title.clone(), body.clone(), format!("report:{kind}:{center}:{period}:{t}")))
                .collect();
            let doc = serde_json::to_value(ReportDoc { ledger, stalls, note: None, unit_id: None }).unwrap_or_default();
            let ctx = noveto_store::repo::Ctx { actor: None, now: s.now_str() };
            let (k, p2, t2) = (kind.to_string(), period.clone(), title.clone());
            match s
                .store
                .write(move |tx| noveto_store::repo::reports::keep(tx, &ctx, &k, center, &p2, &t2, &doc, &msgs))
                .await
            {
                Ok(Some(_)) => made += 1,
                Ok(None) | Err(StoreError::Duplicate(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(made)
}

/// The reports a reader may read: those of centers where they read the desk's matters.
pub async fn reports(s: &App, p: &Principal) -> Result<Vec<noveto_store::repo::reports::Report>> {
    if !may_somewhere(&p.grants, Action::ReadUnresolved) {
        return Err(Error::forbidden("无权查看办不成事报告"));
    }
    let all = s
        .store
        .read(|tx| noveto_store::repo::reports::list(tx, &[DESK_WEEKLY, CENTER_WEEKLY, ACCOUNTABILITY], 200))
        .await?;
    let mut out = vec![];
    for r in all {
        let (centers, _) = s.center_chain(r.center_id).await?;
        if p.may(Action::ReadUnresolved, &Place { centers, unit: None, window: None }).is_ok() {
            out.push(r);
        }
    }
    Ok(out)
}

/// One report a reader may read.
pub async fn report(s: &App, p: &Principal, id: i64) -> Result<(noveto_store::repo::reports::Report, ReportDoc)> {
    let r = s
        .store
        .read(move |tx| noveto_store::repo::reports::get(tx, id))
        .await?
        .ok_or_else(|| Error::not_found("报告"))?;
    let (centers, _) = s.center_chain(r.center_id).await?;
    p.may(Action::ReadUnresolved, &Place { centers, unit: None, window: None })?;
    let doc: ReportDoc = serde_json::from_value(r.doc.clone()).map_err(|_| Error::internal())?;
    Ok((r, doc))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountabilityIn {
    pub unit_id: i64,
    /// `YYYY-MM`: the month whose matters are the evidence.
    pub month: String,
    /// What is referred and why (serious stalling, refusing, missed deadlines).
    pub note: String,
}

/// BBC-6: the supervision section refers a unit for accountability, with the evidence — the
/// month's matters it left overdue, answered late or declared impossible — kept as a report and
/// sent to the director.
pub async fn refer_for_accountability(s: &App, p: &Principal, b: AccountabilityIn) -> Result<i64> {
    use noveto_domain::access::{Role, Scope};
    let note = long_text("note", "移送事由", &b.note, 2000)?;
    let unit = s
        .store
        .read({
            let u = b.unit_id;
            move |tx| org::unit_by_id(tx, u)
        })
        .await?
        .ok_or_else(|| Error::bad("unknown_unit", "所选单位不存在").at("unit_id"))?;
    let (centers, _) = s.center_chain(unit.center_id).await?;
    p.may(Action::SetUnresolvedDeadline, &Place { centers, unit: None, window: None })?;
    let month = b.month.trim().to_string();
    let stall = stalls(s, p, &month).await?.into_iter().find(|x| x.unit_id == unit.id).ok_or_else(|| {
        Error::bad("no_evidence", format!("{}在 {month} 没有超期、超时或无法办理的事项，无可移送的证据", unit.name))
            .at("unit_id")
    })?;
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| Error::bad("invalid_month", "月份格式应为 2026-11").at("month"))?;
    let days = (first.checked_add_months(chrono::Months::new(1)).unwrap_or(first) - first).num_days();
    let mut ledger = center_ledger(s, unit.center_id, first, days).await?;
    ledger.lines.retain(|l| stall.receipts.contains(&l.receipt_no));
    let title = format!("{}问责移送（{month}）", unit.name);
    let to = s
        .store
        .read({
            let c = unit.center_id;
            move |tx| org::holders(tx, Role::Director, Scope { kind: ScopeKind::Center, id: c })
        })
        .await?;
    let body = format!("监督监察科移送{}：{note}（证据：{}）", title, stall.receipts.join("、"));
    let period = format!("{month}:{}", unit.id);
    let msgs: Vec<_> = to
        .iter()
        .map(|t| staff_message(*t, title.clone(), body.clone(), format!("report:{ACCOUNTABILITY}:{period}:{t}")))
        .collect();
    let doc = serde_json::to_value(ReportDoc { ledger, stalls: vec![stall], note: Some(note), unit_id: Some(unit.id) })
        .unwrap_or_default();
    let ctx = p.ctx(&s.now_str());
    let center = unit.center_id;
    match s
        .store
        .write(move |tx| {
            noveto_store::repo::reports::keep(tx, &ctx, ACCOUNTABILITY, center, &period, &title, &doc, &msgs)
        })
        .await?
    {
        Some(id) => Ok(id),
        None => Err(Error::conflict("already_referred", "该单位本月已移送问责")),
    }
}
