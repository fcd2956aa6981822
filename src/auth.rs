//! Macaroon discharges for login: the httpbakery v3 discharge protocol over HTTPS (ureq),
//! Juju's `juju_userpass` interaction, and the hooks a program gives for the rest.
//!
//! Followed: httpbakery v3 `client.go`, `discharge.go`, `error.go`; Juju 3.6
//! `api/authentication/interactor.go` (the form post), `api/apiclient.go`
//! `hostSwitchingTransport` (which trust a request uses), as summarised in
//! `juju-macaroon-login.md` §2.

use std::collections::VecDeque;
use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use log::debug;
use serde_json::Value;

use crate::error::{Error, ErrorCode, ErrorKind};
use crate::macaroon::{b64_decode, b64_encode, bind, BakeryMacaroon, Macaroon};
use crate::options::ConnectOptions;

/// What a [`password_callback`](ConnectOptions::password_callback) is asked for.
///
/// ```
/// let opts = juju_client::ConnectOptions::new().password_callback(|p| {
///     eprint!("please enter password for {} on {}: ", p.user(), p.controller());
///     None
/// });
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PasswordPrompt {
    user: String,
    controller: String,
    location: String,
}

impl PasswordPrompt {
    /// The user name the password is for (`bob`).
    ///
    /// ```
    /// # fn f(p: &juju_client::PasswordPrompt) { let _ = p.user(); }
    /// ```
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The controller: its name in the client store, else the address dialled.
    ///
    /// ```
    /// # fn f(p: &juju_client::PasswordPrompt) { let _ = p.controller(); }
    /// ```
    pub fn controller(&self) -> &str {
        &self.controller
    }

    /// The discharger that asks (`https://10.0.0.1:17070/auth`).
    ///
    /// ```
    /// # fn f(p: &juju_client::PasswordPrompt) { let _ = p.location(); }
    /// ```
    pub fn location(&self) -> &str {
        &self.location
    }
}

/// An interaction a discharger asks for that the SDK does not perform itself (see
/// [`ConnectOptions::interaction_handler`]).
///
/// ```
/// let opts = juju_client::ConnectOptions::new().interaction_handler(|i| {
///     Err(format!("{} at {} is not supported here ({})", i.method(), i.location(), i.info()))
/// });
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Interaction {
    method: String,
    info: Value,
    location: String,
}

impl Interaction {
    /// The method's name (`browser-window`, `agent`, …).
    ///
    /// ```
    /// # fn f(i: &juju_client::Interaction) { let _ = i.method(); }
    /// ```
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The method's info from the discharger (for `browser-window`: `VisitURL`,
    /// `WaitTokenURL`).
    ///
    /// ```
    /// # fn f(i: &juju_client::Interaction) { let _ = i.info().get("VisitURL"); }
    /// ```
    pub fn info(&self) -> &Value {
        &self.info
    }

    /// The discharger's location (the caveat's).
    ///
    /// ```
    /// # fn f(i: &juju_client::Interaction) { let _ = i.location(); }
    /// ```
    pub fn location(&self) -> &str {
        &self.location
    }
}

/// A token from an interaction, to retry a discharge with (`token-kind` and the token's
/// bytes). Its `Debug` hides the value.
///
/// ```
/// let t = juju_client::DischargeToken::new("browser-window", b"abc".to_vec());
/// assert!(!format!("{t:?}").contains("abc"));
/// ```
#[derive(Clone)]
pub struct DischargeToken {
    kind: String,
    value: Vec<u8>,
}

impl DischargeToken {
    /// A token of this kind.
    ///
    /// ```
    /// let t = juju_client::DischargeToken::new("juju_userpass", b"0123".to_vec());
    /// ```
    pub fn new(kind: impl Into<String>, value: Vec<u8>) -> DischargeToken {
        DischargeToken {
            kind: kind.into(),
            value,
        }
    }
}

