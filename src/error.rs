//! The crate's one error type, [`Error`], and Juju's error codes, [`ErrorCode`].
//!
//! An error is opaque: ask it what you need through accessors (`code()`, `kind()`,
//! `is_timeout()`, ...), so new kinds of failure never break your `match`.

use std::fmt;
use std::time::Duration;

use crate::redact::Redaction;

/// Juju's well-known error codes, as sent in the `error-code` field of a reply: what
/// [`Error::code`] returns. Match on [`ErrorCode::generic`] to treat Juju 3 and 4 alike.
///
/// `Display` and [`ErrorCode::as_str`] give the exact wire string. A code this crate does not
/// know is kept as [`ErrorCode::Other`], so nothing the controller says is lost.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `not found`
    NotFound,
    /// `user not found`
    UserNotFound,
    /// `model not found`
    ModelNotFound,
    /// `unauthorized access`
    Unauthorized,
    /// `session token invalid`
    SessionTokenInvalid,
    /// `login expired`
    LoginExpired,
    /// `no credentials provided`
    NoCreds,
    /// `cannot enter scope`
    CannotEnterScope,
    /// `cannot enter scope yet`
    CannotEnterScopeYet,
    /// `excessive contention`
    ExcessiveContention,
    /// `unit has subordinates`
    UnitHasSubordinates,
    /// `not assigned`
    NotAssigned,
    /// `stopped`
    Stopped,
    /// `dead`
    Dead,
    /// `machine has assigned units`
    HasAssignedUnits,
    /// `controller has hosted models`
    HasHostedModels,
    /// `controller/model has persistent storage`
    HasPersistentStorage,
    /// `model not empty`
    ModelNotEmpty,
    /// `machine has attached storage`
    MachineHasAttachedStorage,
    /// `machine is hosting containers`
    MachineHasContainers,
    /// `storage is attached`
    StorageAttached,
    /// `not provisioned`
    NotProvisioned,
    /// `no address set`
    NoAddressSet,
    /// `try again`
    TryAgain,
    /// `not implemented`
    NotImplemented,
    /// `already exists`
    AlreadyExists,
    /// `upgrade in progress`
    UpgradeInProgress,
    /// `model migration in progress`
    MigrationInProgress,
    /// `action no longer available`
    ActionNotAvailable,
    /// `operation is blocked`
    OperationBlocked,
    /// `leadership claim denied`
    LeadershipClaimDenied,
    /// `lease claim denied`
    LeaseClaimDenied,
    /// `not supported`
    NotSupported,
    /// `bad request`
    BadRequest,
    /// `method not allowed`
    MethodNotAllowed,
    /// `forbidden`
    Forbidden,
    /// `macaroon discharge required`
    DischargeRequired,
    /// `redirection required`
    Redirect,
    /// `incompatible base`
    IncompatibleBase,
    /// `cloud region required`
    CloudRegionRequired,
    /// `incompatible clouds`
    IncompatibleClouds,
    /// `quota limit exceeded`
    QuotaLimitExceeded,
    /// `not leader`
    NotLeader,
    /// `deadline exceeded`
    DeadlineExceeded,
    /// `not yet available; try again later`
    NotYetAvailable,
    /// `not valid`
    NotValid,
    /// `access required`
    AccessRequired,
    /// `application should not have units`
    AppShouldNotHaveUnits,
    /// `fatal login error`
    FatalLoginError,
    /// `incompatible client`: a Juju 3.1.0 to 3.2.x controller refuses a client whose
    /// claimed major version differs from its own (see
    /// [`ConnectOptions::client_version`](crate::ConnectOptions::client_version)).
    IncompatibleClient,
    /// `secret backend not found` (Juju 4; 3.x says [`NotFound`](Self::NotFound))
    SecretBackendNotFound,
    /// `secret backend already exists` (Juju 4; 3.x says [`AlreadyExists`](Self::AlreadyExists))
    SecretBackendAlreadyExists,
    /// `secret backend not supported` (Juju 4; 3.x says [`NotSupported`](Self::NotSupported))
    SecretBackendNotSupported,
    /// `secret backend forbidden` (Juju 4; 3.x says [`Forbidden`](Self::Forbidden))
    SecretBackendForbidden,
    /// `secret backend not valid` (Juju 4; 3.x says [`NotValid`](Self::NotValid))
    SecretBackendNotValid,
    /// `secret not found` (Juju 4; 3.x says [`NotFound`](Self::NotFound))
    SecretNotFound,
    /// `secret revision not found` (Juju 4; 3.x says [`NotFound`](Self::NotFound))
    SecretRevisionNotFound,
    /// Any other non-empty code, kept verbatim.
    Other(String),
}

