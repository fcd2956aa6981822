//! Secret URIs as Juju makes and parses them (`core/secrets/secret.go`, the same in 3.6.26
//! and 4.0.14): `NewURI` encodes 12 random bytes in lowercase base32hex, and `ParseURI`
//! runs Go's `net/url.Parse`, then a regular expression, then `xid.FromString`.

use crate::testing::wire::RpcErr;

/// A parsed secret URI: the id, and the model it comes from (empty for a local one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Uri {
    pub(crate) source: String,
    pub(crate) id: String,
}

/// A new secret id: 12 random bytes in base32hex, lowercase, no padding (20 characters,
/// the last one `0` or `g`), as `NewURI` makes it.
pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("OS randomness");
    data_encoding::BASE32HEX_NOPAD
        .encode(&bytes)
        .to_ascii_lowercase()
}

impl Uri {
    /// `URI.String()`: `secret:<id>`, or `secret://<source>/<id>` for another model's.
    pub(crate) fn string(&self) -> String {
        if self.source.is_empty() {
            format!("secret:{}", self.id)
        } else {
            format!("secret://{}/{}", self.source, self.id)
        }
    }

    /// Go's `%s` of a `URI` value (its `String` has a pointer receiver, so fmt prints the
    /// struct's fields): `{<source> <id>}`.
    pub(crate) fn go_value_s(&self) -> String {
        format!("{{{} {}}}", self.source, self.id)
    }

    /// Go's `%q` of a `URI` value: `{"<source>" "<id>"}`.
    pub(crate) fn go_value_q(&self) -> String {
        format!("{{{} {}}}", go_quote(&self.source), go_quote(&self.id))
    }
}

/// Go's `strconv.Quote`, for error texts built with `%q`.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            // Go's IsPrint leaves out other control and format characters; the C1 block
            // and a few format characters are the ones a client could plausibly send.
            c if ('\u{80}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{feff}') =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `ParseURI`: a URI, a bare id, `<model-uuid>/<id>` or `secret://<model-uuid>/<id>`.
pub(crate) fn parse(s: &str) -> Result<Uri, RpcErr> {
    let u = url_parse(s).map_err(|e| RpcErr::new(format!("parse {}: {e}", go_quote(s)), ""))?;
    let not_valid = |what: String| RpcErr::new(format!("{what} not valid"), "not valid");
    if !u.scheme.is_empty() && u.scheme != "secret" {
        return Err(not_valid(format!(
            "secret URI scheme {}",
            go_quote(&u.scheme)
        )));
    }
    // `validUUID.MatchString` is not anchored: any host with a UUID in it passes.
    if !u.host.is_empty() && !contains_uuid(&u.host) {
        return Err(not_valid(format!(
            "host controller UUID {}",
            go_quote(&u.host)
        )));
    }
    let mut id_str = u.path.trim_start_matches('/');
    if id_str.is_empty() {
        id_str = &u.opaque;
    }
    let invalid = || not_valid(format!("secret URI {}", go_quote(s)));
    // `^((?P<source>uuid)/)?(?P<id>[0-9a-z]{20})$`
    let (source, id) = match id_str.rsplit_once('/') {
        Some((src, id)) if is_lower_uuid(src) => (src.to_string(), id),
        Some(_) => return Err(invalid()),
        None => (String::new(), id_str),
    };
    if id.len() != 20
        || !id
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    {
        return Err(invalid());
    }
    // xid.FromString: base32hex digits only, and the last one must re-encode (its low four
    // bits are padding), which leaves `0` and `g`.
    if !id
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b))
        || !id.ends_with(['0', 'g'])
    {
        return Err(invalid());
    }
    Ok(Uri {
        source: if source.is_empty() { u.host } else { source },
        id: id.to_string(),
    })
}

/// `[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}`, whole.
fn is_lower_uuid(s: &str) -> bool {
    crate::util::is_uuid(s) && !s.contains(|c: char| c.is_ascii_uppercase())
}

/// Whether the unanchored UUID pattern matches somewhere in `s`.
fn contains_uuid(s: &str) -> bool {
    s.len() >= 36 && (0..=s.len() - 36).any(|i| s.get(i..i + 36).is_some_and(is_lower_uuid))
}

/// The parts of a URL that `ParseURI` reads.
#[derive(Debug, Default)]
struct GoUrl {
    scheme: String,
    opaque: String,
    host: String,
    /// Unescaped.
    path: String,
}

/// The subset of Go's `net/url.Parse` that decides how a secret URI parses, with its
/// error texts (`net/url/url.go`): control characters, the scheme, `?` and `#`, the
/// authority and host, and `%` escapes.
fn url_parse(raw: &str) -> Result<GoUrl, String> {
    let (rest, frag) = match raw.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (raw, None),
    };
    let mut u = parse_no_fragment(rest)?;
    if let Some(f) = frag {
        unescape(f, Mode::Fragment)?;
    }
    u.path = unescape(&u.path, Mode::Path)?;
    Ok(u)
}

