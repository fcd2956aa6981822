//! Juju versions: the client version we claim, what a 3.1/3.2 controller does with it, and
//! what a 4.0 controller does differently on the wire (envelope, dispatch texts, facades).
//! The raw checks speak to the fake below the SDK, as another client would.

use crate::common;

use std::time::Duration;

use common::{Raw, error_reply, error_reply_bytes, fake_as, parse_reply, within};
use juju_client::testing::FakeController;
use juju_client::{Controller, ErrorCode, ErrorKind, JUJU_CLIENT_VERSION};
use serde_json::{Value, json};

/// Byte for byte, because the point is Juju's exact envelope: `error-info` between
/// `error-code` and `response`, in the field order of Go's struct (`rpc/jsoncodec`).
const INCOMPATIBLE_3_2_4: &str = concat!(
    r#"{"request-id":2,"error":"client incompatible with server 3.2.4","#,
    r#""error-code":"incompatible client","error-info":{"server-version":"3.2.4"},"#,
    r#""response":{}}"#,
    "\n"
);

#[test]
fn a_3_2_controller_refuses_a_0_x_client_byte_for_byte() {
    let fake = fake_as("3.2.4");
    let mut raw = Raw::connect(&fake);
    // The login itself succeeds: the restriction applies to every call after it.
    let login = raw.login_claiming(&fake, "0.1.0");
    assert_eq!(login["response"]["server-version"], "3.2.4", "{login}");
    for call in [
        r#"{"request-id":2,"type":"Pinger","version":1,"request":"Ping","params":{}}"#,
        r#"{"request-id":2,"type":"SecretBackends","version":1,"request":"ListSecretBackends","params":{}}"#,
        // Checked before the version and method are looked up.
        r#"{"request-id":2,"type":"SecretBackends","version":9,"request":"Nope","params":{}}"#,
    ] {
        assert_eq!(raw.exchange(call), INCOMPATIBLE_3_2_4, "for {call}");
    }
    // The controller-facade filter comes first.
    assert_eq!(
        raw.exchange(r#"{"request-id":3,"type":"Client","version":8,"request":"FullStatus"}"#),
        error_reply_bytes(
            3,
            r#"facade "Client" not supported for controller API connection"#,
            Some("not supported")
        )
    );
}

#[test]
fn a_3_1_5_controller_restricts_too_and_3_1_6_does_not() {
    for (version, restricts) in [("3.1.5", true), ("3.1.6", false), ("3.6.26", false)] {
        let fake = fake_as(version);
        let mut raw = Raw::connect(&fake);
        raw.login_claiming(&fake, "0.1.0");
        let reply = parse_reply(
            &raw.exchange(r#"{"request-id":2,"type":"Pinger","version":1,"request":"Ping"}"#),
        );
        assert_eq!(
            reply.get("error-code") == Some(&json!("incompatible client")),
            restricts,
            "{version}: {reply}"
        );
    }
}

#[test]
fn the_sdk_works_against_a_3_2_controller() {
    let fake = fake_as("3.2.4");
    let ctrl = Controller::connect(&fake.connect_options()).unwrap();
    assert_eq!(ctrl.server_version(), "3.2.4");
    ctrl.ping().unwrap();
    assert!(
        ctrl.list_secret_backends(false)
            .unwrap()
            .iter()
            .any(|b| b.name == "internal")
    );
    let login = &fake.requests()[0];
    assert_eq!(login.params["client-version"], JUJU_CLIENT_VERSION);
}

#[test]
fn an_incompatible_client_failure_says_why_and_how_to_fix_it() {
    let fake = fake_as("3.2.4");
    let opts = fake.connect_options().client_version("0.1.0");
    let ctrl = Controller::connect(&opts).unwrap();
    let e = ctrl.ping().unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::IncompatibleClient));
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(e.info(), Some(&json!({"server-version": "3.2.4"})));
    let msg = e.to_string();
    for part in [
        "client incompatible with server 3.2.4",
        "\"0.1.0\"",
        "Juju 3.2.4",
        "ConnectOptions::client_version",
        JUJU_CLIENT_VERSION,
    ] {
        assert!(msg.contains(part), "{part:?} missing from: {msg}");
    }
    // It is not a broken connection: the next call is answered too.
    assert!(!e.is_connection_closed());
    let e = ctrl.list_secret_backends(false).unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::IncompatibleClient));
}

#[test]
fn an_old_2_9_client_may_only_ping_and_a_recent_one_may_do_anything() {
    let fake = fake_as("3.2.4");
    let old = Controller::connect(&fake.connect_options().client_version("2.9.35")).unwrap();
    old.ping().unwrap();
    let e = old.list_secret_backends(false).unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::IncompatibleClient));
    let recent = Controller::connect(&fake.connect_options().client_version("2.9.36")).unwrap();
    recent.list_secret_backends(false).unwrap();
    // A newer major is allowed at a .0 minor only, and not even to ping otherwise.
    let newer = Controller::connect(&fake.connect_options().client_version("4.1.0")).unwrap();
    assert_eq!(
        newer.ping().unwrap_err().code(),
        Some(ErrorCode::IncompatibleClient)
    );
}

