//! The case and its veto requests, escalations and filings (NV-1 … NV-14): load → authorize →
//! the domain decides → one store write. The API handlers and the pages call these; they parse
//! and present.

use crate::{App, Error, Principal, Result};
use chrono::{DateTime, FixedOffset};
use noveto_domain::access::{Action, DecisionLevel, Place};
use noveto_domain::calendar::Calendar;
use noveto_domain::case::{
    Applicant, Case, Channel, Event, Handlers, ItemRules, Kind, Missing, NewCase, Outcome, Received, Referral, Status,
    VetoRequest, VetoStatus, next_level,
};
use noveto_domain::deadline::{Deadline, Rule};
use noveto_domain::policy::Policy;
use noveto_domain::validate::{Phone, credit_code, id_card, long_text, text};
use noveto_store::StoreError;
use noveto_store::repo::cases::{self as repo, DueInfo, Effect};
use noveto_store::repo::{items, org};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// Computes each deadline's due day and state for the store and the answer.
pub fn dues(c: &Case, cal: &Calendar, policy: &Policy, now: DateTime<FixedOffset>) -> Vec<DueInfo> {
    c.deadlines
        .iter()
        .map(|d| {
            let due = d.due(cal, now).ok().map(|x| x.to_string());
            let state = match d.state(cal, now, policy.due_soon_days) {
                Ok(s) => serde_json::to_value(s).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
                Err(_) => "running".into(),
            };
            DueInfo { what: d.what.clone(), due, state: static_state(&state) }
        })
        .collect()
}

fn static_state(s: &str) -> &'static str {
    match s {
        "met" => "met",
        "paused" => "paused",
        "overdue" => "overdue",
        "due_soon" => "due_soon",
        _ => "running",
    }
}

/// The deadlines as the API shows them: `[{what, due, state, days_left, rule, source}]`.
pub fn deadlines_json(c: &Case, cal: &Calendar, policy: &Policy, now: DateTime<FixedOffset>) -> Value {
    Value::Array(
        c.deadlines
            .iter()
            .map(|d| {
                let due_day = d.due(cal, now).ok();
                let provisional = due_day.is_some_and(|x| cal.is_provisional(x));
                json!({
                    "what": d.what,
                    "due": d.due_at(cal, now).ok().map(noveto_domain::time::rfc3339),
                    "due_day": due_day,
                    "provisional": provisional,
                    "provisional_note": provisional.then_some(noveto_domain::calendar::PROVISIONAL_NOTE),
                    "state": d.state(cal, now, policy.due_soon_days).ok(),
                    "days_left": d.days_left(cal, now).ok(),
                    "rule": d.rule,
                    "source": d.source,
                    "pauses": d.pauses,
                })
            })
            .collect(),
    )
}

pub struct Loaded {
    pub id: i64,
    pub case: Case,
    pub version: i64,
    pub place: Place,
    pub policy: Arc<Policy>,
    /// The working-day calendar of the case's center (its region's local overrides included).
    pub cal: Arc<Calendar>,
}

/// Loads a case with its place; access is the caller's to check.
async fn load_unchecked(s: &App, id: i64) -> Result<Loaded> {
    let (case, version) = s.store.read(move |tx| repo::get(tx, id)).await?.ok_or_else(|| Error::not_found("办件"))?;
    loaded(s, id, case, version).await
}

/// A case read elsewhere (a list read with others), with what deciding on it needs.
async fn loaded(s: &App, id: i64, case: Case, version: i64) -> Result<Loaded> {
    let (centers, region) = s.center_chain(case.center_id).await?;
    let place = Place { centers, unit: case.unit_id, window: case.window_id };
    let policy = s.policy_of(&case.policy_id, case.policy_version);
    Ok(Loaded { id, case, version, place, policy, cal: s.calendar_for(&region) })
}

/// NV-3: whether the caller places the matter at `place` — window head, hall manager, or the
/// consultation desk of its center (the domain's `authorize_placement`).
pub async fn may_place(s: &App, p: &Principal, place: &Place) -> Result<()> {
    let center = place.centers.first().copied();
    let d = crate::org::directory(s).await?;
    let desks: Vec<i64> = d
        .windows
        .iter()
        .filter(|w| w.kind == "consultation_desk" && Some(w.center_id) == center)
        .map(|w| w.id)
        .collect();
    Ok(noveto_domain::access::authorize_placement(&p.grants, place, &desks)?)
}

/// Loads a case and checks that the caller may take `action` on it.
/// NV-10: the units of a cross-unit matter may read it too.
pub async fn load(s: &App, p: &Principal, id: i64, action: Action) -> Result<Loaded> {
    allow(s, p, load_unchecked(s, id).await?, action).await
}

/// Whether the caller may take `action` on a loaded case (see [`load`]): the case back if so.
async fn allow(s: &App, p: &Principal, l: Loaded, action: Action) -> Result<Loaded> {
    let denied = match p.may(action, &l.place) {
        Ok(()) => return Ok(l),
        Err(_) if l.case.first_contact_keeps(p.id, action) => return Ok(l),
        Err(e) => e,
    };
    // NV-3: while a matter waits to be placed, whoever places it reads it and may refer it.
    if l.case.status == Status::Unplaced
        && matches!(action, Action::ReadCase | Action::WorkCase)
        && may_place(s, p, &l.place).await.is_ok()
    {
        return Ok(l);
    }
    if action == Action::ReadCase {
        // NV-3: the receiver of a warm handoff reads the case it is handed.
        if let Some(r) = l.case.referral.clone().filter(|r| r.handoff) {
            let (w, u) = (r.to_window_id, r.to_unit_id);
            let targets = crate::org::handoff_targets(s, w, u).await?;
            if targets.iter().any(|t| p.may(Action::WorkCase, t).is_ok()) {
                return Ok(l);
            }
        }
        // NV-1: whoever works at a unit one of its stages names (at the unit or any of its windows).
        for u in l.case.stages.iter().filter_map(|st| st.unit_id) {
            if works_at_unit(s, p, u).await? {
                return Ok(l);
            }
        }
        for u in l.case.cross_units.clone() {
            if let Some(place) = s.store.read(move |tx| org::place_of_unit(tx, u)).await?
                && p.may(action, &place).is_ok()
            {
                return Ok(l);
            }
        }
    }
    Err(denied)
}

/// Writes a changed case with its event and what the change brings with it (`effects`), in
/// one store write through `repo::cases::apply` — the only way a case changes. Returns the ids
/// of rows the effects created.
pub async fn save(s: &App, p: &Principal, l: &Loaded, ev: Event, effects: Vec<Effect>) -> Result<Vec<i64>> {
    save_as(s, Some(p.id), l, ev, effects).await
}

/// [`save`] by a person or, with `actor` None, by the system (the job runner).
async fn save_as(s: &App, actor: Option<i64>, l: &Loaded, ev: Event, effects: Vec<Effect>) -> Result<Vec<i64>> {
    let now = s.now();
    let dues = dues(&l.case, &l.cal, &l.policy, now);
    let ctx = noveto_store::repo::Ctx { actor, now: noveto_domain::time::rfc3339(now) };
    let (id, version, case) = (l.id, l.version, l.case.clone());
    Ok(s.store.write(move |tx| repo::apply(tx, &ctx, id, version, &case, &ev, &dues, &effects)).await?)
}

pub async fn item_rules(s: &App, code: Option<String>) -> Result<(ItemRules, Option<items::Item>)> {
    let Some(code) = code else {
        return Ok((ItemRules::default(), None));
    };
    let item = s.store.read(move |tx| items::get(tx, &code)).await?;
    Ok(match item {
        Some(i) => (i.rules(), Some(i)),
        None => (ItemRules::default(), None),
    })
}

/// The units that handle an item (its own and those at other centers), each with its center.
pub async fn item_handlers(s: &App, item: Option<&items::Item>) -> Result<Handlers> {
    let Some(item) = item else { return Ok(Handlers::default()) };
    let d = crate::org::directory(s).await?;
    let units = item
        .unit_id
        .into_iter()
        .chain(item.other_units.iter().copied())
        .filter_map(|u| d.units.iter().find(|x| x.id == u).map(|x| (x.id, x.center_id)))
        .collect();
    Ok(Handlers { units })
}

// ---------------------------------------------------------------------------------------------

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantIn {
    pub name: String,
    /// Organization name, for companies.
    pub org: Option<String>,
    /// 统一社会信用代码, checked when given.
    pub credit_code: Option<String>,
    /// 居民身份证号码, checked when given (the same as `id_type: "id_card"` with `id_number`).
    pub id_card: Option<String>,
    /// 证件类型 of `id_number`: id_card (the default), residence_permit, hk_macao_permit,
    /// taiwan_permit, foreign_permanent or passport.
    pub id_type: Option<String>,
    /// 证件号码, checked as its type's numbers are.
    pub id_number: Option<String>,
    pub phone: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseIn {
    /// application | consultation
    pub kind: String,
    /// window | online | phone
    pub channel: String,
    pub item_code: Option<String>,
    pub applicant: ApplicantIn,
    pub request: String,
    /// The window or desk receiving it; defaults to the caller's window.
    pub window_id: Option<i64>,
    /// NV-12: the pre-screening (`POST /api/v1/prescreens`) this registration follows; its
    /// ticked materials become the acceptance form's starting point.
    #[serde(default)]
    pub prescreen_id: Option<i64>,
}

pub struct ParsedCase {
    pub kind: Kind,
    pub channel: Channel,
    pub item_code: Option<String>,
    pub applicant: Applicant,
    pub request: String,
    pub window_id: Option<i64>,
    /// NV-12: the pre-screening the matter is registered from.
    pub prescreen_id: Option<i64>,
}

/// The applicant's identity document from `id_card`, or from `id_type` and `id_number`.
fn id_doc_of(a: &ApplicantIn) -> Result<Option<noveto_domain::case::IdDocument>> {
    use noveto_domain::case::{IdDocument, IdKind};
    let given = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let card = given(&a.id_card)
        .map(|n| id_card(&n).map(|number| IdDocument { kind: IdKind::IdCard, number }))
        .transpose()
        .map_err(|e| Error::from(e).at("applicant.id_card"))?;
    let Some(number) = given(&a.id_number) else { return Ok(card) };
    let kind = match given(&a.id_type) {
        None => IdKind::IdCard,
        Some(t) => IdKind::parse(&t).ok_or_else(|| {
            let kinds: Vec<String> = IdKind::ALL.iter().map(|k| format!("{}（{}）", k.as_str(), k.label())).collect();
            Error::bad("invalid_id_type", format!("证件类型须为 {} 之一", kinds.join("、"))).at("applicant.id_type")
        })?,
    };
    let doc =
        noveto_domain::validate::id_document(kind, &number).map_err(|e| Error::from(e).at("applicant.id_number"))?;
    if card.as_ref().is_some_and(|c| *c != doc) {
        return Err(Error::bad("id_conflict", "id_card 与 id_number 不一致，请只填一个").at("applicant.id_number"));
    }
    Ok(Some(doc))
}

/// Reads a registration, the first thing wrong with it as the error (the API's answer).
pub fn parse_case(b: CaseIn) -> Result<ParsedCase> {
    check_case(b).map_err(|mut e| e.swap_remove(0))
}

/// Reads a registration, or says everything wrong with it at once, each error with its field
/// (issue 31, item 3: the registration form shows them all beside their fields).
pub fn check_case(b: CaseIn) -> std::result::Result<ParsedCase, Vec<Error>> {
    let mut errs: Vec<Error> = vec![];
    let kind = match b.kind.as_str() {
        "application" => Kind::Application,
        "consultation" => Kind::Consultation,
        _ => {
            errs.push(Error::bad("invalid_kind", "kind 须为 application（申请）或 consultation（咨询）").at("kind"));
            Kind::Application
        }
    };
    let channel = match b.channel.as_str() {
        "window" => Channel::Window,
        "online" => Channel::Online,
        "phone" => Channel::Phone,
        _ => {
            errs.push(Error::bad("invalid_channel", "channel 须为 window、online 或 phone").at("channel"));
            Channel::Window
        }
    };
    let mut ok = |r: Result<String>| r.map_err(|e| errs.push(e)).unwrap_or_default();
    let name = ok(text("applicant.name", "申请人姓名", &b.applicant.name, 50).map_err(Error::from));
    let phone = ok(Phone::parse(&b.applicant.phone).map(|p| p.as_str().to_string()).map_err(Error::from));
    let org = b
        .applicant
        .org
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| ok(text("applicant.org", "单位名称", o, 100).map_err(Error::from)));
    let credit_code = b
        .applicant
        .credit_code
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|cc| ok(credit_code(cc).map_err(|e| Error::from(e).at("applicant.credit_code"))));
    let id_doc = id_doc_of(&b.applicant).map_err(|e| errs.push(e)).unwrap_or(None);
    let request =
        long_text("request", "诉求内容", &b.request, 4000).map_err(|e| errs.push(e.into())).unwrap_or_default();
    if !errs.is_empty() {
        return Err(errs);
    }
    let item_code = b.item_code.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    Ok(ParsedCase {
        kind,
        channel,
        item_code,
        applicant: Applicant { name, org, phone, id_doc, credit_code },
        request,
        window_id: b.window_id,
        prescreen_id: b.prescreen_id,
    })
}

/// NV-1: opens a case; the caller becomes its first contact.
pub async fn open_case(s: &App, p: &Principal, c: ParsedCase) -> Result<(i64, String, Case)> {
    let window_id = match c.window_id {
        Some(w) => w,
        None => p.own_window().ok_or_else(|| Error::bad("window_required", "请填写受理窗口 window_id"))?,
    };
    // One read: the window, its centers and region.
    let found = s.window_place(window_id).await?;
    let (w, centers, region) = found.ok_or_else(|| Error::bad("unknown_window", format!("窗口 {window_id} 不存在")))?;
    p.may(Action::OpenCase, &Place { centers, unit: w.unit_id, window: Some(window_id) })?;
    let item_version = match c.item_code.clone() {
        Some(code) => match s.store.read(move |tx| items::get(tx, &code)).await? {
            Some(i) => Some(i.version),
            None => return Err(Error::bad("unknown_item", "事项编码不存在：请从事项库中选择，或不填事项")),
        },
        None => None,
    };
    let now = s.now();
    let policy = s.policy();
    let prefix = format!("NV{}", now.format("%Y%m%d"));
    let (case, ev) = Case::open(
        NewCase {
            receipt_no: prefix,
            kind: c.kind,
            channel: c.channel,
            item_code: c.item_code,
            applicant: c.applicant,
            request: c.request,
            center_id: w.center_id,
            unit_id: w.unit_id,
            window_id: Some(window_id),
            first_contact_id: p.id,
        },
        &policy,
        now,
    );
    let case = case.with_item_version(item_version);
    let dues = dues(&case, &s.calendar_for(&region), &policy, now);
    let ctx = p.ctx(&noveto_domain::time::rfc3339(now));
    let c2 = case.clone();
    // NV-12: registered from a pre-screening the caller may read — linked in the same write.
    let prescreen = match c.prescreen_id {
        Some(ps) => Some(crate::prescreen::get(s, p, ps).await.map_err(|e| e.at("prescreen_id"))?.id),
        None => None,
    };
    let (id, receipt) = s
        .store
        .write(move |tx| {
            let (id, receipt) = repo::insert(tx, &ctx, &c2, &ev, &dues)?;
            if let Some(ps) = prescreen {
                noveto_store::repo::prescreens::link_case(tx, &ctx, ps, id)?;
            }
            Ok::<_, StoreError>((id, receipt))
        })
        .await?;
    Ok((id, receipt.clone(), case.numbered(receipt)))
}

