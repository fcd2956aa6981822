//! Benchmark: what the SDK costs on top of the WebSocket round trip, as ratios measured side
//! by side in one run (absolute times drift on shared machines; interleaved ratios hold).
//!
//! ```text
//! cargo run --release --features testing --example bench [-- --rounds 15 --calls 2000]
//! cargo run --release --features testing --example bench -- --only secrets [--secrets 1000]
//! ```
//!
//! The fake controller runs in a child process (this binary with `--serve`). Each
//! comparison alternates the SDK and a bare tungstenite + native-tls client, round after
//! round, and reports the median, min and max of each side and the median of the per-round
//! ratios. `--only secrets` runs only the revealed `list_secrets` comparison, on a model
//! holding `--secrets N` (default 1,000) user secrets. If python-libjuju is installed in `target/interop-venv` (`bash .ci/test` does
//! that) its `list_secret_backends` calls/s are measured against the same fake too.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use juju_client::secretbackends::{AddSecretBackend, VaultConfig};
use juju_client::secrets::{AddSecret, SecretContent, SecretFilter};
use juju_client::testing::{FakeController, Fault};
use juju_client::{Controller, Model};

mod support;
use serde::Deserialize;
use serde_json::{Value, json};
use support::{Bare, LIST, LIST_SECRETS_REVEALED, Target, bare_connector};

const BIG: usize = 10_000;
/// How many user secrets the revealed `list_secrets` comparison lists, unless `--secrets N`.
const SECRETS: usize = 1_000;

// ---- the child processes -----------------------------------------------------------

/// A fake whose `admin/default` holds `n` user secrets with distinct small contents, added
/// through the SDK in one batch call (one round trip).
fn secrets_fake(n: usize) -> (FakeController, String) {
    let fake = FakeController::builder()
        .record_requests(false)
        .start()
        .unwrap();
    let uuid = fake.model_uuid("admin/default").unwrap();
    let model = Model::connect(
        &fake
            .connect_options()
            .call_timeout(Duration::from_secs(300)),
        &uuid,
    )
    .unwrap();
    let adds: Vec<AddSecret> = (0..n)
        .map(|i| {
            let content = SecretContent::from_pairs([
                ("username", format!("user-{i:04}")),
                ("password", format!("pw-{i:04}-s3cret")),
            ])
            .unwrap();
            AddSecret::new(&format!("secret-{i:04}"), content).info("bench")
        })
        .collect();
    for r in model.add_secrets(&adds).unwrap() {
        r.unwrap();
    }
    (fake, uuid)
}

