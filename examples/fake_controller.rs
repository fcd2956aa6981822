//! Runs the built-in fake Juju controller until killed, for trying clients against it.
//!
//! ```text
//! cargo run --features testing --example fake_controller [-- --port N] [--juju-data DIR] [--juju-version V]
//! ```
//!
//! `--juju-version V` picks the Juju it behaves as: 3.1.0 to 4.0.x (default 3.6.26); for
//! example `3.2.4` refuses clients that claim another major version, as Juju 3.2 does.
//!
//! It has the models a controller has right after `juju bootstrap`: `admin/controller` and
//! `admin/default`, each served at `/model/<uuid>/api`; `admin/default` has the
//! applications `mysql` and `wordpress`, as if deployed.
//!
//! With `--juju-data DIR` it also writes a juju client store there (`controllers.yaml`,
//! `accounts.yaml`, `models.yaml`) naming it controller `fake`, so `JUJU_DATA=DIR` tools
//! connect to it.
//!
//! Prints one JSON line on stdout: `{"endpoint", "ca_cert", "username", "password",
//! "models"}`, where `models` maps `owner/name` to the model's UUID.
//! Besides `admin` (controller `superuser`, owner of both models), three users have
//! controller access `login`: `bob` / `bob-password` (no model access), `reader` /
//! `reader-password` (`read` on `admin/default`) and `writer` / `writer-password` (`write`
//! on `admin/default`).

use juju_client::testing::FakeController;

const USAGE: &str = "fake_controller [--port N] [--juju-data DIR] [--juju-version V]";

fn main() {
    env_logger::init();
    let mut args = std::env::args().skip(1);
    let mut port = 0u16;
    let mut juju_data: Option<String> = None;
    let mut juju_version = juju_client::testing::FAKE_SERVER_VERSION.to_string();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().unwrap_or_default();
                port = match value.parse() {
                    Ok(p) => p,
                    Err(_) => {
                        eprintln!("error: --port needs a number from 0 to 65535, got {value:?}");
                        std::process::exit(2);
                    }
                };
            }
            "--juju-data" => match args.next() {
                Some(dir) => juju_data = Some(dir),
                None => {
                    eprintln!("error: --juju-data needs a directory");
                    std::process::exit(2);
                }
            },
            "--juju-version" => match args.next() {
                Some(v) => juju_version = v,
                None => {
                    eprintln!("error: --juju-version needs a version, such as 3.2.4");
                    std::process::exit(2);
                }
            },
            "-h" | "--help" => {
                println!("usage: {USAGE}");
                return;
            }
            other => {
                eprintln!("error: unknown argument {other:?} (usage: {USAGE})");
                std::process::exit(2);
            }
        }
    }
    let fake = match FakeController::builder()
        .port(port)
        .juju_version(&juju_version)
        .start()
    {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    if let Some(dir) = &juju_data
        && let Err(e) = fake.write_juju_data(dir.as_ref(), "fake")
    {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    let s = |v: &str| serde_json::Value::String(v.to_string());
    let models: serde_json::Map<String, serde_json::Value> = ["admin/controller", "admin/default"]
        .into_iter()
        .map(|m| (m.to_string(), s(&fake.model_uuid(m).unwrap_or_default())))
        .collect();
    println!(
        "{{\"endpoint\": {}, \"ca_cert\": {}, \"username\": \"admin\", \"password\": {}, \
         \"models\": {}}}",
        s(&fake.endpoint()),
        s(fake.ca_cert_pem()),
        s(fake.password()),
        serde_json::Value::Object(models)
    );
    eprintln!(
        "fake Juju {juju_version} controller serving on {} (Ctrl-C to stop)",
        fake.endpoint()
    );
    loop {
        std::thread::park();
    }
}