/// The applicant as `p` may see them on this case, and whether anything was held back: the
/// access layer's [`seen`](noveto_domain::access::seen) with the case's relation (whoever works
/// cases at its place works it). The one decision behind the case read, its printed documents
/// and its files.
pub fn applicant_for(p: &Principal, l: &Loaded) -> (Applicant, bool) {
    let works_it = p.may(Action::WorkCase, &l.place).is_ok() || l.case.first_contact_id == p.id;
    let seen = noveto_domain::access::seen(
        &p.grants,
        &l.place,
        noveto_domain::access::Relation { works_it, confidential: false },
    );
    let mut applicant = l.case.applicant.clone();
    applicant.name = seen.name(&applicant.name);
    applicant.phone = seen.phone(&applicant.phone);
    if let Some(d) = applicant.id_doc.as_mut() {
        d.number = seen.id_number(&d.number);
    }
    applicant.credit_code = applicant.credit_code.as_deref().map(|c| seen.id_number(c));
    (applicant, seen.redacts())
}

pub async fn case_json(s: &App, p: &Principal, l: &Loaded) -> Result<Value> {
    let id = l.id;
    let vid = l.case.veto_request_id;
    let (timeline, esc, (veto, names), withdrawals) = s
        .store
        .read(move |tx| {
            let v = match vid {
                Some(v) => repo::get_veto(tx, v)?,
                None => None,
            };
            let w = repo::withdrawals_of_case(tx, id)?;
            // The deciders' names, for the chain as people read it.
            let names = org::staff_names(tx, v.iter().flat_map(|v| v.chain.iter().map(|d| d.decided_by)))?;
            Ok::<_, StoreError>((repo::timeline(tx, id)?, repo::open_escalation_of_case(tx, id)?, (v, names), w))
        })
        .await?;
    let now = s.now();
    let c = &l.case;
    let (applicant, masked) = applicant_for(p, l);
    // The contract's names: `applicant.id_card` for a 居民身份证, beside the typed document.
    let mut applicant = serde_json::to_value(&applicant).unwrap_or_default();
    if let Some(d) = l.case.applicant.id_doc.as_ref() {
        applicant["id_doc"]["kind_label"] = json!(d.kind.label());
        if d.kind == noveto_domain::case::IdKind::IdCard {
            applicant["id_card"] = applicant["id_doc"]["number"].clone();
        }
    }
    // NV-13: the desk's final answer when the veto fell back to it.
    let fallback = crate::unresolved::fallback_of_case(s, l.id).await?.map(|m| {
        json!({"unresolved_id": m.id, "receipt_no": m.receipt_no, "status": m.status, "status_label": m.status.label(),
               "answer": m.result, "reason": m.fallback.as_ref().map(|f| f.reason.clone())})
    });
    Ok(json!({
        "fallback": fallback,
        "id": l.id,
        "receipt_no": c.receipt_no,
        "kind": c.kind,
        "channel": c.channel,
        "status": c.status.as_str(),
        "status_label": c.status.label(),
        "outcome": c.outcome,
        "item_code": c.item_code,
        "item_version": c.item_version,
        "applicant": applicant,
        "personal_data_masked": masked,
        "request": c.request,
        "center_id": c.center_id,
        "unit_id": c.unit_id,
        "window_id": c.window_id,
        "first_contact_id": c.first_contact_id,
        "opened_at": noveto_domain::time::rfc3339(c.opened_at),
        "closed_at": c.closed_at.map(noveto_domain::time::rfc3339),
        "visits": c.visits,
        "notified": c.notified,
        "deficiency": c.deficiency,
        "referral": c.referral,
        "linked_case_id": c.linked_case_id,
        "growth_request": c.growth_request,
        "kind_request": c.kind_request,
        "kind_changes": c.kind_changes,
        "ending": c.ending(),
        "received": c.received,
        "reply_promised": c.reply_promised,
        "reply_extended": c.reply_extended,
        "stages": c.stages.iter().enumerate().map(|(n, st)| json!({
            "name": st.name,
            "unit_id": st.unit_id,
            "share": st.share,
            "state": st.state(),
            "due": c.stage_deadline(n).and_then(|d| d.due(&l.cal, s.now()).ok()),
            "started_at": st.started_at.map(noveto_domain::time::rfc3339),
            "done_at": st.done_at.map(noveto_domain::time::rfc3339),
            "done_by": st.done_by,
            "note": st.note,
        })).collect::<Vec<_>>(),
        "current_stage": c.current_stage().map(|n| c.stages[n].name.clone()),
        "linked_from": c.linked_from,
        "withdrawals": withdrawals,
        "cross_units": c.cross_units,
        "lead_unit_id": c.lead_unit_id,
        "consultations": c.consultations,
        "assistance": c.assistance,
        "veto_request_id": c.veto_request_id,
        "veto_status": veto.as_ref().map(|v| v.status.as_str()),
        "veto_approved": veto.as_ref().is_some_and(|v| v.approved().is_some()),
        "veto_level": veto.as_ref().and_then(|v| v.level()),
        "veto_reason": veto.as_ref().map(|v| v.reason.clone()),
        "veto_legal_basis": veto.as_ref().map(|v| v.legal_basis.clone()),
        "veto_chain": veto.as_ref().map(|v| v.chain.iter().map(|d| json!({
            "level": d.level,
            "level_label": d.level.label(),
            "decided_by": d.decided_by,
            "decided_by_name": names.get(&d.decided_by),
            "on_behalf": d.on_behalf,
            "approve": d.approve,
            "opinion": d.opinion,
            "at": noveto_domain::time::rfc3339(d.at),
        })).collect::<Vec<_>>()),
        "open_escalation": esc,
        "policy": {"id": c.policy_id, "version": c.policy_version},
        "timeline": timeline,
        "deadlines": deadlines_json(c, &l.cal, &l.policy, now),
    }))
}

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AcceptIn {
    /// What the applicant handed in, printed on the 受理通知书 / 收件凭证 (optional).
    #[serde(default)]
    pub materials: Vec<ReceivedIn>,
}

#[derive(Deserialize, JsonSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct ReceivedIn {
    pub material: String,
    /// 原件 (true, the default) or 复印件 (false).
    #[serde(default = "yes")]
    pub original: bool,
    /// How many copies (default 1).
    #[serde(default = "one")]
    pub copies: u32,
}

fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}

