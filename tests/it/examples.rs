//! The example programs, run as a user would: the secret_backends tool against a fake
//! controller named in a juju client store, in every output format, and its exit status
//! on errors; and the quickstart.
#![cfg(feature = "juju-data")]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Mutex;

use crate::common::TempDir;
use juju_client::testing::FakeController;
use serde_json::Value;

/// The path of an example binary, built with every feature (its `--fake` needs `testing`).
/// Always asks cargo, once per example: a binary left by a build with other features (the
/// interop script builds the CLI example without `testing`) would be the wrong one.
fn example(name: &str) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|b| b == name) {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--example", name, "--all-features"])
            .status()
            .unwrap();
        assert!(status.success(), "building example {name}");
        built.push(name.to_string());
    }
    path
}

/// A fake controller, and a juju client store naming it `fake`.
struct Store {
    fake: FakeController,
    dir: PathBuf,
    _scratch: TempDir,
}

impl Store {
    fn new(tag: &str) -> Store {
        let fake = FakeController::start().unwrap();
        let scratch = TempDir::new(&format!("examples-{tag}"));
        let dir = scratch.path().to_path_buf();
        fake.write_juju_data(&dir, "fake").unwrap();
        Store {
            fake,
            dir,
            _scratch: scratch,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(example("secret_backends"))
            .args(args)
            .env("JUJU_DATA", &self.dir)
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    }

    /// Runs and expects success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects exit status `code`; returns stderr.
    fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }
}

#[test]
fn list_in_tabular_yaml_and_json() {
    let s = Store::new("list");
    s.ok(&[
        "add",
        "myvault",
        "vault",
        "endpoint=https://vault:8200",
        "token=s.tok",
        "token-rotate=24h",
    ]);
    s.ok(&[
        "add",
        "avault",
        "vault",
        "endpoint=https://a:8200",
        "--import-id",
        "abc123",
    ]);
    s.ok(&[
        "update",
        "avault",
        "tls-server-name=vault.invalid",
        "--force",
    ]);
    s.fake.set_secret_count("myvault", 3);
    s.fake.set_secret_count("internal", 7);

    let table = s.ok(&["list"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "Name      Type        Secrets  Message");
    assert_eq!(lines[1], "internal  controller  7");
    assert!(
        lines[2].starts_with("avault    vault       0        error: backend not reachable: "),
        "{table}"
    );
    assert!(
        lines[2].ends_with("...") && lines[2].len() == "avault    vault       0        ".len() + 80,
        "{table}"
    );
    assert_eq!(lines[3], "myvault   vault       3");
    assert_eq!(lines.len(), 4);

    // --reveal is ignored in tabular, with the CLI's notice.
    let out = s.run(&["list", "--reveal"]);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("sensitive config values are not shown in tabular format")
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("s.tok"));

    let yaml = s.ok(&["list", "--format", "yaml", "--reveal"]);
    assert!(
        yaml.contains("myvault:\n  backend: vault\n  token-rotate-interval: 24h0m0s\n  config:\n"),
        "{yaml}"
    );
    assert!(yaml.contains("    token: s.tok\n"), "{yaml}");
    assert!(yaml.contains("  secrets: 3\n  status: active\n"), "{yaml}");
    assert!(
        yaml.contains("avault:\n  backend: vault\n  config:\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("  status: error\n  message: \"backend not reachable: "),
        "{yaml}"
    );
    assert!(yaml.contains("  id: abc123\n"), "{yaml}");
    assert!(
        yaml.contains("internal:\n  backend: controller\n  secrets: 7\n  status: active\n"),
        "internal has no id or config: {yaml}"
    );

    let json: Value = serde_json::from_str(&s.ok(&["list", "--format", "json"])).unwrap();
    assert_eq!(
        json["myvault"]["token-rotate-interval"],
        86_400_000_000_000u64
    );
    assert!(
        json["myvault"]["config"].get("token").is_none(),
        "no reveal: no token"
    );
    assert_eq!(json["myvault"]["config"]["endpoint"], "https://vault:8200");
    assert_eq!(
        json["internal"],
        serde_json::json!({"backend": "controller", "secrets": 7, "status": "active"})
    );
    assert_eq!(json["avault"]["id"], "abc123");
}

#[test]
fn show_defaults_to_yaml_and_unknown_names_fail() {
    let s = Store::new("show");
    s.ok(&["add", "v", "vault", "endpoint=https://v:8200", "token=t"]);
    let yaml = s.ok(&["show", "v"]);
    assert!(
        yaml.starts_with("v:\n  backend: vault\n  config:\n    endpoint: https://v:8200\n"),
        "{yaml}"
    );
    assert!(!yaml.contains("token"), "{yaml}");
    assert!(s.ok(&["show", "v", "--reveal"]).contains("token: t"));
    let json: Value = serde_json::from_str(&s.ok(&["show", "v", "--format", "json"])).unwrap();
    assert_eq!(json["v"]["status"], "active");
    let err = s.fails(1, &["show", "nope"]);
    assert_eq!(
        err,
        "ERROR no secret backends have been added to this controller\n"
    );
    let err = s.fails(2, &["show", "v", "--format", "tabular"]);
    assert!(err.contains("invalid --format"), "{err}");
}

