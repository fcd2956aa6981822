//! The fake controller's models, over the wire: model logins at `/model/<uuid>/api`,
//! `ModelManager`, `ModelConfig` (3.6 and 4.0 secret-backend rules), the all-watcher,
//! redirects of migrated models and the client store's `models.yaml`. Replies are compared
//! byte for byte where the references quote them.

use crate::common;

use std::time::Duration;

use common::{Raw, within};
use juju_client::testing::FakeController;
use serde_json::{Value, json};

fn fake(version: &str) -> FakeController {
    FakeController::builder()
        .juju_version(version)
        .start()
        .unwrap()
}

fn request(id: u64, facade: &str, version: u32, method: &str, params: Value) -> String {
    json!({"request-id": id, "type": facade, "version": version, "request": method,
           "params": params})
    .to_string()
}

fn login_as(raw: &mut Raw, user: &str, password: &str) -> String {
    raw.exchange(&request(
        1,
        "Admin",
        3,
        "Login",
        json!({"auth-tag": format!("user-{user}"), "credentials": password}),
    ))
}

/// A model connection logged in as admin.
fn model_conn(fake: &FakeController, model: &str) -> Raw {
    let uuid = fake.model_uuid(model).unwrap();
    let mut raw = Raw::connect_to(fake, &format!("/model/{uuid}/api"));
    let reply = login_as(&mut raw, "admin", fake.password());
    assert!(reply.contains("\"model-tag\""), "{reply}");
    raw
}

fn controller_conn(fake: &FakeController) -> Raw {
    let mut raw = Raw::connect(fake);
    let reply = login_as(&mut raw, "admin", fake.password());
    assert!(reply.contains("\"controller-tag\""), "{reply}");
    raw
}

fn add_vault(raw: &mut Raw, name: &str, endpoint: &str) {
    let reply = raw.exchange(&request(
        90,
        "SecretBackends",
        1,
        "AddSecretBackends",
        json!({"args": [{"name": name, "backend-type": "vault",
                         "config": {"endpoint": endpoint}}]}),
    ));
    assert_eq!(
        reply,
        "{\"request-id\":90,\"response\":{\"results\":[{}]}}\n"
    );
}

#[test]
fn a_malformed_model_uuid_is_refused_before_the_upgrade() {
    let fake = fake("3.6.26");
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
    let fake = fake("3.6.26");
    let uuid = "00000000-0000-4000-8000-000000000000";
    let mut raw = Raw::connect_to(&fake, &format!("/model/{uuid}/api"));
    let expected = |id: u64| {
        format!(
            "{{\"request-id\":{id},\"error\":\"unknown model: \\\"{uuid}\\\"\",\
             \"error-code\":\"model not found\",\"response\":{{}}}}\n"
        )
    };
    assert_eq!(login_as(&mut raw, "admin", fake.password()), expected(1));
    assert_eq!(
        raw.exchange(&request(2, "Pinger", 1, "Ping", json!({}))),
        expected(2)
    );
}

