//! Store throughput, as ratios against the raw durable commit rate of the same disk, measured in
//! the same run (these shared disks vary several-fold from hour to hour).
//!
//! - raw: one row per transaction through rusqlite (WAL, synchronous=FULL) / one row per
//!   autocommit INSERT on PostgreSQL — the disk's durable commit rate.
//! - audited: `Store::write` with an audit entry and a row, at 1, 8 and 64 concurrent writers.
//!
//! `cargo bench -p noveto-store` (PostgreSQL too when `NOVETO_BENCH_PG_URL` is set). Concurrency
//! at 64 writers does not fit divan's per-iteration model, so this harness times fixed-duration
//! runs itself; the micro-benchmarks of the domain use divan.

use noveto_store::repo::{Ctx, audit};
use noveto_store::{Store, StoreError, params};
use std::time::{Duration, Instant};

const RUN: Duration = Duration::from_secs(3);

fn bench_dir(name: &str) -> std::path::PathBuf {
    let d = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-tmp").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn raw_sqlite() -> f64 {
    let d = bench_dir("raw-sqlite");
    let c = rusqlite::Connection::open(d.join("raw.db")).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
    )
    .unwrap();
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < RUN {
        c.execute_batch("BEGIN").unwrap();
        c.execute("INSERT INTO t (v) VALUES (?1)", ["一行数据"]).unwrap();
        c.execute_batch("COMMIT").unwrap();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn raw_pg(url: &str) -> f64 {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.batch_execute("DROP TABLE IF EXISTS bench_raw; CREATE TABLE bench_raw (id BIGSERIAL PRIMARY KEY, v TEXT)")
        .unwrap();
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < RUN {
        c.execute("INSERT INTO bench_raw (v) VALUES ($1)", &[&"一行数据"]).unwrap();
        n += 1;
    }
    c.batch_execute("DROP TABLE bench_raw").unwrap();
    n as f64 / start.elapsed().as_secs_f64()
}

/// Audited durable writes per second with `writers` concurrent callers.
fn audited(store: &Store, writers: usize) -> f64 {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let start = Instant::now();
        let mut hs = vec![];
        for w in 0..writers {
            let s = store.clone();
            hs.push(tokio::spawn(async move {
                let mut n = 0u64;
                while start.elapsed() < RUN {
                    s.write(move |tx| {
                        let ctx = Ctx { actor: Some(1), now: "2026-11-20T09:00:00+08:00".into() };
                        tx.exec(
                            "INSERT INTO login_failures (login, at) VALUES ($1, $2)",
                            params![format!("w{w}"), ctx.now.as_str()],
                        )?;
                        audit::append(tx, &ctx, "bench.write", "bench", w as i64, &serde_json::json!({"n": n}))
                    })
                    .await
                    .map_err(|e: StoreError| e)
                    .unwrap();
                    n += 1;
                }
                n
            }));
        }
        let mut total = 0;
        for h in hs {
            total += h.await.unwrap();
        }
        total as f64 / start.elapsed().as_secs_f64()
    })
}

fn report(name: &str, raw: f64, store: &Store) {
    println!("{name}: raw durable single-row commits/s = {raw:.0}");
    for w in [1, 8, 64] {
        let r = audited(store, w);
        println!("{name}: audited durable writes/s at {w:>2} writers = {r:>8.0}  ({:.1}× raw)", r / raw);
    }
    let ok = store.read_blocking(audit::verify).unwrap();
    assert!(ok.is_ok(), "audit chain intact after the run");
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let raw = raw_sqlite();
    let store = Store::open_sqlite(&bench_dir("store-sqlite")).unwrap();
    // Signed audit entries, as every deployment writes them (`init` makes the key).
    store.set_audit_key(noveto_domain::audit::AuditKey::new(vec![7; 32], 1));
    report("sqlite", raw, &store);
    if let Ok(url) = std::env::var("NOVETO_BENCH_PG_URL") {
        let raw = raw_pg(&url);
        let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        admin.batch_execute("DROP DATABASE IF EXISTS noveto_bench WITH (FORCE)").unwrap();
        admin.batch_execute("CREATE DATABASE noveto_bench").unwrap();
        let i = url.rfind('/').unwrap();
        let store = Store::open_postgres(&format!("{}/noveto_bench", &url[..i])).unwrap();
        store.set_audit_key(noveto_domain::audit::AuditKey::new(vec![7; 32], 1));
        report("postgres", raw, &store);
    }
}
