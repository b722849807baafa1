//! The one application path of every ticket type (DESIGN invariant 8):
//!
//! ```text
//! load (the row, its place, its region)  →  authorize (roles at the place + relations)
//!   →  the domain handles the command (`ticket::execute`)  →  one store write (`tickets::save`)
//! ```
//!
//! and the one read path: [`view`] gives a reader the ticket already redacted by the access
//! layer ([`seen`]) with the actions its state offers that this reader may take — so no adapter,
//! export, print, search result or message holds what its reader may not see, and no page keeps
//! a state machine of its own.
//!
//! A ticket type implements [`AppTicket`]: where it lives ([`AppTicket::place`]), how a reader
//! stands to it ([`AppTicket::relation`]) and who may take each action
//! ([`AppTicket::authorize`]). Nothing else here changes for a new type.

use crate::{App, Error, Principal, Result};
use noveto_domain::access::{Place, Relation, Seen, seen};
use noveto_domain::ticket::{self, Decided, Facts, Personal, Stored, Ticket};
use noveto_store::StoreError;
use noveto_store::repo::Ctx;
use noveto_store::repo::tickets::{self as repo, Table};

/// A ticket type as the application layer sees it.
pub trait AppTicket: Table + Personal
where
    Error: From<Self::Error>,
{
    fn center_id(&self) -> i64;
    /// Its receipt number (empty where the type has none).
    fn receipt(&self) -> &str;
    /// The unit answering for it now, whose leaders hear of a missed deadline.
    fn unit(&self) -> Option<i64>;
    /// The policy it was opened under (`("", 0)`: the current one).
    fn policy_ref(&self) -> (&str, u32);
    /// Where it sits, given its center's chain.
    fn place(&self, centers: Vec<i64>) -> Place;
    /// How `p` stands to it beyond their roles.
    fn relation(&self, p: &Principal, l: &Loaded<Self>) -> Relation;
    /// Whether `p` may read it at all.
    fn may_read(p: &Principal, l: &Loaded<Self>) -> Result<()>;
    /// Whether `p` may take `action` on it (its state aside: [`Ticket::offers`] says that).
    fn authorize(p: &Principal, l: &Loaded<Self>, action: Self::Action) -> Result<()>;
}

/// A ticket with its place and its region, as commands and reads start from.
pub struct Loaded<T> {
    pub row: Stored<T>,
    pub place: Place,
    pub region: String,
}

impl<T> std::ops::Deref for Loaded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.row.ticket
    }
}

/// What a reader gets: the ticket redacted for them, what they see of the person, and the
/// actions its state offers that they may take.
#[derive(Debug, Clone)]
pub struct View<T: Ticket> {
    pub id: i64,
    pub version: i64,
    pub t: T,
    pub seen: Seen,
    pub offers: Vec<T::Action>,
    /// The first deadline's due day on the ticket's own calendar.
    pub due: Option<chrono::NaiveDate>,
}

impl<T: Ticket> std::ops::Deref for View<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.t
    }
}

impl<T: Ticket> View<T> {
    pub fn offers(&self, a: T::Action) -> bool {
        self.offers.contains(&a)
    }
}

/// Loads a ticket with its place; 404 when there is none.
pub async fn load<T>(s: &App, id: i64) -> Result<Loaded<T>>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    let row = s.store.read(move |tx| repo::get::<T>(tx, id)).await?.ok_or_else(|| Error::not_found(T::NAME))?;
    placed(s, row).await
}

/// A stored ticket with its place.
pub async fn placed<T>(s: &App, row: Stored<T>) -> Result<Loaded<T>>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    let (centers, region) = s.center_chain(row.center_id()).await?;
    let place = row.place(centers);
    Ok(Loaded { row, place, region })
}

/// A stored ticket with a chain already looked up (for lists).
pub fn placed_with<T>(s: &App, row: Stored<T>, centers: Vec<i64>) -> Loaded<T>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    let place = row.place(centers);
    let region = s.centers.get(&row.center_id(), s.store.org_generation()).map(|c| c.1).unwrap_or_default();
    Loaded { row, place, region }
}

