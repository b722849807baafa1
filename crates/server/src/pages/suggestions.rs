//! FAQ-3: 意见建议 — record what a company or citizen suggested (at the window, from the opinion
//! box, online, by phone), and for the business section: adopt or decline it with a reason, then
//! record the change that carried it out. The list is `noveto_app::suggestions::visible`, the
//! same door as the API.

use super::{Large, Visitor, check_csrf, csrf_field, error_page, esc, layout, val};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::ui::when;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use noveto_app::suggestions as svc;
use noveto_domain::access::{Action, may_somewhere};
use noveto_domain::suggestion::{Source, Status};
use std::collections::HashMap;

type Form = axum::Form<HashMap<String, String>>;

const TITLE: &str = "意见建议";

/// The error of `e` if it belongs to `field`, shown beside it.
fn beside(e: Option<&ApiError>, field: &str) -> String {
    match e {
        Some(e) if e.field == Some(field) => format!("<span class=\"err\" role=\"alert\">{}</span>", esc(&e.message)),
        _ => String::new(),
    }
}

/// An error that belongs to no field of the form, above it.
fn above(e: Option<&ApiError>, fields: &[&str]) -> String {
    match e {
        Some(e) if !e.field.is_some_and(|f| fields.contains(&f)) => {
            format!("<p class=\"err\" role=\"alert\">{}</p>", esc(&e.message))
        }
        _ => String::new(),
    }
}

#[derive(serde::Deserialize)]
pub struct ListQ {
    status: Option<String>,
    case: Option<i64>,
}

/// The record form, kept as typed (`kept`) with its error beside the field.
fn record_form(p: &crate::auth::Principal, kept: &HashMap<String, String>, e: Option<&ApiError>) -> String {
    let source = val(kept, "source");
    let options: String = Source::ALL
        .iter()
        .map(|s| {
            let sel =
                if source == s.as_str() || (source.is_empty() && *s == Source::Window) { " selected" } else { "" };
            format!("<option value=\"{}\"{sel}>{}</option>", s.as_str(), s.label())
        })
        .collect();
    let case = val(kept, "case_id");
    format!(
        "<section class=\"card\"><h2>登记意见建议</h2>{}<form method=\"post\" action=\"/suggestions\">{}\
<input type=\"hidden\" name=\"case_id\" value=\"{}\">{}\
<label>来源<select name=\"source\">{options}</select>{}</label>\
<label>意见建议内容（照实记录群众原话）<textarea name=\"text\" rows=\"4\" maxlength=\"2000\" required>{}</textarea>{}</label>\
<label>涉及事项编码（可不填）<input name=\"item_code\" value=\"{}\"></label>{}\
<label>联系方式（可不填，用于反馈处理结果）<input name=\"contact\" maxlength=\"100\" value=\"{}\"></label>{}\
<button type=\"submit\">登记</button></form></section>",
        above(e, &["text", "source", "item_code", "contact"]),
        csrf_field(p),
        esc(&case),
        if case.is_empty() {
            String::new()
        } else {
            format!("<p class=\"muted\">来自办件 <a href=\"/cases/{0}\">{0}</a></p>", esc(&case))
        },
        beside(e, "source"),
        esc(&val(kept, "text")),
        beside(e, "text"),
        esc(&val(kept, "item_code")),
        beside(e, "item_code"),
        esc(&val(kept, "contact")),
        beside(e, "contact"),
    )
}

