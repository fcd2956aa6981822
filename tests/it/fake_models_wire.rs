//! The fake controller's models, over the wire: model logins at `/model/<uuid>/api`,
//! `ModelManager`, `ModelConfig` (3.6 and 4.0 secret-backend rules), the all-watcher,
//! redirects of migrated models and the client store's `models.yaml`. Raw frames go to the
//! fake below the SDK, as another client's would; replies are compared as JSON values, and
//! byte for byte only where the bytes are the point (Go's field order, Go's escaping).

use crate::common;

use std::time::Duration;

use common::{Raw, TempDir, error_reply, fake_as, parse_reply, request, within};
use juju_client::testing::FakeController;
use serde_json::{Value, json};

/// A model connection logged in as admin.
fn model_conn(fake: &FakeController, model: &str) -> Raw {
    let uuid = fake.model_uuid(model).unwrap();
    let mut raw = Raw::connect_to(fake, &format!("/model/{uuid}/api"));
    let reply = raw.login_as("admin", fake.password());
    assert!(reply["response"]["model-tag"].is_string(), "{reply}");
    raw
}

fn controller_conn(fake: &FakeController) -> Raw {
    let mut raw = Raw::connect(fake);
    let reply = raw.login_as("admin", fake.password());
    assert!(reply["response"]["controller-tag"].is_string(), "{reply}");
    raw
}

fn add_vault(raw: &mut Raw, name: &str, endpoint: &str) {
    let reply = raw.call(
        90,
        "SecretBackends",
        1,
        "AddSecretBackends",
        json!({"args": [{"name": name, "backend-type": "vault",
                         "config": {"endpoint": endpoint}}]}),
    );
    assert_eq!(
        reply,
        json!({"request-id": 90, "response": {"results": [{}]}})
    );
}

/// A successful reply with an empty response.
fn ok(id: u64) -> Value {
    json!({"request-id": id, "response": {}})
}

/// Juju's `permission denied` to a whole request.
fn permission_denied(id: u64) -> Value {
    error_reply(id, "permission denied", Some("unauthorized access"))
}

#[test]
fn a_malformed_model_uuid_is_refused_before_the_upgrade() {
    let fake = fake_as("3.6.26");
    let response = Raw::upgrade_response(&fake, "/model/not-a-uuid/api");
    assert_eq!(
        response,
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n\
         X-Content-Type-Options: nosniff\r\nContent-Length: 32\r\n\r\n\
         invalid model UUID \"not-a-uuid\"\n"
    );
    // Upper-case hex is not a Juju UUID either.
    let upper = "6F1B2C3D-0000-4000-8000-000000000000";
    let response = Raw::upgrade_response(&fake, &format!("/model/{upper}/api"));
    assert!(
        response.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{response}"
    );
    assert!(response.ends_with(&format!("invalid model UUID \"{upper}\"\n")));
}

#[test]
fn an_unknown_model_fails_every_request_login_included() {
    let fake = fake_as("3.6.26");
    let uuid = "00000000-0000-4000-8000-000000000000";
    let mut raw = Raw::connect_to(&fake, &format!("/model/{uuid}/api"));
    let expected = |id: u64| {
        error_reply(
            id,
            &format!("unknown model: {uuid:?}"),
            Some("model not found"),
        )
    };
    assert_eq!(raw.login_as("admin", fake.password()), expected(1));
    assert_eq!(raw.call(2, "Pinger", 1, "Ping", json!({})), expected(2));
}

#[test]
fn a_model_login_names_the_model_and_lists_the_model_facades() {
    for (version, count, model_config) in
        [("3.6.26", 109, json!([3])), ("4.0.14", 76, json!([3, 4]))]
    {
        let fake = fake_as(version);
        let uuid = fake.model_uuid("admin/default").unwrap();
        let mut raw = Raw::connect_to(&fake, &format!("/model/{uuid}/api"));
        let mut reply = raw.login_as("admin", fake.password());
        let facades = reply["response"]["facades"].take();
        assert_eq!(
            reply,
            json!({"request-id": 1, "response": {
                "servers": [[{"value": "127.0.0.1", "type": "ipv4", "scope": "local-machine",
                              "port": fake.port()}]],
                "model-tag": format!("model-{uuid}"),
                "controller-tag": format!("controller-{}", fake.controller_uuid()),
                "user-info": {"display-name": "", "identity": "user-admin",
                              "controller-access": "superuser", "model-access": "admin"},
                "facades": null,
                "server-version": version,
            }}),
            "{version}"
        );
        let facades = facades.as_array().unwrap();
        assert_eq!(facades.len(), count, "{version}");
        let versions = |name: &str| {
            facades
                .iter()
                .find(|f| f["name"] == name)
                .map(|f| f["versions"].clone())
        };
        let names: Vec<&str> = facades
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "byte order");
        for controller_only in [
            "SecretBackends",
            "ModelManager",
            "Controller",
            "UserManager",
        ] {
            assert!(!names.contains(&controller_only), "{controller_only}");
        }
        assert_eq!(versions("ModelConfig"), Some(model_config));
        assert_eq!(versions("Pinger"), Some(json!([1])));
        if version == "3.6.26" {
            assert_eq!(versions("AllWatcher"), Some(json!([3])));
            assert_eq!(versions("Client"), Some(json!([6, 7, 8])));
        } else {
            assert_eq!(versions("AllWatcher"), None);
            assert_eq!(versions("Client"), Some(json!([8])));
        }
    }
}

