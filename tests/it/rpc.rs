//! The RPC layer: dispatch errors byte for byte, timeouts, broken connections, threads,
//! fragmented and oversized messages.

use crate::common;

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use common::{Raw, error_reply_bytes as reply, parse_reply, within};
use juju_client::testing::{FakeController, Fault};
use juju_client::{Controller, ErrorCode, ErrorKind};
use serde_json::{Value, json};

// The two dispatch tests compare bytes, not values: their point is Juju's exact envelope
// (the field order of Go's struct, `error-code` left out when empty) and Go's escaping of
// the quotes in its texts, which other clients' parsers meet as they are.

#[test]
fn dispatch_errors_before_login_match_juju_byte_for_byte() {
    let fake = FakeController::start().unwrap();
    let mut raw = Raw::connect(&fake);
    let cases = [
        (
            r#"{"request-id":1,"type":"Pinger","version":1,"request":"Ping"}"#,
            reply(
                1,
                r#"unknown version (1) of interface "Pinger""#,
                Some("not implemented"),
            ),
        ),
        (
            r#"{"request-id":2,"type":"Foo","request":"Bar"}"#,
            reply(2, r#"unknown object type "Foo""#, Some("not implemented")),
        ),
        (
            r#"{"request-id":3,"type":"Admin","version":4,"request":"Login","params":{}}"#,
            reply(
                3,
                "this version of Juju does not support login from old clients (not supported)",
                Some("not supported"),
            ),
        ),
        (
            r#"{"request-id":4,"type":"Admin","request":"Login","params":{}}"#,
            reply(
                4,
                "this version of Juju does not support login from old clients (not supported)",
                Some("not supported"),
            ),
        ),
        (
            r#"{"request-id":5,"type":"Admin","version":3,"request":"Foo"}"#,
            reply(
                5,
                "no such request - method Admin.Foo is not implemented",
                Some("not implemented"),
            ),
        ),
        (
            r#"{"request-id":6,"type":"Admin","version":3,"id":"x","request":"Login","params":{}}"#,
            reply(6, "id not found", Some("not found")),
        ),
        (
            r#"{"request-id":7,"type":"Admin","version":3,"request":"RedirectInfo"}"#,
            reply(7, "not redirected", None),
        ),
        (
            r#"{"request-id":8,"type":"Admin","version":3,"request":"Login","params":{"auth-tag":"bar","credentials":"x"}}"#,
            reply(8, r#""bar" is not a valid tag"#, None),
        ),
        (
            r#"{"request-id":9,"type":"Admin","version":3,"request":"Login","params":{"auth-tag":"user-admin","credentials":"wrong"}}"#,
            reply(
                9,
                "invalid entity name or password",
                Some("unauthorized access"),
            ),
        ),
    ];
    for (request, expected) in cases {
        assert_eq!(raw.exchange(request), expected, "for {request}");
    }
}

#[test]
fn dispatch_errors_after_login_match_juju_byte_for_byte() {
    let fake = FakeController::start().unwrap();
    let mut raw = Raw::connect(&fake);
    raw.login(&fake);
    let cases = [
        (
            r#"{"request-id":2,"type":"Admin","version":3,"request":"Login","params":{}}"#,
            reply(
                2,
                r#"facade "Admin" not supported for controller API connection"#,
                Some("not supported"),
            ),
        ),
        (
            r#"{"request-id":3,"type":"Foo","version":1,"request":"Bar"}"#,
            reply(
                3,
                r#"facade "Foo" not supported for controller API connection"#,
                Some("not supported"),
            ),
        ),
        (
            r#"{"request-id":4,"type":"Pinger","version":2,"request":"Ping"}"#,
            reply(
                4,
                r#"unknown version (2) of interface "Pinger""#,
                Some("not implemented"),
            ),
        ),
        (
            r#"{"request-id":5,"type":"Pinger","request":"Ping"}"#,
            reply(
                5,
                r#"unknown object type "Pinger""#,
                Some("not implemented"),
            ),
        ),
        (
            r#"{"request-id":6,"type":"Pinger","version":1,"request":"Pong"}"#,
            reply(
                6,
                "no such request - method Pinger(1).Pong is not implemented",
                Some("not implemented"),
            ),
        ),
        (
            r#"{"request-id":7,"type":"Pinger","version":1,"request":"Ping"}"#,
            concat!(r#"{"request-id":7,"response":{}}"#, "\n").to_string(),
        ),
    ];
    for (request, expected) in cases {
        assert_eq!(raw.exchange(request), expected, "for {request}");
    }
}

#[test]
fn request_id_zero_gets_the_legacy_reply_shape() {
    let fake = FakeController::start().unwrap();
    let mut raw = Raw::connect(&fake);
    let got = raw.exchange(r#"{"type":"Admin","version":3,"request":"RedirectInfo"}"#);
    assert_eq!(
        parse_reply(&got),
        json!({"RequestId": 0, "Error": "not redirected", "Response": {}})
    );
}

#[test]
fn a_message_that_is_not_json_ends_the_connection() {
    let fake = FakeController::start().unwrap();
    let mut raw = Raw::connect(&fake);
    raw.send("this is not json");
    assert!(raw.ends());
}

#[test]
fn sdk_surfaces_dispatch_errors_with_code_and_exact_message() {
    let fake = FakeController::start().unwrap();
    let ctrl = Controller::connect(&fake.connect_options()).unwrap();
    let err = ctrl
        .call_at::<_, Value>("Pinger", 2, "Ping", &json!({}))
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotImplemented));
    assert_eq!(
        err.message(),
        r#"unknown version (2) of interface "Pinger""#
    );
    assert_eq!(
        err.to_string(),
        r#"unknown version (2) of interface "Pinger" (not implemented)"#
    );
    // The connection is still fine.
    ctrl.ping().unwrap();
}

#[test]
fn a_facade_the_controller_lacks_fails_locally() {
    let fake = FakeController::start().unwrap();
    let ctrl = Controller::connect(&fake.connect_options()).unwrap();
    fake.clear_requests();
    let err = ctrl
        .call::<_, Value>("Secrets", "ListSecrets", &json!({}))
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotSupported));
    assert!(err.message().contains("\"Secrets\""), "{err}");
    assert!(fake.requests().is_empty(), "nothing went on the wire");
}

