//! The append-only, hash-chained audit log (DESIGN invariant 2).

use super::Ctx;
use crate::{Result, Tx, params};
use noveto_domain::audit::{Break, Entry, Verifier};

/// Appends one entry to the transaction's audit; the writer chains it at commit (see
/// `writer.rs`), so entries chain in commit order on both backends.
pub fn append(
    tx: &mut dyn Tx,
    ctx: &Ctx,
    action: &str,
    entity: &str,
    entity_id: i64,
    detail: &serde_json::Value,
) -> Result<()> {
    tx.audit(crate::AuditEntry {
        at: ctx.now.clone(),
        actor_id: ctx.actor,
        action: action.to_string(),
        entity: entity.to_string(),
        entity_id,
        detail: detail.to_string(),
    })
}

fn entry(r: &crate::Row) -> Entry {
    Entry {
        seq: r.i64(0),
        at: r.str(1),
        actor_id: r.opt_i64(2),
        action: r.str(3),
        entity: r.str(4),
        entity_id: r.i64(5),
        detail: r.str(6),
        prev_hash: r.str(7),
        hash: r.str(8),
        mac: r.str(9),
    }
}

const COLS: &str = "seq, at, actor_id, action, entity, entity_id, detail, prev_hash, hash, mac";

/// Walks the whole chain in pages. `Ok(Ok(n))`: intact, n entries; `Ok(Err(b))`: first break.
pub fn verify(tx: &mut dyn Tx) -> Result<std::result::Result<u64, Break>> {
    verify_with(tx, Verifier::default())
}

/// Walks the chain with `v` (e.g. [`Verifier::keyed`], which checks each entry's key code too).
pub fn verify_with(tx: &mut dyn Tx, mut v: Verifier) -> Result<std::result::Result<u64, Break>> {
    let mut after = 0i64;
    loop {
        let rows =
            tx.query(&format!("SELECT {COLS} FROM audit WHERE seq > $1 ORDER BY seq LIMIT 5000"), params![after])?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let e = entry(r);
            if let Err(b) = v.push(&e) {
                return Ok(Err(b));
            }
            after = e.seq;
        }
    }
    let head = tx
        .query_one("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?
        .ok_or_else(|| crate::StoreError::Corrupt("audit_head 缺失".into()))?;
    Ok(v.finish(head.i64(0), &head.str(1)))
}

/// The sequence number of the last entry (0 for none).
pub fn head_seq(tx: &mut dyn Tx) -> Result<i64> {
    Ok(tx.query_one("SELECT seq FROM audit_head WHERE id = 1", &[])?.map(|r| r.i64(0)).unwrap_or(0))
}

/// The latest entries, newest first.
pub fn recent(tx: &mut dyn Tx, limit: i64) -> Result<Vec<Entry>> {
    Ok(tx
        .query(&format!("SELECT {COLS} FROM audit ORDER BY seq DESC LIMIT $1"), params![limit])?
        .iter()
        .map(entry)
        .collect())
}

/// The entries about one entity, oldest first.
pub fn for_entity(tx: &mut dyn Tx, entity: &str, id: i64) -> Result<Vec<Entry>> {
    Ok(tx
        .query(
            &format!("SELECT {COLS} FROM audit WHERE entity = $1 AND entity_id = $2 ORDER BY seq"),
            params![entity, id],
        )?
        .iter()
        .map(entry)
        .collect())
}
