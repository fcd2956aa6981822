//! Transport: one endpoint dialled over TCP, secured with TLS (the Go client's rules), and
//! upgraded to a WebSocket on a path (`/api`, `/model/<uuid>/api`), all within a deadline.

use std::io;
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use native_tls::{Certificate, Protocol, TlsConnector, TlsStream};

use crate::error::{Error, ErrorKind};
use crate::options::ConnectOptions;
use crate::options::ProxyChoice;
use crate::websocket::{self, HandshakeError, WebSocket, WsError};

/// The name a controller certificate is verified against when its CA is pinned.
pub const JUJU_APISERVER: &str = "juju-apiserver";

/// A secured, upgraded connection to one controller endpoint.
pub(crate) type Socket = WebSocket<TlsStream<ReadAhead>>;

/// A TCP stream that reads ahead: OpenSSL reads a TLS record's 5-byte header and then its
/// body, two system calls per reply; reading up to 16 KiB at once serves both from one.
/// Writes go straight through.
///
/// It also enforces the deadline of the operation in progress. A socket timeout restarts
/// on every system call, so a peer trickling one byte at a time could stretch it forever;
/// here every read and write gets only what is left until the deadline, across the TLS
/// handshake, the upgrade and the frames alike, and after it nothing more is tried.
pub(crate) struct ReadAhead {
    tcp: TcpStream,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    bound: Bound,
    /// The socket timeouts as last set: re-arming is skipped while the old timeout still
    /// ends before the deadline, which saves a system call on most calls.
    read_armed: Option<Duration>,
    write_armed: Option<Duration>,
    /// Reads take only bytes handed in by [`feed`](Self::feed), never the socket's: set on a
    /// connection shared by threads, whose reader receives from the socket outside the
    /// stream's lock. Nothing left means `WouldBlock`.
    fed_only: bool,
}

/// How long reads and writes may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    /// Until this instant.
    Deadline(Instant),
    /// Not at all: the socket is non-blocking (a last close frame on the way out).
    NoWait,
}

impl ReadAhead {
    fn new(tcp: TcpStream, deadline: Instant) -> ReadAhead {
        ReadAhead {
            tcp,
            buf: vec![0; 16 * 1024 + 5].into_boxed_slice(),
            pos: 0,
            len: 0,
            bound: Bound::Deadline(deadline),
            read_armed: None,
            write_armed: None,
            fed_only: false,
        }
    }

    /// True when every byte fed (or read) has been handed to TLS.
    pub(crate) fn is_empty(&self) -> bool {
        self.pos == self.len
    }

    /// Switches between reading only fed bytes and reading the socket.
    pub(crate) fn set_reads_fed_only(&mut self, on: bool) {
        self.fed_only = on;
        // The reader set the socket's receive timeout meanwhile: re-arm before trusting it.
        self.read_armed = None;
    }

    /// Appends bytes received from the socket elsewhere, for TLS to read.
    pub(crate) fn feed(&mut self, data: &[u8]) {
        if self.pos == self.len {
            self.pos = 0;
            self.len = 0;
        }
        if self.buf.len() - self.len < data.len() {
            self.buf.copy_within(self.pos..self.len, 0);
            self.len -= self.pos;
            self.pos = 0;
            if self.buf.len() - self.len < data.len() {
                let mut grown = std::mem::take(&mut self.buf).into_vec();
                grown.resize(self.len + data.len(), 0);
                self.buf = grown.into_boxed_slice();
            }
        }
        self.buf[self.len..self.len + data.len()].copy_from_slice(data);
        self.len += data.len();
    }

    /// The socket, for shutdown.
    pub(crate) fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    /// Bounds every later read and write.
    pub(crate) fn set_bound(&mut self, bound: Bound) {
        if bound == self.bound {
            return;
        }
        let was_nowait = self.bound == Bound::NoWait;
        self.bound = bound;
        if bound == Bound::NoWait || was_nowait {
            let _ = self.tcp.set_nonblocking(bound == Bound::NoWait);
        }
    }

