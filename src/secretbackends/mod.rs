//! The `SecretBackends` facade (v1): add, list, update and remove the Vault or Kubernetes
//! stores where the controller keeps secret content.
//!
//! The four calls python-libjuju users know keep their names and argument order
//! ([`Controller::add_secret_backends`](crate::Controller::add_secret_backends), [`Controller::list_secret_backends`](crate::Controller::list_secret_backends),
//! [`Controller::update_secret_backends`](crate::Controller::update_secret_backends), [`Controller::remove_secret_backends`](crate::Controller::remove_secret_backends)); the
//! `_batch` forms send many items in one round trip and return one `Result` per item.
//! Only what a controller answers badly is refused before sending (empty and reserved
//! names); the controller is the authority on everything else, and whatever it refuses
//! comes back with its code and text, echoed config values redacted.
//!
//! The module is split by concern: [`types`](self) (what you build and get back), the
//! provider config schemas and the checks made before sending (`checks.rs`), and the wire
//! forms (`wire.rs`). Juju's shared bulk shapes live in `crate::params`.

mod checks;
mod schema;
mod types;
mod wire;

pub use crate::goduration::{format_go_duration, parse_go_duration};
pub use types::{
    AddSecretBackend, BackendConfig, BackendStatus, BackendType, KubernetesConfig, SecretBackend,
    UpdateSecretBackend, VaultConfig,
};

use serde::Serialize;

use crate::caller::{Caller, Effect, Facade, FacadeCaller, Serves};
use crate::error::{Error, ErrorCode};
use crate::params::{merge_results, one_result};
use crate::redact::{Redaction, Strings, scrub_echoed_values};
use checks::{Server, check_add, check_name, check_update, nanos};
pub(crate) use schema::is_public_config_key;
pub(crate) use wire::ListResults;
use wire::{AddArg, Args, ListArgs, RemoveArg, UpdateArg};

/// `SecretBackends` v1, on controller connections.
pub(crate) const FACADE: Facade = Facade {
    name: "SecretBackends",
    versions: &[1],
    serves: Serves::Controller,
    redaction: &REDACTION,
};

/// Derived from the config-key table (`schema.rs`): the secret keys wherever they appear,
/// and in a `config` object every value whose key the table does not call public (a
/// mistyped key often holds a token); config values the controller echoes in its errors
/// are scrubbed.
const REDACTION: Redaction = Redaction {
    keys: is_secret_key,
    paths: &[],
    config: Some(("config", is_public_config_key)),
    strings: Strings::Shown,
    scrub: scrub_echoed_values,
};

/// A backend's secret config keys, and login credentials (a generic bulk shape may carry
/// them).
fn is_secret_key(key: &str) -> bool {
    schema::is_secret_config_key(key) || crate::redact::is_credential_key(key)
}

/// The `SecretBackends` client (Go's `api/client/secretbackends`), on anything that calls.
pub(crate) struct Client<'a, C: ?Sized>(FacadeCaller<'a, C>);

impl<'a, C: Caller + ?Sized> Client<'a, C> {
    pub(crate) fn new(caller: &'a C) -> Self {
        Client(FacadeCaller::new(caller, &FACADE))
    }
}

