//! The secret-backend types a program builds ([`AddSecretBackend`], [`UpdateSecretBackend`],
//! the typed configs) and gets back ([`SecretBackend`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::schema::is_public_config_key;
use crate::error::Error;
use crate::redact::REDACTED;

/// A backend's configuration: string keys, JSON values (the CLI sends strings; booleans
/// and lists are accepted where the backend's schema has them).
///
/// `Debug` shows the values of secret keys (`token`, `password`, `client-key`) as
/// `[REDACTED]`, and so the values of any key it does not know to be public (a mistyped
/// `tokne` is as secret as `token`).
///
/// ```
/// use juju_client::secretbackends::BackendConfig;
///
/// let mut config: BackendConfig = [("endpoint", "https://vault:8200"), ("token", "s.xyz")].into();
/// config.insert("namespace", "team-a");
/// assert_eq!(config.get("namespace").and_then(|v| v.as_str()), Some("team-a"));
/// assert!(!format!("{config:?}").contains("s.xyz"));
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BackendConfig(BTreeMap<String, Value>);

impl BackendConfig {
    /// An empty config.
    ///
    /// ```
    /// use juju_client::secretbackends::BackendConfig;
    /// let config = BackendConfig::new();
    /// assert!(config.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key`.
    ///
    /// ```
    /// use juju_client::secretbackends::BackendConfig;
    /// let config: BackendConfig = [("endpoint", "https://v:8200")].into();
    /// assert_eq!(config.get("endpoint"), Some(&serde_json::json!("https://v:8200")));
    /// ```
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// The value of `key` when it is a string.
    ///
    /// ```
    /// use juju_client::secretbackends::BackendConfig;
    /// let config: BackendConfig = [("endpoint", "https://v:8200")].into();
    /// assert_eq!(config.get_str("endpoint"), Some("https://v:8200"));
    /// ```
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// Sets `key`, returning the old value.
    ///
    /// ```
    /// use juju_client::secretbackends::BackendConfig;
    /// let mut config = BackendConfig::new();
    /// config.insert("skip-tls-verify", true);
    /// assert_eq!(config.len(), 1);
    /// ```
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        self.0.insert(key.into(), value.into())
    }

    /// Removes `key`, returning its value.
    ///
    /// ```
    /// use juju_client::secretbackends::BackendConfig;
    /// let mut config: BackendConfig = [("token", "t")].into();
    /// assert!(config.remove("token").is_some());
    /// ```
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.0.remove(key)
    }

    /// True when `key` is set.
    ///
    /// ```
    /// use juju_client::secretbackends::BackendConfig;
    /// let config: BackendConfig = [("token", "t")].into();
    /// assert!(config.contains_key("token"));
    /// ```
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// The keys and values, sorted by key.
    ///
    /// ```
    /// use juju_client::secretbackends::BackendConfig;
    /// let config: BackendConfig = [("b", "2"), ("a", "1")].into();
    /// let keys: Vec<&String> = config.iter().map(|(k, _)| k).collect();
    /// assert_eq!(keys, ["a", "b"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter()
    }

    /// The keys, sorted.
    ///
    /// ```
    /// use juju_client::secretbackends::BackendConfig;
    /// let config: BackendConfig = [("endpoint", "e"), ("token", "t")].into();
    /// assert_eq!(config.keys().count(), 2);
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.keys()
    }

    /// The number of keys.
    ///
    /// ```
    /// use juju_client::secretbackends::BackendConfig;
    /// let config: BackendConfig = [("endpoint", "e")].into();
    /// assert_eq!(config.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no keys.
    ///
    /// ```
    /// use juju_client::secretbackends::BackendConfig;
    /// assert!(BackendConfig::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for BackendConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| {
                let shown: &dyn fmt::Debug = if is_public_config_key(k) {
                    v
                } else {
                    &REDACTED
                };
                (k, shown)
            }))
            .finish()
    }
}

impl From<HashMap<String, String>> for BackendConfig {
    fn from(m: HashMap<String, String>) -> Self {
        m.into_iter().collect()
    }
}

impl From<BTreeMap<String, Value>> for BackendConfig {
    fn from(m: BTreeMap<String, Value>) -> Self {
        BackendConfig(m)
    }
}

impl From<serde_json::Map<String, Value>> for BackendConfig {
    fn from(m: serde_json::Map<String, Value>) -> Self {
        m.into_iter().collect()
    }
}

