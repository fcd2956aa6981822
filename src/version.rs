//! Juju release numbers (`3.6.26`, `3.6.26.1`, `4.0-beta2`): the version this client claims
//! at login, and parsing and ordering them as Juju does (`github.com/juju/version/v2`).

use std::cmp::Ordering;
use std::fmt;

/// The Juju release whose API this crate speaks, sent as `client-version` at login and as
/// `X-Juju-ClientVersion` on the WebSocket upgrade, as the `juju` CLI of that release does.
///
/// It is a Juju version, never this crate's own (a Juju 3.1.0 to 3.2.x controller refuses
/// every call from a client whose major version is not its own, and `0.x` is nobody's).
/// Override it with [`ConnectOptions::client_version`](crate::ConnectOptions::client_version).
///
/// ```
/// assert!(juju_client::JUJU_CLIENT_VERSION.starts_with("3.6."));
/// ```
pub const JUJU_CLIENT_VERSION: &str = "3.6.26";

/// A parsed Juju version: `major.minor.patch[.build]` or `major.minor-tagpatch[.build]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    pub(crate) major: u32,
    pub(crate) minor: u32,
    /// `beta`, `rc`, ...: empty for a release.
    pub(crate) tag: String,
    pub(crate) patch: u32,
    pub(crate) build: u32,
}

/// Up to 9 ASCII digits, as Juju's `\d{1,9}`.
fn number(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

impl Version {
    /// Parses the forms `version.Parse` accepts; anything else is `None`.
    pub(crate) fn parse(s: &str) -> Option<Version> {
        let (major, rest) = s.split_once('.')?;
        let major = number(major)?;
        // minor, then either ".patch" or "-tagpatch", then an optional ".build".
        let minor_end = rest.find(['.', '-'])?;
        let minor = number(&rest[..minor_end])?;
        let after = &rest[minor_end..];
        let (tag, tail) = if let Some(t) = after.strip_prefix('-') {
            let letters = t.bytes().take_while(u8::is_ascii_lowercase).count();
            if letters == 0 {
                return None;
            }
            (t[..letters].to_string(), &t[letters..])
        } else {
            (String::new(), &after[1..])
        };
        let (patch, build) = match tail.split_once('.') {
            Some((p, b)) => (number(p)?, number(b)?),
            None => (number(tail)?, 0),
        };
        Some(Version {
            major,
            minor,
            tag,
            patch,
            build,
        })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        // A tagged version (beta, rc) comes before the release of the same minor.
        let tag_rank = |v: &Version| (v.tag.is_empty(), v.tag.clone());
        (self.major, self.minor)
            .cmp(&(other.major, other.minor))
            .then_with(|| tag_rank(self).cmp(&tag_rank(other)))
            .then_with(|| (self.patch, self.build).cmp(&(other.patch, other.build)))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.tag.is_empty() {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        } else {
            write!(
                f,
                "{}.{}-{}{}",
                self.major, self.minor, self.tag, self.patch
            )?;
        }
        if self.build > 0 {
            write!(f, ".{}", self.build)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_juju_parses() {
        let v = Version::parse("3.6.26").unwrap();
        assert_eq!((v.major, v.minor, v.patch, v.build), (3, 6, 26, 0));
        assert_eq!(Version::parse("3.6.26.4").unwrap().build, 4);
        let beta = Version::parse("4.0-beta2").unwrap();
        assert_eq!((beta.tag.as_str(), beta.patch), ("beta", 2));
        assert_eq!(
            Version::parse("4.0-rc1.3").unwrap().to_string(),
            "4.0-rc1.3"
        );
        assert_eq!(
            JUJU_CLIENT_VERSION,
            Version::parse(JUJU_CLIENT_VERSION).unwrap().to_string()
        );
    }

    #[test]
    fn refuses_what_juju_refuses() {
        for bad in [
            "",
            "3",
            "3.6",
            "3.6.",
            "v3.6.26",
            "3.6.26.",
            "3.6.26.1.2",
            "3.6.x",
            "3.6-26",
            "3.6-BETA1",
            "3.6.26-rc1",
            " 3.6.26",
            "1234567890.0.0",
            "3.6.+1",
        ] {
            assert_eq!(Version::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn orders_as_juju_does() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("2.9.36") < v("2.9.37"));
        assert!(v("2.9.36") < v("3.0.0"));
        assert!(v("4.0-beta1") < v("4.0-rc1"));
        assert!(v("4.0-rc1") < v("4.0.0"));
        assert!(v("3.6.26") < v("3.6.26.1"));
        assert!(v("3.10.0") > v("3.9.9"));
    }
}
