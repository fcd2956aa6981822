//! What counts as a secret, and how it is hidden from logs, error texts and `Debug` output.
//!
//! Each facade declares its own [`Redaction`] policy (which request and reply fields are
//! secret), and every call carries its facade's policy down to the trace lines and into
//! the errors it makes: `SecretBackends` derives its policy from its config-key table, the
//! login from Juju's credential and macaroon fields, user secrets mark `content.data` and
//! `value.data`. A generic call, whose messages this crate cannot classify, is traced
//! under [`Redaction::GENERIC`]: every string value under a key it does not know is
//! hidden. This module knows no facade.

use serde_json::Value;

/// The text shown in place of a secret.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// One facade's (or the login's) rules for what its messages hold that must never be
/// shown. Object keys match in any case: Go matches JSON keys to fields case-insensitively,
/// so `Credentials` is a password too.
#[derive(Debug)]
pub(crate) struct Redaction {
    /// Whether a key's value is secret wherever it appears in a message.
    pub(crate) keys: KeyTest,
    /// `(outer, inner)`: the value of `inner` in an object found under `outer` is secret,
    /// wherever that object appears (user secrets' `content.data`, `value.data`).
    pub(crate) paths: &'static [(&'static str, &'static str)],
    /// An object under this key is a config map whose values are shown only for keys the
    /// function calls public (secret-backend config: a mistyped key may hold a token).
    pub(crate) config: Option<(&'static str, KeyTest)>,
    /// What other string values may show.
    pub(crate) strings: Strings,
    /// Rewrites error texts that may echo input back (see [`scrub_echoed_values`]).
    pub(crate) scrub: fn(String) -> String,
}

/// Says whether a key is in some set (secret, public).
pub(crate) type KeyTest = fn(&str) -> bool;

/// Whether string values under keys a policy does not name are shown.
#[derive(Debug)]
pub(crate) enum Strings {
    /// The facade's message shapes are known: other strings are not secret.
    Shown,
    /// Nothing is known of the messages: only strings under these keys are shown (and the
    /// envelope's), the rest hidden.
    OnlyUnder(&'static [&'static str]),
}

fn keep(text: String) -> String {
    text
}

fn no_key(_: &str) -> bool {
    false
}

impl Redaction {
    /// For a facade whose messages hold nothing secret (`Pinger`).
    pub(crate) const NONE: Redaction = Redaction {
        keys: no_key,
        paths: &[],
        config: None,
        strings: Strings::Shown,
        scrub: keep,
    };

    /// For generic calls (`call`, `call_at`) and for whatever has no facade of its own:
    /// every string value under a key this crate cannot classify is hidden, and so is
    /// every value under a key any policy knows to be secret.
    pub(crate) const GENERIC: Redaction = Redaction {
        keys: is_credential_key,
        paths: &[],
        config: None,
        strings: Strings::OnlyUnder(SHOWN_KEYS),
        scrub: scrub_echoed_values,
    };

    /// A copy of `v` with every secret value replaced, for `Debug` output.
    pub(crate) fn redacted(&self, v: &Value) -> Value {
        let mut v = v.clone();
        self.redact(&mut v, None);
        v
    }

    /// Renders a JSON message for a trace log line with every secret value replaced. Text
    /// that is not JSON is not shown at all, since it cannot be checked.
    pub(crate) fn json(&self, bytes: &[u8]) -> String {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(mut v) => {
                self.redact(&mut v, None);
                v.to_string()
            }
            Err(_) => format!("<{} bytes, not JSON>", bytes.len()),
        }
    }

    /// An error text as this policy lets it be shown.
    pub(crate) fn scrub_text(&self, text: String) -> String {
        (self.scrub)(text)
    }

    fn is_secret_key(&self, key: &str) -> bool {
        (self.keys)(key)
    }

    fn is_secret_path(&self, outer: Option<&str>, key: &str) -> bool {
        outer.is_some_and(|outer| {
            self.paths
                .iter()
                .any(|(o, i)| o.eq_ignore_ascii_case(outer) && i.eq_ignore_ascii_case(key))
        })
    }

    /// Redacts `v`, which sits under the key `parent` (if any).
    fn redact(&self, v: &mut Value, parent: Option<&str>) {
        match v {
            Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    if self.is_secret_key(k) || self.is_secret_path(parent, k) {
                        hide(val);
                    } else if let Some((config_key, is_public)) = self.config
                        && k.eq_ignore_ascii_case(config_key)
                        && val.is_object()
                    {
                        for (ck, cv) in val.as_object_mut().into_iter().flatten() {
                            if !is_public(ck) {
                                hide(cv);
                            }
                        }
                    } else {
                        self.redact(val, Some(k));
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.redact(i, parent)),
            Value::String(text) => match self.strings {
                Strings::OnlyUnder(shown)
                    if !parent.is_some_and(|p| shown.iter().any(|s| s.eq_ignore_ascii_case(p))) =>
                {
                    hide(v);
                }
                // Error messages can echo a value back.
                _ => *text = self.scrub_text(std::mem::take(text)),
            },
            _ => {}
        }
    }
}

