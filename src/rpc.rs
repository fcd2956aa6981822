//! Juju's RPC over one WebSocket: a [`Call`] (the JSON envelope it is encoded into, its
//! trace line under the facade's redaction policy, the not-sent check, the outcome's log
//! line), decoding a reply in one pass, and [`RpcConn`], a connection used by one thread at
//! a time: the login's, before `mux` shares it between threads. Both call paths (login
//! here, every later call in `mux`) go through the same `Call`.

use std::time::{Duration, Instant};

use log::{Level, debug, log_enabled, trace, warn};
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::{Error, ErrorCode, ErrorKind};
use crate::redact::Redaction;
use crate::transport::{Bound, Socket, ws_error_text};
use crate::websocket::WsError;

#[derive(Serialize)]
#[allow(
    clippy::struct_field_names,
    reason = "request-id and request are the envelope's names on the wire"
)]
struct Request<'a, P: ?Sized> {
    #[serde(rename = "request-id")]
    request_id: u64,
    #[serde(rename = "type")]
    facade: &'a str,
    version: u32,
    request: &'a str,
    params: &'a P,
}

/// What went wrong with a call, before the caller turns it into an [`Error`].
pub(crate) enum CallError {
    /// The deadline passed before the request could be sent: nothing reached the wire.
    NotSent(Error),
    /// The connection can still be used (an error reply, a bad reply body, a timeout).
    Usable(Error),
    /// The connection is broken; `sent` says whether the request had been written.
    Broken { error: Error, sent: bool },
}

impl CallError {
    pub(crate) fn into_error(self) -> Error {
        match self {
            CallError::NotSent(e) | CallError::Usable(e) | CallError::Broken { error: e, .. } => e,
        }
    }
}

/// One call, as both call paths make it (the login's on a bare connection, and every later
/// one through `mux`): what to send, and the bounds it runs under. What the paths share
/// is written once here: encoding and its trace line, the not-sent check, and the
/// outcome's log line.
pub(crate) struct Call<'a, P: ?Sized> {
    pub(crate) facade: &'a str,
    pub(crate) version: u32,
    pub(crate) method: &'a str,
    pub(crate) params: &'a P,
    /// When the whole call (waiting for the connection included) must be over.
    pub(crate) deadline: Instant,
    /// The timeout the deadline came from, for messages.
    pub(crate) timeout: Duration,
    /// The facade's redaction policy.
    pub(crate) trace: Trace,
}

impl<P: Serialize + ?Sized> Call<'_, P> {
    /// `Facade.Method`, for messages (only built when something fails).
    pub(crate) fn what(&self) -> String {
        format!("{}.{}", self.facade, self.method)
    }

    /// Encodes this call as request `id` into `buf`, and traces it under its policy.
    fn encode(&self, buf: &mut Vec<u8>, id: u64) -> Result<(), CallError> {
        buf.clear();
        serde_json::to_writer(
            &mut *buf,
            &Request {
                request_id: id,
                facade: self.facade,
                version: self.version,
                request: self.method,
                params: self.params,
            },
        )
        .map_err(|e| {
            CallError::Usable(Error::invalid(format!(
                "{}: cannot encode the parameters: {e}",
                self.what()
            )))
        })?;
        if log_enabled!(Level::Trace) {
            trace!("-> {}", self.trace.json(buf));
        }
        Ok(())
    }

    /// The not-sent check, made after waiting for the connection and just before writing:
    /// a request sent after its deadline would be answered after its caller gave up.
    pub(crate) fn too_late(&self) -> Result<(), CallError> {
        if Instant::now() >= self.deadline {
            return Err(CallError::NotSent(Error::timeout(
                &self.what(),
                self.timeout,
            )));
        }
        Ok(())
    }

    /// The one log line of a call's outcome, at debug, for either path.
    pub(crate) fn finish<R>(
        &self,
        id: u64,
        started: Instant,
        result: Result<R, CallError>,
    ) -> Result<R, CallError> {
        if log_enabled!(Level::Debug) {
            let outcome = match &result {
                Ok(_) => "ok".to_string(),
                Err(CallError::NotSent(e) | CallError::Usable(e))
                | Err(CallError::Broken { error: e, .. }) => format!("error: {}", e.kind_label()),
            };
            debug!(
                "call {}({}).{} request-id={id} {:?} {outcome}",
                self.facade,
                self.version,
                self.method,
                started.elapsed()
            );
        }
        result
    }
}

