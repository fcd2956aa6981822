//! The `ModelConfig` facade on a model connection: which secret backend the model uses.
//!
//! Juju 4 has `ModelConfig` v4 `GetModelSecretBackend` / `SetModelSecretBackend` (and no
//! longer a `secret-backend` config key); Juju 3 has v3 `ModelGet` / `ModelSet` of the
//! `secret-backend` key. The version both sides speak picks which.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Model;
use crate::core::Effect;
use crate::error::Error;
use crate::params::{ErrorResult, StringResult};

const FACADE: &str = "ModelConfig";
/// The model-config key of Juju 3 (`environs/config/config.go` `SecretBackendKey`).
const SECRET_BACKEND_KEY: &str = "secret-backend";

/// `params.ModelConfigResults`: every key with its value and where it came from.
#[derive(Deserialize)]
struct ModelConfigResults {
    #[serde(default)]
    config: BTreeMap<String, ConfigValue>,
}

#[derive(Deserialize)]
struct ConfigValue {
    #[serde(default)]
    value: Value,
}

#[derive(Serialize)]
struct ModelSet<'a> {
    config: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
struct SetModelSecretBackendArg<'a> {
    #[serde(rename = "secret-backend-name")]
    secret_backend_name: &'a str,
}

impl Model {
    /// The secret backend the model stores new secrets in: `auto` (the controller's
    /// `internal` store for IAAS models, the model's Kubernetes namespace for CAAS ones),
    /// `internal`, or the name of a backend added with
    /// [`add_secret_backends`](crate::Controller::add_secret_backends).
    ///
    /// Errors: `permission denied` (code `unauthorized access`) without read access to the
    /// model; on Juju 4, the controller's own errors (for example `model not found`).
    ///
    /// # Errors
    ///
    /// `unauthorized access` without read access to the model; on Juju 4, the controller's
    /// own errors (for example `model not found`); and the connection errors of any call.
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// println!("{} stores secrets in {}", model.name(), model.secret_backend()?);
    /// # Ok(()) }
    /// ```
    #[doc(alias = "GetModelSecretBackend")]
    #[doc(alias = "model_secret_backend")]
    pub fn secret_backend(&self) -> Result<String, Error> {
        let version = self.core.require_facade(FACADE)?;
        if version >= 4 {
            let r: StringResult =
                self.core
                    .call(FACADE, version, "GetModelSecretBackend", &(), Effect::Read)?;
            return r.into_result();
        }
        let config = self.model_get(version)?;
        match config.get(SECRET_BACKEND_KEY).map(|c| &c.value) {
            Some(Value::String(name)) => Ok(name.clone()),
            _ => Err(Error::protocol(format!(
                "{FACADE}.ModelGet: the model config has no {SECRET_BACKEND_KEY:?} key (Juju {})",
                self.server_version()
            ))),
        }
    }

    /// Makes the model store new secrets in the backend `name` (`auto`, `internal`, or an
    /// added backend's name), as `juju model-config secret-backend=NAME` (Juju 3) or
    /// `juju model-secret-backend NAME` (Juju 4) do. Secrets already stored stay where
    /// they are.
    ///
    /// The controller checks the name, and its answer comes back with its code and text:
    /// on Juju 3 an unknown backend is `secret backend "x" not found` (code `not found`), an
    /// unreachable one `cannot ping backend "x": ...`, an empty name
    /// `empty "secret-backend" config value not valid`; on Juju 4 an unknown backend is
    /// code `secret backend not found`, an empty name `missing backend name`. Without write
    /// access: `permission denied` (code `unauthorized access`).
    ///
    /// # Errors
    ///
    /// The controller's validation, with its code and text (see above); `unauthorized
    /// access` without write access; and the connection errors of any call
    /// ([`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown) if the reply was
    /// lost).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// ctrl.add_secret_backends("", "myvault", "vault", [("endpoint", "https://vault:8200")])?;
    /// let model = ctrl.model("default")?;
    /// model.set_secret_backend("myvault")?;
    /// assert_eq!(model.secret_backend()?, "myvault");
    /// # Ok(()) }
    /// ```
    #[doc(alias = "SetModelSecretBackend")]
    #[doc(alias = "set_config")]
    pub fn set_secret_backend(&self, name: &str) -> Result<(), Error> {
        let version = self.core.require_facade(FACADE)?;
        if version >= 4 {
            let r: ErrorResult = self.core.call(
                FACADE,
                version,
                "SetModelSecretBackend",
                &SetModelSecretBackendArg {
                    secret_backend_name: name,
                },
                Effect::Change,
            )?;
            return r.into_result();
        }
        let _: serde::de::IgnoredAny = self.core.call(
            FACADE,
            version,
            "ModelSet",
            &ModelSet {
                config: BTreeMap::from([(SECRET_BACKEND_KEY, name)]),
            },
            Effect::Change,
        )?;
        Ok(())
    }

    /// The model's name, from its config.
    pub(crate) fn config_name(&self) -> Result<String, Error> {
        let version = self.core.require_facade(FACADE)?;
        let config = self.model_get(version)?;
        match config.get("name").map(|c| &c.value) {
            Some(Value::String(name)) => Ok(name.clone()),
            _ => Err(Error::protocol(format!(
                "{FACADE}.ModelGet: the model config has no \"name\" key"
            ))),
        }
    }

    fn model_get(&self, version: u32) -> Result<BTreeMap<String, ConfigValue>, Error> {
        let r: ModelConfigResults =
            self.core
                .call(FACADE, version, "ModelGet", &(), Effect::Read)?;
        Ok(r.config)
    }
}