impl<const N: usize> From<[(&str, &str); N]> for BackendConfig {
    fn from(pairs: [(&str, &str); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for BackendConfig {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        BackendConfig(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl IntoIterator for BackendConfig {
    type Item = (String, Value);
    type IntoIter = std::collections::btree_map::IntoIter<String, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a BackendConfig {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::collections::btree_map::Iter<'a, String, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A typed builder for a `vault` backend's config.
///
/// ```
/// use juju_client::secretbackends::{BackendConfig, VaultConfig};
///
/// let config: BackendConfig = VaultConfig::new("https://vault.example:8200")
///     .token("s.root")
///     .mount_path("juju")
///     .into();
/// assert_eq!(config.get_str("mount-path"), Some("juju"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct VaultConfig(BackendConfig);

impl VaultConfig {
    /// A config with the vault server's URL (`endpoint`, required, immutable).
    ///
    /// ```
    /// use juju_client::secretbackends::VaultConfig;
    /// let config = VaultConfig::new("https://vault.example:8200");
    /// ```
    pub fn new(endpoint: impl Into<String>) -> Self {
        let mut c = BackendConfig::new();
        c.insert("endpoint", endpoint.into());
        VaultConfig(c)
    }

    fn set(mut self, key: &str, value: impl Into<String>) -> Self {
        self.0.insert(key, value.into());
        self
    }

    /// The vault token (`token`, secret).
    ///
    /// ```
    /// use juju_client::secretbackends::VaultConfig;
    /// let config = VaultConfig::new("https://vault.example:8200")
    ///     .token("s.root");
    /// ```
    #[must_use]
    pub fn token(self, token: impl Into<String>) -> Self {
        self.set("token", token)
    }
    /// The vault namespace (`namespace`, immutable).
    ///
    /// ```
    /// use juju_client::secretbackends::VaultConfig;
    /// let config = VaultConfig::new("https://vault.example:8200")
    ///     .namespace("team-a");
    /// ```
    #[must_use]
    pub fn namespace(self, namespace: impl Into<String>) -> Self {
        self.set("namespace", namespace)
    }
    /// The KV mount path (`mount-path`, immutable).
    ///
    /// ```
    /// use juju_client::secretbackends::VaultConfig;
    /// let config = VaultConfig::new("https://vault.example:8200")
    ///     .mount_path("juju");
    /// ```
    #[must_use]
    pub fn mount_path(self, path: impl Into<String>) -> Self {
        self.set("mount-path", path)
    }
    /// The CA certificate of the vault server, PEM (`ca-cert`).
    ///
    /// ```
    /// use juju_client::secretbackends::VaultConfig;
    /// let config = VaultConfig::new("https://vault.example:8200")
    ///     .ca_cert("-----BEGIN CERTIFICATE-----\n...");
    /// ```
    #[must_use]
    pub fn ca_cert(self, pem: impl Into<String>) -> Self {
        self.set("ca-cert", pem)
    }
    /// A client certificate, PEM (`client-cert`; needs `client_key`).
    ///
    /// ```
    /// use juju_client::secretbackends::VaultConfig;
    /// let config = VaultConfig::new("https://vault.example:8200")
    ///     .client_cert("-----BEGIN CERTIFICATE-----\n...")
    ///     .client_key("-----BEGIN PRIVATE KEY-----\n...");
    /// ```
    #[must_use]
    pub fn client_cert(self, pem: impl Into<String>) -> Self {
        self.set("client-cert", pem)
    }
    /// The client certificate's key, PEM (`client-key`, secret; needs `client_cert`).
    ///
    /// ```
    /// use juju_client::secretbackends::VaultConfig;
    /// let config = VaultConfig::new("https://vault.example:8200")
    ///     .client_cert("-----BEGIN CERTIFICATE-----\n...")
    ///     .client_key("-----BEGIN PRIVATE KEY-----\n...");
    /// ```
    #[must_use]
    pub fn client_key(self, pem: impl Into<String>) -> Self {
        self.set("client-key", pem)
    }
    /// The name to verify the vault server's certificate against (`tls-server-name`).
    ///
    /// ```
    /// use juju_client::secretbackends::VaultConfig;
    /// let config = VaultConfig::new("https://vault.example:8200")
    ///     .tls_server_name("vault.internal");
    /// ```
    #[must_use]
    pub fn tls_server_name(self, name: impl Into<String>) -> Self {
        self.set("tls-server-name", name)
    }
}

impl From<VaultConfig> for BackendConfig {
    fn from(c: VaultConfig) -> Self {
        c.0
    }
}

/// A typed builder for an external `kubernetes` backend's config (Juju 3.6.3 or later).
///
/// ```
/// use juju_client::secretbackends::{BackendConfig, KubernetesConfig};
///
/// let config: BackendConfig = KubernetesConfig::new("https://k8s.example:6443", "secrets")
///     .token("eyJ...")
///     .service_account("juju-secrets")
///     .skip_tls_verify(false)
///     .into();
/// assert_eq!(config.get("skip-tls-verify"), Some(&serde_json::json!(false)));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct KubernetesConfig(BackendConfig);

impl KubernetesConfig {
    /// A config with the API server URL and namespace (both required and immutable).
    ///
    /// ```
    /// use juju_client::secretbackends::KubernetesConfig;
    /// let config = KubernetesConfig::new("https://k8s.example:6443", "juju-secrets");
    /// ```
    pub fn new(endpoint: impl Into<String>, namespace: impl Into<String>) -> Self {
        let mut c = BackendConfig::new();
        c.insert("endpoint", endpoint.into());
        c.insert("namespace", namespace.into());
        KubernetesConfig(c)
    }

    fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key, value.into());
        self
    }

    /// The service account (`service-account`; required with a token rotate interval).
    ///
    /// ```
    /// use juju_client::secretbackends::KubernetesConfig;
    /// let config = KubernetesConfig::new("https://k8s.example:6443", "juju-secrets")
    ///     .service_account("juju-secrets");
    /// ```
    #[must_use]
    pub fn service_account(self, name: impl Into<String>) -> Self {
        self.set("service-account", name.into())
    }
    /// CA certificates, PEM (`ca-certs`).
    ///
    /// ```
    /// use juju_client::secretbackends::KubernetesConfig;
    /// let config = KubernetesConfig::new("https://k8s.example:6443", "juju-secrets")
    ///     .ca_certs(["-----BEGIN CERTIFICATE-----\n..."]);
    /// ```
    #[must_use]
    pub fn ca_certs<I: IntoIterator<Item = S>, S: Into<String>>(self, pems: I) -> Self {
        let list: Vec<Value> = pems.into_iter().map(|p| Value::String(p.into())).collect();
        self.set("ca-certs", list)
    }
    /// One CA certificate, PEM (`ca-cert`).
    ///
    /// ```
    /// use juju_client::secretbackends::KubernetesConfig;
    /// let config = KubernetesConfig::new("https://k8s.example:6443", "juju-secrets")
    ///     .ca_cert("-----BEGIN CERTIFICATE-----\n...");
    /// ```
    #[must_use]
    pub fn ca_cert(self, pem: impl Into<String>) -> Self {
        self.set("ca-cert", pem.into())
    }
    /// A bearer token (`token`, secret).
    ///
    /// ```
    /// use juju_client::secretbackends::KubernetesConfig;
    /// let config = KubernetesConfig::new("https://k8s.example:6443", "juju-secrets")
    ///     .token("eyJhbGciOi...");
    /// ```
    #[must_use]
    pub fn token(self, token: impl Into<String>) -> Self {
        self.set("token", token.into())
    }
    /// A user name for basic auth (`username`).
    ///
    /// ```
    /// use juju_client::secretbackends::KubernetesConfig;
    /// let config = KubernetesConfig::new("https://k8s.example:6443", "juju-secrets")
    ///     .username("juju")
    ///     .password("s3cret");
    /// ```
    #[must_use]
    pub fn username(self, username: impl Into<String>) -> Self {
        self.set("username", username.into())
    }
    /// A password for basic auth (`password`, secret).
    ///
    /// ```
    /// use juju_client::secretbackends::KubernetesConfig;
    /// let config = KubernetesConfig::new("https://k8s.example:6443", "juju-secrets")
    ///     .username("juju")
    ///     .password("s3cret");
    /// ```
    #[must_use]
    pub fn password(self, password: impl Into<String>) -> Self {
        self.set("password", password.into())
    }
    /// A client certificate, PEM (`client-cert`; needs `client_key`).
    ///
    /// ```
    /// use juju_client::secretbackends::KubernetesConfig;
    /// let config = KubernetesConfig::new("https://k8s.example:6443", "juju-secrets")
    ///     .client_cert("-----BEGIN CERTIFICATE-----\n...")
    ///     .client_key("-----BEGIN PRIVATE KEY-----\n...");
    /// ```
    #[must_use]
    pub fn client_cert(self, pem: impl Into<String>) -> Self {
        self.set("client-cert", pem.into())
    }
    /// The client certificate's key, PEM (`client-key`, secret; needs `client_cert`).
    ///
    /// ```
    /// use juju_client::secretbackends::KubernetesConfig;
    /// let config = KubernetesConfig::new("https://k8s.example:6443", "juju-secrets")
    ///     .client_cert("-----BEGIN CERTIFICATE-----\n...")
    ///     .client_key("-----BEGIN PRIVATE KEY-----\n...");
    /// ```
    #[must_use]
    pub fn client_key(self, pem: impl Into<String>) -> Self {
        self.set("client-key", pem.into())
    }
    /// Skip verifying the API server's certificate (`skip-tls-verify`).
    ///
    /// ```
    /// use juju_client::secretbackends::KubernetesConfig;
    /// let config = KubernetesConfig::new("https://k8s.example:6443", "juju-secrets")
    ///     .skip_tls_verify(true);
    /// ```
    #[must_use]
    pub fn skip_tls_verify(self, skip: bool) -> Self {
        self.set("skip-tls-verify", skip)
    }
    /// Prefer the in-cluster address (`prefer-incluster-address`).
    ///
    /// ```
    /// use juju_client::secretbackends::KubernetesConfig;
    /// let config = KubernetesConfig::new("https://k8s.example:6443", "juju-secrets")
    ///     .prefer_incluster_address(true);
    /// ```
    #[must_use]
    pub fn prefer_incluster_address(self, prefer: bool) -> Self {
        self.set("prefer-incluster-address", prefer)
    }
}

impl From<KubernetesConfig> for BackendConfig {
    fn from(c: KubernetesConfig) -> Self {
        c.0
    }
}

/// The kind of store a backend is ([`SecretBackend::backend_type`]; `BackendType::from("vault")`
/// to build one). `Display` gives the wire string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BackendType {
    /// `vault`: a HashiCorp Vault (or OpenBao) server.
    Vault,
    /// `kubernetes`: Kubernetes secrets (a model's built-in store, or external from 3.6.3).
    Kubernetes,
    /// `controller`: the controller's own database (the `internal` backend).
    Controller,
    /// A type this crate does not know, kept verbatim.
    Other(String),
}

impl BackendType {
    /// The wire string, e.g. `vault`.
    ///
    /// ```
    /// use juju_client::secretbackends::BackendType;
    /// assert_eq!(BackendType::from("vault").as_str(), "vault");
    /// assert_eq!(BackendType::from("aws").as_str(), "aws");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            BackendType::Vault => "vault",
            BackendType::Kubernetes => "kubernetes",
            BackendType::Controller => "controller",
            BackendType::Other(s) => s,
        }
    }
}

impl From<&str> for BackendType {
    fn from(s: &str) -> Self {
        match s {
            "vault" => BackendType::Vault,
            "kubernetes" => BackendType::Kubernetes,
            "controller" => BackendType::Controller,
            other => BackendType::Other(other.to_string()),
        }
    }
}

impl fmt::Display for BackendType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A backend's health as the controller last saw it ([`SecretBackend::status`]). `Display`
/// gives the wire string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BackendStatus {
    /// `active`: reachable (or not pinged, for built-in stores).
    Active,
    /// `error`: the controller could not reach it; see [`SecretBackend::message`].
    Error,
    /// Any other status, kept verbatim.
    Other(String),
}

impl From<&str> for BackendStatus {
    fn from(s: &str) -> Self {
        match s {
            "active" => BackendStatus::Active,
            "error" => BackendStatus::Error,
            other => BackendStatus::Other(other.to_string()),
        }
    }
}

impl fmt::Display for BackendStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BackendStatus::Active => "active",
            BackendStatus::Error => "error",
            BackendStatus::Other(s) => s,
        })
    }
}

