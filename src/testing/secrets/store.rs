//! The secrets every model keeps, and the rules each Juju version applies to creating,
//! updating, removing and granting them, with its exact error texts and codes: a typed
//! store with no JSON in it (`params.rs` decodes and encodes, `list.rs` lists).
//!
//! Sources: `../shared/juju-secrets-reference.md` §2, §5, §7 and §10; where it is silent,
//! the Go source named beside the rule (3.6.26 = `605b3a18384b`, 4.0.14 = branch `4.0`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use super::params::{CreateArg, DeleteArg, GrantArg, UpdateArg};
use super::uri::{self, Uri, go_quote};
pub(crate) use crate::testing::models::valid_application_name;
pub(crate) use crate::testing::wire::perm;
use crate::testing::wire::{RpcErr, go_html_escape};

/// Whose rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rules {
    /// Juju 3.1 and 3.2: `Secrets` v1 only, a working `ListSecrets` and nothing else
    /// (`apiserver/facades/client/secrets` at the `3.1` and `3.2` branches).
    Juju31,
    /// Juju 3.3 (which added v2, commit `b26e29f7e7`) to 3.6: emulated as 3.6.26.
    Juju36,
    /// Juju 4.0.
    Juju40,
}

/// Who owns a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Owner {
    /// The model: a user secret.
    Model,
    /// A charm secret owned by an application.
    Application(String),
    /// A charm secret owned by a unit (`mysql/0`).
    Unit(String),
}

impl Owner {
    /// The owner's tag, as `owner-tag` shows it.
    pub(crate) fn tag(&self, model_uuid: &str) -> String {
        match self {
            Owner::Model => format!("model-{model_uuid}"),
            Owner::Application(a) => format!("application-{a}"),
            Owner::Unit(u) => format!("unit-{}", u.replace('/', "-")),
        }
    }
}

/// One revision of a secret's content.
#[derive(Debug, Clone)]
pub(crate) struct Revision {
    pub(crate) n: i64,
    /// The backend holding the content: the `internal` backend's id for content kept in
    /// the controller's database.
    pub(crate) backend_id: String,
    /// Key → base64 value, as the client sent it.
    pub(crate) data: BTreeMap<String, String>,
    pub(crate) created: SystemTime,
    pub(crate) updated: SystemTime,
}

/// A secret and its revisions.
#[derive(Debug, Clone)]
pub(crate) struct Secret {
    pub(crate) id: String,
    pub(crate) owner: Owner,
    /// `""` when it has none.
    pub(crate) label: String,
    pub(crate) description: String,
    pub(crate) auto_prune: bool,
    /// Charm secrets only; `""` when none.
    pub(crate) rotate_policy: String,
    pub(crate) created: SystemTime,
    pub(crate) updated: SystemTime,
    /// 3.x's stored latest revision: a counter that never goes down.
    pub(crate) counter: i64,
    pub(crate) checksum: String,
    /// In revision order.
    pub(crate) revisions: Vec<Revision>,
    /// The applications granted `view`, in the order they were granted.
    pub(crate) grants: Vec<String>,
}

impl Secret {
    /// `latest-revision`: 3.x's counter; 4.0's `MAX(revision)`.
    pub(crate) fn latest(&self, rules: Rules) -> i64 {
        match rules {
            Rules::Juju40 => self.revisions.iter().map(|r| r.n).max().unwrap_or(0),
            _ => self.counter,
        }
    }

    pub(crate) fn revision(&self, n: i64) -> Option<&Revision> {
        self.revisions.iter().find(|r| r.n == n)
    }
}

/// A model's secrets.
#[derive(Debug, Default)]
pub(crate) struct ModelSecrets {
    /// In creation order (3.6 lists them in Mongo's natural order).
    pub(crate) secrets: Vec<Secret>,
    /// 3.6 reserves the empty name the first time a user secret is given it (by a create
    /// with `label: ""` or a rename to `""`), and never releases it: removing a secret only
    /// releases a non-empty label (`state/secrets.go` `uniqueSecretOwnerLabelOps`,
    /// `deleteSecrets`).
    pub(crate) empty_label_reserved: bool,
    /// Secrets counted as if stored, backend id → how many (each with one revision), from
    /// `FakeController::set_model_secret_count`: charm secrets the fake does not list.
    pub(crate) synthetic: HashMap<String, u64>,
}

