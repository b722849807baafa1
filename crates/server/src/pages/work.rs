//! The pages people work in: the home page per role, the clerk's workbench, the case page with
//! its helping actions (there is no reject button), the approvers' inbox and the filings.

use super::{Large, Visitor, beside, check_csrf, csrf_field, error_page, layout, render, url_encode, val};
use crate::AppState;
use crate::api::cases::{
    self as svc, CloseIn, DecisionIn, DeficiencyIn, EscalationIn, MissingIn, NoticeIn, ReferralIn, VetoIn,
};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::i18n::{tr, tr_text, trb, trf};
use crate::ui::{rule_text, t};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use noveto_domain::access::{Action, DecisionLevel, Role, may_somewhere};
use noveto_domain::case::Status;
use noveto_domain::time::local_date;
use noveto_store::repo::{items, org};
use std::collections::HashMap;

type Form = axum::Form<HashMap<String, String>>;

fn status_label(s: &str) -> &'static str {
    Status::ALL.iter().find(|x| x.as_str() == s).map(|x| tr(x.label())).unwrap_or("")
}

fn due_cell(s: &AppState, due: Option<&str>) -> Markup {
    let Some(d) = due.and_then(|d| d.parse::<chrono::NaiveDate>().ok()) else {
        return html! { span.muted { "—" } };
    };
    let today = local_date(s.now());
    let cal = s.calendar();
    let left =
        if d >= today { cal.between(today, d).unwrap_or(0) } else { -(cal.between(d, today).unwrap_or(1).max(1)) };
    let (cls, note) = if d < today {
        ("overdue", trf("{}（{} 个工作日）", &[&t().overdue, &-left]))
    } else if d == today {
        ("today", t().due_today.to_string())
    } else {
        ("", trf("剩 {} 个工作日", &[&left]))
    };
    html! { span class=(cls) { (d) } " " small class=(cls) { (note) } }
}

/// Screens issue, item 6: a list's due day with the deadline it belongs to, its rule and its
/// source as a note, as on the case page.
fn row_due_cell(s: &AppState, next_due: Option<&str>, open: &[noveto_domain::deadline::Deadline]) -> Markup {
    let cal = s.calendar();
    let now = s.now();
    let which = open.iter().find(|d| d.due(&cal, now).ok().map(|x| x.to_string()).as_deref() == next_due);
    html! {
        (due_cell(s, next_due))
        @if let Some(d) = which {
            br;
            small.muted {
                (crate::ui::what_label(&d.what)) " · " (rule_text(&d.rule)) " · " (tr_text(&d.source.document))
            }
        }
    }
}

/// The day a matter was registered, with its year (2026年12月05日).
fn registered_day(opened_at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(opened_at)
        .map(|t| crate::ui::day(local_date(t)))
        .unwrap_or_else(|_| opened_at.to_string())
}

/// How long an open matter has waited, in working days; a closed one shows "—".
fn waited(s: &AppState, r: &noveto_app::cases::CaseRow) -> String {
    if r.status == "closed" {
        return "—".into();
    }
    match svc::days_waited(s, &r.opened_at) {
        Some(0) => tr("当天").to_string(),
        Some(n) => trf("{} 个工作日", &[&n]),
        None => "—".into(),
    }
}

fn has(p: &Principal, r: Role) -> bool {
    p.grants.iter().any(|g| g.role == r)
}

#[derive(serde::Deserialize, Default)]
pub struct HomeQ {
    /// The workbench's view (issue 31): mine, due_today, overdue, supplement, registered, in_progress.
    view: Option<String>,
    /// The case just urged from the overdue list (督办), said beside its row. Both numbers are
    /// read leniently: a page link mistyped shows the first page, never a bare error.
    urged: Option<String>,
    /// The workbench view's page (from 1).
    page: Option<String>,
}

pub async fn home(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::extract::Query(q): axum::extract::Query<HomeQ>,
) -> Response {
    let view = q.view.as_deref().and_then(svc::Queue::parse).unwrap_or(svc::Queue::Mine);
    let page = q.page.as_deref().and_then(|x| x.trim().parse::<usize>().ok()).unwrap_or(1);
    let urged = q.urged.as_deref().and_then(|x| x.trim().parse::<i64>().ok());
    let r = home_body(&s, &p, view, page, urged).await;
    render(&p, large, t().home, r)
}

