//! The secret-backend lifecycle and its error paths through the SDK, against the fake as
//! every Juju a user runs (3.1.5, 3.2.4, 3.6.26, 4.0.14), with each version's own texts and
//! codes (`juju-api-reference.md` §4 for 3.x, `juju-4.0-reference.md` §4 for 4.0); then
//! Juju 4.0's SecretBackends on the wire, row by row.
//!
//! 3.1.5 and 3.2.4 refuse clients of another major version; the SDK claims 3.6.26, so they
//! serve it, with 3.6's rules (the fake emulates 3.1 to 3.6 alike).

use std::time::Duration;

use juju_client::secretbackends::{
    AddSecretBackend, BackendConfig, BackendType, UpdateSecretBackend, VaultConfig,
};
use juju_client::testing::FakeController;
use juju_client::{Controller, Error, ErrorCode, ErrorKind};
use serde_json::{Value, json};

use crate::common::{Outcome, backend_names, connected_as, err, raw_item, vault};

const VERSIONS: [&str; 4] = ["3.1.5", "3.2.4", "3.6.26", "4.0.14"];

fn is_4(version: &str) -> bool {
    version.starts_with("4.")
}

fn outcome(r: Result<(), Error>) -> Outcome {
    r.err().map(|e| {
        let code = e.code().map(|c| c.to_string()).unwrap_or_default();
        (e.message().to_string(), code)
    })
}

