//! Deadline arithmetic (CAL-1): `due`, `between` and `is_working_day` per call, with a
//! day-by-day loop as the baseline measured in the same run.

use chrono::{Datelike, NaiveDate, Weekday};
use divan::{Bencher, black_box};
use noveto_domain::calendar::Calendar;

fn main() {
    divan::main();
}

fn inputs() -> Vec<(NaiveDate, u32)> {
    let mut x: u64 = 0x2545F4914F6CDD1D;
    let start = NaiveDate::from_ymd_opt(2016, 1, 1).unwrap();
    (0..1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (start + chrono::Days::new(x % 3900), (x >> 32) as u32 % 20)
        })
        .collect()
}

/// 1,024 `due` computations per iteration (divide the time by 1,024 for one call).
#[divan::bench]
fn due_x1024(b: Bencher) {
    let cal = Calendar::builtin();
    let ins = inputs();
    b.counter(divan::counter::ItemsCount::new(ins.len())).bench(|| {
        for (d, n) in &ins {
            black_box(cal.due(black_box(*d), black_box(*n)).unwrap());
        }
    });
}

#[divan::bench]
fn between_x1024(b: Bencher) {
    let cal = Calendar::builtin();
    let ins = inputs();
    b.counter(divan::counter::ItemsCount::new(ins.len())).bench(|| {
        for (d, n) in &ins {
            black_box(cal.between(black_box(*d), *d + chrono::Days::new(*n as u64)).unwrap());
        }
    });
}

/// Baseline: the same `due` by walking day by day (what a naive implementation does).
#[divan::bench]
fn due_day_by_day_baseline_x1024(b: Bencher) {
    let cal = Calendar::builtin();
    let ins = inputs();
    b.counter(divan::counter::ItemsCount::new(ins.len())).bench(|| {
        for (d, n) in &ins {
            let mut day = *d;
            let mut left = *n;
            while left > 0 {
                day = day.succ_opt().unwrap();
                let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
                if cal.is_working_day(day).unwrap_or(!weekend) {
                    left -= 1;
                }
            }
            black_box(day.year());
        }
    });
}
