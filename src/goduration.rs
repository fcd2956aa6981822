//! Go's `time.Duration` text form (`1h30m0s`), which the `juju` CLI reads and prints for
//! token rotate intervals.

use std::time::Duration;

use crate::error::Error;

/// Formats nanoseconds the way Go's `Duration.String()` does: `1h0m0s`, `30m0s`, `1.5s`,
/// `500ms`, `0s`.
pub(crate) fn format_nanos(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let sign = if ns < 0 { "-" } else { "" };
    let u = ns.unsigned_abs();
    let frac = |v: u64, unit: u64, digits: usize| -> String {
        let (whole, rest) = (v / unit, v % unit);
        if rest == 0 {
            whole.to_string()
        } else {
            let f = format!("{rest:0digits$}");
            format!("{whole}.{}", f.trim_end_matches('0'))
        }
    };
    if u < 1_000_000_000 {
        return match u {
            u if u < 1_000 => format!("{sign}{u}ns"),
            u if u < 1_000_000 => format!("{sign}{}µs", frac(u, 1_000, 3)),
            u => format!("{sign}{}ms", frac(u, 1_000_000, 6)),
        };
    }
    let secs = u / 1_000_000_000;
    let s = frac(u % 60_000_000_000, 1_000_000_000, 9);
    match (secs / 3600, (secs / 60) % 60) {
        (0, 0) => format!("{sign}{s}s"),
        (0, m) => format!("{sign}{m}m{s}s"),
        (h, m) => format!("{sign}{h}h{m}m{s}s"),
    }
}

/// Formats a duration as Go does (`Duration::from_secs(5400)` is `1h30m0s`).
///
/// ```
/// use std::time::Duration;
/// use juju_client::secretbackends::format_go_duration;
/// assert_eq!(format_go_duration(Duration::from_secs(5400)), "1h30m0s");
/// assert_eq!(format_go_duration(Duration::from_millis(1500)), "1.5s");
/// ```
pub fn format_go_duration(d: Duration) -> String {
    format_nanos(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// Parses Go's duration syntax, as the `juju` CLI's `token-rotate=` does: a sequence of
/// numbers with units `ns`, `us`, `µs`, `ms`, `s`, `m`, `h` (`1h30m`, `90m`, `1.5h`), or `0`.
/// Negative durations are refused.
///
/// # Errors
///
/// Kind `InvalidInput` for text that is not a Go duration, or one too long for `Duration`.
///
/// ```
/// use std::time::Duration;
/// use juju_client::secretbackends::parse_go_duration;
/// assert_eq!(parse_go_duration("1h30m").unwrap(), Duration::from_secs(5400));
/// assert_eq!(parse_go_duration("90m").unwrap(), Duration::from_secs(5400));
/// assert!(parse_go_duration("1 hour").is_err());
/// ```
pub fn parse_go_duration(text: &str) -> Result<Duration, Error> {
    let invalid = || Error::invalid(format!("time: invalid duration {text:?}"));
    let s = text.strip_prefix('+').unwrap_or(text);
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() || s.starts_with('-') {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(invalid)?;
        let (num, after) = rest.split_at(num_end);
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return Err(invalid());
        }
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(invalid()),
        };
        let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| invalid())?
        };
        let mut value = whole.checked_mul(scale).ok_or_else(invalid)?;
        let mut unit_part = scale;
        for d in frac.chars() {
            unit_part /= 10;
            value += u128::from(d.to_digit(10).ok_or_else(invalid)?) * unit_part;
        }
        total = total.checked_add(value).ok_or_else(invalid)?;
        rest = next;
    }
    if total > i64::MAX as u128 {
        return Err(invalid());
    }
    Ok(Duration::from_nanos(total as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        assert_eq!(format_nanos(30 * 60 * 1_000_000_000), "30m0s");
        assert_eq!(format_nanos(3_600_000_000_000), "1h0m0s");
        assert_eq!(format_nanos(12_000_000_000_000), "3h20m0s");
        assert_eq!(format_nanos(39_960_000_000_000), "11h6m0s");
        assert_eq!(format_nanos(1_500_000_000), "1.5s");
        assert_eq!(format_nanos(90_500_000_000), "1m30.5s");
        assert_eq!(format_nanos(1_500_000), "1.5ms");
        assert_eq!(format_nanos(2_000), "2µs");
        assert_eq!(format_nanos(5), "5ns");
        assert_eq!(format_nanos(0), "0s");
        assert_eq!(format_nanos(-1_000_000_000), "-1s");
    }

    #[test]
    fn parses_like_go() {
        let p = |s: &str| parse_go_duration(s).map(|d| d.as_nanos());
        assert_eq!(p("1h").unwrap(), 3_600_000_000_000);
        assert_eq!(p("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(p("1.5h").unwrap(), 5_400_000_000_000);
        assert_eq!(p("300ms").unwrap(), 300_000_000);
        assert_eq!(p("2h45m10.5s").unwrap(), 9_910_500_000_000);
        assert_eq!(p("0").unwrap(), 0);
        for bad in ["", "1", "h", "1x", "-1h", "1h-", "1..5h", "1 h"] {
            let e = parse_go_duration(bad).unwrap_err();
            assert_eq!(e.message(), format!("time: invalid duration {bad:?}"));
        }
    }
}
