//! Logging in as real users are logged in: macaroons and the CLI's cookie jar, the
//! `juju_userpass` discharge, and JAAS client credentials, against the fake controller.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::TempDir;
use juju_client::testing::FakeController;
use juju_client::{ConnectOptions, Controller, ErrorCode, ErrorKind, Model};

fn jar(dir: &Path) -> PathBuf {
    dir.join("cookies").join("fake.json")
}

fn jar_entries(dir: &Path) -> Vec<serde_json::Value> {
    serde_json::from_str(&std::fs::read_to_string(jar(dir)).unwrap()).unwrap()
}

#[test]
fn a_cookie_jar_and_no_password_log_in_without_a_discharge() {
    let fake = FakeController::start().unwrap();
    let dir = TempDir::new("jar");
    fake.write_juju_data_with_cookies(&dir.0, "fake", "bob")
        .unwrap();
    let opts = ConnectOptions::from_juju_data_dir(&dir.0, None).unwrap();
    assert_eq!(opts.get_cookie_jar(), Some(jar(&dir.0).as_path()));
    let ctrl = Controller::connect(&opts).unwrap();
    assert_eq!(ctrl.user(), "user-bob");
    ctrl.ping().unwrap();
    assert!(
        fake.auth_requests().is_empty(),
        "{:?}",
        fake.auth_requests()
    );
    // The Login carried the jar's slice, and the fake does not keep it.
    let logins: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "Login")
        .collect();
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].params["macaroons"], "[REDACTED]");
    assert_eq!(logins[0].params["bakery-version"], 3);

    // A model connection sends the same jar.
    assert!(fake.grant_model_access("admin/default", "bob", "read"));
    let uuid = fake.model_uuid("admin/default").unwrap();
    let model = Model::connect(&opts, &uuid).unwrap();
    assert_eq!(model.model_access(), "read");
    assert!(fake.auth_requests().is_empty());
}

#[test]
fn an_expired_jar_is_discharged_with_a_prompted_password_and_refreshed() {
    let fake = FakeController::start().unwrap();
    let dir = TempDir::new("expired");
    fake.write_juju_data_with_cookies(&dir.0, "fake", "bob")
        .unwrap();
    let before = jar_entries(&dir.0);
    fake.advance_clock(Duration::from_secs(25 * 3600));
    let asked = Arc::new(AtomicUsize::new(0));
    let a = asked.clone();
    let opts = ConnectOptions::from_juju_data_dir(&dir.0, None)
        .unwrap()
        .password_callback(move |p| {
            a.fetch_add(1, Ordering::SeqCst);
            assert_eq!(p.user(), "bob");
            assert_eq!(p.controller(), "fake");
            assert!(p.location().ends_with("/auth"), "{}", p.location());
            Some("bob-password".into())
        });
    let ctrl = Controller::connect(&opts).unwrap();
    assert_eq!(ctrl.user(), "user-bob");
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert_eq!(
        fake.auth_requests(),
        [
            "POST /auth/discharge",
            "POST /auth/form",
            "POST /auth/discharge"
        ]
    );
    let logins = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "Login")
        .count();
    assert_eq!(logins, 2, "the second Login is on the same connection");

    // The jar keeps the old cookie (not expired by the wall clock) and gains the new one,
    // written as Go's persistent-cookiejar writes it.
    let text = std::fs::read_to_string(jar(&dir.0)).unwrap();
    assert!(text.ends_with("}]\n"));
    let after = jar_entries(&dir.0);
    assert_eq!(after.len(), before.len() + 1, "{text}");
    let new = after.last().unwrap();
    let keys: Vec<&str> = new
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut go_keys = [
        "Name",
        "Value",
        "Domain",
        "Path",
        "Secure",
        "HttpOnly",
        "Persistent",
        "HostOnly",
        "Expires",
        "Creation",
        "LastAccess",
        "Updated",
        "CanonicalHost",
    ];
    go_keys.sort();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(sorted, go_keys);
    let name = new["Name"].as_str().unwrap();
    assert!(name.starts_with("macaroon-") && name.len() == "macaroon-".len() + 64);
    assert_eq!(new["Domain"], fake.controller_uuid());
    assert_eq!(new["CanonicalHost"], fake.controller_uuid());
    assert_eq!(new["HostOnly"], true);
    assert_eq!(new["Persistent"], true);
    assert!(new["Expires"].as_str().unwrap().ends_with('Z'));
    // The value is padded standard base64 of the JSON slice, primary first, each
    // discharge bound (a signature different from the one the discharger returned).
    let value = new["Value"].as_str().unwrap();
    assert_eq!(value.len() % 4, 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(jar(&dir.0)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The next connect uses the refreshed jar: no prompt, no discharge.
    let before_requests = fake.auth_requests().len();
    let opts = ConnectOptions::from_juju_data_dir(&dir.0, None).unwrap();
    Controller::connect(&opts).unwrap();
    assert_eq!(fake.auth_requests().len(), before_requests);
}

#[test]
fn a_wrong_password_is_unauthorized_with_jujus_text() {
    let fake = FakeController::start().unwrap();
    let opts = ConnectOptions::new()
        .endpoint(fake.endpoint())
        .ca_cert(fake.ca_cert_pem())
        .username("bob")
        .password_callback(|_| Some("wrong".into()));
    let err = Controller::connect(&opts).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized), "{err}");
    assert!(
        err.message().contains("invalid entity name or password"),
        "{err}"
    );
    assert!(!err.to_string().contains("wrong"), "{err}");

    // Giving up at the prompt is unauthorized too; no callback at all is a clear error.
    let opts2 = ConnectOptions::new()
        .endpoint(fake.endpoint())
        .ca_cert(fake.ca_cert_pem())
        .username("bob")
        .password_callback(|_| None);
    let err = Controller::connect(&opts2).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized), "{err}");
    let opts3 = ConnectOptions::new()
        .endpoint(fake.endpoint())
        .ca_cert(fake.ca_cert_pem())
        .username("bob");
    let err = Controller::connect(&opts3).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::DischargeRequired), "{err}");
    assert!(err.message().contains("password_callback"), "{err}");
}