/// The approver's pending work first (screens issue, item 6), then each role's part.
async fn home_body(
    s: &AppState,
    p: &Principal,
    view: svc::Queue,
    page: usize,
    urged: Option<i64>,
) -> ApiResult<Markup> {
    let approver = has(p, Role::WindowHead)
        || has(p, Role::HallManager)
        || has(p, Role::UnitLeader)
        || has(p, Role::UnitHead)
        || has(p, Role::Director)
        || has(p, Role::BusinessSection);
    // The 办不成事 matters read once for the two cards that list them (the caller's to answer;
    // those past their due day, for whoever oversees).
    let (my_matters, late_matters) = noveto_app::unresolved::for_home(s, p).await?;
    // What waits for the caller, in one read: the warm handoffs (counted in the approver's card,
    // listed in the clerk's) and the approver's queues.
    let works_cases = has(p, Role::Clerk) || has(p, Role::WindowHead) || has(p, Role::HallManager);
    let w = if approver || works_cases { svc::waiting(s, p, approver).await? } else { svc::Waiting::default() };
    let pending = if let Some(ib) = w.inbox.as_ref() {
        let total = w.total();
        Some(html! {
            section.card {
                h2 { (t().inbox) }
                p {
                    (trf(
                        "否决报批 {} 件，请示 {} 件，待确认接收的转交 {} 件，归属不明待分办 {} 件，新增告知材料待批 {} 件，撤回申请待确认 {} 件，改为咨询待确认 {} 件。",
                        &[
                            &ib.vetoes.len(),
                            &ib.escalations.len(),
                            &w.handoffs.len(),
                            &w.unplaced.len(),
                            &w.growth.len(),
                            &w.withdrawals.len(),
                            &w.kinds.len(),
                        ],
                    ))
                    " "
                    @if total > 0 { a href="/inbox" { b { (tr("进入审批")) } } } @else { a href="/inbox" { (tr("进入审批")) } }
                }
            }
            (unit_figures(s, p).await?)
        })
    } else {
        None
    };
    let clerk = if works_cases {
        Some(html! { (workbench(s, p, None, view, page).await?) (handoff_section(p, false, &w.handoffs)) })
    } else {
        None
    };
    let filings = if may_somewhere(&p.grants, Action::ReadFilings) {
        let month = s.now().format("%Y-%m").to_string();
        // Counted by the database (the month's filings are not read to be counted).
        let groups = svc::visible_veto_groups(s, p, &month, &month).await?;
        let total: i64 = groups.iter().map(|g| g.count).sum();
        let open: i64 = groups.iter().filter(|g| g.outcome.is_none()).map(|g| g.count).sum();
        Some(html! {
            section.card {
                h2 { (trf("本月否决报备（{}）", &[&month])) }
                p {
                    (trb("共 {} 件，其中尚无结果 {} 件。", &[&total, &open]))
                    " " a href={ "/filings?month=" (month) } { (tr("查看报备台账")) }
                }
            }
        })
    } else {
        None
    };
    // The overdue work, for those who oversee it — the business section too (issue 30).
    let supervision = if has(p, Role::Supervision)
        || has(p, Role::Oversight)
        || has(p, Role::Director)
        || has(p, Role::BusinessSection)
    {
        // Inside the reader's scope (the same as the case list), by receipt number and in words.
        let rows = svc::overdue_visible(s, p, 50).await?;
        let urges = has(p, Role::Supervision);
        // BBC: the 办不成事 matters past their due day, in the same card.
        let matters = &late_matters;
        Some(html! {
            section.card #overdue {
                h2 { (tr("超期督办")) }
                @if !matters.is_empty() {
                    table {
                        tr { th { (tr("办不成事反映")) } th { (tr("反映事项")) } th { (tr("到期日")) } }
                        @for m in matters.iter() {
                            tr {
                                td { a href={ "/unresolved#u" (m.id) } { (m.receipt_no) } }
                                td { (m.summary) }
                                td { (due_cell(s, m.due.map(|d| d.to_string()).as_deref())) }
                            }
                        }
                    }
                }
                @if rows.is_empty() {
                    @if matters.is_empty() { p.muted { (t().supervision_empty) } }
                } @else {
                    p {
                        a href="/api/v1/overdue?format=xlsx" { (tr("导出 Excel")) } " · "
                        a href="/api/v1/overdue?format=csv" { (tr("导出 CSV")) }
                    }
                    // Issue 31: each case once, naming its unit, its first contact and the
                    // applicant; the supervision section urges (督办) from the row.
                    table {
                        tr {
                            th { (tr("办件")) } th { (tr("单位")) } th { (tr("经办人")) } th { (tr("申请人")) }
                            th { (tr("期限事项")) } th { (tr("到期日")) }
                            @if urges { th { (tr("督办")) } }
                        }
                        @for r in &rows {
                            tr {
                                td { a href={ "/cases/" (r.case_id) } { (r.receipt_no) } }
                                td { (r.unit) }
                                td { (r.person) }
                                td { (r.applicant) }
                                td { (crate::ui::what_label(&r.what)) }
                                td { (due_cell(s, Some(&r.due))) }
                                @if urges {
                                    td {
                                        @if urged == Some(r.case_id) {
                                            span.note role="status" { (tr("已督办")) }
                                        } @else {
                                            form method="post" action={ "/cases/" (r.case_id) "/urge" } {
                                                (csrf_field(p))
                                                input name="note" required maxlength="1000" aria-label=(tr("督办意见"))
                                                    placeholder=(tr("督办意见"));
                                                button { (tr("督办")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        })
    } else {
        None
    };
    let admin = if may_somewhere(&p.grants, Action::ManageOrg) {
        let d = noveto_app::org::directory(s).await?;
        let (c, u, w) = (d.centers.len(), d.units.len(), d.windows.len());
        let st = noveto_app::org::staff_directory(s, p).await?.len();
        // CAL-2: from 1 November, next year's missing notice is the administrator's to import.
        let missing = s.calendar().notice_missing(s.now().date_naive());
        Some(html! {
            section.card {
                h2 { (t().admin) }
                @if let Some(y) = missing {
                    p.warn {
                        (trf("尚未导入国务院办公厅 {} 年部分节假日安排的通知：{} 年的期限{}。", &[&y, &y, &tr(noveto_domain::calendar::PROVISIONAL_NOTE)]))
                        (tr("请在通知发布后到")) a href="/admin/calendar" { (t().calendar) } (tr("导入。"))
                    }
                }
                p { (trf("中心 {} 个，单位 {} 个，窗口与服务台 {} 个，工作人员 {} 人。", &[&c, &u, &w, &st])) }
                p {
                    a href="/admin" { (tr("组织与人员")) } " · "
                    a href="/admin/calendar" { (t().calendar) } " · "
                    a href="/admin/policy" { (t().policy) }
                }
            }
        })
    } else {
        None
    };
    // BBC-2, TC-3, SCREENS: what was dispatched to the caller (or their unit) and the complaints
    // their section handles, due first, with the way to the reply form.
    let matters = my_matters;
    let complaints = noveto_app::complaints::for_my_section(s, p).await?;
    let mine = if matters.is_empty() && complaints.is_empty() {
        None
    } else {
        Some(html! {
            section.card {
                h2 { (tr("交给我（本单位）办理的")) }
                table {
                    tr { th { (tr("编号")) } th { (tr("事项")) } th { (tr("办理时限")) } }
                    @for m in &matters {
                        tr {
                            td { a href={ "/unresolved#u" (m.id) } { (m.receipt_no) } br; span.muted { (tr("办不成事")) } }
                            td { (m.summary) }
                            td { (due_cell(s, m.due.map(|d| d.to_string()).as_deref())) }
                        }
                    }
                    @for c in &complaints {
                        tr {
                            td { a href={ "/complaints#c" (c.id) } { (c.receipt_no) } br; span.muted { (tr("吐槽找茬")) } }
                            td { (c.content) }
                            td { (due_cell(s, c.due.map(|d| d.to_string()).as_deref())) }
                        }
                    }
                }
            }
        })
    };
    let any = pending.is_some()
        || clerk.is_some()
        || filings.is_some()
        || supervision.is_some()
        || admin.is_some()
        || mine.is_some();
    Ok(html! {
        @if let Some(x) = mine { (x) }
        @if let Some(x) = pending { (x) }
        @if let Some(x) = clerk { (x) }
        @if let Some(x) = supervision { (x) }
        @if let Some(x) = filings { (x) }
        @if let Some(x) = admin { (x) }
        @if !any {
            section.card { p.muted { (tr("您的账号尚未分配可办理的角色，请联系系统管理员。")) } }
        }
    })
}

/// The search box of the workbench: every case the person may see, by receipt number,
/// applicant or phone.
fn case_search_box(q: &str) -> Markup {
    html! {
        section.card.noprint {
            form method="get" action="/search" {
                label { (tr("查找办件（受理编号、申请人、单位或电话）")) input name="q" value=(q) minlength="2" accesskey="s"; }
                button { (tr("查找")) }
            }
        }
    }
}

#[derive(serde::Deserialize)]
pub struct SearchQ {
    q: Option<String>,
    page: Option<usize>,
}

/// Screens issue, item 6: the workbench's search over every case the person may see, paged,
/// exportable (the API's own list, `GET /api/v1/cases?q=`).
pub async fn search_page(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::extract::Query(q): axum::extract::Query<SearchQ>,
) -> Response {
    const PAGE: usize = 50;
    let r = async {
        let words = q.q.clone().unwrap_or_default();
        let page = q.page.unwrap_or(1).max(1);
        if words.trim().is_empty() {
            return Ok::<_, ApiError>(case_search_box(&words));
        }
        let rows = svc::search_cases(&s, &p, &words, PAGE + 1, (page - 1) * PAGE).await?;
        let more = rows.len() > PAGE;
        let enc = url_encode(&words);
        Ok(html! {
            (case_search_box(&words))
            section.card {
                h2 { (trf("查找结果（第 {} 页）", &[&page])) }
                p {
                    a href={ "/api/v1/cases?q=" (enc) "&limit=500&format=xlsx" } { (tr("导出 Excel")) } " · "
                    a href={ "/api/v1/cases?q=" (enc) "&limit=500&format=csv" } { (tr("导出 CSV")) }
                }
                @if rows.is_empty() {
                    p.muted { (tr("没有找到您可以查看的办件。")) }
                } @else {
                    div.scroll { (case_table(&s, &rows[..rows.len().min(PAGE)], tr("事项"), None)) }
                }
                p {
                    @if page > 1 { a href={ "/search?q=" (enc) "&page=" (page - 1) } { (tr("上一页")) } }
                    @if page > 1 && more { " · " }
                    @if more { a href={ "/search?q=" (enc) "&page=" (page + 1) } { (tr("下一页")) } }
                }
            }
        })
    }
    .await;
    render(&p, large, tr("查找办件"), r)
}

/// A list of cases: receipt number, applicant, the request, status and the next due day.
/// A list of cases. `covering`: on the workbench, the first contacts (other than the viewer)
/// whose matters B holds while A is away (ORG-4), each row of theirs marked with A's name.
fn case_table(
    s: &AppState,
    rows: &[noveto_app::cases::CaseRow],
    request: &str,
    covering: Option<&HashMap<i64, String>>,
) -> Markup {
    html! {
        table {
            tr {
                th { (t().receipt_no) } th { (t().applicant) } th { (request) } th { (t().status) }
                th { (tr("登记日期")) } th { (tr("已等待")) } th { (t().due) }
            }
            @for r in rows {
                tr {
                    td {
                        a href={ "/cases/" (r.id) } { (r.receipt_no) }
                        @if let Some(a) = covering.and_then(|c| c.get(&r.first_contact_id)) {
                            " " small.note { (trf("（代A岗 {}）", &[a])) }
                        }
                    }
                    td { (r.applicant) }
                    td { (r.request) }
                    td { (status_label(&r.status)) }
                    td { (registered_day(&r.opened_at)) }
                    td { (waited(s, r)) }
                    td { (row_due_cell(s, r.next_due.as_deref(), &r.open_deadlines)) }
                }
            }
        }
    }
}

/// The workbench: the FAQ box, the new-case form (as typed, with its error beside its field,
/// when `failed`), the clerk's open cases, the case search.
async fn workbench(
    s: &AppState,
    p: &Principal,
    failed: Option<(&HashMap<String, String>, &[ApiError])>,
    view: svc::Queue,
    page: usize,
) -> ApiResult<Markup> {
    let svc::OwnQueues { counts, rows, page, more } = svc::own_queues(s, p, view, page).await?;
    let first = (page - 1) * svc::WORKBENCH_PAGE + 1;
    // A count past the cap says so instead of a number; the shown view lists its first ones.
    let shown = |n: &Option<i64>| match n {
        Some(n) => n.to_string(),
        None => format!("{}+", svc::OWN_OPEN_CAP),
    };
    let capped = counts.iter().any(|(q, n)| *q == view && n.is_none());
    let others: Vec<i64> = rows.iter().map(|r| r.first_contact_id).filter(|id| *id != p.id).collect();
    let covering = noveto_app::org::names(s, others).await?;
    let windows: Vec<i64> = p
        .grants
        .iter()
        .filter(|g| g.scope.kind == noveto_domain::access::ScopeKind::Window)
        .map(|g| g.scope.id)
        .collect();
    let mine: Vec<org::Window> =
        noveto_app::org::directory(s).await?.windows.into_iter().filter(|w| windows.contains(&w.id)).collect();
    let items = noveto_app::catalog::item_choices(s).await?;
    let k = |n: &str| failed.map(|(f, _)| val(f, n)).unwrap_or_default();
    let errs: &[ApiError] = failed.map(|(_, e)| e).unwrap_or(&[]);
    // Every error beside its field (issue 31, item 3: all of them at once).
    let e_at = |field: &str| errs.iter().find(|x| x.field == Some(field));
    let fields = [
        "kind",
        "channel",
        "name",
        "phone",
        "id_type",
        "id_number",
        "org",
        "credit_code",
        "item_code",
        "window_id",
        "request",
    ];
    Ok(html! {
        (faq_box(None, ""))
        section.card {
            h2 { (t().new_case) }
            p.muted { a href="/prescreen" { (tr("先预判：核对群众带来的材料")) } }
            @if errs.len() > 1 { p.err role="alert" { (trf("有 {} 处需要改正，见各栏下的说明。", &[&errs.len()])) } }
            @for x in errs { (super::above(Some(x), &fields)) }
            form method="post" action="/cases" {
                (csrf_field(p))
                div.grid {
                    label {
                        (t().kind)
                        select name="kind" {
                            option value="application" selected[k("kind") == "application"] { (tr("办事申请")) }
                            option value="consultation" selected[k("kind") == "consultation"] { (tr("咨询")) }
                        }
                    }
                    label {
                        (t().channel)
                        select name="channel" {
                            option value="window" selected[k("channel") == "window"] { (tr("窗口")) }
                            option value="phone" selected[k("channel") == "phone"] { (tr("电话")) }
                            option value="online" selected[k("channel") == "online"] { (tr("网上")) }
                        }
                    }
                    label { (t().applicant) input name="name" required maxlength="50" value=(k("name")); (beside(e_at("name"), "name")) }
                    label {
                        (t().phone) input name="phone" required inputmode="tel" placeholder="13812345678" value=(k("phone"));
                        (beside(e_at("phone"), "phone"))
                    }
                    label {
                        (tr("证件类型"))
                        select name="id_type" {
                            @for kind in noveto_domain::case::IdKind::ALL {
                                option value=(kind.as_str()) selected[k("id_type") == kind.as_str()] { (tr(kind.label())) }
                            }
                        }
                        (beside(e_at("id_type"), "id_type"))
                    }
                    label {
                        (tr("证件号码（选填）"))
                        input name="id_number" maxlength="20" autocomplete="off" value=(k("id_number"));
                        (beside(e_at("id_number"), "id_number"))
                    }
                    label { (t().org) input name="org" maxlength="100" value=(k("org")); (beside(e_at("org"), "org")) }
                    label { (t().credit_code) input name="credit_code" maxlength="18" value=(k("credit_code")); (beside(e_at("credit_code"), "credit_code")) }
                    label { (t().item) input name="item_code" list="items" maxlength="40" value=(k("item_code")); (beside(e_at("item_code"), "item_code")) }
                    @if !mine.is_empty() {
                        label {
                            (tr("受理窗口"))
                            select name="window_id" {
                                @for w in &mine { option value=(w.id) selected[k("window_id") == w.id.to_string()] { (w.name) } }
                            }
                            (beside(e_at("window_id"), "window_id"))
                        }
                    }
                }
                label { (t().request) textarea name="request" required maxlength="4000" { (k("request")) } (beside(e_at("request"), "request")) }
                button type="submit" { (t().submit) }
            }
            datalist id="items" { @for (code, name) in &items { option value=(code) { (name) } } }
        }
        section.card #queues {
            h2 { (t().my_cases) }
            // Issue 31: the views with their counts; the one shown is marked.
            nav.tabs aria-label=(tr("办件视图")) {
                @for (q, n) in &counts {
                    @if *q == view {
                        strong aria-current="page" { (tr(q.label())) " (" (shown(n)) ")" }
                    } @else {
                        a href={ "/?view=" (q.as_str()) "#queues" } { (tr(q.label())) " (" (shown(n)) ")" }
                    }
                    " "
                }
            }
            @if capped {
                p.muted { (trf("此视图办件超过 {} 件，按到期日先后分页列出；也可用下方“查找办件”。", &[&svc::OWN_OPEN_CAP])) }
            }
            @if rows.is_empty() && page > 1 {
                p.muted {
                    (tr("这一页之后没有更多办件了。")) " "
                    a href={ "/?view=" (view.as_str()) "#queues" } { (tr("回到第一页")) }
                }
            } @else if rows.is_empty() {
                p.muted { @if view == svc::Queue::Mine { (t().no_my_cases) } @else { (tr("此视图暂无办件。")) } }
            } @else {
                (case_table(s, &rows, tr("诉求"), Some(&covering)))
                @if more || page > 1 {
                    nav.pager aria-label=(tr("翻页")) {
                        (trf("第 {}–{} 件", &[&first, &(first + rows.len() - 1)]))
                        @if page > 1 {
                            " " a href={ "/?view=" (view.as_str()) "&page=" (page - 1) "#queues" } { (tr("上一页")) }
                        }
                        @if more && page < svc::WORKBENCH_PAGES {
                            " " a href={ "/?view=" (view.as_str()) "&page=" (page + 1) "#queues" } { (tr("下一页")) }
                        }
                    }
                }
            }
        }
        (case_search_box(""))
    })
}

pub async fn new_case(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f).map_err(|e| vec![e])?;
        let b = svc::CaseIn {
            kind: val(&f, "kind"),
            channel: val(&f, "channel"),
            item_code: Some(val(&f, "item_code")),
            applicant: svc::ApplicantIn {
                name: val(&f, "name"),
                org: Some(val(&f, "org")),
                credit_code: Some(val(&f, "credit_code")),
                id_card: None,
                id_type: Some(val(&f, "id_type")),
                id_number: Some(val(&f, "id_number")),
                phone: val(&f, "phone"),
            },
            request: val(&f, "request"),
            window_id: val(&f, "window_id").parse().ok(),
            prescreen_id: val(&f, "prescreen_id").parse().ok(),
        };
        // The form's fields are named without the API's `applicant.` prefix.
        let short = |e: noveto_app::Error| {
            let e = ApiError::from(e);
            match e.field.and_then(|f| f.strip_prefix("applicant.")) {
                Some(short) => ApiError { field: Some(short), ..e },
                None => e,
            }
        };
        let parsed = svc::check_case(b).map_err(|es| es.into_iter().map(short).collect::<Vec<_>>())?;
        let (id, _, _) = svc::open_case(&s, &p, parsed).await.map_err(|e| vec![ApiError::from(e)])?;
        Ok::<_, Vec<ApiError>>(id)
    }
    .await;
    match r {
        Ok(id) => Redirect::to(&format!("/cases/{id}")).into_response(),
        // The form again, as typed, every error beside its field (never a key).
        Err(es) => match workbench(&s, &p, Some((&f, &es)), svc::Queue::Mine, 1).await {
            Ok(body) => (es[0].status, layout(Some(&p), large, t().workbench, body)).into_response(),
            Err(_) => error_page(Some(&p), large, &es[0]),
        },
    }
}

#[derive(serde::Deserialize)]
pub struct CaseQ {
    /// FAQ-1: the library entry the clerk chose with 用这条答复 — its answer becomes the draft.
    reply_from_faq: Option<i64>,
}

pub async fn case_page(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(id): ApiPath<i64>,
    axum::extract::Query(q): axum::extract::Query<CaseQ>,
) -> Response {
    let draft = match q.reply_from_faq {
        Some(fid) => noveto_app::faq::get(&s, fid).await.ok().map(|f| f.answer),
        None => None,
    };
    let r = case_body_with(&s, &p, id, draft.as_deref().unwrap_or(""), None, None).await;
    render(&p, large, tr("办件"), r)
}

/// A case action that failed: its form is shown open again, with what was typed and the
/// message beside its field or inside the form (screens issue: forms keep what was typed; no
/// dead ends).
pub struct Redo<'a> {
    pub action: &'a str,
    pub form: &'a HashMap<String, String>,
    pub error: &'a ApiError,
}

/// The case page's action forms, each a `<details>` that opens again, filled in, when it is the
/// one that failed.
struct Acts<'a> {
    id: i64,
    p: &'a Principal,
    redo: Option<&'a Redo<'a>>,
    /// Whether the failed action's form was shown (else its message goes above the page).
    shown: std::cell::Cell<bool>,
    /// NV-12: the materials ticked at the pre-screening the case was registered from.
    prescreened: Option<Vec<String>>,
}

impl Acts<'_> {
    /// The failed action if it is `action` (closing forms also by their outcome).
    fn failed(&self, action: &str, outcome: Option<&str>) -> Option<&Redo<'_>> {
        self.redo.filter(|r| {
            r.action == action && (action != "close" || r.form.get("outcome").map(String::as_str) == outcome)
        })
    }
    /// What was typed into `name` of the failed form.
    fn v(&self, action: &str, outcome: Option<&str>, name: &str) -> String {
        self.failed(action, outcome).map(|r| val(r.form, name)).unwrap_or_default()
    }
    fn err(&self, action: &str, outcome: Option<&str>, name: &str) -> Markup {
        beside(self.failed(action, outcome).map(|r| r.error), name)
    }
    fn form(&self, action: &str, outcome: Option<&str>, label: &str, fields: &[&str], inner: Markup) -> Markup {
        let failed = self.failed(action, outcome);
        if failed.is_some() {
            self.shown.set(true);
        }
        let stray = failed.filter(|r| !r.error.field.is_some_and(|f| fields.contains(&f)));
        // NV-14: after a refusal-wording warning the form offers to confirm the wording.
        let phrases = failed.is_some_and(|r| r.error.code == "refusal_phrases");
        // An ending asks once (确定办结？): the form comes back with what was typed, saying what follows.
        let confirming = failed.filter(|r| r.error.code == CONFIRM_ENDING);
        let stray = stray.filter(|_| confirming.is_none());
        html! {
            details open[failed.is_some()] {
                // Issue 31, item 8: Alt+A opens the acceptance form.
                summary accesskey=[(action == "accept").then_some("a")] { (label) }
                form method="post" action={ "/cases/" (self.id) "/act/" (action) } {
                    (csrf_field(self.p))
                    @if let Some(r) = confirming {
                        p.warn role="alert" tabindex="-1" autofocus { strong { (tr("确定办结？")) } " " (r.error.message) }
                        input type="hidden" name="confirmed" value="1";
                    }
                    @if let Some(r) = stray { p.err role="alert" { (tr_text(&r.error.message)) } }
                    @if let Some(o) = outcome { input type="hidden" name="outcome" value=(o); }
                    (inner)
                    @if phrases {
                        label { input type="checkbox" name="confirm_phrases" value="1"; " " (t().confirm_wording) }
                    }
                }
            }
        }
    }
    /// A one-button form (an ending asks once: 确定办结？, saying what follows).
    fn button(&self, action: &str, hidden: &[(&str, String)], label: &str, secondary: bool) -> Markup {
        let outcome = hidden.iter().find(|(k, _)| *k == "outcome").map(|(_, v)| v.as_str());
        let confirming = self.failed(action, outcome).filter(|r| r.error.code == CONFIRM_ENDING);
        if confirming.is_some() {
            self.shown.set(true);
        }
        html! {
            form method="post" action={ "/cases/" (self.id) "/act/" (action) } {
                (csrf_field(self.p))
                @for (k, v) in hidden { input type="hidden" name=(k) value=(v); }
                @if let Some(r) = confirming {
                    p.warn role="alert" tabindex="-1" autofocus { strong { (tr("确定办结？")) } " " (r.error.message) }
                    input type="hidden" name="confirmed" value="1";
                    button.secondary[secondary] { (tr("确定")) } " " a href={ "/cases/" (self.id) } { (tr("取消")) }
                } @else {
                    button.secondary[secondary] { (label) }
                }
            }
        }
    }
}

async fn case_body_with(
    s: &AppState,
    p: &Principal,
    id: i64,
    reply_draft: &str,
    reply_flags: Option<&noveto_domain::phrases::Check>,
    redo: Option<&Redo<'_>>,
) -> ApiResult<Markup> {
    let l = svc::load(s, p, id, Action::ReadCase).await?;
    let j = svc::case_json(s, p, &l).await?;
    let c = &l.case;
    let item = match c.item_code.clone() {
        Some(code) => noveto_app::catalog::get_item(s, &code).await?,
        None => None,
    };
    let cal = l.cal.clone();
    let now = s.now();
    // The same access decision as the actions themselves (`cases::load`).
    let works = c.status != Status::Closed && svc::load(s, p, id, Action::WorkCase).await.is_ok();
    // NV-12: registered from a pre-screening, the acceptance form starts from what was ticked.
    let prescreened = noveto_app::prescreen::of_case(s, id).await?.map(|ps| ps.outcome.brought);
    let acts = Acts { id, p, redo, shown: std::cell::Cell::new(false), prescreened };
    let work = if works {
        let can_place = c.status == Status::Unplaced && svc::may_place(s, p, &l.place).await.is_ok();
        // Where a referral can send the person: every unit and window, picked by name.
        let noveto_app::org::Directory { units, windows, .. } = noveto_app::org::directory(s).await?;
        Some(html! {
            (faq_box(Some(id), ""))
            (reply_box(p, id, reply_draft, reply_flags))
            section.card {
                // Issue 31, item 8: a note for colleagues, kept apart from the reply.
                (acts.form("note", None, tr("内部备注（仅工作人员可见，不告知群众）"), &["note"], html! {
                    label {
                        (tr("备注内容"))
                        textarea name="note" required maxlength="2000" { (acts.v("note", None, "note")) }
                        (acts.err("note", None, "note"))
                    }
                    button.secondary { (tr("保存备注")) }
                }))
            }
            (actions(&acts, c, item.as_ref(), &j, &l.policy, &units, &windows, can_place))
        })
    } else {
        None
    };
    let top_error = redo.filter(|_| !acts.shown.get()).map(|r| tr_text(&r.error.message));
    // Approvals on this case for those who decide.
    let answer_form = j["open_escalation"].as_object().and_then(|o| {
        let level = o.get("level").and_then(|v| v.as_str()).and_then(DecisionLevel::parse)?;
        p.may(Action::Decide(level), &l.place).ok()?;
        let eid = o.get("id").and_then(|v| v.as_i64()).unwrap_or(0);
        let reason = o.get("reason").and_then(|v| v.as_str()).unwrap_or("").to_string();
        let failed = redo.filter(|r| r.action == "answer").map(|r| (r.form, r.error));
        if failed.is_some() {
            acts.shown.set(true);
        }
        Some(html! {
            section.card #answer-form {
                h2 { (trf("答复请示（{}）", &[&tr(level.label())])) }
                p { (reason) }
                (answer_form(p, eid, level.as_str(), "case", failed))
            }
        })
    });
    // Issue 31 (being told): the escalation's answer, not yet passed on, stands at the top of the
    // case with who gave it and when.
    let answered = (c.closed_at.is_none() && c.status != Status::Escalated)
        .then(|| {
            j["timeline"]
                .as_array()
                .and_then(|a| a.iter().rev().find(|e| e["kind"] == "escalation_answered" || e["kind"] == "reply"))
                .filter(|e| e["kind"] == "escalation_answered")
                .map(|e| {
                    (
                        e["detail"]["answer"].as_str().unwrap_or_default().to_string(),
                        e["actor_name"].as_str().unwrap_or_default().to_string(),
                        crate::ui::when(e["at"].as_str().unwrap_or_default()),
                    )
                })
        })
        .flatten();
    // A paper for every step the case has taken (documents.rs says which).
    let docs = super::documents::available(
        c,
        j["veto_approved"] == true,
        j["timeline"].as_array().is_some_and(|a| a.iter().any(|e| e["kind"] == "escalated")),
        j["withdrawals"].as_array().is_some_and(|a| a.iter().any(|w| !w["confirmed_by"].is_null())),
    );
    let timeline = j["timeline"].as_array().cloned().unwrap_or_default();
    let status = c.outcome.map(|o| tr(o.label())).unwrap_or(tr(c.status.label()));
    // NV-13: a veto nobody owns goes to the 办不成事 desk, which answers in the last resort.
    let fallback = j["fallback"].as_object().cloned();
    // HCP-2: once the service ends at the window, the person is asked to rate it — neutrally,
    // on the window's device (staff may not steer the answer).
    let ask_rating = c.status == Status::Closed
        && works_here(p, &l.place)
        && !noveto_app::ratings::rated(s, noveto_domain::rating::Service::Case(id)).await.unwrap_or(true);
    let may_fall_back =
        fallback.is_none() && c.status == Status::VetoPending && p.may(Action::FallbackAnswer, &l.place).is_ok();
    // The identity document and credit code as this reader may see them (`case_json` masked them).
    let id_doc = c
        .applicant
        .id_doc
        .as_ref()
        .map(|d| (d.kind.label(), j["applicant"]["id_doc"]["number"].as_str().unwrap_or_default().to_string()));
    let credit_code = j["applicant"]["credit_code"].as_str().map(str::to_string);
    // NV-1: where the case is in the back office, and the form to finish the current stage for
    // whoever may (the case's workers and the stage's own unit).
    let stages = if c.stages.is_empty() {
        None
    } else {
        let finish = c.offers(&item.as_ref().map(|i| i.rules()).unwrap_or_default()).finish_stage
            && svc::may_finish_stage(s, p, &l).await.is_ok();
        let units = noveto_app::org::directory(s).await?.units;
        let names = noveto_app::org::names(s, c.stages.iter().filter_map(|st| st.done_by).collect()).await?;
        Some(stages_card(&acts, c, &cal, now, &units, &names, finish))
    };
    // NV-6: a commitment's verification, where it stands.
    let check = noveto_app::commitments::of_case(s, id).await?;
    Ok(html! {
        @if let Some(m) = top_error { p.err role="alert" { (m) } }
        @if let Some(k) = &check {
            p.note #commitment-check {
                @match k.status.as_str() {
                    "open" => {
                        (trf("告知承诺事后核查：待核查，应于 {} 前完成。", &[&k.due.parse().map(crate::ui::day).unwrap_or_else(|_| k.due.clone())]))
                        " " a href={ "/commitment-checks#k" (k.id) } { (tr("去核查")) }
                    }
                    "confirmed" => { (tr("告知承诺事后核查：承诺属实。")) " " (k.finding.note) }
                    _ => { (tr("告知承诺事后核查：承诺不实。")) " " (trf("处理措施：{}", &[&k.finding.action])) }
                }
            }
        }
        @if let Some((answer, who, when)) = &answered {
            section.card #answer {
                p.note role="status" {
                    strong { (tr("请示已答复，请答复群众。")) } br;
                    (answer) br;
                    small.muted { (who) " · " (when) }
                }
            }
        }
        @if ask_rating {
            p.note { (tr("服务已办结：请服务对象在窗口评价器上对本次服务作出评价。")) }
        }
        @if let Some(f) = &fallback {
            p.note {
                (tr("否决事项已转“办不成事”窗口兜底答复：")) (f.get("receipt_no").and_then(|v| v.as_str()).unwrap_or(""))
                "（" (tr_text(f.get("status_label").and_then(|v| v.as_str()).unwrap_or(""))) "）"
                @if let Some(a) = f.get("answer").and_then(|v| v.as_str()) { br; (tr("兜底答复：")) (a) }
            }
        }
        @if may_fall_back {
            details.card {
                summary { (tr("责任不清或无人决定：转“办不成事”窗口兜底答复")) }
                form method="post" action={ "/cases/" (id) "/act/fallback" } {
                    (csrf_field(p))
                    label { (tr("转交理由（哪些单位、为什么无人决定）")) textarea name="reason" required maxlength="1000" {} }
                    button { (tr("转“办不成事”窗口")) }
                }
            }
        }
        // NV-3: the two ends of a warm handoff link to each other.
        @if let Some(n) = c.linked_case_id {
            p.note { (tr("已转交，接收单位另立的办件：")) a href={ "/cases/" (n) } { (tr("查看")) } }
        }
        @if let Some(n) = c.linked_from {
            p.note { (tr("本办件由其他窗口转交而来：")) a href={ "/cases/" (n) } { (tr("原办件")) } }
        }
        section.card {
            h1 { (c.receipt_no) " " span.pill { (status) } }
            div.grid {
                div {
                    (t().applicant) (tr("：")) (c.applicant.name)
                    // The same decision as the API's (`case_json`): in full for those working the matter.
                    "（" (j["applicant"]["phone"].as_str().unwrap_or("")) "）"
                    @if let Some(o) = &c.applicant.org { (tr("，")) (o) }
                    @if let Some((kind, number)) = &id_doc { br; (tr(kind)) (tr("：")) (number) }
                    @if let Some(cc) = &credit_code { br; (tr("统一社会信用代码")) (tr("：")) (cc) }
                }
                div {
                    (tr("事项："))
                    @if let Some(i) = &item { (i.name) "（" (i.code) "）" } @else { (tr("未指定")) }
                }
                div { (t().opened) (tr("：")) (crate::ui::when(&noveto_domain::time::rfc3339(c.opened_at))) }
                div { (tr("首问责任人：")) (j["timeline"][0]["actor_name"].as_str().unwrap_or("")) }
                div { (tr("跑动次数：")) (c.visits) }
                div { (trf("政策：{} 第 {} 版", &[&tr_text(&l.policy.name), &c.policy_version])) }
            }
            p { @for (n, line) in c.request.lines().enumerate() { @if n > 0 { br; } (line) } }
        }
        // Deadlines with their rule and source.
        @if !c.deadlines.is_empty() {
            section.card {
                h2 { (t().deadlines) }
                table {
                    tr { th { (tr("事项")) } th { (tr("到期日")) } th { (tr("状态")) } th { (tr("依据")) } }
                    @for d in &c.deadlines {
                        @let due_day = d.due(&cal, now).ok();
                        @let due = due_day.map(|x| x.to_string());
                        tr {
                            td { (deadline_label(c, &d.what)) }
                            td {
                                @if d.met_at.is_some() { (due.clone().unwrap_or_default()) } @else { (due_cell(s, due.as_deref())) }
                                // CAL-2: a due day in a year without an imported notice says so.
                                @if due_day.is_some_and(|x| cal.is_provisional(x)) {
                                    br; small.warn { (tr(noveto_domain::calendar::PROVISIONAL_NOTE)) }
                                }
                            }
                            td { (d.state(&cal, now, l.policy.due_soon_days).map(|x| tr(x.label())).unwrap_or("")) }
                            td { (rule_text(&d.rule)) br; small.muted { (tr_text(&d.source.document)) } }
                        }
                    }
                }
            }
        }
        @if let Some(st) = stages { (st) }
        @if let Some(w) = work { (w) }
        @if let Some(a) = answer_form { (a) }
        // Where the matter stands, in words: the veto request's levels and opinions, what to do next.
        @if let Some(chain) = j["veto_chain"].as_array() {
            section.card {
                h2 { (tr("否决报批")) }
                @if let Some(r) = j["veto_reason"].as_str() {
                    p { b { (tr("理由：")) } (r) }
                    p { b { (tr("法律依据：")) } (j["veto_legal_basis"].as_str().unwrap_or("")) }
                }
                ul {
                    @for d in chain {
                        li {
                            (crate::ui::when(d["at"].as_str().unwrap_or(""))) " "
                            (d["level"].as_str().and_then(DecisionLevel::parse).map(|l| tr(l.label())).unwrap_or("")) " "
                            (d["decided_by_name"].as_str().unwrap_or(""))
                            @if d["on_behalf"] == true { (tr("（代行）")) }
                            " " (if d["approve"] == true { tr("同意") } else { tr("不同意") }) (tr("："))
                            (d["opinion"].as_str().filter(|x| !x.is_empty()).unwrap_or(tr("（未填写意见）")))
                        }
                    }
                    @if let Some(level) = j["veto_level"].as_str().and_then(DecisionLevel::parse) {
                        li { strong { (trf("现由{}审批", &[&tr(level.label())])) } }
                    }
                }
                @if j["veto_approved"] == true && c.closed_at.is_none() {
                    p.note { (tr("已批准否决，请办结并出具不予受理通知书。")) }
                }
            }
        }
        @if !docs.is_empty() {
            section.card {
                h2 { (t().print) }
                ul {
                    @for (n, (k, label)) in docs.iter().enumerate() {
                        li {
                            (label) (tr("："))
                            // Alt+P: the newest paper's print view.
                            a href={ "/api/v1/cases/" (id) "/documents/" (k) ".html" } target="_blank"
                                accesskey=[(n + 1 == docs.len()).then_some("p")] { (tr("打印视图")) }
                            " · "
                            a href={ "/api/v1/cases/" (id) "/documents/" (k) ".pdf" } { "PDF" }
                        }
                    }
                }
            }
        }
        section.card {
            h2 { (t().timeline) }
            table {
                tr { th { (tr("时间")) } th { (tr("经办人")) } th { (tr("事项")) } }
                @for e in &timeline {
                    tr {
                        td { (crate::ui::when(e["at"].as_str().unwrap_or(""))) }
                        td { (e["actor_name"].as_str().unwrap_or(tr("系统"))) }
                        td { (crate::ui::describe(e["kind"].as_str().unwrap_or(""), &e["detail"])) }
                    }
                }
            }
        }
    })
}

