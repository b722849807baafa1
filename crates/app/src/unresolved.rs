//! BBC: the 办不成事 desk. A matter is registered at the desk with its class (the deadline follows
//! from the policy), dispatched to the responsible unit's liaison contact (B while A is away),
//! and closed with the unit's feedback; a complex matter's deadline is set by the supervision
//! section. Load → authorize → decide (the domain's [`Unresolved`]) → one store write; every
//! reader — API, page, ledger — goes through [`visible`].

use crate::{App, Error, Principal, Result};
use chrono::{Datelike, NaiveDate, Weekday};
use noveto_domain::access::{Action, Place, ScopeKind, may_somewhere};
use noveto_domain::unresolved::{Class, NewUnresolved, Reporter, Status, Unresolved, UnresolvedError};
use noveto_domain::validate::{Phone, long_text, text};
use noveto_store::StoreError;
use noveto_store::repo::unresolved::{self as repo, UnresolvedRow};
use noveto_store::repo::{cases, org};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

impl From<UnresolvedError> for Error {
    fn from(e: UnresolvedError) -> Error {
        let field = match e {
            UnresolvedError::NoSummary => Some("summary"),
            UnresolvedError::NoName => Some("name"),
            UnresolvedError::NoResult => Some("result"),
            UnresolvedError::NotComplex | UnresolvedError::DueInPast => Some("due"),
            _ => None,
        };
        let err = match e {
            UnresolvedError::AlreadyDispatched(_)
            | UnresolvedError::NotDispatched(_)
            | UnresolvedError::Closed(_)
            | UnresolvedError::AlreadyEscalated => Error::conflict(e.code(), e.to_string()),
            _ => Error::bad(e.code(), e.to_string()),
        };
        Error { field, ..err }
    }
}

#[derive(Deserialize, JsonSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct ReporterIn {
    pub name: String,
    pub phone: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnresolvedIn {
    pub reporter: ReporterIn,
    /// What they tried, where, and what did not get done.
    pub summary: String,
    /// The case it concerns, if any.
    pub case_id: Option<i64>,
    /// The same by its receipt number (as the person at the desk reads it off their slip).
    #[serde(default)]
    pub case_receipt_no: Option<String>,
    /// `simple` (即办件), `general` (承诺件), `complex` (复杂或历史遗留) or `impossible`.
    pub class: String,
    /// The 办不成事 desk it is registered at (default: the caller's own desk).
    pub desk_id: Option<i64>,
}

/// A registered matter: its id, receipt number and due day (None: complex, set by supervision).
#[derive(Serialize)]
pub struct Registered {
    pub id: i64,
    pub receipt_no: String,
    pub due: Option<NaiveDate>,
}

/// The place a matter sits at: its center, the desk that registered it, the unit it went to.
fn place_of(u: &Unresolved, centers: Vec<i64>) -> Place {
    Place { centers, unit: u.unit_id, window: u.desk_id }
}

/// The desk a registration is made at: the one named, or the caller's own 办不成事 desk.
async fn desk_for(s: &App, p: &Principal, named: Option<i64>) -> Result<org::Window> {
    let d = crate::org::directory(s).await?;
    let desks: Vec<&org::Window> = d.windows.iter().filter(|w| w.kind == "unresolved_desk").collect();
    let found = match named {
        Some(id) => desks.iter().find(|w| w.id == id).copied(),
        None => desks
            .iter()
            .copied()
            .find(|w| p.grants.iter().any(|g| g.scope.kind == ScopeKind::Window && g.scope.id == w.id)),
    };
    found.cloned().ok_or_else(|| {
        Error::bad("desk_required", "请选择登记的“办不成事”反映窗口（所选窗口不存在或不是该窗口）").at("desk_id")
    })
}

/// The 办不成事 desk the caller works at, if any (where the page offers the register form).
pub async fn my_desk(s: &App, p: &Principal) -> Option<org::Window> {
    desk_for(s, p, None).await.ok()
}

/// The due day of a matter's deadline under its region's calendar, as stored.
fn due_of(s: &App, u: &Unresolved, region: &str) -> Option<String> {
    let cal = s.calendar_for(region);
    u.deadline.as_ref().and_then(|d| d.due(&cal, s.now()).ok()).map(|d| d.to_string())
}

