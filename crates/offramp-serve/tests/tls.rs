//! The service over TLS (`[tls]` in the configuration), with a throwaway certificate for
//! `localhost` and 127.0.0.1: decisions as over plain HTTP, plain HTTP refused on the TLS port,
//! a silent client delaying nobody, and certificate and key problems named by key and file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Instant;

use common::*;
use offramp::{Program, Router};
use offramp_serve::{Config, ServeError, Service};
use tokio_rustls::rustls;

const LEAD: &str = "lead-king-county.toml";

/// A self-signed certificate for `localhost` and 127.0.0.1, written to `temp` as
/// `cert.pem` and `key.pem`; returns the certificate's DER for a client to trust.
fn certificate(temp: &Temp) -> rustls::pki_types::CertificateDer<'static> {
    let made =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    std::fs::write(temp.0.join("cert.pem"), made.cert.pem()).unwrap();
    std::fs::write(temp.0.join("key.pem"), made.signing_key.serialize_pem()).unwrap();
    made.cert.der().clone()
}

const TLS: &str = "[tls]\ncertificate = \"cert.pem\"\nprivate_key = \"key.pem\"\n";

/// A TLS client that trusts only `cert`.
fn client(cert: rustls::pki_types::CertificateDer<'static>) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth(),
    )
}

/// One request over TLS to `addr`, checking the server's name as `localhost`.
fn tls_request(
    config: &Arc<rustls::ClientConfig>,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let session = rustls::ClientConnection::new(Arc::clone(config), name).unwrap();
    let stream = rustls::StreamOwned::new(session, connect(addr));
    exchange(stream, "localhost", method, path, headers, body)
}

#[test]
fn decisions_over_tls_are_the_core_s_and_are_logged() {
    let temp = Temp::new("tls");
    let cert = certificate(&temp);
    let server = start(&temp, &config_text(&temp, &[LEAD], TLS));
    let client = client(cert);
    let router = Router::new(Program::from_file(examples().join("programs").join(LEAD)).unwrap());
    let auth = format!("Bearer {ROUTE_SECRET}");
    let encounters = lead_encounters();
    for e in &encounters {
        let reply = tls_request(
            &client,
            server.address(),
            "POST",
            "/v1/route",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            e.as_bytes(),
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body, core_decision(&router, e) + "\n");
    }
    let health = tls_request(&client, server.address(), "GET", "/healthz", &[], b"");
    assert_eq!(health.status, 200);
    // A token is still needed over TLS.
    let refused = tls_request(&client, server.address(), "GET", "/v1/programs", &[], b"");
    assert_eq!(refused.status, 401);
    drop(server);
    assert_eq!(
        offramp_serve::verify(temp.log()).unwrap().rows,
        i64::try_from(encounters.len()).unwrap()
    );
}

#[test]
fn plain_http_on_the_tls_port_gets_no_answer() {
    let temp = Temp::new("tls-plain");
    let _ = certificate(&temp);
    let server = start(&temp, &config_text(&temp, &[LEAD], TLS));
    let mut stream = connect(server.address());
    use std::io::{Read, Write};
    let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    assert!(
        !raw.starts_with(b"HTTP/1.1 200"),
        "a plain request was answered on the TLS port"
    );
}

#[test]
fn a_client_that_never_finishes_its_handshake_delays_nobody() {
    let temp = Temp::new("tls-silent");
    let cert = certificate(&temp);
    let server = start(&temp, &config_text(&temp, &[LEAD], TLS));
    let client = client(cert);
    // Connections that say nothing hold a handshake each until its time runs out.
    let silent: Vec<TcpStream> = (0..8).map(|_| connect(server.address())).collect();
    let started = Instant::now();
    let reply = tls_request(&client, server.address(), "GET", "/healthz", &[], b"");
    assert_eq!(reply.status, 200);
    assert!(
        started.elapsed() < offramp_serve::tls::HANDSHAKE_TIMEOUT,
        "a good client waited for the silent ones"
    );
    drop(silent);
}

