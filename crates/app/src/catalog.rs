//! The service catalog (CAT-1 … CAT-3): items with their versions, browse and search, import
//! and export. Items are edited by whoever manages the catalog at the item's unit.

use crate::{App, Error, Principal, Result, catalog_file};
use noveto_domain::access::{Action, Place, may_somewhere};
use noveto_domain::case::{StagePlan, check_stages};
use noveto_domain::validate::{long_text, text};
use noveto_store::StoreError;
use noveto_store::repo::items::{Item, Material};
use noveto_store::repo::{items, org};
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
    /// The version the editor started from (0 for a new item): the save is refused when the
    /// item has changed since. Without it the save goes over whatever is current.
    #[serde(default)]
    pub base_version: Option<i64>,
    /// Units at other centers that also handle this item (属地办理): an application of it may
    /// be referred to them. Left out: the item keeps the ones it has.
    #[serde(default)]
    pub other_unit_ids: Option<Vec<i64>>,
    /// NV-1: the back-office stages after acceptance, in order, their shares adding up to 100.
    /// Left out: the item keeps the ones it has; an empty list removes them.
    #[serde(default)]
    pub stages: Option<Vec<StageIn>>,
    /// NV-6: working days (1–365) within which a commitment on this item is verified after
    /// approval; left out: the policy's period.
    #[serde(default)]
    pub commitment_check_days: Option<u32>,
}

/// NV-1: one back-office stage of an item (受理, 审查, 决定, 制证, 送达 …).
#[derive(Deserialize, JsonSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct StageIn {
    pub name: String,
    /// Its share of the promised time, in percent (1–100; the stages add up to 100).
    pub share: u32,
    /// The unit responsible for it; left out: the item's own unit.
    #[serde(default)]
    pub unit_id: Option<i64>,
}

/// The place of a unit (for the catalog and FAQ permissions).
pub async fn unit_place(s: &App, unit: i64) -> Result<Place> {
    s.store
        .read(move |tx| org::place_of_unit(tx, unit))
        .await?
        .ok_or_else(|| Error::bad("unknown_unit", format!("单位 {unit} 不存在")))
}

/// What saving an item did.
pub struct Saved {
    pub code: String,
    pub version: i64,
    /// False when the code was new.
    pub existed: bool,
}

/// An optional text: empty stays empty, anything else is checked like a required one.
fn optional(field: &'static str, label: &str, v: Option<&str>, max: usize, errs: &mut Vec<Error>) -> String {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => String::new(),
        Some(v) => long_text(field, label, v, max).map_err(|e| errs.push(e.into())).unwrap_or_default(),
    }
}