/// BBC-1 … BBC-3: registers a matter at a desk with its class; the deadline follows from the
/// policy in force.
pub async fn register(s: &App, p: &Principal, b: UnresolvedIn) -> Result<Registered> {
    let name = text("name", "反映人姓名", &b.reporter.name, 50)?;
    let phone = Phone::parse(&b.reporter.phone)?;
    let summary = long_text("summary", "反映事项", &b.summary, 2000)?;
    let class = parse_class(&b.class)?;
    let desk = desk_for(s, p, b.desk_id).await?;
    let (centers, region) = s.center_chain(desk.center_id).await?;
    let place = Place { centers, unit: None, window: Some(desk.id) };
    p.may(Action::WorkUnresolved, &place)?;
    if let Some(c) = b.case_id
        && s.store.read(move |tx| cases::get(tx, c)).await?.is_none()
    {
        return Err(Error::bad("unknown_case", "所关联的办件不存在").at("case_id"));
    }
    let case_id =
        match b.case_receipt_no.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => b.case_id,
            Some(r) => {
                let r = r.to_string();
                let found = s.store.read(move |tx| cases::id_by_receipt(tx, &r)).await?;
                Some(found.ok_or_else(|| {
                    Error::bad("unknown_case", "没有这个受理编号的办件，请核对").at("case_receipt_no")
                })?)
            }
        };
    let policy = s.policy();
    let n = NewUnresolved {
        center_id: desk.center_id,
        desk_id: Some(desk.id),
        reporter: Reporter { name, phone: phone.as_str().into() },
        summary,
        case_id,
        class,
    };
    let (u, ev) = Unresolved::register(n, Some(p.id), &policy, s.now())?;
    let due = due_of(s, &u, &region);
    let ctx = p.ctx(&s.now_str());
    let d2 = due.clone();
    let (id, receipt_no) = s.store.write(move |tx| repo::insert(tx, &ctx, &u, d2.as_deref(), &ev)).await?;
    Ok(Registered { id, receipt_no, due: due.and_then(|d| d.parse().ok()) })
}

/// A matter and its place, for the commands and reads below.
async fn load(s: &App, id: i64) -> Result<(UnresolvedRow, Place, String)> {
    let r = s.store.read(move |tx| repo::get(tx, id)).await?.ok_or_else(|| Error::not_found("办不成事反映"))?;
    let (centers, region) = s.center_chain(r.u.center_id).await?;
    let place = place_of(&r.u, centers);
    Ok((r, place, region))
}

/// Whether the caller may read this matter: by role at its place, or as the person it went to.
fn may_read(p: &Principal, r: &UnresolvedRow, place: &Place) -> bool {
    p.may(Action::ReadUnresolved, place).is_ok() || r.u.sent_to == Some(p.id)
}

/// Whether the caller sees the reporter's phone in full: the desk, the person it went to, the
/// supervision section (everyone else reads it masked).
pub fn sees_phone(p: &Principal, r: &UnresolvedRow, place: &Place) -> bool {
    p.may(Action::WorkUnresolved, place).is_ok()
        || r.u.sent_to == Some(p.id)
        || p.grants.iter().any(|g| g.role == noveto_domain::access::Role::Supervision)
            && p.may(Action::ReadUnresolved, place).is_ok()
}

/// One matter the caller may read, with whether its phone shows in full.
pub async fn get(s: &App, p: &Principal, id: i64) -> Result<(UnresolvedRow, bool)> {
    let (r, place, _) = load(s, id).await?;
    if !may_read(p, &r, &place) {
        return Err(Error::forbidden("无权查看该办不成事反映"));
    }
    let full = sees_phone(p, &r, &place);
    Ok((r, full))
}

/// Applies one command's result: of two at once, one lands and the other hears it came second.
async fn save(
    s: &App,
    p: &Principal,
    u: Unresolved,
    version: i64,
    region: &str,
    ev: noveto_domain::unresolved::Event,
    also: Option<Improvement>,
) -> Result<()> {
    let due = due_of(s, &u, region);
    let ctx = p.ctx(&s.now_str());
    // The command and the improvement it names are one write: both or neither.
    let written = s
        .store
        .write(move |tx| {
            repo::apply(tx, &ctx, &u, version, due.as_deref(), &ev)?;
            if let Some((sug, sev)) = &also {
                noveto_store::repo::suggestions::insert(tx, &ctx, sug, None, sev)?;
            }
            Ok::<_, StoreError>(())
        })
        .await;
    match written {
        Err(StoreError::Conflict(_)) => Err(Error::conflict("already_handled", "该事项已由他人处理，请刷新查看")),
        r => Ok(r?),
    }
}

