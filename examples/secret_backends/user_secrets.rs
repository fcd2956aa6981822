//! The user-secret commands of the `secret_backends` tool: `secrets`, `show-secret`,
//! `add-secret`, `update-secret`, `remove-secret`, `grant-secret` and `revoke-secret`, laid
//! out as the juju CLI lays them out (`cmd/juju/secrets`).
//!
//! What the CLI checks before calling the controller fails with exit status 2, as the CLI's
//! `Init` errors do; what the controller refuses, with exit status 1 and its text alone
//! (the CLI prints the message of an API error, without its code).

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use juju_client::secrets::{Secret, SecretContent, SecretFilter, SecretOwner, UpdateSecret};
use serde::Serialize;
use serde_json::Value;

use super::{Args, Failure, Format, connect_model, failed, format_of};

/// An error the CLI finds before calling the controller (its `Init`): exit status 2.
fn init(msg: impl Into<String>) -> Failure {
    Failure::Init(msg.into())
}

/// A controller's (or the SDK's) error as the CLI prints it: the message, without the code.
fn api(e: juju_client::Error) -> Failure {
    failed(e.message())
}

/// `unrecognized args: ["a" "b"]`, as the CLI's `cmd.CheckEmpty` (Go's `%q` of a slice).
fn unrecognized(rest: &[String]) -> Failure {
    let quoted: Vec<String> = rest.iter().map(|w| format!("{w:?}")).collect();
    init(format!("unrecognized args: [{}]", quoted.join(" ")))
}

/// An integer flag as the CLI's flag package (gnuflag) reads it, with its text.
fn int_flag(name: &str, value: Option<&str>) -> Result<i64, Failure> {
    match value {
        None => Ok(0),
        Some(v) => v.parse().map_err(|_| {
            init(format!(
                "invalid value {v:?} for flag {name}: strconv.ParseInt: parsing {v:?}: invalid syntax"
            ))
        }),
    }
}

/// Runs a user-secret command, or returns `None` when `command` is not one.
pub(crate) fn run(a: &Args, command: &str, rest: &[String]) -> Option<Result<(), Failure>> {
    let result = match command {
        "secrets" | "list-secrets" => list(a, rest),
        "show-secret" => show(a, rest),
        "add-secret" => add(a, rest),
        "update-secret" => update(a, rest),
        "remove-secret" => remove(a, rest),
        "grant-secret" => grant_or_revoke(a, rest, true),
        "revoke-secret" => grant_or_revoke(a, rest, false),
        _ => return None,
    };
    Some(result)
}

/// `juju secrets [--owner TAG] [--format tabular|yaml|json]`; `--revisions` as Juju 4's.
fn list(a: &Args, rest: &[String]) -> Result<(), Failure> {
    let format = format_of(
        a,
        &[
            ("tabular", Format::Tabular),
            ("yaml", Format::Yaml),
            ("json", Format::Json),
        ],
        Format::Tabular,
    )?;
    if a.reveal {
        // `juju secrets` has no --reveal (`show-secret` has).
        return Err(init("flag provided but not defined: --reveal"));
    }
    if !rest.is_empty() {
        return Err(unrecognized(rest));
    }
    let mut filter = SecretFilter::new();
    if let Some(owner) = &a.owner {
        // The CLI takes a tag (`application-mysql`, `unit-mysql-0`, `model-<uuid>`).
        if matches!(SecretOwner::from_tag(owner), SecretOwner::Other(_)) {
            return Err(failed(format!(
                "invalid owner {owner:?}: {owner:?} is not a valid tag"
            )));
        }
        filter = filter.owner(owner);
    }
    let (model, _fake) = connect_model(a)?;
    let secrets = model.list_secrets(&filter, false).map_err(api)?;
    let shown = Shown {
        reveal: false,
        revisions: a.revisions,
        access: false,
    };
    print_secrets(&secrets, shown, format)
}

