//! NV-14: the refusal-phrase check measured on a corpus of replies (`tests/data/replies_*.tsv`).
//! The held-out part was written and committed before the rules were tuned and is never used to
//! tune them; the development part is. The goal is on the held-out part.

use noveto_domain::phrases::check;

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
}

fn score(file: &str) -> Score {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(file);
    let text = std::fs::read_to_string(path).unwrap();
    let mut s = Score { tp: 0, fp: 0, fn_: 0, tn: 0, misses: vec![] };
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let (label, reply) = line.split_once('\t').unwrap();
        let refuse = match label {
            "refuse" => true,
            "help" => false,
            other => panic!("unknown label {other}"),
        };
        let flagged = !check(reply).flagged.is_empty();
        match (refuse, flagged) {
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

// NV-14 (issue "no soft refusals", item 2): at least 200 replies in all; on the held-out part
// precision ≥ 0.98 and recall ≥ 0.95. The development part's mistakes are printed (it is the
// part one may look at); the held-out part's are not.
#[test]
fn nv_14_refusal_check_on_the_held_out_corpus() {
    let dev = score("replies_dev.tsv");
    let held = score("replies_heldout.tsv");
    let n = |s: &Score| s.tp + s.fp + s.fn_ + s.tn;
    assert!(n(&dev) + n(&held) >= 200, "corpus has {} replies", n(&dev) + n(&held));
    for m in &dev.misses {
        println!("dev {m}");
    }
    println!(
        "NV-14 refusal check — development: {} replies, precision {:.3}, recall {:.3}; held-out: {} replies, precision {:.3}, recall {:.3}",
        n(&dev),
        dev.precision(),
        dev.recall(),
        n(&held),
        held.precision(),
        held.recall()
    );
    assert!(held.precision() >= 0.98 && held.recall() >= 0.95, "held-out below the goal");
}
