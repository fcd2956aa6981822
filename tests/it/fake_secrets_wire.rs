//! The fake controller's `Secrets` facade over the wire, as a third-party client sees it:
//! raw requests on model connections, replies compared byte for byte where
//! `../shared/juju-secrets-reference.md` quotes them, and the secrets' backends as
//! `SecretBackends`, `ModelConfig` and `ModelManager` see them.

use crate::common;

use common::Raw;
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

/// A connection to `path` logged in as `user`; the login reply.
fn login(fake: &FakeController, path: &str, user: &str, password: &str) -> (Raw, String) {
    let mut raw = Raw::connect_to(fake, path);
    let reply = raw.exchange(&request(
        1,
        "Admin",
        3,
        "Login",
        json!({"auth-tag": format!("user-{user}"), "credentials": password}),
    ));
    (raw, reply)
}

/// A connection to the `default` model, logged in as admin.
fn model_conn(fake: &FakeController) -> (Raw, String) {
    let uuid = fake.model_uuid("admin/default").unwrap();
    let (raw, reply) = login(
        fake,
        &format!("/model/{uuid}/api"),
        "admin",
        fake.password(),
    );
    assert!(reply.contains("\"model-tag\""), "{reply}");
    (raw, uuid)
}

/// Calls and returns the reply's `response` (or the error and its code).
fn call(
    raw: &mut Raw,
    facade: &str,
    version: u32,
    method: &str,
    params: Value,
) -> Result<Value, (String, String)> {
    let reply: Value =
        serde_json::from_str(&raw.exchange(&request(9, facade, version, method, params))).unwrap();
    match reply.get("error") {
        Some(e) => Err((
            e.as_str().unwrap().to_string(),
            reply["error-code"].as_str().unwrap_or("").to_string(),
        )),
        None => Ok(reply["response"].clone()),
    }
}

fn secrets(raw: &mut Raw, method: &str, params: Value) -> Value {
    call(raw, "Secrets", 2, method, params).unwrap_or_else(|e| panic!("{method}: {e:?}"))
}

fn facade_versions(login_reply: &str, facade: &str) -> Option<Value> {
    let v: Value = serde_json::from_str(login_reply).unwrap();
    v["response"]["facades"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == facade)
        .map(|f| f["versions"].clone())
}

#[test]
fn model_logins_offer_secrets_v2_from_3_3_and_controller_logins_refuse_it() {
    for (version, want) in [
        ("3.2.4", Some(json!([1]))),
        ("3.3.0", Some(json!([1, 2]))),
        ("3.6.26", Some(json!([1, 2]))),
        ("4.0.14", Some(json!([1, 2]))),
    ] {
        let fake = fake(version);
        let uuid = fake.model_uuid("admin/default").unwrap();
        let (_, reply) = login(
            &fake,
            &format!("/model/{uuid}/api"),
            "admin",
            fake.password(),
        );
        assert_eq!(facade_versions(&reply, "Secrets"), want, "{version}");
        let (mut ctrl, reply) = login(&fake, "/api", "admin", fake.password());
        assert_eq!(facade_versions(&reply, "Secrets"), None);
        assert_eq!(
            ctrl.exchange(&request(2, "Secrets", 2, "ListSecrets", json!({}))),
            "{\"request-id\":2,\"error\":\"facade \\\"Secrets\\\" not supported for controller API connection\",\"error-code\":\"not supported\",\"response\":{}}\n",
            "{version}"
        );
    }
}

