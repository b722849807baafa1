//! The audit chain (DESIGN invariant 2): each entry's hash covers all of its content and the
//! previous entry's hash, so an edited, inserted or deleted row breaks the chain.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    /// RFC 3339, +08:00.
    pub at: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    /// JSON text of what changed.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

fn field(h: &mut Sha256, s: &[u8]) {
    h.update((s.len() as u64).to_be_bytes());
    h.update(s);
}

/// The hash of an entry's content chained to `prev_hash`. Every field is length-prefixed so no
/// two different entries hash alike by shifting text between fields.
#[allow(clippy::too_many_arguments)]
pub fn hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor_id: Option<i64>,
    action: &str,
    entity: &str,
    entity_id: i64,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    field(&mut h, prev_hash.as_bytes());
    h.update(seq.to_be_bytes());
    field(&mut h, at.as_bytes());
    match actor_id {
        Some(a) => {
            h.update([1]);
            h.update(a.to_be_bytes());
        }
        None => h.update([0]),
    }
    field(&mut h, action.as_bytes());
    field(&mut h, entity.as_bytes());
    h.update(entity_id.to_be_bytes());
    field(&mut h, detail.as_bytes());
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

impl Entry {
    pub fn expected_hash(&self) -> String {
        hash(
            &self.prev_hash,
            self.seq,
            &self.at,
            self.actor_id,
            &self.action,
            &self.entity,
            self.entity_id,
            &self.detail,
        )
    }
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    pub seq: i64,
    pub problem: String,
}

/// Checks a chain read in `seq` order against the recorded head (last seq and hash).
/// Streams: call [`Verifier::push`] for each entry, then [`Verifier::finish`].
pub struct Verifier {
    prev_hash: String,
    prev_seq: i64,
    pub checked: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier { prev_hash: GENESIS.into(), prev_seq: 0, checked: 0 }
    }
}

impl Verifier {
    pub fn push(&mut self, e: &Entry) -> Result<(), Break> {
        if e.seq != self.prev_seq + 1 {
            return Err(Break {
                seq: self.prev_seq + 1,
                problem: format!("序号不连续：期望 {}，实际 {}（记录被删除或插入）", self.prev_seq + 1, e.seq),
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(Break {
                seq: e.seq, problem: "前序哈希不符（前一条记录被改动、删除或插入）".into()
            });
        }
        if e.expected_hash() != e.hash {
            return Err(Break { seq: e.seq, problem: "内容哈希不符（该记录被改动）".into() });
        }
        self.prev_hash = e.hash.clone();
        self.prev_seq = e.seq;
        self.checked += 1;
        Ok(())
    }

    /// Compares the end of the chain with the recorded head, which catches a deleted tail.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<u64, Break> {
        if self.prev_seq != head_seq || self.prev_hash != head_hash {
            return Err(Break {
                seq: self.prev_seq + 1,
                problem: format!("链尾与记录的链头不符：链头为第 {head_seq} 条（末尾记录被删除或改动）"),
            });
        }
        Ok(self.checked)
    }
}
