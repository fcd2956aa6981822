//! The client side of the WebSocket upgrade (RFC 6455 4.1): what `transport` does after TLS.

use std::io::{self, Read, Write};

use super::{Role, WebSocket, WsError, has_token, header, printable_prefix, read_head};

/// A failed client upgrade: what the server answered instead of `101`.
#[derive(Debug)]
pub(crate) enum HandshakeError {
    Ws(WsError),
    /// Status line and a short, printable piece of the body.
    Refused(String),
}

impl From<WsError> for HandshakeError {
    fn from(e: WsError) -> Self {
        HandshakeError::Ws(e)
    }
}

impl From<io::Error> for HandshakeError {
    fn from(e: io::Error) -> Self {
        HandshakeError::Ws(WsError::Io(e))
    }
}

/// Performs the client side of the upgrade: `GET path` with `host` as the `Host` header,
/// plus `extra` headers (names and values without CR or LF).
pub(crate) fn client_handshake<S: Read + Write>(
    mut stream: S,
    host: &str,
    path: &str,
    extra: &[(&str, &str)],
    max_message: usize,
) -> Result<WebSocket<S>, HandshakeError> {
    let key = tungstenite::handshake::client::generate_key();
    let mut req = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\
         User-Agent: juju-client-rust/{}\r\n",
        env!("CARGO_PKG_VERSION")
    );
    for (name, value) in extra {
        if name.contains(['\r', '\n']) || value.contains(['\r', '\n']) {
            return Err(HandshakeError::Refused(format!(
                "header {name:?} has a line break in it"
            )));
        }
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes())?;
    stream.flush()?;
    let head = read_head(&mut stream)?;
    let status = printable_prefix(head.text.lines().next().unwrap_or(""), 120);
    let code = status.split_whitespace().nth(1).unwrap_or("");
    if code != "101" {
        let body = printable_prefix(&String::from_utf8_lossy(&head.leftover), 120);
        let msg = if body.trim().is_empty() {
            format!("server answered {status:?} instead of switching protocols")
        } else {
            format!(
                "server answered {status:?} instead of switching protocols: {}",
                body.trim()
            )
        };
        return Err(HandshakeError::Refused(msg));
    }
    let expected = tungstenite::handshake::derive_accept_key(key.as_bytes());
    if header(&head.text, "Sec-WebSocket-Accept") != Some(expected.as_str()) {
        return Err(HandshakeError::Refused(
            "server switched protocols with a wrong Sec-WebSocket-Accept".into(),
        ));
    }
    if !header(&head.text, "Upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket")) {
        return Err(HandshakeError::Refused(
            "server did not upgrade to websocket".into(),
        ));
    }
    if !has_token(header(&head.text, "Connection"), "upgrade") {
        return Err(HandshakeError::Refused(
            "server switched protocols without `Connection: Upgrade`".into(),
        ));
    }
    // RFC 6455 4.1: a subprotocol or extension we did not ask for fails the handshake; we
    // could not speak it anyway.
    for name in ["Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions"] {
        if header(&head.text, name).is_some() {
            return Err(HandshakeError::Refused(format!(
                "server chose a {name} this client did not ask for"
            )));
        }
    }
    Ok(WebSocket::new(
        stream,
        Role::Client,
        max_message,
        head.leftover,
    ))
}