/// `--serve`: two fakes, one with 2 backends listed (internal + one), one with 10,001; and
/// one whose model holds `--secrets N` user secrets. With `--only secrets`, that one alone.
fn serve(n_secrets: usize, only_secrets: bool) {
    let (secrets, uuid) = secrets_fake(n_secrets);
    let info = |f: &FakeController| json!({"endpoint": f.endpoint(), "ca_cert": f.ca_cert_pem(), "password": f.password()});
    let mut secrets_info = info(&secrets);
    secrets_info["uuid"] = json!(uuid);
    if only_secrets {
        println!("{}", json!({ "secrets": secrets_info }));
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        return;
    }
    let small = FakeController::builder()
        .record_requests(false)
        .start()
        .unwrap();
    let big = FakeController::builder()
        .record_requests(false)
        .start()
        .unwrap();
    let ctrl = Controller::connect(&small.connect_options()).unwrap();
    ctrl.add_secret_backends(
        "",
        "myvault",
        "vault",
        VaultConfig::new("https://vault:8200").token("t"),
    )
    .unwrap();
    let ctrl =
        Controller::connect(&big.connect_options().call_timeout(Duration::from_secs(300))).unwrap();
    let adds: Vec<AddSecretBackend> = (0..BIG)
        .map(|i| {
            AddSecretBackend::new(
                format!("vault-{i:05}"),
                "vault",
                VaultConfig::new(format!("https://vault-{i}.example:8200"))
                    .token("s.token")
                    .namespace("team"),
            )
        })
        .collect();
    for r in ctrl.add_secret_backends_batch(&adds).unwrap() {
        r.unwrap();
    }
    // A controller 20 ms away (every list answered after 20 ms), and one whose
    // AddSecretBackends takes 5 s (a vault that is slow to answer its ping).
    let delayed = FakeController::builder()
        .record_requests(false)
        .start()
        .unwrap();
    delayed.inject(
        "ListSecretBackends",
        Fault::Delay(Duration::from_millis(20)),
    );
    let slow = FakeController::builder()
        .record_requests(false)
        .start()
        .unwrap();
    slow.inject("AddSecretBackends", Fault::Delay(Duration::from_secs(5)));
    println!(
        "{}",
        json!({"small": info(&small), "big": info(&big), "delayed": info(&delayed), "slow": info(&slow), "secrets": secrets_info})
    );
    // Serve until the parent closes our stdin.
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

// ---- statistics ----------------------------------------------------------------------

struct Series(Vec<f64>);

impl Series {
    fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v
    }
    fn median(&self) -> f64 {
        let v = self.sorted();
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    }
    fn min(&self) -> f64 {
        self.sorted()[0]
    }
    fn max(&self) -> f64 {
        *self.sorted().last().unwrap()
    }
}

fn row(what: &str, unit: &str, sdk: &Series, limit: &Series, ratios: &Series, target: &str) {
    println!(
        "{what:<34} {:>10.2} [{:>9.2} .. {:>9.2}]  {:>10.2} [{:>9.2} .. {:>9.2}] {unit:<8} {:>6.3}  {target}",
        sdk.median(),
        sdk.min(),
        sdk.max(),
        limit.median(),
        limit.min(),
        limit.max(),
        ratios.median(),
    );
}

/// Runs `a` and `b` alternately (order swapped every round) and returns their values and
/// the per-round ratios a/b.
fn interleave(
    rounds: usize,
    mut a: impl FnMut() -> f64,
    mut b: impl FnMut() -> f64,
) -> (Series, Series, Series) {
    let (mut va, mut vb, mut r) = (vec![], vec![], vec![]);
    for i in 0..rounds {
        let (x, y) = if i % 2 == 0 {
            let x = a();
            (x, b())
        } else {
            let y = b();
            (a(), y)
        };
        va.push(x);
        vb.push(y);
        r.push(x / y);
    }
    (Series(va), Series(vb), Series(r))
}

/// Pins the fake (a child) to core 1 and this process to core 0 when `taskset` exists and
/// the machine has two cores or more, so that runs are comparable.
fn pinned() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
        && Command::new("taskset")
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

