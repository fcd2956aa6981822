//! [`Model`]: a logged-in connection to one model (`/model/<uuid>/api`). Its public methods
//! are one-line delegates to the facade clients (`modelconfig`), keeping python-libjuju's
//! names; what every connection has comes from `handle`.

use crate::connection::Connection;
use crate::error::Error;
use crate::handle::connection_methods;
use crate::login::{ModelAccess, Target};
use crate::modelconfig;
#[cfg(feature = "juju-data")]
use crate::modelmanager;
use crate::options::ConnectOptions;

/// A logged-in connection to one model of a controller (`/model/<uuid>/api`), where the
/// model's own facades are served: its config, and so which secret backend it uses.
///
/// Get one from a controller by name with [`Controller::open_model`](crate::Controller::open_model),
/// by UUID with [`Model::connect`], or, with the `juju-data` feature, the way the `juju` CLI
/// picks one ([`Model::connect_current`], [`Model::connect_named`]). It has what a
/// [`Controller`](crate::Controller) has (generic `call`, `ping`, `close`, `reconnect`,
/// timeouts, accessors) and is `Send + Sync`.
///
/// Errors: a model that does not exist (any more) fails every call, login included, with
/// `unknown model: "<uuid>"` (code `model not found`); a user with no access to it gets
/// `permission denied` (code `unauthorized access`); a migrated model answers
/// `redirection required`, followed when
/// [`follow_redirects`](ConnectOptions::follow_redirects) is on.
///
/// ```no_run
/// use juju_client::Controller;
///
/// let ctrl = Controller::connect_current()?;
/// let model = ctrl.open_model("admin/default")?;
/// println!("{} uses secret backend {}", model.name(), model.secret_backend()?);
/// # Ok::<(), juju_client::Error>(())
/// ```
pub struct Model {
    pub(crate) conn: Connection,
    uuid: String,
    name: String,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("name", &self.name)
            .field("uuid", &self.uuid)
            .field("endpoint", &self.endpoint())
            .field("user", &self.user())
            .field("server_version", &self.server_version())
            .finish()
    }
}

impl Model {
    /// Connects to the model with this UUID and logs in, with the same options (endpoints,
    /// credentials, CA, timeouts) as a controller connection.
    ///
    /// Its name is read from the model's config (`ModelConfig.ModelGet`), one more round
    /// trip; [`Controller::open_model`](crate::Controller::open_model) knows it already.
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput` for a `uuid` that is not a model UUID (nothing dialled); code
    /// `model not found` (`unknown model: "<uuid>"`) for a model the controller does not
    /// have; `unauthorized access` without access to it; `redirection required` for a
    /// migrated model (unless followed); and those of
    /// [`Controller::connect`](crate::Controller::connect).
    ///
    /// ```no_run
    /// # use juju_client::{ConnectOptions, Model};
    /// let opts = ConnectOptions::new().endpoint("10.0.0.5:17070").password("s3cret");
    /// let model = Model::connect(&opts, "f47ac10b-58cc-4372-a567-0e02b2c3d479")?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn connect(opts: &ConnectOptions, uuid: &str) -> Result<Model, Error> {
        let mut model = Model::open(opts, uuid, String::new())?;
        model.name = modelconfig::Client::new(&model.conn).config_name()?;
        Ok(model)
    }

    /// Connects when the name is known already.
    pub(crate) fn open(opts: &ConnectOptions, uuid: &str, name: String) -> Result<Model, Error> {
        check_uuid(uuid)?;
        Ok(Model {
            conn: Connection::connect(opts, Target::Model(uuid.to_string()))?,
            uuid: uuid.to_string(),
            name,
        })
    }

    /// The model's UUID.
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) {
    /// println!("{}", model.uuid());
    /// # }
    /// ```
    pub fn uuid(&self) -> &str {
        &self.uuid
    }

    /// The model's name (without its owner), e.g. `default`.
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) {
    /// println!("connected to model {}", model.name());
    /// # }
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The user's access to the model: `read`, `write` or `admin` (a controller superuser
    /// without an explicit grant has `admin`).
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) {
    /// use juju_client::ModelAccess;
    /// let can_configure = matches!(model.model_access(), ModelAccess::Write | ModelAccess::Admin);
    /// # }
    /// ```
    pub fn model_access(&self) -> ModelAccess {
        ModelAccess::from(self.conn.model_access().as_str())
    }

    /// Every facade the model offers may be called generically.
    #[allow(
        clippy::unused_self,
        reason = "the shared connection methods call it on each kind of connection"
    )]
    fn check_generic(&self, _facade: &str) -> Result<(), Error> {
        Ok(())
    }
}

/// The juju CLI's client store (feature `juju-data`).
#[cfg(feature = "juju-data")]
impl Model {
    /// Connects to the juju CLI's current model (`juju switch`) of its current controller:
    /// `current-model` in `models.yaml`, with the controller's endpoints and account from
    /// `controllers.yaml` and `accounts.yaml` (see [`ConnectOptions::from_juju_data`]).
    ///
    /// Errors name the file and the key: no current model, a model `models.yaml` does not
    /// list (the controller is then asked, as the CLI refreshes its list), no such model.
    ///
    /// # Errors
    ///
    /// Those of [`ConnectOptions::from_juju_data`]; kind `Config` for a `models.yaml` with
    /// no current model (file and key named); code `model not found` when neither
    /// `models.yaml` nor the controller knows the model; then those of [`Model::connect`].
    ///
    /// ```no_run
    /// let model = juju_client::Model::connect_current()?;
    /// println!("{}", model.secret_backend()?);
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn connect_current() -> Result<Model, Error> {
        Model::connect_from_juju_data_dir(&crate::jujudata::juju_data_dir()?, None)
    }

