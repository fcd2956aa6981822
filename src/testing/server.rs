//! The fake controller's connections: TLS, the WebSocket upgrade, the RPC envelope as Go's
//! `jsoncodec` writes it, the dispatch errors of the emulated Juju, and the table of
//! facades ([`FACADES`]) that answers everything else through one handler signature
//! ([`Handler`], taking a [`Ctx`]).

use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::{Arc, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::versions::Emulation;
use super::wire::{Reply, RpcErr, go_html_escape, json_string};
use super::wsserver::{self, Route};
use super::{
    Fault, ReceivedRequest, Shared, State, admin, allwatcher, controller, modelconfig, models,
    pinger, secretbackends, secrets,
};
use crate::redact::REDACTED;
use crate::websocket;

/// A facade method of the fake: every facade's handler has this signature. It answers
/// `ctx.method` (with [`Ctx::no_such_method`] for a method it does not have).
pub(crate) type Handler = fn(&mut Ctx<'_>) -> Reply;

/// The facades the fake serves after login, one row each, sorted by name: the facade's
/// name and its [`Handler`]. The emulated version decides which facades and versions a
/// connection offers and checks them before the row is looked up (`versions.rs`); a
/// facade offered but without a row answers every method `not implemented`, as Juju
/// answers a method it lacks. Adding a facade is one module, one row here, and (if it
/// keeps state) one field of [`State`].
pub(crate) const FACADES: &[(&str, Handler)] = &[
    ("AllWatcher", allwatcher::call),
    ("Client", allwatcher::client),
    ("Controller", controller::call),
    ("ModelConfig", modelconfig::call),
    ("ModelManager", models::call),
    ("Pinger", pinger::call),
    ("SecretBackends", secretbackends::call),
    ("Secrets", secrets::call),
];

/// Everything a facade method sees: the one argument of every [`Handler`].
pub(crate) struct Ctx<'a> {
    /// The controller: lock its [`State`] with [`Ctx::state`].
    pub(crate) shared: &'a Shared,
    /// Who is logged in on this connection, with their controller access.
    pub(crate) session: &'a Session,
    /// The model the call acts on: the connection's model, or on a controller connection
    /// (`/api`) the controller model.
    pub(crate) model_uuid: &'a str,
    /// The Juju version emulated.
    pub(crate) juju: &'a Emulation,
    /// The connection, for what lives as long as it does (watchers) and replies sent later.
    pub(crate) conn: &'a mut Conn,
    /// The facade called, as the request named it.
    pub(crate) facade: &'a str,
    /// The facade version called (one the connection offers).
    pub(crate) version: u32,
    /// The request's `id`: the object called, for watchers.
    pub(crate) object_id: &'a str,
    /// The method called.
    pub(crate) method: &'a str,
    /// The request's `params` (`null` when absent).
    pub(crate) params: &'a Value,
}

impl Ctx<'_> {
    /// Locks the controller's state.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.shared.state()
    }

    /// The error for a method this facade version does not have, in this Juju's words.
    pub(crate) fn no_such_method(&self) -> RpcErr {
        self.juju
            .no_such_method(self.facade, self.version, self.method)
    }

    /// Whether the logged-in user is a controller superuser.
    pub(crate) fn superuser(&self) -> bool {
        self.session.access == "superuser"
    }
}

/// The user a connection logged in as.
#[derive(Clone)]
pub(crate) struct Session {
    /// The user name, e.g. `admin`.
    pub(crate) user: String,
    /// The user's controller access.
    pub(crate) access: String,
    /// The `client-version` the login claimed (2.0.0 when absent or unparseable).
    pub(crate) client_version: crate::version::Version,
}

/// What a connection serves, from its URL path (`apiserver/apiserver.go` `endpoints()`).
pub(crate) enum Target {
    /// `/api`: a controller-only connection.
    Controller,
    /// `/model/<uuid>/api` for a model this controller has (or had: it may have migrated).
    Model(String),
    /// `/model/<uuid>/api` for a well-formed UUID it never had: every request fails.
    UnknownModel(String),
}

