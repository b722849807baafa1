//! HCP on the page: the rating device at the window (touch-sized, bound to the window, no
//! login, showing the service just finished and nothing that names anyone), the SMS link's
//! rating page (a phone), and the supervision section's page — the quarter's satisfaction by
//! channel, unit and window, the callback sample with a form per call, and the rectifications
//! with the forms their state offers.

use super::{Large, Visitor, above, beside, check_csrf, csrf_field, error_page, layout, val};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::i18n::{tr, trf};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use noveto_app::ratings as svc;
use noveto_app::rectifications as rect;
use noveto_domain::access::{Action, may_somewhere};
use noveto_domain::rating::{Dimension, Level};
use noveto_domain::rectification::Offer;
use std::collections::HashMap;

type Form = axum::Form<HashMap<String, String>>;

/// The levels of the policy's scale as big buttons (the best first), each posting its value —
/// all alike, so the screen hints at no answer (HCP-2).
fn level_buttons(scale: u8) -> Markup {
    html! {
        div.levels {
            @for (l, v) in Level::all(scale) {
                @let value = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
                button.level name="level" value=(value) { (tr(l.label())) }
            }
        }
    }
}

fn dimensions(scale: u8) -> Markup {
    html! {
        details {
            summary { (tr("分项评价（可不填）")) }
            @for d in Dimension::ALL {
                label {
                    (tr(d.label()))
                    select name={ "dim_" (d.as_str()) } {
                        option value="" { (tr("不评")) }
                        @for (l, v) in Level::all(scale) {
                            option value=(v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())) { (tr(l.label())) }
                        }
                    }
                }
            }
        }
    }
}

fn rating_in(f: &HashMap<String, String>) -> svc::RatingIn {
    let level = val(f, "level");
    let value = |v: &str| v.parse::<u64>().map(serde_json::Value::from).unwrap_or_else(|_| serde_json::Value::from(v));
    let dims: std::collections::BTreeMap<String, serde_json::Value> = Dimension::ALL
        .iter()
        .filter_map(|d| {
            f.get(&format!("dim_{}", d.as_str())).filter(|v| !v.is_empty()).map(|v| (d.as_str().to_string(), value(v)))
        })
        .collect();
    svc::RatingIn {
        channel: String::new(),
        level: (!level.is_empty()).then(|| value(&level)),
        dimensions: (!dims.is_empty()).then_some(dims),
        comment: Some(val(f, "comment")),
        ..Default::default()
    }
}

// ---------- The SMS link's page ----------

fn rate_body(token: &str, page: &svc::RatePage, e: Option<&ApiError>) -> Markup {
    html! {
        section.card.rate {
            h1 { (tr("服务评价")) }
            @if page.rated {
                p { (tr("这项服务已经评价过了，感谢您的评价。")) }
            } @else {
                p { (trf("请对您办理的{}（编号 {}）作出评价：", &[&tr_dyn(&page.what), &page.receipt_no])) }
                @if let Some(e) = e { p.err role="alert" { (crate::i18n::tr_text(&e.message)) } }
                form method="post" action={ "/rate/" (token) } {
                    (dimensions(page.scale))
                    label { (tr("意见建议（可不填）")) textarea name="comment" rows="2" maxlength="500" {} }
                    (level_buttons(page.scale))
                }
            }
        }
    }
}

fn tr_dyn(s: &str) -> String {
    crate::i18n::tr_text(s)
}

pub async fn rate_page(
    State(s): State<AppState>,
    Large(large): Large,
    crate::extract::ApiPath(token): crate::extract::ApiPath<String>,
) -> Response {
    match svc::rate_page(&s, &token).await {
        Ok(page) => layout(None, large, tr("服务评价"), rate_body(&token, &page, None)).into_response(),
        Err(e) => error_page(None, large, &e.into()),
    }
}

pub async fn rate_submit(
    State(s): State<AppState>,
    Large(large): Large,
    crate::extract::ApiPath(token): crate::extract::ApiPath<String>,
    axum::Form(f): Form,
) -> Response {
    match svc::rate_by_link(&s, &token, rating_in(&f)).await {
        Ok(_) => {
            let body = html! { section.card.rate { h1 { (tr("感谢您的评价")) } p { (tr("您的评价已收到。不满意的，我们会尽快核实整改，并把结果告诉您。")) } } };
            (StatusCode::CREATED, layout(None, large, tr("感谢您的评价"), body)).into_response()
        }
        Err(e) => {
            let e: ApiError = e.into();
            match svc::rate_page(&s, &token).await {
                Ok(page) => {
                    (e.status, layout(None, large, tr("服务评价"), rate_body(&token, &page, Some(&e)))).into_response()
                }
                Err(_) => error_page(None, large, &e),
            }
        }
    }
}