    /// Connects to a model named as the CLI's `-m` takes it: `[controller:][owner/]model`.
    /// Without a controller, the current one; without an owner, the account's user.
    ///
    /// # Errors
    ///
    /// As [`connect_current`](Self::connect_current), for the named model.
    ///
    /// ```no_run
    /// let model = juju_client::Model::connect_named("prod:admin/default")?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn connect_named(name: &str) -> Result<Model, Error> {
        Model::connect_from_juju_data_dir(&crate::jujudata::juju_data_dir()?, Some(name))
    }

    /// [`connect_named`](Self::connect_named) (or, with `None`,
    /// [`connect_current`](Self::connect_current)) with the client store in `dir` rather
    /// than `$JUJU_DATA`.
    ///
    /// # Errors
    ///
    /// As [`connect_current`](Self::connect_current).
    ///
    /// ```no_run
    /// let dir = std::path::Path::new("/home/me/.local/share/juju");
    /// let model = juju_client::Model::connect_from_juju_data_dir(dir, Some("default"))?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn connect_from_juju_data_dir(
        dir: &std::path::Path,
        name: Option<&str>,
    ) -> Result<Model, Error> {
        let stored = crate::jujudata::stored_model(dir, name)?;
        if let Some(uuid) = &stored.uuid {
            return Model::open(&stored.opts, uuid, stored.name);
        }
        // Not in models.yaml: ask the controller, as `juju` refreshes its list.
        let conn = Connection::connect(&stored.opts, Target::Controller)?;
        let summary = modelmanager::Client::new(&conn)
            .find_model(&stored.qualified, &conn.user())
            .map_err(|e| e.context(&stored.unlisted))?;
        drop(conn);
        Model::open(&stored.opts, &summary.uuid, summary.name)
    }
}

/// Which secret backend the model uses: the `ModelConfig` facade.
impl Model {
    /// The secret backend the model stores new secrets in: `auto` (the controller's
    /// `internal` store for IAAS models, the model's Kubernetes namespace for CAAS ones),
    /// `internal`, or the name of a backend added with
    /// [`add_secret_backends`](crate::Controller::add_secret_backends).
    ///
    /// Errors: `permission denied` (code `unauthorized access`) without read access to the
    /// model; on Juju 4, the controller's own errors (for example `model not found`).
    ///
    /// # Errors
    ///
    /// `unauthorized access` without read access to the model; on Juju 4, the controller's
    /// own errors (for example `model not found`); and the connection errors of any call.
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// println!("{} stores secrets in {}", model.name(), model.secret_backend()?);
    /// # Ok(()) }
    /// ```
    #[doc(alias = "GetModelSecretBackend")]
    #[doc(alias = "model_secret_backend")]
    pub fn secret_backend(&self) -> Result<String, Error> {
        modelconfig::Client::new(&self.conn).secret_backend()
    }

    /// Makes the model store new secrets in the backend `name` (`auto`, `internal`, or an
    /// added backend's name), as `juju model-config secret-backend=NAME` (Juju 3) or
    /// `juju model-secret-backend NAME` (Juju 4) do. Secrets already stored stay where
    /// they are.
    ///
    /// The controller checks the name, and its answer comes back with its code and text:
    /// on Juju 3 an unknown backend is `secret backend "x" not found` (code `not found`), an
    /// unreachable one `cannot ping backend "x": ...`, an empty name
    /// `empty "secret-backend" config value not valid`; on Juju 4 an unknown backend is
    /// code `secret backend not found`, an empty name `missing backend name`. Without write
    /// access: `permission denied` (code `unauthorized access`).
    ///
    /// # Errors
    ///
    /// The controller's validation, with its code and text (see above); `unauthorized
    /// access` without write access; and the connection errors of any call
    /// ([`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown) if the reply was
    /// lost).
    ///
    /// ```no_run
    /// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
    /// ctrl.add_secret_backends("", "myvault", "vault", [("endpoint", "https://vault:8200")])?;
    /// let model = ctrl.open_model("default")?;
    /// model.set_secret_backend("myvault")?;
    /// assert_eq!(model.secret_backend()?, "myvault");
    /// # Ok(()) }
    /// ```
    #[doc(alias = "SetModelSecretBackend")]
    #[doc(alias = "set_config")]
    pub fn set_secret_backend(&self, name: &str) -> Result<(), Error> {
        modelconfig::Client::new(&self.conn).set_secret_backend(name)
    }
}

connection_methods!(Model, "model");

/// A model UUID as the controller's URL router accepts it (lowercase `8-4-4-4-12` hex):
/// anything else would be answered `400 invalid model UUID`, and must not reach the path.
fn check_uuid(uuid: &str) -> Result<(), Error> {
    if crate::util::is_uuid(uuid) && !uuid.bytes().any(|b| b.is_ascii_uppercase()) {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "connect: {uuid:?} is not a model UUID (8-4-4-4-12 lowercase hex digits); to open a \
         model by name use Controller::open_model"
    )))
}
