//! The fake's `SecretBackends` v1: decoding, the provider schemas and the simulated ping,
//! shared by every version, and Juju 3.6's rules and texts (`apiserver/facades/client/
//! secretbackends`, `state/secretbackends.go`), which 3.1 to 3.6 all get. Juju 4.0's rules,
//! which differ in order, texts, codes, ids and list shape, are in [`juju4`]; [`Rules`]
//! picks one set per emulated version.

mod juju4;

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::State;
use super::secrets::Usage;
use super::server::Ctx;
use super::versions::Emulation;
use super::wire::{Reply, RpcErr, error_results, json_type_error, perm};

/// A backend a user added.
#[derive(Clone)]
#[allow(
    clippy::struct_field_names,
    reason = "backend_type is the wire's backend-type, as the Go struct names it"
)]
pub(crate) struct Backend {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) backend_type: String,
    pub(crate) config: Map<String, Value>,
    pub(crate) token_rotate_interval: Option<i64>,
}

/// What `SecretBackends` keeps.
pub(crate) struct SecretBackends {
    /// The backends users added; the built-in ones are not stored here.
    pub(crate) added: Vec<Backend>,
    /// The id of the built-in `internal` backend: the controller's UUID in 3.x, a random
    /// UUID of its own in 4.0.
    pub(crate) internal_id: String,
    /// The id of Juju 4.0's built-in `kubernetes` backend (never listed; unused in 3.x).
    pub(crate) kubernetes_id: String,
    /// How much each backend (by id) is used by the secrets of all models: kept by
    /// [`State::recount_secrets`] from what the `Secrets` store holds.
    pub(crate) counts: HashMap<String, Usage>,
}

impl SecretBackends {
    /// No backends but the built-in ones; `internal` has the id `internal_id`.
    pub(crate) fn new(internal_id: String) -> SecretBackends {
        SecretBackends {
            added: Vec::new(),
            internal_id,
            kubernetes_id: crate::util::random_uuid(),
            counts: HashMap::new(),
        }
    }

    /// The id of the backend named `name`, `internal` included.
    pub(crate) fn id_of(&self, name: &str) -> Option<String> {
        if name == "internal" {
            return Some(self.internal_id.clone());
        }
        self.added
            .iter()
            .find(|b| b.name == name)
            .map(|b| b.id.clone())
    }

    /// A backend a user added, by name.
    pub(crate) fn named(&self, name: &str) -> Option<&Backend> {
        self.added.iter().find(|b| b.name == name)
    }

    /// A backend a user added, by id.
    pub(crate) fn by_id(&self, id: &str) -> Option<&Backend> {
        self.added.iter().find(|b| b.id == id)
    }

    /// `num-secrets`: the distinct secrets with a revision in backend `id`.
    pub(crate) fn secrets_in(&self, id: &str) -> u64 {
        self.counts.get(id).map_or(0, |u| u.secrets)
    }

    /// The secret revisions stored in backend `id`: Juju's reference count of the
    /// backend, which blocks its removal (and, before 4.0, its renaming).
    pub(crate) fn revisions_in(&self, id: &str) -> u64 {
        self.counts.get(id).map_or(0, |u| u.revisions)
    }
}

impl State {
    /// Recomputes the per-backend totals that SecretBackends reads from the secrets all
    /// models store, in each backend that still exists; called after every change to them.
    pub(crate) fn recount_secrets(&mut self) {
        let mut totals = self.secrets.usage(None);
        let sb = &self.secret_backends;
        totals.retain(|id, _| *id == sb.internal_id || sb.by_id(id).is_some());
        self.secret_backends.counts = totals;
    }
}

/// `(key, kind, required, secret, immutable)` of a provider schema field.
type FieldSpec = (&'static str, Kind, bool, bool, bool);

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Str,
    Bool,
    List,
}

