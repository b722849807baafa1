//! FAQ-3's second half (JL 四(二), FZ 六): a suggestion from a company or a citizen — said at a
//! window, put in the opinion box (意见箱), sent online or by phone, or raised by staff — is
//! recorded, judged, and when adopted followed to the process change that carries it out: a new
//! version of an item's guide ("动态调整办事指南"), a new entry of the common-question library, or
//! a rule (以制度形式固定推广). A ticket of its own type: status, commands that return events,
//! nothing decided twice.

use crate::ticket::{Facts, Now, Ticket};
use serde::{Deserialize, Serialize};

/// Where the suggestion came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Window,
    OpinionBox,
    Online,
    Phone,
    Staff,
}

impl Source {
    pub const ALL: [Source; 5] = [Source::Window, Source::OpinionBox, Source::Online, Source::Phone, Source::Staff];
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Window => "window",
            Source::OpinionBox => "opinion_box",
            Source::Online => "online",
            Source::Phone => "phone",
            Source::Staff => "staff",
        }
    }
    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Source::Window => "窗口当面提出",
            Source::OpinionBox => "意见箱",
            Source::Online => "网上提交",
            Source::Phone => "电话",
            Source::Staff => "工作人员提出",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Recorded, waiting for the business section's judgment.
    Recorded,
    /// Adopted: a process change is owed.
    Adopted,
    /// Not adopted, with the reason (told to the person who suggested it where they left a contact).
    Declined,
    /// Carried out: the change is named.
    Done,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Recorded, Status::Adopted, Status::Declined, Status::Done];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Recorded => "recorded",
            Status::Adopted => "adopted",
            Status::Declined => "declined",
            Status::Done => "done",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::Recorded => "待研判",
            Status::Adopted => "已采纳，待落实",
            Status::Declined => "不予采纳",
            Status::Done => "已落实",
        }
    }
}

/// The process change that carried an adopted suggestion out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A new version of an item's guide (CAT-3).
    GuideVersion { item_code: String, version: i64 },
    /// A new entry of the common-question library.
    FaqEntry { faq_id: i64 },
    /// A rule or working practice, by its title or document number.
    Rule { title: String },
}

impl Change {
    /// One line for people: "办事指南 X 第 N 版".
    pub fn describe(&self) -> String {
        match self {
            Change::GuideVersion { item_code, version } => format!("办事指南 {item_code} 第 {version} 版"),
            Change::FaqEntry { faq_id } => format!("问题咨询库第 {faq_id} 条"),
            Change::Rule { title } => format!("制度：{title}"),
        }
    }
}

/// What a suggestion holds (read-only outside the domain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionData {
    pub id: i64,
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub item_code: Option<String>,
    pub case_id: Option<i64>,
    pub source: Source,
    pub text: String,
    /// How to reach the person who suggested it (may be empty: the opinion box is anonymous).
    pub contact: String,
    pub status: Status,
    pub recorded_by: i64,
    pub decided_by: Option<i64>,
    pub decision_note: Option<String>,
    pub change: Option<Change>,
    pub done_by: Option<i64>,
    /// The window it was said at, if any.
    #[serde(default)]
    pub window_id: Option<i64>,
    /// BBC-7: the unit's liaison contact it was sent to, who follows it.
    #[serde(default)]
    pub assignee: Option<i64>,
    #[serde(default)]
    pub recorded_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default)]
    pub decided_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default)]
    pub done_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Suggestion(SuggestionData);

impl std::ops::Deref for Suggestion {
    type Target = SuggestionData;
    fn deref(&self) -> &SuggestionData {
        &self.0
    }
}

/// What happened to a suggestion, as the store applies and audits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Recorded { source: Source },
    Adopted { note: String, by: Option<i64> },
    Declined { reason: String, by: Option<i64> },
    Implemented { change: Change, note: String, by: Option<i64> },
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::Recorded { .. } => "suggestion.recorded",
            Event::Adopted { .. } => "suggestion.adopted",
            Event::Declined { .. } => "suggestion.declined",
            Event::Implemented { .. } => "suggestion.implemented",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuggestionError {
    #[error("请写明意见建议的内容")]
    NoText,
    #[error("不予采纳须写明理由")]
    NoReason,
    #[error("该意见建议已研判（{}），不能再次研判", .0.label())]
    AlreadyDecided(Status),
    #[error("只有已采纳的意见建议才能登记落实情况（当前：{}）", .0.label())]
    NotAdopted(Status),
    #[error("落实情况须写明具体内容（制度名称或文号）")]
    NoChange,
}

