//! Spawns the real server on 127.0.0.1:0 over a fresh store (SQLite, or PostgreSQL when
//! `NOVETO_TEST_PG_URL` is set) with a clock the test moves.

use chrono::{DateTime, FixedOffset};
use noveto_domain::access::{Grant, Role, Scope, ScopeKind};
use noveto_domain::policy::Policy;
use noveto_server::{AppState, Clock};
use noveto_store::repo::{Ctx, org};
use noveto_store::{Store, StoreError};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};

static N: AtomicU32 = AtomicU32::new(0);

pub fn tmpdir() -> std::path::PathBuf {
    let d =
        std::env::temp_dir().join(format!("noveto-srv-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// The backends this run covers: SQLite always, PostgreSQL when configured (required in CI).
pub fn backends() -> Vec<Kind> {
    let mut v = vec![Kind::Sqlite];
    match std::env::var("NOVETO_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => v.push(Kind::Postgres),
        _ => assert!(std::env::var("CI").is_err(), "CI must set NOVETO_TEST_PG_URL"),
    }
    v
}

pub fn fresh_pg() -> (String, String) {
    let base = std::env::var("NOVETO_TEST_PG_URL").expect("NOVETO_TEST_PG_URL");
    let name = format!("noveto_s_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).expect("PostgreSQL answers");
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let i = base.rfind('/').unwrap();
    (format!("{}/{name}", &base[..i]), name)
}

pub struct App {
    pub base: String,
    pub state: AppState,
    pub clock: Arc<AtomicI64>,
    pub ids: Ids,
    pub agent: ureq::Agent,
    _rt: Arc<tokio::runtime::Runtime>,
    pg_db: Option<String>,
    pub dir: std::path::PathBuf,
}

/// The seeded organization: a city center with a county center, two units with a window each,
/// staff in every role.
#[derive(Clone, Debug)]
pub struct Ids {
    pub city: i64,
    pub county: i64,
    pub unit: i64,
    pub unit2: i64,
    pub window: i64,
    pub window2: i64,
    pub desk: i64,
}

pub const PW: &str = "correct-horse-battery";

impl Drop for App {
    fn drop(&mut self) {
        if let Some(db) = &self.pg_db
            && let Ok(base) = std::env::var("NOVETO_TEST_PG_URL")
            && let Ok(mut a) = postgres::Client::connect(&base, postgres::NoTls)
        {
            let _ = a.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn at(s: &str) -> DateTime<FixedOffset> {
    noveto_domain::time::at(s)
}

impl App {
    pub fn spawn(kind: Kind, preset: &str) -> App {
        Self::spawn_at(kind, preset, "2026-11-20T09:00:00+08:00")
    }

    pub fn spawn_at(kind: Kind, preset: &str, now: &str) -> App {
        Self::spawn_with(kind, preset, now, |_| {})
    }

    /// [`App::spawn_at`], with the server's settings changed by `configure` (what `serve`'s
    /// options set: secure cookies, trusted proxies …).
    pub fn spawn_with(kind: Kind, preset: &str, now: &str, configure: impl FnOnce(&mut AppState)) -> App {
        let dir = tmpdir();
        let (store, pg_db) = match kind {
            Kind::Sqlite => (Store::open_sqlite(&dir).unwrap(), None),
            Kind::Postgres => {
                let (url, name) = fresh_pg();
                (Store::open_postgres(&url).unwrap(), Some(name))
            }
        };
        Self::spawn_on(store, pg_db, dir, preset, now, configure)
    }

    /// The server over a fresh PostgreSQL database whose lagging reads (reports, searches) the
    /// streaming replica at `replica_base` serves (the database's name put in its URL). Waits until
    /// the new database has reached the standby. Also the database's name.
    pub fn spawn_replicated(replica_base: &str, preset: &str, now: &str) -> (App, String) {
        let (url, name) = fresh_pg();
        let i = replica_base.rfind('/').unwrap();
        let replica = format!("{}/{name}", &replica_base[..i]);
        let mut reached = false;
        for _ in 0..600 {
            if postgres::Client::connect(&replica, postgres::NoTls).is_ok() {
                reached = true;
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(reached, "the new database reached the standby");
        let store = Store::open_postgres_with_replica(&url, &replica).unwrap();
        (Self::spawn_on(store, Some(name.clone()), tmpdir(), preset, now, |_| {}), replica)
    }

    fn spawn_on(
        store: Store,
        pg_db: Option<String>,
        dir: std::path::PathBuf,
        preset: &str,
        now: &str,
        configure: impl FnOnce(&mut AppState),
    ) -> App {
        let rt = Arc::new(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap());
        let clock = Arc::new(AtomicI64::new(at(now).timestamp()));
        let c2 = clock.clone();
        let policy = Policy::preset(preset).unwrap();
        let hash = noveto_server::auth::hash_password(PW);
        let ids = rt.block_on(store.write(move |tx| seed(tx, &policy, &hash))).unwrap();
        let mut state = rt
            .block_on(AppState::load(
                store,
                Clock::from_fn(move || {
                    noveto_domain::time::local(DateTime::from_timestamp(c2.load(Ordering::SeqCst), 0).unwrap())
                }),
                dir.clone(),
            ))
            .unwrap();
        configure(&mut state);
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let app = noveto_server::app(state.clone());
        rt.spawn(async move {
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await;
        });
        // No pooled connections: a server may close a connection after answering a request whose
        // body it did not read (a 403 before the body), and a pooled reuse of it would race.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .build()
            .into();
        App { base: format!("http://{addr}"), state, clock, ids, agent, _rt: rt, pg_db, dir }
    }

    pub fn set_now(&self, s: &str) {
        self.clock.store(at(s).timestamp(), Ordering::SeqCst);
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self._rt.block_on(f)
    }

    /// A bearer token for a seeded login.
    pub fn token(&self, login: &str) -> String {
        let s = self.state.clone();
        let l = login.to_string();
        self.block_on(async move {
            noveto_app::auth::issue_token(&s.store, &l, Ctx { actor: None, now: s.now_str() }).await.unwrap()
        })
    }

    /// The messages queued for a staff member, oldest first: (subject, body, dedupe).
    pub fn messages_to(&self, login: &str) -> Vec<(String, String, String)> {
        let to = format!("staff:{}", self.staff_id(login));
        self.block_on(self.state.store.read(move |tx| {
            Ok::<_, noveto_store::StoreError>(
                tx.query(
                    "SELECT subject, body, dedupe FROM outbox WHERE recipient = $1 ORDER BY id",
                    &[to.as_str().into()],
                )?
                .iter()
                .map(|r| (r.str(0), r.str(1), r.str(2)))
                .collect(),
            )
        }))
        .unwrap()
    }

    pub fn staff_id(&self, login: &str) -> i64 {
        let l = login.to_string();
        self.block_on(self.state.store.read(move |tx| org::staff_by_login(tx, &l))).unwrap().unwrap().0.id
    }

    pub fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{}", self.base, path);
        let auth = token.map(|t| format!("Bearer {t}"));
        let resp = match (method, body) {
            ("GET", _) => {
                let mut r = self.agent.get(&url);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            (m, b) => {
                let mut r = match m {
                    "POST" => self.agent.post(&url),
                    "PUT" => self.agent.put(&url),
                    _ => panic!("method {m}"),
                };
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.send_json(b.unwrap_or(json!({})))
            }
        };
        let mut resp = resp.expect("HTTP answers");
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// The same decision fired `n` times at once (each its own connection): the status codes.
    /// `body(i)` is the i-th request's body.
    pub fn at_once(&self, path: &str, token: &str, n: usize, body: impl Fn(usize) -> Value + Sync) -> Vec<u16> {
        let url = format!("{}{path}", self.base);
        std::thread::scope(|sc| {
            let hs: Vec<_> = (0..n)
                .map(|i| {
                    let (url, b) = (url.clone(), body(i));
                    sc.spawn(move || {
                        let agent: ureq::Agent =
                            ureq::Agent::config_builder().http_status_as_error(false).build().into();
                        agent
                            .post(&url)
                            .header("Authorization", &format!("Bearer {token}"))
                            .send_json(b)
                            .unwrap()
                            .status()
                            .as_u16()
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        })
    }

    pub fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.call("GET", path, Some(token), None)
    }
    /// A file from the API (an export): its status and bytes.
    pub fn download(&self, path: &str, token: &str) -> (u16, Vec<u8>) {
        let mut r = self
            .agent
            .get(&format!("{}{path}", self.base))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_vec().unwrap_or_default())
    }
    pub fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(token), Some(body))
    }

    /// Sends raw bytes (for malformed bodies).
    pub fn raw(&self, method: &str, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let url = format!("{}{}", self.base, path);
        let r = match method {
            "PUT" => self.agent.put(&url),
            _ => self.agent.post(&url),
        };
        let mut resp = r
            .header("Authorization", &format!("Bearer {token}"))
            .header("Content-Type", content_type)
            .send(&body[..])
            .expect("HTTP answers");
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// Sends a request over a plain socket and reads the answer even when the server stops
    /// reading the body early (an oversize body is answered 413 before it is all sent).
    pub fn raw_tcp(&self, path: &str, token: &str, body: &[u8]) -> (u16, Value) {
        use std::io::{Read, Write};
        let addr = self.base.trim_start_matches("http://");
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        let _ = s.write_all(body);
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        let status = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        // A chunked body: take the JSON object inside it.
        let json = body.find('{').and_then(|i| body.rfind('}').map(|j| &body[i..=j])).unwrap_or("");
        (status, serde_json::from_str(json).unwrap_or(Value::String(body.clone())))
    }

    pub fn audit_len(&self) -> i64 {
        self.block_on(
            self.state
                .store
                .read(|tx| Ok::<_, StoreError>(tx.query_one("SELECT COUNT(*) FROM audit", &[])?.unwrap().i64(0))),
        )
        .unwrap()
    }

    pub fn audit_ok(&self) -> bool {
        self.block_on(self.state.store.read(noveto_store::repo::audit::verify)).unwrap().is_ok()
    }

    /// Opens an application case as `clerk` and returns its id.
    /// A staff member with one role, created by the administrator over the API (password `PW`).
    pub fn add_staff(&self, login: &str, role: &str, scope: Value) {
        let body = json!({"login": login, "name": login, "password": PW, "roles": [{"role": role, "scope": scope}]});
        let (st, v) = self.post("/api/v1/staff", &self.token("admin"), body);
        assert_eq!(st, 201, "{v}");
    }

    /// A veto request on a case, with a reason and a legal basis; its id.
    pub fn request_veto(&self, token: &str, case_id: i64) -> i64 {
        let (st, v) = self.post(
            &format!("/api/v1/cases/{case_id}/veto-requests"),
            token,
            json!({"reason": "不符合条件", "legal_basis": "《行政许可法》第三十八条"}),
        );
        assert_eq!(st, 201, "{v}");
        v["id"].as_i64().unwrap()
    }

    /// One level's decision on a veto request, by a seeded login, with an opinion.
    pub fn decide(&self, login: &str, veto_id: i64, approve: bool, opinion: &str) -> (u16, Value) {
        self.post(
            &format!("/api/v1/veto-requests/{veto_id}/decision"),
            &self.token(login),
            json!({"approve": approve, "opinion": opinion}),
        )
    }

    pub fn new_case(&self, token: &str, item: Option<&str>) -> i64 {
        let (st, v) = self.post(
            "/api/v1/cases",
            token,
            json!({"kind": "application", "channel": "window", "item_code": item, "applicant": {"name": "张三", "phone": "13812345678"}, "request": "办理营业执照"}),
        );
        assert_eq!(st, 201, "{v}");
        v["id"].as_i64().unwrap()
    }
}

/// Every login `seed` creates.
pub const SEEDED_LOGINS: &[&str] = &[
    "clerk",
    "clerk_b",
    "clerk2",
    "head",
    "head2",
    "leader",
    "leader2",
    "chief",
    "hall",
    "business",
    "supervision",
    "director",
    "oversight",
    "admin",
    "county_admin",
    "desk",
];

fn seed(tx: &mut dyn noveto_store::Tx, policy: &Policy, hash: &str) -> Result<Ids, StoreError> {
    let ctx = Ctx { actor: None, now: "2026-11-01T09:00:00+08:00".into() };
    noveto_server::save_policy(tx, &ctx, policy, true)?;
    let city = org::create_center(
        tx,
        &ctx,
        &org::NewCenter {
            name: "市中心",
            parent_id: None,
            level: "city",
            address: "",
            hotline: "12345",
            supervision_phone: "0719-1",
        },
    )?;
    let county = org::create_center(
        tx,
        &ctx,
        &org::NewCenter {
            name: "县中心",
            parent_id: Some(city),
            level: "county",
            address: "",
            hotline: "",
            supervision_phone: "",
        },
    )?;
    let unit = org::create_unit(tx, &ctx, city, "市场监管局")?;
    let unit2 = org::create_unit(tx, &ctx, city, "人社局")?;
    let window = org::create_window(tx, &ctx, city, Some(unit), "登记窗口", "window")?;
    let window2 = org::create_window(tx, &ctx, city, Some(unit2), "社保窗口", "window")?;
    let desk = org::create_window(tx, &ctx, city, None, "综合咨询服务台", "consultation_desk")?;
    let w = |id| Scope { kind: ScopeKind::Window, id };
    let u = |id| Scope { kind: ScopeKind::Unit, id };
    let c = |id| Scope { kind: ScopeKind::Center, id };
    let people: Vec<(&str, Vec<Grant>)> = vec![
        ("clerk", vec![Grant { role: Role::Clerk, scope: w(window) }]),
        ("clerk_b", vec![Grant { role: Role::Clerk, scope: w(window) }]),
        ("clerk2", vec![Grant { role: Role::Clerk, scope: w(window2) }]),
        (
            "head",
            vec![Grant { role: Role::WindowHead, scope: w(window) }, Grant { role: Role::Clerk, scope: w(window) }],
        ),
        ("head2", vec![Grant { role: Role::WindowHead, scope: w(window2) }]),
        ("leader", vec![Grant { role: Role::UnitLeader, scope: u(unit) }]),
        ("leader2", vec![Grant { role: Role::UnitLeader, scope: u(unit2) }]),
        ("chief", vec![Grant { role: Role::UnitHead, scope: u(unit) }]),
        ("hall", vec![Grant { role: Role::HallManager, scope: c(city) }]),
        ("business", vec![Grant { role: Role::BusinessSection, scope: c(city) }]),
        ("supervision", vec![Grant { role: Role::Supervision, scope: c(city) }]),
        ("director", vec![Grant { role: Role::Director, scope: c(city) }]),
        ("oversight", vec![Grant { role: Role::Oversight, scope: c(city) }]),
        ("admin", vec![Grant { role: Role::Admin, scope: c(city) }]),
        ("county_admin", vec![Grant { role: Role::Admin, scope: c(county) }]),
        ("desk", vec![Grant { role: Role::Clerk, scope: w(desk) }]),
    ];
    for (login, grants) in people {
        let id = org::create_staff(tx, &ctx, login, login, hash)?;
        for g in grants {
            org::add_grant(tx, &ctx, id, g)?;
        }
    }
    Ok(Ids { city, county, unit, unit2, window, window2, desk })
}

/// The login form's CSRF cookie and token: GET /login as a browser would.
pub fn login_form_token(agent: &ureq::Agent, base: &str) -> (String, String) {
    let mut r = agent.get(&format!("{base}/login")).call().unwrap();
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let html = r.body_mut().read_to_string().unwrap();
    let token = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    (cookie, token)
}

/// Posts the login form (with its CSRF token); the answer.
pub fn post_login(agent: &ureq::Agent, base: &str, login: &str, password: &str) -> ureq::http::Response<ureq::Body> {
    let (cookie, token) = login_form_token(agent, base);
    agent
        .post(&format!("{base}/login"))
        .header("Cookie", &cookie)
        .send_form([("login", login), ("password", password), ("csrf", token.as_str())])
        .unwrap()
}

/// Logs in through the form; the session cookie (`name=value`).
pub fn session_cookie(base: &str, login: &str) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
    let r = post_login(&agent, base, login, PW);
    r.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string()
}

/// A page's HTML without the phone layout's column labels (`data-label="…"` on each list cell),
/// so that tests can look for a row's cells as they read.
pub fn without_labels(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(" data-label=\"") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " data-label=\"".len()..];
        rest = after.find('"').map(|j| &after[j + 1..]).unwrap_or("");
    }
    out.push_str(rest);
    out
}
