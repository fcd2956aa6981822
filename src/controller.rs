//! [`Controller`]: a logged-in connection to a Juju controller, and the generic call path
//! every facade uses.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use log::{debug, info};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, ErrorKind};
use crate::options::ConnectOptions;
use crate::rpc::{CallError, RpcConn, Trace};
use crate::transport::{self, Tls};

/// The facades this client speaks, with the versions it knows (Juju 3.6's client table).
pub const CLIENT_FACADES: &[(&str, &[u32])] = &[
    ("Cloud", &[7]),
    ("Controller", &[11, 12]),
    ("ModelConfig", &[3]),
    ("ModelManager", &[9, 10]),
    ("Pinger", &[1]),
    ("SecretBackends", &[1]),
    ("UserManager", &[3]),
];

/// How long `close` waits for the controller's answering close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

#[derive(Serialize)]
struct LoginRequest<'a> {
    #[serde(rename = "auth-tag")]
    auth_tag: &'a str,
    credentials: &'a str,
    nonce: &'a str,
    macaroons: Option<()>,
    #[serde(rename = "bakery-version")]
    bakery_version: u32,
    #[serde(rename = "user-data")]
    user_data: &'a str,
    #[serde(rename = "client-version")]
    client_version: &'a str,
}

#[derive(Deserialize, Default, Clone, Debug)]
struct HostPort {
    #[serde(default)]
    value: String,
    #[serde(default)]
    port: u16,
}

#[derive(Deserialize, Default, Clone, Debug)]
struct UserInfo {
    #[serde(default)]
    identity: String,
    #[serde(rename = "controller-access", default)]
    controller_access: String,
    // `display-name` and `model-access` are always empty on a controller-only login.
}

#[derive(Deserialize, Default, Clone, Debug)]
struct FacadeVersions {
    name: String,
    #[serde(default)]
    versions: Vec<u32>,
}

#[derive(Deserialize, Default, Clone, Debug)]
pub(crate) struct LoginResult {
    #[serde(rename = "discharge-required", default)]
    discharge_required: Option<serde::de::IgnoredAny>,
    #[serde(rename = "bakery-discharge-required", default)]
    bakery_discharge_required: Option<serde::de::IgnoredAny>,
    #[serde(rename = "discharge-required-error", default)]
    discharge_required_error: Option<String>,
    #[serde(default)]
    servers: Option<Vec<Vec<HostPort>>>,
    #[serde(rename = "public-dns-name", default)]
    public_dns_name: Option<String>,
    #[serde(rename = "controller-tag", default)]
    controller_tag: Option<String>,
    // `model-tag` is absent on a controller-only login.
    #[serde(rename = "user-info", default)]
    user_info: Option<UserInfo>,
    #[serde(default)]
    facades: Option<Vec<FacadeVersions>>,
    #[serde(rename = "server-version", default)]
    server_version: Option<String>,
}

/// What login told us about the controller and ourselves.
#[derive(Debug, Clone)]
struct Session {
    endpoint: String,
    result: LoginResult,
    facades: BTreeMap<String, Vec<u32>>,
}

/// The connection slot: a call takes the connection out, uses it without holding the lock,
/// and puts it back. Other threads wait (within their own deadline) while it is out.
struct Slot {
    conn: Option<RpcConn>,
    in_use: bool,
    /// Why there is no connection (closed by the user, or broken).
    gone: Option<String>,
    /// Bumped by `reconnect`, so a call still using the old connection does not put it back.
    generation: u64,
    /// Threads waiting for the connection: without any, nobody is woken (a futex wake is a
    /// system call, a measurable share of a loopback round trip).
    waiters: usize,
}

/// A logged-in connection to a Juju controller (a controller-only `/api` connection).
///
/// Every method is one blocking round trip bounded by the call timeout; the handle is
/// `Send + Sync`, so threads can share it (their calls take turns on the one connection).
///
/// ```no_run
/// use juju_client::{ConnectOptions, Controller};
///
/// let opts = ConnectOptions::new()
///     .endpoint("10.0.0.5:17070")
///     .username("admin")
///     .password("s3cret")
///     .ca_cert(std::fs::read_to_string("ca.pem")?);
/// let ctrl = Controller::connect(&opts)?;
/// println!("connected to Juju {}", ctrl.server_version());
/// ctrl.ping()?;
/// ctrl.close()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Controller {
    opts: ConnectOptions,
    session: RwLock<Arc<Session>>,
    slot: Mutex<Slot>,
    freed: Condvar,
}

