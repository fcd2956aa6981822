//! RPC over one WebSocket: the JSON envelope, request ids, matching replies, deadlines,
//! and the per-call log lines.
//!
//! The calling thread writes its request and reads until its own reply arrives: no reader
//! thread, so a call costs one round trip and no extra thread wake-up. A reply for an id
//! nobody waits for (the late answer to a call that timed out) is logged and dropped.

use std::time::{Duration, Instant};

use log::{debug, log_enabled, trace, warn, Level};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::{Error, ErrorCode, ErrorKind};
use crate::redact::redacted_json;
use crate::transport::{ws_error_text, Socket};
use crate::websocket::WsError;

#[derive(Serialize)]
struct Request<'a, P: ?Sized> {
    #[serde(rename = "request-id")]
    request_id: u64,
    #[serde(rename = "type")]
    facade: &'a str,
    version: u32,
    request: &'a str,
    params: &'a P,
}

#[derive(Deserialize)]
struct Reply<'a> {
    #[serde(rename = "request-id", default)]
    request_id: u64,
    #[serde(rename = "type", default)]
    facade: Option<&'a str>,
    #[serde(default)]
    request: Option<&'a str>,
    #[serde(default)]
    error: Option<String>,
    #[serde(rename = "error-code", default)]
    error_code: Option<String>,
    #[serde(rename = "error-info", default)]
    error_info: Option<serde_json::Value>,
    #[serde(borrow, default)]
    response: Option<&'a RawValue>,
}

/// What went wrong with a call, before the caller turns it into an [`Error`].
pub(crate) enum CallError {
    /// The connection can still be used (an error reply, a bad reply body, a timeout).
    Usable(Error),
    /// The connection is broken; `sent` says whether the request had been written.
    Broken { error: Error, sent: bool },
}

impl CallError {
    pub(crate) fn into_error(self) -> Error {
        match self {
            CallError::Usable(e) | CallError::Broken { error: e, .. } => e,
        }
    }
}

/// One logged-in or logging-in RPC connection.
pub(crate) struct RpcConn {
    socket: Socket,
    next_id: u64,
    wbuf: Vec<u8>,
}

impl RpcConn {
    pub(crate) fn new(socket: Socket) -> RpcConn {
        RpcConn {
            socket,
            next_id: 1,
            wbuf: Vec::with_capacity(512),
        }
    }

