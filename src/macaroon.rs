//! The subset of macaroons a Juju client needs: the JSON forms (go-macaroon v1 and v2, and
//! the bakery v3 wrapper), the HMAC-SHA256 chain, and binding a discharge to its primary.
//! A client never verifies signatures, so there is no secretbox here.
//!
//! Facts from `juju-macaroon-login.md` §1.3 and §3 (go-macaroon v2 `marshal-v1.go`,
//! `marshal-v2.go`, `crypto.go`; bakery v3 `macaroon.go`).

use std::collections::BTreeMap;

use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

/// Which JSON form a macaroon came in; it is written back in the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    V1,
    V2,
}

/// One caveat: first-party when `vid` is empty.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Caveat {
    pub(crate) id: Vec<u8>,
    pub(crate) vid: Vec<u8>,
    pub(crate) location: String,
}

/// A macaroon, bytes kept exactly as decoded.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Macaroon {
    pub(crate) location: String,
    pub(crate) id: Vec<u8>,
    pub(crate) caveats: Vec<Caveat>,
    pub(crate) sig: [u8; 32],
    pub(crate) format: Format,
}

// Never shows the signature, which is the bearer secret.
impl std::fmt::Debug for Macaroon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Macaroon({} caveats)", self.caveats.len())
    }
}

/// A macaroon as a bakery hands it over: with the caveat payloads (`cdata`) a discharger
/// needs, keyed by raw caveat id.
#[derive(Debug, Clone)]
pub(crate) struct BakeryMacaroon {
    pub(crate) m: Macaroon,
    pub(crate) cdata: BTreeMap<Vec<u8>, Vec<u8>>,
}

type HmacSha256 = Hmac<Sha256>;

pub(crate) fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut m = <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(msg);
    m.finalize().into_bytes().into()
}

/// libmacaroons' hash2: `HMAC(key, HMAC(key, a) ‖ HMAC(key, b))`.
pub(crate) fn hash2(key: &[u8], a: &[u8], b: &[u8]) -> [u8; 32] {
    let mut both = [0u8; 64];
    both[..32].copy_from_slice(&hmac(key, a));
    both[32..].copy_from_slice(&hmac(key, b));
    hmac(key, &both)
}

/// The signature of a discharge bound to its primary (§3.3); Go leaves a discharge whose
/// signature equals the primary's unchanged (`bindForRequest`).
pub(crate) fn bind(primary_sig: &[u8; 32], discharge_sig: &[u8; 32]) -> [u8; 32] {
    if primary_sig == discharge_sig {
        return *discharge_sig;
    }
    hash2(&[0u8; 32], primary_sig, discharge_sig)
}

/// Decodes base64 in any of the variants Go and python write: standard or URL alphabet,
/// padded or not.
pub(crate) fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let t: String = s
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    BASE64URL_NOPAD.decode(t.as_bytes()).ok()
}

/// Base64url without padding, as Go and pymacaroons read it.
pub(crate) fn b64_encode(b: &[u8]) -> String {
    BASE64URL_NOPAD.encode(b)
}

fn bad(what: &str) -> String {
    format!("bad macaroon JSON: {what}")
}

/// A v2 `x` / `x64` field pair.
fn v2_bytes(o: &Map<String, Value>, key: &str) -> Result<Option<Vec<u8>>, String> {
    let text = o.get(key);
    let b64 = o.get(&format!("{key}64"));
    match (text, b64) {
        (Some(_), Some(_)) => Err(bad(&format!("ambiguous field encoding ({key})"))),
        (Some(Value::String(s)), None) => Ok(Some(s.as_bytes().to_vec())),
        (None, Some(Value::String(s))) => b64_decode(s)
            .map(Some)
            .ok_or_else(|| bad(&format!("{key}64 is not base64"))),
        (None, None) => Ok(None),
        _ => Err(bad(&format!("{key} is not a string"))),
    }
}

fn str_field(o: &Map<String, Value>, key: &str) -> Result<String, String> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(bad(&format!("{key} is not a string"))),
    }
}

fn sig32(b: Vec<u8>) -> Result<[u8; 32], String> {
    b.try_into()
        .map_err(|_| bad("the signature is not 32 bytes"))
}

const V1_KEYS: &[&str] = &["caveats", "location", "identifier", "signature"];
const V2_KEYS: &[&str] = &["c", "l", "i", "i64", "s", "s64"];

