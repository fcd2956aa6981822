//! The `ModelManager` facade on a controller connection: the models a user can see, finding
//! one by the name the `juju` CLI uses (`owner/name`, or a bare name), and opening it.

use serde::Deserialize;

use crate::core::Effect;
use crate::error::{Error, ErrorCode, ErrorKind};
use crate::params::Entity;
use crate::tags;
use crate::{Controller, Model};

const FACADE: &str = "ModelManager";

/// A model the user can see, as `ModelManager.ListModels` describes it.
///
/// Get them with [`Controller::models`], or one with [`Controller::find_model`]. It is
/// `Clone`, `PartialEq` and `serde::Serialize` (it holds no secret).
///
/// ```no_run
/// # fn f(ctrl: &juju_client::Controller) -> Result<(), juju_client::Error> {
/// for m in ctrl.models()? {
///     println!("{} ({}) {}", m.qualified_name(), m.model_type, m.uuid);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct ModelSummary {
    /// The model's name, e.g. `default`.
    pub name: String,
    /// Its UUID.
    pub uuid: String,
    /// Its owner as the CLI shows it: `admin`, `alice@external` (Juju 4 calls it the
    /// model's qualifier).
    pub owner: String,
    /// `iaas` or `caas`.
    pub model_type: String,
    /// When the listing user last connected to it (RFC 3339), if ever.
    pub last_connection: Option<String>,
}

impl ModelSummary {
    /// `owner/name`, the name the `juju` CLI shows and takes (`admin/default`).
    ///
    /// ```no_run
    /// # fn f(m: &juju_client::ModelSummary) {
    /// assert_eq!(m.qualified_name(), format!("{}/{}", m.owner, m.name));
    /// # }
    /// ```
    pub fn qualified_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// `params.UserModelList` (v9, v10: `owner-tag`; v11: `qualifier`).
#[derive(Deserialize)]
struct UserModelList {
    #[serde(rename = "user-models", default)]
    user_models: Option<Vec<UserModel>>,
}

#[derive(Deserialize)]
struct UserModel {
    model: WireModel,
    #[serde(rename = "last-connection", default)]
    last_connection: Option<String>,
}

#[derive(Deserialize)]
struct WireModel {
    #[serde(default)]
    name: String,
    #[serde(default)]
    uuid: String,
    #[serde(rename = "type", default)]
    model_type: String,
    #[serde(rename = "owner-tag", default)]
    owner_tag: Option<String>,
    #[serde(default)]
    qualifier: Option<String>,
}

impl From<UserModel> for ModelSummary {
    fn from(u: UserModel) -> Self {
        let owner = match (u.model.qualifier, u.model.owner_tag) {
            (Some(q), _) if !q.is_empty() => q,
            (_, Some(tag)) => tags::user_id(&tag).to_string(),
            _ => String::new(),
        };
        ModelSummary {
            name: u.model.name,
            uuid: u.model.uuid,
            owner,
            model_type: u.model.model_type,
            // Juju 3 sends Go's zero time for "never".
            last_connection: u
                .last_connection
                .filter(|t| !t.is_empty() && !t.starts_with("0001-01-01")),
        }
    }
}

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
        let version = self.core.require_facade(FACADE)?;
        let user = self.user();
        let list: UserModelList = self.core.call(
            FACADE,
            version,
            "ListModels",
            &Entity { tag: &user },
            Effect::Read,
        )?;
        Ok(list
            .user_models
            .unwrap_or_default()
            .into_iter()
            .map(ModelSummary::from)
            .collect())
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
        let models = self.models()?;
        let me = tags::user_id(&self.user()).to_string();
        pick_model(models, name, &me)
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
    /// let model = ctrl.model("default")?;
    /// println!("{}: {}", model.name(), model.secret_backend()?);
    /// # Ok(()) }
    /// ```
    #[doc(alias = "get_model")]
    pub fn model(&self, name: &str) -> Result<Model, Error> {
        let summary = self.find_model(name)?;
        Model::open(self.options(), &summary.uuid, summary.name)
    }
}

