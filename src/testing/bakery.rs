//! The fake controller's macaroons: minting the login macaroon Juju's local-user bakery
//! mints, its `/auth/discharge` and `/auth/form` handlers (3.6
//! `apiserver/stateauthenticator/locallogin.go`), and verifying the bound slices a client
//! sends back (go-macaroon `verificationContext.verify0`), all as in
//! `juju-macaroon-login.md` §1.2, §2.3, §3.4 and §4.2.
//!
//! Written apart from the SDK's `macaroon` module, as another client's server would be:
//! its HMAC chain and JSON reading are its own, and are checked against the reference's
//! vectors, so a mistake shared with the client cannot hide. The third-party caveat's `vid`
//! is 72 random bytes looked up in a table instead of a secretbox (the client treats it as
//! opaque either way), and the caveat payload is a random handle into that table.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use data_encoding::{BASE64, BASE64URL_NOPAD, HEXLOWER};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::Shared;
use super::wsserver::HttpRequest;

/// Juju's `localLoginExpiryTime`.
const LOGIN_EXPIRY: Duration = Duration::from_secs(24 * 3600);

fn mac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    m.update(msg);
    m.finalize().into_bytes().into()
}

fn derive(key: &[u8]) -> [u8; 32] {
    mac(b"macaroons-key-generator", key)
}

fn chain3(key: &[u8], a: &[u8], b: &[u8]) -> [u8; 32] {
    let mut cat = Vec::with_capacity(64);
    cat.extend_from_slice(&mac(key, a));
    cat.extend_from_slice(&mac(key, b));
    mac(key, &cat)
}

fn bound(primary: &[u8], discharge: &[u8; 32]) -> [u8; 32] {
    if primary == discharge {
        return *discharge;
    }
    chain3(&[0; 32], primary, discharge)
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn random(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).expect("OS randomness");
    b
}

fn unb64(s: &str) -> Option<Vec<u8>> {
    let t: String = s.trim_end_matches('=').replace('+', "-").replace('/', "_");
    BASE64URL_NOPAD.decode(t.as_bytes()).ok()
}

/// A third-party caveat the fake's `/auth` can discharge.
struct Pending {
    root: Vec<u8>,
    user: String,
    /// The caveat id: `[3, 0]` (bakery v3), or text (v1).
    cid: Vec<u8>,
    v3: bool,
}

/// The fake's bakery state.
#[derive(Default)]
pub(crate) struct Bakery {
    /// Primary id → root key.
    roots: HashMap<Vec<u8>, Vec<u8>>,
    /// Payload handle (v3) or caveat id (v1) → caveat.
    pending: HashMap<Vec<u8>, Pending>,
    /// vid → caveat root key (instead of decrypting the vid).
    vids: HashMap<Vec<u8>, Vec<u8>>,
    /// `juju_userpass` tokens → user; single use.
    tokens: HashMap<String, String>,
    /// Added to the wall clock: the test clock.
    pub(crate) skew: Duration,
    /// Where third-party caveats point instead of `https://<Host>/auth`.
    pub(crate) location_override: Option<String>,
    /// The interaction methods offered instead of `juju_userpass`.
    pub(crate) methods_override: Option<Value>,
    /// `POST` paths served, in order (no parameters: they hold secrets).
    pub(crate) served: Vec<String>,
}

impl Bakery {
    fn now(&self) -> SystemTime {
        SystemTime::now() + self.skew
    }

    fn time_before(&self) -> String {
        let t = self.now() + LOGIN_EXPIRY;
        let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
        crate::macaroon::format_rfc3339(
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_nanos(),
        )
    }

    fn check_time(&self, cond: &str) -> bool {
        let Some(t) = crate::macaroon::parse_rfc3339(cond) else {
            return false;
        };
        let now = self
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        i64::try_from(now).is_ok_and(|n| n < t)
    }

