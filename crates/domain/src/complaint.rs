//! 吐槽找茬 complaints (TC-1 … TC-7; 威环审服发〔2019〕13号《环翠区行政审批服务局“吐槽找茬”
//! 工作制度》). A complaint about the process, the speed, the manner, or anything else comes in
//! at a window, the complaint window, the suggestion box, the hotline, the website or the WeChat
//! account. In person and by phone the person who takes it is its first contact and answers on
//! the spot where they can; everything else is registered, classed and assigned by the
//! supervision section, which follows every complaint to its end. The responsible section (one
//! leads, others handle with it) contacts the complainant at once and is done within 1 working
//! day, 5 for a complex matter when the supervision section grants it; what no section can solve
//! goes to the director's meeting. A complainant who asks for confidentiality is seen by the
//! supervision section only (TC-5: the access layer's `seen`), which then makes the contact.
//!
//! No event carries the complainant's name or phone: events are audited, and the audit view is
//! read by people who may not see them.

use crate::deadline::{Deadline, Rule, Source};
use crate::policy::{Policy, RuleSpec};
use crate::ticket::{Facts, Notice, Now, Ticket, To};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// TC-1: what the complaint is about (一、主要受理内容).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Process,
    Efficiency,
    Attitude,
    Other,
}

impl Category {
    pub const ALL: [Category; 4] = [Category::Process, Category::Efficiency, Category::Attitude, Category::Other];
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Process => "process",
            Category::Efficiency => "efficiency",
            Category::Attitude => "attitude",
            Category::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Category::Process => "业务流程繁不繁",
            Category::Efficiency => "服务效率高不高",
            Category::Attitude => "服务态度好不好",
            Category::Other => "其他意见和建议",
        }
    }
}

/// TC-1: how it came in (二、受理方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Said at a service window.
    Window,
    /// The 吐槽找茬 window on the ground floor.
    ComplaintWindow,
    /// The opinion boxes by the stairs (opened and registered by the supervision section).
    Box,
    /// The center's complaint numbers.
    Phone,
    /// The 12345 hotline's work order (工单).
    Hotline12345,
    /// The government service website.
    Website,
    /// The center's WeChat account.
    Wechat,
}

impl Channel {
    pub const ALL: [Channel; 7] = [
        Channel::Window,
        Channel::ComplaintWindow,
        Channel::Box,
        Channel::Phone,
        Channel::Hotline12345,
        Channel::Website,
        Channel::Wechat,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Window => "window",
            Channel::ComplaintWindow => "complaint_window",
            Channel::Box => "box",
            Channel::Phone => "phone",
            Channel::Hotline12345 => "hotline_12345",
            Channel::Website => "website",
            Channel::Wechat => "wechat",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Channel::Window => "窗口当面反映",
            Channel::ComplaintWindow => "“吐槽找茬”窗口当面反映",
            Channel::Box => "意见箱",
            Channel::Phone => "咨询投诉电话",
            Channel::Hotline12345 => "12345 热线工单",
            Channel::Website => "政务服务网",
            Channel::Wechat => "微信公众号",
        }
    }
    /// TC-2: taken by a person face to face or on the phone, who is then its first contact
    /// (首问负责) and answers on the spot where they can.
    pub fn has_first_contact(self) -> bool {
        matches!(self, Channel::Window | Channel::ComplaintWindow | Channel::Phone)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered; waiting for the supervision section (or the first contact) to assign it.
    Received,
    /// With the responsible section.
    Assigned,
    /// Before the director's meeting (局长办公会): no section could solve it.
    AtMeeting,
    /// The responsible section replied; the 承办单 is with the supervision section.
    Replied,
    /// Filed in the ledger by the supervision section (or answered on the spot).
    Closed,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Received, Status::Assigned, Status::AtMeeting, Status::Replied, Status::Closed];
    pub const OPEN: [Status; 3] = [Status::Received, Status::Assigned, Status::AtMeeting];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Assigned => "assigned",
            Status::AtMeeting => "at_meeting",
            Status::Replied => "replied",
            Status::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::Received => "已登记，待分配",
            Status::Assigned => "责任科室办理中",
            Status::AtMeeting => "已提交局长办公会研究",
            Status::Replied => "已回复，待监督监察科办结",
            Status::Closed => "已办结",
        }
    }
    /// Still owed an answer to the complainant.
    pub fn is_open(self) -> bool {
        Status::OPEN.contains(&self)
    }
}

/// The person complaining.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complainant {
    pub name: String,
    pub phone: String,
}

/// TC-3: a section handling it with the lead (会同办理), and what it contributed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoSection {
    pub unit_id: i64,
    /// The section's liaison contact (or B), who writes its opinion.
    pub assignee: Option<i64>,
    pub opinion: Option<String>,
    pub by: Option<i64>,
}

/// TC-3: the director's meeting (局长办公会).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// Why no section could solve it.
    pub reason: String,
    pub referred_by: Option<i64>,
    pub decision: Option<String>,
    pub recorded_by: Option<i64>,
    /// The section the meeting made responsible; it replies.
    pub responsible: Option<i64>,
}