impl std::fmt::Debug for Controller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.session();
        f.debug_struct("Controller")
            .field("endpoint", &s.endpoint)
            .field("controller_uuid", &self.controller_uuid())
            .field("user", &self.user())
            .field("server_version", &self.server_version())
            .finish()
    }
}

/// Restores the slot when a call ends, even if it panicked.
struct InUse<'a> {
    ctrl: &'a Controller,
    conn: Option<RpcConn>,
    broken: Option<String>,
    generation: u64,
}

impl Drop for InUse<'_> {
    fn drop(&mut self) {
        let mut slot = self.ctrl.lock_slot();
        if slot.generation != self.generation {
            // reconnect() replaced the connection meanwhile: ours is obsolete.
            drop(slot);
            if let Some(mut old) = self.conn.take() {
                old.close(Duration::ZERO);
            }
            return;
        }
        slot.in_use = false;
        if thread::panicking() && self.broken.is_none() {
            self.broken = Some("a call panicked mid-way".into());
        }
        match (self.conn.take(), self.broken.take()) {
            (Some(conn), None) => slot.conn = Some(conn),
            (_, reason) => slot.gone = reason,
        }
        let waiting = slot.waiters > 0;
        drop(slot);
        if waiting {
            self.ctrl.freed.notify_one();
        }
    }
}

