//! Repository functions, written once against [`Tx`](crate::Tx) for both backends. Every
//! function that changes state appends its audit entry in the same transaction.

pub mod assessment;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bundles;
pub mod calendar;
pub mod cases;
pub mod commitments;
pub mod complaints;
pub mod faq;
pub mod idempotency;
pub mod items;
pub mod jobs;
pub mod org;
pub mod prescreens;
pub mod ratings;
pub mod reports;
pub mod suggestions;
pub mod tickets;
pub mod unresolved;

use crate::{Result, Tx, params};

/// The keys whose kept value differs from the counted one, as `(key, kept, counted)` — a key
/// missing on one side reads as the default there (the drift checks of the counts the database
/// keeps: `ratings::tally_drift`, `assessment::drift`).
pub(crate) fn differing<K: Ord, V: Default + PartialEq>(
    kept: impl IntoIterator<Item = (K, V)>,
    counted: impl IntoIterator<Item = (K, V)>,
) -> Vec<(K, V, V)> {
    let mut both: std::collections::BTreeMap<K, (V, V)> = std::collections::BTreeMap::new();
    for (k, v) in kept {
        both.entry(k).or_default().0 = v;
    }
    for (k, v) in counted {
        both.entry(k).or_default().1 = v;
    }
    both.into_iter().filter(|(_, (k, c))| k != c).map(|(key, (k, c))| (key, k, c)).collect()
}

/// Who does something, and when (RFC 3339, +08:00). Time is an input.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Option<i64>,
    pub now: String,
}

pub fn get_meta(tx: &mut dyn Tx, key: &str) -> Result<Option<String>> {
    Ok(tx.query_one("SELECT value FROM meta WHERE key = $1", params![key])?.map(|r| r.str(0)))
}

/// Every meta entry whose key starts with `prefix`, as `(key, value)`.
pub fn metas_with_prefix(tx: &mut dyn Tx, prefix: &str) -> Result<Vec<(String, String)>> {
    Ok(tx
        .query("SELECT key, value FROM meta WHERE key LIKE $1 ORDER BY key", params![format!("{prefix}%")])?
        .iter()
        .map(|r| (r.str(0), r.str(1)))
        .collect())
}

pub fn set_meta(tx: &mut dyn Tx, ctx: &Ctx, key: &str, value: &str) -> Result<()> {
    tx.exec(
        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    audit::append(tx, ctx, "meta.set", "meta", 0, &serde_json::json!({"key": key, "value": value}))
}
