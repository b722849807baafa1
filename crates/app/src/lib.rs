#![recursion_limit = "256"]
//! noveto's application layer: the one door to the store for the API, the pages, the CLI and
//! the jobs. Each operation takes typed input and a caller, and does, in order: load → authorize
//! (the one `authorize`, through [`Principal::may`]) → the domain decides → one store write that
//! applies what the domain returned. The adapters (server, cli) parse and present; they hold no
//! rule and no SQL. The only place that reads the clock is [`Clock`], which tests replace.

pub mod auth;
pub mod bundles;
pub mod cache;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod catalog_file;
pub mod commitments;
pub mod complaints;
pub mod error;
pub mod faq;
pub mod hotline;
pub mod jobs;
pub mod org;
pub mod policy;
pub mod prescreen;
pub mod public;
pub mod ratings;
pub mod rectifications;
pub mod reports;
pub mod search;
pub mod suggestions;
pub mod tickets;
pub mod unresolved;

pub use error::{Error, Kind, Result};

use chrono::{DateTime, FixedOffset};
use noveto_domain::access::{Action, Grant, Place, authorize};
use noveto_domain::calendar::Calendar;
use noveto_domain::policy::Policy;
use noveto_store::repo::{self, Ctx};
use noveto_store::{Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The only source of "now". Tests pass a fixed or movable clock.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<FixedOffset> + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(|| noveto_domain::time::local(chrono::Utc::now())))
    }
    pub fn from_fn(f: impl Fn() -> DateTime<FixedOffset> + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(f))
    }
    pub fn now(&self) -> DateTime<FixedOffset> {
        (self.0)()
    }
}

/// Who is calling, with every role they hold.
#[derive(Debug, Clone)]
pub struct Principal {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub grants: Vec<Grant>,
    /// The CSRF token of the browser session, when the caller came with a cookie.
    pub csrf: Option<String>,
}

impl Principal {
    /// The one access check (invariant 6): operations call this, never decide on their own.
    pub fn may(&self, action: Action, place: &Place) -> Result<()> {
        authorize(&self.grants, action, place).map_err(Error::from)
    }
    pub fn ctx(&self, now: &str) -> Ctx {
        Ctx { actor: Some(self.id), now: now.into() }
    }
    /// The caller's own window (the first window-scoped grant), where a registration, a
    /// pre-screening or a receipt defaults to.
    pub fn own_window(&self) -> Option<i64> {
        self.grants.iter().find(|g| g.scope.kind == noveto_domain::access::ScopeKind::Window).map(|g| g.scope.id)
    }
}

/// What every operation works with: the store, the clock, the calendars and policies, and the
/// organisation kept in memory. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub clock: Clock,
    /// The national calendar plus imported years; per-region calendars add local overrides.
    pub calendars: Arc<RwLock<HashMap<String, Arc<Calendar>>>>,
    /// The policy new cases open under.
    pub policy: Arc<RwLock<Arc<Policy>>>,
    /// Every policy version a case may refer to, by `id:version`.
    pub policies: Arc<RwLock<HashMap<String, Arc<Policy>>>>,
    /// Bearer token hash → its principal (see [`cache`]).
    pub tokens: Arc<cache::OrgCache<String, Principal>>,
    /// Center → its chain of centers (itself first) and its region.
    pub centers: Arc<cache::OrgCache<i64, (Vec<i64>, String)>>,
    /// Window → the window.
    pub windows: Arc<cache::OrgCache<i64, noveto_store::repo::org::Window>>,
    /// Every center, unit and window (a page names them; the business home asked three times).
    pub directory: Arc<cache::OrgCache<(), Arc<org::Directory>>>,
    /// Staff member → name (lists and cards name the people in their rows).
    pub staff_names: Arc<cache::OrgCache<i64, String>>,
    /// The FAQ and catalog search indexes of this process.
    pub search: Arc<search::Search>,
}

pub const META_POLICY: &str = "policy_current";

fn policy_key(id: &str, version: u32) -> String {
    format!("policy:{id}:{version}")
}

/// Stores a policy version (at `init`, or when an administrator changes presets).
pub fn save_policy(tx: &mut dyn noveto_store::Tx, ctx: &Ctx, p: &Policy, current: bool) -> Result<(), StoreError> {
    let text = serde_json::to_string(p).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    repo::set_meta(tx, ctx, &policy_key(&p.id, p.version), &text)?;
    if current {
        repo::set_meta(tx, ctx, META_POLICY, &format!("{}:{}", p.id, p.version))?;
    }
    Ok(())
}

impl App {
    /// A window with its centers and region, from the cache where it is fresh.
    pub async fn window_place(
        &self,
        window_id: i64,
    ) -> Result<Option<(noveto_store::repo::org::Window, Vec<i64>, String)>, StoreError> {
        let g = self.store.org_generation();
        let w = match self.windows.get(&window_id, g) {
            Some(w) => w,
            None => match self.store.read(move |tx| noveto_store::repo::org::window_by_id(tx, window_id)).await? {
                Some(w) => {
                    self.windows.put(window_id, g, w.clone());
                    w
                }
                None => return Ok(None),
            },
        };
        let (centers, region) = self.center_chain(w.center_id).await?;
        Ok(Some((w, centers, region)))
    }

