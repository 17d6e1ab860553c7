//! The domain core of Signet.
//!
//! Everything a signing service *means* lives here: tenants (apps), accounts, seals, files, flows,
//! willingness codes, evidence and callbacks. Everything it *touches* lives behind ports:
//! [`ports::MetaStore`] for metadata, [`ports::BlobStore`] for documents, [`clock::Clock`] for time.
//! The HTTP layer and the CLI call into [`Signet`]; the storage adapters implement the ports.
//!
//! Architecture invariants:
//! - no SQL, no HTTP, no JSON shapes in this crate: adapters translate;
//! - every use case checks that the resource belongs to the calling app before touching it.

pub mod accounts;
pub mod apps;
pub mod audit;
pub mod authorizations;
pub mod certificates;
pub mod clock;
pub mod codes;
pub mod contact;
pub mod error;
pub mod events;
pub mod evidence;
pub mod files;
pub mod flows;
pub mod identity;
pub mod ids;
pub mod links;
pub mod notify;
pub mod pki;
pub mod ports;
mod random;
pub mod seals;
pub mod secrets;
mod service;
pub mod signing;
pub mod templates;
pub mod tokens;
pub mod validation_data;
pub mod verification;
pub mod wosign_orders;

pub use error::{Error, ErrorCode, Result};
pub use service::VerificationRequest;
pub use service::authorization_links;
pub use service::esign;
pub use service::sign_pages;
pub use service::wosign;
pub use service::yunhetong;
pub use service::{
    Backoff, CallbackReply, CallbackTransport, DeliveryPolicy, EvidenceContent, EvidenceProof, Health, NewFlow,
    NewSigner, SealSource, SignMode, Signet, SignetConfig, UploadDeclaration, UploadTicket,
};
pub use service::{CertificateChoice, ImportedCertificate, OwnPki};
pub use signet_pki::pem_certificate;
