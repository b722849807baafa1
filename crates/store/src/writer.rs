//! The group-commit writer both backends use: a thread per connection, and every write that
//! arrives while a commit is in flight goes into the next one. SQLite runs one such thread;
//! PostgreSQL runs several on one shared queue, so that one batch executes while another commits.
//!
//! Invariant (DESIGN 2): a caller is answered only after the `COMMIT` of the batch holding its
//! change has returned. Each job runs in its own savepoint, so one job's error undoes only that
//! job; a failed commit fails every job of the batch (none of them is acknowledged).
//!
//! The audit chain is sealed here, once per batch: the jobs hand their entries to the batch's
//! [`Tx::audit`], and just before `COMMIT` the writer reserves a range of sequence numbers on the
//! `audit_head` row, chains the entries of the jobs that succeeded, and inserts them. The head
//! row is therefore locked only from sealing to commit, not for a whole batch, and no job can
//! change state without its entries being written in the same transaction.

use crate::{AuditEntry, Backend, Job, Result, Row, StoreError, Tx, Value, params};

/// What answers a job's caller once the batch's commit is known.
type Answer = Box<dyn FnOnce(Result<()>) + Send>;
use noveto_domain::audit::AuditKey;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, mpsc};

/// What a store's writers share with its handle.
#[derive(Default)]
pub(crate) struct Shared {
    /// Committed changes of the organisation (see `Store::org_generation`).
    pub org: AtomicU64,
    /// The key that signs each audit entry, once set (see `Store::set_audit_key`).
    pub audit_key: RwLock<Option<AuditKey>>,
}

/// Audit entities whose change is a change of the organisation: who may do what where.
pub const ORG_ENTITIES: &[&str] = &["center", "unit", "window", "staff"];

/// How many jobs one commit may carry at most.
const MAX_BATCH: usize = 512;
/// Audit rows per multi-row INSERT (9 parameters each).
const AUDIT_CHUNK: usize = 32;

/// A connection the writer can drive.
pub(crate) trait Conn: Tx {
    /// Runs SQL without results (BEGIN, SAVEPOINT, COMMIT …).
    fn batch(&mut self, sql: &str) -> Result<()>;
    /// Sends SQL without waiting for its answer where the backend can (PostgreSQL pipelines it
    /// with the next statement); errors come out of [`Conn::settle`].
    fn batch_ahead(&mut self, sql: &str) -> Result<()> {
        self.batch(sql)
    }
    /// Waits for everything sent ahead; the first error among it.
    fn settle(&mut self) -> Result<()> {
        Ok(())
    }
    /// Makes sure the connection is usable before a batch (reconnects if it broke).
    fn ready(&mut self) -> Result<()> {
        Ok(())
    }
    /// The statement that opens a write transaction.
    fn begin_sql(&self) -> &'static str {
        "BEGIN"
    }
}

/// A transaction that refuses everything, so that a job that cannot run still answers its
/// caller through its own error path.
struct Refuse(StoreError, Backend);

impl Tx for Refuse {
    fn exec(&mut self, _: &str, _: &[Value]) -> Result<u64> {
        Err(self.0.clone())
    }
    fn query(&mut self, _: &str, _: &[Value]) -> Result<Vec<Row>> {
        Err(self.0.clone())
    }
    fn backend(&self) -> Backend {
        self.1
    }
}

/// The transaction a job sees: the writer's connection plus the batch's audit buffer.
struct BatchTx<'a> {
    conn: &'a mut dyn Conn,
    audit: Vec<AuditEntry>,
    /// The first table of record this job changed (see [`table_of_record`]).
    changed: Option<String>,
    /// The job is a verbatim copy (see [`Tx::verbatim`]).
    verbatim: bool,
    /// Where this job's entries begin in the batch's buffer.
    start: usize,
}

