//! Server-rendered pages. Plain HTML forms that work without JavaScript, CSRF-checked, readable
//! on a phone, with a persistent large-type switch (适老化).

pub mod admin;
pub mod catalog;
pub mod commitments;
pub mod complaints;
pub mod documents;
pub mod forms;
pub mod guides;
pub mod prescreen;
pub mod public;
pub mod ratings;
pub mod reports;
pub mod suggestions;
pub mod unresolved;
pub mod work;

use crate::AppState;
use crate::auth::{self, Principal, SESSION_COOKIE};
use crate::error::{ApiError, ApiResult};
use crate::i18n::{self, Locale, tr, tr_text};
use crate::ui::t;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, PreEscaped, html};
use noveto_domain::access::{Action, Role, may_somewhere};
use std::collections::HashMap;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", get(work::home))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/prefs/large", post(toggle_large))
        .route("/prefs/lang", post(toggle_lang))
        .route("/static/app.css", get(css))
        .route("/static/print.js", get(print_js))
        .route("/static/keys.js", get(keys_js))
        .route("/cases", post(work::new_case))
        .route("/cases/{id}", get(work::case_page))
        .route("/cases/{id}/act/{action}", post(work::case_action))
        .route("/inbox", get(work::inbox))
        .route("/search", get(work::search_page))
        .route("/prescreen", get(prescreen::page).post(prescreen::submit))
        .route("/commitment-checks", get(commitments::page))
        .route("/commitment-checks/{id}/result", post(commitments::result))
        .route("/cases/{id}/urge", post(work::urge))
        .route("/filings/monthly", post(work::file_month))
        .route("/cases/{id}/acknowledge", post(work::acknowledge))
        .route("/veto-requests/{id}/decide", post(work::decide))
        .route("/escalations/{id}/answer", post(work::answer))
        .route("/filings", get(work::filings))
        .route("/admin", get(admin::org_page))
        .route("/admin/{what}", post(admin::org_submit))
        .route("/admin/staff/{id}", get(admin::staff_page))
        .route("/admin/staff/{id}/{action}", post(admin::staff_submit))
        .route("/admin/calendar", get(admin::calendar_page))
        .route(
            "/admin/calendar/import",
            post(admin::calendar_import).layer(axum::extract::DefaultBodyLimit::max(1024 * 1024)),
        )
        .route("/admin/policy", get(admin::policy_page))
        .route(
            "/admin/policy/import",
            post(admin::policy_import).layer(axum::extract::DefaultBodyLimit::max(256 * 1024)),
        )
        .route("/admin/catalog", get(catalog::catalog_page))
        .route(
            "/admin/catalog/import",
            post(catalog::catalog_import).layer(axum::extract::DefaultBodyLimit::max(20 * 1024 * 1024)),
        )
        .route("/admin/catalog/items", post(catalog::save_item))
        .route("/admin/catalog/items/new", get(catalog::new_item))
        .route("/admin/catalog/items/{code}", get(catalog::edit_item))
        .route("/admin/catalog/bundles", post(catalog::bundle_save))
        .route("/admin/catalog/bundles/{code}", get(catalog::bundle_edit))
        .route("/report", get(public::report_page).post(public::report_submit))
        .route("/complain", get(public::complain_page).post(public::complain_submit))
        .route("/rate/{token}", get(ratings::rate_page).post(ratings::rate_submit))
        .route("/kiosk/{key}", get(ratings::kiosk).post(ratings::kiosk_submit))
        .route("/ratings", get(ratings::page))
        .route("/reports", get(reports::page))
        .route("/reports/assessment/{unit}", get(reports::drill))
        .route("/ratings/callback", post(ratings::callback))
        .route("/rectifications/{id}/{action}", post(ratings::act))
        .route("/complaints", get(complaints::page).post(complaints::register))
        .route("/complaints/{id}/{action}", post(complaints::act))
        .route("/follow", get(public::follow_page).post(public::follow_submit))
        .route("/guides", get(guides::list))
        .route("/guides/{code}", get(guides::one))
        .route("/guides/bundles/{code}", get(guides::bundle))
        .route("/faq", get(work::faq_page))
        .route("/faq/used", post(work::faq_used))
        .route("/faq/stats", get(work::faq_stats))
        .route("/unresolved", get(unresolved::page).post(unresolved::register))
        .route("/unresolved/accountability", post(unresolved::accountability))
        .route("/unresolved/{id}/{action}", post(unresolved::act))
        .route("/unresolved/{id}/slip", get(unresolved::slip))
        .route("/unresolved/{id}/receipt", get(unresolved::receipt))
        .route("/suggestions", get(suggestions::page).post(suggestions::record))
        .route("/suggestions/{id}/decision", post(suggestions::decide))
        .route("/suggestions/{id}/change", post(suggestions::change))
        .fallback(not_found)
}

