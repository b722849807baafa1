//! TC: 吐槽找茬 complaints and the 12345 hotline's work orders, over `noveto_app::complaints` and
//! `noveto_app::hotline`. Every answer is the reader's view: a confidential complainant reads
//! "（保密）" for anyone but the supervision section.

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use noveto_app::complaints as app;
pub use noveto_app::complaints::{AssignIn, ComplaintIn, MeetingIn, NoteIn, OnSpotIn, OpinionIn, ReasonIn, ReplyIn};
pub use noveto_app::hotline::OrdersIn;
use noveto_app::tickets::View;
use noveto_domain::complaint::Complaint;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// A complaint as the API shows it: the reader's view, with the actions it offers them.
pub fn complaint_json(c: &View<Complaint>) -> Value {
    let at = |t: &Option<chrono::DateTime<chrono::FixedOffset>>| t.map(noveto_domain::time::rfc3339);
    json!({
        "id": c.id, "version": c.version, "receipt_no": c.receipt_no, "center_id": c.center_id,
        "window_id": c.window_id, "about_unit": c.about_unit,
        "channel": c.channel, "channel_label": c.channel.label(),
        "category": c.category, "category_label": c.category.label(), "content": c.content,
        "complainant": {"name": c.complainant.name, "phone": c.complainant.phone},
        "confidential": c.confidential, "personal_data_hidden": c.seen.redacts(),
        "hotline_order": c.hotline_order, "status": c.status, "status_label": c.status.label(),
        "first_contact": c.first_contact, "lead": c.lead, "assignee": c.assignee, "co": c.co,
        "contact_note": c.contact_note, "extension": c.extension, "meeting": c.meeting,
        "opinion": c.opinion, "reply": c.reply, "flagged": c.flagged, "on_spot": c.on_spot, "review": c.review,
        "received_at": at(&c.received_at), "assigned_at": at(&c.assigned_at), "replied_at": at(&c.replied_at),
        "closed_at": at(&c.closed_at), "due": c.due,
        "deadline": {"rule": c.deadline.rule, "source": c.deadline.source},
        "offers": c.offers,
    })
}

/// TC-1, TC-2: registers a complaint.
pub async fn create(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<ComplaintIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let r = app::register(&s, &p, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": r.id, "receipt_no": r.receipt_no, "due": r.due}))))
}

pub async fn get(State(s): State<AppState>, p: Principal, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(complaint_json(&app::get(&s, &p, id).await?)))
}

async fn fresh(s: &AppState, p: &Principal, id: i64) -> ApiResult<Json<Value>> {
    Ok(Json(complaint_json(&app::get(s, p, id).await?)))
}

/// TC-2, TC-3: the lead section, or one handling it with the lead.
pub async fn assign(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AssignIn>,
) -> ApiResult<Json<Value>> {
    let a = app::assign(&s, &p, id, b).await?;
    Ok(Json(json!({"id": id, "unit_id": a.unit_id, "lead": a.lead, "assignee": a.assignee,
                   "assignee_name": a.assignee_name, "stand_in": a.stand_in})))
}

/// TC-6: the lead section's opinion and reply.
pub async fn reply(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReplyIn>,
) -> ApiResult<Json<Value>> {
    app::reply(&s, &p, id, b).await?;
    fresh(&s, &p, id).await
}

/// TC-2: answered on the spot by the first contact.
pub async fn on_spot(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<OnSpotIn>,
) -> ApiResult<Json<Value>> {
    app::answer_on_spot(&s, &p, id, b).await?;
    fresh(&s, &p, id).await
}

/// TC-4: the complainant contacted.
pub async fn contact(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NoteIn>,
) -> ApiResult<Json<Value>> {
    app::contact(&s, &p, id, b).await?;
    fresh(&s, &p, id).await
}

/// TC-4: the complex deadline, granted by the supervision section.
pub async fn extend(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReasonIn>,
) -> ApiResult<Json<Value>> {
    app::extend(&s, &p, id, b).await?;
    fresh(&s, &p, id).await
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryIn {
    pub category: String,
}

/// TC-1: the category corrected by the supervision section.
pub async fn classify(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CategoryIn>,
) -> ApiResult<Json<Value>> {
    app::classify(&s, &p, id, &b.category).await?;
    fresh(&s, &p, id).await
}

/// TC-3: a co-section's opinion.
pub async fn co_opinion(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<OpinionIn>,
) -> ApiResult<Json<Value>> {
    app::co_opinion(&s, &p, id, b).await?;
    fresh(&s, &p, id).await
}

/// TC-3: to the director's meeting.
pub async fn to_meeting(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReasonIn>,
) -> ApiResult<Json<Value>> {
    app::to_meeting(&s, &p, id, b).await?;
    fresh(&s, &p, id).await
}

/// TC-3: the meeting's decision and the section that replies.
pub async fn meeting_decision(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<MeetingIn>,
) -> ApiResult<Json<Value>> {
    app::meeting_decision(&s, &p, id, b).await?;
    fresh(&s, &p, id).await
}

/// A reply sent back to the section by the supervision section.
pub async fn send_back(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NoteIn>,
) -> ApiResult<Json<Value>> {
    app::send_back(&s, &p, id, b).await?;
    fresh(&s, &p, id).await
}

/// TC-7: filed in the ledger.
pub async fn close(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NoteIn>,
) -> ApiResult<Json<Value>> {
    app::close(&s, &p, id, b).await?;
    fresh(&s, &p, id).await
}

pub async fn history(State(s): State<AppState>, p: Principal, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"events": app::history(&s, &p, id).await?})))
}

