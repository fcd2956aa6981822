//! Shared by the benchmark's programs: the target fake controller, a bare tungstenite +
//! native-tls client (the limit the SDK is measured against), and peak RSS.
#![allow(dead_code)]

use std::net::TcpStream;

use juju_client::ConnectOptions;
use native_tls::{Certificate, TlsConnector, TlsStream};
use serde_json::Value;
use tungstenite::{Message, WebSocket};

/// A fake controller to connect to, from the benchmark server's JSON line.
#[derive(Clone)]
pub struct Target {
    pub endpoint: String,
    pub ca: String,
    pub password: String,
}

impl Target {
    pub fn from_json(v: &Value) -> Target {
        Target {
            endpoint: v["endpoint"].as_str().unwrap().to_string(),
            ca: v["ca_cert"].as_str().unwrap().to_string(),
            password: v["password"].as_str().unwrap().to_string(),
        }
    }

    pub fn options(&self) -> ConnectOptions {
        ConnectOptions::new()
            .endpoint(self.endpoint.clone())
            .password(self.password.clone())
            .ca_cert(self.ca.clone())
    }
}

pub fn bare_connector(t: &Target) -> TlsConnector {
    TlsConnector::builder()
        .add_root_certificate(Certificate::from_pem(t.ca.as_bytes()).unwrap())
        .disable_built_in_roots(true)
        .build()
        .unwrap()
}

pub struct Bare {
    ws: WebSocket<TlsStream<TcpStream>>,
    next_id: u64,
}

impl Bare {
    /// TCP, TLS, WebSocket and Login, with a connector built beforehand.
    pub fn connect(t: &Target, tls: &TlsConnector) -> Bare {
        Bare::connect_path(t, tls, "/api")
    }

    /// The same on the model `uuid`'s connection (`/model/<uuid>/api`).
    pub fn connect_model(t: &Target, tls: &TlsConnector, uuid: &str) -> Bare {
        Bare::connect_path(t, tls, &format!("/model/{uuid}/api"))
    }

    fn connect_path(t: &Target, tls: &TlsConnector, path: &str) -> Bare {
        let tcp = TcpStream::connect(&t.endpoint).unwrap();
        tcp.set_nodelay(true).unwrap();
        let stream = tls.connect("juju-apiserver", tcp).unwrap();
        let (ws, _) = tungstenite::client(format!("wss://{}{path}", t.endpoint), stream).unwrap();
        let mut b = Bare { ws, next_id: 1 };
        let login = format!(
            r#"{{"type":"Admin","version":3,"request":"Login","params":{{"auth-tag":"user-admin","credentials":"{}","client-version":"3.6.26"}}}}"#,
            t.password
        );
        b.call(&login);
        b
    }

    /// Sends `frame` (without its request-id) and returns the reply's text.
    pub fn call(&mut self, frame_without_id: &str) -> tungstenite::Utf8Bytes {
        let id = self.next_id;
        self.next_id += 1;
        let frame = format!(
            "{},\"request-id\":{id}}}",
            &frame_without_id[..frame_without_id.len() - 1]
        );
        self.ws.send(Message::text(frame)).unwrap();
        loop {
            if let Message::Text(t) = self.ws.read().unwrap() {
                return t;
            }
        }
    }
}

pub const LIST: &str = r#"{"type":"SecretBackends","version":1,"request":"ListSecretBackends","params":{"names":null,"reveal":false}}"#;

/// What `model.list_secrets(&SecretFilter::new(), true)` sends.
pub const LIST_SECRETS_REVEALED: &str = r#"{"type":"Secrets","version":2,"request":"ListSecrets","params":{"show-secrets":true,"filter":{}}}"#;

/// The process's peak resident set size (`VmHWM`), KiB.
pub fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
