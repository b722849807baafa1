//! CAT-4: life-event bundles (一件事一次办). A bundle names the items of one life event in order;
//! every change is a new version with who and when, in the audit.

use super::{Ctx, audit};
use crate::{Result, StoreError, Tx, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Bundle {
    pub code: String,
    pub name: String,
    /// Who it is for and what it covers, in plain words.
    pub description: String,
    /// The phrases people use for it (开饭店, 开餐馆 …): what intent search matches.
    #[serde(default)]
    pub intents: Vec<String>,
    /// The items' codes, in the order they are done.
    pub items: Vec<String>,
    #[serde(default)]
    pub version: i64,
}

/// Inserts or updates by code; an unchanged bundle keeps its version. Returns the version.
pub fn upsert(tx: &mut dyn Tx, ctx: &Ctx, b: &Bundle) -> Result<i64> {
    let existing = tx.query_one("SELECT id, version, doc FROM bundles WHERE code = $1", params![b.code.as_str()])?;
    let mut it = b.clone();
    let (id, version) = match existing {
        Some(r) => {
            let old: Bundle = r.json(2)?;
            it.version = old.version;
            if old == it {
                return Ok(old.version);
            }
            it.version = r.i64(1) + 1;
            let doc = serde_json::to_string(&it).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            tx.exec(
                "UPDATE bundles SET name = $1, version = $2, doc = $3, updated_at = $4, updated_by = $5 WHERE id = $6",
                params![it.name.as_str(), it.version, doc, ctx.now.as_str(), ctx.actor, r.i64(0)],
            )?;
            (r.i64(0), it.version)
        }
        None => {
            it.version = 1;
            let doc = serde_json::to_string(&it).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let id = tx.insert(
                "INSERT INTO bundles (code, name, version, doc, updated_at, updated_by) VALUES ($1, $2, 1, $3, $4, $5) RETURNING id",
                params![it.code.as_str(), it.name.as_str(), doc, ctx.now.as_str(), ctx.actor],
            )?;
            (id, 1)
        }
    };
    audit::append(tx, ctx, "bundle.save", "bundle", id, &serde_json::json!({"code": it.code, "version": version}))?;
    Ok(version)
}

/// Every bundle with its id, by code.
pub fn all(tx: &mut dyn Tx) -> Result<Vec<(i64, Bundle)>> {
    tx.query("SELECT id, doc FROM bundles ORDER BY code", &[])?.iter().map(|r| Ok((r.i64(0), r.json(1)?))).collect()
}

pub fn get(tx: &mut dyn Tx, code: &str) -> Result<Option<(i64, Bundle)>> {
    match tx.query_one("SELECT id, doc FROM bundles WHERE code = $1", params![code])? {
        Some(r) => Ok(Some((r.i64(0), r.json(1)?))),
        None => Ok(None),
    }
}

pub fn by_id(tx: &mut dyn Tx, id: i64) -> Result<Option<Bundle>> {
    match tx.query_one("SELECT doc FROM bundles WHERE id = $1", params![id])? {
        Some(r) => Ok(Some(r.json(0)?)),
        None => Ok(None),
    }
}

/// The bundles saved after `since` (for the search index), with their ids and times.
pub fn changed_since(tx: &mut dyn Tx, since: &str) -> Result<Vec<(i64, String, Bundle)>> {
    tx.query("SELECT id, updated_at, doc FROM bundles WHERE updated_at > $1 ORDER BY updated_at, id", params![since])?
        .iter()
        .map(|r| Ok((r.i64(0), r.str(1), r.json(2)?)))
        .collect()
}