/// 受理. What was handed in is recorded with it (original or copy, how many).
pub async fn do_accept(s: &App, p: &Principal, id: i64, b: AcceptIn) -> Result<()> {
    if b.materials.len() > 100 {
        return Err(Error::bad("too_many", "一次最多登记 100 项材料").at("materials"));
    }
    let mut received = vec![];
    for m in &b.materials {
        let material = text("materials", "材料名称", &m.material, 100)?;
        if !(1..=99).contains(&m.copies) {
            return Err(Error::bad("invalid_copies", "份数须在 1 到 99 之间").at("materials"));
        }
        received.push(Received { material, original: m.original, copies: m.copies });
    }
    let mut l = load(s, p, id, Action::WorkCase).await?;
    let (rules, _) = item_rules(s, l.case.item_code.clone()).await?;
    let ev = l.case.accept(&rules, &l.policy, received, s.now())?;
    save(s, p, &l, ev, vec![]).await.map(|_| ())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralIn {
    pub to_unit_id: Option<i64>,
    pub to_window_id: Option<i64>,
    /// An outside body (not stationed at a center), by name; `address` and `contact` (with a
    /// phone) then say where it is. Every referral names a unit, a window or such a body.
    #[serde(default)]
    pub to_body: Option<String>,
    /// Where to go: building, floor, window.
    pub address: String,
    /// Whom to contact and how (phone).
    pub contact: String,
    /// What to bring and how it is done.
    pub how: String,
    /// Warm handoff: the receiving unit must acknowledge.
    #[serde(default)]
    pub handoff: bool,
}

/// 指引 (NV-3): every referral names where to go — a unit or window of the system (named as it
/// is now, for the slip and for the applicant), or an outside body with address and phone — and
/// the domain decides whether this matter may go there (an application of the window's own item
/// only to another window of its unit or the item's unit at another center).
pub async fn do_referral(s: &App, p: &Principal, id: i64, b: ReferralIn) -> Result<()> {
    let address = long_text("address", "去处（地址/窗口）", &b.address, 200)?;
    let contact = long_text("contact", "联系人及电话", &b.contact, 200)?;
    let how = long_text("how", "办理方式", &b.how, 1000)?;
    let to_body = match b.to_body.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        Some(body) if b.to_unit_id.is_none() && b.to_window_id.is_none() => {
            if b.handoff {
                return Err(Error::bad("handoff_target_required", "转交只能交给中心的进驻单位或窗口").at("to_body"));
            }
            if contact.chars().filter(|c| c.is_ascii_digit()).count() < 7 {
                return Err(Error::bad("phone_required", "指引到外部机构，须写明其联系电话").at("contact"));
            }
            Some(text("to_body", "外部机构名称", body, 100)?)
        }
        Some(_) => {
            return Err(Error::bad("two_targets", "请只选一个去处：中心的单位（窗口），或外部机构").at("to_body"));
        }
        None => None,
    };
    let d = crate::org::directory(s).await?;
    let window = match b.to_window_id {
        Some(w) => Some(
            d.windows
                .iter()
                .find(|x| x.id == w)
                .cloned()
                .ok_or_else(|| Error::bad("unknown_window", "接收窗口不存在"))?,
        ),
        None => None,
    };
    if let (Some(w), Some(u)) = (&window, b.to_unit_id)
        && w.unit_id != Some(u)
    {
        return Err(Error::bad("window_not_in_unit", "接收窗口不属于所选的接收单位").at("to_window_id"));
    }
    let unit_id = b.to_unit_id.or(window.as_ref().and_then(|w| w.unit_id));
    let unit = match unit_id {
        Some(u) => Some(
            d.units.iter().find(|x| x.id == u).cloned().ok_or_else(|| Error::bad("unknown_unit", "接收单位不存在"))?,
        ),
        None => None,
    };
    if b.handoff && unit.is_none() && window.is_none() {
        return Err(Error::bad("handoff_target_required", "转交须指定接收单位或窗口").at("to_unit_id"));
    }
    let center_id = window.as_ref().map(|w| w.center_id).or(unit.as_ref().map(|u| u.center_id));
    let center_name = center_id.and_then(|c| d.centers.iter().find(|x| x.id == c)).map(|c| c.name.clone());
    let mut l = load(s, p, id, Action::WorkCase).await?;
    let r = Referral {
        to_unit_id: unit_id,
        to_window_id: b.to_window_id,
        to_center_id: center_id,
        to_unit_name: unit.map(|u| u.name),
        to_window_name: window.map(|w| w.name),
        to_center_name: center_name,
        to_body,
        address,
        contact,
        how,
        handoff: b.handoff,
        acknowledged_by: None,
        of_own_item: false,
    };
    let (_, item) = item_rules(s, l.case.item_code.clone()).await?;
    let handlers = item_handlers(s, item.as_ref()).await?;
    let ev = l.case.refer(r, &handlers, s.now())?;
    save(s, p, &l, ev, vec![]).await.map(|_| ())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KindIn {
    /// `application` or `consultation`: what the matter really is.
    pub kind: String,
    /// Why it was recorded wrongly (shown on the timeline and audited).
    pub reason: String,
}

/// NV-2: a matter recorded as the wrong kind is corrected, with the reason, by whoever works
/// it; an application becomes a consultation only before anything was done on it, and is then
/// counted in the month's roll-up beside the vetoes.
pub async fn do_change_kind(s: &App, p: &Principal, id: i64, b: KindIn) -> Result<()> {
    let to = match b.kind.as_str() {
        "application" => noveto_domain::case::Kind::Application,
        "consultation" => noveto_domain::case::Kind::Consultation,
        _ => return Err(Error::bad("invalid_kind", "kind 须为 application（申请）或 consultation（咨询）").at("kind")),
    };
    let reason = long_text("reason", "理由", &b.reason, 1000)?;
    let mut l = load(s, p, id, Action::WorkCase).await?;
    let ev = l.case.change_kind(to, &reason, p.id, s.now())?;
    // Issue 31 (being told): a request to make an application a consultation reaches the window
    // heads who may confirm it, in the same write.
    let mut told = vec![];
    if ev.kind() == "kind_change_requested" {
        let place = l.place.clone();
        let heads =
            s.store.read(move |tx| org::holders_at(tx, &[noveto_domain::access::Role::WindowHead], &place)).await?;
        let receipt = l.case.receipt_no.clone();
        for head in heads.into_iter().filter(|h| *h != p.id) {
            told.push(Effect::Notify(crate::jobs::staff_message(
                head,
                format!("申请改为咨询待确认：{receipt}"),
                format!(
                    "办件 {receipt} 的经办人申请将申请改为咨询，理由：{reason}。请到“待我审批”确认或不同意（/inbox）。"
                ),
                format!("kind:{id}:{}:head:{head}", l.version),
            )));
        }
    }
    save(s, p, &l, ev, told).await.map(|_| ())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KindDecisionIn {
    pub approve: bool,
    /// Required when refusing: why it stays an application.
    #[serde(default)]
    pub opinion: String,
}

/// NV-2: the window head confirms (or refuses, with the reason) a clerk's request to make an
/// application a consultation — never the one who asked.
pub async fn do_decide_kind(s: &App, p: &Principal, id: i64, b: KindDecisionIn) -> Result<()> {
    let mut l = load(s, p, id, Action::ReadCase).await?;
    p.may(Action::Decide(DecisionLevel::WindowHead), &l.place)?;
    let opinion: String = b.opinion.chars().take(1000).collect();
    let asked = l.case.kind_request.as_ref().map(|k| k.requested_by);
    let ev = l.case.decide_kind_change(b.approve, p.id, &opinion, s.now())?;
    // The clerk who asked hears the answer.
    let receipt = l.case.receipt_no.clone();
    let told = asked
        .map(|clerk| {
            let (subject, body) = if b.approve {
                (
                    format!("已同意改为咨询：{receipt}"),
                    format!("窗口负责人已同意将办件 {receipt} 改为咨询（/cases/{id}）。"),
                )
            } else {
                (
                    format!("不同意改为咨询：{receipt}"),
                    format!("窗口负责人不同意将办件 {receipt} 改为咨询，请仍按申请办理：{opinion}（/cases/{id}）。"),
                )
            };
            Effect::Notify(crate::jobs::staff_message(clerk, subject, body, format!("kind:{id}:{}:decided", l.version)))
        })
        .into_iter()
        .collect();
    save(s, p, &l, ev, told).await.map(|_| ())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementIn {
    /// What the window could not place: the matter in the applicant's words, what was tried.
    pub question: String,
}

/// NV-3: nobody at the window knows whose the matter is. It goes to the window head or the
/// hall manager, who must place it within the policy's `gray_area.placement` deadline; the
/// first contact keeps it meanwhile.
pub async fn do_ask_placement(s: &App, p: &Principal, id: i64, b: PlacementIn) -> Result<Value> {
    let question = long_text("question", "情况说明", &b.question, 1000)?;
    let mut l = load(s, p, id, Action::WorkCase).await?;
    let now = s.now();
    let spec = &l.policy.gray_area.placement;
    let rule = spec.rule(None).ok_or_else(|| Error::bad("manual_deadline", "该期限须人工设定"))?;
    let dl = Deadline::new("placement", now, rule, l.policy.source("gray_area.placement", spec));
    let due = noveto_domain::time::rfc3339(dl.due_at(&l.cal, now)?);
    let ev = l.case.ask_placement(dl, &question)?;
    save(s, p, &l, ev, vec![]).await?;
    Ok(json!({"case_id": id, "status": "unplaced", "due": due}))
}

/// NV-3: the window head or hall manager places the matter at its window (to place it
/// elsewhere they refer it, with or without a warm handoff).
/// Returns the status the matter is back in.
pub async fn do_place_here(s: &App, p: &Principal, id: i64) -> Result<&'static str> {
    let mut l = load(s, p, id, Action::ReadCase).await?;
    may_place(s, p, &l.place).await?;
    let ev = l.case.place_here(s.now())?;
    save(s, p, &l, ev, vec![]).await?;
    Ok(l.case.status.as_str())
}

/// NV-3: the receiver takes a warm handoff over. The receiving unit gets its own case, linked
/// to this one, with the receiver as its first contact; this one ends as referred, naming it.
/// Until then the handed-off case stays open with its first contact. Returns the new case's id.
pub async fn do_acknowledge(s: &App, p: &Principal, id: i64) -> Result<i64> {
    // The receiving unit acknowledges: access is checked against the target, not the case.
    let l = load_unchecked(s, id).await?;
    let Some(r) = l.case.referral.clone().filter(|r| r.handoff) else {
        return Err(noveto_domain::case::CaseError::NoHandoff.into());
    };
    // The receiver: the target window, or any window of the target unit.
    let (w, u) = (r.to_window_id, r.to_unit_id);
    let targets = crate::org::handoff_targets(s, w, u).await?;
    let Some(target) = targets.iter().find(|t| p.may(Action::WorkCase, t).is_ok()).cloned() else {
        return Err(match targets.first() {
            Some(t) => p.may(Action::WorkCase, t).err().unwrap_or_else(|| Error::forbidden("无权确认接收")),
            None => Error::not_found("接收单位"),
        });
    };
    // The receiving window: the one named, else the receiver's own window in the target unit.
    let window_id = target.window.or_else(|| p.own_window());
    let center_id = *target.centers.first().ok_or_else(Error::internal)?;
    let region = s.center_chain(center_id).await?.1;
    let now = s.now();
    let policy = s.policy();
    let (new_case, new_ev) = Case::open(
        NewCase {
            receipt_no: format!("NV{}", now.format("%Y%m%d")),
            kind: l.case.kind,
            channel: l.case.channel,
            item_code: None,
            applicant: l.case.applicant.clone(),
            request: l.case.request.clone(),
            center_id,
            unit_id: target.unit.or(u),
            window_id,
            first_contact_id: p.id,
        },
        &policy,
        now,
    );
    let new_case = new_case.linked_from(id);
    let new_dues = dues(&new_case, &s.calendar_for(&region), &policy, now);
    // The domain says whether it can be taken over (not twice) before anything is written.
    l.case.clone().acknowledge_handoff(p.id, 0, now)?;
    let (version, mut case, cal, old_policy) = (l.version, l.case.clone(), l.cal.clone(), l.policy.clone());
    let (ctx, by) = (p.ctx(&noveto_domain::time::rfc3339(now)), p.id);
    let (nid, _) = s
        .store
        .write(move |tx| {
            repo::hand_over(tx, &ctx, &new_case, &new_ev, &new_dues, id, version, |nid| {
                let ev = case.acknowledge_handoff(by, nid, now)?;
                let d = dues(&case, &cal, &old_policy, now);
                Ok::<_, Error>((case, ev, d))
            })
        })
        .await?;
    Ok(nid)
}

#[derive(Deserialize, JsonSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct MissingIn {
    pub material: String,
    #[serde(default)]
    pub how_to_fix: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeIn {
    pub missing: Vec<MissingIn>,
    /// Issue the notice even though its free text was flagged for refusal wording (NV-14).
    #[serde(default)]
    pub confirm_phrases: bool,
}

fn parse_missing(m: &[MissingIn]) -> Result<Vec<Missing>> {
    if m.len() > 100 {
        return Err(Error::bad("too_many", "一次最多列出 100 项材料"));
    }
    m.iter()
        .map(|x| {
            Ok(Missing {
                material: text("missing.material", "材料名称", &x.material, 100)?,
                how_to_fix: x.how_to_fix.trim().chars().take(500).collect(),
            })
        })
        .collect()
}

/// NV-4: a later notice may grow only with the window head's approval: a window head issuing
/// it is that approval.
pub async fn do_notice(s: &App, p: &Principal, id: i64, b: NoticeIn) -> Result<()> {
    let missing = parse_missing(&b.missing)?;
    for m in &missing {
        applicant_text("一次性告知书的补正说明", &m.how_to_fix, b.confirm_phrases)?;
    }
    let mut l = load(s, p, id, Action::WorkCase).await?;
    let head = p.may(Action::Decide(DecisionLevel::WindowHead), &l.place).is_ok();
    let ev = l.case.notify(missing, head, s.now())?;
    save(s, p, &l, ev, vec![]).await.map(|_| ())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrowthIn {
    pub missing: Vec<MissingIn>,
    /// Why the first notice did not list these (e.g. what the review found).
    pub reason: String,
}

/// NV-4: a later notice would add materials — the clerk asks the window head from the same
/// form, with the reason; the head's inbox lists the request.
pub async fn do_request_growth(s: &App, p: &Principal, id: i64, b: GrowthIn) -> Result<()> {
    let missing = parse_missing(&b.missing)?;
    let reason = long_text("reason", "新增材料的理由", &b.reason, 1000)?;
    let mut l = load(s, p, id, Action::WorkCase).await?;
    let ev = l.case.request_growth(missing, &reason, p.id, s.now())?;
    save(s, p, &l, ev, vec![]).await.map(|_| ())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrowthDecisionIn {
    pub approve: bool,
    /// Required when refusing: why the materials may not be added.
    #[serde(default)]
    pub opinion: String,
}

/// NV-4: the window head decides a growth request; approved, the notice goes out (the answer
/// comes back to the clerk's case as its next event).
pub async fn do_decide_growth(s: &App, p: &Principal, id: i64, b: GrowthDecisionIn) -> Result<()> {
    let mut l = load(s, p, id, Action::ReadCase).await?;
    p.may(Action::Decide(DecisionLevel::WindowHead), &l.place)?;
    let opinion: String = b.opinion.chars().take(1000).collect();
    let ev = l.case.decide_growth(b.approve, p.id, &opinion, s.now())?;
    save(s, p, &l, ev, vec![]).await.map(|_| ())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeficiencyIn {
    pub missing: Vec<MissingIn>,
    pub commitment_signed: bool,
    /// Working days to supplement; default: the policy's `supplement_days`.
    pub supplement_days: Option<u32>,
}

pub async fn do_deficiency(s: &App, p: &Principal, id: i64, b: DeficiencyIn) -> Result<()> {
    let missing = parse_missing(&b.missing)?;
    let mut l = load(s, p, id, Action::WorkCase).await?;
    let (rules, _) = item_rules(s, l.case.item_code.clone()).await?;
    let days = b.supplement_days.unwrap_or(l.policy.supplement_days).clamp(1, 60);
    let now = s.now();
    let dl = Deadline::new(
        "supplement",
        now,
        Rule::WorkingDays { days },
        noveto_domain::deadline::Source {
            policy: l.policy.id.clone(),
            version: l.policy.version,
            clause: "deficiency.supplement".into(),
            document: "容缺受理补正期限（窗口约定）".into(),
        },
    );
    let ev = l.case.accept_with_deficiency(&rules, missing, b.commitment_signed, dl)?;
    save(s, p, &l, ev, vec![]).await.map(|_| ())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentIn {
    /// The commitment text the applicant signed, kept for later verification.
    pub commitment: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationIn {
    pub reason: String,
    #[serde(default)]
    pub major: bool,
    /// A major, difficult matter that needs specialist study or expert review (专家论证): the
    /// reply deadline is set by hand, with its reason — only where the policy allows it
    /// (`gray_area.expert_study`, FZ 五(二)).
    #[serde(default)]
    pub expert_study: Option<ExpertStudyIn>,
    /// Moving a matter up keeps the reply date the applicant was promised; give the reason here
    /// to let the new level's own deadline run past it (the applicant reads the reason).
    #[serde(default)]
    pub beyond_promise_reason: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpertStudyIn {
    /// YYYY-MM-DD, today or later.
    pub due: String,
    pub reason: String,
}

/// NV-7: escalates to the next level of the policy's ladder, with its reply deadline.
pub async fn do_escalate(s: &App, p: &Principal, id: i64, b: EscalationIn) -> Result<Value> {
    let reason = long_text("reason", "请示事由", &b.reason, 2000)?;
    let l = load(s, p, id, Action::ReadCase).await?;
    let open = s.store.read(move |tx| repo::open_escalation_of_case(tx, id)).await?;
    let current = open.as_ref().and_then(|e| DecisionLevel::parse(&e.level));
    // The first escalation is the window's; a further one is made by whoever holds it now.
    match current {
        None => p.may(Action::WorkCase, &l.place)?,
        Some(level) => p.may(Action::Decide(level), &l.place).or_else(|_| p.may(Action::WorkCase, &l.place))?,
    }
    let manual = match b.expert_study {
        Some(x) => {
            if !l.policy.gray_area.expert_study {
                return Err(Error::bad(
                    "expert_study_not_allowed",
                    "本地政策没有“专家论证除外”的规定：请按规定时限答复",
                ));
            }
            let due = crate::calendar::parse_day("expert_study.due", &x.due)?;
            if due < noveto_domain::time::local_date(s.now()) {
                return Err(Error::bad("due_in_past", "人工设定的答复期限不能早于今天"));
            }
            let why = long_text("expert_study.reason", "人工设定期限的理由", &x.reason, 500)?;
            Some((due, why))
        }
        None => None,
    };
    let beyond = b
        .beyond_promise_reason
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| long_text("beyond_promise_reason", "延期答复的理由", x, 500))
        .transpose()?;
    climb_with(s, Some(p.id), l, open, b.major || manual.is_some(), &reason, manual, beyond).await
}

/// The escalation ladder's next rung (答复卡, NV-7): a new escalation at the level above the open
/// one (or the first level), with its reply deadline from the policy. By a person, or by the
/// job runner (`actor` None) when the open escalation's reply deadline was missed.
async fn climb(
    s: &App,
    actor: Option<i64>,
    l: Loaded,
    open: Option<repo::Escalation>,
    major: bool,
    reason: &str,
) -> Result<Value> {
    climb_with(s, actor, l, open, major, reason, None, Some(reason.to_string())).await
}

/// [`climb`], where `manual` is a reply deadline set by hand with its reason (expert study) and
/// `beyond` the reason, if any, to let the reply fall after the date the applicant was promised.
#[allow(clippy::too_many_arguments)]
async fn climb_with(
    s: &App,
    actor: Option<i64>,
    mut l: Loaded,
    open: Option<repo::Escalation>,
    major: bool,
    reason: &str,
    manual: Option<(chrono::NaiveDate, String)>,
    beyond: Option<String>,
) -> Result<Value> {
    let id = l.id;
    let current = open.as_ref().and_then(|e| DecisionLevel::parse(&e.level));
    let major = major || open.as_ref().is_some_and(|e| e.major);
    let level = next_level(&l.policy, current, major)
        .ok_or_else(|| Error::conflict("top_of_ladder", "已到最高层级（集体研究），请作出答复"))?;
    let now = s.now();
    let (spec, clause) = if major {
        (&l.policy.gray_area.major, "gray_area.major")
    } else {
        (&l.policy.gray_area.normal, "gray_area.normal")
    };
    let dl = match &manual {
        // FZ 五(二): 需开展专业性研究或专家论证的除外 — a date set by hand, its reason shown.
        Some((due, why)) => {
            let mut src = l.policy.source("gray_area.expert_study", spec);
            src.document = format!("{}；专家论证，期限人工设定：{why}", l.policy.document);
            Deadline::new("reply", now, Rule::Manual { due: *due }, src)
        }
        None => {
            let rule = spec.rule(None).ok_or_else(|| Error::bad("manual_deadline", "该期限须人工设定"))?;
            Deadline::new("reply", now, rule, l.policy.source(clause, spec))
        }
    };
    let beyond = manual.as_ref().map(|(_, why)| format!("专家论证：{why}")).or(beyond);
    // Ankang: a major matter is reported the same day, once, when it first goes up.
    let report = (major && l.policy.gray_area.major_report_same_day && current.is_none()).then(|| {
        let spec = noveto_domain::policy::RuleSpec {
            days: None,
            same_day: true,
            manual: false,
            document: l.policy.gray_area.major_report_document.clone(),
            local_default: false,
        };
        Deadline::new("report_same_day", now, Rule::SameDay, l.policy.source("gray_area.major_report_same_day", &spec))
    });
    let ev = l.case.escalate(dl, report, level, reason, beyond.as_deref(), &l.cal, now)?;
    // The reply deadline as the domain set it (held at the promised day unless a reason moved it).
    let dl = l.case.deadlines.iter().rev().find(|d| d.what == "reply").cloned().ok_or_else(Error::internal)?;
    let (due_at, source) = (dl.due_at(&l.cal, now)?, dl.source.clone());
    let due_s = noveto_domain::time::rfc3339(due_at);
    let open = Effect::OpenEscalation {
        unit_id: l.case.unit_id,
        level: level.as_str().to_string(),
        major,
        due: due_s.clone(),
        reason: reason.to_string(),
    };
    let eid = save_as(s, actor, &l, ev, vec![open]).await?.first().copied().unwrap_or(0);
    Ok(
        json!({"id": eid, "case_id": id, "level": level.as_str(), "level_label": level.label(), "major": major, "due": due_s, "source": source}),
    )
}

/// A missed reply deadline moves the matter up (NV-7, CAL-2): the open escalation goes to the
/// next rung of the ladder with a new reply deadline. Returns the level it went to, or None
/// where there is nothing to move (answered meanwhile, or already at the top of the ladder —
/// there the missed deadline stays on the supervision list).
pub async fn escalate_missed_reply(s: &App, case_id: i64) -> Result<Option<DecisionLevel>> {
    let l = load_unchecked(s, case_id).await?;
    let open = s.store.read(move |tx| repo::open_escalation_of_case(tx, case_id)).await?;
    let Some(open) = open else { return Ok(None) };
    let current = DecisionLevel::parse(&open.level);
    let Some(next) = next_level(&l.policy, current, open.major) else { return Ok(None) };
    let reason = format!(
        "{}逾期未答复，按规定自动提交{}（原请示事由：{}）",
        current.map(|c| c.label()).unwrap_or("上一级"),
        next.label(),
        open.reason
    );
    match climb(s, None, l, Some(open), false, &reason).await {
        Ok(_) => Ok(Some(next)),
        // Answered or moved by someone meanwhile: nothing left to move.
        Err(e) if e.kind == crate::Kind::Conflict => Ok(None),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    pub answer: String,
    /// Answer even though refusal wording was flagged: the answer is positive after all. A
    /// negative answer goes through a veto request instead (NV-7, NV-9).
    #[serde(default)]
    pub confirm_phrases: bool,
    /// Required at the collective level (集体研究): the meeting that decided.
    #[serde(default)]
    pub meeting: Option<MeetingIn>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingIn {
    /// Names and posts of those present (two at least).
    pub participants: Vec<String>,
    pub conclusion: String,
}

pub async fn do_answer(s: &App, p: &Principal, esc_id: i64, b: AnswerIn) -> Result<i64> {
    let answer = long_text("answer", "答复内容", &b.answer, 4000)?;
    // NV-7, NV-9: an escalation ends positively or by a veto request — a "no" is not an answer.
    if !b.confirm_phrases && !noveto_domain::phrases::check(&answer).flagged.is_empty() {
        return Err(Error::conflict(
            "negative_answer_needs_veto",
            "请示答复含有否定用语。否定性答复须写明理由和法律依据，由窗口按否决程序报批并报备（不能以请示答复代替否决）；如确为肯定性答复，请勾选确认后提交。",
        ));
    }
    let e = s.store.read(move |tx| repo::get_escalation(tx, esc_id)).await?.ok_or_else(|| Error::not_found("请示"))?;
    if e.status != "open" {
        return Err(Error::conflict("not_open", "该请示已答复或已上报上一级"));
    }
    let mut l = load(s, p, e.case_id, Action::ReadCase).await?;
    let level = DecisionLevel::parse(&e.level).ok_or_else(Error::internal)?;
    p.may(Action::Decide(level), &l.place)?;
    let meeting = b.meeting.map(|m| noveto_domain::case::Meeting {
        participants: m.participants.iter().map(|p| p.chars().take(60).collect()).take(50).collect(),
        conclusion: m.conclusion.chars().take(2000).collect(),
    });
    let ev = l.case.escalation_answered(&answer, level, meeting, s.now())?;
    // Issue 31 (being told): the first contact, who must pass the answer on, hears of it.
    let receipt = l.case.receipt_no.clone();
    let gist: String = answer.chars().take(80).collect();
    let told = crate::jobs::staff_message(
        l.case.first_contact_id,
        format!("请示已答复：{receipt}"),
        format!("办件 {receipt} 的请示已答复：{gist}。请答复群众（/cases/{}）。", e.case_id),
        format!("escalation:{esc_id}:answered"),
    );
    save(s, p, &l, ev, vec![Effect::AnswerEscalation { id: esc_id, answer }, Effect::Notify(told)]).await?;
    Ok(e.case_id)
}

/// The case an escalation belongs to (the case page then reads it through its own access check).
pub async fn escalation_case(s: &App, esc_id: i64) -> Result<Option<i64>> {
    Ok(s.store.read(move |tx| repo::get_escalation(tx, esc_id)).await?.map(|e| e.case_id))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseIn {
    /// approved | answered | withdrawn | vetoed
    pub outcome: String,
    /// Required with `vetoed`: the approved veto request.
    pub veto_request_id: Option<i64>,
    /// Required with `withdrawn`: the applicant's withdrawal, confirmed by the window head.
    #[serde(default)]
    pub withdrawal_id: Option<i64>,
    /// Required with `not_required`: the legal basis by which no permit is needed.
    #[serde(default)]
    pub legal_basis: Option<String>,
    pub note: Option<String>,
    /// Close even though the note was flagged for refusal wording (NV-14).
    #[serde(default)]
    pub confirm_phrases: bool,
}

/// Closing. `vetoed` needs an approved veto request (invariant 1): without one, 409 `veto_required`.
pub async fn do_close(s: &App, p: &Principal, id: i64, b: CloseIn) -> Result<()> {
    let mut l = load(s, p, id, Action::WorkCase).await?;

    let now = s.now();
    let ev = match b.outcome.as_str() {
        "vetoed" => {
            let vid = b.veto_request_id.ok_or(noveto_domain::case::CaseError::VetoRequired)?;
            let v = s.store.read(move |tx| repo::get_veto(tx, vid)).await?;
            let approval = v
                .filter(|v| v.case_id == id)
                .and_then(|v| v.approved())
                .ok_or(noveto_domain::case::CaseError::VetoRequired)?;
            l.case.close_vetoed(approval, now)?
        }
        "approved" => l.case.close_with(Outcome::Approved, now)?,
        "answered" => l.case.close_with(Outcome::Answered, now)?,
        "not_required" => {
            // On the window head's authority: the head closes it (and so confirms it).
            p.may(Action::Decide(DecisionLevel::WindowHead), &l.place)
                .map_err(|_| Error::forbidden("“依法无需办理”须由窗口负责人确认办结"))?;
            let basis = b.legal_basis.as_deref().map(|x| x.chars().take(1000).collect::<String>()).unwrap_or_default();
            l.case.close_not_required(&basis, Some(p.id), now)?
        }
        "withdrawn" => {
            let wid = b.withdrawal_id.ok_or(noveto_domain::case::CaseError::WithdrawalRequired)?;
            let w = s.store.read(move |tx| repo::get_withdrawal(tx, wid)).await?;
            let proof = w.and_then(|w| w.confirmed(id)).ok_or(noveto_domain::case::CaseError::WithdrawalMismatch)?;
            l.case.close_withdrawn(proof, now)?
        }
        "referred" => return Err(Error::bad("use_referral", "指引请使用 /referral")),
        _ => {
            return Err(Error::bad(
                "invalid_outcome",
                "outcome 须为 approved、answered、withdrawn、not_required 或 vetoed",
            ));
        }
    };
    // The domain has said the ending is allowed; now its note. A vetoed case's note repeats an
    // approved refusal; every other note reaches the applicant and is checked (NV-14).
    if b.outcome != "vetoed"
        && let Some(n) = b.note.as_deref()
    {
        let what = if b.outcome == "answered" { "咨询答复" } else { "办结说明" };
        applicant_text(what, n, b.confirm_phrases)?;
    }
    let mut ev = ev;
    if let (Event::Closed { note, .. }, Some(n)) = (&mut ev, b.note.as_deref().map(str::trim).filter(|n| !n.is_empty()))
    {
        *note = Some(n.chars().take(2000).collect());
    }
    save(s, p, &l, ev, vec![]).await.map(|_| ())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VetoIn {
    pub reason: String,
    pub legal_basis: String,
    /// A major or special matter: the policy's major levels and special deadline.
    #[serde(default)]
    pub major: bool,
}

pub fn veto_json(v: &VetoRequest, due: Option<String>) -> Value {
    json!({
        "id": v.id, "case_id": v.case_id, "status": v.status.as_str(),
        "level": v.level().map(|l| l.as_str()), "levels": v.levels,
        "reason": v.reason, "legal_basis": v.legal_basis, "requested_by": v.requested_by,
        "requested_at": noveto_domain::time::rfc3339(v.requested_at),
        "chain": v.chain.iter().map(|d| json!({"level": d.level.as_str(), "decided_by": d.decided_by, "approve": d.approve, "opinion": d.opinion, "on_behalf": d.on_behalf, "at": noveto_domain::time::rfc3339(d.at)})).collect::<Vec<_>>(),
        "due": due,
    })
}

/// NV-8, NV-9: a veto request with reason and legal basis, decided by the policy's levels, and
/// filed with the center at once.
pub async fn do_veto_request(s: &App, p: &Principal, id: i64, b: VetoIn) -> Result<Value> {
    let reason = long_text("reason", "否决理由", &b.reason, 2000)?;
    let basis = long_text("legal_basis", "法律依据", &b.legal_basis, 2000)?;
    let l = load(s, p, id, Action::WorkCase).await?;
    let now = s.now();
    let levels = l.policy.veto_levels(b.major).to_vec();
    let v = VetoRequest::new(0, id, p.id, &reason, &basis, levels, now)?;
    let spec = if b.major {
        l.policy.veto.decision_special.clone().unwrap_or_else(|| l.policy.veto.decision.clone())
    } else {
        l.policy.veto.decision.clone()
    };
    let rule = spec.rule(None).ok_or_else(|| Error::bad("manual_deadline", "该期限须人工设定"))?;
    let dl = Deadline::new(
        "veto_decision",
        now,
        rule,
        l.policy.source(if b.major { "veto.decision_special" } else { "veto.decision" }, &spec),
    );
    let due = noveto_domain::time::rfc3339(dl.due_at(&l.cal, now)?);
    // The domain decides whether a veto may be requested now (e.g. NV-10's consultation).
    l.case.clone().veto_requested(0, dl.clone())?;
    // The request id is known only inside the transaction: insert it first, then the case.
    let (unit, v2, dl2) = (l.case.unit_id, v.clone(), dl.clone());
    let ctx = p.ctx(&noveto_domain::time::rfc3339(now));
    let cal = l.cal.clone();
    let policy = l.policy.clone();
    let (version, mut case) = (l.version, l.case.clone());
    let vid = s
        .store
        .write(move |tx| {
            repo::request_veto(tx, &ctx, &v2, unit, version, |vid| {
                let ev = case.veto_requested(vid, dl2).map_err(Error::from)?;
                let d = dues(&case, &cal, &policy, now);
                Ok::<_, Error>((case, ev, d))
            })
        })
        .await?;
    let v = v.numbered(vid);
    Ok(veto_json(&v, Some(due)))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    pub approve: bool,
    /// Required when denying: how it can be done instead.
    #[serde(default)]
    pub opinion: String,
}

pub async fn do_decide(s: &App, p: &Principal, vid: i64, b: DecisionIn) -> Result<VetoRequest> {
    let mut v = s.store.read(move |tx| repo::get_veto(tx, vid)).await?.ok_or_else(|| Error::not_found("否决报批"))?;
    let mut l = load(s, p, v.case_id, Action::ReadCase).await?;
    let (_, on_behalf) = decides_now(s, p, &v, &l).await?;
    let now = s.now();
    v.decide_as(p.id, b.approve, &b.opinion.chars().take(2000).collect::<String>(), now, on_behalf)?;
    let ev = l.case.veto_decided(&v, now);
    let mut effects = vec![Effect::SaveVeto(v.clone())];
    match v.status {
        VetoStatus::Approved => effects.push(Effect::CloseFiling { veto_request_id: v.id, outcome: "approved" }),
        VetoStatus::Denied => effects.push(Effect::CloseFiling { veto_request_id: v.id, outcome: "denied" }),
        VetoStatus::Pending => {}
    }
    // Issue 31 (being told): once the request is decided to the end, the clerk who asked hears
    // what to do next, in the same write.
    let receipt = l.case.receipt_no.clone();
    let case_id = v.case_id;
    let next = match v.status {
        VetoStatus::Approved => Some((
            format!("否决已批准：{receipt}"),
            format!(
                "办件 {receipt} 的否决报批已批准，请办结并出具不予受理（许可）通知书，告知理由、依据和救济途径（/cases/{case_id}）。"
            ),
        )),
        VetoStatus::Denied => Some((
            format!("不予否决：{receipt}"),
            format!(
                "办件 {receipt} 的否决报批未获批准，请继续办理：{}（/cases/{case_id}）。",
                b.opinion.chars().take(200).collect::<String>()
            ),
        )),
        VetoStatus::Pending => None,
    };
    if let Some((subject, body)) = next {
        let dedupe = format!("veto:{}:decided", v.id);
        effects.push(Effect::Notify(crate::jobs::staff_message(v.requested_by, subject, body, dedupe)));
    }
    save(s, p, &l, ev, effects).await?;
    Ok(v)
}

/// Whether the caller decides the request's current level now: the level, and whether on
/// behalf of it (代行). The one rule behind the decision itself and the approver's inbox.
async fn decides_now(s: &App, p: &Principal, v: &VetoRequest, l: &Loaded) -> Result<(DecisionLevel, bool)> {
    // Decided to the end meanwhile: 409 `already_decided`.
    let level = v.may_decide(p.id)?;
    match p.may(Action::Decide(level), &l.place) {
        Ok(()) => Ok((level, false)),
        // A level of this request the caller holds was decided by someone else meanwhile: too late
        // (409), not forbidden.
        Err(_) if v.chain.iter().any(|d| d.decided_by != p.id && p.may(Action::Decide(d.level), &l.place).is_ok()) => {
            let done = v.chain.iter().rev().find(|d| p.may(Action::Decide(d.level), &l.place).is_ok());
            Err(Error::conflict(
                "already_decided",
                format!(
                    "该层级（{}）已由他人审批，现由{}审批：请刷新后查看",
                    done.map(|d| d.level.label()).unwrap_or(""),
                    level.label()
                ),
            ))
        }
        // 代行: where nobody but the requester (or someone who already decided) holds this
        // level, the level above decides in its place — never fewer judgments than the policy
        // names, and shown in the chain.
        Err(denied) => {
            let above = level.above().ok_or_else(|| Error::forbidden(denied.message.clone()))?;
            p.may(Action::Decide(above), &l.place).map_err(|_| denied)?;
            let (roles, place) = (noveto_domain::access::roles_for(Action::Decide(level)), l.place.clone());
            let holders = s.store.read(move |tx| org::holders_at(tx, roles, &place)).await?;
            let decided: Vec<i64> = v.chain.iter().map(|d| d.decided_by).collect();
            if holders.iter().any(|h| *h != v.requested_by && !decided.contains(h)) {
                return Err(Error::forbidden(format!("该层级（{}）有其他审批人，应由其审批", level.label())));
            }
            Ok((level, true))
        }
    }
}

/// An approver's waiting work: the veto requests whose current level the caller decides now
/// (代行 included, marked), and the open escalations at a level the caller holds — each with
/// its case. The inbox page and its home-page card read this, nothing else.
#[derive(Default)]
pub struct Inbox {
    pub vetoes: Vec<(VetoRequest, Case, bool)>,
    pub escalations: Vec<(repo::Escalation, Case)>,
}

pub async fn inbox(s: &App, p: &Principal) -> Result<Inbox> {
    let reach = crate::org::reach(s, p).await?;
    let (vetoes, escs, cases) = s.store.read(move |tx| inbox_candidates(tx, &reach)).await?;
    inbox_of(s, p, vetoes, escs, cases).await
}

/// The inbox's candidates within `reach` — the pending veto requests, the open escalations — and
/// their cases, in the read that found them (one `IN`, not one read each).
type Candidates = (Vec<VetoRequest>, Vec<repo::Escalation>, HashMap<i64, (Case, i64)>);

fn inbox_candidates(tx: &mut dyn noveto_store::Tx, reach: &repo::Reach) -> std::result::Result<Candidates, StoreError> {
    let (vetoes, escs) = (repo::pending_vetoes_within(tx, reach)?, repo::open_escalations_within(tx, reach)?);
    let ids: Vec<i64> = vetoes.iter().map(|v| v.case_id).chain(escs.iter().map(|e| e.case_id)).collect();
    let cases = repo::get_many(tx, &ids)?;
    Ok((vetoes, escs, cases))
}

/// The inbox from its candidates and their cases: each veto request the caller decides now, each
/// escalation at a level the caller holds — access decided on each case's place as [`load`] does.
async fn inbox_of(
    s: &App,
    p: &Principal,
    vetoes: Vec<VetoRequest>,
    escs: Vec<repo::Escalation>,
    cases: HashMap<i64, (Case, i64)>,
) -> Result<Inbox> {
    let mut out = Inbox { vetoes: vec![], escalations: vec![] };
    for v in vetoes {
        let Some((c, version)) = cases.get(&v.case_id).cloned() else { continue };
        if let Ok(l) = allow(s, p, loaded(s, v.case_id, c, version).await?, Action::ReadCase).await
            && let Ok((_, on_behalf)) = decides_now(s, p, &v, &l).await
        {
            out.vetoes.push((v, l.case, on_behalf));
        }
    }
    for e in escs {
        let Some(level) = DecisionLevel::parse(&e.level) else { continue };
        let Some((c, version)) = cases.get(&e.case_id).cloned() else { continue };
        if let Ok(l) = allow(s, p, loaded(s, e.case_id, c, version).await?, Action::ReadCase).await
            && p.may(Action::Decide(level), &l.place).is_ok()
        {
            out.escalations.push((e, l.case));
        }
    }
    // Oldest due first (SCREENS: the inbox), for the page, the API and the export alike.
    let (cal, now) = (s.calendar(), s.now());
    out.vetoes.sort_by_key(|(_, c, _)| veto_due(c, &cal, now).unwrap_or(chrono::NaiveDate::MAX));
    out.escalations.sort_by(|a, b| a.0.due.cmp(&b.0.due));
    Ok(out)
}

/// What waits for a person at the home page and the inbox page — read in one transaction, each
/// entry's access then decided on its place (the cached organisation): the warm handoffs to a
/// unit or window they work at; and for an approver (`queues`) the inbox, the matters to place,
/// the growth requests, withdrawals and kind changes a window head decides.
#[derive(Default)]
pub struct Waiting {
    /// NV-3: handed to a unit or window the caller works at, not yet acknowledged.
    pub handoffs: Vec<(i64, Case)>,
    pub inbox: Option<Inbox>,
    /// NV-3: the matters nobody at the window could place, that the caller places.
    pub unplaced: Vec<(i64, Case)>,
    /// NV-4: later notices that would add materials, for a window head of the case's window.
    pub growth: Vec<(i64, Case)>,
    /// NV-2, issue 31: the applicants' written withdrawals the caller confirms (a window head of
    /// the case's place, not the person who recorded it), oldest first.
    pub withdrawals: Vec<repo::PendingWithdrawal>,
    /// NV-2: applications a clerk asks to make consultations, for a window head (not the asker).
    pub kinds: Vec<(i64, Case)>,
}

impl Waiting {
    /// How many things wait in all (the home page's card).
    pub fn total(&self) -> usize {
        let ib = self.inbox.as_ref().map(|i| i.vetoes.len() + i.escalations.len()).unwrap_or(0);
        ib + self.handoffs.len() + self.unplaced.len() + self.growth.len() + self.withdrawals.len() + self.kinds.len()
    }
}

/// See [`Waiting`]. `queues`: the approver's queues too, not only the handoffs.
pub async fn waiting(s: &App, p: &Principal, queues: bool) -> Result<Waiting> {
    let d = crate::org::shared_directory(s).await?;
    let scopes: Vec<_> = p.grants.iter().map(|g| g.scope).collect();
    let reach = repo::Reach::of(&d.centers, &scopes);
    let placing = repo::Reach::for_placing(&d.centers, &d.windows, &scopes);
    // Everything as stored (each list before the access decision), and the inbox's candidates.
    let (read, vetoes, escs, cases) = s
        .store
        .read(move |tx| {
            let handoffs = repo::open_handoffs(tx)?;
            if !queues {
                return Ok::<_, StoreError>((
                    Waiting { handoffs, ..Waiting::default() },
                    vec![],
                    vec![],
                    HashMap::new(),
                ));
            }
            let (vetoes, escs, cases) = inbox_candidates(tx, &reach)?;
            let all = Waiting {
                handoffs,
                inbox: None,
                unplaced: repo::unplaced_within(tx, &placing)?,
                growth: repo::growth_requests_within(tx, &reach)?,
                withdrawals: repo::pending_withdrawals(tx)?,
                kinds: repo::kind_requests_within(tx, &reach)?,
            };
            Ok((all, vetoes, escs, cases))
        })
        .await?;
    let mut out = Waiting::default();
    for (id, c) in read.handoffs {
        let Some(to) = c.referral.as_ref().filter(|r| r.handoff) else { continue };
        let targets = crate::org::handoff_targets(s, to.to_window_id, to.to_unit_id).await?;
        if targets.iter().any(|t| p.may(Action::WorkCase, t).is_ok()) {
            out.handoffs.push((id, c));
        }
    }
    if !queues {
        return Ok(out);
    }
    out.inbox = Some(inbox_of(s, p, vetoes, escs, cases).await?);
    let head = Action::Decide(DecisionLevel::WindowHead);
    for (id, c) in read.unplaced {
        if may_place(s, p, &place_at(s, c.center_id, c.unit_id, c.window_id).await?).await.is_ok() {
            out.unplaced.push((id, c));
        }
    }
    for (id, c) in read.growth {
        let own = c.growth_request.as_ref().is_some_and(|g| g.requested_by == p.id);
        if !own && p.may(head, &place_at(s, c.center_id, c.unit_id, c.window_id).await?).is_ok() {
            out.growth.push((id, c));
        }
    }
    for (id, c) in read.kinds {
        let own = c.kind_request.as_ref().is_some_and(|k| k.requested_by == p.id);
        if !own
            && c.awaits_kind_decision()
            && p.may(head, &place_at(s, c.center_id, c.unit_id, c.window_id).await?).is_ok()
        {
            out.kinds.push((id, c));
        }
    }
    for w in read.withdrawals {
        let place = place_at(s, w.place.center_id, w.place.unit_id, w.place.window_id).await?;
        if w.recorded_by != p.id && p.may(head, &place).is_ok() {
            out.withdrawals.push(w);
        }
    }
    Ok(out)
}

/// A place for an access decision (its center's chain from the app's cache).
async fn place_at(s: &App, center_id: i64, unit: Option<i64>, window: Option<i64>) -> Result<Place> {
    let (centers, _) = s.center_chain(center_id).await?;
    Ok(Place { centers, unit, window })
}

/// When the veto request waiting on `c` must be decided.
pub fn veto_due(c: &Case, cal: &Calendar, now: DateTime<FixedOffset>) -> Option<chrono::NaiveDate> {
    c.deadlines.iter().rev().find(|d| d.what == "veto_decision").and_then(|d| d.due(cal, now).ok())
}

impl Inbox {
    /// Only the entries whose receipt number, applicant, request or reason contain `words`
    /// (all when empty) — the filter of the inbox page and of GET /api/v1/inbox.
    pub fn only(mut self, words: &str) -> Inbox {
        let w = words.trim();
        let hit = |c: &Case, reason: &str| {
            w.is_empty() || [c.receipt_no.as_str(), &c.applicant.name, &c.request, reason].iter().any(|x| x.contains(w))
        };
        self.vetoes.retain(|(v, c, _)| hit(c, &v.reason));
        self.escalations.retain(|(e, c)| hit(c, &e.reason));
        self
    }
}

/// One line of the inbox as a list (for filtering and export): a veto request or an escalation
/// waiting for the caller, with its case.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InboxLine {
    /// 否决报批 or 请示.
    pub kind: &'static str,
    pub case_id: i64,
    pub receipt_no: String,
    pub applicant: String,
    pub request: String,
    /// The level that decides or answers, in words.
    pub level: &'static str,
    pub reason: String,
    pub due: Option<String>,
}

pub const INBOX_COLUMNS: [&str; 7] = ["类别", "受理编号", "申请人", "事项", "审批层级", "理由", "期限"];

/// The inbox as lines, oldest due first.
pub fn inbox_lines(s: &App, ib: &Inbox) -> Vec<InboxLine> {
    let cal = s.calendar();
    let now = s.now();
    let mut out: Vec<InboxLine> = ib
        .vetoes
        .iter()
        .map(|(v, c, _)| InboxLine {
            kind: "否决报批",
            case_id: v.case_id,
            receipt_no: c.receipt_no.clone(),
            applicant: c.applicant.name.clone(),
            request: c.request.clone(),
            level: v.level().map(|l| l.label()).unwrap_or(""),
            reason: v.reason.clone(),
            due: veto_due(c, &cal, now).map(|d| d.to_string()),
        })
        .chain(ib.escalations.iter().map(|(e, c)| InboxLine {
            kind: "请示",
            case_id: e.case_id,
            receipt_no: c.receipt_no.clone(),
            applicant: c.applicant.name.clone(),
            request: c.request.clone(),
            level: DecisionLevel::parse(&e.level).map(|l| l.label()).unwrap_or(""),
            reason: e.reason.clone(),
            // The day, as the veto requests' (issue 31, item 7: no RFC 3339 in a file people read).
            due: Some(e.due.get(..10).unwrap_or(&e.due).to_string()),
        }))
        .collect();
    out.sort_by(|a, b| a.due.as_deref().unwrap_or("9999").cmp(b.due.as_deref().unwrap_or("9999")));
    out
}

/// The inbox as a file (CSV or XLSX) with [`INBOX_COLUMNS`].
pub fn inbox_file(lines: &[InboxLine], format: crate::catalog::Format) -> Result<Vec<u8>> {
    let table: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                l.kind.to_string(),
                l.receipt_no.clone(),
                l.applicant.clone(),
                l.request.clone(),
                l.level.to_string(),
                l.reason.clone(),
                l.due.clone().unwrap_or_default(),
            ]
        })
        .collect();
    crate::catalog_file::table("待我审批", &INBOX_COLUMNS, &table, format == crate::catalog::Format::Xlsx)
        .map_err(|e| Error::bad("export_failed", e))
}

/// The caller's own open matters (首接负责: those they received first), for the workbench.
pub use repo::CaseRow;

/// The workbench's views of a clerk's own open matters (issue 31, item 1), each with its count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// 我的待办: every open matter the clerk is first contact of (or holds for an absent A).
    Mine,
    /// 今日到期: its next deadline is today.
    DueToday,
    /// 已超期: its next deadline has passed.
    Overdue,
    /// 待补正: waiting for the applicant's materials (a one-time notice issued, or accepted with
    /// deficiency).
    Supplement,
    /// 已登记未受理: registered, not yet accepted or told what is missing.
    Registered,
    /// 已受理未办结: accepted and still being worked (escalated, veto pending, handed off …).
    InProgress,
}

impl Queue {
    pub const ALL: [Queue; 6] =
        [Queue::Mine, Queue::DueToday, Queue::Overdue, Queue::Supplement, Queue::Registered, Queue::InProgress];
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Mine => "mine",
            Queue::DueToday => "due_today",
            Queue::Overdue => "overdue",
            Queue::Supplement => "supplement",
            Queue::Registered => "registered",
            Queue::InProgress => "in_progress",
        }
    }
    pub fn parse(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.as_str() == s)
    }
    /// A `view=` parameter, or the error that names the views.
    pub fn param(s: &str) -> Result<Queue> {
        Queue::parse(s.trim()).ok_or_else(|| {
            Error::bad("invalid_view", "view 须为 mine、due_today、overdue、supplement、registered、in_progress 之一")
                .at("view")
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            Queue::Mine => "我的待办",
            Queue::DueToday => "今日到期",
            Queue::Overdue => "已超期",
            Queue::Supplement => "待补正",
            Queue::Registered => "已登记未受理",
            Queue::InProgress => "已受理未办结",
        }
    }
    /// The statuses a view by status holds (`None` for the views by due day and for all).
    pub fn statuses(self) -> Option<&'static [&'static str]> {
        match self {
            Queue::Mine | Queue::DueToday | Queue::Overdue => None,
            Queue::Supplement => Some(&["notified", "accepted_with_deficiency"]),
            Queue::Registered => Some(&["received"]),
            Queue::InProgress => Some(&[
                "accepted",
                "accepted_with_deficiency",
                "escalated",
                "veto_pending",
                "veto_approved",
                "handoff_pending",
            ]),
        }
    }
    /// Whether an open row belongs in this view on `today` (YYYY-MM-DD).
    pub fn holds(self, r: &repo::CaseRow, today: &str) -> bool {
        let due = r.next_due.as_deref().map(|d| d.get(..10).unwrap_or(d));
        match self {
            Queue::Mine => true,
            Queue::DueToday => due == Some(today),
            Queue::Overdue => due.is_some_and(|d| d < today),
            q => q.statuses().is_some_and(|ss| ss.contains(&r.status.as_str())),
        }
    }
    /// The same view as the store finds it on `today` (`tomorrow` is the day after): the one
    /// definition [`Queue::holds`] and the store's queries share.
    fn open_view<'a>(self, today: &'a str, tomorrow: &'a str) -> repo::OpenView<'a> {
        match self {
            Queue::Mine => repo::OpenView::All,
            Queue::DueToday => repo::OpenView::DueOn { from: today, until: tomorrow },
            Queue::Overdue => repo::OpenView::DueBefore(today),
            q => repo::OpenView::Statuses(q.statuses().unwrap_or(&[])),
        }
    }
}

/// Whole working days a matter has waited since it was registered (the calendar's, 调休
/// included), for the list's "等待" column.
pub fn days_waited(s: &App, opened_at: &str) -> Option<i64> {
    let opened = chrono::DateTime::parse_from_rfc3339(opened_at).ok()?;
    let (from, to) = (noveto_domain::time::local_date(opened), noveto_domain::time::local_date(s.now()));
    s.calendar().between(from, to).ok()
}

/// The most open matters a workbench view lists, earliest due first, and the count past which
/// a view says "more than" instead of a number.
pub const OWN_OPEN_CAP: usize = 200;

/// The matters a workbench page lists: a clerk reads a screen, not a ledger (each row is a case
/// document read and parsed — 200 of them were most of the page's time under load).
pub const WORKBENCH_PAGE: usize = 50;

/// The last page a workbench pages to (past it, the case search is the way).
pub const WORKBENCH_PAGES: usize = 1000;

/// The workbench (NV-1, issue 31): each view's count — exact up to [`OWN_OPEN_CAP`], `None`
/// past it — and one page of the open matters of the view shown, earliest due first.
pub struct OwnQueues {
    pub counts: Vec<(Queue, Option<i64>)>,
    pub rows: Vec<repo::CaseRow>,
    /// The page shown (from 1; a page past [`WORKBENCH_PAGES`] is that one).
    pub page: usize,
    /// Whether the view holds matters past this page.
    pub more: bool,
}

/// The caller's workbench in one read: every view counted inside its index (a count stops at
/// the cap), and a page of the shown view's own matters (not a filter over some first
/// matters, which left a view empty whose matters lay past them).
pub async fn own_queues(s: &App, p: &Principal, view: Queue, page: usize) -> Result<OwnQueues> {
    let id = p.id;
    let (today, tomorrow) = view_days(s);
    let cap = OWN_OPEN_CAP as i64;
    let page = page.clamp(1, WORKBENCH_PAGES);
    let (size, offset) = (WORKBENCH_PAGE as i64, ((page - 1) * WORKBENCH_PAGE) as i64);
    Ok(s.store
        .read(move |tx| {
            let who = first_contacts(tx, id)?;
            let mut counts = vec![];
            for q in Queue::ALL {
                let n = repo::count_open_in_view(tx, &who, q.open_view(&today, &tomorrow), cap)?;
                counts.push((q, (n <= cap).then_some(n)));
            }
            // One more than the page, to know whether another follows.
            let mut rows = repo::open_in_view(tx, &who, view.open_view(&today, &tomorrow), size + 1, offset)?;
            let more = rows.len() > WORKBENCH_PAGE;
            rows.truncate(WORKBENCH_PAGE);
            Ok::<_, StoreError>(OwnQueues { counts, rows, page, more })
        })
        .await?)
}

/// `GET /api/v1/cases?mine=true&view=…`: a page of the caller's open matters in the view,
/// earliest due first.
pub async fn own_view(s: &App, p: &Principal, view: Queue, limit: i64, offset: i64) -> Result<Vec<repo::CaseRow>> {
    let id = p.id;
    let (today, tomorrow) = view_days(s);
    Ok(s.store
        .read(move |tx| {
            let who = first_contacts(tx, id)?;
            repo::open_in_view(tx, &who, view.open_view(&today, &tomorrow), limit, offset)
        })
        .await?)
}

/// Today and tomorrow (YYYY-MM-DD), the days the views by due day are read against.
fn view_days(s: &App) -> (String, String) {
    let today = noveto_domain::time::local_date(s.now());
    (today.to_string(), today.succ_opt().unwrap_or(today).to_string())
}

/// NV-1, ORG-4: whose matters are the caller's — their own and, while they stand in as B, those
/// of the absent A (each row names its first contact, so a page can mark A's).
fn first_contacts(tx: &mut dyn noveto_store::Tx, id: i64) -> std::result::Result<Vec<i64>, StoreError> {
    let mut who = vec![id];
    who.extend(org::covered_by(tx, id)?);
    Ok(who)
}

/// What a printed document of a case names besides the case: its center, unit, window, item,
/// first contact, timeline, veto request with each decider's name, and latest escalation. Takes
/// a case already loaded for the caller.
pub struct DocumentFacts {
    pub center: Option<org::Center>,
    pub unit: Option<org::Unit>,
    pub window: Option<org::Window>,
    pub item: Option<items::Item>,
    pub clerk: Option<org::Staff>,
    pub timeline: Vec<repo::TimelineEntry>,
    pub veto: Option<VetoRequest>,
    pub decider_names: std::collections::HashMap<i64, String>,
    pub escalation: Option<repo::Escalation>,
    pub withdrawals: Vec<noveto_domain::case::Withdrawal>,
    /// The people named on the papers (deciders, whoever recorded or confirmed a withdrawal).
    pub names: std::collections::HashMap<i64, String>,
}

pub async fn document_facts(s: &App, l: &Loaded) -> Result<DocumentFacts> {
    let (c2, id) = (l.case.clone(), l.id);
    Ok(s.store
        .read(move |tx| {
            let veto = match c2.veto_request_id {
                Some(v) => repo::get_veto(tx, v)?,
                None => None,
            };
            Ok::<_, StoreError>(DocumentFacts {
                center: org::center_by_id(tx, c2.center_id)?,
                unit: match c2.unit_id {
                    Some(u) => org::unit_by_id(tx, u)?,
                    None => None,
                },
                window: match c2.window_id {
                    Some(w) => org::window_by_id(tx, w)?,
                    None => None,
                },
                item: match &c2.item_code {
                    Some(code) => items::get(tx, code)?,
                    None => None,
                },
                clerk: org::staff_by_id(tx, c2.first_contact_id)?,
                timeline: repo::timeline(tx, id)?,
                decider_names: org::staff_names(tx, veto.iter().flat_map(|v| v.chain.iter().map(|d| d.decided_by)))?,
                veto,
                escalation: repo::latest_escalation(tx, id)?,
                names: {
                    let w = repo::withdrawals_of_case(tx, id)?;
                    org::staff_names(tx, w.iter().flat_map(|w| [Some(w.recorded_by), w.confirmed_by]).flatten())?
                },
                withdrawals: repo::withdrawals_of_case(tx, id)?,
            })
        })
        .await?)
}

/// This month's figures of each unit the caller leads or heads a window of (unit name, figures).
pub async fn own_unit_figures(s: &App, p: &Principal) -> Result<Vec<(String, repo::UnitFigures)>> {
    use noveto_domain::access::{Role, ScopeKind};
    let (windows, all_units) = s.store.read(|tx| Ok::<_, StoreError>((org::windows(tx)?, org::units(tx)?))).await?;
    let mut units: Vec<i64> = vec![];
    for g in &p.grants {
        match (g.role, g.scope.kind) {
            (Role::UnitLeader | Role::UnitHead, ScopeKind::Unit) => units.push(g.scope.id),
            (Role::WindowHead, ScopeKind::Window) => {
                units.extend(windows.iter().find(|w| w.id == g.scope.id).and_then(|w| w.unit_id));
            }
            _ => {}
        }
    }
    units.sort();
    units.dedup();
    let now = s.now();
    let (from, to) = crate::faq::month_range(&now.format("%Y-%m").to_string())?;
    let today = noveto_domain::time::local_date(now).to_string();
    let mut out = vec![];
    for u in units {
        let (f2, t2, d2) = (from.clone(), to.clone(), today.clone());
        let f = s.store.read(move |tx| repo::unit_figures(tx, u, &f2, &t2, &d2)).await?;
        let name = all_units.iter().find(|x| x.id == u).map(|x| x.name.clone()).unwrap_or_default();
        out.push((name, f));
    }
    Ok(out)
}

/// The month's veto filings the caller may see — the one scoped query behind the filings API
/// and the filings page (unit leaders see their unit's, center roles their centers'), so neither
/// can show more than the other; the home-page card and the veto report count them with the same
/// decision per counted group ([`visible_veto_groups`]).
pub async fn visible_filings(s: &App, p: &Principal, month: &str) -> Result<Vec<repo::Filing>> {
    visible_filings_in(s, p, month, month).await
}

/// The filings of the months `first..=last` the caller may see, in one read.
pub async fn visible_filings_in(s: &App, p: &Principal, first: &str, last: &str) -> Result<Vec<repo::Filing>> {
    may_read_filings(p)?;
    let (f, l) = (first.to_string(), last.to_string());
    let all = s.store.read(move |tx| repo::filings_with_centers(tx, &f, &l)).await?;
    Ok(readable_filings(p, all, |f| f.unit_id))
}

/// Whether the caller reads veto filings anywhere (else none is listed or counted for them).
fn may_read_filings(p: &Principal) -> Result<()> {
    if noveto_domain::access::may_somewhere(&p.grants, Action::ReadFilings) {
        Ok(())
    } else {
        Err(Error::forbidden("无权查看否决报备"))
    }
}

/// The one access decision for what is listed or counted from the filings — a filing or a
/// counted group — at its case's centers and its unit.
fn readable_filings<T>(p: &Principal, rows: Vec<(T, Vec<i64>)>, unit: impl Fn(&T) -> Option<i64>) -> Vec<T> {
    rows.into_iter()
        .filter(|(x, centers)| {
            let place = Place { centers: centers.clone(), unit: unit(x), window: None };
            p.may(Action::ReadFilings, &place).is_ok()
        })
        .map(|(x, _)| x)
        .collect()
}

/// NV-15: the filings of the months `first..=last` the caller may see, counted per place, item,
/// reason key and outcome by the database.
pub async fn visible_veto_groups(s: &App, p: &Principal, first: &str, last: &str) -> Result<Vec<repo::VetoGroup>> {
    may_read_filings(p)?;
    let (f, l) = (first.to_string(), last.to_string());
    let all = s.store.read(move |tx| repo::veto_groups_with_centers(tx, &f, &l)).await?;
    Ok(readable_filings(p, all, |g| g.unit_id))
}

/// NV-16: the decided filings of the months `first..=last` alike to `asks` (item, reason key),
/// newest first, of those the caller may read by `action` — the filings (`ReadFilings`, by unit)
/// or the cases themselves (`ReadCase`, by unit and window: an approver's earlier decisions).
pub async fn visible_alike(
    s: &App,
    p: &Principal,
    first: &str,
    last: &str,
    asks: Vec<(Option<String>, String)>,
    action: Action,
) -> Result<Vec<repo::AlikeFiling>> {
    let (f, l) = (first.to_string(), last.to_string());
    // The approver reads each earlier decision's legal basis; a report lists receipts only.
    let basis = action == Action::ReadCase;
    let all = s.store.read(move |tx| repo::alike_filings_with_centers(tx, &f, &l, &asks, basis)).await?;
    Ok(all
        .into_iter()
        .filter(|(x, centers)| {
            let window = if action == Action::ReadFilings { None } else { x.window_id };
            p.may(action, &Place { centers: centers.clone(), unit: x.unit_id, window }).is_ok()
        })
        .map(|(x, _)| x)
        .collect())
}

/// One line of the filings list: the filing with its unit's and item's names — what the page,
/// the API and the export show, from [`visible_filings`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct FilingLine {
    #[serde(flatten)]
    pub filing: repo::Filing,
    pub unit: String,
    /// The catalog item's name, or the request where the case names no item.
    pub item: String,
}

/// The filings list's columns, in the page's order (NV-9: 一头一尾 with receipt number, item,
/// applicant and reason).
pub const FILING_COLUMNS: [&str; 9] =
    ["受理编号", "单位", "事项", "申请人", "否决理由", "法律依据", "报备（头）", "结果（尾）", "结果"];

/// The month's filings the caller may see, each named ([`FilingLine`]).
pub async fn filing_lines(s: &App, p: &Principal, month: &str) -> Result<Vec<FilingLine>> {
    let filings = visible_filings(s, p, month).await?;
    let codes: std::collections::BTreeSet<String> = filings.iter().filter_map(|f| f.item_code.clone()).collect();
    let (units, items) = s
        .store
        .read(move |tx| {
            let mut names = std::collections::HashMap::new();
            for c in &codes {
                if let Some(i) = items::get(tx, c)? {
                    names.insert(c.clone(), i.name.clone());
                }
            }
            Ok::<_, StoreError>((org::units(tx)?, names))
        })
        .await?;
    Ok(filings
        .into_iter()
        .map(|f| {
            let unit = f.unit_id.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.clone());
            let item = f.item_code.as_ref().and_then(|c| items.get(c)).cloned();
            FilingLine {
                unit: unit.unwrap_or_default(),
                item: item.unwrap_or_else(|| f.request.chars().take(60).collect()),
                filing: f,
            }
        })
        .collect())
}

/// The label of a filing's 尾 (its result).
pub fn filing_outcome(outcome: Option<&str>) -> &'static str {
    match outcome {
        Some("approved") => "已批准否决",
        Some("denied") => "不予否决（继续办理）",
        _ => "审批中",
    }
}

