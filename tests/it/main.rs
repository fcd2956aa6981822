//! The integration tests, in one binary: one link instead of one per file, which is most of
//! their build time on CI's two cores. Tests that must run alone stay in their own
//! binaries: `logging` (it installs the global logger), `juju_data`, `login_env` and
//! `proxy` (they set process environment variables other tests would see), `threads` (it
//! counts the process's threads, which other tests' connections would change), and
//! `real_controller` (opt-in, against a real controller).

#[path = "../common/mod.rs"]
mod common;

mod concurrency;
mod connect;
mod examples;
mod fake_admin;
mod fake_models_wire;
mod fake_secrets_wire;
mod faults;
mod fuzz_corpus;
mod hostile;
mod juju_versions;
mod login;
mod models_sdk;
mod rpc;
mod secretbackends;
mod secretbackends_versions;
mod secrets_sdk;