/// CAT-1: reads an item as typed, or says everything wrong with it at once, each error with
/// its field (a form shows them all beside their fields; the API answers with the first).
pub fn check(b: &ItemIn) -> std::result::Result<Item, Vec<Error>> {
    let mut errs: Vec<Error> = vec![];
    let mut ok = |r: std::result::Result<String, noveto_domain::validate::Invalid>| {
        r.map_err(|e| errs.push(e.into())).unwrap_or_default()
    };
    let code = ok(text("code", "事项编码", &b.code, 40));
    let name = ok(text("name", "事项名称", &b.name, 100));
    let legal_basis = ok(long_text("legal_basis", "设定依据", &b.legal_basis, 1000));
    if !code.is_empty() && !code.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        errs.push(Error::bad("invalid_code", "事项编码只能包含字母、数字和 - _ .").at("code"));
    }
    if b.time_limit_wd > 365 {
        errs.push(Error::bad("invalid_time_limit", "承诺时限不能超过 365 个工作日").at("time_limit_wd"));
    }
    let mut materials = vec![];
    for (n, m) in b.materials.iter().enumerate() {
        let row = |e: Error| Error { message: format!("第 {} 项材料：{}", n + 1, e.message), ..e }.at("materials");
        let mut mine = vec![];
        let name = text("materials", "材料名称", &m.name, 100).map_err(|e| mine.push(e.into())).unwrap_or_default();
        let sample = optional("materials", "补正方法与样本", m.sample.as_deref(), 1000, &mut mine);
        let common_errors = optional("materials", "常见错误", m.common_errors.as_deref(), 1000, &mut mine);
        errs.extend(mine.into_iter().map(row));
        materials.push(Material { name, main: m.main, sample, common_errors });
    }
    if b.materials.is_empty() {
        errs.push(Error::bad("materials_required", "请至少列出一项申请材料").at("materials"));
    }
    let steps: Vec<String> =
        b.steps.iter().flatten().map(|x| x.trim()).filter(|x| !x.is_empty()).map(String::from).collect();
    for (n, step) in steps.iter().enumerate() {
        if let Err(e) = text("steps", "办理步骤", step, 200) {
            errs.push(Error { message: format!("第 {} 步：{}", n + 1, e.message), ..Error::from(e) });
        }
    }
    let mut stages = vec![];
    for (n, st) in b.stages.iter().flatten().enumerate() {
        match text("stages", "阶段名称", &st.name, 20) {
            Ok(name) => stages.push(StagePlan { name, unit_id: st.unit_id, share: st.share }),
            Err(e) => {
                errs.push(Error { message: format!("第 {} 个阶段：{}", n + 1, e.message), ..Error::from(e) })
            }
        }
    }
    if let Err(e) = check_stages(&stages) {
        errs.push(Error::bad("invalid_stages", e.to_string()).at("stages"));
    }
    if b.commitment_check_days.is_some_and(|d| !(1..=365).contains(&d)) {
        errs.push(
            Error::bad("invalid_check_days", "承诺核查期限须在 1 到 365 个工作日之间").at("commitment_check_days"),
        );
    }
    let item = Item {
        code,
        name,
        unit_id: Some(b.unit_id),
        legal_basis,
        accepting_unit: optional("accepting_unit", "受理机构", b.accepting_unit.as_deref(), 100, &mut errs),
        steps,
        materials,
        fees: optional("fees", "收费标准", b.fees.as_deref(), 500, &mut errs),
        fee_basis: optional("fee_basis", "收费依据", b.fee_basis.as_deref(), 500, &mut errs),
        time_limit_wd: b.time_limit_wd,
        phone: optional("phone", "咨询电话", b.phone.as_deref(), 40, &mut errs),
        allows_deficiency: b.allows_deficiency,
        allows_commitment: b.allows_commitment,
        online: b.online,
        assisted: b.assisted,
        other_units: b.other_unit_ids.clone().unwrap_or_default(),
        stages,
        commitment_check_days: b.commitment_check_days,
        version: 0,
    };
    if errs.is_empty() { Ok(item) } else { Err(errs) }
}

/// CAT-1: creates an item or, for an existing code, saves a new version. Whoever saves must
/// manage the catalog of the item's unit — the one it has and, when it moves, the new one.
/// With `base_version` the save is refused when the item is no longer at that version (0: when
/// the code is taken), so nobody writes over a change they have not seen.
pub async fn save_item(s: &App, p: &Principal, b: ItemIn) -> Result<Saved> {
    let mut item = check(&b).map_err(|mut e| e.swap_remove(0))?;
    let home = unit_place(s, b.unit_id).await?;
    p.may(Action::ManageCatalog, &home)?;
    for u in item.other_units.clone() {
        let other = unit_place(s, u).await.map_err(|e| e.at("other_unit_ids"))?;
        if other.centers.first() == home.centers.first() {
            return Err(Error::bad(
                "same_center",
                "其他办理单位须是其他中心的单位（同一中心内的转办请用本单位的其他窗口）",
            )
            .at("other_unit_ids"));
        }
    }
    let code = item.code.clone();
    let c2 = code.clone();
    let old = s.store.read(move |tx| items::get(tx, &c2)).await?;
    if b.other_unit_ids.is_none() {
        item.other_units = old.as_ref().map(|o| o.other_units.clone()).unwrap_or_default();
    }
    if b.stages.is_none() {
        item.stages = old.as_ref().map(|o| o.stages.clone()).unwrap_or_default();
    }
    for st in &item.stages {
        if let Some(u) = st.unit_id {
            unit_place(s, u).await.map_err(|e| e.at("stages"))?;
        }
    }
    if let Some(u) = old.as_ref().and_then(|o| o.unit_id)
        && u != b.unit_id
    {
        p.may(Action::ManageCatalog, &unit_place(s, u).await?)?;
    }
    let seen = old.as_ref().map_or(0, |o| o.version);
    if let Some(base) = b.base_version
        && base != seen
    {
        return Err(stale(&code, base, seen));
    }
    let ctx = p.ctx(&s.now_str());
    let c2 = code.clone();
    let version = s
        .store
        .write(move |tx| {
            // The version the permission was checked against is the one written over.
            let now = items::version_of(tx, &c2)?.unwrap_or(0);
            if now != seen {
                return Err(stale(&c2, seen, now));
            }
            Ok(items::upsert(tx, &ctx, &item, Some(seen))?)
        })
        .await?;
    s.search.follow(&s.store).await;
    Ok(Saved { code, version, existed: seen > 0 })
}

