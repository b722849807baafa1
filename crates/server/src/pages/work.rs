//! The pages people work in: the home page per role, the clerk's workbench, the case page with
//! its helping actions (there is no reject button), the approvers' inbox and the filings.

use super::{Large, Visitor, check_csrf, csrf_field, error_page, esc, layout, render, val};
use crate::AppState;
use crate::api::cases::{
    self as svc, CloseIn, DecisionIn, DeficiencyIn, EscalationIn, MissingIn, NoticeIn, ReferralIn, VetoIn,
};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::ui::t;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use noveto_domain::access::{Action, DecisionLevel, Role, may_somewhere};
use noveto_domain::case::Status;
use noveto_domain::time::local_date;
use noveto_store::repo::{items, org};
use std::collections::HashMap;

type Form = axum::Form<HashMap<String, String>>;

fn due_cell(s: &AppState, due: Option<&str>) -> String {
    let Some(d) = due.and_then(|d| d.parse::<chrono::NaiveDate>().ok()) else {
        return "<span class=\"muted\">—</span>".into();
    };
    let today = local_date(s.now());
    let cal = s.calendar();
    let left =
        if d >= today { cal.between(today, d).unwrap_or(0) } else { -(cal.between(d, today).unwrap_or(1).max(1)) };
    let (cls, note) = if d < today {
        ("overdue", format!("{}（{} 个工作日）", t().overdue, -left))
    } else if d == today {
        ("today", t().due_today.to_string())
    } else {
        ("", format!("剩 {left} 个工作日"))
    };
    format!("<span class=\"{cls}\">{d}</span> <small class=\"{cls}\">{note}</small>")
}

/// Screens issue, item 6: a list's due day with the deadline it belongs to, its rule and its
/// source as a note, as on the case page.
fn row_due_cell(s: &AppState, next_due: Option<&str>, open: &[noveto_domain::deadline::Deadline]) -> String {
    let cell = due_cell(s, next_due);
    let cal = s.calendar();
    let now = s.now();
    let which = open.iter().find(|d| d.due(&cal, now).ok().map(|x| x.to_string()).as_deref() == next_due);
    match which {
        Some(d) => format!(
            "{cell}<br><small class=\"muted\" title=\"{}\">{} · {} · {}</small>",
            esc(&d.source.clause),
            crate::ui::what_label(&d.what),
            rule_text(&d.rule),
            esc(&d.source.document)
        ),
        None => cell,
    }
}

fn has(p: &Principal, r: Role) -> bool {
    p.grants.iter().any(|g| g.role == r)
}

pub async fn home(State(s): State<AppState>, Visitor(p): Visitor, Large(large): Large) -> Response {
    match home_body(&s, &p).await {
        Ok(body) => layout(Some(&p), large, t().home, &body).into_response(),
        Err(e) => error_page(Some(&p), large, &e),
    }
}

async fn home_body(s: &AppState, p: &Principal) -> ApiResult<String> {
    let mut out = String::new();
    if has(p, Role::Clerk) || has(p, Role::WindowHead) || has(p, Role::HallManager) {
        out.push_str(&workbench(s, p).await?);
        out.push_str(&handoff_section(s, p, false).await?);
    }
    if has(p, Role::WindowHead)
        || has(p, Role::HallManager)
        || has(p, Role::UnitLeader)
        || has(p, Role::UnitHead)
        || has(p, Role::Director)
        || has(p, Role::BusinessSection)
    {
        let ib = svc::inbox(s, p).await?;
        let (v, e) = (ib.vetoes, ib.escalations);
        let h = svc::handoffs_for(s, p).await?;
        let unplaced = svc::placement_queue(s, p).await?;
        let growth = svc::growth_queue(s, p).await?;
        out.push_str(&format!(
            "<section class=\"card\"><h2>{}</h2><p>否决报批 <b>{}</b> 件，请示 <b>{}</b> 件，待确认接收的转交 <b>{}</b> 件，归属不明待分办 <b>{}</b> 件，新增告知材料待批 <b>{}</b> 件。<a href=\"/inbox\">进入审批</a></p></section>",
            t().inbox,
            v.len(),
            e.len(),
            h.len(),
            unplaced.len(),
            growth.len()
        ));
        out.push_str(&unit_figures(s, p).await?);
    }
    if may_somewhere(&p.grants, Action::ReadFilings) {
        let month = s.now().format("%Y-%m").to_string();
        let f = svc::visible_filings(s, p, &month).await?;
        let open = f.iter().filter(|x| x.closed_at.is_none()).count();
        out.push_str(&format!(
            "<section class=\"card\"><h2>本月否决报备（{month}）</h2><p>共 <b>{}</b> 件，其中尚无结果 <b>{open}</b> 件。<a href=\"/filings?month={month}\">查看报备台账</a></p></section>",
            f.len()
        ));
    }
    if has(p, Role::Supervision) || has(p, Role::Oversight) || has(p, Role::Director) {
        // Inside the reader's scope (the same as the case list), by receipt number and in words.
        let rows = svc::overdue_visible(s, p, 50).await?;
        let mut body = String::new();
        if rows.is_empty() {
            body.push_str(&format!("<p class=\"muted\">{}</p>", t().supervision_empty));
        } else {
            body.push_str("<table><tr><th>办件</th><th>期限事项</th><th>到期日</th></tr>");
            for (r, receipt) in rows {
                body.push_str(&format!(
                    "<tr><td><a href=\"/cases/{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                    r.entity_id,
                    esc(&receipt),
                    crate::ui::what_label(&r.what),
                    due_cell(s, Some(&r.due)),
                ));
            }
            body.push_str("</table>");
        }
        out.push_str(&format!("<section class=\"card\"><h2>超期督办</h2>{body}</section>"));
    }
    if may_somewhere(&p.grants, Action::ManageOrg) {
        let d = noveto_app::org::directory(s).await?;
        let (c, u, w) = (d.centers.len(), d.units.len(), d.windows.len());
        let st = noveto_app::org::staff_directory(s, p).await?.len();
        // CAL-2: from 1 November, next year's missing notice is the administrator's to import.
        let missing = s.calendar().notice_missing(s.now().date_naive()).map(|y| {
            format!(
                "<p class=\"warn\">尚未导入国务院办公厅 {y} 年部分节假日安排的通知：{y} 年的期限{}。请在通知发布后到<a href=\"/admin/calendar\">工作日历</a>导入。</p>",
                noveto_domain::calendar::PROVISIONAL_NOTE
            )
        });
        out.push_str(&format!(
            "<section class=\"card\"><h2>{}</h2>{}<p>中心 {c} 个，单位 {u} 个，窗口与服务台 {w} 个，工作人员 {st} 人。</p><p><a href=\"/admin\">组织与人员</a> · <a href=\"/admin/calendar\">工作日历</a> · <a href=\"/admin/policy\">政策参数</a></p></section>",
            t().admin,
            missing.unwrap_or_default()
        ));
    }
    if out.is_empty() {
        out.push_str(
            "<section class=\"card\"><p class=\"muted\">您的账号尚未分配可办理的角色，请联系系统管理员。</p></section>",
        );
    }
    Ok(out)
}

