//! The fake's `Secrets` facade (user secrets, on model connections): `ListSecrets`,
//! `CreateSecrets`, `UpdateSecrets`, `RemoveSecrets`, `GrantSecret` and `RevokeSecret`, as
//! each emulated Juju answers them. This module decodes the parameters as Go's
//! `encoding/json` does, checks permissions, and writes the replies in Go's field order;
//! `store` keeps the secrets and applies each version's rules.
//!
//! Versions (`../shared/juju-secrets-reference.md` §3; Go `apiserver/facades/client/
//! secrets/register.go`):
//! - 3.1 and 3.2 register `Secrets` v1 only, a working facade with `ListSecrets` alone (no
//!   label filter, no checksum, no access list in its results);
//! - 3.3 (commit `b26e29f7e7`, "bump the facade version to v2") to 3.6 and 4.0 register v1
//!   and v2, but v1's factory returns a type that is not the registered one, so every call
//!   of a v1 method fails with an internal error (`apiserver/root.go` `FindMethod`).
//!
//! Secrets sit on backends (reference §7): each write goes to the model's active backend,
//! each revision remembers its backend, `num-secrets` is computed from the revisions, and
//! changing a model's backend drains its user secrets to the new one at once.

mod store;
mod uri;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::State;
use super::models::Model;
use super::server::Ctx;
use super::wire::{Obj, Reply, RpcErr, error_results, go_time, item_error};
use store::{
    BackendRef, CreateArg, DeleteArg, Env, Filter, GrantArg, Listed, Owner, Rules, UpdateArg,
};
pub(crate) use store::{Store, Usage};

/// Who is calling: their access to the model (`read`, `write`, `admin`) and whether they
/// are a controller superuser.
pub(crate) struct Caller {
    pub(crate) model_access: Option<String>,
    pub(crate) superuser: bool,
}

impl Caller {
    fn at_least(&self, wanted: &str) -> bool {
        super::models::at_least(self.model_access.as_deref(), wanted)
    }

    /// `HasModelAdmin`: a controller superuser or a model admin.
    fn model_admin(&self) -> bool {
        self.superuser || self.at_least("admin")
    }
}

/// The rules of the Juju version the fake is.
pub(crate) fn rules_for(version: &crate::version::Version) -> Rules {
    match (version.major, version.minor) {
        (4.., _) => Rules::Juju40,
        (3, ..=2) => Rules::Juju31,
        _ => Rules::Juju36,
    }
}

/// Answers a `Secrets` call; `None` for a method the facade version does not have.
pub(crate) fn handle(
    secrets: &mut Store,
    env: &Env,
    caller: &Caller,
    version: u32,
    method: &str,
    params: &Value,
) -> Option<Reply> {
    let v1_only = env.rules == Rules::Juju31;
    let known = match method {
        "ListSecrets" => true,
        "CreateSecrets" | "UpdateSecrets" | "RemoveSecrets" | "GrantSecret" | "RevokeSecret" => {
            !v1_only
        }
        _ => false,
    };
    if !known {
        return None;
    }
    Some((|| {
        // The parameters are decoded before the facade is made.
        let call = decode(method, params)?;
        if version == 1 && !v1_only {
            return Err(RpcErr::new(
                "internal error, Secrets(1) claimed to return *secrets.SecretsAPI but \
                 returned *secrets.SecretsAPIV1",
                "",
            ));
        }
        match call {
            Call::List(filter, reveal) => {
                let allowed = if reveal {
                    caller.model_admin()
                } else {
                    caller.at_least("read")
                };
                if !allowed {
                    return Err(store::perm());
                }
                let listed = secrets.list(env, &filter, reveal)?;
                Ok(list_json(env, &listed))
            }
            Call::Create(args) => {
                if !caller.at_least("write") {
                    return Err(store::perm());
                }
                Ok(string_results(secrets.create(env, &args)?))
            }
            Call::Update(args) => {
                if !caller.at_least("write") {
                    return Err(store::perm());
                }
                Ok(error_results(&secrets.update(env, &args)?))
            }
            Call::Remove(args) => Ok(error_results(&secrets.remove(
                env,
                caller.at_least("write"),
                &args,
            )?)),
            Call::Grant(arg, grant) => Ok(error_results(&secrets.grant_revoke(
                env,
                caller.at_least("write"),
                &arg,
                grant,
            )?)),
        }
    })())
}

// ---- the glue to the fake's state --------------------------------------------------------

