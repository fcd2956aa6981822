//! The `SecretBackends` facade (v1): add, list, update and remove the Vault or Kubernetes
//! stores where the controller keeps secret content.
//!
//! The four calls python-libjuju users know keep their names and argument order
//! ([`Controller::add_secret_backends`], [`Controller::list_secret_backends`],
//! [`Controller::update_secret_backends`], [`Controller::remove_secret_backends`]); the
//! `_batch` forms send many items in one round trip and return one `Result` per item.
//! Inputs are checked before sending, so mistakes get a clear message; the controller
//! stays the authority and whatever it refuses comes back with its code.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::goduration::{format_go_duration, parse_go_duration};

use crate::error::{Error, ErrorCode};
use crate::redact::{is_public_config_key, REDACTED};
use crate::Controller;

const FACADE: &str = "SecretBackends";
const MIN_ROTATE: Duration = Duration::from_secs(3600);
const RESERVED_NAMES: &[&str] = &["internal", "auto"];

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
    pub fn prefer_incluster_address(self, prefer: bool) -> Self {
        self.set("prefer-incluster-address", prefer)
    }
}

impl From<KubernetesConfig> for BackendConfig {
    fn from(c: KubernetesConfig) -> Self {
        c.0
    }
}

/// The kind of store a backend is. `Display` gives the wire string.
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

/// A backend's health as the controller last saw it. `Display` gives the wire string.
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

/// One entry of a backend list.
#[derive(Debug)]
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
    id: Option<String>,
    name: String,
    backend_type: String,
    config: BackendConfig,
    token_rotate_interval: Option<Duration>,
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
    name_change: Option<String>,
    config: Option<BackendConfig>,
    reset: Vec<String>,
    token_rotate_interval: Option<Option<Duration>>,
    force: bool,
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
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }
}

// ---- wire types ----------------------------------------------------------------------

#[derive(Serialize)]
struct Args<T> {
    args: Vec<T>,
}

#[derive(Serialize)]
struct AddArg<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    name: &'a str,
    #[serde(rename = "backend-type")]
    backend_type: &'a str,
    #[serde(
        rename = "token-rotate-interval",
        skip_serializing_if = "Option::is_none"
    )]
    token_rotate_interval: Option<u64>,
    config: &'a BackendConfig,
}

#[derive(Serialize)]
struct UpdateArg<'a> {
    name: &'a str,
    #[serde(rename = "name-change", skip_serializing_if = "Option::is_none")]
    name_change: Option<&'a str>,
    /// Not omitted: `null` leaves the interval unchanged, `0` clears it.
    #[serde(rename = "token-rotate-interval")]
    token_rotate_interval: Option<u64>,
    config: Option<&'a BackendConfig>,
    reset: Option<&'a [String]>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    force: bool,
}

#[derive(Serialize)]
struct RemoveArg<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    force: bool,
}

#[derive(Serialize)]
struct ListArgs<'a> {
    names: Option<&'a [String]>,
    reveal: bool,
}

#[derive(Deserialize)]
struct WireError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    info: Option<Value>,
}

impl WireError {
    fn into_error(self) -> Error {
        Error::api(self.message, ErrorCode::from_wire(&self.code), self.info)
    }
}

#[derive(Deserialize)]
struct ErrorResult {
    #[serde(default)]
    error: Option<WireError>,
}

#[derive(Deserialize)]
pub(crate) struct ErrorResults {
    #[serde(default)]
    results: Option<Vec<ErrorResult>>,
}

#[derive(Deserialize)]
struct WireBackend {
    #[serde(default)]
    name: String,
    #[serde(rename = "backend-type", default = "no_type")]
    backend_type: BackendType,
    #[serde(rename = "token-rotate-interval", default)]
    token_rotate_interval: Option<u64>,
    #[serde(default, deserialize_with = "null_as_empty")]
    config: BackendConfig,
}

