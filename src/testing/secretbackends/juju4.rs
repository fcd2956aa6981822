//! `SecretBackends` as Juju 4.0 serves it: the rules of `../shared/juju-4.0-reference.md`
//! §4, which follow `apiserver/facades/client/secretbackends/secrets.go`,
//! `domain/secretbackend/service/service.go`, `domain/secretbackend/params.go` and
//! `domain/secretbackend/state/{state.go,upserts.go,types.go}` at branch `4.0`.
//!
//! What 4.0 changed from 3.6, and why the code below differs from the parent module's:
//! the domain errors carry the `secret backend …` codes and a `secret backend <kind>: `
//! prefix; ids are UUIDv4; `internal` has an id of its own and a built-in `kubernetes`
//! backend exists beside it; removing an unknown name is an error and built-ins cannot be
//! removed; a backend in use may be renamed; `0` is a valid rotate interval; empty config
//! values are refused; the list is sorted by name with `config: null` for a backend without
//! config, and only vault backends are pinged.
//!
//! The fake has no Kubernetes models, so no secrets live in the built-in `kubernetes`
//! backend and the `<model>-local` entries that 4.0 lists first never appear.

use serde_json::{Map, Value};

use super::{
    Backend, ConfigError, Rules, SecretBackends, WireResult, config_of, internal_backend,
    list_json, name_wanted, ping, rotate_of, str_of, validate_config,
};
use crate::testing::wire::RpcErr;

pub(in crate::testing) const RULES: Rules = Rules {
    add,
    update,
    remove,
    list,
};

// ---- 4.0's errors: codes from `apiserver/errors` `ServerError` (4.0 reference §2.5) ----

/// `secretbackenderrors.NotValid` wrapping a detail: `secret backend not valid: <detail>`.
fn not_valid(detail: impl std::fmt::Display) -> RpcErr {
    RpcErr::new(
        format!("secret backend not valid: {detail}"),
        "secret backend not valid",
    )
}

fn not_found(name: &str) -> RpcErr {
    RpcErr::new(
        format!("secret backend not found: {name:?}"),
        "secret backend not found",
    )
}

fn already_exists(name: &str) -> RpcErr {
    RpcErr::new(
        format!("secret backend already exists: name {name:?}"),
        "secret backend already exists",
    )
}

fn immutable(id: &str) -> RpcErr {
    RpcErr::new(
        format!("secret backend {id:?} is immutable"),
        "secret backend forbidden",
    )
}

/// The facade rewrites both Forbidden cases of a removal (built-in, in use) to this.
fn deleting_in_use() -> RpcErr {
    RpcErr::new(
        "deleting in use secret backend not supported",
        "not supported",
    )
}

/// A config refused by the provider: a generic NotValid detail keeps `not valid`, because
/// `ServerError` tests the generic kinds before the secret-backend ones.
fn config_error(backend_type: &str, e: ConfigError) -> RpcErr {
    let msg = format!(
        "secret backend not valid: config for provider {backend_type:?}: {}",
        e.detail
    );
    let code = if e.not_valid {
        "not valid"
    } else {
        "secret backend not valid"
    };
    RpcErr::new(msg, code)
}

/// `validateExternalBackendName`: the built-in names, `auto`, and every `-local` name.
fn reserved(name: &str) -> bool {
    matches!(name, "auto" | "internal" | "kubernetes") || name.ends_with("-local")
}

/// The `Validate` of the create and update params: an empty key, then an empty (or null)
/// value. Go ranges over the map in random order; the fake checks in key order, which is
/// one of the orders Go may take.
fn check_config_entries(cfg: &Map<String, Value>, quoted: &str) -> Result<(), RpcErr> {
    for (k, v) in cfg {
        if k.is_empty() {
            return Err(not_valid(format!("empty config key for {quoted:?}")));
        }
        if v.is_null() || v.as_str() == Some("") {
            return Err(not_valid(format!("empty config value for {quoted:?}")));
        }
    }
    Ok(())
}

/// A built-in backend: `internal` and `kubernetes`, created at bootstrap, immutable.
fn is_builtin_id(sb: &SecretBackends, id: &str) -> bool {
    id == sb.internal_id || id == sb.kubernetes_id
}

/// Looks a backend up by name as the state does: the built-ins are rows like the others.
enum Found {
    User(usize),
    Builtin(Backend),
}

fn find(sb: &SecretBackends, name: &str) -> Option<Found> {
    match name {
        "internal" => Some(Found::Builtin(internal_backend(sb))),
        // Bootstrap stores no config rows for it (`domain/secretbackend/bootstrap`).
        "kubernetes" => Some(Found::Builtin(Backend {
            id: sb.kubernetes_id.clone(),
            name: "kubernetes".into(),
            backend_type: "kubernetes".into(),
            config: Map::new(),
            token_rotate_interval: None,
        })),
        _ => sb
            .added
            .iter()
            .position(|b| b.name == name)
            .map(Found::User),
    }
}