impl fmt::Debug for DischargeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DischargeToken")
            .field("kind", &self.kind)
            .field("value", &crate::redact::REDACTED)
            .finish()
    }
}

/// The largest discharge or form reply read.
const MAX_REPLY: u64 = 1 << 20;
/// Discharges per login, nested ones included: a loop bound against a hostile discharger.
const MAX_DISCHARGES: usize = 16;

/// Where a discharge runs: the connection it is for.
pub(crate) struct Context<'a> {
    pub(crate) opts: &'a ConnectOptions,
    /// The endpoint dialled, `host:port`.
    pub(crate) endpoint: &'a str,
    pub(crate) user: &'a str,
    pub(crate) deadline: Instant,
}

fn auth_error(kind: ErrorKind, msg: String) -> Error {
    Error::new(kind, format!("login: discharge: {msg}"))
}

/// Discharges every third-party caveat of `primary` and returns the slice to log in with:
/// the primary unchanged, then each discharge bound to it (bakery `DischargeAll`).
pub(crate) fn discharge_all(
    primary: &BakeryMacaroon,
    cx: &Context<'_>,
) -> Result<Vec<Macaroon>, Error> {
    let mut queue: VecDeque<(crate::macaroon::Caveat, Option<Vec<u8>>)> = primary
        .m
        .third_party()
        .map(|c| (c.clone(), primary.cdata.get(&c.id).cloned()))
        .collect();
    let mut discharges: Vec<Macaroon> = Vec::new();
    while let Some((caveat, payload)) = queue.pop_front() {
        if discharges.len() >= MAX_DISCHARGES {
            return Err(auth_error(
                ErrorKind::Protocol,
                format!("more than {MAX_DISCHARGES} third-party caveats"),
            ));
        }
        let d = discharge_one(&caveat, payload.as_deref(), cx)?;
        for c in d.m.third_party() {
            queue.push_back((c.clone(), d.cdata.get(&c.id).cloned()));
        }
        discharges.push(d.m);
    }
    let mut slice = vec![primary.m.clone()];
    for mut d in discharges {
        d.sig = bind(&primary.m.sig, &d.sig);
        slice.push(d);
    }
    Ok(slice)
}

/// `id` as text when printable, else `id64` (httpbakery `dischargeRequest`).
fn text_or_64(name: &str, b: &[u8], form: &mut Vec<(String, String)>) {
    match std::str::from_utf8(b) {
        Ok(s) if !s.chars().any(|c| (c as u32) < 0x20 || c == '\u{7f}') => {
            form.push((name.to_string(), s.to_string()))
        }
        _ => form.push((format!("{name}64"), b64_encode(b))),
    }
}

/// An HTTP reply: status, the httpbakery error fields, the JSON body.
struct Reply {
    status: u16,
    body: Value,
}

impl Reply {
    fn error_code(&self) -> &str {
        self.body.get("Code").and_then(Value::as_str).unwrap_or("")
    }
    fn message(&self) -> String {
        let m = self
            .body
            .get("Message")
            .and_then(Value::as_str)
            .unwrap_or("");
        if m.is_empty() {
            format!("HTTP status {}", self.status)
        } else {
            crate::redact::elide_quoted(m).chars().take(300).collect()
        }
    }
}

