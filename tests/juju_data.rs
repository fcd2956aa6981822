//! Connecting from the juju client store (JUJU_DATA), HA endpoints, UUID checks, redirects.
#![cfg(feature = "juju-data")]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{TempDir, dead_endpoint};
use juju_client::testing::FakeController;
use juju_client::{ConnectOptions, Controller, ErrorCode, ErrorKind, Redirect};

fn indent(pem: &str) -> String {
    pem.lines().map(|l| format!("      {l}\n")).collect()
}

/// controllers.yaml as the juju CLI writes it, with every key it writes.
fn controllers_yaml(name: &str, uuid: &str, endpoints: &[String], ca: &str) -> String {
    let eps: Vec<String> = endpoints.iter().map(|e| format!("'{e}'")).collect();
    format!(
        "controllers:\n  other:\n    uuid: 00000000-0000-4000-8000-000000000000\n    api-endpoints: ['10.1.1.1:17070']\n    ca-cert: |\n{ca_i}    cloud: aws\n    type: ec2\n  {name}:\n    uuid: {uuid}\n    api-endpoints: [{eps}]\n    unresolved-api-endpoints: [{eps}]\n    dns-cache:\n      juju.example: [10.0.0.5]\n    public-hostname: juju.example\n    ca-cert: |\n{ca_i}    cloud: localhost\n    region: localhost\n    type: lxd\n    agent-version: 3.6.26\n    controller-machine-count: 3\n    active-controller-machine-count: 3\n    model-count: 2\n    machine-count: 4\n    proxy-config: null\ncurrent-controller: {name}\n",
        ca_i = indent(ca),
        eps = eps.join(", ")
    )
}

fn accounts_yaml(name: &str, user: &str, password: Option<&str>) -> String {
    let pw = password
        .map(|p| format!("    password: {p}\n"))
        .unwrap_or_default();
    format!("controllers:\n  {name}:\n    user: {user}\n{pw}    last-known-access: superuser\n")
}

#[test]
fn realistic_files_give_the_right_options_and_connect() {
    let fake = FakeController::start().unwrap();
    let dir = TempDir::new("real");
    let v6 = dead_endpoint("::1");
    let endpoints = vec![format!("{v6}"), dead_endpoint("127.0.0.1"), fake.endpoint()];
    dir.write(
        "controllers.yaml",
        &controllers_yaml(
            "lxd",
            &fake.controller_uuid(),
            &endpoints,
            fake.ca_cert_pem(),
        ),
    );
    dir.write(
        "accounts.yaml",
        &accounts_yaml("lxd", "admin", Some(fake.password())),
    );
    let opts = ConnectOptions::from_juju_data_dir(&dir.0, None).unwrap();
    assert_eq!(opts.get_endpoints(), endpoints.as_slice());
    assert!(opts.get_endpoints()[0].starts_with("[::1]:"));
    assert_eq!(opts.get_username(), "admin");
    assert_eq!(opts.controller_name(), Some("lxd"));
    assert!(!format!("{opts:?}").contains(fake.password()));

    // HA: the first endpoints are dead, the last alive.
    let timeout = Duration::from_secs(5);
    let opts = opts.connect_timeout(timeout);
    let started = Instant::now();
    let ctrl = Controller::connect(&opts).unwrap();
    assert!(
        started.elapsed() < timeout + Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(ctrl.endpoint(), fake.endpoint());
    assert_eq!(ctrl.controller_uuid(), fake.controller_uuid());

    // By name, too; and an unknown name lists the known ones.
    ConnectOptions::from_juju_data_dir(&dir.0, Some("lxd")).unwrap();
    let e = ConnectOptions::from_juju_data_dir(&dir.0, Some("nope")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().contains("controllers.yaml"), "{e}");
    assert!(e.message().contains("no controller named \"nope\""), "{e}");
    assert!(e.message().contains("known: lxd, other"), "{e}");
}

#[test]
fn every_endpoint_dead_reports_each_one() {
    common::within(Duration::from_secs(30), || {
        let fake = FakeController::start().unwrap();
        let dir = TempDir::new("dead");
        let endpoints = vec![dead_endpoint("::1"), dead_endpoint("127.0.0.1")];
        dir.write(
            "controllers.yaml",
            &controllers_yaml("c", &fake.controller_uuid(), &endpoints, fake.ca_cert_pem()),
        );
        dir.write("accounts.yaml", &accounts_yaml("c", "admin", Some("pw")));
        let opts = ConnectOptions::from_juju_data_dir(&dir.0, None).unwrap();
        let e = Controller::connect(&opts).unwrap_err();
        for ep in &endpoints {
            assert!(e.message().contains(&format!("{ep}: tcp connect")), "{e}");
        }
    });
}

#[test]
fn a_controller_with_another_uuid_is_refused() {
    let fake = FakeController::start().unwrap();
    let dir = TempDir::new("uuid");
    let endpoints = vec![fake.endpoint()];
    dir.write(
        "controllers.yaml",
        &controllers_yaml(
            "c",
            "11111111-2222-4333-8444-555555555555",
            &endpoints,
            fake.ca_cert_pem(),
        ),
    );
    dir.write(
        "accounts.yaml",
        &accounts_yaml("c", "admin", Some(fake.password())),
    );
    let e = Controller::connect(&ConnectOptions::from_juju_data_dir(&dir.0, None).unwrap())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect);
    assert!(e.message().contains("another controller"), "{e}");
    assert!(e.message().contains(&fake.controller_uuid()), "{e}");
}

