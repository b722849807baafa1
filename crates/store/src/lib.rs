//! Persistence: SQLite (embedded, default) and PostgreSQL behind one [`Store`].
//!
//! Every repository function in [`repo`] is written once against [`Tx`], a small SQL
//! interface that both backends implement; the SQL text uses `$1…` placeholders and types that
//! both understand (BIGINT, TEXT), so behaviour is the same on both (DESIGN invariant 5).
//!
//! Writes go through [`Store::write`]: the closure runs inside a transaction together with its
//! audit entry, and the caller is answered only after the durable commit (invariant 2). On
//! SQLite one writer thread groups concurrent writes into one commit, one savepoint each.

mod pg;
pub mod repo;
mod sqlite;
mod writer;

use noveto_domain::audit::AuditKey;
use serde::de::DeserializeOwned;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// A SQL value as both backends see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Value {
        Value::Int(v as i64)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Int(v as i64)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(v.clone())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// Builds a parameter list: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    ($($x:expr),* $(,)?) => { &[$($crate::Value::from($x)),*][..] };
}

#[derive(Debug, Clone)]
pub struct Row(pub Vec<Value>);

impl Row {
    pub fn i64(&self, i: usize) -> i64 {
        match &self.0[i] {
            Value::Int(v) => *v,
            Value::Real(v) => *v as i64,
            Value::Text(s) => s.parse().unwrap_or(0),
            Value::Null => 0,
        }
    }
    pub fn opt_i64(&self, i: usize) -> Option<i64> {
        match &self.0[i] {
            Value::Null => None,
            _ => Some(self.i64(i)),
        }
    }
    pub fn bool(&self, i: usize) -> bool {
        self.i64(i) != 0
    }
    pub fn str(&self, i: usize) -> String {
        self.opt_str(i).unwrap_or_default()
    }
    pub fn opt_str(&self, i: usize) -> Option<String> {
        match &self.0[i] {
            Value::Text(s) => Some(s.clone()),
            Value::Int(v) => Some(v.to_string()),
            Value::Real(v) => Some(v.to_string()),
            Value::Null => None,
        }
    }
    pub fn f64(&self, i: usize) -> f64 {
        match &self.0[i] {
            Value::Real(v) => *v,
            Value::Int(v) => *v as f64,
            _ => 0.0,
        }
    }
    pub fn json<T: DeserializeOwned>(&self, i: usize) -> Result<T, StoreError> {
        serde_json::from_str(&self.str(i)).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("数据库错误：{0}")]
    Db(String),
    /// A unique constraint of the database refused a row (its raw message, for the log).
    #[error("数据重复：{0}")]
    Unique(String),
    /// Someone else changed the record since it was read (a version guard, a decision already
    /// taken, a serialization failure): nothing of the job was kept. The message is for people.
    #[error("{0}")]
    Conflict(String),
    /// The record exists already (a login taken, a month already filed). The message is for people.
    #[error("{0}")]
    Duplicate(String),
    #[error("关联的数据不存在：{0}")]
    ForeignKey(String),
    #[error("存储的数据无法读取：{0}")]
    Corrupt(String),
    #[error("存储不可用：{0}")]
    Unavailable(String),
    /// A job changed a table of record without an audit entry; the writer did not commit it.
    /// Always a defect in noveto, never the user's doing.
    #[error("未留审计记录的修改被拒绝（{0}）")]
    Unaudited(String),
    /// A value no store keeps (a NUL character in a text): the user's input, refused alike on
    /// both backends before any statement runs.
    #[error("{0}")]
    Invalid(String),
}

