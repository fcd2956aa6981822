//! The connection core every kind of connection shares (controller, model): the current
//! connection (a [`Mux`] that threads call on at once), calls with their deadlines, facade version negotiation,
//! `reconnect` and `close`. [`crate::Controller`] and [`crate::Model`] are thin wrappers
//! over a [`Core`]; facade modules call through it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
use std::thread;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::connect::{self, Session, Target, host_ports};
use crate::error::{Error, ErrorCode, ErrorKind};
use crate::mux::{self, Mux};
use crate::options::ConnectOptions;
use crate::rpc::{CallError, RpcConn, Trace};
use crate::tags;
use log::debug;

/// The facades this client speaks, with the versions it knows: the table facade
/// negotiation uses (Go's `api/facadeversions.go`). A new facade module adds its entry here.
pub const CLIENT_FACADES: &[(&str, &[u32])] = &[
    ("Cloud", &[7]),
    ("Controller", &[11, 12]),
    ("ModelConfig", &[3, 4]),
    ("ModelManager", &[9, 10, 11]),
    ("Pinger", &[1]),
    ("SecretBackends", &[1]),
    ("UserManager", &[3]),
];

/// How long `close` waits for the controller's answering close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// What a call may do to the controller's state, which decides what a lost reply means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Only reads: a lost reply just means "try again".
    Read,
    /// May change something: a lost reply leaves the outcome unknown.
    Change,
}

/// The connection in use, or why there is none.
struct Current {
    mux: Option<Arc<Mux>>,
    /// Why there is no connection (closed by the user).
    gone: Option<String>,
}

/// A logged-in connection and what its login said.
pub(crate) struct Core {
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

impl Core {
    /// Dials, upgrades to the target's path and logs in.
    pub(crate) fn connect(opts: &ConnectOptions, target: Target) -> Result<Core, Error> {
        let (conn, session) = open_with_retries(opts, &target)?;
        let core = Core {
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
            (self.opts.keepalive, self.best_facade_version("Pinger"))
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

    pub(crate) fn ping(&self) -> Result<(), Error> {
        let version = self.require_facade("Pinger")?;
        let _: serde::de::IgnoredAny = self.call(
            "Pinger",
            version,
            "Ping",
            &serde_json::json!({}),
            Effect::Read,
        )?;
        Ok(())
    }

    /// A generic call: parameters and replies are traced as sizes only (they may hold
    /// anything), and the call is assumed to change something.
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
            Trace::SizesOnly,
        )
    }

