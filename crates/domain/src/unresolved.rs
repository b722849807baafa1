//! The 办不成事 desk (BBC-1 … BBC-4, GL 《政务服务大厅设立“办不成事”反映窗口实施方案》): a matter
//! that still did not get done — a submission not accepted or not approved, or a visit to the
//! hall that solved nothing — is registered (登记表), classed with its deadline, dispatched to the
//! responsible unit's liaison contact (流转单), and closed with the unit's feedback: done, or,
//! where it truly cannot be done, the reasons in writing. A ticket of its own type: status,
//! commands that take `now` and return events, nothing decided twice.

use crate::deadline::{Deadline, Rule, Source};
use crate::policy::Policy;
use crate::ticket::{Facts, Notice, Now, Ticket, To};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// BBC-3: how hard the matter is, which sets its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// 即办件: done within the policy's days (GL: 3 wd).
    Simple,
    /// 承诺件: coordinated by the desk head (GL: 5 wd).
    General,
    /// 复杂或历史遗留: the supervision section sets the deadline.
    Complex,
    /// 确实无法办理: the unit replies with its reasons (GL: within 3 wd).
    Impossible,
}

impl Class {
    pub const ALL: [Class; 4] = [Class::Simple, Class::General, Class::Complex, Class::Impossible];
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Simple => "simple",
            Class::General => "general",
            Class::Complex => "complex",
            Class::Impossible => "impossible",
        }
    }
    pub fn parse(s: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Class::Simple => "即办件",
            Class::General => "承诺件",
            Class::Complex => "复杂或历史遗留问题",
            Class::Impossible => "确实无法办理",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered at the desk, not yet sent to a unit.
    Registered,
    /// Sent to the unit's liaison contact; waiting for its feedback.
    Dispatched,
    /// The unit answered; the desk checks with the person before closing.
    Answered,
    /// Done, as the person confirmed to the desk.
    Resolved,
    /// It cannot be done; the unit's written reasons were given and filed with the desk head.
    Explained,
    /// Outside government services: the person was told which body handles it and how to reach it.
    Referred,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Registered,
        Status::Dispatched,
        Status::Answered,
        Status::Resolved,
        Status::Explained,
        Status::Referred,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Registered => "registered",
            Status::Dispatched => "dispatched",
            Status::Answered => "answered",
            Status::Resolved => "resolved",
            Status::Explained => "explained",
            Status::Referred => "referred",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::Registered => "已登记，待流转",
            Status::Dispatched => "已流转，待单位反馈",
            Status::Answered => "单位已答复，待窗口回访核实",
            Status::Resolved => "已办成",
            Status::Explained => "无法办理，已书面说明理由",
            Status::Referred => "不属政务服务事项，已告知有权处理的部门",
        }
    }
    pub fn is_open(self) -> bool {
        matches!(self, Status::Registered | Status::Dispatched | Status::Answered)
    }
    /// The statuses still open, for queries.
    pub const OPEN: [Status; 3] = [Status::Registered, Status::Dispatched, Status::Answered];
}

/// Who reported it and how to reach them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporter {
    pub name: String,
    pub phone: String,
}

/// BBC-4: what the person was told at the desk, once: what to bring, where, to whom, and how to
/// reach them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OneTimeNotice {
    pub materials: String,
    pub window: String,
    pub person: String,
    pub contact: String,
}

/// BBC-1: the body that handles a matter outside government services, as the person is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    pub name: String,
    pub address: String,
    pub phone: String,
}

/// NV-13: the veto this matter is the fallback answer for (责任不清或无人决定的否决).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fallback {
    pub case_id: i64,
    pub veto_request_id: Option<i64>,
    pub reason: String,
}

/// What a matter holds (read-only outside the domain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnresolvedData {
    pub id: i64,
    pub receipt_no: String,
    pub center_id: i64,
    /// The desk that registered it (None: submitted online by the person).
    pub desk_id: Option<i64>,
    pub reporter: Reporter,
    /// What they tried, where, and what did not get done.
    pub summary: String,
    /// The case it concerns, when there is one.
    pub case_id: Option<i64>,
    pub class: Class,
    pub status: Status,
    pub registered_by: Option<i64>,
    /// The responsible unit and the person it went to (its liaison contact, or B while A is away).
    pub unit_id: Option<i64>,
    pub sent_to: Option<i64>,
    pub dispatched_by: Option<i64>,
    /// BBC-2: the unit's leader in charge, once the matter went up to them.
    #[serde(default)]
    pub escalated_to: Option<i64>,
    /// The unit's feedback: what was done, or why it cannot be.
    pub result: Option<String>,
    pub answered_by: Option<i64>,
    /// Whether the unit said it was done (false: the written reasons it cannot be).
    #[serde(default)]
    pub answer_resolved: Option<bool>,
    /// NV-14: refusal phrases the answer kept after the unit confirmed them.
    #[serde(default)]
    pub flagged: Vec<String>,
    /// What the desk heard back from the person, and who closed it.
    #[serde(default)]
    pub verification: Option<String>,
    #[serde(default)]
    pub closed_by: Option<i64>,
    /// BBC-4: told once.
    #[serde(default)]
    pub notice: Option<OneTimeNotice>,
    /// BBC-1: outside government services.
    #[serde(default)]
    pub body: Option<Body>,
    /// NV-13: the veto it answers in the last resort.
    #[serde(default)]
    pub fallback: Option<Fallback>,
    /// None for a complex matter until the supervision section sets it.
    pub deadline: Option<Deadline>,
    /// The policy it was opened under.
    #[serde(default)]
    pub policy_id: String,
    #[serde(default)]
    pub policy_version: u32,
    #[serde(default)]
    pub registered_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub dispatched_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub answered_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub closed_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Unresolved(UnresolvedData);

