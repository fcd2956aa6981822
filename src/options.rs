//! [`ConnectOptions`]: where the controller is, who we are, and how long to wait.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::error::Error;

/// Asks for a password when a discharge needs one (see [`ConnectOptions::password_callback`]).
pub(crate) type PasswordFn = Arc<dyn Fn(&PasswordPrompt) -> Option<String> + Send + Sync>;
/// Handles an interaction method the SDK does not (see [`ConnectOptions::interaction_handler`]).
pub(crate) type InteractionFn =
    Arc<dyn Fn(&Interaction) -> Result<DischargeToken, String> + Send + Sync>;

/// The default deadline for a whole connect ([`ConnectOptions::connect_timeout`]): 10 s for
/// every endpoint to be dialled, secured, upgraded and logged in to.
///
/// ```
/// use juju_client::{ConnectOptions, DEFAULT_CONNECT_TIMEOUT};
/// assert_eq!(ConnectOptions::new().get_connect_timeout(), DEFAULT_CONNECT_TIMEOUT);
/// ```
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default deadline for each call ([`ConnectOptions::call_timeout`]): 60 s.
///
/// ```
/// let slow = juju_client::DEFAULT_CALL_TIMEOUT * 5;
/// let opts = juju_client::ConnectOptions::new().call_timeout(slow);
/// ```
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// The default largest message accepted from the controller
/// ([`ConnectOptions::max_message_size`]): 256 MiB.
///
/// ```
/// assert_eq!(juju_client::DEFAULT_MAX_MESSAGE_SIZE, 256 << 20);
/// ```
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 256 << 20;

/// How to reach and log in to a Juju controller.
///
/// Get one with [`ConnectOptions::new`] and chained setters, or, with the `juju-data`
/// feature, [`ConnectOptions::from_juju_data`] (what the `juju` CLI uses), then adjust it.
/// It is `Clone`, and its `Debug` never shows the password. Nothing is checked until
/// [`Controller::connect`](crate::Controller::connect), whose errors say what is wrong.
///
/// Every setting can be read back, by a getter named after the setter: `get_` + its name
/// where the setter owns the plain name ([`get_call_timeout`](Self::get_call_timeout)), as
/// `std::process::Command` and postgres's `Config` do. Secrets are the exception: a getter
/// never hands one back. [`has_password`](Self::has_password),
/// [`has_macaroons`](Self::has_macaroons) and [`client_id`](Self::client_id) say what is
/// set; the program that set a secret already has it, and options travel (cloned into
/// threads, kept in structs, printed with `{:?}`), so a getter returning it would make
/// every holder of the options a holder of the secret. (sqlx's `PgConnectOptions` has no
/// password getter either; rust-postgres's `Config::get_password` does return it.)
///
/// ```
/// use std::time::Duration;
/// use juju_client::ConnectOptions;
///
/// let opts = ConnectOptions::new()
///     .endpoint("10.0.0.5:17070")
///     .endpoint("[fd42::5]:17070") // more endpoints for HA controllers
///     .username("admin")
///     .password("s3cret")
///     .ca_cert("-----BEGIN CERTIFICATE-----\n...")
///     .connect_timeout(Duration::from_secs(10))
///     .call_timeout(Duration::from_secs(60));
/// assert!(!format!("{opts:?}").contains("s3cret"));
/// assert_eq!(opts.get_call_timeout(), Duration::from_secs(60));
/// assert!(opts.has_password());
/// ```
#[derive(Clone)]
pub struct ConnectOptions {
    pub(crate) endpoints: Vec<String>,
    pub(crate) username: String,
    pub(crate) password: Option<String>,
    pub(crate) ca_cert: Option<String>,
    pub(crate) tls_server_name: Option<String>,
    pub(crate) connect_timeout: Duration,
    pub(crate) call_timeout: Duration,
    pub(crate) max_message_size: usize,
    pub(crate) dial_stagger: Duration,
    pub(crate) follow_redirects: bool,
    pub(crate) expected_uuid: Option<String>,
    pub(crate) controller_name: Option<String>,
    pub(crate) client_version: String,
    /// Macaroon slices given by the program, JSON text (checked at connect).
    pub(crate) macaroons: Vec<String>,
    pub(crate) cookie_jar: Option<PathBuf>,
    /// The host of the cookie URL (`https://<host>/`): public hostname, else controller UUID.
    pub(crate) cookie_host: Option<String>,
    pub(crate) password_callback: Option<PasswordFn>,
    pub(crate) interaction_handler: Option<InteractionFn>,
    pub(crate) client_credentials: Option<(String, String)>,
    /// Slices discharged through these options (and their clones).
    pub(crate) discharged: Arc<DischargeCache>,
    pub(crate) keepalive: Option<Duration>,
    pub(crate) connect_retries: u32,
    pub(crate) connect_backoff: Duration,
    pub(crate) reconnect_on_call: bool,
    pub(crate) proxy: ProxyChoice,
}

/// The default keepalive interval ([`ConnectOptions::keepalive`]): 60 s, Go's
/// `api.PingPeriod` (`api/apiclient.go`).
///
/// ```
/// use juju_client::{ConnectOptions, DEFAULT_KEEPALIVE};
/// assert_eq!(ConnectOptions::new().get_keepalive(), Some(DEFAULT_KEEPALIVE));
/// ```
pub const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(60);

