//! NV-14 (issue 33): the refusal check runs on every keystroke of a reply box, so one check of a
//! 200-character reply must stay well under a millisecond at its slowest. Each sample is one
//! check of one 200-character reply (64 different ones, built from the corpus' replies in both
//! scripts); divan's "slowest" bounds the p99. Baseline in the same run: the first phrase list
//! (`phrases::v1`) on the same replies. The learned half runs only where the grammar hears
//! nothing and finds no path; "model forced" makes it run (and pick a clause) on every reply, the
//! slowest the check can be.

use divan::{Bencher, black_box};
use noveto_domain::phrases;

fn main() {
    divan::main();
    // The percentiles divan does not print: every call timed on its own, 20,000 calls each.
    let rs = replies();
    let worst = worst_case();
    let reached =
        worst.iter().filter(|t| !phrases::has_path(t) && phrases::check_with(t, &|_| false).flagged.is_empty()).count();
    println!("worst case: {reached} of {} replies reach the model (no clause pattern, no path)", worst.len());
    let shipped_worst = |i: usize| phrases::says_no(&worst[i % worst.len()]);
    let mut ns: Vec<u128> = (0..20_000)
        .map(|i| {
            let t = std::time::Instant::now();
            black_box(shipped_worst(black_box(i)));
            t.elapsed().as_nanos()
        })
        .collect();
    ns.sort_unstable();
    let q = |p: f64| ns[((ns.len() as f64 * p) as usize).min(ns.len() - 1)] as f64 / 1000.0;
    println!(
        "shipped check, worst case (model on the reply and each clause), 200 characters: p50 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs",
        q(0.5),
        q(0.99),
        q(0.999)
    );
    for (name, f) in [
        ("shipped check (grammar + model)", &(|t: &str| phrases::says_no(t)) as &dyn Fn(&str) -> bool),
        ("grammar alone", &|t: &str| !phrases::check_with(t, &|_| false).flagged.is_empty()),
        ("model alone, whole reply", &|t: &str| phrases::model::sounds_like_no(t)),
        ("phrase list (v1) baseline", &|t: &str| phrases::v1::says_no(t)),
    ] {
        let mut ns: Vec<u128> = (0..20_000)
            .map(|i| {
                let t = std::time::Instant::now();
                black_box(f(black_box(&rs[i % rs.len()])));
                t.elapsed().as_nanos()
            })
            .collect();
        ns.sort_unstable();
        let q = |p: f64| ns[((ns.len() as f64 * p) as usize).min(ns.len() - 1)] as f64 / 1000.0;
        println!("{name}, 200 characters: p50 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs", q(0.5), q(0.99), q(0.999));
    }
}

/// The corpus' replies, every part.
fn lines() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut lines = Vec::new();
    for part in [
        "replies_dev.tsv",
        "replies_heldout.tsv",
        "replies_surprise.tsv",
        "replies_fresh.tsv",
        "replies_fifth.tsv",
        "replies_sixth.tsv",
    ] {
        let text = std::fs::read_to_string(dir.join(part)).unwrap();
        lines.extend(
            text.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split_once('\t')).map(|(_, r)| r.to_string()),
        );
    }
    lines
}

/// 64 replies of 200 characters, each the corpus' replies run together from a different start.
fn replies() -> Vec<String> {
    glue(&lines())
}

/// 64 replies of 200 characters made only of replies in which the grammar hears no refusal and
/// finds no path — the ones the learned model must judge, its whole text and each clause.
fn worst_case() -> Vec<String> {
    let quiet: Vec<String> = lines()
        .into_iter()
        .filter(|l| !phrases::has_path(l) && phrases::check_with(l, &|_| false).flagged.is_empty())
        .collect();
    glue(&quiet)
}

fn glue(lines: &[String]) -> Vec<String> {
    (0..64)
        .map(|k| {
            let mut s = String::new();
            for l in lines.iter().cycle().skip(k * 7) {
                s.push_str(l);
                if s.chars().count() >= 200 {
                    break;
                }
            }
            s.chars().take(200).collect()
        })
        .collect()
}

#[divan::bench(sample_size = 1, sample_count = 20_000)]
fn shipped_check_200_chars(b: Bencher) {
    let rs = replies();
    let mut i = 0;
    b.bench_local(|| {
        i = (i + 1) % rs.len();
        black_box(phrases::check(black_box(&rs[i])))
    });
}

#[divan::bench(sample_size = 1, sample_count = 20_000)]
fn phrase_list_v1_baseline_200_chars(b: Bencher) {
    let rs = replies();
    let mut i = 0;
    b.bench_local(|| {
        i = (i + 1) % rs.len();
        black_box(phrases::v1::says_no(black_box(&rs[i])))
    });
}
