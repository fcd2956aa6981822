//! A scripted, hostile server for our own robustness tests and the whole-client fuzz
//! target: it plays each connection's part byte by byte (trickling, pinging, sending raw
//! frames) at one stage of the connect, to check that the client stays within its deadlines,
//! never panics and never hangs. Reached through `juju_client::fuzzing` (not semver).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use native_tls::{Identity, Protocol, TlsAcceptor};

use crate::error::Error;

/// How far the server plays its part honestly before the script takes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Right after the TCP accept: the script plays the TLS server.
    Tcp,
    /// After the TLS handshake: the script plays the HTTP upgrade answer.
    Tls,
    /// After the upgrade and a successful login: the script plays the WebSocket peer.
    LoggedIn,
}

/// One step of a script.
#[derive(Debug, Clone)]
pub enum Step {
    /// Write these bytes as they are.
    Send(Vec<u8>),
    /// Write these bytes one at a time, pausing after each.
    Trickle(Vec<u8>, Duration),
    /// Send `count` empty ping frames, pausing after each.
    Pings(usize, Duration),
    /// Pause.
    Sleep(Duration),
}

/// The identity every hostile server presents: generated once per process, because key
/// generation would otherwise dominate each fuzz input.
struct ServerIdentity {
    ca_pem: String,
    acceptor: TlsAcceptor,
}

fn identity() -> Result<&'static ServerIdentity, Error> {
    static ID: OnceLock<ServerIdentity> = OnceLock::new();
    if let Some(id) = ID.get() {
        return Ok(id);
    }
    let names: Vec<String> = super::certs::CONTROLLER_NAMES
        .iter()
        .map(|s| s.to_string())
        .collect();
    let certs = super::certs::generate(&names, false)?;
    let setup = |e: native_tls::Error| Error::invalid(format!("hostile server: tls: {e}"));
    let identity = Identity::from_pkcs8(
        certs.server_cert_pem.as_bytes(),
        certs.server_key_pem.as_bytes(),
    )
    .map_err(setup)?;
    let acceptor = TlsAcceptor::builder(identity)
        .min_protocol_version(Some(Protocol::Tlsv12))
        .build()
        .map_err(setup)?;
    Ok(ID.get_or_init(|| ServerIdentity {
        ca_pem: certs.ca_pem,
        acceptor,
    }))
}

/// The CA (PEM) and a TLS acceptor for a server certificate it signed for Juju's names, for
/// tests that play a TLS server of their own.
#[cfg(test)]
pub(crate) fn test_tls() -> Result<(String, TlsAcceptor), Error> {
    let id = identity()?;
    Ok((id.ca_pem.clone(), id.acceptor.clone()))
}

/// A server on 127.0.0.1 that runs one script on every connection it accepts.
pub struct HostileServer {
    addr: std::net::SocketAddr,
    ca_pem: String,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for HostileServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostileServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl HostileServer {
    /// Starts a server that plays `steps` from `stage` on, then closes its side and waits
    /// for the client to go. It accepts at most `connections` connections.
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput` when the server's certificate cannot be made or its listener
    /// cannot be bound.
    pub fn start(stage: Stage, steps: Vec<Step>, connections: usize) -> Result<Self, Error> {
        let id = identity()?;
        let fail = |e: io::Error| Error::invalid(format!("hostile server: {e}"));
        let listener = TcpListener::bind("127.0.0.1:0").map_err(fail)?;
        let addr = listener.local_addr().map_err(fail)?;
        let steps = Arc::new(steps);
        let accept = thread::Builder::new()
            .name("hostile-accept".into())
            .spawn(move || {
                let mut conns = Vec::new();
                for stream in listener.incoming().take(connections) {
                    let Ok(stream) = stream else { continue };
                    let steps = steps.clone();
                    conns.push(thread::spawn(move || serve(stage, &steps, stream)));
                }
                for c in conns {
                    let _ = c.join();
                }
            })
            .map_err(fail)?;
        Ok(HostileServer {
            addr,
            ca_pem: id.ca_pem.clone(),
            accept: Some(accept),
        })
    }

    /// `127.0.0.1:port`.
    pub fn endpoint(&self) -> String {
        self.addr.to_string()
    }

    /// Options that trust this server and log in as `admin` with any password.
    pub fn connect_options(&self) -> crate::ConnectOptions {
        crate::ConnectOptions::new()
            .endpoint(self.endpoint())
            .ca_cert(self.ca_pem.clone())
            .password("hostile-test-pw")
    }

    /// Waits until every accepted connection has been served.
    pub fn join(mut self) {
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

/// The login reply of a controller offering only `Pinger`, so the client has something to
/// call.
const LOGIN_REPLY: &str = concat!(
    r#"{"request-id":1,"response":{"servers":[],"controller-tag":"controller-"#,
    r#"0f7c2b1e-0000-4000-8000-000000000001","user-info":{"identity":"user-admin","#,
    r#""controller-access":"superuser"},"facades":[{"name":"Pinger","versions":[1]}],"#,
    r#""server-version":"3.6.26"}}"#,
    "\n"
);

fn serve(stage: Stage, steps: &[Step], tcp: TcpStream) {
    let _ = tcp.set_nodelay(true);
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = tcp.set_write_timeout(Some(Duration::from_secs(10)));
    let Ok(raw) = tcp.try_clone() else { return };
    if stage == Stage::Tcp {
        play(steps, tcp);
        drain(raw);
        return;
    }
    let Ok(id) = identity() else { return };
    let Ok(mut tls) = id.acceptor.accept(tcp) else {
        return;
    };
    if stage == Stage::LoggedIn {
        let Ok((mut ws, _)) = super::wsserver::server_handshake(tls, 1 << 20, |p| {
            if p == "/api" {
                super::wsserver::Route::Serve
            } else {
                super::wsserver::Route::NotFound
            }
        }) else {
            return;
        };
        if ws.read_message().is_err() || ws.send_text(LOGIN_REPLY.as_bytes()).is_err() {
            return;
        }
        tls = ws.into_inner();
    }
    play(steps, &mut tls);
    let _ = tls.shutdown();
    drain(raw);
}

fn play(steps: &[Step], mut out: impl Write) {
    for step in steps {
        let ok = match step {
            Step::Send(b) => out.write_all(b).and_then(|_| out.flush()),
            Step::Trickle(b, every) => b.iter().try_for_each(|byte| {
                out.write_all(std::slice::from_ref(byte))?;
                out.flush()?;
                thread::sleep(*every);
                Ok(())
            }),
            Step::Pings(n, every) => (0..*n).try_for_each(|_| {
                out.write_all(&[0x89, 0])?;
                out.flush()?;
                thread::sleep(*every);
                Ok(())
            }),
            Step::Sleep(d) => {
                thread::sleep(*d);
                Ok(())
            }
        };
        if ok.is_err() {
            return;
        }
    }
}

/// Ends our sending side and reads until the client goes, so that what we sent is not
/// thrown away by a reset.
fn drain(mut tcp: TcpStream) {
    let _ = tcp.shutdown(Shutdown::Write);
    let mut buf = [0u8; 4096];
    while matches!(tcp.read(&mut buf), Ok(n) if n > 0) {}
}
