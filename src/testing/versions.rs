//! What differs between the Juju versions the fake can be: 3.1 to 3.6, and 4.0.
//!
//! Sources: `../shared/juju-api-reference.md` (3.6), `../shared/juju-4.0-reference.md`
//! (4.0), and for the client-version restriction of 3.1.0 to 3.2.x the Go source at the
//! `3.2.0` branch (`apiserver/restrict_newer_client.go`, `apiserver/root.go`
//! `restrictAPIRoot`, `apiserver/admin.go`, `upgrades/upgradevalidation/version.go`).

use super::wire::RpcErr;
use crate::version::Version;

/// The facades of a 3.6.26 controller-only login, in Go's byte order, with their versions.
/// Earlier 3.x controllers are emulated with the same list.
const FACADES_3_6: &[(&str, &[u32])] = &[
    ("AllModelWatcher", &[4]),
    ("ApplicationOffers", &[4, 5]),
    ("Bundle", &[6]),
    ("Cloud", &[7]),
    ("Controller", &[11, 12]),
    ("CrossController", &[1]),
    ("HighAvailability", &[2]),
    ("MigrationTarget", &[1, 2, 3, 4, 5, 6]),
    ("ModelConfig", &[3]),
    ("ModelManager", &[9, 10]),
    ("ModelSummaryWatcher", &[1]),
    ("ModelUpgrader", &[1]),
    ("NotifyWatcher", &[1]),
    ("Pinger", &[1]),
    ("SSHServer", &[1]),
    ("SecretBackends", &[1]),
    ("UserManager", &[3]),
];

/// The 14 facades of a 4.0.14 controller-only login (4.0 reference §1.2).
const FACADES_4_0: &[(&str, &[u32])] = &[
    ("ApplicationOffers", &[5, 6]),
    ("Bundle", &[8]),
    ("Cloud", &[7, 8]),
    ("Controller", &[12, 13, 14]),
    ("CrossController", &[1]),
    ("MigrationTarget", &[4, 5, 6, 7]),
    ("ModelConfig", &[3, 4]),
    ("ModelManager", &[10, 11]),
    ("ModelSummaryWatcher", &[1]),
    ("ModelUpgrader", &[2]),
    ("NotifyWatcher", &[1]),
    ("Pinger", &[1]),
    ("SecretBackends", &[1]),
    ("UserManager", &[3]),
];

