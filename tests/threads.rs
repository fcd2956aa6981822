//! The keepalive's threads end when their connections close, break or are dropped.
//!
//! These tests count the process's threads by name, so they are a test binary of their
//! own: in the shared `it` binary, other tests' connections (each with its keepalive
//! thread) come and go in parallel and make any process-wide count meaningless. Within this
//! binary they take turns too: each holds [`ALONE`] for its whole run.

mod common;

use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use common::within;
use juju_client::Controller;
use juju_client::testing::FakeController;

/// Held by each test for its whole run, so that no other test's threads are counted.
static ALONE: Mutex<()> = Mutex::new(());

/// Runs `test` with a fake controller, alone, under a watchdog, once no keepalive thread is
/// left; where threads cannot be counted (no `/proc/self/task`), does nothing.
fn counting_threads(test: impl FnOnce(FakeController) + Send + 'static) {
    if !std::path::Path::new("/proc/self/task").exists() {
        return;
    }
    // A test that failed while holding it poisons it; the next one may still run alone.
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        settles_at(0);
        test(fake);
    });
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
    counting_threads(|fake| {
        let opts = fake.connect_options();
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
    counting_threads(|fake| {
        let opts = fake.connect_options();
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