/// The search box of the workbench: every case the person may see, by receipt number,
/// applicant or phone.
fn case_search_box(q: &str) -> String {
    format!(
        "<section class=\"card noprint\"><form method=\"get\" action=\"/search\"><label>查找办件（受理编号、申请人、单位或电话）<input name=\"q\" value=\"{}\" minlength=\"2\"></label><button>查找</button></form></section>",
        esc(q)
    )
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
        let mut o = case_search_box(&words);
        if words.trim().is_empty() {
            return Ok::<_, ApiError>(o);
        }
        let rows = svc::search_cases(&s, &p, &words, PAGE + 1, (page - 1) * PAGE).await?;
        let more = rows.len() > PAGE;
        let enc: String = words.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
        o.push_str(&format!(
            "<section class=\"card\"><h2>查找结果（第 {page} 页）</h2><p><a href=\"/api/v1/cases?q={enc}&amp;limit=500&amp;format=xlsx\">导出 Excel</a> · <a href=\"/api/v1/cases?q={enc}&amp;limit=500&amp;format=csv\">导出 CSV</a></p>"
        ));
        if rows.is_empty() {
            o.push_str("<p class=\"muted\">没有找到您可以查看的办件。</p>");
        } else {
            o.push_str("<div class=\"scroll\"><table><tr><th>受理编号</th><th>申请人</th><th>事项</th><th>状态</th><th>最近期限</th></tr>");
            for r in rows.iter().take(PAGE) {
                let status = noveto_domain::case::Status::ALL.iter().find(|x| x.as_str() == r.status).map(|x| x.label()).unwrap_or("");
                o.push_str(&format!(
                    "<tr><td><a href=\"/cases/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    r.id,
                    esc(&r.receipt_no),
                    esc(&r.applicant),
                    esc(&r.request),
                    status,
                    row_due_cell(&s, r.next_due.as_deref(), &r.open_deadlines)
                ));
            }
            o.push_str("</table></div>");
        }
        let mut nav = vec![];
        if page > 1 {
            nav.push(format!("<a href=\"/search?q={enc}&amp;page={}\">上一页</a>", page - 1));
        }
        if more {
            nav.push(format!("<a href=\"/search?q={enc}&amp;page={}\">下一页</a>", page + 1));
        }
        o.push_str(&format!("<p>{}</p></section>", nav.join(" · ")));
        Ok(o)
    }
    .await;
    render(&p, large, "查找办件", r)
}

async fn workbench(s: &AppState, p: &Principal) -> ApiResult<String> {
    let rows = svc::own_open(s, p).await?;
    let windows: Vec<i64> = p
        .grants
        .iter()
        .filter(|g| g.scope.kind == noveto_domain::access::ScopeKind::Window)
        .map(|g| g.scope.id)
        .collect();
    let all_windows = noveto_app::org::directory(s).await?.windows;
    let options: String = all_windows
        .iter()
        .filter(|w| windows.contains(&w.id))
        .map(|w| format!("<option value=\"{}\">{}</option>", w.id, esc(&w.name)))
        .collect();
    let window_field = if options.is_empty() {
        String::new()
    } else {
        format!("<label>受理窗口<select name=\"window_id\">{options}</select></label>")
    };
    let mut list = String::new();
    if rows.is_empty() {
        list.push_str(&format!("<p class=\"muted\">{}</p>", t().no_my_cases));
    } else {
        list.push_str(&format!(
            "<table><tr><th>{}</th><th>{}</th><th>诉求</th><th>{}</th><th>{}</th></tr>",
            t().receipt_no,
            t().applicant,
            t().status,
            t().due
        ));
        for r in rows {
            let label = Status::ALL.iter().find(|x| x.as_str() == r.status).map(|x| x.label()).unwrap_or("");
            list.push_str(&format!(
                "<tr><td><a href=\"/cases/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.id,
                esc(&r.receipt_no),
                esc(&r.applicant),
                esc(&r.request),
                label,
                row_due_cell(s, r.next_due.as_deref(), &r.open_deadlines)
            ));
        }
        list.push_str("</table>");
    }
    Ok(format!(
        "{faq}<section class=\"card\"><h2>{new}</h2><form method=\"post\" action=\"/cases\">{csrf}<div class=\"grid\">\
<label>{kind}<select name=\"kind\"><option value=\"application\">办事申请</option><option value=\"consultation\">咨询</option></select></label>\
<label>{channel}<select name=\"channel\"><option value=\"window\">窗口</option><option value=\"phone\">电话</option><option value=\"online\">网上</option></select></label>\
<label>{applicant}<input name=\"name\" required maxlength=\"50\"></label><label>{phone}<input name=\"phone\" required inputmode=\"tel\" placeholder=\"13812345678\"></label>\
<label>{org}<input name=\"org\" maxlength=\"100\"></label><label>{cc}<input name=\"credit_code\" maxlength=\"18\"></label>\
<label>{item}<input name=\"item_code\" list=\"items\" maxlength=\"40\"></label>{window_field}</div>\
<label>{request}<textarea name=\"request\" required maxlength=\"4000\"></textarea></label><button type=\"submit\">{submit}</button></form>{datalist}</section>\
<section class=\"card\"><h2>{mine}</h2>{list}</section>{search}",
        search = case_search_box(""),
        new = t().new_case,
        csrf = csrf_field(p),
        kind = t().kind,
        channel = t().channel,
        applicant = t().applicant,
        phone = t().phone,
        org = t().org,
        cc = t().credit_code,
        item = t().item,
        request = t().request,
        submit = t().submit,
        mine = t().my_cases,
        datalist = item_datalist(s).await?,
        faq = faq_box(None, ""),
    ))
}

async fn item_datalist(s: &AppState) -> ApiResult<String> {
    let all = noveto_app::catalog::all_items(s).await?;
    let opts: String =
        all.iter().map(|i| format!("<option value=\"{}\">{}</option>", esc(&i.code), esc(&i.name))).collect();
    Ok(format!("<datalist id=\"items\">{opts}</datalist>"))
}

pub async fn new_case(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        let b = svc::CaseIn {
            kind: val(&f, "kind"),
            channel: val(&f, "channel"),
            item_code: Some(val(&f, "item_code")),
            applicant: svc::ApplicantIn {
                name: val(&f, "name"),
                org: Some(val(&f, "org")),
                credit_code: Some(val(&f, "credit_code")),
                id_card: None,
                phone: val(&f, "phone"),
            },
            request: val(&f, "request"),
            window_id: val(&f, "window_id").parse().ok(),
        };
        let parsed = svc::parse_case(b)?;
        let (id, _, _) = svc::open_case(&s, &p, parsed).await?;
        Ok::<_, ApiError>(id)
    }
    .await;
    match r {
        Ok(id) => Redirect::to(&format!("/cases/{id}")).into_response(),
        Err(e) => {
            // Show the error next to the form, with what was typed kept.
            let body = match workbench(&s, &p).await {
                Ok(wb) => keep_input(&wb, &f),
                Err(_) => String::new(),
            };
            // Beside its field when the form has it; above the form otherwise (never a key).
            let (body, placed) = match e.field {
                Some(k) => error_beside(&body, k, &e.message),
                None => (body, false),
            };
            let msg =
                if placed { String::new() } else { format!("<p class=\"err\" role=\"alert\">{}</p>", esc(&e.message)) };
            (e.status, layout(Some(&p), large, t().workbench, &format!("{msg}{body}"))).into_response()
        }
    }
}

/// Puts an error right after the form control named `field` (an `<input>`, `<select>` or
/// `<textarea>`); returns whether the form had one.
fn error_beside(html: &str, field: &str, message: &str) -> (String, bool) {
    let Some(at) = html.find(&format!("name=\"{field}\"")) else {
        return (html.to_string(), false);
    };
    let before = &html[..at];
    let tag_start = before.rfind('<').unwrap_or(0);
    let end = if html[tag_start..].starts_with("<textarea") {
        html[at..].find("</textarea>").map(|i| at + i + "</textarea>".len())
    } else if html[tag_start..].starts_with("<select") {
        html[at..].find("</select>").map(|i| at + i + "</select>".len())
    } else {
        html[at..].find('>').map(|i| at + i + 1)
    };
    match end {
        Some(end) => (
            format!("{}<span class=\"err\" role=\"alert\">{}</span>{}", &html[..end], esc(message), &html[end..]),
            true,
        ),
        None => (html.to_string(), false),
    }
}

