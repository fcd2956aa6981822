//! The juju client store (`JUJU_DATA`): connect the way the `juju` CLI does, from
//! `controllers.yaml` and `accounts.yaml` (and, for models, `models.yaml`), with no cookie
//! file needed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, ErrorKind};
use crate::options::ConnectOptions;

#[derive(Deserialize)]
struct ControllersFile {
    #[serde(rename = "current-controller", default)]
    current_controller: Option<String>,
    #[serde(default)]
    controllers: Option<BTreeMap<String, ControllerEntry>>,
}

#[derive(Deserialize)]
struct ControllerEntry {
    #[serde(default)]
    uuid: Option<String>,
    #[serde(rename = "api-endpoints", default)]
    api_endpoints: Option<Vec<String>>,
    #[serde(rename = "ca-cert", default)]
    ca_cert: Option<String>,
    /// The controller's public DNS name, when it has one: the cookie URL's host.
    #[serde(rename = "public-hostname", default)]
    public_hostname: Option<String>,
}

#[derive(Deserialize)]
struct AccountsFile {
    #[serde(default)]
    controllers: Option<BTreeMap<String, AccountEntry>>,
}

#[derive(Deserialize)]
struct AccountEntry {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

fn config_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Config, msg)
}

/// The juju client's data directory: `$JUJU_DATA`, else `$XDG_DATA_HOME/juju`, else
/// `~/.local/share/juju`.
///
/// # Errors
///
/// Kind `Config` when none of `JUJU_DATA`, `XDG_DATA_HOME` and `HOME` is set.
///
/// ```no_run
/// println!("{}", juju_client::juju_data_dir()?.display());
/// # Ok::<(), juju_client::Error>(())
/// ```
pub fn juju_data_dir() -> Result<PathBuf, Error> {
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty("JUJU_DATA") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = non_empty("XDG_DATA_HOME") {
        return Ok(PathBuf::from(dir).join("juju"));
    }
    match non_empty("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(".local/share/juju")),
        None => Err(config_error(
            "cannot find the juju client store: none of JUJU_DATA, XDG_DATA_HOME or HOME is set",
        )),
    }
}

fn read(path: &Path) -> Result<Option<String>, Error> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(config_error(format!("{}: {e}", path.display())).with_source(e)),
    }
}

/// Parses YAML, reporting line and column but never the offending text (accounts.yaml holds
/// passwords).
fn parse<T: for<'de> Deserialize<'de>>(path: &Path, text: &str) -> Result<T, Error> {
    serde_saphyr::from_str(text).map_err(|e| {
        let plain = e.without_snippet().to_string();
        let plain = plain.strip_prefix("error: ").unwrap_or(&plain);
        let (at, what) = match e.location() {
            Some(loc) => {
                let prefix = format!("line {} column {}: ", loc.line(), loc.column());
                let suffix = format!(" at line {}, column {}", loc.line(), loc.column());
                let what = plain.strip_prefix(&prefix).unwrap_or(plain);
                (
                    format!("line {} column {}", loc.line(), loc.column()),
                    what.strip_suffix(&suffix).unwrap_or(what).to_string(),
                )
            }
            None => ("".to_string(), plain.to_string()),
        };
        let what = crate::redact::elide_quoted(what.lines().next().unwrap_or(""));
        let at = if at.is_empty() {
            at
        } else {
            format!(" at {at}")
        };
        config_error(format!("{}: malformed YAML{at}: {what}", path.display()))
    })
}

