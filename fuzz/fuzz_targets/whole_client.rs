//! The whole client against a hostile server: after an honest TLS handshake, upgrade and
//! login, the server sends arbitrary bytes (frames, fragments, pings, closes, garbage)
//! while a `Controller` makes calls. Any panic, or any call or close past its bound, fails.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    juju_client::fuzzing::client_against(data);
});
