//! Reliability: every fault the fake can inject ends in the right answer or a typed error
//! within call_timeout plus a margin, with no panic; afterwards the handle works or says it
//! is closed, and reconnect() restores it. Changes in flight are reported as of unknown
//! outcome and never retried. A watchdog fails any test that hangs.

use crate::common;

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::{add_backends, within};
use juju_client::secretbackends::{UpdateSecretBackend, VaultConfig};
use juju_client::testing::{FakeController, Fault};
use juju_client::{Controller, ErrorKind};

const CALL_TIMEOUT: Duration = Duration::from_millis(400);
const MARGIN: Duration = Duration::from_secs(2);

/// How a call under a fault must end.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// The right answer.
    Answer,
    /// A timeout; the connection is still usable.
    Timeout,
    /// A protocol error; the connection is still usable.
    BadReply,
    /// The connection is closed; reconnect() restores it.
    Closed,
}

#[test]
fn every_fault_ends_in_the_right_answer_or_a_typed_error_in_time() {
    let cases = [
        (Fault::Delay(Duration::from_millis(50)), Expect::Answer),
        (Fault::Delay(Duration::from_secs(1)), Expect::Timeout),
        (Fault::Shuffle(Duration::from_millis(30)), Expect::Answer),
        (Fault::NoReply, Expect::Timeout),
        (Fault::DropConnection, Expect::Closed),
        (Fault::NonJson, Expect::Closed),
        (Fault::UnknownIdFirst, Expect::Answer),
        (Fault::Fragment(3), Expect::Answer),
        (Fault::Oversize(2 << 20), Expect::Closed),
        (Fault::CloseMidCall, Expect::Closed),
        (Fault::MissingFields, Expect::BadReply),
    ];
    within(Duration::from_secs(120), move || {
        let fake = FakeController::start().unwrap();
        let opts = fake
            .connect_options()
            .call_timeout(CALL_TIMEOUT)
            .max_message_size(1 << 20);
        let ctrl = Controller::connect(&opts).unwrap();
        ctrl.add_secret_backends("", "v", "vault", VaultConfig::new("https://v:8200"))
            .unwrap();
        for (fault, expect) in cases {
            fake.inject("ListSecretBackends", fault.clone());
            let started = Instant::now();
            let result = ctrl.list_secret_backends(false);
            let took = started.elapsed();
            assert!(took < CALL_TIMEOUT + MARGIN, "{fault:?} took {took:?}");
            fake.clear_faults();
            match (expect, result) {
                (Expect::Answer, Ok(list)) => {
                    let mut names: Vec<String> = list.into_iter().map(|b| b.name).collect();
                    names.sort();
                    assert_eq!(names, ["internal", "v"], "{fault:?}");
                }
                (Expect::Timeout, Err(e)) => {
                    assert!(e.is_timeout(), "{fault:?}: {e}");
                    assert!(!e.is_connection_closed(), "{fault:?}: {e}");
                }
                (Expect::BadReply, Err(e)) => {
                    assert_eq!(e.kind(), ErrorKind::Protocol, "{fault:?}: {e}");
                    assert!(!e.is_connection_closed());
                }
                (Expect::Closed, Err(e)) => {
                    assert!(e.is_connection_closed(), "{fault:?}: {e}");
                    assert!(!e.is_outcome_unknown(), "a list changes nothing: {e}");
                    let again = ctrl.ping().unwrap_err();
                    assert!(again.is_connection_closed(), "{fault:?}: {again}");
                    ctrl.reconnect().unwrap();
                }
                (expect, got) => panic!("{fault:?}: expected {expect:?}, got {got:?}"),
            }
            // Whatever happened, the handle works now (after a late reply, if any, arrives
            // and is dropped).
            let list = ctrl.list_secret_backends(false);
            let list = match list {
                Err(e) if e.is_timeout() => ctrl.list_secret_backends(false),
                other => other,
            };
            assert_eq!(
                list.unwrap_or_else(|e| panic!("after {fault:?}: {e}"))
                    .len(),
                2
            );
        }
    });
}

#[test]
fn oversized_replies_name_the_limit() {
    within(Duration::from_secs(30), || {
        let fake = FakeController::start().unwrap();
        let ctrl = Controller::connect(&fake.connect_options().max_message_size(64 << 10)).unwrap();
        fake.inject("Ping", Fault::Oversize(100 << 10));
        let e = ctrl.ping().unwrap_err();
        assert!(
            e.message()
                .contains("over the 65536-byte limit (max_message_size)"),
            "{e}"
        );
    });
}

