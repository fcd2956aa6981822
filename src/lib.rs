//! # juju-client
//!
//! A blocking, synchronous client for the [Juju](https://juju.is) controller API, for
//! scripts, one-off tools and programs that have no async runtime. Every call is one
//! blocking request/response round trip over one TLS WebSocket, bounded by a timeout.
//!
//! ```no_run
//! use std::time::Duration;
//! use juju_client::{ConnectOptions, Controller, ErrorCode};
//!
//! let opts = ConnectOptions::new()
//!     .endpoint("10.0.0.5:17070")
//!     .username("admin")
//!     .password("s3cret")
//!     .ca_cert(std::fs::read_to_string("ca.pem")?)
//!     .call_timeout(Duration::from_secs(30));
//! let ctrl = Controller::connect(&opts)?;
//! for backend in ctrl.list_secret_backends(false)? {
//!     println!("{} ({}): {} secrets", backend.name, backend.backend_type, backend.num_secrets);
//! }
//! match ctrl.remove_secret_backends("old-vault", false) {
//!     Err(e) if e.code() == Some(ErrorCode::NotSupported) => eprintln!("still in use: {e}"),
//!     other => other?,
//! }
//! ctrl.close()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Scripts usually connect the way the `juju` CLI does, from its client store:
//!
//! ```no_run
//! let ctrl = juju_client::Controller::connect_current()?; // or connect_named("prod")
//! # Ok::<(), juju_client::Error>(())
//! ```
//!
//! ## Which method do I need
//!
//! | to ... | use | errors worth matching |
//! |---|---|---|
//! | connect as the `juju` CLI is logged in | [`Controller::connect_current`], [`Controller::connect_named`] | kind `Config` (the file and key are named), `unauthorized access` |
//! | connect with explicit options | [`ConnectOptions`] then [`Controller::connect`] | kind `Connect` (every endpoint's failure is named), [`Error::is_timeout`] |
//! | log in with a password | [`ConnectOptions::password`] | `unauthorized access` |
//! | log in with macaroons, the CLI's cookie jar | [`ConnectOptions::cookie_jar`], [`ConnectOptions::macaroons`], [`ConnectOptions::password_callback`] | `macaroon discharge required`, `unauthorized access` |
//! | log in to JAAS as a service account | [`ConnectOptions::client_credentials`] | `not supported` (no Admin v4) |
//! | list, show secret backends | [`Controller::list_secret_backends`], [`Controller::list_secret_backends_named`], [`Controller::show_secret_backend`] | `not found` (generic: Juju 4's `secret backend not found`) |
//! | add, update, remove backends | [`Controller::add_secret_backends`], [`Controller::update_secret_backends`], [`Controller::remove_secret_backends`], and their `_batch` forms | `already exists`, `not valid`, `not supported` (in use), [`Error::is_outcome_unknown`] |
//! | list the models | [`Controller::models`], [`Controller::find_model`] | `model not found` |
//! | open a model | [`Controller::open_model`], [`Model::connect`], [`Model::connect_current`], [`Model::connect_named`] | `model not found`, `unauthorized access`, `redirection required` ([`Redirect`]) |
//! | see or set a model's secret backend | [`Model::secret_backend`], [`Model::set_secret_backend`] | `not found` (unknown backend), `unauthorized access` |
//! | manage a model's user secrets | [`Model::add_secret`], [`Model::list_secrets`], [`Model::show_secret`], [`Model::update_secret`], [`Model::remove_secret`], [`Model::grant_secret`], [`Model::revoke_secret`] (types in [`secrets`]) | `not found` (Juju 4: `secret not found`), `already exists`, `unauthorized access`, `not supported` (Juju < 3.3) |
//! | call anything else | [`Controller::call`], [`Model::call`], `call_at` | the controller's own codes |
//! | test your program without a controller | [`testing::FakeController`] (feature `testing`) | |
//!
//! Match codes with [`ErrorCode::generic`] to treat Juju 3 and 4 alike:
//! `e.code().map(|c| c.generic()) == Some(ErrorCode::NotFound)`.
//!
//! ## Secret backends
//!
//! The [`secretbackends`] module has the types; the calls are methods of [`Controller`]:
//! `add_secret_backends`, `list_secret_backends`, `update_secret_backends` and
//! `remove_secret_backends` (python-libjuju's four, same names and argument order), their
//! `_batch` forms (one round trip, one `Result` per item), `list_secret_backends_named` and
//! `show_secret_backend`.
//!
//! ## Models
//!
//! A secret backend does nothing until a model uses it. [`Controller::models`] lists the
//! models ([`ModelSummary`]), [`Controller::open_model`] opens one by the name the CLI uses
//! (`admin/default`, or `default`), [`Model::connect`] by UUID, and with `juju-data`
//! [`Model::connect_current`] / [`Model::connect_named`] (`prod:admin/default`) from the
//! client store. A [`Model`] has what a [`Controller`] has (generic `call`, `ping`, `close`,
//! `reconnect`, accessors) plus [`Model::secret_backend`] and [`Model::set_secret_backend`].
//!
//! ```no_run
//! let ctrl = juju_client::Controller::connect_current()?;
//! ctrl.add_secret_backends("", "myvault", "vault", [("endpoint", "https://vault:8200")])?;
//! ctrl.open_model("default")?.set_secret_backend("myvault")?;
//! # Ok::<(), juju_client::Error>(())
//! ```
//!
//! ## Juju versions
//!
//! Any controller from Juju 3.1 (the first with secret backends) to 4.0. The client claims
//! [`JUJU_CLIENT_VERSION`] at login, a Juju release, as a 3.1/3.2 controller requires of a
//! client it serves in full. Juju 4 words some errors differently; [`ErrorCode::generic`]
//! maps its secret-backend codes to the 3.x ones.
//!
//! ## Errors
//!
//! Every failure is an [`Error`]. It keeps Juju's error code ([`Error::code`], an
//! [`ErrorCode`]), the message and Juju's `error-info`, and says whether a wait timed out
//! ([`Error::is_timeout`]), the connection is gone ([`Error::is_connection_closed`]; call
//! [`Controller::reconnect`]), or a change was sent without its reply arriving
//! ([`Error::is_outcome_unknown`]). Nothing is retried behind your back.
//!
//! ## Testing your program
//!
//! With the `testing` feature, [`testing::FakeController`] serves the real protocol on
//! loopback and answers like a Juju 3.6 controller (or, with
//! [`juju_version`](testing::FakeControllerBuilder::juju_version), any Juju from 3.1 to 4.0),
//! with the same error texts; it can also
//! inject faults ([`testing::Fault`]) and write a juju client store pointing at itself.
//!
//! ## TLS
//!
//! With a CA certificate ([`ConnectOptions::ca_cert`], the `ca-cert` of the juju client's
//! `controllers.yaml`), only that CA is trusted and the certificate is verified against the
//! name `juju-apiserver`, exactly as the Go client and the `juju` CLI do. Without it, the
//! system roots and the endpoint's host name are used. Verification cannot be turned off.
//! TLS 1.2 is the minimum.
//!
//! ## Log levels
//!
//! Through the [`log`](https://docs.rs/log) crate, target `juju_client`:
//! - `debug`: one line per call (facade, version, method, request id, duration, outcome),
//!   and one per login; one per discharge request (its URL only);
//! - `trace`: every message sent and received, with passwords, tokens, keys, macaroons and
//!   secret content shown as `[REDACTED]` (each facade's policy says which fields); for
//!   generic [`Controller::call`] and [`Controller::call_at`], whose messages may hold
//!   secrets under any name, every string value under a key the crate cannot classify;
//! - `warn`: replies nobody waited for (the late answer to a call that timed out).
//!
//! No level ever shows a secret, and neither does any `Debug` or `Display` output.
//!
//! ## Features
//!
//! | feature | what it adds | extra dependencies | default |
//! |---|---|---|---|
//! | `juju-data` | [`Controller::connect_current`], [`Controller::connect_named`], [`ConnectOptions::from_juju_data`]: the juju CLI's `controllers.yaml`, `accounts.yaml` and cookie jar | `serde-saphyr` | yes |
//! | `testing` | [`testing::FakeController`], an in-process fake Juju controller (3.1 to 4.0) | `rcgen`, `openssl` | no |
//!
//! Add `testing` under `[dev-dependencies]` (`juju-client = { version = "…", features =
//! ["testing"] }`) so that only your tests build the fake; this crate's own examples need it
//! only for their built-in fake (`cargo run --features testing --example quickstart`).
//!
//! ## Stability
//!
//! Public types are this crate's own: no TLS or WebSocket library type appears in the API,
//! so those can change without breaking you. The one exception is `serde_json` (its `Value`
//! is in `Error::info`, `BackendConfig` and generic call replies): it is re-exported as
//! [`juju_client::serde_json`](crate::serde_json), and a major upgrade of it would be a
//! breaking release of this crate. Before 1.0, minor versions may break the API;
//! the CHANGELOG says how. The `fuzzing` feature is internal and not covered.
//!
//! The `testing` feature's API ([`testing::FakeController`] and its builder) follows the
//! same semver rules as the rest: a breaking change to it is a breaking release. What the
//! fake *answers* is not frozen: when it is found to differ from the Juju version it
//! emulates, it is corrected to answer as Juju does, in any release, and the CHANGELOG
//! says so (a test of yours that relied on the difference was relying on a bug).
//!
//! The minimum supported Rust version is 1.89; raising it is a minor-version change.
//!
//! Names follow the Rust API guidelines: getters have no `get_` prefix
//! ([`Controller::server_version`], [`ConnectOptions::controller_name`]) except where a
//! builder method of the same type already owns the plain name, as `std::process::Command`
//! has `arg` and `get_args` and postgres's `Config` has `user` and `get_user`:
//! [`ConnectOptions::endpoints`] sets the endpoints and [`ConnectOptions::get_endpoints`]
//! reads them, and every other setting of [`ConnectOptions`] reads back the same way. No
//! getter returns a secret: [`ConnectOptions::has_password`] says whether one is set. The
//! operations keep python-libjuju's names (`add_secret_backends`), with the Go client's
//! names as search aliases.
//!
//! ## How the crate is built
//!
//! Layers, top to bottom; a module uses only the modules listed before it (a unit test,
//! `layers.rs`, reads this table and fails on any `crate::` path that goes the other way):
//!
//! | layer | name | modules | what they own |
//! |---|---|---|---|
//! | 1 | foundation | `util`, `tags`, `version`, `redact`, `error`, `goduration`, `macaroon` | deadlines, tags and `host:port`, Juju versions, Go durations, the redaction machinery (policies, not facades), [`Error`], macaroon JSON and binding |
//! | 2 | options | `options`, `cookiejar`, `jujudata` | [`ConnectOptions`] with its hook types, the CLI's cookie jar and client store |
//! | 3 | transport | `websocket`, `proxy`, `transport`, `https` | RFC 6455 framing and the client upgrade, `CONNECT` proxies, TCP + TLS + one deadline over every read and write, discharge requests over HTTPS |
//! | 4 | rpc | `rpc`, `mux` | Juju's JSON envelope, request ids, traces under a redaction policy; many calls in flight on one connection, the keepalive |
//! | 5 | login | `discharge`, `login`, `dial` | discharging login macaroons; `Admin.Login` and what it answers; the dial race over the endpoints, redirects |
//! | 6 | connection core | `caller`, `params`, `connection` | the seam facades plug into (`Caller`, a `Facade` row, `Effect`), Juju's shared bulk shapes, the one connection core (current connection, negotiation, `reconnect`, `close`, what a lost reply means) |
//! | 7 | facades | `pinger`, `modelmanager`, `modelconfig`, `secretbackends`, `secrets`, `facades` | one module per facade: a small client on a `Caller`, its wire forms, its redaction policy; `facades` is the facade table |
//! | 8 | handles | `handle`, `model`, `controller` | [`Controller`] and [`Model`]: thin wrappers over a connection, their public methods one-line delegates to the facade clients |
//!
//! `testing/` (feature `testing`) mirrors it for the fake controller: `wsserver` (the
//! server side of the upgrade, and plain HTTPS for `/auth`), `server` (connections, the
//! envelope, and the dispatch table), `wire` (Go's JSON shapes and errors), `bakery`
//! (login macaroons and discharges), `versions` (what each Juju version does differently),
//! and one module per facade with its own slice of the fake's state.
//!
//! **Redaction.** Each facade declares its policy (`redact::Redaction`): which keys are
//! secret anywhere, which paths (`content.data`), which config maps show only public keys,
//! and how error texts are scrubbed. A call carries its facade's policy to the trace lines
//! of its messages and into the errors it returns (their text, and `Debug` of their
//! `info`). Generic `call`/`call_at` use the strictest policy: every string value under a
//! key this crate cannot classify is hidden.
//!
//! **Adding a facade** (user secrets were added this way):
//! 1. a module in layer 7 with its `FACADE` row (name, versions, where Juju serves it, its
//!    redaction policy), its wire forms and a `Client` built on a `Caller`
//!    (`FacadeCaller::new(caller, &FACADE)`; each call says its `Effect`);
//! 2. its row in `facades::TABLE`;
//! 3. the public methods, one-line delegates, on [`Controller`] or [`Model`];
//! 4. on the fake's side: one module in `testing/`, one row in the dispatch table, one
//!    field in the fake's state.
//!
//! Nothing in the connection core, the redaction machinery or the fake's dispatch changes.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Clippy's pedantic lints on naming and API shape, on here so that CI's `-D warnings` holds
// them; each `allow` of one in the crate says why.
#![warn(
    clippy::struct_field_names,
    clippy::similar_names,
    clippy::many_single_char_names,
    clippy::unused_self,
    clippy::ref_option,
    clippy::missing_errors_doc,
    clippy::return_self_not_must_use,
    clippy::module_name_repetitions
)]