/// How connections pick their HTTP proxy, as [`ConnectOptions::get_proxy`] reads it back.
///
/// ```
/// use juju_client::{ConnectOptions, ProxySetting};
/// let opts = ConnectOptions::new().proxy("http://proxy.example:3128");
/// match opts.get_proxy() {
///     ProxySetting::Url(url) => println!("through {url}"),
///     ProxySetting::Direct => println!("direct"),
///     other => println!("{other:?}"),
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxySetting {
    /// `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` decide, read at each connect (the default).
    FromEnvironment,
    /// Always this proxy ([`ConnectOptions::proxy`]), its credentials shown as
    /// `[REDACTED]`: `http://[REDACTED]@proxy.example:3128`.
    Url(String),
    /// Never a proxy ([`ConnectOptions::no_proxy`]).
    Direct,
    /// [`ConnectOptions::proxy`] was given something that is not a proxy URL: connecting
    /// fails with this message (kind `InvalidInput`), which never shows a password.
    Invalid(String),
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            endpoints: Vec::new(),
            username: "admin".to_string(),
            password: None,
            ca_cert: None,
            tls_server_name: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            dial_stagger: Duration::from_millis(50),
            follow_redirects: false,
            expected_uuid: None,
            controller_name: None,
            client_version: crate::JUJU_CLIENT_VERSION.to_string(),
            macaroons: Vec::new(),
            cookie_jar: None,
            cookie_host: None,
            password_callback: None,
            interaction_handler: None,
            client_credentials: None,
            discharged: Arc::default(),
            keepalive: Some(DEFAULT_KEEPALIVE),
            connect_retries: 0,
            connect_backoff: Duration::from_secs(1),
            reconnect_on_call: false,
            proxy: ProxyChoice::FromEnvironment,
        }
    }
}