/// TC-6: the 承办单 (`handling-form.html` / `handling-form.pdf`).
pub async fn document(
    State(s): State<AppState>,
    p: Principal,
    ApiPath((id, file)): ApiPath<(i64, String)>,
) -> ApiResult<Response> {
    let (kind, ext) = file.rsplit_once('.').ok_or_else(|| ApiError::not_found("文书"))?;
    let v = app::get(&s, &p, id).await?;
    let d = crate::pages::forms::complaint(&s, &v, kind).await?;
    crate::pages::forms::render(&d, ext)
}

#[derive(Deserialize, JsonSchema)]
pub struct PeriodQuery {
    /// First day (YYYY-MM-DD); default: the first of this month.
    pub from: Option<String>,
    /// Day after the last (YYYY-MM-DD); default: the first of next month.
    pub to: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
}

/// The period a query names, this month by default.
pub fn period(s: &AppState, q: &PeriodQuery) -> ApiResult<(NaiveDate, NaiveDate)> {
    let today = noveto_domain::time::local_date(s.now());
    let first =
        NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), chrono::Datelike::month(&today), 1).unwrap_or(today);
    let parse = |v: &Option<String>, field: &'static str, default: NaiveDate| match v.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(x) => x
            .parse::<NaiveDate>()
            .map_err(|_| ApiError {
                field: Some(field), ..ApiError::bad("invalid_date", "日期格式应为 2026-12-01")
            }),
    };
    let from = parse(&q.from, "from", first)?;
    let to = parse(&q.to, "to", first.checked_add_months(chrono::Months::new(1)).unwrap_or(first))?;
    if to <= from || (to - from).num_days() > 400 {
        return Err(ApiError {
            field: Some("to"),
            ..ApiError::bad("invalid_period", "结束日期须晚于开始日期，且不超过 400 天")
        });
    }
    Ok((from, to))
}

/// TC-7: the ledger of a period (every complaint received in it, and every one still open).
pub async fn ledger(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Response> {
    let (from, to) = period(&s, &q)?;
    let views = app::visible(&s, &p, from, to).await?;
    let lines = app::ledger_lines(&s, &views);
    let units = noveto_app::org::directory(&s).await?.units;
    super::catalog::json_or_file(
        q.format.as_deref(),
        &format!("吐槽找茬台账-{from}"),
        || json!({"from": from, "to": to, "complaints": views.iter().map(complaint_json).collect::<Vec<_>>()}),
        |f| app::ledger_file(&lines, &units, f),
    )
}

/// TC-7: the analysis of a period.
pub async fn analysis(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<Value>> {
    let (from, to) = period(&s, &q)?;
    Ok(Json(serde_json::to_value(app::analysis(&s, &p, from, to).await?).unwrap_or_default()))
}

/// TC-8: imports 12345 work orders (JSON; a CSV or XLSX body with the hotline's header row);
/// each order once.
pub async fn import_orders(
    State(s): State<AppState>,
    p: Principal,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let b: OrdersIn = if json {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad("invalid_json", format!("请求体不是有效的工单 JSON：{e}")))?
    } else {
        OrdersIn { orders: noveto_app::hotline::read_orders(&body)?, center_id: None }
    };
    let out = noveto_app::hotline::import(&s, &p, b).await?;
    let created = out.iter().filter(|x| x.result == "created").count();
    let existing = out.iter().filter(|x| x.result == "existing").count();
    Ok(Json(
        json!({"created": created, "existing": existing, "refused": out.len() - created - existing, "orders": out}),
    ))
}

#[derive(Deserialize, JsonSchema)]
pub struct FormatQuery {
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
}

/// TC-8: the replies, in the hotline's layout, for it to close its orders.
pub async fn replies(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let r = noveto_app::hotline::replies(&s, &p).await?;
    super::catalog::json_or_file(
        q.format.as_deref(),
        "12345工单回复",
        || json!({"replies": r}),
        |f| noveto_app::hotline::replies_file(&r, f),
    )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeIn {
    /// `YYYY-MM`.
    pub month: String,
}

/// TC-7: the month's notice (通报), kept and sent.
pub async fn issue_notice(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<NoticeIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = app::issue_notice(&s, &p, &b.month).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "files": [format!("/api/v1/complaints/notices/{id}.pdf")]}))))
}

pub async fn notices(State(s): State<AppState>, p: Principal) -> ApiResult<Json<Value>> {
    let v = app::notices(&s, &p).await?;
    Ok(Json(
        json!({"notices": v.iter().map(|r| json!({"id": r.id, "period": r.period, "title": r.title, "made_at": r.made_at})).collect::<Vec<_>>()}),
    ))
}

/// One notice: `{id}.json`, `.html` or `.pdf`.
pub async fn notice(State(s): State<AppState>, p: Principal, ApiPath(file): ApiPath<String>) -> ApiResult<Response> {
    use axum::response::IntoResponse;
    let (id, ext) = file.rsplit_once('.').unwrap_or((file.as_str(), "json"));
    let id: i64 = id.parse().map_err(|_| ApiError::not_found("通报"))?;
    let (r, doc) = app::notice(&s, &p, id).await?;
    match ext {
        "json" => Ok(Json(json!({"id": r.id, "title": r.title, "notice": doc})).into_response()),
        _ => crate::pages::forms::render(&crate::pages::forms::complaint_notice(&r, &doc), ext),
    }
}
