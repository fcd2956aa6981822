//! Logging in on an upgraded connection: `Admin.Login` with a password, macaroons (given,
//! from the cookie jar, or discharged here through `discharge`) or JAAS client credentials,
//! and what a login answers: the session (who we are, the facades on offer), or where a
//! `redirection required` points ([`Redirect`]). `dial` calls it once per endpoint.

use std::collections::BTreeMap;
use std::time::Instant;

use log::debug;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, ErrorKind};
use crate::options::ConnectOptions;
use crate::redact::{Redaction, Strings, is_credential_key};
use crate::rpc::{Call, RpcConn};
use crate::tags;
use crate::transport;

/// The `Admin` facade's policy: passwords, macaroons, discharge tokens and client secrets
/// are hidden wherever they appear (a discharge-required error carries macaroons in its
/// `info`); everything else in a login is shown.
pub(crate) const LOGIN: Redaction = Redaction {
    keys: is_credential_key,
    paths: &[],
    config: None,
    strings: Strings::Shown,
    scrub: crate::redact::scrub_echoed_values,
};

crate::util::wire_enum! {
    /// What the logged-in user may do on the controller
    /// ([`Controller::controller_access`](crate::Controller::controller_access)).
    pub enum ControllerAccess {
        /// `login`: log in, list what was shared with the user.
        Login = "login",
        /// `add-model`: also add models.
        AddModel = "add-model",
        /// `superuser`: everything, secret backends included.
        Superuser = "superuser",
    }
    example: "superuser"
}

crate::util::wire_enum! {
    /// What the logged-in user may do on a model ([`Model::model_access`](crate::Model::model_access)).
    pub enum ModelAccess {
        /// `read`: see the model (list secrets, not reveal them).
        Read = "read",
        /// `write`: change it (add, update, remove, grant user secrets).
        Write = "write",
        /// `admin`: everything, revealing secrets included.
        Admin = "admin",
    }
    example: "write"
}

/// An `Admin` call of the login, bounded by the connect deadline.
fn admin_call<'a, P: ?Sized>(
    version: u32,
    method: &'a str,
    params: &'a P,
    opts: &ConnectOptions,
    deadline: Instant,
) -> Call<'a, P> {
    Call {
        facade: "Admin",
        version,
        method,
        params,
        deadline,
        timeout: opts.connect_timeout,
        trace: &LOGIN,
    }
}

/// What a connection is to: the controller itself (`/api`), or one of its models
/// (`/model/<uuid>/api`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Controller,
    Model(String),
}

impl Target {
    /// The URL path of the WebSocket (`apiserver/apiserver.go` `endpoints()`).
    pub(crate) fn path(&self) -> String {
        match self {
            Target::Controller => "/api".to_string(),
            Target::Model(uuid) => format!("/model/{uuid}/api"),
        }
    }

    /// What it is, for messages.
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Target::Controller => "controller",
            Target::Model(_) => "model",
        }
    }

    /// The Go client's check after login (`api/apiclient.go` `setLoginResult`): a model
    /// login must be answered for that model.
    pub(crate) fn check_login(&self, result: &LoginResult) -> Result<(), Error> {
        let Target::Model(uuid) = self else {
            return Ok(());
        };
        let got = result.model_tag.as_deref().unwrap_or("");
        if got != tags::model(uuid) {
            return Err(Error::protocol(format!(
                "mismatched model tag in login result (got {got:?}, want {:?})",
                tags::model(uuid)
            )));
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct LoginRequest<'a> {
    #[serde(rename = "auth-tag")]
    auth_tag: &'a str,
    credentials: &'a str,
    nonce: &'a str,
    macaroons: &'a [Vec<serde_json::Value>],
    #[serde(rename = "bakery-version")]
    bakery_version: u32,
    #[serde(rename = "user-data")]
    user_data: &'a str,
    #[serde(rename = "client-version")]
    client_version: &'a str,
}

#[derive(Deserialize, Default, Clone, Debug)]
pub(crate) struct HostPort {
    #[serde(default)]
    value: String,
    #[serde(default)]
    port: u16,
}

#[derive(Deserialize, Default, Clone, Debug)]
pub(crate) struct UserInfo {
    #[serde(default)]
    pub(crate) identity: String,
    #[serde(rename = "controller-access", default)]
    pub(crate) controller_access: String,
    /// Empty on a controller-only login.
    #[serde(rename = "model-access", default)]
    pub(crate) model_access: String,
}

#[derive(Deserialize, Default, Clone, Debug)]
pub(crate) struct FacadeVersions {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) versions: Vec<u32>,
}