/// `juju show-secret ID|NAME [--reveal] [--revisions] [-r N] [--format yaml|json]`.
///
/// As the CLI, it lists with a filter (the URI, or the name) and shows whatever matches,
/// with a failed reveal as that secret's `error:`.
fn show(a: &Args, rest: &[String]) -> Result<(), Failure> {
    let format = format_of(
        a,
        &[("yaml", Format::Yaml), ("json", Format::Json)],
        Format::Yaml,
    )?;
    let Some((id, extra)) = rest.split_first() else {
        return Err(init("secret ID is required"));
    };
    let revision = int_flag("--revision", a.revision.as_deref())?;
    if a.revisions {
        if a.reveal {
            return Err(init("specify either --revisions or --reveal but not both"));
        }
        if revision > 0 {
            return Err(init(
                "specify either --revisions or --revision but not both",
            ));
        }
    }
    if revision < 0 {
        return Err(init("revision must be a positive integer"));
    }
    if !extra.is_empty() {
        return Err(unrecognized(extra));
    }
    // Taken as a URI when it parses as one, else as a name; the CLI's not-found names the
    // bare id, or the name.
    let (mut filter, shown_id) = match juju_client::secrets::SecretUri::parse(id) {
        Ok(uri) => (SecretFilter::new().uri(&uri), uri.id().to_string()),
        Err(_) => (SecretFilter::new().name(id), id.clone()),
    };
    if revision > 0 {
        let r = u32::try_from(revision)
            .map_err(|_| init(format!("invalid value {revision:?} for flag --revision")))?;
        filter = filter.revision(r);
    }
    let (model, _fake) = connect_model(a)?;
    let secrets = model.list_secrets(&filter, a.reveal).map_err(api)?;
    if secrets.is_empty() {
        return Err(failed(format!("secret {shown_id:?} not found")));
    }
    let shown = Shown {
        reveal: a.reveal,
        revisions: a.revisions,
        access: true,
    };
    print_secrets(&secrets, shown, format)
}

/// The content of `add-secret` and `update-secret`: the `key=value` arguments, with the
/// `--file` laid over them (the file wins).
fn content(a: &Args, words: &[String]) -> Result<SecretContent, Failure> {
    let mut content = SecretContent::from_args(words).map_err(|e| init(e.message()))?;
    if let Some(path) = &a.file {
        let from_file = SecretContent::from_file(path).map_err(|e| init(e.message()))?;
        content.merge(from_file).map_err(|e| init(e.message()))?;
    }
    Ok(content)
}

/// `juju add-secret NAME key=value... [--info TEXT] [--file PATH]`: prints the URI.
fn add(a: &Args, rest: &[String]) -> Result<(), Failure> {
    let Some((name, words)) = rest.split_first() else {
        return Err(init(
            "secret name needs to be supplied as the first argument",
        ));
    };
    let content = content(a, words)?;
    if content.is_empty() {
        return Err(init("missing secret value or filename"));
    }
    let info = a.info.as_deref().filter(|i| !i.is_empty());
    let (model, _fake) = connect_model(a)?;
    let uri = model.add_secret(name, content, info).map_err(api)?;
    println!("{uri}");
    Ok(())
}

