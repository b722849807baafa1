//! The service catalog for those who keep it (CAT-1, CAT-3): the items with their versions,
//! filtered, paged and exported; a form to add or change an item, each save a new version; and
//! the file import.

use super::guides::time_limit;
use super::{
    Large, Visitor, above, beside, check_csrf, csrf_field, error_page, layout, page_of, pager, url_encode, val,
};
use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::i18n::{tr, tr_text, trf};
use crate::ui::{t, when};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use noveto_app::catalog::{self, ItemIn, MaterialIn, StageIn};
use noveto_domain::access::{Action, may_somewhere};
use noveto_store::repo::items::Item;
use noveto_store::repo::org::Unit;
use std::collections::HashMap;

type Fields = HashMap<String, String>;

#[derive(serde::Deserialize, Default)]
pub struct CatalogQ {
    q: Option<String>,
    page: Option<usize>,
}

/// Only those who manage the catalog somewhere see these pages: for anyone else, the refusal.
fn not_keeper(p: &Principal, large: bool) -> Option<Response> {
    (!may_somewhere(&p.grants, Action::ManageCatalog))
        .then(|| error_page(Some(p), large, &ApiError::forbidden(t().forbidden)))
}

/// CAT-3: the catalog — its items with their versions, filtered and paged; import and export.
pub async fn catalog_page(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    Query(q): Query<CatalogQ>,
) -> Response {
    catalog_body(&s, &p, large, &q, None).await
}

async fn catalog_body(
    s: &AppState,
    p: &Principal,
    large: bool,
    q: &CatalogQ,
    report: Option<serde_json::Value>,
) -> Response {
    if let Some(r) = not_keeper(p, large) {
        return r;
    }
    let all = catalog::all_items(s).await.unwrap_or_default();
    let units = noveto_app::org::directory(s).await.map(|d| d.units).unwrap_or_default();
    let words = q.q.as_deref().map(str::trim).unwrap_or("");
    let shown: Vec<&Item> =
        all.iter().filter(|i| words.is_empty() || i.code.contains(words) || i.name.contains(words)).collect();
    let (page, pages, rows) = page_of(&shown, q.page, 50);
    let errs = report.as_ref().and_then(|r| r["errors"].as_array().cloned()).unwrap_or_default();
    let bundles = noveto_app::bundles::all(s).await.unwrap_or_default();
    let body = html! {
        @if let Some(r) = &report {
            section.card {
                h2 { (tr("导入结果")) }
                p { (trf("共 {} 行，合格 {} 行，已导入 {} 行。", &[&r["rows"], &r["valid"], &r["imported"]])) }
                @if !errs.is_empty() {
                    p.err { (tr("以下行有问题，请改正后重新导入（或勾选“只导入合格的行”）：")) }
                    table {
                        tr { th { (tr("行")) } th { (tr("列")) } th { (tr("问题")) } }
                        @for e in &errs {
                            tr { td { (e["row"]) } td { (e["column"].as_str().unwrap_or("")) } td { (tr_text(e["message"].as_str().unwrap_or(""))) } }
                        }
                    }
                }
                @if let Some(m) = r["message"].as_str() { p.err { (tr_text(m)) } }
            }
        }
        section.card {
            h1 { (trf("事项库（{} 项）", &[&all.len()])) }
            p {
                a href="/admin/catalog/items/new" { (tr("新增事项")) } " · "
                a href="/api/v1/catalog/export?format=xlsx" { (tr("导出 Excel")) } " · "
                a href="/api/v1/catalog/export?format=csv" { (tr("导出 CSV")) } " · "
                a href="/guides" { (tr("公开办事指南")) }
            }
            form method="post" action="/admin/catalog/import" enctype="multipart/form-data" {
                (csrf_field(p))
                label {
                    // The header is the file's format, spelled as the file must spell it.
                    (tr("导入文件（XLSX 或 UTF-8 CSV），表头：")) code { (noveto_app::catalog_file::COLUMNS.join(",")) }
                    input type="file" name="file" required accept=".xlsx,.csv";
                }
                label { input type="checkbox" name="partial" value="1"; " " (tr("只导入合格的行")) }
                button { (tr("导入")) }
            }
            p.muted { (tr("按事项编码更新：已有编码的事项保存为新版本，每次修改都保留。可以逐项修改，也可以导出后改好再导入。")) }
        }
        // CAT-4: the life-event bundles, each kept on its own form.
        section.card #bundles {
            h2 { (tr("一件事一次办")) }
            p { a href="/admin/catalog/bundles/new" { (tr("新增“一件事”")) } }
            table {
                tr { th { (tr("名称")) } th { (tr("事项")) } th { (tr("合计时限")) } th { (tr("现行版本")) } th { (tr("操作")) } }
                @if bundles.is_empty() { tr { td colspan="5" class="muted" { (tr("尚未设置“一件事”。")) } } }
                @for b in &bundles {
                    tr {
                        td { a href={ "/guides/bundles/" (b.code) } { (b.name) } }
                        td { (b.steps.iter().map(|st| st.name.as_str()).collect::<Vec<_>>().join(" → ")) }
                        td { (trf("{} 个工作日", &[&b.total_wd])) }
                        td { (trf("第 {} 版", &[&b.version])) }
                        td { a href={ "/admin/catalog/bundles/" (b.code) } { (tr("修改")) } }
                    }
                }
            }
        }
        section.card {
            h2 { (tr("事项及其版本")) }
            form method="get" action="/admin/catalog" {
                label { (tr("按编码或名称筛选")) input name="q" value=(words); }
                button { (tr("筛选")) }
            }
            table {
                tr { th { (tr("事项编码")) } th { (tr("名称")) } th { (tr("实施部门")) } th { (tr("现行版本")) } th { (tr("承诺时限")) } th { (tr("材料")) } th { (tr("操作")) } }
                @if shown.is_empty() { tr { td colspan="7" class="muted" { (tr("没有符合条件的事项。")) } } }
                @for i in rows {
                    tr {
                        td { (i.code) }
                        td { a href={ "/guides/" (i.code) } { (i.name) } }
                        td { (unit_name(&units, i.unit_id)) }
                        td { a href={ "/admin/catalog/items/" (i.code) "#versions" } { (trf("第 {} 版", &[&i.version])) } }
                        td { (time_limit(i.time_limit_wd)) }
                        td { (i.materials.len()) }
                        td { a href={ "/admin/catalog/items/" (i.code) } { (tr("修改")) } }
                    }
                }
            }
            (pager(page, pages, |n| format!("/admin/catalog?q={}&page={n}", url_encode(words))))
        }
    };
    layout(Some(p), large, tr("事项库"), body).into_response()
}

