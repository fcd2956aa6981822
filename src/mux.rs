//! Many calls in flight on one connection, as Juju serves them (each request of a connection
//! runs concurrently on the controller and its reply comes back whenever it is ready,
//! matched by `request-id`; Go's `rpc/client.go` does the same), and the keepalive.
//!
//! There is no reader thread. Each caller writes its own request under the stream's lock;
//! then whichever caller is waiting becomes the *reader* for everyone. It receives bytes
//! from the socket with a blocking `recv` on a second handle of it, holding no lock that
//! anyone else needs (the kernel's socket may be read by one thread while another writes);
//! then it takes the stream's lock, hands the bytes to the stream, and decrypts and decodes
//! what they complete. OpenSSL's `SSL` is only ever used under the stream's lock, and there
//! it reads only those handed-in bytes (`WouldBlock` when they run out), so no thread ever
//! sits in a blocking TLS read holding the stream. Bytes OpenSSL or the WebSocket buffered
//! are always drained before the reader receives again. The reader hands other callers
//! their replies; when its own comes, it passes the role to a waiting caller. A single
//! caller is its own reader: no thread hand-off, and the same two system calls per call
//! (send, recv) as a connection used by one thread.

use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::thread;
use std::time::{Duration, Instant};

use log::{Level, debug, log_enabled, trace, warn};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind};
use crate::redact::Redaction;
use crate::rpc::{Call, CallError, Decoded, RpcConn, Trace, broken, decode_reply};
use crate::transport::recv_within;
use crate::util::Signal;

/// Why a connection can no longer be used.
#[derive(Debug, Clone)]
pub(crate) struct Gone {
    pub(crate) why: String,
    /// Closed by `close()`, not broken.
    pub(crate) by_user: bool,
}

struct Waiter {
    id: u64,
    trace: Trace,
    reply: Option<Vec<u8>>,
}

impl State {
    fn waiter(&mut self, id: u64) -> Option<&mut Waiter> {
        self.waiting.iter_mut().find(|w| w.id == id)
    }

    fn forget(&mut self, id: u64) {
        if let Some(i) = self.waiting.iter().position(|w| w.id == id) {
            self.waiting.swap_remove(i);
        }
    }
}

struct State {
    next_id: u64,
    /// Calls waiting for a reply, with what their replies' traces may show, and the reply
    /// once the reader has it.
    /// A short list: as many entries as threads calling, searched faster than hashed.
    waiting: Vec<Waiter>,
    /// A caller is reading for everyone.
    reader: bool,
    gone: Option<Gone>,
    /// Callers asleep on `replies`: without any, nobody is woken (a futex wake is a
    /// system call, a measurable share of a loopback round trip).
    sleepers: usize,
}

/// One logged-in connection that any number of threads call on at once.
pub(crate) struct Mux {
    stream: Mutex<RpcConn>,
    state: Mutex<State>,
    replies: Condvar,
    /// A second handle on the socket: the reader receives on it without the stream's lock,
    /// and it is shut down to wake a reader when the connection breaks or closes.
    poll_fd: TcpStream,
    /// The reader's receive buffer and the socket's receive timeout as last set.
    inbox: Mutex<Inbox>,
    /// Set once the connection is gone: a writer checks it under the stream's lock.
    dead: AtomicBool,
    born: Instant,
    /// When a message last arrived, in milliseconds since `born`: the keepalive pings only
    /// an idle connection.
    last_read_ms: AtomicU64,
    /// Tells the keepalive thread to end, at once.
    stop: Arc<Signal>,
}

/// How long `close()` waits for a thread that holds the stream for a moment (a reader
/// decoding, a writer handing a request to the socket) before shutting the socket down
/// under it instead.
const CLOSE_QUEUE: Duration = Duration::from_millis(20);

struct Inbox {
    buf: Box<[u8]>,
    armed: Option<Duration>,
}

impl Mux {
    /// Takes over a logged-in connection.
    pub(crate) fn new(conn: RpcConn) -> Result<Arc<Mux>, Error> {
        let next_id = conn.next_id();
        let (conn, poll_fd) = conn.into_shared().map_err(|e| {
            Error::new(
                ErrorKind::Connect,
                format!("cannot share the connection: {e}"),
            )
        })?;
        Ok(Arc::new(Mux {
            stream: Mutex::new(conn),
            state: Mutex::new(State {
                next_id,
                waiting: Vec::new(),
                reader: false,
                gone: None,
                sleepers: 0,
            }),
            replies: Condvar::new(),
            poll_fd,
            inbox: Mutex::new(Inbox {
                buf: vec![0; 16 * 1024 + 5].into_boxed_slice(),
                armed: None,
            }),
            dead: AtomicBool::new(false),
            born: Instant::now(),
            last_read_ms: AtomicU64::new(0),
            stop: Arc::default(),
        }))
    }

