//! The `SecretBackends` facade (v1): add, list, update and remove the Vault or Kubernetes
//! stores where the controller keeps secret content.
//!
//! The four calls python-libjuju users know keep their names and argument order
//! ([`Controller::add_secret_backends`], [`Controller::list_secret_backends`],
//! [`Controller::update_secret_backends`], [`Controller::remove_secret_backends`]); the
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

use crate::Controller;
use crate::core::Effect;
use crate::error::{Error, ErrorCode};
use crate::params::{merge_results, one_result};
use checks::{Server, check_add, check_name, check_update, nanos};
pub(crate) use schema::{is_public_config_key, is_secret_config_key};
pub(crate) use wire::ListResults;
use wire::{AddArg, Args, ListArgs, RemoveArg, UpdateArg};

const FACADE: &str = "SecretBackends";

impl Controller {
    fn sb_version(&self) -> Result<u32, Error> {
        self.core.require_facade(FACADE)
    }

    /// Adds one secret backend, as python-libjuju's `add_secret_backends(id_, name,
    /// backend_type, config)`. An empty `id` lets the controller choose one.
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput`, code `not valid`, for an empty or reserved name (nothing sent);
    /// otherwise the controller's code and text (`already exists`, `not valid`, an
    /// unreachable vault's `backend not reachable: ...`; Juju 4's `secret backend ...`
    /// codes, see [`ErrorCode::generic`](crate::ErrorCode::generic));
    /// [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown) if the reply was
    /// lost.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// use juju_client::secretbackends::BackendConfig;
    /// let config: BackendConfig = [("endpoint", "https://vault:8200"), ("token", "s.root")].into();
    /// ctrl.add_secret_backends("", "myvault", "vault", config)?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "AddSecretBackend")]
    #[doc(alias = "AddSecretBackends")]
    pub fn add_secret_backends(
        &self,
        id: &str,
        name: &str,
        backend_type: &str,
        config: impl Into<BackendConfig>,
    ) -> Result<(), Error> {
        let add = AddSecretBackend::new(name, backend_type, config).id(id);
        one_result(self.add_secret_backends_batch(std::slice::from_ref(&add))?)
    }

    /// Adds many backends in one round trip. The outer `Err` is for the call as a whole
    /// (connection, permission); each item gets its own `Result`, in order. Items that fail
    /// the local checks are not sent.
    ///
    /// # Errors
    ///
    /// The outer `Err` only when nothing could be sent or the reply did not come
    /// (connection errors, kind `Protocol` for a reply with the wrong number of results);
    /// each item's own refusal is its `Result`, as for
    /// [`add_secret_backends`](Self::add_secret_backends).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// use juju_client::secretbackends::{AddSecretBackend, VaultConfig};
    /// let results = ctrl.add_secret_backends_batch(&[
    ///     AddSecretBackend::new("vault-a", "vault", VaultConfig::new("https://a:8200")),
    ///     AddSecretBackend::new("vault-b", "vault", VaultConfig::new("https://b:8200")),
    /// ])?;
    /// for r in results {
    ///     if let Err(e) = r { eprintln!("{e}"); }
    /// }
    /// # Ok(()) }
    /// ```
    #[doc(alias = "AddSecretBackends")]
    pub fn add_secret_backends_batch(
        &self,
        backends: &[AddSecretBackend],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let server = Server::of(self);
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

    /// Lists every backend, the controller's `internal` one included. With `reveal`, secret
    /// config values are included (needs controller `superuser`).
    ///
    /// # Errors
    ///
    /// `unauthorized access` for `reveal` without controller superuser; code `not
    /// supported` if the controller has no `SecretBackends`; and the connection errors of
    /// any call.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// for b in ctrl.list_secret_backends(false)? {
    ///     println!("{:<12} {:<10} {:>4} {}", b.name, b.backend_type, b.num_secrets, b.status);
    /// }
    /// # Ok(()) }
    /// ```
    #[doc(alias = "ListSecretBackends")]
    pub fn list_secret_backends(&self, reveal: bool) -> Result<Vec<SecretBackend>, Error> {
        self.list_inner(None, reveal)
    }

    /// Lists the backends with these names (unknown names are skipped; an empty list means
    /// every backend, as on the wire).
    ///
    /// # Errors
    ///
    /// As [`list_secret_backends`](Self::list_secret_backends); unknown names are not an
    /// error, they are left out.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let some = ctrl.list_secret_backends_named(["vault-a", "vault-b"], false)?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "ListSecretBackends")]
    pub fn list_secret_backends_named<I, S>(
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

    /// The backend named `name`. An unknown name is an `Err` worded, and coded, as the
    /// controller words an unknown name on update: `not found` from Juju 3.x, `secret backend
    /// not found` from 4.0 (match on [`ErrorCode::generic`] to handle both).
    ///
    /// # Errors
    ///
    /// Code `not found` (Juju 4: `secret backend not found`) for an unknown name; and those
    /// of [`list_secret_backends`](Self::list_secret_backends).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let b = ctrl.show_secret_backend("myvault", true)?;
    /// println!("{:?}", b.config);
    /// # Ok(()) }
    /// ```
    pub fn show_secret_backend(&self, name: &str, reveal: bool) -> Result<SecretBackend, Error> {
        let names = [name.to_string()];
        let found = self
            .list_inner(Some(&names), reveal)?
            .into_iter()
            .find(|b| b.name == name);
        match found {
            Some(SecretBackend { error: Some(e), .. }) => Err(e),
            Some(b) => Ok(b),
            None if self.core.server_major() >= Some(4) => Err(Error::api(
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
        let version = self.sb_version()?;
        let reply: ListResults = self.core.call(
            FACADE,
            version,
            "ListSecretBackends",
            &ListArgs { names, reveal },
            Effect::Read,
        )?;
        Ok(reply.into_backends())
    }

    /// Updates one backend, as python-libjuju's `update_secret_backends`, plus `reset`.
    ///
    /// # Errors
    ///
    /// As [`add_secret_backends`](Self::add_secret_backends), plus `not found` for an
    /// unknown name and, on Juju 3, `not valid` for renaming a backend in use.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// use juju_client::secretbackends::UpdateSecretBackend;
    /// ctrl.update_secret_backends("myvault", UpdateSecretBackend::new().name_change("vault-prod"))?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "UpdateSecretBackend")]
    #[doc(alias = "UpdateSecretBackends")]
    pub fn update_secret_backends(
        &self,
        name: &str,
        update: UpdateSecretBackend,
    ) -> Result<(), Error> {
        one_result(self.update_secret_backends_batch([(name, update)])?)
    }

    /// Updates many backends in one round trip; one `Result` per item, in order.
    ///
    /// # Errors
    ///
    /// As [`add_secret_backends_batch`](Self::add_secret_backends_batch).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// use juju_client::secretbackends::UpdateSecretBackend;
    /// let token = UpdateSecretBackend::new().config([("token", "s.new")]);
    /// let results = ctrl.update_secret_backends_batch([
    ///     ("vault-a", token.clone()),
    ///     ("vault-b", token),
    /// ])?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "UpdateSecretBackends")]
    pub fn update_secret_backends_batch<I, S>(
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

    /// Removes one backend, as python-libjuju's `remove_secret_backends(name, force)`.
    /// Without `force`, a backend that still stores secrets is refused (`not supported`).
    /// Removing a name that does not exist succeeds on Juju 3.x and is an error on 4.0
    /// (`secret backend not found`), as is removing a built-in backend even with `force`.
    ///
    /// # Errors
    ///
    /// Code `not supported` for a backend still holding secrets (without `force`) or a
    /// built-in one; on Juju 4, code `secret backend not found` for an unknown name (Juju 3
    /// removes nothing and succeeds);
    /// [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown) if the reply was
    /// lost.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// ctrl.remove_secret_backends("myvault", false)?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "RemoveSecretBackend")]
    #[doc(alias = "RemoveSecretBackends")]
    pub fn remove_secret_backends(&self, name: &str, force: bool) -> Result<(), Error> {
        one_result(self.remove_secret_backends_batch([name], force)?)
    }

    /// Removes many backends in one round trip; one `Result` per name, in order.
    ///
    /// # Errors
    ///
    /// As [`add_secret_backends_batch`](Self::add_secret_backends_batch).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let results = ctrl.remove_secret_backends_batch(["vault-a", "vault-b"], false)?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "RemoveSecretBackends")]
    pub fn remove_secret_backends_batch<I, S>(
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
            let version = self.sb_version()?;
            Some(
                self.core
                    .call(FACADE, version, method, &Args { args }, Effect::Change)?,
            )
        };
        merge_results(checks, reply, FACADE, method)
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