/// A logged-in page visitor. Without a session the page redirects to the login form.
pub struct Visitor(pub Principal);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match auth::session_principal(state, parts).await {
            Ok(Some(p)) => Ok(Visitor(p)),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(error_page(None, false, &e)),
        }
    }
}

/// Whether the large-type switch is on (a cookie, so it persists without an account).
pub struct Large(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for Large {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Large(auth::cookie(parts, "nv_large") == Some("1")))
    }
}

/// Checks the form's CSRF token against the session's.
pub fn check_csrf(p: &Principal, form: &HashMap<String, String>) -> Result<(), ApiError> {
    match (p.csrf.as_deref(), form.get("csrf")) {
        (Some(a), Some(b)) if a == b => Ok(()),
        _ => Err(ApiError::forbidden(t().csrf_failed)),
    }
}

/// The error of `e` if it belongs to `field`, shown beside it (screens issue, item 4).
pub fn beside(e: Option<&ApiError>, field: &str) -> Markup {
    html! {
        @if let Some(e) = e.filter(|e| e.field == Some(field)) {
            span.err role="alert" { (tr_text(&e.message)) }
        }
    }
}

/// A failed form's page again — `body` rendered with the error beside its field and what was
/// typed kept — answered with the error's status; the error page only where even that fails.
pub fn again(p: &Principal, large: bool, title: &str, e: &ApiError, body: ApiResult<Markup>) -> Response {
    match body {
        Ok(b) => (e.status, layout(Some(p), large, title, b)).into_response(),
        Err(_) => error_page(Some(p), large, e),
    }
}

/// An error that belongs to none of a form's `fields`, above the form.
pub fn above(e: Option<&ApiError>, fields: &[&str]) -> Markup {
    html! {
        @if let Some(e) = e.filter(|e| !e.field.is_some_and(|f| fields.contains(&f))) {
            p.err role="alert" { (tr_text(&e.message)) }
        }
    }
}

/// Screens 6: one page of a list — the page asked for (clamped), how many there are, and its
/// items.
pub fn page_of<T>(items: &[T], page: Option<usize>, size: usize) -> (usize, usize, &[T]) {
    let pages = items.len().div_ceil(size).max(1);
    let page = page.unwrap_or(1).clamp(1, pages);
    let from = (page - 1) * size;
    (page, pages, &items[from.min(items.len())..(from + size).min(items.len())])
}

/// The links to the previous and next page of a list (none when it has one page).
pub fn pager(page: usize, pages: usize, link: impl Fn(usize) -> String) -> Markup {
    html! {
        @if pages > 1 {
            p {
                (crate::i18n::trf("第 {} 页，共 {} 页", &[&page, &pages]))
                @if page > 1 { " · " a href=(link(page - 1)) { (tr("上一页")) } }
                @if page < pages { " · " a href=(link(page + 1)) { (tr("下一页")) } }
            }
        }
    }
}

