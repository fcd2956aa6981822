//! User secrets: the secrets a model keeps (`juju add-secret`, `juju show-secret`, ...),
//! through the `Secrets` facade (version 2, Juju 3.3 and later). The calls are methods of
//! [`Model`](crate::Model) with python-libjuju's names ([`add_secret`](crate::Model::add_secret),
//! [`list_secrets`](crate::Model::list_secrets), [`show_secret`](crate::Model::show_secret),
//! [`update_secret`](crate::Model::update_secret),
//! [`remove_secret`](crate::Model::remove_secret), [`grant_secret`](crate::Model::grant_secret),
//! [`revoke_secret`](crate::Model::revoke_secret), and batch forms); this module has the
//! types:
//!
//! - [`SecretUri`]: a secret's URI, `secret:<id>` (or `secret://<model-uuid>/<id>` for
//!   another model's), parsed and checked by Juju's rules.
//! - [`SecretContent`]: keys and byte values, built from pairs or from the CLI's
//!   `key=value`, `key#base64=...` and `key#file=path` arguments, checked as the Go CLI
//!   checks them (key pattern, 1,000,000-byte limits, with its texts). Its `Debug` shows the
//!   keys only, and its values are wiped when it is dropped.
//! - [`SecretFilter`]: which secrets to list; [`UpdateSecret`]: what to change (name and
//!   description are kept, cleared or set: giving no new name keeps the name);
//!   [`AddSecret`] and [`RemoveSecret`]: the items of the batch forms.
//! - [`Secret`], with its [`SecretRevision`]s (sorted by number, each naming the backend
//!   that holds it), [`SecretAccess`] grants, [`SecretOwner`], and the content when it was
//!   revealed.
//!
//! ```
//! use juju_client::secrets::{SecretContent, SecretFilter, SecretUri, UpdateSecret};
//!
//! let content = SecretContent::from_args(["username=admin", "password#base64=czNjcmV0"])?;
//! assert_eq!(content.get_str("password"), Some("s3cret"));
//! assert_eq!(format!("{content:?}"), r#"SecretContent { keys: ["password", "username"] }"#);
//!
//! let uri: SecretUri = "secret:d0n4kq9mp25c7f0cv3og".parse()?;
//! let filter = SecretFilter::new().uri(&uri).revision(2);
//! let update = UpdateSecret::new().content(content).info("db creds");
//! # Ok::<(), juju_client::Error>(())
//! ```
//!
//! The content of a secret never shows by accident: not in `Debug` output, not in error
//! texts, and not in the trace log, where the facade's redaction policy hides every value
//! under `content.data` (what is sent) and `value.data` (what a reveal returns).
//!
//! The module is split by concern: [`SecretUri`] and addressing a secret by URI or name
//! (`uri.rs`), [`SecretContent`] and Juju's checksum (`content.rs`), the other public
//! types (`types.rs`), the facade's wire forms (`wire.rs`), and the calls with the checks
//! made before sending (`client.rs`). Juju's shared bulk shapes live in `crate::params`.

mod client;
mod content;
mod types;
mod uri;
mod wire;

pub use content::SecretContent;
pub use types::{
    AddSecret, RemoveSecret, Secret, SecretAccess, SecretFilter, SecretOwner, SecretRevision,
    UpdateSecret,
};
pub use uri::SecretUri;

pub(crate) use client::Client;
#[allow(
    unused_imports,
    reason = "Juju's checksum, for tests and fakes: the client itself does not compute it"
)]
pub(crate) use content::checksum;

use crate::caller::{Facade, Serves};
use crate::redact::{Redaction, Strings, is_credential_key, scrub_echoed_values};

/// `Secrets` v2, on model connections. Version 1 is not spoken: Juju registers it with a
/// type its dispatcher rejects, so every v1 call fails (reference §3.2); a controller that
/// offers only v1 (Juju 3.1 and 3.2) is refused before anything is sent.
pub(crate) const FACADE: Facade = Facade {
    name: "Secrets",
    versions: &[2],
    serves: Serves::Model,
    redaction: &REDACTION,
};

/// Secret content travels as `content.data` (create, update) and `value.data` (a reveal):
/// every value under them is hidden, whatever its key. Other strings (URIs, names,
/// descriptions, tags, error texts) are shown, and login-style credential keys are hidden
/// wherever they appear.
const REDACTION: Redaction = Redaction {
    keys: is_credential_key,
    paths: &[("content", "data"), ("value", "data")],
    config: None,
    strings: Strings::Shown,
    scrub: scrub_echoed_values,
};