impl ConnectOptions {
    /// Options with no endpoint, user `admin`, no password, and the default timeouts.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new();
    /// assert!(opts.get_endpoints().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a controller API endpoint, `host:port` (IPv6 as `[addr]:port`). Call it again
    /// for each address of an HA controller: they are tried in parallel, with a short stagger,
    /// and the first to log in wins.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new()
    ///     .endpoint("10.0.0.5:17070")
    ///     .endpoint("[fd42::5]:17070");
    /// assert_eq!(opts.get_endpoints().len(), 2);
    /// ```
    #[must_use]
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoints.push(endpoint.into());
        self
    }

    /// Replaces the endpoint list.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().endpoints(["10.0.0.5:17070", "10.0.0.6:17070"]);
    /// assert_eq!(opts.get_endpoints()[1], "10.0.0.6:17070");
    /// ```
    #[must_use]
    pub fn endpoints<I, S>(mut self, endpoints: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.endpoints = endpoints.into_iter().map(Into::into).collect();
        self
    }

    /// The user to log in as: `admin` and `user-admin` both work.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().username("bob");
    /// assert_eq!(opts.get_username(), "bob");
    /// ```
    #[must_use]
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = username.into();
        self
    }

    /// The user's password. It is sent only inside the TLS connection, in `Admin.Login`, and
    /// never logged or shown by `Debug`.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().password(std::env::var("JUJU_PASSWORD").unwrap_or_default());
    /// ```
    #[must_use]
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Whether a password is set (by [`password`](Self::password), or from `accounts.yaml`
    /// by [`from_juju_data`](Self::from_juju_data)): with one, login sends it; without, login
    /// uses macaroons. The password itself cannot be read back (see [`ConnectOptions`]).
    ///
    /// ```
    /// use juju_client::ConnectOptions;
    /// assert!(!ConnectOptions::new().has_password());
    /// assert!(ConnectOptions::new().password("s3cret").has_password());
    /// ```
    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }

    /// The controller's CA certificate, PEM text (`ca-cert` in the juju client's
    /// `controllers.yaml`). With it, only this CA is trusted and the certificate is verified
    /// against the name `juju-apiserver`, whatever address is dialled, as the Go client does.
    /// Without it, the system's roots and the endpoint's host name are used.
    ///
    /// ```no_run
    /// let opts = juju_client::ConnectOptions::new().ca_cert(std::fs::read_to_string("ca.pem")?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn ca_cert(mut self, pem: impl Into<String>) -> Self {
        self.ca_cert = Some(pem.into());
        self
    }

    /// The controller's CA certificate as given (PEM text), if any: a certificate is public.
    /// (Named `get_ca_cert` because [`ca_cert`](Self::ca_cert) is the builder method.)
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().ca_cert("-----BEGIN CERTIFICATE-----\n...");
    /// assert!(opts.get_ca_cert().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
    /// ```
    pub fn get_ca_cert(&self) -> Option<&str> {
        self.ca_cert.as_deref()
    }

    /// Overrides the name the certificate is verified against (and sent as SNI).
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().tls_server_name("juju.example.com");
    /// ```
    #[must_use]
    pub fn tls_server_name(mut self, name: impl Into<String>) -> Self {
        self.tls_server_name = Some(name.into());
        self
    }

    /// The name the certificate is verified against, if overridden (else `juju-apiserver`
    /// with a CA certificate, the endpoint's host without).
    /// (Named `get_tls_server_name` because [`tls_server_name`](Self::tls_server_name) is
    /// the builder method.)
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().tls_server_name("juju.example.com");
    /// assert_eq!(opts.get_tls_server_name(), Some("juju.example.com"));
    /// ```
    pub fn get_tls_server_name(&self) -> Option<&str> {
        self.tls_server_name.as_deref()
    }

    /// The deadline for a whole connect (or reconnect): every endpoint's name looked up,
    /// dialled, secured, upgraded and logged in to, and a followed redirect, within this time
    /// from the start.
    /// A server that answers slowly, a byte at a time, cannot stretch it.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().connect_timeout(std::time::Duration::from_secs(3));
    /// ```
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The deadline for a whole connect (default [`DEFAULT_CONNECT_TIMEOUT`], 10 s).
    /// (Named `get_connect_timeout` because [`connect_timeout`](Self::connect_timeout) is
    /// the builder method.)
    ///
    /// ```
    /// use juju_client::{ConnectOptions, DEFAULT_CONNECT_TIMEOUT};
    /// assert_eq!(ConnectOptions::new().get_connect_timeout(), DEFAULT_CONNECT_TIMEOUT);
    /// ```
    pub fn get_connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The deadline for each call, from its start: the wait for another thread's call on the
    /// same handle, sending, and every read of the reply. A call with no reply in time fails
    /// with [`Error::is_timeout`](crate::Error::is_timeout); the connection stays usable.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().call_timeout(std::time::Duration::from_secs(5));
    /// ```
    #[must_use]
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// The deadline for each call (default [`DEFAULT_CALL_TIMEOUT`], 60 s).
    /// (Named `get_call_timeout` because [`call_timeout`](Self::call_timeout) is the builder
    /// method.)
    ///
    /// ```
    /// use std::time::Duration;
    /// let opts = juju_client::ConnectOptions::new().call_timeout(Duration::from_secs(5));
    /// assert_eq!(opts.get_call_timeout(), Duration::from_secs(5));
    /// ```
    pub fn get_call_timeout(&self) -> Duration {
        self.call_timeout
    }

    /// The largest message accepted from the controller (default 256 MiB). A larger reply
    /// fails the call with a clear error and closes the connection.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().max_message_size(64 << 20);
    /// ```
    #[must_use]
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// The largest message accepted from the controller, in bytes (default
    /// [`DEFAULT_MAX_MESSAGE_SIZE`], 256 MiB).
    /// (Named `get_max_message_size` because [`max_message_size`](Self::max_message_size) is
    /// the builder method.)
    ///
    /// ```
    /// use juju_client::{ConnectOptions, DEFAULT_MAX_MESSAGE_SIZE};
    /// assert_eq!(ConnectOptions::new().get_max_message_size(), DEFAULT_MAX_MESSAGE_SIZE);
    /// ```
    pub fn get_max_message_size(&self) -> usize {
        self.max_message_size
    }

    /// The pause between starting dials to successive endpoints (default 50 ms, as the Go
    /// client). Zero dials every endpoint at once. `connect_timeout` still bounds the whole
    /// connect: an endpoint whose turn would come after it is not dialled, and any stagger,
    /// `Duration::MAX` included, is safe.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().dial_stagger(std::time::Duration::ZERO);
    /// ```
    #[must_use]
    pub fn dial_stagger(mut self, stagger: Duration) -> Self {
        self.dial_stagger = stagger;
        self
    }

    /// The pause between starting dials to successive endpoints (default 50 ms).
    /// (Named `get_dial_stagger` because [`dial_stagger`](Self::dial_stagger) is the builder
    /// method.)
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(juju_client::ConnectOptions::new().get_dial_stagger(), Duration::from_millis(50));
    /// ```
    pub fn get_dial_stagger(&self) -> Duration {
        self.dial_stagger
    }

    /// Follow one `redirection required` answer to login by connecting to the servers it
    /// names with the CA it carries (default off: the error is returned, and
    /// [`Redirect::from_error`](crate::Redirect::from_error) reads where it points).
    ///
    /// # What following a redirect hands over
    ///
    /// The redirecting controller chooses the target: its addresses, and the CA certificate
    /// that is then the only one trusted for them (verified as `juju-apiserver`, or the
    /// [`tls_server_name`](Self::tls_server_name)). Following it logs in there with these
    /// same options, so servers of that controller's choosing receive:
    ///
    /// - the [`password`](Self::password), or the
    ///   [`client_credentials`](Self::client_credentials) (id and secret);
    /// - without a password, the macaroons: those given with [`macaroons`](Self::macaroons),
    ///   those already discharged through these options, and the
    ///   [`cookie_jar`](Self::cookie_jar)'s for the [`cookie_host`](Self::cookie_host),
    ///   which, when set (as [`from_juju_data`](Self::from_juju_data) sets it), is still the
    ///   first controller's, so its login cookies go to the target;
    /// - the answers to any discharge the target asks for, at locations it picks:
    ///   [`password_callback`](Self::password_callback) and
    ///   [`interaction_handler`](Self::interaction_handler) may be called for them, and a
    ///   fresh discharge is saved to the cookie jar under that same cookie host.
    ///
    /// The target's controller tag, if the redirect names one, replaces
    /// [`expect_controller_uuid`](Self::expect_controller_uuid); a redirect that names none
    /// leaves the UUID unchecked. Only one redirect is followed.
    ///
    /// Turn this on only for controllers trusted as much as any controller they may send you
    /// to. Otherwise leave it off, read the target with
    /// [`Redirect::from_error`](crate::Redirect::from_error), and connect to it with options
    /// (and credentials) chosen for it.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().follow_redirects(true);
    /// ```
    #[must_use]
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = follow;
        self
    }

    /// Whether a `redirection required` answer to login is followed (default `false`).
    /// (Named `get_follow_redirects` because [`follow_redirects`](Self::follow_redirects) is
    /// the builder method.)
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().follow_redirects(true);
    /// assert!(opts.get_follow_redirects());
    /// ```
    pub fn get_follow_redirects(&self) -> bool {
        self.follow_redirects
    }

    /// After login, check that the controller's UUID is this one, so that endpoints that now
    /// belong to another controller are refused (set from `controllers.yaml` by
    /// [`from_juju_data`](Self::from_juju_data)).
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new()
    ///     .expect_controller_uuid("8b6a2bd5-6ee1-4d5e-8c0a-5e2c4c4d0b1f");
    /// ```
    #[must_use]
    pub fn expect_controller_uuid(mut self, uuid: impl Into<String>) -> Self {
        self.expected_uuid = Some(uuid.into());
        self
    }

    /// The controller UUID that login must find, if any (see
    /// [`expect_controller_uuid`](Self::expect_controller_uuid)).
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new()
    ///     .expect_controller_uuid("8b6a2bd5-6ee1-4d5e-8c0a-5e2c4c4d0b1f");
    /// assert_eq!(opts.expected_controller_uuid(), Some("8b6a2bd5-6ee1-4d5e-8c0a-5e2c4c4d0b1f"));
    /// ```
    pub fn expected_controller_uuid(&self) -> Option<&str> {
        self.expected_uuid.as_deref()
    }

    /// The controller's name in the juju client store, when the options came from it.
    ///
    /// ```no_run
    /// let opts = juju_client::ConnectOptions::from_juju_data(Some("prod"))?;
    /// assert_eq!(opts.controller_name(), Some("prod"));
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn controller_name(&self) -> Option<&str> {
        self.controller_name.as_deref()
    }

    /// The endpoints, in the order given.
    /// (Named `get_endpoints` because [`endpoints`](Self::endpoints) is the builder method.)
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().endpoint("10.0.0.5:17070");
    /// assert_eq!(opts.get_endpoints(), ["10.0.0.5:17070"]);
    /// ```
    pub fn get_endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// The Juju version this client claims at login (`client-version`) and on the WebSocket
    /// upgrade (`X-Juju-ClientVersion`); default [`JUJU_CLIENT_VERSION`](crate::JUJU_CLIENT_VERSION).
    ///
    /// Juju 3.1.0 to 3.2.x controllers restrict a client whose major version differs from
    /// theirs (every call fails with [`ErrorCode::IncompatibleClient`](crate::ErrorCode));
    /// JAAS reads the header. Override it only to claim what the `juju` CLI you mimic would.
    /// It must be a Juju version (`major.minor.patch`, optionally `.build`, or
    /// `major.minor-tagpatch` such as `4.0-beta2`): [`Controller::connect`](crate::Controller::connect)
    /// refuses anything else.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().client_version("3.2.4");
    /// assert_eq!(opts.get_client_version(), "3.2.4");
    /// ```
    #[must_use]
    pub fn client_version(mut self, version: impl Into<String>) -> Self {
        self.client_version = version.into();
        self
    }

    /// The Juju version this client will claim (see [`client_version`](Self::client_version)).
    /// (Named `get_client_version` because [`client_version`](Self::client_version) is the builder method.)
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new();
    /// assert_eq!(opts.get_client_version(), juju_client::JUJU_CLIENT_VERSION);
    /// ```
    pub fn get_client_version(&self) -> &str {
        &self.client_version
    }

    /// Refuses settings that were given but cannot be used, before anything is dialled: a
    /// `client_version` that is not a Juju version, a `proxy` URL that is not one.
    pub(crate) fn check(&self) -> Result<(), crate::Error> {
        if crate::version::Version::parse(&self.client_version).is_none() {
            return Err(crate::Error::invalid(format!(
                "connect: client_version {:?} is not a Juju version (major.minor.patch, \
                 optionally .build, or major.minor-tagpatch such as 4.0-beta2); leave it unset \
                 to send {}",
                self.client_version,
                crate::JUJU_CLIENT_VERSION
            )));
        }
        if let ProxyChoice::Invalid(message) = &self.proxy {
            return Err(crate::Error::invalid(format!("connect: {message}")));
        }
        Ok(())
    }

    /// Macaroons to log in with instead of a password: a JSON array of macaroon slices
    /// (`[[primary, discharge…], …]`, as `LoginRequest.macaroons` carries them), or a single
    /// slice (`[primary, discharge…]`). Call it again to add more. Without a password, the
    /// login sends these (and the cookie jar's); if the controller asks for a discharge, the
    /// SDK discharges the macaroon it mints (see [`password_callback`](Self::password_callback)).
    /// Malformed JSON fails the connect with [`ErrorCode::InvalidArgument`](crate::ErrorCode).
    /// Never shown by `Debug` or logged.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().username("bob").macaroons("[]");
    /// assert!(!format!("{opts:?}").contains("[]\""));
    /// ```
    #[must_use]
    pub fn macaroons(mut self, json: impl Into<String>) -> Self {
        self.macaroons.push(json.into());
        self
    }

    /// Whether macaroons were given with [`macaroons`](Self::macaroons). They are bearer
    /// credentials, so they cannot be read back (see [`ConnectOptions`]); the cookie jar's
    /// are not counted ([`get_cookie_jar`](Self::get_cookie_jar)).
    ///
    /// ```
    /// use juju_client::ConnectOptions;
    /// assert!(!ConnectOptions::new().has_macaroons());
    /// assert!(ConnectOptions::new().macaroons("[]").has_macaroons());
    /// ```
    pub fn has_macaroons(&self) -> bool {
        !self.macaroons.is_empty()
    }

    /// A cookie jar in the Go `persistent-cookiejar` format the `juju` CLI keeps in
    /// `$JUJU_DATA/cookies/<controller>.json`. Without a password, a login sends the jar's
    /// unexpired `macaroon-*` cookies for the controller, and after a fresh discharge saves
    /// the new one there (mode 0600, keeping the other cookies), under the same lock on
    /// `<file>.lock` as the `juju` CLI takes.
    /// [`from_juju_data`](Self::from_juju_data) sets it for a controller with no stored
    /// password.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().cookie_jar("/home/me/.local/share/juju/cookies/prod.json");
    /// assert!(opts.get_cookie_jar().is_some());
    /// ```
    #[must_use]
    pub fn cookie_jar(mut self, path: impl Into<PathBuf>) -> Self {
        self.cookie_jar = Some(path.into());
        self
    }

    /// The cookie jar in use, if any.
    /// (Named `get_cookie_jar` because [`cookie_jar`](Self::cookie_jar) is the builder method.)
    ///
    /// ```
    /// assert!(juju_client::ConnectOptions::new().get_cookie_jar().is_none());
    /// ```
    pub fn get_cookie_jar(&self) -> Option<&std::path::Path> {
        self.cookie_jar.as_deref()
    }

    /// The host the jar's cookies are filed under (`https://<host>/`): the controller's
    /// public hostname, else its UUID, as the Go client (`api.PreferredHost`). Set by
    /// [`from_juju_data`](Self::from_juju_data); without it the expected controller UUID is
    /// used, else the first endpoint's host.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().cookie_host("juju.example.com");
    /// ```
    #[must_use]
    pub fn cookie_host(mut self, host: impl Into<String>) -> Self {
        self.cookie_host = Some(host.into());
        self
    }

    /// The host the jar's cookies are filed under, if set (see
    /// [`cookie_host`](Self::cookie_host) for what is used without it).
    /// (Named `get_cookie_host` because [`cookie_host`](Self::cookie_host) is the builder
    /// method.)
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().cookie_host("juju.example.com");
    /// assert_eq!(opts.get_cookie_host(), Some("juju.example.com"));
    /// ```
    pub fn get_cookie_host(&self) -> Option<&str> {
        self.cookie_host.as_deref()
    }

    /// Called when a macaroon discharge needs the user's password (the controller's
    /// `juju_userpass` interaction): return the password, or `None` to give up (the connect
    /// then fails with [`ErrorCode::Unauthorized`](crate::ErrorCode)). It may prompt on a
    /// terminal; it runs on the connecting thread, within the connect deadline's budget for
    /// everything after it. Without a callback, such a discharge fails with
    /// [`ErrorCode::DischargeRequired`](crate::ErrorCode).
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new()
    ///     .username("bob")
    ///     .password_callback(|p| {
    ///         eprintln!("please enter password for {} on {}:", p.user(), p.controller());
    ///         std::env::var("BOB_PASSWORD").ok()
    ///     });
    /// ```
    #[must_use]
    pub fn password_callback(
        mut self,
        f: impl Fn(&PasswordPrompt) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.password_callback = Some(Arc::new(f));
        self
    }

    /// Whether a [`password_callback`](Self::password_callback) is set.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().password_callback(|_| None);
    /// assert!(opts.has_password_callback());
    /// ```
    pub fn has_password_callback(&self) -> bool {
        self.password_callback.is_some()
    }

    /// Handles discharge interaction methods other than `juju_userpass` (a JAAS/Candid
    /// `browser-window`, say): given the method's name and info, return the token to retry
    /// the discharge with, or an error text. Without it, such a method fails the connect
    /// with an error naming it.
    ///
    /// ```
    /// use juju_client::DischargeToken;
    /// let opts = juju_client::ConnectOptions::new().interaction_handler(|i| {
    ///     Err(format!("cannot do {} here", i.method()))
    /// });
    /// ```
    #[must_use]
    pub fn interaction_handler(
        mut self,
        f: impl Fn(&Interaction) -> Result<DischargeToken, String> + Send + Sync + 'static,
    ) -> Self {
        self.interaction_handler = Some(Arc::new(f));
        self
    }

    /// Whether an [`interaction_handler`](Self::interaction_handler) is set.
    ///
    /// ```
    /// assert!(!juju_client::ConnectOptions::new().has_interaction_handler());
    /// ```
    pub fn has_interaction_handler(&self) -> bool {
        self.interaction_handler.is_some()
    }

    /// Logs in with a JAAS service account's client id and secret (`Admin` v4
    /// `LoginWithClientCredentials`) instead of a user and password. A controller that does
    /// not serve Admin v4 (a plain Juju controller) fails the connect with a clear error.
    /// [`from_juju_data`](Self::from_juju_data) takes them from `JUJU_CLIENT_ID` and
    /// `JUJU_CLIENT_SECRET`. The secret is never shown or logged.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().client_credentials("my-client-id", "s3cret");
    /// assert!(!format!("{opts:?}").contains("s3cret"));
    /// ```
    #[must_use]
    pub fn client_credentials(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client_credentials = Some((id.into(), secret.into()));
        self
    }

    /// The client id of the [`client_credentials`](Self::client_credentials), if they are
    /// set. The secret cannot be read back (see [`ConnectOptions`]).
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().client_credentials("my-client-id", "s3cret");
    /// assert_eq!(opts.client_id(), Some("my-client-id"));
    /// ```
    pub fn client_id(&self) -> Option<&str> {
        self.client_credentials.as_ref().map(|(id, _)| id.as_str())
    }

    /// The user name as given.
    /// (Named `get_username` because [`username`](Self::username) is the builder method.)
    ///
    /// ```
    /// assert_eq!(juju_client::ConnectOptions::new().get_username(), "admin");
    /// ```
    pub fn get_username(&self) -> &str {
        &self.username
    }

    /// Pings the controller (`Pinger.Ping`) whenever the connection has been idle this long
    /// (default [`DEFAULT_KEEPALIVE`], 60 s, as the Go client does; `None` turns it off). A
    /// ping that fails, or gets no answer within `min(call_timeout, 30 s)`, marks the
    /// connection broken: the next call fails at once with
    /// [`Error::is_connection_closed`](crate::Error::is_connection_closed) (or reconnects,
    /// with [`reconnect_on_call`](Self::reconnect_on_call)) instead of waiting for its
    /// timeout. The pings come from a small thread per connection that ends when the
    /// connection is closed, breaks or is dropped, and does not keep the process alive.
    ///
    /// ```
    /// use std::time::Duration;
    /// let opts = juju_client::ConnectOptions::new().keepalive(Some(Duration::from_secs(30)));
    /// assert_eq!(opts.get_keepalive(), Some(Duration::from_secs(30)));
    /// ```
    #[must_use]
    pub fn keepalive(mut self, interval: Option<Duration>) -> Self {
        self.keepalive = interval.filter(|d| !d.is_zero());
        self
    }

    /// The keepalive interval, if the keepalive is on.
    /// (Named `get_keepalive` because [`keepalive`](Self::keepalive) is the builder method.)
    ///
    /// ```
    /// assert!(juju_client::ConnectOptions::new().get_keepalive().is_some());
    /// ```
    pub fn get_keepalive(&self) -> Option<Duration> {
        self.keepalive
    }

    /// Retries a connect (and a reconnect) that failed to reach a controller up to `retries`
    /// more times, sleeping `backoff` before the first retry and twice as long before each
    /// next one (at most 30 s). Each attempt has its own `connect_timeout`, so a connect may
    /// take up to `(retries + 1) × connect_timeout` plus the sleeps. Only failures to reach or
    /// speak to a controller are retried; an answer such as a refused login is returned at
    /// once. Nothing is ever sent twice: a connect has no effect on the controller's state.
    ///
    /// ```
    /// use std::time::Duration;
    /// let opts = juju_client::ConnectOptions::new().connect_retries(3, Duration::from_millis(500));
    /// ```
    #[must_use]
    pub fn connect_retries(mut self, retries: u32, backoff: Duration) -> Self {
        self.connect_retries = retries;
        self.connect_backoff = backoff;
        self
    }

    /// How many times a failed connect is retried, and the first backoff (default: none,
    /// and 1 s).
    /// (Named `get_connect_retries` because [`connect_retries`](Self::connect_retries) is
    /// the builder method.)
    ///
    /// ```
    /// use std::time::Duration;
    /// let opts = juju_client::ConnectOptions::new().connect_retries(3, Duration::from_millis(500));
    /// assert_eq!(opts.get_connect_retries(), (3, Duration::from_millis(500)));
    /// ```
    pub fn get_connect_retries(&self) -> (u32, Duration) {
        (self.connect_retries, self.connect_backoff)
    }

    /// With `true`, a call made while the connection is known to be broken (a keepalive
    /// ping failed, or an earlier call lost the connection) first reconnects, then makes the
    /// call: safe, because that request was never sent. A request that was sent is never sent
    /// again: if its reply is lost, the error says so, as without this option. A connection
    /// closed with `close()` is not reopened. Default: `false`.
    ///
    /// ```
    /// let opts = juju_client::ConnectOptions::new().reconnect_on_call(true);
    /// ```
    #[must_use]
    pub fn reconnect_on_call(mut self, reconnect: bool) -> Self {
        self.reconnect_on_call = reconnect;
        self
    }

    /// Whether a call on a connection known to be broken reconnects first (default `false`).
    /// (Named `get_reconnect_on_call` because [`reconnect_on_call`](Self::reconnect_on_call)
    /// is the builder method.)
    ///
    /// ```
    /// assert!(!juju_client::ConnectOptions::new().get_reconnect_on_call());
    /// ```
    pub fn get_reconnect_on_call(&self) -> bool {
        self.reconnect_on_call
    }

    /// Reaches the controller through this HTTP proxy (`http://[user:password@]host:port`),
    /// with an HTTP `CONNECT` tunnel, whatever the environment says. The controller's TLS is
    /// unchanged inside the tunnel. The password is never shown by `Debug`, logs or errors.
    /// Without this (or [`no_proxy`](Self::no_proxy)), `HTTPS_PROXY`, `ALL_PROXY` and
    /// `NO_PROXY` decide, as Go's `http.ProxyFromEnvironment` reads them.
    ///
    /// Like every setting, it is checked at connect: a URL that is not
    /// `http://[user:password@]host[:port]` makes [`Controller::connect`](crate::Controller::connect)
    /// fail with kind `InvalidInput` before anything is dialled (the message never shows
    /// the password); [`get_proxy`](Self::get_proxy) shows it as [`ProxySetting::Invalid`].
    ///
    /// ```
    /// use juju_client::{ConnectOptions, ProxySetting};
    /// let opts = ConnectOptions::new()
    ///     .proxy("http://bob:pw@proxy.example:3128")
    ///     .endpoint("10.0.0.5:17070");
    /// assert!(!format!("{opts:?}").contains("pw@"));
    /// assert_eq!(
    ///     opts.get_proxy(),
    ///     ProxySetting::Url("http://[REDACTED]@proxy.example:3128".into())
    /// );
    /// ```
    #[must_use]
    pub fn proxy(mut self, url: impl AsRef<str>) -> Self {
        self.proxy = match ProxyUrl::parse(url.as_ref()) {
            Ok(url) => ProxyChoice::Url(url),
            Err(e) => ProxyChoice::Invalid(format!("ConnectOptions::proxy: {}", e.message())),
        };
        self
    }

    /// Never uses a proxy, whatever the environment says.
    ///
    /// ```
    /// use juju_client::{ConnectOptions, ProxySetting};
    /// let opts = ConnectOptions::new().no_proxy();
    /// assert_eq!(opts.get_proxy(), ProxySetting::Direct);
    /// ```
    #[must_use]
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxyChoice::Direct;
        self
    }

    /// How connections pick their proxy: as [`proxy`](Self::proxy) or
    /// [`no_proxy`](Self::no_proxy) set it, else from the environment. A proxy URL is shown
    /// without its credentials.
    /// (Named `get_proxy` because [`proxy`](Self::proxy) is the builder method.)
    ///
    /// ```
    /// use juju_client::{ConnectOptions, ProxySetting};
    /// assert_eq!(ConnectOptions::new().get_proxy(), ProxySetting::FromEnvironment);
    /// let bad = ConnectOptions::new().proxy("socks5://proxy.example:1080");
    /// assert!(matches!(bad.get_proxy(), ProxySetting::Invalid(why) if why.contains("socks5")));
    /// ```
    pub fn get_proxy(&self) -> ProxySetting {
        match &self.proxy {
            ProxyChoice::FromEnvironment => ProxySetting::FromEnvironment,
            ProxyChoice::Url(url) => ProxySetting::Url(url.to_string()),
            ProxyChoice::Direct => ProxySetting::Direct,
            ProxyChoice::Invalid(message) => ProxySetting::Invalid(message.clone()),
        }
    }

    /// The Juju tag of the user: `user-admin` for `admin` or `user-admin`.
    pub(crate) fn user_tag(&self) -> String {
        crate::tags::user(&self.username)
    }
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("endpoints", &self.endpoints)
            .field("username", &self.username)
            .field(
                "password",
                &self.password.as_ref().map(|_| crate::redact::REDACTED),
            )
            .field("ca_cert", &self.ca_cert.as_ref().map(|_| "<PEM>"))
            .field("tls_server_name", &self.tls_server_name)
            .field("connect_timeout", &self.connect_timeout)
            .field("call_timeout", &self.call_timeout)
            .field("max_message_size", &self.max_message_size)
            .field("dial_stagger", &self.dial_stagger)
            .field("follow_redirects", &self.follow_redirects)
            .field("expected_uuid", &self.expected_uuid)
            .field("controller_name", &self.controller_name)
            .field("client_version", &self.client_version)
            .field(
                "macaroons",
                &format_args!("<{} slices given>", self.macaroons.len()),
            )
            .field("cookie_jar", &self.cookie_jar)
            .field("cookie_host", &self.cookie_host)
            .field("password_callback", &self.password_callback.is_some())
            .field("interaction_handler", &self.interaction_handler.is_some())
            .field(
                "client_credentials",
                &self
                    .client_credentials
                    .as_ref()
                    .map(|(id, _)| (id, crate::redact::REDACTED)),
            )
            .field("keepalive", &self.keepalive)
            .field("connect_retries", &self.connect_retries)
            .field("connect_backoff", &self.connect_backoff)
            .field("reconnect_on_call", &self.reconnect_on_call)
            .field("proxy", &self.proxy)
            .finish()
    }
}

