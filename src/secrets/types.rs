//! The secret types a program builds ([`SecretFilter`], [`AddSecret`], [`UpdateSecret`],
//! [`RemoveSecret`]) and gets back ([`Secret`], [`SecretRevision`], [`SecretAccess`],
//! [`SecretOwner`]).

use std::borrow::Cow;
use std::cmp::Reverse;
use std::fmt;

use serde::Serialize;

use super::content::SecretContent;
use super::uri::SecretUri;
use crate::error::Error;

/// Which secrets to list: every secret of the model by default (user and charm secrets
/// alike), or those matching every criterion set. These are the fields of Juju's
/// `SecretsFilter`, and the controller applies them (but a model owner: see
/// [`owner`](Self::owner)), so what each version refuses applies: Juju 4.0 refuses a URI
/// together with a name (`cannot specify both URI and labels`) and a revision without a URI
/// or name (`cannot specify revision without URI or labels`), where 3.6 applies both.
///
/// ```
/// use juju_client::secrets::{SecretFilter, SecretUri};
///
/// let all = SecretFilter::new();
/// let by_name = SecretFilter::new().name("dbpassword");
/// let uri: SecretUri = "secret:d0n4kq9mp25c7f0cv3og".parse()?;
/// let one_revision = SecretFilter::new().uri(&uri).revision(2);
/// let of_mysql = SecretFilter::new().owner("application-mysql");
/// # Ok::<(), juju_client::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecretFilter {
    name: Option<String>,
    uri: Option<SecretUri>,
    revision: Option<u32>,
    owner: Option<String>,
}

impl SecretFilter {
    /// A filter that matches every secret of the model.
    ///
    /// ```
    /// use juju_client::secrets::SecretFilter;
    /// let filter = SecretFilter::new();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Only the secret with this name (the wire's `label`; a charm secret's label).
    ///
    /// ```
    /// use juju_client::secrets::SecretFilter;
    /// let filter = SecretFilter::new().name("dbpassword");
    /// ```
    #[must_use]
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// Only the secret with this URI.
    ///
    /// ```
    /// use juju_client::secrets::{SecretFilter, SecretUri};
    /// let uri = SecretUri::parse("d0n4kq9mp25c7f0cv3og")?;
    /// let filter = SecretFilter::new().uri(&uri);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[must_use]
    pub fn uri(mut self, uri: &SecretUri) -> Self {
        self.uri = Some(uri.clone());
        self
    }

    /// Only this revision (with a name or URI): the listed revisions are this one, and a
    /// reveal shows its content instead of the latest.
    ///
    /// ```
    /// use juju_client::secrets::SecretFilter;
    /// let filter = SecretFilter::new().name("dbpassword").revision(1);
    /// ```
    #[must_use]
    pub fn revision(mut self, revision: u32) -> Self {
        self.revision = Some(revision);
        self
    }

    /// Only secrets of this owner, a tag as the CLI's `--owner` takes it:
    /// `application-mysql`, `unit-mysql-0`; or the model's own, the user secrets: `<model>`
    /// (as the CLI shows their owner) or the model's tag `model-<uuid>`.
    ///
    /// An application or unit owner is sent for the controller to apply. A model owner is
    /// applied by this client to what the controller lists, on every Juju version, since
    /// Juju 4.0 refuses it (`secret owner tag kind "model" not valid`); a model tag other
    /// than this model's matches nothing.
    ///
    /// ```
    /// use juju_client::secrets::SecretFilter;
    /// let of_mysql = SecretFilter::new().owner("application-mysql");
    /// let user_secrets = SecretFilter::new().owner("<model>");
    /// ```
    #[must_use]
    pub fn owner(mut self, owner: &str) -> Self {
        self.owner = Some(owner.to_string());
        self
    }

    pub(crate) fn get_name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub(crate) fn get_uri(&self) -> Option<&SecretUri> {
        self.uri.as_ref()
    }

    pub(crate) fn get_revision(&self) -> Option<u32> {
        self.revision
    }

    pub(crate) fn get_owner(&self) -> Option<&str> {
        self.owner.as_deref()
    }
}