/// What a deadline of the case is for; a stage's names the stage (NV-1).
fn deadline_label(c: &noveto_domain::case::Case, what: &str) -> String {
    match noveto_domain::case::stage_of(what).and_then(|n| c.stages.get(n)) {
        Some(st) => trf("办理阶段：{}", &[&st.name]),
        None => crate::ui::what_label(what).to_string(),
    }
}

/// NV-1 (JL 三(一)): the case's back-office stages — each with its unit, due day (its share of
/// the promised time, counted from acceptance), where it stands, who finished it and when — and,
/// for whoever may, the form that finishes the current one.
fn stages_card(
    acts: &Acts<'_>,
    c: &noveto_domain::case::Case,
    cal: &noveto_domain::calendar::Calendar,
    now: chrono::DateTime<chrono::FixedOffset>,
    units: &[org::Unit],
    names: &HashMap<i64, String>,
    finish: bool,
) -> Markup {
    let due = |n: usize| c.stage_due(n, cal, now);
    let unit = |u: Option<i64>| u.or(c.unit_id).and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.clone());
    let current = c.current_stage();
    html! {
        section.card #stages {
            h2 { (tr("办理阶段")) }
            ol.stages {
                @for (n, st) in c.stages.iter().enumerate() {
                    @let state = st.state();
                    @let late = state == "current" && due(n).is_some_and(|d| d < noveto_domain::time::local_date(now));
                    li class=(state) aria-current=[(state == "current").then_some("step")] {
                        strong { (st.name) } " "
                        span.pill { (match state { "done" => tr("已完成"), "current" => tr("办理中"), _ => tr("未开始") }) }
                        @if late { " " span.pill.warn { (tr("已超期")) } }
                        br;
                        small.muted {
                            @if let Some(u) = unit(st.unit_id) { (u) (tr("，")) }
                            (trf("占承诺时限 {}%", &[&st.share]))
                            @if let Some(d) = due(n) { (tr("，")) (trf("应于 {} 前完成", &[&crate::ui::day(d)])) }
                        }
                        @if let Some(at) = st.done_at {
                            br;
                            small {
                                (trf("{} 由{}完成", &[&crate::ui::when_at(&Some(at)), &st.done_by.and_then(|b| names.get(&b)).cloned().unwrap_or_default()]))
                                @if !st.note.is_empty() { (tr("：")) (st.note) }
                            }
                        }
                    }
                }
            }
            @if let (true, Some(n)) = (finish, current) {
                @let last = n + 1 == c.stages.len();
                @let label = if last { trf("完成“{}”并办结", &[&c.stages[n].name]) } else { trf("完成“{}”，转入“{}”", &[&c.stages[n].name, &c.stages[n + 1].name]) };
                (acts.form("stage", None, &label, &["note"], html! {
                    input type="hidden" name="stage" value=(c.stages[n].name);
                    label {
                        (if last { tr("办结说明（群众可见，可不填）") } else { tr("办理情况（可不填）") })
                        textarea name="note" maxlength="1000" { (acts.v("stage", None, "note")) }
                        (acts.err("stage", None, "note"))
                    }
                    button { (label) }
                }))
            }
        }
    }
}