const VAULT: &[FieldSpec] = &[
    ("endpoint", Kind::Str, true, false, true),
    ("token", Kind::Str, false, true, false),
    ("namespace", Kind::Str, false, false, true),
    ("mount-path", Kind::Str, false, false, true),
    ("ca-cert", Kind::Str, false, false, false),
    ("client-cert", Kind::Str, false, false, false),
    ("client-key", Kind::Str, false, true, false),
    ("tls-server-name", Kind::Str, false, false, false),
];

const KUBERNETES: &[FieldSpec] = &[
    ("endpoint", Kind::Str, true, false, true),
    ("namespace", Kind::Str, true, false, true),
    ("service-account", Kind::Str, false, false, false),
    ("ca-certs", Kind::List, false, false, false),
    ("ca-cert", Kind::Str, false, false, false),
    ("token", Kind::Str, false, true, false),
    ("username", Kind::Str, false, false, false),
    ("password", Kind::Str, false, true, false),
    ("client-cert", Kind::Str, false, false, false),
    ("client-key", Kind::Str, false, true, false),
    ("skip-tls-verify", Kind::Bool, false, false, false),
    ("prefer-incluster-address", Kind::Bool, false, false, false),
];

const ONE_HOUR_NS: i64 = 3_600_000_000_000;

fn schema(backend_type: &str) -> Option<&'static [FieldSpec]> {
    match backend_type {
        "vault" => Some(VAULT),
        "kubernetes" => Some(KUBERNETES),
        _ => None,
    }
}

fn is_registered(backend_type: &str) -> bool {
    matches!(backend_type, "controller" | "kubernetes" | "vault")
}

type ItemRule = fn(&mut SecretBackends, &Map<String, Value>) -> Result<(), RpcErr>;

/// What one Juju version does per item of Add, Update and Remove, and how it lists.
/// Decoding, authorisation and the bulk result shape are the same in 3.6 and 4.0.
pub(super) struct Rules {
    add: ItemRule,
    update: ItemRule,
    remove: ItemRule,
    list: fn(&SecretBackends, Option<&[String]>, bool) -> String,
}

/// Juju 3.1 to 3.6.
const JUJU_3: Rules = Rules {
    add,
    update,
    remove,
    list,
};

fn rules(juju: &Emulation) -> &'static Rules {
    if juju.is_4() { &juju4::RULES } else { &JUJU_3 }
}

/// Dispatches a `SecretBackends` method.
pub(crate) fn call(ctx: &mut Ctx<'_>) -> Reply {
    let (method, params) = (ctx.method, ctx.params);
    let superuser = ctx.superuser();
    let r = rules(ctx.juju);
    match method {
        "ListSecretBackends" => {
            let (names, reveal) = decode_list(params)?;
            if reveal && !superuser {
                return Err(perm());
            }
            let st = ctx.state();
            Ok((r.list)(&st.secret_backends, names.as_deref(), reveal))
        }
        "AddSecretBackends" | "UpdateSecretBackends" | "RemoveSecretBackends" => {
            let args = decode_args(method, params)?;
            if !superuser {
                return Err(perm());
            }
            let rule = match method {
                "AddSecretBackends" => r.add,
                "UpdateSecretBackends" => r.update,
                _ => r.remove,
            };
            let mut st = ctx.state();
            let results: Vec<_> = args
                .iter()
                .map(|a| rule(&mut st.secret_backends, a))
                .collect();
            Ok(error_results(&results))
        }
        _ => Err(ctx.no_such_method()),
    }
}

// ---- parameter decoding, with Go's encoding/json type errors ---------------------------