fn no_type() -> BackendType {
    BackendType::Other(String::new())
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BackendConfig, D::Error> {
    Ok(Option::<BackendConfig>::deserialize(d)?.unwrap_or_default())
}

impl Default for WireBackend {
    fn default() -> Self {
        WireBackend {
            name: String::new(),
            backend_type: no_type(),
            token_rotate_interval: None,
            config: BackendConfig::default(),
        }
    }
}

#[derive(Deserialize)]
struct WireResult {
    #[serde(default)]
    result: Option<WireBackend>,
    #[serde(default)]
    id: String,
    #[serde(rename = "num-secrets", default)]
    num_secrets: u64,
    #[serde(default = "no_status")]
    status: BackendStatus,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error: Option<WireError>,
}

fn no_status() -> BackendStatus {
    BackendStatus::Other(String::new())
}

/// Deserializes a wire string into a type with known values without allocating for them.
fn from_wire_str<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: for<'a> From<&'a str>,
{
    struct V<T>(std::marker::PhantomData<T>);
    impl<T: for<'a> From<&'a str>> serde::de::Visitor<'_> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from(v))
        }
    }
    d.deserialize_str(V(std::marker::PhantomData))
}

impl<'de> Deserialize<'de> for BackendType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_wire_str(d)
    }
}

impl<'de> Deserialize<'de> for BackendStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_wire_str(d)
    }
}

#[derive(Deserialize)]
pub(crate) struct ListResults {
    #[serde(default)]
    results: Option<Vec<WireResult>>,
}

impl ListResults {
    pub(crate) fn into_backends(self) -> Vec<SecretBackend> {
        self.results
            .unwrap_or_default()
            .into_iter()
            .map(SecretBackend::from)
            .collect()
    }
}

impl From<WireResult> for SecretBackend {
    fn from(r: WireResult) -> Self {
        let b = r.result.unwrap_or_default();
        SecretBackend {
            id: r.id,
            name: b.name,
            backend_type: b.backend_type,
            config: b.config,
            token_rotate_interval: b.token_rotate_interval.map(Duration::from_nanos),
            num_secrets: r.num_secrets,
            status: r.status,
            message: r.message.filter(|m| !m.is_empty()),
            error: r.error.map(WireError::into_error),
        }
    }
}

// ---- local checks --------------------------------------------------------------------

/// A config key of a provider schema.
struct Field {
    key: &'static str,
    kind: FieldKind,
    required: bool,
}

#[derive(PartialEq)]
enum FieldKind {
    Str,
    Bool,
    StrList,
}

const fn field(key: &'static str, kind: FieldKind, required: bool) -> Field {
    Field {
        key,
        kind,
        required,
    }
}

const VAULT_SCHEMA: &[Field] = &[
    field("endpoint", FieldKind::Str, true),
    field("token", FieldKind::Str, false),
    field("namespace", FieldKind::Str, false),
    field("mount-path", FieldKind::Str, false),
    field("ca-cert", FieldKind::Str, false),
    field("client-cert", FieldKind::Str, false),
    field("client-key", FieldKind::Str, false),
    field("tls-server-name", FieldKind::Str, false),
];

const KUBERNETES_SCHEMA: &[Field] = &[
    field("endpoint", FieldKind::Str, true),
    field("namespace", FieldKind::Str, true),
    field("service-account", FieldKind::Str, false),
    field("ca-certs", FieldKind::StrList, false),
    field("ca-cert", FieldKind::Str, false),
    field("token", FieldKind::Str, false),
    field("username", FieldKind::Str, false),
    field("password", FieldKind::Str, false),
    field("client-cert", FieldKind::Str, false),
    field("client-key", FieldKind::Str, false),
    field("skip-tls-verify", FieldKind::Bool, false),
    field("prefer-incluster-address", FieldKind::Bool, false),
];

fn not_valid(msg: String) -> Error {
    Error::invalid(msg).with_code(ErrorCode::NotValid)
}

fn check_name(name: &str, what: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(not_valid(format!("{what} must not be empty")));
    }
    if RESERVED_NAMES.contains(&name) {
        return Err(not_valid(format!(
            "{what} {name:?} is reserved (internal and auto name the controller's own stores)"
        )));
    }
    Ok(())
}

