//! The keepalive's threads end when their connections close, break or are dropped. Alone in
//! its test binary: it counts the process's threads by name.

use crate::common;

use std::thread;
use std::time::{Duration, Instant};

use common::within;
use juju_client::Controller;
use juju_client::testing::FakeController;

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
fn keepalive_threads_end_with_their_connections() {
    if !std::path::Path::new("/proc/self/task").exists() {
        return; // no way to count threads here
    }
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        let opts = fake.connect_options();
        settles_at(0);
        let a = Controller::connect(&opts).unwrap();
        let b = Controller::connect(&opts).unwrap();
        let c = Controller::connect(&opts).unwrap();
        let off = Controller::connect(&opts.clone().keepalive(None)).unwrap();
        settles_at(3);
        a.close().unwrap();
        settles_at(2);
        drop(b);
        settles_at(1);
        // A reconnect replaces the thread; a broken connection's thread ends.
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
