//! The fake's all-watcher: `Client.WatchAll` and the `AllWatcher` facade (`Next`, `Stop`)
//! that python-libjuju runs on every model connection.
//!
//! Sources (3.6.26): `apiserver/facades/client/client/client.go` `WatchAll`,
//! `apiserver/watcher.go` (`SrvAllWatcher`, the model delta), `internal/worker/
//! multiwatcher/watcher.go` (`Next`: the first call returns the model's whole state, later
//! ones block until something changes or the watcher stops, then `watcher was stopped`),
//! `rpc/params/multiwatcher.go` (`Delta` is written `["model","change",{...}]`),
//! `apiserver/errors/errors.go` (`unknown watcher id` has code `not found`). The fake's
//! models never change, so a second `Next` waits until `Stop` or the connection ends;
//! other requests on the connection are answered meanwhile. In 4.0 `WatchAll` is a stub
//! that answers `not implemented` and there is no `AllWatcher` facade.

use std::collections::BTreeMap;

use serde_json::Value;

use super::modelconfig;
use super::server::Ctx;
use super::wire::{Obj, Reply, RpcErr, go_time};

/// One connection's all-watchers, by id.
#[derive(Default)]
pub(crate) struct Watchers {
    /// Resource ids count from 1 on each connection (`common.Resources`).
    last_id: u64,
    by_id: BTreeMap<String, Watcher>,
}

#[derive(Default)]
struct Watcher {
    /// Whether the first batch was sent.
    used: bool,
    /// `Next` calls waiting for a change, as encoded replies to send when they end.
    waiting: Vec<Box<dyn FnOnce(Reply) -> String + Send>>,
}

/// The `Client` facade: only `WatchAll`, which python-libjuju calls on every model.
pub(crate) fn client(ctx: &mut Ctx<'_>) -> Reply {
    match ctx.method {
        "WatchAll" => watch_all(ctx),
        _ => Err(ctx.no_such_method()),
    }
}

/// `Client.WatchAll` → `params.AllWatcherId`.
fn watch_all(ctx: &mut Ctx<'_>) -> Reply {
    if ctx.juju.is_4() {
        return Err(RpcErr::new("WatchAll not implemented", "not implemented"));
    }
    let w = &mut ctx.conn.watchers;
    w.last_id += 1;
    let id = w.last_id.to_string();
    w.by_id.insert(id.clone(), Watcher::default());
    Ok(Obj::new().v("watcher-id", id).done())
}

fn unknown() -> RpcErr {
    RpcErr::new("unknown watcher id", "not found")
}

/// An `AllWatcher` method on the watcher named by the request's id.
pub(crate) fn call(ctx: &mut Ctx<'_>) -> Reply {
    let (id, method) = (ctx.object_id, ctx.method);
    if !matches!(method, "Next" | "Stop") {
        return Err(ctx.no_such_method());
    }
    let conn = &mut *ctx.conn;
    let later = conn.answer_later();
    let Some(w) = conn.watchers.by_id.get_mut(id) else {
        return Err(unknown());
    };
    match method {
        "Next" if !w.used => {
            w.used = true;
            Ok(first_batch(ctx))
        }
        "Next" => {
            w.waiting.push(later);
            conn.parked = true;
            Ok(String::new())
        }
        _ => {
            if let Some(w) = conn.watchers.by_id.remove(id) {
                for reply in w.waiting {
                    conn.outbox
                        .push(reply(Err(RpcErr::new("watcher was stopped", ""))));
                }
            }
            Ok("{}".to_string())
        }
    }
}

/// `params.AllWatcherNextResults` holding the model's state: the fake's models have
/// nothing in them but themselves.
fn first_batch(ctx: &Ctx<'_>) -> String {
    let st = ctx.state();
    let Some(m) = st.models.live(ctx.model_uuid) else {
        return r#"{"deltas":[]}"#.to_string();
    };
    let status = Obj::new()
        .v("current", "available")
        .v("message", "")
        .v("since", go_time(m.created))
        .v("version", "")
        .done();
    // params.ModelUpdate, in its field order.
    let model = Obj::new()
        .v("model-uuid", &m.uuid)
        .v("name", &m.name)
        .v("life", "alive")
        .v("owner", &m.owner)
        .v("controller-uuid", &st.controller_uuid)
        .v("is-controller", m.uuid == st.controller_model_uuid)
        .v("config", Value::Object(modelconfig::plain_values(&st, m)))
        .raw("status", &status)
        .raw("constraints", "{}")
        .raw(
            "sla",
            &Obj::new().v("level", "unsupported").v("owner", "").done(),
        )
        .v("type", m.kind())
        .v("cloud", "localhost")
        .v("cloud-region", "localhost")
        .v("version", &st.server_version)
        .done();
    format!(r#"{{"deltas":[["model","change",{model}]]}}"#)
}
