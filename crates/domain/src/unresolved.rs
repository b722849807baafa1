//! The 办不成事 desk (BBC-1 … BBC-4, GL 《政务服务大厅设立“办不成事”反映窗口实施方案》): a matter
//! that still did not get done — a submission not accepted or not approved, or a visit to the
//! hall that solved nothing — is registered (登记表), classed with its deadline, dispatched to the
//! responsible unit's liaison contact (流转单), and closed with the unit's feedback: done, or,
//! where it truly cannot be done, the reasons in writing. A ticket of its own type: status,
//! commands that take `now` and return events, nothing decided twice.

use crate::deadline::{Deadline, Rule, Source};
use crate::policy::Policy;
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
    /// The unit got it done.
    Resolved,
    /// It cannot be done; the unit's reasons were given in writing.
    Explained,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Registered, Status::Dispatched, Status::Resolved, Status::Explained];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Registered => "registered",
            Status::Dispatched => "dispatched",
            Status::Resolved => "resolved",
            Status::Explained => "explained",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::Registered => "已登记，待流转",
            Status::Dispatched => "已流转，待单位反馈",
            Status::Resolved => "已办成",
            Status::Explained => "无法办理，已书面说明理由",
        }
    }
    pub fn is_open(self) -> bool {
        matches!(self, Status::Registered | Status::Dispatched)
    }
}

/// Who reported it and how to reach them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporter {
    pub name: String,
    pub phone: String,
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
    /// None for a complex matter until the supervision section sets it.
    pub deadline: Option<Deadline>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved(UnresolvedData);

impl std::ops::Deref for Unresolved {
    type Target = UnresolvedData;
    fn deref(&self) -> &UnresolvedData {
        &self.0
    }
}

/// What happened to a matter, as the store applies and audits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Registered {
        class: Class,
        due: Option<NaiveDate>,
    },
    Dispatched {
        unit_id: i64,
        sent_to: i64,
        stand_in: bool,
    },
    DeadlineSet {
        due: NaiveDate,
    },
    EscalatedToLeader {
        leader_id: i64,
    },
    /// BBC-2: the desk classed a matter that came in online (or corrected its class).
    Classified {
        class: Class,
        due: Option<NaiveDate>,
    },
    /// CAL-2: a calendar change moved the due day.
    DeadlineMoved {
        before: NaiveDate,
        after: NaiveDate,
    },
    Answered {
        resolved: bool,
        result: String,
    },
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::Registered { .. } => "unresolved.registered",
            Event::Dispatched { .. } => "unresolved.dispatched",
            Event::DeadlineSet { .. } => "unresolved.deadline_set",
            Event::EscalatedToLeader { .. } => "unresolved.escalated",
            Event::DeadlineMoved { .. } => "unresolved.deadline_moved",
            Event::Classified { .. } => "unresolved.classified",
            Event::Answered { .. } => "unresolved.answered",
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
    #[error("尚未流转至单位，不能登记反馈（当前：{}）", .0.label())]
    NotDispatched(Status),
    #[error("请写明单位的办理结果；无法办理的，须写明理由")]
    NoResult,
    #[error("只有复杂或历史遗留问题由监督部门确定时限")]
    NotComplex,
    #[error("该事项已办结（{}），不能再设定时限", .0.label())]
    Closed(Status),
    #[error("办理时限须晚于今天")]
    DueInPast,
    #[error("已提交单位分管领导，不能重复提交")]
    AlreadyEscalated,
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
        }
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
    let source = Source {
        policy: policy.id.clone(),
        version: policy.version,
        clause: clause.into(),
        document: spec.document.clone(),
    };
    Some(Deadline::new(what(class), now, rule, source))
}

/// What the deadline is for: an answer, or for an impossible matter the written reasons.
fn what(class: Class) -> &'static str {
    if class == Class::Impossible { "unresolved_reasons" } else { "unresolved_done" }
}