impl std::ops::Deref for Unresolved {
    type Target = UnresolvedData;
    fn deref(&self) -> &UnresolvedData {
        &self.0
    }
}

/// What happened to a matter, as the store applies and audits it. No event carries the
/// reporter's name or phone (the audit view is read by people who may not see them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Registered {
        class: Class,
        deadline: Option<Deadline>,
        fallback: bool,
    },
    /// BBC-2: the desk classed a matter that came in online (or corrected its class).
    Classified {
        class: Class,
        deadline: Option<Deadline>,
    },
    Dispatched {
        unit_id: i64,
        sent_to: i64,
        stand_in: bool,
        by: Option<i64>,
    },
    EscalatedToLeader {
        leader_id: i64,
    },
    DeadlineSet {
        deadline: Deadline,
    },
    /// CAL-2: a calendar change moved the due day.
    DeadlineMoved {
        before: NaiveDate,
        after: NaiveDate,
        deadline: Deadline,
    },
    /// BBC-4: the one-time notice given at the desk.
    Told {
        notice: OneTimeNotice,
    },
    /// The unit's answer (BBC-2, BBC-3), for the desk to check with the person.
    Answered {
        resolved: bool,
        result: String,
        flagged: Vec<String>,
        by: Option<i64>,
    },
    /// The desk checked with the person: done (or, where it cannot be, the reasons filed with
    /// the desk head) — closed.
    Verified {
        note: String,
        by: Option<i64>,
    },
    /// The person says it is not done: back to the unit.
    Returned {
        note: String,
    },
    /// BBC-1: outside government services; the right body named.
    ReferredOutside {
        body: Body,
    },
    /// NV-13: the desk's final answer on a veto nobody owned.
    FinalAnswer {
        answer: String,
        flagged: Vec<String>,
    },
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::Registered { .. } => "unresolved.registered",
            Event::Classified { .. } => "unresolved.classified",
            Event::Dispatched { .. } => "unresolved.dispatched",
            Event::EscalatedToLeader { .. } => "unresolved.escalated",
            Event::DeadlineSet { .. } => "unresolved.deadline_set",
            Event::DeadlineMoved { .. } => "unresolved.deadline_moved",
            Event::Told { .. } => "unresolved.told",
            Event::Answered { .. } => "unresolved.answered",
            Event::Verified { .. } => "unresolved.verified",
            Event::Returned { .. } => "unresolved.returned",
            Event::ReferredOutside { .. } => "unresolved.referred_outside",
            Event::FinalAnswer { .. } => "unresolved.final_answer",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnresolvedError {
    #[error("请写明群众反映的事项：办的什么事、在哪里办、为什么没办成")]
    NoSummary,
    #[error("请填写反映人姓名")]
    NoName,
    #[error("已流转至单位（当前：{}），不能重复流转", .0.label())]
    AlreadyDispatched(Status),
    #[error("尚未流转至单位，或单位已答复，不能登记反馈（当前：{}）", .0.label())]
    NotDispatched(Status),
    #[error("请写明单位的办理结果；无法办理的，须写明理由")]
    NoResult,
    #[error("只有复杂或历史遗留问题由监督部门确定时限")]
    NotComplex,
    #[error("该事项已办结（{}），不能再办理", .0.label())]
    Closed(Status),
    #[error("办理时限须晚于今天")]
    DueInPast,
    #[error("已提交单位分管领导，不能重复提交")]
    AlreadyEscalated,
    #[error("单位尚未答复，无需核实（当前：{}）", .0.label())]
    NotAnswered(Status),
    #[error("请写明回访核实的情况（向反映人核实了什么、对方怎么说）")]
    NoVerification,
    #[error("一次性告知已经给出，不能再改；如有补充，请在回访时说明")]
    AlreadyTold,
    #[error("一次性告知须写明需要的材料、办理窗口、经办人和联系方式")]
    NoticeIncomplete,
    #[error("请写明有权处理的部门名称、地址和电话")]
    BodyIncomplete,
    #[error("只有尚未流转的事项才能认定为不属政务服务事项（当前：{}）", .0.label())]
    NotRegistered(Status),
    #[error("该事项不是否决兜底事项，由责任单位答复")]
    NotFallback,
    #[error("否决兜底事项由“办不成事”窗口会同业务科室作出最终答复，不流转单位")]
    FallbackNotDispatched,
}

