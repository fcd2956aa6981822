//! Secret URIs (`secret:<id>`, `secret://<model-uuid>/<id>`), parsed by Juju's rules
//! (`core/secrets/secret.go` `ParseURI`), and the id-or-name a caller gives to address a
//! secret.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode};

/// The scheme of a secret URI.
const SCHEME: &str = "secret";
/// The length of a secret id: 12 bytes in base32hex, unpadded.
const ID_LEN: usize = 20;

/// A secret's URI: `secret:<id>` for a secret of the model it is used in, or
/// `secret://<model-uuid>/<id>` for one of another model (cross-model).
///
/// The id is 20 characters of lowercase base32hex (`0-9`, `a-v`) whose last character is
/// `0` or `g`: Juju encodes 12 random bytes, so the last character carries a single bit.
/// [`SecretUri::parse`] takes the forms Juju's `ParseURI` takes: `secret:<id>`, a bare
/// `<id>`, `<uuid>/<id>` and `secret://<uuid>/<id>`.
///
/// `Display` (and `Serialize`) give `secret:<id>` or `secret://<uuid>/<id>`, which parse
/// back to the same URI.
///
/// ```
/// use juju_client::secrets::SecretUri;
///
/// let uri = SecretUri::parse("d0n4kq9mp25c7f0cv3og")?;
/// assert_eq!(uri.to_string(), "secret:d0n4kq9mp25c7f0cv3og");
/// assert_eq!(uri.id(), "d0n4kq9mp25c7f0cv3og");
/// assert_eq!(uri.source_uuid(), None);
/// # Ok::<(), juju_client::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretUri {
    // Field order is the `Ord`: local secrets first, then by model, then by id.
    source_uuid: Option<String>,
    id: String,
}

fn not_valid(message: String) -> Error {
    Error::invalid(message).with_code(ErrorCode::NotValid)
}

/// A lowercase UUID, as Juju's URI pattern wants (`[0-9a-f]{8}-...`).
fn is_lower_uuid(s: &str) -> bool {
    crate::util::is_uuid(s) && !s.bytes().any(|b| b.is_ascii_uppercase())
}

/// Juju's id pattern `[0-9a-z]{20}` and rs/xid's decoding: every character in base32hex
/// (`0-9a-v`), and the last one `0` or `g` (its low four bits are padding, which must be
/// zero for the id to encode back to itself).
fn is_secret_id(s: &str) -> bool {
    s.len() == ID_LEN
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b))
        && s.ends_with(['0', 'g'])
}

/// Go's `url.Parse` scheme split: letters first, then letters, digits, `+`, `-` or `.`, up
/// to a `:`; any other character before a `:` means there is no scheme. `Err` for a leading
/// `:` (Go's "missing protocol scheme").
fn split_scheme(s: &str) -> Result<(Option<&str>, &str), ()> {
    for (i, c) in s.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err(()),
            b':' => return Ok((Some(&s[..i]), &s[i + 1..])),
            _ => return Ok((None, s)),
        }
    }
    Ok((None, s))
}