impl Controller {
    /// Connects to the controller and logs in.
    ///
    /// Endpoints are dialled in parallel with a short stagger; the first to log in wins.
    /// All of it, redirect included, ends within `connect_timeout`. If all fail, the error names every endpoint and
    /// why it failed; its code is the controller's when one answered (for example
    /// `unauthorized access` for a wrong password).
    ///
    /// ```no_run
    /// # use juju_client::{ConnectOptions, Controller};
    /// let ctrl = Controller::connect(
    ///     &ConnectOptions::new().endpoint("10.0.0.5:17070").password("s3cret"),
    /// )?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn connect(opts: &ConnectOptions) -> Result<Controller, Error> {
        let (conn, session) = open(opts)?;
        Ok(Controller {
            opts: opts.clone(),
            session: RwLock::new(Arc::new(session)),
            slot: Mutex::new(Slot {
                conn: Some(conn),
                in_use: false,
                gone: None,
                generation: 0,
                waiters: 0,
            }),
            freed: Condvar::new(),
        })
    }

    /// Dials again and logs in with the same options, then closes the old connection (if
    /// any). Calls waiting for the connection, and later ones, use the new one; a call
    /// already in progress finishes, or fails, on the old one.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// if let Err(e) = ctrl.ping() {
    ///     if e.is_connection_closed() {
    ///         ctrl.reconnect()?;
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn reconnect(&self) -> Result<(), Error> {
        let (conn, session) = open(&self.opts)?;
        let old = {
            let mut slot = self.lock_slot();
            // A call still in progress keeps the old connection and closes it when done.
            let old = slot.conn.take();
            slot.conn = Some(conn);
            slot.gone = None;
            slot.in_use = false;
            slot.generation += 1;
            old
        };
        *self.session.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(session);
        self.freed.notify_all();
        if let Some(mut old) = old {
            old.close(Duration::ZERO);
        }
        Ok(())
    }

    /// Closes the connection: sends a WebSocket close (1000) and waits briefly for the
    /// controller's. Later calls fail with [`Error::is_connection_closed`] until
    /// [`reconnect`](Self::reconnect). Closing twice is fine.
    ///
    /// ```no_run
    /// # fn f(ctrl: juju_client::Controller) -> Result<(), juju_client::Error> {
    /// ctrl.close()?;
    /// # Ok(()) }
    /// ```
    pub fn close(&self) -> Result<(), Error> {
        let deadline = crate::util::deadline_after(self.opts.call_timeout);
        let conn = {
            let mut slot = self.wait_free(deadline, "close")?;
            slot.gone = Some("the connection was closed by close()".into());
            slot.conn.take()
        };
        self.freed.notify_all();
        if let Some(mut conn) = conn {
            conn.close(CLOSE_WAIT.min(self.opts.call_timeout));
        }
        Ok(())
    }

    /// Calls `Pinger.Ping`: a cheap check that the connection is alive.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// ctrl.ping()?;
    /// # Ok(()) }
    /// ```
    pub fn ping(&self) -> Result<(), Error> {
        let version = self.require_facade("Pinger")?;
        let _: serde::de::IgnoredAny =
            self.call_inner("Pinger", version, "Ping", &serde_json::json!({}), false)?;
        Ok(())
    }

    /// Calls any facade method at the best version both sides speak, and decodes the
    /// `response` into `R`. Use `serde_json::Value` for `R` to see the raw reply.
    ///
    /// A facade the controller does not offer fails here, without touching the wire, with
    /// code `not supported`. For a facade not in this client's table
    /// ([`CLIENT_FACADES`]), the controller's highest version is used.
    ///
    /// This crate cannot tell whether an arbitrary method changes anything, so it assumes
    /// it might: if the reply is lost after the request was sent, the error says the
    /// outcome is unknown ([`Error::is_outcome_unknown`]).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let reply: serde_json::Value = ctrl.call(
    ///     "SecretBackends",
    ///     "ListSecretBackends",
    ///     &serde_json::json!({"names": null, "reveal": false}),
    /// )?;
    /// # Ok(()) }
    /// ```
    pub fn call<P, R>(&self, facade: &str, method: &str, params: &P) -> Result<R, Error>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let version = self.require_facade(facade)?;
        self.call_traced(facade, version, method, params, true, Trace::SizesOnly)
    }

    /// Calls a facade method at an explicit version, with no local check: whatever the
    /// controller answers comes back (for example `unknown version (9) of interface "X"`).
    /// Like [`call`](Self::call), a lost reply is reported as of unknown outcome.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let _: serde_json::Value = ctrl.call_at("Pinger", 1, "Ping", &serde_json::json!({}))?;
    /// # Ok(()) }
    /// ```
    pub fn call_at<P, R>(
        &self,
        facade: &str,
        version: u32,
        method: &str,
        params: &P,
    ) -> Result<R, Error>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        self.call_traced(facade, version, method, params, true, Trace::SizesOnly)
    }

    /// The negotiated version of `facade`, or a local `not supported` error.
    pub(crate) fn require_facade(&self, facade: &str) -> Result<u32, Error> {
        self.best_facade_version(facade).ok_or_else(|| {
            let session = self.session();
            let offered = session.facades.get(facade);
            let ours = client_versions(facade);
            let msg = match (offered, ours) {
                (None, _) => format!(
                    "facade {facade:?} is not offered by this controller (Juju {})",
                    self.server_version()
                ),
                (Some(theirs), Some(ours)) => format!(
                    "facade {facade:?}: the controller offers versions {theirs:?}, this client speaks {ours:?}"
                ),
                (Some(theirs), None) => {
                    format!("facade {facade:?}: the controller offers versions {theirs:?}")
                }
            };
            Error::new(ErrorKind::Api, msg).with_code(ErrorCode::NotSupported)
        })
    }

    /// One call through the connection slot. `mutating` calls that lose their reply say
    /// that the outcome is unknown.
    pub(crate) fn call_inner<P, R>(
        &self,
        facade: &str,
        version: u32,
        method: &str,
        params: &P,
        mutating: bool,
    ) -> Result<R, Error>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        self.call_traced(facade, version, method, params, mutating, Trace::Redacted)
    }

    /// [`call_inner`](Self::call_inner), saying what the trace log may show.
    fn call_traced<P, R>(
        &self,
        facade: &str,
        version: u32,
        method: &str,
        params: &P,
        mutating: bool,
        trace: Trace,
    ) -> Result<R, Error>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let timeout = self.opts.call_timeout;
        let deadline = crate::util::deadline_after(timeout);
        let (conn, generation) = {
            let mut slot = self.wait_free(deadline, &format!("{facade}.{method}"))?;
            match slot.conn.take() {
                Some(c) => {
                    slot.in_use = true;
                    (c, slot.generation)
                }
                None => {
                    let why = slot.gone.clone().unwrap_or_else(|| "closed".into());
                    return Err(Error::closed(format!(
                        "{facade}.{method}: not connected ({why}); call reconnect()"
                    )));
                }
            }
        };
        let mut guard = InUse {
            ctrl: self,
            conn: Some(conn),
            broken: None,
            generation,
        };
        let conn = guard
            .conn
            .as_mut()
            .expect("connection present while in use");
        let result = conn.call(facade, version, method, params, deadline, timeout, trace);
        match result {
            Ok(r) => Ok(r),
            Err(CallError::NotSent(e)) => Err(e),
            Err(CallError::Usable(e)) if e.code() == Some(ErrorCode::IncompatibleClient) => {
                Err(explain_incompatible(e, &self.opts.client_version))
            }
            Err(CallError::Usable(e)) => {
                if mutating && e.is_timeout() {
                    Err(e.mark_outcome_unknown())
                } else {
                    Err(e)
                }
            }
            Err(CallError::Broken { error, sent }) => {
                guard.broken = Some(error.message().to_string());
                if let Some(mut c) = guard.conn.take() {
                    c.close(Duration::ZERO);
                }
                if mutating && sent {
                    Err(error.mark_outcome_unknown())
                } else {
                    Err(error)
                }
            }
        }
    }

    fn lock_slot(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until no call is using the connection, or `deadline`.
    fn wait_free(&self, deadline: Instant, what: &str) -> Result<MutexGuard<'_, Slot>, Error> {
        let mut slot = self.lock_slot();
        if !slot.in_use {
            return Ok(slot);
        }
        slot.waiters += 1;
        let result = loop {
            if !slot.in_use {
                break Ok(());
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break Err(Error::timeout(
                    &format!("{what}: waiting for the connection (busy with another call)"),
                    self.opts.call_timeout,
                ));
            };
            slot = self
                .freed
                .wait_timeout(slot, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        };
        slot.waiters -= 1;
        result.map(|()| slot)
    }

    fn session(&self) -> Arc<Session> {
        self.session
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The Juju version of the controller, e.g. `3.6.26`.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) {
    /// if ctrl.server_version().starts_with("3.") { /* ... */ }
    /// # }
    /// ```
    pub fn server_version(&self) -> String {
        self.session()
            .result
            .server_version
            .clone()
            .unwrap_or_default()
    }

    /// The controller's UUID (from its `controller-tag`).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) {
    /// println!("{}", ctrl.controller_uuid());
    /// # }
    /// ```
    pub fn controller_uuid(&self) -> String {
        let tag = self
            .session()
            .result
            .controller_tag
            .clone()
            .unwrap_or_default();
        tag.strip_prefix("controller-").unwrap_or(&tag).to_string()
    }

    /// The logged-in identity, as the controller names it (e.g. `user-admin`).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) {
    /// assert_eq!(ctrl.user(), "user-admin");
    /// # }
    /// ```
    pub fn user(&self) -> String {
        self.session()
            .result
            .user_info
            .as_ref()
            .map(|u| u.identity.clone())
            .unwrap_or_default()
    }

    /// The user's access to the controller: `login`, `add-model` or `superuser`.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) {
    /// let can_change_backends = ctrl.controller_access() == "superuser";
    /// # }
    /// ```
    pub fn controller_access(&self) -> String {
        self.session()
            .result
            .user_info
            .as_ref()
            .map(|u| u.controller_access.clone())
            .unwrap_or_default()
    }

    /// The facades the controller offers, name → versions.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) {
    /// let has_backends = ctrl.facades().contains_key("SecretBackends");
    /// # }
    /// ```
    pub fn facades(&self) -> BTreeMap<String, Vec<u32>> {
        self.session().facades.clone()
    }

    /// The controller's API addresses as `host:port` (IPv6 bracketed), all machines.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) {
    /// for addr in ctrl.servers() { println!("{addr}"); }
    /// # }
    /// ```
    pub fn servers(&self) -> Vec<String> {
        let session = self.session();
        host_ports(session.result.servers.as_deref().unwrap_or_default())
    }

    /// The controller's public DNS name, when it has one (`public-dns-name` in its config).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) {
    /// if let Some(name) = ctrl.public_dns_name() {
    ///     println!("reachable as {name}");
    /// }
    /// # }
    /// ```
    pub fn public_dns_name(&self) -> Option<String> {
        self.session()
            .result
            .public_dns_name
            .clone()
            .filter(|n| !n.is_empty())
    }

    /// The endpoint this connection was made to.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) {
    /// println!("connected via {}", ctrl.endpoint());
    /// # }
    /// ```
    pub fn endpoint(&self) -> String {
        self.session().endpoint.clone()
    }

    /// The version of `name` this client will use: the highest both sides speak, or
    /// `None` when there is none (or the controller does not offer the facade). For a
    /// facade not in [`CLIENT_FACADES`], the controller's highest version.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) {
    /// assert_eq!(ctrl.best_facade_version("SecretBackends"), Some(1));
    /// # }
    /// ```
    pub fn best_facade_version(&self, name: &str) -> Option<u32> {
        let session = self.session();
        let theirs = session.facades.get(name)?;
        match client_versions(name) {
            Some(ours) => theirs.iter().filter(|v| ours.contains(v)).max().copied(),
            None => theirs.iter().max().copied(),
        }
    }

    /// The options this controller was connected with.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) {
    /// println!("{:?}", ctrl.options().get_endpoints());
    /// # }
    /// ```
    pub fn options(&self) -> &ConnectOptions {
        &self.opts
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        let slot = self.slot.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Some(mut conn) = slot.conn.take() {
            // Best effort: say goodbye, do not wait.
            conn.close(Duration::ZERO);
        }
    }
}

/// Says what a Juju 3.1/3.2 controller's `incompatible client` refusal means and how to
/// get past it (`apiserver/restrict_newer_client.go` at 3.2.0).
fn explain_incompatible(e: Error, sent: &str) -> Error {
    let server = e
        .info()
        .and_then(|i| i.get("server-version"))
        .and_then(|v| v.as_str())
        .unwrap_or("unknown")
        .to_string();
    let major = server.split('.').next().unwrap_or("?");
    e.explain(format!(
        "this client sent client-version {sent:?} and the controller runs Juju {server}, which \
         serves only clients of its own major version: connect with \
         ConnectOptions::client_version(\"{major}.x.y\"), or leave it unset to send {}",
        crate::JUJU_CLIENT_VERSION
    ))
}

fn client_versions(name: &str) -> Option<&'static [u32]> {
    CLIENT_FACADES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
}