#[test]
fn a_client_that_does_not_trust_the_certificate_gets_nothing() {
    let temp = Temp::new("tls-untrusted");
    let _ = certificate(&temp);
    let server = start(&temp, &config_text(&temp, &[LEAD], TLS));
    // Trusts another certificate only.
    let other = Temp::new("tls-other");
    let client = client(certificate(&other));
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let session = rustls::ClientConnection::new(client, name).unwrap();
    let mut stream = rustls::StreamOwned::new(session, connect(server.address()));
    use std::io::Write;
    let written = stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .and_then(|()| stream.flush());
    let err = written.expect_err("the handshake must fail");
    assert!(
        err.to_string().contains("invalid peer certificate"),
        "{err}"
    );
}

/// The error a configuration's TLS files give when the service loads.
fn load_error(temp: &Temp, tls: &str) -> String {
    let path = temp.0.join("offramp-serve.toml");
    std::fs::write(&path, config_text(temp, &[LEAD], tls)).unwrap();
    let config = Config::from_file(&path).unwrap();
    match Service::load(&config) {
        Err(e @ ServeError::Tls(_)) => e.to_string().replace(&temp.0.display().to_string(), "DIR"),
        Err(other) => panic!("not a TLS error: {other}"),
        Ok(_) => panic!("loaded"),
    }
}

#[test]
fn certificate_and_key_problems_name_the_key_and_the_file() {
    let temp = Temp::new("tls-errors");
    let _ = certificate(&temp);
    assert_eq!(
        load_error(
            &temp,
            "[tls]\ncertificate = \"missing.pem\"\nprivate_key = \"key.pem\"\n"
        ),
        "tls.certificate: DIR/missing.pem: no such file"
    );
    // A key where the certificate should be.
    assert_eq!(
        load_error(
            &temp,
            "[tls]\ncertificate = \"key.pem\"\nprivate_key = \"key.pem\"\n"
        ),
        "tls.certificate: DIR/key.pem: holds no certificate (expected a PEM block `BEGIN CERTIFICATE`)"
    );
    assert_eq!(
        load_error(
            &temp,
            "[tls]\ncertificate = \"cert.pem\"\nprivate_key = \"cert.pem\"\n"
        ),
        "tls.private_key: DIR/cert.pem: holds no private key (expected a PEM block `BEGIN PRIVATE KEY`, `BEGIN RSA PRIVATE KEY` or `BEGIN EC PRIVATE KEY`)"
    );
    // Another certificate's key.
    let other = Temp::new("tls-errors-other");
    let _ = certificate(&other);
    std::fs::copy(other.0.join("key.pem"), temp.0.join("other-key.pem")).unwrap();
    assert_eq!(
        load_error(
            &temp,
            "[tls]\ncertificate = \"cert.pem\"\nprivate_key = \"other-key.pem\"\n"
        ),
        "tls.private_key: DIR/other-key.pem: does not belong to the certificate in `tls.certificate`"
    );
    // A truncated certificate: the message says what is wrong, not what the file holds.
    let pem = std::fs::read_to_string(temp.0.join("cert.pem")).unwrap();
    let cut = pem.find("-----END").unwrap();
    std::fs::write(temp.0.join("cut.pem"), &pem[..cut]).unwrap();
    assert_eq!(
        load_error(
            &temp,
            "[tls]\ncertificate = \"cut.pem\"\nprivate_key = \"key.pem\"\n"
        ),
        "tls.certificate: DIR/cut.pem: a PEM block has no `END` line"
    );
}

#[test]
fn the_tls_section_is_checked_like_the_rest() {
    let temp = Temp::new("tls-config");
    let path = temp.0.join("offramp-serve.toml");
    std::fs::write(
        &path,
        config_text(&temp, &[LEAD], "[tls]\ncertificate = \"cert.pem\"\n"),
    )
    .unwrap();
    let err = Config::from_file(&path).unwrap_err().to_string();
    assert!(err.contains("missing field `private_key`"), "{err}");
    std::fs::write(
        &path,
        config_text(&temp, &[LEAD], &format!("{TLS}key_password = \"x\"\n")),
    )
    .unwrap();
    let err = Config::from_file(&path).unwrap_err().to_string();
    assert!(err.contains("unknown field `key_password`"), "{err}");
    // Paths are taken from the configuration's folder.
    std::fs::write(&path, config_text(&temp, &[LEAD], TLS)).unwrap();
    let config = Config::from_file(&path).unwrap();
    let files = config.tls.unwrap();
    assert_eq!(files.certificate, temp.0.join("cert.pem"));
    assert_eq!(files.private_key, temp.0.join("key.pem"));
}