/// One connection's state.
pub(crate) struct Conn {
    pub(crate) target: Target,
    /// The upgrade's `Host` header: where minted macaroons send discharges.
    pub(crate) host: String,
    pub(crate) session: Option<Session>,
    /// Set once a login authenticated, even if it then failed its permission check
    /// (`apiserver/admin.go` `loggedIn`): a second `Login` gets `already logged in`.
    pub(crate) logged_in: bool,
    pub(crate) watchers: allwatcher::Watchers,
    /// The request being answered: id, legacy envelope, tracing fields.
    current: (u64, bool, String),
    /// Replies to earlier requests, written before the current request's reply.
    pub(crate) outbox: Vec<String>,
    /// Set by a method that answers later (a blocking `AllWatcher.Next`).
    pub(crate) parked: bool,
}

impl Conn {
    fn new(target: Target, host: String) -> Conn {
        Conn {
            target,
            host,
            session: None,
            logged_in: false,
            watchers: allwatcher::Watchers::default(),
            current: (0, false, String::new()),
            outbox: Vec::new(),
            parked: false,
        }
    }

    /// The model a model connection serves (known here or not); `None` on `/api`.
    pub(crate) fn model(&self) -> Option<&str> {
        match &self.target {
            Target::Controller => None,
            Target::Model(uuid) | Target::UnknownModel(uuid) => Some(uuid),
        }
    }

    /// Encodes a reply to the current request, for when it is answered later.
    pub(crate) fn answer_later(&self) -> Box<dyn FnOnce(Reply) -> String + Send> {
        let (id, v0, trace) = self.current.clone();
        Box::new(move |reply| encode_traced_reply(id, v0, reply, &trace))
    }
}

/// Go's `names.IsValidModel`: a UUID in lower-case hex (`juju/utils` `UUIDSnippet`).
fn is_model_uuid(s: &str) -> bool {
    crate::util::is_uuid(s) && !s.contains(|c: char| c.is_ascii_uppercase())
}

/// Which endpoint serves `path`; a malformed model UUID is refused before the upgrade
/// with Go's `http.Error` (`apiserver/httpcontext/model.go`). The controller API is served
/// at `/api` and, "for backward compatibility", at `/` itself (only `/`: the router
/// special-cases it), as `apiserver/apiserver.go` registers `mainAPIHandler` (3.6.26).
fn route(serve_api: bool, path: &str) -> Route {
    // Go's router matches the path without the query.
    let path = path.split('?').next().unwrap_or(path);
    if !serve_api {
        return Route::NotFound;
    }
    if path == "/api" || path == "/" {
        return Route::Serve;
    }
    match path
        .strip_prefix("/model/")
        .and_then(|rest| rest.strip_suffix("/api"))
    {
        Some(uuid) if !uuid.is_empty() && !uuid.contains('/') => {
            if is_model_uuid(uuid) {
                Route::Serve
            } else {
                Route::BadRequest(format!("invalid model UUID {uuid:?}"))
            }
        }
        _ => Route::NotFound,
    }
}

/// What the connection loop does after a message.
enum Action {
    /// Write these now.
    Send(Vec<Out>),
    /// Write these after a while, answering other requests meanwhile.
    Later(Duration, Vec<Out>),
    Skip,
    Close,
    /// Cut the TCP connection with no close frame.
    Drop,
}

/// One thing written to the client.
enum Out {
    /// A whole text message.
    Text(String),
    /// A text message in frames of at most this many bytes.
    Fragmented(String, usize),
    /// The first frame of a message that never finishes, then a close frame.
    HalfThenClose(String),
}