/// Every model's secrets.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) models: HashMap<String, ModelSecrets>,
}

/// How much of a backend is in use.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Usage {
    /// Distinct secrets with at least one revision there: `num-secrets`.
    pub(crate) secrets: u64,
    /// Revisions stored there: 3.6's reference count, which blocks removal and renaming.
    pub(crate) revisions: u64,
}

/// A secret backend the controller has, as the secrets code needs it.
#[derive(Debug, Clone)]
pub(crate) struct BackendRef {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) backend_type: String,
    pub(crate) config: serde_json::Map<String, serde_json::Value>,
}

/// What an operation needs to know about the rest of the controller.
pub(crate) struct Env<'a> {
    pub(crate) rules: Rules,
    pub(crate) model_uuid: &'a str,
    pub(crate) model_name: &'a str,
    pub(crate) now: SystemTime,
    /// The built-in `internal` backend's id.
    pub(crate) internal_id: &'a str,
    /// The backends users added.
    pub(crate) backends: &'a [BackendRef],
    /// The model's active backend's id; on 3.x, `Err(name)` when the backend its config
    /// names is gone.
    pub(crate) active: Result<String, String>,
    /// Whether the model has this application.
    pub(crate) app_exists: &'a dyn Fn(&str) -> bool,
}

impl Env<'_> {
    pub(crate) fn v4(&self) -> bool {
        self.rules == Rules::Juju40
    }

    pub(crate) fn backend_exists(&self, id: &str) -> bool {
        id == self.internal_id || self.backends.iter().any(|b| b.id == id)
    }

    /// 3.x `AdminBackendConfigInfo`'s failure when the model's backend is gone.
    pub(crate) fn active_or_err(&self) -> Result<&str, RpcErr> {
        self.active.as_deref().map_err(|name| {
            RpcErr::new(
                format!("secret backend {} not found", go_quote(name)),
                "not found",
            )
        })
    }

    /// `backend-name` of a revision: `internal`, the backend's name, or (for a backend
    /// removed with force) 3.x `unknown` (`state/secrets.go` `listSecretRevisions`), 4.0
    /// `<unknown>`.
    pub(crate) fn backend_name(&self, id: &str) -> String {
        if id == self.internal_id {
            return "internal".into();
        }
        if let Some(b) = self.backends.iter().find(|b| b.id == id) {
            return b.name.clone();
        }
        if id == self.model_uuid {
            // The model's own Kubernetes store (CAAS models only).
            return format!("{}-local", self.model_name);
        }
        if self.v4() { "<unknown>" } else { "unknown" }.into()
    }

    /// Go's `%q` of the facade's `map[string]provider.SecretsBackend` (every backend of the
    /// controller, by id): fmt sorts the keys, and `%q` on a pointer value is a bad verb
    /// that prints the pointee with `%v`. A Vault client's address is made up.
    pub(crate) fn backends_map_q(&self) -> String {
        let mut all: Vec<(String, String)> = vec![(
            self.internal_id.to_string(),
            "*juju.jujuBackend=&{}".to_string(),
        )];
        for (i, b) in self.backends.iter().enumerate() {
            let cfg = |k: &str| {
                b.config
                    .get(k)
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let addr = format!("0xc000{:06x}", 0x4a_2000 + i * 0x1000);
            let value = match b.backend_type.as_str() {
                "vault" => {
                    // `newBackend`: the mount path, then `<model>-<last 6 of its UUID>`.
                    let mut mount = cfg("mount-path");
                    if !mount.is_empty() && !mount.ends_with('/') {
                        mount.push('/');
                    }
                    let uuid = self.model_uuid;
                    mount.push_str(&format!(
                        "{}-{}",
                        self.model_name,
                        &uuid[uuid.len().saturating_sub(6)..]
                    ));
                    format!("*vault.vaultBackend=&{{{mount} {addr}}}")
                }
                "kubernetes" => format!(
                    "*kubernetes.k8sBackend=&{{ {} {} {} {addr} {{}}}}",
                    cfg("namespace"),
                    self.model_name,
                    self.model_uuid
                ),
                other => format!("*{other}.backend=&{{}}"),
            };
            all.push((b.id.clone(), value));
        }
        all.sort();
        let entries: Vec<String> = all
            .into_iter()
            .map(|(id, v)| format!("{}:%!q({v})", go_quote(&id)))
            .collect();
        format!("map[{}]", entries.join(" "))
    }
}

