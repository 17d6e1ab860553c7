//! TLS termination for `signet serve` (rustls), with optional client certificates.
//!
//! The WoSignDoc document requires callers to authenticate with client certificates. When a
//! client CA is configured, the handshake asks for a certificate and verifies any it gets
//! against that CA (an untrusted one fails the handshake); a connection without one is still
//! accepted, so the dialect can answer its own code (-80) instead of a TLS alert, and routes
//! that need no certificate keep working. The verified certificate travels with each request of
//! the connection as a [`ClientCertificate`] extension.
//!
//! Handshakes run on their own tasks, so a slow or silent client never holds up the others.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::serve::{IncomingStream, Listener};
use der::Decode;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use signet_http::dialects::wosign::ClientCertificate;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tracing::debug;

/// How long a client may take to complete its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Completed handshakes waiting for the server to take them.
const BACKLOG: usize = 128;

/// Builds the server configuration from PEM files: the certificate chain, its key, and the CA
/// client certificates must chain to (if any).
pub fn server_config(cert: &Path, key: &Path, client_ca: Option<&Path>) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("cannot read the TLS certificate {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("{} is not a PEM certificate chain", cert.display()))?;
    if chain.is_empty() {
        bail!("{} holds no certificate", cert.display());
    }
    let key =
        PrivateKeyDer::from_pem_file(key).with_context(|| format!("{} is not a PEM private key", key.display()))?;
    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?;
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(ca)
                .with_context(|| format!("cannot read the client CA {}", ca.display()))?
            {
                roots.add(cert.with_context(|| format!("{} is not a PEM certificate", ca.display()))?)?;
            }
            if roots.is_empty() {
                bail!("{} holds no CA certificate", ca.display());
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .allow_unauthenticated()
                .build()
                .context("client certificate verifier")?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder.with_single_cert(chain, key).context("the TLS key does not match the certificate")?;
    // HTTP/1.1 only: the server is built without axum's http2 feature.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A listener that hands axum connections whose TLS handshake has completed.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    /// Accepts TCP connections on `listener` and runs their handshakes in the background.
    pub fn new(listener: TcpListener, config: Arc<rustls::ServerConfig>) -> io::Result<Self> {
        let local = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (tx, ready) = mpsc::channel(BACKLOG);
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        debug!(error = %err, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(err)) => debug!(%peer, error = %err, "TLS handshake failed"),
                        Err(_) => debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self { ready, local })
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accept task never ends while the listener lives.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// The verified client certificate of a connection, as connection info.
#[derive(Clone, Debug)]
pub struct PeerCertificate(Option<ClientCertificate>);

impl axum::extract::connect_info::Connected<IncomingStream<'_, TlsListener>> for PeerCertificate {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        let (_, session) = stream.io().get_ref();
        Self(session.peer_certificates().and_then(|chain| chain.first()).map(|der| describe(der.as_ref())))
    }
}

/// Middleware: copies the connection's certificate into each request's extensions.
pub async fn attach_client_certificate(
    ConnectInfo(peer): ConnectInfo<PeerCertificate>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(certificate) = peer.0 {
        request.extensions_mut().insert(certificate);
    }
    next.run(request).await
}

/// The subject CN and fingerprint of a DER certificate (already verified by rustls).
fn describe(der: &[u8]) -> ClientCertificate {
    use sha2::Digest;
    let sha256 = hex::encode(sha2::Sha256::digest(der));
    let common_name = x509_cert::Certificate::from_der(der)
        .ok()
        .and_then(|cert| cert.tbs_certificate().subject().common_name().ok().flatten())
        .map(String::from);
    ClientCertificate { common_name, sha256 }
}