    /// A new login macaroon for `user`, as the Login reply's three discharge fields (JSON
    /// object text). `v3` is the request's `bakery-version` ≥ 3; `host` its Host header.
    pub(crate) fn mint(&mut self, user: &str, host: &str, location: &str, v3: bool) -> String {
        let root = random(32);
        let id = if v3 {
            let mut id = vec![3u8];
            id.extend(random(16));
            id
        } else {
            format!("fake-login-{}", HEXLOWER.encode(&random(16))).into_bytes()
        };
        let tb = format!("time-before {}", self.time_before());
        let mut sig = mac(&derive(&root), &id);
        sig = mac(&sig, tb.as_bytes());
        let caveat_root = random(24);
        let vid = random(72);
        let handle = random(16);
        let cid = if v3 {
            vec![3u8, 0]
        } else {
            format!("fake-caveat-{}", HEXLOWER.encode(&handle)).into_bytes()
        };
        sig = chain3(&sig, &vid, &cid);
        let loc = self
            .location_override
            .clone()
            .unwrap_or_else(|| format!("https://{host}/auth"));
        self.roots.insert(id.clone(), root);
        self.vids.insert(vid.clone(), caveat_root.clone());
        self.pending.insert(
            if v3 { handle.clone() } else { cid.clone() },
            Pending {
                root: caveat_root,
                user: user.to_string(),
                cid: cid.clone(),
                v3,
            },
        );
        let b64 = |b: &[u8]| BASE64URL_NOPAD.encode(b);
        if v3 {
            let m = json!({
                "c": [{"i": tb}, {"i64": b64(&cid), "v64": b64(&vid), "l": loc}],
                "l": format!("juju model {location}"),
                "i64": b64(&id),
                "s64": b64(&sig),
            });
            json!({
                "discharge-required": m,
                "bakery-discharge-required": {"m": m, "v": 3, "cdata": {b64(&cid): b64(&handle)}, "ns": "std:"},
                "discharge-required-error": "invalid login macaroon",
            })
            .to_string()
        } else {
            let m = json!({
                "caveats": [{"cid": tb}, {"cid": String::from_utf8_lossy(&cid), "vid": b64(&vid), "cl": loc}],
                "location": format!("juju model {location}"),
                "identifier": String::from_utf8_lossy(&id),
                "signature": HEXLOWER.encode(&sig),
            });
            json!({
                "discharge-required": m,
                "bakery-discharge-required": m,
                "discharge-required-error": "invalid login macaroon",
            })
            .to_string()
        }
    }

    /// Checks the slices of a Login: `Ok(true)` when one verifies for `user`, `Ok(false)`
    /// when none does, `Err` when one verifies for another user.
    pub(crate) fn verify_login(&self, macaroons: &Value, user: &str) -> Result<bool, String> {
        for slice in macaroons.as_array().into_iter().flatten() {
            let Some(ms) = slice.as_array() else { continue };
            let parsed: Option<Vec<Parsed>> = ms.iter().map(Parsed::read).collect();
            let Some(parsed) = parsed else { continue };
            let Some(declared) = self.verify_slice(&parsed) else {
                continue;
            };
            return match declared.get("username") {
                Some(u) if u == user => Ok(true),
                _ => Err("permission denied".into()),
            };
        }
        Ok(false)
    }

    /// Verifies one slice; the declared values on success.
    fn verify_slice(&self, slice: &[Parsed]) -> Option<HashMap<String, String>> {
        let (primary, discharges) = slice.split_first()?;
        let root = self.roots.get(&primary.id)?;
        let mut used = vec![false; discharges.len()];
        let mut declared = HashMap::new();
        let mut s = mac(&derive(root), &primary.id);
        for (cid, vid) in &primary.caveats {
            if vid.is_empty() {
                self.check_first_party(cid, &mut declared)?;
                s = mac(&s, cid);
                continue;
            }
            let caveat_root = self.vids.get(vid)?;
            let i = (0..discharges.len()).find(|&i| !used[i] && discharges[i].id == *cid)?;
            used[i] = true;
            let d = &discharges[i];
            let mut ds = mac(&derive(caveat_root), &d.id);
            for (c, v) in &d.caveats {
                if !v.is_empty() {
                    return None; // the fake's discharges have no third-party caveats
                }
                self.check_first_party(c, &mut declared)?;
                ds = mac(&ds, c);
            }
            if !same(&bound(&primary.sig, &ds), &d.sig) {
                return None;
            }
            s = chain3(&s, vid, cid);
        }
        (same(&s, &primary.sig) && used.iter().all(|u| *u)).then_some(declared)
    }

    fn check_first_party(&self, cond: &[u8], declared: &mut HashMap<String, String>) -> Option<()> {
        let cond = std::str::from_utf8(cond).ok()?;
        if let Some(t) = cond.strip_prefix("time-before ") {
            return self.check_time(t).then_some(());
        }
        if let Some(rest) = cond.strip_prefix("declared ") {
            let (k, v) = rest.split_once(' ')?;
            // Conflicting declarations fail, as in the bakery.
            if declared
                .insert(k.to_string(), v.to_string())
                .is_some_and(|old| old != v)
            {
                return None;
            }
            return Some(());
        }
        None
    }

