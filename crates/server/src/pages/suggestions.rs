//! FAQ-3: 意见建议 — record what a company or citizen suggested (at the window, from the opinion
//! box, online, by phone), and for the business section: adopt or decline it with a reason, then
//! record the change that carried it out. The list is `noveto_app::suggestions::visible`, the
//! same door as the API.

use super::{Large, Visitor, above, beside, check_csrf, csrf_field, error_page, layout, val};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::i18n::{tr, trf};
use crate::ui::when_at;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use noveto_app::suggestions as svc;
use noveto_domain::access::{Action, may_somewhere};
use noveto_domain::suggestion::{Offer, Source, Status};
use std::collections::HashMap;

type Form = axum::Form<HashMap<String, String>>;

fn title() -> &'static str {
    tr("意见建议")
}

#[derive(serde::Deserialize)]
pub struct ListQ {
    status: Option<String>,
    case: Option<i64>,
}

/// The record form, kept as typed (`kept`) with its error beside the field.
fn record_form(p: &crate::auth::Principal, kept: &HashMap<String, String>, e: Option<&ApiError>) -> Markup {
    let source = val(kept, "source");
    let case = val(kept, "case_id");
    html! {
        section.card {
            h2 { (tr("登记意见建议")) }
            (above(e, &["text", "source", "item_code", "contact"]))
            form method="post" action="/suggestions" {
                (csrf_field(p))
                input type="hidden" name="case_id" value=(case);
                @if !case.is_empty() {
                    p.muted { (tr("来自办件 ")) a href={ "/cases/" (case) } { (case) } }
                }
                label {
                    (tr("来源"))
                    select name="source" {
                        @for s in Source::ALL {
                            option value=(s.as_str()) selected[source == s.as_str() || (source.is_empty() && s == Source::Window)] { (tr(s.label())) }
                        }
                    }
                    (beside(e, "source"))
                }
                label {
                    (tr("意见建议内容（照实记录群众原话）"))
                    textarea name="text" rows="4" maxlength="2000" required { (val(kept, "text")) }
                    (beside(e, "text"))
                }
                label { (tr("涉及事项编码（可不填）")) input name="item_code" value=(val(kept, "item_code")); (beside(e, "item_code")) }
                label {
                    (tr("联系方式（可不填，用于反馈处理结果）"))
                    input name="contact" maxlength="100" value=(val(kept, "contact"));
                    (beside(e, "contact"))
                }
                button type="submit" { (tr("登记")) }
            }
        }
    }
}

/// The judging form of a recorded suggestion, or the change form of an adopted one.
fn action_form(
    p: &crate::auth::Principal,
    x: &noveto_app::tickets::View<noveto_domain::suggestion::Suggestion>,
    kept: &HashMap<String, String>,
    e: Option<&ApiError>,
) -> Markup {
    let k = |n: &str| e.map(|_| val(kept, n)).unwrap_or_default();
    let kind = k("kind");
    html! {
        @if x.offers(Offer::Decide) {
            form method="post" action={ "/suggestions/" (x.id) "/decision" } {
                (csrf_field(p))
                (above(e, &["note"]))
                label {
                    (tr("研判意见（不予采纳须写理由）"))
                    textarea name="note" rows="2" maxlength="2000" { (k("note")) }
                    (beside(e, "note"))
                }
                button name="decision" value="adopt" { (tr("采纳")) }
                " "
                button.secondary name="decision" value="decline" { (tr("不予采纳")) }
            }
        } @else if x.offers(Offer::Implement) {
            form method="post" action={ "/suggestions/" (x.id) "/change" } {
                (csrf_field(p))
                (above(e, &["kind", "item_code", "version", "faq_id", "title"]))
                label {
                    (tr("落实方式"))
                    select name="kind" {
                        option value="guide_version" selected[kind == "guide_version"] { (tr("办事指南新版本")) }
                        option value="faq_entry" selected[kind == "faq_entry"] { (tr("问题咨询库新条目")) }
                        option value="rule" selected[kind == "rule"] { (tr("以制度形式固定推广")) }
                    }
                    (beside(e, "kind"))
                }
                label { (tr("事项编码（办事指南）")) input name="item_code" value=(k("item_code")); (beside(e, "item_code")) }
                label { (tr("指南版本号")) input name="version" inputmode="numeric" value=(k("version")); (beside(e, "version")) }
                label { (tr("问答编号")) input name="faq_id" inputmode="numeric" value=(k("faq_id")); (beside(e, "faq_id")) }
                label { (tr("制度名称或文号")) input name="title" maxlength="200" value=(k("title")); (beside(e, "title")) }
                label { (tr("说明")) input name="note" maxlength="500" value=(k("note")); }
                button { (tr("登记落实")) }
            }
        }
    }
}

/// A change in words (the domain's `describe` is for logs; this one is in the page's locale).
fn change_text(c: &noveto_domain::suggestion::Change) -> String {
    use noveto_domain::suggestion::Change;
    match c {
        Change::GuideVersion { item_code, version } => trf("办事指南 {} 第 {} 版", &[item_code, version]),
        Change::FaqEntry { faq_id } => trf("问题咨询库第 {} 条", &[faq_id]),
        Change::Rule { title } => trf("制度：{}", &[title]),
    }
}