/// A name or description change: left as it is, cleared, or set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Change {
    #[default]
    Keep,
    Clear,
    Set(String),
}

impl Change {
    /// The wire form: absent to keep, `""` to clear.
    fn wire(&self) -> Option<&str> {
        match self {
            Change::Keep => None,
            Change::Clear => Some(""),
            Change::Set(s) => Some(s),
        }
    }
}

/// What to change in a user secret: new content (a new revision), a new name, a new
/// description, auto-pruning. Anything not set is left as it is: unlike python-libjuju,
/// giving no new name keeps the name.
///
/// ```
/// use juju_client::secrets::{SecretContent, UpdateSecret};
///
/// let rotate = UpdateSecret::new().content(SecretContent::from_args(["password=n3w"])?);
/// let rename = UpdateSecret::new().new_name("db-creds");
/// let tidy = UpdateSecret::new().clear_info().auto_prune(true);
/// assert!(UpdateSecret::new().is_empty());
/// # Ok::<(), juju_client::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpdateSecret {
    content: Option<SecretContent>,
    name: Change,
    description: Change,
    auto_prune: Option<bool>,
}

impl UpdateSecret {
    /// An update that changes nothing yet.
    ///
    /// ```
    /// use juju_client::secrets::UpdateSecret;
    /// let update = UpdateSecret::new();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// New content: a new revision, unless it is the same as the latest revision's (Juju
    /// compares checksums) or empty.
    ///
    /// ```
    /// use juju_client::secrets::{SecretContent, UpdateSecret};
    /// let update = UpdateSecret::new().content(SecretContent::from_pairs([("password", "n3w")])?);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[must_use]
    pub fn content(mut self, content: SecretContent) -> Self {
        self.content = Some(content);
        self
    }

    /// Renames the secret (the wire's `label`). An empty name clears it, as
    /// [`clear_name`](Self::clear_name) does.
    ///
    /// ```
    /// use juju_client::secrets::UpdateSecret;
    /// let update = UpdateSecret::new().new_name("db-creds");
    /// ```
    #[must_use]
    pub fn new_name(mut self, name: &str) -> Self {
        self.name = if name.is_empty() {
            Change::Clear
        } else {
            Change::Set(name.to_string())
        };
        self
    }

    /// Removes the secret's name.
    ///
    /// ```
    /// use juju_client::secrets::UpdateSecret;
    /// let update = UpdateSecret::new().clear_name();
    /// ```
    #[must_use]
    pub fn clear_name(mut self) -> Self {
        self.name = Change::Clear;
        self
    }

    /// Sets the description (the CLI's `--info`). An empty one clears it, as
    /// [`clear_info`](Self::clear_info) does.
    ///
    /// ```
    /// use juju_client::secrets::UpdateSecret;
    /// let update = UpdateSecret::new().info("db creds");
    /// ```
    #[must_use]
    pub fn info(mut self, description: &str) -> Self {
        self.description = if description.is_empty() {
            Change::Clear
        } else {
            Change::Set(description.to_string())
        };
        self
    }

    /// Removes the description.
    ///
    /// ```
    /// use juju_client::secrets::UpdateSecret;
    /// let update = UpdateSecret::new().clear_info();
    /// ```
    #[must_use]
    pub fn clear_info(mut self) -> Self {
        self.description = Change::Clear;
        self
    }

    /// Whether Juju deletes revisions that are neither the latest nor in use by a
    /// consumer (the CLI's `--auto-prune`).
    ///
    /// ```
    /// use juju_client::secrets::UpdateSecret;
    /// let update = UpdateSecret::new().auto_prune(true);
    /// ```
    #[must_use]
    pub fn auto_prune(mut self, auto_prune: bool) -> Self {
        self.auto_prune = Some(auto_prune);
        self
    }

