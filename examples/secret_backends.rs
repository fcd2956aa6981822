//! A small command-line tool for a controller's secret backends, mirroring the `juju` CLI.
//!
//! ```text
//! secret_backends [--controller NAME | --fake] COMMAND ...
//!
//!   list | secret-backends [--reveal] [--format tabular|yaml|json]
//!   show NAME [--reveal] [--format yaml|json]
//!   add NAME TYPE [key=value...] [--config FILE] [--import-id ID]     (token-rotate=1h)
//!   update NAME [key=value...] [--config FILE] [--reset k1,k2] [--force] (name=NEW renames)
//!   remove NAME [--force]
//!   models [--format tabular|json]
//!   model-secret-backend [-m MODEL] [NAME]                     (show, or set to NAME)
//!
//!   secrets [-m MODEL] [--owner TAG] [--revisions] [--format tabular|yaml|json]
//!   show-secret ID|NAME [-m MODEL] [--reveal] [--revisions] [-r|--revision N] [--format yaml|json]
//!   add-secret NAME key=value... [--info TEXT] [--file PATH] [-m MODEL]     (prints the URI)
//!   update-secret ID|NAME [key=value...] [--name NEW] [--info TEXT] [--file PATH]
//!                 [--auto-prune[=true|false]] [-m MODEL]
//!   remove-secret ID|NAME [--revision N] [-m MODEL]
//!   grant-secret ID|NAME app1[,app2...] [-m MODEL]
//!   revoke-secret ID|NAME app1[,app2...] [-m MODEL]
//! ```
//!
//! The user-secret commands (`juju secrets` and friends) lay their output out as the CLI
//! does; content is shown only by `show-secret --reveal`, decoded. A value may be given as
//! `key#base64=...` or `key#file=PATH`, and `--file` reads a YAML or JSON map of them.
//!
//! `-m` takes a model as `juju -m` does: `[controller:][owner/]model`; without it, the
//! current model (`juju switch`), or `default` with `--fake`.
//!
//! The controller is the juju CLI's current one (`JUJU_DATA`), or `--controller NAME`, or
//! with `--fake` a built-in fake controller started for this run. On failure it prints one
//! line, `ERROR ...`, on stderr and exits 1 (2 for a usage mistake).
//!
//! Against a real controller it needs only the crate's default features; `--fake` needs the
//! `testing` feature (which brings the fake's certificate and TLS server dependencies):
//!
//! ```text
//! cargo run --features testing --example secret_backends -- --fake list
//! cargo run --example secret_backends -- add myvault vault endpoint=https://vault:8200 token=s.x token-rotate=24h
//! ```

use std::collections::BTreeMap;
use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

use juju_client::secretbackends::{
    AddSecretBackend, BackendConfig, BackendStatus, SecretBackend, UpdateSecretBackend,
    format_go_duration, parse_go_duration,
};
use juju_client::{ConnectOptions, Controller, ErrorCode, Model, ModelSummary};
use serde::Serialize;
use serde_json::Value;

#[path = "secret_backends/user_secrets.rs"]
mod user_secrets;

const USAGE: &str = "usage: secret_backends [--controller NAME | --fake] COMMAND ...
  list | secret-backends [--reveal] [--format tabular|yaml|json]
  show NAME [--reveal] [--format yaml|json]
  add NAME TYPE [key=value...] [--config FILE] [--import-id ID]
  update NAME [key=value...] [--config FILE] [--reset k1,k2] [--force]
  remove NAME [--force]
  models [--format tabular|json]
  model-secret-backend [-m MODEL] [NAME]
  secrets [-m MODEL] [--owner TAG] [--revisions] [--format tabular|yaml|json]
  show-secret ID|NAME [-m MODEL] [--reveal] [--revisions] [-r|--revision N] [--format yaml|json]
  add-secret NAME key=value... [--info TEXT] [--file PATH] [-m MODEL]
  update-secret ID|NAME [key=value...] [--name NEW] [--info TEXT] [--file PATH] [--auto-prune[=BOOL]] [-m MODEL]
  remove-secret ID|NAME [--revision N] [-m MODEL]
  grant-secret ID|NAME app1[,app2...] [-m MODEL]
  revoke-secret ID|NAME app1[,app2...] [-m MODEL]";

