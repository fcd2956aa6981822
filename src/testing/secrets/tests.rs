//! The facade driven as a third-party client drives it: raw JSON parameters in, replies
//! compared as JSON values (and as exact text where the bytes matter), against the tables
//! of `../shared/juju-secrets-reference.md`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::store::{BackendRef, Env, Rules, Store};
use super::{Caller, handle};
use crate::testing::server::encode_reply;

const MODEL: &str = "0b9c2e1a-5d3f-4c7e-9a1b-2c3d4e5f6a7b";
const INTERNAL: &str = "6d3c2a1b-0f9e-4d8c-b7a6-5e4f3d2c1b0a";
const VAULT_ID: &str = "66a7b1c2d3e4f5a6b7c8d9e0";
/// 2025-05-01T10:00:00Z.
const T0: u64 = 1_746_093_600;
const DATA: &str = r#"{"password":"czNjcmV0","username":"YWRtaW4="}"#;
const DATA_SUM: &str = "4fce01d6c873221e506048686f1d911effbdfb3b63b7585594d67873761edafe";

/// One model on a fake controller, without the network.
struct Fx {
    store: Store,
    rules: Rules,
    backends: Vec<BackendRef>,
    active: Result<String, String>,
    apps: Vec<String>,
    now: SystemTime,
}

fn admin() -> Caller {
    Caller {
        model_access: Some("admin".into()),
        superuser: true,
    }
}

fn with_access(access: &str) -> Caller {
    Caller {
        model_access: (!access.is_empty()).then(|| access.to_string()),
        superuser: false,
    }
}

impl Fx {
    fn new(rules: Rules) -> Fx {
        Fx {
            store: Store::default(),
            rules,
            backends: vec![BackendRef {
                id: VAULT_ID.into(),
                name: "myvault".into(),
                backend_type: "vault".into(),
                config: serde_json::from_value(json!({"endpoint": "https://v:8200"})).unwrap(),
            }],
            active: Ok(INTERNAL.into()),
            apps: vec!["mysql".into(), "wordpress".into()],
            now: UNIX_EPOCH + Duration::from_secs(T0),
        }
    }

    fn v36() -> Fx {
        Fx::new(Rules::Juju36)
    }

    fn v40() -> Fx {
        Fx::new(Rules::Juju40)
    }

    fn tick(&mut self, secs: u64) {
        self.now += Duration::from_secs(secs);
    }

    /// The reply text as the fake would write it, `Ok(response)` or `Err((message, code))`.
    fn raw_as(
        &mut self,
        caller: &Caller,
        version: u32,
        method: &str,
        params: Value,
    ) -> Option<Result<String, (String, String)>> {
        let apps = self.apps.clone();
        let app_exists = move |a: &str| apps.iter().any(|x| x == a);
        let env = Env {
            rules: self.rules,
            model_uuid: MODEL,
            model_name: "default",
            now: self.now,
            internal_id: INTERNAL,
            backends: &self.backends,
            active: self.active.clone(),
            app_exists: &app_exists,
        };
        let reply = handle(&mut self.store, &env, caller, version, method, &params)?;
        Some(reply.map_err(|e| (e.message, e.code.to_string())))
    }

    fn call_as(
        &mut self,
        caller: &Caller,
        method: &str,
        params: Value,
    ) -> Result<Value, (String, String)> {
        self.raw_as(caller, 2, method, params)
            .expect("a known method")
            .map(|s| serde_json::from_str(&s).expect("JSON"))
    }

    fn call(&mut self, method: &str, params: Value) -> Result<Value, (String, String)> {
        self.call_as(&admin(), method, params)
    }

    fn ok(&mut self, method: &str, params: Value) -> Value {
        self.call(method, params)
            .unwrap_or_else(|e| panic!("{method}: {e:?}"))
    }

    /// Creates a user secret; its id.
    fn add(&mut self, label: &str, data: Value) -> String {
        let r = self.ok(
            "CreateSecrets",
            json!({"args": [{"content": {"data": data}, "label": label, "owner-tag": ""}]}),
        );
        let uri = r["results"][0]["result"]
            .as_str()
            .expect("a URI")
            .to_string();
        uri.strip_prefix("secret:").unwrap().to_string()
    }

    fn list(&mut self, filter: Value, reveal: bool) -> Vec<Value> {
        let r = self.ok(
            "ListSecrets",
            json!({"show-secrets": reveal, "filter": filter}),
        );
        r["results"].as_array().expect("results").clone()
    }

    fn one(&mut self, id: &str, reveal: bool) -> Value {
        let l = self.list(json!({"uri": format!("secret:{id}")}), reveal);
        assert_eq!(l.len(), 1, "{l:?}");
        l[0].clone()
    }

