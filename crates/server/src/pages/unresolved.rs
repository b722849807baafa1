//! BBC: the 办不成事 desk's page (SCREENS: register at the top with the class's deadline shown as
//! it is chosen; then dispatch to a unit with the 流转单 to print; open matters by due day,
//! overdue in red; the week's ledger with its Friday report). The unit's liaison contact and its
//! leaders see the matters sent to them with the reply form; the supervision section sets the
//! deadlines of complex matters. Every list is `noveto_app::unresolved::visible`, the API's door.

use super::{Large, Visitor, above, beside, check_csrf, csrf_field, error_page, layout, val};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::i18n::{tr, trf};
use crate::ui::{when, when_at};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use noveto_app::tickets::View;
use noveto_app::unresolved as svc;
use noveto_domain::access::may_somewhere;
use noveto_domain::unresolved::{Class, Offer, Unresolved};
use noveto_store::repo::org::Unit;
use std::collections::HashMap;

type Form = axum::Form<HashMap<String, String>>;

fn title() -> &'static str {
    tr("办不成事反映")
}

#[derive(serde::Deserialize)]
pub struct WeekQ {
    week: Option<String>,
}

/// A day for people, in the page's words: 12月1日.
fn day(d: &str) -> String {
    d.parse::<chrono::NaiveDate>().map(|d| trf("{}月{}日", &[&d.format("%-m"), &d.format("%-d")])).unwrap_or_default()
}

/// What each class's deadline would be if registered now (SCREENS: shown as it is chosen).
fn class_options(s: &AppState, chosen: &str) -> Markup {
    let (policy, cal, now) = (s.policy(), s.calendar(), s.now());
    html! {
        @for c in Class::ALL {
            @let due = noveto_domain::unresolved::deadline_for(c, &policy, now)
                .and_then(|d| d.due(&cal, now).ok())
                .map(|d| trf("，{}前办结", &[&day(&d.to_string())]))
                .unwrap_or_else(|| tr("，时限由监督部门确定").to_string());
            option value=(c.as_str()) selected[chosen == c.as_str()] { (tr(c.label())) (due) }
        }
    }
}

fn register_form(s: &AppState, p: &Principal, kept: &HashMap<String, String>, e: Option<&ApiError>) -> Markup {
    let fields = ["name", "phone", "summary", "class", "case_receipt_no", "desk_id"];
    html! {
        section.card {
            h2 { (tr("登记群众反映")) }
            (above(e, &fields))
            form method="post" action="/unresolved" {
                (csrf_field(p))
                div.grid {
                    label { (tr("反映人姓名")) input name="name" required maxlength="50" value=(val(kept, "name")); (beside(e, "name")) }
                    label { (tr("联系电话")) input name="phone" required inputmode="tel" value=(val(kept, "phone")); (beside(e, "phone")) }
                    label {
                        (tr("事项类别"))
                        select name="class" { (class_options(s, &val(kept, "class"))) }
                        (beside(e, "class"))
                    }
                    label {
                        (tr("关联办件受理编号（可不填）"))
                        input name="case_receipt_no" maxlength="40" value=(val(kept, "case_receipt_no"));
                        (beside(e, "case_receipt_no"))
                    }
                }
                label {
                    (tr("反映事项（办的什么事、在哪里办、为什么没办成）"))
                    textarea name="summary" rows="3" required maxlength="2000" { (val(kept, "summary")) }
                    (beside(e, "summary"))
                }
                (beside(e, "desk_id"))
                button { (tr("登记")) }
            }
        }
    }
}

