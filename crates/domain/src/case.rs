//! Cases and the veto (NV-1 … NV-9): the window has no veto.
//!
//! Invariant 1 (DESIGN): a case reaches `Closed(Vetoed)` only through [`Case::close_vetoed`],
//! which takes an [`ApprovedVeto`]. That value has a private field, so only
//! [`VetoRequest::approved`] can make one, and it does so only when every level the policy named
//! has approved in turn. No route, page, job or import can close a case as vetoed otherwise.

use crate::access::DecisionLevel;
use crate::deadline::{Deadline, Rule, Source};
use crate::policy::Policy;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Application,
    Consultation,
}

impl Kind {
    /// The stored name (`application`, `consultation`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Application => "application",
            Kind::Consultation => "consultation",
        }
    }
    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Application => "申请",
            Kind::Consultation => "咨询",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Window,
    Online,
    Phone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approved,
    Answered,
    Withdrawn,
    Referred,
    Vetoed,
    /// 依法不需办理许可 (WH 一(一)2): the matter needs no permit — with its legal basis, on the
    /// window head's authority.
    NotRequired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Received,
    Notified,
    Accepted,
    AcceptedWithDeficiency,
    Escalated,
    VetoPending,
    /// Every level approved the veto: the window closes the case and hands over the written
    /// refusal (不予受理/不予许可通知书).
    VetoApproved,
    /// A warm handoff waits for the receiver (NV-3): the first contact keeps it until then.
    HandoffPending,
    /// Nobody at the window knows whose it is (NV-3): the window head or hall manager places it.
    Unplaced,
    Closed,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Received,
        Status::Notified,
        Status::Accepted,
        Status::AcceptedWithDeficiency,
        Status::Escalated,
        Status::VetoPending,
        Status::VetoApproved,
        Status::HandoffPending,
        Status::Unplaced,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Notified => "notified",
            Status::Accepted => "accepted",
            Status::AcceptedWithDeficiency => "accepted_with_deficiency",
            Status::Escalated => "escalated",
            Status::VetoPending => "veto_pending",
            Status::VetoApproved => "veto_approved",
            Status::HandoffPending => "handoff_pending",
            Status::Unplaced => "unplaced",
            Status::Closed => "closed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::Received => "已接件",
            Status::Notified => "已一次性告知",
            Status::Accepted => "已受理",
            Status::AcceptedWithDeficiency => "容缺受理（待补正）",
            Status::Escalated => "请示中",
            Status::VetoPending => "否决报批中",
            Status::VetoApproved => "否决已批准（待出具通知书）",
            Status::HandoffPending => "转交待接收",
            Status::Unplaced => "归属不明，待分办",
            Status::Closed => "已办结",
        }
    }
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Approved => "已办结（准予）",
            Outcome::Answered => "已答复",
            Outcome::Withdrawn => "申请人撤回",
            Outcome::Referred => "已指引",
            Outcome::Vetoed => "经批准否决",
            Outcome::NotRequired => "依法无需办理许可",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub name: String,
    #[serde(default)]
    pub org: Option<String>,
    pub phone: String,
    /// The person's identity document (证件类型 and 证件号码), checked when it was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_doc: Option<IdDocument>,
    /// A company's 统一社会信用代码, checked when it was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
}

impl Applicant {
    pub fn new(name: impl Into<String>, org: Option<String>, phone: impl Into<String>) -> Applicant {
        Applicant { name: name.into(), org, phone: phone.into(), id_doc: None, credit_code: None }
    }
}

/// 证件类型: the identity documents a hall takes at its counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// 居民身份证
    IdCard,
    /// 港澳台居民居住证
    ResidencePermit,
    /// 港澳居民来往内地通行证
    HkMacaoPermit,
    /// 台湾居民来往大陆通行证
    TaiwanPermit,
    /// 外国人永久居留身份证
    ForeignPermanent,
    /// 护照
    Passport,
}

impl IdKind {
    pub const ALL: [IdKind; 6] = [
        IdKind::IdCard,
        IdKind::ResidencePermit,
        IdKind::HkMacaoPermit,
        IdKind::TaiwanPermit,
        IdKind::ForeignPermanent,
        IdKind::Passport,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::IdCard => "id_card",
            IdKind::ResidencePermit => "residence_permit",
            IdKind::HkMacaoPermit => "hk_macao_permit",
            IdKind::TaiwanPermit => "taiwan_permit",
            IdKind::ForeignPermanent => "foreign_permanent",
            IdKind::Passport => "passport",
        }
    }
    pub fn parse(s: &str) -> Option<IdKind> {
        IdKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
    pub fn label(self) -> &'static str {
        match self {
            IdKind::IdCard => "居民身份证",
            IdKind::ResidencePermit => "港澳台居民居住证",
            IdKind::HkMacaoPermit => "港澳居民来往内地通行证",
            IdKind::TaiwanPermit => "台湾居民来往大陆通行证",
            IdKind::ForeignPermanent => "外国人永久居留身份证",
            IdKind::Passport => "护照",
        }
    }
}

/// An identity document: its kind and its number as checked (upper case, no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdDocument {
    pub kind: IdKind,
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Missing {
    pub material: String,
    pub how_to_fix: String,
}

/// 指引 (NV-3): where the person is sent — a unit (and window) of the system, or an outside
/// body with its name, address and phone — and how. The names are kept as they were when the
/// slip was written, for the slip, the timeline and the person following the matter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub to_unit_id: Option<i64>,
    pub to_window_id: Option<i64>,
    /// The center of the receiving unit or window.
    #[serde(default)]
    pub to_center_id: Option<i64>,
    #[serde(default)]
    pub to_unit_name: Option<String>,
    #[serde(default)]
    pub to_window_name: Option<String>,
    #[serde(default)]
    pub to_center_name: Option<String>,
    /// An outside body (not stationed at any center), by name; `address` and `contact` then
    /// say where it is and its phone.
    #[serde(default)]
    pub to_body: Option<String>,
    pub address: String,
    pub contact: String,
    pub how: String,
    pub handoff: bool,
    pub acknowledged_by: Option<i64>,
    /// The case is an application for an item this window's unit handles (set by the domain).
    #[serde(default)]
    pub of_own_item: bool,
}

impl Referral {
    /// Where to go, in one line: the body, or center · unit · window as far as named.
    pub fn target_name(&self) -> String {
        if let Some(b) = self.to_body.as_deref().filter(|b| !b.trim().is_empty()) {
            return b.to_string();
        }
        [&self.to_center_name, &self.to_unit_name, &self.to_window_name]
            .iter()
            .filter_map(|x| x.as_deref())
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// The units that handle a case's item: the catalog's own unit and those at other centers that
/// handle the same item (属地办理), each with its center. Empty when the case names no item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handlers {
    pub units: Vec<(i64, i64)>,
}

impl Handlers {
    pub fn handles(&self, unit: Option<i64>) -> bool {
        unit.is_some_and(|u| self.units.iter().any(|(x, _)| *x == u))
    }
}

/// A material handed in at acceptance (受理通知书 / 收件凭证): original or copy, how many copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Received {
    pub material: String,
    /// 原件 (true) or 复印件 (false).
    pub original: bool,
    pub copies: u32,
}

/// NV-2: a change of the matter's kind. An application becomes a consultation only with the
/// window head's confirmation (`confirmed_by`, never the one who asked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindChange {
    pub from: Kind,
    pub to: Kind,
    pub reason: String,
    pub requested_by: i64,
    pub confirmed_by: Option<i64>,
    pub at: DateTime<FixedOffset>,
}

/// NV-7: a reply deadline moved past the date the applicant was promised, with the reason
/// (shown to the applicant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyExtended {
    pub to: chrono::NaiveDate,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseData {
    pub receipt_no: String,
    pub kind: Kind,
    pub channel: Channel,
    pub item_code: Option<String>,
    /// The catalog version of the item when the case was opened (CAT-3).
    #[serde(default)]
    pub item_version: Option<i64>,
    pub applicant: Applicant,
    pub request: String,
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub first_contact_id: i64,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub policy_id: String,
    pub policy_version: u32,
    pub opened_at: DateTime<FixedOffset>,
    pub closed_at: Option<DateTime<FixedOffset>>,
    /// How many times the applicant had to come (跑动次数).
    pub visits: u32,
    /// Every item any one-time notice has listed so far.
    pub notified: Vec<Missing>,
    pub deficiency: Vec<Missing>,
    pub commitment_signed: bool,
    pub referral: Option<Referral>,
    pub veto_request_id: Option<i64>,
    /// The state to return to when an escalation is answered or a veto request denied.
    pub resume_status: Option<Status>,
    pub deadlines: Vec<Deadline>,
    /// NV-10: the units a cross-unit matter involves, and the one that leads.
    #[serde(default)]
    pub cross_units: Vec<i64>,
    #[serde(default)]
    pub lead_unit_id: Option<i64>,
    /// NV-10: joint consultations (会商) held on this case.
    #[serde(default)]
    pub consultations: Vec<JointConsultation>,
    /// NV-11: assisted or proxy handling (帮办代办).
    #[serde(default)]
    pub assistance: Vec<Assistance>,
    /// NV-3: the receiving unit's own case, once it accepted this one's warm handoff.
    #[serde(default)]
    pub linked_case_id: Option<i64>,
    /// NV-3: the case whose warm handoff this one was opened from.
    #[serde(default)]
    pub linked_from: Option<i64>,
    /// NV-4: a later notice that would add materials, waiting for the window head.
    #[serde(default)]
    pub growth_request: Option<GrowthRequest>,
    /// How the case ended (the one list in `ending.rs`), set by the method that closed it.
    #[serde(default)]
    pub ended: Option<crate::ending::Ending>,
    /// NV-2: every change of kind made (an application became a consultation only with the
    /// window head's confirmation).
    #[serde(default)]
    pub kind_changes: Vec<KindChange>,
    /// NV-2: a clerk's request to make an application a consultation, waiting for the head.
    #[serde(default)]
    pub kind_request: Option<KindChange>,
    /// The materials handed in at acceptance (受理通知书).
    #[serde(default)]
    pub received: Vec<Received>,
    /// NV-7: the reply date the applicant was promised when the matter was first escalated.
    #[serde(default)]
    pub reply_promised: Option<chrono::NaiveDate>,
    /// NV-7: the reply moved past that date, with the recorded reason.
    #[serde(default)]
    pub reply_extended: Option<ReplyExtended>,
    /// NV-1 to the end: the back-office stages the item names, laid out at acceptance, each with
    /// its share of the promised time, who finished it and when.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
}

/// NV-1 (JL 三(一)): a back-office stage an item names (受理 → 审查 → 决定 → 制证 → 送达), with the
/// unit responsible for it (none: the item's own) and its share of the promised time in percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StagePlan {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<i64>,
    pub share: u32,
}

/// Why a list of stages cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StagePlanError {
    #[error("办理阶段最多 12 个")]
    TooMany,
    #[error("第 {0} 个阶段没有名称")]
    Unnamed(usize),
    #[error("阶段名称“{0}”重复")]
    Duplicate(String),
    #[error("第 {0} 个阶段的时限占比须在 1% 到 100% 之间")]
    Share(usize),
    #[error("各阶段的时限占比合计须为 100%，现为 {0}%")]
    Total(u32),
}

/// Where the deadlines an item sets come from: its promised time limit and its stages' shares.
pub const ITEM_SOURCES: [&str; 2] = ["事项承诺时限（办事指南）", "事项办理阶段（办事指南）"];

/// NV-1: the deadline key of stage `n` (`stage#n`), and the stage a deadline key names (a stored
/// deadline row's key may carry a further `#i`).
pub fn stage_key(n: usize) -> String {
    format!("stage#{n}")
}

pub fn stage_of(what: &str) -> Option<usize> {
    what.strip_prefix("stage#")?.split('#').next()?.parse().ok()
}

/// The deadlines whose clock stops while the applicant supplements after acceptance: the
/// promised time limit and the stages' (补正期间不计入承诺时限).
fn runs_with_promise(what: &str) -> bool {
    what == "promised_time_limit" || what.starts_with("stage#")
}

/// NV-1: stages are named once each, at most twelve, and share the whole promised time.
pub fn check_stages(plans: &[StagePlan]) -> Result<(), StagePlanError> {
    if plans.len() > 12 {
        return Err(StagePlanError::TooMany);
    }
    for (n, p) in plans.iter().enumerate() {
        if p.name.trim().is_empty() {
            return Err(StagePlanError::Unnamed(n + 1));
        }
        if plans[..n].iter().any(|q| q.name == p.name) {
            return Err(StagePlanError::Duplicate(p.name.clone()));
        }
        if !(1..=100).contains(&p.share) {
            return Err(StagePlanError::Share(n + 1));
        }
    }
    let total: u32 = plans.iter().map(|p| p.share).sum();
    if !plans.is_empty() && total != 100 {
        return Err(StagePlanError::Total(total));
    }
    Ok(())
}

/// NV-1: a stage of one case. Its deadline (`stage#n`) falls `due_days` working days after
/// acceptance — the stages' shares added up, so one late stage does not push the others back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<i64>,
    pub share: u32,
    pub due_days: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_by: Option<i64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Stage {
    /// Where the stage stands: `done`, `current` or `waiting`.
    pub fn state(&self) -> &'static str {
        match (self.started_at, self.done_at) {
            (_, Some(_)) => "done",
            (Some(_), None) => "current",
            _ => "waiting",
        }
    }
}

/// The working days after acceptance by which each stage is due: the shares added up, rounded
/// up, the last one at the whole promised time.
pub fn stage_days(plans: &[StagePlan], limit: u32) -> Vec<u32> {
    let mut cum = 0u32;
    plans
        .iter()
        .enumerate()
        .map(|(n, p)| {
            cum += p.share;
            if n + 1 == plans.len() { limit } else { (limit * cum).div_ceil(100).min(limit) }
        })
        .collect()
}

/// NV-4: a clerk's request that the window head let a later one-time notice add materials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrowthRequest {
    pub missing: Vec<Missing>,
    pub reason: String,
    pub requested_by: i64,
    pub at: DateTime<FixedOffset>,
}

/// A case. Everyone reads its fields (through `Deref` to [`CaseData`]); only this module's
/// methods change them — each returns the [`Event`] the change is recorded as — so no adapter,
/// application function or store code can set a status, an outcome or a deadline by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Case(CaseData);

impl std::ops::Deref for Case {
    type Target = CaseData;
    fn deref(&self) -> &CaseData {
        &self.0
    }
}

