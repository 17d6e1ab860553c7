//! [`Signet`]: the facade the HTTP layer and the CLI call. One instance per process.

use std::sync::Arc;

use time::Duration;

use signet_pki::KeyAlgorithm;

use crate::Result;
use crate::clock::Clock;
use crate::notify::MessageSender;
use crate::pki::Pki;
use crate::ports::{BlobStore, MetaStore};
use crate::secrets::SecretKeys;
use crate::signing::PadesLevel;

mod accounts;
mod apps;
pub mod authorization_links;
mod callbacks;
mod codes;
pub mod esign;
mod evidence;
mod external_ca;
mod files;
mod flows;
mod links;
mod origin;
mod position_pages;
mod scene_certificates;
mod seals;
pub mod sign_pages;
mod templates;
mod verification;
pub mod wosign;
pub mod yunhetong;

pub use callbacks::{Backoff, CallbackReply, CallbackTransport, DeliveryPolicy};
pub use evidence::{EvidenceContent, EvidenceProof};
pub use external_ca::ImportedCertificate;
pub use files::{UploadDeclaration, UploadTicket};
pub use flows::{CertificateChoice, NewFlow, NewSigner, SignMode};
pub use seals::SealSource;
pub use verification::VerificationRequest;
mod pki;
pub use pki::OwnPki;

/// Settings the domain needs; the binary builds them from its configuration.
#[derive(Debug, Clone)]
pub struct SignetConfig {
    /// Lifetime of native access tokens.
    pub token_ttl: Duration,
    /// Key algorithm of accounts' long-term certificates.
    pub account_key_algorithm: KeyAlgorithm,
    /// Validity of accounts' long-term certificates.
    pub certificate_validity: Duration,
    /// Largest accepted document, in bytes.
    pub max_file_bytes: u64,
    /// How long a willingness code stays valid (15 minutes, as the vendors document).
    pub code_validity: Duration,
    /// How long page links (signing, authorization) stay valid unless the issuer says otherwise.
    pub link_validity: Duration,
    /// The PAdES level of the service's signatures (B-LTA unless configured lower).
    pub pades_level: PadesLevel,
    /// Sign with a per-scene certificate unless the request asks for the long-term one.
    pub scene_certificates: bool,
    /// Validity of per-scene certificates (minutes up to a day).
    pub scene_certificate_validity: Duration,
}

impl Default for SignetConfig {
    fn default() -> Self {
        Self {
            token_ttl: Duration::hours(2),
            account_key_algorithm: KeyAlgorithm::Rsa2048,
            certificate_validity: Duration::days(2 * 365),
            max_file_bytes: 100 * 1024 * 1024,
            code_validity: Duration::minutes(15),
            link_validity: Duration::days(30),
            pades_level: PadesLevel::BLta,
            scene_certificates: false,
            scene_certificate_validity: Duration::minutes(30),
        }
    }
}

/// Reachability of the backing services, for `/readyz`.
#[derive(Debug, Clone)]
pub struct Health {
    pub database: Result<(), String>,
    pub objects: Result<(), String>,
}

impl Health {
    pub fn is_ready(&self) -> bool {
        self.database.is_ok() && self.objects.is_ok()
    }
}

/// The signing service.
pub struct Signet {
    store: Arc<dyn MetaStore>,
    blobs: Arc<dyn BlobStore>,
    messages: Arc<dyn MessageSender>,
    clock: Arc<dyn Clock>,
    keys: SecretKeys,
    pki: Arc<Pki>,
    config: SignetConfig,
    /// Real-name verification; [`crate::verification::NoVerificationProvider`] unless configured.
    verifier: Arc<dyn crate::verification::VerificationProvider>,
    /// Face verification for willingness, when the deployment has one.
    face: Option<Arc<dyn crate::verification::FaceVerifier>>,
}

impl Signet {
    /// Assembles the service from its parts.
    pub fn new(
        store: Arc<dyn MetaStore>,
        blobs: Arc<dyn BlobStore>,
        messages: Arc<dyn MessageSender>,
        clock: Arc<dyn Clock>,
        keys: SecretKeys,
        pki: Pki,
        config: SignetConfig,
    ) -> Self {
        let verifier = Arc::new(crate::verification::NoVerificationProvider);
        Self { store, blobs, messages, clock, keys, pki: Arc::new(pki), config, verifier, face: None }
    }

    /// Uses `verifier` for real-name verification.
    pub fn with_verification(mut self, verifier: Arc<dyn crate::verification::VerificationProvider>) -> Self {
        self.verifier = verifier;
        self
    }

    /// Offers face verification for willingness through `face`.
    pub fn with_face_verifier(mut self, face: Arc<dyn crate::verification::FaceVerifier>) -> Self {
        self.face = Some(face);
        self
    }

    /// Probes the database and the object store.
    pub async fn health(&self) -> Health {
        let (database, objects) = futures_util::future::join(self.store.ping(), self.blobs.ping()).await;
        Health { database: database.map_err(|e| e.to_string()), objects: objects.map_err(|e| e.to_string()) }
    }

    /// PEM bundle of the certificates validators must trust (root, issuing CAs, TSA, OCSP).
    pub fn trust_bundle_pem(&self) -> String {
        self.pki.ca.trust_bundle_pem()
    }

    /// The PKI state, for signing use cases and the PKI endpoints.
    pub fn pki(&self) -> &Pki {
        &self.pki
    }
}