#[derive(Deserialize, Default, Clone, Debug)]
pub(crate) struct LoginResult {
    #[serde(rename = "discharge-required", default)]
    discharge_required: Option<serde_json::Value>,
    #[serde(rename = "bakery-discharge-required", default)]
    bakery_discharge_required: Option<serde_json::Value>,
    #[serde(rename = "discharge-required-error", default)]
    discharge_required_error: Option<String>,
    #[serde(default)]
    pub(crate) servers: Option<Vec<Vec<HostPort>>>,
    #[serde(rename = "public-dns-name", default)]
    pub(crate) public_dns_name: Option<String>,
    #[serde(rename = "controller-tag", default)]
    pub(crate) controller_tag: Option<String>,
    /// Absent on a controller-only login.
    #[serde(rename = "model-tag", default)]
    pub(crate) model_tag: Option<String>,
    #[serde(rename = "user-info", default)]
    pub(crate) user_info: Option<UserInfo>,
    #[serde(default)]
    pub(crate) facades: Option<Vec<FacadeVersions>>,
    #[serde(rename = "server-version", default)]
    pub(crate) server_version: Option<String>,
}

/// What login told us about the controller and ourselves.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) endpoint: String,
    pub(crate) result: LoginResult,
    pub(crate) facades: BTreeMap<String, Vec<u32>>,
}

pub(crate) fn host_ports(servers: &[Vec<HostPort>]) -> Vec<String> {
    servers
        .iter()
        .flatten()
        .map(|hp| tags::host_port(&hp.value, hp.port))
        .collect()
}

/// Logs in on `conn`: with client credentials (Admin v4), a password, or macaroons (the
/// given ones and the cookie jar's), discharging and logging in again on the same
/// connection when the controller asks (`api/legacyloginprovider.go`).
pub(crate) fn login(
    conn: &mut RpcConn,
    endpoint: &str,
    opts: &ConnectOptions,
    tag: &str,
    deadline: Instant,
) -> Result<LoginResult, Error> {
    if let Some((id, secret)) = &opts.client_credentials {
        return login_with_client_credentials(conn, opts, id, secret, deadline);
    }
    let password = opts.password.as_deref().unwrap_or("");
    let mut slices: Vec<Vec<serde_json::Value>> = Vec::new();
    let key = format!("{tag} {}", cookie_host(opts, endpoint));
    let ours = opts.discharged.get(&key);
    if password.is_empty() {
        if let Some((_, slice)) = &ours {
            slices.push(slice.clone());
        }
        for text in &opts.macaroons {
            slices.extend(given_slices(text)?);
        }
        if let Some(jar) = &opts.cookie_jar {
            slices.extend(crate::cookiejar::macaroons_for(
                jar,
                &cookie_host(opts, endpoint),
                deadline,
            )?);
        }
    }
    let result = login_call(conn, opts, tag, password, &slices, deadline)?;
    let Some(wanted) = result
        .bakery_discharge_required
        .as_ref()
        .or(result.discharge_required.as_ref())
    else {
        return Ok(result);
    };
    // The bakery form carries the caveat payloads (`cdata`) a v3 discharger needs.
    let primary = crate::macaroon::BakeryMacaroon::from_json(wanted).map_err(|e| {
        Error::protocol(format!(
            "login: the macaroon to discharge is malformed: {e}"
        ))
    })?;
    let user = tags::id("user", tag);
    let user = user.strip_suffix("@local").unwrap_or(user);
    debug!(
        "login: the controller asks for a discharge ({})",
        result.discharge_required_error.as_deref().unwrap_or("")
    );
    let cx = crate::discharge::Context {
        opts,
        endpoint,
        user,
        deadline,
    };
    let (slice, fresh) = crate::discharge::discharge_once(
        &opts.discharged,
        &key,
        ours.map(|(g, _)| g),
        &primary,
        &cx,
    )?;
    if let (Some(jar), Some(fresh)) = (&opts.cookie_jar, fresh) {
        crate::cookiejar::save(jar, &cookie_host(opts, endpoint), &fresh, deadline)?;
    }
    let mut again = vec![slice];
    again.extend(slices);
    let result = login_call(conn, opts, tag, "", &again, deadline)?;
    if result.discharge_required.is_some() || result.bakery_discharge_required.is_some() {
        let why = result.discharge_required_error.as_deref().unwrap_or("");
        return Err(Error::new(
            ErrorKind::Api,
            format!("login with discharged macaroons failed: {why}"),
        )
        .with_code(ErrorCode::DischargeRequired));
    }
    Ok(result)
}