fn expect_config_error(dir: &Path, name: Option<&str>, parts: &[&str]) {
    let e = ConnectOptions::from_juju_data_dir(dir, name).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    for p in parts {
        assert!(e.message().contains(p), "{e:?} should contain {p:?}");
    }
}

#[test]
fn each_store_problem_names_the_file_and_key() {
    let dir = TempDir::new("errors");
    let ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let eps = vec!["10.0.0.5:17070".to_string()];
    expect_config_error(&dir.0, None, &["controllers.yaml: not found"]);

    dir.write(
        "controllers.yaml",
        "controllers:\n  c:\n    uuid: u\n    api-endpoints: ['10.0.0.5:17070']\n",
    );
    expect_config_error(&dir.0, None, &["controllers.yaml", "no current-controller"]);

    dir.write("controllers.yaml", &controllers_yaml("c", "u", &eps, ca));
    expect_config_error(
        &dir.0,
        None,
        &["accounts.yaml: not found", "juju login -c c"],
    );

    dir.write(
        "accounts.yaml",
        &accounts_yaml("elsewhere", "admin", Some("pw")),
    );
    expect_config_error(
        &dir.0,
        None,
        &["accounts.yaml", "no account for controller \"c\""],
    );

    // No password: the CLI's cookie jar for the controller is used instead.
    dir.write("accounts.yaml", &accounts_yaml("c", "admin", None));
    let opts = ConnectOptions::from_juju_data_dir(&dir.0, None).unwrap();
    assert_eq!(
        opts.get_cookie_jar(),
        Some(dir.0.join("cookies").join("c.json").as_path())
    );

    dir.write("accounts.yaml", "controllers:\n  c:\n    password: pw\n");
    expect_config_error(&dir.0, None, &["controllers.c.user is missing"]);

    // Malformed YAML: line and column, and never the text (it may hold a password).
    dir.write(
        "accounts.yaml",
        "controllers:\n  c:\n    user: admin\n    password: \"s3cret-in-yaml\n",
    );
    let e = ConnectOptions::from_juju_data_dir(&dir.0, None).unwrap_err();
    assert!(
        e.message()
            .contains("accounts.yaml: malformed YAML at line"),
        "{e}"
    );
    assert!(e.message().contains("column"), "{e}");
    assert!(
        !e.to_string().contains("s3cret-in-yaml") && !format!("{e:?}").contains("s3cret-in-yaml"),
        "{e}"
    );
    dir.write("controllers.yaml", "controllers:\n  c: [\n");
    expect_config_error(
        &dir.0,
        None,
        &["controllers.yaml: malformed YAML at line 2 column"],
    );

    dir.write(
        "controllers.yaml",
        "controllers:\n  c:\n    api-endpoints: ['10.0.0.5:17070']\ncurrent-controller: c\n",
    );
    expect_config_error(&dir.0, None, &["controllers.c.uuid is missing"]);
    dir.write(
        "controllers.yaml",
        "controllers:\n  c:\n    uuid: u\ncurrent-controller: c\n",
    );
    expect_config_error(&dir.0, None, &["controllers.c.api-endpoints is missing"]);
}