// What the hooks are given and give back (`password_callback`, `interaction_handler`).

/// What a [`password_callback`](ConnectOptions::password_callback) is asked for.
///
/// ```
/// let opts = juju_client::ConnectOptions::new().password_callback(|p| {
///     eprint!("please enter password for {} on {}: ", p.user(), p.controller());
///     None
/// });
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PasswordPrompt {
    pub(crate) user: String,
    pub(crate) controller: String,
    pub(crate) location: String,
}

impl PasswordPrompt {
    /// The user name the password is for (`bob`).
    ///
    /// ```
    /// # fn f(p: &juju_client::PasswordPrompt) { let _ = p.user(); }
    /// ```
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The controller: its name in the client store, else the address dialled.
    ///
    /// ```
    /// # fn f(p: &juju_client::PasswordPrompt) { let _ = p.controller(); }
    /// ```
    pub fn controller(&self) -> &str {
        &self.controller
    }

    /// The discharger that asks (`https://10.0.0.1:17070/auth`).
    ///
    /// ```
    /// # fn f(p: &juju_client::PasswordPrompt) { let _ = p.location(); }
    /// ```
    pub fn location(&self) -> &str {
        &self.location
    }
}

/// An interaction a discharger asks for that the SDK does not perform itself (see
/// [`ConnectOptions::interaction_handler`]).
///
/// ```
/// let opts = juju_client::ConnectOptions::new().interaction_handler(|i| {
///     Err(format!("{} at {} is not supported here ({})", i.method(), i.location(), i.info()))
/// });
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Interaction {
    pub(crate) method: String,
    pub(crate) info: Value,
    pub(crate) location: String,
}

