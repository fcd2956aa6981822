//! Logs: what debug and trace show, and that no secret ever appears at any level.
//! (Its own test binary, because a logger is process-wide.)

mod common;

use std::sync::{Mutex, OnceLock};

use juju_client::Controller;
use juju_client::testing::FakeController;
use log::{Level, LevelFilter, Log, Metadata, Record};

struct Capture(Mutex<Vec<(Level, String, String)>>);

impl Log for Capture {
    fn enabled(&self, _: &Metadata) -> bool {
        true
    }
    fn log(&self, record: &Record) {
        self.0.lock().unwrap().push((
            record.level(),
            record.target().to_string(),
            record.args().to_string(),
        ));
    }
    fn flush(&self) {}
}

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let c: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        log::set_logger(c).unwrap();
        log::set_max_level(LevelFilter::Trace);
        c
    })
}

#[test]
fn trace_logs_of_a_login_show_the_frames_but_not_the_password() {
    let logs = capture();
    let password = "Pa55-unique-7f3e";
    let fake = FakeController::builder()
        .admin_password(password)
        .start()
        .unwrap();
    let ctrl = Controller::connect(&fake.connect_options()).unwrap();
    ctrl.ping().unwrap();
    ctrl.close().unwrap();

    let lines = logs.0.lock().unwrap().clone();
    let ours: Vec<_> = lines
        .iter()
        .filter(|(_, t, _)| t.starts_with("juju_client"))
        .collect();
    // Trace shows each frame, with the credentials redacted.
    let login = ours
        .iter()
        .find(|(l, _, m)| {
            // Other tests of this binary log in too, as other users.
            *l == Level::Trace
                && m.starts_with("->")
                && m.contains("\"Login\"")
                && m.contains("user-admin")
        })
        .expect("the login frame is traced");
    assert!(
        login.2.contains("\"credentials\":\"[REDACTED]\""),
        "{}",
        login.2
    );
    assert!(ours.iter().any(|(l, _, m)| *l == Level::Trace
        && m.starts_with("<-")
        && m.contains("server-version")));
    // Debug has one line per call.
    assert!(
        ours.iter().any(
            |(l, _, m)| *l == Level::Debug && m.starts_with("call Pinger(1).Ping request-id=2")
        )
    );
    // Nothing, from any crate at any level, shows the password.
    for (level, target, msg) in &lines {
        assert!(!msg.contains(password), "{level} {target}: {msg}");
    }
}

#[test]
fn no_secret_value_reaches_any_log_line_debug_or_display_in_a_whole_lifecycle() {
    use juju_client::secretbackends::{
        AddSecretBackend, BackendConfig, KubernetesConfig, UpdateSecretBackend, VaultConfig,
    };
    use juju_client::testing::Fault;
    let logs = capture();
    let secrets = [
        "vault-tok-91ac",
        "client-key-55d0",
        "k8s-pass-c3f1",
        "new-tok-77aa",
        "Adm1n-pw-e02b",
        "typo-secret-4d1e",
    ];
    let fake = FakeController::builder()
        .admin_password(secrets[4])
        .start()
        .unwrap();
    let opts = fake.connect_options();
    let ctrl = Controller::connect(&opts).unwrap();
    let vault = VaultConfig::new("https://v:8200")
        .token(secrets[0])
        .client_cert("C")
        .client_key(secrets[1]);
    let k8s = KubernetesConfig::new("https://k:6443", "n")
        .username("u")
        .password(secrets[2]);
    let adds = [
        AddSecretBackend::new("v", "vault", vault.clone()),
        AddSecretBackend::new("k", "kubernetes", k8s.clone()),
    ];
    for r in ctrl.add_secret_backends_batch(&adds).unwrap() {
        r.unwrap();
    }
    let revealed = ctrl.list_secret_backends(true).unwrap();
    let update = UpdateSecretBackend::new().config([("token", secrets[3])]);
    ctrl.update_secret_backends("v", update.clone()).unwrap();
    let shown = ctrl.show_secret_backend("v", true).unwrap();
    assert_eq!(
        shown.config.get_str("token"),
        Some(secrets[3]),
        "the SDK does return them"
    );

    // Failures that carry the secrets nearby: a mistyped key, a wrong password, a
    // connection cut while a token is being sent, a timeout.
    let mut errors = vec![];
    errors.push(
        ctrl.add_secret_backends(
            "",
            "x",
            "vault",
            [("endpoint", "https://x"), ("tokn", secrets[5])],
        )
        .unwrap_err(),
    );
    errors.push(Controller::connect(&opts.clone().password(secrets[5])).unwrap_err());
    // The controller echoes an unknown key's value; the SDK does not pass it on.
    let typo = ctrl
        .update_secret_backends(
            "v",
            UpdateSecretBackend::new().config([("tokne", secrets[5])]),
        )
        .unwrap_err();
    assert!(
        typo.message()
            .ends_with(r#"unknown key "tokne" (value [REDACTED])"#),
        "{typo}"
    );
    errors.push(typo);
    fake.inject("UpdateSecretBackends", Fault::DropConnection);
    errors.push(
        ctrl.update_secret_backends("v", update.clone())
            .unwrap_err(),
    );
    fake.clear_faults();
    ctrl.reconnect().unwrap();
    ctrl.remove_secret_backends("v", false).unwrap();
    ctrl.remove_secret_backends("k", false).unwrap();

    let config: BackendConfig = vault.clone().into();
    let mut rendered = vec![
        format!("{revealed:?}"),
        format!("{shown:?}"),
        format!("{ctrl:?}"),
        format!("{opts:?}"),
        format!("{vault:?}"),
        format!("{k8s:?}"),
        format!("{config:?}"),
        format!("{adds:?}"),
        format!("{update:?}"),
        format!("{fake:?}"),
        format!("{:?}", fake.requests()),
    ];
    for e in &errors {
        rendered.push(format!("{e}"));
        rendered.push(format!("{e:?}"));
        rendered.push(format!("{:?}", std::error::Error::source(e)));
    }
    let lines = logs.0.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|(l, _, m)| *l == Level::Trace && m.contains("AddSecretBackends"))
    );
    rendered.extend(lines.into_iter().map(|(l, t, m)| format!("{l} {t} {m}")));
    for text in rendered {
        for s in secrets {
            assert!(!text.contains(s), "{s} leaked in: {text}");
        }
    }
}