async fn body(
    s: &AppState,
    p: &crate::auth::Principal,
    status: Option<&str>,
    kept: &HashMap<String, String>,
    err: Option<(i64, &ApiError)>,
) -> ApiResult<Markup> {
    let may_record = may_somewhere(&p.grants, Action::RecordSuggestion);
    if !may_record && !may_somewhere(&p.grants, Action::ReadSuggestions) {
        return Err(ApiError::forbidden(tr("无权查看或登记意见建议")));
    }
    // The same list as the API: by role at its place, or what the reader recorded or was sent.
    let rows = svc::visible(s, p, status).await?;
    let may_read = true;
    let tabs: Vec<(&str, &str)> =
        std::iter::once(("", tr("全部"))).chain(Status::ALL.iter().map(|s| (s.as_str(), tr(s.label())))).collect();
    Ok(html! {
        section.card {
            h1 { (title()) }
            p.muted { (tr("企业群众反映的问题和提出的意见建议，作为优化办事流程、动态调整办事指南的依据；具有建设性的，以制度形式固定推广。")) }
        }
        @if may_record { (record_form(p, kept, err.filter(|(id, _)| *id == 0).map(|(_, e)| e))) }
        @if may_read {
            section.card {
                h2 { (tr("意见建议及落实情况")) }
                p {
                    @for (n, (k, l)) in tabs.iter().enumerate() {
                        @if n > 0 { " · " }
                        @if status.unwrap_or("") == *k { b { (l) } }
                        @else if k.is_empty() { a href="/suggestions" { (l) } }
                        @else { a href={ "/suggestions?status=" (k) } { (l) } }
                    }
                }
                table {
                    tr {
                        th { (tr("编号")) } th { (tr("登记时间")) } th { (tr("来源")) } th { (tr("内容")) }
                        th { (tr("状态")) } th { (tr("研判意见")) } th { (tr("落实情况")) }
                    }
                    @if rows.is_empty() { tr { td colspan="7" class="muted" { (tr("没有意见建议。")) } } }
                    @for r in &rows {
                        @let x = r;
                        @let e = err.filter(|(id, _)| *id == x.id).map(|(_, e)| e);
                        tr id={ "s" (x.id) } {
                            td { (x.id) }
                            td { (when_at(&r.recorded_at)) }
                            td { (tr(x.source.label())) }
                            td {
                                (x.text)
                                @if let Some(c) = &x.item_code { br; (tr("事项 ")) (c) }
                                @if let Some(c) = x.case_id { br; a href={ "/cases/" (c) } { (tr("办件 ")) (c) } }
                            }
                            td { (tr(x.status.label())) }
                            td {
                                @if let (Some(n), Some(_)) = (&x.decision_note, &r.decided_at) { (n) "（" (when_at(&r.decided_at)) "）" }
                            }
                            td {
                                @if let (Some(c), Some(_)) = (&x.change, &r.done_at) { (change_text(c)) "（" (when_at(&r.done_at)) "）" }
                                (action_form(p, x, kept, e))
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
    axum::extract::Query(q): axum::extract::Query<ListQ>,
) -> Response {
    let mut kept = HashMap::new();
    if let Some(c) = q.case {
        kept.insert("case_id".to_string(), c.to_string());
    }
    match body(&s, &p, q.status.as_deref(), &kept, None).await {
        Ok(b) => layout(Some(&p), large, title(), b).into_response(),
        Err(e) => error_page(Some(&p), large, &e),
    }
}

/// After an action on suggestion `id` (0: the record form): back to that suggestion in the
/// list, or, when it failed, the page again with its form as typed and the error beside the field.
async fn after(
    s: &AppState,
    p: &crate::auth::Principal,
    large: bool,
    f: &HashMap<String, String>,
    id: i64,
    r: ApiResult<i64>,
) -> Response {
    let e = match r {
        Ok(shown) => return Redirect::to(&format!("/suggestions#s{shown}")).into_response(),
        Err(e) => e,
    };
    let page = body(s, p, None, f, Some((id, &e))).await;
    super::again(p, large, title(), &e, page)
}

pub async fn record(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        let opt = |k: &str| Some(val(&f, k)).filter(|v| !v.is_empty());
        let b = svc::SuggestionIn {
            text: val(&f, "text"),
            source: opt("source"),
            contact: opt("contact"),
            case_id: opt("case_id").and_then(|c| c.parse().ok()),
            item_code: opt("item_code"),
            ..Default::default()
        };
        Ok::<_, ApiError>(svc::record(&s, &p, b).await?)
    }
    .await;
    after(&s, &p, large, &f, 0, r).await
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
        let b = svc::DecisionIn { decision: val(&f, "decision"), note: Some(val(&f, "note")) };
        svc::decide(&s, &p, id, b).await?;
        Ok::<_, ApiError>(id)
    }
    .await;
    after(&s, &p, large, &f, id, r).await
}

pub async fn change(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(id): ApiPath<i64>,
    axum::Form(f): Form,
) -> Response {
    let r = async {
        check_csrf(&p, &f)?;
        let num = |k: &'static str| -> ApiResult<Option<i64>> {
            let v = val(&f, k);
            if v.is_empty() {
                return Ok(None);
            }
            v.parse()
                .map(Some)
                .map_err(|_| ApiError { field: Some(k), ..ApiError::bad("invalid_number", tr("请填写数字")) })
        };
        let b = svc::ChangeIn {
            kind: val(&f, "kind"),
            item_code: Some(val(&f, "item_code")),
            version: num("version")?,
            faq_id: num("faq_id")?,
            title: Some(val(&f, "title")),
            note: Some(val(&f, "note")),
        };
        svc::implement(&s, &p, id, b).await?;
        Ok::<_, ApiError>(id)
    }
    .await;
    after(&s, &p, large, &f, id, r).await
}
