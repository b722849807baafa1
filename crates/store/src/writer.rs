//! The group-commit writer both backends use: one thread, one connection, and every write that
//! arrives while a commit is in flight goes into the next one.
//!
//! Invariant (DESIGN 2): a caller is answered only after the `COMMIT` of the batch holding its
//! change has returned. Each job runs in its own savepoint, so one job's error undoes only that
//! job; a failed commit fails every job of the batch (none of them is acknowledged).

use crate::{Delivery, Job, Result, StoreError, Tx};
use std::sync::mpsc;

/// How many jobs one commit may carry at most.
const MAX_BATCH: usize = 512;

/// A connection the writer can drive.
pub(crate) trait Conn: Tx {
    /// Runs SQL without results (BEGIN, SAVEPOINT, COMMIT …).
    fn batch(&mut self, sql: &str) -> Result<()>;
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
struct Refuse(StoreError, crate::Backend);

impl Tx for Refuse {
    fn exec(&mut self, _: &str, _: &[crate::Value]) -> Result<u64> {
        Err(self.0.clone())
    }
    fn query(&mut self, _: &str, _: &[crate::Value]) -> Result<Vec<crate::Row>> {
        Err(self.0.clone())
    }
    fn backend(&self) -> crate::Backend {
        self.1
    }
}

fn refuse_all(batch: Vec<Job>, e: StoreError, backend: crate::Backend) {
    for job in batch {
        let (_, d) = job(&mut Refuse(e.clone(), backend));
        d(Err(e.clone()));
    }
}

pub(crate) fn run(conn: &mut dyn Conn, rx: mpsc::Receiver<Job>) {
    let backend = conn.backend();
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.ready() {
            refuse_all(batch, e, backend);
            continue;
        }
        let begin = conn.begin_sql();
        if let Err(e) = conn.batch(begin) {
            refuse_all(batch, e, backend);
            continue;
        }
        let mut deliveries: Vec<Delivery> = Vec::with_capacity(batch.len());
        for job in batch {
            if let Err(e) = conn.batch("SAVEPOINT job") {
                let (_, d) = job(&mut Refuse(e.clone(), backend));
                deliveries.push((false, Box::new(move |_| d(Err(e)))));
                continue;
            }
            let (ok, d) = job(conn);
            let undo = if ok { conn.batch("RELEASE SAVEPOINT job") } else { conn.batch("ROLLBACK TO SAVEPOINT job") };
            if !ok || undo.is_err() {
                let _ = conn.batch("RELEASE SAVEPOINT job");
            }
            deliveries.push((ok, d));
        }
        let commit = conn.batch("COMMIT");
        if commit.is_err() {
            let _ = conn.batch("ROLLBACK");
        }
        for (_, d) in deliveries {
            d(commit.clone());
        }
    }
}