/// The referral form's pickers: units and their windows by name (never a number to type).
fn referral_targets(acts: &Acts<'_>, units: &[org::Unit], windows: &[org::Window]) -> Markup {
    let kept_unit = acts.v("referral", None, "to_unit_id");
    let kept_window = acts.v("referral", None, "to_window_id");
    html! {
        label {
            (tr("接收单位（转交时必选）"))
            select name="to_unit_id" {
                option value="" { (tr("（不转交，仅指引）")) }
                @for u in units { option value=(u.id) selected[kept_unit == u.id.to_string()] { (u.name) } }
            }
            (acts.err("referral", None, "to_unit_id"))
        }
        label {
            (tr("接收窗口（可选）"))
            select name="to_window_id" {
                option value="" { (tr("（该单位任一窗口）")) }
                @for w in windows {
                    @let unit = w.unit_id.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.as_str()).unwrap_or(tr("中心"));
                    option value=(w.id) selected[kept_window == w.id.to_string()] { (unit) " · " (w.name) }
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn actions(
    acts: &Acts<'_>,
    c: &noveto_domain::case::Case,
    item: Option<&items::Item>,
    j: &serde_json::Value,
    policy: &noveto_domain::policy::Policy,
    units: &[org::Unit],
    windows: &[org::Window],
    can_place: bool,
) -> Markup {
    let p = acts.p;
    // The buttons come from the domain's one state machine (`Case::offers`).
    let offers = c.offers(&item.map(|i| i.rules()).unwrap_or_default());
    // The item's materials to tick, each with what the catalog says of it; kept when ticked.
    let mats = |action: &str| -> Markup {
        html! {
            @if let Some(i) = item {
                @for (k, m) in i.materials.iter().enumerate() {
                    @let name = format!("m{k}");
                    label {
                        input type="checkbox" name=(name) value=(m.name) checked[!acts.v(action, None, &name).is_empty()];
                        " " (m.name) @if m.main { (tr("（主件）")) }
                    }
                    input type="hidden" name={ "h" (k) } value=(if m.common_errors.is_empty() { &m.sample } else { &m.common_errors });
                }
            }
            label {
                (tr("其他缺少的材料（每行一项：材料名称|如何补正）"))
                textarea name="other" { (acts.v(action, None, "other")) }
                (acts.err(action, None, "missing"))
            }
        }
    };
    let text = |action: &str, name: &str, label: &str, required: bool| -> Markup {
        html! {
            label {
                (label)
                textarea name=(name) required[required] { (acts.v(action, None, name)) }
                (acts.err(action, None, name))
            }
        }
    };
    let line = |action: &str, outcome: Option<&str>, name: &str, label: &str, required: bool| -> Markup {
        html! {
            label {
                (label)
                input name=(name) required[required] value=(acts.v(action, outcome, name));
                (acts.err(action, outcome, name))
            }
        }
    };
    let tick = |action: &str, name: &str, label: &str| -> Markup {
        html! { label { input type="checkbox" name=(name) value="1" checked[!acts.v(action, None, name).is_empty()]; " " (label) } }
    };
    // NV-2: a withdrawal is the applicant's own written act, confirmed by the window head (not
    // the person who recorded it); only then can the case close as withdrawn.
    let withdrawals = j["withdrawals"].as_array().cloned().unwrap_or_default();
    let head = p.may(
        Action::Decide(DecisionLevel::WindowHead),
        &noveto_domain::access::Place { centers: vec![c.center_id], unit: c.unit_id, window: c.window_id },
    );
    let approved_veto = c.veto_request_id.filter(|_| j["veto_approved"].as_bool().unwrap_or(false));
    html! {
        section.card {
            h2 { (t().actions) }
            p.note { (t().no_veto_note) }
            @if offers.accept {
                // What was handed in goes on the 受理通知书 / 收件凭证: original or copy, copies.
                (acts.form("accept", None, tr("受理（登记收到的材料）"), &["materials"], html! {
                    @if let Some(i) = item {
                        table {
                            tr { th { (tr("收到")) } th { (tr("材料")) } th { (tr("原件/复印件")) } th { (tr("份数")) } }
                            @for (k, m) in i.materials.iter().enumerate() {
                                @let kept = match acts.failed("accept", None) {
                                    Some(_) => !acts.v("accept", None, &format!("r{k}")).is_empty(),
                                    None => acts.prescreened.as_ref().is_none_or(|b| b.contains(&m.name)),
                                };
                                tr {
                                    td { input type="checkbox" name={ "r" (k) } value=(m.name) checked[kept] aria-label=(m.name); }
                                    td { (m.name) @if m.main { (tr("（主件）")) } }
                                    td {
                                        select name={ "o" (k) } aria-label=(tr("原件/复印件")) {
                                            option value="original" { (tr("原件")) }
                                            option value="copy" selected[acts.v("accept", None, &format!("o{k}")) == "copy"] { (tr("复印件")) }
                                        }
                                    }
                                    td {
                                        @let n = acts.v("accept", None, &format!("n{k}"));
                                        input name={ "n" (k) } inputmode="numeric" size="3" aria-label=(tr("份数")) value=(if n.is_empty() { "1".to_string() } else { n });
                                    }
                                }
                            }
                        }
                    }
                    label {
                        (tr("其他收到的材料（每行一项）"))
                        textarea name="received_other" { (acts.v("accept", None, "received_other")) }
                    }
                    button { (tr("受理")) }
                }))
            }
            @if offers.ask_placement {
                (acts.form("ask_placement", None, tr("归属不明（交负责人分办）"), &["question"], html! {
                    (text("ask_placement", "question", tr("情况说明（群众要办什么、已了解到什么）"), true))
                    button { (tr("交窗口负责人、大厅负责人或综合咨询台分办")) }
                }))
            }
            @if offers.place_here && can_place {
                p.note { (tr("归属不明，待分办：请确定由本窗口办理，或用“指引”告知去处（可转交）。")) }
                (acts.button("place_here", &[], tr("由本窗口办理"), false))
            }
            @if offers.refer {
                (acts.form("referral", None, tr("指引（不属本窗口）"), &["address", "contact", "how", "to_unit_id", "to_window_id", "to_body"], html! {
                    (line("referral", None, "address", tr("去处（单位/窗口/地址）"), true))
                    (line("referral", None, "contact", tr("联系人及电话"), true))
                    (text("referral", "how", tr("怎么办"), true))
                    (referral_targets(acts, units, windows))
                    (line("referral", None, "to_body", tr("或：外部机构名称（不在中心的单位，须写明地址和电话）"), false))
                    (tick("referral", "handoff", tr("帮助转交（接收单位须确认）")))
                    button { (tr("出具指引单")) }
                }))
            }
            @if offers.notice {
                (acts.form("notice", None, tr("一次性告知（材料不全）"), &["missing", "growth_reason"], html! {
                    (mats("notice"))
                    @if !c.notified.is_empty() {
                        // NV-4: a later notice may not add materials on the clerk's own say.
                        p.note { (tr("已出具过一次性告知：再次告知不得新增材料。确需新增的，写明理由，提交窗口负责人批准。")) }
                        (tick("notice", "ask_growth", tr("新增材料，提交窗口负责人批准")))
                        (line("notice", None, "growth_reason", tr("新增理由"), false))
                    }
                    button { (tr("出具一次性告知书")) }
                }))
                @if offers.deficiency {
                    (acts.form("deficiency", None, tr("容缺受理"), &["missing", "commitment_signed", "supplement_days"], html! {
                        (mats("deficiency"))
                        (tick("deficiency", "commitment_signed", tr("申请人已签署容缺承诺书")))
                        label {
                            (tr("补正期限（工作日）"))
                            @let kept = acts.v("deficiency", None, "supplement_days");
                            input name="supplement_days" inputmode="numeric" value=(if kept.is_empty() { policy.supplement_days.to_string() } else { kept });
                            (acts.err("deficiency", None, "supplement_days"))
                        }
                        button { (tr("容缺受理")) }
                    }))
                }
            }
            @if offers.supplement { (acts.button("supplement", &[], tr("容缺材料已补齐"), false)) }
            @if offers.commitment {
                (acts.form("commitment", None, tr("告知承诺制办结"), &["commitment"], html! {
                    (text("commitment", "commitment", tr("承诺书内容"), true))
                    button { (tr("按告知承诺办结")) }
                }))
            }
            @if offers.escalate {
                (acts.form("escalate", None, tr("请示（政策不明确）"), &["reason", "expert_due", "expert_reason", "beyond_promise_reason"], html! {
                    (text("escalate", "reason", tr("请示事由"), true))
                    (tick("escalate", "major", tr("重大/疑难事项")))
                    @if let Some(d) = c.reply_promised {
                        p.note { (trf("已告知群众在 {} 前答复：上报后仍须在此日期前答复。", &[&crate::ui::day(d)])) }
                        (line("escalate", None, "beyond_promise_reason", tr("确需延后答复的理由（将告知群众）"), false))
                    }
                    @if policy.gray_area.expert_study {
                        details open[!acts.v("escalate", None, "expert_due").is_empty()] {
                            summary { (tr("需专家论证（期限人工设定）")) }
                            label {
                                (tr("答复期限"))
                                input name="expert_due" type="date" value=(acts.v("escalate", None, "expert_due"));
                                (acts.err("escalate", None, "expert_due"))
                            }
                            (line("escalate", None, "expert_reason", tr("人工设定期限的理由"), false))
                        }
                    }
                    button { (tr("提交请示")) }
                }))
            }
            @if offers.request_veto {
                (acts.form("veto", None, tr("申请否决（须报批）"), &["reason", "legal_basis"], html! {
                    (text("veto", "reason", tr("否决理由"), true))
                    (text("veto", "legal_basis", tr("法律依据"), true))
                    (tick("veto", "major", tr("重大/特殊事项")))
                    button { (tr("提交否决报批")) }
                }))
            }
            @if offers.close_approved {
                (acts.button("close", &[("outcome", "approved".into())], tr("办结（准予）"), false))
            }
            @if offers.answer_consultation {
                (acts.form("close", Some("answered"), tr("答复咨询并办结"), &["note"], html! {
                    label {
                        (tr("答复内容"))
                        textarea name="note" required { (acts.v("close", Some("answered"), "note")) }
                        (acts.err("close", Some("answered"), "note"))
                    }
                    button { (tr("答复并办结")) }
                }))
            }
            @if let Some(vid) = approved_veto.filter(|_| offers.close_vetoed) {
                (acts.button("close", &[("outcome", "vetoed".into()), ("veto_request_id", vid.to_string())], tr("否决已获批准：出具不予受理通知书并办结"), true))
            }
            @for w in &withdrawals {
                @let wid = w["id"].as_i64().unwrap_or(0);
                @if w["confirmed_by"].is_null() {
                    p.note { (tr("申请人书面撤回申请（待窗口负责人确认）：")) (w["statement"].as_str().unwrap_or("")) }
                    @if head.is_ok() && w["recorded_by"].as_i64() != Some(p.id) {
                        (acts.form("confirm_withdrawal", None, tr("确认撤回申请"), &[], html! {
                            input type="hidden" name="withdrawal_id" value=(wid);
                            button { (tr("确认撤回")) }
                        }))
                    }
                } @else {
                    (acts.form("close", Some("withdrawn"), tr("以“申请人撤回”办结"), &["note"], html! {
                        input type="hidden" name="withdrawal_id" value=(wid);
                        (line("close", Some("withdrawn"), "note", tr("说明"), false))
                        button.secondary { (tr("办结（申请人撤回）")) }
                    }))
                }
            }
            @if head.is_ok() && offers.not_required {
                (acts.form("close", Some("not_required"), tr("依法无需办理（窗口负责人）"), &["legal_basis", "note"], html! {
                    label {
                        (tr("法律依据（为何无需许可）"))
                        textarea name="legal_basis" required { (acts.v("close", Some("not_required"), "legal_basis")) }
                        (acts.err("close", Some("not_required"), "legal_basis"))
                    }
                    (line("close", Some("not_required"), "note", tr("说明"), false))
                    button.secondary { (tr("确认依法无需办理并办结")) }
                }))
            }
            @if offers.change_kind {
                @let (to, label, button) = match c.kind {
                    noveto_domain::case::Kind::Application => ("consultation", tr("改为咨询（登记有误，须窗口负责人确认）"), tr("提交窗口负责人确认")),
                    noveto_domain::case::Kind::Consultation => ("application", tr("改为申请（群众要办理）"), tr("更正办件类型")),
                };
                (acts.form("kind", None, label, &["reason"], html! {
                    input type="hidden" name="kind" value=(to);
                    (line("kind", None, "reason", tr("理由"), true))
                    button.secondary { (button) }
                }))
            }
            @if let Some(k) = c.kind_request.as_ref().filter(|_| offers.decide_kind) {
                p.note { (tr("窗口人员申请把本申请改为咨询（待窗口负责人确认）：")) (k.reason) }
                @if head.is_ok() && k.requested_by != p.id {
                    (acts.form("decide_kind", None, tr("确认是否改为咨询"), &["opinion"], html! {
                        (line("decide_kind", None, "opinion", tr("意见（不同意的须写明理由）"), false))
                        button name="approve" value="1" { (tr("同意改为咨询")) }
                        " "
                        button.secondary name="approve" value="0" { (tr("不同意，仍按申请办理")) }
                    }))
                }
            }
            @if offers.withdraw && withdrawals.is_empty() {
                (acts.form("withdraw", None, tr("申请人撤回"), &["statement"], html! {
                    label {
                        (tr("申请人书面撤回申请的内容"))
                        textarea name="statement" required placeholder=(tr("如：本人因股东会决议未作出，自愿撤回本次申请。")) { (acts.v("withdraw", None, "statement")) }
                        (acts.err("withdraw", None, "statement"))
                    }
                    button.secondary { (tr("登记撤回申请（须窗口负责人确认）")) }
                }))
            }
        }
    }
}

/// The accept form's received materials: each ticked row (`r{k}`, `o{k}`, `n{k}`) and each line
/// of `received_other` (an original, one copy).
fn received(f: &HashMap<String, String>) -> svc::AcceptIn {
    let mut keys: Vec<u32> = f.keys().filter_map(|k| k.strip_prefix('r')?.parse().ok()).collect();
    keys.sort_unstable();
    let mut materials: Vec<svc::ReceivedIn> = keys
        .into_iter()
        .map(|k| svc::ReceivedIn {
            material: val(f, &format!("r{k}")),
            original: val(f, &format!("o{k}")) != "copy",
            copies: val(f, &format!("n{k}")).trim().parse().unwrap_or(0),
        })
        .collect();
    for line in val(f, "received_other").lines().map(str::trim).filter(|l| !l.is_empty()) {
        materials.push(svc::ReceivedIn { material: line.into(), original: true, copies: 1 });
    }
    svc::AcceptIn { materials }
}

fn collect_missing(f: &HashMap<String, String>) -> Vec<MissingIn> {
    let mut out = vec![];
    let mut keys: Vec<&String> = f.keys().filter(|k| k.starts_with('m') && k[1..].parse::<u32>().is_ok()).collect();
    keys.sort_by_key(|k| k[1..].parse::<u32>().unwrap_or(0));
    for k in keys {
        let how = f.get(&format!("h{}", &k[1..])).cloned().unwrap_or_default();
        out.push(MissingIn { material: f[k].clone(), how_to_fix: how });
    }
    for line in val(f, "other").lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (m, h) = line.split_once(['|', '｜']).unwrap_or((line, ""));
        out.push(MissingIn { material: m.trim().into(), how_to_fix: h.trim().into() });
    }
    out
}

/// The page's "are you sure?" of an ending (not an error: the form comes back, filled in).
const CONFIRM_ENDING: &str = "confirm_ending";

/// What follows an ending the page is about to take, in words — or None for an action that
/// ends nothing (the API never asks).
fn ending_follows(action: &str, f: &HashMap<String, String>) -> Option<&'static str> {
    let handoff = f.get("handoff").is_some_and(|v| v == "1" || v == "on");
    Some(match (action, f.get("outcome").map(String::as_str)) {
        ("close", Some("approved")) => {
            tr("办结后将出具办结通知书，本件不能再办理；申请人可凭受理编号和手机号查询结果。")
        }
        ("close", Some("answered")) => tr("答复内容将告知申请人，本件随即办结。"),
        ("close", Some("withdrawn")) => tr("撤回申请记录交申请人签收，本件随即办结；申请人可随时重新申请。"),
        ("close", Some("not_required")) => tr("申请人将看到您写明的法律依据，本件随即办结。"),
        ("close", Some("vetoed")) => {
            tr("请出具不予受理（许可）通知书交申请人签收：通知书写明理由、法律依据和复议、诉讼途径。本件随即办结。")
        }
        ("commitment", _) => tr("承诺书存档备查并将按规定核查，本件随即办结。"),
        ("referral", _) if !handoff => tr("申请人持指引单前往办理，本件随即办结；需要帮助转交的，请勾选“帮助转交”。"),
        _ => return None,
    })
}

/// Whether `p` works at the case's window (its clerk or head): the one who asks for the rating.
fn works_here(p: &Principal, place: &noveto_domain::access::Place) -> bool {
    p.may(Action::RateOnDevice, place).is_ok()
}

/// Whether the case's state machine offers this ending now (the page shows its form).
async fn offered(s: &AppState, p: &Principal, id: i64, action: &str, f: &HashMap<String, String>) -> bool {
    let Ok(l) = svc::load(s, p, id, Action::WorkCase).await else { return false };
    let rules = svc::item_rules(s, l.case.item_code.clone()).await.map(|(r, _)| r).unwrap_or_default();
    let o = l.case.offers(&rules);
    match (action, f.get("outcome").map(String::as_str)) {
        ("close", Some("approved")) => o.close_approved,
        ("close", Some("answered")) => o.answer_consultation,
        ("close", Some("withdrawn")) => o.withdraw,
        ("close", Some("not_required")) => o.not_required,
        ("close", Some("vetoed")) => o.close_vetoed,
        ("commitment", _) => o.commitment,
        ("referral", _) => o.refer,
        _ => false,
    }
}

pub async fn case_action(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath((id, action)): ApiPath<(i64, String)>,
    axum::Form(f): Form,
) -> Response {
    // NV-14: a reply with refusal wording comes back with the draft kept and the words marked.
    if action == "reply" && check_csrf(&p, &f).is_ok() {
        let text = val(&f, "text");
        let check = noveto_domain::phrases::check(&text);
        if !check.flagged.is_empty() && val(&f, "confirm") != "1" {
            return match case_body_with(&s, &p, id, &text, Some(&check), None).await {
                Ok(b) => (axum::http::StatusCode::CONFLICT, layout(Some(&p), large, tr("办件"), b)).into_response(),
                Err(e) => error_page(Some(&p), large, &e),
            };
        }
    }
    let r: ApiResult<()> = async {
        check_csrf(&p, &f)?;
        let on = |k: &str| f.get(k).is_some_and(|v| v == "1" || v == "on");
        // Asked only of an ending the page offers now; anything else goes on to be refused.
        if !on("confirmed")
            && let Some(follows) = ending_follows(&action, &f)
            && offered(&s, &p, id, &action, &f).await
        {
            return Err(ApiError::new(axum::http::StatusCode::OK, CONFIRM_ENDING, follows));
        }
        Ok(match action.as_str() {
            "accept" => svc::do_accept(&s, &p, id, received(&f)).await,
            "decide_kind" => {
                let b = svc::KindDecisionIn { approve: val(&f, "approve") == "1", opinion: val(&f, "opinion") };
                svc::do_decide_kind(&s, &p, id, b).await
            }
            "referral" => {
                let b = ReferralIn {
                    to_body: Some(val(&f, "to_body")),
                    to_unit_id: val(&f, "to_unit_id").parse().ok(),
                    to_window_id: val(&f, "to_window_id").parse().ok(),
                    address: val(&f, "address"),
                    contact: val(&f, "contact"),
                    how: val(&f, "how"),
                    handoff: on("handoff"),
                };
                svc::do_referral(&s, &p, id, b).await
            }
            "notice" if on("ask_growth") => {
                // NV-4: new materials on a later notice go to the window head first.
                let b = svc::GrowthIn { missing: collect_missing(&f), reason: val(&f, "growth_reason") };
                svc::do_request_growth(&s, &p, id, b).await
            }
            "notice" => {
                let b = NoticeIn { missing: collect_missing(&f), confirm_phrases: on("confirm_phrases") };
                svc::do_notice(&s, &p, id, b).await
            }
            "decide_growth" => {
                let b = svc::GrowthDecisionIn { approve: on("approve"), opinion: val(&f, "opinion") };
                svc::do_decide_growth(&s, &p, id, b).await
            }
            "deficiency" => {
                let b = DeficiencyIn {
                    missing: collect_missing(&f),
                    commitment_signed: on("commitment_signed"),
                    supplement_days: val(&f, "supplement_days").parse().ok(),
                };
                svc::do_deficiency(&s, &p, id, b).await
            }
            "supplement" => svc::do_supplement(&s, &p, id).await,
            "note" => svc::do_note(&s, &p, id, svc::NoteIn { text: val(&f, "note") }).await,
            "stage" => {
                let b = svc::StageDoneIn {
                    stage: val(&f, "stage"),
                    note: val(&f, "note"),
                    confirm_phrases: on("confirm_phrases"),
                };
                svc::do_finish_stage(&s, &p, id, b).await
            }
            "ask_placement" => {
                svc::do_ask_placement(&s, &p, id, svc::PlacementIn { question: val(&f, "question") }).await.map(|_| ())
            }
            "place_here" => svc::do_place_here(&s, &p, id).await.map(|_| ()),
            "kind" => {
                svc::do_change_kind(&s, &p, id, svc::KindIn { kind: val(&f, "kind"), reason: val(&f, "reason") }).await
            }
            "commitment" => {
                svc::do_commitment(&s, &p, id, svc::CommitmentIn { commitment: val(&f, "commitment") }).await
            }
            "escalate" => {
                let expert_study = Some(val(&f, "expert_due"))
                    .filter(|d| !d.trim().is_empty())
                    .map(|due| svc::ExpertStudyIn { due, reason: val(&f, "expert_reason") });
                svc::do_escalate(
                    &s,
                    &p,
                    id,
                    EscalationIn {
                        reason: val(&f, "reason"),
                        major: on("major"),
                        expert_study,
                        beyond_promise_reason: Some(val(&f, "beyond_promise_reason")),
                    },
                )
                .await
                .map(|_| ())
            }
            "veto" => svc::do_veto_request(
                &s,
                &p,
                id,
                VetoIn { reason: val(&f, "reason"), legal_basis: val(&f, "legal_basis"), major: on("major") },
            )
            .await
            .map(|_| ()),
            "reply" => svc::do_reply(&s, &p, id, svc::SendReplyIn { text: val(&f, "text"), confirm: on("confirm") })
                .await
                .map(|_| ()),
            "close" => {
                let b = CloseIn {
                    confirm_phrases: on("confirm_phrases"),
                    outcome: val(&f, "outcome"),
                    veto_request_id: val(&f, "veto_request_id").parse().ok(),
                    withdrawal_id: val(&f, "withdrawal_id").parse().ok(),
                    legal_basis: Some(val(&f, "legal_basis")),
                    note: Some(val(&f, "note")),
                };
                svc::do_close(&s, &p, id, b).await
            }
            "withdraw" => {
                svc::do_withdrawal(&s, &p, id, svc::WithdrawalIn { statement: val(&f, "statement") }).await.map(|_| ())
            }
            "confirm_withdrawal" => {
                let wid = val(&f, "withdrawal_id").parse().map_err(|_| noveto_app::Error::not_found(tr("撤回申请")))?;
                svc::do_confirm_withdrawal(&s, &p, wid).await.map(|_| ())
            }
            "fallback" => noveto_app::unresolved::fallback(
                &s,
                &p,
                id,
                noveto_app::unresolved::FallbackIn { reason: val(&f, "reason") },
            )
            .await
            .map(|_| ()),
            _ => Err(noveto_app::Error::not_found(tr("操作"))),
        }?)
    }
    .await;
    match r {
        // Back to the case — or, for a desk that placed a matter and no longer reads it, the inbox.
        Ok(()) if svc::load(&s, &p, id, Action::ReadCase).await.is_err() => Redirect::to("/inbox").into_response(),
        // Decided from the inbox: back to the queue, which names what happened.
        Ok(()) if val(&f, "back") == "inbox" => Redirect::to(&format!("/inbox?done={id}")).into_response(),
        Ok(()) => Redirect::to(&format!("/cases/{id}")).into_response(),
        Err(e) => {
            let redo = Redo { action: &action, form: &f, error: &e };
            match case_body_with(&s, &p, id, "", None, Some(&redo)).await {
                Ok(b) => (e.status, layout(Some(&p), large, tr("办件"), b)).into_response(),
                Err(_) => error_page(Some(&p), large, &e),
            }
        }
    }
}

/// A case in a queue: receipt number, applicant and, as the headline's tail, what is asked.
fn case_head(cid: i64, c: &noveto_domain::case::Case) -> Markup {
    html! { a href={ "/cases/" (cid) } { (c.receipt_no) } " " (c.applicant.name) }
}

/// Veto requests and escalations waiting at a level the visitor holds, for a place they cover.
#[derive(serde::Deserialize, Default)]
pub struct InboxQ {
    q: Option<String>,
    page: Option<usize>,
    /// The case just decided from this page (the approver sees what happened, then the queue).
    done: Option<i64>,
}

/// A decision sent from the inbox that was refused: which card's form, what was typed, why —
/// the inbox comes back with that form filled in as typed and the reason beside it (issue 31,
/// item 3: a refused decision never lands on an error page that loses the opinion).
pub struct InboxFailed<'a> {
    /// `veto` or `answer`, and the request's or escalation's id.
    pub form: &'a str,
    pub id: i64,
    pub fields: &'a HashMap<String, String>,
    pub error: &'a ApiError,
}

pub async fn inbox(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::extract::Query(q): axum::extract::Query<InboxQ>,
) -> Response {
    let r = inbox_body(&s, &p, q, None).await;
    render(&p, large, t().inbox, r)
}

async fn inbox_body(s: &AppState, p: &Principal, q: InboxQ, failed: Option<&InboxFailed<'_>>) -> ApiResult<Markup> {
    let (s, p) = (s.clone(), p.clone());
    let mine = |form: &str, id: i64| failed.filter(|f| f.form == form && f.id == id);
    let kept = |form: &str, id: i64, k: &str| mine(form, id).map(|f| val(f.fields, k)).unwrap_or_default();
    async {
        // Screens 6: filtered as GET /api/v1/inbox?q= is (oldest due first, from the app).
        let words = q.q.unwrap_or_default();
        // Everything waiting, in one read.
        let svc::Waiting { handoffs, inbox, unplaced: queue, growth, withdrawals, kinds } =
            svc::waiting(&s, &p, true).await?;
        let svc::Inbox { vetoes, escalations: escs } = inbox.unwrap_or_default().only(&words);
        // Paged: the same page of each list, 30 to a page.
        const PAGE: usize = 30;
        let pages = vetoes.len().max(escs.len()).div_ceil(PAGE).max(1);
        let page = q.page.unwrap_or(1).clamp(1, pages);
        let vetoes: Vec<_> = vetoes.into_iter().skip((page - 1) * PAGE).take(PAGE).collect();
        let escs: Vec<_> = escs.into_iter().skip((page - 1) * PAGE).take(PAGE).collect();
        // NV-16: the earlier decisions on the same item and reason, beside each request.
        // One read for the whole page, not one per request and month.
        let asks: Vec<(Option<&str>, &str)> =
            vetoes.iter().map(|(v, case, _)| (case.item_code.as_deref(), v.reason.as_str())).collect();
        let earlier = noveto_app::reports::alike_decisions_for(&s, &p, &asks, 12).await.unwrap_or_default();
        let mut alike = std::collections::HashMap::new();
        for ((v, case, _), earlier) in vetoes.iter().zip(earlier) {
            alike.insert(v.id, earlier.into_iter().filter(|e| e.0 != case.receipt_no).collect::<Vec<_>>());
        }
        // The matter just decided here, named with its state now.
        let done = match q.done {
            Some(id) => svc::load(&s, &p, id, Action::ReadCase).await.ok().map(|l| (id, l.case)),
            None => None,
        };
        let handoffs = handoff_section(&p, true, &handoffs);
        let cal = s.calendar();
        let now = s.now();
        // The earlier levels' deciders, so the next level reads who said what, and who asked (issue 31: a card names the clerk who asked).
        let names = noveto_app::org::names(
            &s,
            vetoes
                .iter()
                .flat_map(|(v, _, _)| v.chain.iter().map(|d| d.decided_by).chain([v.requested_by]))
                .chain(escs.iter().map(|(e, _)| e.created_by))
                .collect(),
        )
        .await?;
        let export = |f: &str| format!("/api/v1/inbox?q={}&format={f}", super::url_encode(&words));
        Ok::<_, ApiError>(html! {
            @if let Some((id, c)) = &done {
                p.note role="status" {
                    (tr("已处理：")) a href={ "/cases/" (id) } { (c.receipt_no) } " " (c.applicant.name)
                    " — " (status_label(c.status.as_str()))
                }
            }
            @if !withdrawals.is_empty() {
                section.card #withdrawals {
                    h2 { (trf("申请人撤回申请，待确认（{} 件）", &[&withdrawals.len()])) }
                    @for w in &withdrawals {
                        div.card {
                            p { a href={ "/cases/" (w.case_id) } { (w.receipt_no) } " " (w.applicant) " · " (crate::ui::when(&w.recorded_at)) }
                            p { b { (tr("撤回申请：")) } (w.statement) }
                            form method="post" action={ "/cases/" (w.case_id) "/act/confirm_withdrawal" } {
                                (csrf_field(&p))
                                input type="hidden" name="withdrawal_id" value=(w.id);
                                input type="hidden" name="back" value="inbox";
                                button { (tr("确认撤回")) }
                            }
                        }
                    }
                }
            }
            section.card {
                form method="get" action="/inbox" {
                    label { (tr("按受理编号、申请人、事项或理由筛选")) input name="q" value=(words); }
                    button { (tr("筛选")) }
                }
                p { a href=(export("xlsx")) { (tr("导出 Excel")) } " · " a href=(export("csv")) { (tr("导出 CSV")) } }
                (super::pager(page, pages, |n| format!("/inbox?q={}&page={n}", super::url_encode(&words))))
            }
            section.card {
                h2 { (t().vetoes_waiting) }
                @if vetoes.is_empty() { p.muted { (t().inbox_empty) } }
                @for (v, case, on_behalf) in &vetoes {
                    @let due = svc::veto_due(case, &cal, now).map(|d| d.to_string());
                    div.card {
                        p {
                            (case_head(v.case_id, case))
                            " · " (tr("审批层级：")) (v.level().map(|l| tr(l.label())).unwrap_or(""))
                            @if *on_behalf { (tr("（代行）")) }
                            " · " (tr("期限：")) (due_cell(&s, due.as_deref()))
                        }
                        p {
                            b { (tr("报批人：")) } (names.get(&v.requested_by).map(String::as_str).unwrap_or(""))
                            " · " (crate::ui::when(&noveto_domain::time::rfc3339(v.requested_at)))
                        }
                        p { b { (tr("理由：")) } (v.reason) }
                        p { b { (tr("法律依据：")) } (v.legal_basis) }
                        @if let Some(earlier) = alike.get(&v.id).filter(|e| !e.is_empty()) {
                            details.note open {
                                summary { (tr("同一事项、同一理由的既往决定（同等申请、同一审批结果）")) }
                                ul { @for (r, outcome, basis) in earlier { li { (r) "：" (tr_text(outcome)) "（" (basis) "）" } } }
                            }
                        }
                        p.muted { (case.request) }
                        @for d in &v.chain {
                            p {
                                b { (tr(d.level.label())) @if d.on_behalf { (tr("（代行）")) } (tr("：")) }
                                (if d.approve { tr("同意") } else { tr("不同意") }) (tr("，"))
                                (d.opinion) " "
                                small.muted { (names.get(&d.decided_by).map(String::as_str).unwrap_or("")) " " (crate::ui::when(&noveto_domain::time::rfc3339(d.at))) }
                            }
                        }
                        form method="post" action={ "/veto-requests/" (v.id) "/decide" } id={ "veto-" (v.id) } {
                            (csrf_field(&p))
                            @if let Some(f) = mine("veto", v.id).filter(|f| !matches!(f.error.field, Some("opinion" | "confirm"))) {
                                p.err role="alert" { (tr_text(&f.error.message)) }
                            }
                            label {
                                (t().opinion)
                                textarea name="opinion" required placeholder=(tr("同意的写明理由；不同意的写明如何办成")) { (kept("veto", v.id, "opinion")) }
                                (beside(mine("veto", v.id).map(|f| f.error), "opinion"))
                            }
                            label {
                                input type="checkbox" name="confirm" value="1" required checked[kept("veto", v.id, "confirm") == "1"];
                                " " (tr("我已审阅理由、法律依据和申请材料，本人作出此层级的审批"))
                                (beside(mine("veto", v.id).map(|f| f.error), "confirm"))
                            }
                            button name="approve" value="1" { (t().approve) }
                            button.secondary name="approve" value="0" { (t().deny) }
                        }
                    }
                }
            }
            (handoffs)
            @if !growth.is_empty() {
                section.card {
                    h2 { (tr("待批准的新增告知材料")) }
                    @for (cid, c) in &growth {
                        @if let Some(g) = &c.growth_request {
                            div.card {
                                p {
                                    (case_head(*cid, c)) " · " (tr("新增："))
                                    (g.missing.iter().map(|m| m.material.as_str()).collect::<Vec<_>>().join(tr("、")))
                                }
                                p { b { (tr("理由：")) } (g.reason) }
                                form method="post" action={ "/cases/" (cid) "/act/decide_growth" } {
                                    (csrf_field(&p))
                                    label { (tr("意见（不同意的须写明）")) input name="opinion"; }
                                    button name="approve" value="1" { (tr("同意新增并出具告知书")) }
                                    button.secondary name="approve" value="0" { (tr("不同意")) }
                                }
                            }
                        }
                    }
                }
            }
            @if !kinds.is_empty() {
                section.card {
                    h2 { (tr("申请改为咨询，待确认")) }
                    @for (cid, c) in &kinds {
                        @if let Some(k) = &c.kind_request {
                            div.card {
                                p { (case_head(*cid, c)) " · " (crate::ui::when(&noveto_domain::time::rfc3339(k.at))) }
                                p { b { (tr("理由：")) } (k.reason) }
                                p.muted { (c.request) }
                                form method="post" action={ "/cases/" (cid) "/act/decide_kind" } {
                                    (csrf_field(&p))
                                    label { (tr("意见（不同意的须写明理由）")) input name="opinion"; }
                                    button name="approve" value="1" { (tr("同意改为咨询")) }
                                    button.secondary name="approve" value="0" { (tr("不同意，仍按申请办理")) }
                                }
                            }
                        }
                    }
                }
            }
            @if !queue.is_empty() {
                section.card {
                    h2 { (tr("归属不明、待分办的事项")) }
                    @for (cid, c) in &queue {
                        @let due = c.deadlines.iter().rev().find(|d| d.what == "placement").and_then(|d| d.due(&cal, now).ok()).map(|d| d.to_string());
                        div.card {
                            p { (case_head(*cid, c)) " · " (tr("期限：")) (due_cell(&s, due.as_deref())) }
                            p { (c.request) }
                        }
                    }
                }
            }
            section.card {
                h2 { (t().escalations_waiting) }
                @if escs.is_empty() { p.muted { (t().inbox_empty) } }
                @for (e, case) in &escs {
                    div.card {
                        p {
                            (case_head(e.case_id, case))
                            " · " (DecisionLevel::parse(&e.level).map(|l| tr(l.label())).unwrap_or(""))
                            " · " (if e.major { tr("重大事项") } else { tr("一般事项") })
                            " · " (tr("期限：")) (due_cell(&s, Some(&e.due[..10.min(e.due.len())])))
                        }
                        p { b { (tr("请示人：")) } (names.get(&e.created_by).map(String::as_str).unwrap_or("")) }
                        p { (e.reason) }
                        p.muted { (case.request) }
                        (answer_form(&p, e.id, &e.level, "inbox", mine("answer", e.id).map(|f| (f.fields, f.error))))
                    }
                }
            }
        })
    }
    .await
}