impl Macaroon {
    /// Decodes a plain macaroon in v1 or v2 JSON (Go's rule: the keys decide).
    pub(crate) fn from_json(v: &Value) -> Result<Macaroon, String> {
        let Some(o) = v.as_object() else {
            return Err(bad("not an object (binary macaroons are not supported)"));
        };
        let v1 = V1_KEYS.iter().any(|k| o.contains_key(*k));
        let v2 = V2_KEYS.iter().any(|k| o.contains_key(*k));
        match (v1, v2) {
            (true, true) => Err(bad("both v1 and v2 fields")),
            (true, false) => Self::from_v1(o),
            (false, true) => Self::from_v2(o),
            (false, false) => Err(bad("no macaroon fields")),
        }
    }

    fn from_v1(o: &Map<String, Value>) -> Result<Macaroon, String> {
        let sig_hex = str_field(o, "signature")?;
        let sig = HEXLOWER
            .decode(sig_hex.to_ascii_lowercase().as_bytes())
            .map_err(|_| bad("the signature is not hex"))?;
        let mut caveats = Vec::new();
        for c in o
            .get("caveats")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let c = c
                .as_object()
                .ok_or_else(|| bad("a caveat is not an object"))?;
            let vid = str_field(c, "vid")?;
            caveats.push(Caveat {
                id: str_field(c, "cid")?.into_bytes(),
                vid: if vid.is_empty() {
                    Vec::new()
                } else {
                    b64_decode(&vid).ok_or_else(|| bad("vid is not base64"))?
                },
                location: str_field(c, "cl")?,
            });
        }
        Ok(Macaroon {
            location: str_field(o, "location")?,
            id: str_field(o, "identifier")?.into_bytes(),
            caveats,
            sig: sig32(sig)?,
            format: Format::V1,
        })
    }

    fn from_v2(o: &Map<String, Value>) -> Result<Macaroon, String> {
        let mut caveats = Vec::new();
        match o.get("c") {
            None | Some(Value::Null) => {}
            Some(Value::Array(cs)) => {
                for c in cs {
                    let c = c
                        .as_object()
                        .ok_or_else(|| bad("a caveat is not an object"))?;
                    caveats.push(Caveat {
                        id: v2_bytes(c, "i")?.ok_or_else(|| bad("a caveat has no id"))?,
                        vid: v2_bytes(c, "v")?.unwrap_or_default(),
                        location: str_field(c, "l")?,
                    });
                }
            }
            Some(_) => return Err(bad("c is not an array")),
        }
        Ok(Macaroon {
            location: str_field(o, "l")?,
            id: v2_bytes(o, "i")?.ok_or_else(|| bad("no identifier"))?,
            caveats,
            sig: sig32(v2_bytes(o, "s")?.ok_or_else(|| bad("no signature"))?)?,
            format: Format::V2,
        })
    }

    /// Encodes in the form it was decoded from.
    pub(crate) fn to_json(&self) -> Value {
        match self.format {
            Format::V1 => self.to_v1(),
            Format::V2 => self.to_v2(),
        }
    }

    fn to_v1(&self) -> Value {
        let caveats: Vec<Value> = self
            .caveats
            .iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("cid".into(), String::from_utf8_lossy(&c.id).into());
                if !c.vid.is_empty() {
                    m.insert("vid".into(), b64_encode(&c.vid).into());
                }
                if !c.location.is_empty() {
                    m.insert("cl".into(), c.location.clone().into());
                }
                Value::Object(m)
            })
            .collect();
        serde_json::json!({
            "caveats": caveats,
            "location": self.location,
            "identifier": String::from_utf8_lossy(&self.id),
            "signature": HEXLOWER.encode(&self.sig),
        })
    }

    fn to_v2(&self) -> Value {
        // Go writes text when it is valid UTF-8 and no longer than the base64 form + 2;
        // control characters would be escaped and grow, so they take base64 here.
        fn put(m: &mut Map<String, Value>, key: &str, b: &[u8]) {
            match std::str::from_utf8(b) {
                Ok(s) if !s.chars().any(char::is_control) => {
                    m.insert(key.into(), s.into());
                }
                _ => {
                    m.insert(format!("{key}64"), b64_encode(b).into());
                }
            }
        }
        let mut m = Map::new();
        if !self.caveats.is_empty() {
            let cs = self
                .caveats
                .iter()
                .map(|c| {
                    let mut cm = Map::new();
                    put(&mut cm, "i", &c.id);
                    if !c.vid.is_empty() {
                        cm.insert("v64".into(), b64_encode(&c.vid).into());
                    }
                    if !c.location.is_empty() {
                        cm.insert("l".into(), c.location.clone().into());
                    }
                    Value::Object(cm)
                })
                .collect();
            m.insert("c".into(), Value::Array(cs));
        }
        if !self.location.is_empty() {
            m.insert("l".into(), self.location.clone().into());
        }
        put(&mut m, "i", &self.id);
        m.insert("s64".into(), b64_encode(&self.sig).into());
        Value::Object(m)
    }

    /// The third-party caveats: those with a verification id.
    pub(crate) fn third_party(&self) -> impl Iterator<Item = &Caveat> {
        self.caveats.iter().filter(|c| !c.vid.is_empty())
    }

    /// The `time-before` conditions, as Unix seconds.
    pub(crate) fn expiry(&self) -> Option<i64> {
        self.caveats
            .iter()
            .filter(|c| c.vid.is_empty())
            .filter_map(|c| {
                std::str::from_utf8(&c.id)
                    .ok()?
                    .strip_prefix("time-before ")
            })
            .filter_map(parse_rfc3339)
            .min()
    }
}