const CODES: &[(ErrorCode, &str)] = &[
    (ErrorCode::NotFound, "not found"),
    (ErrorCode::UserNotFound, "user not found"),
    (ErrorCode::ModelNotFound, "model not found"),
    (ErrorCode::Unauthorized, "unauthorized access"),
    (ErrorCode::SessionTokenInvalid, "session token invalid"),
    (ErrorCode::LoginExpired, "login expired"),
    (ErrorCode::NoCreds, "no credentials provided"),
    (ErrorCode::CannotEnterScope, "cannot enter scope"),
    (ErrorCode::CannotEnterScopeYet, "cannot enter scope yet"),
    (ErrorCode::ExcessiveContention, "excessive contention"),
    (ErrorCode::UnitHasSubordinates, "unit has subordinates"),
    (ErrorCode::NotAssigned, "not assigned"),
    (ErrorCode::Stopped, "stopped"),
    (ErrorCode::Dead, "dead"),
    (ErrorCode::HasAssignedUnits, "machine has assigned units"),
    (ErrorCode::HasHostedModels, "controller has hosted models"),
    (
        ErrorCode::HasPersistentStorage,
        "controller/model has persistent storage",
    ),
    (ErrorCode::ModelNotEmpty, "model not empty"),
    (
        ErrorCode::MachineHasAttachedStorage,
        "machine has attached storage",
    ),
    (
        ErrorCode::MachineHasContainers,
        "machine is hosting containers",
    ),
    (ErrorCode::StorageAttached, "storage is attached"),
    (ErrorCode::NotProvisioned, "not provisioned"),
    (ErrorCode::NoAddressSet, "no address set"),
    (ErrorCode::TryAgain, "try again"),
    (ErrorCode::NotImplemented, "not implemented"),
    (ErrorCode::AlreadyExists, "already exists"),
    (ErrorCode::UpgradeInProgress, "upgrade in progress"),
    (
        ErrorCode::MigrationInProgress,
        "model migration in progress",
    ),
    (ErrorCode::ActionNotAvailable, "action no longer available"),
    (ErrorCode::OperationBlocked, "operation is blocked"),
    (ErrorCode::LeadershipClaimDenied, "leadership claim denied"),
    (ErrorCode::LeaseClaimDenied, "lease claim denied"),
    (ErrorCode::NotSupported, "not supported"),
    (ErrorCode::BadRequest, "bad request"),
    (ErrorCode::MethodNotAllowed, "method not allowed"),
    (ErrorCode::Forbidden, "forbidden"),
    (ErrorCode::DischargeRequired, "macaroon discharge required"),
    (ErrorCode::Redirect, "redirection required"),
    (ErrorCode::IncompatibleBase, "incompatible base"),
    (ErrorCode::CloudRegionRequired, "cloud region required"),
    (ErrorCode::IncompatibleClouds, "incompatible clouds"),
    (ErrorCode::QuotaLimitExceeded, "quota limit exceeded"),
    (ErrorCode::NotLeader, "not leader"),
    (ErrorCode::DeadlineExceeded, "deadline exceeded"),
    (
        ErrorCode::NotYetAvailable,
        "not yet available; try again later",
    ),
    (ErrorCode::NotValid, "not valid"),
    (ErrorCode::AccessRequired, "access required"),
    (
        ErrorCode::AppShouldNotHaveUnits,
        "application should not have units",
    ),
    (ErrorCode::FatalLoginError, "fatal login error"),
    (ErrorCode::IncompatibleClient, "incompatible client"),
    (ErrorCode::SecretBackendNotFound, "secret backend not found"),
    (
        ErrorCode::SecretBackendAlreadyExists,
        "secret backend already exists",
    ),
    (
        ErrorCode::SecretBackendNotSupported,
        "secret backend not supported",
    ),
    (
        ErrorCode::SecretBackendForbidden,
        "secret backend forbidden",
    ),
    (ErrorCode::SecretBackendNotValid, "secret backend not valid"),
    (ErrorCode::SecretNotFound, "secret not found"),
    (
        ErrorCode::SecretRevisionNotFound,
        "secret revision not found",
    ),
];