/// The 109 facades of a 3.6.26 model login, in Go's byte order: every registered facade
/// but the controller-only ones (`apiserver/restrict_controller.go`, `restrict_model.go`),
/// registered by `apiserver/allfacades.go` and the packages' `register.go` at 3.6.26.
const MODEL_FACADES_3_6: &[(&str, &[u32])] = &[
    ("Action", &[7]),
    ("ActionPruner", &[1]),
    ("Agent", &[3]),
    ("AgentLifeFlag", &[1]),
    ("AgentTools", &[1]),
    ("AllWatcher", &[3]),
    ("Annotations", &[2]),
    ("Application", &[15, 16, 17, 18, 19, 20, 21, 22]),
    ("ApplicationScaler", &[1]),
    ("Backups", &[3]),
    ("Block", &[2]),
    ("Bundle", &[6]),
    ("CAASAdmission", &[1]),
    ("CAASAgent", &[2]),
    ("CAASApplication", &[1]),
    ("CAASApplicationProvisioner", &[1]),
    ("CAASFirewaller", &[1]),
    ("CAASFirewallerSidecar", &[1]),
    ("CAASModelConfigManager", &[1]),
    ("CAASModelOperator", &[1]),
    ("CAASOperator", &[1]),
    ("CAASOperatorProvisioner", &[1]),
    ("CAASOperatorUpgrader", &[1]),
    ("CAASUnitProvisioner", &[2]),
    ("CharmDownloader", &[1]),
    ("CharmRevisionUpdater", &[2]),
    ("Charms", &[5, 6, 7]),
    ("Cleaner", &[2]),
    ("Client", &[6, 7, 8]),
    ("CredentialManager", &[1]),
    ("CredentialValidator", &[2]),
    ("CrossModelRelations", &[2, 3]),
    ("CrossModelSecrets", &[1, 2]),
    ("Deployer", &[1]),
    ("DiskManager", &[2]),
    ("EntityWatcher", &[2]),
    ("EnvironUpgrader", &[1]),
    ("ExternalControllerUpdater", &[1]),
    ("FanConfigurer", &[1]),
    ("FilesystemAttachmentsWatcher", &[2]),
    ("Firewaller", &[7]),
    ("HighAvailability", &[2]),
    ("HostKeyReporter", &[1]),
    ("ImageMetadata", &[3]),
    ("ImageMetadataManager", &[1]),
    ("InstanceMutater", &[3, 4]),
    ("InstancePoller", &[4]),
    ("KeyManager", &[1]),
    ("KeyUpdater", &[1]),
    ("LeadershipService", &[2]),
    ("LifeFlag", &[1]),
    ("LogForwarding", &[1]),
    ("Logger", &[1]),
    ("MachineActions", &[1]),
    ("MachineManager", &[9, 10]),
    ("MachineUndertaker", &[1]),
    ("Machiner", &[5]),
    ("MeterStatus", &[2]),
    ("MetricsAdder", &[2]),
    ("MigrationFlag", &[1]),
    ("MigrationMaster", &[3]),
    ("MigrationMinion", &[1]),
    ("MigrationStatusWatcher", &[1]),
    ("ModelConfig", &[3]),
    ("ModelGeneration", &[4]),
    ("NotifyWatcher", &[1]),
    ("OfferStatusWatcher", &[1]),
    ("Payloads", &[1]),
    ("PayloadsHookContext", &[1]),
    ("Pinger", &[1]),
    ("Provisioner", &[11]),
    ("ProxyUpdater", &[2]),
    ("Reboot", &[2]),
    ("RelationStatusWatcher", &[1]),
    ("RelationUnitsWatcher", &[1]),
    ("RemoteRelationWatcher", &[1]),
    ("RemoteRelations", &[2]),
    ("Resources", &[3]),
    ("ResourcesHookContext", &[1]),
    ("RetryStrategy", &[1]),
    ("SSHClient", &[4, 5]),
    ("SSHServer", &[1]),
    ("SSHSession", &[1]),
    ("SSHTunneler", &[1]),
    ("SecretBackendsManager", &[1]),
    ("SecretBackendsRotateWatcher", &[1]),
    ("Secrets", &[1, 2]),
    ("SecretsDrain", &[1]),
    ("SecretsManager", &[1, 2, 3, 4]),
    ("SecretsRevisionWatcher", &[1]),
    ("SecretsRevoker", &[1]),
    ("SecretsTriggerWatcher", &[1]),
    ("Singular", &[2]),
    ("Spaces", &[6]),
    ("StatusHistory", &[2]),
    ("Storage", &[6, 7]),
    ("StorageProvisioner", &[4]),
    ("StringsWatcher", &[1]),
    ("Subnets", &[5]),
    ("Undertaker", &[1]),
    ("UnitAssigner", &[1]),
    ("Uniter", &[18, 19, 20]),
    ("UpgradeSeries", &[3, 4]),
    ("UpgradeSteps", &[2]),
    ("Upgrader", &[1]),
    ("UserSecretsDrain", &[1]),
    ("UserSecretsManager", &[1]),
    ("VolumeAttachmentPlansWatcher", &[1]),
    ("VolumeAttachmentsWatcher", &[2]),
];

