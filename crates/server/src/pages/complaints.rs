//! TC: the complaint desk of the supervision section and the handling section's inbox (SCREENS):
//! register (in person and on the phone by whoever takes it; every other channel by the
//! supervision section), then the complaints by channel and category with their deadlines — to
//! class, assign (the lead section and the others), extend, take to the director's meeting, reply,
//! and file — each with its 承办单 to print. Every row is the reader's view and every form one the
//! complaint's state offers that reader (`View::offers`): this page keeps no state machine and
//! masks nothing itself.

use super::{Large, Visitor, above, beside, check_csrf, csrf_field, error_page, layout, val};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::i18n::{tr, trf};
use crate::ui::when_at;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use noveto_app::complaints as svc;
use noveto_app::tickets::View;
use noveto_domain::access::{Action, may_somewhere};
use noveto_domain::complaint::{Category, Channel, Complaint, Offer};
use noveto_store::repo::org::Unit;
use std::collections::HashMap;

type Form = axum::Form<HashMap<String, String>>;

fn title() -> &'static str {
    tr("吐槽找茬")
}

#[derive(serde::Deserialize, Default)]
pub struct ListQ {
    channel: Option<String>,
    category: Option<String>,
}

fn register_form(p: &Principal, units: &[Unit], kept: &HashMap<String, String>, e: Option<&ApiError>) -> Markup {
    let supervision = may_somewhere(&p.grants, Action::SuperviseComplaint);
    let channels: Vec<Channel> = Channel::ALL.into_iter().filter(|c| supervision || c.has_first_contact()).collect();
    let fields = ["channel", "category", "content", "name", "phone", "about_unit"];
    html! {
        section.card {
            h2 { (tr("登记“吐槽找茬”")) }
            p.muted {
                @if supervision { (tr("意见箱、政务服务网、微信公众号和 12345 热线的由监督监察科汇总登记；当面和电话反映的，接待人为首问责任人，能当场答复的当场答复。")) }
                @else { (tr("当面或电话接到的“吐槽找茬”，您是首问责任人：能当场答复的当场答复，不能的帮助联系相关科室。")) }
            }
            (above(e, &fields))
            form method="post" action="/complaints" {
                (csrf_field(p))
                div.grid {
                    label {
                        (tr("受理渠道"))
                        select name="channel" {
                            @for c in &channels { option value=(c.as_str()) selected[val(kept, "channel") == c.as_str()] { (tr(c.label())) } }
                        }
                        (beside(e, "channel"))
                    }
                    label {
                        (tr("类别"))
                        select name="category" {
                            @for c in Category::ALL { option value=(c.as_str()) selected[val(kept, "category") == c.as_str()] { (tr(c.label())) } }
                        }
                        (beside(e, "category"))
                    }
                    label { (tr("诉求人")) input name="name" required maxlength="50" value=(val(kept, "name")); (beside(e, "name")) }
                    label { (tr("联系电话")) input name="phone" required inputmode="tel" value=(val(kept, "phone")); (beside(e, "phone")) }
                    label {
                        (tr("反映的科室（窗口），可不选"))
                        select name="about_unit" {
                            option value="" { (tr("未指明")) }
                            @for u in units { option value=(u.id) selected[val(kept, "about_unit") == u.id.to_string()] { (u.name) } }
                        }
                        (beside(e, "about_unit"))
                    }
                }
                label {
                    (tr("“吐槽找茬”内容"))
                    textarea name="content" rows="3" required maxlength="2000" { (val(kept, "content")) }
                    (beside(e, "content"))
                }
                label.check {
                    input type="checkbox" name="confidential" value="1" checked[val(kept, "confidential") == "1"];
                    (tr("诉求人要求保密（姓名、电话仅监督监察科可见）"))
                }
                button { (tr("登记")) }
            }
        }
    }
}

