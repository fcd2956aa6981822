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

/// Builds the process's TLS connector for the system roots (a connect without a CA), so
/// that a short `connect_timeout` measured next goes to the dials: building it parses the
/// system certificate store, which can take most of 300 ms on a loaded machine, and more
/// while other tests build it at the same time.
fn warm_system_roots() {
    let opts = ConnectOptions::new()
        .endpoint(dead_endpoint())
        .password("x")
        .connect_timeout(Duration::from_secs(10));
    let e = Controller::connect(&opts).unwrap_err();
    assert!(e.message().contains("tcp connect"), "{e}");
}

#[test]
fn when_every_endpoint_fails_the_error_names_each() {
    common::within(Duration::from_secs(30), || {
        warm_system_roots();
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let silent_addr = silent.local_addr().unwrap().to_string();
        let dead = dead_endpoint();
        // Long enough for the refused dial to be refused (not timed out) on a loaded machine:
        // the silent endpoint is the one that must time out.
        let opts = ConnectOptions::new()
            .endpoints([dead.clone(), silent_addr.clone()])
            .password("x")
            .connect_timeout(Duration::from_secs(2));
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
fn connect_options_read_back_every_setting_but_no_secret() {
    use juju_client::{
        DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_KEEPALIVE, DEFAULT_MAX_MESSAGE_SIZE,
        JUJU_CLIENT_VERSION, ProxySetting,
    };
    let defaults = ConnectOptions::new();
    assert!(defaults.get_endpoints().is_empty());
    assert_eq!(defaults.get_username(), "admin");
    assert!(!defaults.has_password());
    assert_eq!(defaults.get_ca_cert(), None);
    assert_eq!(defaults.get_tls_server_name(), None);
    assert_eq!(defaults.get_connect_timeout(), DEFAULT_CONNECT_TIMEOUT);
    assert_eq!(defaults.get_call_timeout(), DEFAULT_CALL_TIMEOUT);
    assert_eq!(defaults.get_max_message_size(), DEFAULT_MAX_MESSAGE_SIZE);
    assert_eq!(defaults.get_dial_stagger(), Duration::from_millis(50));
    assert!(!defaults.get_follow_redirects());
    assert_eq!(defaults.expected_controller_uuid(), None);
    assert_eq!(defaults.controller_name(), None);
    assert_eq!(defaults.get_client_version(), JUJU_CLIENT_VERSION);
    assert!(!defaults.has_macaroons());
    assert_eq!(defaults.get_cookie_jar(), None);
    assert_eq!(defaults.get_cookie_host(), None);
    assert!(!defaults.has_password_callback());
    assert!(!defaults.has_interaction_handler());
    assert_eq!(defaults.client_id(), None);
    assert_eq!(defaults.get_keepalive(), Some(DEFAULT_KEEPALIVE));
    assert_eq!(defaults.get_connect_retries(), (0, Duration::from_secs(1)));
    assert!(!defaults.get_reconnect_on_call());
    assert_eq!(defaults.get_proxy(), ProxySetting::FromEnvironment);

    let opts = ConnectOptions::new()
        .endpoints(["10.0.0.5:17070"])
        .endpoint("[fd42::5]:17070")
        .username("bob")
        .password("pa55-w0rd")
        .ca_cert("-----BEGIN CERTIFICATE-----\n")
        .tls_server_name("juju.example")
        .connect_timeout(Duration::from_secs(3))
        .call_timeout(Duration::from_secs(4))
        .max_message_size(1 << 20)
        .dial_stagger(Duration::ZERO)
        .follow_redirects(true)
        .expect_controller_uuid("8b6a2bd5-6ee1-4d5e-8c0a-5e2c4c4d0b1f")
        .client_version("3.2.4")
        .macaroons(r#"[["mac-4f2a"]]"#)
        .cookie_jar("/tmp/jar.json")
        .cookie_host("juju.example")
        .password_callback(|_| None)
        .interaction_handler(|_| Err("no".into()))
        .client_credentials("bot", "cs-9e1b")
        .keepalive(Some(Duration::from_secs(30)))
        .connect_retries(2, Duration::from_millis(250))
        .reconnect_on_call(true)
        .proxy("http://carol:px-77c3@proxy.example:3128");
    assert_eq!(opts.get_endpoints(), ["10.0.0.5:17070", "[fd42::5]:17070"]);
    assert_eq!(opts.get_username(), "bob");
    assert!(opts.has_password());
    assert_eq!(opts.get_ca_cert(), Some("-----BEGIN CERTIFICATE-----\n"));
    assert_eq!(opts.get_tls_server_name(), Some("juju.example"));
    assert_eq!(opts.get_connect_timeout(), Duration::from_secs(3));
    assert_eq!(opts.get_call_timeout(), Duration::from_secs(4));
    assert_eq!(opts.get_max_message_size(), 1 << 20);
    assert_eq!(opts.get_dial_stagger(), Duration::ZERO);
    assert!(opts.get_follow_redirects());
    assert_eq!(
        opts.expected_controller_uuid(),
        Some("8b6a2bd5-6ee1-4d5e-8c0a-5e2c4c4d0b1f")
    );
    assert_eq!(opts.get_client_version(), "3.2.4");
    assert!(opts.has_macaroons());
    assert_eq!(
        opts.get_cookie_jar(),
        Some(std::path::Path::new("/tmp/jar.json"))
    );
    assert_eq!(opts.get_cookie_host(), Some("juju.example"));
    assert!(opts.has_password_callback());
    assert!(opts.has_interaction_handler());
    assert_eq!(opts.client_id(), Some("bot"));
    assert_eq!(opts.get_keepalive(), Some(Duration::from_secs(30)));
    assert_eq!(opts.get_connect_retries(), (2, Duration::from_millis(250)));
    assert!(opts.get_reconnect_on_call());
    assert_eq!(
        opts.get_proxy(),
        ProxySetting::Url("http://[REDACTED]@proxy.example:3128".into())
    );
    // A zero keepalive is none.
    assert_eq!(
        opts.clone().keepalive(Some(Duration::ZERO)).get_keepalive(),
        None
    );
    // No secret can be read back or shows in Debug.
    let shown = format!("{opts:?} {:?}", opts.get_proxy());
    for secret in ["pa55-w0rd", "mac-4f2a", "cs-9e1b", "px-77c3"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[test]
fn controller_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Controller>();
    check::<juju_client::Error>();
}

#[test]
fn a_connect_ends_at_its_deadline_whatever_dial_stagger_is() {
    common::within(Duration::from_secs(60), || {
        // Accepts TCP but never speaks TLS: every dial waits for the deadline.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let silent_addr = silent.local_addr().unwrap().to_string();
        for (stagger, n) in [
            (Duration::from_secs(10), 2),
            (Duration::MAX, 2),
            // Duration * 2 overflowed here.
            (Duration::MAX, 3),
            (Duration::from_secs(u64::MAX / 2), 5),
        ] {
            let opts = ConnectOptions::new()
                .endpoints(vec![silent_addr.clone(); n])
                .password("x")
                .connect_timeout(Duration::from_millis(500))
                .dial_stagger(stagger);
            let started = Instant::now();
            let err = Controller::connect(&opts).unwrap_err();
            // Well within the stagger: the connect ended at its deadline.
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{stagger:?} x {n}: {:?}",
                started.elapsed()
            );
            assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
            assert!(err.is_timeout(), "{err}");
            let msg = err.message();
            assert!(msg.contains(&format!("all {n} endpoints failed")), "{msg}");
            // The first was dialled (and timed out); the others never were.
            let undialled = format!(
                "{silent_addr}: not dialled before the connect deadline (dial_stagger {stagger:?}"
            );
            assert!(!msg.contains(&format!("failed: {undialled}")), "{msg}");
            assert_eq!(msg.matches(&undialled).count(), n - 1, "{msg}");
        }
        // A live first endpoint wins at once, whatever the others wait for.
        let fake = fake();
        let opts = fake
            .connect_options()
            .endpoints([fake.endpoint(), silent_addr.clone()])
            .dial_stagger(Duration::MAX);
        Controller::connect(&opts).unwrap().ping().unwrap();
        drop(silent);
    });
}
