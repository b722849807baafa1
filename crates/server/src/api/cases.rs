//! Case routes: the no-veto window (NV-1 … NV-14) over HTTP. The operations are the
//! application layer's (`noveto_app::cases`, re-exported here for the pages and the CLI); these
//! handlers parse and answer.

pub use noveto_app::cases::*;
pub use noveto_app::commitments::ResultIn;
pub use noveto_app::prescreen::PrescreenIn;

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use noveto_domain::access::Action;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

type Created = (StatusCode, Json<Value>);

pub async fn create(State(s): State<AppState>, p: Principal, ApiJson(b): ApiJson<CaseIn>) -> ApiResult<Created> {
    let parsed = parse_case(b)?;
    let (id, receipt, case) = open_case(&s, &p, parsed).await?;
    let policy = s.policy();
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": id, "receipt_no": receipt, "status": case.status.as_str(),
            "first_contact": {"id": p.id, "name": p.name},
            "policy": {"id": policy.id, "version": policy.version, "name": policy.name},
        })),
    ))
}

#[derive(Deserialize, JsonSchema)]
pub struct ListQuery {
    /// true: my open first-contact cases, nearest due first.
    pub mine: Option<bool>,
    pub status: Option<String>,
    pub unit_id: Option<i64>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Search every case the caller may read by receipt number, applicant or phone (2+ chars).
    pub q: Option<String>,
    /// json (default), csv or xlsx
    pub format: Option<String>,
    /// One of the workbench's views (issue 31): mine, due_today, overdue, supplement, registered,
    /// in_progress — the rows of that view only.
    pub view: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<axum::response::Response> {
    let limit = super::limit(q.limit);
    let offset = q.offset.unwrap_or(0);
    let view = match q.view.as_deref().filter(|v| !v.trim().is_empty()) {
        Some(v) => Some(noveto_app::cases::Queue::param(v)?),
        None => None,
    };
    let mine = q.mine.unwrap_or(false);
    let words = q.q.as_deref().filter(|x| !x.trim().is_empty());
    let rows = match (words, view) {
        (Some(words), _) => search_cases(&s, &p, words, limit as usize, offset.max(0) as usize).await?,
        // Issue 31: the caller's own view is read as the view (a page of it), not filtered
        // out of a page of something else.
        (None, Some(v)) if mine => noveto_app::cases::own_view(&s, &p, v, limit, offset).await?,
        (None, _) => {
            let f = CaseFilter { mine, status: q.status, unit_id: q.unit_id, limit, offset };
            list_cases(&s, &p, f).await?
        }
    };
    // Elsewhere a view keeps to the open matters of the page that it holds.
    let rows = match view {
        Some(v) if words.is_some() || !mine => {
            let today = noveto_domain::time::local_date(s.now()).to_string();
            rows.into_iter().filter(|r| v.holds(r, &today)).collect()
        }
        _ => rows,
    };
    crate::api::catalog::json_or_file(q.format.as_deref(), "cases", || json!({"cases": rows}), |f| cases_file(&rows, f))
}

pub async fn get_case(State(s): State<AppState>, p: Principal, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    let l = load(&s, &p, id, Action::ReadCase).await?;
    Ok(Json(case_json(&s, &p, &l).await?))
}

pub async fn accept(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    crate::extract::ApiJsonOrEmpty(b): crate::extract::ApiJsonOrEmpty<AcceptIn>,
) -> ApiResult<Json<Value>> {
    do_accept(&s, &p, id, b).await?;
    answer_case(&s, &p, id).await
}

pub async fn referral(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReferralIn>,
) -> ApiResult<Json<Value>> {
    do_referral(&s, &p, id, b).await?;
    answer_case(&s, &p, id).await
}

/// NV-4: the clerk asks the window head to let a later notice add materials.
pub async fn request_growth(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<GrowthIn>,
) -> ApiResult<Json<Value>> {
    do_request_growth(&s, &p, id, b).await?;
    answer_case(&s, &p, id).await
}

/// NV-4: the window head's decision.
pub async fn decide_growth(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<GrowthDecisionIn>,
) -> ApiResult<Json<Value>> {
    do_decide_growth(&s, &p, id, b).await?;
    answer_case(&s, &p, id).await
}

/// NV-2: the matter was recorded as the wrong kind.
pub async fn change_kind(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<KindIn>,
) -> ApiResult<Json<Value>> {
    do_change_kind(&s, &p, id, b).await?;
    answer_case(&s, &p, id).await
}

/// NV-2: the window head's decision on making an application a consultation.
pub async fn decide_kind(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<KindDecisionIn>,
) -> ApiResult<Json<Value>> {
    do_decide_kind(&s, &p, id, b).await?;
    answer_case(&s, &p, id).await
}

/// NV-3: the window cannot tell whose the matter is.
pub async fn ask_placement(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PlacementIn>,
) -> ApiResult<Json<Value>> {
    Ok(Json(do_ask_placement(&s, &p, id, b).await?))
}

/// NV-3: placed at this window.
pub async fn place_here(State(s): State<AppState>, p: Principal, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    let status = do_place_here(&s, &p, id).await?;
    // A consultation desk that placed the matter at its window no longer reads it.
    match load(&s, &p, id, Action::ReadCase).await {
        Ok(l) => Ok(Json(case_json(&s, &p, &l).await?)),
        Err(e) if e.kind == noveto_app::Kind::Forbidden => Ok(Json(serde_json::json!({"id": id, "status": status}))),
        Err(e) => Err(e.into()),
    }
}

/// NV-3: the receiving unit acknowledges a warm handoff.
pub async fn acknowledge(State(s): State<AppState>, p: Principal, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    let linked = do_acknowledge(&s, &p, id).await?;
    Ok(Json(json!({"case_id": id, "acknowledged_by": p.id, "linked_case_id": linked})))
}

pub async fn notice(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NoticeIn>,
) -> ApiResult<Created> {
    do_notice(&s, &p, id, b).await?;
    let n = notice_issued(&s, &p, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": n.number, "case_id": id, "notified": n.case.notified, "visits": n.case.visits})),
    ))
}

