//! User secrets: the types for the secrets a model keeps (`juju add-secret`,
//! `juju show-secret`, ...), which the `Secrets` facade (version 2) lists, creates, updates,
//! removes, grants and revokes.
//!
//! - [`SecretUri`]: a secret's URI, `secret:<id>` (or `secret://<model-uuid>/<id>` for
//!   another model's), parsed and checked by Juju's rules.
//! - [`SecretContent`]: keys and byte values, built from pairs or from the CLI's
//!   `key=value`, `key#base64=...` and `key#file=path` arguments, checked as the Go CLI
//!   checks them (key pattern, 1,000,000-byte limits, with its texts). Its `Debug` shows the
//!   keys only, and its values are wiped when it is dropped.
//! - [`SecretFilter`]: which secrets to list; [`UpdateSecret`]: what to change (name and
//!   description are kept, cleared or set: giving no new name keeps the name).
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
//! The module is split by concern: [`SecretUri`] and addressing a secret by URI or name
//! (`uri.rs`), [`SecretContent`] and Juju's checksum (`content.rs`), the other public
//! types (`types.rs`), and the facade's wire forms (`wire.rs`). Juju's shared bulk shapes
//! live in `crate::params`.

mod content;
mod types;
mod uri;
#[allow(
    dead_code,
    reason = "the Secrets facade calls (Model::add_secret and the rest) that use these come in a later change"
)]
mod wire;

pub use content::SecretContent;
pub use types::{Secret, SecretAccess, SecretFilter, SecretOwner, SecretRevision, UpdateSecret};
pub use uri::SecretUri;

#[allow(
    unused_imports,
    reason = "for the facade calls and the fake, which come later"
)]
pub(crate) use content::checksum;
#[allow(unused_imports, reason = "for the facade calls, which come later")]
pub(crate) use types::sort_like_cli;
#[allow(unused_imports, reason = "for the facade calls, which come later")]
pub(crate) use uri::SecretRef;
