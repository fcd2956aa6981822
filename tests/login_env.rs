//! `connect_current` from a `$JUJU_DATA` the CLI left after `juju login` (no password, a
//! cookie jar), and JAAS client credentials from the environment. Its own test binary,
//! because it sets process-wide environment variables.

mod common;

use std::time::Duration;

use juju_client::testing::FakeController;
use juju_client::{ConnectOptions, Controller, ErrorCode, Model};

#[test]
fn connect_current_logs_in_with_the_jar_then_discharges_and_refreshes_it() {
    let fake = FakeController::start().unwrap();
    let scratch = common::TempDir::new("login-env");
    let dir = scratch.path();
    fake.write_juju_data_with_cookies(dir, "fake", "bob")
        .unwrap();
    // Only controllers.yaml, accounts.yaml without a password, and the jar.
    std::fs::remove_file(dir.join("models.yaml")).unwrap();
    let accounts = std::fs::read_to_string(dir.join("accounts.yaml")).unwrap();
    assert!(!accounts.contains("password"), "{accounts}");
    common::set_env("JUJU_DATA", dir);
    common::remove_env("JUJU_CLIENT_ID");
    common::remove_env("JUJU_CLIENT_SECRET");

    let ctrl = Controller::connect_current().unwrap();
    assert_eq!(ctrl.user(), "user-bob");
    assert!(fake.auth_requests().is_empty());
    let ctrl = Controller::connect_named("fake").unwrap();
    assert_eq!(ctrl.user(), "user-bob");
    drop(ctrl);

    // Expired: without a way to ask for the password, the error says what is missing.
    fake.advance_clock(Duration::from_secs(25 * 3600));
    let err = Controller::connect_current().unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::DischargeRequired), "{err}");
    assert_eq!(fake.auth_requests(), ["POST /auth/discharge"]);
    // With a password callback it discharges, and the jar serves the next connect.
    let opts = ConnectOptions::from_juju_data(None)
        .unwrap()
        .password_callback(|_| Some("bob-password".into()));
    Controller::connect(&opts).unwrap();
    assert_eq!(fake.auth_requests().len(), 4);
    let ctrl = Controller::connect_current().unwrap();
    assert_eq!(ctrl.user(), "user-bob");
    assert_eq!(fake.auth_requests().len(), 4);
    // Models opened the CLI's way send the jar too.
    assert!(fake.grant_model_access("admin/default", "bob", "write"));
    let model = Model::connect_named("fake:admin/default").unwrap();
    assert_eq!(model.model_access(), "write");
    assert_eq!(fake.auth_requests().len(), 4);

    // JAAS: the client credentials in the environment take over.
    let jaas = FakeController::builder()
        .client_credentials("bot", "env-secret")
        .start()
        .unwrap();
    let jaas_scratch = common::TempDir::new("login-env-jaas");
    let jdir = jaas_scratch.path();
    jaas.write_juju_data(jdir, "jaas").unwrap();
    common::set_env("JUJU_DATA", jdir);
    common::set_env("JUJU_CLIENT_ID", "bot");
    common::set_env("JUJU_CLIENT_SECRET", "env-secret");
    let ctrl = Controller::connect_current().unwrap();
    assert_eq!(ctrl.user(), "user-bot@serviceaccount");
    common::remove_env("JUJU_CLIENT_ID");
    common::remove_env("JUJU_CLIENT_SECRET");
    common::remove_env("JUJU_DATA");
}