#[test]
fn a_timeout_leaves_the_connection_usable_and_drops_the_late_reply() {
    within(Duration::from_secs(30), || {
        let fake = FakeController::start().unwrap();
        let ctrl = Controller::connect(
            &fake
                .connect_options()
                .call_timeout(Duration::from_millis(200)),
        )
        .unwrap();
        fake.inject("Ping", Fault::Delay(Duration::from_millis(600)));
        let err = ctrl.ping().unwrap_err();
        assert!(err.is_timeout(), "{err}");
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert!(!err.is_connection_closed());
        assert!(!err.is_outcome_unknown(), "a ping changes nothing");
        fake.clear_faults();
        // The late reply to the first ping arrives first and must not be taken for ours.
        let before = fake.requests().len();
        ctrl.ping().unwrap();
        let reqs = fake.requests();
        assert_eq!(reqs.len(), before + 1);
        assert_eq!(
            reqs.last().unwrap().request_id,
            reqs[reqs.len() - 2].request_id + 1
        );
    });
}

#[test]
fn a_dropped_connection_fails_calls_until_reconnect() {
    within(Duration::from_secs(30), || {
        let fake = FakeController::start().unwrap();
        let ctrl = Controller::connect(&fake.connect_options()).unwrap();
        fake.inject("Ping", Fault::DropConnection);
        let err = ctrl.ping().unwrap_err();
        assert!(err.is_connection_closed(), "{err}");
        assert!(!err.is_timeout());
        let err = ctrl.ping().unwrap_err();
        assert!(err.is_connection_closed(), "later calls too: {err}");
        fake.clear_faults();
        ctrl.reconnect().unwrap();
        ctrl.ping().unwrap();
    });
}

#[test]
fn a_server_that_goes_away_between_calls_is_reported_as_closed() {
    within(Duration::from_secs(30), || {
        let fake = FakeController::start().unwrap();
        let ctrl = Controller::connect(&fake.connect_options()).unwrap();
        fake.drop_connections();
        let err = ctrl.ping().unwrap_err();
        assert!(err.is_connection_closed(), "{err}");
        ctrl.reconnect().unwrap();
        ctrl.ping().unwrap();
    });
}

#[test]
fn eight_threads_share_one_controller() {
    within(Duration::from_secs(120), || {
        let fake = FakeController::start().unwrap();
        let ctrl = Arc::new(Controller::connect(&fake.connect_options()).unwrap());
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let ctrl = ctrl.clone();
                thread::spawn(move || {
                    for _ in 0..500 {
                        ctrl.ping().unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let pings = fake
            .requests()
            .iter()
            .filter(|r| r.method == "Ping")
            .count();
        assert_eq!(pings, 4000);
        // Every request id was used once.
        let mut ids: Vec<u64> = fake.requests().iter().map(|r| r.request_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 4001);
    });
}

#[test]
fn fragmented_replies_are_reassembled() {
    let fake = FakeController::builder().max_frame_size(7).start().unwrap();
    let ctrl = Controller::connect(&fake.connect_options()).unwrap();
    assert_eq!(ctrl.facades().len(), 17);
    ctrl.ping().unwrap();
}

#[test]
fn a_reply_over_max_message_size_is_a_clear_error() {
    let fake = FakeController::start().unwrap();
    // The login reply is about 1.5 KiB.
    let err = Controller::connect(&fake.connect_options().max_message_size(256)).unwrap_err();
    assert!(err.message().contains("max_message_size"), "{err}");
    assert!(err.message().contains("256"), "{err}");
}

#[test]
fn a_generic_call_whose_reply_is_lost_might_have_changed_something() {
    within(Duration::from_secs(30), || {
        let fake = FakeController::start().unwrap();
        let ctrl = Controller::connect(
            &fake
                .connect_options()
                .call_timeout(Duration::from_millis(200)),
        )
        .unwrap();
        fake.inject("RemoveSecretBackends", Fault::NoReply);
        let e = ctrl
            .call::<_, Value>(
                "SecretBackends",
                "RemoveSecretBackends",
                &json!({"args": [{"name": "x"}]}),
            )
            .unwrap_err();
        assert!(e.is_timeout() && e.is_outcome_unknown(), "{e}");
        fake.inject("Ping", Fault::NoReply);
        let e = ctrl.ping().unwrap_err();
        assert!(
            e.is_timeout() && !e.is_outcome_unknown(),
            "a ping changes nothing: {e}"
        );
    });
}