    fn lock_state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_stream(&self) -> MutexGuard<'_, RpcConn> {
        self.stream.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Why the connection can no longer be used, if it cannot.
    pub(crate) fn gone(&self) -> Option<Gone> {
        if !self.dead.load(Ordering::Acquire) {
            return None;
        }
        self.lock_state().gone.clone()
    }

    /// Makes one call and decodes its `response` into `R`, all before its deadline, while
    /// other threads make theirs.
    pub(crate) fn call<P, R>(&self, call: &Call<'_, P>) -> Result<R, CallError>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let started = Instant::now();
        let what = || call.what();
        let (deadline, timeout, trace) = (call.deadline, call.timeout, call.trace);
        let id = {
            let mut st = self.lock_state();
            if let Some(g) = &st.gone {
                return Err(CallError::NotSent(not_connected(&what(), g)));
            }
            let id = st.next_id;
            st.next_id += 1;
            st.waiting.push(Waiter {
                id,
                trace,
                reply: None,
            });
            id
        };
        let unwinding = Unwinding { mux: self, id };
        let result = self
            .send(call, id)
            .and_then(|()| self.await_reply::<R>(id, deadline, timeout, trace, &what));
        drop(unwinding);
        if result.is_err() {
            self.lock_state().forget(id);
        }
        call.finish(id, started, result)
    }

    fn send<P: Serialize + ?Sized>(&self, call: &Call<'_, P>, id: u64) -> Result<(), CallError> {
        let what = || call.what();
        let mut conn = self.lock_stream();
        conn.encode(call, id)?;
        // The wait for the stream may have used the deadline up.
        call.too_late()?;
        if self.dead.load(Ordering::Acquire) {
            drop(conn);
            let g = self.lock_state().gone.clone();
            let g = g.unwrap_or_else(|| Gone {
                why: "the connection is gone".into(),
                by_user: false,
            });
            return Err(CallError::NotSent(not_connected(&what(), &g)));
        }
        if let Err(e) = conn.send_encoded(call.deadline) {
            drop(conn);
            // Part of the frame may be on the wire: the stream can no longer be trusted.
            // A close() meanwhile (it shuts the socket down under a stalled write) is the
            // better explanation.
            let error = match self.gone() {
                Some(g) if g.by_user => lost(&what(), &g),
                _ => broken(&what(), &e),
            };
            self.break_with(error.message());
            return Err(CallError::Broken { error, sent: true });
        }
        Ok(())
    }