/// One entry of a backend list: what [`Controller::list_secret_backends`],
/// [`list_secret_backends_named`](crate::Controller::list_secret_backends_named) and
/// [`show_secret_backend`](crate::Controller::show_secret_backend) return.
///
/// It is `Clone`, `PartialEq` and `serde::Serialize` (field names as here, the type and
/// status as Juju's strings, the interval as a Go duration such as `"1h0m0s"`), so a
/// program can keep, compare and print it. Its `config` holds secret values only when you
/// listed with `reveal`: serialising a revealed backend writes them out, because you asked
/// for them; `Debug` hides them either way.
///
/// [`Controller::list_secret_backends`]: crate::Controller::list_secret_backends
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SecretBackend {
    /// The backend's id, chosen by the controller unless the backend was imported with one.
    /// Its form depends on the Juju version: Juju 3.x gives built-in stores UUIDs (`internal`
    /// has the controller's UUID) and added backends 24 hex digits; Juju 4.0 gives every
    /// backend a random UUID, and all `<model>-local` entries share one. Treat it as opaque.
    pub id: String,
    /// Its name (`internal` for the controller's own store).
    pub name: String,
    /// Its type.
    pub backend_type: BackendType,
    /// Its config; secret keys are absent unless listed with `reveal`.
    pub config: BackendConfig,
    /// How often the controller rotates the backend's token, if it does. Juju 4.0 stores an
    /// interval of zero (no rotation) and lists it as `Some(Duration::ZERO)`; Juju 3.x
    /// lists no interval instead.
    #[serde(serialize_with = "go_duration")]
    pub token_rotate_interval: Option<Duration>,
    /// How many secrets (across all models) store content in it.
    pub num_secrets: u64,
    /// Whether the controller could reach it.
    pub status: BackendStatus,
    /// Why the status is not `active`, when it is not.
    pub message: Option<String>,
    /// Set when the controller could not read this entry; the other fields are then empty.
    pub error: Option<Error>,
}

