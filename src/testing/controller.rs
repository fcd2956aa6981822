//! The fake's `Controller` facade: `ControllerAPIInfoForModels`, which python-libjuju calls
//! right after login to learn where each model is served.

use serde_json::Value;

use super::server::Ctx;
use super::wire::{Obj, Reply, RpcErr, item_error, json_string};

/// Dispatches a `Controller` method.
pub(crate) fn call(ctx: &mut Ctx<'_>) -> Reply {
    match ctx.method {
        "ControllerAPIInfoForModels" => api_info_for_models(ctx),
        _ => Err(ctx.no_such_method()),
    }
}

/// `ControllerAPIInfoForModels` (`params.Entities` → `params.ControllerAPIInfoResults`):
/// this fake's address and CA for each of its models, `not found` for others.
fn api_info_for_models(ctx: &Ctx<'_>) -> Reply {
    let uuids: Vec<String> = {
        let st = ctx.state();
        st.models
            .iter()
            .filter(|m| m.redirect.is_none())
            .map(|m| m.uuid.clone())
            .collect()
    };
    let entities = ctx
        .params
        .get("entities")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let results: Vec<String> = entities
        .iter()
        .map(|e| {
            let tag = e.get("tag").and_then(Value::as_str).unwrap_or("");
            let uuid = tag.strip_prefix("model-").unwrap_or(tag);
            if uuids.iter().any(|u| u.as_str() == uuid) {
                Obj::new()
                    .raw(
                        "addresses",
                        &format!("[{}]", json_string(&ctx.shared.addr.to_string())),
                    )
                    .v("cacert", &ctx.shared.ca_pem)
                    .done()
            } else {
                // `params.ControllerAPIInfoResult` has no omitempty but on `error`.
                let e = RpcErr::new(format!("model {uuid:?} not found"), "not found");
                Obj::new()
                    .raw("addresses", "null")
                    .v("cacert", "")
                    .raw("error", &item_error(&e))
                    .done()
            }
        })
        .collect();
    Ok(Obj::new()
        .raw("results", &format!("[{}]", results.join(",")))
        .done())
}