impl SecretUri {
    /// Parses a secret URI: `secret:<id>`, a bare `<id>`, `<uuid>/<id>` or
    /// `secret://<uuid>/<id>` (the scheme in any case, as in a URL).
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput`, code `not valid`, with Juju's texts: `secret URI scheme "<s>"
    /// not valid` for another scheme, `host controller UUID "<h>" not valid` for a
    /// `secret://` host that is not a UUID, and `secret URI "<input>" not valid` for
    /// anything else (a wrong length, a character outside `0-9a-v`, a last character other
    /// than `0` or `g`).
    ///
    /// ```
    /// use juju_client::{ErrorCode, secrets::SecretUri};
    ///
    /// let uri = SecretUri::parse("secret://0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b/d0n4kq9mp25c7f0cv3og")?;
    /// assert_eq!(uri.source_uuid(), Some("0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b"));
    ///
    /// let e = SecretUri::parse("dbpassword").unwrap_err();
    /// assert_eq!(e.message(), r#"secret URI "dbpassword" not valid"#);
    /// assert_eq!(e.code(), Some(ErrorCode::NotValid));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<SecretUri, Error> {
        let bad = || not_valid(format!("secret URI {s:?} not valid"));
        let (scheme, rest) = split_scheme(s).map_err(|()| bad())?;
        if let Some(scheme) = scheme {
            let scheme = scheme.to_ascii_lowercase();
            if scheme != SCHEME {
                return Err(not_valid(format!("secret URI scheme {scheme:?} not valid")));
            }
        }
        // `//host/path`, `/path`, or (after a scheme) an opaque `uuid/id` or `id`.
        let (host, path) = match rest.strip_prefix("//") {
            Some(authority_and_path) => match authority_and_path.find('/') {
                Some(i) => authority_and_path.split_at(i),
                None => (authority_and_path, ""),
            },
            None => ("", rest),
        };
        if !host.is_empty() && !is_lower_uuid(host) {
            return Err(not_valid(format!(
                "host controller UUID {host:?} not valid"
            )));
        }
        let path = path.trim_start_matches('/');
        let (source, id) = match path.split_once('/') {
            Some((uuid, id)) if is_lower_uuid(uuid) => (Some(uuid), id),
            Some(_) => return Err(bad()),
            None => (None, path),
        };
        if !is_secret_id(id) {
            return Err(bad());
        }
        let source_uuid = source.or(Some(host).filter(|h| !h.is_empty()));
        Ok(SecretUri {
            source_uuid: source_uuid.map(str::to_string),
            id: id.to_string(),
        })
    }

    /// The secret's id, the 20 characters after `secret:`.
    ///
    /// ```
    /// use juju_client::secrets::SecretUri;
    /// let uri: SecretUri = "secret:d0n4kq9mp25c7f0cv3og".parse()?;
    /// assert_eq!(uri.id(), "d0n4kq9mp25c7f0cv3og");
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The UUID of the model the secret belongs to, for a cross-model URI
    /// (`secret://<uuid>/<id>`); `None` for `secret:<id>`.
    ///
    /// ```
    /// use juju_client::secrets::SecretUri;
    /// let uri: SecretUri = "0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b/d0n4kq9mp25c7f0cv3og".parse()?;
    /// assert_eq!(uri.source_uuid(), Some("0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b"));
    /// assert_eq!(uri.to_string(), "secret://0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b/d0n4kq9mp25c7f0cv3og");
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn source_uuid(&self) -> Option<&str> {
        self.source_uuid.as_deref()
    }
}

impl fmt::Display for SecretUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source_uuid {
            Some(uuid) => write!(f, "{SCHEME}://{uuid}/{}", self.id),
            None => write!(f, "{SCHEME}:{}", self.id),
        }
    }
}

impl fmt::Debug for SecretUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretUri({self})")
    }
}

impl FromStr for SecretUri {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SecretUri::parse(s)
    }
}

impl TryFrom<&str> for SecretUri {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        SecretUri::parse(s)
    }
}

/// As its `Display` form, `secret:<id>` or `secret://<uuid>/<id>`.
impl Serialize for SecretUri {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// From any form [`SecretUri::parse`] takes.
impl<'de> Deserialize<'de> for SecretUri {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = SecretUri;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a secret URI")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SecretUri, E> {
                SecretUri::parse(v).map_err(|e| E::custom(e.message()))
            }
        }
        d.deserialize_str(V)
    }
}

/// How a caller addresses a secret: by URI or by name (the wire's `label`). An id is taken
/// as a URI when it parses as one, else as a name, as the `juju` CLI does; so a name that
/// looks like a secret id is taken as that id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SecretRef {
    Uri(SecretUri),
    Name(String),
}

