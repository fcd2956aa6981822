//! Opt-in tests against a real Juju controller. They are ignored unless asked for:
//!
//! ```text
//! JUJU_TEST_CONTROLLER=NAME cargo test --all-features --test real_controller -- --ignored
//! ```
//!
//! NAME is a controller in the juju client store (`juju controllers`); the account needs
//! controller superuser. The test adds a backend with a random name and removes it at the
//! end. A real controller pings a vault backend before storing it: set
//! `JUJU_TEST_VAULT_ENDPOINT` (and `JUJU_TEST_VAULT_TOKEN`) to a vault it can reach;
//! without them a `controller`-type backend is used, which Juju 3.6 stores without a ping.
//! The models test only reads: it lists the models and the controller model's secret
//! backend.
#![cfg(feature = "juju-data")]

use std::time::Duration;

use juju_client::secretbackends::{BackendConfig, UpdateSecretBackend, VaultConfig};
use juju_client::{Controller, ErrorCode};

fn controller() -> Controller {
    let name = std::env::var("JUJU_TEST_CONTROLLER").unwrap_or_else(|_| {
        panic!("set JUJU_TEST_CONTROLLER to the name of a controller in the juju client store")
    });
    Controller::connect_named(&name).unwrap_or_else(|e| panic!("connect to {name}: {e}"))
}

/// Removes the backend even when an assertion fails half-way.
struct Cleanup<'a>(&'a Controller, String);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = self.0.remove_secret_backends(&self.1, true);
    }
}

#[test]
#[ignore = "needs a real controller: JUJU_TEST_CONTROLLER=NAME cargo test -- --ignored"]
fn real_controller_secret_backend_lifecycle() {
    let ctrl = controller();
    ctrl.ping().unwrap();
    assert!(ctrl.best_facade_version("SecretBackends").is_some());
    let suffix = format!(
        "{:x}",
        std::process::id() as u64 * 7919
            + std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos() as u64
    );
    let name = format!("juju-client-test-{suffix}");
    let renamed = format!("{name}-renamed");
    let _cleanup = (
        Cleanup(&ctrl, name.clone()),
        Cleanup(&ctrl, renamed.clone()),
    );

    let (backend_type, config): (&str, BackendConfig) =
        match std::env::var("JUJU_TEST_VAULT_ENDPOINT") {
            Ok(endpoint) => {
                let token = std::env::var("JUJU_TEST_VAULT_TOKEN").unwrap_or_default();
                ("vault", VaultConfig::new(endpoint).token(token).into())
            }
            Err(_) => ("controller", BackendConfig::new()),
        };
    ctrl.add_secret_backends("", &name, backend_type, config)
        .unwrap();
    let listed = ctrl.list_secret_backends(false).unwrap();
    assert!(listed.iter().any(|b| b.name == "internal"));
    let mine = listed
        .iter()
        .find(|b| b.name == name)
        .expect("the new backend is listed");
    assert_eq!(mine.backend_type.to_string(), backend_type);

    let e = ctrl
        .add_secret_backends("", &name, backend_type, BackendConfig::new())
        .unwrap_err();
    // 4.0 says `secret backend already exists`; generic() makes both versions one.
    assert_eq!(
        e.code().map(|c| c.generic()),
        Some(ErrorCode::AlreadyExists),
        "{e}"
    );

    ctrl.update_secret_backends(
        &name,
        UpdateSecretBackend::new().name_change(renamed.as_str()),
    )
    .unwrap();
    let shown = ctrl.show_secret_backend(&renamed, false).unwrap();
    assert_eq!(shown.id, mine.id);
    assert_eq!(
        ctrl.show_secret_backend(&name, false)
            .unwrap_err()
            .code()
            .map(|c| c.generic()),
        Some(ErrorCode::NotFound)
    );
    if backend_type == "vault" {
        ctrl.update_secret_backends(
            &renamed,
            UpdateSecretBackend::new().token_rotate_interval(Duration::from_secs(2 * 3600)),
        )
        .unwrap();
        let b = ctrl.show_secret_backend(&renamed, false).unwrap();
        assert_eq!(b.token_rotate_interval, Some(Duration::from_secs(7200)));
    }
    ctrl.remove_secret_backends(&renamed, false).unwrap();
    assert!(
        !ctrl
            .list_secret_backends(false)
            .unwrap()
            .iter()
            .any(|b| b.name == renamed)
    );
    ctrl.close().unwrap();
}

#[test]
#[ignore = "needs a real controller: JUJU_TEST_CONTROLLER=NAME cargo test -- --ignored"]
fn real_controller_models_and_their_secret_backend() {
    let ctrl = controller();
    let models = ctrl.models().unwrap();
    let controller_model = models
        .iter()
        .find(|m| m.name == "controller")
        .expect("every controller has its controller model");
    assert!(!controller_model.uuid.is_empty());
    let model = ctrl.open_model(&controller_model.qualified_name()).unwrap();
    assert_eq!(model.uuid(), controller_model.uuid);
    model.ping().unwrap();
    let backend = model.secret_backend().unwrap();
    assert!(!backend.is_empty());
    model.close().unwrap();
}