/// Tables whose rows are bookkeeping of the machine rather than records of the hall: sessions,
/// replay keys, throttling counters, the search log, the outbox's delivery state, deadline
/// bookkeeping (whose moves are audited through the case or entity they belong to), schema meta,
/// and SQLite's trigram index of the cases with its queue (made from the cases, audited there).
/// Every other table is a table of record: a job that changes one must leave an audit entry.
const BOOKKEEPING: &[&str] = &[
    "sessions",
    "idempotency",
    "login_failures",
    "search_log",
    "outbox",
    "deadlines",
    "meta",
    "audit",
    "audit_head",
    "cases_fts",
    "cases_fts_queue",
    // Counts the database keeps from the tables of record (migrations 33 and 34).
    "rating_counts",
    "deadline_counts",
];

/// The table of record a statement changes, if it changes one (`INSERT INTO t`, `UPDATE t`,
/// `DELETE FROM t`); `None` for reads and bookkeeping.
fn table_of_record(sql: &str) -> Option<&str> {
    let s = sql.trim_start();
    let rest = ["INSERT INTO ", "UPDATE ", "DELETE FROM "]
        .iter()
        .find_map(|p| s.get(..p.len()).filter(|h| h.eq_ignore_ascii_case(p)).map(|_| &s[p.len()..]))?;
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
    let name = &rest[..end];
    (!BOOKKEEPING.contains(&name)).then_some(name)
}

impl BatchTx<'_> {
    fn note(&mut self, sql: &str) {
        if self.changed.is_none() && !self.verbatim {
            self.changed = table_of_record(sql).map(str::to_string);
        }
    }
}

impl Tx for BatchTx<'_> {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        self.note(sql);
        self.conn.exec(sql, params)
    }
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        self.note(sql);
        self.conn.query(sql, params)
    }
    fn exec_ahead(&mut self, sql: &str, params: &[Value]) -> Result<()> {
        self.note(sql);
        self.conn.exec_ahead(sql, params)
    }
    fn backend(&self) -> Backend {
        self.conn.backend()
    }
    fn audit(&mut self, e: AuditEntry) -> Result<()> {
        self.audit.push(e);
        Ok(())
    }
    fn verbatim(&mut self) {
        self.verbatim = true;
        self.changed = None;
    }
    fn job_audited(&self) -> Option<(String, i64)> {
        self.audit.get(self.start).map(|e| (e.entity.clone(), e.entity_id))
    }
}

fn refuse_all(batch: Vec<Job>, e: StoreError, backend: Backend) {
    for job in batch {
        let (_, d) = job(&mut Refuse(e.clone(), backend));
        d(Err(e.clone()));
    }
}

/// The queue the writer threads share.
pub(crate) type Queue = Arc<Mutex<mpsc::Receiver<Job>>>;

/// Takes the next batch: waits for one job, then whatever else is already queued.
fn next_batch(rx: &Queue) -> Option<Vec<Job>> {
    let rx = rx.lock().ok()?;
    let first = rx.recv().ok()?;
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(j) => batch.push(j),
            Err(_) => break,
        }
    }
    Some(batch)
}

/// Chains `entries` after the current head and writes them (same transaction as the batch).
fn seal(conn: &mut dyn Conn, entries: &[AuditEntry], key: Option<&AuditKey>) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let n = entries.len() as i64;
    let head = conn
        .query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash", params![n])?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Corrupt("audit_head 缺失".into()))?;
    let mut seq = head.i64(0) - n;
    let mut prev = head.str(1);
    for chunk in entries.chunks(AUDIT_CHUNK) {
        let mut values = Vec::with_capacity(chunk.len() * 10);
        let mut rows = Vec::with_capacity(chunk.len());
        for e in chunk {
            seq += 1;
            let h =
                noveto_domain::audit::hash(&prev, seq, &e.at, e.actor_id, &e.action, &e.entity, e.entity_id, &e.detail);
            let b = values.len();
            let marks: Vec<String> = (1..=10).map(|i| format!("${}", b + i)).collect();
            rows.push(format!("({})", marks.join(", ")));
            let mac = key.map(|k| k.mac(&h)).unwrap_or_default();
            values.extend([
                Value::Int(seq),
                Value::Text(e.at.clone()),
                e.actor_id.into(),
                Value::Text(e.action.clone()),
                Value::Text(e.entity.clone()),
                Value::Int(e.entity_id),
                Value::Text(e.detail.clone()),
                Value::Text(std::mem::take(&mut prev)),
                Value::Text(h.clone()),
                Value::Text(mac),
            ]);
            prev = h;
        }
        conn.exec_ahead(
            &format!(
                "INSERT INTO audit (seq, at, actor_id, action, entity, entity_id, detail, prev_hash, hash, mac) VALUES {}",
                rows.join(", ")
            ),
            &values,
        )?;
    }
    conn.exec_ahead("UPDATE audit_head SET hash = $1 WHERE id = 1", params![prev])?;
    Ok(())
}

