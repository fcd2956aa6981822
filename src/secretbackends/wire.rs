//! The wire forms of the `SecretBackends` calls (`rpc/params/secrets.go`).

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::types::{BackendConfig, BackendStatus, BackendType, SecretBackend};
use crate::params::ApiError;
use crate::redact::Redaction;

#[derive(Serialize)]
pub(super) struct Args<T> {
    pub(super) args: Vec<T>,
}

#[derive(Serialize)]
pub(super) struct AddArg<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) id: Option<&'a str>,
    pub(super) name: &'a str,
    #[serde(rename = "backend-type")]
    pub(super) backend_type: &'a str,
    #[serde(
        rename = "token-rotate-interval",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) token_rotate_interval: Option<u64>,
    pub(super) config: &'a BackendConfig,
}

#[derive(Serialize)]
pub(super) struct UpdateArg<'a> {
    pub(super) name: &'a str,
    #[serde(rename = "name-change", skip_serializing_if = "Option::is_none")]
    pub(super) name_change: Option<&'a str>,
    /// Not omitted: `null` leaves the interval unchanged, `0` clears it.
    #[serde(rename = "token-rotate-interval")]
    pub(super) token_rotate_interval: Option<u64>,
    pub(super) config: Option<&'a BackendConfig>,
    pub(super) reset: Option<&'a [String]>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(super) force: bool,
}

#[derive(Serialize)]
pub(super) struct RemoveArg<'a> {
    pub(super) name: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(super) force: bool,
}

#[derive(Serialize)]
pub(super) struct ListArgs<'a> {
    pub(super) names: Option<&'a [String]>,
    pub(super) reveal: bool,
}

#[derive(Deserialize)]
pub(super) struct WireBackend {
    #[serde(default)]
    pub(super) name: String,
    #[serde(rename = "backend-type", default = "no_type")]
    pub(super) backend_type: BackendType,
    #[serde(rename = "token-rotate-interval", default)]
    pub(super) token_rotate_interval: Option<u64>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub(super) config: BackendConfig,
}

pub(super) fn no_type() -> BackendType {
    BackendType::Other(String::new())
}

pub(super) fn null_as_empty<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BackendConfig, D::Error> {
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
pub(super) struct WireResult {
    #[serde(default)]
    pub(super) result: Option<WireBackend>,
    #[serde(default)]
    pub(super) id: String,
    #[serde(rename = "num-secrets", default)]
    pub(super) num_secrets: u64,
    #[serde(default = "no_status")]
    pub(super) status: BackendStatus,
    #[serde(default)]
    pub(super) message: Option<String>,
    #[serde(default)]
    pub(super) error: Option<ApiError>,
}

pub(super) fn no_status() -> BackendStatus {
    BackendStatus::Other(String::new())
}

/// Deserializes a wire string into a type with known values without allocating for them.
pub(super) fn from_wire_str<'de, D, T>(d: D) -> Result<T, D::Error>
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
    pub(super) results: Option<Vec<WireResult>>,
}

impl ListResults {
    pub(crate) fn into_backends(self, policy: &'static Redaction) -> Vec<SecretBackend> {
        self.results
            .unwrap_or_default()
            .into_iter()
            .map(|r| SecretBackend::from_wire(r, policy))
            .collect()
    }
}

impl SecretBackend {
    fn from_wire(r: WireResult, policy: &'static Redaction) -> Self {
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
            error: r.error.map(|e| e.into_error(policy)),
        }
    }
}