#[allow(
    clippy::ref_option,
    reason = "serde's serialize_with passes the field by reference"
)]
fn go_duration<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&crate::goduration::format_go_duration(*d)),
        None => s.serialize_none(),
    }
}

impl Serialize for BackendType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for BackendStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl SecretBackend {
    /// True for a store the controller provides itself: `internal` (the controller's
    /// database) and a Kubernetes model's `<model>-local`. Both names are reserved, so no
    /// backend you add has them. (The `juju` CLI goes by "the id is a UUID", which Juju 4.0
    /// broke: there every id is a UUID.)
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let added: Vec<_> = ctrl
    ///     .list_secret_backends(false)?
    ///     .into_iter()
    ///     .filter(|b| !b.is_builtin())
    ///     .collect();
    /// # Ok(()) }
    /// ```
    pub fn is_builtin(&self) -> bool {
        match self.backend_type {
            BackendType::Controller => self.name == "internal",
            // Juju 3.x lets you add a `-local` name; its model stores have UUID ids, and
            // 4.0's share the built-in `kubernetes` backend's UUID.
            BackendType::Kubernetes => {
                self.name.ends_with("-local") && crate::util::is_uuid(&self.id)
            }
            _ => false,
        }
    }
}

/// A backend to add: name, type, config, and optionally an id and a token rotate interval.
///
/// ```
/// use std::time::Duration;
/// use juju_client::secretbackends::{AddSecretBackend, VaultConfig};
///
/// let add = AddSecretBackend::new("myvault", "vault", VaultConfig::new("https://v:8200").token("t"))
///     .token_rotate_interval(Duration::from_secs(24 * 3600));
/// ```
#[derive(Clone, Debug)]
pub struct AddSecretBackend {
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    pub(crate) backend_type: String,
    pub(crate) config: BackendConfig,
    pub(crate) token_rotate_interval: Option<Duration>,
}