/// The 76 facades of a 4.0.14 model login, in Go's byte order: every registered facade
/// but the controller-only ones (`apiserver/restrict_controller.go`, `restrict_model.go`),
/// registered by `apiserver/allfacades.go` and the packages' `register.go` at 4.0.14.
const MODEL_FACADES_4_0: &[(&str, &[u32])] = &[
    ("Action", &[7]),
    ("Agent", &[3]),
    ("AgentLifeFlag", &[1]),
    ("Annotations", &[2]),
    ("Application", &[19, 20, 21, 22]),
    ("Backups", &[3]),
    ("Block", &[2]),
    ("Bundle", &[8]),
    ("CAASAdmission", &[1]),
    ("CAASAgent", &[2]),
    ("CAASApplication", &[1]),
    ("CAASApplicationProvisioner", &[1]),
    ("CAASModelConfigManager", &[1]),
    ("CAASModelOperator", &[1]),
    ("CAASOperatorUpgrader", &[1]),
    ("Charms", &[7]),
    ("Client", &[8]),
    ("CredentialManager", &[1]),
    ("CredentialValidator", &[2, 3]),
    ("CrossModelRelations", &[3]),
    ("CrossModelSecrets", &[1, 2]),
    ("Deployer", &[1]),
    ("DiskManager", &[2, 3]),
    ("EntityWatcher", &[2]),
    ("ExternalControllerUpdater", &[1]),
    ("FilesystemAttachmentsWatcher", &[2]),
    ("Firewaller", &[7]),
    ("HighAvailability", &[2, 3]),
    ("HostKeyReporter", &[1]),
    ("ImageMetadata", &[3]),
    ("ImageMetadataManager", &[1]),
    ("InstanceMutater", &[3]),
    ("KeyManager", &[1]),
    ("KeyUpdater", &[1]),
    ("LeadershipService", &[2]),
    ("Logger", &[1]),
    ("MachineActions", &[1]),
    ("MachineManager", &[11]),
    ("Machiner", &[5, 6]),
    ("MigrationFlag", &[1]),
    ("MigrationMaster", &[4, 5]),
    ("MigrationMinion", &[1]),
    ("MigrationStatusWatcher", &[1]),
    ("ModelConfig", &[3, 4]),
    ("NotifyWatcher", &[1]),
    ("OfferStatusWatcher", &[1]),
    ("PayloadsHookContext", &[1, 2]),
    ("Pinger", &[1]),
    ("Provisioner", &[11, 12]),
    ("ProxyUpdater", &[2]),
    ("Reboot", &[2]),
    ("RelationStatusWatcher", &[1]),
    ("RelationUnitsWatcher", &[1]),
    ("RemoteRelationWatcher", &[1]),
    ("Resources", &[3]),
    ("ResourcesHookContext", &[1]),
    ("RetryStrategy", &[1]),
    ("SSHClient", &[4, 5]),
    ("SecretBackendsManager", &[1]),
    ("SecretBackendsRotateWatcher", &[1]),
    ("Secrets", &[1, 2]),
    ("SecretsDrain", &[1]),
    ("SecretsManager", &[4]),
    ("SecretsRevisionWatcher", &[1]),
    ("SecretsTriggerWatcher", &[1]),
    ("Spaces", &[6]),
    ("Storage", &[6, 7]),
    ("StorageProvisioner", &[4, 5, 6, 7]),
    ("StringsWatcher", &[1]),
    ("Subnets", &[5]),
    ("Uniter", &[19, 20, 21, 22]),
    ("Upgrader", &[1]),
    ("UserSecretsDrain", &[1]),
    ("UserSecretsManager", &[1]),
    ("VolumeAttachmentPlansWatcher", &[1]),
    ("VolumeAttachmentsWatcher", &[2]),
];

/// Model facades whose versions before Juju 3.3 differ from [`MODEL_FACADES_3_6`], which
/// stands for every 3.x otherwise: `Secrets` v2 (user secrets) came in 3.3, and 3.1 and
/// 3.2 register v1 only (`apiserver/facades/client/secrets/register.go` on the `3.1` and
/// `3.2` branches).
const MODEL_FACADES_BEFORE_3_3: &[(&str, &[u32])] = &[("Secrets", &[1])];

/// Names only a controller connection serves (`controllerFacadeNames`, the same in 3.6 and
/// 4.0): a model connection refuses them before looking them up.
const CONTROLLER_ONLY: &[&str] = &[
    "AllModelWatcher",
    "ApplicationOffers",
    "Cloud",
    "Controller",
    "CrossController",
    "MigrationTarget",
    "ModelManager",
    "ModelSummaryWatcher",
    "ModelUpgrader",
    "SecretBackends",
    "UserManager",
];