impl SecretRef {
    /// A URI if `id` parses as one, else a name.
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput`, code `not valid`, for an empty (or all-blank) id: sent as an
    /// empty label, it would match whichever secret has no name (Juju 3.6 remove).
    pub(crate) fn from_id(id: &str) -> Result<SecretRef, Error> {
        if id.trim().is_empty() {
            return Err(not_valid("secret ID or name is required".to_string()));
        }
        Ok(match SecretUri::parse(id) {
            Ok(uri) => SecretRef::Uri(uri),
            Err(_) => SecretRef::Name(id.to_string()),
        })
    }

    /// The wire pair `(uri, label)` (`existing-label` on update): exactly one non-empty.
    pub(crate) fn uri_and_label(&self) -> (String, String) {
        match self {
            SecretRef::Uri(uri) => (uri.to_string(), String::new()),
            SecretRef::Name(name) => (String::new(), name.clone()),
        }
    }

    /// The URI, when the secret is addressed by one.
    #[cfg(test)]
    pub(crate) fn uri(&self) -> Option<&SecretUri> {
        match self {
            SecretRef::Uri(uri) => Some(uri),
            SecretRef::Name(_) => None,
        }
    }
}

impl fmt::Display for SecretRef {
    /// As the CLI echoes it (`secret "<id-or-name>" not found`): the URI, or the name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretRef::Uri(uri) => uri.fmt(f),
            SecretRef::Name(name) => f.write_str(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "d0n4kq9mp25c7f0cv3og";
    const UUID: &str = "0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b";

    fn err(s: &str) -> Error {
        SecretUri::parse(s).unwrap_err()
    }

    #[test]
    fn every_form_parses() {
        for s in [
            format!("secret:{ID}"),
            ID.to_string(),
            format!("SECRET:{ID}"),
            format!("secret:/{ID}"),
            format!("secret:///{ID}"),
        ] {
            let uri = SecretUri::parse(&s).unwrap();
            assert_eq!((uri.id(), uri.source_uuid()), (ID, None), "{s}");
            assert_eq!(uri.to_string(), format!("secret:{ID}"), "{s}");
        }
        for s in [
            format!("{UUID}/{ID}"),
            format!("secret://{UUID}/{ID}"),
            format!("secret:{UUID}/{ID}"),
        ] {
            let uri = SecretUri::parse(&s).unwrap();
            assert_eq!((uri.id(), uri.source_uuid()), (ID, Some(UUID)), "{s}");
            assert_eq!(uri.to_string(), format!("secret://{UUID}/{ID}"), "{s}");
        }
    }

    #[test]
    fn display_round_trips() {
        for s in [format!("secret:{ID}"), format!("secret://{UUID}/{ID}")] {
            let uri: SecretUri = s.parse().unwrap();
            assert_eq!(uri.to_string(), s);
            assert_eq!(SecretUri::parse(&uri.to_string()).unwrap(), uri);
        }
    }

    #[test]
    fn the_last_character_must_be_0_or_g() {
        let stem = &ID[..19];
        for last in ['0', 'g'] {
            assert!(SecretUri::parse(&format!("{stem}{last}")).is_ok(), "{last}");
        }
        for last in ['1', 'f', 'h', 'v', 'w', 'z'] {
            let s = format!("{stem}{last}");
            assert_eq!(err(&s).message(), format!("secret URI \"{s}\" not valid"));
        }
    }

    #[test]
    fn only_base32hex_lowercase_of_length_20() {
        for s in [
            "",
            &ID[..19],
            "d0n4kq9mp25c7f0cv3og0",
            "d0n4kq9mp25c7f0cw3og", // w is past base32hex's v
            "D0N4KQ9MP25C7F0CV3OG",
            "d0n4kq9mp25c7f0cv3o_",
            "dbpassword",
            "secret:",
            "secret:dbpassword",
        ] {
            let e = err(s);
            assert_eq!(e.message(), format!("secret URI {s:?} not valid"));
            assert_eq!(e.code(), Some(ErrorCode::NotValid));
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn juju_error_texts() {
        let e = err(&format!("http://{UUID}/{ID}"));
        assert_eq!(e.message(), r#"secret URI scheme "http" not valid"#);
        assert_eq!(e.code(), Some(ErrorCode::NotValid));
        // Go lowercases the scheme before quoting it.
        assert_eq!(
            err(&format!("Foo:{ID}")).message(),
            r#"secret URI scheme "foo" not valid"#
        );
        let e = err(&format!("secret://a-b-c/{ID}"));
        assert_eq!(e.message(), r#"host controller UUID "a-b-c" not valid"#);
        assert_eq!(e.code(), Some(ErrorCode::NotValid));
        let upper = UUID.to_uppercase();
        assert_eq!(
            err(&format!("secret://{upper}/{ID}")).message(),
            format!("host controller UUID \"{upper}\" not valid")
        );
        for s in [
            format!(":{ID}"),
            format!("notauuid/{ID}"),
            format!("{UUID}/{UUID}/{ID}"),
            format!("secret:{ID}/"),
            format!(" secret:{ID}"),
        ] {
            assert_eq!(err(&s).message(), format!("secret URI {s:?} not valid"));
        }
    }

    #[test]
    fn serde_uses_the_display_form() {
        let uri: SecretUri = format!("{UUID}/{ID}").parse().unwrap();
        let json = serde_json::to_string(&uri).unwrap();
        assert_eq!(json, format!("\"secret://{UUID}/{ID}\""));
        assert_eq!(serde_json::from_str::<SecretUri>(&json).unwrap(), uri);
        let bare: SecretUri = serde_json::from_str(&format!("\"{ID}\"")).unwrap();
        assert_eq!(bare.to_string(), format!("secret:{ID}"));
        let e = serde_json::from_str::<SecretUri>("\"nope\"").unwrap_err();
        assert!(
            e.to_string().contains(r#"secret URI "nope" not valid"#),
            "{e}"
        );
        assert!(serde_json::from_str::<SecretUri>("5").is_err());
    }

    #[test]
    fn ordering_puts_local_secrets_first() {
        let local: SecretUri = ID.parse().unwrap();
        let remote: SecretUri = format!("{UUID}/{ID}").parse().unwrap();
        assert!(local < remote);
        assert_eq!(format!("{local:?}"), format!("SecretUri(secret:{ID})"));
    }

    #[test]
    fn an_id_is_a_uri_when_it_parses_else_a_name() {
        let r = SecretRef::from_id(ID).unwrap();
        assert_eq!(r, SecretRef::Uri(ID.parse().unwrap()));
        assert_eq!(r.uri_and_label(), (format!("secret:{ID}"), String::new()));
        let r = SecretRef::from_id("dbpassword").unwrap();
        assert_eq!(r, SecretRef::Name("dbpassword".into()));
        assert_eq!(r.uri_and_label(), (String::new(), "dbpassword".into()));
        assert_eq!(r.to_string(), "dbpassword");
        assert!(r.uri().is_none());
        // A bad scheme is a name too, as in the CLI (its name check comes later).
        assert!(matches!(
            SecretRef::from_id("http:x").unwrap(),
            SecretRef::Name(_)
        ));
        for empty in ["", "  "] {
            let e = SecretRef::from_id(empty).unwrap_err();
            assert_eq!(e.code(), Some(ErrorCode::NotValid));
        }
    }

    #[test]
    fn no_panic_on_odd_input() {
        for s in [
            "secret://",
            "secret:",
            "//",
            "/",
            "é:é",
            "secret://é/é",
            "secret:é",
            "\u{0}",
        ] {
            let _ = SecretUri::parse(s);
            let _ = SecretRef::from_id(s);
        }
    }
}
