//! Entry points for fuzzing the reply path and the whole client (feature `fuzzing`; not a
//! stable API), and the scripted hostile server behind them (with feature `testing`).
//!
//! `fuzz/` feeds arbitrary bytes here with `cargo fuzz`; `tests/fuzz_corpus.rs` replays the
//! corpus it found, so CI checks that no input panics or overruns a deadline.

use std::io::{self, Read, Write};

use crate::rpc::{Decoded, decode_reply};
use crate::websocket::{Role, WebSocket};

/// Decodes `bytes` as a reply to request 1 in every shape the crate decodes: a raw value,
/// a login result, a secret-backend list and a batch result (matched against 1 to 3 items).
pub fn decode_reply_bytes(bytes: &[u8]) {
    let what = || "Fuzz.Reply".to_string();
    let _ = decode_reply::<serde_json::Value>(bytes, 1, &crate::redact::Redaction::GENERIC, &what);
    let _ = decode_reply::<crate::login::LoginResult>(
        bytes,
        1,
        &crate::redact::Redaction::GENERIC,
        &what,
    );
    if let Decoded::Mine(Ok(list)) = decode_reply::<crate::secretbackends::ListResults>(
        bytes,
        1,
        &crate::redact::Redaction::GENERIC,
        &what,
    ) {
        let _ = list.into_backends(&crate::redact::Redaction::GENERIC);
    }
    if let Decoded::Mine(Ok(results)) = decode_reply::<crate::params::ErrorResults>(
        bytes,
        1,
        &crate::redact::Redaction::GENERIC,
        &what,
    ) {
        let checks = || (0..3).map(|_| Ok(())).collect::<Vec<_>>();
        let _ = crate::params::merge_results(
            checks(),
            Some(results),
            &crate::secretbackends::FACADE,
            "Fuzz",
        );
    }
}

/// Reads WebSocket messages from `bytes` as a client would, until the input ends or a
/// protocol error; then decodes each message as a reply.
pub fn read_frames(bytes: &[u8]) {
    struct Input<'a>(&'a [u8]);
    impl Read for Input<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            // Deliver in small pieces, to exercise reassembly across reads.
            let n = buf.len().min(self.0.len()).min(7);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    impl Write for Input<'_> {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            Ok(data.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut ws = WebSocket::new(Input(bytes), Role::Client, 1 << 20, Vec::new());
    while let Ok(msg) = ws.read_message() {
        decode_reply_bytes(msg);
    }
}

#[cfg(feature = "testing")]
pub use crate::testing::hostile::{HostileServer, Stage, Step};

/// The longest a call may overrun its `call_timeout` before the whole-client target calls
/// it a hang: scheduling on a loaded machine, never the protocol.
#[cfg(feature = "testing")]
const OVERRUN: std::time::Duration = std::time::Duration::from_millis(1500);

/// The whole client against a server that logs it in and then sends `bytes` as they are
/// (frames, fragments, pings, closes, garbage), then closes. A `Controller` makes calls
/// meanwhile. Panics if any call, or closing, takes longer than its bound.
#[cfg(feature = "testing")]
pub fn client_against(bytes: &[u8]) {
    use std::time::{Duration, Instant};
    let call_timeout = Duration::from_millis(300);
    let server = HostileServer::start(Stage::LoggedIn, vec![Step::Send(bytes.to_vec())], 1)
        .expect("start the hostile server");
    let opts = server
        .connect_options()
        .connect_timeout(Duration::from_secs(5))
        .call_timeout(call_timeout);
    // Login itself is honest; only a failure to reach the server is not the client's fault.
    let ctrl = crate::Controller::connect(&opts).expect("login to the hostile server");
    for i in 0..3 {
        let started = Instant::now();
        let _ = if i == 1 {
            ctrl.call::<_, serde_json::Value>("Pinger", "Ping", &serde_json::json!({}))
                .map(|_| ())
        } else {
            ctrl.ping()
        };
        let took = started.elapsed();
        assert!(
            took <= call_timeout + OVERRUN,
            "call {i} took {took:?}, past its {call_timeout:?} deadline"
        );
    }
    let started = Instant::now();
    drop(ctrl);
    assert!(
        started.elapsed() <= OVERRUN,
        "drop took {:?}",
        started.elapsed()
    );
    server.join();
}