#[test]
fn a_change_in_flight_when_the_connection_breaks_is_of_unknown_outcome_and_not_retried() {
    within(Duration::from_secs(30), || {
        let fake = FakeController::start().unwrap();
        let ctrl = Controller::connect(&fake.connect_options().call_timeout(CALL_TIMEOUT)).unwrap();
        ctrl.add_secret_backends("", "v", "vault", VaultConfig::new("https://v:8200"))
            .unwrap();

        fake.inject("AddSecretBackends", Fault::DropConnection);
        let e = ctrl
            .add_secret_backends("", "w", "vault", VaultConfig::new("https://w:8200"))
            .unwrap_err();
        assert!(e.is_outcome_unknown(), "{e}");
        assert!(e.is_connection_closed(), "{e}");
        assert!(
            e.message().contains("may or may not have applied it"),
            "{e}"
        );
        assert!(e.message().contains("nothing was retried"), "{e}");

        fake.inject("UpdateSecretBackends", Fault::NoReply);
        ctrl.reconnect().unwrap();
        let e = ctrl
            .update_secret_backends("v", UpdateSecretBackend::new().config([("token", "t")]))
            .unwrap_err();
        assert!(e.is_timeout() && e.is_outcome_unknown(), "{e}");
        assert!(!e.is_connection_closed());

        fake.inject("RemoveSecretBackends", Fault::CloseMidCall);
        let e = ctrl.remove_secret_backends_batch(["v"], false).unwrap_err();
        assert!(e.is_outcome_unknown() && e.is_connection_closed(), "{e}");

        let sent = |m: &str| fake.requests().iter().filter(|r| r.method == m).count();
        assert_eq!(
            sent("AddSecretBackends"),
            2,
            "one add, plus the lost one: nothing retried"
        );
        assert_eq!(sent("UpdateSecretBackends"), 1);
        assert_eq!(sent("RemoveSecretBackends"), 1);

        // Reads are never "of unknown outcome".
        fake.clear_faults();
        ctrl.reconnect().unwrap();
        fake.inject("ListSecretBackends", Fault::NoReply);
        let e = ctrl.list_secret_backends(false).unwrap_err();
        assert!(e.is_timeout() && !e.is_outcome_unknown(), "{e}");
    });
}

#[test]
fn eight_threads_of_mixed_calls_against_out_of_order_replies_each_get_their_own() {
    within(Duration::from_secs(300), || {
        // Every reply is delayed at random, so late and early replies interleave.
        let (crossed, broken) =
            common::mixed_calls_with_shuffled_replies(8, 2000, Duration::from_micros(500));
        assert_eq!(crossed, 0, "crossed replies");
        assert!(!broken);
    });
}

#[test]
fn late_replies_to_timed_out_calls_never_reach_another_caller() {
    within(Duration::from_secs(120), || {
        let fake = FakeController::builder()
            .record_requests(false)
            .start()
            .unwrap();
        let opts = fake
            .connect_options()
            .call_timeout(Duration::from_millis(3));
        let ctrl = Arc::new(
            Controller::connect(&opts.clone().call_timeout(Duration::from_secs(10))).unwrap(),
        );
        add_backends(&ctrl, 8);
        // Now a short timeout against replies delayed up to twice as long: many calls time
        // out, and their replies arrive while other threads wait for theirs.
        let ctrl = Arc::new(Controller::connect(&opts).unwrap());
        fake.inject(
            "ListSecretBackends",
            Fault::Shuffle(Duration::from_millis(6)),
        );
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let ctrl = ctrl.clone();
                thread::spawn(move || {
                    let name = format!("b{t}");
                    let (mut ok, mut timed_out) = (0, 0);
                    for _ in 0..300 {
                        match ctrl.list_secret_backends_named([name.as_str()], false) {
                            Ok(list) => {
                                assert_eq!(list.len(), 1, "a reply crossed to the wrong caller");
                                assert_eq!(
                                    list[0].name, name,
                                    "a reply crossed to the wrong caller"
                                );
                                ok += 1;
                            }
                            Err(e) => {
                                assert!(e.is_timeout(), "{e}");
                                timed_out += 1;
                            }
                        }
                    }
                    (ok, timed_out)
                })
            })
            .collect();
        let (mut ok, mut timed_out) = (0, 0);
        for t in threads {
            let (o, e) = t.join().unwrap();
            ok += o;
            timed_out += e;
        }
        assert!(
            ok > 0 && timed_out > 0,
            "both outcomes exercised: {ok} ok, {timed_out} timed out"
        );
    });
}
