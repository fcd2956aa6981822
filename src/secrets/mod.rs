//! User secrets: the types for the secrets a model keeps (`juju add-secret`,
//! `juju show-secret`, ...), which the `Secrets` facade (version 2) manages.
//!
//! - [`SecretUri`]: a secret's URI, `secret:<id>` (or `secret://<model-uuid>/<id>` for
//!   another model's), parsed and checked by Juju's rules.
//! - [`SecretContent`]: keys and byte values, built from pairs or from the CLI's
//!   `key=value`, `key#base64=...` and `key#file=path` arguments, checked as the Go CLI
//!   checks them (key pattern, 1,000,000-byte limits, with its texts). Its `Debug` shows the
//!   keys only, and its values are wiped when it is dropped.

mod content;
mod uri;

pub use content::SecretContent;
pub use uri::SecretUri;

#[allow(unused_imports, reason = "for the facade calls and the fake, which come later")]
pub(crate) use content::checksum;
#[allow(unused_imports, reason = "for the facade calls, which come later")]
pub(crate) use uri::SecretRef;