pub async fn deficiency(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DeficiencyIn>,
) -> ApiResult<Json<Value>> {
    do_deficiency(&s, &p, id, b).await?;
    answer_case(&s, &p, id).await
}

pub async fn supplement(State(s): State<AppState>, p: Principal, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    do_supplement(&s, &p, id).await?;
    answer_case(&s, &p, id).await
}

pub async fn finish_stage(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<StageDoneIn>,
) -> ApiResult<Json<Value>> {
    do_finish_stage(&s, &p, id, b).await?;
    answer_case(&s, &p, id).await
}

pub async fn commitment(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CommitmentIn>,
) -> ApiResult<Json<Value>> {
    do_commitment(&s, &p, id, b).await?;
    answer_case(&s, &p, id).await
}

pub async fn escalate(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<EscalationIn>,
) -> ApiResult<Created> {
    Ok((StatusCode::CREATED, Json(do_escalate(&s, &p, id, b).await?)))
}

pub async fn answer(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AnswerIn>,
) -> ApiResult<Json<Value>> {
    let case_id = do_answer(&s, &p, id, b).await?;
    answer_case(&s, &p, case_id).await
}

pub async fn close(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CloseIn>,
) -> ApiResult<Json<Value>> {
    do_close(&s, &p, id, b).await?;
    answer_case(&s, &p, id).await
}

pub async fn veto_request(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VetoIn>,
) -> ApiResult<Created> {
    Ok((StatusCode::CREATED, Json(do_veto_request(&s, &p, id, b).await?)))
}

pub async fn decide(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecisionIn>,
) -> ApiResult<Json<Value>> {
    let v = do_decide(&s, &p, id, b).await?;
    Ok(Json(veto_json(&v, None)))
}

pub async fn get_veto(State(s): State<AppState>, p: Principal, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    let v = noveto_app::cases::get_veto(&s, &p, id).await?;
    Ok(Json(veto_json(&v, None)))
}

#[derive(Deserialize, JsonSchema)]
pub struct MonthQuery {
    /// YYYY-MM
    pub month: String,
}

#[derive(Deserialize, JsonSchema)]
pub struct InboxQuery {
    /// Words to match in the receipt number, applicant, request or reason.
    pub q: Option<String>,
    /// json (default), csv or xlsx
    pub format: Option<String>,
}

