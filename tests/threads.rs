//! The keepalive's threads end when their connections close, break or are dropped.
//!
//! These tests count the process's threads by name, so they are a test binary of their
//! own: in the shared `it` binary, other tests' connections (each with its keepalive
//! thread) come and go in parallel and make any process-wide count meaningless. Within this
//! binary they take turns too: each holds [`ALONE`] for its whole run.

mod common;

use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use common::within;
use juju_client::Controller;
use juju_client::testing::FakeController;

/// Held by each test for its whole run, so that no other test's threads are counted.
static ALONE: Mutex<()> = Mutex::new(());

fn alone() -> MutexGuard<'static, ()> {
    // A test that failed while holding it poisons it; the next one may still run alone.
    ALONE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether threads can be counted here (Linux's `/proc/self/task`).
fn can_count_threads() -> bool {
    std::path::Path::new("/proc/self/task").exists()
}

fn keepalive_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|t| {
                    std::fs::read_to_string(t.path().join("comm"))
                        .is_ok_and(|c| c.trim() == "juju-keepalive")
                })
                .count()
        })
        .unwrap_or(0)
}

fn settles_at(n: usize) {
    let started = Instant::now();
    while keepalive_threads() != n {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{} keepalive threads, expected {n}",
            keepalive_threads()
        );
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn keepalive_threads_end_when_their_connections_close_or_are_dropped() {
    if !can_count_threads() {
        return; // no way to count threads here
    }
    let _alone = alone();
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        let opts = fake.connect_options();
        settles_at(0);
        let a = Controller::connect(&opts).unwrap();
        let b = Controller::connect(&opts).unwrap();
        let off = Controller::connect(&opts.clone().keepalive(None)).unwrap();
        settles_at(2);
        a.close().unwrap();
        settles_at(1);
        drop(b);
        settles_at(0);
        off.ping().unwrap();
        drop(off);
        settles_at(0);
    });
}

#[test]
fn a_reconnect_replaces_the_keepalive_thread_and_a_broken_connection_ends_it() {
    if !can_count_threads() {
        return; // no way to count threads here
    }
    let _alone = alone();
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        let opts = fake.connect_options();
        settles_at(0);
        let c = Controller::connect(&opts).unwrap();
        let off = Controller::connect(&opts.clone().keepalive(None)).unwrap();
        settles_at(1);
        c.reconnect().unwrap();
        settles_at(1);
        fake.drop_connections();
        assert!(c.ping().is_err());
        settles_at(0);
        off.ping().unwrap_err();
        drop(c);
        drop(off);
        settles_at(0);
    });
}
