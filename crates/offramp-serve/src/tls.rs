//! TLS for the service when the configuration's `[tls]` names a certificate and its key.
//!
//! The certificate chain and key are PEM files, read once at start (a renewed certificate
//! takes a restart). rustls serves TLS 1.3 and 1.2 with its safe defaults and offers only
//! HTTP/1.1 by ALPN, which is all the service speaks.
//!
//! Handshakes run on tasks of their own, so a slow or silent client delays nobody else's
//! connection: at most [`MAX_HANDSHAKES`] at once, each given [`HANDSHAKE_TIMEOUT`], and a
//! handshake that fails or runs out of time only closes its own connection.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;

/// The most handshakes under way at once; further connections wait to be accepted.
pub const MAX_HANDSHAKES: usize = 256;

/// How long a client has to finish its handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest PEM file read for a certificate chain or a key.
const MAX_PEM_BYTES: u64 = 1 << 20;

/// The files `[tls]` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, PEM, the server's own certificate first (`tls.certificate`).
    pub certificate: PathBuf,
    /// The private key, PEM: PKCS#8, PKCS#1 or SEC1 (`tls.private_key`).
    pub private_key: PathBuf,
}

/// Why TLS cannot be set up. Messages name the configuration key and the file, never the
/// key's bytes.
#[derive(Debug, thiserror::Error)]
#[error("tls.{key}: {}: {message}", path.display())]
pub struct TlsError {
    /// The configuration key: `certificate` or `private_key`.
    pub key: &'static str,
    /// The file it names.
    pub path: PathBuf,
    /// What is wrong with it.
    pub message: String,
    /// The file cannot be read at all (as against read and found wrong).
    unreadable: bool,
}

impl TlsError {
    /// True when the file cannot be read at all (missing, a folder, not permitted), as against
    /// read and found wrong.
    pub fn unreadable(&self) -> bool {
        self.unreadable
    }
}

/// Reads the certificate chain and key and makes the server's TLS settings.
pub(crate) fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let fail = |key, path: &Path, message: String| TlsError {
        key,
        path: path.to_path_buf(),
        message,
        unreadable: false,
    };
    let unreadable = |key, path: &Path| {
        let path = path.to_path_buf();
        move |message| TlsError {
            key,
            path,
            message,
            unreadable: true,
        }
    };
    let cert_pem =
        read_pem(&files.certificate).map_err(unreadable("certificate", &files.certificate))?;
    let chain = certificates(&cert_pem).map_err(|m| fail("certificate", &files.certificate, m))?;
    let key_pem =
        read_pem(&files.private_key).map_err(unreadable("private_key", &files.private_key))?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
        fail(
            "private_key",
            &files.private_key,
            match e {
                rustls_pki_types::pem::Error::NoItemsFound => {
                    "holds no private key (expected a PEM block `BEGIN PRIVATE KEY`, `BEGIN RSA PRIVATE KEY` or `BEGIN EC PRIVATE KEY`)".into()
                }
                other => pem_problem(&other),
            },
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| fail("certificate", &files.certificate, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| {
            fail(
                "private_key",
                &files.private_key,
                match e {
                    rustls::Error::InconsistentKeys(_) => {
                        "does not belong to the certificate in `tls.certificate`".into()
                    }
                    other => format!("cannot be used with the certificate: {other}"),
                },
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The certificates of a PEM file's bytes, at least one.
fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let chain = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_problem(&e))?;
    if chain.is_empty() {
        return Err("holds no certificate (expected a PEM block `BEGIN CERTIFICATE`)".into());
    }
    Ok(chain)
}

/// The certificates of a PEM file (a certificate authority's, to check a server against),
/// or what is wrong with the file, in words that name no content.
pub(crate) fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    certificates(&read_pem(path)?)
}

/// Client TLS settings that trust only `roots` (rustls checks the server's chain and name).
pub(crate) fn client_config(
    roots: &[CertificateDer<'static>],
) -> Result<rustls::ClientConfig, String> {
    let mut store = rustls::RootCertStore::empty();
    for root in roots {
        store
            .add(root.clone())
            .map_err(|e| format!("a certificate cannot be trusted as an authority: {e}"))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(store)
        .with_no_client_auth())
}

/// A PEM file's bytes, refused past [`MAX_PEM_BYTES`].
fn read_pem(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let described = |e: io::Error| match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::IsADirectory => "it is a folder".to_string(),
        _ => e.to_string(),
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(described)?
        .take(MAX_PEM_BYTES.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(described)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_PEM_BYTES {
        return Err(format!("larger than {MAX_PEM_BYTES} bytes: not a PEM file"));
    }
    Ok(bytes)
}

/// A PEM error in words, without the file's contents.
fn pem_problem(e: &rustls_pki_types::pem::Error) -> String {
    use rustls_pki_types::pem::Error;
    match e {
        Error::NoItemsFound => "holds no PEM block of the kind expected".into(),
        Error::MissingSectionEnd { .. } => "a PEM block has no `END` line".into(),
        Error::IllegalSectionStart { .. } => "a PEM `BEGIN` line is malformed".into(),
        Error::Base64Decode(_) => "a PEM block is not valid base64".into(),
        Error::Io(e) => e.to_string(),
        _ => "is not a PEM file rustls can read".into(),
    }
}

/// Connections that have finished their TLS handshake, for `axum::serve`.
///
/// A task accepts TCP connections and runs each handshake on a task of its own; finished ones
/// arrive here. Dropping the listener (when the server stops taking connections) stops that
/// task and closes the port.
pub(crate) struct TlsListener {
    local: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    acceptor: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    pub(crate) fn new(listener: TcpListener, config: Arc<ServerConfig>) -> io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let (send, ready) = mpsc::channel(64);
        let acceptor = tokio::spawn(accept_loop(listener, TlsAcceptor::from(config), send));
        Ok(TlsListener {
            local,
            ready,
            acceptor,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

async fn accept_loop(
    mut listener: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    loop {
        let Ok(permit) = Arc::clone(&handshakes).acquire_owned().await else {
            return;
        };
        // axum's own accept: retries, and waits a moment after running out of file handles.
        let (tcp, address) = axum::serve::Listener::accept(&mut listener).await;
        if ready.is_closed() {
            return;
        }
        let acceptor = acceptor.clone();
        let ready = ready.clone();
        tokio::spawn(async move {
            let _permit = permit;
            if let Ok(Ok(stream)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
            {
                let _ = ready.send((stream, address)).await;
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accepting task has ended (it only does when the runtime stops): no
            // connection will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }
}