/// The `Secrets` facade's handler: the call acts on the connection's model (`Secrets` is
/// refused on `/api` before it gets here).
pub(crate) fn call(ctx: &mut Ctx<'_>) -> Reply {
    let mut st = ctx.state();
    let Some(m) = st.models.live(ctx.model_uuid) else {
        return Err(RpcErr::new(
            format!("unknown model: {:?}", ctx.model_uuid),
            "model not found",
        ));
    };
    let caller = Caller {
        model_access: st.model_access(&ctx.session.user, m),
        superuser: ctx.superuser(),
    };
    let parts = EnvParts::new(&st, m);
    // Applications come with the fake's model applications; until then none exists.
    let app_exists = |_: &str| false;
    let env = parts.env(ctx.model_uuid, &app_exists);
    let reply = handle(
        &mut st.secrets,
        &env,
        &caller,
        ctx.version,
        ctx.method,
        ctx.params,
    );
    if reply.is_some() && ctx.method != "ListSecrets" {
        st.recount_secrets();
    }
    reply.unwrap_or_else(|| Err(ctx.no_such_method()))
}

/// What an [`Env`] borrows, taken from the state.
struct EnvParts {
    rules: Rules,
    model_name: String,
    internal_id: String,
    backends: Vec<BackendRef>,
    active: Result<String, String>,
    now: SystemTime,
}

impl EnvParts {
    fn new(st: &State, m: &Model) -> EnvParts {
        EnvParts {
            rules: rules_for(&st.juju.version),
            model_name: m.name.clone(),
            internal_id: st.secret_backends.internal_id.clone(),
            backends: st
                .secret_backends
                .added
                .iter()
                .map(|b| BackendRef {
                    id: b.id.clone(),
                    name: b.name.clone(),
                    backend_type: b.backend_type.clone(),
                    config: b.config.clone(),
                })
                .collect(),
            active: st.active_secret_backend(m),
            // The fake's clock (`FakeController::advance_clock`).
            now: SystemTime::now() + st.bakery.skew,
        }
    }

    fn env<'a>(&'a self, model_uuid: &'a str, app_exists: &'a dyn Fn(&str) -> bool) -> Env<'a> {
        Env {
            rules: self.rules,
            model_uuid,
            model_name: &self.model_name,
            now: self.now,
            internal_id: &self.internal_id,
            backends: &self.backends,
            active: self.active.clone(),
            app_exists,
        }
    }
}