#[test]
fn a_store_without_a_ca_uses_the_system_roots() {
    let dir = TempDir::new("noca");
    dir.write("controllers.yaml", "controllers:\n  c:\n    uuid: u\n    api-endpoints: ['juju.example:443']\ncurrent-controller: c\n");
    dir.write("accounts.yaml", &accounts_yaml("c", "bob", Some("pw")));
    let opts = ConnectOptions::from_juju_data_dir(&dir.0, None).unwrap();
    assert_eq!(opts.get_ca_cert(), None);
    assert_eq!(opts.get_username(), "bob");
}

static ENV: Mutex<()> = Mutex::new(());

#[test]
fn connect_current_reads_juju_data_then_xdg_then_home() {
    let _guard = ENV.lock().unwrap();
    let fake = FakeController::start().unwrap();
    let dir = TempDir::new("env");
    fake.write_juju_data(&dir.0, "fake").unwrap();
    let saved: Vec<_> = ["JUJU_DATA", "XDG_DATA_HOME", "HOME"]
        .iter()
        .map(|k| (k, std::env::var_os(k)))
        .collect();

    common::set_env("JUJU_DATA", &dir.0);
    assert_eq!(juju_client::juju_data_dir().unwrap(), dir.0);
    let ctrl = Controller::connect_current().unwrap();
    assert_eq!(ctrl.controller_uuid(), fake.controller_uuid());
    Controller::connect_named("fake").unwrap().ping().unwrap();
    let e = Controller::connect_named("missing").unwrap_err();
    assert!(e.message().contains("known: fake"), "{e}");

    common::remove_env("JUJU_DATA");
    common::set_env("XDG_DATA_HOME", "/xdg");
    assert_eq!(
        juju_client::juju_data_dir().unwrap(),
        PathBuf::from("/xdg/juju")
    );
    common::remove_env("XDG_DATA_HOME");
    common::set_env("HOME", "/home/u");
    assert_eq!(
        juju_client::juju_data_dir().unwrap(),
        PathBuf::from("/home/u/.local/share/juju")
    );

    for (k, v) in saved {
        match v {
            Some(v) => common::set_env(k, v),
            None => common::remove_env(k),
        }
    }
}

#[test]
fn a_redirect_carries_servers_and_ca_and_can_be_followed_once() {
    let target = FakeController::start().unwrap();
    let old = FakeController::builder()
        .admin_password(target.password())
        .start()
        .unwrap();
    old.redirect_logins_to(Some(&target));

    let e = Controller::connect(&old.connect_options()).unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::Redirect));
    assert!(
        e.message()
            .contains("redirection to alternative server required"),
        "{e}"
    );
    let r = Redirect::from_error(&e).unwrap();
    assert_eq!(r.servers, [target.endpoint()]);
    assert_eq!(r.ca_cert, target.ca_cert_pem());
    assert_eq!(
        r.controller_tag,
        Some(format!("controller-{}", target.controller_uuid()))
    );

    let ctrl = Controller::connect(&old.connect_options().follow_redirects(true)).unwrap();
    assert_eq!(ctrl.controller_uuid(), target.controller_uuid());
    assert_eq!(ctrl.endpoint(), target.endpoint());

    // Only once: a redirect to a redirecting controller is returned, not followed.
    target.redirect_logins_to(Some(&old));
    let e = Controller::connect(&old.connect_options().follow_redirects(true)).unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::Redirect));
    assert!(e.message().starts_with("following a redirect"), "{e}");
}

