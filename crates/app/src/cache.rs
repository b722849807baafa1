//! What the organisation says, kept in memory between requests: the principal behind a bearer
//! token, a window with its centers, each center's chain, the directory of centers, units and
//! windows, and staff members' names. Every API call and page needs some of them, and each read
//! is a hop to a blocking thread (on PostgreSQL a round trip too).
//!
//! An entry is good while the store's organisation generation is the one it was filled under
//! ([`noveto_store::Store::org_generation`], bumped after any committed change of a center,
//! unit, window or staff member on this server) and for at most [`TTL`], which bounds how long
//! a change made through another server on the same PostgreSQL can go unseen here.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an entry may serve without a change seen on this server.
pub const TTL: Duration = Duration::from_secs(2);
/// Entries kept at most; the map is emptied when full (a cache, not a store).
const CAP: usize = 10_000;

struct Entry<V> {
    generation: u64,
    at: Instant,
    value: V,
}

pub struct OrgCache<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
}

impl<K: Eq + Hash, V: Clone> Default for OrgCache<K, V> {
    fn default() -> Self {
        OrgCache { entries: Mutex::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash, V: Clone> OrgCache<K, V> {
    /// The value for `key` if it was filled under `generation` less than [`TTL`] ago.
    pub fn get(&self, key: &K, generation: u64) -> Option<V> {
        let map = self.entries.lock().ok()?;
        let e = map.get(key)?;
        (e.generation == generation && e.at.elapsed() < TTL).then(|| e.value.clone())
    }

    /// Remembers `value`, read after `generation` was taken.
    pub fn put(&self, key: K, generation: u64, value: V) {
        if let Ok(mut map) = self.entries.lock() {
            if map.len() >= CAP {
                map.clear();
            }
            map.insert(key, Entry { generation, at: Instant::now(), value });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_stale_once_the_organisation_changed() {
        let c: OrgCache<i64, &str> = OrgCache::default();
        c.put(1, 7, "A");
        assert_eq!(c.get(&1, 7), Some("A"));
        assert_eq!(c.get(&1, 8), None, "a change committed after the fill invalidates it");
        assert_eq!(c.get(&2, 7), None);
    }
}