#[test]
fn generic_calls_hide_every_string_they_cannot_classify_and_secret_keys_match_in_any_case() {
    use juju_client::fuzzing::{HostileServer, Stage, Step};
    let logs = capture();
    // A Cloud.CredentialContents-like reply: secrets under names no denylist had (a
    // generic call cannot classify `vendor-field`), and `Credentials` spelled as Go
    // accepts it.
    let reply = br#"{"request-id":2,"response":{"results":[{"result":{"content":{"name":"cred-name","auth-type":"certificate","vendor-field":"vf-77aa","attrs":{"trust-password":"tp-3c1d","maas-oauth":"oauth-8e2f","key":"key-0b7a","pass-phrase":"pp-6a9c","application-password":"ap-f41e"}}}}]}}"#;
    let mut frame = vec![0x81, 126];
    frame.extend_from_slice(&(reply.len() as u16).to_be_bytes());
    frame.extend_from_slice(reply);
    let server = HostileServer::start(
        Stage::LoggedIn,
        vec![
            Step::Sleep(std::time::Duration::from_millis(100)),
            Step::Send(frame),
        ],
        1,
    )
    .unwrap();
    let ctrl = Controller::connect(&server.connect_options()).unwrap();
    let got: serde_json::Value = ctrl
        .call(
            "Pinger",
            "Ping",
            &serde_json::json!({"Credentials": "cred-19d4", "attrs": {"key": "key-2d2d"}}),
        )
        .unwrap();
    assert_eq!(
        got["results"][0]["result"]["content"]["attrs"]["key"], "key-0b7a",
        "the caller gets the reply"
    );
    drop(ctrl);
    let lines = logs.0.lock().unwrap().clone();
    // The reply is traced with its shape: names shown, every other string hidden.
    assert!(
        lines.iter().any(|(l, _, m)| *l == Level::Trace
            && m.starts_with("<-")
            && m.contains(r#""name":"cred-name""#)
            && m.contains(r#""vendor-field":"[REDACTED]""#)),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|(l, _, m)| *l == Level::Trace
            && m.starts_with("->")
            && m.contains(r#""type":"Pinger""#)
            && m.contains(r#""Credentials":"[REDACTED]""#)),
        "{lines:#?}"
    );
    for (level, target, msg) in &lines {
        for s in [
            "tp-3c1d",
            "oauth-8e2f",
            "key-0b7a",
            "pp-6a9c",
            "ap-f41e",
            "cred-19d4",
            "key-2d2d",
            "vf-77aa",
            "certificate",
        ] {
            assert!(!msg.contains(s), "{s} leaked at {level} {target}: {msg}");
        }
    }
}

#[test]
fn macaroon_logins_show_no_password_macaroon_token_or_client_secret_at_trace() {
    let logs = capture();
    let fake = FakeController::start().unwrap();
    let scratch = common::TempDir::new("log-jar");
    let dir = scratch.path();
    fake.write_juju_data_with_cookies(dir, "fake", "bob")
        .unwrap();
    // Expire the jar, so that the whole discharge flow runs: the form post carries the
    // password and the retried discharge the token.
    fake.advance_clock(std::time::Duration::from_secs(25 * 3600));
    let password = "bob-password";
    let opts = juju_client::ConnectOptions::from_juju_data_dir(dir, None)
        .unwrap()
        .password_callback(move |_| Some(password.to_string()));
    let ctrl = Controller::connect(&opts).unwrap();
    ctrl.ping().unwrap();
    assert_eq!(fake.auth_requests().len(), 3);
    // A wrong password's error shows no password either.
    let wrong = "Wr0ng-unique-pw-91c2";
    let bad = juju_client::ConnectOptions::new()
        .endpoint(fake.endpoint())
        .ca_cert(fake.ca_cert_pem())
        .username("bob")
        .password_callback(move |_| Some(wrong.to_string()));
    let err = Controller::connect(&bad).unwrap_err();
    assert!(!format!("{err} {err:?}").contains(wrong));

    // JAAS client credentials.
    let secret = "cl1ent-secret-unique-5d1e";
    let jaas = FakeController::builder()
        .client_credentials("bot", secret)
        .start()
        .unwrap();
    let jopts = juju_client::ConnectOptions::new()
        .endpoint(jaas.endpoint())
        .ca_cert(jaas.ca_cert_pem())
        .client_credentials("bot", secret);
    Controller::connect(&jopts).unwrap().ping().unwrap();

    // The secrets: the password, every macaroon signature in the jar, the cookie values.
    let jar: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(dir.join("cookies").join("fake.json")).unwrap(),
    )
    .unwrap();
    let mut secrets = vec![password.to_string(), wrong.to_string(), secret.to_string()];
    for cookie in &jar {
        let value = cookie["Value"].as_str().unwrap().to_string();
        secrets.push(value[..40].to_string());
        secrets.push(cookie["Name"].as_str().unwrap()["macaroon-".len()..].to_string());
    }
    for r in fake.requests().iter().chain(jaas.requests().iter()) {
        secrets.push("s64".into()); // no macaroon JSON reaches requests() at all
        let text = format!("{r:?} {}", r.params);
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "requests() shows {s}: {text}");
        }
        secrets.pop();
    }
    let lines = logs.0.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|(l, _, m)| *l == Level::Trace && m.contains("\"macaroons\":\"[REDACTED]\""))
    );
    for (level, target, msg) in &lines {
        for s in &secrets {
            assert!(!msg.contains(s.as_str()), "{level} {target}: {msg}");
        }
        // No macaroon JSON of any kind, and no discharge token parameter.
        assert!(!msg.contains("\"s64\""), "{level} {target}: {msg}");
        assert!(!msg.contains("token="), "{level} {target}: {msg}");
    }
    assert!(!format!("{opts:?}{jopts:?}").contains(secret));
}