/// What a complaint holds (read-only outside the domain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintData {
    pub id: i64,
    pub receipt_no: String,
    pub center_id: i64,
    /// The window it was said at (for the analysis by window), if any.
    pub window_id: Option<i64>,
    /// The window or unit it is about, if the complainant named one.
    pub about_unit: Option<i64>,
    pub channel: Channel,
    pub category: Category,
    pub content: String,
    pub complainant: Complainant,
    /// TC-5: the complainant asked for confidentiality.
    pub confidential: bool,
    /// TC-8: the 12345 work order number it came as.
    pub hotline_order: Option<String>,
    pub status: Status,
    /// TC-2: who took it in person or on the phone.
    pub first_contact: Option<i64>,
    pub registered_by: Option<i64>,
    /// TC-3: the lead section and the member of staff answering for it (its liaison contact).
    pub lead: Option<i64>,
    pub assignee: Option<i64>,
    pub co: Vec<CoSection>,
    pub assigned_by: Option<i64>,
    /// TC-4: the contact with the complainant, made at once.
    pub contact_note: Option<String>,
    pub contacted_by: Option<i64>,
    /// TC-4: extended to the complex deadline by the supervision section, with its reason.
    pub extension: Option<String>,
    pub meeting: Option<Meeting>,
    /// TC-6: 责任科室办理意见 and 回复情况.
    pub opinion: Option<String>,
    pub reply: Option<String>,
    pub replied_by: Option<i64>,
    /// NV-14: refusal phrases the reply kept after its writer confirmed them.
    pub flagged: Vec<String>,
    /// TC-2: answered on the spot by its first contact.
    pub on_spot: bool,
    pub closed_by: Option<i64>,
    /// The supervision section's note when filing it (or returning a reply).
    pub review: Option<String>,
    /// TC-4: done within 1 working day (5 when extended), counted from receipt.
    pub deadline: Deadline,
    /// TC-4: contact the complainant at once once it reached the section.
    pub contact_deadline: Option<Deadline>,
    pub policy_id: String,
    pub policy_version: u32,
    pub received_at: Option<DateTime<FixedOffset>>,
    pub assigned_at: Option<DateTime<FixedOffset>>,
    pub replied_at: Option<DateTime<FixedOffset>>,
    pub closed_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Complaint(ComplaintData);

impl std::ops::Deref for Complaint {
    type Target = ComplaintData;
    fn deref(&self) -> &ComplaintData {
        &self.0
    }
}

/// What happened to a complaint. No event carries the complainant's name or phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Received {
        channel: Channel,
        category: Category,
        confidential: bool,
        first_contact: Option<i64>,
        deadline: Deadline,
        hotline_order: Option<String>,
    },
    /// TC-2: the first contact answered it on the spot.
    AnsweredOnSpot { reply: String, flagged: Vec<String>, by: Option<i64> },
    /// TC-2, TC-3: the lead section (with its contact) named.
    Assigned { unit_id: i64, assignee: i64, stand_in: bool, by: Option<i64>, contact_deadline: Deadline },
    /// TC-3: another section handles it with the lead.
    CoAssigned { unit_id: i64, assignee: i64, by: Option<i64> },
    /// TC-1: the supervision section corrects the category.
    Classified { category: Category },
    /// TC-4: the complainant was contacted.
    Contacted { note: String, by: Option<i64> },
    /// TC-4: the complex deadline granted by the supervision section.
    Extended { reason: String, deadline: Deadline },
    /// CAL-2: a calendar change moved the due day.
    DeadlineMoved { before: chrono::NaiveDate, after: chrono::NaiveDate, deadline: Deadline },
    /// TC-3: a co-section's opinion.
    CoOpinion { unit_id: i64, text: String, by: Option<i64> },
    /// TC-3: to the director's meeting.
    ToMeeting { reason: String, by: Option<i64> },
    /// TC-3: the meeting's decision and the section that replies.
    MeetingDecided { decision: String, responsible: i64, assignee: i64, by: Option<i64> },
    /// TC-6: the responsible section's handling opinion and its reply to the complainant.
    Replied { opinion: String, reply: String, flagged: Vec<String>, by: Option<i64> },
    /// The supervision section found the reply wanting: back to the section.
    Returned { note: String },
    /// TC-7: filed in the ledger.
    Closed { note: String, by: Option<i64> },
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::Received { .. } => "complaint.received",
            Event::AnsweredOnSpot { .. } => "complaint.answered_on_spot",
            Event::Assigned { .. } => "complaint.assigned",
            Event::CoAssigned { .. } => "complaint.co_assigned",
            Event::Classified { .. } => "complaint.classified",
            Event::Contacted { .. } => "complaint.contacted",
            Event::Extended { .. } => "complaint.extended",
            Event::DeadlineMoved { .. } => "complaint.deadline_moved",
            Event::CoOpinion { .. } => "complaint.co_opinion",
            Event::ToMeeting { .. } => "complaint.to_meeting",
            Event::MeetingDecided { .. } => "complaint.meeting_decided",
            Event::Replied { .. } => "complaint.replied",
            Event::Returned { .. } => "complaint.returned",
            Event::Closed { .. } => "complaint.closed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComplaintError {
    #[error("请写明吐槽找茬的内容")]
    NoContent,
    #[error("请填写诉求人姓名")]
    NoName,
    #[error("该投诉已{}，不能再办理", .0.label())]
    Closed(Status),
    #[error("只有当面或电话受理的首问责任人才能当场答复")]
    NotFirstContact,
    #[error("当场答复只能在分配科室之前（当前：{}）", .0.label())]
    NotReceived(Status),
    #[error("该科室已在承办此投诉")]
    AlreadyAssigned,
    #[error("牵头科室已确定；如需改由其他科室负责，请提交局长办公会研究")]
    LeadTaken,
    #[error("请先确定牵头科室，再指定会同办理的科室")]
    LeadFirst,
    #[error("投诉不在责任科室办理中（当前：{}）", .0.label())]
    NotAssigned(Status),
    #[error("请写明与诉求人联系核实的情况")]
    NoNote,
    #[error("诉求人要求保密的投诉，由监督监察科联系诉求人并转达")]
    ConfidentialContact,
    #[error("延长至复杂问题时限须写明理由")]
    NoReason,
    #[error("已经延长过办理时限，不能再延长")]
    AlreadyExtended,
    #[error("该科室不是会同办理科室")]
    NotCoSection,
    #[error("投诉不在局长办公会研究中（当前：{}）", .0.label())]
    NotAtMeeting(Status),
    #[error("请写明局长办公会的研究决定")]
    NoDecision,
    #[error("请写明责任科室办理意见")]
    NoOpinion,
    #[error("请写明对诉求人的回复")]
    NoReply,
    #[error("投诉尚未回复，不能办结（当前：{}）", .0.label())]
    NotReplied(Status),
}