/// The answer to an escalation (NV-7), on the inbox and on the case: the meeting's participants
/// and conclusion for a collective decision; after a refusal the form comes back as typed, the
/// reason beside its field, and a refusal-wording warning offers to confirm the wording.
fn answer_form(
    p: &Principal,
    id: i64,
    level: &str,
    from: &str,
    failed: Option<(&HashMap<String, String>, &ApiError)>,
) -> Markup {
    let kept = |k: &str| failed.map(|(f, _)| val(f, k)).unwrap_or_default();
    let err = failed.map(|(_, e)| e);
    html! {
        form method="post" action={ "/escalations/" (id) "/answer" } id={ "answer-" (id) } {
            (csrf_field(p))
            input type="hidden" name="from" value=(from);
            @if let Some(e) = err.filter(|e| !matches!(e.field, Some("answer" | "participants" | "conclusion"))) {
                p.err role="alert" { (tr_text(&e.message)) }
            }
            @if level == "collective" {
                label {
                    (tr("参会人员（每行一人，写明职务）"))
                    textarea name="participants" required { (kept("participants")) }
                    (beside(err, "participants"))
                }
                label { (tr("会议结论")) textarea name="conclusion" required { (kept("conclusion")) } (beside(err, "conclusion")) }
            }
            label { (tr("答复")) textarea name="answer" required { (kept("answer")) } (beside(err, "answer")) }
            @if err.is_some_and(|e| e.code == "negative_answer_needs_veto") {
                label { input type="checkbox" name="confirm_phrases" value="1"; " " (t().confirm_wording) }
            }
            button { (tr("答复")) }
        }
    }
}

