//! The connection core every kind of connection shares (controller, model): the current
//! connection (a [`Mux`] that threads call on at once), calls with their deadlines and
//! what a lost reply means, facade version negotiation, `reconnect` and `close`.
//! [`crate::Controller`] and [`crate::Model`] are thin wrappers over a [`Connection`];
//! facade modules call through it as a [`Caller`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
use std::thread;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::caller::{Caller, Effect, Facade, Serves};
use crate::dial;
use crate::error::{Error, ErrorCode, ErrorKind};
use crate::login::{self, Session, Target, host_ports};
use crate::mux::{self, Mux};
use crate::options::ConnectOptions;
use crate::redact::Redaction;
use crate::rpc::{Call, CallError, RpcConn};
use crate::tags;
use log::debug;

/// How long `close` waits for the controller's answering close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// The connection in use, or why there is none.
struct Current {
    mux: Option<Arc<Mux>>,
    /// Why there is no connection (closed by the user).
    gone: Option<String>,
}

/// A logged-in connection and what its login said.
pub(crate) struct Connection {
    opts: ConnectOptions,
    target: Target,
    session: RwLock<Arc<Session>>,
    current: RwLock<Current>,
    /// Held while reconnecting, so threads that find the connection broken at once
    /// reconnect it once.
    reconnecting: Mutex<()>,
}

/// The longest sleep between connect attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Go's `pingTimeout` (`api/apiclient.go`): how long a keepalive ping may take.
const PING_TIMEOUT: Duration = Duration::from_secs(30);

impl Connection {
    /// Dials, upgrades to the target's path and logs in.
    pub(crate) fn connect(opts: &ConnectOptions, target: Target) -> Result<Connection, Error> {
        let (conn, session) = open_with_retries(opts, &target)?;
        let core = Connection {
            opts: opts.clone(),
            target,
            session: RwLock::new(Arc::new(session)),
            current: RwLock::new(Current {
                mux: None,
                gone: None,
            }),
            reconnecting: Mutex::new(()),
        };
        let mux = core.start(conn)?;
        core.write_current().mux = Some(mux);
        Ok(core)
    }

    /// Shares a logged-in connection between threads and starts its keepalive.
    fn start(&self, conn: RpcConn) -> Result<Arc<Mux>, Error> {
        let mux = Mux::new(conn)?;
        if let (Some(interval), Some(version)) =
            (self.opts.keepalive, self.best_version("Pinger", Some(&[1])))
        {
            let ping_timeout = PING_TIMEOUT.min(self.opts.call_timeout);
            mux::start_keepalive(&mux, interval, version, ping_timeout);
        }
        Ok(mux)
    }