fn check_rotate(interval: Duration) -> Result<(), Error> {
    if !interval.is_zero() && interval < MIN_ROTATE {
        return Err(not_valid(format!(
            "token rotate interval {} is less than 1h",
            format_go_duration(interval)
        )));
    }
    if interval.as_nanos() > i64::MAX as u128 {
        return Err(not_valid(format!(
            "token rotate interval {} is too long",
            format_go_duration(interval)
        )));
    }
    Ok(())
}

/// Checks a vault or kubernetes config against the provider's schema; other types pass.
fn check_config(
    backend_type: &str,
    config: &BackendConfig,
    rotate: Option<Duration>,
) -> Result<(), Error> {
    let (schema, label) = match backend_type {
        "vault" => (VAULT_SCHEMA, "vault"),
        "kubernetes" => (KUBERNETES_SCHEMA, "k8s"),
        _ => return Ok(()),
    };
    let bad = |detail: String| {
        not_valid(format!(
            "invalid config for {backend_type} backend: {detail}"
        ))
    };
    for key in config.keys() {
        if !schema.iter().any(|f| f.key == key) {
            let known: Vec<&str> = schema.iter().map(|f| f.key).collect();
            // Never echo the value: it may be a mistyped secret.
            return Err(bad(format!(
                "unknown key {key:?} (known keys: {})",
                known.join(", ")
            )));
        }
    }
    for f in schema {
        match config.get(f.key) {
            None | Some(Value::Null) if f.required => {
                return Err(bad(format!("{:?} is required", f.key)))
            }
            None | Some(Value::Null) => {}
            Some(v) => {
                let ok = match f.kind {
                    FieldKind::Str => v.is_string(),
                    FieldKind::Bool => {
                        v.is_boolean() || matches!(v.as_str(), Some("true" | "false"))
                    }
                    FieldKind::StrList => {
                        v.is_string()
                            || v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
                    }
                };
                if !ok {
                    let want = match f.kind {
                        FieldKind::Str => "a string",
                        FieldKind::Bool => "a boolean",
                        FieldKind::StrList => "a list of strings",
                    };
                    return Err(bad(format!("{:?} must be {want}", f.key)));
                }
                if f.required && v.as_str() == Some("") {
                    return Err(bad(format!("{:?} must not be empty", f.key)));
                }
            }
        }
    }
    match (
        config.contains_key("client-cert"),
        config.contains_key("client-key"),
    ) {
        (true, false) => return Err(bad(format!("{label} config missing client key"))),
        (false, true) => return Err(bad(format!("{label} config missing client certificate"))),
        _ => {}
    }
    if backend_type == "kubernetes" && rotate.is_some() && !config.contains_key("service-account") {
        return Err(bad(
            "k8s config missing service account (required with a token rotate interval)".into(),
        ));
    }
    Ok(())
}

/// What the SDK checks depends on the controller, so that it never refuses what the
/// controller accepts.
#[derive(Clone, Copy)]
struct Server {
    /// Juju 3.x refuses a zero rotate interval on add; 4.0 stores it.
    refuses_zero_rotate_on_add: bool,
}

impl Server {
    fn of(ctrl: &Controller) -> Server {
        Server {
            // An unknown version: let the controller answer.
            refuses_zero_rotate_on_add: ctrl.server_major().is_some_and(|m| m < 4),
        }
    }
}

fn check_add(a: &AddSecretBackend, server: Server) -> Result<(), Error> {
    check_name(&a.name, "secret backend name")?;
    if a.backend_type.is_empty() {
        return Err(not_valid("secret backend type must not be empty".into()));
    }
    if let Some(i) = a.token_rotate_interval {
        if i.is_zero() && server.refuses_zero_rotate_on_add {
            return Err(not_valid(
                "token rotate interval cannot be 0 when adding a backend (leave it unset for no rotation)"
                    .into(),
            ));
        }
        check_rotate(i)?;
    }
    check_config(&a.backend_type, &a.config, a.token_rotate_interval)
}

