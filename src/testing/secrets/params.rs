//! The facade's wire shapes (`rpc/params/secrets.go`, the same JSON in 3.6.26 and
//! 4.0.14): arguments decoded as Go's `encoding/json` decodes them, and results written in
//! the Go structs' field order.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::store::{Env, Listed, Rules};
use crate::testing::wire::{Obj, RpcErr, go_time, item_error};

// ---- arguments, decoded ------------------------------------------------------------

/// `params.SecretsFilter`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Filter {
    pub(crate) uri: Option<String>,
    pub(crate) label: Option<String>,
    pub(crate) revision: Option<i64>,
    pub(crate) owner_tag: Option<String>,
}

/// `params.CreateSecretArg`.
#[derive(Debug, Default, Clone)]
pub(crate) struct CreateArg {
    /// `uri` was present (a non-null pointer), whatever its value.
    pub(crate) uri_set: bool,
    pub(crate) owner_tag: String,
    pub(crate) label: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) data: BTreeMap<String, String>,
}

/// `params.UpdateUserSecretArg`.
#[derive(Debug, Default, Clone)]
pub(crate) struct UpdateArg {
    pub(crate) uri: String,
    pub(crate) existing_label: String,
    pub(crate) label: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) data: BTreeMap<String, String>,
    pub(crate) auto_prune: Option<bool>,
    /// `rotate-policy` / `expire-time` were present (both ignored for user secrets).
    pub(crate) rotate_policy: bool,
    pub(crate) expire_time: bool,
    /// `params` was a non-empty object.
    pub(crate) params: bool,
    /// `content.value-ref` was present.
    pub(crate) value_ref: bool,
}

/// `params.DeleteSecretArg`.
#[derive(Debug, Default, Clone)]
pub(crate) struct DeleteArg {
    pub(crate) uri: String,
    pub(crate) label: String,
    pub(crate) revisions: Vec<i64>,
}

/// `params.GrantRevokeUserSecretArg`.
#[derive(Debug, Default, Clone)]
pub(crate) struct GrantArg {
    pub(crate) uri: String,
    pub(crate) label: String,
    pub(crate) applications: Vec<String>,
}

// ---- decoding, as Go's encoding/json does ----------------------------------------------

pub(crate) enum Call {
    List(Filter, bool),
    Create(Vec<CreateArg>),
    Update(Vec<UpdateArg>),
    Remove(Vec<DeleteArg>),
    /// The argument, and true for a grant.
    Grant(GrantArg, bool),
}

pub(crate) fn decode(method: &str, params: &Value) -> Result<Call, RpcErr> {
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
pub(crate) fn list_json(env: &Env, listed: &[Listed]) -> String {
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
pub(crate) fn string_results(items: Vec<Result<String, RpcErr>>) -> String {
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
