//! Small helpers with no better home: randomness without an extra dependency, deadlines.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// A random 64-bit value. `RandomState` is seeded from the operating system's randomness;
/// hashing a process-wide counter with it gives a fresh value every call.
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.finish()
}

/// `now + d`, or a point so far off that it never comes when the sum would overflow
/// (`Duration::MAX` means "no limit" to a caller, not a panic).
pub(crate) fn deadline_after(d: std::time::Duration) -> std::time::Instant {
    let now = std::time::Instant::now();
    now.checked_add(d).unwrap_or_else(|| {
        // About a century: far enough to be "never", near enough not to overflow.
        now + std::time::Duration::from_secs(100 * 365 * 24 * 3600)
    })
}

/// What is left before `deadline`, or `None` once it has passed.
pub(crate) fn remaining(deadline: std::time::Instant) -> Option<std::time::Duration> {
    deadline
        .checked_duration_since(std::time::Instant::now())
        .filter(|d| !d.is_zero())
}

/// `n` random lowercase hex digits.
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
pub(crate) fn random_hex(n: usize) -> String {
    let mut s = String::with_capacity(n + 16);
    while s.len() < n {
        s.push_str(&format!("{:016x}", random_u64()));
    }
    s.truncate(n);
    s
}

/// A random (version 4) UUID.
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
pub(crate) fn random_uuid() -> String {
    let h = random_hex(32);
    let variant = ["8", "9", "a", "b"][(random_u64() % 4) as usize];
    format!(
        "{}-{}-4{}-{}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        variant,
        &h[17..20],
        &h[20..32]
    )
}

/// True for a UUID in its canonical 8-4-4-4-12 hex form.
pub(crate) fn is_uuid(id: &str) -> bool {
    let mut parts = id.split('-');
    [8, 4, 4, 4, 12].iter().all(|&n| {
        parts
            .next()
            .is_some_and(|p| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
    }) && parts.next().is_none()
}

/// True when an I/O error means only that a read or write ran out of time (a socket
/// timeout or a non-blocking read with nothing there): the stream is still usable.
pub(crate) fn is_timeout_io(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Text from elsewhere (a URL that did not parse, a host), for an error message: quoted, escaped (no raw control
/// character reaches a log line) and cut to 200 characters.
pub(crate) fn escaped(url: &str) -> String {
    let cut: String = url.chars().take(200).collect();
    if cut.len() < url.len() {
        format!("{cut:?}…")
    } else {
        format!("{cut:?}")
    }
}

/// A flag that, once set, wakes everyone waiting on it at once (the end of a dial race, a
/// keepalive told to stop).
#[derive(Default)]
pub(crate) struct Signal {
    set: std::sync::Mutex<bool>,
    cv: std::sync::Condvar,
}

impl Signal {
    /// Sets the flag and wakes every waiter.
    pub(crate) fn set(&self) {
        *self.set.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cv.notify_all();
    }

    /// Waits up to `d` unless the flag is set; true when it is.
    pub(crate) fn wait(&self, d: std::time::Duration) -> bool {
        let g = self.set.lock().unwrap_or_else(|e| e.into_inner());
        let (g, _) = self
            .cv
            .wait_timeout_while(g, d, |set| !*set)
            .unwrap_or_else(|e| e.into_inner());
        *g
    }
}

/// Declares a public enum of wire strings Juju may add to: the known values as variants,
/// anything else kept verbatim in `Other`, `as_str`, `From<&str>`, `Display`, `Serialize`
/// (as the string) and comparison with `&str` (so `access == "admin"` reads as before).
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
        example: $example:literal
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this crate does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            #[doc = concat!(
                "The wire string.\n\n```\nuse juju_client::", stringify!($name), ";\n",
                "assert_eq!(", stringify!($name), "::from(\"", $example, "\").as_str(), \"",
                $example, "\");\n```"
            )]
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )+
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_recognised_and_generated() {
        assert!(is_uuid("0f7c2b1e-0000-4000-8000-000000000001"));
        assert!(is_uuid(&random_uuid()));
        assert!(!is_uuid("6438a8e4f1e2d3c4b5a69788"));
        assert!(!is_uuid("0f7c2b1e-0000-4000-8000-000000000001-0"));
        assert!(!is_uuid("0f7c2b1e-0000-4000-8000-00000000000g"));
        assert_ne!(random_uuid(), random_uuid());
    }

    #[test]
    fn deadlines_saturate_instead_of_overflowing() {
        let far = deadline_after(std::time::Duration::MAX);
        assert!(far > std::time::Instant::now() + std::time::Duration::from_secs(3600 * 24 * 365));
    }
}