impl ComplaintError {
    pub fn code(&self) -> &'static str {
        match self {
            ComplaintError::NoContent => "content_required",
            ComplaintError::NoName => "name_required",
            ComplaintError::Closed(_) => "closed",
            ComplaintError::NotFirstContact => "not_first_contact",
            ComplaintError::NotReceived(_) => "not_received",
            ComplaintError::AlreadyAssigned => "already_assigned",
            ComplaintError::LeadTaken => "lead_taken",
            ComplaintError::LeadFirst => "lead_first",
            ComplaintError::NotAssigned(_) => "not_assigned",
            ComplaintError::NoNote => "note_required",
            ComplaintError::ConfidentialContact => "confidential_contact",
            ComplaintError::NoReason => "reason_required",
            ComplaintError::AlreadyExtended => "already_extended",
            ComplaintError::NotCoSection => "not_co_section",
            ComplaintError::NotAtMeeting(_) => "not_at_meeting",
            ComplaintError::NoDecision => "decision_required",
            ComplaintError::NoOpinion => "opinion_required",
            ComplaintError::NoReply => "reply_required",
            ComplaintError::NotReplied(_) => "not_replied",
        }
    }
    /// The complaint moved on (409) rather than the input being wrong (422).
    pub fn is_state(&self) -> bool {
        matches!(
            self,
            ComplaintError::Closed(_)
                | ComplaintError::NotReceived(_)
                | ComplaintError::AlreadyAssigned
                | ComplaintError::LeadTaken
                | ComplaintError::NotAssigned(_)
                | ComplaintError::AlreadyExtended
                | ComplaintError::NotAtMeeting(_)
                | ComplaintError::NotReplied(_)
        )
    }
    /// The field of the form it concerns.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            ComplaintError::NoContent => "content",
            ComplaintError::NoName => "name",
            ComplaintError::NoNote => "note",
            ComplaintError::NoReason => "reason",
            ComplaintError::NoDecision => "decision",
            ComplaintError::NoOpinion => "opinion",
            ComplaintError::NoReply => "reply",
            ComplaintError::LeadFirst | ComplaintError::AlreadyAssigned | ComplaintError::LeadTaken => "unit_id",
            _ => return None,
        })
    }
}

/// A complaint as it arrives.
pub struct NewComplaint {
    pub center_id: i64,
    pub window_id: Option<i64>,
    pub about_unit: Option<i64>,
    pub channel: Channel,
    pub category: Category,
    pub content: String,
    pub complainant: Complainant,
    pub confidential: bool,
    pub hotline_order: Option<String>,
}

/// What can be done to a complaint. The app finds the facts a command names (a unit's liaison
/// contact, or B while A is away) and says whether the actor is the supervision section.
pub enum Command {
    AnswerOnSpot {
        reply: String,
        flagged: Vec<String>,
    },
    Assign {
        unit_id: i64,
        lead: bool,
        assignee: i64,
        stand_in: bool,
    },
    Classify {
        category: Category,
    },
    Contact {
        note: String,
        by_supervision: bool,
    },
    Extend {
        reason: String,
    },
    CoOpinion {
        unit_id: i64,
        text: String,
    },
    ToMeeting {
        reason: String,
    },
    MeetingDecision {
        decision: String,
        responsible: i64,
        assignee: i64,
    },
    Reply {
        opinion: String,
        reply: String,
        flagged: Vec<String>,
    },
    Return {
        note: String,
    },
    Close {
        note: String,
    },
    /// CAL-2: the calendar changed from `old` to the one in the facts.
    Recompute {
        old: std::sync::Arc<crate::calendar::Calendar>,
    },
}