async fn body(
    s: &AppState,
    p: &crate::auth::Principal,
    status: Option<&str>,
    kept: &HashMap<String, String>,
    err: Option<(i64, &ApiError)>,
) -> ApiResult<String> {
    let may_record = may_somewhere(&p.grants, Action::RecordSuggestion);
    let may_read = may_somewhere(&p.grants, Action::ReadSuggestions);
    if !may_record && !may_read {
        return Err(ApiError::forbidden("无权查看或登记意见建议"));
    }
    let mut o = format!(
        "<section class=\"card\"><h1>{TITLE}</h1><p class=\"muted\">企业群众反映的问题和提出的意见建议，作为优化办事流程、动态调整办事指南的依据；具有建设性的，以制度形式固定推广。</p></section>"
    );
    if may_record {
        o.push_str(&record_form(p, kept, err.filter(|(id, _)| *id == 0).map(|(_, e)| e)));
    }
    if !may_read {
        return Ok(o);
    }
    let rows = svc::visible(s, p, status).await?;
    let may_decide = may_somewhere(&p.grants, Action::DecideSuggestion);
    let tabs: String = std::iter::once(("", "全部"))
        .chain(Status::ALL.iter().map(|s| (s.as_str(), s.label())))
        .map(|(k, l)| {
            let cur = status.unwrap_or("") == k;
            let href = if k.is_empty() { "/suggestions".to_string() } else { format!("/suggestions?status={k}") };
            if cur { format!("<b>{l}</b>") } else { format!("<a href=\"{href}\">{l}</a>") }
        })
        .collect::<Vec<_>>()
        .join(" · ");
    o.push_str(&format!(
        "<section class=\"card\"><h2>意见建议及落实情况</h2><p>{tabs}</p><table><tr><th>编号</th><th>登记时间</th><th>来源</th><th>内容</th><th>状态</th><th>研判意见</th><th>落实情况</th></tr>"
    ));
    if rows.is_empty() {
        o.push_str("<tr><td colspan=\"7\" class=\"muted\">没有意见建议。</td></tr>");
    }
    for r in &rows {
        let x = &r.s;
        let mut act = String::new();
        let e = err.filter(|(id, _)| *id == x.id).map(|(_, e)| e);
        if may_decide && x.status == Status::Recorded {
            act = format!(
                "<form method=\"post\" action=\"/suggestions/{0}/decision\">{1}{2}<label>研判意见（不予采纳须写理由）<textarea name=\"note\" rows=\"2\" maxlength=\"2000\">{3}</textarea>{4}</label>\
<button name=\"decision\" value=\"adopt\">采纳</button> <button class=\"secondary\" name=\"decision\" value=\"decline\">不予采纳</button></form>",
                x.id,
                csrf_field(p),
                above(e, &["note"]),
                esc(&e.map(|_| val(kept, "note")).unwrap_or_default()),
                beside(e, "note")
            );
        } else if may_decide && x.status == Status::Adopted {
            let k = |n: &str| esc(&e.map(|_| val(kept, n)).unwrap_or_default());
            let kind = e.map(|_| val(kept, "kind")).unwrap_or_default();
            let opt = |v: &str, l: &str| {
                format!("<option value=\"{v}\"{}>{l}</option>", if kind == v { " selected" } else { "" })
            };
            act = format!(
                "<form method=\"post\" action=\"/suggestions/{0}/change\">{1}{2}<label>落实方式<select name=\"kind\">{3}{4}{5}</select>{6}</label>\
<label>事项编码（办事指南）<input name=\"item_code\" value=\"{7}\">{8}</label><label>指南版本号<input name=\"version\" inputmode=\"numeric\" value=\"{9}\">{10}</label>\
<label>问答编号<input name=\"faq_id\" inputmode=\"numeric\" value=\"{11}\">{12}</label><label>制度名称或文号<input name=\"title\" maxlength=\"200\" value=\"{13}\">{14}</label>\
<label>说明<input name=\"note\" maxlength=\"500\" value=\"{15}\"></label><button>登记落实</button></form>",
                x.id,
                csrf_field(p),
                above(e, &["kind", "item_code", "version", "faq_id", "title"]),
                opt("guide_version", "办事指南新版本"),
                opt("faq_entry", "问题咨询库新条目"),
                opt("rule", "以制度形式固定推广"),
                beside(e, "kind"),
                k("item_code"),
                beside(e, "item_code"),
                k("version"),
                beside(e, "version"),
                k("faq_id"),
                beside(e, "faq_id"),
                k("title"),
                beside(e, "title"),
                k("note"),
            );
        }
        let decided = match (&x.decision_note, &r.decided_at) {
            (Some(n), Some(at)) => format!("{}（{}）", esc(n), when(at)),
            _ => String::new(),
        };
        let done = match (&x.change, &r.done_at) {
            (Some(c), Some(at)) => format!("{}（{}）", esc(&c.describe()), when(at)),
            _ => String::new(),
        };
        let case = x.case_id.map(|c| format!("<br><a href=\"/cases/{c}\">办件 {c}</a>")).unwrap_or_default();
        let item = x.item_code.as_deref().map(|c| format!("<br>事项 {}", esc(c))).unwrap_or_default();
        o.push_str(&format!(
            "<tr id=\"s{0}\"><td data-label=\"编号\">{0}</td><td data-label=\"登记时间\">{1}</td><td data-label=\"来源\">{2}</td><td data-label=\"内容\">{3}{item}{case}</td><td data-label=\"状态\">{4}</td><td data-label=\"研判意见\">{decided}</td><td data-label=\"落实情况\">{done}{act}</td></tr>",
            x.id,
            when(&r.recorded_at),
            x.source.label(),
            esc(&x.text),
            x.status.label(),
        ));
    }
    o.push_str("</table></section>");
    Ok(o)
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
        Ok(b) => layout(Some(&p), large, TITLE, &b).into_response(),
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
    match body(s, p, None, f, Some((id, &e))).await {
        Ok(b) => (e.status, layout(Some(p), large, TITLE, &b)).into_response(),
        Err(_) => error_page(Some(p), large, &e),
    }
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
                .map_err(|_| ApiError { field: Some(k), ..ApiError::bad("invalid_number", "请填写数字") })
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