fn discharge_one(
    caveat: &crate::macaroon::Caveat,
    payload: Option<&[u8]>,
    cx: &Context<'_>,
) -> Result<BakeryMacaroon, Error> {
    let location = caveat.location.trim_end_matches('/');
    if location.is_empty() {
        return Err(auth_error(
            ErrorKind::Protocol,
            "a third-party caveat has no location".into(),
        ));
    }
    let mut form = Vec::new();
    text_or_64("id", &caveat.id, &mut form);
    if let Some(p) = payload {
        form.push(("caveat64".to_string(), b64_encode(p)));
    }
    let url = format!("{location}/discharge");
    let mut token: Option<DischargeToken> = None;
    // The first try, then at most one retry with an interaction's token.
    for _ in 0..2 {
        let mut f = form.clone();
        if let Some(t) = &token {
            text_or_64("token", &t.value, &mut f);
            f.push(("token-kind".into(), t.kind.clone()));
        }
        let reply = post(cx, &url, Body::Form(&f))?;
        if reply.status == 200 {
            let m = reply.body.get("Macaroon").ok_or_else(|| {
                auth_error(
                    ErrorKind::Protocol,
                    format!("{url}: no Macaroon in the reply"),
                )
            })?;
            return BakeryMacaroon::from_json(m)
                .map_err(|e| auth_error(ErrorKind::Protocol, format!("{url}: {e}")));
        }
        if reply.error_code() != "interaction required" || token.is_some() {
            return Err(discharge_refused(&url, &reply));
        }
        token = Some(interact(cx, location, &reply)?);
    }
    Err(auth_error(
        ErrorKind::Protocol,
        format!("{url}: interaction required again after interacting"),
    ))
}

fn discharge_refused(url: &str, reply: &Reply) -> Error {
    let code = match reply.error_code() {
        "permission denied" => Some(ErrorCode::Unauthorized),
        _ => None,
    };
    Error::api(
        format!(
            "login: discharge at {url} refused: {} (HTTP {})",
            reply.message(),
            reply.status
        ),
        code,
        None,
    )
}

/// Performs the interaction the discharger asks for and returns its token.
fn interact(cx: &Context<'_>, location: &str, reply: &Reply) -> Result<DischargeToken, Error> {
    let methods = reply
        .body
        .pointer("/Info/InteractionMethods")
        .and_then(Value::as_object);
    let Some(methods) = methods else {
        return Err(auth_error(
            ErrorKind::Protocol,
            format!(
                "{location}: interaction required, but no interaction methods offered \
                 (legacy VisitURL interactions are not supported)"
            ),
        ));
    };
    if let Some(info) = methods.get("juju_userpass") {
        return userpass(cx, location, info);
    }
    let names: Vec<&str> = methods.keys().map(String::as_str).collect();
    let Some(handler) = &cx.opts.interaction_handler else {
        return Err(auth_error(
            ErrorKind::Api,
            format!(
                "{location} needs interaction method {}, which is not supported (only \
                 juju_userpass is; see ConnectOptions::interaction_handler)",
                names.join(", ")
            ),
        )
        .with_code(ErrorCode::DischargeRequired));
    };
    let mut last = String::new();
    for (method, info) in methods {
        let i = Interaction {
            method: method.clone(),
            info: info.clone(),
            location: location.to_string(),
        };
        match handler(&i) {
            Ok(t) => return Ok(t),
            Err(e) => last = format!("{method}: {e}"),
        }
    }
    Err(auth_error(
        ErrorKind::Api,
        format!("the interaction handler failed: {last}"),
    )
    .with_code(ErrorCode::DischargeRequired))
}

