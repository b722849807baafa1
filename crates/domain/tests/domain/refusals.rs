//! NV-14: the refusal check measured on a corpus of replies (`tests/data/replies_*.tsv`), in eleven
//! parts. The development part and the fourth ("fresh") to the tenth are the ones the grammar was
//! tuned on and the model is trained on. The held-out part (issue 11), the "surprise" part and the
//! eleventh (issue 33) were each written and committed before the check of their round changed,
//! and are never trained on. (In round seven the held-out part's two mistakes were printed once, by
//! mistake, while a change was being made — see BENCHMARKS.md.) Beside the shipped check, on every part: the grammar alone, the
//! first phrase list (`phrases::v1`) and a character n-gram naive Bayes trained on the development
//! part alone.

use noveto_domain::phrases::{check, check_with, model, v1};
use std::collections::HashMap;

#[derive(Default)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
    misses: Vec<String>,
}

impl Score {
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    fn n(&self) -> usize {
        self.tp + self.fp + self.fn_ + self.tn
    }
}

fn corpus(file: &str) -> Vec<(bool, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(file);
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (label, reply) = line.split_once('\t').unwrap();
            let refuse = match label {
                "refuse" => true,
                "help" => false,
                other => panic!("unknown label {other}"),
            };
            (refuse, reply.to_string())
        })
        .collect()
}

fn score(file: &str, flags: &dyn Fn(&str) -> bool) -> Score {
    let mut s = Score::default();
    for (refuse, reply) in corpus(file) {
        match (refuse, flags(&reply)) {
            (true, true) => s.tp += 1,
            (false, true) => {
                s.fp += 1;
                s.misses.push(format!("false flag: {reply}"));
            }
            (true, false) => {
                s.fn_ += 1;
                s.misses.push(format!("missed: {reply}"));
            }
            (false, false) => s.tn += 1,
        }
    }
    s
}

/// Character unigrams, bigrams and trigrams of the text in Simplified script.
fn grams(text: &str) -> Vec<String> {
    let c: Vec<char> =
        fast2s::convert(text).chars().filter(|c| !c.is_ascii_punctuation() && !c.is_whitespace()).collect();
    let mut out = Vec::new();
    for n in 1..=3 {
        for w in c.windows(n) {
            out.push(w.iter().collect());
        }
    }
    out
}

/// Multinomial naive Bayes over character n-grams with add-one smoothing.
struct Bayes {
    counts: [HashMap<String, f64>; 2],
    totals: [f64; 2],
    priors: [f64; 2],
    vocabulary: f64,
}

impl Bayes {
    fn train(data: &[(bool, String)]) -> Bayes {
        let mut counts = [HashMap::new(), HashMap::new()];
        let mut totals = [0.0; 2];
        let mut docs = [0.0f64; 2];
        for (refuse, text) in data {
            let k = usize::from(*refuse);
            docs[k] += 1.0;
            for g in grams(text) {
                *counts[k].entry(g).or_insert(0.0) += 1.0;
                totals[k] += 1.0;
            }
        }
        let vocabulary =
            counts[0].keys().chain(counts[1].keys()).collect::<std::collections::HashSet<_>>().len() as f64;
        let all = docs[0] + docs[1];
        Bayes { counts, totals, priors: [(docs[0] / all).ln(), (docs[1] / all).ln()], vocabulary }
    }

    fn refuses(&self, text: &str) -> bool {
        self.log_odds(text) > 0.0
    }

    fn log_odds(&self, text: &str) -> f64 {
        let mut score = self.priors;
        for g in grams(text) {
            for (k, total) in score.iter_mut().enumerate() {
                let c = self.counts[k].get(&g).copied().unwrap_or(0.0);
                *total += ((c + 1.0) / (self.totals[k] + self.vocabulary)).ln();
            }
        }
        score[1] - score[0]
    }
}

/// The parts the grammar is tuned on and the model trained on (`phrases/model.rs` compiles in the
/// same files).
const TRAINING_PARTS: [&str; 8] = [
    "replies_dev.tsv",
    "replies_fresh.tsv",
    "replies_fifth.tsv",
    "replies_sixth.tsv",
    "replies_seventh.tsv",
    "replies_eighth.tsv",
    "replies_ninth.tsv",
    "replies_tenth.tsv",
];

/// The parts never trained on: what BENCHMARKS.md reports.
const JUDGING_PARTS: [&str; 3] = ["replies_heldout.tsv", "replies_surprise.tsv", "replies_eleventh.tsv"];

