//! The `ModelManager` facade on a controller connection: the models a user can see, finding
//! one by the name the `juju` CLI uses (`owner/name`, or a bare name), and opening it.

use serde::Deserialize;

use crate::caller::{Caller, Effect, Facade, FacadeCaller, Serves};
use crate::error::{Error, ErrorCode, ErrorKind};
use crate::params::Entity;
use crate::redact::{Redaction, Strings, is_credential_key};
use crate::tags;

/// `ModelManager` v9 to v11, on controller connections.
pub(crate) const FACADE: Facade = Facade {
    name: "ModelManager",
    versions: &[9, 10, 11],
    serves: Serves::Controller,
    redaction: &REDACTION,
};

/// Model listings hold no secret; its other methods may carry cloud credentials.
const REDACTION: Redaction = Redaction {
    keys: is_credential_key,
    paths: &[],
    config: None,
    strings: Strings::Shown,
    scrub: crate::redact::scrub_echoed_values,
};

/// The `ModelManager` client (Go's `api/client/modelmanager`), on anything that calls.
pub(crate) struct Client<'a, C: ?Sized>(FacadeCaller<'a, C>);

impl<'a, C: Caller + ?Sized> Client<'a, C> {
    pub(crate) fn new(caller: &'a C) -> Self {
        Client(FacadeCaller::new(caller, &FACADE))
    }
}

crate::util::wire_enum! {
    /// The kind of model ([`ModelSummary::model_type`]).
    pub enum ModelType {
        /// `iaas`: machines.
        Iaas = "iaas",
        /// `caas`: a Kubernetes namespace.
        Caas = "caas",
    }
    example: "caas"
}

/// A model the user can see, as `ModelManager.ListModels` describes it.
///
/// Get them with [`Controller::models`](crate::Controller::models), or one with [`Controller::find_model`](crate::Controller::find_model). It is
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
    pub model_type: ModelType,
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
            model_type: ModelType::from(u.model.model_type.as_str()),
            // Juju 3 sends Go's zero time for "never".
            last_connection: u
                .last_connection
                .filter(|t| !t.is_empty() && !t.starts_with("0001-01-01")),
        }
    }
}

impl<C: Caller + ?Sized> Client<'_, C> {
    /// `ListModels` for the user with this tag.
    pub(crate) fn list_models(&self, user_tag: &str) -> Result<Vec<ModelSummary>, Error> {
        let list: UserModelList =
            self.0
                .call("ListModels", &Entity { tag: user_tag }, Effect::Read)?;
        Ok(list
            .user_models
            .unwrap_or_default()
            .into_iter()
            .map(ModelSummary::from)
            .collect())
    }

    /// The model the CLI would call `name`, for the user with this tag.
    pub(crate) fn find_model(&self, name: &str, user_tag: &str) -> Result<ModelSummary, Error> {
        let models = self.list_models(user_tag)?;
        pick_model(models, name, tags::user_id(user_tag))
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
            model_type: ModelType::Iaas,
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
