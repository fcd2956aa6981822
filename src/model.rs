//! [`Model`]: a logged-in connection to one model (`/model/<uuid>/api`). Its public methods
//! are one-line delegates to the facade clients (`modelconfig`, `secrets`), keeping
//! python-libjuju's names; what every connection has comes from `handle`.

use crate::connection::Connection;
use crate::error::Error;
use crate::handle::connection_methods;
use crate::login::{ModelAccess, Target};
use crate::modelconfig;
#[cfg(feature = "juju-data")]
use crate::modelmanager;
use crate::options::ConnectOptions;
use crate::secrets::{
    self, AddSecret, RemoveSecret, Secret, SecretContent, SecretFilter, SecretUri, UpdateSecret,
};

/// A logged-in connection to one model of a controller (`/model/<uuid>/api`), where the
/// model's own facades are served: its config (and so which secret backend it uses), and
/// its user secrets.
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

/// User secrets: the `Secrets` facade.
///
/// The secrets a model owns (`juju add-secret`), with python-libjuju's names. A secret is
/// addressed by its `id`: a URI (`secret:<id>`, the bare 20-character id, or
/// `secret://<model-uuid>/<id>`) or its name, taken as a URI whenever it parses as one, as
/// the `juju` CLI does (so a name that looks like a secret id is taken as that id).
///
/// Each call needs the `Secrets` facade v2 (Juju 3.3 or later): with a controller that
/// offers only v1 it fails with code `not supported` before anything is sent. Listing needs
/// read access to the model; revealing content needs model `admin` (or controller
/// `superuser`); every change needs `write`. Without it: `permission denied` (code
/// `unauthorized access`). An unknown secret is code `not found` on Juju 3.x and
/// `secret not found` / `secret revision not found` on Juju 4
/// ([`ErrorCode::generic`](crate::ErrorCode::generic) gives `not found` for all three).
/// The content of a secret never appears in a log line, an error text or `Debug` output.
impl Model {
    /// Adds a user secret called `name` holding `content` (revision 1), with `info` as its
    /// description, and returns its URI; as `juju add-secret NAME key=value... --info`.
    /// The content is stored on the model's secret backend
    /// ([`secret_backend`](Self::secret_backend)).
    ///
    /// Empty content is refused before sending (`empty secret value not valid`, as Juju
    /// answers it). An empty `name` adds a secret without a name, to be addressed by its
    /// URI (the API allows it; the CLI does not). Juju does not check names: a name that
    /// parses as a secret id (20 characters of `0-9a-v`) is taken as an id by the other
    /// calls, as by the CLI, so that secret can be addressed only by its URI.
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput`, code `not valid`, for empty content (nothing sent). From the
    /// controller: `secret with name "<name>" already exists` (code `already exists`),
    /// `unauthorized access` without write access, the backend's own error when it cannot
    /// store the content; code `not supported` when the controller lacks `Secrets` v2; and
    /// the connection errors of any call ([`Error::is_outcome_unknown`] when the reply was
    /// lost: list to see whether the secret was made).
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// use juju_client::secrets::SecretContent;
    ///
    /// let content = SecretContent::from_args(["username=admin", "password=s3cret"])?;
    /// let uri = model.add_secret("dbpassword", content, Some("db creds"))?;
    /// println!("added {uri}");
    /// # Ok(()) }
    /// ```
    #[doc(alias = "CreateSecrets")]
    pub fn add_secret(
        &self,
        name: &str,
        content: SecretContent,
        info: Option<&str>,
    ) -> Result<SecretUri, Error> {
        secrets::Client::new(&self.conn).add_secret(name, content, info)
    }

    /// Adds many user secrets in one round trip: one `Result` per item, in order, with the
    /// URI of each secret added. Items refused before sending (empty content) are not sent
    /// and get their error in place; the others are the controller's to accept.
    ///
    /// On Juju 3.6, an item the controller finds invalid fails the whole call (Go's
    /// recovered `runtime error: invalid memory address or nil pointer dereference`), which
    /// is why empty content is refused here.
    ///
    /// # Errors
    ///
    /// The whole call fails (no per-item results) on `unauthorized access`, code `not
    /// supported` (no `Secrets` v2), a reply with the wrong number of results (kind
    /// `Protocol`, naming `Secrets.CreateSecrets`), and the connection errors of any call.
    /// Per item: those of [`add_secret`](Self::add_secret).
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// use juju_client::secrets::{AddSecret, SecretContent};
    ///
    /// let results = model.add_secrets(&[
    ///     AddSecret::new("db", SecretContent::from_args(["password=s3cret"])?).info("db creds"),
    ///     AddSecret::new("api", SecretContent::from_args(["token=t0k3n"])?),
    /// ])?;
    /// for result in results {
    ///     match result {
    ///         Ok(uri) => println!("added {uri}"),
    ///         Err(e) => eprintln!("not added: {e}"),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    #[doc(alias = "CreateSecrets")]
    pub fn add_secrets(
        &self,
        secrets: &[AddSecret],
    ) -> Result<Vec<Result<SecretUri, Error>>, Error> {
        secrets::Client::new(&self.conn).add_secrets(secrets)
    }