/// The actions a complaint's state offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Offer {
    AnswerOnSpot,
    Assign,
    CoAssign,
    Classify,
    Contact,
    Extend,
    CoOpinion,
    ToMeeting,
    MeetingDecision,
    Reply,
    Return,
    Close,
}

fn source(policy: &Policy, clause: &str, spec: &RuleSpec) -> Source {
    Source {
        policy: policy.id.clone(),
        version: policy.version,
        clause: clause.into(),
        document: spec.document.clone(),
    }
}

fn rule(spec: &RuleSpec, default: Rule) -> Rule {
    spec.rule(None).unwrap_or(default)
}

impl Complaint {
    pub fn stored(d: ComplaintData) -> Complaint {
        Complaint(d)
    }
    /// Whether `unit` handles it (as lead or with the lead).
    pub fn handled_by(&self, unit: i64) -> bool {
        self.lead == Some(unit) || self.co.iter().any(|c| c.unit_id == unit)
    }
    /// The sections handling it: the lead first.
    pub fn sections(&self) -> Vec<i64> {
        self.lead.into_iter().chain(self.co.iter().map(|c| c.unit_id)).collect()
    }
}

impl Ticket for Complaint {
    const KIND: &'static str = "complaint";
    const NAME: &'static str = "吐槽找茬事项";
    type New = NewComplaint;
    type Command = Command;
    type Event = Event;
    type Error = ComplaintError;
    type Action = Offer;

    fn create(n: NewComplaint, f: &Facts) -> Result<(Complaint, Vec<Event>), ComplaintError> {
        let content = n.content.trim();
        if content.is_empty() {
            return Err(ComplaintError::NoContent);
        }
        let name = n.complainant.name.trim();
        if name.is_empty() {
            return Err(ComplaintError::NoName);
        }
        let spec = &f.policy.complaint.normal;
        let deadline = Deadline::new(
            "complaint_done",
            f.now,
            rule(spec, Rule::WorkingDays { days: 1 }),
            source(f.policy, "complaint.normal", spec),
        );
        let first_contact = if n.channel.has_first_contact() { f.by } else { None };
        let ev = Event::Received {
            channel: n.channel,
            category: n.category,
            confidential: n.confidential,
            first_contact,
            deadline: deadline.clone(),
            hotline_order: n.hotline_order.clone(),
        };
        Ok((
            Complaint(ComplaintData {
                id: 0,
                receipt_no: String::new(),
                center_id: n.center_id,
                window_id: n.window_id,
                about_unit: n.about_unit,
                channel: n.channel,
                category: n.category,
                content: content.into(),
                complainant: Complainant { name: name.into(), phone: n.complainant.phone.trim().into() },
                confidential: n.confidential,
                hotline_order: n.hotline_order,
                status: Status::Received,
                first_contact,
                registered_by: f.by,
                lead: None,
                assignee: None,
                co: vec![],
                assigned_by: None,
                contact_note: None,
                contacted_by: None,
                extension: None,
                meeting: None,
                opinion: None,
                reply: None,
                replied_by: None,
                flagged: vec![],
                on_spot: false,
                closed_by: None,
                review: None,
                deadline,
                contact_deadline: None,
                policy_id: f.policy.id.clone(),
                policy_version: f.policy.version,
                received_at: None,
                assigned_at: None,
                replied_at: None,
                closed_at: None,
            }),
            vec![ev],
        ))
    }

