//! The juju CLI's cookie jar: Go `persistent-cookiejar` JSON (`serialize.go`, `jar.go`
//! `entry`), holding `macaroon-*` cookies whose value is a bound macaroon slice
//! (`juju-macaroon-login.md` §5).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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
pub(crate) fn macaroons_for(
    path: &Path,
    host: &str,
    deadline: Instant,
) -> Result<Vec<Vec<Value>>, Error> {
    let host = host.to_ascii_lowercase();
    let (now, _) = now();
    let mut out = Vec::new();
    // Under the CLI's lock, as Go's `load` reads (it writes the jar in place); with no
    // directory there is nothing to read, and a lock that cannot be had (a read-only
    // JUJU_DATA) does not stop a read.
    let _lock = match path.parent() {
        Some(dir) if dir.is_dir() => Lock::acquire(path, deadline)
            .map_err(|e| log::debug!("reading the cookie jar without its lock: {e}"))
            .ok(),
        _ => None,
    };
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
pub(crate) fn save(
    path: &Path,
    host: &str,
    slice: &[Macaroon],
    deadline: Instant,
) -> Result<(), Error> {
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
    let _lock = Lock::acquire(path, deadline)?;
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

/// `path` with `suffix` added to its file name: `c.json` → `c.json.lock`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn tmp_path(path: &Path) -> PathBuf {
    sibling(path, &format!(".tmp{}", std::process::id()))
}

/// Creates the temporary file `p` afresh, readable by its owner only. Whatever is left at
/// `p` (a crashed save's file, or anything someone put there) is removed first, never
/// reused: an existing file would keep its mode (a stray 0644 file made the saved jar
/// 0644), and a symlink would be followed to a file of someone else's choosing. The
/// creation is exclusive and refuses a symlink, so one made in between fails the save
/// rather than being written through.
#[cfg(unix)]
fn private_file(p: &Path) -> std::io::Result<fs::File> {
    use rustix::fs::{Mode, OFlags};
    remove_leftover(p)?;
    let fd = rustix::fs::open(
        p,
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::RUSR | Mode::WUSR,
    )?;
    Ok(fs::File::from(fd))
}

#[cfg(not(unix))]
fn private_file(p: &Path) -> std::io::Result<fs::File> {
    remove_leftover(p)?;
    fs::OpenOptions::new().write(true).create_new(true).open(p)
}

/// Removes what is at `p` (a symlink itself, not its target), if anything.
fn remove_leftover(p: &Path) -> std::io::Result<()> {
    match fs::remove_file(p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
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

/// The lock the juju CLI takes on `<file>.lock` around every read and write of its jar
/// (`persistent-cookiejar` `serialize.go` `lockFile`, retried for 3 s), through Juju's fork
/// of `go4.org/lock`, which locks in one of two ways depending on the platform it was built
/// for:
/// - fcntl (`lock_linux_amd64.go`, `lock_linux_arm.go`, `lock_darwin_amd64.go`,
///   `lock_freebsd.go`): an empty lock file, an `F_SETLK` write lock over it;
/// - portable (every other platform, Linux and macOS on arm64 among them): the file is
///   created exclusively and holds `{"OwnerPID":N}`; a file whose owner is gone is stale
///   and removed.
///
/// Both remove the file as they unlock. We take the fcntl lock on an empty file (on Unix)
/// and treat a file with an owner as held until that owner is gone, so each kind of CLI
/// waits for us and we for it; and we remove the file as we unlock, since a portable
/// locker cannot create a file that is left behind. std's `File::lock` is flock(2), which
/// Linux keeps apart from fcntl locks. fcntl locks belong to the process, so a mutex keeps
/// this process's threads apart (go4 keeps a table for the same reason).
struct Lock {
    // Dropped in this order: the file (closing it releases the fcntl lock), then the mutex.
    file: fs::File,
    path: PathBuf,
    _in_process: std::sync::MutexGuard<'static, ()>,
}

/// One try at the lock.
enum Attempt {
    Held(fs::File),
    /// Someone holds it; why, for the error if they keep it.
    Busy(&'static str),
    /// The file changed under us (removed, or stale and removed): try again at once.
    Again,
}

impl Lock {
    /// Waits for the lock until `deadline`, and at most 5 s.
    fn acquire(path: &Path, deadline: Instant) -> Result<Lock, Error> {
        static IN_PROCESS: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let lock_path = sibling(path, ".lock");
        // Bounded wait: a lock held for seconds is someone else's bug, not ours to hang on.
        let limit = deadline.min(crate::util::deadline_after(Duration::from_secs(5)));
        let wait = |why: &str| match crate::util::remaining(limit) {
            Some(left) => {
                std::thread::sleep(left.min(Duration::from_millis(20)));
                Ok(())
            }
            None => Err(jar_error(
                &lock_path,
                format!("cannot lock: {why}, and it was not let go in time"),
            )
            .mark_timed_out()),
        };
        let in_process = loop {
            match IN_PROCESS.try_lock() {
                Ok(guard) => break guard,
                Err(std::sync::TryLockError::Poisoned(p)) => break p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {
                    wait("another thread of this program holds it")?;
                }
            }
        };
        loop {
            match try_lock(&lock_path).map_err(|e| jar_error(&lock_path, e))? {
                Attempt::Held(file) => {
                    return Ok(Lock {
                        file,
                        path: lock_path,
                        _in_process: in_process,
                    });
                }
                Attempt::Again => {}
                Attempt::Busy(why) => wait(why)?,
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // As go4 unlocks: remove the file, then close it (the field's drop, after this).
        if same_file(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// What a portable locker's file says of its owner.
#[cfg_attr(not(unix), allow(dead_code))]
#[derive(Debug, PartialEq, Eq)]
enum Owner {
    /// A process id a live process may have (positive, within `pid_t`).
    Pid(i32),
    /// An id no process can have (negative, or beyond `pid_t`): go4 never writes one, and
    /// nobody can be holding the lock under it, so the file is stale.
    Impossible,
    /// Not go4's `{"OwnerPID":N}` with a non-zero N: go4 calls that invalid and never takes
    /// it over, and neither do we.
    Unreadable,
}

#[cfg_attr(not(unix), allow(dead_code))]
fn portable_owner(f: &mut fs::File) -> Owner {
    use std::io::Read;
    let mut text = String::new();
    if f.take(4096).read_to_string(&mut text).is_err() {
        return Owner::Unreadable;
    }
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return Owner::Unreadable;
    };
    let Some(pid) = v.get("OwnerPID") else {
        return Owner::Unreadable;
    };
    match pid.as_i64() {
        Some(0) => Owner::Unreadable,
        // Never cast: 4294967295 as an i32 is -1, and kill(-1, 0) succeeds.
        Some(n) => i32::try_from(n)
            .ok()
            .filter(|p| *p > 0)
            .map_or(Owner::Impossible, Owner::Pid),
        None if pid.is_u64() => Owner::Impossible,
        None => Owner::Unreadable,
    }
}

#[cfg(unix)]
fn try_lock(lock_path: &Path) -> std::io::Result<Attempt> {
    use rustix::fs::{FlockOperation, fcntl_lock};
    use std::os::unix::fs::OpenOptionsExt;
    // Not truncated: a portable locker's file says who holds it.
    let mut f = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(lock_path)?;
    match fcntl_lock(&f, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {}
        Err(e) if e == rustix::io::Errno::AGAIN || e == rustix::io::Errno::ACCESS => {
            return Ok(Attempt::Busy(
                "another process holds its fcntl lock (the juju CLI?)",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    // Won on a file its holder has just removed: try the one at the path now.
    if !same_file(&f, lock_path) {
        return Ok(Attempt::Again);
    }
    if f.metadata()?.len() == 0 {
        return Ok(Attempt::Held(f));
    }
    let alive = match portable_owner(&mut f) {
        Owner::Unreadable => {
            return Ok(Attempt::Busy(
                "it holds something other than go4's {\"OwnerPID\":N} (remove it if no juju \
                 command is running)",
            ));
        }
        Owner::Impossible => false,
        Owner::Pid(pid) => rustix::process::Pid::from_raw(pid)
            .is_some_and(|p| rustix::process::test_kill_process(p).is_ok()),
    };
    if alive {
        return Ok(Attempt::Busy("a juju CLI process holds it"));
    }
    // Its owner is gone (or cannot exist): stale, as go4 judges a dead owner's
    // (`portableLockStatus`).
    fs::remove_file(lock_path)?;
    Ok(Attempt::Again)
}

/// Without fcntl, only the portable way: create the file exclusively, with our pid.
#[cfg(not(unix))]
fn try_lock(lock_path: &Path) -> std::io::Result<Attempt> {
    match fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(lock_path)
    {
        Ok(mut f) => {
            writeln!(f, "{{\"OwnerPID\":{}}}", std::process::id())?;
            Ok(Attempt::Held(f))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(Attempt::Busy("another process holds it (the juju CLI?)"))
        }
        Err(e) => Err(e),
    }
}

/// Whether `f` is still the file at `path`.
#[cfg(unix)]
fn same_file(f: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &fs::File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(30)
    }

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
        save(&path, "H", &slice(7, "2999-01-01T00:00:00Z"), soon()).unwrap();
        save(&path, "h", &slice(7, "2999-01-01T00:00:00Z"), soon()).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("]\n"));
        let all: Vec<Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(all.len(), 2, "{text}");
        assert_eq!(all[0]["Name"], "other");
        assert_eq!(all[1]["Name"], format!("macaroon-{}", "07".repeat(32)));
        assert_eq!(all[1]["Expires"], "2999-01-01T00:00:00Z");
        let got = macaroons_for(&path, "h", soon()).unwrap();
        assert_eq!(got.len(), 1);
        // As python-libjuju's GoCookieJar writes one: no zone, `.local`, not host-only.
        let py = dir.join("py.json");
        let value = all[1]["Value"].as_str().unwrap();
        fs::write(&py, format!(r#"[{{"Name": "macaroon-auth", "Value": "{value}", "Domain": "localhost.local", "HostOnly": false, "Persistent": true, "Secure": true, "CanonicalHost": "localhost.local", "Path": "/", "Expires": "2999-12-01T02:11:39"}}, {{"Name": "macaroon-old", "Value": "{value}", "Domain": "localhost.local", "HostOnly": false, "Persistent": true, "Secure": true, "CanonicalHost": "localhost.local", "Path": "/", "Expires": "2001-12-01T02:11:39"}}]"#)).unwrap();
        assert_eq!(macaroons_for(&py, "localhost", soon()).unwrap().len(), 1);
        assert!(macaroons_for(&py, "example", soon()).unwrap().is_empty());
        assert!(
            macaroons_for(&path, "other-host", soon())
                .unwrap()
                .is_empty()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A slice that expires within a minute is not kept.
        save(&path, "h", &slice(8, "2000-01-01T00:00:00Z"), soon()).unwrap();
        assert_eq!(macaroons_for(&path, "h", soon()).unwrap().len(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_broken_jar_is_a_clear_error_without_its_contents() {
        let dir = std::env::temp_dir().join(format!("jar-{}", crate::util::random_hex(8)));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.json");
        fs::write(&path, "[{\"Value\":\"SECRET").unwrap();
        let e = macaroons_for(&path, "h", soon()).unwrap_err();
        assert!(!e.to_string().contains("SECRET"), "{e}");
        assert!(
            macaroons_for(&dir.join("missing.json"), "h", soon())
                .unwrap()
                .is_empty()
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    /// Holds `lock` with Python's `fcntl.lockf` (fcntl `F_SETLK`, the lock go4.org/lock
    /// takes for the juju CLI) until its stdin closes. Returns once it holds it.
    #[cfg(unix)]
    fn python_holds(lock: &Path) -> std::process::Child {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new("python3")
            .args([
                "-c",
                "import fcntl, sys\n\
                 f = open(sys.argv[1], 'w')\n\
                 fcntl.lockf(f, fcntl.LOCK_EX)\n\
                 print('locked', flush=True)\n\
                 sys.stdin.read()",
            ])
            .arg(lock)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 (the README's commands need it)");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "locked");
        child
    }

    /// Whether Python's `fcntl.lockf` can take `lock` without waiting.
    #[cfg(unix)]
    fn python_can_lock(lock: &Path) -> bool {
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                "import fcntl, sys\n\
                 f = open(sys.argv[1], 'w')\n\
                 try:\n    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n\
                 except OSError:\n    sys.exit(3)",
            ])
            .arg(lock)
            .status()
            .expect("python3 (the README's commands need it)");
        assert!(matches!(out.code(), Some(0 | 3)), "{out:?}");
        out.code() == Some(0)
    }

    #[test]
    #[cfg(unix)]
    fn the_jar_lock_excludes_the_juju_clis_fcntl_lock_both_ways() {
        let dir = std::env::temp_dir().join(format!("jar-{}", crate::util::random_hex(8)));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.json");
        let lock = dir.join("c.json.lock");

        // While we hold the lock, a Go-style locker cannot have it; after, it can.
        let held = Lock::acquire(&path, soon()).unwrap();
        assert!(
            !python_can_lock(&lock),
            "an fcntl locker got the lock we hold"
        );
        drop(held);
        assert!(python_can_lock(&lock));

        // While a Go-style locker holds it, a save waits, and then writes.
        let mut cli = python_holds(&lock);
        let saver = {
            let path = path.clone();
            std::thread::spawn(move || save(&path, "h", &slice(7, "2999-01-01T00:00:00Z"), soon()))
        };
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            !path.exists(),
            "the jar was written while the CLI held its lock"
        );
        drop(cli.stdin.take());
        cli.wait().unwrap();
        saver.join().unwrap().unwrap();
        assert_eq!(macaroons_for(&path, "h", soon()).unwrap().len(), 1);

        // A lock never let go fails a save by its deadline, clearly, as a timeout.
        let mut cli = python_holds(&lock);
        let e = save(
            &path,
            "h",
            &slice(8, "2999-01-01T00:00:00Z"),
            Instant::now() + Duration::from_millis(200),
        )
        .unwrap_err();
        assert!(e.is_timeout() && e.message().contains("cannot lock"), "{e}");
        // A read waits for it only until its deadline, then reads without it.
        let late = Instant::now() + Duration::from_millis(100);
        assert_eq!(macaroons_for(&path, "h", late).unwrap().len(), 1);
        drop(cli.stdin.take());
        cli.wait().unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    #[cfg(unix)]
    fn the_jar_lock_respects_go4s_portable_pid_file_and_leaves_none_behind() {
        let dir = std::env::temp_dir().join(format!("jar-{}", crate::util::random_hex(8)));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.json");
        let lock = dir.join("c.json.lock");

        // Unlocking removes the lock file, as go4 does: a portable locker (juju on arm64)
        // creates it exclusively, so one left behind would lock the CLI out for good.
        save(&path, "h", &slice(7, "2999-01-01T00:00:00Z"), soon()).unwrap();
        assert!(!lock.exists());

        // A portable locker holds it: its file names a live owner. A save waits for it.
        fs::write(&lock, format!("{{\"OwnerPID\":{}}}\n", std::process::id())).unwrap();
        let saver = {
            let path = path.clone();
            std::thread::spawn(move || save(&path, "h", &slice(8, "2999-01-01T00:00:00Z"), soon()))
        };
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(macaroons_for(&path, "h", Instant::now()).unwrap().len(), 1);
        assert!(lock.exists(), "the holder's file was taken from it");
        fs::remove_file(&lock).unwrap(); // the holder unlocks
        saver.join().unwrap().unwrap();
        assert_eq!(macaroons_for(&path, "h", soon()).unwrap().len(), 2);
        assert!(!lock.exists());

        // A file whose owner has exited is stale: removed, and the save goes on at once.
        let mut gone = std::process::Command::new("true").spawn().unwrap();
        let pid = gone.id();
        gone.wait().unwrap();
        fs::write(&lock, format!("{{\"OwnerPID\":{pid}}}\n")).unwrap();
        save(&path, "h", &slice(9, "2999-01-01T00:00:00Z"), soon()).unwrap();
        assert_eq!(macaroons_for(&path, "h", soon()).unwrap().len(), 3);
        assert!(!lock.exists());

        // Content go4 cannot read is never taken over: a clear timeout.
        // (See also a_lock_file_naming_an_impossible_owner_is_stale_not_a_panic_or_a_wait.)
        fs::write(&lock, "not a lock").unwrap();
        let e = save(
            &path,
            "h",
            &slice(10, "2999-01-01T00:00:00Z"),
            Instant::now() + Duration::from_millis(100),
        )
        .unwrap_err();
        assert!(e.is_timeout() && e.message().contains("OwnerPID"), "{e}");
        assert_eq!(fs::read_to_string(&lock).unwrap(), "not a lock");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    #[cfg(unix)]
    fn a_lock_file_naming_an_impossible_owner_is_stale_not_a_panic_or_a_wait() {
        let dir = std::env::temp_dir().join(format!("jar-{}", crate::util::random_hex(8)));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.json");
        let lock = dir.join("c.json.lock");
        // 4294967295 would be pid -1 through a cast: rustix asserts on it (debug builds),
        // and kill(-1, 0) succeeds (release builds), so the lock looked held for good.
        let impossible = [
            "{\"OwnerPID\":4294967295}",
            "{\"OwnerPID\":2147483648}",
            "{\"OwnerPID\":18446744073709551615}",
            "{\"OwnerPID\":-1}",
            "{\"OwnerPID\":-2147483649}",
        ];
        for (n, text) in impossible.iter().enumerate() {
            fs::write(&lock, text).unwrap();
            let started = Instant::now();
            let sig = u8::try_from(n).unwrap() + 1;
            save(&path, "h", &slice(sig, "2999-01-01T00:00:00Z"), soon()).unwrap();
            assert!(started.elapsed() < Duration::from_secs(2), "{text}");
            assert!(!lock.exists(), "{text}");
            // A read takes it over at once too.
            fs::write(&lock, text).unwrap();
            let started = Instant::now();
            assert_eq!(macaroons_for(&path, "h", soon()).unwrap().len(), n + 1);
            assert!(started.elapsed() < Duration::from_secs(2), "{text}");
            assert!(!lock.exists(), "{text}");
        }
        let owner = |text: &str| {
            fs::write(&lock, text).unwrap();
            portable_owner(&mut fs::File::open(&lock).unwrap())
        };
        assert_eq!(owner("{\"OwnerPID\":42}"), Owner::Pid(42));
        assert_eq!(owner("{\"OwnerPID\":2147483647}"), Owner::Pid(i32::MAX));
        assert_eq!(owner("{\"OwnerPID\":4294967295}"), Owner::Impossible);
        assert_eq!(owner("{\"OwnerPID\":0}"), Owner::Unreadable);
        assert_eq!(owner("{\"OwnerPID\":\"42\"}"), Owner::Unreadable);
        assert_eq!(owner("{\"OwnerPID\":4.2}"), Owner::Unreadable);
        assert_eq!(owner("{}"), Owner::Unreadable);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    #[cfg(unix)]
    fn a_leftover_temporary_file_or_symlink_is_replaced_never_reused() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = std::env::temp_dir().join(format!("jar-{}", crate::util::random_hex(8)));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.json");
        let tmp = tmp_path(&path);
        // A stray readable file at the temporary path (a crashed save, someone else's): the
        // jar written through it kept its mode, 0644.
        fs::write(&tmp, "stray").unwrap();
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o644)).unwrap();
        save(&path, "h", &slice(7, "2999-01-01T00:00:00Z"), soon()).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert!(!tmp.exists());
        assert_eq!(macaroons_for(&path, "h", soon()).unwrap().len(), 1);
        // A symlink there: the file it points to is neither written nor made the jar.
        let victim = dir.join("victim");
        fs::write(&victim, "keep").unwrap();
        fs::set_permissions(&victim, fs::Permissions::from_mode(0o644)).unwrap();
        std::os::unix::fs::symlink(&victim, &tmp).unwrap();
        save(&path, "h", &slice(8, "2999-01-01T00:00:00Z"), soon()).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(mode(&victim), 0o644);
        assert!(fs::symlink_metadata(&path).unwrap().file_type().is_file());
        assert_eq!(mode(&path), 0o600);
        assert_eq!(macaroons_for(&path, "h", soon()).unwrap().len(), 2);
        fs::remove_dir_all(&dir).unwrap();
    }
}
