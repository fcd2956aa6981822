//! Helpers shared by the integration tests: a bare WebSocket client for speaking to the fake
//! controller below the SDK, and a watchdog so that a hang fails instead of stalling CI.
#![allow(dead_code)]

use std::net::TcpStream;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use juju_client::testing::FakeController;
use native_tls::{Certificate, TlsConnector, TlsStream};
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

    pub fn login(&mut self, fake: &FakeController) {
        let req = format!(
            r#"{{"request-id":1,"type":"Admin","version":3,"request":"Login","params":{{"auth-tag":"user-admin","credentials":"{}"}}}}"#,
            fake.password()
        );
        let reply = self.exchange(&req);
        assert!(reply.contains("\"server-version\":\"3.6.26\""), "{reply}");
    }

    /// Logs in as admin claiming `client_version`, as another client would; returns the
    /// login reply as received.
    pub fn login_claiming(&mut self, fake: &FakeController, client_version: &str) -> String {
        let req = serde_json::json!({
            "request-id": 1, "type": "Admin", "version": 3, "request": "Login",
            "params": {"auth-tag": "user-admin", "credentials": fake.password(),
                       "client-version": client_version},
        });
        let reply = self.exchange(&req.to_string());
        assert!(reply.contains("\"server-version\""), "{reply}");
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
