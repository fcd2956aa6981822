//! Juju's shapes shared by many facades (Go's `rpc/params`): the error inside a bulk result,
//! `ErrorResult(s)`, `Entities`, `StringResult`, and pairing a bulk call's per-item results
//! with what was checked locally, naming the facade a bad reply came from.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::caller::Facade;
use crate::error::{Error, ErrorCode};
use crate::redact::Redaction;

/// `params.Error`: an error inside a result (not the envelope's).
#[derive(Deserialize, Default)]
pub(crate) struct ApiError {
    #[serde(default)]
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) code: String,
    #[serde(default)]
    pub(crate) info: Option<Value>,
}

impl ApiError {
    /// Whether it says anything: Go sends `"error":{}`-like zero values at times.
    pub(crate) fn is_set(&self) -> bool {
        !self.message.is_empty() || !self.code.is_empty()
    }

    /// The error, its text and `info` shown as the facade's `policy` allows.
    pub(crate) fn into_error(self, policy: &'static Redaction) -> Error {
        Error::api(self.message, ErrorCode::from_wire(&self.code), self.info).redacted_by(policy)
    }
}

/// `params.ErrorResult`: one item's outcome.
#[derive(Deserialize, Default)]
pub(crate) struct ErrorResult {
    #[serde(default)]
    pub(crate) error: Option<ApiError>,
}

impl ErrorResult {
    /// The item's outcome as a `Result`.
    pub(crate) fn into_result(self, policy: &'static Redaction) -> Result<(), Error> {
        match self.error {
            Some(e) if e.is_set() => Err(e.into_error(policy)),
            _ => Ok(()),
        }
    }
}

/// `params.ErrorResults`: one outcome per item of a bulk call, in order.
#[derive(Deserialize, Default)]
pub(crate) struct ErrorResults {
    #[serde(default)]
    pub(crate) results: Option<Vec<ErrorResult>>,
}

/// `params.Entity`: a tag.
#[derive(Serialize)]
pub(crate) struct Entity<'a> {
    pub(crate) tag: &'a str,
}

/// `params.StringResult`: a string or an error.
#[derive(Deserialize, Default)]
pub(crate) struct StringResult {
    #[serde(default)]
    pub(crate) result: String,
    #[serde(default)]
    pub(crate) error: Option<ApiError>,
}

impl StringResult {
    pub(crate) fn into_result(self, policy: &'static Redaction) -> Result<String, Error> {
        match self.error {
            Some(e) if e.is_set() => Err(e.into_error(policy)),
            _ => Ok(self.result),
        }
    }
}

/// Pairs local check results with the controller's per-item results, in order: an item
/// refused locally was not sent, so it has no reply. A reply with the wrong number of
/// results is a protocol error naming `facade.method`.
pub(crate) fn merge_results(
    checks: Vec<Result<(), Error>>,
    sent: Option<ErrorResults>,
    facade: &Facade,
    method: &str,
) -> Result<Vec<Result<(), Error>>, Error> {
    let (policy, facade) = (facade.redaction, facade.name);
    let wanted = checks.iter().filter(|c| c.is_ok()).count();
    let mut replies = sent.and_then(|r| r.results).unwrap_or_default().into_iter();
    if replies.len() != wanted {
        return Err(Error::protocol(format!(
            "{facade}.{method}: expected {wanted} results, got {}",
            replies.len()
        )));
    }
    Ok(checks
        .into_iter()
        .map(|c| {
            c?;
            replies.next().map_or(Ok(()), |r| r.into_result(policy))
        })
        .collect())
}

/// The one outcome of a bulk call made with one item.
pub(crate) fn one_result(mut results: Vec<Result<(), Error>>) -> Result<(), Error> {
    results
        .pop()
        .unwrap_or_else(|| Err(Error::protocol("no result for the one item sent")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::caller::Serves;

    const SB: Facade = Facade {
        name: "SecretBackends",
        versions: &[1],
        serves: Serves::Controller,
        redaction: &Redaction::NONE,
    };
    const MC: Facade = Facade {
        name: "ModelConfig",
        ..SB
    };

    fn results(json: &str) -> ErrorResults {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn merging_keeps_local_refusals_in_place_and_names_the_facade() {
        let local = Error::invalid("bad name");
        let merged = merge_results(
            vec![Ok(()), Err(local), Ok(())],
            Some(results(
                r#"{"results":[{},{"error":{"message":"boom","code":"not found"}}]}"#,
            )),
            &SB,
            "AddSecretBackends",
        )
        .unwrap();
        assert!(merged[0].is_ok());
        assert_eq!(merged[1].as_ref().unwrap_err().message(), "bad name");
        let e = merged[2].as_ref().unwrap_err();
        assert_eq!((e.message(), e.code()), ("boom", Some(ErrorCode::NotFound)));
        let e = merge_results(
            vec![Ok(())],
            Some(results(r#"{"results":[]}"#)),
            &MC,
            "SetModelSecretBackend",
        )
        .unwrap_err();
        assert_eq!(
            e.message(),
            "ModelConfig.SetModelSecretBackend: expected 1 results, got 0"
        );
    }

    #[test]
    fn empty_errors_are_successes() {
        let r: ErrorResult = serde_json::from_str(r#"{"error":{"message":"","code":""}}"#).unwrap();
        assert!(r.into_result(&Redaction::NONE).is_ok());
        let s: StringResult = serde_json::from_str(r#"{"result":"auto"}"#).unwrap();
        assert_eq!(s.into_result(&Redaction::NONE).unwrap(), "auto");
    }
}