#[test]
fn proxy_credentials_never_reach_the_logs() {
    use common::{Relay, RelayMode};
    let logs = capture();
    let fake = FakeController::start().unwrap();
    let secret = "prx-pw-5e1d";
    let good = Relay::start(fake.endpoint(), RelayMode::Connect { refuse: None });
    let opts = fake
        .connect_options()
        .proxy(format!("http://carol:{secret}@{}", good.addr));
    let ctrl = Controller::connect(&opts).unwrap();
    ctrl.ping().unwrap();
    drop(ctrl);
    let refusing = Relay::start(
        fake.endpoint(),
        RelayMode::Connect {
            refuse: Some("HTTP/1.1 403 Forbidden"),
        },
    );
    let opts = fake
        .connect_options()
        .proxy(format!("http://carol:{secret}@{}", refusing.addr));
    let e = Controller::connect(&opts).unwrap_err();
    assert!(e.to_string().contains("403 Forbidden"), "{e}");
    log::debug!("options: {opts:?}; error: {e}; {e:?}");
    let lines = logs.0.lock().unwrap().clone();
    assert!(lines.iter().any(|(_, _, m)| m.contains("403 Forbidden")));
    for (level, target, msg) in &lines {
        assert!(!msg.contains(secret), "leaked at {level} {target}: {msg}");
    }
}

