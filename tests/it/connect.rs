//! Connecting and logging in: TLS rules, endpoints, login outcomes, close and reconnect.

use crate::common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use juju_client::testing::FakeController;
use juju_client::{ConnectOptions, Controller, ErrorCode, ErrorKind};

fn fake() -> FakeController {
    FakeController::start().expect("fake controller starts")
}

#[test]
fn login_reports_what_the_controller_said() {
    let fake = fake();
    let ctrl = Controller::connect(&fake.connect_options()).unwrap();
    assert_eq!(ctrl.server_version(), "3.6.26");
    assert_eq!(ctrl.controller_uuid(), fake.controller_uuid());
    assert_eq!(ctrl.user(), "user-admin");
    assert_eq!(ctrl.controller_access(), "superuser");
    assert_eq!(ctrl.servers(), vec![fake.endpoint()]);
    assert_eq!(ctrl.endpoint(), fake.endpoint());
    assert_eq!(ctrl.public_dns_name(), None);
    let facades = ctrl.facades();
    assert_eq!(facades.len(), 17);
    assert_eq!(facades["SecretBackends"], vec![1]);
    assert_eq!(ctrl.best_facade_version("SecretBackends"), Some(1));
    assert_eq!(ctrl.best_facade_version("Controller"), Some(12));
    assert_eq!(ctrl.best_facade_version("MigrationTarget"), Some(6)); // not in our table
    assert_eq!(ctrl.best_facade_version("Nope"), None);
    ctrl.ping().unwrap();

    let login = &fake.requests()[0];
    assert_eq!(
        (login.facade.as_str(), login.version, login.method.as_str()),
        ("Admin", 3, "Login")
    );
    assert_eq!(login.request_id, 1);
    assert_eq!(login.params["auth-tag"], "user-admin");
    // A Juju version, never this crate's own semver (a 3.2 controller refuses "0.x").
    assert_eq!(
        login.params["client-version"],
        juju_client::JUJU_CLIENT_VERSION
    );
    assert_ne!(juju_client::JUJU_CLIENT_VERSION, env!("CARGO_PKG_VERSION"));
    let upgrade = &fake.upgrade_requests()[0];
    assert_eq!(upgrade.path, "/api");
    assert_eq!(
        upgrade.client_version.as_deref(),
        Some(juju_client::JUJU_CLIENT_VERSION)
    );
}

#[test]
fn user_names_work_with_and_without_the_tag_prefix() {
    let fake = fake();
    for name in ["admin", "user-admin"] {
        let ctrl = Controller::connect(&fake.connect_options().username(name)).unwrap();
        assert_eq!(ctrl.user(), "user-admin");
    }
}

#[test]
fn wrong_password_is_refused_with_its_code_and_never_echoed() {
    let fake = fake();
    let err = Controller::connect(&fake.connect_options().password("hunter2-wrong")).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    assert_eq!(err.kind(), ErrorKind::Api);
    assert!(
        err.message().contains("invalid entity name or password"),
        "{err}"
    );
    assert!(
        err.message().contains(&fake.endpoint()),
        "names the endpoint: {err}"
    );
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("hunter2-wrong"), "{shown}");
    }
}

#[test]
fn a_user_without_controller_access_is_refused() {
    let fake = fake();
    fake.add_user("carol", "carol-pw", "");
    let err = Controller::connect(
        &fake
            .connect_options()
            .username("carol")
            .password("carol-pw"),
    )
    .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    assert!(err.message().contains("permission denied"), "{err}");
}

#[test]
fn no_password_means_macaroon_login_which_needs_a_password_callback_to_discharge() {
    let fake = fake();
    let opts = ConnectOptions::new()
        .endpoint(fake.endpoint())
        .ca_cert(fake.ca_cert_pem());
    let err = Controller::connect(&opts).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::DischargeRequired));
    assert!(err.message().contains("password_callback"), "{err}");
    // tests/login.rs has the macaroon logins that succeed.
}