impl BakeryMacaroon {
    /// Decodes the bakery wrapper (`m`, `v` 3, `cdata`, `ns`), or a plain macaroon.
    pub(crate) fn from_json(v: &Value) -> Result<BakeryMacaroon, String> {
        let Some(o) = v.as_object() else {
            return Err(bad("not an object"));
        };
        let Some(m) = o.get("m") else {
            return Ok(BakeryMacaroon {
                m: Macaroon::from_json(v)?,
                cdata: BTreeMap::new(),
            });
        };
        if o.get("v").and_then(Value::as_u64) != Some(3) {
            return Err(bad("a bakery macaroon of a version other than 3"));
        }
        let m = Macaroon::from_json(m)?;
        let mut cdata = BTreeMap::new();
        for (k, v) in o
            .get("cdata")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let key = b64_decode(k).ok_or_else(|| bad("cdata key is not base64"))?;
            let val = v
                .as_str()
                .and_then(b64_decode)
                .ok_or_else(|| bad("cdata value is not base64"))?;
            cdata.insert(key, val);
        }
        Ok(BakeryMacaroon { m, cdata })
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses RFC 3339 (`2026-11-28T22:34:40.311092123Z`, or with an offset) to Unix seconds;
/// fractions are dropped.
#[allow(
    clippy::many_single_char_names,
    reason = "a fixed-layout byte parser: short names for the text, its bytes and ranges"
)]
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d, h, mi, se) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.get(3..4) != Some(":") {
                return None;
            }
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset)
}