    /// A slice for `user` as a client holds it after discharging: for a jar written by the
    /// fake itself (`write_juju_data_with_cookies`).
    #[cfg(any(test, feature = "juju-data"))]
    pub(crate) fn slice_for(&mut self, user: &str, host: &str, location: &str) -> Value {
        let reply: Value =
            serde_json::from_str(&self.mint(user, host, location, true)).expect("minted JSON");
        let m = reply["discharge-required"].clone();
        let handle = self
            .pending
            .iter()
            .find(|(_, p)| p.user == user)
            .map(|(h, _)| h.clone())
            .expect("just minted");
        let pending = self.pending.remove(&handle).expect("just minted");
        let d = self.discharge_json(&pending);
        let mut dm = d["m"].clone();
        let dsig: [u8; 32] = unb64(dm["s64"].as_str().unwrap_or(""))
            .and_then(|b| b.try_into().ok())
            .expect("32 bytes");
        let psig = unb64(m["s64"].as_str().unwrap_or("")).expect("signature");
        dm["s64"] = BASE64URL_NOPAD.encode(&bound(&psig, &dsig)).into();
        json!([m, dm])
    }

    fn discharge_json(&self, p: &Pending) -> Value {
        let conds = [
            format!("declared username {}", p.user),
            format!("time-before {}", self.time_before()),
        ];
        let mut sig = mac(&derive(&p.root), &p.cid);
        for c in &conds {
            sig = mac(&sig, c.as_bytes());
        }
        if p.v3 {
            json!({"m": {
                "c": [{"i": conds[0]}, {"i": conds[1]}],
                "i64": BASE64URL_NOPAD.encode(&p.cid),
                "s64": BASE64URL_NOPAD.encode(&sig),
            }, "v": 3, "ns": "std:"})
        } else {
            json!({
                "caveats": [{"cid": conds[0]}, {"cid": conds[1]}],
                "location": "",
                "identifier": String::from_utf8_lossy(&p.cid),
                "signature": HEXLOWER.encode(&sig),
            })
        }
    }
}

/// A macaroon as the fake reads it: id, (cid, vid) caveats, signature.
struct Parsed {
    id: Vec<u8>,
    caveats: Vec<(Vec<u8>, Vec<u8>)>,
    sig: Vec<u8>,
}

impl Parsed {
    fn read(v: &Value) -> Option<Parsed> {
        let o = v.as_object()?;
        let field = |o: &serde_json::Map<String, Value>, k: &str| -> Option<Vec<u8>> {
            match (o.get(k), o.get(&format!("{k}64"))) {
                (Some(Value::String(t)), None) => Some(t.as_bytes().to_vec()),
                (None, Some(Value::String(b))) => unb64(b),
                _ => None,
            }
        };
        if o.contains_key("identifier") {
            let caveats = o
                .get("caveats")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|c| {
                    let cid = c.get("cid")?.as_str()?.as_bytes().to_vec();
                    let vid = match c.get("vid").and_then(Value::as_str) {
                        Some(v) if !v.is_empty() => unb64(v)?,
                        _ => Vec::new(),
                    };
                    Some((cid, vid))
                })
                .collect::<Option<_>>()?;
            return Some(Parsed {
                id: o.get("identifier")?.as_str()?.as_bytes().to_vec(),
                caveats,
                sig: HEXLOWER
                    .decode(o.get("signature")?.as_str()?.as_bytes())
                    .ok()?,
            });
        }
        let caveats = o
            .get("c")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| {
                let c = c.as_object()?;
                let vid = if c.contains_key("v") || c.contains_key("v64") {
                    field(c, "v")?
                } else {
                    Vec::new()
                };
                Some((field(c, "i")?, vid))
            })
            .collect::<Option<_>>()?;
        Some(Parsed {
            id: field(o, "i")?,
            caveats,
            sig: field(o, "s")?,
        })
    }
}

