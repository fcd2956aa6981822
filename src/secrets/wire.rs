//! The wire forms of the `Secrets` facade, version 2 (`rpc/params/secrets.go`; the same
//! JSON in Juju 3.6 and 4.0), and the conversion of its replies into [`Secret`]s. Juju's
//! shared bulk shapes (`ErrorResults`, `StringResult`) come from `crate::params`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::content::SecretContent;
use super::types::{Secret, SecretAccess, SecretFilter, SecretRevision, UpdateSecret};
use super::uri::{SecretRef, SecretUri};
use super::{FACADE, REDACTION};
use crate::error::Error;
use crate::params::{ApiError, StringResult};

/// A protocol error naming the call whose reply was wrong.
fn bad_reply(method: &str, what: impl fmt::Display) -> Error {
    Error::protocol(format!("{}.{method}: {what}", FACADE.name))
}

// ---- ListSecrets ------------------------------------------------------------------------

/// `ListSecretsArgs`.
#[derive(Serialize, Debug, PartialEq)]
pub(crate) struct ListSecretsArgs {
    #[serde(rename = "show-secrets")]
    pub(crate) show_secrets: bool,
    pub(crate) filter: SecretsFilter,
}

impl ListSecretsArgs {
    pub(crate) fn new(filter: SecretsFilter, show_secrets: bool) -> Self {
        ListSecretsArgs {
            show_secrets,
            filter,
        }
    }
}

/// `SecretsFilter`: every field omitted when not set.
#[derive(Serialize, Debug, Default, PartialEq)]
pub(crate) struct SecretsFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) revision: Option<u32>,
    #[serde(rename = "owner-tag", skip_serializing_if = "Option::is_none")]
    pub(crate) owner_tag: Option<String>,
}

impl From<&SecretFilter> for SecretsFilter {
    fn from(f: &SecretFilter) -> Self {
        SecretsFilter {
            uri: f.get_uri().map(SecretUri::to_string),
            label: f.get_name().map(str::to_string),
            revision: f.get_revision(),
            owner_tag: f.get_owner().map(str::to_string),
        }
    }
}

impl SecretsFilter {
    /// The filter `show-secret` sends: the secret's URI or name, and a revision.
    pub(crate) fn for_secret(target: &SecretRef, revision: Option<u32>) -> Self {
        let (uri, label) = target.uri_and_label();
        SecretsFilter {
            uri: Some(uri).filter(|u| !u.is_empty()),
            label: Some(label).filter(|l| !l.is_empty()),
            revision,
            owner_tag: None,
        }
    }
}

/// `ListSecretResults`: `results` is `[]` when none, never `null`, but `null` is taken too.
#[derive(Deserialize, Default)]
pub(crate) struct ListSecretResults {
    #[serde(default)]
    pub(crate) results: Option<Vec<ListSecretResult>>,
}

/// `ListSecretResult`; `revisions` may be `null`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ListSecretResult {
    pub(crate) uri: String,
    #[serde(rename = "owner-tag")]
    pub(crate) owner_tag: String,
    #[serde(rename = "rotate-policy")]
    pub(crate) rotate_policy: Option<String>,
    #[serde(rename = "next-rotate-time")]
    pub(crate) next_rotate_time: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) label: Option<String>,
    #[serde(rename = "latest-revision")]
    pub(crate) latest_revision: i64,
    #[serde(rename = "latest-revision-checksum")]
    pub(crate) latest_revision_checksum: Option<String>,
    #[serde(rename = "latest-expire-time")]
    pub(crate) latest_expire_time: Option<String>,
    #[serde(rename = "create-time")]
    pub(crate) create_time: Option<String>,
    #[serde(rename = "update-time")]
    pub(crate) update_time: Option<String>,
    pub(crate) revisions: Option<Vec<WireSecretRevision>>,
    pub(crate) value: Option<SecretValueResult>,
    pub(crate) access: Option<Vec<AccessInfo>>,
}

