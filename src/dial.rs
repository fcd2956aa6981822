//! Opening a logged-in connection: the dial race over a controller's endpoints (staggered,
//! first login wins, all within `connect_timeout`), TLS and the WebSocket upgrade to the
//! target's path through `transport`, `login` on each, and following one redirect. Every
//! kind of connection (controller, model) is opened here; `connection` keeps it afterwards.

use std::sync::Arc;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use log::{debug, info};

use crate::error::{Error, ErrorCode, ErrorKind};
use crate::login::{self, Redirect, Session, Target};
use crate::options::ConnectOptions;
use crate::rpc::RpcConn;
use crate::tags;
use crate::transport::{self, Tls};
use crate::util::Signal;

/// Dials the endpoints (and follows one redirect if asked) and logs in.
pub(crate) fn open(opts: &ConnectOptions, target: &Target) -> Result<(RpcConn, Session), Error> {
    // One deadline for the whole connect, redirect included: `connect_timeout` is the
    // longest a caller waits, however the endpoints behave.
    let deadline = crate::util::deadline_after(opts.connect_timeout);
    match open_endpoints(opts, target, deadline) {
        Err(e) if opts.follow_redirects && e.code() == Some(ErrorCode::Redirect) => {
            let redirect = Redirect::from_error(&e).ok_or(e)?;
            info!("following redirect to {:?}", redirect.servers);
            let mut next = opts.clone().endpoints(redirect.servers.clone());
            next.ca_cert = Some(redirect.ca_cert.clone());
            next.follow_redirects = false;
            // The other controller has its own UUID.
            next.expected_uuid = redirect
                .controller_tag
                .as_deref()
                .map(|t| tags::id("controller", t).to_string());
            open_endpoints(&next, target, deadline).map_err(|e| e.context("following a redirect"))
        }
        other => other,
    }
}

fn open_endpoints(
    opts: &ConnectOptions,
    target: &Target,
    deadline: Instant,
) -> Result<(RpcConn, Session), Error> {
    if opts.endpoints.is_empty() {
        return Err(Error::invalid(
            "connect: no endpoint given (ConnectOptions::endpoint)",
        ));
    }
    for e in &opts.endpoints {
        transport::split_endpoint(e)?;
    }
    opts.check()?;
    let tls = Tls::new(opts)?;
    if opts.endpoints.len() == 1 {
        let ep = &opts.endpoints[0];
        return open_one(ep, opts, target, &tls, deadline)
            .map_err(|e| e.context(format!("connect to {ep}")));
    }
    // Several endpoints: start one dial per endpoint, staggered; the first login wins.
    let (tx, rx) = mpsc::channel();
    let done = Arc::new(Signal::default());
    let timeout = opts.connect_timeout;
    let not_dialled = || {
        Error::new(
            ErrorKind::Connect,
            format!(
                "not dialled before the connect deadline (dial_stagger {:?}, connect_timeout \
                 {timeout:?})",
                opts.dial_stagger
            ),
        )
        .mark_timed_out()
    };
    // Which endpoints' turns come at or after the deadline: they are never dialled.
    let mut cut = Vec::with_capacity(opts.endpoints.len());
    for (i, ep) in opts.endpoints.iter().enumerate() {
        let tx = tx.clone();
        let over = done.clone();
        let opts = opts.clone();
        let tls = tls.clone();
        let ep = ep.clone();
        let target = target.clone();
        // Saturating: `Duration * u32` panics on overflow (a huge stagger, many endpoints).
        let delay = opts
            .dial_stagger
            .saturating_mul(u32::try_from(i).unwrap_or(u32::MAX));
        let left = crate::util::remaining(deadline).unwrap_or(Duration::ZERO);
        let skip = !delay.is_zero() && delay >= left;
        cut.push(skip);
        let not_dialled = not_dialled();
        thread::Builder::new()
            .name(format!("juju-dial-{i}"))
            .spawn(move || {
                // The stagger, but never past the deadline, and not at all once another
                // endpoint has won. A stagger that reaches the deadline leaves this endpoint
                // undialled; one that does not is waited out, and the dial itself reports
                // a deadline passed meanwhile, by stage.
                if over.wait(delay.min(left)) {
                    return;
                }
                let r = if skip {
                    Err(not_dialled)
                } else {
                    open_one(&ep, &opts, &target, &tls, deadline)
                };
                // If nobody listens any more, the connection is dropped here.
                let _ = tx.send((i, r));
            })
            .map_err(|e| {
                done.set();
                Error::new(
                    ErrorKind::Connect,
                    format!("connect: cannot start a dialler thread: {e}"),
                )
            })?;
    }
    drop(tx);
    let mut errors: Vec<Option<Error>> = opts.endpoints.iter().map(|_| None).collect();
    // Every dial ends by the deadline on its own; answers are awaited until then, and for a
    // moment after it, so that a dial that timed out at the deadline can still say where.
    // A dial held up past that (a password prompt that does not return) is not waited for.
    let until = deadline.checked_add(DEADLINE_GRACE).unwrap_or(deadline);
    loop {
        let left = crate::util::remaining(until).unwrap_or(Duration::ZERO);
        match rx.recv_timeout(left) {
            Ok((_, Ok(ok))) => {
                done.set();
                return Ok(ok);
            }
            Ok((i, Err(e))) => {
                debug!("endpoint {} failed: {e}", opts.endpoints[i]);
                errors[i] = Some(e);
            }
            Err(_) => break,
        }
    }
    done.set();
    // Endpoints that have not answered yet: undialled (their waits may end a little late on
    // a loaded machine), or dialled and not done.
    let errors = errors
        .into_iter()
        .zip(cut)
        .map(|(e, skipped)| {
            e.or_else(|| {
                Some(if skipped {
                    not_dialled()
                } else {
                    Error::new(
                        ErrorKind::Connect,
                        format!(
                            "no answer before the connect deadline (connect_timeout {timeout:?})"
                        ),
                    )
                    .mark_timed_out()
                })
            })
        })
        .collect();
    Err(combine(&opts.endpoints, errors))
}

