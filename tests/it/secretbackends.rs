//! SecretBackends: the seed lifecycle through the SDK, every server rule and error text of
//! the reference (§4.3–§4.7) as the fake controller answers them, batches, reveal,
//! authorisation, and the SDK's own checks before sending.

use std::time::Duration;

use juju_client::secretbackends::{
    AddSecretBackend, BackendConfig, BackendStatus, BackendType, KubernetesConfig,
    UpdateSecretBackend, VaultConfig,
};
use juju_client::testing::FakeController;
use juju_client::{Controller, ErrorCode, ErrorKind};
use serde_json::{Value, json};

use crate::common::{backend_names, err, raw_item, vault};

/// The fake as Juju 3.6.26 (its default), and the SDK logged in to it.
fn setup() -> (FakeController, Controller) {
    let fake = FakeController::start().unwrap();
    let ctrl = Controller::connect(&fake.connect_options()).unwrap();
    (fake, ctrl)
}

// ---- the seed lifecycle -------------------------------------------------------------

#[test]
fn seed_lifecycle_add_list_rename_remove() {
    let (fake, ctrl) = setup();
    let config: BackendConfig = [("endpoint", "https://vault:8200"), ("token", "s.root")].into();
    ctrl.add_secret_backends("1001", "myvault", "vault", config)
        .unwrap();

    let backends = ctrl.list_secret_backends(false).unwrap();
    let mine = backends.iter().find(|b| b.name == "myvault").unwrap();
    assert_eq!(mine.id, "1001");
    assert_eq!(mine.backend_type, BackendType::Vault);
    assert_eq!(mine.backend_type.to_string(), "vault");
    assert_eq!(mine.status, BackendStatus::Active);
    assert_eq!(mine.config.get_str("endpoint"), Some("https://vault:8200"));
    assert!(
        mine.config.get("token").is_none(),
        "secret keys are removed without reveal"
    );
    assert_eq!(mine.num_secrets, 0);
    assert!(mine.error.is_none() && mine.message.is_none());

    ctrl.update_secret_backends(
        "myvault",
        UpdateSecretBackend::new().name_change("changed_name"),
    )
    .unwrap();
    let renamed = ctrl.show_secret_backend("changed_name", true).unwrap();
    assert_eq!(renamed.id, "1001", "a rename keeps the id");
    assert_eq!(renamed.config.get_str("token"), Some("s.root"));

    ctrl.remove_secret_backends("changed_name", false).unwrap();
    assert_eq!(backend_names(&ctrl), ["internal"]);

    // What went on the wire is what python-libjuju and the CLI send.
    let add = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "AddSecretBackends")
        .unwrap();
    assert_eq!(add.version, 1);
    assert_eq!(
        add.params,
        json!({"args": [{"id": "1001", "name": "myvault", "backend-type": "vault",
                         "config": {"endpoint": "https://vault:8200", "token": "s.root"}}]})
    );
    let upd = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "UpdateSecretBackends")
        .unwrap();
    assert_eq!(
        upd.params,
        json!({"args": [{"name": "myvault", "name-change": "changed_name",
                         "token-rotate-interval": null, "config": null, "reset": null}]})
    );
}

#[test]
fn an_empty_id_lets_the_controller_choose_a_24_hex_id() {
    let (fake, ctrl) = setup();
    ctrl.add_secret_backends("", "v", "vault", vault("https://v:8200"))
        .unwrap();
    let b = ctrl.show_secret_backend("v", false).unwrap();
    assert_eq!(b.id.len(), 24);
    assert!(
        b.id.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    let add = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "AddSecretBackends")
        .unwrap();
    assert!(
        add.params["args"][0].get("id").is_none(),
        "an empty id is omitted"
    );
    assert!(add.params["args"][0].get("token-rotate-interval").is_none());
}

// ---- AddSecretBackends (§4.3) ---------------------------------------------------------