impl UnresolvedError {
    pub fn code(&self) -> &'static str {
        match self {
            UnresolvedError::NoSummary => "summary_required",
            UnresolvedError::NoName => "name_required",
            UnresolvedError::AlreadyDispatched(_) => "already_dispatched",
            UnresolvedError::NotDispatched(_) => "not_dispatched",
            UnresolvedError::NoResult => "result_required",
            UnresolvedError::NotComplex => "not_complex",
            UnresolvedError::Closed(_) => "closed",
            UnresolvedError::DueInPast => "due_in_past",
            UnresolvedError::AlreadyEscalated => "already_escalated",
            UnresolvedError::NotAnswered(_) => "not_answered",
            UnresolvedError::NoVerification => "verification_required",
            UnresolvedError::AlreadyTold => "already_told",
            UnresolvedError::NoticeIncomplete => "notice_incomplete",
            UnresolvedError::BodyIncomplete => "body_incomplete",
            UnresolvedError::NotRegistered(_) => "not_registered",
            UnresolvedError::NotFallback => "not_fallback",
            UnresolvedError::FallbackNotDispatched => "fallback_not_dispatched",
        }
    }
    /// Whether the error says the matter moved on (409) rather than the input is wrong (422).
    pub fn is_state(&self) -> bool {
        matches!(
            self,
            UnresolvedError::AlreadyDispatched(_)
                | UnresolvedError::NotDispatched(_)
                | UnresolvedError::Closed(_)
                | UnresolvedError::AlreadyEscalated
                | UnresolvedError::NotAnswered(_)
                | UnresolvedError::AlreadyTold
                | UnresolvedError::NotRegistered(_)
        )
    }
}

/// A matter as it arrives.
pub struct NewUnresolved {
    pub center_id: i64,
    pub desk_id: Option<i64>,
    pub reporter: Reporter,
    pub summary: String,
    pub case_id: Option<i64>,
    pub class: Class,
    pub fallback: Option<Fallback>,
}

/// BBC-3: the deadline a class gets under `policy` from `now` (None: complex, set by hand).
pub fn deadline_for(class: Class, policy: &Policy, now: DateTime<FixedOffset>) -> Option<Deadline> {
    let u = &policy.unresolved;
    let (spec, clause) = match class {
        Class::Simple => (&u.simple, "unresolved.simple"),
        Class::General => (&u.general, "unresolved.general"),
        Class::Complex => (&u.complex, "unresolved.complex"),
        Class::Impossible => (&u.impossible, "unresolved.impossible"),
    };
    let rule = spec.rule(None)?;
    Some(Deadline::new(what(class), now, rule, source(policy, clause, &spec.document)))
}

fn source(policy: &Policy, clause: &str, document: &str) -> Source {
    Source { policy: policy.id.clone(), version: policy.version, clause: clause.into(), document: document.into() }
}

/// NV-13: the deadline of the desk's final answer on a veto nobody owned.
fn fallback_deadline(policy: &Policy, now: DateTime<FixedOffset>) -> Deadline {
    let spec = &policy.unresolved.fallback;
    let rule = spec.rule(None).unwrap_or(Rule::WorkingDays { days: 5 });
    Deadline::new("unresolved_fallback", now, rule, source(policy, "unresolved.fallback", &spec.document))
}

/// What the deadline is for: an answer, or for an impossible matter the written reasons.
fn what(class: Class) -> &'static str {
    if class == Class::Impossible { "unresolved_reasons" } else { "unresolved_done" }
}

/// What can be done to a matter.
pub enum Command {
    Classify {
        class: Class,
    },
    /// To the unit's liaison contact (the app found them, or B while A is away).
    Dispatch {
        unit_id: i64,
        sent_to: i64,
        stand_in: bool,
    },
    /// Up to the unit's leader in charge.
    Escalate {
        leader_id: i64,
    },
    SetDeadline {
        due: NaiveDate,
    },
    /// CAL-2: the calendar changed from `old` to the one in the facts.
    Recompute {
        old: std::sync::Arc<crate::calendar::Calendar>,
    },
    Tell(OneTimeNotice),
    /// The unit's answer; `flagged` are refusal phrases it confirmed it means (NV-14).
    Answer {
        resolved: bool,
        result: String,
        flagged: Vec<String>,
    },
    /// The desk checked with the person: `done` closes it; otherwise back to the unit.
    Verify {
        done: bool,
        note: String,
    },
    ReferOutside(Body),
    FinalAnswer {
        answer: String,
        flagged: Vec<String>,
    },
}

/// The actions a matter's state offers (the pages and the API read these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Offer {
    Classify,
    Dispatch,
    Escalate,
    SetDeadline,
    Tell,
    Answer,
    Verify,
    ReferOutside,
    FinalAnswer,
}