#[test]
fn the_fakes_store_is_private_and_quotes_the_password() {
    // A password YAML would misread unquoted: a comment, a mapping, an alias.
    let password = "pw #not-a-comment: *x";
    let fake = FakeController::builder()
        .admin_password(password)
        .start()
        .unwrap();
    let dir = TempDir::new("fake-store");
    fake.write_juju_data(&dir.0, "fake").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.0.join("accounts.yaml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "accounts.yaml mode {mode:o}");
    }
    let opts = ConnectOptions::from_juju_data_dir(&dir.0, None).unwrap();
    Controller::connect(&opts).unwrap().ping().unwrap();
}

#[test]
fn the_fake_never_shows_the_password_in_debug_or_recorded_requests() {
    let password = "builder-pw-6d2e";
    let builder = FakeController::builder().admin_password(password);
    assert!(!format!("{builder:?}").contains(password));
    let fake = builder.start().unwrap();
    // Go decodes `Credentials` as the password field too: record() must hide it.
    let tag = "user-admin";
    let _: Result<serde_json::Value, _> = Controller::connect(&fake.connect_options())
        .unwrap()
        .call_at(
            "Admin",
            3,
            "Login",
            &serde_json::json!({"auth-tag": tag, "Credentials": password}),
        );
    let requests = fake.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "Login" && r.params.get("Credentials").is_some())
    );
    for r in &requests {
        assert!(!r.params.to_string().contains(password), "{:?}", r.params);
    }
}

// ---- models from the client store ---------------------------------------------------

#[test]
fn models_open_as_the_cli_names_them_from_models_yaml() {
    let fake = FakeController::start().unwrap();
    let dir = TempDir::new("models");
    fake.write_juju_data(&dir.0, "fake").unwrap();
    let text = std::fs::read_to_string(dir.0.join("models.yaml")).unwrap();
    assert!(text.contains("current-model: admin/default"), "{text}");

    let current = juju_client::Model::connect_from_juju_data_dir(&dir.0, None).unwrap();
    assert_eq!(current.name(), "default");
    assert_eq!(
        Some(current.uuid().to_string()),
        fake.model_uuid("admin/default")
    );
    for name in [
        "controller",
        "admin/controller",
        "fake:controller",
        "fake:admin/controller",
    ] {
        let m = juju_client::Model::connect_from_juju_data_dir(&dir.0, Some(name)).unwrap();
        assert_eq!(m.name(), "controller", "{name}");
    }
    // Not in models.yaml yet: the controller is asked, as `juju` refreshes its list.
    let uuid = fake.add_model("dev", "admin");
    let dev = juju_client::Model::connect_from_juju_data_dir(&dir.0, Some("dev")).unwrap();
    assert_eq!(dev.uuid(), uuid);
}

#[test]
fn model_store_errors_name_the_file_and_key() {
    let fake = FakeController::start().unwrap();
    let dir = TempDir::new("models-errors");
    fake.write_juju_data(&dir.0, "fake").unwrap();
    let e = juju_client::Model::connect_from_juju_data_dir(&dir.0, Some("nope")).unwrap_err();
    assert!(
        e.message()
            .contains("models.yaml: controllers.fake.models has no \"admin/nope\""),
        "{e}"
    );
    assert!(e.message().contains("admin/default"), "{e}");
    assert_eq!(e.code(), Some(ErrorCode::ModelNotFound));
    let e =
        juju_client::Model::connect_from_juju_data_dir(&dir.0, Some("other:default")).unwrap_err();
    assert!(e.message().contains("no controller named \"other\""), "{e}");
    let e = juju_client::Model::connect_from_juju_data_dir(&dir.0, Some("fake:")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    dir.write("models.yaml", "controllers:\n  fake:\n    models: {}\n");
    let e = juju_client::Model::connect_from_juju_data_dir(&dir.0, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(
        e.message()
            .contains("models.yaml: controllers.fake.current-model is not set"),
        "{e}"
    );
    dir.write("models.yaml", "controllers: [not, a, map\n");
    let e = juju_client::Model::connect_from_juju_data_dir(&dir.0, None).unwrap_err();
    assert!(e.message().contains("models.yaml: malformed YAML"), "{e}");
}
