//! The server's search indexes (FAQ-1, CAT-2): one for the common-question library, one for
//! the catalog. Built from the store at start and kept current by [`Search::sync`], which every
//! server runs after its own changes and every few seconds for other servers' changes.
//!
//! Sync reads rows changed in a window before its last watermark (so that a row committed late,
//! or stamped by a server whose clock lags, is not missed) and re-indexes only rows whose
//! `updated_at` differs from what is indexed.

use noveto_search::{Entry, Hit, Options, SearchIndex};
use noveto_store::repo::{faq, items};
use noveto_store::{Store, StoreError};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

pub struct Search {
    pub faq: SearchIndex,
    pub items: SearchIndex,
    /// CAT-4: the life-event bundles, and the items by name alone (what a question about one
    /// service is told apart by: `noveto_search::intent`).
    pub bundles: SearchIndex,
    pub names: SearchIndex,
    bundle_seen: Mutex<HashMap<i64, String>>,
    faq_seen: Mutex<HashMap<i64, String>>,
    item_seen: Mutex<HashMap<i64, String>>,
    /// Searches whose used hit the FAQ index has learned (by search id).
    learned: Mutex<HashSet<i64>>,
    mark: Mutex<String>,
}

/// How far before the watermark sync looks again.
const LOOKBACK_SECS: i64 = 120;

fn back(mark: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(mark)
        .map(|t| noveto_domain::time::rfc3339(t - chrono::Duration::seconds(LOOKBACK_SECS)))
        .unwrap_or_default()
}

pub fn faq_entry(f: &faq::Faq, item_names: &HashMap<String, String>) -> Entry {
    let extra = f.item_codes.iter().filter_map(|c| item_names.get(c)).cloned().collect::<Vec<_>>().join(" ");
    Entry { id: f.id as u64, title: f.question.clone(), body: f.answer.clone(), extra }
}

pub fn item_entry(id: i64, i: &items::Item) -> Entry {
    let materials = i.materials.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(" ");
    Entry {
        id: id as u64,
        title: i.name.clone(),
        body: format!("{} {}", i.legal_basis, materials),
        extra: i.accepting_unit.clone(),
    }
}

impl Search {
    pub fn new() -> Result<Search, String> {
        Ok(Search {
            faq: SearchIndex::new(Options::full()).map_err(|e| e.to_string())?,
            items: SearchIndex::new(Options::full()).map_err(|e| e.to_string())?,
            bundles: SearchIndex::new(Options::full()).map_err(|e| e.to_string())?,
            names: SearchIndex::new(Options::full()).map_err(|e| e.to_string())?,
            bundle_seen: Mutex::new(HashMap::new()),
            faq_seen: Mutex::new(HashMap::new()),
            item_seen: Mutex::new(HashMap::new()),
            learned: Mutex::new(HashSet::new()),
            mark: Mutex::new(String::new()),
        })
    }

    /// Brings both indexes up to date with the store. Returns how many entries changed.
    /// After a committed write: brings this process's index up to it. A failure here does not
    /// undo or hide the write (it is durable, and acknowledged as such); it is logged and the
    /// periodic sync catches up within seconds.
    pub async fn follow(&self, store: &Store) {
        if let Err(e) = self.sync(store).await {
            tracing::warn!("search index behind a committed write, the periodic sync will follow: {e}");
        }
    }

