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
    }
}
