//! FAQ-3's second half (JL 四(二), FZ 六): a suggestion from a company or a citizen — said at a
//! window, put in the opinion box (意见箱), sent online or by phone, or raised by staff — is
//! recorded, judged, and when adopted followed to the process change that carries it out: a new
//! version of an item's guide ("动态调整办事指南"), a new entry of the common-question library, or
//! a rule (以制度形式固定推广). A ticket of its own type: status, commands that return events,
//! nothing decided twice.

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
}

#[derive(Debug, Clone, PartialEq, Eq)]
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
    Recorded,
    Adopted { note: String },
    Declined { reason: String },
    Implemented { change: Change, note: String },
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::Recorded => "suggestion.recorded",
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
}

impl Suggestion {
    pub fn record(n: NewSuggestion, by: i64) -> Result<(Suggestion, Event), SuggestionError> {
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
                recorded_by: by,
                decided_by: None,
                decision_note: None,
                change: None,
                done_by: None,
            }),
            Event::Recorded,
        ))
    }

    /// A suggestion as the store kept it (its rows were written only through these methods).
    pub fn stored(d: SuggestionData) -> Suggestion {
        Suggestion(d)
    }

    pub fn numbered(mut self, id: i64) -> Suggestion {
        self.0.id = id;
        self
    }

    fn judge(&mut self) -> Result<(), SuggestionError> {
        match self.status {
            Status::Recorded => Ok(()),
            s => Err(SuggestionError::AlreadyDecided(s)),
        }
    }

    /// Adopted: a change is now owed (the caller checked the role).
    pub fn adopt(&mut self, by: i64, note: &str) -> Result<Event, SuggestionError> {
        self.judge()?;
        self.0.status = Status::Adopted;
        self.0.decided_by = Some(by);
        self.0.decision_note = Some(note.trim().into());
        Ok(Event::Adopted { note: note.trim().into() })
    }

    /// Not adopted — never without a reason.
    pub fn decline(&mut self, by: i64, reason: &str) -> Result<Event, SuggestionError> {
        self.judge()?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(SuggestionError::NoReason);
        }
        self.0.status = Status::Declined;
        self.0.decided_by = Some(by);
        self.0.decision_note = Some(reason.into());
        Ok(Event::Declined { reason: reason.into() })
    }

    /// Carried out by a named change (the caller checked that the guide version or entry exists).
    pub fn implement(&mut self, by: i64, change: Change, note: &str) -> Result<Event, SuggestionError> {
        if self.status != Status::Adopted {
            return Err(SuggestionError::NotAdopted(self.status));
        }
        if let Change::Rule { title } = &change
            && title.trim().is_empty()
        {
            return Err(SuggestionError::NoChange);
        }
        self.0.status = Status::Done;
        self.0.change = Some(change.clone());
        self.0.done_by = Some(by);
        Ok(Event::Implemented { change, note: note.trim().into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(text: &str) -> Result<(Suggestion, Event), SuggestionError> {
        Suggestion::record(
            NewSuggestion {
                center_id: 1,
                unit_id: Some(2),
                item_code: Some("X".into()),
                case_id: None,
                source: Source::OpinionBox,
                text: text.into(),
                contact: String::new(),
            },
            7,
        )
    }

    #[test]
    fn faq_3_suggestion_is_judged_once_and_followed_to_a_change() {
        let mut s = record(" 建议把营业执照变更的表格放到网上 ").unwrap().0;
        assert_eq!(s.text, "建议把营业执照变更的表格放到网上");
        assert_eq!(s.decline(9, "  "), Err(SuggestionError::NoReason));
        assert_eq!(s.status, Status::Recorded);
        let change = Change::GuideVersion { item_code: "X".into(), version: 3 };
        assert_eq!(s.implement(9, change.clone(), ""), Err(SuggestionError::NotAdopted(Status::Recorded)));
        assert!(matches!(s.adopt(9, "可行"), Ok(Event::Adopted { .. })));
        assert_eq!(s.adopt(9, "again"), Err(SuggestionError::AlreadyDecided(Status::Adopted)));
        assert_eq!(s.decline(9, "x"), Err(SuggestionError::AlreadyDecided(Status::Adopted)));
        assert_eq!(s.implement(9, Change::Rule { title: " ".into() }, ""), Err(SuggestionError::NoChange));
        assert!(matches!(s.implement(9, change.clone(), "已更新"), Ok(Event::Implemented { .. })));
        assert_eq!(s.status, Status::Done);
        assert_eq!(s.change, Some(change));
        assert_eq!(s.implement(9, Change::FaqEntry { faq_id: 1 }, ""), Err(SuggestionError::NotAdopted(Status::Done)));
        assert!(
            Suggestion::record(
                NewSuggestion {
                    center_id: 1,
                    unit_id: None,
                    item_code: None,
                    case_id: None,
                    source: Source::Window,
                    text: "   ".into(),
                    contact: String::new(),
                },
                1
            )
            .is_err()
        );
    }
}
