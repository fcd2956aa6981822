//! What every facade of the fake writes and reads on the wire: the reply type, JSON built in
//! Go's field order, `params.Error` and `params.ErrorResults`, Go's `encoding/json` errors,
//! tags, and times. Facade modules use these and keep only their own shapes.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// An error reply: message, code (may be empty) and optional `error-info`.
#[derive(Debug)]
pub(crate) struct RpcErr {
    pub(crate) message: String,
    pub(crate) code: &'static str,
    /// Raw JSON for `error-info`, in Go's field order.
    pub(crate) info: Option<String>,
}

impl RpcErr {
    pub(crate) fn new(message: impl Into<String>, code: &'static str) -> RpcErr {
        RpcErr {
            message: message.into(),
            code,
            info: None,
        }
    }
}

/// A method's outcome: the `response` JSON, or an error.
pub(crate) type Reply = Result<String, RpcErr>;

/// `apiservererrors.ErrPerm`: `permission denied`, code `unauthorized access`.
pub(crate) fn perm() -> RpcErr {
    RpcErr::new("permission denied", "unauthorized access")
}

/// A JSON string literal, as `encoding/json` writes it (before the HTML escapes of
/// [`go_html_escape`]).
pub(crate) fn json_string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// Go escapes `<`, `>`, `&`, U+2028 and U+2029 in JSON strings; outside strings they
/// cannot occur, so replacing them everywhere is exact.
pub(crate) fn go_html_escape(s: String) -> String {
    if !s.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Builds a JSON object with its keys in the order given, as Go writes a struct
/// (serde_json's own maps sort their keys).
pub(crate) struct Obj(String);

impl Obj {
    pub(crate) fn new() -> Obj {
        Obj(String::from("{"))
    }

    fn key(&mut self, k: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push_str(&json_string(k));
        self.0.push(':');
    }

    /// Adds a field with a value serialised as JSON.
    pub(crate) fn v(&mut self, k: &str, v: impl serde::Serialize) -> &mut Obj {
        self.key(k);
        self.0
            .push_str(&serde_json::to_string(&v).unwrap_or_else(|_| "null".into()));
        self
    }

    /// Adds a field whose value is already JSON text.
    pub(crate) fn raw(&mut self, k: &str, json: &str) -> &mut Obj {
        self.key(k);
        self.0.push_str(json);
        self
    }

    pub(crate) fn done(&mut self) -> String {
        let mut s = std::mem::take(&mut self.0);
        s.push('}');
        s
    }
}

/// A JSON array of already-encoded items, or Go's nil slice (`null`) when there are none.
pub(crate) fn array_or_null(items: &[String]) -> String {
    if items.is_empty() {
        "null".to_string()
    } else {
        format!("[{}]", items.join(","))
    }
}

/// `params.Error` for a per-item failure: message and code always present.
pub(crate) fn item_error(e: &RpcErr) -> String {
    Obj::new().v("message", &e.message).v("code", e.code).done()
}

/// `params.ErrorResult`: `{}` on success, `{"error":{...}}` on failure.
pub(crate) fn error_result(r: &Result<(), RpcErr>) -> String {
    match r {
        Ok(()) => "{}".to_string(),
        Err(e) => Obj::new().raw("error", &item_error(e)).done(),
    }
}

/// `params.ErrorResults`: one [`error_result`] per item, in order.
pub(crate) fn error_results(results: &[Result<(), RpcErr>]) -> String {
    let items: Vec<String> = results.iter().map(error_result).collect();
    Obj::new()
        .raw("results", &format!("[{}]", items.join(",")))
        .done()
}

/// The JSON kind `encoding/json` names in its errors (`number 5` for numbers).
fn json_what(v: &Value) -> String {
    match v {
        Value::String(_) => "string".to_string(),
        Value::Number(n) => format!("number {n}"),
        Value::Bool(_) => "bool".to_string(),
        Value::Array(_) => "array".to_string(),
        Value::Object(_) => "object".to_string(),
        Value::Null => "null".to_string(),
    }
}

/// `encoding/json`'s message for a value of the wrong JSON type; `field` is the dotted
/// path Go prints (`args.name`).
pub(crate) fn json_type_error(v: &Value, go_struct: &str, field: &str, go_type: &str) -> RpcErr {
    RpcErr::new(
        format!(
            "json: cannot unmarshal {} into Go struct field {go_struct}.{field} of type {go_type}",
            json_what(v)
        ),
        "",
    )
}

/// A string field of the params, with Go's decoding error for another JSON type.
pub(crate) fn string_param(params: &Value, key: &str, go_struct: &str) -> Result<String, RpcErr> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(json_type_error(other, go_struct, key, "string")),
    }
}