/// The filings list as a file (CSV or XLSX) with [`FILING_COLUMNS`].
pub fn filings_file(month: &str, lines: &[FilingLine], format: crate::catalog::Format) -> Result<Vec<u8>> {
    let time = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t).map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
    };
    let table: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            let f = &l.filing;
            vec![
                f.receipt_no.clone().unwrap_or_default(),
                l.unit.clone(),
                l.item.clone(),
                f.applicant.clone(),
                f.reason.clone(),
                f.legal_basis.clone(),
                time(&f.opened_at),
                f.closed_at.as_deref().map(time).unwrap_or_default(),
                filing_outcome(f.outcome.as_deref()).to_string(),
            ]
        })
        .collect();
    let title = format!("{month} 否决事项报备");
    crate::catalog_file::table(&title, &FILING_COLUMNS, &table, format == crate::catalog::Format::Xlsx)
        .map_err(|e| Error::bad("export_failed", e))
}

pub fn parse_month(m: &str) -> Result<String> {
    let ok = m.len() == 7 && chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").is_ok();
    if !ok {
        return Err(Error::bad("invalid_month", "月份格式应为 YYYY-MM"));
    }
    Ok(m.to_string())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyIn {
    pub text: String,
}

/// NV-14: every text that reaches the applicant (a reply, a close note, a consultation's answer,
/// an escalation's answer, a notice's how-to-fix) is checked for refusal wording. Flagged and not
/// confirmed: 409 `refusal_phrases` naming the phrases with a suggestion; confirmed: let through
/// (a reply's flags are counted for its window; a flagged answer counts as a negative answer in
/// the monthly roll-up).
pub fn applicant_text(what: &str, text: &str, confirm: bool) -> Result<Vec<noveto_domain::phrases::Flag>> {
    let check = noveto_domain::phrases::check(text);
    if !check.flagged.is_empty() && !confirm {
        let phrases: Vec<&str> = check.flagged.iter().map(|f| f.phrase.as_str()).collect();
        return Err(Error::conflict(
            "refusal_phrases",
            format!(
                "{what}中含有推诿用语：{}。建议改为：{}（如确需如此表述，请勾选确认后提交）",
                phrases.join("、"),
                check.suggestion.unwrap_or_default()
            ),
        ));
    }
    Ok(check.flagged)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SendReplyIn {
    pub text: String,
    /// Send even though refusal phrases were flagged (the flag is counted for the window).
    #[serde(default)]
    pub confirm: bool,
}

/// NV-14: a reply to the applicant, checked for refusal phrases. Flagged and not confirmed:
/// 409 `refusal_phrases` with the phrases and a suggestion; confirmed: sent and counted.
pub async fn do_reply(s: &App, p: &Principal, id: i64, b: SendReplyIn) -> Result<Value> {
    let text = long_text("text", "答复内容", &b.text, 4000)?;
    let mut l = load(s, p, id, Action::WorkCase).await?;
    let flagged = applicant_text("答复", &text, b.confirm)?;
    let ev = l.case.reply(&text);
    save(s, p, &l, ev, vec![]).await?;
    Ok(json!({"case_id": id, "sent": true, "flagged": flagged}))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    /// For the staff only: never shown to the applicant nor printed on their papers.
    pub text: String,
}

/// Issue 31, item 8: an internal note on a case — by whoever works it — kept apart from the
/// reply to the applicant (the timeline the applicant follows and their papers leave it out).
pub async fn do_note(s: &App, p: &Principal, id: i64, b: NoteIn) -> Result<()> {
    let text = long_text("note", "内部备注", &b.text, 2000)?;
    let mut l = load(s, p, id, Action::WorkCase).await?;
    let ev = l.case.note(&text);
    save(s, p, &l, ev, vec![]).await.map(|_| ())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CrossUnitIn {
    pub lead_unit_id: i64,
    /// Every unit involved, the lead included.
    pub unit_ids: Vec<i64>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationIn {
    pub unit_ids: Vec<i64>,
    /// Names and posts of those present.
    pub participants: Vec<String>,
    pub conclusion: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssistanceIn {
    /// assisted | proxy | home_visit | online
    pub kind: String,
    /// key_project | elderly | sick | disabled | pregnant | other
    pub reason: String,
    pub outcome: String,
    /// Defaults to the caller.
    pub helper_id: Option<i64>,
}

/// NV-5: the applicant handed in what 容缺受理 left missing.
pub async fn do_supplement(s: &App, p: &Principal, id: i64) -> Result<()> {
    let mut l = load(s, p, id, Action::WorkCase).await?;
    let ev = l.case.supplement_received(s.now())?;
    save(s, p, &l, ev, vec![]).await.map(|_| ())
}

/// NV-1: who may finish the case's current stage — whoever works the case (as [`load`] decides)
/// or works at the unit the stage names.
pub async fn may_finish_stage(s: &App, p: &Principal, l: &Loaded) -> Result<()> {
    let denied = match p.may(Action::WorkCase, &l.place) {
        Ok(()) => return Ok(()),
        Err(_) if l.case.first_contact_keeps(p.id, Action::WorkCase) => return Ok(()),
        Err(e) => e,
    };
    if let Some(u) = l.case.current_stage().and_then(|n| l.case.stages[n].unit_id)
        && works_at_unit(s, p, u).await?
    {
        return Ok(());
    }
    Err(denied)
}

/// Whether `p` works cases at unit `u` — at the unit itself or at any of its windows.
async fn works_at_unit(s: &App, p: &Principal, u: i64) -> Result<bool> {
    let places = crate::org::handoff_targets(s, None, Some(u)).await?;
    Ok(places.iter().any(|pl| p.may(Action::WorkCase, pl).is_ok()))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageDoneIn {
    /// The name of the stage being finished, as the caller saw it: refused when the case has
    /// moved on meanwhile, so a second click never finishes the next stage too.
    pub stage: String,
    /// What was done (the first contact reads it; at the last stage it is the closing note
    /// the applicant reads).
    #[serde(default)]
    pub note: String,
    /// The sender has read the refusal-wording warning on the last stage's note and keeps it.
    #[serde(default)]
    pub confirm_phrases: bool,
}

/// NV-1 (JL 三(一)): the current back-office stage is finished — by whoever works at the case's
/// place or at the stage's own unit — and the next one starts with its deadline; the last one
/// closes the case as approved (办结). The next stage's unit contact and the first contact hear
/// of it through the outbox, in the same write.
pub async fn do_finish_stage(s: &App, p: &Principal, id: i64, b: StageDoneIn) -> Result<()> {
    let note = match b.note.trim() {
        "" => String::new(),
        n => long_text("note", "办理情况", n, 1000)?,
    };
    let mut l = load(s, p, id, Action::ReadCase).await?;
    may_finish_stage(s, p, &l).await?;
    let Some(n) = l.case.current_stage() else {
        return Err(Error::conflict("no_stage", "该办件没有待完成的办理阶段"));
    };
    if l.case.stages[n].name != b.stage.trim() {
        return Err(Error::conflict(
            "stage_moved",
            format!("办件已进入“{}”阶段（“{}”已由他人完成），请刷新后再办理", l.case.stages[n].name, b.stage.trim()),
        ));
    }
    // The last stage's note is the closing note the applicant reads (NV-14).
    if n + 1 == l.case.stages.len() && !note.is_empty() {
        applicant_text("办结说明", &note, b.confirm_phrases)?;
    }
    let ev = l.case.finish_stage(p.id, &note, s.now())?;
    let receipt = l.case.receipt_no.clone();
    let done = l.case.stages[n].name.clone();
    let mut told = vec![];
    if let Some(next) = l.case.stages.get(n + 1).filter(|_| l.case.status != Status::Closed) {
        let unit = next.unit_id.filter(|u| Some(*u) != l.case.unit_id);
        let d = crate::org::directory(s).await?;
        if let Some(contact) = unit.and_then(|u| d.units.iter().find(|x| x.id == u)).and_then(|u| u.contact_id) {
            told.push(crate::jobs::staff_message(
                contact,
                format!("待办阶段：{receipt}"),
                format!(
                    "办件 {receipt} 已完成“{done}”，转入贵单位承办的“{}”阶段，请及时办理（/cases/{id}）。",
                    next.name
                ),
                format!("stage:{id}:{}:unit", n + 1),
            ));
        }
    }
    if l.case.first_contact_id != p.id {
        let what = match l.case.stages.get(n + 1).filter(|_| l.case.status != Status::Closed) {
            Some(next) => format!("已完成“{done}”，现为“{}”阶段", next.name),
            None => format!("已完成最后阶段“{done}”，已办结"),
        };
        told.push(crate::jobs::staff_message(
            l.case.first_contact_id,
            format!("办理进度：{receipt}"),
            format!("您首问的办件 {receipt} {what}（/cases/{id}）。"),
            format!("stage:{id}:{n}:done"),
        ));
    }
    save(s, p, &l, ev, told.into_iter().map(Effect::Notify).collect()).await.map(|_| ())
}

/// NV-6: approval on the applicant's written commitment (告知承诺), where the item allows it.
pub async fn do_commitment(s: &App, p: &Principal, id: i64, b: CommitmentIn) -> Result<()> {
    let text = long_text("commitment", "承诺书内容", &b.commitment, 4000)?;
    let mut l = load(s, p, id, Action::WorkCase).await?;
    let (rules, item) = item_rules(s, l.case.item_code.clone()).await?;
    let ev = l.case.approve_by_commitment(&rules, &text, s.now())?;
    // NV-6: the promised facts are verified within the item's period (else the policy's),
    // opened in the same write.
    let days = item.and_then(|i| i.commitment_check_days).unwrap_or(l.policy.commitment_check_days);
    let today = noveto_domain::time::local_date(s.now());
    let due = l.cal.due(today, days)?.to_string();
    save(s, p, &l, ev, vec![Effect::OpenCommitmentCheck { due }]).await.map(|_| ())
}

/// NV-10: a cross-unit matter names its lead unit.
pub async fn do_cross_unit(s: &App, p: &Principal, id: i64, b: CrossUnitIn) -> Result<()> {
    for u in &b.unit_ids {
        let u = *u;
        s.store
            .read(move |tx| org::unit_by_id(tx, u))
            .await?
            .ok_or_else(|| Error::bad("unknown_unit", format!("单位 {u} 不存在")))?;
    }
    let mut l = load(s, p, id, Action::WorkCase).await?;
    let ev = l.case.set_cross_unit(b.lead_unit_id, b.unit_ids)?;
    save(s, p, &l, ev, vec![]).await.map(|_| ())
}

/// NV-10: a joint consultation (会商), recorded by the case's window or the lead unit's leader.
/// Returns how many consultations the case now has.
pub async fn do_joint_consultation(s: &App, p: &Principal, id: i64, b: ConsultationIn) -> Result<usize> {
    let conclusion = long_text("conclusion", "会商结论", &b.conclusion, 4000)?;
    if b.participants.iter().all(|x| x.trim().is_empty()) {
        return Err(Error::bad("participants_required", "请填写参加会商的人员"));
    }
    let mut l = load(s, p, id, Action::ReadCase).await?;
    let lead_ok = match l.case.lead_unit_id {
        Some(u) => {
            let place = s.store.read(move |tx| org::place_of_unit(tx, u)).await?.unwrap_or_default();
            p.may(Action::Decide(DecisionLevel::UnitLeader), &place).is_ok()
        }
        None => false,
    };
    if !lead_ok {
        p.may(Action::WorkCase, &l.place)?;
    }
    let c = noveto_domain::case::JointConsultation {
        at: s.now(),
        unit_ids: b.unit_ids,
        participants: b.participants.into_iter().map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect(),
        conclusion,
    };
    let ev = l.case.consult(c)?;
    save(s, p, &l, ev, vec![]).await?;
    Ok(l.case.consultations.len())
}

/// NV-11: assisted or proxy handling, with helper and outcome. Returns the case's record.
pub async fn do_assistance(s: &App, p: &Principal, id: i64, b: AssistanceIn) -> Result<Value> {
    use noveto_domain::case::{AssistFor, AssistKind};
    let kind = match b.kind.as_str() {
        "assisted" => AssistKind::Assisted,
        "proxy" => AssistKind::Proxy,
        "home_visit" => AssistKind::HomeVisit,
        "online" => AssistKind::Online,
        _ => return Err(Error::bad("invalid_kind", "kind 须为 assisted、proxy、home_visit 或 online")),
    };
    let reason = match b.reason.as_str() {
        "key_project" => AssistFor::KeyProject,
        "elderly" => AssistFor::Elderly,
        "sick" => AssistFor::Sick,
        "disabled" => AssistFor::Disabled,
        "pregnant" => AssistFor::Pregnant,
        "other" => AssistFor::Other,
        _ => {
            return Err(Error::bad(
                "invalid_reason",
                "reason 须为 key_project、elderly、sick、disabled、pregnant 或 other",
            ));
        }
    };
    let outcome = long_text("outcome", "办理结果", &b.outcome, 2000)?;
    let helper = b.helper_id.unwrap_or(p.id);
    s.store
        .read(move |tx| org::staff_by_id(tx, helper))
        .await?
        .ok_or_else(|| Error::bad("unknown_staff", "帮办人员不存在"))?;
    let mut l = load(s, p, id, Action::WorkCase).await?;
    let ev =
        l.case.assist(noveto_domain::case::Assistance { at: s.now(), kind, reason, helper_id: helper, outcome })?;
    save(s, p, &l, ev, vec![]).await?;
    Ok(serde_json::to_value(&l.case.assistance).unwrap_or_default())
}

/// The center whose subtree the caller reads cases in: the first center-scoped grant that may
/// read cases there (the scope of the center-wide lists).
async fn readable_center(s: &App, p: &Principal) -> Result<Option<i64>> {
    for g in p.grants.iter().filter(|g| g.scope.kind == noveto_domain::access::ScopeKind::Center) {
        let c = g.scope.id;
        let place = s.store.read(move |tx| org::place_of_center(tx, c)).await?;
        if p.may(Action::ReadCase, &place).is_ok() {
            return Ok(Some(c));
        }
    }
    Ok(None)
}

/// Which cases a list asks for.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// The caller's own open first-contact cases, nearest due first.
    pub mine: bool,
    pub status: Option<String>,
    pub unit_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// A list of cases that stays inside the caller's scope: their own, one unit they may read (its
/// center chain checked), or the subtree of a center they read (the first center-scoped grant
/// that may). The same access decision as the single read.
pub async fn list_cases(s: &App, p: &Principal, f: CaseFilter) -> Result<Vec<repo::CaseRow>> {
    let limit = f.limit;
    if f.mine {
        // NV-1, ORG-4: the caller's open first-contact matters and, while they stand in as B,
        // those of the absent A (each row names its first contact, so a page can mark A's).
        return own_view(s, p, Queue::Mine, limit, f.offset).await;
    }
    let unit = f.unit_id;
    let center = match unit {
        Some(u) => {
            let place =
                s.store.read(move |tx| org::place_of_unit(tx, u)).await?.ok_or_else(|| Error::not_found("单位"))?;
            p.may(Action::ReadCase, &place)?;
            place.centers.first().copied().ok_or_else(|| Error::not_found("单位"))?
        }
        None => readable_center(s, p)
            .await?
            .ok_or_else(|| Error::forbidden("无权查看全中心办件：请指定 unit_id，或使用 mine=true 查看我的办件"))?,
    };
    let (status, offset) = (f.status, f.offset.max(0));
    Ok(s.store.read(move |tx| repo::list(tx, unit, center, status.as_deref(), limit, offset)).await?)
}

/// The most candidates a search weighs for one answer.
const SEARCH_CANDIDATES: usize = 2000;

/// The workbench search (screens issue, item 6): every case the caller may read whose receipt
/// number, applicant (name, organisation, phone) or request contains `q` — the single read's
/// access decision on each — best first (a number or the whole name, newest first; then names
/// beginning with it; then the words inside), `limit` from `offset`, of the first 2,000
/// candidates.
pub async fn search_cases(s: &App, p: &Principal, q: &str, limit: usize, offset: usize) -> Result<Vec<repo::CaseRow>> {
    // Reports and searches may be served by the read replica (issue 27).
    noveto_store::may_lag(async move {
        let q = q.trim();
        if q.chars().count() < 2 {
            return Err(Error::bad("too_short", "请至少输入两个字（受理编号、姓名、单位或电话）"));
        }
        if q.chars().count() > 50 {
            return Err(Error::bad("too_long", "查询内容不能超过 50 个字"));
        }
        // The candidates in their fixed order (the first n of more are the same n): a few first,
        // more only while the reader may see too few of them for the page — at most 2,000.
        let want = offset.saturating_add(limit);
        // A reader of a whole center sees most candidates: a few are enough to start with. One
        // who reads a window or a unit sees a fraction of them: all at once.
        let wide = p.grants.iter().any(|g| g.scope.kind == noveto_domain::access::ScopeKind::Center);
        let mut ask = if wide { want.saturating_mul(2).clamp(100, SEARCH_CANDIDATES) } else { SEARCH_CANDIDATES };
        let ids = loop {
            let needle = q.to_string();
            let found = s.store.read(move |tx| repo::search_candidates(tx, &needle, ask as i64)).await?;
            let exhausted = found.len() < ask;
            // The access decision on each candidate's place (the chains come from the app's
            // cache of them); then the page's rows only.
            let mut ids = vec![];
            for (id, at) in found {
                let place = place_at(s, at.center_id, at.unit_id, at.window_id).await?;
                if p.may(Action::ReadCase, &place).is_ok() || at.first_contact_id == p.id {
                    ids.push(id);
                }
            }
            if ids.len() >= want || exhausted || ask >= SEARCH_CANDIDATES {
                break ids;
            }
            // Straight to the most: a reader who sees few of the first ones sees few of any.
            ask = SEARCH_CANDIDATES;
        };
        let page: Vec<i64> = ids.into_iter().skip(offset).take(limit).collect();
        Ok(s.store.read(move |tx| repo::rows_by_ids(tx, &page)).await?)
    })
    .await
}

/// Case list rows as a file (CSV or XLSX): receipt number, status, kind, opened, next due,
/// applicant, request.
pub fn cases_file(rows: &[repo::CaseRow], format: crate::catalog::Format) -> Result<Vec<u8>> {
    let columns = ["受理编号", "状态", "类型", "接件时间", "最近期限", "申请人", "事项"];
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let status = Status::ALL.iter().find(|s| s.as_str() == r.status).map(|s| s.label()).unwrap_or("");
            let kind = if r.kind == "consultation" { "咨询" } else { "申请" };
            let opened = chrono::DateTime::parse_from_rfc3339(&r.opened_at)
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|_| r.opened_at.clone());
            vec![
                r.receipt_no.clone(),
                status.to_string(),
                kind.to_string(),
                opened,
                r.next_due.clone().unwrap_or_default(),
                r.applicant.clone(),
                r.request.clone(),
            ]
        })
        .collect();
    crate::catalog_file::table("办件", &columns, &table, format == crate::catalog::Format::Xlsx)
        .map_err(|e| Error::bad("export_failed", e))
}

/// A veto request, for whoever may read its case.
pub async fn get_veto(s: &App, p: &Principal, id: i64) -> Result<VetoRequest> {
    let v = s.store.read(move |tx| repo::get_veto(tx, id)).await?.ok_or_else(|| Error::not_found("否决报批"))?;
    load(s, p, v.case_id, Action::ReadCase).await?;
    Ok(v)
}

/// What a notice left: its number among the case's notices, and the case as it now stands.
pub struct NoticeIssued {
    pub number: usize,
    pub case: Case,
}

/// NV-4, read back after [`do_notice`]: for whoever may read the case.
pub async fn notice_issued(s: &App, p: &Principal, id: i64) -> Result<NoticeIssued> {
    let l = load(s, p, id, Action::ReadCase).await?;
    let number = s.store.read(move |tx| repo::timeline(tx, id)).await?.iter().filter(|e| e.kind == "notice").count();
    Ok(NoticeIssued { number, case: l.case })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalIn {
    /// The applicant's written withdrawal, in their words (申请人撤回申请).
    pub statement: String,
}

/// NV-2: records the applicant's written withdrawal; the window head confirms it before the
/// case can close as withdrawn. Returns its id.
pub async fn do_withdrawal(s: &App, p: &Principal, id: i64, b: WithdrawalIn) -> Result<i64> {
    let statement = long_text("statement", "撤回申请内容", &b.statement, 2000)?;
    let l = load(s, p, id, Action::WorkCase).await?;
    let w = noveto_domain::case::Withdrawal::new(0, id, &statement, p.id).map_err(withdrawal_error)?;
    let now = s.now();
    let dues = dues(&l.case, &l.cal, &l.policy, now);
    let ctx = p.ctx(&noveto_domain::time::rfc3339(now));
    let (version, mut case) = (l.version, l.case.clone());
    let (unit, window) = (case.unit_id, case.window_id);
    // Issue 31 (being told): the window heads who may confirm it hear of it through the outbox.
    let place = l.place.clone();
    let recorder = p.id;
    let receipt = case.receipt_no.clone();
    // One write: the withdrawal row first, so that the case's event names its id; the messages
    // with it.
    s.store
        .write(move |tx| {
            let w2 = w.clone();
            let wid = repo::record_withdrawal(tx, &ctx, &w, unit, window, version, move |wid| {
                let ev = case.withdrawal_recorded(&w2.numbered(wid))?;
                Ok::<_, Error>((case, ev, dues))
            })?;
            for head in org::holders_at(tx, &[noveto_domain::access::Role::WindowHead], &place)?
                .into_iter()
                .filter(|h| *h != recorder)
            {
                let m = crate::jobs::staff_message(
                    head,
                    format!("撤回申请待确认：{receipt}"),
                    format!("办件 {receipt} 的申请人书面撤回申请，请到“待我审批”确认（/inbox）。"),
                    format!("withdrawal:{wid}:head:{head}"),
                );
                noveto_store::repo::jobs::enqueue(tx, &ctx, &m)?;
            }
            Ok::<_, Error>(wid)
        })
        .await
}

/// NV-2: the window head confirms the applicant's withdrawal (not the person who recorded it).
pub async fn do_confirm_withdrawal(s: &App, p: &Principal, wid: i64) -> Result<i64> {
    let mut w =
        s.store.read(move |tx| repo::get_withdrawal(tx, wid)).await?.ok_or_else(|| Error::not_found("撤回申请"))?;
    let mut l = load(s, p, w.case_id, Action::ReadCase).await?;
    p.may(Action::Decide(DecisionLevel::WindowHead), &l.place)?;
    w.confirm(p.id).map_err(withdrawal_error)?;
    let ev = l.case.withdrawal_confirmed(&w)?;
    let case_id = w.case_id;
    // Issue 31 (being told): the clerk who recorded it may now close the case as withdrawn.
    let receipt = l.case.receipt_no.clone();
    let told = crate::jobs::staff_message(
        w.recorded_by,
        format!("撤回申请已确认：{receipt}"),
        format!("窗口负责人已确认办件 {receipt} 的撤回申请，请按“申请人撤回”办结（/cases/{case_id}）。"),
        format!("withdrawal:{wid}:confirmed"),
    );
    save(s, p, &l, ev, vec![Effect::ConfirmWithdrawal(w), Effect::Notify(told)]).await?;
    Ok(case_id)
}

fn withdrawal_error(e: noveto_domain::case::WithdrawalError) -> Error {
    use noveto_domain::case::WithdrawalError as W;
    match e {
        W::SelfConfirmation => Error::new(crate::error::Kind::Forbidden, e.code(), e.to_string()),
        W::AlreadyConfirmed => Error::conflict(e.code(), e.to_string()),
        W::NoStatement => Error::bad(e.code(), e.to_string()),
    }
}

/// The first day of the month `first` and the first day after the month `last` ("YYYY-MM"), as
/// the roll-up compares the endings' instants with them.
fn month_span(first: &str, last: &str) -> Result<(String, String)> {
    let day = |m: &str| {
        chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
            .map_err(|_| Error::bad("invalid_month", "月份格式应为 YYYY-MM"))
    };
    let from = day(first)?;
    let to = day(last)?
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| Error::bad("invalid_month", "月份超出范围"))?;
    Ok((from.to_string(), to.to_string()))
}

/// NV-2: the month's withdrawals, `not_required` endings and answers the caller may see — by
/// the same access decision as the filings.
async fn scoped_endings(s: &App, p: &Principal, month: &str) -> Result<Vec<repo::OtherEnding>> {
    scoped_endings_in(s, p, month, month).await
}

/// The other endings of the months `first..=last`, in one read.
async fn scoped_endings_in(s: &App, p: &Principal, first: &str, last: &str) -> Result<Vec<repo::OtherEnding>> {
    may_read_filings(p)?;
    let (from, to) = month_span(first, last)?;
    let all = s.store.read(move |tx| repo::other_endings_with_centers(tx, &from, &to)).await?;
    Ok(all
        .into_iter()
        .filter(|(e, centers)| {
            let place = Place { centers: centers.clone(), unit: e.unit_id, window: e.window_id };
            p.may(Action::ReadFilings, &place).is_ok()
        })
        .map(|(e, _)| e)
        .collect())
}

/// The month's negative endings other than vetoes that the caller may see (the business
/// section's, a unit leader's unit): withdrawals, `not_required`, and answers that say no.
pub async fn visible_other_endings(s: &App, p: &Principal, month: &str) -> Result<Vec<repo::OtherEnding>> {
    visible_other_endings_in(s, p, month, month).await
}

/// [`visible_other_endings`] of the months `first..=last`, in one read.
pub async fn visible_other_endings_in(
    s: &App,
    p: &Principal,
    first: &str,
    last: &str,
) -> Result<Vec<repo::OtherEnding>> {
    Ok(scoped_endings_in(s, p, first, last)
        .await?
        .into_iter()
        .filter_map(|mut e| {
            // An answer counts beside the vetoes when it said no: the refusal check flagged it
            // when it went out (kept on its event), and its sender confirmed the wording then.
            let negative = e.flagged;
            match e.kind {
                "answered" if negative => e.kind = "negative_consultation",
                "escalation_answered" if negative => e.kind = "negative_escalation",
                "answered" | "escalation_answered" => return None,
                _ => {}
            }
            Some(e)
        })
        .collect())
}

/// NV-15's trend from counted groups (of [`visible_veto_groups`] and [`visible_ending_groups`],
/// over a span that holds `months`, consecutive "YYYY-MM"): per month, the vetoes asked for, of
/// them approved, and the other negative endings — of what the caller may see, decided per group
/// with the same places as [`visible_filings`] and [`visible_other_endings`].
pub fn trend_of(
    filings: &[repo::VetoGroup],
    others: &[repo::EndingGroup],
    months: &[String],
) -> Vec<(String, usize, usize, usize)> {
    let mut out: Vec<(String, usize, usize, usize)> = months.iter().map(|m| (m.clone(), 0, 0, 0)).collect();
    for g in filings {
        if let Some(row) = out.iter_mut().find(|r| r.0 == g.month) {
            row.1 += g.count as usize;
            if g.outcome.as_deref() == Some("approved") {
                row.2 += g.count as usize;
            }
        }
    }
    for g in others {
        if let Some(row) = out.iter_mut().find(|r| r.0 == g.month) {
            row.3 += g.count as usize;
        }
    }
    out
}

/// The other negative endings of the months `first..=last` the caller may see, counted by the
/// database per month, place and kind (what [`visible_other_endings_in`] lists, without reading
/// it): each group decided once, with the place its rows would have (its unit and window).
pub async fn visible_ending_groups(s: &App, p: &Principal, first: &str, last: &str) -> Result<Vec<repo::EndingGroup>> {
    may_read_filings(p)?;
    let (f, t) = month_span(first, last)?;
    let groups = s.store.read(move |tx| repo::ending_groups_with_centers(tx, &f, &t)).await?;
    Ok(groups
        .into_iter()
        .filter(|(g, centers)| {
            p.may(Action::ReadFilings, &Place { centers: centers.clone(), unit: g.unit_id, window: g.window_id })
                .is_ok()
        })
        .map(|(g, _)| g)
        .collect())
}

/// FZ 二(三), WH 一(三): where the policy files gray-area answers with the center
/// (`gray_area.file_with_center`), the month's escalation answers the caller may see; none
/// where it does not.
pub async fn gray_area_filings(s: &App, p: &Principal, month: &str) -> Result<Vec<repo::OtherEnding>> {
    if !s.policy().gray_area.file_with_center {
        return Ok(vec![]);
    }
    Ok(scoped_endings(s, p, month).await?.into_iter().filter(|e| e.kind == "escalation_answered").collect())
}

/// One line of the business section's monthly roll-up: a window (with its unit) and how its
/// matters ended other than by being done — vetoes beside every other negative ending (NV-2,
/// NV-9, NV-14).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RollupRow {
    pub unit: String,
    pub window: String,
    pub vetoes_requested: u32,
    pub vetoes_approved: u32,
    pub vetoes_denied: u32,
    pub withdrawals: u32,
    pub not_required: u32,
    pub negative_consultations: u32,
    pub negative_escalations: u32,
    pub changed_to_consultation: u32,
    /// Applications referred elsewhere (指引 or 转交), counted when referred.
    pub referrals: u32,
}

/// The column titles of the roll-up, in order (the page, CSV and XLSX share them).
pub const ROLLUP_COLUMNS: [&str; 11] = [
    "单位",
    "窗口",
    "否决报批",
    "批准否决",
    "不予否决",
    "申请人书面撤回",
    "依法无需办理",
    "否定性咨询答复",
    "否定性请示答复",
    "申请改为咨询",
    "申请指引他处",
];

impl RollupRow {
    pub fn cells(&self) -> Vec<String> {
        let mut v = vec![self.unit.clone(), self.window.clone()];
        for n in [
            self.vetoes_requested,
            self.vetoes_approved,
            self.vetoes_denied,
            self.withdrawals,
            self.not_required,
            self.negative_consultations,
            self.negative_escalations,
            self.changed_to_consultation,
            self.referrals,
        ] {
            v.push(n.to_string());
        }
        v
    }
}

/// The month's roll-up per window and unit, inside the caller's scope: the same scoped reads as
/// the filings list ([`visible_filings`], [`visible_other_endings`]), so the page, the API and
/// the export show the same lines.
pub async fn monthly_rollup(s: &App, p: &Principal, month: &str) -> Result<Vec<RollupRow>> {
    let filings = visible_filings(s, p, month).await?;
    let others = visible_other_endings(s, p, month).await?;
    let d = crate::org::directory(s).await?;
    let unit = |id: Option<i64>| id.and_then(|i| d.units.iter().find(|u| u.id == i)).map(|u| u.name.clone());
    let window = |id: Option<i64>| id.and_then(|i| d.windows.iter().find(|w| w.id == i)).map(|w| w.name.clone());
    let key = |u: Option<i64>, w: Option<i64>| {
        (unit(u).unwrap_or_else(|| "（未指定单位）".into()), window(w).unwrap_or_else(|| "—".into()))
    };
    let mut rows: std::collections::BTreeMap<(String, String), RollupRow> = Default::default();
    fn line(rows: &mut std::collections::BTreeMap<(String, String), RollupRow>, k: (String, String)) -> &mut RollupRow {
        rows.entry(k.clone()).or_insert_with(|| RollupRow { unit: k.0, window: k.1, ..Default::default() })
    }
    for f in &filings {
        let r = line(&mut rows, key(f.unit_id, f.window_id));
        r.vetoes_requested += 1;
        match f.outcome.as_deref() {
            Some("approved") => r.vetoes_approved += 1,
            Some("denied") => r.vetoes_denied += 1,
            _ => {}
        }
    }
    for e in &others {
        let r = line(&mut rows, key(e.unit_id, e.window_id));
        match e.kind {
            "withdrawn" => r.withdrawals += 1,
            "not_required" => r.not_required += 1,
            "negative_consultation" => r.negative_consultations += 1,
            "changed_to_consultation" => r.changed_to_consultation += 1,
            "referred" => r.referrals += 1,
            _ => r.negative_escalations += 1,
        }
    }
    Ok(rows.into_values().collect())
}

/// The roll-up as a file (CSV or XLSX) with [`ROLLUP_COLUMNS`].
pub fn rollup_file(month: &str, rows: &[RollupRow], format: crate::catalog::Format) -> Result<Vec<u8>> {
    let table: Vec<Vec<String>> = rows.iter().map(RollupRow::cells).collect();
    let title = format!("{month} 否决及其他否定性办结月度汇总");
    crate::catalog_file::table(&title, &ROLLUP_COLUMNS, &table, format == crate::catalog::Format::Xlsx)
        .map_err(|e| Error::bad("export_failed", e))
}

/// The missed deadlines of the cases the caller reads as a center role (supervision, the
/// director, oversight): the same scope as the center's case list — the subtree of the first
/// center-scoped grant that may read cases there; none for other roles.
pub async fn overdue_visible(s: &App, p: &Principal, limit: i64) -> Result<Vec<OverdueLine>> {
    let Some(center) = readable_center(s, p).await? else { return Ok(vec![]) };
    let today = noveto_domain::time::local_date(s.now()).to_string();
    let missed =
        s.store.read(move |tx| noveto_store::repo::jobs::missed_in_center(tx, &today, center, limit * 4)).await?;
    // Each case once, at its oldest missed deadline, with its unit and first contact in words.
    let mut seen = std::collections::HashSet::new();
    let missed: Vec<_> =
        missed.into_iter().filter(|m| seen.insert(m.deadline.entity_id)).take(limit as usize).collect();
    let people = crate::org::names(s, missed.iter().map(|m| m.first_contact_id).collect()).await?;
    let units: std::collections::HashMap<i64, String> =
        crate::org::directory(s).await?.units.into_iter().map(|u| (u.id, u.name)).collect();
    Ok(missed
        .into_iter()
        .map(|m| OverdueLine {
            case_id: m.deadline.entity_id,
            receipt_no: m.receipt_no,
            unit: m.unit_id.and_then(|u| units.get(&u).cloned()).unwrap_or_default(),
            person: people.get(&m.first_contact_id).cloned().unwrap_or_default(),
            applicant: m.applicant,
            what: m.deadline.what,
            due: m.deadline.due.get(..10).unwrap_or(&m.deadline.due).to_string(),
        })
        .collect())
}

/// One overdue matter on the supervision section's list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OverdueLine {
    pub case_id: i64,
    pub receipt_no: String,
    pub unit: String,
    /// Its first contact, who is urged.
    pub person: String,
    pub applicant: String,
    /// The deadline missed (`reply`, `veto_decision` …).
    pub what: String,
    pub due: String,
}

pub const OVERDUE_COLUMNS: [&str; 6] = ["受理编号", "单位", "经办人", "申请人", "期限事项", "到期日"];

/// The overdue list as a file (CSV or XLSX), as the page shows it.
pub fn overdue_file(lines: &[OverdueLine], format: crate::catalog::Format) -> Result<Vec<u8>> {
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                l.receipt_no.clone(),
                l.unit.clone(),
                l.person.clone(),
                l.applicant.clone(),
                noveto_domain::deadline::label_of(&l.what).to_string(),
                l.due.clone(),
            ]
        })
        .collect();
    crate::catalog_file::table("超期督办", &OVERDUE_COLUMNS, &rows, format == crate::catalog::Format::Xlsx)
        .map_err(|e| Error::bad("export_failed", e))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UrgeIn {
    /// What is urged: what to do, by when.
    pub note: String,
}

