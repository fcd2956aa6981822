//! [`Controller`]: a logged-in controller-only connection (`/api`). Its public methods are
//! one-line delegates to the facade clients (`secretbackends`, `modelmanager`), keeping
//! python-libjuju's names; what every connection has comes from `handle`.

use crate::Model;
use crate::connection::Connection;
use crate::error::Error;
use crate::handle::connection_methods;
use crate::login::{ControllerAccess, Target};
use crate::modelmanager::{self, ModelSummary};
use crate::options::ConnectOptions;
use crate::secretbackends::{
    self, AddSecretBackend, BackendConfig, SecretBackend, UpdateSecretBackend,
};

/// A logged-in connection to a Juju controller (a controller-only `/api` connection): the
/// one that manages secret backends and lists models.
///
/// Get one with [`Controller::connect`] (explicit options) or, with the `juju-data`
/// feature, [`Controller::connect_current`] / [`Controller::connect_named`] (the `juju`
/// CLI's client store). Every method is one blocking round trip bounded by the call
/// timeout; the handle is `Send + Sync`, so threads can share it: their calls are in flight
/// together on the one connection, each waiting only for its own reply. Open a model with [`Controller::open_model`].
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
    pub(crate) conn: Connection,
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
            conn: Connection::connect(opts, Target::Controller)?,
        })
    }

    /// The user's access to the controller: `login`, `add-model` or `superuser` (it compares
    /// with those strings).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) {
    /// let can_change_backends = ctrl.controller_access() == "superuser";
    /// # }
    /// ```
    pub fn controller_access(&self) -> ControllerAccess {
        ControllerAccess::from(self.conn.controller_access().as_str())
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
                 the model you mean with Controller::open_model(name) and call it there (or use \
                 call_at if you do mean the controller model)",
            ));
        }
        Ok(())
    }
}

/// The juju CLI's client store (feature `juju-data`).
#[cfg(feature = "juju-data")]
impl Controller {
    /// Connects to the juju CLI's current controller (`juju switch`), as the CLI would:
    /// see [`ConnectOptions::from_juju_data`].
    ///
    /// # Errors
    ///
    /// Those of [`ConnectOptions::from_juju_data`] and [`Controller::connect`].
    ///
    /// ```no_run
    /// let ctrl = juju_client::Controller::connect_current()?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn connect_current() -> Result<Controller, Error> {
        Controller::connect(&ConnectOptions::from_juju_data(None)?)
    }

    /// Connects to the controller the juju CLI knows as `name`.
    ///
    /// # Errors
    ///
    /// Those of [`ConnectOptions::from_juju_data`] and [`Controller::connect`].
    ///
    /// ```no_run
    /// let ctrl = juju_client::Controller::connect_named("prod")?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn connect_named(name: &str) -> Result<Controller, Error> {
        Controller::connect(&ConnectOptions::from_juju_data(Some(name))?)
    }
}

/// Secret backends: the `SecretBackends` facade.
impl Controller {
    /// Adds one secret backend, as python-libjuju's `add_secret_backends(id_, name,
    /// backend_type, config)`. An empty `id` lets the controller choose one.
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput`, code `not valid`, for an empty or reserved name (nothing sent);
    /// otherwise the controller's code and text (`already exists`, `not valid`, an
    /// unreachable vault's `backend not reachable: ...`; Juju 4's `secret backend ...`
    /// codes, see [`ErrorCode::generic`](crate::ErrorCode::generic));
    /// [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown) if the reply was
    /// lost.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// use juju_client::secretbackends::BackendConfig;
    /// let config: BackendConfig = [("endpoint", "https://vault:8200"), ("token", "s.root")].into();
    /// ctrl.add_secret_backends("", "myvault", "vault", config)?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "AddSecretBackend")]
    #[doc(alias = "AddSecretBackends")]
    pub fn add_secret_backends(
        &self,
        id: &str,
        name: &str,
        backend_type: &str,
        config: impl Into<BackendConfig>,
    ) -> Result<(), Error> {
        secretbackends::Client::new(&self.conn).add_secret_backends(id, name, backend_type, config)
    }

    /// Adds many backends in one round trip. The outer `Err` is for the call as a whole
    /// (connection, permission); each item gets its own `Result`, in order. Items that fail
    /// the local checks are not sent.
    ///
    /// # Errors
    ///
    /// The outer `Err` only when nothing could be sent or the reply did not come
    /// (connection errors, kind `Protocol` for a reply with the wrong number of results);
    /// each item's own refusal is its `Result`, as for
    /// [`add_secret_backends`](Self::add_secret_backends).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// use juju_client::secretbackends::{AddSecretBackend, VaultConfig};
    /// let results = ctrl.add_secret_backends_batch(&[
    ///     AddSecretBackend::new("vault-a", "vault", VaultConfig::new("https://a:8200")),
    ///     AddSecretBackend::new("vault-b", "vault", VaultConfig::new("https://b:8200")),
    /// ])?;
    /// for r in results {
    ///     if let Err(e) = r { eprintln!("{e}"); }
    /// }
    /// # Ok(()) }
    /// ```
    #[doc(alias = "AddSecretBackends")]
    pub fn add_secret_backends_batch(
        &self,
        backends: &[AddSecretBackend],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        secretbackends::Client::new(&self.conn).add_secret_backends_batch(backends)
    }