    /// A center's chain (itself first, then its parents) and region, from the cache where it is fresh.
    pub async fn center_chain(&self, center_id: i64) -> Result<(Vec<i64>, String), StoreError> {
        let g = self.store.org_generation();
        if let Some(v) = self.centers.get(&center_id, g) {
            return Ok(v);
        }
        let v = self.store.read(move |tx| noveto_store::repo::org::center_chain_and_region(tx, center_id)).await?;
        if !v.0.is_empty() {
            self.centers.put(center_id, g, v.clone());
        }
        Ok(v)
    }

    /// Loads the policy in force, every stored policy version and the calendar from the store.
    pub async fn load(store: Store, clock: Clock) -> Result<App, StoreError> {
        let (current, all, years) = store
            .read(|tx| {
                let cur = repo::get_meta(tx, META_POLICY)?;
                let rows = repo::metas_with_prefix(tx, "policy:")?;
                let years = repo::calendar::years(tx)?;
                Ok::<_, StoreError>((cur, rows, years))
            })
            .await?;
        let mut policies = HashMap::new();
        for (key, value) in all {
            let p: Policy = serde_json::from_str(&value).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            policies.insert(key.trim_start_matches("policy:").to_string(), Arc::new(p));
        }
        let current = current
            .and_then(|k| policies.get(&k).cloned())
            .unwrap_or_else(|| Arc::new(Policy::preset("national").expect("national preset")));
        let mut cal = Calendar::builtin();
        for y in years {
            cal = cal.with_year(y).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        let mut calendars = HashMap::new();
        calendars.insert(String::new(), Arc::new(cal));
        let search = Arc::new(search::Search::new().map_err(StoreError::Db)?);
        search.sync(&store).await?;
        let state = App {
            search,
            store,
            clock,
            calendars: Arc::new(RwLock::new(calendars)),
            policy: Arc::new(RwLock::new(current)),
            policies: Arc::new(RwLock::new(policies)),
            tokens: Default::default(),
            centers: Default::default(),
            windows: Default::default(),
            directory: Default::default(),
            staff_names: Default::default(),
        };
        state.reload_regions().await?;
        Ok(state)
    }

    /// Rebuilds the per-region calendars from the stored overrides.
    pub async fn reload_regions(&self) -> Result<(), StoreError> {
        let rows = self
            .store
            .read(|tx| {
                let regions = repo::calendar::regions(tx)?;
                let mut out = vec![];
                for r in regions {
                    let o = repo::calendar::overrides(tx, &r)?;
                    out.push((r, o));
                }
                Ok::<_, StoreError>(out)
            })
            .await?;
        let base = self.calendar();
        let mut map = self.calendars.write().map_err(|_| StoreError::Db("calendar lock".into()))?;
        map.retain(|k, _| k.is_empty());
        for (region, o) in rows {
            if region.is_empty() {
                map.insert(String::new(), Arc::new(base.with_overrides(o)));
            } else {
                map.insert(region, Arc::new(base.with_overrides(o)));
            }
        }
        Ok(())
    }

    pub fn now(&self) -> DateTime<FixedOffset> {
        self.clock.now()
    }

    /// The address the public reaches this server at, for links sent by SMS
    /// (`NOVETO_PUBLIC_URL`, e.g. `https://zwfw.example.gov.cn`; empty: links are paths).
    pub fn public_url(&self) -> String {
        std::env::var("NOVETO_PUBLIC_URL").unwrap_or_default().trim_end_matches('/').to_string()
    }

    pub fn now_str(&self) -> String {
        noveto_domain::time::rfc3339(self.now())
    }

    /// The national calendar (with imported years).
    pub fn calendar(&self) -> Arc<Calendar> {
        self.calendars.read().ok().and_then(|m| m.get("").cloned()).unwrap_or_else(|| Arc::new(Calendar::builtin()))
    }

    /// A region's calendar: the national one with that region's overrides.
    pub fn calendar_for(&self, region: &str) -> Arc<Calendar> {
        self.calendars.read().ok().and_then(|m| m.get(region).cloned()).unwrap_or_else(|| self.calendar())
    }

    pub fn policy(&self) -> Arc<Policy> {
        self.policy.read().map(|p| p.clone()).unwrap_or_else(|_| Arc::new(Policy::preset("national").expect("preset")))
    }

    /// The policy a case opened under.
    pub fn policy_of(&self, id: &str, version: u32) -> Arc<Policy> {
        self.policies
            .read()
            .ok()
            .and_then(|m| m.get(&format!("{id}:{version}")).cloned())
            .unwrap_or_else(|| self.policy())
    }
}