/// NV-8, screens 6: the veto requests and escalations waiting for the caller, oldest due first
/// — the same lines as the inbox page — as JSON or a file.
pub async fn inbox_list(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult<Response> {
    let ib = noveto_app::cases::inbox(&s, &p).await?.only(q.q.as_deref().unwrap_or(""));
    let lines = noveto_app::cases::inbox_lines(&s, &ib);
    crate::api::catalog::json_or_file(
        q.format.as_deref(),
        "inbox",
        || json!({"items": lines}),
        |f| noveto_app::cases::inbox_file(&lines, f),
    )
}

/// NV-9: the month's filings the caller may see, named (receipt number, unit, item, applicant,
/// reason), as JSON or a file — the same lines as the filings page.
pub async fn filings(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<RollupQuery>,
) -> ApiResult<Response> {
    let month = parse_month(&q.month)?;
    let lines = noveto_app::cases::filing_lines(&s, &p, &month).await?;
    crate::api::catalog::json_or_file(
        q.format.as_deref(),
        &format!("filings-{month}"),
        || json!({"month": month, "filings": lines}),
        |f| noveto_app::cases::filings_file(&month, &lines, f),
    )
}

pub async fn check_reply(_p: Principal, ApiJson(b): ApiJson<ReplyIn>) -> ApiResult<Json<Value>> {
    if b.text.chars().count() > 10_000 {
        return Err(ApiError::bad("too_long", "文本不能超过 10000 字"));
    }
    let c = noveto_domain::phrases::check(&b.text);
    Ok(Json(json!({"flagged": c.flagged, "suggestion": c.suggestion})))
}

pub async fn document(
    State(s): State<AppState>,
    p: Principal,
    ApiPath((id, file)): ApiPath<(i64, String)>,
) -> ApiResult<Response> {
    let (kind, ext) = file.rsplit_once('.').ok_or_else(|| ApiError::not_found("文书"))?;
    let l = load(&s, &p, id, Action::ReadCase).await?;
    let doc = crate::pages::documents::build(&s, &p, &l, kind).await?;
    match ext {
        "html" => Ok(axum::response::Html(doc.html()).into_response()),
        "pdf" => {
            let bytes = doc.pdf().map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "pdf_unavailable", e))?;
            Ok(([(axum::http::header::CONTENT_TYPE, "application/pdf")], bytes).into_response())
        }
        _ => Err(ApiError::not_found("文书格式")),
    }
}

pub async fn send_reply(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SendReplyIn>,
) -> ApiResult<Created> {
    Ok((StatusCode::CREATED, Json(do_reply(&s, &p, id, b).await?)))
}

/// Issue 31, item 8: an internal note on the case (staff only).
pub async fn add_note(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<NoteIn>,
) -> ApiResult<Created> {
    do_note(&s, &p, id, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"case_id": id, "noted": true}))))
}

/// NV-10: a cross-unit matter names its lead unit.
pub async fn cross_unit(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CrossUnitIn>,
) -> ApiResult<Json<Value>> {
    do_cross_unit(&s, &p, id, b).await?;
    answer_case(&s, &p, id).await
}

/// NV-10: a joint consultation (会商).
pub async fn joint_consultation(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ConsultationIn>,
) -> ApiResult<Created> {
    let n = do_joint_consultation(&s, &p, id, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"case_id": id, "consultations": n}))))
}

/// NV-11: assisted or proxy handling.
pub async fn assistance(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AssistanceIn>,
) -> ApiResult<Created> {
    let record = do_assistance(&s, &p, id, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"case_id": id, "assistance": record}))))
}

async fn answer_case(s: &AppState, p: &Principal, id: i64) -> ApiResult<Json<Value>> {
    let l = load(s, p, id, Action::ReadCase).await?;
    Ok(Json(case_json(s, p, &l).await?))
}