impl State {
    /// The id of the backend `m` writes secret content to: on 3.x from its
    /// `secret-backend` config (`auto` and `internal` are the controller's own store on
    /// IAAS, `AdminBackendConfigInfo`), `Err(name)` when that backend is gone; on 4.0 the
    /// one `SetModelSecretBackend` chose, or the built-in one.
    pub(crate) fn active_secret_backend(&self, m: &Model) -> Result<String, String> {
        let sb = &self.secret_backends;
        if self.juju.is_4() {
            return Ok(m
                .secret_backend_id
                .clone()
                .filter(|id| sb.by_id(id).is_some())
                .unwrap_or_else(|| sb.internal_id.clone()));
        }
        let name = match m.config.get("secret-backend") {
            None => "auto".to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        if name == "auto" || name == "internal" {
            return Ok(sb.internal_id.clone());
        }
        sb.named(&name).map(|b| b.id.clone()).ok_or(name)
    }

    /// To be called when model `uuid`'s secret backend may have changed: drains its user
    /// secrets to the active backend.
    pub(crate) fn secret_backend_changed(&mut self, uuid: &str) {
        let Some(active) = self
            .models
            .get(uuid)
            .and_then(|m| self.active_secret_backend(m).ok())
        else {
            return;
        };
        let sb = &self.secret_backends;
        self.secrets.drain(uuid, &active, |id| {
            id == sb.internal_id || sb.by_id(id).is_some()
        });
        self.recount_secrets();
    }
}

/// `FakeController::add_charm_secret`: a charm secret owned by `owner` (an application,
/// or a unit `app/n`), stored on the model's active backend; its URI.
pub(crate) fn add_charm_secret(
    st: &mut State,
    model: &str,
    owner: &str,
    label: &str,
    data: BTreeMap<String, String>,
) -> Option<String> {
    let m = st.models.find(model)?;
    let uuid = m.uuid.clone();
    let parts = EnvParts::new(st, m);
    let backend = parts.active.clone().ok()?;
    let no_apps = |_: &str| false;
    let env = parts.env(&uuid, &no_apps);
    let owner = match owner.split_once('/') {
        Some(_) => Owner::Unit(owner.to_string()),
        None => Owner::Application(owner.to_string()),
    };
    let id = st
        .secrets
        .add_charm_secret(&env, owner, label, data, &backend);
    st.recount_secrets();
    Some(format!("secret:{id}"))
}

/// `FakeController::set_model_secret_count`: `n` secrets with one revision each in the
/// backend `backend_id`, counted but not listed.
pub(crate) fn set_synthetic_count(st: &mut State, uuid: &str, backend_id: &str, n: u64) {
    let synthetic = &mut st.secrets.model_mut(uuid).synthetic;
    if n == 0 {
        synthetic.remove(backend_id);
    } else {
        synthetic.insert(backend_id.to_string(), n);
    }
    st.recount_secrets();
}

// ---- decoding, as Go's encoding/json does ----------------------------------------------

enum Call {
    List(Filter, bool),
    Create(Vec<CreateArg>),
    Update(Vec<UpdateArg>),
    Remove(Vec<DeleteArg>),
    /// The argument, and true for a grant.
    Grant(GrantArg, bool),
}

fn decode(method: &str, params: &Value) -> Result<Call, RpcErr> {
    Ok(match method {
        "ListSecrets" => {
            let o = Dec::top(params, "ListSecretsArgs")?;
            let reveal = o.bool("show-secrets")?.unwrap_or(false);
            let mut filter = Filter::default();
            if let Some(f) = o.object("filter", "SecretsFilter", "params.SecretsFilter")? {
                filter.uri = f.string("uri")?;
                filter.label = f.string("label")?;
                filter.revision = f.int("revision")?;
                filter.owner_tag = f.string("owner-tag")?;
            }
            Call::List(filter, reveal)
        }
        "CreateSecrets" => Call::Create(
            Dec::top(params, "CreateSecretArgs")?
                .array("args", "CreateSecretArg")?
                .into_iter()
                .map(|a| {
                    let content = upsert(&a)?;
                    Ok(CreateArg {
                        uri_set: a.string("uri")?.is_some(),
                        owner_tag: a.string("owner-tag")?.unwrap_or_default(),
                        label: a.string("label")?,
                        description: a.string("description")?,
                        data: content.data,
                    })
                })
                .collect::<Result<_, RpcErr>>()?,
        ),
        "UpdateSecrets" => Call::Update(
            Dec::top(params, "UpdateUserSecretArgs")?
                .array("args", "UpdateUserSecretArg")?
                .into_iter()
                .map(|a| {
                    let content = upsert(&a)?;
                    Ok(UpdateArg {
                        uri: a.string("uri")?.unwrap_or_default(),
                        existing_label: a.string("existing-label")?.unwrap_or_default(),
                        label: a.string("label")?,
                        description: a.string("description")?,
                        data: content.data,
                        auto_prune: a.bool("auto-prune")?,
                        rotate_policy: content.rotate_policy,
                        expire_time: content.expire_time,
                        params: content.params,
                        value_ref: content.value_ref,
                    })
                })
                .collect::<Result<_, RpcErr>>()?,
        ),
        "RemoveSecrets" => Call::Remove(
            Dec::top(params, "DeleteSecretArgs")?
                .array("args", "DeleteSecretArg")?
                .into_iter()
                .map(|a| {
                    Ok(DeleteArg {
                        uri: a.string("uri")?.unwrap_or_default(),
                        label: a.string("label")?.unwrap_or_default(),
                        revisions: a.ints("revisions")?,
                    })
                })
                .collect::<Result<_, RpcErr>>()?,
        ),
        _ => {
            let o = Dec::top(params, "GrantRevokeUserSecretArg")?;
            Call::Grant(
                GrantArg {
                    uri: o.string("uri")?.unwrap_or_default(),
                    label: o.string("label")?.unwrap_or_default(),
                    applications: o.strings("applications")?,
                },
                method == "GrantSecret",
            )
        }
    })
}

/// The `UpsertSecretArg` fields embedded in create and update arguments.
struct Upsert {
    data: BTreeMap<String, String>,
    rotate_policy: bool,
    expire_time: bool,
    params: bool,
    value_ref: bool,
}

fn upsert(a: &Dec) -> Result<Upsert, RpcErr> {
    let rotate_policy = a.string("rotate-policy")?.is_some();
    let expire_time = match a.field("expire-time") {
        None => false,
        Some(Value::String(_)) => true,
        Some(other) => return Err(a.type_error(other, "expire-time", "time.Time")),
    };
    let params = match a.field("params") {
        None => false,
        Some(Value::Object(p)) => !p.is_empty(),
        Some(other) => {
            return Err(a.type_error(other, "params", "map[string]interface {}"));
        }
    };
    let (data, value_ref) = match a.object(
        "content",
        "SecretContentParams",
        "params.SecretContentParams",
    )? {
        None => (BTreeMap::new(), false),
        Some(c) => {
            let value_ref = match c.field("value-ref") {
                None => false,
                Some(Value::Object(_)) => true,
                Some(other) => {
                    return Err(c.type_error(other, "value-ref", "params.SecretValueRef"));
                }
            };
            c.string("checksum")?;
            (c.string_map("data")?, value_ref)
        }
    };
    Ok(Upsert {
        data,
        rotate_policy,
        expire_time,
        params,
        value_ref,
    })
}

/// A JSON object being decoded into a Go struct: its fields are found case-insensitively,
/// and a value of the wrong type fails with `encoding/json`'s text, naming the innermost
/// struct and the path from the top. (Go 1.24 also names embedded structs in that path,
/// `UpsertSecretArg` here; the fake leaves them out.)
struct Dec<'a> {
    map: Option<&'a Map<String, Value>>,
    go_struct: &'static str,
    /// The path of this object's fields from the top, with a trailing dot (or empty).
    prefix: String,
}