/// Refuses a text holding a NUL character before it reaches a database: PostgreSQL cannot
/// store one, so neither store takes it (the same answer on both).
pub(crate) fn check_params(params: &[Value]) -> Result<()> {
    if params.iter().any(|p| matches!(p, Value::Text(t) if t.contains('\0'))) {
        return Err(StoreError::Invalid("输入中含有不允许的控制字符（NUL），请删除后重试".into()));
    }
    Ok(())
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Slow queries and chatty reads, told to whoever runs the server (issue 27): a query slower than
/// `NOVETO_SLOW_QUERY_MS` (default 200) is logged with its SQL, and so is a read that ran more than
/// 500 queries (a list that asks once per row) or took longer than the threshold.
pub(crate) mod watch {
    use std::cell::{Cell, RefCell};
    use std::time::Instant;

    thread_local! {
        static QUERIES: Cell<u32> = const { Cell::new(0) };
        static CHATTY: RefCell<String> = const { RefCell::new(String::new()) };
    }

    fn threshold_ms() -> u128 {
        static T: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
        *T.get_or_init(|| std::env::var("NOVETO_SLOW_QUERY_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(200))
    }

    pub(crate) fn query<T>(sql: &str, f: impl FnOnce() -> T) -> T {
        let n = QUERIES.with(|q| {
            q.set(q.get() + 1);
            q.get()
        });
        if n == 500 {
            CHATTY.with(|c| *c.borrow_mut() = sql.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        let t = Instant::now();
        let r = f();
        let ms = t.elapsed().as_millis();
        if ms >= threshold_ms() {
            tracing::warn!(ms = ms as u64, sql = %sql.split_whitespace().collect::<Vec<_>>().join(" "), "slow query");
        }
        r
    }

    pub(crate) fn read<T>(f: impl FnOnce() -> T) -> T {
        let before = QUERIES.with(|q| q.replace(0));
        let t = Instant::now();
        let r = f();
        let ms = t.elapsed().as_millis();
        let n = QUERIES.with(|q| q.replace(before));
        if n >= 500 || ms >= threshold_ms() {
            let sql = CHATTY.with(|c| std::mem::take(&mut *c.borrow_mut()));
            tracing::warn!(ms = ms as u64, queries = n, repeated = %sql, "slow read");
        }
        r
    }
}

/// Runs `sql` once per 500 of `values`, with `{in}` replaced by their placeholders from `$1`
/// (a statement's parameters are bounded): the rows of every run. One read for a page's names
/// or a scope's places, not one per name or place.
pub(crate) fn query_in(tx: &mut dyn Tx, sql: &str, values: &[Value]) -> Result<Vec<Row>> {
    let mut out = vec![];
    for chunk in values.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        out.extend(tx.query(&sql.replace("{in}", &marks.join(", ")), chunk)?);
    }
    Ok(out)
}

/// A migration step over a table of any size: `sql` (rows with an id above `$1`, by id, a few
/// thousand at most) read batch after batch to the end, each row handed to `each`.
pub(crate) fn each_in_batches(
    tx: &mut dyn Tx,
    sql: &str,
    mut each: impl FnMut(&mut dyn Tx, &Row) -> Result<()>,
) -> Result<()> {
    let mut after = 0i64;
    loop {
        let rows = tx.query(sql, params![after])?;
        let Some(last) = rows.last() else { return Ok(()) };
        after = last.i64(0);
        for r in &rows {
            each(tx, r)?;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One transaction, on either backend.
pub trait Tx {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>>;
    fn backend(&self) -> Backend;

    /// Like `exec`, for a statement whose row count nobody reads: PostgreSQL sends it ahead,
    /// pipelined with the next statement, and an error fails the write all the same (at the
    /// latest when the writer settles the job, before its savepoint is released).
    fn exec_ahead(&mut self, sql: &str, params: &[Value]) -> Result<()> {
        self.exec(sql, params).map(|_| ())
    }

    fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
    /// Appends an entry to the audit chain of this transaction (DESIGN invariant 2). Only the
    /// writer's transactions take entries; it chains and writes them before its commit.
    fn audit(&mut self, _entry: AuditEntry) -> Result<()> {
        Err(StoreError::Db("只读事务不能写入审计记录".into()))
    }
    /// Declares this job a verbatim copy of rows whose audit entries travel with them (restoring
    /// a backup, chain and all): the writer then lets it change tables of record without a new
    /// entry. Only `repo::backup::load` calls it (a source test keeps it so); tests that forge a
    /// change "behind the product's back" call it to play the intruder.
    fn verbatim(&mut self) {}
    /// The first audit entry this job wrote: (entity, id), for marking a retried request done
    /// in the same transaction (`None` outside the writer, or when it wrote none).
    fn job_audited(&self) -> Option<(String, i64)> {
        None
    }
    /// `INSERT … RETURNING id` on both backends.
    fn insert(&mut self, sql: &str, params: &[Value]) -> Result<i64> {
        let row = self.query_one(sql, params)?.ok_or_else(|| StoreError::Db("INSERT returned no id".into()))?;
        Ok(row.i64(0))
    }
}

/// An audit entry before the writer gives it its place in the chain.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub at: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    pub detail: String,
}

type Job = Box<dyn FnOnce(&mut dyn Tx) -> Delivery + Send>;
/// Runs once the batch's commit is known: sends the closure's result, or the commit error.
type Delivery = (bool, Box<dyn FnOnce(Result<()>) + Send>);

enum Inner {
    Sqlite(sqlite::Sqlite),
    Pg(pg::Pg),
}

/// A retried request's key (`Idempotency-Key`), set around the request by the server: every write
/// the request makes that changes a record also marks the key done, in the same transaction
/// (`repo::idempotency::mark_done`), so a crash can never leave the change without the key.
#[derive(Clone, Debug)]
pub struct RequestKey {
    pub caller: String,
    pub key: String,
    /// This attempt of the request (a retry after a crash takes the key over with a new one).
    pub attempt: String,
}

tokio::task_local! {
    static REQUEST_KEY: RequestKey;
}

tokio::task_local! {
    static MAY_LAG: bool;
}

/// Runs `f` with its reads allowed to lag the primary by a moment: a PostgreSQL streaming replica
/// serves them when the store has one (`NOVETO_PG_READ_URL`). Month-end reports and searches
/// run so, and never slow the halls' writes; writes inside `f` still go to the primary. Without a
/// replica (and on SQLite) nothing changes.
pub async fn may_lag<F: std::future::Future>(f: F) -> F::Output {
    MAY_LAG.scope(true, f).await
}

/// Runs `f` with `key` as the request's key for every store write inside it.
pub async fn with_request_key<F: std::future::Future>(key: RequestKey, f: F) -> F::Output {
    REQUEST_KEY.scope(key, f).await
}

/// Whether a table outgrew the planner's statistics of it: it holds at least a thousand rows (by
/// its highest id) and more than twice the rows they counted. A table counted small — filings
/// counted at three while a generator or a hall's first months file thousands — sends the
/// planner scanning it where its index would read a few rows; each such table is analysed
/// alone, at the ten-minute check, not with the whole store.
pub(crate) fn outgrew(highest_id: i64, counted: i64) -> bool {
    highest_id >= 1000 && highest_id > 2 * counted.max(0)
}

/// A handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
    /// The organisation's generation and the audit key, shared with the writers.
    shared: Arc<writer::Shared>,
}

pub const MIGRATIONS_SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../migrations/sqlite/0002_versions_idempotency.sql")),
    (3, include_str!("../migrations/sqlite/0003_login_address.sql")),
    (4, include_str!("../migrations/sqlite/0004_session_idle_audit_mac.sql")),
    (5, include_str!("../migrations/sqlite/0005_withdrawals.sql")),
    (6, include_str!("../migrations/sqlite/0006_monthly_filings.sql")),
    (7, include_str!("../migrations/sqlite/0007_suggestions_search_use.sql")),
    (8, include_str!("../migrations/sqlite/0008_unresolved.sql")),
    (9, include_str!("../migrations/sqlite/0009_endings.sql")),
    (10, include_str!("../migrations/sqlite/0010_idempotency_in_the_write.sql")),
    (11, include_str!("../migrations/sqlite/0011_one_ticket_shape.sql")),
    (12, include_str!("../migrations/sqlite/0012_ratings.sql")),
    (13, include_str!("../migrations/sqlite/0013_query_columns.sql")),
    (14, include_str!("../migrations/sqlite/0014_at_a_million.sql")),
    (15, include_str!("../migrations/sqlite/0015_identity_numbers.sql")),
    (16, include_str!("../migrations/sqlite/0016_withdrawals_pending.sql")),
    (17, include_str!("../migrations/sqlite/0017_prescreens.sql")),
    (18, include_str!("../migrations/sqlite/0018_commitment_checks.sql")),
    (19, include_str!("../migrations/sqlite/0019_commitment_deadlines.sql")),
    (20, include_str!("../migrations/sqlite/0020_bundles.sql")),
    (21, include_str!("../migrations/sqlite/0021_outcome_closed.sql")),
    (22, include_str!("../migrations/sqlite/0022_fts_only_on_change.sql")),
    (23, include_str!("../migrations/sqlite/0023_fts_queue.sql")),
    (24, include_str!("../migrations/sqlite/0024_escalations_case.sql")),
    (25, include_str!("../migrations/sqlite/0025_outbox_lease.sql")),
    (26, include_str!("../migrations/sqlite/0026_filings_alike.sql")),
    (27, include_str!("../migrations/sqlite/0027_ticket_days.sql")),
    (28, include_str!("../migrations/sqlite/0028_workbench_views.sql")),
    (29, include_str!("../migrations/sqlite/0029_handoffs_waiting.sql")),
    (30, include_str!("../migrations/sqlite/0030_name_with_place.sql")),
    (31, include_str!("../migrations/sqlite/0031_vetoes_by_month.sql")),
    (32, include_str!("../migrations/sqlite/0032_place_by_id.sql")),
    (33, include_str!("../migrations/sqlite/0033_rating_counts.sql")),
    (34, include_str!("../migrations/sqlite/0034_deadline_counts.sql")),
];
pub const MIGRATIONS_PG: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (2, include_str!("../migrations/postgres/0002_versions_idempotency.sql")),
    (3, include_str!("../migrations/postgres/0003_login_address.sql")),
    (4, include_str!("../migrations/postgres/0004_session_idle_audit_mac.sql")),
    (5, include_str!("../migrations/postgres/0005_withdrawals.sql")),
    (6, include_str!("../migrations/postgres/0006_monthly_filings.sql")),
    (7, include_str!("../migrations/postgres/0007_suggestions_search_use.sql")),
    (8, include_str!("../migrations/postgres/0008_unresolved.sql")),
    (9, include_str!("../migrations/postgres/0009_endings.sql")),
    (10, include_str!("../migrations/postgres/0010_idempotency_in_the_write.sql")),
    (11, include_str!("../migrations/postgres/0011_one_ticket_shape.sql")),
    (12, include_str!("../migrations/postgres/0012_ratings.sql")),
    (13, include_str!("../migrations/postgres/0013_query_columns.sql")),
    (14, include_str!("../migrations/postgres/0014_at_a_million.sql")),
    (15, include_str!("../migrations/postgres/0015_identity_numbers.sql")),
    (16, include_str!("../migrations/postgres/0016_withdrawals_pending.sql")),
    (17, include_str!("../migrations/postgres/0017_prescreens.sql")),
    (18, include_str!("../migrations/postgres/0018_commitment_checks.sql")),
    (19, include_str!("../migrations/postgres/0019_commitment_deadlines.sql")),
    (20, include_str!("../migrations/postgres/0020_bundles.sql")),
    (21, include_str!("../migrations/postgres/0021_outcome_closed.sql")),
    // 22 and 23 are SQLite's trigram index (PostgreSQL has pg_trgm): the numbers stay one per change.
    (24, include_str!("../migrations/postgres/0024_escalations_case.sql")),
    (25, include_str!("../migrations/postgres/0025_outbox_lease.sql")),
    (26, include_str!("../migrations/postgres/0026_filings_alike.sql")),
    (27, include_str!("../migrations/postgres/0027_ticket_days.sql")),
    (28, include_str!("../migrations/postgres/0028_workbench_views.sql")),
    (29, include_str!("../migrations/postgres/0029_handoffs_waiting.sql")),
    (30, include_str!("../migrations/postgres/0030_name_with_place.sql")),
    (31, include_str!("../migrations/postgres/0031_vetoes_by_month.sql")),
    (32, include_str!("../migrations/postgres/0032_place_by_id.sql")),
    (33, include_str!("../migrations/postgres/0033_rating_counts.sql")),
    (34, include_str!("../migrations/postgres/0034_deadline_counts.sql")),
];

/// What a migration needs beyond its SQL, run in its transaction after the SQL: a column that
/// only the domain's rules can fill.
pub(crate) fn migration_step(version: i64, tx: &mut dyn Tx) -> Result<()> {
    match version {
        14 => mark_answers_that_say_no(tx),
        26 => repo::cases::key_filed_reasons(tx),
        _ => Ok(()),
    }
}

/// Migration 14: the stored answers (a consultation's, an escalation's) that say no get their
/// `flagged` column, by the same check the domain applies to a new one (`Event::flagged`).
fn mark_answers_that_say_no(tx: &mut dyn Tx) -> Result<()> {
    each_in_batches(
        tx,
        "SELECT id, kind, detail FROM case_events WHERE id > $1
           AND (kind = 'escalation_answered' OR (kind = 'closed' AND tag = 'answered'))
         ORDER BY id LIMIT 5000",
        |tx, r| {
            let detail: serde_json::Value = serde_json::from_str(&r.str(2)).unwrap_or_default();
            let field = if r.str(1) == "closed" { "note" } else { "answer" };
            if noveto_domain::phrases::says_no(detail[field].as_str().unwrap_or("")) {
                tx.exec("UPDATE case_events SET flagged = 1 WHERE id = $1", params![r.i64(0)])?;
            }
            Ok(())
        },
    )
}

/// The tables, in an order that satisfies foreign keys (backup and restore use it).
pub const TABLES: &[&str] = &[
    "meta",
    "centers",
    "staff",
    "units",
    "windows",
    "grants",
    "tokens",
    "sessions",
    "login_failures",
    "audit",
    "audit_head",
    "calendar_years",
    "calendar_overrides",
    "cases",
    "case_events",
    "veto_requests",
    "withdrawals",
    "escalations",
    "filings",
    "monthly_filings",
    "deadlines",
    "jobs",
    "outbox",
    "items",
    "item_versions",
    "faq",
    "search_log",
    "suggestions",
    "unresolved",
    "complaints",
    "ticket_events",
    "hotline_orders",
    "reports",
    "ratings",
    "rectifications",
    "prescreens",
    "commitment_checks",
    "bundles",
];

impl Store {
    /// Opens (and migrates) the embedded SQLite store in `dir`.
    pub fn open_sqlite(dir: &Path) -> Result<Store> {
        let shared = Arc::new(writer::Shared::default());
        Ok(Store {
            inner: Arc::new(Inner::Sqlite(sqlite::Sqlite::open(&dir.join("noveto.db"), shared.clone())?)),
            shared,
        })
    }

    /// Opens (and migrates) a PostgreSQL store.
    pub fn open_postgres(url: &str) -> Result<Store> {
        Store::open_postgres_with_writers(url, pg::writers())
    }

    /// Opens a PostgreSQL store with `writers` writer connections (`NOVETO_PG_WRITERS` sets the
    /// default). Several servers on one database share its cores: together they want about as
    /// many writer connections as one server would have.
    pub fn open_postgres_with_writers(url: &str, writers: usize) -> Result<Store> {
        Store::open_postgres_full(url, writers, None)
    }

    /// Opens a PostgreSQL store whose lagging reads ([`may_lag`]) a streaming replica at
    /// `replica` serves.
    pub fn open_postgres_with_replica(url: &str, replica: &str) -> Result<Store> {
        Store::open_postgres_full(url, pg::writers(), Some(replica))
    }

    fn open_postgres_full(url: &str, writers: usize, replica: Option<&str>) -> Result<Store> {
        let shared = Arc::new(writer::Shared::default());
        Ok(Store { inner: Arc::new(Inner::Pg(pg::Pg::open(url, shared.clone(), writers, replica)?)), shared })
    }

    /// Whether lagging reads go to a replica.
    pub fn has_replica(&self) -> bool {
        matches!(&*self.inner, Inner::Pg(p) if p.has_replica())
    }

    /// `postgres://…` selects PostgreSQL; anything else is the SQLite store in `dir`.
    pub fn open(dir: &Path, database: Option<&str>) -> Result<Store> {
        Store::open_with_replica(dir, database, None)
    }

    /// [`Store::open`], with a PostgreSQL streaming replica for the lagging reads.
    pub fn open_with_replica(dir: &Path, database: Option<&str>, replica: Option<&str>) -> Result<Store> {
        let is_pg = |u: &str| u.starts_with("postgres://") || u.starts_with("postgresql://");
        match (database, replica) {
            (Some(url), Some(r)) if is_pg(url) && is_pg(r) => Store::open_postgres_with_replica(url, r),
            (_, Some(r)) if !is_pg(r) => Err(StoreError::Unavailable(format!(
                "不支持的只读副本地址“{}”：请使用 postgres://…",
                r.split('@').next_back().unwrap_or("")
            ))),
            (None, Some(_)) => Err(StoreError::Unavailable(
                "只读副本（NOVETO_PG_READ_URL）只用于 PostgreSQL 数据库；内置 SQLite 不需要它，请去掉该设置".into(),
            )),
            (Some(url), _) if is_pg(url) => Store::open_postgres(url),
            (Some(other), _) => Err(StoreError::Unavailable(format!(
                "不支持的数据库地址“{other}”：请使用 postgres://… 或省略 --database 使用内置 SQLite"
            ))),
            (None, None) => Store::open_sqlite(dir),
        }
    }

    pub fn backend(&self) -> Backend {
        match &*self.inner {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Pg(_) => Backend::Postgres,
        }
    }

    /// Runs `f` in a write transaction; answers after the durable commit. An `Err` from `f`
    /// undoes only `f`'s own changes.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, E> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, E>>();
        let key = REQUEST_KEY.try_with(|k| k.clone()).ok();
        let job: Job = Box::new(move |t: &mut dyn Tx| {
            let mut r = f(t);
            // The key is done in the transaction that changed the record, or not at all.
            if let (Ok(_), Some(k), Some((entity, id))) = (&r, &key, t.job_audited())
                && let Err(e) = repo::idempotency::mark_done(t, k, &entity, id)
            {
                r = Err(E::from(e));
            }
            let ok = r.is_ok();
            let deliver = Box::new(move |commit: Result<()>| {
                let out = match (r, commit) {
                    (Ok(v), Ok(())) => Ok(v),
                    (Ok(_), Err(e)) => Err(E::from(e)),
                    (Err(e), _) => Err(e),
                };
                let _ = tx.send(out);
            });
            (ok, deliver as Box<dyn FnOnce(Result<()>) + Send>)
        });
        match &*self.inner {
            Inner::Sqlite(s) => s.submit(job)?,
            Inner::Pg(p) => p.submit(job)?,
        }
        rx.await.map_err(|_| E::from(StoreError::Unavailable("写入线程已停止".into())))?
    }

    /// Runs `f` in a read transaction (a consistent snapshot).
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, E> + Send + 'static,
    {
        let this = self.clone();
        let lag = MAY_LAG.try_with(|l| *l).unwrap_or(false);
        tokio::task::spawn_blocking(move || match &*this.inner {
            Inner::Pg(p) if lag => watch::read(|| p.run_read_replica(f)),
            _ => this.read_blocking(f),
        })
        .await
        .map_err(|e| E::from(StoreError::Db(e.to_string())))?
    }

    /// The blocking form of [`Store::read`], for CLI commands and worker threads.
    pub fn read_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        E: From<StoreError>,
        F: FnOnce(&mut dyn Tx) -> Result<T, E>,
    {
        watch::read(|| match &*self.inner {
            Inner::Sqlite(s) => s.run_read(f),
            Inner::Pg(p) => p.run_read(f),
        })
    }

    /// The blocking form of [`Store::write`] (CLI).
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, E> + Send + 'static,
    {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| E::from(StoreError::Db(e.to_string())))?;
        rt.block_on(self.write(f))
    }

    /// A number that grows after every committed write that changed the organisation (a
    /// center, unit, window or staff member and their grants — told by the write's audit
    /// entries, so no writer can forget it). A cache of the organisation remembers the number it
    /// was filled under and is stale once it differs. Changes committed by another process (a
    /// second server on the same PostgreSQL) are not seen here: such caches also expire by age.
    pub fn org_generation(&self) -> u64 {
        self.shared.org.load(Ordering::SeqCst)
    }

    /// Signs every audit entry committed from now on with `key` (see
    /// [`noveto_domain::audit::AuditKey`]).
    pub fn set_audit_key(&self, key: AuditKey) {
        if let Ok(mut k) = self.shared.audit_key.write() {
            *k = Some(key);
        }
    }

    /// The audit key set on this handle, if any.
    pub fn audit_key(&self) -> Option<AuditKey> {
        self.shared.audit_key.read().ok().and_then(|k| k.clone())
    }

    /// Refreshes the query planner's statistics so that plans follow the data as it grows
    /// (a sampled ANALYZE on either store, also run at a start without statistics worth
    /// keeping: PostgreSQL's autovacuum keeps its own where it runs, and may not).
    pub async fn refresh_statistics(&self) -> Result<()> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || match &*this.inner {
            Inner::Sqlite(s) => s.refresh_statistics(),
            Inner::Pg(p) => p.refresh_statistics(),
        })
        .await
        .map_err(|e| StoreError::Db(e.to_string()))?
    }

    /// Refreshes the planner's statistics where they are stale: all of them if they were taken
    /// before the store held any case (SQLite) or never (PostgreSQL), else each table that
    /// outgrew them ([`outgrew`]) alone — and on a PostgreSQL server without autovacuum, vacuums
    /// the tables whose dead rows passed autovacuum's default threshold; returns whether it did.
    pub async fn refresh_stale_statistics(&self) -> Result<bool> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || match &*this.inner {
            Inner::Sqlite(s) => s.refresh_stale_statistics(),
            Inner::Pg(p) => p.refresh_stale_statistics(),
        })
        .await
        .map_err(|e| StoreError::Db(e.to_string()))?
    }

    /// Folds the rows of each key of the counts the database keeps (migrations 33 and 34) into
    /// one, on PostgreSQL, where every write adds a row of its own so that concurrent writers
    /// never wait on one another; returns how many keys it folded. It takes only rows
    /// committed before it began: a row written meanwhile stays, to be folded next time. SQLite
    /// keeps one row per key as it writes (one writer at a time): nothing to do.
    pub async fn fold_kept_counts(&self) -> Result<u64> {
        if !matches!(&*self.inner, Inner::Pg(_)) {
            return Ok(0);
        }
        self.write(|tx| {
            let mut folded = 0;
            for (table, key, sums) in [
                ("rating_counts", "quarter, center_id, unit_id, window_id, channel", "SUM(total), SUM(satisfied)"),
                ("deadline_counts", "due, center_id, unit_id, window_id", "SUM(live)"),
            ] {
                let on: Vec<String> = key.split(", ").map(|k| format!("t.{k} = k.{k}")).collect();
                // A key whose rows add up to nothing is dropped.
                folded += tx.exec(
                    &format!(
                        "WITH k AS (SELECT {key} FROM {table} GROUP BY {key} HAVING COUNT(*) > 1 OR {first} = 0),
                              gone AS (DELETE FROM {table} t USING k WHERE {on} RETURNING t.*)
                         INSERT INTO {table} SELECT {key}, {sums} FROM gone GROUP BY {key} HAVING {first} <> 0",
                        first = sums.split(", ").next().unwrap_or_default(),
                        on = on.join(" AND "),
                    ),
                    &[],
                )?;
            }
            Ok(folded)
        })
        .await
    }

    /// Indexes the cases queued for SQLite's trigram index (migration 23) in batches of a few
    /// thousand, one write each, until the queue is empty; returns how many. Search reads the
    /// queue itself meanwhile, so this keeps search fast, never right. PostgreSQL's `pg_trgm`
    /// index is kept by the database: nothing to do.
    pub async fn index_pending(&self) -> Result<u64> {
        if !matches!(&*self.inner, Inner::Sqlite(_)) {
            return Ok(0);
        }
        let mut total = 0;
        loop {
            let n: u64 = self.write(|tx| repo::cases::index_queued(tx, 5000)).await?;
            total += n;
            if n < 5000 {
                return Ok(total);
            }
        }
    }

    /// Is the store answering?
    pub async fn ping(&self) -> Result<()> {
        self.read(|tx| tx.query("SELECT 1", &[]).map(|_| ())).await
    }
}

/// Turns `$1` placeholders into SQLite's `?1`.
pub(crate) fn sqlite_sql(sql: &str) -> std::borrow::Cow<'_, str> {
    if !sql.contains('$') {
        return sql.into();
    }
    sql.replace('$', "?").into()
}