/// A query value for a link (every byte but ASCII letters and digits percent-encoded).
pub fn url_encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// A submitted form field, trimmed ("" when absent).
pub fn val(f: &HashMap<String, String>, k: &str) -> String {
    f.get(k).map(|v| v.trim().to_string()).unwrap_or_default()
}

pub fn csrf_field(p: &Principal) -> Markup {
    html! { input type="hidden" name="csrf" value=(p.csrf.as_deref().unwrap_or("")); }
}

fn nav(p: &Principal) -> Markup {
    let mut links = vec![("/", t().home)];
    let g = &p.grants;
    let has = |r: Role| g.iter().any(|x| x.role == r);
    if has(Role::WindowHead)
        || has(Role::HallManager)
        || has(Role::UnitLeader)
        || has(Role::UnitHead)
        || has(Role::Director)
        || has(Role::BusinessSection)
    {
        links.push(("/inbox", t().inbox));
    }
    if may_somewhere(g, Action::ReadFilings) {
        links.push(("/filings", t().filings));
    }
    links.push(("/faq", t().faq));
    // NV-6: those who work cases verify commitments; those who read the filings follow them.
    if may_somewhere(g, Action::WorkCase) || may_somewhere(g, Action::ReadFilings) {
        links.push(("/commitment-checks", tr("承诺核查")));
    }
    if may_somewhere(g, Action::ReadFilings) || may_somewhere(g, Action::ManageFaq) {
        links.push(("/faq/stats", tr("解答率")));
    }
    if may_somewhere(g, Action::ManageCatalog) {
        links.push(("/admin/catalog", tr("事项库")));
    }
    // BBC: the desk, the units it sends matters to, and those who oversee it.
    // Clerks too: the desk's own, and any unit's liaison contact answers there.
    if may_somewhere(g, Action::ReadUnresolved) {
        links.push(("/unresolved", tr("办不成事")));
    }
    // TC: the supervision section's complaint desk, the sections that handle them, and whoever
    // takes one in person or on the phone.
    if may_somewhere(g, Action::ReadComplaints)
        || may_somewhere(g, Action::RegisterComplaint)
        || may_somewhere(g, Action::HandleComplaint)
    {
        links.push(("/complaints", tr("吐槽找茬")));
    }
    // NV-15, AS-1: the month's reports, for those who read the filings.
    if may_somewhere(g, Action::ReadFilings) {
        links.push(("/reports", tr("月度报表")));
    }
    // HCP: satisfaction, the callback sample, the rectifications (the units' too).
    if may_somewhere(g, Action::ReadRatings) || may_somewhere(g, Action::HandleRectification) {
        links.push(("/ratings", tr("好差评")));
    }
    if may_somewhere(g, Action::ReadSuggestions) || may_somewhere(g, Action::RecordSuggestion) {
        links.push(("/suggestions", tr("意见建议")));
    }
    links.push(("/guides", t().guides));
    if may_somewhere(g, Action::ManageOrg) {
        links.push(("/admin", t().admin));
        links.push(("/admin/calendar", t().calendar));
    }
    links.push(("/admin/policy", t().policy));
    html! { @for (h, l) in links { a href=(h) { (l) } } }
}

/// The caller's roles, each once.
fn role_labels(p: &Principal) -> String {
    let mut roles: Vec<Role> = p.grants.iter().map(|g| g.role).collect();
    roles.sort();
    roles.dedup();
    roles.iter().map(|r| tr(r.label())).collect::<Vec<_>>().join(tr("、"))
}

