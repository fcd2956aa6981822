//! The juju CLI's cookie jar: Go `persistent-cookiejar` JSON (`serialize.go`, `jar.go`
//! `entry`), holding `macaroon-*` cookies whose value is a bound macaroon slice
//! (`juju-macaroon-login.md` §5).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use data_encoding::{BASE64, HEXLOWER};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::macaroon::{Macaroon, b64_decode, format_rfc3339, parse_rfc3339};

fn now() -> (i64, u32) {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (
        i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        d.subsec_nanos(),
    )
}

fn jar_error(path: &Path, msg: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Config,
        format!("cookie jar {}: {msg}", path.display()),
    )
}

/// Reads the entries; a missing file is an empty jar.
fn read_entries(path: &Path) -> Result<Vec<Value>, Error> {
    let text = match fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(jar_error(path, e)),
    };
    if text.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    // serde's message quotes the input, which holds macaroons: not shown.
    let v: Value = serde_json::from_slice(&text)
        .map_err(|e| jar_error(path, format!("not JSON (line {})", e.line())))?;
    match v {
        Value::Array(a) => Ok(a),
        Value::Null => Ok(Vec::new()),
        _ => Err(jar_error(path, "not a JSON array of cookies")),
    }
}

fn str_of<'a>(e: &'a Value, k: &str) -> &'a str {
    e.get(k).and_then(Value::as_str).unwrap_or("")
}

fn expired(e: &Value, now: i64) -> bool {
    // Go's zero time ("0001-01-01T00:00:00Z") and unparseable times count as expired.
    // python-libjuju's GoCookieJar writes local time with no zone (which Go cannot read):
    // taken as UTC, so at worst its cookies are tried a few hours early or late.
    let text = str_of(e, "Expires");
    parse_rfc3339(text)
        .or_else(|| parse_rfc3339(&format!("{text}Z")))
        .is_none_or(|t| t <= now)
}

/// The macaroon slices of the unexpired `macaroon-*` cookies for `https://<host>/`, as
/// JSON arrays of plain macaroons; cookies that do not decode are skipped, as Go does.
pub(crate) fn macaroons_for(path: &Path, host: &str) -> Result<Vec<Vec<Value>>, Error> {
    let host = host.to_ascii_lowercase();
    let (now, _) = now();
    let mut out = Vec::new();
    for e in read_entries(path)? {
        let domain = str_of(&e, "Domain").to_ascii_lowercase();
        let host_only = e.get("HostOnly").and_then(Value::as_bool).unwrap_or(false);
        // Python's cookiejar files a dotless host such as `localhost` under the domain
        // `localhost.local` (RFC 2965's effective host name), so such a jar from
        // python-libjuju matches too.
        let domain_ok = domain == host
            || (!host_only
                && (host
                    .strip_suffix(domain.as_str())
                    .is_some_and(|p| p.ends_with('.'))
                    || (!host.contains('.') && domain == format!("{host}.local"))));
        if !str_of(&e, "Name").starts_with("macaroon-")
            || !domain_ok
            || !"/".starts_with(str_of(&e, "Path").trim_end_matches('/'))
            || expired(&e, now)
        {
            continue;
        }
        let Some(raw) = b64_decode(str_of(&e, "Value")) else {
            continue;
        };
        let Ok(Value::Array(slice)) = serde_json::from_slice::<Value>(&raw) else {
            continue;
        };
        if slice.iter().all(|m| Macaroon::from_json(m).is_ok()) && !slice.is_empty() {
            out.push(slice);
        }
    }
    Ok(out)
}

/// One cookie as persistent-cookiejar writes it (field order of Go's `entry`).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    name: String,
    value: String,
    domain: String,
    path: String,
    secure: bool,
    #[serde(rename = "HttpOnly")]
    http_only: bool,
    persistent: bool,
    host_only: bool,
    expires: String,
    creation: String,
    last_access: String,
    updated: String,
    canonical_host: String,
}

/// Saves a freshly discharged slice as a cookie for `https://<host>/` (Go
/// `httpbakery.NewCookie`): re-reads the jar under `<file>.lock`, replaces a cookie of the
/// same name, drops expired ones, and writes it back with mode 0600 through a temporary
/// file, so a reader never sees half a jar.
pub(crate) fn save(path: &Path, host: &str, slice: &[Macaroon]) -> Result<(), Error> {
    let Some(primary) = slice.first() else {
        return Ok(());
    };
    let (now, nanos) = now();
    // The earliest time-before across the slice, else 100 years; under a minute away it
    // would be a session cookie, which the jar does not keep.
    let expires = slice
        .iter()
        .filter_map(Macaroon::expiry)
        .min()
        .unwrap_or(now.saturating_add(100 * 365 * 86_400));
    if expires < now.saturating_add(60) {
        return Ok(());
    }
    let json: Vec<Value> = slice.iter().map(Macaroon::to_json).collect();
    // A `Value` prints infallibly: no serialiser error to handle.
    let value = BASE64.encode(Value::Array(json).to_string().as_bytes());
    let host = host.to_ascii_lowercase();
    let stamp = format_rfc3339(now, nanos);
    let entry = Entry {
        name: format!("macaroon-{}", HEXLOWER.encode(&primary.sig)),
        value,
        domain: host.clone(),
        path: "/".into(),
        secure: false,
        http_only: false,
        persistent: true,
        host_only: true,
        expires: format_rfc3339(expires, 0),
        creation: stamp.clone(),
        last_access: stamp.clone(),
        updated: stamp,
        canonical_host: host,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir).map_err(|e| jar_error(path, e))?;
    let _lock = Lock::acquire(path)?;
    let mut entries = read_entries(path).unwrap_or_default();
    let replaced = |e: &Value| {
        str_of(e, "Name") == entry.name
            && str_of(e, "Domain").eq_ignore_ascii_case(&entry.domain)
            && str_of(e, "Path") == entry.path
    };
    entries.retain(|e| !expired(e, now) && !replaced(e));
    entries.push(serde_json::to_value(&entry).map_err(|e| jar_error(path, e))?);
    let mut text = Value::Array(entries).to_string().into_bytes();
    text.push(b'\n');
    let tmp = tmp_path(path);
    let write = || -> std::io::Result<()> {
        let mut f = private_file(&tmp)?;
        f.write_all(&text)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        jar_error(path, e)
    })
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp{}", std::process::id()));
    path.with_file_name(name)
}