    fn await_reply<R: DeserializeOwned>(
        &self,
        id: u64,
        deadline: Instant,
        timeout: Duration,
        trace: Trace,
        what: &dyn Fn() -> String,
    ) -> Result<R, CallError> {
        let mut st = self.lock_state();
        loop {
            if let Some(msg) = st.waiter(id).and_then(|w| w.reply.take()) {
                st.forget(id);
                drop(st);
                return match decode_reply::<R>(&msg, id, trace, what) {
                    Decoded::Mine(r) => r.map_err(CallError::Usable),
                    // The reader checked the id; nothing else can come here.
                    Decoded::Other(_) | Decoded::Garbage(_) => Err(CallError::Usable(
                        Error::protocol(format!("{}: a reply that does not decode", what())),
                    )),
                };
            }
            if let Some(g) = &st.gone {
                let error = lost(&what(), g);
                return Err(CallError::Broken { error, sent: true });
            }
            if !st.reader {
                st.reader = true;
                drop(st);
                // Hands the role on however reading ends, a panic included (a caller's own
                // `Deserialize` may panic while it decodes): otherwise every other caller
                // would sleep until its deadline, waiting for a reader that is gone.
                let _reading = Reading { mux: self, id };
                return self.read_for_all::<R>(id, deadline, timeout, trace, what);
            }
            let Some(left) = crate::util::remaining(deadline) else {
                return Err(CallError::Usable(Error::timeout(&what(), timeout)));
            };
            st.sleepers += 1;
            st = self
                .replies
                .wait_timeout(st, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            st.sleepers -= 1;
        }
    }

    /// Reads for every caller until our own reply comes, the deadline passes or the
    /// connection breaks. The stream's lock is held only while reading what is there.
    fn read_for_all<R: DeserializeOwned>(
        &self,
        id: u64,
        deadline: Instant,
        timeout: Duration,
        trace: Trace,
        what: &dyn Fn() -> String,
    ) -> Result<R, CallError> {
        loop {
            {
                let mut conn = self.lock_stream();
                loop {
                    // A read that would find nothing costs OpenSSL an error path: skip it.
                    if conn.drained() {
                        break;
                    }
                    let msg = match conn.read_now(deadline) {
                        Ok(m) => m,
                        // Nothing more fed: receive from the socket.
                        Err(e) if e.is_timeout() => break,
                        Err(e) => {
                            drop(conn);
                            return Err(self.fail_all(what, &e));
                        }
                    };
                    self.last_read_ms
                        .store(self.born.elapsed().as_millis() as u64, Ordering::Relaxed);
                    match decode_reply::<R>(msg, id, trace, what) {
                        Decoded::Mine(r) => {
                            trace_reply(msg, trace);
                            return r.map_err(CallError::Usable);
                        }
                        Decoded::Other(other) => {
                            let msg = msg.to_vec();
                            self.deliver(other, msg);
                        }
                        Decoded::Garbage(error) => {
                            trace_reply(msg, &Redaction::GENERIC);
                            drop(conn);
                            self.break_with(error.message());
                            return Err(CallError::Broken { error, sent: true });
                        }
                    }
                }
            }
            if let Some(g) = self.gone() {
                return Err(CallError::Broken {
                    error: lost(&what(), &g),
                    sent: true,
                });
            }
            // Wait for bytes without the stream: writers go ahead meanwhile.
            let mut inbox = self.inbox.lock().unwrap_or_else(|e| e.into_inner());
            let Inbox { buf, armed } = &mut *inbox;
            let dead = || self.dead.load(Ordering::Acquire);
            match recv_within(&self.poll_fd, buf, armed, deadline, &dead) {
                Ok(Some(0)) => {
                    drop(inbox);
                    return Err(self.fail_all(what, &crate::websocket::WsError::Closed(None)));
                }
                Ok(Some(n)) => self.lock_stream().feed(&buf[..n]),
                Ok(None) => return Err(CallError::Usable(Error::timeout(&what(), timeout))),
                Err(e) => {
                    drop(inbox);
                    let error = match self.gone() {
                        Some(g) => lost(&what(), &g),
                        None => Error::closed(format!("{}: connection lost: {e}", what())),
                    };
                    self.break_with(error.message());
                    return Err(CallError::Broken { error, sent: true });
                }
            }
        }
    }

    /// Hands a reply to the caller waiting for it; a reply nobody waits for (the late
    /// answer to a call that timed out) is dropped.
    fn deliver(&self, id: u64, msg: Vec<u8>) {
        let mut st = self.lock_state();
        match st.waiter(id) {
            Some(w) => {
                // Traced under its caller's policy.
                trace_reply(&msg, w.trace);
                w.reply = Some(msg);
                if st.sleepers > 0 {
                    self.replies.notify_all();
                }
            }
            None => {
                drop(st);
                trace_reply(&msg, &Redaction::GENERIC);
                warn!("dropping a reply to request-id {id}, which nobody is waiting for")
            }
        }
    }

    /// The connection broke under the reader: every waiting call fails with it.
    fn fail_all(&self, what: &dyn Fn() -> String, e: &crate::websocket::WsError) -> CallError {
        let error = broken(&what(), e);
        self.break_with(error.message());
        // A close() meanwhile is the better explanation.
        let error = match self.lock_state().gone.clone() {
            Some(g) if g.by_user => lost(&what(), &g),
            _ => error,
        };
        CallError::Broken { error, sent: true }
    }

    /// Marks the connection unusable (the first reason wins), fails every waiting call at
    /// once and wakes a reader out of its poll.
    pub(crate) fn break_with(&self, why: &str) {
        self.mark_gone(Gone {
            why: why.to_string(),
            by_user: false,
        });
        let _ = self.poll_fd.shutdown(std::net::Shutdown::Both);
    }

    fn mark_gone(&self, gone: Gone) {
        {
            let mut st = self.lock_state();
            if st.gone.is_none() {
                st.gone = Some(gone);
            }
            self.dead.store(true, Ordering::Release);
            self.replies.notify_all();
        }
        self.stop.set();
    }

    /// Closes the connection: calls in flight fail at once; then a WebSocket close (1000),
    /// waiting up to `wait` for the controller's, if the stream is free.
    ///
    /// It never queues behind another thread on the stream: a writer stalled on a
    /// controller that stopped reading holds it until its own deadline. When the stream
    /// stays busy for more than a moment, the socket is shut down instead, with no close
    /// frame, which fails that write at once.
    pub(crate) fn close(&self, wait: Duration) {
        self.mark_gone(Gone {
            why: "the connection was closed by close()".into(),
            by_user: true,
        });
        if let Some(mut conn) = self.try_lock_stream(CLOSE_QUEUE.min(wait)) {
            // A reader receiving on the socket would take the controller's close frame:
            // then do not wait for it.
            let reading = self.lock_state().reader;
            let wait = if reading { Duration::ZERO } else { wait };
            conn.close(wait);
        }
        let _ = self.poll_fd.shutdown(std::net::Shutdown::Both);
    }

    /// The stream, if no other thread holds it for longer than `patience`.
    fn try_lock_stream(&self, patience: Duration) -> Option<MutexGuard<'_, RpcConn>> {
        let until = crate::util::deadline_after(patience);
        loop {
            match self.stream.try_lock() {
                Ok(conn) => return Some(conn),
                Err(std::sync::TryLockError::Poisoned(p)) => return Some(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
            crate::util::remaining(until)?;
            thread::sleep(Duration::from_millis(1));
        }
    }

    /// How long since a message last arrived (or the connection was made).
    fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_read_ms.load(Ordering::Relaxed));
        self.born.elapsed().saturating_sub(last)
    }
}