/// The built-in fake controller of `--fake`, kept alive for the run.
#[cfg(feature = "testing")]
type Fake = juju_client::testing::FakeController;
/// Built without the `testing` feature there is no fake, so there is never one to keep.
#[cfg(not(feature = "testing"))]
enum Fake {}

/// Starts the fake controller and connects to it.
#[cfg(feature = "testing")]
fn start_fake() -> Result<(Controller, Option<Fake>), Failure> {
    let fake = Fake::start()?;
    let ctrl = Controller::connect(&fake.connect_options())?;
    Ok((ctrl, Some(fake)))
}

/// Says how to get the fake controller.
#[cfg(not(feature = "testing"))]
fn start_fake() -> Result<(Controller, Option<Fake>), Failure> {
    Err(usage(
        "--fake needs the fake controller, which this build leaves out: \
         cargo run --features testing --example secret_backends -- --fake ...",
    ))
}

const NO_BACKENDS: &str = "no secret backends have been added to this controller";

/// Why the tool stops: a usage mistake (exit 2, with the usage), arguments the juju CLI
/// refuses before calling the controller (exit 2, as its `Init` errors), or a failure
/// (exit 1).
enum Failure {
    Usage(String),
    Init(String),
    Failed(String),
}

impl From<juju_client::Error> for Failure {
    fn from(e: juju_client::Error) -> Self {
        Failure::Failed(e.to_string())
    }
}

fn failed(msg: impl Into<String>) -> Failure {
    Failure::Failed(msg.into())
}

fn usage(msg: impl Into<String>) -> Failure {
    Failure::Usage(msg.into())
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Tabular,
    Yaml,
    Json,
}

/// The command line, split into flags and positional words.
#[derive(Default)]
struct Args {
    controller: Option<String>,
    model: Option<String>,
    fake: bool,
    reveal: bool,
    force: bool,
    format: Option<String>,
    config_file: Option<String>,
    import_id: Option<String>,
    reset: Vec<String>,
    owner: Option<String>,
    revisions: bool,
    revision: Option<String>,
    info: Option<String>,
    file: Option<String>,
    new_name: Option<String>,
    auto_prune: Option<String>,
    words: Vec<String>,
}

fn parse_args(argv: Vec<String>) -> Result<Args, Failure> {
    let mut a = Args::default();
    let mut it = argv.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| usage(format!("option {name} needs a value")))
        };
        match flag.as_str() {
            "-c" | "--controller" => a.controller = Some(value("--controller")?),
            "-m" | "--model" => a.model = Some(value("--model")?),
            "--fake" => a.fake = true,
            "--reveal" => a.reveal = true,
            "--force" => a.force = true,
            "--format" => a.format = Some(value("--format")?),
            "--config" => a.config_file = Some(value("--config")?),
            "--import-id" => a.import_id = Some(value("--import-id")?),
            "--reset" => a.reset.extend(
                value("--reset")?
                    .split(',')
                    .filter(|k| !k.is_empty())
                    .map(str::to_string),
            ),
            "--owner" => a.owner = Some(value("--owner")?),
            "--revisions" => a.revisions = true,
            "-r" | "--revision" => a.revision = Some(value("--revision")?),
            "--info" => a.info = Some(value("--info")?),
            "--file" => a.file = Some(value("--file")?),
            "--name" => a.new_name = Some(value("--name")?),
            // A boolean: `--auto-prune` alone is true; `--auto-prune=false` says otherwise.
            "--auto-prune" => a.auto_prune = Some(inline.clone().unwrap_or_else(|| "true".into())),
            "-h" | "--help" => return Err(usage("")),
            f if f.starts_with("--") => return Err(usage(format!("unknown option {f}"))),
            _ => a.words.push(arg),
        }
    }
    if a.fake && a.controller.is_some() {
        return Err(usage("--fake and --controller cannot be used together"));
    }
    Ok(a)
}

fn format_of(a: &Args, allowed: &[(&str, Format)], default: Format) -> Result<Format, Failure> {
    match &a.format {
        None => Ok(default),
        Some(f) => allowed
            .iter()
            .find(|(n, _)| n == f)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
                usage(format!(
                    "invalid --format {f:?} (expected {})",
                    names.join(", ")
                ))
            }),
    }
}