/// The facts a command is judged against: the caller, now, the ticket's own policy and its
/// region's calendar, given to `f`.
fn with_facts<T, R>(s: &App, by: Option<i64>, t: &T, region: &str, f: impl FnOnce(&Facts) -> R) -> R
where
    T: AppTicket,
    Error: From<T::Error>,
{
    let (pid, pver) = t.policy_ref();
    let policy = if pid.is_empty() { s.policy() } else { s.policy_of(pid, pver) };
    let calendar = s.calendar_for(region);
    f(&Facts { by, now: s.now(), policy: &policy, calendar: &calendar })
}

/// Opens a new ticket at `center_id` (the caller authorized it) and writes it.
pub async fn open<T>(s: &App, by: Option<i64>, center_id: i64, new: T::New) -> Result<Stored<T>>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    let d: Decided<T> = opened(s, by, center_id, new).await?;
    write(s, by, move |tx, ctx| repo::insert(tx, ctx, &d)).await
}

/// Like [`open`], also writing `also` in the same transaction (both or neither).
pub async fn open_with<T>(
    s: &App,
    by: Option<i64>,
    center_id: i64,
    new: T::New,
    also: impl FnOnce(&mut dyn noveto_store::Tx, &Ctx, &Stored<T>) -> Result<(), StoreError> + Send + 'static,
) -> Result<Stored<T>>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    let d: Decided<T> = opened(s, by, center_id, new).await?;
    write(s, by, move |tx, ctx| {
        let saved = repo::insert(tx, ctx, &d)?;
        also(tx, ctx, &saved)?;
        Ok(saved)
    })
    .await
}

/// A new ticket decided but not yet written (to write beside another change).
pub async fn opened<T>(s: &App, by: Option<i64>, center_id: i64, new: T::New) -> Result<Decided<T>>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    let (_, region) = s.center_chain(center_id).await?;
    let policy = s.policy();
    let calendar = s.calendar_for(&region);
    ticket::open(new, &Facts { by, now: s.now(), policy: &policy, calendar: &calendar }).map_err(Error::from)
}

/// Handles `cmd` on a loaded ticket and writes the result; of two commands at once one lands,
/// the other hears it came second (409 `already_handled`).
pub async fn decide<T>(s: &App, by: Option<i64>, l: &Loaded<T>, cmd: T::Command) -> Result<Stored<T>>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    let d = with_facts(s, by, &l.row.ticket, &l.region, |f| ticket::execute(&l.row, cmd, f)).map_err(Error::from)?;
    if d.events().is_empty() {
        return Ok(l.row.clone());
    }
    write(s, by, move |tx, ctx| repo::save(tx, ctx, &d)).await
}

/// Like [`decide`], also writing `also` in the same transaction (both or neither).
pub async fn decide_with<T>(
    s: &App,
    by: Option<i64>,
    l: &Loaded<T>,
    cmd: T::Command,
    also: impl FnOnce(&mut dyn noveto_store::Tx, &Ctx) -> Result<(), StoreError> + Send + 'static,
) -> Result<Stored<T>>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    let d = with_facts(s, by, &l.row.ticket, &l.region, |f| ticket::execute(&l.row, cmd, f)).map_err(Error::from)?;
    write(s, by, move |tx, ctx| {
        let saved = repo::save(tx, ctx, &d)?;
        also(tx, ctx)?;
        Ok(saved)
    })
    .await
}

async fn write<T, F>(s: &App, by: Option<i64>, f: F) -> Result<Stored<T>>
where
    T: AppTicket,
    Error: From<T::Error>,
    F: FnOnce(&mut dyn noveto_store::Tx, &Ctx) -> Result<Stored<T>, StoreError> + Send + 'static,
{
    let ctx = Ctx { actor: by, now: s.now_str() };
    match s.store.write(move |tx| f(tx, &ctx)).await {
        Err(StoreError::Conflict(m)) => Err(Error::conflict("already_handled", m)),
        r => Ok(r?),
    }
}

/// The reader's view of a loaded ticket (403 when they may not read it).
pub fn view<T>(s: &App, p: &Principal, l: &Loaded<T>) -> Result<View<T>>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    T::may_read(p, l)?;
    Ok(view_unchecked(s, p, l))
}

/// The view of a ticket the reader was already found to read.
fn view_unchecked<T>(s: &App, p: &Principal, l: &Loaded<T>) -> View<T>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    let seen = seen(&p.grants, &l.place, l.row.relation(p, l));
    let offers = l.row.offers().into_iter().filter(|a| T::authorize(p, l, *a).is_ok()).collect();
    let due = due_of(s, &l.row.ticket, &l.region);
    View { id: l.row.id, version: l.row.version, t: l.row.redacted(&seen), seen, offers, due }
}

