//! Case intake over HTTP (NV-1): bearer auth, validation, audit, durable commit before the
//! answer — 32 concurrent keep-alive clients on this machine, load generator included; and the
//! clerk's workbench list with 1,000,000 cases in the store. Printed beside the raw durable
//! single-row commit rate of the same disk, measured in the same run.
//!
//! `cargo bench -p noveto-server --bench intake` (`NOVETO_BENCH_CASES` sets the store size).
//! Latency percentiles need every sample, which divan does not expose for concurrent clients,
//! so this harness collects them itself.

use noveto_domain::access::{Grant, Role, Scope, ScopeKind};
use noveto_domain::policy::Policy;
use noveto_server::{AppState, Clock};
use noveto_store::repo::{Ctx, org};
use noveto_store::{Store, StoreError, params};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CLIENTS: usize = 32;
const RUN: Duration = Duration::from_secs(6);

fn dir(name: &str) -> std::path::PathBuf {
    let d = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-tmp").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn raw_commits() -> f64 {
    let d = dir("raw");

    rusqlite_free_raw(&d)
}

/// The disk's durable commit rate, through the store's own SQLite (one row per commit, one
/// writer at a time) — the baseline the intake figure is compared with.
fn rusqlite_free_raw(d: &std::path::Path) -> f64 {
    let store = Store::open_sqlite(d).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < Duration::from_secs(3) {
            store
                .write(|tx| tx.exec("INSERT INTO login_failures (login, at) VALUES ('raw', 'x')", &[]).map(|_| ()))
                .await
                .map_err(|e: StoreError| e)
                .unwrap();
            n += 1;
        }
        n as f64 / start.elapsed().as_secs_f64()
    })
}

struct Seeded {
    state: AppState,
    token: String,
    clerk: i64,
}

/// The audit key every deployment has (`init` makes one): each entry is signed, as in production.
fn keyed(store: Store) -> Store {
    store.set_audit_key(noveto_domain::audit::AuditKey::new(vec![7; 32], 1));
    store
}

async fn seed(d: &std::path::Path, store: Store) -> Seeded {
    let store = keyed(store);
    let hash = noveto_server::auth::hash_password("bench-password");
    let (clerk, _window) = store
        .write(move |tx| {
            let ctx = Ctx { actor: None, now: "2026-11-01T09:00:00+08:00".into() };
            noveto_server::save_policy(tx, &ctx, &Policy::preset("national").unwrap(), true)?;
            let c = org::create_center(
                tx,
                &ctx,
                &org::NewCenter {
                    name: "市中心",
                    parent_id: None,
                    level: "city",
                    address: "",
                    hotline: "",
                    supervision_phone: "",
                },
            )?;
            let u = org::create_unit(tx, &ctx, c, "单位")?;
            let w = org::create_window(tx, &ctx, c, Some(u), "窗口", "window")?;
            let s = org::create_staff(tx, &ctx, "clerk", "clerk", &hash)?;
            org::add_grant(tx, &ctx, s, Grant { role: Role::Clerk, scope: Scope { kind: ScopeKind::Window, id: w } })?;
            Ok::<_, StoreError>((s, w))
        })
        .await
        .unwrap();
    let state = AppState::load(store, Clock::system(), d.to_path_buf()).await.unwrap();
    let token =
        noveto_app::auth::issue_token(&state.store, "clerk", Ctx { actor: None, now: state.now_str() }).await.unwrap();
    Seeded { state, token, clerk }
}