/// The grammar alone: the shipped check with its learned half switched off.
fn grammar_alone(t: &str) -> bool {
    !check_with(t, &|_| false).flagged.is_empty()
}

// NV-14 (issues 11 and 33): the shipped check (grammar, and the learned model where the grammar
// hears nothing and no clause gives a path) on every part, with the grammar alone, the old list
// and a naive Bayes trained on the development part alone beside it. Goals: on the newest part
// (never tuned, never trained on: the eleventh) precision ≥ 0.95 and recall ≥ 0.95; on the held-out part no
// worse than the phrase list was when issue 33 was filed (precision 1.00, recall 0.95); on the
// surprise part 0.95 / 0.95. Only the development part's mistakes are printed.
// Beyond the corpus, the check must not hear a refusal in a text of words it never saw.
#[test]
fn nv_14_refusal_check_on_every_part() {
    let parts: Vec<&'static str> = TRAINING_PARTS.iter().chain(&JUDGING_PARTS).copied().collect();
    let bayes = Bayes::train(&corpus("replies_dev.tsv"));
    let shipped = |t: &str| !check(t).flagged.is_empty();
    let list = |t: &str| v1::says_no(t);
    let learned = |t: &str| bayes.refuses(t);
    let mut got = HashMap::new();
    for &part in &parts {
        for (name, f) in [
            ("shipped: grammar + model", &shipped as &dyn Fn(&str) -> bool),
            ("grammar alone", &grammar_alone),
            ("phrase list (v1)", &list),
            ("naive Bayes (dev only)", &learned),
        ] {
            let s = score(part, f);
            println!(
                "NV-14 {part} — {name}: {} replies, precision {:.3}, recall {:.3}",
                s.n(),
                s.precision(),
                s.recall()
            );
            // A tuning part's misses may be asked for by name (NOVETO_PRINT_MISSES=replies_…tsv)
            // when a round studies them; a part still used for judging is never named.
            let asked = std::env::var("NOVETO_PRINT_MISSES").is_ok_and(|p| p == part);
            if name.starts_with("shipped") && (part == "replies_dev.tsv" || asked) {
                for m in &s.misses {
                    println!("  {part} {m}");
                }
            }
            if name.starts_with("shipped") && s.fn_ > 0 {
                // Why refusals escaped, without the texts: a clause the grammar took for a path,
                // or nothing heard by either half.
                let escaped: Vec<String> =
                    corpus(part).into_iter().filter(|(r, t)| *r && !shipped(t)).map(|(_, t)| t).collect();
                let by_path = escaped.iter().filter(|t| noveto_domain::phrases::has_path(t)).count();
                println!(
                    "NV-14 {part} — escaped: {} beside a clause taken for a path, {} heard by neither half",
                    by_path,
                    escaped.len() - by_path
                );
            }
            got.insert((part, name), s);
        }
    }
    let shipped = |part: &'static str| &got[&(part, "shipped: grammar + model")];
    let total: usize = parts.iter().map(|p| shipped(p).n()).sum();
    assert!(total >= 830, "corpus has {total} replies");
    let held = shipped("replies_heldout.tsv");
    assert!(held.precision() >= 1.0 && held.recall() >= 0.95, "held-out below the phrase list's figures");
    let surprise = shipped("replies_surprise.tsv");
    assert!(surprise.n() >= 150);
    assert!(surprise.precision() >= 0.95 && surprise.recall() >= 0.95, "surprise part below the goal");
    // Round three judged the sixth part (goal 0.95 / 0.95, set before it was written): run once
    // with a first learner that let every gram it never saw lean to "refuse" — 0.976 / 1.000 — but
    // that learner heard a refusal in any unfamiliar words (a law's name, a company's, a notice's
    // "标明操作间、库房位置"), so it was replaced before shipping and the sixth part run a second
    // time: 0.974 / 0.925. From round four the sixth part is trained on, and the seventh — written
    // before that change — judged once: 1.000 / 0.900. From round five the seventh is trained on
    // and its four misses studied (the grammar hears a document "压根不出", "无能为力", futility
    // "何必", "结果也一样"); the eighth, written before that change, judged once: 1.000 / 0.920.
    // The goal's recall was missed a third time (BENCHMARKS.md). From round six the eighth is
    // trained on and its four misses studied ("下回", a wider "不是…窗口的事", "重新弄", and
    // futility that hollows out a path beside it: "报了也不一定有结果"); the ninth, written before
    // that change, judged: 0.978 / 0.880 — with a learner that heard a refusal in a unit's name
    // ("人力资源"), so not shipped; the learner lost its single characters and the titles between
    // 《》, its threshold cross-validated again (1), and the ninth run a second time: 0.977 / 0.860.
    // The goal's recall is missed a fourth time; five of the seven escapes sit beside a clause the
    // grammar takes for a path. From round seven the ninth is trained on and its seven misses
    // studied (a decision reported, not a study to come: "经研究"; a list the matter is missing
    // from; a contact not given; fully booked; and what follows 但 taking back a path before it);
    // the tenth, written before that change, judged once: 0.978 / 0.900. The goal's recall is
    // missed a fifth time; four of the five escapes sit beside a clause taken for a path. From
    // round eight the tenth is trained on and its four misses studied (a channel out of service
    // is no path: "网上预约系统关了"; hope taken away after 但; a wait with nobody to end it); the
    // eleventh, written before that change (by the same hand), judged once: 1.000 / 0.980 — the
    // goal met for the first time on a part the check had not seen.
    for part in ["replies_seventh.tsv", "replies_eighth.tsv", "replies_ninth.tsv", "replies_tenth.tsv"] {
        let s = shipped(part);
        assert!(s.n() >= 80 && s.precision() >= 0.95 && s.recall() >= 0.95, "{part}");
    }
    let eleventh = shipped("replies_eleventh.tsv");
    assert!(eleventh.n() >= 100);
    assert!(eleventh.precision() >= 0.95 && eleventh.recall() >= 0.95, "eleventh part below the goal");
}