    /// What is left before the deadline, or a timeout error when nothing is.
    fn left(&self) -> std::io::Result<Option<Duration>> {
        match self.bound {
            Bound::NoWait => Ok(None),
            Bound::Deadline(d) => d
                .checked_duration_since(Instant::now())
                .filter(|l| !l.is_zero())
                .map(Some)
                .ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::TimedOut, "deadline passed")
                }),
        }
    }

    /// Runs one system call within the deadline, re-arming the socket timeout with what is
    /// left and retrying when an earlier, longer-lived timeout fired first.
    fn bounded<T>(
        &mut self,
        write: bool,
        mut op: impl FnMut(&mut TcpStream) -> std::io::Result<T>,
    ) -> std::io::Result<T> {
        loop {
            let left = match self.left() {
                Ok(Some(left)) => left,
                Ok(None) => return op(&mut self.tcp),
                // A write that began before the deadline (the request was judged in time)
                // may still finish what the socket buffer takes at once, without waiting:
                // failing it here would tear a frame that would have gone out whole.
                Err(e) if write => return self.without_waiting(op).map_err(|_| e),
                Err(e) => return Err(e),
            };
            let armed = if write {
                &mut self.write_armed
            } else {
                &mut self.read_armed
            };
            if armed.is_none_or(|a| a > left) {
                let r = if write {
                    self.tcp.set_write_timeout(Some(left))
                } else {
                    self.tcp.set_read_timeout(Some(left))
                };
                r?;
                *armed = Some(left);
            }
            match op(&mut self.tcp) {
                Err(e) if crate::util::is_timeout_io(&e) && self.left().is_ok() => {
                    // The timeout set for an earlier, later deadline fired: the current
                    // deadline has not passed yet, so wait for exactly what is left.
                    let armed = if write {
                        &mut self.write_armed
                    } else {
                        &mut self.read_armed
                    };
                    *armed = None;
                }
                r => return r,
            }
        }
    }
}

impl ReadAhead {
    /// Runs `op` on the non-blocking socket: what cannot be done at once fails.
    fn without_waiting<T>(
        &mut self,
        op: impl FnOnce(&mut TcpStream) -> std::io::Result<T>,
    ) -> std::io::Result<T> {
        self.tcp.set_nonblocking(true)?;
        let r = op(&mut self.tcp);
        self.tcp.set_nonblocking(false)?;
        r
    }
}

impl std::io::Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.len && self.fed_only {
            return Err(std::io::ErrorKind::WouldBlock.into());
        } else if self.pos == self.len {
            if out.len() >= self.buf.len() {
                return self.bounded(false, |tcp| tcp.read(out));
            }
            let mut buf = std::mem::take(&mut self.buf);
            let r = self.bounded(false, |tcp| tcp.read(&mut buf));
            self.buf = buf;
            self.len = r?;
            self.pos = 0;
        }
        let n = out.len().min(self.len - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl std::io::Write for ReadAhead {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.bounded(true, |tcp| tcp.write(data))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.tcp.flush()
    }
}

/// Receives what the socket has, waiting for it until `deadline`: `Ok(None)` at the
/// deadline, `Ok(Some(0))` at the end of the stream. `armed` caches the socket's receive
/// timeout, re-armed only when it would outlast the deadline (a system call saved per call).
/// Used by a shared connection's reader *without* the stream's lock: this touches only the
/// kernel's socket, never OpenSSL's state.
pub(crate) fn recv_within(
    tcp: &TcpStream,
    buf: &mut [u8],
    armed: &mut Option<Duration>,
    deadline: Instant,
    gone: &dyn Fn() -> bool,
) -> std::io::Result<Option<usize>> {
    loop {
        let Some(left) = crate::util::remaining(deadline) else {
            return Ok(None);
        };
        if armed.is_none_or(|a| a > left) {
            tcp.set_read_timeout(Some(left))?;
            *armed = Some(left);
        }
        match std::io::Read::read(&mut &*tcp, buf) {
            Ok(n) => return Ok(Some(n)),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if crate::util::is_timeout_io(&e) => {
                if gone() {
                    return Err(e);
                }
                // An earlier, longer timeout fired, or the socket was briefly non-blocking
                // (a last close frame): wait for exactly what is left.
                *armed = None;
            }
            Err(e) => return Err(e),
        }
    }
}