impl Unresolved {
    /// A matter as the store kept it (its rows were written only through its commands).
    pub fn stored(d: UnresolvedData) -> Unresolved {
        Unresolved(d)
    }

    /// The day it was registered, for ledgers (local date).
    pub fn registered_day(&self) -> Option<NaiveDate> {
        self.registered_at.map(crate::time::local_date)
    }
}

impl Ticket for Unresolved {
    const KIND: &'static str = "unresolved";
    const NAME: &'static str = "办不成事反映";
    type New = NewUnresolved;
    type Command = Command;
    type Event = Event;
    type Error = UnresolvedError;
    type Action = Offer;

    /// BBC-2, BBC-3: registered with its class; the deadline follows from the policy.
    fn create(n: NewUnresolved, f: &Facts) -> Result<(Unresolved, Vec<Event>), UnresolvedError> {
        let summary = n.summary.trim();
        if summary.is_empty() {
            return Err(UnresolvedError::NoSummary);
        }
        if n.reporter.name.trim().is_empty() {
            return Err(UnresolvedError::NoName);
        }
        let deadline = match &n.fallback {
            Some(_) => Some(fallback_deadline(f.policy, f.now)),
            None => deadline_for(n.class, f.policy, f.now),
        };
        let ev = Event::Registered { class: n.class, deadline, fallback: n.fallback.is_some() };
        Ok((
            Unresolved(UnresolvedData {
                id: 0,
                receipt_no: String::new(),
                center_id: n.center_id,
                desk_id: n.desk_id,
                reporter: Reporter { name: n.reporter.name.trim().into(), phone: n.reporter.phone.trim().into() },
                summary: summary.into(),
                case_id: n.case_id,
                class: n.class,
                status: Status::Registered,
                registered_by: f.by,
                unit_id: None,
                sent_to: None,
                dispatched_by: None,
                escalated_to: None,
                result: None,
                answered_by: None,
                answer_resolved: None,
                flagged: vec![],
                verification: None,
                closed_by: None,
                notice: None,
                body: None,
                fallback: n.fallback,
                deadline: None,
                policy_id: f.policy.id.clone(),
                policy_version: f.policy.version,
                registered_at: None,
                dispatched_at: None,
                answered_at: None,
                closed_at: None,
            }),
            vec![ev],
        ))
    }

    fn handle(&self, cmd: Command, f: &Facts) -> Result<Vec<Event>, UnresolvedError> {
        let open = || if self.status.is_open() { Ok(()) } else { Err(UnresolvedError::Closed(self.status)) };
        Ok(vec![match cmd {
            // BBC-2, BBC-3: the desk sets the class of a matter not yet dispatched (one submitted
            // online arrives as 承诺件); its deadline is counted from registration.
            Command::Classify { class } => {
                if self.status != Status::Registered {
                    return Err(UnresolvedError::AlreadyDispatched(self.status));
                }
                let from = self.registered_at.unwrap_or(f.now);
                Event::Classified { class, deadline: deadline_for(class, f.policy, from) }
            }
            // BBC-2: sent to the unit's liaison contact (or B while A is away), once.
            Command::Dispatch { unit_id, sent_to, stand_in } => {
                if self.status != Status::Registered {
                    return Err(UnresolvedError::AlreadyDispatched(self.status));
                }
                if self.fallback.is_some() {
                    return Err(UnresolvedError::FallbackNotDispatched);
                }
                Event::Dispatched { unit_id, sent_to, stand_in, by: f.by }
            }
            // BBC-2: where the contact cannot act, up to the unit's leader in charge, once; the
            // deadline stays.
            Command::Escalate { leader_id } => {
                if self.status != Status::Dispatched {
                    return Err(UnresolvedError::NotDispatched(self.status));
                }
                if self.escalated_to.is_some() {
                    return Err(UnresolvedError::AlreadyEscalated);
                }
                Event::EscalatedToLeader { leader_id }
            }
            // BBC-3: the supervision section sets a complex matter's deadline.
            Command::SetDeadline { due } => {
                open()?;
                if self.class != Class::Complex {
                    return Err(UnresolvedError::NotComplex);
                }
                if due <= crate::time::local_date(f.now) {
                    return Err(UnresolvedError::DueInPast);
                }
                let spec = &f.policy.unresolved.complex;
                let start = self.deadline.as_ref().map_or(self.registered_at.unwrap_or(f.now), |d| d.start);
                let src = source(f.policy, "unresolved.complex", &spec.document);
                Event::DeadlineSet { deadline: Deadline::new(what(self.class), start, Rule::Manual { due }, src) }
            }
            // CAL-2: the open matter's due day under the new calendar where it moved (never
            // earlier than the next working day for work not yet overdue).
            Command::Recompute { old } => {
                open()?;
                let Some(mut d) = self.deadline.clone() else { return Ok(vec![]) };
                let Some((before, after)) = d.recompute(&old, f.calendar, f.now).ok().flatten() else {
                    return Ok(vec![]);
                };
                Event::DeadlineMoved { before, after, deadline: d }
            }
            // BBC-4: what to bring, where, to whom, how to reach them — told once.
            Command::Tell(n) => {
                open()?;
                if self.notice.is_some() {
                    return Err(UnresolvedError::AlreadyTold);
                }
                let n = OneTimeNotice {
                    materials: n.materials.trim().into(),
                    window: n.window.trim().into(),
                    person: n.person.trim().into(),
                    contact: n.contact.trim().into(),
                };
                if [&n.materials, &n.window, &n.person, &n.contact].iter().any(|x| x.is_empty()) {
                    return Err(UnresolvedError::NoticeIncomplete);
                }
                Event::Told { notice: n }
            }
            // BBC-2, BBC-3: the unit's feedback — done, or the reasons it cannot be.
            Command::Answer { resolved, result, flagged } => {
                if self.status != Status::Dispatched {
                    return Err(UnresolvedError::NotDispatched(self.status));
                }
                let result = result.trim();
                if result.is_empty() {
                    return Err(UnresolvedError::NoResult);
                }
                Event::Answered { resolved, result: result.into(), flagged, by: f.by }
            }
            // The desk checks the answer with the person: done closes the matter, else it goes
            // back to the unit with what the person said.
            Command::Verify { done, note } => {
                if self.status != Status::Answered {
                    return Err(UnresolvedError::NotAnswered(self.status));
                }
                let note = note.trim();
                if note.is_empty() {
                    return Err(UnresolvedError::NoVerification);
                }
                if done {
                    Event::Verified { note: note.into(), by: f.by }
                } else {
                    Event::Returned { note: note.into() }
                }
            }
            // BBC-1: not a government service — the person is told which body handles it.
            Command::ReferOutside(b) => {
                if self.status != Status::Registered {
                    return Err(UnresolvedError::NotRegistered(self.status));
                }
                let b =
                    Body { name: b.name.trim().into(), address: b.address.trim().into(), phone: b.phone.trim().into() };
                if b.name.is_empty() || b.address.is_empty() || b.phone.is_empty() {
                    return Err(UnresolvedError::BodyIncomplete);
                }
                Event::ReferredOutside { body: b }
            }
            // NV-13: the desk's final answer (兜底回复) on a veto nobody owned.
            Command::FinalAnswer { answer, flagged } => {
                open()?;
                if self.fallback.is_none() {
                    return Err(UnresolvedError::NotFallback);
                }
                let answer = answer.trim();
                if answer.is_empty() {
                    return Err(UnresolvedError::NoResult);
                }
                Event::FinalAnswer { answer: answer.into(), flagged }
            }
        }])
    }

