//! Signet's PKI engine: keys and key custody, the built-in CA, CMS/CAdES
//! signatures, an RFC 3161 time-stamping authority and OCSP/CRL.
//!
//! The engine does no I/O: it takes and returns bytes and values; storage and
//! transport belong to the caller.
//!
//! ```
//! use signet_pki::*;
//! use std::time::{Duration, SystemTime};
//!
//! # fn main() -> Result<()> {
//! // First start: a master key (kept by the caller), a keystore, the CA hierarchy.
//! let master = MasterKey::generate()?;
//! let custody = SoftwareKeystore::new(&master)?;
//! let mut settings = CaSettings::new("http://127.0.0.1:8080", "Example Org");
//! settings.root_algorithm = KeyAlgorithm::P384; // the default RSA-4096 takes longer to generate
//! let ca = CaMaterial::generate(&settings, &custody)?;
//! let record = ca.to_bytes()?; // stored by the caller as one record, with master.check_value()
//!
//! // An account certificate; the subject carries a pseudonym of the ID number.
//! let key = custody.generate(KeyAlgorithm::P256, "account-42")?;
//! let signer = custody.signer(&key)?;
//! let subject = SubjectInfo {
//!     common_name: "张三".into(),
//!     serial_number: Some(master.id_number_pseudonym("CRED_PSN_CH_IDCARD", "11010519491231002X")?),
//!     ..Default::default()
//! };
//! let validity = ValidityPeriod::starting(SystemTime::now(), Duration::from_secs(365 * 86400));
//! let cert = issue_signing_certificate(&ca, &custody, &subject, &signer.public_key_der(), validity)?;
//!
//! // A PAdES CMS signature with a timestamp from the built-in TSA, then verification.
//! let tsa = TimestampAuthority::from_ca(&ca, &custody)?;
//! let chain = ca.chain_for(KeyFamily::Ecdsa)?;
//! let builder = CmsBuilder::new(signer.as_ref(), &cert, &chain[..1])?.timestamp(&tsa);
//! let digest = builder.digest_algorithm().digest(b"the PDF byte ranges");
//! let cms = builder.sign(&digest)?;
//! let anchors = [ca.root.certificate_der.clone()];
//! let report = CmsSignature::parse(&cms)?.verify(Some(&digest), &VerifyPolicy::new(&anchors));
//! assert!(report.is_valid());
//! # let _ = CaMaterial::from_bytes(&record)?;
//! # Ok(())
//! # }
//! ```

mod algorithm;
mod ber;
mod ca;
mod cert_builder;
mod chain;
mod cms_sign;
mod cms_verify;
mod custody;
mod error;
mod issue;
mod keys;
mod master_key;
pub mod ocsp_types;
pub mod oids;
mod pkcs11;
mod pkcs12;
mod revocation;
mod revocation_check;
mod routed_custody;
mod software_keystore;
mod tsa;
pub mod tsp_types;
mod verify_signature;

pub use algorithm::{DigestAlgorithm, Hasher, KeyAlgorithm, KeyFamily, SignatureAlgorithm};
pub use ca::{CaMaterial, CaSettings, CertifiedKey, IssuingCa, parse_certificate, pem_certificate};
pub use chain::{ChainError, KeyPurpose, is_issued_by, subject_text, validate_chain};
pub use cms_sign::{CmsBuilder, CmsProfile, TIMESTAMP_RESERVE, TimestampSource};
pub use cms_verify::{
    CmsReport, CmsSignature, RevocationCheck, RevocationData, TimestampReport, VerifyPolicy, tst_info_of_token,
    verify_timestamp_token, verify_timestamp_token_against,
};
pub use custody::{KeyCustody, KeyRef};
pub use error::{PkiError, Result};
pub use issue::{
    ImportedChain, SubjectInfo, ValidityPeriod, build_csr, certificate_family, import_certificate_chain,
    issue_signing_certificate, read_certificates,
};
pub use keys::{KeySigner, SM2_DIST_ID, SoftwareKey, generate_pkcs8};
pub use master_key::MasterKey;
pub use ocsp_types::CrlReasonCode;
pub use pkcs11::Pkcs11Custody;
pub use pkcs12::{Pkcs12Contents, read_pkcs12, write_pkcs12};
pub use revocation::{CertStatus, OcspResponder, RevokedEntry, build_ocsp_request, generate_crl};
pub use revocation_check::{CertificateUrls, CrlStatus, OcspStatus, certificate_urls, check_crl, check_ocsp_response};
pub use routed_custody::RoutedCustody;
pub use software_keystore::SoftwareKeystore;
pub use tsa::{DEFAULT_TSA_POLICY, TimestampAuthority, build_timestamp_request, parse_timestamp_response};
pub use verify_signature::{key_algorithm_of_spki, spki_family, verify_signature};
