//! The fake's models, and its `ModelManager` facade: `ListModels`, `ListModelSummaries`
//! and `ModelInfo`, in Juju's shapes.
//!
//! Sources: `apiserver/facades/client/modelmanager/modelmanager.go` and `rpc/params/
//! {internal.go,model.go}` at 3.6.26 (ModelManager v9, v10) and 4.0.14 (v10, v11, where a
//! model has a `qualifier` instead of an `owner-tag`: `legacy.go` keeps v10's shape).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::SystemTime;

use serde_json::{Map, Value};

use super::server::{Ctx, Session};
use super::wire::{
    Obj, Reply, RpcErr, array_or_null, go_time, item_error, json_type_error, parse_model_tag,
    parse_user_tag, perm, string_param,
};
use super::{RedirectTarget, State};

/// A model on the fake controller.
pub(crate) struct Model {
    pub(crate) name: String,
    pub(crate) uuid: String,
    /// The owner's user name (`admin`), the model's qualifier in 4.0.
    pub(crate) owner: String,
    pub(crate) created: SystemTime,
    /// Explicit grants, user name → `read`, `write` or `admin`; the owner has `admin`.
    pub(crate) users: BTreeMap<String, String>,
    /// The applications deployed in it, by name.
    pub(crate) applications: BTreeSet<String>,
    /// When each user last logged in to the model.
    pub(crate) last_login: HashMap<String, SystemTime>,
    /// Config values set with `ModelSet`, over the defaults (source `model`).
    pub(crate) config: Map<String, Value>,
    /// 4.0: the id of the backend `SetModelSecretBackend` chose; `None` is the built-in
    /// one (`internal`, shown as `auto`). A removed backend's id leaves the model on the
    /// built-in one, as 4.0 switches models back when a backend is deleted.
    pub(crate) secret_backend_id: Option<String>,
    /// Set when the model migrated away: logins are redirected there.
    pub(crate) redirect: Option<RedirectTarget>,
}

impl Model {
    fn new(name: &str, owner: &str) -> Model {
        let mut users = BTreeMap::new();
        users.insert(owner.to_string(), "admin".to_string());
        Model {
            name: name.to_string(),
            uuid: crate::util::random_uuid(),
            owner: owner.to_string(),
            created: SystemTime::now(),
            users,
            applications: BTreeSet::new(),
            last_login: HashMap::new(),
            config: Map::new(),
            secret_backend_id: None,
            redirect: None,
        }
    }

    /// Every model here is an IAAS model on the `localhost` (LXD) cloud.
    #[allow(
        clippy::unused_self,
        reason = "a model's question: the answer is the same for all of the fake's models"
    )]
    pub(crate) fn kind(&self) -> &'static str {
        "iaas"
    }
}

/// The models of the controller, in the order they were added: `controller` and `default`
/// first.
#[derive(Default)]
pub(crate) struct Models {
    list: Vec<Model>,
}

impl Models {
    /// Adds model `name` owned by `owner` (who gets `admin` on it) and returns its UUID;
    /// if `owner` already has a model of that name, returns that model's UUID.
    pub(crate) fn add(&mut self, name: &str, owner: &str) -> String {
        if let Some(m) = self
            .list
            .iter()
            .find(|m| m.owner == owner && m.name == name)
        {
            return m.uuid.clone();
        }
        let model = Model::new(name, owner);
        let uuid = model.uuid.clone();
        self.list.push(model);
        uuid
    }

    /// Every model, migrated ones included, in the order they were added.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Model> {
        self.list.iter()
    }

    /// A model by UUID.
    pub(crate) fn get(&self, uuid: &str) -> Option<&Model> {
        self.list.iter().find(|m| m.uuid == uuid)
    }

    /// A model by UUID, mutably.
    pub(crate) fn get_mut(&mut self, uuid: &str) -> Option<&mut Model> {
        self.list.iter_mut().find(|m| m.uuid == uuid)
    }

    /// A model by UUID, `owner/name`, or a name (when only one model has it).
    pub(crate) fn find(&self, key: &str) -> Option<&Model> {
        if let Some(m) = self.get(key) {
            return Some(m);
        }
        if let Some((owner, name)) = key.split_once('/') {
            return self
                .list
                .iter()
                .find(|m| m.owner == owner && m.name == name);
        }
        let mut named = self.list.iter().filter(|m| m.name == key);
        match (named.next(), named.next()) {
            (Some(m), None) => Some(m),
            _ => None,
        }
    }

    /// [`find`](Self::find), mutably.
    pub(crate) fn find_mut(&mut self, key: &str) -> Option<&mut Model> {
        let uuid = self.find(key)?.uuid.clone();
        self.get_mut(&uuid)
    }

    /// A model that is here (not migrated away), by UUID.
    pub(crate) fn live(&self, uuid: &str) -> Option<&Model> {
        self.get(uuid).filter(|m| m.redirect.is_none())
    }
}