/// The CLI's rule for model names (`jujuclient.SplitModelName`, `modelcmd`): qualified by
/// owner, or the user's own.
fn pick_model(models: Vec<ModelSummary>, name: &str, me: &str) -> Result<ModelSummary, Error> {
    let known = || {
        let mut all: Vec<String> = models.iter().map(ModelSummary::qualified_name).collect();
        all.sort();
        if all.is_empty() {
            "none".to_string()
        } else {
            all.join(", ")
        }
    };
    let (owner, bare) = match name.split_once('/') {
        Some((owner, bare)) => (Some(owner.strip_suffix("@local").unwrap_or(owner)), bare),
        None => (None, name),
    };
    if bare.is_empty() || owner == Some("") {
        return Err(Error::invalid(format!(
            "{name:?} is not a model name (use NAME or OWNER/NAME)"
        )));
    }
    let mut matches: Vec<&ModelSummary> = models
        .iter()
        .filter(|m| m.name == bare && owner.is_none_or(|o| m.owner == o))
        .collect();
    if owner.is_none() && matches.len() > 1 {
        // A bare name means the user's own model first, as the CLI qualifies it.
        if let Some(mine) = matches.iter().find(|m| m.owner == me) {
            return Ok((*mine).clone());
        }
    }
    match matches.len() {
        1 => Ok(matches.remove(0).clone()),
        0 => Err(Error::new(
            ErrorKind::Api,
            format!("model {name:?} not found (models: {})", known()),
        )
        .with_code(ErrorCode::ModelNotFound)),
        _ => {
            let mut which: Vec<String> = matches.iter().map(|m| m.qualified_name()).collect();
            which.sort();
            Err(Error::invalid(format!(
                "model name {name:?} is ambiguous: say which with OWNER/NAME ({})",
                which.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(owner: &str, name: &str) -> ModelSummary {
        ModelSummary {
            name: name.into(),
            uuid: format!("{owner}-{name}"),
            owner: owner.into(),
            model_type: "iaas".into(),
            last_connection: None,
        }
    }

    #[test]
    fn names_resolve_as_the_cli_resolves_them() {
        let all = || {
            vec![
                m("admin", "controller"),
                m("admin", "default"),
                m("bob", "default"),
                m("bob", "dev"),
                m("carol", "dev"),
            ]
        };
        assert_eq!(
            pick_model(all(), "admin/default", "bob").unwrap().owner,
            "admin"
        );
        assert_eq!(
            pick_model(all(), "bob@local/default", "admin")
                .unwrap()
                .owner,
            "bob"
        );
        // Bare: the user's own first, else the only one.
        assert_eq!(pick_model(all(), "default", "bob").unwrap().owner, "bob");
        assert_eq!(
            pick_model(all(), "controller", "bob").unwrap().owner,
            "admin"
        );
        let e = pick_model(all(), "dev", "admin").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.message().contains("bob/dev, carol/dev"), "{e}");
        let e = pick_model(all(), "admin/nope", "admin").unwrap_err();
        assert_eq!(e.code(), Some(ErrorCode::ModelNotFound));
        assert!(
            e.message()
                .contains("admin/controller, admin/default, bob/default")
        );
        assert!(pick_model(all(), "/x", "admin").is_err());
        assert!(pick_model(all(), "admin/", "admin").is_err());
    }

    #[test]
    fn both_list_shapes_decode() {
        let v10: UserModelList = serde_json::from_str(
            r#"{"user-models":[{"model":{"name":"default","uuid":"u1","type":"iaas","owner-tag":"user-admin"},"last-connection":"0001-01-01T00:00:00Z"}]}"#,
        )
        .unwrap();
        let s = ModelSummary::from(v10.user_models.unwrap().remove(0));
        assert_eq!((s.owner.as_str(), s.last_connection), ("admin", None));
        let v11: UserModelList = serde_json::from_str(
            r#"{"user-models":[{"model":{"name":"m","qualifier":"alice@external","uuid":"u2","type":"caas"},"last-connection":"2025-01-02T03:04:05Z"}]}"#,
        )
        .unwrap();
        let s = ModelSummary::from(v11.user_models.unwrap().remove(0));
        assert_eq!(s.qualified_name(), "alice@external/m");
        assert_eq!(s.last_connection.as_deref(), Some("2025-01-02T03:04:05Z"));
        let empty: UserModelList = serde_json::from_str(r#"{"user-models":null}"#).unwrap();
        assert!(empty.user_models.is_none());
    }
}