/// `SecretRevision` (`value-ref` is never set in list results).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct WireSecretRevision {
    pub(crate) revision: i64,
    #[serde(rename = "backend-name")]
    pub(crate) backend_name: Option<String>,
    #[serde(rename = "create-time")]
    pub(crate) create_time: Option<String>,
    #[serde(rename = "update-time")]
    pub(crate) update_time: Option<String>,
    #[serde(rename = "expire-time")]
    pub(crate) expire_time: Option<String>,
}

/// `SecretValueResult`: the revealed content (key → base64), or why it could not be read.
/// The base64 strings are wiped when it is dropped.
#[derive(Deserialize, Default)]
pub(crate) struct SecretValueResult {
    /// Decoded as it is read (see [`SecretContent::deserialize_wire`]): no base64 copy of
    /// the content is kept; a value that is not base64 is this secret's error.
    #[serde(default, deserialize_with = "SecretContent::deserialize_wire")]
    pub(crate) data: Option<Result<SecretContent, Error>>,
    #[serde(default)]
    pub(crate) error: Option<ApiError>,
}

/// `AccessInfo`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct AccessInfo {
    #[serde(rename = "target-tag")]
    pub(crate) target_tag: String,
    #[serde(rename = "scope-tag")]
    pub(crate) scope_tag: String,
    pub(crate) role: String,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

impl ListSecretResults {
    /// The secrets, in the order sent.
    ///
    /// # Errors
    ///
    /// Kind `Protocol`, naming `Secrets.ListSecrets`, for a secret whose URI does not
    /// parse or whose revision numbers are out of range.
    pub(crate) fn into_secrets(self) -> Result<Vec<Secret>, Error> {
        self.results
            .unwrap_or_default()
            .into_iter()
            .map(ListSecretResult::into_secret)
            .collect()
    }
}

impl ListSecretResult {
    /// The secret, revisions sorted by number (Juju 3.6 sorts them as strings, `10` before
    /// `2`). Content that is not base64 becomes the secret's `error` (a protocol error
    /// naming the key, never the value) rather than failing the whole list: the controller
    /// stores whatever strings it was sent.
    ///
    /// # Errors
    ///
    /// Kind `Protocol` for a URI that does not parse, or a revision out of `u32`'s range.
    pub(crate) fn into_secret(mut self) -> Result<Secret, Error> {
        const METHOD: &str = "ListSecrets";
        let uri = SecretUri::parse(&self.uri)
            .map_err(|e| bad_reply(METHOD, format_args!("secret {}", e.message())))?;
        let revision = |n: i64| {
            u32::try_from(n).map_err(|_| {
                bad_reply(
                    METHOD,
                    format_args!("secret {uri}: revision {n} is out of range"),
                )
            })
        };
        let latest_revision = revision(self.latest_revision)?;
        let mut revisions = self
            .revisions
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                Ok(SecretRevision {
                    revision: revision(r.revision)?,
                    backend: non_empty(r.backend_name),
                    created: non_empty(r.create_time),
                    updated: non_empty(r.update_time),
                    expires: non_empty(r.expire_time),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        revisions.sort_by_key(|r| r.revision);
        let access = self
            .access
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|a| SecretAccess {
                target: a.target_tag,
                scope: a.scope_tag,
                role: a.role,
            })
            .collect();
        let (mut content, mut error) = (None, None);
        if let Some(mut value) = self.value.take() {
            match value.error.take().filter(ApiError::is_set) {
                Some(e) => error = Some(e.into_error(&REDACTION)),
                None => match value
                    .data
                    .take()
                    .unwrap_or_else(|| Ok(SecretContent::new()))
                {
                    Ok(c) => content = Some(c),
                    Err(e) => error = Some(e.context(format_args!("secret {uri}"))),
                },
            }
        }
        Ok(Secret {
            uri,
            name: non_empty(self.label.take()),
            description: non_empty(self.description.take()),
            owner: std::mem::take(&mut self.owner_tag),
            latest_revision,
            checksum: non_empty(self.latest_revision_checksum.take()),
            created: non_empty(self.create_time.take()),
            updated: non_empty(self.update_time.take()),
            revisions,
            access,
            rotate_policy: non_empty(self.rotate_policy.take()),
            next_rotate: non_empty(self.next_rotate_time.take()),
            latest_expire: non_empty(self.latest_expire_time.take()),
            content,
            error,
        })
    }
}

// ---- content ----------------------------------------------------------------------------

/// `SecretContentParams`: `data` (key → base64) is left out when empty, so an update
/// without content sends `"content":{}`, as the Go client does. Wiped when dropped;
/// `Debug` shows the keys only.
#[derive(Serialize, Default, PartialEq)]
pub(crate) struct SecretContentParams {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) data: BTreeMap<String, String>,
}

