//! Catalog (CAT-1 … CAT-3) and common-question library (FAQ-1 … FAQ-3) routes.

use crate::AppState;
use crate::auth::Principal;
use crate::catalog;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use noveto_domain::access::{Action, Place, may_somewhere};
use noveto_domain::validate::{long_text, text};
use noveto_store::StoreError;
use noveto_store::repo::items::{Item, Material};
use noveto_store::repo::{cases, faq, items, org};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, JsonSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct MaterialIn {
    pub name: String,
    /// 主件 (true) or 非要件 (false)
    pub main: bool,
    pub sample: Option<String>,
    pub common_errors: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemIn {
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub legal_basis: String,
    pub time_limit_wd: u32,
    #[serde(default)]
    pub allows_deficiency: bool,
    #[serde(default)]
    pub allows_commitment: bool,
    pub materials: Vec<MaterialIn>,
    pub accepting_unit: Option<String>,
    pub steps: Option<Vec<String>>,
    pub fees: Option<String>,
    pub fee_basis: Option<String>,
    pub phone: Option<String>,
    #[serde(default)]
    pub online: bool,
    #[serde(default)]
    pub assisted: bool,
}

async fn unit_place(s: &AppState, unit: i64) -> ApiResult<Place> {
    s.store
        .read(move |tx| org::place_of_unit(tx, unit))
        .await?
        .ok_or_else(|| ApiError::bad("unknown_unit", format!("单位 {unit} 不存在")))
}

/// CAT-1: creates an item or, for an existing code, saves a new version.
pub async fn save_item(State(s): State<AppState>, p: Principal, ApiJson(b): ApiJson<ItemIn>) -> ApiResult<Response> {
    let code = text("code", "事项编码", &b.code, 40)?;
    if !code.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(ApiError::bad("invalid_code", "事项编码只能包含字母、数字和 - _ ."));
    }
    let name = text("name", "事项名称", &b.name, 100)?;
    let basis = long_text("legal_basis", "设定依据", &b.legal_basis, 1000)?;
    if b.time_limit_wd > 365 {
        return Err(ApiError::bad("invalid_time_limit", "承诺时限不能超过 365 个工作日"));
    }
    if b.materials.is_empty() {
        return Err(ApiError::bad("materials_required", "请至少列出一项申请材料"));
    }
    let materials = b
        .materials
        .iter()
        .map(|m| {
            Ok(Material {
                name: text("materials.name", "材料名称", &m.name, 100)?,
                main: m.main,
                sample: m.sample.clone().unwrap_or_default(),
                common_errors: m.common_errors.clone().unwrap_or_default(),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    p.may(Action::ManageCatalog, &unit_place(&s, b.unit_id).await?)?;
    let item = Item {
        code: code.clone(),
        name,
        unit_id: Some(b.unit_id),
        legal_basis: basis,
        accepting_unit: b.accepting_unit.unwrap_or_default(),
        steps: b.steps.unwrap_or_default(),
        materials,
        fees: b.fees.unwrap_or_default(),
        fee_basis: b.fee_basis.unwrap_or_default(),
        time_limit_wd: b.time_limit_wd,
        phone: b.phone.unwrap_or_default(),
        allows_deficiency: b.allows_deficiency,
        allows_commitment: b.allows_commitment,
        online: b.online,
        assisted: b.assisted,
        version: 0,
    };
    let ctx = p.ctx(&s.now_str());
    let c2 = code.clone();
    let (existed, version) = s
        .store
        .write(move |tx| {
            let existed = items::id_of(tx, &c2)?.is_some();
            Ok::<_, StoreError>((existed, items::upsert(tx, &ctx, &item)?))
        })
        .await?;
    s.search.sync(&s.store).await?;
    let status = if existed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(json!({"code": code, "version": version}))).into_response())
}

/// CAT-2: one item's guide (public).
pub async fn get_item(State(s): State<AppState>, ApiPath(code): ApiPath<String>) -> ApiResult<Json<Value>> {
    let item = s.store.read(move |tx| items::get(tx, &code)).await?.ok_or_else(|| ApiError::not_found("事项"))?;
    Ok(Json(serde_json::to_value(item).unwrap_or_default()))
}

#[derive(Deserialize, JsonSchema)]
pub struct ItemQuery {
    /// Search words; without it every item.
    pub q: Option<String>,
    pub unit_id: Option<i64>,
    pub limit: Option<usize>,
}

/// CAT-2: browse and search the catalog (public).
pub async fn list_items(State(s): State<AppState>, ApiQuery(q): ApiQuery<ItemQuery>) -> ApiResult<Json<Value>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let list: Vec<Item> = match q.q.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        Some(words) => s.search.find_items(&s.store, words, limit).await?,
        None => s
            .store
            .read(items::all)
            .await?
            .into_iter()
            .filter(|i| q.unit_id.is_none() || i.unit_id == q.unit_id)
            .take(limit)
            .collect(),
    };
    Ok(Json(json!({"items": list})))
}