/// One secret as `ListSecrets` returns it.
pub(crate) struct Listed<'a> {
    pub(crate) secret: &'a Secret,
    pub(crate) latest: i64,
    /// Each revision listed, with its `backend-name`.
    pub(crate) revisions: Vec<(&'a Revision, String)>,
    /// With `show-secrets`: the content, or why it could not be read.
    pub(crate) value: Option<Result<&'a BTreeMap<String, String>, RpcErr>>,
}

/// Per-item results of a bulk call, or the error of the whole call.
pub(crate) type Items<T> = Result<Vec<Result<T, RpcErr>>, RpcErr>;

// ---- errors -------------------------------------------------------------------------------

/// 3.6's recovered panic: an item that fails validation leaves a nil URI in the list
/// handed to `BackendConfigInfo(…, only)`, which dereferences it (reference §5.2, inferred
/// strong: `apiserver/common/secrets/secrets.go` `backendConfigInfo` reads `uri.ID` of
/// every entry of `only`); `rpc/server.go` recovers it as the whole call's error.
fn nil_panic() -> RpcErr {
    RpcErr::new(
        "runtime error: invalid memory address or nil pointer dereference",
        "",
    )
}

pub(crate) fn not_found(what: String) -> RpcErr {
    RpcErr::new(format!("{what} not found"), "not found")
}

fn label_taken(label: &str) -> RpcErr {
    RpcErr::new(
        format!("secret with name {} already exists", go_quote(label)),
        "already exists",
    )
}

/// The checksum Juju keeps of a revision's content (`core/secrets/secretvalue.go`
/// `Checksum`): SHA-256 of Go's `json.Marshal` of the base64 map (keys sorted, HTML
/// escaped), in lowercase hex.
pub(crate) fn checksum(data: &BTreeMap<String, String>) -> String {
    let json = serde_json::to_string(data).expect("a map of strings serialises");
    let json = go_html_escape(json);
    data_encoding::HEXLOWER.encode(&Sha256::digest(json.as_bytes()))
}

// ---- the store ----------------------------------------------------------------------------

impl ModelSecrets {
    fn index(&self, id: &str) -> Option<usize> {
        self.secrets.iter().position(|s| s.id == id)
    }

    fn user_secrets_labelled<'a>(&'a self, label: &'a str) -> impl Iterator<Item = &'a Secret> {
        self.secrets
            .iter()
            .filter(move |s| s.owner == Owner::Model && s.label == label)
    }

    /// 3.6 `getSecretURI`: the one user secret with this label.
    fn label_lookup_36(&self, label: &str) -> Result<Uri, RpcErr> {
        let mut found = self.user_secrets_labelled(label);
        match (found.next(), found.next()) {
            (Some(s), None) => Ok(Uri {
                source: String::new(),
                id: s.id.clone(),
            }),
            (None, _) => Err(not_found(format!("secret {}", go_quote(label)))),
            (Some(_), Some(_)) => Err(not_found(format!(
                "more than 1 secret with label {}",
                go_quote(label)
            ))),
        }
    }

    /// 3.6 `GetSecret`.
    fn get_36(&self, uri: &Uri) -> Result<usize, RpcErr> {
        self.index(&uri.id)
            .ok_or_else(|| not_found(format!("secret {}", go_quote(&uri.string()))))
    }

    /// 4.0 `secretURI`: by URI, or by the label of a user secret.
    fn secret_uri_40(&self, uri: &str, label: &str) -> Result<Uri, RpcErr> {
        if uri.is_empty() && label.is_empty() {
            return Err(RpcErr::new("must specify either URI or label", ""));
        }
        if !uri.is_empty() {
            return uri::parse(uri);
        }
        match self.user_secrets_labelled(label).next() {
            Some(s) => Ok(Uri {
                source: String::new(),
                id: s.id.clone(),
            }),
            None => Err(RpcErr::new(
                format!(
                    "getting user secret for label {q}: secret with label {q} not found",
                    q = go_quote(label)
                ),
                "secret not found",
            )),
        }
    }