    fn write_current(&self) -> std::sync::RwLockWriteGuard<'_, Current> {
        self.current.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The connection to call on, or why there is none.
    fn mux(&self, what: &dyn Fn() -> String) -> Result<Arc<Mux>, Error> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        match &current.mux {
            Some(m) => Ok(m.clone()),
            None => {
                let why = current.gone.as_deref().unwrap_or("closed");
                Err(Error::closed(format!(
                    "{}: not connected ({why}); call reconnect()",
                    what()
                )))
            }
        }
    }

    pub(crate) fn reconnect(&self) -> Result<(), Error> {
        let _one = self.reconnecting.lock().unwrap_or_else(|e| e.into_inner());
        self.reconnect_locked()
    }

    fn reconnect_locked(&self) -> Result<(), Error> {
        let (conn, session) = open_with_retries(&self.opts, &self.target)?;
        *self.session.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(session);
        let mux = self.start(conn)?;
        let old = {
            let mut current = self.write_current();
            current.gone = None;
            current.mux.replace(mux)
        };
        // Calls still in flight on the old connection hold it, and finish (or fail) on it;
        // it closes when the last of them is done.
        drop(old);
        Ok(())
    }

    /// With `reconnect_on_call`: reconnects when `seen` is known broken (not closed), unless
    /// another thread did meanwhile. The request was not sent, so this is always safe.
    fn reconnect_if_broken(&self, seen: &Arc<Mux>) -> Result<(), Error> {
        let _one = self.reconnecting.lock().unwrap_or_else(|e| e.into_inner());
        let still = {
            let current = self.current.read().unwrap_or_else(|e| e.into_inner());
            current.mux.as_ref().is_some_and(|m| Arc::ptr_eq(m, seen))
        };
        if still {
            debug!("the connection is broken: reconnecting before the call");
            self.reconnect_locked()
                .map_err(|e| e.context("reconnecting a broken connection"))?;
        }
        Ok(())
    }

    /// True when calls cannot succeed without a reconnect: the connection broke (a call
    /// lost it, or a keepalive ping failed) or was closed.
    pub(crate) fn is_broken(&self) -> bool {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current.mux.as_ref().is_none_or(|m| m.gone().is_some())
    }

    pub(crate) fn close(&self) -> Result<(), Error> {
        let mux = {
            let mut current = self.write_current();
            current.gone = Some("the connection was closed by close()".into());
            current.mux.take()
        };
        if let Some(mux) = mux {
            mux.close(CLOSE_WAIT.min(self.opts.call_timeout));
        }
        Ok(())
    }

    /// A generic call (`call`, `call_at`): traced under [`Redaction::GENERIC`], and assumed
    /// to change something, since this crate cannot tell.
    pub(crate) fn call_generic<P, R>(
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
        self.call_traced(
            facade,
            version,
            method,
            params,
            Effect::Change,
            &Redaction::GENERIC,
        )
    }

    /// The version of the facade called `name` to use, given the versions this client
    /// speaks (`None`: any), or a local `not supported` error saying what is missing.
    pub(crate) fn require_version(&self, name: &str, ours: Option<&[u32]>) -> Result<u32, Error> {
        self.best_version(name, ours).ok_or_else(|| {
            let session = self.session();
            let offered = session.facades.get(name);
            let server = session.result.server_version.as_deref().unwrap_or("?");
            let msg = match (offered, ours) {
                (None, _) => format!(
                    "facade {name:?} is not offered by this {} (Juju {server})",
                    self.target.describe()
                ),
                (Some(theirs), Some(ours)) => format!(
                    "facade {name:?}: the controller offers versions {theirs:?}, this client speaks {ours:?}"
                ),
                (Some(theirs), None) => {
                    format!("facade {name:?}: the controller offers versions {theirs:?}")
                }
            };
            Error::new(ErrorKind::Api, msg).with_code(ErrorCode::NotSupported)
        })
    }

    fn call_traced<P, R>(
        &self,
        facade: &str,
        version: u32,
        method: &str,
        params: &P,
        effect: Effect,
        trace: &'static Redaction,
    ) -> Result<R, Error>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let mutating = effect == Effect::Change;
        let timeout = self.opts.call_timeout;
        let deadline = crate::util::deadline_after(timeout);
        let what = || format!("{facade}.{method}");
        let mut mux = self.mux(&what)?;
        if self.opts.reconnect_on_call && mux.gone().is_some_and(|g| !g.by_user) {
            self.reconnect_if_broken(&mux)?;
            mux = self.mux(&what)?;
        }
        let result = mux.call(&Call {
            facade,
            version,
            method,
            params,
            deadline,
            timeout,
            trace,
        });
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
                if mutating && sent {
                    Err(error.mark_outcome_unknown())
                } else {
                    Err(error)
                }
            }
        }
    }

    fn session(&self) -> Arc<Session> {
        self.session
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn options(&self) -> &ConnectOptions {
        &self.opts
    }

    pub(crate) fn server_version(&self) -> String {
        self.session()
            .result
            .server_version
            .clone()
            .unwrap_or_default()
    }

    pub(crate) fn controller_uuid(&self) -> String {
        let tag = self
            .session()
            .result
            .controller_tag
            .clone()
            .unwrap_or_default();
        tags::id("controller", &tag).to_string()
    }

    pub(crate) fn user(&self) -> String {
        self.user_info(|u| u.identity.clone())
    }

    pub(crate) fn controller_access(&self) -> String {
        self.user_info(|u| u.controller_access.clone())
    }

    pub(crate) fn model_access(&self) -> String {
        self.user_info(|u| u.model_access.clone())
    }

    fn user_info(&self, get: impl Fn(&login::UserInfo) -> String) -> String {
        self.session()
            .result
            .user_info
            .as_ref()
            .map(get)
            .unwrap_or_default()
    }

    pub(crate) fn facades(&self) -> BTreeMap<String, Vec<u32>> {
        self.session().facades.clone()
    }

    pub(crate) fn servers(&self) -> Vec<String> {
        host_ports(self.session().result.servers.as_deref().unwrap_or_default())
    }

    pub(crate) fn public_dns_name(&self) -> Option<String> {
        self.session()
            .result
            .public_dns_name
            .clone()
            .filter(|n| !n.is_empty())
    }

    pub(crate) fn endpoint(&self) -> String {
        self.session().endpoint.clone()
    }

    /// The highest version of `name` both sides speak (`ours`: `None` for any).
    pub(crate) fn best_version(&self, name: &str, ours: Option<&[u32]>) -> Option<u32> {
        let session = self.session();
        let theirs = session.facades.get(name)?;
        match ours {
            Some(ours) => theirs.iter().filter(|v| ours.contains(v)).max().copied(),
            None => theirs.iter().max().copied(),
        }
    }
}

