//! End-entity certificates for signers, CSRs for external CAs, and chain import.

use std::time::{Duration, SystemTime};

use der::asn1::{Any, SetOfVec};
use der::{Decode, Encode, Sequence};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::name::Name;

use crate::algorithm::KeyFamily;
use crate::ca::{CaMaterial, parse_certificate, spki_of, urls};
use crate::cert_builder::{CertificateTemplate, Ku, NamePart, build_name, ext, random_serial, sign_structure};
use crate::chain::is_issued_by;
use crate::custody::KeyCustody;
use crate::error::{PkiError, Result};
use crate::keys::KeySigner;
use crate::oids;
use crate::verify_signature::spki_family;

/// Who a signing certificate is for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubjectInfo {
    /// Person's or company's name (CN), UTF-8.
    pub common_name: String,
    /// Company name (O), for company accounts.
    pub organisation: Option<String>,
    /// Department (OU).
    pub organisational_unit: Option<String>,
    /// Two-letter country code (C).
    pub country: Option<String>,
    /// The subject `serialNumber`: pass `MasterKey::id_number_pseudonym(..)`, never the ID in clear.
    pub serial_number: Option<String>,
}

impl SubjectInfo {
    /// The X.509 Name: C, O, OU, CN, serialNumber (those present).
    pub fn to_name(&self) -> Result<Name> {
        if self.common_name.trim().is_empty() {
            return Err(PkiError::Invalid("the certificate subject needs a name".into()));
        }
        let mut parts = vec![];
        if let Some(c) = &self.country {
            parts.push(NamePart::Printable(oids::AT_COUNTRY, c));
        }
        if let Some(o) = &self.organisation {
            parts.push(NamePart::Utf8(oids::AT_ORGANISATION, o));
        }
        if let Some(ou) = &self.organisational_unit {
            parts.push(NamePart::Utf8(oids::AT_ORGANISATIONAL_UNIT, ou));
        }
        parts.push(NamePart::Utf8(oids::AT_COMMON_NAME, &self.common_name));
        if let Some(sn) = &self.serial_number {
            parts.push(NamePart::Printable(oids::AT_SERIAL_NUMBER, sn));
        }
        build_name(&parts)
    }
}

/// A validity period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidityPeriod {
    /// First second of validity.
    pub not_before: SystemTime,
    /// Last second of validity.
    pub not_after: SystemTime,
}

impl ValidityPeriod {
    /// `duration` from `start` (use a few minutes for per-scene certificates,
    /// years for long-term ones).
    pub fn starting(start: SystemTime, duration: Duration) -> Self {
        ValidityPeriod { not_before: start, not_after: start + duration }
    }
}

/// Issues a document-signing certificate for `spki_der` from the issuing CA of
/// the key's family (RSA, ECDSA or SM2).
///
/// Profile: basicConstraints CA:FALSE (critical), keyUsage digitalSignature +
/// nonRepudiation (critical), SKI/AKI, AIA caIssuers + OCSP, CRL distribution
/// point, the CA's certificate policies.
pub fn issue_signing_certificate(
    ca: &CaMaterial,
    custody: &dyn KeyCustody,
    subject: &SubjectInfo,
    spki_der: &[u8],
    validity: ValidityPeriod,
) -> Result<Vec<u8>> {
    let spki = spki_of(spki_der)?;
    let (family, _) = spki_family(&spki)?;
    let issuing = ca.issuing_ca(family)?;
    let issuer_cert = parse_certificate(&issuing.ca.certificate_der)?;
    let issuer_validity = issuer_cert.tbs_certificate().validity();
    if validity.not_after > issuer_validity.not_after.to_system_time() {
        return Err(PkiError::Invalid("the requested validity ends after the issuing CA's".into()));
    }
    // A start before the CA existed is moved up to the CA's start.
    let not_before = validity.not_before.max(issuer_validity.not_before.to_system_time());
    let u = urls(&ca.public_url, family.name());
    let mut extensions = vec![
        ext::basic_constraints(false, None)?,
        ext::key_usage(Ku::DigitalSignature | Ku::NonRepudiation)?,
        ext::subject_key_id(&spki)?,
        ext::authority_key_id(issuer_cert.tbs_certificate().subject_public_key_info())?,
        ext::authority_info_access(&u.ca_issuers, Some(&u.ocsp))?,
        ext::crl_distribution_point(&u.crl)?,
    ];
    if !ca.certificate_policies.is_empty() {
        extensions.push(ext::certificate_policies(&ca.certificate_policies)?);
    }
    let signer = custody.signer(&issuing.ca.key)?;
    CertificateTemplate {
        serial: random_serial()?,
        issuer: issuer_cert.tbs_certificate().subject().clone(),
        subject: subject.to_name()?,
        not_before,
        not_after: validity.not_after,
        spki,
        extensions,
    }
    .sign(signer.as_ref())
}

/// The key family a certificate's public key belongs to.
pub fn certificate_family(cert_der: &[u8]) -> Result<KeyFamily> {
    let cert = parse_certificate(cert_der)?;
    Ok(spki_family(cert.tbs_certificate().subject_public_key_info())?.0)
}

#[derive(Sequence)]
struct CertificationRequestInfo {
    version: u8,
    subject: Name,
    spki: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    attributes: SetOfVec<Attribute>,
}