impl SuggestionError {
    pub fn code(&self) -> &'static str {
        match self {
            SuggestionError::NoText => "text_required",
            SuggestionError::NoReason => "reason_required",
            SuggestionError::AlreadyDecided(_) => "already_decided",
            SuggestionError::NotAdopted(_) => "not_adopted",
            SuggestionError::NoChange => "change_required",
        }
    }
}

/// A suggestion as it arrives.
pub struct NewSuggestion {
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub item_code: Option<String>,
    pub case_id: Option<i64>,
    pub source: Source,
    pub text: String,
    pub contact: String,
    pub window_id: Option<i64>,
    /// BBC-7: the member of staff it is sent to (a unit's liaison contact).
    pub assignee: Option<i64>,
}

/// What can be done to a suggestion (the app checked the role and, for a change, that the guide
/// version or library entry exists).
pub enum Command {
    Adopt { note: String },
    Decline { reason: String },
    Implement { change: Change, note: String },
}

/// The actions a suggestion's state offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Offer {
    Decide,
    Implement,
}

impl Suggestion {
    /// A suggestion as the store kept it (its rows were written only through its commands).
    pub fn stored(d: SuggestionData) -> Suggestion {
        Suggestion(d)
    }
}

impl crate::ticket::Personal for Suggestion {
    /// The contact a person left reads as a phone does: in full for those who work it.
    fn redacted(&self, seen: &crate::access::Seen) -> Suggestion {
        let mut c = self.clone();
        if !c.0.contact.is_empty() && seen.phone != crate::access::Shown::Full {
            c.0.contact = match crate::validate::Phone::parse(&self.contact) {
                Ok(_) => seen.phone(&self.contact),
                Err(_) => crate::access::CONFIDENTIAL.into(),
            };
        }
        c
    }
}

impl Ticket for Suggestion {
    const KIND: &'static str = "suggestion";
    const NAME: &'static str = "意见建议";
    type New = NewSuggestion;
    type Command = Command;
    type Event = Event;
    type Error = SuggestionError;
    type Action = Offer;

    fn create(n: NewSuggestion, f: &Facts) -> Result<(Suggestion, Vec<Event>), SuggestionError> {
        let text = n.text.trim();
        if text.is_empty() {
            return Err(SuggestionError::NoText);
        }
        Ok((
            Suggestion(SuggestionData {
                id: 0,
                center_id: n.center_id,
                unit_id: n.unit_id,
                item_code: n.item_code,
                case_id: n.case_id,
                source: n.source,
                text: text.into(),
                contact: n.contact.trim().into(),
                status: Status::Recorded,
                recorded_by: f.by.unwrap_or(0),
                decided_by: None,
                decision_note: None,
                change: None,
                done_by: None,
                window_id: n.window_id,
                assignee: n.assignee,
                recorded_at: None,
                decided_at: None,
                done_at: None,
            }),
            vec![Event::Recorded { source: n.source }],
        ))
    }

