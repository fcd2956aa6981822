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