/// True for the keys whose values are secret in any message, whatever the facade (in any
/// case): login credentials, macaroons, discharge tokens, and the secret attributes of
/// Juju's cloud credentials. [`Redaction::GENERIC`] hides them, and facades whose messages
/// may carry credentials include them in their own policy.
pub(crate) fn is_credential_key(key: &str) -> bool {
    CREDENTIAL_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

const CREDENTIAL_KEYS: &[&str] = &[
    "credentials",
    "password",
    "token",
    "macaroons",
    "macaroon",
    "bakery-macaroon",
    "discharge-required",
    "bakery-discharge-required",
    "service-account-token",
    "secret-key",
    "private-key",
    "application-password",
    "trust-password",
    "maas-oauth",
    "pass-phrase",
    "key",
    "access-key",
    "client-secret",
    // Discharge tokens (httpbakery's token/token64) and JAAS session tokens.
    "token64",
    "session-token",
    "access-token",
    "attrs",
];

/// The keys whose string values a generic call's trace shows: the envelope's, error
/// texts (scrubbed), and names, tags and ids that are never secret in any Juju facade.
const SHOWN_KEYS: &[&str] = &[
    "type",
    "request",
    "error",
    "error-code",
    "message",
    "code",
    "name",
    "tag",
    "uuid",
    "model-uuid",
    "owner-tag",
    "life",
    "status",
    "backend-type",
];

fn hide(val: &mut Value) {
    if !val.is_null() && val != &Value::String(String::new()) {
        *val = Value::String(REDACTED.to_string());
    }
}

/// Error text (serde's, the YAML parser's) with every quoted piece of the input elided.
///
/// Parsers quote the input they complain about in `"..."` (escaping inner quotes, or not)
/// or in backticks (never escaping), so the end of a quoted value cannot be found reliably.
/// Everything from the first quote character to the last is therefore replaced by `…`:
/// whatever a value contains, it lies inside that span. Text with a single quote
/// character loses everything after it.
pub(crate) fn elide_quoted(text: &str) -> String {
    let is_quote = |c: char| c == '"' || c == '`';
    let Some(first) = text.find(is_quote) else {
        return text.to_string();
    };
    let last = text.rfind(is_quote).unwrap_or(first);
    let mut out = String::with_capacity(text.len().min(first + 8) + 8);
    out.push_str(&text[..first]);
    let open = &text[first..first + 1];
    out.push_str(open);
    out.push('…');
    if last > first {
        out.push_str(&text[last..]);
    }
    out
}

/// Replaces config values that the controller echoes in its error messages
/// (`unknown key "tokne" (value "s3cret")`, `expected bool, got string("s3cret")`) with
/// `[REDACTED]`: a mistyped key often holds a secret. Other text is kept as sent.
pub(crate) fn scrub_echoed_values(message: String) -> String {
    const MARKERS: &[&str] = &["(value \"", "got string(\""];
    if !MARKERS.iter().any(|m| message.contains(m)) {
        return message;
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message.as_str();
    while let Some((at, marker)) = MARKERS
        .iter()
        .filter_map(|m| rest.find(m).map(|i| (i, *m)))
        .min_by_key(|(i, _)| *i)
    {
        let value_start = at + marker.len(); // just after the opening quote
        out.push_str(&rest[..value_start - 1]);
        // Find the closing quote of the Go-quoted string, skipping escapes.
        let bytes = rest.as_bytes();
        let mut i = value_start;
        while i < bytes.len() && bytes[i] != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        out.push_str(REDACTED);
        rest = rest.get(i + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A policy like secret backends': a token key, and a config map with public keys.
    const BACKENDS: Redaction = Redaction {
        keys: |k| k == "token",
        paths: &[],
        config: Some(("config", |k| k == "endpoint")),
        strings: Strings::Shown,
        scrub: scrub_echoed_values,
    };

    /// A policy like user secrets': content under `data` of `content` and `value`.
    const CONTENT: Redaction = Redaction {
        keys: no_key,
        paths: &[("content", "data"), ("value", "data")],
        config: None,
        strings: Strings::Shown,
        scrub: keep,
    };

    #[test]
    fn secrets_are_replaced_at_any_depth() {
        let msg = br#"{"request-id":1,"params":{"token":"pw1","args":[{"config":{"token":"tok","endpoint":"http://v"}}]}}"#;
        let out = BACKENDS.json(msg);
        assert!(!out.contains("pw1"));
        assert!(!out.contains("tok\""));
        assert!(out.contains("http://v"));
        assert!(out.contains(REDACTED));
    }

    #[test]
    fn echoed_config_values_are_scrubbed() {
        let m = r#"invalid config for provider "vault": unknown key "tokne" (value "s3\"cr(et")"#;
        assert_eq!(
            scrub_echoed_values(m.to_string()),
            r#"invalid config for provider "vault": unknown key "tokne" (value [REDACTED])"#
        );
        let m = r#"invalid config for provider "kubernetes": skip-tls-verify: expected bool, got string("pw")"#;
        assert!(!scrub_echoed_values(m.to_string()).contains("pw\""));
        let m = r#"unknown key "a" (value 5)"#;
        assert_eq!(scrub_echoed_values(m.to_string()), m);
        let m = r#"cut (value "unterminated"#;
        assert_eq!(scrub_echoed_values(m.to_string()), "cut (value [REDACTED]");
    }

    #[test]
    fn config_values_are_shown_only_for_public_keys() {
        let msg = br#"{"args":[{"config":{"endpoint":"https://v","tokne":"typo-secret"}}]}"#;
        let out = BACKENDS.json(msg);
        assert!(
            out.contains("https://v") && !out.contains("typo-secret"),
            "{out}"
        );
        // Another policy has no config map: the same message shows its values.
        assert!(Redaction::NONE.json(msg).contains("typo-secret"));
    }

    #[test]
    fn content_paths_hide_every_value_under_them_and_nothing_else() {
        let msg = br#"{"args":[{"content":{"data":{"password":"czNjcmV0","anything":"b3RoZXI="}},"label":"db"}],"results":[{"value":{"data":{"k":"dmFs"}},"label":"data"}]}"#;
        let out = CONTENT.json(msg);
        for secret in ["czNjcmV0", "b3RoZXI=", "dmFs"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        // Keys under data are not values; a label that reads "data" is not a path.
        assert!(
            out.contains("\"db\"") && out.contains("\"label\":\"data\""),
            "{out}"
        );
        // `data` outside `content`/`value` is not secret to this policy.
        assert!(CONTENT.json(br#"{"data":{"k":"shown"}}"#).contains("shown"));
    }

    #[test]
    fn generic_calls_hide_every_string_they_cannot_classify() {
        let msg = br#"{"request-id":3,"type":"Cloud","request":"CredentialContents","params":{"entities":[{"tag":"cloudcred-aws_admin_c"}]},"response":{"results":[{"result":{"name":"c","auth-type":"access-key","attrs":{"access-key":"AKIA1","secret-key":"sk1"},"region":"r1","extra":{"anything":"hidden1"}}}]}}"#;
        let out = Redaction::GENERIC.json(msg);
        for secret in ["AKIA1", "sk1", "hidden1", "access-key\"", "r1"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        for shown in [
            "Cloud",
            "CredentialContents",
            "cloudcred-aws_admin_c",
            "\"c\"",
        ] {
            assert!(out.contains(shown), "{shown} missing from {out}");
        }
        assert!(out.contains("\"request-id\":3"), "{out}");
    }

    #[test]
    fn login_secrets_are_replaced_in_any_case() {
        let msg = br#"{"params":{"auth-tag":"user-bob","Credentials":"pw1","PASSWORD":"pw2","macaroons":[[{"i":"x","s64":"sig1"}]],"client-id":"bot","client-secret":"cs1","session-token":"st1","token64":"tk1"},"response":{"discharge-required":{"s64":"sig2"},"bakery-discharge-required":{"m":{"s64":"sig3"}}}}"#;
        let out = Redaction::GENERIC.json(msg);
        for secret in ["pw1", "pw2", "sig1", "sig2", "sig3", "cs1", "st1", "tk1"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
    }

    #[test]
    fn quoted_input_is_elided_even_with_escaped_quotes_and_backticks() {
        // An escaped quote used to end the elision early and leak what followed.
        let e = serde_json::from_str::<u64>(r#""s3\"cr\"et""#).unwrap_err();
        let text = elide_quoted(&e.to_string());
        assert!(!text.contains("cr") && !text.contains("et\""), "{text}");
        assert!(text.starts_with("invalid type: string \"…\""), "{text}");
        #[derive(serde::Deserialize, Debug)]
        enum Kind {
            #[allow(dead_code)]
            Vault,
        }
        // Backticks quote without escaping: a backtick inside the value must not help.
        let e = serde_json::from_str::<Kind>(r#""se`cr`et""#).unwrap_err();
        let text = elide_quoted(&e.to_string());
        for piece in ["se", "cr", "et`"] {
            assert!(!text.contains(piece), "{piece} in {text}");
        }
        assert!(text.starts_with("unknown variant `…`"), "{text}");
        assert_eq!(elide_quoted("no quotes here"), "no quotes here");
        assert_eq!(elide_quoted("cut \"unterminated value"), "cut \"…");
    }

    #[test]
    fn non_json_is_not_echoed() {
        assert_eq!(
            Redaction::GENERIC.json(b"password=x"),
            "<10 bytes, not JSON>"
        );
    }
}
