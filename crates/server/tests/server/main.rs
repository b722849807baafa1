//! The server's one integration-test binary: real HTTP against a real store.

mod helpers;
mod org;
mod input;
mod cases;
mod jobs;
mod browser;