#[test]
fn dispatch_texts_for_version_1_and_unknown_methods() {
    let v1 = "{\"request-id\":2,\"error\":\"internal error, Secrets(1) claimed to return *secrets.SecretsAPI but returned *secrets.SecretsAPIV1\",\"response\":{}}\n";
    for (version, unknown) in [
        (
            "3.6.26",
            "no such request - method Secrets(2).Foo is not implemented",
        ),
        (
            "4.0.14",
            "unknown method \\\"Foo\\\" at version 2 for facade type \\\"Secrets\\\"",
        ),
    ] {
        let fake = fake(version);
        let (mut raw, _) = model_conn(&fake);
        assert_eq!(
            raw.exchange(&request(2, "Secrets", 1, "ListSecrets", json!({}))),
            v1
        );
        assert_eq!(
            raw.exchange(&request(
                2,
                "Secrets",
                1,
                "CreateSecrets",
                json!({"args": []})
            )),
            v1
        );
        assert_eq!(
            raw.exchange(&request(3, "Secrets", 2, "Foo", json!({}))),
            format!(
                "{{\"request-id\":3,\"error\":\"{unknown}\",\"error-code\":\"not implemented\",\"response\":{{}}}}\n"
            )
        );
    }
    // 3.1 and 3.2: v1 is the real facade, with ListSecrets alone. (3.2 serves only
    // clients of its own major version.)
    let fake = fake("3.2.4");
    let uuid = fake.model_uuid("admin/default").unwrap();
    let mut raw = Raw::connect_to(&fake, &format!("/model/{uuid}/api"));
    raw.login_claiming(&fake, "3.2.4");
    assert_eq!(
        raw.exchange(&request(2, "Secrets", 1, "ListSecrets", json!({}))),
        "{\"request-id\":2,\"response\":{\"results\":[]}}\n"
    );
    assert_eq!(
        raw.exchange(&request(3, "Secrets", 1, "CreateSecrets", json!({}))),
        "{\"request-id\":3,\"error\":\"no such request - method Secrets(1).CreateSecrets is not implemented\",\"error-code\":\"not implemented\",\"response\":{}}\n"
    );
    assert_eq!(
        raw.exchange(&request(4, "Secrets", 2, "ListSecrets", json!({}))),
        "{\"request-id\":4,\"error\":\"unknown version (2) of interface \\\"Secrets\\\"\",\"error-code\":\"not implemented\",\"response\":{}}\n"
    );
}

#[test]
fn create_and_reveal_byte_for_byte() {
    let fake = fake("3.6.26");
    let (mut raw, uuid) = model_conn(&fake);
    let created = raw.exchange(&request(
        5,
        "Secrets",
        2,
        "CreateSecrets",
        json!({"args": [{"content": {"data": {"password": "czNjcmV0", "username": "YWRtaW4="}},
                          "label": "dbpassword", "description": "db creds", "owner-tag": ""}]}),
    ));
    let v: Value = serde_json::from_str(&created).unwrap();
    let uri = v["response"]["results"][0]["result"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        created,
        format!("{{\"request-id\":5,\"response\":{{\"results\":[{{\"result\":\"{uri}\"}}]}}}}\n")
    );
    let listed = raw.exchange(&request(
        6,
        "Secrets",
        2,
        "ListSecrets",
        json!({"show-secrets": true, "filter": {"label": "dbpassword"}}),
    ));
    let v: Value = serde_json::from_str(&listed).unwrap();
    let s = &v["response"]["results"][0];
    let created_at = s["create-time"].as_str().unwrap();
    assert!(
        created_at.ends_with('Z') && !created_at.contains('.'),
        "{created_at}"
    );
    let expected = format!(
        "{{\"request-id\":6,\"response\":{{\"results\":[{{\"uri\":\"{uri}\",\"version\":1,\
         \"owner-tag\":\"model-{uuid}\",\"description\":\"db creds\",\"label\":\"dbpassword\",\
         \"latest-revision\":1,\
         \"latest-revision-checksum\":\"4fce01d6c873221e506048686f1d911effbdfb3b63b7585594d67873761edafe\",\
         \"create-time\":\"{created_at}\",\"update-time\":\"{created_at}\",\
         \"revisions\":[{{\"revision\":1,\"backend-name\":\"internal\",\
         \"create-time\":\"{created_at}\",\"update-time\":\"{created_at}\"}}],\
         \"value\":{{\"data\":{{\"password\":\"czNjcmV0\",\"username\":\"YWRtaW4=\"}}}}}}]}}}}\n"
    );
    assert_eq!(listed, expected);
}