#[test]
fn controllers_from_3_3_on_accept_any_client_version() {
    for version in ["3.6.26", "4.0.14"] {
        let fake = fake_as(version);
        let ctrl = Controller::connect(&fake.connect_options().client_version("2.0.0")).unwrap();
        ctrl.ping().unwrap();
        ctrl.list_secret_backends(false).unwrap();
    }
}

#[test]
fn the_claimed_version_goes_in_login_and_in_the_upgrade_header() {
    let fake = fake_as("3.6.26");
    let opts = fake.connect_options().client_version("3.2.4");
    let _ctrl = Controller::connect(&opts).unwrap();
    assert_eq!(fake.requests()[0].params["client-version"], "3.2.4");
    let upgrade = &fake.upgrade_requests()[0];
    assert_eq!(upgrade.path, "/api");
    assert_eq!(upgrade.client_version.as_deref(), Some("3.2.4"));
}

#[test]
fn connect_refuses_a_client_version_that_is_not_a_juju_version() {
    let fake = fake_as("3.6.26");
    for bad in [
        "0.1",
        "v3.6.26",
        "3.6.x",
        "",
        "3.6.26\r\nX-Evil: 1",
        "3.6.26-rc1",
    ] {
        let e = Controller::connect(&fake.connect_options().client_version(bad)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad:?}: {e}");
        assert!(e.message().contains("is not a Juju version"), "{e}");
        assert!(e.message().contains(JUJU_CLIENT_VERSION), "{e}");
    }
    // Refused before anything was dialled.
    assert!(fake.upgrade_requests().is_empty());
    for good in ["3.6.26", "3.6.26.1", "4.0-beta2", "2.9.36"] {
        Controller::connect(&fake.connect_options().client_version(good)).unwrap();
    }
}

#[test]
fn the_fake_refuses_versions_it_cannot_be() {
    for bad in ["2.9.50", "3.0.4", "4.1.0", "3.6", "latest"] {
        let e = FakeController::builder()
            .juju_version(bad)
            .start()
            .unwrap_err();
        assert!(e.message().contains(bad), "{e}");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }
}

// ---- Juju 4.0 on the wire ------------------------------------------------------------

#[test]
fn a_4_0_login_lists_its_14_facades_in_wire_order() {
    let fake = fake_as("4.0.14");
    let mut raw = Raw::connect(&fake);
    let login = raw.login_claiming(&fake, JUJU_CLIENT_VERSION);
    assert_eq!(
        login["response"]["facades"],
        json!([
            {"name": "ApplicationOffers", "versions": [5, 6]},
            {"name": "Bundle", "versions": [8]},
            {"name": "Cloud", "versions": [7, 8]},
            {"name": "Controller", "versions": [12, 13, 14]},
            {"name": "CrossController", "versions": [1]},
            {"name": "MigrationTarget", "versions": [4, 5, 6, 7]},
            {"name": "ModelConfig", "versions": [3, 4]},
            {"name": "ModelManager", "versions": [10, 11]},
            {"name": "ModelSummaryWatcher", "versions": [1]},
            {"name": "ModelUpgrader", "versions": [2]},
            {"name": "NotifyWatcher", "versions": [1]},
            {"name": "Pinger", "versions": [1]},
            {"name": "SecretBackends", "versions": [1]},
            {"name": "UserManager", "versions": [3]},
        ]),
        "{login}"
    );
    assert_eq!(login["response"]["server-version"], "4.0.14");
    let ctrl = Controller::connect(&fake.connect_options()).unwrap();
    assert_eq!(ctrl.facades().len(), 14);
    assert_eq!(ctrl.best_facade_version("ModelManager"), Some(11));
    assert_eq!(ctrl.best_facade_version("Controller"), Some(12));
    assert_eq!(ctrl.best_facade_version("SecretBackends"), Some(1));
    assert_eq!(ctrl.best_facade_version("ModelConfig"), Some(4));
    assert!(!ctrl.facades().contains_key("HighAvailability"));
}

fn err_reply(id: u64, error: &str, code: &str) -> Value {
    error_reply(id, error, Some(code))
}