#[test]
fn add_rules_and_texts() {
    let (_fake, ctrl) = setup();
    let v = |extra: Value| {
        let mut cfg = json!({"endpoint": "https://vault:8200"});
        cfg.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        cfg
    };
    let add = |arg: Value| raw_item(&ctrl, "AddSecretBackends", arg);
    assert_eq!(
        add(json!({"name": "", "backend-type": "vault", "config": v(json!({}))})),
        err("missing backend name not valid", "not valid")
    );
    for reserved in ["internal", "auto"] {
        assert_eq!(
            add(json!({"name": reserved, "backend-type": "vault", "config": v(json!({}))})),
            err("backend \"not valid\" %!w(MISSING)", ""),
            "the 3.6 format bug, reproduced"
        );
    }
    assert_eq!(
        add(json!({"name": "x", "backend-type": "foo", "config": {}})),
        err(
            r#"creating backend provider type "foo": no registered provider for "foo""#,
            "not found"
        )
    );
    assert_eq!(
        add(json!({"name": "x", "backend-type": "vault", "config": {}})),
        err(
            r#"invalid config for provider "vault": endpoint: expected string, got nothing"#,
            ""
        )
    );
    assert_eq!(
        add(json!({"name": "x", "backend-type": "vault", "config": v(json!({"foo": "bar"}))})),
        err(
            r#"invalid config for provider "vault": unknown key "foo" (value "bar")"#,
            ""
        )
    );
    assert_eq!(
        add(json!({"name": "x", "backend-type": "vault", "config": {"endpoint": 5}})),
        err(
            r#"invalid config for provider "vault": endpoint: expected string, got float64(5)"#,
            ""
        )
    );
    assert_eq!(
        add(
            json!({"name": "x", "backend-type": "vault", "config": v(json!({"client-cert": "C"}))})
        ),
        err(
            r#"invalid config for provider "vault": vault config missing client key not valid"#,
            "not valid"
        )
    );
    assert_eq!(
        add(json!({"name": "x", "backend-type": "vault", "config": v(json!({"client-key": "K"}))})),
        err(
            r#"invalid config for provider "vault": vault config missing client certificate not valid"#,
            "not valid"
        )
    );
    let (msg, code) = add(json!({"name": "x", "backend-type": "vault",
                                 "config": {"endpoint": "https://vault.invalid:8200"}}))
    .unwrap();
    assert!(msg.starts_with("backend not reachable: "), "{msg}");
    assert_eq!(code, "");
    assert_eq!(
        add(
            json!({"name": "x", "backend-type": "controller", "config": {},
                   "token-rotate-interval": 3_600_000_000_000i64})
        ),
        err(
            r#"token refresh on secret backend of type "controller" not supported"#,
            "not supported"
        )
    );
    assert_eq!(
        add(
            json!({"name": "x", "backend-type": "vault", "config": v(json!({})),
                   "token-rotate-interval": 1_800_000_000_000i64})
        ),
        err(
            r#"token rotate interval "30m0s" less than 1h not valid"#,
            "not valid"
        )
    );
    assert_eq!(
        add(
            json!({"name": "x", "backend-type": "vault", "config": v(json!({})),
                   "token-rotate-interval": 0})
        ),
        err(
            "secret backend missing next rotate time not valid",
            "not valid"
        )
    );
    // None of those was stored.
    assert_eq!(backend_names(&ctrl), ["internal"]);
}

#[test]
fn add_duplicates_are_refused_with_the_id_in_the_message() {
    let (_fake, ctrl) = setup();
    ctrl.add_secret_backends("", "v", "vault", vault("https://v:8200"))
        .unwrap();
    let e = ctrl
        .add_secret_backends("", "v", "vault", vault("https://w:8200"))
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::AlreadyExists));
    assert_eq!(e.message(), r#"secret backend with ID "" already exists"#);
    ctrl.add_secret_backends("abc", "w", "vault", vault("https://w:8200"))
        .unwrap();
    let e = ctrl
        .add_secret_backends("abc", "other", "vault", vault("https://o:8200"))
        .unwrap_err();
    assert_eq!(
        e.message(),
        r#"secret backend with ID "abc" already exists"#
    );
}

#[test]
fn unknown_types_pass_the_sdk_and_the_controller_answers() {
    let (fake, ctrl) = setup();
    let e = ctrl
        .add_secret_backends("", "x", "aws", [("region", "eu")])
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::NotFound));
    assert_eq!(
        e.message(),
        r#"creating backend provider type "aws": no registered provider for "aws""#
    );
    assert_eq!(e.kind(), ErrorKind::Api);
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.method == "AddSecretBackends")
    );
}

