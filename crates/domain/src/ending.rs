//! Every way a case can end, named once (NV-2, NV-17).
//!
//! "A clerk cannot say no" is judged from the user's side: whatever path a person takes — an
//! API route, a page's form, a job, a restore — a case ends only in one of the [`ENDINGS`], each
//! with who may end it that way and the proof it leaves. `noveto audit verify` and `restore`
//! check every closed case against this list ([`Case::unproven`]); the endings walk fires every
//! route of the OpenAPI document and every page form at cases in every state and fails on any
//! that closes a case by a route this list does not name for that ending.

use crate::case::{ApprovedVeto, Case, Kind, Outcome, Referral};
use serde::{Deserialize, Serialize};

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// 受理后办结（准予）.
    Approved,
    /// 告知承诺制办结 (NV-6).
    ApprovedByCommitment,
    /// A consultation answered (咨询答复).
    Answered,
    /// 指引: told where to go, the target recorded (NV-3).
    Referred,
    /// 转交: a warm handoff the receiving unit took over with a case of its own (NV-3).
    HandedOver,
    /// 申请人书面撤回，经窗口负责人确认 (NV-2).
    Withdrawn,
    /// 依法无需办理许可，窗口负责人确认并写明法律依据 (WH 一(一)2).
    NotRequired,
    /// 经批准否决 (NV-8): the approved veto request.
    Vetoed,
}

/// One entry of the list: an ending, the outcome it leaves on the case, the timeline event
/// that records it, who may end a case this way, the proof it needs, and every route that can.
#[derive(Debug, Clone, Copy)]
pub struct EndingSpec {
    pub ending: Ending,
    pub outcome: Outcome,
    /// The timeline event that ends the case this way.
    pub event: &'static str,
    /// Whether the applicant does not get what they came for (counted beside the vetoes).
    pub negative: bool,
    pub who: &'static str,
    pub proof: &'static str,
    /// Every route (method and path, `{id}` for a number) that ends a case this way — the JSON
    /// API's and the pages' alike. Jobs and imports end no case: the job runner only reminds
    /// and escalates, and a restore refuses a backup with an unproven ending.
    pub routes: &'static [&'static str],
}

pub const ENDINGS: [EndingSpec; 8] = [
    EndingSpec {
        ending: Ending::Approved,
        outcome: Outcome::Approved,
        event: "closed",
        negative: false,
        who: "受理该件的窗口工作人员（首问责任人或本窗口人员）",
        proof: "已受理；容缺材料已补齐；事项设有办理阶段的，各阶段均已完成",
        // NV-1: finishing the last back-office stage (送达) is the approval.
        routes: &[
            "POST /api/v1/cases/{id}/close",
            "POST /cases/{id}/act/close",
            "POST /api/v1/cases/{id}/stage",
            "POST /cases/{id}/act/stage",
        ],
    },
    EndingSpec {
        ending: Ending::ApprovedByCommitment,
        outcome: Outcome::Approved,
        event: "approved_by_commitment",
        negative: false,
        who: "本窗口工作人员，事项适用告知承诺制",
        proof: "申请人签署的承诺书全文",
        routes: &["POST /api/v1/cases/{id}/commitment", "POST /cases/{id}/act/commitment"],
    },
    EndingSpec {
        ending: Ending::Answered,
        outcome: Outcome::Answered,
        event: "closed",
        negative: false,
        who: "本窗口工作人员，仅限咨询",
        proof: "答复内容；由申请改为咨询的，须有窗口负责人的确认",
        routes: &["POST /api/v1/cases/{id}/close", "POST /cases/{id}/act/close"],
    },
    EndingSpec {
        ending: Ending::Referred,
        outcome: Outcome::Referred,
        event: "referred",
        negative: false,
        who: "本窗口工作人员；本单位办理的事项只能指引到本单位其他窗口或其他中心办理该事项的单位",
        proof: "去处：接收单位和窗口，或外部机构的名称、地址和电话",
        routes: &["POST /api/v1/cases/{id}/referral", "POST /cases/{id}/act/referral"],
    },
    EndingSpec {
        ending: Ending::HandedOver,
        outcome: Outcome::Referred,
        event: "handoff_acknowledged",
        negative: false,
        who: "接收单位的窗口人员确认接收",
        proof: "接收单位另立的办件",
        routes: &["POST /api/v1/cases/{id}/referral/acknowledge", "POST /cases/{id}/acknowledge"],
    },
    EndingSpec {
        ending: Ending::Withdrawn,
        outcome: Outcome::Withdrawn,
        event: "closed",
        negative: true,
        who: "本窗口工作人员，在窗口负责人确认申请人的书面撤回之后",
        proof: "申请人书面撤回申请，经另一人（窗口负责人）确认",
        routes: &["POST /api/v1/cases/{id}/close", "POST /cases/{id}/act/close"],
    },
    EndingSpec {
        ending: Ending::NotRequired,
        outcome: Outcome::NotRequired,
        event: "closed",
        negative: true,
        who: "窗口负责人",
        proof: "法律依据及确认的窗口负责人",
        routes: &["POST /api/v1/cases/{id}/close", "POST /cases/{id}/act/close"],
    },
    EndingSpec {
        ending: Ending::Vetoed,
        outcome: Outcome::Vetoed,
        event: "closed",
        negative: true,
        who: "本窗口工作人员，在政策规定的各层级批准否决之后",
        proof: "经各层级批准的否决报批（理由与法律依据），并向中心报备",
        routes: &["POST /api/v1/cases/{id}/close", "POST /cases/{id}/act/close"],
    },
];

