//! A fake Juju controller for tests: yours and ours (feature `testing`).
//!
//! [`FakeController::start`] serves the real protocol (TLS, WebSocket on `/api`, the JSON
//! RPC envelope) on `127.0.0.1`, on a free port, from background threads. It answers as a
//! Juju 3.6 controller does (or any Juju from 3.1 to 4.0: see
//! [`FakeControllerBuilder::juju_version`]), with the same error texts and codes, for:
//! - `Admin` v3 `Login` and `RedirectInfo`, and every dispatch error (unknown facade, version
//!   or method; calls before login; `Admin` after login);
//! - `Pinger` v1;
//! - `SecretBackends` v1, with the controller's validation, reachability, rename, reset and
//!   removal rules;
//! - models: `controller` and `default` (owned by `admin`, as right after `juju
//!   bootstrap`) and any you [add](FakeController::add_model), with model logins at
//!   `/model/<uuid>/api` and the facades Juju lists there;
//! - `ModelManager` `ListModels`, `ListModelSummaries` and `ModelInfo`;
//! - `ModelConfig` v3 `ModelGet`, `ModelSet` (with the `secret-backend` checks of 3.x) and
//!   `ModelUnset`, and on 4.0 v4 `GetModelSecretBackend` and `SetModelSecretBackend`;
//! - `Secrets` on model connections (user secrets): v2 `ListSecrets`, `CreateSecrets`,
//!   `UpdateSecrets`, `RemoveSecrets`, `GrantSecret` and `RevokeSecret` with each version's
//!   permissions, texts and codes, and v1 as each version answers it (3.1 and 3.2 have only
//!   v1, with `ListSecrets`). Content goes to the model's active secret backend, changing
//!   that backend drains the model's user secrets to the new one at once, and `num-secrets`
//!   counts what is stored; [`add_charm_secret`](FakeController::add_charm_secret) seeds a
//!   charm's secret;
//! - `Client.WatchAll` and `AllWatcher` `Next`/`Stop` (the model's first state, then a
//!   `Next` that waits until the watcher is stopped), as python-libjuju needs to open a
//!   model;
//! - `Controller.ControllerAPIInfoForModels`, as python-libjuju needs it to connect.
//!
//! Other facades in the login result answer every method with `not implemented`.
//!
//! ```
//! use juju_client::{testing::FakeController, Controller};
//!
//! let fake = FakeController::start()?;
//! let ctrl = Controller::connect(&fake.connect_options())?;
//! ctrl.ping()?;
//! assert_eq!(fake.requests().last().unwrap().method, "Ping");
//! # Ok::<(), juju_client::Error>(())
//! ```
//!
//! Backends are reachable unless the host of their `endpoint`, or their `tls-server-name`,
//! ends in `.invalid`: then the controller's ping fails with `backend not reachable: ...`,
//! as for a real unreachable Vault.
//!
//! # How the fake is built
//!
//! For contributors; nothing here is public API.
//!
//! - `server.rs` owns the connections: TLS, the WebSocket, the RPC envelope, and the
//!   dispatch errors of the emulated Juju (unknown facade or version, a facade of the other
//!   connection kind, 3.1/3.2's client-version gate). Before login a connection has only
//!   `Admin` (`admin.rs`, as Go's admin root). After login it looks the facade up in one
//!   table, `server::FACADES`: one row per facade, its name and its handler.
//! - Every handler has one signature, `fn(&mut Ctx) -> Reply`. The context holds the
//!   shared state (`ctx.state()` locks it), the session (who logged in, with their
//!   controller access), the model the call acts on (the connection's, or the controller
//!   model on `/api`), the emulated version (`versions::Emulation`), the connection (for
//!   watchers and replies sent later), and the request: facade version, object id, method
//!   and params. A method the handler lacks is `Err(ctx.no_such_method())`.
//! - `wire.rs` holds what every facade writes: `Reply` and `RpcErr`, `Obj` (JSON in Go's
//!   field order), `params.Error`/`ErrorResults`, Go's JSON type errors, tags and times.
//! - `State` has the controller's identity, the server's records, and one field per facade
//!   that keeps state, owned by that facade's module (`admin`, `models`,
//!   `secret_backends`, `secrets`). Which facades and versions each Juju offers is in `versions.rs`.
//!
//! Adding a facade is: one module with `pub(crate) fn call(ctx: &mut Ctx<'_>) -> Reply`
//! (checking access with `State::model_access`, building replies with `wire`); one row in
//! `server::FACADES`; and, if it keeps state, one field of `State` (set in `State::new`).
//! If the facade is not yet in the lists of `versions.rs` for the Jujus that have it, add
//! it there. Tests go in `tests/it/` (over the wire, byte for byte against the reference)
//! or beside the module.

mod admin;
mod allwatcher;
mod bakery;
mod certs;
mod controller;
#[cfg(feature = "fuzzing")]
pub(crate) mod hostile;
mod modelconfig;
mod models;
mod pinger;
mod secretbackends;
mod secrets;
mod server;
mod versions;
mod wire;
mod wsserver;
// It plays TLS servers with the hostile server's identity.
#[cfg(all(test, feature = "fuzzing"))]
mod conformance;

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use openssl::ssl::{SslAcceptor, SslMethod, SslVersion};
use serde_json::Value;

use crate::{ConnectOptions, Error};

/// The Juju version the fake emulates unless told otherwise
/// ([`FakeControllerBuilder::juju_version`]).
pub const FAKE_SERVER_VERSION: &str = "3.6.26";

/// What a client asked for when it upgraded a connection to a WebSocket, in arrival order:
/// see [`FakeController::upgrade_requests`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpgradeRequest {
    /// The request path, e.g. `/api`.
    pub path: String,
    /// The `X-Juju-ClientVersion` header, if the client sent one.
    pub client_version: Option<String>,
}

