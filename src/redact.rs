//! What counts as a secret, and how it is hidden from logs and `Debug` output.

use serde_json::Value;

/// The text shown in place of a secret.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// Object keys whose values are secrets wherever they appear in a message: login
/// credentials, macaroons, and the secret config keys of the vault and kubernetes backends.
const SECRET_KEYS: &[&str] = &[
    "credentials",
    "password",
    "token",
    "client-key",
    "macaroons",
    "macaroon",
    "discharge-required",
    "bakery-discharge-required",
    "service-account-token",
    "secret-key",
    "private-key",
];

/// True when a config or message key holds a secret value.
pub(crate) fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.contains(&key)
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

fn redact_value(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if is_secret_key(k) && !val.is_null() && val != &Value::String(String::new()) {
                    *val = Value::String(REDACTED.to_string());
                } else {
                    redact_value(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        _ => {}
    }
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
    fn non_json_is_not_echoed() {
        assert_eq!(redacted_json(b"password=x"), "<10 bytes, not JSON>");
    }
}
