//! RFC 5280 path building and the basic checks validators rely on.

use std::time::SystemTime;

use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};

use crate::algorithm::SignatureAlgorithm;
use crate::cert_builder::SignedStructure;
use crate::error::{PkiError, Result};
use crate::oids;
use crate::verify_signature::verify_signature;

/// What the end-entity certificate must be good for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPurpose {
    /// Document signatures: digitalSignature or nonRepudiation when key usage is present.
    DocumentSigning,
    /// RFC 3161 time stamps: the sole, critical EKU timeStamping.
    TimeStamping,
    /// OCSP responses: EKU OCSPSigning.
    OcspSigning,
    /// No end-entity usage check.
    Any,
}

/// Why a certificate path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// No path reaches a trust anchor.
    #[error("no chain to a trusted root for {0}")]
    NoPathToAnchor(String),
    /// A certificate is outside its validity period at the checked time.
    #[error("certificate {0} is not valid at the checked time")]
    Expired(String),
    /// An issuer certificate is not a CA or may not sign certificates.
    #[error("certificate {0} is not allowed to issue certificates")]
    NotCa(String),
    /// A path-length constraint is violated.
    #[error("path length constraint of {0} exceeded")]
    PathLength(String),
    /// The end-entity certificate's key usage does not allow this use.
    #[error("certificate {0} is not allowed for {1:?}")]
    Usage(String, KeyPurpose),
    /// An extension marked critical that we do not process.
    #[error("certificate {0} has an unsupported critical extension {1}")]
    UnknownCritical(String, String),
    /// A certificate that does not decode.
    #[error("malformed certificate: {0}")]
    Malformed(String),
}

/// The subject of a certificate as text, for messages.
pub fn subject_text(cert: &Certificate) -> String {
    cert.tbs_certificate().subject().to_string()
}

/// The exact to-be-signed bytes and the signature of a certificate DER.
pub(crate) fn signed_parts(der: &[u8]) -> Result<(Vec<u8>, SignatureAlgorithm, Vec<u8>)> {
    let outer = SignedStructure::from_der(der).map_err(PkiError::asn1("signed structure"))?;
    let tbs = outer.tbs.to_der().map_err(PkiError::asn1("signed structure"))?;
    let scheme = SignatureAlgorithm::from_algorithm_identifier(&outer.algorithm, None)?;
    let signature =
        outer.signature.as_bytes().ok_or(PkiError::BadSignature("signature BIT STRING has unused bits"))?.to_vec();
    Ok((tbs, scheme, signature))
}

/// Whether `issuer` signed `subject` (names match and the signature verifies).
pub fn is_issued_by(subject_der: &[u8], subject: &Certificate, issuer: &Certificate) -> bool {
    if subject.tbs_certificate().issuer() != issuer.tbs_certificate().subject() {
        return false;
    }
    let Ok((tbs, scheme, signature)) = signed_parts(subject_der) else {
        return false;
    };
    verify_signature(issuer.tbs_certificate().subject_public_key_info(), scheme, &tbs, &signature).is_ok()
}

fn in_validity(cert: &Certificate, at: SystemTime) -> bool {
    let v = cert.tbs_certificate().validity();
    v.not_before.to_system_time() <= at && at <= v.not_after.to_system_time()
}

const KNOWN_CRITICAL: [der::asn1::ObjectIdentifier; 5] = [
    oids::EXT_BASIC_CONSTRAINTS,
    oids::EXT_KEY_USAGE,
    oids::EXT_EXTENDED_KEY_USAGE,
    oids::EXT_CERTIFICATE_POLICIES,
    oids::EXT_CRL_DISTRIBUTION_POINTS,
];

fn check_critical(cert: &Certificate) -> std::result::Result<(), ChainError> {
    for ext in cert.tbs_certificate().extensions().map(Vec::as_slice).unwrap_or(&[]) {
        if ext.critical && !KNOWN_CRITICAL.contains(&ext.extn_id) {
            return Err(ChainError::UnknownCritical(subject_text(cert), ext.extn_id.to_string()));
        }
    }
    Ok(())
}

