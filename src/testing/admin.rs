//! The fake's `Admin` facade: the root a connection has before login (`Login`,
//! `RedirectInfo`, and a JAAS-like controller's `LoginWithClientCredentials`), and the users
//! and redirects it reads ([`AdminState`]).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::server::{Conn, Incoming, Session};
use super::versions::Emulation;
use super::wire::{Reply, RpcErr, now_to_the_second, tag_kind};
use super::{RedirectTarget, Shared, State};

/// A controller user.
pub(crate) struct User {
    pub(crate) password: String,
    /// Controller access: `login`, `add-model`, `superuser`, or `""` (none).
    pub(crate) access: String,
    /// Disabled (`juju disable-user`): every login is refused.
    pub(crate) disabled: bool,
}

/// What `Admin` keeps: the controller's users, where logins are sent, and a JAAS-like
/// controller's service account.
#[derive(Default)]
pub(crate) struct AdminState {
    /// Local users by name.
    pub(crate) users: BTreeMap<String, User>,
    /// Where every login is redirected, if anywhere.
    pub(crate) redirect: Option<RedirectTarget>,
    /// A JAAS-like controller's service account: Admin v4 `LoginWithClientCredentials`.
    pub(crate) client_credentials: Option<(String, String)>,
}

impl AdminState {
    /// Adds (or replaces) a local user; a `user-` prefix is dropped from the name.
    pub(crate) fn add_user(&mut self, name: &str, password: &str, access: &str) {
        let name = name.strip_prefix("user-").unwrap_or(name);
        self.users.insert(
            name.to_string(),
            User {
                password: password.to_string(),
                access: access.to_string(),
                disabled: false,
            },
        );
    }

    /// Disables or enables a user; false if there is no such user.
    pub(crate) fn set_disabled(&mut self, name: &str, disabled: bool) -> bool {
        let name = name.strip_prefix("user-").unwrap_or(name);
        match self.users.get_mut(name) {
            Some(u) => {
                u.disabled = disabled;
                true
            }
            None => false,
        }
    }

    /// The error for a login (or an `/auth/form` discharge) by a disabled user: 3.x names
    /// the user (`state.userMayHaveAccess`, pinned by `TestLoginAsDeactivatedUser`), 4.0
    /// answers as for a wrong password (4.0 reference §3.4).
    pub(crate) fn disabled_error(juju: &Emulation, name: &str) -> RpcErr {
        if juju.is_4() {
            unauthorized(BAD_CREDENTIALS)
        } else {
            unauthorized(&format!("user {name:?} is disabled"))
        }
    }
}

/// `apiservererrors.ErrBadCreds`.
const BAD_CREDENTIALS: &str = "invalid entity name or password";

/// A request on a connection nobody logged in to yet: only `Admin` exists (Go's admin
/// root), and a login's success gives the connection its session.
pub(crate) fn before_login(
    shared: &Shared,
    conn: &mut Conn,
    juju: &Emulation,
    req: &Incoming,
) -> Reply {
    let (facade, version, method) = (req.facade.as_str(), req.version, req.method.as_str());
    if facade != "Admin" {
        return Err(juju.unknown_facade(facade, version));
    }
    let model = conn.model().map(str::to_string);
    let jaas = shared.state().admin.client_credentials.is_some();
    if version == 4 && jaas {
        if method != "LoginWithClientCredentials" {
            return Err(juju.no_such_method("Admin", 0, method));
        }
        let (reply, session) = login_client_credentials(shared, &req.params, model.as_deref());
        conn.session = session;
        return reply;
    }
    if version != 3 {
        return Err(RpcErr::new(
            "this version of Juju does not support login from old clients (not supported)",
            "not supported",
        ));
    }
    if method != "Login" && method != "RedirectInfo" {
        // The Admin root reports its methods without the version.
        return Err(juju.no_such_method("Admin", 0, method));
    }
    if !req.object_id.is_empty() {
        return Err(RpcErr::new("id not found", "not found"));
    }
    if method == "RedirectInfo" {
        return redirect_info(shared, model.as_deref());
    }
    login(shared, conn, &req.params)
}

