//! A secret's content ([`SecretContent`]): keys and byte values, checked as the Go CLI
//! checks them (`core/secrets/createsecret.go`), base64 on the wire, and Juju's checksum.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::sync::LazyLock;

use data_encoding::{BASE64, DecodeError, Encoding, HEXLOWER};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, ErrorCode};

/// The Go CLI's limit on one value, base64-encoded, on all values together, base64-encoded,
/// and on a file read for content ("1MB so vault and k8s both accept it").
const MAX_SIZE: usize = 1_000_000;
/// The CLI's suffix for a value that is already base64.
const BASE64_SUFFIX: &str = "#base64";
/// The CLI's suffix for a value that is a path to read.
const FILE_SUFFIX: &str = "#file";

/// A secret's content: keys mapped to byte values.
///
/// Build it from pairs ([`SecretContent::from_pairs`], [`insert`](SecretContent::insert),
/// `try_from` an array or map), from the `juju add-secret` arguments
/// ([`SecretContent::from_args`]) or from the CLI's `--file` ([`SecretContent::from_file`]).
/// Every way checks what the Go CLI checks before sending, with its texts: keys match
/// `^([a-z](?:-?[a-z0-9]){2,})$` (lowercase, three characters or more, single inner
/// hyphens), and each value and all values together are at most 1,000,000 bytes once
/// base64-encoded. (The controller checks none of this, but Vault and Kubernetes stores
/// refuse what breaks it.)
///
/// It never shows a value by accident: `Debug` lists the keys only, and no error this
/// crate makes quotes a value. `Serialize` does write the values, since serialising
/// content is asking for them: as a map of key to text when the value is valid UTF-8, and
/// to standard padded base64 otherwise (so binary and text cannot be told apart in that
/// form; use [`get`](SecretContent::get) for the bytes). When it is dropped its value
/// buffers are overwritten with zeros (with `zeroize`, which the optimiser cannot skip);
/// copies you make with [`get`](SecretContent::get) or `Serialize` are yours to wipe.
///
/// ```
/// use juju_client::secrets::SecretContent;
///
/// let content = SecretContent::from_pairs([("username", "admin"), ("password", "s3cret")])?;
/// assert_eq!(content.get_str("username"), Some("admin"));
/// assert_eq!(format!("{content:?}"), r#"SecretContent { keys: ["password", "username"] }"#);
/// # Ok::<(), juju_client::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretContent(BTreeMap<String, Vec<u8>>);

impl Drop for SecretContent {
    fn drop(&mut self) {
        for value in self.0.values_mut() {
            value.zeroize();
        }
    }
}

fn not_valid(message: String) -> Error {
    Error::invalid(message).with_code(ErrorCode::NotValid)
}

/// The length of `n` bytes in standard padded base64.
fn base64_len(n: usize) -> usize {
    n.div_ceil(3).saturating_mul(4)
}

/// Go's `base64.StdEncoding` decoder: padding required, `\r` and `\n` ignored anywhere, and
/// non-zero trailing bits accepted (Go checks them only in `Strict` mode).
fn go_std_base64() -> &'static Encoding {
    static GO_STD: LazyLock<Encoding> = LazyLock::new(|| {
        let mut spec = BASE64.specification();
        spec.check_trailing_bits = false;
        spec.ignore.push_str("\r\n");
        // The specification is valid (a test pins the leniency); strict if it ever is not.
        spec.encoding().unwrap_or(BASE64)
    });
    &GO_STD
}

fn decode_base64(text: &[u8]) -> Result<Zeroizing<Vec<u8>>, DecodeError> {
    go_std_base64().decode(text).map(Zeroizing::new)
}

/// The CLI's key pattern `^([a-z](?:-?[a-z0-9]){2,})$`: a lowercase letter, then at least
/// two letters or digits, each of which may be preceded by one hyphen.
fn is_valid_key(key: &str) -> bool {
    let Some((first, rest)) = key.as_bytes().split_first() else {
        return false;
    };
    if !first.is_ascii_lowercase() {
        return false;
    }
    let (mut groups, mut after_hyphen) = (0usize, false);
    for &c in rest {
        match c {
            b'-' if !after_hyphen => after_hyphen = true,
            b'a'..=b'z' | b'0'..=b'9' => {
                groups += 1;
                after_hyphen = false;
            }
            _ => return false,
        }
    }
    !after_hyphen && groups >= 2
}

fn check_key(key: &str) -> Result<(), Error> {
    if is_valid_key(key) {
        Ok(())
    } else {
        Err(not_valid(format!("key {key:?} not valid")))
    }
}

fn check_value_size(key: &str, value: &[u8]) -> Result<(), Error> {
    let n = base64_len(value.len());
    if n > MAX_SIZE {
        return Err(not_valid(format!(
            "base64 encoded secret content for key {key:?} too large: {n} bytes"
        )));
    }
    Ok(())
}

/// Go's `key value "<arg>" not valid`, with whatever may be a value elided: what follows
/// the first `=` (unless it is only `=` padding), or a whole argument without `=` (it may
/// be a value typed without its key).
fn bad_key_value(arg: &str) -> Error {
    let shown = match arg.find('=') {
        Some(i) if arg[i..].bytes().all(|b| b == b'=') => arg.to_string(),
        Some(i) => format!("{}=…", &arg[..i]),
        None if arg.is_empty() => String::new(),
        None => "…".to_string(),
    };
    not_valid(format!("key value {shown:?} not valid"))
}