impl State {
    /// A user's access to a model: an explicit grant, else `admin` for a controller
    /// superuser (`apiserver/admin.go` `checkUserPermissions`), else none.
    pub(crate) fn model_access(&self, user: &str, model: &Model) -> Option<String> {
        if let Some(a) = model.users.get(user) {
            return Some(a.clone());
        }
        let superuser = self
            .admin
            .users
            .get(user)
            .is_some_and(|u| u.access == "superuser");
        superuser.then(|| "admin".to_string())
    }
}

/// `names.IsValidApplication`: `^[a-z][a-z0-9]*(-[a-z0-9]*[a-z][a-z0-9]*)*$`, that is
/// dash-separated words of lower-case letters and digits, the first starting with a letter,
/// none all digits.
pub(crate) fn valid_application_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                && w.chars().any(|c| c.is_ascii_lowercase())
        })
}

/// How access levels compare: `read` < `write` < `admin`.
pub(crate) fn at_least(access: Option<&str>, wanted: &str) -> bool {
    let rank = |a: &str| match a {
        "read" => 1,
        "write" => 2,
        "admin" => 3,
        _ => 0,
    };
    access.is_some_and(|a| rank(a) >= rank(wanted))
}

/// Go's zero `time.Time`, which 3.6 sends as the last connection of a user who never
/// connected.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// `authCheck`: superusers may ask about anyone, other users only about themselves.
fn auth_check(session: &Session, user: &str) -> Result<(), RpcErr> {
    if session.access == "superuser" || session.user == user {
        Ok(())
    } else {
        Err(perm())
    }
}

/// Dispatches a `ModelManager` method.
pub(crate) fn call(ctx: &mut Ctx<'_>) -> Reply {
    let (session, version, params) = (ctx.session, ctx.version, ctx.params);
    let st = ctx.state();
    match ctx.method {
        "ListModels" => list_models(&st, session, version >= 11, params),
        "ListModelSummaries" => list_model_summaries(&st, session, version, params),
        "ModelInfo" => model_info(&st, session, version, params),
        _ => Err(ctx.no_such_method()),
    }
}

/// The models a user sees: every model for a superuser who asks (`all`), else those the
/// user was granted. Models that migrated away are gone from this controller.
fn visible<'a>(st: &'a State, user: &str, all: bool) -> impl Iterator<Item = &'a Model> + use<'a> {
    let user = user.to_string();
    st.models
        .iter()
        .filter(move |m| m.redirect.is_none() && (all || m.users.contains_key(&user)))
}

fn last_login(m: &Model, user: &str) -> Option<String> {
    m.last_login.get(user).map(|t| go_time(*t))
}

/// `ListModels` (`params.Entity` → `params.UserModelList`).
fn list_models(st: &State, session: &Session, v11: bool, params: &Value) -> Reply {
    let user = parse_user_tag(&string_param(params, "tag", "Entity")?)?;
    auth_check(session, &user)?;
    let superuser = session.access == "superuser";
    let v4 = st.juju.is_4();
    let models: Vec<String> = visible(st, &user, superuser)
        .map(|m| {
            let mut model = Obj::new();
            model.v("name", &m.name);
            if v11 {
                model.v("qualifier", &m.owner);
            }
            model.v("uuid", &m.uuid).v("type", m.kind());
            if !v11 {
                model.v("owner-tag", format!("user-{}", m.owner));
            }
            // 4.0 sends null for a user who never connected; 3.6 the zero time.
            let last = match (last_login(m, &user), v4) {
                (Some(t), _) => Some(t),
                (None, true) => None,
                (None, false) => Some(ZERO_TIME.to_string()),
            };
            Obj::new()
                .raw("model", &model.done())
                .v("last-connection", last)
                .done()
        })
        .collect();
    // A Go nil slice is null; 4.0's v10 wrapper always makes an array.
    let always_array = v4 && !v11;
    let list = if models.is_empty() && !always_array {
        "null".to_string()
    } else {
        format!("[{}]", models.join(","))
    };
    Ok(Obj::new().raw("user-models", &list).done())
}