#[test]
fn a_4_0_controller_words_dispatch_errors_its_own_way() {
    let fake = fake_as("4.0.14");
    let mut raw = Raw::connect(&fake);
    // Before login.
    assert_eq!(
        parse_reply(
            &raw.exchange(r#"{"request-id":1,"type":"Pinger","version":1,"request":"Ping"}"#)
        ),
        err_reply(
            1,
            "unknown version 1 for facade type \"Pinger\"",
            "not implemented"
        )
    );
    assert_eq!(
        parse_reply(&raw.exchange(r#"{"request-id":2,"type":"Pinger","request":"Ping"}"#)),
        err_reply(2, "unknown facade type \"Pinger\"", "not implemented")
    );
    assert_eq!(
        parse_reply(
            &raw.exchange(r#"{"request-id":3,"type":"Admin","version":3,"request":"Foo"}"#)
        ),
        err_reply(
            3,
            "unknown method \"Foo\" at version 0 for facade type \"Admin\"",
            "not implemented"
        )
    );
    raw.login_claiming(&fake, JUJU_CLIENT_VERSION);
    let cases = [
        (
            r#"{"request-id":4,"type":"Cloud","version":99,"request":"Clouds"}"#,
            err_reply(
                4,
                "unknown version 99 for facade type \"Cloud\"",
                "not implemented",
            ),
        ),
        (
            r#"{"request-id":5,"type":"Cloud","request":"Clouds"}"#,
            err_reply(5, "unknown facade type \"Cloud\"", "not implemented"),
        ),
        (
            r#"{"request-id":6,"type":"Pinger","version":1,"request":"Foo"}"#,
            err_reply(
                6,
                "unknown method \"Foo\" at version 1 for facade type \"Pinger\"",
                "not implemented",
            ),
        ),
        // Named in the controller filter, but no longer registered.
        (
            r#"{"request-id":7,"type":"SSHServer","version":1,"request":"Foo"}"#,
            err_reply(
                7,
                "unknown version 1 for facade type \"SSHServer\"",
                "not implemented",
            ),
        ),
        (
            r#"{"request-id":8,"type":"HighAvailability","version":2,"request":"Foo"}"#,
            err_reply(
                8,
                "facade \"HighAvailability\" not supported for controller API connection",
                "not supported",
            ),
        ),
    ];
    for (request, expected) in cases {
        assert_eq!(
            parse_reply(&raw.exchange(request)),
            expected,
            "for {request}"
        );
    }
}

#[test]
fn a_4_0_controller_echoes_tracing_fields() {
    let fake = fake_as("4.0.14");
    let mut raw = Raw::connect(&fake);
    raw.login_claiming(&fake, JUJU_CLIENT_VERSION);
    assert_eq!(
        parse_reply(&raw.exchange(r#"{"request-id":2,"type":"Pinger","version":1,"request":"Ping","trace-id":"4bf92f35","span-id":"00f067aa","trace-flags":1}"#)),
        json!({"request-id": 2, "response": {}, "trace-id": "4bf92f35", "span-id": "00f067aa",
               "trace-flags": 1})
    );
    // On errors too; empty and zero ones are omitted.
    let mut expected = err_reply(
        3,
        r#"unknown method "Nope" at version 1 for facade type "Pinger""#,
        "not implemented",
    );
    expected["trace-id"] = json!("ab");
    assert_eq!(
        parse_reply(&raw.exchange(r#"{"request-id":3,"type":"Pinger","version":1,"request":"Nope","trace-id":"ab","span-id":"","trace-flags":0}"#)),
        expected
    );
    // 3.6 knows nothing of them.
    let old = fake_as("3.6.26");
    let mut raw = Raw::connect(&old);
    raw.login(&old);
    assert_eq!(
        parse_reply(&raw.exchange(
            r#"{"request-id":2,"type":"Pinger","version":1,"request":"Ping","trace-id":"4bf92f35"}"#
        )),
        json!({"request-id": 2, "response": {}})
    );
}

#[test]
fn a_4_0_controller_hangs_up_on_request_id_0_and_bad_trace_types() {
    for request in [
        r#"{"type":"Pinger","version":1,"request":"Ping"}"#,
        r#"{"request-id":0,"type":"Pinger","version":1,"request":"Ping"}"#,
        r#"{"RequestId":5,"Type":"Pinger","Version":1,"Request":"Ping"}"#,
        r#"{"request-id":2,"type":"Pinger","version":1,"request":"Ping","trace-id":7}"#,
    ] {
        let fake = fake_as("4.0.14");
        let mut raw = Raw::connect(&fake);
        raw.login_claiming(&fake, JUJU_CLIENT_VERSION);
        raw.send(request);
        let ended = within(Duration::from_secs(20), move || raw.ends());
        assert!(ended, "no hang-up for {request}");
    }
    // 3.6 answers the legacy form instead.
    let fake = fake_as("3.6.26");
    let mut raw = Raw::connect(&fake);
    raw.login(&fake);
    let reply = parse_reply(
        &raw.exchange(r#"{"RequestId":5,"Type":"Pinger","Version":1,"Request":"Ping"}"#),
    );
    assert_eq!(reply, json!({"RequestId": 5, "Response": {}}));
}