fn host_ports(servers: &[Vec<HostPort>]) -> Vec<String> {
    servers
        .iter()
        .flatten()
        .map(|hp| {
            if hp.value.contains(':') {
                format!("[{}]:{}", hp.value, hp.port)
            } else {
                format!("{}:{}", hp.value, hp.port)
            }
        })
        .collect()
}

/// Dials the endpoints (and follows one redirect if asked) and logs in.
fn open(opts: &ConnectOptions) -> Result<(RpcConn, Session), Error> {
    // One deadline for the whole connect, redirect included: `connect_timeout` is the
    // longest a caller waits, however the endpoints behave.
    let deadline = crate::util::deadline_after(opts.connect_timeout);
    match open_endpoints(opts, deadline) {
        Err(e) if opts.follow_redirects && e.code() == Some(ErrorCode::Redirect) => {
            let target = crate::Redirect::from_error(&e).ok_or(e)?;
            info!("following redirect to {:?}", target.servers);
            let mut next = opts.clone().endpoints(target.servers.clone());
            next.ca_cert = Some(target.ca_cert.clone());
            next.follow_redirects = false;
            // The other controller has its own UUID.
            next.expected_uuid = target
                .controller_tag
                .as_deref()
                .map(|t| t.strip_prefix("controller-").unwrap_or(t).to_string());
            open_endpoints(&next, deadline).map_err(|e| e.context("following a redirect"))
        }
        other => other,
    }
}

