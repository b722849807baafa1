//! BBC: the 办不成事 desk's routes over `noveto_app::unresolved`.

use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use noveto_app::unresolved as app;
pub use noveto_app::unresolved::{ClassIn, DeadlineIn, DispatchIn, FeedbackIn, UnresolvedIn};
use noveto_store::repo::unresolved::UnresolvedRow;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// A matter as the API shows it; the reporter's phone masked unless `full`.
pub fn matter_json(r: &UnresolvedRow, full: bool) -> Value {
    let u = &r.u;
    let phone = if full {
        u.reporter.phone.clone()
    } else {
        noveto_domain::validate::Phone::parse(&u.reporter.phone).map(|p| p.masked()).unwrap_or_else(|_| "****".into())
    };
    json!({
        "id": u.id, "receipt_no": u.receipt_no, "center_id": u.center_id, "desk_id": u.desk_id,
        "reporter": {"name": u.reporter.name, "phone": phone}, "summary": u.summary, "case_id": u.case_id,
        "class": u.class, "class_label": u.class.label(), "status": u.status, "status_label": u.status.label(),
        "unit_id": u.unit_id, "sent_to": u.sent_to, "result": u.result,
        "registered_at": r.registered_at, "dispatched_at": r.dispatched_at, "answered_at": r.answered_at,
        "due": r.due, "deadline": u.deadline.as_ref().map(|d| json!({"what": d.what, "rule": d.rule, "source": d.source})),
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
    let (r, full) = app::get(&s, &p, id).await?;
    Ok(Json(matter_json(&r, full)))
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
