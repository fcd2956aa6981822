//! Juju's tags (`user-admin`, `model-<uuid>`, `controller-<uuid>`) and `host:port` forms, in
//! one place (Go's `juju/names` and `network.HostPort`).

/// `user-<name>` for a user name given with or without the prefix.
pub(crate) fn user(name: &str) -> String {
    if name.starts_with("user-") {
        name.to_string()
    } else {
        format!("user-{name}")
    }
}

/// `model-<uuid>`.
pub(crate) fn model(uuid: &str) -> String {
    format!("model-{uuid}")
}

/// The id of a tag of `kind` (`"controller"`, `"model"`, `"user"`): the tag without its
/// `kind-` prefix, or the tag as it is when it has another prefix.
pub(crate) fn id<'a>(kind: &str, tag: &'a str) -> &'a str {
    tag.strip_prefix(kind)
        .and_then(|rest| rest.strip_prefix('-'))
        .unwrap_or(tag)
}

/// A user's id as the CLI shows owners: `admin`, `alice@external` (a local user's `@local`
/// is dropped).
pub(crate) fn user_id(tag: &str) -> &str {
    let id = id("user", tag);
    id.strip_suffix("@local").unwrap_or(id)
}

/// `host:port`, with an IPv6 address bracketed.
pub(crate) fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Whether `host` holds nothing that cannot be in a host name or address: no control
/// character (CR and LF would end a line of an HTTP request it is written into), no space,
/// and none of `[ ] @ / \\ ? #`, which delimit the other parts of a URL. Go's `url.Parse`
/// refuses such hosts too. An empty host passes: callers decide about that.
pub(crate) fn is_clean_host(host: &str) -> bool {
    !host
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || "[]@/\\?#".contains(c))
}

/// Splits `host[:port]` or `[ipv6][:port]`, with `default_port` when none is given; `None`
/// when the brackets or the port are malformed, or the host is not clean
/// ([`is_clean_host`]). The host may be empty: callers decide.
pub(crate) fn split_host_port(authority: &str, default_port: u16) -> Option<(String, u16)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after {
            "" => default_port,
            p => p.strip_prefix(':')?.parse().ok()?,
        };
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().ok()?),
            None => (authority, default_port),
        }
    };
    is_clean_host(host).then(|| (host.to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_addresses() {
        assert_eq!(user("admin"), "user-admin");
        assert_eq!(user("user-admin"), "user-admin");
        assert_eq!(model("abc"), "model-abc");
        assert_eq!(id("controller", "controller-1234"), "1234");
        assert_eq!(id("model", "controller-1234"), "controller-1234");
        assert_eq!(user_id("user-bob@local"), "bob");
        assert_eq!(user_id("user-alice@external"), "alice@external");
        assert_eq!(host_port("10.0.0.1", 17070), "10.0.0.1:17070");
        assert_eq!(host_port("fd00::1", 17070), "[fd00::1]:17070");
        let split = |a| split_host_port(a, 443);
        assert_eq!(split("h"), Some(("h".into(), 443)));
        assert_eq!(split("h:8443"), Some(("h".into(), 8443)));
        assert_eq!(split("[::1]"), Some(("::1".into(), 443)));
        assert_eq!(split("[::1]:17070"), Some(("::1".into(), 17070)));
        for bad in ["h:x", "h:99999", "[::1", "[::1]x", "[::1]:"] {
            assert_eq!(split(bad), None, "{bad}");
        }
        // Nothing that could end a request line or change what the authority means.
        for bad in [
            "evil.example\r\nX-Injected: yes\r\nZ:443",
            "a b:1",
            "a\tb",
            "u@h:1",
            "h/x:1",
            "h\\x",
            "[::1\n]:1",
            "[[::1]]:1",
            "h?:1",
            "h#:1",
            "h\u{0}",
            "h\u{85}",
        ] {
            assert_eq!(split(bad), None, "{bad:?}");
        }
        assert!(is_clean_host("ctrl-1.example.com") && is_clean_host("fd00::1"));
        assert!(is_clean_host("") && is_clean_host("bücher.example"));
    }
}