/// The cookie URL's host: given, else the controller's UUID, else the endpoint's host
/// (`api.PreferredHost`).
fn cookie_host(opts: &ConnectOptions, endpoint: &str) -> String {
    if let Some(h) = opts.cookie_host.clone().or(opts.expected_uuid.clone()) {
        return h;
    }
    transport::split_endpoint(endpoint).map_or_else(|_| endpoint.to_string(), |(h, _)| h)
}

/// `ConnectOptions::macaroons` text: an array of slices, or one slice.
fn given_slices(text: &str) -> Result<Vec<Vec<serde_json::Value>>, Error> {
    use serde_json::Value;
    let bad = || {
        Error::invalid(
            "connect: ConnectOptions::macaroons: expected a JSON array of macaroon slices",
        )
    };
    let v: Value = serde_json::from_str(text).map_err(|_| bad())?;
    let Value::Array(items) = v else {
        return Err(bad());
    };
    let slices = if items.iter().all(Value::is_array) {
        items
            .into_iter()
            .map(|s| match s {
                Value::Array(a) => a,
                _ => Vec::new(),
            })
            .collect()
    } else {
        vec![items]
    };
    for m in slices.iter().flatten() {
        crate::macaroon::Macaroon::from_json(m)
            .map_err(|e| Error::invalid(format!("connect: ConnectOptions::macaroons: {e}")))?;
    }
    Ok(slices.into_iter().filter(|s| !s.is_empty()).collect())
}

/// A `redirection required` with no target in its `error-info` (as JAAS answers): ask
/// `Admin.RedirectInfo` on the same connection, as the Go client does (`api/apiclient.go`),
/// and return the error with the target filled in. If that fails (a Juju controller always
/// answers `not redirected`), the login error stands as it was.
pub(crate) fn ask_redirect_info(
    conn: &mut RpcConn,
    opts: &ConnectOptions,
    e: Error,
    deadline: Instant,
) -> Error {
    #[derive(Deserialize)]
    struct RedirectInfoResult {
        #[serde(default)]
        servers: serde_json::Value,
        #[serde(rename = "ca-cert", default)]
        ca_cert: String,
    }
    let info: Result<RedirectInfoResult, _> = conn.call(&admin_call(
        3,
        "RedirectInfo",
        &serde_json::json!({}),
        opts,
        deadline,
    ));
    match info {
        Ok(r) if !r.ca_cert.is_empty() => {
            let info = serde_json::json!({"servers": r.servers, "ca-cert": r.ca_cert});
            Error::api(e.message(), e.code(), Some(info)).redacted_by(&LOGIN)
        }
        _ => e,
    }
}

fn login_error(e: crate::rpc::CallError) -> Error {
    let e = e.into_error();
    if e.is_timeout() {
        Error::new(ErrorKind::Connect, format!("login: {}", e.message())).mark_timed_out()
    } else if e.kind() == ErrorKind::Api {
        e.context("login")
    } else {
        e.with_kind(ErrorKind::Connect).context("login")
    }
}