/// Facade names a 4.0 `/api` connection lets through its controller filter although no
/// version of them is registered any more, so the lookup fails with `unknown version`
/// (4.0 reference §1.1, §1.4).
const UNREGISTERED_4_0: &[&str] = &["AllModelWatcher", "SSHServer"];

/// The Juju version the fake emulates, and what follows from it.
#[derive(Debug, Clone)]
pub(crate) struct Emulation {
    pub(crate) version: Version,
}

impl Emulation {
    /// Parses and checks a version the fake can be: 3.1.0 (the first with secret backends)
    /// to any 4.0.x.
    pub(crate) fn new(version: &str) -> Result<Emulation, String> {
        let v = Version::parse(version).ok_or_else(|| {
            format!(
                "{version:?} is not a Juju version (major.minor.patch, optionally .build, or \
                 major.minor-tagpatch)"
            )
        })?;
        let lowest = Version::parse("3.1.0").expect("valid");
        if v < lowest || v.major > 4 || (v.major == 4 && v.minor > 0) {
            return Err(format!(
                "Juju {version} is not emulated: the fake can be any Juju from 3.1.0 (the \
                 first with secret backends) to 4.0.x"
            ));
        }
        Ok(Emulation { version: v })
    }

    /// True for Juju 4: 4.0's facade list, envelope, dispatch texts and SecretBackends rules.
    pub(crate) fn is_4(&self) -> bool {
        self.version.major >= 4
    }