impl Unresolved {
    /// BBC-2, BBC-3: registered with its class; the deadline follows from the policy.
    pub fn register(
        n: NewUnresolved,
        by: Option<i64>,
        policy: &Policy,
        now: DateTime<FixedOffset>,
    ) -> Result<(Unresolved, Event), UnresolvedError> {
        let summary = n.summary.trim();
        if summary.is_empty() {
            return Err(UnresolvedError::NoSummary);
        }
        if n.reporter.name.trim().is_empty() {
            return Err(UnresolvedError::NoName);
        }
        let deadline = deadline_for(n.class, policy, now);
        let due = match deadline.as_ref().map(|d| &d.rule) {
            Some(Rule::Manual { due }) => Some(*due),
            _ => None,
        };
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
                registered_by: by,
                unit_id: None,
                sent_to: None,
                dispatched_by: None,
                escalated_to: None,
                result: None,
                answered_by: None,
                deadline,
            }),
            Event::Registered { class: n.class, due },
        ))
    }

    /// A matter as the store kept it (its rows were written only through these methods).
    pub fn stored(d: UnresolvedData) -> Unresolved {
        Unresolved(d)
    }

    pub fn numbered(mut self, id: i64, receipt_no: String) -> Unresolved {
        self.0.id = id;
        self.0.receipt_no = receipt_no;
        self
    }

    /// BBC-2: sent to the unit's liaison contact (or B while A is away), once.
    pub fn dispatch(&mut self, by: i64, unit_id: i64, sent_to: i64, stand_in: bool) -> Result<Event, UnresolvedError> {
        if self.status != Status::Registered {
            return Err(UnresolvedError::AlreadyDispatched(self.status));
        }
        self.0.status = Status::Dispatched;
        self.0.unit_id = Some(unit_id);
        self.0.sent_to = Some(sent_to);
        self.0.dispatched_by = Some(by);
        Ok(Event::Dispatched { unit_id, sent_to, stand_in })
    }

    /// BBC-2, BBC-3: the desk sets the class of a matter not yet dispatched (one submitted
    /// online arrives as 承诺件); its deadline follows from the policy, counted from registration.
    pub fn classify(
        &mut self,
        class: Class,
        policy: &Policy,
        registered: DateTime<FixedOffset>,
    ) -> Result<Event, UnresolvedError> {
        if self.status != Status::Registered {
            return Err(UnresolvedError::AlreadyDispatched(self.status));
        }
        self.0.class = class;
        self.0.deadline = deadline_for(class, policy, registered);
        let due = match self.deadline.as_ref().map(|d| &d.rule) {
            Some(Rule::Manual { due }) => Some(*due),
            _ => None,
        };
        Ok(Event::Classified { class, due })
    }

    /// BBC-2: where the contact cannot act, the matter goes up to the unit's leader in charge,
    /// once; the deadline stays.
    pub fn escalate(&mut self, leader_id: i64) -> Result<Event, UnresolvedError> {
        if self.status != Status::Dispatched {
            return Err(UnresolvedError::NotDispatched(self.status));
        }
        if self.escalated_to.is_some() {
            return Err(UnresolvedError::AlreadyEscalated);
        }
        self.0.escalated_to = Some(leader_id);
        self.0.sent_to = Some(leader_id);
        Ok(Event::EscalatedToLeader { leader_id })
    }

    /// CAL-2: after a calendar change, the open matter's due day under `new` where it moved
    /// (never earlier than the next working day for work not yet overdue).
    pub fn recompute(
        &mut self,
        old: &crate::calendar::Calendar,
        new: &crate::calendar::Calendar,
        now: DateTime<FixedOffset>,
    ) -> Option<Event> {
        if !self.status.is_open() {
            return None;
        }
        let d = self.0.deadline.as_mut()?;
        let (before, after) = d.recompute(old, new, now).ok().flatten()?;
        Some(Event::DeadlineMoved { before, after })
    }

    /// BBC-3: the supervision section sets a complex matter's deadline.
    pub fn set_deadline(
        &mut self,
        due: NaiveDate,
        policy: &Policy,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, UnresolvedError> {
        if !self.status.is_open() {
            return Err(UnresolvedError::Closed(self.status));
        }
        if self.class != Class::Complex {
            return Err(UnresolvedError::NotComplex);
        }
        if due <= crate::time::local_date(now) {
            return Err(UnresolvedError::DueInPast);
        }
        let spec = &policy.unresolved.complex;
        let source = Source {
            policy: policy.id.clone(),
            version: policy.version,
            clause: "unresolved.complex".into(),
            document: spec.document.clone(),
        };
        let start = self.deadline.as_ref().map_or(now, |d| d.start);
        self.0.deadline = Some(Deadline::new(what(self.class), start, Rule::Manual { due }, source));
        Ok(Event::DeadlineSet { due })
    }

    /// BBC-2, BBC-3: the unit's feedback closes the matter — done, or the reasons it cannot be.
    pub fn answer(
        &mut self,
        by: i64,
        resolved: bool,
        result: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, UnresolvedError> {
        if self.status != Status::Dispatched {
            return Err(UnresolvedError::NotDispatched(self.status));
        }
        let result = result.trim();
        if result.is_empty() {
            return Err(UnresolvedError::NoResult);
        }
        self.0.status = if resolved { Status::Resolved } else { Status::Explained };
        self.0.result = Some(result.into());
        self.0.answered_by = Some(by);
        if let Some(d) = self.0.deadline.as_mut() {
            d.meet(now);
        }
        Ok(Event::Answered { resolved, result: result.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;

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
        }
    }

    fn guilin() -> Policy {
        Policy::parse(include_str!("../../../policies/guilin.toml")).unwrap()
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
            let (u, _) = Unresolved::register(new(c), Some(7), &p, now).unwrap();
            u.deadline.as_ref().map(|d| d.due(&cal, now).unwrap())
        };
        // 2026: 10-01..10-07 off, 09-27 (Sun) and 10-10 (Sat) worked.
        assert_eq!(due(Class::Simple), Some(NaiveDate::from_ymd_opt(2026, 10, 9).unwrap()));
        assert_eq!(due(Class::General), Some(NaiveDate::from_ymd_opt(2026, 10, 12).unwrap()));
        assert_eq!(due(Class::Impossible), Some(NaiveDate::from_ymd_opt(2026, 10, 9).unwrap()));
        assert_eq!(due(Class::Complex), None);
        let (u, e) = Unresolved::register(new(Class::General), Some(7), &p, now).unwrap();
        assert!(matches!(e, Event::Registered { class: Class::General, .. }));
        let d = u.deadline.as_ref().unwrap();
        assert_eq!(d.source.clause, "unresolved.general");
        assert!(d.source.document.contains("办不成事"), "{}", d.source.document);
        assert_eq!((u.summary.as_str(), u.reporter.name.as_str()), ("营业执照变更在窗口被拒，没有说明理由", "李四"));
    }

    /// BBC-2, BBC-3: dispatched once, answered once; a complex matter's deadline is set by hand.
    #[test]
    fn bbc_2_dispatched_once_and_closed_by_the_units_feedback() {
        let p = guilin();
        let now = at("2026-11-24T10:00:00+08:00");
        let mut u = Unresolved::register(new(Class::Complex), Some(7), &p, now).unwrap().0;
        assert_eq!(u.answer(9, true, "已办结", now), Err(UnresolvedError::NotDispatched(Status::Registered)));
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(u.set_deadline(today, &p, now), Err(UnresolvedError::DueInPast));
        let due = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(u.set_deadline(due, &p, now), Ok(Event::DeadlineSet { due }));
        assert_eq!(u.deadline.as_ref().unwrap().rule, Rule::Manual { due });
        assert!(matches!(u.dispatch(7, 2, 11, false), Ok(Event::Dispatched { unit_id: 2, sent_to: 11, .. })));
        assert_eq!(u.dispatch(7, 2, 11, false), Err(UnresolvedError::AlreadyDispatched(Status::Dispatched)));
        assert_eq!(u.escalate(12), Ok(Event::EscalatedToLeader { leader_id: 12 }));
        assert_eq!((u.sent_to, u.status), (Some(12), Status::Dispatched), "the leader answers for it now");
        assert_eq!(u.escalate(12), Err(UnresolvedError::AlreadyEscalated));
        assert_eq!(u.answer(11, false, "  ", now), Err(UnresolvedError::NoResult));
        assert!(matches!(u.answer(11, false, "历史遗留产权问题，须待法院判决", now), Ok(Event::Answered { .. })));
        assert_eq!(u.status, Status::Explained);
        assert!(u.deadline.as_ref().unwrap().met_at.is_some());
        assert_eq!(u.answer(11, true, "x", now), Err(UnresolvedError::NotDispatched(Status::Explained)));
        assert_eq!(u.set_deadline(due, &p, now), Err(UnresolvedError::Closed(Status::Explained)));
        // An online submission arrives as 承诺件; the desk classes it, counted from registration.
        let mut online = Unresolved::register(new(Class::General), None, &p, now).unwrap().0;
        assert!(matches!(
            online.classify(Class::Complex, &p, now),
            Ok(Event::Classified { class: Class::Complex, due: None })
        ));
        assert!(online.deadline.is_none());
        online.classify(Class::Simple, &p, now).unwrap();
        assert_eq!(online.deadline.as_ref().unwrap().start, now, "counted from registration");
        online.dispatch(7, 2, 11, false).unwrap();
        assert_eq!(
            online.classify(Class::General, &p, now),
            Err(UnresolvedError::AlreadyDispatched(Status::Dispatched))
        );
        let mut simple = Unresolved::register(new(Class::Simple), None, &p, now).unwrap().0;
        assert_eq!(simple.set_deadline(due, &p, now), Err(UnresolvedError::NotComplex));
        let mut empty = new(Class::Simple);
        empty.summary = " ".into();
        assert_eq!(Unresolved::register(empty, None, &p, now).unwrap_err(), UnresolvedError::NoSummary);
    }
}
