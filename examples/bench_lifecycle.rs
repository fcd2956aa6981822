//! Runs the seed lifecycle (add, list, rename, remove) once and prints the process's peak
//! RSS in KiB: through the SDK (`sdk`) or the bare client (`bare`). The benchmark
//! (`examples/bench.rs`) runs it in a child process; it is a separate, small program so
//! that what is measured is the client, not the benchmark and its fake controller.
//!
//! ```text
//! bench_lifecycle sdk|bare '{"endpoint": ..., "ca_cert": ..., "password": ...}'
//! ```

use juju_client::Controller;
use juju_client::secretbackends::{UpdateSecretBackend, VaultConfig};

mod support;
use support::{Bare, Target, bare_connector, peak_rss_kib};

/// Connects and runs the seed lifecycle through the SDK; print peak RSS.
fn lifecycle(t: &Target) {
    let ctrl = Controller::connect(&t.options()).unwrap();
    ctrl.add_secret_backends(
        "",
        "rss",
        "vault",
        VaultConfig::new("https://v:8200").token("t"),
    )
    .unwrap();
    ctrl.list_secret_backends(false).unwrap();
    ctrl.update_secret_backends("rss", UpdateSecretBackend::new().name_change("rss2"))
        .unwrap();
    ctrl.remove_secret_backends("rss2", false).unwrap();
    ctrl.close().unwrap();
    println!("{}", peak_rss_kib());
}

/// The same frames through the bare client; print peak RSS.
fn bare_lifecycle(t: &Target) {
    let mut b = Bare::connect(t, &bare_connector(t));
    for frame in [
        r#"{"type":"SecretBackends","version":1,"request":"AddSecretBackends","params":{"args":[{"name":"rss","backend-type":"vault","config":{"endpoint":"https://v:8200","token":"t"}}]}}"#,
        r#"{"type":"SecretBackends","version":1,"request":"ListSecretBackends","params":{"names":null,"reveal":false}}"#,
        r#"{"type":"SecretBackends","version":1,"request":"UpdateSecretBackends","params":{"args":[{"name":"rss","name-change":"rss2","token-rotate-interval":null,"config":null,"reset":null}]}}"#,
        r#"{"type":"SecretBackends","version":1,"request":"RemoveSecretBackends","params":{"args":[{"name":"rss2"}]}}"#,
    ] {
        b.call(frame);
    }
    println!("{}", peak_rss_kib());
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(side), Some(json)) = (args.first(), args.get(1)) else {
        eprintln!("usage: bench_lifecycle sdk|bare TARGET-JSON");
        std::process::exit(2);
    };
    let target = Target::from_json(&serde_json::from_str(json).expect("target JSON"));
    match side.as_str() {
        "sdk" => lifecycle(&target),
        "bare" => bare_lifecycle(&target),
        other => {
            eprintln!("unknown side {other:?}: expected sdk or bare");
            std::process::exit(2);
        }
    }
}