/// Writes `outs`; false if the connection is done.
fn write_all(
    ws: &mut websocket::WebSocket<openssl::ssl::SslStream<TcpStream>>,
    outs: Vec<Out>,
    default_frame: Option<usize>,
) -> bool {
    for out in outs {
        let ok = match out {
            Out::Text(t) => ws.send_text(t.as_bytes()).is_ok(),
            Out::Fragmented(t, n) => {
                ws.set_max_out_frame(n);
                let ok = ws.send_text(t.as_bytes()).is_ok();
                ws.set_max_out_frame(default_frame.unwrap_or(usize::MAX));
                ok
            }
            Out::HalfThenClose(t) => {
                let half = &t.as_bytes()[..t.len() / 2];
                let _ = ws.send_partial(half);
                let _ = ws.send_close(1011);
                return false;
            }
        };
        if !ok {
            return false;
        }
    }
    true
}

pub(crate) fn spawn_accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
) -> io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name("fake-juju-accept".into())
        .spawn(move || {
            for stream in listener.incoming() {
                if shared.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let conn_id = shared.next_conn.fetch_add(1, Ordering::SeqCst);
                if let Ok(clone) = stream.try_clone() {
                    shared
                        .conns
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(conn_id, clone);
                }
                let shared = shared.clone();
                let _ = thread::Builder::new()
                    .name("fake-juju-conn".into())
                    .spawn(move || serve(shared, stream, conn_id));
            }
        })
}

fn serve(shared: Arc<Shared>, tcp: TcpStream, conn_id: u64) {
    let _ = tcp.set_nodelay(true);
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
    if let Ok(tls) = shared.acceptor.accept(tcp) {
        // `/auth` is plain HTTPS on the same port as the API (Juju's `apiserver.go`).
        if let Ok((mut ws, upgrade)) = wsserver::server_handshake_or_http(
            tls,
            1 << 30,
            |p| route(shared.serve_api, p),
            |req| super::bakery::serve_http(&shared, req),
        ) {
            let target = {
                let mut st = shared.state();
                let path = upgrade.path.split('?').next().unwrap_or("");
                let target = match path.strip_prefix("/model/") {
                    None => Target::Controller,
                    Some(rest) => {
                        let uuid = rest.strip_suffix("/api").unwrap_or(rest).to_string();
                        if st.models.get(&uuid).is_some() {
                            Target::Model(uuid)
                        } else {
                            Target::UnknownModel(uuid)
                        }
                    }
                };
                st.upgrades.push(super::UpgradeRequest {
                    path: upgrade.path,
                    client_version: upgrade.client_version,
                });
                target
            };
            if let Some(n) = shared.max_frame {
                ws.set_max_out_frame(n);
            }
            let host = upgrade
                .host
                .clone()
                .unwrap_or_else(|| shared.addr.to_string());
            if run(&shared, &mut ws, Conn::new(target, host)) {
                let _ = ws.send_close(1000);
            }
            let _ = ws.get_ref().get_ref().shutdown(std::net::Shutdown::Both);
        }
    }
    shared
        .conns
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&conn_id);
}