pub async fn decide(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(id): ApiPath<i64>,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        if val(&f, "confirm") != "1" {
            return Err(ApiError {
                field: Some("confirm"),
                ..ApiError::bad("confirmation_required", tr("请勾选确认：已审阅理由、法律依据和申请材料"))
            });
        }
        Ok(svc::do_decide(&s, &p, id, DecisionIn { approve: val(&f, "approve") == "1", opinion: val(&f, "opinion") })
            .await?)
    }
    .await;
    match r {
        Ok(v) => Redirect::to(&format!("/inbox?done={}", v.case_id)).into_response(),
        Err(e) => {
            let failed = InboxFailed { form: "veto", id, fields: &f, error: &e };
            let q = InboxQ { q: None, page: None, done: None };
            super::again(&p, large, t().inbox, &e, inbox_body(&s, &p, q, Some(&failed)).await)
        }
    }
}

pub async fn answer(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(id): ApiPath<i64>,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        let confirm = f.get("confirm_phrases").is_some_and(|v| v == "1");
        // 集体研究: the meeting's participants (one per line) and conclusion, where the form has them.
        let meeting = f.get("participants").map(|list| svc::MeetingIn {
            participants: list.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect(),
            conclusion: val(&f, "conclusion"),
        });
        let b = svc::AnswerIn { answer: val(&f, "answer"), confirm_phrases: confirm, meeting };
        Ok(svc::do_answer(&s, &p, id, b).await?)
    }
    .await;
    match r {
        Ok(case_id) => Redirect::to(&format!("/cases/{case_id}")).into_response(),
        // Back where it was sent from, the answer kept and the reason beside it.
        Err(e) if val(&f, "from") == "case" => {
            let case = svc::escalation_case(&s, id).await.ok().flatten();
            match case {
                Some(cid) => {
                    let redo = Redo { action: "answer", form: &f, error: &e };
                    let b = case_body_with(&s, &p, cid, "", None, Some(&redo)).await;
                    super::again(&p, large, tr("办件"), &e, b)
                }
                None => error_page(Some(&p), large, &e),
            }
        }
        Err(e) => {
            let failed = InboxFailed { form: "answer", id, fields: &f, error: &e };
            let q = InboxQ { q: None, page: None, done: None };
            super::again(&p, large, t().inbox, &e, inbox_body(&s, &p, q, Some(&failed)).await)
        }
    }
}