/// 督办 (issue 31): the supervision section urges the first contact of an overdue matter — a
/// recorded urging (audit) and a message through the outbox, in one write.
pub async fn urge(s: &App, p: &Principal, id: i64, b: UrgeIn) -> Result<()> {
    let note = long_text("note", "督办意见", &b.note, 1000)?;
    let l = load(s, p, id, Action::ReadCase).await?;
    p.may(Action::Urge, &l.place)?;
    let ctx = p.ctx(&s.now_str());
    let receipt = l.case.receipt_no.clone();
    let m = crate::jobs::staff_message(
        l.case.first_contact_id,
        format!("督办：{receipt}"),
        format!("监督监察科督办办件 {receipt}：{note}（/cases/{id}）"),
        format!("urge:{id}:{}", ctx.now),
    );
    s.store.write(move |tx| repo::urge(tx, &ctx, id, &note, &m)).await?;
    Ok(())
}

/// NV-14: replies of a month and how many of them carried a refusal phrase, per window — only
/// the windows whose figures the reader may see (the business section's or the library
/// keeper's scope) — with those windows.
pub async fn flagged_replies(
    s: &App,
    p: &Principal,
    month: &str,
) -> Result<(Vec<(Option<i64>, i64, i64)>, Vec<org::Window>)> {
    let (from, to) = crate::faq::month_range(month)?;
    let (rows, windows) = s
        .store
        .read(move |tx| Ok::<_, StoreError>((repo::flagged_replies_by_window(tx, &from, &to)?, org::windows(tx)?)))
        .await?;
    let mut seen = vec![];
    for w in windows {
        let (centers, _) = s.center_chain(w.center_id).await?;
        let place = Place { centers, unit: w.unit_id, window: Some(w.id) };
        if p.may(Action::ReadFilings, &place).is_ok() || p.may(Action::ManageFaq, &place).is_ok() {
            seen.push(w);
        }
    }
    let rows = rows.into_iter().filter(|(w, _, _)| w.is_some_and(|w| seen.iter().any(|x| x.id == w))).collect();
    Ok((rows, seen))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MonthlyFilingIn {
    pub unit_id: i64,
    /// YYYY-MM
    pub month: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// NV-9 (JL 三(三)): where the policy files vetoes monthly (`veto.filing` has `monthly`), a unit
/// files its month with the center as an act of its own — by its leader in charge or its head,
/// once per month, recording how many veto requests the month held.
pub async fn file_month(s: &App, p: &Principal, b: MonthlyFilingIn) -> Result<repo::MonthlyFiling> {
    if !s.policy().veto.filing.iter().any(|f| f == "monthly") {
        return Err(Error::conflict("monthly_filing_not_required", "本地政策不要求各单位按月报备否决事项"));
    }
    let month = parse_month(&b.month)?;
    // A month not yet begun has nothing to file, and filing it would block the real filing.
    if month > s.now().format("%Y-%m").to_string() {
        return Err(Error::bad("future_month", "不能报备尚未到来的月份").at("month"));
    }
    let note = b.note.as_deref().map(str::trim).unwrap_or("").chars().take(1000).collect::<String>();
    let place = crate::catalog::unit_place(s, b.unit_id).await?;
    p.may(Action::Decide(DecisionLevel::UnitLeader), &place)
        .or_else(|_| p.may(Action::Decide(DecisionLevel::UnitHead), &place))?;
    let vetoes = visible_filings(s, p, &month).await?.iter().filter(|f| f.unit_id == Some(b.unit_id)).count() as i64;
    let f = repo::MonthlyFiling { unit_id: b.unit_id, month, filed_by: p.id, filed_at: s.now_str(), vetoes, note };
    let (ctx, f2) = (p.ctx(&s.now_str()), f.clone());
    s.store.write(move |tx| repo::file_month(tx, &ctx, &f2)).await?;
    Ok(f)
}

/// One unit's monthly filing status, for the filings page and API.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MonthlyStatus {
    pub unit_id: i64,
    pub unit: String,
    pub filing: Option<repo::MonthlyFiling>,
    pub filed_by_name: Option<String>,
}

/// NV-9 (JL 三(三)): every unit whose filings the caller may read, with its monthly filing for
/// `month` or none yet. Empty where the policy does not file monthly.
pub async fn monthly_status(s: &App, p: &Principal, month: &str) -> Result<Vec<MonthlyStatus>> {
    may_read_filings(p)?;
    if !s.policy().veto.filing.iter().any(|f| f == "monthly") {
        return Ok(vec![]);
    }
    let month = parse_month(month)?;
    let m2 = month.clone();
    let (filed, units) =
        s.store.read(move |tx| Ok::<_, StoreError>((repo::monthly_filings(tx, &m2)?, org::units(tx)?))).await?;
    let ids: Vec<i64> = filed.iter().map(|f| f.filed_by).collect();
    let names = crate::org::names(s, ids).await?;
    let mut out = vec![];
    for u in units {
        let (centers, _) = s.center_chain(u.center_id).await?;
        if p.may(Action::ReadFilings, &Place { centers, unit: Some(u.id), window: None }).is_err() {
            continue;
        }
        let filing = filed.iter().find(|f| f.unit_id == u.id).cloned();
        let filed_by_name = filing.as_ref().and_then(|f| names.get(&f.filed_by).cloned());
        out.push(MonthlyStatus { unit_id: u.id, unit: u.name, filing, filed_by_name });
    }
    Ok(out)
}