/// How TLS is set up for every endpoint of one connect.
#[derive(Clone)]
pub(crate) struct Tls {
    connector: TlsConnector,
    /// The name to verify (and send as SNI); `None` means each endpoint's own host.
    server_name: Option<String>,
    pinned: bool,
}

impl Tls {
    pub(crate) fn new(opts: &ConnectOptions) -> Result<Tls, Error> {
        let pinned = opts.ca_cert.is_some();
        let connector = cached_connector(opts.ca_cert.as_deref())?;
        let server_name = opts
            .tls_server_name
            .clone()
            .or_else(|| pinned.then(|| JUJU_APISERVER.to_string()));
        Ok(Tls {
            connector,
            server_name,
            pinned,
        })
    }
}

impl Tls {
    /// The system roots, verifying each host's own name: for HTTPS to anything but the
    /// controller (a discharger elsewhere).
    pub(crate) fn system_roots() -> Result<Tls, Error> {
        Ok(Tls {
            connector: cached_connector(None)?,
            server_name: None,
            pinned: false,
        })
    }

    /// The connector and the name to verify (`None`: the host dialled).
    pub(crate) fn parts(&self) -> (&TlsConnector, Option<&str>) {
        (&self.connector, self.server_name.as_deref())
    }
}

/// Connectors already built, by CA certificate (`None`: the system roots).
///
/// Building a native-tls connector makes OpenSSL parse the whole system certificate store,
/// even when only a pinned CA will be trusted: about 100 ms on our machines, thirty times a
/// loopback connect. A connector is immutable and thread-safe, so each distinct CA is built
/// once per process and shared by every connect and reconnect.
static CONNECTORS: Mutex<Vec<(Option<String>, TlsConnector)>> = Mutex::new(Vec::new());
const MAX_CACHED_CONNECTORS: usize = 8;

fn cached_connector(ca_pem: Option<&str>) -> Result<TlsConnector, Error> {
    let lookup = |cache: &Vec<(Option<String>, TlsConnector)>| {
        cache
            .iter()
            .find(|(k, _)| k.as_deref() == ca_pem)
            .map(|(_, c)| c.clone())
    };
    if let Some(c) = lookup(&CONNECTORS.lock().unwrap_or_else(|e| e.into_inner())) {
        return Ok(c);
    }
    let built = build_connector(ca_pem)?;
    let mut cache = CONNECTORS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = lookup(&cache) {
        return Ok(c); // another thread built it meanwhile
    }
    if cache.len() >= MAX_CACHED_CONNECTORS {
        cache.remove(0);
    }
    cache.push((ca_pem.map(str::to_string), built.clone()));
    Ok(built)
}

fn build_connector(ca_pem: Option<&str>) -> Result<TlsConnector, Error> {
    let mut b = TlsConnector::builder();
    b.min_protocol_version(Some(Protocol::Tlsv12));
    if let Some(pem) = ca_pem {
        let certs = split_pem_certificates(pem);
        if certs.is_empty() {
            return Err(Error::invalid(
                "ca_cert: no PEM certificate found (expected -----BEGIN CERTIFICATE-----)",
            ));
        }
        for c in certs {
            let cert = Certificate::from_pem(c.as_bytes()).map_err(|e| {
                Error::invalid(format!("ca_cert: not a valid PEM certificate: {e}"))
            })?;
            b.add_root_certificate(cert);
        }
        // Juju pins its own CA: trust nothing else.
        b.disable_built_in_roots(true);
    }
    b.build()
        .map_err(|e| Error::new(ErrorKind::Connect, format!("tls setup: {e}")))
}

/// Splits PEM text into its certificates (a CA file may hold a chain).
fn split_pem_certificates(pem: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let tail = &rest[start..];
        let Some(end) = tail.find("-----END CERTIFICATE-----") else {
            break;
        };
        let end = end + "-----END CERTIFICATE-----".len();
        out.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    out
}

