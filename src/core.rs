//! The connection core every kind of connection shares (controller, model): the one
//! WebSocket and its slot, calls with their deadlines, facade version negotiation,
//! `reconnect` and `close`. [`crate::Controller`] and [`crate::Model`] are thin wrappers
//! over a [`Core`]; facade modules call through it.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::connect::{self, host_ports, Session, Target};
use crate::error::{Error, ErrorCode, ErrorKind};
use crate::options::ConnectOptions;
use crate::rpc::{CallError, RpcConn, Trace};
use crate::tags;

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

/// A logged-in connection and what its login said.
pub(crate) struct Core {
    opts: ConnectOptions,
    target: Target,
    session: RwLock<Arc<Session>>,
    slot: Mutex<Slot>,
    freed: Condvar,
}

/// Restores the slot when a call ends, even if it panicked.
struct InUse<'a> {
    core: &'a Core,
    conn: Option<RpcConn>,
    broken: Option<String>,
    generation: u64,
}

impl Drop for InUse<'_> {
    fn drop(&mut self) {
        let mut slot = self.core.lock_slot();
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
            self.core.freed.notify_one();
        }
    }
}

impl Core {
    /// Dials, upgrades to the target's path and logs in.
    pub(crate) fn connect(opts: &ConnectOptions, target: Target) -> Result<Core, Error> {
        let (conn, session) = connect::open(opts, &target)?;
        Ok(Core {
            opts: opts.clone(),
            target,
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

    pub(crate) fn reconnect(&self) -> Result<(), Error> {
        let (conn, session) = connect::open(&self.opts, &self.target)?;
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

    pub(crate) fn close(&self) -> Result<(), Error> {
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
            core: self,
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

/// The public methods every kind of connection has, written once: `Controller` and
/// `Model` are wrappers over a [`Core`] in their `core` field, and get these as inherent
/// methods (no trait to import). `$v` names the handle in the examples.
macro_rules! connection_methods {
    ($ty:ident, $v:literal) => {
        impl $ty {
            #[doc = concat!(
                "Dials again and logs in with the same options, then closes the old connection \
                 (if any). Calls waiting for the connection, and later ones, use the new one; a \
                 call already in progress finishes, or fails, on the old one.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n\
                 if let Err(e) = ", $v, ".ping() {\n    if e.is_connection_closed() {\n        ",
                 $v, ".reconnect()?;\n    }\n}\n# Ok(()) }\n```"
            )]
            pub fn reconnect(&self) -> Result<(), crate::Error> {
                self.core.reconnect()
            }

            #[doc = concat!(
                "Closes the connection: sends a WebSocket close (1000) and waits briefly (at most \
                 `min(1 s, call_timeout)`) for the controller's. Later calls fail with \
                 [`Error::is_connection_closed`](crate::Error::is_connection_closed) until \
                 [`reconnect`](Self::reconnect). Closing twice is fine. Dropping the handle \
                 closes it too, without waiting.\n\n```no_run\n\
                 # fn f(", $v, ": juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n",
                 $v, ".close()?;\n# Ok(()) }\n```"
            )]
            pub fn close(&self) -> Result<(), crate::Error> {
                self.core.close()
            }

            #[doc = concat!(
                "Calls `Pinger.Ping`: a cheap check that the connection is alive.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n",
                 $v, ".ping()?;\n# Ok(()) }\n```"
            )]
            pub fn ping(&self) -> Result<(), crate::Error> {
                self.core.ping()
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