    fn handle(&self, cmd: Command, f: &Facts) -> Result<Vec<Event>, SuggestionError> {
        let judge = || match self.status {
            Status::Recorded => Ok(()),
            s => Err(SuggestionError::AlreadyDecided(s)),
        };
        Ok(vec![match cmd {
            // Adopted: a change is now owed.
            Command::Adopt { note } => {
                judge()?;
                Event::Adopted { note: note.trim().into(), by: f.by }
            }
            // Not adopted — never without a reason.
            Command::Decline { reason } => {
                judge()?;
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(SuggestionError::NoReason);
                }
                Event::Declined { reason: reason.into(), by: f.by }
            }
            // Carried out by a named change.
            Command::Implement { change, note } => {
                if self.status != Status::Adopted {
                    return Err(SuggestionError::NotAdopted(self.status));
                }
                if let Change::Rule { title } = &change
                    && title.trim().is_empty()
                {
                    return Err(SuggestionError::NoChange);
                }
                Event::Implemented { change, note: note.trim().into(), by: f.by }
            }
        }])
    }

    fn apply(&mut self, ev: &Event, at: Now) {
        let d = &mut self.0;
        match ev {
            Event::Recorded { .. } => {
                d.status = Status::Recorded;
                d.recorded_at = Some(at);
            }
            Event::Adopted { note, by } => {
                d.status = Status::Adopted;
                d.decided_by = *by;
                d.decision_note = Some(note.clone());
                d.decided_at = Some(at);
            }
            Event::Declined { reason, by } => {
                d.status = Status::Declined;
                d.decided_by = *by;
                d.decision_note = Some(reason.clone());
                d.decided_at = Some(at);
            }
            Event::Implemented { change, by, .. } => {
                d.status = Status::Done;
                d.change = Some(change.clone());
                d.done_by = *by;
                d.done_at = Some(at);
            }
        }
    }

    fn event_name(ev: &Event) -> &'static str {
        ev.name()
    }

    fn offers(&self) -> Vec<Offer> {
        match self.status {
            Status::Recorded => vec![Offer::Decide],
            Status::Adopted => vec![Offer::Implement],
            Status::Declined | Status::Done => vec![],
        }
    }

    fn deadlines(&self) -> Vec<(&crate::deadline::Deadline, Option<i64>)> {
        vec![]
    }

    /// BBC-7: a process improvement sent to a unit's contact tells them.
    fn notices(&self, ev: &Event) -> Vec<crate::ticket::Notice> {
        match (ev, self.assignee) {
            (Event::Recorded { .. }, Some(to)) => vec![crate::ticket::Notice {
                to: crate::ticket::To::Staff(to),
                subject: "流程改进建议".into(),
                body: format!("请贵单位跟踪落实：{}", self.text),
            }],
            _ => vec![],
        }
    }

    fn numbered(&mut self, id: i64, _receipt: &str) {
        self.0.id = id;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::ticket::{Stored, execute, open};

    fn facts<'a>(p: &'a crate::policy::Policy, cal: &'a Calendar) -> Facts<'a> {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-24T10:00:00+08:00").unwrap();
        Facts { by: Some(9), now, policy: p, calendar: cal }
    }

    fn new(text: &str) -> NewSuggestion {
        NewSuggestion {
            center_id: 1,
            unit_id: Some(2),
            item_code: Some("X".into()),
            case_id: None,
            source: Source::OpinionBox,
            text: text.into(),
            contact: String::new(),
            window_id: None,
            assignee: None,
        }
    }

    /// FAQ-3: judged once, followed to a change; each command gives its event, applied to a copy.
    #[test]
    fn faq_3_suggestion_is_judged_once_and_followed_to_a_change() {
        let p = crate::policy::Policy::parse(include_str!("../../../policies/weihai-huancui.toml")).unwrap();
        let cal = Calendar::builtin();
        let f = facts(&p, &cal);
        let d = open::<Suggestion>(new(" 建议把营业执照变更的表格放到网上 "), &f).unwrap();
        assert_eq!(d.ticket().text, "建议把营业执照变更的表格放到网上");
        assert_eq!(d.names(), vec!["suggestion.recorded"]);
        assert_eq!(d.ticket().recorded_at, Some(f.now));
        let mut s = Stored { id: 1, version: 1, ticket: d.into_ticket() };
        let step = |s: &mut Stored<Suggestion>, c: Command| -> Result<(), SuggestionError> {
            let d = execute(s, c, &f)?;
            *s = Stored { id: s.id, version: s.version + 1, ticket: d.into_ticket() };
            Ok(())
        };
        assert_eq!(step(&mut s, Command::Decline { reason: "  ".into() }), Err(SuggestionError::NoReason));
        assert_eq!(s.status, Status::Recorded);
        assert_eq!(s.offers(), vec![Offer::Decide]);
        let change = Change::GuideVersion { item_code: "X".into(), version: 3 };
        let implement = |c: &Change| Command::Implement { change: c.clone(), note: String::new() };
        assert_eq!(step(&mut s, implement(&change)), Err(SuggestionError::NotAdopted(Status::Recorded)));
        step(&mut s, Command::Adopt { note: "可行".into() }).unwrap();
        assert_eq!((s.status, s.decided_by), (Status::Adopted, Some(9)));
        assert_eq!(
            step(&mut s, Command::Adopt { note: "again".into() }),
            Err(SuggestionError::AlreadyDecided(Status::Adopted))
        );
        assert_eq!(
            step(&mut s, Command::Decline { reason: "x".into() }),
            Err(SuggestionError::AlreadyDecided(Status::Adopted))
        );
        assert_eq!(step(&mut s, implement(&Change::Rule { title: " ".into() })), Err(SuggestionError::NoChange));
        step(&mut s, implement(&change)).unwrap();
        assert_eq!((s.status, s.change.clone()), (Status::Done, Some(change)));
        assert!(s.offers().is_empty(), "nothing is offered once done");
        assert_eq!(
            step(&mut s, implement(&Change::FaqEntry { faq_id: 1 })),
            Err(SuggestionError::NotAdopted(Status::Done))
        );
        assert!(open::<Suggestion>(new("   "), &f).is_err());
    }
}