/// How long after the connect deadline the dial race still collects the diallers' answers:
/// each dial ends at the deadline on its own, and this is for its error (which says where
/// it stopped) to arrive, even from a thread a loaded machine schedules late. The race
/// returns as soon as every dialler has answered, so this is waited out only for a dial
/// held up past the deadline (a password prompt that does not return).
const DEADLINE_GRACE: Duration = Duration::from_secs(1);

/// One error naming every endpoint; code and kind come from a controller's answer if any.
fn combine(endpoints: &[String], errors: Vec<Option<Error>>) -> Error {
    let errors: Vec<Error> = errors
        .into_iter()
        .map(|e| e.unwrap_or_else(|| Error::new(ErrorKind::Connect, "not tried")))
        .collect();
    let detail = endpoints
        .iter()
        .zip(&errors)
        .map(|(ep, e)| format!("{ep}: {e}"))
        .collect::<Vec<_>>()
        .join("; ");
    let msg = format!(
        "connect: all {} endpoints failed: {detail}",
        endpoints.len()
    );
    if let Some(api) = errors.iter().find(|e| e.kind() == ErrorKind::Api) {
        return Error::api(msg, api.code(), api.info().cloned());
    }
    let all_timeouts = errors.iter().all(|e| e.is_timeout());
    let e = Error::new(ErrorKind::Connect, msg);
    if all_timeouts { e.mark_timed_out() } else { e }
}

/// Dials one endpoint and logs in, before `deadline`.
fn open_one(
    endpoint: &str,
    opts: &ConnectOptions,
    target: &Target,
    tls: &Tls,
    deadline: Instant,
) -> Result<(RpcConn, Session), Error> {
    let timeout = opts.connect_timeout;
    let started = Instant::now();
    let socket = transport::dial(
        endpoint,
        tls,
        opts.max_message_size,
        &target.path(),
        &opts.client_version,
        &opts.proxy,
        deadline,
        timeout,
    )?;
    let mut conn = RpcConn::new(socket);
    let tag = opts.user_tag();
    let result = match login::login(&mut conn, endpoint, opts, &tag, deadline) {
        Err(e) if e.code() == Some(ErrorCode::Redirect) && Redirect::from_error(&e).is_none() => {
            return Err(login::ask_redirect_info(&mut conn, opts, e, deadline));
        }
        other => other?,
    };
    if let Some(expected) = &opts.expected_uuid {
        let tag = result.controller_tag.as_deref().unwrap_or("");
        let got = tags::id("controller", tag);
        if got != expected {
            let name = opts.controller_name.as_deref().map_or_else(
                || "the controller".to_string(),
                |n| format!("controller {n:?}"),
            );
            return Err(Error::new(
                ErrorKind::Connect,
                format!(
                    "this endpoint is controller {got:?}, but {name} has UUID {expected:?}: \
                     the endpoints point at another controller"
                ),
            ));
        }
    }
    target.check_login(&result)?;
    let facades = result
        .facades
        .iter()
        .flatten()
        .map(|f| (f.name.clone(), f.versions.clone()))
        .collect();
    debug!(
        "logged in to {endpoint} as {tag} in {:?} (Juju {})",
        started.elapsed(),
        result.server_version.as_deref().unwrap_or("?")
    );
    Ok((
        conn,
        Session {
            endpoint: endpoint.to_string(),
            result,
            facades,
        },
    ))
}