/// One request the fake received, in arrival order ([`FakeController::requests`]). Login
/// passwords are `[REDACTED]`; other secrets (vault tokens, keys) are kept in `params` for
/// your assertions, but `Debug` shows them as `[REDACTED]`.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// The facade, e.g. `SecretBackends`.
    pub facade: String,
    /// The facade version asked for.
    pub version: u32,
    /// The method, e.g. `AddSecretBackends`.
    pub method: String,
    /// The request id.
    pub request_id: u64,
    /// The parameters as sent.
    pub params: Value,
}

/// A misbehaviour to inject, for testing how a client copes. See
/// [`FakeController::inject`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer after this long (other requests are answered meanwhile).
    Delay(std::time::Duration),
    /// Answer after a random delay below this, so that replies to pending requests come
    /// back in another order than the requests.
    Shuffle(std::time::Duration),
    /// Never answer.
    NoReply,
    /// Cut the TCP connection, with no WebSocket close, when the request arrives.
    DropConnection,
    /// Answer with a text message that is not JSON.
    NonJson,
    /// First send a reply to a request id nobody used, then the real reply.
    UnknownIdFirst,
    /// Send the reply in WebSocket frames of at most this many bytes.
    Fragment(usize),
    /// Pad the reply (with a field clients ignore) to more than this many bytes.
    Oversize(usize),
    /// Send the first half of the reply as an unfinished message, then close the WebSocket
    /// (code 1011).
    CloseMidCall,
    /// Answer with an envelope that has only the `request-id`: no `response`, no `error`.
    MissingFields,
}

impl std::fmt::Debug for ReceivedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let params = crate::redact::Redaction::GENERIC.json(self.params.to_string().as_bytes());
        f.debug_struct("ReceivedRequest")
            .field("facade", &self.facade)
            .field("version", &self.version)
            .field("method", &self.method)
            .field("request_id", &self.request_id)
            .field("params", &params)
            .finish()
    }
}

/// Everything the fake controller knows; shared by all its connections, behind one lock.
///
/// The controller's identity comes first, then the server's records, then one field per
/// facade (or group of facades) that keeps state, owned by that facade's module. A facade
/// reads another's field where Juju's would ask the other's service (ModelInfo lists the
/// secret backends a model uses).
pub(crate) struct State {
    pub(crate) controller_uuid: String,
    pub(crate) controller_model_uuid: String,
    pub(crate) server_version: String,
    /// The Juju version emulated, and what follows from it.
    pub(crate) juju: versions::Emulation,
    /// The WebSocket upgrades received.
    pub(crate) upgrades: Vec<UpgradeRequest>,
    /// The requests received, if recorded.
    pub(crate) requests: Vec<ReceivedRequest>,
    /// Faults by method name.
    pub(crate) faults: HashMap<String, Fault>,
    /// `Admin`: users, redirects, the JAAS service account.
    pub(crate) admin: admin::AdminState,
    /// Login macaroons, `/auth` discharges, and the test clock.
    pub(crate) bakery: bakery::Bakery,
    /// The models, with their users, config and applications: `ModelManager`,
    /// `ModelConfig` and the all-watcher serve them.
    pub(crate) models: models::Models,
    /// `SecretBackends`: the backends users added, the built-in ones' ids, and the
    /// secret counts.
    pub(crate) secret_backends: secretbackends::SecretBackends,
    /// `Secrets`: every model's secrets, from which the backends' use is counted.
    pub(crate) secrets: secrets::Store,
}

impl State {
    /// A controller with no users, models or backends yet, emulating `juju`.
    pub(crate) fn new(juju: versions::Emulation, server_version: String) -> State {
        let controller_uuid = crate::util::random_uuid();
        // 3.x's `internal` backend has the controller's UUID; 4.0's a random one.
        let internal_id = if juju.is_4() {
            crate::util::random_uuid()
        } else {
            controller_uuid.clone()
        };
        State {
            controller_uuid,
            controller_model_uuid: String::new(),
            server_version,
            juju,
            upgrades: Vec::new(),
            requests: Vec::new(),
            faults: HashMap::new(),
            admin: admin::AdminState::default(),
            bakery: bakery::Bakery::default(),
            models: models::Models::default(),
            secret_backends: secretbackends::SecretBackends::new(internal_id),
            secrets: secrets::Store::default(),
        }
    }
}

/// Another controller that logins are sent to.
#[derive(Clone)]
pub(crate) struct RedirectTarget {
    pub(crate) addrs: Vec<SocketAddr>,
    pub(crate) ca_pem: String,
    pub(crate) controller_uuid: String,
}

pub(crate) struct Shared {
    pub(crate) state: Mutex<State>,
    pub(crate) stop: AtomicBool,
    /// Open connections by id, so they can be cut.
    pub(crate) conns: Mutex<HashMap<u64, TcpStream>>,
    pub(crate) next_conn: std::sync::atomic::AtomicU64,
    pub(crate) acceptor: SslAcceptor,
    pub(crate) ca_pem: String,
    pub(crate) addr: SocketAddr,
    /// Fragment replies into frames of at most this many bytes.
    pub(crate) max_frame: Option<usize>,
    /// Keep every request for `requests()`.
    pub(crate) record: bool,
    /// Serve the API at `/api` (false: answer 404, as a web server that is not Juju).
    pub(crate) serve_api: bool,
}

impl Shared {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How to start a [`FakeController`]: see [`FakeController::builder`].
#[derive(Clone)]
pub struct FakeControllerBuilder {
    port: u16,
    password: Option<String>,
    cert_names: Vec<String>,
    expired_cert: bool,
    server_version: String,
    max_frame: Option<usize>,
    record: bool,
    serve_api: bool,
    client_credentials: Option<(String, String)>,
}

impl std::fmt::Debug for FakeControllerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeControllerBuilder")
            .field("port", &self.port)
            .field(
                "password",
                &self.password.as_ref().map(|_| crate::redact::REDACTED),
            )
            .field("cert_names", &self.cert_names)
            .field("expired_cert", &self.expired_cert)
            .field("server_version", &self.server_version)
            .field("max_frame", &self.max_frame)
            .field("record", &self.record)
            .field("serve_api", &self.serve_api)
            .field(
                "client_credentials",
                &self
                    .client_credentials
                    .as_ref()
                    .map(|(id, _)| (id, crate::redact::REDACTED)),
            )
            .finish()
    }
}