// ---- the four methods (4.0 reference §4.4–§4.7) ------------------------------------------

fn add(sb: &mut SecretBackends, arg: &Map<String, Value>) -> Result<(), RpcErr> {
    let name = str_of(arg, "name");
    if name.is_empty() {
        return Err(not_valid("missing name"));
    }
    if reserved(name) {
        return Err(not_valid(format!("reserved name {name:?}")));
    }
    let backend_type = str_of(arg, "backend-type");
    if !super::is_registered(backend_type) {
        return Err(RpcErr::new(
            format!(
                "getting backend provider type {backend_type:?}: no registered provider for {backend_type:?}"
            ),
            "not found",
        ));
    }
    let cfg = config_of(arg);
    let rotate = rotate_of(arg);
    validate_config(backend_type, None, &cfg, rotate.is_some())
        .map_err(|e| config_error(backend_type, e))?;
    ping(backend_type, &cfg)?;
    // A zero interval is stored as is (no rotation is scheduled for it).
    if let Some(ns) = rotate.filter(|ns| *ns > 0) {
        if !super::has_token_refresh(backend_type) {
            return Err(RpcErr::new(
                format!(
                    "secret backend not supported: token refresh on secret backend of type {backend_type:?}"
                ),
                "secret backend not supported",
            ));
        }
        super::check_min_rotate(ns)?;
    }
    check_config_entries(&cfg, name)?;
    let id = match str_of(arg, "id") {
        "" => crate::util::random_uuid(),
        given => given.to_string(),
    };
    if is_builtin_id(sb, &id) {
        return Err(immutable(&id));
    }
    if sb.added.iter().any(|b| b.name == name && b.id != id) {
        return Err(already_exists(name));
    }
    // The insert is an upsert on the id: an existing backend's name and interval are
    // replaced, its type kept, and its config replaced unless none was given.
    match sb.added.iter_mut().find(|b| b.id == id) {
        Some(b) => {
            b.name = name.to_string();
            b.token_rotate_interval = rotate;
            if !cfg.is_empty() {
                b.config = cfg;
            }
        }
        None => sb.added.push(Backend {
            id,
            name: name.to_string(),
            backend_type: backend_type.to_string(),
            config: cfg,
            token_rotate_interval: rotate,
        }),
    }
    Ok(())
}

fn update(sb: &mut SecretBackends, arg: &Map<String, Value>) -> Result<(), RpcErr> {
    let name = str_of(arg, "name");
    if name.is_empty() {
        return Err(not_valid("both ID and name are missing"));
    }
    let new_name = arg.get("name-change").and_then(Value::as_str);
    if new_name == Some("") {
        return Err(not_valid("name cannot be set to empty"));
    }
    // The facade passes the config on only when it is not empty, and identifies the
    // backend by name, so the id quoted here is always empty.
    let sent = config_of(arg);
    check_config_entries(&sent, "")?;
    if let Some(new) = new_name.filter(|n| reserved(n)) {
        return Err(not_valid(format!("reserved name {new:?}")));
    }
    let existing = match find(sb, name) {
        Some(Found::User(i)) => sb.added[i].clone(),
        Some(Found::Builtin(b)) => b,
        None => return Err(not_found(name)),
    };
    let mut cfg = existing.config.clone();
    cfg.extend(sent);
    if let Some(reset) = arg.get("reset").and_then(Value::as_array) {
        for k in reset.iter().filter_map(Value::as_str) {
            cfg.remove(k);
        }
    }
    let rotate = rotate_of(arg);
    let t = existing.backend_type.as_str();
    validate_config(t, Some(&existing.config), &cfg, rotate.is_some())
        .map_err(|e| config_error(t, e))?;
    if !arg.get("force").and_then(Value::as_bool).unwrap_or(false) {
        ping(t, &cfg)?;
    }
    if let Some(ns) = rotate.filter(|ns| *ns > 0) {
        // Unlike add, the service words this with a generic NotSupported.
        if !super::has_token_refresh(t) {
            return Err(RpcErr::new(
                format!("token refresh on secret backend of type {t:?} not supported"),
                "not supported",
            ));
        }
        super::check_min_rotate(ns)?;
    }
    if is_builtin_id(sb, &existing.id) {
        return Err(immutable(&existing.id));
    }
    if let Some(new) = new_name
        && sb
            .added
            .iter()
            .any(|b| b.name == new && b.id != existing.id)
    {
        return Err(already_exists(new));
    }
    let b = sb
        .added
        .iter_mut()
        .find(|b| b.id == existing.id)
        .expect("found above");
    // In use or not, a rename keeps the id.
    if let Some(new) = new_name {
        b.name = new.to_string();
    }
    // Zero is stored as zero, not cleared as in 3.6.
    if rotate.is_some() {
        b.token_rotate_interval = rotate;
    }
    // An empty merged map (everything reset) leaves the stored config as it was.
    if !cfg.is_empty() {
        b.config = cfg;
    }
    Ok(())
}

