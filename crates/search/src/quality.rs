//! Measuring search quality (FAQ-1, issue 13): the quality set in `crates/search/quality/`, the
//! three baselines the engine must beat, and recall at 1 and 3.
//!
//! The set has a development split (looked at, tuned on) and a held-out split (never tuned on).
//! Everything here is computed on one split in one run, so the engine and its baselines always
//! meet the same questions.

use crate::{Entry, Hit, Options, SearchIndex, normalize};
use serde::Deserialize;
use std::collections::HashMap;

/// One question and every entry that answers it.
#[derive(Debug, Clone, Deserialize)]
pub struct Question {
    pub q: String,
    pub expect: Vec<u64>,
    /// c colloquial, t Traditional, y typo, f full-width, s short, l long, o round one's set.
    pub style: String,
}

#[derive(Deserialize)]
struct EntryRow {
    id: u64,
    q: String,
    a: String,
    items: String,
}

#[derive(Deserialize)]
struct Library {
    entry: Vec<EntryRow>,
}

#[derive(Deserialize)]
struct Questions {
    questions: Vec<Question>,
}

/// The library of the quality set.
pub fn entries(toml_text: &str) -> Result<Vec<Entry>, String> {
    let l: Library = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    Ok(l.entry.into_iter().map(|e| Entry { id: e.id, title: e.q, body: e.a, extra: e.items }).collect())
}

#[derive(Deserialize)]
struct BundleRow {
    id: u64,
    name: String,
    description: String,
    #[serde(default)]
    intents: Vec<String>,
    #[serde(default)]
    items: Vec<String>,
}

#[derive(Deserialize)]
struct Bundles {
    bundle: Vec<BundleRow>,
}

/// CAT-4: the life-event bundles of the intent quality set, as the index takes them (the same
/// shape the server indexes its bundles in: `bundle_entry`).
pub fn bundles(toml_text: &str) -> Result<Vec<Entry>, String> {
    let b: Bundles = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    Ok(b.bundle.into_iter().map(|b| crate::bundle_entry(b.id, &b.name, &b.description, &b.intents, &b.items)).collect())
}

/// One split's questions.
pub fn questions(toml_text: &str) -> Result<Vec<Question>, String> {
    let q: Questions = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    Ok(q.questions)
}

/// Recall at 1 and at 3 over a split, and the questions missed at 3.
#[derive(Debug, Clone, PartialEq)]
pub struct Recall {
    pub at1: f64,
    pub at3: f64,
    pub n: usize,
    pub misses: Vec<String>,
    /// The questions whose first hit is not an answer.
    pub not_first: Vec<String>,
}

pub fn recall(questions: &[Question], mut rank: impl FnMut(&str) -> Vec<u64>) -> Recall {
    let (mut r1, mut r3, mut misses, mut second) = (0usize, 0usize, vec![], vec![]);
    for q in questions {
        let got = rank(&q.q);
        if got.first().is_some_and(|g| q.expect.contains(g)) {
            r1 += 1;
        } else {
            second.push(format!("[{}] {} → {:?} (want {:?})", q.style, q.q, &got[..got.len().min(3)], q.expect));
        }
        if got.iter().take(3).any(|g| q.expect.contains(g)) {
            r3 += 1;
        } else {
            misses.push(format!("[{}] {} → {:?} (want {:?})", q.style, q.q, &got[..got.len().min(3)], q.expect));
        }
    }
    let n = questions.len().max(1) as f64;
    Recall { at1: r1 as f64 / n, at3: r3 as f64 / n, n: questions.len(), misses, not_first: second }
}

/// Baseline 1: rank by how many distinct characters of the question appear in the entry.
pub fn char_overlap(entries: &[Entry], q: &str, limit: usize) -> Vec<Hit> {
    let qs: std::collections::HashSet<char> = q.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut scored: Vec<Hit> = entries
        .iter()
        .map(|e| {
            let es: std::collections::HashSet<char> = e.title.chars().chain(e.body.chars()).collect();
            let hit = qs.iter().filter(|c| es.contains(c)).count() as f32;
            // Prefer the shorter entry on ties: the more specific one.
            Hit { id: e.id, score: hit - es.len() as f32 * 1e-4 }
        })
        .collect();
    scored.sort_by(|a, b| b.score.total_cmp(&a.score));
    scored.truncate(limit);
    scored
}

/// Baseline 2: BM25 (k1 1.2, b 0.75) over single characters of question, answer and items,
/// after Traditional → Simplified and full-width → half-width.
pub struct CharBm25 {
    docs: Vec<(u64, HashMap<char, f32>, f32)>,
    df: HashMap<char, f32>,
    avg_len: f32,
}

impl CharBm25 {
    pub fn new(entries: &[Entry]) -> CharBm25 {
        let mut df: HashMap<char, f32> = HashMap::new();
        let mut docs = vec![];
        let mut total = 0.0;
        for e in entries {
            let text = normalize(&format!("{} {} {}", e.title, e.body, e.extra));
            let mut tf: HashMap<char, f32> = HashMap::new();
            let mut len = 0.0;
            for c in text.chars().filter(|c| !c.is_whitespace()) {
                *tf.entry(c).or_default() += 1.0;
                len += 1.0;
            }
            for c in tf.keys() {
                *df.entry(*c).or_default() += 1.0;
            }
            total += len;
            docs.push((e.id, tf, len));
        }
        let avg_len = if docs.is_empty() { 1.0 } else { total / docs.len() as f32 };
        CharBm25 { docs, df, avg_len }
    }

