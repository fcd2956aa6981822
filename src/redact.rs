//! What counts as a secret, and how it is hidden from logs and `Debug` output.

use serde_json::Value;

/// The text shown in place of a secret.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// Object keys whose values are secrets wherever they appear in a message, in any case (Go
/// matches JSON keys to fields case-insensitively, so `Credentials` is a password too):
/// login credentials, macaroons, and the secret attributes of Juju's cloud credentials; the
/// secret config keys of the backends come from their schema table
/// (`secretbackends/schema.rs`). This list guards only
/// the messages whose shapes we know; replies and parameters of generic calls are never
/// traced at all (see `rpc`).
const SECRET_KEYS: &[&str] = &[
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

/// True when a message key holds a secret value.
pub(crate) fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
        || crate::secretbackends::is_secret_config_key(key)
}

/// True when a backend config key's value may be shown: the secret-backend schema table
/// (`secretbackends/schema.rs`) decides.
pub(crate) use crate::secretbackends::is_public_config_key;

/// A copy of `v` with every secret value replaced, for `Debug` output.
pub(crate) fn redacted(v: &Value) -> Value {
    let mut v = v.clone();
    redact_value(&mut v);
    v
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

/// Renders a JSON message for a trace log line with every secret value replaced.
/// Text that is not JSON is not shown at all, since it cannot be checked.
pub(crate) fn redacted_json(bytes: &[u8]) -> String {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(mut v) => {
            redact_value(&mut v);
            v.to_string()
        }
        Err(_) => format!("<{} bytes, not JSON>", bytes.len()),
    }
}

fn hide(val: &mut Value) {
    if !val.is_null() && val != &Value::String(String::new()) {
        *val = Value::String(REDACTED.to_string());
    }
}

fn redact_value(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_secret_key(k) {
                    hide(val);
                } else if k.eq_ignore_ascii_case("config") && val.is_object() {
                    for (ck, cv) in val.as_object_mut().into_iter().flatten() {
                        if !is_public_config_key(ck) {
                            hide(cv);
                        }
                    }
                } else {
                    redact_value(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        // Error messages can echo a config value back.
        Value::String(text) => *text = scrub_echoed_values(std::mem::take(text)),
        _ => {}
    }
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

    #[test]
    fn secrets_are_replaced_at_any_depth() {
        let msg = br#"{"request-id":1,"params":{"credentials":"pw1","args":[{"config":{"token":"tok","endpoint":"http://v"}}]}}"#;
        let out = redacted_json(msg);
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
        let out = redacted_json(msg);
        assert!(
            out.contains("https://v") && !out.contains("typo-secret"),
            "{out}"
        );
    }

    #[test]
    fn login_secrets_are_replaced() {
        let msg = br#"{"params":{"auth-tag":"user-bob","credentials":"","macaroons":[[{"i":"x","s64":"sig1"}]],"client-id":"bot","client-secret":"cs1","session-token":"st1","token64":"tk1"},"response":{"discharge-required":{"s64":"sig2"},"bakery-discharge-required":{"m":{"s64":"sig3"}}}}"#;
        let out = redacted_json(msg);
        for secret in ["sig1", "sig2", "sig3", "cs1", "st1", "tk1"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("user-bob") && out.contains("\"bot\""), "{out}");
    }

    #[test]
    fn secret_keys_match_in_any_case() {
        let msg = br#"{"params":{"Credentials":"pw1","PASSWORD":"pw2","Config":{"TOKEN":"t"},"credential":{"auth-type":"userpass","attrs":{"application-password":"pw3"}},"error-info":{"bakery-macaroon":{"s64":"m1"},"macaroon":"m2"}}}"#;
        let out = redacted_json(msg);
        for secret in ["pw1", "pw2", "\"t\"", "pw3", "m1", "m2"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("userpass"), "{out}");
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
        assert_eq!(redacted_json(b"password=x"), "<10 bytes, not JSON>");
    }
}