enum ReadFailure {
    TooLarge(u64),
    Io(std::io::Error),
}

/// Reads at most [`MAX_SIZE`] bytes of `path`, into a buffer sized up front so that no
/// reallocation leaves copies of the content behind.
fn read_capped(path: &Path) -> Result<Zeroizing<Vec<u8>>, ReadFailure> {
    let file = std::fs::File::open(path).map_err(ReadFailure::Io)?;
    let len = file.metadata().map_err(ReadFailure::Io)?.len();
    if len > MAX_SIZE as u64 {
        return Err(ReadFailure::TooLarge(len));
    }
    // `len` is at most MAX_SIZE here, so it fits in usize.
    let capacity = usize::try_from(len).unwrap_or(MAX_SIZE) + 1;
    let mut buf = Zeroizing::new(Vec::with_capacity(capacity));
    file.take(MAX_SIZE as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(ReadFailure::Io)?;
    if buf.len() > MAX_SIZE {
        // The file grew after we looked (or is not a regular file).
        return Err(ReadFailure::TooLarge(buf.len() as u64));
    }
    Ok(buf)
}

fn too_large_file(path: &Path, n: u64) -> Error {
    not_valid(format!(
        "secret content in file {:?} too large: {n} bytes",
        path.display().to_string()
    ))
}

impl SecretContent {
    /// Empty content (for [`UpdateSecret`](super::UpdateSecret), no new revision).
    ///
    /// ```
    /// use juju_client::secrets::SecretContent;
    /// assert!(SecretContent::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value` (replacing, and wiping, any value it had), after checking the
    /// key and sizes.
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput`, code `not valid`, with the Go CLI's texts: `key "<k>" not
    /// valid`, `base64 encoded secret content for key "<k>" too large: <n> bytes`, and
    /// `base64 encoded secret content too large: <n> bytes` for the total. The content is
    /// unchanged then.
    ///
    /// ```
    /// use juju_client::secrets::SecretContent;
    ///
    /// let mut content = SecretContent::new();
    /// content.insert("username", "admin")?.insert("der-cert", vec![0x30, 0x82])?;
    /// assert_eq!(content.len(), 2);
    /// assert!(content.insert("Password", "x").is_err());
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn insert(
        &mut self,
        key: impl Into<String>,
        value: impl Into<Vec<u8>>,
    ) -> Result<&mut Self, Error> {
        let (key, value) = (key.into(), Zeroizing::new(value.into()));
        check_key(&key)?;
        check_value_size(&key, &value)?;
        let old = self.0.get(&key).map_or(0, |v| base64_len(v.len()));
        let total = (self.base64_size() - old).saturating_add(base64_len(value.len()));
        check_total(total)?;
        self.put(key, value);
        Ok(self)
    }

    /// Removes `key` (wiping its value); true when it was there.
    ///
    /// ```
    /// use juju_client::secrets::SecretContent;
    /// let mut content = SecretContent::from_pairs([("username", "admin")])?;
    /// assert!(content.remove("username"));
    /// assert!(content.is_empty());
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn remove(&mut self, key: &str) -> bool {
        self.0.remove(key).map(Zeroizing::new).is_some()
    }

    /// Content from key and value pairs, each checked as [`insert`](Self::insert) checks
    /// it; a later pair with the same key replaces an earlier one.
    ///
    /// # Errors
    ///
    /// As [`insert`](Self::insert), for the first pair that fails.
    ///
    /// ```
    /// use juju_client::secrets::SecretContent;
    ///
    /// let content = SecretContent::from_pairs([("user", "admin")])?;
    /// assert_eq!(content.get("user"), Some(&b"admin"[..]));
    /// let bytes = SecretContent::from_pairs([("blob".to_string(), vec![0u8, 159, 146])])?;
    /// assert_eq!(bytes.get_str("blob"), None);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn from_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self, Error>
    where
        K: Into<String>,
        V: Into<Vec<u8>>,
    {
        let mut content = SecretContent::new();
        for (k, v) in pairs {
            content.insert(k, v)?;
        }
        Ok(content)
    }

    /// Content from `juju add-secret` / `juju update-secret` arguments, by the Go CLI's
    /// rules:
    ///
    /// - `key=value`: trailing `=` (base64 padding) are ignored when looking for the first
    ///   `=`, which separates key and value, so `key=a=` sets `key` to `a=`, and `key=`
    ///   and `=v` are refused;
    /// - `key#base64=value`: the value is base64 already (standard, padded); it is decoded;
    /// - `key#file=path`: the value is the content of the file (at most 1,000,000 bytes);
    ///   `key#base64#file=path` reads base64 from the file;
    /// - keys and sizes are checked as [`insert`](Self::insert) checks them; a later
    ///   argument with the same key replaces an earlier one.
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput`, code `not valid`, with the Go CLI's texts, except that no value
    /// is ever quoted: `key value "k=" not valid`; `key value "=…" not valid` for `=v`
    /// and `key value "…" not valid` for an argument without `=` (Go quotes the whole
    /// argument, which may be a secret); `key "<k>" not valid`, `secret content in file
    /// "<path>" too large: <n> bytes`, the two `base64 encoded secret content ... too
    /// large` of [`insert`](Self::insert); `base64 value for secret key "<k>" not valid
    /// (invalid symbol at 3)` for a `#base64` value that is not base64 (Go leaves that to
    /// the store). A `#file` that cannot be read: kind `InvalidInput`, no code, `reading
    /// content for secret key "<k>": "<path>": <reason>`, with the `std::io::Error` as
    /// source.
    ///
    /// ```
    /// use juju_client::secrets::SecretContent;
    ///
    /// let content = SecretContent::from_args(["user=admin", "token#base64=czNjcmV0", "note=a=b="])?;
    /// assert_eq!(content.get_str("token"), Some("s3cret"));
    /// assert_eq!(content.get_str("note"), Some("a=b="));
    ///
    /// let e = SecretContent::from_args(["User=admin"]).unwrap_err();
    /// assert_eq!(e.message(), r#"key "User" not valid"#);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn from_args(args: impl IntoIterator<Item = impl AsRef<str>>) -> Result<Self, Error> {
        let mut content = SecretContent::new();
        for arg in args {
            let arg = arg.as_ref();
            let stripped = arg.trim_end_matches('=');
            let at = match stripped.find('=') {
                Some(at) if at >= 1 => at,
                _ => return Err(bad_key_value(arg)),
            };
            let (key, value) = (&arg[..at], &arg[at + 1..]);
            match key.strip_suffix(FILE_SUFFIX) {
                Some(key) => {
                    // Check the key before touching the file system.
                    check_key(key.strip_suffix(BASE64_SUFFIX).unwrap_or(key))?;
                    let path = Path::new(value);
                    let bytes = read_capped(path).map_err(|failure| match failure {
                        ReadFailure::TooLarge(n) => too_large_file(path, n),
                        ReadFailure::Io(e) => Error::invalid(format!(
                            "reading content for secret key {key:?}: {:?}: {e}",
                            path.display().to_string()
                        ))
                        .with_source(e),
                    })?;
                    content.put_cli(key, bytes)?;
                }
                None => content.put_cli(key, Zeroizing::new(value.as_bytes().to_vec()))?,
            }
        }
        check_total(content.base64_size())?;
        Ok(content)
    }

    /// Content from a file as the CLI's `--file` reads it: a JSON object or (with the
    /// `juju-data` feature) a YAML map of keys to strings, at most 1,000,000 bytes; keys
    /// may end with `#base64`; keys and sizes are checked as [`insert`](Self::insert)
    /// checks them. Numbers and booleans are taken as their text, as Go's YAML reader
    /// takes them; `null` as empty.
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput`, code `not valid`: `secret content in file "<path>" too large:
    /// <n> bytes`, a file that is not a map of strings (the parser's complaint, with
    /// anything it quotes elided), and the texts of [`from_args`](Self::from_args). A file
    /// that cannot be read has no code and the `std::io::Error` as source.
    ///
    /// ```no_run
    /// use juju_client::secrets::SecretContent;
    ///
    /// // creds.yaml:
    /// //   username: admin
    /// //   password#base64: czNjcmV0
    /// let content = SecretContent::from_file("creds.yaml")?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let bytes = read_capped(path).map_err(|failure| match failure {
            ReadFailure::TooLarge(n) => too_large_file(path, n),
            ReadFailure::Io(e) => {
                Error::invalid(format!("reading secret content file {shown:?}: {e}")).with_source(e)
            }
        })?;
        let map = parse_map(&bytes)
            .map_err(|why| not_valid(format!("secret content file {shown:?}: {why}")))?;
        let mut content = SecretContent::new();
        for (key, mut value) in map {
            let value = std::mem::take(&mut value.0).into_bytes();
            content.put_cli(&key, Zeroizing::new(value))?;
        }
        check_total(content.base64_size())?;
        Ok(content)
    }

    /// Sets every key of `other` here, replacing values this content has (as the CLI lays
    /// `--file` over its `key=value` arguments), then checks the total size again.
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput`, code `not valid`: `base64 encoded secret content too large: <n>
    /// bytes`; this content is unchanged then.
    ///
    /// ```
    /// use juju_client::secrets::SecretContent;
    ///
    /// let mut content = SecretContent::from_args(["user=admin", "password=old"])?;
    /// content.merge(SecretContent::from_pairs([("password", "new")])?)?;
    /// assert_eq!(content.get_str("password"), Some("new"));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn merge(&mut self, mut other: SecretContent) -> Result<(), Error> {
        let replaced = other
            .0
            .keys()
            .filter_map(|k| self.0.get(k))
            .fold(0usize, |n, v| n.saturating_add(base64_len(v.len())));
        check_total((self.base64_size() - replaced).saturating_add(other.base64_size()))?;
        for (key, value) in std::mem::take(&mut other.0) {
            self.put(key, Zeroizing::new(value));
        }
        Ok(())
    }

    /// Sets a CLI value (arguments, `--file`): `key#base64` values are decoded first; then
    /// the key and the value's size are checked. The total is checked by the caller, once.
    fn put_cli(&mut self, key: &str, value: Zeroizing<Vec<u8>>) -> Result<(), Error> {
        let (key, value) = match key.strip_suffix(BASE64_SUFFIX) {
            Some(key) => {
                check_key(key)?;
                let decoded = decode_base64(&value).map_err(|e| {
                    // The decoder's error gives a kind and a position, never the input.
                    not_valid(format!(
                        "base64 value for secret key {key:?} not valid ({e})"
                    ))
                })?;
                (key, decoded)
            }
            None => (key, value),
        };
        check_key(key)?;
        check_value_size(key, &value)?;
        self.put(key.to_string(), value);
        Ok(())
    }

    /// Inserts without checks, wiping any value replaced.
    fn put(&mut self, key: String, mut value: Zeroizing<Vec<u8>>) {
        let value = std::mem::take(&mut *value);
        if let Some(old) = self.0.insert(key, value) {
            drop(Zeroizing::new(old));
        }
    }

    /// The total size of the values, base64-encoded.
    fn base64_size(&self) -> usize {
        self.0
            .values()
            .fold(0usize, |n, v| n.saturating_add(base64_len(v.len())))
    }

    /// The value of `key`.
    ///
    /// ```
    /// use juju_client::secrets::SecretContent;
    /// let content = SecretContent::from_pairs([("user", "admin")])?;
    /// assert_eq!(content.get("user"), Some(&b"admin"[..]));
    /// assert_eq!(content.get("nobody"), None);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.0.get(key).map(Vec::as_slice)
    }

    /// The value of `key` when it is valid UTF-8.
    ///
    /// ```
    /// use juju_client::secrets::SecretContent;
    /// let content = SecretContent::from_pairs([("user", &b"admin"[..]), ("blob", &[0xff][..])])?;
    /// assert_eq!(content.get_str("user"), Some("admin"));
    /// assert_eq!(content.get_str("blob"), None);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// True when `key` is set.
    ///
    /// ```
    /// use juju_client::secrets::SecretContent;
    /// let content = SecretContent::from_pairs([("user", "admin")])?;
    /// assert!(content.contains_key("user"));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// The keys, sorted.
    ///
    /// ```
    /// use juju_client::secrets::SecretContent;
    /// let content = SecretContent::from_pairs([("user", "admin"), ("password", "s3cret")])?;
    /// assert_eq!(content.keys().collect::<Vec<_>>(), ["password", "user"]);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The keys and values, sorted by key.
    ///
    /// ```
    /// use juju_client::secrets::SecretContent;
    /// let content = SecretContent::from_pairs([("user", "admin")])?;
    /// for (key, value) in content.iter() {
    ///     println!("{key}: {} bytes", value.len());
    /// }
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The number of keys.
    ///
    /// ```
    /// use juju_client::secrets::SecretContent;
    /// assert_eq!(SecretContent::from_pairs([("user", "admin")])?.len(), 1);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no keys.
    ///
    /// ```
    /// use juju_client::secrets::SecretContent;
    /// assert!(SecretContent::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The wire form: each value in standard padded base64 (`content.data`).
    pub(crate) fn to_wire(&self) -> BTreeMap<String, String> {
        self.0
            .iter()
            .map(|(k, v)| (k.clone(), BASE64.encode(v)))
            .collect()
    }

    /// Decodes `value.data` straight from the reply: each base64 value is decoded from the
    /// JSON text as it is read, so no copy of it (base64 or not) is kept in a string that
    /// would need wiping, and no intermediate map is built. A value that is not base64
    /// makes the whole content an error naming its key (the rest is still read, so that
    /// the reply stays decodable).
    pub(crate) fn deserialize_wire<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Result<SecretContent, Error>>, D::Error> {
        d.deserialize_option(OptionalValues)
    }

    /// Juju's checksum of this content (`latest-revision-checksum`): see [`checksum`].
    #[allow(
        dead_code,
        reason = "for the facade calls and the fake, which come later"
    )]
    pub(crate) fn checksum(&self) -> String {
        let mut wire = self.to_wire();
        let sum = checksum(&wire);
        wire.values_mut().for_each(Zeroize::zeroize);
        sum
    }
}