#[test]
fn no_secret_content_reaches_any_log_line_debug_or_display() {
    use juju_client::secrets::{AddSecret, SecretContent, SecretFilter, UpdateSecret};
    use juju_client::testing::Fault;
    let logs = capture();
    // Each value, and its base64 as it travels, must never be shown.
    let values = [
        ("ultra-secret-7c4f", "dWx0cmEtc2VjcmV0LTdjNGY="),
        ("rotated-secret-9b2e", "cm90YXRlZC1zZWNyZXQtOWIyZQ=="),
        ("vault-stored-3d8a", "dmF1bHQtc3RvcmVkLTNkOGE="),
        ("admin-user-51fe", "YWRtaW4tdXNlci01MWZl"),
    ];
    for version in ["3.6.26", "4.0.14"] {
        let fake = FakeController::builder()
            .juju_version(version)
            .start()
            .unwrap();
        let ctrl = Controller::connect(&fake.connect_options()).unwrap();
        let model = ctrl.open_model("admin/default").unwrap();
        let first =
            SecretContent::from_pairs([("password", values[0].0), ("username", values[3].0)])
                .unwrap();
        let add = AddSecret::new("db", first.clone()).info("db creds");
        let uri = model.add_secrets(std::slice::from_ref(&add)).unwrap()[0]
            .clone()
            .unwrap();
        let revealed = model.show_secret("db", true).unwrap();
        assert_eq!(
            revealed.content.as_ref().unwrap().get_str("password"),
            Some(values[0].0),
            "the SDK does return it"
        );
        let update = UpdateSecret::new()
            .content(SecretContent::from_pairs([("password", values[1].0)]).unwrap());
        model.update_secret(uri.id(), update.clone()).unwrap();
        ctrl.add_secret_backends(
            "",
            "myvault",
            "vault",
            [("endpoint", "https://vault.example:8200"), ("token", "t")],
        )
        .unwrap();
        model.set_secret_backend("myvault").unwrap();
        let third = SecretContent::from_pairs([("password", values[2].0)]).unwrap();
        model
            .update_secret("db", UpdateSecret::new().content(third.clone()))
            .unwrap();
        let listed = model.list_secrets(&SecretFilter::new(), true).unwrap();
        let old = model.show_secret_revision("db", 1, true).unwrap();

        // Failures next to the content: a name taken, a missing revision, a lost reply.
        let mut errors = vec![
            model.add_secret("db", first.clone(), None).unwrap_err(),
            model.show_secret_revision("db", 9, true).unwrap_err(),
        ];
        fake.inject("UpdateSecrets", Fault::DropConnection);
        errors.push(model.update_secret("db", update.clone()).unwrap_err());
        fake.clear_faults();
        model.reconnect().unwrap();
        model.remove_secret("db", None).unwrap();

        let mut rendered = vec![
            format!("{first:?} {first:#?}"),
            format!("{add:?} {update:?} {third:?}"),
            format!("{revealed:?} {revealed:#?}"),
            format!("{listed:?}"),
            format!("{old:?}"),
            format!("{model:?} {ctrl:?}"),
            format!("{:?}", fake.requests()),
        ];
        for e in &errors {
            rendered.push(format!("{e} {e:?} {:?}", std::error::Error::source(e)));
        }
        let lines = logs.0.lock().unwrap().clone();
        // The content did go by at trace, redacted.
        assert!(
            lines.iter().any(|(l, _, m)| *l == Level::Trace
                && m.contains("CreateSecrets")
                && m.contains(r#""content":{"data":"[REDACTED]"}"#)),
            "{version}"
        );
        assert!(
            lines.iter().any(|(l, _, m)| *l == Level::Trace
                && m.starts_with("<-")
                && m.contains(r#""value":{"data":"[REDACTED]"}"#)),
            "{version}"
        );
        rendered.extend(lines.into_iter().map(|(l, t, m)| format!("{l} {t} {m}")));
        for text in rendered {
            for (value, base64) in values {
                assert!(
                    !text.contains(value),
                    "{version}: {value} leaked in: {text}"
                );
                assert!(
                    !text.contains(base64.trim_end_matches('=')),
                    "{version}: {base64} leaked in: {text}"
                );
            }
        }
    }
}
