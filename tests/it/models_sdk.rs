//! Models through the SDK: list them, open one by name or UUID, point it at a secret
//! backend, against the fake as Juju 3.6.26 and 4.0.14 (ModelConfig v3 `secret-backend`
//! against v4 `Get/SetModelSecretBackend`).

use juju_client::testing::FakeController;
use juju_client::{ErrorCode, ErrorKind, Model};

use crate::common::connected_as;

const VERSIONS: [&str; 2] = ["3.6.26", "4.0.14"];

#[test]
fn a_script_lists_models_opens_one_and_points_it_at_a_new_backend() {
    for version in VERSIONS {
        let (fake, ctrl) = connected_as(version);
        let mut names: Vec<String> = ctrl
            .models()
            .unwrap()
            .iter()
            .map(|m| m.qualified_name())
            .collect();
        names.sort();
        assert_eq!(names, ["admin/controller", "admin/default"], "{version}");

        ctrl.add_secret_backends("", "myvault", "vault", [("endpoint", "https://v:8200")])
            .unwrap();
        let model = ctrl.open_model("default").unwrap();
        assert_eq!(model.name(), "default");
        assert_eq!(
            Some(model.uuid().to_string()),
            fake.model_uuid("admin/default")
        );
        assert_eq!(model.server_version(), version);
        assert_eq!(model.model_access(), "admin");
        model.ping().unwrap();
        assert_eq!(model.secret_backend().unwrap(), "auto", "{version}");
        model.set_secret_backend("myvault").unwrap();
        assert_eq!(model.secret_backend().unwrap(), "myvault", "{version}");
        assert_eq!(
            fake.model_secret_backend("admin/default").as_deref(),
            Some("myvault")
        );
        // The wire path and method each version uses.
        let upgrade = fake.upgrade_requests().pop().unwrap();
        assert_eq!(upgrade.path, format!("/model/{}/api", model.uuid()));
        let methods: Vec<String> = fake
            .requests()
            .iter()
            .filter(|r| r.facade == "ModelConfig")
            .map(|r| format!("{}.{}", r.version, r.method))
            .collect();
        let expected = if version.starts_with('4') {
            [
                "4.GetModelSecretBackend",
                "4.SetModelSecretBackend",
                "4.GetModelSecretBackend",
            ]
        } else {
            ["3.ModelGet", "3.ModelSet", "3.ModelGet"]
        };
        assert_eq!(methods, expected, "{version}");
        model.close().unwrap();
    }
}

#[test]
fn the_controllers_validation_comes_back_with_its_code_and_text() {
    for version in VERSIONS {
        let (_fake, ctrl) = connected_as(version);
        let model = ctrl.open_model("admin/default").unwrap();
        let uuid = model.uuid().to_string();
        let e = model.set_secret_backend("nope").unwrap_err();
        let (message, code) = if version.starts_with('4') {
            (
                format!(
                    "setting model secret backend for \"{uuid}\": cannot get secret backend \"nope\": secret backend not found"
                ),
                ErrorCode::SecretBackendNotFound,
            )
        } else {
            (
                "secret backend \"nope\" not found".to_string(),
                ErrorCode::NotFound,
            )
        };
        assert_eq!(e.message(), message, "{version}");
        assert_eq!(e.code(), Some(code.clone()), "{version}");
        assert_eq!(code.generic(), ErrorCode::NotFound);
        let e = model.set_secret_backend("").unwrap_err();
        let expected = if version.starts_with('4') {
            "missing backend name"
        } else {
            "empty \"secret-backend\" config value not valid"
        };
        assert_eq!(e.message(), expected, "{version}");
        // An unreachable vault: 3.x pings it, 4.0 does not.
        ctrl.add_secret_backends("", "down", "vault", [("endpoint", "https://up:8200")])
            .unwrap();
        ctrl.update_secret_backends(
            "down",
            juju_client::secretbackends::UpdateSecretBackend::new()
                .config([("tls-server-name", "gone.invalid")])
                .force(true),
        )
        .unwrap();
        let r = model.set_secret_backend("down");
        if version.starts_with('4') {
            r.unwrap();
        } else {
            let e = r.unwrap_err();
            assert!(
                e.message().starts_with("cannot ping backend \"down\""),
                "{e}"
            );
        }
    }
}

#[test]
fn model_names_resolve_like_the_cli_and_failures_list_what_exists() {
    let (fake, ctrl) = connected_as("3.6.26");
    fake.add_model("dev", "bob");
    fake.add_model("dev", "carol");
    assert_eq!(ctrl.find_model("bob/dev").unwrap().owner, "bob");
    let e = ctrl.find_model("dev").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.message().contains("bob/dev, carol/dev"), "{e}");
    let e = ctrl.open_model("nope").unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::ModelNotFound));
    assert!(e.message().contains("admin/default"), "{e}");
}