#[test]
fn a_different_ca_is_refused() {
    let fake = fake();
    let other = FakeController::start().unwrap();
    let err =
        Controller::connect(&fake.connect_options().ca_cert(other.ca_cert_pem())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert!(err.message().contains("tls handshake"), "{err}");
    assert!(err.message().contains("juju-apiserver"), "{err}");
    assert!(!err.is_timeout());
}

#[test]
fn the_certificate_is_checked_against_juju_apiserver_not_the_ip() {
    // The default: pinned CA, name juju-apiserver, although 127.0.0.1 was dialled.
    let fake = fake();
    Controller::connect(&fake.connect_options()).unwrap();
    // Asking to verify the IP fails: the certificate does not name it.
    let err =
        Controller::connect(&fake.connect_options().tls_server_name("127.0.0.1")).unwrap_err();
    assert!(err.message().contains("tls handshake"), "{err}");
    // A controller whose certificate lacks juju-apiserver is refused...
    let odd = FakeController::builder()
        .cert_names(["other.example"])
        .start()
        .unwrap();
    let err = Controller::connect(&odd.connect_options()).unwrap_err();
    assert!(err.message().contains("tls handshake"), "{err}");
    // ...unless told which name to expect.
    Controller::connect(&odd.connect_options().tls_server_name("other.example")).unwrap();
}

#[test]
fn a_bad_ca_pem_is_a_clear_input_error() {
    let fake = fake();
    let err =
        Controller::connect(&fake.connect_options().ca_cert("not a certificate")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("ca_cert"), "{err}");
}

fn dead_endpoint() -> String {
    common::dead_endpoint("127.0.0.1")
}

#[test]
fn dead_and_silent_endpoints_before_a_live_one_still_connect() {
    common::within(Duration::from_secs(30), || {
        let fake = fake();
        // Accepts TCP but never speaks TLS: a hung controller.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let silent_addr = silent.local_addr().unwrap().to_string();
        let opts = fake
            .connect_options()
            .endpoints([dead_endpoint(), silent_addr, fake.endpoint()])
            .connect_timeout(Duration::from_secs(5));
        let started = Instant::now();
        let ctrl = Controller::connect(&opts).unwrap();
        assert_eq!(ctrl.endpoint(), fake.endpoint());
        // Dialled in parallel: the silent endpoint did not hold us for its whole timeout.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        ctrl.ping().unwrap();
        drop(silent);
    });
}

#[test]
fn when_every_endpoint_fails_the_error_names_each() {
    common::within(Duration::from_secs(30), || {
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let silent_addr = silent.local_addr().unwrap().to_string();
        let dead = dead_endpoint();
        let opts = ConnectOptions::new()
            .endpoints([dead.clone(), silent_addr.clone()])
            .password("x")
            .connect_timeout(Duration::from_millis(300));
        let err = Controller::connect(&opts).unwrap_err();
        let msg = err.message();
        assert!(msg.contains("all 2 endpoints failed"), "{msg}");
        assert!(msg.contains(&format!("{dead}: tcp connect")), "{msg}");
        assert!(
            msg.contains(&format!("{silent_addr}: tls handshake: timed out")),
            "{msg}"
        );
        assert_eq!(err.kind(), ErrorKind::Connect);
        assert!(!err.is_timeout(), "not every endpoint timed out");
        drop(silent);
    });
}

#[test]
fn a_silent_endpoint_times_out_within_connect_timeout() {
    common::within(Duration::from_secs(30), || {
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let opts = ConnectOptions::new()
            .endpoint(silent.local_addr().unwrap().to_string())
            .password("x")
            .connect_timeout(Duration::from_millis(300));
        let err = Controller::connect(&opts).unwrap_err();
        assert!(err.is_timeout(), "{err}");
        assert_eq!(err.kind(), ErrorKind::Connect);
    });
}

#[test]
fn no_endpoint_or_a_malformed_one_is_an_input_error() {
    let err = Controller::connect(&ConnectOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = Controller::connect(&ConnectOptions::new().endpoint("host:port")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("host:port"), "{err}");
}

#[test]
fn a_plain_server_without_tls_is_refused_clearly() {
    common::within(Duration::from_secs(30), || {
        // A plain ws:// or http:// server: it answers the TLS hello in HTTP.
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap().to_string();
        let t = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut s, _) = l.accept().unwrap();
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        });
        let opts = ConnectOptions::new()
            .endpoint(addr)
            .password("x")
            .connect_timeout(Duration::from_secs(5));
        let err = Controller::connect(&opts).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Connect);
        assert!(err.message().contains("tls handshake"), "{err}");
        assert!(err.message().contains("did not answer in TLS"), "{err}");
        t.join().unwrap();
    });
}

#[test]
fn an_https_server_that_is_not_a_websocket_endpoint_is_refused_clearly() {
    let web = FakeController::builder().serve_api(false).start().unwrap();
    let err = Controller::connect(&web.connect_options()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert!(
        err.message()
            .contains("websocket upgrade of /api: server answered \"HTTP/1.1 404 Not Found\""),
        "{err}"
    );
    assert!(err.message().contains("404 page not found"), "{err}");
}

#[test]
fn an_expired_certificate_is_refused() {
    let fake = FakeController::builder()
        .expired_cert(true)
        .start()
        .unwrap();
    let err = Controller::connect(&fake.connect_options()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert!(err.message().contains("tls handshake"), "{err}");
    assert!(err.message().contains("expired"), "{err}");
}

#[test]
fn close_is_final_until_reconnect() {
    let fake = fake();
    let ctrl = Controller::connect(&fake.connect_options()).unwrap();
    ctrl.close().unwrap();
    ctrl.close().unwrap();
    let err = ctrl.ping().unwrap_err();
    assert!(err.is_connection_closed(), "{err}");
    assert!(err.message().contains("reconnect"), "{err}");
    ctrl.reconnect().unwrap();
    ctrl.ping().unwrap();
}

#[test]
fn connect_options_debug_hides_the_password() {
    let opts = ConnectOptions::new().endpoint("h:1").password("pa55-w0rd");
    let shown = format!("{opts:?}");
    assert!(!shown.contains("pa55-w0rd"), "{shown}");
    assert!(shown.contains("[REDACTED]"));
}

#[test]
fn controller_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Controller>();
    check::<juju_client::Error>();
}