impl<'a> Dec<'a> {
    fn top(params: &'a Value, go_struct: &'static str) -> Result<Dec<'a>, RpcErr> {
        match params {
            Value::Null => Ok(Dec {
                map: None,
                go_struct,
                prefix: String::new(),
            }),
            Value::Object(m) => Ok(Dec {
                map: Some(m),
                go_struct,
                prefix: String::new(),
            }),
            other => Err(RpcErr::new(
                format!(
                    "json: cannot unmarshal {} into Go value of type params.{go_struct}",
                    json_what(other, "")
                ),
                "",
            )),
        }
    }

    /// A field's value; `null` is the same as absent.
    fn field(&self, name: &str) -> Option<&'a Value> {
        let m = self.map?;
        m.get(name)
            .or_else(|| {
                m.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
            .filter(|v| !v.is_null())
    }

    fn type_error(&self, v: &Value, name: &str, go_type: &str) -> RpcErr {
        RpcErr::new(
            format!(
                "json: cannot unmarshal {} into Go struct field {}.{}{name} of type {go_type}",
                json_what(v, go_type),
                self.go_struct,
                self.prefix
            ),
            "",
        )
    }

    fn string(&self, name: &str) -> Result<Option<String>, RpcErr> {
        match self.field(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.type_error(other, name, "string")),
        }
    }

    fn bool(&self, name: &str) -> Result<Option<bool>, RpcErr> {
        match self.field(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.type_error(other, name, "bool")),
        }
    }

    fn int(&self, name: &str) -> Result<Option<i64>, RpcErr> {
        match self.field(name) {
            None => Ok(None),
            Some(v) => match v.as_i64() {
                Some(n) => Ok(Some(n)),
                None => Err(self.type_error(v, name, "int")),
            },
        }
    }

    fn ints(&self, name: &str) -> Result<Vec<i64>, RpcErr> {
        match self.field(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    Value::Null => Ok(0),
                    v => v.as_i64().ok_or_else(|| self.type_error(v, name, "int")),
                })
                .collect(),
            Some(other) => Err(self.type_error(other, name, "[]int")),
        }
    }

    fn strings(&self, name: &str) -> Result<Vec<String>, RpcErr> {
        match self.field(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    Value::Null => Ok(String::new()),
                    Value::String(s) => Ok(s.clone()),
                    v => Err(self.type_error(v, name, "string")),
                })
                .collect(),
            Some(other) => Err(self.type_error(other, name, "[]string")),
        }
    }

    fn string_map(&self, name: &str) -> Result<BTreeMap<String, String>, RpcErr> {
        match self.field(name) {
            None => Ok(BTreeMap::new()),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    // Go stores a null as the zero value.
                    Value::Null => Ok((k.clone(), String::new())),
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    v => Err(self.type_error(v, name, "string")),
                })
                .collect(),
            Some(other) => Err(self.type_error(other, name, "map[string]string")),
        }
    }

    fn object(
        &self,
        name: &str,
        go_struct: &'static str,
        go_type: &str,
    ) -> Result<Option<Dec<'a>>, RpcErr> {
        match self.field(name) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Dec {
                map: Some(m),
                go_struct,
                prefix: format!("{}{name}.", self.prefix),
            })),
            Some(other) => Err(self.type_error(other, name, go_type)),
        }
    }

    /// A list of structs, each decoded as an object.
    fn array(&self, name: &str, go_struct: &'static str) -> Result<Vec<Dec<'a>>, RpcErr> {
        match self.field(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::Null => Ok(Dec {
                        map: None,
                        go_struct,
                        prefix: format!("{}{name}.", self.prefix),
                    }),
                    Value::Object(m) => Ok(Dec {
                        map: Some(m),
                        go_struct,
                        prefix: format!("{}{name}.", self.prefix),
                    }),
                    other => Err(self.type_error(other, name, &format!("params.{go_struct}"))),
                })
                .collect(),
            Some(other) => Err(self.type_error(other, name, &format!("[]params.{go_struct}"))),
        }
    }
}