fn check_update(name: &str, u: &UpdateSecretBackend) -> Result<(), Error> {
    check_name(name, "secret backend name")?;
    if let Some(new) = &u.name_change {
        check_name(new, "new secret backend name")?;
    }
    if let Some(Some(i)) = u.token_rotate_interval {
        check_rotate(i)?;
    }
    Ok(())
}

fn nanos(d: Duration) -> u64 {
    d.as_nanos() as u64
}

/// Pairs local check results with the controller's per-item results, in order.
pub(crate) fn merge_results(
    checks: Vec<Result<(), Error>>,
    sent: Option<ErrorResults>,
    method: &str,
) -> Result<Vec<Result<(), Error>>, Error> {
    let wanted = checks.iter().filter(|c| c.is_ok()).count();
    let mut replies = sent.and_then(|r| r.results).unwrap_or_default().into_iter();
    if replies.len() != wanted {
        return Err(Error::protocol(format!(
            "{FACADE}.{method}: expected {wanted} results, got {}",
            replies.len()
        )));
    }
    Ok(checks
        .into_iter()
        .map(|c| {
            c?;
            match replies.next().and_then(|r| r.error) {
                Some(e) if !e.message.is_empty() || !e.code.is_empty() => Err(e.into_error()),
                _ => Ok(()),
            }
        })
        .collect())
}

fn single(mut results: Vec<Result<(), Error>>) -> Result<(), Error> {
    results
        .pop()
        .unwrap_or_else(|| Err(Error::protocol("no result for the one item sent")))
}

impl Controller {
    fn sb_version(&self) -> Result<u32, Error> {
        self.require_facade(FACADE)
    }

    fn server_major(&self) -> Option<u32> {
        crate::version::Version::parse(&self.server_version()).map(|v| v.major)
    }

    /// Adds one secret backend, as python-libjuju's `add_secret_backends(id_, name,
    /// backend_type, config)`. An empty `id` lets the controller choose one.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// use juju_client::secretbackends::BackendConfig;
    /// let config: BackendConfig = [("endpoint", "https://vault:8200"), ("token", "s.root")].into();
    /// ctrl.add_secret_backends("", "myvault", "vault", config)?;
    /// # Ok(()) }
    /// ```
    pub fn add_secret_backends(
        &self,
        id: &str,
        name: &str,
        backend_type: &str,
        config: impl Into<BackendConfig>,
    ) -> Result<(), Error> {
        let add = AddSecretBackend::new(name, backend_type, config).id(id);
        single(self.add_secret_backends_batch(std::slice::from_ref(&add))?)
    }

