//! Rectification tasks (整改): what a unit must put right, tracked to done — the fifth ticket
//! type on the one shape. Two things open one:
//! - TC-7: complaints concentrated on a section and a category ("对投诉、求助和建议集中的事项要及时
//!   组织整改，对整改措施要加强宣传"): the supervision section opens it with a due day; the unit
//!   records its measures and how they were made known.
//! - HCP-6: an unsatisfied rating: verify with the rater (the supervision section does it for a
//!   real-name rating, so the rated staff never learn who rated), fix or explain, tell the rater,
//!   within the policy's days; the unit may appeal a rating it shows to be mistaken or malicious,
//!   and the supervision section decides, the reason kept.
//!
//! The person who rated is seen by the supervision section only (the access layer's `seen` with a
//! confidential relation); no event carries them.

use crate::deadline::{Deadline, Rule, Source as RuleSource};
use crate::policy::RuleSpec;
use crate::ticket::{Facts, Notice, Now, Ticket, To};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// What the task puts right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// TC-7: complaints of one category about one section.
    Complaints { category: crate::complaint::Category, receipts: Vec<String> },
    /// HCP-6: an unsatisfied rating of a service.
    Rating { rating_id: i64, real_name: bool },
    /// AS-2: an inspection's findings — 明察暗访 by the center, or the unit's 自查自纠.
    Inspection { by: InspectionKind, held_on: NaiveDate },
}

/// AS-2: who inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// 明察暗访 by the center's supervision section.
    Covert,
    /// 自查自纠 by the unit itself.
    SelfCheck,
}

impl InspectionKind {
    pub fn parse(s: &str) -> Option<InspectionKind> {
        match s {
            "covert" => Some(InspectionKind::Covert),
            "self_check" => Some(InspectionKind::SelfCheck),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            InspectionKind::Covert => "明察暗访",
            InspectionKind::SelfCheck => "自查自纠",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The unit is putting it right.
    Open,
    /// The unit says the rating was mistaken or malicious; the supervision section decides.
    Appealed,
    /// Put right (or explained), and the rater or the public told.
    Done,
    /// The appeal was upheld: the rating does not count.
    Annulled,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Open, Status::Appealed, Status::Done, Status::Annulled];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Appealed => "appealed",
            Status::Done => "done",
            Status::Annulled => "annulled",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "整改中",
            Status::Appealed => "单位申诉中，待监督监察科决定",
            Status::Done => "已整改并告知",
            Status::Annulled => "申诉成立，该评价不计入",
        }
    }
    pub fn is_open(self) -> bool {
        matches!(self, Status::Open | Status::Appealed)
    }
}

/// The person to tell (a rater who left a name and phone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub phone: String,
}

/// What a rectification holds (read-only outside the domain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RectificationData {
    pub id: i64,
    pub receipt_no: String,
    pub center_id: i64,
    pub unit_id: i64,
    /// The member of staff answering for it (the unit's liaison contact, or B).
    pub assignee: Option<i64>,
    pub origin: Origin,
    /// What is wrong, in the words of who opened it.
    pub problem: String,
    /// HCP-6: the rater, for a real-name rating (seen by the supervision section only).
    pub person: Option<Person>,
    pub status: Status,
    pub opened_by: Option<i64>,
    /// What the rater said when called back (verification).
    pub verification: Option<String>,
    pub verified_by: Option<i64>,
    /// The measures taken, or why the rating was not the unit's fault.
    pub measures: Option<String>,
    /// How the rater (or the public) was told.
    pub told: Option<String>,
    pub done_by: Option<i64>,
    pub appeal: Option<String>,
    pub appeal_decision: Option<String>,
    pub decided_by: Option<i64>,
    pub contact_deadline: Option<Deadline>,
    pub deadline: Deadline,
    pub policy_id: String,
    pub policy_version: u32,
    pub opened_at: Option<DateTime<FixedOffset>>,
    pub done_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rectification(RectificationData);

impl std::ops::Deref for Rectification {
    type Target = RectificationData;
    fn deref(&self) -> &RectificationData {
        &self.0
    }
}

