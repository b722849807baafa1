//! The acceptance harness: the built `noveto` binary as a user runs it, on SQLite and on
//! PostgreSQL, spoken to over HTTP. Nothing here reaches into the store: what a test sees is
//! what a person or an integrator would see.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

static N: AtomicU32 = AtomicU32::new(0);

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_noveto"));
    c.env("NOVETO_LOG", "warn").env_remove("NOVETO_DATABASE_URL");
    c
}

pub fn tmp() -> PathBuf {
    let d =
        std::env::temp_dir().join(format!("noveto-acc-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL when `NOVETO_TEST_PG_URL` is set (CI sets it and must).
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if pg_base().is_some() {
        v.push(Backend::Postgres);
    } else {
        assert!(std::env::var("CI").is_err(), "CI must set NOVETO_TEST_PG_URL");
        eprintln!("note: NOVETO_TEST_PG_URL not set, PostgreSQL acceptance skipped");
    }
    v
}

pub fn pg_base() -> Option<String> {
    std::env::var("NOVETO_TEST_PG_URL").ok().filter(|u| !u.is_empty())
}

fn pg_admin(sql: &str) {
    let base = pg_base().expect("NOVETO_TEST_PG_URL");
    let mut c = postgres::Client::connect(&base, postgres::NoTls).expect("PostgreSQL answers");
    c.batch_execute(sql).expect(sql);
}

/// A fresh, empty PostgreSQL database: (URL, name).
pub fn fresh_pg_db() -> (String, String) {
    let name = format!("noveto_acc_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
    pg_admin(&format!("DROP DATABASE IF EXISTS {name}"));
    pg_admin(&format!("CREATE DATABASE {name}"));
    (pg_url(&name), name)
}

/// The URL of database `name` on the test server.
pub fn pg_url(name: &str) -> String {
    let base = pg_base().expect("NOVETO_TEST_PG_URL");
    let (head, _) = base.rsplit_once('/').expect("URL with a database");
    format!("{head}/{name}")
}

pub struct Out {
    pub code: i32,
    pub out: String,
    pub err: String,
}

impl Out {
    #[track_caller]
    pub fn ok(self) -> Out {
        assert_eq!(self.code, 0, "stdout: {}\nstderr: {}", self.out, self.err);
        self
    }
}

pub fn run(args: &[&str]) -> Out {
    let o = bin().args(args).output().expect("noveto runs");
    Out {
        code: o.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// One installation: a data directory and, on PostgreSQL, its own database.
pub struct Node {
    pub dir: PathBuf,
    pub db: Option<(String, String)>,
}

impl Node {
    pub fn new(backend: Backend) -> Node {
        let db = (backend == Backend::Postgres).then(fresh_pg_db);
        Node { dir: tmp(), db }
    }

    pub fn data(&self) -> &str {
        self.dir.to_str().unwrap()
    }

    /// `--database URL` for commands that create a store (init, demo, restore).
    pub fn create_args(&self) -> Vec<String> {
        let mut a = vec!["--data".to_string(), self.data().to_string()];
        if let Some((url, _)) = &self.db {
            a.extend(["--database".to_string(), url.clone()]);
        }
        a
    }

    /// Runs `noveto ARGS --data DIR [--database URL]`.
    pub fn create(&self, args: &[&str]) -> Out {
        let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        a.extend(self.create_args());
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        run(&refs)
    }

    /// Runs `noveto ARGS --data DIR`: later commands find a PostgreSQL store through the URL
    /// that `init` recorded in DIR.
    pub fn cmd(&self, args: &[&str]) -> Out {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--data", self.data()]);
        run(&a)
    }

    pub fn token(&self, login: &str) -> String {
        let o = self.cmd(&["token", "issue", "--login", login]).ok();
        assert_eq!(o.out.lines().count(), 1, "{}", o.out);
        o.out.trim().to_string()
    }

    pub fn admin_login(&self) -> (String, String) {
        let text = std::fs::read_to_string(self.dir.join("initial-admin.txt")).unwrap();
        let get = |k: &str| text.lines().find_map(|l| l.strip_prefix(k)).unwrap().trim().to_string();
        (get("login:"), get("password:"))
    }

    pub fn serve(&self) -> Server {
        Server::start(&self.dir, &[])
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((_, name)) = &self.db {
            let base = pg_base().unwrap();
            if let Ok(mut c) = postgres::Client::connect(&base, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// A running `noveto serve`; killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub agent: ureq::Agent,
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_idle_connections(0)
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into()
}

impl Server {
    pub fn start(dir: &Path, extra: &[&str]) -> Server {
        Server::start_with(dir, extra, Stdio::inherit())
    }

    /// Like [`Server::start`], the server's log going to `log`.
    pub fn start_logged(dir: &Path, extra: &[&str], log: &Path) -> Server {
        Server::start_with(dir, extra, std::fs::File::create(log).unwrap().into())
    }

    fn start_with(dir: &Path, extra: &[&str], stderr: Stdio) -> Server {
        let mut child = bin()
            .args(["serve", "--data", dir.to_str().unwrap(), "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .unwrap_or_else(|| panic!("serve printed: {line:?}"))
            .split('/')
            .next()
            .unwrap();
        Server { base: format!("http://{addr}"), child, agent: agent() }
    }

    pub fn kill9(&mut self) {
        let _ = Command::new("kill").args(["-9", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }

    /// One HTTP call; `(status, JSON body or the text as a JSON string)`.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        http(&self.agent, &self.base, method, path, token, body, headers)
    }
    pub fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.call("GET", path, Some(token), None, &[])
    }
    pub fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(token), Some(body), &[])
    }
    /// The raw bytes and content type of a GET (documents, pages).
    pub fn bytes(&self, path: &str, token: &str) -> (u16, String, Vec<u8>) {
        let mut r = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap();
        let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let st = r.status().as_u16();
        (st, ct, r.body_mut().with_config().limit(64 * 1024 * 1024).read_to_vec().unwrap())
    }
}

pub fn http(
    agent: &ureq::Agent,
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = ureq::http::Request::builder().method(method).uri(format!("{base}{path}"));
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = if method == "GET" || method == "DELETE" {
        agent.run(req.body(()).unwrap())
    } else {
        let json = serde_json::to_vec(&body.unwrap_or(json!({}))).unwrap();
        agent.run(req.header("Content-Type", "application/json").body(json).unwrap())
    };
    let mut resp = resp.expect("HTTP answers");
    let status = resp.status().as_u16();
    let text = resp.body_mut().with_config().limit(64 * 1024 * 1024).read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