fn open_endpoints(opts: &ConnectOptions, deadline: Instant) -> Result<(RpcConn, Session), Error> {
    if opts.endpoints.is_empty() {
        return Err(Error::invalid(
            "connect: no endpoint given (ConnectOptions::endpoint)",
        ));
    }
    for e in &opts.endpoints {
        transport::split_endpoint(e)?;
    }
    opts.check_client_version()?;
    let tls = Tls::new(opts)?;
    if opts.endpoints.len() == 1 {
        let ep = &opts.endpoints[0];
        return open_one(ep, opts, &tls, deadline)
            .map_err(|e| e.context(format!("connect to {ep}")));
    }
    // Several endpoints: start one dial per endpoint, staggered; the first login wins.
    let (tx, rx) = mpsc::channel();
    let done = Arc::new(AtomicBool::new(false));
    for (i, ep) in opts.endpoints.iter().enumerate() {
        let tx = tx.clone();
        let done = done.clone();
        let opts = opts.clone();
        let tls = tls.clone();
        let ep = ep.clone();
        let delay = opts.dial_stagger * i as u32;
        thread::Builder::new()
            .name(format!("juju-dial-{i}"))
            .spawn(move || {
                if !delay.is_zero() {
                    thread::sleep(delay);
                }
                if done.load(Ordering::SeqCst) {
                    return;
                }
                let r = open_one(&ep, &opts, &tls, deadline);
                // If nobody listens any more, the connection is dropped here.
                let _ = tx.send((i, r));
            })
            .map_err(|e| {
                Error::new(
                    ErrorKind::Connect,
                    format!("connect: cannot start a dialler thread: {e}"),
                )
            })?;
    }
    drop(tx);
    let mut errors: Vec<Option<Error>> = opts.endpoints.iter().map(|_| None).collect();
    while let Ok((i, r)) = rx.recv() {
        match r {
            Ok(ok) => {
                done.store(true, Ordering::SeqCst);
                return Ok(ok);
            }
            Err(e) => {
                debug!("endpoint {} failed: {e}", opts.endpoints[i]);
                errors[i] = Some(e);
            }
        }
    }
    Err(combine(&opts.endpoints, errors))
}

