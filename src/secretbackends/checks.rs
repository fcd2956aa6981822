//! The checks made before sending. Only what a controller answers badly is refused here,
//! so the checks cannot go stale as Juju adds config keys (vault `mount-path` came in
//! 3.6.12): an empty or reserved name (Juju 3.6 answers a reserved one with
//! `backend "not valid" %!w(MISSING)` and no code), a zero rotate interval on add to a 3.x
//! controller (`secret backend missing next rotate time not valid`), and an interval too
//! long to send. Config keys, types and intervals under an hour are the controller's to
//! judge; its answer comes back with its code and text, echoed values redacted.

use std::time::Duration;

use super::types::{AddSecretBackend, UpdateSecretBackend};
use crate::error::{Error, ErrorCode};
use crate::goduration::format_go_duration;

pub(super) const RESERVED_NAMES: &[&str] = &["internal", "auto"];

pub(super) fn not_valid(msg: String) -> Error {
    Error::invalid(msg).with_code(ErrorCode::NotValid)
}

pub(super) fn check_name(name: &str, what: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(not_valid(format!("{what} must not be empty")));
    }
    if RESERVED_NAMES.contains(&name) {
        return Err(not_valid(format!(
            "{what} {name:?} is reserved (internal and auto name the controller's own stores)"
        )));
    }
    Ok(())
}

/// The wire carries an interval as Go's `time.Duration`: signed 64-bit nanoseconds.
fn check_sendable(interval: Duration) -> Result<(), Error> {
    if interval.as_nanos() > i64::MAX as u128 {
        return Err(not_valid(format!(
            "token rotate interval {} is too long",
            format_go_duration(interval)
        )));
    }
    Ok(())
}

/// What the SDK checks depends on the controller, so that it never refuses what the
/// controller accepts.
#[derive(Clone, Copy)]
pub(super) struct Server {
    /// Juju 3.x refuses a zero rotate interval on add (badly worded); 4.0 stores it.
    pub(super) refuses_zero_rotate_on_add: bool,
}

impl Server {
    pub(super) fn of(major: Option<u32>) -> Server {
        Server {
            // An unknown version: let the controller answer.
            refuses_zero_rotate_on_add: major.is_some_and(|m| m < 4),
        }
    }
}

pub(super) fn check_add(a: &AddSecretBackend, server: Server) -> Result<(), Error> {
    check_name(&a.name, "secret backend name")?;
    if let Some(i) = a.token_rotate_interval {
        if i.is_zero() && server.refuses_zero_rotate_on_add {
            return Err(not_valid(
                "token rotate interval cannot be 0 when adding a backend to a Juju 3 \
                 controller (leave it unset for no rotation)"
                    .into(),
            ));
        }
        check_sendable(i)?;
    }
    Ok(())
}

/// The same checks as [`check_add`], for what an update can carry.
pub(super) fn check_update(name: &str, u: &UpdateSecretBackend) -> Result<(), Error> {
    check_name(name, "secret backend name")?;
    if let Some(new) = &u.name_change {
        check_name(new, "new secret backend name")?;
    }
    if let Some(Some(i)) = u.token_rotate_interval {
        check_sendable(i)?;
    }
    Ok(())
}

pub(super) fn nanos(d: Duration) -> u64 {
    d.as_nanos() as u64
}