    fn apply(&mut self, ev: &Event, at: Now) {
        let d = &mut self.0;
        match ev {
            Event::Registered { class, deadline, .. } => {
                d.class = *class;
                d.deadline = deadline.clone();
                d.status = Status::Registered;
                d.registered_at = Some(at);
            }
            Event::Classified { class, deadline } => {
                d.class = *class;
                d.deadline = deadline.clone();
            }
            Event::Dispatched { unit_id, sent_to, by, .. } => {
                d.status = Status::Dispatched;
                d.unit_id = Some(*unit_id);
                d.sent_to = Some(*sent_to);
                d.dispatched_by = *by;
                d.dispatched_at = Some(at);
            }
            Event::EscalatedToLeader { leader_id } => {
                d.escalated_to = Some(*leader_id);
                d.sent_to = Some(*leader_id);
            }
            Event::DeadlineSet { deadline } | Event::DeadlineMoved { deadline, .. } => {
                d.deadline = Some(deadline.clone())
            }
            Event::Told { notice } => d.notice = Some(notice.clone()),
            Event::Answered { resolved, result, flagged, by } => {
                d.status = Status::Answered;
                d.result = Some(result.clone());
                d.answer_resolved = Some(*resolved);
                d.flagged = flagged.clone();
                d.answered_by = *by;
                d.answered_at = Some(at);
                // The unit's clock stops at its answer.
                if let Some(dl) = d.deadline.as_mut() {
                    dl.meet(at);
                }
            }
            Event::Verified { note, by } => {
                d.verification = Some(note.clone());
                d.closed_by = *by;
                d.status = if d.result_resolved() { Status::Resolved } else { Status::Explained };
                d.closed_at = Some(at);
            }
            Event::Returned { note } => {
                d.verification = Some(note.clone());
                d.status = Status::Dispatched;
                d.result = None;
                d.answered_at = None;
                if let Some(dl) = d.deadline.as_mut() {
                    dl.met_at = None;
                }
            }
            Event::ReferredOutside { body } => {
                d.body = Some(body.clone());
                d.status = Status::Referred;
                d.closed_at = Some(at);
                if let Some(dl) = d.deadline.as_mut() {
                    dl.meet(at);
                }
            }
            Event::FinalAnswer { answer, flagged } => {
                d.result = Some(answer.clone());
                d.flagged = flagged.clone();
                d.status = Status::Explained;
                d.answered_at = Some(at);
                d.closed_at = Some(at);
                if let Some(dl) = d.deadline.as_mut() {
                    dl.meet(at);
                }
            }
        }
    }

