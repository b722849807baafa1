//! Policies (POL-1, DESIGN invariant 4): the numbers that differ between jurisdictions are data.
//! Presets live in `policies/*.toml`; a case keeps the id and version it was opened under, and
//! every deadline carries the clause and document its number came from.

use crate::access::DecisionLevel;
use crate::deadline::{Rule, Source};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const PRESET_IDS: [&str; 6] = ["national", "jilin-etdz", "ankang", "fuzhou", "guilin", "weihai-huancui"];

fn preset_text(id: &str) -> Option<&'static str> {
    Some(match id {
        "national" => include_str!("../../../policies/national.toml"),
        "jilin-etdz" => include_str!("../../../policies/jilin-etdz.toml"),
        "ankang" => include_str!("../../../policies/ankang.toml"),
        "fuzhou" => include_str!("../../../policies/fuzhou.toml"),
        "guilin" => include_str!("../../../policies/guilin.toml"),
        "weihai-huancui" => include_str!("../../../policies/weihai-huancui.toml"),
        _ => return None,
    })
}

/// One deadline rule as a policy file writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSpec {
    /// N working days; absent with `same_day` or `manual`.
    #[serde(default)]
    pub days: Option<u32>,
    #[serde(default)]
    pub same_day: bool,
    /// Set by a person (e.g. expert study, complex 办不成事 matters).
    #[serde(default)]
    pub manual: bool,
    /// The document and section the number comes from.
    pub document: String,
    /// True where the document leaves the number to local practice and the preset took the
    /// national default.
    #[serde(default)]
    pub local_default: bool,
}

impl RuleSpec {
    /// The rule, or `None` for a manual rule without a date given.
    pub fn rule(&self, manual_due: Option<NaiveDate>) -> Option<Rule> {
        if self.manual {
            return manual_due.map(|due| Rule::Manual { due });
        }
        if self.same_day {
            return Some(Rule::SameDay);
        }
        Some(Rule::WorkingDays { days: self.days.unwrap_or(0) })
    }

