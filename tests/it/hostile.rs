//! A hostile or broken server must not stretch a deadline, block a close, or crash the
//! client: each test plays one trick seen in a security review, from a scripted server,
//! and bounds how long the client may take with generous slack (the old code took several
//! times longer, or forever). A watchdog fails a test that hangs instead of stalling CI.

use std::borrow::Borrow;
use std::thread;
use std::time::{Duration, Instant};

use juju_client::fuzzing::{HostileServer, Stage, Step};
use juju_client::testing::FakeController;
use juju_client::{Controller, Error};

use crate::common::within;

/// Pings, under a watchdog, and expects an error: returns how long the ping took, and the
/// error.
fn failing_ping(ctrl: impl Borrow<Controller> + Send + 'static) -> (Duration, Error) {
    within(Duration::from_secs(30), move || {
        let started = Instant::now();
        let err = ctrl.borrow().ping().unwrap_err();
        (started.elapsed(), err)
    })
}

/// `n` bytes trickled one per 400 ms: each arrives before a 1 s idle timeout would fire.
fn trickle(bytes: &[u8]) -> Step {
    Step::Trickle(bytes.to_vec(), Duration::from_millis(400))
}

#[test]
fn a_server_trickling_the_tls_handshake_cannot_stretch_connect_timeout() {
    // A TLS record header announcing 16 KiB, then its body one byte at a time.
    let mut record = vec![0x16, 0x03, 0x03, 0x40, 0x00];
    record.extend_from_slice(&[0; 40]);
    let server = HostileServer::start(Stage::Tcp, vec![trickle(&record)], 1).unwrap();
    let opts = server
        .connect_options()
        .connect_timeout(Duration::from_secs(1));
    let (took, err) = within(Duration::from_secs(20), move || {
        let started = Instant::now();
        let err = Controller::connect(&opts).unwrap_err();
        (started.elapsed(), err)
    });
    assert!(err.is_timeout(), "{err}");
    assert!(took < Duration::from_secs(3), "connect took {took:?}");
}

#[test]
fn a_server_trickling_the_upgrade_answer_cannot_stretch_connect_timeout() {
    let head = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    let server = HostileServer::start(Stage::Tls, vec![trickle(head)], 1).unwrap();
    let opts = server
        .connect_options()
        .connect_timeout(Duration::from_secs(1));
    let (took, err) = within(Duration::from_secs(40), move || {
        let started = Instant::now();
        let err = Controller::connect(&opts).unwrap_err();
        (started.elapsed(), err)
    });
    assert!(err.is_timeout(), "{err}");
    assert!(took < Duration::from_secs(3), "connect took {took:?}");
}

fn logged_in(steps: Vec<Step>, call_timeout: Duration) -> (HostileServer, Controller) {
    let server = HostileServer::start(Stage::LoggedIn, steps, 1).unwrap();
    let opts = server.connect_options().call_timeout(call_timeout);
    let ctrl = Controller::connect(&opts).unwrap();
    (server, ctrl)
}

#[test]
fn a_server_trickling_a_reply_cannot_stretch_call_timeout() {
    let frame = b"\x81\x7e\x00\xff{\"request-id\":2,\"response\":{}}";
    let (_server, ctrl) = logged_in(
        vec![Step::Sleep(Duration::from_millis(100)), trickle(frame)],
        Duration::from_secs(1),
    );
    let (took, err) = failing_ping(ctrl);
    assert!(err.is_timeout(), "{err}");
    assert!(took < Duration::from_secs(3), "the call took {took:?}");
}

#[test]
fn a_server_pinging_every_300_ms_cannot_stretch_call_timeout() {
    let (_server, ctrl) = logged_in(
        vec![Step::Pings(30, Duration::from_millis(300))],
        Duration::from_secs(1),
    );
    let (took, err) = failing_ping(ctrl);
    assert!(err.is_timeout(), "{err}");
    assert!(took < Duration::from_secs(3), "the call took {took:?}");
}

#[test]
fn time_waiting_for_the_connection_counts_against_call_timeout() {
    // The server never answers: the first call holds the connection for its whole 2 s,
    // and the second, started just after, must give up at its own deadline rather than
    // wait 2 s for the slot and then 2 s more for a reply.
    let (_server, ctrl) = logged_in(
        vec![Step::Sleep(Duration::from_secs(20))],
        Duration::from_secs(2),
    );
    let ctrl = std::sync::Arc::new(ctrl);
    let first = {
        let ctrl = ctrl.clone();
        thread::spawn(move || ctrl.ping())
    };
    thread::sleep(Duration::from_millis(50));
    let (took, err) = failing_ping(ctrl);
    assert!(err.is_timeout(), "{err}");
    assert!(
        took < Duration::from_millis(3200),
        "the second call took {took:?}"
    );
    assert!(first.join().unwrap().unwrap_err().is_timeout());
}

#[test]
fn close_is_bounded_when_the_server_keeps_talking() {
    // A text frame trickled a byte at a time for 20 s; close waits at most 1 s.
    let chatter: Vec<u8> = [0x81, 2, b'{', b'}'].repeat(50);
    let (_server, ctrl) = logged_in(
        vec![Step::Trickle(chatter, Duration::from_millis(100))],
        Duration::from_secs(5),
    );
    let took = within(Duration::from_secs(30), move || {
        let started = Instant::now();
        ctrl.close().unwrap();
        started.elapsed()
    });
    assert!(took < Duration::from_secs(3), "close took {took:?}");
}

#[test]
fn drop_does_not_wait_for_a_flooding_server() {
    let (_server, ctrl) = logged_in(
        vec![Step::Pings(5_000_000, Duration::ZERO)],
        Duration::from_secs(5),
    );
    thread::sleep(Duration::from_millis(100));
    let took = within(Duration::from_secs(60), move || {
        let started = Instant::now();
        drop(ctrl);
        started.elapsed()
    });
    assert!(took < Duration::from_secs(1), "drop took {took:?}");
}

#[test]
fn unlimited_timeouts_saturate_instead_of_panicking() {
    let fake = FakeController::start().unwrap();
    let opts = fake
        .connect_options()
        .connect_timeout(Duration::MAX)
        .call_timeout(Duration::MAX);
    let ctrl = within(Duration::from_secs(30), move || {
        let ctrl = Controller::connect(&opts).unwrap();
        ctrl.ping().unwrap();
        let _: serde_json::Value = ctrl.call("Pinger", "Ping", &serde_json::json!({})).unwrap();
        ctrl.reconnect().unwrap();
        ctrl.close().unwrap();
        ctrl
    });
    drop(ctrl);
}
