//! BBC: the 办不成事 desk's matters, written through the one ticket path
//! ([`tickets`](super::tickets)); this module says where they live and how lists find them.

use super::tickets::{self, Table};
use crate::{Result, Tx, Value, params};
use noveto_domain::ticket::Stored;
use noveto_domain::time::rfc3339;
use noveto_domain::unresolved::{Status, Unresolved};

impl Table for Unresolved {
    const TABLE: &'static str = "unresolved";
    const RECEIPT: Option<&'static str> = Some("BC");
    const DUE: bool = true;
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("center_id", self.center_id.into()),
            ("desk_id", self.desk_id.into()),
            ("unit_id", self.unit_id.into()),
            ("case_id", self.case_id.into()),
            ("class", self.class.as_str().into()),
            ("status", self.status.as_str().into()),
            ("registered_at", self.registered_at.map(rfc3339).unwrap_or_default().into()),
            ("dispatched_at", self.dispatched_at.map(rfc3339).into()),
            ("answered_at", self.answered_at.map(rfc3339).into()),
            ("closed_at", self.closed_at.map(rfc3339).into()),
        ]
    }
}

/// A matter as stored.
pub type UnresolvedRow = Stored<Unresolved>;

pub fn get(tx: &mut dyn Tx, id: i64) -> Result<Option<UnresolvedRow>> {
    tickets::get(tx, id)
}

pub fn by_receipt(tx: &mut dyn Tx, receipt: &str) -> Result<Option<UnresolvedRow>> {
    tickets::by_receipt(tx, receipt)
}

/// Every matter registered in `[from, to)` (RFC 3339 instants) plus every one still open, newest
/// first, each with its center's chain — the candidates for the caller's scope check, the one
/// door every list and ledger of matters goes through.
pub fn candidates(tx: &mut dyn Tx, from: &str, to: &str) -> Result<Vec<(UnresolvedRow, Vec<i64>)>> {
    let rows: Vec<UnresolvedRow> = tickets::select(
        tx,
        // Each half through its own index (migration 27), never a scan of every matter ever
        // registered: a province's desks keep years of them, and every home page asks.
        "id IN (SELECT id FROM unresolved WHERE registered_at >= $1 AND registered_at < $2
                UNION SELECT id FROM unresolved WHERE status IN ('registered', 'dispatched', 'answered'))",
        params![from, to],
    )?;
    super::org::with_chains(tx, rows, |r| r.center_id)
}

/// The open matters, by id — for a calendar change to recompute.
pub fn open(tx: &mut dyn Tx) -> Result<Vec<UnresolvedRow>> {
    let mut v: Vec<UnresolvedRow> = tickets::select(tx, "status IN ('registered', 'dispatched', 'answered')", &[])?;
    v.reverse();
    Ok(v)
}

/// The statuses as the columns hold them (for a test that the open list agrees with the domain).
pub fn open_statuses() -> Vec<&'static str> {
    Status::OPEN.iter().map(|s| s.as_str()).collect()
}

/// The matters registered about a case.
pub fn of_case(tx: &mut dyn Tx, case_id: i64) -> Result<Vec<UnresolvedRow>> {
    tickets::select(tx, "case_id = $1", params![case_id])
}