/// BBC-7: a process improvement recorded with a command, as a suggestion and its event.
type Improvement = (noveto_domain::suggestion::Suggestion, noveto_domain::suggestion::Event);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchIn {
    pub unit_id: i64,
}

/// Who a dispatch went to.
#[derive(Serialize)]
pub struct Dispatched {
    pub unit_id: i64,
    pub sent_to: i64,
    pub sent_to_name: String,
    /// True when the contact's A post is marked absent and B received it.
    pub stand_in: bool,
}

/// BBC-2: sends the matter to the unit's liaison contact (流转单), or B while A is away.
pub async fn dispatch(s: &App, p: &Principal, id: i64, b: DispatchIn) -> Result<Dispatched> {
    let (r, place, region) = load(s, id).await?;
    p.may(Action::WorkUnresolved, &place)?;
    let unit_id = b.unit_id;
    let target = s
        .store
        .read(move |tx| {
            let Some(unit) = org::unit_by_id(tx, unit_id)? else { return Ok::<_, StoreError>(None) };
            let Some(contact) = unit.contact_id else { return Ok(Some((unit, None))) };
            let b = org::stand_in(tx, contact)?;
            let to = b.unwrap_or(contact);
            let name = org::staff_by_id(tx, to)?.map(|x| x.name).unwrap_or_default();
            Ok(Some((unit, Some((to, b.is_some(), name)))))
        })
        .await?;
    let Some((unit, contact)) = target else {
        return Err(Error::bad("unknown_unit", "所选单位不存在").at("unit_id"));
    };
    let Some((to, stand_in, name)) = contact else {
        return Err(Error::bad(
            "contact_required",
            format!("{}尚未在业务联系表中指定联系人，请先请管理员指定后再流转", unit.name),
        )
        .at("unit_id"));
    };
    let version = r.version;
    let mut u = r.u;
    let ev = u.dispatch(p.id, unit_id, to, stand_in)?;
    save(s, p, u, version, &region, ev, None).await?;
    Ok(Dispatched { unit_id, sent_to: to, sent_to_name: name, stand_in })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackIn {
    /// What the unit did, or why it cannot be done.
    pub result: String,
    pub resolved: bool,
    /// BBC-7: a bottleneck in the process the matter showed, recorded as a process-improvement
    /// suggestion of the unit (FAQ-3) and tracked there to the change that removes it.
    #[serde(default)]
    pub bottleneck: Option<String>,
}

/// BBC-2, BBC-3: the unit's feedback closes the matter (by its contact, its leaders, or the desk
/// recording it).
pub async fn feedback(s: &App, p: &Principal, id: i64, b: FeedbackIn) -> Result<Status> {
    let (r, place, region) = load(s, id).await?;
    if r.u.sent_to != Some(p.id) {
        p.may(Action::AnswerUnresolved, &place)?;
    }
    if b.result.chars().count() > 2000 {
        return Err(Error::bad("too_long", "办理结果不能超过 2000 个字").at("result"));
    }
    let bottleneck = match b.bottleneck.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        None => None,
        Some(x) => {
            let x = long_text("bottleneck", "流程堵点", x, 1000)?;
            let n = noveto_domain::suggestion::NewSuggestion {
                center_id: r.u.center_id,
                unit_id: r.u.unit_id,
                item_code: None,
                case_id: r.u.case_id,
                source: noveto_domain::suggestion::Source::Staff,
                text: format!("办不成事反映 {} 暴露的流程堵点：{x}", r.u.receipt_no),
                contact: String::new(),
            };
            Some(noveto_domain::suggestion::Suggestion::record(n, p.id)?)
        }
    };
    let version = r.version;
    let mut u = r.u;
    let ev = u.answer(p.id, b.resolved, &b.result, s.now())?;
    let status = u.status;
    save(s, p, u, version, &region, ev, bottleneck).await?;
    Ok(status)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassIn {
    /// `simple`, `general`, `complex` or `impossible`.
    pub class: String,
}

fn parse_class(c: &str) -> Result<Class> {
    Class::parse(c.trim()).ok_or_else(|| {
        Error::bad("invalid_class", "请选择事项类别：即办件、承诺件、复杂或历史遗留问题、确实无法办理").at("class")
    })
}

/// BBC-2, BBC-3: the desk classes a matter before dispatching it (one submitted online arrives
/// as 承诺件); the deadline follows from the policy, counted from registration.
pub async fn classify(s: &App, p: &Principal, id: i64, b: ClassIn) -> Result<Option<NaiveDate>> {
    let class = parse_class(&b.class)?;
    let (r, place, region) = load(s, id).await?;
    p.may(Action::WorkUnresolved, &place)?;
    let registered = chrono::DateTime::parse_from_rfc3339(&r.registered_at).unwrap_or_else(|_| s.now());
    let version = r.version;
    let mut u = r.u;
    let ev = u.classify(class, &s.policy(), registered)?;
    let due = due_of(s, &u, &region);
    save(s, p, u, version, &region, ev, None).await?;
    Ok(due.and_then(|d| d.parse().ok()))
}

/// BBC-2: the contact cannot act — the matter goes up to the unit's leader in charge (ORG-3),
/// sent by the desk or by the contact. Returns the leader's id.
pub async fn escalate(s: &App, p: &Principal, id: i64) -> Result<i64> {
    let (r, place, region) = load(s, id).await?;
    if r.u.sent_to != Some(p.id) {
        p.may(Action::WorkUnresolved, &place)?;
    }
    let Some(unit_id) = r.u.unit_id else {
        return Err(Error::from(UnresolvedError::NotDispatched(r.u.status)));
    };
    let unit = s.store.read(move |tx| org::unit_by_id(tx, unit_id)).await?.ok_or_else(|| Error::not_found("单位"))?;
    let leader = unit.leader_id.ok_or_else(|| {
        Error::bad("leader_required", format!("{}尚未在业务联系表中指定分管领导，请先请管理员指定", unit.name))
    })?;
    let version = r.version;
    let mut u = r.u;
    let ev = u.escalate(leader)?;
    save(s, p, u, version, &region, ev, None).await?;
    Ok(leader)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineIn {
    /// The day by which the complex matter must be done (YYYY-MM-DD).
    pub due: String,
}

/// BBC-3: the supervision section sets a complex matter's deadline.
pub async fn set_deadline(s: &App, p: &Principal, id: i64, b: DeadlineIn) -> Result<NaiveDate> {
    let due: NaiveDate =
        b.due.trim().parse().map_err(|_| Error::bad("invalid_date", "日期格式应为 2026-12-31").at("due"))?;
    let (r, place, region) = load(s, id).await?;
    p.may(Action::SetUnresolvedDeadline, &place)?;
    let version = r.version;
    let mut u = r.u;
    let ev = u.set_deadline(due, &s.policy(), s.now())?;
    save(s, p, u, version, &region, ev, None).await?;
    Ok(due)
}

/// A week as `YYYY-Www` (ISO 8601): its Monday.
pub fn parse_week(w: &str) -> Result<NaiveDate> {
    let bad = || Error::bad("invalid_week", "周次格式应为 2026-W48").at("week");
    let (y, n) = w.trim().split_once("-W").ok_or_else(bad)?;
    let (y, n): (i32, u32) = (y.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    NaiveDate::from_isoywd_opt(y, n, Weekday::Mon).ok_or_else(bad)
}

/// The week `day` lies in, as `YYYY-Www`.
pub fn week_of(day: NaiveDate) -> String {
    let w = day.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The matters the caller may read — registered in `week` (its Monday), plus every one still
/// open — newest first: the one scoped query behind the API, the desk page and the ledger.
pub async fn visible(s: &App, p: &Principal, week: NaiveDate) -> Result<Vec<(UnresolvedRow, bool)>> {
    visible_between(s, p, week, week + chrono::Duration::days(7)).await
}

/// The same for the days `[from, to)`.
pub async fn visible_between(
    s: &App,
    p: &Principal,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(UnresolvedRow, bool)>> {
    if !may_somewhere(&p.grants, Action::ReadUnresolved) && !may_somewhere(&p.grants, Action::AnswerUnresolved) {
        return Err(Error::forbidden("无权查看办不成事反映"));
    }
    let from = format!("{from}T00:00:00+08:00");
    let to = format!("{to}T00:00:00+08:00");
    let all = s.store.read(move |tx| repo::candidates(tx, &from, &to)).await?;
    Ok(all
        .into_iter()
        .filter_map(|(r, centers)| {
            let place = place_of(&r.u, centers);
            may_read(p, &r, &place).then(|| {
                let full = sees_phone(p, &r, &place);
                (r, full)
            })
        })
        .collect())
}

/// BBC-5: the week's ledger — the registration table and the progress of every matter — with
/// the days it is reported: the desk to its center, then the center to supervision.
#[derive(Serialize)]
pub struct Ledger {
    pub week: String,
    pub desk_report_day: NaiveDate,
    pub center_report_day: NaiveDate,
    pub registered: usize,
    pub answered: usize,
    pub open: usize,
    pub overdue: usize,
    pub lines: Vec<LedgerLine>,
}

#[derive(Serialize)]
pub struct LedgerLine {
    pub id: i64,
    pub receipt_no: String,
    pub registered_at: String,
    pub reporter: String,
    pub phone: String,
    pub summary: String,
    pub class: &'static str,
    pub unit_id: Option<i64>,
    pub status: &'static str,
    pub due: Option<String>,
    pub overdue: bool,
    pub answered_at: Option<String>,
    pub result: Option<String>,
}

fn masked(phone: &str, full: bool) -> String {
    if full { phone.to_string() } else { Phone::parse(phone).map(|x| x.masked()).unwrap_or_else(|_| "****".into()) }
}

/// BBC-5: the ledger of `week` (`YYYY-Www`) for what the caller may read.
pub async fn ledger(s: &App, p: &Principal, week: &str) -> Result<Ledger> {
    let monday = parse_week(week)?;
    let rows = visible(s, p, monday).await?;
    Ok(ledger_of(s, monday, &rows))
}

/// BBC-5: the ledger of the week starting `monday` over `rows` (what [`visible`] gave for it),
/// for a page that shows the rows as well and reads them once.
pub fn ledger_of(s: &App, monday: NaiveDate, rows: &[(UnresolvedRow, bool)]) -> Ledger {
    let policy = s.policy();
    let day = |monday: NaiveDate, wd: u32| monday + chrono::Duration::days(i64::from(wd.clamp(1, 7)) - 1);
    let today = noveto_domain::time::local_date(s.now()).to_string();
    let from = format!("{monday}T00:00:00+08:00");
    let to = format!("{}T00:00:00+08:00", monday + chrono::Duration::days(7));
    let lines: Vec<LedgerLine> = rows
        .iter()
        .map(|(r, full)| {
            let open = r.u.status.is_open();
            LedgerLine {
                id: r.u.id,
                receipt_no: r.u.receipt_no.clone(),
                registered_at: r.registered_at.clone(),
                reporter: r.u.reporter.name.clone(),
                phone: masked(&r.u.reporter.phone, *full),
                summary: r.u.summary.clone(),
                class: r.u.class.label(),
                unit_id: r.u.unit_id,
                status: r.u.status.label(),
                due: r.due.clone(),
                overdue: open && r.due.as_deref().is_some_and(|d| d < today.as_str()),
                answered_at: r.answered_at.clone(),
                result: r.u.result.clone(),
            }
        })
        .collect();
    let in_week =
        |r: &UnresolvedRow| r.registered_at.as_str() >= from.as_str() && r.registered_at.as_str() < to.as_str();
    Ledger {
        week: week_of(monday),
        desk_report_day: day(monday, policy.unresolved.desk_report_weekday),
        center_report_day: day(monday + chrono::Duration::days(7), policy.unresolved.center_report_weekday),
        registered: rows.iter().filter(|(r, _)| in_week(r)).count(),
        answered: rows.iter().filter(|(r, _)| !r.u.status.is_open()).count(),
        open: lines.iter().filter(|l| l.answered_at.is_none()).count(),
        overdue: lines.iter().filter(|l| l.overdue).count(),
        lines,
    }
}

/// BBC-5: the ledger as a file (CSV or XLSX): one row per matter.
pub fn ledger_file(l: &Ledger, units: &[org::Unit], format: crate::catalog::Format) -> Result<Vec<u8>> {
    let columns = [
        "受理编号",
        "登记时间",
        "反映人",
        "联系电话",
        "反映事项",
        "类别",
        "责任单位",
        "状态",
        "办理时限",
        "是否超期",
        "办结时间",
        "办理结果",
    ];
    let time = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t).map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
    };
    let rows: Vec<Vec<String>> = l
        .lines
        .iter()
        .map(|x| {
            let unit =
                x.unit_id.and_then(|u| units.iter().find(|n| n.id == u)).map(|u| u.name.clone()).unwrap_or_default();
            vec![
                x.receipt_no.clone(),
                time(&x.registered_at),
                x.reporter.clone(),
                x.phone.clone(),
                x.summary.clone(),
                x.class.to_string(),
                unit,
                x.status.to_string(),
                x.due.clone().unwrap_or_else(|| "待监督部门确定".into()),
                if x.overdue { "超期".into() } else { String::new() },
                x.answered_at.as_deref().map(time).unwrap_or_default(),
                x.result.clone().unwrap_or_default(),
            ]
        })
        .collect();
    crate::catalog_file::table("办不成事台账", &columns, &rows, format == crate::catalog::Format::Xlsx)
        .map_err(|e| Error::bad("export_failed", e))
}

/// The open matters the caller may read whose due day has passed, oldest due first (the
/// supervision section's home).
pub async fn overdue(s: &App, p: &Principal) -> Result<Vec<UnresolvedRow>> {
    let today = noveto_domain::time::local_date(s.now());
    let t = today.to_string();
    let mut v: Vec<UnresolvedRow> = visible(s, p, today)
        .await?
        .into_iter()
        .map(|(r, _)| r)
        .filter(|r| r.u.status.is_open() && r.due.as_deref().is_some_and(|d| d < t.as_str()))
        .collect();
    v.sort_by(|a, b| a.due.cmp(&b.due));
    Ok(v)
}

/// BBC-6: a unit that stalled in a month — matters still open past their due day, answered
/// after it, or answered as impossible — with the receipt numbers, for the criticism notice.
#[derive(Serialize)]
pub struct Stall {
    pub unit_id: i64,
    pub overdue: usize,
    pub late: usize,
    pub impossible: usize,
    pub receipts: Vec<String>,
}

/// BBC-6: the units to list for criticism in `month` (`YYYY-MM`): every unit with a matter
/// registered that month (or still open) that it left overdue or answered late; most first.
pub async fn stalls(s: &App, p: &Principal, month: &str) -> Result<Vec<Stall>> {
    let bad = || Error::bad("invalid_month", "月份格式应为 2026-11").at("month");
    let first = NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d").map_err(|_| bad())?;
    let next = first.checked_add_months(chrono::Months::new(1)).ok_or_else(bad)?;
    let today = noveto_domain::time::local_date(s.now()).to_string();
    let mut by_unit: std::collections::BTreeMap<i64, Stall> = std::collections::BTreeMap::new();
    for (r, _) in visible_between(s, p, first, next).await? {
        let Some(unit) = r.u.unit_id else { continue };
        let due = r.due.as_deref();
        let answered = r.answered_at.as_deref().map(|a| &a[..a.len().min(10)]);
        let overdue = r.u.status.is_open() && due.is_some_and(|d| d < today.as_str());
        let late = matches!((answered, due), (Some(a), Some(d)) if a > d);
        let impossible = r.u.status == Status::Explained;
        if !(overdue || late || impossible) {
            continue;
        }
        let e = by_unit.entry(unit).or_insert(Stall {
            unit_id: unit,
            overdue: 0,
            late: 0,
            impossible: 0,
            receipts: vec![],
        });
        e.overdue += usize::from(overdue);
        e.late += usize::from(late);
        e.impossible += usize::from(impossible);
        e.receipts.push(r.u.receipt_no.clone());
    }
    let mut v: Vec<Stall> = by_unit.into_values().filter(|x| x.overdue + x.late > 0).collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.overdue + x.late));
    Ok(v)
}

/// CAL-2: after a calendar change, every open matter whose due day moves is saved with it (and
/// its `deadlines` row follows); one write each, a matter changed meanwhile is left for its own
/// next save. Returns how many moved.
pub async fn recompute_open(
    s: &App,
    old_of: impl Fn(&str) -> Option<std::sync::Arc<noveto_domain::calendar::Calendar>>,
) -> Result<usize> {
    let now = s.now();
    let mut moved = 0;
    for r in s.store.read(repo::open).await? {
        let (_, region) = s.center_chain(r.u.center_id).await?;
        let Some(old) = old_of(&region) else { continue };
        let new = s.calendar_for(&region);
        let version = r.version;
        let mut u = r.u;
        let Some(ev) = u.recompute(&old, &new, now) else { continue };
        let due = u.deadline.as_ref().and_then(|d| d.due(&new, now).ok()).map(|d| d.to_string());
        let ctx = noveto_store::repo::Ctx { actor: None, now: noveto_domain::time::rfc3339(now) };
        match s.store.write(move |tx| repo::apply(tx, &ctx, &u, version, due.as_deref(), &ev)).await {
            Ok(()) => moved += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(moved)
}
