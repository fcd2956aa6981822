//! Arbitrary bytes as what a server sends after the upgrade: frames, fragments, control
//! frames, oversized lengths; each message is then decoded as a reply.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    juju_client::fuzzing::read_frames(data);
});
