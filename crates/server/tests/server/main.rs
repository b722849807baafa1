//! The server's one integration-test binary: real HTTP against a real store.

mod architecture;
mod browser;
mod cases;
mod catalog;
mod complaints;
mod endings;
mod faq;
mod helpers;
mod input;
mod jobs;
mod org;
mod ratings;
mod replica;
mod reports;
mod scope;
mod unresolved;
mod walk;
