//! The embedded SQLite store: WAL with `synchronous=FULL` (durable before acknowledged), one
//! writer thread that groups concurrent writes into one commit, and a pool of readers.
//!
//! Invariant: a caller of `write` is answered only after the `COMMIT` of the batch that holds
//! its change has returned; each job runs in its own savepoint, so one job's error undoes only
//! that job.

use crate::{Backend, Delivery, Job, Result, Row, StoreError, Tx, Value, sqlite_sql};
use rusqlite::{Connection, OpenFlags, types::ValueRef};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};

/// How many jobs one commit may carry at most.
const MAX_BATCH: usize = 512;

pub(crate) struct Sqlite {
    sender: Mutex<mpsc::Sender<Job>>,
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
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
    c.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;
         PRAGMA cache_size=-32000; PRAGMA temp_store=MEMORY;",
    )
    .map_err(db_err)
}

struct SqliteTx<'a>(&'a Connection);

fn to_sql(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Int(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(f) => rusqlite::types::Value::Real(*f),
        Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
    }
}

impl Tx for SqliteTx<'_> {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let mut st = self.0.prepare_cached(&sqlite_sql(sql)).map_err(db_err)?;
        let p: Vec<_> = params.iter().map(to_sql).collect();
        Ok(st.execute(rusqlite::params_from_iter(p)).map_err(db_err)? as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
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

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }
}

fn migrate(c: &Connection) -> Result<()> {
    c.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)").map_err(db_err)?;
    for (v, sql) in crate::MIGRATIONS_SQLITE {
        let done: i64 = c
            .query_row("SELECT COUNT(*) FROM schema_migrations WHERE version = ?1", [v], |r| r.get(0))
            .map_err(db_err)?;
        if done == 0 {
            c.execute_batch(&format!("BEGIN IMMEDIATE; {sql}; INSERT INTO schema_migrations VALUES ({v}); COMMIT;"))
                .map_err(db_err)?;
        }
    }
    Ok(())
}

impl Sqlite {
    pub(crate) fn open(path: &Path) -> Result<Sqlite> {
        let c = Connection::open(path).map_err(db_err)?;
        configure(&c)?;
        migrate(&c)?;
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("noveto-sqlite-writer".into())
            .spawn(move || writer(c, rx))
            .map_err(|e| StoreError::Db(e.to_string()))?;
        Ok(Sqlite { sender: Mutex::new(tx), path: path.to_path_buf(), readers: Mutex::new(Vec::new()) })
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
        let conn = match pooled {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(db_err)?;
                c.busy_timeout(std::time::Duration::from_secs(10)).map_err(db_err)?;
                c
            }
        };
        conn.execute_batch("BEGIN").map_err(db_err)?;
        let r = f(&mut SqliteTx(&conn));
        let _ = conn.execute_batch("COMMIT");
        if let Ok(mut v) = self.readers.lock()
            && v.len() < 16
        {
            v.push(conn);
        }
        r
    }
}

fn writer(c: Connection, rx: mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let mut deliveries: Vec<Delivery> = Vec::with_capacity(batch.len());
        let begin = c.execute_batch("BEGIN IMMEDIATE").map_err(db_err);
        if let Err(e) = begin {
            for job in batch {
                // The job never ran; tell its caller why.
                let (_, d) = run_failed(job, &c);
                d(Err(e.clone()));
            }
            continue;
        }
        for job in batch {
            let sp = c.execute_batch("SAVEPOINT job");
            if sp.is_err() {
                let (_, d) = run_failed(job, &c);
                deliveries.push((false, d));
                continue;
            }
            let (ok, d) = job(&mut SqliteTx(&c));
            if ok {
                let _ = c.execute_batch("RELEASE job");
            } else {
                let _ = c.execute_batch("ROLLBACK TO job; RELEASE job");
            }
            deliveries.push((ok, d));
        }
        let commit = c.execute_batch("COMMIT").map_err(db_err);
        if commit.is_err() {
            let _ = c.execute_batch("ROLLBACK");
        }
        for (_, d) in deliveries {
            d(commit.clone());
        }
    }
}

/// A job that cannot run still has to answer its caller: run it against a transaction that
/// refuses everything, so its own error path reports.
fn run_failed(job: Job, _c: &Connection) -> Delivery {
    struct Refuse;
    impl Tx for Refuse {
        fn exec(&mut self, _: &str, _: &[Value]) -> Result<u64> {
            Err(StoreError::Unavailable("数据库忙，请稍后重试".into()))
        }
        fn query(&mut self, _: &str, _: &[Value]) -> Result<Vec<Row>> {
            Err(StoreError::Unavailable("数据库忙，请稍后重试".into()))
        }
        fn backend(&self) -> Backend {
            Backend::Sqlite
        }
    }
    job(&mut Refuse)
}