    /// 4.0 `getManagementCaveat` for the model: the secret must be here and the model's.
    fn manage_40(&self, env: &Env, uri: &Uri) -> Result<usize, RpcErr> {
        if !uri.source.is_empty() && uri.source != env.model_uuid {
            return Err(RpcErr::new("secret is from a different model", ""));
        }
        let i = self
            .index(&uri.id)
            .ok_or_else(|| RpcErr::new("secret not found", "secret not found"))?;
        if self.secrets[i].owner != Owner::Model {
            return Err(RpcErr::new(
                format!(
                    "{} is not allowed to manage this secret",
                    go_quote(env.model_uuid)
                ),
                "unauthorized access",
            ));
        }
        Ok(i)
    }

    /// Whether `label` may name secret `except` of `owner`: no other secret of that owner
    /// has it (3.6 also refuses a reserved empty label).
    fn label_free(&self, rules: Rules, owner: &Owner, label: &str, except: Option<usize>) -> bool {
        if label.is_empty() {
            return rules == Rules::Juju40 || *owner != Owner::Model || !self.empty_label_reserved;
        }
        !self
            .secrets
            .iter()
            .enumerate()
            .any(|(i, s)| Some(i) != except && s.owner == *owner && s.label == label)
    }

    fn new_secret(&mut self, env: &Env, owner: Owner, backend: &str, a: &CreateArg) -> String {
        let id = uri::new_id();
        if a.label.as_deref() == Some("") && owner == Owner::Model {
            self.empty_label_reserved = true;
        }
        self.secrets.push(Secret {
            id: id.clone(),
            owner,
            label: a.label.clone().unwrap_or_default(),
            description: a.description.clone().unwrap_or_default(),
            auto_prune: false,
            rotate_policy: String::new(),
            created: env.now,
            updated: env.now,
            counter: 1,
            checksum: checksum(&a.data),
            revisions: vec![Revision {
                n: 1,
                backend_id: backend.to_string(),
                data: a.data.clone(),
                created: env.now,
                updated: env.now,
            }],
            grants: Vec::new(),
        });
        id
    }

    /// Removes revisions (all when `revs` is `None`), and the secret once none is left.
    fn delete(&mut self, i: usize, revs: Option<&[i64]>) {
        match revs {
            None => {
                self.secrets.remove(i);
            }
            Some(revs) => {
                self.secrets[i].revisions.retain(|r| !revs.contains(&r.n));
                if self.secrets[i].revisions.is_empty() {
                    self.secrets.remove(i);
                }
            }
        }
    }

    /// Auto-prune after an update: every revision but the latest goes (the fake's
    /// secrets have no consumers tracking a revision, so all older ones are obsolete).
    fn prune(&mut self, rules: Rules, i: usize) {
        let s = &mut self.secrets[i];
        if s.auto_prune {
            let latest = s.latest(rules);
            s.revisions.retain(|r| r.n == latest);
        }
    }
}

impl Store {
    pub(crate) fn model(&self, uuid: &str) -> Option<&ModelSecrets> {
        self.models.get(uuid)
    }

    pub(crate) fn model_mut(&mut self, uuid: &str) -> &mut ModelSecrets {
        self.models.entry(uuid.to_string()).or_default()
    }

    /// Backend id → usage, over one model or all of them, synthetic counts included.
    pub(crate) fn usage(&self, model: Option<&str>) -> HashMap<String, Usage> {
        let mut out: HashMap<String, Usage> = HashMap::new();
        let models = self
            .models
            .iter()
            .filter(|(uuid, _)| model.is_none_or(|m| m == uuid.as_str()));
        for (_, m) in models {
            for s in &m.secrets {
                let mut seen = HashSet::new();
                for r in &s.revisions {
                    let u = out.entry(r.backend_id.clone()).or_default();
                    u.revisions += 1;
                    if seen.insert(&r.backend_id) {
                        u.secrets += 1;
                    }
                }
            }
            for (id, n) in &m.synthetic {
                let u = out.entry(id.clone()).or_default();
                u.secrets += n;
                u.revisions += n;
            }
        }
        out
    }