/// A meeting that decided a matter collectively (集体研究).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// Names and posts of those present.
    pub participants: Vec<String>,
    pub conclusion: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JointConsultation {
    pub at: DateTime<FixedOffset>,
    pub unit_ids: Vec<i64>,
    pub participants: Vec<String>,
    pub conclusion: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssistKind {
    /// 帮办: staff guide the applicant through it.
    Assisted,
    /// 代办: staff handle it for the applicant.
    Proxy,
    /// 上门: at the applicant's home.
    HomeVisit,
    /// 网上: staff help with the online application.
    Online,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssistFor {
    KeyProject,
    Elderly,
    Sick,
    Disabled,
    Pregnant,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assistance {
    pub at: DateTime<FixedOffset>,
    pub kind: AssistKind,
    pub reason: AssistFor,
    pub helper_id: i64,
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("办件已办结，不能再操作")]
    Closed,
    #[error("当前状态（{0}）下不能进行此操作")]
    WrongState(&'static str),
    #[error("窗口无否决权：否决须先提出否决报批，经批准后方可以“否决”办结")]
    VetoRequired,
    #[error("该否决报批不属于本办件")]
    VetoMismatch,
    #[error("一次性告知不得新增材料：新增的“{0}”须经窗口负责人批准")]
    NoticeGrowth(String),
    #[error("一次性告知至少列出一项材料")]
    EmptyNotice,
    #[error("该事项不允许容缺受理")]
    DeficiencyNotAllowed,
    #[error("容缺受理须申请人签署承诺书")]
    CommitmentMissing,
    #[error("容缺受理要求主件齐全：“{0}”是主件")]
    MainMaterialMissing(String),
    #[error("该事项不适用告知承诺制")]
    CommitmentNotAllowed,
    #[error("容缺材料补齐前不能办结")]
    SupplementPending,
    #[error("只有已受理的申请才能以“准予”办结")]
    NotAccepted,
    #[error("请使用否决报批流程")]
    UseVetoRequest,
    #[error("跨部门事项须先由牵头单位组织会商，会商结论记录后方可提出否决")]
    ConsultationRequired,
    #[error("牵头单位须是参与单位之一")]
    LeadNotInvolved,
    #[error("该办件没有待确认的转交")]
    NoHandoff,
    #[error("“依法无需办理”须写明法律依据，并由窗口负责人确认")]
    NotRequiredNeedsBasis,
    #[error(
        "本单位办理该事项，只能指引到本单位的其他窗口，或其他中心办理该事项的单位：请受理，材料不全的出具一次性告知，确实办不了的提出否决报批"
    )]
    ReferralOfOwnMatter,
    #[error("指引须写明去处：选择接收单位（和窗口），或填写外部机构的名称、地址和联系电话")]
    ReferralTargetRequired,
    #[error("转交只能交给办理该事项的单位；不清楚由谁办理的，请交窗口负责人、大厅负责人或综合咨询台分办")]
    HandoffToNonHandler,
    #[error("“已解答”只用于咨询：申请须受理办结、指引、经批准否决，或由申请人书面撤回")]
    AnsweredIsForConsultations,
    #[error("以“撤回”办结须有申请人书面撤回申请并经窗口负责人确认：请先登记撤回申请")]
    WithdrawalRequired,
    #[error("该撤回申请不属于本办件，或尚未经窗口负责人确认")]
    WithdrawalMismatch,
    #[error("已确认接收")]
    AlreadyAcknowledged,
    #[error("集体研究的答复须记录会议：参会人员（至少两人）和会议结论")]
    MeetingRequired,
    #[error("请写明新增告知材料的理由（不同意的，写明理由）")]
    GrowthReasonRequired,
    #[error("已有一项新增告知材料的申请等待窗口负责人审批")]
    GrowthPending,
    #[error("该办件没有待审批的新增告知材料申请")]
    NoGrowthRequest,
    #[error("新增告知材料的申请须由另一位窗口负责人审批")]
    GrowthSelfDecision,
    #[error("改变办件类型须写明理由")]
    KindReasonRequired,
    #[error("已有一项改为咨询的申请等待窗口负责人确认")]
    KindRequestPending,
    #[error("该办件没有待确认的类型更正")]
    NoKindRequest,
    #[error("申请改为咨询须由另一位窗口负责人确认")]
    KindSelfDecision,
    #[error("不同意更正类型的，请写明理由")]
    KindOpinionRequired,
    #[error("办件已是该类型")]
    KindUnchanged,
    #[error("{0}")]
    Calendar(String),
    #[error("该事项还有办理阶段未完成（现为“{0}”），请逐个阶段完成后办结")]
    StagesPending(String),
    #[error("该办件没有待完成的办理阶段")]
    NoStage,
    #[error("容缺材料补齐前，不能完成最后一个办理阶段")]
    LastStageNeedsSupplement,
}

impl CaseError {
    pub fn code(&self) -> &'static str {
        match self {
            CaseError::Closed => "case_closed",
            CaseError::WrongState(_) => "wrong_state",
            CaseError::VetoRequired => "veto_required",
            CaseError::VetoMismatch => "veto_mismatch",
            CaseError::NoticeGrowth(_) => "notice_growth_needs_approval",
            CaseError::EmptyNotice => "empty_notice",
            CaseError::DeficiencyNotAllowed => "deficiency_not_allowed",
            CaseError::CommitmentMissing => "commitment_missing",
            CaseError::MainMaterialMissing(_) => "main_material_missing",
            CaseError::CommitmentNotAllowed => "commitment_not_allowed",
            CaseError::SupplementPending => "supplement_pending",
            CaseError::NotAccepted => "not_accepted",
            CaseError::UseVetoRequest => "use_veto_request",
            CaseError::ConsultationRequired => "consultation_required",
            CaseError::LeadNotInvolved => "lead_not_involved",
            CaseError::NoHandoff => "no_handoff",
            CaseError::NotRequiredNeedsBasis => "legal_basis_required",
            CaseError::ReferralOfOwnMatter => "referral_of_own_matter",
            CaseError::ReferralTargetRequired => "referral_target_required",
            CaseError::HandoffToNonHandler => "handoff_to_non_handler",
            CaseError::KindRequestPending => "kind_request_pending",
            CaseError::NoKindRequest => "no_kind_request",
            CaseError::KindSelfDecision => "self_decision",
            CaseError::KindOpinionRequired => "reason_required",
            CaseError::AnsweredIsForConsultations => "answered_is_for_consultations",
            CaseError::WithdrawalRequired => "withdrawal_required",
            CaseError::WithdrawalMismatch => "withdrawal_mismatch",
            CaseError::MeetingRequired => "meeting_required",
            CaseError::GrowthReasonRequired => "reason_required",
            CaseError::GrowthPending => "growth_pending",
            CaseError::NoGrowthRequest => "no_growth_request",
            CaseError::GrowthSelfDecision => "self_decision",
            CaseError::KindReasonRequired => "reason_required",
            CaseError::KindUnchanged => "kind_unchanged",
            CaseError::AlreadyAcknowledged => "already_acknowledged",
            CaseError::Calendar(_) => "calendar_not_covered",
            CaseError::StagesPending(_) => "stages_pending",
            CaseError::NoStage => "no_stage",
            CaseError::LastStageNeedsSupplement => "supplement_pending",
        }
    }
}

/// One entry of a case's timeline: what happened, typed. Stored as its `kind` and the JSON of
/// its fields (`detail`); the store writes one audit entry for each.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Event {
    Received {
        receipt_no: String,
        policy: String,
    },
    Accepted {
        /// Materials asked for after acceptance arrived and the promised time limit runs again.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        resumed: bool,
        /// What was handed in (受理通知书 / 收件凭证).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        received: Vec<Received>,
    },
    Referred(Referral),
    /// NV-3: the window asked its head or the hall manager to place the matter.
    PlacementAsked {
        question: String,
    },
    /// NV-3: placed at this window.
    Placed {
        here: bool,
    },
    HandoffAcknowledged {
        by: i64,
        /// The receiving unit's own case that carries the matter on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        linked_case_id: Option<i64>,
    },
    Notice {
        missing: Vec<Missing>,
        growth_approved: bool,
        clock_paused: bool,
    },
    /// NV-4: the clerk asked the window head to let a later notice add materials.
    GrowthRequested {
        missing: Vec<Missing>,
        reason: String,
    },
    /// NV-4: the window head did not let the notice grow, with the reason.
    GrowthDenied {
        opinion: String,
    },
    /// NV-2: the matter was recorded as the wrong kind (an application taken for a question, or
    /// the reverse); shown on the timeline, audited, and counted beside the vetoes when an
    /// application becomes a consultation.
    KindChanged {
        from: Kind,
        to: Kind,
        reason: String,
        /// The window head who confirmed it (an application made a consultation).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirmed_by: Option<i64>,
    },
    /// NV-2: the clerk asked the window head to make an application a consultation.
    KindChangeRequested {
        to: Kind,
        reason: String,
    },
    /// NV-2: the window head kept it an application, with the reason.
    KindChangeDenied {
        opinion: String,
    },
    AcceptedWithDeficiency {
        missing: Vec<Missing>,
    },
    SupplementReceived {},
    ApprovedByCommitment {
        commitment: String,
    },
    Escalated {
        level: DecisionLevel,
        reason: String,
        /// The reply's due day.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<chrono::NaiveDate>,
        /// Why the reply now falls after the date the applicant was promised.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        beyond_promise: Option<String>,
    },
    EscalationAnswered {
        answer: String,
        /// At the collective level (集体研究): the meeting that decided.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        meeting: Option<Meeting>,
    },
    VetoRequested {
        veto_request_id: i64,
    },
    VetoDecision {
        veto_request_id: i64,
        status: VetoStatus,
        /// The level that just decided, whether on behalf of the level below (代行), and its
        /// opinion: the timeline's sentence says who judged what.
        level: Option<DecisionLevel>,
        on_behalf: bool,
        approve: bool,
        opinion: String,
    },
    DeadlinesRecomputed {
        moved: Vec<MovedDeadline>,
    },
    CrossUnit {
        lead_unit_id: i64,
        unit_ids: Vec<i64>,
    },
    JointConsultation(JointConsultation),
    Assisted(Assistance),
    Reply {
        text: String,
        flagged: Vec<crate::phrases::Flag>,
    },
    WithdrawalRecorded {
        withdrawal_id: i64,
        statement: String,
    },
    WithdrawalConfirmed {
        withdrawal_id: i64,
    },
    /// An internal note for the staff (not the applicant's to read).
    Note {
        text: String,
    },
    /// NV-1: a back-office stage finished and the next one began (the last one closes the case
    /// as approved, recorded as `Closed`).
    StageDone {
        stage: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<String>,
        #[serde(skip_serializing_if = "String::is_empty")]
        note: String,
    },
    Closed {
        outcome: Outcome,
        #[serde(skip_serializing_if = "Option::is_none")]
        veto_request_id: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        withdrawal_id: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        legal_basis: Option<String>,
        /// `not_required`: the window head who confirmed it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirmed_by: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

/// A deadline a calendar change moved (CAL-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MovedDeadline {
    pub what: String,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

impl Event {
    /// The stored kind (`received`, `notice`, `closed` …).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Received { .. } => "received",
            Event::Accepted { .. } => "accepted",
            Event::Referred(_) => "referred",
            Event::HandoffAcknowledged { .. } => "handoff_acknowledged",
            Event::PlacementAsked { .. } => "placement_asked",
            Event::Placed { .. } => "placed",
            Event::Notice { .. } => "notice",
            Event::GrowthRequested { .. } => "growth_requested",
            Event::GrowthDenied { .. } => "growth_denied",
            Event::KindChanged { .. } => "kind_changed",
            Event::KindChangeRequested { .. } => "kind_change_requested",
            Event::KindChangeDenied { .. } => "kind_change_denied",
            Event::AcceptedWithDeficiency { .. } => "accepted_with_deficiency",
            Event::SupplementReceived {} => "supplement_received",
            Event::ApprovedByCommitment { .. } => "approved_by_commitment",
            Event::Escalated { .. } => "escalated",
            Event::EscalationAnswered { .. } => "escalation_answered",
            Event::VetoRequested { .. } => "veto_requested",
            Event::VetoDecision { .. } => "veto_decision",
            Event::DeadlinesRecomputed { .. } => "deadlines_recomputed",
            Event::CrossUnit { .. } => "cross_unit",
            Event::JointConsultation(_) => "joint_consultation",
            Event::Assisted(_) => "assisted",
            Event::Reply { .. } => "reply",
            Event::WithdrawalRecorded { .. } => "withdrawal_recorded",
            Event::WithdrawalConfirmed { .. } => "withdrawal_confirmed",
            Event::StageDone { .. } => "stage_done",
            Event::Note { .. } => "note",
            Event::Closed { .. } => "closed",
        }
    }

    /// The stored detail: the event's fields as JSON.
    /// What an analysis counts the event by, kept as a column beside it (never read back out of
    /// its detail): a closing's outcome, a kind change's new kind, a referral's handoff or guide.
    pub fn tag(&self) -> Option<&'static str> {
        match self {
            Event::Closed { outcome, .. } => Some(match outcome {
                Outcome::Approved => "approved",
                Outcome::Answered => "answered",
                Outcome::Withdrawn => "withdrawn",
                Outcome::Referred => "referred",
                Outcome::Vetoed => "vetoed",
                Outcome::NotRequired => "not_required",
            }),
            Event::KindChanged { to, .. } => Some(to.as_str()),
            Event::Referred(r) => Some(if r.handoff { "handoff" } else { "guide" }),
            _ => None,
        }
    }

    /// NV-14: the event's words to the applicant say no — a reply sent with refusal wording
    /// flagged (the sender confirmed it), a closing note (other than a veto's), a notice's how-to-fix
    /// text or an escalation's answer the refusal check flags. Kept as a column beside the event (the roll-up counts such answers
    /// beside the vetoes without reading any text back).
    pub fn flagged(&self) -> bool {
        let says_no = crate::phrases::says_no;
        match self {
            Event::Reply { flagged, .. } => !flagged.is_empty(),
            // A veto's note is the approved refusal itself, with its basis: not a soft refusal.
            Event::Closed { outcome, note: Some(n), .. } if *outcome != Outcome::Vetoed => says_no(n),
            Event::Notice { missing, .. } => missing.iter().any(|m| says_no(&m.how_to_fix)),
            Event::EscalationAnswered { answer, .. } => says_no(answer),
            _ => false,
        }
    }

    pub fn detail(&self) -> serde_json::Value {
        serde_json::to_value(self)
            .ok()
            .and_then(|mut v| v.get_mut("detail").map(serde_json::Value::take))
            .unwrap_or_default()
    }
}