    /// The facades of a controller-only login.
    pub(crate) fn controller_facades(&self) -> &'static [(&'static str, &'static [u32])] {
        if self.is_4() {
            FACADES_4_0
        } else {
            FACADES_3_6
        }
    }

    /// Whether a facade passes the controller-only filter (it may still not be registered).
    pub(crate) fn allowed_on_controller(&self, facade: &str) -> bool {
        self.controller_facades().iter().any(|(n, _)| *n == facade)
            || (self.is_4() && UNREGISTERED_4_0.contains(&facade))
    }

    /// The versions registered for `facade`, if any.
    pub(crate) fn facade_versions(&self, facade: &str) -> Option<&'static [u32]> {
        self.controller_facades()
            .iter()
            .find(|(n, _)| *n == facade)
            .map(|(_, v)| *v)
    }

    /// The facades of a model login, in Go's byte order.
    pub(crate) fn model_facades(&self) -> Vec<(&'static str, &'static [u32])> {
        let all = if self.is_4() {
            MODEL_FACADES_4_0
        } else {
            MODEL_FACADES_3_6
        };
        all.iter()
            .map(|&(name, versions)| (name, self.model_override(name).unwrap_or(versions)))
            .collect()
    }

    /// This version's own versions of a model facade, where they differ from its major's
    /// list.
    fn model_override(&self, facade: &str) -> Option<&'static [u32]> {
        let v = &self.version;
        let before_3_3 = v.major == 3 && v.minor < 3;
        before_3_3
            .then(|| {
                MODEL_FACADES_BEFORE_3_3
                    .iter()
                    .find(|(n, _)| *n == facade)
                    .map(|(_, versions)| *versions)
            })
            .flatten()
    }

    /// Whether a facade passes a model connection's filter: anything not controller-only,
    /// registered or not (`IsModelFacade`).
    #[allow(
        clippy::unused_self,
        reason = "a version's question, though 3.1 to 4.0 all answer it the same way"
    )]
    pub(crate) fn allowed_on_model(&self, facade: &str) -> bool {
        !CONTROLLER_ONLY.contains(&facade)
    }

    /// The versions registered for `facade` as a model connection sees them, if any.
    pub(crate) fn model_facade_versions(&self, facade: &str) -> Option<&'static [u32]> {
        self.model_facades()
            .into_iter()
            .find(|(n, _)| *n == facade)
            .map(|(_, v)| v)
    }

    /// Whether this version restricts clients of another major version: 3.1.0 to 3.1.5 and
    /// every 3.2.x. The check was removed in September 2023 ("Remove client version
    /// checking"); when the removal reached 3.2 is not determined, so all of 3.2 keeps it.
    pub(crate) fn restricts_clients(&self) -> bool {
        let v = &self.version;
        v.major == 3 && (v.minor == 2 || (v.minor == 1 && v.patch <= 5))
    }

    /// The client version a login claims, as `Admin.Login` reads it: unparseable or absent
    /// counts as 2.0.0, "since older 2.x clients don't send this field" (`apiserver/admin.go`).
    pub(crate) fn login_client_version(claimed: &str) -> Version {
        Version::parse(claimed).unwrap_or(Version {
            major: 2,
            minor: 0,
            tag: String::new(),
            patch: 0,
            build: 0,
        })
    }

    /// `checkClientVersion` for a user login, applied to every call after login when the
    /// client's major version differs from the server's (`restrictAPIRoot`). It runs after
    /// the controller-facade filter and before the facade and method are looked up.
    pub(crate) fn check_client(
        &self,
        client: &Version,
        facade: &str,
        method: &str,
    ) -> Result<(), RpcErr> {
        let server = &self.version;
        if !self.restricts_clients() || client.major == server.major {
            return Ok(());
        }
        let refuse = || {
            Err(RpcErr {
                message: format!("client incompatible with server {server}"),
                code: "incompatible client",
                info: Some(format!(r#"{{"server-version":"{server}"}}"#)),
            })
        };
        // More than one major version apart, or a newer major with a non-zero minor.
        if client.major + 1 < server.major || client.major > server.major + 1 {
            return refuse();
        }
        if client.major > server.major && client.minor != 0 {
            return refuse();
        }
        if facade == "Pinger" && method == "Ping" {
            return Ok(());
        }
        // "Clients can still access the X+1.0 controller facades."
        if client.major < server.major && server.minor == 0 {
            return Ok(());
        }
        if facade == "MigrationTarget" || (facade, method) == ("Client", "FullStatus") {
            return Ok(());
        }
        // upgradevalidation.MinClientVersions = {3: 2.9.36}: a client at least that recent
        // passes (3.2.0 applies it to newer clients too, so a 4.0.x client passes here).
        let min_client = Version::parse("2.9.36").expect("valid");
        if server.major == 3 && *client >= min_client {
            return Ok(());
        }
        let migration = matches!(
            (facade, method),
            ("UserManager", "UserInfo")
                | ("ModelManager", "ListModels" | "ModelInfo")
                | ("Controller", "InitiateMigration" | "IdentityProviderURL")
        );
        if client.major < server.major && !migration {
            return refuse();
        }
        let upgrade = matches!(
            (facade, method),
            ("Client", "FindTools")
                | ("ModelUpgrader", "UpgradeModel" | "AbortModelUpgrade")
                | ("ModelConfig", "ModelGet")
                | (
                    "Controller",
                    "ModelConfig" | "ControllerConfig" | "ControllerVersion" | "CloudSpec"
                )
        );
        if !migration && !upgrade {
            return refuse();
        }
        Ok(())
    }

    /// `unknown facade` / `unknown version`, as rpcreflect words them in this version.
    pub(crate) fn unknown_facade(&self, facade: &str, version: u32) -> RpcErr {
        let msg = match (self.is_4(), version) {
            (false, 0) => format!("unknown object type {facade:?}"),
            (false, n) => format!("unknown version ({n}) of interface {facade:?}"),
            (true, 0) => format!("unknown facade type {facade:?}"),
            (true, n) => format!("unknown version {n} for facade type {facade:?}"),
        };
        RpcErr::new(msg, "not implemented")
    }

    /// A method the facade version lacks, as rpcreflect words it in this version.
    pub(crate) fn no_such_method(&self, facade: &str, version: u32, method: &str) -> RpcErr {
        let msg = if self.is_4() {
            format!("unknown method {method:?} at version {version} for facade type {facade:?}")
        } else if version == 0 {
            format!("no such request - method {facade}.{method} is not implemented")
        } else {
            format!("no such request - method {facade}({version}).{method} is not implemented")
        };
        RpcErr::new(msg, "not implemented")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn allowed(server: &str, client: &str, facade: &str, method: &str) -> bool {
        Emulation::new(server)
            .unwrap()
            .check_client(&v(client), facade, method)
            .is_ok()
    }

    #[test]
    fn only_3_1_0_to_3_1_5_and_3_2_restrict() {
        for (server, restricts) in [
            ("3.1.0", true),
            ("3.1.5", true),
            ("3.1.6", false),
            ("3.2.0", true),
            ("3.2.4", true),
            ("3.3.0", false),
            ("3.6.26", false),
            ("4.0.14", false),
        ] {
            assert_eq!(
                Emulation::new(server).unwrap().restricts_clients(),
                restricts,
                "{server}"
            );
        }
    }

    #[test]
    fn the_3_2_rules() {
        // Same major: anything.
        assert!(allowed(
            "3.2.4",
            "3.6.26",
            "SecretBackends",
            "ListSecretBackends"
        ));
        // Two majors apart (our old "0.1.0"): nothing, not even Ping.
        assert!(!allowed("3.2.4", "0.1.0", "Pinger", "Ping"));
        assert!(!allowed("3.2.4", "5.0.0", "Pinger", "Ping"));
        // An old 2.9 client: pings and the migration calls only.
        assert!(allowed("3.2.4", "2.9.35", "Pinger", "Ping"));
        assert!(allowed("3.2.4", "2.9.35", "Client", "FullStatus"));
        assert!(allowed("3.2.4", "2.9.35", "ModelManager", "ListModels"));
        assert!(allowed("3.2.4", "2.9.35", "MigrationTarget", "Prechecks"));
        assert!(!allowed(
            "3.2.4",
            "2.9.35",
            "SecretBackends",
            "ListSecretBackends"
        ));
        assert!(!allowed("3.2.4", "2.9.35", "ModelConfig", "ModelGet"));
        // A recent 2.9 client: everything. (The ".0 server" exception, for 3.0.x, is outside
        // the versions the fake can be.)
        assert!(allowed(
            "3.2.4",
            "2.9.36",
            "SecretBackends",
            "ListSecretBackends"
        ));
        assert!(!allowed(
            "3.2.0",
            "2.9.1",
            "SecretBackends",
            "ListSecretBackends"
        ));
        // A newer major: .0 minor only.
        assert!(!allowed("3.2.4", "4.1.0", "Pinger", "Ping"));
        assert!(allowed("3.2.4", "4.0.0", "Controller", "ControllerConfig"));
    }

    #[test]
    fn user_secrets_came_in_3_3() {
        for (version, secrets) in [
            ("3.1.0", &[1][..]),
            ("3.2.4", &[1]),
            ("3.3.0", &[1, 2]),
            ("3.6.26", &[1, 2]),
            ("4.0.14", &[1, 2]),
        ] {
            let juju = Emulation::new(version).unwrap();
            assert_eq!(
                juju.model_facade_versions("Secrets"),
                Some(secrets),
                "{version}"
            );
            let listed = juju.model_facades();
            assert!(listed.contains(&("Secrets", secrets)), "{version}");
            assert_eq!(juju.model_facade_versions("SecretsDrain"), Some(&[1][..]));
        }
    }

    #[test]
    fn refuses_versions_it_cannot_be() {
        for bad in ["3.0.4", "2.9.50", "4.1.0", "5.0.0", "3.6", "latest", ""] {
            assert!(Emulation::new(bad).is_err(), "{bad:?}");
        }
        for good in [
            "3.1.0",
            "3.2.4",
            "3.6.26",
            "3.6.26.1",
            "4.0.14",
            "4.0-beta5",
        ] {
            assert!(Emulation::new(good).is_ok(), "{good:?}");
        }
    }
}