/// The page frame: the header with the visitor's menu, the type-size and script switches.
pub fn layout(p: Option<&Principal>, large: bool, title: &str, body: Markup) -> Html<String> {
    let other = match i18n::current() {
        Locale::Hans => Locale::Hant,
        Locale::Hant => Locale::Hans,
    };
    let page = html! {
        (maud::DOCTYPE)
        html lang=(i18n::current().html_lang()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (t().app) }
                link rel="stylesheet" href="/static/app.css";
                script src="/static/keys.js" defer {}
            }
            body class=[large.then_some("large")] {
                // Issue 31, item 8: a skip link to the page's content, first for the keyboard.
                a.skip href="#main" { (tr("跳到正文")) }
                header {
                    a.brand href="/" { (t().app) }
                    span.tag { (t().app_long) }
                    form.inline method="post" action="/prefs/large" {
                        button.link { (if large { t().normal_type } else { t().large_type }) }
                    }
                    form.inline method="post" action="/prefs/lang" {
                        input type="hidden" name="lang" value=(other.as_str());
                        button.link lang=(other.html_lang()) { (other.own_name()) }
                    }
                    @if let Some(p) = p {
                        nav { (nav(p)) }
                        div.who {
                            (p.name) "（" (role_labels(p)) "）"
                            form.inline method="post" action="/logout" { (csrf_field(p)) button { (t().logout) } }
                        }
                    }
                }
                main #main tabindex="-1" {
                    (PreEscaped(stacking_tables(&body.into_string())))
                    @if p.is_some() {
                        p.muted.noprint.keys {
                            (tr("快捷键：Alt+S 查找办件，Alt+A 受理，Alt+P 打印，Ctrl+Enter 提交当前表单。"))
                        }
                    }
                }
            }
        }
    };
    Html(page.into_string())
}

/// Screens issue, item 8: on a phone a list's rows stack into cards, each cell led by its
/// column's title. Every `<table>` whose first row is all headings gets `class="stack"` and each
/// later cell a `data-label` with its heading (the style sheet shows them only at narrow widths).
fn stacking_tables(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + body.len() / 8);
    let mut rest = body;
    while let Some(i) = rest.find("<table>") {
        out.push_str(&rest[..i]);
        let t = &rest[i..];
        let end = t.find("</table>").map(|e| e + "</table>".len()).unwrap_or(t.len());
        out.push_str(&stack_table(&t[..end]));
        rest = &t[end..];
    }
    out.push_str(rest);
    out
}

fn stack_table(t: &str) -> String {
    let mut rows = t.split("<tr");
    let head = rows.next().unwrap_or("");
    let Some(first) = rows.next() else { return t.to_string() };
    let first_row = first.split("</tr>").next().unwrap_or("");
    if first_row.contains("<td") || !first_row.contains("<th") {
        return t.to_string();
    }
    let labels: Vec<String> = first_row
        .split("<th")
        .skip(1)
        .map(|c| {
            let inner = c.split_once('>').map(|x| x.1).unwrap_or("");
            let inner = inner.split("</th>").next().unwrap_or("");
            let mut text = String::new();
            let mut in_tag = false;
            for ch in inner.chars() {
                match ch {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    '"' if !in_tag => text.push_str("&quot;"),
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text
        })
        .collect();
    let mut out = head.replacen("<table>", "<table class=\"stack\">", 1);
    out.push_str("<tr");
    out.push_str(first);
    for row in rows {
        out.push_str("<tr");
        let mut cells = row.split("<td");
        out.push_str(cells.next().unwrap_or(""));
        for (n, cell) in cells.enumerate() {
            match labels.get(n).filter(|l| !l.is_empty()) {
                Some(l) if cell.starts_with('>') || cell.starts_with(' ') => {
                    out.push_str(&format!("<td data-label=\"{l}\""));
                }
                _ => out.push_str("<td"),
            }
            out.push_str(cell);
        }
    }
    out
}

/// A page from a body or an error.
pub fn render(p: &Principal, large: bool, title: &str, r: Result<Markup, ApiError>) -> Response {
    match r {
        Ok(b) => layout(Some(p), large, title, b).into_response(),
        Err(e) => error_page(Some(p), large, &e),
    }
}

pub fn error_page(p: Option<&Principal>, large: bool, e: &ApiError) -> Response {
    let body = html! {
        section.card {
            h1 { (tr("出错了")) }
            p.err { (tr_text(&e.message)) }
            p { a href="/" { (tr("返回首页")) } }
        }
    };
    (e.status, layout(p, large, tr("出错了"), body)).into_response()
}

/// A browser navigating to a page never lands on the API's JSON: an error answered as JSON to a
/// request outside `/api/` that asked for HTML (a malformed id in `/cases/abc`, a NUL refused by
/// the guard, a bad query) becomes the error page, with the same status, the message and the
/// way home. Clients that did not ask for HTML keep the JSON envelope.
pub async fn html_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let wants_html = !req.uri().path().starts_with("/api/")
        && req
            .headers()
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    // The same reading of the type-size cookie as the `Large` extractor.
    let large = auth::cookie_in(req.headers(), "nv_large") == Some("1");
    let res = next.run(req).await;
    let json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if !wants_html || !json || !(res.status().is_client_error() || res.status().is_server_error()) {
        return res;
    }
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024).await.unwrap_or_default();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let message = v["error"]["message"].as_str().map(str::to_string).unwrap_or_else(|| t().not_found.to_string());
    let e = ApiError::new(status, "error", message);
    error_page(None, large, &e)
}

