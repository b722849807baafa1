//! TC: 吐槽找茬 complaints on the one ticket path ([`tickets`]). In person and on the phone the
//! member of staff who takes it registers it and is its first contact; everything else the
//! supervision section registers. The supervision section assigns it — a lead section and the
//! sections that handle it with the lead — grants the complex deadline, takes what no section can
//! solve to the director's meeting, and files the reply. A confidential complainant is seen by the
//! supervision section only (the access layer's `seen`, applied by [`tickets::view`]); every list,
//! ledger, export and print here is made of those views.

use crate::tickets::{self, AppTicket, Loaded, View};
use crate::{App, Error, Principal, Result};
use chrono::NaiveDate;
use noveto_domain::access::{Action, Place, Relation, Role, ScopeKind, may_somewhere};
use noveto_domain::complaint::{
    Category, Channel, Command, Complainant, Complaint, ComplaintError, NewComplaint, Offer, Status,
};
use noveto_domain::validate::{Phone, long_text, text};
use noveto_store::StoreError;
use noveto_store::repo::complaints as repo;
use noveto_store::repo::org;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

impl From<ComplaintError> for Error {
    fn from(e: ComplaintError) -> Error {
        let err =
            if e.is_state() { Error::conflict(e.code(), e.to_string()) } else { Error::bad(e.code(), e.to_string()) };
        Error { field: e.field(), ..err }
    }
}

impl AppTicket for Complaint {
    fn center_id(&self) -> i64 {
        self.center_id
    }
    fn receipt(&self) -> &str {
        &self.receipt_no
    }
    fn unit(&self) -> Option<i64> {
        self.lead
    }
    fn policy_ref(&self) -> (&str, u32) {
        (&self.policy_id, self.policy_version)
    }
    /// Its center, the lead section, the window it was said at.
    fn place(&self, centers: Vec<i64>) -> Place {
        Place { centers, unit: self.lead, window: self.window_id }
    }
    /// Its first contact and the sections handling it work it; a confidential complainant is
    /// kept from all of them (TC-5).
    fn relation(&self, p: &Principal, l: &Loaded<Self>) -> Relation {
        let works_it = self.first_contact == Some(p.id) || leads(p, l) || co_section(p, l).is_some();
        Relation { works_it, confidential: self.confidential }
    }
    fn may_read(p: &Principal, l: &Loaded<Self>) -> Result<()> {
        if p.may(Action::ReadComplaints, &l.place).is_ok()
            || l.first_contact == Some(p.id)
            || l.registered_by == Some(p.id)
            || leads(p, l)
            || co_section(p, l).is_some()
        {
            return Ok(());
        }
        Err(Error::forbidden("无权查看该吐槽找茬事项"))
    }
    fn authorize(p: &Principal, l: &Loaded<Self>, a: Offer) -> Result<()> {
        let supervision = || p.may(Action::SuperviseComplaint, &l.place);
        let ok = |b: bool, why: &str| if b { Ok(()) } else { Err(Error::forbidden(why.to_string())) };
        match a {
            // TC-2: the person who took it face to face or on the phone.
            Offer::AnswerOnSpot => ok(l.first_contact == Some(p.id), "只有首问责任人才能当场答复"),
            // TC-2: the supervision section assigns; the first contact helps the person reach
            // the right section (无法当面解答的，帮助联系相关科室).
            Offer::Assign | Offer::CoAssign => {
                if supervision().is_ok() || l.first_contact == Some(p.id) && l.status == Status::Received {
                    Ok(())
                } else {
                    Err(Error::forbidden("只有监督监察科（或当面受理的首问责任人）才能分配承办科室"))
                }
            }
            Offer::Classify | Offer::Extend | Offer::Return | Offer::Close => supervision(),
            // TC-5: the supervision section contacts a confidential complainant and relays.
            Offer::Contact if l.confidential => supervision(),
            Offer::Contact => {
                if supervision().is_ok() || leads(p, l) {
                    Ok(())
                } else {
                    Err(Error::forbidden("只有牵头科室或监督监察科联系诉求人"))
                }
            }
            Offer::CoOpinion => ok(co_section(p, l).is_some(), "只有会同办理科室才能提出会办意见"),
            Offer::ToMeeting => {
                if supervision().is_ok() || leads(p, l) {
                    Ok(())
                } else {
                    Err(Error::forbidden("只有牵头科室或监督监察科提交局长办公会"))
                }
            }
            Offer::MeetingDecision => p.may(Action::RecordMeeting, &l.place),
            Offer::Reply => ok(leads(p, l), "只有牵头（责任）科室才能回复诉求人"),
        }
    }
}