    /// Lists the model's secrets matching `filter`, user and charm secrets alike
    /// ([`Secret::is_user_secret`] tells them apart), sorted as `juju secrets` sorts them
    /// (by owner, `<model>` first, then latest revision, highest first), each with its
    /// revisions (by number, each naming the backend holding it) and grants.
    ///
    /// With `reveal`, each secret's content (of the latest revision, or of the filter's
    /// revision) is in [`Secret::content`]; a secret whose content could not be read has
    /// the controller's error in [`Secret::error`] instead, and the others are still
    /// listed. An owner filter naming the model (`<model>` or `model-<uuid>`) is applied by
    /// this client, since Juju 4.0 refuses it ([`SecretFilter::owner`]).
    ///
    /// A secret just removed may still be listed for a moment on Juju 4, which removes
    /// secrets asynchronously.
    ///
    /// # Errors
    ///
    /// `unauthorized access` without read access, or when revealing without model admin
    /// access; what each version refuses in a filter, with its text: Juju 4.0 fails the
    /// call for an unknown URI (code `secret not found`; 3.6 lists nothing), a missing
    /// revision (`secret revision not found`; 3.6: `not found`), a URI with a name or a
    /// revision without either, and an application or unit owner tag that does not parse
    /// (both versions); kind `Protocol` for a reply this client cannot read (a URI or
    /// revision out of range); code `not supported` when the controller lacks `Secrets`
    /// v2; and the connection errors of any call.
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// use juju_client::secrets::SecretFilter;
    ///
    /// for secret in model.list_secrets(&SecretFilter::new(), false)? {
    ///     println!("{} {} r{}", secret.uri, secret.owner_kind(), secret.latest_revision);
    /// }
    /// let mine = model.list_secrets(&SecretFilter::new().owner("<model>"), false)?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "ListSecrets")]
    pub fn list_secrets(&self, filter: &SecretFilter, reveal: bool) -> Result<Vec<Secret>, Error> {
        secrets::Client::new(&self.conn).list_secrets(filter, reveal)
    }

    /// The secret `id` (a URI or a name) with all its revisions, and with `reveal` the
    /// content of its latest revision; as `juju show-secret ID [--reveal]`. By name, the
    /// user secret of that name is shown (a charm secret only if no user secret has it).
    ///
    /// # Errors
    ///
    /// An unknown secret: `secret "<id>" not found` (code `not found`) where the
    /// controller lists nothing (Juju 3.6, or a name on 4.0), and the controller's own
    /// error on Juju 4.0 for an unknown URI (code `secret not found`, whose
    /// [`generic`](crate::ErrorCode::generic) code is `not found`). With `reveal`, the
    /// controller's error when it cannot read the content (for example `not found` for a
    /// revision whose backend was removed), and `unauthorized access` without model admin
    /// access. Kind `InvalidInput` for an empty `id` (nothing sent); code `not supported`
    /// without `Secrets` v2; the connection errors of any call.
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// let secret = model.show_secret("dbpassword", true)?;
    /// if let Some(content) = &secret.content {
    ///     let user = content.get_str("username").unwrap_or("?");
    ///     println!("revision {} for {user}", secret.latest_revision);
    /// }
    /// # Ok(()) }
    /// ```
    #[doc(alias = "ListSecrets")]
    pub fn show_secret(&self, id: &str, reveal: bool) -> Result<Secret, Error> {
        secrets::Client::new(&self.conn).show_secret(id, None, reveal)
    }

    /// The secret `id` (a URI or a name) with only its revision `revision` listed, and with
    /// `reveal` that revision's content; as `juju show-secret ID --revision N [--reveal]`.
    ///
    /// # Errors
    ///
    /// Those of [`show_secret`](Self::show_secret); a revision the secret does not have:
    /// `revison <n> for secret "secret:<id>" not found` (sic, code `not found`) on Juju
    /// 3.6, code `secret revision not found` on 4.0 (both `not found` by
    /// [`generic`](crate::ErrorCode::generic)). Revision 0 is refused before sending (kind
    /// `InvalidInput`, code `not valid`, `revision must be a positive integer`).
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// let first = model.show_secret_revision("dbpassword", 1, true)?;
    /// let backend = first.revision(1).and_then(|r| r.backend.as_deref());
    /// println!("revision 1 is stored in {}", backend.unwrap_or("?"));
    /// # Ok(()) }
    /// ```
    #[doc(alias = "ListSecrets")]
    pub fn show_secret_revision(
        &self,
        id: &str,
        revision: u32,
        reveal: bool,
    ) -> Result<Secret, Error> {
        secrets::Client::new(&self.conn).show_secret(id, Some(revision), reveal)
    }