/// Splits `host:port` (IPv6 as `[addr]:port`) into host and port. Without a port, Juju's
/// default 17070 is used.
pub(crate) fn split_endpoint(endpoint: &str) -> Result<(String, u16), Error> {
    let bad = || {
        Error::invalid(format!(
            "endpoint {endpoint:?}: expected host:port (IPv6 as [addr]:port)"
        ))
    };
    let e = endpoint
        .trim()
        .trim_start_matches("wss://")
        .trim_end_matches('/');
    if e.is_empty() {
        return Err(bad());
    }
    // A bare IPv6 address (more than one colon, no brackets) takes the default port.
    if !e.starts_with('[') && e.matches(':').count() > 1 {
        if !crate::tags::is_clean_host(e) {
            return Err(bad());
        }
        return Ok((e.to_string(), 17070));
    }
    match crate::tags::split_host_port(e, 17070) {
        Some((host, port)) if !host.is_empty() => Ok((host, port)),
        _ => Err(bad()),
    }
}

/// The most name lookups this process has in flight at once, each on its own thread.
///
/// A connect that gives up on a lookup leaves its thread waiting for `getaddrinfo`, which
/// cannot be interrupted: against a resolver that does not answer, every timed-out connect
/// would leave one more thread behind. Past this many, a lookup fails at once instead.
/// Go's resolver runs lookups on its own goroutines; this is a bound on ours.
const MAX_LOOKUPS: usize = 64;

/// The name lookups in flight (counted from the start of a lookup's thread to its end).
static LOOKUPS: AtomicUsize = AtomicUsize::new(0);

/// A place among the lookups in flight, given back when its thread ends.
struct LookupSlot;

impl LookupSlot {
    /// A place, unless `MAX_LOOKUPS` lookups are in flight already.
    fn take() -> Option<LookupSlot> {
        LOOKUPS
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_LOOKUPS).then_some(n + 1)
            })
            .ok()
            .map(|_| LookupSlot)
    }
}

impl Drop for LookupSlot {
    fn drop(&mut self) {
        LOOKUPS.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Resolves `host` to its addresses on `port` before `deadline`, which the system resolver
/// alone would not keep: `getaddrinfo` cannot be interrupted and waits out its own timeouts
/// (seconds per server, per attempt). An IP literal needs no lookup. A name is looked up on
/// a short-lived thread, waited for only until the deadline; a lookup still running then
/// finishes on its own and its answer is dropped. The deadline passing is an
/// `io::ErrorKind::TimedOut` error. At most `MAX_LOOKUPS` lookups run at once in the
/// process: past that (a resolver that stopped answering), a lookup fails at once, with
/// `io::ErrorKind::ResourceBusy`.
pub(crate) fn resolve(host: &str, port: u16, deadline: Instant) -> io::Result<Vec<SocketAddr>> {
    resolve_with(host, port, deadline, |host, port| {
        (host, port).to_socket_addrs().map(Iterator::collect)
    })
}

/// [`resolve`] with the lookup given, so that a resolver that hangs can be tested.
fn resolve_with(
    host: &str,
    port: u16,
    deadline: Instant,
    lookup: impl FnOnce(&str, u16) -> io::Result<Vec<SocketAddr>> + Send + 'static,
) -> io::Result<Vec<SocketAddr>> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let late = || io::Error::new(io::ErrorKind::TimedOut, "name lookup not finished in time");
    let left = crate::util::remaining(deadline).ok_or_else(late)?;
    let slot = LookupSlot::take().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::ResourceBusy,
            format!(
                "{MAX_LOOKUPS} name lookups are already in flight in this process, waiting for \
                 a resolver that does not answer; not starting another"
            ),
        )
    })?;
    // Room for the one answer, so that a lookup finishing after we stopped waiting does not
    // block its thread.
    let (tx, rx) = mpsc::sync_channel(1);
    let name = host.to_string();
    // The slot moves into the thread, and is given back when the lookup ends (or, if the
    // thread cannot start, here).
    thread::Builder::new()
        .name("juju-resolve".into())
        .spawn(move || {
            let _slot = slot;
            let _ = tx.send(lookup(&name, port));
        })?;
    match rx.recv_timeout(left) {
        Ok(answer) => answer,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(late()),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(io::Error::other("name lookup ended without an answer"))
        }
    }
}