impl FakeControllerBuilder {
    /// Make it JAAS-like: serve `Admin` v4 `LoginWithClientCredentials` for this service
    /// account (which logs in as `<id>@serviceaccount`, a controller superuser). Without
    /// it, Admin v4 is refused as a plain Juju controller refuses it.
    ///
    /// ```
    /// use juju_client::{testing::FakeController, ConnectOptions, Controller};
    /// let jaas = FakeController::builder().client_credentials("ci-bot", "s3cret").start()?;
    /// let opts = ConnectOptions::new()
    ///     .endpoint(jaas.endpoint())
    ///     .ca_cert(jaas.ca_cert_pem())
    ///     .client_credentials("ci-bot", "s3cret");
    /// let ctrl = Controller::connect(&opts)?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[must_use]
    pub fn client_credentials(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client_credentials = Some((id.into(), secret.into()));
        self
    }

    /// Serve the API at `/api` (default true). With false, every WebSocket upgrade is
    /// answered `404 Not Found`, as by a web server that is not a Juju controller.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let web = FakeController::builder().serve_api(false).start()?;
    /// let err = juju_client::Controller::connect(&web.connect_options()).unwrap_err();
    /// assert!(err.message().contains("404 Not Found"));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[must_use]
    pub fn serve_api(mut self, serve: bool) -> Self {
        self.serve_api = serve;
        self
    }

    /// Keep every request for [`FakeController::requests`] (default on). Turn it off for a
    /// long-running fake, such as a benchmark's, so memory does not grow with each call.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::builder().record_requests(false).start()?;
    /// let ctrl = juju_client::Controller::connect(&fake.connect_options())?;
    /// ctrl.ping()?;
    /// assert!(fake.requests().is_empty());
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[must_use]
    pub fn record_requests(mut self, record: bool) -> Self {
        self.record = record;
        self
    }

    /// Fragment every reply into WebSocket frames of at most `bytes` payload bytes (a real
    /// controller fragments large replies).
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::builder().max_frame_size(512).start()?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[must_use]
    pub fn max_frame_size(mut self, bytes: usize) -> Self {
        self.max_frame = Some(bytes.max(1));
        self
    }