/// One error naming every endpoint; code and kind come from a controller's answer if any.
fn combine(endpoints: &[String], errors: Vec<Option<Error>>) -> Error {
    let errors: Vec<Error> = errors
        .into_iter()
        .map(|e| e.unwrap_or_else(|| Error::new(ErrorKind::Connect, "not tried")))
        .collect();
    let detail = endpoints
        .iter()
        .zip(&errors)
        .map(|(ep, e)| format!("{ep}: {e}"))
        .collect::<Vec<_>>()
        .join("; ");
    let msg = format!(
        "connect: all {} endpoints failed: {detail}",
        endpoints.len()
    );
    if let Some(api) = errors.iter().find(|e| e.kind() == ErrorKind::Api) {
        return Error::api(msg, api.code(), api.info().cloned());
    }
    let all_timeouts = errors.iter().all(|e| e.is_timeout());
    let e = Error::new(ErrorKind::Connect, msg);
    if all_timeouts {
        e.mark_timed_out()
    } else {
        e
    }
}

/// Dials one endpoint and logs in, before `deadline`.
fn open_one(
    endpoint: &str,
    opts: &ConnectOptions,
    tls: &Tls,
    deadline: Instant,
) -> Result<(RpcConn, Session), Error> {
    let timeout = opts.connect_timeout;
    let started = Instant::now();
    let socket = transport::dial(
        endpoint,
        tls,
        opts.max_message_size,
        &opts.client_version,
        deadline,
        timeout,
    )?;
    let mut conn = RpcConn::new(socket);
    let tag = opts.user_tag();
    let req = LoginRequest {
        auth_tag: &tag,
        credentials: opts.password.as_deref().unwrap_or(""),
        nonce: "",
        macaroons: None,
        bakery_version: 3,
        user_data: "",
        client_version: &opts.client_version,
    };
    let result: LoginResult = conn
        .call(
            "Admin",
            3,
            "Login",
            &req,
            deadline,
            timeout,
            Trace::Redacted,
        )
        .map_err(|e| {
            let e = e.into_error();
            if e.is_timeout() {
                Error::new(ErrorKind::Connect, format!("login: {}", e.message())).mark_timed_out()
            } else if e.kind() == ErrorKind::Api {
                e.context("login")
            } else {
                e.with_kind(ErrorKind::Connect).context("login")
            }
        })?;
    if result.discharge_required.is_some() || result.bakery_discharge_required.is_some() {
        let why = result
            .discharge_required_error
            .clone()
            .unwrap_or_else(|| "no password was given".into());
        return Err(Error::new(
            ErrorKind::Api,
            format!(
                "login: the controller asked for a macaroon discharge ({why}); macaroon login \
                 is not supported yet: give the user's password"
            ),
        )
        .with_code(ErrorCode::DischargeRequired));
    }
    if let Some(expected) = &opts.expected_uuid {
        let tag = result.controller_tag.as_deref().unwrap_or("");
        let got = tag.strip_prefix("controller-").unwrap_or(tag);
        if got != expected {
            let name = opts.controller_name.as_deref().map_or_else(
                || "the controller".to_string(),
                |n| format!("controller {n:?}"),
            );
            return Err(Error::new(
                ErrorKind::Connect,
                format!(
                    "this endpoint is controller {got:?}, but {name} has UUID {expected:?}: \
                     the endpoints point at another controller"
                ),
            ));
        }
    }
    let facades = result
        .facades
        .iter()
        .flatten()
        .map(|f| (f.name.clone(), f.versions.clone()))
        .collect();
    debug!(
        "logged in to {endpoint} as {tag} in {:?} (Juju {})",
        started.elapsed(),
        result.server_version.as_deref().unwrap_or("?")
    );
    Ok((
        conn,
        Session {
            endpoint: endpoint.to_string(),
            result,
            facades,
        },
    ))
}

