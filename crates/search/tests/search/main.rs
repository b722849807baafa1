//! The search crate's integration tests: the quality set (FAQ-1), measured against three
//! baselines computed in the same run on the same split.

use noveto_search::quality::{self, Report};
use noveto_search::{Entry, Options, SearchIndex};

const ENTRIES: &str = include_str!("../../quality/entries.toml");
const DEV: &str = include_str!("../../quality/dev.toml");
const HELDOUT: &str = include_str!("../../quality/heldout.toml");

fn report(split: &str, questions: &str, print_misses: bool) -> Report {
    let entries = quality::entries(ENTRIES).unwrap();
    let qs = quality::questions(questions).unwrap();
    let r = quality::measure(&entries, &qs).unwrap();
    println!("| split | ranking | questions | recall@1 | recall@3 |\n|---|---|---|---|---|\n{}", r.table(split));
    if print_misses {
        for m in &r.noveto.misses {
            println!("  miss: {m}");
        }
    }
    r
}

fn best_baseline_at1(r: &Report) -> f64 {
    r.char_overlap.at1.max(r.char_bm25.at1).max(r.jieba_bm25.at1)
}

// FAQ-1: the quality set is what issue 13 asks for — at least 150 entries and 400 questions of
// every style, every question's answer in the library.
#[test]
fn faq_1_quality_set_is_large_and_sound() {
    let entries = quality::entries(ENTRIES).unwrap();
    let dev = quality::questions(DEV).unwrap();
    let held = quality::questions(HELDOUT).unwrap();
    assert!(entries.len() >= 150, "{} entries", entries.len());
    let fresh = dev.iter().filter(|q| q.style != "o").count() + held.len();
    assert!(fresh >= 400, "{fresh} questions");
    let ids: std::collections::HashSet<u64> = entries.iter().map(|e| e.id).collect();
    for q in dev.iter().chain(&held) {
        assert!(!q.expect.is_empty() && q.expect.iter().all(|e| ids.contains(e)), "{}", q.q);
    }
    for style in ["c", "t", "y", "f", "s", "l"] {
        assert!(held.iter().any(|q| q.style == style), "held-out has style {style}");
    }
    let dev_q: std::collections::HashSet<&str> = dev.iter().map(|q| q.q.as_str()).collect();
    assert!(held.iter().all(|q| !dev_q.contains(q.q.as_str())), "a held-out question is also in dev");
}

// FAQ-1: on the development split the engine is ahead of all three baselines.
#[test]
fn faq_1_search_quality_dev() {
    let r = report("dev", DEV, true);
    assert!(r.noveto.at1 > best_baseline_at1(&r), "ahead of every baseline at 1");
}

// FAQ-1 (issue 13's goal): on the held-out split, which nothing was tuned on, recall@3 ≥ 0.97,
// recall@1 ≥ 0.90, and recall@1 at least 3 points ahead of the best of the three baselines.
// Misses are not printed: looking at them would be tuning on them.
#[test]
fn faq_1_search_quality_heldout() {
    let r = report("held-out", HELDOUT, false);
    assert!(r.noveto.at3 >= 0.97, "held-out recall@3 {:.3}", r.noveto.at3);
    assert!(r.noveto.at1 >= 0.90, "held-out recall@1 {:.3}", r.noveto.at1);
    assert!(r.noveto.at1 >= best_baseline_at1(&r) + 0.03, "held-out recall@1 not 3 points ahead of the baselines");
}

// FAQ-1: Traditional and Simplified questions find the same entry; changes are live at once.
#[test]
fn faq_1_live_updates_and_traditional() {
    let idx = SearchIndex::new(Options::full()).unwrap();
    let e = |id, t: &str| Entry { id, title: t.into(), body: String::new(), extra: String::new() };
    idx.upsert(&[e(1, "营业执照遗失补领"), e(2, "居民身份证换领")]).unwrap();
    assert_eq!(idx.search("營業執照遺失", 1).unwrap()[0].id, 1);
    assert_eq!(idx.search("营业执照遗失", 1).unwrap()[0].id, 1);
    idx.upsert(&[e(1, "护照签发")]).unwrap();
    assert_eq!(idx.len(), 2);
    assert_eq!(idx.search("护照", 1).unwrap()[0].id, 1);
    idx.remove(1).unwrap();
    assert!(idx.search("护照", 3).unwrap().is_empty());
    assert!(idx.search("？！。", 3).unwrap().is_empty());
}