impl SecretContentParams {
    pub(crate) fn new(content: Option<&SecretContent>) -> Self {
        SecretContentParams {
            data: content.map(SecretContent::to_wire).unwrap_or_default(),
        }
    }
}

impl fmt::Debug for SecretContentParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretContentParams")
            .field("keys", &self.data.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Drop for SecretContentParams {
    fn drop(&mut self) {
        self.data.values_mut().for_each(Zeroize::zeroize);
    }
}

// ---- CreateSecrets ----------------------------------------------------------------------

/// `CreateSecretArgs`.
#[derive(Serialize, Debug, PartialEq)]
pub(crate) struct CreateSecretArgs {
    pub(crate) args: Vec<CreateSecretArg>,
}

/// `CreateSecretArg` for a user secret: `owner-tag` is always sent, empty (the controller
/// takes the model; `model-<uuid>` would be refused), and `content` always.
#[derive(Serialize, Debug, PartialEq)]
pub(crate) struct CreateSecretArg {
    pub(crate) content: SecretContentParams,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(rename = "owner-tag")]
    pub(crate) owner_tag: String,
}

impl CreateSecretArg {
    /// A secret named `name` (no label when empty), with a description when `info` is a
    /// non-empty one.
    pub(crate) fn new(name: &str, content: &SecretContent, info: Option<&str>) -> Self {
        CreateSecretArg {
            content: SecretContentParams::new(Some(content)),
            label: Some(name.to_string()).filter(|n| !n.is_empty()),
            description: info.filter(|i| !i.is_empty()).map(str::to_string),
            owner_tag: String::new(),
        }
    }
}

/// `StringResults` of `CreateSecrets`: one `secret:<id>` or error per item.
#[derive(Deserialize, Default)]
pub(crate) struct CreateSecretResults {
    #[serde(default)]
    pub(crate) results: Option<Vec<StringResult>>,
}

impl CreateSecretResults {
    /// Pairs the local checks with the results, in order (an item refused locally was not
    /// sent, so it has no result), as `params::merge_results` does for `ErrorResults`.
    ///
    /// # Errors
    ///
    /// Kind `Protocol`, naming `Secrets.CreateSecrets`, when the number of results is not
    /// the number of items sent. An item whose URI does not parse gets a protocol error of
    /// its own.
    pub(crate) fn merge(
        self,
        checks: Vec<Result<(), Error>>,
    ) -> Result<Vec<Result<SecretUri, Error>>, Error> {
        const METHOD: &str = "CreateSecrets";
        let wanted = checks.iter().filter(|c| c.is_ok()).count();
        let mut replies = self.results.unwrap_or_default().into_iter();
        if replies.len() != wanted {
            return Err(bad_reply(
                METHOD,
                format_args!("expected {wanted} results, got {}", replies.len()),
            ));
        }
        Ok(checks
            .into_iter()
            .map(|check| {
                check?;
                let uri = replies.next().map_or_else(
                    || Err(bad_reply(METHOD, "missing result")),
                    |r| r.into_result(&REDACTION),
                )?;
                SecretUri::parse(&uri).map_err(|e| bad_reply(METHOD, e.message()))
            })
            .collect())
    }
}

// ---- UpdateSecrets ----------------------------------------------------------------------

/// `UpdateUserSecretArgs`.
#[derive(Serialize, Debug, PartialEq)]
pub(crate) struct UpdateUserSecretArgs {
    pub(crate) args: Vec<UpdateUserSecretArg>,
}