#[derive(Serialize)]
struct HostPort<'a> {
    value: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    scope: &'a str,
    port: u16,
}

#[derive(Serialize)]
struct AuthUserInfo<'a> {
    #[serde(rename = "display-name")]
    display_name: &'a str,
    identity: String,
    #[serde(rename = "controller-access")]
    controller_access: &'a str,
    #[serde(rename = "model-access")]
    model_access: &'a str,
}

#[derive(Serialize)]
struct FacadeVersions<'a> {
    name: &'a str,
    versions: &'a [u32],
}

#[derive(Serialize)]
struct LoginResult<'a> {
    servers: Vec<Vec<HostPort<'a>>>,
    /// Only for a model login.
    #[serde(rename = "model-tag", skip_serializing_if = "Option::is_none")]
    model_tag: Option<String>,
    #[serde(rename = "controller-tag")]
    controller_tag: String,
    #[serde(rename = "user-info")]
    user_info: AuthUserInfo<'a>,
    facades: Vec<FacadeVersions<'a>>,
    #[serde(rename = "server-version")]
    server_version: &'a str,
}

fn unauthorized(message: &str) -> RpcErr {
    RpcErr::new(message, "unauthorized access")
}

fn valid_user_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
}

/// `Admin.Login` on a controller connection or a model connection, in the order of
/// `apiserver/admin.go` `login`: on success the connection gets its session.
fn login(shared: &Shared, conn: &mut Conn, params: &Value) -> Reply {
    // Go marks the connection logged in once the user is authenticated, before the
    // permission check, so a login retried after `permission denied` gets this.
    if conn.logged_in {
        return Err(RpcErr::new("already logged in", ""));
    }
    let model = conn.model().map(str::to_string);
    let (reply, session) = authenticate(shared, conn, params, model.as_deref());
    conn.session = session;
    reply
}

/// The rest of `Admin.Login`: the reply, and the session a success opens.
fn authenticate(
    shared: &Shared,
    conn: &mut Conn,
    params: &Value,
    model: Option<&str>,
) -> (Reply, Option<Session>) {
    let get = |k: &str| params.get(k).and_then(Value::as_str).unwrap_or("");
    let tag = get("auth-tag");
    let credentials = get("credentials");
    let fail = |e: RpcErr| (Err(e), None);
    if !get("token").is_empty() || tag.is_empty() {
        return fail(unauthorized(
            "failed to authenticate request: unauthorized access",
        ));
    }
    let Some((kind, id)) = tag_kind(tag) else {
        return fail(RpcErr::new(format!("{tag:?} is not a valid tag"), ""));
    };
    if kind != "user" {
        return fail(unauthorized(BAD_CREDENTIALS));
    }
    let name = id.strip_suffix("@local").unwrap_or(id);
    if name.contains('@') {
        // An external user needs an identity provider, which this controller lacks.
        return fail(unauthorized(
            "failed to authenticate request: unauthorized access",
        ));
    }
    if !valid_user_name(name) {
        return fail(RpcErr::new(format!("{tag:?} is not a valid tag"), ""));
    }
    let jaas = shared.state().admin.client_credentials.is_some();
    if let Some(target) = shared.state().admin.redirect.clone() {
        return fail(redirect_error(&target, jaas));
    }
    // A model that migrated away redirects the users it had, before any authentication
    // (`apiserver/admin.go` `maybeEmitRedirectError`); others are told nothing.
    let migrated = model.and_then(|uuid| {
        let st = shared.state();
        let m = st.models.get(uuid)?;
        Some((m.redirect.clone()?, m.users.contains_key(name)))
    });
    if let Some((target, true)) = &migrated {
        return fail(redirect_error(target, jaas));
    }
    let mut st = shared.state();
    if credentials.is_empty() {
        // A local user with no password: the macaroons must verify, else a new login
        // macaroon to discharge (`LocalUserAuthenticator.authenticateMacaroons`).
        let macaroons = params.get("macaroons").cloned().unwrap_or(Value::Null);
        match st.bakery.verify_login(&macaroons, name) {
            Ok(true) => {}
            Ok(false) => {
                let v3 = params
                    .get("bakery-version")
                    .and_then(Value::as_u64)
                    .is_some_and(|v| v >= 3);
                let location = st.controller_model_uuid.clone();
                return (Ok(st.bakery.mint(name, &conn.host, &location, v3)), None);
            }
            Err(e) => return fail(unauthorized(&e)),
        }
    }
    // The user is looked up (and a disabled one refused) before the password is checked.
    if st.admin.users.get(name).is_some_and(|u| u.disabled) {
        return fail(AdminState::disabled_error(&st.juju, name));
    }
    let access = match st.admin.users.get(name) {
        Some(u) if credentials.is_empty() || u.password == credentials => u.access.clone(),
        _ => return fail(unauthorized(BAD_CREDENTIALS)),
    };
    if migrated.is_some() {
        // "Hide the fact that the model does not exist."
        return fail(unauthorized(BAD_CREDENTIALS));
    }
    conn.logged_in = true;
    let connected_to = model.map_or_else(|| st.controller_model_uuid.clone(), str::to_string);
    record_connection(&mut st, name, &connected_to);
    // A model login needs a grant on the model, which superusers have implicitly.
    let model_access = match model {
        None => String::new(),
        Some(uuid) => {
            let Some(m) = st.models.get(uuid) else {
                return fail(unauthorized(BAD_CREDENTIALS));
            };
            match st.model_access(name, m) {
                Some(a) => a,
                None => return fail(unauthorized("permission denied")),
            }
        }
    };
    if access.is_empty() {
        return fail(unauthorized("permission denied"));
    }
    let client_version = get("client-version").to_string();
    login_result(
        shared,
        st,
        name,
        access,
        model_access,
        model,
        &client_version,
    )
}

