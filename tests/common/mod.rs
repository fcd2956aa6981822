//! Helpers shared by the integration tests: a watchdog so that a hang fails instead of
//! stalling CI, scratch directories, fakes and backends as most tests set them up, a bare
//! WebSocket client for speaking to the fake controller below the SDK with the replies
//! parsed as JSON values, and a relay standing in for a proxy or a flaky network.
#![allow(dead_code)]

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use juju_client::Controller;
use juju_client::secretbackends::{BackendConfig, VaultConfig};
use juju_client::testing::FakeController;
use native_tls::{Certificate, TlsConnector, TlsStream};
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// Runs `f` on a thread and fails the test if it takes longer than `limit`.
pub fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => {
            let _ = handle.join();
            v
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("test hung for more than {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("thread ended without a result"),
        },
    }
}

/// A scratch directory, removed when dropped (a failing test included).
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new, empty directory named after the test binary's process and `tag`.
    pub fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p =
            std::env::temp_dir().join(format!("juju-client-test-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `file` in the directory.
    pub fn write(&self, file: &str, text: &str) {
        std::fs::write(self.0.join(file), text).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An address on `host` where nothing listens any more: connecting is refused at once.
pub fn dead_endpoint(host: &str) -> String {
    let l = std::net::TcpListener::bind((host, 0)).unwrap();
    let a = l.local_addr().unwrap().to_string();
    drop(l);
    a
}

/// Sets a process environment variable, for the binaries whose tests read the environment
/// (`juju_data`, `login_env`, `proxy`); a test there holds its binary's `ENV` lock while
/// the variable is set (`login_env` has one test).
pub fn set_env(key: &str, value: impl AsRef<std::ffi::OsStr>) {
    // SAFETY: `set_var` is unsafe because another thread may read the environment at the
    // same time. Rust's own reads (`std::env::var`: the SDK's `HTTPS_PROXY`, `JUJU_DATA`,
    // ...) take the same lock as `set_var`, so the danger is C code calling `getenv`
    // meanwhile: here only OpenSSL, which initialises when a test's fake starts, before any
    // variable is set, and which reads `SSL_CERT_FILE` only to load the system roots, which
    // no test of these binaries does (they pin the fake's CA).
    unsafe { std::env::set_var(key, value) };
}

/// Removes a process environment variable; see [`set_env`].
pub fn remove_env(key: &str) {
    // SAFETY: as for `set_env`.
    unsafe { std::env::remove_var(key) };
}

// ---- fakes and backends, as most tests set them up -------------------------------------

/// A fake controller behaving as Juju `version`.
pub fn fake_as(version: &str) -> FakeController {
    FakeController::builder()
        .juju_version(version)
        .start()
        .unwrap()
}

/// A fake controller as Juju `version`, and the SDK logged in to it as admin.
pub fn connected_as(version: &str) -> (FakeController, Controller) {
    let fake = fake_as(version);
    let ctrl = Controller::connect(&fake.connect_options()).unwrap();
    assert_eq!(ctrl.server_version(), version);
    (fake, ctrl)
}

/// A vault backend config: `endpoint` and a token.
pub fn vault(endpoint: &str) -> BackendConfig {
    VaultConfig::new(endpoint).token("s.token").into()
}

/// Adds backends `b0`..`b{n-1}`, each with its own endpoint (one per test thread, say).
pub fn add_backends(ctrl: &Controller, n: usize) {
    for t in 0..n {
        let endpoint = VaultConfig::new(format!("https://b{t}:8200"));
        ctrl.add_secret_backends("", &format!("b{t}"), "vault", endpoint)
            .unwrap();
    }
}

/// The names of the controller's backends, sorted.
pub fn backend_names(ctrl: &Controller) -> Vec<String> {
    let mut names: Vec<String> = ctrl
        .list_secret_backends(false)
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    names.sort();
    names
}

/// Starts a fake that sends replies out of order (each delayed at random by up to
/// `shuffle`), adds a backend per thread, then runs `threads` threads on one handle, each
/// making `calls` mixed calls about its own backend: ping, show, a named list and the
/// generic call. Returns how many replies were not the caller's own (0 is right), and
/// whether the handle ended broken.
pub fn mixed_calls_with_shuffled_replies(
    threads: usize,
    calls: usize,
    shuffle: Duration,
) -> (usize, bool) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let fake = FakeController::builder()
        .record_requests(false)
        .start()
        .unwrap();
    let ctrl = Arc::new(Controller::connect(&fake.connect_options()).unwrap());
    add_backends(&ctrl, threads);
    fake.inject("*", juju_client::testing::Fault::Shuffle(shuffle));
    let crossed = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let ctrl = ctrl.clone();
            let crossed = crossed.clone();
            thread::spawn(move || {
                let name = format!("b{t}");
                let endpoint = format!("https://b{t}:8200");
                for i in 0..calls {
                    let ok = match i % 4 {
                        0 => ctrl.ping().is_ok(),
                        1 => {
                            let b = ctrl.show_secret_backend(&name, false).unwrap();
                            b.name == name
                                && b.config.get_str("endpoint") == Some(endpoint.as_str())
                        }
                        2 => {
                            let list = ctrl
                                .list_secret_backends_named([name.as_str()], false)
                                .unwrap();
                            list.len() == 1 && list[0].name == name
                        }
                        _ => {
                            // A generic call: the raw reply names this thread's backend.
                            let v: Value = ctrl
                                .call(
                                    "SecretBackends",
                                    "ListSecretBackends",
                                    &json!({"names": [name], "reveal": false}),
                                )
                                .unwrap();
                            v["results"][0]["result"]["name"] == name.as_str()
                        }
                    };
                    if !ok {
                        crossed.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    (crossed.load(Ordering::SeqCst), ctrl.is_broken())
}

/// How one item of a bulk call ended: the controller's (message, code), `None` for success.
pub type Outcome = Option<(String, String)>;

/// The outcome of an item the controller refused with `msg` and `code`.
pub fn err(msg: &str, code: &str) -> Outcome {
    Some((msg.to_string(), code.to_string()))
}

/// Sends one SecretBackends item through the generic call (bypassing the SDK's own checks)
/// and returns the controller's answer to it.
pub fn raw_item(ctrl: &Controller, method: &str, arg: Value) -> Outcome {
    let reply: Value = ctrl
        .call("SecretBackends", method, &json!({ "args": [arg] }))
        .unwrap();
    let results = reply["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{reply}");
    let e = results[0].get("error")?;
    err(e["message"].as_str().unwrap(), e["code"].as_str().unwrap())
}

// ---- the wire, below the SDK -------------------------------------------------------------

/// A request as a client sends it.
pub fn request(id: u64, facade: &str, version: u32, method: &str, params: Value) -> String {
    json!({"request-id": id, "type": facade, "version": version, "request": method,
           "params": params})
    .to_string()
}

/// A reply as the fake wrote it, parsed: one line of JSON ending in the newline Go's
/// `json.Encoder` writes after each message. Compare it with `json!` values.
pub fn parse_reply(reply: &str) -> Value {
    let line = reply
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("a reply ends in a newline: {reply:?}"));
    assert!(!line.contains('\n'), "one reply, one line: {reply:?}");
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {reply:?}"))
}

/// Juju's reply to a request that failed as a whole: `error`, its `error-code` if any,
/// and an empty `response`.
pub fn error_reply(id: u64, error: &str, code: Option<&str>) -> Value {
    let mut reply = json!({"request-id": id, "error": error, "response": {}});
    if let Some(code) = code {
        reply["error-code"] = json!(code);
    }
    reply
}

/// [`error_reply`] byte for byte as Go's encoder writes it: its struct's field order, and
/// the message escaped as Go escapes it (`"` as `\"`; the messages used here have no
/// `<`, `>` or `&`, which Go would write as `\u003c`...).
pub fn error_reply_bytes(id: u64, error: &str, code: Option<&str>) -> String {
    let error = serde_json::to_string(error).unwrap();
    let code = code
        .map(|code| format!(r#","error-code":"{code}""#))
        .unwrap_or_default();
    format!(r#"{{"request-id":{id},"error":{error}{code},"response":{{}}}}"#) + "\n"
}

/// TLS to the fake, pinned to its CA.
fn tls_stream(fake: &FakeController) -> TlsStream<TcpStream> {
    let ca = Certificate::from_pem(fake.ca_cert_pem().as_bytes()).unwrap();
    let tls = TlsConnector::builder()
        .add_root_certificate(ca)
        .disable_built_in_roots(true)
        .build()
        .unwrap();
    let tcp = TcpStream::connect(fake.endpoint()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    tls.connect("juju-apiserver", tcp).unwrap()
}

/// A bare client: TLS pinned to the fake's CA, WebSocket on /api, raw text frames.
pub struct Raw {
    ws: WebSocket<TlsStream<TcpStream>>,
}

impl Raw {
    pub fn connect(fake: &FakeController) -> Raw {
        Raw::connect_to(fake, "/api")
    }

    /// Connects to another path, such as a model's `/model/<uuid>/api`.
    pub fn connect_to(fake: &FakeController, path: &str) -> Raw {
        let stream = tls_stream(fake);
        let url = format!("wss://{}{path}", fake.endpoint());
        let (ws, _) = tungstenite::client(url.as_str(), stream).unwrap();
        Raw { ws }
    }

    /// Sends an upgrade request for `path` and returns the raw HTTP response it gets.
    pub fn upgrade_response(fake: &FakeController, path: &str) -> String {
        use std::io::{Read, Write};
        let mut stream = tls_stream(fake);
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
            fake.endpoint()
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        String::from_utf8_lossy(&response).into_owned()
    }

    /// Sends one text message and returns the next text message, exactly as received.
    pub fn exchange(&mut self, request: &str) -> String {
        self.ws.send(Message::text(request)).unwrap();
        self.recv()
    }

    pub fn recv(&mut self) -> String {
        loop {
            match self.ws.read().unwrap() {
                Message::Text(t) => return t.to_string(),
                Message::Binary(b) => return String::from_utf8(b.to_vec()).unwrap(),
                _ => continue,
            }
        }
    }

    pub fn send(&mut self, request: &str) {
        self.ws.send(Message::text(request)).unwrap();
    }

    /// Reads until the connection ends; true if it ended (rather than timing out).
    pub fn ends(&mut self) -> bool {
        loop {
            match self.ws.read() {
                Ok(Message::Close(_)) => continue,
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return false;
                }
                Err(_) => return true,
            }
        }
    }

    /// Sends `request(id, ...)` and returns the reply, parsed.
    pub fn call(
        &mut self,
        id: u64,
        facade: &str,
        version: u32,
        method: &str,
        params: Value,
    ) -> Value {
        parse_reply(&self.exchange(&request(id, facade, version, method, params)))
    }

    /// Logs in (request id 1) as `user` with `password`; returns the reply, parsed, whatever
    /// it says.
    pub fn login_as(&mut self, user: &str, password: &str) -> Value {
        self.call(
            1,
            "Admin",
            3,
            "Login",
            json!({"auth-tag": format!("user-{user}"), "credentials": password}),
        )
    }

    /// Logs in as admin; the fake must be Juju 3.6.26.
    pub fn login(&mut self, fake: &FakeController) {
        let reply = self.login_as("admin", fake.password());
        assert_eq!(reply["response"]["server-version"], "3.6.26", "{reply}");
    }

    /// Logs in as admin claiming `client_version`, as another client would; returns the
    /// login reply, parsed.
    pub fn login_claiming(&mut self, fake: &FakeController, client_version: &str) -> Value {
        let reply = self.call(
            1,
            "Admin",
            3,
            "Login",
            json!({"auth-tag": "user-admin", "credentials": fake.password(),
                   "client-version": client_version}),
        );
        assert!(reply["response"]["server-version"].is_string(), "{reply}");
        reply
    }
}

/// A loopback relay to the fake, for what sits between a client and its controller: a
/// plain TCP forwarder, or a small HTTP `CONNECT` proxy. It can refuse its first
/// connections, refuse tunnels with a status, and freeze (stop forwarding while keeping the
/// connections open: a silently dead peer).
pub struct Relay {
    pub addr: std::net::SocketAddr,
    state: std::sync::Arc<RelayState>,
}

#[derive(Default)]
struct RelayState {
    frozen: std::sync::atomic::AtomicBool,
    /// Stop reading what the client sends (a controller that stopped reading): its writes
    /// stall once the socket buffers are full.
    stalled: std::sync::atomic::AtomicBool,
    accepted: std::sync::atomic::AtomicUsize,
    /// The request head of each CONNECT, as received.
    heads: std::sync::Mutex<Vec<String>>,
}

pub enum RelayMode {
    /// Forward every connection to the target after cutting the first `n`.
    Plain { cut_first: usize },
    /// An HTTP CONNECT proxy that tunnels to the target, whatever host was asked for, or
    /// answers every CONNECT with this status line.
    Connect { refuse: Option<&'static str> },
}

impl Relay {
    pub fn start(target: String, mode: RelayMode) -> Relay {
        use std::io::{Read, Write};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = std::sync::Arc::new(RelayState::default());
        let st = state.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut client) = conn else { return };
                let n = st.accepted.fetch_add(1, Ordering::SeqCst);
                let st = st.clone();
                let target = target.clone();
                let (cut, refuse) = match &mode {
                    RelayMode::Plain { cut_first } => (n < *cut_first, None),
                    RelayMode::Connect { refuse } => (false, Some(*refuse)),
                };
                thread::spawn(move || {
                    if cut {
                        return;
                    }
                    if let Some(refuse) = refuse {
                        let mut head = Vec::new();
                        let mut b = [0u8; 1];
                        while !head.ends_with(b"\r\n\r\n") {
                            match client.read(&mut b) {
                                Ok(1) => head.push(b[0]),
                                _ => return,
                            }
                        }
                        st.heads
                            .lock()
                            .unwrap()
                            .push(String::from_utf8_lossy(&head).into_owned());
                        if let Some(status) = refuse {
                            let _ = client.write_all(
                                format!("{status}\r\nContent-Length: 0\r\n\r\n").as_bytes(),
                            );
                            return;
                        }
                        let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                    }
                    let Ok(server) = TcpStream::connect(&target) else {
                        return;
                    };
                    let pump = |mut from: TcpStream,
                                mut to: TcpStream,
                                st: std::sync::Arc<RelayState>,
                                upstream: bool| {
                        let mut buf = [0u8; 16384];
                        loop {
                            while upstream && st.stalled.load(Ordering::SeqCst) {
                                thread::sleep(Duration::from_millis(10));
                            }
                            let n = match from.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            // Frozen: swallow everything, answer nothing, keep the socket open.
                            if st.frozen.load(Ordering::SeqCst) {
                                continue;
                            }
                            if to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    };
                    let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                    let st2 = st.clone();
                    thread::spawn(move || pump(c2, s2, st2, true));
                    pump(server, client, st, false);
                });
            }
        });
        Relay { addr, state }
    }

    pub fn freeze(&self) {
        self.state
            .frozen
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Stops reading from the clients: a controller that no longer reads its requests.
    pub fn stall_uploads(&self) {
        self.state
            .stalled
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn accepted(&self) -> usize {
        self.state
            .accepted
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn heads(&self) -> Vec<String> {
        self.state.heads.lock().unwrap().clone()
    }
}
