//! User secrets: the types for the secrets a model keeps (`juju add-secret`,
//! `juju show-secret`, ...), which the `Secrets` facade (version 2) manages.
//!
//! - [`SecretUri`]: a secret's URI, `secret:<id>` (or `secret://<model-uuid>/<id>` for
//!   another model's), parsed and checked by Juju's rules.

mod uri;

pub use uri::SecretUri;

#[allow(unused_imports, reason = "for the facade calls, which come later")]
pub(crate) use uri::SecretRef;
