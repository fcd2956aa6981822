//! Logs: what debug and trace show, and that no secret ever appears at any level.
//! (Its own test binary, because a logger is process-wide.)

use std::sync::{Mutex, OnceLock};

use juju_client::testing::FakeController;
use juju_client::Controller;
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
        .find(|(l, _, m)| *l == Level::Trace && m.starts_with("->") && m.contains("\"Login\""))
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
    assert!(ours
        .iter()
        .any(|(l, _, m)| *l == Level::Debug && m.starts_with("call Pinger(1).Ping request-id=2")));
    // Nothing, from any crate at any level, shows the password.
    for (level, target, msg) in &lines {
        assert!(!msg.contains(password), "{level} {target}: {msg}");
    }
}

#[test]
fn no_secret_value_reaches_any_log_line_in_a_secret_backend_lifecycle() {
    use juju_client::secretbackends::{KubernetesConfig, UpdateSecretBackend, VaultConfig};
    let logs = capture();
    let secrets = [
        "vault-tok-91ac",
        "client-key-55d0",
        "k8s-pass-c3f1",
        "new-tok-77aa",
        "Adm1n-pw-e02b",
    ];
    let fake = FakeController::builder()
        .admin_password(secrets[4])
        .start()
        .unwrap();
    let ctrl = Controller::connect(&fake.connect_options()).unwrap();
    let vault = VaultConfig::new("https://v:8200")
        .token(secrets[0])
        .client_cert("C")
        .client_key(secrets[1]);
    ctrl.add_secret_backends("", "v", "vault", vault).unwrap();
    let k8s = KubernetesConfig::new("https://k:6443", "n")
        .username("u")
        .password(secrets[2]);
    ctrl.add_secret_backends("", "k", "kubernetes", k8s)
        .unwrap();
    let revealed = ctrl.list_secret_backends(true).unwrap();
    ctrl.update_secret_backends(
        "v",
        UpdateSecretBackend::new().config([("token", secrets[3])]),
    )
    .unwrap();
    let shown = ctrl.show_secret_backend("v", true).unwrap();
    assert_eq!(
        shown.config.get_str("token"),
        Some(secrets[3]),
        "the SDK does return them"
    );
    ctrl.remove_secret_backends("v", false).unwrap();
    ctrl.remove_secret_backends("k", false).unwrap();

    let mut rendered = vec![
        format!("{revealed:?}"),
        format!("{shown:?}"),
        format!("{ctrl:?}"),
    ];
    rendered.push(format!("{:?}", fake.connect_options()));
    let lines = logs.0.lock().unwrap().clone();
    assert!(lines
        .iter()
        .any(|(l, _, m)| *l == Level::Trace && m.contains("AddSecretBackends")));
    rendered.extend(lines.into_iter().map(|(l, t, m)| format!("{l} {t} {m}")));
    for text in rendered {
        for s in secrets {
            assert!(!text.contains(s), "{s} leaked in: {text}");
        }
    }
}