/// The role of reader, held by one caller: dropping it (on return or unwind) lets go of the
/// role, forgets the caller's call and wakes the others, one of which reads next.
struct Reading<'a> {
    mux: &'a Mux,
    id: u64,
}

impl Drop for Reading<'_> {
    fn drop(&mut self) {
        let mut st = self.mux.lock_state();
        st.reader = false;
        st.forget(self.id);
        if st.sleepers > 0 {
            self.mux.replies.notify_all();
        }
    }
}

/// Forgets a call whose caller unwinds (its parameters' `Serialize` or its reply type's
/// `Deserialize` panicked), so that a reply for it is not kept waiting for nobody.
struct Unwinding<'a> {
    mux: &'a Mux,
    id: u64,
}

impl Drop for Unwinding<'_> {
    fn drop(&mut self) {
        if thread::panicking() {
            self.mux.lock_state().forget(self.id);
        }
    }
}

impl Drop for Mux {
    fn drop(&mut self) {
        self.stop.set();
        // Best effort: say goodbye, do not wait.
        self.stream
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .close(Duration::ZERO);
    }
}

/// Starts the keepalive: while the connection is idle, `Pinger.Ping` every `interval` (Go's
/// `api.PingPeriod`, 1 minute, in `api/apiclient.go`), each bounded by `ping_timeout` (Go's
/// `pingTimeout`, 30 s). A ping that fails or times out marks the connection broken. The
/// thread holds only a weak reference, ends when the connection closes, breaks or is
/// dropped, and (like every Rust thread) does not keep the process alive.
pub(crate) fn start_keepalive(
    mux: &Arc<Mux>,
    interval: Duration,
    version: u32,
    ping_timeout: Duration,
) {
    let weak: Weak<Mux> = Arc::downgrade(mux);
    let stop = mux.stop.clone();
    let spawned = thread::Builder::new()
        .name("juju-keepalive".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            loop {
                let wait = match weak.upgrade() {
                    Some(m) => interval.saturating_sub(m.idle_for()),
                    None => return,
                };
                if stop.wait(wait.max(Duration::from_millis(1))) {
                    return;
                }
                let Some(m) = weak.upgrade() else { return };
                if m.idle_for() < interval {
                    continue;
                }
                let deadline = crate::util::deadline_after(ping_timeout);
                let r = m.call::<_, serde::de::IgnoredAny>(&Call {
                    facade: "Pinger",
                    version,
                    method: "Ping",
                    params: &serde_json::json!({}),
                    deadline,
                    timeout: ping_timeout,
                    trace: &Redaction::NONE,
                });
                match r {
                    Ok(_) => {}
                    // An error reply still came from a live controller.
                    Err(CallError::Usable(e)) if e.kind() == ErrorKind::Api => {}
                    Err(e) => {
                        let e = e.into_error();
                        debug!("keepalive: the ping failed, the connection is broken");
                        m.break_with(&format!("keepalive ping failed: {}", e.message()));
                        return;
                    }
                }
            }
        });
    if let Err(e) = spawned {
        warn!("keepalive: cannot start its thread: {e}");
    }
}

fn trace_reply(msg: &[u8], trace: Trace) {
    if log_enabled!(Level::Trace) {
        trace!("<- {}", trace.json(msg));
    }
}

fn not_connected(what: &str, g: &Gone) -> Error {
    Error::closed(format!(
        "{what}: not connected ({}); call reconnect()",
        g.why
    ))
}

fn lost(what: &str, g: &Gone) -> Error {
    Error::closed(format!("{what}: connection lost: {}", g.why))
}