/// Records an authenticated user's connection to a model (the controller model for a
/// login on `/api`), as `ListModels` and `ModelInfo` show it: 3.6 records it only for a user
/// with a grant on the model (`stateauthenticator` `modelUserEntity.UpdateLastLogin`), 4.0
/// for every user (`UpdateLastModelLogin`); both to the second.
fn record_connection(st: &mut State, name: &str, model_uuid: &str) {
    let every_user = st.juju.is_4();
    if let Some(m) = st.models.get_mut(model_uuid)
        && (every_user || m.users.contains_key(name))
    {
        m.last_login.insert(name.to_string(), now_to_the_second());
    }
}

/// The reply to a successful login, and the session it opens.
fn login_result(
    shared: &Shared,
    st: std::sync::MutexGuard<'_, State>,
    name: &str,
    access: String,
    model_access: String,
    model: Option<&str>,
    client_version: &str,
) -> (Reply, Option<Session>) {
    let port = shared.addr.port();
    let result = LoginResult {
        servers: vec![vec![HostPort {
            value: "127.0.0.1",
            kind: "ipv4",
            scope: "local-machine",
            port,
        }]],
        model_tag: model.map(|uuid| format!("model-{uuid}")),
        controller_tag: format!("controller-{}", st.controller_uuid),
        user_info: AuthUserInfo {
            display_name: "",
            identity: format!("user-{name}"),
            controller_access: &access,
            model_access: &model_access,
        },
        facades: if model.is_some() {
            st.juju.model_facades()
        } else {
            st.juju.controller_facades().to_vec()
        }
        .into_iter()
        .map(|(name, versions)| FacadeVersions { name, versions })
        .collect(),
        server_version: &st.server_version,
    };
    let body = serde_json::to_string(&result).map_err(|e| RpcErr::new(e.to_string(), ""));
    drop(st);
    let client_version = Emulation::login_client_version(client_version);
    let Ok(body) = body else {
        return (body, None);
    };
    (
        Ok(body),
        Some(Session {
            user: name.to_string(),
            access,
            client_version,
        }),
    )
}