fn unit_name(units: &[Unit], id: Option<i64>) -> &str {
    id.and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.as_str()).unwrap_or("")
}

pub async fn catalog_import(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    mp: axum::extract::Multipart,
) -> Response {
    let (fields, file) = super::admin::upload(mp).await;
    if let Err(e) = check_csrf(&p, &fields) {
        return error_page(Some(&p), large, &e);
    }
    let partial = fields.get("partial").is_some_and(|v| v == "1");
    let report = match catalog::import(&s, Some(&p), &file, partial).await {
        Ok(v) => serde_json::to_value(v).unwrap_or_default(),
        Err(e) => serde_json::json!({"rows": 0, "valid": 0, "imported": 0, "errors": [], "message": e.message}),
    };
    catalog_body(&s, &p, large, &CatalogQ::default(), Some(report)).await
}

/// How many material rows a new form offers, and how many more "再加三项材料" adds.
const BLANK_ROWS: usize = 3;
/// The most material rows a form may send (a bigger number is read as this).
const MAX_ROWS: usize = 200;

/// The form's fields for an item as it is stored.
fn fields_of(i: &Item, units: &[Unit]) -> Fields {
    let mut f: Fields = [
        ("code", i.code.clone()),
        ("name", i.name.clone()),
        ("unit_id", i.unit_id.map(|u| u.to_string()).unwrap_or_default()),
        ("legal_basis", i.legal_basis.clone()),
        ("time_limit_wd", i.time_limit_wd.to_string()),
        ("accepting_unit", i.accepting_unit.clone()),
        ("steps", i.steps.join("\n")),
        ("stages", stage_lines(i, units)),
        ("commitment_check_days", i.commitment_check_days.map(|d| d.to_string()).unwrap_or_default()),
        ("fees", i.fees.clone()),
        ("fee_basis", i.fee_basis.clone()),
        ("phone", i.phone.clone()),
        ("base_version", i.version.to_string()),
        ("rows", (i.materials.len() + 1).to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for u in &i.other_units {
        f.insert(format!("ou_{u}"), "1".into());
    }
    for (k, on) in [
        ("allows_deficiency", i.allows_deficiency),
        ("allows_commitment", i.allows_commitment),
        ("online", i.online),
        ("assisted", i.assisted),
    ] {
        if on {
            f.insert(k.into(), "1".into());
        }
    }
    for (n, m) in i.materials.iter().enumerate() {
        f.insert(format!("m{n}_name"), m.name.clone());
        if m.main {
            f.insert(format!("m{n}_main"), "1".into());
        }
        f.insert(format!("m{n}_sample"), m.sample.clone());
        f.insert(format!("m{n}_errors"), m.common_errors.clone());
    }
    f
}

/// NV-1: the stages as the form writes them, one a line: `审查 40%` or `制证 20% 市公安局`.
fn stage_lines(i: &Item, units: &[Unit]) -> String {
    i.stages
        .iter()
        .map(|st| {
            let unit = st.unit_id.filter(|u| Some(*u) != i.unit_id).map(|u| format!(" {}", unit_name(units, Some(u))));
            format!("{} {}%{}", st.name, st.share, unit.unwrap_or_default())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads the stage lines back: a name, its share in percent, and optionally the unit (by
/// name) responsible for it. A line that does not read is an error naming the line.
fn stages_in(text: &str, units: &[Unit], errs: &mut Vec<ApiError>) -> Vec<StageIn> {
    let mut out = vec![];
    for (n, line) in text.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let parts: Vec<&str> =
            line.split(|c: char| c.is_whitespace() || "|｜,，、".contains(c)).filter(|p| !p.is_empty()).collect();
        let share = parts.get(1).and_then(|p| p.trim_end_matches(['%', '％']).parse::<u32>().ok());
        let Some(share) = share else {
            errs.push(invalid("stages", &trf("第 {} 行应写作“阶段名称 占比%”，如“审查 40%”", &[&(n + 1)])));
            continue;
        };
        let unit_id = match parts.get(2..).map(|r| r.join(" ")).filter(|r| !r.is_empty()) {
            None => None,
            Some(name) => match units.iter().find(|u| u.name == name) {
                Some(u) => Some(u.id),
                None => {
                    errs.push(invalid("stages", &trf("第 {} 行的承办单位“{}”不存在", &[&(n + 1), &name])));
                    continue;
                }
            },
        };
        out.push(StageIn { name: parts[0].to_string(), share, unit_id });
    }
    out
}

fn rows_of(f: &Fields) -> usize {
    f.get("rows").and_then(|v| v.trim().parse().ok()).unwrap_or(BLANK_ROWS).clamp(1, MAX_ROWS)
}

/// Reads the form into what the application layer takes. Numbers that do not read are errors
/// of their own, added to everything else wrong (the form shows them all at once).
fn item_in(f: &Fields, units: &[Unit]) -> (ItemIn, Vec<ApiError>) {
    let mut errs = vec![];
    let on = |k: &str| f.get(k).is_some_and(|v| v == "1");
    let some = |k: &str| Some(val(f, k)).filter(|v| !v.is_empty());
    let unit_id = val(f, "unit_id").parse().unwrap_or_else(|_| {
        errs.push(invalid("unit_id", tr("请选择实施部门")));
        0
    });
    let time_limit_wd = val(f, "time_limit_wd").parse().unwrap_or_else(|_| {
        errs.push(invalid("time_limit_wd", tr("请填写承诺时限：工作日数，即办填 0")));
        0
    });
    let materials = (0..rows_of(f))
        .filter(|n| ["name", "sample", "errors"].iter().any(|k| !val(f, &format!("m{n}_{k}")).is_empty()))
        .map(|n| MaterialIn {
            name: val(f, &format!("m{n}_name")),
            main: on(&format!("m{n}_main")),
            sample: some(&format!("m{n}_sample")),
            common_errors: some(&format!("m{n}_errors")),
        })
        .collect();
    let b = ItemIn {
        code: val(f, "code"),
        name: val(f, "name"),
        unit_id,
        legal_basis: val(f, "legal_basis"),
        time_limit_wd,
        allows_deficiency: on("allows_deficiency"),
        allows_commitment: on("allows_commitment"),
        materials,
        accepting_unit: some("accepting_unit"),
        steps: Some(val(f, "steps").lines().map(String::from).collect()),
        fees: some("fees"),
        fee_basis: some("fee_basis"),
        phone: some("phone"),
        online: on("online"),
        assisted: on("assisted"),
        base_version: Some(val(f, "base_version").parse().unwrap_or(0)),
        other_unit_ids: Some(f.keys().filter_map(|k| k.strip_prefix("ou_")?.parse().ok()).collect()),
        stages: Some(stages_in(&val(f, "stages"), units, &mut errs)),
        commitment_check_days: match val(f, "commitment_check_days").trim() {
            "" => None,
            d => d.parse().map(Some).unwrap_or_else(|_| {
                errs.push(invalid("commitment_check_days", tr("承诺核查期限请填写工作日数，或留空按政策默认")));
                None
            }),
        },
    };
    (b, errs)
}

fn invalid(field: &'static str, message: &str) -> ApiError {
    ApiError::from(noveto_app::Error::bad("invalid_input", message).at(field))
}

/// What the edit page shows besides the form.
struct Shown<'a> {
    /// The item as stored (None: a new one).
    item: Option<&'a Item>,
    history: &'a [catalog::VersionLine],
    units: &'a [Unit],
    editable: &'a [Unit],
    saved: Option<i64>,
}

const FIELDS: [&str; 14] = [
    "other_unit_ids",
    "code",
    "name",
    "unit_id",
    "legal_basis",
    "time_limit_wd",
    "materials",
    "accepting_unit",
    "steps",
    "stages",
    "commitment_check_days",
    "fees",
    "fee_basis",
    "phone",
];

fn item_page(p: &Principal, large: bool, f: &Fields, errs: &[ApiError], shown: Shown<'_>) -> Response {
    let v = |k: &str| val(f, k);
    let on = |k: &str| f.get(k).is_some_and(|v| v == "1");
    let at = |k: &str| html! { @for e in errs { (beside(Some(e), k)) } };
    let rows = rows_of(f);
    let mine = match shown.item {
        None => true,
        Some(i) => shown.editable.iter().any(|u| Some(u.id) == i.unit_id),
    };
    let title = match shown.item {
        None => tr("新增事项").to_string(),
        Some(i) => trf("修改事项：{}", &[&i.name]),
    };
    let body = html! {
        section.card {
            p { a href="/admin/catalog" { (tr("返回事项库")) } }
            h1 { (title) }
            @if let Some(i) = shown.item {
                p.muted {
                    (trf("事项编码 {}，现为第 {} 版。", &[&i.code, &i.version])) " "
                    a href={ "/guides/" (i.code) } { (tr("查看公开办事指南")) }
                }
            }
            @if let Some(n) = shown.saved { p.ok role="status" { (trf("已保存，现为第 {} 版。", &[&n])) } }
            @if !errs.is_empty() { p.err role="alert" { (trf("有 {} 处需要改正，见各栏下的说明。", &[&errs.len()])) } }
            @for e in errs { (above(Some(e), &FIELDS)) }
            @if !mine {
                p.err { (trf("此事项属于{}，您无权修改。", &[&unit_name(shown.units, shown.item.and_then(|i| i.unit_id))])) }
            } @else {
                form method="post" action="/admin/catalog/items" {
                    (csrf_field(p))
                    input type="hidden" name="base_version" value=(v("base_version"));
                    input type="hidden" name="rows" value=(rows);
                    div.grid {
                        @if shown.item.is_some() {
                            label { (tr("事项编码")) input name="code" value=(v("code")) readonly; (at("code")) }
                        } @else {
                            label { (tr("事项编码")) input name="code" value=(v("code")) required maxlength="40"; (at("code")) }
                        }
                        label { (tr("事项名称")) input name="name" value=(v("name")) required maxlength="100"; (at("name")) }
                        label {
                            (tr("实施部门"))
                            select name="unit_id" required {
                                option value="" { (tr("请选择")) }
                                @for u in shown.editable {
                                    option value=(u.id) selected[v("unit_id") == u.id.to_string()] { (u.name) }
                                }
                            }
                            (at("unit_id"))
                        }
                        label {
                            (tr("承诺时限（工作日，即办填 0）"))
                            input name="time_limit_wd" type="number" min="0" max="365" value=(v("time_limit_wd")) required;
                            (at("time_limit_wd"))
                        }
                        label { (tr("受理机构")) input name="accepting_unit" value=(v("accepting_unit")) maxlength="100"; (at("accepting_unit")) }
                        label { (tr("咨询电话")) input name="phone" value=(v("phone")) maxlength="40"; (at("phone")) }
                    }
                    label { (tr("设定依据")) textarea name="legal_basis" required maxlength="1000" { (v("legal_basis")) } (at("legal_basis")) }
                    // NV-2, NV-3: where else the item is handled, so a referral can send people there.
                    @let home = shown.units.iter().find(|u| v("unit_id") == u.id.to_string()).map(|u| u.center_id);
                    @let others: Vec<&Unit> = shown.units.iter().filter(|u| home.is_none_or(|c| c != u.center_id)).collect();
                    @if !others.is_empty() {
                        fieldset {
                            legend { (tr("其他中心办理该事项的单位（属地办理，可指引前往）")) }
                            @for u in others {
                                label { input type="checkbox" name={ "ou_" (u.id) } value="1" checked[!v(&format!("ou_{}", u.id)).is_empty()]; " " (u.name) }
                            }
                            (at("other_unit_ids"))
                        }
                    }
                    label { (tr("办理步骤（每行一步）")) textarea name="steps" { (v("steps")) } (at("steps")) }
                    label {
                        (tr("后台办理阶段（每行一个：阶段名称 占承诺时限的百分比 [承办单位]，合计 100%）"))
                        textarea name="stages" placeholder=([tr("受理 10%"), tr("审查 50%"), tr("决定 20%"), tr("送达 20%")].join("\n")) { (v("stages")) }
                        (at("stages"))
                    }
                    div.grid {
                        label { (tr("收费标准（不收费可不填）")) input name="fees" value=(v("fees")) maxlength="500"; (at("fees")) }
                        label { (tr("收费依据")) input name="fee_basis" value=(v("fee_basis")) maxlength="500"; (at("fee_basis")) }
                    }
                    label {
                        (tr("告知承诺事后核查期限（工作日，留空按政策默认）"))
                        input name="commitment_check_days" type="number" min="1" max="365" value=(v("commitment_check_days"));
                        (at("commitment_check_days"))
                    }
                    p {
                        @for (k, l) in [("allows_deficiency", tr("可以容缺受理")), ("allows_commitment", tr("可以告知承诺")), ("online", tr("可以网上办理")), ("assisted", tr("提供帮办代办"))] {
                            label { input type="checkbox" name=(k) value="1" checked[on(k)]; " " (l) }
                        }
                    }
                    h2 { (tr("申请材料")) }
                    p.muted { (tr("补正方法会写进一次性告知单，请写明申请人要怎样补齐。整行留空的材料不保存。")) }
                    (at("materials"))
                    @for n in 0..rows {
                        fieldset {
                            legend { (trf("材料 {}", &[&(n + 1)])) }
                            label { (tr("材料名称")) input name={ "m" (n) "_name" } value=(v(&format!("m{n}_name"))) maxlength="100"; }
                            label { input type="checkbox" name={ "m" (n) "_main" } value="1" checked[on(&format!("m{n}_main"))]; " " (tr("主件（缺少时不能容缺受理）")) }
                            label { (tr("补正方法与样本")) textarea name={ "m" (n) "_sample" } maxlength="1000" { (v(&format!("m{n}_sample"))) } }
                            label { (tr("常见错误")) textarea name={ "m" (n) "_errors" } maxlength="1000" { (v(&format!("m{n}_errors"))) } }
                        }
                    }
                    // Saving comes first: Enter in a field submits with the first button.
                    button { (tr("保存为新版本")) }
                    button name="more" value="1" class="secondary" formnovalidate { (tr("再加三项材料")) }
                }
            }
        }
        @if !shown.history.is_empty() {
            section.card id="versions" {
                h2 { (tr("版本记录")) }
                table {
                    tr { th { (tr("版本")) } th { (tr("保存时间")) } th { (tr("保存人")) } th { (tr("改动")) } }
                    @for h in shown.history {
                        tr {
                            td { (trf("第 {} 版", &[&h.version])) }
                            td { (when(&h.at)) }
                            td { (h.by.as_deref().unwrap_or(tr("系统导入"))) }
                            td { (h.changed.iter().map(|c| tr_text(c)).collect::<Vec<_>>().join(tr("、"))) }
                        }
                    }
                }
            }
        }
    };
    let status = if errs.is_empty() { axum::http::StatusCode::OK } else { errs[0].status };
    (status, layout(Some(p), large, tr("修改事项"), body)).into_response()
}

#[derive(serde::Deserialize)]
pub struct SavedQ {
    saved: Option<i64>,
}

/// CAT-1: the form for a new item.
pub async fn new_item(State(s): State<AppState>, Visitor(p): Visitor, Large(large): Large) -> Response {
    if let Some(r) = not_keeper(&p, large) {
        return r;
    }
    let units = catalog::editable_units(&s, &p).await.unwrap_or_default();
    let mut f = Fields::new();
    f.insert("base_version".into(), "0".into());
    if let [only] = units.as_slice() {
        f.insert("unit_id".into(), only.id.to_string());
    }
    let shown = Shown { item: None, history: &[], units: &units, editable: &units, saved: None };
    item_page(&p, large, &f, &[], shown)
}

/// CAT-1, CAT-3: an item's form, filled in as it is now, with its versions below.
pub async fn edit_item(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(code): ApiPath<String>,
    Query(q): Query<SavedQ>,
) -> Response {
    if let Some(r) = not_keeper(&p, large) {
        return r;
    }
    item_again(&s, &p, large, &code, None, q.saved).await
}

/// The edit page of `code`: as stored, or (after a failed save) as typed with its errors.
async fn item_again(
    s: &AppState,
    p: &Principal,
    large: bool,
    code: &str,
    typed: Option<(&Fields, &[ApiError])>,
    saved: Option<i64>,
) -> Response {
    let item = match catalog::get_item(s, code).await {
        Ok(Some(i)) => i,
        Ok(None) => return error_page(Some(p), large, &ApiError::from(noveto_app::Error::not_found(tr("事项")))),
        Err(e) => return error_page(Some(p), large, &e.into()),
    };
    let history = catalog::history(s, code).await.unwrap_or_default();
    let units = noveto_app::org::directory(s).await.map(|d| d.units).unwrap_or_default();
    let editable = catalog::editable_units(s, p).await.unwrap_or_default();
    let stored = fields_of(&item, &units);
    let (f, errs) = typed.unwrap_or((&stored, &[]));
    let shown = Shown { item: Some(&item), history: &history, units: &units, editable: &editable, saved };
    item_page(p, large, f, errs, shown)
}

/// CAT-1: saves the form as a new version (or a new item) and shows it saved; on any error the
/// form comes back as typed with every error beside its field. "再加三项材料" only adds rows.
pub async fn save_item(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::Form(mut f): axum::Form<Fields>,
) -> Response {
    if let Err(e) = check_csrf(&p, &f) {
        return error_page(Some(&p), large, &e);
    }
    if let Some(r) = not_keeper(&p, large) {
        return r;
    }
    let code = val(&f, "code");
    let editing = val(&f, "base_version").parse::<i64>().is_ok_and(|v| v > 0);
    let mut errs: Vec<ApiError> = vec![];
    if f.contains_key("more") {
        let rows = (rows_of(&f) + BLANK_ROWS).min(MAX_ROWS);
        f.insert("rows".into(), rows.to_string());
    } else {
        let units = noveto_app::org::directory(&s).await.map(|d| d.units).unwrap_or_default();
        let (b, bad) = item_in(&f, &units);
        errs = bad;
        match catalog::check(&b) {
            Err(e) => errs.extend(e.into_iter().map(ApiError::from)),
            Ok(_) if errs.is_empty() => match catalog::save_item(&s, &p, b).await {
                Ok(saved) => {
                    return Redirect::to(&format!("/admin/catalog/items/{}?saved={}", saved.code, saved.version))
                        .into_response();
                }
                Err(e) => errs.push(e.into()),
            },
            Ok(_) => {}
        }
    }
    if editing {
        return item_again(&s, &p, large, &code, Some((&f, &errs)), None).await;
    }
    let units = catalog::editable_units(&s, &p).await.unwrap_or_default();
    let shown = Shown { item: None, history: &[], units: &units, editable: &units, saved: None };
    item_page(&p, large, &f, &errs, shown)
}

/// CAT-4: a bundle's form — new (`new`) or as stored — filled in as typed after a failed save,
/// the error beside its field.
async fn bundle_page(
    s: &AppState,
    p: &Principal,
    large: bool,
    code: &str,
    typed: Option<(&Fields, &ApiError)>,
) -> Response {
    if let Some(r) = not_keeper(p, large) {
        return r;
    }
    let stored = if code == "new" { None } else { noveto_app::bundles::get(s, code).await.ok() };
    if code != "new" && stored.is_none() && typed.is_none() {
        return error_page(Some(p), large, &ApiError::from(noveto_app::Error::not_found(tr("一件事"))));
    }
    let items = catalog::all_items(s).await.unwrap_or_default();
    let v = |k: &str| -> String {
        match (typed, &stored) {
            (Some((f, _)), _) => val(f, k),
            (None, Some(b)) => match k {
                "code" => b.code.clone(),
                "name" => b.name.clone(),
                "description" => b.description.clone(),
                "intents" => b.intents.join("\n"),
                "items" => b.steps.iter().map(|st| st.code.clone()).collect::<Vec<_>>().join("\n"),
                _ => String::new(),
            },
            _ => String::new(),
        }
    };
    let e = typed.map(|(_, e)| e);
    let editing = stored.is_some();
    let body = html! {
        section.card {
            p { a href="/admin/catalog#bundles" { (tr("返回事项库")) } }
            h1 { @if editing { (trf("修改“一件事”：{}", &[&v("name")])) } @else { (tr("新增“一件事”")) } }
            (super::above(e, &["code", "name", "description", "intents", "items"]))
            form method="post" action="/admin/catalog/bundles" {
                (csrf_field(p))
                div.grid {
                    label {
                        (tr("编码"))
                        @if editing { input name="code" value=(v("code")) readonly; } @else { input name="code" value=(v("code")) required maxlength="40"; }
                        (beside(e, "code"))
                    }
                    label { (tr("名称")) input name="name" value=(v("name")) required maxlength="60"; (beside(e, "name")) }
                }
                label { (tr("说明（为谁、办哪些事，群众能看懂的话）")) textarea name="description" required maxlength="1000" { (v("description")) } (beside(e, "description")) }
                label { (tr("群众的说法（每行一种，如：开饭店）")) textarea name="intents" { (v("intents")) } (beside(e, "intents")) }
                label {
                    (tr("包含的事项（每行一个事项编码，按办理顺序）"))
                    textarea name="items" required { (v("items")) }
                    (beside(e, "items"))
                }
                details {
                    summary { (tr("事项编码一览")) }
                    ul { @for i in &items { li { code { (i.code) } " " (i.name) } } }
                }
                button { (tr("保存")) }
            }
        }
    };
    let status = e.map_or(axum::http::StatusCode::OK, |e| e.status);
    (status, layout(Some(p), large, tr("一件事"), body)).into_response()
}

pub async fn bundle_edit(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    ApiPath(code): ApiPath<String>,
) -> Response {
    bundle_page(&s, &p, large, &code, None).await
}

pub async fn bundle_save(
    State(s): State<AppState>,
    Visitor(p): Visitor,
    Large(large): Large,
    axum::Form(f): axum::Form<Fields>,
) -> Response {
    if let Err(e) = check_csrf(&p, &f) {
        return error_page(Some(&p), large, &e);
    }
    let lines = |k: &str| val(&f, k).lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
    let b = noveto_app::bundles::BundleIn {
        code: val(&f, "code"),
        name: val(&f, "name"),
        description: val(&f, "description"),
        intents: lines("intents"),
        items: lines("items"),
    };
    match noveto_app::bundles::save(&s, &p, b).await {
        Ok((code, _)) => Redirect::to(&format!("/guides/bundles/{code}")).into_response(),
        Err(e) => {
            let e = ApiError::from(e);
            let code = val(&f, "code");
            let code = if code.is_empty() { "new".to_string() } else { code };
            bundle_page(&s, &p, large, &code, Some((&f, &e))).await
        }
    }
}
