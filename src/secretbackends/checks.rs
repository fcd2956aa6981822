//! The checks made before sending: provider config schemas (vault, kubernetes) and the
//! controller's name and rotation rules, so mistakes get a clear message without a round trip.

use std::time::Duration;

use serde_json::Value;

use super::schema::{FieldKind, KUBERNETES_SCHEMA, VAULT_SCHEMA};
use super::types::{AddSecretBackend, BackendConfig, UpdateSecretBackend};
use crate::error::{Error, ErrorCode};
use crate::goduration::format_go_duration;
use crate::Controller;

pub(super) const MIN_ROTATE: Duration = Duration::from_secs(3600);
pub(super) const RESERVED_NAMES: &[&str] = &["internal", "auto"];

pub(super) fn not_valid(msg: String) -> Error {
    Error::invalid(msg).with_code(ErrorCode::NotValid)
}

pub(super) fn check_name(name: &str, what: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(not_valid(format!("{what} must not be empty")));
    }
    if RESERVED_NAMES.contains(&name) {
        return Err(not_valid(format!(
            "{what} {name:?} is reserved (internal and auto name the controller's own stores)"
        )));
    }
    Ok(())
}

pub(super) fn check_rotate(interval: Duration) -> Result<(), Error> {
    if !interval.is_zero() && interval < MIN_ROTATE {
        return Err(not_valid(format!(
            "token rotate interval {} is less than 1h",
            format_go_duration(interval)
        )));
    }
    if interval.as_nanos() > i64::MAX as u128 {
        return Err(not_valid(format!(
            "token rotate interval {} is too long",
            format_go_duration(interval)
        )));
    }
    Ok(())
}

/// Checks a vault or kubernetes config against the provider's schema; other types pass.
pub(super) fn check_config(
    backend_type: &str,
    config: &BackendConfig,
    rotate: Option<Duration>,
) -> Result<(), Error> {
    let (schema, label) = match backend_type {
        "vault" => (VAULT_SCHEMA, "vault"),
        "kubernetes" => (KUBERNETES_SCHEMA, "k8s"),
        _ => return Ok(()),
    };
    let bad = |detail: String| {
        not_valid(format!(
            "invalid config for {backend_type} backend: {detail}"
        ))
    };
    for key in config.keys() {
        if !schema.iter().any(|f| f.key == key) {
            let known: Vec<&str> = schema.iter().map(|f| f.key).collect();
            // Never echo the value: it may be a mistyped secret.
            return Err(bad(format!(
                "unknown key {key:?} (known keys: {})",
                known.join(", ")
            )));
        }
    }
    for f in schema {
        match config.get(f.key) {
            None | Some(Value::Null) if f.required => {
                return Err(bad(format!("{:?} is required", f.key)))
            }
            None | Some(Value::Null) => {}
            Some(v) => {
                let ok = match f.kind {
                    FieldKind::Str => v.is_string(),
                    FieldKind::Bool => {
                        v.is_boolean() || matches!(v.as_str(), Some("true" | "false"))
                    }
                    FieldKind::StrList => {
                        v.is_string()
                            || v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
                    }
                };
                if !ok {
                    let want = match f.kind {
                        FieldKind::Str => "a string",
                        FieldKind::Bool => "a boolean",
                        FieldKind::StrList => "a list of strings",
                    };
                    return Err(bad(format!("{:?} must be {want}", f.key)));
                }
                if f.required && v.as_str() == Some("") {
                    return Err(bad(format!("{:?} must not be empty", f.key)));
                }
            }
        }
    }
    match (
        config.contains_key("client-cert"),
        config.contains_key("client-key"),
    ) {
        (true, false) => return Err(bad(format!("{label} config missing client key"))),
        (false, true) => return Err(bad(format!("{label} config missing client certificate"))),
        _ => {}
    }
    if backend_type == "kubernetes" && rotate.is_some() && !config.contains_key("service-account") {
        return Err(bad(
            "k8s config missing service account (required with a token rotate interval)".into(),
        ));
    }
    Ok(())
}

/// What the SDK checks depends on the controller, so that it never refuses what the
/// controller accepts.
#[derive(Clone, Copy)]
pub(super) struct Server {
    /// Juju 3.x refuses a zero rotate interval on add; 4.0 stores it.
    pub(super) refuses_zero_rotate_on_add: bool,
}

impl Server {
    pub(super) fn of(ctrl: &Controller) -> Server {
        Server {
            // An unknown version: let the controller answer.
            refuses_zero_rotate_on_add: ctrl.core.server_major().is_some_and(|m| m < 4),
        }
    }
}

pub(super) fn check_add(a: &AddSecretBackend, server: Server) -> Result<(), Error> {
    check_name(&a.name, "secret backend name")?;
    if a.backend_type.is_empty() {
        return Err(not_valid("secret backend type must not be empty".into()));
    }
    if let Some(i) = a.token_rotate_interval {
        if i.is_zero() && server.refuses_zero_rotate_on_add {
            return Err(not_valid(
                "token rotate interval cannot be 0 when adding a backend (leave it unset for no rotation)"
                    .into(),
            ));
        }
        check_rotate(i)?;
    }
    check_config(&a.backend_type, &a.config, a.token_rotate_interval)
}

pub(super) fn check_update(name: &str, u: &UpdateSecretBackend) -> Result<(), Error> {
    check_name(name, "secret backend name")?;
    if let Some(new) = &u.name_change {
        check_name(new, "new secret backend name")?;
    }
    if let Some(Some(i)) = u.token_rotate_interval {
        check_rotate(i)?;
    }
    Ok(())
}

pub(super) fn nanos(d: Duration) -> u64 {
    d.as_nanos() as u64
}