fn check_purpose(cert: &Certificate, purpose: KeyPurpose) -> std::result::Result<(), ChainError> {
    let tbs = cert.tbs_certificate();
    let fail = || ChainError::Usage(subject_text(cert), purpose);
    let ku = tbs.get_extension::<KeyUsage>().map_err(|e| ChainError::Malformed(e.to_string()))?;
    let eku = tbs.get_extension::<ExtendedKeyUsage>().map_err(|e| ChainError::Malformed(e.to_string()))?;
    let ku_allows = |want: &[KeyUsages]| ku.as_ref().is_none_or(|(_, k)| want.iter().any(|w| k.0.contains(*w)));
    match purpose {
        KeyPurpose::Any => Ok(()),
        KeyPurpose::DocumentSigning => {
            if ku_allows(&[KeyUsages::DigitalSignature, KeyUsages::NonRepudiation]) {
                Ok(())
            } else {
                Err(fail())
            }
        }
        KeyPurpose::TimeStamping => match eku {
            Some((true, e)) if e.0 == [oids::KP_TIME_STAMPING] => Ok(()),
            _ => Err(fail()),
        },
        KeyPurpose::OcspSigning => match eku {
            Some((_, e)) if e.0.contains(&oids::KP_OCSP_SIGNING) => Ok(()),
            _ => Err(fail()),
        },
    }
}

/// Builds and checks a path from `leaf` through `intermediates` to one of
/// `anchors` at time `at`: names and signatures, validity, basicConstraints,
/// keyUsage keyCertSign, path length, unknown critical extensions and the
/// leaf's purpose. Returns the path leaf first, anchor last.
pub fn validate_chain(
    leaf_der: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &[Vec<u8>],
    at: SystemTime,
    purpose: KeyPurpose,
) -> std::result::Result<Vec<Vec<u8>>, ChainError> {
    let parse = |der: &[u8]| Certificate::from_der(der).map_err(|e| ChainError::Malformed(e.to_string()));
    let leaf = parse(leaf_der)?;
    check_purpose(&leaf, purpose)?;
    let anchors: Vec<(Vec<u8>, Certificate)> =
        anchors.iter().filter_map(|d| Certificate::from_der(d).ok().map(|c| (d.clone(), c))).collect();
    let pool: Vec<(Vec<u8>, Certificate)> =
        intermediates.iter().filter_map(|d| Certificate::from_der(d).ok().map(|c| (d.clone(), c))).collect();

    let mut path: Vec<(Vec<u8>, Certificate)> = vec![(leaf_der.to_vec(), leaf)];
    loop {
        let (current_der, current) = path
            .last()
            .map(|(d, c)| (d.clone(), c.clone()))
            .ok_or_else(|| ChainError::Malformed("empty path".into()))?;
        if !in_validity(&current, at) {
            return Err(ChainError::Expired(subject_text(&current)));
        }
        check_critical(&current)?;
        // A trusted certificate ends the path (the anchor itself is not re-checked beyond validity).
        if anchors.iter().any(|(d, _)| *d == current_der) {
            break;
        }
        if path.len() > 8 {
            return Err(ChainError::NoPathToAnchor(subject_text(&path[0].1)));
        }
        let issuer = anchors
            .iter()
            .chain(pool.iter())
            .find(|(d, c)| !path.iter().any(|(p, _)| p == d) && is_issued_by(&current_der, &current, c))
            .cloned();
        let Some((issuer_der, issuer)) = issuer else {
            return Err(ChainError::NoPathToAnchor(subject_text(&path[0].1)));
        };
        // The issuer must be a CA allowed to sign certificates, within its path length.
        let tbs = issuer.tbs_certificate();
        let bc = tbs.get_extension::<BasicConstraints>().map_err(|e| ChainError::Malformed(e.to_string()))?;
        let Some((_, bc)) = bc.filter(|(_, b)| b.ca) else {
            return Err(ChainError::NotCa(subject_text(&issuer)));
        };
        let cas_below = path.len() - 1;
        if let Some(limit) = bc.path_len_constraint
            && cas_below > usize::from(limit)
        {
            return Err(ChainError::PathLength(subject_text(&issuer)));
        }
        let ku = tbs.get_extension::<KeyUsage>().map_err(|e| ChainError::Malformed(e.to_string()))?;
        if let Some((_, ku)) = ku
            && !ku.0.contains(KeyUsages::KeyCertSign)
        {
            return Err(ChainError::NotCa(subject_text(&issuer)));
        }
        path.push((issuer_der, issuer));
    }
    Ok(path.into_iter().map(|(d, _)| d).collect())
}