#[test]
fn user_secrets_are_offered_from_3_3_on() {
    for (version, secrets) in [
        ("3.2.4", "[1]"),
        ("3.3.0", "[1,2]"),
        ("3.6.26", "[1,2]"),
        ("4.0.14", "[1,2]"),
    ] {
        let fake = fake_as(version);
        let uuid = fake.model_uuid("admin/default").unwrap();
        let mut raw = Raw::connect_to(&fake, &format!("/model/{uuid}/api"));
        // A client of the same major, which 3.2 serves.
        let reply = raw.exchange(&request(
            1,
            "Admin",
            3,
            "Login",
            json!({"auth-tag": "user-admin", "credentials": fake.password(),
                   "client-version": "3.6.26"}),
        ));
        assert!(
            reply.contains(&format!("{{\"name\":\"Secrets\",\"versions\":{secrets}}}")),
            "{version}: {reply}"
        );
        // A version the model connection does not offer is refused as Juju refuses it.
        if version == "3.2.4" {
            assert_eq!(
                raw.exchange(&request(2, "Secrets", 2, "ListSecrets", json!({}))),
                "{\"request-id\":2,\"error\":\"unknown version (2) of interface \\\"Secrets\\\"\",\
                 \"error-code\":\"not implemented\",\"response\":{}}\n"
            );
        }
    }
}

#[test]
fn model_connections_refuse_controller_facades_and_admin() {
    let fake = fake_as("3.6.26");
    let mut raw = model_conn(&fake, "default");
    assert_eq!(
        raw.call(2, "SecretBackends", 1, "ListSecretBackends", json!({})),
        error_reply(
            2,
            r#"facade "SecretBackends" not supported for model API connection"#,
            Some("not supported")
        )
    );
    assert_eq!(
        raw.call(3, "Admin", 3, "Login", json!({})),
        error_reply(
            3,
            r#"unknown version (3) of interface "Admin""#,
            Some("not implemented")
        )
    );
    assert_eq!(raw.call(4, "Pinger", 1, "Ping", json!({})), ok(4));
    // And the controller connection refuses model facades.
    let mut ctrl = controller_conn(&fake);
    assert_eq!(
        ctrl.call(2, "Client", 8, "WatchAll", json!({})),
        error_reply(
            2,
            r#"facade "Client" not supported for controller API connection"#,
            Some("not supported")
        )
    );
}

#[test]
fn model_logins_need_a_grant_unless_superuser() {
    let fake = fake_as("3.6.26");
    let uuid = fake.model_uuid("admin/default").unwrap();
    let path = format!("/model/{uuid}/api");
    let mut raw = Raw::connect_to(&fake, &path);
    assert_eq!(raw.login_as("bob", "bob-password"), permission_denied(1));
    assert!(fake.grant_model_access("admin/default", "bob", "read"));
    let mut raw = Raw::connect_to(&fake, &path);
    let reply = raw.login_as("bob", "bob-password");
    let user_info = &reply["response"]["user-info"];
    assert_eq!(user_info["controller-access"], "login", "{reply}");
    assert_eq!(user_info["model-access"], "read", "{reply}");
    // Read access: ModelGet yes, ModelSet no.
    let got = raw.call(2, "ModelConfig", 3, "ModelGet", json!({}));
    assert_eq!(
        got["response"]["config"]["name"],
        json!({"value": "default", "source": "model"}),
        "{got}"
    );
    assert_eq!(
        raw.call(
            3,
            "ModelConfig",
            3,
            "ModelSet",
            json!({"config": {"logging-config": "<root>=DEBUG"}})
        ),
        permission_denied(3)
    );
}

/// The `last-connection` of the `i`th model a `ListModels` reply lists: a time, to the
/// second.
fn last_connection(reply: &str, i: usize) -> String {
    let v: Value = serde_json::from_str(reply).unwrap();
    let last = v["response"]["user-models"][i]["last-connection"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        last.starts_with("20") && last.ends_with('Z') && !last.contains('.'),
        "{reply}"
    );
    last
}