#[test]
fn a_discharge_that_no_longer_verifies_fails_with_jujus_text() {
    let fake = Arc::new(FakeController::start().unwrap());
    let f = fake.clone();
    // The clock jumps past the primary's expiry while the user types.
    let opts = ConnectOptions::new()
        .endpoint(fake.endpoint())
        .ca_cert(fake.ca_cert_pem())
        .username("bob")
        .password_callback(move |_| {
            f.advance_clock(Duration::from_secs(25 * 3600));
            Some("bob-password".into())
        });
    let err = Controller::connect(&opts).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::DischargeRequired), "{err}");
    assert!(
        err.message()
            .contains("login with discharged macaroons failed: invalid login macaroon"),
        "{err}"
    );
}

#[test]
fn a_slice_declaring_another_user_is_permission_denied() {
    let fake = FakeController::start().unwrap();
    let dir = TempDir::new("mismatch");
    fake.write_juju_data_with_cookies(&dir.0, "fake", "bob")
        .unwrap();
    let opts = ConnectOptions::from_juju_data_dir(&dir.0, None)
        .unwrap()
        .username("admin");
    let err = Controller::connect(&opts).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized), "{err}");
    assert!(err.message().contains("permission denied"), "{err}");
}

#[test]
fn given_macaroons_are_checked_and_used() {
    let fake = FakeController::start().unwrap();
    let dir = TempDir::new("given");
    fake.write_juju_data_with_cookies(&dir.0, "fake", "bob")
        .unwrap();
    let entry = &jar_entries(&dir.0)[0];
    let value = entry["Value"].as_str().unwrap();
    let slice = String::from_utf8(base64_decode(value)).unwrap();
    let opts = ConnectOptions::new()
        .endpoint(fake.endpoint())
        .ca_cert(fake.ca_cert_pem())
        .username("bob")
        .macaroons(slice.clone());
    assert!(!format!("{opts:?}").contains(&slice[..20]));
    let ctrl = Controller::connect(&opts).unwrap();
    assert_eq!(ctrl.user(), "user-bob");
    for bad in ["{", "[1]", "{\"a\":1}"] {
        let opts = opts.clone().macaroons(bad);
        let err = Controller::connect(&opts).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}: {err}");
    }
}