// ---------- The rating device ----------

fn kiosk_body(key: &str, service: Option<&svc::KioskService>, scale: u8, note: Option<&str>) -> Markup {
    html! {
        section.card.kiosk {
            @if let Some(n) = note { p.ok role="status" { (n) } }
            @match service {
                Some(sv) => {
                    h1 { (tr("请对本次服务作出评价")) }
                    p { (trf("{}（编号 {}）", &[&tr_dyn(&sv.what), &sv.receipt_no])) }
                    form method="post" action={ "/kiosk/" (key) } {
                        input type="hidden" name="case_id" value=(sv.id);
                        (dimensions(scale))
                        (level_buttons(scale))
                    }
                }
                None => {
                    h1 { (tr("欢迎评价")) }
                    p.muted { (tr("本窗口办理完一项服务后，可以在这里评价。")) }
                }
            }
        }
    }
}

pub async fn kiosk(
    State(s): State<AppState>,
    Large(large): Large,
    crate::extract::ApiPath(key): crate::extract::ApiPath<String>,
) -> Response {
    let r = async {
        let w = svc::kiosk_window(&s, &key).await?;
        let sv = svc::kiosk_service(&s, w).await?;
        Ok::<_, noveto_app::Error>(kiosk_body(&key, sv.as_ref(), s.policy().rating.scale, None))
    }
    .await;
    match r {
        // The device refreshes itself to show the next service.
        Ok(b) => ([(axum::http::header::REFRESH, "20")], layout(None, large, tr("服务评价"), b)).into_response(),
        Err(e) => error_page(None, large, &e.into()),
    }
}

pub async fn kiosk_submit(
    State(s): State<AppState>,
    Large(large): Large,
    crate::extract::ApiPath(key): crate::extract::ApiPath<String>,
    axum::Form(f): Form,
) -> Response {
    let case: i64 = val(&f, "case_id").parse().unwrap_or(0);
    let r = svc::rate_on_kiosk(&s, &key, case, rating_in(&f)).await;
    let note = match &r {
        Ok(_) => tr("感谢您的评价！").to_string(),
        Err(e) => crate::i18n::tr_text(&e.message),
    };
    let b = async {
        let w = svc::kiosk_window(&s, &key).await?;
        let sv = svc::kiosk_service(&s, w).await?;
        Ok::<_, noveto_app::Error>(kiosk_body(&key, sv.as_ref(), s.policy().rating.scale, Some(&note)))
    }
    .await;
    let status = match &r {
        Ok(_) => StatusCode::CREATED,
        Err(e) => {
            ApiError::from(noveto_app::Error { kind: e.kind, code: e.code, message: e.message.clone(), field: e.field })
                .status
        }
    };
    match b {
        Ok(b) => (status, layout(None, large, tr("服务评价"), b)).into_response(),
        Err(e) => error_page(None, large, &e.into()),
    }
}

// ---------- The supervision section's page ----------

#[derive(serde::Deserialize, Default)]
pub struct RatingsQ {
    quarter: Option<String>,
    seed: Option<u64>,
}

fn pct(r: Option<f64>) -> String {
    r.map(|x| format!("{:.1}%", x * 100.0)).unwrap_or_else(|| tr("无评价").to_string())
}