/// What happened to a rectification. No event carries the rater.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Opened { unit_id: i64, origin: Origin, deadline: Box<Deadline>, contact_deadline: Option<Box<Deadline>> },
    Verified { note: String, by: Option<i64> },
    Done { measures: String, told: String, by: Option<i64> },
    Appealed { reason: String, by: Option<i64> },
    AppealDecided { upheld: bool, reason: String, by: Option<i64> },
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::Opened { .. } => "rectification.opened",
            Event::Verified { .. } => "rectification.verified",
            Event::Done { .. } => "rectification.done",
            Event::Appealed { .. } => "rectification.appealed",
            Event::AppealDecided { .. } => "rectification.appeal_decided",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RectificationError {
    #[error("请写明需要整改的问题")]
    NoProblem,
    #[error("整改期限须晚于今天")]
    DueInPast,
    #[error("该整改已{}，不能再办理", .0.label())]
    Closed(Status),
    #[error("请写明核实情况")]
    NoNote,
    #[error("实名差评由监督监察科回访核实，评价人信息不向被评价单位透露")]
    SupervisionContacts,
    #[error("请写明整改措施（或不属于单位责任的说明）和告知情况")]
    NoMeasures,
    #[error("只有对评价的整改才能申诉")]
    NotARating,
    #[error("已申诉过一次，不能再申诉")]
    AlreadyAppealed,
    #[error("申诉须写明评价有误或恶意的理由和依据")]
    NoReason,
    #[error("没有待决定的申诉（当前：{}）", .0.label())]
    NotAppealed(Status),
}

impl RectificationError {
    pub fn code(&self) -> &'static str {
        match self {
            RectificationError::NoProblem => "problem_required",
            RectificationError::DueInPast => "due_in_past",
            RectificationError::Closed(_) => "closed",
            RectificationError::NoNote => "note_required",
            RectificationError::SupervisionContacts => "supervision_contacts",
            RectificationError::NoMeasures => "measures_required",
            RectificationError::NotARating => "not_a_rating",
            RectificationError::AlreadyAppealed => "already_appealed",
            RectificationError::NoReason => "reason_required",
            RectificationError::NotAppealed(_) => "not_appealed",
        }
    }
    pub fn is_state(&self) -> bool {
        matches!(
            self,
            RectificationError::Closed(_) | RectificationError::AlreadyAppealed | RectificationError::NotAppealed(_)
        )
    }
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            RectificationError::NoProblem => "problem",
            RectificationError::DueInPast => "due",
            RectificationError::NoNote => "note",
            RectificationError::NoMeasures => "measures",
            RectificationError::NoReason => "reason",
            _ => return None,
        })
    }
}

/// A rectification as it is opened.
pub struct NewRectification {
    pub center_id: i64,
    pub unit_id: i64,
    pub assignee: Option<i64>,
    pub origin: Origin,
    pub problem: String,
    pub person: Option<Person>,
    /// A due day set by hand (TC-7); else the policy's rectification days.
    pub due: Option<NaiveDate>,
}