pub async fn versions(
    State(s): State<AppState>,
    _p: Principal,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let v = s.store.read(move |tx| items::versions(tx, &code)).await?;
    if v.is_empty() {
        return Err(ApiError::not_found("事项"));
    }
    let list: Vec<Value> =
        v.into_iter().map(|(ver, at, by, item)| json!({"version": ver, "at": at, "by": by, "item": item})).collect();
    Ok(Json(json!({"versions": list})))
}

#[derive(Deserialize, JsonSchema)]
pub struct ExportQuery {
    /// csv | xlsx
    pub format: String,
}

/// CAT-3: the whole catalog as CSV or XLSX.
pub async fn export(
    State(s): State<AppState>,
    _p: Principal,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let (all, units) = s.store.read(|tx| Ok::<_, StoreError>((items::all(tx)?, org::units(tx)?))).await?;
    match q.format.as_str() {
        "csv" => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"catalog.csv\""),
            ],
            catalog::to_csv(&all, &units),
        )
            .into_response()),
        "xlsx" => {
            let bytes = catalog::to_xlsx(&all, &units).map_err(|e| ApiError::bad("export_failed", e))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                    (header::CONTENT_DISPOSITION, "attachment; filename=\"catalog.xlsx\""),
                ],
                bytes,
            )
                .into_response())
        }
        _ => Err(ApiError::bad("invalid_format", "format 须为 csv 或 xlsx")),
    }
}

/// The result of an import: what was saved, and every bad row and column.
pub async fn import_bytes(s: &AppState, p: &Principal, bytes: &[u8], partial: bool) -> ApiResult<Value> {
    if !may_somewhere(&p.grants, Action::ManageCatalog) {
        return Err(ApiError::forbidden("无权导入事项库"));
    }
    let rows = catalog::read(bytes).map_err(|e| ApiError::bad("invalid_file", e))?;
    let units = s.store.read(org::units).await?;
    let parsed = catalog::parse_rows(rows, &units);
    for unit in parsed.items.iter().filter_map(|i| i.unit_id).collect::<std::collections::BTreeSet<_>>() {
        p.may(Action::ManageCatalog, &unit_place(s, unit).await?)?;
    }
    let ok_rows = parsed.items.len();
    let imported = if parsed.errors.is_empty() || partial {
        let ctx = p.ctx(&s.now_str());
        let its = parsed.items;
        s.store
            .write(move |tx| {
                for it in &its {
                    items::upsert(tx, &ctx, it)?;
                }
                Ok::<_, StoreError>(its.len())
            })
            .await?
    } else {
        0
    };
    s.search.sync(&s.store).await?;
    Ok(json!({"rows": parsed.rows, "valid": ok_rows, "imported": imported, "errors": parsed.errors}))
}

#[derive(Deserialize, JsonSchema)]
pub struct ImportQuery {
    /// Import the good rows even when some rows are bad.
    pub partial: Option<bool>,
}

/// CAT-3: the file is the request body (CSV or XLSX, up to 20 MB).
pub async fn import(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let v = import_bytes(&s, &p, &body, q.partial.unwrap_or(false)).await?;
    let status = if v["errors"].as_array().is_some_and(|e| !e.is_empty()) && v["imported"] == 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(v)).into_response())
}

