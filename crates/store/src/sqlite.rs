//! The embedded SQLite store: WAL with `synchronous=FULL` (durable before acknowledged), the
//! group-commit writer of [`crate::writer`] on one connection, and a pool of read connections.

use crate::writer::{self, Conn};
use crate::{Backend, Job, Result, Row, StoreError, Tx, Value, sqlite_sql};
use rusqlite::{Connection, OpenFlags, types::ValueRef};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};

pub(crate) struct Sqlite {
    sender: Mutex<mpsc::Sender<Job>>,
    path: PathBuf,
    readers: Mutex<Vec<SqliteConn>>,
}

fn db_err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        let m = msg.clone().unwrap_or_default();
        match f.extended_code {
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                return StoreError::Unique(m);
            }
            rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return StoreError::ForeignKey(m),
            _ => {}
        }
    }
    StoreError::Db(e.to_string())
}

fn configure(c: &Connection) -> Result<()> {
    c.busy_timeout(std::time::Duration::from_secs(10)).map_err(db_err)?;
    // The writer's multi-row audit inserts come in up to 32 shapes; keep them all prepared.
    c.set_prepared_statement_cache_capacity(256);
    c.execute_batch(&format!(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;
         PRAGMA cache_size=-{}; PRAGMA temp_store=MEMORY;",
        cache_kib()
    ))
    .map_err(db_err)
}

/// A pooled reader: a page holds twenty-odd statements, more than rusqlite's sixteen prepared by
/// default (each request re-parsed and re-planned some). Its page cache stays SQLite's default
/// (2 MB): up to sixteen readers are pooled, and 8 MB each took the server past 300 MB RSS
/// under load with no gain measured (BENCHMARKS.md).
fn configure_reader(c: &Connection) -> Result<()> {
    c.busy_timeout(std::time::Duration::from_secs(10)).map_err(db_err)?;
    c.set_prepared_statement_cache_capacity(256);
    c.execute_batch("PRAGMA temp_store=MEMORY;").map_err(db_err)
}

/// Each connection's page cache, in KiB: 32 MB unless `NOVETO_SQLITE_CACHE_MB` says otherwise
/// (the province-sized generator keeps its random-key indexes in memory with a few gigabytes,
/// once the store outgrows the machine's page cache; BENCHMARKS.md).
fn cache_kib() -> u64 {
    std::env::var("NOVETO_SQLITE_CACHE_MB")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|mb| (1..=65_536).contains(mb))
        .map_or(32_000, |mb| mb * 1024)
}

pub(crate) struct SqliteConn(Connection);

fn to_sql(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Int(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(f) => rusqlite::types::Value::Real(*f),
        Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
    }
}

impl Tx for SqliteConn {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        crate::check_params(params)?;
        let mut st = self.0.prepare_cached(&sqlite_sql(sql)).map_err(db_err)?;
        let p: Vec<_> = params.iter().map(to_sql).collect();
        Ok(st.execute(rusqlite::params_from_iter(p)).map_err(db_err)? as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        crate::watch::query(sql, || self.query_now(sql, params))
    }

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }
}

impl SqliteConn {
    fn query_now(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        crate::check_params(params)?;
        let mut st = self.0.prepare_cached(&sqlite_sql(sql)).map_err(db_err)?;
        let n = st.column_count();
        let p: Vec<_> = params.iter().map(to_sql).collect();
        let mut rows = st.query(rusqlite::params_from_iter(p)).map_err(db_err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(db_err)? {
            let mut v = Vec::with_capacity(n);
            for i in 0..n {
                v.push(match r.get_ref(i).map_err(db_err)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(i) => Value::Int(i),
                    ValueRef::Real(f) => Value::Real(f),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Text(String::from_utf8_lossy(b).into_owned()),
                });
            }
            out.push(Row(v));
        }
        Ok(out)
    }
}

impl Conn for SqliteConn {
    fn batch(&mut self, sql: &str) -> Result<()> {
        self.0.execute_batch(sql).map_err(db_err)
    }
    fn begin_sql(&self) -> &'static str {
        "BEGIN IMMEDIATE"
    }
}

/// The query planner's statistics, sampled (a fraction of a second at ten million rows): without
/// them SQLite takes `entity = 'case'` for a selective index and reads a million deadlines to
/// find the few running ones (issue 27).
fn analyze(c: &Connection) -> Result<()> {
    c.execute_batch("PRAGMA analysis_limit = 400; ANALYZE;").map_err(db_err)
}

/// Whether the planner has statistics worth keeping: `sqlite_stat1` has rows, and they were not
/// taken while the store held no case though it holds some now (statistics of an empty store
/// tell the planner every table is empty: it then walks whole tables to find a few rows — the
/// generator fell to half its speed by 400,000 cases).
fn has_statistics(c: &Connection) -> Result<bool> {
    let table: i64 = c
        .query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'", [], |r| {
            r.get(0)
        })
        .map_err(db_err)?;
    if table == 0 {
        return Ok(false);
    }
    let rows: i64 = c.query_row("SELECT COUNT(*) FROM sqlite_stat1", [], |r| r.get(0)).map_err(db_err)?;
    // Each index's row begins with the entries it holds: a partial one (the handoffs waiting,
    // the unplaced matters) may rightly hold none, so the cases counted are the most any holds.
    let cases: Option<i64> = c
        .query_row("SELECT MAX(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = 'cases'", [], |r| r.get(0))
        .map_err(db_err)?;
    let counted_empty = cases.is_none_or(|n| n == 0);
    let holds_cases: bool = c.query_row("SELECT EXISTS (SELECT 1 FROM cases)", [], |r| r.get(0)).map_err(db_err)?;
    Ok(rows > 0 && !(counted_empty && holds_cases))
}