/// What the trace log may show of a call's messages, and what its errors may show: the
/// redaction policy of the call's facade ([`Redaction::GENERIC`] for a generic call).
pub(crate) type Trace = &'static Redaction;

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

    /// Bounds every read and write on the socket, down to each system call.
    fn set_bound(&mut self, bound: Bound) {
        self.socket.get_mut().get_mut().set_bound(bound);
    }

    /// Makes one call and decodes its `response` into `R`, all before its deadline.
    pub(crate) fn call<P, R>(&mut self, call: &Call<'_, P>) -> Result<R, CallError>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let started = Instant::now();
        let id = self.next_id;
        self.next_id += 1;
        let result = self.round_trip(call, id);
        call.finish(id, started, result)
    }

    fn round_trip<P, R>(&mut self, call: &Call<'_, P>, id: u64) -> Result<R, CallError>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        self.encode(call, id)?;
        call.too_late()?;
        let what = || call.what();
        let (deadline, timeout, trace) = (call.deadline, call.timeout, call.trace);
        self.set_bound(Bound::Deadline(deadline));
        if let Err(e) = self.socket.send_text(&self.wbuf) {
            // Part of the frame may be on the wire: the stream can no longer be trusted.
            return Err(CallError::Broken {
                error: broken(&what(), &e),
                sent: true,
            });
        }
        loop {
            // Every read below stops at the deadline (see `ReadAhead`), however the
            // controller trickles bytes or pings.
            let msg = match self.socket.read_message() {
                Ok(m) => m,
                Err(e) if e.is_timeout() => {
                    return Err(CallError::Usable(Error::timeout(&what(), timeout)));
                }
                Err(e) => {
                    return Err(CallError::Broken {
                        error: broken(&what(), &e),
                        sent: true,
                    });
                }
            };
            if log_enabled!(Level::Trace) {
                trace!("<- {}", trace.json(msg));
            }
            match decode_reply::<R>(msg, id, trace, &what) {
                Decoded::Mine(r) => return r.map_err(CallError::Usable),
                Decoded::Other(other) => {
                    warn!("dropping a reply to request-id {other}, which nobody is waiting for")
                }
                Decoded::Garbage(e) => {
                    return Err(CallError::Broken {
                        error: e,
                        sent: true,
                    });
                }
            }
        }
    }

    /// Encodes `call` as request `id` into the write buffer, and traces it.
    pub(crate) fn encode<P: Serialize + ?Sized>(
        &mut self,
        call: &Call<'_, P>,
        id: u64,
    ) -> Result<(), CallError> {
        call.encode(&mut self.wbuf, id)
    }

    /// Sends what [`encode`](Self::encode) wrote, bounded by `deadline`.
    pub(crate) fn send_encoded(&mut self, deadline: Instant) -> Result<(), WsError> {
        self.set_bound(Bound::Deadline(deadline));
        self.socket.send_text(&self.wbuf)
    }

    /// Reads whatever complete message the connection already holds, never waiting for
    /// the network (`WouldBlock` when there is none yet). Writes it may need (a pong, TLS
    /// records) are bounded by `deadline`.
    pub(crate) fn read_now(&mut self, deadline: Instant) -> Result<&[u8], WsError> {
        self.set_bound(Bound::Deadline(deadline));
        self.socket.read_message()
    }

    /// True when nothing received is left anywhere above the socket (ours, OpenSSL's, the
    /// WebSocket's): a read would find nothing, so the reader may go straight to the socket.
    pub(crate) fn drained(&self) -> bool {
        self.socket.drained() && self.socket.get_ref().get_ref().is_empty()
    }

    /// Hands bytes the reader received from the socket to the stream.
    pub(crate) fn feed(&mut self, data: &[u8]) {
        self.socket.get_mut().get_mut().feed(data);
    }

    /// Turns the connection into one shared by threads: from now on the stream reads only
    /// the bytes [`feed`](Self::feed) gives it, and never waits. Also returns a second
    /// handle on the socket, for the reader to receive on without holding the stream.
    pub(crate) fn into_shared(mut self) -> std::io::Result<(RpcConn, std::net::TcpStream)> {
        let dup = self.socket.get_ref().get_ref().tcp().try_clone()?;
        self.socket.get_mut().get_mut().set_reads_fed_only(true);
        Ok((self, dup))
    }

    /// The next request id, for a connection handed to the multiplexer.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id
    }

    /// Sends a WebSocket close (1000) and waits up to `wait` for the peer's. With a zero
    /// `wait`, nothing blocks: the close frame goes out only if the socket takes it at once.
    pub(crate) fn close(&mut self, wait: Duration) {
        // Waiting for the peer's close frame needs reads that wait.
        self.socket.get_mut().get_mut().set_reads_fed_only(false);
        if wait.is_zero() {
            self.set_bound(Bound::NoWait);
            let _ = self.socket.send_close(1000);
        } else {
            let deadline = crate::util::deadline_after(wait);
            self.set_bound(Bound::Deadline(deadline));
            let _ = self.socket.close(1000, deadline);
        }
        // TLS close_notify: one more write, bounded like the rest.
        let _ = self.socket.get_mut().shutdown();
        let _ = self
            .socket
            .get_ref()
            .get_ref()
            .tcp()
            .shutdown(std::net::Shutdown::Both);
    }
}

