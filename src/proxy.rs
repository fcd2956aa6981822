//! HTTPS proxies: which proxy (if any) reaches a host, as Go's `http.ProxyFromEnvironment`
//! decides it (`golang.org/x/net/http/httpproxy`), and the HTTP `CONNECT` tunnel through it.
//! Proxy credentials never appear in `Debug`, logs or errors.

use std::io::{Read, Write};
use std::net::IpAddr;

use crate::error::{Error, ErrorKind};
use crate::options::{ProxyChoice, ProxyUrl};

/// The proxy to reach `host:port` through, or `None` to go direct: the one decision the
/// WebSocket dial and macaroon discharge requests share (`transport::open_tcp`).
pub(crate) fn proxy_for(
    choice: &ProxyChoice,
    host: &str,
    port: u16,
) -> Result<Option<ProxyUrl>, Error> {
    match choice {
        ProxyChoice::Direct => Ok(None),
        ProxyChoice::Url(u) => Ok(Some(u.clone())),
        ProxyChoice::FromEnvironment => from_env(&|k| std::env::var(k).ok(), host, port),
        ProxyChoice::Invalid(message) => Err(Error::invalid(message.clone())),
    }
}

/// The environment's decision, with the environment passed in (for tests).
pub(crate) fn from_env(
    get: &dyn Fn(&str) -> Option<String>,
    host: &str,
    port: u16,
) -> Result<Option<ProxyUrl>, Error> {
    // Go reads the upper-case name first, then the lower-case one; the first non-empty wins.
    let any = |names: &[&str]| names.iter().find_map(|n| get(n).filter(|v| !v.is_empty()));
    // Go's net/http reads only HTTPS_PROXY for https URLs; ALL_PROXY (curl's and many
    // tools' catch-all) is honoured as a fallback.
    let Some(proxy) = any(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]) else {
        return Ok(None);
    };
    let no_proxy = any(&["NO_PROXY", "no_proxy"]).unwrap_or_default();
    if !use_proxy(&no_proxy, host, port) {
        return Ok(None);
    }
    ProxyUrl::parse(&proxy)
        .map(Some)
        .map_err(|e| e.context("HTTPS_PROXY"))
}

/// Go's `httpproxy.config.useProxy`: never for `localhost` or a loopback address; otherwise
/// unless `NO_PROXY` matches (`*`, an IP, a CIDR, a domain and its subdomains, `.domain` or
/// `*.domain` for subdomains only, each optionally with `:port`).
pub(crate) fn use_proxy(no_proxy: &str, host: &str, port: u16) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host == "localhost" {
        return false;
    }
    let ip: Option<IpAddr> = host.parse().ok();
    if ip.is_some_and(|ip| ip.is_loopback()) {
        return false;
    }
    let port = port.to_string();
    for entry in no_proxy.split(',') {
        let p = entry.trim().to_ascii_lowercase();
        if p.is_empty() {
            continue;
        }
        if p == "*" {
            return false;
        }
        if let Some((net, bits)) = p.split_once('/')
            && let (Ok(net), Ok(bits), Some(ip)) = (net.parse::<IpAddr>(), bits.parse::<u8>(), ip)
        {
            if in_cidr(ip, net, bits) {
                return false;
            }
            continue;
        }
        let (entry_host, entry_port) = split_host_port(&p);
        if entry_host.is_empty() {
            continue;
        }
        if let Ok(entry_ip) = entry_host.parse::<IpAddr>() {
            if ip == Some(entry_ip) && (entry_port.is_empty() || entry_port == port) {
                return false;
            }
            continue;
        }
        let entry_host = entry_host
            .strip_prefix('*')
            .filter(|h| h.starts_with('.'))
            .unwrap_or(entry_host);
        let (suffix, match_host) = match entry_host.strip_prefix('.') {
            Some(bare) => (format!(".{bare}"), false),
            None => (format!(".{entry_host}"), true),
        };
        let hit = host.ends_with(&suffix) || (match_host && host == &suffix[1..]);
        if hit && (entry_port.is_empty() || entry_port == port) {
            return false;
        }
    }
    true
}