/// `params.EntityStatus` of a model that is up.
fn model_status(m: &Model) -> String {
    Obj::new()
        .v("status", "available")
        .v("info", "")
        .v("since", go_time(m.created))
        .done()
}

/// `params.ModelSLAInfo`: Juju's models have no SLA.
fn sla(owner: &str) -> String {
    Obj::new()
        .v("level", "unsupported")
        .v("owner", owner)
        .done()
}

/// `ListModelSummaries` (`params.ModelSummariesRequest` → `params.ModelSummaryResults`),
/// what python-libjuju calls to find models by name.
fn list_model_summaries(st: &State, session: &Session, version: u32, params: &Value) -> Reply {
    let user = parse_user_tag(&string_param(params, "user-tag", "ModelSummariesRequest")?)?;
    let all = match params.get("all") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(json_type_error(
                other,
                "ModelSummariesRequest",
                "all",
                "bool",
            ));
        }
    };
    auth_check(session, &user)?;
    let superuser = session.access == "superuser";
    let results: Vec<String> = visible(st, &user, all && superuser)
        .map(|m| {
            let access = st.model_access(&user, m).unwrap_or_default();
            let mut o = Obj::new();
            o.v("name", &m.name);
            if version >= 11 {
                o.v("qualifier", &m.owner);
            }
            o.v("uuid", &m.uuid)
                .v("type", m.kind())
                .v("controller-uuid", &st.controller_uuid)
                .v("is-controller", m.uuid == st.controller_model_uuid)
                .v("provider-type", "lxd");
            if version == 9 {
                o.v("default-series", "noble");
            }
            o.v("cloud-tag", "cloud-localhost")
                .v("cloud-region", "localhost")
                .v("cloud-credential-tag", credential_tag(m));
            if version < 11 {
                o.v("owner-tag", format!("user-{}", m.owner));
            }
            o.v("life", "alive")
                .raw("status", &model_status(m))
                .v("user-access", access)
                .v("last-connection", last_login(m, &user))
                .raw("counts", "[]");
            if version < 11 {
                o.raw("sla", &sla(&m.owner));
            }
            o.v("agent-version", &st.server_version);
            format!("{{\"result\":{}}}", o.done())
        })
        .collect();
    // Go's nil slice when nothing is visible.
    Ok(Obj::new().raw("results", &array_or_null(&results)).done())
}

fn credential_tag(m: &Model) -> String {
    format!("cloudcred-localhost_{}_localhost", m.owner)
}

/// `ModelInfo` (`params.Entities` → `params.ModelInfoResults`), what python-libjuju reads
/// after opening a model. Each entity gets a result or an error.
fn model_info(st: &State, session: &Session, version: u32, params: &Value) -> Reply {
    let entities = match params.get("entities") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(other) => {
            return Err(json_type_error(
                other,
                "Entities",
                "entities",
                "[]params.Entity",
            ));
        }
    };
    let mut results = Vec::with_capacity(entities.len());
    for e in &entities {
        let tag = match e.get("tag") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(json_type_error(other, "Entities", "entities.tag", "string"));
            }
        };
        results.push(match one_model_info(st, session, version, &tag) {
            Ok(info) => format!("{{\"result\":{info}}}"),
            Err(e) => format!("{{\"error\":{}}}", item_error(&e)),
        });
    }
    Ok(format!("{{\"results\":[{}]}}", results.join(",")))
}

