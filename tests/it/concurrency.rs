//! Many threads on one handle: calls in flight together, replies matched whatever their
//! order, a broken or closed connection failing every waiting call at once with the right
//! flags, keepalive, and safe retries. A watchdog fails any test that hangs.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{Relay, RelayMode, within};
use juju_client::Controller;
use juju_client::secretbackends::VaultConfig;
use juju_client::testing::{FakeController, Fault};

#[test]
fn sixteen_threads_of_mixed_calls_with_shuffled_replies_never_get_another_callers_reply() {
    within(Duration::from_secs(300), || {
        let (crossed, broken) =
            common::mixed_calls_with_shuffled_replies(16, 1000, Duration::from_micros(800));
        assert_eq!(crossed, 0, "crossed replies");
        assert!(!broken);
    });
}

#[test]
fn calls_overlap_instead_of_taking_turns() {
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        // Eight calls of 1.5 s each within a 4 s call timeout: taking turns, most would
        // time out; in flight together, all are answered.
        let ctrl = Arc::new(
            Controller::connect(&fake.connect_options().call_timeout(Duration::from_secs(4)))
                .unwrap(),
        );
        fake.inject(
            "ListSecretBackends",
            Fault::Delay(Duration::from_millis(1500)),
        );
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let ctrl = ctrl.clone();
                thread::spawn(move || ctrl.list_secret_backends(false).map(|l| l.len()))
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap().unwrap(), 1);
        }
    });
}

#[test]
fn a_slow_call_does_not_hold_up_other_threads_calls() {
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        let ctrl = Arc::new(Controller::connect(&fake.connect_options()).unwrap());
        fake.inject("ListSecretBackends", Fault::Delay(Duration::from_secs(3)));
        let slow_done = Arc::new(AtomicBool::new(false));
        let slow = {
            let ctrl = ctrl.clone();
            let slow_done = slow_done.clone();
            thread::spawn(move || {
                let r = ctrl.list_secret_backends(false);
                slow_done.store(true, Ordering::SeqCst);
                r
            })
        };
        // Wait until the slow request is in flight, then make quick calls past it.
        while !fake
            .requests()
            .iter()
            .any(|r| r.method == "ListSecretBackends")
        {
            thread::sleep(Duration::from_millis(5));
        }
        for _ in 0..50 {
            ctrl.ping().unwrap();
        }
        assert!(
            !slow_done.load(Ordering::SeqCst),
            "50 pings waited for the slow call"
        );
        assert_eq!(slow.join().unwrap().unwrap().len(), 1);
    });
}

/// Whether the call was a change, how it ended, and how long it took.
type InFlight = thread::JoinHandle<(bool, Result<(), juju_client::Error>, Duration)>;

/// Starts `n` calls that the fake holds for long, and waits until all `n` arrived.
fn calls_in_flight(fake: &FakeController, ctrl: &Arc<Controller>, n: usize) -> Vec<InFlight> {
    fake.inject("ListSecretBackends", Fault::Delay(Duration::from_secs(20)));
    fake.inject("AddSecretBackends", Fault::Delay(Duration::from_secs(20)));
    let before = fake.requests().len();
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let ctrl = ctrl.clone();
            thread::spawn(move || {
                let started = Instant::now();
                let change = i % 2 == 0;
                let r = if change {
                    ctrl.add_secret_backends(
                        "",
                        &format!("n{i}"),
                        "vault",
                        VaultConfig::new("https://n:8200"),
                    )
                    .map(|_| ())
                } else {
                    ctrl.list_secret_backends(false).map(|_| ())
                };
                (change, r, started.elapsed())
            })
        })
        .collect();
    while fake.requests().len() < before + n {
        thread::sleep(Duration::from_millis(5));
    }
    threads
}

