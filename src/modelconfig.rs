//! The `ModelConfig` facade on a model connection: which secret backend the model uses.
//!
//! Juju 4 has `ModelConfig` v4 `GetModelSecretBackend` / `SetModelSecretBackend` (and no
//! longer a `secret-backend` config key); Juju 3 has v3 `ModelGet` / `ModelSet` of the
//! `secret-backend` key. The version both sides speak picks which.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::caller::{Caller, Effect, Facade, FacadeCaller, Serves};
use crate::error::Error;
use crate::params::{ErrorResult, StringResult};
use crate::redact::{Redaction, Strings, is_credential_key};

/// `ModelConfig` v3 (Juju 3) and v4 (Juju 4), on model connections. (Juju serves it on a
/// controller connection too, for the controller model: this client does not use it
/// there.)
pub(crate) const FACADE: Facade = Facade {
    name: "ModelConfig",
    versions: &[3, 4],
    serves: Serves::Model,
    redaction: &REDACTION,
};

/// A model's config may hold credentials (proxy URLs with passwords, cloud attributes):
/// only the values of keys known to be harmless are shown.
const REDACTION: Redaction = Redaction {
    keys: is_credential_key,
    paths: &[],
    config: Some(("config", is_shown_config_key)),
    strings: Strings::Shown,
    scrub: crate::redact::scrub_echoed_values,
};

fn is_shown_config_key(key: &str) -> bool {
    ["name", "uuid", "type", SECRET_BACKEND_KEY, "agent-version"].contains(&key)
}

/// The `ModelConfig` client (Go's `api/client/modelconfig`), on anything that calls.
pub(crate) struct Client<'a, C: ?Sized>(FacadeCaller<'a, C>);

impl<'a, C: Caller + ?Sized> Client<'a, C> {
    pub(crate) fn new(caller: &'a C) -> Self {
        Client(FacadeCaller::new(caller, &FACADE))
    }
}
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

impl<C: Caller + ?Sized> Client<'_, C> {
    pub(crate) fn secret_backend(&self) -> Result<String, Error> {
        let version = self.0.version()?;
        if version >= 4 {
            let r: StringResult =
                self.0
                    .call_at(version, "GetModelSecretBackend", &(), Effect::Read)?;
            return r.into_result(&REDACTION);
        }
        let config = self.model_get(version)?;
        match config.get(SECRET_BACKEND_KEY).map(|c| &c.value) {
            Some(Value::String(name)) => Ok(name.clone()),
            _ => Err(Error::protocol(format!(
                "{}.ModelGet: the model config has no {SECRET_BACKEND_KEY:?} key (Juju {})",
                self.0.name(),
                self.0.server_version()
            ))),
        }
    }

    pub(crate) fn set_secret_backend(&self, name: &str) -> Result<(), Error> {
        let version = self.0.version()?;
        if version >= 4 {
            let r: ErrorResult = self.0.call_at(
                version,
                "SetModelSecretBackend",
                &SetModelSecretBackendArg {
                    secret_backend_name: name,
                },
                Effect::Change,
            )?;
            return r.into_result(&REDACTION);
        }
        let _: serde::de::IgnoredAny = self.0.call_at(
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
        let version = self.0.version()?;
        let config = self.model_get(version)?;
        match config.get("name").map(|c| &c.value) {
            Some(Value::String(name)) => Ok(name.clone()),
            _ => Err(Error::protocol(format!(
                "{}.ModelGet: the model config has no \"name\" key",
                self.0.name()
            ))),
        }
    }

    fn model_get(&self, version: u32) -> Result<BTreeMap<String, ConfigValue>, Error> {
        let r: ModelConfigResults = self.0.call_at(version, "ModelGet", &(), Effect::Read)?;
        Ok(r.config)
    }
}