/// The forms the complaint's state offers this reader.
fn actions(
    p: &Principal,
    c: &View<Complaint>,
    units: &[Unit],
    kept: &HashMap<String, String>,
    e: Option<&ApiError>,
) -> Markup {
    let k = |n: &str| e.map(|_| val(kept, n)).unwrap_or_default();
    let checked = e.map(|_| val(kept, "confirm") == "1").unwrap_or(false);
    let unit_select = |name: &str| {
        html! {
            select name=(name) required {
                option value="" { (tr("请选择科室")) }
                @for u in units.iter().filter(|u| u.center_id == c.center_id && !c.handled_by(u.id)) {
                    option value=(u.id) selected[k(name) == u.id.to_string()] {
                        (u.name) @if u.contact_id.is_none() { (tr("（未指定联系人）")) }
                    }
                }
            }
        }
    };
    let id = c.id;
    let note_form = |action: &str, label: &str, field: &str, button: &str| {
        html! {
            form method="post" action={ "/complaints/" (id) "/" (action) } {
                (csrf_field(p))
                label { (label) textarea name=(field) rows="2" required maxlength="2000" { (k(field)) } (beside(e, field)) }
                button.secondary { (button) }
            }
        }
    };
    html! {
        (above(e, &["unit_id", "reply", "opinion", "note", "reason", "text", "decision", "category"]))
        @if c.offers(Offer::AnswerOnSpot) {
            form method="post" action={ "/complaints/" (id) "/on-spot" } {
                (csrf_field(p))
                label { (tr("当场答复")) textarea name="reply" rows="2" required maxlength="2000" { (k("reply")) } (beside(e, "reply")) }
                label.check { input type="checkbox" name="confirm" value="1" checked[checked]; (tr("已核对答复用语，确需如此表述")) }
                button { (tr("当场答复并办结")) }
            }
        }
        @if c.offers(Offer::Assign) || c.offers(Offer::CoAssign) {
            form method="post" action={ "/complaints/" (id) "/assign" } {
                (csrf_field(p))
                label { (tr("承办科室")) (unit_select("unit_id")) (beside(e, "unit_id")) }
                @if c.lead.is_none() {
                    input type="hidden" name="lead" value="1";
                    button { (tr("分配牵头科室")) }
                } @else if c.offers(Offer::CoAssign) {
                    input type="hidden" name="lead" value="0";
                    button.secondary { (tr("增加会同办理科室")) }
                }
            }
        }
        @if c.offers(Offer::Reply) {
            form method="post" action={ "/complaints/" (id) "/reply" } {
                (csrf_field(p))
                @if let Some(r) = &c.review { p.warn { (tr("监督监察科退回意见：")) (r) } }
                label { (tr("责任科室（窗口）办理意见")) textarea name="opinion" rows="2" required maxlength="2000" { (k("opinion")) } (beside(e, "opinion")) }
                label { (tr("回复诉求人")) textarea name="reply" rows="2" required maxlength="2000" { (k("reply")) } (beside(e, "reply")) }
                label.check { input type="checkbox" name="confirm" value="1" checked[checked]; (tr("已核对答复用语，确需如此表述")) }
                button { (tr("回复并报送监督监察科")) }
            }
        }
        @if c.offers(Offer::Contact) {
            (note_form("contact", tr("与诉求人联系核实的情况"), "note", tr("已联系诉求人")))
        }
        @if c.offers(Offer::CoOpinion) {
            (note_form("co-opinion", tr("会办意见"), "text", tr("提交会办意见")))
        }
        @if c.offers(Offer::Classify) {
            form method="post" action={ "/complaints/" (id) "/category" } {
                (csrf_field(p))
                label {
                    (tr("类别"))
                    select name="category" { @for x in Category::ALL { option value=(x.as_str()) selected[x == c.category] { (tr(x.label())) } } }
                }
                button.secondary { (tr("更正类别")) }
            }
        }
        @if c.offers(Offer::Extend) {
            details { summary { (tr("复杂问题：延长至 5 个工作日")) } (note_form("extension", tr("延长理由"), "reason", tr("同意延长"))) }
        }
        @if c.offers(Offer::ToMeeting) {
            details { summary { (tr("科室无法解决：提交局长办公会")) } (note_form("meeting", tr("提交理由"), "reason", tr("提交局长办公会"))) }
        }
        @if c.offers(Offer::MeetingDecision) {
            form method="post" action={ "/complaints/" (id) "/decision" } {
                (csrf_field(p))
                label { (tr("局长办公会研究决定")) textarea name="decision" rows="2" required maxlength="2000" { (k("decision")) } (beside(e, "decision")) }
                label {
                    (tr("负责回复的科室"))
                    select name="unit_id" required {
                        @for u in units.iter().filter(|u| u.center_id == c.center_id) { option value=(u.id) selected[c.lead == Some(u.id)] { (u.name) } }
                    }
                }
                button { (tr("记录决定")) }
            }
        }
        @if c.offers(Offer::Close) {
            (note_form("close", tr("办结意见（可写整改措施）"), "note", tr("办结归档")))
        }
        @if c.offers(Offer::Return) {
            details { summary { (tr("回复不到位：退回科室")) } (note_form("return", tr("退回意见"), "note", tr("退回"))) }
        }
    }
}

