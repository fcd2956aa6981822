//! Certificates for the fake controller: a CA made at start, and a server certificate it
//! signs for Juju's names (not the IP address), as a real controller's.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// The names a Juju controller certificate always carries.
pub(crate) const CONTROLLER_NAMES: &[&str] =
    &["juju-apiserver", "juju-mongodb", "localhost", "anything"];

/// A CA and a server certificate signed by it, all PEM.
#[allow(
    clippy::struct_field_names,
    reason = "the suffix says the text is PEM, the form the TLS and client APIs take"
)]
pub(crate) struct Certs {
    pub(crate) ca_pem: String,
    pub(crate) server_cert_pem: String,
    pub(crate) server_key_pem: String,
}

fn fail(e: rcgen::Error) -> crate::Error {
    crate::Error::invalid(format!("fake controller: cannot make certificates: {e}"))
}

/// Makes a CA named like Juju's and a server certificate for `names`; `expired` dates the
/// server certificate in the past.
pub(crate) fn generate(names: &[String], expired: bool) -> Result<Certs, crate::Error> {
    let ca_key = KeyPair::generate().map_err(fail)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CommonName,
        "juju-generated CA for model \"juju-ca\"",
    );
    dn.push(DnType::OrganizationName, "juju");
    ca.distinguished_name = dn;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key).map_err(fail)?;
    let issuer = Issuer::new(ca, ca_key);

    let server_key = KeyPair::generate().map_err(fail)?;
    let mut server = CertificateParams::new(names.to_vec()).map_err(fail)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "*");
    dn.push(DnType::OrganizationName, "juju");
    server.distinguished_name = dn;
    if expired {
        server.not_before = rcgen::date_time_ymd(2020, 1, 1);
        server.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let server_cert = server.signed_by(&server_key, &issuer).map_err(fail)?;
    Ok(Certs {
        ca_pem: ca_cert.pem(),
        server_cert_pem: server_cert.pem(),
        server_key_pem: server_key.serialize_pem(),
    })
}