    pub async fn sync(&self, store: &Store) -> Result<usize, StoreError> {
        let since = self.mark.lock().map(|m| if m.is_empty() { String::new() } else { back(&m) }).unwrap_or_default();
        let s2 = since.clone();
        let first = since.is_empty();
        let (faqs, its, learned, bundles) = store
            .read(move |tx| {
                let bundles = noveto_store::repo::bundles::changed_since(tx, &s2)?;
                // Every question whose hit was used (FAQ-2): all at start, then those used since —
                // on this server or another — so that every server learns without a restart.
                let learned = faq::used_since(tx, &s2)?;
                let faqs = faq::changed_since(tx, &s2, 1_000_000)?;
                let its = items::changed_since(tx, &s2)?;
                Ok::<_, StoreError>((faqs, its, learned, bundles))
            })
            .await?;
        // Item names only matter for FAQ entries to (re)index: the names of their items, read
        // only when some entry is new to this index. A poll re-reads the last moments' changes
        // (see `back`), so "some FAQ came back" is the rule and "some is new" the exception —
        // every second, the whole catalog's documents were read for nothing.
        let codes: Vec<String> = {
            let seen = self.faq_seen.lock().map_err(|_| StoreError::Db("search lock".into()))?;
            let mut c: Vec<String> = faqs
                .iter()
                .filter(|f| f.active && seen.get(&f.id) != Some(&f.updated_at))
                .flat_map(|f| f.item_codes.iter().cloned())
                .collect();
            c.sort();
            c.dedup();
            c
        };
        let names: HashMap<String, String> = if codes.is_empty() {
            HashMap::new()
        } else {
            store.read(move |tx| items::names(tx, &codes)).await?.into_iter().collect()
        };
        let mut newest = since;
        {
            let mut seen = self.learned.lock().map_err(|_| StoreError::Db("search lock".into()))?;
            let mut pairs: Vec<(u64, String)> = vec![];
            for (sid, id, q, at) in learned {
                newest = newest.max(at);
                if seen.insert(sid) {
                    pairs.push((id as u64, q));
                }
            }
            if !pairs.is_empty() {
                self.faq.learn_many(&pairs).map_err(|e| StoreError::Db(e.to_string()))?;
            }
        }
        let mut changed = 0;
        {
            let mut seen = self.faq_seen.lock().map_err(|_| StoreError::Db("search lock".into()))?;
            let mut up = vec![];
            for f in &faqs {
                newest = newest.max(f.updated_at.clone());
                if seen.get(&f.id) == Some(&f.updated_at) {
                    continue;
                }
                seen.insert(f.id, f.updated_at.clone());
                if f.active {
                    up.push(faq_entry(f, &names));
                } else {
                    self.faq.remove(f.id as u64).map_err(|e| StoreError::Db(e.to_string()))?;
                    changed += 1;
                }
            }
            changed += up.len();
            if !up.is_empty() {
                self.faq.upsert(&up).map_err(|e| StoreError::Db(e.to_string()))?;
            }
        }
        {
            let mut seen = self.item_seen.lock().map_err(|_| StoreError::Db("search lock".into()))?;
            let mut up = vec![];
            for (id, at, it) in &its {
                newest = newest.max(at.clone());
                if seen.get(id) == Some(at) {
                    continue;
                }
                seen.insert(*id, at.clone());
                up.push(item_entry(*id, it));
            }
            changed += up.len();
            if !up.is_empty() {
                self.items.upsert(&up).map_err(|e| StoreError::Db(e.to_string()))?;
                let names: Vec<Entry> = its
                    .iter()
                    .filter(|(id, _, _)| up.iter().any(|e| e.id == *id as u64))
                    .map(|(id, _, it)| Entry {
                        id: *id as u64,
                        title: it.name.clone(),
                        body: String::new(),
                        extra: String::new(),
                    })
                    .collect();
                self.names.upsert(&names).map_err(|e| StoreError::Db(e.to_string()))?;
            }
        }
        {
            let mut seen = self.bundle_seen.lock().map_err(|_| StoreError::Db("search lock".into()))?;
            let mut up = vec![];
            for (id, at, b) in &bundles {
                newest = newest.max(at.clone());
                if seen.get(id) == Some(at) {
                    continue;
                }
                seen.insert(*id, at.clone());
                up.push(noveto_search::bundle_entry(*id as u64, &b.name, &b.description, &b.intents, &[]));
            }
            changed += up.len();
            if !up.is_empty() {
                self.bundles.upsert(&up).map_err(|e| StoreError::Db(e.to_string()))?;
            }
        }
        if first {
            // After the bulk load, one segment per index: a search then walks one.
            self.faq.compact().map_err(|e| StoreError::Db(e.to_string()))?;
            self.items.compact().map_err(|e| StoreError::Db(e.to_string()))?;
        }
        if let Ok(mut m) = self.mark.lock()
            && newest > *m
        {
            *m = newest;
        }
        Ok(changed)
    }

    /// A clerk used entry `id` to answer `question` in search `search_id` (FAQ-2): later
    /// questions like it find it, at once here and at the next sync on other servers.
    pub fn learn_faq(&self, search_id: i64, id: i64, question: &str) {
        // Learning is a boost, not a record: the search log keeps the fact, so a failure here
        // loses nothing that the next sync does not learn.
        if self.learned.lock().map(|mut l| l.insert(search_id)).unwrap_or(false) {
            let _ = self.faq.learn(id as u64, question);
        }
    }

    pub fn search_faq(&self, q: &str, limit: usize) -> Vec<Hit> {
        self.faq.search(q, limit).unwrap_or_default()
    }

    pub fn search_items(&self, q: &str, limit: usize) -> Vec<Hit> {
        self.items.search(q, limit).unwrap_or_default()
    }

    /// CAT-4: the bundle a question asks for, if it asks for a life event (its id).
    pub fn intent(&self, q: &str) -> Option<i64> {
        let bundles = self.bundles.search(q, 3).unwrap_or_default();
        let names = self.names.search(q, 1).unwrap_or_default();
        noveto_search::intent(&bundles, &names).map(|id| id as i64)
    }
}

impl Search {
    /// Catalog search: the matching items, best first.
    pub async fn find_items(&self, store: &Store, q: &str, limit: usize) -> Result<Vec<items::Item>, StoreError> {
        let ids: Vec<i64> = self.search_items(q, limit).iter().map(|h| h.id as i64).collect();
        store.read(move |tx| items::by_ids(tx, &ids)).await
    }
}