async fn not_found(Large(large): Large) -> Response {
    let body = html! {
        section.card {
            p { (t().not_found) }
            p { a href="/" { (tr("返回首页")) } " · " a href="/guides" { (t().guides) } }
        }
    };
    (StatusCode::NOT_FOUND, layout(None, large, t().not_found, body)).into_response()
}

/// The cookie that carries the login form's CSRF token (double submit: the form's hidden field
/// must match it, so another site cannot log a clerk into an account of its choosing).
pub const LOGIN_CSRF_COOKIE: &str = "nv_login_csrf";

/// `; Secure` on cookies when the server runs behind HTTPS (`--secure-cookies`).
pub fn secure_attr(s: &AppState) -> &'static str {
    if s.secure_cookies { "; Secure" } else { "" }
}

/// The login form with a fresh CSRF token, and the cookie that carries it.
fn login_form(s: &AppState, large: bool, status: StatusCode, login: &str, error: Option<&str>) -> Response {
    let token = auth::random_token(16);
    let secure = secure_attr(s);
    let cookie = format!("{LOGIN_CSRF_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{secure}");
    let body = html! {
        section.card.narrow {
            h1 { (t().login) }
            @if let Some(e) = error { p.err role="alert" { (tr_text(e)) } }
            form method="post" action="/login" {
                input type="hidden" name="csrf" value=(token);
                label { (t().login_name) input name="login" autocomplete="username" required value=(login); }
                label { (t().password) input name="password" type="password" autocomplete="current-password" required; }
                button type="submit" { (t().login) }
            }
            p.muted { a href="/guides" { (t().guides) } (tr("（无需登录）")) }
        }
    };
    let html = layout(None, large, t().login, body);
    (status, [(header::SET_COOKIE, cookie)], html).into_response()
}

async fn login_page(State(s): State<AppState>, Large(large): Large) -> Response {
    login_form(&s, large, StatusCode::OK, "", None)
}

