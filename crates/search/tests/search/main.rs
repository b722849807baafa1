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
        for m in &r.noveto.not_first {
            println!("  not first: {m}");
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

// FAQ-1 (issue 13): a non-empty question that shares a meaningful character with the library
// never returns nothing — not even one made only of function words or of a single character.
#[test]
fn faq_1_never_nothing_for_a_shared_character() {
    let entries = quality::entries(ENTRIES).unwrap();
    let idx = SearchIndex::new(Options::full()).unwrap();
    idx.upsert(&entries).unwrap();
    for q in [
        "怎么办",
        "证",
        "醫",
        "社",
        "能不能",
        "ＡＢＣ 护",
        "户口簿户口簿户口簿户口簿户口簿户口簿户口簿户口簿户口簿户口簿",
    ] {
        assert!(!idx.search(q, 3).unwrap().is_empty(), "{q} found nothing");
    }
    assert!(idx.search("？！。 ", 3).unwrap().is_empty());
    assert!(idx.search("xyz", 3).unwrap().is_empty());
}

// FAQ-2 (issue 13): the clerk's choice is a learned boost — once a question led to an entry
// being used, the same and similar questions find that entry first.
#[test]
fn faq_2_used_hits_teach_the_search() {
    let idx = SearchIndex::new(Options::full()).unwrap();
    let e = |id, t: &str, b: &str| Entry { id, title: t.into(), body: b.into(), extra: String::new() };
    idx.upsert(&[
        e(1, "企业开办一件事一次办", "营业执照、公章刻制、发票申领同步完成"),
        e(2, "公章刻制备案", "刻章企业办理备案"),
        e(3, "个体工商户登记", "经营者本人办理"),
    ])
    .unwrap();
    let first = |q: &str| idx.search(q, 3).unwrap().first().map(|h| h.id);
    assert_eq!(first("全包服务"), None);
    assert_ne!(first("刻章全包服务"), Some(1));
    idx.learn(1, "全包服务").unwrap();
    idx.learn(1, "刻章全包服务").unwrap();
    assert_eq!(first("全包服务"), Some(1));
    assert_eq!(first("刻章全包服务"), Some(1));
    assert_eq!(idx.len(), 3, "learned questions are not entries");
    // What was learned stays when the entry is edited, and goes when it is removed.
    idx.upsert(&[e(1, "企业开办“一件事”", "一次办")]).unwrap();
    assert_eq!(first("全包服务"), Some(1));
    idx.remove(1).unwrap();
    assert!(idx.search("全包服务", 3).unwrap().is_empty());
}

const BUNDLES: &str = include_str!("../../quality/bundles.toml");
const CATALOG: &str = include_str!("../../quality/catalog.txt");
const BUNDLE_DEV: &str = include_str!("../../quality/bundle_dev.toml");
const BUNDLE_HELDOUT: &str = include_str!("../../quality/bundle_heldout.toml");

fn intent_report(split: &str, questions: &str) -> quality::IntentReport {
    let bundles = quality::bundles(BUNDLES).unwrap();
    let items = quality::catalog(CATALOG);
    let qs = quality::questions(questions).unwrap();
    let r = quality::measure_intent(&bundles, &items, &qs).unwrap();
    println!("| split | decision | questions | share |\n|---|---|---|---|\n{}", r.table(split));
    r
}

// CAT-4: the intent set is sound — every bundle asked for, questions with no bundle in both
// splits, no question in both.
#[test]
fn cat_4_intent_set_is_sound() {
    let bundles = quality::bundles(BUNDLES).unwrap();
    let dev = quality::questions(BUNDLE_DEV).unwrap();
    let held = quality::questions(BUNDLE_HELDOUT).unwrap();
    let ids: std::collections::HashSet<u64> = bundles.iter().map(|b| b.id).collect();
    for q in dev.iter().chain(&held) {
        assert!(q.expect.iter().all(|e| ids.contains(e)), "{}", q.q);
    }
    for id in &ids {
        assert!(held.iter().any(|q| q.expect.contains(id)), "held-out asks for bundle {id}");
    }
    assert!(held.iter().filter(|q| q.expect.is_empty()).count() >= 10);
    let dev_q: std::collections::HashSet<&str> = dev.iter().map(|q| q.q.as_str()).collect();
    assert!(held.iter().all(|q| !dev_q.contains(q.q.as_str())), "a held-out question is also in dev");
}

// CAT-4: on the development split (tuned on) every life-event question is offered its bundle,
// and every question about one service none.
#[test]
fn cat_4_intent_dev() {
    let r = intent_report("dev", BUNDLE_DEV);
    assert!(r.offered >= 0.95 && r.abstained >= 0.95, "dev: offered {:.3}, abstained {:.3}", r.offered, r.abstained);
}

// CAT-4 on the held-out split, which nothing was tuned on (misses not printed): the goal set
// before it was first run — the right bundle for at least three life-event questions in four,
// none for at least three one-service questions in five. A third goal, the engine's ranking of
// the bundles at least as good at 1 as the best baseline's, was missed on that first run (BM25
// over characters ranked better, BENCHMARKS.md) and is reported, not asserted: tuning the
// ranking until it passed would be tuning on this split.
#[test]
fn cat_4_intent_heldout() {
    let r = intent_report("held-out", BUNDLE_HELDOUT);
    assert!(r.offered >= 0.75, "held-out offered {:.3}", r.offered);
    assert!(r.abstained >= 0.6, "held-out abstained {:.3}", r.abstained);
}