    /// Updates the user secret `id` (a URI or a name): new content (a new revision, stored
    /// on the model's current secret backend, unless it equals the latest revision's), a
    /// new name, a new description, auto-pruning; as `juju update-secret`. What the update
    /// does not set is kept: a rename keeps the description, and new content keeps the
    /// name (unlike python-libjuju, which clears the name when no new one is given).
    ///
    /// An update that changes nothing is refused before sending, with Juju's text.
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput` before sending: `at least one attribute to update must be
    /// specified` for an empty [`UpdateSecret`], and an empty `id`. From the controller: an
    /// unknown secret (Juju 3.6: `secret "secret:<id>" not found`, code `not found`; 4.0:
    /// code `secret not found`), a new name another secret has (`already exists`), a charm
    /// secret on 4.0 (`unauthorized access`), `unauthorized access` without write access;
    /// code `not supported` without `Secrets` v2; and the connection errors of any call
    /// ([`Error::is_outcome_unknown`] when the reply was lost).
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// use juju_client::secrets::{SecretContent, UpdateSecret};
    ///
    /// let rotate = UpdateSecret::new().content(SecretContent::from_args(["password=n3w"])?);
    /// model.update_secret("dbpassword", rotate)?;
    /// model.update_secret("dbpassword", UpdateSecret::new().new_name("db-creds"))?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "UpdateSecrets")]
    pub fn update_secret(&self, id: &str, update: UpdateSecret) -> Result<(), Error> {
        secrets::Client::new(&self.conn).update_secret(id, update)
    }

    /// Updates many user secrets in one round trip, each given by its `id` (a URI or a
    /// name) with its [`UpdateSecret`]: one `Result` per item, in order. Items refused
    /// before sending (an empty id or update) are not sent and get their error in place.
    ///
    /// On Juju 3.6, an item naming a secret that does not exist *by name* fails the whole
    /// call (Go's recovered `runtime error: invalid memory address or nil pointer
    /// dereference`); by URI it fails that item only.
    ///
    /// # Errors
    ///
    /// The whole call fails (no per-item results) on `unauthorized access`, code `not
    /// supported` (no `Secrets` v2), Juju 3.6's panic above, a reply with the wrong number
    /// of results (kind `Protocol`, naming `Secrets.UpdateSecrets`), and the connection
    /// errors of any call. Per item: those of [`update_secret`](Self::update_secret).
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// use juju_client::secrets::UpdateSecret;
    ///
    /// let results = model.update_secrets([
    ///     ("db", UpdateSecret::new().info("primary db")),
    ///     ("api", UpdateSecret::new().auto_prune(true)),
    /// ])?;
    /// assert_eq!(results.len(), 2);
    /// # Ok(()) }
    /// ```
    #[doc(alias = "UpdateSecrets")]
    pub fn update_secrets<I, S>(&self, updates: I) -> Result<Vec<Result<(), Error>>, Error>
    where
        I: IntoIterator<Item = (S, UpdateSecret)>,
        S: AsRef<str>,
    {
        secrets::Client::new(&self.conn).update_secrets(updates)
    }

    /// Removes the user secret `id` (a URI or a name): the whole secret with `None`, or
    /// only revision `r` with `Some(r)` (Juju removes the secret once no revision is left);
    /// as `juju remove-secret ID [--revision N]`. Content in an external backend is
    /// deleted too.
    ///
    /// Juju 4 removes asynchronously: the secret may still be listed for a moment after
    /// this returns.
    ///
    /// # Errors
    ///
    /// Kind `InvalidInput` before sending: an empty `id`, and `Some(0)` (`revision must be
    /// a positive integer`; the CLI would take 0 as "the whole secret"). From the
    /// controller: an unknown secret (3.6: code `not found`; 4.0: `secret not found`), a
    /// missing revision (3.6: `cannot delete any of revisions [<n>] - revisions not found`,
    /// code `not found`; 4.0: code `secret revision not found`), a charm secret or no write
    /// access (`unauthorized access`); code `not supported` without `Secrets` v2; the
    /// connection errors of any call ([`Error::is_outcome_unknown`] when the reply was
    /// lost).
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// model.remove_secret("dbpassword", Some(1))?; // the first revision only
    /// model.remove_secret("dbpassword", None)?; // the rest
    /// # Ok(()) }
    /// ```
    #[doc(alias = "RemoveSecrets")]
    pub fn remove_secret(&self, id: &str, revision: Option<u32>) -> Result<(), Error> {
        secrets::Client::new(&self.conn).remove_secret(id, revision)
    }