fn connect_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Connect, msg)
}

fn timed_out(stage: &str, timeout: Duration) -> Error {
    connect_error(format!("{stage}: timed out (connect_timeout {timeout:?})")).mark_timed_out()
}

/// A TCP connection to `host:port`, opened before `deadline`: directly, or through the
/// proxy `proxy` picks for it with an HTTP `CONNECT` tunnel. It reads ahead and bounds
/// every read and write by the deadline. The layer under TLS for the API and for macaroon
/// discharges alike, as the Go client proxies both. Errors name the stage and the proxy, not
/// the target (the caller does).
pub(crate) fn open_tcp(
    host: &str,
    port: u16,
    proxy: &ProxyChoice,
    deadline: Instant,
    timeout: Duration,
) -> Result<ReadAhead, Error> {
    let proxy = crate::proxy::proxy_for(proxy, host, port)?;
    // Through a proxy, only the proxy's name is resolved here; the proxy resolves the
    // controller's.
    let (dial_host, dial_port) = match &proxy {
        Some(p) => p.address(),
        None => (host.to_string(), port),
    };
    let via = proxy
        .as_ref()
        .map(|p| format!(" (proxy {p})"))
        .unwrap_or_default();
    let addrs = match resolve(&dial_host, dial_port, deadline) {
        Ok(addrs) => addrs,
        Err(e) if e.kind() == io::ErrorKind::TimedOut => {
            return Err(timed_out(&format!("resolve {dial_host:?}{via}"), timeout));
        }
        Err(e) => {
            return Err(connect_error(format!("resolve {dial_host:?}{via}: {e}")));
        }
    };
    if addrs.is_empty() {
        return Err(connect_error(format!(
            "resolve {dial_host:?}{via}: no addresses"
        )));
    }
    let mut last_err = None;
    let mut tcp = None;
    for addr in &addrs {
        let Some(left) = crate::util::remaining(deadline) else {
            break;
        };
        match TcpStream::connect_timeout(addr, left) {
            Ok(s) => {
                tcp = Some(s);
                break;
            }
            Err(e) => last_err = Some(e),
        }
    }
    let tcp = match (tcp, last_err) {
        (Some(t), _) => t,
        (None, Some(e)) if crate::util::is_timeout_io(&e) => {
            return Err(timed_out(&format!("tcp connect{via}"), timeout));
        }
        (None, Some(e)) => {
            return Err(connect_error(format!("tcp connect{via}: {e}")).with_source(e));
        }
        (None, None) => return Err(timed_out(&format!("tcp connect{via}"), timeout)),
    };
    tcp.set_nodelay(true)
        .map_err(|e| connect_error(format!("tcp: {e}")))?;
    let mut tcp = ReadAhead::new(tcp, deadline);
    if let Some(p) = &proxy {
        crate::proxy::tunnel(&mut tcp, p, host, port)?;
    }
    Ok(tcp)
}

