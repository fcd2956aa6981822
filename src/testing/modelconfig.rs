//! The fake's `ModelConfig` facade: v3 `ModelGet`, `ModelSet` (with 3.6's `secret-backend`
//! validation) and `ModelUnset`, and on 4.0 v4's `GetModelSecretBackend` and
//! `SetModelSecretBackend`. On a model connection it acts on that model; on `/api`, on the
//! controller model (the controller-only connection resolves to it, in 3.6 and 4.0).
//!
//! Sources: `apiserver/facades/client/modelconfig/modelconfig.go` (3.6.26 and 4.0.14),
//! `state/modelconfig.go` `UpdateModelConfig` (3.6: the checks run before the config is
//! rebuilt, and their errors pass through `errors.Trace` unchanged), `environs/config/
//! config.go` (the keys and their defaults), `../shared/juju-4.0-reference.md` §5.

use serde_json::{Map, Value};

use super::State;
use super::models::{Model, at_least};
use super::server::Ctx;
use super::wire::{Obj, Reply, RpcErr, error_result, json_type_error, perm};

/// The config of a fresh LXD model as `juju bootstrap` leaves it: key, value, source.
/// 3.x also has `secret-backend` (`auto`, from the defaults); 4.0 dropped the key.
fn defaults(st: &State, m: &Model) -> Vec<(&'static str, Value, &'static str)> {
    let s = |v: &str| Value::String(v.to_string());
    let mut keys = vec![
        ("agent-metadata-url", s(""), "default"),
        ("agent-stream", s("released"), "default"),
        ("agent-version", s(&st.server_version), "model"),
        ("apt-ftp-proxy", s(""), "default"),
        ("apt-http-proxy", s(""), "default"),
        ("apt-https-proxy", s(""), "default"),
        ("apt-mirror", s(""), "default"),
        ("apt-no-proxy", s(""), "default"),
        ("automatically-retry-hooks", Value::Bool(true), "default"),
        ("backup-dir", s(""), "default"),
        ("charmhub-url", s("https://api.charmhub.io"), "default"),
        ("cloudinit-userdata", s(""), "default"),
        ("container-image-metadata-url", s(""), "default"),
        ("container-image-stream", s("released"), "default"),
        ("container-inherit-properties", s(""), "default"),
        ("default-base", s(""), "default"),
        ("default-series", s(""), "default"),
        ("default-space", s(""), "default"),
        ("development", Value::Bool(false), "default"),
        ("disable-network-management", Value::Bool(false), "default"),
        ("disable-telemetry", Value::Bool(false), "default"),
        ("egress-subnets", s(""), "default"),
        ("enable-os-refresh-update", Value::Bool(true), "default"),
        ("enable-os-upgrade", Value::Bool(true), "default"),
        ("firewall-mode", s("instance"), "default"),
        ("ftp-proxy", s(""), "default"),
        ("http-proxy", s(""), "default"),
        ("https-proxy", s(""), "default"),
        ("ignore-machine-addresses", Value::Bool(false), "default"),
        ("image-metadata-url", s(""), "default"),
        ("image-stream", s("released"), "default"),
        ("juju-ftp-proxy", s(""), "default"),
        ("juju-http-proxy", s(""), "default"),
        ("juju-https-proxy", s(""), "default"),
        ("juju-no-proxy", s("127.0.0.1,localhost,::1"), "default"),
        ("logging-config", s("<root>=INFO"), "model"),
        ("lxd-snap-channel", s("5.21/stable"), "default"),
        ("max-action-results-age", s("336h"), "default"),
        ("max-action-results-size", s("5G"), "default"),
        ("max-status-history-age", s("336h"), "default"),
        ("max-status-history-size", s("5G"), "default"),
        ("mode", s("requires-prompts"), "default"),
        ("name", s(&m.name), "model"),
        ("no-proxy", s("127.0.0.1,localhost,::1"), "default"),
        ("num-container-provision-workers", Value::from(4), "default"),
        ("num-provision-workers", Value::from(16), "default"),
        ("provisioner-harvest-mode", s("destroyed"), "default"),
        ("proxy-ssh", Value::Bool(false), "default"),
        ("resource-tags", s(""), "model"),
        ("snap-http-proxy", s(""), "default"),
        ("snap-https-proxy", s(""), "default"),
        ("snap-store-assertions", s(""), "default"),
        ("snap-store-proxy", s(""), "default"),
        ("snap-store-proxy-url", s(""), "default"),
        ("ssl-hostname-verification", Value::Bool(true), "default"),
        ("test-mode", Value::Bool(false), "default"),
        ("transmit-vendor-metrics", Value::Bool(true), "default"),
        ("type", s("lxd"), "model"),
        ("update-status-hook-interval", s("5m"), "default"),
        ("uuid", s(&m.uuid), "model"),
    ];
    if !st.juju.is_4() {
        keys.push(("secret-backend", s("auto"), "default"));
    }
    keys
}

