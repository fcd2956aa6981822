//! WebSocket (RFC 6455) framing over any blocking `Read + Write` stream, for both ends.
//!
//! We frame messages ourselves instead of using tungstenite's `WebSocket` because tungstenite
//! logs every frame's payload at trace level (`received frame`, `Received message`), which
//! would put passwords and vault tokens into the logs of any program that turns trace on.
//! tungstenite still provides the handshake key derivation. Reads are resumable: a read
//! that times out keeps what it had, so the next read carries on where it stopped.

use std::io::{self, Read, Write};

const OP_CONT: u8 = 0x0;
const OP_TEXT: u8 = 0x1;
const OP_BINARY: u8 = 0x2;
const OP_CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;
const OP_PONG: u8 = 0xA;

/// Which end of the connection we are: clients mask what they send, servers do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Client,
    Server,
}

/// Why a read or write failed.
#[derive(Debug)]
pub(crate) enum WsError {
    /// The stream failed; `WouldBlock`/`TimedOut` mean a timeout and are resumable.
    Io(io::Error),
    /// The peer broke the protocol; the connection cannot be used any more.
    Protocol(String),
    /// A message larger than the limit was announced.
    TooLarge { limit: usize, size: u64 },
    /// The peer sent a close frame (code, if any) or the stream ended.
    Closed(Option<u16>),
}

impl From<io::Error> for WsError {
    fn from(e: io::Error) -> Self {
        WsError::Io(e)
    }
}

impl WsError {
    pub(crate) fn is_timeout(&self) -> bool {
        matches!(self, WsError::Io(e) if is_timeout_io(e))
    }
}