/// `juju update-secret ID|NAME [key=value...] [--name NEW] [--info TEXT] [--file PATH]
/// [--auto-prune[=BOOL]]`: prints nothing. As the CLI, an empty `--name` or `--info` is
/// not sent (the name and description are kept).
fn update(a: &Args, rest: &[String]) -> Result<(), Failure> {
    let Some((id, words)) = rest.split_first() else {
        return Err(init("missing secret URI"));
    };
    let content = content(a, words)?;
    let auto_prune = match a.auto_prune.as_deref() {
        None => None,
        Some(v) => Some(parse_go_bool(v).ok_or_else(|| {
            init(format!(
                "invalid value {v:?} for flag --auto-prune: strconv.ParseBool: parsing {v:?}: invalid syntax"
            ))
        })?),
    };
    let mut change = UpdateSecret::new();
    if !content.is_empty() {
        change = change.content(content);
    }
    if let Some(n) = a.new_name.as_deref().filter(|n| !n.is_empty()) {
        change = change.new_name(n);
    }
    if let Some(i) = a.info.as_deref().filter(|i| !i.is_empty()) {
        change = change.info(i);
    }
    if let Some(p) = auto_prune {
        change = change.auto_prune(p);
    }
    let (model, _fake) = connect_model(a)?;
    model.update_secret(id, change).map_err(api)
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// `juju remove-secret ID|NAME [--revision N]`: the revision is sent only when above 0.
fn remove(a: &Args, rest: &[String]) -> Result<(), Failure> {
    let Some((id, extra)) = rest.split_first() else {
        return Err(init("missing secret URI"));
    };
    let revision = int_flag("--revision", a.revision.as_deref())?;
    if !extra.is_empty() {
        return Err(unrecognized(extra));
    }
    let revision = u32::try_from(revision).ok().filter(|r| *r > 0);
    let (model, _fake) = connect_model(a)?;
    model.remove_secret(id, revision).map_err(api)
}

/// `juju grant-secret` / `juju revoke-secret ID|NAME app1[,app2...]`: prints nothing; the
/// applications the controller refused, as the CLI reports them (its text says
/// "grant/revoke" for both commands).
fn grant_or_revoke(a: &Args, rest: &[String], grant: bool) -> Result<(), Failure> {
    let [id, apps, extra @ ..] = rest else {
        return Err(init("missing secret URI or application name"));
    };
    if !extra.is_empty() {
        return Err(unrecognized(extra));
    }
    let apps: Vec<&str> = apps.split(',').collect();
    let (model, _fake) = connect_model(a)?;
    let results = if grant {
        model.grant_secret(id, &apps)
    } else {
        model.revoke_secret(id, &apps)
    }
    .map_err(api)?;
    let refused: Vec<String> = results
        .into_iter()
        .filter_map(|r| r.err().map(|e| e.message().to_string()))
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    Err(failed(format!(
        "failed to grant/revoke secret: {}",
        refused.join(", ")
    )))
}

/// What a listing includes beyond the summary.
#[derive(Clone, Copy)]
struct Shown {
    /// The content (and its checksum) of secrets revealed.
    reveal: bool,
    /// Each revision.
    revisions: bool,
    /// The grants (`show-secret` only).
    access: bool,
}

/// One secret as the CLI's YAML and JSON show it (`secretDisplayDetails`): fields in this
/// order, empty ones left out, times as the controller sent them.
#[derive(Serialize)]
struct Details {
    revision: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    checksum: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rotation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rotates: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    created: String,
    updated: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    revisions: Vec<RevisionDetails>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    access: Vec<AccessDetails>,
}

#[derive(Serialize)]
struct RevisionDetails {
    revision: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    backend: Option<String>,
    created: String,
    updated: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
}

#[derive(Serialize)]
struct AccessDetails {
    target: String,
    scope: String,
    role: String,
}

/// Go's zero `time.Time`, which the CLI shows for a time the controller did not send.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_string)
}

/// The owner as the CLI shows it: `<model>` for a user secret, the application or unit
/// name for a charm secret (nothing for a tag it cannot read).
fn owner_shown(secret: &Secret) -> Option<String> {
    match secret.owner_kind() {
        SecretOwner::Other(_) => None,
        owner => Some(owner.to_string()),
    }
}