#[derive(serde::Deserialize)]
pub struct MonthQ {
    month: Option<String>,
    page: Option<usize>,
}

pub async fn filings(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::extract::Query(q): axum::extract::Query<MonthQ>,
) -> Response {
    let r = async {
        let now = s.now();
        // A month that does not read is said beside the picker (as typed); the page shows this one.
        let this_month = now.format("%Y-%m").to_string();
        let typed = q.month.clone().unwrap_or_else(|| this_month.clone());
        let (month, month_err) = match svc::parse_month(&typed) {
            Ok(m) => (m, None),
            Err(e) => (svc::parse_month(&this_month)?, Some(ApiError::from(e.at("month")))),
        };
        // NV-9: the same lines as GET /api/v1/filings and its export.
        let all = svc::filing_lines(&s, &p, &month).await?;
        let (page, pages, f) = super::page_of(&all, q.page, 50);
        // JL 三(三): each unit files its month with the center, an act of its own.
        let monthly = noveto_app::cases::monthly_status(&s, &p, &month).await?;
        // FZ 二(三), WH 一(三): gray-area answers filed with the center, where the policy says so.
        let gray = svc::gray_area_filings(&s, &p, &month).await?;
        // NV-2, NV-9, NV-14: the month's roll-up per unit and window — vetoes beside every other
        // negative ending. The same lines as the API and the export.
        let rows = svc::monthly_rollup(&s, &p, &month).await?;
        let leads = |unit: i64| {
            p.grants.iter().any(|g| {
                matches!(g.role, Role::UnitLeader | Role::UnitHead)
                    && g.scope.kind == noveto_domain::access::ScopeKind::Unit
                    && g.scope.id == unit
            })
        };
        Ok::<_, ApiError>(html! {
            section.card {
                h1 { (trf("否决事项报备（{}）", &[&month])) }
                form method="get" {
                    label {
                        (tr("月份"))
                        input name="month" value=(if month_err.is_some() { typed.clone() } else { month.to_string() }) pattern="\\d{4}-\\d{2}";
                        (beside(month_err.as_ref(), "month"))
                    }
                    button { (tr("查看")) }
                }
                p {
                    a href={ "/api/v1/filings?month=" (month) "&format=xlsx" } { (tr("导出 Excel")) } " · "
                    a href={ "/api/v1/filings?month=" (month) "&format=csv" } { (tr("导出 CSV")) }
                }
                @if f.is_empty() {
                    p.muted { (tr("本月没有否决报备。窗口无否决权：多数事项都能办成。")) }
                } @else {
                    div.scroll {
                        table {
                            tr {
                                th { (tr("受理编号")) } th { (tr("单位")) } th { (tr("事项")) } th { (tr("申请人")) }
                                th { (tr("否决理由")) } th { (tr("报备（头）")) }
                                th { (tr("结果（尾）")) } th { (tr("结果")) } th { (tr("登记表")) }
                            }
                            @for l in f {
                                @let x = &l.filing;
                                tr {
                                    td { a href={ "/cases/" (x.case_id) } { (x.receipt_no.as_deref().unwrap_or("—")) } }
                                    td { (l.unit) }
                                    td { (l.item) }
                                    td { (x.applicant) }
                                    td { (x.reason) @if !x.legal_basis.is_empty() { br; small.muted { (tr("依据：")) (x.legal_basis) } } }
                                    td { (crate::ui::when(&x.opened_at)) }
                                    td { (x.closed_at.as_deref().map(crate::ui::when).unwrap_or_else(|| "—".into())) }
                                    td { (crate::ui::label(svc::filing_outcome(x.outcome.as_deref()))) }
                                    td { a href={ "/api/v1/cases/" (x.case_id) "/documents/veto-filing-form.pdf" } { (tr("打印")) } }
                                }
                            }
                        }
                    }
                    (super::pager(page, pages, |n| format!("/filings?month={month}&page={n}")))
                }
                @if !monthly.is_empty() {
                    h2 { (tr("各单位月度报备")) }
                    div.scroll {
                        table {
                            tr { th { (tr("单位")) } th { (tr("报备情况")) } }
                            @for m in &monthly {
                                tr {
                                    td { (m.unit) }
                                    td {
                                        @if let Some(fl) = &m.filing {
                                            (trf("已报备：{} 于 {}，本月否决报批 {} 件", &[&m.filed_by_name.as_deref().unwrap_or(""), &crate::ui::when(&fl.filed_at), &fl.vetoes]))
                                            @if !fl.note.is_empty() { "（" (fl.note) "）" }
                                        } @else if leads(m.unit_id) {
                                            form method="post" action="/filings/monthly" {
                                                (csrf_field(&p))
                                                input type="hidden" name="unit_id" value=(m.unit_id);
                                                input type="hidden" name="month" value=(month);
                                                label { (tr("说明")) input name="note"; }
                                                button { (tr("提交本月报备")) }
                                            }
                                        } @else {
                                            (tr("尚未报备"))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if !gray.is_empty() {
                    h2 { (tr("模糊地带请示答复备案")) }
                    div.scroll {
                        table {
                            tr { th { (tr("办件")) } th { (tr("答复")) } }
                            @for g in &gray {
                                tr { td { a href={ "/cases/" (g.case_id) } { (tr("查看")) } } td { (g.text) } }
                            }
                        }
                    }
                }
                h2 { (tr("月度汇总：否决与其他否定性办结")) }
                p {
                    a href={ "/api/v1/filings/rollup?month=" (month) "&format=xlsx" } { (tr("导出 Excel")) } " · "
                    a href={ "/api/v1/filings/rollup?month=" (month) "&format=csv" } { (tr("导出 CSV")) }
                }
                @if rows.is_empty() {
                    p.muted { (tr("本月没有否决报批、申请人撤回、依法无需办理或否定性答复。")) }
                } @else {
                    div.scroll {
                        table {
                            tr { @for c in svc::ROLLUP_COLUMNS { th { (tr_text(c)) } } }
                            @for r in &rows { tr { @for c in r.cells() { td { (c) } } } }
                        }
                    }
                }
            }
        })
    }
    .await;
    render(&p, large, t().filings, r)
}

/// The FAQ search box (FAQ-1), always at hand on the workbench and the case page.
fn faq_box(case: Option<i64>, q: &str) -> Markup {
    html! {
        section.card.noprint {
            form method="get" action="/faq" {
                @if let Some(c) = case { input type="hidden" name="case" value=(c); }
                label {
                    (t().faq) (tr("：输入群众的问题"))
                    input name="q" value=(q) placeholder=(tr("如：营业执照丢了怎么补"));
                }
                button { (tr("查询")) }
            }
        }
    }
}

/// NV-14: the reply box; flagged words are marked and a second confirmation is needed.
fn reply_box(p: &Principal, id: i64, draft: &str, flags: Option<&noveto_domain::phrases::Check>) -> Markup {
    let chars: Vec<char> = draft.chars().collect();
    // The draft cut into plain and flagged stretches.
    let parts: Vec<(String, bool)> = match flags {
        Some(c) => {
            let mut out = vec![];
            let mut i = 0;
            for f in &c.flagged {
                out.push((chars[i.min(f.start)..f.start].iter().collect(), false));
                out.push((chars[f.start..f.end].iter().collect(), true));
                i = f.end;
            }
            out.push((chars[i.min(chars.len())..].iter().collect(), false));
            out
        }
        None => vec![],
    };
    html! {
        section.card {
            h2 { (tr("答复群众")) }
            form method="post" action={ "/cases/" (id) "/act/reply" } {
                (csrf_field(p))
                label { (tr("答复内容（将检查推诿用语）")) textarea name="text" required { (draft) } }
                @if let Some(c) = flags {
                    p.err { (t().reply_flagged) }
                    p { @for (text, flagged) in &parts { @if *flagged { mark { (text) } } @else { (text) } } }
                    p.note { (tr("建议：")) (tr_text(c.suggestion.as_deref().unwrap_or(""))) }
                    label { input type="checkbox" name="confirm" value="1"; " " (t().send_anyway) }
                }
                button { (tr("发送答复")) }
            }
        }
    }
}

#[derive(serde::Deserialize)]
pub struct FaqQ {
    q: Option<String>,
    case: Option<i64>,
}

pub async fn faq_page(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::extract::Query(q): axum::extract::Query<FaqQ>,
) -> Response {
    let r = async {
        let words = q.q.clone().unwrap_or_default();
        let found =
            if words.trim().is_empty() { None } else { Some(noveto_app::faq::search(&s, &p, &words, 5).await?) };
        let back = q.case.map(|c| format!("/cases/{c}")).unwrap_or_else(|| "/".into());
        // CAT-4: a question about a life event gets its bundle first (the items, their order, the
        // shared materials and the total time to tell the person at once).
        let event = if words.trim().is_empty() { None } else { noveto_app::bundles::intent(&s, words.trim()).await? };
        Ok::<_, ApiError>(html! {
            (faq_box(q.case, &words))
            @if let Some(v) = &event { (super::guides::bundle_card(v, false)) }
            @if let Some((sid, hits)) = &found {
                section.card {
                    h2 { (tr("查询结果")) }
                    @if hits.is_empty() {
                        p.muted { (tr("库中没有现成答案。请按“请示”流程在规定时限内答复群众；答复后可收入问题咨询库。")) }
                    }
                    @for (f, _) in hits {
                        div.card {
                            p { b { (f.question) } }
                            p { (f.answer) }
                            form method="post" action="/faq/used" {
                                (csrf_field(&p))
                                input type="hidden" name="search_id" value=(sid);
                                input type="hidden" name="faq_id" value=(f.id);
                                input type="hidden" name="back" value=(back);
                                button.secondary { (tr("用这条答复")) }
                            }
                        }
                    }
                }
            }
        })
    }
    .await;
    render(&p, large, t().faq, r)
}

pub async fn faq_used(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        let sid: i64 = val(&f, "search_id").parse().map_err(|_| ApiError::bad("invalid", tr("检索编号无效")))?;
        let fid: i64 = val(&f, "faq_id").parse().map_err(|_| ApiError::bad("invalid", tr("问答编号无效")))?;
        let back = val(&f, "back");
        let case_id: Option<i64> = back.strip_prefix("/cases/").and_then(|rest| rest.parse().ok());
        noveto_app::faq::used(&s, &p, sid, fid, case_id).await?;
        // Back on a case page, the chosen answer is pasted into the reply (SCREENS.md).
        let case_page = back
            .strip_prefix("/cases/")
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()));
        Ok::<_, ApiError>(if case_page {
            format!("{back}?reply_from_faq={fid}")
        } else if back.starts_with('/') && !back.starts_with("//") {
            back
        } else {
            "/".into()
        })
    }
    .await;
    go_to(&p, large, r)
}

/// FAQ-2: the business section's view of the library: answer rate, precision, misses; and
/// NV-14's flagged replies per window.
pub async fn faq_stats(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::extract::Query(q): axum::extract::Query<MonthQ>,
) -> Response {
    let r = async {
        if !noveto_app::faq::may_read_stats(&p) {
            return Err(ApiError::forbidden(t().forbidden));
        }
        let month = q.month.unwrap_or_else(|| s.now().format("%Y-%m").to_string());
        let st = noveto_app::faq::stats(&s, &p, &month).await?;
        let (flagged, windows) = noveto_app::cases::flagged_replies(&s, &p, &month).await?;
        let pct = |x: f64| format!("{:.1}%", x * 100.0);
        let c = &st.consultations;
        Ok(html! {
            section.card {
                h1 { (trf("问题咨询库解答情况（{}）", &[&month])) }
                form method="get" {
                    label { (tr("月份")) input name="month" value=(month); }
                    button { (tr("查看")) }
                }
                p {
                    (trb(
                        "检索 {} 次，给出候选答案 {} 次；用库中答案答复群众 {} 次，解答率 {}；其中采用的是第一条结果 {} 次，精准度 {}。",
                        &[&st.searches, &st.offered, &st.answered, &pct(st.answer_rate), &st.first, &pct(st.precision)],
                    ))
                }
                p {
                    (trb(
                        "本月答复咨询 {} 件：用库中答案答复 {} 件（{}），经请示后答复 {} 件，窗口直接答复 {} 件。",
                        &[&c.answered, &c.from_library, &pct(c.library_rate), &c.escalated, &c.by_window],
                    ))
                }
                h2 { (tr("未用库中答案答复的问题")) }
                table {
                    tr { th { (tr("问题")) } th { (tr("次数")) } }
                    @if st.misses.is_empty() { tr { td colspan="2" class="muted" { (tr("没有。")) } } }
                    @for (qq, n) in &st.misses { tr { td { (qq) } td { (n) } } }
                }
            }
            section.card {
                h2 { (tr("答复用语检查（各窗口）")) }
                table {
                    tr { th { (tr("窗口")) } th { (tr("答复")) } th { (tr("含推诿用语")) } }
                    @if flagged.is_empty() { tr { td colspan="3" class="muted" { (tr("本月没有答复记录。")) } } }
                    @for (w, n, bad) in &flagged {
                        tr {
                            td { (w.and_then(|w| windows.iter().find(|x| x.id == w)).map(|x| x.name.as_str()).unwrap_or("")) }
                            td { (n) }
                            td class=[(*bad > 0).then_some("overdue")] { (bad) }
                        }
                    }
                }
            }
        })
    }
    .await;
    render(&p, large, tr("解答率"), r)
}

/// The unit figures this month, for each unit the visitor leads or heads a window of.
async fn unit_figures(s: &AppState, p: &Principal) -> ApiResult<Markup> {
    let figures = svc::own_unit_figures(s, p).await?;
    let month = s.now().format("%Y-%m").to_string();
    Ok(html! {
        @if !figures.is_empty() {
            section.card {
                h2 { (trf("本单位本月情况（{}）", &[&month])) }
                table {
                    tr {
                        th { (tr("单位")) } th { (tr("办件")) } th { (tr("否决报批")) } th { (tr("批准否决")) }
                        th { (tr("超期")) } th { (tr("推诿用语")) }
                    }
                    @for (name, f) in &figures {
                        tr {
                            td { (name) }
                            td { (f.cases) }
                            td { (f.vetoes_requested) }
                            td { (f.vetoes_approved) }
                            td class=[(f.overdue > 0).then_some("overdue")] { (f.overdue) }
                            td { (f.flagged_replies) }
                        }
                    }
                }
            }
        }
    })
}

pub async fn acknowledge(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(id): ApiPath<i64>,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        Ok(svc::do_acknowledge(&s, &p, id).await?)
    }
    .await;
    // On to the receiving unit's own case, now the receiver's.
    go_to(&p, large, r.map(|nid: i64| format!("/cases/{nid}")))
}

/// NV-3: the warm handoffs waiting for this visitor's window or unit, with an acknowledge button.
/// `hs`: the handoffs of [`svc::waiting`], read once by the page that shows them.
fn handoff_section(p: &Principal, always: bool, hs: &[(i64, noveto_domain::case::Case)]) -> Markup {
    html! {
        @if !hs.is_empty() || always {
            section.card {
                h2 { (tr("待确认接收的转交")) }
                @if hs.is_empty() { p.muted { (t().inbox_empty) } }
                @for (cid, case) in hs {
                    div.card {
                        p { (case_head(*cid, case)) (tr("：")) (case.request) }
                        form method="post" action={ "/cases/" (cid) "/acknowledge" } {
                            (csrf_field(p))
                            button { (tr("确认接收")) }
                        }
                    }
                }
            }
        }
    }
}

/// After a form action: where to go next, or the error page.
fn go_to(p: &Principal, large: bool, r: ApiResult<String>) -> Response {
    match r {
        Ok(path) => Redirect::to(&path).into_response(),
        Err(e) => error_page(Some(p), large, &e),
    }
}

/// NV-9 (JL 三(三)): the unit's monthly filing from the filings page.
pub async fn file_month(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        let unit_id = val(&f, "unit_id").parse().map_err(|_| noveto_app::Error::not_found(tr("单位")))?;
        let month = val(&f, "month");
        let b = svc::MonthlyFilingIn { unit_id, month: month.clone(), note: Some(val(&f, "note")) };
        noveto_app::cases::file_month(&s, &p, b).await?;
        Ok::<_, ApiError>(format!("/filings?month={month}"))
    }
    .await;
    go_to(&p, large, r)
}

/// 督办 from the supervision section's overdue list: recorded and sent, then back to the list.
pub async fn urge(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(id): ApiPath<i64>,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        svc::urge(&s, &p, id, svc::UrgeIn { note: val(&f, "note") }).await?;
        Ok::<_, ApiError>(format!("/?urged={id}#overdue"))
    }
    .await;
    go_to(&p, large, r)
}