fn is_uuid_v4(id: &str) -> bool {
    let b = id.as_bytes();
    id.len() == 36
        && id
            .char_indices()
            .all(|(i, c)| matches!(i, 8 | 13 | 18 | 23) == (c == '-'))
        && id
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

// ---- what each version answers -----------------------------------------------------------

/// A situation whose answer differs between Juju versions.
#[derive(Clone, Copy, Debug)]
enum Case<'a> {
    AddDuplicateName(&'a str),
    AddUnknownType(&'a str),
    AddRotateOnController,
    AddReservedName(&'a str),
    UpdateUnknown(&'a str),
    UpdateImmutableEndpoint,
    UpdateRenameToTaken(&'a str),
    UpdateRenameInUse,
    UpdateRenameToLocal(&'a str),
    UpdateRotateOnController,
    RemoveInUse(u64),
    RemoveUnknown(&'a str),
    ShowUnknown(&'a str),
}

/// The controller's answer to `case` as Juju `version` gives it, byte for byte.
fn expect(version: &str, case: Case) -> Outcome {
    use Case::*;
    if is_4(version) {
        match case {
            AddDuplicateName(n) => err(
                &format!("secret backend already exists: name {n:?}"),
                "secret backend already exists",
            ),
            AddUnknownType(t) => err(
                &format!("getting backend provider type {t:?}: no registered provider for {t:?}"),
                "not found",
            ),
            AddRotateOnController => err(
                r#"secret backend not supported: token refresh on secret backend of type "controller""#,
                "secret backend not supported",
            ),
            AddReservedName(n) => err(
                &format!("secret backend not valid: reserved name {n:?}"),
                "secret backend not valid",
            ),
            UpdateUnknown(n) | ShowUnknown(n) => err(
                &format!("secret backend not found: {n:?}"),
                "secret backend not found",
            ),
            UpdateImmutableEndpoint => err(
                r#"secret backend not valid: config for provider "vault": cannot change immutable field "endpoint""#,
                "secret backend not valid",
            ),
            UpdateRenameToTaken(n) => err(
                &format!("secret backend already exists: name {n:?}"),
                "secret backend already exists",
            ),
            UpdateRenameInUse => None,
            UpdateRenameToLocal(n) => err(
                &format!("secret backend not valid: reserved name {n:?}"),
                "secret backend not valid",
            ),
            UpdateRotateOnController => err(
                r#"token refresh on secret backend of type "controller" not supported"#,
                "not supported",
            ),
            RemoveInUse(_) => err(
                "deleting in use secret backend not supported",
                "not supported",
            ),
            RemoveUnknown(n) => err(
                &format!("secret backend not found: {n:?}"),
                "secret backend not found",
            ),
        }
    } else {
        match case {
            AddDuplicateName(_) => err(
                r#"secret backend with ID "" already exists"#,
                "already exists",
            ),
            AddUnknownType(t) => err(
                &format!("creating backend provider type {t:?}: no registered provider for {t:?}"),
                "not found",
            ),
            AddRotateOnController | UpdateRotateOnController => err(
                r#"token refresh on secret backend of type "controller" not supported"#,
                "not supported",
            ),
            // 3.x reserves only internal and auto.
            AddReservedName(_) | UpdateRenameToLocal(_) => None,
            UpdateUnknown(n) | ShowUnknown(n) => {
                err(&format!("secret backend {n:?} not found"), "not found")
            }
            UpdateImmutableEndpoint => err(
                r#"invalid config for provider "vault": cannot change immutable field "endpoint""#,
                "",
            ),
            UpdateRenameToTaken(n) => err(
                &format!("secret backend {n:?} already exists"),
                "already exists",
            ),
            UpdateRenameInUse => err("cannot rename a secret backend that is in use", "not valid"),
            RemoveInUse(n) => err(
                &format!("removing backend with {n} stored secret revisions not supported"),
                "not supported",
            ),
            RemoveUnknown(_) => None,
        }
    }
}

// ---- the lifecycle, on every version -------------------------------------------------------

#[test]
fn lifecycle_add_list_show_update_remove_on_every_version() {
    for v in VERSIONS {
        let (fake, ctrl) = connected_as(v);
        ctrl.add_secret_backends("", "v1", "vault", vault("https://v1:8200"))
            .unwrap();
        ctrl.add_secret_backends("1001", "imported", "vault", vault("https://i:8200"))
            .unwrap();

        // List: internal and the two added; ids as the version makes them.
        let all = ctrl.list_secret_backends(false).unwrap();
        let mut got: Vec<&str> = all.iter().map(|b| b.name.as_str()).collect();
        got.sort();
        assert_eq!(got, ["imported", "internal", "v1"], "{v}");
        let by = |n: &str| all.iter().find(|b| b.name == n).unwrap();
        let internal = by("internal");
        assert_eq!(internal.backend_type, BackendType::Controller, "{v}");
        assert!(internal.config.is_empty(), "{v}");
        assert!(internal.is_builtin(), "{v}");
        assert!(
            !by("v1").is_builtin() && !by("imported").is_builtin(),
            "{v}"
        );
        assert_eq!(by("imported").id, "1001", "{v}: an import id is kept");
        let v1_id = by("v1").id.clone();
        if is_4(v) {
            assert!(is_uuid_v4(&v1_id), "{v}: {v1_id}");
            assert!(is_uuid_v4(&internal.id), "{v}: {}", internal.id);
            assert_ne!(internal.id, fake.controller_uuid(), "{v}");
            // Sorted by name.
            assert_eq!(
                all.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(),
                ["imported", "internal", "v1"]
            );
        } else {
            assert_eq!(v1_id.len(), 24, "{v}");
            assert!(v1_id.bytes().all(|c| c.is_ascii_hexdigit()), "{v}");
            assert_eq!(internal.id, fake.controller_uuid(), "{v}");
            // Sorted by id.
            let ids: Vec<&str> = all.iter().map(|b| b.id.as_str()).collect();
            let mut sorted = ids.clone();
            sorted.sort();
            assert_eq!(ids, sorted, "{v}");
        }

        // Show, revealed and not.
        let shown = ctrl.show_secret_backend("v1", true).unwrap();
        assert_eq!(shown.config.get_str("token"), Some("s.token"), "{v}");
        assert!(
            ctrl.show_secret_backend("v1", false)
                .unwrap()
                .config
                .get("token")
                .is_none()
        );

        // Update: merge, reset, rotate, rename (keeping the id).
        ctrl.update_secret_backends(
            "v1",
            UpdateSecretBackend::new()
                .config([("token", "s.new"), ("ca-cert", "CA")])
                .token_rotate_interval(Duration::from_secs(3 * 3600)),
        )
        .unwrap();
        ctrl.update_secret_backends("v1", UpdateSecretBackend::new().reset(["ca-cert"]))
            .unwrap();
        ctrl.update_secret_backends("v1", UpdateSecretBackend::new().name_change("v2"))
            .unwrap();
        let v2 = ctrl.show_secret_backend("v2", true).unwrap();
        assert_eq!(v2.id, v1_id, "{v}: a rename keeps the id");
        assert_eq!(v2.config.get_str("token"), Some("s.new"), "{v}");
        assert_eq!(
            v2.config.get_str("endpoint"),
            Some("https://v1:8200"),
            "{v}"
        );
        assert!(v2.config.get("ca-cert").is_none(), "{v}");
        assert_eq!(
            v2.token_rotate_interval,
            Some(Duration::from_secs(3 * 3600)),
            "{v}"
        );
        ctrl.update_secret_backends(
            "v2",
            UpdateSecretBackend::new().clear_token_rotate_interval(),
        )
        .unwrap();
        let cleared = ctrl
            .show_secret_backend("v2", false)
            .unwrap()
            .token_rotate_interval;
        let want = if is_4(v) { Some(Duration::ZERO) } else { None };
        assert_eq!(cleared, want, "{v}: 4.0 stores zero, 3.x clears");

        // Remove.
        ctrl.remove_secret_backends("v2", false).unwrap();
        ctrl.remove_secret_backends("imported", false).unwrap();
        assert_eq!(backend_names(&ctrl), ["internal"], "{v}");
        assert_eq!(
            outcome(ctrl.remove_secret_backends("v2", false)),
            expect(v, Case::RemoveUnknown("v2")),
            "{v}"
        );
    }
}

#[test]
fn batches_answer_item_by_item_on_every_version() {
    for v in VERSIONS {
        let (fake, ctrl) = connected_as(v);
        ctrl.add_secret_backends("", "taken", "vault", vault("https://t:8200"))
            .unwrap();
        fake.clear_requests();
        let results = ctrl
            .add_secret_backends_batch(&[
                AddSecretBackend::new("a", "vault", vault("https://a:8200")),
                AddSecretBackend::new("", "vault", vault("https://b:8200")),
                AddSecretBackend::new("taken", "vault", vault("https://c:8200")),
                AddSecretBackend::new("b", "vault", vault("https://d:8200")),
            ])
            .unwrap();
        assert_eq!(
            results[1].as_ref().unwrap_err().kind(),
            ErrorKind::InvalidInput,
            "{v}: refused before sending"
        );
        let results: Vec<Outcome> = results.into_iter().map(outcome).collect();
        assert_eq!(results[0], None, "{v}");
        assert_eq!(
            results[2],
            expect(v, Case::AddDuplicateName("taken")),
            "{v}"
        );
        assert_eq!(results[3], None, "{v}");
        assert_eq!(fake.requests().len(), 1, "{v}: one round trip");

        let results = ctrl
            .update_secret_backends_batch([
                ("a", UpdateSecretBackend::new().config([("token", "x")])),
                ("gone", UpdateSecretBackend::new().config([("token", "x")])),
                ("b", UpdateSecretBackend::new().name_change("taken")),
            ])
            .unwrap();
        let results: Vec<Outcome> = results.into_iter().map(outcome).collect();
        assert_eq!(
            results,
            [
                None,
                expect(v, Case::UpdateUnknown("gone")),
                expect(v, Case::UpdateRenameToTaken("taken")),
            ],
            "{v}"
        );

        fake.set_secret_count("b", 2);
        let results = ctrl
            .remove_secret_backends_batch(["a", "b", "gone"], false)
            .unwrap();
        let results: Vec<Outcome> = results.into_iter().map(outcome).collect();
        assert_eq!(
            results,
            [
                None,
                expect(v, Case::RemoveInUse(2)),
                expect(v, Case::RemoveUnknown("gone")),
            ],
            "{v}"
        );
        assert_eq!(backend_names(&ctrl), ["b", "internal", "taken"], "{v}");
    }
}

// ---- error paths, on every version ---------------------------------------------------------

#[test]
fn error_paths_give_each_versions_texts_and_codes() {
    for v in VERSIONS {
        let (fake, ctrl) = connected_as(v);
        ctrl.add_secret_backends("", "v", "vault", vault("https://v:8200"))
            .unwrap();
        ctrl.add_secret_backends("", "w", "vault", vault("https://w:8200"))
            .unwrap();
        ctrl.add_secret_backends("", "db", "controller", BackendConfig::new())
            .unwrap();
        let rotate = |name: &str, backend_type: &str, config: BackendConfig| {
            let add = AddSecretBackend::new(name, backend_type, config)
                .token_rotate_interval(Duration::from_secs(3600));
            ctrl.add_secret_backends_batch(&[add])
                .unwrap()
                .pop()
                .unwrap()
        };
        let cases: Vec<(Result<(), Error>, Case)> = vec![
            (
                ctrl.add_secret_backends("", "v", "vault", vault("https://x:8200")),
                Case::AddDuplicateName("v"),
            ),
            (
                ctrl.add_secret_backends("", "x", "aws", [("region", "eu")]),
                Case::AddUnknownType("aws"),
            ),
            (
                rotate("x", "controller", BackendConfig::new()),
                Case::AddRotateOnController,
            ),
            (
                ctrl.add_secret_backends("", "kubernetes", "vault", vault("https://k:8200")),
                Case::AddReservedName("kubernetes"),
            ),
            (
                ctrl.update_secret_backends("nope", UpdateSecretBackend::new()),
                Case::UpdateUnknown("nope"),
            ),
            (
                ctrl.update_secret_backends(
                    "v",
                    UpdateSecretBackend::new().config([("endpoint", "https://elsewhere:8200")]),
                ),
                Case::UpdateImmutableEndpoint,
            ),
            (
                ctrl.update_secret_backends("v", UpdateSecretBackend::new().name_change("w")),
                Case::UpdateRenameToTaken("w"),
            ),
            (
                ctrl.update_secret_backends(
                    "db",
                    UpdateSecretBackend::new().token_rotate_interval(Duration::from_secs(7200)),
                ),
                Case::UpdateRotateOnController,
            ),
            (
                ctrl.show_secret_backend("nope", false).map(|_| ()),
                Case::ShowUnknown("nope"),
            ),
        ];
        for (got, case) in cases {
            assert_eq!(outcome(got), expect(v, case), "{v}: {case:?}");
        }

        fake.set_secret_count("w", 2);
        assert_eq!(
            outcome(ctrl.update_secret_backends("w", UpdateSecretBackend::new().name_change("w2"))),
            expect(v, Case::UpdateRenameInUse),
            "{v}"
        );
        let w = if is_4(v) { "w2" } else { "w" };
        assert_eq!(
            outcome(ctrl.remove_secret_backends(w, false)),
            expect(v, Case::RemoveInUse(2)),
            "{v}"
        );
        ctrl.remove_secret_backends(w, true).unwrap();
        assert_eq!(
            outcome(
                ctrl.update_secret_backends("v", UpdateSecretBackend::new().name_change("m-local"))
            ),
            expect(v, Case::UpdateRenameToLocal("m-local")),
            "{v}"
        );

        // The ping is the same on every version.
        let e = ctrl
            .add_secret_backends("", "down", "vault", vault("https://vault.invalid:8200"))
            .unwrap_err();
        assert!(
            e.message().starts_with("backend not reachable: "),
            "{v}: {e}"
        );
        assert_eq!(e.code(), None, "{v}");
    }
}

#[test]
fn a_zero_rotate_interval_on_add_is_refused_before_sending_only_to_3_x() {
    for v in VERSIONS {
        let (fake, ctrl) = connected_as(v);
        fake.clear_requests();
        let add = AddSecretBackend::new("v", "vault", vault("https://v:8200"))
            .token_rotate_interval(Duration::ZERO);
        let result = ctrl
            .add_secret_backends_batch(&[add])
            .unwrap()
            .pop()
            .unwrap();
        if is_4(v) {
            result.unwrap();
            assert_eq!(
                ctrl.show_secret_backend("v", false)
                    .unwrap()
                    .token_rotate_interval,
                Some(Duration::ZERO),
                "{v}"
            );
        } else {
            let e = result.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{v}");
            assert!(e.message().contains("cannot be 0"), "{v}: {e}");
            assert!(fake.requests().is_empty(), "{v}: nothing sent");
        }
    }
}

/// What a user writes once, matching on generic codes, runs on every version.
#[test]
fn code_written_with_generic_codes_works_on_every_version() {
    fn show_or_none(
        ctrl: &Controller,
        name: &str,
    ) -> Result<Option<juju_client::secretbackends::SecretBackend>, Error> {
        match ctrl.show_secret_backend(name, false) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.code().map(|c| c.generic()) == Some(ErrorCode::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
    fn ensure_added(ctrl: &Controller, name: &str, endpoint: &str) -> Result<bool, Error> {
        match ctrl.add_secret_backends("", name, "vault", vault(endpoint)) {
            Ok(()) => Ok(true),
            Err(e) if e.code().map(|c| c.generic()) == Some(ErrorCode::AlreadyExists) => Ok(false),
            Err(e) => Err(e),
        }
    }
    fn ensure_removed(ctrl: &Controller, name: &str) -> Result<(), Error> {
        match ctrl.remove_secret_backends(name, false) {
            Err(e) if e.code().map(|c| c.generic()) == Some(ErrorCode::NotFound) => Ok(()),
            other => other,
        }
    }
    fn in_use(e: &Error) -> bool {
        e.code().map(|c| c.generic()) == Some(ErrorCode::NotSupported)
    }
    for v in VERSIONS {
        let (fake, ctrl) = connected_as(v);
        assert!(show_or_none(&ctrl, "v").unwrap().is_none(), "{v}");
        assert!(ensure_added(&ctrl, "v", "https://v:8200").unwrap(), "{v}");
        assert!(!ensure_added(&ctrl, "v", "https://v:8200").unwrap(), "{v}");
        assert!(show_or_none(&ctrl, "v").unwrap().is_some(), "{v}");
        fake.set_secret_count("v", 1);
        assert!(
            in_use(&ctrl.remove_secret_backends("v", false).unwrap_err()),
            "{v}"
        );
        fake.set_secret_count("v", 0);
        ensure_removed(&ctrl, "v").unwrap();
        ensure_removed(&ctrl, "v").unwrap();
        let e = ctrl
            .update_secret_backends("v", UpdateSecretBackend::new())
            .unwrap_err();
        assert_eq!(e.code().unwrap().generic(), ErrorCode::NotFound, "{v}");
    }
}

// ---- Juju 4.0 on the wire (4.0 reference §4.4–§4.7) -----------------------------------------

fn raw_list(ctrl: &Controller, names: Value) -> Value {
    ctrl.call(
        "SecretBackends",
        "ListSecretBackends",
        &json!({"names": names, "reveal": true}),
    )
    .unwrap()
}

fn start_4() -> (FakeController, Controller) {
    connected_as("4.0.14")
}

#[test]
fn juju_4_add_rows_in_order() {
    let (_fake, ctrl) = start_4();
    let add = |arg: Value| raw_item(&ctrl, "AddSecretBackends", arg);
    let vault_cfg = json!({"endpoint": "https://v:8200"});
    // 1
    assert_eq!(
        add(json!({"name": "", "backend-type": "vault", "config": vault_cfg})),
        err(
            "secret backend not valid: missing name",
            "secret backend not valid"
        )
    );
    // 2: reserved beats an unknown type.
    for reserved in ["auto", "internal", "kubernetes", "m1-local", "-local"] {
        assert_eq!(
            add(json!({"name": reserved, "backend-type": "foo", "config": {}})),
            err(
                &format!("secret backend not valid: reserved name {reserved:?}"),
                "secret backend not valid"
            )
        );
    }
    // 3
    assert_eq!(
        add(json!({"name": "x", "backend-type": "foo", "config": {}})),
        err(
            r#"getting backend provider type "foo": no registered provider for "foo""#,
            "not found"
        )
    );
    // 4: a plain schema error, then the providers' NotValid rules.
    assert_eq!(
        add(json!({"name": "x", "backend-type": "vault", "config": {}})),
        err(
            r#"secret backend not valid: config for provider "vault": endpoint: expected string, got nothing"#,
            "secret backend not valid"
        )
    );
    assert_eq!(
        add(json!({"name": "x", "backend-type": "vault",
                   "config": {"endpoint": "https://v:8200", "foo": "bar"}})),
        err(
            r#"secret backend not valid: config for provider "vault": unknown key "foo" (value "bar")"#,
            "secret backend not valid"
        )
    );
    assert_eq!(
        add(json!({"name": "x", "backend-type": "vault",
                   "config": {"endpoint": "https://v:8200", "client-cert": "C"}})),
        err(
            r#"secret backend not valid: config for provider "vault": vault config missing client key not valid"#,
            "not valid"
        )
    );
    assert_eq!(
        add(json!({"name": "k", "backend-type": "kubernetes",
                   "config": {"endpoint": "https://k:6443", "namespace": "n"},
                   "token-rotate-interval": 0})),
        err(
            r#"secret backend not valid: config for provider "kubernetes": k8s config missing service account not valid"#,
            "not valid"
        ),
        "any non-null interval needs a service account, even 0"
    );
    // 5: the ping, before the interval and empty-value checks.
    let (msg, code) = add(json!({"name": "x", "backend-type": "vault",
                                 "config": {"endpoint": "https://vault.invalid:8200", "token": ""},
                                 "token-rotate-interval": 60_000_000_000i64}))
    .unwrap();
    assert!(msg.starts_with("backend not reachable: "), "{msg}");
    assert_eq!(code, "");
    // 6
    assert_eq!(
        add(
            json!({"name": "x", "backend-type": "controller", "config": {},
                   "token-rotate-interval": 3_600_000_000_000i64})
        ),
        err(
            r#"secret backend not supported: token refresh on secret backend of type "controller""#,
            "secret backend not supported"
        )
    );
    // 7, before the empty-value check.
    assert_eq!(
        add(json!({"name": "x", "backend-type": "vault",
                   "config": {"endpoint": "https://v:8200", "token": ""},
                   "token-rotate-interval": 1_800_000_000_000i64})),
        err(
            r#"token rotate interval "30m0s" less than 1h not valid"#,
            "not valid"
        )
    );
    // 8: an empty key gets past the schema only for type controller.
    assert_eq!(
        add(json!({"name": "x", "backend-type": "controller", "config": {"": "v"}})),
        err(
            r#"secret backend not valid: empty config key for "x""#,
            "secret backend not valid"
        )
    );
    assert_eq!(
        add(json!({"name": "x", "backend-type": "vault",
                   "config": {"endpoint": "https://v:8200", "": "v"}})),
        err(
            r#"secret backend not valid: config for provider "vault": unknown key "" (value "v")"#,
            "secret backend not valid"
        )
    );
    // 9: empty and null values (3.6 stored them).
    for empty in [json!(""), json!(null)] {
        assert_eq!(
            add(json!({"name": "x", "backend-type": "vault",
                       "config": {"endpoint": "https://v:8200", "token": empty}})),
            err(
                r#"secret backend not valid: empty config value for "x""#,
                "secret backend not valid"
            )
        );
    }
    // 10: the id of a built-in backend.
    let list = raw_list(&ctrl, json!(["internal"]));
    let internal_id = list["results"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        add(json!({"id": internal_id, "name": "x", "backend-type": "vault", "config": vault_cfg})),
        err(
            &format!("secret backend {internal_id:?} is immutable"),
            "secret backend forbidden"
        )
    );
    // Nothing was stored so far.
    assert_eq!(backend_names(&ctrl), ["internal"]);
    // 11
    assert_eq!(
        add(json!({"name": "v", "backend-type": "vault", "config": vault_cfg})),
        None
    );
    assert_eq!(
        add(json!({"name": "v", "backend-type": "vault", "config": vault_cfg})),
        err(
            r#"secret backend already exists: name "v""#,
            "secret backend already exists"
        )
    );
    // An interval of 0 is accepted and stored.
    assert_eq!(
        add(
            json!({"name": "z", "backend-type": "vault", "config": vault_cfg,
                   "token-rotate-interval": 0})
        ),
        None
    );
    let z = raw_list(&ctrl, json!(["z"]));
    assert_eq!(z["results"][0]["result"]["token-rotate-interval"], json!(0));
}

#[test]
fn juju_4_add_with_an_existing_id_replaces_that_backend() {
    let (_fake, ctrl) = start_4();
    let add = |arg: Value| raw_item(&ctrl, "AddSecretBackends", arg);
    assert_eq!(
        add(json!({"id": "my-id", "name": "a", "backend-type": "vault",
                   "config": {"endpoint": "https://a:8200", "token": "t"}})),
        None
    );
    assert_eq!(
        add(json!({"id": "my-id", "name": "b", "backend-type": "vault",
                   "config": {"endpoint": "https://b:8200"}})),
        None
    );
    let list = raw_list(&ctrl, json!(null));
    assert_eq!(
        list["results"][0],
        json!({"result": {"name": "b", "backend-type": "vault",
                          "config": {"endpoint": "https://b:8200"}},
               "id": "my-id", "num-secrets": 0, "status": "active"})
    );
    assert_eq!(list["results"].as_array().unwrap().len(), 2);
}

#[test]
fn juju_4_update_rows_in_order() {
    let (fake, ctrl) = start_4();
    let cfg = VaultConfig::new("https://v:8200")
        .token("t1")
        .namespace("ns");
    ctrl.add_secret_backends("", "v", "vault", cfg).unwrap();
    ctrl.add_secret_backends("", "w", "vault", vault("https://w:8200"))
        .unwrap();
    ctrl.add_secret_backends("", "db", "controller", [("k", "x")])
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
    // 1
    assert_eq!(
        upd(base(json!({"name": "", "name-change": ""}))),
        err(
            "secret backend not valid: both ID and name are missing",
            "secret backend not valid"
        )
    );
    // 2, before the lookup.
    assert_eq!(
        upd(base(json!({"name": "nope", "name-change": ""}))),
        err(
            "secret backend not valid: name cannot be set to empty",
            "secret backend not valid"
        )
    );
    // 3: the quoted id is empty, the backend being named.
    assert_eq!(
        upd(base(json!({"name": "nope", "config": {"": "x"}}))),
        err(
            r#"secret backend not valid: empty config key for """#,
            "secret backend not valid"
        )
    );
    for empty in [json!(""), json!(null)] {
        assert_eq!(
            upd(base(json!({"config": {"token": empty}}))),
            err(
                r#"secret backend not valid: empty config value for """#,
                "secret backend not valid"
            )
        );
    }
    // 4
    for reserved in ["auto", "internal", "kubernetes", "v-local"] {
        assert_eq!(
            upd(base(json!({"name": "nope", "name-change": reserved}))),
            err(
                &format!("secret backend not valid: reserved name {reserved:?}"),
                "secret backend not valid"
            )
        );
    }
    // 5
    assert_eq!(
        upd(base(json!({"name": "nope"}))),
        err(
            r#"secret backend not found: "nope""#,
            "secret backend not found"
        )
    );
    // 6: immutable fields, also through a reset; the provider's NotValid rules.
    assert_eq!(
        upd(base(
            json!({"config": {"endpoint": "https://elsewhere:8200"}})
        )),
        err(
            r#"secret backend not valid: config for provider "vault": cannot change immutable field "endpoint""#,
            "secret backend not valid"
        )
    );
    assert_eq!(
        upd(base(json!({"reset": ["namespace"]}))),
        err(
            r#"secret backend not valid: config for provider "vault": cannot change immutable field "namespace""#,
            "secret backend not valid"
        )
    );
    assert_eq!(
        upd(base(json!({"force": true, "config": {"client-key": "K"}}))),
        err(
            r#"secret backend not valid: config for provider "vault": vault config missing client certificate not valid"#,
            "not valid"
        ),
        "force skips only the ping"
    );
    // 7
    let (msg, code) = upd(base(
        json!({"config": {"tls-server-name": "vault.invalid"}}),
    ))
    .unwrap();
    assert!(msg.starts_with("backend not reachable: "), "{msg}");
    assert_eq!(code, "");
    // 8: worded and coded unlike add.
    assert_eq!(
        upd(base(
            json!({"name": "db", "token-rotate-interval": 7_200_000_000_000i64})
        )),
        err(
            r#"token refresh on secret backend of type "controller" not supported"#,
            "not supported"
        )
    );
    // 9
    assert_eq!(
        upd(base(json!({"token-rotate-interval": 1_000_000_000i64}))),
        err(
            r#"token rotate interval "1s" less than 1h not valid"#,
            "not valid"
        )
    );
    // 10: a built-in that got this far.
    let internal_id = raw_list(&ctrl, json!(["internal"]))["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        upd(base(json!({"name": "internal"}))),
        err(
            &format!("secret backend {internal_id:?} is immutable"),
            "secret backend forbidden"
        )
    );
    // The built-in kubernetes backend has no config, so its schema refuses first.
    assert_eq!(
        upd(base(json!({"name": "kubernetes"}))),
        err(
            r#"secret backend not valid: config for provider "kubernetes": endpoint: expected string, got nothing"#,
            "secret backend not valid"
        )
    );
    // 11
    assert_eq!(
        upd(base(json!({"name-change": "w"}))),
        err(
            r#"secret backend already exists: name "w""#,
            "secret backend already exists"
        )
    );
    // Nothing above changed anything.
    let v = ctrl.show_secret_backend("v", true).unwrap();
    assert_eq!(v.config.get_str("token"), Some("t1"));
    assert!(v.config.get("tls-server-name").is_none());

    // A backend in use may be renamed, and keeps its id.
    fake.set_secret_count("v", 3);
    assert_eq!(upd(base(json!({"name-change": "v2"}))), None);
    let v2 = ctrl.show_secret_backend("v2", false).unwrap();
    assert_eq!((v2.id, v2.num_secrets), (v.id, 3));
    // Resetting every key leaves the stored config as it was.
    assert_eq!(upd(base(json!({"name": "db", "reset": ["k"]}))), None);
    let db = ctrl.show_secret_backend("db", true).unwrap();
    assert_eq!(db.config.get_str("k"), Some("x"));
}

#[test]
fn juju_4_remove_rows() {
    let (fake, ctrl) = start_4();
    let rm = |arg: Value| raw_item(&ctrl, "RemoveSecretBackends", arg);
    assert_eq!(
        rm(json!({"name": ""})),
        err(
            "secret backend not valid: both ID and name are missing",
            "secret backend not valid"
        )
    );
    for unknown in ["never-existed", "auto", "m1-local"] {
        assert_eq!(
            rm(json!({"name": unknown})),
            err(
                &format!("secret backend not found: {unknown:?}"),
                "secret backend not found"
            )
        );
    }
    for builtin in ["internal", "kubernetes"] {
        for force in [false, true] {
            assert_eq!(
                rm(json!({"name": builtin, "force": force})),
                err(
                    "deleting in use secret backend not supported",
                    "not supported"
                ),
                "{builtin}, force {force}"
            );
        }
    }
    ctrl.add_secret_backends("", "v", "vault", vault("https://v:8200"))
        .unwrap();
    fake.set_secret_count("v", 1);
    assert_eq!(
        rm(json!({"name": "v"})),
        err(
            "deleting in use secret backend not supported",
            "not supported"
        )
    );
    assert_eq!(rm(json!({"name": "v", "force": true})), None);
    assert_eq!(backend_names(&ctrl), ["internal"]);
}

#[test]
fn juju_4_list_shape() {
    let (fake, ctrl) = start_4();
    // Only internal, with a null config; never the built-in kubernetes backend.
    let list = raw_list(&ctrl, json!(null));
    let internal_id = list["results"][0]["id"].as_str().unwrap().to_string();
    assert!(is_uuid_v4(&internal_id));
    assert_ne!(internal_id, fake.controller_uuid());
    assert_eq!(
        list,
        json!({"results": [{"result": {"name": "internal", "backend-type": "controller",
                                       "config": null},
                            "id": internal_id, "num-secrets": 0, "status": "active"}]})
    );
    assert_eq!(
        raw_list(&ctrl, json!(["kubernetes"])),
        json!({"results": []})
    );
    assert_eq!(raw_list(&ctrl, json!(["nope"])), json!({"results": []}));

    // Sorted by name, whatever the ids; vault pinged on every list.
    ctrl.add_secret_backends("00", "zed", "vault", vault("https://z:8200"))
        .unwrap();
    ctrl.add_secret_backends("ff", "alpha", "vault", vault("https://a:8200"))
        .unwrap();
    ctrl.add_secret_backends("", "mid", "controller", BackendConfig::new())
        .unwrap();
    ctrl.update_secret_backends(
        "zed",
        UpdateSecretBackend::new()
            .config([("tls-server-name", "vault.invalid")])
            .force(true),
    )
    .unwrap();
    fake.set_secret_count("internal", 4);
    let all = ctrl.list_secret_backends(false).unwrap();
    let got: Vec<&str> = all.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(got, ["alpha", "internal", "mid", "zed"]);
    assert_eq!(all[1].num_secrets, 4);
    let zed = &all[3];
    assert_eq!(zed.status.to_string(), "error");
    assert!(
        zed.message
            .as_deref()
            .unwrap()
            .starts_with("backend not reachable: ")
    );
    assert!(all.iter().all(|b| b.is_builtin() == (b.name == "internal")));
    // A controller-type backend has no config rows either.
    let mid = raw_list(&ctrl, json!(["mid"]));
    assert_eq!(mid["results"][0]["result"]["config"], Value::Null);
}