/// Juju's `juju_userpass`: post the user's password to the form URL for a token.
fn userpass(cx: &Context<'_>, location: &str, info: &Value) -> Result<DischargeToken, Error> {
    let path = info.get("url").and_then(Value::as_str).unwrap_or("");
    // Go's relativeURL: resolved against `<location>/`.
    let url = if path.starts_with("https://") || path.starts_with("http://") {
        path.to_string()
    } else if let Some(abs) = path.strip_prefix('/') {
        let origin = origin(location).unwrap_or(location);
        format!("{origin}/{abs}")
    } else {
        format!("{location}/{path}")
    };
    let controller = cx
        .opts
        .controller_name
        .clone()
        .unwrap_or_else(|| cx.endpoint.to_string());
    let Some(callback) = &cx.opts.password_callback else {
        return Err(auth_error(
            ErrorKind::Api,
            format!(
                "{location} needs the password of {:?} (juju_userpass), and no password \
                 callback was given (ConnectOptions::password_callback)",
                cx.user
            ),
        )
        .with_code(ErrorCode::DischargeRequired));
    };
    let prompt = PasswordPrompt {
        user: cx.user.to_string(),
        controller,
        location: location.to_string(),
    };
    let Some(password) = callback(&prompt) else {
        return Err(auth_error(
            ErrorKind::Api,
            "no password given for the juju_userpass interaction".into(),
        )
        .with_code(ErrorCode::Unauthorized));
    };
    let body = serde_json::json!({"form": {"user": cx.user, "password": password}});
    let reply = post(cx, &url, Body::Json(&body))?;
    if reply.status != 200 {
        let code = if reply.message().contains("invalid entity name or password")
            || reply.error_code() == "permission denied"
        {
            Some(ErrorCode::Unauthorized)
        } else {
            None
        };
        return Err(Error::api(
            format!("login: {} (HTTP {})", reply.message(), reply.status),
            code,
            None,
        ));
    }
    let token = reply.body.get("token");
    let kind = token
        .and_then(|t| t.get("kind"))
        .and_then(Value::as_str)
        .unwrap_or("juju_userpass");
    let value = token
        .and_then(|t| t.get("value"))
        .and_then(Value::as_str)
        .and_then(b64_decode)
        .ok_or_else(|| auth_error(ErrorKind::Protocol, format!("{url}: no token in the reply")))?;
    Ok(DischargeToken::new(kind, value))
}

/// `https://host:port` of a URL.
fn origin(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let end = rest.find('/').unwrap_or(rest.len());
    let scheme_len = url.len() - rest.len();
    url.get(..scheme_len + end)
}

/// The `host:port` of an https URL (port 443 when absent), lower-cased.
fn authority(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let auth = &rest[..rest.find('/').unwrap_or(rest.len())];
    let auth = auth.rsplit_once('@').map_or(auth, |(_, a)| a);
    let has_port = match auth.rfind(']') {
        Some(close) => auth[close..].contains(':'),
        None => auth.contains(':'),
    };
    let a = if has_port {
        auth.to_string()
    } else {
        format!("{auth}:443")
    };
    Some(a.to_ascii_lowercase())
}