/// `UpdateUserSecretArg`: the secret by `uri` or `existing-label` (exactly one non-empty,
/// both always sent); `label` and `description` absent to keep, `""` to clear.
#[derive(Serialize, Debug, PartialEq)]
pub(crate) struct UpdateUserSecretArg {
    pub(crate) uri: String,
    #[serde(rename = "existing-label")]
    pub(crate) existing_label: String,
    pub(crate) content: SecretContentParams,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(rename = "auto-prune", skip_serializing_if = "Option::is_none")]
    pub(crate) auto_prune: Option<bool>,
}

impl UpdateUserSecretArg {
    pub(crate) fn new(target: &SecretRef, update: &UpdateSecret) -> Self {
        let (uri, existing_label) = target.uri_and_label();
        UpdateUserSecretArg {
            uri,
            existing_label,
            content: SecretContentParams::new(update.get_content()),
            label: update.wire_label().map(str::to_string),
            description: update.wire_description().map(str::to_string),
            auto_prune: update.get_auto_prune(),
        }
    }
}

// ---- RemoveSecrets ----------------------------------------------------------------------

/// `DeleteSecretArgs`.
#[derive(Serialize, Debug, PartialEq)]
pub(crate) struct DeleteSecretArgs {
    pub(crate) args: Vec<DeleteSecretArg>,
}

/// `DeleteSecretArg`: the secret by `uri` or `label`; `revisions` left out (the whole
/// secret) when empty.
#[derive(Serialize, Debug, PartialEq)]
pub(crate) struct DeleteSecretArg {
    pub(crate) uri: String,
    pub(crate) label: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) revisions: Vec<u32>,
}

impl DeleteSecretArg {
    pub(crate) fn new(target: &SecretRef, revisions: &[u32]) -> Self {
        let (uri, label) = target.uri_and_label();
        DeleteSecretArg {
            uri,
            label,
            revisions: revisions.to_vec(),
        }
    }
}

// ---- GrantSecret, RevokeSecret ----------------------------------------------------------

/// `GrantRevokeUserSecretArg`: one secret, many applications; not bulk-wrapped. The reply
/// is `ErrorResults`, one per application.
#[derive(Serialize, Debug, PartialEq)]
pub(crate) struct GrantRevokeUserSecretArg {
    pub(crate) uri: String,
    pub(crate) label: String,
    pub(crate) applications: Vec<String>,
}