    /// Removes these revisions of the user secret `id` (a URI or a name); Juju removes the
    /// secret once no revision is left. On Juju 3.6, revisions that do not exist are
    /// skipped unless none does; Juju 4.0 refuses the call if any does not exist.
    ///
    /// # Errors
    ///
    /// Those of [`remove_secret`](Self::remove_secret); an empty `revisions` is refused
    /// before sending (kind `InvalidInput`, code `not valid`: on the wire it would mean
    /// the whole secret), and so is a revision 0.
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// model.remove_secret_revisions("dbpassword", &[1, 2])?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "RemoveSecrets")]
    pub fn remove_secret_revisions(&self, id: &str, revisions: &[u32]) -> Result<(), Error> {
        secrets::Client::new(&self.conn).remove_secret_revisions(id, revisions)
    }

    /// Removes many user secrets, or revisions of them, in one round trip: one `Result` per
    /// item, in order. Items refused before sending (an empty id, an empty list of
    /// revisions, revision 0) are not sent and get their error in place.
    ///
    /// # Errors
    ///
    /// The whole call fails (no per-item results) on code `not supported` (no `Secrets`
    /// v2), a reply with the wrong number of results (kind `Protocol`, naming
    /// `Secrets.RemoveSecrets`), and the connection errors of any call; on Juju 4.0 also
    /// on `unauthorized access` (Juju 3.6 refuses each item instead). Per item: those of
    /// [`remove_secret`](Self::remove_secret).
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// use juju_client::secrets::RemoveSecret;
    ///
    /// let results = model.remove_secrets(&[
    ///     RemoveSecret::new("old-token"),
    ///     RemoveSecret::new("dbpassword").revisions(&[1, 2]),
    /// ])?;
    /// # Ok(()) }
    /// ```
    #[doc(alias = "RemoveSecrets")]
    pub fn remove_secrets(
        &self,
        removals: &[RemoveSecret],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        secrets::Client::new(&self.conn).remove_secrets(removals)
    }

    /// Lets the applications `apps` of this model read the user secret `id` (a URI or a
    /// name): role `view`, listed in [`Secret::access`]; as `juju grant-secret ID
    /// app1,app2`. One `Result` per application, in order; granting again is harmless. No
    /// application: nothing is sent, and the list is empty.
    ///
    /// # Errors
    ///
    /// The whole call: an unknown name (3.6: `secret "<name>" not found`, code `not
    /// found`; 4.0: code `secret not found`), `unauthorized access` without write access,
    /// kind `InvalidInput` for an empty `id`, code `not supported` without `Secrets` v2, a
    /// reply with the wrong number of results (kind `Protocol`, naming
    /// `Secrets.GrantSecret`), and the connection errors of any call
    /// ([`Error::is_outcome_unknown`] when the reply was lost). Per application: `cannot
    /// change access to "secret:<id>" for "<app>": ...` for an unknown application or
    /// secret URI, with the controller's code.
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// for (app, result) in ["mysql", "wordpress"].iter().zip(model.grant_secret("dbpassword", &["mysql", "wordpress"])?) {
    ///     if let Err(e) = result {
    ///         eprintln!("{app}: {e}");
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    #[doc(alias = "GrantSecret")]
    pub fn grant_secret(&self, id: &str, apps: &[&str]) -> Result<Vec<Result<(), Error>>, Error> {
        secrets::Client::new(&self.conn).grant_secret(id, apps)
    }

    /// Takes back the access [`grant_secret`](Self::grant_secret) gave the applications
    /// `apps` to the user secret `id` (a URI or a name); as `juju revoke-secret ID
    /// app1,app2`. One `Result` per application, in order. Juju 3.6 answers success for an
    /// application or secret URI it does not know; 4.0 answers an error.
    ///
    /// # Errors
    ///
    /// Those of [`grant_secret`](Self::grant_secret), naming `Secrets.RevokeSecret`.
    ///
    /// ```no_run
    /// # fn f(model: &juju_client::Model) -> Result<(), juju_client::Error> {
    /// for result in model.revoke_secret("dbpassword", &["wordpress"])? {
    ///     result?;
    /// }
    /// # Ok(()) }
    /// ```
    #[doc(alias = "RevokeSecret")]
    pub fn revoke_secret(&self, id: &str, apps: &[&str]) -> Result<Vec<Result<(), Error>>, Error> {
        secrets::Client::new(&self.conn).revoke_secret(id, apps)
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