#[test]
fn a_model_opens_by_uuid_and_refuses_what_is_not_one() {
    for version in VERSIONS {
        let (fake, _ctrl) = connected_as(version);
        let uuid = fake.model_uuid("admin/default").unwrap();
        let model = Model::connect(&fake.connect_options(), &uuid).unwrap();
        assert_eq!((model.uuid(), model.name()), (uuid.as_str(), "default"));
        for bad in ["default", "../api", "F47AC10B-58CC-4372-A567-0E02B2C3D479"] {
            let e = Model::connect(&fake.connect_options(), bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{bad}: {e}");
        }
        // A well-formed UUID of no model: the controller's own answer.
        let e = Model::connect(
            &fake.connect_options(),
            "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        )
        .unwrap_err();
        assert_eq!(e.code(), Some(ErrorCode::ModelNotFound), "{e}");
        assert!(
            e.message()
                .contains("unknown model: \"f47ac10b-58cc-4372-a567-0e02b2c3d479\""),
            "{e}"
        );
    }
}

#[test]
fn a_model_connection_has_its_own_facades_and_generic_calls() {
    let (_fake, ctrl) = connected_as("3.6.26");
    let model = ctrl.open_model("default").unwrap();
    assert!(model.facades().contains_key("ModelConfig"));
    assert!(!model.facades().contains_key("SecretBackends"));
    // Offered only on the controller connection: refused locally on the model one.
    let e = model
        .call::<_, serde_json::Value>(
            "SecretBackends",
            "ListSecretBackends",
            &serde_json::json!({}),
        )
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::NotSupported));
    // And by the controller if sent anyway.
    let e = model
        .call_at::<_, serde_json::Value>(
            "SecretBackends",
            1,
            "ListSecretBackends",
            &serde_json::json!({}),
        )
        .unwrap_err();
    assert_eq!(
        e.message(),
        "facade \"SecretBackends\" not supported for model API connection"
    );
    let config: serde_json::Value = model
        .call("ModelConfig", "ModelGet", &serde_json::json!({}))
        .unwrap();
    assert_eq!(config["config"]["name"]["value"], "default");
    model.reconnect().unwrap();
    model.ping().unwrap();
    // On the controller connection, ModelConfig would act on the controller model.
    let e = ctrl
        .call::<_, serde_json::Value>(
            "ModelConfig",
            "ModelSet",
            &serde_json::json!({"config": {"secret-backend": "internal"}}),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.message().contains("Controller::open_model"), "{e}");
    let _: &dyn Send = &model;
    let _: &dyn Sync = &model;
}

#[test]
fn a_user_without_access_is_refused_and_a_granted_one_served() {
    let (fake, ctrl) = connected_as("3.6.26");
    let bob = fake
        .connect_options()
        .username("bob")
        .password("bob-password");
    let uuid = fake.model_uuid("admin/default").unwrap();
    let e = Model::connect(&bob, &uuid).unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::Unauthorized), "{e}");
    fake.grant_model_access("admin/default", "bob", "read");
    let model = Model::connect(&bob, &uuid).unwrap();
    assert_eq!(model.model_access(), "read");
    assert_eq!(model.secret_backend().unwrap(), "auto");
    let e = model.set_secret_backend("internal").unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::Unauthorized), "{e}");
    drop(ctrl);
}

#[test]
fn a_migrated_model_is_reported_or_followed() {
    let (fake, _ctrl) = connected_as("3.6.26");
    let other = FakeController::start().unwrap();
    let uuid = fake.model_uuid("admin/default").unwrap();
    assert!(fake.redirect_model(&uuid, Some(&other)));
    let e = Model::connect(&fake.connect_options(), &uuid).unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::Redirect));
    let r = juju_client::Redirect::from_error(&e).unwrap();
    assert_eq!(r.servers, [other.endpoint()]);
    // Followed: the same model path on the other controller, trusting its CA. (The fake
    // does not move the model itself, so the other controller answers for the UUID.)
    let opts = fake
        .connect_options()
        .password(other.password())
        .follow_redirects(true);
    let e = Model::connect(&opts, &uuid).unwrap_err();
    assert!(e.message().contains("following a redirect"), "{e}");
    assert!(
        e.message().contains(&format!("unknown model: \"{uuid}\"")),
        "{e}"
    );
    let upgrade = other.upgrade_requests().pop().unwrap();
    assert_eq!(upgrade.path, format!("/model/{uuid}/api"));
}