fn one_model_info(
    st: &State,
    session: &Session,
    version: u32,
    tag: &str,
) -> Result<String, RpcErr> {
    let uuid = parse_model_tag(tag)?;
    // An unknown model is hidden behind permission denied, as Juju does.
    let m = st.models.live(uuid).ok_or_else(perm)?;
    let access = st.model_access(&session.user, m);
    if !at_least(access.as_deref(), "read") {
        return Err(perm());
    }
    let admin = at_least(access.as_deref(), "admin");
    let write = at_least(access.as_deref(), "write");
    let mut o = Obj::new();
    o.v("name", &m.name)
        .v("type", m.kind())
        .v("uuid", &m.uuid)
        .v("controller-uuid", &st.controller_uuid)
        .v("is-controller", m.uuid == st.controller_model_uuid)
        .v("provider-type", "lxd");
    if version == 9 {
        o.v("default-series", "noble")
            .v("default-base", "ubuntu@24.04/stable");
    }
    o.v("cloud-tag", "cloud-localhost")
        .v("cloud-region", "localhost")
        .v("cloud-credential-tag", credential_tag(m))
        .v("cloud-credential-validity", true);
    if version >= 11 {
        o.v("qualifier", &m.owner);
    } else {
        o.v("owner-tag", format!("user-{}", m.owner));
    }
    o.v("life", "alive").raw("status", &model_status(m));
    // Model admins see every user; others only themselves.
    let users: Vec<String> = m
        .users
        .iter()
        .filter(|(u, _)| admin || **u == session.user)
        .map(|(u, a)| {
            let display = if u == "admin" { "admin" } else { "" };
            Obj::new()
                .v("model-tag", "")
                .v("user", u)
                .v("display-name", display)
                .v("last-connection", last_login(m, u))
                .v("access", a)
                .done()
        })
        .collect();
    o.raw("users", &format!("[{}]", users.join(",")));
    // The fake's models have no machines (a Go nil slice).
    o.raw("machines", "null");
    if write {
        o.raw("secret-backends", &secret_backends(st, m));
    } else {
        o.raw("secret-backends", "null");
    }
    if version < 11 {
        o.raw("sla", &sla(""));
    }
    o.v("agent-version", &st.server_version);
    let feature = Obj::new()
        .v("name", "juju")
        .v("description", "the version of Juju used by the model")
        .v("version", &st.server_version)
        .done();
    o.raw("supported-features", &format!("[{feature}]"));
    Ok(o.done())
}

/// The secret backends a model uses, as `ModelInfo` shows them to writers, ids hidden,
/// secrets not revealed.
///
/// 3.6 (`commonsecrets.BackendSummaryInfo` with no filter): only the backends that hold
/// the model's secrets, by id, each with the model's count; `null` when the model has
/// none, whatever backend it is set to.
///
/// 4.0 (`State.ListSecretBackendsForModel`): `internal` always (an IAAS model), then the
/// backends the model's revisions reference, by name. That query selects no count, so
/// `num-secrets` is 0 (read from the code, not run). As in 4.0's `ListSecretBackends`,
/// a backend without config has `config: null`, and only vault backends are pinged.
fn secret_backends(st: &State, m: &Model) -> String {
    let sb = &st.secret_backends;
    // The model's own secrets in each backend, computed from what `Secrets` stores.
    let usage = st.secrets.usage(Some(&m.uuid));
    let holds = |id: &str| usage.get(id).map_or(0, |u| u.secrets);
    let v4 = st.juju.is_4();
    let internal = super::secretbackends::Backend {
        id: sb.internal_id.clone(),
        name: "internal".into(),
        backend_type: "controller".into(),
        config: Map::new(),
        token_rotate_interval: None,
    };
    let mut used: Vec<&super::secretbackends::Backend> =
        sb.added.iter().filter(|b| holds(&b.id) > 0).collect();
    if v4 || holds(&internal.id) > 0 {
        used.push(&internal);
    }
    if v4 {
        used.sort_by(|a, b| a.name.cmp(&b.name));
    } else {
        used.sort_by(|a, b| a.id.cmp(&b.id));
    }
    let out: Vec<String> = used
        .into_iter()
        .map(|b| {
            let mut backend = Obj::new();
            backend
                .v("name", &b.name)
                .v("backend-type", &b.backend_type);
            if let Some(ns) = b.token_rotate_interval {
                backend.v("token-rotate-interval", ns);
            }
            let config = super::secretbackends::public_config(&b.backend_type, &b.config);
            if v4 && b.config.is_empty() {
                backend.raw("config", "null");
            } else {
                backend.v("config", config);
            }
            let mut o = Obj::new();
            o.raw("result", &backend.done())
                .v("id", "")
                .v("num-secrets", if v4 { 0 } else { holds(&b.id) });
            let pinged = !matches!(b.backend_type.as_str(), "controller" | "kubernetes") || !v4;
            match super::secretbackends::ping(&b.backend_type, &b.config) {
                Err(e) if pinged => o.v("status", "error").v("message", &e.message),
                _ => o.v("status", "active"),
            };
            o.done()
        })
        .collect();
    array_or_null(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_names_are_checked_as_names_checks_them() {
        for good in [
            "mysql",
            "wordpress",
            "postgresql-k8s",
            "a1",
            "a-1b",
            "a-b2-c",
        ] {
            assert!(valid_application_name(good), "{good}");
        }
        for bad in [
            "", "1a", "a-1", "a--b", "a-", "-a", "Mysql", "my_sql", "a.b",
        ] {
            assert!(!valid_application_name(bad), "{bad}");
        }
    }
}