/// Reads requests and writes replies until the connection ends. Delayed replies wait in a
/// queue while later requests are answered, so replies can arrive out of order, as they do
/// from a real controller that runs each call in its own goroutine. Returns false when the
/// connection must be cut without a close frame.
fn run(
    shared: &Shared,
    ws: &mut websocket::WebSocket<openssl::ssl::SslStream<TcpStream>>,
    mut conn: Conn,
) -> bool {
    let mut later: Vec<(Instant, Vec<Out>)> = Vec::new();
    let mut read_timeout = None;
    // While a reply is due soon, the socket is read without waiting (see below).
    let mut nonblocking = false;
    loop {
        let now = Instant::now();
        later.sort_by_key(|(due, _)| *due);
        if later.first().is_some_and(|(due, _)| *due <= now) {
            if nonblocking {
                if ws.get_ref().get_ref().set_nonblocking(false).is_err() {
                    return false;
                }
                nonblocking = false;
            }
            while later.first().is_some_and(|(due, _)| *due <= Instant::now()) {
                let (_, outs) = later.remove(0);
                if !write_all(ws, outs, shared.max_frame) {
                    return false;
                }
            }
            continue;
        }
        // Socket timeouts tick in jiffies (milliseconds); while a reply is due very soon, the
        // socket is read without waiting and the wait is a short precise sleep, so requests
        // that arrive meanwhile are read (and answered, if not delayed) at once, as Juju
        // serves the requests of one connection concurrently. Only writes need blocking mode.
        let due_soon = later.first().is_some_and(|(due, _)| {
            due.saturating_duration_since(now) <= Duration::from_millis(10)
        });
        if due_soon != nonblocking {
            if ws.get_ref().get_ref().set_nonblocking(due_soon).is_err() {
                return false;
            }
            nonblocking = due_soon;
        }
        // The API server has no idle timeout for user logins; drop_connections() ends us.
        let wait = later.first().map(|(due, _)| {
            due.saturating_duration_since(now)
                .max(Duration::from_millis(1))
        });
        if !nonblocking && wait != read_timeout {
            if ws.get_ref().get_ref().set_read_timeout(wait).is_err() {
                return false;
            }
            read_timeout = wait;
        }
        let msg = match ws.read_message() {
            Ok(m) => m,
            Err(e) if e.is_timeout() => {
                if nonblocking {
                    let left = later
                        .first()
                        .map(|(due, _)| due.saturating_duration_since(Instant::now()))
                        .unwrap_or_default();
                    thread::sleep(left.min(Duration::from_micros(100)));
                }
                continue;
            }
            Err(_) => return false,
        };
        if shared.stop.load(Ordering::SeqCst) {
            return true;
        }
        let action = handle(shared, &mut conn, msg);
        if nonblocking {
            if ws.get_ref().get_ref().set_nonblocking(false).is_err() {
                return false;
            }
            nonblocking = false;
        }
        match action {
            Action::Send(outs) => {
                if !write_all(ws, outs, shared.max_frame) {
                    return false;
                }
            }
            Action::Later(after, outs) => later.push((Instant::now() + after, outs)),
            Action::Skip => {}
            Action::Close => return true,
            Action::Drop => return false,
        }
    }
}

/// Case-insensitive field lookup, as Go's `encoding/json` matches keys to struct tags.
fn field<'a>(obj: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Decodes one message and decides what to do: reply, stay silent, or end the connection.
fn handle(shared: &Shared, conn: &mut Conn, msg: &[u8]) -> Action {
    let v4 = shared.state().juju.is_4();
    // Go's read loop dies on a message it cannot decode, and takes the connection with it.
    // 4.0 also refuses request-id 0 (no legacy V0 envelope) the same way: no reply.
    match decode(msg, v4) {
        Some(req) if v4 && req.v0 => Action::Close,
        Some(req) => respond(shared, conn, req),
        None => Action::Close,
    }
}

/// One decoded request.
pub(crate) struct Incoming {
    request_id: u64,
    v0: bool,
    pub(crate) facade: String,
    pub(crate) version: u32,
    pub(crate) object_id: String,
    pub(crate) method: String,
    pub(crate) params: Value,
    /// 4.0's tracing fields, to echo verbatim after the reply's other fields.
    trace: String,
}