    fn handle(&self, cmd: Command, f: &Facts) -> Result<Vec<Event>, ComplaintError> {
        let open = || if self.status.is_open() { Ok(()) } else { Err(ComplaintError::Closed(self.status)) };
        let text = |t: &str, e: ComplaintError| {
            let t = t.trim();
            if t.is_empty() { Err(e) } else { Ok(t.to_string()) }
        };
        Ok(vec![match cmd {
            // TC-2: the first contact answers on the spot, before anyone else has it.
            Command::AnswerOnSpot { reply, flagged } => {
                if self.status != Status::Received {
                    return Err(ComplaintError::NotReceived(self.status));
                }
                if self.first_contact.is_none() || self.first_contact != f.by {
                    return Err(ComplaintError::NotFirstContact);
                }
                Event::AnsweredOnSpot { reply: text(&reply, ComplaintError::NoReply)?, flagged, by: f.by }
            }
            // TC-2, TC-3: the lead section first (its contact answers for it), then the sections
            // that handle it with the lead.
            Command::Assign { unit_id, lead, assignee, stand_in } => {
                open()?;
                if self.handled_by(unit_id) {
                    return Err(ComplaintError::AlreadyAssigned);
                }
                if lead {
                    if self.lead.is_some() {
                        return Err(ComplaintError::LeadTaken);
                    }
                    let spec = &f.policy.complaint.contact;
                    let contact_deadline = Deadline::new(
                        "complaint_contact",
                        f.now,
                        rule(spec, Rule::SameDay),
                        source(f.policy, "complaint.contact", spec),
                    );
                    Event::Assigned { unit_id, assignee, stand_in, by: f.by, contact_deadline }
                } else {
                    if self.lead.is_none() {
                        return Err(ComplaintError::LeadFirst);
                    }
                    Event::CoAssigned { unit_id, assignee, by: f.by }
                }
            }
            Command::Classify { category } => {
                open()?;
                Event::Classified { category }
            }
            // TC-4, TC-5: contacted at once — for a confidential complainant by the supervision
            // section, which relays.
            Command::Contact { note, by_supervision } => {
                if !matches!(self.status, Status::Assigned | Status::AtMeeting) {
                    return Err(ComplaintError::NotAssigned(self.status));
                }
                if self.confidential && !by_supervision {
                    return Err(ComplaintError::ConfidentialContact);
                }
                Event::Contacted { note: text(&note, ComplaintError::NoNote)?, by: f.by }
            }
            // TC-4: a complex matter gets the longer deadline, once, with the reason.
            Command::Extend { reason } => {
                open()?;
                if self.extension.is_some() {
                    return Err(ComplaintError::AlreadyExtended);
                }
                let reason = text(&reason, ComplaintError::NoReason)?;
                let spec = &f.policy.complaint.complex;
                let mut deadline = self.deadline.clone();
                deadline.rule = rule(spec, Rule::WorkingDays { days: 5 });
                deadline.source = source(f.policy, "complaint.complex", spec);
                Event::Extended { reason, deadline }
            }
            Command::CoOpinion { unit_id, text: t } => {
                if !matches!(self.status, Status::Assigned | Status::AtMeeting) {
                    return Err(ComplaintError::NotAssigned(self.status));
                }
                if !self.co.iter().any(|c| c.unit_id == unit_id) {
                    return Err(ComplaintError::NotCoSection);
                }
                Event::CoOpinion { unit_id, text: text(&t, ComplaintError::NoOpinion)?, by: f.by }
            }
            // TC-3: what no section can solve goes to the director's meeting.
            Command::ToMeeting { reason } => {
                if self.status != Status::Assigned {
                    return Err(ComplaintError::NotAssigned(self.status));
                }
                Event::ToMeeting { reason: text(&reason, ComplaintError::NoReason)?, by: f.by }
            }
            Command::MeetingDecision { decision, responsible, assignee } => {
                if self.status != Status::AtMeeting {
                    return Err(ComplaintError::NotAtMeeting(self.status));
                }
                Event::MeetingDecided {
                    decision: text(&decision, ComplaintError::NoDecision)?,
                    responsible,
                    assignee,
                    by: f.by,
                }
            }
            // TC-6: the responsible section's opinion and its reply (checked for refusal phrases
            // by the app before it gets here).
            Command::Reply { opinion, reply, flagged } => {
                if self.status != Status::Assigned {
                    return Err(ComplaintError::NotAssigned(self.status));
                }
                Event::Replied {
                    opinion: text(&opinion, ComplaintError::NoOpinion)?,
                    reply: text(&reply, ComplaintError::NoReply)?,
                    flagged,
                    by: f.by,
                }
            }
            Command::Return { note } => {
                if self.status != Status::Replied {
                    return Err(ComplaintError::NotReplied(self.status));
                }
                Event::Returned { note: text(&note, ComplaintError::NoNote)? }
            }
            // TC-7: the supervision section files it.
            Command::Close { note } => {
                if self.status != Status::Replied {
                    return Err(ComplaintError::NotReplied(self.status));
                }
                Event::Closed { note: note.trim().into(), by: f.by }
            }
            Command::Recompute { old } => {
                open()?;
                let mut d = self.deadline.clone();
                let Some((before, after)) = d.recompute(&old, f.calendar, f.now).ok().flatten() else {
                    return Ok(vec![]);
                };
                Event::DeadlineMoved { before, after, deadline: d }
            }
        }])
    }