    /// The negotiated version of `facade`, or a local `not supported` error.
    pub(crate) fn require_facade(&self, facade: &str) -> Result<u32, Error> {
        self.best_facade_version(facade).ok_or_else(|| {
            let session = self.session();
            let offered = session.facades.get(facade);
            let ours = client_versions(facade);
            let server = session.result.server_version.as_deref().unwrap_or("?");
            let msg = match (offered, ours) {
                (None, _) => format!(
                    "facade {facade:?} is not offered by this {} (Juju {server})",
                    self.target.describe()
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

    /// One call of a facade module's: traced with secrets redacted.
    pub(crate) fn call<P, R>(
        &self,
        facade: &str,
        version: u32,
        method: &str,
        params: &P,
        effect: Effect,
    ) -> Result<R, Error>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        self.call_traced(facade, version, method, params, effect, Trace::Redacted)
    }

    fn call_traced<P, R>(
        &self,
        facade: &str,
        version: u32,
        method: &str,
        params: &P,
        effect: Effect,
        trace: Trace,
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
        let result = mux.call(facade, version, method, params, deadline, timeout, trace);
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

    /// The major version of the controller's Juju, when it reported one that parses.
    pub(crate) fn server_major(&self) -> Option<u32> {
        crate::version::Version::parse(&self.server_version()).map(|v| v.major)
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

    fn user_info(&self, get: impl Fn(&connect::UserInfo) -> String) -> String {
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

    pub(crate) fn best_facade_version(&self, name: &str) -> Option<u32> {
        let session = self.session();
        let theirs = session.facades.get(name)?;
        match client_versions(name) {
            Some(ours) => theirs.iter().filter(|v| ours.contains(v)).max().copied(),
            None => theirs.iter().max().copied(),
        }
    }
}

impl Drop for Core {
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
        match connect::open(opts, target) {
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

fn client_versions(name: &str) -> Option<&'static [u32]> {
    CLIENT_FACADES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
}

/// The public methods every kind of connection has, written once: `Controller` and
/// `Model` are wrappers over a [`Core`] in their `core` field, and get these as inherent
/// methods (no trait to import). `$v` names the handle in the examples.
macro_rules! connection_methods {
    ($ty:ident, $v:literal) => {
        impl $ty {
            #[doc = concat!(
                "Dials again and logs in with the same options, then lets go of the old \
                 connection (if any): later calls use the new one; calls already in flight \
                 finish, or fail, on the old one, which closes when the last of them is done.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n\
                 if let Err(e) = ", $v, ".ping() {\n    if e.is_connection_closed() {\n        ",
                 $v, ".reconnect()?;\n    }\n}\n# Ok(()) }\n```"
            )]
            ///
            /// # Errors
            ///
            /// The same as `connect`'s: the old connection is kept if the new one cannot be
            /// made.
            pub fn reconnect(&self) -> Result<(), crate::Error> {
                self.core.reconnect()
            }

            #[doc = concat!(
                "Closes the connection: calls still in flight on other threads fail at once \
                 (connection closed; a change's outcome unknown), then a WebSocket close (1000) is \
                 sent and the controller's awaited briefly (at most \
                 `min(1 s, call_timeout)`). It never waits for another thread's write: if one \
                 holds the connection (say, a large request to a controller that stopped \
                 reading), the socket is shut down under it instead, without a close frame, and \
                 that call fails at once too. Later calls fail with \
                 [`Error::is_connection_closed`](crate::Error::is_connection_closed) until \
                 [`reconnect`](Self::reconnect). Closing twice is fine. Dropping the handle \
                 closes it too, without waiting.\n\n```no_run\n\
                 # fn f(", $v, ": juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n",
                 $v, ".close()?;\n# Ok(()) }\n```"
            )]
            ///
            /// # Errors
            ///
            /// None in practice: closing an already closed connection is `Ok`.
            pub fn close(&self) -> Result<(), crate::Error> {
                self.core.close()
            }

            #[doc = concat!(
                "Calls `Pinger.Ping`: a cheap check that the connection is alive.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n",
                 $v, ".ping()?;\n# Ok(()) }\n```"
            )]
            ///
            /// # Errors
            ///
            /// [`Error::is_connection_closed`](crate::Error::is_connection_closed) when the
            /// connection is gone, [`Error::is_timeout`](crate::Error::is_timeout) when no
            /// answer came within `call_timeout`.
            pub fn ping(&self) -> Result<(), crate::Error> {
                self.core.ping()
            }

            #[doc = concat!(
                "True when calls cannot succeed without [`reconnect`](Self::reconnect): the \
                 connection was lost (by a call, or a keepalive ping that failed or got no \
                 answer) or closed. Cheap: no round trip.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n\
                 if ", $v, ".is_broken() {\n    ", $v, ".reconnect()?;\n}\n# Ok(()) }\n```"
            )]
            pub fn is_broken(&self) -> bool {
                self.core.is_broken()
            }

            #[doc = concat!(
                "Calls any facade method at the best version both sides speak, and decodes the \
                 `response` into `R`. Use `serde_json::Value` for `R` to see the raw reply.\n\n\
                 A facade the controller does not offer on this connection fails here, without \
                 touching the wire, with code `not supported`; so does `ModelConfig` on a \
                 controller connection, which Juju would apply to the controller model (open the \
                 model with [`Controller::model`](crate::Controller::model)). For a facade not in this client's \
                 table ([`CLIENT_FACADES`](crate::CLIENT_FACADES)), the controller's highest \
                 version is used.\n\n\
                 This crate cannot tell whether an arbitrary method changes anything, so it \
                 assumes it might: if the reply is lost after the request was sent, the error \
                 says the outcome is unknown \
                 ([`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown)). Its \
                 parameters and reply are traced as sizes only.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n\
                 let reply: serde_json::Value = ", $v, ".call(\"Pinger\", \"Ping\", &serde_json::json!({}))?;\n\
                 # Ok(()) }\n```"
            )]
            ///
            /// # Errors
            ///
            /// Code `not supported` for a facade not offered on this connection (nothing
            /// sent); the controller's own code and text for what it refuses;
            /// [`Error::is_timeout`](crate::Error::is_timeout),
            /// [`Error::is_connection_closed`](crate::Error::is_connection_closed) and
            /// [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown) for a reply
            /// that did not come; kind `Protocol` for a reply that does not decode into
            /// `R`.
            pub fn call<P, R>(&self, facade: &str, method: &str, params: &P) -> Result<R, crate::Error>
            where
                P: serde::Serialize + ?Sized,
                R: serde::de::DeserializeOwned,
            {
                self.check_generic(facade)?;
                let version = self.core.require_facade(facade)?;
                self.core.call_generic(facade, version, method, params)
            }