    /// Adds many backends in one round trip. The outer `Err` is for the call as a whole
    /// (connection, permission); each item gets its own `Result`, in order. Items that fail
    /// the local checks are not sent.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// use juju_client::secretbackends::{AddSecretBackend, VaultConfig};
    /// let results = ctrl.add_secret_backends_batch(&[
    ///     AddSecretBackend::new("vault-a", "vault", VaultConfig::new("https://a:8200")),
    ///     AddSecretBackend::new("vault-b", "vault", VaultConfig::new("https://b:8200")),
    /// ])?;
    /// for r in results {
    ///     if let Err(e) = r { eprintln!("{e}"); }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn add_secret_backends_batch(
        &self,
        backends: &[AddSecretBackend],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let server = Server::of(self);
        let checks: Vec<_> = backends.iter().map(|a| check_add(a, server)).collect();
        let args: Vec<AddArg> = backends
            .iter()
            .zip(&checks)
            .filter(|(_, c)| c.is_ok())
            .map(|(a, _)| AddArg {
                id: a.id.as_deref(),
                name: &a.name,
                backend_type: &a.backend_type,
                token_rotate_interval: a.token_rotate_interval.map(nanos),
                config: &a.config,
            })
            .collect();
        self.send_batch("AddSecretBackends", checks, args)
    }

    /// Lists every backend, the controller's `internal` one included. With `reveal`, secret
    /// config values are included (needs controller `superuser`).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// for b in ctrl.list_secret_backends(false)? {
    ///     println!("{:<12} {:<10} {:>4} {}", b.name, b.backend_type, b.num_secrets, b.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_secret_backends(&self, reveal: bool) -> Result<Vec<SecretBackend>, Error> {
        self.list_inner(None, reveal)
    }

    /// Lists the backends with these names (unknown names are skipped; an empty list means
    /// every backend, as on the wire).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let some = ctrl.list_secret_backends_named(["vault-a", "vault-b"], false)?;
    /// # Ok(()) }
    /// ```
    pub fn list_secret_backends_named<I, S>(
        &self,
        names: I,
        reveal: bool,
    ) -> Result<Vec<SecretBackend>, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        self.list_inner(Some(&names), reveal)
    }

    /// The backend named `name`. An unknown name is an `Err` worded, and coded, as the
    /// controller words an unknown name on update: `not found` from Juju 3.x, `secret backend
    /// not found` from 4.0 (match on [`ErrorCode::generic`] to handle both).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let b = ctrl.show_secret_backend("myvault", true)?;
    /// println!("{:?}", b.config);
    /// # Ok(()) }
    /// ```
    pub fn show_secret_backend(&self, name: &str, reveal: bool) -> Result<SecretBackend, Error> {
        let names = [name.to_string()];
        let found = self
            .list_inner(Some(&names), reveal)?
            .into_iter()
            .find(|b| b.name == name);
        match found {
            Some(SecretBackend { error: Some(e), .. }) => Err(e),
            Some(b) => Ok(b),
            None if self.server_major() >= Some(4) => Err(Error::api(
                format!("secret backend not found: {name:?}"),
                Some(ErrorCode::SecretBackendNotFound),
                None,
            )),
            None => Err(Error::api(
                format!("secret backend {name:?} not found"),
                Some(ErrorCode::NotFound),
                None,
            )),
        }
    }

    fn list_inner(
        &self,
        names: Option<&[String]>,
        reveal: bool,
    ) -> Result<Vec<SecretBackend>, Error> {
        let version = self.sb_version()?;
        let reply: ListResults = self.call_inner(
            FACADE,
            version,
            "ListSecretBackends",
            &ListArgs { names, reveal },
            false,
        )?;
        Ok(reply.into_backends())
    }

    /// Updates one backend, as python-libjuju's `update_secret_backends`, plus `reset`.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// use juju_client::secretbackends::UpdateSecretBackend;
    /// ctrl.update_secret_backends("myvault", UpdateSecretBackend::new().name_change("vault-prod"))?;
    /// # Ok(()) }
    /// ```
    pub fn update_secret_backends(
        &self,
        name: &str,
        update: UpdateSecretBackend,
    ) -> Result<(), Error> {
        single(self.update_secret_backends_batch([(name, update)])?)
    }

    /// Updates many backends in one round trip; one `Result` per item, in order.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// use juju_client::secretbackends::UpdateSecretBackend;
    /// let token = UpdateSecretBackend::new().config([("token", "s.new")]);
    /// let results = ctrl.update_secret_backends_batch([
    ///     ("vault-a", token.clone()),
    ///     ("vault-b", token),
    /// ])?;
    /// # Ok(()) }
    /// ```
    pub fn update_secret_backends_batch<I, S>(
        &self,
        updates: I,
    ) -> Result<Vec<Result<(), Error>>, Error>
    where
        I: IntoIterator<Item = (S, UpdateSecretBackend)>,
        S: Into<String>,
    {
        let updates: Vec<(String, UpdateSecretBackend)> =
            updates.into_iter().map(|(n, u)| (n.into(), u)).collect();
        let checks: Vec<_> = updates.iter().map(|(n, u)| check_update(n, u)).collect();
        let args: Vec<UpdateArg> = updates
            .iter()
            .zip(&checks)
            .filter(|(_, c)| c.is_ok())
            .map(|((name, u), _)| UpdateArg {
                name,
                name_change: u.name_change.as_deref(),
                token_rotate_interval: u.token_rotate_interval.map(|i| i.map_or(0, nanos)),
                config: u.config.as_ref(),
                reset: (!u.reset.is_empty()).then_some(u.reset.as_slice()),
                force: u.force,
            })
            .collect();
        self.send_batch("UpdateSecretBackends", checks, args)
    }

    /// Removes one backend, as python-libjuju's `remove_secret_backends(name, force)`.
    /// Without `force`, a backend that still stores secrets is refused (`not supported`).
    /// Removing a name that does not exist succeeds on Juju 3.x and is an error on 4.0
    /// (`secret backend not found`), as is removing a built-in backend even with `force`.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// ctrl.remove_secret_backends("myvault", false)?;
    /// # Ok(()) }
    /// ```
    pub fn remove_secret_backends(&self, name: &str, force: bool) -> Result<(), Error> {
        single(self.remove_secret_backends_batch([name], force)?)
    }

    /// Removes many backends in one round trip; one `Result` per name, in order.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let results = ctrl.remove_secret_backends_batch(["vault-a", "vault-b"], false)?;
    /// # Ok(()) }
    /// ```
    pub fn remove_secret_backends_batch<I, S>(
        &self,
        names: I,
        force: bool,
    ) -> Result<Vec<Result<(), Error>>, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        let checks: Vec<_> = names
            .iter()
            .map(|n| check_name(n, "secret backend name"))
            .collect();
        let args: Vec<RemoveArg> = names
            .iter()
            .zip(&checks)
            .filter(|(_, c)| c.is_ok())
            .map(|(name, _)| RemoveArg { name, force })
            .collect();
        self.send_batch("RemoveSecretBackends", checks, args)
    }

    fn send_batch<T: Serialize>(
        &self,
        method: &str,
        checks: Vec<Result<(), Error>>,
        args: Vec<T>,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let reply = if args.is_empty() {
            None
        } else {
            let version = self.sb_version()?;
            Some(self.call_inner(FACADE, version, method, &Args { args }, true)?)
        };
        merge_results(checks, reply, method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_wire_form_distinguishes_unchanged_cleared_and_set() {
        let enc = |u: &UpdateSecretBackend| {
            serde_json::to_value(UpdateArg {
                name: "v",
                name_change: u.name_change.as_deref(),
                token_rotate_interval: u.token_rotate_interval.map(|i| i.map_or(0, nanos)),
                config: u.config.as_ref(),
                reset: (!u.reset.is_empty()).then_some(u.reset.as_slice()),
                force: u.force,
            })
            .unwrap()
        };
        let unchanged = enc(&UpdateSecretBackend::new());
        assert_eq!(unchanged["token-rotate-interval"], Value::Null);
        assert!(unchanged.get("force").is_none());
        assert!(unchanged.get("name-change").is_none());
        let cleared = enc(&UpdateSecretBackend::new().clear_token_rotate_interval());
        assert_eq!(cleared["token-rotate-interval"], 0);
        let set =
            enc(&UpdateSecretBackend::new().token_rotate_interval(Duration::from_secs(12000)));
        assert_eq!(set["token-rotate-interval"], 12_000_000_000_000u64);
    }

    #[test]
    fn config_checks_follow_the_provider_schemas() {
        let vault = |pairs: &[(&str, &str)]| -> BackendConfig { pairs.iter().copied().collect() };
        assert!(check_config("vault", &vault(&[("endpoint", "http://v")]), None).is_ok());
        let e = check_config(
            "vault",
            &vault(&[("endpoint", "http://v"), ("tokn", "s3cret")]),
            None,
        )
        .unwrap_err();
        assert!(e.message().contains("unknown key \"tokn\""));
        assert!(!e.to_string().contains("s3cret"));
        assert!(check_config("vault", &vault(&[("token", "t")]), None).is_err());
        let e = check_config(
            "vault",
            &vault(&[("endpoint", "e"), ("client-cert", "c")]),
            None,
        )
        .unwrap_err();
        assert!(e.message().contains("vault config missing client key"));
        let k8s = vault(&[("endpoint", "e"), ("namespace", "n")]);
        assert!(check_config("kubernetes", &k8s, None).is_ok());
        assert!(check_config("kubernetes", &k8s, Some(MIN_ROTATE)).is_err());
        assert!(check_config("newtype", &vault(&[("anything", "x")]), None).is_ok());
    }
}
