//! One shape for every ticket (DESIGN invariant 8): a 办不成事 matter, a suggestion, a complaint.
//!
//! A ticket type says, in one place:
//! - how it is opened ([`Ticket::create`]) and how a command is judged against its state and the
//!   facts it needs ([`Ticket::handle`]) — both return events, or the type's own error, and
//!   change nothing;
//! - how an event changes the state ([`Ticket::apply`]) — no more than that: no I/O, no checks;
//! - which actions its state offers ([`Ticket::offers`]), which pages and APIs read instead of
//!   keeping a state machine of their own;
//! - its deadlines and who answers for each ([`Ticket::deadlines`]), and the notices an event
//!   sends ([`Ticket::notices`]).
//!
//! [`open`] and [`execute`] are the only ways to a [`Decided`], and a [`Decided`] is the only
//! thing the store's `tickets::insert` / `tickets::save` accept: an event reaches the database
//! only as the result of a command the domain handled, with the state it produced beside it.

use crate::calendar::Calendar;
use crate::deadline::Deadline;
use crate::policy::Policy;
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub type Now = DateTime<FixedOffset>;

/// What a command is judged against besides the ticket itself: who acts, when, under the policy
/// the ticket was opened under and the calendar of its region.
#[derive(Clone, Copy)]
pub struct Facts<'a> {
    /// The member of staff acting (None: the public, an import, or a job).
    pub by: Option<i64>,
    pub now: Now,
    pub policy: &'a Policy,
    pub calendar: &'a Calendar,
}

/// Who a notice goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum To {
    Staff(i64),
    /// The person served, by SMS.
    Phone(String),
}

/// A message sent with a change, through the outbox, in the same write (invariant 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub to: To,
    pub subject: String,
    pub body: String,
}

/// How the job runner keeps a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DueState {
    Running,
    Met,
    Paused,
}

impl DueState {
    pub fn as_str(self) -> &'static str {
        match self {
            DueState::Running => "running",
            DueState::Met => "met",
            DueState::Paused => "paused",
        }
    }
}

/// One deadline of a ticket as the store keeps it: what it is for, who answers for it, its due
/// day on the ticket's calendar (None: to be set by hand).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub what: String,
    pub owner: Option<i64>,
    pub due: Option<NaiveDate>,
    pub state: DueState,
    pub deadline: Deadline,
}

/// A ticket type. See the module documentation.
pub trait Ticket: Clone + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The name its rows, events, audit entries and deadlines are kept under.
    const KIND: &'static str;
    /// What people call one, e.g. "办不成事反映".
    const NAME: &'static str;
    type New: Send;
    type Command: Send;
    type Event: Clone + Serialize + std::fmt::Debug + Send + Sync + 'static;
    type Error: std::fmt::Debug;
    type Action: Copy + Eq + std::fmt::Debug + 'static;

    fn create(new: Self::New, f: &Facts) -> Result<(Self, Vec<Self::Event>), Self::Error>;
    fn handle(&self, cmd: Self::Command, f: &Facts) -> Result<Vec<Self::Event>, Self::Error>;
    /// Changes the state by one event; `at` stamps when.
    fn apply(&mut self, ev: &Self::Event, at: Now);
    fn event_name(ev: &Self::Event) -> &'static str;
    /// The actions this state offers (whoever may take them).
    fn offers(&self) -> Vec<Self::Action>;
    /// Each deadline with who answers for it now.
    fn deadlines(&self) -> Vec<(&Deadline, Option<i64>)>;
    /// The notices an event (just applied to `self`) sends.
    fn notices(&self, _ev: &Self::Event) -> Vec<Notice> {
        vec![]
    }
    /// Given its row id and receipt number when first stored.
    fn numbered(&mut self, id: i64, receipt: &str);
}

/// A ticket as the store holds it: its row id and the version a change must start from.
#[derive(Debug, Clone)]
pub struct Stored<T> {
    pub id: i64,
    pub version: i64,
    pub ticket: T,
}

impl<T> std::ops::Deref for Stored<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.ticket
    }
}

/// The result of a command the domain handled: the new state, its events, the notices and
/// deadlines they bring, and the version it started from. Only [`open`] and [`execute`] build
/// one.
#[derive(Debug, Clone)]
pub struct Decided<T: Ticket> {
    ticket: T,
    events: Vec<T::Event>,
    notices: Vec<Notice>,
    dues: Vec<Due>,
    base: Option<(i64, i64)>,
    by: Option<i64>,
    at: Now,
}

impl<T: Ticket> Decided<T> {
    pub fn ticket(&self) -> &T {
        &self.ticket
    }
    pub fn events(&self) -> &[T::Event] {
        &self.events
    }
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }
    pub fn dues(&self) -> &[Due] {
        &self.dues
    }
    /// `(id, version)` of the stored ticket it changes; None for a new one.
    pub fn base(&self) -> Option<(i64, i64)> {
        self.base
    }
    pub fn by(&self) -> Option<i64> {
        self.by
    }
    pub fn at(&self) -> Now {
        self.at
    }
    pub fn into_ticket(self) -> T {
        self.ticket
    }
    /// The event names, in order (for the answer to the caller and the logs).
    pub fn names(&self) -> Vec<&'static str> {
        self.events.iter().map(T::event_name).collect()
    }
}

fn decided<T: Ticket>(ticket: T, events: Vec<T::Event>, base: Option<(i64, i64)>, f: &Facts) -> Decided<T> {
    let notices = events.iter().flat_map(|e| ticket.notices(e)).collect();
    let dues = dues_of(&ticket, f.calendar, f.now);
    Decided { ticket, events, notices, dues, base, by: f.by, at: f.now }
}

/// The deadlines of `t` as the store keeps them.
pub fn dues_of<T: Ticket>(t: &T, cal: &Calendar, now: Now) -> Vec<Due> {
    t.deadlines()
        .into_iter()
        .map(|(d, owner)| Due {
            what: d.what.clone(),
            owner,
            due: d.due(cal, now).ok(),
            state: if d.met_at.is_some() {
                DueState::Met
            } else if d.is_paused() {
                DueState::Paused
            } else {
                DueState::Running
            },
            deadline: d.clone(),
        })
        .collect()
}

/// Opens a new ticket: its first state and events.
pub fn open<T: Ticket>(new: T::New, f: &Facts) -> Result<Decided<T>, T::Error> {
    let (mut t, events) = T::create(new, f)?;
    // The state `create` returns is the one before its events.
    for e in &events {
        t.apply(e, f.now);
    }
    Ok(decided(t, events, None, f))
}

/// Handles a command against a stored ticket: the events it gives, applied to a copy.
pub fn execute<T: Ticket>(s: &Stored<T>, cmd: T::Command, f: &Facts) -> Result<Decided<T>, T::Error> {
    let events = s.ticket.handle(cmd, f)?;
    let mut t = s.ticket.clone();
    for e in &events {
        t.apply(e, f.now);
    }
    Ok(decided(t, events, Some((s.id, s.version)), f))
}

/// Replays events over a ticket's first state (for tests and for checking a stored history).
pub fn replay<T: Ticket>(mut t: T, events: &[(T::Event, Now)]) -> T {
    for (e, at) in events {
        t.apply(e, *at);
    }
    t
}

/// A ticket that concerns a person (a reporter, a complainant): the copy a reader may see, with
/// the name and phone as the access layer's [`Seen`](crate::access::Seen) says.
pub trait Personal {
    fn redacted(&self, seen: &crate::access::Seen) -> Self;
}