/// Dials `endpoint`, secures it and upgrades it to a WebSocket on `path`, all before
/// `deadline`. The upgrade carries `X-Juju-ClientVersion: client_version`, as the Go 4.x
/// client's does (`api/apiclient.go`: controllers ignore it, JAAS reads it). Errors name the
/// stage that failed; they do not name the endpoint (the caller does).
#[allow(clippy::too_many_arguments)]
pub(crate) fn dial(
    endpoint: &str,
    tls: &Tls,
    max_message: usize,
    path: &str,
    client_version: &str,
    proxy: &ProxyChoice,
    deadline: Instant,
    timeout: Duration,
) -> Result<Socket, Error> {
    let (host, port) = split_endpoint(endpoint)?;
    let tcp = open_tcp(&host, port, proxy, deadline, timeout)?;

    let name = tls.server_name.clone().unwrap_or_else(|| host.clone());
    let stream = match tls.connector.connect(&name, tcp) {
        Ok(s) => s,
        Err(native_tls::HandshakeError::WouldBlock(_)) => {
            return Err(timed_out("tls handshake", timeout));
        }
        Err(native_tls::HandshakeError::Failure(_))
            if crate::util::remaining(deadline).is_none() =>
        {
            // OpenSSL reports our deadline's timeout as a failed read.
            return Err(timed_out("tls handshake", timeout));
        }
        Err(native_tls::HandshakeError::Failure(e)) => {
            let trust = if tls.pinned {
                "trusting only the given ca_cert"
            } else {
                "trusting the system roots"
            };
            let text = e.to_string();
            let hint = if [
                "wrong version number",
                "packet length too long",
                "record layer failure",
                "http request",
            ]
            .iter()
            .any(|m| text.to_ascii_lowercase().contains(m))
            {
                "the server did not answer in TLS: is it a plain ws:// or http:// server, or not a Juju controller?".to_string()
            } else if text.contains("unexpected eof") || text.contains("unexpected EOF") {
                "the server closed the connection during the TLS handshake".to_string()
            } else {
                format!("verifying the certificate for {name:?}, {trust}")
            };
            return Err(connect_error(format!("tls handshake: {text} ({hint})")).with_source(e));
        }
    };

    let host_header = crate::tags::host_port(&host, port);
    let headers = [("X-Juju-ClientVersion", client_version)];
    websocket::client_handshake(stream, &host_header, path, &headers, max_message).map_err(|e| {
        match e {
            HandshakeError::Refused(msg) => {
                connect_error(format!("websocket upgrade of {path}: {msg}"))
            }
            HandshakeError::Ws(WsError::Io(e)) if crate::util::is_timeout_io(&e) => {
                timed_out("websocket upgrade", timeout)
            }
            HandshakeError::Ws(e) => connect_error(format!(
                "websocket upgrade of {path}: {}",
                ws_error_text(&e)
            )),
        }
    })
}

