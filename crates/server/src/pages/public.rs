//! PUB-1 on the page, no account: report a matter that did not get done (办不成事) and follow
//! one's own matter by receipt number and phone. Both forms carry a CSRF token in a
//! double-submit cookie (as the login form does); the phone travels in the form body, never in
//! a URL that logs would keep.

use super::{Large, beside, layout, secure_attr, val};
use crate::AppState;
use crate::auth::{self, ClientAddr};
use crate::error::ApiError;
use crate::i18n::{tr, tr_text, trf};
use crate::ui::when;
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use noveto_app::public as svc;
use std::collections::HashMap;

const CSRF_COOKIE: &str = "nv_pub_csrf";

type Form = axum::Form<HashMap<String, String>>;

/// A page with a fresh form token and the cookie that carries it.
fn with_token(
    s: &AppState,
    large: bool,
    status: StatusCode,
    title: &str,
    body: impl FnOnce(&str) -> Markup,
) -> Response {
    let token = auth::random_token(16);
    let cookie = format!("{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600{}", secure_attr(s));
    (status, [(header::SET_COOKIE, cookie)], layout(None, large, title, body(&token))).into_response()
}

fn token_ok(headers: &HeaderMap, f: &HashMap<String, String>) -> bool {
    let sent = f.get("csrf").map(String::as_str).unwrap_or("");
    !sent.is_empty() && auth::cookie_in(headers, CSRF_COOKIE) == Some(sent)
}

fn csrf_refused() -> ApiError {
    ApiError::forbidden(crate::ui::t().csrf_failed)
}