impl<C: Caller + ?Sized> Client<'_, C> {
    pub(crate) fn add_secret_backends(
        &self,
        id: &str,
        name: &str,
        backend_type: &str,
        config: impl Into<BackendConfig>,
    ) -> Result<(), Error> {
        let add = AddSecretBackend::new(name, backend_type, config).id(id);
        one_result(self.add_secret_backends_batch(std::slice::from_ref(&add))?)
    }

    pub(crate) fn add_secret_backends_batch(
        &self,
        backends: &[AddSecretBackend],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let server = Server::of(self.0.server_major());
        let checks: Vec<_> = backends.iter().map(|a| check_add(a, server)).collect();
        let args: Vec<AddArg> = backends
            .iter()
            .zip(&checks)
            .filter(|(_, c)| c.is_ok())
            .map(|(a, _)| AddArg {
                id: a.id.as_deref(),
                name: &a.name,
                backend_type: &a.backend_type,
                token_rotate_interval: a.token_rotate_interval.map(nanos),
                config: &a.config,
            })
            .collect();
        self.send_batch("AddSecretBackends", checks, args)
    }

    pub(crate) fn list_secret_backends(&self, reveal: bool) -> Result<Vec<SecretBackend>, Error> {
        self.list_inner(None, reveal)
    }

    pub(crate) fn list_secret_backends_named<I, S>(
        &self,
        names: I,
        reveal: bool,
    ) -> Result<Vec<SecretBackend>, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        self.list_inner(Some(&names), reveal)
    }

    pub(crate) fn show_secret_backend(
        &self,
        name: &str,
        reveal: bool,
    ) -> Result<SecretBackend, Error> {
        let names = [name.to_string()];
        let found = self
            .list_inner(Some(&names), reveal)?
            .into_iter()
            .find(|b| b.name == name);
        match found {
            Some(SecretBackend { error: Some(e), .. }) => Err(e),
            Some(b) => Ok(b),
            None if self.0.server_major() >= Some(4) => Err(Error::api(
                format!("secret backend not found: {name:?}"),
                Some(ErrorCode::SecretBackendNotFound),
                None,
            )),
            None => Err(Error::api(
                format!("secret backend {name:?} not found"),
                Some(ErrorCode::NotFound),
                None,
            )),
        }
    }

    fn list_inner(
        &self,
        names: Option<&[String]>,
        reveal: bool,
    ) -> Result<Vec<SecretBackend>, Error> {
        let reply: ListResults = self.0.call(
            "ListSecretBackends",
            &ListArgs { names, reveal },
            Effect::Read,
        )?;
        Ok(reply.into_backends(&REDACTION))
    }

    pub(crate) fn update_secret_backends(
        &self,
        name: &str,
        update: UpdateSecretBackend,
    ) -> Result<(), Error> {
        one_result(self.update_secret_backends_batch([(name, update)])?)
    }

    pub(crate) fn update_secret_backends_batch<I, S>(
        &self,
        updates: I,
    ) -> Result<Vec<Result<(), Error>>, Error>
    where
        I: IntoIterator<Item = (S, UpdateSecretBackend)>,
        S: Into<String>,
    {
        let updates: Vec<(String, UpdateSecretBackend)> =
            updates.into_iter().map(|(n, u)| (n.into(), u)).collect();
        let checks: Vec<_> = updates.iter().map(|(n, u)| check_update(n, u)).collect();
        let args: Vec<UpdateArg> = updates
            .iter()
            .zip(&checks)
            .filter(|(_, c)| c.is_ok())
            .map(|((name, u), _)| UpdateArg {
                name,
                name_change: u.name_change.as_deref(),
                token_rotate_interval: u.token_rotate_interval.map(|i| i.map_or(0, nanos)),
                config: u.config.as_ref(),
                reset: (!u.reset.is_empty()).then_some(u.reset.as_slice()),
                force: u.force,
            })
            .collect();
        self.send_batch("UpdateSecretBackends", checks, args)
    }

    pub(crate) fn remove_secret_backends(&self, name: &str, force: bool) -> Result<(), Error> {
        one_result(self.remove_secret_backends_batch([name], force)?)
    }

    pub(crate) fn remove_secret_backends_batch<I, S>(
        &self,
        names: I,
        force: bool,
    ) -> Result<Vec<Result<(), Error>>, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        let checks: Vec<_> = names
            .iter()
            .map(|n| check_name(n, "secret backend name"))
            .collect();
        let args: Vec<RemoveArg> = names
            .iter()
            .zip(&checks)
            .filter(|(_, c)| c.is_ok())
            .map(|(name, _)| RemoveArg { name, force })
            .collect();
        self.send_batch("RemoveSecretBackends", checks, args)
    }

    fn send_batch<T: Serialize>(
        &self,
        method: &str,
        checks: Vec<Result<(), Error>>,
        args: Vec<T>,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let reply = if args.is_empty() {
            None
        } else {
            Some(self.0.call(method, &Args { args }, Effect::Change)?)
        };
        merge_results(checks, reply, &FACADE, method)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::Value;

    use super::*;

    #[test]
    fn update_wire_form_distinguishes_unchanged_cleared_and_set() {
        let enc = |u: &UpdateSecretBackend| {
            serde_json::to_value(UpdateArg {
                name: "v",
                name_change: u.name_change.as_deref(),
                token_rotate_interval: u.token_rotate_interval.map(|i| i.map_or(0, nanos)),
                config: u.config.as_ref(),
                reset: (!u.reset.is_empty()).then_some(u.reset.as_slice()),
                force: u.force,
            })
            .unwrap()
        };
        let unchanged = enc(&UpdateSecretBackend::new());
        assert_eq!(unchanged["token-rotate-interval"], Value::Null);
        assert!(unchanged.get("force").is_none());
        assert!(unchanged.get("name-change").is_none());
        let cleared = enc(&UpdateSecretBackend::new().clear_token_rotate_interval());
        assert_eq!(cleared["token-rotate-interval"], 0);
        let set =
            enc(&UpdateSecretBackend::new().token_rotate_interval(Duration::from_secs(12000)));
        assert_eq!(set["token-rotate-interval"], 12_000_000_000_000u64);
    }
}