#[test]
fn a_controller_type_backend_with_a_custom_name_is_stored_as_in_3_6() {
    let (_fake, ctrl) = setup();
    ctrl.add_secret_backends("", "mine", "controller", BackendConfig::new())
        .unwrap();
    let b = ctrl.show_secret_backend("mine", false).unwrap();
    assert_eq!(b.backend_type, BackendType::Controller);
}

#[test]
fn a_wrongly_typed_field_fails_the_whole_call_like_go_json() {
    let (_fake, ctrl) = setup();
    let e = ctrl
        .call::<_, Value>(
            "SecretBackends",
            "AddSecretBackends",
            &json!({"args": [{"name": "x", "backend-type": "vault", "config": {"endpoint": "e"},
                              "token-rotate-interval": "1h"}]}),
        )
        .unwrap_err();
    assert_eq!(e.code(), None);
    assert_eq!(
        e.message(),
        "json: cannot unmarshal string into Go struct field AddSecretBackendArg.args.token-rotate-interval of type time.Duration"
    );
}

#[test]
fn kubernetes_schema_and_service_account_rule() {
    let (_fake, ctrl) = setup();
    let add = |arg: Value| raw_item(&ctrl, "AddSecretBackends", arg);
    assert_eq!(
        add(
            json!({"name": "k", "backend-type": "kubernetes", "config": {"endpoint": "https://k:6443"}})
        ),
        err(
            r#"invalid config for provider "kubernetes": namespace: expected string, got nothing"#,
            ""
        )
    );
    assert_eq!(
        add(json!({"name": "k", "backend-type": "kubernetes",
                   "config": {"endpoint": "https://k:6443", "namespace": "n"},
                   "token-rotate-interval": 7_200_000_000_000i64})),
        err(
            r#"invalid config for provider "kubernetes": k8s config missing service account not valid"#,
            "not valid"
        )
    );
    let config = KubernetesConfig::new("https://k:6443", "secrets")
        .service_account("juju")
        .token("k8s-token")
        .password("k8s-pass")
        .client_cert("CERT")
        .client_key("KEY")
        .ca_certs(["CA1", "CA2"])
        .skip_tls_verify(true);
    ctrl.add_secret_backends_batch(&[AddSecretBackend::new("k", "kubernetes", config)
        .token_rotate_interval(Duration::from_secs(7200))])
        .unwrap()
        .pop()
        .unwrap()
        .unwrap();
    let hidden = ctrl.show_secret_backend("k", false).unwrap();
    for secret in ["token", "password", "client-key"] {
        assert!(hidden.config.get(secret).is_none(), "{secret} hidden");
    }
    assert_eq!(hidden.config.get("ca-certs"), Some(&json!(["CA1", "CA2"])));
    assert_eq!(hidden.config.get("skip-tls-verify"), Some(&json!(true)));
    assert_eq!(
        hidden.token_rotate_interval,
        Some(Duration::from_secs(7200))
    );
    let shown = ctrl.show_secret_backend("k", true).unwrap();
    assert_eq!(shown.config.get_str("password"), Some("k8s-pass"));
}

// ---- UpdateSecretBackends (§4.4) -------------------------------------------------------

