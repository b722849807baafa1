//! The service catalog (CAT-1 … CAT-3): items with their versions, browse and search, import
//! and export. Items are edited by whoever manages the catalog at the item's unit.

use crate::{App, Error, Principal, Result, catalog_file};
use noveto_domain::access::{Action, Place, may_somewhere};
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

/// CAT-1: creates an item or, for an existing code, saves a new version.
pub async fn save_item(s: &App, p: &Principal, b: ItemIn) -> Result<Saved> {
    let code = text("code", "事项编码", &b.code, 40)?;
    if !code.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(Error::bad("invalid_code", "事项编码只能包含字母、数字和 - _ ."));
    }
    let name = text("name", "事项名称", &b.name, 100)?;
    let basis = long_text("legal_basis", "设定依据", &b.legal_basis, 1000)?;
    if b.time_limit_wd > 365 {
        return Err(Error::bad("invalid_time_limit", "承诺时限不能超过 365 个工作日"));
    }
    if b.materials.is_empty() {
        return Err(Error::bad("materials_required", "请至少列出一项申请材料"));
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
        .collect::<Result<Vec<_>>>()?;
    p.may(Action::ManageCatalog, &unit_place(s, b.unit_id).await?)?;
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
    Ok(Saved { code, version, existed })
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
                        items::upsert(tx, &ctx, it)?;
                    }
                    Ok::<_, StoreError>(c.len())
                })
                .await?;
        }
    }
    s.search.sync(&s.store).await?;
    Ok(Imported { rows: parsed.rows, valid, imported, errors: parsed.errors })
}
