//! WebSocket (RFC 6455) framing over any blocking `Read + Write` stream, for both ends; the
//! client's upgrade is in `client` (the server's, which only the fake controller needs, is
//! in `testing`).
//!
//! We frame messages ourselves instead of using tungstenite's `WebSocket` because tungstenite
//! logs every frame's payload at trace level (`received frame`, `Received message`), which
//! would put passwords and vault tokens into the logs of any program that turns trace on.
//! tungstenite still provides the handshake key derivation. Reads are resumable: a read
//! that times out keeps what it had, so the next read carries on where it stopped. Writes
//! are not: a write that fails may have put part of a frame on the wire, so the socket
//! refuses every later operation.
//!
//! Everything read from the peer is untrusted: lengths are checked before any arithmetic
//! or allocation, and any breach of RFC 6455 fails the connection with the close code the
//! RFC names (1002 protocol error, 1007 invalid text, 1009 too big).

use std::io::{self, Read, Write};
use std::time::Instant;

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
    /// A write failed, perhaps after part of a frame went out: the stream is out of step
    /// and cannot be used any more, even when the cause was a timeout.
    Write(io::Error),
}

impl From<io::Error> for WsError {
    fn from(e: io::Error) -> Self {
        WsError::Io(e)
    }
}

impl WsError {
    pub(crate) fn is_timeout(&self) -> bool {
        matches!(self, WsError::Io(e) if crate::util::is_timeout_io(e))
    }
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
    /// Bytes (from `rpos`) the frame being read needs; the buffer grows towards it only as
    /// bytes arrive, so a peer announcing a huge frame costs nothing until it sends it.
    need: usize,
    /// Largest frame payload we write before fragmenting (servers may fragment on purpose).
    max_out_frame: usize,
    sent_close: bool,
    /// Why the socket is unusable (a protocol breach or a failed write), once it is.
    failed: Option<String>,
    wbuf: Vec<u8>,
    /// Masking keys from the OS RNG, drawn in batches to save a system call per frame.
    masks: [u8; MASK_POOL],
    masks_used: usize,
    /// The last read from the stream returned less than it asked for. TLS returns at most
    /// one record's bytes per read, so it then held no more decrypted bytes.
    short_read: bool,
}

/// Random bytes drawn at once for masking keys (four per frame).
const MASK_POOL: usize = 256;