fn stale(code: &str, base: i64, now: i64) -> Error {
    let e = if base == 0 {
        Error::conflict(
            "code_taken",
            format!("事项编码 {code} 已被使用（现为第 {now} 版），请换一个编码，或打开该事项修改"),
        )
    } else {
        Error::conflict(
            "stale_version",
            format!(
                "事项 {code} 在您打开后已被修改（您改的是第 {base} 版，现在是第 {now} 版），请重新打开，核对后再改"
            ),
        )
    };
    e.at("code")
}

/// CAT-1: the units whose catalog this person may edit.
pub async fn editable_units(s: &App, p: &Principal) -> Result<Vec<org::Unit>> {
    let mut out = vec![];
    for u in s.store.read(org::units).await? {
        let (centers, _) = s.center_chain(u.center_id).await?;
        if p.may(Action::ManageCatalog, &Place { centers, unit: Some(u.id), window: None }).is_ok() {
            out.push(u);
        }
    }
    Ok(out)
}

/// The parts of an item a version can change, as the history names them.
pub const PARTS: [&str; 16] = [
    "新建",
    "事项名称",
    "实施部门",
    "设定依据",
    "受理机构",
    "办理步骤",
    "申请材料",
    "收费",
    "承诺时限",
    "咨询电话",
    "容缺受理",
    "告知承诺",
    "网上办理",
    "帮办代办",
    "办理阶段",
    "承诺核查期限",
];

/// Which parts of the item differ from `a` to `b`.
pub fn changed_parts(a: &Item, b: &Item) -> Vec<&'static str> {
    let differs = [
        a.name != b.name,
        a.unit_id != b.unit_id,
        a.legal_basis != b.legal_basis,
        a.accepting_unit != b.accepting_unit,
        a.steps != b.steps,
        a.materials != b.materials,
        a.fees != b.fees || a.fee_basis != b.fee_basis,
        a.time_limit_wd != b.time_limit_wd,
        a.phone != b.phone,
        a.allows_deficiency != b.allows_deficiency,
        a.allows_commitment != b.allows_commitment,
        a.online != b.online,
        a.assisted != b.assisted,
        a.stages != b.stages,
        a.commitment_check_days != b.commitment_check_days,
    ];
    PARTS[1..].iter().zip(differs).filter(|(_, d)| *d).map(|(p, _)| *p).collect()
}

/// One saved version, for people: when, by whom, and what changed since the one before.
pub struct VersionLine {
    pub version: i64,
    pub at: String,
    pub by: Option<String>,
    pub changed: Vec<&'static str>,
}

/// CAT-3: an item's versions for its edit page, newest first (public data: the catalog is).
pub async fn history(s: &App, code: &str) -> Result<Vec<VersionLine>> {
    let code = code.to_string();
    let (v, names) = s
        .store
        .read(move |tx| {
            let v = items::versions(tx, &code)?;
            let names = org::staff_names(tx, v.iter().filter_map(|x| x.2))?;
            Ok::<_, StoreError>((v, names))
        })
        .await?;
    Ok(v.iter()
        .enumerate()
        .map(|(n, (version, at, by, item))| VersionLine {
            version: *version,
            at: at.clone(),
            by: by.and_then(|id| names.get(&id).cloned()),
            changed: match v.get(n + 1) {
                Some(before) => changed_parts(&before.3, item),
                None => vec![PARTS[0]],
            },
        })
        .collect())
}

/// CAT-2: one item's guide (public).
pub async fn get_item(s: &App, code: &str) -> Result<Option<Item>> {
    let code = code.to_string();
    Ok(s.store.read(move |tx| items::get(tx, &code)).await?)
}

/// Every item (the catalog is public).
pub async fn all_items(s: &App) -> Result<Vec<Item>> {
    Ok(s.store.read(items::all).await?)
}

/// Every item's code and name, for a picker (the workbench's item field): the name column, not
/// every guide parsed at each page.
pub async fn item_choices(s: &App) -> Result<Vec<(String, String)>> {
    Ok(s.store.read(items::codes_and_names).await?)
}