    /// Makes one call and decodes its `response` into `R`, all before `deadline`.
    /// `timeout` is only for messages.
    pub(crate) fn call<P, R>(
        &mut self,
        facade: &str,
        version: u32,
        method: &str,
        params: &P,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<R, CallError>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let started = Instant::now();
        let id = self.next_id;
        self.next_id += 1;
        let result = self.round_trip(facade, version, method, params, id, deadline, timeout);
        if log_enabled!(Level::Debug) {
            let outcome = match &result {
                Ok(_) => "ok".to_string(),
                Err(e) => match e {
                    CallError::Usable(e) | CallError::Broken { error: e, .. } => {
                        format!("error: {}", e.kind_label())
                    }
                },
            };
            debug!(
                "call {facade}({version}).{method} request-id={id} {:?} {outcome}",
                started.elapsed()
            );
        }
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn round_trip<P, R>(
        &mut self,
        facade: &str,
        version: u32,
        method: &str,
        params: &P,
        id: u64,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<R, CallError>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        self.wbuf.clear();
        serde_json::to_writer(
            &mut self.wbuf,
            &Request {
                request_id: id,
                facade,
                version,
                request: method,
                params,
            },
        )
        .map_err(|e| {
            CallError::Usable(Error::invalid(format!(
                "{facade}.{method}: cannot encode the parameters: {e}"
            )))
        })?;
        if log_enabled!(Level::Trace) {
            trace!("-> {}", redacted_json(&self.wbuf));
        }
        let what = format!("{facade}.{method}");
        let tcp = self.socket.get_ref().get_ref();
        let _ = tcp.set_write_timeout(Some(timeout.max(Duration::from_millis(1))));
        if let Err(e) = self.socket.send_text(&self.wbuf) {
            // Part of the frame may be on the wire: the stream can no longer be trusted.
            return Err(CallError::Broken {
                error: broken(&what, &e),
                sent: true,
            });
        }
        loop {
            let Some(left) = deadline
                .checked_duration_since(Instant::now())
                .filter(|d| !d.is_zero())
            else {
                return Err(CallError::Usable(Error::timeout(&what, timeout)));
            };
            let _ = self.socket.get_ref().get_ref().set_read_timeout(Some(left));
            let msg = match self.socket.read_message() {
                Ok(m) => m,
                Err(e) if e.is_timeout() => {
                    return Err(CallError::Usable(Error::timeout(&what, timeout)))
                }
                Err(e) => {
                    return Err(CallError::Broken {
                        error: broken(&what, &e),
                        sent: true,
                    })
                }
            };
            if log_enabled!(Level::Trace) {
                trace!("<- {}", redacted_json(&msg));
            }
            match decode_reply::<R>(&msg, id, &what) {
                Decoded::Mine(r) => return r.map_err(CallError::Usable),
                Decoded::Other(other) => {
                    warn!("dropping a reply to request-id {other}, which nobody is waiting for")
                }
                Decoded::Garbage(e) => {
                    return Err(CallError::Broken {
                        error: e,
                        sent: true,
                    })
                }
            }
        }
    }

    /// Sends a WebSocket close (1000) and waits up to `wait` for the peer's.
    pub(crate) fn close(&mut self, wait: Duration) {
        let tcp = self.socket.get_ref().get_ref();
        let _ = tcp.set_read_timeout(Some(wait.max(Duration::from_millis(1))));
        let _ = tcp.set_write_timeout(Some(wait.max(Duration::from_millis(1))));
        if wait.is_zero() {
            let _ = self.socket.send_close(1000);
        } else {
            let _ = self.socket.close(1000);
        }
        let _ = self.socket.get_mut().shutdown();
    }
}

fn broken(what: &str, e: &WsError) -> Error {
    let text = ws_error_text(e);
    match e {
        WsError::TooLarge { .. } => {
            Error::closed(format!("{what}: {text}; the connection was closed"))
        }
        WsError::Protocol(_) => Error::new(
            ErrorKind::ConnectionClosed,
            format!("{what}: {text}; the connection was closed"),
        ),
        _ => Error::closed(format!("{what}: connection lost: {text}")),
    }
}

enum Decoded<R> {
    Mine(Result<R, Error>),
    Other(u64),
    Garbage(Error),
}

/// Decodes one message as the reply to request `id`.
fn decode_reply<R: DeserializeOwned>(msg: &[u8], id: u64, what: &str) -> Decoded<R> {
    let reply: Reply = match serde_json::from_slice(msg) {
        Ok(r) => r,
        Err(e) => {
            return Decoded::Garbage(Error::closed(format!(
                "{what}: the controller sent a message that is not a JSON reply ({}); \
                 the connection was closed",
                serde_error_text(&e)
            )))
        }
    };
    if reply.facade.is_some_and(|s| !s.is_empty()) || reply.request.is_some_and(|s| !s.is_empty()) {
        warn!("ignoring a request from the controller (clients serve no facades)");
        return Decoded::Other(reply.request_id);
    }
    if reply.request_id != id {
        return Decoded::Other(reply.request_id);
    }
    if let Some(message) = reply.error.filter(|m| !m.is_empty()) {
        let code = reply.error_code.as_deref().and_then(ErrorCode::from_wire);
        return Decoded::Mine(Err(Error::api(message, code, reply.error_info)));
    }
    let raw = reply.response.map_or("{}", |r| r.get());
    Decoded::Mine(serde_json::from_str::<R>(raw).map_err(|e| {
        Error::protocol(format!(
            "{what}: unexpected reply: {}",
            serde_error_text(&e)
        ))
    }))
}

/// A serde error without any quoted piece of the input, which could be a secret.
pub(crate) fn serde_error_text(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let mut out = String::with_capacity(text.len());
    let mut in_quote = false;
    for c in text.chars() {
        match (c, in_quote) {
            ('"', false) => {
                in_quote = true;
                out.push_str("\"…");
            }
            ('"', true) => {
                in_quote = false;
                out.push('"');
            }
            (_, true) => {}
            (c, false) => out.push(c),
        }
    }
    out
}

impl Error {
    fn kind_label(&self) -> String {
        match self.code() {
            Some(code) => format!("{:?} ({code})", self.kind()),
            None => format!("{:?}", self.kind()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_matched_by_id_and_tolerate_noise() {
        let msg = b"{\"request-id\":7,\"unknown\":[1],\"response\":{\"a\":1}}\n";
        match decode_reply::<serde_json::Value>(msg, 7, "X.Y") {
            Decoded::Mine(Ok(v)) => assert_eq!(v["a"], 1),
            _ => panic!("expected my reply"),
        }
        assert!(matches!(
            decode_reply::<serde_json::Value>(msg, 8, "X.Y"),
            Decoded::Other(7)
        ));
    }

    #[test]
    fn error_replies_keep_code_and_info() {
        let msg = br#"{"request-id":1,"error":"redirection to alternative server required","error-code":"redirection required","error-info":{"ca-cert":"x"},"response":{}}"#;
        match decode_reply::<serde_json::Value>(msg, 1, "Admin.Login") {
            Decoded::Mine(Err(e)) => {
                assert_eq!(e.code(), Some(ErrorCode::Redirect));
                assert_eq!(e.info().unwrap()["ca-cert"], "x");
            }
            _ => panic!("expected an error"),
        }
    }

    #[test]
    fn serde_errors_never_quote_the_input() {
        let e = serde_json::from_str::<u64>("\"s3cret\"").unwrap_err();
        let text = serde_error_text(&e);
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("invalid type"));
    }
}