fn rect_forms(
    p: &Principal,
    r: &noveto_app::tickets::View<noveto_domain::rectification::Rectification>,
    kept: &HashMap<String, String>,
    e: Option<&ApiError>,
) -> Markup {
    let k = |n: &str| e.map(|_| val(kept, n)).unwrap_or_default();
    let id = r.id;
    html! {
        (above(e, &["note", "measures", "told", "reason"]))
        @if r.offers.contains(&Offer::Verify) {
            form method="post" action={ "/rectifications/" (id) "/verification" } {
                (csrf_field(p))
                label { (tr("回访核实情况")) textarea name="note" rows="2" required maxlength="1000" { (k("note")) } (beside(e, "note")) }
                button.secondary { (tr("已回访核实")) }
            }
        }
        @if r.offers.contains(&Offer::Done) {
            form method="post" action={ "/rectifications/" (id) "/done" } {
                (csrf_field(p))
                label { (tr("整改措施（或不属单位责任的说明）")) textarea name="measures" rows="2" required maxlength="2000" { (k("measures")) } (beside(e, "measures")) }
                label { (tr("告知情况（如何告知评价人或公众）")) textarea name="told" rows="2" required maxlength="1000" { (k("told")) } (beside(e, "told")) }
                button { (tr("整改完毕并已告知")) }
            }
        }
        @if r.offers.contains(&Offer::Appeal) {
            details {
                summary { (tr("评价有误或恶意：申诉")) }
                form method="post" action={ "/rectifications/" (id) "/appeal" } {
                    (csrf_field(p))
                    label { (tr("申诉理由和依据")) textarea name="reason" rows="2" required maxlength="2000" { (k("reason")) } (beside(e, "reason")) }
                    button.secondary { (tr("提交申诉")) }
                }
            }
        }
        @if r.offers.contains(&Offer::DecideAppeal) {
            form method="post" action={ "/rectifications/" (id) "/decision" } {
                (csrf_field(p))
                p { (tr("申诉理由：")) (r.appeal.as_deref().unwrap_or("")) }
                label { (tr("决定理由")) textarea name="reason" rows="2" required maxlength="2000" { (k("reason")) } (beside(e, "reason")) }
                button name="upheld" value="1" { (tr("申诉成立，该评价不计入")) }
                " "
                button.secondary name="upheld" value="0" { (tr("申诉不成立，继续整改")) }
            }
        }
    }
}