// ---- FAQ -----------------------------------------------------------------------------------

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqIn {
    pub question: String,
    pub answer: String,
    pub item_codes: Option<Vec<String>>,
    pub unit_id: Option<i64>,
    /// false retires the entry (PUT only).
    pub active: Option<bool>,
}

async fn faq_place(s: &AppState, p: &Principal, unit: Option<i64>) -> ApiResult<()> {
    match unit {
        Some(u) => Ok(p.may(Action::ManageFaq, &unit_place(s, u).await?)?),
        None if may_somewhere(&p.grants, Action::ManageFaq) => Ok(()),
        None => Err(ApiError::forbidden("无权编辑问题咨询库")),
    }
}

fn faq_fields(b: &FaqIn) -> ApiResult<(String, String, Vec<String>)> {
    let q = long_text("question", "问题", &b.question, 500)?;
    let a = long_text("answer", "答案", &b.answer, 4000)?;
    let codes = b
        .item_codes
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    Ok((q, a, codes))
}

pub async fn create_faq(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(b): ApiJson<FaqIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (q, a, codes) = faq_fields(&b)?;
    faq_place(&s, &p, b.unit_id).await?;
    let ctx = p.ctx(&s.now_str());
    let unit = b.unit_id;
    let id = s
        .store
        .write(move |tx| {
            faq::insert(
                tx,
                &ctx,
                &faq::NewFaq { question: &q, answer: &a, item_codes: &codes, unit_id: unit, source: "manual" },
            )
        })
        .await?;
    s.search.sync(&s.store).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

pub async fn update_faq(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<FaqIn>,
) -> ApiResult<Json<Value>> {
    let (q, a, codes) = faq_fields(&b)?;
    let old = s.store.read(move |tx| faq::get(tx, id)).await?.ok_or_else(|| ApiError::not_found("问答"))?;
    faq_place(&s, &p, old.unit_id.or(b.unit_id)).await?;
    let ctx = p.ctx(&s.now_str());
    let (unit, active) = (b.unit_id.or(old.unit_id), b.active.unwrap_or(true));
    s.store
        .write(move |tx| {
            faq::update(
                tx,
                &ctx,
                id,
                &faq::NewFaq { question: &q, answer: &a, item_codes: &codes, unit_id: unit, source: "" },
                active,
            )
        })
        .await?;
    s.search.sync(&s.store).await?;
    Ok(Json(json!({"id": id, "active": active})))
}

pub async fn get_faq(State(s): State<AppState>, _p: Principal, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Value>> {
    let f = s.store.read(move |tx| faq::get(tx, id)).await?.ok_or_else(|| ApiError::not_found("问答"))?;
    Ok(Json(serde_json::to_value(f).unwrap_or_default()))
}

#[derive(Deserialize, JsonSchema)]
pub struct SearchQuery {
    pub q: String,
    pub limit: Option<usize>,
}

/// FAQ-1, FAQ-2: search the library; every search is logged to measure the answer rate.
pub async fn search_hits(s: &AppState, p: &Principal, q: &str, limit: usize) -> ApiResult<(i64, Vec<(faq::Faq, f32)>)> {
    let q = q.trim();
    if q.is_empty() {
        return Err(ApiError::bad("required", "请输入要查的问题"));
    }
    if q.chars().count() > 200 {
        return Err(ApiError::bad("too_long", "问题不能超过 200 个字"));
    }
    let hits = s.search.search_faq(q, limit);
    let ids: Vec<i64> = hits.iter().map(|h| h.id as i64).collect();
    let found = s.store.read(move |tx| faq::by_ids(tx, &ids)).await?;
    let list: Vec<(faq::Faq, f32)> = hits
        .iter()
        .filter_map(|h| found.iter().find(|f| f.id as u64 == h.id && f.active).map(|f| (f.clone(), h.score)))
        .collect();
    let ctx = p.ctx(&s.now_str());
    let (q2, n, top) = (q.to_string(), list.len() as i64, list.first().map(|(f, _)| f.id));
    let sid = s.store.write(move |tx| faq::log_search(tx, &ctx, &q2, n, top)).await?;
    Ok((sid, list))
}

pub async fn search(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<Value>> {
    let limit = q.limit.unwrap_or(5).clamp(1, 50);
    let (sid, list) = search_hits(&s, &p, &q.q, limit).await?;
    let hits: Vec<Value> = list
        .iter()
        .map(|(f, score)| json!({"id": f.id, "question": f.question, "answer": f.answer, "score": score}))
        .collect();
    Ok(Json(json!({"search_id": sid, "hits": hits})))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsedIn {
    pub faq_id: i64,
}

/// FAQ-2: the hit was used to answer.
pub async fn used(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<UsedIn>,
) -> ApiResult<Json<Value>> {
    let pid = p.id;
    let ok = s.store.write(move |tx| faq::mark_used(tx, id, pid, b.faq_id)).await?;
    if !ok {
        return Err(ApiError::not_found("检索记录"));
    }
    Ok(Json(json!({"search_id": id, "used": b.faq_id})))
}

#[derive(Deserialize, JsonSchema)]
pub struct StatsQuery {
    /// YYYY-MM
    pub month: String,
}

pub fn month_range(month: &str) -> ApiResult<(String, String)> {
    let m = crate::api::cases::parse_month(month)?;
    let d = chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
        .map_err(|_| ApiError::bad("invalid_month", "月份无效"))?;
    let next =
        d.checked_add_months(chrono::Months::new(1)).ok_or_else(|| ApiError::bad("invalid_month", "月份无效"))?;
    Ok((format!("{d}T00:00:00+08:00"), format!("{next}T00:00:00+08:00")))
}

/// FAQ-2: the answer rate and precision of a month, and the questions the library missed.
pub async fn stats(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Value>> {
    if !may_somewhere(&p.grants, Action::ReadFilings) && !may_somewhere(&p.grants, Action::ManageFaq) {
        return Err(ApiError::forbidden("无权查看问题咨询库统计"));
    }
    let (from, to) = month_range(&q.month)?;
    let st = s.store.read(move |tx| faq::stats(tx, &from, &to)).await?;
    Ok(Json(serde_json::to_value(st).unwrap_or_default()))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromoteIn {
    /// Defaults to the case's request.
    pub question: Option<String>,
    /// Defaults to the consultation's answer or the escalation's reply.
    pub answer: Option<String>,
}

/// FAQ-3: an answered consultation or a decided gray-area escalation becomes a library entry.
pub async fn promote(
    State(s): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PromoteIn>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let l = crate::api::cases::load(&s, &p, id, Action::ReadCase).await?;
    p.may(Action::ManageFaq, &l.place).or_else(|_| {
        let unit_place = Place { centers: l.place.centers.clone(), unit: l.case.unit_id, window: None };
        p.may(Action::ManageFaq, &unit_place)
    })?;
    let tl = s.store.read(move |tx| cases::timeline(tx, id)).await?;
    let found_answer = tl
        .iter()
        .rev()
        .find_map(|e| match e.kind.as_str() {
            "escalation_answered" => e.detail["answer"].as_str().map(String::from),
            "closed" => e.detail["note"].as_str().map(String::from),
            _ => None,
        })
        .filter(|a| !a.trim().is_empty());
    let answer = b
        .answer
        .or(found_answer)
        .ok_or_else(|| ApiError::conflict("no_answer", "该办件还没有答复，无法收入问题咨询库"))?;
    let question = b.question.unwrap_or_else(|| l.case.request.clone());
    let q = long_text("question", "问题", &question, 500)?;
    let a = long_text("answer", "答案", &answer, 4000)?;
    let codes: Vec<String> = l.case.item_code.clone().into_iter().collect();
    let ctx = p.ctx(&s.now_str());
    let (unit, source) = (l.case.unit_id, format!("case:{id}"));
    let fid = s
        .store
        .write(move |tx| {
            faq::insert(
                tx,
                &ctx,
                &faq::NewFaq { question: &q, answer: &a, item_codes: &codes, unit_id: unit, source: &source },
            )
        })
        .await?;
    s.search.sync(&s.store).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": fid, "source": format!("case:{id}")}))))
}