    /// Lists every backend, the controller's `internal` one included. With `reveal`, secret
    /// config values are included (needs controller `superuser`).
    ///
    /// # Errors
    ///
    /// `unauthorized access` for `reveal` without controller superuser; code `not
    /// supported` if the controller has no `SecretBackends`; and the connection errors of
    /// any call.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// for b in ctrl.list_secret_backends(false)? {
    ///     println!("{:<12} {:<10} {:>4} {}", b.name, b.backend_type, b.num_secrets, b.status);
    /// }
    /// # Ok(()) }
    /// ```
    #[doc(alias = "ListSecretBackends")]
    pub fn list_secret_backends(&self, reveal: bool) -> Result<Vec<SecretBackend>, Error> {
        secretbackends::Client::new(&self.conn).list_secret_backends(reveal)
    }

    /// Lists the backends with these names (unknown names are skipped; an empty list means
    /// every backend, as on the wire).
    ///
    /// # Errors
    ///
    /// As [`list_secret_backends`](Self::list_secret_backends); unknown names are not an
    /// error, they are left out.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let some = ctrl.list_secret_backends_named(["vault-a", "vault-b"], false)?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "ListSecretBackends")]
    pub fn list_secret_backends_named<I, S>(
        &self,
        names: I,
        reveal: bool,
    ) -> Result<Vec<SecretBackend>, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        secretbackends::Client::new(&self.conn).list_secret_backends_named(names, reveal)
    }

    /// The backend named `name`. An unknown name is an `Err` worded, and coded, as the
    /// controller words an unknown name on update: `not found` from Juju 3.x, `secret backend
    /// not found` from 4.0 (match on [`ErrorCode::generic`](crate::ErrorCode::generic) to handle both).
    ///
    /// # Errors
    ///
    /// Code `not found` (Juju 4: `secret backend not found`) for an unknown name; and those
    /// of [`list_secret_backends`](Self::list_secret_backends).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let b = ctrl.show_secret_backend("myvault", true)?;
    /// println!("{:?}", b.config);
    /// # Ok(()) }
    /// ```
    pub fn show_secret_backend(&self, name: &str, reveal: bool) -> Result<SecretBackend, Error> {
        secretbackends::Client::new(&self.conn).show_secret_backend(name, reveal)
    }

    /// Updates one backend, as python-libjuju's `update_secret_backends`, plus `reset`.
    ///
    /// # Errors
    ///
    /// As [`add_secret_backends`](Self::add_secret_backends), plus `not found` for an
    /// unknown name and, on Juju 3, `not valid` for renaming a backend in use.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// use juju_client::secretbackends::UpdateSecretBackend;
    /// ctrl.update_secret_backends("myvault", UpdateSecretBackend::new().name_change("vault-prod"))?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "UpdateSecretBackend")]
    #[doc(alias = "UpdateSecretBackends")]
    pub fn update_secret_backends(
        &self,
        name: &str,
        update: UpdateSecretBackend,
    ) -> Result<(), Error> {
        secretbackends::Client::new(&self.conn).update_secret_backends(name, update)
    }

    /// Updates many backends in one round trip; one `Result` per item, in order.
    ///
    /// # Errors
    ///
    /// As [`add_secret_backends_batch`](Self::add_secret_backends_batch).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// use juju_client::secretbackends::UpdateSecretBackend;
    /// let token = UpdateSecretBackend::new().config([("token", "s.new")]);
    /// let results = ctrl.update_secret_backends_batch([
    ///     ("vault-a", token.clone()),
    ///     ("vault-b", token),
    /// ])?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "UpdateSecretBackends")]
    pub fn update_secret_backends_batch<I, S>(
        &self,
        updates: I,
    ) -> Result<Vec<Result<(), Error>>, Error>
    where
        I: IntoIterator<Item = (S, UpdateSecretBackend)>,
        S: Into<String>,
    {
        secretbackends::Client::new(&self.conn).update_secret_backends_batch(updates)
    }

    /// Removes one backend, as python-libjuju's `remove_secret_backends(name, force)`.
    /// Without `force`, a backend that still stores secrets is refused (`not supported`).
    /// Removing a name that does not exist succeeds on Juju 3.x and is an error on 4.0
    /// (`secret backend not found`), as is removing a built-in backend even with `force`.
    ///
    /// # Errors
    ///
    /// Code `not supported` for a backend still holding secrets (without `force`) or a
    /// built-in one; on Juju 4, code `secret backend not found` for an unknown name (Juju 3
    /// removes nothing and succeeds);
    /// [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown) if the reply was
    /// lost.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// ctrl.remove_secret_backends("myvault", false)?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "RemoveSecretBackend")]
    #[doc(alias = "RemoveSecretBackends")]
    pub fn remove_secret_backends(&self, name: &str, force: bool) -> Result<(), Error> {
        secretbackends::Client::new(&self.conn).remove_secret_backends(name, force)
    }

    /// Removes many backends in one round trip; one `Result` per name, in order.
    ///
    /// # Errors
    ///
    /// As [`add_secret_backends_batch`](Self::add_secret_backends_batch).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let results = ctrl.remove_secret_backends_batch(["vault-a", "vault-b"], false)?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "RemoveSecretBackends")]
    pub fn remove_secret_backends_batch<I, S>(
        &self,
        names: I,
        force: bool,
    ) -> Result<Vec<Result<(), Error>>, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        secretbackends::Client::new(&self.conn).remove_secret_backends_batch(names, force)
    }
}

