//! Arbitrary bytes as a reply message: the envelope and every typed body must decode or
//! fail cleanly, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    juju_client::fuzzing::decode_reply_bytes(data);
});