/// What a case's state offers (see [`Case::offers`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Offers {
    pub accept: bool,
    pub refer: bool,
    pub notice: bool,
    pub deficiency: bool,
    pub supplement: bool,
    pub commitment: bool,
    pub escalate: bool,
    pub request_veto: bool,
    pub close_approved: bool,
    pub answer_consultation: bool,
    pub not_required: bool,
    pub withdraw: bool,
    pub ask_placement: bool,
    pub place_here: bool,
    pub change_kind: bool,
    /// NV-2: the window head confirms or refuses a clerk's request to make it a consultation.
    pub decide_kind: bool,
    /// An approved veto: the window closes the case with the written refusal.
    pub close_vetoed: bool,
    /// NV-1: the current back-office stage can be finished (the last one closes the case).
    pub finish_stage: bool,
}

/// What the catalog says about an item, as far as the workflow needs it.
#[derive(Debug, Clone, Default)]
pub struct ItemRules {
    pub allows_deficiency: bool,
    pub allows_commitment: bool,
    pub main_materials: Vec<String>,
    pub time_limit_wd: Option<u32>,
    /// NV-1: the back-office stages a case of the item goes through after acceptance.
    pub stages: Vec<StagePlan>,
}

pub struct NewCase {
    pub receipt_no: String,
    pub kind: Kind,
    pub channel: Channel,
    pub item_code: Option<String>,
    pub applicant: Applicant,
    pub request: String,
    pub center_id: i64,
    pub unit_id: Option<i64>,
    pub window_id: Option<i64>,
    pub first_contact_id: i64,
}

impl Case {
    /// NV-1: whoever receives the case first is its first contact and stays on it.
    pub fn open(n: NewCase, policy: &Policy, now: DateTime<FixedOffset>) -> (Case, Event) {
        let c = CaseData {
            receipt_no: n.receipt_no,
            kind: n.kind,
            channel: n.channel,
            item_code: n.item_code,
            item_version: None,
            applicant: n.applicant,
            request: n.request,
            center_id: n.center_id,
            unit_id: n.unit_id,
            window_id: n.window_id,
            first_contact_id: n.first_contact_id,
            status: Status::Received,
            outcome: None,
            policy_id: policy.id.clone(),
            policy_version: policy.version,
            opened_at: now,
            closed_at: None,
            visits: 1,
            notified: vec![],
            deficiency: vec![],
            commitment_signed: false,
            referral: None,
            veto_request_id: None,
            resume_status: None,
            deadlines: vec![],
            cross_units: vec![],
            lead_unit_id: None,
            consultations: vec![],
            assistance: vec![],
            linked_case_id: None,
            linked_from: None,
            growth_request: None,
            ended: None,
            kind_changes: vec![],
            kind_request: None,
            received: vec![],
            reply_promised: None,
            reply_extended: None,
            stages: vec![],
        };
        let e = Event::Received { receipt_no: c.receipt_no.clone(), policy: c.policy_id.clone() };
        (Case(c), e)
    }

    /// What can be done with the case in its state — the one state machine the pages read to
    /// offer their buttons (each method below refuses with `wrong_state` exactly what this does
    /// not offer; test `offers_tests::offers_agree_with_the_methods`). Who may do it is the access
    /// decision's to say; whether the item allows 容缺 or 告知承诺 is `item`'s.
    pub fn offers(&self, item: &ItemRules) -> Offers {
        let open = self.0.status != Status::Closed;
        let st = self.0.status;
        let fresh = matches!(st, Status::Received | Status::Notified);
        Offers {
            accept: open && fresh,
            refer: open && !self.waiting(),
            notice: open && matches!(st, Status::Received | Status::Notified | Status::Accepted),
            deficiency: open && fresh && item.allows_deficiency,
            supplement: open && st == Status::AcceptedWithDeficiency,
            commitment: open && item.allows_commitment && !self.held() && st != Status::Escalated,
            escalate: open && !self.held(),
            request_veto: open && !self.held(),
            close_approved: open && st == Status::Accepted && self.current_stage().is_none(),
            answer_consultation: open && self.0.kind == Kind::Consultation && !self.held(),
            not_required: open && self.0.kind == Kind::Application && !self.held(),
            ask_placement: open && fresh,
            place_here: open && st == Status::Unplaced,
            withdraw: open,
            change_kind: open && self.kind_changeable() && self.0.kind_request.is_none(),
            decide_kind: open && self.awaits_kind_decision(),
            close_vetoed: open && st == Status::VetoApproved,
            finish_stage: open
                && self.current_stage().is_some_and(|n| {
                    st == Status::Accepted || (st == Status::AcceptedWithDeficiency && n + 1 < self.0.stages.len())
                }),
        }
    }

    /// Before anything was done on it as what it is: an application only while just received
    /// (no notice, not accepted); a consultation also after a notice of what to bring.
    fn kind_changeable(&self) -> bool {
        match self.0.kind {
            Kind::Application => self.0.status == Status::Received,
            Kind::Consultation => matches!(self.0.status, Status::Received | Status::Notified),
        }
    }

    /// NV-2: a clerk's request to make an application a consultation waits for the window head
    /// (and the matter is still changeable).
    pub fn awaits_kind_decision(&self) -> bool {
        self.0.status != Status::Closed && self.0.kind_request.is_some() && self.kind_changeable()
    }