    /// True when the update changes nothing (empty content counts as none), which the
    /// controller refuses with `at least one attribute to update must be specified`.
    ///
    /// ```
    /// use juju_client::secrets::{SecretContent, UpdateSecret};
    /// assert!(UpdateSecret::new().content(SecretContent::new()).is_empty());
    /// assert!(!UpdateSecret::new().auto_prune(false).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.content.as_ref().is_none_or(SecretContent::is_empty)
            && self.name == Change::Keep
            && self.description == Change::Keep
            && self.auto_prune.is_none()
    }

    pub(crate) fn get_content(&self) -> Option<&SecretContent> {
        self.content.as_ref()
    }

    /// The wire's `label`: `None` keeps the name, `Some("")` clears it.
    pub(crate) fn wire_label(&self) -> Option<&str> {
        self.name.wire()
    }

    /// The wire's `description`: `None` keeps it, `Some("")` clears it.
    pub(crate) fn wire_description(&self) -> Option<&str> {
        self.description.wire()
    }

    pub(crate) fn get_auto_prune(&self) -> Option<bool> {
        self.auto_prune
    }
}

/// One secret to add with [`Model::add_secrets`](crate::Model::add_secrets): its name, its
/// content (revision 1) and, if you like, a description. What
/// [`Model::add_secret`](crate::Model::add_secret) takes as three arguments.
///
/// `Debug` shows the content's keys only.
///
/// ```
/// use juju_client::secrets::{AddSecret, SecretContent};
///
/// let db = AddSecret::new("dbpassword", SecretContent::from_args(["password=s3cret"])?)
///     .info("db creds");
/// let api = AddSecret::new("api-token", SecretContent::from_pairs([("token", "t0k")])?);
/// # Ok::<(), juju_client::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AddSecret {
    name: String,
    content: SecretContent,
    description: Option<String>,
}

impl AddSecret {
    /// A secret called `name` holding `content`. Juju requires a user secret's name to be
    /// unique in the model; an empty name adds a secret without one (the API allows it,
    /// the CLI does not), to be addressed by its URI.
    ///
    /// ```
    /// use juju_client::secrets::{AddSecret, SecretContent};
    /// let add = AddSecret::new("dbpassword", SecretContent::from_args(["password=s3cret"])?);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn new(name: &str, content: SecretContent) -> Self {
        AddSecret {
            name: name.to_string(),
            content,
            description: None,
        }
    }

    /// Its description (the CLI's `--info`); an empty one sets none.
    ///
    /// ```
    /// use juju_client::secrets::{AddSecret, SecretContent};
    /// let add = AddSecret::new("db", SecretContent::from_args(["password=s3cret"])?).info("db creds");
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[must_use]
    pub fn info(mut self, description: &str) -> Self {
        self.description = Some(description.to_string()).filter(|d| !d.is_empty());
        self
    }

    pub(crate) fn get_name(&self) -> &str {
        &self.name
    }

    pub(crate) fn get_content(&self) -> &SecretContent {
        &self.content
    }

    pub(crate) fn get_info(&self) -> Option<&str> {
        self.description.as_deref()
    }
}

/// One removal for [`Model::remove_secrets`](crate::Model::remove_secrets): a secret (by URI
/// or name, as [`Model::show_secret`](crate::Model::show_secret) takes it), whole or only
/// some of its revisions.
///
/// ```
/// use juju_client::secrets::RemoveSecret;
///
/// let whole = RemoveSecret::new("dbpassword");
/// let old_revisions = RemoveSecret::new("secret:d0n4kq9mp25c7f0cv3og").revisions(&[1, 2]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoveSecret {
    id: String,
    revisions: Option<Vec<u32>>,
}

impl RemoveSecret {
    /// Removes the secret `id` (a URI or a name), every revision of it.
    ///
    /// ```
    /// use juju_client::secrets::RemoveSecret;
    /// let removal = RemoveSecret::new("dbpassword");
    /// ```
    pub fn new(id: &str) -> Self {
        RemoveSecret {
            id: id.to_string(),
            revisions: None,
        }
    }

    /// Removes only these revisions (Juju removes the secret once none is left). An empty
    /// list is refused before sending: on the wire it would mean the whole secret.
    ///
    /// ```
    /// use juju_client::secrets::RemoveSecret;
    /// let removal = RemoveSecret::new("dbpassword").revisions(&[1, 2]);
    /// ```
    #[must_use]
    pub fn revisions(mut self, revisions: &[u32]) -> Self {
        self.revisions = Some(revisions.to_vec());
        self
    }