    /// The drain that follows a change of the model's backend (reference §7): every
    /// revision of every user secret moves to `active`, at once. Content on a backend that
    /// is gone cannot be read, so it stays where it is. Charm secrets are drained by their
    /// units' agents, which the fake does not run.
    pub(crate) fn drain(&mut self, model: &str, active: &str, exists: impl Fn(&str) -> bool) {
        let Some(m) = self.models.get_mut(model) else {
            return;
        };
        for s in m.secrets.iter_mut().filter(|s| s.owner == Owner::Model) {
            for r in &mut s.revisions {
                if r.backend_id != active && exists(&r.backend_id) {
                    r.backend_id = active.to_string();
                }
            }
        }
    }

    /// Adds a charm secret (revision 1 on `backend`), for tests; returns its id.
    pub(crate) fn add_charm_secret(
        &mut self,
        env: &Env,
        owner: Owner,
        label: &str,
        data: BTreeMap<String, String>,
        backend: &str,
    ) -> String {
        let arg = CreateArg {
            label: Some(label.to_string()),
            data,
            ..CreateArg::default()
        };
        let m = self.model_mut(env.model_uuid);
        m.new_secret(env, owner, backend, &arg)
    }

    // ---- CreateSecrets ---------------------------------------------------------------

    /// `CreateSecrets` v2 (the write permission already checked).
    pub(crate) fn create(&mut self, env: &Env, args: &[CreateArg]) -> Items<String> {
        let m = self.model_mut(env.model_uuid);
        // The owner tag may be empty or the model's bare UUID (`model-<uuid>` is refused).
        let owner_ok = |a: &CreateArg| a.owner_tag.is_empty() || a.owner_tag == env.model_uuid;
        let bad_owner = |a: &CreateArg| {
            RpcErr::new(
                format!("owner tag {} not valid", go_quote(&a.owner_tag)),
                "not valid",
            )
        };
        let empty = || RpcErr::new("empty secret value not valid", "not valid");
        if env.v4() {
            let mut out = Vec::with_capacity(args.len());
            for a in args {
                out.push(if !owner_ok(a) {
                    Err(bad_owner(a))
                } else if a.data.is_empty() {
                    Err(empty())
                } else if let Some(l) = a
                    .label
                    .as_deref()
                    .filter(|l| !l.is_empty() && !m.label_free(env.rules, &Owner::Model, l, None))
                {
                    Err(label_taken(l))
                } else {
                    let active = env.active.clone().unwrap_or_default();
                    let id = m.new_secret(env, Owner::Model, &active, a);
                    Ok(format!("secret:{id}"))
                });
            }
            return Ok(out);
        }
        // 3.6: every item is validated first (each check overwrites the one before: a set
        // `uri` would read `secret uri cannot be set on user secret create not valid`),
        // then the backend is looked up for the whole call with the list of reserved URIs,
        // whose nil entry for a failed item panics, recovered by the RPC server as one
        // whole-call error (juju-secrets-reference.md §5.2, "3.6 nil-URI panic";
        // apiserver/facades/client/secrets/secrets.go `createSecrets` at 3.6.26). 4.0
        // checks per item and ignores `uri` (§5.2 table).
        let invalid = args
            .iter()
            .any(|a| a.uri_set || !owner_ok(a) || a.data.is_empty());
        let active = env.active_or_err()?.to_string();
        if invalid {
            return Err(nil_panic());
        }
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            if let Some(l) = &a.label
                && !m.label_free(env.rules, &Owner::Model, l, None)
            {
                out.push(Err(label_taken(l)));
                continue;
            }
            let id = m.new_secret(env, Owner::Model, &active, a);
            out.push(Ok(format!("secret:{id}")));
        }
        Ok(out)
    }

    // ---- UpdateSecrets ---------------------------------------------------------------

    /// `UpdateSecrets` v2 (the write permission already checked).
    pub(crate) fn update(&mut self, env: &Env, args: &[UpdateArg]) -> Items<()> {
        let m = self.model_mut(env.model_uuid);
        if env.v4() {
            return Ok(args.iter().map(|a| update_40(m, env, a)).collect());
        }
        // 3.6: every item's URI is resolved first; a nil one panics when the backend is
        // looked up for the whole call (after the backend's own lookup).
        let uris: Vec<Option<Uri>> = args
            .iter()
            .map(|a| {
                if a.uri.is_empty() {
                    m.label_lookup_36(&a.existing_label).ok()
                } else {
                    uri::parse(&a.uri).ok()
                }
            })
            .collect();
        let active = env.active_or_err()?.to_string();
        if uris.iter().any(Option::is_none) {
            return Err(nil_panic());
        }
        Ok(args
            .iter()
            .zip(uris.into_iter().flatten())
            .map(|(a, uri)| update_36(m, env, &active, a, &uri))
            .collect())
    }

    // ---- RemoveSecrets ---------------------------------------------------------------

    /// `RemoveSecrets` v2; `can_write` is the caller's model write access, which 3.6
    /// checks per item and 4.0 for the whole call.
    pub(crate) fn remove(&mut self, env: &Env, can_write: bool, args: &[DeleteArg]) -> Items<()> {
        if args.is_empty() {
            return Ok(Vec::new());
        }
        if env.v4() && !can_write {
            return Err(perm());
        }
        let m = self.model_mut(env.model_uuid);
        Ok(args
            .iter()
            .map(|a| {
                if env.v4() {
                    remove_40(m, env, a)
                } else {
                    remove_36(m, env, can_write, a)
                }
            })
            .collect())
    }

    // ---- GrantSecret / RevokeSecret --------------------------------------------------

    /// `GrantSecret` (`grant`) or `RevokeSecret` v2.
    pub(crate) fn grant_revoke(
        &mut self,
        env: &Env,
        can_write: bool,
        a: &GrantArg,
        grant: bool,
    ) -> Items<()> {
        if a.uri.is_empty() && a.label.is_empty() {
            return Err(RpcErr::new("must specify either URI or name", ""));
        }
        if !can_write {
            return Err(perm());
        }
        let m = self.model_mut(env.model_uuid);
        let uri = if env.v4() {
            m.secret_uri_40(&a.uri, &a.label)?
        } else if a.uri.is_empty() {
            m.label_lookup_36(&a.label)?
        } else {
            uri::parse(&a.uri)?
        };
        let annotate = |app: &str, e: RpcErr| RpcErr {
            message: format!(
                "cannot change access to {} for {}: {}",
                go_quote(&uri.string()),
                go_quote(app),
                e.message
            ),
            ..e
        };
        let mut out = Vec::with_capacity(a.applications.len());
        for app in &a.applications {
            let r = if env.v4() {
                grant_revoke_40(m, env, &uri, app, grant)
            } else {
                grant_revoke_36(m, env, &uri, app, grant)
            };
            out.push(r.map_err(|e| annotate(app, e)));
        }
        Ok(out)
    }
}