/// Decodes a request as the server's `jsoncodec` does; `None` for what kills its read loop.
fn decode(msg: &[u8], v4: bool) -> Option<Incoming> {
    let v: Value = serde_json::from_slice(msg).ok()?;
    let obj = v.as_object()?;
    let as_str = |name: &str| -> Option<String> {
        match field(obj, name) {
            None | Some(Value::Null) => Some(String::new()),
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => None,
        }
    };
    let mut request_id = match field(obj, "request-id") {
        None | Some(Value::Null) => 0,
        Some(n) => n.as_u64()?,
    };
    // request-id 0 makes a 3.6 server re-read the message in the legacy CamelCase form.
    let v0 = request_id == 0;
    if v0 {
        request_id = match field(obj, "RequestId") {
            None | Some(Value::Null) => 0,
            Some(n) => n.as_u64()?,
        };
    }
    let facade = as_str("type")?;
    let method = as_str("request")?;
    let object_id = as_str("id")?;
    let version = match field(obj, "version") {
        None | Some(Value::Null) => 0,
        Some(n) => u32::try_from(n.as_i64()?).ok()?,
    };
    let params = field(obj, "params").cloned().unwrap_or(Value::Null);
    // 4.0 (`rpc/jsoncodec`, `rpc/server.go`): `trace-id`, `span-id` (strings) and
    // `trace-flags` (int) are copied into the reply; empty or 0 ones are omitted.
    let mut trace = String::new();
    if v4 {
        for key in ["trace-id", "span-id"] {
            match as_str(key)? {
                t if t.is_empty() => {}
                t => trace.push_str(&format!(",\"{key}\":{}", json_string(&t))),
            }
        }
        match field(obj, "trace-flags") {
            None | Some(Value::Null) => {}
            Some(n) => match n.as_i64()? {
                0 => {}
                f => trace.push_str(&format!(",\"trace-flags\":{f}")),
            },
        }
    }
    Some(Incoming {
        request_id,
        v0,
        facade,
        version,
        object_id,
        method,
        params,
        trace,
    })
}

fn respond(shared: &Shared, conn: &mut Conn, req: Incoming) -> Action {
    if req.facade.is_empty() && req.method.is_empty() {
        return Action::Skip; // a response to a request we never sent
    }
    if shared.record {
        record(
            shared,
            &req.facade,
            req.version,
            &req.method,
            req.request_id,
            &req.params,
        );
    }
    let fault = {
        let st = shared.state();
        st.faults
            .get(&req.method)
            .or_else(|| st.faults.get("*"))
            .cloned()
    };
    match fault {
        Some(Fault::NoReply) => return Action::Skip,
        Some(Fault::DropConnection) => return Action::Drop,
        Some(Fault::NonJson) => {
            return Action::Send(vec![Out::Text("<html>502 Bad Gateway</html>\n".into())]);
        }
        Some(Fault::MissingFields) => {
            return Action::Send(vec![Out::Text(format!(
                "{{\"request-id\":{}}}\n",
                req.request_id
            ))]);
        }
        _ => {}
    }
    conn.current = (req.request_id, req.v0, req.trace.clone());
    let result = dispatch(shared, conn, &req);
    // Replies to earlier requests that this one ended (a stopped watcher's waiting Next).
    let earlier: Vec<Out> = conn.outbox.drain(..).map(Out::Text).collect();
    if std::mem::take(&mut conn.parked) {
        return if earlier.is_empty() {
            Action::Skip
        } else {
            Action::Send(earlier)
        };
    }
    let reply = encode_traced_reply(req.request_id, req.v0, result, &req.trace);
    if !earlier.is_empty() {
        let mut outs = earlier;
        outs.push(Out::Text(reply));
        return Action::Send(outs);
    }
    match fault {
        Some(Fault::Delay(d)) => Action::Later(d, vec![Out::Text(reply)]),
        Some(Fault::Shuffle(max)) => {
            let nanos = max.as_nanos().max(1) as u64;
            let d = Duration::from_nanos(crate::util::random_u64() % nanos);
            Action::Later(d, vec![Out::Text(reply)])
        }
        Some(Fault::UnknownIdFirst) => {
            let stray = format!(
                "{{\"request-id\":{},\"response\":{{}}}}\n",
                req.request_id + 1_000_000
            );
            Action::Send(vec![Out::Text(stray), Out::Text(reply)])
        }
        Some(Fault::Fragment(n)) => Action::Send(vec![Out::Fragmented(reply, n.max(1))]),
        Some(Fault::Oversize(bytes)) => {
            // A valid reply, padded with a field clients ignore.
            let pad = "x".repeat(bytes);
            let body = reply.trim_end().trim_end_matches('}').to_string();
            Action::Send(vec![Out::Text(format!("{body},\"padding\":\"{pad}\"}}\n"))])
        }
        Some(Fault::CloseMidCall) => Action::Send(vec![Out::HalfThenClose(reply)]),
        _ => Action::Send(vec![Out::Text(reply)]),
    }
}