#[test]
fn update_rules_and_texts() {
    let (fake, ctrl) = setup();
    let cfg = VaultConfig::new("https://v:8200")
        .token("t1")
        .namespace("ns")
        .mount_path("kv");
    ctrl.add_secret_backends("", "v", "vault", cfg).unwrap();
    ctrl.add_secret_backends("", "w", "vault", vault("https://w:8200"))
        .unwrap();
    let upd = |arg: Value| raw_item(&ctrl, "UpdateSecretBackends", arg);
    let base = |extra: Value| {
        let mut a =
            json!({"name": "v", "token-rotate-interval": null, "config": null, "reset": null});
        a.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        a
    };
    assert_eq!(
        upd(base(json!({"name": ""}))),
        err("missing backend name not valid", "not valid")
    );
    assert_eq!(
        upd(base(json!({"name": "auto"}))),
        err("backend \"not valid\" %!w(MISSING)", "")
    );
    assert_eq!(
        upd(base(json!({"name": "nope"}))),
        err(r#"secret backend "nope" not found"#, "not found")
    );
    assert_eq!(
        upd(base(
            json!({"config": {"endpoint": "https://elsewhere:8200"}})
        )),
        err(
            r#"invalid config for provider "vault": cannot change immutable field "endpoint""#,
            ""
        )
    );
    assert_eq!(
        upd(base(json!({"reset": ["namespace"]}))),
        err(
            r#"invalid config for provider "vault": cannot change immutable field "namespace""#,
            ""
        )
    );
    assert_eq!(
        upd(base(json!({"config": {"mount-path": "other"}}))),
        err(
            r#"invalid config for provider "vault": cannot change immutable field "mount-path""#,
            ""
        )
    );
    assert_eq!(
        upd(base(json!({"reset": ["endpoint"]}))),
        err(
            r#"invalid config for provider "vault": endpoint: expected string, got nothing"#,
            ""
        ),
        "resetting a required key fails the schema first"
    );
    // force skips only the ping: validation still applies.
    assert_eq!(
        upd(base(json!({"force": true, "config": {"bogus": "x"}}))),
        err(
            r#"invalid config for provider "vault": unknown key "bogus" (value "x")"#,
            ""
        )
    );
    let (msg, code) = upd(base(
        json!({"config": {"tls-server-name": "vault.invalid"}}),
    ))
    .unwrap();
    assert!(msg.starts_with("backend not reachable: "), "{msg}");
    assert_eq!(code, "");
    assert_eq!(
        upd(base(json!({"token-rotate-interval": 1_000_000_000i64}))),
        err(
            r#"token rotate interval "1s" less than 1h not valid"#,
            "not valid"
        )
    );
    assert_eq!(
        upd(base(json!({"name-change": "w"}))),
        err(r#"secret backend "w" already exists"#, "already exists")
    );
    fake.set_secret_count("v", 2);
    assert_eq!(
        upd(base(json!({"name-change": "v2"}))),
        err("cannot rename a secret backend that is in use", "not valid")
    );
    // Nothing above changed the backend.
    let v = ctrl.show_secret_backend("v", true).unwrap();
    assert_eq!(v.config.get_str("token"), Some("t1"));
    assert_eq!(v.config.get_str("namespace"), Some("ns"));
    assert!(v.config.get("tls-server-name").is_none());
}

#[test]
fn update_merges_config_resets_keys_and_force_skips_the_ping() {
    let (_fake, ctrl) = setup();
    let cfg = VaultConfig::new("https://v:8200").token("t1").ca_cert("CA");
    ctrl.add_secret_backends("", "v", "vault", cfg).unwrap();
    ctrl.update_secret_backends(
        "v",
        UpdateSecretBackend::new()
            .config([("token", "t2")])
            .reset(["ca-cert"]),
    )
    .unwrap();
    let v = ctrl.show_secret_backend("v", true).unwrap();
    assert_eq!(v.config.get_str("token"), Some("t2"));
    assert_eq!(
        v.config.get_str("endpoint"),
        Some("https://v:8200"),
        "merged, not replaced"
    );
    assert!(v.config.get("ca-cert").is_none(), "reset removes the key");

    // Unreachable with the new config: refused, unless forced; then listed as in error.
    let bad = UpdateSecretBackend::new().config([("tls-server-name", "vault.invalid")]);
    let e = ctrl.update_secret_backends("v", bad.clone()).unwrap_err();
    assert!(e.message().starts_with("backend not reachable: "), "{e}");
    ctrl.update_secret_backends("v", bad.force(true)).unwrap();
    let v = ctrl.show_secret_backend("v", false).unwrap();
    assert_eq!(v.status, BackendStatus::Error);
    assert_eq!(v.status.to_string(), "error");
    assert!(
        v.message
            .as_deref()
            .unwrap()
            .starts_with("backend not reachable: ")
    );
}

#[test]
fn rotate_interval_round_trips_as_a_duration() {
    let (fake, ctrl) = setup();
    let add = AddSecretBackend::new("v", "vault", vault("https://v:8200"))
        .token_rotate_interval(Duration::from_secs(200 * 60));
    ctrl.add_secret_backends_batch(&[add])
        .unwrap()
        .pop()
        .unwrap()
        .unwrap();
    let sent = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "AddSecretBackends")
        .unwrap();
    assert_eq!(
        sent.params["args"][0]["token-rotate-interval"],
        json!(12_000_000_000_000u64)
    );
    let b = ctrl.show_secret_backend("v", false).unwrap();
    assert_eq!(b.token_rotate_interval, Some(Duration::from_secs(12_000)));

    // Unchanged when not mentioned; set; cleared.
    ctrl.update_secret_backends("v", UpdateSecretBackend::new().config([("token", "t")]))
        .unwrap();
    assert_eq!(
        ctrl.show_secret_backend("v", false)
            .unwrap()
            .token_rotate_interval,
        Some(Duration::from_secs(12_000))
    );
    ctrl.update_secret_backends(
        "v",
        UpdateSecretBackend::new().token_rotate_interval(Duration::from_secs(7200)),
    )
    .unwrap();
    assert_eq!(
        ctrl.show_secret_backend("v", false)
            .unwrap()
            .token_rotate_interval,
        Some(Duration::from_secs(7200))
    );
    ctrl.update_secret_backends(
        "v",
        UpdateSecretBackend::new().clear_token_rotate_interval(),
    )
    .unwrap();
    assert_eq!(
        ctrl.show_secret_backend("v", false)
            .unwrap()
            .token_rotate_interval,
        None
    );
    let last = fake
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "UpdateSecretBackends")
        .unwrap();
    assert_eq!(last.params["args"][0]["token-rotate-interval"], json!(0));
}

