//! CAT-4: life-event bundles (一件事一次办, 国发〔2024〕3号 高效办成一件事). A bundle groups the
//! items a person needs for one life event in order; read with its items it says what is done
//! in which order, which materials are shared (handed in once), and the total time. Intent
//! search finds the bundle a plain question asks for (`Search::intent`).

use crate::{App, Error, Principal, Result};
use noveto_domain::access::{Action, may_somewhere};
use noveto_domain::validate::{long_text, text};
use noveto_store::repo::bundles::{self as repo, Bundle};
use noveto_store::repo::{items, org};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleIn {
    pub code: String,
    pub name: String,
    /// Who it is for and what it covers, in plain words.
    pub description: String,
    /// The phrases people use for it (开饭店, 开餐馆 …), at most 20.
    #[serde(default)]
    pub intents: Vec<String>,
    /// The items' codes in the order they are done: two to twenty, each in the catalog.
    pub items: Vec<String>,
}

/// One item of a bundle as people read it.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub order: usize,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub time_limit_wd: u32,
    pub online: bool,
}

/// A bundle with its items read from the catalog.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub code: String,
    pub name: String,
    pub description: String,
    pub intents: Vec<String>,
    pub steps: Vec<Step>,
    /// Materials two or more of its items ask for: handed in once.
    pub shared: Vec<String>,
    /// The items' promised times added up, in working days.
    pub total_wd: u32,
    /// How many distinct materials in all (each shared one counted once).
    pub materials: usize,
    pub version: i64,
}

/// A bundle read with its items (those found, in its order) and the units' names.
fn view(b: Bundle, its: &[items::Item], units: &[org::Unit]) -> View {
    let mut steps = vec![];
    let mut counts: Vec<(String, usize)> = vec![];
    for (n, it) in b.items.iter().filter_map(|c| its.iter().find(|i| &i.code == c)).enumerate() {
        for m in &it.materials {
            match counts.iter_mut().find(|(name, _)| *name == m.name) {
                Some((_, k)) => *k += 1,
                None => counts.push((m.name.clone(), 1)),
            }
        }
        let unit = it
            .unit_id
            .and_then(|u| units.iter().find(|x| x.id == u))
            .map(|u| u.name.clone())
            .unwrap_or_else(|| it.accepting_unit.clone());
        steps.push(Step {
            order: n + 1,
            code: it.code.clone(),
            name: it.name.clone(),
            unit,
            time_limit_wd: it.time_limit_wd,
            online: it.online,
        });
    }
    View {
        code: b.code,
        name: b.name,
        description: b.description,
        intents: b.intents,
        total_wd: steps.iter().map(|s| s.time_limit_wd).sum(),
        shared: counts.iter().filter(|(_, k)| *k > 1).map(|(m, _)| m.clone()).collect(),
        materials: counts.len(),
        steps,
        version: b.version,
    }
}

/// Bundles read with their items: one store read for all of them, the directory once.
async fn read(s: &App, bundles: Vec<Bundle>) -> Result<Vec<View>> {
    let units = crate::org::directory(s).await?.units;
    let mut codes: Vec<String> = bundles.iter().flat_map(|b| b.items.iter().cloned()).collect();
    codes.sort();
    codes.dedup();
    let its = s
        .store
        .read(move |tx| codes.iter().map(|c| items::get(tx, c)).collect::<std::result::Result<Vec<_>, _>>())
        .await?;
    let its: Vec<items::Item> = its.into_iter().flatten().collect();
    Ok(bundles.into_iter().map(|b| view(b, &its, &units)).collect())
}

async fn read_one(s: &App, b: Bundle) -> Result<View> {
    read(s, vec![b]).await?.pop().ok_or_else(Error::internal)
}

/// Every bundle, read with its items (public, as the catalog is).
pub async fn all(s: &App) -> Result<Vec<View>> {
    let bs = s.store.read(repo::all).await?;
    read(s, bs.into_iter().map(|(_, b)| b).collect()).await
}

pub async fn get(s: &App, code: &str) -> Result<View> {
    let c = code.to_string();
    let b = s.store.read(move |tx| repo::get(tx, &c)).await?.ok_or_else(|| Error::not_found("一件事"))?;
    read_one(s, b.1).await
}

/// CAT-4: the bundle a plain-language question asks for, if it asks for a life event.
pub async fn intent(s: &App, q: &str) -> Result<Option<View>> {
    let Some(id) = s.search.intent(q) else { return Ok(None) };
    match s.store.read(move |tx| repo::by_id(tx, id)).await? {
        Some(b) => Ok(Some(read_one(s, b).await?)),
        None => Ok(None),
    }
}

/// CAT-4: creates a bundle or saves a new version of it — by whoever keeps the catalog at a
/// center (its items may be any units'). Everything wrong is said at once, each beside its field.
pub async fn save(s: &App, p: &Principal, b: BundleIn) -> Result<(String, i64)> {
    if !may_somewhere(&p.grants, Action::ManageCatalog) {
        return Err(Error::new(crate::error::Kind::Forbidden, "forbidden", "只有事项库管理人员可以维护“一件事”"));
    }
    let code = text("code", "编码", &b.code, 40)?;
    if !code.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(Error::bad("invalid_code", "编码只能包含字母、数字和 - _ .").at("code"));
    }
    let name = text("name", "名称", &b.name, 60)?;
    let description = long_text("description", "说明", &b.description, 1000)?;
    if b.intents.len() > 20 {
        return Err(Error::bad("too_many", "群众说法最多 20 条").at("intents"));
    }
    let mut intents = vec![];
    for i in b.intents.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        intents.push(text("intents", "群众说法", i, 30)?);
    }
    let codes: Vec<String> = b.items.iter().map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
    if !(2..=20).contains(&codes.len()) {
        return Err(Error::bad("items_required", "一件事须包含 2 到 20 个事项").at("items"));
    }
    for (n, c) in codes.iter().enumerate() {
        if codes[..n].contains(c) {
            return Err(Error::bad("duplicate_item", format!("事项 {c} 重复")).at("items"));
        }
        let c2 = c.clone();
        if s.store.read(move |tx| items::get(tx, &c2)).await?.is_none() {
            return Err(Error::bad("unknown_item", format!("事项库中没有编码为 {c} 的事项")).at("items"));
        }
    }
    let bundle = Bundle { code: code.clone(), name, description, intents, items: codes, version: 0 };
    let ctx = p.ctx(&s.now_str());
    let version = s.store.write(move |tx| repo::upsert(tx, &ctx, &bundle)).await?;
    s.search.follow(&s.store).await;
    Ok((code, version))
}