fn check_total(total: usize) -> Result<(), Error> {
    if total > MAX_SIZE {
        return Err(not_valid(format!(
            "base64 encoded secret content too large: {total} bytes"
        )));
    }
    Ok(())
}

/// Juju's checksum of secret content (`core/secrets` `Checksum`): the lowercase hex
/// SHA-256 of Go's `json.Marshal` of the key → base64 map (keys sorted, no spaces,
/// HTML-escaped). The controller computes it from the strings it was sent.
pub(crate) fn checksum(data: &BTreeMap<String, String>) -> String {
    let mut json = Zeroizing::new(String::with_capacity(
        data.iter()
            .map(|(k, v)| k.len() + v.len() + 6)
            .sum::<usize>()
            + 2,
    ));
    json.push('{');
    for (i, (k, v)) in data.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        go_json_string(&mut json, k);
        json.push(':');
        go_json_string(&mut json, v);
    }
    json.push('}');
    HEXLOWER.encode(&Sha256::digest(json.as_bytes()))
}

/// A JSON string as Go's `encoding/json` (Go 1.22 and later) writes it: `\b`, `\f`, `\n`,
/// `\r`, `\t` short escapes, other control characters and `<`, `>`, `&` as `\u00xx`, and
/// U+2028 and U+2029 escaped.
fn go_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 || matches!(c, '<' | '>' | '&') => {
                let b = c as u32 as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[b >> 4]));
                out.push(char::from(HEX[b & 0xf]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A `--file` value: a string, or a number or boolean taken as its text, or `null` as empty.
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(v))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(String::new()))
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