mod caller;
mod connection;
mod controller;
mod cookiejar;
mod dial;
mod discharge;
mod error;
mod facades;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod goduration;
mod handle;
mod https;
#[cfg(feature = "juju-data")]
mod jujudata;
#[cfg(test)]
mod layers;
mod login;
mod macaroon;
mod model;
mod modelconfig;
mod modelmanager;
mod mux;
mod options;
mod params;
mod pinger;
mod proxy;
mod redact;
mod rpc;
mod tags;
mod transport;
mod util;
mod version;
mod websocket;

pub mod secretbackends;
pub mod secrets;
#[cfg(feature = "testing")]
pub mod testing;

pub use controller::Controller;
pub use error::{Error, ErrorCode, ErrorKind};
pub use facades::CLIENT_FACADES;
#[cfg(feature = "juju-data")]
pub use jujudata::juju_data_dir;
pub use login::{ControllerAccess, ModelAccess, Redirect};
pub use model::Model;
pub use modelmanager::{ModelSummary, ModelType};
pub use options::{
    ConnectOptions, DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_KEEPALIVE,
    DEFAULT_MAX_MESSAGE_SIZE, DischargeToken, Interaction, PasswordPrompt, ProxySetting,
};
/// The `serde_json` this crate uses: its `Value` appears in the API (`Error::info`,
/// `BackendConfig`, generic `call` replies, the fake's recorded requests), so it is part
/// of the API, re-exported so that your version always matches ours.
pub use serde_json;
pub use transport::JUJU_APISERVER;
pub use version::JUJU_CLIENT_VERSION;

/// The README's examples, compiled and run as doc tests (they use the fake controller, so
/// only with the `testing` feature, as `bash .ci/test` runs them).
#[cfg(all(doctest, feature = "testing"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