/// A buffer grown past this for one large message is given back afterwards; one up to it is
/// kept, so that a connection that keeps getting large replies (a revealed list of a
/// thousand secrets is about 550 kB) does not grow, zero-fill and fault in a fresh buffer
/// for each (measured: a few percent of such a call). At most 1 MiB per connection.
const KEEP_BUFFER: usize = 1 << 20;

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
            need: 0,
            max_out_frame: usize::MAX,
            sent_close: false,
            failed: None,
            wbuf: Vec::with_capacity(4096),
            masks: [0; MASK_POOL],
            masks_used: MASK_POOL,
            short_read: false,
        }
    }

    /// True when every byte read is consumed and the last read from the stream was short:
    /// only new bytes from below can complete another message, so a read now would only
    /// find nothing.
    pub(crate) fn drained(&self) -> bool {
        self.rpos == self.rend && self.short_read
    }

    pub(crate) fn get_ref(&self) -> &S {
        &self.stream
    }

    pub(crate) fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// The stream, for a test server that goes on in raw bytes.
    #[cfg(all(feature = "testing", feature = "fuzzing"))]
    pub(crate) fn into_inner(self) -> S {
        self.stream
    }

    /// Fragment outgoing messages into frames of at most `n` payload bytes.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn set_max_out_frame(&mut self, n: usize) {
        self.max_out_frame = n.max(1);
    }

    /// Reads the next data message (text or binary), answering pings on the way. The
    /// message is lent from the read buffer: no copy for a message in one frame.
    pub(crate) fn read_message(&mut self) -> Result<&[u8], WsError> {
        if let Some(why) = &self.failed {
            return Err(WsError::Protocol(why.clone()));
        }
        self.shrink_buffers();
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

    /// Gives back memory held for a large message once the caller is done with it.
    fn shrink_buffers(&mut self) {
        if self.assembled.capacity() > KEEP_BUFFER {
            self.assembled = Vec::new();
        }
        let unread = self.rend - self.rpos;
        if self.rbuf.len() > KEEP_BUFFER && unread <= READ_CHUNK {
            self.rbuf.copy_within(self.rpos..self.rend, 0);
            self.rpos = 0;
            self.rend = unread;
            self.rbuf.truncate(READ_CHUNK);
            self.rbuf.shrink_to_fit();
        }
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
                // Double, but never past what the current frame needs: memory follows the
                // bytes that arrived, not the length the peer announced.
                let len = self.rbuf.len();
                let grown = len.saturating_mul(2).max(READ_CHUNK);
                let grown = if self.need > len {
                    grown.min(self.need)
                } else {
                    grown
                };
                self.rbuf.resize(grown, 0);
            }
        }
        let asked = self.rbuf.len() - self.rend;
        match self.stream.read(&mut self.rbuf[self.rend..]) {
            Ok(0) => Err(WsError::Closed(None)),
            Ok(n) => {
                self.rend += n;
                self.short_read = n < asked;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) => Err(WsError::Io(e)),
        }
    }

    /// Notes that the frame at `rpos` needs `total` bytes, moving it to the front of the
    /// buffer if it would not fit where it is. The buffer itself grows in `fill`.
    fn reserve_frame(&mut self, total: usize) {
        self.need = total;
        if self.rpos > 0 && total > self.rbuf.len() - self.rpos {
            self.rbuf.copy_within(self.rpos..self.rend, 0);
            self.rend -= self.rpos;
            self.rpos = 0;
        }
    }

    /// Fails the connection as RFC 6455 7.1.7 asks: a close frame with `code` (best
    /// effort), then every later operation refuses.
    fn fail(&mut self, code: u16, why: impl Into<String>) -> WsError {
        let why = why.into();
        if !self.sent_close {
            self.sent_close = true;
            let _ = self
                .write_frame(OP_CLOSE, &code.to_be_bytes(), true)
                .and_then(|_| self.stream.flush().map_err(WsError::Write));
        }
        self.failed = Some(why.clone());
        WsError::Protocol(why)
    }

    /// Consumes complete frames from the buffer until a whole data message is assembled.
    fn next_from_buffer(&mut self) -> Result<Option<Found>, WsError> {
        loop {
            let avail = &self.rbuf[self.rpos..self.rend];
            if avail.len() < 2 {
                self.need = 2;
                return Ok(None);
            }
            let b0 = avail[0];
            let b1 = avail[1];
            let fin = b0 & 0x80 != 0;
            if b0 & 0x70 != 0 {
                return Err(self.fail(1002, "reserved bits set (no extension was negotiated)"));
            }
            let opcode = b0 & 0x0F;
            let masked = b1 & 0x80 != 0;
            let mut header = 2usize;
            let len = match b1 & 0x7F {
                126 => {
                    if avail.len() < 4 {
                        self.need = 4;
                        return Ok(None);
                    }
                    header += 2;
                    u16::from_be_bytes([avail[2], avail[3]]) as u64
                }
                127 => {
                    if avail.len() < 10 {
                        self.need = 10;
                        return Ok(None);
                    }
                    header += 8;
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&avail[2..10]);
                    u64::from_be_bytes(b)
                }
                n => n as u64,
            };
            if len >> 63 != 0 {
                return Err(self.fail(1002, "a 64-bit frame length with its top bit set"));
            }
            if masked != (self.role == Role::Server) {
                return Err(self.fail(
                    1002,
                    match self.role {
                        Role::Client => "the server sent a masked frame",
                        Role::Server => "the client sent an unmasked frame",
                    },
                ));
            }
            let mask_at = header;
            if masked {
                header += 4;
            }
            let is_control = opcode & 0x8 != 0;
            if is_control && (len > 125 || !fin) {
                return Err(self.fail(1002, "invalid control frame (too long or fragmented)"));
            }
            if !matches!(
                opcode,
                OP_CONT | OP_TEXT | OP_BINARY | OP_CLOSE | OP_PING | OP_PONG
            ) {
                return Err(self.fail(1002, format!("unknown opcode {opcode:#x}")));
            }
            let so_far = self.partial.as_ref().map_or(0, |(_, d)| d.len() as u64);
            // Subtract rather than add: the peer chooses `len`, and a sum could wrap.
            let room = (self.max_message as u64).saturating_sub(so_far);
            if !is_control && len > room {
                let size = so_far.saturating_add(len);
                let limit = self.max_message;
                let _ = self.fail(1009, "message too big");
                return Err(WsError::TooLarge { limit, size });
            }
            // `len` is now at most `max_message` or 125, so this fits a usize.
            let Some(total) = usize::try_from(len)
                .ok()
                .and_then(|l| l.checked_add(header))
            else {
                return Err(self.fail(1009, "frame length does not fit in memory"));
            };
            if avail.len() < total {
                self.reserve_frame(total);
                return Ok(None);
            }
            self.need = 0;
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
                    if !self.sent_close {
                        let data = self.rbuf[payload].to_vec();
                        // A pong that does not go out whole leaves the stream out of step:
                        // that breaks the connection, even if the cause was a timeout.
                        self.write_frame(OP_PONG, &data, true)?;
                        self.stream.flush().map_err(|e| self.write_failed(e))?;
                    }
                }
                OP_PONG => {}
                OP_CLOSE => return Err(self.on_close(payload)),
                OP_TEXT | OP_BINARY => {
                    if self.partial.is_some() {
                        return Err(self.fail(1002, "new message started inside a fragmented one"));
                    }
                    if fin {
                        if opcode == OP_TEXT
                            && std::str::from_utf8(&self.rbuf[payload.clone()]).is_err()
                        {
                            return Err(self.fail(1007, "a text message that is not UTF-8"));
                        }
                        return Ok(Some(Found::InBuffer(payload.start, payload.end)));
                    }
                    self.partial = Some((opcode, self.rbuf[payload].to_vec()));
                }
                OP_CONT => {
                    let Some((_, data)) = self.partial.as_mut() else {
                        return Err(self.fail(1002, "continuation frame without a message"));
                    };
                    data.extend_from_slice(&self.rbuf[payload]);
                    if fin {
                        if let Some((op, d)) = self.partial.take() {
                            if op == OP_TEXT && std::str::from_utf8(&d).is_err() {
                                return Err(self.fail(1007, "a text message that is not UTF-8"));
                            }
                            self.assembled = d;
                        }
                        return Ok(Some(Found::Assembled));
                    }
                }
                _ => unreachable!("opcodes were checked above"),
            }
        }
    }

    /// Handles the peer's close frame: checks it (RFC 6455 5.5.1, 7.4), answers it once,
    /// and says why reading ends.
    fn on_close(&mut self, payload: std::ops::Range<usize>) -> WsError {
        let body = &self.rbuf[payload];
        let code = match body.len() {
            0 => None,
            1 => return self.fail(1002, "a close frame with a 1-byte payload"),
            _ => Some(u16::from_be_bytes([body[0], body[1]])),
        };
        if let Some(c) = code {
            if !close_code_allowed(c) {
                return self.fail(1002, format!("the peer closed with reserved code {c}"));
            }
            if std::str::from_utf8(&body[2..]).is_err() {
                return self.fail(1007, "a close reason that is not UTF-8");
            }
        }
        if !self.sent_close {
            self.sent_close = true;
            // Echo the code as RFC 6455 5.5.1 asks; the peer may already be gone.
            let echo = code.map(u16::to_be_bytes);
            let _ = self
                .write_frame(OP_CLOSE, echo.as_ref().map_or(&[][..], |e| &e[..]), true)
                .and_then(|_| self.stream.flush().map_err(WsError::Write));
        }
        WsError::Closed(code)
    }

    fn write_failed(&mut self, e: io::Error) -> WsError {
        self.failed = Some("a write failed part-way".into());
        WsError::Write(e)
    }

    /// Writes one text message and flushes it.
    pub(crate) fn send_text(&mut self, data: &[u8]) -> Result<(), WsError> {
        if let Some(why) = &self.failed {
            return Err(WsError::Protocol(why.clone()));
        }
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
        self.stream.flush().map_err(|e| self.write_failed(e))
    }

    /// Writes the first frame of a text message and never finishes it (a fault for tests).
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn send_partial(&mut self, data: &[u8]) -> Result<(), WsError> {
        self.write_frame(OP_TEXT, data, false)?;
        self.stream.flush().map_err(|e| self.write_failed(e))
    }

    /// Sends a close frame with `code` (once); does not wait for the answer.
    pub(crate) fn send_close(&mut self, code: u16) -> Result<(), WsError> {
        if self.sent_close || self.failed.is_some() {
            return Ok(());
        }
        self.sent_close = true;
        self.write_frame(OP_CLOSE, &code.to_be_bytes(), true)?;
        self.stream.flush().map_err(|e| self.write_failed(e))
    }

    /// Sends a close frame and reads until the peer's close, an error (such as the stream's
    /// own deadline) or `deadline`: a peer that keeps sending data cannot hold us here.
    pub(crate) fn close(&mut self, code: u16, deadline: Instant) -> Result<(), WsError> {
        self.send_close(code)?;
        while Instant::now() < deadline {
            match self.read_message() {
                Ok(_) => continue,
                Err(WsError::Closed(_)) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Err(WsError::Io(io::ErrorKind::TimedOut.into()))
    }

    /// Four fresh masking keys bytes. RFC 6455 10.3 wants keys a peer cannot predict;
    /// the OS RNG gives them, and if it ever fails we stop rather than mask predictably.
    fn next_mask(&mut self) -> Result<[u8; 4], WsError> {
        if self.masks_used + 4 > MASK_POOL {
            getrandom::fill(&mut self.masks).map_err(|e| {
                WsError::Write(io::Error::other(format!("no randomness for masking: {e}")))
            })?;
            self.masks_used = 0;
        }
        let at = self.masks_used;
        self.masks_used += 4;
        Ok([
            self.masks[at],
            self.masks[at + 1],
            self.masks[at + 2],
            self.masks[at + 3],
        ])
    }

    fn write_frame(&mut self, opcode: u8, payload: &[u8], fin: bool) -> Result<(), WsError> {
        if let Some(why) = &self.failed {
            return Err(WsError::Protocol(why.clone()));
        }
        let mask = match self.role {
            Role::Client => Some(self.next_mask()?),
            Role::Server => None,
        };
        let w = &mut self.wbuf;
        w.clear();
        w.push(if fin { 0x80 } else { 0 } | opcode);
        let mask_bit = if mask.is_some() { 0x80 } else { 0 };
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
        let written = if let Some(mask) = mask {
            w.extend_from_slice(&mask);
            let at = w.len();
            w.extend_from_slice(payload);
            apply_mask(&mut w[at..], mask);
            self.stream.write_all(w)
        } else if len <= 8 * 1024 {
            w.extend_from_slice(payload);
            self.stream.write_all(w)
        } else {
            // Large server frames: skip the copy.
            self.stream
                .write_all(w)
                .and_then(|_| self.stream.write_all(payload))
        };
        written.map_err(|e| self.write_failed(e))
    }
}

/// Close codes a peer may send (RFC 6455 7.4.1 and 7.4.2; 1012 to 1014 are registered with
/// IANA since). 1004, 1005, 1006 and 1015 must never appear on the wire.
fn close_code_allowed(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
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
pub(crate) struct Head {
    /// The request or status line and the headers.
    pub(crate) text: String,
    /// Bytes read past the head.
    pub(crate) leftover: Vec<u8>,
}

pub(crate) fn read_head<S: Read>(stream: &mut S) -> Result<Head, WsError> {
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

/// At most `max` characters of `text`, without control characters: a server's text goes
/// into our error message, so it must be short and unable to forge lines.
pub(crate) fn printable_prefix(text: &str, max: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == ' ')
        .take(max)
        .collect()
}

/// True when a comma-separated header value holds `token` (any case).
pub(crate) fn has_token(value: Option<&str>, token: &str) -> bool {
    value.is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
}

pub(crate) fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

mod client;

pub(crate) use client::{HandshakeError, client_handshake};

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

    fn client_reading(input: Vec<Vec<u8>>, max: usize) -> WebSocket<Mock> {
        WebSocket::new(
            Mock {
                input: VecDeque::from(input),
                output: vec![],
            },
            Role::Client,
            max,
            vec![],
        )
    }

    /// The close code our side sent, if it sent one (server role: unmasked frames).
    fn sent_close_code(out: &[u8]) -> Option<u16> {
        let at = out.iter().position(|b| *b == 0x88)?;
        let masked = out[at + 1] & 0x80 != 0;
        let p = at + 2 + if masked { 4 } else { 0 };
        let mut code = [out[p], out[p + 1]];
        if masked {
            code[0] ^= out[at + 2];
            code[1] ^= out[at + 3];
        }
        Some(u16::from_be_bytes(code))
    }

    #[test]
    fn a_length_near_2_pow_64_after_a_fragment_is_refused_not_a_panic() {
        // The review's 15 bytes: a 1-byte non-final text frame, then a continuation
        // announcing 0xFFFF_FFFF_FFFF_FFFF; `so_far + len` used to overflow.
        let mut bytes = vec![0x01, 0x01, b'a', 0x80, 127];
        bytes.extend_from_slice(&[0xFF; 8]);
        bytes.extend_from_slice(&[0, 0]);
        let mut ws = client_reading(vec![bytes], 1 << 20);
        assert!(matches!(ws.read_message(), Err(WsError::Protocol(m)) if m.contains("top bit")));
        assert_eq!(sent_close_code(&ws.stream.output), Some(1002));
        // And the socket stays refused.
        assert!(matches!(ws.read_message(), Err(WsError::Protocol(_))));
    }

    #[test]
    fn lengths_are_compared_without_overflow() {
        // Top bit clear but far over the limit, after a fragment: refused by size.
        let mut bytes = vec![0x01, 0x01, b'a', 0x80, 127, 0x7F];
        bytes.extend_from_slice(&[0xFF; 7]);
        let mut ws = client_reading(vec![bytes], 1 << 20);
        assert!(matches!(
            ws.read_message(),
            Err(WsError::TooLarge { limit: 1048576, size }) if size == 0x7FFF_FFFF_FFFF_FFFF + 1
        ));
        assert_eq!(sent_close_code(&ws.stream.output), Some(1009));
        // Exactly at the limit is fine; one byte over is not, before any payload arrives.
        let ok = client_reading(vec![vec![0x82, 126, 0x04, 0x00], vec![7; 1024]], 1024)
            .read_message()
            .map(|m| m.len())
            .unwrap();
        assert_eq!(ok, 1024);
        let mut ws = client_reading(vec![vec![0x82, 126, 0x04, 0x01]], 1024);
        assert!(matches!(
            ws.read_message(),
            Err(WsError::TooLarge { size: 1025, .. })
        ));
    }

    #[test]
    fn a_huge_announced_frame_costs_no_memory_until_it_arrives() {
        // 1 GiB announced (within the limit), 10 bytes sent, then the peer stalls. The
        // buffer used to be zero-filled to the announced size at once.
        let mut head = vec![0x82, 127];
        head.extend_from_slice(&(1u64 << 30).to_be_bytes());
        let mut ws = client_reading(vec![head, vec![1; 10], vec![]], 1 << 31);
        assert!(ws.read_message().unwrap_err().is_timeout());
        assert!(ws.rbuf.len() <= 2 * READ_CHUNK, "{} bytes", ws.rbuf.len());
    }

    #[test]
    fn the_read_buffer_shrinks_after_a_large_message() {
        let big = server_frames(&[&vec![b'a'; 4 << 20]], usize::MAX);
        let small = server_frames(&[b"{}"], usize::MAX);
        let mut ws = client_reading(vec![big, small], 8 << 20);
        assert_eq!(ws.read_message().unwrap().len(), 4 << 20);
        assert_eq!(ws.read_message().unwrap(), b"{}");
        assert!(ws.rbuf.len() <= KEEP_BUFFER, "{} bytes kept", ws.rbuf.len());
        // Fragmented large messages give back their assembly buffer too.
        let big = server_frames(&[&vec![b'a'; 1 << 20]], 1000);
        let mut ws = client_reading(vec![big, server_frames(&[b"{}"], 1000)], 8 << 20);
        assert_eq!(ws.read_message().unwrap().len(), 1 << 20);
        ws.read_message().unwrap();
        assert!(ws.assembled.capacity() <= KEEP_BUFFER);
    }

    /// A stream whose writes put half a frame out and then time out.
    struct StuckWriter {
        input: Mock,
    }

    impl Read for StuckWriter {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.input.read(buf)
        }
    }

    impl Write for StuckWriter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            // Half a frame goes out, then the write times out.
            if buf.len() > 1 {
                Ok(buf.len() / 2)
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            }
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_pong_that_cannot_be_written_breaks_the_connection() {
        let mut input = vec![0x89, 2, b'h', b'i'];
        input.extend_from_slice(&server_frames(&[b"after"], 100));
        let mut ws = WebSocket::new(
            StuckWriter {
                input: Mock {
                    input: VecDeque::from(vec![input]),
                    output: vec![],
                },
            },
            Role::Client,
            1 << 20,
            vec![],
        );
        let e = ws.read_message().unwrap_err();
        // Not a resumable timeout: a torn pong is on the wire.
        assert!(!e.is_timeout(), "{e:?}");
        assert!(matches!(e, WsError::Write(_)));
        // The message after the ping is never handed out on the desynchronised stream.
        assert!(matches!(ws.read_message(), Err(WsError::Protocol(_))));
        assert!(ws.send_text(b"x").is_err());
    }

    #[test]
    fn close_frames_are_checked_and_answered_as_rfc_6455_says() {
        // A 1-byte payload cannot hold a code.
        let mut ws = client_reading(vec![vec![0x88, 1, 0x03]], 1024);
        assert!(matches!(ws.read_message(), Err(WsError::Protocol(_))));
        assert_eq!(sent_close_code(&ws.stream.output), Some(1002));
        // Reserved codes are refused, not echoed.
        for code in [0u16, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            let c = code.to_be_bytes();
            let mut ws = client_reading(vec![vec![0x88, 2, c[0], c[1]]], 1024);
            assert!(
                matches!(ws.read_message(), Err(WsError::Protocol(_))),
                "{code}"
            );
            assert_eq!(sent_close_code(&ws.stream.output), Some(1002), "{code}");
        }
        // Valid codes are echoed; a reason must be UTF-8.
        for code in [1000u16, 1001, 1011, 3000, 4999] {
            let c = code.to_be_bytes();
            let mut ws = client_reading(vec![vec![0x88, 4, c[0], c[1], b'o', b'k']], 1024);
            assert!(matches!(ws.read_message(), Err(WsError::Closed(Some(x))) if x == code));
            assert_eq!(sent_close_code(&ws.stream.output), Some(code));
        }
        let mut ws = client_reading(vec![vec![0x88, 4, 0x03, 0xE8, 0xC3, 0x28]], 1024);
        assert!(matches!(ws.read_message(), Err(WsError::Protocol(_))));
        assert_eq!(sent_close_code(&ws.stream.output), Some(1007));
        // An empty close is answered with an empty close.
        let mut ws = client_reading(vec![vec![0x88, 0]], 1024);
        assert!(matches!(ws.read_message(), Err(WsError::Closed(None))));
        assert_eq!(ws.stream.output[0], 0x88);
        assert_eq!(ws.stream.output[1] & 0x7F, 0);
    }

    #[test]
    fn text_that_is_not_utf8_fails_with_1007_even_split_across_fragments() {
        let mut ws = client_reading(vec![vec![0x81, 2, 0xC3, 0x28]], 1024);
        assert!(matches!(ws.read_message(), Err(WsError::Protocol(_))));
        assert_eq!(sent_close_code(&ws.stream.output), Some(1007));
        // "é" split across two fragments is valid; a broken sequence split so is not.
        let good = vec![0x01, 1, 0xC3, 0x80, 1, 0xA9];
        assert_eq!(
            client_reading(vec![good], 1024).read_message().unwrap(),
            "é".as_bytes()
        );
        let mut ws = client_reading(vec![vec![0x01, 1, 0xC3, 0x80, 1, 0x28]], 1024);
        assert!(matches!(ws.read_message(), Err(WsError::Protocol(_))));
        assert_eq!(sent_close_code(&ws.stream.output), Some(1007));
        // Binary messages are not text.
        let bin = vec![0x82, 2, 0xC3, 0x28];
        assert!(client_reading(vec![bin], 1024).read_message().is_ok());
    }

    #[test]
    fn masking_keys_differ_from_frame_to_frame() {
        let mut ws = WebSocket::new(
            Mock {
                input: VecDeque::new(),
                output: vec![],
            },
            Role::Client,
            1 << 20,
            vec![],
        );
        let mut keys = std::collections::HashSet::new();
        for _ in 0..200 {
            ws.stream.output.clear();
            ws.send_text(b"x").unwrap();
            keys.insert(ws.stream.output[2..6].to_vec());
        }
        // 200 draws of 32 random bits: a repeat would be a broken generator.
        assert_eq!(keys.len(), 200);
    }

    fn handshake_against(answer: &str) -> Result<WebSocket<Mock>, HandshakeError> {
        // The accept key depends on our random key, so a `101` answer is built by a
        // stream that computes it from the request it sees.
        struct Answering {
            answer: String,
            request: Vec<u8>,
            replied: Option<Mock>,
        }
        impl Read for Answering {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.replied
                    .get_or_insert_with(|| {
                        let req = String::from_utf8_lossy(&self.request).into_owned();
                        let key = header(&req, "Sec-WebSocket-Key").unwrap_or("");
                        let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
                        let answer = self.answer.replace("{accept}", &accept).into_bytes();
                        Mock {
                            input: VecDeque::from(vec![answer]),
                            output: vec![],
                        }
                    })
                    .read(buf)
            }
        }
        impl Write for Answering {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.request.extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let s = Answering {
            answer: answer.to_string(),
            request: vec![],
            replied: None,
        };
        client_handshake(s, "h:1", "/api", &[], 1024).map(|ws| {
            WebSocket::new(
                Mock {
                    input: VecDeque::new(),
                    output: vec![],
                },
                Role::Client,
                1024,
                ws.rbuf[..ws.rend].to_vec(),
            )
        })
    }

    fn refusal(r: Result<WebSocket<Mock>, HandshakeError>) -> String {
        match r {
            Err(HandshakeError::Refused(m)) => m,
            Err(HandshakeError::Ws(e)) => panic!("expected a refusal, got {e:?}"),
            Ok(_) => panic!("expected a refusal, got a socket"),
        }
    }

    #[test]
    fn a_refused_upgrade_with_non_ascii_text_is_reported_not_a_panic() {
        // `body.truncate(120)` used to cut "é" in half (byte 120 inside a character).
        let body = format!("x{}", "é".repeat(200));
        let m = refusal(handshake_against(&format!(
            "HTTP/1.1 503 Service indisponible\r\n\r\n{body}"
        )));
        assert!(m.contains("503") && m.contains("éé"), "{m}");
        // A huge status line is bounded too.
        let status = format!("HTTP/1.1 500 {}", "ü".repeat(10_000));
        let m = refusal(handshake_against(&format!("{status}\r\n\r\n")));
        assert!(m.chars().count() < 400, "{} chars", m.chars().count());
    }

    #[test]
    fn an_upgrade_answer_must_say_connection_upgrade_and_choose_nothing_unasked() {
        let ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                  Connection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n";
        assert!(handshake_against(ok).is_ok());
        let no_conn = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                       Sec-WebSocket-Accept: {accept}\r\n\r\n";
        assert!(refusal(handshake_against(no_conn)).contains("Connection"));
        for extra in [
            "Sec-WebSocket-Protocol: chat",
            "Sec-WebSocket-Extensions: permessage-deflate",
        ] {
            let answer = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                 Connection: Upgrade\r\n{extra}\r\nSec-WebSocket-Accept: {{accept}}\r\n\r\n"
            );
            assert!(refusal(handshake_against(&answer)).contains("did not ask"));
        }
        // Frame bytes that arrive with the 101 (here a text frame `{}` in the same
        // read) are kept for the first read.
        let with_frame = format!("{ok}\u{1}\u{2}{{}}");
        let mut ws = handshake_against(&with_frame).unwrap();
        ws.rbuf[ws.rpos] |= 0x80; // FIN; written as \u{1} to stay one UTF-8 byte
        assert_eq!(ws.read_message().unwrap(), b"{}");
    }

    #[test]
    fn close_is_bounded_even_when_the_peer_keeps_talking() {
        /// A peer that sends a small text message on every read, forever.
        struct Chatty;
        impl Read for Chatty {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                std::thread::sleep(std::time::Duration::from_millis(5));
                let frame = [0x81, 2, b'{', b'}'];
                let n = buf.len().min(4);
                buf[..n].copy_from_slice(&frame[..n]);
                Ok(n)
            }
        }
        impl Write for Chatty {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut ws = WebSocket::new(Chatty, Role::Client, 1024, vec![]);
            let deadline = Instant::now() + std::time::Duration::from_millis(200);
            let r = ws.close(1000, deadline);
            let _ = tx.send(r.is_err());
        });
        // Used to loop for as long as the peer talked (here: forever).
        let timed_out = rx
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("close returned within its bound");
        assert!(timed_out);
    }
}