impl Caller for Connection {
    fn facade_version(&self, facade: &Facade) -> Result<u32, Error> {
        let wrong_kind = match (facade.serves, &self.target) {
            (Serves::Model, Target::Controller) => Some("controller"),
            (Serves::Controller, Target::Model(_)) => Some("model"),
            _ => None,
        };
        if let Some(kind) = wrong_kind {
            let other = if kind == "controller" {
                "model"
            } else {
                "controller"
            };
            return Err(Error::new(
                ErrorKind::Api,
                format!(
                    "facade {:?} is served on {other} connections, not on this {kind} connection \
                     (nothing was sent)",
                    facade.name
                ),
            )
            .with_code(ErrorCode::NotSupported));
        }
        self.require_version(facade.name, Some(facade.versions))
    }

    fn facade_call<P, R>(
        &self,
        facade: &Facade,
        version: u32,
        method: &str,
        params: &P,
        effect: Effect,
    ) -> Result<R, Error>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        self.call_traced(
            facade.name,
            version,
            method,
            params,
            effect,
            facade.redaction,
        )
    }

    fn server_version(&self) -> String {
        Connection::server_version(self)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let current = self.current.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Some(mux) = current.mux.take() {
            // Best effort: say goodbye, do not wait; this also stops the keepalive at once.
            mux.close(Duration::ZERO);
        }
    }
}

/// Connects, retrying failures to reach a controller as `connect_retries` says.
fn open_with_retries(opts: &ConnectOptions, target: &Target) -> Result<(RpcConn, Session), Error> {
    let mut backoff = opts.connect_backoff;
    let mut attempt = 0;
    loop {
        match dial::open(opts, target) {
            Ok(ok) => return Ok(ok),
            // An answer from a controller (a refused login, a redirect) is not retried.
            Err(e) if attempt < opts.connect_retries && e.kind() == ErrorKind::Connect => {
                attempt += 1;
                debug!(
                    "connect failed ({}); retry {attempt} of {} in {backoff:?}",
                    e.message(),
                    opts.connect_retries
                );
                thread::sleep(backoff);
                backoff = backoff.saturating_mul(2).min(MAX_BACKOFF);
            }
            Err(e) => return Err(e),
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