/// NV-2: the applicant's written withdrawal → 201 `{id}`.
pub async fn withdrawal(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<WithdrawalIn>,
) -> ApiResult<Created> {
    let wid = do_withdrawal(&s, &p, id, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": wid, "case_id": id, "confirmed": false}))))
}

/// NV-2: the window head confirms a withdrawal → the case.
pub async fn confirm_withdrawal(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let case_id = do_confirm_withdrawal(&s, &p, id).await?;
    answer_case(&s, &p, case_id).await
}

#[derive(Deserialize, JsonSchema)]
pub struct RollupQuery {
    /// YYYY-MM
    pub month: String,
    /// json (default), csv or xlsx
    pub format: Option<String>,
}

/// The business section's monthly roll-up (vetoes beside every other negative ending), as JSON
/// or a file — the same lines the filings page shows.
pub async fn rollup(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<RollupQuery>,
) -> ApiResult<axum::response::Response> {
    let month = parse_month(&q.month)?;
    let rows = noveto_app::cases::monthly_rollup(&s, &p, &month).await?;
    crate::api::catalog::json_or_file(
        q.format.as_deref(),
        &format!("rollup-{month}"),
        || json!({"month": month, "columns": noveto_app::cases::ROLLUP_COLUMNS, "rows": rows}),
        |f| noveto_app::cases::rollup_file(&month, &rows, f),
    )
}

/// NV-9 (JL 三(三)): a unit files its month with the center.
pub async fn file_month(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<noveto_app::cases::MonthlyFilingIn>,
) -> ApiResult<(axum::http::StatusCode, Json<Value>)> {
    let f = noveto_app::cases::file_month(&s, &p, b).await?;
    Ok((axum::http::StatusCode::CREATED, Json(serde_json::to_value(f).unwrap_or_default())))
}

/// NV-9: which units filed the month, and which not yet.
pub async fn monthly_status(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<Json<Value>> {
    let units = noveto_app::cases::monthly_status(&s, &p, &q.month).await?;
    Ok(Json(json!({"month": q.month, "units": units})))
}

/// NV-13: a veto nobody owns goes to the 办不成事 desk for the final answer.
pub async fn fallback(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<noveto_app::unresolved::FallbackIn>,
) -> ApiResult<Created> {
    let r = noveto_app::unresolved::fallback(&s, &p, id, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"unresolved_id": r.id, "receipt_no": r.receipt_no, "due": r.due}))))
}

/// NV-12: a pre-screening — the materials brought, ticked against the catalog's, and what is
/// missing with how to get it.
pub async fn prescreen(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<PrescreenIn>,
) -> ApiResult<Created> {
    let ps = noveto_app::prescreen::record(&s, &p, b).await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(&ps).unwrap_or_default())))
}

pub async fn get_prescreen(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let ps = noveto_app::prescreen::get(&s, &p, id).await?;
    Ok(Json(serde_json::to_value(&ps).unwrap_or_default()))
}

#[derive(Deserialize, JsonSchema)]
pub struct ChecksQuery {
    /// YYYY-MM: the checks decided that month, beside every one still open.
    pub month: String,
}

/// NV-6: the commitments' verifications the caller may read, open and decided in the month, with
/// the counts per unit.
pub async fn commitment_checks(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<ChecksQuery>,
) -> ApiResult<Json<Value>> {
    let (checks, by_unit) = noveto_app::commitments::list(&s, &p, &q.month).await?;
    let by_unit: Vec<Value> = by_unit
        .into_iter()
        .map(|(u, t)| json!({"unit_id": u, "open": t.open, "overdue": t.overdue, "confirmed": t.confirmed, "false": t.r#false}))
        .collect();
    Ok(Json(json!({"checks": checks, "by_unit": by_unit})))
}

/// NV-6: what the verification of a commitment found.
pub async fn commitment_result(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ResultIn>,
) -> ApiResult<Json<Value>> {
    let c = noveto_app::commitments::decide(&s, &p, id, b).await?;
    Ok(Json(serde_json::to_value(&c).unwrap_or_default()))
}

#[derive(Deserialize, JsonSchema)]
pub struct OverdueQuery {
    /// json (default), csv or xlsx
    pub format: Option<String>,
}

/// The overdue matters the caller oversees, each once, with unit, first contact and applicant.
pub async fn overdue(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<OverdueQuery>,
) -> ApiResult<Response> {
    let lines = overdue_visible(&s, &p, 500).await?;
    crate::api::catalog::json_or_file(
        q.format.as_deref(),
        "overdue",
        || json!({"items": lines}),
        |f| overdue_file(&lines, f),
    )
}

/// 督办: the supervision section urges the first contact of an overdue matter.
pub async fn urging(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<UrgeIn>,
) -> ApiResult<Created> {
    urge(&s, &p, id, b).await?;
    Ok((StatusCode::CREATED, Json(json!({"case_id": id, "urged": true}))))
}