#[test]
fn add_reads_key_values_files_and_rotate_intervals_like_the_cli() {
    let s = Store::new("add");
    let file = s.dir.join("vault.yaml");
    std::fs::write(
        &file,
        "endpoint: https://file:8200\ntoken: from-file\nnamespace: ns\n",
    )
    .unwrap();
    s.ok(&[
        "add",
        "f",
        "vault",
        "--config",
        file.to_str().unwrap(),
        "token=from-args",
        "token-rotate=1h30m",
    ]);
    let json: Value =
        serde_json::from_str(&s.ok(&["show", "f", "--reveal", "--format", "json"])).unwrap();
    assert_eq!(
        json["f"]["config"]["token"], "from-args",
        "key values override the file"
    );
    assert_eq!(json["f"]["config"]["namespace"], "ns");
    assert_eq!(json["f"]["token-rotate-interval"], 5_400_000_000_000u64);
    assert!(
        json["f"]["config"].get("token-rotate").is_none(),
        "token-rotate is not config"
    );

    let cases: &[(&[&str], &str)] = &[
        (&["add", "x"], "ERROR must specify backend name and type\n"),
        (
            &["add", "x", "vault"],
            "ERROR must specify a config file or key values\n",
        ),
        (
            &["add", "x", "vault", "endpoint"],
            "ERROR key value \"endpoint\" not valid\n",
        ),
        (
            &["add", "x", "vault", "=x"],
            "ERROR expected \"key=value\", got \"=x\"\n",
        ),
        (
            &["add", "x", "vault", "a=1", "a=2"],
            "ERROR key \"a\" specified more than once\n",
        ),
        (
            &["add", "x", "vault", "endpoint=e", "token-rotate=soon"],
            "ERROR invalid token rotate interval: time: invalid duration \"soon\"\n",
        ),
        (
            &["add", "x", "vault", "endpoint=e", "token-rotate=0"],
            "ERROR token rotate interval cannot be 0\n",
        ),
        (
            &["add", "x", "aws", "region=eu"],
            "ERROR invalid secret backend \"aws\": no registered provider for \"aws\"\n",
        ),
    ];
    for (args, expected) in cases {
        assert_eq!(&s.fails(1, args), expected, "{args:?}");
    }
    let err = s.fails(1, &["add", "x", "vault", "endpoint=e", "token-rotate=30m"]);
    assert!(
        err.starts_with("ERROR token rotate interval \"30m0s\" less than 1h not valid"),
        "{err}"
    );
    let err = s.fails(1, &["add", "x", "vault", "endpoint=https://v.invalid"]);
    assert!(err.starts_with("ERROR backend not reachable: "), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    let err = s.fails(1, &["add", "f", "vault", "endpoint=https://x"]);
    assert_eq!(
        err,
        "ERROR secret backend with ID \"\" already exists (already exists)\n"
    );
}

#[test]
fn update_renames_resets_and_clears_rotation() {
    let s = Store::new("update");
    s.ok(&[
        "add",
        "v",
        "vault",
        "endpoint=https://v:8200",
        "token=t",
        "ca-cert=CA",
        "token-rotate=2h",
    ]);
    s.ok(&[
        "update",
        "v",
        "name=w",
        "token=t2",
        "--reset",
        "ca-cert",
        "token-rotate=0",
    ]);
    let json: Value =
        serde_json::from_str(&s.ok(&["show", "w", "--reveal", "--format", "json"])).unwrap();
    assert_eq!(json["w"]["config"]["token"], "t2");
    assert!(json["w"]["config"].get("ca-cert").is_none());
    assert!(json["w"].get("token-rotate-interval").is_none());
    let err = s.fails(1, &["update", "w"]);
    assert_eq!(
        err,
        "ERROR must specify a config file or key/reset values\n"
    );
    let err = s.fails(1, &["update", "w", "tls-server-name=x.invalid"]);
    assert!(err.starts_with("ERROR backend not reachable"), "{err}");
    s.ok(&["update", "w", "tls-server-name=x.invalid", "--force"]);
    let err = s.fails(1, &["update", "nope", "token=x"]);
    assert_eq!(err, "ERROR secret backend \"nope\" not found (not found)\n");
}

#[test]
fn remove_in_use_needs_force() {
    let s = Store::new("remove");
    s.ok(&["add", "v", "vault", "endpoint=https://v:8200"]);
    s.fake.set_secret_count("v", 1);
    assert_eq!(
        s.fails(1, &["remove", "v"]),
        "ERROR backend \"v\" still contains secret content\n"
    );
    s.ok(&["remove", "v", "--force"]);
    assert_eq!(s.ok(&["list"]).lines().count(), 2);
    s.ok(&["remove", "never-was"]);
}

#[test]
fn usage_mistakes_and_missing_stores_are_reported() {
    let s = Store::new("usage");
    assert!(s.fails(2, &[]).contains("no command given"));
    assert!(
        s.fails(2, &["frobnicate"])
            .contains("unknown command \"frobnicate\"")
    );
    assert!(
        s.fails(2, &["list", "--bogus"])
            .contains("unknown option --bogus")
    );
    let err = s.fails(1, &["--controller", "other", "list"]);
    assert!(
        err.starts_with("ERROR ")
            && err.contains("no controller named \"other\"")
            && err.contains("known: fake"),
        "{err}"
    );
    let out = Command::new(example("secret_backends"))
        .args(["list"])
        .env("JUJU_DATA", s.dir.join("empty"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("controllers.yaml: not found"));
    // --fake needs no store at all.
    let table = Command::new(example("secret_backends"))
        .args(["--fake", "list"])
        .output()
        .unwrap();
    assert!(table.status.success());
    assert!(String::from_utf8_lossy(&table.stdout).contains("internal  controller  0"));
}

#[test]
fn quickstart_runs_the_four_operations_against_the_fake_or_a_named_controller() {
    let out = Command::new(example("quickstart")).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for step in [
        "using the built-in fake controller",
        "add: myvault",
        "list:",
        "update: rename myvault to changed_name",
        "remove: changed_name",
        "left: internal",
    ] {
        assert!(text.contains(step), "{step:?} in {text}");
    }
    let s = Store::new("quickstart");
    let out = Command::new(example("quickstart"))
        .args(["--controller", "fake"])
        .env("JUJU_DATA", &s.dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("using the real controller \"fake\""),
        "says so before changing anything: {text}"
    );
    assert!(
        s.fake
            .requests()
            .iter()
            .any(|r| r.method == "RemoveSecretBackends")
    );
}

/// The standalone fake controller (`examples/fake_controller.rs`) run with `args`, and
/// options to log in to it from the line it prints; killed when dropped.
struct Standalone {
    child: std::process::Child,
    /// The line it printed: `{"endpoint", "ca_cert", "username", "password", "models"}`.
    info: Value,
    opts: juju_client::ConnectOptions,
}

impl Standalone {
    fn start(args: &[&str]) -> Standalone {
        let mut child = Command::new(example("fake_controller"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let info: Value = serde_json::from_str(&line).unwrap();
        let opts = juju_client::ConnectOptions::new()
            .endpoint(info["endpoint"].as_str().unwrap())
            .password(info["password"].as_str().unwrap())
            .ca_cert(info["ca_cert"].as_str().unwrap());
        Standalone { child, info, opts }
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_standalone_fake_serves_the_juju_version_asked_for_and_refuses_others() {
    let out = Command::new(example("fake_controller"))
        .args(["--juju-version", "2.9.50"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Juju 2.9.50 is not emulated"), "{err}");
    let out = Command::new(example("fake_controller"))
        .args(["--juju-version"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let fake = Standalone::start(&["--juju-version", "4.0.14"]);
    let version = juju_client::Controller::connect(&fake.opts).map(|c| c.server_version());
    assert_eq!(version.unwrap(), "4.0.14");
}

#[test]
fn the_standalone_fake_serves_the_bootstrap_models() {
    let fake = Standalone::start(&[]);
    let info = &fake.info;
    let listed: Value = juju_client::Controller::connect(&fake.opts)
        .and_then(|c| {
            c.call(
                "ModelManager",
                "ListModels",
                &serde_json::json!({"tag": "user-admin"}),
            )
        })
        .unwrap();
    let models = listed["user-models"].as_array().unwrap();
    let named: Vec<(&str, &str)> = models
        .iter()
        .map(|m| {
            (
                m["model"]["name"].as_str().unwrap(),
                m["model"]["uuid"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            (
                "controller",
                info["models"]["admin/controller"].as_str().unwrap()
            ),
            ("default", info["models"]["admin/default"].as_str().unwrap()),
        ]
    );
}

#[test]
fn models_and_a_models_secret_backend_like_the_cli() {
    let s = Store::new("models");
    s.fake.add_model("dev", "bob");
    let table = s.ok(&["models"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "Controller: fake");
    assert_eq!(lines[1], "");
    assert!(lines[2].starts_with("Model ") && lines[2].contains("Last connection"));
    // The current model starred; another owner's qualified.
    assert!(lines.iter().any(|l| l.starts_with("default* ")), "{table}");
    assert!(lines.iter().any(|l| l.starts_with("bob/dev ")), "{table}");
    let json: Value = serde_json::from_str(&s.ok(&["models", "--format", "json"])).unwrap();
    assert_eq!(json["current-model"], "admin/default");
    assert_eq!(json["models"].as_array().unwrap().len(), 3);

    assert_eq!(s.ok(&["model-secret-backend"]), "auto\n");
    s.ok(&["add", "myvault", "vault", "endpoint=https://v:8200"]);
    assert_eq!(s.ok(&["model-secret-backend", "myvault"]), "");
    assert_eq!(s.ok(&["model-secret-backend"]), "myvault\n");
    assert_eq!(
        s.fake.model_secret_backend("admin/default").as_deref(),
        Some("myvault")
    );
    assert_eq!(
        s.ok(&["model-secret-backend", "-m", "fake:admin/controller"]),
        "auto\n"
    );
    assert_eq!(
        s.ok(&["-c", "fake", "-m", "controller", "model-secret-backend"]),
        "auto\n"
    );
    let err = s.fails(1, &["model-secret-backend", "nope"]);
    assert_eq!(err, "ERROR secret backend \"nope\" not found (not found)\n");
    let err = s.fails(1, &["model-secret-backend", "a", "b"]);
    assert_eq!(err, "ERROR cannot specify multiple secret backend names\n");
    let err = s.fails(1, &["model-secret-backend", ""]);
    assert_eq!(err, "ERROR cannot specify an empty secret backend name\n");
    let err = s.fails(1, &["model-secret-backend", "-m", "nope"]);
    assert!(
        err.contains("models.yaml: controllers.fake.models has no \"admin/nope\""),
        "{err}"
    );
}

#[test]
fn the_tool_logs_in_with_the_cli_jar_and_prompts_for_a_password_when_it_expired() {
    use std::io::Write;
    let s = Store::new("jar");
    s.fake
        .write_juju_data_with_cookies(&s.dir, "fake", "bob")
        .unwrap();
    // The jar alone: no prompt.
    let out = s.run(&["models", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("password"));

    // Expired: the tool asks, reading the answer from standard input (not a terminal).
    s.fake
        .advance_clock(std::time::Duration::from_secs(25 * 3600));
    let mut child = Command::new(example("secret_backends"))
        .args(["models", "--format", "json"])
        .env("JUJU_DATA", &s.dir)
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"bob-password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("please enter password for bob on fake: "),
        "{stderr}"
    );
    assert!(!stderr.contains("bob-password"), "{stderr}");
    assert_eq!(s.fake.auth_requests().len(), 3);

    // Refreshed: no prompt again; with no answer at all, an expired jar fails clearly.
    let out = s.run(&["models", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    s.fake
        .advance_clock(std::time::Duration::from_secs(25 * 3600));
    let err = s.fails(1, &["models"]);
    assert!(err.contains("please enter password"), "{err}");
    assert!(err.contains("ERROR"), "{err}");
}

/// The id of a `secret:<id>` URI the tool printed, checked for Juju's form.
fn secret_id(printed: &str) -> String {
    let id = printed
        .strip_prefix("secret:")
        .and_then(|rest| rest.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("not a URI line: {printed:?}"));
    assert!(
        id.len() == 20 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'v')),
        "{id}"
    );
    id.to_string()
}

/// `created` and `updated` of secret `id` in the tool's JSON listing, checked to be the
/// RFC 3339 times the fake sent (whole seconds, UTC, as Juju 3.6 sends them).
fn times_of(json: &Value, id: &str) -> (String, String) {
    let get = |field: &str| {
        let t = json[id][field].as_str().unwrap_or_default().to_string();
        let b = t.as_bytes();
        assert!(
            t.len() == 20 && b[4] == b'-' && b[10] == b'T' && t.ends_with('Z'),
            "{id} {field}: {t:?}"
        );
        t
    };
    (get("created"), get("updated"))
}

/// A store whose fake has, in `default`: the charm secret `db-admin` of mysql, and the user
/// secrets `dbpassword` (revision 2, described) and `apitoken` (revision 1). The fake's
/// clock is an hour ahead of the tool's, so that "Last updated" reads `just now` however
/// slow the run. Returns the store and the ids: dbpassword, apitoken, the charm secret.
fn seeded(tag: &str) -> (Store, String, String, String) {
    let s = Store::new(tag);
    s.fake.advance_clock(std::time::Duration::from_secs(3600));
    let charm = s
        .fake
        .add_charm_secret("admin/default", "mysql", "db-admin", [("password", "r00t")])
        .unwrap();
    let charm = secret_id(&format!("{charm}\n"));
    let db = secret_id(&s.ok(&[
        "add-secret",
        "dbpassword",
        "username=admin",
        "password=s3cret",
        "--info",
        "db creds",
    ]));
    assert_eq!(s.ok(&["update-secret", "dbpassword", "password=n3w"]), "");
    let api = secret_id(&s.ok(&["add-secret", "apitoken", "token#base64=dDBrM24="]));
    (s, db, api, charm)
}

#[test]
fn secrets_lists_like_the_cli_in_tabular_yaml_and_json() {
    let (s, db, api, charm) = seeded("secrets-list");

    // Tabular, the default: by owner (`<model>` sorts first), then revision, highest
    // first; the revision right-aligned; Go's tabwriter pads every row's last cell.
    let table = s.ok(&["secrets"]);
    assert_eq!(
        table,
        format!(
            "ID                    Name        Owner    Rotation  Revision  Last updated\n\
             {db}  dbpassword  <model>  never            2  just now  \n\
             {api}  apitoken    <model>  never            1  just now  \n\
             {charm}  -           mysql    never            1  just now  \n"
        )
    );
    assert_eq!(s.ok(&["list-secrets", "--format", "tabular"]), table);

    let json_text = s.ok(&["secrets", "--format", "json"]);
    let json: Value = serde_json::from_str(&json_text).unwrap();
    let (db_c, db_u) = times_of(&json, &db);
    let (api_c, api_u) = times_of(&json, &api);
    let (ch_c, ch_u) = times_of(&json, &charm);
    // Keyed by id (Go sorts map keys), fields in the CLI's order, `<model>` HTML-escaped
    // as Go's JSON writer does, no content and no revisions or grants in a listing.
    let mut expected: Vec<(String, String)> = vec![
        (
            db.clone(),
            format!(
                r#""{db}":{{"revision":2,"owner":"\u003cmodel\u003e","description":"db creds","name":"dbpassword","created":"{db_c}","updated":"{db_u}"}}"#
            ),
        ),
        (
            api.clone(),
            format!(
                r#""{api}":{{"revision":1,"owner":"\u003cmodel\u003e","name":"apitoken","created":"{api_c}","updated":"{api_u}"}}"#
            ),
        ),
        (
            charm.clone(),
            format!(
                r#""{charm}":{{"revision":1,"owner":"mysql","label":"db-admin","created":"{ch_c}","updated":"{ch_u}"}}"#
            ),
        ),
    ];
    expected.sort();
    let entries: Vec<String> = expected.into_iter().map(|(_, e)| e).collect();
    assert_eq!(json_text, format!("{{{}}}\n", entries.join(",")));

    let yaml = s.ok(&["secrets", "--format", "yaml"]);
    let mut expected: Vec<(String, String)> = vec![
        (
            db.clone(),
            format!(
                "{db}:\n  revision: 2\n  owner: <model>\n  description: db creds\n  \
                 name: dbpassword\n  created: {db_c}\n  updated: {db_u}\n"
            ),
        ),
        (
            api.clone(),
            format!(
                "{api}:\n  revision: 1\n  owner: <model>\n  name: apitoken\n  \
                 created: {api_c}\n  updated: {api_u}\n"
            ),
        ),
        (
            charm.clone(),
            format!(
                "{charm}:\n  revision: 1\n  owner: mysql\n  label: db-admin\n  \
                 created: {ch_c}\n  updated: {ch_u}\n"
            ),
        ),
    ];
    expected.sort();
    let expected: String = expected.into_iter().map(|(_, e)| e).collect();
    assert_eq!(yaml, expected);

    // --owner takes a tag; the model's own are the user secrets.
    let mysql = s.ok(&["secrets", "--owner", "application-mysql"]);
    assert_eq!(mysql.lines().count(), 2, "{mysql}");
    assert!(mysql.lines().nth(1).unwrap().starts_with(&charm), "{mysql}");
    let uuid = s.fake.model_uuid("admin/default").unwrap();
    let mine = s.ok(&["secrets", "--owner", &format!("model-{uuid}")]);
    assert_eq!(mine.lines().count(), 3, "{mine}");
    assert!(!mine.contains(&charm), "{mine}");
    assert_eq!(
        s.fails(1, &["secrets", "--owner", "mysql"]),
        "ERROR invalid owner \"mysql\": \"mysql\" is not a valid tag\n"
    );
    // `juju secrets` never reveals.
    assert_eq!(
        s.fails(2, &["secrets", "--reveal", "--format", "yaml"]),
        "ERROR flag provided but not defined: --reveal\n"
    );

    // Another model's secrets, with -m; none: the header alone, or an empty map.
    s.fake.add_model("dev", "admin");
    s.fake.write_juju_data(&s.dir, "fake").unwrap();
    assert_eq!(
        s.ok(&["secrets", "-m", "dev"]),
        "ID  Name  Owner  Rotation  Revision  Last updated\n"
    );
    assert_eq!(s.ok(&["secrets", "-m", "dev", "--format", "yaml"]), "{}\n");
    assert_eq!(s.ok(&["secrets", "-m", "dev", "--format", "json"]), "{}\n");
}

#[test]
fn show_secret_reveals_only_when_asked_with_revisions_and_grants() {
    let (s, db, _api, charm) = seeded("secrets-show");
    assert_eq!(s.ok(&["grant-secret", "dbpassword", "mysql"]), "");
    let uuid = s.fake.model_uuid("admin/default").unwrap();
    let json: Value = serde_json::from_str(&s.ok(&["secrets", "--format", "json"])).unwrap();
    let (c, u) = times_of(&json, &db);
    let access = format!(
        "  access:\n  - target: application-mysql\n    scope: model-{uuid}\n    role: view\n"
    );
    let head = format!(
        "{db}:\n  revision: 2\n  owner: <model>\n  description: db creds\n  name: dbpassword\n  \
         created: {c}\n  updated: {u}\n"
    );

    // Without --reveal: no content, no checksum; by name or by URI alike.
    let plain = s.ok(&["show-secret", "dbpassword"]);
    assert_eq!(plain, format!("{head}{access}"));
    assert_eq!(s.ok(&["show-secret", &format!("secret:{db}")]), plain);
    assert_eq!(s.ok(&["show-secret", &db]), plain);
    assert!(!plain.contains("n3w") && !plain.contains("content"));

    // --reveal: the checksum of the latest revision (Juju's: SHA-256 of the JSON of the
    // base64 values) and its content, decoded: a new revision holds only what the update
    // gave.
    let sum = {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(br#"{"password":"bjN3"}"#);
        data_encoding::HEXLOWER.encode(&digest)
    };
    let revealed = s.ok(&["show-secret", "dbpassword", "--reveal"]);
    assert_eq!(
        revealed,
        format!(
            "{db}:\n  revision: 2\n  checksum: {sum}\n  owner: <model>\n  description: db creds\n  \
             name: dbpassword\n  created: {c}\n  updated: {u}\n  content:\n    password: n3w\n{access}"
        )
    );
    let json_text = s.ok(&["show-secret", "dbpassword", "--reveal", "--format", "json"]);
    assert_eq!(
        json_text,
        format!(
            r#"{{"{db}":{{"revision":2,"checksum":"{sum}","owner":"\u003cmodel\u003e","description":"db creds","name":"dbpassword","created":"{c}","updated":"{u}","content":{{"Data":{{"password":"n3w"}}}},"access":[{{"target":"application-mysql","scope":"model-{uuid}","role":"view"}}]}}}}"#
        ) + "\n"
    );
    let json_plain = s.ok(&["show-secret", "dbpassword", "--format", "json"]);
    assert!(
        !json_plain.contains("Data") && !json_plain.contains("checksum"),
        "{json_plain}"
    );

    // An older revision's content; the listing still gives the latest revision number.
    let first = s.ok(&["show-secret", "dbpassword", "--reveal", "-r", "1"]);
    assert!(
        first.contains("  content:\n    password: s3cret\n    username: admin\n"),
        "{first}"
    );
    assert!(first.contains("  revision: 2\n"), "{first}");

    // --revisions: each with the backend holding it.
    let revisions = s.ok(&["show-secret", "dbpassword", "--revisions"]);
    let listed: Value = serde_json::from_str(&s.ok(&[
        "show-secret",
        "dbpassword",
        "--revisions",
        "--format",
        "json",
    ]))
    .unwrap();
    let rev = |n: usize| {
        let r = &listed[&db]["revisions"][n - 1];
        assert_eq!(r["revision"], n);
        format!(
            "  - revision: {n}\n    backend: internal\n    created: {}\n    updated: {}\n",
            r["created"].as_str().unwrap(),
            r["updated"].as_str().unwrap()
        )
    };
    assert_eq!(
        revisions,
        format!("{head}  revisions:\n{}{}{access}", rev(1), rev(2))
    );

    // A charm secret shows its label as `label:`, its owner by name.
    let charm_yaml = s.ok(&["show-secret", &charm, "--reveal"]);
    assert!(
        charm_yaml.contains("  owner: mysql\n  label: db-admin\n"),
        "{charm_yaml}"
    );
    assert!(
        charm_yaml.contains("  content:\n    password: r00t\n"),
        "{charm_yaml}"
    );

    // What is not there, with the CLI's text: the bare id, or the name.
    assert_eq!(
        s.fails(1, &["show-secret", "nope"]),
        "ERROR secret \"nope\" not found\n"
    );
    assert_eq!(
        s.fails(1, &["show-secret", "secret:aaaaaaaaaaaaaaaaaaa0"]),
        "ERROR secret \"aaaaaaaaaaaaaaaaaaa0\" not found\n"
    );
    let err = s.fails(1, &["show-secret", "dbpassword", "-r", "7"]);
    assert_eq!(
        err,
        format!("ERROR revison 7 for secret \"secret:{db}\" not found\n")
    );
}

#[test]
fn add_and_update_secret_keep_what_is_not_changed() {
    let s = Store::new("secrets-update");
    let file = s.dir.join("creds.yaml");
    std::fs::write(&file, "username: from-file\ncert#base64: Y2VydA==\n").unwrap();
    let id = secret_id(&s.ok(&[
        "add-secret",
        "dbpassword",
        "username=admin",
        "password=s3cret",
        "--file",
        file.to_str().unwrap(),
        "--info",
        "db creds",
    ]));
    let shown = s.ok(&["show-secret", "dbpassword", "--reveal"]);
    assert!(
        shown.contains(
            "  content:\n    cert: cert\n    password: s3cret\n    username: from-file\n"
        ),
        "the file wins over the arguments: {shown}"
    );

    // A rename keeps the description; new content keeps the name; prints nothing.
    assert_eq!(
        s.ok(&["update-secret", "dbpassword", "--name", "db-creds"]),
        ""
    );
    let shown = s.ok(&["show-secret", &id]);
    assert!(
        shown.contains("  description: db creds\n  name: db-creds\n"),
        "{shown}"
    );
    assert_eq!(
        s.ok(&[
            "update-secret",
            &format!("secret:{id}"),
            "password=n3w",
            "--info",
            ""
        ]),
        ""
    );
    let shown = s.ok(&["show-secret", "db-creds", "--reveal"]);
    assert!(
        shown.starts_with(&format!("{id}:\n  revision: 2\n")),
        "{shown}"
    );
    assert!(
        shown.contains("  description: db creds\n  name: db-creds\n"),
        "an empty --info is not sent: {shown}"
    );
    assert!(shown.contains("  content:\n    password: n3w\n"), "{shown}");
    assert_eq!(
        s.ok(&["update-secret", "db-creds", "--info", "primary"]),
        ""
    );
    assert_eq!(s.ok(&["update-secret", "db-creds", "--auto-prune"]), "");
    assert_eq!(
        s.ok(&["update-secret", "db-creds", "--auto-prune=false"]),
        ""
    );
    let shown = s.ok(&["show-secret", "db-creds"]);
    assert!(
        shown.contains(
            "  revision: 2\n  owner: <model>\n  description: primary\n  name: db-creds\n"
        ),
        "{shown}"
    );
    let sent: Vec<Value> = s
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "UpdateSecrets")
        .map(|r| r.params["args"][0].clone())
        .collect();
    assert_eq!(sent.len(), 5);
    assert_eq!(sent[3]["auto-prune"], true);
    assert_eq!(sent[4]["auto-prune"], false);
    assert!(sent[0].get("description").is_none(), "{}", sent[0]);

    // The controller's refusals, with its text alone.
    assert_eq!(
        s.fails(1, &["update-secret", "db-creds"]),
        "ERROR at least one attribute to update must be specified\n"
    );
    s.ok(&["add-secret", "other", "k3y=v"]);
    assert_eq!(
        s.fails(1, &["update-secret", "other", "--name", "db-creds"]),
        "ERROR secret with name \"db-creds\" already exists\n"
    );
    assert_eq!(
        s.fails(1, &["add-secret", "other", "k3y=v"]),
        "ERROR secret with name \"other\" already exists\n"
    );
}

#[test]
fn grant_revoke_and_remove_secret_like_the_cli() {
    let s = Store::new("secrets-grant");
    let id = secret_id(&s.ok(&["add-secret", "dbpassword", "password=s3cret"]));
    assert_eq!(s.ok(&["grant-secret", "dbpassword", "mysql,wordpress"]), "");
    let json: Value =
        serde_json::from_str(&s.ok(&["show-secret", "dbpassword", "--format", "json"])).unwrap();
    let targets: Vec<&str> = json[&id]["access"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["application-mysql", "application-wordpress"]);

    // Refused applications, joined as the CLI joins them (its text says grant/revoke).
    let err = s.fails(1, &["grant-secret", &id, "nope,mysql,gone"]);
    assert_eq!(
        err,
        format!(
            "ERROR failed to grant/revoke secret: \
             cannot change access to \"secret:{id}\" for \"nope\": invalid subject reference: saas application \"nope\" not found, \
             cannot change access to \"secret:{id}\" for \"gone\": invalid subject reference: saas application \"gone\" not found\n"
        )
    );
    assert_eq!(
        s.fails(1, &["grant-secret", "missing", "mysql"]),
        "ERROR secret \"missing\" not found\n"
    );

    assert_eq!(
        s.ok(&["revoke-secret", "dbpassword", "mysql,wordpress"]),
        ""
    );
    let shown = s.ok(&["show-secret", "dbpassword"]);
    assert!(!shown.contains("access"), "no grants, no access: {shown}");

    // Remove one revision, then the secret.
    assert_eq!(s.ok(&["update-secret", "dbpassword", "password=n3w"]), "");
    assert_eq!(
        s.ok(&["remove-secret", "dbpassword", "--revision", "1"]),
        ""
    );
    let json: Value = serde_json::from_str(&s.ok(&[
        "show-secret",
        "dbpassword",
        "--revisions",
        "--format",
        "json",
    ]))
    .unwrap();
    let revisions = json[&id]["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 1);
    assert_eq!(revisions[0]["revision"], 2);
    assert_eq!(
        s.fails(1, &["remove-secret", "dbpassword", "--revision", "1"]),
        "ERROR cannot delete any of revisions [1] - revisions not found\n"
    );
    // --revision 0 means the whole secret, as in the CLI.
    assert_eq!(
        s.ok(&["remove-secret", &format!("secret:{id}"), "--revision", "0"]),
        ""
    );
    assert_eq!(
        s.fails(1, &["show-secret", "dbpassword"]),
        "ERROR secret \"dbpassword\" not found\n"
    );
    assert_eq!(
        s.fails(1, &["remove-secret", "dbpassword"]),
        "ERROR secret \"dbpassword\" not found\n"
    );
    assert_eq!(s.ok(&["secrets", "--format", "json"]), "{}\n");
}

#[test]
fn secret_commands_refuse_what_the_cli_refuses_before_calling() {
    let s = Store::new("secrets-usage");
    let cases: &[(&[&str], &str)] = &[
        (
            &["add-secret"],
            "secret name needs to be supplied as the first argument",
        ),
        (&["add-secret", "x"], "missing secret value or filename"),
        (&["add-secret", "x", "Bad=v"], "key \"Bad\" not valid"),
        // The CLI quotes the argument; the SDK elides it, since it may be a value.
        (&["add-secret", "x", "novalue"], "key value \"…\" not valid"),
        (&["update-secret"], "missing secret URI"),
        (
            &["update-secret", "x", "--auto-prune=maybe"],
            "invalid value \"maybe\" for flag --auto-prune: strconv.ParseBool: parsing \"maybe\": invalid syntax",
        ),
        (&["remove-secret"], "missing secret URI"),
        (
            &["remove-secret", "x", "--revision", "one"],
            "invalid value \"one\" for flag --revision: strconv.ParseInt: parsing \"one\": invalid syntax",
        ),
        (&["remove-secret", "x", "y"], "unrecognized args: [\"y\"]"),
        (&["show-secret"], "secret ID is required"),
        (
            &["show-secret", "x", "--revisions", "--reveal"],
            "specify either --revisions or --reveal but not both",
        ),
        (
            &["show-secret", "x", "--revisions", "-r", "2"],
            "specify either --revisions or --revision but not both",
        ),
        (
            &["show-secret", "x", "--revision", "-1"],
            "revision must be a positive integer",
        ),
        (
            &["grant-secret", "x"],
            "missing secret URI or application name",
        ),
        (&["revoke-secret"], "missing secret URI or application name"),
        (
            &["grant-secret", "x", "a", "b", "c"],
            "unrecognized args: [\"b\" \"c\"]",
        ),
        (&["secrets", "x"], "unrecognized args: [\"x\"]"),
    ];
    for (args, expected) in cases {
        assert_eq!(s.fails(2, args), format!("ERROR {expected}\n"), "{args:?}");
    }
    let err = s.fails(2, &["show-secret", "x", "--format", "tabular"]);
    assert!(err.contains("invalid --format"), "{err}");
    let err = s.fails(2, &["add-secret", "x", "--file", "/nonexistent/creds.yaml"]);
    assert!(
        err.starts_with("ERROR reading secret content file \"/nonexistent/creds.yaml\": "),
        "{err}"
    );
    assert!(
        s.fake.requests().iter().all(|r| r.facade != "Secrets"),
        "nothing sent"
    );
}

#[test]
fn revealed_values_are_quoted_as_go_quotes_them_and_times_are_not() {
    let s = Store::new("secrets-yaml");
    let id = secret_id(&s.ok(&[
        "add-secret",
        "odd",
        "created=2025-05-01T10:00:00Z",
        "flag=yes",
        "number=123",
        "marker=juju-time-marker-0-",
        "multi#base64=bGluZTEKbGluZTI=",
        "html=<a&b>",
    ]));
    let yaml = s.ok(&["show-secret", "odd", "--reveal"]);
    let json: Value =
        serde_json::from_str(&s.ok(&["show-secret", "odd", "--format", "json"])).unwrap();
    let (c, u) = times_of(&json, &id);
    assert!(
        yaml.contains(&format!("  created: {c}\n  updated: {u}\n")),
        "times plain: {yaml}"
    );
    assert!(
        yaml.ends_with(
            "  content:\n    created: \"2025-05-01T10:00:00Z\"\n    flag: \"yes\"\n    \
             html: <a&b>\n    marker: juju-time-marker-0-\n    multi: |-\n      line1\n      line2\n    \
             number: \"123\"\n"
        ),
        "strings that read as other types quoted, as yaml.v2 does: {yaml}"
    );
    let json_text = s.ok(&["show-secret", "odd", "--reveal", "--format", "json"]);
    assert!(
        json_text.contains(r#""html":"\u003ca\u0026b\u003e""#),
        "{json_text}"
    );
}