    fn apply(&mut self, ev: &Event, at: Now) {
        let d = &mut self.0;
        match ev {
            Event::Received { deadline, .. } => {
                d.status = Status::Received;
                d.deadline = deadline.clone();
                d.received_at = Some(at);
            }
            Event::AnsweredOnSpot { reply, flagged, by } => {
                d.reply = Some(reply.clone());
                d.opinion = Some("首问责任人当场答复".into());
                d.flagged = flagged.clone();
                d.replied_by = *by;
                d.on_spot = true;
                d.status = Status::Closed;
                d.replied_at = Some(at);
                d.closed_at = Some(at);
                d.closed_by = *by;
                d.deadline.meet(at);
            }
            Event::Assigned { unit_id, assignee, by, contact_deadline, .. } => {
                d.lead = Some(*unit_id);
                d.assignee = Some(*assignee);
                d.assigned_by = *by;
                d.status = Status::Assigned;
                d.assigned_at = Some(at);
                d.contact_deadline = Some(contact_deadline.clone());
            }
            Event::CoAssigned { unit_id, assignee, .. } => {
                d.co.push(CoSection { unit_id: *unit_id, assignee: Some(*assignee), opinion: None, by: None })
            }
            Event::Classified { category } => d.category = *category,
            Event::Contacted { note, by } => {
                d.contact_note = Some(note.clone());
                d.contacted_by = *by;
                if let Some(c) = d.contact_deadline.as_mut() {
                    c.meet(at);
                }
            }
            Event::Extended { reason, deadline } => {
                d.extension = Some(reason.clone());
                d.deadline = deadline.clone();
            }
            Event::DeadlineMoved { deadline, .. } => d.deadline = deadline.clone(),
            Event::CoOpinion { unit_id, text, by } => {
                if let Some(c) = d.co.iter_mut().find(|c| c.unit_id == *unit_id) {
                    c.opinion = Some(text.clone());
                    c.by = *by;
                }
            }
            Event::ToMeeting { reason, by } => {
                d.meeting = Some(Meeting {
                    reason: reason.clone(),
                    referred_by: *by,
                    decision: None,
                    recorded_by: None,
                    responsible: None,
                });
                d.status = Status::AtMeeting;
            }
            Event::MeetingDecided { decision, responsible, assignee, by } => {
                if let Some(m) = d.meeting.as_mut() {
                    m.decision = Some(decision.clone());
                    m.recorded_by = *by;
                    m.responsible = Some(*responsible);
                }
                // The responsible section replies: it leads now; the former lead handles with it.
                if let Some(old) = d.lead.filter(|l| l != responsible) {
                    d.co.push(CoSection { unit_id: old, assignee: d.assignee, opinion: None, by: None });
                }
                d.co.retain(|c| c.unit_id != *responsible);
                d.lead = Some(*responsible);
                d.assignee = Some(*assignee);
                d.status = Status::Assigned;
            }
            Event::Replied { opinion, reply, flagged, by } => {
                d.opinion = Some(opinion.clone());
                d.reply = Some(reply.clone());
                d.flagged = flagged.clone();
                d.replied_by = *by;
                d.status = Status::Replied;
                d.replied_at = Some(at);
                d.deadline.meet(at);
                // Replying is contacting: the contact clock stops too.
                if let Some(c) = d.contact_deadline.as_mut().filter(|c| c.met_at.is_none()) {
                    c.meet(at);
                }
            }
            Event::Returned { note } => {
                d.review = Some(note.clone());
                d.status = Status::Assigned;
                d.deadline.met_at = None;
            }
            Event::Closed { note, by } => {
                if !note.is_empty() {
                    d.review = Some(note.clone());
                }
                d.status = Status::Closed;
                d.closed_by = *by;
                d.closed_at = Some(at);
            }
        }
    }

    fn event_name(ev: &Event) -> &'static str {
        ev.name()
    }

    fn offers(&self) -> Vec<Offer> {
        let mut v = match self.status {
            Status::Received => {
                let mut v = vec![Offer::Assign, Offer::Classify, Offer::Extend];
                if self.first_contact.is_some() {
                    v.insert(0, Offer::AnswerOnSpot);
                }
                v
            }
            Status::Assigned => vec![
                Offer::Reply,
                Offer::Contact,
                Offer::CoAssign,
                Offer::CoOpinion,
                Offer::Extend,
                Offer::ToMeeting,
                Offer::Classify,
            ],
            Status::AtMeeting => vec![Offer::MeetingDecision, Offer::Contact, Offer::CoOpinion],
            Status::Replied => vec![Offer::Close, Offer::Return],
            Status::Closed => vec![],
        };
        v.retain(|o| *o != Offer::Extend || self.extension.is_none());
        v.retain(|o| *o != Offer::Contact || self.contact_note.is_none());
        v.retain(|o| *o != Offer::CoOpinion || !self.co.is_empty());
        v
    }

    fn deadlines(&self) -> Vec<(&Deadline, Option<i64>)> {
        // The section's contact answers for it once assigned; before, whoever registered it.
        let owner = self.assignee.or(self.first_contact).or(self.registered_by);
        let mut v = vec![(&self.deadline, owner)];
        if let Some(c) = &self.contact_deadline {
            v.push((c, owner));
        }
        v
    }

    fn notices(&self, ev: &Event) -> Vec<Notice> {
        let r = &self.receipt_no;
        let staff = |to: i64, subject: String, body: String| Notice { to: To::Staff(to), subject, body };
        match ev {
            Event::Assigned { assignee, stand_in, .. } => {
                let note = if *stand_in { "（A 岗缺岗，由 B 岗办理）" } else { "" };
                vec![staff(
                    *assignee,
                    format!("吐槽找茬承办：{r}"),
                    format!(
                        "监督监察科分配给贵科室一件“吐槽找茬”事项（{r}，{}），请立即与诉求人联系核实，并在期限内办结回复。{note}",
                        self.category.label()
                    ),
                )]
            }
            Event::CoAssigned { assignee, .. } => vec![staff(
                *assignee,
                format!("吐槽找茬会同办理：{r}"),
                format!("“吐槽找茬”事项（{r}）由牵头科室办理，请贵科室会同办理并提出意见。"),
            )],
            Event::MeetingDecided { assignee, .. } => vec![staff(
                *assignee,
                format!("局长办公会决定由贵科室回复：{r}"),
                format!("“吐槽找茬”事项（{r}）经局长办公会研究，由贵科室负责回复诉求人。"),
            )],
            Event::Replied { reply, .. } | Event::AnsweredOnSpot { reply, .. }
                if !self.complainant.phone.is_empty() =>
            {
                vec![Notice {
                    to: To::Phone(self.complainant.phone.clone()),
                    subject: format!("您反映的问题已回复：{r}"),
                    body: format!("您反映的问题（编号 {r}）的回复：{reply}"),
                }]
            }
            _ => vec![],
        }
    }

    fn numbered(&mut self, id: i64, receipt: &str) {
        self.0.id = id;
        self.0.receipt_no = receipt.into();
    }
}