    fn revisions(&mut self, id: &str) -> Vec<i64> {
        self.one(id, false)["revisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["revision"].as_i64().unwrap())
            .collect()
    }
}

fn err(message: &str, code: &str) -> Result<Value, (String, String)> {
    Err((message.to_string(), code.to_string()))
}

fn item_err(message: &str, code: &str) -> Value {
    json!({"error": {"message": message, "code": code}})
}

const PANIC: &str = "runtime error: invalid memory address or nil pointer dereference";

// ---- checksums, URIs, shapes ----------------------------------------------------------

#[test]
fn checksums_are_sha256_of_go_json_of_the_base64_map() {
    let map = |v: Value| serde_json::from_value(v).unwrap();
    assert_eq!(
        super::store::checksum(&map(json!({"foo": "bar"}))),
        "7a38bf81f383f69433ad6e900d35b3e2385593f76a7b7ab5d4355b8ba41ee24b"
    );
    assert_eq!(
        super::store::checksum(&serde_json::from_str(DATA).unwrap()),
        DATA_SUM
    );
    // Go escapes <, > and & inside strings; keys are sorted.
    let go = r#"{"a":"\u003c\u0026\u003e","b":"x"}"#;
    let sum =
        data_encoding::HEXLOWER.encode(&<sha2::Sha256 as sha2::Digest>::digest(go.as_bytes()));
    assert_eq!(
        super::store::checksum(&map(json!({"b": "x", "a": "<&>"}))),
        sum
    );
}

#[test]
fn create_then_reveal_as_the_reference_shows_it_on_3_6() {
    let mut fx = Fx::v36();
    let created = fx
        .raw_as(
            &admin(),
            2,
            "CreateSecrets",
            json!({"args": [{"content": {"data": {"password": "czNjcmV0", "username": "YWRtaW4="}},
                              "label": "dbpassword", "description": "db creds", "owner-tag": ""}]}),
        )
        .unwrap()
        .unwrap();
    let id = serde_json::from_str::<Value>(&created).unwrap()["results"][0]["result"]
        .as_str()
        .unwrap()
        .strip_prefix("secret:")
        .unwrap()
        .to_string();
    assert_eq!(
        created,
        format!(r#"{{"results":[{{"result":"secret:{id}"}}]}}"#)
    );
    assert_eq!(id.len(), 20);
    assert!(id.ends_with(['0', 'g']));
    let listed = fx
        .raw_as(
            &admin(),
            2,
            "ListSecrets",
            json!({"show-secrets": true, "filter": {"label": "dbpassword"}}),
        )
        .unwrap()
        .unwrap();
    let expected = format!(
        r#"{{"results":[{{"uri":"secret:{id}","version":1,"owner-tag":"model-{MODEL}","description":"db creds","label":"dbpassword","latest-revision":1,"latest-revision-checksum":"{DATA_SUM}","create-time":"2025-05-01T10:00:00Z","update-time":"2025-05-01T10:00:00Z","revisions":[{{"revision":1,"backend-name":"internal","create-time":"2025-05-01T10:00:00Z","update-time":"2025-05-01T10:00:00Z"}}],"value":{{"data":{DATA}}}}}]}}"#
    );
    assert_eq!(listed, expected);
    // And through the envelope, byte for byte.
    assert_eq!(
        encode_reply(6, false, Ok(listed)),
        format!("{{\"request-id\":6,\"response\":{expected}}}\n")
    );
}

#[test]
fn juju_4_adds_rotate_policy_never_and_keeps_sub_second_times() {
    let mut fx = Fx::v40();
    fx.now += Duration::from_millis(250);
    let id = fx.add("dbpassword", serde_json::from_str(DATA).unwrap());
    let s = fx.one(&id, false);
    assert_eq!(s["rotate-policy"], "never");
    assert_eq!(s["create-time"], "2025-05-01T10:00:00.25Z");
    assert!(s.get("value").is_none());
    // 3.6 rounds to the second, half up.
    let mut fx = Fx::v36();
    fx.now += Duration::from_millis(500);
    let id = fx.add("x", json!({"k": "dg=="}));
    let s = fx.one(&id, false);
    assert!(s.get("rotate-policy").is_none());
    assert_eq!(s["create-time"], "2025-05-01T10:00:01Z");
}

#[test]
fn results_are_empty_arrays_never_null() {
    for mut fx in [Fx::v36(), Fx::v40()] {
        assert_eq!(
            fx.raw_as(&admin(), 2, "ListSecrets", Value::Null)
                .unwrap()
                .unwrap(),
            r#"{"results":[]}"#
        );
        assert_eq!(
            fx.raw_as(&admin(), 2, "CreateSecrets", json!({"args": []}))
                .unwrap()
                .unwrap(),
            r#"{"results":[]}"#
        );
        assert_eq!(
            fx.raw_as(&admin(), 2, "RemoveSecrets", json!({}))
                .unwrap()
                .unwrap(),
            r#"{"results":[]}"#
        );
    }
}

#[test]
fn a_failed_create_item_has_its_error_before_an_empty_result_on_4_0() {
    let mut fx = Fx::v40();
    let r = fx
        .raw_as(
            &admin(),
            2,
            "CreateSecrets",
            json!({"args": [{"content": {}, "owner-tag": ""}, {"content": {"data": {"a": "Yg=="}}, "owner-tag": MODEL}]}),
        )
        .unwrap()
        .unwrap();
    let v: Value = serde_json::from_str(&r).unwrap();
    let uri = v["results"][1]["result"].as_str().unwrap();
    assert_eq!(
        r,
        format!(
            r#"{{"results":[{{"error":{{"message":"empty secret value not valid","code":"not valid"}},"result":""}},{{"result":"{uri}"}}]}}"#
        )
    );
}

// ---- versions ------------------------------------------------------------------------------

#[test]
fn version_1_fails_every_known_method_with_go_s_internal_error() {
    for mut fx in [Fx::v36(), Fx::v40()] {
        for method in [
            "ListSecrets",
            "CreateSecrets",
            "UpdateSecrets",
            "RemoveSecrets",
            "GrantSecret",
            "RevokeSecret",
        ] {
            assert_eq!(
                fx.raw_as(&admin(), 1, method, json!({})).unwrap(),
                Err((
                    "internal error, Secrets(1) claimed to return *secrets.SecretsAPI but returned *secrets.SecretsAPIV1".into(),
                    String::new()
                )),
                "{method}"
            );
        }
        // An unknown method is not found first (dispatch words it).
        assert!(fx.raw_as(&admin(), 1, "Foo", json!({})).is_none());
        assert!(fx.raw_as(&admin(), 2, "Foo", json!({})).is_none());
        // Parameters are decoded before the facade is made.
        assert_eq!(
            fx.raw_as(&admin(), 1, "ListSecrets", json!({"show-secrets": 1}))
                .unwrap()
                .unwrap_err()
                .0,
            "json: cannot unmarshal number into Go struct field ListSecretsArgs.show-secrets of type bool"
        );
    }
}

#[test]
fn juju_3_1_lists_with_v1_and_has_no_writes() {
    let mut fx = Fx::new(Rules::Juju31);
    assert!(fx.raw_as(&admin(), 1, "CreateSecrets", json!({})).is_none());
    let st = &mut fx.store;
    let env_rules = Rules::Juju31;
    let offered = |v: &str| {
        crate::testing::versions::Emulation::new(v)
            .unwrap()
            .model_facade_versions("Secrets")
    };
    assert_eq!(offered("3.2.4"), Some(&[1][..]));
    assert_eq!(offered("3.3.0"), Some(&[1, 2][..]));
    assert_eq!(offered("4.0.14"), Some(&[1, 2][..]));
    assert_eq!(
        super::rules_for(&crate::version::Version::parse("3.3.0").unwrap()),
        Rules::Juju36
    );
    assert_eq!(
        super::rules_for(&crate::version::Version::parse("3.1.0").unwrap()),
        env_rules
    );
    // A charm secret, listed by v1 without checksum or access; the label filter does not
    // exist, so it is ignored.
    let apps: Vec<String> = Vec::new();
    let no = move |a: &str| apps.iter().any(|x| x == a);
    let env = Env {
        rules: Rules::Juju31,
        model_uuid: MODEL,
        model_name: "default",
        now: fx.now,
        internal_id: INTERNAL,
        backends: &fx.backends,
        active: Ok(INTERNAL.into()),
        app_exists: &no,
    };
    st.add_charm_secret(
        &env,
        super::store::Owner::Application("mysql".into()),
        "db",
        serde_json::from_str(DATA).unwrap(),
        INTERNAL,
    );
    let r = fx
        .raw_as(
            &with_access("read"),
            1,
            "ListSecrets",
            json!({"filter": {"label": "nope"}}),
        )
        .unwrap()
        .unwrap();
    let v: Value = serde_json::from_str(&r).unwrap();
    let s = &v["results"][0];
    assert_eq!(s["owner-tag"], "application-mysql");
    assert_eq!(s["label"], "db");
    assert!(s.get("latest-revision-checksum").is_none());
    assert!(s.get("access").is_none());
}

// ---- permissions (§3.3) --------------------------------------------------------------------

#[test]
fn permissions_follow_the_matrix() {
    for mut fx in [Fx::v36(), Fx::v40()] {
        let id = fx.add("x", json!({"k": "dg=="}));
        let denied = err("permission denied", "unauthorized access");
        // List needs read; reveal needs model admin or controller superuser.
        assert_eq!(
            fx.call_as(&with_access(""), "ListSecrets", json!({})),
            denied
        );
        assert!(
            fx.call_as(&with_access("read"), "ListSecrets", json!({}))
                .is_ok()
        );
        assert_eq!(
            fx.call_as(
                &with_access("write"),
                "ListSecrets",
                json!({"show-secrets": true})
            ),
            denied
        );
        assert!(
            fx.call_as(
                &with_access("admin"),
                "ListSecrets",
                json!({"show-secrets": true})
            )
            .is_ok()
        );
        let superuser = Caller {
            model_access: None,
            superuser: true,
        };
        assert!(
            fx.call_as(&superuser, "ListSecrets", json!({"show-secrets": true}))
                .is_ok()
        );
        // Writes need write.
        let reader = with_access("read");
        let create = json!({"args": [{"content": {"data": {"a": "Yg=="}}}]});
        assert_eq!(fx.call_as(&reader, "CreateSecrets", create.clone()), denied);
        assert!(
            fx.call_as(&with_access("write"), "CreateSecrets", create)
                .is_ok()
        );
        assert_eq!(
            fx.call_as(
                &reader,
                "UpdateSecrets",
                json!({"args": [{"uri": id, "description": "d"}]})
            ),
            denied
        );
        assert_eq!(
            fx.call_as(
                &reader,
                "GrantSecret",
                json!({"uri": id, "applications": ["mysql"]})
            ),
            denied
        );
        assert_eq!(
            fx.call_as(
                &reader,
                "RevokeSecret",
                json!({"uri": id, "applications": ["mysql"]})
            ),
            denied
        );
        // Zero removals: no check at all.
        assert_eq!(
            fx.call_as(&reader, "RemoveSecrets", json!({"args": []})),
            Ok(json!({"results": []}))
        );
        // One: 3.6 per item, after the existence check; 4.0 for the whole call.
        let remove = json!({"args": [{"uri": id}, {"uri": "secret:d0n4kq9mp25c7f0cv3og"}]});
        let got = fx.call_as(&reader, "RemoveSecrets", remove);
        if fx.rules == Rules::Juju40 {
            assert_eq!(got, denied);
        } else {
            assert_eq!(
                got,
                Ok(json!({"results": [
                    item_err("permission denied", "unauthorized access"),
                    item_err("secret \"secret:d0n4kq9mp25c7f0cv3og\" not found", "not found"),
                ]}))
            );
        }
        // Grant and revoke check the URI/name before permissions.
        assert_eq!(
            fx.call_as(&reader, "GrantSecret", json!({"applications": ["mysql"]})),
            err("must specify either URI or name", "")
        );
    }
}

// ---- CreateSecrets (§5.2) ----------------------------------------------------------------

#[test]
fn an_invalid_create_item_panics_the_whole_call_on_3_6() {
    let mut fx = Fx::v36();
    let good = json!({"content": {"data": {"a": "Yg=="}}, "owner-tag": ""});
    for bad in [
        json!({"content": {}, "owner-tag": ""}),
        json!({"content": {"data": {"a": "Yg=="}}, "owner-tag": format!("model-{MODEL}")}),
        json!({"content": {"data": {"a": "Yg=="}}, "uri": ""}),
    ] {
        assert_eq!(
            fx.call("CreateSecrets", json!({"args": [good.clone(), bad]})),
            err(PANIC, "")
        );
    }
    // Nothing was created.
    assert!(fx.list(json!({}), false).is_empty());
    // The owner tag may be empty or the bare model UUID.
    let r = fx.ok(
        "CreateSecrets",
        json!({"args": [{"content": {"data": {"a": "Yg=="}}, "owner-tag": MODEL}]}),
    );
    assert!(
        r["results"][0]["result"]
            .as_str()
            .unwrap()
            .starts_with("secret:")
    );
}

#[test]
fn create_items_fail_one_by_one_on_4_0() {
    let mut fx = Fx::v40();
    let r = fx.ok(
        "CreateSecrets",
        json!({"args": [
            {"content": {"data": {"a": "Yg=="}}, "owner-tag": "model-x", "uri": "secret:zzz"},
            {"content": {}, "owner-tag": ""},
            {"content": {"data": {"a": "Yg=="}}, "uri": "ignored", "label": "one"},
            {"content": {"data": {"a": "Yg=="}}, "label": "one"},
        ]}),
    );
    let results = r["results"].as_array().unwrap();
    assert_eq!(
        results[0],
        json!({"error": {"message": "owner tag \"model-x\" not valid", "code": "not valid"}, "result": ""})
    );
    assert_eq!(
        results[1],
        json!({"error": {"message": "empty secret value not valid", "code": "not valid"}, "result": ""})
    );
    assert!(
        results[2]["result"]
            .as_str()
            .unwrap()
            .starts_with("secret:")
    );
    assert_eq!(
        results[3],
        json!({"error": {"message": "secret with name \"one\" already exists", "code": "already exists"}, "result": ""})
    );
}

#[test]
fn names_are_unique_among_user_secrets() {
    for mut fx in [Fx::v36(), Fx::v40()] {
        fx.add("one", json!({"a": "Yg=="}));
        let r = fx.ok(
            "CreateSecrets",
            json!({"args": [{"content": {"data": {"a": "Yg=="}}, "label": "one"}]}),
        );
        assert_eq!(
            r["results"][0],
            json!({"error": {"message": "secret with name \"one\" already exists", "code": "already exists"}, "result": ""})
        );
    }
}

#[test]
fn the_server_checks_no_key_value_or_size() {
    for mut fx in [Fx::v36(), Fx::v40()] {
        let big = "x".repeat(2_000_000);
        let id = fx.add("odd", json!({"NOT a key!": "not base64 <&>", "k": big}));
        let s = fx.one(&id, true);
        assert_eq!(s["value"]["data"]["NOT a key!"], "not base64 <&>");
    }
}

#[test]
fn a_3_6_model_whose_backend_is_gone_cannot_write() {
    let mut fx = Fx::v36();
    let id = fx.add("x", json!({"a": "Yg=="}));
    fx.active = Err("gone".into());
    let gone = err("secret backend \"gone\" not found", "not found");
    assert_eq!(fx.call("CreateSecrets", json!({"args": []})), gone);
    // The backend lookup comes before the panic.
    assert_eq!(
        fx.call("CreateSecrets", json!({"args": [{"content": {}}]})),
        gone
    );
    assert_eq!(
        fx.call(
            "UpdateSecrets",
            json!({"args": [{"uri": id, "description": "d"}]})
        ),
        gone
    );
    // A reveal fails per secret, even for content kept inline.
    let s = fx.one(&id, true);
    assert_eq!(
        s["value"],
        json!({"error": {"message": "secret backend \"gone\" not found", "code": "not found"}})
    );
    assert_eq!(
        fx.call("RemoveSecrets", json!({"args": [{"uri": id}]})),
        Ok(json!({"results": [item_err(
            "getting configured secrets providers: secret backend \"gone\" not found",
            "not found"
        )]}))
    );
}

// ---- UpdateSecrets (§5.3) ---------------------------------------------------------------

#[test]
fn update_validation_texts() {
    for mut fx in [Fx::v36(), Fx::v40()] {
        let id = fx.add("x", json!({"a": "Yg=="}));
        let one = |fx: &mut Fx, arg: Value| {
            fx.ok("UpdateSecrets", json!({"args": [arg]}))["results"][0].clone()
        };
        assert_eq!(
            one(&mut fx, json!({"uri": id})),
            item_err("at least one attribute to update must be specified", "")
        );
        assert_eq!(
            one(
                &mut fx,
                json!({"uri": id, "existing-label": "x", "description": "d"})
            ),
            item_err("must specify either URI or label but not both", "")
        );
        // Content with no data is no update.
        assert_eq!(
            one(&mut fx, json!({"uri": id, "content": {}})),
            item_err("at least one attribute to update must be specified", "")
        );
    }
}

#[test]
fn an_unresolvable_update_item_panics_on_3_6_and_fails_alone_on_4_0() {
    let mut fx = Fx::v36();
    let id = fx.add("x", json!({"a": "Yg=="}));
    for bad in [
        json!({"existing-label": "nope", "description": "d"}),
        json!({"uri": "nope", "description": "d"}),
        // Neither: the empty label matches no secret (they are all named here).
        json!({"description": "d"}),
    ] {
        assert_eq!(
            fx.call(
                "UpdateSecrets",
                json!({"args": [{"uri": id, "description": "ok"}, bad]})
            ),
            err(PANIC, "")
        );
    }
    assert!(fx.one(&id, false).get("description").is_none());

    let mut fx = Fx::v40();
    let id = fx.add("x", json!({"a": "Yg=="}));
    let r = fx.ok(
        "UpdateSecrets",
        json!({"args": [
            {"existing-label": "nope", "description": "d"},
            {"uri": "nope", "description": "d"},
            {"description": "d"},
            {"uri": "secret:d0n4kq9mp25c7f0cv3og", "description": "d"},
            {"uri": format!("secret://{INTERNAL}/{id}"), "description": "d"},
            {"uri": id, "description": "ok"},
        ]}),
    );
    assert_eq!(
        r["results"],
        json!([
            item_err(
                "getting user secret for label \"nope\": secret with label \"nope\" not found",
                "secret not found"
            ),
            item_err("secret URI \"nope\" not valid", "not valid"),
            item_err("must specify either URI or label", ""),
            item_err("secret not found", "secret not found"),
            item_err("secret is from a different model", ""),
            {},
        ])
    );
    assert_eq!(fx.one(&id, false)["description"], "ok");
}

#[test]
fn an_unknown_uri_is_not_found_with_each_version_s_text() {
    let mut fx = Fx::v36();
    fx.add("x", json!({"a": "Yg=="}));
    let r = fx.ok(
        "UpdateSecrets",
        json!({"args": [{"uri": "d0n4kq9mp25c7f0cv3og", "description": "d"}]}),
    );
    assert_eq!(
        r["results"][0],
        item_err(
            "secret \"secret:d0n4kq9mp25c7f0cv3og\" not found",
            "not found"
        )
    );
}

#[test]
fn the_only_unnamed_user_secret_is_found_by_no_name_on_3_6() {
    let mut fx = Fx::v36();
    let r = fx.ok(
        "CreateSecrets",
        json!({"args": [{"content": {"data": {"a": "Yg=="}}}]}),
    );
    let uri = r["results"][0]["result"].as_str().unwrap().to_string();
    let r = fx.ok("UpdateSecrets", json!({"args": [{"description": "d"}]}));
    assert_eq!(
        r["results"][0],
        item_err("must specify either URI or label", "")
    );
    // RemoveSecrets takes the empty label as a label, and finds it.
    assert_eq!(
        fx.ok("RemoveSecrets", json!({"args": [{}]})),
        json!({"results": [{}]})
    );
    assert!(fx.list(json!({"uri": uri}), false).is_empty());
    assert_eq!(
        fx.ok("RemoveSecrets", json!({"args": [{}]})),
        json!({"results": [item_err("secret \"\" not found", "not found")]})
    );
}

#[test]
fn updates_make_revisions_and_keep_what_is_not_given() {
    for mut fx in [Fx::v36(), Fx::v40()] {
        let id = fx.add("dbpassword", json!({"a": "Yg=="}));
        fx.ok(
            "UpdateSecrets",
            json!({"args": [{"uri": id, "description": "db creds"}]}),
        );
        fx.tick(60);
        fx.ok(
            "UpdateSecrets",
            json!({"args": [{"existing-label": "dbpassword", "content": {"data": {"a": "Yw=="}}}]}),
        );
        // A rename keeps the description.
        fx.ok(
            "UpdateSecrets",
            json!({"args": [{"uri": format!("secret:{id}"), "label": "renamed"}]}),
        );
        let s = fx.one(&id, true);
        assert_eq!(s["label"], "renamed");
        assert_eq!(s["description"], "db creds");
        assert_eq!(s["latest-revision"], 2);
        assert_eq!(s["value"]["data"], json!({"a": "Yw=="}));
        assert_eq!(s["revisions"][1]["create-time"], "2025-05-01T10:01:00Z");
        assert_eq!(
            s["latest-revision-checksum"],
            super::store::checksum(&serde_json::from_value(json!({"a": "Yw=="})).unwrap())
        );
        // "" clears the name and the description.
        fx.ok(
            "UpdateSecrets",
            json!({"args": [{"uri": id, "label": "", "description": ""}]}),
        );
        let s = fx.one(&id, false);
        assert!(s.get("label").is_none() && s.get("description").is_none());
    }
}

#[test]
fn identical_content_makes_no_revision() {
    let mut fx = Fx::v36();
    let id = fx.add("x", json!({"a": "Yg=="}));
    fx.tick(5);
    fx.ok(
        "UpdateSecrets",
        json!({"args": [{"uri": id, "content": {"data": {"a": "Yg=="}}}]}),
    );
    let s = fx.one(&id, false);
    assert_eq!(s["latest-revision"], 1);
    // 3.6: nothing happens at all.
    assert_eq!(s["update-time"], "2025-05-01T10:00:00Z");

    let mut fx = Fx::v40();
    let id = fx.add("x", json!({"a": "Yg=="}));
    fx.tick(5);
    fx.ok(
        "UpdateSecrets",
        json!({"args": [{"uri": id, "content": {"data": {"a": "Yg=="}}}]}),
    );
    let s = fx.one(&id, false);
    assert_eq!(s["latest-revision"], 1);
    // 4.0 bumps the secret's and the latest revision's update time.
    assert_eq!(s["update-time"], "2025-05-01T10:00:05Z");
    assert_eq!(s["revisions"][0]["update-time"], "2025-05-01T10:00:05Z");
    assert_eq!(s["revisions"][0]["create-time"], "2025-05-01T10:00:00Z");
}

#[test]
fn rotate_policy_and_expire_time_alone_are_no_update() {
    let mut fx = Fx::v36();
    let id = fx.add("x", json!({"a": "Yg=="}));
    let r = fx.ok(
        "UpdateSecrets",
        json!({"args": [{"uri": id, "rotate-policy": "daily"}, {"uri": id, "params": {"a": 1}}]}),
    );
    assert_eq!(
        r["results"],
        json!([
            item_err(
                "must specify a new value or metadata to update a secret",
                ""
            ),
            item_err("at least one attribute to update must be specified", ""),
        ])
    );
    let mut fx = Fx::v40();
    let id = fx.add("x", json!({"a": "Yg=="}));
    let r = fx.ok(
        "UpdateSecrets",
        json!({"args": [{"uri": id, "expire-time": "2030-01-01T00:00:00Z"}, {"uri": id, "params": {"a": 1}}]}),
    );
    let want = item_err(
        &format!(
            "updating user secret \"{id}\": must specify a new value or metadata to update a secret"
        ),
        "",
    );
    assert_eq!(r["results"], json!([want, want]));
}

#[test]
fn renaming_to_a_taken_name_and_3_6_s_reserved_empty_name() {
    for mut fx in [Fx::v36(), Fx::v40()] {
        let a = fx.add("a", json!({"k": "dg=="}));
        let b = fx.add("b", json!({"k": "dg=="}));
        let r = fx.ok("UpdateSecrets", json!({"args": [{"uri": b, "label": "a"}]}));
        assert_eq!(
            r["results"][0],
            item_err("secret with name \"a\" already exists", "already exists")
        );
        // Renaming to its own name is fine.
        let r = fx.ok("UpdateSecrets", json!({"args": [{"uri": a, "label": "a"}]}));
        assert_eq!(r["results"][0], json!({}));
        fx.ok("UpdateSecrets", json!({"args": [{"uri": a, "label": ""}]}));
        let r = fx.ok("UpdateSecrets", json!({"args": [{"uri": b, "label": ""}]}));
        if fx.rules == Rules::Juju40 {
            assert_eq!(r["results"][0], json!({}));
        } else {
            assert_eq!(
                r["results"][0],
                item_err("secret with name \"\" already exists", "already exists")
            );
        }
    }
}

#[test]
fn charm_secrets_are_managed_by_3_6_but_not_4_0() {
    for mut fx in [Fx::v36(), Fx::v40()] {
        let no = |_: &str| false;
        let env = Env {
            rules: fx.rules,
            model_uuid: MODEL,
            model_name: "default",
            now: fx.now,
            internal_id: INTERNAL,
            backends: &fx.backends,
            active: Ok(INTERNAL.into()),
            app_exists: &no,
        };
        let id = fx.store.add_charm_secret(
            &env,
            super::store::Owner::Unit("mysql/0".into()),
            "",
            serde_json::from_str(DATA).unwrap(),
            INTERNAL,
        );
        let update = fx.ok(
            "UpdateSecrets",
            json!({"args": [{"uri": id, "description": "d"}]}),
        );
        let grant = fx.ok(
            "GrantSecret",
            json!({"uri": id, "applications": ["wordpress"]}),
        );
        let remove = fx.ok("RemoveSecrets", json!({"args": [{"uri": id}]}));
        if fx.rules == Rules::Juju40 {
            let msg = format!("\"{MODEL}\" is not allowed to manage this secret");
            assert_eq!(update["results"][0], item_err(&msg, "unauthorized access"));
            assert_eq!(
                grant["results"][0],
                item_err(
                    &format!("cannot change access to \"secret:{id}\" for \"wordpress\": {msg}"),
                    "unauthorized access"
                )
            );
            assert_eq!(remove["results"][0], item_err(&msg, "unauthorized access"));
        } else {
            assert_eq!(update["results"][0], json!({}));
            assert_eq!(grant["results"][0], json!({}));
            assert_eq!(
                remove["results"][0],
                item_err("permission denied", "unauthorized access")
            );
            let s = fx.one(&id, false);
            assert_eq!(s["owner-tag"], "unit-mysql-0");
            assert_eq!(s["description"], "d");
        }
    }
}

#[test]
fn new_revisions_count_on_from_3_6_s_counter_but_from_4_0_s_highest() {
    for mut fx in [Fx::v36(), Fx::v40()] {
        let id = fx.add("x", json!({"a": "MQ=="}));
        fx.ok(
            "UpdateSecrets",
            json!({"args": [{"uri": id, "content": {"data": {"a": "Mg=="}}}]}),
        );
        fx.ok(
            "RemoveSecrets",
            json!({"args": [{"uri": id, "revisions": [2]}]}),
        );
        fx.ok(
            "UpdateSecrets",
            json!({"args": [{"uri": id, "content": {"data": {"a": "Mw=="}}}]}),
        );
        let want = if fx.rules == Rules::Juju40 {
            [1, 2]
        } else {
            [1, 3]
        };
        assert_eq!(fx.revisions(&id), want);
    }
}

#[test]
fn removing_the_latest_revision_leaves_3_6_s_counter_pointing_at_nothing() {
    let mut fx = Fx::v36();
    let id = fx.add("x", json!({"a": "MQ=="}));
    fx.ok(
        "UpdateSecrets",
        json!({"args": [{"uri": id, "content": {"data": {"a": "Mg=="}}}]}),
    );
    fx.ok(
        "RemoveSecrets",
        json!({"args": [{"uri": id, "revisions": [2]}]}),
    );
    let s = fx.one(&id, true);
    assert_eq!(s["latest-revision"], 2);
    assert_eq!(
        s["value"],
        json!({"error": {"message": format!("secret revision \"{id}/2\" not found"), "code": "not found"}})
    );
    let mut fx = Fx::v40();
    let id = fx.add("x", json!({"a": "MQ=="}));
    fx.ok(
        "UpdateSecrets",
        json!({"args": [{"uri": id, "content": {"data": {"a": "Mg=="}}}]}),
    );
    fx.ok(
        "RemoveSecrets",
        json!({"args": [{"uri": id, "revisions": [2]}]}),
    );
    let s = fx.one(&id, true);
    assert_eq!(s["latest-revision"], 1);
    assert_eq!(s["value"]["data"], json!({"a": "MQ=="}));
    // A revision asked for that is gone.
    let l = fx.list(json!({"label": "x"}), true);
    assert_eq!(l[0]["value"]["data"], json!({"a": "MQ=="}));
}

#[test]
fn auto_prune_removes_older_revisions() {
    for mut fx in [Fx::v36(), Fx::v40()] {
        let id = fx.add("x", json!({"a": "MQ=="}));
        fx.ok(
            "UpdateSecrets",
            json!({"args": [{"uri": id, "content": {"data": {"a": "Mg=="}}}]}),
        );
        assert_eq!(fx.revisions(&id), [1, 2]);
        fx.ok(
            "UpdateSecrets",
            json!({"args": [{"uri": id, "auto-prune": true, "content": {"data": {"a": "Mw=="}}}]}),
        );
        assert_eq!(fx.revisions(&id), [3]);
    }
}

// ---- RemoveSecrets (§5.4) ---------------------------------------------------------------

#[test]
fn remove_texts_per_version() {
    let mut fx = Fx::v36();
    let id = fx.add("x", json!({"a": "MQ=="}));
    fx.ok(
        "UpdateSecrets",
        json!({"args": [{"uri": id, "content": {"data": {"a": "Mg=="}}}]}),
    );
    let r = fx.ok(
        "RemoveSecrets",
        json!({"args": [
            {"label": "nope"},
            {"uri": "nope"},
            {"uri": "d0n4kq9mp25c7f0cv3og"},
            {"uri": id, "revisions": [7, 8]},
            {"uri": id, "revisions": [1, 9]},
        ]}),
    );
    assert_eq!(
        r["results"],
        json!([
            item_err("secret \"nope\" not found", "not found"),
            item_err("secret URI \"nope\" not valid", "not valid"),
            item_err(
                "secret \"secret:d0n4kq9mp25c7f0cv3og\" not found",
                "not found"
            ),
            item_err(
                "cannot delete any of revisions [7 8] - revisions not found",
                "not found"
            ),
            {},
        ])
    );
    assert_eq!(fx.revisions(&id), [2]);
    // Covering every remaining revision removes the secret.
    fx.ok(
        "RemoveSecrets",
        json!({"args": [{"uri": id, "revisions": [2]}]}),
    );
    assert!(fx.list(json!({}), false).is_empty());

    let mut fx = Fx::v40();
    let id = fx.add("x", json!({"a": "MQ=="}));
    fx.ok(
        "UpdateSecrets",
        json!({"args": [{"uri": id, "content": {"data": {"a": "Mg=="}}}]}),
    );
    let r = fx.ok(
        "RemoveSecrets",
        json!({"args": [
            {"label": "nope"},
            {},
            {"uri": "d0n4kq9mp25c7f0cv3og"},
            {"uri": id, "revisions": [1, 9]},
        ]}),
    );
    assert_eq!(
        r["results"],
        json!([
            item_err(
                "getting user secret for label \"nope\": secret with label \"nope\" not found",
                "secret not found"
            ),
            item_err("must specify either URI or label", ""),
            item_err("secret not found", "secret not found"),
            item_err(
                &format!("secret revision not found: secret:{id}/9"),
                "secret revision not found"
            ),
        ])
    );
    assert_eq!(fx.revisions(&id), [1, 2]);
    fx.ok("RemoveSecrets", json!({"args": [{"label": "x"}]}));
    assert!(fx.list(json!({}), false).is_empty());
}

// ---- GrantSecret / RevokeSecret (§5.5) -------------------------------------------------

#[test]
fn grants_show_as_view_access_and_revokes_take_them_away() {
    for mut fx in [Fx::v36(), Fx::v40()] {
        let id = fx.add("dbpassword", json!({"a": "MQ=="}));
        let r = fx.ok(
            "GrantSecret",
            json!({"uri": "", "label": "dbpassword", "applications": ["mysql", "wordpress", "mysql"]}),
        );
        assert_eq!(r, json!({"results": [{}, {}, {}]}));
        let s = fx.one(&id, false);
        assert_eq!(
            s["access"],
            json!([
                {"target-tag": "application-mysql", "scope-tag": format!("model-{MODEL}"), "role": "view"},
                {"target-tag": "application-wordpress", "scope-tag": format!("model-{MODEL}"), "role": "view"},
            ])
        );
        fx.ok(
            "RevokeSecret",
            json!({"uri": id, "applications": ["mysql"]}),
        );
        fx.ok(
            "RevokeSecret",
            json!({"uri": id, "applications": ["wordpress"]}),
        );
        assert!(fx.one(&id, false).get("access").is_none());
    }
}

#[test]
fn grant_and_revoke_errors_per_version() {
    let mut fx = Fx::v36();
    let id = fx.add("x", json!({"a": "MQ=="}));
    assert_eq!(
        fx.call(
            "GrantSecret",
            json!({"label": "nope", "applications": ["mysql"]})
        ),
        err("secret \"nope\" not found", "not found")
    );
    assert_eq!(
        fx.call(
            "GrantSecret",
            json!({"uri": "nope", "applications": ["mysql"]})
        ),
        err("secret URI \"nope\" not valid", "not valid")
    );
    let unknown = "secret:d0n4kq9mp25c7f0cv3og";
    let r = fx.ok(
        "GrantSecret",
        json!({"uri": id, "applications": ["nope", "Bad_Name", "mysql"]}),
    );
    let pre = format!("cannot change access to \"secret:{id}\" for");
    assert_eq!(
        r["results"],
        json!([
            item_err(
                &format!(
                    "{pre} \"nope\": invalid subject reference: saas application \"nope\" not found"
                ),
                "not found"
            ),
            item_err(
                &format!(
                    "{pre} \"Bad_Name\": invalid subject reference: \"Bad_Name\" is not a valid application name"
                ),
                ""
            ),
            {},
        ])
    );
    let r = fx.ok(
        "GrantSecret",
        json!({"uri": unknown, "applications": ["mysql", "nope"]}),
    );
    assert_eq!(
        r["results"],
        json!([
            item_err(
                &format!(
                    "cannot change access to \"{unknown}\" for \"mysql\": secret \"{unknown}\" not found"
                ),
                "not found"
            ),
            item_err(
                &format!(
                    "cannot change access to \"{unknown}\" for \"nope\": invalid subject reference: saas application \"nope\" not found"
                ),
                "not found"
            ),
        ])
    );
    // 3.6 revokes silently.
    let r = fx.ok(
        "RevokeSecret",
        json!({"uri": unknown, "applications": ["mysql", "nope"]}),
    );
    assert_eq!(r, json!({"results": [{}, {}]}));

    let mut fx = Fx::v40();
    let id = fx.add("x", json!({"a": "MQ=="}));
    assert_eq!(
        fx.call(
            "GrantSecret",
            json!({"label": "nope", "applications": ["mysql"]})
        ),
        err(
            "getting user secret for label \"nope\": secret with label \"nope\" not found",
            "secret not found"
        )
    );
    for method in ["GrantSecret", "RevokeSecret"] {
        let r = fx.ok(
            method,
            json!({"uri": id, "applications": ["nope", "mysql"]}),
        );
        assert_eq!(
            r["results"],
            json!([
                item_err(
                    &format!(
                        "cannot change access to \"secret:{id}\" for \"nope\": application \"nope\" not found"
                    ),
                    ""
                ),
                {},
            ])
        );
        let r = fx.ok(method, json!({"uri": unknown, "applications": ["mysql"]}));
        assert_eq!(
            r["results"][0],
            item_err(
                &format!("cannot change access to \"{unknown}\" for \"mysql\": secret not found"),
                "secret not found"
            )
        );
    }
}

// ---- ListSecrets (§5.1) ------------------------------------------------------------------

#[test]
fn list_filter_errors_per_version() {
    let mut fx = Fx::v36();
    let id = fx.add("x", json!({"a": "MQ=="}));
    let unknown = "d0n4kq9mp25c7f0cv3og";
    assert_eq!(fx.list(json!({"uri": unknown}), false), Vec::<Value>::new());
    assert_eq!(
        fx.call("ListSecrets", json!({"filter": {"uri": "nope"}})),
        err("secret URI \"nope\" not valid", "not valid")
    );
    assert_eq!(
        fx.call("ListSecrets", json!({"filter": {"uri": id, "revision": 5}})),
        err(
            &format!("revison 5 for secret \"secret:{id}\" not found"),
            "not found"
        )
    );
    // Without a URI or name the revision applies to every secret.
    assert_eq!(
        fx.call("ListSecrets", json!({"filter": {"revision": 5}})),
        err(
            &format!("revison 5 for secret \"secret:{id}\" not found"),
            "not found"
        )
    );
    assert_eq!(fx.list(json!({"revision": 1}), false).len(), 1);
    // URI and name together: both apply.
    assert_eq!(fx.list(json!({"uri": id, "label": "x"}), false).len(), 1);
    assert_eq!(fx.list(json!({"uri": id, "label": "y"}), false).len(), 0);
    assert_eq!(
        fx.call("ListSecrets", json!({"filter": {"owner-tag": "bogus"}})),
        err("\"bogus\" is not a valid tag", "")
    );
    assert_eq!(
        fx.list(json!({"owner-tag": format!("model-{MODEL}")}), false)
            .len(),
        1
    );
    assert_eq!(
        fx.list(json!({"owner-tag": "application-mysql"}), false)
            .len(),
        0
    );

    let mut fx = Fx::v40();
    let id = fx.add("x", json!({"a": "MQ=="}));
    assert_eq!(
        fx.call("ListSecrets", json!({"filter": {"uri": unknown}})),
        err(
            &format!(
                "getting secret by URI \"{unknown}\": querying secrets: secret {{\"\" \"{unknown}\"}} not found"
            ),
            "secret not found"
        )
    );
    assert_eq!(
        fx.call(
            "ListSecrets",
            json!({"filter": {"uri": unknown, "revision": 2}})
        ),
        err(
            &format!(
                "getting secret by URI \"{unknown}\": secret revision 2 for {{ {unknown}}} not found"
            ),
            "secret revision not found"
        )
    );
    assert_eq!(
        fx.call("ListSecrets", json!({"filter": {"uri": id, "revision": 5}})),
        err(
            &format!("getting secret by URI \"{id}\": secret revision 5 for {{ {id}}} not found"),
            "secret revision not found"
        )
    );
    assert_eq!(
        fx.call("ListSecrets", json!({"filter": {"uri": id, "label": "x"}})),
        err("cannot specify both URI and labels", "")
    );
    assert_eq!(
        fx.call("ListSecrets", json!({"filter": {"revision": 1}})),
        err("cannot specify revision without URI or labels", "")
    );
    // By name, a secret without that revision is left out.
    assert_eq!(
        fx.list(json!({"label": "x", "revision": 5}), false).len(),
        0
    );
    assert_eq!(
        fx.list(json!({"label": "x", "revision": 1}), false).len(),
        1
    );
    assert_eq!(
        fx.call(
            "ListSecrets",
            json!({"filter": {"owner-tag": format!("model-{MODEL}")}})
        ),
        err("secret owner tag kind \"model\" not valid", "not valid")
    );
    assert_eq!(
        fx.call("ListSecrets", json!({"filter": {"owner-tag": "bogus"}})),
        err("\"bogus\" is not a valid tag", "")
    );
    assert_eq!(
        fx.list(json!({"owner-tag": "application-mysql"}), false)
            .len(),
        0
    );
}

#[test]
fn an_owner_filter_on_4_0_ignores_the_other_filters() {
    let mut fx = Fx::v40();
    fx.add("x", json!({"a": "MQ=="}));
    let no = |_: &str| false;
    let env = Env {
        rules: fx.rules,
        model_uuid: MODEL,
        model_name: "default",
        now: fx.now,
        internal_id: INTERNAL,
        backends: &fx.backends,
        active: Ok(INTERNAL.into()),
        app_exists: &no,
    };
    let charm = fx.store.add_charm_secret(
        &env,
        super::store::Owner::Application("mysql".into()),
        "cert",
        serde_json::from_str(DATA).unwrap(),
        INTERNAL,
    );
    let l = fx.list(
        json!({"owner-tag": "application-mysql", "label": "other", "revision": 9}),
        false,
    );
    assert_eq!(l.len(), 1);
    assert_eq!(l[0]["uri"], format!("secret:{charm}"));
    assert_eq!(l[0]["rotate-policy"], "never");
    // The default filter lists every secret, user and charm alike, in id order.
    let all = fx.list(json!({}), false);
    assert_eq!(all.len(), 2);
    assert!(all[0]["uri"].as_str() < all[1]["uri"].as_str());
    // Names of charm secrets match too.
    assert_eq!(fx.list(json!({"label": "cert"}), false).len(), 1);
}

#[test]
fn revisions_on_3_6_come_in_document_id_order() {
    let mut fx = Fx::v36();
    let id = fx.add("x", json!({"a": "MA=="}));
    for i in 2..=11 {
        fx.ok(
            "UpdateSecrets",
            json!({"args": [{"uri": id, "content": {"data": {"a": format!("{i}")}}}]}),
        );
    }
    assert_eq!(fx.revisions(&id), [1, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9]);
    let mut fx = Fx::v40();
    let id = fx.add("x", json!({"a": "MA=="}));
    for i in 2..=11 {
        fx.ok(
            "UpdateSecrets",
            json!({"args": [{"uri": id, "content": {"data": {"a": format!("{i}")}}}]}),
        );
    }
    assert_eq!(fx.revisions(&id), (1..=11).collect::<Vec<_>>());
}

#[test]
fn every_uri_form_finds_the_secret() {
    let mut fx = Fx::v36();
    let id = fx.add("x", json!({"a": "MA=="}));
    for form in [
        id.clone(),
        format!("secret:{id}"),
        format!("{MODEL}/{id}"),
        format!("secret://{MODEL}/{id}"),
    ] {
        assert_eq!(fx.list(json!({"uri": form}), false).len(), 1, "{form}");
    }
}

// ---- backends (§7) ---------------------------------------------------------------------------

#[test]
fn content_goes_to_the_active_backend_and_drains_when_it_changes() {
    for mut fx in [Fx::v36(), Fx::v40()] {
        let id = fx.add("x", json!({"a": "MQ=="}));
        fx.active = Ok(VAULT_ID.into());
        fx.ok(
            "UpdateSecrets",
            json!({"args": [{"uri": id, "content": {"data": {"a": "Mg=="}}}]}),
        );
        let names = |fx: &mut Fx| -> Vec<String> {
            fx.one(&id, false)["revisions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["backend-name"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(&mut fx), ["internal", "myvault"]);
        let usage = fx.store.usage(None);
        assert_eq!(usage[INTERNAL].secrets, 1);
        assert_eq!(usage[VAULT_ID].secrets, 1);
        assert_eq!(usage[VAULT_ID].revisions, 1);
        // The drain moves every revision of the user secrets.
        fx.store.drain(MODEL, VAULT_ID, |_| true);
        assert_eq!(names(&mut fx), ["myvault", "myvault"]);
        let usage = fx.store.usage(Some(MODEL));
        assert_eq!(
            usage[VAULT_ID],
            super::Usage {
                secrets: 1,
                revisions: 2
            }
        );
        assert!(!usage.contains_key(INTERNAL));
        assert!(fx.store.usage(Some("other")).is_empty());
        // The backend is removed with force: its revisions point at nothing.
        fx.backends.clear();
        fx.active = Ok(INTERNAL.into());
        let unknown = if fx.rules == Rules::Juju40 {
            "<unknown>"
        } else {
            "unknown"
        };
        assert_eq!(names(&mut fx), [unknown, unknown]);
        let s = fx.one(&id, true);
        let want = if fx.rules == Rules::Juju40 {
            json!({"error": {"message": format!(
                "external secret backend \"{VAULT_ID}\" not found, have map[\"{INTERNAL}\":%!q(*juju.jujuBackend=&{{}})]"),
                "code": "secret backend not found"}})
        } else {
            json!({"error": {"message": format!(
                "external secret backend \"{VAULT_ID}\", have map[\"{INTERNAL}\":%!q(*juju.jujuBackend=&{{}})] not found"),
                "code": "not found"}})
        };
        assert_eq!(s["value"], want);
        // A drain cannot read what is gone.
        fx.store.drain(MODEL, INTERNAL, |id| id == INTERNAL);
        assert_eq!(names(&mut fx), [unknown, unknown]);
        // 3.6 cannot clean it up on removal.
        let r = fx.ok("RemoveSecrets", json!({"args": [{"uri": id}]}));
        if fx.rules == Rules::Juju40 {
            assert_eq!(r["results"][0], json!({}));
        } else {
            assert_eq!(
                r["results"][0],
                item_err(&format!("backend \"{VAULT_ID}\" not found"), "not found")
            );
        }
    }
}

#[test]
fn the_reveal_error_names_vault_backends_as_go_prints_them() {
    let mut fx = Fx::v36();
    let id = fx.add("x", json!({"a": "MQ=="}));
    fx.store.models.get_mut(MODEL).unwrap().secrets[0].revisions[0].backend_id = "gone".into();
    let s = fx.one(&id, true);
    let msg = s["value"]["error"]["message"].as_str().unwrap().to_string();
    assert!(
        msg.starts_with(&format!(
            "external secret backend \"gone\", have map[\"{VAULT_ID}\":%!q(*vault.vaultBackend=&{{default-5f6a7b 0xc000"
        )),
        "{msg}"
    );
    assert!(
        msg.ends_with(&format!(
            " \"{INTERNAL}\":%!q(*juju.jujuBackend=&{{}})] not found"
        )),
        "{msg}"
    );
}

#[test]
fn synthetic_counts_add_to_the_usage() {
    let mut fx = Fx::v36();
    fx.add("x", json!({"a": "MQ=="}));
    fx.store
        .model_mut(MODEL)
        .synthetic
        .insert(INTERNAL.into(), 3);
    assert_eq!(
        fx.store.usage(None)[INTERNAL],
        super::Usage {
            secrets: 4,
            revisions: 4
        }
    );
}

// ---- decoding ------------------------------------------------------------------------------

#[test]
fn wrong_types_fail_as_go_s_decoder_words_it() {
    let mut fx = Fx::v36();
    let e = |fx: &mut Fx, method: &str, p: Value| fx.call(method, p).unwrap_err().0;
    assert_eq!(
        e(&mut fx, "ListSecrets", json!([])),
        "json: cannot unmarshal array into Go value of type params.ListSecretsArgs"
    );
    assert_eq!(
        e(&mut fx, "ListSecrets", json!({"filter": {"revision": "1"}})),
        "json: cannot unmarshal string into Go struct field SecretsFilter.filter.revision of type int"
    );
    assert_eq!(
        e(&mut fx, "CreateSecrets", json!({"args": {}})),
        "json: cannot unmarshal object into Go struct field CreateSecretArgs.args of type []params.CreateSecretArg"
    );
    assert_eq!(
        e(
            &mut fx,
            "CreateSecrets",
            json!({"args": [{"content": {"data": {"a": 1}}}]})
        ),
        "json: cannot unmarshal number into Go struct field SecretContentParams.args.content.data of type string"
    );
    assert_eq!(
        e(
            &mut fx,
            "RemoveSecrets",
            json!({"args": [{"revisions": ["1"]}]})
        ),
        "json: cannot unmarshal string into Go struct field DeleteSecretArg.args.revisions of type int"
    );
    assert_eq!(
        e(&mut fx, "GrantSecret", json!({"applications": "mysql"})),
        "json: cannot unmarshal string into Go struct field GrantRevokeUserSecretArg.applications of type []string"
    );
    // Keys match case-insensitively, as Go's do.
    let id = fx.add("x", json!({"a": "MQ=="}));
    assert_eq!(fx.list(json!({"URI": id}), false).len(), 1);
}