/// Puts submitted values back into the workbench form's inputs.
fn keep_input(html: &str, f: &HashMap<String, String>) -> String {
    let mut out = html.to_string();
    for k in ["name", "phone", "org", "credit_code", "item_code"] {
        if let Some(v) = f.get(k) {
            out = out.replacen(&format!("name=\"{k}\""), &format!("name=\"{k}\" value=\"{}\"", esc(v)), 1);
        }
    }
    if let Some(v) = f.get("request") {
        out = out.replacen("maxlength=\"4000\"></textarea>", &format!("maxlength=\"4000\">{}</textarea>", esc(v)), 1);
    }
    out
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
    match case_body_with(&s, &p, id, None, draft.as_deref().unwrap_or(""), None, None).await {
        Ok(b) => layout(Some(&p), large, "办件", &b).into_response(),
        Err(e) => error_page(Some(&p), large, &e),
    }
}

/// A case action that failed: its form is shown open again, with what was typed and the
/// message inside it (screens issue: forms keep what was typed; no dead ends).
pub struct Redo<'a> {
    pub action: &'a str,
    pub form: &'a HashMap<String, String>,
    pub message: &'a str,
}

impl Redo<'_> {
    /// The key of a form: its action, and for closing forms their outcome.
    fn matches(&self, action: &str, inner: &str) -> bool {
        let outcome =
            |s: &str| s.split("name=\"outcome\" value=\"").nth(1).and_then(|x| x.split('"').next()).map(String::from);
        action == self.action && (action != "close" || outcome(inner) == self.form.get("outcome").cloned())
    }

    /// The form's inputs and text areas with what was typed (escaped).
    fn refill(&self, inner: &str) -> String {
        let mut s = inner.to_string();
        for (k, v) in self.form.iter().filter(|(k, _)| k.as_str() != "csrf") {
            let v = esc(v);
            let area = format!("<textarea name=\"{k}\"");
            if let Some(i) = s.find(&area)
                && let Some(j) = s[i..].find('>')
            {
                let at = i + j + 1;
                if s[at..].starts_with("</textarea>") {
                    s.insert_str(at, &v);
                }
            }
            let input = format!("<input name=\"{k}\"");
            s = s.replacen(&input, &format!("<input name=\"{k}\" value=\"{v}\""), 1);
        }
        // NV-14: after a refusal-wording warning the form offers to confirm the wording.
        if self.message.contains("推诿用语") {
            let confirm = format!(
                "<label><input type=\"checkbox\" name=\"confirm_phrases\" value=\"1\"> {}</label>",
                t().confirm_wording
            );
            if let Some(i) = s.rfind("<button") {
                s.insert_str(i, &confirm);
            }
        }
        format!("<p class=\"err\" role=\"alert\">{}</p>{s}", esc(self.message))
    }
}

async fn case_body_with(
    s: &AppState,
    p: &Principal,
    id: i64,
    flash: Option<&str>,
    reply_draft: &str,
    reply_flags: Option<&noveto_domain::phrases::Check>,
    redo: Option<&Redo<'_>>,
) -> ApiResult<String> {
    let l = svc::load(s, p, id, Action::ReadCase).await?;
    let j = svc::case_json(s, p, &l).await?;
    let c = &l.case;
    let item = match c.item_code.clone() {
        Some(code) => noveto_app::catalog::get_item(s, &code).await?,
        None => None,
    };
    let mut o = String::new();
    if let Some(f) = flash {
        o.push_str(&format!("<p class=\"err\" role=\"alert\">{}</p>", esc(f)));
    }
    // NV-3: the two ends of a warm handoff link to each other.
    if let Some(n) = c.linked_case_id {
        o.push_str(&format!("<p class=\"note\">已转交，接收单位另立的办件：<a href=\"/cases/{n}\">查看</a></p>"));
    }
    if let Some(n) = c.linked_from {
        o.push_str(&format!("<p class=\"note\">本办件由其他窗口转交而来：<a href=\"/cases/{n}\">原办件</a></p>"));
    }
    o.push_str(&format!(
        "<section class=\"card\"><h1>{} <span class=\"pill\">{}</span></h1><div class=\"grid\"><div>{}：{}（{}）{}</div><div>事项：{}</div><div>{}：{}</div><div>首问责任人：{}</div><div>跑动次数：{}</div><div>政策：{} 第 {} 版</div></div><p>{}</p></section>",
        esc(&c.receipt_no),
        c.outcome.map(|o| o.label()).unwrap_or(c.status.label()),
        t().applicant,
        esc(&c.applicant.name),
        // The same decision as the API's (`case_json`): in full for those working the matter.
        esc(j["applicant"]["phone"].as_str().unwrap_or("")),
        c.applicant.org.as_deref().map(|o| format!("，{}", esc(o))).unwrap_or_default(),
        item.as_ref().map(|i| format!("{}（{}）", esc(&i.name), esc(&i.code))).unwrap_or_else(|| "未指定".into()),
        t().opened,
        crate::ui::when(&noveto_domain::time::rfc3339(c.opened_at)),
        j["timeline"][0]["actor_name"].as_str().map(esc).unwrap_or_default(),
        c.visits,
        esc(&l.policy.name),
        c.policy_version,
        esc(&c.request).replace('\n', "<br>")
    ));
    // Deadlines with their rule and source.
    if !c.deadlines.is_empty() {
        let cal = l.cal.clone();
        let now = s.now();
        o.push_str(&format!(
            "<section class=\"card\"><h2>{}</h2><table><tr><th>事项</th><th>到期日</th><th>状态</th><th>依据</th></tr>",
            t().deadlines
        ));
        for d in &c.deadlines {
            let due_day = d.due(&cal, now).ok();
            let due = due_day.map(|x| x.to_string());
            let st = d.state(&cal, now, l.policy.due_soon_days).map(|x| x.label()).unwrap_or("");
            // CAL-2: a due day in a year without an imported notice says so.
            let provisional = match due_day {
                Some(x) if cal.is_provisional(x) => {
                    format!("<br><small class=\"warn\">{}</small>", noveto_domain::calendar::PROVISIONAL_NOTE)
                }
                _ => String::new(),
            };
            o.push_str(&format!(
                "<tr><td>{}</td><td>{}{provisional}</td><td>{}</td><td title=\"{}\">{}<br><small class=\"muted\">{}</small></td></tr>",
                crate::ui::what_label(&d.what),
                if d.met_at.is_some() { due.clone().unwrap_or_default() } else { due_cell(s, due.as_deref()) },
                st,
                esc(&d.source.clause),
                rule_text(&d.rule),
                esc(&d.source.document)
            ));
        }
        o.push_str("</table></section>");
    }
    // The same access decision as the actions themselves (`cases::load`).
    if c.status != Status::Closed && svc::load(s, p, id, Action::WorkCase).await.is_ok() {
        let can_place = c.status == Status::Unplaced && svc::may_place(s, p, &l.place).await.is_ok();
        o.push_str(&faq_box(Some(id), ""));
        o.push_str(&reply_box(p, id, reply_draft, reply_flags));
        // Where a referral can send the person: every unit and window, picked by name.
        let noveto_app::org::Directory { units, windows, .. } = noveto_app::org::directory(s).await?;
        o.push_str(&actions(
            p,
            id,
            c,
            item.as_ref(),
            &j,
            &l.policy,
            &referral_targets(&units, &windows),
            redo,
            can_place,
        ));
    }
    // Approvals on this case for those who decide.
    if let Some(esc_obj) = j["open_escalation"].as_object() {
        let level = esc_obj.get("level").and_then(|v| v.as_str()).and_then(DecisionLevel::parse);
        if let Some(level) = level
            && p.may(Action::Decide(level), &l.place).is_ok()
        {
            let eid = esc_obj.get("id").and_then(|v| v.as_i64()).unwrap_or(0);
            o.push_str(&format!(
                    "<section class=\"card\"><h2>答复请示（{}）</h2><p>{}</p><form method=\"post\" action=\"/escalations/{eid}/answer\">{}<label>答复内容<textarea name=\"answer\" required></textarea></label><button>答复</button></form></section>",
                    level.label(),
                    esc(esc_obj.get("reason").and_then(|v| v.as_str()).unwrap_or("")),
                    csrf_field(p)
                ));
        }
    }
    // Where the matter stands, in words: the veto request's levels and opinions, what to do next.
    if let Some(chain) = j["veto_chain"].as_array() {
        o.push_str("<section class=\"card\"><h2>否决报批</h2><ul>");
        for d in chain {
            o.push_str(&format!(
                "<li>{} {} {} {}：{}</li>",
                esc(&crate::ui::when(d["at"].as_str().unwrap_or(""))),
                esc(d["level_label"].as_str().unwrap_or("")),
                esc(&format!(
                    "{}{}",
                    d["decided_by_name"].as_str().unwrap_or(""),
                    if d["on_behalf"] == true { "（代行）" } else { "" }
                )),
                if d["approve"] == true { "同意" } else { "不同意" },
                esc(d["opinion"].as_str().filter(|x| !x.is_empty()).unwrap_or("（未填写意见）"))
            ));
        }
        if let Some(level) = j["veto_level"].as_str().and_then(DecisionLevel::parse) {
            o.push_str(&format!("<li><strong>现由{}审批</strong></li>", level.label()));
        }
        o.push_str("</ul>");
        if j["veto_approved"] == true && c.closed_at.is_none() {
            o.push_str("<p class=\"note\">已批准否决，请办结并出具不予受理通知书。</p>");
        }
        o.push_str("</section>");
    }
    if c.closed_at.is_none()
        && c.status != Status::Escalated
        && j["timeline"]
            .as_array()
            .and_then(|a| a.iter().rev().find(|e| e["kind"] == "escalation_answered" || e["kind"] == "reply"))
            .is_some_and(|e| e["kind"] == "escalation_answered")
    {
        o.push_str("<section class=\"card\"><p class=\"note\">请示已答复，请答复群众。</p></section>");
    }
    // Documents.
    let mut docs = vec![];
    if !c.notified.is_empty() {
        docs.push(("notice", "一次性告知书"));
    }
    if c.referral.is_some() {
        docs.push(("referral", "指引单"));
    }
    if j["timeline"].as_array().is_some_and(|a| a.iter().any(|e| e["kind"] == "escalated")) {
        docs.push(("reply-card", "答复卡"));
    }
    if c.veto_request_id.is_some() {
        docs.push(("veto-filing-form", "否决事项报备登记表（一式三份）"));
    }
    if c.outcome == Some(noveto_domain::case::Outcome::Vetoed) {
        docs.push(("refusal-notice", "不予受理/不予许可通知书"));
    }
    if !docs.is_empty() {
        o.push_str(&format!("<section class=\"card\"><h2>{}</h2><ul>", t().print));
        for (k, l) in docs {
            o.push_str(&format!(
                "<li>{l}：<a href=\"/api/v1/cases/{id}/documents/{k}.html\" target=\"_blank\">打印视图</a> · <a href=\"/api/v1/cases/{id}/documents/{k}.pdf\">PDF</a></li>"
            ));
        }
        o.push_str("</ul></section>");
    }
    o.push_str(&format!(
        "<section class=\"card\"><h2>{}</h2><table><tr><th>时间</th><th>经办人</th><th>事项</th></tr>",
        t().timeline
    ));
    for e in j["timeline"].as_array().cloned().unwrap_or_default() {
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&crate::ui::when(e["at"].as_str().unwrap_or(""))),
            esc(e["actor_name"].as_str().unwrap_or("系统")),
            esc(&crate::ui::describe(e["kind"].as_str().unwrap_or(""), &e["detail"]))
        ));
    }
    o.push_str("</table></section>");
    Ok(o)
}

