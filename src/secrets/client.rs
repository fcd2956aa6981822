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
            // `secret not found` for a URI): the CLI's error, with the generic code, naming
            // the revision asked for (which may be all that is missing).
            None => {
                let message = match revision {
                    None => format!("secret {id:?} not found"),
                    Some(r) => format!("secret {id:?} revision {r} not found"),
                };
                Err(Error::api(message, Some(ErrorCode::NotFound), None).redacted_by(&REDACTION))
            }
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

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::VecDeque;

    use serde_json::{Value, json};

    use super::*;
    use crate::caller::Facade;
    use crate::error::ErrorKind;

    const ID: &str = "d0n4kq9mp25c7f0cv3og";
    const ID2: &str = "cs8o5f1mp25c7f0cv3o0";
    const MODEL: &str = "model-0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b";

    /// A controller offering `Secrets` at `offered`, answering each call with the next
    /// canned reply, and recording what was sent.
    struct Fake {
        offered: Vec<u32>,
        replies: RefCell<VecDeque<Result<Value, Error>>>,
        sent: RefCell<Vec<(String, Value, Effect)>>,
    }

    impl Fake {
        fn new(replies: impl IntoIterator<Item = Value>) -> Fake {
            Fake {
                offered: vec![1, 2],
                replies: RefCell::new(replies.into_iter().map(Ok).collect()),
                sent: RefCell::new(Vec::new()),
            }
        }

        fn failing(e: Error) -> Fake {
            let fake = Fake::new([]);
            fake.replies.borrow_mut().push_back(Err(e));
            fake
        }

        fn sent(&self) -> Vec<(String, Value, Effect)> {
            self.sent.borrow().clone()
        }

        fn client(&self) -> Client<'_, Fake> {
            Client::new(self)
        }
    }

    impl Caller for Fake {
        fn facade_version(&self, facade: &Facade) -> Result<u32, Error> {
            assert_eq!(facade.name, "Secrets");
            facade
                .versions
                .iter()
                .copied()
                .filter(|v| self.offered.contains(v))
                .max()
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::Api,
                        format!(
                            "facade \"Secrets\": the controller offers versions {:?}, this \
                             client speaks {:?}",
                            self.offered, facade.versions
                        ),
                    )
                    .with_code(ErrorCode::NotSupported)
                })
        }

        fn facade_call<P, R>(
            &self,
            facade: &Facade,
            version: u32,
            method: &str,
            params: &P,
            effect: Effect,
        ) -> Result<R, Error>
        where
            P: Serialize + ?Sized,
            R: DeserializeOwned,
        {
            assert_eq!((facade.name, version), ("Secrets", 2));
            let params = serde_json::to_value(params).unwrap();
            self.sent
                .borrow_mut()
                .push((method.to_string(), params, effect));
            let reply = self
                .replies
                .borrow_mut()
                .pop_front()
                .expect("a reply for every call")?;
            Ok(serde_json::from_value(reply).unwrap())
        }

        fn server_version(&self) -> String {
            "3.6.26".to_string()
        }
    }

    fn content() -> SecretContent {
        SecretContent::from_pairs([("password", "s3cret")]).unwrap()
    }

    fn listed(id: &str, owner: &str, label: &str, latest: u32) -> Value {
        json!({"uri": format!("secret:{id}"), "owner-tag": owner, "label": label,
               "latest-revision": latest, "revisions": [{"revision": latest}]})
    }

    #[test]
    fn only_v1_is_not_supported_and_nothing_is_sent() {
        let fake = Fake {
            offered: vec![1],
            ..Fake::new([])
        };
        let c = fake.client();
        let errors = [
            c.add_secret("db", content(), None).unwrap_err(),
            c.list_secrets(&SecretFilter::new(), false).unwrap_err(),
            c.show_secret("db", None, true).unwrap_err(),
            c.update_secret("db", UpdateSecret::new().info("x"))
                .unwrap_err(),
            c.remove_secret("db", None).unwrap_err(),
            c.grant_secret("db", &["mysql"]).unwrap_err(),
            c.revoke_secret("db", &["mysql"]).unwrap_err(),
            c.add_secrets(&[]).unwrap_err(),
        ];
        for e in errors {
            assert_eq!(e.code(), Some(ErrorCode::NotSupported), "{e}");
            assert_eq!(
                e.message(),
                "user secrets need the Secrets facade v2 (Juju 3.3 or later): facade \
                 \"Secrets\": the controller offers versions [1], this client speaks [2]"
            );
        }
        assert!(fake.sent().is_empty());
    }

    #[test]
    fn add_batch_refuses_empty_content_in_place_and_sends_the_rest() {
        let fake = Fake::new([json!({"results": [
            {"result": format!("secret:{ID}")},
            {"result": "", "error": {"message": "secret with name \"api\" already exists",
                                     "code": "already exists"}}]})]);
        let results = fake
            .client()
            .add_secrets(&[
                AddSecret::new("db", content()).info("db creds"),
                AddSecret::new("empty", SecretContent::new()),
                AddSecret::new("api", content()),
            ])
            .unwrap();
        assert_eq!(results[0].as_ref().unwrap().id(), ID);
        let e = results[1].as_ref().unwrap_err();
        assert_eq!(
            (e.kind(), e.code(), e.message()),
            (
                ErrorKind::InvalidInput,
                Some(ErrorCode::NotValid),
                "empty secret value not valid"
            )
        );
        assert_eq!(
            results[2].as_ref().unwrap_err().code(),
            Some(ErrorCode::AlreadyExists)
        );
        let sent = fake.sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(
            (sent[0].0.as_str(), &sent[0].1, sent[0].2),
            (
                "CreateSecrets",
                &json!({"args": [
                    {"content": {"data": {"password": "czNjcmV0"}}, "label": "db",
                     "description": "db creds", "owner-tag": ""},
                    {"content": {"data": {"password": "czNjcmV0"}}, "label": "api",
                     "owner-tag": ""}]}),
                Effect::Change
            )
        );
        // Nothing valid: nothing sent, one error.
        let fake = Fake::new([]);
        let e = fake
            .client()
            .add_secret("db", SecretContent::new(), Some("x"))
            .unwrap_err();
        assert_eq!(e.message(), "empty secret value not valid");
        assert!(fake.sent().is_empty());
    }

    #[test]
    fn list_sorts_like_the_cli_and_filters_a_model_owner_here() {
        let reply = json!({"results": [
            listed(ID2, "application-mysql", "charm", 5),
            listed(ID, MODEL, "db", 1),
            listed("c0n4kq9mp25c7f0cv3o0", MODEL, "api", 3)]});
        let fake = Fake::new([reply.clone(), reply.clone(), reply.clone(), reply]);
        let c = fake.client();
        let ids = |secrets: Vec<Secret>| -> Vec<String> {
            secrets.iter().map(|s| s.uri.id().to_string()).collect()
        };
        let all = c.list_secrets(&SecretFilter::new(), false).unwrap();
        assert_eq!(ids(all), ["c0n4kq9mp25c7f0cv3o0", ID, ID2]);
        let mine = c
            .list_secrets(&SecretFilter::new().owner("<model>"), true)
            .unwrap();
        assert_eq!(ids(mine), ["c0n4kq9mp25c7f0cv3o0", ID]);
        let other_model = "model-11111111-2222-4333-8444-555555555555";
        let none = c
            .list_secrets(&SecretFilter::new().owner(other_model), false)
            .unwrap();
        assert!(none.is_empty());
        let this_model = c
            .list_secrets(&SecretFilter::new().owner(MODEL).name("db"), false)
            .unwrap();
        assert_eq!(ids(this_model), ["c0n4kq9mp25c7f0cv3o0", ID]);
        let sent: Vec<Value> = fake.sent().into_iter().map(|s| s.1).collect();
        assert_eq!(
            sent,
            [
                json!({"show-secrets": false, "filter": {}}),
                json!({"show-secrets": true, "filter": {}}),
                json!({"show-secrets": false, "filter": {}}),
                json!({"show-secrets": false, "filter": {"label": "db"}}),
            ]
        );
        assert!(fake.sent().iter().all(|s| s.2 == Effect::Read));
        // An application owner is the controller's to apply.
        let fake = Fake::new([json!({"results": []})]);
        fake.client()
            .list_secrets(&SecretFilter::new().owner("application-mysql"), false)
            .unwrap();
        assert_eq!(
            fake.sent()[0].1,
            json!({"show-secrets": false, "filter": {"owner-tag": "application-mysql"}})
        );
    }

    #[test]
    fn show_picks_the_secret_asked_for() {
        // By name: the user secret, though a charm secret with that label comes first.
        let fake = Fake::new([json!({"results": [
            listed(ID2, "application-mysql", "db", 5),
            listed(ID, MODEL, "db", 1)]})]);
        let s = fake.client().show_secret("db", None, false).unwrap();
        assert_eq!(s.uri.id(), ID);
        assert_eq!(
            fake.sent()[0].1,
            json!({"show-secrets": false, "filter": {"label": "db"}})
        );
        // By URI, any form; with a revision.
        let fake = Fake::new([json!({"results": [listed(ID, MODEL, "db", 2)]})]);
        let s = fake
            .client()
            .show_secret(
                &format!("secret://0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b/{ID}"),
                Some(2),
                true,
            )
            .unwrap();
        assert_eq!(s.latest_revision, 2);
        assert_eq!(
            fake.sent()[0].1,
            json!({"show-secrets": true, "filter": {
                "uri": format!("secret://0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b/{ID}"),
                "revision": 2}})
        );
        // A charm secret by its label, when no user secret has it.
        let fake = Fake::new([json!({"results": [listed(ID2, "application-mysql", "db", 5)]})]);
        let s = fake.client().show_secret("db", None, false).unwrap();
        assert_eq!(s.uri.id(), ID2);
    }

    #[test]
    fn show_of_nothing_listed_is_not_found_as_the_cli_says() {
        for listed_reply in [
            json!({"results": []}),
            json!({"results": null}),
            // Something else than asked for is not what was asked for.
            json!({"results": [listed(ID2, MODEL, "other", 1)]}),
        ] {
            let fake = Fake::new([listed_reply.clone(), listed_reply]);
            let e = fake.client().show_secret("db", None, true).unwrap_err();
            assert_eq!(
                (e.kind(), e.code(), e.message()),
                (
                    ErrorKind::Api,
                    Some(ErrorCode::NotFound),
                    r#"secret "db" not found"#
                )
            );
            let e = fake.client().show_secret(ID, Some(3), false).unwrap_err();
            assert_eq!(e.message(), format!("secret \"{ID}\" revision 3 not found"));
            assert_eq!(e.code(), Some(ErrorCode::NotFound));
        }
    }

    #[test]
    fn show_of_a_failed_reveal_is_its_error_and_list_keeps_it_in_the_secret() {
        let mut item = listed(ID, MODEL, "db", 1);
        item["value"] = json!({"error": {"message": "secret backend \"v\" not found",
                                         "code": "not found"}});
        let reply = json!({"results": [item]});
        let fake = Fake::new([reply.clone(), reply]);
        let e = fake.client().show_secret("db", None, true).unwrap_err();
        assert_eq!(
            (e.code(), e.message()),
            (Some(ErrorCode::NotFound), "secret backend \"v\" not found")
        );
        let listed = fake
            .client()
            .list_secrets(&SecretFilter::new(), true)
            .unwrap();
        assert_eq!(
            listed[0].error.as_ref().unwrap().code(),
            Some(ErrorCode::NotFound)
        );
        assert!(listed[0].content.is_none());
    }

    #[test]
    fn controller_errors_come_back_as_sent() {
        let e = Error::api(
            format!("getting secret by URI \"{ID}\": secret not found"),
            Some(ErrorCode::SecretNotFound),
            None,
        );
        let fake = Fake::failing(e.clone());
        let got = fake.client().show_secret(ID, None, false).unwrap_err();
        assert_eq!(got, e);
        assert_eq!(got.code().unwrap().generic(), ErrorCode::NotFound);
    }

    #[test]
    fn local_refusals_are_not_sent() {
        let fake = Fake::new([]);
        let c = fake.client();
        let e = c.show_secret("", None, false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let e = c.show_secret("db", Some(0), false).unwrap_err();
        assert_eq!(e.message(), "revision must be a positive integer");
        let e = c.update_secret("db", UpdateSecret::new()).unwrap_err();
        assert_eq!(
            (e.kind(), e.code(), e.message()),
            (
                ErrorKind::InvalidInput,
                None,
                "at least one attribute to update must be specified"
            )
        );
        let e = c.remove_secret("db", Some(0)).unwrap_err();
        assert_eq!(e.code(), Some(ErrorCode::NotValid));
        let e = c.remove_secret_revisions("db", &[]).unwrap_err();
        assert_eq!(
            e.message(),
            "no revisions to remove given (an empty list would remove the whole secret)"
        );
        let e = c.remove_secret(" ", None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(c.grant_secret("", &["mysql"]).is_err());
        assert!(c.grant_secret("db", &[]).unwrap().is_empty());
        assert!(c.revoke_secret("db", &[]).unwrap().is_empty());
        assert!(
            c.update_secrets(Vec::<(&str, UpdateSecret)>::new())
                .unwrap()
                .is_empty()
        );
        assert!(c.remove_secrets(&[]).unwrap().is_empty());
        assert!(fake.sent().is_empty());
    }

    #[test]
    fn update_batch_keeps_local_refusals_in_place() {
        let fake = Fake::new([json!({"results": [{}, {"error": {
            "message": format!("secret \"secret:{ID}\" not found"), "code": "not found"}}]})]);
        let results = fake
            .client()
            .update_secrets([
                ("db", UpdateSecret::new().new_name("db2")),
                ("api", UpdateSecret::new()),
                (ID, UpdateSecret::new().content(content())),
            ])
            .unwrap();
        assert!(results[0].is_ok());
        assert_eq!(
            results[1].as_ref().unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(
            results[2].as_ref().unwrap_err().code(),
            Some(ErrorCode::NotFound)
        );
        let sent = fake.sent();
        assert_eq!(
            (sent[0].0.as_str(), &sent[0].1, sent[0].2),
            (
                "UpdateSecrets",
                &json!({"args": [
                    {"uri": "", "existing-label": "db", "content": {}, "label": "db2"},
                    {"uri": format!("secret:{ID}"), "existing-label": "",
                     "content": {"data": {"password": "czNjcmV0"}}}]}),
                Effect::Change
            )
        );
    }

    #[test]
    fn remove_sends_whole_secrets_and_revisions() {
        let fake = Fake::new([
            json!({"results": [{}]}),
            json!({"results": [{}]}),
            json!({"results": [{}, {"error": {"message": "permission denied",
                                              "code": "unauthorized access"}}]}),
        ]);
        let c = fake.client();
        c.remove_secret("db", None).unwrap();
        c.remove_secret(ID, Some(2)).unwrap();
        let results = c
            .remove_secrets(&[
                RemoveSecret::new("a").revisions(&[1, 3]),
                RemoveSecret::new("b").revisions(&[]),
                RemoveSecret::new("c"),
            ])
            .unwrap();
        assert!(results[0].is_ok());
        assert_eq!(
            results[1].as_ref().unwrap_err().code(),
            Some(ErrorCode::NotValid)
        );
        assert_eq!(
            results[2].as_ref().unwrap_err().code(),
            Some(ErrorCode::Unauthorized)
        );
        let sent: Vec<Value> = fake.sent().into_iter().map(|s| s.1).collect();
        assert_eq!(
            sent,
            [
                json!({"args": [{"uri": "", "label": "db"}]}),
                json!({"args": [{"uri": format!("secret:{ID}"), "label": "", "revisions": [2]}]}),
                json!({"args": [{"uri": "", "label": "a", "revisions": [1, 3]},
                                {"uri": "", "label": "c"}]}),
            ]
        );
        assert!(fake.sent().iter().all(|s| s.2 == Effect::Change));
    }

    #[test]
    fn grant_and_revoke_give_one_result_per_application_in_order() {
        let fake = Fake::new([
            json!({"results": [{}, {"error": {"message": "cannot change access to \"secret:x\" for \"nope\": application \"nope\" not found", "code": ""}}]}),
            json!({"results": [{}]}),
            json!({"results": [{}]}),
        ]);
        let c = fake.client();
        let results = c.grant_secret("db", &["mysql", "nope"]).unwrap();
        assert!(results[0].is_ok());
        let e = results[1].as_ref().unwrap_err();
        assert_eq!(e.code(), None);
        assert!(e.message().contains("\"nope\""), "{e}");
        c.revoke_secret(ID, &["mysql"]).unwrap()[0]
            .as_ref()
            .unwrap();
        // The wrong number of results is a protocol error naming the call.
        let e = c.grant_secret("db", &["mysql", "wordpress"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        assert_eq!(
            e.message(),
            "Secrets.GrantSecret: expected 2 results, got 1"
        );
        let sent = fake.sent();
        assert_eq!(
            (sent[0].0.as_str(), &sent[0].1),
            (
                "GrantSecret",
                &json!({"uri": "", "label": "db", "applications": ["mysql", "nope"]})
            )
        );
        assert_eq!(
            (sent[1].0.as_str(), &sent[1].1),
            (
                "RevokeSecret",
                &json!({"uri": format!("secret:{ID}"), "label": "", "applications": ["mysql"]})
            )
        );
        assert!(sent.iter().all(|s| s.2 == Effect::Change));
    }
}