    pub(crate) fn get_id(&self) -> &str {
        &self.id
    }

    /// `None` for the whole secret.
    pub(crate) fn get_revisions(&self) -> Option<&[u32]> {
        self.revisions.as_deref()
    }
}

/// Who owns a secret ([`Secret::owner_kind`]), from its owner tag.
///
/// `Display` gives the owner as the CLI shows it: `<model>`, or the application or unit
/// name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretOwner {
    /// The model (`model-<uuid>`): a user secret, made with `juju add-secret`.
    Model,
    /// An application (`application-<name>`): a charm secret; the application's name.
    Application(String),
    /// A unit (`unit-<app>-<n>`): a charm secret; the unit's name, `<app>/<n>`.
    Unit(String),
    /// Any other tag, kept verbatim.
    Other(String),
}

impl SecretOwner {
    /// The owner a tag names.
    ///
    /// ```
    /// use juju_client::secrets::SecretOwner;
    /// assert_eq!(SecretOwner::from_tag("unit-mysql-0"), SecretOwner::Unit("mysql/0".into()));
    /// assert_eq!(SecretOwner::from_tag("application-mysql").to_string(), "mysql");
    /// assert_eq!(SecretOwner::from_tag("model-0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b").to_string(), "<model>");
    /// ```
    pub fn from_tag(tag: &str) -> SecretOwner {
        if tag.strip_prefix("model-").is_some_and(|id| !id.is_empty()) {
            return SecretOwner::Model;
        }
        if let Some(app) = tag.strip_prefix("application-").filter(|a| !a.is_empty()) {
            return SecretOwner::Application(app.to_string());
        }
        // A unit tag is its name with the `/` before the number turned into `-`.
        let unit = tag
            .strip_prefix("unit-")
            .and_then(|rest| rest.rsplit_once('-'))
            .filter(|(app, n)| {
                !app.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
            });
        if let Some((app, n)) = unit {
            return SecretOwner::Unit(format!("{app}/{n}"));
        }
        SecretOwner::Other(tag.to_string())
    }
}

impl fmt::Display for SecretOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretOwner::Model => f.write_str("<model>"),
            SecretOwner::Application(name) | SecretOwner::Unit(name) | SecretOwner::Other(name) => {
                f.write_str(name)
            }
        }
    }
}

/// A secret as listed: what [`Model::list_secrets`](crate::Model::list_secrets) and
/// [`Model::show_secret`](crate::Model::show_secret) return.
///
/// It is `Clone`, `PartialEq` and `serde::Serialize` (field names as here, the URI as
/// `secret:<id>`, times as the RFC 3339 strings the controller sent). Its `content` is set
/// only when you asked to reveal it, and only then is it serialised (as
/// [`SecretContent`] serialises: text, or base64 for binary values); `Debug` never shows a
/// value.
///
/// ```no_run
/// # fn f(secret: juju_client::secrets::Secret) {
/// println!("{} ({}), revision {}", secret.uri, secret.owner_kind(), secret.latest_revision);
/// if let Some(content) = &secret.content {
///     println!("keys: {:?}", content.keys().collect::<Vec<_>>());
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Secret {
    /// Its URI, `secret:<id>`.
    pub uri: SecretUri,
    /// Its name (the wire's `label`: a user secret's name, or a charm secret's label).
    pub name: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Its owner's tag: `model-<uuid>` for a user secret, `application-<name>` or
    /// `unit-<app>-<n>` for a charm secret. See [`owner_kind`](Self::owner_kind).
    pub owner: String,
    /// The latest revision. Juju 3.6 keeps a counter that never goes down; Juju 4.0 gives
    /// the highest revision that still exists.
    pub latest_revision: u32,
    /// Juju's checksum of the latest revision's content (lowercase hex SHA-256).
    pub checksum: Option<String>,
    /// When the secret was created, as sent (RFC 3339).
    pub created: Option<String>,
    /// When it was last updated, as sent (RFC 3339).
    pub updated: Option<String>,
    /// Its revisions (or the one filtered for), by revision number.
    pub revisions: Vec<SecretRevision>,
    /// The applications it is granted to (role `view`).
    pub access: Vec<SecretAccess>,
    /// How often a charm rotates it (`never`, `hourly`, `daily`, ...). User secrets do not
    /// rotate: Juju 3.6 sends none, Juju 4.0 sends `never`.
    pub rotate_policy: Option<String>,
    /// When a charm secret is next due to rotate (RFC 3339).
    pub next_rotate: Option<String>,
    /// When a charm secret's latest revision expires (RFC 3339).
    pub latest_expire: Option<String>,
    /// The content of the latest revision (or of the revision filtered for), when you asked
    /// to reveal it and the controller could read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<SecretContent>,
    /// Why the content could not be revealed, when you asked and it could not (the
    /// controller's code and text, such as a removed backend's `not found`).
    pub error: Option<Error>,
}