async fn body(
    s: &AppState,
    p: &Principal,
    q: &RatingsQ,
    kept: &HashMap<String, String>,
    err: Option<(i64, &ApiError)>,
) -> ApiResult<Markup> {
    let quarter = q.quarter.clone().unwrap_or_else(|| svc::this_quarter(s));
    let reads = may_somewhere(&p.grants, Action::ReadRatings);
    let calls = may_somewhere(&p.grants, Action::RecordRating);
    let rows = if reads { svc::breakdown(s, p, &quarter).await? } else { vec![] };
    let rects = rect::visible(s, p, true).await.unwrap_or_default();
    let seed = q.seed.unwrap_or(1);
    let sample = if calls { svc::callback_sample(s, p, &quarter, seed, 30).await.unwrap_or_default() } else { vec![] };
    let units = noveto_app::org::directory(s).await?.units;
    let unit_name = |id: i64| units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    let scale = s.policy().rating.scale;
    Ok(html! {
        section.card {
            h1 { (trf("好差评（{}）", &[&quarter])) }
            p.muted { (tr("满意率 = 满意数 ÷ 总数（电话回访 ÷ 有效回访）；综合满意度 = 30% 评价器 + 30% 短信 + 40% 电话回访，没有评价的渠道不计为 0，其权重按比例分给其他渠道。")) }
        }
        @if reads {
            section.card {
                h2 { (tr("满意度")) }
                div.scroll {
                    table.stack {
                        tr { th { (tr("对象")) } th { (tr("评价器")) } th { (tr("短信")) } th { (tr("电话回访")) } th { (tr("综合满意度")) } }
                        @for (name, f) in &rows {
                            tr {
                                td data-label=(tr("对象")) { (crate::i18n::tr_text(name)) }
                                td data-label=(tr("评价器")) { (pct(f.device.rate)) " (" (f.device.satisfied) "/" (f.device.total) ")" }
                                td data-label=(tr("短信")) { (pct(f.sms.rate)) " (" (f.sms.satisfied) "/" (f.sms.total) ")" }
                                td data-label=(tr("电话回访")) { (pct(f.callback.rate)) " (" (f.callback.satisfied) "/" (f.callback.total) ")" }
                                td data-label=(tr("综合满意度")) { (pct(f.composite)) @if f.reweighted { br; span.muted { (tr("（权重已按有评价的渠道调整）")) } } }
                            }
                        }
                    }
                }
                p {
                    a href={ "/api/v1/satisfaction?format=xlsx&quarter=" (quarter) } { (tr("导出 Excel")) } " · "
                    a href={ "/api/v1/ratings/export?format=xlsx&quarter=" (quarter) } { (tr("按省平台格式导出评价")) }
                }
            }
        }
        section.card {
            h2 { (trf("整改事项（{} 件未完成）", &[&rects.len()])) }
            @if rects.is_empty() { p.muted { (tr("没有未完成的整改。")) } }
            @for r in &rects {
                @let e = err.filter(|(id, _)| *id == r.id).map(|(_, e)| e);
                div.card id={ "r" (r.id) } {
                    p {
                        b { (r.receipt_no) } " · " (unit_name(r.unit_id)) " · " (tr(r.status.label()))
                        @if let Some(d) = r.due { " · " (tr("期限：")) (crate::ui::day(d)) }
                    }
                    p { (r.problem) }
                    @if let Some(pp) = &r.person { p.muted { (tr("评价人：")) (pp.name) " " (pp.phone) } }
                    @if let Some(v) = &r.verification { p.muted { (tr("核实：")) (v) } }
                    (rect_forms(p, r, kept, e))
                }
            }
        }
        @if calls {
            section.card {
                h2 { (trf("电话回访样本（种子 {}）", &[&seed])) }
                p.muted { (tr("按单位、窗口分层随机抽取本季度办结的服务；同一种子抽出同一样本。")) }
                @if sample.is_empty() { p.muted { (tr("本季度尚无可回访的服务。")) } }
                @if let Some((_, e)) = err.filter(|(id, _)| *id == 0).filter(|_| !sample.iter().any(|c| val(kept, "id") == c.id.to_string() && val(kept, "kind") == c.kind)) {
                    p.err role="alert" { (crate::i18n::tr_text(&e.message)) }
                }
                @for c in &sample {
                    div.card {
                        p { b { (c.receipt_no) } " · " (c.name) " " (c.phone) @if c.done { " · " span.pill { (tr("已回访")) } } }
                        // A refused callback comes back on its own card, the comment kept.
                        @let mine = err
                            .filter(|(id, _)| *id == 0)
                            .filter(|_| val(kept, "id") == c.id.to_string() && val(kept, "kind") == c.kind)
                            .map(|(_, e)| e);
                        @if let Some(e) = mine { p.err role="alert" { (crate::i18n::tr_text(&e.message)) } }
                        @if !c.done {
                            form method="post" action="/ratings/callback" {
                                (csrf_field(p))
                                input type="hidden" name="kind" value=(c.kind);
                                input type="hidden" name="id" value=(c.id);
                                input type="hidden" name="quarter" value=(quarter);
                                label { (tr("意见建议")) input name="comment" maxlength="500" value=(if mine.is_some() { val(kept, "comment") } else { String::new() }); }
                                (level_buttons(scale))
                                button.secondary name="reached" value="0" { (tr("未接通")) }
                            }
                        }
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
    Query(q): Query<RatingsQ>,
) -> Response {
    match body(&s, &p, &q, &HashMap::new(), None).await {
        Ok(b) => layout(Some(&p), large, tr("好差评"), b).into_response(),
        Err(e) => error_page(Some(&p), large, &e),
    }
}

/// HCP-3: a callback's answer (or that nobody was reached).
pub async fn callback(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        let id: i64 = val(&f, "id").parse().map_err(|_| ApiError::bad("unknown_service", tr("服务不存在")))?;
        let mut b = rating_in(&f);
        b.channel = "callback".into();
        if val(&f, "reached") == "0" {
            b.reached = Some(false);
            b.level = None;
        }
        match val(&f, "kind").as_str() {
            "case" => b.case_id = Some(id),
            "unresolved" => b.unresolved_id = Some(id),
            _ => b.complaint_id = Some(id),
        }
        svc::rate(&s, &p, b).await?;
        Ok::<_, ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Redirect::to(&format!("/ratings?quarter={}", val(&f, "quarter"))).into_response(),
        Err(e) => {
            let page = body(&s, &p, &RatingsQ::default(), &f, Some((0, &e))).await;
            super::again(&p, large, tr("好差评"), &e, page)
        }
    }
}

/// The rectification's actions from the page.
pub async fn act(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    crate::extract::ApiPath((id, action)): crate::extract::ApiPath<(i64, String)>,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        match action.as_str() {
            "verification" => rect::verify(&s, &p, id, rect::NoteIn { note: val(&f, "note") }).await?,
            "done" => {
                rect::done(&s, &p, id, rect::DoneIn { measures: val(&f, "measures"), told: val(&f, "told") }).await?
            }
            "appeal" => rect::appeal(&s, &p, id, rect::AppealIn { reason: val(&f, "reason") }).await?,
            "decision" => {
                rect::decide_appeal(
                    &s,
                    &p,
                    id,
                    rect::DecisionIn { upheld: val(&f, "upheld") == "1", reason: val(&f, "reason") },
                )
                .await?
            }
            _ => return Err(ApiError::not_found(tr("页面"))),
        }
        Ok::<_, ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Redirect::to(&format!("/ratings#r{id}")).into_response(),
        Err(e) => {
            let page = body(&s, &p, &RatingsQ::default(), &f, Some((id, &e))).await;
            super::again(&p, large, tr("好差评"), &e, page)
        }
    }
}