pub(crate) fn is_timeout_io(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// One side of a WebSocket connection.
pub(crate) struct WebSocket<S> {
    stream: S,
    role: Role,
    max_message: usize,
    /// Read buffer, always initialised to its full length: bytes `rbuf[rpos..rend]` are
    /// read but not yet consumed.
    rbuf: Vec<u8>,
    rpos: usize,
    rend: usize,
    /// A fragmented message being assembled: its opcode and data so far.
    partial: Option<(u8, Vec<u8>)>,
    /// The last message assembled from fragments, lent out by `read_message`.
    assembled: Vec<u8>,
    /// Largest frame payload we write before fragmenting (servers may fragment on purpose).
    max_out_frame: usize,
    sent_close: bool,
    wbuf: Vec<u8>,
    mask_seed: u64,
}

impl<S: Read + Write> WebSocket<S> {
    /// Wraps a stream on which the upgrade handshake is done; `leftover` is whatever was read
    /// past the handshake.
    pub(crate) fn new(stream: S, role: Role, max_message: usize, leftover: Vec<u8>) -> Self {
        let rend = leftover.len();
        let mut rbuf = leftover;
        rbuf.resize(rend.max(READ_CHUNK), 0);
        WebSocket {
            stream,
            role,
            max_message,
            rbuf,
            rpos: 0,
            rend,
            partial: None,
            assembled: Vec::new(),
            max_out_frame: usize::MAX,
            sent_close: false,
            wbuf: Vec::with_capacity(4096),
            mask_seed: crate::util::random_u64(),
        }
    }

    pub(crate) fn get_ref(&self) -> &S {
        &self.stream
    }

    pub(crate) fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Fragment outgoing messages into frames of at most `n` payload bytes.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn set_max_out_frame(&mut self, n: usize) {
        self.max_out_frame = n.max(1);
    }

    /// Reads the next data message (text or binary), answering pings on the way. The
    /// message is lent from the read buffer: no copy for a message in one frame.
    pub(crate) fn read_message(&mut self) -> Result<&[u8], WsError> {
        let found = loop {
            if let Some(found) = self.next_from_buffer()? {
                break found;
            }
            self.fill()?;
        };
        Ok(match found {
            Found::InBuffer(start, end) => &self.rbuf[start..end],
            Found::Assembled => &self.assembled,
        })
    }

    /// Reads more bytes from the stream into the buffer, making room first.
    fn fill(&mut self) -> Result<(), WsError> {
        if self.rpos == self.rend {
            self.rpos = 0;
            self.rend = 0;
        }
        if self.rend == self.rbuf.len() {
            if self.rpos > 0 {
                self.rbuf.copy_within(self.rpos..self.rend, 0);
                self.rend -= self.rpos;
                self.rpos = 0;
            } else {
                let grown = (self.rbuf.len() * 2).max(READ_CHUNK);
                self.rbuf.resize(grown, 0);
            }
        }
        match self.stream.read(&mut self.rbuf[self.rend..]) {
            Ok(0) => Err(WsError::Closed(None)),
            Ok(n) => {
                self.rend += n;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) => Err(WsError::Io(e)),
        }
    }

    /// Makes the buffer hold at least `total` bytes from `rpos`, so a large frame arrives
    /// in few reads.
    fn reserve_frame(&mut self, total: usize) {
        if self.rpos + total > self.rbuf.len() {
            if self.rpos > 0 {
                self.rbuf.copy_within(self.rpos..self.rend, 0);
                self.rend -= self.rpos;
                self.rpos = 0;
            }
            if total > self.rbuf.len() {
                self.rbuf.resize(total, 0);
            }
        }
    }

    /// Consumes complete frames from the buffer until a whole data message is assembled.
    fn next_from_buffer(&mut self) -> Result<Option<Found>, WsError> {
        loop {
            let avail = &self.rbuf[self.rpos..self.rend];
            if avail.len() < 2 {
                return Ok(None);
            }
            let b0 = avail[0];
            let b1 = avail[1];
            let fin = b0 & 0x80 != 0;
            if b0 & 0x70 != 0 {
                return Err(WsError::Protocol(
                    "reserved bits set (no extension was negotiated)".into(),
                ));
            }
            let opcode = b0 & 0x0F;
            let masked = b1 & 0x80 != 0;
            let mut header = 2usize;
            let len7 = (b1 & 0x7F) as u64;
            let len = match len7 {
                126 => {
                    if avail.len() < 4 {
                        return Ok(None);
                    }
                    header += 2;
                    u16::from_be_bytes([avail[2], avail[3]]) as u64
                }
                127 => {
                    if avail.len() < 10 {
                        return Ok(None);
                    }
                    header += 8;
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&avail[2..10]);
                    u64::from_be_bytes(b)
                }
                n => n,
            };
            if masked != (self.role == Role::Server) {
                return Err(WsError::Protocol(match self.role {
                    Role::Client => "the server sent a masked frame".into(),
                    Role::Server => "the client sent an unmasked frame".into(),
                }));
            }
            let mask_at = header;
            if masked {
                header += 4;
            }
            let is_control = opcode & 0x8 != 0;
            if is_control && (len > 125 || !fin) {
                return Err(WsError::Protocol("invalid control frame".into()));
            }
            let so_far = self.partial.as_ref().map_or(0, |(_, d)| d.len() as u64);
            if !is_control && so_far + len > self.max_message as u64 {
                return Err(WsError::TooLarge {
                    limit: self.max_message,
                    size: so_far + len,
                });
            }
            let total = header as u64 + len;
            if (avail.len() as u64) < total {
                self.reserve_frame(total as usize);
                return Ok(None);
            }
            let total = total as usize;
            let start = self.rpos + header;
            let end = self.rpos + total;
            if masked {
                let m = [
                    self.rbuf[self.rpos + mask_at],
                    self.rbuf[self.rpos + mask_at + 1],
                    self.rbuf[self.rpos + mask_at + 2],
                    self.rbuf[self.rpos + mask_at + 3],
                ];
                apply_mask(&mut self.rbuf[start..end], m);
            }
            self.rpos = end;
            let payload = start..end;
            match opcode {
                OP_PING => {
                    let data = self.rbuf[payload].to_vec();
                    if !self.sent_close {
                        self.write_frame(OP_PONG, &data, true)?;
                        self.stream.flush()?;
                    }
                }
                OP_PONG => {}
                OP_CLOSE => {
                    let code = if payload.len() >= 2 {
                        Some(u16::from_be_bytes([
                            self.rbuf[payload.start],
                            self.rbuf[payload.start + 1],
                        ]))
                    } else {
                        None
                    };
                    if !self.sent_close {
                        // Echo the close as RFC 6455 asks; the peer may already be gone.
                        let echo = code.unwrap_or(1000).to_be_bytes();
                        let _ = self
                            .write_frame(OP_CLOSE, &echo, true)
                            .and_then(|_| self.stream.flush().map_err(WsError::Io));
                        self.sent_close = true;
                    }
                    return Err(WsError::Closed(code));
                }
                OP_TEXT | OP_BINARY => {
                    if self.partial.is_some() {
                        return Err(WsError::Protocol(
                            "new message started inside a fragmented one".into(),
                        ));
                    }
                    if fin {
                        return Ok(Some(Found::InBuffer(payload.start, payload.end)));
                    }
                    self.partial = Some((opcode, self.rbuf[payload].to_vec()));
                }
                OP_CONT => {
                    let Some((_, data)) = self.partial.as_mut() else {
                        return Err(WsError::Protocol(
                            "continuation frame without a message".into(),
                        ));
                    };
                    data.extend_from_slice(&self.rbuf[payload]);
                    if fin {
                        if let Some((_, d)) = self.partial.take() {
                            self.assembled = d;
                        }
                        return Ok(Some(Found::Assembled));
                    }
                }
                other => {
                    return Err(WsError::Protocol(format!("unknown opcode {other:#x}")));
                }
            }
        }
    }

    /// Writes one text message and flushes it.
    pub(crate) fn send_text(&mut self, data: &[u8]) -> Result<(), WsError> {
        if self.sent_close {
            return Err(WsError::Closed(None));
        }
        if data.len() <= self.max_out_frame {
            self.write_frame(OP_TEXT, data, true)?;
        } else {
            let mut chunks = data.chunks(self.max_out_frame).peekable();
            let mut op = OP_TEXT;
            while let Some(chunk) = chunks.next() {
                self.write_frame(op, chunk, chunks.peek().is_none())?;
                op = OP_CONT;
            }
        }
        self.stream.flush()?;
        Ok(())
    }

    /// Writes the first frame of a text message and never finishes it (a fault for tests).
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn send_partial(&mut self, data: &[u8]) -> Result<(), WsError> {
        self.write_frame(OP_TEXT, data, false)?;
        self.stream.flush()?;
        Ok(())
    }

    /// Sends a close frame with `code` (once); does not wait for the answer.
    pub(crate) fn send_close(&mut self, code: u16) -> Result<(), WsError> {
        if self.sent_close {
            return Ok(());
        }
        self.sent_close = true;
        self.write_frame(OP_CLOSE, &code.to_be_bytes(), true)?;
        self.stream.flush()?;
        Ok(())
    }

    /// Sends a close frame and reads until the peer's close (or an error, such as the
    /// stream's read timeout).
    pub(crate) fn close(&mut self, code: u16) -> Result<(), WsError> {
        self.send_close(code)?;
        loop {
            match self.read_message() {
                Ok(_) => continue,
                Err(WsError::Closed(_)) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    fn write_frame(&mut self, opcode: u8, payload: &[u8], fin: bool) -> Result<(), WsError> {
        let w = &mut self.wbuf;
        w.clear();
        w.push(if fin { 0x80 } else { 0 } | opcode);
        let mask_bit = if self.role == Role::Client { 0x80 } else { 0 };
        let len = payload.len();
        if len < 126 {
            w.push(mask_bit | len as u8);
        } else if len <= u16::MAX as usize {
            w.push(mask_bit | 126);
            w.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            w.push(mask_bit | 127);
            w.extend_from_slice(&(len as u64).to_be_bytes());
        }
        if self.role == Role::Client {
            self.mask_seed = crate::util::next_random(self.mask_seed);
            let mask = (self.mask_seed as u32).to_ne_bytes();
            w.extend_from_slice(&mask);
            let at = w.len();
            w.extend_from_slice(payload);
            apply_mask(&mut w[at..], mask);
            self.stream.write_all(w)?;
        } else if len <= 8 * 1024 {
            w.extend_from_slice(payload);
            self.stream.write_all(w)?;
        } else {
            // Large server frames: skip the copy.
            self.stream.write_all(w)?;
            self.stream.write_all(payload)?;
        }
        Ok(())
    }
}

/// Where `read_message` finds the message it returns.
enum Found {
    InBuffer(usize, usize),
    Assembled,
}

const READ_CHUNK: usize = 16 * 1024;

fn apply_mask(data: &mut [u8], mask: [u8; 4]) {
    let m = u32::from_ne_bytes(mask);
    let mut chunks = data.chunks_exact_mut(4);
    for c in &mut chunks {
        let v = u32::from_ne_bytes([c[0], c[1], c[2], c[3]]) ^ m;
        c.copy_from_slice(&v.to_ne_bytes());
    }
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= mask[i];
    }
}

/// The HTTP head of an upgrade exchange, split at the blank line.
struct Head {
    text: String,
    leftover: Vec<u8>,
}

fn read_head<S: Read>(stream: &mut S) -> Result<Head, WsError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let leftover = buf[pos + 4..].to_vec();
            buf.truncate(pos);
            return Ok(Head {
                text: String::from_utf8_lossy(&buf).into_owned(),
                leftover,
            });
        }
        if buf.len() > 64 * 1024 {
            return Err(WsError::Protocol("HTTP header too long".into()));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(WsError::Closed(None));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

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
    let status = head.text.lines().next().unwrap_or("").to_string();
    let code = status.split_whitespace().nth(1).unwrap_or("");
    if code != "101" {
        let mut body = String::from_utf8_lossy(&head.leftover).into_owned();
        body.retain(|c| !c.is_control() || c == ' ');
        body.truncate(120);
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
    Ok(WebSocket::new(
        stream,
        Role::Client,
        max_message,
        head.leftover,
    ))
}

/// What a client asked for in its upgrade request.
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
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
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
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
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
pub(crate) fn server_handshake<S: Read + Write>(
    mut stream: S,
    max_message: usize,
    route: impl Fn(&str) -> Route,
) -> Result<(WebSocket<S>, Upgrade), WsError> {
    let head = read_head(&mut stream)?;
    let first = head.text.lines().next().unwrap_or("");
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("").to_string();
    let key = header(&head.text, "Sec-WebSocket-Key");
    let upgrade =
        header(&head.text, "Upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// An in-memory stream: reads come from `input` in the given chunks, writes are kept.
    struct Mock {
        input: VecDeque<Vec<u8>>,
        output: Vec<u8>,
    }

    impl Read for Mock {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.input.pop_front() {
                None => Ok(0),
                Some(c) if c.is_empty() => Err(io::ErrorKind::WouldBlock.into()),
                Some(mut c) => {
                    let n = c.len().min(buf.len());
                    buf[..n].copy_from_slice(&c[..n]);
                    if n < c.len() {
                        self.input.push_front(c.split_off(n));
                    }
                    Ok(n)
                }
            }
        }
    }

    impl Write for Mock {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn server_frames(msgs: &[&[u8]], frame: usize) -> Vec<u8> {
        let mut ws = WebSocket::new(
            Mock {
                input: VecDeque::new(),
                output: vec![],
            },
            Role::Server,
            1 << 20,
            vec![],
        );
        ws.set_max_out_frame(frame);
        for m in msgs {
            ws.send_text(m).unwrap();
        }
        ws.stream.output
    }

    #[test]
    fn reassembles_fragments_across_timeouts() {
        let bytes = server_frames(&[b"{\"request-id\":1}\n"], 5);
        // Deliver one byte at a time with a "timeout" between every byte.
        let mut input = VecDeque::new();
        for b in bytes {
            input.push_back(vec![b]);
            input.push_back(vec![]);
        }
        let mut ws = WebSocket::new(
            Mock {
                input,
                output: vec![],
            },
            Role::Client,
            1 << 20,
            vec![],
        );
        let msg = loop {
            match ws.read_message() {
                Ok(m) => break m,
                Err(e) if e.is_timeout() => continue,
                Err(e) => panic!("{e:?}"),
            }
        };
        assert_eq!(msg, b"{\"request-id\":1}\n");
    }

    #[test]
    fn answers_ping_and_reports_close() {
        let mut input = server_frames(&[], 100);
        input.extend_from_slice(&[0x89, 2, b'h', b'i']); // ping "hi"
        input.extend_from_slice(&server_frames(&[b"x"], 100));
        input.extend_from_slice(&[0x88, 2, 0x03, 0xE8]); // close 1000
        let mut ws = WebSocket::new(
            Mock {
                input: VecDeque::from(vec![input]),
                output: vec![],
            },
            Role::Client,
            1 << 20,
            vec![],
        );
        assert_eq!(ws.read_message().unwrap(), b"x");
        // The pong went out, masked, with the same payload.
        let out = &ws.stream.output;
        assert_eq!(out[0], 0x8A);
        assert_eq!(out[1], 0x80 | 2);
        let mask = &out[2..6];
        assert_eq!([out[6] ^ mask[0], out[7] ^ mask[1]], *b"hi");
        assert!(matches!(
            ws.read_message(),
            Err(WsError::Closed(Some(1000)))
        ));
    }

    #[test]
    fn refuses_oversized_message_before_reading_it() {
        let mut ws = WebSocket::new(
            Mock {
                input: VecDeque::from(vec![vec![0x81, 127, 0, 0, 0, 1, 0, 0, 0, 0]]),
                output: vec![],
            },
            Role::Client,
            1024,
            vec![],
        );
        assert!(matches!(
            ws.read_message(),
            Err(WsError::TooLarge {
                limit: 1024,
                size: 4294967296
            })
        ));
    }

    #[test]
    fn client_frames_are_masked_and_server_reads_them() {
        let mut client = WebSocket::new(
            Mock {
                input: VecDeque::new(),
                output: vec![],
            },
            Role::Client,
            1 << 20,
            vec![],
        );
        let big = vec![b'a'; 70_000];
        client.send_text(&big).unwrap();
        client.send_text(b"small").unwrap();
        let wire = client.stream.output.clone();
        assert_eq!(wire[1] & 0x80, 0x80);
        let mut server = WebSocket::new(
            Mock {
                input: VecDeque::from(vec![wire]),
                output: vec![],
            },
            Role::Server,
            1 << 20,
            vec![],
        );
        assert_eq!(server.read_message().unwrap(), big);
        assert_eq!(server.read_message().unwrap(), b"small");
    }
}