fn spawn_self(args: &[&str]) -> Child {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = if pinned() {
        let mut c = Command::new("taskset");
        c.arg("-c").arg("1").arg(exe);
        c
    } else {
        Command::new(exe)
    };
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Runs `bench_lifecycle` (a small binary, so that the RSS is the SDK's and not this
/// benchmark's), building it first if needed.
fn child_number(args: &[&str]) -> f64 {
    let exe = std::env::current_exe().unwrap();
    let helper = exe.with_file_name("bench_lifecycle");
    if !helper.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--example", "bench_lifecycle"]);
        if exe.components().any(|c| c.as_os_str() == "release") {
            build.arg("--release");
        }
        assert!(
            build.status().unwrap().success(),
            "building bench_lifecycle"
        );
    }
    let out = Command::new(helper).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn libjuju_python() -> Option<std::path::PathBuf> {
    let p = std::env::var_os("LIBJUJU_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "target/interop-venv/bin/python".into());
    let ok = Command::new(&p)
        .args(["-c", "import juju"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(p)
}

fn main() {
    env_logger::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map_or(default, |v| v.parse().expect("a number"))
    };
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str);
    if let Some(other) = only.filter(|o| *o != "secrets") {
        eprintln!("error: --only takes `secrets`, not {other:?}");
        std::process::exit(2);
    }
    let only_secrets = only == Some("secrets");
    let n_secrets = arg("--secrets", SECRETS);
    if args.first().map(String::as_str) == Some("--serve") {
        return serve(n_secrets, only_secrets);
    }
    let rounds = arg("--rounds", 15);
    let calls = arg("--calls", 2000);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let pin = pinned();
    if pin {
        let _ = Command::new("taskset")
            .args(["-a", "-p", "-c", "0", &std::process::id().to_string()])
            .stdout(Stdio::null())
            .status();
    }

    let n_arg = n_secrets.to_string();
    let mut serve_args = vec!["--serve", "--secrets", &n_arg];
    if only_secrets {
        serve_args.extend(["--only", "secrets"]);
    }
    let mut server = spawn_self(&serve_args);
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).unwrap();
    if only_secrets {
        header(rounds, cores, pin);
        secrets_section(&info["secrets"], n_secrets, rounds, calls);
        if let Some(mut stdin) = server.stdin.take() {
            let _ = stdin.write_all(b"\n");
        }
        let _ = server.wait();
        return;
    }
    let small = Target::from_json(&info["small"]);
    let big = Target::from_json(&info["big"]);
    let delayed = Target::from_json(&info["delayed"]);
    let slow = Target::from_json(&info["slow"]);

    // `--profile sdk|bare|sdk-big|bare-big`: only that side's calls, for
    // `valgrind --tool=callgrind`, which counts instructions repeatably on a noisy machine.
    if let Some(i) = args.iter().position(|a| a == "--profile") {
        let side = args.get(i + 1).map_or("sdk", String::as_str);
        let big_list = side.ends_with("-big");
        let target = if big_list { &big } else { &small };
        let n = if big_list { calls.min(20) } else { calls };
        let started;
        if side.starts_with("sdk") {
            let ctrl = Controller::connect(&target.options()).unwrap();
            started = Instant::now();
            for _ in 0..n {
                ctrl.list_secret_backends(false).unwrap();
            }
        } else {
            let mut bare = Bare::connect(target, &bare_connector(target));
            started = Instant::now();
            for _ in 0..n {
                let reply = bare.call(LIST);
                if big_list {
                    let _: Value = serde_json::from_str(reply.as_str()).unwrap();
                }
            }
        }
        eprintln!("{side}: {:?} per call", started.elapsed() / n as u32);
        if let Some(mut stdin) = server.stdin.take() {
            let _ = stdin.write_all(b"\n");
        }
        let _ = server.wait();
        return;
    }

    header(rounds, cores, pin);

    // 1 and 2: calls per second, two backends listed.
    let ctrl = Controller::connect(&small.options()).unwrap();
    assert_eq!(ctrl.list_secret_backends(false).unwrap().len(), 2);
    let mut bare = Bare::connect(&small, &bare_connector(&small));
    let (s, b, r) = interleave(
        rounds,
        || {
            let t = Instant::now();
            for _ in 0..calls {
                ctrl.list_secret_backends(false).unwrap();
            }
            calls as f64 / t.elapsed().as_secs_f64()
        },
        || {
            let t = Instant::now();
            for _ in 0..calls {
                bare.call(LIST);
            }
            calls as f64 / t.elapsed().as_secs_f64()
        },
    );
    row(
        "list (2 backends) calls/s",
        "calls/s",
        &s,
        &b,
        &r,
        ">= 0.95",
    );

    // 2b: client CPU per call (this thread's, from the scheduler), same calls.
    let (s, b, r) = interleave(
        rounds,
        || {
            let t = thread_cpu_ns();
            for _ in 0..calls {
                ctrl.list_secret_backends(false).unwrap();
            }
            (thread_cpu_ns() - t) as f64 / calls as f64 / 1e3
        },
        || {
            let t = thread_cpu_ns();
            for _ in 0..calls {
                bare.call(LIST);
            }
            (thread_cpu_ns() - t) as f64 / calls as f64 / 1e3
        },
    );
    row("client CPU per list call", "us", &s, &b, &r, "<= 1.10");

    threads_section(&delayed, &slow, rounds, calls);

    // 3: connect time.
    let connector = bare_connector(&small);
    let (s, b, r) = interleave(
        rounds * 2,
        || {
            let t = Instant::now();
            let c = Controller::connect(&small.options()).unwrap();
            let ms = t.elapsed().as_secs_f64() * 1e3;
            drop(c);
            ms
        },
        || {
            let t = Instant::now();
            let c = Bare::connect(&small, &connector);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            drop(c);
            ms
        },
    );
    row("connect (tcp+tls+ws+login)", "ms", &s, &b, &r, "<= 1.20");

    // 4: listing 10,000 backends.
    let big_ctrl = Controller::connect(&big.options()).unwrap();
    assert_eq!(big_ctrl.list_secret_backends(false).unwrap().len(), BIG + 1);
    let mut big_bare = Bare::connect(&big, &bare_connector(&big));
    let (s, b, r) = interleave(
        rounds,
        || {
            let t = Instant::now();
            let n = big_ctrl.list_secret_backends(false).unwrap().len();
            assert_eq!(n, BIG + 1);
            t.elapsed().as_secs_f64() * 1e3
        },
        || {
            let t = Instant::now();
            let reply = big_bare.call(LIST);
            let v: Value = serde_json::from_str(reply.as_str()).unwrap();
            assert_eq!(v["response"]["results"].as_array().unwrap().len(), BIG + 1);
            t.elapsed().as_secs_f64() * 1e3
        },
    );
    row("list 10,000 backends", "ms", &s, &b, &r, "<= 1.30");

    secrets_section(&info["secrets"], n_secrets, rounds, calls);

    // 5: peak RSS of a process running the seed lifecycle.
    let target = info["small"].to_string();
    let (s, b, r) = interleave(
        3,
        || child_number(&["sdk", &target]) / 1024.0,
        || child_number(&["bare", &target]) / 1024.0,
    );
    row(
        "peak RSS, seed lifecycle",
        "MiB",
        &s,
        &b,
        &r,
        "SDK <= 10 MiB",
    );

    // python-libjuju against the same fake.
    match libjuju_python() {
        Some(python) => {
            let mut lj = vec![];
            let mut sdk = vec![];
            let mut ratio = vec![];
            let py_calls = calls.min(1000);
            for _ in 0..5.min(rounds) {
                let out = Command::new(&python)
                    .args([
                        "tests/interop/bench_libjuju.py",
                        line.trim(),
                        &py_calls.to_string(),
                    ])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let text = String::from_utf8_lossy(&out.stdout);
                let v: f64 = text.lines().last().unwrap().trim().parse().unwrap();
                let t = Instant::now();
                for _ in 0..py_calls {
                    ctrl.list_secret_backends(false).unwrap();
                }
                let mine = py_calls as f64 / t.elapsed().as_secs_f64();
                lj.push(v);
                sdk.push(mine);
                ratio.push(mine / v);
            }
            row(
                "list calls/s vs python-libjuju",
                "calls/s",
                &Series(sdk),
                &Series(lj),
                &Series(ratio),
                ">= 5.0",
            );
        }
        None => println!(
            "python-libjuju: not installed in target/interop-venv (run bash .ci/test first); skipped"
        ),
    }

    if let Some(mut stdin) = server.stdin.take() {
        let _ = stdin.write_all(b"\n");
    }
    let _ = server.wait();
}

fn header(rounds: usize, cores: usize, pin: bool) {
    println!(
        "juju-client benchmark: {rounds} rounds, interleaved; fake controller in a child process"
    );
    println!("machine: {cores} cores; {}", cpu_model());
    println!(
        "pinning: {}",
        if pin {
            "client on core 0, fake on core 1 (taskset)"
        } else {
            "none (no taskset, or one core)"
        }
    );
    println!();
    println!(
        "{:<34} {:>34}  {:>34} {:<8} {:>6}  target",
        "measure", "SDK median [min .. max]", "bare median [min .. max]", "unit", "ratio"
    );
}

/// The bare client's plain reading of a `ListSecrets` reply: the wire's fields, as sent.
#[derive(Deserialize)]
struct PlainReply {
    response: PlainSecrets,
}

#[derive(Deserialize)]
struct PlainSecrets {
    results: Vec<PlainSecret>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainSecret {
    uri: String,
    #[serde(rename = "owner-tag")]
    owner_tag: String,
    label: Option<String>,
    description: Option<String>,
    #[serde(rename = "latest-revision")]
    latest_revision: u32,
    #[serde(rename = "latest-revision-checksum")]
    checksum: String,
    #[serde(rename = "create-time")]
    create_time: String,
    #[serde(rename = "update-time")]
    update_time: String,
    revisions: Option<Vec<PlainRevision>>,
    #[serde(default)]
    access: Vec<Value>,
    value: Option<PlainValue>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PlainRevision {
    revision: u32,
    #[serde(rename = "backend-name")]
    backend: Option<String>,
    #[serde(rename = "create-time")]
    create_time: String,
    #[serde(rename = "update-time")]
    update_time: String,
}

#[derive(Deserialize)]
struct PlainValue {
    data: Option<std::collections::HashMap<String, String>>,
}

/// `model.list_secrets(&SecretFilter::new(), true)` of `n` secrets on a model connection,
/// against the bare client sending the same `ListSecrets` request on its own model
/// connection and decoding the same reply into plain structs (base64 left undecoded).
fn secrets_section(info: &Value, n: usize, rounds: usize, calls: usize) {
    let target = Target::from_json(info);
    let uuid = info["uuid"].as_str().unwrap();
    let model = Model::connect(
        &target.options().call_timeout(Duration::from_secs(300)),
        uuid,
    )
    .unwrap();
    let mut bare = Bare::connect_model(&target, &bare_connector(&target), uuid);
    let filter = SecretFilter::new();
    let bare_list = |bare: &mut Bare| -> Vec<PlainSecret> {
        let reply = bare.call(LIST_SECRETS_REVEALED);
        serde_json::from_str::<PlainReply>(reply.as_str())
            .unwrap()
            .response
            .results
    };
    // Both sides see the same n secrets, revealed, before anything is timed.
    let listed = model.list_secrets(&filter, true).unwrap();
    let plain = bare_list(&mut bare);
    assert_eq!(listed.len(), n);
    assert_eq!(plain.len(), n);
    let mut sdk_uris: Vec<String> = listed.iter().map(|s| s.uri.to_string()).collect();
    let mut bare_uris: Vec<String> = plain.iter().map(|s| s.uri.clone()).collect();
    sdk_uris.sort();
    bare_uris.sort();
    assert_eq!(sdk_uris, bare_uris);
    assert!(
        listed
            .iter()
            .all(|s| s.content.as_ref().is_some_and(|c| c.len() == 2))
    );
    assert!(plain.iter().all(|s| {
        s.value
            .as_ref()
            .and_then(|v| v.data.as_ref())
            .is_some_and(|d| d.len() == 2)
    }));
    drop((listed, plain));

    // A revealed list of 1,000 is a ~550 kB reply: a hundredth of the small-list calls.
    let per_round = (calls / 100).max(1);
    let (s, b, r) = interleave(
        rounds,
        || {
            let t = Instant::now();
            for _ in 0..per_round {
                assert_eq!(model.list_secrets(&filter, true).unwrap().len(), n);
            }
            per_round as f64 / t.elapsed().as_secs_f64()
        },
        || {
            let t = Instant::now();
            for _ in 0..per_round {
                assert_eq!(bare_list(&mut bare).len(), n);
            }
            per_round as f64 / t.elapsed().as_secs_f64()
        },
    );
    row(
        &format!("list {n} secrets, revealed"),
        "calls/s",
        &s,
        &b,
        &r,
        ">= 0.90",
    );
}

/// CPU time this thread has used, in nanoseconds (`/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// Threads on one handle against a controller 20 ms away, and a 5 s call among quick ones.
fn threads_section(delayed: &Target, slow: &Target, rounds: usize, calls: usize) {
    use std::sync::Arc;
    let per_thread = (calls / 100).max(2);
    let ctrl = Arc::new(Controller::connect(&delayed.options()).unwrap());
    ctrl.list_secret_backends(false).unwrap();
    let counts = [1usize, 2, 4, 8, 16];
    let mut rates: Vec<Vec<f64>> = vec![vec![]; counts.len()];
    for round in 0..rounds {
        for k in 0..counts.len() {
            // Rotate the order every round, as the other comparisons alternate.
            let k = (k + round) % counts.len();
            let n = counts[k];
            let t = Instant::now();
            let threads: Vec<_> = (0..n)
                .map(|_| {
                    let ctrl = ctrl.clone();
                    std::thread::spawn(move || {
                        for _ in 0..per_thread {
                            ctrl.list_secret_backends(false).unwrap();
                        }
                    })
                })
                .collect();
            for th in threads {
                th.join().unwrap();
            }
            rates[k].push((n * per_thread) as f64 / t.elapsed().as_secs_f64());
        }
    }
    let one = Series(rates[0].clone()).median();
    for (k, n) in counts.iter().enumerate() {
        let s = Series(rates[k].clone());
        let target = match n {
            8 => ">= 6.0 x 1 thread",
            16 => ">= 10.0 x 1 thread",
            _ => "",
        };
        println!(
            "{:<34} {:>10.2} [{:>9.2} .. {:>9.2}]  {:>34} {:<8} {:>6.3}  {target}",
            format!("{n:>2} threads, replies after 20 ms"),
            s.median(),
            s.min(),
            s.max(),
            "(ratio: vs 1 thread)",
            "calls/s",
            s.median() / one,
        );
    }

    // Quick calls from 4 threads, alone and while a 5 s call is in flight on the handle.
    let ctrl = Arc::new(Controller::connect(&slow.options()).unwrap());
    let quick = |ctrl: &Arc<Controller>| -> Vec<f64> {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let ctrl = ctrl.clone();
                std::thread::spawn(move || {
                    (0..calls / 4)
                        .map(|_| {
                            let t = Instant::now();
                            ctrl.list_secret_backends(false).unwrap();
                            t.elapsed().as_secs_f64() * 1e3
                        })
                        .collect::<Vec<f64>>()
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect()
    };
    let p99 = |v: Vec<f64>| {
        let s = Series(v).sorted();
        s[((s.len() as f64 * 0.99) as usize).min(s.len() - 1)]
    };
    let alone = p99(quick(&ctrl));
    let slow_call = {
        let ctrl = ctrl.clone();
        std::thread::spawn(move || {
            let t = Instant::now();
            let _ =
                ctrl.add_secret_backends("", "slow", "vault", VaultConfig::new("https://s:8200"));
            t.elapsed()
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    let t = Instant::now();
    let with_slow = p99(quick(&ctrl));
    let quick_took = t.elapsed();
    let slow_took = slow_call.join().unwrap();
    println!(
        "{:<34} {:>10.3} ms p99 with a 5 s call in flight, {:.3} ms without (ratio {:.2}); \
         the quick calls took {:.2} s, the slow one {:.2} s",
        "4 threads of quick calls",
        with_slow,
        alone,
        with_slow / alone,
        quick_took.as_secs_f64(),
        slow_took.as_secs_f64(),
    );
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown cpu".into())
}
