//! Replays the fuzzing corpus (fuzz/corpus: hand-made tricky replies and frames, and the
//! inputs `cargo fuzz` found that reached new code) through the same entry points the fuzz
//! targets use. A panic fails the test; every input must decode or fail cleanly.
#![cfg(feature = "fuzzing")]

use std::path::Path;

fn replay(dir: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(dir);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| run(&bytes));
        assert!(outcome.is_ok(), "{} panicked", path.display());
        n += 1;
    }
    n
}

#[test]
fn every_corpus_reply_decodes_or_fails_cleanly() {
    let n = replay("reply_decoder", juju_client::fuzzing::decode_reply_bytes);
    assert!(n >= 20, "the corpus has {n} inputs");
}

#[test]
fn every_corpus_frame_stream_reads_or_fails_cleanly() {
    let n = replay("websocket_frames", juju_client::fuzzing::read_frames);
    assert!(n >= 15, "the corpus has {n} inputs");
}

#[test]
fn every_corpus_server_stream_leaves_the_client_within_its_deadlines() {
    let n = replay("whole_client", juju_client::fuzzing::client_against);
    assert!(n >= 15, "the corpus has {n} inputs");
}