impl Drop for Scalar {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// A `--file`'s map: JSON first, then YAML (with `juju-data`), as the Go CLI tries them.
/// The error says why, with anything the parser quotes from the file elided.
fn parse_map(bytes: &[u8]) -> Result<BTreeMap<String, Scalar>, String> {
    let json = serde_json::from_slice::<BTreeMap<String, Scalar>>(bytes);
    #[cfg(feature = "juju-data")]
    {
        if let Ok(map) = json {
            return Ok(map);
        }
        // Go's CLI tries YAML when JSON fails, and reports YAML's complaint.
        let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
        let map: Option<BTreeMap<String, Scalar>> = serde_saphyr::from_str(text).map_err(|e| {
            let plain = e.without_snippet().to_string();
            let first = plain.lines().next().unwrap_or("");
            format!(
                "not a JSON or YAML map of strings: {}",
                crate::redact::elide_quoted(first)
            )
        })?;
        Ok(map.unwrap_or_default())
    }
    #[cfg(not(feature = "juju-data"))]
    json.map_err(|e| {
        format!(
            "not a JSON object of strings ({}; YAML needs the `juju-data` feature)",
            crate::redact::elide_quoted(&e.to_string())
        )
    })
}

/// A map of key to value (text when the value is valid UTF-8, standard padded base64
/// otherwise).
impl Serialize for SecretContent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            match std::str::from_utf8(v) {
                Ok(text) => map.serialize_entry(k, text)?,
                Err(_) => map.serialize_entry(k, &*Zeroizing::new(BASE64.encode(v)))?,
            }
        }
        map.end()
    }
}

