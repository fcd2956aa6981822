//! The seam facade modules plug into (Go's `base.APICaller`): anything that can call
//! implements [`Caller`], and each facade module is a small client built on one
//! (`secretbackends::Client::new(caller)`, as Go's `NewClient(caller)`), knowing nothing of
//! connections, reconnects or threads. A facade describes itself once, in a [`Facade`]:
//! its name, the versions this client speaks, where Juju serves it, and its redaction
//! policy, which every call of it carries down to the trace lines and its errors.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::redact::Redaction;

/// What a call may do to the controller's state, which decides what a lost reply means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Only reads: a lost reply just means "try again".
    Read,
    /// May change something: a lost reply leaves the outcome unknown.
    Change,
}

/// Which kind of connection Juju serves a facade on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Serves {
    /// Controller connections (`/api`) only.
    Controller,
    /// Model connections (`/model/<uuid>/api`) only: a controller connection refuses it.
    Model,
    /// Both.
    Both,
}

/// A facade as this client knows it: one row of the facade table (`crate::facades`).
#[derive(Debug)]
pub(crate) struct Facade {
    /// Juju's name, e.g. `SecretBackends`.
    pub(crate) name: &'static str,
    /// The versions this client speaks; negotiation picks the highest the controller
    /// offers too.
    pub(crate) versions: &'static [u32],
    /// Where Juju serves it: asking for it on the other kind of connection fails locally,
    /// with code `not supported`, before anything is sent.
    pub(crate) serves: Serves,
    /// What its messages hold that must never be shown.
    pub(crate) redaction: &'static Redaction,
}

/// Anything able to call facades: the connection core implements it.
pub(crate) trait Caller {
    /// The version of `facade` to use (the highest both sides speak), or a local error
    /// with code `not supported` naming what is missing. Nothing is sent.
    fn facade_version(&self, facade: &Facade) -> Result<u32, Error>;

    /// Calls `facade.method` at `version` and decodes the `response` into `R`, within the
    /// call timeout; traced, and its errors shown, under the facade's redaction policy.
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
        R: DeserializeOwned;

    /// The controller's Juju version as its login reported it (`3.6.26`), or empty.
    fn server_version(&self) -> String;
}

/// A facade bound to a caller (Go's `base.FacadeCaller`): what each facade module's client
/// holds. The version is negotiated at each call, from what the login said (no round
/// trip), so a client made before a reconnect stays right after it.
pub(crate) struct FacadeCaller<'a, C: ?Sized> {
    caller: &'a C,
    facade: &'static Facade,
}

impl<'a, C: Caller + ?Sized> FacadeCaller<'a, C> {
    /// Binds `facade` to `caller`.
    pub(crate) fn new(caller: &'a C, facade: &'static Facade) -> Self {
        FacadeCaller { caller, facade }
    }

    /// The version to use, or a local `not supported` error.
    pub(crate) fn version(&self) -> Result<u32, Error> {
        self.caller.facade_version(self.facade)
    }

    /// The controller's Juju version, e.g. `3.6.26` (empty when it did not say).
    pub(crate) fn server_version(&self) -> String {
        self.caller.server_version()
    }

    /// The controller's Juju major version, when it reported one that parses.
    pub(crate) fn server_major(&self) -> Option<u32> {
        crate::version::Version::parse(&self.caller.server_version()).map(|v| v.major)
    }

    /// Calls `method` of the facade at the negotiated version.
    pub(crate) fn call<P, R>(&self, method: &str, params: &P, effect: Effect) -> Result<R, Error>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let version = self.version()?;
        self.call_at(version, method, params, effect)
    }

    /// Calls `method` at a version already negotiated (a facade whose calls differ by
    /// version asks [`version`](Self::version) first).
    pub(crate) fn call_at<P, R>(
        &self,
        version: u32,
        method: &str,
        params: &P,
        effect: Effect,
    ) -> Result<R, Error>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        self.caller
            .facade_call(self.facade, version, method, params, effect)
    }

    /// The facade's name, for messages.
    pub(crate) fn name(&self) -> &'static str {
        self.facade.name
    }
}
