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
    /// HMAC-SHA256 of `hash` under the audit key ("" where the entry was written without one).
    #[serde(default)]
    pub mac: String,
}

/// The secret that makes the chain one an operator cannot recompute (security issue): kept
/// outside the database (`DIR/audit.key`, mode 0600, or `NOVETO_AUDIT_KEY`), it signs each
/// entry's chained hash. `from_seq` is the first entry written under it; entries before it are
/// protected by the hash chain alone, and the boundary lives with the key so that whoever can
/// write only the database cannot move it.
#[derive(Clone)]
pub struct AuditKey {
    key: Vec<u8>,
    pub from_seq: i64,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({}, from {})", self.fingerprint(), self.from_seq)
    }
}

impl AuditKey {
    pub fn new(key: Vec<u8>, from_seq: i64) -> AuditKey {
        AuditKey { key, from_seq: from_seq.max(1) }
    }

    /// The key itself (to write it to its file, or into an encrypted backup).
    pub fn bytes(&self) -> &[u8] {
        &self.key
    }

    /// The entry's code: HMAC-SHA256(key, hash), hex.
    pub fn mac(&self, hash: &str) -> String {
        hex(&hmac_sha256(&self.key, hash.as_bytes()))
    }

    /// A short name of the key that does not reveal it (stored in the database, so that a
    /// server started with another key is refused instead of writing a chain nobody can verify).
    pub fn fingerprint(&self) -> String {
        hex(&hmac_sha256(&self.key, b"noveto audit key fingerprint"))[..16].to_string()
    }
}

/// HMAC (RFC 2104) over SHA-256, from the maintained `hmac` crate (RFC 4231 vectors below).
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    use hmac::Mac;
    // HMAC takes a key of any length (longer ones are hashed first): this cannot fail.
    let mut m = <hmac::Hmac<Sha256> as hmac::Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(data);
    m.finalize().into_bytes().into()
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
    /// Entries whose key code was checked as well.
    pub keyed: u64,
    key: Option<AuditKey>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier { prev_hash: GENESIS.into(), prev_seq: 0, checked: 0, keyed: 0, key: None }
    }
}

impl Verifier {
    /// A verifier that also checks each entry's key code from the key's first entry on.
    pub fn keyed(key: AuditKey) -> Verifier {
        Verifier { key: Some(key), ..Verifier::default() }
    }

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
        if let Some(k) = self.key.as_ref().filter(|k| e.seq >= k.from_seq) {
            if e.mac.is_empty() {
                return Err(Break {
                    seq: e.seq,
                    problem: "缺少审计密钥校验码：该记录写于启用密钥之后，校验码却被去掉（链可能被无密钥者重算）"
                        .into(),
                });
            }
            if k.mac(&e.hash) != e.mac {
                return Err(Break {
                    seq: e.seq,
                    problem: "审计密钥校验码不符：记录被改动后哈希链被重算，或所用密钥不是写入时的密钥".into(),
                });
            }
            self.keyed += 1;
        }
        self.prev_hash = e.hash.clone();
        self.prev_seq = e.seq;
        self.checked += 1;
        Ok(())
    }

    /// Compares the end of the chain with the recorded head, which catches a deleted tail.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<u64, Break> {
        if self.prev_seq != head_seq || self.prev_hash != head_hash {
            return Err(Break {
                seq: self.prev_seq + 1,
                problem: format!("链尾与记录的链头不符：链头为第 {head_seq} 条（末尾记录被删除或改动）"),
            });
        }
        Ok(self.checked)
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;

    // RFC 4231, test case 2.
    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let long = [0xaau8; 131];
        assert_eq!(
            hex(&hmac_sha256(&long, b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    fn chain(key: Option<&AuditKey>, n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let h = hash(&prev, seq, "2026-11-20T09:00:00+08:00", Some(1), "case.open", "case", seq, "{}");
                let mac = key.filter(|k| seq >= k.from_seq).map(|k| k.mac(&h)).unwrap_or_default();
                Entry {
                    seq,
                    at: "2026-11-20T09:00:00+08:00".into(),
                    actor_id: Some(1),
                    action: "case.open".into(),
                    entity: "case".into(),
                    entity_id: seq,
                    detail: "{}".into(),
                    prev_hash: std::mem::replace(&mut prev, h.clone()),
                    hash: h,
                    mac,
                }
            })
            .collect()
    }

    // Security issue: an operator who edits a row and recomputes every hash and the head still
    // passes the plain chain check, but not the keyed one.
    #[test]
    fn a_recomputed_chain_fails_the_keyed_check() {
        let key = AuditKey::new(b"0123456789abcdef0123456789abcdef".to_vec(), 2);
        let good = chain(Some(&key), 4);
        let check = |v: &mut Verifier, es: &[Entry]| -> Result<u64, Break> {
            for e in es {
                v.push(e)?;
            }
            v.finish(es.len() as i64, &es.last().unwrap().hash)
        };
        assert_eq!(check(&mut Verifier::keyed(key.clone()), &good), Ok(4));
        // Rewritten: row 3's detail changed, every hash recomputed, the key codes left or blanked.
        let mut forged = chain(None, 4);
        forged[2].detail = "{\"x\":1}".into();
        let mut prev = GENESIS.to_string();
        for e in forged.iter_mut() {
            e.prev_hash = prev.clone();
            e.hash = e.expected_hash();
            prev = e.hash.clone();
        }
        assert!(check(&mut Verifier::default(), &forged).is_ok(), "the unkeyed check cannot see it");
        let b = check(&mut Verifier::keyed(key.clone()), &forged).unwrap_err();
        assert_eq!(b.seq, 2);
        assert!(b.problem.contains("缺少审计密钥校验码"), "{}", b.problem);
        for (f, g) in forged.iter_mut().zip(&good) {
            f.mac = g.mac.clone();
        }
        let b = check(&mut Verifier::keyed(key.clone()), &forged).unwrap_err();
        assert_eq!(b.seq, 3, "the first rewritten entry");
        assert!(b.problem.contains("校验码不符"), "{}", b.problem);
        // Another key is told apart as well.
        let other = AuditKey::new(b"another key, another key, anothe".to_vec(), 2);
        assert!(check(&mut Verifier::keyed(other.clone()), &good).is_err());
        assert_ne!(other.fingerprint(), key.fingerprint());
    }
}