/// `UpdateUserSecretArg.Validate` (3.6's `HasUpdate` leaves `params` out).
fn validate_update(env: &Env, a: &UpdateArg) -> Result<(), RpcErr> {
    let has_update = a.auto_prune.is_some()
        || a.description.is_some()
        || a.label.is_some()
        || a.rotate_policy
        || a.expire_time
        || !a.data.is_empty()
        || a.value_ref
        || (env.v4() && a.params);
    if !has_update {
        return Err(RpcErr::new(
            "at least one attribute to update must be specified",
            "",
        ));
    }
    if a.uri.is_empty() && a.existing_label.is_empty() {
        return Err(RpcErr::new("must specify either URI or label", ""));
    }
    if !a.uri.is_empty() && !a.existing_label.is_empty() {
        return Err(RpcErr::new(
            "must specify either URI or label but not both",
            "",
        ));
    }
    Ok(())
}

fn update_36(
    m: &mut ModelSecrets,
    env: &Env,
    active: &str,
    a: &UpdateArg,
    uri: &Uri,
) -> Result<(), RpcErr> {
    validate_update(env, a)?;
    // No owner check: 3.6 updates a charm secret given by URI (reference §5.3).
    let i = m.get_36(uri)?;
    let mut data = Some(&a.data).filter(|d| !d.is_empty());
    let sum = data.map(checksum);
    if sum.as_deref() == Some(m.secrets[i].checksum.as_str()) {
        data = None;
    }
    // `HasUpdate` again, with identical content dropped: nothing left is a success.
    let has_update = a.auto_prune.is_some()
        || a.description.is_some()
        || a.label.is_some()
        || a.rotate_policy
        || a.expire_time
        || data.is_some()
        || a.value_ref;
    if !has_update {
        return Ok(());
    }
    // The state's `hasUpdate` does not see rotate-policy and expire-time, which the facade
    // drops for user secrets, but sees `params`.
    let state_update = a.auto_prune.is_some()
        || a.description.is_some()
        || a.label.is_some()
        || data.is_some()
        || a.params;
    if !state_update {
        return Err(RpcErr::new(
            "must specify a new value or metadata to update a secret",
            "",
        ));
    }
    let owner = m.secrets[i].owner.clone();
    if let Some(l) = &a.label
        && *l != m.secrets[i].label
    {
        if !m.label_free(env.rules, &owner, l, Some(i)) {
            return Err(label_taken(l));
        }
        if l.is_empty() && owner == Owner::Model {
            m.empty_label_reserved = true;
        }
    }
    let s = &mut m.secrets[i];
    if let Some(d) = &a.description {
        s.description.clone_from(d);
    }
    if let Some(l) = &a.label {
        s.label.clone_from(l);
    }
    if let Some(p) = a.auto_prune {
        s.auto_prune = p;
    }
    if let (Some(d), Some(sum)) = (data, sum) {
        s.counter += 1;
        s.checksum = sum;
        s.revisions.push(Revision {
            n: s.counter,
            backend_id: active.to_string(),
            data: d.clone(),
            created: env.now,
            updated: env.now,
        });
    }
    s.updated = env.now;
    m.prune(env.rules, i);
    Ok(())
}

