//! The search crate's integration tests: the quality set (FAQ-1), measured against two
//! baselines computed in the same run on the same set.

use noveto_search::{Entry, Options, SearchIndex, char_overlap};
use serde::Deserialize;

#[derive(Deserialize)]
struct Set {
    entry: Vec<E>,
    query: Vec<Q>,
}
#[derive(Deserialize)]
struct E {
    id: u64,
    q: String,
    a: String,
    items: String,
}
#[derive(Deserialize)]
struct Q {
    q: String,
    expect: u64,
}

fn set() -> (Vec<Entry>, Vec<Q>) {
    let s: Set = toml::from_str(include_str!("quality.toml")).unwrap();
    let entries = s.entry.into_iter().map(|e| Entry { id: e.id, title: e.q, body: e.a, extra: e.items }).collect();
    (entries, s.query)
}

fn recall(queries: &[Q], mut rank: impl FnMut(&str) -> Vec<u64>) -> (f64, f64, Vec<String>) {
    let (mut r1, mut r3, mut misses) = (0, 0, vec![]);
    for q in queries {
        let got = rank(&q.q);
        if got.first() == Some(&q.expect) {
            r1 += 1;
        }
        if got.iter().take(3).any(|x| *x == q.expect) {
            r3 += 1;
        } else {
            misses.push(format!("{} → {:?} (want {})", q.q, got, q.expect));
        }
    }
    let n = queries.len() as f64;
    (r1 as f64 / n, r3 as f64 / n, misses)
}

// FAQ-1: Chinese search quality — recall@1 ≥ 0.85 and recall@3 ≥ 0.95 on the quality set,
// ahead of plain character overlap and of jieba + BM25 without normalization.
#[test]
fn faq_1_search_quality() {
    let (entries, queries) = set();
    assert!(queries.len() >= 60);
    let full = SearchIndex::new(Options::full()).unwrap();
    full.upsert(&entries).unwrap();
    let plain = SearchIndex::new(Options::plain()).unwrap();
    plain.upsert(&entries).unwrap();
    let ids = |hits: Vec<noveto_search::Hit>| hits.into_iter().map(|h| h.id).collect::<Vec<_>>();
    let (f1, f3, fm) = recall(&queries, |q| ids(full.search(q, 3).unwrap()));
    let (p1, p3, _) = recall(&queries, |q| ids(plain.search(q, 3).unwrap()));
    let (c1, c3, _) = recall(&queries, |q| ids(char_overlap(&entries, q, 3)));
    println!("quality set: {} questions, {} entries", queries.len(), entries.len());
    println!("noveto (normalize + synonyms + jieba + bigrams + BM25): recall@1 {f1:.3}  recall@3 {f3:.3}");
    println!("baseline jieba + BM25, no normalization:                recall@1 {p1:.3}  recall@3 {p3:.3}");
    println!("baseline character overlap:                             recall@1 {c1:.3}  recall@3 {c3:.3}");
    for m in &fm {
        println!("  miss: {m}");
    }
    assert!(f1 >= 0.85, "recall@1 {f1}");
    assert!(f3 >= 0.95, "recall@3 {f3}");
    assert!(f1 > p1 && f1 > c1 && f3 > p3 && f3 > c3, "ahead of both baselines");
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