// ---- RemoveSecretBackends (§4.6) -------------------------------------------------------

#[test]
fn remove_rules_and_texts() {
    let (fake, ctrl) = setup();
    let rm = |arg: Value| raw_item(&ctrl, "RemoveSecretBackends", arg);
    assert_eq!(
        rm(json!({"name": ""})),
        err("missing backend name not valid", "not valid")
    );
    assert_eq!(
        rm(json!({"name": "internal"})),
        err("backend \"not valid\" %!w(MISSING)", "")
    );
    assert_eq!(
        rm(json!({"name": "never-existed"})),
        None,
        "removing nothing succeeds"
    );

    ctrl.add_secret_backends("", "v", "vault", vault("https://v:8200"))
        .unwrap();
    fake.set_secret_count("v", 3);
    let e = ctrl.remove_secret_backends("v", false).unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::NotSupported));
    assert_eq!(
        e.message(),
        "removing backend with 3 stored secret revisions not supported"
    );
    ctrl.remove_secret_backends("v", true).unwrap();
    assert_eq!(
        fake.requests().last().unwrap().params,
        json!({"args": [{"name": "v", "force": true}]})
    );
    assert_eq!(backend_names(&ctrl), ["internal"]);
}

// ---- ListSecretBackends (§4.5) ---------------------------------------------------------

#[test]
fn list_rules() {
    let (fake, ctrl) = setup();
    // The internal backend is always there.
    let all = ctrl.list_secret_backends(false).unwrap();
    assert_eq!(all.len(), 1);
    let internal = &all[0];
    assert_eq!(internal.name, "internal");
    assert_eq!(internal.backend_type, BackendType::Controller);
    assert_eq!(internal.id, fake.controller_uuid());
    assert!(internal.config.is_empty());
    assert_eq!(internal.status, BackendStatus::Active);
    assert!(internal.is_builtin());

    for (id, name) in [("ccc", "c"), ("aaa", "a"), ("bbb", "b")] {
        ctrl.add_secret_backends(id, name, "vault", vault("https://v:8200"))
            .unwrap();
    }
    ctrl.add_secret_backends("zzz", "down", "vault", vault("https://vault.invalid:8200"))
        .unwrap_err(); // add pings: refused
    fake.set_secret_count("internal", 5);
    fake.set_secret_count("b", 2);
    let all = ctrl.list_secret_backends(false).unwrap();
    let ids: Vec<&str> = all.iter().map(|b| b.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "sorted by id");
    assert!(
        all.iter()
            .filter(|b| b.name != "internal")
            .all(|b| !b.is_builtin())
    );
    let count = |n: &str| all.iter().find(|b| b.name == n).unwrap().num_secrets;
    assert_eq!((count("internal"), count("b"), count("a")), (5, 2, 0));

    // Name filter: unknown names are ignored; nothing matched is "results": null.
    let some = ctrl
        .list_secret_backends_named(["b", "a", "nope"], false)
        .unwrap();
    let mut got: Vec<&str> = some.iter().map(|b| b.name.as_str()).collect();
    got.sort();
    assert_eq!(got, ["a", "b"]);
    assert!(
        ctrl.list_secret_backends_named(["nope"], false)
            .unwrap()
            .is_empty()
    );
    let raw: Value = ctrl
        .call(
            "SecretBackends",
            "ListSecretBackends",
            &json!({"names": ["nope"], "reveal": false}),
        )
        .unwrap();
    assert_eq!(raw, json!({"results": null}));

    let e = ctrl.show_secret_backend("nope", false).unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::NotFound));
    assert_eq!(e.message(), "secret backend \"nope\" not found");
}