impl GrantRevokeUserSecretArg {
    pub(crate) fn new(target: &SecretRef, applications: &[&str]) -> Self {
        let (uri, label) = target.uri_and_label();
        GrantRevokeUserSecretArg {
            uri,
            label,
            applications: applications.iter().map(|a| a.to_string()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use crate::ErrorKind;
    use serde_json::{Value, json};

    const ID: &str = "d0n4kq9mp25c7f0cv3og";
    const MODEL: &str = "model-0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b";

    fn to_value(v: impl Serialize) -> Value {
        serde_json::to_value(v).unwrap()
    }

    fn by_name(name: &str) -> SecretRef {
        SecretRef::from_id(name).unwrap()
    }

    fn creds() -> SecretContent {
        SecretContent::from_args(["password=s3cret", "username=admin"]).unwrap()
    }

    #[test]
    fn create_matches_the_reference_example() {
        let args = CreateSecretArgs {
            args: vec![CreateSecretArg::new(
                "dbpassword",
                &creds(),
                Some("db creds"),
            )],
        };
        assert_eq!(
            to_value(&args),
            json!({"args":[
                {"content":{"data":{"password":"czNjcmV0","username":"YWRtaW4="}},
                 "label":"dbpassword","description":"db creds","owner-tag":""}]})
        );
        // No name, no description: both left out; owner-tag and content always sent.
        let arg = CreateSecretArg::new("", &SecretContent::new(), None);
        assert_eq!(to_value(&arg), json!({"content":{},"owner-tag":""}));
        let arg = CreateSecretArg::new("n", &creds(), Some(""));
        assert!(to_value(&arg).get("description").is_none());
    }

    #[test]
    fn create_results_are_uris_in_order() {
        let reply: CreateSecretResults = serde_json::from_str(&format!(
            r#"{{"results":[{{"result":"secret:{ID}"}},
                {{"result":"","error":{{"message":"secret with name \"db\" already exists","code":"already exists"}}}}]}}"#
        ))
        .unwrap();
        let local = Error::invalid("refused here");
        let merged = reply.merge(vec![Ok(()), Err(local), Ok(())]).unwrap();
        assert_eq!(merged[0].as_ref().unwrap().id(), ID);
        assert_eq!(merged[1].as_ref().unwrap_err().message(), "refused here");
        let e = merged[2].as_ref().unwrap_err();
        assert_eq!(
            (e.message(), e.code()),
            (
                r#"secret with name "db" already exists"#,
                Some(ErrorCode::AlreadyExists)
            )
        );
        let short: CreateSecretResults = serde_json::from_str(r#"{"results":[]}"#).unwrap();
        let e = short.merge(vec![Ok(())]).unwrap_err();
        assert_eq!(
            e.message(),
            "Secrets.CreateSecrets: expected 1 results, got 0"
        );
        let null: CreateSecretResults = serde_json::from_str(r#"{"results":null}"#).unwrap();
        assert!(null.merge(vec![]).unwrap().is_empty());
        let bad: CreateSecretResults =
            serde_json::from_str(r#"{"results":[{"result":"nope"}]}"#).unwrap();
        let e = bad.merge(vec![Ok(())]).unwrap().remove(0).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        assert_eq!(
            e.message(),
            r#"Secrets.CreateSecrets: secret URI "nope" not valid"#
        );
    }

    #[test]
    fn list_args_match_the_reference_example() {
        let args = ListSecretsArgs::new(
            SecretsFilter::for_secret(&by_name("dbpassword"), None),
            true,
        );
        assert_eq!(
            to_value(&args),
            json!({"show-secrets":true,"filter":{"label":"dbpassword"}})
        );
        let args = ListSecretsArgs::new((&SecretFilter::new()).into(), false);
        assert_eq!(to_value(&args), json!({"show-secrets":false,"filter":{}}));
        let uri = SecretUri::parse(ID).unwrap();
        let f = SecretFilter::new()
            .uri(&uri)
            .name("db")
            .revision(2)
            .owner("application-mysql");
        assert_eq!(
            to_value(ListSecretsArgs::new((&f).into(), false)),
            json!({"show-secrets":false,"filter":{
                "uri":format!("secret:{ID}"),"label":"db","revision":2,"owner-tag":"application-mysql"}})
        );
        let by_uri = SecretsFilter::for_secret(&by_name(ID), Some(3));
        assert_eq!(
            to_value(by_uri),
            json!({"uri":format!("secret:{ID}"),"revision":3})
        );
    }

    const LIST_REPLY: &str = r#"{"results":[{"uri":"secret:d0n4kq9mp25c7f0cv3og","version":1,
     "owner-tag":"model-0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b","description":"db creds",
     "label":"dbpassword","latest-revision":1,
     "latest-revision-checksum":"4fce01d6c873221e506048686f1d911effbdfb3b63b7585594d67873761edafe",
     "create-time":"2025-05-01T10:00:00Z","update-time":"2025-05-01T10:00:00Z",
     "revisions":[{"revision":1,"backend-name":"internal",
                   "create-time":"2025-05-01T10:00:00Z","update-time":"2025-05-01T10:00:00Z"}],
     "value":{"data":{"password":"czNjcmV0","username":"YWRtaW4="}}}]}"#;