/// Standard padded base64, as the jar's values are written (a test-side decoder, so the
/// SDK's own is not used to check itself).
fn base64_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = A.iter().position(|a| *a == c).unwrap() as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[test]
fn a_discharger_elsewhere_is_reached_with_the_system_roots() {
    let fake = FakeController::start().unwrap();
    // `localhost` is not the dialled `127.0.0.1:port`, so the controller's pinned CA is
    // not used, and the system roots do not trust the fake's certificate.
    fake.set_discharge_location(Some(&format!("https://localhost:{}/auth", fake.port())));
    let opts = ConnectOptions::new()
        .endpoint(fake.endpoint())
        .ca_cert(fake.ca_cert_pem())
        .username("bob")
        .password_callback(|_| Some("bob-password".into()));
    let err = Controller::connect(&opts).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert!(
        err.message().contains("discharge at https://localhost:"),
        "{err}"
    );
    assert!(
        fake.auth_requests().is_empty(),
        "{:?}",
        fake.auth_requests()
    );
}

#[test]
fn a_discharge_stays_within_the_connect_deadline() {
    let fake = FakeController::start().unwrap();
    let opts = ConnectOptions::new()
        .endpoint(fake.endpoint())
        .ca_cert(fake.ca_cert_pem())
        .username("bob")
        .connect_timeout(Duration::from_millis(800))
        .password_callback(|_| {
            std::thread::sleep(Duration::from_millis(1000));
            Some("bob-password".into())
        });
    let started = Instant::now();
    let err = Controller::connect(&opts).unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn other_interaction_methods_go_to_the_handler_or_fail_naming_them() {
    let fake = FakeController::start().unwrap();
    fake.set_interaction_methods(Some(serde_json::json!({
        "browser-window": {"VisitURL": "https://idm.example.com/visit", "WaitTokenURL": "https://idm.example.com/wait"}
    })));
    let base = ConnectOptions::new()
        .endpoint(fake.endpoint())
        .ca_cert(fake.ca_cert_pem())
        .username("bob")
        .password_callback(|_| Some("bob-password".into()));
    let err = Controller::connect(&base).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::DischargeRequired), "{err}");
    assert!(err.message().contains("browser-window"), "{err}");
    assert!(err.message().contains("not supported"), "{err}");

    // A handler that performs it returns the token the discharge is retried with; the
    // fake takes only juju_userpass tokens, so its refusal shows the retry happened.
    let called = Arc::new(AtomicUsize::new(0));
    let c = called.clone();
    let opts = base.interaction_handler(move |i| {
        c.fetch_add(1, Ordering::SeqCst);
        assert_eq!(i.method(), "browser-window");
        assert_eq!(i.info()["VisitURL"], "https://idm.example.com/visit");
        Ok(juju_client::DischargeToken::new(
            "browser-window",
            b"tok".to_vec(),
        ))
    });
    let err = Controller::connect(&opts).unwrap_err();
    assert_eq!(called.load(Ordering::SeqCst), 1);
    assert!(err.message().contains("invalid token"), "{err}");
    assert_eq!(
        fake.auth_requests(),
        [
            "POST /auth/discharge",
            "POST /auth/discharge",
            "POST /auth/discharge"
        ]
    );
}

#[test]
fn a_jaas_like_controller_takes_client_credentials() {
    let jaas = FakeController::builder()
        .client_credentials("ci-bot", "s3cret-value")
        .start()
        .unwrap();
    let opts = ConnectOptions::new()
        .endpoint(jaas.endpoint())
        .ca_cert(jaas.ca_cert_pem())
        .client_credentials("ci-bot", "s3cret-value");
    assert!(!format!("{opts:?}").contains("s3cret-value"));
    let ctrl = Controller::connect(&opts).unwrap();
    assert_eq!(ctrl.user(), "user-ci-bot@serviceaccount");
    ctrl.ping().unwrap();
    let login = jaas
        .requests()
        .into_iter()
        .find(|r| r.method == "LoginWithClientCredentials")
        .unwrap();
    assert_eq!(login.version, 4);
    assert_eq!(login.params["client-secret"], "[REDACTED]");
    assert_eq!(login.params["client-id"], "ci-bot");

    let wrong = opts.clone().client_credentials("ci-bot", "nope");
    let err = Controller::connect(&wrong).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized), "{err}");

    // A plain controller does not serve Admin v4.
    let plain = FakeController::start().unwrap();
    let opts = ConnectOptions::new()
        .endpoint(plain.endpoint())
        .ca_cert(plain.ca_cert_pem())
        .client_credentials("ci-bot", "s3cret-value");
    let err = Controller::connect(&opts).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotSupported), "{err}");
    assert!(err.message().contains("does not serve Admin v4"), "{err}");
}