impl Ending {
    pub fn spec(self) -> &'static EndingSpec {
        ENDINGS.iter().find(|s| s.ending == self).unwrap_or(&ENDINGS[0])
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Ending::Approved => "approved",
            Ending::ApprovedByCommitment => "approved_by_commitment",
            Ending::Answered => "answered",
            Ending::Referred => "referred",
            Ending::HandedOver => "handed_over",
            Ending::Withdrawn => "withdrawn",
            Ending::NotRequired => "not_required",
            Ending::Vetoed => "vetoed",
        }
    }
    /// Whether `route` (`METHOD /path` with `{id}` for numbers) may end a case this way.
    pub fn by(self, route: &str) -> bool {
        self.spec().routes.contains(&route)
    }
}

/// What the store holds beside a closed case that its ending's proof is checked against.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// The case's veto request, approved at every level (only the domain can say so).
    pub approved_veto: Option<ApprovedVeto>,
    /// The ids of the case's withdrawals confirmed by someone other than who recorded them.
    pub confirmed_withdrawals: Vec<i64>,
    /// The closing event's detail, as stored.
    pub closed: Option<ClosedDetail>,
}

/// The detail of a stored `closed` event (the fields proof is read from).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ClosedDetail {
    #[serde(default)]
    pub veto_request_id: Option<i64>,
    #[serde(default)]
    pub withdrawal_id: Option<i64>,
    #[serde(default)]
    pub legal_basis: Option<String>,
    #[serde(default)]
    pub confirmed_by: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Whether a referral names where to go: a unit or window of the system, or an outside body
/// with its name, address and a phone.
pub fn referral_has_target(r: &Referral) -> bool {
    let phone = r.contact.chars().filter(|c| c.is_ascii_digit()).count() >= 7;
    r.to_unit_id.is_some()
        || r.to_window_id.is_some()
        || (r.to_body.as_deref().is_some_and(|b| !b.trim().is_empty()) && !r.address.trim().is_empty() && phone)
}

impl Case {
    /// How the case ended, if it is closed: the ending it recorded, or — for cases closed before
    /// endings were recorded — the one its outcome and record show.
    pub fn ending(&self) -> Option<Ending> {
        let o = self.outcome?;
        Some(self.ended.unwrap_or_else(|| self.ending_of_record(o)))
    }