fn update_40(m: &mut ModelSecrets, env: &Env, a: &UpdateArg) -> Result<(), RpcErr> {
    validate_update(env, a)?;
    let uri = m.secret_uri_40(&a.uri, &a.existing_label)?;
    let i = m.manage_40(env, &uri)?;
    let data = Some(&a.data).filter(|d| !d.is_empty());
    let sum = data.map(checksum);
    // The facade passes on description, label, auto-prune and content only.
    if !(a.auto_prune.is_some() || a.description.is_some() || a.label.is_some() || data.is_some()) {
        return Err(RpcErr::new(
            format!(
                "updating user secret {}: must specify a new value or metadata to update a secret",
                go_quote(&uri.id)
            ),
            "",
        ));
    }
    if let Some(l) = a.label.as_deref().filter(|l| !l.is_empty())
        && !m.label_free(env.rules, &Owner::Model, l, Some(i))
    {
        return Err(label_taken(l));
    }
    let active = env.active.clone().unwrap_or_default();
    let s = &mut m.secrets[i];
    let new_revision = sum.as_ref().is_some_and(|sum| *sum != s.checksum);
    if let Some(d) = &a.description {
        s.description.clone_from(d);
    }
    if let Some(l) = &a.label {
        s.label.clone_from(l);
    }
    if let Some(p) = a.auto_prune {
        s.auto_prune = p;
    }
    if let Some(sum) = sum {
        s.checksum = sum;
    }
    s.updated = env.now;
    // `updateSecret` upserts the latest revision's row when no new one is made, which
    // bumps its update time (`domain/secret/state/state.go`).
    let latest = s.latest(env.rules);
    if new_revision && let Some(d) = data {
        s.revisions.push(Revision {
            n: latest + 1,
            backend_id: active,
            data: d.clone(),
            created: env.now,
            updated: env.now,
        });
    } else if let Some(r) = s.revisions.iter_mut().find(|r| r.n == latest) {
        r.updated = env.now;
    }
    m.prune(env.rules, i);
    Ok(())
}