    #[test]
    fn list_reply_of_the_reference_becomes_a_secret() {
        let reply: ListSecretResults = serde_json::from_str(LIST_REPLY).unwrap();
        let mut secrets = reply.into_secrets().unwrap();
        assert_eq!(secrets.len(), 1);
        let s = secrets.remove(0);
        assert_eq!(s.uri.to_string(), format!("secret:{ID}"));
        assert_eq!(s.name.as_deref(), Some("dbpassword"));
        assert_eq!(s.description.as_deref(), Some("db creds"));
        assert_eq!(s.owner, MODEL);
        assert!(s.is_user_secret());
        assert_eq!(s.latest_revision, 1);
        assert_eq!(
            s.checksum.as_deref(),
            Some("4fce01d6c873221e506048686f1d911effbdfb3b63b7585594d67873761edafe")
        );
        assert_eq!(s.created.as_deref(), Some("2025-05-01T10:00:00Z"));
        assert_eq!(s.updated.as_deref(), Some("2025-05-01T10:00:00Z"));
        assert_eq!(s.revisions.len(), 1);
        assert_eq!(s.revisions[0].revision, 1);
        assert_eq!(s.revisions[0].backend.as_deref(), Some("internal"));
        assert_eq!(s.revisions[0].expires, None);
        assert!(s.access.is_empty());
        assert_eq!((s.rotate_policy.as_ref(), s.error.as_ref()), (None, None));
        let content = s.content.as_ref().unwrap();
        assert_eq!(content.get_str("password"), Some("s3cret"));
        assert_eq!(content.get_str("username"), Some("admin"));
        assert_eq!(content.checksum(), s.checksum.clone().unwrap());
        // Content is not shown by Debug.
        assert!(!format!("{s:?}").contains("s3cret"));
    }