fn rule_text(r: &noveto_domain::deadline::Rule) -> String {
    match r {
        noveto_domain::deadline::Rule::WorkingDays { days } => format!("{days} 个工作日"),
        noveto_domain::deadline::Rule::SameDay => "当日".into(),
        noveto_domain::deadline::Rule::Manual { due } => format!("人工设定：{due}"),
    }
}

/// The referral form's pickers: units and their windows by name (never a number to type).
fn referral_targets(units: &[org::Unit], windows: &[org::Window]) -> String {
    let unit_opts: String =
        units.iter().map(|u| format!("<option value=\"{}\">{}</option>", u.id, esc(&u.name))).collect();
    let window_opts: String = windows
        .iter()
        .map(|w| {
            let unit =
                w.unit_id.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.as_str()).unwrap_or("中心");
            format!("<option value=\"{}\">{} · {}</option>", w.id, esc(unit), esc(&w.name))
        })
        .collect();
    format!(
        "<label>接收单位（转交时必选）<select name=\"to_unit_id\"><option value=\"\">（不转交，仅指引）</option>{unit_opts}</select></label>\
<label>接收窗口（可选）<select name=\"to_window_id\"><option value=\"\">（该单位任一窗口）</option>{window_opts}</select></label>"
    )
}

#[allow(clippy::too_many_arguments)]
fn actions(
    p: &Principal,
    id: i64,
    c: &noveto_domain::case::Case,
    item: Option<&items::Item>,
    j: &serde_json::Value,
    policy: &noveto_domain::policy::Policy,
    targets: &str,
    redo: Option<&Redo<'_>>,
    can_place: bool,
) -> String {
    let csrf = csrf_field(p);
    let act = |a: &str, label: &str, inner: &str| match redo.filter(|r| r.matches(a, inner)) {
        Some(r) => format!(
            "<details open><summary>{label}</summary><form method=\"post\" action=\"/cases/{id}/act/{a}\">{csrf}{}</form></details>",
            r.refill(inner)
        ),
        None => format!(
            "<details><summary>{label}</summary><form method=\"post\" action=\"/cases/{id}/act/{a}\">{csrf}{inner}</form></details>"
        ),
    };
    let mut o = format!("<section class=\"card\"><h2>{}</h2><p class=\"note\">{}</p>", t().actions, t().no_veto_note);
    // The buttons come from the domain's one state machine (`Case::offers`).
    let offers = c.offers(&item.map(|i| i.rules()).unwrap_or_default());
    if offers.accept {
        o.push_str(&format!(
            "<form method=\"post\" action=\"/cases/{id}/act/accept\">{csrf}<button>受理</button></form>"
        ));
    }
    if offers.ask_placement {
        o.push_str(&act(
            "ask_placement",
            "归属不明（交负责人分办）",
            "<label>情况说明（群众要办什么、已了解到什么）<textarea name=\"question\" required></textarea></label><button>交窗口负责人、大厅负责人或综合咨询台分办</button>",
        ));
    }
    if offers.place_here && can_place {
        o.push_str(&format!(
            "<p class=\"note\">归属不明，待分办：请确定由本窗口办理，或用“指引”告知去处（可转交）。</p><form method=\"post\" action=\"/cases/{id}/act/place_here\">{csrf}<button>由本窗口办理</button></form>"
        ));
    }
    if offers.refer {
        o.push_str(&act(
            "referral",
            "指引（不属本窗口）",
            &format!("<label>去处（单位/窗口/地址）<input name=\"address\" required></label><label>联系人及电话<input name=\"contact\" required></label><label>怎么办<textarea name=\"how\" required></textarea></label>{targets}<label><input type=\"checkbox\" name=\"handoff\" value=\"1\"> 帮助转交（接收单位须确认）</label><button>出具指引单</button>"),
        ));
    }
    if offers.notice {
        let mats: String = item
            .map(|i| {
                i.materials
                    .iter()
                    .enumerate()
                    .map(|(k, m)| {
                        format!(
                            "<label><input type=\"checkbox\" name=\"m{k}\" value=\"{}\"> {}{}</label><input type=\"hidden\" name=\"h{k}\" value=\"{}\">",
                            esc(&m.name),
                            esc(&m.name),
                            if m.main { "（主件）" } else { "" },
                            esc(if m.common_errors.is_empty() { &m.sample } else { &m.common_errors })
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let extra = "<label>其他缺少的材料（每行一项：材料名称|如何补正）<textarea name=\"other\"></textarea></label>";
        o.push_str(&act(
            "notice",
            "一次性告知（材料不全）",
            &format!(
                "{mats}{extra}{}<button>出具一次性告知书</button>",
                if c.notified.is_empty() {
                    String::new()
                } else {
                    // NV-4: a later notice may not add materials on the clerk's own say.
                    "<p class=\"note\">已出具过一次性告知：再次告知不得新增材料。确需新增的，写明理由，提交窗口负责人批准。</p><label><input type=\"checkbox\" name=\"ask_growth\" value=\"1\"> 新增材料，提交窗口负责人批准</label><label>新增理由<input name=\"growth_reason\"></label>".to_string()
                }
            ),
        ));
        if offers.deficiency {
            o.push_str(&act(
                "deficiency",
                "容缺受理",
                &format!("{mats}{extra}<label><input type=\"checkbox\" name=\"commitment_signed\" value=\"1\"> 申请人已签署容缺承诺书</label><label>补正期限（工作日）<input name=\"supplement_days\" value=\"{}\" inputmode=\"numeric\"></label><button>容缺受理</button>", policy.supplement_days),
            ));
        }
    }
    if offers.supplement {
        o.push_str(&format!(
            "<form method=\"post\" action=\"/cases/{id}/act/supplement\">{csrf}<button>容缺材料已补齐</button></form>"
        ));
    }
    if offers.commitment {
        o.push_str(&act("commitment", "告知承诺制办结", "<label>承诺书内容<textarea name=\"commitment\" required></textarea></label><button>按告知承诺办结</button>"));
    }
    if offers.escalate {
        o.push_str(&act(
            "escalate",
            "请示（政策不明确）",
            &format!(
                "<label>请示事由<textarea name=\"reason\" required></textarea></label><label><input type=\"checkbox\" name=\"major\" value=\"1\"> 重大/疑难事项</label>{}<button>提交请示</button>",
                if policy.gray_area.expert_study {
                    "<details><summary>需专家论证（期限人工设定）</summary><label>答复期限<input name=\"expert_due\" type=\"date\"></label><label>人工设定期限的理由<input name=\"expert_reason\"></label></details>"
                } else {
                    ""
                }
            ),
        ));
    }
    if offers.request_veto {
        o.push_str(&act(
            "veto",
            "申请否决（须报批）",
            "<label>否决理由<textarea name=\"reason\" required></textarea></label><label>法律依据<textarea name=\"legal_basis\" required></textarea></label><label><input type=\"checkbox\" name=\"major\" value=\"1\"> 重大/特殊事项</label><button>提交否决报批</button>",
        ));
    }
    if offers.close_approved {
        o.push_str(&format!("<form method=\"post\" action=\"/cases/{id}/act/close\">{csrf}<input type=\"hidden\" name=\"outcome\" value=\"approved\"><button>办结（准予）</button></form>"));
    }
    if offers.answer_consultation {
        o.push_str(&act("close", "答复咨询并办结", "<input type=\"hidden\" name=\"outcome\" value=\"answered\"><label>答复内容<textarea name=\"note\" required></textarea></label><button>答复并办结</button>"));
    }
    if let Some(vid) = c.veto_request_id
        && j["veto_approved"].as_bool().unwrap_or(false)
    {
        o.push_str(&format!(
                "<form method=\"post\" action=\"/cases/{id}/act/close\">{csrf}<input type=\"hidden\" name=\"outcome\" value=\"vetoed\"><input type=\"hidden\" name=\"veto_request_id\" value=\"{vid}\"><button class=\"secondary\">否决已获批准：出具不予受理通知书并办结</button></form>"
            ));
    }
    // NV-2: a withdrawal is the applicant's own written act, confirmed by the window head (not
    // the person who recorded it); only then can the case close as withdrawn.
    let withdrawals = j["withdrawals"].as_array().cloned().unwrap_or_default();
    let head = p.may(
        Action::Decide(DecisionLevel::WindowHead),
        &noveto_domain::access::Place { centers: vec![c.center_id], unit: c.unit_id, window: c.window_id },
    );
    for w in &withdrawals {
        let wid = w["id"].as_i64().unwrap_or(0);
        if w["confirmed_by"].is_null() {
            o.push_str(&format!(
                "<p class=\"note\">申请人书面撤回申请（待窗口负责人确认）：{}</p>",
                esc(w["statement"].as_str().unwrap_or(""))
            ));
            if head.is_ok() && w["recorded_by"].as_i64() != Some(p.id) {
                o.push_str(&act(
                    "confirm_withdrawal",
                    "确认撤回申请",
                    &format!("<input type=\"hidden\" name=\"withdrawal_id\" value=\"{wid}\"><button>确认撤回</button>"),
                ));
            }
        } else {
            o.push_str(&act("close", "以“申请人撤回”办结", &format!("<input type=\"hidden\" name=\"outcome\" value=\"withdrawn\"><input type=\"hidden\" name=\"withdrawal_id\" value=\"{wid}\"><label>说明<input name=\"note\"></label><button class=\"secondary\">办结（申请人撤回）</button>")));
        }
    }
    if head.is_ok() && offers.not_required {
        o.push_str(&act("close", "依法无需办理（窗口负责人）", "<input type=\"hidden\" name=\"outcome\" value=\"not_required\"><label>法律依据（为何无需许可）<textarea name=\"legal_basis\" required></textarea></label><label>说明<input name=\"note\"></label><button class=\"secondary\">确认依法无需办理并办结</button>"));
    }
    if offers.change_kind {
        let (to, label) = match c.kind {
            noveto_domain::case::Kind::Application => ("consultation", "改为咨询（登记有误）"),
            noveto_domain::case::Kind::Consultation => ("application", "改为申请（群众要办理）"),
        };
        o.push_str(&act(
            "kind",
            label,
            &format!("<input type=\"hidden\" name=\"kind\" value=\"{to}\"><label>理由<input name=\"reason\" required></label><button class=\"secondary\">更正办件类型</button>"),
        ));
    }
    if offers.withdraw && withdrawals.is_empty() {
        o.push_str(&act("withdraw", "申请人撤回", "<label>申请人书面撤回申请的内容<textarea name=\"statement\" required placeholder=\"如：本人因股东会决议未作出，自愿撤回本次申请。\"></textarea></label><button class=\"secondary\">登记撤回申请（须窗口负责人确认）</button>"));
    }
    o.push_str("</section>");
    o
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

pub async fn case_action(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath((id, action)): ApiPath<(i64, String)>,
    axum::Form(f): Form,
) -> Response {
    let r: ApiResult<()> = async {
        check_csrf(&p, &f)?;
        let on = |k: &str| f.get(k).is_some_and(|v| v == "1" || v == "on");
        Ok(match action.as_str() {
            "accept" => svc::do_accept(&s, &p, id).await,
            "referral" => {
                let b = ReferralIn {
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
                    EscalationIn { reason: val(&f, "reason"), major: on("major"), expert_study },
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
            "reply" => {
                let text = val(&f, "text");
                let confirm = on("confirm");
                let check = noveto_domain::phrases::check(&text);
                if !check.flagged.is_empty() && !confirm {
                    let body = case_body_with(&s, &p, id, Some(t().reply_flagged), &text, Some(&check), None).await?;
                    return Err(ApiError {
                        status: axum::http::StatusCode::CONFLICT,
                        code: "refusal_phrases",
                        message: body,
                        field: Some("page"),
                    });
                }
                svc::do_reply(&s, &p, id, svc::SendReplyIn { text, confirm }).await.map(|_| ())
            }
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
                let wid = val(&f, "withdrawal_id").parse().map_err(|_| noveto_app::Error::not_found("撤回申请"))?;
                svc::do_confirm_withdrawal(&s, &p, wid).await.map(|_| ())
            }
            _ => Err(noveto_app::Error::not_found("操作")),
        }?)
    }
    .await;
    match r {
        // Back to the case — or, for a desk that placed a matter and no longer reads it, the inbox.
        Ok(()) if svc::load(&s, &p, id, Action::ReadCase).await.is_err() => Redirect::to("/inbox").into_response(),
        Ok(()) => Redirect::to(&format!("/cases/{id}")).into_response(),
        // A page already rendered (the reply check with the draft kept).
        Err(e) if e.field == Some("page") => (e.status, layout(Some(&p), large, "办件", &e.message)).into_response(),
        Err(e) => {
            let redo = Redo { action: &action, form: &f, message: &e.message };
            match case_body_with(&s, &p, id, Some(&e.message), "", None, Some(&redo)).await {
                Ok(b) => (e.status, layout(Some(&p), large, "办件", &b)).into_response(),
                Err(_) => error_page(Some(&p), large, &e),
            }
        }
    }
}

/// Veto requests and escalations waiting at a level the visitor holds, for a place they cover.
pub async fn inbox(State(s): State<AppState>, Visitor(p): Visitor, Large(large): Large) -> Response {
    let r = async {
        let svc::Inbox { vetoes, escalations: escs } = svc::inbox(&s, &p).await?;
        let csrf = csrf_field(&p);
        let mut o = format!("<section class=\"card\"><h2>{}</h2>", t().vetoes_waiting);
        if vetoes.is_empty() {
            o.push_str(&format!("<p class=\"muted\">{}</p>", t().inbox_empty));
        }
        for (v, case, on_behalf) in &vetoes {
            let (cid, case) = (v.case_id, Some(case));
            let level = format!("{}{}", v.level().map(|l| l.label()).unwrap_or(""), if *on_behalf { "（代行）" } else { "" });
            let due = case.and_then(|c| c.deadlines.iter().rev().find(|d| d.what == "veto_decision")).and_then(|d| d.due(&s.calendar(), s.now()).ok()).map(|d| d.to_string());
            o.push_str(&format!(
                "<div class=\"card\"><p><a href=\"/cases/{cid}\">{}</a> {} · 审批层级：{} · 期限：{}</p><p><b>理由：</b>{}</p><p><b>法律依据：</b>{}</p><p class=\"muted\">{}</p>\
<form method=\"post\" action=\"/veto-requests/{}/decide\">{csrf}<label>{}<textarea name=\"opinion\" required placeholder=\"同意的写明理由；不同意的写明如何办成\"></textarea></label>\
<label><input type=\"checkbox\" name=\"confirm\" value=\"1\" required> 我已审阅理由、法律依据和申请材料，本人作出此层级的审批</label>\
<button name=\"approve\" value=\"1\">{}</button><button name=\"approve\" value=\"0\" class=\"secondary\">{}</button></form></div>",
                esc(case.as_ref().map(|c| c.receipt_no.as_str()).unwrap_or("")),
                esc(case.as_ref().map(|c| c.applicant.name.as_str()).unwrap_or("")),
                level,
                due_cell(&s, due.as_deref()),
                esc(&v.reason),
                esc(&v.legal_basis),
                esc(case.as_ref().map(|c| c.request.as_str()).unwrap_or("")),
                v.id,
                t().opinion,
                t().approve,
                t().deny
            ));
        }
        o.push_str("</section>");
        o.push_str(&handoff_section(&s, &p, true).await?);
        // NV-4: later notices that would add materials, for the window head.
        let growth = svc::growth_queue(&s, &p).await?;
        if !growth.is_empty() {
            o.push_str("<section class=\"card\"><h2>待批准的新增告知材料</h2>");
            for (cid, c) in &growth {
                let Some(g) = &c.growth_request else { continue };
                let mats: Vec<String> = g.missing.iter().map(|m| m.material.clone()).collect();
                o.push_str(&format!(
                    "<div class=\"card\"><p><a href=\"/cases/{cid}\">{}</a> {} · 新增：{}</p><p><b>理由：</b>{}</p><form method=\"post\" action=\"/cases/{cid}/act/decide_growth\">{csrf}<label>意见（不同意的须写明）<input name=\"opinion\"></label><button name=\"approve\" value=\"1\">同意新增并出具告知书</button><button name=\"approve\" value=\"0\" class=\"secondary\">不同意</button></form></div>",
                    esc(&c.receipt_no),
                    esc(&c.applicant.name),
                    esc(&mats.join("、")),
                    esc(&g.reason)
                ));
            }
            o.push_str("</section>");
        }
        // NV-3: matters nobody at the window could place, for the window head or hall manager.
        let queue = svc::placement_queue(&s, &p).await?;
        if !queue.is_empty() {
            o.push_str("<section class=\"card\"><h2>归属不明、待分办的事项</h2>");
            for (cid, c) in &queue {
                let due = c.deadlines.iter().rev().find(|d| d.what == "placement").and_then(|d| d.due(&s.calendar(), s.now()).ok()).map(|d| d.to_string());
                o.push_str(&format!(
                    "<div class=\"card\"><p><a href=\"/cases/{cid}\">{}</a> {} · 期限：{}</p><p>{}</p></div>",
                    esc(&c.receipt_no),
                    esc(&c.applicant.name),
                    due_cell(&s, due.as_deref()),
                    esc(&c.request)
                ));
            }
            o.push_str("</section>");
        }
        o.push_str(&format!("<section class=\"card\"><h2>{}</h2>", t().escalations_waiting));
        if escs.is_empty() {
            o.push_str(&format!("<p class=\"muted\">{}</p>", t().inbox_empty));
        }
        for (e, case) in &escs {
            let case = Some(case);
            o.push_str(&format!(
                "<div class=\"card\"><p><a href=\"/cases/{}\">{}</a> {} · {} · {} · 期限：{}</p><p>{}</p><p class=\"muted\">{}</p><form method=\"post\" action=\"/escalations/{}/answer\">{csrf}{}<label>答复<textarea name=\"answer\" required></textarea></label><button>答复</button></form></div>",
                e.case_id,
                esc(case.as_ref().map(|c| c.receipt_no.as_str()).unwrap_or("")),
                esc(case.as_ref().map(|c| c.applicant.name.as_str()).unwrap_or("")),
                DecisionLevel::parse(&e.level).map(|l| l.label()).unwrap_or(""),
                if e.major { "重大事项" } else { "一般事项" },
                due_cell(&s, Some(&e.due[..10.min(e.due.len())])),
                esc(&e.reason),
                esc(case.as_ref().map(|c| c.request.as_str()).unwrap_or("")),
                e.id,
                if e.level == "collective" {
                    "<label>参会人员（每行一人，写明职务）<textarea name=\"participants\" required></textarea></label><label>会议结论<textarea name=\"conclusion\" required></textarea></label>"
                } else {
                    ""
                }
            ));
        }
        o.push_str("</section>");
        Ok::<_, ApiError>(o)
    }
    .await;
    render(&p, large, t().inbox, r)
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
            return Err(ApiError::bad("confirmation_required", "请勾选确认：已审阅理由、法律依据和申请材料"));
        }
        Ok(svc::do_decide(&s, &p, id, DecisionIn { approve: val(&f, "approve") == "1", opinion: val(&f, "opinion") })
            .await?)
    }
    .await;
    go_to(&p, large, r.map(|_| "/inbox".to_string()))
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
    go_to(&p, large, r.map(|case_id| format!("/cases/{case_id}")))
}

#[derive(serde::Deserialize)]
pub struct MonthQ {
    month: Option<String>,
}

pub async fn filings(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::extract::Query(q): axum::extract::Query<MonthQ>,
) -> Response {
    let r = async {
        let now = s.now();
        let month = svc::parse_month(&q.month.unwrap_or_else(|| now.format("%Y-%m").to_string()))?;
        let f = svc::visible_filings(&s, &p, &month).await?;
        let units = noveto_app::org::directory(&s).await?.units;
        let unit_name = |id: Option<i64>| id.and_then(|i| units.iter().find(|u| u.id == i)).map(|u| u.name.clone()).unwrap_or_default();
        let mut o = format!(
            "<section class=\"card\"><h1>否决事项报备（{month}）</h1><form method=\"get\"><label>月份<input name=\"month\" value=\"{month}\" pattern=\"\\d{{4}}-\\d{{2}}\"></label><button>查看</button></form>"
        );
        if f.is_empty() {
            o.push_str("<p class=\"muted\">本月没有否决报备。窗口无否决权：多数事项都能办成。</p>");
        } else {
            o.push_str("<div class=\"scroll\"><table><tr><th>受理编号</th><th>单位</th><th>报备（头）</th><th>结果（尾）</th><th>结果</th><th>登记表</th></tr>");
            for x in &f {
                o.push_str(&format!(
                    "<tr><td><a href=\"/cases/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/api/v1/cases/{}/documents/veto-filing-form.pdf\">打印</a></td></tr>",
                    x.case_id,
                    esc(x.receipt_no.as_deref().unwrap_or("—")),
                    esc(&unit_name(x.unit_id)),
                    esc(&crate::ui::when(&x.opened_at)),
                    esc(&x.closed_at.as_deref().map(crate::ui::when).unwrap_or_else(|| "—".into())),
                    match x.outcome.as_deref() {
                        Some("approved") => "批准否决",
                        Some("denied") => "不予否决（继续办理）",
                        _ => "审批中",
                    },
                    x.case_id
                ));
            }
            o.push_str("</table></div>");
        }
        // JL 三(三): each unit files its month with the center, an act of its own.
        let monthly = noveto_app::cases::monthly_status(&s, &p, &month).await?;
        if !monthly.is_empty() {
            o.push_str("<h2>各单位月度报备</h2><div class=\"scroll\"><table><tr><th>单位</th><th>报备情况</th></tr>");
            let csrf = csrf_field(&p);
            for m in &monthly {
                let cell = match &m.filing {
                    Some(f) => format!(
                        "已报备：{} 于 {}，本月否决报批 {} 件{}",
                        esc(m.filed_by_name.as_deref().unwrap_or("")),
                        esc(&crate::ui::when(&f.filed_at)),
                        f.vetoes,
                        if f.note.is_empty() { String::new() } else { format!("（{}）", esc(&f.note)) }
                    ),
                    None => {
                        let leads = p.grants.iter().any(|g| {
                            matches!(g.role, Role::UnitLeader | Role::UnitHead)
                                && g.scope.kind == noveto_domain::access::ScopeKind::Unit
                                && g.scope.id == m.unit_id
                        });
                        if leads {
                            format!(
                                "<form method=\"post\" action=\"/filings/monthly\">{csrf}<input type=\"hidden\" name=\"unit_id\" value=\"{}\"><input type=\"hidden\" name=\"month\" value=\"{month}\"><label>说明<input name=\"note\"></label><button>提交本月报备</button></form>",
                                m.unit_id
                            )
                        } else {
                            "尚未报备".into()
                        }
                    }
                };
                o.push_str(&format!("<tr><td>{}</td><td>{cell}</td></tr>", esc(&m.unit)));
            }
            o.push_str("</table></div>");
        }
        // FZ 二(三), WH 一(三): gray-area answers filed with the center, where the policy says so.
        let gray = svc::gray_area_filings(&s, &p, &month).await?;
        if !gray.is_empty() {
            o.push_str("<h2>模糊地带请示答复备案</h2><div class=\"scroll\"><table><tr><th>办件</th><th>答复</th></tr>");
            for g in &gray {
                o.push_str(&format!(
                    "<tr><td><a href=\"/cases/{}\">查看</a></td><td>{}</td></tr>",
                    g.case_id,
                    esc(&g.text)
                ));
            }
            o.push_str("</table></div>");
        }
        // NV-2, NV-9, NV-14: the month's roll-up per unit and window — vetoes beside every other
        // negative ending, so a window with many withdrawals is as visible as one with many
        // vetoes. The same lines as the API and the export.
        let rows = svc::monthly_rollup(&s, &p, &month).await?;
        o.push_str(&format!(
            "<h2>月度汇总：否决与其他否定性办结</h2><p><a href=\"/api/v1/filings/rollup?month={month}&amp;format=xlsx\">导出 Excel</a> · <a href=\"/api/v1/filings/rollup?month={month}&amp;format=csv\">导出 CSV</a></p>"
        ));
        if rows.is_empty() {
            o.push_str("<p class=\"muted\">本月没有否决报批、申请人撤回、依法无需办理或否定性答复。</p>");
        } else {
            o.push_str("<div class=\"scroll\"><table><tr>");
            for c in svc::ROLLUP_COLUMNS {
                o.push_str(&format!("<th>{c}</th>"));
            }
            o.push_str("</tr>");
            for r in &rows {
                o.push_str("<tr>");
                for c in r.cells() {
                    o.push_str(&format!("<td>{}</td>", esc(&c)));
                }
                o.push_str("</tr>");
            }
            o.push_str("</table></div>");
        }
        let _ = now.year();
        o.push_str("</section>");
        Ok(o)
    }
    .await;
    render(&p, large, t().filings, r)
}

/// The FAQ search box (FAQ-1), always at hand on the workbench and the case page.
fn faq_box(case: Option<i64>, q: &str) -> String {
    let hidden = case.map(|c| format!("<input type=\"hidden\" name=\"case\" value=\"{c}\">")).unwrap_or_default();
    format!(
        "<section class=\"card noprint\"><form method=\"get\" action=\"/faq\">{hidden}<label>{}：输入群众的问题<input name=\"q\" value=\"{}\" placeholder=\"如：营业执照丢了怎么补\"></label><button>查询</button></form></section>",
        t().faq,
        esc(q)
    )
}

/// NV-14: the reply box; flagged words are marked and a second confirmation is needed.
fn reply_box(p: &Principal, id: i64, draft: &str, flags: Option<&noveto_domain::phrases::Check>) -> String {
    let mut marked = String::new();
    if let Some(c) = flags {
        let chars: Vec<char> = draft.chars().collect();
        let mut i = 0;
        for f in &c.flagged {
            marked.push_str(&esc(&chars[i..f.start].iter().collect::<String>()));
            marked.push_str(&format!("<mark>{}</mark>", esc(&chars[f.start..f.end].iter().collect::<String>())));
            i = f.end;
        }
        marked.push_str(&esc(&chars[i.min(chars.len())..].iter().collect::<String>()));
        marked = format!(
            "<p class=\"err\">{}</p><p>{marked}</p><p class=\"note\">建议：{}</p><label><input type=\"checkbox\" name=\"confirm\" value=\"1\"> {}</label>",
            t().reply_flagged,
            esc(c.suggestion.as_deref().unwrap_or("")),
            t().send_anyway
        );
    }
    format!(
        "<section class=\"card\"><h2>答复群众</h2><form method=\"post\" action=\"/cases/{id}/act/reply\">{}<label>答复内容（将检查推诿用语）<textarea name=\"text\" required>{}</textarea></label>{marked}<button>发送答复</button></form></section>",
        csrf_field(p),
        esc(draft)
    )
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
        let mut o = faq_box(q.case, &words);
        if !words.trim().is_empty() {
            let (sid, hits) = noveto_app::faq::search(&s, &p, &words, 5).await?;
            o.push_str("<section class=\"card\"><h2>查询结果</h2>");
            if hits.is_empty() {
                o.push_str("<p class=\"muted\">库中没有现成答案。请按“请示”流程在规定时限内答复群众；答复后可收入问题咨询库。</p>");
            }
            for (f, _) in hits {
                let back = q.case.map(|c| format!("/cases/{c}")).unwrap_or_else(|| "/".into());
                o.push_str(&format!(
                    "<div class=\"card\"><p><b>{}</b></p><p>{}</p><form method=\"post\" action=\"/faq/used\">{}<input type=\"hidden\" name=\"search_id\" value=\"{sid}\"><input type=\"hidden\" name=\"faq_id\" value=\"{}\"><input type=\"hidden\" name=\"back\" value=\"{back}\"><button class=\"secondary\">用这条答复</button></form></div>",
                    esc(&f.question),
                    esc(&f.answer),
                    csrf_field(&p),
                    f.id
                ));
            }
            o.push_str("</section>");
        }
        Ok::<_, ApiError>(o)
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
        let sid: i64 = val(&f, "search_id").parse().map_err(|_| ApiError::bad("invalid", "检索编号无效"))?;
        let fid: i64 = val(&f, "faq_id").parse().map_err(|_| ApiError::bad("invalid", "问答编号无效"))?;
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
        let mut o = format!(
            "<section class=\"card\"><h1>问题咨询库解答情况（{month}）</h1><form method=\"get\"><label>月份<input name=\"month\" value=\"{month}\"></label><button>查看</button></form>\
<p>检索 <b>{}</b> 次，给出候选答案 <b>{}</b> 次；用库中答案答复群众 <b>{}</b> 次，解答率 <b>{:.1}%</b>；其中采用的是第一条结果 <b>{}</b> 次，精准度 <b>{:.1}%</b>。</p>\
<p>本月答复咨询 <b>{}</b> 件：用库中答案答复 <b>{}</b> 件（<b>{:.1}%</b>），经请示后答复 <b>{}</b> 件，窗口直接答复 <b>{}</b> 件。</p><h2>未用库中答案答复的问题</h2><table><tr><th>问题</th><th>次数</th></tr>",
            st.searches,
            st.offered,
            st.answered,
            st.answer_rate * 100.0,
            st.first,
            st.precision * 100.0,
            st.consultations.answered,
            st.consultations.from_library,
            st.consultations.library_rate * 100.0,
            st.consultations.escalated,
            st.consultations.by_window,
        );
        if st.misses.is_empty() {
            o.push_str("<tr><td colspan=\"2\" class=\"muted\">没有。</td></tr>");
        }
        for (qq, n) in &st.misses {
            o.push_str(&format!("<tr><td>{}</td><td>{n}</td></tr>", esc(qq)));
        }
        o.push_str("</table></section><section class=\"card\"><h2>答复用语检查（各窗口）</h2><table><tr><th>窗口</th><th>答复</th><th>含推诿用语</th></tr>");
        if flagged.is_empty() {
            o.push_str("<tr><td colspan=\"3\" class=\"muted\">本月没有答复记录。</td></tr>");
        }
        for (w, n, bad) in flagged {
            let name = w.and_then(|w| windows.iter().find(|x| x.id == w)).map(|x| x.name.clone()).unwrap_or_default();
            o.push_str(&format!("<tr><td>{}</td><td>{n}</td><td class=\"{}\">{bad}</td></tr>", esc(&name), if bad > 0 { "overdue" } else { "" }));
        }
        o.push_str("</table></section>");
        Ok(o)
    }
    .await;
    render(&p, large, "解答率", r)
}

/// The unit figures this month, for each unit the visitor leads or heads a window of.
async fn unit_figures(s: &AppState, p: &Principal) -> ApiResult<String> {
    let figures = svc::own_unit_figures(s, p).await?;
    if figures.is_empty() {
        return Ok(String::new());
    }
    let month = s.now().format("%Y-%m").to_string();
    let mut o = format!(
        "<section class=\"card\"><h2>本单位本月情况（{month}）</h2><table><tr><th>单位</th><th>办件</th><th>否决报批</th><th>批准否决</th><th>超期</th><th>推诿用语</th></tr>"
    );
    for (name, f) in figures {
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            esc(&name),
            f.cases,
            f.vetoes_requested,
            f.vetoes_approved,
            if f.overdue > 0 { "overdue" } else { "" },
            f.overdue,
            f.flagged_replies
        ));
    }
    o.push_str("</table></section>");
    Ok(o)
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
    match r {
        // On to the receiving unit's own case, now the receiver's.
        Ok(nid) => Redirect::to(&format!("/cases/{nid}")).into_response(),
        Err(e) => error_page(Some(&p), large, &e),
    }
}

/// NV-3: the warm handoffs waiting for this visitor's window or unit, with an acknowledge button.
async fn handoff_section(s: &AppState, p: &Principal, always: bool) -> ApiResult<String> {
    let hs = svc::handoffs_for(s, p).await?;
    if hs.is_empty() && !always {
        return Ok(String::new());
    }
    let mut o = String::from("<section class=\"card\"><h2>待确认接收的转交</h2>");
    if hs.is_empty() {
        o.push_str(&format!("<p class=\"muted\">{}</p>", t().inbox_empty));
    }
    let csrf = csrf_field(p);
    for (cid, case) in hs {
        let case = Some(case);
        o.push_str(&format!(
            "<div class=\"card\"><p><a href=\"/cases/{cid}\">{}</a> {}：{}</p><form method=\"post\" action=\"/cases/{cid}/acknowledge\">{csrf}<button>确认接收</button></form></div>",
            esc(case.as_ref().map(|c| c.receipt_no.as_str()).unwrap_or("")),
            esc(case.as_ref().map(|c| c.applicant.name.as_str()).unwrap_or("")),
            esc(case.as_ref().map(|c| c.request.as_str()).unwrap_or(""))
        ));
    }
    o.push_str("</section>");
    Ok(o)
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
        let unit_id = val(&f, "unit_id").parse().map_err(|_| noveto_app::Error::not_found("单位"))?;
        let month = val(&f, "month");
        let b = svc::MonthlyFilingIn { unit_id, month: month.clone(), note: Some(val(&f, "note")) };
        noveto_app::cases::file_month(&s, &p, b).await?;
        Ok::<_, ApiError>(format!("/filings?month={month}"))
    }
    .await;
    go_to(&p, large, r)
}