/// Go's `net.SplitHostPort` for a `NO_PROXY` entry, falling back to the whole entry.
fn split_host_port(p: &str) -> (&str, &str) {
    if let Some(r) = p.strip_prefix('[')
        && let Some((h, after)) = r.split_once(']')
    {
        return (h, after.strip_prefix(':').unwrap_or(""));
    }
    match p.rsplit_once(':') {
        Some((h, port)) if !h.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            (h, port)
        }
        _ => (p, ""),
    }
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= c.len() {
                out.push(T[(n >> shift) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The longest answer head accepted from a proxy.
const MAX_HEAD: usize = 16 * 1024;

/// Asks `proxy` (already connected on `stream`) for a tunnel to `host:port`. The stream's
/// own deadline bounds the exchange. A refusal names the proxy and its status.
pub(crate) fn tunnel<S: Read + Write>(
    stream: &mut S,
    proxy: &ProxyUrl,
    host: &str,
    port: u16,
) -> Result<(), Error> {
    // Callers split the host out of a URL or an endpoint, which refuse unclean hosts; this
    // guards the request line itself, whatever a caller does.
    if host.is_empty() || !crate::tags::is_clean_host(host) {
        return Err(Error::new(
            ErrorKind::Connect,
            format!(
                "proxy {proxy}: tunnel to {}: not a valid host",
                crate::util::escaped(host)
            ),
        ));
    }
    let target = crate::tags::host_port(host, port);
    let mut req = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    if let Some((user, pass)) = &proxy.auth {
        req.push_str("Proxy-Authorization: Basic ");
        req.push_str(&base64(format!("{user}:{pass}").as_bytes()));
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    let fail = |what: String| {
        Error::new(
            ErrorKind::Connect,
            format!("proxy {proxy}: tunnel to {target}: {what}"),
        )
    };
    let io_fail = |e: std::io::Error| {
        let timed_out = crate::util::is_timeout_io(&e);
        let err = fail(if timed_out {
            "timed out (connect_timeout)".to_string()
        } else {
            e.to_string()
        });
        if timed_out { err.mark_timed_out() } else { err }
    };
    stream.write_all(req.as_bytes()).map_err(io_fail)?;
    // Byte by byte up to the blank line: nothing after it may be consumed (the TLS
    // handshake follows on the same stream). The stream reads ahead below us, so this is
    // not a system call per byte.
    let mut head = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_HEAD {
            return Err(fail("the proxy's answer is too long".into()));
        }
        match stream.read(&mut byte) {
            Ok(0) => return Err(fail("the proxy closed the connection".into())),
            Ok(_) => head.push(byte[0]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_fail(e)),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let status_line = text.lines().next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let code = parts.next().unwrap_or("");
    let reason: String = parts
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    if !version.starts_with("HTTP/1.") || code.len() != 3 {
        return Err(fail("the proxy did not answer in HTTP".into()));
    }
    if !code.starts_with('2') {
        return Err(fail(format!("the proxy refused it: {code} {reason}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_parse_as_go_reads_them() {
        let p = ProxyUrl::parse("http://bob:p%40ss@proxy.example:3128").unwrap();
        assert_eq!(p.address(), ("proxy.example".to_string(), 3128));
        assert_eq!(p.auth, Some(("bob".into(), "p@ss".into())));
        assert_eq!(p.to_string(), "http://[REDACTED]@proxy.example:3128");
        assert!(!format!("{p:?}").contains("p@ss"));
        let p = ProxyUrl::parse("proxy.example").unwrap();
        assert_eq!(p.address(), ("proxy.example".to_string(), 80));
        let p = ProxyUrl::parse("http://[fd00::1]:8080/").unwrap();
        assert_eq!(p.address(), ("fd00::1".to_string(), 8080));
        assert!(ProxyUrl::parse("socks5://x:1").is_err());
        assert!(ProxyUrl::parse("http://").is_err());
        let e = ProxyUrl::parse("http://u:secret@h:notaport").unwrap_err();
        assert!(!e.to_string().contains("secret"));
    }

    #[test]
    fn no_proxy_matches_like_go() {
        // Never for loopback, whatever NO_PROXY says.
        assert!(!use_proxy("", "localhost", 17070));
        assert!(!use_proxy("", "127.0.0.1", 17070));
        assert!(!use_proxy("", "::1", 17070));
        assert!(use_proxy("", "10.0.0.5", 17070));
        assert!(!use_proxy("*", "10.0.0.5", 17070));
        assert!(!use_proxy("10.0.0.0/8", "10.0.0.5", 17070));
        assert!(use_proxy("10.0.0.0/8", "11.0.0.5", 17070));
        assert!(!use_proxy("fd00::/8", "fd42::5", 17070));
        assert!(!use_proxy("10.0.0.5", "10.0.0.5", 17070));
        assert!(!use_proxy("10.0.0.5:17070", "10.0.0.5", 17070));
        assert!(use_proxy("10.0.0.5:80", "10.0.0.5", 17070));
        assert!(!use_proxy("example.com", "example.com", 1));
        assert!(!use_proxy("example.com", "ctrl.example.com", 1));
        assert!(use_proxy("example.com", "badexample.com", 1));
        assert!(use_proxy(".example.com", "example.com", 1));
        assert!(!use_proxy(".example.com", "a.example.com", 1));
        assert!(!use_proxy("*.example.com", "a.example.com", 1));
        assert!(use_proxy("*.example.com", "example.com", 1));
        assert!(!use_proxy(
            " other.org , Example.COM:17070",
            "ctrl.example.com",
            17070
        ));
        assert!(use_proxy("example.com:80", "ctrl.example.com", 17070));
    }

    #[test]
    fn the_environment_is_read_as_go_reads_it() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let get = env(&[("https_proxy", "http://p:1"), ("HTTPS_PROXY", "")]);
        assert_eq!(from_env(&get, "10.0.0.5", 17070).unwrap().unwrap().port, 1);
        let get = env(&[("HTTPS_PROXY", "http://p:1"), ("https_proxy", "http://q:2")]);
        assert_eq!(from_env(&get, "10.0.0.5", 17070).unwrap().unwrap().port, 1);
        let get = env(&[("ALL_PROXY", "http://p:3")]);
        assert_eq!(from_env(&get, "10.0.0.5", 17070).unwrap().unwrap().port, 3);
        let get = env(&[("HTTP_PROXY", "http://p:4")]);
        assert_eq!(from_env(&get, "10.0.0.5", 17070).unwrap(), None);
        let get = env(&[("HTTPS_PROXY", "http://p:1"), ("no_proxy", "10.0.0.0/8")]);
        assert_eq!(from_env(&get, "10.0.0.5", 17070).unwrap(), None);
        let get = env(&[("HTTPS_PROXY", "http://p:1")]);
        assert_eq!(from_env(&get, "127.0.0.1", 17070).unwrap(), None);
    }

    #[test]
    fn a_tunnel_to_an_unclean_host_is_refused_before_anything_is_written() {
        let proxy = ProxyUrl::parse("http://proxy.example:3128").unwrap();
        let mut stream = std::io::Cursor::new(Vec::new());
        for host in ["evil.example\r\nX-Injected: yes\r\nZ", "a b", "u@h", ""] {
            let e = tunnel(&mut stream, &proxy, host, 443).unwrap_err();
            assert!(!e.to_string().contains(['\r', '\n']), "{e}");
            assert!(
                stream.get_ref().is_empty(),
                "written: {:?}",
                stream.get_ref()
            );
        }
    }

    #[test]
    fn basic_auth_is_base64() {
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }
}