    #[test]
    fn list_reply_tolerates_nulls_and_sorts_revisions_numerically() {
        let reply: ListSecretResults = serde_json::from_str(&format!(
            r#"{{"results":[{{"uri":"secret:{ID}","owner-tag":"application-mysql",
                "rotate-policy":"hourly","next-rotate-time":"2025-05-01T11:00:00Z",
                "latest-expire-time":"2025-06-01T00:00:00Z","label":"",
                "latest-revision":10,"revisions":[{{"revision":1}},{{"revision":10}},{{"revision":2}}],
                "access":[{{"target-tag":"application-ubuntu","scope-tag":"{MODEL}","role":"view"}}]}},
               {{"uri":"secret:{ID}","owner-tag":"{MODEL}","latest-revision":1,"revisions":null,
                "access":null,"value":null}}]}}"#
        ))
        .unwrap();
        let secrets = reply.into_secrets().unwrap();
        let revs: Vec<u32> = secrets[0].revisions.iter().map(|r| r.revision).collect();
        assert_eq!(revs, [1, 2, 10]);
        assert_eq!(secrets[0].name, None);
        assert_eq!(secrets[0].rotate_policy.as_deref(), Some("hourly"));
        assert_eq!(
            secrets[0].next_rotate.as_deref(),
            Some("2025-05-01T11:00:00Z")
        );
        assert_eq!(
            secrets[0].latest_expire.as_deref(),
            Some("2025-06-01T00:00:00Z")
        );
        assert_eq!(secrets[0].access[0].application(), Some("ubuntu"));
        assert_eq!(secrets[0].access[0].scope, MODEL);
        assert_eq!(secrets[0].access[0].role, "view");
        assert!(secrets[1].revisions.is_empty() && secrets[1].access.is_empty());
        assert!(secrets[1].content.is_none());
        for empty in [r#"{"results":[]}"#, r#"{"results":null}"#, "{}"] {
            let reply: ListSecretResults = serde_json::from_str(empty).unwrap();
            assert!(reply.into_secrets().unwrap().is_empty());
        }
    }

    #[test]
    fn a_failed_reveal_is_the_secrets_error() {
        let reply: ListSecretResults = serde_json::from_str(&format!(
            r#"{{"results":[{{"uri":"secret:{ID}","owner-tag":"{MODEL}","latest-revision":1,
                "value":{{"error":{{"message":"secret revision \"{ID}/1\" not found","code":"not found"}}}}}}]}}"#
        ))
        .unwrap();
        let s = reply.into_secrets().unwrap().remove(0);
        assert!(s.content.is_none());
        let e = s.error.unwrap();
        assert_eq!(e.code(), Some(ErrorCode::NotFound));
        assert_eq!(e.message(), format!("secret revision \"{ID}/1\" not found"));
        assert_eq!(e.kind(), ErrorKind::Api);
        // An empty value (reveal of nothing) is empty content; an empty error is no error.
        let reply: ListSecretResults = serde_json::from_str(&format!(
            r#"{{"results":[{{"uri":"secret:{ID}","value":{{"error":{{"message":"","code":""}}}}}}]}}"#
        ))
        .unwrap();
        let s = reply.into_secrets().unwrap().remove(0);
        assert_eq!(s.content, Some(SecretContent::new()));
        assert!(s.error.is_none());
    }

    #[test]
    fn bad_base64_from_the_controller_does_not_panic_or_leak() {
        let reply: ListSecretResults = serde_json::from_str(&format!(
            r#"{{"results":[{{"uri":"secret:{ID}","latest-revision":1,
                "value":{{"data":{{"password":"hunter2-DISTINCTIVE!"}}}}}}]}}"#
        ))
        .unwrap();
        let s = reply.into_secrets().unwrap().remove(0);
        assert!(s.content.is_none());
        let e = s.error.as_ref().unwrap();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        assert!(e.message().contains("\"password\""), "{e}");
        assert!(e.message().contains(&format!("secret:{ID}")), "{e}");
        let shown = format!("{e} {e:?} {s:?} {}", serde_json::to_string(&s).unwrap());
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn bad_uris_and_revisions_are_protocol_errors() {
        for (uri, latest, revision) in [("nope", 1, 1), (ID, -1, 1), (ID, 1, 1_i64 << 40)] {
            let reply: ListSecretResults = serde_json::from_value(json!({"results":[
                {"uri": uri, "latest-revision": latest, "revisions": [{"revision": revision}]}]}))
            .unwrap();
            let e = reply.into_secrets().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
            assert!(e.message().starts_with("Secrets.ListSecrets: "), "{e}");
        }
    }

    #[test]
    fn update_is_tri_state_on_the_wire() {
        let target = by_name("dbpassword");
        let arg = UpdateUserSecretArg::new(&target, &UpdateSecret::new().auto_prune(true));
        assert_eq!(
            to_value(&arg),
            json!({"uri":"","existing-label":"dbpassword","content":{},"auto-prune":true})
        );
        let arg = UpdateUserSecretArg::new(&target, &UpdateSecret::new().clear_name().clear_info());
        assert_eq!(
            to_value(&arg),
            json!({"uri":"","existing-label":"dbpassword","content":{},"label":"","description":""})
        );
        let update = UpdateSecret::new()
            .content(creds())
            .new_name("db-creds")
            .info("new info")
            .auto_prune(false);
        let args = UpdateUserSecretArgs {
            args: vec![UpdateUserSecretArg::new(&by_name(ID), &update)],
        };
        assert_eq!(
            to_value(&args),
            json!({"args":[{"uri":format!("secret:{ID}"),"existing-label":"",
                "content":{"data":{"password":"czNjcmV0","username":"YWRtaW4="}},
                "label":"db-creds","description":"new info","auto-prune":false}]})
        );
    }

    #[test]
    fn delete_args() {
        let args = DeleteSecretArgs {
            args: vec![
                DeleteSecretArg::new(&by_name("dbpassword"), &[]),
                DeleteSecretArg::new(&by_name(ID), &[2, 3]),
            ],
        };
        assert_eq!(
            to_value(&args),
            json!({"args":[{"uri":"","label":"dbpassword"},
                           {"uri":format!("secret:{ID}"),"label":"","revisions":[2,3]}]})
        );
    }

    #[test]
    fn grant_matches_the_reference_example() {
        let arg = GrantRevokeUserSecretArg::new(&by_name("dbpassword"), &["ubuntu", "mysql"]);
        assert_eq!(
            to_value(&arg),
            json!({"uri":"","label":"dbpassword","applications":["ubuntu","mysql"]})
        );
    }

    #[test]
    fn wire_args_debug_without_values() {
        let content = SecretContent::from_pairs([("password", "hunter2-DISTINCTIVE")]).unwrap();
        let encoded = content.to_wire()["password"].clone();
        let update = UpdateSecret::new().content(content.clone());
        let create = CreateSecretArg::new("db", &content, None);
        let update_arg = UpdateUserSecretArg::new(&by_name("db"), &update);
        let shown = format!("{update:?} {create:?} {update_arg:?} {create:#?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains(&encoded),
            "{shown}"
        );
        assert!(shown.contains("password"), "{shown}");
    }
}
