//! Runs the built-in fake Juju controller until killed, for trying clients against it.
//!
//! ```text
//! cargo run --example fake_controller [-- --port N] [--juju-data DIR]
//! ```
//!
//! With `--juju-data DIR` it also writes a juju client store there (`controllers.yaml`,
//! `accounts.yaml`) naming it controller `fake`, so `JUJU_DATA=DIR` tools connect to it.
//!
//! Prints one JSON line on stdout: `{"endpoint", "ca_cert", "username", "password"}`.
//! A second user, `bob` / `bob-password`, has controller access `login` only.

use juju_client::testing::FakeController;

fn main() {
    env_logger::init();
    let mut args = std::env::args().skip(1);
    let mut port = 0u16;
    let mut juju_data: Option<String> = None;
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
            "-h" | "--help" => {
                println!("usage: fake_controller [--port N] [--juju-data DIR]");
                return;
            }
            other => {
                eprintln!("error: unknown argument {other:?} (usage: fake_controller [--port N] [--juju-data DIR])");
                std::process::exit(2);
            }
        }
    }
    let fake = match FakeController::builder().port(port).start() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    if let Some(dir) = &juju_data {
        if let Err(e) = fake.write_juju_data(dir.as_ref(), "fake") {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
    let s = |v: &str| serde_json::Value::String(v.to_string());
    println!(
        "{{\"endpoint\": {}, \"ca_cert\": {}, \"username\": \"admin\", \"password\": {}}}",
        s(&fake.endpoint()),
        s(fake.ca_cert_pem()),
        s(fake.password())
    );
    eprintln!(
        "fake Juju controller serving on {} (Ctrl-C to stop)",
        fake.endpoint()
    );
    loop {
        std::thread::park();
    }
}
