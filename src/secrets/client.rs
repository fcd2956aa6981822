//! The `Secrets` client (Go's `api/client/secrets`), on anything that calls: the calls
//! behind [`Model`](crate::Model)'s user-secret methods, and the checks made before sending.
//!
//! Only what cannot go stale is refused here, each for a reason the controller's answer
//! would not serve: content that is empty (Juju always refuses it, and Juju 3.6 turns one
//! bad create item into a whole-call panic that fails the items beside it), an update that
//! changes nothing (refused by every Juju; 3.6 may panic the same way), an empty id (sent
//! as an empty name it would match whichever secret has none), revision 0 (revisions start
//! at 1; the CLI takes 0 as "no revision", which for a removal means the whole secret) and
//! an empty list of revisions to remove (on the wire: the whole secret). Everything else
//! is the controller's to judge, and comes back with its code and text.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::content::SecretContent;
use super::types::{
    AddSecret, RemoveSecret, Secret, SecretFilter, SecretOwner, UpdateSecret, sort_like_cli,
};
use super::uri::{SecretRef, SecretUri};
use super::wire::{
    CreateSecretArg, CreateSecretArgs, CreateSecretResults, DeleteSecretArg, DeleteSecretArgs,
    GrantRevokeUserSecretArg, ListSecretResults, ListSecretsArgs, SecretsFilter,
    UpdateUserSecretArg, UpdateUserSecretArgs,
};
use super::{FACADE, REDACTION};
use crate::caller::{Caller, Effect, FacadeCaller};
use crate::error::{Error, ErrorCode};
use crate::params::{ErrorResults, merge_results};

/// The `Secrets` client, on anything that calls.
pub(crate) struct Client<'a, C: ?Sized>(FacadeCaller<'a, C>);

impl<'a, C: Caller + ?Sized> Client<'a, C> {
    pub(crate) fn new(caller: &'a C) -> Self {
        Client(FacadeCaller::new(caller, &FACADE))
    }
}

fn not_valid(message: &str) -> Error {
    Error::invalid(message).with_code(ErrorCode::NotValid)
}

/// The CLI's text for a revision that is not a positive number.
fn check_revision(revision: u32) -> Result<(), Error> {
    if revision == 0 {
        return Err(not_valid("revision must be a positive integer"));
    }
    Ok(())
}

fn check_add(add: &AddSecret) -> Result<(), Error> {
    if add.get_content().is_empty() {
        // Juju's own text and code (both versions).
        return Err(not_valid("empty secret value not valid"));
    }
    Ok(())
}

fn check_update(id: &str, update: &UpdateSecret) -> Result<SecretRef, Error> {
    let target = SecretRef::from_id(id)?;
    if update.is_empty() {
        // Juju's own text; it sends no code.
        return Err(Error::invalid(
            "at least one attribute to update must be specified",
        ));
    }
    Ok(target)
}

fn check_remove(removal: &RemoveSecret) -> Result<DeleteSecretArg, Error> {
    let target = SecretRef::from_id(removal.get_id())?;
    let revisions = match removal.get_revisions() {
        None => &[][..],
        Some([]) => {
            return Err(not_valid(
                "no revisions to remove given (an empty list would remove the whole secret)",
            ));
        }
        Some(revisions) => revisions,
    };
    revisions.iter().try_for_each(|&r| check_revision(r))?;
    Ok(DeleteSecretArg::new(&target, revisions))
}

/// The one outcome of a batch of one.
fn one<T>(mut results: Vec<Result<T, Error>>) -> Result<T, Error> {
    results
        .pop()
        .unwrap_or_else(|| Err(Error::protocol("no result for the one item sent")))
}

/// An owner filter naming the model (its user secrets): `<model>` or a model tag. Juju 4.0
/// refuses it, so it is applied here rather than sent.
fn is_model_owner(owner: &str) -> bool {
    owner == "<model>" || SecretOwner::from_tag(owner) == SecretOwner::Model
}