impl ConnectOptions {
    /// Options for a controller the `juju` CLI knows, read from the juju client store
    /// ([`juju_data_dir`]): `name`, or the current controller when `None`. The endpoints,
    /// CA certificate, controller UUID (checked after login), user and password come from
    /// `controllers.yaml` and `accounts.yaml`; adjust anything before connecting.
    ///
    /// With no password stored (after `juju login` or `juju register`), the login uses the
    /// CLI's cookie jar, `cookies/<controller>.json`, as the CLI does: see
    /// [`cookie_jar`](Self::cookie_jar). With `JUJU_CLIENT_ID` and `JUJU_CLIENT_SECRET` set
    /// (JAAS service accounts), it logs in with those
    /// ([`client_credentials`](Self::client_credentials)).
    ///
    /// # Errors
    ///
    /// Kind `Config`, naming the file and key: no `controllers.yaml`, no current or no such
    /// controller, no account, malformed YAML.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use juju_client::{ConnectOptions, Controller};
    ///
    /// let opts = ConnectOptions::from_juju_data(Some("prod"))?.call_timeout(Duration::from_secs(5));
    /// let ctrl = Controller::connect(&opts)?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn from_juju_data(name: Option<&str>) -> Result<ConnectOptions, Error> {
        Self::from_juju_data_dir(&juju_data_dir()?, name)
    }

    /// As [`from_juju_data`](Self::from_juju_data), from an explicit directory.
    ///
    /// # Errors
    ///
    /// As [`from_juju_data`](Self::from_juju_data).
    ///
    /// ```no_run
    /// let opts = juju_client::ConnectOptions::from_juju_data_dir("/tmp/juju".as_ref(), None)?;
    /// # Ok::<(), juju_client::Error>(())
    /// ```
    pub fn from_juju_data_dir(dir: &Path, name: Option<&str>) -> Result<ConnectOptions, Error> {
        let cpath = dir.join("controllers.yaml");
        let text = read(&cpath)?.ok_or_else(|| {
            config_error(format!(
                "{}: not found: the juju client knows no controllers here \
                 (run `juju bootstrap` or `juju register`, or set JUJU_DATA)",
                cpath.display()
            ))
        })?;
        let file: ControllersFile = parse(&cpath, &text)?;
        let controllers = file.controllers.unwrap_or_default();
        let name = match name {
            Some(n) => n.to_string(),
            None => file
                .current_controller
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    config_error(format!(
                        "{}: no current-controller is set (run `juju switch <controller>`, or name one)",
                        cpath.display()
                    ))
                })?,
        };
        let entry = controllers.get(&name).ok_or_else(|| {
            let known: Vec<&str> = controllers.keys().map(String::as_str).collect();
            let known = if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            };
            config_error(format!(
                "{}: no controller named {name:?} under `controllers` (known: {known})",
                cpath.display()
            ))
        })?;
        let endpoints = entry
            .api_endpoints
            .clone()
            .filter(|e| !e.is_empty())
            .ok_or_else(|| {
                config_error(format!(
                    "{}: controllers.{name}.api-endpoints is missing or empty",
                    cpath.display()
                ))
            })?;
        let uuid = entry
            .uuid
            .clone()
            .filter(|u| !u.is_empty())
            .ok_or_else(|| {
                config_error(format!(
                    "{}: controllers.{name}.uuid is missing",
                    cpath.display()
                ))
            })?;

        let apath = dir.join("accounts.yaml");
        let text = read(&apath)?.ok_or_else(|| {
            config_error(format!(
                "{}: not found: no account for controller {name:?} (run `juju login -c {name}`)",
                apath.display()
            ))
        })?;
        let accounts: AccountsFile = parse(&apath, &text)?;
        let account = accounts
            .controllers
            .unwrap_or_default()
            .remove(&name)
            .ok_or_else(|| {
                config_error(format!(
                    "{}: no account for controller {name:?} under `controllers` (run `juju login -c {name}`)",
                    apath.display()
                ))
            })?;
        let user = account.user.filter(|u| !u.is_empty()).ok_or_else(|| {
            config_error(format!(
                "{}: controllers.{name}.user is missing",
                apath.display()
            ))
        })?;
        let mut opts = ConnectOptions::new()
            .endpoints(endpoints)
            .username(user)
            .expect_controller_uuid(uuid.clone());
        match account.password.filter(|p| !p.is_empty()) {
            Some(p) => opts = opts.password(p),
            None => {
                // 3.6 `jujuclient/file.go` `JujuCookiePath`; the cookie URL's host is
                // `api.PreferredHost`: public hostname, else the controller UUID.
                opts = opts
                    .cookie_jar(dir.join("cookies").join(format!("{name}.json")))
                    .cookie_host(
                        entry
                            .public_hostname
                            .clone()
                            .filter(|h| !h.is_empty())
                            .unwrap_or(uuid),
                    );
            }
        }
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let (Some(id), Some(secret)) = (env("JUJU_CLIENT_ID"), env("JUJU_CLIENT_SECRET")) {
            opts = opts.client_credentials(id, secret);
        }
        if let Some(ca) = entry.ca_cert.clone().filter(|c| !c.trim().is_empty()) {
            opts = opts.ca_cert(ca);
        }
        opts.controller_name = Some(name);
        Ok(opts)
    }
}