/// The forms a matter's state offers this person (the domain's `offers`, filtered by the access
/// layer): class and dispatch, the one-time notice, the unit's answer, the desk's check with the
/// person, outside government services, the complex deadline, the final answer on a veto.
fn actions(
    p: &Principal,
    u: &View<Unresolved>,
    units: &[Unit],
    kept: &HashMap<String, String>,
    e: Option<&ApiError>,
) -> Markup {
    let k = |n: &str| e.map(|_| val(kept, n)).unwrap_or_default();
    let checked = e.map(|_| val(kept, "confirm") == "1").unwrap_or(false);
    html! {
        (above(e, &["class", "unit_id", "result", "bottleneck", "due", "note", "materials", "window", "person", "contact", "body_name", "body_address", "body_phone", "answer"]))
        @if u.offers(Offer::Classify) {
            form method="post" action={ "/unresolved/" (u.id) "/class" } {
                (csrf_field(p))
                label {
                    (tr("事项类别"))
                    select name="class" {
                        @for c in Class::ALL { option value=(c.as_str()) selected[c == u.class] { (tr(c.label())) } }
                    }
                    (beside(e, "class"))
                }
                button.secondary { (tr("更改类别")) }
            }
        }
        @if u.offers(Offer::Dispatch) {
            form method="post" action={ "/unresolved/" (u.id) "/dispatch" } {
                (csrf_field(p))
                label {
                    (tr("流转至责任单位"))
                    select name="unit_id" required {
                        option value="" { (tr("请选择")) }
                        @for x in units.iter().filter(|x| x.center_id == u.center_id) {
                            option value=(x.id) selected[k("unit_id") == x.id.to_string()] {
                                (x.name) @if x.contact_id.is_none() { (tr("（未指定联系人）")) }
                            }
                        }
                    }
                    (beside(e, "unit_id"))
                }
                button { (tr("流转")) }
            }
        }
        @if u.offers(Offer::Tell) {
            details {
                summary { (tr("一次性告知（所需材料、办理窗口、经办人、联系方式）")) }
                form method="post" action={ "/unresolved/" (u.id) "/notice" } {
                    (csrf_field(p))
                    label { (tr("所需材料")) textarea name="materials" rows="2" maxlength="1000" { (k("materials")) } (beside(e, "materials")) }
                    label { (tr("办理窗口")) input name="window" maxlength="100" value=(k("window")); (beside(e, "window")) }
                    label { (tr("经办人")) input name="person" maxlength="50" value=(k("person")); (beside(e, "person")) }
                    label { (tr("联系方式")) input name="contact" maxlength="50" value=(k("contact")); (beside(e, "contact")) }
                    button.secondary { (tr("告知并写入登记回执")) }
                }
            }
        }
        @if u.offers(Offer::ReferOutside) {
            details {
                summary { (tr("不属于政务服务事项：告知有权处理的部门")) }
                form method="post" action={ "/unresolved/" (u.id) "/outside" } {
                    (csrf_field(p))
                    label { (tr("有权处理的部门")) input name="body_name" maxlength="100" value=(k("body_name")); (beside(e, "body_name")) }
                    label { (tr("部门地址")) input name="body_address" maxlength="200" value=(k("body_address")); (beside(e, "body_address")) }
                    label { (tr("部门电话")) input name="body_phone" maxlength="50" value=(k("body_phone")); (beside(e, "body_phone")) }
                    button.secondary { (tr("告知反映人并办结")) }
                }
            }
        }
        @if u.offers(Offer::Answer) {
            form method="post" action={ "/unresolved/" (u.id) "/feedback" } {
                (csrf_field(p))
                @if let Some(v) = &u.verification { p.muted { (tr("反映人回访意见：")) (v) } }
                label {
                    (tr("办理结果（无法办理的，写明理由）"))
                    textarea name="result" rows="2" required maxlength="2000" { (k("result")) }
                    (beside(e, "result"))
                }
                label {
                    (tr("发现的流程堵点（可不填；将作为流程改进建议跟踪落实）"))
                    textarea name="bottleneck" rows="2" maxlength="1000" { (k("bottleneck")) }
                    (beside(e, "bottleneck"))
                }
                label.check { input type="checkbox" name="confirm" value="1" checked[checked]; (tr("已核对答复用语，确需如此表述")) }
                button name="resolved" value="1" { (tr("已办成")) }
                " "
                button.secondary name="resolved" value="0" { (tr("无法办理，已说明理由")) }
            }
        }
        @if u.offers(Offer::Verify) {
            form method="post" action={ "/unresolved/" (u.id) "/verification" } {
                (csrf_field(p))
                p { (tr("单位答复：")) (u.result.as_deref().unwrap_or("")) }
                label {
                    (tr("回访核实情况（向反映人核实了什么、对方怎么说）"))
                    textarea name="note" rows="2" required maxlength="1000" { (k("note")) }
                    (beside(e, "note"))
                }
                @if u.answer_resolved == Some(false) {
                    button name="done" value="1" { (tr("理由已送达，报窗口负责人备案办结")) }
                } @else {
                    button name="done" value="1" { (tr("核实已办成，办结")) }
                }
                " "
                button.secondary name="done" value="0" { (tr("反映人表示未解决，退回单位")) }
            }
        }
        @if u.offers(Offer::Escalate) {
            form method="post" action={ "/unresolved/" (u.id) "/escalation" } {
                (csrf_field(p))
                button.secondary { (tr("联系人无法推动，提交分管领导")) }
            }
        }
        @if u.offers(Offer::SetDeadline) {
            form method="post" action={ "/unresolved/" (u.id) "/deadline" } {
                (csrf_field(p))
                label { (tr("确定办理时限")) input type="date" name="due" required value=(k("due")); (beside(e, "due")) }
                button { (tr("保存时限")) }
            }
        }
        @if u.offers(Offer::FinalAnswer) {
            form method="post" action={ "/unresolved/" (u.id) "/final" } {
                (csrf_field(p))
                label {
                    (tr("兜底答复（会同业务科室作出的最终答复）"))
                    textarea name="answer" rows="3" required maxlength="2000" { (k("answer")) }
                    (beside(e, "answer"))
                }
                label.check { input type="checkbox" name="confirm" value="1" checked[checked]; (tr("已核对答复用语，确需如此表述")) }
                button { (tr("作出最终答复")) }
            }
        }
    }
}