async fn request(s: &mut TcpStream, buf: &mut Vec<u8>, req: &[u8]) -> u16 {
    s.write_all(req).await.unwrap();
    buf.clear();
    let mut tmp = [0u8; 8192];
    loop {
        let n = s.read(&mut tmp).await.unwrap();
        assert!(n > 0, "server closed the connection");
        buf.extend_from_slice(&tmp[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = s.read(&mut tmp).await.unwrap();
                assert!(n > 0);
                buf.extend_from_slice(&tmp[..n]);
            }
            return head[9..12].parse().unwrap_or(0);
        }
    }
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    v[((v.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0
}

async fn load(addr: std::net::SocketAddr, req: Vec<u8>, clients: usize, run: Duration) -> (u64, u64, Vec<Duration>) {
    let start = Instant::now();
    let mut hs = vec![];
    for _ in 0..clients {
        let req = req.clone();
        hs.push(tokio::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.set_nodelay(true).unwrap();
            let mut buf = Vec::new();
            let (mut ok, mut err, mut lat) = (0u64, 0u64, Vec::new());
            while start.elapsed() < run {
                let t = Instant::now();
                let st = request(&mut s, &mut buf, &req).await;
                lat.push(t.elapsed());
                if (200..300).contains(&st) { ok += 1 } else { err += 1 }
            }
            (ok, err, lat)
        }));
    }
    let (mut ok, mut err, mut lat) = (0, 0, vec![]);
    for h in hs {
        let (o, e, l) = h.await.unwrap();
        ok += o;
        err += e;
        lat.extend(l);
    }
    (ok, err, lat)
}

/// Serves `state` on a fresh port.
fn serve_on(rt: &tokio::runtime::Runtime, state: AppState) -> std::net::SocketAddr {
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = noveto_server::app(state);
    rt.spawn(async move { axum::serve(listener, app).await });
    addr
}

fn intake_request(token: &str) -> Vec<u8> {
    let body = r#"{"kind":"application","channel":"window","applicant":{"name":"张三","phone":"13812345678"},"request":"办理营业执照"}"#;
    format!(
        "POST /api/v1/cases HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Intake on PostgreSQL (`NOVETO_BENCH_PG_URL`): one server, then two servers on the same
/// database with the clients split across both. Baseline: autocommit single-row INSERTs on one
/// connection, same server, same run.
fn postgres(base: &str) {
    let admin = |sql: &str| {
        let mut c = postgres::Client::connect(base, postgres::NoTls).unwrap();
        c.batch_execute(sql).unwrap();
    };
    admin("DROP DATABASE IF EXISTS noveto_bench_intake WITH (FORCE)");
    admin("CREATE DATABASE noveto_bench_intake");
    let url = format!("{}/noveto_bench_intake", base.rsplit_once('/').unwrap().0);
    let raw = {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.batch_execute("CREATE TABLE raw (id BIGSERIAL PRIMARY KEY, v TEXT)").unwrap();
        let st = c.prepare("INSERT INTO raw (v) VALUES ($1)").unwrap();
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < Duration::from_secs(3) {
            c.execute(&st, &[&"raw"]).unwrap();
            n += 1;
        }
        n as f64 / start.elapsed().as_secs_f64()
    };
    println!("PostgreSQL raw durable single-row commits/s (same server, same run) = {raw:.0}");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let d = dir("intake-pg");
    let seeded = rt.block_on(async { seed(&d, Store::open_postgres(&url).unwrap()).await });
    let req = intake_request(&seeded.token);
    let one = serve_on(&rt, seeded.state.clone());
    rt.block_on(load(one, req.clone(), CLIENTS, Duration::from_millis(500)));
    let t = Instant::now();
    let (ok, err, mut lat) = rt.block_on(load(one, req.clone(), CLIENTS, RUN));
    let secs = t.elapsed().as_secs_f64();
    println!(
        "PostgreSQL intake, one server: {CLIENTS} clients, {:.0} cases/s ({:.1}× raw), p50 {:.1} ms, p99 {:.1} ms, errors {err}",
        ok as f64 / secs,
        ok as f64 / secs / raw,
        pct(&mut lat, 0.50),
        pct(&mut lat, 0.99)
    );
    // Two servers, each with its own store handle (own writer connections and read pool) on the
    // same database, the clients split across both: first each with the default writers, then
    // with the writer connections of one server shared between the two.
    let default_writers = std::env::var("NOVETO_PG_WRITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(2usize);
    let open = |writers: usize| {
        let store = keyed(Store::open_postgres_with_writers(&url, writers).unwrap());
        serve_on(&rt, rt.block_on(AppState::load(store, Clock::system(), d.clone())).unwrap())
    };
    let pairs = [
        (format!("{default_writers} writers each"), one, open(default_writers)),
        (
            format!("{} writer(s) each", (default_writers / 2).max(1)),
            open((default_writers / 2).max(1)),
            open((default_writers / 2).max(1)),
        ),
    ];
    for (label, a_addr, b_addr) in pairs {
        let t = Instant::now();
        let (a, b) = rt.block_on(async {
            tokio::join!(load(a_addr, req.clone(), CLIENTS / 2, RUN), load(b_addr, req.clone(), CLIENTS / 2, RUN))
        });
        let secs = t.elapsed().as_secs_f64();
        let (ok, err) = (a.0 + b.0, a.1 + b.1);
        let mut lat: Vec<Duration> = a.2.into_iter().chain(b.2).collect();
        println!(
            "PostgreSQL intake, two servers ({label}): {CLIENTS} clients split, {:.0} cases/s ({:.1}× raw), p50 {:.1} ms, p99 {:.1} ms, errors {err}",
            ok as f64 / secs,
            ok as f64 / secs / raw,
            pct(&mut lat, 0.50),
            pct(&mut lat, 0.99)
        );
    }
    assert!(rt.block_on(seeded.state.store.read(noveto_store::repo::audit::verify)).unwrap().is_ok());
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if let Ok(url) = std::env::var("NOVETO_BENCH_PG_URL") {
        postgres(&url);
        return;
    }
    let raw = raw_commits();
    println!("raw durable single-row commits/s (same disk, same run) = {raw:.0}");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let d = dir("intake");
    let seeded = rt.block_on(seed(&d, Store::open_sqlite(&d).unwrap()));
    let addr = serve_on(&rt, seeded.state.clone());
    let req = intake_request(&seeded.token);
    // Warm-up, then the measured run.
    rt.block_on(load(addr, req.clone(), CLIENTS, Duration::from_millis(500)));
    let t = Instant::now();
    let (ok, err, mut lat) = rt.block_on(load(addr, req, CLIENTS, RUN));
    let secs = t.elapsed().as_secs_f64();
    println!(
        "intake: {CLIENTS} clients, {:.0} cases/s ({:.1}× raw), p50 {:.1} ms, p99 {:.1} ms, errors {err}",
        ok as f64 / secs,
        ok as f64 / secs / raw,
        pct(&mut lat, 0.50),
        pct(&mut lat, 0.99)
    );
    assert!(rt.block_on(seeded.state.store.read(noveto_store::repo::audit::verify)).unwrap().is_ok());

    // The workbench with a million cases: filler cases for other staff, plus 300 open ones
    // of the clerk's among them.
    let total: u64 = std::env::var("NOVETO_BENCH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let have = rt
        .block_on(
            seeded
                .state
                .store
                .read(|tx| Ok::<_, StoreError>(tx.query_one("SELECT COUNT(*) FROM cases", &[])?.unwrap().i64(0))),
        )
        .unwrap() as u64;
    let t = Instant::now();
    let doc = r#"{"receipt_no":"F","kind":"application","applicant":{"name":"填充","phone":"13800000000"},"request":"填充数据"}"#;
    let mut made = have;
    while made < total {
        let n = (total - made).min(20_000);
        let base = made;
        let clerk = seeded.clerk;
        rt.block_on(seeded.state.store.write(move |tx| {
            for i in 0..n {
                let k = base + i;
                let (owner, status) = if k.is_multiple_of(3333) { (clerk, "received") } else { (1000 + (k % 500) as i64, if k.is_multiple_of(7) { "received" } else { "closed" }) };
                tx.exec(
                    "INSERT INTO cases (receipt_no, center_id, unit_id, window_id, first_contact_id, status, kind, item_code, opened_at, next_due, open, doc, version)
                     VALUES ($1, 1, 1, 1, $2, $3, 'application', NULL, '2026-01-01T09:00:00+08:00', $4, $5, $6, 1)",
                    params![format!("F{k:09}"), owner, status, format!("2026-{:02}-{:02}", 1 + k % 12, 1 + k % 28), status != "closed", doc],
                )?;
            }
            Ok::<_, StoreError>(())
        }))
        .unwrap();
        made += n;
    }
    if made > have {
        println!("filled {} cases in {:.1} s", made - have, t.elapsed().as_secs_f64());
    }
    let req = format!(
        "GET /api/v1/cases?mine=true&limit=50 HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {}\r\n\r\n",
        seeded.token
    )
    .into_bytes();
    rt.block_on(load(addr, req.clone(), 8, Duration::from_millis(500)));
    let t = Instant::now();
    let (ok, err, mut lat) = rt.block_on(load(addr, req, 8, Duration::from_secs(4)));
    println!(
        "workbench ({} cases in store): {:.0} lists/s, p50 {:.2} ms, p99 {:.2} ms, errors {err}",
        made,
        ok as f64 / t.elapsed().as_secs_f64(),
        pct(&mut lat, 0.50),
        pct(&mut lat, 0.99)
    );
}
