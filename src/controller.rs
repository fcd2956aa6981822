//! [`Controller`]: a logged-in controller-only connection (`/api`). Its facades live in their
//! own modules (`secretbackends`, `modelmanager`); what every connection has comes from
//! [`crate::core`].

use crate::connect::Target;
use crate::core::{Core, connection_methods};
use crate::error::Error;
use crate::options::ConnectOptions;

/// A logged-in connection to a Juju controller (a controller-only `/api` connection): the
/// one that manages secret backends and lists models.
///
/// Get one with [`Controller::connect`] (explicit options) or, with the `juju-data`
/// feature, [`Controller::connect_current`] / [`Controller::connect_named`] (the `juju`
/// CLI's client store). Every method is one blocking round trip bounded by the call
/// timeout; the handle is `Send + Sync`, so threads can share it: their calls are in flight
/// together on the one connection, each waiting only for its own reply. Open a model with [`Controller::model`].
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
    pub(crate) core: Core,
}

impl std::fmt::Debug for Controller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("endpoint", &self.endpoint())
            .field("controller_uuid", &self.controller_uuid())
            .field("user", &self.user())
            .field("server_version", &self.server_version())
            .finish()
    }
}

impl Controller {
    /// Connects to the controller and logs in.
    ///
    /// Endpoints are dialled in parallel with a short stagger; the first to log in wins.
    /// All of it, redirect included, ends within `connect_timeout`. If all fail, the error
    /// names every endpoint and why it failed; its code is the controller's when one
    /// answered (for example `unauthorized access` for a wrong password).
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput` for options refused before dialling (no endpoint, a bad
    /// `client_version`); kind `Connect` when no endpoint could be reached, naming each
    /// endpoint's failure ([`Error::is_timeout`](crate::Error::is_timeout) when all timed
    /// out); kind `Api` with the controller's code when it refused the login (`unauthorized
    /// access`, `redirection required`, `macaroon discharge required`).
    ///
    /// ```no_run
    /// # use juju_client::{ConnectOptions, Controller};
    /// let ctrl = Controller::connect(
    ///     &ConnectOptions::new().endpoint("10.0.0.5:17070").password("s3cret"),
    /// )?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn connect(opts: &ConnectOptions) -> Result<Controller, Error> {
        Ok(Controller {
            core: Core::connect(opts, Target::Controller)?,
        })
    }

    /// The user's access to the controller: `login`, `add-model` or `superuser`.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) {
    /// let can_change_backends = ctrl.controller_access() == "superuser";
    /// # }
    /// ```
    pub fn controller_access(&self) -> String {
        self.core.controller_access()
    }

    /// `call` refuses `ModelConfig` here: on a controller connection Juju applies it to the
    /// controller model, which a script meaning "my model" would change by surprise.
    /// `call_at` still sends it, for whoever means the controller model.
    #[allow(
        clippy::unused_self,
        reason = "the shared connection methods call it on each kind of connection"
    )]
    fn check_generic(&self, facade: &str) -> Result<(), Error> {
        if facade == "ModelConfig" {
            return Err(Error::invalid(
                "ModelConfig on a controller connection acts on the controller model: open \
                 the model you mean with Controller::model(name) and call it there (or use \
                 call_at if you do mean the controller model)",
            ));
        }
        Ok(())
    }
}

connection_methods!(Controller, "ctrl");