/// The tag kinds `names.ParseTag` knows, enough for what clients send.
const TAG_KINDS: &[&str] = &[
    "user",
    "machine",
    "unit",
    "application",
    "model",
    "controller",
    "cloud",
];

/// Splits a tag the way `names.ParseTag` does: its kind and id, if the kind is known and
/// the id not empty.
pub(crate) fn tag_kind(tag: &str) -> Option<(&str, &str)> {
    let (kind, id) = tag.split_once('-')?;
    (TAG_KINDS.contains(&kind) && !id.is_empty()).then_some((kind, id))
}

/// `names.ParseUserTag`: the user name of a `user-` tag (`@local` dropped).
pub(crate) fn parse_user_tag(tag: &str) -> Result<String, RpcErr> {
    match tag_kind(tag) {
        Some(("user", id)) => Ok(id.strip_suffix("@local").unwrap_or(id).to_string()),
        Some(_) => Err(RpcErr::new(format!("{tag:?} is not a valid user tag"), "")),
        None => Err(RpcErr::new(format!("{tag:?} is not a valid tag"), "")),
    }
}

/// `names.ParseModelTag`: the UUID of a `model-` tag.
pub(crate) fn parse_model_tag(tag: &str) -> Result<&str, RpcErr> {
    match tag_kind(tag) {
        Some(("model", id)) if crate::util::is_uuid(id) => Ok(id),
        Some((kind, _)) if kind != "model" => {
            Err(RpcErr::new(format!("{tag:?} is not a valid model tag"), ""))
        }
        _ => Err(RpcErr::new(format!("{tag:?} is not a valid tag"), "")),
    }
}

/// Go's JSON form of a `time.Time` in UTC (RFC 3339, fraction trimmed), at the millisecond
/// precision Juju's database keeps.
pub(crate) fn go_time(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let millis = d.subsec_millis();
    let frac = if millis == 0 {
        String::new()
    } else {
        format!(".{millis:03}").trim_end_matches('0').to_string()
    };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{frac}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Now, to the second, as Juju stores login times (3.6 `nowToTheSecond`, 4.0
/// `Truncate(time.Second)`).
pub(crate) fn now_to_the_second() -> SystemTime {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    UNIX_EPOCH + std::time::Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_look_like_go_wrote_them() {
        let t = UNIX_EPOCH + Duration::from_millis(1_764_466_157_120);
        assert_eq!(go_time(t), "2025-11-30T01:29:17.12Z");
        assert_eq!(go_time(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            go_time(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
        assert!(!go_time(now_to_the_second()).contains('.'));
    }

    #[test]
    fn tags_parse_as_names_does() {
        assert_eq!(parse_user_tag("user-admin").unwrap(), "admin");
        assert_eq!(parse_user_tag("user-bob@local").unwrap(), "bob");
        assert_eq!(
            parse_user_tag("machine-0").unwrap_err().message,
            "\"machine-0\" is not a valid user tag"
        );
        assert_eq!(
            parse_user_tag("").unwrap_err().message,
            "\"\" is not a valid tag"
        );
        let uuid = "0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b";
        assert_eq!(parse_model_tag(&format!("model-{uuid}")).unwrap(), uuid);
        assert_eq!(
            parse_model_tag("user-admin").unwrap_err().message,
            "\"user-admin\" is not a valid model tag"
        );
        assert_eq!(
            parse_model_tag("model-x").unwrap_err().message,
            "\"model-x\" is not a valid tag"
        );
    }

    #[test]
    fn objects_keep_their_key_order() {
        let o = Obj::new().v("b", 1).raw("a", "[]").v("c", "x").done();
        assert_eq!(o, r#"{"b":1,"a":[],"c":"x"}"#);
    }

    #[test]
    fn error_results_look_like_go_wrote_them() {
        let r = error_results(&[Ok(()), Err(RpcErr::new("nope", "not found"))]);
        assert_eq!(
            r,
            r#"{"results":[{},{"error":{"message":"nope","code":"not found"}}]}"#
        );
        assert_eq!(array_or_null(&[]), "null");
        assert_eq!(array_or_null(&["1".into(), "2".into()]), "[1,2]");
    }

    #[test]
    fn type_errors_name_the_go_field() {
        let e = json_type_error(&Value::from(5), "Entity", "tag", "string");
        assert_eq!(
            e.message,
            "json: cannot unmarshal number 5 into Go struct field Entity.tag of type string"
        );
    }
}