impl AddSecretBackend {
    /// A backend named `name` of type `backend_type` (`vault`, `kubernetes`, ...).
    ///
    /// ```
    /// use juju_client::secretbackends::{AddSecretBackend, VaultConfig};
    /// let add = AddSecretBackend::new("myvault", "vault", VaultConfig::new("https://v:8200"));
    /// ```
    pub fn new(
        name: impl Into<String>,
        backend_type: impl Into<String>,
        config: impl Into<BackendConfig>,
    ) -> Self {
        AddSecretBackend {
            id: None,
            name: name.into(),
            backend_type: backend_type.into(),
            config: config.into(),
            token_rotate_interval: None,
        }
    }

    /// Imports the backend under this id (the CLI's `--import-id`); by default the
    /// controller chooses one.
    ///
    /// ```
    /// use juju_client::secretbackends::{AddSecretBackend, VaultConfig};
    /// let add = AddSecretBackend::new("myvault", "vault", VaultConfig::new("https://v:8200"))
    ///     .id("6438a8e4f1e2d3c4b5a69788");
    /// ```
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into()).filter(|s: &String| !s.is_empty());
        self
    }

    /// Rotates the backend's token this often (at least one hour). Juju 4.0 also takes zero,
    /// for no rotation; Juju 3.x refuses zero on add (leave it unset instead), and so does
    /// the SDK before sending when the controller is 3.x.
    ///
    /// ```
    /// use juju_client::secretbackends::{AddSecretBackend, VaultConfig};
    /// let add = AddSecretBackend::new("myvault", "vault", VaultConfig::new("https://v:8200"))
    ///     .token_rotate_interval(std::time::Duration::from_secs(24 * 3600));
    /// ```
    #[must_use]
    pub fn token_rotate_interval(mut self, interval: Duration) -> Self {
        self.token_rotate_interval = Some(interval);
        self
    }
}