/// How `encoding/json` names a JSON value in a type error: a number with its text only
/// when it was bound for an integer (`literalStore`).
fn json_what(v: &Value, go_type: &str) -> String {
    match v {
        Value::String(_) => "string".into(),
        Value::Number(n) if go_type == "int" => format!("number {n}"),
        Value::Number(_) => "number".into(),
        Value::Bool(_) => "bool".into(),
        Value::Array(_) => "array".into(),
        Value::Object(_) => "object".into(),
        Value::Null => "null".into(),
    }
}

// ---- encoding, in Go's field order -----------------------------------------------------

/// A time as the version sends it: 3.x rounds to the second (`nowToTheSecond`), 4.0 keeps
/// the fraction (at the millisecond, as the fake's other times).
fn wire_time(rules: Rules, t: SystemTime) -> String {
    if rules == Rules::Juju40 {
        return go_time(t);
    }
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() + u64::from(d.subsec_nanos() >= 500_000_000);
    go_time(UNIX_EPOCH + Duration::from_secs(secs))
}

/// `params.ListSecretResults`: `results` is `[]` when nothing matches.
fn list_json(env: &Env, listed: &[Listed]) -> String {
    let items: Vec<String> = listed.iter().map(|l| listed_json(env, l)).collect();
    format!("{{\"results\":[{}]}}", items.join(","))
}

/// `params.ListSecretResult`.
fn listed_json(env: &Env, l: &Listed) -> String {
    let s = l.secret;
    let rules = env.rules;
    let mut o = Obj::new();
    o.v("uri", format!("secret:{}", s.id))
        .v("version", 1)
        .v("owner-tag", s.owner.tag(env.model_uuid));
    // 4.0 keeps a rotate policy for every secret, `never` unless a charm set another.
    let policy = match (rules, s.rotate_policy.as_str()) {
        (Rules::Juju40, "") => "never",
        (_, p) => p,
    };
    if !policy.is_empty() {
        o.v("rotate-policy", policy);
    }
    if !s.description.is_empty() {
        o.v("description", &s.description);
    }
    if !s.label.is_empty() {
        o.v("label", &s.label);
    }
    o.v("latest-revision", l.latest);
    if rules != Rules::Juju31 {
        o.v("latest-revision-checksum", &s.checksum);
    }
    o.v("create-time", wire_time(rules, s.created))
        .v("update-time", wire_time(rules, s.updated));
    if l.revisions.is_empty() {
        o.raw("revisions", "null");
    } else {
        let revs: Vec<String> = l
            .revisions
            .iter()
            .map(|(r, backend)| {
                Obj::new()
                    .v("revision", r.n)
                    .v("backend-name", backend)
                    .v("create-time", wire_time(rules, r.created))
                    .v("update-time", wire_time(rules, r.updated))
                    .done()
            })
            .collect();
        o.raw("revisions", &format!("[{}]", revs.join(",")));
    }
    match &l.value {
        None => {}
        Some(Ok(data)) => {
            let data = serde_json::to_string(data).expect("a map of strings serialises");
            o.raw("value", &Obj::new().raw("data", &data).done());
        }
        Some(Err(e)) => {
            o.raw("value", &Obj::new().raw("error", &item_error(e)).done());
        }
    }
    if rules != Rules::Juju31 && !s.grants.is_empty() {
        let access: Vec<String> = s
            .grants
            .iter()
            .map(|app| {
                Obj::new()
                    .v("target-tag", format!("application-{app}"))
                    .v("scope-tag", format!("model-{}", env.model_uuid))
                    .v("role", "view")
                    .done()
            })
            .collect();
        o.raw("access", &format!("[{}]", access.join(",")));
    }
    o.done()
}

/// `params.StringResults`: `error` (when set) before `result`, as the Go struct has them.
fn string_results(items: Vec<Result<String, RpcErr>>) -> String {
    let items: Vec<String> = items
        .into_iter()
        .map(|r| match r {
            Ok(s) => Obj::new().v("result", s).done(),
            Err(e) => Obj::new()
                .raw("error", &item_error(&e))
                .v("result", "")
                .done(),
        })
        .collect();
    format!("{{\"results\":[{}]}}", items.join(","))
}

#[cfg(test)]
mod tests;