#[test]
fn list_models_3_6() {
    let fake = fake_as("3.6.26");
    let c = fake.model_uuid("admin/controller").unwrap();
    let d = fake.model_uuid("admin/default").unwrap();
    let mut raw = controller_conn(&fake);
    let list = |raw: &mut Raw, id: u64, tag: &str| {
        raw.call(id, "ModelManager", 10, "ListModels", json!({ "tag": tag }))
    };
    let v = list(&mut raw, 2, "user-admin");
    // Logging in on /api connected admin to the controller model.
    let now = last_connection(&v.to_string(), 0);
    assert_eq!(
        v,
        json!({"request-id": 2, "response": {"user-models": [
            {"model": {"name": "controller", "uuid": c, "type": "iaas", "owner-tag": "user-admin"},
             "last-connection": now},
            {"model": {"name": "default", "uuid": d, "type": "iaas", "owner-tag": "user-admin"},
             "last-connection": "0001-01-01T00:00:00Z"},
        ]}})
    );
    // A model login is remembered as the user's last connection to it.
    drop(model_conn(&fake, "default"));
    let v = list(&mut raw, 3, "user-admin");
    let last = v["response"]["user-models"][1]["last-connection"]
        .as_str()
        .unwrap();
    assert!(last.starts_with("20") && last.ends_with('Z'), "{last}");
    // Other users may only ask about themselves, and see what they were granted.
    let mut bob = Raw::connect(&fake);
    bob.login_as("bob", "bob-password");
    assert_eq!(list(&mut bob, 2, "user-admin"), permission_denied(2));
    assert_eq!(
        list(&mut bob, 3, "user-bob"),
        json!({"request-id": 3, "response": {"user-models": null}})
    );
    let dev = fake.add_model("dev", "bob");
    assert_eq!(
        list(&mut bob, 4, "user-bob"),
        json!({"request-id": 4, "response": {"user-models": [
            {"model": {"name": "dev", "uuid": dev, "type": "iaas", "owner-tag": "user-bob"},
             "last-connection": "0001-01-01T00:00:00Z"},
        ]}})
    );
    assert_eq!(
        list(&mut bob, 5, "machine-0"),
        error_reply(5, r#""machine-0" is not a valid user tag"#, None)
    );
}

#[test]
fn list_models_4_0_has_qualifiers_in_v11() {
    let fake = fake_as("4.0.14");
    let c = fake.model_uuid("admin/controller").unwrap();
    let d = fake.model_uuid("admin/default").unwrap();
    let mut raw = controller_conn(&fake);
    let list = |raw: &mut Raw, id: u64, version: u32, tag: &str| {
        raw.call(
            id,
            "ModelManager",
            version,
            "ListModels",
            json!({ "tag": tag }),
        )
    };
    let v = list(&mut raw, 2, 11, "user-admin");
    let now = last_connection(&v.to_string(), 0);
    assert_eq!(
        v,
        json!({"request-id": 2, "response": {"user-models": [
            {"model": {"name": "controller", "qualifier": "admin", "uuid": c, "type": "iaas"},
             "last-connection": now},
            {"model": {"name": "default", "qualifier": "admin", "uuid": d, "type": "iaas"},
             "last-connection": null},
        ]}})
    );
    let v10 = list(&mut raw, 3, 10, "user-admin");
    assert_eq!(
        v10["response"]["user-models"][0]["model"]["owner-tag"], "user-admin",
        "{v10}"
    );
    // 3.6's v9 is gone.
    assert_eq!(
        list(&mut raw, 4, 9, "user-admin"),
        error_reply(
            4,
            r#"unknown version 9 for facade type "ModelManager""#,
            Some("not implemented")
        )
    );
    let mut bob = Raw::connect(&fake);
    bob.login_as("bob", "bob-password");
    assert_eq!(
        list(&mut bob, 2, 11, "user-bob"),
        json!({"request-id": 2, "response": {"user-models": null}})
    );
    assert_eq!(
        list(&mut bob, 3, 10, "user-bob"),
        json!({"request-id": 3, "response": {"user-models": []}})
    );
}

#[test]
fn model_summaries_and_info_have_jujus_shape() {
    let fake = fake_as("3.6.26");
    let d = fake.model_uuid("admin/default").unwrap();
    let mut raw = controller_conn(&fake);
    let reply = raw.exchange(&request(
        2,
        "ModelManager",
        10,
        "ListModelSummaries",
        json!({"user-tag": "user-admin", "all": false}),
    ));
    let v = parse_reply(&reply);
    let results = v["response"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let default = &results[1]["result"];
    // The order of the first keys, as Go's struct declares them: read off the bytes.
    let keys: Vec<&str> = reply
        .split(r#"{"result":"#)
        .nth(2)
        .unwrap()
        .split(',')
        .filter_map(|kv| {
            kv.trim_start_matches('{')
                .strip_prefix('"')
                .and_then(|k| k.split('"').next())
        })
        .collect();
    assert_eq!(
        &keys[..6],
        [
            "name",
            "uuid",
            "type",
            "controller-uuid",
            "is-controller",
            "provider-type"
        ]
    );
    assert_eq!(default["name"], "default");
    assert_eq!(default["uuid"], d.as_str());
    assert_eq!(default["owner-tag"], "user-admin");
    assert_eq!(default["user-access"], "admin");
    assert_eq!(default["is-controller"], false);
    assert_eq!(default["status"]["status"], "available");
    assert_eq!(default["agent-version"], "3.6.26");
    assert_eq!(default["last-connection"], Value::Null);
    assert_eq!(results[0]["result"]["is-controller"], true);

    let v = raw.call(
        3,
        "ModelManager",
        10,
        "ModelInfo",
        json!({"entities": [{"tag": format!("model-{d}")},
                            {"tag": "model-00000000-0000-4000-8000-000000000000"},
                            {"tag": "user-admin"}]}),
    );
    let results = &v["response"]["results"];
    let info = &results[0]["result"];
    assert_eq!(info["name"], "default");
    assert_eq!(info["owner-tag"], "user-admin");
    assert_eq!(info["users"][0]["user"], "admin");
    assert_eq!(info["users"][0]["access"], "admin");
    // A model without secrets has no secret backends to show (Go's nil slice).
    assert_eq!(info["secret-backends"], Value::Null);
    assert_eq!(
        results[1],
        json!({"error": {"message": "permission denied", "code": "unauthorized access"}})
    );
    assert_eq!(
        results[2],
        json!({"error": {"message": r#""user-admin" is not a valid model tag"#, "code": ""}})
    );
    assert_eq!(results.as_array().unwrap().len(), 3, "{v}");
}

/// `ModelInfo` of `admin/default` as `admin`, on a controller connection.
fn model_info_of_default(fake: &FakeController, facade_version: u32) -> (String, Value) {
    let d = fake.model_uuid("admin/default").unwrap();
    let mut raw = controller_conn(fake);
    let reply = raw.exchange(&request(
        2,
        "ModelManager",
        facade_version,
        "ModelInfo",
        json!({"entities": [{"tag": format!("model-{d}")}]}),
    ));
    let v: Value = serde_json::from_str(&reply).unwrap();
    (reply, v["response"]["results"][0]["result"].clone())
}

#[test]
fn model_info_lists_the_backends_holding_the_models_secrets_3_6() {
    let fake = fake_as("3.6.26");
    let mut ctrl = controller_conn(&fake);
    add_vault(&mut ctrl, "myvault", "https://vault.example:8200");
    let mut raw = model_conn(&fake, "default");
    raw.exchange(&request(
        2,
        "ModelConfig",
        3,
        "ModelSet",
        json!({"config": {"secret-backend": "myvault"}}),
    ));
    // No secrets: `null`, though the model is set to a backend.
    let (reply, info) = model_info_of_default(&fake, 10);
    assert!(reply.contains(",\"secret-backends\":null,"), "{reply}");
    assert_eq!(info["secret-backends"], Value::Null);
    // Secrets in the vault only: the vault, with the model's count.
    assert!(fake.set_model_secret_count("admin/default", "myvault", 2));
    let (reply, _) = model_info_of_default(&fake, 10);
    assert!(
        reply.contains(
            ",\"secret-backends\":[{\"result\":{\"name\":\"myvault\",\"backend-type\":\"vault\",\
             \"config\":{\"endpoint\":\"https://vault.example:8200\"}},\"id\":\"\",\
             \"num-secrets\":2,\"status\":\"active\"}],"
        ),
        "{reply}"
    );
    // And in `internal`: both, by id (the controller's UUID sorts apart from the vault's
    // ObjectId).
    assert!(fake.set_model_secret_count("admin/default", "internal", 1));
    let (reply, info) = model_info_of_default(&fake, 10);
    let backends = info["secret-backends"].as_array().unwrap();
    assert_eq!(backends.len(), 2, "{reply}");
    let internal = backends
        .iter()
        .find(|b| b["result"]["name"] == "internal")
        .unwrap();
    assert_eq!(
        internal.to_string(),
        json!({"result": {"name": "internal", "backend-type": "controller", "config": {}},
               "id": "", "num-secrets": 1, "status": "active"})
        .to_string()
    );
    // Another model's secrets are not this one's.
    assert!(fake.set_model_secret_count("admin/default", "internal", 0));
    assert!(fake.set_model_secret_count("admin/default", "myvault", 0));
    assert!(fake.set_model_secret_count("controller", "internal", 4));
    let (_, info) = model_info_of_default(&fake, 10);
    assert_eq!(info["secret-backends"], Value::Null);
}

#[test]
fn model_info_lists_internal_and_the_backends_holding_the_models_secrets_4_0() {
    let fake = fake_as("4.0.14");
    let mut ctrl = controller_conn(&fake);
    add_vault(&mut ctrl, "myvault", "https://vault.example:8200");
    let internal = "{\"result\":{\"name\":\"internal\",\"backend-type\":\"controller\",\
                    \"config\":null},\"id\":\"\",\"num-secrets\":0,\"status\":\"active\"}";
    let (reply, _) = model_info_of_default(&fake, 11);
    assert!(
        reply.contains(&format!(",\"secret-backends\":[{internal}],")),
        "{reply}"
    );
    // The query behind it counts nothing: `num-secrets` stays 0.
    assert!(fake.set_model_secret_count("admin/default", "myvault", 2));
    let (reply, _) = model_info_of_default(&fake, 11);
    assert!(
        reply.contains(&format!(
            ",\"secret-backends\":[{internal},{{\"result\":{{\"name\":\"myvault\",\
             \"backend-type\":\"vault\",\"config\":{{\"endpoint\":\"https://vault.example:8200\"}}}},\
             \"id\":\"\",\"num-secrets\":0,\"status\":\"active\"}}],"
        )),
        "{reply}"
    );
}

#[test]
fn model_get_3_6_has_secret_backend_and_4_0_does_not() {
    let fake36 = fake_as("3.6.26");
    let mut raw = model_conn(&fake36, "default");
    let reply = raw.exchange(&request(2, "ModelConfig", 3, "ModelGet", json!({})));
    let got = parse_reply(&reply);
    let config = got["response"]["config"].as_object().unwrap();
    // Bytes: Go writes a map's keys in sorted order.
    assert!(
        reply.starts_with(r#"{"request-id":2,"response":{"config":{"agent-metadata-url":"#),
        "{reply}"
    );
    assert_eq!(
        config["secret-backend"],
        json!({"value": "auto", "source": "default"})
    );
    assert_eq!(
        config["name"],
        json!({"value": "default", "source": "model"})
    );
    assert_eq!(
        config["uuid"],
        json!({"value": fake36.model_uuid("admin/default").unwrap(), "source": "model"})
    );
    // Bytes, because Go escapes `<` and `>` in strings (`\u003c`), and the fake must too.
    assert!(
        reply.contains(r#""logging-config":{"value":"\u003croot\u003e=INFO","source":"model"}"#),
        "{reply}"
    );
    let fake40 = fake_as("4.0.14");
    let mut raw = model_conn(&fake40, "default");
    let got = raw.call(2, "ModelConfig", 3, "ModelGet", json!({}));
    let config = got["response"]["config"].as_object().unwrap();
    assert!(!config.contains_key("secret-backend"), "{got}");
    assert!(!got.to_string().contains("secret-backend"), "{got}");
    assert_eq!(
        config["agent-version"],
        json!({"value": "4.0.14", "source": "model"})
    );
}

#[test]
fn model_config_on_the_controller_connection_is_the_controller_models() {
    let fake = fake_as("3.6.26");
    let mut raw = controller_conn(&fake);
    let got = raw.call(2, "ModelConfig", 3, "ModelGet", json!({}));
    assert_eq!(
        got["response"]["config"]["name"],
        json!({"value": "controller", "source": "model"}),
        "{got}"
    );
}

#[test]
fn model_set_secret_backend_3_6() {
    let fake = fake_as("3.6.26");
    let mut ctrl = controller_conn(&fake);
    add_vault(&mut ctrl, "myvault", "https://vault.example:8200");
    add_vault(&mut ctrl, "sealed", "https://vault.example:8200");
    // Turn `sealed` unreachable (the fake's convention: a `.invalid` TLS server name).
    let reply = ctrl.call(
        91,
        "SecretBackends",
        1,
        "UpdateSecretBackends",
        json!({"args": [{"name": "sealed", "token-rotate-interval": null,
                         "config": {"tls-server-name": "vault.invalid"}, "reset": null,
                         "force": true}]}),
    );
    assert_eq!(
        reply,
        json!({"request-id": 91, "response": {"results": [{}]}})
    );
    let mut raw = model_conn(&fake, "default");
    let set = |raw: &mut Raw, id: u64, value: Value| {
        raw.call(
            id,
            "ModelConfig",
            3,
            "ModelSet",
            json!({"config": {"secret-backend": value}}),
        )
    };
    assert_eq!(
        set(&mut raw, 2, json!("")),
        error_reply(
            2,
            r#"empty "secret-backend" config value not valid"#,
            Some("not valid")
        )
    );
    assert_eq!(
        set(&mut raw, 3, json!(5)),
        error_reply(
            3,
            r#""secret-backend" config value is not a string"#,
            Some("not valid")
        )
    );
    assert_eq!(
        set(&mut raw, 4, json!("nope")),
        error_reply(4, r#"secret backend "nope" not found"#, Some("not found"))
    );
    assert_eq!(
        set(&mut raw, 5, json!("sealed")),
        error_reply(
            5,
            "cannot ping backend \"sealed\": backend not reachable: Get \
             \"https://vault.example:8200/v1/sys/health\": tls: failed to verify certificate: \
             x509: certificate is not valid for any names, but wanted to match vault.invalid",
            None
        )
    );
    assert_eq!(
        fake.model_secret_backend("admin/default").as_deref(),
        Some("auto")
    );
    assert_eq!(set(&mut raw, 6, json!("myvault")), ok(6));
    assert_eq!(
        fake.model_secret_backend("admin/default").as_deref(),
        Some("myvault")
    );
    let got = raw.call(7, "ModelConfig", 3, "ModelGet", json!({}));
    assert_eq!(
        got["response"]["config"]["secret-backend"],
        json!({"value": "myvault", "source": "model"})
    );
    assert_eq!(set(&mut raw, 8, json!("auto")), ok(8));
    assert_eq!(
        fake.model_secret_backend("default").as_deref(),
        Some("auto")
    );
    // The controller model is untouched.
    assert_eq!(
        fake.model_secret_backend("controller").as_deref(),
        Some("auto")
    );
}

#[test]
fn removing_a_backend_a_model_uses_3_6() {
    let fake = fake_as("3.6.26");
    let mut ctrl = controller_conn(&fake);
    add_vault(&mut ctrl, "myvault", "https://vault.example:8200");
    let mut raw = model_conn(&fake, "default");
    raw.call(
        2,
        "ModelConfig",
        3,
        "ModelSet",
        json!({"config": {"secret-backend": "myvault"}}),
    );
    // Secrets stored in it block removal; being the model's backend does not.
    assert!(fake.set_model_secret_count("admin/default", "myvault", 2));
    let remove = |raw: &mut Raw, id: u64| {
        raw.call(
            id,
            "SecretBackends",
            1,
            "RemoveSecretBackends",
            json!({"args": [{"name": "myvault"}]}),
        )
    };
    assert_eq!(
        remove(&mut ctrl, 3),
        json!({"request-id": 3, "response": {"results": [{"error": {
            "message": "removing backend with 2 stored secret revisions not supported",
            "code": "not supported"}}]}})
    );
    assert!(fake.set_model_secret_count("admin/default", "myvault", 0));
    assert_eq!(
        remove(&mut ctrl, 4),
        json!({"request-id": 4, "response": {"results": [{}]}})
    );
    // 3.6 leaves the model's config naming the removed backend.
    assert_eq!(
        fake.model_secret_backend("admin/default").as_deref(),
        Some("myvault")
    );
}

#[test]
fn model_secret_backend_4_0() {
    let fake = fake_as("4.0.14");
    let uuid = fake.model_uuid("admin/default").unwrap();
    let mut ctrl = controller_conn(&fake);
    add_vault(&mut ctrl, "myvault", "https://vault.example:8200");
    let mut raw = model_conn(&fake, "default");
    let get =
        |raw: &mut Raw, id: u64| raw.call(id, "ModelConfig", 4, "GetModelSecretBackend", json!({}));
    let result = |id: u64, name: &str| json!({"request-id": id, "response": {"result": name}});
    // Errors of this call come inside the response, as a result's would.
    let error = |id: u64, message: &str, code: &str| json!({"request-id": id, "response": {"error": {"message": message, "code": code}}});
    assert_eq!(get(&mut raw, 2), result(2, "auto"));
    let set = |raw: &mut Raw, id: u64, name: &str| {
        raw.call(
            id,
            "ModelConfig",
            4,
            "SetModelSecretBackend",
            json!({"secret-backend-name": name}),
        )
    };
    assert_eq!(set(&mut raw, 3, ""), error(3, "missing backend name", ""));
    assert_eq!(
        set(&mut raw, 4, "internal"),
        error(
            4,
            r#"secret backend name "internal" not valid"#,
            "secret backend not valid"
        )
    );
    assert_eq!(
        set(&mut raw, 5, "nope"),
        error(
            5,
            &format!(
                "setting model secret backend for {uuid:?}: cannot get secret backend \
                 \"nope\": secret backend not found"
            ),
            "secret backend not found"
        )
    );
    assert_eq!(set(&mut raw, 6, "myvault"), ok(6));
    assert_eq!(get(&mut raw, 7), result(7, "myvault"));
    assert_eq!(
        fake.model_secret_backend("default").as_deref(),
        Some("myvault")
    );
    // v3 quirks: Get is a stub answering nothing; Set does not exist.
    assert_eq!(
        raw.call(8, "ModelConfig", 3, "GetModelSecretBackend", json!({})),
        ok(8)
    );
    assert_eq!(
        raw.call(9, "ModelConfig", 3, "SetModelSecretBackend", json!({})),
        error_reply(
            9,
            r#"unknown method "SetModelSecretBackend" at version 3 for facade type "ModelConfig""#,
            Some("not implemented")
        )
    );
    // The old config key is kept but does nothing.
    assert_eq!(
        raw.call(
            10,
            "ModelConfig",
            3,
            "ModelSet",
            json!({"config": {"secret-backend": "nope"}})
        ),
        ok(10)
    );
    assert_eq!(
        fake.model_secret_backend("default").as_deref(),
        Some("myvault")
    );
    // Removing the backend puts the model back on the built-in one.
    let reply = ctrl.call(
        11,
        "SecretBackends",
        1,
        "RemoveSecretBackends",
        json!({"args": [{"name": "myvault", "force": true}]}),
    );
    assert_eq!(
        reply,
        json!({"request-id": 11, "response": {"results": [{}]}})
    );
    assert_eq!(get(&mut raw, 12), result(12, "auto"));
}

#[test]
fn the_all_watcher_sends_the_model_then_waits_until_stopped() {
    within(Duration::from_secs(30), || {
        let fake = fake_as("3.6.26");
        let uuid = fake.model_uuid("admin/default").unwrap();
        let mut raw = model_conn(&fake, "default");
        assert_eq!(
            raw.call(2, "Client", 8, "WatchAll", json!({})),
            json!({"request-id": 2, "response": {"watcher-id": "1"}})
        );
        let next = |id: u64| {
            json!({"request-id": id, "type": "AllWatcher", "version": 3, "id": "1",
                   "request": "Next", "params": {}})
            .to_string()
        };
        let mut first = parse_reply(&raw.exchange(&next(3)));
        assert_eq!(first["request-id"], 3, "{first}");
        let deltas = first["response"]["deltas"].take();
        assert_eq!(
            first,
            json!({"request-id": 3, "response": {"deltas": null}})
        );
        let [delta] = deltas.as_array().unwrap().as_slice() else {
            panic!("one delta: {deltas}");
        };
        assert_eq!(delta[0], "model", "{delta}");
        assert_eq!(delta[1], "change", "{delta}");
        assert_eq!(delta.as_array().unwrap().len(), 3, "{delta}");
        let mut model = delta[2].clone();
        let config = model["config"].take();
        assert_eq!(config["name"], "default", "{config}");
        assert_eq!(config["uuid"], uuid.as_str(), "{config}");
        let status = model["status"].take();
        assert_eq!(status["version"], "", "{status}");
        assert_eq!(
            model,
            json!({
                "model-uuid": uuid, "name": "default", "life": "alive", "owner": "admin",
                "controller-uuid": fake.controller_uuid(), "is-controller": false,
                "config": null, "status": null, "constraints": {},
                "sla": {"level": "unsupported", "owner": ""}, "type": "iaas",
                "cloud": "localhost", "cloud-region": "localhost", "version": "3.6.26",
            })
        );
        // The second Next waits; other requests are answered meanwhile.
        raw.send(&next(4));
        assert_eq!(raw.call(5, "Pinger", 1, "Ping", json!({})), ok(5));
        raw.send(
            &json!({"request-id": 6, "type": "AllWatcher", "version": 3, "Id": "1",
                    "request": "Stop", "params": {}})
            .to_string(),
        );
        assert_eq!(
            parse_reply(&raw.recv()),
            error_reply(4, "watcher was stopped", None)
        );
        assert_eq!(parse_reply(&raw.recv()), ok(6));
        assert_eq!(
            parse_reply(&raw.exchange(&next(7))),
            error_reply(7, "unknown watcher id", Some("not found"))
        );
    });
}

#[test]
fn watch_all_is_a_stub_in_4_0() {
    let fake = fake_as("4.0.14");
    let mut raw = model_conn(&fake, "default");
    assert_eq!(
        raw.call(2, "Client", 8, "WatchAll", json!({})),
        error_reply(2, "WatchAll not implemented", Some("not implemented"))
    );
    assert_eq!(
        raw.call(3, "AllWatcher", 3, "Next", json!({})),
        error_reply(
            3,
            r#"unknown version 3 for facade type "AllWatcher""#,
            Some("not implemented")
        )
    );
}

#[test]
fn a_migrated_model_redirects_its_users() {
    let old = fake_as("3.6.26");
    let new = fake_as("3.6.26");
    let uuid = old.model_uuid("admin/default").unwrap();
    assert!(old.redirect_model(&uuid, Some(&new)));
    let path = format!("/model/{uuid}/api");
    let mut raw = Raw::connect_to(&old, &path);
    let mut expected = error_reply(
        1,
        "redirection to alternative server required",
        Some("redirection required"),
    );
    expected["error-info"] = json!({
        "servers": [[{"value": "127.0.0.1", "type": "ipv4", "scope": "public",
                      "port": new.port()}]],
        "ca-cert": new.ca_cert_pem(),
        "controller-tag": format!("controller-{}", new.controller_uuid()),
    });
    assert_eq!(raw.login_as("admin", "whatever"), expected);
    // A user who had no access to it learns nothing.
    let mut raw = Raw::connect_to(&old, &path);
    assert_eq!(
        raw.login_as("bob", "bob-password"),
        error_reply(
            1,
            "invalid entity name or password",
            Some("unauthorized access")
        )
    );
    // It is no longer listed here.
    let mut ctrl = controller_conn(&old);
    let listed = ctrl.call(
        2,
        "ModelManager",
        10,
        "ListModels",
        json!({"tag": "user-admin"}),
    );
    assert!(!listed.to_string().contains(&uuid), "{listed}");
    assert!(old.redirect_model("admin/default", None));
    let mut raw = Raw::connect_to(&old, &path);
    let reply = raw.login_as("admin", old.password());
    assert_eq!(
        reply["response"]["model-tag"],
        format!("model-{uuid}"),
        "{reply}"
    );
}

#[test]
fn the_client_store_names_the_models() {
    let fake = fake_as("3.6.26");
    let dir = TempDir::new("models-yaml");
    fake.write_juju_data(dir.path(), "fake").unwrap();
    let text = std::fs::read_to_string(dir.path().join("models.yaml")).unwrap();
    assert_eq!(
        text,
        format!(
            "controllers:\n  fake:\n    models:\n      admin/controller:\n        uuid: {}\n        \
             type: iaas\n        branch: master\n      admin/default:\n        uuid: {}\n        \
             type: iaas\n        branch: master\n    current-model: admin/default\n",
            fake.model_uuid("admin/controller").unwrap(),
            fake.model_uuid("admin/default").unwrap()
        )
    );
}

#[test]
fn a_model_summary_byte_for_byte() {
    let fake = fake_as("3.6.26");
    let d = fake.model_uuid("admin/default").unwrap();
    let c = fake.controller_uuid();
    let mut raw = controller_conn(&fake);
    let reply = raw.exchange(&request(
        2,
        "ModelManager",
        10,
        "ListModelSummaries",
        json!({"user-tag": "user-admin", "all": true}),
    ));
    let v = parse_reply(&reply);
    let since = v["response"]["results"][1]["result"]["status"]["since"]
        .as_str()
        .unwrap()
        .to_string();
    // Byte for byte: the point is the summary exactly as Juju 3.6 writes it, fields in the
    // order of Go's `params.ModelSummary`.
    let default = concat!(
        r#"{"result":{"name":"default","uuid":"<d>","type":"iaas","controller-uuid":"<c>","#,
        r#""is-controller":false,"provider-type":"lxd","cloud-tag":"cloud-localhost","#,
        r#""cloud-region":"localhost","cloud-credential-tag":"cloudcred-localhost_admin_localhost","#,
        r#""owner-tag":"user-admin","life":"alive","#,
        r#""status":{"status":"available","info":"","since":"<since>"},"#,
        r#""user-access":"admin","last-connection":null,"counts":[],"#,
        r#""sla":{"level":"unsupported","owner":"admin"},"agent-version":"3.6.26"}}]}}"#,
        "\n"
    )
    .replace("<d>", &d)
    .replace("<c>", &c)
    .replace("<since>", &since);
    assert!(reply.ends_with(&default), "{reply}");
    // v11 on 4.0: a qualifier after the name, no owner tag, no SLA.
    let fake = fake_as("4.0.14");
    let mut raw = controller_conn(&fake);
    let reply = raw.exchange(&request(
        2,
        "ModelManager",
        11,
        "ListModelSummaries",
        json!({"user-tag": "user-admin"}),
    ));
    assert!(
        reply.contains(r#"{"result":{"name":"default","qualifier":"admin","uuid":"#),
        "{reply}"
    );
    assert!(
        !reply.contains("owner-tag") && !reply.contains(r#""sla""#),
        "{reply}"
    );
}

#[test]
fn model_unset_returns_a_key_to_its_default() {
    let fake = fake_as("3.6.26");
    let mut raw = model_conn(&fake, "default");
    let set = raw.call(
        2,
        "ModelConfig",
        3,
        "ModelSet",
        json!({"config": {"ftp-proxy": "http://proxy.example:3128"}}),
    );
    assert_eq!(set, ok(2));
    let got = raw.call(3, "ModelConfig", 3, "ModelGet", json!({}));
    assert_eq!(
        got["response"]["config"]["ftp-proxy"],
        json!({"value": "http://proxy.example:3128", "source": "model"})
    );
    let unset = raw.call(
        4,
        "ModelConfig",
        3,
        "ModelUnset",
        json!({"keys": ["ftp-proxy"]}),
    );
    assert_eq!(unset, ok(4));
    let got = raw.call(5, "ModelConfig", 3, "ModelGet", json!({}));
    assert_eq!(
        got["response"]["config"]["ftp-proxy"],
        json!({"value": "", "source": "default"})
    );
    assert_eq!(
        raw.call(
            6,
            "ModelConfig",
            3,
            "ModelSet",
            json!({"config": {"agent-version": "9.9.9"}})
        ),
        error_reply(6, "agent-version cannot be changed", None)
    );
}

#[test]
fn a_users_own_model_is_theirs_to_configure() {
    let fake = fake_as("3.6.26");
    let uuid = fake.add_model("dev", "bob");
    let mut raw = Raw::connect_to(&fake, &format!("/model/{uuid}/api"));
    let reply = raw.login_as("bob", "bob-password");
    assert_eq!(
        reply["response"]["user-info"]["model-access"], "admin",
        "{reply}"
    );
    let set = raw.call(
        2,
        "ModelConfig",
        3,
        "ModelSet",
        json!({"config": {"secret-backend": "auto"}}),
    );
    assert_eq!(set, ok(2));
    // admin, a superuser, may open it without a grant.
    let mut raw = Raw::connect_to(&fake, &format!("/model/{uuid}/api"));
    let reply = raw.login_as("admin", fake.password());
    assert_eq!(
        reply["response"]["user-info"]["model-access"], "admin",
        "{reply}"
    );
}