async fn login_submit(
    State(s): State<AppState>,
    Large(large): Large,
    axum::Extension(addr): axum::Extension<auth::ClientAddr>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let login = f.get("login").map(|x| x.trim().to_string()).unwrap_or_default();
    let sent = f.get("csrf").map(String::as_str).unwrap_or("");
    let expected = auth::cookie_in(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if sent.is_empty() || sent != expected {
        return login_form(&s, large, StatusCode::FORBIDDEN, &login, Some(t().csrf_failed));
    }
    let pw = f.get("password").cloned().unwrap_or_default();
    match auth::login(&s, &login, &pw, &addr.0).await {
        Ok((sid, _)) => {
            // Rotation: a session this browser held before is ended, the new one is fresh.
            if let Some(old) = auth::cookie_in(&headers, SESSION_COOKIE).filter(|v| !v.is_empty()) {
                let _ = noveto_app::auth::end_session(&s, old, None).await;
            }
            let secure = secure_attr(&s);
            let cookie = format!("{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200{secure}");
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Err(e) => login_form(&s, large, e.status, &login, Some(&e.message)),
    }
}

async fn logout(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    headers: HeaderMap,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    if let Err(e) = check_csrf(&p, &f) {
        return error_page(Some(&p), false, &e);
    }
    let sid = auth::cookie_in(&headers, SESSION_COOKIE).unwrap_or_default().to_string();
    let _ = noveto_app::auth::end_session(&s, &sid, Some(p.id)).await;
    (
        [(header::SET_COOKIE, format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"))],
        Redirect::to("/login"),
    )
        .into_response()
}

/// Where a preference switch returns to: the page it was pressed on, on this site.
fn back(headers: &HeaderMap) -> String {
    let back = headers.get(header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or("/").to_string();
    local_path(
        &back
            .split_once("://")
            .map(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()).unwrap_or("/".into()))
            .unwrap_or(back),
    )
}

async fn toggle_large(State(s): State<AppState>, Large(large): Large, headers: HeaderMap) -> Response {
    let v = if large { "0" } else { "1" };
    (
        [(header::SET_COOKIE, format!("nv_large={v}; Path=/; Max-Age=31536000; SameSite=Lax{}", secure_attr(&s)))],
        Redirect::to(&back(&headers)),
    )
        .into_response()
}

/// Screens issue, item 9: the script switch (简体 / 繁體), kept in a cookie like the type size.
async fn toggle_lang(
    State(s): State<AppState>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let l = f.get("lang").and_then(|v| Locale::parse(v)).unwrap_or_default();
    let cookie = format!("{}={}; Path=/; Max-Age=31536000; SameSite=Lax{}", i18n::COOKIE, l.as_str(), secure_attr(&s));
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back(&headers))).into_response()
}

/// A redirect target that stays on this site: a path starting with one `/` (not `//` or `/\`,
/// which browsers read as another host); anything else goes home.
pub fn local_path(p: &str) -> String {
    let ok = p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/\\") && !p.chars().any(|c| c.is_control());
    if ok { p.to_string() } else { "/".to_string() }
}

/// The one script: the print button of a guide (no inline script anywhere, so the CSP can
/// forbid it).
async fn print_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")],
        "document.querySelectorAll('[data-print]').forEach(function(b){b.addEventListener('click',function(){window.print();});});",
    )
        .into_response()
}

/// Issue 31, item 8: the cursor starts in the first field (the field of a failed form's first
/// error, else the first visible field of the page's content, unless the page placed it), and
/// Ctrl+Enter (⌘+Enter) submits the form being typed in. The page's own shortcuts are
/// `accesskey`s (S search, A accept, P print).
async fn keys_js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], KEYS_JS)
        .into_response()
}

const KEYS_JS: &str = r#"(function(){
function visible(e){return !!(e.offsetWidth||e.offsetHeight||e.getClientRects().length);}
var fields='input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=checkbox]):not([type=radio]):not([type=file]),textarea,select';
if(!document.activeElement||document.activeElement===document.body){
  var err=document.querySelector('main .err');
  var target=null;
  if(err){var box=err.closest('label')||err.parentElement;target=box&&box.querySelector(fields+',input[type=checkbox],input[type=radio]');}
  if(err&&!target){err.scrollIntoView({block:'center'});}
  if(!target&&!err){var all=document.querySelectorAll('main '+fields);for(var i=0;i<all.length;i++){if(visible(all[i])&&!all[i].disabled&&!all[i].readOnly){target=all[i];break;}}}
  if(target&&!document.querySelector('[autofocus]')){target.focus({preventScroll:!err});}
}
// A place picker offers only the places of the chosen role's kind (the server checks it too).
var pickers=document.querySelectorAll('select[data-scope-of]');
for(var p=0;p<pickers.length;p++){(function(scope){
  var role=scope.form&&scope.form.querySelector('select[name='+scope.getAttribute('data-scope-of')+']');
  if(!role){return;}
  function sync(){
    var o=role.options[role.selectedIndex];var k=o&&o.getAttribute('data-kind');
    for(var i=0;i<scope.options.length;i++){var s=scope.options[i];var ok=!k||s.value.indexOf(k+':')===0;s.hidden=!ok;s.disabled=!ok;}
    var cur=scope.options[scope.selectedIndex];
    if(!cur||cur.disabled){for(var j=0;j<scope.options.length;j++){if(!scope.options[j].disabled){scope.selectedIndex=j;break;}}}
  }
  role.addEventListener('change',sync);sync();
})(pickers[p]);}
document.addEventListener('keydown',function(ev){
  if(ev.key==='Enter'&&(ev.ctrlKey||ev.metaKey)){
    var f=ev.target&&ev.target.form;
    if(f){ev.preventDefault();if(f.requestSubmit){f.requestSubmit();}else{f.submit();}}
  }
});
})();"#;

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], CSS).into_response()
}