/// A secret's details; `time` turns each time into what is written (the YAML writer
/// swaps them for markers, to write them unquoted as Go writes a `time.Time`).
fn details(
    s: &Secret,
    shown: Shown,
    format: Format,
    time: &mut dyn FnMut(&str) -> String,
) -> Details {
    let user = s.is_user_secret();
    let name = non_empty(s.name.as_deref());
    // The CLI decodes the values for display; binary ones as Go's JSON writer would
    // (invalid UTF-8 replaced).
    let content = s
        .content
        .as_ref()
        .filter(|c| shown.reveal && !c.is_empty())
        .map(|c| {
            let data: serde_json::Map<String, Value> = c
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        Value::String(String::from_utf8_lossy(v).into_owned()),
                    )
                })
                .collect();
            match format {
                // `json:",omitempty,inline"`: `inline` is YAML's alone, so JSON names the
                // field after the Go struct field.
                Format::Json => serde_json::json!({ "Data": data }),
                _ => Value::Object(data),
            }
        });
    Details {
        revision: s.latest_revision,
        checksum: content
            .as_ref()
            .and_then(|_| non_empty(s.checksum.as_deref())),
        expires: s.latest_expire.as_deref().map(&mut *time),
        rotation: non_empty(s.rotate_policy.as_deref()),
        rotates: s.next_rotate.as_deref().map(&mut *time),
        owner: owner_shown(s),
        description: non_empty(s.description.as_deref()),
        name: if user { name.clone() } else { None },
        label: if user { None } else { name },
        created: time(s.created.as_deref().unwrap_or(ZERO_TIME)),
        updated: time(s.updated.as_deref().unwrap_or(ZERO_TIME)),
        error: s.error.as_ref().map(|e| e.message().to_string()),
        content,
        revisions: if shown.revisions {
            s.revisions
                .iter()
                .map(|r| RevisionDetails {
                    revision: r.revision,
                    backend: non_empty(r.backend.as_deref()),
                    created: time(r.created.as_deref().unwrap_or(ZERO_TIME)),
                    updated: time(r.updated.as_deref().unwrap_or(ZERO_TIME)),
                    expires: r.expires.as_deref().map(&mut *time),
                })
                .collect()
        } else {
            Vec::new()
        },
        access: if shown.access {
            s.access
                .iter()
                .map(|g| AccessDetails {
                    target: g.target.clone(),
                    scope: g.scope.clone(),
                    role: g.role.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

fn print_secrets(secrets: &[Secret], shown: Shown, format: Format) -> Result<(), Failure> {
    match format {
        Format::Tabular => {
            print!("{}", tabular(secrets, SystemTime::now()));
            Ok(())
        }
        Format::Json => {
            let map: BTreeMap<&str, Details> = secrets
                .iter()
                .map(|s| (s.uri.id(), details(s, shown, format, &mut str::to_string)))
                .collect();
            let text = serde_json::to_string(&map)
                .map_err(|e| failed(format!("cannot write JSON: {e}")))?;
            println!("{}", go_html_escape(&text));
            Ok(())
        }
        Format::Yaml => {
            print!("{}", yaml(secrets, shown)?);
            Ok(())
        }
    }
}

/// Go's `json.Marshal` escapes `<`, `>`, `&`, U+2028 and U+2029 in strings (and these
/// appear nowhere else in JSON text).
fn go_html_escape(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
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

/// The YAML of the CLI (Go's yaml.v2): map keys sorted, sequences not indented under
/// their key, times plain (yaml.v2 writes a `time.Time` unquoted, where a string that
/// looks like a time would be quoted), no folding of long lines.
///
/// Each time is written as a marker, a plain word found in no other string of the
/// listing, then swapped for the time.
fn yaml(secrets: &[Secret], shown: Shown) -> Result<String, Failure> {
    let texts: Vec<String> = secrets
        .iter()
        .flat_map(|s| {
            let content = s
                .content
                .iter()
                .flat_map(|c| c.iter())
                .flat_map(|(k, v)| [k.to_string(), String::from_utf8_lossy(v).into_owned()]);
            [
                s.name.clone(),
                s.description.clone(),
                s.error.as_ref().map(|e| e.message().to_string()),
            ]
            .into_iter()
            .flatten()
            .chain(content)
            .collect::<Vec<_>>()
        })
        .collect();
    let mut marker = String::from("juju-time-marker");
    while texts.iter().any(|t| t.contains(&marker)) {
        marker.push('x');
    }
    let mut times: Vec<String> = Vec::new();
    let map: BTreeMap<&str, Details> = secrets
        .iter()
        .map(|s| {
            let mut time = |t: &str| {
                times.push(t.to_string());
                format!("{marker}-{}-", times.len() - 1)
            };
            (s.uri.id(), details(s, shown, Format::Yaml, &mut time))
        })
        .collect();
    let mut options = serde_saphyr::SerializerOptions::default();
    options.folded_wrap_chars = usize::MAX;
    options.min_fold_chars = usize::MAX;
    let mut text = serde_saphyr::to_string_with_options(&map, options)
        .map_err(|e| failed(format!("cannot write YAML: {e}")))?;
    // Highest first, so that marker 1 is not taken for the start of marker 10.
    for (i, t) in times.iter().enumerate().rev() {
        text = text.replace(&format!("{marker}-{i}-"), t);
    }
    Ok(text)
}

/// `juju secrets` in tabular form: `ID  Name  Owner  Rotation  Revision  Last updated`,
/// by owner, then latest revision highest first; `-` for no name (a charm secret's label
/// is not shown), `never` for no rotation; the revision right-aligned; when it was last
/// updated relative to `now`. Laid out as Go's tabwriter with the CLI's settings: two
/// spaces after each column, the last one included on every row but the header.
fn tabular(secrets: &[Secret], now: SystemTime) -> String {
    let mut rows: Vec<(String, u32, [String; 6])> = secrets
        .iter()
        .map(|s| {
            let owner = owner_shown(s).unwrap_or_default();
            let name = if s.is_user_secret() {
                non_empty(s.name.as_deref())
            } else {
                None
            };
            let cells = [
                s.uri.id().to_string(),
                name.unwrap_or_else(|| "-".into()),
                owner.clone(),
                non_empty(s.rotate_policy.as_deref()).unwrap_or_else(|| "never".into()),
                s.latest_revision.to_string(),
                last_updated(s.updated.as_deref().unwrap_or(ZERO_TIME), now),
            ];
            (owner, s.latest_revision, cells)
        })
        .collect();
    rows.sort_by(|x, y| {
        x.0.cmp(&y.0)
            .then(y.1.cmp(&x.1))
            .then_with(|| x.2[0].cmp(&y.2[0]))
    });
    let header = [
        "ID",
        "Name",
        "Owner",
        "Rotation",
        "Revision",
        "Last updated",
    ];
    let width = |i: usize, with_header: bool| {
        rows.iter()
            .map(|r| r.2[i].chars().count())
            .chain(with_header.then(|| header[i].chars().count()))
            .max()
            .unwrap_or(0)
    };
    // The header's last cell ends its line, so the last column is as wide as the rows'.
    let widths: Vec<usize> = (0..6).map(|i| width(i, i < 5)).collect();
    let cell = |i: usize, text: &str| {
        let pad = " ".repeat(widths[i] - text.chars().count());
        if i == 4 {
            format!("{pad}{text}  ")
        } else {
            format!("{text}{pad}  ")
        }
    };
    let mut out: String = header[..5]
        .iter()
        .enumerate()
        .map(|(i, h)| cell(i, h))
        .collect();
    out.push_str(header[5]);
    out.push('\n');
    for (_, _, cells) in &rows {
        for (i, c) in cells.iter().enumerate() {
            out.push_str(&cell(i, c));
        }
        out.push('\n');
    }
    out
}

/// The CLI's `UserFriendlyDuration`: the date (as the controller wrote it) when a day or
/// more ago, else `N hours ago`, `N minutes ago`, `N seconds ago` (from 2), or `just now`
/// (also for a time ahead of `now`). A time that does not read is Go's zero time.
fn last_updated(when: &str, now: SystemTime) -> String {
    let Some(at) = rfc3339_seconds(when) else {
        return "0001-01-01".into();
    };
    let now = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let since = now - at;
    let (hours, minutes) = (since / 3600.0, since / 60.0);
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    if hours >= 24.0 {
        when.get(..10).unwrap_or(when).to_string()
    } else if hours >= 1.0 {
        plural(hours as i64, "hour")
    } else if minutes >= 1.0 {
        plural(minutes as i64, "minute")
    } else if since >= 2.0 {
        format!("{} seconds ago", since as i64)
    } else {
        "just now".into()
    }
}

/// Seconds since the Unix epoch of an RFC 3339 time (`2025-05-01T10:00:00.5+02:00`).
fn rfc3339_seconds(t: &str) -> Option<f64> {
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = t.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &t[19..];
    let mut frac = 0.0;
    if let Some(f) = rest.strip_prefix('.') {
        let digits = f.bytes().take_while(u8::is_ascii_digit).count();
        frac = format!("0.{}", &f[..digits]).parse().ok()?;
        rest = &f[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = rest.get(1..)?.split_once(':')?;
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
        }
    };
    // Days from the civil date (proleptic Gregorian), Howard Hinnant's method.
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + mi * 60 + s - offset) as f64 + frac)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(t: &str) -> SystemTime {
        let secs = rfc3339_seconds(t).unwrap();
        UNIX_EPOCH + Duration::from_secs_f64(secs)
    }

    #[test]
    fn rfc3339_times_read_with_fractions_and_offsets() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(rfc3339_seconds("2000-03-01T00:00:00Z"), Some(951_868_800.0));
        assert_eq!(
            rfc3339_seconds("2025-05-01T12:00:00+02:00"),
            rfc3339_seconds("2025-05-01T10:00:00Z")
        );
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:01.5Z"), Some(1.5));
        for bad in [
            "",
            "2025-05-01",
            "2025-05-01 10:00:00Z",
            "2025-05-01T10:00:00",
            "x",
        ] {
            assert_eq!(rfc3339_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn last_updated_reads_as_the_cli_says_it() {
        let now = at("2025-05-02T10:00:00Z");
        let cases = [
            ("2025-05-02T10:00:00Z", "just now"),
            ("2025-05-02T09:59:58.5Z", "just now"),
            ("2025-05-02T09:59:58Z", "2 seconds ago"),
            ("2025-05-02T09:59:00Z", "1 minute ago"),
            ("2025-05-02T09:01:00Z", "59 minutes ago"),
            ("2025-05-02T09:00:00Z", "1 hour ago"),
            ("2025-05-01T10:00:01Z", "23 hours ago"),
            ("2025-05-01T10:00:00Z", "2025-05-01"),
            ("2025-04-30T23:30:00-05:00", "2025-04-30"),
            ("2025-05-03T10:00:00Z", "just now"),
            ("not a time", "0001-01-01"),
        ];
        for (when, expected) in cases {
            assert_eq!(last_updated(when, now), expected, "{when}");
        }
    }
}