async fn body(
    s: &AppState,
    p: &Principal,
    q: &ListQ,
    kept: &HashMap<String, String>,
    err: Option<(i64, &ApiError)>,
) -> ApiResult<Markup> {
    let today = noveto_domain::time::local_date(s.now());
    let first = today.with_day0(0).unwrap_or(today);
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(today);
    let rows = svc::visible(s, p, first, next).await?;
    let units = noveto_app::org::directory(s).await?.units;
    let unit_name = |id: i64| units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    let shown: Vec<&View<Complaint>> = rows
        .iter()
        .filter(|c| q.channel.as_deref().is_none_or(|x| x.is_empty() || c.channel.as_str() == x))
        .filter(|c| q.category.as_deref().is_none_or(|x| x.is_empty() || c.category.as_str() == x))
        .collect();
    let (mut open, done): (Vec<&View<Complaint>>, Vec<&View<Complaint>>) =
        shown.into_iter().partition(|c| !c.offers.is_empty() || c.status.is_open());
    open.sort_by_key(|c| c.due.unwrap_or(chrono::NaiveDate::MAX));
    let analysis = if may_somewhere(&p.grants, Action::ReadComplaints) {
        svc::analysis(s, p, first, next).await.ok()
    } else {
        None
    };
    let registers = may_somewhere(&p.grants, Action::RegisterComplaint);
    let supervises = may_somewhere(&p.grants, Action::SuperviseComplaint);
    let notices = if analysis.is_some() { svc::notices(s, p).await.unwrap_or_default() } else { vec![] };
    let row = |c: &View<Complaint>, with_actions: bool| {
        let overdue = c.status.is_open() && c.due.is_some_and(|d| d < today);
        let e = err.filter(|(id, _)| *id == c.id).map(|(_, e)| e);
        html! {
            tr id={ "c" (c.id) } {
                td data-label=(tr("编号")) {
                    (c.receipt_no) br; span.muted { (when_at(&c.received_at)) } br;
                    a href={ "/api/v1/complaints/" (c.id) "/documents/handling-form.html" } target="_blank" { (tr("承办单")) }
                    " · " a href={ "/api/v1/complaints/" (c.id) "/documents/handling-form.pdf" } { "PDF" }
                }
                td data-label=(tr("渠道与类别")) {
                    (tr(c.channel.label())) br; (tr(c.category.label()))
                    @if let Some(o) = &c.hotline_order { br; span.muted { (trf("工单 {}", &[o])) } }
                }
                td data-label=(tr("内容")) { (c.content) }
                td data-label=(tr("诉求人")) {
                    (c.complainant.name) br; (c.complainant.phone)
                    @if c.confidential { br; span.pill { (tr("要求保密")) } }
                }
                td data-label=(tr("承办科室")) {
                    (tr(c.status.label()))
                    @if let Some(l) = c.lead { br; (trf("{}（牵头）", &[&unit_name(l)])) }
                    @for x in &c.co { br; (unit_name(x.unit_id)) }
                    @if let Some(m) = &c.meeting { br; span.muted { (tr("局长办公会：")) (m.decision.as_deref().unwrap_or(tr("待研究"))) } }
                    @if let Some(r) = &c.reply { br; span.muted { (tr("回复：")) (r) } }
                }
                td.overdue[overdue] data-label=(tr("处理时限")) {
                    @if let Some(d) = c.due { (crate::ui::day(d)) @if overdue { " " (tr("已超期")) } }
                    @if c.extension.is_some() { br; span.muted { (tr("已延长（复杂问题）")) } }
                }
                @if with_actions { td data-label=(tr("操作")) { (actions(p, c, &units, kept, e)) } }
            }
        }
    };
    Ok(html! {
        section.card {
            h1 { (title()) }
            p.muted { (tr("业务流程繁不繁、服务效率高不高、服务态度好不好及其他意见建议：立即联系诉求人核实，一般 1 个工作日内办结，复杂问题经监督监察科同意不超过 5 个工作日。")) }
            p {
                (tr("渠道：")) a href="/complaints" { (tr("全部")) }
                @for c in Channel::ALL { " · " a href={ "/complaints?channel=" (c.as_str()) } { (tr(c.label())) } }
                br;
                (tr("类别：")) a href="/complaints" { (tr("全部")) }
                @for c in Category::ALL { " · " a href={ "/complaints?category=" (c.as_str()) } { (tr(c.label())) } }
            }
        }
        @if registers { (register_form(p, &units, kept, err.filter(|(id, _)| *id == 0).map(|(_, e)| e))) }
        section.card {
            h2 { (trf("待办（{} 件）", &[&open.len()])) }
            div.scroll {
                table.stack {
                    tr { th { (tr("编号")) } th { (tr("渠道与类别")) } th { (tr("内容")) } th { (tr("诉求人")) } th { (tr("承办科室")) } th { (tr("处理时限")) } th { (tr("操作")) } }
                    @if open.is_empty() { tr { td colspan="7" class="muted" { (tr("没有待办的“吐槽找茬”。")) } } }
                    @for c in &open { (row(c, true)) }
                }
            }
        }
        @if let Some(a) = &analysis {
            section.card {
                h2 { (trf("本月分析（{}至{}）", &[&crate::ui::day(a.from), &crate::ui::day(a.to - chrono::Duration::days(1))])) }
                p { (trf("共 {} 件，当场答复 {} 件，超期 {} 件。", &[&a.total, &a.on_spot, &a.overdue])) }
                p {
                    @for (l, n) in &a.by_category { (tr(l)) " " (n) "　" }
                }
                @if !a.concentrated.is_empty() {
                    p.warn { (tr("集中问题（应组织整改）：")) }
                    ul {
                        @for x in &a.concentrated {
                            li {
                                (trf("{}：{} {} 件（{}）", &[&unit_name(x.unit_id), &tr(x.category), &x.count, &x.receipts.join(tr("、"))]))
                                @if supervises {
                                    form method="post" action="/complaints/0/rectification" {
                                        (csrf_field(p))
                                        input type="hidden" name="unit_id" value=(x.unit_id);
                                        input type="hidden" name="category" value=(category_key(x.category));
                                        input type="hidden" name="receipts" value=(x.receipts.join(","));
                                        label { (tr("整改要求")) input name="problem" required maxlength="2000"; }
                                        label { (tr("整改期限")) input type="date" name="due"; }
                                        button.secondary { (tr("交科室整改")) }
                                    }
                                }
                            }
                        }
                    }
                }
                @if supervises {
                    form method="post" action="/complaints/0/notice" {
                        (csrf_field(p))
                        input type="hidden" name="month" value=(first.format("%Y-%m").to_string());
                        button.secondary { (tr("发布本月通报")) }
                    }
                }
                @for n in &notices {
                    p { a href={ "/api/v1/complaints/notices/" (n.id) ".html" } target="_blank" { (n.title) } " · " a href={ "/api/v1/complaints/notices/" (n.id) ".pdf" } { "PDF" } }
                }
                p {
                    a href={ "/api/v1/complaints?format=xlsx&from=" (a.from) "&to=" (a.to) } { (tr("导出台账 Excel")) } " · "
                    a href={ "/api/v1/complaints?format=csv&from=" (a.from) "&to=" (a.to) } { (tr("导出台账 CSV")) }
                    @if may_somewhere(&p.grants, Action::SuperviseComplaint) {
                        " · " a href="/api/v1/hotline/replies?format=xlsx" { (tr("导出 12345 工单回复")) }
                    }
                }
            }
        }
        section.card {
            h2 { (trf("已办结（{} 件）", &[&done.len()])) }
            div.scroll {
                table.stack {
                    tr { th { (tr("编号")) } th { (tr("渠道与类别")) } th { (tr("内容")) } th { (tr("诉求人")) } th { (tr("承办科室")) } th { (tr("处理时限")) } }
                    @if done.is_empty() { tr { td colspan="6" class="muted" { (tr("本月尚无办结的事项。")) } } }
                    @for c in &done { (row(c, false)) }
                }
            }
        }
    })
}

