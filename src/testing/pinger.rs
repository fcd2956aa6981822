//! The fake's `Pinger` facade: `Ping` and `Stop` answer `{}`. A user's connection has no
//! ping timeout in Juju, so nothing else happens.

use super::server::Ctx;
use super::wire::Reply;

/// Dispatches a `Pinger` method.
pub(crate) fn call(ctx: &mut Ctx<'_>) -> Reply {
    match ctx.method {
        "Ping" | "Stop" => Ok("{}".to_string()),
        _ => Err(ctx.no_such_method()),
    }
}