fn login_call(
    conn: &mut RpcConn,
    opts: &ConnectOptions,
    tag: &str,
    password: &str,
    macaroons: &[Vec<serde_json::Value>],
    deadline: Instant,
) -> Result<LoginResult, Error> {
    let req = LoginRequest {
        auth_tag: tag,
        credentials: password,
        nonce: "",
        macaroons,
        bakery_version: 3,
        user_data: "",
        client_version: &opts.client_version,
    };
    conn.call(&admin_call(3, "Login", &req, opts, deadline))
        .map_err(login_error)
}

/// JAAS: `Admin` v4 `LoginWithClientCredentials` (3.6 `api/clientcredentialsloginprovider.go`).
fn login_with_client_credentials(
    conn: &mut RpcConn,
    opts: &ConnectOptions,
    id: &str,
    secret: &str,
    deadline: Instant,
) -> Result<LoginResult, Error> {
    #[derive(Serialize)]
    struct Params<'a> {
        #[serde(rename = "client-id")]
        client_id: &'a str,
        #[serde(rename = "client-secret")]
        client_secret: &'a str,
    }
    let params = Params {
        client_id: id,
        client_secret: secret,
    };
    conn.call(&admin_call(4, "LoginWithClientCredentials", &params, opts, deadline))
    .map_err(|e| {
        let e = login_error(e);
        match e.code() {
            Some(ErrorCode::NotImplemented | ErrorCode::NotSupported) => Error::new(
                ErrorKind::Api,
                format!(
                    "login: this controller does not serve Admin v4, so it takes no client credentials (they are for JAAS): {}",
                    e.message()
                ),
            )
            .with_code(ErrorCode::NotSupported),
            _ => e,
        }
    })
}

/// Where a `redirection required` login error points: the controller to connect to instead.
/// Get one from such an error with [`Redirect::from_error`], or let
/// [`ConnectOptions::follow_redirects`] follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Redirect {
    /// The API addresses of the other controller, `host:port`.
    pub servers: Vec<String>,
    /// Its CA certificate (PEM).
    pub ca_cert: String,
    /// Its controller tag, when given.
    pub controller_tag: Option<String>,
}

impl Redirect {
    /// Reads the redirect target out of a `redirection required` error's `error-info`.
    ///
    /// ```no_run
    /// # use juju_client::{ConnectOptions, Controller, Redirect};
    /// # let opts = ConnectOptions::new();
    /// match Controller::connect(&opts) {
    ///     Err(e) => if let Some(r) = Redirect::from_error(&e) {
    ///         println!("the model moved to {:?}", r.servers);
    ///     },
    ///     Ok(_) => {}
    /// }
    /// ```
    pub fn from_error(e: &Error) -> Option<Redirect> {
        if e.code() != Some(ErrorCode::Redirect) {
            return None;
        }
        #[derive(Deserialize)]
        struct Info {
            #[serde(default)]
            servers: Vec<Vec<HostPort>>,
            #[serde(rename = "ca-cert", default)]
            ca_cert: String,
            #[serde(rename = "controller-tag", default)]
            controller_tag: Option<String>,
        }
        let info: Info = serde_json::from_value(e.info()?.clone()).ok()?;
        let servers = host_ports(&info.servers);
        if servers.is_empty() || info.ca_cert.is_empty() {
            return None;
        }
        Some(Redirect {
            servers,
            ca_cert: info.ca_cert,
            controller_tag: info.controller_tag,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_error_yields_servers_and_ca() {
        let info = serde_json::json!({
            "servers": [[{"value": "10.0.0.9", "type": "ipv4", "scope": "public", "port": 17070},
                         {"value": "fd00::9", "type": "ipv6", "scope": "public", "port": 17070}]],
            "ca-cert": "-----BEGIN CERTIFICATE-----\n...",
            "controller-tag": "controller-abc"
        });
        let e = Error::api(
            "redirection to alternative server required",
            Some(ErrorCode::Redirect),
            Some(info),
        );
        let r = Redirect::from_error(&e).unwrap();
        assert_eq!(r.servers, ["10.0.0.9:17070", "[fd00::9]:17070"]);
        assert!(r.ca_cert.starts_with("-----BEGIN"));
        assert_eq!(r.controller_tag.as_deref(), Some("controller-abc"));
        let other = Error::api("x", Some(ErrorCode::NotFound), None);
        assert!(Redirect::from_error(&other).is_none());
    }
}