#[test]
fn a_silent_discharger_cannot_outlast_the_connect_deadline() {
    let fake = FakeController::start().unwrap();
    // Accepts TCP and never answers, not even the TLS handshake.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    // Holds the one connection it gets for 3 s; gives up waiting for it after 10 s, so that
    // a connect that ends before reaching the discharger (a loaded machine) cannot hang
    // the join below.
    silent.set_nonblocking(true).unwrap();
    let hold = std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(conn) = silent.accept() {
                std::thread::sleep(Duration::from_secs(3));
                drop(conn);
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    fake.set_discharge_location(Some(&format!("https://127.0.0.1:{port}/auth")));
    let opts = ConnectOptions::new()
        .endpoint(fake.endpoint())
        .ca_cert(fake.ca_cert_pem())
        .username("bob")
        .connect_timeout(Duration::from_millis(700))
        .password_callback(|_| Some("bob-password".into()));
    let started = Instant::now();
    let err = Controller::connect(&opts).unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(
        started.elapsed() < Duration::from_millis(2000),
        "{:?}",
        started.elapsed()
    );
    hold.join().unwrap();
}

#[test]
fn one_prompt_serves_a_dial_race_and_later_reconnects() {
    let fake = FakeController::start().unwrap();
    let asked = Arc::new(AtomicUsize::new(0));
    let a = asked.clone();
    let ep = fake.endpoint();
    let opts = ConnectOptions::new()
        .endpoints([ep.clone(), ep.clone(), ep])
        .dial_stagger(Duration::ZERO)
        .ca_cert(fake.ca_cert_pem())
        .username("bob")
        .password_callback(move |_| {
            a.fetch_add(1, Ordering::SeqCst);
            // Slow typing, so that every endpoint wants a discharge meanwhile.
            std::thread::sleep(Duration::from_millis(200));
            Some("bob-password".into())
        });
    let ctrl = Controller::connect(&opts).unwrap();
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    let discharges = fake.auth_requests().len();
    assert_eq!(discharges, 3);
    // A reconnect (no cookie jar here) logs in with the slice already discharged.
    fake.drop_connections();
    ctrl.reconnect().unwrap();
    ctrl.ping().unwrap();
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert_eq!(fake.auth_requests().len(), discharges);
    // Once it expires, the next connect discharges again.
    fake.advance_clock(Duration::from_secs(25 * 3600));
    let again = opts.clone().endpoints([fake.endpoint()]);
    Controller::connect(&again).unwrap();
    assert_eq!(asked.load(Ordering::SeqCst), 2);
}

#[test]
fn a_jaas_redirect_without_error_info_is_completed_with_redirect_info() {
    let jaas = |_: ()| {
        FakeController::builder()
            .client_credentials("ci-bot", "s3cret-value")
            .start()
            .unwrap()
    };
    let (a, b) = (jaas(()), jaas(()));
    a.redirect_logins_to(Some(&b));
    let opts = ConnectOptions::new()
        .endpoint(a.endpoint())
        .ca_cert(a.ca_cert_pem())
        .client_credentials("ci-bot", "s3cret-value");
    // The login error carries no target; Admin.RedirectInfo on the same connection does.
    let e = Controller::connect(&opts).unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::Redirect));
    let r = juju_client::Redirect::from_error(&e).expect("target filled in from RedirectInfo");
    assert_eq!(r.servers, [b.endpoint()]);
    assert_eq!(r.ca_cert, b.ca_cert_pem());
    let asked: Vec<String> = a.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(asked, ["LoginWithClientCredentials", "RedirectInfo"]);
    // And followed when asked to.
    let ctrl = Controller::connect(&opts.follow_redirects(true)).unwrap();
    assert_eq!(ctrl.endpoint(), b.endpoint());
    // A Juju controller puts the target in error-info and answers RedirectInfo with
    // `not redirected`: the client never needs to ask it.
    let (c, d) = (
        FakeController::start().unwrap(),
        FakeController::start().unwrap(),
    );
    c.redirect_logins_to(Some(&d));
    let e = Controller::connect(&c.connect_options()).unwrap_err();
    assert!(juju_client::Redirect::from_error(&e).is_some());
    assert!(c.requests().iter().all(|r| r.method != "RedirectInfo"));
}