/// Formats Unix seconds plus nanoseconds as Go's RFC3339Nano in UTC (trailing zeros of the
/// fraction dropped).
#[allow(
    clippy::many_single_char_names,
    reason = "Hinnant's civil_from_days, with its names, so it can be checked against his paper"
)]
pub(crate) fn format_rfc3339(secs: i64, nanos: u32) -> String {
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    // civil_from_days (Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let mut out = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        tod / 3600,
        tod % 3600 / 60,
        tod % 60
    );
    if nanos > 0 {
        let f = format!("{nanos:09}");
        out.push('.');
        out.push_str(f.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        HEXLOWER.encode(b)
    }

    /// The reference's vectors (§3.5), produced by pymacaroons and verified by go-macaroon.
    #[test]
    fn the_signature_chain_and_bind_match_the_reference_vectors() {
        let root = b"this is our super secret key; only we should know it";
        let derive = |k: &[u8]| hmac(b"macaroons-key-generator", k);
        let mut sig = hmac(&derive(root), b"we used our secret key");
        assert_eq!(
            hex(&sig),
            "e3d9e02908526c4c0039ae15114115d97fdd68bf2ba379b342aaf0f617d0552f"
        );
        sig = hmac(&sig, b"account = 3735928559");
        assert_eq!(
            hex(&sig),
            "1efe4763f290dbce0c1d08477367e11f4eee456a64933cf662d79772dbb82128"
        );
        let vid = HEXLOWER.decode(b"000102030405060708090a0b0c0d0e0f1011121314151617baab91af679280548f57590553968618443a4a909c87ea3ed61997a43f54df64e608177a7a0700e919ea2c26d47051d8").unwrap();
        let cid = b"this was how we remind auth of key/pred";
        let primary = hash2(&sig, &vid, cid);
        assert_eq!(
            hex(&primary),
            "2fa8754017c1895c54ea2907a31d7b00816abc51b4ca6efe862d142cbac084d7"
        );
        let mut d = hmac(
            &derive(b"4; guaranteed random by a fair toss of the dice"),
            cid,
        );
        d = hmac(&d, b"time < 2025-01-01T00:00");
        assert_eq!(
            hex(&d),
            "b338d11fb136c4b95c86efe146f77978cd0947585375ba4d4da4ef68be2b3e8b"
        );
        assert_eq!(
            hex(&bind(&primary, &d)),
            "be87c8fbc81f0beb64308e233a5a17a124f2241b1b7ac478b53abbcfeb1e96c1"
        );
        assert_eq!(bind(&primary, &primary), primary);
    }

    #[test]
    fn the_reference_json_decodes_and_encodes_back() {
        let text = r#"{"i":"we used our secret key","s64":"L6h1QBfBiVxU6ikHox17AIFqvFG0ym7-hi0ULLrAhNc","l":"http://mybank/","c":[{"i":"account = 3735928559"},{"i":"this was how we remind auth of key/pred","v64":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXuquRr2eSgFSPV1kFU5aGGEQ6SpCch-o-1hmXpD9U32TmCBd6egcA6RnqLCbUcFHY","l":"http://auth.mybank/"}]}"#;
        let v: Value = serde_json::from_str(text).unwrap();
        let m = Macaroon::from_json(&v).unwrap();
        assert_eq!(m.format, Format::V2);
        assert_eq!(
            hex(&m.sig),
            "2fa8754017c1895c54ea2907a31d7b00816abc51b4ca6efe862d142cbac084d7"
        );
        assert_eq!(m.third_party().count(), 1);
        assert_eq!(m.caveats[1].vid.len(), 72);
        assert_eq!(m.to_json(), v);

        let v1 = r#"{"caveats":[{"cid":"account = 3735928559"}],"location":"http://mybank/","identifier":"we used our secret key","signature":"1efe4763f290dbce0c1d08477367e11f4eee456a64933cf662d79772dbb82128"}"#;
        let v: Value = serde_json::from_str(v1).unwrap();
        let m = Macaroon::from_json(&v).unwrap();
        assert_eq!(m.format, Format::V1);
        assert_eq!(m.to_json(), v);
    }

    #[test]
    fn binary_ids_and_lenient_base64() {
        // Go's "AwA" and python's "\u0003\u0000" are the same caveat id.
        let go: Value = serde_json::from_str(r#"{"i64":"AwA","s64":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","c":[{"i64":"AwA","v64":"AQ","l":"x"}]}"#).unwrap();
        let py: Value = serde_json::from_str(r#"{"i":"\u0003\u0000","s64":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","c":[{"i":"\u0003\u0000","v64":"AQ==","l":"x"}]}"#).unwrap();
        let a = Macaroon::from_json(&go).unwrap();
        let b = Macaroon::from_json(&py).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.id, [3, 0]);
        // Control bytes are written as base64, as Go does.
        assert_eq!(a.to_json(), go);
        for bad in [
            r#"{"i":"x","i64":"eA","s64":"AA"}"#,
            r#"{"i":"x","s64":"AA"}"#,
            r#"{"identifier":"x","s64":"AA"}"#,
            r#"{"i":"x"}"#,
            r#""AgE""#,
            r#"{"c":7,"i":"x","s64":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#,
            r#"{"c":[{"v64":"AQ"}],"i":"x","s64":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#,
            r#"{"c":[7],"i":"x","s64":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#,
            r#"{"i":"x","s64":"AAAA"}"#,
            r#"{"i":1,"s64":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#,
            r#"{"identifier":"x","signature":"zz"}"#,
            r#"{"identifier":"x","signature":"00","caveats":[{"cid":"a","vid":"!!"}]}"#,
            r#"[]"#,
            r#"null"#,
        ] {
            let v: Value = serde_json::from_str(bad).unwrap();
            assert!(Macaroon::from_json(&v).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_bakery_wrapper_keeps_cdata_by_raw_id() {
        let v: Value = serde_json::from_str(r#"{"m":{"c":[{"i64":"AwA","v64":"AQ","l":"https://h/auth"}],"i64":"AwoQ","s64":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},"v":3,"cdata":{"AwA=":"cGF5bG9hZA"},"ns":"std:"}"#).unwrap();
        let b = BakeryMacaroon::from_json(&v).unwrap();
        assert_eq!(b.cdata.get(&vec![3u8, 0]).unwrap(), b"payload");
        let mut v2 = v.clone();
        v2["v"] = 2.into();
        assert!(BakeryMacaroon::from_json(&v2).is_err());
        let plain = BakeryMacaroon::from_json(&v["m"]).unwrap();
        assert!(plain.cdata.is_empty());
    }

    #[test]
    fn times_round_trip_as_go_writes_them() {
        let t = parse_rfc3339("2026-11-28T22:34:40.311092123Z").unwrap();
        assert_eq!(t, 1_795_905_280);
        assert_eq!(
            format_rfc3339(t, 311_092_123),
            "2026-11-28T22:34:40.311092123Z"
        );
        assert_eq!(format_rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(parse_rfc3339("2026-11-28T23:34:40+01:00"), Some(t));
        for bad in [
            "",
            "2026-11-28",
            "2026-11-28T22:34:40",
            "2026-13-28T22:34:40Z",
            "2026-11-28T22:34:40.Z",
            "２026-11-28T22:34:40Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
