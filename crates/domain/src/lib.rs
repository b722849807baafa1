//! noveto's rules: types with invariants, state machines, policies and the working-day
//! calendar. No I/O, no clock, no SQL, no HTTP: callers pass `now` and the calendar in.

pub mod access;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod complaint;
pub mod deadline;
pub mod ending;
pub mod phrases;
pub mod policy;
pub mod prescreen;
pub mod rating;
pub mod rectification;
pub mod suggestion;
pub mod ticket;
pub mod time;
pub mod unresolved;
pub mod validate;

pub use chrono;
