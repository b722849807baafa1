//! The service catalog (CAT-1, CAT-3): every change is a new version with who and when.

use super::{Ctx, audit};
use crate::{Result, StoreError, Tx, params};
use noveto_domain::case::{ItemRules, StagePlan};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Material {
    pub name: String,
    /// 主件 (true) or 非要件 (false).
    pub main: bool,
    #[serde(default)]
    pub sample: String,
    #[serde(default)]
    pub common_errors: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Item {
    pub code: String,
    pub name: String,
    pub unit_id: Option<i64>,
    pub legal_basis: String,
    #[serde(default)]
    pub accepting_unit: String,
    #[serde(default)]
    pub steps: Vec<String>,
    #[serde(default)]
    pub materials: Vec<Material>,
    #[serde(default)]
    pub fees: String,
    #[serde(default)]
    pub fee_basis: String,
    pub time_limit_wd: u32,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub allows_deficiency: bool,
    #[serde(default)]
    pub allows_commitment: bool,
    #[serde(default)]
    pub online: bool,
    #[serde(default)]
    pub assisted: bool,
    /// Units at other centers that also handle this item (属地办理): an application of it may be
    /// referred to them (NV-2, NV-3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_units: Vec<i64>,
    /// NV-1: the back-office stages a case goes through after acceptance, each with its unit
    /// and share of the promised time (none: open or closed, nothing between).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StagePlan>,
    /// NV-6: the working days within which a commitment on this item is verified after approval
    /// (none: the policy's `commitment_check_days`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment_check_days: Option<u32>,
    #[serde(default)]
    pub version: i64,
}

impl Item {
    pub fn rules(&self) -> ItemRules {
        ItemRules {
            allows_deficiency: self.allows_deficiency,
            allows_commitment: self.allows_commitment,
            main_materials: self.materials.iter().filter(|m| m.main).map(|m| m.name.clone()).collect(),
            time_limit_wd: Some(self.time_limit_wd),
            stages: self.stages.clone(),
        }
    }
}

fn doc(i: &Item) -> Result<String> {
    serde_json::to_string(i).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Inserts or updates by code; an unchanged item keeps its version. Returns the version.
/// With `over` (0: the code must be new) the save goes only over that version: one another
/// save committed meanwhile — even between this job's reads — makes it fail, never both land.
pub fn upsert(tx: &mut dyn Tx, ctx: &Ctx, item: &Item, over: Option<i64>) -> Result<i64> {
    let existing = tx.query_one("SELECT id, version, doc FROM items WHERE code = $1", params![item.code.as_str()])?;
    if let Some(over) = over
        && existing.as_ref().map_or(0, |r| r.i64(1)) != over
    {
        return Err(StoreError::Conflict(format!("事项 {} 刚被他人修改，请重新打开后再改", item.code)));
    }
    let mut it = item.clone();
    let (id, version) = match existing {
        Some(r) => {
            let old: Item = r.json(2)?;
            it.version = old.version;
            if old == it {
                return Ok(old.version);
            }
            let v = r.i64(1) + 1;
            it.version = v;
            // Only over the version just read: a save that raced another one finds no row
            // (PostgreSQL re-reads the row after the other commits) and is refused, never
            // written over the other.
            let n = tx.exec(
                "UPDATE items SET name = $1, unit_id = $2, version = $3, doc = $4, updated_at = $5, updated_by = $6 WHERE id = $7 AND version = $8",
                params![it.name.as_str(), it.unit_id, v, doc(&it)?, ctx.now.as_str(), ctx.actor, r.i64(0), r.i64(1)],
            )?;
            if n != 1 {
                return Err(StoreError::Conflict(format!("事项 {} 刚被他人修改，请重新打开后再改", it.code)));
            }
            (r.i64(0), v)
        }
        None => {
            it.version = 1;
            let id = tx.insert(
                "INSERT INTO items (code, name, unit_id, version, doc, updated_at, updated_by) VALUES ($1, $2, $3, 1, $4, $5, $6) RETURNING id",
                params![it.code.as_str(), it.name.as_str(), it.unit_id, doc(&it)?, ctx.now.as_str(), ctx.actor],
            )?;
            (id, 1)
        }
    };
    tx.exec(
        "INSERT INTO item_versions (item_id, version, doc, at, by_id) VALUES ($1, $2, $3, $4, $5)",
        params![id, version, doc(&it)?, ctx.now.as_str(), ctx.actor],
    )?;
    audit::append(tx, ctx, "item.save", "item", id, &json!({"code": it.code, "version": version}))?;
    Ok(version)
}

pub fn get(tx: &mut dyn Tx, code: &str) -> Result<Option<Item>> {
    match tx.query_one("SELECT doc FROM items WHERE code = $1", params![code])? {
        Some(r) => Ok(Some(r.json(0)?)),
        None => Ok(None),
    }
}

/// The names of the items `codes` (those that exist), from the name column — a report names
/// tens of items and reads none of their guides.
pub fn names(tx: &mut dyn Tx, codes: &[String]) -> Result<std::collections::BTreeMap<String, String>> {
    let codes: Vec<crate::Value> = codes.iter().map(crate::Value::from).collect();
    Ok(crate::query_in(tx, "SELECT code, name FROM items WHERE code IN ({in})", &codes)?
        .iter()
        .map(|r| (r.str(0), r.str(1)))
        .collect())
}

/// Every item's code and name, by code, from their columns (a picker's list: no guide is read).
pub fn codes_and_names(tx: &mut dyn Tx) -> Result<Vec<(String, String)>> {
    Ok(tx.query("SELECT code, name FROM items ORDER BY code", &[])?.iter().map(|r| (r.str(0), r.str(1))).collect())
}

pub fn all(tx: &mut dyn Tx) -> Result<Vec<Item>> {
    tx.query("SELECT doc FROM items ORDER BY code", &[])?.iter().map(|r| r.json(0)).collect()
}

/// One stored version of an item: `(version, at, by, item)`.
pub type Version = (i64, String, Option<i64>, Item);

/// Every version of an item, newest first.
pub fn versions(tx: &mut dyn Tx, code: &str) -> Result<Vec<Version>> {
    tx.query(
        "SELECT v.version, v.at, v.by_id, v.doc FROM item_versions v JOIN items i ON i.id = v.item_id WHERE i.code = $1 ORDER BY v.version DESC",
        params![code],
    )?
    .iter()
    .map(|r| Ok((r.i64(0), r.str(1), r.opt_i64(2), r.json(3)?)))
    .collect()
}

/// Items changed after `since` (RFC 3339), for keeping a search index current.
pub fn changed_since(tx: &mut dyn Tx, since: &str) -> Result<Vec<(i64, String, Item)>> {
    tx.query("SELECT id, updated_at, doc FROM items WHERE updated_at > $1 ORDER BY updated_at, id", params![since])?
        .iter()
        .map(|r| Ok((r.i64(0), r.str(1), r.json(2)?)))
        .collect()
}

/// The current version of the item with `code`, if there is one.
pub fn version_of(tx: &mut dyn Tx, code: &str) -> Result<Option<i64>> {
    Ok(tx.query_one("SELECT version FROM items WHERE code = $1", params![code])?.map(|r| r.i64(0)))
}

pub fn id_of(tx: &mut dyn Tx, code: &str) -> Result<Option<i64>> {
    Ok(tx.query_one("SELECT id FROM items WHERE code = $1", params![code])?.map(|r| r.i64(0)))
}

/// Items by row id, in the order asked (search results).
pub fn by_ids(tx: &mut dyn Tx, ids: &[i64]) -> Result<Vec<Item>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(r) = tx.query_one("SELECT doc FROM items WHERE id = $1", params![*id])? {
            out.push(r.json(0)?);
        }
    }
    Ok(out)
}