fn respond(status: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// `application/x-www-form-urlencoded` pairs.
fn form_pairs(text: &str) -> Vec<(String, String)> {
    fn unescape(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len()
                    && b[i + 1].is_ascii_hexdigit()
                    && b[i + 2].is_ascii_hexdigit() =>
                {
                    let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("00");
                    out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                    i += 2;
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (unescape(k), unescape(v))
        })
        .collect()
}

fn bakery_error(status: &str, version: u32, code: &str, message: &str, info: Value) -> Vec<u8> {
    let mut body = json!({"Code": code, "Message": message});
    if !info.is_null() {
        body["Info"] = info;
    }
    if code.is_empty() {
        body = json!({"Message": message});
    }
    let (status, extra) = match (code, version) {
        ("interaction required" | "macaroon discharge required", 0) => {
            ("407 Proxy Authentication Required", "")
        }
        ("interaction required" | "macaroon discharge required", _) => {
            ("401 Unauthorized", "WWW-Authenticate: Macaroon\r\n")
        }
        _ => (status, ""),
    };
    respond(status, extra, &body.to_string())
}

/// Serves `/auth/...` on the controller's port; `None` for any other path.
pub(crate) fn serve_http(shared: &Shared, req: &HttpRequest) -> Option<Vec<u8>> {
    let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
    if !path.starts_with("/auth/") {
        return None;
    }
    let version: u32 = req
        .header("Bakery-Protocol-Version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut st = shared.state();
    match (req.method.as_str(), path) {
        ("POST", "/auth/discharge") => {
            st.bakery.served.push(path.to_string());
            let mut params = form_pairs(query);
            params.extend(form_pairs(&String::from_utf8_lossy(&req.body)));
            let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            let id = get("id")
                .map(String::into_bytes)
                .or_else(|| get("id64").and_then(|v| unb64(&v)));
            let payload = get("caveat64").and_then(|v| unb64(&v));
            let key = payload.or(id.clone());
            let Some(key) = key.filter(|k| st.bakery.pending.contains_key(k)) else {
                return Some(bakery_error(
                    "400 Bad Request",
                    version,
                    "bad request",
                    "cannot discharge: caveat not found",
                    Value::Null,
                ));
            };
            let token = get("token").or_else(|| {
                get("token64").and_then(|t| unb64(&t).map(|b| String::from_utf8_lossy(&b).into_owned()))
            });
            let Some(token) = token else {
                return Some(bakery_error(
                    "401 Unauthorized",
                    version,
                    "interaction required",
                    "cannot discharge: interaction required",
                    json!({"InteractionMethods": st.bakery.methods_override.clone().unwrap_or_else(
                        || json!({"juju_userpass": {"url": "/auth/form"}})
                    )}),
                ));
            };
            if get("token-kind").as_deref() != Some("juju_userpass") {
                return Some(bakery_error("500 Internal Server Error", version, "", "invalid token", Value::Null));
            }
            let Some(token_user) = st.bakery.tokens.remove(&token) else {
                return Some(bakery_error("500 Internal Server Error", version, "", "invalid token", Value::Null));
            };
            let user = st.bakery.pending[&key].user.clone();
            if token_user != user {
                return Some(bakery_error(
                    "500 Internal Server Error",
                    version,
                    "",
                    &format!("discharge token for user {token_user:?} does not match declared user {user:?}"),
                    Value::Null,
                ));
            }
            let pending = st.bakery.pending.remove(&key).expect("checked");
            let m = st.bakery.discharge_json(&pending);
            Some(respond("200 OK", "", &json!({"Macaroon": m}).to_string()))
        }
        ("POST", "/auth/form") => {
            st.bakery.served.push(path.to_string());
            let json_body = req
                .header("Content-Type")
                .is_some_and(|c| c.starts_with("application/json"));
            let v: Option<Value> = serde_json::from_slice(&req.body).ok();
            let form = v.as_ref().and_then(|v| v.get("form"));
            let user = form.and_then(|f| f.get("user")).and_then(Value::as_str);
            let password = form.and_then(|f| f.get("password")).and_then(Value::as_str);
            let (Some(user), Some(password), true) = (user, password, json_body) else {
                return Some(bakery_error("400 Bad Request", version, "bad request", "cannot unmarshal login form", Value::Null));
            };
            let name = user.strip_prefix("user-").unwrap_or(user);
            let name = name.strip_suffix("@local").unwrap_or(name);
            if st.admin.users.get(name).is_some_and(|u| u.disabled) {
                let e = super::admin::AdminState::disabled_error(&st.juju, name);
                return Some(bakery_error(
                    "500 Internal Server Error",
                    version,
                    "",
                    &e.message,
                    Value::Null,
                ));
            }
            if st.admin.users.get(name).is_none_or(|u| u.password != password) {
                return Some(bakery_error(
                    "500 Internal Server Error",
                    version,
                    "",
                    "invalid entity name or password",
                    Value::Null,
                ));
            }
            let token = HEXLOWER.encode(&random(12));
            st.bakery.tokens.insert(token.clone(), name.to_string());
            let body = json!({"token": {"kind": "juju_userpass", "value": BASE64.encode(token.as_bytes())}});
            Some(respond("200 OK", "", &body.to_string()))
        }
        ("GET", "/auth/form") => {
            let body = "GET method not allowed";
            Some(
                format!(
                    "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .into_bytes(),
            )
        }
        _ => Some(
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 19\r\nConnection: close\r\n\r\n404 page not found\n"
                .as_bytes()
                .to_vec(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's vectors (§3.5), for the fake's own chain.
    #[test]
    fn the_fakes_chain_matches_the_reference_vectors() {
        let root = b"this is our super secret key; only we should know it";
        let mut s = mac(&derive(root), b"we used our secret key");
        s = mac(&s, b"account = 3735928559");
        let vid = HEXLOWER.decode(b"000102030405060708090a0b0c0d0e0f1011121314151617baab91af679280548f57590553968618443a4a909c87ea3ed61997a43f54df64e608177a7a0700e919ea2c26d47051d8").unwrap();
        let cid = b"this was how we remind auth of key/pred";
        s = chain3(&s, &vid, cid);
        assert_eq!(
            HEXLOWER.encode(&s),
            "2fa8754017c1895c54ea2907a31d7b00816abc51b4ca6efe862d142cbac084d7"
        );
        let mut d = mac(
            &derive(b"4; guaranteed random by a fair toss of the dice"),
            cid,
        );
        d = mac(&d, b"time < 2025-01-01T00:00");
        assert_eq!(
            HEXLOWER.encode(&bound(&s, &d)),
            "be87c8fbc81f0beb64308e233a5a17a124f2241b1b7ac478b53abbcfeb1e96c1"
        );
    }

    #[test]
    fn a_minted_slice_verifies_once_bound_and_not_otherwise() {
        let mut b = Bakery::default();
        let slice = b.slice_for("bob", "h:1", "u");
        assert_eq!(b.verify_login(&json!([slice.clone()]), "bob"), Ok(true));
        assert!(b.verify_login(&json!([slice.clone()]), "alice").is_err());
        // An unbound discharge, a missing discharge, and an expired slice do not verify.
        let mut unbound = slice.clone();
        unbound[1]["s64"] = BASE64URL_NOPAD.encode(&[1u8; 32]).into();
        assert_eq!(b.verify_login(&json!([unbound]), "bob"), Ok(false));
        assert_eq!(
            b.verify_login(&json!([[slice[0].clone()]]), "bob"),
            Ok(false)
        );
        let mut extra = slice.clone();
        extra.as_array_mut().unwrap().push(slice[1].clone());
        assert_eq!(b.verify_login(&json!([extra]), "bob"), Ok(false));
        b.skew = Duration::from_secs(25 * 3600);
        assert_eq!(b.verify_login(&json!([slice]), "bob"), Ok(false));
    }

    #[test]
    fn interaction_required_is_407_for_protocol_version_0_else_401() {
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
        let v0 = text(bakery_error(
            "500 x",
            0,
            "interaction required",
            "m",
            Value::Null,
        ));
        assert!(v0.starts_with("HTTP/1.1 407 "), "{v0}");
        let v3 = text(bakery_error(
            "500 x",
            3,
            "interaction required",
            "m",
            Value::Null,
        ));
        assert!(v3.starts_with("HTTP/1.1 401 "), "{v3}");
        assert!(v3.contains("WWW-Authenticate: Macaroon\r\n"), "{v3}");
        let bad = text(bakery_error(
            "500 Internal Server Error",
            3,
            "",
            "invalid token",
            Value::Null,
        ));
        assert!(
            bad.starts_with("HTTP/1.1 500 ") && bad.ends_with(r#"{"Message":"invalid token"}"#),
            "{bad}"
        );
    }

    #[test]
    fn form_bodies_decode() {
        assert_eq!(
            form_pairs("id64=AwA&caveat64=a%2Bb&x=1+2&bad=%zz&end=%4"),
            [
                ("id64".to_string(), "AwA".to_string()),
                ("caveat64".into(), "a+b".into()),
                ("x".into(), "1 2".into()),
                ("bad".into(), "%zz".into()),
                ("end".into(), "%4".into())
            ]
        );
    }
}
