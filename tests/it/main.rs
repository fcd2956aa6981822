//! The integration tests, in one binary: one link instead of one per file, which is most of
//! their build time on CI's two cores. Tests that must run alone stay in their own
//! binaries: `logging` (it installs the global logger), `juju_data`, `login_env` and
//! `proxy` (they set process environment variables other tests would see), and
//! `real_controller` (opt-in, against a real controller).

#[path = "../common/mod.rs"]
mod common;

mod compat;
mod concurrency;
mod connect;
mod examples;
mod fake_admin;
mod faults;
mod fuzz_corpus;
mod hostile;
mod login;
mod model_api;
mod models;
mod rpc;
mod secretbackends;
mod secrets;
mod threads;
mod versions;