    pub fn describe(&self) -> String {
        let base = if self.manual {
            "人工设定".to_string()
        } else if self.same_day {
            "当日".to_string()
        } else {
            format!("{} 个工作日", self.days.unwrap_or(0))
        };
        if self.local_default { format!("{base}（文件未定，取全国默认）") } else { base }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrayArea {
    /// The escalation ladder (答复卡): who must act next, in order.
    pub levels: Vec<DecisionLevel>,
    pub normal: RuleSpec,
    pub major: RuleSpec,
    /// Where a major matter starts on the ladder (ankang: the unit head, the same day).
    pub major_first_level: DecisionLevel,
    /// A major matter must be reported to `major_first_level` by the end of the day.
    #[serde(default)]
    pub major_report_same_day: bool,
    #[serde(default)]
    pub major_report_document: String,
    /// The answer to a gray-area escalation is filed with the center (报……中心备案, FZ 二(三),
    /// WH 一(三)): listed with the month's filings.
    #[serde(default)]
    pub file_with_center: bool,
    /// A major matter needing specialist study or expert review may have its reply deadline set
    /// by hand, with a reason (FZ 五(二): 专家论证的除外).
    #[serde(default)]
    pub expert_study: bool,
    /// NV-3: a matter nobody knows whose it is goes to the window head or the hall manager, who
    /// places it (this window's, or where to) within this deadline.
    #[serde(default = "default_placement")]
    pub placement: RuleSpec,
}

fn default_placement() -> RuleSpec {
    RuleSpec {
        days: Some(1),
        same_day: false,
        manual: false,
        document: "全国默认（参照安行审发〔2024〕7号 二(二)：业务不明确或不清楚承办单位的，及时向窗口负责人、部门领导或综合咨询服务台反映、协调）".into(),
        local_default: true,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Veto {
    /// Who decides a veto request, in turn; approved when the last approves.
    pub levels: Vec<DecisionLevel>,
    /// For a major matter, if different.
    #[serde(default)]
    pub major_levels: Vec<DecisionLevel>,
    /// The deadline for each decision.
    pub decision: RuleSpec,
    #[serde(default)]
    pub decision_special: Option<RuleSpec>,
    /// When the veto is filed with the center: `at_request`, `at_result`, `monthly`.
    pub filing: Vec<String>,
    pub filing_document: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unresolved {
    pub simple: RuleSpec,
    pub general: RuleSpec,
    pub complex: RuleSpec,
    pub impossible: RuleSpec,
    /// ISO weekday (1 = Monday) the desk reports to its center.
    pub desk_report_weekday: u32,
    pub center_report_weekday: u32,
    /// NV-13: the desk's final answer (兜底回复) on a veto whose responsibility is unclear.
    #[serde(default = "default_fallback")]
    pub fallback: RuleSpec,
}

fn default_fallback() -> RuleSpec {
    RuleSpec {
        days: Some(5),
        same_day: false,
        manual: false,
        document:
            "全国默认（参照安行审发〔2024〕7号 三(二)：责任不清的否决事项由“办不成事”反映窗口兜底答复，文件未定天数）"
                .into(),
        local_default: true,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    pub normal: RuleSpec,
    pub complex: RuleSpec,
    /// TC-4: the responsible section contacts the complainant at once (立即联系).
    #[serde(default = "default_complaint_contact")]
    pub contact: RuleSpec,
}

fn default_complaint_contact() -> RuleSpec {
    RuleSpec {
        days: None,
        same_day: true,
        manual: false,
        document: "威环审服发〔2019〕13号 吐槽找茬 四(一)：被“吐槽找茬”后立即与“找茬”人联系核实".into(),
        local_default: false,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// 2 (满意/不满意) or 5 (非常满意 … 非常不满意).
    pub scale: u8,
    pub weight_device: f64,
    pub weight_sms: f64,
    pub weight_callback: f64,
    /// `sum` or `mean` of the four quarters.
    pub year: String,
    pub rectify_contact: RuleSpec,
    pub rectify_fix: RuleSpec,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub id: String,
    pub version: u32,
    pub name: String,
    /// The source document.
    pub document: String,
    /// Working days before a due day that count as "due soon" (reminders go out then).
    pub due_soon_days: u32,
    pub gray_area: GrayArea,
    pub veto: Veto,
    pub unresolved: Unresolved,
    pub complaint: Complaint,
    pub rating: Rating,
    /// How the figures are used (assessment note, shown to the business section).
    pub assessment: String,
    /// AS-1: the weights of the monthly and annual assessment.
    #[serde(default)]
    pub assessment_weights: AssessmentWeights,
    /// Minutes without a request after which a staff session ends (等保: 会话超时).
    #[serde(default = "default_session_idle_minutes")]
    pub session_idle_minutes: u32,
    /// Working days an applicant has to hand in what 容缺受理 left missing, unless the clerk
    /// sets another period (NV-5).
    #[serde(default = "default_supplement_days")]
    pub supplement_days: u32,
    /// NV-6: working days within which the facts promised by a written commitment (告知承诺) are
    /// verified after approval (国办发〔2020〕42号: 在规定期限内核查). No seed sets a number; the
    /// default is noveto's.
    #[serde(default = "default_commitment_check_days")]
    pub commitment_check_days: u32,
    /// How hard guessing is made (security; the hall's own numbers): per account or target
    /// first, then per network address — where a whole hall may share one address behind a
    /// proxy or NAT — with growing delays, never a block for everyone there.
    #[serde(default)]
    pub limits: Limits,
}

/// AS-1: how a unit's or window's month scores: a base, points off per matter behind each
/// figure, and points for satisfaction above (or below) the line; Fuzhou's monthly awards name
/// the best windows. The documents leave the numbers to local practice, so each preset says
/// where its numbers come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssessmentWeights {
    pub base: f64,
    /// Points off per approved veto.
    pub veto: f64,
    /// Per other negative ending (withdrawal, referral of an application, kind change, negative answer).
    pub other_negative: f64,
    /// Per deadline missed.
    pub overdue: f64,
    /// Per 吐槽找茬 complaint about the unit or window.
    pub complaint: f64,
    /// Per 办不成事 matter dispatched to the unit.
    pub unresolved: f64,
    /// Per reply flagged for refusal wording and sent anyway.
    pub flagged_reply: f64,
    /// Points per percentage point of the composite satisfaction above `satisfaction_line`.
    pub satisfaction: f64,
    pub satisfaction_line: f64,
    /// Windows named each month (FZ: monthly awards); 0: none.
    pub monthly_awards: u32,
    pub document: String,
    pub local_default: bool,
}

impl Default for AssessmentWeights {
    fn default() -> Self {
        AssessmentWeights {
            base: 100.0,
            veto: 2.0,
            other_negative: 1.0,
            overdue: 2.0,
            complaint: 1.0,
            unresolved: 1.0,
            flagged_reply: 0.5,
            satisfaction: 0.5,
            satisfaction_line: 90.0,
            monthly_awards: 0,
            document: "全国默认（各文件均将否决、超期、投诉和满意度情况纳入考核，未定分值，取本系统默认分值）".into(),
            local_default: true,
        }
    }
}

/// The throttles of logins and of the public forms. Counted per login, phone or receipt number
/// (a refusal for that one only, or a delay for a login), and per address (a growing delay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Failed logins for one login in 15 minutes after which each try for it waits longer.
    pub login_failures_per_login: u32,
    /// Failed logins from one address in 15 minutes after which each try from there waits
    /// longer (the right password still gets in).
    pub login_failures_per_address: u32,
    /// Online submissions one phone may make in an hour; more are refused for that phone.
    pub submissions_per_phone: u32,
    /// Online submissions from one address in an hour after which each waits longer.
    pub submissions_per_address: u32,
    /// Follow attempts that missed one receipt number in an hour; more are refused for it.
    pub follow_misses_per_receipt: u32,
    /// Follow attempts that missed from one address in an hour after which each waits longer.
    pub follow_misses_per_address: u32,
    /// The longest such wait, in milliseconds.
    pub max_delay_ms: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            login_failures_per_login: 5,
            login_failures_per_address: 30,
            submissions_per_phone: 5,
            submissions_per_address: 30,
            follow_misses_per_receipt: 10,
            follow_misses_per_address: 20,
            max_delay_ms: 2000,
        }
    }
}

impl Limits {
    /// How long the next attempt waits after `count` counted ones with `after` allowed freely:
    /// nothing below it, then 250 ms doubling with each one over, at most `max_delay_ms`.
    pub fn delay(&self, count: i64, after: u32) -> std::time::Duration {
        let over = count - after as i64;
        if over < 0 {
            return std::time::Duration::ZERO;
        }
        let ms = 250u64.saturating_mul(1u64 << over.clamp(0, 16) as u32);
        std::time::Duration::from_millis(ms.min(self.max_delay_ms as u64))
    }
}

fn default_commitment_check_days() -> u32 {
    20
}

fn default_supplement_days() -> u32 {
    5
}

fn default_session_idle_minutes() -> u32 {
    30
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("未知的政策预设“{0}”：可选 national、jilin-etdz、ankang、fuzhou、guilin、weihai-huancui")]
    UnknownPreset(String),
    #[error("政策文件有误：{0}")]
    Invalid(String),
}

impl Policy {
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let p: Policy = toml::from_str(text).map_err(|e| PolicyError::Invalid(e.to_string()))?;
        if p.veto.levels.is_empty() {
            return Err(PolicyError::Invalid("veto.levels 不能为空".into()));
        }
        if p.gray_area.levels.is_empty() {
            return Err(PolicyError::Invalid("gray_area.levels 不能为空".into()));
        }
        let w = p.rating.weight_device + p.rating.weight_sms + p.rating.weight_callback;
        if (w - 1.0).abs() > 1e-9 {
            return Err(PolicyError::Invalid("rating 的三项权重之和须为 1".into()));
        }
        Ok(p)
    }

    pub fn preset(id: &str) -> Result<Policy, PolicyError> {
        let text = preset_text(id).ok_or_else(|| PolicyError::UnknownPreset(id.into()))?;
        Policy::parse(text)
    }

    pub fn source(&self, clause: &str, spec: &RuleSpec) -> Source {
        Source {
            policy: self.id.clone(),
            version: self.version,
            clause: clause.into(),
            document: spec.document.clone(),
        }
    }

    /// The levels that decide a veto request.
    pub fn veto_levels(&self, major: bool) -> &[DecisionLevel] {
        if major && !self.veto.major_levels.is_empty() { &self.veto.major_levels } else { &self.veto.levels }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // POL-1: every preset parses and carries the numbers of POLICIES.md.
    #[test]
    fn pol_1_presets() {
        for id in PRESET_IDS {
            let p = Policy::preset(id).unwrap();
            assert_eq!(p.id, id);
        }
        let ak = Policy::preset("ankang").unwrap();
        assert_eq!(ak.gray_area.normal.days, Some(5));
        assert_eq!(ak.gray_area.major.days, Some(10));
        assert!(ak.gray_area.major_report_same_day);
        assert_eq!(ak.gray_area.major_first_level, DecisionLevel::UnitHead);
        let fz = Policy::preset("fuzhou").unwrap();
        assert_eq!(fz.gray_area.normal.days, Some(1));
        assert_eq!(fz.veto.decision.days, Some(1));
        assert_eq!(fz.veto.decision_special.as_ref().unwrap().days, Some(2));
        let gl = Policy::preset("guilin").unwrap();
        assert_eq!(gl.unresolved.simple.days, Some(3));
        assert_eq!(gl.unresolved.general.days, Some(5));
        assert!(gl.unresolved.complex.manual);
        let wh = Policy::preset("weihai-huancui").unwrap();
        assert_eq!(wh.rating.scale, 2);
        assert_eq!(wh.rating.year, "sum");
        assert_eq!(wh.complaint.normal.days, Some(1));
        let nat = Policy::preset("national").unwrap();
        assert_eq!(nat.rating.scale, 5);
        assert_eq!(nat.rating.year, "mean");
        assert_eq!(nat.veto.levels, vec![DecisionLevel::WindowHead, DecisionLevel::UnitLeader]);
        assert!(matches!(Policy::preset("beijing"), Err(PolicyError::UnknownPreset(_))));
    }
}

#[cfg(test)]
mod source_tests {
    use super::*;

    // POL-1: each preset names its source document as the seed does (number and title).
    #[test]
    fn pol_1_presets_quote_their_sources() {
        for (id, quote) in [
            ("jilin-etdz", "《吉林经开区政务服务窗口无否决权服务机制实施意见》"),
            ("ankang", "安行审发〔2024〕7号"),
            ("fuzhou", "榕政办〔2016〕224号"),
            ("weihai-huancui", "威环审服发〔2019〕13号"),
            ("guilin", "《政务服务大厅设立“办不成事”反映窗口实施方案》"),
        ] {
            let p = Policy::preset(id).unwrap();
            assert!(p.document.contains(quote), "{id}: {}", p.document);
        }
    }
}