/// A model's config as `ModelGet` sees it: the defaults overlaid by what was set.
pub(crate) fn values(st: &State, m: &Model) -> Vec<(String, Value, &'static str)> {
    let mut all: std::collections::BTreeMap<String, (Value, &'static str)> = defaults(st, m)
        .into_iter()
        .map(|(k, v, src)| (k.to_string(), (v, src)))
        .collect();
    for (k, v) in &m.config {
        all.insert(k.clone(), (v.clone(), "model"));
    }
    all.into_iter().map(|(k, (v, s))| (k, v, s)).collect()
}

/// The model's config as plain values, as the all-watcher's model delta carries it.
pub(crate) fn plain_values(st: &State, m: &Model) -> Map<String, Value> {
    values(st, m).into_iter().map(|(k, v, _)| (k, v)).collect()
}

/// The model's secret backend as the fake reports it: 3.x the `secret-backend` config
/// value; 4.0 the name `GetModelSecretBackend` gives (`auto` for the built-in one).
pub(crate) fn secret_backend(st: &State, m: &Model) -> String {
    if st.juju.is_4() {
        return m
            .secret_backend_id
            .as_ref()
            .and_then(|id| st.secret_backends.by_id(id))
            .map_or_else(|| "auto".to_string(), |b| b.name.clone());
    }
    m.config.get("secret-backend").map_or_else(
        || "auto".to_string(),
        |v| v.as_str().map_or_else(|| v.to_string(), str::to_string),
    )
}

/// Dispatches a `ModelConfig` method on the call's model.
pub(crate) fn call(ctx: &mut Ctx<'_>) -> Reply {
    let (uuid, version, method, params) = (ctx.model_uuid, ctx.version, ctx.method, ctx.params);
    let v4 = ctx.juju.is_4();
    let known = match method {
        "ModelGet" | "ModelSet" | "ModelUnset" | "GetModelConstraints" | "SetModelConstraints" => {
            true
        }
        // 3.6's v3 still had SLAs.
        "SLALevel" => !v4,
        // 4.0's v3 hides this v4 method behind a stub that takes no context, which the
        // RPC layer serves as a method with no result (4.0 reference §5.1).
        "GetModelSecretBackend" => v4,
        "SetModelSecretBackend" => v4 && version >= 4,
        _ => false,
    };
    if !known {
        return Err(ctx.no_such_method());
    }
    let mut st = ctx.state();
    let Some(m) = st.models.live(uuid) else {
        return Err(RpcErr::new(
            format!("unknown model: {uuid:?}"),
            "model not found",
        ));
    };
    let access = st.model_access(&ctx.session.user, m);
    let read = at_least(access.as_deref(), "read");
    let write = at_least(access.as_deref(), "write");
    match method {
        "ModelGet" if !read => Err(perm()),
        "ModelGet" => Ok(model_get(&st, m)),
        "GetModelConstraints" if !read => Err(perm()),
        "GetModelConstraints" => Ok(r#"{"constraints":{}}"#.to_string()),
        "SLALevel" if !read => Err(perm()),
        "SLALevel" => Ok(r#"{"result":"unsupported"}"#.to_string()),
        "GetModelSecretBackend" if version < 4 => Ok("{}".to_string()),
        "GetModelSecretBackend" if !read => Err(perm()),
        "GetModelSecretBackend" => Ok(Obj::new().v("result", secret_backend(&st, m)).done()),
        _ if !write => Err(perm()),
        "ModelSet" => model_set(&mut st, uuid, params),
        "ModelUnset" => model_unset(&mut st, uuid, params),
        "SetModelConstraints" => Ok("{}".to_string()),
        "SetModelSecretBackend" => set_model_secret_backend(&mut st, uuid, params),
        _ => Err(ctx.no_such_method()),
    }
}

/// `ModelGet` → `params.ModelConfigResults`: `{"config":{key:{"value","source"}}}`.
fn model_get(st: &State, m: &Model) -> String {
    let mut config = Obj::new();
    for (k, v, src) in values(st, m) {
        config.raw(&k, &Obj::new().v("value", v).v("source", src).done());
    }
    Obj::new().raw("config", &config.done()).done()
}

fn model_set(st: &mut State, uuid: &str, params: &Value) -> Reply {
    let attrs = match params.get("config") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(other) => {
            return Err(json_type_error(
                other,
                "ModelSet",
                "config",
                "map[string]interface {}",
            ));
        }
    };
    if !st.juju.is_4() {
        check_3_6(st, &attrs)?;
    }
    // 4.0 has no special case for `secret-backend`: like any unknown key it is kept, with
    // no effect on the model's backend (4.0 reference §5.4).
    if let Some(m) = st.models.find_mut(uuid) {
        for (k, v) in attrs {
            m.config.insert(k, v);
        }
    }
    // A new `secret-backend` drains the model's user secrets there (reference §7).
    st.secret_backend_changed(uuid);
    Ok("{}".to_string())
}

/// The 3.6 checks `ModelSet` runs, in its order (`checkAgentVersion`, `checkCharmhubURL`,
/// `checkSecretBackend`, `checkAuthorizedKeys`).
fn check_3_6(st: &State, attrs: &Map<String, Value>) -> Result<(), RpcErr> {
    if let Some(v) = attrs.get("agent-version")
        && v.as_str() != Some(st.server_version.as_str())
    {
        return Err(RpcErr::new("agent-version cannot be changed", ""));
    }
    if let Some(v) = attrs.get("charmhub-url")
        && v.as_str() != Some("https://api.charmhub.io")
    {
        return Err(RpcErr::new("charmhub-url cannot be changed", ""));
    }
    if let Some(v) = attrs.get("secret-backend") {
        check_secret_backend(st, v)?;
    }
    if attrs.contains_key("authorized-keys") {
        return Err(RpcErr::new("authorized-keys cannot be set", ""));
    }
    Ok(())
}

/// 3.6's `checkSecretBackend`: a non-empty string, `auto`, or a stored backend that
/// answers a ping. `internal` is not a stored backend in 3.6, so it is `not found` here.
fn check_secret_backend(st: &State, v: &Value) -> Result<(), RpcErr> {
    let Some(name) = v.as_str() else {
        return Err(RpcErr::new(
            "\"secret-backend\" config value is not a string",
            "not valid",
        ));
    };
    if name.is_empty() {
        return Err(RpcErr::new(
            "empty \"secret-backend\" config value not valid",
            "not valid",
        ));
    }
    if name == "auto" {
        return Ok(());
    }
    let Some(b) = st.secret_backends.named(name) else {
        return Err(RpcErr::new(
            format!("secret backend {name:?} not found"),
            "not found",
        ));
    };
    // Vault mount paths need agents from 3.6.12 on; the fake's agents are its version.
    let mount_path = b.config.get("mount-path").and_then(Value::as_str);
    let old_agents =
        crate::version::Version::parse("3.6.12").is_some_and(|min| st.juju.version < min);
    if b.backend_type == "vault" && mount_path.is_some_and(|p| !p.is_empty()) && old_agents {
        return Err(RpcErr::new(
            "vault secret backend with a mount path not supported in this version of Juju",
            "",
        ));
    }
    super::secretbackends::ping(&b.backend_type, &b.config).map_err(|e| RpcErr {
        message: format!("cannot ping backend {name:?}: {}", e.message),
        ..e
    })
}

fn model_unset(st: &mut State, uuid: &str, params: &Value) -> Reply {
    let keys: Vec<String> = match params.get("keys") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(other) => return Err(json_type_error(other, "ModelUnset", "keys", "[]string")),
    };
    if let Some(m) = st.models.find_mut(uuid) {
        for k in keys {
            m.config.remove(&k);
        }
    }
    st.secret_backend_changed(uuid);
    Ok("{}".to_string())
}

/// 4.0's v4 `SetModelSecretBackend` (4.0 reference §5.3): no ping, and `auto` means the
/// built-in backend.
fn set_model_secret_backend(st: &mut State, uuid: &str, params: &Value) -> Reply {
    let name = match params.get("secret-backend-name") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(json_type_error(
                other,
                "SetModelSecretBackendArg",
                "secret-backend-name",
                "string",
            ));
        }
    };
    let outcome = if name.is_empty() {
        Err(RpcErr::new("missing backend name", ""))
    } else if name == "internal" || name == "kubernetes" || name.ends_with("-local") {
        Err(RpcErr::new(
            format!("secret backend name {name:?} not valid"),
            "secret backend not valid",
        ))
    } else if name == "auto" {
        Ok(None)
    } else {
        match st.secret_backends.named(&name) {
            Some(b) => Ok(Some(b.id.clone())),
            None => Err(RpcErr::new(
                format!(
                    "setting model secret backend for {uuid:?}: cannot get secret backend \
                     {name:?}: secret backend not found"
                ),
                "secret backend not found",
            )),
        }
    };
    match outcome {
        Ok(id) => {
            if let Some(m) = st.models.find_mut(uuid) {
                m.secret_backend_id = id;
            }
            st.secret_backend_changed(uuid);
            Ok("{}".to_string())
        }
        Err(e) => Ok(error_result(&Err(e))),
    }
}
