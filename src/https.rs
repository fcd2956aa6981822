//! A minimal HTTPS/1.1 client for the discharge requests of a macaroon login: one `POST`
//! per connection, within a deadline, on the crate's own TLS setup.
//!
//! Not ureq: ureq's protocol layer (`ureq-proto`) logs every byte sent and received as a
//! hex dump at TRACE level, and these bodies are the user's password, discharge tokens and
//! macaroons. A program that turns on trace logging must not get those in its logs.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind};
use crate::options::ProxyChoice;
use crate::transport::Tls;

/// The largest response head read.
const MAX_HEAD: usize = 64 * 1024;

/// A response: status and body.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// An `https://host[:port]/path` URL, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    pub(crate) host: String,
    pub(crate) port: u16,
    /// With the query, starting with `/`.
    pub(crate) path: String,
}

impl Url {
    pub(crate) fn parse(url: &str) -> Option<Url> {
        let rest = url.strip_prefix("https://")?;
        let (auth, path) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let path = if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_string()
        };
        if auth.contains('@') || auth.is_empty() {
            return None;
        }
        let (host, port) = crate::tags::split_host_port(auth, 443)?;
        if host.is_empty() || path.chars().any(|c| c.is_control() || c == ' ') {
            return None;
        }
        Some(Url {
            host: host.to_ascii_lowercase(),
            port,
            path,
        })
    }

    /// `host:port`, IPv6 in brackets.
    pub(crate) fn authority(&self) -> String {
        crate::tags::host_port(&self.host, self.port)
    }
}

fn timed_out(url: &str) -> Error {
    Error::new(
        ErrorKind::Connect,
        format!("login: discharge at {url}: no answer before the connect deadline"),
    )
    .mark_timed_out()
}

fn io_error(url: &str, what: &str, e: &std::io::Error) -> Error {
    if matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    ) {
        return timed_out(url);
    }
    Error::new(
        ErrorKind::Connect,
        format!("login: discharge at {url}: {what}: {e}"),
    )
}

fn protocol(url: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::Protocol,
        format!("login: discharge at {url}: {what}"),
    )
}

/// `POST`s `body` to `url` through `tls` (connecting to `dial`, `host:port`, which may
/// differ from the URL's host when `tls` verifies another name, through the proxy `proxy`
/// picks for it), and reads a response of at most `max_body` bytes, all before `deadline`
/// (`timeout` is the connect timeout it came from, for the error text).
#[allow(
    clippy::too_many_arguments,
    reason = "one request's whole description; a struct for it would only be built here"
)]
pub(crate) fn post(
    url: &str,
    dial: &str,
    tls: &Tls,
    proxy: &ProxyChoice,
    headers: &[(&str, &str)],
    body: &[u8],
    max_body: usize,
    deadline: Instant,
    timeout: Duration,
) -> Result<Response, Error> {
    let u = Url::parse(url).ok_or_else(|| {
        Error::new(
            ErrorKind::Protocol,
            format!(
                "login: discharge at {}: not an https URL",
                crate::util::escaped(url)
            ),
        )
    })?;
    let (host, port) = crate::transport::split_endpoint(dial)?;
    // Every read and write of `tcp` is bounded by the deadline.
    let tcp = crate::transport::open_tcp(&host, port, proxy, deadline, timeout)
        .map_err(|e| e.context(format!("login: discharge at {url}")))?;
    let (connector, name) = tls.parts();
    let name = name.unwrap_or(&u.host).to_string();
    let mut stream = connector.connect(&name, tcp).map_err(|e| match e {
        native_tls::HandshakeError::Failure(e) if crate::util::remaining(deadline).is_some() => Error::new(
            ErrorKind::Connect,
            format!("login: discharge at {url}: tls handshake: {e} (verifying the certificate for {name:?})"),
        ),
        _ => timed_out(url),
    })?;
    let mut req = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        u.path,
        u.authority(),
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut out = req.into_bytes();
    out.extend_from_slice(body);
    stream
        .write_all(&out)
        .and_then(|_| stream.flush())
        .map_err(|e| io_error(url, "send", &e))?;
    // Read everything the server sends (it closes after one response), bounded.
    let limit = MAX_HEAD.saturating_add(max_body).saturating_add(4096);
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                raw.extend_from_slice(&chunk[..n]);
                if raw.len() > limit {
                    return Err(protocol(url, "the response is too large"));
                }
                if complete(&raw).is_some() {
                    break;
                }
            }
            // A server that closes without TLS close_notify: what we have is all.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(io_error(url, "read", &e)),
        }
    }
    let _ = stream.shutdown();
    parse(&raw, max_body, true).map_err(|what| protocol(url, &what))
}

/// The length of a complete response in `raw`, if it is complete without waiting for EOF.
fn complete(raw: &[u8]) -> Option<usize> {
    parse(raw, usize::MAX, false).ok().map(|r| r.body.len())
}

