//! Macaroon discharges for login: the httpbakery v3 discharge protocol over HTTPS (ureq),
//! Juju's `juju_userpass` interaction, and the hooks a program gives for the rest.
//!
//! Followed: httpbakery v3 `client.go`, `discharge.go`, `error.go`; Juju 3.6
//! `api/authentication/interactor.go` (the form post), `api/apiclient.go`
//! `hostSwitchingTransport` (which trust a request uses), as summarised in
//! `juju-macaroon-login.md` §2.

use std::collections::VecDeque;
use std::time::Instant;

use log::debug;
use serde_json::Value;

use crate::error::{Error, ErrorCode, ErrorKind};
use crate::macaroon::{BakeryMacaroon, Macaroon, b64_decode, b64_encode, bind};
use crate::options::{ConnectOptions, DischargeCache, DischargeToken, Interaction, PasswordPrompt};

/// Discharges `primary` unless another thread discharged (into `cache`) for `key` since generation
/// `seen`; returns the slice to log in with, and whether it is new from here.
pub(crate) fn discharge_once(
    cache: &DischargeCache,
    key: &str,
    seen: Option<u64>,
    primary: &BakeryMacaroon,
    cx: &Context<'_>,
) -> Result<(Vec<Value>, Option<Vec<Macaroon>>), Error> {
    let _turn = loop {
        match cache.discharging.try_lock() {
            Ok(g) => break g,
            Err(std::sync::TryLockError::Poisoned(p)) => break p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                if Instant::now() >= cx.deadline {
                    return Err(Error::new(
                        ErrorKind::Connect,
                        "login: waiting for another endpoint's discharge: the connect \
                         deadline has passed",
                    )
                    .mark_timed_out());
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    };
    if let Some((generation, slice)) = cache.get(key)
        && Some(generation) != seen
    {
        return Ok((slice, None));
    }
    let slice = discharge_all(primary, cx)?;
    let json: Vec<Value> = slice.iter().map(Macaroon::to_json).collect();
    cache.put(key, json.clone());
    Ok((json, Some(slice)))
}

/// The largest discharge or form reply read.
const MAX_REPLY: usize = 1 << 20;
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

enum Body<'a> {
    Form(&'a [(String, String)]),
    Json(&'a Value),
}

/// `application/x-www-form-urlencoded`.
fn form_encode(pairs: &[(String, String)]) -> String {
    fn enc(s: &str, out: &mut String) {
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    out.push(b as char)
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
    }
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        enc(k, &mut out);
        out.push('=');
        enc(v, &mut out);
    }
    out
}

/// POSTs to a discharger. The controller's own address (the endpoint dialled) goes through
/// the controller's trust (pinned CA, name `juju-apiserver`), anything else through the
/// system roots (3.6 `api/apiclient.go` `hostSwitchingTransport`).
fn post(cx: &Context<'_>, url: &str, body: Body<'_>) -> Result<Reply, Error> {
    // The location is the controller's (or a discharger's) choice: until it parses, it is
    // shown only escaped and bounded, never raw (CR/LF in it would forge log lines).
    let target = crate::https::Url::parse(url).ok_or_else(|| {
        auth_error(
            ErrorKind::Protocol,
            format!(
                "{}: a discharge location must be an https URL with a valid host",
                crate::util::escaped(url)
            ),
        )
    })?;
    let authority = target.authority();
    let is_controller = crate::transport::split_endpoint(cx.endpoint)
        .is_ok_and(|(h, p)| crate::tags::host_port(&h.to_ascii_lowercase(), p) == authority);
    let (tls, dial) = if is_controller {
        (
            crate::transport::Tls::new(cx.opts)?,
            cx.endpoint.to_string(),
        )
    } else {
        (crate::transport::Tls::system_roots()?, authority)
    };
    let (content_type, bytes) = match body {
        Body::Form(f) => (
            "application/x-www-form-urlencoded",
            form_encode(f).into_bytes(),
        ),
        Body::Json(v) => ("application/json", v.to_string().into_bytes()),
    };
    debug!("discharge: POST {url}");
    let headers = [
        ("Bakery-Protocol-Version", "3"),
        ("Content-Type", content_type),
        ("Accept", "application/json"),
    ];
    let resp = crate::https::post(
        url,
        &dial,
        &tls,
        &cx.opts.proxy,
        &headers,
        &bytes,
        MAX_REPLY,
        cx.deadline,
        cx.opts.connect_timeout,
    )?;
    let body: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
    if resp.status == 200 && !body.is_object() {
        return Err(auth_error(
            ErrorKind::Protocol,
            format!("{url}: the reply is not a JSON object"),
        ));
    }
    Ok(Reply {
        status: resp.status,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_form_bodies() {
        assert_eq!(origin("https://h:1/auth").unwrap(), "https://h:1");
        let pairs = [
            ("id".to_string(), "a b&c=d/é".to_string()),
            ("x".into(), "-_.~".into()),
        ];
        assert_eq!(form_encode(&pairs), "id=a+b%26c%3Dd%2F%C3%A9&x=-_.~");
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