/// Whether `p` answers for the lead section: the member of staff it was assigned to, or a leader
/// of that section.
fn leads(p: &Principal, l: &Loaded<Complaint>) -> bool {
    l.lead.is_some() && (l.assignee == Some(p.id) || p.may(Action::HandleComplaint, &l.place).is_ok())
}

/// The co-section `p` answers for, if any.
fn co_section(p: &Principal, l: &Loaded<Complaint>) -> Option<i64> {
    l.co.iter()
        .find(|c| {
            c.assignee == Some(p.id)
                || p.grants.iter().any(|g| {
                    matches!(g.role, Role::UnitLeader | Role::UnitHead)
                        && g.scope.kind == ScopeKind::Unit
                        && g.scope.id == c.unit_id
                })
        })
        .map(|c| c.unit_id)
}

#[derive(Deserialize, JsonSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct ComplainantIn {
    pub name: String,
    pub phone: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintIn {
    /// `window`, `complaint_window`, `box`, `phone`, `hotline_12345`, `website` or `wechat`.
    pub channel: String,
    /// `process` (流程繁不繁), `efficiency` (效率高不高), `attitude` (态度好不好) or `other`.
    pub category: String,
    pub content: String,
    pub complainant: ComplainantIn,
    /// TC-5: the complainant asked that their name and phone be kept from the handlers.
    #[serde(default)]
    pub confidential: bool,
    /// The center it belongs to (default: the caller's own).
    #[serde(default)]
    pub center_id: Option<i64>,
    /// The window it was said at (default: the caller's own window, for an in-person complaint).
    #[serde(default)]
    pub window_id: Option<i64>,
    /// The unit it is about, when the complainant named one.
    #[serde(default)]
    pub about_unit: Option<i64>,
}

/// A registered complaint: its id, receipt number and due day.
#[derive(Serialize, Debug)]
pub struct Registered {
    pub id: i64,
    pub receipt_no: String,
    pub due: Option<NaiveDate>,
}

pub fn parse_category(c: &str) -> Result<Category> {
    Category::parse(c.trim()).ok_or_else(|| {
        Error::bad("invalid_category", "请选择吐槽类别：流程繁不繁、效率高不高、态度好不好、其他意见和建议")
            .at("category")
    })
}

pub fn parse_channel(c: &str) -> Result<Channel> {
    Channel::parse(c.trim()).ok_or_else(|| {
        Error::bad(
            "invalid_channel",
            "请选择受理渠道：窗口当面、“吐槽找茬”窗口、意见箱、咨询投诉电话、12345 热线、政务服务网或微信公众号",
        )
        .at("channel")
    })
}

/// The center a staff registration belongs to: the one named, the window's, or the caller's.
async fn center_for(s: &App, p: &Principal, b: &ComplaintIn) -> Result<(i64, Option<i64>)> {
    let d = crate::org::directory(s).await?;
    if let Some(w) = b.window_id {
        let w = d
            .windows
            .iter()
            .find(|x| x.id == w)
            .ok_or_else(|| Error::bad("unknown_window", "所选窗口不存在").at("window_id"))?;
        return Ok((w.center_id, Some(w.id)));
    }
    // The caller's own window, for what they were told in person.
    let own_window = p
        .grants
        .iter()
        .filter(|g| g.scope.kind == ScopeKind::Window)
        .find_map(|g| d.windows.iter().find(|w| w.id == g.scope.id));
    if let Some(c) = b.center_id {
        if !d.centers.iter().any(|x| x.id == c) {
            return Err(Error::bad("unknown_center", "所选中心不存在").at("center_id"));
        }
        return Ok((c, own_window.filter(|w| w.center_id == c).map(|w| w.id)));
    }
    if let Some(w) = own_window {
        return Ok((w.center_id, Some(w.id)));
    }
    let center = p.grants.iter().find_map(|g| match g.scope.kind {
        ScopeKind::Center => Some(g.scope.id),
        ScopeKind::Unit => d.units.iter().find(|u| u.id == g.scope.id).map(|u| u.center_id),
        ScopeKind::Window => None,
    });
    center.map(|c| (c, None)).ok_or_else(|| Error::bad("center_required", "请选择所属中心").at("center_id"))
}