/// JAAS's `Admin` v4 `LoginWithClientCredentials` (3.6 `api/clientcredentialsloginprovider.go`
/// is the client side): a service account logs in as `<id>@serviceaccount`.
fn login_client_credentials(
    shared: &Shared,
    params: &Value,
    model: Option<&str>,
) -> (Reply, Option<Session>) {
    let get = |k: &str| params.get(k).and_then(Value::as_str).unwrap_or("");
    let mut st = shared.state();
    if let Some(target) = &st.admin.redirect {
        return (Err(redirect_error(target, true)), None);
    }
    let ok = st
        .admin
        .client_credentials
        .as_ref()
        .is_some_and(|(id, secret)| id == get("client-id") && secret == get("client-secret"));
    if !ok {
        return (Err(unauthorized("invalid client credentials")), None);
    }
    let name = format!("{}@serviceaccount", get("client-id"));
    let model_access = if model.is_some() { "admin" } else { "" }.to_string();
    if let Some(m) = model.and_then(|uuid| st.models.get_mut(uuid)) {
        m.last_login.insert(name.clone(), now_to_the_second());
    }
    login_result(
        shared,
        st,
        &name,
        "superuser".into(),
        model_access,
        model,
        "",
    )
}

#[derive(Serialize)]
struct RedirectErrorInfo<'a> {
    servers: Vec<Vec<HostPort<'a>>>,
    #[serde(rename = "ca-cert")]
    ca_cert: &'a str,
    #[serde(rename = "controller-tag")]
    controller_tag: String,
}

/// The `redirection required` login error. Juju puts the target in `error-info`; a
/// JAAS-like controller sends none, and its `Admin.RedirectInfo` answers instead (the Go
/// client's two paths, `api/apiclient.go`).
fn redirect_error(target: &RedirectTarget, jaas: bool) -> RpcErr {
    let info = redirect_info_json(target);
    RpcErr {
        message: "redirection to alternative server required".into(),
        code: "redirection required",
        info: (!jaas).then_some(info),
    }
}

/// `Admin.RedirectInfo` on a JAAS-like controller: where the login was redirected to
/// (`params.RedirectInfoResult`); on Juju (and when nothing was redirected), `not redirected`.
fn redirect_info(shared: &Shared, model: Option<&str>) -> Reply {
    let st = shared.state();
    let target = st.admin.redirect.clone().or_else(|| {
        let uuid = model?;
        st.models.get(uuid)?.redirect.clone()
    });
    match target {
        Some(t) if st.admin.client_credentials.is_some() => {
            #[derive(Serialize)]
            struct RedirectInfoResult<'a> {
                servers: Vec<Vec<HostPort<'a>>>,
                #[serde(rename = "ca-cert")]
                ca_cert: &'a str,
            }
            let full: RedirectErrorInfo = redirect_info_parts(&t);
            serde_json::to_string(&RedirectInfoResult {
                servers: full.servers,
                ca_cert: full.ca_cert,
            })
            .map_err(|e| RpcErr::new(e.to_string(), ""))
        }
        _ => Err(RpcErr::new("not redirected", "")),
    }
}

fn redirect_info_json(target: &RedirectTarget) -> String {
    serde_json::to_string(&redirect_info_parts(target)).unwrap_or_else(|_| "{}".to_string())
}

fn redirect_info_parts(target: &RedirectTarget) -> RedirectErrorInfo<'_> {
    RedirectErrorInfo {
        servers: vec![
            target
                .addrs
                .iter()
                .map(|a| HostPort {
                    value: if a.ip().is_ipv6() { "::1" } else { "127.0.0.1" },
                    kind: if a.ip().is_ipv6() { "ipv6" } else { "ipv4" },
                    scope: "public",
                    port: a.port(),
                })
                .collect(),
        ],
        ca_cert: &target.ca_pem,
        controller_tag: format!("controller-{}", target.controller_uuid),
    }
}