impl Interaction {
    /// The method's name (`browser-window`, `agent`, …).
    ///
    /// ```
    /// # fn f(i: &juju_client::Interaction) { let _ = i.method(); }
    /// ```
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The method's info from the discharger (for `browser-window`: `VisitURL`,
    /// `WaitTokenURL`).
    ///
    /// ```
    /// # fn f(i: &juju_client::Interaction) { let _ = i.info().get("VisitURL"); }
    /// ```
    pub fn info(&self) -> &Value {
        &self.info
    }

    /// The discharger's location (the caveat's).
    ///
    /// ```
    /// # fn f(i: &juju_client::Interaction) { let _ = i.location(); }
    /// ```
    pub fn location(&self) -> &str {
        &self.location
    }
}

/// A token from an interaction, to retry a discharge with (`token-kind` and the token's
/// bytes). Its `Debug` hides the value.
///
/// ```
/// let t = juju_client::DischargeToken::new("browser-window", b"abc".to_vec());
/// assert!(!format!("{t:?}").contains("abc"));
/// ```
#[derive(Clone)]
pub struct DischargeToken {
    pub(crate) kind: String,
    pub(crate) value: Vec<u8>,
}

impl DischargeToken {
    /// A token of this kind.
    ///
    /// ```
    /// let t = juju_client::DischargeToken::new("juju_userpass", b"0123".to_vec());
    /// ```
    pub fn new(kind: impl Into<String>, value: Vec<u8>) -> DischargeToken {
        DischargeToken {
            kind: kind.into(),
            value,
        }
    }
}