/// Checks one field of an argument against its Go type; `null` is always accepted.
fn check_field(
    arg: &Map<String, Value>,
    key: &str,
    go_struct: &str,
    prefix: &str,
) -> Result<(), RpcErr> {
    let Some(v) = arg.get(key).filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let (ok, go_type) = match key {
        "name" | "backend-type" | "id" | "name-change" => (v.is_string(), "string"),
        "token-rotate-interval" => (v.is_i64(), "time.Duration"),
        "config" => (v.is_object(), "map[string]interface {}"),
        "reset" => (
            v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            "[]string",
        ),
        "force" | "reveal" => (v.is_boolean(), "bool"),
        "names" => (
            v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            "[]string",
        ),
        _ => (true, ""),
    };
    if ok {
        Ok(())
    } else {
        Err(json_type_error(
            v,
            go_struct,
            &format!("{prefix}{key}"),
            go_type,
        ))
    }
}

fn decode_args(method: &str, params: &Value) -> Result<Vec<Map<String, Value>>, RpcErr> {
    let (go_struct, keys): (&str, &[&str]) = match method {
        "AddSecretBackends" => (
            "AddSecretBackendArg",
            &[
                "id",
                "name",
                "backend-type",
                "token-rotate-interval",
                "config",
            ],
        ),
        "UpdateSecretBackends" => (
            "UpdateSecretBackendArg",
            &[
                "name",
                "name-change",
                "token-rotate-interval",
                "config",
                "reset",
                "force",
            ],
        ),
        _ => ("RemoveSecretBackendArg", &["name", "force"]),
    };
    let args = match params.get("args") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(other) => {
            let outer = format!("{}s", go_struct);
            return Err(json_type_error(
                other,
                &outer,
                "args",
                &format!("[]params.{go_struct}"),
            ));
        }
    };
    let mut out = Vec::with_capacity(args.len());
    for a in args {
        let Some(obj) = a.as_object() else {
            let outer = format!("{}s", go_struct);
            return Err(json_type_error(
                a,
                &outer,
                "args",
                &format!("params.{go_struct}"),
            ));
        };
        for k in keys {
            check_field(obj, k, go_struct, "args.")?;
        }
        out.push(obj.clone());
    }
    Ok(out)
}

fn decode_list(params: &Value) -> Result<(Option<Vec<String>>, bool), RpcErr> {
    let empty = Map::new();
    let obj = params.as_object().unwrap_or(&empty);
    check_field(obj, "names", "ListSecretBackendsArgs", "")?;
    check_field(obj, "reveal", "ListSecretBackendsArgs", "")?;
    let names = obj.get("names").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    });
    let reveal = obj.get("reveal").and_then(Value::as_bool).unwrap_or(false);
    Ok((names, reveal))
}

fn str_of<'a>(arg: &'a Map<String, Value>, key: &str) -> &'a str {
    arg.get(key).and_then(Value::as_str).unwrap_or("")
}

// ---- shared rules --------------------------------------------------------------------

fn check_name(name: &str) -> Result<(), RpcErr> {
    if name.is_empty() {
        return Err(RpcErr::new("missing backend name not valid", "not valid"));
    }
    if name == "internal" || name == "auto" {
        // Juju 3.6 formats this with a missing argument (errors.NotValidf("backend %q")),
        // which also loses the not-valid code.
        return Err(RpcErr::new("backend \"not valid\" %!w(MISSING)", ""));
    }
    Ok(())
}

/// Go's `%#v` of a decoded JSON value, as schema errors print it.
fn go_value(v: &Value) -> String {
    match v {
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), format_float),
        Value::Bool(b) => b.to_string(),
        Value::Null => "<nil>".into(),
        Value::Array(_) => "[]interface {}{...}".into(),
        Value::Object(_) => "map[string]interface {}{...}".into(),
    }
}

fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Go's `%T(%#v)`, as `expected string, got float64(5)`.
fn go_typed(v: &Value) -> String {
    let t = match v {
        Value::String(_) => "string",
        Value::Number(_) => "float64",
        Value::Bool(_) => "bool",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
        Value::Null => return "nothing".into(),
    };
    format!("{t}({})", go_value(v))
}

fn yaml_bool(s: &str) -> bool {
    matches!(
        s,
        "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "yes"
            | "Yes"
            | "no"
            | "No"
            | "on"
            | "off"
    )
}