            #[doc = concat!(
                "Calls a facade method at an explicit version, with no local check: whatever the \
                 controller answers comes back (for example `unknown version (9) of interface \
                 \"X\"`). Like [`call`](Self::call), a lost reply is reported as of unknown \
                 outcome.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n\
                 let _: serde_json::Value = ", $v, ".call_at(\"Pinger\", 1, \"Ping\", &serde_json::json!({}))?;\n\
                 # Ok(()) }\n```"
            )]
            ///
            /// # Errors
            ///
            /// As [`call`](Self::call), except that no facade check is made locally.
            pub fn call_at<P, R>(
                &self,
                facade: &str,
                version: u32,
                method: &str,
                params: &P,
            ) -> Result<R, crate::Error>
            where
                P: serde::Serialize + ?Sized,
                R: serde::de::DeserializeOwned,
            {
                self.core.call_generic(facade, version, method, params)
            }

            #[doc = concat!(
                "The Juju version of the controller, e.g. `3.6.26`.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 if ", $v, ".server_version().starts_with(\"3.\") { /* ... */ }\n# }\n```"
            )]
            pub fn server_version(&self) -> String {
                self.core.server_version()
            }

            #[doc = concat!(
                "The controller's UUID (from its `controller-tag`).\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 println!(\"{}\", ", $v, ".controller_uuid());\n# }\n```"
            )]
            pub fn controller_uuid(&self) -> String {
                self.core.controller_uuid()
            }

            #[doc = concat!(
                "The logged-in identity, as the controller names it (e.g. `user-admin`).\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 assert_eq!(", $v, ".user(), \"user-admin\");\n# }\n```"
            )]
            pub fn user(&self) -> String {
                self.core.user()
            }

            #[doc = concat!(
                "The facades the controller offers on this connection, name → versions.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 let has_pinger = ", $v, ".facades().contains_key(\"Pinger\");\n# }\n```"
            )]
            pub fn facades(&self) -> std::collections::BTreeMap<String, Vec<u32>> {
                self.core.facades()
            }

            #[doc = concat!(
                "The controller's API addresses as `host:port` (IPv6 bracketed), all machines.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 for addr in ", $v, ".servers() { println!(\"{addr}\"); }\n# }\n```"
            )]
            pub fn servers(&self) -> Vec<String> {
                self.core.servers()
            }

            #[doc = concat!(
                "The controller's public DNS name, when it has one (`public-dns-name` in its \
                 config).\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 if let Some(name) = ", $v, ".public_dns_name() { println!(\"reachable as {name}\"); }\n# }\n```"
            )]
            pub fn public_dns_name(&self) -> Option<String> {
                self.core.public_dns_name()
            }

            #[doc = concat!(
                "The endpoint this connection was made to.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 println!(\"connected via {}\", ", $v, ".endpoint());\n# }\n```"
            )]
            pub fn endpoint(&self) -> String {
                self.core.endpoint()
            }

            #[doc = concat!(
                "The version of `name` this client will use: the highest both sides speak, or \
                 `None` when there is none (or the controller does not offer the facade on this \
                 connection). For a facade not in [`CLIENT_FACADES`](crate::CLIENT_FACADES), the \
                 controller's highest version.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 assert_eq!(", $v, ".best_facade_version(\"Pinger\"), Some(1));\n# }\n```"
            )]
            pub fn best_facade_version(&self, name: &str) -> Option<u32> {
                self.core.best_facade_version(name)
            }

            #[doc = concat!(
                "The options this connection was made with.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 println!(\"{:?}\", ", $v, ".options().get_endpoints());\n# }\n```"
            )]
            pub fn options(&self) -> &crate::ConnectOptions {
                self.core.options()
            }
        }
    };
}

pub(crate) use connection_methods;