/// A short description of a WebSocket failure, with no payload in it.
pub(crate) fn ws_error_text(e: &WsError) -> String {
    match e {
        WsError::Io(e) => e.to_string(),
        WsError::Protocol(m) => format!("protocol error: {m}"),
        WsError::TooLarge { limit, size } => {
            format!("message of {size} bytes is over the {limit}-byte limit (max_message_size)")
        }
        WsError::Closed(Some(code)) => {
            format!("the controller closed the connection (code {code})")
        }
        WsError::Closed(None) => "the controller closed the connection".to_string(),
        WsError::Write(e) => format!("a write failed part-way: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The resolver tests take turns: one fills the process's lookups in flight.
    static RESOLVER_TESTS: Mutex<()> = Mutex::new(());

    #[test]
    fn a_name_lookup_that_hangs_ends_at_the_deadline() {
        let _turn = RESOLVER_TESTS.lock().unwrap_or_else(|e| e.into_inner());
        let (release, wait) = mpsc::channel::<()>();
        let addr: SocketAddr = "10.0.0.5:17070".parse().unwrap();
        // A resolver stuck for 10 s: waiting it out would return its answer, not an error.
        let deadline = Instant::now() + Duration::from_millis(50);
        let got = resolve_with("controller.example", 17070, deadline, move |_, _| {
            let _ = wait.recv_timeout(Duration::from_secs(10));
            Ok(vec![addr])
        });
        drop(release);
        assert_eq!(got.unwrap_err().kind(), io::ErrorKind::TimedOut);
        // A past deadline does not even start a lookup; an answer in time is returned.
        let past = Instant::now() - Duration::from_millis(1);
        let none = resolve_with("controller.example", 1, past, |_, _| panic!("looked up"));
        assert_eq!(none.unwrap_err().kind(), io::ErrorKind::TimedOut);
        let soon = Instant::now() + Duration::from_secs(30);
        let answer = resolve_with("controller.example", 17070, soon, move |h, p| {
            assert_eq!((h, p), ("controller.example", 17070));
            Ok(vec![addr])
        });
        assert_eq!(answer.unwrap(), [addr]);
        // An IP literal needs no lookup, even at the deadline.
        let ip = resolve_with("fd42::5", 17070, past, |_, _| panic!("looked up")).unwrap();
        assert_eq!(ip, ["[fd42::5]:17070".parse::<SocketAddr>().unwrap()]);
    }

    #[test]
    fn lookups_left_behind_by_timed_out_connects_are_bounded() {
        use std::sync::Arc;
        use std::sync::atomic::AtomicUsize;
        let _turn = RESOLVER_TESTS.lock().unwrap_or_else(|e| e.into_inner());
        // A resolver that answers nothing until released: 200 connects give up on it.
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Arc::new(Mutex::new(hold));
        let started = Arc::new(AtomicUsize::new(0));
        let ended = Arc::new(AtomicUsize::new(0));
        let mut timed_out = 0;
        let mut refused = 0;
        let began = Instant::now();
        for _ in 0..200 {
            let (hold, started, ended) = (hold.clone(), started.clone(), ended.clone());
            let deadline = Instant::now() + Duration::from_millis(5);
            let r = resolve_with("stuck.example", 17070, deadline, move |_, _| {
                started.fetch_add(1, Ordering::SeqCst);
                // Each waits for the release (a disconnect wakes them all).
                let _ = hold.lock().unwrap_or_else(|e| e.into_inner()).recv();
                ended.fetch_add(1, Ordering::SeqCst);
                Err(io::Error::other("released"))
            });
            match r.unwrap_err().kind() {
                io::ErrorKind::TimedOut => timed_out += 1,
                io::ErrorKind::ResourceBusy => refused += 1,
                other => panic!("{other:?}"),
            }
        }
        // Past the cap, lookups fail at once (200 connects wait out only 64 deadlines) and
        // start no thread.
        assert!(
            began.elapsed() < Duration::from_secs(10),
            "{:?}",
            began.elapsed()
        );
        assert_eq!((timed_out, refused), (MAX_LOOKUPS, 200 - MAX_LOOKUPS));
        assert!(LOOKUPS.load(Ordering::SeqCst) <= MAX_LOOKUPS);
        // Once the resolver answers, the places are given back.
        drop(release);
        let limit = Instant::now() + Duration::from_secs(10);
        while LOOKUPS.load(Ordering::SeqCst) > 0 {
            assert!(Instant::now() < limit, "lookup threads never ended");
            thread::sleep(Duration::from_millis(5));
        }
        let threads = started.load(Ordering::SeqCst);
        assert_eq!(threads, MAX_LOOKUPS, "lookups left running");
        assert_eq!(ended.load(Ordering::SeqCst), threads);
        let addr: SocketAddr = "10.0.0.5:17070".parse().unwrap();
        let soon = Instant::now() + Duration::from_secs(30);
        assert_eq!(
            resolve_with("controller.example", 17070, soon, move |_, _| Ok(vec![
                addr
            ]))
            .unwrap(),
            [addr]
        );
    }

    #[test]
    fn endpoints_parse_like_juju() {
        assert_eq!(
            split_endpoint("10.0.0.5:17070").unwrap(),
            ("10.0.0.5".into(), 17070)
        );
        assert_eq!(
            split_endpoint("[fd42::5]:17071").unwrap(),
            ("fd42::5".into(), 17071)
        );
        assert_eq!(
            split_endpoint("ctrl.example").unwrap(),
            ("ctrl.example".into(), 17070)
        );
        assert_eq!(
            split_endpoint("fd42::5").unwrap(),
            ("fd42::5".into(), 17070)
        );
        assert!(split_endpoint("").is_err());
        assert!(split_endpoint("host:notaport").is_err());
        assert!(split_endpoint("[fd42::5]x").is_err());
        // A host that would end a request line, bare IPv6 form or not, is refused, and the
        // error shows it escaped.
        for bad in [
            "evil.example\r\nX-Injected: yes\r\nZ:443",
            "evil.example\r\nZ:443",
            "a b:17070",
            "user@host:17070",
        ] {
            let e = split_endpoint(bad).unwrap_err();
            assert!(!e.to_string().contains(['\r', '\n']), "{e}");
        }
    }

    #[test]
    fn pem_bundles_split_into_certificates() {
        let one = "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n";
        assert_eq!(split_pem_certificates(&format!("{one}{one}")).len(), 2);
        assert!(split_pem_certificates("garbage").is_empty());
    }
}