enum Body<'a> {
    Form(&'a [(String, String)]),
    Json(&'a Value),
}

/// Maps the name the controller's certificate is checked against to the address dialled,
/// so that a discharge at the controller is verified as the WebSocket was (ureq cannot set
/// a TLS name other than the URL's host).
#[derive(Debug)]
struct PinnedResolver(SocketAddr);

impl ureq::unversioned::resolver::Resolver for PinnedResolver {
    fn resolve(
        &self,
        _uri: &ureq::http::Uri,
        _config: &ureq::config::Config,
        _timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        let mut v = self.empty();
        v.push(self.0);
        Ok(v)
    }
}

fn post(cx: &Context<'_>, url: &str, body: Body<'_>) -> Result<Reply, Error> {
    let remaining = cx.deadline.saturating_duration_since(Instant::now());
    if remaining.is_zero() {
        return Err(Error::new(
            ErrorKind::Connect,
            format!("login: discharge at {url}: the connect deadline has passed"),
        )
        .mark_timed_out());
    }
    let agent_url = agent_for(cx, url, remaining)?;
    let (agent, url_to_use) = agent_url;
    debug!("discharge: POST {url}");
    let req = agent
        .post(&url_to_use)
        .header("Bakery-Protocol-Version", "3");
    let sent = match body {
        Body::Form(f) => req.send_form(f.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        Body::Json(v) => req
            .content_type("application/json")
            .send(serde_json::to_vec(v).expect("JSON")),
    };
    let mut resp = sent.map_err(|e| http_error(url, e))?;
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .with_config()
        .limit(MAX_REPLY)
        .read_to_string()
        .map_err(|e| http_error(url, e))?;
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status == 200 && !body.is_object() {
        return Err(auth_error(
            ErrorKind::Protocol,
            format!("{url}: the reply is not a JSON object"),
        ));
    }
    Ok(Reply { status, body })
}

fn http_error(url: &str, e: ureq::Error) -> Error {
    let timed_out = matches!(e, ureq::Error::Timeout(_));
    // ureq's messages name the URL and the cause, never a request body.
    let err = Error::new(
        ErrorKind::Connect,
        format!("login: discharge at {url}: {e}"),
    );
    if timed_out {
        err.mark_timed_out()
    } else {
        err
    }
}

/// The agent for one request, and the URL to give it: the controller's own address goes
/// through the controller's trust (pinned CA, name `juju-apiserver`), anything else through
/// the system roots (`hostSwitchingTransport`).
fn agent_for(
    cx: &Context<'_>,
    url: &str,
    timeout: Duration,
) -> Result<(ureq::Agent, String), Error> {
    use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};
    let target = authority(url).ok_or_else(|| {
        auth_error(
            ErrorKind::Protocol,
            format!("{url}: a discharge location must be an https URL"),
        )
    })?;
    let is_controller = target == cx.endpoint.to_ascii_lowercase();
    let builder = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        // Proxies for discharges come with the connection's proxy support, not from the
        // environment behind the caller's back.
        .proxy(None);
    match (&cx.opts.ca_cert, is_controller) {
        (Some(pem), true) => {
            let cert = Certificate::from_pem(pem.as_bytes()).map_err(|e| {
                Error::invalid(format!("connect: the CA certificate is not PEM: {e}"))
            })?;
            let tls = TlsConfig::builder()
                .provider(TlsProvider::NativeTls)
                .root_certs(RootCerts::Specific(Arc::new(vec![cert])))
                .build();
            let name = cx
                .opts
                .tls_server_name
                .clone()
                .unwrap_or_else(|| crate::transport::JUJU_APISERVER.to_string());
            let (host, port) = crate::transport::split_endpoint(cx.endpoint)?;
            let addr = (host.as_str(), port)
                .to_socket_addrs()
                .ok()
                .and_then(|mut a| a.next())
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::Connect,
                        format!("login: discharge: cannot resolve {}", cx.endpoint),
                    )
                })?;
            let path = &url["https://".len()..];
            let path = &path[path.find('/').unwrap_or(path.len())..];
            let agent = ureq::Agent::with_parts(
                builder.tls_config(tls).build(),
                ureq::unversioned::transport::DefaultConnector::new(),
                PinnedResolver(addr),
            );
            Ok((agent, format!("https://{name}:{port}{path}")))
        }
        _ => {
            let tls = TlsConfig::builder()
                .provider(TlsProvider::NativeTls)
                .root_certs(RootCerts::PlatformVerifier)
                .build();
            Ok((
                ureq::Agent::new_with_config(builder.tls_config(tls).build()),
                url.to_string(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities_compare_with_default_ports() {
        assert_eq!(
            authority("https://10.0.0.1:17070/auth").unwrap(),
            "10.0.0.1:17070"
        );
        assert_eq!(
            authority("https://Example.com/x").unwrap(),
            "example.com:443"
        );
        assert_eq!(authority("https://[::1]/x").unwrap(), "[::1]:443");
        assert_eq!(authority("https://[::1]:9/x").unwrap(), "[::1]:9");
        assert!(authority("http://x/").is_none());
        assert_eq!(origin("https://h:1/auth").unwrap(), "https://h:1");
    }

    #[test]
    fn ids_go_as_text_when_printable() {
        let mut f = Vec::new();
        text_or_64("id", &[3, 0], &mut f);
        text_or_64("token", b"0123abcd", &mut f);
        assert_eq!(f[0], ("id64".to_string(), "AwA".to_string()));
        assert_eq!(f[1], ("token".to_string(), "0123abcd".to_string()));
    }
}
