//! `ListSecrets`: the filters, orders and reveals of each version (reference §5.1).

use std::collections::BTreeMap;

use super::params::Filter;
use super::store::{
    Env, Listed, ModelSecrets, Revision, Rules, Secret, Store, not_found, valid_application_name,
};
use super::uri::{self, Uri, go_quote};
use crate::testing::wire::RpcErr;

impl Store {
    /// `ListSecrets` (permissions already checked).
    pub(crate) fn list<'a>(
        &'a self,
        env: &Env,
        filter: &Filter,
        reveal: bool,
    ) -> Result<Vec<Listed<'a>>, RpcErr> {
        static EMPTY: std::sync::OnceLock<ModelSecrets> = std::sync::OnceLock::new();
        let m = self
            .model(env.model_uuid)
            .unwrap_or_else(|| EMPTY.get_or_init(ModelSecrets::default));
        let uri = filter.uri.as_deref().map(uri::parse).transpose()?;
        if env.v4() {
            list_40(env, m, uri, filter, reveal)
        } else {
            list_3(env, m, uri, filter, reveal)
        }
    }
}

fn list_3<'a>(
    env: &Env,
    m: &'a ModelSecrets,
    uri: Option<Uri>,
    filter: &Filter,
    reveal: bool,
) -> Result<Vec<Listed<'a>>, RpcErr> {
    let owner = filter.owner_tag.as_deref().map(parse_tag).transpose()?;
    // 3.1 and 3.2 have no label filter.
    let label = filter
        .label
        .as_deref()
        .filter(|_| env.rules == Rules::Juju36);
    let found = m.secrets.iter().filter(|s| {
        uri.as_ref().is_none_or(|u| u.id == s.id)
            && label.is_none_or(|l| l == s.label)
            && owner
                .as_ref()
                .is_none_or(|t| *t == s.owner.tag(env.model_uuid))
    });
    let mut out = Vec::new();
    for s in found {
        let revisions: Vec<&Revision> = match filter.revision {
            None => {
                // Sorted by document id, `<id>/<n>`, as strings: 10 before 2.
                let mut all: Vec<&Revision> = s.revisions.iter().collect();
                all.sort_by_key(|r| r.n.to_string());
                all
            }
            Some(n) => vec![s.revision(n).ok_or_else(|| {
                not_found(format!(
                    "revison {n} for secret {}",
                    go_quote(&format!("secret:{}", s.id))
                ))
            })?],
        };
        out.push(listed(env, s, revisions, filter.revision, reveal));
    }
    Ok(out)
}

fn list_40<'a>(
    env: &Env,
    m: &'a ModelSecrets,
    uri: Option<Uri>,
    filter: &Filter,
    reveal: bool,
) -> Result<Vec<Listed<'a>>, RpcErr> {
    let owner = match filter.owner_tag.as_deref() {
        None => None,
        Some(t) => {
            let tag = parse_tag(t)?;
            let kind = tag.split_once('-').map_or("", |(k, _)| k);
            if kind != "application" && kind != "unit" {
                return Err(RpcErr::new(
                    format!("secret owner tag kind {} not valid", go_quote(kind)),
                    "not valid",
                ));
            }
            Some(tag)
        }
    };
    // GROUP BY secret_id: in id order.
    let mut sorted: Vec<&Secret> = m.secrets.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let all_revisions = |s: &'a Secret| s.revisions.iter().collect::<Vec<_>>();
    let mut picked: Vec<(&Secret, Vec<&Revision>)> = Vec::new();
    if let Some(owner) = owner {
        // `ListCharmSecrets`: the owner alone decides; the other filters are not used.
        for s in sorted {
            if s.owner.tag(env.model_uuid) == owner {
                picked.push((s, all_revisions(s)));
            }
        }
    } else if uri.is_some() && filter.label.is_some() {
        return Err(RpcErr::new("cannot specify both URI and labels", ""));
    } else if let Some(u) = uri {
        // `GetSecretByURI` (`domain/secret/state/state.go`).
        let wrap = |e: String| format!("getting secret by URI {}: {e}", go_quote(&u.id));
        let Some(s) = sorted.iter().find(|s| s.id == u.id) else {
            return Err(match filter.revision {
                Some(n) => RpcErr::new(
                    wrap(format!(
                        "secret revision {n} for {} not found",
                        u.go_value_s()
                    )),
                    "secret revision not found",
                ),
                None => RpcErr::new(
                    wrap(format!(
                        "querying secrets: secret {} not found",
                        u.go_value_q()
                    )),
                    "secret not found",
                ),
            });
        };
        let revisions = match filter.revision {
            None => all_revisions(s),
            Some(n) => vec![s.revision(n).ok_or_else(|| {
                RpcErr::new(
                    wrap(format!(
                        "secret revision {n} for {} not found",
                        u.go_value_s()
                    )),
                    "secret revision not found",
                )
            })?],
        };
        picked.push((s, revisions));
    } else if let Some(label) = &filter.label {
        // `ListSecretsByLabels`: a secret without the asked-for revision is left out.
        for s in sorted.into_iter().filter(|s| s.label == *label) {
            match filter.revision {
                None => picked.push((s, all_revisions(s))),
                Some(n) => {
                    if let Some(r) = s.revision(n) {
                        picked.push((s, vec![r]));
                    }
                }
            }
        }
    } else if filter.revision.is_some() {
        return Err(RpcErr::new(
            "cannot specify revision without URI or labels",
            "",
        ));
    } else {
        picked = sorted.into_iter().map(|s| (s, all_revisions(s))).collect();
    }
    Ok(picked
        .into_iter()
        .map(|(s, revs)| listed(env, s, revs, filter.revision, reveal))
        .collect())
}

