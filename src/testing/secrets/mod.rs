//! The fake's `Secrets` facade (user secrets, on model connections): `ListSecrets`,
//! `CreateSecrets`, `UpdateSecrets`, `RemoveSecrets`, `GrantSecret` and `RevokeSecret`, as
//! each emulated Juju answers them. This module checks permissions and plugs the facade
//! into the fake's state; `params` decodes the parameters as Go's `encoding/json` does and
//! writes the replies in Go's field order; `store` keeps the secrets and applies each
//! version's rules, `list` lists them; `uri` makes and parses secret URIs.
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

mod list;
mod params;
mod store;
mod uri;

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use serde_json::Value;

use super::State;
use super::models::Model;
use super::server::Ctx;
use super::wire::{Reply, RpcErr, error_results};
use params::{Call, decode, list_json, string_results};
use store::{BackendRef, Env, Owner, Rules};
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
    let app_exists = |app: &str| parts.applications.contains(app);
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
    /// The model's applications, for grants.
    applications: BTreeSet<String>,
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
            applications: m.applications.clone(),
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
    let app_exists = |app: &str| parts.applications.contains(app);
    let env = parts.env(&uuid, &app_exists);
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

#[cfg(test)]
mod tests;
