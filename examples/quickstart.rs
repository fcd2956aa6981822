//! The seed's four secret-backend operations, in order: add a vault backend, list, rename
//! it, remove it.
//!
//! ```text
//! cargo run --features testing --example quickstart     # against the built-in fake controller
//! cargo run --example quickstart -- --controller prod   # a controller the juju CLI knows
//! cargo run --example quickstart -- --endpoint 10.0.0.5:17070 --user admin \
//!     --password-file pw.txt --ca-cert ca.pem     # or named explicitly
//! ```
//!
//! Only the built-in fake needs the `testing` feature; a real controller needs the default
//! features alone.
//!
//! `RUST_LOG=debug` shows each call; `RUST_LOG=trace` each message (secrets redacted).

use std::process::ExitCode;

use juju_client::secretbackends::{UpdateSecretBackend, VaultConfig};
use juju_client::{ConnectOptions, Controller, Error};

/// The built-in fake controller, kept alive for the run.
#[cfg(feature = "testing")]
type Fake = juju_client::testing::FakeController;
/// Built without the `testing` feature there is no fake, so there is never one to keep.
#[cfg(not(feature = "testing"))]
enum Fake {}

/// Starts the built-in fake controller and says so.
#[cfg(feature = "testing")]
fn start_fake() -> Result<(ConnectOptions, Option<Fake>), String> {
    let fake = Fake::start().map_err(|e| format!("error: {e}"))?;
    println!("using the built-in fake controller at {}", fake.endpoint());
    Ok((fake.connect_options(), Some(fake)))
}

/// Says how to get the built-in fake controller.
#[cfg(not(feature = "testing"))]
fn start_fake() -> Result<(ConnectOptions, Option<Fake>), String> {
    Err(format!(
        "no controller named, and this build leaves out the built-in fake controller: \
         run `cargo run --features testing --example quickstart`, or name one\n{}",
        usage()
    ))
}

fn usage() -> &'static str {
    "usage: quickstart [--controller NAME | --endpoint HOST:PORT --user NAME (--password PW | --password-file FILE) --ca-cert FILE]"
}

/// A real controller to run against.
enum Target {
    /// Known to the juju CLI by this name.
    Named(String),
    /// Given on the command line.
    Explicit(Box<ConnectOptions>),
}

/// Reads the command line: `None` means "use the built-in fake controller".
fn parse_args() -> Result<Option<Target>, String> {
    let mut args = std::env::args().skip(1);
    let mut opts = ConnectOptions::new();
    let mut real = false;
    let mut named = None;
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or(format!("{arg} needs a value\n{}", usage()))
        };
        match arg.as_str() {
            "--controller" => named = Some(value()?),
            "--endpoint" => opts = opts.endpoint(value()?),
            "--user" => opts = opts.username(value()?),
            "--password" => opts = opts.password(value()?),
            "--password-file" => {
                let path = value()?;
                let pw = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
                opts = opts.password(pw.trim_end())
            }
            "--ca-cert" => {
                let path = value()?;
                opts = opts
                    .ca_cert(std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?)
            }
            "-h" | "--help" => return Err(usage().to_string()),
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
        real = true;
    }
    if let Some(name) = named {
        if !opts.get_endpoints().is_empty() {
            return Err(format!(
                "--controller and --endpoint cannot be used together\n{}",
                usage()
            ));
        }
        return Ok(Some(Target::Named(name)));
    }
    if real && opts.get_endpoints().is_empty() {
        return Err(format!(
            "--endpoint is required for a real controller\n{}",
            usage()
        ));
    }
    Ok(real.then(|| Target::Explicit(Box::new(opts))))
}

fn run(ctrl: &Controller) -> Result<(), Error> {
    let config = VaultConfig::new("https://vault.example.com:8200").token("s.quickstart-token");
    println!("add: myvault (vault)");
    ctrl.add_secret_backends("", "myvault", "vault", config)?;

    println!("list:");
    for b in ctrl.list_secret_backends(false)? {
        println!(
            "  {:<14} {:<10} secrets={} status={}",
            b.name, b.backend_type, b.num_secrets, b.status
        );
    }

    println!("update: rename myvault to changed_name");
    ctrl.update_secret_backends(
        "myvault",
        UpdateSecretBackend::new().name_change("changed_name"),
    )?;

    println!("remove: changed_name");
    ctrl.remove_secret_backends("changed_name", false)?;

    let left: Vec<String> = ctrl
        .list_secret_backends(false)?
        .into_iter()
        .map(|b| b.name)
        .collect();
    println!("left: {}", left.join(", "));
    Ok(())
}

fn main() -> ExitCode {
    env_logger::init();
    let (opts, _fake) = match parse_args() {
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
        Ok(Some(Target::Named(name))) => match ConnectOptions::from_juju_data(Some(&name)) {
            Ok(opts) => {
                println!(
                    "using the real controller {name:?} ({}): this adds, renames and removes a backend named myvault",
                    opts.get_endpoints().join(", ")
                );
                (opts, None)
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        },
        Ok(Some(Target::Explicit(opts))) => {
            let opts = *opts;
            println!(
                "using the real controller at {}: this adds, renames and removes a backend named myvault",
                opts.get_endpoints().join(", ")
            );
            (opts, None)
        }
        Ok(None) => match start_fake() {
            Ok(started) => started,
            Err(msg) => {
                eprintln!("{msg}");
                return ExitCode::FAILURE;
            }
        },
    };
    let result = Controller::connect(&opts).and_then(|ctrl| {
        println!(
            "connected to Juju {} as {}",
            ctrl.server_version(),
            ctrl.user()
        );
        run(&ctrl)?;
        ctrl.close()
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
