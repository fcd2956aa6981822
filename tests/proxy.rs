//! HTTPS proxies: the WebSocket through an HTTP CONNECT tunnel (TLS to the controller
//! unchanged inside it), the environment read as Go reads it, a refused tunnel, a proxy URL
//! that is not one, and proxy credentials never shown. The proxy is a small one in `common`, on loopback.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::{Relay, RelayMode, within};
use juju_client::testing::FakeController;
use juju_client::{ConnectOptions, Controller, ErrorKind, Model, ProxySetting};

/// Tests that set the process environment take turns.
static ENV: Mutex<()> = Mutex::new(());

#[test]
fn the_websocket_goes_through_a_connect_tunnel_with_basic_auth() {
    within(Duration::from_secs(30), || {
        let fake = FakeController::start().unwrap();
        let proxy = Relay::start(fake.endpoint(), RelayMode::Connect { refuse: None });
        let opts = fake
            .connect_options()
            .proxy(format!("http://bob:pa%3Ass@{}", proxy.addr));
        let shown = format!("{opts:?}");
        assert!(
            !shown.contains("pa%3Ass") && !shown.contains("pa:ss"),
            "{shown}"
        );
        let ctrl = Controller::connect(&opts).unwrap();
        ctrl.ping().unwrap();
        let heads = proxy.heads();
        assert_eq!(heads.len(), 1);
        let target = fake.endpoint();
        assert!(
            heads[0].starts_with(&format!("CONNECT {target} HTTP/1.1\r\n")),
            "{}",
            heads[0]
        );
        // base64("bob:pa:ss")
        assert!(
            heads[0].contains("Proxy-Authorization: Basic Ym9iOnBhOnNz\r\n"),
            "{}",
            heads[0]
        );
    });
}

#[test]
fn macaroon_discharges_go_through_the_proxy_too() {
    within(Duration::from_secs(30), || {
        let fake = FakeController::start().unwrap();
        let proxy = Relay::start(fake.endpoint(), RelayMode::Connect { refuse: None });
        // No password: the login discharges at the fake's /auth, which answers with the
        // juju_userpass form, then discharges again: three HTTPS requests besides the
        // WebSocket, each on its own connection.
        let opts = ConnectOptions::new()
            .endpoint(fake.endpoint())
            .ca_cert(fake.ca_cert_pem())
            .username("bob")
            .password_callback(|_| Some("bob-password".into()))
            .proxy(format!("http://{}", proxy.addr));
        let ctrl = Controller::connect(&opts).unwrap();
        assert_eq!(ctrl.user(), "user-bob");
        assert_eq!(
            fake.auth_requests(),
            [
                "POST /auth/discharge",
                "POST /auth/form",
                "POST /auth/discharge"
            ]
        );
        let heads = proxy.heads();
        let target = format!("CONNECT {} HTTP/1.1\r\n", fake.endpoint());
        assert_eq!(heads.len(), 4, "{heads:?}");
        assert!(heads.iter().all(|h| h.starts_with(&target)), "{heads:?}");
    });
}

