//! HCP-6, TC-7: rectification tasks on the one ticket path — opened by a bad rating (in the
//! rating's write) or by the supervision section for complaints concentrated on a section; put
//! right by the unit (its contact or leaders), a real-name rater called back by the supervision
//! section only; one appeal, decided by the supervision section with its reason.

use crate::tickets::{self, AppTicket, Loaded, View};
use crate::{App, Error, Principal, Result};
use chrono::NaiveDate;
use noveto_domain::access::{Action, Place, Relation, may_somewhere};
use noveto_domain::rectification::{Command, NewRectification, Offer, Origin, Rectification, RectificationError};
use noveto_domain::validate::long_text;
use noveto_store::repo::ratings as repo;
use schemars::JsonSchema;
use serde::Deserialize;

impl From<RectificationError> for Error {
    fn from(e: RectificationError) -> Error {
        let err =
            if e.is_state() { Error::conflict(e.code(), e.to_string()) } else { Error::bad(e.code(), e.to_string()) };
        Error { field: e.field(), ..err }
    }
}

impl AppTicket for Rectification {
    fn center_id(&self) -> i64 {
        self.center_id
    }
    fn receipt(&self) -> &str {
        &self.receipt_no
    }
    fn unit(&self) -> Option<i64> {
        Some(self.unit_id)
    }
    fn policy_ref(&self) -> (&str, u32) {
        (&self.policy_id, self.policy_version)
    }
    fn place(&self, centers: Vec<i64>) -> Place {
        Place { centers, unit: Some(self.unit_id), window: None }
    }
    /// The rater is the supervision section's alone (the rated unit never learns who rated).
    fn relation(&self, _p: &Principal, _l: &Loaded<Self>) -> Relation {
        Relation { works_it: false, confidential: true }
    }
    fn may_read(p: &Principal, l: &Loaded<Self>) -> Result<()> {
        if l.assignee == Some(p.id) || p.may(Action::ReadRatings, &l.place).is_ok() {
            return Ok(());
        }
        Err(Error::forbidden("无权查看该整改事项"))
    }
    fn authorize(p: &Principal, l: &Loaded<Self>, a: Offer) -> Result<()> {
        let unit = l.assignee == Some(p.id) || p.may(Action::HandleRectification, &l.place).is_ok();
        let supervision = p.may(Action::SuperviseComplaint, &l.place).is_ok();
        let ok = match a {
            // A real-name rater is called back by the supervision section only.
            Offer::Verify => match l.origin {
                Origin::Rating { real_name: true, .. } => supervision,
                _ => unit || supervision,
            },
            Offer::Done | Offer::Appeal => unit,
            Offer::DecideAppeal => supervision,
        };
        if ok { Ok(()) } else { Err(Error::forbidden("无权办理该整改事项")) }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenIn {
    pub unit_id: i64,
    /// TC-7: the category the complaints concentrate on.
    pub category: String,
    /// What must be put right.
    pub problem: String,
    /// The complaints it rests on (their receipt numbers).
    #[serde(default)]
    pub receipts: Vec<String>,
    /// The day it must be done by (YYYY-MM-DD); default: the policy's rectification days.
    #[serde(default)]
    pub due: Option<String>,
}

/// TC-7: the supervision section turns complaints concentrated on a section into a task.
pub async fn open_for_complaints(s: &App, p: &Principal, b: OpenIn) -> Result<i64> {
    let category = crate::complaints::parse_category(&b.category)?;
    let problem = long_text("problem", "整改问题", &b.problem, 2000)?;
    let due = match b.due.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        None => None,
        Some(d) => {
            Some(d.parse::<NaiveDate>().map_err(|_| Error::bad("invalid_date", "日期格式应为 2026-12-31").at("due"))?)
        }
    };
    let (unit, contact, _, _) = crate::unresolved::contact_of(s, b.unit_id).await?;
    let (centers, _) = s.center_chain(unit.center_id).await?;
    p.may(Action::SuperviseComplaint, &Place { centers, unit: None, window: None })?;
    let n = NewRectification {
        center_id: unit.center_id,
        unit_id: unit.id,
        assignee: Some(contact),
        origin: Origin::Complaints { category, receipts: b.receipts.into_iter().take(200).collect() },
        problem,
        person: None,
        due,
    };
    Ok(tickets::open::<Rectification>(s, Some(p.id), unit.center_id, n).await?.id)
}

/// The rectifications the caller may read (open ones, or all), due first.
pub async fn visible(s: &App, p: &Principal, open_only: bool) -> Result<Vec<View<Rectification>>> {
    let unit_role = may_somewhere(&p.grants, Action::HandleRectification);
    if !may_somewhere(&p.grants, Action::ReadRatings) && !unit_role && !may_somewhere(&p.grants, Action::RateOnDevice) {
        return Err(Error::forbidden("无权查看整改事项"));
    }
    let rows = s.store.read(move |tx| repo::rectifications(tx, open_only)).await?;
    let mut v = tickets::views(s, p, rows);
    v.sort_by_key(|r| r.due.unwrap_or(NaiveDate::MAX));
    Ok(v)
}

pub async fn get(s: &App, p: &Principal, id: i64) -> Result<View<Rectification>> {
    let l = tickets::load::<Rectification>(s, id).await?;
    tickets::view(s, p, &l)
}

async fn load_for(s: &App, p: &Principal, id: i64, a: Offer) -> Result<Loaded<Rectification>> {
    let l = tickets::load::<Rectification>(s, id).await?;
    <Rectification as AppTicket>::authorize(p, &l, a)?;
    Ok(l)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    pub note: String,
}

/// HCP-6: verified with the rater (the supervision section for a real-name rating).
pub async fn verify(s: &App, p: &Principal, id: i64, b: NoteIn) -> Result<()> {
    let l = load_for(s, p, id, Offer::Verify).await?;
    let note = long_text("note", "核实情况", &b.note, 1000)?;
    let by_supervision = p.may(Action::SuperviseComplaint, &l.place).is_ok();
    tickets::decide(s, Some(p.id), &l, Command::Verify { note, by_supervision }).await?;
    Ok(())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DoneIn {
    /// What was fixed, or why it was not the unit's fault.
    pub measures: String,
    /// How the rater (or the public) was told.
    pub told: String,
}

/// HCP-6, TC-7: put right (or explained) and told.
pub async fn done(s: &App, p: &Principal, id: i64, b: DoneIn) -> Result<()> {
    let l = load_for(s, p, id, Offer::Done).await?;
    let measures = long_text("measures", "整改措施", &b.measures, 2000)?;
    let told = long_text("told", "告知情况", &b.told, 1000)?;
    tickets::decide(s, Some(p.id), &l, Command::Done { measures, told }).await?;
    Ok(())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealIn {
    /// Why the rating is mistaken or malicious, and what shows it.
    pub reason: String,
}

/// HCP-6: the unit appeals a rating it shows to be mistaken or malicious (once).
pub async fn appeal(s: &App, p: &Principal, id: i64, b: AppealIn) -> Result<()> {
    let l = load_for(s, p, id, Offer::Appeal).await?;
    let reason = long_text("reason", "申诉理由", &b.reason, 2000)?;
    tickets::decide(s, Some(p.id), &l, Command::Appeal { reason }).await?;
    Ok(())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    pub upheld: bool,
    pub reason: String,
}

/// HCP-6: the supervision section decides the appeal, the reason kept; upheld, the rating does
/// not count.
pub async fn decide_appeal(s: &App, p: &Principal, id: i64, b: DecisionIn) -> Result<()> {
    let l = load_for(s, p, id, Offer::DecideAppeal).await?;
    let reason = long_text("reason", "决定理由", &b.reason, 2000)?;
    tickets::decide(s, Some(p.id), &l, Command::DecideAppeal { upheld: b.upheld, reason }).await?;
    Ok(())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionIn {
    /// `covert` (明察暗访, the supervision section) or `self_check` (自查自纠, the unit's leaders).
    pub kind: String,
    pub unit_id: i64,
    /// The day it was held (YYYY-MM-DD); default: today.
    #[serde(default)]
    pub held_on: Option<String>,
    /// What was found, and what must be put right.
    pub findings: String,
    /// The day it must be put right by; default: the policy's rectification days.
    #[serde(default)]
    pub due: Option<String>,
}

/// AS-2: an inspection recorded with its findings, followed up to done as a rectification of the
/// unit.
pub async fn record_inspection(s: &App, p: &Principal, b: InspectionIn) -> Result<i64> {
    use noveto_domain::rectification::InspectionKind;
    let kind = InspectionKind::parse(b.kind.trim()).ok_or_else(|| {
        Error::bad("invalid_kind", "检查方式须为 covert（明察暗访）或 self_check（自查自纠）").at("kind")
    })?;
    let findings = long_text("findings", "检查发现的问题", &b.findings, 2000)?;
    let day = |v: &Option<String>, f: &'static str| -> Result<Option<NaiveDate>> {
        match v.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
            None => Ok(None),
            Some(d) => Ok(Some(
                d.parse::<NaiveDate>().map_err(|_| Error::bad("invalid_date", "日期格式应为 2026-12-31").at(f))?,
            )),
        }
    };
    let held_on = day(&b.held_on, "held_on")?.unwrap_or_else(|| noveto_domain::time::local_date(s.now()));
    let due = day(&b.due, "due")?;
    let (unit, contact, _, _) = crate::unresolved::contact_of(s, b.unit_id).await?;
    let (centers, _) = s.center_chain(unit.center_id).await?;
    let place = Place { centers, unit: Some(unit.id), window: None };
    match kind {
        InspectionKind::Covert => p.may(Action::SuperviseComplaint, &place)?,
        InspectionKind::SelfCheck => p.may(Action::HandleRectification, &place)?,
    }
    let n = NewRectification {
        center_id: unit.center_id,
        unit_id: unit.id,
        assignee: Some(contact),
        origin: Origin::Inspection { by: kind, held_on },
        problem: format!("{}（{held_on}）：{findings}", kind.label()),
        person: None,
        due,
    };
    Ok(tickets::open::<Rectification>(s, Some(p.id), unit.center_id, n).await?.id)
}