    /// Listen on this port of 127.0.0.1 (default 0: a free port).
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::builder().port(0).start()?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The `admin` password (default: a random one).
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::builder().admin_password("admin-pw").start()?;
    /// assert_eq!(fake.password(), "admin-pw");
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[must_use]
    pub fn admin_password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// The names in the server certificate (default: Juju's `juju-apiserver`,
    /// `juju-mongodb`, `localhost`, `anything`).
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::builder().cert_names(["other.example"]).start()?;
    /// // Clients must now verify the certificate against other.example.
    /// let opts = fake.connect_options().tls_server_name("other.example");
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[must_use]
    pub fn cert_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.cert_names = names.into_iter().map(Into::into).collect();
        self
    }

    /// Serve a server certificate that expired in 2021 (to test that clients refuse it).
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::builder().expired_cert(true).start()?;
    /// assert!(juju_client::Controller::connect(&fake.connect_options()).is_err());
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[must_use]
    pub fn expired_cert(mut self, expired: bool) -> Self {
        self.expired_cert = expired;
        self
    }

    /// The Juju version to emulate (default [`FAKE_SERVER_VERSION`], 3.6.26): any from
    /// 3.1.0 to 4.0.x. It is the `server-version` reported at login, and it decides how the
    /// fake behaves, as that Juju does:
    /// - 3.1.0 to 3.1.5 and 3.2.x refuse calls from a client whose claimed major version
    ///   differs (`incompatible client`, with 3.2's exceptions for pings, migrations and
    ///   recent 2.9 clients);
    /// - 3.x serves 3.6's facades, texts and SecretBackends rules;
    /// - 4.0.x serves 4.0's facade list, envelope (tracing fields, no `request-id` 0),
    ///   dispatch texts and SecretBackends rules, codes and ids.
    ///
    /// A version that is not a Juju version, or outside that range, makes
    /// [`start`](Self::start) fail.
    ///
    /// ```
    /// use juju_client::{testing::FakeController, Controller};
    /// let fake = FakeController::builder().juju_version("4.0.14").start()?;
    /// let ctrl = Controller::connect(&fake.connect_options())?;
    /// assert_eq!(ctrl.server_version(), "4.0.14");
    /// assert!(FakeController::builder().juju_version("2.9.50").start().is_err());
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[must_use]
    pub fn juju_version(mut self, version: impl Into<String>) -> Self {
        self.server_version = version.into();
        self
    }

    /// The same as [`juju_version`](Self::juju_version) (its earlier name).
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::builder().server_version("3.6.12").start()?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[must_use]
    pub fn server_version(self, version: impl Into<String>) -> Self {
        self.juju_version(version)
    }

    /// Starts serving.
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput` for a Juju version the fake cannot be, or when the certificate,
    /// TLS or listening socket cannot be set up (for example a port in use).
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::builder().start()?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn start(self) -> Result<FakeController, Error> {
        FakeController::start_with(self)
    }
}

/// A fake Juju controller serving on `127.0.0.1`; it stops when dropped.
///
/// It starts as a controller does right after `juju bootstrap`, `juju add-user` and
/// `juju deploy`:
///
/// | user | password | controller access | model access |
/// |---|---|---|---|
/// | `admin` | [`password`](Self::password) | `superuser` | `admin` on both models (owner) |
/// | `bob` | `bob-password` | `login` | none |
/// | `reader` | `reader-password` | `login` | `read` on `admin/default` |
/// | `writer` | `writer-password` | `login` | `write` on `admin/default` |
///
/// Its models are `admin/controller` and `admin/default` (see
/// [`add_model`](Self::add_model)); `admin/default` has the applications `mysql` and
/// `wordpress` (see [`add_application`](Self::add_application)). Change users and grants
/// with [`add_user`](Self::add_user), [`grant_model_access`](Self::grant_model_access) and
/// [`disable_user`](Self::disable_user).
pub struct FakeController {
    shared: Arc<Shared>,
    admin_password: String,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FakeController {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeController")
            .field("endpoint", &self.endpoint())
            .finish_non_exhaustive()
    }
}

fn setup_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::invalid(format!("fake controller: {what}: {e}"))
}

impl FakeController {
    /// Starts a fake controller on a free port with a new CA and a random admin password.
    ///
    /// # Errors
    ///
    /// As [`FakeControllerBuilder::start`].
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn start() -> Result<FakeController, Error> {
        Self::builder().start()
    }

    /// Options for [`start`](Self::start): port, certificate, password, version.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::builder().admin_password("pw").start()?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn builder() -> FakeControllerBuilder {
        FakeControllerBuilder {
            port: 0,
            password: None,
            cert_names: certs::CONTROLLER_NAMES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            expired_cert: false,
            server_version: FAKE_SERVER_VERSION.to_string(),
            max_frame: None,
            record: true,
            serve_api: true,
            client_credentials: None,
        }
    }

    fn start_with(b: FakeControllerBuilder) -> Result<FakeController, Error> {
        let juju = versions::Emulation::new(&b.server_version)
            .map_err(|e| Error::invalid(format!("fake controller: {e}")))?;
        let certs = certs::generate(&b.cert_names, b.expired_cert)?;
        let acceptor = tls_acceptor(&certs.server_cert_pem, &certs.server_key_pem)
            .map_err(|e| setup_error("tls", e))?;
        let listener = TcpListener::bind(("127.0.0.1", b.port))
            .map_err(|e| setup_error(&format!("bind 127.0.0.1:{}", b.port), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| setup_error("local address", e))?;
        let admin_password = b.password.unwrap_or_else(|| crate::util::random_hex(24));
        let mut state = State::new(juju, b.server_version);
        state.admin.client_credentials = b.client_credentials;
        state.admin.add_user("admin", &admin_password, "superuser");
        state.admin.add_user("bob", "bob-password", "login");
        state.admin.add_user("reader", "reader-password", "login");
        state.admin.add_user("writer", "writer-password", "login");
        // As right after `juju bootstrap`: the controller model and `default`, both admin's.
        state.controller_model_uuid = state.models.add("controller", "admin");
        let default = state.models.add("default", "admin");
        if let Some(m) = state.models.get_mut(&default) {
            m.users.insert("reader".into(), "read".into());
            m.users.insert("writer".into(), "write".into());
            // As if deployed.
            m.applications.insert("mysql".into());
            m.applications.insert("wordpress".into());
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            stop: AtomicBool::new(false),
            conns: Mutex::new(HashMap::new()),
            next_conn: std::sync::atomic::AtomicU64::new(0),
            acceptor,
            ca_pem: certs.ca_pem,
            addr,
            max_frame: b.max_frame,
            record: b.record,
            serve_api: b.serve_api,
        });
        let accept = server::spawn_accept_loop(listener, shared.clone())
            .map_err(|e| setup_error("thread", e))?;
        Ok(FakeController {
            shared,
            admin_password,
            accept: Some(accept),
        })
    }

    /// The endpoint to connect to, `127.0.0.1:<port>`.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// assert!(fake.endpoint().starts_with("127.0.0.1:"));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn endpoint(&self) -> String {
        self.shared.addr.to_string()
    }

    /// The port it listens on.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// assert_ne!(fake.port(), 0);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn port(&self) -> u16 {
        self.shared.addr.port()
    }

    /// The CA certificate (PEM) that signed the server certificate.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// assert!(fake.ca_cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn ca_cert_pem(&self) -> &str {
        &self.shared.ca_pem
    }

    /// The `admin` user's password.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// let opts = juju_client::ConnectOptions::new()
    ///     .endpoint(fake.endpoint())
    ///     .password(fake.password())
    ///     .ca_cert(fake.ca_cert_pem());
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn password(&self) -> &str {
        &self.admin_password
    }

    /// The controller's UUID.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// let ctrl = juju_client::Controller::connect(&fake.connect_options())?;
    /// assert_eq!(ctrl.controller_uuid(), fake.controller_uuid());
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn controller_uuid(&self) -> String {
        self.shared.state().controller_uuid.clone()
    }

    /// Options that connect to this fake as `admin`.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// let ctrl = juju_client::Controller::connect(&fake.connect_options())?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn connect_options(&self) -> ConnectOptions {
        ConnectOptions::new()
            .endpoint(self.endpoint())
            .username("admin")
            .password(self.admin_password.clone())
            .ca_cert(self.shared.ca_pem.clone())
    }

    /// Adds (or replaces) a user with a password and a controller access level: `login`,
    /// `add-model`, `superuser`, or `""` (none: login is refused with `permission denied`).
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// fake.add_user("carol", "carol-pw", "superuser");
    /// let opts = fake.connect_options().username("carol").password("carol-pw");
    /// juju_client::Controller::connect(&opts)?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn add_user(&self, name: &str, password: &str, access: &str) {
        self.shared.state().admin.add_user(name, password, access);
    }

    /// Disables a user, as `juju disable-user` does: their logins are refused from now on
    /// (open connections stay), with Juju 3.x's `user "<name>" is disabled` or 4.0's
    /// `invalid entity name or password` (code `unauthorized access` in both), whether they
    /// log in with a password or a macaroon. Returns false if there is no such user, or for
    /// `admin`, the controller owner, whom Juju will not disable.
    ///
    /// ```
    /// use juju_client::{testing::FakeController, Controller};
    /// let fake = FakeController::start()?;
    /// assert!(fake.disable_user("bob"));
    /// let opts = fake.connect_options().username("bob").password("bob-password");
    /// let err = Controller::connect(&opts).unwrap_err();
    /// assert!(err.message().ends_with("user \"bob\" is disabled"));
    /// assert!(fake.enable_user("bob"));
    /// Controller::connect(&opts)?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn disable_user(&self, name: &str) -> bool {
        let name = name.strip_prefix("user-").unwrap_or(name);
        name != "admin" && self.shared.state().admin.set_disabled(name, true)
    }

    /// Enables a user [`disable_user`](Self::disable_user) disabled, as `juju enable-user`
    /// does. Returns false if there is no such user.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// assert!(fake.enable_user("bob"));
    /// assert!(!fake.enable_user("nobody"));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn enable_user(&self, name: &str) -> bool {
        self.shared.state().admin.set_disabled(name, false)
    }

    /// Says that the controller model stores `n` more secrets in the backend named `name`
    /// (`internal` included), one revision each, as if its charms had written them there:
    /// a backend in use cannot be removed without `force` (nor renamed, before Juju 4.0).
    /// These secrets are counted (in `num-secrets`, and as `n` revisions when a removal is
    /// refused) but not listed, and they do not move when the model's backend changes.
    /// A backend's `num-secrets` is computed over all models: these, plus what the models'
    /// `Secrets` facades store there (see
    /// [`set_model_secret_count`](Self::set_model_secret_count)). Returns false if there is
    /// no such backend.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// let ctrl = juju_client::Controller::connect(&fake.connect_options())?;
    /// ctrl.add_secret_backends("", "v", "vault", [("endpoint", "https://v:8200")])?;
    /// fake.set_secret_count("v", 2);
    /// assert_eq!(ctrl.show_secret_backend("v", false)?.num_secrets, 2);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn set_secret_count(&self, name: &str, n: u64) -> bool {
        let model = self.shared.state().controller_model_uuid.clone();
        self.set_model_secret_count(&model, name, n)
    }

    /// Says that `model` (a UUID, `owner/name`, or a name only one model has) stores `n`
    /// more secrets, one revision each, in the backend named `backend` (`internal`
    /// included), as [`set_secret_count`](Self::set_secret_count) does for the controller
    /// model; `0` takes them away. Returns false if there is no such model or backend.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// let ctrl = juju_client::Controller::connect(&fake.connect_options())?;
    /// ctrl.add_secret_backends("", "v", "vault", [("endpoint", "https://v:8200")])?;
    /// fake.set_model_secret_count("admin/default", "v", 2);
    /// fake.set_model_secret_count("controller", "v", 1);
    /// assert_eq!(ctrl.show_secret_backend("v", false)?.num_secrets, 3);
    /// assert!(!fake.set_model_secret_count("nope", "v", 1));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn set_model_secret_count(&self, model: &str, backend: &str, n: u64) -> bool {
        let mut st = self.shared.state();
        let Some(id) = st.secret_backends.id_of(backend) else {
            return false;
        };
        let Some(uuid) = st.models.find(model).map(|m| m.uuid.clone()) else {
            return false;
        };
        secrets::set_synthetic_count(&mut st, &uuid, &id, n);
        true
    }

    /// Adds a charm secret to `model` (named as for [`model_uuid`](Self::model_uuid)), as
    /// if a charm had created it: owned by the application `owner`, or by a unit when
    /// `owner` is `app/n`, labelled `label` (none when empty), with revision 1 holding
    /// `content` (key → raw value; the fake base64-encodes it, as the wire carries it). Its
    /// content is stored on the model's active secret backend. `ListSecrets` shows it with
    /// the user secrets; the model may not update, grant or remove it on Juju 4.0, while
    /// 3.6 lets it update and grant (not remove) it. Returns its URI (`secret:<id>`), or
    /// `None` if there is no such model or (3.x) the backend the model's config names no
    /// longer exists. The application need not exist.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// let uri = fake.add_charm_secret("admin/default", "mysql", "db-admin", [("password", "s3cret")]);
    /// assert!(uri.unwrap().starts_with("secret:"));
    /// assert_eq!(fake.add_charm_secret("nope", "mysql", "", [("k", "v")]), None);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn add_charm_secret<I, K, V>(
        &self,
        model: &str,
        owner: &str,
        label: &str,
        content: I,
    ) -> Option<String>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: AsRef<[u8]>,
    {
        let data = content
            .into_iter()
            .map(|(k, v)| (k.into(), data_encoding::BASE64.encode(v.as_ref())))
            .collect();
        let owner = owner.strip_prefix("application-").unwrap_or(owner);
        secrets::add_charm_secret(&mut self.shared.state(), model, owner, label, data)
    }

    /// Adds an IAAS model `name` owned by `owner` (who gets `admin` access to it), as
    /// `juju add-model` does, and returns its UUID. If `owner` already has a model of that
    /// name, returns that model's UUID. The fake starts with two models, `controller` and
    /// `default`, both owned by `admin`.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// let uuid = fake.add_model("dev", "bob");
    /// assert_eq!(fake.model_uuid("bob/dev"), Some(uuid));
    /// assert!(fake.model_uuid("admin/default").is_some());
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn add_model(&self, name: &str, owner: &str) -> String {
        let owner = owner.strip_prefix("user-").unwrap_or(owner);
        self.shared.state().models.add(name, owner)
    }

    /// Adds an application named `name` to `model` (named as for
    /// [`model_uuid`](Self::model_uuid)), as if `juju deploy` had deployed it, so that what
    /// names applications (granting a secret) can name it. Returns false if there is no such
    /// model or `name` is not a valid application name (`names.IsValidApplication`:
    /// lower-case letters and digits in dash-separated words, starting with a letter, no
    /// word all digits). `admin/default` starts with `mysql` and `wordpress`.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// assert!(fake.add_application("admin/default", "postgresql-k8s"));
    /// assert!(!fake.add_application("admin/default", "Bad_Name"));
    /// assert!(!fake.add_application("admin/nope", "mysql"));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn add_application(&self, model: &str, name: &str) -> bool {
        if !models::valid_application_name(name) {
            return false;
        }
        match self.shared.state().models.find_mut(model) {
            Some(m) => {
                m.applications.insert(name.to_string());
                true
            }
            None => false,
        }
    }

    /// The applications in `model` (named as for [`model_uuid`](Self::model_uuid)), sorted
    /// by name; `None` if there is no such model.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// assert_eq!(fake.applications("admin/default").unwrap(), ["mysql", "wordpress"]);
    /// assert_eq!(fake.applications("controller").unwrap(), Vec::<String>::new());
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn applications(&self, model: &str) -> Option<Vec<String>> {
        let st = self.shared.state();
        Some(
            st.models
                .find(model)?
                .applications
                .iter()
                .cloned()
                .collect(),
        )
    }

    /// The UUID of a model: `owner/name` (as `admin/default`), a name only one model has,
    /// or a UUID. `None` if there is no such model.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// let uuid = fake.model_uuid("controller").unwrap();
    /// assert_eq!(fake.model_uuid(&uuid), Some(uuid));
    /// assert_eq!(fake.model_uuid("admin/nope"), None);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn model_uuid(&self, model: &str) -> Option<String> {
        self.shared
            .state()
            .models
            .find(model)
            .map(|m| m.uuid.clone())
    }

    /// Grants `user` access to `model` (named as for [`model_uuid`](Self::model_uuid)):
    /// `read`, `write` or `admin`, as `juju grant` does; `""` revokes it. Returns false if
    /// there is no such model or the access level is not one of those. The access counts
    /// from the user's next login: it is the login result's `model-access`, and what the
    /// fake's facades check (`read` to look, `write` to change, `admin` for what only a
    /// model admin may do).
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// assert!(fake.grant_model_access("admin/default", "bob", "read"));
    /// assert!(!fake.grant_model_access("admin/default", "bob", "superuser"));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn grant_model_access(&self, model: &str, user: &str, access: &str) -> bool {
        if !matches!(access, "" | "read" | "write" | "admin") {
            return false;
        }
        let user = user.strip_prefix("user-").unwrap_or(user);
        let mut st = self.shared.state();
        let Some(m) = st.models.find_mut(model) else {
            return false;
        };
        if access.is_empty() {
            m.users.remove(user);
        } else {
            m.users.insert(user.to_string(), access.to_string());
        }
        true
    }

    /// The secret backend `model` (named as for [`model_uuid`](Self::model_uuid)) uses, as
    /// the emulated Juju reports it: on 3.x the model's `secret-backend` config value
    /// (`auto` by default; set with `ModelConfig.ModelSet`), on 4.0 what
    /// `GetModelSecretBackend` answers (`auto` for the built-in backend, also after the
    /// backend the model used was removed). `None` if there is no such model.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// assert_eq!(fake.model_secret_backend("admin/default").as_deref(), Some("auto"));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn model_secret_backend(&self, model: &str) -> Option<String> {
        let st = self.shared.state();
        let m = st.models.find(model)?;
        Some(modelconfig::secret_backend(&st, m))
    }

    /// Treats `model` (named as for [`model_uuid`](Self::model_uuid)) as migrated to
    /// `target`: logins to its `/model/<uuid>/api` by its users are answered
    /// `redirection required` with `target`'s address, CA certificate and controller tag,
    /// and it is no longer listed. `None` brings it back. Returns false if there is no such
    /// model.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let old = FakeController::start()?;
    /// let new = FakeController::start()?;
    /// assert!(old.redirect_model("admin/default", Some(&new)));
    /// assert!(old.redirect_model("admin/default", None));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn redirect_model(&self, model: &str, target: Option<&FakeController>) -> bool {
        let target = target.map(|t| RedirectTarget {
            addrs: vec![t.shared.addr],
            ca_pem: t.shared.ca_pem.clone(),
            controller_uuid: t.controller_uuid(),
        });
        let mut st = self.shared.state();
        match st.models.find_mut(model) {
            Some(m) => {
                m.redirect = target;
                true
            }
            None => false,
        }
    }

    /// Makes every request for `method` (any facade, e.g. `"Ping"`; `"*"` for every method
    /// without a fault of its own, `Login` included) misbehave. It applies to requests that
    /// arrive from now on, on every connection.
    ///
    /// ```
    /// use std::time::Duration;
    /// use juju_client::{testing::{Fault, FakeController}, Controller};
    ///
    /// let fake = FakeController::start()?;
    /// let ctrl = Controller::connect(&fake.connect_options().call_timeout(Duration::from_millis(100)))?;
    /// fake.inject("Ping", Fault::NoReply);
    /// assert!(ctrl.ping().unwrap_err().is_timeout());
    /// fake.clear_faults();
    /// ctrl.ping()?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn inject(&self, method: &str, fault: Fault) {
        self.shared.state().faults.insert(method.to_string(), fault);
    }

    /// Answers every login with `redirection required`, naming `target`'s address, CA
    /// certificate and controller tag in `error-info`, as a controller does for a model that
    /// migrated away. `None` stops redirecting.
    ///
    /// ```
    /// use juju_client::{testing::FakeController, Controller, ErrorCode, Redirect};
    ///
    /// let old = FakeController::start()?;
    /// let new = FakeController::builder().admin_password(old.password()).start()?;
    /// old.redirect_logins_to(Some(&new));
    /// let err = Controller::connect(&old.connect_options()).unwrap_err();
    /// assert_eq!(err.code(), Some(ErrorCode::Redirect));
    /// assert_eq!(Redirect::from_error(&err).unwrap().servers, [new.endpoint()]);
    /// let ctrl = Controller::connect(&old.connect_options().follow_redirects(true))?;
    /// assert_eq!(ctrl.controller_uuid(), new.controller_uuid());
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn redirect_logins_to(&self, target: Option<&FakeController>) {
        self.shared.state().admin.redirect = target.map(|t| RedirectTarget {
            addrs: vec![t.shared.addr],
            ca_pem: t.shared.ca_pem.clone(),
            controller_uuid: t.controller_uuid(),
        });
    }

    /// Writes a juju client store into `dir` (created if needed) that points at this fake as
    /// controller `name`, the current controller, with the `admin` account: the
    /// `controllers.yaml`, `accounts.yaml` and `models.yaml` the `juju` CLI would write
    /// (every model, keyed `owner/name`; `admin/default` is the current model). The files
    /// are replaced. Use it with `JUJU_DATA=dir` or [`ConnectOptions::from_juju_data_dir`].
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput` when the directory or a file cannot be written.
    ///
    /// ```
    /// use juju_client::{testing::FakeController, ConnectOptions, Controller};
    ///
    /// let fake = FakeController::start()?;
    /// let dir = std::env::temp_dir().join(format!("juju-data-doc-{}", fake.port()));
    /// fake.write_juju_data(&dir, "fake")?;
    /// let ctrl = Controller::connect(&ConnectOptions::from_juju_data_dir(&dir, None)?)?;
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[cfg(feature = "juju-data")]
    pub fn write_juju_data(&self, dir: &std::path::Path, name: &str) -> Result<(), Error> {
        let st = self.shared.state();
        let ca: String = self
            .shared
            .ca_pem
            .lines()
            .map(|l| format!("      {l}\n"))
            .collect();
        let controllers = format!(
            "controllers:\n  {name}:\n    uuid: {uuid}\n    api-endpoints: ['{ep}']\n    \
             ca-cert: |\n{ca}    cloud: localhost\n    region: localhost\n    type: lxd\n    \
             agent-version: {version}\n    controller-machine-count: 1\n    \
             active-controller-machine-count: 1\n    machine-count: 1\n\
             current-controller: {name}\n",
            uuid = st.controller_uuid,
            ep = self.endpoint(),
            version = st.server_version,
        );
        // Quoted (a JSON string is a YAML double-quoted scalar), so that any password,
        // `#`, `: ` or leading `*` included, reads back as itself.
        let accounts = format!(
            "controllers:\n  {name}:\n    user: admin\n    password: {pw}\n    last-known-access: superuser\n",
            pw = serde_json::Value::String(self.admin_password.clone())
        );
        // jujuclient's ModelDetails (`jujuclient/interface.go`): uuid, type, and the active
        // branch, which the CLI sets to `master`.
        let mut models = format!("controllers:\n  {name}:\n    models:\n");
        for m in st.models.iter().filter(|m| m.redirect.is_none()) {
            models.push_str(&format!(
                "      {}/{}:\n        uuid: {}\n        type: {}\n        branch: master\n",
                m.owner,
                m.name,
                m.uuid,
                m.kind()
            ));
        }
        models.push_str("    current-model: admin/default\n");
        drop(st);
        let write = |file: &str, text: &str| {
            write_private(&dir.join(file), text)
                .map_err(|e| setup_error(&format!("write {}", dir.join(file).display()), e))
        };
        std::fs::create_dir_all(dir)
            .map_err(|e| setup_error(&format!("create {}", dir.display()), e))?;
        write("controllers.yaml", &controllers)?;
        write("accounts.yaml", &accounts)?;
        write("models.yaml", &models)
    }

    /// As [`write_juju_data`](Self::write_juju_data), but as the `juju` CLI leaves things
    /// after `juju login -u <user>`: `accounts.yaml` holds the user and no password, and
    /// `cookies/<name>.json` holds a discharged login macaroon for the user, filed under the
    /// controller's UUID (Go `persistent-cookiejar` format). It expires in 24 hours of the
    /// fake's clock ([`advance_clock`](Self::advance_clock)).
    ///
    /// # Errors
    ///
    /// As [`write_juju_data`](Self::write_juju_data).
    ///
    /// ```
    /// use juju_client::{testing::FakeController, ConnectOptions, Controller};
    ///
    /// let fake = FakeController::start()?;
    /// let dir = std::env::temp_dir().join(format!("juju-data-jar-doc-{}", fake.port()));
    /// fake.write_juju_data_with_cookies(&dir, "fake", "bob")?;
    /// let ctrl = Controller::connect(&ConnectOptions::from_juju_data_dir(&dir, None)?)?;
    /// assert_eq!(ctrl.user(), "user-bob");
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    #[cfg(feature = "juju-data")]
    pub fn write_juju_data_with_cookies(
        &self,
        dir: &std::path::Path,
        name: &str,
        user: &str,
    ) -> Result<(), Error> {
        self.write_juju_data(dir, name)?;
        let accounts =
            format!("controllers:\n  {name}:\n    user: {user}\n    last-known-access: login\n");
        write_private(&dir.join("accounts.yaml"), &accounts)
            .map_err(|e| setup_error("write accounts.yaml", e))?;
        let (slice, uuid, now) = {
            let mut st = self.shared.state();
            let location = st.controller_model_uuid.clone();
            let slice = st.bakery.slice_for(user, &self.endpoint(), &location);
            let now = std::time::SystemTime::now() + st.bakery.skew;
            (slice, st.controller_uuid.clone(), now)
        };
        let now = now
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let secs = i64::try_from(now.as_secs()).unwrap_or(0);
        let stamp = crate::macaroon::format_rfc3339(secs, now.subsec_nanos());
        let expires = crate::macaroon::format_rfc3339(secs + 24 * 3600, 0);
        let psig = slice[0]["s64"]
            .as_str()
            .and_then(crate::macaroon::b64_decode)
            .unwrap_or_default();
        // Go's field order and encodings (`persistent-cookiejar` `entry`, `httpbakery.NewCookie`).
        let value = data_encoding::BASE64.encode(slice.to_string().as_bytes());
        let jar = format!(
            "[{{\"Name\":\"macaroon-{name_hex}\",\"Value\":\"{value}\",\"Domain\":\"{uuid}\",\"Path\":\"/\",\"Secure\":false,\"HttpOnly\":false,\"Persistent\":true,\"HostOnly\":true,\"Expires\":\"{expires}\",\"Creation\":\"{stamp}\",\"LastAccess\":\"{stamp}\",\"Updated\":\"{stamp}\",\"CanonicalHost\":\"{uuid}\"}}]\n",
            name_hex = data_encoding::HEXLOWER.encode(&psig),
        );
        let cookies = dir.join("cookies");
        std::fs::create_dir_all(&cookies)
            .map_err(|e| setup_error(&format!("create {}", cookies.display()), e))?;
        write_private(&cookies.join(format!("{name}.json")), &jar)
            .map_err(|e| setup_error("write the cookie jar", e))
    }

    /// Moves the fake's clock forward (for macaroon expiry: login macaroons and their
    /// discharges last 24 hours).
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// fake.advance_clock(std::time::Duration::from_secs(25 * 3600));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.shared.state().bakery.skew += by;
    }

    /// Makes minted login macaroons point their third-party caveat at `location` (an
    /// `https://…/auth` URL) instead of this controller's `/auth`; `None` restores it.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// fake.set_discharge_location(Some("https://idm.example.com/auth"));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn set_discharge_location(&self, location: Option<&str>) {
        self.shared.state().bakery.location_override = location.map(str::to_string);
    }

    /// Makes `/auth/discharge` offer these interaction methods (a JSON object, method name
    /// → info) instead of Juju's `juju_userpass`; `None` restores it.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// fake.set_interaction_methods(Some(serde_json::json!({"browser-window": {}})));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn set_interaction_methods(&self, methods: Option<Value>) {
        self.shared.state().bakery.methods_override = methods;
    }

    /// The `/auth` requests served over plain HTTPS, in order: `POST /auth/discharge`,
    /// `POST /auth/form` (their parameters hold secrets and are not kept).
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// assert!(fake.auth_requests().is_empty());
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn auth_requests(&self) -> Vec<String> {
        self.shared
            .state()
            .bakery
            .served
            .iter()
            .map(|p| format!("POST {p}"))
            .collect()
    }

    /// Removes every injected fault.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// fake.inject("Ping", juju_client::testing::Fault::NoReply);
    /// fake.clear_faults();
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn clear_faults(&self) {
        self.shared.state().faults.clear();
    }

    /// Every request received so far, in order.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// let ctrl = juju_client::Controller::connect(&fake.connect_options())?;
    /// assert_eq!(fake.requests()[0].method, "Login");
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.shared.state().requests.clone()
    }

    /// Every WebSocket upgrade received so far, in order: the path and the client version
    /// header of each connection.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// let ctrl = juju_client::Controller::connect(&fake.connect_options())?;
    /// let upgrade = &fake.upgrade_requests()[0];
    /// assert_eq!(upgrade.path, "/api");
    /// assert_eq!(upgrade.client_version.as_deref(), Some(juju_client::JUJU_CLIENT_VERSION));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn upgrade_requests(&self) -> Vec<UpgradeRequest> {
        self.shared.state().upgrades.clone()
    }

    /// Forgets the requests received so far.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// let ctrl = juju_client::Controller::connect(&fake.connect_options())?;
    /// fake.clear_requests();
    /// ctrl.ping()?;
    /// assert_eq!(fake.requests().len(), 1);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn clear_requests(&self) {
        self.shared.state().requests.clear();
    }

    /// Closes every open connection abruptly (no close frame), as a crashed controller
    /// would. New connections are still accepted.
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let fake = FakeController::start()?;
    /// let ctrl = juju_client::Controller::connect(&fake.connect_options())?;
    /// fake.drop_connections();
    /// assert!(ctrl.ping().unwrap_err().is_connection_closed());
    /// ctrl.reconnect()?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn drop_connections(&self) {
        let conns =
            std::mem::take(&mut *self.shared.conns.lock().unwrap_or_else(|e| e.into_inner()));
        for c in conns.into_values() {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
    }

    /// Stops serving and closes every connection (also done on drop).
    ///
    /// ```
    /// use juju_client::testing::FakeController;
    /// let mut fake = FakeController::start()?;
    /// fake.stop();
    /// assert!(juju_client::Controller::connect(&fake.connect_options()).is_err());
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn stop(&mut self) {
        if self.shared.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the accept loop.
        let _ = TcpStream::connect(self.shared.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        self.drop_connections();
    }
}