/// Models: the `ModelManager` facade.
impl Controller {
    /// The models the logged-in user can see (`ModelManager.ListModels`; a controller
    /// superuser sees every model). Errors: `permission denied` (code `unauthorized access`)
    /// if the controller refuses the listing.
    ///
    /// # Errors
    ///
    /// `unauthorized access` if the controller refuses the listing; code `not supported` if
    /// it offers no `ModelManager`; and the connection errors of any call.
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let names: Vec<String> = ctrl.models()?.iter().map(|m| m.qualified_name()).collect();
    /// # Ok(()) }
    /// ```
    #[doc(alias = "ListModels")]
    #[doc(alias = "list_models")]
    pub fn models(&self) -> Result<Vec<ModelSummary>, Error> {
        modelmanager::Client::new(&self.conn).list_models(&self.user())
    }

    /// Finds a model by the name the `juju` CLI takes: `owner/name` (`admin/default`), or a
    /// bare `name`, meaning the logged-in user's model of that name, else the only model of
    /// that name the user can see.
    ///
    /// Errors: none of that name (code `model not found`), or several owners' (kind
    /// `InvalidInput`); both messages list the models there are.
    ///
    /// # Errors
    ///
    /// Code `model not found` for no model of that name, kind `InvalidInput` for an
    /// ambiguous or malformed name (both messages list the models there are), and those of
    /// [`models`](Self::models).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let m = ctrl.find_model("admin/default")?;
    /// println!("{}", m.uuid);
    /// # Ok(()) }
    /// ```
    pub fn find_model(&self, name: &str) -> Result<ModelSummary, Error> {
        modelmanager::Client::new(&self.conn).find_model(name, &self.user())
    }

    /// Opens a connection to the model the CLI would call `name` (see
    /// [`find_model`](Self::find_model)), with this controller's options and credentials.
    ///
    /// # Errors
    ///
    /// Those of [`find_model`](Self::find_model) and
    /// [`Model::connect`](crate::Model::connect).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// let model = ctrl.open_model("default")?;
    /// println!("{}: {}", model.name(), model.secret_backend()?);
    /// # Ok(()) }
    /// ```
    #[doc(alias = "get_model")]
    #[doc(alias = "model")]
    pub fn open_model(&self, name: &str) -> Result<Model, Error> {
        let summary = self.find_model(name)?;
        Model::open(self.options(), &summary.uuid, summary.name)
    }
}

connection_methods!(Controller, "ctrl");