impl crate::ticket::Personal for Complaint {
    fn redacted(&self, seen: &crate::access::Seen) -> Complaint {
        let mut c = self.clone();
        c.0.complainant =
            Complainant { name: seen.name(&self.complainant.name), phone: seen.phone(&self.complainant.phone) };
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::ticket::{Stored, execute, open};
    use chrono::NaiveDate;

    fn at(s: &str) -> Now {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn policy() -> Policy {
        Policy::parse(include_str!("../../../policies/weihai-huancui.toml")).unwrap()
    }

    fn new(channel: Channel, confidential: bool) -> NewComplaint {
        NewComplaint {
            center_id: 1,
            window_id: None,
            about_unit: None,
            channel,
            category: Category::Attitude,
            content: " 窗口人员态度生硬 ".into(),
            complainant: Complainant { name: "韩梅".into(), phone: "13800000000".into() },
            confidential,
            hotline_order: None,
        }
    }

    fn run(
        c: &mut Stored<Complaint>,
        by: i64,
        now: Now,
        p: &Policy,
        cal: &Calendar,
        cmd: Command,
    ) -> Result<(), ComplaintError> {
        let d = execute(c, cmd, &Facts { by: Some(by), now, policy: p, calendar: cal })?;
        *c = Stored { id: c.id, version: c.version + 1, ticket: d.into_ticket() };
        Ok(())
    }

    /// TC-4: done in 1 working day from receipt, 5 when the supervision section grants it with a
    /// reason (once); the section contacts the complainant the same day it gets it. A Friday
    /// complaint is due on Monday; extended, on the Friday after.
    #[test]
    fn tc_4_one_working_day_five_when_extended_contact_same_day() {
        let (p, cal) = (policy(), Calendar::builtin());
        let fri = at("2026-11-27T10:00:00+08:00");
        let d = open::<Complaint>(
            new(Channel::Website, false),
            &Facts { by: Some(1), now: fri, policy: &p, calendar: &cal },
        )
        .unwrap();
        assert_eq!(d.dues()[0].due, NaiveDate::from_ymd_opt(2026, 11, 30));
        assert_eq!(d.ticket().first_contact, None, "online: the supervision section's to assign");
        let mut c = Stored { id: 1, version: 1, ticket: d.into_ticket() };
        let extend = |r: &str| Command::Extend { reason: r.into() };
        assert_eq!(run(&mut c, 2, fri, &p, &cal, extend(" ")), Err(ComplaintError::NoReason));
        run(&mut c, 2, fri, &p, &cal, extend("涉及两个科室，需调取监控")).unwrap();
        assert_eq!(c.deadline.due(&cal, fri).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 4).unwrap());
        assert_eq!(c.deadline.source.clause, "complaint.complex");
        assert_eq!(run(&mut c, 2, fri, &p, &cal, extend("再延")), Err(ComplaintError::AlreadyExtended));
        run(&mut c, 2, fri, &p, &cal, Command::Assign { unit_id: 5, lead: true, assignee: 50, stand_in: false })
            .unwrap();
        let contact = c.contact_deadline.clone().unwrap();
        assert_eq!(
            contact.due(&cal, fri).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            "立即联系: the same day"
        );
        assert_eq!(crate::ticket::dues_of(&c.ticket, &cal, fri).len(), 2);
    }

    /// TC-2, TC-3, TC-6: in person the taker is the first contact and may answer on the spot; a
    /// lead section and a co-section; the director's meeting names the section that replies; the
    /// reply closes the clocks; the supervision section files it. Each state offers only its own
    /// actions.
    #[test]
    fn tc_2_tc_3_first_contact_lead_co_meeting_reply_file() {
        let (p, cal) = (policy(), Calendar::builtin());
        let now = at("2026-11-24T10:00:00+08:00");
        let f = Facts { by: Some(7), now, policy: &p, calendar: &cal };
        let spot = open::<Complaint>(new(Channel::ComplaintWindow, false), &f).unwrap();
        assert_eq!(spot.ticket().first_contact, Some(7));
        let mut s = Stored { id: 1, version: 1, ticket: spot.into_ticket() };
        assert_eq!(s.offers()[0], Offer::AnswerOnSpot);
        let on_spot = || Command::AnswerOnSpot { reply: "已当场说明".into(), flagged: vec![] };
        assert_eq!(run(&mut s, 8, now, &p, &cal, on_spot()), Err(ComplaintError::NotFirstContact));
        run(&mut s, 7, now, &p, &cal, on_spot()).unwrap();
        assert_eq!((s.status, s.on_spot), (Status::Closed, true));
        assert!(s.deadline.met_at.is_some());

        let d = open::<Complaint>(new(Channel::Box, false), &f).unwrap();
        let mut c = Stored { id: 2, version: 1, ticket: d.into_ticket() };
        assert!(!c.offers().contains(&Offer::AnswerOnSpot), "the box has no first contact");
        let assign = |u: i64, lead: bool| Command::Assign { unit_id: u, lead, assignee: u * 10, stand_in: false };
        assert_eq!(run(&mut c, 2, now, &p, &cal, assign(6, false)), Err(ComplaintError::LeadFirst));
        run(&mut c, 2, now, &p, &cal, assign(5, true)).unwrap();
        assert_eq!(run(&mut c, 2, now, &p, &cal, assign(6, true)), Err(ComplaintError::LeadTaken));
        assert_eq!(run(&mut c, 2, now, &p, &cal, assign(5, false)), Err(ComplaintError::AlreadyAssigned));
        run(&mut c, 2, now, &p, &cal, assign(6, false)).unwrap();
        assert_eq!(c.sections(), vec![5, 6]);
        let opinion = |u: i64| Command::CoOpinion { unit_id: u, text: "同意牵头科室意见".into() };
        assert_eq!(run(&mut c, 60, now, &p, &cal, opinion(9)), Err(ComplaintError::NotCoSection));
        run(&mut c, 60, now, &p, &cal, opinion(6)).unwrap();
        run(&mut c, 50, now, &p, &cal, Command::ToMeeting { reason: "涉及编制".into() }).unwrap();
        assert_eq!(c.offers()[0], Offer::MeetingDecision);
        let reply = || Command::Reply { opinion: "已研究".into(), reply: "周六开放".into(), flagged: vec![] };
        assert_eq!(run(&mut c, 50, now, &p, &cal, reply()), Err(ComplaintError::NotAssigned(Status::AtMeeting)));
        let decide = Command::MeetingDecision { decision: "周六上午开放".into(), responsible: 6, assignee: 60 };
        run(&mut c, 3, now, &p, &cal, decide).unwrap();
        assert_eq!((c.lead, c.assignee, c.status), (Some(6), Some(60), Status::Assigned));
        assert_eq!(c.sections(), vec![6, 5], "the former lead handles it with the responsible section");
        run(&mut c, 60, now, &p, &cal, reply()).unwrap();
        assert_eq!(c.status, Status::Replied);
        assert!(c.deadline.met_at.is_some() && c.contact_deadline.as_ref().unwrap().met_at.is_some());
        assert_eq!(c.offers(), vec![Offer::Close, Offer::Return]);
        run(&mut c, 2, now, &p, &cal, Command::Return { note: "回复未说明时间".into() }).unwrap();
        assert_eq!((c.status, c.deadline.met_at), (Status::Assigned, None));
        run(&mut c, 60, now, &p, &cal, reply()).unwrap();
        run(&mut c, 2, now, &p, &cal, Command::Close { note: String::new() }).unwrap();
        assert_eq!((c.status, c.closed_by), (Status::Closed, Some(2)));
        assert_eq!(
            run(&mut c, 2, now, &p, &cal, Command::Close { note: String::new() }),
            Err(ComplaintError::NotReplied(Status::Closed))
        );
    }

    /// TC-5: a confidential complainant is contacted by the supervision section only, and no
    /// event carries the name or phone.
    #[test]
    fn tc_5_confidential_contact_and_events_without_the_person() {
        let (p, cal) = (policy(), Calendar::builtin());
        let now = at("2026-11-24T10:00:00+08:00");
        let d = open::<Complaint>(new(Channel::Wechat, true), &Facts { by: Some(2), now, policy: &p, calendar: &cal })
            .unwrap();
        let text = serde_json::to_string(d.events()).unwrap();
        assert!(!text.contains("韩梅") && !text.contains("13800000000"), "{text}");
        let mut c = Stored { id: 1, version: 1, ticket: d.into_ticket() };
        run(&mut c, 2, now, &p, &cal, Command::Assign { unit_id: 5, lead: true, assignee: 50, stand_in: false })
            .unwrap();
        let contact = |s: bool| Command::Contact { note: "已联系".into(), by_supervision: s };
        assert_eq!(run(&mut c, 50, now, &p, &cal, contact(false)), Err(ComplaintError::ConfidentialContact));
        run(&mut c, 2, now, &p, &cal, contact(true)).unwrap();
        let seen = crate::access::Seen::HIDDEN;
        let r = crate::ticket::Personal::redacted(&c.ticket, &seen);
        assert_eq!((r.complainant.name.as_str(), r.complainant.phone.as_str()), ("（保密）", "（保密）"));
    }
}
