//! Connecting: the dial race over a controller's endpoints, TLS and the WebSocket upgrade to
//! the target's path, `Admin.Login`, and following a redirect. Every kind of connection
//! (controller, model) is opened here; [`crate::core`] keeps it afterwards.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Instant;

use log::{debug, info};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, ErrorKind};
use crate::options::ConnectOptions;
use crate::redact::{Redaction, Strings, is_credential_key};
use crate::rpc::RpcConn;
use crate::tags;
use crate::transport::{self, Tls};

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
    fn check_login(&self, result: &LoginResult) -> Result<(), Error> {
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
    name: String,
    #[serde(default)]
    versions: Vec<u32>,
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

/// Dials the endpoints (and follows one redirect if asked) and logs in.
pub(crate) fn open(opts: &ConnectOptions, target: &Target) -> Result<(RpcConn, Session), Error> {
    // One deadline for the whole connect, redirect included: `connect_timeout` is the
    // longest a caller waits, however the endpoints behave.
    let deadline = crate::util::deadline_after(opts.connect_timeout);
    match open_endpoints(opts, target, deadline) {
        Err(e) if opts.follow_redirects && e.code() == Some(ErrorCode::Redirect) => {
            let redirect = Redirect::from_error(&e).ok_or(e)?;
            info!("following redirect to {:?}", redirect.servers);
            let mut next = opts.clone().endpoints(redirect.servers.clone());
            next.ca_cert = Some(redirect.ca_cert.clone());
            next.follow_redirects = false;
            // The other controller has its own UUID.
            next.expected_uuid = redirect
                .controller_tag
                .as_deref()
                .map(|t| tags::id("controller", t).to_string());
            open_endpoints(&next, target, deadline).map_err(|e| e.context("following a redirect"))
        }
        other => other,
    }
}

fn open_endpoints(
    opts: &ConnectOptions,
    target: &Target,
    deadline: Instant,
) -> Result<(RpcConn, Session), Error> {
    if opts.endpoints.is_empty() {
        return Err(Error::invalid(
            "connect: no endpoint given (ConnectOptions::endpoint)",
        ));
    }
    for e in &opts.endpoints {
        transport::split_endpoint(e)?;
    }
    opts.check()?;
    let tls = Tls::new(opts)?;
    if opts.endpoints.len() == 1 {
        let ep = &opts.endpoints[0];
        return open_one(ep, opts, target, &tls, deadline)
            .map_err(|e| e.context(format!("connect to {ep}")));
    }
    // Several endpoints: start one dial per endpoint, staggered; the first login wins.
    let (tx, rx) = mpsc::channel();
    let done = Arc::new(AtomicBool::new(false));
    for (i, ep) in opts.endpoints.iter().enumerate() {
        let tx = tx.clone();
        let done = done.clone();
        let opts = opts.clone();
        let tls = tls.clone();
        let ep = ep.clone();
        let target = target.clone();
        let delay = opts.dial_stagger * i as u32;
        thread::Builder::new()
            .name(format!("juju-dial-{i}"))
            .spawn(move || {
                if !delay.is_zero() {
                    thread::sleep(delay);
                }
                if done.load(Ordering::SeqCst) {
                    return;
                }
                let r = open_one(&ep, &opts, &target, &tls, deadline);
                // If nobody listens any more, the connection is dropped here.
                let _ = tx.send((i, r));
            })
            .map_err(|e| {
                Error::new(
                    ErrorKind::Connect,
                    format!("connect: cannot start a dialler thread: {e}"),
                )
            })?;
    }
    drop(tx);
    let mut errors: Vec<Option<Error>> = opts.endpoints.iter().map(|_| None).collect();
    while let Ok((i, r)) = rx.recv() {
        match r {
            Ok(ok) => {
                done.store(true, Ordering::SeqCst);
                return Ok(ok);
            }
            Err(e) => {
                debug!("endpoint {} failed: {e}", opts.endpoints[i]);
                errors[i] = Some(e);
            }
        }
    }
    Err(combine(&opts.endpoints, errors))
}

/// One error naming every endpoint; code and kind come from a controller's answer if any.
fn combine(endpoints: &[String], errors: Vec<Option<Error>>) -> Error {
    let errors: Vec<Error> = errors
        .into_iter()
        .map(|e| e.unwrap_or_else(|| Error::new(ErrorKind::Connect, "not tried")))
        .collect();
    let detail = endpoints
        .iter()
        .zip(&errors)
        .map(|(ep, e)| format!("{ep}: {e}"))
        .collect::<Vec<_>>()
        .join("; ");
    let msg = format!(
        "connect: all {} endpoints failed: {detail}",
        endpoints.len()
    );
    if let Some(api) = errors.iter().find(|e| e.kind() == ErrorKind::Api) {
        return Error::api(msg, api.code(), api.info().cloned());
    }
    let all_timeouts = errors.iter().all(|e| e.is_timeout());
    let e = Error::new(ErrorKind::Connect, msg);
    if all_timeouts { e.mark_timed_out() } else { e }
}

/// Dials one endpoint and logs in, before `deadline`.
fn open_one(
    endpoint: &str,
    opts: &ConnectOptions,
    target: &Target,
    tls: &Tls,
    deadline: Instant,
) -> Result<(RpcConn, Session), Error> {
    let timeout = opts.connect_timeout;
    let started = Instant::now();
    let socket = transport::dial(
        endpoint,
        tls,
        opts.max_message_size,
        &target.path(),
        &opts.client_version,
        &opts.proxy,
        deadline,
        timeout,
    )?;
    let mut conn = RpcConn::new(socket);
    let tag = opts.user_tag();
    let result = match login(&mut conn, endpoint, opts, &tag, deadline) {
        Err(e) if e.code() == Some(ErrorCode::Redirect) && Redirect::from_error(&e).is_none() => {
            return Err(ask_redirect_info(&mut conn, opts, e, deadline));
        }
        other => other?,
    };
    if let Some(expected) = &opts.expected_uuid {
        let tag = result.controller_tag.as_deref().unwrap_or("");
        let got = tags::id("controller", tag);
        if got != expected {
            let name = opts.controller_name.as_deref().map_or_else(
                || "the controller".to_string(),
                |n| format!("controller {n:?}"),
            );
            return Err(Error::new(
                ErrorKind::Connect,
                format!(
                    "this endpoint is controller {got:?}, but {name} has UUID {expected:?}: \
                     the endpoints point at another controller"
                ),
            ));
        }
    }
    target.check_login(&result)?;
    let facades = result
        .facades
        .iter()
        .flatten()
        .map(|f| (f.name.clone(), f.versions.clone()))
        .collect();
    debug!(
        "logged in to {endpoint} as {tag} in {:?} (Juju {})",
        started.elapsed(),
        result.server_version.as_deref().unwrap_or("?")
    );
    Ok((
        conn,
        Session {
            endpoint: endpoint.to_string(),
            result,
            facades,
        },
    ))
}

/// Logs in on `conn`: with client credentials (Admin v4), a password, or macaroons (the
/// given ones and the cookie jar's), discharging and logging in again on the same
/// connection when the controller asks (`api/legacyloginprovider.go`).
fn login(
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
    let cx = crate::auth::Context {
        opts,
        endpoint,
        user,
        deadline,
    };
    let (slice, fresh) =
        opts.discharged
            .discharge_once(&key, ours.map(|(g, _)| g), &primary, &cx)?;
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
fn ask_redirect_info(
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
    let info: Result<RedirectInfoResult, _> = conn.call(
        "Admin",
        3,
        "RedirectInfo",
        &serde_json::json!({}),
        deadline,
        opts.connect_timeout,
        &LOGIN,
    );
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
    conn.call(
        "Admin",
        3,
        "Login",
        &req,
        deadline,
        opts.connect_timeout,
        &LOGIN,
    )
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
    conn.call(
        "Admin",
        4,
        "LoginWithClientCredentials",
        &params,
        deadline,
        opts.connect_timeout,
        &LOGIN,
    )
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