#[test]
fn permissions_come_from_the_model_access() {
    for version in ["3.6.26", "4.0.14"] {
        let fake = fake(version);
        let uuid = fake.model_uuid("admin/default").unwrap();
        let path = format!("/model/{uuid}/api");
        let denied = Err(("permission denied".into(), "unauthorized access".into()));
        let create = json!({"args": [{"content": {"data": {"a": "Yg=="}}, "label": "w"}]});
        // `reader` has read on admin/default: list, but neither reveal nor write.
        let (mut reader, _) = login(&fake, &path, "reader", "reader-password");
        assert_eq!(
            call(&mut reader, "Secrets", 2, "ListSecrets", json!({})),
            Ok(json!({"results": []}))
        );
        assert_eq!(
            call(
                &mut reader,
                "Secrets",
                2,
                "ListSecrets",
                json!({"show-secrets": true})
            ),
            denied
        );
        assert_eq!(
            call(&mut reader, "Secrets", 2, "CreateSecrets", create.clone()),
            denied
        );
        // `writer` may write, and still not reveal.
        let (mut writer, _) = login(&fake, &path, "writer", "writer-password");
        let r = secrets(&mut writer, "CreateSecrets", create);
        assert!(
            r["results"][0]["result"]
                .as_str()
                .unwrap()
                .starts_with("secret:")
        );
        assert_eq!(
            call(
                &mut writer,
                "Secrets",
                2,
                "ListSecrets",
                json!({"show-secrets": true})
            ),
            denied
        );
        // 3.6 refuses a reader's removal per item, 4.0 for the whole call.
        let removed = call(
            &mut reader,
            "Secrets",
            2,
            "RemoveSecrets",
            json!({"args": [{"label": "w"}]}),
        );
        if version.starts_with('4') {
            assert_eq!(removed, denied);
        } else {
            assert_eq!(
                removed,
                Ok(
                    json!({"results": [{"error": {"message": "permission denied", "code": "unauthorized access"}}]})
                )
            );
        }
        // bob has no access to the model at all: not even a list.
        assert!(fake.grant_model_access("admin/default", "bob", "read"));
        let (mut bob, _) = login(&fake, &path, "bob", "bob-password");
        assert!(fake.grant_model_access("admin/default", "bob", ""));
        assert_eq!(
            call(&mut bob, "Secrets", 2, "ListSecrets", json!({})),
            denied
        );
    }
}

#[test]
fn grants_go_to_the_model_s_applications() {
    for version in ["3.6.26", "4.0.14"] {
        let fake = fake(version);
        let v4 = version.starts_with('4');
        let (mut raw, uuid) = model_conn(&fake);
        let r = secrets(
            &mut raw,
            "CreateSecrets",
            json!({"args": [{"content": {"data": {"a": "Yg=="}}, "label": "db"}]}),
        );
        let uri = r["results"][0]["result"].as_str().unwrap().to_string();
        // `mysql` and `wordpress` are there from the start.
        let granted = raw.exchange(&request(
            7,
            "Secrets",
            2,
            "GrantSecret",
            json!({"uri": "", "label": "db", "applications": ["mysql", "ubuntu"]}),
        ));
        let (message, code) = if v4 {
            (
                format!(
                    "cannot change access to \"{uri}\" for \"ubuntu\": application \"ubuntu\" not found"
                ),
                "",
            )
        } else {
            (
                format!(
                    "cannot change access to \"{uri}\" for \"ubuntu\": invalid subject reference: saas application \"ubuntu\" not found"
                ),
                "not found",
            )
        };
        assert_eq!(
            granted,
            format!(
                "{{\"request-id\":7,\"response\":{{\"results\":[{{}},{{\"error\":{{\"message\":{},\"code\":\"{code}\"}}}}]}}}}\n",
                Value::String(message)
            )
        );
        assert!(fake.add_application("admin/default", "ubuntu"));
        let r = secrets(
            &mut raw,
            "GrantSecret",
            json!({"label": "db", "applications": ["ubuntu"]}),
        );
        assert_eq!(r, json!({"results": [{}]}));
        let l = secrets(&mut raw, "ListSecrets", json!({"filter": {"label": "db"}}));
        let scope = format!("model-{uuid}");
        assert_eq!(
            l["results"][0]["access"],
            json!([
                {"target-tag": "application-mysql", "scope-tag": scope, "role": "view"},
                {"target-tag": "application-ubuntu", "scope-tag": scope, "role": "view"},
            ])
        );
        let r = secrets(
            &mut raw,
            "RevokeSecret",
            json!({"uri": uri, "applications": ["mysql", "ubuntu", "nope"]}),
        );
        if v4 {
            assert_eq!(
                r["results"][2]["error"]["message"],
                format!(
                    "cannot change access to \"{uri}\" for \"nope\": application \"nope\" not found"
                )
            );
        } else {
            assert_eq!(r, json!({"results": [{}, {}, {}]}));
        }
        let l = secrets(&mut raw, "ListSecrets", json!({"filter": {"label": "db"}}));
        assert!(l["results"][0].get("access").is_none(), "{l}");
    }
}