    pub fn search(&self, q: &str, limit: usize) -> Vec<Hit> {
        let n = self.docs.len() as f32;
        let qc: Vec<char> = normalize(q).chars().filter(|c| !c.is_whitespace()).collect();
        let mut out: Vec<Hit> = self
            .docs
            .iter()
            .map(|(id, tf, len)| {
                let mut s = 0.0;
                for c in &qc {
                    let (Some(f), Some(df)) = (tf.get(c), self.df.get(c)) else { continue };
                    let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                    s += idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * len / self.avg_len));
                }
                Hit { id: *id, score: s }
            })
            .filter(|h| h.score > 0.0)
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score));
        out.truncate(limit);
        out
    }
}

/// The engine and the three baselines on one split.
pub struct Report {
    pub noveto: Recall,
    pub char_overlap: Recall,
    pub char_bm25: Recall,
    pub jieba_bm25: Recall,
}

pub fn measure(entries: &[Entry], questions: &[Question]) -> Result<Report, crate::SearchError> {
    let full = SearchIndex::new(Options::full())?;
    full.upsert(entries)?;
    let plain = SearchIndex::new(Options::plain())?;
    plain.upsert(entries)?;
    let cb = CharBm25::new(entries);
    let ids = |hits: Vec<Hit>| hits.into_iter().map(|h| h.id).collect::<Vec<_>>();
    // Rank every question first, so that an engine's error ends the measurement.
    let ranked = |search: &dyn Fn(&str) -> Result<Vec<Hit>, crate::SearchError>| {
        questions.iter().map(|q| search(&q.q).map(ids)).collect::<Result<Vec<_>, _>>()
    };
    let measured = |ranks: Vec<Vec<u64>>| {
        let mut it = ranks.into_iter();
        recall(questions, |_| it.next().unwrap_or_default())
    };
    Ok(Report {
        noveto: measured(ranked(&|q| full.search(q, 3))?),
        char_overlap: measured(ranked(&|q| Ok(char_overlap(entries, q, 3)))?),
        char_bm25: measured(ranked(&|q| Ok(cb.search(q, 3)))?),
        jieba_bm25: measured(ranked(&|q| plain.search(q, 3))?),
    })
}

impl Report {
    /// A table for BENCHMARKS.md and the test's output.
    pub fn table(&self, split: &str) -> String {
        let row = |name: &str, r: &Recall| format!("| {split} | {name} | {} | {:.3} | {:.3} |\n", r.n, r.at1, r.at3);
        let mut s = String::new();
        s.push_str(&row("noveto", &self.noveto));
        s.push_str(&row("character overlap", &self.char_overlap));
        s.push_str(&row("BM25 over characters (繁→简)", &self.char_bm25));
        s.push_str(&row("jieba + BM25", &self.jieba_bm25));
        s
    }
}

/// CAT-4: the catalog the intent questions are asked against (one item name a line).
pub fn catalog(text: &str) -> Vec<Entry> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .enumerate()
        .map(|(i, l)| Entry { id: i as u64 + 1, title: l.into(), body: String::new(), extra: String::new() })
        .collect()
}

/// CAT-4 on one split: how often the engine offers the right bundle to a life-event question
/// and none to a question about one service, and — on the life-event questions — how the
/// bundles rank by the engine and by the three baselines (which always rank something, so they
/// offer a bundle to every question about one service too).
pub struct IntentReport {
    /// Life-event questions offered their bundle.
    pub offered: f64,
    pub events: usize,
    /// Questions about one service offered no bundle.
    pub abstained: f64,
    pub services: usize,
    /// The bundles' ranking on the life-event questions (recall at 1 and 3), engine and baselines.
    pub ranking: Report,
}

pub fn measure_intent(
    bundles: &[Entry],
    items: &[Entry],
    questions: &[Question],
) -> Result<IntentReport, crate::SearchError> {
    let b = SearchIndex::new(Options::full())?;
    b.upsert(bundles)?;
    let i = SearchIndex::new(Options::full())?;
    i.upsert(items)?;
    let (events, services): (Vec<Question>, Vec<Question>) =
        questions.iter().cloned().partition(|q| !q.expect.is_empty());
    let mut offered = 0usize;
    for q in &events {
        if crate::intent(&b.search(&q.q, 3)?, &i.search(&q.q, 1)?).is_some_and(|g| q.expect.contains(&g)) {
            offered += 1;
        }
    }
    let mut abstained = 0usize;
    for q in &services {
        if crate::intent(&b.search(&q.q, 3)?, &i.search(&q.q, 1)?).is_none() {
            abstained += 1;
        }
    }
    let share = |n: usize, of: usize| n as f64 / of.max(1) as f64;
    Ok(IntentReport {
        offered: share(offered, events.len()),
        events: events.len(),
        abstained: share(abstained, services.len()),
        services: services.len(),
        ranking: measure(bundles, &events)?,
    })
}

impl IntentReport {
    /// Rows for BENCHMARKS.md and the test's output.
    pub fn table(&self, split: &str) -> String {
        format!(
            "| {split} | noveto offers the right bundle | {} | {:.3} |\n| {split} | noveto offers none to a one-service question | {} | {:.3} |\n| {split} | each baseline offers none to a one-service question | {} | 0.000 |\n\n| split | ranking of the bundles | questions | recall@1 | recall@3 |\n|---|---|---|---|---|\n{}",
            self.events,
            self.offered,
            self.services,
            self.abstained,
            self.services,
            self.ranking.table(split)
        )
    }
}
