//! BBC: the 办不成事 desk's routes over `noveto_app::unresolved`.

use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use noveto_app::tickets::View;
use noveto_app::unresolved as app;
pub use noveto_app::unresolved::{
    ClassIn, DeadlineIn, DispatchIn, FeedbackIn, FinalAnswerIn, NoticeIn, OutsideIn, UnresolvedIn, VerifyIn,
};
use noveto_domain::unresolved::Unresolved;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// A matter as the API shows it: the reader's view (the reporter already as they may see them),
/// with the actions it offers them.
pub fn matter_json(u: &View<Unresolved>) -> Value {
    let at = |t: &Option<chrono::DateTime<chrono::FixedOffset>>| t.map(noveto_domain::time::rfc3339);
    json!({
        "id": u.id, "version": u.version, "receipt_no": u.receipt_no, "center_id": u.center_id, "desk_id": u.desk_id,
        "reporter": {"name": u.reporter.name, "phone": u.reporter.phone}, "summary": u.summary, "case_id": u.case_id,
        "class": u.class, "class_label": u.class.label(), "status": u.status, "status_label": u.status.label(),
        "unit_id": u.unit_id, "sent_to": u.sent_to, "escalated_to": u.escalated_to, "result": u.result,
        "resolved": u.answer_resolved, "flagged": u.flagged, "verification": u.verification,
        "notice": u.notice, "outside_body": u.body, "fallback": u.fallback,
        "registered_at": at(&u.registered_at), "dispatched_at": at(&u.dispatched_at),
        "answered_at": at(&u.answered_at), "closed_at": at(&u.closed_at),
        "due": u.due, "deadline": u.deadline.as_ref().map(|d| json!({"what": d.what, "rule": d.rule, "source": d.source})),
        "offers": u.offers,
    })
}

/// BBC-1 … BBC-3: registers a matter at the caller's desk.
pub async fn register(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<UnresolvedIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let r = app::register(&s, &p, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": r.id, "receipt_no": r.receipt_no, "due": r.due}))))
}

pub async fn get(State(s): State<AppState>, p: Principal, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(matter_json(&app::get(&s, &p, id).await?)))
}

/// BBC-2: the 流转单 to the unit's liaison contact.
pub async fn dispatch(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DispatchIn>,
) -> ApiResult<Json<Value>> {
    let d = app::dispatch(&s, &p, id, b).await?;
    Ok(Json(json!({"id": id, "status": "dispatched", "unit_id": d.unit_id, "sent_to": d.sent_to,
                   "sent_to_name": d.sent_to_name, "stand_in": d.stand_in})))
}

/// BBC-2: the unit's feedback.
pub async fn feedback(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<FeedbackIn>,
) -> ApiResult<Json<Value>> {
    let st = app::feedback(&s, &p, id, b).await?;
    Ok(Json(json!({"id": id, "status": st, "status_label": st.label()})))
}

/// BBC-3: a complex matter's deadline, set by the supervision section.
pub async fn deadline(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DeadlineIn>,
) -> ApiResult<Json<Value>> {
    let due = app::set_deadline(&s, &p, id, b).await?;
    Ok(Json(json!({"id": id, "due": due})))
}

#[derive(Deserialize, JsonSchema)]
pub struct WeekQuery {
    /// `YYYY-Www` (ISO week); default: this week.
    pub week: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
}

/// BBC-5: the week's registration table and progress ledger.
pub async fn ledger(State(s): State<AppState>, p: Principal, ApiQuery(q): ApiQuery<WeekQuery>) -> ApiResult<Response> {
    let week = q.week.unwrap_or_else(|| app::week_of(noveto_domain::time::local_date(s.now())));
    let l = app::ledger(&s, &p, &week).await?;
    let units = noveto_app::org::directory(&s).await?.units;
    super::catalog::json_or_file(
        q.format.as_deref(),
        &format!("办不成事台账-{}", l.week),
        || serde_json::to_value(&l).unwrap_or_default(),
        |f| app::ledger_file(&l, &units, f),
    )
}

#[derive(Deserialize, JsonSchema)]
pub struct MonthQuery {
    /// `YYYY-MM`; default: this month.
    pub month: Option<String>,
}