    /// What a closed case lacks of its ending's proof (NV-2), in words; `None` when it has it.
    /// An open case lacks nothing.
    pub fn unproven(&self, e: &Evidence) -> Option<&'static str> {
        if self.status != crate::case::Status::Closed {
            return None;
        }
        let Some(outcome) = self.outcome else { return Some("已办结却没有办结结果") };
        // The proof of what the case claims (its outcome); an ending recorded for another outcome
        // is itself a sign of tampering.
        let ending = match self.ended {
            Some(e) if e.spec().outcome == outcome => e,
            _ => self.ending_of_record(outcome),
        };
        let proof = self.proof_missing(ending, e);
        if proof.is_none() && self.ended.is_some_and(|x| x.spec().outcome != outcome) {
            return Some("办结方式与办结结果不一致");
        }
        proof
    }

    /// The ending a closed case's record shows for `outcome` (cases closed before endings were
    /// recorded, and the check of a record whose ending disagrees with its outcome).
    fn ending_of_record(&self, outcome: Outcome) -> Ending {
        match outcome {
            Outcome::Approved if self.deficiency.is_empty() && self.commitment_signed => Ending::ApprovedByCommitment,
            Outcome::Approved => Ending::Approved,
            Outcome::Answered => Ending::Answered,
            Outcome::Referred if self.linked_case_id.is_some() => Ending::HandedOver,
            Outcome::Referred => Ending::Referred,
            Outcome::Withdrawn => Ending::Withdrawn,
            Outcome::NotRequired => Ending::NotRequired,
            Outcome::Vetoed => Ending::Vetoed,
        }
    }

    fn proof_missing(&self, ending: Ending, e: &Evidence) -> Option<&'static str> {
        // An application turned into a consultation on the clerk's word alone is a refusal
        // by relabelling, whatever it ended as.
        if self.kind_changes.iter().any(|k| k.from == Kind::Application && k.confirmed_by.is_none()) {
            return Some("申请未经窗口负责人确认即被改为咨询");
        }
        match ending {
            Ending::Vetoed => {
                let ok = e.approved_veto.is_some_and(|a| Some(a.request_id()) == self.veto_request_id);
                (!ok).then_some("标为“否决”却没有经批准的否决报批")
            }
            Ending::Withdrawn => {
                let named = e.closed.as_ref().and_then(|c| c.withdrawal_id);
                let ok = match named {
                    Some(w) => e.confirmed_withdrawals.contains(&w),
                    None => !e.confirmed_withdrawals.is_empty(),
                };
                (!ok).then_some("标为“撤回”却没有经窗口负责人确认的书面撤回申请")
            }
            Ending::NotRequired => {
                let basis =
                    e.closed.as_ref().and_then(|c| c.legal_basis.as_deref()).is_some_and(|b| !b.trim().is_empty());
                (!basis || self.kind != Kind::Application).then_some("标为“依法无需办理”却没有法律依据")
            }
            Ending::Answered => (self.kind != Kind::Consultation).then_some("申请被以“已解答”办结"),
            Ending::Referred | Ending::HandedOver => match &self.referral {
                None => Some("标为“指引”却没有指引记录"),
                Some(r) if !referral_has_target(r) => Some("指引没有记录去处（接收单位或外部机构的名称、地址、电话）"),
                Some(r) if r.of_own_item && !self.own_item_target(r) => {
                    Some("本单位办理的申请被指引到本单位其他窗口或其他中心的办理单位以外")
                }
                Some(_) if ending == Ending::HandedOver && self.linked_case_id.is_none() => {
                    Some("标为“转交”却没有接收单位另立的办件")
                }
                Some(_) => None,
            },
            // NV-1: an item's back-office stages are all gone through before it is 办结.
            Ending::Approved => {
                self.stages.iter().any(|s| s.done_at.is_none()).then_some("标为“办结”却有办理阶段未完成")
            }
            Ending::ApprovedByCommitment => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nv_2_every_outcome_has_an_ending_and_every_ending_a_route() {
        for o in [
            Outcome::Approved,
            Outcome::Answered,
            Outcome::Withdrawn,
            Outcome::Referred,
            Outcome::Vetoed,
            Outcome::NotRequired,
        ] {
            assert!(ENDINGS.iter().any(|s| s.outcome == o), "{o:?}");
        }
        for s in &ENDINGS {
            assert!(!s.routes.is_empty() && !s.who.is_empty() && !s.proof.is_empty(), "{:?}", s.ending);
            assert_eq!(s.ending.spec().ending, s.ending);
        }
        // Saying no is counted: the three negative endings and nothing else.
        let negative: Vec<_> = ENDINGS.iter().filter(|s| s.negative).map(|s| s.ending).collect();
        assert_eq!(negative, vec![Ending::Withdrawn, Ending::NotRequired, Ending::Vetoed]);
    }
}