/// Where a `redirection required` login error points: the controller to connect to instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Redirect {
    /// The API addresses of the other controller, `host:port`.
    pub servers: Vec<String>,
    /// Its CA certificate (PEM).
    pub ca_cert: String,
    /// Its controller tag, when given.
    pub controller_tag: Option<String>,
}

impl Redirect {
    /// Reads the redirect target out of a `redirection required` error's `error-info`.
    ///
    /// ```no_run
    /// # use juju_client::{ConnectOptions, Controller, Redirect};
    /// # let opts = ConnectOptions::new();
    /// match Controller::connect(&opts) {
    ///     Err(e) => if let Some(r) = Redirect::from_error(&e) {
    ///         println!("the model moved to {:?}", r.servers);
    ///     },
    ///     Ok(_) => {}
    /// }
    /// ```
    pub fn from_error(e: &Error) -> Option<Redirect> {
        if e.code() != Some(ErrorCode::Redirect) {
            return None;
        }
        #[derive(Deserialize)]
        struct Info {
            #[serde(default)]
            servers: Vec<Vec<HostPort>>,
            #[serde(rename = "ca-cert", default)]
            ca_cert: String,
            #[serde(rename = "controller-tag", default)]
            controller_tag: Option<String>,
        }
        let info: Info = serde_json::from_value(e.info()?.clone()).ok()?;
        let servers = host_ports(&info.servers);
        if servers.is_empty() || info.ca_cert.is_empty() {
            return None;
        }
        Some(Redirect {
            servers,
            ca_cert: info.ca_cert,
            controller_tag: info.controller_tag,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_error_yields_servers_and_ca() {
        let info = serde_json::json!({
            "servers": [[{"value": "10.0.0.9", "type": "ipv4", "scope": "public", "port": 17070},
                         {"value": "fd00::9", "type": "ipv6", "scope": "public", "port": 17070}]],
            "ca-cert": "-----BEGIN CERTIFICATE-----\n...",
            "controller-tag": "controller-abc"
        });
        let e = Error::api(
            "redirection to alternative server required",
            Some(ErrorCode::Redirect),
            Some(info),
        );
        let r = Redirect::from_error(&e).unwrap();
        assert_eq!(r.servers, ["10.0.0.9:17070", "[fd00::9]:17070"]);
        assert!(r.ca_cert.starts_with("-----BEGIN"));
        assert_eq!(r.controller_tag.as_deref(), Some("controller-abc"));
        let other = Error::api("x", Some(ErrorCode::NotFound), None);
        assert!(Redirect::from_error(&other).is_none());
    }
}