/// A PKCS#10 request for an external CA, signed by the key, asking for
/// digitalSignature + nonRepudiation.
pub fn build_csr(signer: &dyn KeySigner, subject: &SubjectInfo) -> Result<Vec<u8>> {
    let key_usage = ext::key_usage(Ku::DigitalSignature | Ku::NonRepudiation)?;
    let ext_req = Any::encode_from(&vec![key_usage]).map_err(PkiError::asn1("extension request"))?;
    let mut values = SetOfVec::new();
    values.insert(ext_req).map_err(PkiError::asn1("extension request"))?;
    let mut attributes = SetOfVec::new();
    attributes
        .insert(Attribute { oid: oids::ATTR_EXTENSION_REQUEST, values })
        .map_err(PkiError::asn1("CSR attributes"))?;
    let info = CertificationRequestInfo {
        version: 0,
        subject: subject.to_name()?,
        spki: spki_of(&signer.public_key_der())?,
        attributes,
    };
    let tbs = info.to_der().map_err(PkiError::asn1("certification request"))?;
    sign_structure(&tbs, signer, signer.algorithm().default_signature())
}

/// A certificate chain read from an external CA's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedChain {
    /// The certificate for our key.
    pub leaf: Vec<u8>,
    /// Issuers, nearest first (as far as the answer contains them).
    pub chain: Vec<Vec<u8>>,
}

/// Reads the external CA's answer (PEM certificates, concatenated DER, or a
/// PKCS#7 certs-only bundle), finds the certificate whose key is `spki_der`,
/// and orders its issuers, checking each signature.
pub fn import_certificate_chain(answer: &[u8], spki_der: &[u8]) -> Result<ImportedChain> {
    let certs = read_certificates(answer)?;
    let leaf = certs
        .iter()
        .find(|c| {
            Certificate::from_der(c)
                .ok()
                .and_then(|c| c.tbs_certificate().subject_public_key_info().to_der().ok())
                .is_some_and(|k| k == spki_der)
        })
        .cloned()
        .ok_or_else(|| PkiError::Invalid("no certificate in the answer matches our key".into()))?;
    let mut chain = vec![];
    let mut current = leaf.clone();
    loop {
        let cur = parse_certificate(&current)?;
        if cur.tbs_certificate().issuer() == cur.tbs_certificate().subject() {
            break;
        }
        let next = certs.iter().find(|c| {
            **c != current
                && !chain.contains(*c)
                && Certificate::from_der(c).is_ok_and(|i| is_issued_by(&current, &cur, &i))
        });
        match next {
            Some(n) => {
                chain.push(n.clone());
                current = n.clone();
            }
            None => break,
        }
    }
    Ok(ImportedChain { leaf, chain })
}

/// Certificates from PEM, concatenated DER, or PKCS#7 SignedData (certs-only).
pub fn read_certificates(data: &[u8]) -> Result<Vec<Vec<u8>>> {
    let text = String::from_utf8_lossy(data);
    if text.contains("-----BEGIN") {
        let mut out = vec![];
        let mut rest: &str = &text;
        while let Some(start) = rest.find("-----BEGIN ") {
            let block = &rest[start..];
            let label_end =
                block[11..].find("-----").map(|i| i + 11).ok_or_else(|| PkiError::Invalid("bad PEM".into()))?;
            let label = &block[11..label_end];
            let end_marker = format!("-----END {label}-----");
            let end = block.find(&end_marker).ok_or_else(|| PkiError::Invalid("unterminated PEM block".into()))?;
            let pem_block = &block[..end + end_marker.len()];
            let (_, der) =
                der::pem::decode_vec(pem_block.as_bytes()).map_err(|e| PkiError::Invalid(format!("bad PEM: {e}")))?;
            match label {
                "CERTIFICATE" => out.push(der),
                "PKCS7" | "CMS" => out.extend(certificates_from_pkcs7(&der)?),
                _ => {}
            }
            rest = &block[end + end_marker.len()..];
        }
        return Ok(out);
    }
    // DER: certificates back to back, or one PKCS#7.
    let mut out = vec![];
    let mut reader = der::SliceReader::new(data).map_err(PkiError::asn1("certificates"))?;
    while !der::Reader::is_finished(&reader) {
        let any = Any::decode(&mut reader).map_err(PkiError::asn1("certificates"))?;
        let bytes = any.to_der().map_err(PkiError::asn1("certificates"))?;
        if Certificate::from_der(&bytes).is_ok() {
            out.push(bytes);
        } else {
            out.extend(certificates_from_pkcs7(&bytes)?);
        }
    }
    Ok(out)
}

fn certificates_from_pkcs7(der: &[u8]) -> Result<Vec<Vec<u8>>> {
    let info = cms::content_info::ContentInfo::from_der(der).map_err(PkiError::asn1("PKCS#7"))?;
    let sd: cms::signed_data::SignedData = info.content.decode_as().map_err(PkiError::asn1("PKCS#7 SignedData"))?;
    let mut out = vec![];
    for choice in sd.certificates.map(|c| c.0.into_vec()).unwrap_or_default() {
        if let cms::cert::CertificateChoices::Certificate(c) = choice {
            out.push(c.to_der().map_err(PkiError::asn1("certificate"))?);
        }
    }
    Ok(out)
}