#[test]
fn a_dropped_connection_fails_every_call_in_flight_at_once_with_the_right_flags() {
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        let call_timeout = Duration::from_secs(30);
        let ctrl = Arc::new(
            Controller::connect(&fake.connect_options().call_timeout(call_timeout)).unwrap(),
        );
        let threads = calls_in_flight(&fake, &ctrl, 8);
        fake.drop_connections();
        for t in threads {
            let (change, r, took) = t.join().unwrap();
            let e = r.unwrap_err();
            assert!(e.is_connection_closed(), "{e}");
            assert_eq!(e.is_outcome_unknown(), change, "{e}");
            // Not left to time out (the fake would have answered after 20 s).
            assert!(took < Duration::from_secs(15), "{took:?}");
        }
        assert!(ctrl.is_broken());
        let e = ctrl.ping().unwrap_err();
        assert!(e.is_connection_closed(), "{e}");
        fake.clear_faults();
        ctrl.reconnect().unwrap();
        assert!(!ctrl.is_broken());
        ctrl.ping().unwrap();
    });
}

#[test]
fn close_while_calls_are_in_flight_fails_them_and_returns() {
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        let ctrl = Arc::new(
            Controller::connect(&fake.connect_options().call_timeout(Duration::from_secs(30)))
                .unwrap(),
        );
        let threads = calls_in_flight(&fake, &ctrl, 4);
        ctrl.close().unwrap();
        for t in threads {
            let (change, r, took) = t.join().unwrap();
            let e = r.unwrap_err();
            assert!(e.is_connection_closed(), "{e}");
            assert!(e.message().contains("close()"), "{e}");
            assert_eq!(e.is_outcome_unknown(), change, "{e}");
            assert!(took < Duration::from_secs(15), "{took:?}");
        }
        assert!(ctrl.is_broken());
        assert!(ctrl.ping().unwrap_err().is_connection_closed());
    });
}

#[test]
fn reconnect_while_calls_are_in_flight_lets_them_finish_on_the_old_connection() {
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        let ctrl = Arc::new(Controller::connect(&fake.connect_options()).unwrap());
        fake.inject(
            "ListSecretBackends",
            Fault::Delay(Duration::from_millis(800)),
        );
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let ctrl = ctrl.clone();
                thread::spawn(move || ctrl.list_secret_backends(false).map(|l| l.len()))
            })
            .collect();
        while fake
            .requests()
            .iter()
            .filter(|r| r.method == "ListSecretBackends")
            .count()
            < 4
        {
            thread::sleep(Duration::from_millis(5));
        }
        ctrl.reconnect().unwrap();
        ctrl.ping().unwrap();
        for t in threads {
            assert_eq!(t.join().unwrap().unwrap(), 1);
        }
        ctrl.ping().unwrap();
    });
}

#[test]
fn keepalive_notices_an_unanswered_ping_and_the_next_call_fails_at_once() {
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        let call_timeout = Duration::from_secs(1);
        let opts = fake
            .connect_options()
            .call_timeout(call_timeout)
            .keepalive(Some(Duration::from_millis(200)));
        let ctrl = Controller::connect(&opts).unwrap();
        fake.inject("Ping", Fault::NoReply);
        let started = Instant::now();
        // Interval + ping timeout is 1.2 s; the bound is generous for a loaded machine.
        while !ctrl.is_broken() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "keepalive never noticed"
            );
            thread::sleep(Duration::from_millis(20));
        }
        let e = ctrl.list_secret_backends(false).unwrap_err();
        assert!(e.is_connection_closed(), "{e}");
        // Refused before anything was sent, not left to time out.
        assert!(!e.is_timeout(), "{e}");
        assert!(
            e.message().contains("not connected (keepalive ping failed"),
            "{e}"
        );
    });
}

#[test]
fn keepalive_pings_only_while_idle_and_can_be_turned_off() {
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        let ctrl = Controller::connect(
            &fake
                .connect_options()
                .keepalive(Some(Duration::from_millis(100))),
        )
        .unwrap();
        let quiet = Controller::connect(&fake.connect_options().keepalive(None)).unwrap();
        fake.clear_requests();
        let pings = || {
            fake.requests()
                .iter()
                .filter(|r| r.method == "Ping")
                .count()
        };
        let started = Instant::now();
        while pings() < 2 {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no keepalive pings"
            );
            thread::sleep(Duration::from_millis(20));
        }
        ctrl.close().unwrap();
        drop(quiet);
        // A ping already on the wire when close() began may still be recorded: let it land.
        thread::sleep(Duration::from_millis(200));
        let after = pings();
        thread::sleep(Duration::from_millis(400));
        assert_eq!(pings(), after, "pings after close");
    });
}