impl fmt::Debug for DischargeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DischargeToken")
            .field("kind", &self.kind)
            .field("value", &crate::redact::REDACTED)
            .finish()
    }
}

/// Slices this program discharged, shared by every clone of a [`ConnectOptions`]: a
/// reconnect, or another endpoint of the same dial race, logs in with them instead of
/// discharging (and asking for the password) again. Keyed by user tag and cookie host.
/// Only the storage: `discharge` fills it.
#[derive(Default)]
pub(crate) struct DischargeCache {
    slices: Mutex<HashMap<String, (u64, Vec<Value>)>>,
    /// Held while discharging, so that one prompt serves every racing endpoint.
    pub(crate) discharging: Mutex<()>,
    generation: AtomicU64,
}

impl DischargeCache {
    /// The slice discharged for `key`, with its generation.
    pub(crate) fn get(&self, key: &str) -> Option<(u64, Vec<Value>)> {
        self.slices
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    /// Keeps a fresh slice for `key`, under a new generation.
    pub(crate) fn put(&self, key: &str, slice: Vec<Value>) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.slices
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_string(), (generation, slice));
    }
}

impl fmt::Debug for DischargeCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DischargeCache")
    }
}

// Which proxy a connection takes: what the options say; `proxy` (transport) decides
// and tunnels.