fn remove(sb: &mut SecretBackends, arg: &Map<String, Value>) -> Result<(), RpcErr> {
    let name = str_of(arg, "name");
    if name.is_empty() {
        return Err(not_valid("both ID and name are missing"));
    }
    let idx = match find(sb, name) {
        None => return Err(not_found(name)),
        // Immutable, even with force.
        Some(Found::Builtin(_)) => return Err(deleting_in_use()),
        Some(Found::User(i)) => i,
    };
    let id = sb.added[idx].id.clone();
    let in_use = sb.revisions_in(&id) > 0;
    let force = arg.get("force").and_then(Value::as_bool).unwrap_or(false);
    if in_use && !force {
        return Err(deleting_in_use());
    }
    sb.added.remove(idx);
    sb.counts.remove(&id);
    Ok(())
}

/// `internal` and every added backend, sorted by name, whatever their secret count; the
/// built-in `kubernetes` backend is never listed, not even by name.
fn list(sb: &SecretBackends, names: Option<&[String]>, reveal: bool) -> String {
    let internal = internal_backend(sb);
    let mut all: Vec<&Backend> = sb.added.iter().collect();
    all.push(&internal);
    all.sort_by(|a, b| a.name.cmp(&b.name));
    let results = all
        .into_iter()
        .filter(|b| name_wanted(names, &b.name))
        .map(|b| {
            // Only backends of a type other than controller and kubernetes (vault) are
            // pinged on list in 4.0.
            let ping = (!matches!(b.backend_type.as_str(), "controller" | "kubernetes"))
                .then(|| ping(&b.backend_type, &b.config));
            // A backend with no config rows comes back with a nil map: `null`.
            let config = (!b.config.is_empty()).then(|| b.config.clone());
            WireResult::new(sb, b, reveal, config, ping)
        })
        .collect();
    // An empty list is `[]` in 4.0, never `null`.
    list_json(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> SecretBackends {
        SecretBackends::new(crate::util::random_uuid())
    }

    /// No client can add an unreachable kubernetes backend (add pings, and its endpoint is
    /// immutable), so this is checked on the state: 3.6 pings it on list, 4.0 does not.
    #[test]
    fn external_kubernetes_backends_are_not_pinged_on_list() {
        let k8s = |sb: &mut SecretBackends| {
            sb.added.push(Backend {
                id: "k".into(),
                name: "k".into(),
                backend_type: "kubernetes".into(),
                config:
                    serde_json::json!({"endpoint": "https://k8s.invalid:6443", "namespace": "n"})
                        .as_object()
                        .unwrap()
                        .clone(),
                token_rotate_interval: None,
            })
        };
        let mut st = state();
        k8s(&mut st);
        let listed: Value = serde_json::from_str(&list(&st, None, false)).unwrap();
        assert_eq!(listed["results"][0]["result"]["name"], "internal");
        assert_eq!(listed["results"][1]["status"], "active");
        assert!(listed["results"][1].get("message").is_none());

        let mut st = state();
        k8s(&mut st);
        let listed: Value =
            serde_json::from_str(&(super::super::JUJU_3.list)(&st, None, false)).unwrap();
        let k = listed["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "k")
            .unwrap();
        assert_eq!(k["status"], "error");
    }

    #[test]
    fn reserved_names_are_the_built_ins_auto_and_local_ones() {
        for name in ["auto", "internal", "kubernetes", "m1-local", "-local"] {
            assert!(reserved(name), "{name}");
        }
        for name in ["Internal", "local", "vault", "kubernetes-1", "m1-local2"] {
            assert!(!reserved(name), "{name}");
        }
    }

    #[test]
    fn empty_config_entries_are_refused_key_first() {
        let cfg = |v: Value| v.as_object().unwrap().clone();
        assert!(check_config_entries(&cfg(serde_json::json!({"a": "b"})), "n").is_ok());
        let e = check_config_entries(&cfg(serde_json::json!({"": "b"})), "n").unwrap_err();
        assert_eq!(
            e.message,
            r#"secret backend not valid: empty config key for "n""#
        );
        for bad in [serde_json::json!({"a": ""}), serde_json::json!({"a": null})] {
            let e = check_config_entries(&cfg(bad), "").unwrap_err();
            assert_eq!(
                e.message,
                r#"secret backend not valid: empty config value for """#
            );
            assert_eq!(e.code, "secret backend not valid");
        }
    }
}