#[cfg(unix)]
fn private_file(p: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(p)
}

#[cfg(not(unix))]
fn private_file(p: &Path) -> std::io::Result<fs::File> {
    fs::File::create(p)
}

#[cfg(unix)]
fn create_private_dir(d: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if d.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new().recursive(true).mode(0o700).create(d)
}

#[cfg(not(unix))]
fn create_private_dir(d: &Path) -> std::io::Result<()> {
    fs::create_dir_all(d)
}

/// An exclusive lock on `<file>.lock` (an OS file lock, released when dropped or when the
/// process dies). Juju's `go4/lock` primitive was not inspected (`juju-macaroon-login.md`
/// §8), so this serialises writers of this SDK; the CLI writes through a rename too.
struct Lock(#[allow(dead_code)] fs::File);

impl Lock {
    fn acquire(path: &Path) -> Result<Lock, Error> {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        let lock_path = path.with_file_name(name);
        let f = private_file(&lock_path).map_err(|e| jar_error(&lock_path, e))?;
        // Bounded wait: a lock held for seconds is someone else's bug, not ours to hang on.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            match f.try_lock() {
                Ok(()) => return Ok(Lock(f)),
                Err(fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(jar_error(&lock_path, format!("cannot lock: {e}"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(sig: u8, expiry: &str) -> Vec<Macaroon> {
        let v = serde_json::json!({"c":[{"i": format!("time-before {expiry}")}],"l":"juju model x","i64":"AwoQ","s64": crate::macaroon::b64_encode(&[sig; 32])});
        vec![Macaroon::from_json(&v).unwrap()]
    }

    #[test]
    fn a_saved_cookie_is_read_back_and_others_are_kept() {
        let dir = std::env::temp_dir().join(format!("jar-{}", crate::util::random_hex(8)));
        let path = dir.join("cookies").join("c.json");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        // A cookie of another site and an expired macaroon cookie, as Go writes them.
        fs::write(&path, r#"[{"Name":"other","Value":"v","Domain":"example.com","Path":"/","Secure":true,"HttpOnly":false,"Persistent":true,"HostOnly":true,"Expires":"2999-01-01T00:00:00Z","Creation":"2026-01-01T00:00:00Z","LastAccess":"2026-01-01T00:00:00Z","Updated":"2026-01-01T00:00:00Z","CanonicalHost":"example.com"},{"Name":"macaroon-old","Value":"W10=","Domain":"h","Path":"/","Secure":false,"HttpOnly":false,"Persistent":true,"HostOnly":true,"Expires":"2000-01-01T00:00:00Z","Creation":"2000-01-01T00:00:00Z","LastAccess":"2000-01-01T00:00:00Z","Updated":"2000-01-01T00:00:00Z","CanonicalHost":"h"}]
"#).unwrap();
        save(&path, "H", &slice(7, "2999-01-01T00:00:00Z")).unwrap();
        save(&path, "h", &slice(7, "2999-01-01T00:00:00Z")).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("]\n"));
        let all: Vec<Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(all.len(), 2, "{text}");
        assert_eq!(all[0]["Name"], "other");
        assert_eq!(all[1]["Name"], format!("macaroon-{}", "07".repeat(32)));
        assert_eq!(all[1]["Expires"], "2999-01-01T00:00:00Z");
        let got = macaroons_for(&path, "h").unwrap();
        assert_eq!(got.len(), 1);
        // As python-libjuju's GoCookieJar writes one: no zone, `.local`, not host-only.
        let py = dir.join("py.json");
        let value = all[1]["Value"].as_str().unwrap();
        fs::write(&py, format!(r#"[{{"Name": "macaroon-auth", "Value": "{value}", "Domain": "localhost.local", "HostOnly": false, "Persistent": true, "Secure": true, "CanonicalHost": "localhost.local", "Path": "/", "Expires": "2999-12-01T02:11:39"}}, {{"Name": "macaroon-old", "Value": "{value}", "Domain": "localhost.local", "HostOnly": false, "Persistent": true, "Secure": true, "CanonicalHost": "localhost.local", "Path": "/", "Expires": "2001-12-01T02:11:39"}}]"#)).unwrap();
        assert_eq!(macaroons_for(&py, "localhost").unwrap().len(), 1);
        assert!(macaroons_for(&py, "example").unwrap().is_empty());
        assert!(macaroons_for(&path, "other-host").unwrap().is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A slice that expires within a minute is not kept.
        save(&path, "h", &slice(8, "2000-01-01T00:00:00Z")).unwrap();
        assert_eq!(macaroons_for(&path, "h").unwrap().len(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_broken_jar_is_a_clear_error_without_its_contents() {
        let dir = std::env::temp_dir().join(format!("jar-{}", crate::util::random_hex(8)));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.json");
        fs::write(&path, "[{\"Value\":\"SECRET").unwrap();
        let e = macaroons_for(&path, "h").unwrap_err();
        assert!(!e.to_string().contains("SECRET"), "{e}");
        assert!(
            macaroons_for(&dir.join("missing.json"), "h")
                .unwrap()
                .is_empty()
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