impl ErrorCode {
    /// Juju's exact wire string for this code, e.g. `"unauthorized access"`.
    ///
    /// ```
    /// use juju_client::ErrorCode;
    /// assert_eq!(ErrorCode::Unauthorized.as_str(), "unauthorized access");
    /// ```
    pub fn as_str(&self) -> &str {
        if let ErrorCode::Other(s) = self {
            return s;
        }
        CODES
            .iter()
            .find(|(c, _)| c == self)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    }

    /// The generic code behind a Juju 4 domain-specific one (`secret backend not found` →
    /// [`NotFound`](Self::NotFound), and so on); any other code is returned as it is. Match on
    /// this to handle Juju 3 and 4 controllers alike.
    ///
    /// ```
    /// use juju_client::ErrorCode;
    /// assert_eq!(ErrorCode::SecretBackendNotFound.generic(), ErrorCode::NotFound);
    /// assert_eq!(ErrorCode::SecretRevisionNotFound.generic(), ErrorCode::NotFound);
    /// assert_eq!(ErrorCode::NotFound.generic(), ErrorCode::NotFound);
    /// ```
    #[must_use]
    pub fn generic(&self) -> ErrorCode {
        match self {
            ErrorCode::SecretBackendNotFound => ErrorCode::NotFound,
            ErrorCode::SecretBackendAlreadyExists => ErrorCode::AlreadyExists,
            ErrorCode::SecretBackendNotSupported => ErrorCode::NotSupported,
            ErrorCode::SecretBackendForbidden => ErrorCode::Forbidden,
            ErrorCode::SecretBackendNotValid => ErrorCode::NotValid,
            ErrorCode::SecretNotFound | ErrorCode::SecretRevisionNotFound => ErrorCode::NotFound,
            other => other.clone(),
        }
    }