fn report_form(token: &str, kept: &HashMap<String, String>, e: Option<&ApiError>, contacts: Markup) -> Markup {
    html! {
        section.card {
            h1 { (tr("反映“办不成事”")) }
            p { (tr("提交的事项未被受理或审批未通过，或到大厅办事没有解决问题的，请在这里反映。我们会登记并转责任单位限时办理，办理结果告诉您。")) }
            (contacts)
            @if let Some(e) = e.filter(|e| !matches!(e.field, Some("name" | "phone" | "summary"))) { p.err role="alert" { (tr_text(&e.message)) } }
            form method="post" action="/report" {
                input type="hidden" name="csrf" value=(token);
                (honeypot())
                // NV-17: from a refused application's page on /follow, the receipt number travels along.
                @if !val(kept, "case_receipt_no").is_empty() {
                    p { (trf("涉及的办件：受理编号 {}", &[&val(kept, "case_receipt_no")])) }
                    input type="hidden" name="case_receipt_no" value=(val(kept, "case_receipt_no"));
                }
                label { (tr("姓名")) input name="name" required maxlength="50" value=(val(kept, "name")); (beside(e, "name")) }
                label { (tr("手机号码（查询进度时要用）")) input name="phone" required inputmode="tel" value=(val(kept, "phone")); (beside(e, "phone")) }
                label {
                    (tr("反映事项（办的什么事、在哪里办、为什么没办成）"))
                    textarea name="summary" rows="4" required maxlength="2000" { (val(kept, "summary")) }
                    (beside(e, "summary"))
                }
                button { (tr("提交")) }
            }
            p.muted { a href="/follow" { (tr("查询办理进度")) } }
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct ReportQ {
    receipt_no: Option<String>,
}

pub async fn report_page(
    State(s): State<AppState>,
    Large(large): Large,
    axum::extract::Query(q): axum::extract::Query<ReportQ>,
) -> Response {
    let contacts = super::guides::contacts(&s).await;
    let mut kept = HashMap::new();
    // Only a receipt number's own characters: whatever else a link carries is dropped.
    if let Some(r) =
        q.receipt_no.filter(|r| !r.is_empty() && r.len() <= 40 && r.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        kept.insert("case_receipt_no".to_string(), r);
    }
    with_token(&s, large, StatusCode::OK, tr("反映“办不成事”"), |t| report_form(t, &kept, None, contacts))
}

pub async fn report_submit(
    State(s): State<AppState>,
    Large(large): Large,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    headers: HeaderMap,
    axum::Form(f): Form,
) -> Response {
    let contacts = super::guides::contacts(&s).await;
    let r = if let Some(e) = honeypot_filled(&f).filter(|_| token_ok(&headers, &f)) {
        Err(e)
    } else if token_ok(&headers, &f) {
        let b = svc::PublicUnresolvedIn {
            reporter: noveto_app::unresolved::ReporterIn { name: val(&f, "name"), phone: val(&f, "phone") },
            summary: val(&f, "summary"),
            center_id: None,
            case_receipt_no: Some(val(&f, "case_receipt_no")),
        };
        svc::submit_unresolved(&s, &addr, b).await.map_err(ApiError::from)
    } else {
        Err(csrf_refused())
    };
    match r {
        Ok(done) => {
            let due = match done.due {
                Some(d) => trf("{}月{}日前", &[&d.format("%-m"), &d.format("%-d")]),
                None => tr("在时限确定后").to_string(),
            };
            let body = html! {
                section.card {
                    h1 { (tr("已收到您的反映")) }
                    p { (trf("受理编号：{}。我们将{}办结并答复您。", &[&done.receipt_no, &due])) }
                    p { (tr("请记下受理编号，凭它和您的手机号码可以查询办理进度。")) }
                    p { a href="/follow" { (tr("查询办理进度")) } }
                    (contacts)
                }
            };
            (StatusCode::CREATED, layout(None, large, tr("已收到您的反映"), body)).into_response()
        }
        Err(e) => {
            with_token(&s, large, e.status, tr("反映“办不成事”"), |t| report_form(t, &f, Some(&e), contacts))
        }
    }
}

fn follow_form(token: &str, kept: &HashMap<String, String>) -> Markup {
    html! {
        form method="post" action="/follow" {
            input type="hidden" name="csrf" value=(token);
            label { (tr("受理编号")) input name="receipt_no" required maxlength="40" value=(val(kept, "receipt_no")); }
            label { (tr("登记时留的手机号码")) input name="phone" required inputmode="tel" value=(val(kept, "phone")); }
            button { (tr("查询")) }
        }
    }
}

pub async fn follow_page(State(s): State<AppState>, Large(large): Large) -> Response {
    let contacts = super::guides::contacts(&s).await;
    with_token(&s, large, StatusCode::OK, tr("查询办理进度"), |t| {
        html! { section.card { h1 { (tr("查询办理进度")) } (follow_form(t, &HashMap::new())) (contacts) } }
    })
}

/// NV-17: how the matter ended, in the words the person reads — the outcome, the reason and its
/// legal basis, where to go, the remedies against a refusal and the desk to turn to.
fn outcome(o: &svc::Ending) -> Markup {
    let line = |label: &str, v: &Option<String>| {
        html! { @if let Some(v) = v.as_ref().filter(|v| !v.trim().is_empty()) { p { b { (label) } (v) } } }
    };
    html! {
        section.outcome {
            h2 { (tr(o.title)) }
            (line(tr("理由："), &o.reason))
            (line(tr("法律依据："), &o.legal_basis))
            (line(tr("请前往："), &o.go_to))
            (line(tr("地址："), &o.address))
            (line(tr("联系方式："), &o.contact))
            (line(tr("办理方式："), &o.how))
            (line(tr("答复："), &o.text))
            @if let Some(r) = &o.remedies {
                p { b { (tr("您的权利：")) } (trf(
                    "如对本决定不服，可以自收到决定之日起 {} 日内向{}申请行政复议，或者在 {} 个月内向{}提起行政诉讼。",
                    &[&r.review_days, &r.review_body, &r.litigation_months, &r.court],
                )) }
            }
            @if let Some(link) = &o.report {
                p { a href=(link) { (tr("认为不该被拒绝？向“办不成事”反映窗口反映")) } }
            }
        }
    }
}

pub async fn follow_submit(
    State(s): State<AppState>,
    Large(large): Large,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    headers: HeaderMap,
    axum::Form(f): Form,
) -> Response {
    let r = if token_ok(&headers, &f) {
        svc::follow(&s, &addr, &val(&f, "receipt_no"), &val(&f, "phone")).await.map_err(ApiError::from)
    } else {
        Err(csrf_refused())
    };
    let status = r.as_ref().map_or_else(|e| e.status, |_| StatusCode::OK);
    let contacts = super::guides::contacts(&s).await;
    with_token(&s, large, status, tr("查询办理进度"), |t| {
        html! {
            section.card {
                h1 { (tr("查询办理进度")) }
                @match &r {
                    Ok(m) => {
                        p {
                            (trf("受理编号 {}：{}", &[&m.receipt_no, &tr(m.status)]))
                            @if m.outcome.is_none() && let Some(d) = m.due.as_deref().and_then(|d| d.parse::<chrono::NaiveDate>().ok()) {
                                "　" (trf("办理时限：{}", &[&crate::ui::day(d)]))
                            }
                        }
                        @if let Some(d) = m.promised.as_deref().and_then(|d| d.parse::<chrono::NaiveDate>().ok()) {
                            p.note { (trf("承诺办结日期：{}", &[&crate::ui::day(d)])) }
                        }
                        @if let Some(x) = &m.reply_extended {
                            p.note { (trf("答复日期延至 {}，原因：{}", &[&x.to.parse::<chrono::NaiveDate>().map(crate::ui::day).unwrap_or_else(|_| x.to.clone()), &x.reason])) }
                        }
                        @if !m.to_bring.is_empty() {
                            section {
                                h2 { (tr("请带齐以下材料")) }
                                ul {
                                    @for b in &m.to_bring {
                                        li { (b.material) @if !b.how_to_fix.is_empty() { (tr("：")) (b.how_to_fix) } }
                                    }
                                }
                            }
                        }
                        @if let Some(o) = &m.outcome { (outcome(o)) }
                        // NV-1: where the application is in the back office.
                        @if !m.stages.is_empty() {
                            section {
                                h2 { (tr("办理环节")) }
                                ol.stages {
                                    @for st in &m.stages {
                                        li class=(st.state) aria-current=[(st.state == "current").then_some("step")] {
                                            strong { (st.name) } " "
                                            span.pill { (match st.state { "done" => tr("已完成"), "current" => tr("办理中"), _ => tr("未开始") }) }
                                            @if let Some(at) = &st.done_at { " " small.muted { (when(at)) } }
                                            @if let Some(d) = st.due.as_deref().and_then(|d| d.parse::<chrono::NaiveDate>().ok()) {
                                                " " small.muted { (trf("预计 {} 前完成", &[&crate::ui::day(d)])) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        table {
                            tr { th { (tr("时间")) } th { (tr("进展")) } }
                            @for st in &m.steps { tr { td { (when(&st.at)) } td { (tr(st.what)) } } }
                        }
                        @if m.outcome.is_none() && let Some(a) = &m.answer { p { (tr("办理结果：")) (a) } }
                        p.note {
                            (tr("咨询电话：")) a href={ "tel:" (m.hotline) } { (m.hotline) }
                            "　" (tr("监督电话：")) a href={ "tel:" (m.supervision_phone) } { (m.supervision_phone) }
                        }
                    }
                    Err(e) => { p.err role="alert" { (tr_text(&e.message)) } }
                }
                (follow_form(t, &f))
                // The matter's own center's numbers stand with its answer; else the center's.
                @if r.is_err() { (contacts) }
            }
        }
    })
}

/// The honeypot field of the public forms: hidden from people, filled by form-filling robots.
const HONEYPOT: &str = "nv_hp_url";

fn honeypot() -> Markup {
    html! {
        div.hp aria-hidden="true" {
            label { (tr("网址（请勿填写）")) input name=(HONEYPOT) tabindex="-1" autocomplete="off" value=""; }
        }
    }
}

/// A filled honeypot: refused in words (never acknowledged and dropped: nothing acknowledged is
/// lost).
fn honeypot_filled(f: &HashMap<String, String>) -> Option<ApiError> {
    f.get(HONEYPOT)
        .filter(|v| !v.trim().is_empty())
        .map(|_| ApiError::bad("honeypot", tr("提交未成功：请不要填写隐藏的“网址”栏，清空后再提交")))
}

fn complain_form(token: &str, kept: &HashMap<String, String>, e: Option<&ApiError>, contacts: Markup) -> Markup {
    let cat = val(kept, "category");
    html! {
        section.card {
            h1 { (tr("“吐槽找茬”")) }
            p { (tr("办事流程繁不繁、服务效率高不高、服务态度好不好，或者其他意见和建议，请在这里告诉我们。监督监察科登记后转责任科室，1 个工作日内办理答复（复杂问题不超过 5 个工作日）。")) }
            (contacts)
            @if let Some(e) = e.filter(|e| !matches!(e.field, Some("name" | "phone" | "content" | "category"))) { p.err role="alert" { (tr_text(&e.message)) } }
            form method="post" action="/complain" {
                input type="hidden" name="csrf" value=(token);
                (honeypot())
                fieldset {
                    legend { (tr("吐槽什么")) }
                    @for c in noveto_domain::complaint::Category::ALL {
                        label.check {
                            input type="radio" name="category" value=(c.as_str()) required checked[cat == c.as_str()];
                            (tr(c.label()))
                        }
                    }
                    (beside(e, "category"))
                }
                label {
                    (tr("具体情况（在哪个窗口、办什么事、遇到了什么）"))
                    textarea name="content" rows="5" required maxlength="2000" { (val(kept, "content")) }
                    (beside(e, "content"))
                }
                label { (tr("姓名")) input name="name" required maxlength="50" value=(val(kept, "name")); (beside(e, "name")) }
                label { (tr("手机号码（查询进度时要用）")) input name="phone" required inputmode="tel" value=(val(kept, "phone")); (beside(e, "phone")) }
                label.check {
                    input type="checkbox" name="confidential" value="1" checked[val(kept, "confidential") == "1"];
                    (tr("请为我保密：姓名和电话只有监督监察科能看到"))
                }
                button { (tr("提交")) }
            }
            p.muted { a href="/follow" { (tr("查询办理进度")) } }
        }
    }
}

pub async fn complain_page(State(s): State<AppState>, Large(large): Large) -> Response {
    let contacts = super::guides::contacts(&s).await;
    with_token(&s, large, StatusCode::OK, tr("“吐槽找茬”"), |t| {
        complain_form(t, &HashMap::new(), None, contacts)
    })
}

pub async fn complain_submit(
    State(s): State<AppState>,
    Large(large): Large,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    headers: HeaderMap,
    axum::Form(f): Form,
) -> Response {
    let contacts = super::guides::contacts(&s).await;
    let r = if !token_ok(&headers, &f) {
        Err(csrf_refused())
    } else if let Some(e) = honeypot_filled(&f) {
        Err(e)
    } else {
        let b = svc::PublicComplaintIn {
            category: val(&f, "category"),
            content: val(&f, "content"),
            complainant: noveto_app::complaints::ComplainantIn { name: val(&f, "name"), phone: val(&f, "phone") },
            confidential: val(&f, "confidential") == "1",
            center_id: None,
        };
        svc::submit_complaint(&s, &addr, b).await.map_err(ApiError::from)
    };
    match r {
        Ok(done) => {
            let due = done.due.map(crate::ui::day).unwrap_or_default();
            let body = html! {
                section.card {
                    h1 { (tr("已收到您的“吐槽找茬”")) }
                    p { (trf("受理编号：{}。责任科室将立即与您联系核实，并在{}前答复您。", &[&done.receipt_no, &due])) }
                    p { (tr("请记下受理编号，凭它和您的手机号码可以查询办理进度。")) }
                    p { a href="/follow" { (tr("查询办理进度")) } }
                    (contacts)
                }
            };
            (StatusCode::CREATED, layout(None, large, tr("已收到您的“吐槽找茬”"), body)).into_response()
        }
        Err(e) => {
            with_token(&s, large, e.status, tr("“吐槽找茬”"), |t| complain_form(t, &f, Some(&e), contacts))
        }
    }
}