    fn event_name(ev: &Event) -> &'static str {
        ev.name()
    }

    fn offers(&self) -> Vec<Offer> {
        match self.status {
            Status::Registered if self.fallback.is_some() => vec![Offer::FinalAnswer, Offer::Tell, Offer::SetDeadline],
            Status::Registered => {
                vec![Offer::Classify, Offer::Dispatch, Offer::ReferOutside, Offer::Tell, Offer::SetDeadline]
            }
            Status::Dispatched => {
                let mut v = vec![Offer::Answer, Offer::Tell, Offer::SetDeadline];
                if self.escalated_to.is_none() {
                    v.push(Offer::Escalate);
                }
                v
            }
            Status::Answered => vec![Offer::Verify],
            Status::Resolved | Status::Explained | Status::Referred => vec![],
        }
        .into_iter()
        .filter(|o| *o != Offer::SetDeadline || self.class == Class::Complex)
        .filter(|o| *o != Offer::Tell || self.notice.is_none())
        .collect()
    }

    fn deadlines(&self) -> Vec<(&Deadline, Option<i64>)> {
        // Who answers for it now: the unit's contact (or leader) once dispatched, else the desk.
        let owner = match self.status {
            Status::Answered => self.dispatched_by.or(self.registered_by),
            _ => self.sent_to.or(self.registered_by),
        };
        self.deadline.iter().map(|d| (d, owner)).collect()
    }

    fn notices(&self, ev: &Event) -> Vec<Notice> {
        let r = &self.receipt_no;
        match ev {
            Event::Dispatched { sent_to, stand_in, .. } => vec![Notice {
                to: To::Staff(*sent_to),
                subject: format!("办不成事流转：{r}"),
                body: format!(
                    "“办不成事”反映窗口流转给贵单位一件反映（{r}），请在期限内办理并反馈。{}",
                    if *stand_in { "（A 岗缺岗，由 B 岗办理）" } else { "" }
                ),
            }],
            Event::EscalatedToLeader { leader_id } => vec![Notice {
                to: To::Staff(*leader_id),
                subject: format!("办不成事提交分管领导：{r}"),
                body: format!("业务联系人无法推动的办不成事反映（{r}）已提交您协调办理。"),
            }],
            Event::Answered { .. } => self
                .dispatched_by
                .or(self.registered_by)
                .map(|desk| Notice {
                    to: To::Staff(desk),
                    subject: format!("单位已答复：{r}"),
                    body: format!("办不成事反映（{r}）单位已答复，请回访反映人核实后办结。"),
                })
                .into_iter()
                .collect(),
            Event::Returned { .. } => self
                .sent_to
                .map(|to| Notice {
                    to: To::Staff(to),
                    subject: format!("办不成事退回重办：{r}"),
                    body: format!("反映人表示办不成事反映（{r}）尚未解决，已退回贵单位继续办理。"),
                })
                .into_iter()
                .collect(),
            _ => vec![],
        }
    }

    fn numbered(&mut self, id: i64, receipt: &str) {
        self.0.id = id;
        self.0.receipt_no = receipt.into();
    }
}

impl crate::ticket::Personal for Unresolved {
    fn redacted(&self, seen: &crate::access::Seen) -> Unresolved {
        let mut u = self.clone();
        u.0.reporter = Reporter { name: seen.name(&self.reporter.name), phone: seen.phone(&self.reporter.phone) };
        u
    }
}

impl UnresolvedData {
    /// Whether the unit's answer said it was done (a matter answered "cannot be done" closes as
    /// explained).
    pub fn result_resolved(&self) -> bool {
        self.answer_resolved.unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::ticket::{Stored, execute, open};

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn new(class: Class) -> NewUnresolved {
        NewUnresolved {
            center_id: 1,
            desk_id: Some(3),
            reporter: Reporter { name: " 李四 ".into(), phone: "13800000000".into() },
            summary: " 营业执照变更在窗口被拒，没有说明理由 ".into(),
            case_id: None,
            class,
            fallback: None,
        }
    }

    fn guilin() -> Policy {
        Policy::parse(include_str!("../../../policies/guilin.toml")).unwrap()
    }

    /// A command by `by` at `now`: the stored matter after it, or the domain's refusal.
    fn run(
        u: &mut Stored<Unresolved>,
        by: i64,
        now: DateTime<FixedOffset>,
        p: &Policy,
        cal: &Calendar,
        c: Command,
    ) -> Result<Vec<&'static str>, UnresolvedError> {
        let d = execute(u, c, &Facts { by: Some(by), now, policy: p, calendar: cal })?;
        let names = d.names();
        *u = Stored { id: u.id, version: u.version + 1, ticket: d.into_ticket() };
        Ok(names)
    }