#[test]
fn reconnect_on_call_reconnects_a_broken_connection_before_sending() {
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        let opts = fake.connect_options().reconnect_on_call(true);
        let ctrl = Controller::connect(&opts).unwrap();
        fake.inject("Ping", Fault::DropConnection);
        assert!(ctrl.ping().unwrap_err().is_connection_closed());
        assert!(ctrl.is_broken());
        fake.clear_faults();
        let logins =
            |f: &FakeController| f.requests().iter().filter(|r| r.method == "Login").count();
        let before = logins(&fake);
        assert_eq!(ctrl.list_secret_backends(false).unwrap().len(), 1);
        assert_eq!(logins(&fake), before + 1, "one reconnect");
        assert!(!ctrl.is_broken());

        // A change whose reply was lost is not resent.
        fake.inject("AddSecretBackends", Fault::DropConnection);
        let e = ctrl
            .add_secret_backends("", "x", "vault", VaultConfig::new("https://x:8200"))
            .unwrap_err();
        assert!(e.is_outcome_unknown(), "{e}");
        let adds = fake
            .requests()
            .iter()
            .filter(|r| r.method == "AddSecretBackends")
            .count();
        assert_eq!(adds, 1);

        // A closed connection is not reopened.
        fake.clear_faults();
        ctrl.close().unwrap();
        assert!(ctrl.ping().unwrap_err().is_connection_closed());
    });
}

#[test]
fn connect_retries_get_past_failed_connects_but_not_past_a_refusal() {
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        // The first two connections through the relay are cut before TLS.
        let relay = Relay::start(fake.endpoint(), RelayMode::Plain { cut_first: 2 });
        let opts = fake.connect_options().endpoints([relay.addr.to_string()]);
        let e = Controller::connect(&opts).unwrap_err();
        assert_eq!(e.kind(), juju_client::ErrorKind::Connect, "{e}");
        let retried = opts.connect_retries(3, Duration::from_millis(20));
        Controller::connect(&retried).unwrap().ping().unwrap();
        assert_eq!(relay.accepted(), 3);

        // A refused login is an answer: returned at once, not retried.
        fake.clear_requests();
        let wrong = fake
            .connect_options()
            .password("wrong")
            .connect_retries(5, Duration::from_millis(10));
        let e = Controller::connect(&wrong).unwrap_err();
        assert_eq!(e.kind(), juju_client::ErrorKind::Api, "{e}");
        let logins = fake
            .requests()
            .iter()
            .filter(|r| r.method == "Login")
            .count();
        assert_eq!(logins, 1);
    });
}

#[test]
fn keepalive_detects_a_silently_dead_peer() {
    within(Duration::from_secs(60), || {
        let fake = FakeController::start().unwrap();
        let relay = Relay::start(fake.endpoint(), RelayMode::Plain { cut_first: 0 });
        let call_timeout = Duration::from_millis(800);
        let opts = fake
            .connect_options()
            .endpoints([relay.addr.to_string()])
            .call_timeout(call_timeout)
            .keepalive(Some(Duration::from_millis(200)));
        let ctrl = Controller::connect(&opts).unwrap();
        ctrl.ping().unwrap();
        // The peer stays connected but never answers again: no FIN, no RST.
        relay.freeze();
        let started = Instant::now();
        // Interval + ping timeout is 1 s; the bound is generous for a loaded machine.
        while !ctrl.is_broken() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "keepalive never noticed"
            );
            thread::sleep(Duration::from_millis(20));
        }
        let e = ctrl.ping().unwrap_err();
        assert!(e.is_connection_closed(), "{e}");
        assert!(!e.is_timeout(), "{e}");
        assert!(
            e.message().contains("not connected (keepalive ping failed"),
            "{e}"
        );
    });
}

/// A reply type whose decoding panics, as a user's `Deserialize` may.
struct Bomb;