/// BBC-6: the units to list for criticism in a month.
pub async fn criticism(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<Json<Value>> {
    let month = q.month.unwrap_or_else(|| s.now().format("%Y-%m").to_string());
    let v = app::stalls(&s, &p, &month).await?;
    Ok(Json(json!({"month": month, "units": v})))
}

/// BBC-2: the contact cannot act — up to the unit's leader in charge.
pub async fn escalate(State(s): State<AppState>, p: Principal, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    let leader = app::escalate(&s, &p, id).await?;
    Ok(Json(json!({"id": id, "sent_to": leader})))
}

/// BBC-2, BBC-3: the class of a matter not yet dispatched.
pub async fn classify(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ClassIn>,
) -> ApiResult<Json<Value>> {
    let due = app::classify(&s, &p, id, b).await?;
    Ok(Json(json!({"id": id, "due": due})))
}

/// The desk checks the unit's answer with the person: closes it (a matter that cannot be done by
/// the desk head, who files it), or sends it back to the unit.
pub async fn verify(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VerifyIn>,
) -> ApiResult<Json<Value>> {
    let st = app::verify(&s, &p, id, b).await?;
    Ok(Json(json!({"id": id, "status": st, "status_label": st.label()})))
}

/// BBC-4: the one-time notice.
pub async fn notice(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NoticeIn>,
) -> ApiResult<Json<Value>> {
    app::tell(&s, &p, id, b).await?;
    Ok(Json(matter_json(&app::get(&s, &p, id).await?)))
}

/// BBC-1: outside government services.
pub async fn outside(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<OutsideIn>,
) -> ApiResult<Json<Value>> {
    app::refer_outside(&s, &p, id, b).await?;
    Ok(Json(matter_json(&app::get(&s, &p, id).await?)))
}

/// NV-13: the desk's final answer on a veto nobody owned.
pub async fn final_answer(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<FinalAnswerIn>,
) -> ApiResult<Json<Value>> {
    let st = app::final_answer(&s, &p, id, b).await?;
    Ok(Json(json!({"id": id, "status": st, "status_label": st.label()})))
}

/// The matter's history: one step per event.
pub async fn history(State(s): State<AppState>, p: Principal, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"events": app::history(&s, &p, id).await?})))
}

/// BBC-2, BBC-4: the 流转单 (`transfer-slip`) and 登记回执 (`receipt`), `.html` or `.pdf`.
pub async fn document(
    State(s): State<AppState>,
    p: Principal,
    ApiPath((id, file)): ApiPath<(i64, String)>,
) -> ApiResult<Response> {
    let (kind, ext) = file.rsplit_once('.').ok_or_else(|| crate::error::ApiError::not_found("文书"))?;
    let v = app::get(&s, &p, id).await?;
    let d = crate::pages::forms::unresolved(&s, &v, kind).await?;
    crate::pages::forms::render(&d, ext)
}

/// BBC-5, BBC-6: the kept reports the caller may read.
pub async fn reports(State(s): State<AppState>, p: Principal) -> ApiResult<Json<Value>> {
    let r = app::reports(&s, &p).await?;
    let list: Vec<Value> = r
        .iter()
        .map(|x| json!({"id": x.id, "kind": x.kind, "center_id": x.center_id, "period": x.period,
                        "made_at": x.made_at, "title": x.title,
                        "files": [format!("/api/v1/unresolved/reports/{}.xlsx", x.id), format!("/api/v1/unresolved/reports/{}.pdf", x.id)]}))
        .collect();
    Ok(Json(json!({"reports": list})))
}

/// One kept report: `{id}.json`, `{id}.xlsx` or `{id}.pdf`.
pub async fn report(State(s): State<AppState>, p: Principal, ApiPath(file): ApiPath<String>) -> ApiResult<Response> {
    use axum::response::IntoResponse;
    let (id, ext) = file.rsplit_once('.').unwrap_or((file.as_str(), "json"));
    let id: i64 = id.parse().map_err(|_| crate::error::ApiError::not_found("报告"))?;
    let (r, doc) = app::report(&s, &p, id).await?;
    match ext {
        "json" => Ok(Json(json!({"id": r.id, "kind": r.kind, "period": r.period, "made_at": r.made_at, "title": r.title, "report": doc})).into_response()),
        "xlsx" | "csv" => {
            let units = noveto_app::org::directory(&s).await?.units;
            let format = if ext == "xlsx" { noveto_app::catalog::Format::Xlsx } else { noveto_app::catalog::Format::Csv };
            let bytes = app::ledger_file(&doc.ledger, &units, format)?;
            let mime = if ext == "xlsx" { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" } else { "text/csv; charset=utf-8" };
            Ok(([(axum::http::header::CONTENT_TYPE, mime)], bytes).into_response())
        }
        "pdf" | "html" => {
            let d = crate::pages::forms::report(&s, &r, &doc).await?;
            crate::pages::forms::render(&d, ext)
        }
        _ => Err(crate::error::ApiError::not_found("报告格式")),
    }
}

/// BBC-6: a unit referred for accountability, with the evidence.
pub async fn accountability(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<noveto_app::unresolved::AccountabilityIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = app::refer_for_accountability(&s, &p, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "files": [format!("/api/v1/unresolved/reports/{id}.pdf")]}))))
}

/// BBC-7: a bottleneck found by the desk, sent to the unit's contact as a process improvement.
pub async fn bottleneck(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<noveto_app::unresolved::BottleneckIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let sid = app::bottleneck(&s, &p, id, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"suggestion_id": sid}))))
}