impl Secret {
    /// True for a user secret (owned by the model, made with `juju add-secret`), false for
    /// a charm secret.
    ///
    /// ```no_run
    /// # fn f(secrets: Vec<juju_client::secrets::Secret>) {
    /// let mine: Vec<_> = secrets.into_iter().filter(|s| s.is_user_secret()).collect();
    /// # }
    /// ```
    pub fn is_user_secret(&self) -> bool {
        self.owner_kind() == SecretOwner::Model
    }

    /// Who owns the secret, from [`owner`](Self::owner).
    ///
    /// ```no_run
    /// # fn f(secret: juju_client::secrets::Secret) {
    /// use juju_client::secrets::SecretOwner;
    /// match secret.owner_kind() {
    ///     SecretOwner::Model => println!("user secret"),
    ///     SecretOwner::Application(app) => println!("owned by {app}"),
    ///     other => println!("owned by {other}"),
    /// }
    /// # }
    /// ```
    pub fn owner_kind(&self) -> SecretOwner {
        SecretOwner::from_tag(&self.owner)
    }

    /// The listed revision numbered `revision`.
    ///
    /// ```no_run
    /// # fn f(secret: juju_client::secrets::Secret) {
    /// if let Some(r) = secret.revision(secret.latest_revision) {
    ///     println!("latest stored in {}", r.backend.as_deref().unwrap_or("?"));
    /// }
    /// # }
    /// ```
    pub fn revision(&self, revision: u32) -> Option<&SecretRevision> {
        self.revisions.iter().find(|r| r.revision == revision)
    }
}

/// One revision of a secret ([`Secret::revisions`]).
///
/// ```no_run
/// # fn f(secret: juju_client::secrets::Secret) {
/// for r in &secret.revisions {
///     println!("{}: {}", r.revision, r.backend.as_deref().unwrap_or("-"));
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SecretRevision {
    /// Its number, from 1.
    pub revision: u32,
    /// The name of the backend holding its content: `internal` (the controller's
    /// database), `<model>-local` (a Kubernetes model's own store), a backend you added, or
    /// `unknown` (3.6) / `<unknown>` (4.0) when that backend was removed.
    pub backend: Option<String>,
    /// When it was created, as sent (RFC 3339).
    pub created: Option<String>,
    /// When it was last updated, as sent (RFC 3339).
    pub updated: Option<String>,
    /// When it expires (charm secrets), as sent (RFC 3339).
    pub expires: Option<String>,
}

/// A grant of a secret ([`Secret::access`]).
///
/// ```no_run
/// # fn f(secret: juju_client::secrets::Secret) {
/// for grant in &secret.access {
///     println!("{} may {} it", grant.target, grant.role);
/// }
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SecretAccess {
    /// Who is granted access, a tag: `application-<name>`.
    pub target: String,
    /// Its scope, a tag: `model-<uuid>` for a user secret's grant.
    pub scope: String,
    /// The role: `view` (the model's own `manage` is not listed).
    pub role: String,
}

impl SecretAccess {
    /// The application granted access, when the target is one.
    ///
    /// ```no_run
    /// # fn f(secret: juju_client::secrets::Secret) {
    /// let apps: Vec<&str> = secret.access.iter().filter_map(|a| a.application()).collect();
    /// # }
    /// ```
    pub fn application(&self) -> Option<&str> {
        self.target
            .strip_prefix("application-")
            .filter(|a| !a.is_empty())
    }
}

