//! User secrets through the SDK (`Model::add_secret` and the rest, issue 21), against the
//! fake controller as Juju 3.6.26 and 4.0.14: the issue's script, each version's
//! not-found codes, a controller with only `Secrets` v1, model permissions, charm secrets
//! in the list, the batch forms, and a lost reply. (The fake's `Secrets` facade itself is
//! tested over the raw wire, with its own tests.)

use juju_client::secrets::{
    AddSecret, RemoveSecret, Secret, SecretContent, SecretFilter, SecretOwner, UpdateSecret,
};
use juju_client::testing::{FakeController, Fault};
use juju_client::{Controller, Error, ErrorCode, ErrorKind, Model};

const VERSIONS: [&str; 2] = ["3.6.26", "4.0.14"];
/// A well-formed secret id no secret has.
const UNKNOWN_ID: &str = "d0n4kq9mp25c7f0cv3og";

fn start(version: &str) -> (FakeController, Controller, Model) {
    let fake = FakeController::builder()
        .juju_version(version)
        .start()
        .unwrap();
    let ctrl = Controller::connect(&fake.connect_options()).unwrap();
    let model = ctrl.open_model("admin/default").unwrap();
    (fake, ctrl, model)
}

fn content(args: &[&str]) -> SecretContent {
    SecretContent::from_args(args).unwrap()
}

fn revisions(secret: &Secret) -> Vec<u32> {
    secret.revisions.iter().map(|r| r.revision).collect()
}

fn backends(secret: &Secret) -> Vec<&str> {
    secret
        .revisions
        .iter()
        .map(|r| r.backend.as_deref().unwrap_or("-"))
        .collect()
}

/// The code and, for Juju 4's own codes, the generic one they fold to.
fn assert_not_found(e: &Error, v4_code: ErrorCode, version: &str) {
    let want = if version.starts_with('4') {
        v4_code
    } else {
        ErrorCode::NotFound
    };
    assert_eq!(e.code(), Some(want), "{version}: {e}");
    assert_eq!(e.code().unwrap().generic(), ErrorCode::NotFound, "{e}");
}