async fn body(
    s: &AppState,
    p: &Principal,
    week: Option<&str>,
    kept: &HashMap<String, String>,
    err: Option<(i64, &ApiError)>,
) -> ApiResult<Markup> {
    let today = noveto_domain::time::local_date(s.now());
    let week = week.map(str::to_string).unwrap_or_else(|| svc::week_of(today));
    let monday = svc::parse_week(&week)?;
    let rows = svc::visible(s, p, monday).await?;
    let ledger = svc::ledger_of(s, monday, &rows);
    let units = noveto_app::org::directory(s).await?.units;
    let desk = svc::my_desk(s, p).await;
    let unit_name = |id: Option<i64>| id.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.clone());
    let mut open: Vec<&View<Unresolved>> = rows.iter().filter(|r| r.status.is_open()).collect();
    open.sort_by_key(|r| r.due.unwrap_or(chrono::NaiveDate::MAX));
    // BBC-6 for those who see a whole center (the supervision section, the business section,
    // the director, the hall manager).
    let center_reader = p.grants.iter().any(|g| g.scope.kind == noveto_domain::access::ScopeKind::Center);
    let month = s.now().format("%Y-%m").to_string();
    let stalls = if center_reader { svc::stalls(s, p, &month).await.unwrap_or_default() } else { vec![] };
    let link = |w: chrono::NaiveDate| format!("/unresolved?week={}", svc::week_of(w));
    let reports = svc::reports(s, p).await.unwrap_or_default();
    let refers = may_somewhere(&p.grants, noveto_domain::access::Action::SetUnresolvedDeadline);
    Ok(html! {
        section.card {
            h1 { (title()) }
            p.muted { (tr("企业群众提交的事项未被受理或审批未通过、到大厅办事未能解决问题的，在这里登记，流转责任单位限时办结，并向反映人反馈。")) }
        }
        @if desk.is_some() {
            (register_form(s, p, kept, err.filter(|(id, _)| *id == 0).map(|(_, e)| e)))
        }
        section.card {
            h2 { (trf("未办结（{} 件）", &[&open.len()])) }
            table {
                tr {
                    th { (tr("受理编号")) } th { (tr("反映人")) } th { (tr("反映事项")) } th { (tr("类别")) }
                    th { (tr("状态")) } th { (tr("办理时限")) } th { (tr("操作")) }
                }
                @if open.is_empty() { tr { td colspan="7" class="muted" { (tr("没有未办结的事项。")) } } }
                @for u in &open {
                    @let overdue = u.answered_at.is_none() && u.due.is_some_and(|d| d < today);
                    @let e = err.filter(|(id, _)| *id == u.id).map(|(_, e)| e);
                    tr id={ "u" (u.id) } {
                        td {
                            (u.receipt_no) br; span.muted { (when_at(&u.registered_at)) } br;
                            a href={ "/unresolved/" (u.id) "/receipt" } { (tr("登记回执")) }
                            @if u.fallback.is_some() { br; strong { (tr("否决兜底")) } }
                        }
                        td { (u.reporter.name) br; (u.reporter.phone) }
                        td {
                            (u.summary)
                            @if let Some(c) = u.case_id { br; a href={ "/cases/" (c) } { (tr("关联办件")) } }
                        }
                        td { (tr(u.class.label())) }
                        td {
                            (tr(u.status.label()))
                            @if let Some(n) = unit_name(u.unit_id) { br; (n) }
                            @if u.escalated_to.is_some() { br; (tr("已提交分管领导")) }
                            @if u.unit_id.is_some() { br; a href={ "/unresolved/" (u.id) "/slip" } { (tr("流转单")) } }
                        }
                        td.overdue[overdue] {
                            @match &u.due {
                                Some(d) => { (day(&d.to_string())) @if overdue { " " (tr("已超期")) } }
                                None => { (tr("待监督部门确定")) }
                            }
                            @if let Some(d) = &u.deadline { br; span.muted { (crate::i18n::tr_text(&d.source.document)) } }
                        }
                        td { (actions(p, u, &units, kept, e)) }
                    }
                }
            }
        }
        @if center_reader {
            section.card {
                h2 { (trf("通报批评名单（{}）", &[&month])) }
                p.muted { (tr("本月登记的事项中，超期未办结或超时办结的责任单位。")) }
                table {
                    tr { th { (tr("责任单位")) } th { (tr("超期未办结")) } th { (tr("超时办结")) } th { (tr("无法办理")) } th { (tr("受理编号")) } }
                    @if stalls.is_empty() { tr { td colspan="5" class="muted" { (tr("本月没有拖延或超时的单位。")) } } }
                    @for x in &stalls {
                        tr {
                            td { (unit_name(Some(x.unit_id)).unwrap_or_default()) }
                            td.overdue[x.overdue > 0] { (x.overdue) }
                            td { (x.late) }
                            td { (x.impossible) }
                            td { (x.receipts.join(tr("、"))) }
                        }
                    }
                }
                @if refers && !stalls.is_empty() {
                    @let e = err.filter(|(id, _)| *id == -1).map(|(_, e)| e);
                    details open[e.is_some()] {
                        summary { (tr("情节严重的，连同证据移送问责")) }
                        form method="post" action="/unresolved/accountability" {
                            (csrf_field(p))
                            (above(e, &["unit_id", "note"]))
                            input type="hidden" name="month" value=(month);
                            label {
                                (tr("责任单位"))
                                select name="unit_id" { @for x in &stalls { option value=(x.unit_id) { (unit_name(Some(x.unit_id)).unwrap_or_default()) } } }
                                (beside(e, "unit_id"))
                            }
                            label { (tr("移送事由")) textarea name="note" rows="2" required maxlength="2000" { (e.map(|_| val(kept, "note")).unwrap_or_default()) } (beside(e, "note")) }
                            button { (tr("移送问责")) }
                        }
                    }
                }
            }
        }
        @if !reports.is_empty() {
            section.card {
                h2 { (tr("周报与问责移送")) }
                table {
                    tr { th { (tr("报告")) } th { (tr("生成时间")) } th { (tr("下载")) } }
                    @for r in &reports {
                        tr {
                            td { (r.title) }
                            td { (when(&r.made_at)) }
                            td {
                                a href={ "/api/v1/unresolved/reports/" (r.id) ".html" } target="_blank" { (tr("打印视图")) } " · "
                                a href={ "/api/v1/unresolved/reports/" (r.id) ".pdf" } { "PDF" } " · "
                                a href={ "/api/v1/unresolved/reports/" (r.id) ".xlsx" } { "Excel" }
                            }
                        }
                    }
                }
            }
        }
        section.card {
            h2 { (trf("台账：{}至{}", &[&day(&monday.to_string()), &day(&(monday + chrono::Duration::days(6)).to_string())])) }
            p {
                a href=(link(monday - chrono::Duration::days(7))) { (tr("上一周")) } " · "
                a href=(link(monday + chrono::Duration::days(7))) { (tr("下一周")) } " · "
                a href={ "/api/v1/unresolved/ledger?week=" (ledger.week) "&format=xlsx" } { (tr("导出 Excel")) } " · "
                a href={ "/api/v1/unresolved/ledger?week=" (ledger.week) "&format=csv" } { (tr("导出 CSV")) }
            }
            p {
                (trf("本周登记 {} 件，单位已答复 {} 件（回访办结 {} 件），待单位答复 {} 件，其中超期 {} 件。", &[&ledger.registered, &ledger.answered, &ledger.closed, &ledger.open, &ledger.overdue]))
                br;
                (trf("{}报中心；中心于{}报监督部门。", &[&day(&ledger.desk_report_day.to_string()), &day(&ledger.center_report_day.to_string())]))
            }
            table {
                tr { th { (tr("受理编号")) } th { (tr("反映人")) } th { (tr("类别")) } th { (tr("状态")) } th { (tr("答复时间")) } th { (tr("办理结果")) } }
                @if ledger.answered == 0 { tr { td colspan="6" class="muted" { (tr("本周尚无单位答复的事项。")) } } }
                @for l in ledger.lines.iter().filter(|l| l.answered_at.is_some()) {
                    tr {
                        td { (l.receipt_no) }
                        td { (l.reporter) }
                        td { (crate::i18n::tr_text(&l.class)) }
                        td { (crate::i18n::tr_text(&l.status)) }
                        td { (l.answered_at.as_deref().map(when).unwrap_or_default()) }
                        td { (l.result.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
    })
}

pub async fn page(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    Query(q): Query<WeekQ>,
) -> Response {
    match body(&s, &p, q.week.as_deref(), &HashMap::new(), None).await {
        Ok(b) => layout(Some(&p), large, title(), b).into_response(),
        Err(e) => error_page(Some(&p), large, &e),
    }
}

/// After an action on matter `id` (0: the register form): back to it in the list, or the page
/// again with its form as typed and the error beside the field.
async fn after(
    s: &AppState,
    p: &Principal,
    large: bool,
    f: &HashMap<String, String>,
    id: i64,
    r: ApiResult<i64>,
) -> Response {
    let e = match r {
        Ok(shown) if id == 0 => return Redirect::to(&format!("/unresolved/{shown}/receipt")).into_response(),
        Ok(shown) => return Redirect::to(&format!("/unresolved#u{shown}")).into_response(),
        Err(e) => e,
    };
    let page = body(s, p, None, f, Some((id, &e))).await;
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
        let b = svc::UnresolvedIn {
            reporter: svc::ReporterIn { name: val(&f, "name"), phone: val(&f, "phone") },
            summary: val(&f, "summary"),
            case_id: None,
            case_receipt_no: Some(val(&f, "case_receipt_no")),
            class: val(&f, "class"),
            desk_id: None,
        };
        Ok::<_, ApiError>(svc::register(&s, &p, b).await?.id)
    }
    .await;
    after(&s, &p, large, &f, 0, r).await
}

/// BBC-2: the 流转单 — what the unit's contact receives, to print (HTML print view; the PDF is
/// the API's `documents/transfer-slip.pdf`).
pub async fn slip(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(id): ApiPath<i64>,
) -> Response {
    form(&s, &p, large, id, "transfer-slip").await
}

/// BBC-4: the reporter's receipt (登记回执) — told at once, in writing: the receipt number to
/// follow it by, the desk and who registered it, what happens next and by when, what to bring
/// and where, where to call.
pub async fn receipt(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(id): ApiPath<i64>,
) -> Response {
    form(&s, &p, large, id, "receipt").await
}

async fn form(s: &AppState, p: &Principal, large: bool, id: i64, kind: &str) -> Response {
    let r = async {
        let v = svc::get(s, p, id).await?;
        let d = super::forms::unresolved(s, &v, kind).await?;
        Ok::<_, ApiError>(super::forms::page(p, large, &d, &format!("/api/v1/unresolved/{id}/documents/{kind}")))
    }
    .await;
    r.unwrap_or_else(|e| error_page(Some(p), large, &e))
}

/// The matter's actions from the page (`class`, `dispatch`, `feedback`, `escalation`,
/// `deadline`): each
/// the application layer's command, then back to the matter, or the form again as typed.
pub async fn act(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath((id, action)): ApiPath<(i64, String)>,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        match action.as_str() {
            "dispatch" => {
                let unit_id = val(&f, "unit_id").parse().map_err(|_| ApiError {
                    field: Some("unit_id"),
                    ..ApiError::bad("unit_required", tr("请选择责任单位"))
                })?;
                svc::dispatch(&s, &p, id, svc::DispatchIn { unit_id }).await?;
            }
            "feedback" => {
                let b = svc::FeedbackIn {
                    result: val(&f, "result"),
                    resolved: val(&f, "resolved") == "1",
                    bottleneck: Some(val(&f, "bottleneck")),
                    confirm: val(&f, "confirm") == "1",
                };
                svc::feedback(&s, &p, id, b).await?;
            }
            "verification" => {
                let b = svc::VerifyIn { done: val(&f, "done") == "1", note: val(&f, "note") };
                svc::verify(&s, &p, id, b).await?;
            }
            "notice" => {
                let b = svc::NoticeIn {
                    materials: val(&f, "materials"),
                    window: val(&f, "window"),
                    person: val(&f, "person"),
                    contact: val(&f, "contact"),
                };
                svc::tell(&s, &p, id, b).await?;
            }
            "outside" => {
                let b = svc::OutsideIn {
                    name: val(&f, "body_name"),
                    address: val(&f, "body_address"),
                    phone: val(&f, "body_phone"),
                };
                svc::refer_outside(&s, &p, id, b).await?;
            }
            "final" => {
                let b = svc::FinalAnswerIn { answer: val(&f, "answer"), confirm: val(&f, "confirm") == "1" };
                svc::final_answer(&s, &p, id, b).await?;
            }
            "class" => {
                svc::classify(&s, &p, id, svc::ClassIn { class: val(&f, "class") }).await?;
            }
            "escalation" => {
                svc::escalate(&s, &p, id).await?;
            }
            "deadline" => {
                svc::set_deadline(&s, &p, id, svc::DeadlineIn { due: val(&f, "due") }).await?;
            }
            _ => return Err(ApiError::not_found(tr("页面"))),
        }
        Ok::<_, ApiError>(id)
    }
    .await;
    after(&s, &p, large, &f, id, r).await
}

/// BBC-6: the supervision section refers a unit for accountability from the criticism list.
pub async fn accountability(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        let unit_id = val(&f, "unit_id")
            .parse()
            .map_err(|_| ApiError {
                field: Some("unit_id"), ..ApiError::bad("unit_required", tr("请选择责任单位"))
            })?;
        let b = svc::AccountabilityIn { unit_id, month: val(&f, "month"), note: val(&f, "note") };
        svc::refer_for_accountability(&s, &p, b).await?;
        Ok::<_, ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Redirect::to("/unresolved").into_response(),
        Err(e) => {
            let page = body(&s, &p, None, &f, Some((-1, &e))).await;
            super::again(&p, large, title(), &e, page)
        }
    }
}