impl Drop for FakeController {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Writes a file only its owner can read (a password is in it), as the `juju` CLI does.
#[cfg(feature = "juju-data")]
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        o.mode(0o600);
        // `mode` applies only to a new file: tighten one that was already there.
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    o.open(path)?.write_all(text.as_bytes())
}

/// TLS 1.2 and 1.3 (Mozilla's intermediate v5 profile), with two session tickets sent
/// after each TLS 1.3 handshake, as Go's crypto/tls server sends them: they reach the client
/// as post-handshake records in its first reads, mid-connection.
fn tls_acceptor(cert_pem: &str, key_pem: &str) -> Result<SslAcceptor, openssl::error::ErrorStack> {
    let cert = openssl::x509::X509::from_pem(cert_pem.as_bytes())?;
    let key = openssl::pkey::PKey::private_key_from_pem(key_pem.as_bytes())?;
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())?;
    b.set_min_proto_version(Some(SslVersion::TLS1_2))?;
    b.set_private_key(&key)?;
    b.set_certificate(&cert)?;
    b.check_private_key()?;
    b.set_num_tickets(2)?;
    Ok(b.build())
}

#[cfg(test)]
mod tls_tests {
    use std::io::{Read, Write};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use openssl::ssl::{SslConnector, SslMethod, SslSessionCacheMode, SslVerifyMode};

    #[test]
    fn the_fake_speaks_tls_13_and_sends_session_tickets_after_the_handshake() {
        let fake = super::FakeController::start().unwrap();
        let tickets = Arc::new(AtomicUsize::new(0));
        let mut b = SslConnector::builder(SslMethod::tls_client()).unwrap();
        b.set_verify(SslVerifyMode::NONE);
        b.set_session_cache_mode(SslSessionCacheMode::CLIENT);
        let seen = tickets.clone();
        b.set_new_session_callback(move |_, _| {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        let tcp = std::net::TcpStream::connect(fake.endpoint()).unwrap();
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut tls = b.build().connect("juju-apiserver", tcp).unwrap();
        assert_eq!(tls.ssl().version_str(), "TLSv1.3");
        tls.write_all(b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut answer = Vec::new();
        let _ = tls.read_to_end(&mut answer);
        assert!(answer.starts_with(b"HTTP/1.1 "));
        assert_eq!(tickets.load(Ordering::SeqCst), 2);
    }
}