fn owned_by(secret: &Secret, owner: &str) -> bool {
    if owner == "<model>" {
        secret.is_user_secret()
    } else {
        secret.owner == owner
    }
}

/// The secret a `show` asked for among what the controller listed: the one with its URI,
/// or the one with its name (a user secret first: a charm secret may carry the same label,
/// and the other calls address user secrets only).
fn pick(secrets: Vec<Secret>, target: &SecretRef) -> Option<Secret> {
    match target {
        SecretRef::Uri(uri) => secrets.into_iter().find(|s| s.uri.id() == uri.id()),
        SecretRef::Name(name) => {
            let mut named: Vec<Secret> = secrets
                .into_iter()
                .filter(|s| s.name.as_deref() == Some(name.as_str()))
                .collect();
            let at = named.iter().position(Secret::is_user_secret).unwrap_or(0);
            (at < named.len()).then(|| named.swap_remove(at))
        }
    }
}

impl<C: Caller + ?Sized> Client<'_, C> {
    /// Version 2, or `not supported` before anything is sent: the controller offers only
    /// version 1 (Juju before 3.3) or no `Secrets` at all.
    fn version(&self) -> Result<u32, Error> {
        self.0.version().map_err(|e| {
            if e.code() == Some(ErrorCode::NotSupported) {
                e.context("user secrets need the Secrets facade v2 (Juju 3.3 or later)")
            } else {
                e
            }
        })
    }

    fn call<P, R>(&self, version: u32, method: &str, params: &P, effect: Effect) -> Result<R, Error>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        self.0.call_at(version, method, params, effect)
    }

    /// Sends a batch (nothing when every item was refused locally) and pairs its results
    /// with the local checks.
    fn send_batch<P: Serialize>(
        &self,
        version: u32,
        method: &str,
        checks: Vec<Result<(), Error>>,
        params: Option<P>,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let reply: Option<ErrorResults> = match params {
            Some(p) => Some(self.call(version, method, &p, Effect::Change)?),
            None => None,
        };
        merge_results(checks, reply, &FACADE, method)
    }

    pub(crate) fn add_secret(
        &self,
        name: &str,
        content: SecretContent,
        info: Option<&str>,
    ) -> Result<SecretUri, Error> {
        let mut add = AddSecret::new(name, content);
        if let Some(info) = info {
            add = add.info(info);
        }
        one(self.add_secrets(std::slice::from_ref(&add))?)
    }

    pub(crate) fn add_secrets(
        &self,
        secrets: &[AddSecret],
    ) -> Result<Vec<Result<SecretUri, Error>>, Error> {
        let version = self.version()?;
        let checks: Vec<Result<(), Error>> = secrets.iter().map(check_add).collect();
        let args: Vec<CreateSecretArg> = secrets
            .iter()
            .zip(&checks)
            .filter(|(_, c)| c.is_ok())
            .map(|(s, _)| CreateSecretArg::new(s.get_name(), s.get_content(), s.get_info()))
            .collect();
        let reply = if args.is_empty() {
            CreateSecretResults::default()
        } else {
            self.call(
                version,
                "CreateSecrets",
                &CreateSecretArgs { args },
                Effect::Change,
            )?
        };
        reply.merge(checks)
    }

    pub(crate) fn list_secrets(
        &self,
        filter: &SecretFilter,
        reveal: bool,
    ) -> Result<Vec<Secret>, Error> {
        let version = self.version()?;
        let mut wire = SecretsFilter::from(filter);
        let model_owner = wire.owner_tag.take_if(|o| is_model_owner(o));
        let reply: ListSecretResults = self.call(
            version,
            "ListSecrets",
            &ListSecretsArgs::new(wire, reveal),
            Effect::Read,
        )?;
        let mut secrets = reply.into_secrets()?;
        if let Some(owner) = model_owner {
            secrets.retain(|s| owned_by(s, &owner));
        }
        sort_like_cli(&mut secrets);
        Ok(secrets)
    }

    pub(crate) fn show_secret(
        &self,
        id: &str,
        revision: Option<u32>,
        reveal: bool,
    ) -> Result<Secret, Error> {
        let version = self.version()?;
        let target = SecretRef::from_id(id)?;
        revision.map_or(Ok(()), check_revision)?;
        let filter = SecretsFilter::for_secret(&target, revision);
        let reply: ListSecretResults = self.call(
            version,
            "ListSecrets",
            &ListSecretsArgs::new(filter, reveal),
            Effect::Read,
        )?;
        match pick(reply.into_secrets()?, &target) {
            // Juju 3.6 lists nothing for an unknown URI or name (4.0 fails the call with
            // `secret not found`): the CLI's error, with the generic code.
            None => Err(Error::api(
                format!("secret {id:?} not found"),
                Some(ErrorCode::NotFound),
                None,
            )
            .redacted_by(&REDACTION)),
            Some(Secret { error: Some(e), .. }) => Err(e),
            Some(secret) => Ok(secret),
        }
    }

    pub(crate) fn update_secret(&self, id: &str, update: UpdateSecret) -> Result<(), Error> {
        one(self.update_secrets([(id, update)])?)
    }

    pub(crate) fn update_secrets<I, S>(&self, updates: I) -> Result<Vec<Result<(), Error>>, Error>
    where
        I: IntoIterator<Item = (S, UpdateSecret)>,
        S: AsRef<str>,
    {
        let version = self.version()?;
        let (mut checks, mut args) = (Vec::new(), Vec::new());
        for (id, update) in updates {
            match check_update(id.as_ref(), &update) {
                Ok(target) => {
                    args.push(UpdateUserSecretArg::new(&target, &update));
                    checks.push(Ok(()));
                }
                Err(e) => checks.push(Err(e)),
            }
        }
        let params = (!args.is_empty()).then_some(UpdateUserSecretArgs { args });
        self.send_batch(version, "UpdateSecrets", checks, params)
    }

    pub(crate) fn remove_secret(&self, id: &str, revision: Option<u32>) -> Result<(), Error> {
        let removal = RemoveSecret::new(id);
        let removal = match revision {
            Some(r) => removal.revisions(&[r]),
            None => removal,
        };
        one(self.remove_secrets(std::slice::from_ref(&removal))?)
    }

    pub(crate) fn remove_secret_revisions(&self, id: &str, revisions: &[u32]) -> Result<(), Error> {
        let removal = RemoveSecret::new(id).revisions(revisions);
        one(self.remove_secrets(std::slice::from_ref(&removal))?)
    }

    pub(crate) fn remove_secrets(
        &self,
        removals: &[RemoveSecret],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let version = self.version()?;
        let (mut checks, mut args) = (Vec::new(), Vec::new());
        for removal in removals {
            match check_remove(removal) {
                Ok(arg) => {
                    args.push(arg);
                    checks.push(Ok(()));
                }
                Err(e) => checks.push(Err(e)),
            }
        }
        let params = (!args.is_empty()).then_some(DeleteSecretArgs { args });
        self.send_batch(version, "RemoveSecrets", checks, params)
    }

    pub(crate) fn grant_secret(
        &self,
        id: &str,
        apps: &[&str],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        self.grant_or_revoke("GrantSecret", id, apps)
    }

    pub(crate) fn revoke_secret(
        &self,
        id: &str,
        apps: &[&str],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        self.grant_or_revoke("RevokeSecret", id, apps)
    }

    /// `GrantSecret` or `RevokeSecret`: one secret, one result per application, in order
    /// (nothing is sent for no application).
    fn grant_or_revoke(
        &self,
        method: &str,
        id: &str,
        apps: &[&str],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let version = self.version()?;
        let target = SecretRef::from_id(id)?;
        let checks = apps.iter().map(|_| Ok(())).collect();
        let params = (!apps.is_empty()).then(|| GrantRevokeUserSecretArg::new(&target, apps));
        self.send_batch(version, method, checks, params)
    }
}