    /// Parses a wire string. The empty string means "no code" and gives `None`.
    ///
    /// ```
    /// use juju_client::ErrorCode;
    /// assert_eq!(ErrorCode::from_wire("not found"), Some(ErrorCode::NotFound));
    /// assert_eq!(ErrorCode::from_wire(""), None);
    /// assert_eq!(ErrorCode::from_wire("new code").unwrap().as_str(), "new code");
    /// ```
    pub fn from_wire(s: &str) -> Option<ErrorCode> {
        if s.is_empty() {
            return None;
        }
        Some(
            CODES
                .iter()
                .find(|(_, w)| *w == s)
                .map(|(c, _)| c.clone())
                .unwrap_or_else(|| ErrorCode::Other(s.to_string())),
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of failure an [`Error`] is ([`Error::kind`]). More kinds may be added in minor
/// releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The controller answered with an error (it has a message and usually a code).
    Api,
    /// Dialling, TLS, the WebSocket upgrade or login transport failed.
    Connect,
    /// No answer within the configured time.
    Timeout,
    /// The connection is closed (by us, by the peer, or broken).
    ConnectionClosed,
    /// The controller sent something that does not follow the protocol.
    Protocol,
    /// The caller's input was refused before anything was sent.
    InvalidInput,
    /// Reading local configuration (such as the juju client store) failed.
    Config,
}

/// The one error type of this crate: every fallible call returns it. Ask it what happened
/// with [`Error::code`] (Juju's code), [`Error::kind`], [`Error::is_timeout`],
/// [`Error::is_connection_closed`] and [`Error::is_outcome_unknown`].
///
/// It carries Juju's error code when the controller gave one ([`Error::code`]), the message
/// ([`Error::message`]) and Juju's structured `error-info` ([`Error::info`]). Its message
/// never holds a password, token, key or macaroon, and neither do its `Debug`, `Display`
/// and `Serialize` forms (`info` is redacted in `Debug` and left out of `Serialize`).
///
/// It is `Clone` (the cause, if any, is shared), and `PartialEq` compares what it says:
/// kind, code, message, `info` and the timeout and outcome flags, not the cause.
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    code: Option<ErrorCode>,
    message: String,
    info: Option<serde_json::Value>,
    timed_out: bool,
    outcome_unknown: bool,
    source: Option<std::sync::Arc<dyn std::error::Error + Send + Sync + 'static>>,
    /// The policy of the facade whose reply this came from: what its `info` may show.
    redaction: &'static Redaction,
}

impl PartialEq for Error {
    fn eq(&self, other: &Error) -> bool {
        let (a, b) = (&self.inner, &other.inner);
        (
            a.kind,
            &a.code,
            &a.message,
            &a.info,
            a.timed_out,
            a.outcome_unknown,
        ) == (
            b.kind,
            &b.code,
            &b.message,
            &b.info,
            b.timed_out,
            b.outcome_unknown,
        )
    }
}

/// `{"kind": "Api", "code": "not found", "message": "..."}`: what a program logs or
/// reports; `error-info` is left out (a discharge-required error carries macaroons there).
impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Error", 3)?;
        st.serialize_field("kind", &format!("{:?}", self.inner.kind))?;
        st.serialize_field("code", &self.inner.code.as_ref().map(ErrorCode::as_str))?;
        st.serialize_field("message", &self.inner.message)?;
        st.end()
    }
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                code: None,
                message: message.into(),
                info: None,
                timed_out: kind == ErrorKind::Timeout,
                outcome_unknown: false,
                source: None,
                redaction: &Redaction::GENERIC,
            }),
        }
    }

    /// An error reply from the controller, its text and `info` shown as the strictest
    /// policy allows until [`redacted_by`](Self::redacted_by) names the facade's.
    pub(crate) fn api(
        message: impl Into<String>,
        code: Option<ErrorCode>,
        info: Option<serde_json::Value>,
    ) -> Error {
        let message = Redaction::GENERIC.scrub_text(message.into());
        let mut e = Error::new(ErrorKind::Api, message);
        e.inner.code = code;
        e.inner.info = info.filter(|v| !v.is_null());
        e
    }

    /// The same error, its text and `info` shown as `policy` (the policy of the facade
    /// whose reply it came from) allows.
    pub(crate) fn redacted_by(mut self, policy: &'static Redaction) -> Error {
        self.inner.message = policy.scrub_text(std::mem::take(&mut self.inner.message));
        self.inner.redaction = policy;
        self
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn protocol(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Protocol, message)
    }

    pub(crate) fn closed(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::ConnectionClosed, message)
    }

    pub(crate) fn timeout(what: &str, after: Duration) -> Error {
        Error::new(
            ErrorKind::Timeout,
            format!("{what}: no answer within {after:?}"),
        )
    }

    pub(crate) fn with_code(mut self, code: ErrorCode) -> Error {
        self.inner.code = Some(code);
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        self.inner.source = Some(std::sync::Arc::new(source));
        self
    }

    /// The same error with `context: ` put before its message.
    pub(crate) fn context(mut self, context: impl fmt::Display) -> Error {
        self.inner.message = format!("{context}: {}", self.inner.message);
        self
    }

    pub(crate) fn with_kind(mut self, kind: ErrorKind) -> Error {
        self.inner.kind = kind;
        self
    }

    /// The same error with `more` put after its message.
    pub(crate) fn explain(mut self, more: impl fmt::Display) -> Error {
        self.inner.message = format!("{} ({more})", self.inner.message);
        self
    }

    /// Marks that the wait behind this error ran out of time (kept when the kind changes).
    pub(crate) fn mark_timed_out(mut self) -> Error {
        self.inner.timed_out = true;
        self
    }

    /// Marks that a change was sent but its reply never came, and says so in the message.
    pub(crate) fn mark_outcome_unknown(mut self) -> Error {
        self.inner.outcome_unknown = true;
        self.inner.message.push_str(
            "; the change was sent, so the controller may or may not have applied it \
             (nothing was retried: list to see the outcome)",
        );
        self
    }

    /// What kind of failure this is.
    ///
    /// ```
    /// # fn f(e: juju_client::Error) {
    /// use juju_client::ErrorKind;
    /// if e.kind() == ErrorKind::InvalidInput {
    ///     eprintln!("fix the input: {e}");
    /// }
    /// # }
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// Juju's error code, when the controller sent one (or this crate refused a call for
    /// the same reason the controller would, such as `not supported` for a missing facade).
    ///
    /// ```
    /// # fn f(e: juju_client::Error) {
    /// use juju_client::ErrorCode;
    /// if e.code() == Some(ErrorCode::NotFound) {
    ///     println!("nothing to do");
    /// }
    /// # }
    /// ```
    pub fn code(&self) -> Option<ErrorCode> {
        self.inner.code.clone()
    }

    /// The message: the controller's text for API errors, ours otherwise.
    ///
    /// ```no_run
    /// # fn f(e: juju_client::Error) {
    /// eprintln!("the controller said: {}", e.message());
    /// # }
    /// ```
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Juju's structured `error-info`, when the controller sent one (for example the servers
    /// and CA certificate of a `redirection required` error).
    ///
    /// ```no_run
    /// # fn f(e: juju_client::Error) {
    /// if let Some(info) = e.info() {
    ///     println!("servers: {}", info["servers"]);
    /// }
    /// # }
    /// ```
    pub fn info(&self) -> Option<&serde_json::Value> {
        self.inner.info.as_ref()
    }

    /// True when a wait ran out of time: a call with no reply within `call_timeout`, or a
    /// connect that did not complete within `connect_timeout`.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// match ctrl.ping() {
    ///     Err(e) if e.is_timeout() => eprintln!("slow controller, try later"),
    ///     other => other?,
    /// }
    /// # Ok(()) }
    /// ```
    pub fn is_timeout(&self) -> bool {
        self.inner.timed_out
    }

    /// True when the connection is closed or broken: call
    /// [`Controller::reconnect`](crate::Controller::reconnect) to restore it.
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
    pub fn is_connection_closed(&self) -> bool {
        self.inner.kind == ErrorKind::ConnectionClosed
    }

    /// True when a change (add, update, remove) was sent but its reply never came (the
    /// connection broke, or the call timed out), so the controller may or may not have
    /// applied it. Nothing is retried for you: list to see.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// if let Err(e) = ctrl.remove_secret_backends("old", false) {
    ///     if e.is_outcome_unknown() {
    ///         ctrl.reconnect()?;
    ///         let still_there = ctrl.show_secret_backend("old", false).is_ok();
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn is_outcome_unknown(&self) -> bool {
        self.inner.outcome_unknown
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        if let Some(code) = &self.inner.code {
            // Go renders RPC errors the same way: "<message> (<code>)".
            if !self.inner.message.ends_with(&format!("({code})")) {
                write!(f, " ({code})")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind)
            .field("code", &self.inner.code)
            .field("message", &self.inner.message);
        if let Some(info) = &self.inner.info {
            // A discharge-required error carries macaroons here.
            d.field("info", &self.inner.redaction.redacted(info));
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_wire_string() {
        for (code, wire) in CODES {
            assert_eq!(code.as_str(), *wire);
            assert_eq!(ErrorCode::from_wire(wire).as_ref(), Some(code));
            assert_eq!(code.to_string(), *wire);
        }
        assert_eq!(CODES.len(), 57);
    }

    #[test]
    fn juju_4_secret_codes_fold_to_not_found() {
        for wire in ["secret not found", "secret revision not found", "not found"] {
            let code = ErrorCode::from_wire(wire).unwrap();
            assert!(!matches!(code, ErrorCode::Other(_)), "{wire}");
            assert_eq!(code.generic(), ErrorCode::NotFound, "{wire}");
        }
    }

    #[test]
    fn display_appends_the_code_like_go() {
        let e = Error::api("permission denied", Some(ErrorCode::Unauthorized), None);
        assert_eq!(e.to_string(), "permission denied (unauthorized access)");
        let e = Error::api(
            "this version of Juju does not support login from old clients (not supported)",
            Some(ErrorCode::NotSupported),
            None,
        );
        assert!(!e.to_string().ends_with("(not supported) (not supported)"));
    }

    #[test]
    fn debug_redacts_macaroons_in_error_info() {
        let info = serde_json::json!({
            "macaroon": {"signature": "sig-one"},
            "bakery-macaroon": {"s64": "sig-two"},
            "macaroon-path": "/auth"
        });
        const LOGIN: Redaction = Redaction {
            keys: |k| k == "macaroon" || k == "bakery-macaroon",
            ..Redaction::NONE
        };
        let e = Error::api(
            "macaroon discharge required",
            Some(ErrorCode::DischargeRequired),
            Some(info.clone()),
        );
        // Before the facade's policy is known, nothing in `info` shows.
        let debug = format!("{e:?}");
        assert!(
            !debug.contains("sig-one") && !debug.contains("/auth"),
            "{debug}"
        );
        let e = e.redacted_by(&LOGIN);
        let debug = format!("{e:?}");
        assert!(
            !debug.contains("sig-one") && !debug.contains("sig-two"),
            "{debug}"
        );
        assert!(debug.contains("/auth"), "{debug}");
    }

    #[test]
    fn error_is_send_sync_and_small() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }
}