/// Why a provider's `ValidateConfig` refused a config. Each version words the wrapper and
/// picks the code: a plain schema error has no code of its own, the provider's extra rules
/// are NotValid errors (3.6 `not valid`; 4.0 keeps `not valid` for them, see
/// [`juju4`]).
pub(super) struct ConfigError {
    pub(super) detail: String,
    /// The detail is a NotValid error (`... not valid`).
    pub(super) not_valid: bool,
}

impl ConfigError {
    fn schema(detail: String) -> ConfigError {
        ConfigError {
            detail,
            not_valid: false,
        }
    }

    fn rule(detail: String) -> ConfigError {
        ConfigError {
            detail: format!("{detail} not valid"),
            not_valid: true,
        }
    }

    /// Juju 3.6's wrapping: `invalid config for provider "<type>": <detail>`.
    fn into_3_6(self, backend_type: &str) -> RpcErr {
        RpcErr::new(
            format!(
                "invalid config for provider {backend_type:?}: {}",
                self.detail
            ),
            if self.not_valid { "not valid" } else { "" },
        )
    }
}

/// The provider's `ValidateConfig`: the strict schema, then the provider's own rules.
/// `rotate_given` is whether a token rotate interval was sent (even 0). The same in 3.6
/// and 4.0 (`internal/secrets/provider/{vault,kubernetes}/config.go` at 4.0).
fn validate_config(
    backend_type: &str,
    old: Option<&Map<String, Value>>,
    cfg: &Map<String, Value>,
    rotate_given: bool,
) -> Result<(), ConfigError> {
    let Some(fields) = schema(backend_type) else {
        return Ok(());
    };
    for (k, v) in cfg {
        if !fields.iter().any(|f| f.0 == k) {
            return Err(ConfigError::schema(format!(
                "unknown key {k:?} (value {})",
                go_value(v)
            )));
        }
    }
    for &(key, kind, required, _, _) in fields {
        let v = cfg.get(key).filter(|v| !v.is_null());
        let Some(v) = v else {
            if required {
                return Err(ConfigError::schema(format!(
                    "{key}: expected string, got nothing"
                )));
            }
            continue;
        };
        let bad = match kind {
            Kind::Str => (!v.is_string()).then_some("string"),
            Kind::Bool => {
                (!(v.is_boolean() || v.as_str().is_some_and(yaml_bool))).then_some("bool")
            }
            Kind::List => {
                if let Some(items) = v.as_array() {
                    if let Some((i, item)) = items.iter().enumerate().find(|(_, x)| !x.is_string())
                    {
                        return Err(ConfigError::schema(format!(
                            "{key}[{i}]: expected string, got {}",
                            go_typed(item)
                        )));
                    }
                    None
                } else {
                    (!v.as_str().is_some_and(|s| s.trim_start().starts_with('['))).then_some("list")
                }
            }
        };
        if let Some(want) = bad {
            return Err(ConfigError::schema(format!(
                "{key}: expected {want}, got {}",
                go_typed(v)
            )));
        }
    }
    let label = if backend_type == "vault" {
        "vault"
    } else {
        "k8s"
    };
    let has = |k: &str| {
        cfg.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    match (has("client-cert"), has("client-key")) {
        (true, false) => {
            return Err(ConfigError::rule(format!(
                "{label} config missing client key"
            )));
        }
        (false, true) => {
            return Err(ConfigError::rule(format!(
                "{label} config missing client certificate"
            )));
        }
        _ => {}
    }
    if backend_type == "kubernetes" && rotate_given && !has("service-account") {
        return Err(ConfigError::rule(
            "k8s config missing service account".into(),
        ));
    }
    if let Some(old) = old {
        for &(key, _, _, _, immutable) in fields {
            let before = old.get(key).and_then(Value::as_str).unwrap_or("");
            let after = cfg.get(key).and_then(Value::as_str).unwrap_or("");
            if immutable && before != after {
                return Err(ConfigError::schema(format!(
                    "cannot change immutable field {key:?}"
                )));
            }
        }
    }
    Ok(())
}

/// The host part of a URL-ish endpoint.
fn url_host(endpoint: &str) -> &str {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    authority.split(':').next().unwrap_or("")
}

/// The controller's ping of a backend; by the fake's convention, names ending in
/// `.invalid` never answer.
pub(crate) fn ping(backend_type: &str, cfg: &Map<String, Value>) -> Result<(), RpcErr> {
    if schema(backend_type).is_none() {
        return Ok(()); // the controller backend is always reachable
    }
    let endpoint = str_of(cfg, "endpoint");
    let host = url_host(endpoint);
    let sni = str_of(cfg, "tls-server-name");
    let probe = if backend_type == "vault" {
        format!("{}/v1/sys/health", endpoint.trim_end_matches('/'))
    } else {
        format!(
            "{}/api/v1/namespaces/{}",
            endpoint.trim_end_matches('/'),
            str_of(cfg, "namespace")
        )
    };
    let prefix = if backend_type == "kubernetes" {
        "backend not reachable: checking secrets namespace: "
    } else {
        "backend not reachable: "
    };
    if host.ends_with(".invalid") {
        return Err(RpcErr::new(
            format!("{prefix}Get {probe:?}: dial tcp: lookup {host}: no such host"),
            "",
        ));
    }
    if sni.ends_with(".invalid") {
        return Err(RpcErr::new(
            format!(
                "{prefix}Get {probe:?}: tls: failed to verify certificate: x509: certificate is not valid for any names, but wanted to match {sni}"
            ),
            "",
        ));
    }
    Ok(())
}

/// Whether the provider can refresh its token (vault and kubernetes; not the controller).
fn has_token_refresh(backend_type: &str) -> bool {
    schema(backend_type).is_some()
}

/// `core/secrets` `NextBackendRotateTime`: the same text in 3.6 and 4.0.
fn check_min_rotate(ns: i64) -> Result<(), RpcErr> {
    if ns < ONE_HOUR_NS {
        return Err(RpcErr::new(
            format!(
                "token rotate interval {:?} less than 1h not valid",
                crate::goduration::format_nanos(ns)
            ),
            "not valid",
        ));
    }
    Ok(())
}

/// The 3.6 rotate-interval rules shared by add and update, for a positive interval.
fn check_rotate(backend_type: &str, ns: i64) -> Result<(), RpcErr> {
    if !has_token_refresh(backend_type) {
        return Err(RpcErr::new(
            format!("token refresh on secret backend of type {backend_type:?} not supported"),
            "not supported",
        ));
    }
    check_min_rotate(ns)
}

fn config_of(arg: &Map<String, Value>) -> Map<String, Value> {
    arg.get("config")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn rotate_of(arg: &Map<String, Value>) -> Option<i64> {
    arg.get("token-rotate-interval").and_then(Value::as_i64)
}

// ---- the four methods ------------------------------------------------------------------

fn add(sb: &mut SecretBackends, arg: &Map<String, Value>) -> Result<(), RpcErr> {
    let name = str_of(arg, "name");
    check_name(name)?;
    let backend_type = str_of(arg, "backend-type");
    if !is_registered(backend_type) {
        return Err(RpcErr::new(
            format!(
                "creating backend provider type {backend_type:?}: no registered provider for {backend_type:?}"
            ),
            "not found",
        ));
    }
    let cfg = config_of(arg);
    let rotate = rotate_of(arg);
    validate_config(backend_type, None, &cfg, rotate.is_some())
        .map_err(|e| e.into_3_6(backend_type))?;
    ping(backend_type, &cfg)?;
    match rotate {
        Some(ns) if ns > 0 => check_rotate(backend_type, ns)?,
        // A non-null interval with no next rotation time is refused by the store.
        Some(_) => {
            return Err(RpcErr::new(
                "secret backend missing next rotate time not valid",
                "not valid",
            ));
        }
        None => {}
    }
    let id = str_of(arg, "id");
    if sb
        .added
        .iter()
        .any(|b| b.name == name || (!id.is_empty() && b.id == id))
    {
        return Err(RpcErr::new(
            format!("secret backend with ID {id:?} already exists"),
            "already exists",
        ));
    }
    let id = if id.is_empty() {
        crate::util::random_hex(24)
    } else {
        id.to_string()
    };
    sb.added.push(Backend {
        id,
        name: name.to_string(),
        backend_type: backend_type.to_string(),
        config: cfg,
        token_rotate_interval: rotate,
    });
    Ok(())
}

fn update(sb: &mut SecretBackends, arg: &Map<String, Value>) -> Result<(), RpcErr> {
    let name = str_of(arg, "name");
    check_name(name)?;
    let Some(idx) = sb.added.iter().position(|b| b.name == name) else {
        return Err(RpcErr::new(
            format!("secret backend {name:?} not found"),
            "not found",
        ));
    };
    let existing = sb.added[idx].clone();
    let mut cfg = existing.config.clone();
    for (k, v) in config_of(arg) {
        cfg.insert(k, v);
    }
    if let Some(reset) = arg.get("reset").and_then(Value::as_array) {
        for k in reset.iter().filter_map(Value::as_str) {
            cfg.remove(k);
        }
    }
    let rotate = rotate_of(arg);
    validate_config(
        &existing.backend_type,
        Some(&existing.config),
        &cfg,
        rotate.is_some(),
    )
    .map_err(|e| e.into_3_6(&existing.backend_type))?;
    let force = arg.get("force").and_then(Value::as_bool).unwrap_or(false);
    if !force {
        ping(&existing.backend_type, &cfg)?;
    }
    if let Some(ns) = rotate.filter(|ns| *ns > 0) {
        check_rotate(&existing.backend_type, ns)?;
    }
    let new_name = str_of(arg, "name-change");
    if !new_name.is_empty() && new_name != name {
        if sb.revisions_in(&existing.id) > 0 {
            return Err(RpcErr::new(
                "cannot rename a secret backend that is in use",
                "not valid",
            ));
        }
        if sb.added.iter().any(|b| b.name == new_name) {
            return Err(RpcErr::new(
                format!("secret backend {new_name:?} already exists"),
                "already exists",
            ));
        }
    }
    let b = &mut sb.added[idx];
    if !new_name.is_empty() {
        b.name = new_name.to_string();
    }
    b.config = cfg;
    match rotate {
        Some(0) => b.token_rotate_interval = None,
        Some(ns) => b.token_rotate_interval = Some(ns),
        None => {}
    }
    Ok(())
}

fn remove(sb: &mut SecretBackends, arg: &Map<String, Value>) -> Result<(), RpcErr> {
    let name = str_of(arg, "name");
    check_name(name)?;
    let Some(idx) = sb.added.iter().position(|b| b.name == name) else {
        return Ok(()); // removing nothing succeeds
    };
    let id = sb.added[idx].id.clone();
    let count = sb.revisions_in(&id);
    let force = arg.get("force").and_then(Value::as_bool).unwrap_or(false);
    if count > 0 && !force {
        return Err(RpcErr::new(
            format!("removing backend with {count} stored secret revisions not supported"),
            "not supported",
        ));
    }
    sb.added.remove(idx);
    sb.counts.remove(&id);
    Ok(())
}

#[derive(Serialize)]
struct WireBackend<'a> {
    name: &'a str,
    #[serde(rename = "backend-type")]
    backend_type: &'a str,
    #[serde(
        rename = "token-rotate-interval",
        skip_serializing_if = "Option::is_none"
    )]
    token_rotate_interval: Option<i64>,
    /// `None` is Go's nil map, `null` on the wire.
    config: Option<Map<String, Value>>,
}

