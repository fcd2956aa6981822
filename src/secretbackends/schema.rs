//! The provider config schemas (Go's `secrets/provider/{vault,kubernetes}/config.go`): each
//! key, its type, whether it is required, and whether its value is a secret. This one table
//! drives both the checks made before sending and what `Debug`, logs and errors hide.

/// A config key of a provider schema.
pub(crate) struct Field {
    pub(crate) key: &'static str,
    pub(crate) kind: FieldKind,
    pub(crate) required: bool,
    /// The value is a secret: hidden everywhere, and dropped by the controller from a list
    /// without `reveal` (the schema's `Secret` flag).
    pub(crate) secret: bool,
}

#[derive(PartialEq)]
pub(crate) enum FieldKind {
    Str,
    Bool,
    StrList,
}

const fn field(key: &'static str, kind: FieldKind, required: bool, secret: bool) -> Field {
    Field {
        key,
        kind,
        required,
        secret,
    }
}

const REQUIRED: bool = true;
const OPTIONAL: bool = false;
const SECRET: bool = true;
const PUBLIC: bool = false;

pub(crate) const VAULT_SCHEMA: &[Field] = &[
    field("endpoint", FieldKind::Str, REQUIRED, PUBLIC),
    field("token", FieldKind::Str, OPTIONAL, SECRET),
    field("namespace", FieldKind::Str, OPTIONAL, PUBLIC),
    field("mount-path", FieldKind::Str, OPTIONAL, PUBLIC),
    field("ca-cert", FieldKind::Str, OPTIONAL, PUBLIC),
    field("client-cert", FieldKind::Str, OPTIONAL, PUBLIC),
    field("client-key", FieldKind::Str, OPTIONAL, SECRET),
    field("tls-server-name", FieldKind::Str, OPTIONAL, PUBLIC),
];

pub(crate) const KUBERNETES_SCHEMA: &[Field] = &[
    field("endpoint", FieldKind::Str, REQUIRED, PUBLIC),
    field("namespace", FieldKind::Str, REQUIRED, PUBLIC),
    field("service-account", FieldKind::Str, OPTIONAL, PUBLIC),
    field("ca-certs", FieldKind::StrList, OPTIONAL, PUBLIC),
    field("ca-cert", FieldKind::Str, OPTIONAL, PUBLIC),
    field("token", FieldKind::Str, OPTIONAL, SECRET),
    field("username", FieldKind::Str, OPTIONAL, PUBLIC),
    field("password", FieldKind::Str, OPTIONAL, SECRET),
    field("client-cert", FieldKind::Str, OPTIONAL, PUBLIC),
    field("client-key", FieldKind::Str, OPTIONAL, SECRET),
    field("skip-tls-verify", FieldKind::Bool, OPTIONAL, PUBLIC),
    field(
        "prefer-incluster-address",
        FieldKind::Bool,
        OPTIONAL,
        PUBLIC,
    ),
];

fn all_fields() -> impl Iterator<Item = &'static Field> {
    VAULT_SCHEMA.iter().chain(KUBERNETES_SCHEMA)
}

/// True when a config key's value may be shown: a key some provider schema declares and
/// none declares secret. Any other key, a mistyped `tokne` included, is hidden.
pub(crate) fn is_public_config_key(key: &str) -> bool {
    let mut known = false;
    for f in all_fields().filter(|f| f.key == key) {
        if f.secret {
            return false;
        }
        known = true;
    }
    known
}

/// True when a key is a secret of some provider schema (in any case, as Go matches keys).
pub(crate) fn is_secret_config_key(key: &str) -> bool {
    all_fields().any(|f| f.secret && f.key.eq_ignore_ascii_case(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_decides_what_is_shown() {
        for k in [
            "endpoint",
            "namespace",
            "ca-certs",
            "client-cert",
            "username",
        ] {
            assert!(is_public_config_key(k), "{k}");
        }
        for k in ["token", "password", "client-key", "tokne", "Endpoint", ""] {
            assert!(!is_public_config_key(k), "{k}");
        }
        assert!(is_secret_config_key("Client-Key"));
        assert!(!is_secret_config_key("endpoint"));
    }
}