impl<'de> serde::Deserialize<'de> for Bomb {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Bomb, D::Error> {
        panic!("a user type panicked while decoding (expected by this test)");
    }
}

/// Makes a generic call whose reply decodes into a `Bomb`, and catches its panic.
fn call_bomb(ctrl: &Controller) {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ctrl.call::<_, Bomb>("Pinger", "Ping", &serde_json::json!({}))
    }));
    assert!(r.is_err(), "the decode did not panic");
}

#[test]
fn a_caller_whose_decode_panics_leaves_the_other_callers_unaffected() {
    within(Duration::from_secs(20), || {
        let fake = FakeController::start().unwrap();
        // A call timeout far beyond the bound below: a caller left to wait it out fails.
        let ctrl = Arc::new(
            Controller::connect(&fake.connect_options().call_timeout(Duration::from_secs(30)))
                .unwrap(),
        );
        // Alone, the panicking caller was the reader for everyone.
        call_bomb(&ctrl);
        let started = Instant::now();
        ctrl.ping().unwrap();
        let other = {
            let ctrl = ctrl.clone();
            thread::spawn(move || ctrl.ping())
        };
        other.join().unwrap().unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert!(!ctrl.is_broken());

        // The reader panics while another caller waits for a slower reply: that caller
        // takes over reading and gets its reply, long before its deadline.
        fake.inject("Ping", Fault::Delay(Duration::from_millis(500)));
        fake.inject(
            "ListSecretBackends",
            Fault::Delay(Duration::from_millis(1500)),
        );
        fake.clear_requests();
        let bomb = {
            let ctrl = ctrl.clone();
            thread::spawn(move || call_bomb(&ctrl))
        };
        while !fake.requests().iter().any(|r| r.method == "Ping") {
            thread::sleep(Duration::from_millis(5));
        }
        let started = Instant::now();
        assert_eq!(ctrl.list_secret_backends(false).unwrap().len(), 1);
        bomb.join().unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        fake.clear_faults();
        ctrl.ping().unwrap();
    });
}

#[test]
fn close_does_not_wait_for_a_write_stalled_on_a_controller_that_stopped_reading() {
    within(Duration::from_secs(90), || {
        let fake = FakeController::start().unwrap();
        let relay = Relay::start(fake.endpoint(), RelayMode::Plain { cut_first: 0 });
        // A call timeout far beyond the bounds below: waiting for the stalled writer's
        // deadline fails them.
        let opts = fake
            .connect_options()
            .endpoints([relay.addr.to_string()])
            .call_timeout(Duration::from_secs(60))
            .keepalive(None);
        let ctrl = Arc::new(Controller::connect(&opts).unwrap());
        ctrl.ping().unwrap();
        relay.stall_uploads();
        // More than the socket buffers hold (Linux defaults: at most 4 MiB to send
        // and 6 MiB, here 32, to receive): the write stalls, holding the stream.
        let writer = {
            let ctrl = ctrl.clone();
            thread::spawn(move || {
                let pad = "x".repeat(40 << 20);
                let r = ctrl.call::<_, serde_json::Value>(
                    "Pinger",
                    "Ping",
                    &serde_json::json!({ "pad": pad }),
                );
                (r, Instant::now())
            })
        };
        thread::sleep(Duration::from_secs(3));
        assert!(!writer.is_finished(), "the write did not stall");
        let started = Instant::now();
        ctrl.close().unwrap();
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "close() took {took:?}");
        let (r, ended) = writer.join().unwrap();
        let e = r.unwrap_err();
        // Failed by close(), not by its own deadline (57 s later): at once if its write had
        // stalled, else as soon as it is done encoding 40 MiB (slow in a debug build on a
        // loaded machine).
        assert!(
            ended.saturating_duration_since(started) < Duration::from_secs(25),
            "{:?}",
            ended.saturating_duration_since(started)
        );
        assert!(e.is_connection_closed(), "{e}");
        assert!(e.message().contains("close()"), "{e}");
        assert!(!e.is_timeout(), "{e}");
        assert!(ctrl.is_broken());
    });
}