/// `key=value` arguments, as the juju CLI reads them.
fn key_values(words: &[String]) -> Result<BTreeMap<String, String>, Failure> {
    let mut out = BTreeMap::new();
    for w in words {
        let Some((k, v)) = w.split_once('=') else {
            return Err(failed(format!("key value {w:?} not valid")));
        };
        if k.is_empty() {
            return Err(failed(format!("expected \"key=value\", got {w:?}")));
        }
        if out.insert(k.to_string(), v.to_string()).is_some() {
            return Err(failed(format!("key {k:?} specified more than once")));
        }
    }
    Ok(out)
}

/// A `--config` YAML file (`-` for stdin) as a config map.
fn config_file(path: &str) -> Result<BTreeMap<String, Value>, Failure> {
    let text = if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| failed(format!("reading stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| failed(format!("{path}: {e}")))?
    };
    let v: Value = serde_saphyr::from_str(&text).map_err(|e| {
        let loc = e
            .location()
            .map(|l| format!(" at line {} column {}", l.line(), l.column()))
            .unwrap_or_default();
        failed(format!("{path}: malformed YAML{loc}"))
    })?;
    match v {
        Value::Object(m) => Ok(m.into_iter().collect()),
        Value::Null => Ok(BTreeMap::new()),
        _ => Err(failed(format!("{path}: expected a map of config keys"))),
    }
}

/// Takes `token-rotate` out of the key values, as the CLI does.
fn take_rotate(kv: &mut BTreeMap<String, String>) -> Result<Option<Duration>, Failure> {
    let Some(text) = kv.remove("token-rotate") else {
        return Ok(None);
    };
    let d = parse_go_duration(&text)
        .map_err(|e| failed(format!("invalid token rotate interval: {}", e.message())))?;
    Ok(Some(d))
}

fn connect(a: &Args) -> Result<(Controller, Option<Fake>), Failure> {
    if a.fake {
        return start_fake();
    }
    // A user logged in with `juju login` has no stored password, only the CLI's cookie
    // jar; when its macaroon has expired, the controller's discharger asks for the password.
    let opts =
        ConnectOptions::from_juju_data(a.controller.as_deref())?.password_callback(prompt_password);
    Ok((Controller::connect(&opts)?, None))
}

/// Asks for the password as the juju CLI does. On a terminal the typing is hidden with
/// `stty -echo` (no extra crate needed); otherwise one line is read from standard input.
/// An empty answer or end of input gives up.
fn prompt_password(p: &juju_client::PasswordPrompt) -> Option<String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    eprint!(
        "please enter password for {} on {}: ",
        p.user(),
        p.controller()
    );
    let _ = std::io::stderr().flush();
    let stty = |arg: &str| {
        let _ = std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status();
    };
    if terminal {
        stty("-echo");
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if terminal {
        stty("echo");
        eprintln!();
    }
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    (read.is_ok() && !password.is_empty()).then_some(password)
}

fn main() -> ExitCode {
    env_logger::init();
    let result = parse_args(std::env::args().skip(1).collect()).and_then(|a| run(&a));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            if !msg.is_empty() {
                eprintln!("ERROR {msg}");
            }
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Init(msg)) => {
            eprintln!("ERROR {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(msg)) => {
            eprintln!("ERROR {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(a: &Args) -> Result<(), Failure> {
    let Some((command, rest)) = a.words.split_first() else {
        return Err(usage("no command given"));
    };
    if let Some(result) = user_secrets::run(a, command, rest) {
        return result;
    }
    match command.as_str() {
        "list" | "secret-backends" | "list-secret-backends" => {
            let format = format_of(
                a,
                &[
                    ("tabular", Format::Tabular),
                    ("yaml", Format::Yaml),
                    ("json", Format::Json),
                ],
                Format::Tabular,
            )?;
            if !rest.is_empty() {
                return Err(usage(format!("unrecognized args: {rest:?}")));
            }
            let reveal = a.reveal && format != Format::Tabular;
            if a.reveal && !reveal {
                eprintln!("sensitive config values are not shown in tabular format");
            }
            let (ctrl, _fake) = connect(a)?;
            let backends = ctrl.list_secret_backends(reveal)?;
            if backends.is_empty() {
                eprintln!("{NO_BACKENDS}");
                return Ok(());
            }
            print_backends(&backends, format)
        }
        "show" | "show-secret-backend" => {
            let format = format_of(
                a,
                &[("yaml", Format::Yaml), ("json", Format::Json)],
                Format::Yaml,
            )?;
            let [name] = rest else {
                return Err(usage("show needs exactly one backend name"));
            };
            let (ctrl, _fake) = connect(a)?;
            match ctrl.show_secret_backend(name, a.reveal) {
                Ok(b) => print_backends(&[b], format),
                Err(e) if e.code() == Some(ErrorCode::NotFound) => Err(failed(NO_BACKENDS)),
                Err(e) => Err(e.into()),
            }
        }
        "add" | "add-secret-backend" => {
            if rest.len() < 2 {
                return Err(failed("must specify backend name and type"));
            }
            let (name, backend_type) = (&rest[0], &rest[1]);
            let mut kv = key_values(&rest[2..])?;
            if kv.is_empty() && a.config_file.is_none() {
                return Err(failed("must specify a config file or key values"));
            }
            let rotate = take_rotate(&mut kv)?;
            if rotate == Some(Duration::ZERO) {
                return Err(failed("token rotate interval cannot be 0"));
            }
            if !matches!(backend_type.as_str(), "vault" | "kubernetes" | "controller") {
                return Err(failed(format!(
                    "invalid secret backend {backend_type:?}: no registered provider for {backend_type:?}"
                )));
            }
            let mut config: BackendConfig = match &a.config_file {
                Some(path) => config_file(path)?.into_iter().collect(),
                None => BackendConfig::new(),
            };
            for (k, v) in kv {
                config.insert(k, v); // key values override the file
            }
            let mut add = AddSecretBackend::new(name.as_str(), backend_type.as_str(), config);
            if let Some(id) = &a.import_id {
                add = add.id(id.as_str());
            }
            if let Some(d) = rotate {
                add = add.token_rotate_interval(d);
            }
            let (ctrl, _fake) = connect(a)?;
            let result = ctrl.add_secret_backends_batch(std::slice::from_ref(&add))?;
            result.into_iter().next().unwrap_or(Ok(()))?;
            Ok(())
        }
        "update" | "update-secret-backend" => {
            let Some((name, words)) = rest.split_first() else {
                return Err(failed("must specify backend name"));
            };
            let mut kv = key_values(words)?;
            for k in &a.reset {
                kv.remove(k);
            }
            if kv.is_empty() && a.config_file.is_none() && a.reset.is_empty() {
                return Err(failed("must specify a config file or key/reset values"));
            }
            let rotate = take_rotate(&mut kv)?;
            let new_name = kv.remove("name");
            let mut config: BTreeMap<String, Value> = match &a.config_file {
                Some(path) => config_file(path)?,
                None => BTreeMap::new(),
            };
            config.extend(kv.into_iter().map(|(k, v)| (k, Value::String(v))));
            let mut update = UpdateSecretBackend::new().force(a.force);
            if !config.is_empty() {
                update = update.config(BackendConfig::from(config));
            }
            if !a.reset.is_empty() {
                update = update.reset(a.reset.iter().cloned());
            }
            if let Some(n) = new_name {
                update = update.name_change(n);
            }
            match rotate {
                Some(d) if d.is_zero() => update = update.clear_token_rotate_interval(),
                Some(d) => update = update.token_rotate_interval(d),
                None => {}
            }
            let (ctrl, _fake) = connect(a)?;
            ctrl.update_secret_backends(name, update)?;
            Ok(())
        }
        "remove" | "remove-secret-backend" => {
            let [name] = rest else {
                return Err(usage("remove needs exactly one backend name"));
            };
            let (ctrl, _fake) = connect(a)?;
            match ctrl.remove_secret_backends(name, a.force) {
                Err(e) if e.code() == Some(ErrorCode::NotSupported) => Err(failed(format!(
                    "backend {name:?} still contains secret content"
                ))),
                other => Ok(other?),
            }
        }
        "models" | "list-models" => {
            let format = format_of(
                a,
                &[("tabular", Format::Tabular), ("json", Format::Json)],
                Format::Tabular,
            )?;
            if !rest.is_empty() {
                return Err(usage(format!("unrecognized args: {rest:?}")));
            }
            let (ctrl, fake) = connect(a)?;
            let mut models = ctrl.models()?;
            models.sort_by_key(ModelSummary::qualified_name);
            let current = if fake.is_some() {
                Some("admin/default".to_string())
            } else {
                current_model(a)
            };
            print_models(&ctrl, &models, current.as_deref(), format)
        }
        "model-secret-backend" => {
            let name = match rest {
                [] => None,
                [n] if n.is_empty() => {
                    return Err(failed("cannot specify an empty secret backend name"));
                }
                [n] => Some(n.as_str()),
                _ => return Err(failed("cannot specify multiple secret backend names")),
            };
            let (model, _fake) = connect_model(a)?;
            match name {
                None => println!("{}", model.secret_backend()?),
                Some(n) => model.set_secret_backend(n)?,
            }
            Ok(())
        }
        other => Err(usage(format!("unknown command {other:?}"))),
    }
}

/// The model `-m` names, or the current one, as `juju -m` picks it.
fn connect_model(a: &Args) -> Result<(Model, Option<Fake>), Failure> {
    if a.fake {
        let (ctrl, fake) = connect(a)?;
        let model = ctrl.open_model(a.model.as_deref().unwrap_or("default"))?;
        return Ok((model, fake));
    }
    let name = match (&a.controller, &a.model) {
        (Some(_), Some(m)) if m.contains(':') => {
            return Err(usage(
                "give the controller with --controller or in -m, not both",
            ));
        }
        (Some(c), Some(m)) => Some(format!("{c}:{m}")),
        (Some(c), None) => Some(format!(
            "{c}:{}",
            current_model_of(c).ok_or_else(|| {
                failed(format!(
                    "no current model for controller {c:?} (use -m MODEL)"
                ))
            })?
        )),
        (None, m) => m.clone(),
    };
    let model = match name {
        Some(n) => Model::connect_named(&n)?,
        None => Model::connect_current()?,
    };
    Ok((model, None))
}

/// `current-model` of the controller in `models.yaml`, read as the CLI keeps it.
fn current_model_of(controller: &str) -> Option<String> {
    let dir = juju_client::juju_data_dir().ok()?;
    let text = std::fs::read_to_string(dir.join("models.yaml")).ok()?;
    let v: Value = serde_saphyr::from_str(&text).ok()?;
    v["controllers"][controller]["current-model"]
        .as_str()
        .map(str::to_string)
}

/// The current model of the controller the tool talks to.
fn current_model(a: &Args) -> Option<String> {
    let controller = match &a.controller {
        Some(c) => c.clone(),
        None => ConnectOptions::from_juju_data(None)
            .ok()?
            .controller_name()?
            .to_string(),
    };
    current_model_of(&controller)
}

/// `juju models` as the CLI lays it out: the controller, then one row per model, the
/// current one starred.
fn print_models(
    ctrl: &Controller,
    models: &[ModelSummary],
    current: Option<&str>,
    format: Format,
) -> Result<(), Failure> {
    if format == Format::Json {
        let list: Vec<Value> = models
            .iter()
            .map(|m| {
                serde_json::json!({
                    "name": m.qualified_name(),
                    "short-name": m.name,
                    "model-uuid": m.uuid,
                    "model-type": m.model_type,
                    "owner": m.owner,
                    "last-connection": m.last_connection.as_deref().unwrap_or("never connected"),
                })
            })
            .collect();
        let out = serde_json::json!({"models": list, "current-model": current});
        println!("{out}");
        return Ok(());
    }
    let controller = ctrl
        .options()
        .controller_name()
        .map(str::to_string)
        .unwrap_or_else(|| ctrl.endpoint());
    println!("Controller: {controller}\n");
    let me = ctrl.user();
    let me = me.strip_prefix("user-").unwrap_or(&me);
    let rows: Vec<[String; 4]> = models
        .iter()
        .map(|m| {
            // The CLI shows another owner's models qualified, the user's own bare.
            let mut name = if m.owner == me {
                m.name.clone()
            } else {
                m.qualified_name()
            };
            if current == Some(m.qualified_name().as_str()) {
                name.push('*');
            }
            [
                name,
                m.model_type.to_string(),
                m.owner.clone(),
                m.last_connection
                    .clone()
                    .unwrap_or_else(|| "never connected".into()),
            ]
        })
        .collect();
    let header = ["Model", "Type", "Owner", "Last connection"];
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].len())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: [&str; 4]| {
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i == 3 {
                out.push_str(c);
            } else {
                out.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        println!("{}", out.trim_end());
    };
    line(header);
    for r in &rows {
        line([&r[0], &r[1], &r[2], &r[3]]);
    }
    Ok(())
}

/// One backend as `juju secret-backends --format yaml|json` shows it.
#[derive(Serialize)]
struct Details {
    backend: String,
    #[serde(
        rename = "token-rotate-interval",
        skip_serializing_if = "Option::is_none"
    )]
    token_rotate_interval: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<BTreeMap<String, Value>>,
    secrets: u64,
    status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn details(backends: &[SecretBackend], format: Format) -> BTreeMap<String, Details> {
    backends
        .iter()
        .map(|b| {
            if let Some(e) = &b.error {
                let d = Details {
                    backend: b.backend_type.to_string(),
                    token_rotate_interval: None,
                    config: None,
                    secrets: b.num_secrets,
                    status: "error".into(),
                    message: None,
                    id: Some(b.id.clone()),
                    error: Some(e.to_string()),
                };
                return (format!("error-{}", b.id), d);
            }
            let interval = b.token_rotate_interval.map(|d| match format {
                Format::Json => Value::from(d.as_nanos() as u64),
                _ => Value::String(format_go_duration(d)),
            });
            let d = Details {
                backend: b.backend_type.to_string(),
                token_rotate_interval: interval,
                config: (!b.config.is_empty()).then(|| {
                    b.config
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                }),
                secrets: b.num_secrets,
                status: b.status.to_string(),
                message: b.message.clone(),
                id: (!b.is_builtin()).then(|| b.id.clone()),
                error: None,
            };
            (b.name.clone(), d)
        })
        .collect()
}

fn print_backends(backends: &[SecretBackend], format: Format) -> Result<(), Failure> {
    match format {
        Format::Tabular => {
            print!("{}", tabular(backends));
            Ok(())
        }
        Format::Yaml => {
            let text = serde_saphyr::to_string(&details(backends, format))
                .map_err(|e| failed(format!("cannot write YAML: {e}")))?;
            print!("{text}");
            Ok(())
        }
        Format::Json => {
            let text = serde_json::to_string(&details(backends, format))
                .map_err(|e| failed(format!("cannot write JSON: {e}")))?;
            println!("{text}");
            Ok(())
        }
    }
}

/// The CLI's table: Name, Type, Secrets, Message; sorted by type then name; entries the
/// controller could not read are left out.
fn tabular(backends: &[SecretBackend]) -> String {
    let mut rows: Vec<[String; 4]> = backends
        .iter()
        .filter(|b| b.error.is_none())
        .map(|b| {
            let message = match (&b.status, &b.message) {
                (BackendStatus::Active, _) => String::new(),
                (status, Some(m)) => format!("{status}: {m}"),
                (status, None) => status.to_string(),
            };
            let message = if message.chars().count() > 80 {
                format!("{}...", message.chars().take(77).collect::<String>())
            } else {
                message
            };
            [
                b.name.clone(),
                b.backend_type.to_string(),
                b.num_secrets.to_string(),
                message,
            ]
        })
        .collect();
    rows.sort_by(|x, y| (&x[1], &x[0]).cmp(&(&y[1], &y[0])));
    let header = ["Name", "Type", "Secrets", "Message"].map(String::from);
    let all: Vec<&[String; 4]> = std::iter::once(&header).chain(rows.iter()).collect();
    let widths: Vec<usize> = (0..4)
        .map(|i| all.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in all {
        let mut line = String::new();
        for (i, cell) in r.iter().enumerate() {
            line.push_str(cell);
            if i < 3 {
                line.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