pub(crate) fn broken(what: &str, e: &WsError) -> Error {
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

pub(crate) enum Decoded<R> {
    Mine(Result<R, Error>),
    Other(u64),
    Garbage(Error),
}

/// Decodes one message as the reply to request `id`, in one pass: the `response` is
/// decoded straight into `R` when the envelope's `request-id` (which Go writes first) is
/// ours and no `error` came before it.
pub(crate) fn decode_reply<R: DeserializeOwned>(
    msg: &[u8],
    id: u64,
    redaction: &'static Redaction,
    what: &dyn Fn() -> String,
) -> Decoded<R> {
    let in_body = Cell::new(false);
    let seed = EnvelopeSeed::<R> {
        want: id,
        in_body: &in_body,
        marker: PhantomData,
    };
    // Validate UTF-8 once for the whole message; serde_json's slice reader would check each
    // string again.
    let Ok(text) = std::str::from_utf8(msg) else {
        return Decoded::Garbage(Error::closed(format!(
            "{}: the controller sent a message that is not UTF-8 text; the connection was closed",
            what()
        )));
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let env = match seed
        .deserialize(&mut de)
        .and_then(|env| de.end().map(|_| env))
    {
        Ok(env) => env,
        Err(e) if in_body.get() => {
            // The envelope is ours; only its body did not fit.
            return Decoded::Mine(Err(Error::protocol(format!(
                "{}: unexpected reply: {}",
                what(),
                serde_error_text(&e)
            ))));
        }
        Err(e) => {
            return Decoded::Garbage(Error::closed(format!(
                "{}: the controller sent a message that is not a JSON reply ({}); \
                 the connection was closed",
                what(),
                serde_error_text(&e)
            )));
        }
    };
    if env.is_request {
        warn!("ignoring a request from the controller (clients serve no facades)");
        return Decoded::Other(env.request_id);
    }
    if env.request_id != id {
        return Decoded::Other(env.request_id);
    }
    if let Some(message) = env.error.filter(|m| !m.is_empty()) {
        let code = env.error_code.as_deref().and_then(ErrorCode::from_wire);
        return Decoded::Mine(Err(
            Error::api(message, code, env.error_info).redacted_by(redaction)
        ));
    }
    let body = match (env.body, env.raw_body) {
        (Some(r), _) => Ok(r),
        // `response` came before `request-id`: decode it now.
        (None, Some(raw)) => serde_json::from_str::<R>(raw.get()),
        // Juju always sends `response` (`{}` when a method has no result): without it the
        // reply cannot be trusted to be complete, so say so rather than guess.
        (None, None) => {
            return Decoded::Mine(Err(Error::protocol(format!(
                "{}: the reply has neither a response nor an error",
                what()
            ))));
        }
    };
    Decoded::Mine(body.map_err(|e| {
        Error::protocol(format!(
            "{}: unexpected reply: {}",
            what(),
            serde_error_text(&e)
        ))
    }))
}

/// The envelope of a reply, as far as the caller needs it.
struct Envelope<R> {
    request_id: u64,
    is_request: bool,
    error: Option<String>,
    error_code: Option<String>,
    error_info: Option<serde_json::Value>,
    body: Option<R>,
    raw_body: Option<Box<RawValue>>,
}

struct EnvelopeSeed<'c, R> {
    want: u64,
    in_body: &'c Cell<bool>,
    marker: PhantomData<R>,
}

enum Field {
    RequestId,
    Type,
    Request,
    Error,
    ErrorCode,
    ErrorInfo,
    Response,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(match v {
                    "request-id" => Field::RequestId,
                    "type" => Field::Type,
                    "request" => Field::Request,
                    "error" => Field::Error,
                    "error-code" => Field::ErrorCode,
                    "error-info" => Field::ErrorInfo,
                    "response" => Field::Response,
                    _ => Field::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

impl<'de, R: DeserializeOwned> DeserializeSeed<'de> for EnvelopeSeed<'_, R> {
    type Value = Envelope<R>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Envelope<R>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, R: DeserializeOwned> Visitor<'de> for EnvelopeSeed<'_, R> {
    type Value = Envelope<R>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON-RPC reply object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<R>, A::Error> {
        let mut env = Envelope {
            request_id: 0,
            is_request: false,
            error: None,
            error_code: None,
            error_info: None,
            body: None,
            raw_body: None,
        };
        let mut seen_id = false;
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::RequestId => {
                    env.request_id = map.next_value::<Option<u64>>()?.unwrap_or(0);
                    seen_id = true;
                }
                Field::Type | Field::Request => {
                    let v: Option<String> = map.next_value()?;
                    env.is_request |= v.is_some_and(|s| !s.is_empty());
                }
                Field::Error => env.error = map.next_value()?,
                Field::ErrorCode => env.error_code = map.next_value()?,
                Field::ErrorInfo => env.error_info = map.next_value()?,
                Field::Response if !seen_id => env.raw_body = Some(map.next_value()?),
                Field::Response if env.request_id == self.want && env.error.is_none() => {
                    self.in_body.set(true);
                    env.body = Some(map.next_value()?);
                    self.in_body.set(false);
                }
                Field::Response | Field::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(env)
    }
}

/// A serde error without any quoted piece of the input, which could be a secret.
pub(crate) fn serde_error_text(e: &serde_json::Error) -> String {
    crate::redact::elide_quoted(&e.to_string())
}

impl Error {
    pub(crate) fn kind_label(&self) -> String {
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
        match decode_reply::<serde_json::Value>(msg, 7, &Redaction::GENERIC, &|| "X.Y".into()) {
            Decoded::Mine(Ok(v)) => assert_eq!(v["a"], 1),
            _ => panic!("expected my reply"),
        }
        assert!(matches!(
            decode_reply::<serde_json::Value>(msg, 8, &Redaction::GENERIC, &|| "X.Y".into()),
            Decoded::Other(7)
        ));
    }

    #[test]
    fn error_replies_keep_code_and_info() {
        let msg = br#"{"request-id":1,"error":"redirection to alternative server required","error-code":"redirection required","error-info":{"ca-cert":"x"},"response":{}}"#;
        match decode_reply::<serde_json::Value>(msg, 1, &Redaction::GENERIC, &|| {
            "Admin.Login".into()
        }) {
            Decoded::Mine(Err(e)) => {
                assert_eq!(e.code(), Some(ErrorCode::Redirect));
                assert_eq!(e.info().unwrap()["ca-cert"], "x");
            }
            _ => panic!("expected an error"),
        }
    }

    #[test]
    fn any_key_order_works_and_a_bad_body_keeps_the_connection() {
        let what = || "X.Y".to_string();
        let msg = br#"{"response":{"n":5},"request-id":3}"#;
        match decode_reply::<serde_json::Value>(msg, 3, &Redaction::GENERIC, &what) {
            Decoded::Mine(Ok(v)) => assert_eq!(v["n"], 5),
            _ => panic!("expected my reply"),
        }
        #[derive(Deserialize, Debug)]
        struct Typed {
            #[allow(dead_code)]
            n: u64,
        }
        let msg = br#"{"request-id":3,"response":{"n":"five"}}"#;
        match decode_reply::<Typed>(msg, 3, &Redaction::GENERIC, &what) {
            Decoded::Mine(Err(e)) => {
                assert_eq!(e.kind(), crate::ErrorKind::Protocol);
                assert!(!e.message().contains("five"), "{e}");
            }
            _ => panic!("expected a protocol error for my call"),
        }
        assert!(matches!(
            decode_reply::<Typed>(b"{\"request-id\":3,", 3, &Redaction::GENERIC, &what),
            Decoded::Garbage(_)
        ));
        assert!(matches!(
            decode_reply::<Typed>(b"[1,2]", 3, &Redaction::GENERIC, &what),
            Decoded::Garbage(_)
        ));
    }

    #[test]
    fn serde_errors_never_quote_the_input() {
        let e = serde_json::from_str::<u64>("\"s3cret\"").unwrap_err();
        let text = serde_error_text(&e);
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("invalid type"));
    }
}