    fn registered(
        n: NewUnresolved,
        by: Option<i64>,
        p: &Policy,
        cal: &Calendar,
        now: DateTime<FixedOffset>,
    ) -> Stored<Unresolved> {
        let d = open::<Unresolved>(n, &Facts { by, now, policy: p, calendar: cal }).unwrap();
        Stored { id: 1, version: 1, ticket: d.into_ticket() }
    }

    /// BBC-3: simple 3 wd, general 5 wd, impossible: reasons within 3 wd, each with its source;
    /// complex has none until the supervision section sets one. Working days skip the National
    /// Day week and count its make-up Saturday (调休).
    #[test]
    fn bbc_3_deadlines_by_class_in_working_days() {
        let p = guilin();
        let cal = Calendar::builtin();
        let now = at("2026-09-29T10:00:00+08:00");
        let due = |c| {
            let u = registered(new(c), Some(7), &p, &cal, now);
            u.deadline.as_ref().map(|d| d.due(&cal, now).unwrap())
        };
        // 2026: 10-01..10-07 off, 09-27 (Sun) and 10-10 (Sat) worked.
        assert_eq!(due(Class::Simple), Some(NaiveDate::from_ymd_opt(2026, 10, 9).unwrap()));
        assert_eq!(due(Class::General), Some(NaiveDate::from_ymd_opt(2026, 10, 12).unwrap()));
        assert_eq!(due(Class::Impossible), Some(NaiveDate::from_ymd_opt(2026, 10, 9).unwrap()));
        assert_eq!(due(Class::Complex), None);
        let u = registered(new(Class::General), Some(7), &p, &cal, now);
        let d = u.deadline.as_ref().unwrap();
        assert_eq!(d.source.clause, "unresolved.general");
        assert!(d.source.document.contains("办不成事"), "{}", d.source.document);
        assert_eq!((u.summary.as_str(), u.reporter.name.as_str()), ("营业执照变更在窗口被拒，没有说明理由", "李四"));
        assert_eq!((u.registered_at, u.policy_id.as_str()), (Some(now), "guilin"));
    }

    /// BBC-2, BBC-3: dispatched once; the unit answers once; the desk checks with the person and
    /// closes — or sends it back; a complex matter's deadline is set by hand. Each state offers
    /// only what it allows.
    #[test]
    fn bbc_2_dispatched_once_answered_by_the_unit_and_closed_by_the_desk() {
        let p = guilin();
        let cal = Calendar::builtin();
        let now = at("2026-11-24T10:00:00+08:00");
        let mut u = registered(new(Class::Complex), Some(7), &p, &cal, now);
        assert_eq!(
            u.offers(),
            vec![Offer::Classify, Offer::Dispatch, Offer::ReferOutside, Offer::Tell, Offer::SetDeadline]
        );
        let answer = |r: &str| Command::Answer { resolved: true, result: r.into(), flagged: vec![] };
        assert_eq!(
            run(&mut u, 9, now, &p, &cal, answer("已办结")),
            Err(UnresolvedError::NotDispatched(Status::Registered))
        );
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(run(&mut u, 8, now, &p, &cal, Command::SetDeadline { due: today }), Err(UnresolvedError::DueInPast));
        let due = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        run(&mut u, 8, now, &p, &cal, Command::SetDeadline { due }).unwrap();
        assert_eq!(u.deadline.as_ref().unwrap().rule, Rule::Manual { due });
        let dispatch = Command::Dispatch { unit_id: 2, sent_to: 11, stand_in: false };
        assert_eq!(run(&mut u, 7, now, &p, &cal, dispatch).unwrap(), vec!["unresolved.dispatched"]);
        assert_eq!((u.dispatched_by, u.dispatched_at), (Some(7), Some(now)));
        let again = Command::Dispatch { unit_id: 2, sent_to: 11, stand_in: false };
        assert_eq!(run(&mut u, 7, now, &p, &cal, again), Err(UnresolvedError::AlreadyDispatched(Status::Dispatched)));
        run(&mut u, 7, now, &p, &cal, Command::Escalate { leader_id: 12 }).unwrap();
        assert_eq!((u.sent_to, u.status), (Some(12), Status::Dispatched), "the leader answers for it now");
        assert_eq!(
            run(&mut u, 7, now, &p, &cal, Command::Escalate { leader_id: 12 }),
            Err(UnresolvedError::AlreadyEscalated)
        );
        let no = |r: &str| Command::Answer { resolved: false, result: r.into(), flagged: vec![] };
        assert_eq!(run(&mut u, 12, now, &p, &cal, no("  ")), Err(UnresolvedError::NoResult));
        run(&mut u, 12, now, &p, &cal, no("历史遗留产权问题，须待法院判决")).unwrap();
        assert_eq!((u.status, u.answer_resolved, u.answered_by), (Status::Answered, Some(false), Some(12)));
        assert!(u.deadline.as_ref().unwrap().met_at.is_some(), "the unit's clock stops at its answer");
        assert_eq!(u.offers(), vec![Offer::Verify]);
        // The person says it is not done: back to the unit, its clock running again.
        let verify = |done: bool, n: &str| Command::Verify { done, note: n.into() };
        assert_eq!(run(&mut u, 7, now, &p, &cal, verify(false, " ")), Err(UnresolvedError::NoVerification));
        run(&mut u, 7, now, &p, &cal, verify(false, "反映人说法院已判决，请单位重新办理")).unwrap();
        assert_eq!((u.status, u.deadline.as_ref().unwrap().met_at), (Status::Dispatched, None));
        run(&mut u, 12, now, &p, &cal, no("判决书尚未生效，生效后 3 个工作日内办结")).unwrap();
        run(&mut u, 7, now, &p, &cal, verify(true, "已向反映人送达书面理由")).unwrap();
        assert_eq!((u.status, u.closed_by), (Status::Explained, Some(7)));
        assert!(u.offers().is_empty());
        assert_eq!(run(&mut u, 11, now, &p, &cal, answer("x")), Err(UnresolvedError::NotDispatched(Status::Explained)));
        assert_eq!(
            run(&mut u, 8, now, &p, &cal, Command::SetDeadline { due }),
            Err(UnresolvedError::Closed(Status::Explained))
        );
        // An online submission arrives as 承诺件; the desk classes it, counted from registration.
        let mut online = registered(new(Class::General), None, &p, &cal, now);
        let later = at("2026-11-25T09:00:00+08:00");
        run(&mut online, 7, later, &p, &cal, Command::Classify { class: Class::Complex }).unwrap();
        assert!(online.deadline.is_none());
        run(&mut online, 7, later, &p, &cal, Command::Classify { class: Class::Simple }).unwrap();
        assert_eq!(online.deadline.as_ref().unwrap().start, now, "counted from registration");
        let mut simple = registered(new(Class::Simple), None, &p, &cal, now);
        assert_eq!(run(&mut simple, 8, now, &p, &cal, Command::SetDeadline { due }), Err(UnresolvedError::NotComplex));
        let mut empty = new(Class::Simple);
        empty.summary = " ".into();
        assert!(open::<Unresolved>(empty, &Facts { by: None, now, policy: &p, calendar: &cal }).is_err());
    }

