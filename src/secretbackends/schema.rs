//! The provider config keys (Go's `secrets/provider/{vault,kubernetes}/config.go`) and
//! whether each value is a secret: the one table that `Debug`, logs and errors derive what
//! to hide from. A key not in it is hidden too (a mistyped `tokne`, or a key a newer Juju
//! added), so the table can lag behind Juju without leaking anything.

/// A config key of a provider schema.
pub(crate) struct Field {
    pub(crate) key: &'static str,
    /// The value is a secret: hidden everywhere, and dropped by the controller from a list
    /// without `reveal` (the schema's `Secret` flag).
    pub(crate) secret: bool,
}

const fn field(key: &'static str, secret: bool) -> Field {
    Field { key, secret }
}

const SECRET: bool = true;
const PUBLIC: bool = false;

pub(crate) const VAULT_SCHEMA: &[Field] = &[
    field("endpoint", PUBLIC),
    field("token", SECRET),
    field("namespace", PUBLIC),
    field("mount-path", PUBLIC),
    field("ca-cert", PUBLIC),
    field("client-cert", PUBLIC),
    field("client-key", SECRET),
    field("tls-server-name", PUBLIC),
];

pub(crate) const KUBERNETES_SCHEMA: &[Field] = &[
    field("endpoint", PUBLIC),
    field("namespace", PUBLIC),
    field("service-account", PUBLIC),
    field("ca-certs", PUBLIC),
    field("ca-cert", PUBLIC),
    field("token", SECRET),
    field("username", PUBLIC),
    field("password", SECRET),
    field("client-cert", PUBLIC),
    field("client-key", SECRET),
    field("skip-tls-verify", PUBLIC),
    field("prefer-incluster-address", PUBLIC),
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