/// The tables that outgrew their statistics ([`crate::outgrew`]): their highest id against the
/// rows the statistics counted (the most any of their indexes holds). The trigram index's own
/// tables are left out.
fn grown_tables(c: &Connection) -> Result<Vec<String>> {
    let mut q = c
        .prepare(
            "SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
                AND m.name NOT LIKE 'cases_fts%' AND m.sql NOT LIKE 'CREATE VIRTUAL%'
                AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'id') ORDER BY m.name",
        )
        .map_err(db_err)?;
    let tables: Vec<String> =
        q.query_map([], |r| r.get(0)).map_err(db_err)?.collect::<std::result::Result<_, _>>().map_err(db_err)?;
    let mut out = vec![];
    for t in tables {
        let counted: Option<i64> = c
            .query_row("SELECT MAX(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = ?1", [&t], |r| r.get(0))
            .map_err(db_err)?;
        let highest: Option<i64> = c
            .query_row(&format!("SELECT MAX(id) FROM \"{}\"", t.replace('"', "\"\"")), [], |r| r.get(0))
            .map_err(db_err)?;
        if crate::outgrew(highest.unwrap_or(0), counted.unwrap_or(0)) {
            out.push(t);
        }
    }
    Ok(out)
}

fn migrate(conn: &mut SqliteConn) -> Result<()> {
    conn.0
        .execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")
        .map_err(db_err)?;
    for (v, sql) in crate::MIGRATIONS_SQLITE {
        let done: i64 = conn
            .0
            .query_row("SELECT COUNT(*) FROM schema_migrations WHERE version = ?1", [v], |r| r.get(0))
            .map_err(db_err)?;
        if done == 0 {
            // The SQL, the step it needs in Rust, and the version: one transaction.
            let r = conn
                .0
                .execute_batch(&format!("BEGIN IMMEDIATE; {sql};"))
                .map_err(db_err)
                .and_then(|()| crate::migration_step(*v, conn))
                .and_then(|()| {
                    conn.0
                        .execute_batch(&format!("INSERT INTO schema_migrations VALUES ({v}); COMMIT;"))
                        .map_err(db_err)
                });
            if r.is_err() {
                let _ = conn.0.execute_batch("ROLLBACK");
            }
            r?;
        }
    }
    Ok(())
}

impl Sqlite {
    pub(crate) fn open(path: &Path, shared: Arc<writer::Shared>) -> Result<Sqlite> {
        // The store holds personal data: the file (and so its WAL and shared-memory files,
        // which SQLite creates with the database's mode) is readable by its owner only.
        #[cfg(unix)]
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| StoreError::Unavailable(format!("无法创建 {}：{e}", path.display())))?;
        }
        let c = Connection::open(path).map_err(db_err)?;
        configure(&c)?;
        let mut conn = SqliteConn(c);
        migrate(&mut conn)?;
        // Statistics once, when the store has none; after that the server refreshes them every
        // six hours (`refresh_statistics`) and `demo --scale` after filling. ANALYZE on every
        // open read 8 GB of a ten-million-case store with this SQLite (3.50), for 10 s to 4 min —
        // before each CLI command and the server's start.
        if !has_statistics(&conn.0)? {
            analyze(&conn.0)?;
        }
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("noveto-sqlite-writer".into())
            .spawn(move || writer::run(&mut conn, Arc::new(Mutex::new(rx)), shared))
            .map_err(|e| StoreError::Db(e.to_string()))?;
        Ok(Sqlite { sender: Mutex::new(tx), path: path.to_path_buf(), readers: Mutex::new(Vec::new()) })
    }

    /// Refreshes the planner's statistics on a connection of its own (the writer keeps writing;
    /// ANALYZE waits its turn for the lock).
    pub(crate) fn refresh_statistics(&self) -> Result<()> {
        let c = Connection::open(&self.path).map_err(db_err)?;
        c.busy_timeout(std::time::Duration::from_secs(30)).map_err(db_err)?;
        analyze(&c)
    }

    /// Refreshes the statistics only when there are none worth keeping (see [`has_statistics`]);
    /// returns whether it did.
    pub(crate) fn refresh_stale_statistics(&self) -> Result<bool> {
        let c = Connection::open(&self.path).map_err(db_err)?;
        c.busy_timeout(std::time::Duration::from_secs(30)).map_err(db_err)?;
        if !has_statistics(&c)? {
            return analyze(&c).map(|()| true);
        }
        // Each table that outgrew its statistics, alone (ANALYZE of a whole store at ten million
        // cases holds the write lock for minutes; a table of filings, a moment).
        let grown = grown_tables(&c)?;
        for t in &grown {
            c.execute_batch(&format!("PRAGMA analysis_limit = 400; ANALYZE \"{}\";", t.replace('"', "\"\"")))
                .map_err(db_err)?;
        }
        Ok(!grown.is_empty())
    }

    pub(crate) fn submit(&self, job: Job) -> Result<()> {
        self.sender
            .lock()
            .map_err(|_| StoreError::Unavailable("写入通道已损坏".into()))?
            .send(job)
            .map_err(|_| StoreError::Unavailable("写入线程已停止".into()))
    }

    pub(crate) fn run_read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        let pooled = self.readers.lock().ok().and_then(|mut v| v.pop());
        let mut conn = match pooled {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(db_err)?;
                configure_reader(&c)?;
                SqliteConn(c)
            }
        };
        conn.batch("BEGIN")?;
        let r = f(&mut conn);
        let _ = conn.batch("COMMIT");
        if let Ok(mut v) = self.readers.lock()
            && v.len() < 16
        {
            v.push(conn);
        }
        r
    }
}
