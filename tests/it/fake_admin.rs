//! The fake's `Admin.Login` over the wire, where it follows Go's `apiserver/admin.go` and
//! its authenticators: the connection's logged-in mark, disabled users, the last connection
//! a login records, and the model users the fake starts with.

use crate::common;

use common::Raw;
use juju_client::testing::FakeController;
use juju_client::{Controller, ErrorCode, Model};
use serde_json::{Value, json};

fn fake(version: &str) -> FakeController {
    FakeController::builder()
        .juju_version(version)
        .start()
        .unwrap()
}

fn request(id: u64, facade: &str, version: u32, method: &str, params: Value) -> String {
    json!({"request-id": id, "type": facade, "version": version, "request": method,
           "params": params})
    .to_string()
}

fn login(raw: &mut Raw, id: u64, user: &str, password: &str) -> String {
    raw.exchange(&request(
        id,
        "Admin",
        3,
        "Login",
        json!({"auth-tag": format!("user-{user}"), "credentials": password}),
    ))
}

fn model_path(fake: &FakeController, model: &str) -> String {
    format!("/model/{}/api", fake.model_uuid(model).unwrap())
}

const PERMISSION_DENIED: &str =
    "\"error\":\"permission denied\",\"error-code\":\"unauthorized access\",\"response\":{}}\n";

#[test]
fn a_login_retried_after_permission_denied_is_already_logged_in() {
    for version in ["3.6.26", "4.0.14"] {
        let fake = fake(version);
        // bob has controller access but no grant on `default`.
        let mut raw = Raw::connect_to(&fake, &model_path(&fake, "admin/default"));
        assert_eq!(
            login(&mut raw, 1, "bob", "bob-password"),
            format!("{{\"request-id\":1,{PERMISSION_DENIED}")
        );
        // Go marked the connection logged in before the permission check: even a login
        // that would succeed is refused on it.
        assert_eq!(
            login(&mut raw, 2, "admin", fake.password()),
            "{\"request-id\":2,\"error\":\"already logged in\",\"response\":{}}\n",
            "{version}"
        );
        // A failed authentication does not mark it: a wrong password can be retried.
        let mut raw = Raw::connect_to(&fake, &model_path(&fake, "admin/default"));
        assert!(login(&mut raw, 1, "bob", "wrong").contains("invalid entity name or password"));
        assert!(login(&mut raw, 2, "admin", fake.password()).contains("\"model-tag\""));
    }
}

#[test]
fn a_login_without_controller_access_is_already_logged_in_on_retry() {
    let fake = fake("3.6.26");
    fake.add_user("carol", "carol-pw", "");
    let mut raw = Raw::connect(&fake);
    assert_eq!(
        login(&mut raw, 1, "carol", "carol-pw"),
        format!("{{\"request-id\":1,{PERMISSION_DENIED}")
    );
    assert_eq!(
        login(&mut raw, 2, "carol", "carol-pw"),
        "{\"request-id\":2,\"error\":\"already logged in\",\"response\":{}}\n"
    );
}

#[test]
fn a_disabled_user_is_told_so_by_3_x_and_not_by_4_0() {
    for (version, text) in [
        ("3.6.26", "user \\\"bob\\\" is disabled"),
        ("3.2.4", "user \\\"bob\\\" is disabled"),
        ("4.0.14", "invalid entity name or password"),
    ] {
        let fake = fake(version);
        assert!(fake.grant_model_access("admin/default", "bob", "read"));
        assert!(fake.disable_user("bob"));
        let expected = |id| {
            format!(
                "{{\"request-id\":{id},\"error\":\"{text}\",\"error-code\":\"unauthorized access\",\"response\":{{}}}}\n"
            )
        };
        // Model and controller logins alike; the user is looked up before the password.
        let mut raw = Raw::connect_to(&fake, &model_path(&fake, "admin/default"));
        assert_eq!(
            login(&mut raw, 1, "bob", "bob-password"),
            expected(1),
            "{version}"
        );
        assert_eq!(login(&mut raw, 2, "bob", "wrong"), expected(2), "{version}");
        let mut raw = Raw::connect(&fake);
        assert_eq!(
            login(&mut raw, 1, "bob", "bob-password"),
            expected(1),
            "{version}"
        );
        // Enabled again, bob logs in.
        assert!(fake.enable_user("bob"));
        assert!(login(&mut raw, 2, "bob", "bob-password").contains("\"controller-tag\""));
    }
    let fake = fake("3.6.26");
    assert!(!fake.disable_user("admin"), "the controller owner");
    assert!(!fake.disable_user("nobody"));
}

#[test]
fn a_disabled_users_sdk_login_fails_unauthorized() {
    let fake = FakeController::start().unwrap();
    assert!(fake.grant_model_access("admin/default", "bob", "write"));
    assert!(fake.disable_user("bob"));
    let uuid = fake.model_uuid("admin/default").unwrap();
    let opts = fake
        .connect_options()
        .username("bob")
        .password("bob-password");
    let err = Model::connect(&opts, &uuid).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    assert!(err.message().contains("user \"bob\" is disabled"), "{err}");
    let err = Controller::connect(&opts).unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    // A macaroon login (the CLI's cookie jar) is refused the same way once it verifies.
    let dir = std::env::temp_dir().join(format!(
        "juju-fake-admin-disabled-{}-{}",
        std::process::id(),
        fake.port()
    ));
    fake.write_juju_data_with_cookies(&dir, "fake", "bob")
        .unwrap();
    let jar_opts = juju_client::ConnectOptions::from_juju_data_dir(&dir, None).unwrap();
    let err = Controller::connect(&jar_opts).unwrap_err();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(err.code(), Some(ErrorCode::Unauthorized));
    assert!(err.message().contains("user \"bob\" is disabled"), "{err}");
}