/// The keys only: `SecretContent { keys: ["password", "user"] }`.
impl fmt::Debug for SecretContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretContent")
            .field("keys", &self.0.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl<K: Into<String>, V: Into<Vec<u8>>, const N: usize> TryFrom<[(K, V); N]> for SecretContent {
    type Error = Error;
    /// As [`SecretContent::from_pairs`].
    fn try_from(pairs: [(K, V); N]) -> Result<Self, Error> {
        SecretContent::from_pairs(pairs)
    }
}

impl TryFrom<BTreeMap<String, String>> for SecretContent {
    type Error = Error;
    /// As [`SecretContent::from_pairs`].
    fn try_from(map: BTreeMap<String, String>) -> Result<Self, Error> {
        SecretContent::from_pairs(map)
    }
}

impl TryFrom<BTreeMap<String, Vec<u8>>> for SecretContent {
    type Error = Error;
    /// As [`SecretContent::from_pairs`].
    fn try_from(map: BTreeMap<String, Vec<u8>>) -> Result<Self, Error> {
        SecretContent::from_pairs(map)
    }
}

impl TryFrom<HashMap<String, String>> for SecretContent {
    type Error = Error;
    /// As [`SecretContent::from_pairs`].
    fn try_from(map: HashMap<String, String>) -> Result<Self, Error> {
        SecretContent::from_pairs(map)
    }
}

impl<'a> IntoIterator for &'a SecretContent {
    type Item = (&'a str, &'a [u8]);
    type IntoIter = std::iter::Map<
        std::collections::btree_map::Iter<'a, String, Vec<u8>>,
        fn((&'a String, &'a Vec<u8>)) -> (&'a str, &'a [u8]),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }
}

/// The map of `value.data`, for [`SecretContent::deserialize_wire`].
struct WireValues;
impl<'de> serde::de::Visitor<'de> for WireValues {
    type Value = Result<SecretContent, Error>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map of key to base64 value")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ok(SecretContent::new()))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut content = SecretContent::new();
        let mut bad: Option<Error> = None;
        while let Some(key) = map.next_key::<String>()? {
            let decoded = map.next_value_seed(Base64Value)?;
            match decoded {
                Ok(value) => content.put(key, value),
                Err(e) if bad.is_none() => {
                    bad = Some(Error::protocol(format!(
                        "the controller sent secret content whose value for key \
                         {key:?} is not base64 ({e})"
                    )));
                }
                Err(_) => {}
            }
        }
        Ok(bad.map_or(Ok(content), Err))
    }
}

/// `null` or a map, for [`SecretContent::deserialize_wire`].
struct OptionalValues;

impl<'de> serde::de::Visitor<'de> for OptionalValues {
    type Value = Option<Result<SecretContent, Error>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("null or a map of key to base64 value")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(WireValues).map(Some)
    }
}

/// One base64 value, decoded from the JSON text without keeping a copy of it.
struct Base64Value;