use chrono::Datelike;

/// The category's key from its label (the analysis keeps labels).
fn category_key(label: &str) -> &'static str {
    Category::ALL.into_iter().find(|c| c.label() == label).map(|c| c.as_str()).unwrap_or("other")
}

pub async fn page(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    Query(q): Query<ListQ>,
) -> Response {
    match body(&s, &p, &q, &HashMap::new(), None).await {
        Ok(b) => layout(Some(&p), large, title(), b).into_response(),
        Err(e) => error_page(Some(&p), large, &e),
    }
}

async fn after(
    s: &AppState,
    p: &Principal,
    large: bool,
    f: &HashMap<String, String>,
    id: i64,
    r: ApiResult<i64>,
) -> Response {
    let e = match r {
        Ok(shown) => return Redirect::to(&format!("/complaints#c{shown}")).into_response(),
        Err(e) => e,
    };
    let page = body(s, p, &ListQ::default(), f, Some((id, &e))).await;
    super::again(p, large, title(), &e, page)
}

pub async fn register(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        let b = svc::ComplaintIn {
            channel: val(&f, "channel"),
            category: val(&f, "category"),
            content: val(&f, "content"),
            complainant: svc::ComplainantIn { name: val(&f, "name"), phone: val(&f, "phone") },
            confidential: val(&f, "confidential") == "1",
            center_id: None,
            window_id: None,
            about_unit: val(&f, "about_unit").parse().ok(),
        };
        Ok::<_, ApiError>(svc::register(&s, &p, b).await?.id)
    }
    .await;
    after(&s, &p, large, &f, 0, r).await
}