/// Changes to one backend: any of a rename, config keys to merge, keys to reset, the token
/// rotate interval, and `force` (skip the controller's reachability check).
///
/// ```
/// use std::time::Duration;
/// use juju_client::secretbackends::UpdateSecretBackend;
///
/// let update = UpdateSecretBackend::new()
///     .name_change("vault-prod")
///     .config([("token", "s.new")])
///     .reset(["tls-server-name"])
///     .token_rotate_interval(Duration::from_secs(48 * 3600));
/// ```
#[derive(Clone, Debug, Default)]
pub struct UpdateSecretBackend {
    pub(crate) name_change: Option<String>,
    pub(crate) config: Option<BackendConfig>,
    pub(crate) reset: Vec<String>,
    pub(crate) token_rotate_interval: Option<Option<Duration>>,
    pub(crate) force: bool,
}

impl UpdateSecretBackend {
    /// No change yet.
    ///
    /// ```
    /// use juju_client::secretbackends::UpdateSecretBackend;
    /// let update = UpdateSecretBackend::new();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Renames the backend. Juju 3.x refuses while the backend stores secrets; 4.0 allows it.
    ///
    /// ```
    /// use juju_client::secretbackends::UpdateSecretBackend;
    /// let update = UpdateSecretBackend::new().name_change("vault-prod");
    /// ```
    #[must_use]
    pub fn name_change(mut self, new_name: impl Into<String>) -> Self {
        self.name_change = Some(new_name.into());
        self
    }

    /// Config keys to set; the controller merges them over the stored config.
    ///
    /// ```
    /// use juju_client::secretbackends::UpdateSecretBackend;
    /// let update = UpdateSecretBackend::new().config([("token", "s.new")]);
    /// ```
    #[must_use]
    pub fn config(mut self, config: impl Into<BackendConfig>) -> Self {
        self.config = Some(config.into());
        self
    }

    /// Config keys to remove.
    ///
    /// ```
    /// use juju_client::secretbackends::UpdateSecretBackend;
    /// let update = UpdateSecretBackend::new().reset(["ca-cert", "tls-server-name"]);
    /// ```
    #[must_use]
    pub fn reset<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.reset.extend(keys.into_iter().map(Into::into));
        self
    }

    /// Sets the token rotate interval (at least one hour). Zero stops rotation: Juju 3.x
    /// then clears the interval, Juju 4.0 stores and lists it as zero.
    ///
    /// ```
    /// use juju_client::secretbackends::UpdateSecretBackend;
    /// let update = UpdateSecretBackend::new().token_rotate_interval(std::time::Duration::from_secs(48 * 3600));
    /// ```
    #[must_use]
    pub fn token_rotate_interval(mut self, interval: Duration) -> Self {
        self.token_rotate_interval = Some(Some(interval));
        self
    }

    /// Stops token rotation (sends an interval of zero; see
    /// [`token_rotate_interval`](Self::token_rotate_interval)).
    ///
    /// ```
    /// use juju_client::secretbackends::UpdateSecretBackend;
    /// let update = UpdateSecretBackend::new().clear_token_rotate_interval();
    /// ```
    #[must_use]
    pub fn clear_token_rotate_interval(mut self) -> Self {
        self.token_rotate_interval = Some(None);
        self
    }

    /// Skips the controller's check that the backend is reachable with the new config.
    ///
    /// ```
    /// use juju_client::secretbackends::UpdateSecretBackend;
    /// let update = UpdateSecretBackend::new().config([("tls-server-name", "vault.new")]).force(true);
    /// ```
    #[must_use]
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }
}
