//! The server side of the WebSocket upgrade (RFC 6455 4.2), and plain HTTP beside it:
//! only the fake controller (and the fuzzing's hostile server) serve, so it lives here.

use std::io::{Read, Write};

use crate::websocket::{Role, WebSocket, WsError, has_token, header, read_head};

/// What a client asked for in its upgrade request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Upgrade {
    /// The request path, e.g. `/api`.
    pub(crate) path: String,
    /// The `Host` header, if any.
    pub(crate) host: Option<String>,
    /// The `X-Juju-ClientVersion` header, if any.
    pub(crate) client_version: Option<String>,
}

/// How a server answers an upgrade request for a path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Route {
    /// Upgrade and serve it.
    Serve,
    /// `404 Not Found`: nothing there.
    NotFound,
    /// `400 Bad Request` with this text as the body.
    BadRequest(String),
}

/// Performs the server side of the upgrade; returns the socket and what was asked for.
/// A request that is not a WebSocket upgrade is answered `400` and refused.
#[cfg(feature = "fuzzing")]
pub(crate) fn server_handshake<S: Read + Write>(
    stream: S,
    max_message: usize,
    route: impl Fn(&str) -> Route,
) -> Result<(WebSocket<S>, Upgrade), WsError> {
    server_handshake_or_http(stream, max_message, route, |_| None)
}

/// A plain HTTP request that is not a WebSocket upgrade (the fake's `/auth` endpoints).
pub(crate) struct HttpRequest {
    pub(crate) method: String,
    /// With the query.
    pub(crate) path: String,
    /// The request head, for [`HttpRequest::header`].
    head: String,
    pub(crate) body: Vec<u8>,
}

impl HttpRequest {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        header(&self.head, name)
    }
}

/// The largest plain HTTP request body [`server_handshake_or_http`] reads.
const MAX_HTTP_BODY: usize = 64 * 1024;

/// As [`server_handshake`], but a request that is not an upgrade is offered to `http`
/// first: the whole response it returns is written, and the handshake ends with an error.
pub(crate) fn server_handshake_or_http<S: Read + Write>(
    mut stream: S,
    max_message: usize,
    route: impl Fn(&str) -> Route,
    http: impl FnOnce(&HttpRequest) -> Option<Vec<u8>>,
) -> Result<(WebSocket<S>, Upgrade), WsError> {
    let head = read_head(&mut stream)?;
    let first = head.text.lines().next().unwrap_or("");
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("").to_string();
    let key = header(&head.text, "Sec-WebSocket-Key");
    let upgrade = header(&head.text, "Upgrade")
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
        && has_token(header(&head.text, "Connection"), "upgrade")
        && header(&head.text, "Sec-WebSocket-Version") == Some("13");
    if !upgrade {
        let len = match header(&head.text, "Content-Length") {
            None => 0,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= MAX_HTTP_BODY)
                .ok_or_else(|| WsError::Protocol("bad or too large Content-Length".into()))?,
        };
        let mut body = head.leftover.clone();
        body.truncate(len);
        while body.len() < len {
            let mut chunk = [0u8; 4096];
            let want = (len - body.len()).min(chunk.len());
            let n = stream.read(&mut chunk[..want])?;
            if n == 0 {
                return Err(WsError::Protocol("HTTP body cut short".into()));
            }
            body.extend_from_slice(&chunk[..n]);
        }
        let req = HttpRequest {
            method: method.to_string(),
            path: path.clone(),
            head: head.text.clone(),
            body,
        };
        if let Some(resp) = http(&req) {
            stream.write_all(&resp)?;
            stream.flush()?;
            return Err(WsError::Protocol(format!("served plain HTTP {path:?}")));
        }
    }
    let Some(key) = key.filter(|_| method == "GET" && upgrade) else {
        let body = "expected a WebSocket upgrade\n";
        let resp = format!(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(resp.as_bytes());
        return Err(WsError::Protocol("not a WebSocket upgrade".into()));
    };
    let refusal = match route(&path) {
        Route::Serve => None,
        // Go's default NotFound handler.
        Route::NotFound => Some(("404 Not Found", "404 page not found".to_string())),
        // Go's http.Error, as Juju answers a malformed model UUID.
        Route::BadRequest(text) => Some(("400 Bad Request", text)),
    };
    if let Some((status, text)) = refusal {
        let body = format!("{text}\n");
        let resp = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n\
             X-Content-Type-Options: nosniff\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(resp.as_bytes());
        return Err(WsError::Protocol(format!(
            "no WebSocket endpoint at {path:?}"
        )));
    }
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    let resp = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    stream.write_all(resp.as_bytes())?;
    stream.flush()?;
    let upgrade = Upgrade {
        host: header(&head.text, "Host").map(str::to_string),
        client_version: header(&head.text, "X-Juju-ClientVersion").map(str::to_string),
        path,
    };
    Ok((
        WebSocket::new(stream, Role::Server, max_message, head.leftover),
        upgrade,
    ))
}