/// TC-1, TC-2: registers a complaint. In person and on the phone the caller is its first contact;
/// the box, the website, the WeChat account and 12345 are the supervision section's to register.
pub async fn register(s: &App, p: &Principal, b: ComplaintIn) -> Result<Registered> {
    let channel = parse_channel(&b.channel)?;
    let category = parse_category(&b.category)?;
    let content = long_text("content", "吐槽找茬内容", &b.content, 2000)?;
    let name = text("name", "诉求人姓名", &b.complainant.name, 50)?;
    let phone = Phone::parse(&b.complainant.phone).map_err(|e| Error::from(e).at("phone"))?;
    let (center_id, window_id) = center_for(s, p, &b).await?;
    let (centers, _) = s.center_chain(center_id).await?;
    let place = Place { centers, unit: None, window: window_id };
    if channel.has_first_contact() {
        p.may(Action::RegisterComplaint, &place)?;
    } else {
        p.may(Action::SuperviseComplaint, &place)
            .map_err(|_| Error::forbidden("意见箱、网站、微信公众号和 12345 热线的吐槽找茬由监督监察科汇总登记"))?;
    }
    let about_unit = unit_in(s, b.about_unit, center_id, "about_unit").await?;
    let n = NewComplaint {
        center_id,
        window_id,
        about_unit,
        channel,
        category,
        content,
        complainant: Complainant { name, phone: phone.as_str().into() },
        confidential: b.confidential,
        hotline_order: None,
    };
    registered(s, tickets::open::<Complaint>(s, Some(p.id), center_id, n).await?).await
}

/// A unit named for a complaint, which must be of its center.
async fn unit_in(s: &App, unit: Option<i64>, center_id: i64, field: &'static str) -> Result<Option<i64>> {
    let Some(u) = unit else { return Ok(None) };
    let d = crate::org::directory(s).await?;
    match d.units.iter().find(|x| x.id == u) {
        Some(x) if x.center_id == center_id => Ok(Some(u)),
        _ => Err(Error::bad("unknown_unit", "所选科室（单位）不存在或不属于该中心").at(field)),
    }
}

pub(crate) async fn registered(s: &App, r: repo::ComplaintRow) -> Result<Registered> {
    let (_, region) = s.center_chain(r.center_id).await?;
    Ok(Registered { id: r.id, receipt_no: r.receipt_no.clone(), due: tickets::due_of(s, &r.ticket, &region) })
}

/// PUB-1: a complaint from the public page or API: a website complaint of the center (the root
/// center unless one is named), for the supervision section to assign.
pub(crate) async fn open_public(
    s: &App,
    center_id: i64,
    n: NewComplaint,
    also: impl FnOnce(&mut dyn noveto_store::Tx, &noveto_store::repo::Ctx) -> Result<(), StoreError> + Send + 'static,
) -> Result<Registered> {
    let saved = tickets::open_with::<Complaint>(s, None, center_id, n, move |tx, ctx, _| also(tx, ctx)).await?;
    registered(s, saved).await
}

/// One complaint the caller may read, as they may see it.
pub async fn get(s: &App, p: &Principal, id: i64) -> Result<View<Complaint>> {
    let l = tickets::load::<Complaint>(s, id).await?;
    tickets::view(s, p, &l)
}

/// The history of a complaint, for someone who may read it.
pub async fn history(s: &App, p: &Principal, id: i64) -> Result<Vec<noveto_store::repo::tickets::Step>> {
    get(s, p, id).await?;
    tickets::history::<Complaint>(s, id).await
}