fn listed<'a>(
    env: &Env,
    s: &'a Secret,
    revisions: Vec<&'a Revision>,
    revision: Option<i64>,
    reveal: bool,
) -> Listed<'a> {
    let latest = s.latest(env.rules);
    let value = reveal.then(|| reveal_content(env, s, revision.unwrap_or(latest)));
    Listed {
        secret: s,
        latest,
        revisions: revisions
            .into_iter()
            .map(|r| (r, env.backend_name(&r.backend_id)))
            .collect(),
        value,
    }
}

/// The content of revision `n` for a reveal, or the per-secret error (reference §5.1).
fn reveal_content<'a>(
    env: &Env,
    s: &'a Secret,
    n: i64,
) -> Result<&'a BTreeMap<String, String>, RpcErr> {
    if env.v4() {
        let r = s.revision(n).ok_or_else(|| {
            RpcErr::new(
                format!("secret {} revision {n} not found", s.id),
                "secret revision not found",
            )
        })?;
        if !env.backend_exists(&r.backend_id) {
            return Err(RpcErr::new(
                format!(
                    "external secret backend {} not found, have {}",
                    go_quote(&r.backend_id),
                    env.backends_map_q()
                ),
                "secret backend not found",
            ));
        }
        return Ok(&r.data);
    }
    // 3.x reads the backends' config before anything else (`getBackendInfo`).
    env.active_or_err()?;
    let r = s.revision(n).ok_or_else(|| {
        not_found(format!(
            "secret revision {}",
            go_quote(&format!("{}/{n}", s.id))
        ))
    })?;
    if !env.backend_exists(&r.backend_id) {
        return Err(not_found(format!(
            "external secret backend {}, have {}",
            go_quote(&r.backend_id),
            env.backends_map_q()
        )));
    }
    Ok(&r.data)
}

/// `names.ParseTag` for the kinds a secret owner can be, with its error texts
/// (`github.com/juju/names/v5` `tag.go`); returns the tag.
fn parse_tag(tag: &str) -> Result<String, RpcErr> {
    let invalid = |kind: &str| {
        let what = if kind.is_empty() {
            String::new()
        } else {
            format!("{kind} ")
        };
        RpcErr::new(format!("{} is not a valid {what}tag", go_quote(tag)), "")
    };
    let Some((kind, id)) = tag.split_once('-') else {
        return Err(invalid(""));
    };
    let ok = match kind {
        "model" => crate::util::is_uuid(id) && !id.contains(|c: char| c.is_ascii_uppercase()),
        "application" => valid_application_name(id),
        "unit" => id.rsplit_once('-').is_some_and(|(app, n)| {
            valid_application_name(app) && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
        }),
        "machine" | "user" | "controller" | "cloud" | "cloudcred" | "relation" | "action"
        | "operation" | "storage" | "volume" | "filesystem" | "space" | "subnet"
        | "applicationoffer" | "charm" | "payload" | "ipaddress" => !id.is_empty(),
        _ => return Err(invalid("")),
    };
    if ok {
        Ok(tag.to_string())
    } else {
        Err(invalid(kind))
    }
}