#[test]
fn a_model_login_names_the_model_and_lists_the_model_facades() {
    for (version, count, model_config) in [("3.6.26", 109, "[3]"), ("4.0.14", 76, "[3,4]")] {
        let fake = fake(version);
        let uuid = fake.model_uuid("admin/default").unwrap();
        let mut raw = Raw::connect_to(&fake, &format!("/model/{uuid}/api"));
        let reply = login_as(&mut raw, "admin", fake.password());
        let head = format!(
            "{{\"request-id\":1,\"response\":{{\"servers\":[[{{\"value\":\"127.0.0.1\",\
             \"type\":\"ipv4\",\"scope\":\"local-machine\",\"port\":{}}}]],\
             \"model-tag\":\"model-{uuid}\",\"controller-tag\":\"controller-{}\",\
             \"user-info\":{{\"display-name\":\"\",\"identity\":\"user-admin\",\
             \"controller-access\":\"superuser\",\"model-access\":\"admin\"}},\"facades\":[",
            fake.port(),
            fake.controller_uuid()
        );
        assert!(reply.starts_with(&head), "{reply}");
        assert!(reply.ends_with(&format!("],\"server-version\":\"{version}\"}}}}\n")));
        let v: Value = serde_json::from_str(&reply).unwrap();
        let facades = v["response"]["facades"].as_array().unwrap();
        assert_eq!(facades.len(), count, "{version}");
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
        assert!(reply.contains(&format!(
            "{{\"name\":\"ModelConfig\",\"versions\":{model_config}}}"
        )));
        assert!(reply.contains("{\"name\":\"Pinger\",\"versions\":[1]}"));
        if version == "3.6.26" {
            assert!(reply.contains("{\"name\":\"AllWatcher\",\"versions\":[3]}"));
            assert!(reply.contains("{\"name\":\"Client\",\"versions\":[6,7,8]}"));
        } else {
            assert!(!names.contains(&"AllWatcher"));
            assert!(reply.contains("{\"name\":\"Client\",\"versions\":[8]}"));
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
        let fake = fake(version);
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
    let fake = fake("3.6.26");
    let mut raw = model_conn(&fake, "default");
    assert_eq!(
        raw.exchange(&request(
            2,
            "SecretBackends",
            1,
            "ListSecretBackends",
            json!({})
        )),
        "{\"request-id\":2,\"error\":\"facade \\\"SecretBackends\\\" not supported for model \
         API connection\",\"error-code\":\"not supported\",\"response\":{}}\n"
    );
    assert_eq!(
        raw.exchange(&request(3, "Admin", 3, "Login", json!({}))),
        "{\"request-id\":3,\"error\":\"unknown version (3) of interface \\\"Admin\\\"\",\
         \"error-code\":\"not implemented\",\"response\":{}}\n"
    );
    assert_eq!(
        raw.exchange(&request(4, "Pinger", 1, "Ping", json!({}))),
        "{\"request-id\":4,\"response\":{}}\n"
    );
    // And the controller connection refuses model facades.
    let mut ctrl = controller_conn(&fake);
    assert_eq!(
        ctrl.exchange(&request(2, "Client", 8, "WatchAll", json!({}))),
        "{\"request-id\":2,\"error\":\"facade \\\"Client\\\" not supported for controller API \
         connection\",\"error-code\":\"not supported\",\"response\":{}}\n"
    );
}

#[test]
fn model_logins_need_a_grant_unless_superuser() {
    let fake = fake("3.6.26");
    let uuid = fake.model_uuid("admin/default").unwrap();
    let path = format!("/model/{uuid}/api");
    let mut raw = Raw::connect_to(&fake, &path);
    assert_eq!(
        login_as(&mut raw, "bob", "bob-password"),
        "{\"request-id\":1,\"error\":\"permission denied\",\"error-code\":\"unauthorized access\",\
         \"response\":{}}\n"
    );
    assert!(fake.grant_model_access("admin/default", "bob", "read"));
    let mut raw = Raw::connect_to(&fake, &path);
    let reply = login_as(&mut raw, "bob", "bob-password");
    assert!(
        reply.contains("\"controller-access\":\"login\",\"model-access\":\"read\""),
        "{reply}"
    );
    // Read access: ModelGet yes, ModelSet no.
    let got = raw.exchange(&request(2, "ModelConfig", 3, "ModelGet", json!({})));
    assert!(
        got.contains("\"name\":{\"value\":\"default\",\"source\":\"model\"}"),
        "{got}"
    );
    assert_eq!(
        raw.exchange(&request(
            3,
            "ModelConfig",
            3,
            "ModelSet",
            json!({"config": {"logging-config": "<root>=DEBUG"}})
        )),
        "{\"request-id\":3,\"error\":\"permission denied\",\"error-code\":\"unauthorized access\",\
         \"response\":{}}\n"
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
    let fake = fake("3.6.26");
    let c = fake.model_uuid("admin/controller").unwrap();
    let d = fake.model_uuid("admin/default").unwrap();
    let mut raw = controller_conn(&fake);
    let reply = raw.exchange(&request(
        2,
        "ModelManager",
        10,
        "ListModels",
        json!({"tag": "user-admin"}),
    ));
    // Logging in on /api connected admin to the controller model.
    let now = last_connection(&reply, 0);
    assert_eq!(
        reply,
        format!(
            "{{\"request-id\":2,\"response\":{{\"user-models\":[\
             {{\"model\":{{\"name\":\"controller\",\"uuid\":\"{c}\",\"type\":\"iaas\",\
             \"owner-tag\":\"user-admin\"}},\"last-connection\":\"{now}\"}},\
             {{\"model\":{{\"name\":\"default\",\"uuid\":\"{d}\",\"type\":\"iaas\",\
             \"owner-tag\":\"user-admin\"}},\"last-connection\":\"0001-01-01T00:00:00Z\"}}]}}}}\n"
        )
    );
    // A model login is remembered as the user's last connection to it.
    drop(model_conn(&fake, "default"));
    let reply = raw.exchange(&request(
        3,
        "ModelManager",
        10,
        "ListModels",
        json!({"tag": "user-admin"}),
    ));
    let v: Value = serde_json::from_str(&reply).unwrap();
    let last = v["response"]["user-models"][1]["last-connection"]
        .as_str()
        .unwrap();
    assert!(last.starts_with("20") && last.ends_with('Z'), "{last}");
    // Other users may only ask about themselves, and see what they were granted.
    let mut bob = Raw::connect(&fake);
    login_as(&mut bob, "bob", "bob-password");
    assert_eq!(
        bob.exchange(&request(
            2,
            "ModelManager",
            10,
            "ListModels",
            json!({"tag": "user-admin"})
        )),
        "{\"request-id\":2,\"error\":\"permission denied\",\"error-code\":\"unauthorized access\",\
         \"response\":{}}\n"
    );
    assert_eq!(
        bob.exchange(&request(
            3,
            "ModelManager",
            10,
            "ListModels",
            json!({"tag": "user-bob"})
        )),
        "{\"request-id\":3,\"response\":{\"user-models\":null}}\n"
    );
    let dev = fake.add_model("dev", "bob");
    assert_eq!(
        bob.exchange(&request(
            4,
            "ModelManager",
            10,
            "ListModels",
            json!({"tag": "user-bob"})
        )),
        format!(
            "{{\"request-id\":4,\"response\":{{\"user-models\":[{{\"model\":{{\"name\":\"dev\",\
             \"uuid\":\"{dev}\",\"type\":\"iaas\",\"owner-tag\":\"user-bob\"}},\
             \"last-connection\":\"0001-01-01T00:00:00Z\"}}]}}}}\n"
        )
    );
    assert_eq!(
        bob.exchange(&request(
            5,
            "ModelManager",
            10,
            "ListModels",
            json!({"tag": "machine-0"})
        )),
        "{\"request-id\":5,\"error\":\"\\\"machine-0\\\" is not a valid user tag\",\"response\":{}}\n"
    );
}

#[test]
fn list_models_4_0_has_qualifiers_in_v11() {
    let fake = fake("4.0.14");
    let c = fake.model_uuid("admin/controller").unwrap();
    let d = fake.model_uuid("admin/default").unwrap();
    let mut raw = controller_conn(&fake);
    let reply = raw.exchange(&request(
        2,
        "ModelManager",
        11,
        "ListModels",
        json!({"tag": "user-admin"}),
    ));
    let now = last_connection(&reply, 0);
    assert_eq!(
        reply,
        format!(
            "{{\"request-id\":2,\"response\":{{\"user-models\":[\
             {{\"model\":{{\"name\":\"controller\",\"qualifier\":\"admin\",\"uuid\":\"{c}\",\
             \"type\":\"iaas\"}},\"last-connection\":\"{now}\"}},\
             {{\"model\":{{\"name\":\"default\",\"qualifier\":\"admin\",\"uuid\":\"{d}\",\
             \"type\":\"iaas\"}},\"last-connection\":null}}]}}}}\n"
        )
    );
    assert!(
        raw.exchange(&request(
            3,
            "ModelManager",
            10,
            "ListModels",
            json!({"tag": "user-admin"})
        ))
        .contains("\"owner-tag\":\"user-admin\"}")
    );
    // 3.6's v9 is gone.
    assert_eq!(
        raw.exchange(&request(
            4,
            "ModelManager",
            9,
            "ListModels",
            json!({"tag": "user-admin"})
        )),
        "{\"request-id\":4,\"error\":\"unknown version 9 for facade type \\\"ModelManager\\\"\",\
         \"error-code\":\"not implemented\",\"response\":{}}\n"
    );
    let mut bob = Raw::connect(&fake);
    login_as(&mut bob, "bob", "bob-password");
    assert_eq!(
        bob.exchange(&request(
            2,
            "ModelManager",
            11,
            "ListModels",
            json!({"tag": "user-bob"})
        )),
        "{\"request-id\":2,\"response\":{\"user-models\":null}}\n"
    );
    assert_eq!(
        bob.exchange(&request(
            3,
            "ModelManager",
            10,
            "ListModels",
            json!({"tag": "user-bob"})
        )),
        "{\"request-id\":3,\"response\":{\"user-models\":[]}}\n"
    );
}

#[test]
fn model_summaries_and_info_have_jujus_shape() {
    let fake = fake("3.6.26");
    let d = fake.model_uuid("admin/default").unwrap();
    let mut raw = controller_conn(&fake);
    let reply = raw.exchange(&request(
        2,
        "ModelManager",
        10,
        "ListModelSummaries",
        json!({"user-tag": "user-admin", "all": false}),
    ));
    let v: Value = serde_json::from_str(&reply).unwrap();
    let results = v["response"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let default = &results[1]["result"];
    let keys: Vec<&str> = reply
        .split("{\"result\":")
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

    let reply = raw.exchange(&request(
        3,
        "ModelManager",
        10,
        "ModelInfo",
        json!({"entities": [{"tag": format!("model-{d}")},
                            {"tag": "model-00000000-0000-4000-8000-000000000000"},
                            {"tag": "user-admin"}]}),
    ));
    let v: Value = serde_json::from_str(&reply).unwrap();
    let info = &v["response"]["results"][0]["result"];
    assert_eq!(info["name"], "default");
    assert_eq!(info["owner-tag"], "user-admin");
    assert_eq!(info["users"][0]["user"], "admin");
    assert_eq!(info["users"][0]["access"], "admin");
    // A model without secrets has no secret backends to show (Go's nil slice).
    assert_eq!(info["secret-backends"], Value::Null);
    assert!(reply.contains(
        "{\"error\":{\"message\":\"permission denied\",\"code\":\"unauthorized access\"}}"
    ));
    assert!(reply.contains(
        "{\"error\":{\"message\":\"\\\"user-admin\\\" is not a valid model tag\",\"code\":\"\"}}"
    ));
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
    let fake = fake("3.6.26");
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
    let fake = fake("4.0.14");
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
    let fake36 = fake("3.6.26");
    let mut raw = model_conn(&fake36, "default");
    let got = raw.exchange(&request(2, "ModelConfig", 3, "ModelGet", json!({})));
    assert!(got.starts_with("{\"request-id\":2,\"response\":{\"config\":{\"agent-metadata-url\":"));
    assert!(got.contains("\"secret-backend\":{\"value\":\"auto\",\"source\":\"default\"}"));
    assert!(got.contains("\"name\":{\"value\":\"default\",\"source\":\"model\"}"));
    assert!(got.contains(&format!(
        "\"uuid\":{{\"value\":\"{}\",\"source\":\"model\"}}",
        fake36.model_uuid("admin/default").unwrap()
    )));
    let fake40 = fake("4.0.14");
    let mut raw = model_conn(&fake40, "default");
    let got = raw.exchange(&request(2, "ModelConfig", 3, "ModelGet", json!({})));
    assert!(!got.contains("secret-backend"), "{got}");
    assert!(got.contains("\"agent-version\":{\"value\":\"4.0.14\",\"source\":\"model\"}"));
}

#[test]
fn model_config_on_the_controller_connection_is_the_controller_models() {
    let fake = fake("3.6.26");
    let mut raw = controller_conn(&fake);
    let got = raw.exchange(&request(2, "ModelConfig", 3, "ModelGet", json!({})));
    assert!(
        got.contains("\"name\":{\"value\":\"controller\",\"source\":\"model\"}"),
        "{got}"
    );
}

#[test]
fn model_set_secret_backend_3_6() {
    let fake = fake("3.6.26");
    let mut ctrl = controller_conn(&fake);
    add_vault(&mut ctrl, "myvault", "https://vault.example:8200");
    add_vault(&mut ctrl, "sealed", "https://vault.example:8200");
    // Turn `sealed` unreachable (the fake's convention: a `.invalid` TLS server name).
    let reply = ctrl.exchange(&request(
        91,
        "SecretBackends",
        1,
        "UpdateSecretBackends",
        json!({"args": [{"name": "sealed", "token-rotate-interval": null,
                         "config": {"tls-server-name": "vault.invalid"}, "reset": null,
                         "force": true}]}),
    ));
    assert_eq!(
        reply,
        "{\"request-id\":91,\"response\":{\"results\":[{}]}}\n"
    );
    let mut raw = model_conn(&fake, "default");
    let set = |raw: &mut Raw, id: u64, value: Value| {
        raw.exchange(&request(
            id,
            "ModelConfig",
            3,
            "ModelSet",
            json!({"config": {"secret-backend": value}}),
        ))
    };
    assert_eq!(
        set(&mut raw, 2, json!("")),
        "{\"request-id\":2,\"error\":\"empty \\\"secret-backend\\\" config value not valid\",\
         \"error-code\":\"not valid\",\"response\":{}}\n"
    );
    assert_eq!(
        set(&mut raw, 3, json!(5)),
        "{\"request-id\":3,\"error\":\"\\\"secret-backend\\\" config value is not a string\",\
         \"error-code\":\"not valid\",\"response\":{}}\n"
    );
    assert_eq!(
        set(&mut raw, 4, json!("nope")),
        "{\"request-id\":4,\"error\":\"secret backend \\\"nope\\\" not found\",\
         \"error-code\":\"not found\",\"response\":{}}\n"
    );
    assert_eq!(
        set(&mut raw, 5, json!("sealed")),
        "{\"request-id\":5,\"error\":\"cannot ping backend \\\"sealed\\\": backend not \
         reachable: Get \\\"https://vault.example:8200/v1/sys/health\\\": tls: failed to verify \
         certificate: x509: certificate is not valid for any names, but wanted to match \
         vault.invalid\",\"response\":{}}\n"
    );
    assert_eq!(
        fake.model_secret_backend("admin/default").as_deref(),
        Some("auto")
    );
    assert_eq!(
        set(&mut raw, 6, json!("myvault")),
        "{\"request-id\":6,\"response\":{}}\n"
    );
    assert_eq!(
        fake.model_secret_backend("admin/default").as_deref(),
        Some("myvault")
    );
    let got = raw.exchange(&request(7, "ModelConfig", 3, "ModelGet", json!({})));
    assert!(got.contains("\"secret-backend\":{\"value\":\"myvault\",\"source\":\"model\"}"));
    assert_eq!(
        set(&mut raw, 8, json!("auto")),
        "{\"request-id\":8,\"response\":{}}\n"
    );
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
    let fake = fake("3.6.26");
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
    // Secrets stored in it block removal; being the model's backend does not.
    assert!(fake.set_model_secret_count("admin/default", "myvault", 2));
    let remove = |raw: &mut Raw, id: u64| {
        raw.exchange(&request(
            id,
            "SecretBackends",
            1,
            "RemoveSecretBackends",
            json!({"args": [{"name": "myvault"}]}),
        ))
    };
    assert_eq!(
        remove(&mut ctrl, 3),
        "{\"request-id\":3,\"response\":{\"results\":[{\"error\":{\"message\":\"removing backend \
         with 2 stored secret revisions not supported\",\"code\":\"not supported\"}}]}}\n"
    );
    assert!(fake.set_model_secret_count("admin/default", "myvault", 0));
    assert_eq!(
        remove(&mut ctrl, 4),
        "{\"request-id\":4,\"response\":{\"results\":[{}]}}\n"
    );
    // 3.6 leaves the model's config naming the removed backend.
    assert_eq!(
        fake.model_secret_backend("admin/default").as_deref(),
        Some("myvault")
    );
}

#[test]
fn model_secret_backend_4_0() {
    let fake = fake("4.0.14");
    let uuid = fake.model_uuid("admin/default").unwrap();
    let mut ctrl = controller_conn(&fake);
    add_vault(&mut ctrl, "myvault", "https://vault.example:8200");
    let mut raw = model_conn(&fake, "default");
    assert_eq!(
        raw.exchange(&request(
            2,
            "ModelConfig",
            4,
            "GetModelSecretBackend",
            json!({})
        )),
        "{\"request-id\":2,\"response\":{\"result\":\"auto\"}}\n"
    );
    let set = |raw: &mut Raw, id: u64, name: &str| {
        raw.exchange(&request(
            id,
            "ModelConfig",
            4,
            "SetModelSecretBackend",
            json!({"secret-backend-name": name}),
        ))
    };
    assert_eq!(
        set(&mut raw, 3, ""),
        "{\"request-id\":3,\"response\":{\"error\":{\"message\":\"missing backend name\",\
         \"code\":\"\"}}}\n"
    );
    assert_eq!(
        set(&mut raw, 4, "internal"),
        "{\"request-id\":4,\"response\":{\"error\":{\"message\":\"secret backend name \
         \\\"internal\\\" not valid\",\"code\":\"secret backend not valid\"}}}\n"
    );
    assert_eq!(
        set(&mut raw, 5, "nope"),
        format!(
            "{{\"request-id\":5,\"response\":{{\"error\":{{\"message\":\"setting model secret \
             backend for \\\"{uuid}\\\": cannot get secret backend \\\"nope\\\": secret backend \
             not found\",\"code\":\"secret backend not found\"}}}}}}\n"
        )
    );
    assert_eq!(
        set(&mut raw, 6, "myvault"),
        "{\"request-id\":6,\"response\":{}}\n"
    );
    assert_eq!(
        raw.exchange(&request(
            7,
            "ModelConfig",
            4,
            "GetModelSecretBackend",
            json!({})
        )),
        "{\"request-id\":7,\"response\":{\"result\":\"myvault\"}}\n"
    );
    assert_eq!(
        fake.model_secret_backend("default").as_deref(),
        Some("myvault")
    );
    // v3 quirks: Get is a stub answering nothing; Set does not exist.
    assert_eq!(
        raw.exchange(&request(
            8,
            "ModelConfig",
            3,
            "GetModelSecretBackend",
            json!({})
        )),
        "{\"request-id\":8,\"response\":{}}\n"
    );
    assert_eq!(
        raw.exchange(&request(
            9,
            "ModelConfig",
            3,
            "SetModelSecretBackend",
            json!({})
        )),
        "{\"request-id\":9,\"error\":\"unknown method \\\"SetModelSecretBackend\\\" at version 3 \
         for facade type \\\"ModelConfig\\\"\",\"error-code\":\"not implemented\",\
         \"response\":{}}\n"
    );
    // The old config key is kept but does nothing.
    assert_eq!(
        raw.exchange(&request(
            10,
            "ModelConfig",
            3,
            "ModelSet",
            json!({"config": {"secret-backend": "nope"}})
        )),
        "{\"request-id\":10,\"response\":{}}\n"
    );
    assert_eq!(
        fake.model_secret_backend("default").as_deref(),
        Some("myvault")
    );
    // Removing the backend puts the model back on the built-in one.
    let reply = ctrl.exchange(&request(
        11,
        "SecretBackends",
        1,
        "RemoveSecretBackends",
        json!({"args": [{"name": "myvault", "force": true}]}),
    ));
    assert_eq!(
        reply,
        "{\"request-id\":11,\"response\":{\"results\":[{}]}}\n"
    );
    assert_eq!(
        raw.exchange(&request(
            12,
            "ModelConfig",
            4,
            "GetModelSecretBackend",
            json!({})
        )),
        "{\"request-id\":12,\"response\":{\"result\":\"auto\"}}\n"
    );
}

#[test]
fn the_all_watcher_sends_the_model_then_waits_until_stopped() {
    within(Duration::from_secs(30), || {
        let fake = fake("3.6.26");
        let uuid = fake.model_uuid("admin/default").unwrap();
        let mut raw = model_conn(&fake, "default");
        assert_eq!(
            raw.exchange(&request(2, "Client", 8, "WatchAll", json!({}))),
            "{\"request-id\":2,\"response\":{\"watcher-id\":\"1\"}}\n"
        );
        let next = |id: u64| {
            json!({"request-id": id, "type": "AllWatcher", "version": 3, "id": "1",
                   "request": "Next", "params": {}})
            .to_string()
        };
        let first = raw.exchange(&next(3));
        let prefix = format!(
            "{{\"request-id\":3,\"response\":{{\"deltas\":[[\"model\",\"change\",\
             {{\"model-uuid\":\"{uuid}\",\"name\":\"default\",\"life\":\"alive\",\
             \"owner\":\"admin\",\"controller-uuid\":\"{}\",\"is-controller\":false,\
             \"config\":{{",
            fake.controller_uuid()
        );
        assert!(first.starts_with(&prefix), "{first}");
        assert!(first.ends_with(
            ",\"version\":\"\"},\"constraints\":{},\"sla\":{\"level\":\"unsupported\",\
             \"owner\":\"\"},\"type\":\"iaas\",\"cloud\":\"localhost\",\
             \"cloud-region\":\"localhost\",\"version\":\"3.6.26\"}]]}}\n"
        ));
        // The second Next waits; other requests are answered meanwhile.
        raw.send(&next(4));
        assert_eq!(
            raw.exchange(&request(5, "Pinger", 1, "Ping", json!({}))),
            "{\"request-id\":5,\"response\":{}}\n"
        );
        raw.send(
            &json!({"request-id": 6, "type": "AllWatcher", "version": 3, "Id": "1",
                    "request": "Stop", "params": {}})
            .to_string(),
        );
        assert_eq!(
            raw.recv(),
            "{\"request-id\":4,\"error\":\"watcher was stopped\",\"response\":{}}\n"
        );
        assert_eq!(raw.recv(), "{\"request-id\":6,\"response\":{}}\n");
        assert_eq!(
            raw.exchange(&next(7)),
            "{\"request-id\":7,\"error\":\"unknown watcher id\",\"error-code\":\"not found\",\
             \"response\":{}}\n"
        );
    });
}

#[test]
fn watch_all_is_a_stub_in_4_0() {
    let fake = fake("4.0.14");
    let mut raw = model_conn(&fake, "default");
    assert_eq!(
        raw.exchange(&request(2, "Client", 8, "WatchAll", json!({}))),
        "{\"request-id\":2,\"error\":\"WatchAll not implemented\",\
         \"error-code\":\"not implemented\",\"response\":{}}\n"
    );
    assert_eq!(
        raw.exchange(&request(3, "AllWatcher", 3, "Next", json!({}))),
        "{\"request-id\":3,\"error\":\"unknown version 3 for facade type \\\"AllWatcher\\\"\",\
         \"error-code\":\"not implemented\",\"response\":{}}\n"
    );
}

#[test]
fn a_migrated_model_redirects_its_users() {
    let old = fake("3.6.26");
    let new = fake("3.6.26");
    let uuid = old.model_uuid("admin/default").unwrap();
    assert!(old.redirect_model(&uuid, Some(&new)));
    let path = format!("/model/{uuid}/api");
    let mut raw = Raw::connect_to(&old, &path);
    let reply = login_as(&mut raw, "admin", "whatever");
    assert_eq!(
        reply,
        format!(
            "{{\"request-id\":1,\"error\":\"redirection to alternative server required\",\
             \"error-code\":\"redirection required\",\"error-info\":{{\"servers\":[[\
             {{\"value\":\"127.0.0.1\",\"type\":\"ipv4\",\"scope\":\"public\",\"port\":{}}}]],\
             \"ca-cert\":{},\"controller-tag\":\"controller-{}\"}},\"response\":{{}}}}\n",
            new.port(),
            serde_json::to_string(new.ca_cert_pem()).unwrap(),
            new.controller_uuid()
        )
    );
    // A user who had no access to it learns nothing.
    let mut raw = Raw::connect_to(&old, &path);
    assert_eq!(
        login_as(&mut raw, "bob", "bob-password"),
        "{\"request-id\":1,\"error\":\"invalid entity name or password\",\
         \"error-code\":\"unauthorized access\",\"response\":{}}\n"
    );
    // It is no longer listed here.
    let mut ctrl = controller_conn(&old);
    let listed = ctrl.exchange(&request(
        2,
        "ModelManager",
        10,
        "ListModels",
        json!({"tag": "user-admin"}),
    ));
    assert!(!listed.contains(&uuid), "{listed}");
    assert!(old.redirect_model("admin/default", None));
    let mut raw = Raw::connect_to(&old, &path);
    assert!(login_as(&mut raw, "admin", old.password()).contains("\"model-tag\""));
}

#[test]
fn the_client_store_names_the_models() {
    let fake = fake("3.6.26");
    let dir = std::env::temp_dir().join(format!("juju-models-yaml-{}", fake.port()));
    fake.write_juju_data(&dir, "fake").unwrap();
    let text = std::fs::read_to_string(dir.join("models.yaml")).unwrap();
    std::fs::remove_dir_all(&dir).ok();
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
    let fake = fake("3.6.26");
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
    let v: Value = serde_json::from_str(&reply).unwrap();
    let since = v["response"]["results"][1]["result"]["status"]["since"]
        .as_str()
        .unwrap()
        .to_string();
    let default = format!(
        "{{\"result\":{{\"name\":\"default\",\"uuid\":\"{d}\",\"type\":\"iaas\",\
         \"controller-uuid\":\"{c}\",\"is-controller\":false,\"provider-type\":\"lxd\",\
         \"cloud-tag\":\"cloud-localhost\",\"cloud-region\":\"localhost\",\
         \"cloud-credential-tag\":\"cloudcred-localhost_admin_localhost\",\
         \"owner-tag\":\"user-admin\",\"life\":\"alive\",\"status\":{{\"status\":\"available\",\
         \"info\":\"\",\"since\":\"{since}\"}},\"user-access\":\"admin\",\
         \"last-connection\":null,\"counts\":[],\"sla\":{{\"level\":\"unsupported\",\
         \"owner\":\"admin\"}},\"agent-version\":\"3.6.26\"}}}}]}}}}\n"
    );
    assert!(reply.ends_with(&default), "{reply}");
    // v11 on 4.0: a qualifier after the name, no owner tag, no SLA.
    let fake = self::fake("4.0.14");
    let mut raw = controller_conn(&fake);
    let reply = raw.exchange(&request(
        2,
        "ModelManager",
        11,
        "ListModelSummaries",
        json!({"user-tag": "user-admin"}),
    ));
    assert!(
        reply.contains("{\"result\":{\"name\":\"default\",\"qualifier\":\"admin\",\"uuid\":"),
        "{reply}"
    );
    assert!(
        !reply.contains("owner-tag") && !reply.contains("\"sla\""),
        "{reply}"
    );
}

#[test]
fn model_unset_returns_a_key_to_its_default() {
    let fake = fake("3.6.26");
    let mut raw = model_conn(&fake, "default");
    let set = raw.exchange(&request(
        2,
        "ModelConfig",
        3,
        "ModelSet",
        json!({"config": {"ftp-proxy": "http://proxy.example:3128"}}),
    ));
    assert_eq!(set, "{\"request-id\":2,\"response\":{}}\n");
    let got = raw.exchange(&request(3, "ModelConfig", 3, "ModelGet", json!({})));
    assert!(
        got.contains(
            "\"ftp-proxy\":{\"value\":\"http://proxy.example:3128\",\"source\":\"model\"}"
        )
    );
    let unset = raw.exchange(&request(
        4,
        "ModelConfig",
        3,
        "ModelUnset",
        json!({"keys": ["ftp-proxy"]}),
    ));
    assert_eq!(unset, "{\"request-id\":4,\"response\":{}}\n");
    let got = raw.exchange(&request(5, "ModelConfig", 3, "ModelGet", json!({})));
    assert!(got.contains("\"ftp-proxy\":{\"value\":\"\",\"source\":\"default\"}"));
    assert_eq!(
        raw.exchange(&request(
            6,
            "ModelConfig",
            3,
            "ModelSet",
            json!({"config": {"agent-version": "9.9.9"}})
        )),
        "{\"request-id\":6,\"error\":\"agent-version cannot be changed\",\"response\":{}}\n"
    );
}

#[test]
fn a_users_own_model_is_theirs_to_configure() {
    let fake = fake("3.6.26");
    let uuid = fake.add_model("dev", "bob");
    let mut raw = Raw::connect_to(&fake, &format!("/model/{uuid}/api"));
    let reply = login_as(&mut raw, "bob", "bob-password");
    assert!(reply.contains("\"model-access\":\"admin\""), "{reply}");
    let set = raw.exchange(&request(
        2,
        "ModelConfig",
        3,
        "ModelSet",
        json!({"config": {"secret-backend": "auto"}}),
    ));
    assert_eq!(set, "{\"request-id\":2,\"response\":{}}\n");
    // admin, a superuser, may open it without a grant.
    let mut raw = Raw::connect_to(&fake, &format!("/model/{uuid}/api"));
    let reply = login_as(&mut raw, "admin", fake.password());
    assert!(reply.contains("\"model-access\":\"admin\""), "{reply}");
}