#[test]
fn a_login_on_api_records_the_controller_models_last_connection() {
    for (version, facade_version) in [("3.6.26", 10), ("4.0.14", 11)] {
        let fake = fake(version);
        let mut raw = Raw::connect(&fake);
        assert!(login(&mut raw, 1, "admin", fake.password()).contains("\"controller-tag\""));
        let reply = raw.exchange(&request(
            2,
            "ModelManager",
            facade_version,
            "ListModels",
            json!({"tag": "user-admin"}),
        ));
        let v: Value = serde_json::from_str(&reply).unwrap();
        let models = v["response"]["user-models"].as_array().unwrap();
        assert_eq!(models[0]["model"]["name"], "controller");
        let last = models[0]["last-connection"].as_str().unwrap_or_default();
        // Juju keeps the time to the second.
        assert!(
            last.starts_with("20") && last.ends_with('Z') && !last.contains('.'),
            "{version}: {reply}"
        );
        // Logging in on /api is no connection to `default`.
        assert_ne!(models[1]["last-connection"], models[0]["last-connection"]);
    }
}
#[test]
fn the_default_model_has_a_reader_and_a_writer() {
    let fake = FakeController::start().unwrap();
    for (user, password, access) in [
        ("reader", "reader-password", "read"),
        ("writer", "writer-password", "write"),
    ] {
        let mut raw = Raw::connect_to(&fake, &model_path(&fake, "admin/default"));
        let reply = login(&mut raw, 1, user, password);
        assert!(
            reply.contains(&format!(
                "\"user-info\":{{\"display-name\":\"\",\"identity\":\"user-{user}\",\
                 \"controller-access\":\"login\",\"model-access\":\"{access}\"}}"
            )),
            "{reply}"
        );
        // Neither has a grant on the controller model.
        let mut raw = Raw::connect_to(&fake, &model_path(&fake, "admin/controller"));
        assert_eq!(
            login(&mut raw, 1, user, password),
            format!("{{\"request-id\":1,{PERMISSION_DENIED}")
        );
    }
    // The SDK reports the same access.
    let uuid = fake.model_uuid("admin/default").unwrap();
    let opts = fake
        .connect_options()
        .username("writer")
        .password("writer-password");
    assert_eq!(
        Model::connect(&opts, &uuid).unwrap().model_access(),
        "write"
    );
    let ctrl = Controller::connect(&opts).unwrap();
    assert_eq!(ctrl.controller_access(), "login");
}

#[test]
fn model_access_decides_what_model_users_may_do() {
    let fake = FakeController::start().unwrap();
    let set = json!({"config": {"logging-config": "<root>=DEBUG"}});
    for (user, password, may_write) in [
        ("reader", "reader-password", false),
        ("writer", "writer-password", true),
    ] {
        let mut raw = Raw::connect_to(&fake, &model_path(&fake, "admin/default"));
        login(&mut raw, 1, user, password);
        assert!(
            raw.exchange(&request(2, "ModelConfig", 3, "ModelGet", json!({})))
                .contains("\"config\":{")
        );
        let reply = raw.exchange(&request(3, "ModelConfig", 3, "ModelSet", set.clone()));
        if may_write {
            assert_eq!(reply, "{\"request-id\":3,\"response\":{}}\n");
        } else {
            assert_eq!(reply, format!("{{\"request-id\":3,{PERMISSION_DENIED}"));
        }
    }
    // A grant made later counts at the next login; `admin` on the model too.
    assert!(fake.grant_model_access("admin/default", "reader", "admin"));
    let mut raw = Raw::connect_to(&fake, &model_path(&fake, "admin/default"));
    assert!(login(&mut raw, 1, "reader", "reader-password").contains("\"model-access\":\"admin\""));
    assert_eq!(
        raw.exchange(&request(2, "ModelConfig", 3, "ModelSet", set)),
        "{\"request-id\":2,\"response\":{}}\n"
    );
}

#[test]
fn the_default_model_has_two_applications_and_takes_more() {
    let fake = FakeController::start().unwrap();
    assert_eq!(
        fake.applications("admin/default").unwrap(),
        ["mysql", "wordpress"]
    );
    assert!(fake.add_application("admin/default", "postgresql"));
    assert!(
        fake.add_application("admin/default", "mysql"),
        "already there"
    );
    assert!(fake.add_application("controller", "dashboard"));
    assert_eq!(
        fake.applications("admin/default").unwrap(),
        ["mysql", "postgresql", "wordpress"]
    );
    assert_eq!(fake.applications("controller").unwrap(), ["dashboard"]);
    assert_eq!(fake.applications("admin/nope"), None);
    assert!(!fake.add_application("admin/nope", "mysql"));
    assert!(!fake.add_application("admin/default", "9lives"));
    // The same defaults in every emulated version.
    let fake = FakeController::builder()
        .juju_version("4.0.14")
        .start()
        .unwrap();
    let mut raw = Raw::connect_to(&fake, &model_path(&fake, "admin/default"));
    assert!(login(&mut raw, 1, "reader", "reader-password").contains("\"model-access\":\"read\""));
}