    /// BBC-1, BBC-4, NV-13: outside government services the right body is named and the matter
    /// closes; the one-time notice is given once and complete; a veto nobody owns is the desk's
    /// to answer, never dispatched.
    #[test]
    fn bbc_1_outside_bbc_4_told_once_nv_13_fallback() {
        let p = guilin();
        let cal = Calendar::builtin();
        let now = at("2026-11-24T10:00:00+08:00");
        let mut u = registered(new(Class::General), Some(7), &p, &cal, now);
        let tell = |m: &str| {
            Command::Tell(OneTimeNotice {
                materials: m.into(),
                window: "A6".into(),
                person: "王芳".into(),
                contact: "0719-1".into(),
            })
        };
        assert_eq!(run(&mut u, 7, now, &p, &cal, tell("")), Err(UnresolvedError::NoticeIncomplete));
        run(&mut u, 7, now, &p, &cal, tell("营业执照")).unwrap();
        assert_eq!(run(&mut u, 7, now, &p, &cal, tell("再说一次")), Err(UnresolvedError::AlreadyTold));
        assert!(!u.offers().contains(&Offer::Tell));
        let body = |n: &str| {
            Command::ReferOutside(Body { name: n.into(), address: "滨江路 1 号".into(), phone: "0719-2".into() })
        };
        assert_eq!(run(&mut u, 7, now, &p, &cal, body("")), Err(UnresolvedError::BodyIncomplete));
        run(&mut u, 7, now, &p, &cal, body("市供电公司营业厅")).unwrap();
        assert_eq!(u.status, Status::Referred);
        assert!(!u.status.is_open());
        let mut n = new(Class::General);
        n.fallback =
            Some(Fallback { case_id: 5, veto_request_id: Some(6), reason: "两个单位都说不归自己".into() });
        let mut f = registered(n, Some(7), &p, &cal, now);
        assert_eq!(f.deadline.as_ref().unwrap().source.clause, "unresolved.fallback");
        assert!(f.offers().contains(&Offer::FinalAnswer) && !f.offers().contains(&Offer::Dispatch));
        let dispatch = Command::Dispatch { unit_id: 2, sent_to: 11, stand_in: false };
        assert_eq!(run(&mut f, 7, now, &p, &cal, dispatch), Err(UnresolvedError::FallbackNotDispatched));
        run(
            &mut f,
            7,
            now,
            &p,
            &cal,
            Command::FinalAnswer { answer: "由市场监管局受理，已协调".into(), flagged: vec![] },
        )
        .unwrap();
        assert_eq!(f.status, Status::Explained);
        assert_eq!(
            run(&mut u, 7, now, &p, &cal, Command::FinalAnswer { answer: "x".into(), flagged: vec![] }),
            Err(UnresolvedError::Closed(Status::Referred))
        );
    }
}
