//! What every handle has: the public methods `Controller` and `Model` share (reconnect,
//! close, ping, generic calls, accessors), written once over their connection core.

/// The public methods every kind of connection has, written once: `Controller` and
/// `Model` are wrappers over a [`Connection`](crate::connection::Connection) in their `conn` field, and get these as inherent
/// methods (no trait to import). `$v` names the handle in the examples.
macro_rules! connection_methods {
    ($ty:ident, $v:literal) => {
        impl $ty {
            #[doc = concat!(
                "Dials again and logs in with the same options, then lets go of the old \
                 connection (if any): later calls use the new one; calls already in flight \
                 finish, or fail, on the old one, which closes when the last of them is done.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n\
                 if let Err(e) = ", $v, ".ping() {\n    if e.is_connection_closed() {\n        ",
                 $v, ".reconnect()?;\n    }\n}\n# Ok(()) }\n```"
            )]
            ///
            /// # Errors
            ///
            /// The same as `connect`'s: the old connection is kept if the new one cannot be
            /// made.
            pub fn reconnect(&self) -> Result<(), crate::Error> {
                self.conn.reconnect()
            }

            #[doc = concat!(
                "Closes the connection: calls still in flight on other threads fail at once \
                 (connection closed; a change's outcome unknown), then a WebSocket close (1000) is \
                 sent and the controller's awaited briefly (at most \
                 `min(1 s, call_timeout)`). It never waits for another thread's write: if one \
                 holds the connection (say, a large request to a controller that stopped \
                 reading), the socket is shut down under it instead, without a close frame, and \
                 that call fails at once too. Later calls fail with \
                 [`Error::is_connection_closed`](crate::Error::is_connection_closed) until \
                 [`reconnect`](Self::reconnect). Closing twice is fine. Dropping the handle \
                 closes it too, without waiting.\n\n```no_run\n\
                 # fn f(", $v, ": juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n",
                 $v, ".close()?;\n# Ok(()) }\n```"
            )]
            ///
            /// # Errors
            ///
            /// None in practice: closing an already closed connection is `Ok`.
            pub fn close(&self) -> Result<(), crate::Error> {
                self.conn.close()
            }

            #[doc = concat!(
                "Calls `Pinger.Ping`: a cheap check that the connection is alive.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n",
                 $v, ".ping()?;\n# Ok(()) }\n```"
            )]
            ///
            /// # Errors
            ///
            /// [`Error::is_connection_closed`](crate::Error::is_connection_closed) when the
            /// connection is gone, [`Error::is_timeout`](crate::Error::is_timeout) when no
            /// answer came within `call_timeout`.
            pub fn ping(&self) -> Result<(), crate::Error> {
                crate::pinger::Client::new(&self.conn).ping()
            }

            #[doc = concat!(
                "True when calls cannot succeed without [`reconnect`](Self::reconnect): the \
                 connection was lost (by a call, or a keepalive ping that failed or got no \
                 answer) or closed. Cheap: no round trip.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n\
                 if ", $v, ".is_broken() {\n    ", $v, ".reconnect()?;\n}\n# Ok(()) }\n```"
            )]
            pub fn is_broken(&self) -> bool {
                self.conn.is_broken()
            }

            #[doc = concat!(
                "Calls any facade method at the best version both sides speak, and decodes the \
                 `response` into `R`. Use `serde_json::Value` for `R` to see the raw reply.\n\n\
                 A facade the controller does not offer on this connection fails here, without \
                 touching the wire, with code `not supported`; so does `ModelConfig` on a \
                 controller connection, which Juju would apply to the controller model (open the \
                 model with [`Controller::open_model`](crate::Controller::open_model)). For a facade not in this client's \
                 table ([`CLIENT_FACADES`](crate::CLIENT_FACADES)), the controller's highest \
                 version is used.\n\n\
                 This crate cannot tell whether an arbitrary method changes anything, so it \
                 assumes it might: if the reply is lost after the request was sent, the error \
                 says the outcome is unknown \
                 ([`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown)). Its \
                 parameters and reply are traced as sizes only.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n\
                 let reply: serde_json::Value = ", $v, ".call(\"Pinger\", \"Ping\", &serde_json::json!({}))?;\n\
                 # Ok(()) }\n```"
            )]
            ///
            /// # Errors
            ///
            /// Code `not supported` for a facade not offered on this connection (nothing
            /// sent); the controller's own code and text for what it refuses;
            /// [`Error::is_timeout`](crate::Error::is_timeout),
            /// [`Error::is_connection_closed`](crate::Error::is_connection_closed) and
            /// [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown) for a reply
            /// that did not come; kind `Protocol` for a reply that does not decode into
            /// `R`.
            pub fn call<P, R>(&self, facade: &str, method: &str, params: &P) -> Result<R, crate::Error>
            where
                P: serde::Serialize + ?Sized,
                R: serde::de::DeserializeOwned,
            {
                self.check_generic(facade)?;
                let version = self
                    .conn
                    .require_version(facade, crate::facades::client_versions(facade))?;
                self.conn.call_generic(facade, version, method, params)
            }

            #[doc = concat!(
                "Calls a facade method at an explicit version, with no local check: whatever the \
                 controller answers comes back (for example `unknown version (9) of interface \
                 \"X\"`). Like [`call`](Self::call), a lost reply is reported as of unknown \
                 outcome.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") -> Result<(), juju_client::Error> {\n\
                 let _: serde_json::Value = ", $v, ".call_at(\"Pinger\", 1, \"Ping\", &serde_json::json!({}))?;\n\
                 # Ok(()) }\n```"
            )]
            ///
            /// # Errors
            ///
            /// As [`call`](Self::call), except that no facade check is made locally.
            pub fn call_at<P, R>(
                &self,
                facade: &str,
                version: u32,
                method: &str,
                params: &P,
            ) -> Result<R, crate::Error>
            where
                P: serde::Serialize + ?Sized,
                R: serde::de::DeserializeOwned,
            {
                self.conn.call_generic(facade, version, method, params)
            }

            #[doc = concat!(
                "The Juju version of the controller, e.g. `3.6.26`.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 if ", $v, ".server_version().starts_with(\"3.\") { /* ... */ }\n# }\n```"
            )]
            pub fn server_version(&self) -> String {
                self.conn.server_version()
            }

            #[doc = concat!(
                "The controller's UUID (from its `controller-tag`).\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 println!(\"{}\", ", $v, ".controller_uuid());\n# }\n```"
            )]
            pub fn controller_uuid(&self) -> String {
                self.conn.controller_uuid()
            }

            #[doc = concat!(
                "The logged-in identity, as the controller names it (e.g. `user-admin`).\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 assert_eq!(", $v, ".user(), \"user-admin\");\n# }\n```"
            )]
            pub fn user(&self) -> String {
                self.conn.user()
            }

            #[doc = concat!(
                "The facades the controller offers on this connection, name → versions.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 let has_pinger = ", $v, ".facades().contains_key(\"Pinger\");\n# }\n```"
            )]
            pub fn facades(&self) -> std::collections::BTreeMap<String, Vec<u32>> {
                self.conn.facades()
            }

            #[doc = concat!(
                "The controller's API addresses as `host:port` (IPv6 bracketed), all machines.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 for addr in ", $v, ".servers() { println!(\"{addr}\"); }\n# }\n```"
            )]
            pub fn servers(&self) -> Vec<String> {
                self.conn.servers()
            }

            #[doc = concat!(
                "The controller's public DNS name, when it has one (`public-dns-name` in its \
                 config).\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 if let Some(name) = ", $v, ".public_dns_name() { println!(\"reachable as {name}\"); }\n# }\n```"
            )]
            pub fn public_dns_name(&self) -> Option<String> {
                self.conn.public_dns_name()
            }

            #[doc = concat!(
                "The endpoint this connection was made to.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 println!(\"connected via {}\", ", $v, ".endpoint());\n# }\n```"
            )]
            pub fn endpoint(&self) -> String {
                self.conn.endpoint()
            }

            #[doc = concat!(
                "The version of `name` this client will use: the highest both sides speak, or \
                 `None` when there is none (or the controller does not offer the facade on this \
                 connection). For a facade not in [`CLIENT_FACADES`](crate::CLIENT_FACADES), the \
                 controller's highest version.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 assert_eq!(", $v, ".best_facade_version(\"Pinger\"), Some(1));\n# }\n```"
            )]
            pub fn best_facade_version(&self, name: &str) -> Option<u32> {
                self.conn
                    .best_version(name, crate::facades::client_versions(name))
            }

            #[doc = concat!(
                "The options this connection was made with.\n\n```no_run\n\
                 # fn f(", $v, ": &juju_client::", stringify!($ty), ") {\n\
                 println!(\"{:?}\", ", $v, ".options().get_endpoints());\n# }\n```"
            )]
            pub fn options(&self) -> &crate::ConnectOptions {
                self.conn.options()
            }
        }
    };
}

pub(crate) use connection_methods;