#[test]
fn a_refused_tunnel_names_the_proxy_and_its_status_but_not_the_password() {
    within(Duration::from_secs(30), || {
        let fake = FakeController::start().unwrap();
        let proxy = Relay::start(
            fake.endpoint(),
            RelayMode::Connect {
                refuse: Some("HTTP/1.1 407 Proxy Authentication Required"),
            },
        );
        let opts = fake
            .connect_options()
            .proxy(format!("http://bob:hunter2@{}", proxy.addr));
        let e = Controller::connect(&opts).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
        let text = format!("{e} {e:?}");
        assert!(text.contains(&proxy.addr.to_string()), "{text}");
        assert!(text.contains("407 Proxy Authentication Required"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    });
}

#[test]
fn a_proxy_url_that_is_not_one_fails_the_connect_before_anything_is_dialled() {
    let fake = FakeController::start().unwrap();
    for (bad, why) in [
        (
            "socks5://bob:hunter2@proxy.example:1080",
            "scheme \"socks5\" is not supported",
        ),
        (
            "http://bob:hunter2@proxy.example:notaport",
            "bad host or port",
        ),
        ("http://bob:hunter2@", "no host"),
    ] {
        // The chain goes on after a bad URL; nothing is checked until connect.
        let opts = fake
            .connect_options()
            .proxy(bad)
            .call_timeout(Duration::from_secs(5));
        assert_eq!(opts.get_call_timeout(), Duration::from_secs(5));
        let ProxySetting::Invalid(shown) = opts.get_proxy() else {
            panic!("{bad}: {:?}", opts.get_proxy());
        };
        assert!(shown.contains(why), "{bad}: {shown}");
        for e in [
            Controller::connect(&opts).unwrap_err(),
            Model::connect(&opts, &fake.model_uuid("admin/default").unwrap()).unwrap_err(),
        ] {
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad}: {e}");
            assert!(e.message().contains("ConnectOptions::proxy"), "{bad}: {e}");
            assert!(e.message().contains(why), "{bad}: {e}");
            let text = format!("{e} {e:?} {opts:?} {shown}");
            assert!(!text.contains("hunter2"), "{text}");
        }
    }
    // Refused before anything was dialled.
    assert!(fake.upgrade_requests().is_empty());
    // A later proxy() or no_proxy() replaces it.
    let opts = fake
        .connect_options()
        .proxy("socks5://proxy.example:1080")
        .no_proxy();
    assert_eq!(opts.get_proxy(), ProxySetting::Direct);
    Controller::connect(&opts).unwrap().ping().unwrap();
}

#[test]
fn https_proxy_from_the_environment_is_used_except_for_loopback_and_no_proxy() {
    within(Duration::from_secs(60), || {
        let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
        let fake = FakeController::start().unwrap();
        let proxy = Relay::start(fake.endpoint(), RelayMode::Connect { refuse: None });
        common::set_env("HTTPS_PROXY", format!("http://{}", proxy.addr));
        common::remove_env("NO_PROXY");
        common::remove_env("no_proxy");
        // A name only the proxy can reach (it tunnels anything to the fake); the CA is
        // pinned, so the certificate is checked against juju-apiserver as usual.
        let remote = fake
            .connect_options()
            .endpoints([format!("ctrl.invalid:{}", fake.port())]);
        Controller::connect(&remote).unwrap().ping().unwrap();
        assert_eq!(proxy.heads().len(), 1);
        assert!(proxy.heads()[0].starts_with(&format!("CONNECT ctrl.invalid:{} ", fake.port())));

        // Loopback never goes through a proxy.
        Controller::connect(&fake.connect_options())
            .unwrap()
            .ping()
            .unwrap();
        assert_eq!(proxy.heads().len(), 1);

        // NO_PROXY and no_proxy() bypass it: the name is then resolved here, and fails.
        common::set_env("NO_PROXY", "example.org, .invalid");
        let e = Controller::connect(&remote.clone().connect_timeout(Duration::from_secs(5)))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
        common::remove_env("NO_PROXY");
        let e = Controller::connect(&remote.clone().no_proxy()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
        assert_eq!(proxy.heads().len(), 1, "bypassed");
        common::remove_env("HTTPS_PROXY");
    });
}

#[test]
fn cr_lf_in_a_discharge_location_never_reaches_the_proxy_or_an_error() {
    within(Duration::from_secs(30), || {
        let fake = FakeController::start().unwrap();
        let proxy = Relay::start(fake.endpoint(), RelayMode::Connect { refuse: None });
        // The controller picks the third-party caveat's location: here one whose host would
        // add a header to the CONNECT request.
        fake.set_discharge_location(Some(
            "https://evil.example\r\nX-Injected: yes\r\nZ:443/auth",
        ));
        let opts = ConnectOptions::new()
            .endpoint(fake.endpoint())
            .ca_cert(fake.ca_cert_pem())
            .username("bob")
            .password_callback(|_| Some("bob-password".into()))
            .proxy(format!("http://{}", proxy.addr));
        let e = Controller::connect(&opts).unwrap_err();
        let heads = proxy.heads();
        // Only the WebSocket's tunnel: the discharge was refused before any I/O.
        assert_eq!(heads.len(), 1, "{heads:?}");
        assert!(
            heads
                .iter()
                .all(|h| !h.to_ascii_lowercase().contains("injected")),
            "{heads:?}"
        );
        assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
        let text = format!("{e} {e:?}");
        assert!(!text.contains(['\r', '\n']), "{text:?}");
        assert!(
            fake.auth_requests().is_empty(),
            "{:?}",
            fake.auth_requests()
        );
    });
}