const CSS: &str = r#"
.skip{position:absolute;left:-9999px;top:0}.skip:focus{left:8px;top:8px;z-index:10;background:#fff;color:#000;padding:4px 8px}
.tabs a,.tabs strong{white-space:nowrap;display:inline-block;margin-right:.5em}
.pager{margin-top:.5em}.pager a{display:inline-block;padding:.2em .6em;margin-left:.3em}
*{box-sizing:border-box}body{margin:0;font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;font-size:15px;line-height:1.6;color:#1b1b1b;background:#f3f5f7}
body.large{font-size:20px}body.large input,body.large select,body.large textarea,body.large button{font-size:20px}
header{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;padding:8px 16px;background:#9b1c1c;color:#fff}
header a{color:#fff;text-decoration:none}.brand{font-weight:bold;font-size:1.2em}.tag{opacity:.85}
header nav{display:flex;flex-wrap:wrap;gap:4px 12px}header nav a{padding:2px 6px;border-radius:4px}header nav a:hover,header nav a:focus{background:rgba(255,255,255,.2)}
.who{margin-left:auto}.inline{display:inline}button.link{background:none;border:1px solid rgba(255,255,255,.6);color:inherit;padding:2px 8px;border-radius:4px;cursor:pointer}
main{max-width:1100px;margin:0 auto;padding:12px}
.card{background:#fff;border-radius:6px;padding:12px 16px;margin:12px 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}.narrow{max-width:420px;margin:40px auto}
h1{font-size:1.4em;margin:.2em 0 .6em}h2{font-size:1.15em;margin:.2em 0 .6em}
label{display:block;margin:6px 0}input,select,textarea{display:block;width:100%;padding:6px 8px;border:1px solid #aaa;border-radius:4px;font:inherit;margin-top:2px}
textarea{min-height:4em}input[type=checkbox],input[type=radio]{display:inline;width:auto}input[readonly]{background:#eceff2;color:#444}
fieldset{border:1px solid #ccd2d8;border-radius:4px;margin:8px 0;padding:4px 10px 8px}
button{background:#9b1c1c;color:#fff;border:0;border-radius:4px;padding:6px 14px;font:inherit;cursor:pointer;margin:4px 4px 4px 0}
button.secondary{background:#555}button:focus,a:focus,input:focus,textarea:focus,select:focus{outline:3px solid #f5b400;outline-offset:1px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:8px 16px}
table{border-collapse:collapse;width:100%}.scroll{overflow-x:auto}th,td{text-align:left;padding:6px;border-bottom:1px solid #e3e3e3;vertical-align:top}
.overdue{color:#b00020;font-weight:bold}.today{color:#a15c00;font-weight:bold}.muted{color:#666}.err{color:#b00020}.ok{color:#1d6b2f}
.pill{display:inline-block;padding:0 6px;border-radius:8px;background:#eee;font-size:.9em}
ol.stages{padding-left:1.4em}ol.stages li{margin:.3em 0}ol.stages li.done .pill{background:#dff0d8}ol.stages li.current .pill{background:#fff3cd;font-weight:bold}ol.stages li.waiting{color:#666}.pill.warn{background:#f8d7da}
.note{background:#fff8e1;border-left:4px solid #f5b400;padding:8px 12px}
details{margin:6px 0}summary{cursor:pointer;font-weight:bold}
.doc h1{text-align:center}.doc .sub{text-align:center;color:#444}.doc .right{text-align:right}.doc .note{font-size:.9em;color:#333}
.doc table.form td{border:1px solid #333;padding:6px 8px}.doc table.form td.h{text-align:center;vertical-align:middle;background:#fafafa}
@media print{header,.noprint{display:none}.card{box-shadow:none}}
.levels{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}button.level{flex:1 1 140px;min-height:64px;font-size:1.3em}
.kiosk h1{font-size:1.8em;text-align:center}.kiosk button.level{min-height:96px;font-size:1.6em}
.chart svg{width:100%;max-width:680px;height:auto}.chart{margin:8px 0}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}label.check{display:flex;gap:8px;align-items:center}label.check input{width:auto;margin:0}
.cal{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:12px}.cal table{font-size:.85em}.cal td{text-align:center;border:1px solid #eee;padding:2px}
.cal .off{background:#fde2e2}.cal .mk{background:#e2f0fd;font-weight:bold}.cal .we{color:#999}
mark{background:#ffd5d5}
@media (max-width:600px){header .tag{display:none}.who{margin-left:0}th,td{padding:4px}main{padding:6px}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}table.stack tr:first-child{display:none}
table.stack tr{border-bottom:1px solid #d5d9de;padding:6px 0}table.stack td{border:none;padding:1px 0;overflow-wrap:anywhere}
table.stack td[data-label]::before{content:attr(data-label) "：";color:#5b6470;font-size:.9em}}
@media print{header,.noprint{display:none}}
"#;

#[cfg(test)]
mod tests {
    // Screens issue, item 6: a list's page is clamped to the pages there are; the pager links
    // only where there is somewhere to go.
    #[test]
    fn screens_6_lists_are_paged() {
        let items: Vec<i32> = (1..=120).collect();
        assert_eq!(super::page_of(&items, None, 50), (1, 3, &items[..50]));
        assert_eq!(super::page_of(&items, Some(3), 50), (3, 3, &items[100..]));
        assert_eq!(super::page_of(&items, Some(9), 50).0, 3);
        assert_eq!(super::page_of::<i32>(&[], Some(2), 50), (1, 1, &[][..]));
        let links = super::pager(2, 3, |n| format!("/x?page={n}")).into_string();
        assert!(links.contains("/x?page=1") && links.contains("/x?page=3"), "{links}");
        assert!(super::pager(1, 1, |n| format!("/x?page={n}")).into_string().is_empty());
    }

    // Screens issue, item 8: a list's cells carry their column's title for the phone layout;
    // key–value tables (headings in the first column) stay as they are.
    #[test]
    fn lists_stack_with_their_column_titles() {
        let list = "<p>x</p><table><tr><th>受理编号</th><th>期限 <small>“工作日”</small></th></tr><tr><td><a href=\"/cases/1\">NV1</a></td><td class=\"late\">已超期</td></tr></table><p>y</p>";
        let out = super::stacking_tables(list);
        assert!(out.contains("<table class=\"stack\">"), "{out}");
        assert!(out.contains("<td data-label=\"受理编号\"><a href"), "{out}");
        assert!(out.contains("<td data-label=\"期限 “工作日”\" class=\"late\">"), "{out}");
        assert!(out.starts_with("<p>x</p>") && out.ends_with("<p>y</p>"));
        let kv = "<table><tr><th>申请人</th><td>李明</td></tr></table>";
        assert_eq!(super::stacking_tables(kv), kv);
    }
}
