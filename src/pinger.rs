//! The `Pinger` facade: a cheap round trip that proves the connection is alive. (The
//! keepalive in `mux` calls it too, below this layer, by name.)

use crate::caller::{Caller, Effect, Facade, FacadeCaller, Serves};
use crate::error::Error;
use crate::redact::Redaction;

/// `Pinger` v1, on every connection.
pub(crate) const FACADE: Facade = Facade {
    name: "Pinger",
    versions: &[1],
    serves: Serves::Both,
    redaction: &Redaction::NONE,
};

/// The `Pinger` client, on anything that calls.
pub(crate) struct Client<'a, C: ?Sized>(FacadeCaller<'a, C>);

impl<'a, C: Caller + ?Sized> Client<'a, C> {
    pub(crate) fn new(caller: &'a C) -> Self {
        Client(FacadeCaller::new(caller, &FACADE))
    }

    /// `Pinger.Ping`.
    pub(crate) fn ping(&self) -> Result<(), Error> {
        let _: serde::de::IgnoredAny = self.0.call("Ping", &serde_json::json!({}), Effect::Read)?;
        Ok(())
    }
}