// NV-14 (issue 33, rounds three to six): how the model's threshold was chosen — on the parts it
// is trained on only. Each in turn is judged by the shipped check with the shipped learner trained
// on the others. In round three (three parts) the combined check held 1.000 / 1.000 on each from
// threshold 0 to 4; with the sixth part added it holds precision ≥ 0.95 and recall ≥ 0.90 on each
// at the shipped threshold (the sixth: 0.974 / 0.925, as measured on it in round three).
#[test]
fn nv_14_model_threshold_cross_validated_on_training_parts() {
    let parts = TRAINING_PARTS;
    for tau in [0.0, 1.0, 1.5, 2.0, 4.0, 6.0] {
        for judged in parts {
            let train: Vec<_> = parts.iter().filter(|p| **p != judged).flat_map(|p| corpus(p)).collect();
            let m = model::Model::train(train.iter().map(|(r, t)| (*r, t.as_str())));
            let hears = |c: &[char]| m.log_odds(&c.iter().collect::<String>()) > tau;
            let s = score(judged, &|t: &str| !check_with(t, &hears).flagged.is_empty());
            println!("NV-14 threshold {tau}: {judged} precision {:.3}, recall {:.3}", s.precision(), s.recall());
            if tau == model::THRESHOLD {
                assert!(s.precision() >= 0.95 && s.recall() >= 0.90, "{judged} at the shipped threshold");
            }
        }
    }
}

// NV-14: the learned half names the clause to rewrite and says so; a helpful reply that sounds
// like a refusal but gives a path stays help.
#[test]
fn nv_14_the_model_flags_a_clause_with_a_suggestion() {
    let c = check("名额早就满了，下一批什么时候说不好。");
    assert!(!c.flagged.is_empty());
    let t = check("這事兒得看領導心情。");
    assert_eq!(t.flagged.len(), 1, "{t:?}");
    assert_eq!(t.flagged[0].shape, noveto_domain::phrases::Shape::SoundsLikeNo);
    assert_eq!((t.flagged[0].start, t.flagged[0].end), (0, 9), "the clause, without its full stop");
    assert!(t.suggestion.unwrap().contains("可以这样办"));
    assert!(check("这得看领导心情，我下午三点前请示完给您打电话。").flagged.is_empty());
    // An instruction in words the model never saw is not a refusal (a notice's how-to-fix).
    for plain in [
        "标明操作间、库房位置",
        "《中华人民共和国食品安全法》第三十五条",
        "清江市明远科技有限公司",
        "新设立有限责任公司，申请营业执照。",
        "养老保险关系转移接续",
        // A unit's name and a rating dimension of the demo: at threshold 1 the model heard a
        // refusal in each in round five (see model::THRESHOLD).
        "人力资源",
        "办事效率",
    ] {
        assert!(check(plain).flagged.is_empty(), "{plain}");
    }
}