fn remove_36(
    m: &mut ModelSecrets,
    env: &Env,
    can_write: bool,
    a: &DeleteArg,
) -> Result<(), RpcErr> {
    // `secretDeletionPreflightCheck` (`apiserver/common/secrets/secrets.go`).
    let uri = if a.uri.is_empty() {
        m.label_lookup_36(&a.label)?
    } else {
        uri::parse(&a.uri)?
    };
    let i = m.get_36(&uri)?;
    if !can_write || m.secrets[i].owner != Owner::Model {
        return Err(perm());
    }
    // `removeUserSecretFromExternal`: missing revisions are skipped, unless all are.
    let revs: Vec<i64> = if a.revisions.is_empty() {
        m.secrets[i].revisions.iter().map(|r| r.n).collect()
    } else {
        let have: Vec<i64> = a
            .revisions
            .iter()
            .copied()
            .filter(|n| m.secrets[i].revision(*n).is_some())
            .collect();
        if have.is_empty() {
            let list: Vec<String> = a.revisions.iter().map(i64::to_string).collect();
            return Err(not_found(format!(
                "cannot delete any of revisions [{}] - revisions",
                list.join(" ")
            )));
        }
        have
    };
    env.active_or_err().map_err(|e| RpcErr {
        message: format!("getting configured secrets providers: {}", e.message),
        ..e
    })?;
    for n in &revs {
        let r = m.secrets[i].revision(*n).expect("listed above");
        if !env.backend_exists(&r.backend_id) {
            return Err(not_found(format!("backend {}", go_quote(&r.backend_id))));
        }
    }
    let whole = a.revisions.is_empty();
    m.delete(i, (!whole).then_some(revs.as_slice()));
    Ok(())
}

fn remove_40(m: &mut ModelSecrets, env: &Env, a: &DeleteArg) -> Result<(), RpcErr> {
    let uri = m.secret_uri_40(&a.uri, &a.label)?;
    let i = m.manage_40(env, &uri)?;
    for n in &a.revisions {
        if m.secrets[i].revision(*n).is_none() {
            return Err(RpcErr::new(
                format!("secret revision not found: {}/{n}", uri.string()),
                "secret revision not found",
            ));
        }
    }
    // A removal job in 4.0; the fake runs it at once.
    let whole = a.revisions.is_empty();
    m.delete(i, (!whole).then_some(a.revisions.as_slice()));
    Ok(())
}

fn grant_revoke_36(
    m: &mut ModelSecrets,
    env: &Env,
    uri: &Uri,
    app: &str,
    grant: bool,
) -> Result<(), RpcErr> {
    if !grant {
        // `RevokeSecretAccess`: an unknown secret, application or grant is no operation.
        if let Some(i) = m.index(&uri.id) {
            m.secrets[i].grants.retain(|g| g != app);
        }
        return Ok(());
    }
    // `GrantSecretAccess`: the subject first, then the secret (`state/secrets.go`).
    if !valid_application_name(app) {
        return Err(RpcErr::new(
            format!(
                "invalid subject reference: {} is not a valid application name",
                go_quote(app)
            ),
            "",
        ));
    }
    if !(env.app_exists)(app) {
        return Err(not_found(format!(
            "invalid subject reference: saas application {}",
            go_quote(app)
        )));
    }
    let i = m.get_36(uri)?;
    let grants = &mut m.secrets[i].grants;
    if !grants.iter().any(|g| g == app) {
        grants.push(app.to_string());
    }
    Ok(())
}

fn grant_revoke_40(
    m: &mut ModelSecrets,
    env: &Env,
    uri: &Uri,
    app: &str,
    grant: bool,
) -> Result<(), RpcErr> {
    let i = m.manage_40(env, uri)?;
    if !(env.app_exists)(app) {
        // `ApplicationNotFound` has no code of its own in 4.0's `apiserver/errors`.
        return Err(RpcErr::new(
            format!("application {} not found", go_quote(app)),
            "",
        ));
    }
    let grants = &mut m.secrets[i].grants;
    if grant {
        if !grants.iter().any(|g| g == app) {
            grants.push(app.to_string());
        }
    } else {
        grants.retain(|g| g != app);
    }
    Ok(())
}