/// Sorts as `juju secrets` lists: by owner as shown (`<model>` first), then latest
/// revision, highest first; then by URI, so that the order is stable.
///
/// The owners are rendered once per secret, without allocating for the model's own; the
/// order is found on indices with borrowed keys and then applied by swaps, so that a
/// large list costs no allocation per secret (a revealed list of 1,000 spent 8% of its
/// client time here with owned keys).
pub(crate) fn sort_like_cli(secrets: &mut [Secret]) {
    let owners: Vec<Cow<'static, str>> = secrets
        .iter()
        .map(|s| match s.owner_kind() {
            SecretOwner::Model => Cow::Borrowed("<model>"),
            other => Cow::Owned(other.to_string()),
        })
        .collect();
    let key = |i: usize| {
        (
            &owners[i],
            Reverse(secrets[i].latest_revision),
            &secrets[i].uri,
        )
    };
    let mut order: Vec<usize> = (0..secrets.len()).collect();
    order.sort_by(|&a, &b| key(a).cmp(&key(b)));
    // Position i takes the secret at order[i]: follow each cycle of the permutation.
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != start {
            let from = order[at];
            secrets.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

#[cfg(test)]
pub(crate) fn test_secret(uri: &str, owner: &str, latest: u32) -> Secret {
    Secret {
        uri: SecretUri::parse(uri).expect("a test URI"),
        name: None,
        description: None,
        owner: owner.to_string(),
        latest_revision: latest,
        checksum: None,
        created: None,
        updated: None,
        revisions: Vec::new(),
        access: Vec::new(),
        rotate_policy: None,
        next_rotate: None,
        latest_expire: None,
        content: None,
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = "model-0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b";

    #[test]
    fn filter_builders_set_each_field() {
        let uri = SecretUri::parse("d0n4kq9mp25c7f0cv3og").unwrap();
        let f = SecretFilter::new()
            .name("db")
            .uri(&uri)
            .revision(3)
            .owner("application-mysql");
        assert_eq!(f.get_name(), Some("db"));
        assert_eq!(f.get_uri(), Some(&uri));
        assert_eq!(f.get_revision(), Some(3));
        assert_eq!(f.get_owner(), Some("application-mysql"));
        let empty = SecretFilter::default();
        assert_eq!(empty, SecretFilter::new());
        assert_eq!(
            (
                empty.get_name(),
                empty.get_uri(),
                empty.get_revision(),
                empty.get_owner()
            ),
            (None, None, None, None)
        );
    }

    #[test]
    fn update_is_tri_state() {
        let u = UpdateSecret::new();
        assert!(u.is_empty());
        assert_eq!((u.wire_label(), u.wire_description()), (None, None));
        let u = UpdateSecret::new().new_name("db").info("creds");
        assert_eq!(
            (u.wire_label(), u.wire_description()),
            (Some("db"), Some("creds"))
        );
        assert!(!u.is_empty());
        let u = UpdateSecret::new().clear_name().clear_info();
        assert_eq!((u.wire_label(), u.wire_description()), (Some(""), Some("")));
        assert!(!u.is_empty());
        let u = UpdateSecret::new().new_name("").info("");
        assert_eq!((u.wire_label(), u.wire_description()), (Some(""), Some("")));
        // The last call wins.
        let u = UpdateSecret::new().clear_name().new_name("again");
        assert_eq!(u.wire_label(), Some("again"));
        let u = UpdateSecret::new().auto_prune(false);
        assert_eq!(u.get_auto_prune(), Some(false));
        assert!(!u.is_empty());
        let c = SecretContent::from_pairs([("password", "hunter2-DISTINCTIVE")]).unwrap();
        let u = UpdateSecret::new().content(c.clone());
        assert_eq!(u.get_content(), Some(&c));
        assert!(!u.is_empty());
        assert!(UpdateSecret::new().content(SecretContent::new()).is_empty());
        assert!(!format!("{u:?}").contains("hunter2"));
    }

    #[test]
    fn owners_from_tags() {
        assert_eq!(SecretOwner::from_tag(MODEL), SecretOwner::Model);
        assert_eq!(
            SecretOwner::from_tag("application-mysql"),
            SecretOwner::Application("mysql".into())
        );
        assert_eq!(
            SecretOwner::from_tag("unit-mysql-router-12"),
            SecretOwner::Unit("mysql-router/12".into())
        );
        for other in [
            "",
            "model-",
            "application-",
            "unit-mysql",
            "unit--0",
            "unit-a-",
            "user-bob",
        ] {
            assert_eq!(
                SecretOwner::from_tag(other),
                SecretOwner::Other(other.into()),
                "{other}"
            );
        }
        assert_eq!(SecretOwner::Model.to_string(), "<model>");
        assert_eq!(SecretOwner::Unit("mysql/0".into()).to_string(), "mysql/0");
        let s = test_secret("d0n4kq9mp25c7f0cv3og", MODEL, 1);
        assert!(s.is_user_secret());
        let s = test_secret("d0n4kq9mp25c7f0cv3og", "application-mysql", 1);
        assert!(!s.is_user_secret());
    }

    #[test]
    fn cli_order_is_owner_then_revision_descending() {
        let mut list = vec![
            test_secret("cs8o5f1mp25c7f0cv3o0", "application-mysql", 2),
            test_secret("d0n4kq9mp25c7f0cv3og", MODEL, 1),
            test_secret("d0n4kq9mp25c7f0cv3o0", MODEL, 3),
            test_secret("c0n4kq9mp25c7f0cv3o0", "application-mysql", 2),
        ];
        sort_like_cli(&mut list);
        let ids: Vec<&str> = list.iter().map(|s| s.uri.id()).collect();
        assert_eq!(
            ids,
            [
                "d0n4kq9mp25c7f0cv3o0",
                "d0n4kq9mp25c7f0cv3og",
                "c0n4kq9mp25c7f0cv3o0",
                "cs8o5f1mp25c7f0cv3o0"
            ]
        );
    }

    #[test]
    fn cli_order_matches_owned_keys_on_a_mixed_list() {
        // The order sort_like_cli finds by indices is the one owned keys give.
        let owners = [
            MODEL,
            "application-mysql",
            "unit-mysql-0",
            "unit-wordpress-10",
            "x",
        ];
        let alphabet: Vec<char> = "0123456789abcdefghijklmnopqrstuv".chars().collect();
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let mut list: Vec<Secret> = (0..300)
            .map(|_| {
                let mut id: String = (0..19).map(|_| alphabet[next() % 32]).collect();
                id.push(if next() % 2 == 0 { '0' } else { 'g' });
                test_secret(&id, owners[next() % owners.len()], (next() % 4) as u32 + 1)
            })
            .collect();
        let mut expected = list.clone();
        expected.sort_by_cached_key(|s| {
            (
                s.owner_kind().to_string(),
                Reverse(s.latest_revision),
                s.uri.clone(),
            )
        });
        sort_like_cli(&mut list);
        assert_eq!(list, expected);
        sort_like_cli(&mut list);
        assert_eq!(list, expected, "sorting a sorted list keeps it");
    }

    #[test]
    fn serialize_includes_content_only_when_revealed() {
        let mut s = test_secret("d0n4kq9mp25c7f0cv3og", MODEL, 1);
        let v = serde_json::to_value(&s).unwrap();
        assert!(v.get("content").is_none(), "{v}");
        assert_eq!(v["uri"], "secret:d0n4kq9mp25c7f0cv3og");
        assert_eq!(v["owner"], MODEL);
        s.content = Some(SecretContent::from_pairs([("password", "s3cret")]).unwrap());
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["content"], serde_json::json!({"password": "s3cret"}));
        s.content = Some(SecretContent::from_pairs([("password", "hunter2-DISTINCTIVE")]).unwrap());
        let debug = format!("{s:?} {s:#?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("password"), "{debug}");
    }

    #[test]
    fn access_names_the_application() {
        let a = SecretAccess {
            target: "application-ubuntu".into(),
            scope: MODEL.into(),
            role: "view".into(),
        };
        assert_eq!(a.application(), Some("ubuntu"));
        let a = SecretAccess {
            target: "unit-ubuntu-0".into(),
            ..a
        };
        assert_eq!(a.application(), None);
    }
}