fn record(shared: &Shared, facade: &str, version: u32, method: &str, id: u64, params: &Value) {
    let mut params = params.clone();
    if facade == "Admin" {
        // Go matches keys case-insensitively, so `Credentials` is the password too;
        // macaroons and client secrets are bearer secrets as well.
        for (k, c) in params.as_object_mut().into_iter().flatten() {
            let secret = if k.eq_ignore_ascii_case("credentials") {
                c.is_string()
            } else {
                ["macaroons", "client-secret"]
                    .iter()
                    .any(|s| k.eq_ignore_ascii_case(s))
                    && !c.is_null()
            };
            if secret {
                *c = Value::String(REDACTED.into());
            }
        }
    }
    shared.state().requests.push(ReceivedRequest {
        facade: facade.to_string(),
        version,
        method: method.to_string(),
        request_id: id,
        params,
    });
}

fn dispatch(shared: &Shared, conn: &mut Conn, req: &Incoming) -> Reply {
    let juju = shared.state().juju.clone();
    let (facade, version, method) = (req.facade.as_str(), req.version, req.method.as_str());
    let model = match &conn.target {
        Target::Controller => None,
        Target::Model(uuid) => Some(uuid.clone()),
        // `apiserver.go` serves an unknown model's connection with a root that fails
        // every request, Login included.
        Target::UnknownModel(uuid) => {
            return Err(RpcErr::new(
                format!("unknown model: {uuid:?}"),
                "model not found",
            ));
        }
    };
    let Some(session) = conn.session.clone() else {
        // Before login only Admin exists (Go's admin root).
        return admin::before_login(shared, conn, &juju, req);
    };
    // A connection refuses the other kind's facades before looking them up; then a
    // 3.1/3.2 controller checks the client's version; then the facade is looked up.
    let versions = match &model {
        None if !juju.allowed_on_controller(facade) => {
            return Err(RpcErr::new(
                format!("facade {facade:?} not supported for controller API connection"),
                "not supported",
            ));
        }
        None => juju.facade_versions(facade),
        Some(_) if !juju.allowed_on_model(facade) => {
            return Err(RpcErr::new(
                format!("facade {facade:?} not supported for model API connection"),
                "not supported",
            ));
        }
        Some(_) => juju.model_facade_versions(facade),
    };
    juju.check_client(&session.client_version, facade, method)?;
    if !versions.is_some_and(|v| v.contains(&version)) {
        return Err(juju.unknown_facade(facade, version));
    }
    let Some((_, handler)) = FACADES.iter().find(|(name, _)| *name == facade) else {
        return Err(juju.no_such_method(facade, version, method));
    };
    // The controller-only connection's model is the controller model.
    let model_uuid = match &model {
        Some(uuid) => uuid.clone(),
        None => shared.state().controller_model_uuid.clone(),
    };
    handler(&mut Ctx {
        shared,
        session: &session,
        model_uuid: &model_uuid,
        juju: &juju,
        conn,
        facade,
        version,
        object_id: &req.object_id,
        method,
        params: &req.params,
    })
}

/// Writes a reply the way Go's `json.Encoder` does: struct field order, HTML-safe
/// escapes, a trailing newline, and `"response":{}` on errors.
#[cfg(test)]
pub(crate) fn encode_reply(request_id: u64, v0: bool, result: Reply) -> String {
    encode_traced_reply(request_id, v0, result, "")
}