pub enum Command {
    /// Verified with the rater (or those who complained).
    Verify {
        note: String,
        by_supervision: bool,
    },
    /// Put right (or explained), and told.
    Done {
        measures: String,
        told: String,
    },
    Appeal {
        reason: String,
    },
    DecideAppeal {
        upheld: bool,
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Offer {
    Verify,
    Done,
    Appeal,
    DecideAppeal,
}

fn source(f: &Facts, clause: &str, spec: &RuleSpec) -> RuleSource {
    RuleSource {
        policy: f.policy.id.clone(),
        version: f.policy.version,
        clause: clause.into(),
        document: spec.document.clone(),
    }
}

impl Rectification {
    pub fn stored(d: RectificationData) -> Rectification {
        Rectification(d)
    }
    /// The rating it concerns, if any.
    pub fn rating_id(&self) -> Option<i64> {
        match self.origin {
            Origin::Rating { rating_id, .. } => Some(rating_id),
            Origin::Complaints { .. } | Origin::Inspection { .. } => None,
        }
    }
}

impl Ticket for Rectification {
    const KIND: &'static str = "rectification";
    const NAME: &'static str = "整改事项";
    type New = NewRectification;
    type Command = Command;
    type Event = Event;
    type Error = RectificationError;
    type Action = Offer;

    fn create(n: NewRectification, f: &Facts) -> Result<(Rectification, Vec<Event>), RectificationError> {
        let problem = n.problem.trim();
        if problem.is_empty() {
            return Err(RectificationError::NoProblem);
        }
        let r = &f.policy.rating;
        let deadline = match n.due {
            Some(due) if due <= crate::time::local_date(f.now) => return Err(RectificationError::DueInPast),
            Some(due) => Deadline::new(
                "rectification_done",
                f.now,
                Rule::Manual { due },
                source(f, "rating.rectify_fix", &r.rectify_fix),
            ),
            None => Deadline::new(
                "rectification_done",
                f.now,
                r.rectify_fix.rule(None).unwrap_or(Rule::WorkingDays { days: 5 }),
                source(f, "rating.rectify_fix", &r.rectify_fix),
            ),
        };
        // HCP-6: a bad rating's rater is contacted first, within the policy's day.
        let contact_deadline = matches!(n.origin, Origin::Rating { .. }).then(|| {
            Deadline::new(
                "rectification_contact",
                f.now,
                r.rectify_contact.rule(None).unwrap_or(Rule::WorkingDays { days: 1 }),
                source(f, "rating.rectify_contact", &r.rectify_contact),
            )
        });
        let ev = Event::Opened {
            unit_id: n.unit_id,
            origin: n.origin.clone(),
            deadline: Box::new(deadline.clone()),
            contact_deadline: contact_deadline.clone().map(Box::new),
        };
        Ok((
            Rectification(RectificationData {
                id: 0,
                receipt_no: String::new(),
                center_id: n.center_id,
                unit_id: n.unit_id,
                assignee: n.assignee,
                origin: n.origin,
                problem: problem.into(),
                person: n.person,
                status: Status::Open,
                opened_by: f.by,
                verification: None,
                verified_by: None,
                measures: None,
                told: None,
                done_by: None,
                appeal: None,
                appeal_decision: None,
                decided_by: None,
                contact_deadline,
                deadline,
                policy_id: f.policy.id.clone(),
                policy_version: f.policy.version,
                opened_at: None,
                done_at: None,
            }),
            vec![ev],
        ))
    }

    fn handle(&self, cmd: Command, f: &Facts) -> Result<Vec<Event>, RectificationError> {
        let open = || if self.status == Status::Open { Ok(()) } else { Err(RectificationError::Closed(self.status)) };
        let text = |t: &str, e| {
            let t = t.trim();
            if t.is_empty() { Err(e) } else { Ok(t.to_string()) }
        };
        Ok(vec![match cmd {
            Command::Verify { note, by_supervision } => {
                open()?;
                if matches!(self.origin, Origin::Rating { real_name: true, .. }) && !by_supervision {
                    return Err(RectificationError::SupervisionContacts);
                }
                Event::Verified { note: text(&note, RectificationError::NoNote)?, by: f.by }
            }
            Command::Done { measures, told } => {
                open()?;
                Event::Done {
                    measures: text(&measures, RectificationError::NoMeasures)?,
                    told: text(&told, RectificationError::NoMeasures)?,
                    by: f.by,
                }
            }
            Command::Appeal { reason } => {
                open()?;
                if self.rating_id().is_none() {
                    return Err(RectificationError::NotARating);
                }
                if self.appeal.is_some() {
                    return Err(RectificationError::AlreadyAppealed);
                }
                Event::Appealed { reason: text(&reason, RectificationError::NoReason)?, by: f.by }
            }
            Command::DecideAppeal { upheld, reason } => {
                if self.status != Status::Appealed {
                    return Err(RectificationError::NotAppealed(self.status));
                }
                Event::AppealDecided { upheld, reason: text(&reason, RectificationError::NoReason)?, by: f.by }
            }
        }])
    }

    fn apply(&mut self, ev: &Event, at: Now) {
        let d = &mut self.0;
        match ev {
            Event::Opened { .. } => {
                d.status = Status::Open;
                d.opened_at = Some(at);
            }
            Event::Verified { note, by } => {
                d.verification = Some(note.clone());
                d.verified_by = *by;
                if let Some(c) = d.contact_deadline.as_mut() {
                    c.meet(at);
                }
            }
            Event::Done { measures, told, by } => {
                d.measures = Some(measures.clone());
                d.told = Some(told.clone());
                d.done_by = *by;
                d.status = Status::Done;
                d.done_at = Some(at);
                d.deadline.meet(at);
                if let Some(c) = d.contact_deadline.as_mut().filter(|c| c.met_at.is_none()) {
                    c.meet(at);
                }
            }
            Event::Appealed { reason, .. } => {
                d.appeal = Some(reason.clone());
                d.status = Status::Appealed;
            }
            Event::AppealDecided { upheld, reason, by } => {
                d.appeal_decision = Some(reason.clone());
                d.decided_by = *by;
                if *upheld {
                    d.status = Status::Annulled;
                    d.done_at = Some(at);
                    d.deadline.meet(at);
                    if let Some(c) = d.contact_deadline.as_mut().filter(|c| c.met_at.is_none()) {
                        c.meet(at);
                    }
                } else {
                    d.status = Status::Open;
                }
            }
        }
    }

    fn event_name(ev: &Event) -> &'static str {
        ev.name()
    }

    fn offers(&self) -> Vec<Offer> {
        match self.status {
            Status::Open => {
                let mut v = vec![Offer::Done];
                if self.verification.is_none() && self.contact_deadline.is_some() {
                    v.insert(0, Offer::Verify);
                }
                if self.rating_id().is_some() && self.appeal.is_none() {
                    v.push(Offer::Appeal);
                }
                v
            }
            Status::Appealed => vec![Offer::DecideAppeal],
            Status::Done | Status::Annulled => vec![],
        }
    }

    fn deadlines(&self) -> Vec<(&Deadline, Option<i64>)> {
        let mut v = vec![(&self.deadline, self.assignee.or(self.opened_by))];
        if let Some(c) = &self.contact_deadline {
            // A real-name rater is called back by the supervision section, which opened it.
            let owner = match self.origin {
                Origin::Rating { real_name: true, .. } => self.opened_by,
                _ => self.assignee.or(self.opened_by),
            };
            v.push((c, owner));
        }
        v
    }

    fn notices(&self, ev: &Event) -> Vec<Notice> {
        match (ev, self.assignee) {
            (Event::Opened { .. }, Some(to)) => vec![Notice {
                to: To::Staff(to),
                subject: format!("整改通知：{}", self.receipt_no),
                body: format!("请贵单位在期限内整改并告知：{}", self.problem),
            }],
            _ => vec![],
        }
    }

    fn numbered(&mut self, id: i64, receipt: &str) {
        self.0.id = id;
        self.0.receipt_no = receipt.into();
    }
}

impl crate::ticket::Personal for Rectification {
    fn redacted(&self, seen: &crate::access::Seen) -> Rectification {
        let mut r = self.clone();
        r.0.person = self.person.as_ref().map(|p| Person { name: seen.name(&p.name), phone: seen.phone(&p.phone) });
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::policy::Policy;
    use crate::ticket::{Stored, execute, open};

    fn run(r: &mut Stored<Rectification>, by: i64, f: &Facts, c: Command) -> Result<(), RectificationError> {
        let d = execute(r, c, &Facts { by: Some(by), ..*f })?;
        *r = Stored { id: r.id, version: r.version + 1, ticket: d.into_ticket() };
        Ok(())
    }

    /// HCP-6: a real-name bad rating is called back by the supervision section only, within the
    /// policy's day; fixed and told within its days; one appeal, decided with the reason.
    #[test]
    fn hcp_6_a_bad_rating_is_verified_fixed_and_told() {
        let p = Policy::parse(include_str!("../../../policies/weihai-huancui.toml")).unwrap();
        let cal = Calendar::builtin();
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T10:00:00+08:00").unwrap();
        let f = Facts { by: Some(2), now, policy: &p, calendar: &cal };
        let n = NewRectification {
            center_id: 1,
            unit_id: 5,
            assignee: Some(50),
            origin: Origin::Rating { rating_id: 9, real_name: true },
            problem: "差评：办事效率不满意".into(),
            person: Some(Person { name: "甲".into(), phone: "13800000000".into() }),
            due: None,
        };
        let d = open::<Rectification>(n, &f).unwrap();
        assert_eq!(
            d.dues().iter().map(|x| x.due.unwrap().to_string()).collect::<Vec<_>>(),
            ["2026-12-04", "2026-11-30"]
        );
        assert!(!serde_json::to_string(d.events()).unwrap().contains("13800000000"));
        let mut r = Stored { id: 1, version: 1, ticket: d.into_ticket() };
        assert_eq!(r.offers(), vec![Offer::Verify, Offer::Done, Offer::Appeal]);
        let verify = |s| Command::Verify { note: "已回访".into(), by_supervision: s };
        assert_eq!(run(&mut r, 50, &f, verify(false)), Err(RectificationError::SupervisionContacts));
        run(&mut r, 2, &f, verify(true)).unwrap();
        run(&mut r, 50, &f, Command::Appeal { reason: "评价人当日未到本窗口".into() }).unwrap();
        assert_eq!(r.offers(), vec![Offer::DecideAppeal]);
        run(&mut r, 2, &f, Command::DecideAppeal { upheld: false, reason: "叫号记录显示当日办理".into() }).unwrap();
        assert_eq!(r.status, Status::Open);
        assert_eq!(
            run(&mut r, 50, &f, Command::Appeal { reason: "再申诉".into() }),
            Err(RectificationError::AlreadyAppealed)
        );
        run(&mut r, 50, &f, Command::Done { measures: "已调整叫号".into(), told: "已电话告知".into() }).unwrap();
        assert_eq!(r.status, Status::Done);
        assert!(r.deadline.met_at.is_some());
        assert_eq!(
            run(&mut r, 50, &f, Command::Done { measures: "x".into(), told: "y".into() }),
            Err(RectificationError::Closed(Status::Done))
        );
    }
}