/// One entry of a list reply (`params.SecretBackendResult`).
#[derive(Serialize)]
pub(super) struct WireResult<'a> {
    result: WireBackend<'a>,
    id: &'a str,
    #[serde(rename = "num-secrets")]
    num_secrets: u64,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl<'a> WireResult<'a> {
    /// An entry for `b`, with its secret keys deleted unless `reveal`, and `status` from
    /// `ping` (`None`: not pinged, `active`).
    fn new(
        sb: &SecretBackends,
        b: &'a Backend,
        reveal: bool,
        config: Option<Map<String, Value>>,
        ping: Option<Result<(), RpcErr>>,
    ) -> WireResult<'a> {
        let config = config.map(|mut config| {
            if !reveal && let Some(fields) = schema(&b.backend_type) {
                for f in fields.iter().filter(|f| f.3) {
                    config.remove(f.0);
                }
            }
            config
        });
        let (status, message) = match ping {
            Some(Err(e)) => ("error", Some(e.message)),
            _ => ("active", None),
        };
        WireResult {
            result: WireBackend {
                name: &b.name,
                backend_type: &b.backend_type,
                token_rotate_interval: b.token_rotate_interval,
                config,
            },
            id: &b.id,
            num_secrets: sb.secrets_in(&b.id),
            status,
            message,
        }
    }
}