/// `models.yaml` (Go's `jujuclient/models.go`): per controller, the models the CLI knows by
/// `owner/name`, and the current one.
#[derive(Deserialize)]
struct ModelsFile {
    #[serde(default)]
    controllers: Option<BTreeMap<String, ControllerModels>>,
}

#[derive(Deserialize)]
struct ControllerModels {
    #[serde(default)]
    models: Option<BTreeMap<String, ModelEntry>>,
    #[serde(rename = "current-model", default)]
    current_model: Option<String>,
}

#[derive(Deserialize)]
struct ModelEntry {
    #[serde(default)]
    uuid: Option<String>,
}

/// A model as the client store names it: the options for its controller, and its UUID when
/// `models.yaml` lists it.
pub(crate) struct StoredModel {
    pub(crate) opts: ConnectOptions,
    /// `owner/name`.
    pub(crate) qualified: String,
    /// The name without its owner.
    pub(crate) name: String,
    /// From `models.yaml`; `None` when it does not list the model (ask the controller).
    pub(crate) uuid: Option<String>,
    /// Context for the controller's `model not found` when `models.yaml` did not list it.
    pub(crate) unlisted: String,
}

/// Finds the model named as the CLI's `-m` takes it (`[controller:][owner/]model`; `None`:
/// the current one) in the client store in `dir`.
pub(crate) fn stored_model(dir: &Path, name: Option<&str>) -> Result<StoredModel, Error> {
    let (controller, model) = match name {
        Some(n) => match n.split_once(':') {
            Some((c, m)) => (Some(c).filter(|c| !c.is_empty()), Some(m)),
            None => (None, Some(n)),
        },
        None => (None, None),
    };
    if model == Some("") {
        return Err(config_error(format!(
            "{:?} names no model (use [controller:][owner/]model)",
            name.unwrap_or("")
        )));
    }
    let opts = ConnectOptions::from_juju_data_dir(dir, controller)?;
    let ctrl_name = opts.controller_name.clone().unwrap_or_default();
    let mpath = dir.join("models.yaml");
    let file: Option<ModelsFile> = match read(&mpath)? {
        Some(text) => Some(parse(&mpath, &text)?),
        None => None,
    };
    let entry = file
        .and_then(|f| f.controllers)
        .and_then(|mut c| c.remove(&ctrl_name));
    let wanted = match model {
        Some(m) => m.to_string(),
        None => entry
            .as_ref()
            .and_then(|e| e.current_model.clone())
            .filter(|m| !m.is_empty())
            .ok_or_else(|| {
                config_error(format!(
                    "{}: controllers.{ctrl_name}.current-model is not set (run `juju switch \
                     {ctrl_name}:<model>`, or name a model)",
                    mpath.display()
                ))
            })?,
    };
    // The CLI qualifies a bare name with the account's user.
    let qualified = if wanted.contains('/') {
        wanted.clone()
    } else {
        let user = crate::tags::user_id(&opts.user_tag()).to_string();
        format!("{user}/{wanted}")
    };
    let bare = qualified.split_once('/').map_or("", |(_, m)| m).to_string();
    let known = entry
        .and_then(|e| e.models)
        .and_then(|mut m| m.remove(&qualified))
        .and_then(|m| m.uuid)
        .filter(|u| !u.is_empty());
    let unlisted = format!(
        "{}: controllers.{ctrl_name}.models has no {qualified:?}, and the controller",
        mpath.display()
    );
    Ok(StoredModel {
        opts,
        qualified,
        name: bare,
        uuid: known,
        unlisted,
    })
}