#[test]
fn reveal_adds_only_the_secret_keys() {
    let (_fake, ctrl) = setup();
    let cfg = VaultConfig::new("https://v:8200")
        .token("s.tok")
        .client_cert("CERT")
        .client_key("KEY")
        .ca_cert("CA")
        .tls_server_name("vault.local");
    ctrl.add_secret_backends("", "v", "vault", cfg).unwrap();
    let hidden = ctrl.show_secret_backend("v", false).unwrap();
    let mut keys: Vec<&String> = hidden.config.keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["ca-cert", "client-cert", "endpoint", "tls-server-name"]
    );
    let shown = ctrl.show_secret_backend("v", true).unwrap();
    assert_eq!(shown.config.get_str("token"), Some("s.tok"));
    assert_eq!(shown.config.get_str("client-key"), Some("KEY"));
    // Even revealed, Debug output keeps the secrets out.
    let debug = format!("{shown:?}");
    assert!(
        !debug.contains("s.tok") && !debug.contains("KEY\""),
        "{debug}"
    );
    assert!(debug.contains("[REDACTED]"));
}

#[test]
fn backends_that_look_like_model_stores_are_listed_only_while_in_use() {
    let (fake, ctrl) = setup();
    let uuid = "0f7c2b1e-0000-4000-8000-000000000001";
    ctrl.add_secret_backends(uuid, "byid", "vault", vault("https://v:8200"))
        .unwrap();
    ctrl.add_secret_backends("", "model-local", "vault", vault("https://v:8200"))
        .unwrap();
    assert_eq!(backend_names(&ctrl), ["internal"]);
    fake.set_secret_count("byid", 1);
    fake.set_secret_count("model-local", 1);
    assert_eq!(backend_names(&ctrl), ["byid", "internal", "model-local"]);
}

// ---- authorisation (§4.1) --------------------------------------------------------------

#[test]
fn a_non_superuser_may_list_but_not_reveal_or_change() {
    let (fake, _admin) = setup();
    let bob = Controller::connect(
        &fake
            .connect_options()
            .username("bob")
            .password("bob-password"),
    )
    .unwrap();
    assert_eq!(bob.controller_access(), "login");
    assert_eq!(bob.list_secret_backends(false).unwrap().len(), 1);
    let checks = [
        bob.list_secret_backends(true).map(|_| ()),
        bob.add_secret_backends("", "v", "vault", vault("https://v:8200")),
        bob.update_secret_backends("v", UpdateSecretBackend::new().config([("token", "x")])),
        bob.remove_secret_backends("v", false),
    ];
    for result in checks {
        let e = result.unwrap_err();
        assert_eq!(e.code(), Some(ErrorCode::Unauthorized));
        assert_eq!(e.message(), "permission denied");
    }
    // The batch form fails as a whole, not per item.
    let e = bob
        .remove_secret_backends_batch(["a", "b"], false)
        .unwrap_err();
    assert_eq!(e.code(), Some(ErrorCode::Unauthorized));
}

// ---- batches ---------------------------------------------------------------------------