/// Runs batches until the queue closes. On PostgreSQL the transaction and savepoint statements
/// and the statements whose counts nobody reads are sent ahead and travel with the next one
/// that waits; each job is settled (every answer in) before its savepoint is released, so a job
/// is acknowledged only if all of its statements succeeded.
pub(crate) fn run(conn: &mut dyn Conn, rx: Queue, shared: Arc<Shared>) {
    let backend = conn.backend();
    while let Some(batch) = next_batch(&rx) {
        if let Err(e) = conn.ready() {
            refuse_all(batch, e, backend);
            continue;
        }
        let begin = conn.begin_sql();
        if let Err(e) = conn.batch_ahead(begin) {
            refuse_all(batch, e, backend);
            continue;
        }
        let mut deliveries: Vec<Answer> = Vec::with_capacity(batch.len());
        let mut audit: Vec<AuditEntry> = Vec::new();
        for job in batch {
            if let Err(e) = conn.batch_ahead("SAVEPOINT job") {
                let (_, d) = job(&mut Refuse(e.clone(), backend));
                deliveries.push(Box::new(move |_| d(Err(e))));
                continue;
            }
            let before = audit.len();
            let mut t = BatchTx {
                conn: &mut *conn,
                audit: std::mem::take(&mut audit),
                changed: None,
                verbatim: false,
                start: before,
            };
            let (ok, d) = job(&mut t);
            let unaudited = t.changed.take().filter(|_| t.audit.len() == before);
            audit = t.audit;
            // Every answer of the job is in before it stands: a statement sent ahead that failed
            // fails the job with its own error; a closure that failed answers with its own.
            let settled = conn.settle();
            let failed = match (ok, settled) {
                // DESIGN 2 by construction: a change to a table of record with no audit entry
                // in the same job is not committed, whichever repo function forgot it.
                (true, Ok(())) if unaudited.is_some() => Some(StoreError::Unaudited(unaudited.unwrap_or_default())),
                (true, Ok(())) => conn.batch_ahead("RELEASE SAVEPOINT job").err(),
                (true, Err(e)) => Some(e),
                (false, _) => None,
            };
            if ok && failed.is_none() {
                deliveries.push(d);
                continue;
            }
            audit.truncate(before);
            let _ = conn.batch_ahead("ROLLBACK TO SAVEPOINT job");
            let _ = conn.batch_ahead("RELEASE SAVEPOINT job");
            deliveries.push(match failed {
                Some(e) => Box::new(move |_| d(Err(e))),
                None => d,
            });
        }
        let key = shared.audit_key.read().ok().and_then(|k| k.clone());
        let mut commit = seal(conn, &audit, key.as_ref());
        if commit.is_ok() {
            commit = conn.batch("COMMIT");
        }
        if commit.is_err() {
            let _ = conn.batch("ROLLBACK");
        }
        // Caches of the organisation (principals, windows) hold until a committed batch has
        // changed it: bumped after the commit, so a cache filled before it is never taken as fresh.
        if commit.is_ok() && audit.iter().any(|a| ORG_ENTITIES.contains(&a.entity.as_str())) {
            shared.org.fetch_add(1, Ordering::SeqCst);
        }
        for d in deliveries {
            d(commit.clone());
        }
    }
}