fn list_json(results: Vec<WireResult>) -> String {
    #[derive(Serialize)]
    struct Results<'a> {
        results: Vec<WireResult<'a>>,
    }
    serde_json::to_string(&Results { results }).expect("list serialises")
}

fn name_wanted(names: Option<&[String]>, name: &str) -> bool {
    names.is_none_or(|n| n.is_empty() || n.iter().any(|x| x == name))
}

/// The `internal` backend, which is not stored with the others.
fn internal_backend(sb: &SecretBackends) -> Backend {
    Backend {
        id: sb.internal_id.clone(),
        name: "internal".into(),
        backend_type: "controller".into(),
        config: Map::new(),
        token_rotate_interval: None,
    }
}

fn list(sb: &SecretBackends, names: Option<&[String]>, reveal: bool) -> String {
    let count = |id: &str| sb.secrets_in(id);
    let internal = internal_backend(sb);
    let mut all: Vec<&Backend> = sb
        .added
        .iter()
        // A UUID id or a `-local` name reads as a model's own store: listed only in use.
        .filter(|b| {
            (!crate::util::is_uuid(&b.id) && !b.name.ends_with("-local")) || count(&b.id) > 0
        })
        .collect();
    all.push(&internal);
    all.sort_by(|a, b| a.id.cmp(&b.id));
    let results: Vec<WireResult> = all
        .into_iter()
        .filter(|b| name_wanted(names, &b.name))
        .map(|b| {
            let is_internal = b.id == sb.internal_id;
            let ping = (!is_internal).then(|| ping(&b.backend_type, &b.config));
            WireResult::new(sb, b, reveal, Some(b.config.clone()), ping)
        })
        .collect();
    if results.is_empty() {
        // Go's nil slice.
        return r#"{"results":null}"#.to_string();
    }
    list_json(results)
}

/// A backend's config without its secret keys, as listed to someone who did not ask to
/// reveal them (also what `ModelManager.ModelInfo` shows).
pub(crate) fn public_config(backend_type: &str, cfg: &Map<String, Value>) -> Map<String, Value> {
    let mut config = cfg.clone();
    if let Some(fields) = schema(backend_type) {
        for f in fields.iter().filter(|f| f.3) {
            config.remove(f.0);
        }
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_come_out_of_urls() {
        assert_eq!(url_host("https://vault.invalid:8200/x"), "vault.invalid");
        assert_eq!(url_host("http://[fd00::1]:8200"), "fd00::1");
        assert_eq!(url_host("vault.example"), "vault.example");
    }
}