fn parse_no_fragment(raw: &str) -> Result<GoUrl, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut u = GoUrl::default();
    if raw.is_empty() {
        return Ok(u);
    }
    let (scheme, rest) = scheme_of(raw)?;
    u.scheme = scheme.to_ascii_lowercase();
    let rest = if rest.ends_with('?') && rest.matches('?').count() == 1 {
        &rest[..rest.len() - 1]
    } else {
        rest.split_once('?').map_or(rest, |(r, _)| r)
    };
    if !rest.starts_with('/') {
        if !u.scheme.is_empty() {
            u.opaque = rest.to_string();
            return Ok(u);
        }
        let segment = rest.split_once('/').map_or(rest, |(s, _)| s);
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    let mut rest = rest;
    if (!u.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, tail) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        u.host = parse_host(authority)?;
        rest = tail;
    }
    u.path = rest.to_string();
    Ok(u)
}

/// `getScheme`.
fn scheme_of(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

/// `parseAuthority` and `parseHost`, without user info or IPv6 literals' details.
fn parse_host(authority: &str) -> Result<String, String> {
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.starts_with('[') {
        return unescape(host, Mode::Host);
    }
    if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !port[1..].bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
    }
    unescape(host, Mode::Host)
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Path,
    Host,
    Fragment,
}

/// `unescape`: `%XX` sequences, and in a host the characters a host may not hold.
fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let ok =
                    i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit();
                if !ok {
                    let end = (i + 3).min(b.len());
                    return Err(format!(
                        "invalid URL escape {}",
                        go_quote(&String::from_utf8_lossy(&b[i..end]))
                    ));
                }
                let v = u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(0);
                out.push(v);
                i += 3;
            }
            c if mode == Mode::Host && c < 0x80 && host_needs_escape(c) => {
                return Err(format!(
                    "invalid character {} in host name",
                    go_quote(&(c as char).to_string())
                ));
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// `shouldEscape(c, encodeHost)`.
fn host_needs_escape(c: u8) -> bool {
    !(c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'-' | b'_'
                | b'.'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "d0n4kq9mp25c7f0cv3og";
    const UUID: &str = "0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b";

    #[test]
    fn new_ids_are_20_base32hex_characters_ending_in_0_or_g() {
        for _ in 0..200 {
            let id = new_id();
            assert_eq!(id.len(), 20, "{id}");
            assert!(id.ends_with(['0', 'g']), "{id}");
            assert_eq!(parse(&id).unwrap().id, id);
        }
    }

    #[test]
    fn every_form_parses() {
        for s in [
            format!("secret:{ID}"),
            ID.to_string(),
            format!("{UUID}/{ID}"),
            format!("secret://{UUID}/{ID}"),
            format!("SECRET:{ID}"),
            format!("secret:{ID}?x=1#frag"),
        ] {
            let u = parse(&s).unwrap_or_else(|e| panic!("{s}: {}", e.message));
            assert_eq!(u.id, ID, "{s}");
        }
        assert_eq!(parse(&format!("{UUID}/{ID}")).unwrap().source, UUID);
        let remote = parse(&format!("secret://{UUID}/{ID}")).unwrap();
        assert_eq!(remote.source, UUID);
        assert_eq!(remote.string(), format!("secret://{UUID}/{ID}"));
        assert_eq!(parse(ID).unwrap().string(), format!("secret:{ID}"));
    }

    #[test]
    fn bad_uris_fail_with_go_texts() {
        let e = |s: &str| {
            let e = parse(s).unwrap_err();
            (e.message, e.code)
        };
        assert_eq!(
            e("foo:bar"),
            ("secret URI scheme \"foo\" not valid".into(), "not valid")
        );
        assert_eq!(
            e(&format!("secret://host/{ID}")),
            (
                "host controller UUID \"host\" not valid".into(),
                "not valid"
            )
        );
        assert_eq!(
            e("dbpassword"),
            ("secret URI \"dbpassword\" not valid".into(), "not valid")
        );
        // The last character must be 0 or g; the alphabet stops at v.
        assert_eq!(
            e("d0n4kq9mp25c7f0cv3o1").0,
            "secret URI \"d0n4kq9mp25c7f0cv3o1\" not valid"
        );
        assert!(parse("d0n4kq9mp25c7f0cvwog").is_err());
        assert_eq!(
            e(":x"),
            ("parse \":x\": missing protocol scheme".into(), "")
        );
        assert_eq!(
            e("a%zzb"),
            ("parse \"a%zzb\": invalid URL escape \"%zz\"".into(), "")
        );
        assert_eq!(
            e("a\nb"),
            (
                "parse \"a\\nb\": net/url: invalid control character in URL".into(),
                ""
            )
        );
        assert_eq!(
            e("a:b/c").0,
            "secret URI scheme \"a\" not valid".to_string()
        );
        assert_eq!(
            e("1a:b").0,
            "parse \"1a:b\": first path segment in URL cannot contain colon"
        );
        assert_eq!(e("").0, "secret URI \"\" not valid");
    }

    #[test]
    fn go_values_print_as_fmt_prints_them() {
        let u = parse(ID).unwrap();
        assert_eq!(u.go_value_s(), format!("{{ {ID}}}"));
        assert_eq!(u.go_value_q(), format!("{{\"\" \"{ID}\"}}"));
        assert_eq!(go_quote("a\"b\\\u{1}é"), "\"a\\\"b\\\\\\x01é\"");
    }
}