/// A ticket as a job keeps it for a report: redacted as `seen` says, offering nothing.
pub fn view_as<T>(s: &App, l: Loaded<T>, seen: noveto_domain::access::Seen) -> View<T>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    let due = due_of(s, &l.row.ticket, &l.region);
    View { id: l.row.id, version: l.row.version, t: l.row.redacted(&seen), seen, offers: vec![], due }
}

/// The views of the rows `p` may read, in their order.
pub fn views<T>(s: &App, p: &Principal, rows: Vec<(Stored<T>, Vec<i64>)>) -> Vec<View<T>>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    rows.into_iter()
        .filter_map(|(r, centers)| {
            let l = placed_with(s, r, centers);
            T::may_read(p, &l).is_ok().then(|| view_unchecked(s, p, &l))
        })
        .collect()
}

/// The history of a ticket, for a reader who may read it.
pub async fn history<T>(s: &App, id: i64) -> Result<Vec<repo::Step>>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    Ok(s.store.read(move |tx| repo::history::<T>(tx, id)).await?)
}

/// The due day of a ticket's first deadline on its region's calendar.
pub fn due_of<T>(s: &App, t: &T, region: &str) -> Option<chrono::NaiveDate>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    let cal = s.calendar_for(region);
    ticket::dues_of(t, &cal, s.now()).first().and_then(|d| d.due)
}

/// How the job runner speaks of a ticket type's deadlines: by its receipt number, and who hears
/// of a missed one. One entry per type in [`KINDS`], found by the type's own `KIND`.
pub(crate) trait DeadlineKind: Sync {
    fn kind(&self) -> &'static str;
    /// The matter in words people look it up by.
    fn matter(&self, tx: &mut dyn noveto_store::Tx, id: i64) -> Result<String, StoreError>;
    /// The people around a deadline: its owner (and B), the unit's leaders.
    fn around(
        &self,
        tx: &mut dyn noveto_store::Tx,
        id: i64,
        owner: Option<i64>,
    ) -> Result<Option<noveto_domain::deadline::Around>, StoreError>;
}

struct Kind<T>(std::marker::PhantomData<fn() -> T>);

impl<T> DeadlineKind for Kind<T>
where
    T: AppTicket,
    Error: From<T::Error>,
{
    fn kind(&self) -> &'static str {
        T::KIND
    }
    fn matter(&self, tx: &mut dyn noveto_store::Tx, id: i64) -> Result<String, StoreError> {
        Ok(match repo::get::<T>(tx, id)? {
            Some(t) => format!("{} {}", T::NAME, t.receipt()),
            None => format!("{}（第 {id} 号）", T::NAME),
        })
    }
    fn around(
        &self,
        tx: &mut dyn noveto_store::Tx,
        id: i64,
        owner: Option<i64>,
    ) -> Result<Option<noveto_domain::deadline::Around>, StoreError> {
        let Some(t) = repo::get::<T>(tx, id)? else { return Ok(None) };
        let Some(o) = owner else { return Ok(None) };
        let mut a = noveto_domain::deadline::Around {
            owner: o,
            stand_in: noveto_store::repo::org::stand_in(tx, o)?,
            ..Default::default()
        };
        // BBC-2, TC-4: a missed deadline reaches the responsible unit's leader in charge too.
        if let Some(u) = t.unit().and_then(|u| noveto_store::repo::org::unit_by_id(tx, u).ok().flatten()) {
            a.unit_leaders.extend(u.leader_id);
        }
        Ok(Some(a))
    }
}

/// Every ticket type with deadlines (cases keep their own path in `jobs`).
static KINDS: [&dyn DeadlineKind; 3] = [
    &Kind::<noveto_domain::unresolved::Unresolved>(std::marker::PhantomData),
    &Kind::<noveto_domain::complaint::Complaint>(std::marker::PhantomData),
    &Kind::<noveto_domain::rectification::Rectification>(std::marker::PhantomData),
];

/// The ticket type a deadline row belongs to.
pub(crate) fn deadline_kind(entity: &str) -> Option<&'static dyn DeadlineKind> {
    KINDS.iter().copied().find(|k| k.kind() == entity)
}