impl<'de> serde::de::DeserializeSeed<'de> for Base64Value {
    type Value = Result<Zeroizing<Vec<u8>>, DecodeError>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for Base64Value {
    type Value = Result<Zeroizing<Vec<u8>>, DecodeError>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a base64 string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(decode_base64(v.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn args_err(args: &[&str]) -> Error {
        SecretContent::from_args(args).unwrap_err()
    }

    fn assert_not_valid(e: &Error, message: &str) {
        assert_eq!(e.message(), message);
        assert_eq!(e.code(), Some(ErrorCode::NotValid), "{message}");
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{message}");
    }

    struct TempFile(std::path::PathBuf);
    impl TempFile {
        fn new(name: &str, content: &[u8]) -> TempFile {
            let path = std::env::temp_dir().join(format!(
                "juju-client-secrets-{}-{}-{name}",
                std::process::id(),
                crate::util::random_u64()
            ));
            std::fs::write(&path, content).unwrap();
            TempFile(path)
        }
        fn path(&self) -> &str {
            self.0.to_str().unwrap()
        }
    }
    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn key_pattern() {
        for good in [
            "abc",
            "a-b-c",
            "a-bc",
            "ab-c",
            "a1b",
            "a12",
            "password",
            "tls-cert-2",
        ] {
            assert!(is_valid_key(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "ab",
            "a-b",
            "a--b",
            "a--bc",
            "-ab",
            "-abc",
            "abc-",
            "Abc",
            "aBc",
            "ABC",
            "1ab",
            "a_bc",
            "a.bc",
            "ab c",
            "abc#base64",
            "é-ab",
            "abé",
        ] {
            assert!(!is_valid_key(bad), "{bad}");
        }
        assert_not_valid(&args_err(&["ab=x"]), r#"key "ab" not valid"#);
        assert_not_valid(&args_err(&["a--b=x"]), r#"key "a--b" not valid"#);
        assert_not_valid(&args_err(&["-ab=x"]), r#"key "-ab" not valid"#);
        assert_not_valid(&args_err(&["abc-=x"]), r#"key "abc-" not valid"#);
        assert_not_valid(&args_err(&["Abc=x"]), r#"key "Abc" not valid"#);
        assert!(SecretContent::from_args(["a-b-c=x"]).is_ok());
    }

    #[test]
    fn key_value_splitting() {
        // `k=a=`: the split is at the first `=`, so the value is `a=` (and the key `k`,
        // too short for the key pattern).
        let c = SecretContent::from_args(["kay=a="]).unwrap();
        assert_eq!(c.get_str("kay"), Some("a="));
        assert_not_valid(&args_err(&["k=a="]), r#"key "k" not valid"#);
        let c = SecretContent::from_args(["key=a=b", "pad=YQ=="]).unwrap();
        assert_eq!(c.get_str("key"), Some("a=b"));
        assert_eq!(c.get_str("pad"), Some("YQ=="));
        assert_not_valid(&args_err(&["k="]), r#"key value "k=" not valid"#);
        assert_not_valid(&args_err(&["key=="]), r#"key value "key==" not valid"#);
        assert_not_valid(&args_err(&["=v"]), r#"key value "=…" not valid"#);
        assert_not_valid(&args_err(&["="]), r#"key value "=" not valid"#);
        assert_not_valid(&args_err(&[""]), r#"key value "" not valid"#);
        assert_not_valid(&args_err(&["novalue"]), r#"key value "…" not valid"#);
        // A later argument replaces an earlier one with the same key.
        let c = SecretContent::from_args(["user=a", "user=b"]).unwrap();
        assert_eq!(c.get_str("user"), Some("b"));
        assert!(
            SecretContent::from_args(Vec::<String>::new())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn no_error_quotes_a_value() {
        let secret = "hunter2-DISTINCTIVE";
        for args in [
            vec![format!("={secret}")],
            vec![secret.to_string()],
            vec![format!("tok#base64={secret}!")],
            vec![format!("Bad={secret}")],
            vec![format!("tok#base64=={secret}")],
        ] {
            let e = SecretContent::from_args(&args).unwrap_err();
            for shown in [
                e.to_string(),
                format!("{e:?}"),
                serde_json::to_string(&e).unwrap(),
            ] {
                assert!(!shown.contains("hunter2"), "{shown}");
            }
        }
    }

    #[test]
    fn base64_suffix() {
        let c = SecretContent::from_args(["token#base64=czNjcmV0"]).unwrap();
        assert_eq!(c.get_str("token"), Some("s3cret"));
        assert_eq!(c.to_wire()["token"], "czNjcmV0");
        // Padding survives the split, and Go's decoder ignores newlines.
        let c = SecretContent::from_args(["key#base64=YWRtaW4=", "two#base64=YQ==\n"]).unwrap();
        assert_eq!(c.get_str("key"), Some("admin"));
        assert_eq!(c.get_str("two"), Some("a"));
        let e = args_err(&["token#base64=not base64!"]);
        assert_not_valid(
            &e,
            r#"base64 value for secret key "token" not valid (invalid symbol at 3)"#,
        );
        // Unpadded is refused, as Go's StdEncoding refuses it.
        assert_eq!(
            args_err(&["token#base64=YQ"]).code(),
            Some(ErrorCode::NotValid)
        );
        // The key is checked without its suffix.
        assert_not_valid(&args_err(&["to#base64=YQ=="]), r#"key "to" not valid"#);
        assert_not_valid(
            &args_err(&["tok#file#base64=YQ=="]),
            r#"key "tok#file" not valid"#,
        );
    }

    #[test]
    fn file_suffix() {
        let pem = TempFile::new("ca.pem", b"-----BEGIN CERTIFICATE-----\n");
        let c = SecretContent::from_args([format!("pem#file={}", pem.path())]).unwrap();
        assert_eq!(c.get("pem"), Some(&b"-----BEGIN CERTIFICATE-----\n"[..]));
        let b64 = TempFile::new("b64", b"czNjcmV0\n");
        let c = SecretContent::from_args([format!("tok#base64#file={}", b64.path())]).unwrap();
        assert_eq!(c.get_str("tok"), Some("s3cret"));

        let big = TempFile::new("big", &vec![b'x'; MAX_SIZE + 1]);
        let e = args_err(&[&format!("big#file={}", big.path())]);
        assert_not_valid(
            &e,
            &format!(
                "secret content in file \"{}\" too large: 1000001 bytes",
                big.path()
            ),
        );
        // Exactly the limit is read, and then too large once base64-encoded.
        let full = TempFile::new("full", &vec![b'x'; MAX_SIZE]);
        let e = args_err(&[&format!("full#file={}", full.path())]);
        assert_not_valid(
            &e,
            r#"base64 encoded secret content for key "full" too large: 1333336 bytes"#,
        );

        let missing = format!("{}-missing", pem.path());
        let e = args_err(&[&format!("pem#file={missing}")]);
        assert!(
            e.message().starts_with(&format!(
                "reading content for secret key \"pem\": \"{missing}\": "
            )),
            "{e}"
        );
        assert_eq!((e.kind(), e.code()), (ErrorKind::InvalidInput, None));
        assert!(std::error::Error::source(&e).is_some());
        // An invalid key is refused before the file is looked at.
        assert_not_valid(
            &args_err(&[&format!("P#file={missing}")]),
            r#"key "P" not valid"#,
        );
    }

    #[test]
    fn size_limits() {
        // 750,000 bytes are exactly 1,000,000 in base64.
        let at_limit = "x".repeat(750_000);
        let c = SecretContent::from_args([format!("big={at_limit}")]).unwrap();
        assert_eq!(c.get("big").map(<[u8]>::len), Some(750_000));
        let e = args_err(&[&format!("big={at_limit}x")]);
        assert_not_valid(
            &e,
            r#"base64 encoded secret content for key "big" too large: 1000004 bytes"#,
        );
        let half = "x".repeat(375_000); // 500,000 in base64
        let e = args_err(&[&format!("one={half}"), &format!("two={half}"), "three=abc"]);
        assert_not_valid(&e, "base64 encoded secret content too large: 1000004 bytes");
        // The same limits for insert, which leaves the content as it was.
        let mut c =
            SecretContent::from_pairs([("one", half.as_str()), ("two", half.as_str())]).unwrap();
        let e = c.insert("three", "abc").unwrap_err();
        assert_not_valid(&e, "base64 encoded secret content too large: 1000004 bytes");
        assert_eq!(c.len(), 2);
        // Replacing a value counts the new one only.
        c.insert("two", half.clone()).unwrap();
        let e = c.insert("big", at_limit.clone() + "x").unwrap_err();
        assert_not_valid(
            &e,
            r#"base64 encoded secret content for key "big" too large: 1000004 bytes"#,
        );
        // Merging checks the total.
        let mut c = SecretContent::from_pairs([("one", half.as_str())]).unwrap();
        let more = SecretContent::from_pairs([("two", half.as_str()), ("three", "abc")]).unwrap();
        assert_not_valid(
            &c.merge(more).unwrap_err(),
            "base64 encoded secret content too large: 1000004 bytes",
        );
        assert_eq!(c.len(), 1);
        let more = SecretContent::from_pairs([("one", "small"), ("two", half.as_str())]).unwrap();
        c.merge(more).unwrap();
        assert_eq!((c.len(), c.get_str("one")), (2, Some("small")));
    }

    #[test]
    fn from_file_reads_json_and_yaml() {
        let json = TempFile::new(
            "c.json",
            br#"{"username":"admin","password#base64":"czNjcmV0","port":5432}"#,
        );
        let c = SecretContent::from_file(json.path()).unwrap();
        assert_eq!(c.get_str("username"), Some("admin"));
        assert_eq!(c.get_str("password"), Some("s3cret"));
        assert_eq!(c.get_str("port"), Some("5432"));

        let bad = TempFile::new("bad.json", br#"{"Username":"admin"}"#);
        assert_not_valid(
            &SecretContent::from_file(bad.path()).unwrap_err(),
            r#"key "Username" not valid"#,
        );

        let nested = TempFile::new("n.json", br#"{"user":{"x":"hunter2"}}"#);
        let e = SecretContent::from_file(nested.path()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.code(), Some(ErrorCode::NotValid));
        assert!(!e.to_string().contains("hunter2"), "{e}");

        let big = TempFile::new("big.json", &vec![b' '; MAX_SIZE + 1]);
        assert_not_valid(
            &SecretContent::from_file(big.path()).unwrap_err(),
            &format!(
                "secret content in file \"{}\" too large: 1000001 bytes",
                big.path()
            ),
        );
        let e = SecretContent::from_file(format!("{}-missing", json.path())).unwrap_err();
        assert_eq!((e.kind(), e.code()), (ErrorKind::InvalidInput, None));

        #[cfg(feature = "juju-data")]
        {
            let yaml = TempFile::new(
                "c.yaml",
                b"username: admin\npassword#base64: czNjcmV0\nport: 5432\nempty:\n",
            );
            let c = SecretContent::from_file(yaml.path()).unwrap();
            assert_eq!(c.get_str("username"), Some("admin"));
            assert_eq!(c.get_str("password"), Some("s3cret"));
            assert_eq!(c.get_str("port"), Some("5432"));
            assert_eq!(c.get_str("empty"), Some(""));
            let list = TempFile::new("l.yaml", b"- hunter2\n- b\n");
            let e = SecretContent::from_file(list.path()).unwrap_err();
            assert!(!e.to_string().contains("hunter2"), "{e}");
            let empty = TempFile::new("e.yaml", b"");
            assert!(SecretContent::from_file(empty.path()).unwrap().is_empty());
        }
    }

    #[test]
    fn debug_shows_keys_only() {
        let c = SecretContent::from_pairs([("user", "admin"), ("password", "hunter2-DISTINCTIVE")])
            .unwrap();
        let debug = format!("{c:?}");
        assert_eq!(debug, r#"SecretContent { keys: ["password", "user"] }"#);
        assert!(!format!("{c:#?}").contains("hunter2"));
    }

    #[test]
    fn serialize_writes_text_or_base64() {
        let c = SecretContent::from_pairs([("user", &b"admin"[..]), ("blob", &[0xff, 0x00][..])])
            .unwrap();
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            serde_json::json!({"user": "admin", "blob": "/wA="})
        );
    }

    /// `value.data` as the reply decoder reads it.
    fn from_reply(json: &str) -> Result<SecretContent, Error> {
        let mut de = serde_json::Deserializer::from_str(json);
        SecretContent::deserialize_wire(&mut de)
            .unwrap()
            .unwrap_or_else(|| Ok(SecretContent::new()))
    }

    #[test]
    fn wire_round_trip() {
        let c = SecretContent::from_pairs([("password", "s3cret"), ("username", "admin")]).unwrap();
        let wire = c.to_wire();
        assert_eq!(wire["password"], "czNjcmV0");
        assert_eq!(wire["username"], "YWRtaW4=");
        assert_eq!(
            from_reply(&serde_json::to_string(&wire).unwrap()).unwrap(),
            c
        );
        // The controller's keys are not checked; null is no content.
        assert_eq!(
            from_reply(r#"{"X":"YQ=="}"#).unwrap().get_str("X"),
            Some("a")
        );
        assert!(from_reply("null").unwrap().is_empty());
    }

    #[test]
    fn bad_base64_from_the_controller_is_a_protocol_error_without_the_value() {
        // The rest of the map is still read: the reply stays decodable.
        let e = from_reply(r#"{"password":"hunter2-DISTINCTIVE!","user":"YQ=="}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        assert!(e.message().contains("\"password\""), "{e}");
        assert!(!format!("{e} {e:?}").contains("hunter2"), "{e}");
    }

    #[test]
    fn checksum_matches_juju() {
        let foo: BTreeMap<String, String> = [("foo".to_string(), "bar".to_string())].into();
        assert_eq!(
            checksum(&foo),
            "7a38bf81f383f69433ad6e900d35b3e2385593f76a7b7ab5d4355b8ba41ee24b"
        );
        // The reference's ListSecrets example.
        let c = SecretContent::from_pairs([("password", "s3cret"), ("username", "admin")]).unwrap();
        assert_eq!(
            c.checksum(),
            "4fce01d6c873221e506048686f1d911effbdfb3b63b7585594d67873761edafe"
        );
    }

    #[test]
    fn go_json_escaping() {
        let mut s = String::new();
        go_json_string(
            &mut s,
            "a<b>&\"\\\n\r\t\u{8}\u{c}\u{1}\u{7f}\u{2028}\u{2029}é",
        );
        assert_eq!(
            s,
            r#""a\u003cb\u003e\u0026\"\\\n\r\t\b\f\u0001"#.to_string()
                + "\u{7f}"
                + r#"\u2028\u2029é""#
        );
    }

    #[test]
    fn try_from_and_iteration() {
        let c = SecretContent::try_from([("user", "admin")]).unwrap();
        let m: BTreeMap<String, String> = [("user".to_string(), "admin".to_string())].into();
        assert_eq!(SecretContent::try_from(m).unwrap(), c);
        let h: HashMap<String, String> = [("user".to_string(), "admin".to_string())].into();
        assert_eq!(SecretContent::try_from(h).unwrap(), c);
        let b: BTreeMap<String, Vec<u8>> = [("user".to_string(), b"admin".to_vec())].into();
        assert_eq!(SecretContent::try_from(b).unwrap(), c);
        assert!(SecretContent::try_from([("u", "admin")]).is_err());
        let pairs: Vec<(&str, &[u8])> = (&c).into_iter().collect();
        assert_eq!(pairs, [("user", &b"admin"[..])]);
        let mut c = c;
        assert!(c.remove("user") && !c.remove("user"));
    }
}