/// [`encode_reply`] with 4.0's tracing fields (already encoded) after `response`.
pub(crate) fn encode_traced_reply(request_id: u64, v0: bool, result: Reply, trace: &str) -> String {
    let mut out = String::with_capacity(64);
    let (k_id, k_err, k_code, k_resp) = if v0 {
        ("RequestId", "Error", "ErrorCode", "Response")
    } else {
        ("request-id", "error", "error-code", "response")
    };
    out.push_str(&format!("{{\"{k_id}\":{request_id}"));
    let body = match result {
        Ok(body) => body,
        Err(e) => {
            out.push_str(&format!(",\"{k_err}\":{}", json_string(&e.message)));
            if !e.code.is_empty() {
                out.push_str(&format!(",\"{k_code}\":{}", json_string(e.code)));
            }
            if let (Some(info), false) = (&e.info, v0) {
                out.push_str(&format!(",\"error-info\":{info}"));
            }
            "{}".to_string()
        }
    };
    out.push_str(&format!(",\"{k_resp}\":{body}{trace}}}\n"));
    go_html_escape(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_route_as_the_api_server_routes_them() {
        let uuid = "0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b";
        assert_eq!(route(true, "/api"), Route::Serve);
        assert_eq!(route(true, "/api?x=1"), Route::Serve);
        assert_eq!(route(true, "/"), Route::Serve);
        assert_eq!(route(true, "/?x=1"), Route::Serve);
        assert_eq!(route(true, &format!("/model/{uuid}/api")), Route::Serve);
        assert_eq!(
            route(true, "/model/x/api"),
            Route::BadRequest("invalid model UUID \"x\"".into())
        );
        assert_eq!(
            route(true, &format!("/model/{}/api", uuid.to_uppercase())),
            Route::BadRequest(format!("invalid model UUID \"{}\"", uuid.to_uppercase()))
        );
        for other in [
            "",
            "//",
            "/x",
            "/model//api",
            "/model/x/y/api",
            "/model/x",
            "/apix",
        ] {
            assert_eq!(route(true, other), Route::NotFound, "{other}");
        }
        assert_eq!(route(false, "/api"), Route::NotFound);
    }

    #[test]
    fn every_row_of_the_table_is_a_facade_some_juju_offers() {
        let names: Vec<&str> = FACADES.iter().map(|(name, _)| *name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "rows sorted by name, one per facade");
        // A row may serve one major only (`AllWatcher` is gone from 4.0), never none.
        let jujus = ["3.6.26", "4.0.14"].map(|v| Emulation::new(v).unwrap());
        for name in &names {
            assert!(
                jujus.iter().any(|juju| juju.facade_versions(name).is_some()
                    || juju.model_facade_versions(name).is_some()),
                "no emulated Juju offers {name}"
            );
        }
    }

    #[test]
    fn replies_look_like_go_wrote_them() {
        assert_eq!(
            encode_reply(
                7,
                false,
                Err(RpcErr::new("permission denied", "unauthorized access"))
            ),
            "{\"request-id\":7,\"error\":\"permission denied\",\"error-code\":\"unauthorized access\",\"response\":{}}\n"
        );
        assert_eq!(
            encode_reply(2, false, Err(RpcErr::new("not redirected", ""))),
            "{\"request-id\":2,\"error\":\"not redirected\",\"response\":{}}\n"
        );
        assert_eq!(
            encode_reply(0, true, Ok("{}".into())),
            "{\"RequestId\":0,\"Response\":{}}\n"
        );
        assert_eq!(
            encode_reply(1, false, Ok("{\"a\":\"<b>&\"}".into())),
            "{\"request-id\":1,\"response\":{\"a\":\"\\u003cb\\u003e\\u0026\"}}\n"
        );
    }
}