/// The complaint's actions from the page: each the application layer's command, then back to the
/// complaint, or the form again as typed with the error beside its field.
pub async fn act(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    crate::extract::ApiPath((id, action)): crate::extract::ApiPath<(i64, String)>,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        let unit = || {
            val(&f, "unit_id")
                .parse::<i64>()
                .map_err(|_| ApiError {
                    field: Some("unit_id"), ..ApiError::bad("unit_required", tr("请选择科室"))
                })
        };
        let confirm = val(&f, "confirm") == "1";
        match action.as_str() {
            "on-spot" => {
                svc::answer_on_spot(&s, &p, id, svc::OnSpotIn { reply: val(&f, "reply"), confirm }).await?;
            }
            "assign" => {
                svc::assign(&s, &p, id, svc::AssignIn { unit_id: unit()?, lead: val(&f, "lead") != "0" }).await?;
            }
            "reply" => {
                svc::reply(&s, &p, id, svc::ReplyIn { opinion: val(&f, "opinion"), reply: val(&f, "reply"), confirm })
                    .await?;
            }
            "contact" => svc::contact(&s, &p, id, svc::NoteIn { note: val(&f, "note") }).await?,
            "co-opinion" => svc::co_opinion(&s, &p, id, svc::OpinionIn { text: val(&f, "text") }).await?,
            "category" => svc::classify(&s, &p, id, &val(&f, "category")).await?,
            "extension" => {
                svc::extend(&s, &p, id, svc::ReasonIn { reason: val(&f, "reason") }).await?;
            }
            "meeting" => svc::to_meeting(&s, &p, id, svc::ReasonIn { reason: val(&f, "reason") }).await?,
            "decision" => {
                svc::meeting_decision(&s, &p, id, svc::MeetingIn { decision: val(&f, "decision"), unit_id: unit()? })
                    .await?
            }
            "return" => svc::send_back(&s, &p, id, svc::NoteIn { note: val(&f, "note") }).await?,
            "close" => svc::close(&s, &p, id, svc::NoteIn { note: val(&f, "note") }).await?,
            // TC-7: not one complaint's: the month's notice and a rectification of a concentrated issue.
            "notice" => {
                svc::issue_notice(&s, &p, &val(&f, "month")).await?;
            }
            "rectification" => {
                let b = noveto_app::rectifications::OpenIn {
                    unit_id: unit()?,
                    category: val(&f, "category"),
                    problem: val(&f, "problem"),
                    receipts: val(&f, "receipts").split(',').filter(|x| !x.is_empty()).map(String::from).collect(),
                    due: Some(val(&f, "due")),
                };
                noveto_app::rectifications::open_for_complaints(&s, &p, b).await?;
            }
            _ => return Err(ApiError::not_found(tr("页面"))),
        }
        Ok::<_, ApiError>(id)
    }
    .await;
    after(&s, &p, large, &f, id, r).await
}