/// CAT-2: browse (no words) or search the catalog, optionally one unit's items.
pub async fn list_items(s: &App, words: Option<&str>, unit_id: Option<i64>, limit: usize) -> Result<Vec<Item>> {
    Ok(match words.map(str::trim).filter(|x| !x.is_empty()) {
        Some(w) => s
            .search
            .find_items(&s.store, w, limit)
            .await?
            .into_iter()
            .filter(|i| unit_id.is_none() || i.unit_id == unit_id)
            .collect(),
        None => {
            all_items(s).await?.into_iter().filter(|i| unit_id.is_none() || i.unit_id == unit_id).take(limit).collect()
        }
    })
}

/// CAT-3: an item's versions, newest first.
pub async fn versions(s: &App, code: &str) -> Result<Vec<Value>> {
    let code = code.to_string();
    let v = s.store.read(move |tx| items::versions(tx, &code)).await?;
    if v.is_empty() {
        return Err(Error::not_found("事项"));
    }
    Ok(v.into_iter().map(|(ver, at, by, item)| json!({"version": ver, "at": at, "by": by, "item": item})).collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format> {
        match s {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(Error::bad("invalid_format", "格式须为 csv 或 xlsx")),
        }
    }
}

/// CAT-3: the whole catalog as CSV or XLSX; also how many items it holds.
pub async fn export(s: &App, format: Format) -> Result<(Vec<u8>, usize)> {
    let (all, units) = s.store.read(|tx| Ok::<_, StoreError>((items::all(tx)?, org::units(tx)?))).await?;
    let bytes = match format {
        Format::Csv => catalog_file::to_csv(&all, &units),
        Format::Xlsx => catalog_file::to_xlsx(&all, &units).map_err(|e| Error::bad("export_failed", e))?,
    };
    Ok((bytes, all.len()))
}

/// The result of an import: what was saved, and every bad row and column.
#[derive(Debug, serde::Serialize)]
pub struct Imported {
    pub rows: usize,
    pub valid: usize,
    pub imported: usize,
    pub errors: Vec<catalog_file::RowError>,
}

/// CAT-3: imports a CSV or XLSX file. Nothing is saved when a row is bad, unless `partial`.
/// `p` is None for the command line (the operator of the machine).
pub async fn import(s: &App, p: Option<&Principal>, bytes: &[u8], partial: bool) -> Result<Imported> {
    if let Some(p) = p
        && !may_somewhere(&p.grants, Action::ManageCatalog)
    {
        return Err(Error::forbidden("无权导入事项库"));
    }
    let rows = catalog_file::read(bytes).map_err(|e| Error::bad("invalid_file", e))?;
    let units = s.store.read(org::units).await?;
    let parsed = catalog_file::parse_rows(rows, &units);
    if let Some(p) = p {
        for unit in parsed.items.iter().filter_map(|i| i.unit_id).collect::<std::collections::BTreeSet<_>>() {
            p.may(Action::ManageCatalog, &unit_place(s, unit).await?)?;
        }
    }
    let valid = parsed.items.len();
    let mut imported = 0;
    if parsed.errors.is_empty() || partial {
        let ctx = noveto_store::repo::Ctx { actor: p.map(|p| p.id), now: s.now_str() };
        for chunk in parsed.items.chunks(500) {
            let (c, ctx) = (chunk.to_vec(), ctx.clone());
            imported += s
                .store
                .write(move |tx| {
                    for it in &c {
                        // The file has no column for the other centers' units or the stages: an
                        // item keeps its own.
                        let mut it = it.clone();
                        if let Some(old) = items::get(tx, &it.code)? {
                            it.other_units = old.other_units;
                            it.stages = old.stages;
                            it.commitment_check_days = old.commitment_check_days;
                        }
                        items::upsert(tx, &ctx, &it, None)?;
                    }
                    Ok::<_, StoreError>(c.len())
                })
                .await?;
        }
    }
    s.search.follow(&s.store).await;
    Ok(Imported { rows: parsed.rows, valid, imported, errors: parsed.errors })
}

/// An item's name by its code (None: no such item).
pub async fn item_name(s: &App, code: &str) -> Option<String> {
    get_item(s, code).await.ok().flatten().map(|i| i.name)
}

/// The names of the items of `codes` that exist, in one store read (a report names many).
pub async fn item_names(s: &App, codes: Vec<String>) -> Result<std::collections::BTreeMap<String, String>> {
    Ok(s.store.read(move |tx| items::names(tx, &codes)).await?)
}