async fn load_for(s: &App, p: &Principal, id: i64, a: Offer) -> Result<Loaded<Complaint>> {
    let l = tickets::load::<Complaint>(s, id).await?;
    <Complaint as AppTicket>::authorize(p, &l, a)?;
    Ok(l)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignIn {
    pub unit_id: i64,
    /// The lead section (牵头科室); false: a section handling it with the lead.
    #[serde(default = "yes")]
    pub lead: bool,
}

fn yes() -> bool {
    true
}

/// Who an assignment went to.
#[derive(Serialize)]
pub struct Assigned {
    pub unit_id: i64,
    pub lead: bool,
    pub assignee: i64,
    pub assignee_name: String,
    pub stand_in: bool,
}

/// TC-2, TC-3: a section takes the complaint — the lead (its liaison contact, or B while A is
/// away, answers for it) or one handling it with the lead.
pub async fn assign(s: &App, p: &Principal, id: i64, b: AssignIn) -> Result<Assigned> {
    let l = load_for(s, p, id, if b.lead { Offer::Assign } else { Offer::CoAssign }).await?;
    unit_in(s, Some(b.unit_id), l.center_id, "unit_id").await?;
    let (unit, to, stand_in, name) = crate::unresolved::contact_of(s, b.unit_id).await?;
    let cmd = Command::Assign { unit_id: unit.id, lead: b.lead, assignee: to, stand_in };
    tickets::decide(s, Some(p.id), &l, cmd).await?;
    Ok(Assigned { unit_id: unit.id, lead: b.lead, assignee: to, assignee_name: name, stand_in })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyIn {
    /// 责任科室（窗口）办理意见 — what the section found and did.
    pub opinion: String,
    /// 回复情况 — the reply to the complainant (checked for refusal phrases).
    pub reply: String,
    /// NV-14: send even though refusal phrases were flagged (they are recorded and counted).
    #[serde(default)]
    pub confirm: bool,
}

/// TC-6: the lead section's handling opinion and its reply to the complainant, which passes the
/// refusal-phrase check (NV-14) before the complainant reads it.
pub async fn reply(s: &App, p: &Principal, id: i64, b: ReplyIn) -> Result<Status> {
    let l = load_for(s, p, id, Offer::Reply).await?;
    let opinion = long_text("opinion", "办理意见", &b.opinion, 2000)?;
    let reply = long_text("reply", "回复内容", &b.reply, 2000)?;
    let flagged = crate::cases::applicant_text("回复", &reply, b.confirm).map_err(|e| e.at("reply"))?;
    let flagged = flagged.into_iter().map(|f| f.phrase).collect();
    Ok(tickets::decide(s, Some(p.id), &l, Command::Reply { opinion, reply, flagged }).await?.status)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnSpotIn {
    pub reply: String,
    #[serde(default)]
    pub confirm: bool,
}

/// TC-2: the first contact answers on the spot (能当面解答的要当面解答).
pub async fn answer_on_spot(s: &App, p: &Principal, id: i64, b: OnSpotIn) -> Result<Status> {
    let l = load_for(s, p, id, Offer::AnswerOnSpot).await?;
    let reply = long_text("reply", "当场答复", &b.reply, 2000)?;
    let flagged = crate::cases::applicant_text("当场答复", &reply, b.confirm).map_err(|e| e.at("reply"))?;
    let flagged = flagged.into_iter().map(|f| f.phrase).collect();
    Ok(tickets::decide(s, Some(p.id), &l, Command::AnswerOnSpot { reply, flagged }).await?.status)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    pub note: String,
}

/// TC-4, TC-5: the complainant was contacted (by the supervision section for a confidential one).
pub async fn contact(s: &App, p: &Principal, id: i64, b: NoteIn) -> Result<()> {
    let l = load_for(s, p, id, Offer::Contact).await?;
    let note = long_text("note", "联系核实情况", &b.note, 1000)?;
    let by_supervision = p.may(Action::SuperviseComplaint, &l.place).is_ok();
    tickets::decide(s, Some(p.id), &l, Command::Contact { note, by_supervision }).await?;
    Ok(())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonIn {
    pub reason: String,
}

/// TC-4: the supervision section grants the complex deadline (≤ 5 wd), with the reason.
pub async fn extend(s: &App, p: &Principal, id: i64, b: ReasonIn) -> Result<Option<NaiveDate>> {
    let l = load_for(s, p, id, Offer::Extend).await?;
    let reason = long_text("reason", "延长理由", &b.reason, 1000)?;
    let saved = tickets::decide(s, Some(p.id), &l, Command::Extend { reason }).await?;
    Ok(tickets::due_of(s, &saved.ticket, &l.region))
}

/// TC-1: the supervision section corrects the category.
pub async fn classify(s: &App, p: &Principal, id: i64, category: &str) -> Result<()> {
    let category = parse_category(category)?;
    let l = load_for(s, p, id, Offer::Classify).await?;
    tickets::decide(s, Some(p.id), &l, Command::Classify { category }).await?;
    Ok(())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpinionIn {
    pub text: String,
}

/// TC-3: a section handling it with the lead gives its opinion.
pub async fn co_opinion(s: &App, p: &Principal, id: i64, b: OpinionIn) -> Result<()> {
    let l = load_for(s, p, id, Offer::CoOpinion).await?;
    let unit_id = co_section(p, &l).ok_or_else(|| Error::forbidden("只有会同办理科室才能提出会办意见"))?;
    let text = long_text("text", "会办意见", &b.text, 2000)?;
    tickets::decide(s, Some(p.id), &l, Command::CoOpinion { unit_id, text }).await?;
    Ok(())
}

/// TC-3: no section can solve it — to the director's meeting.
pub async fn to_meeting(s: &App, p: &Principal, id: i64, b: ReasonIn) -> Result<()> {
    let l = load_for(s, p, id, Offer::ToMeeting).await?;
    let reason = long_text("reason", "提交理由", &b.reason, 1000)?;
    tickets::decide(s, Some(p.id), &l, Command::ToMeeting { reason }).await?;
    Ok(())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingIn {
    /// 局长办公会研究决定.
    pub decision: String,
    /// The section that replies.
    pub unit_id: i64,
}

/// TC-3: the meeting's decision is recorded and the responsible section replies.
pub async fn meeting_decision(s: &App, p: &Principal, id: i64, b: MeetingIn) -> Result<()> {
    let l = load_for(s, p, id, Offer::MeetingDecision).await?;
    let decision = long_text("decision", "研究决定", &b.decision, 2000)?;
    unit_in(s, Some(b.unit_id), l.center_id, "unit_id").await?;
    let (unit, to, _, _) = crate::unresolved::contact_of(s, b.unit_id).await?;
    tickets::decide(s, Some(p.id), &l, Command::MeetingDecision { decision, responsible: unit.id, assignee: to })
        .await?;
    Ok(())
}

/// The supervision section sends a reply back to the section.
pub async fn send_back(s: &App, p: &Principal, id: i64, b: NoteIn) -> Result<()> {
    let l = load_for(s, p, id, Offer::Return).await?;
    let note = long_text("note", "退回意见", &b.note, 1000)?;
    tickets::decide(s, Some(p.id), &l, Command::Return { note }).await?;
    Ok(())
}

/// TC-7: the supervision section files the replied complaint in the ledger.
pub async fn close(s: &App, p: &Principal, id: i64, b: NoteIn) -> Result<()> {
    let l = load_for(s, p, id, Offer::Close).await?;
    if b.note.chars().count() > 1000 {
        return Err(Error::bad("too_long", "办结意见不能超过 1000 个字").at("note"));
    }
    tickets::decide(s, Some(p.id), &l, Command::Close { note: b.note }).await?;
    Ok(())
}

/// The complaints the caller may read — received in `[from, to)` plus every one still open —
/// newest first, each as they may see it: the one door of every list, ledger and export.
pub async fn visible(s: &App, p: &Principal, from: NaiveDate, to: NaiveDate) -> Result<Vec<View<Complaint>>> {
    let works = may_somewhere(&p.grants, Action::ReadComplaints)
        || may_somewhere(&p.grants, Action::RegisterComplaint)
        || p.grants.iter().any(|g| g.scope.kind == ScopeKind::Unit);
    if !works {
        return Err(Error::forbidden("无权查看吐槽找茬事项"));
    }
    let (from, to) = (format!("{from}T00:00:00+08:00"), format!("{to}T00:00:00+08:00"));
    let all = s.store.read(move |tx| repo::candidates(tx, &from, &to)).await?;
    Ok(tickets::views(s, p, all))
}

/// The complaints waiting for the caller's section (to reply, to contact, to give its opinion),
/// due first: the handling section's inbox.
pub async fn for_my_section(s: &App, p: &Principal) -> Result<Vec<View<Complaint>>> {
    let today = noveto_domain::time::local_date(s.now());
    let mut v = match visible(s, p, today, today).await {
        Ok(v) => v,
        Err(_) => return Ok(vec![]),
    };
    v.retain(|c| c.offers(Offer::Reply) || c.offers(Offer::CoOpinion) || c.offers(Offer::AnswerOnSpot));
    v.sort_by_key(|c| c.due.unwrap_or(NaiveDate::MAX));
    Ok(v)
}

/// TC-7: one line of the ledger (the 承办单's fields, as the reader may see them).
#[derive(Serialize, Debug)]
pub struct LedgerLine {
    pub id: i64,
    pub receipt_no: String,
    pub received_at: String,
    pub channel: &'static str,
    pub category: &'static str,
    pub content: String,
    pub complainant: String,
    pub phone: String,
    pub lead: Option<i64>,
    pub co: Vec<i64>,
    pub status: &'static str,
    pub due: Option<NaiveDate>,
    pub overdue: bool,
    pub replied_at: Option<String>,
    pub opinion: Option<String>,
    pub reply: Option<String>,
    pub extended: bool,
}

fn stamp(t: Option<chrono::DateTime<chrono::FixedOffset>>) -> Option<String> {
    t.map(noveto_domain::time::rfc3339)
}

/// TC-7: the ledger lines of `views`.
pub fn ledger_lines(s: &App, views: &[View<Complaint>]) -> Vec<LedgerLine> {
    let today = noveto_domain::time::local_date(s.now());
    views
        .iter()
        .map(|c| LedgerLine {
            id: c.id,
            receipt_no: c.receipt_no.clone(),
            received_at: stamp(c.received_at).unwrap_or_default(),
            channel: c.channel.label(),
            category: c.category.label(),
            content: c.content.clone(),
            complainant: c.complainant.name.clone(),
            phone: c.complainant.phone.clone(),
            lead: c.lead,
            co: c.co.iter().map(|x| x.unit_id).collect(),
            status: c.status.label(),
            due: c.due,
            overdue: c.status.is_open() && c.due.is_some_and(|d| d < today),
            replied_at: stamp(c.replied_at),
            opinion: c.opinion.clone(),
            reply: c.reply.clone(),
            extended: c.extension.is_some(),
        })
        .collect()
}

/// TC-7: the ledger as a file (CSV or XLSX).
pub fn ledger_file(lines: &[LedgerLine], units: &[org::Unit], format: crate::catalog::Format) -> Result<Vec<u8>> {
    let columns = [
        "编号",
        "受理时间",
        "事项来源",
        "类别",
        "“吐槽找茬”内容",
        "诉求人",
        "联系方式",
        "承办科室",
        "状态",
        "处理时限",
        "是否超期",
        "回复时间",
        "办理意见",
        "回复情况",
    ];
    let unit = |id: i64| units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    let time = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t).map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
    };
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|x| {
            let sections: Vec<String> = x
                .lead
                .map(|l| format!("{}（牵头）", unit(l)))
                .into_iter()
                .chain(x.co.iter().map(|c| unit(*c)))
                .collect();
            vec![
                x.receipt_no.clone(),
                time(&x.received_at),
                x.channel.to_string(),
                x.category.to_string(),
                x.content.clone(),
                x.complainant.clone(),
                x.phone.clone(),
                sections.join("、"),
                x.status.to_string(),
                x.due.map(|d| d.to_string()).unwrap_or_default(),
                if x.overdue { "超期".into() } else { String::new() },
                x.replied_at.as_deref().map(time).unwrap_or_default(),
                x.opinion.clone().unwrap_or_default(),
                x.reply.clone().unwrap_or_default(),
            ]
        })
        .collect();
    crate::catalog_file::table("吐槽找茬台账", &columns, &rows, format == crate::catalog::Format::Xlsx)
        .map_err(|e| Error::bad("export_failed", e))
}

/// TC-7: counts by category, channel, section and window, and the concentrated issues — a
/// section with several complaints of one category in the period — to turn into rectification.
#[derive(Serialize, Debug, Default)]
pub struct Analysis {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: usize,
    pub on_spot: usize,
    pub overdue: usize,
    pub by_category: Vec<(&'static str, usize)>,
    pub by_channel: Vec<(&'static str, usize)>,
    pub by_unit: Vec<(i64, usize)>,
    pub by_window: Vec<(i64, usize)>,
    pub concentrated: Vec<Concentrated>,
}

#[derive(Serialize, Debug, Clone)]
pub struct Concentrated {
    pub unit_id: i64,
    pub category: &'static str,
    pub count: usize,
    pub receipts: Vec<String>,
}

/// Complaints of one category about one section in a period at which they are "concentrated"
/// (对投诉、求助和建议集中的事项要及时组织整改).
pub const CONCENTRATED: usize = 3;

/// TC-7: the analysis of what the caller may read, received in `[from, to)`.
pub async fn analysis(s: &App, p: &Principal, from: NaiveDate, to: NaiveDate) -> Result<Analysis> {
    let views = visible(s, p, from, to).await?;
    let in_period: Vec<&View<Complaint>> = views
        .iter()
        .filter(|c| c.received_at.map(noveto_domain::time::local_date).is_some_and(|d| d >= from && d < to))
        .collect();
    let today = noveto_domain::time::local_date(s.now());
    let mut a = Analysis { from, to, total: in_period.len(), ..Default::default() };
    a.on_spot = in_period.iter().filter(|c| c.on_spot).count();
    a.overdue = in_period.iter().filter(|c| c.status.is_open() && c.due.is_some_and(|d| d < today)).count();
    for cat in Category::ALL {
        a.by_category.push((cat.label(), in_period.iter().filter(|c| c.category == cat).count()));
    }
    for ch in Channel::ALL {
        a.by_channel.push((ch.label(), in_period.iter().filter(|c| c.channel == ch).count()));
    }
    let mut units: std::collections::BTreeMap<i64, usize> = Default::default();
    let mut windows: std::collections::BTreeMap<i64, usize> = Default::default();
    let mut pairs: std::collections::BTreeMap<(i64, Category), Vec<String>> = Default::default();
    for c in &in_period {
        // What it is about: the section the complainant named, else the one that handled it.
        if let Some(u) = c.about_unit.or(c.lead) {
            *units.entry(u).or_default() += 1;
            pairs.entry((u, c.category)).or_default().push(c.receipt_no.clone());
        }
        if let Some(w) = c.window_id {
            *windows.entry(w).or_default() += 1;
        }
    }
    a.by_unit = units.into_iter().collect();
    a.by_unit.sort_by_key(|x| std::cmp::Reverse(x.1));
    a.by_window = windows.into_iter().collect();
    a.by_window.sort_by_key(|x| std::cmp::Reverse(x.1));
    a.concentrated = pairs
        .into_iter()
        .filter(|(_, v)| v.len() >= CONCENTRATED)
        .map(|((unit_id, cat), receipts)| Concentrated {
            unit_id,
            category: cat.label(),
            count: receipts.len(),
            receipts,
        })
        .collect();
    a.concentrated.sort_by_key(|x| std::cmp::Reverse(x.count));
    Ok(a)
}

/// CAL-2: after a calendar change, every open complaint whose due day moves is saved with it.
pub async fn recompute_open(
    s: &App,
    old_of: impl Fn(&str) -> Option<std::sync::Arc<noveto_domain::calendar::Calendar>>,
) -> Result<usize> {
    let mut moved = 0;
    for r in s.store.read(repo::open).await? {
        let l = tickets::placed(s, r).await?;
        let Some(old) = old_of(&l.region) else { continue };
        let before = l.row.version;
        match tickets::decide(s, None, &l, Command::Recompute { old }).await {
            Ok(saved) if saved.version != before => moved += 1,
            Ok(_) => {}
            Err(e) if e.kind == crate::Kind::Conflict => {}
            Err(e) => return Err(e),
        }
    }
    Ok(moved)
}

/// TC-7: the periodic notice (通报) kind in the kept reports.
pub const NOTICE: &str = "tc_notice";

/// What a kept notice holds: the month's analysis and the rectifications it led to.
#[derive(Serialize, Deserialize, Debug)]
pub struct NoticeDoc {
    pub month: String,
    pub total: usize,
    pub on_spot: usize,
    pub overdue: usize,
    pub by_category: Vec<(String, usize)>,
    pub by_unit: Vec<(String, usize)>,
    pub concentrated: Vec<String>,
    pub rectifications: Vec<String>,
}

/// TC-7: the supervision section issues the month's notice of complaints (by category and
/// section, the concentrated issues and their rectification), kept and sent to the director and
/// the sections' leaders; once a month per center.
pub async fn issue_notice(s: &App, p: &Principal, month: &str) -> Result<i64> {
    use noveto_domain::access::Scope;
    let bad = || Error::bad("invalid_month", "月份格式应为 2026-11").at("month");
    let first = NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d").map_err(|_| bad())?;
    let next = first.checked_add_months(chrono::Months::new(1)).ok_or_else(bad)?;
    let center = p
        .grants
        .iter()
        .find(|g| g.role == Role::Supervision && g.scope.kind == ScopeKind::Center)
        .map(|g| g.scope.id)
        .ok_or_else(|| Error::forbidden("“吐槽找茬”通报由监督监察科发布"))?;
    let a = analysis(s, p, first, next).await?;
    let d = crate::org::directory(s).await?;
    let unit = |id: i64| d.units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    let rects = crate::rectifications::visible(s, p, false).await.unwrap_or_default();
    let doc = NoticeDoc {
        month: month.trim().to_string(),
        total: a.total,
        on_spot: a.on_spot,
        overdue: a.overdue,
        by_category: a.by_category.iter().map(|(l, n)| (l.to_string(), *n)).collect(),
        by_unit: a.by_unit.iter().map(|(u, n)| (unit(*u), *n)).collect(),
        concentrated: a
            .concentrated
            .iter()
            .map(|c| format!("{}：{} {} 件（{}）", unit(c.unit_id), c.category, c.count, c.receipts.join("、")))
            .collect(),
        rectifications: rects
            .iter()
            .filter(|r| matches!(r.origin, noveto_domain::rectification::Origin::Complaints { .. }))
            .map(|r| format!("{} {}：{}（{}）", r.receipt_no, unit(r.unit_id), r.problem, r.status.label()))
            .collect(),
    };
    let title = format!("“吐槽找茬”情况通报（{}）", doc.month);
    let mut to =
        s.store.read(move |tx| org::holders(tx, Role::Director, Scope { kind: ScopeKind::Center, id: center })).await?;
    to.extend(d.units.iter().filter(|u| u.center_id == center).filter_map(|u| u.leader_id));
    to.sort();
    to.dedup();
    let body = format!(
        "{title}：共 {} 件，当场答复 {} 件，超期 {} 件；集中问题 {} 项。",
        doc.total,
        doc.on_spot,
        doc.overdue,
        doc.concentrated.len()
    );
    let period = doc.month.clone();
    let msgs: Vec<_> = to
        .iter()
        .map(|t| noveto_store::repo::jobs::Message {
            channel: "staff".into(),
            recipient: format!("staff:{t}"),
            subject: title.clone(),
            body: body.clone(),
            dedupe: format!("report:{NOTICE}:{center}:{period}:{t}"),
        })
        .collect();
    let json = serde_json::to_value(&doc).unwrap_or_default();
    let ctx = p.ctx(&s.now_str());
    match s
        .store
        .write(move |tx| noveto_store::repo::reports::keep(tx, &ctx, NOTICE, center, &period, &title, &json, &msgs))
        .await?
    {
        Some(id) => Ok(id),
        None => Err(Error::conflict("already_issued", "本月通报已发布")),
    }
}

/// The kept notices the caller may read.
pub async fn notices(s: &App, p: &Principal) -> Result<Vec<noveto_store::repo::reports::Report>> {
    if !may_somewhere(&p.grants, Action::ReadComplaints) {
        return Err(Error::forbidden("无权查看“吐槽找茬”通报"));
    }
    let all = s.store.read(|tx| noveto_store::repo::reports::list(tx, &[NOTICE], 100)).await?;
    let mut out = vec![];
    for r in all {
        let (centers, _) = s.center_chain(r.center_id).await?;
        if p.may(Action::ReadComplaints, &Place { centers, unit: None, window: None }).is_ok() {
            out.push(r);
        }
    }
    Ok(out)
}

/// One kept notice.
pub async fn notice(s: &App, p: &Principal, id: i64) -> Result<(noveto_store::repo::reports::Report, NoticeDoc)> {
    let r = s.store.read(move |tx| noveto_store::repo::reports::get(tx, id)).await?.filter(|r| r.kind == NOTICE);
    let r = r.ok_or_else(|| Error::not_found("通报"))?;
    let (centers, _) = s.center_chain(r.center_id).await?;
    p.may(Action::ReadComplaints, &Place { centers, unit: None, window: None })?;
    let doc: NoticeDoc = serde_json::from_value(r.doc.clone()).map_err(|_| Error::internal())?;
    Ok((r, doc))
}