/// The issue's "done when": add, read back revealed, update and rename, grant and
/// revoke, point the model at a vault and see the next revision there, remove a revision
/// then the secret.
#[test]
fn a_script_manages_a_user_secret_on_3_6_and_4_0() {
    for version in VERSIONS {
        let (_fake, ctrl, model) = start(version);

        // 1. Add.
        let uri = model
            .add_secret(
                "dbpassword",
                content(&["username=admin", "password=s3cret"]),
                Some("db creds"),
            )
            .unwrap();
        assert_eq!(uri.to_string(), format!("secret:{}", uri.id()));

        // 2. Read it back revealed, by name, URI and bare id.
        let s = model.show_secret("dbpassword", true).unwrap();
        assert_eq!(s.uri, uri, "{version}");
        assert_eq!(s.name.as_deref(), Some("dbpassword"));
        assert_eq!(s.description.as_deref(), Some("db creds"));
        assert!(s.is_user_secret());
        assert_eq!(s.owner, format!("model-{}", model.uuid()));
        assert_eq!(s.owner_kind(), SecretOwner::Model);
        assert_eq!(s.latest_revision, 1);
        assert_eq!(revisions(&s), [1]);
        assert_eq!(backends(&s), ["internal"], "{version}");
        let c = s.content.as_ref().unwrap();
        assert_eq!(c.get_str("username"), Some("admin"));
        assert_eq!(c.get_str("password"), Some("s3cret"));
        assert_eq!(c.len(), 2);
        assert!(s.error.is_none());
        assert!(s.checksum.as_deref().is_some_and(|c| c.len() == 64));
        for id in [uri.to_string(), uri.id().to_string()] {
            assert_eq!(model.show_secret(&id, false).unwrap().uri, uri);
        }
        assert!(
            model
                .show_secret(uri.id(), false)
                .unwrap()
                .content
                .is_none()
        );

        // 3. Update: a new revision; then rename, keeping the description and content.
        model
            .update_secret(
                "dbpassword",
                UpdateSecret::new().content(content(&["username=admin", "password=n3w"])),
            )
            .unwrap();
        let s = model.show_secret(&uri.to_string(), true).unwrap();
        assert_eq!((s.latest_revision, revisions(&s)), (2, vec![1, 2]));
        assert_eq!(
            s.name.as_deref(),
            Some("dbpassword"),
            "new content keeps the name"
        );
        assert_eq!(s.content.unwrap().get_str("password"), Some("n3w"));
        model
            .update_secret(uri.id(), UpdateSecret::new().new_name("database"))
            .unwrap();
        let s = model.show_secret("database", true).unwrap();
        assert_eq!(s.uri, uri);
        assert_eq!(s.description.as_deref(), Some("db creds"), "{version}");
        assert_eq!(s.latest_revision, 2, "a rename makes no revision");
        assert_eq!(s.content.unwrap().get_str("password"), Some("n3w"));
        let old = model.show_secret_revision("database", 1, true).unwrap();
        assert_eq!(revisions(&old), [1]);
        assert_eq!(old.content.unwrap().get_str("password"), Some("s3cret"));
        let gone = model.show_secret("dbpassword", false).unwrap_err();
        assert_eq!(gone.code(), Some(ErrorCode::NotFound), "{version}: {gone}");
        assert_eq!(gone.message(), r#"secret "dbpassword" not found"#);

        // 4. Grant to an application, then revoke.
        let granted = model.grant_secret("database", &["mysql"]).unwrap();
        assert_eq!(granted.len(), 1);
        granted[0].as_ref().unwrap();
        let s = model.show_secret("database", false).unwrap();
        assert_eq!(s.access.len(), 1, "{version}");
        assert_eq!(s.access[0].application(), Some("mysql"));
        assert_eq!(s.access[0].target, "application-mysql");
        assert_eq!(s.access[0].scope, format!("model-{}", model.uuid()));
        assert_eq!(s.access[0].role, "view");
        let revoked = model.revoke_secret(&uri.to_string(), &["mysql"]).unwrap();
        revoked[0].as_ref().unwrap();
        assert!(
            model
                .show_secret("database", false)
                .unwrap()
                .access
                .is_empty()
        );

        // 5. A vault backend for the model: the next revision is stored there.
        ctrl.add_secret_backends(
            "",
            "myvault",
            "vault",
            [("endpoint", "https://vault.example:8200"), ("token", "t")],
        )
        .unwrap();
        model.set_secret_backend("myvault").unwrap();
        model
            .update_secret(
                "database",
                UpdateSecret::new().content(content(&["password=th1rd"])),
            )
            .unwrap();
        let s = model.show_secret("database", true).unwrap();
        assert_eq!(s.latest_revision, 3);
        assert_eq!(
            s.revision(3).unwrap().backend.as_deref(),
            Some("myvault"),
            "{version}"
        );
        // The fake drains at once: the older revisions moved too.
        assert_eq!(backends(&s), ["myvault", "myvault", "myvault"], "{version}");
        assert_eq!(s.content.unwrap().get_str("password"), Some("th1rd"));
        let count = |name: &str| {
            ctrl.list_secret_backends(false)
                .unwrap()
                .into_iter()
                .find(|b| b.name == name)
                .map(|b| b.num_secrets)
        };
        assert_eq!(count("myvault"), Some(1), "{version}");

        // 6. Remove one revision, then the secret.
        model.remove_secret("database", Some(1)).unwrap();
        let s = model.show_secret("database", false).unwrap();
        assert_eq!(revisions(&s), [2, 3], "{version}");
        model.remove_secret(&uri.to_string(), None).unwrap();
        // The fake removes at once (Juju 4 may list it a moment longer).
        assert!(
            model
                .list_secrets(&SecretFilter::new(), false)
                .unwrap()
                .is_empty()
        );
        let e = model.show_secret("database", false).unwrap_err();
        assert_eq!(e.code().map(|c| c.generic()), Some(ErrorCode::NotFound));
        assert_eq!(count("myvault"), Some(0), "{version}");
    }
}

#[test]
fn an_unknown_secret_is_not_found_with_each_version_s_code() {
    for version in VERSIONS {
        let (_fake, _ctrl, model) = start(version);
        let v4 = version.starts_with('4');
        let uri = model
            .add_secret("db", content(&["password=s3cret"]), None)
            .unwrap();

        // By name: nothing listed on either version, so the CLI's text.
        let e = model.show_secret("nope", true).unwrap_err();
        assert_eq!(
            (e.kind(), e.code(), e.message()),
            (
                ErrorKind::Api,
                Some(ErrorCode::NotFound),
                r#"secret "nope" not found"#
            ),
            "{version}"
        );
        // By URI: 3.6 lists nothing, 4.0 fails with its own code.
        let e = model.show_secret(UNKNOWN_ID, false).unwrap_err();
        assert_not_found(&e, ErrorCode::SecretNotFound, version);
        if !v4 {
            assert_eq!(e.message(), format!("secret \"{UNKNOWN_ID}\" not found"));
        }
        // A revision the secret does not have: by URI, each version's error; by name, 4.0
        // lists nothing.
        let e = model
            .show_secret_revision(&uri.to_string(), 9, true)
            .unwrap_err();
        assert_not_found(&e, ErrorCode::SecretRevisionNotFound, version);
        let e = model.show_secret_revision("db", 9, true).unwrap_err();
        assert_eq!(
            e.code().map(|c| c.generic()),
            Some(ErrorCode::NotFound),
            "{e}"
        );
        if v4 {
            assert_eq!(e.message(), r#"secret "db" revision 9 not found"#);
        }
        let e = model
            .update_secret(UNKNOWN_ID, UpdateSecret::new().info("x"))
            .unwrap_err();
        assert_not_found(&e, ErrorCode::SecretNotFound, version);
        let e = model.remove_secret("nope", None).unwrap_err();
        assert_not_found(&e, ErrorCode::SecretNotFound, version);
        let e = model.remove_secret("db", Some(7)).unwrap_err();
        assert_not_found(&e, ErrorCode::SecretRevisionNotFound, version);
        let e = model.grant_secret("nope", &["mysql"]).unwrap_err();
        assert_not_found(&e, ErrorCode::SecretNotFound, version);
        // A list filtered by an unknown URI: empty on 3.6, an error on 4.0.
        let by_uri = SecretFilter::new().uri(&UNKNOWN_ID.parse().unwrap());
        match model.list_secrets(&by_uri, false) {
            Ok(list) => assert!(!v4 && list.is_empty(), "{version}: {list:?}"),
            Err(e) => {
                assert!(v4, "{version}: {e}");
                assert_eq!(e.code(), Some(ErrorCode::SecretNotFound));
            }
        }
        // Per application: an unknown application.
        let results = model.grant_secret("db", &["mysql", "nosuchapp"]).unwrap();
        assert!(results[0].is_ok(), "{version}");
        let e = results[1].as_ref().unwrap_err();
        assert!(e.message().contains(r#"for "nosuchapp""#), "{version}: {e}");
        // Revoking from an unknown application: 3.6 says nothing, 4.0 refuses.
        let results = model.revoke_secret("db", &["nosuchapp"]).unwrap();
        assert_eq!(results[0].is_err(), v4, "{version}: {results:?}");
    }
}

#[test]
fn a_controller_with_only_secrets_v1_is_refused_before_anything_is_sent() {
    let (fake, _ctrl, model) = start("3.2.4");
    let errors = [
        model
            .add_secret("db", content(&["password=s3cret"]), None)
            .unwrap_err(),
        model.list_secrets(&SecretFilter::new(), false).unwrap_err(),
        model.show_secret("db", false).unwrap_err(),
        model
            .update_secret("db", UpdateSecret::new().info("x"))
            .unwrap_err(),
        model.remove_secret("db", None).unwrap_err(),
        model.grant_secret("db", &["mysql"]).unwrap_err(),
        model.revoke_secret("db", &["mysql"]).unwrap_err(),
    ];
    for e in errors {
        assert_eq!(e.code(), Some(ErrorCode::NotSupported), "{e}");
        assert!(
            e.message()
                .starts_with("user secrets need the Secrets facade v2 (Juju 3.3 or later): "),
            "{e}"
        );
        assert!(e.message().contains("offers versions [1]"), "{e}");
    }
    assert!(
        fake.requests().iter().all(|r| r.facade != "Secrets"),
        "{:?}",
        fake.requests()
    );
}

#[test]
fn model_access_decides_who_lists_reveals_and_changes() {
    for version in VERSIONS {
        let (fake, _ctrl, admin) = start(version);
        admin
            .add_secret("db", content(&["password=s3cret"]), None)
            .unwrap();
        // The fake's default users on `admin/default`: reader (read) and writer (write).
        let as_user = |user: &str, password: &str| {
            let opts = fake.connect_options().username(user).password(password);
            Controller::connect(&opts)
                .unwrap()
                .open_model("admin/default")
                .unwrap()
        };
        let denied = |e: Error| {
            assert_eq!(
                (e.code(), e.message()),
                (Some(ErrorCode::Unauthorized), "permission denied"),
                "{version}"
            );
        };

        let reader = as_user("reader", "reader-password");
        assert_eq!(reader.model_access(), "read");
        let listed = reader.list_secrets(&SecretFilter::new(), false).unwrap();
        assert_eq!(listed.len(), 1);
        assert!(reader.show_secret("db", false).unwrap().content.is_none());
        denied(reader.show_secret("db", true).unwrap_err());
        denied(reader.list_secrets(&SecretFilter::new(), true).unwrap_err());
        denied(
            reader
                .add_secret("mine", content(&["password=x"]), None)
                .unwrap_err(),
        );
        denied(
            reader
                .update_secret("db", UpdateSecret::new().info("x"))
                .unwrap_err(),
        );
        denied(reader.grant_secret("db", &["mysql"]).unwrap_err());
        // Removal: 3.6 refuses each item, 4.0 the whole call; the same error either way.
        denied(reader.remove_secret("db", None).unwrap_err());

        // Write access changes secrets but cannot reveal them.
        let writer = as_user("writer", "writer-password");
        let uri = writer
            .add_secret("writers", content(&["password=w"]), None)
            .unwrap();
        writer
            .update_secret(uri.id(), UpdateSecret::new().info("by writer"))
            .unwrap();
        denied(writer.show_secret("writers", true).unwrap_err());
        assert_eq!(
            admin
                .show_secret("writers", true)
                .unwrap()
                .content
                .unwrap()
                .get_str("password"),
            Some("w")
        );
        writer.remove_secret("writers", None).unwrap();
    }
}

#[test]
fn the_list_has_charm_secrets_too_sorted_as_the_cli_and_filters_by_owner() {
    for version in VERSIONS {
        let (fake, _ctrl, model) = start(version);
        fake.add_charm_secret("admin/default", "mysql", "db-admin", [("password", "x")])
            .unwrap();
        let first = model
            .add_secret("first", content(&["password=1"]), None)
            .unwrap();
        let second = model
            .add_secret("second", content(&["password=2"]), None)
            .unwrap();
        model
            .update_secret(
                "second",
                UpdateSecret::new().content(content(&["password=3"])),
            )
            .unwrap();

        let all = model.list_secrets(&SecretFilter::new(), false).unwrap();
        let order: Vec<(String, u32)> = all
            .iter()
            .map(|s| (s.owner_kind().to_string(), s.latest_revision))
            .collect();
        // `<model>` first, highest revision first.
        assert_eq!(
            order,
            [
                ("<model>".to_string(), 2),
                ("<model>".to_string(), 1),
                ("mysql".to_string(), 1)
            ],
            "{version}"
        );
        assert_eq!((&all[0].uri, &all[1].uri), (&second, &first));
        let charm = &all[2];
        assert!(!charm.is_user_secret());
        assert_eq!(charm.owner_kind(), SecretOwner::Application("mysql".into()));
        assert_eq!(charm.name.as_deref(), Some("db-admin"));

        // Owner filters: the model's (applied by the SDK, since 4.0 refuses them) and an
        // application's (applied by the controller).
        let tag = format!("model-{}", model.uuid());
        for owner in ["<model>", tag.as_str()] {
            let mine = model
                .list_secrets(&SecretFilter::new().owner(owner), false)
                .unwrap();
            assert_eq!(mine.len(), 2, "{version} {owner}");
            assert!(mine.iter().all(Secret::is_user_secret));
        }
        let of_mysql = model
            .list_secrets(&SecretFilter::new().owner("application-mysql"), true)
            .unwrap();
        assert_eq!(of_mysql.len(), 1, "{version}");
        assert_eq!(
            of_mysql[0].content.as_ref().unwrap().get_str("password"),
            Some("x")
        );
        // A charm secret is shown by its label when no user secret has it.
        let shown = model.show_secret("db-admin", false).unwrap();
        assert_eq!(shown.uri, charm.uri);
        // The model's own filter sent as is would be refused by 4.0.
        let sent = fake
            .requests()
            .into_iter()
            .filter(|r| r.method == "ListSecrets")
            .filter_map(|r| r.params["filter"].get("owner-tag").cloned())
            .collect::<Vec<_>>();
        assert_eq!(sent, [serde_json::json!("application-mysql")]);
    }
}

#[test]
fn batches_give_one_result_per_item_in_order() {
    for version in VERSIONS {
        let (fake, _ctrl, model) = start(version);
        let added = model
            .add_secrets(&[
                AddSecret::new("one", content(&["password=1"])).info("first"),
                AddSecret::new("empty", SecretContent::new()),
                AddSecret::new("two", content(&["password=2"])),
                AddSecret::new("one", content(&["password=dup"])),
            ])
            .unwrap();
        assert_eq!(added.len(), 4);
        let one = added[0].as_ref().unwrap().clone();
        let e = added[1].as_ref().unwrap_err();
        assert_eq!(
            (e.kind(), e.message()),
            (ErrorKind::InvalidInput, "empty secret value not valid")
        );
        let two = added[2].as_ref().unwrap().clone();
        let e = added[3].as_ref().unwrap_err();
        assert_eq!(e.code(), Some(ErrorCode::AlreadyExists), "{version}: {e}");
        assert_eq!(e.message(), r#"secret with name "one" already exists"#);
        // Three items sent, in one call.
        let creates: Vec<_> = fake
            .requests()
            .into_iter()
            .filter(|r| r.method == "CreateSecrets")
            .collect();
        assert_eq!(creates.len(), 1);
        assert_eq!(creates[0].params["args"].as_array().unwrap().len(), 3);

        let updated = model
            .update_secrets([
                ("one", UpdateSecret::new().clear_info()),
                ("two", UpdateSecret::new()),
                (
                    two.id(),
                    UpdateSecret::new().content(content(&["password=22"])),
                ),
            ])
            .unwrap();
        assert!(updated[0].is_ok() && updated[2].is_ok(), "{updated:?}");
        assert_eq!(
            updated[1].as_ref().unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(model.show_secret("one", false).unwrap().description, None);
        assert_eq!(model.show_secret("two", false).unwrap().latest_revision, 2);

        let removed = model
            .remove_secrets(&[
                RemoveSecret::new("two").revisions(&[1]),
                RemoveSecret::new("one").revisions(&[]),
                RemoveSecret::new(&one.to_string()),
            ])
            .unwrap();
        assert!(removed[0].is_ok() && removed[2].is_ok(), "{removed:?}");
        assert_eq!(
            removed[1].as_ref().unwrap_err().code(),
            Some(ErrorCode::NotValid)
        );
        let left = model.list_secrets(&SecretFilter::new(), false).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!((&left[0].uri, revisions(&left[0])), (&two, vec![2]));
    }
}

#[test]
fn a_change_whose_reply_is_lost_has_an_unknown_outcome() {
    let (fake, _ctrl, model) = start("3.6.26");
    fake.inject("CreateSecrets", Fault::DropConnection);
    let e = model
        .add_secret("db", content(&["password=s3cret"]), None)
        .unwrap_err();
    assert!(e.is_outcome_unknown(), "{e}");
    fake.clear_faults();
    model.reconnect().unwrap();
    assert!(
        model
            .list_secrets(&SecretFilter::new(), false)
            .unwrap()
            .len()
            <= 1
    );
    fake.inject("ListSecrets", Fault::DropConnection);
    let e = model.list_secrets(&SecretFilter::new(), false).unwrap_err();
    assert!(!e.is_outcome_unknown(), "a list changes nothing: {e}");
}
