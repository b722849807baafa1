//! POL-1: the center's policy in versions. An administrator puts in a new version (a TOML file in
//! the presets' format, from the admin page or `noveto policy import`); it applies to matters
//! opened from then on, while every open matter keeps the version it opened under (the case
//! carries its policy id and version; `App::policy_of` finds it). What changed is listed, field by
//! field, for the person importing it and in the audit.

use crate::{App, Error, Principal, Result, save_policy};
use noveto_domain::access::{Action, may_somewhere};
use noveto_domain::policy::Policy;
use noveto_store::StoreError;
use noveto_store::repo::Ctx;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One field that differs between two versions, by its dotted path (`gray_area.normal.days`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Imported {
    pub id: String,
    pub version: u32,
    pub name: String,
    pub document: String,
    /// The version it replaces as the one new matters open under.
    pub replaces: String,
    pub changes: Vec<Change>,
}

/// A policy file read and checked (the presets' TOML format).
pub fn parse(text: &str) -> Result<Policy> {
    Policy::parse(text).map_err(|e| Error::bad("invalid_policy", format!("政策文件无效：{e}")).at("policy"))
}

fn leaves(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                leaves(&p, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// The fields that differ between two versions (the version number itself left out).
pub fn changes(old: &Policy, new: &Policy) -> Vec<Change> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    leaves("", &serde_json::to_value(old).unwrap_or_default(), &mut a);
    leaves("", &serde_json::to_value(new).unwrap_or_default(), &mut b);
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| k.as_str() != "version")
        .filter_map(|k| {
            let (x, y) = (a.get(k).cloned().unwrap_or_default(), b.get(k).cloned().unwrap_or_default());
            (x != y).then(|| Change { field: k.clone(), before: x, after: y })
        })
        .collect()
}

/// Checks, stores and puts in force a new version. `p` is None from the command line (the
/// operator of the machine). A version number must be above every stored version of that policy.
pub async fn import(s: &App, p: Option<&Principal>, text: &str) -> Result<Imported> {
    if let Some(p) = p
        && !may_somewhere(&p.grants, Action::ManagePolicy)
    {
        return Err(Error::forbidden("无权导入政策：只有系统管理员可以导入"));
    }
    let new = parse(text)?;
    let old = s.policy();
    let highest =
        s.policies.read().map(|m| m.values().filter(|q| q.id == new.id).map(|q| q.version).max()).unwrap_or(None);
    if let Some(h) = highest
        && new.version <= h
    {
        return Err(Error::conflict(
            "policy_version_exists",
            format!("政策“{}”已有第 {h} 版：新版本号须大于 {h}", new.id),
        )
        .at("policy"));
    }
    let changes = changes(&old, &new);
    let ctx = Ctx { actor: p.map(|p| p.id), now: s.now_str() };
    let stored = new.clone();
    s.store.write(move |tx| save_policy(tx, &ctx, &stored, true)).await?;
    let new = Arc::new(new);
    if let Ok(mut m) = s.policies.write() {
        m.insert(format!("{}:{}", new.id, new.version), new.clone());
    }
    if let Ok(mut c) = s.policy.write() {
        *c = new.clone();
    }
    Ok(Imported {
        id: new.id.clone(),
        version: new.version,
        name: new.name.clone(),
        document: new.document.clone(),
        replaces: format!("{}:{}", old.id, old.version),
        changes,
    })
}

/// [`import`] of an uploaded file's bytes.
pub async fn import_file(s: &App, p: Option<&Principal>, bytes: &[u8]) -> Result<Imported> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::bad("invalid_policy", "政策文件须为 UTF-8 编码的 TOML 文本").at("policy"))?;
    import(s, p, text).await
}

/// Picks up versions another process stored (`noveto policy import` beside a running server).
pub async fn reload(s: &App) -> Result<()> {
    let (current, all) = s
        .store
        .read(|tx| {
            Ok::<_, StoreError>((
                noveto_store::repo::get_meta(tx, crate::META_POLICY)?,
                noveto_store::repo::metas_with_prefix(tx, "policy:")?,
            ))
        })
        .await?;
    let mut map = std::collections::HashMap::new();
    for (key, value) in all {
        let p: Policy = serde_json::from_str(&value).map_err(|e| Error::from(StoreError::Corrupt(e.to_string())))?;
        map.insert(key.trim_start_matches("policy:").to_string(), Arc::new(p));
    }
    let Some(cur) = current.and_then(|k| map.get(&k).cloned()) else { return Ok(()) };
    let unchanged = {
        let c = s.policy();
        c.id == cur.id && c.version == cur.version
    };
    if let Ok(mut m) = s.policies.write() {
        for (k, v) in map {
            m.entry(k).or_insert(v);
        }
    }
    if !unchanged && let Ok(mut c) = s.policy.write() {
        *c = cur;
    }
    Ok(())
}