/// An HTTP proxy: `http://[user:password@]host:port`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ProxyUrl {
    pub(crate) host: String,
    pub(crate) port: u16,
    /// Basic credentials, percent-decoded.
    pub(crate) auth: Option<(String, String)>,
}

impl ProxyUrl {
    /// Parses a proxy URL as Go does: without a scheme, `http://` is assumed. Only plain
    /// `http` proxies are spoken (the tunnel itself carries the controller's TLS).
    pub(crate) fn parse(url: &str) -> Result<ProxyUrl, Error> {
        let url = url.trim();
        let bad = |why: &str| {
            // The URL may hold a password: name only what is safe.
            Error::invalid(format!(
                "proxy URL: {why} (expected http://[user:password@]host:port)"
            ))
        };
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) => {
                return Err(bad(&format!(
                    "scheme {:?} is not supported",
                    scheme.chars().take(16).collect::<String>()
                )));
            }
            None => url,
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let (auth, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hp)) => {
                let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                (Some((percent_decode(user), percent_decode(pass))), hp)
            }
            None => (None, authority),
        };
        if hostport.is_empty() {
            return Err(bad("no host"));
        }
        let (host, port) =
            crate::tags::split_host_port(hostport, 80).ok_or_else(|| bad("bad host or port"))?;
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(ProxyUrl { host, port, auth })
    }

    /// `host:port` of the proxy, for dialing.
    pub(crate) fn address(&self) -> (String, u16) {
        (self.host.clone(), self.port)
    }
}

/// Shows the proxy without its credentials: `http://[REDACTED]@host:port`.
impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("http://")?;
        if self.auth.is_some() {
            write!(f, "{}@", crate::redact::REDACTED)?;
        }
        f.write_str(&crate::tags::host_port(&self.host, self.port))
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// How a connection picks its proxy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ProxyChoice {
    /// `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`, read at each connect.
    FromEnvironment,
    /// Always this proxy (`ConnectOptions::proxy`).
    Url(ProxyUrl),
    /// Never a proxy (`ConnectOptions::no_proxy`).
    Direct,
    /// `ConnectOptions::proxy` was given a URL that is not a proxy URL: every connect fails
    /// with this message (it names no credentials), rather than go direct.
    Invalid(String),
}

/// Percent-decoding of URL user info (`%40` is `@`).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1..i + 3].iter().all(u8::is_ascii_hexdigit)
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or(""), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_tag_accepts_both_spellings() {
        assert_eq!(ConnectOptions::new().username("bob").user_tag(), "user-bob");
        assert_eq!(
            ConnectOptions::new().username("user-bob").user_tag(),
            "user-bob"
        );
    }
}