/// Parses a whole response. `at_eof`: no more bytes will come (a body without a length
/// runs to here).
fn parse(raw: &[u8], max_body: usize, at_eof: bool) -> Result<Response, String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no complete response head")?;
    if end > MAX_HEAD {
        return Err("the response head is too large".into());
    }
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| "the response head is not text")?;
    let rest = &raw[end + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .filter(|s| (100..600).contains(s))
        .ok_or_else(|| "not an HTTP response".to_string())?;
    if !version.starts_with("HTTP/1.") {
        return Err("not an HTTP/1 response".into());
    }
    let header = |name: &str| {
        head.split("\r\n").skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    };
    let body = if header("Transfer-Encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        dechunk(rest, max_body)?
    } else if let Some(len) = header("Content-Length") {
        let len: usize = len.parse().map_err(|_| "bad Content-Length")?;
        if len > max_body {
            return Err(format!("the response body is larger than {max_body} bytes"));
        }
        rest.get(..len)
            .ok_or("the response body is cut short")?
            .to_vec()
    } else if at_eof {
        if rest.len() > max_body {
            return Err(format!("the response body is larger than {max_body} bytes"));
        }
        rest.to_vec()
    } else {
        return Err("the body runs to the end of the connection".into());
    };
    Ok(Response { status, body })
}

fn dechunk(mut rest: &[u8], max_body: usize) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let eol = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("a chunk is cut short")?;
        let size_text = std::str::from_utf8(&rest[..eol]).map_err(|_| "bad chunk size")?;
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| "bad chunk size")?;
        let start = eol + 2;
        if size == 0 {
            return Ok(body);
        }
        let end = start.checked_add(size).ok_or("bad chunk size")?;
        if body.len().saturating_add(size) > max_body {
            return Err(format!("the response body is larger than {max_body} bytes"));
        }
        body.extend_from_slice(rest.get(start..end).ok_or("a chunk is cut short")?);
        rest = rest
            .get(end..)
            .and_then(|r| r.strip_prefix(b"\r\n"))
            .ok_or("a chunk is cut short")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_host_port_and_path() {
        let u = Url::parse("https://10.0.0.1:17070/auth/discharge").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("10.0.0.1", 17070, "/auth/discharge")
        );
        let u = Url::parse("https://[::1]/x?y=1").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.authority()),
            ("::1", 443, "[::1]:443".to_string())
        );
        let u = Url::parse("https://Example.COM").unwrap();
        assert_eq!((u.host.as_str(), u.path.as_str()), ("example.com", "/"));
        for bad in [
            "http://x/",
            "https://",
            "https://u@h/",
            "https://h:99999/",
            "https://h/a b",
            "https://[::1/",
            // A host that would add lines to a request it is written into (a CONNECT).
            "https://evil.example\r\nX-Injected: yes\r\nZ:443/auth",
            "https://evil.example\nZ/auth",
            "https://a b/auth",
            "https://h\\x/auth",
            "https://[::1]]/auth",
            "https://h#x/auth",
        ] {
            assert!(Url::parse(bad).is_none(), "{bad:?}");
        }
        assert_eq!(
            crate::util::escaped("https://a\r\nb"),
            "\"https://a\\r\\nb\""
        );
        assert_eq!(crate::util::escaped(&"x".repeat(300)).chars().count(), 203);
    }

    #[test]
    fn every_truncation_and_byte_flip_of_a_response_is_an_answer_or_an_error() {
        let full: &[u8] = b"HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n";
        for n in 0..=full.len() {
            let _ = parse(&full[..n], 64, true);
            let _ = complete(&full[..n]);
            for flip in [0u8, b'\r', b'\n', b'f', 0xff] {
                let mut m = full[..n].to_vec();
                if let Some(b) = m.get_mut(n / 2) {
                    *b = flip;
                }
                let _ = parse(&m, 64, true);
            }
        }
        assert!(parse(full, 64, true).is_ok());
    }

    #[test]
    fn responses_parse_with_length_chunks_or_eof_and_are_bounded() {
        let r = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 10, true).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"{}"[..]));
        let r = parse(
            b"HTTP/1.1 401 Unauthorized\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2;x\r\nde\r\n0\r\n\r\n",
            10,
            true,
        )
        .unwrap();
        assert_eq!((r.status, r.body.as_slice()), (401, &b"abcde"[..]));
        let r = parse(b"HTTP/1.0 500 X\r\n\r\nall of it", 100, true).unwrap();
        assert_eq!(r.body, b"all of it");
        assert!(complete(b"HTTP/1.0 500 X\r\n\r\nall of it").is_none());
        assert!(complete(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab").is_none());
        for bad in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n{}"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n01234567890123456789",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\nab",
            b"SSH-2.0\r\n\r\n",
            b"HTTP/1.1 2000 OK\r\n\r\n",
            b"HTTP/1.1 200 OK\r\n",
        ] {
            assert!(
                parse(bad, 10, true).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