/// The scenario, as 3.6 and as 4.0: add, reveal, update and rename, point the
/// model at a vault backend and see the next revision stored there (and the older ones
/// drained), count them, refuse to remove the backend, remove a revision, then the secret.
#[test]
fn secrets_follow_the_model_s_backend() {
    for version in ["3.6.26", "4.0.14"] {
        let fake = fake(version);
        let v4 = version.starts_with('4');
        let (mut ctrl, _) = login(&fake, "/api", "admin", fake.password());
        let (mut raw, uuid) = model_conn(&fake);
        let r = secrets(
            &mut raw,
            "CreateSecrets",
            json!({"args": [{"content": {"data": {"password": "czNjcmV0"}}, "label": "db",
                              "description": "db creds"}]}),
        );
        let uri = r["results"][0]["result"].as_str().unwrap().to_string();
        let one = |raw: &mut Raw| -> Value {
            secrets(
                raw,
                "ListSecrets",
                json!({"show-secrets": true, "filter": {"uri": uri}}),
            )["results"][0]
                .clone()
        };
        assert_eq!(
            one(&mut raw)["value"]["data"],
            json!({"password": "czNjcmV0"})
        );
        // A new revision, and a rename that keeps the description.
        secrets(
            &mut raw,
            "UpdateSecrets",
            json!({"args": [{"existing-label": "db", "content": {"data": {"password": "bmV3"}}}]}),
        );
        secrets(
            &mut raw,
            "UpdateSecrets",
            json!({"args": [{"uri": uri, "label": "database"}]}),
        );
        let s = one(&mut raw);
        assert_eq!(s["latest-revision"], 2);
        assert_eq!(s["label"], "database");
        assert_eq!(s["description"], "db creds");
        // A vault backend, and the model pointed at it.
        let added = call(
            &mut ctrl,
            "SecretBackends",
            1,
            "AddSecretBackends",
            json!({"args": [{"name": "myvault", "backend-type": "vault",
                              "config": {"endpoint": "https://vault.example:8200", "token": "t"}}]}),
        )
        .unwrap();
        assert_eq!(added, json!({"results": [{}]}));
        let set = if v4 {
            call(
                &mut raw,
                "ModelConfig",
                4,
                "SetModelSecretBackend",
                json!({"secret-backend-name": "myvault"}),
            )
        } else {
            call(
                &mut raw,
                "ModelConfig",
                3,
                "ModelSet",
                json!({"config": {"secret-backend": "myvault"}}),
            )
        };
        assert!(set.is_ok(), "{set:?}");
        secrets(
            &mut raw,
            "UpdateSecrets",
            json!({"args": [{"uri": uri, "content": {"data": {"password": "dGhpcmQ="}}}]}),
        );
        let s = one(&mut raw);
        let backends: Vec<&str> = s["revisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["backend-name"].as_str().unwrap())
            .collect();
        // Drained at once: every revision is on the vault.
        assert_eq!(backends, ["myvault", "myvault", "myvault"]);
        assert_eq!(s["value"]["data"], json!({"password": "dGhpcmQ="}));
        let listed = call(
            &mut ctrl,
            "SecretBackends",
            1,
            "ListSecretBackends",
            json!({}),
        )
        .unwrap();
        let count = |name: &str| {
            listed["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|b| b["result"]["name"] == name)
                .map(|b| b["num-secrets"].clone())
        };
        assert_eq!(count("myvault"), Some(json!(1)));
        assert_eq!(count("internal"), Some(json!(0)));
        let info = call(
            &mut ctrl,
            "ModelManager",
            if v4 { 11 } else { 10 },
            "ModelInfo",
            json!({"entities": [{"tag": format!("model-{uuid}")}]}),
        )
        .unwrap();
        let in_model = info["results"][0]["result"]["secret-backends"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["result"]["name"] == "myvault")
            .map(|b| b["num-secrets"].clone());
        // 4.0's query selects no count (fake-restructure's reading of
        // `ListSecretBackendsForModel`).
        assert_eq!(in_model, Some(json!(if v4 { 0 } else { 1 })));
        // The backend holds revisions: not removed without force.
        let refused = call(
            &mut ctrl,
            "SecretBackends",
            1,
            "RemoveSecretBackends",
            json!({"args": [{"name": "myvault"}]}),
        )
        .unwrap();
        let message = if v4 {
            "deleting in use secret backend not supported"
        } else {
            "removing backend with 3 stored secret revisions not supported"
        };
        assert_eq!(
            refused,
            json!({"results": [{"error": {"message": message, "code": "not supported"}}]})
        );
        // Remove one revision, then the secret.
        secrets(
            &mut raw,
            "RemoveSecrets",
            json!({"args": [{"uri": uri, "revisions": [1]}]}),
        );
        let revs: Vec<i64> = one(&mut raw)["revisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["revision"].as_i64().unwrap())
            .collect();
        assert_eq!(revs, [2, 3]);
        let r = secrets(
            &mut raw,
            "RemoveSecrets",
            json!({"args": [{"label": "database"}]}),
        );
        assert_eq!(r, json!({"results": [{}]}));
        assert_eq!(
            secrets(&mut raw, "ListSecrets", json!({})),
            json!({"results": []})
        );
        let listed = call(
            &mut ctrl,
            "SecretBackends",
            1,
            "ListSecretBackends",
            json!({}),
        )
        .unwrap();
        assert!(listed.to_string().contains("\"num-secrets\":0"), "{listed}");
        let removed = call(
            &mut ctrl,
            "SecretBackends",
            1,
            "RemoveSecretBackends",
            json!({"args": [{"name": "myvault"}]}),
        )
        .unwrap();
        assert_eq!(removed, json!({"results": [{}]}));
    }
}

#[test]
fn a_forced_backend_removal_leaves_revisions_pointing_at_nothing() {
    for version in ["3.6.26", "4.0.14"] {
        let fake = fake(version);
        let v4 = version.starts_with('4');
        let (mut ctrl, _) = login(&fake, "/api", "admin", fake.password());
        let (mut raw, _) = model_conn(&fake);
        call(
            &mut ctrl,
            "SecretBackends",
            1,
            "AddSecretBackends",
            json!({"args": [{"name": "v", "backend-type": "vault",
                              "config": {"endpoint": "https://vault.example:8200"}}]}),
        )
        .unwrap();
        if v4 {
            call(
                &mut raw,
                "ModelConfig",
                4,
                "SetModelSecretBackend",
                json!({"secret-backend-name": "v"}),
            )
            .unwrap();
        } else {
            call(
                &mut raw,
                "ModelConfig",
                3,
                "ModelSet",
                json!({"config": {"secret-backend": "v"}}),
            )
            .unwrap();
        }
        let r = secrets(
            &mut raw,
            "CreateSecrets",
            json!({"args": [{"content": {"data": {"a": "Yg=="}}, "label": "x"}]}),
        );
        assert!(r["results"][0]["result"].is_string());
        call(
            &mut ctrl,
            "SecretBackends",
            1,
            "RemoveSecretBackends",
            json!({"args": [{"name": "v", "force": true}]}),
        )
        .unwrap();
        let s =
            secrets(&mut raw, "ListSecrets", json!({"show-secrets": true}))["results"][0].clone();
        if v4 {
            assert_eq!(s["revisions"][0]["backend-name"], "<unknown>");
            assert_eq!(s["value"]["error"]["code"], "secret backend not found");
            // 4.0 switched the model back to the built-in backend.
            let r = secrets(
                &mut raw,
                "UpdateSecrets",
                json!({"args": [{"existing-label": "x", "content": {"data": {"a": "Yw=="}}}]}),
            );
            assert_eq!(r, json!({"results": [{}]}));
        } else {
            assert_eq!(s["revisions"][0]["backend-name"], "unknown");
            // 3.6 still has the model's config naming the removed backend.
            assert_eq!(
                s["value"],
                json!({"error": {"message": "secret backend \"v\" not found", "code": "not found"}})
            );
            assert_eq!(
                call(&mut raw, "Secrets", 2, "CreateSecrets", json!({"args": []})),
                Err(("secret backend \"v\" not found".into(), "not found".into()))
            );
        }
    }
}

#[test]
fn seeded_charm_secrets_and_counts_are_listed_and_counted() {
    let fake = fake("4.0.14");
    let uri = fake
        .add_charm_secret(
            "admin/default",
            "mysql/0",
            "tls",
            [("key", b"pem".as_slice())],
        )
        .unwrap();
    let (mut raw, _) = model_conn(&fake);
    let l = secrets(
        &mut raw,
        "ListSecrets",
        json!({"show-secrets": true, "filter": {"owner-tag": "unit-mysql-0"}}),
    );
    assert_eq!(l["results"][0]["uri"], uri);
    assert_eq!(l["results"][0]["label"], "tls");
    assert_eq!(l["results"][0]["value"]["data"], json!({"key": "cGVt"}));
    // Seeded counts add to what is stored.
    assert!(fake.set_secret_count("internal", 2));
    let (mut ctrl, _) = login(&fake, "/api", "admin", fake.password());
    let listed = call(
        &mut ctrl,
        "SecretBackends",
        1,
        "ListSecretBackends",
        json!({}),
    )
    .unwrap();
    assert_eq!(listed["results"][0]["result"]["name"], "internal");
    assert_eq!(listed["results"][0]["num-secrets"], 3);
}
