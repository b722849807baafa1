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

pub async fn report_page(State(s): State<AppState>, Large(large): Large) -> Response {
    let contacts = super::guides::contacts(&s).await;
    with_token(&s, large, StatusCode::OK, tr("反映“办不成事”"), |t| {
        report_form(t, &HashMap::new(), None, contacts)
    })
}

pub async fn report_submit(
    State(s): State<AppState>,
    Large(large): Large,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    headers: HeaderMap,
    axum::Form(f): Form,
) -> Response {
    let contacts = super::guides::contacts(&s).await;
    let r = if token_ok(&headers, &f) {
        let b = svc::PublicUnresolvedIn {
            reporter: noveto_app::unresolved::ReporterIn { name: val(&f, "name"), phone: val(&f, "phone") },
            summary: val(&f, "summary"),
            center_id: None,
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
    with_token(&s, large, StatusCode::OK, tr("查询办理进度"), |t| {
        html! { section.card { h1 { (tr("查询办理进度")) } (follow_form(t, &HashMap::new())) } }
    })
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
    with_token(&s, large, status, tr("查询办理进度"), |t| {
        html! {
            section.card {
                h1 { (tr("查询办理进度")) }
                @match &r {
                    Ok(m) => {
                        p {
                            (trf("受理编号 {}：{}", &[&m.receipt_no, &tr(m.status)]))
                            @if let Some(d) = &m.due { "　" (trf("办理时限：{}", &[d])) }
                        }
                        table {
                            tr { th { (tr("时间")) } th { (tr("进展")) } }
                            @for st in &m.steps { tr { td { (when(&st.at)) } td { (tr(st.what)) } } }
                        }
                        @if let Some(a) = &m.answer { p { (tr("办理结果：")) (a) } }
                    }
                    Err(e) => { p.err role="alert" { (tr_text(&e.message)) } }
                }
                (follow_form(t, &f))
            }
        }
    })
}