    /// NV-2: the matter was recorded as the wrong kind. Changing it needs a reason and is an
    /// event of its own. A consultation becomes an application at once (saying yes needs no
    /// approval); an application becomes a consultation only before anything was done on it and
    /// only when the window head confirms ([`Case::decide_kind_change`]) — a relabelled
    /// application cannot be ended as "answered" on the clerk's own word. The roll-up counts it.
    pub fn change_kind(
        &mut self,
        to: Kind,
        reason: &str,
        by: i64,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, CaseError> {
        self.open_only()?;
        if to == self.0.kind {
            return Err(CaseError::KindUnchanged);
        }
        if !self.kind_changeable() {
            return Err(CaseError::WrongState(self.0.status.label()));
        }
        if reason.trim().is_empty() {
            return Err(CaseError::KindReasonRequired);
        }
        let from = self.0.kind;
        let change =
            KindChange { from, to, reason: reason.trim().to_string(), requested_by: by, confirmed_by: None, at: now };
        if from == Kind::Application {
            if self.0.kind_request.is_some() {
                return Err(CaseError::KindRequestPending);
            }
            self.0.kind_request = Some(change);
            return Ok(Event::KindChangeRequested { to, reason: reason.trim().to_string() });
        }
        self.0.kind = to;
        self.0.kind_changes.push(change);
        Ok(Event::KindChanged { from, to, reason: reason.trim().to_string(), confirmed_by: None })
    }

    /// NV-2: the window head decides a clerk's request to make an application a consultation —
    /// never the one who asked; a refusal says why.
    pub fn decide_kind_change(
        &mut self,
        approve: bool,
        by: i64,
        opinion: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, CaseError> {
        self.open_only()?;
        let req = self.0.kind_request.clone().ok_or(CaseError::NoKindRequest)?;
        if req.requested_by == by {
            return Err(CaseError::KindSelfDecision);
        }
        if !self.kind_changeable() {
            return Err(CaseError::WrongState(self.0.status.label()));
        }
        self.0.kind_request = None;
        if !approve {
            if opinion.trim().is_empty() {
                self.0.kind_request = Some(req);
                return Err(CaseError::KindOpinionRequired);
            }
            return Ok(Event::KindChangeDenied { opinion: opinion.trim().to_string() });
        }
        self.0.kind = req.to;
        let ev = Event::KindChanged { from: req.from, to: req.to, reason: req.reason.clone(), confirmed_by: Some(by) };
        self.0.kind_changes.push(KindChange { confirmed_by: Some(by), at: now, ..req });
        Ok(ev)
    }

    /// The receipt number the store gave a new case (its prefix plus the row id).
    pub fn numbered(mut self, receipt_no: String) -> Case {
        self.0.receipt_no = receipt_no;
        self
    }

    /// CAT-3: the catalog version of the item when the case was opened.
    pub fn with_item_version(mut self, version: Option<i64>) -> Case {
        self.0.item_version = version;
        self
    }

    /// Waiting on someone else: a veto request's decision or a handoff's receiver. Nothing but
    /// that wait's own end (and the applicant's withdrawal) moves the case meanwhile.
    fn waiting(&self) -> bool {
        matches!(self.0.status, Status::VetoPending | Status::VetoApproved | Status::HandoffPending)
    }

    /// Waiting, or waiting to be placed: no escalation, veto request or closing meanwhile.
    fn held(&self) -> bool {
        self.waiting() || self.0.status == Status::Unplaced
    }

    /// NV-3: nobody at the window knows whose the matter is — it goes to the window head or the
    /// hall manager, who must place it within `deadline` (the policy's `gray_area.placement`).
    pub fn ask_placement(&mut self, deadline: Deadline, question: &str) -> Result<Event, CaseError> {
        self.open_only()?;
        if !matches!(self.0.status, Status::Received | Status::Notified) {
            return Err(CaseError::WrongState(self.0.status.label()));
        }
        self.0.resume_status = Some(self.0.status);
        self.0.status = Status::Unplaced;
        self.0.deadlines.push(deadline);
        Ok(Event::PlacementAsked { question: question.to_string() })
    }

    /// NV-3: the window head or hall manager places the matter at this window: the window
    /// handles it (a placement elsewhere is a referral, see [`Case::refer`]).
    pub fn place_here(&mut self, now: DateTime<FixedOffset>) -> Result<Event, CaseError> {
        self.open_only()?;
        if self.0.status != Status::Unplaced {
            return Err(CaseError::WrongState(self.0.status.label()));
        }
        self.meet("placement", now);
        self.0.status = self.0.resume_status.take().unwrap_or(Status::Received);
        Ok(Event::Placed { here: true })
    }

    /// The case a receiving unit opens when it accepts a warm handoff of case `from`.
    pub fn linked_from(mut self, from: i64) -> Case {
        self.0.linked_from = Some(from);
        self
    }

    fn open_only(&self) -> Result<(), CaseError> {
        if self.0.status == Status::Closed {
            return Err(CaseError::Closed);
        }
        Ok(())
    }

    fn close(&mut self, ending: crate::ending::Ending, now: DateTime<FixedOffset>) {
        self.0.status = Status::Closed;
        self.0.outcome = Some(ending.spec().outcome);
        self.0.ended = Some(ending);
        self.0.closed_at = Some(now);
        for d in &mut self.0.deadlines {
            if d.met_at.is_none() {
                d.meet(now);
            }
        }
    }

    /// NV-1: stage `n`'s deadline, once the stage has started.
    pub fn stage_deadline(&self, n: usize) -> Option<&Deadline> {
        let key = stage_key(n);
        self.0.deadlines.iter().find(|d| d.what == key)
    }

    /// NV-1: the day stage `n` is due — its deadline's (pauses counted) once it has started, else
    /// the day its share falls after acceptance; `None` before acceptance.
    pub fn stage_due(
        &self,
        n: usize,
        cal: &crate::calendar::Calendar,
        now: DateTime<FixedOffset>,
    ) -> Option<chrono::NaiveDate> {
        match self.stage_deadline(n) {
            Some(d) => d.due(cal, now).ok(),
            None => {
                let accepted = self.0.stages.first()?.started_at.map(crate::time::local_date)?;
                cal.due(accepted, self.0.stages.get(n)?.due_days).ok()
            }
        }
    }

    /// NV-1: the stage being worked on (started, not finished).
    pub fn current_stage(&self) -> Option<usize> {
        self.0.stages.iter().position(|s| s.started_at.is_some() && s.done_at.is_none())
    }

    fn lay_out_stages(&mut self, item: &ItemRules, policy: &Policy, now: DateTime<FixedOffset>) {
        let source = Source {
            policy: policy.id.clone(),
            version: policy.version,
            clause: "item.stages".into(),
            document: ITEM_SOURCES[1].into(),
        };
        self.lay_out_stages_from(item, now, source);
    }

    /// Lays out the item's stages at acceptance and starts the first one, with its deadline.
    fn lay_out_stages_from(&mut self, item: &ItemRules, start: DateTime<FixedOffset>, source: Source) {
        if item.stages.is_empty() || !self.0.stages.is_empty() {
            return;
        }
        let limit = item.time_limit_wd.unwrap_or(0);
        let days = stage_days(&item.stages, limit);
        self.0.stages = item
            .stages
            .iter()
            .zip(days)
            .map(|(p, due_days)| Stage {
                name: p.name.clone(),
                unit_id: p.unit_id,
                share: p.share,
                due_days,
                started_at: None,
                done_at: None,
                done_by: None,
                note: String::new(),
            })
            .collect();
        self.start_stage(0, start, source);
    }

    fn start_stage(&mut self, n: usize, now: DateTime<FixedOffset>, source: Source) {
        let Some(st) = self.0.stages.get_mut(n) else { return };
        st.started_at = Some(now);
        let accepted = self.0.stages[0].started_at.unwrap_or(now);
        let days = self.0.stages[n].due_days;
        let rule = if days == 0 { Rule::SameDay } else { Rule::WorkingDays { days } };
        self.0.deadlines.push(Deadline::new(&stage_key(n), accepted, rule, source));
    }

    /// NV-1: the current stage is finished by `by`; the next one starts, or — after the last —
    /// the case is closed as approved (办结). A case waiting for its 容缺 materials goes through
    /// every stage but the last.
    pub fn finish_stage(&mut self, by: i64, note: &str, now: DateTime<FixedOffset>) -> Result<Event, CaseError> {
        self.open_only()?;
        let n = self.current_stage().ok_or(CaseError::NoStage)?;
        let last = n + 1 == self.0.stages.len();
        match self.0.status {
            Status::Accepted => {}
            Status::AcceptedWithDeficiency if !last => {}
            Status::AcceptedWithDeficiency => return Err(CaseError::LastStageNeedsSupplement),
            s => return Err(CaseError::WrongState(s.label())),
        }
        let source =
            self.0.deadlines.iter().find(|d| d.what == stage_key(n)).map(|d| d.source.clone()).unwrap_or_default();
        self.meet(&stage_key(n), now);
        let st = &mut self.0.stages[n];
        st.done_at = Some(now);
        st.done_by = Some(by);
        st.note = note.to_string();
        let stage = st.name.clone();
        if last {
            self.close(crate::ending::Ending::Approved, now);
            let note = if note.is_empty() { None } else { Some(note.to_string()) };
            return Ok(Event::Closed {
                outcome: Outcome::Approved,
                veto_request_id: None,
                withdrawal_id: None,
                legal_basis: None,
                confirmed_by: None,
                note,
            });
        }
        self.start_stage(n + 1, now, source);
        Ok(Event::StageDone { stage, next: Some(self.0.stages[n + 1].name.clone()), note: note.to_string() })
    }

    fn meet(&mut self, what: &str, now: DateTime<FixedOffset>) {
        for d in self.0.deadlines.iter_mut().filter(|d| d.what == what) {
            d.meet(now);
        }
    }

    /// 受理: saying yes needs no approval. `received` is what was handed in (original or copy,
    /// how many copies), printed on the 受理通知书 / 收件凭证.
    pub fn accept(
        &mut self,
        item: &ItemRules,
        policy: &Policy,
        received: Vec<Received>,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, CaseError> {
        self.open_only()?;
        match self.0.status {
            Status::Received | Status::Notified => {}
            s => return Err(CaseError::WrongState(s.label())),
        }
        if self.0.status == Status::Notified {
            self.0.visits += 1;
        }
        // Materials asked for after acceptance arrived: the promised time limit runs again.
        if self.0.deadlines.iter().any(|d| d.what == "promised_time_limit") {
            for d in self.0.deadlines.iter_mut().filter(|d| runs_with_promise(&d.what) && d.is_paused()) {
                let _ = d.resume(now);
            }
            self.0.status = Status::Accepted;
            self.0.received.extend(received.iter().cloned());
            return Ok(Event::Accepted { resumed: true, received });
        }
        self.0.status = Status::Accepted;
        self.0.received.extend(received.iter().cloned());
        self.lay_out_stages(item, policy, now);
        if let Some(days) = item.time_limit_wd {
            self.0.deadlines.push(Deadline::new(
                "promised_time_limit",
                now,
                Rule::WorkingDays { days },
                crate::deadline::Source {
                    policy: policy.id.clone(),
                    version: policy.version,
                    clause: "item.time_limit_wd".into(),
                    document: ITEM_SOURCES[0].into(),
                },
            ));
        }
        Ok(Event::Accepted { resumed: false, received })
    }

    /// 指引牌 (NV-3): out of scope — the case ends here as referred, with where to go.
    /// `handlers` are the units that handle the case's item. Every referral names its target
    /// (a unit or window, or an outside body with name, address and phone). An application for
    /// an item this window's unit handles is referred only to another window of the same unit
    /// or to a unit handling the same item at another center — never away to anyone else, so
    /// that no referral is a refusal. A warm handoff goes only to a unit that handles the item,
    /// unless the matter waits to be placed (the NV-3 placement path: the placer decides).
    pub fn refer(&mut self, r: Referral, handlers: &Handlers, now: DateTime<FixedOffset>) -> Result<Event, CaseError> {
        self.open_only()?;
        if self.waiting() {
            return Err(CaseError::WrongState(self.0.status.label()));
        }
        let mut r = r;
        r.of_own_item = self.0.kind == Kind::Application && handlers.handles(self.0.unit_id);
        if r.of_own_item {
            let same_unit_other_window =
                r.to_unit_id == self.0.unit_id && r.to_window_id.is_some() && r.to_window_id != self.0.window_id;
            let handler_elsewhere = r.to_center_id.is_some_and(|c| c != self.0.center_id)
                && handlers.handles(r.to_unit_id)
                && r.to_body.is_none();
            if !(same_unit_other_window || handler_elsewhere) {
                return Err(CaseError::ReferralOfOwnMatter);
            }
        }
        if !crate::ending::referral_has_target(&r) || (r.handoff && r.to_unit_id.is_none() && r.to_window_id.is_none())
        {
            return Err(CaseError::ReferralTargetRequired);
        }
        if r.handoff
            && !handlers.units.is_empty()
            && self.0.status != Status::Unplaced
            && !handlers.handles(r.to_unit_id)
        {
            return Err(CaseError::HandoffToNonHandler);
        }
        self.0.referral = Some(r.clone());
        // A placement asked for is answered by this referral.
        self.meet("placement", now);
        if self.0.status == Status::Unplaced {
            self.0.status = self.0.resume_status.take().unwrap_or(Status::Received);
        }
        if r.handoff {
            // NV-3: a warm handoff keeps the matter with its first contact until the receiver
            // takes it over (首接负责 to the end).
            self.0.resume_status = Some(self.0.status);
            self.0.status = Status::HandoffPending;
        } else {
            self.close(crate::ending::Ending::Referred, now);
        }
        Ok(Event::Referred(r))
    }

    /// Whether a referral of an application for the window's own item went where such a
    /// referral may go, as far as the stored record shows: another window of the same unit at
    /// this center, or a unit at another center (which the domain checked handles the item).
    pub(crate) fn own_item_target(&self, r: &Referral) -> bool {
        let same_unit_other_window = r.to_unit_id == self.0.unit_id
            && r.to_window_id.is_some()
            && r.to_window_id != self.0.window_id
            && r.to_center_id.is_none_or(|c| c == self.0.center_id);
        let elsewhere = r.to_unit_id.is_some() && r.to_center_id.is_some_and(|c| c != self.0.center_id);
        same_unit_other_window || elsewhere
    }

    /// NV-1, ORG-4: the first contact keeps reading and working the matter to its end, even
    /// after the post that brought it to them is gone (B who took it while A was absent).
    pub fn first_contact_keeps(&self, by: i64, action: crate::access::Action) -> bool {
        by == self.0.first_contact_id
            && matches!(action, crate::access::Action::ReadCase | crate::access::Action::WorkCase)
    }

    /// NV-3: the receiver of a warm handoff takes it over (首接负责 hands on, not off): the
    /// receiving unit's own case `linked_case_id` carries it on, and this one ends as referred.
    pub fn acknowledge_handoff(
        &mut self,
        by: i64,
        linked_case_id: i64,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, CaseError> {
        let r = self.0.referral.as_mut().filter(|r| r.handoff).ok_or(CaseError::NoHandoff)?;
        if r.acknowledged_by.is_some() || self.0.status != Status::HandoffPending {
            return Err(CaseError::AlreadyAcknowledged);
        }
        r.acknowledged_by = Some(by);
        self.0.linked_case_id = Some(linked_case_id);
        self.0.resume_status = None;
        self.close(crate::ending::Ending::HandedOver, now);
        Ok(Event::HandoffAcknowledged { by, linked_case_id: Some(linked_case_id) })
    }

    /// NV-14: a reply sent to the applicant, with the refusal phrases it was sent with (the
    /// sender confirmed them).
    pub fn reply(&mut self, text: &str) -> Event {
        Event::Reply { text: text.to_string(), flagged: crate::phrases::check(text).flagged }
    }

    /// An internal note (issue 31, item 8): for the staff who read the case, never shown to the
    /// applicant nor printed on a paper they get; open or closed, the case keeps it.
    pub fn note(&mut self, text: &str) -> Event {
        Event::Note { text: text.to_string() }
    }

    /// 一次性告知 (NV-4): lists what is missing. A later notice may repeat earlier items but not
    /// add new ones unless the window head approved (`growth_approved`).
    pub fn notify(
        &mut self,
        missing: Vec<Missing>,
        growth_approved: bool,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, CaseError> {
        self.open_only()?;
        match self.0.status {
            Status::Received | Status::Notified | Status::Accepted => {}
            s => return Err(CaseError::WrongState(s.label())),
        }
        if missing.is_empty() {
            return Err(CaseError::EmptyNotice);
        }
        let first = self.0.notified.is_empty();
        if !first
            && !growth_approved
            && let Some(new) = missing.iter().find(|m| !self.0.notified.iter().any(|n| n.material == m.material))
        {
            return Err(CaseError::NoticeGrowth(new.material.clone()));
        }
        if !first {
            self.0.visits += 1;
        }
        for m in &missing {
            if !self.0.notified.iter().any(|n| n.material == m.material) {
                self.0.notified.push(m.clone());
            }
        }
        // After acceptance, the clock of the promised time limit stops while the applicant
        // supplements (补正期间不计入承诺时限).
        let mut paused = false;
        if self.0.status == Status::Accepted {
            for d in self.0.deadlines.iter_mut().filter(|d| runs_with_promise(&d.what) && d.met_at.is_none()) {
                paused |= d.pause(now).is_ok() && d.what == "promised_time_limit";
            }
        }
        self.0.status = Status::Notified;
        Ok(Event::Notice { missing, growth_approved: growth_approved && !first, clock_paused: paused })
    }

    /// NV-4: a later notice would add materials: the clerk asks the window head, with the
    /// reason. Nothing is issued until the head decides; one request waits at a time.
    pub fn request_growth(
        &mut self,
        missing: Vec<Missing>,
        reason: &str,
        by: i64,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, CaseError> {
        self.open_only()?;
        match self.0.status {
            Status::Received | Status::Notified | Status::Accepted => {}
            s => return Err(CaseError::WrongState(s.label())),
        }
        if missing.is_empty() {
            return Err(CaseError::EmptyNotice);
        }
        if reason.trim().is_empty() {
            return Err(CaseError::GrowthReasonRequired);
        }
        if self.0.growth_request.is_some() {
            return Err(CaseError::GrowthPending);
        }
        self.0.growth_request =
            Some(GrowthRequest { missing: missing.clone(), reason: reason.trim().into(), requested_by: by, at: now });
        Ok(Event::GrowthRequested { missing, reason: reason.trim().into() })
    }

    /// NV-4: the window head decides a growth request: approved, the notice goes out with the
    /// added materials; refused, with the reason, nothing is issued. Never by the requester.
    pub fn decide_growth(
        &mut self,
        approve: bool,
        by: i64,
        opinion: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, CaseError> {
        self.open_only()?;
        let req = self.0.growth_request.clone().ok_or(CaseError::NoGrowthRequest)?;
        if req.requested_by == by {
            return Err(CaseError::GrowthSelfDecision);
        }
        if !approve && opinion.trim().is_empty() {
            return Err(CaseError::GrowthReasonRequired);
        }
        let ev = if approve {
            self.notify(req.missing, true, now)?
        } else {
            Event::GrowthDenied { opinion: opinion.trim().into() }
        };
        self.0.growth_request = None;
        Ok(ev)
    }

    /// 容缺受理 (NV-5): main materials complete, commitment signed; the supplement gets a due
    /// day on a clock that can pause.
    pub fn accept_with_deficiency(
        &mut self,
        item: &ItemRules,
        missing: Vec<Missing>,
        commitment_signed: bool,
        supplement: Deadline,
    ) -> Result<Event, CaseError> {
        self.open_only()?;
        match self.0.status {
            Status::Received | Status::Notified => {}
            s => return Err(CaseError::WrongState(s.label())),
        }
        if !item.allows_deficiency {
            return Err(CaseError::DeficiencyNotAllowed);
        }
        if !commitment_signed {
            return Err(CaseError::CommitmentMissing);
        }
        if missing.is_empty() {
            return Err(CaseError::EmptyNotice);
        }
        if let Some(m) = missing.iter().find(|m| item.main_materials.contains(&m.material)) {
            return Err(CaseError::MainMaterialMissing(m.material.clone()));
        }
        self.0.deficiency = missing.clone();
        self.0.commitment_signed = true;
        self.0.status = Status::AcceptedWithDeficiency;
        let (start, source) = (supplement.start, supplement.source.clone());
        self.0.deadlines.push(supplement);
        self.lay_out_stages_from(
            item,
            start,
            Source { clause: "item.stages".into(), document: ITEM_SOURCES[1].into(), ..source },
        );
        Ok(Event::AcceptedWithDeficiency { missing })
    }

    /// The missing materials arrived: the case goes on as accepted.
    pub fn supplement_received(&mut self, now: DateTime<FixedOffset>) -> Result<Event, CaseError> {
        self.open_only()?;
        if self.0.status != Status::AcceptedWithDeficiency {
            return Err(CaseError::WrongState(self.0.status.label()));
        }
        self.meet("supplement", now);
        self.0.status = Status::Accepted;
        self.0.visits += 1;
        Ok(Event::SupplementReceived {})
    }

    /// 告知承诺制 (NV-6): a written commitment plus materials is enough to approve.
    pub fn approve_by_commitment(
        &mut self,
        item: &ItemRules,
        commitment: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, CaseError> {
        self.open_only()?;
        if !item.allows_commitment {
            return Err(CaseError::CommitmentNotAllowed);
        }
        if self.held() || self.0.status == Status::Escalated {
            return Err(CaseError::WrongState(self.0.status.label()));
        }
        self.0.commitment_signed = true;
        self.close(crate::ending::Ending::ApprovedByCommitment, now);
        Ok(Event::ApprovedByCommitment { commitment: commitment.to_string() })
    }

    /// 答复卡 (NV-7): the case waits for a reply; the escalation itself is a separate record.
    /// `report` is the same-day report deadline of a major matter where the policy asks for one.
    ///
    /// The first escalation's due day is the reply date the applicant is promised. Moving the
    /// matter up a level does not push that date back silently: the new level works inside it
    /// (its deadline is held at the promised day), and only with a recorded reason (`beyond`,
    /// e.g. an expert study) does the reply fall later — a reason the applicant reads. Once the
    /// promised day has passed (a missed reply moved up by the job runner), the new level's own
    /// deadline applies and the reason is recorded as given.
    #[allow(clippy::too_many_arguments)]
    pub fn escalate(
        &mut self,
        deadline: Deadline,
        report: Option<Deadline>,
        level: DecisionLevel,
        reason: &str,
        beyond: Option<&str>,
        cal: &crate::calendar::Calendar,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, CaseError> {
        self.open_only()?;
        if self.held() {
            return Err(CaseError::WrongState(self.0.status.label()));
        }
        let mut deadline = deadline;
        let due = deadline.due(cal, now).map_err(|e| CaseError::Calendar(e.to_string()))?;
        let today = crate::time::local_date(now);
        let beyond = beyond.map(str::trim).filter(|b| !b.is_empty());
        let mut beyond_promise = None;
        match self.0.reply_promised {
            None => self.0.reply_promised = Some(due),
            Some(promised) if due > promised => {
                if let Some(why) = beyond {
                    beyond_promise = Some(why.to_string());
                } else if promised >= today {
                    // Inside the promise: the new level answers by the day the applicant was told.
                    deadline.rule = crate::deadline::Rule::Manual { due: promised };
                    deadline.source.document = format!("{}（在原承诺的答复日内）", deadline.source.document);
                } else {
                    beyond_promise = Some(reason.trim().to_string());
                }
            }
            Some(_) => {}
        }
        let due = deadline.due(cal, now).map_err(|e| CaseError::Calendar(e.to_string()))?;
        if let Some(why) = &beyond_promise {
            self.0.reply_extended = Some(ReplyExtended { to: due, reason: why.clone() });
        }
        if self.0.status != Status::Escalated {
            self.0.resume_status = Some(self.0.status);
        }
        self.0.status = Status::Escalated;
        self.0.deadlines.push(deadline);
        self.0.deadlines.extend(report);
        Ok(Event::Escalated { level, reason: reason.to_string(), due: Some(due), beyond_promise })
    }

    /// The answer to an escalation at `level`. At the collective level (集体研究, JL 二(三)) it is
    /// the meeting's: who took part (two at least) and what it concluded, recorded by the unit
    /// head.
    pub fn escalation_answered(
        &mut self,
        answer: &str,
        level: DecisionLevel,
        meeting: Option<Meeting>,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, CaseError> {
        self.open_only()?;
        if self.0.status != Status::Escalated {
            return Err(CaseError::WrongState(self.0.status.label()));
        }
        let meeting = match (level, meeting) {
            (DecisionLevel::Collective, Some(m)) => {
                let participants: Vec<String> =
                    m.participants.iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
                if participants.len() < 2 || m.conclusion.trim().is_empty() {
                    return Err(CaseError::MeetingRequired);
                }
                Some(Meeting { participants, conclusion: m.conclusion.trim().to_string() })
            }
            (DecisionLevel::Collective, None) => return Err(CaseError::MeetingRequired),
            (_, m) => m,
        };
        self.meet("reply", now);
        self.meet("report_same_day", now);
        self.0.status = self.0.resume_status.take().unwrap_or(Status::Received);
        Ok(Event::EscalationAnswered { answer: answer.to_string(), meeting })
    }

    /// A veto request was made (NV-8): the case waits for the decision.
    pub fn veto_requested(&mut self, request_id: i64, deadline: Deadline) -> Result<Event, CaseError> {
        self.open_only()?;
        // NV-10: no unit of a cross-unit matter says no before the joint consultation.
        if !self.0.cross_units.is_empty() && self.0.consultations.is_empty() {
            return Err(CaseError::ConsultationRequired);
        }
        if self.held() {
            return Err(CaseError::WrongState(self.0.status.label()));
        }
        self.0.resume_status = Some(self.0.status);
        self.0.status = Status::VetoPending;
        self.0.veto_request_id = Some(request_id);
        self.0.deadlines.push(deadline);
        Ok(Event::VetoRequested { veto_request_id: request_id })
    }

    /// CAL-2: the calendar changed (a notice imported, a local override): every open deadline
    /// whose due day moves is recomputed (see [`Deadline::recompute`]); the event lists each
    /// change, or there is none when nothing moved.
    pub fn recompute_deadlines(
        &mut self,
        old: &crate::calendar::Calendar,
        new: &crate::calendar::Calendar,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<Event>, crate::calendar::CalendarError> {
        let mut moved = vec![];
        for d in &mut self.0.deadlines {
            if let Some((from, to)) = d.recompute(old, new, now)? {
                moved.push(MovedDeadline { what: d.what.clone(), from, to });
            }
        }
        Ok((!moved.is_empty()).then_some(Event::DeadlinesRecomputed { moved }))
    }

    /// The veto request was decided (either way, or one level approved).
    pub fn veto_decided(&mut self, req: &VetoRequest, now: DateTime<FixedOffset>) -> Event {
        match req.status {
            VetoStatus::Denied => {
                self.meet("veto_decision", now);
                self.0.status = self.0.resume_status.take().unwrap_or(Status::Received);
                self.0.veto_request_id = None;
            }
            VetoStatus::Approved => {
                self.meet("veto_decision", now);
                self.0.status = Status::VetoApproved;
            }
            VetoStatus::Pending => {}
        }
        let last = req.chain.last();
        Event::VetoDecision {
            veto_request_id: req_id(req),
            status: req.status,
            level: last.map(|d| d.level),
            on_behalf: last.is_some_and(|d| d.on_behalf),
            approve: last.is_some_and(|d| d.approve),
            opinion: last.map(|d| d.opinion.clone()).unwrap_or_default(),
        }
    }

    /// NV-10: marks a matter as cross-unit with its lead unit.
    pub fn set_cross_unit(&mut self, lead: i64, units: Vec<i64>) -> Result<Event, CaseError> {
        self.open_only()?;
        if !units.contains(&lead) {
            return Err(CaseError::LeadNotInvolved);
        }
        self.0.lead_unit_id = Some(lead);
        self.0.cross_units = units.clone();
        Ok(Event::CrossUnit { lead_unit_id: lead, unit_ids: units })
    }

    /// NV-10: records a joint consultation with participants and conclusion.
    pub fn consult(&mut self, c: JointConsultation) -> Result<Event, CaseError> {
        self.open_only()?;
        self.0.consultations.push(c.clone());
        Ok(Event::JointConsultation(c))
    }

    /// NV-11: records assisted or proxy handling.
    pub fn assist(&mut self, a: Assistance) -> Result<Event, CaseError> {
        self.0.assistance.push(a.clone());
        Ok(Event::Assisted(a))
    }

    /// Close with a helping outcome. `Vetoed` is not among them: see [`Case::close_vetoed`].
    pub fn close_with(&mut self, outcome: Outcome, now: DateTime<FixedOffset>) -> Result<Event, CaseError> {
        self.open_only()?;
        match outcome {
            Outcome::Vetoed => return Err(CaseError::VetoRequired),
            Outcome::Referred => return Err(CaseError::WrongState("请使用“指引”操作")),
            Outcome::Approved => {
                if self.0.status == Status::AcceptedWithDeficiency {
                    return Err(CaseError::SupplementPending);
                }
                if self.0.status != Status::Accepted {
                    return Err(CaseError::NotAccepted);
                }
                if let Some(n) = self.current_stage() {
                    return Err(CaseError::StagesPending(self.0.stages[n].name.clone()));
                }
            }
            // NV-2: a withdrawal is the applicant's own act, shown by their written statement
            // and the window head's confirmation: see [`Case::close_withdrawn`].
            Outcome::Withdrawn => return Err(CaseError::WithdrawalRequired),
            Outcome::NotRequired => return Err(CaseError::NotRequiredNeedsBasis),
            Outcome::Answered => {
                // NV-2: answering is no way to end an application without a decision.
                if self.0.kind != Kind::Consultation {
                    return Err(CaseError::AnsweredIsForConsultations);
                }
                if self.held() {
                    return Err(CaseError::WrongState(self.0.status.label()));
                }
            }
        }
        let ending = match outcome {
            Outcome::Answered => crate::ending::Ending::Answered,
            _ => crate::ending::Ending::Approved,
        };
        self.close(ending, now);
        Ok(Event::Closed {
            outcome,
            veto_request_id: None,
            withdrawal_id: None,
            legal_basis: None,
            confirmed_by: None,
            note: None,
        })
    }

    /// The only way to a vetoed case (invariant 1).
    pub fn close_vetoed(&mut self, approval: ApprovedVeto, now: DateTime<FixedOffset>) -> Result<Event, CaseError> {
        self.open_only()?;
        if self.0.veto_request_id != Some(approval.request_id) {
            return Err(CaseError::VetoMismatch);
        }
        self.close(crate::ending::Ending::Vetoed, now);
        Ok(Event::Closed {
            outcome: Outcome::Vetoed,
            veto_request_id: Some(approval.request_id),
            withdrawal_id: None,
            legal_basis: None,
            confirmed_by: None,
            note: None,
        })
    }
}

impl Case {
    /// NV-2: the applicant's written withdrawal (申请人撤回申请) was recorded.
    pub fn withdrawal_recorded(&mut self, w: &Withdrawal) -> Result<Event, CaseError> {
        self.open_only()?;
        Ok(Event::WithdrawalRecorded { withdrawal_id: w.id, statement: w.statement.clone() })
    }

    /// The window head confirmed the applicant's withdrawal.
    pub fn withdrawal_confirmed(&mut self, w: &Withdrawal) -> Result<Event, CaseError> {
        self.open_only()?;
        Ok(Event::WithdrawalConfirmed { withdrawal_id: w.id })
    }

    /// 依法不需办理 (WH 一(一)2): an application for something that needs no permit ends with the
    /// legal basis that says so; `confirmed_by` is the window head on whose authority it ends
    /// (the caller checked the role).
    pub fn close_not_required(
        &mut self,
        legal_basis: &str,
        confirmed_by: Option<i64>,
        now: DateTime<FixedOffset>,
    ) -> Result<Event, CaseError> {
        self.open_only()?;
        if legal_basis.trim().is_empty() || confirmed_by.is_none() {
            return Err(CaseError::NotRequiredNeedsBasis);
        }
        if self.0.kind != Kind::Application {
            return Err(CaseError::WrongState("咨询（请以答复办结）"));
        }
        if self.held() {
            return Err(CaseError::WrongState(self.0.status.label()));
        }
        self.close(crate::ending::Ending::NotRequired, now);
        Ok(Event::Closed {
            outcome: Outcome::NotRequired,
            veto_request_id: None,
            withdrawal_id: None,
            legal_basis: Some(legal_basis.trim().to_string()),
            confirmed_by,
            note: None,
        })
    }

    /// The only way to a withdrawn case: a withdrawal of this case that the window head confirmed.
    pub fn close_withdrawn(&mut self, w: ConfirmedWithdrawal, now: DateTime<FixedOffset>) -> Result<Event, CaseError> {
        self.open_only()?;
        if self.0.status == Status::VetoPending {
            return Err(CaseError::WrongState(self.0.status.label()));
        }
        self.close(crate::ending::Ending::Withdrawn, now);
        Ok(Event::Closed {
            outcome: Outcome::Withdrawn,
            veto_request_id: None,
            withdrawal_id: Some(w.id),
            legal_basis: None,
            confirmed_by: None,
            note: None,
        })
    }
}

/// The applicant's written withdrawal of an application (申请人撤回申请, NV-2): recorded at the
/// window with the applicant's own words, confirmed by the window head — another person.
///
/// Its fields are read through `Deref` and changed only by its own methods (`confirm`), as for
/// `Case`; the store loads stored rows with [`Withdrawal::stored`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Withdrawal(WithdrawalData);

impl std::ops::Deref for Withdrawal {
    type Target = WithdrawalData;
    fn deref(&self) -> &WithdrawalData {
        &self.0
    }
}

/// What a [`Withdrawal`] holds (read-only outside the domain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalData {
    pub id: i64,
    pub case_id: i64,
    pub statement: String,
    pub recorded_by: i64,
    pub confirmed_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WithdrawalError {
    #[error("撤回申请须写明申请人的撤回意思（书面撤回申请的内容）")]
    NoStatement,
    #[error("登记撤回申请的人不能自己确认，须由窗口负责人确认")]
    SelfConfirmation,
    #[error("该撤回申请已确认")]
    AlreadyConfirmed,
}

impl WithdrawalError {
    pub fn code(&self) -> &'static str {
        match self {
            WithdrawalError::NoStatement => "statement_required",
            WithdrawalError::SelfConfirmation => "self_confirmation",
            WithdrawalError::AlreadyConfirmed => "already_confirmed",
        }
    }
}

/// Proof that a withdrawal was confirmed; only [`Withdrawal::confirmed`] makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfirmedWithdrawal {
    id: i64,
}

impl Withdrawal {
    pub fn new(id: i64, case_id: i64, statement: &str, recorded_by: i64) -> Result<Withdrawal, WithdrawalError> {
        let statement = statement.trim();
        if statement.is_empty() {
            return Err(WithdrawalError::NoStatement);
        }
        Ok(Withdrawal(WithdrawalData { id, case_id, statement: statement.into(), recorded_by, confirmed_by: None }))
    }

    /// A withdrawal as the store kept it (its rows were written only through the methods above).
    pub fn stored(d: WithdrawalData) -> Withdrawal {
        Withdrawal(d)
    }

    /// The id the store gave a new withdrawal.
    pub fn numbered(mut self, id: i64) -> Withdrawal {
        self.0.id = id;
        self
    }

    /// The window head confirms (the caller checked the role); not the person who recorded it.
    pub fn confirm(&mut self, by: i64) -> Result<(), WithdrawalError> {
        if self.confirmed_by.is_some() {
            return Err(WithdrawalError::AlreadyConfirmed);
        }
        if by == self.recorded_by {
            return Err(WithdrawalError::SelfConfirmation);
        }
        self.0.confirmed_by = Some(by);
        Ok(())
    }

    /// The proof, for a withdrawal of `case_id` that was confirmed.
    pub fn confirmed(&self, case_id: i64) -> Option<ConfirmedWithdrawal> {
        (self.case_id == case_id && self.confirmed_by.is_some_and(|c| c != self.recorded_by))
            .then_some(ConfirmedWithdrawal { id: self.id })
    }
}

fn req_id(r: &VetoRequest) -> i64 {
    r.id
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VetoStatus {
    Pending,
    Approved,
    Denied,
}

impl VetoStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VetoStatus::Pending => "pending",
            VetoStatus::Approved => "approved",
            VetoStatus::Denied => "denied",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub level: DecisionLevel,
    pub decided_by: i64,
    pub approve: bool,
    pub opinion: String,
    pub at: DateTime<FixedOffset>,
    /// 代行: decided by the level above because nobody else held this level.
    #[serde(default)]
    pub on_behalf: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VetoRequestData {
    pub id: i64,
    pub case_id: i64,
    pub requested_by: i64,
    pub reason: String,
    pub legal_basis: String,
    /// The levels the policy named when the request was made.
    pub levels: Vec<DecisionLevel>,
    pub chain: Vec<Decision>,
    pub status: VetoStatus,
    pub requested_at: DateTime<FixedOffset>,
    pub decided_at: Option<DateTime<FixedOffset>>,
}

/// A veto request (否决报批). Its fields are read through `Deref`; only its own methods change
/// them — a decision goes through [`VetoRequest::decide_as`], which checks who may decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VetoRequest(VetoRequestData);

impl std::ops::Deref for VetoRequest {
    type Target = VetoRequestData;
    fn deref(&self) -> &VetoRequestData {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VetoError {
    #[error("否决报批须写明理由")]
    NoReason,
    #[error("否决报批须写明法律依据")]
    NoLegalBasis,
    #[error("申请人不能审批自己提出的否决报批")]
    SelfDecision,
    #[error("该否决报批已有结果")]
    AlreadyDecided,
    #[error("同一人只能审批否决报批的一个层级：上一层级已由您审批，须由另一位审批人决定")]
    SecondJudgment,
    #[error("审批须写明意见：同意的写明理由，不同意的写明如何办成")]
    OpinionRequired,
}

impl VetoError {
    pub fn code(&self) -> &'static str {
        match self {
            VetoError::NoReason => "reason_required",
            VetoError::NoLegalBasis => "legal_basis_required",
            VetoError::SelfDecision => "self_decision",
            VetoError::AlreadyDecided => "already_decided",
            VetoError::SecondJudgment => "second_judgment",
            VetoError::OpinionRequired => "opinion_required",
        }
    }
}

/// Proof that a veto request was approved at every level. Only [`VetoRequest::approved`] makes
/// one: the field is private to this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovedVeto {
    request_id: i64,
}

impl ApprovedVeto {
    pub fn request_id(&self) -> i64 {
        self.request_id
    }
}

/// NV-16: alike veto requests are those on the same item with the same reason, and reasons
/// written a little differently count together — the key is the reason's first clause (up to
/// the first of [`REASON_CLAUSE_ENDS`]), without surrounding spaces, at most 40 characters. The
/// store keeps it with the filing; migration 26 computes the same in SQL for earlier filings.
pub fn reason_key(reason: &str) -> String {
    reason.split(REASON_CLAUSE_ENDS).next().unwrap_or(reason).trim_matches(REASON_SPACES).chars().take(40).collect()
}

/// Where a veto reason's first clause ends.
pub const REASON_CLAUSE_ENDS: [char; 5] = ['，', '。', '；', ',', ';'];
/// The spaces a reason key is trimmed of (ASCII and ideographic; SQL's trim takes the same set).
pub const REASON_SPACES: [char; 5] = [' ', '\t', '\n', '\r', '\u{3000}'];

impl VetoRequest {
    /// The id the store gave a new request. A request that has its number keeps it: no one can
    /// move a request's decisions onto another request.
    pub fn numbered(mut self, id: i64) -> VetoRequest {
        if self.0.id == 0 {
            self.0.id = id;
        }
        self
    }

    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: i64,
        case_id: i64,
        requested_by: i64,
        reason: &str,
        legal_basis: &str,
        levels: Vec<DecisionLevel>,
        now: DateTime<FixedOffset>,
    ) -> Result<VetoRequest, VetoError> {
        if reason.trim().is_empty() {
            return Err(VetoError::NoReason);
        }
        if legal_basis.trim().is_empty() {
            return Err(VetoError::NoLegalBasis);
        }
        Ok(VetoRequest(VetoRequestData {
            id,
            case_id,
            requested_by,
            reason: reason.trim().into(),
            legal_basis: legal_basis.trim().into(),
            levels,
            chain: vec![],
            status: VetoStatus::Pending,
            requested_at: now,
            decided_at: None,
        }))
    }

    /// The level that must decide next, while pending.
    pub fn level(&self) -> Option<DecisionLevel> {
        if self.0.status != VetoStatus::Pending {
            return None;
        }
        self.0.levels.get(self.0.chain.len()).copied()
    }

    /// The level `by` would decide now, if they may decide at all as a person: the request is
    /// pending, it is not their own, and they have not decided an earlier level of it (NV-9:
    /// each level a judgment of its own). Whether they hold that level's role at the case's
    /// place is the access decision's to say.
    pub fn may_decide(&self, by: i64) -> Result<DecisionLevel, VetoError> {
        let level = self.level().ok_or(VetoError::AlreadyDecided)?;
        if by == self.0.requested_by {
            return Err(VetoError::SelfDecision);
        }
        if self.0.chain.iter().any(|d| d.decided_by == by) {
            return Err(VetoError::SecondJudgment);
        }
        Ok(level)
    }

    /// One level decides. The caller has checked that `by` holds that level's role for the
    /// case's place; this checks everything else. Either way the decider writes an opinion; a
    /// denial says how the matter can be done.
    pub fn decide(
        &mut self,
        by: i64,
        approve: bool,
        opinion: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<(), VetoError> {
        self.decide_as(by, approve, opinion, now, false)
    }

    /// [`VetoRequest::decide`], recording whether the decider acts for the level (代行: the
    /// caller found nobody else holding it and `by` holds the level above).
    pub fn decide_as(
        &mut self,
        by: i64,
        approve: bool,
        opinion: &str,
        now: DateTime<FixedOffset>,
        on_behalf: bool,
    ) -> Result<(), VetoError> {
        let level = self.may_decide(by)?;
        // Each level's judgment is written (NV-9): the filing form prints each opinion.
        if opinion.trim().is_empty() {
            return Err(VetoError::OpinionRequired);
        }
        self.0.chain.push(Decision {
            level,
            decided_by: by,
            approve,
            opinion: opinion.trim().into(),
            at: now,
            on_behalf,
        });
        if !approve {
            self.0.status = VetoStatus::Denied;
            self.0.decided_at = Some(now);
        } else if self.0.chain.len() == self.0.levels.len() {
            self.0.status = VetoStatus::Approved;
            self.0.decided_at = Some(now);
        }
        Ok(())
    }

    /// The approval, if every named level approved in turn, nobody decided their own request
    /// and nobody decided two levels.
    pub fn approved(&self) -> Option<ApprovedVeto> {
        let distinct = self
            .0
            .chain
            .iter()
            .enumerate()
            .all(|(i, d)| self.0.chain[..i].iter().all(|e| e.decided_by != d.decided_by));
        let complete = distinct
            && self.0.status == VetoStatus::Approved
            && !self.0.levels.is_empty()
            && self.0.chain.len() == self.0.levels.len()
            && self
                .chain
                .iter()
                .zip(&self.0.levels)
                .all(|(d, l)| d.approve && d.level == *l && d.decided_by != self.0.requested_by);
        complete.then_some(ApprovedVeto { request_id: self.0.id })
    }
}

/// The escalation ladder (NV-7): the level after `current`, or where a major matter starts.
pub fn next_level(policy: &Policy, current: Option<DecisionLevel>, major: bool) -> Option<DecisionLevel> {
    let levels = &policy.gray_area.levels;
    match current {
        None if major => Some(policy.gray_area.major_first_level),
        None => levels.first().copied(),
        Some(c) => {
            let i = levels.iter().position(|l| *l == c)?;
            levels.get(i + 1).copied()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::at;

    #[test]
    fn nv16_alike_reasons_share_their_first_clause() {
        assert_eq!(reason_key("　材料不符合法定形式，缺少公章。"), "材料不符合法定形式");
        assert_eq!(reason_key("材料不符合法定形式; see art. 3"), "材料不符合法定形式");
        assert_eq!(reason_key("  不属于本机关职权范围  "), "不属于本机关职权范围");
        assert_eq!(reason_key(&"长".repeat(60)).chars().count(), 40);
        assert_eq!(reason_key(""), "");
        assert_ne!(reason_key("超出申请期限"), reason_key("不符合申请条件"));
    }

    fn case() -> Case {
        let p = Policy::preset("national").unwrap();
        Case::open(
            NewCase {
                receipt_no: "R1".into(),
                kind: Kind::Application,
                channel: Channel::Window,
                item_code: None,
                applicant: Applicant::new("张三", None, "13812345678"),
                request: "办理营业执照".into(),
                center_id: 1,
                unit_id: Some(1),
                window_id: Some(1),
                first_contact_id: 7,
            },
            &p,
            at("2026-11-20T09:00:00+08:00"),
        )
        .0
    }

    // NV-2, invariant 1: no helping close can produce a vetoed case; only an approval can.
    #[test]
    fn nv_2_no_veto_without_approval() {
        let now = at("2026-11-20T10:00:00+08:00");
        let mut c = case();
        assert_eq!(c.close_with(Outcome::Vetoed, now), Err(CaseError::VetoRequired));
        let mut r = VetoRequest::new(
            5,
            1,
            7,
            "不符合条件",
            "《行政许可法》第三十八条",
            vec![DecisionLevel::WindowHead, DecisionLevel::UnitLeader],
            now,
        )
        .unwrap();
        c.veto_requested(5, Deadline::new("veto_decision", now, Rule::WorkingDays { days: 1 }, Default::default()))
            .unwrap();
        assert!(r.approved().is_none());
        assert_eq!(r.decide(7, true, "", now), Err(VetoError::SelfDecision));
        r.decide(8, true, "同意", now).unwrap();
        assert!(r.approved().is_none(), "one level of two is not an approval");
        r.decide(9, true, "同意", now).unwrap();
        let a = r.approved().unwrap();
        // Its decisions cannot be moved onto another request by renumbering it.
        assert_eq!(r.clone().numbered(6).approved().map(|a| a.request_id()), Some(5));
        assert_eq!(c.close_with(Outcome::Vetoed, now), Err(CaseError::VetoRequired));
        c.close_vetoed(a, now).unwrap();
        assert_eq!(c.outcome, Some(Outcome::Vetoed));
    }

    // NV-9: separate judgments — one person decides at most one level of one request, and a
    // chain where one person decided two levels is no approval.
    #[test]
    fn nv_9_one_person_one_level() {
        let now = at("2026-11-20T10:00:00+08:00");
        let levels = vec![DecisionLevel::WindowHead, DecisionLevel::UnitLeader];
        let mut r = VetoRequest::new(5, 1, 7, "理由", "依据", levels, now).unwrap();
        r.decide(8, true, "同意", now).unwrap();
        assert_eq!(r.decide(8, true, "同意", now), Err(VetoError::SecondJudgment));
        assert_eq!(r.status, VetoStatus::Pending);
        let mut forged = r.clone();
        forged.0.chain.push(Decision {
            level: DecisionLevel::UnitLeader,
            decided_by: 8,
            approve: true,
            opinion: "".into(),
            at: now,
            on_behalf: false,
        });
        forged.0.status = VetoStatus::Approved;
        assert!(forged.approved().is_none());
        // A denial says how it can be done instead (NV-8), decided here and nowhere else.
        assert_eq!(r.decide(9, false, "  ", now), Err(VetoError::OpinionRequired));
        assert_eq!(r.may_decide(7), Err(VetoError::SelfDecision));
        assert_eq!(r.may_decide(8), Err(VetoError::SecondJudgment));
        assert_eq!(r.may_decide(9), Ok(DecisionLevel::UnitLeader));
        r.decide(9, true, "同意", now).unwrap();
        assert!(r.approved().is_some());
        assert_eq!(r.may_decide(10), Err(VetoError::AlreadyDecided));
    }

    // NV-8: the first denial ends the request; a tampered chain is no approval.
    #[test]
    fn nv_8_denial_and_tampering() {
        let now = at("2026-11-20T10:00:00+08:00");
        let mut r =
            VetoRequest::new(5, 1, 7, "理由", "依据", vec![DecisionLevel::WindowHead, DecisionLevel::UnitLeader], now)
                .unwrap();
        r.decide(8, false, "可以容缺受理", now).unwrap();
        assert_eq!(r.status, VetoStatus::Denied);
        assert_eq!(r.decide(9, true, "", now), Err(VetoError::AlreadyDecided));
        let mut forged = r.clone();
        forged.0.status = VetoStatus::Approved;
        assert!(forged.approved().is_none());
        assert_eq!(VetoRequest::new(1, 1, 1, "理由", " ", vec![], now).unwrap_err(), VetoError::NoLegalBasis);
    }

    // NV-4: a second notice cannot add a new item without the window head; visits count.
    #[test]
    fn nv_4_one_time_notice() {
        let mut c = case();
        let m = |s: &str| Missing { material: s.into(), how_to_fix: "补交原件".into() };
        c.notify(vec![m("身份证")], false, at("2026-11-20T10:00:00+08:00")).unwrap();
        assert_eq!(
            c.notify(vec![m("户口簿")], false, at("2026-11-20T10:00:00+08:00")),
            Err(CaseError::NoticeGrowth("户口簿".into()))
        );
        c.notify(vec![m("身份证")], false, at("2026-11-20T10:00:00+08:00")).unwrap();
        assert_eq!(c.visits, 2);
        c.notify(vec![m("户口簿")], true, at("2026-11-20T10:00:00+08:00")).unwrap();
        assert_eq!(c.notified.len(), 2);
    }

    // NV-5: deficiency acceptance needs the item's permission, a commitment and main materials;
    // approval only after the supplement.
    #[test]
    fn nv_5_deficiency() {
        let now = at("2026-11-20T10:00:00+08:00");
        let item =
            ItemRules { allows_deficiency: true, main_materials: vec!["申请书".into()], ..Default::default() };
        let m = |s: &str| Missing { material: s.into(), how_to_fix: "".into() };
        let dl = || Deadline::new("supplement", now, Rule::WorkingDays { days: 5 }, Default::default());
        let mut c = case();
        assert_eq!(
            c.accept_with_deficiency(&ItemRules::default(), vec![m("x")], true, dl()),
            Err(CaseError::DeficiencyNotAllowed)
        );
        assert_eq!(c.accept_with_deficiency(&item, vec![m("x")], false, dl()), Err(CaseError::CommitmentMissing));
        assert_eq!(
            c.accept_with_deficiency(&item, vec![m("申请书")], true, dl()),
            Err(CaseError::MainMaterialMissing("申请书".into()))
        );
        c.accept_with_deficiency(&item, vec![m("复印件")], true, dl()).unwrap();
        assert_eq!(c.close_with(Outcome::Approved, now), Err(CaseError::SupplementPending));
        c.supplement_received(now).unwrap();
        c.close_with(Outcome::Approved, now).unwrap();
    }

    // CAL-2, NV-4: a notice after acceptance stops the promised time limit's clock; the
    // materials arriving start it again, and the due day moves by the paused working days.
    #[test]
    fn cal_2_case_clock_pauses_during_supplement() {
        let cal = crate::calendar::Calendar::builtin();
        let p = Policy::preset("national").unwrap();
        let mut c = case();
        let item = ItemRules { time_limit_wd: Some(5), ..Default::default() };
        c.accept(&item, &p, vec![], at("2026-11-20T10:00:00+08:00")).unwrap();
        let due = |c: &Case, now: &str| c.deadlines[0].due(&cal, at(now)).unwrap().to_string();
        assert_eq!(due(&c, "2026-11-20T10:00:00+08:00"), "2026-11-27");
        let m = Missing { material: "补充说明".into(), how_to_fix: String::new() };
        c.notify(vec![m], false, at("2026-11-23T10:00:00+08:00")).unwrap();
        assert!(c.deadlines[0].is_paused());
        c.accept(&item, &p, vec![], at("2026-11-26T10:00:00+08:00")).unwrap();
        // Paused 11-23 → 11-26: three working days (24, 25, 26).
        assert_eq!(due(&c, "2026-11-26T10:00:00+08:00"), "2026-12-02");
        assert_eq!(c.deadlines.len(), 1, "no second time limit");
    }

    // NV-10: a cross-unit matter cannot be vetoed before the joint consultation.
    #[test]
    fn nv_10_consultation_before_veto() {
        let now = at("2026-11-20T10:00:00+08:00");
        let mut c = case();
        assert_eq!(c.set_cross_unit(9, vec![1, 2]), Err(CaseError::LeadNotInvolved));
        c.set_cross_unit(1, vec![1, 2]).unwrap();
        let dl = || Deadline::new("veto_decision", now, Rule::WorkingDays { days: 1 }, Default::default());
        assert_eq!(c.veto_requested(1, dl()), Err(CaseError::ConsultationRequired));
        c.consult(JointConsultation {
            at: now,
            unit_ids: vec![1, 2],
            participants: vec!["甲".into()],
            conclusion: "确不符合".into(),
        })
        .unwrap();
        c.veto_requested(1, dl()).unwrap();
    }

    // NV-7: the ladder climbs the policy's levels; a major matter in ankang starts at the unit head.
    #[test]
    fn nv_7_ladder() {
        let nat = Policy::preset("national").unwrap();
        assert_eq!(next_level(&nat, None, false), Some(DecisionLevel::WindowHead));
        assert_eq!(next_level(&nat, Some(DecisionLevel::WindowHead), false), Some(DecisionLevel::UnitLeader));
        assert_eq!(next_level(&nat, Some(DecisionLevel::Collective), false), None);
        let ak = Policy::preset("ankang").unwrap();
        assert_eq!(next_level(&ak, None, true), Some(DecisionLevel::UnitHead));
    }
}

#[cfg(test)]
mod event_tests {
    use super::*;

    // Issue "one application layer": events are typed, and what is stored (kind + detail) is
    // what the timeline, the reports and the documents read.
    #[test]
    fn a_typed_event_stores_its_kind_and_fields() {
        let e = Event::Notice {
            missing: vec![Missing { material: "营业执照".into(), how_to_fix: "复印件".into() }],
            growth_approved: false,
            clock_paused: true,
        };
        assert_eq!(e.kind(), "notice");
        assert_eq!(e.detail()["missing"][0]["material"], "营业执照");
        assert_eq!(e.detail()["clock_paused"], true);
        assert_eq!(Event::Accepted { resumed: false, received: vec![] }.detail(), serde_json::json!({}));
        assert_eq!(Event::Accepted { resumed: true, received: vec![] }.detail(), serde_json::json!({"resumed": true}));
        assert_eq!(Event::SupplementReceived {}.detail(), serde_json::json!({}));
        let closed = Event::Closed {
            outcome: Outcome::Vetoed,
            veto_request_id: Some(4),
            withdrawal_id: None,
            legal_basis: None,
            confirmed_by: None,
            note: None,
        };
        assert_eq!(closed.detail(), serde_json::json!({"outcome": "vetoed", "veto_request_id": 4}));
    }

    // NV-14 (issue 33): every text an event carries to the applicant passes the refusal check and
    // is counted when it says no — a closing note, a notice's how-to-fix — except a veto's own
    // note, which is the approved refusal with its basis.
    #[test]
    fn nv_14_texts_to_the_applicant_are_flagged() {
        let close = |outcome, note: &str| Event::Closed {
            outcome,
            veto_request_id: None,
            withdrawal_id: None,
            legal_basis: None,
            confirmed_by: None,
            note: Some(note.into()),
        };
        assert!(close(Outcome::Answered, "这个我们管不了").flagged());
        assert!(close(Outcome::Approved, "系统升级，过几天再来吧").flagged());
        assert!(!close(Outcome::Approved, "已办结，请到3号窗口领证").flagged());
        assert!(!close(Outcome::Vetoed, "依法不予办理").flagged());
        let notice = |fix: &str| Event::Notice {
            missing: vec![Missing { material: "营业执照".into(), how_to_fix: fix.into() }],
            growth_approved: false,
            clock_paused: true,
        };
        assert!(notice("没这个就办不了，回去吧").flagged());
        assert!(!notice("提供加盖公章的复印件").flagged());
    }
}

#[cfg(test)]
mod withdrawal_tests {
    use super::*;
    use crate::time::at;

    // NV-2 (no soft refusals): a case ends as withdrawn only with the applicant's written
    // withdrawal confirmed by another person (the window head); no other close can do it.
    #[test]
    fn nv_2_withdrawn_only_with_a_confirmed_withdrawal() {
        let now = at("2026-11-20T10:00:00+08:00");
        let p = crate::policy::Policy::preset("national").unwrap();
        let (mut c, _) = Case::open(
            NewCase {
                receipt_no: "R".into(),
                kind: Kind::Application,
                channel: Channel::Window,
                item_code: None,
                applicant: Applicant::new("张三", None, "13812345678"),
                request: "办理".into(),
                center_id: 1,
                unit_id: Some(1),
                window_id: Some(1),
                first_contact_id: 7,
            },
            &p,
            now,
        );
        assert_eq!(c.close_with(Outcome::Withdrawn, now), Err(CaseError::WithdrawalRequired));
        assert_eq!(c.close_with(Outcome::Answered, now), Err(CaseError::AnsweredIsForConsultations));
        assert_eq!(c.close_with(Outcome::NotRequired, now), Err(CaseError::NotRequiredNeedsBasis));
        assert_eq!(c.close_not_required("《行政许可法》第十三条", None, now), Err(CaseError::NotRequiredNeedsBasis));
        assert_eq!(c.close_not_required(" ", Some(8), now), Err(CaseError::NotRequiredNeedsBasis));
        assert_eq!(Withdrawal::new(3, 1, "  ", 7), Err(WithdrawalError::NoStatement));
        let mut w = Withdrawal::new(3, 1, "本人自愿撤回申请", 7).unwrap();
        assert!(w.confirmed(1).is_none());
        assert_eq!(w.confirm(7), Err(WithdrawalError::SelfConfirmation));
        w.confirm(8).unwrap();
        assert!(w.confirmed(2).is_none(), "another case's withdrawal is no proof");
        let proof = w.confirmed(1).unwrap();
        let e = c.close_withdrawn(proof, now).unwrap();
        assert_eq!(e.detail(), serde_json::json!({"outcome": "withdrawn", "withdrawal_id": 3}));
        assert_eq!(c.outcome, Some(Outcome::Withdrawn));
    }
}

#[cfg(test)]
mod offers_tests {
    use super::*;
    use crate::deadline::Rule;
    use crate::policy::Policy;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn new(kind: Kind) -> Case {
        let policy = Policy::preset("national").unwrap();
        Case::open(
            NewCase {
                receipt_no: "T".into(),
                kind,
                channel: Channel::Window,
                item_code: None,
                applicant: Applicant::new("张三", None, "13800000000"),
                request: "办理".into(),
                center_id: 1,
                unit_id: Some(1),
                window_id: Some(1),
                first_contact_id: 1,
            },
            &policy,
            at("2026-11-24T09:00:00+08:00"),
        )
        .0
    }

    // NV-2: a wrong kind is corrected with a reason, as an event; a begun application cannot
    // become a consultation (which could then end as "answered").
    #[test]
    fn nv_2_changing_the_kind_is_an_event_with_a_reason() {
        let now = at("2026-11-24T10:00:00+08:00");
        let policy = Policy::preset("national").unwrap();
        let mut c = new(Kind::Application);
        assert_eq!(c.clone().change_kind(Kind::Consultation, "  ", 1, now), Err(CaseError::KindReasonRequired));
        assert_eq!(c.clone().change_kind(Kind::Application, "x", 1, now), Err(CaseError::KindUnchanged));
        let mut begun = c.clone();
        begun.accept(&ItemRules::default(), &policy, vec![], now).unwrap();
        assert!(matches!(begun.change_kind(Kind::Consultation, "只是问问", 1, now), Err(CaseError::WrongState(_))));
        // NV-2 (issue 25): the clerk only asks; the application stays one until the head confirms.
        let ev = c.change_kind(Kind::Consultation, "群众只是咨询", 1, now).unwrap();
        assert_eq!(ev, Event::KindChangeRequested { to: Kind::Consultation, reason: "群众只是咨询".into() });
        assert_eq!(c.kind, Kind::Application);
        assert!(c.awaits_kind_decision());
        assert_eq!(c.clone().close_with(Outcome::Answered, now), Err(CaseError::AnsweredIsForConsultations));
        assert_eq!(c.clone().change_kind(Kind::Consultation, "再问", 1, now), Err(CaseError::KindRequestPending));
        assert_eq!(c.clone().decide_kind_change(true, 1, "", now), Err(CaseError::KindSelfDecision));
        assert_eq!(c.clone().decide_kind_change(false, 2, " ", now), Err(CaseError::KindOpinionRequired));
        let mut kept = c.clone();
        let denied = kept.decide_kind_change(false, 2, "群众要办理，请受理", now).unwrap();
        assert_eq!(denied.kind(), "kind_change_denied");
        assert_eq!((kept.kind, kept.kind_request.is_none()), (Kind::Application, true));
        let ev = c.decide_kind_change(true, 2, "", now).unwrap();
        assert_eq!(
            ev,
            Event::KindChanged {
                from: Kind::Application,
                to: Kind::Consultation,
                reason: "群众只是咨询".into(),
                confirmed_by: Some(2)
            }
        );
        assert_eq!(c.kind, Kind::Consultation);
        assert_eq!(ev.kind(), "kind_changed");
        // Back to an application needs nobody's approval: saying yes.
        let ev = c.change_kind(Kind::Application, "群众要办理", 1, now).unwrap();
        assert_eq!(ev.kind(), "kind_changed");
        assert_eq!(c.kind, Kind::Application);
    }

    fn wrong_state(r: Result<Event, CaseError>) -> bool {
        matches!(
            r,
            Err(CaseError::WrongState(_)
                | CaseError::Closed
                | CaseError::NotAccepted
                | CaseError::SupplementPending
                | CaseError::StagesPending(_)
                | CaseError::NoStage
                | CaseError::LastStageNeedsSupplement)
        )
    }

    // Issue "one application layer", item 2: the buttons a page offers come from the same state
    // machine that refuses the action — for every state reachable here, an action is offered
    // exactly when its method does not refuse it for the state.
    #[test]
    fn offers_agree_with_the_methods() {
        let now = at("2026-11-24T10:00:00+08:00");
        let policy = Policy::preset("national").unwrap();
        let item = ItemRules { allows_deficiency: true, allows_commitment: true, ..Default::default() };
        let plan = |name: &str, share| StagePlan { name: name.into(), unit_id: None, share };
        let staged = ItemRules {
            time_limit_wd: Some(10),
            stages: vec![plan("受理", 20), plan("审查", 50), plan("送达", 30)],
            ..item.clone()
        };
        let cal = crate::calendar::Calendar::builtin();
        let dl = |what: &str| Deadline::new(what, now, Rule::WorkingDays { days: 5 }, Default::default());
        let m = || vec![Missing { material: "营业执照".into(), how_to_fix: "复印件".into() }];
        let mut states: Vec<Case> = vec![];
        for kind in [Kind::Application, Kind::Consultation] {
            let c = new(kind);
            states.push(c.clone());
            let mut n = c.clone();
            n.notify(m(), false, now).unwrap();
            states.push(n.clone());
            let mut a = c.clone();
            a.accept(&item, &policy, vec![], now).unwrap();
            states.push(a.clone());
            let mut d = c.clone();
            d.accept_with_deficiency(&item, m(), true, dl("supplement")).unwrap();
            states.push(d);
            let mut e = c.clone();
            e.escalate(dl("reply"), None, DecisionLevel::WindowHead, "不明", None, &cal, now).unwrap();
            states.push(e);
            let mut v = c.clone();
            v.veto_requested(1, dl("veto_decision")).unwrap();
            states.push(v);
            let mut h = c.clone();
            let r = Referral {
                to_unit_id: Some(2),
                address: "二楼".into(),
                contact: "电话".into(),
                how: "带身份证".into(),
                handoff: true,
                ..Default::default()
            };
            h.refer(r, &Handlers::default(), now).unwrap();
            assert_eq!(h.status, Status::HandoffPending);
            states.push(h);
            let mut u = c.clone();
            u.ask_placement(dl("placement"), "不清楚归哪个部门").unwrap();
            states.push(u);
            let mut closed = a.clone();
            closed.close_with(Outcome::Approved, now).unwrap();
            states.push(closed);
            // NV-1: a case of an item with back-office stages, at its first and its last stage,
            // accepted in full or with materials still missing, and waiting for a supplement.
            let mut sa = c.clone();
            sa.accept(&staged, &policy, vec![], now).unwrap();
            states.push(sa.clone());
            let mut paused = sa.clone();
            paused.notify(m(), false, now).unwrap();
            states.push(paused);
            let mut last = sa.clone();
            last.finish_stage(1, "", now).unwrap();
            last.finish_stage(1, "", now).unwrap();
            states.push(last);
            let mut sd = c.clone();
            sd.accept_with_deficiency(&staged, m(), true, dl("supplement")).unwrap();
            states.push(sd.clone());
            sd.finish_stage(1, "", now).unwrap();
            sd.finish_stage(1, "", now).unwrap();
            states.push(sd);
        }
        for c in &states {
            let o = c.offers(&item);
            let label = format!("{:?}/{:?}", c.kind, c.status);
            assert_eq!(o.accept, !wrong_state(c.clone().accept(&item, &policy, vec![], now)), "accept {label}");
            assert_eq!(o.notice, !wrong_state(c.clone().notify(m(), true, now)), "notice {label}");
            let def = c.clone().accept_with_deficiency(&item, m(), true, dl("supplement"));
            assert_eq!(o.deficiency, !wrong_state(def), "deficiency {label}");
            assert_eq!(o.supplement, !wrong_state(c.clone().supplement_received(now)), "supplement {label}");
            let com = c.clone().approve_by_commitment(&item, "承诺", now);
            assert_eq!(o.commitment, !wrong_state(com), "commitment {label}");
            let esc = c.clone().escalate(dl("reply"), None, DecisionLevel::WindowHead, "r", None, &cal, now);
            assert_eq!(o.escalate, !wrong_state(esc), "escalate {label}");
            assert_eq!(o.request_veto, !wrong_state(c.clone().veto_requested(2, dl("veto_decision"))), "veto {label}");
            let close = c.clone().close_with(Outcome::Approved, now);
            assert_eq!(o.close_approved, !wrong_state(close), "close {label}");
            let away = Referral {
                to_unit_id: Some(3),
                address: "三楼".into(),
                contact: "电话".into(),
                how: "带身份证".into(),
                ..Default::default()
            };
            assert_eq!(o.refer, !wrong_state(c.clone().refer(away, &Handlers::default(), now)), "refer {label}");
            let ask = c.clone().ask_placement(dl("placement"), "q");
            assert_eq!(o.ask_placement, !wrong_state(ask), "ask_placement {label}");
            assert_eq!(o.place_here, !wrong_state(c.clone().place_here(now)), "place_here {label}");
            let nr = c.clone().close_not_required("《行政许可法》第十二条", Some(9), now);
            assert_eq!(o.not_required, !wrong_state(nr), "not_required {label}");
            let other = if c.kind == Kind::Application { Kind::Consultation } else { Kind::Application };
            let ck = c.clone().change_kind(other, "登记有误", 1, now);
            assert_eq!(o.change_kind, !wrong_state(ck), "change_kind {label}");
            assert_eq!(o.decide_kind, c.clone().decide_kind_change(true, 2, "", now).is_ok(), "decide_kind {label}");
            assert_eq!(o.finish_stage, !wrong_state(c.clone().finish_stage(2, "", now)), "finish_stage {label}");
        }
    }
}

#[cfg(test)]
mod stage_tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::policy::Policy;
    use crate::time::at;

    fn plan(name: &str, share: u32) -> StagePlan {
        StagePlan { name: name.into(), unit_id: None, share }
    }

    // NV-1 (JL 三(一)): stages are named once, at most twelve, and share the whole promised time;
    // each falls due when the shares before it and its own have run.
    #[test]
    fn nv_1_stage_plans_and_their_days() {
        assert_eq!(check_stages(&[]), Ok(()));
        assert_eq!(check_stages(&[plan("受理", 40), plan("审查", 60)]), Ok(()));
        assert_eq!(check_stages(&[plan("受理", 40), plan("审查", 50)]), Err(StagePlanError::Total(90)));
        assert_eq!(check_stages(&[plan(" ", 100)]), Err(StagePlanError::Unnamed(1)));
        assert_eq!(check_stages(&[plan("审查", 50), plan("审查", 50)]), Err(StagePlanError::Duplicate("审查".into())));
        assert_eq!(check_stages(&[plan("受理", 0), plan("审查", 100)]), Err(StagePlanError::Share(1)));
        assert_eq!(check_stages(&vec![plan("x", 1); 13]), Err(StagePlanError::TooMany));
        let five = [plan("受理", 10), plan("审查", 40), plan("决定", 20), plan("制证", 20), plan("送达", 10)];
        assert_eq!(stage_days(&five, 20), vec![2, 10, 14, 18, 20]);
        assert_eq!(stage_days(&five, 3), vec![1, 2, 3, 3, 3], "rounded up, never past the whole");
        assert_eq!(stage_days(&five, 0), vec![0; 5]);
    }

    // NV-1: accepted, the case starts its first stage with a deadline; each finished stage
    // records who and when and starts the next; the case cannot be closed around its stages;
    // the last stage's end is the approval (办结). A notice after acceptance stops the stage's
    // clock as it stops the promised time limit.
    #[test]
    fn nv_1_a_case_moves_through_its_stages() {
        let policy = Policy::preset("national").unwrap();
        let cal = Calendar::builtin();
        let item = ItemRules {
            time_limit_wd: Some(10),
            stages: vec![plan("受理", 10), plan("审查", 50), plan("送达", 40)],
            ..Default::default()
        };
        let t0 = at("2026-12-01T09:00:00+08:00");
        let (mut c, _) = Case::open(
            NewCase {
                receipt_no: "T".into(),
                kind: Kind::Application,
                channel: Channel::Window,
                item_code: Some("X".into()),
                applicant: Applicant::new("张三", None, "13800000000"),
                request: "办理".into(),
                center_id: 1,
                unit_id: Some(1),
                window_id: Some(1),
                first_contact_id: 7,
            },
            &policy,
            t0,
        );
        assert_eq!(c.clone().finish_stage(7, "", t0), Err(CaseError::NoStage), "nothing to finish before acceptance");
        c.accept(&item, &policy, vec![], t0).unwrap();
        assert_eq!(c.current_stage(), Some(0));
        assert_eq!(c.stages.iter().map(|s| s.state()).collect::<Vec<_>>(), ["current", "waiting", "waiting"]);
        let due =
            |c: &Case, what: &str, now| c.deadlines.iter().find(|d| d.what == what).unwrap().due(&cal, now).unwrap();
        assert_eq!(due(&c, "stage#0", t0), at("2026-12-02T00:00:00+08:00").date_naive(), "1 working day");
        assert!(matches!(c.clone().close_with(Outcome::Approved, t0), Err(CaseError::StagesPending(s)) if s == "受理"));
        let t1 = at("2026-12-01T15:00:00+08:00");
        let ev = c.finish_stage(8, "材料齐全", t1).unwrap();
        assert_eq!(ev, Event::StageDone { stage: "受理".into(), next: Some("审查".into()), note: "材料齐全".into() });
        assert_eq!((c.stages[0].done_by, c.stages[0].done_at), (Some(8), Some(t1)));
        assert!(c.deadlines.iter().find(|d| d.what == "stage#0").unwrap().met_at.is_some());
        // 审查 is due 6 working days after acceptance (10% + 50% of 10), not after its start.
        assert_eq!(due(&c, "stage#1", t1), at("2026-12-09T00:00:00+08:00").date_naive());
        // A notice after acceptance stops the stage's clock; the materials arrive two working
        // days later and the stage's due day moves by two.
        c.notify(vec![Missing { material: "照片".into(), how_to_fix: "近期一寸照".into() }], false, t1).unwrap();
        assert!(c.deadlines.iter().find(|d| d.what == "stage#1").unwrap().is_paused());
        assert_eq!(c.clone().finish_stage(8, "", t1), Err(CaseError::WrongState(Status::Notified.label())));
        let t2 = at("2026-12-03T15:00:00+08:00");
        c.accept(&item, &policy, vec![], t2).unwrap();
        assert_eq!(due(&c, "stage#1", t2), at("2026-12-11T00:00:00+08:00").date_naive());
        c.finish_stage(9, "", t2).unwrap();
        let ev = c.finish_stage(7, "已邮寄送达", t2).unwrap();
        assert_eq!(ev.tag(), Some("approved"));
        assert_eq!((c.status, c.outcome), (Status::Closed, Some(Outcome::Approved)));
        assert!(c.stages.iter().all(|s| s.state() == "done"));
        assert_eq!(c.clone().finish_stage(7, "", t2), Err(CaseError::Closed));
    }
}

#[cfg(test)]
mod no_soft_refusal_tests {
    use super::*;
    use crate::deadline::Rule;
    use crate::ending::{Ending, Evidence};
    use crate::policy::Policy;
    use crate::time::at;

    /// An application at window 11 of unit 1 in center 100.
    fn application() -> Case {
        let policy = Policy::preset("national").unwrap();
        Case::open(
            NewCase {
                receipt_no: "T".into(),
                kind: Kind::Application,
                channel: Channel::Window,
                item_code: Some("SC-001".into()),
                applicant: Applicant::new("张三", None, "13800000000"),
                request: "企业设立登记".into(),
                center_id: 100,
                unit_id: Some(1),
                window_id: Some(11),
                first_contact_id: 5,
            },
            &policy,
            at("2026-11-24T09:00:00+08:00"),
        )
        .0
    }

    fn to(unit: Option<i64>, window: Option<i64>, center: Option<i64>, handoff: bool) -> Referral {
        Referral {
            to_unit_id: unit,
            to_window_id: window,
            to_center_id: center,
            address: "二楼 B 区".into(),
            contact: "王老师 0719-8123456".into(),
            how: "带上营业执照".into(),
            handoff,
            ..Default::default()
        }
    }

    // NV-2, NV-3 (issue 25, loophole 1): an application of the window's own item is referred only
    // to another window of its unit or to the unit handling the item at another center; any
    // other unit, the same window, an outside body or nowhere is refused — with or without
    // 帮助转交. A handoff goes only to a unit that handles the item (unless being placed).
    #[test]
    fn nv_2_referring_ones_own_item_away_is_refused() {
        let now = at("2026-11-24T10:00:00+08:00");
        // Unit 1 (center 100) and unit 7 (district center 200) handle the item.
        let ours = Handlers { units: vec![(1, 100), (7, 200)] };
        let c = application();
        let refer = |r: Referral, h: &Handlers| c.clone().refer(r, h, now);
        assert_eq!(refer(to(Some(2), None, Some(100), false), &ours), Err(CaseError::ReferralOfOwnMatter));
        assert_eq!(refer(to(Some(2), Some(21), Some(100), true), &ours), Err(CaseError::ReferralOfOwnMatter));
        assert_eq!(refer(to(Some(1), Some(11), Some(100), false), &ours), Err(CaseError::ReferralOfOwnMatter));
        assert_eq!(refer(to(Some(1), None, Some(100), false), &ours), Err(CaseError::ReferralOfOwnMatter));
        let body = Referral { to_body: Some("市档案馆".into()), ..to(None, None, None, false) };
        assert_eq!(refer(body.clone(), &ours), Err(CaseError::ReferralOfOwnMatter));
        assert_eq!(refer(to(None, None, None, false), &ours), Err(CaseError::ReferralOfOwnMatter));
        assert_eq!(refer(to(None, None, None, false), &Handlers::default()), Err(CaseError::ReferralTargetRequired));
        // Another window of the unit, or the district's unit that handles it: allowed.
        let mut c1 = c.clone();
        c1.refer(to(Some(1), Some(12), Some(100), false), &ours, now).unwrap();
        assert_eq!(c1.ending(), Some(Ending::Referred));
        assert!(c1.referral.as_ref().unwrap().of_own_item);
        assert_eq!(c1.unproven(&Evidence::default()), None);
        let mut c2 = c.clone();
        c2.refer(to(Some(7), None, Some(200), true), &ours, now).unwrap();
        assert_eq!(c2.status, Status::HandoffPending);
        // Not our item (unit 3 handles it): a referral anywhere recorded is help; a handoff only
        // to the unit that handles it.
        let theirs = Handlers { units: vec![(3, 100)] };
        assert_eq!(refer(to(Some(2), None, Some(100), true), &theirs), Err(CaseError::HandoffToNonHandler));
        refer(to(Some(3), None, Some(100), true), &theirs).unwrap();
        refer(body.clone(), &theirs).unwrap();
        // An outside body without a phone names no place to go.
        let vague = Referral { to_body: Some("有关部门".into()), contact: "找他们".into(), ..body };
        assert_eq!(refer(vague, &theirs), Err(CaseError::ReferralTargetRequired));
        // Being placed (NV-3): the placer may hand it to any unit.
        let mut u = c.clone();
        let placement = Deadline::new("placement", now, Rule::SameDay, Default::default());
        u.ask_placement(placement, "不清楚归哪个部门").unwrap();
        u.refer(to(Some(2), None, Some(100), true), &theirs, now).unwrap();
    }

    // NV-2 (issue 25): every closed case is checked against the one list of endings; a
    // relabelled application, a vague referral or a vetoed case without approval is unproven.
    #[test]
    fn nv_2_every_ending_is_checked_against_the_list() {
        let now = at("2026-11-24T10:00:00+08:00");
        let mut c = application();
        c.0.kind = Kind::Consultation;
        c.0.kind_changes.push(KindChange {
            from: Kind::Application,
            to: Kind::Consultation,
            reason: "x".into(),
            requested_by: 5,
            confirmed_by: None,
            at: now,
        });
        c.close_with(Outcome::Answered, now).unwrap();
        assert_eq!(c.unproven(&Evidence::default()), Some("申请未经窗口负责人确认即被改为咨询"));
        let mut v = application();
        v.0.status = Status::Closed;
        v.0.outcome = Some(Outcome::Vetoed);
        assert!(v.unproven(&Evidence::default()).is_some());
        let mut r = application();
        r.0.status = Status::Closed;
        r.0.outcome = Some(Outcome::Referred);
        r.0.referral = Some(Referral { address: "去别处".into(), ..Default::default() });
        assert!(r.unproven(&Evidence::default()).is_some());
    }

    // NV-17 (issue 25, defect): once every level approved, the case no longer reads "veto
    // pending": it waits for the window to hand over the written refusal, and only then closes.
    #[test]
    fn nv_17_an_approved_veto_is_no_longer_pending() {
        let now = at("2026-11-24T10:00:00+08:00");
        let mut c = application();
        let dl = Deadline::new("veto_decision", now, Rule::WorkingDays { days: 1 }, Default::default());
        c.veto_requested(9, dl).unwrap();
        let mut v =
            VetoRequest::new(9, 1, 5, "不符合条件", "《条例》第八条", vec![DecisionLevel::WindowHead], now).unwrap();
        v.decide(6, true, "同意", now).unwrap();
        c.veto_decided(&v, now);
        assert_eq!(c.status, Status::VetoApproved);
        assert!(c.offers(&ItemRules::default()).close_vetoed);
        c.close_vetoed(v.approved().unwrap(), now).unwrap();
        assert_eq!(c.ending(), Some(Ending::Vetoed));
    }

    // NV-7, NV-17 (issue 25): moving an escalation up keeps the reply date the applicant was
    // promised; only a recorded reason moves it later, and that reason is kept for them.
    #[test]
    fn nv_7_moving_up_keeps_the_promised_reply_date() {
        let cal = crate::calendar::Calendar::builtin();
        let now = at("2026-11-24T10:00:00+08:00");
        let later = at("2026-11-27T10:00:00+08:00");
        let days = |n| Deadline::new("reply", now, Rule::WorkingDays { days: n }, Default::default());
        let mut c = application();
        c.escalate(days(5), None, DecisionLevel::WindowHead, "不明", None, &cal, now).unwrap();
        assert_eq!(c.reply_promised.map(|d| d.to_string()).as_deref(), Some("2026-12-01"));
        let mut up = c.clone();
        let late = Deadline::new("reply", later, Rule::WorkingDays { days: 5 }, Default::default());
        let ev = up.escalate(late.clone(), None, DecisionLevel::UnitLeader, "仍不明", None, &cal, later).unwrap();
        assert_eq!(up.deadlines.last().unwrap().due(&cal, later).unwrap().to_string(), "2026-12-01");
        assert!(matches!(ev, Event::Escalated { beyond_promise: None, .. }));
        assert!(up.reply_extended.is_none());
        let mut study = c.clone();
        let ev =
            study.escalate(late, None, DecisionLevel::UnitLeader, "仍不明", Some("需专家论证"), &cal, later).unwrap();
        assert!(matches!(ev, Event::Escalated { beyond_promise: Some(_), .. }));
        assert_eq!(study.reply_extended.as_ref().map(|e| e.to.to_string()).as_deref(), Some("2026-12-04"));
    }
}