#[test]
fn batches_report_every_item_in_order_in_one_round_trip() {
    let (fake, ctrl) = setup();
    ctrl.add_secret_backends("", "taken", "vault", vault("https://t:8200"))
        .unwrap();
    fake.clear_requests();
    let results = ctrl
        .add_secret_backends_batch(&[
            AddSecretBackend::new("ok-1", "vault", vault("https://a:8200")),
            AddSecretBackend::new("", "vault", vault("https://b:8200")), // refused locally
            AddSecretBackend::new("taken", "vault", vault("https://c:8200")), // refused by the controller
            AddSecretBackend::new("ok-2", "vault", vault("https://d:8200")),
        ])
        .unwrap();
    assert_eq!(results.len(), 4);
    assert!(results[0].is_ok());
    let local = results[1].as_ref().unwrap_err();
    assert_eq!(local.kind(), ErrorKind::InvalidInput);
    assert_eq!(local.code(), Some(ErrorCode::NotValid));
    assert_eq!(
        results[2].as_ref().unwrap_err().code(),
        Some(ErrorCode::AlreadyExists)
    );
    assert!(results[3].is_ok());
    let sent = fake.requests();
    assert_eq!(sent.len(), 1, "one round trip");
    assert_eq!(
        sent[0].params["args"].as_array().unwrap().len(),
        3,
        "the invalid item was not sent"
    );

    let results = ctrl
        .update_secret_backends_batch([
            (
                "ok-1",
                UpdateSecretBackend::new().config([("token", "new")]),
            ),
            (
                "missing",
                UpdateSecretBackend::new().config([("token", "new")]),
            ),
            (
                "ok-2",
                UpdateSecretBackend::new().token_rotate_interval(Duration::from_secs(60)),
            ),
        ])
        .unwrap();
    assert!(results[0].is_ok());
    assert_eq!(
        results[1].as_ref().unwrap_err().code(),
        Some(ErrorCode::NotFound)
    );
    // Sent, and refused by the controller (the SDK leaves intervals to it).
    assert_eq!(
        results[2].as_ref().unwrap_err().message(),
        r#"token rotate interval "1m0s" less than 1h not valid"#
    );

    fake.set_secret_count("ok-2", 1);
    let results = ctrl
        .remove_secret_backends_batch(["ok-1", "ok-2", "auto", "gone"], false)
        .unwrap();
    assert!(results[0].is_ok());
    assert_eq!(
        results[1].as_ref().unwrap_err().code(),
        Some(ErrorCode::NotSupported)
    );
    assert_eq!(
        results[2].as_ref().unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert!(results[3].is_ok());
    assert_eq!(backend_names(&ctrl), ["internal", "ok-2", "taken"]);

    // A batch with nothing valid sends nothing.
    fake.clear_requests();
    let results = ctrl
        .remove_secret_backends_batch(["", "internal"], false)
        .unwrap();
    assert!(results.iter().all(|r| r.is_err()));
    assert!(fake.requests().is_empty());
    assert!(ctrl.add_secret_backends_batch(&[]).unwrap().is_empty());
}

// ---- the SDK's checks before sending ---------------------------------------------------

#[test]
fn local_checks_refuse_only_what_the_controller_answers_badly() {
    let (fake, ctrl) = setup();
    fake.clear_requests();
    let cases: Vec<(juju_client::Error, &str)> = vec![
        (
            ctrl.add_secret_backends("", "", "vault", vault("https://v"))
                .unwrap_err(),
            "must not be empty",
        ),
        // Juju 3.6 answers these with `backend "not valid" %!w(MISSING)` and no code.
        (
            ctrl.add_secret_backends("", "internal", "vault", vault("https://v"))
                .unwrap_err(),
            "\"internal\" is reserved",
        ),
        (
            ctrl.add_secret_backends("", "auto", "vault", vault("https://v"))
                .unwrap_err(),
            "\"auto\" is reserved",
        ),
        // And this with `secret backend missing next rotate time not valid`.
        (
            ctrl.add_secret_backends_batch(&[AddSecretBackend::new(
                "v",
                "vault",
                vault("https://v"),
            )
            .token_rotate_interval(Duration::ZERO)])
                .unwrap()
                .pop()
                .unwrap()
                .unwrap_err(),
            "cannot be 0",
        ),
        (
            ctrl.add_secret_backends_batch(&[AddSecretBackend::new(
                "v",
                "vault",
                vault("https://v"),
            )
            .token_rotate_interval(Duration::MAX)])
                .unwrap()
                .pop()
                .unwrap()
                .unwrap_err(),
            "too long",
        ),
        // Update runs the same checks as add.
        (
            ctrl.update_secret_backends("internal", UpdateSecretBackend::new())
                .unwrap_err(),
            "is reserved",
        ),
        (
            ctrl.update_secret_backends("", UpdateSecretBackend::new())
                .unwrap_err(),
            "must not be empty",
        ),
        (
            ctrl.update_secret_backends("v", UpdateSecretBackend::new().name_change("auto"))
                .unwrap_err(),
            "\"auto\" is reserved",
        ),
        (
            ctrl.update_secret_backends(
                "v",
                UpdateSecretBackend::new().token_rotate_interval(Duration::MAX),
            )
            .unwrap_err(),
            "too long",
        ),
        (
            ctrl.remove_secret_backends("", false).unwrap_err(),
            "must not be empty",
        ),
    ];
    for (e, expected) in cases {
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        assert_eq!(e.code(), Some(ErrorCode::NotValid), "{e}");
        assert!(
            e.message().contains(expected),
            "{e:?} should say {expected:?}"
        );
    }
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}

#[test]
fn config_mistakes_are_the_controllers_to_judge_and_come_back_redacted() {
    let (fake, ctrl) = setup();
    // A key this SDK has never heard of (as vault `mount-path` once was) is sent, and the
    // controller decides; a mistyped secret key's value never shows in its answer.
    let e = ctrl
        .add_secret_backends(
            "",
            "v",
            "vault",
            [("endpoint", "https://v"), ("tokne", "s3cr3t-typo")],
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(
        e.message(),
        r#"invalid config for provider "vault": unknown key "tokne" (value [REDACTED])"#
    );
    assert!(!format!("{e} {e:?}").contains("s3cr3t-typo"));
    let e = ctrl
        .add_secret_backends_batch(&[AddSecretBackend::new("v", "vault", vault("https://v"))
            .token_rotate_interval(Duration::from_secs(1800))])
        .unwrap()
        .pop()
        .unwrap()
        .unwrap_err();
    assert_eq!(
        e.message(),
        r#"token rotate interval "30m0s" less than 1h not valid"#
    );
    assert_eq!(e.code(), Some(ErrorCode::NotValid));
    let e = ctrl
        .update_secret_backends(
            "nope",
            UpdateSecretBackend::new().token_rotate_interval(Duration::from_secs(59 * 60)),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Api, "sent: {e}");
    let sent = fake
        .requests()
        .iter()
        .filter(|r| r.facade == "SecretBackends")
        .count();
    assert_eq!(sent, 3);
}

#[test]
fn a_backend_config_debug_hides_secret_values() {
    let cfg: BackendConfig = VaultConfig::new("https://v")
        .token("tok-123")
        .client_key("key-456")
        .into();
    let shown = format!("{cfg:?}");
    assert!(
        !shown.contains("tok-123") && !shown.contains("key-456"),
        "{shown}"
    );
    assert!(shown.contains("https://v"));
    let k8s = KubernetesConfig::new("https://k", "n").password("pw-789");
    assert!(!format!("{k8s:?}").contains("pw-789"));
    let upd = UpdateSecretBackend::new().config([("token", "tok-123")]);
    assert!(!format!("{upd:?}").contains("tok-123"));
}

#[test]
fn results_can_be_kept_compared_and_printed_without_leaking() {
    let (_fake, ctrl) = setup();
    ctrl.add_secret_backends_batch(&[AddSecretBackend::new(
        "v",
        "vault",
        VaultConfig::new("https://v:8200").token("s.hidden"),
    )
    .token_rotate_interval(Duration::from_secs(3600))])
        .unwrap()
        .pop()
        .unwrap()
        .unwrap();
    let listed = ctrl.list_secret_backends_named(["v"], false).unwrap();
    let kept = listed.clone();
    assert_eq!(kept, ctrl.list_secret_backends_named(["v"], false).unwrap());
    let json = juju_client::serde_json::to_value(&kept[0]).unwrap();
    assert_eq!(json["name"], "v");
    assert_eq!(json["backend_type"], "vault");
    assert_eq!(json["status"], "active");
    assert_eq!(json["token_rotate_interval"], "1h0m0s");
    assert_eq!(json["config"], json!({"endpoint": "https://v:8200"}));
    assert!(!json.to_string().contains("s.hidden"));
    // Revealed: the caller asked for the token, so it is serialised.
    let revealed = ctrl.show_secret_backend("v", true).unwrap();
    assert_ne!(revealed, kept[0]);
    let json = serde_json::to_value(&revealed).unwrap();
    assert_eq!(json["config"]["token"], "s.hidden");

    // Errors too: compared by what they say, serialised without error-info.
    let e = ctrl.show_secret_backend("nope", false).unwrap_err();
    assert_eq!(e.clone(), e);
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["kind"], "Api");
    assert_eq!(json["code"], "not found");
    assert!(json.get("info").is_none());
}
