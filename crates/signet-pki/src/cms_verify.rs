//! CMS SignedData verification: digest, signature, signer certificate, path, timestamp.

use std::time::SystemTime;

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{Any, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Reader, SliceReader};
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::time::Time;

use crate::algorithm::{DigestAlgorithm, SignatureAlgorithm};
use crate::chain::{ChainError, KeyPurpose, subject_text, validate_chain};
use crate::error::{PkiError, Result};
use crate::oids;
use crate::revocation::CertStatus;
use crate::revocation_check::{check_crl, check_ocsp_response};
use crate::tsp_types::{RevocationInfoArchival, SigningCertificate, SigningCertificateV2, TstInfo};
use crate::verify_signature::verify_signature;

/// Trust and time for a verification.
#[derive(Clone, Debug)]
pub struct VerifyPolicy<'a> {
    /// Trusted roots (DER).
    pub trust_anchors: &'a [Vec<u8>],
    /// More certificates for path building (e.g. from a PDF's DSS).
    pub extra_certificates: &'a [Vec<u8>],
    /// When to check validity; `None` = the signature timestamp's time when a
    /// valid one is present, else now.
    pub at: Option<SystemTime>,
    /// Required use of the signer certificate.
    pub purpose: KeyPurpose,
    /// OCSP responses (DER OCSPResponse) available for the path, e.g. from a DSS.
    pub ocsp_responses: &'a [Vec<u8>],
    /// CRLs (DER) available for the path.
    pub crls: &'a [Vec<u8>],
    /// Treat a path certificate without revocation data as a failure.
    pub require_revocation: bool,
}

impl<'a> VerifyPolicy<'a> {
    /// Document signing against `trust_anchors`, at the timestamp time (or now),
    /// without required revocation data.
    pub fn new(trust_anchors: &'a [Vec<u8>]) -> Self {
        VerifyPolicy {
            trust_anchors,
            extra_certificates: &[],
            at: None,
            purpose: KeyPurpose::DocumentSigning,
            ocsp_responses: &[],
            crls: &[],
            require_revocation: false,
        }
    }
}

/// Revocation status found for one certificate of the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationCheck {
    /// Subject of the certificate.
    pub subject: String,
    /// What the data says, if any data covered it.
    pub status: Option<CertStatus>,
    /// `ocsp` or `crl`, when found.
    pub source: Option<&'static str>,
}

/// What was checked and what was found.
#[derive(Clone, Debug)]
pub struct CmsReport {
    /// Digest algorithm of the SignerInfo.
    pub digest_algorithm: Option<DigestAlgorithm>,
    /// Signature scheme.
    pub signature_algorithm: Option<SignatureAlgorithm>,
    /// The signer certificate, when found.
    pub signer_certificate: Option<Vec<u8>>,
    /// Its subject, RFC 4514 text.
    pub signer_subject: Option<String>,
    /// The message-digest attribute equals the content digest.
    pub message_digest_ok: bool,
    /// The signature over the signed attributes verifies.
    pub signature_ok: bool,
    /// ESS signing-certificate(-v2) matches the signer certificate (None: attribute absent).
    pub signing_certificate_ok: Option<bool>,
    /// The signing-time attribute (claimed, unauthenticated time).
    pub signing_time: Option<SystemTime>,
    /// The path from signer to a trust anchor, or why there is none.
    pub chain: std::result::Result<Vec<Vec<u8>>, ChainError>,
    /// The time the path was checked at.
    pub checked_at: SystemTime,
    /// Revocation status of each non-anchor certificate of the path.
    pub revocation: Vec<RevocationCheck>,
    /// The signature timestamp (unsigned attribute), when present.
    pub timestamp: Option<Box<TimestampReport>>,
    /// Problems in words.
    pub problems: Vec<String>,
}

impl CmsReport {
    /// All checks passed.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
            && self.message_digest_ok
            && self.signature_ok
            && self.chain.is_ok()
            && self.signing_certificate_ok != Some(false)
            && self.timestamp.as_ref().is_none_or(|t| t.is_valid())
    }
}

/// A verified (or not) RFC 3161 token.
#[derive(Clone, Debug)]
pub struct TimestampReport {
    /// genTime.
    pub gen_time: SystemTime,
    /// Serial number bytes.
    pub serial: Vec<u8>,
    /// TSA policy.
    pub policy: ObjectIdentifier,
    /// Imprint algorithm.
    pub imprint_algorithm: Option<DigestAlgorithm>,
    /// The imprint matches the data it should cover.
    pub imprint_ok: bool,
    /// The token's own CMS verification (TSA certificate, path at genTime).
    pub token: CmsReport,
}

impl TimestampReport {
    /// Imprint and token both good.
    pub fn is_valid(&self) -> bool {
        self.imprint_ok && self.token.is_valid()
    }
}

/// (OCSP responses, CRLs), DER each.
pub type RevocationData = (Vec<Vec<u8>>, Vec<Vec<u8>>);

/// A parsed CMS SignedData with one signer (the first SignerInfo is checked).
#[derive(Clone, Debug)]
pub struct CmsSignature {
    signed_data: SignedData,
    signer: SignerInfo,
    /// The signed attributes exactly as they were signed (tag 0x31).
    signed_attrs_der: Option<Vec<u8>>,
    certificates: Vec<Vec<u8>>,
    /// SignedData.crls, read by hand.
    revocation_field: RevocationData,
}

/// The complete TLVs inside a constructed value.
fn children(constructed_tlv: &[u8]) -> Result<Vec<Vec<u8>>> {
    let any = Any::from_der(constructed_tlv).map_err(PkiError::asn1("CMS structure"))?;
    let mut reader = SliceReader::new(any.value()).map_err(PkiError::asn1("CMS structure"))?;
    let mut out = vec![];
    while !reader.is_finished() {
        let child = Any::decode(&mut reader).map_err(PkiError::asn1("CMS structure"))?;
        out.push(child.to_der().map_err(PkiError::asn1("CMS structure"))?);
    }
    Ok(out)
}

impl CmsSignature {
    /// Parses ContentInfo(SignedData), DER or BER (trailing zero padding, as in
    /// PDF /Contents, is ignored).
    pub fn parse(input: &[u8]) -> Result<Self> {
        let der = crate::ber::to_der(input)?;
        let der = der.as_slice();
        let info = ContentInfo::from_der(der).map_err(PkiError::asn1("CMS ContentInfo"))?;
        if info.content_type != oids::CT_SIGNED_DATA && info.content_type != oids::GM_SIGNED_DATA {
            return Err(PkiError::Invalid(format!("CMS content type {} is not signedData", info.content_type)));
        }
        let sd_der = info.content.to_der().map_err(PkiError::asn1("SignedData"))?;
        // SignedData.crls ([1]) is read by hand and left out of the typed decode:
        // the cms crate models OtherRevocationInfoFormat with an AlgorithmIdentifier
        // where RFC 5652 has an OID, and would refuse RFC 5940 OCSP entries.
        let mut revocation_field = (vec![], vec![]);
        let mut kept = vec![];
        for child in children(&sd_der)? {
            if child.first() == Some(&0xA1) {
                revocation_field = read_revocation_choices(&child)?;
            } else {
                kept.extend_from_slice(&child);
            }
        }
        let mut sd_der = vec![0x30];
        crate::ber::push_length(&mut sd_der, kept.len());
        sd_der.extend_from_slice(&kept);
        let signed_data = SignedData::from_der(&sd_der).map_err(PkiError::asn1("SignedData"))?;
        let signer = signed_data
            .signer_infos
            .0
            .iter()
            .next()
            .cloned()
            .ok_or_else(|| PkiError::Invalid("SignedData has no SignerInfo".into()))?;
        // Raw signed attributes: never re-encode what someone else signed.
        let sd_children = children(&sd_der)?;
        let infos = sd_children.last().ok_or_else(|| PkiError::Invalid("empty SignedData".into()))?;
        let first_info =
            children(infos)?.into_iter().next().ok_or_else(|| PkiError::Invalid("no SignerInfo".into()))?;
        let signed_attrs_der = children(&first_info)?.into_iter().find(|c| c.first() == Some(&0xA0)).map(|mut c| {
            c[0] = 0x31;
            c
        });
        let mut certificates = vec![];
        for choice in signed_data.certificates.iter().flat_map(|c| c.0.iter()) {
            if let CertificateChoices::Certificate(c) = choice {
                certificates.push(c.to_der().map_err(PkiError::asn1("certificate"))?);
            }
        }
        Ok(CmsSignature { signed_data, signer, signed_attrs_der, certificates, revocation_field })
    }

    /// The digest the content must be hashed with.
    pub fn digest_algorithm(&self) -> Result<DigestAlgorithm> {
        DigestAlgorithm::from_oid(&self.signer.digest_alg.oid)
    }

    /// Certificates embedded in the SignedData.
    pub fn certificates(&self) -> &[Vec<u8>] {
        &self.certificates
    }

    /// The SignerInfo's signature value (what a signature timestamp covers).
    pub fn signature_value(&self) -> &[u8] {
        self.signer.signature.as_bytes()
    }

    /// The signed attributes exactly as signed (SET OF, tag 0x31): what the signature covers.
    pub fn signed_attributes_der(&self) -> Option<&[u8]> {
        self.signed_attrs_der.as_deref()
    }

    /// Encapsulated content, if not detached.
    pub fn encapsulated_content(&self) -> Option<Vec<u8>> {
        let e = self.signed_data.encap_content_info.econtent.as_ref()?;
        e.decode_as::<OctetString>().ok().map(|o| o.as_bytes().to_vec())
    }

    /// Revocation data carried inside the signature: OCSP responses and CRLs
    /// from adbe-revocationInfoArchival and from SignedData.crls (RFC 5940).
    pub fn embedded_revocation(&self) -> RevocationData {
        let (mut ocsp, mut crls) = (vec![], vec![]);
        if let Some(archival) = self
            .signed_attr(oids::ADBE_REVOCATION_INFO_ARCHIVAL)
            .and_then(|a| a.decode_as::<RevocationInfoArchival>().ok())
        {
            ocsp.extend(archival.ocsp.iter().flatten().filter_map(|a| a.to_der().ok()));
            crls.extend(archival.crl.iter().flatten().filter_map(|a| a.to_der().ok()));
        }
        ocsp.extend(self.revocation_field.0.iter().cloned());
        crls.extend(self.revocation_field.1.iter().cloned());
        (ocsp, crls)
    }

    /// The signature timestamp token (DER), if present.
    pub fn signature_timestamp_token(&self) -> Option<Vec<u8>> {
        let attrs = self.signer.unsigned_attrs.as_ref()?;
        let attr = attrs.iter().find(|a| a.oid == oids::ATTR_SIGNATURE_TIME_STAMP)?;
        attr.values.iter().next()?.to_der().ok()
    }

    fn signed_attr(&self, oid: ObjectIdentifier) -> Option<&Any> {
        self.signer.signed_attrs.as_ref()?.iter().find(|a| a.oid == oid)?.values.iter().next()
    }

    /// Finds the signer certificate among embedded and extra certificates.
    pub fn find_signer_certificate(&self, extra: &[Vec<u8>]) -> Option<Vec<u8>> {
        self.certificates
            .iter()
            .chain(extra.iter())
            .find(|der| {
                let Ok(cert) = Certificate::from_der(der) else { return false };
                let tbs = cert.tbs_certificate();
                match &self.signer.sid {
                    SignerIdentifier::IssuerAndSerialNumber(isn) => {
                        tbs.issuer() == &isn.issuer && tbs.serial_number() == &isn.serial_number
                    }
                    SignerIdentifier::SubjectKeyIdentifier(ski) => {
                        matches!(tbs.get_extension::<SubjectKeyIdentifier>(), Ok(Some((_, s))) if s == *ski)
                    }
                }
            })
            .cloned()
    }

    /// Verifies against `content_digest` (for detached content; `None` hashes
    /// the encapsulated content) under `policy`.
    pub fn verify(&self, content_digest: Option<&[u8]>, policy: &VerifyPolicy<'_>) -> CmsReport {
        let mut problems = vec![];
        let digest = self.digest_algorithm().map_err(|e| problems.push(e.to_string())).ok();
        let scheme = SignatureAlgorithm::from_algorithm_identifier(&self.signer.signature_algorithm, digest)
            .map_err(|e| problems.push(e.to_string()))
            .ok();

        // Content digest against the message-digest attribute.
        let computed = match (content_digest, digest) {
            (Some(d), _) => Some(d.to_vec()),
            (None, Some(alg)) => self.encapsulated_content().map(|c| alg.digest(&c)),
            (None, None) => None,
        };
        let attr_digest = self.signed_attr(oids::ATTR_MESSAGE_DIGEST).and_then(|a| a.decode_as::<OctetString>().ok());
        let message_digest_ok = match (&computed, &attr_digest) {
            (Some(c), Some(a)) => c.as_slice() == a.as_bytes(),
            _ => false,
        };
        if !message_digest_ok {
            problems.push("the message digest does not match the signed content".into());
        }
        let content_type =
            self.signed_attr(oids::ATTR_CONTENT_TYPE).and_then(|a| a.decode_as::<ObjectIdentifier>().ok());
        if content_type != Some(self.signed_data.encap_content_info.econtent_type) {
            problems.push("the content-type attribute is missing or differs from the content".into());
        }

        // Signer certificate and signature.
        let signer_certificate = self.find_signer_certificate(policy.extra_certificates);
        let signer = signer_certificate.as_deref().and_then(|d| Certificate::from_der(d).ok());
        if signer.is_none() {
            problems.push("the signer certificate is not in the signature".into());
        }
        let signature_ok = match (&signer, scheme, &self.signed_attrs_der) {
            (Some(cert), Some(scheme), Some(attrs)) => verify_signature(
                cert.tbs_certificate().subject_public_key_info(),
                scheme,
                attrs,
                self.signer.signature.as_bytes(),
            )
            .is_ok(),
            _ => false,
        };
        if !signature_ok {
            problems.push("the signature does not verify".into());
        }
        let signing_certificate_ok = signer_certificate.as_deref().and_then(|d| self.check_ess(d));
        if signing_certificate_ok == Some(false) {
            problems.push("the signing-certificate attribute names another certificate".into());
        }
        let signing_time = self
            .signed_attr(oids::ATTR_SIGNING_TIME)
            .and_then(|a| a.to_der().ok())
            .and_then(|d| Time::from_der(&d).ok())
            .map(|t| t.to_system_time());

        // Signature timestamp.
        let timestamp = self
            .signature_timestamp_token()
            .map(|token| Box::new(verify_timestamp_token_against(&token, self.signature_value(), policy)));
        let checked_at = policy.at.unwrap_or_else(|| match &timestamp {
            Some(t) if t.is_valid() => t.gen_time,
            _ => SystemTime::now(),
        });
        let mut pool: Vec<Vec<u8>> = self.certificates.clone();
        pool.extend_from_slice(policy.extra_certificates);
        let chain = match &signer_certificate {
            Some(leaf) => validate_chain(leaf, &pool, policy.trust_anchors, checked_at, policy.purpose),
            None => Err(ChainError::Malformed("no signer certificate".into())),
        };
        let (embedded_ocsp, embedded_crls) = self.embedded_revocation();
        let revocation = match &chain {
            Ok(path) => {
                let ocsp: Vec<Vec<u8>> = policy.ocsp_responses.iter().cloned().chain(embedded_ocsp).collect();
                let crls: Vec<Vec<u8>> = policy.crls.iter().cloned().chain(embedded_crls).collect();
                let with_embedded = VerifyPolicy { ocsp_responses: &ocsp, crls: &crls, ..policy.clone() };
                check_path_revocation(path, &with_embedded, checked_at, &mut problems)
            }
            Err(_) => vec![],
        };
        CmsReport {
            digest_algorithm: digest,
            signature_algorithm: scheme,
            signer_subject: signer.as_ref().map(subject_text),
            signer_certificate,
            message_digest_ok,
            signature_ok,
            signing_certificate_ok,
            signing_time,
            chain,
            checked_at,
            revocation,
            timestamp,
            problems,
        }
    }

    /// ESS signing-certificate-v2 (or v1) against the signer certificate.
    fn check_ess(&self, cert_der: &[u8]) -> Option<bool> {
        if let Some(v2) = self.signed_attr(oids::ATTR_SIGNING_CERTIFICATE_V2) {
            let Ok(v2) = v2.decode_as::<SigningCertificateV2>() else { return Some(false) };
            let first = v2.certs.first()?;
            let alg = match &first.hash_algorithm {
                None => DigestAlgorithm::Sha256,
                Some(a) => match DigestAlgorithm::from_oid(&a.oid) {
                    Ok(d) => d,
                    Err(_) => return Some(false),
                },
            };
            return Some(alg.digest(cert_der) == first.cert_hash.as_bytes());
        }
        if let Some(v1) = self.signed_attr(oids::ATTR_SIGNING_CERTIFICATE) {
            let Ok(v1) = v1.decode_as::<SigningCertificate>() else { return Some(false) };
            let first = v1.certs.first()?;
            return Some(DigestAlgorithm::Sha1.digest(cert_der) == first.cert_hash.as_bytes());
        }
        None
    }
}

/// The TSTInfo inside a TimeStampToken.
pub fn tst_info_of_token(token_der: &[u8]) -> Result<TstInfo> {
    let sig = CmsSignature::parse(token_der)?;
    if sig.signed_data.encap_content_info.econtent_type != oids::CT_TST_INFO {
        return Err(PkiError::Invalid("the token does not contain a TSTInfo".into()));
    }
    let content = sig.encapsulated_content().ok_or_else(|| PkiError::Invalid("the token has no content".into()))?;
    TstInfo::from_der(&content).map_err(PkiError::asn1("TSTInfo"))
}

/// Verifies a TimeStampToken whose imprint should be the digest of `data`
/// (with the token's own imprint algorithm), e.g. a signature value. The TSA
/// path is checked at genTime.
pub fn verify_timestamp_token_against(token_der: &[u8], data: &[u8], policy: &VerifyPolicy<'_>) -> TimestampReport {
    let imprint = tst_info_of_token(token_der)
        .ok()
        .and_then(|tst| DigestAlgorithm::from_oid(&tst.message_imprint.hash_algorithm.oid).ok())
        .map(|alg| alg.digest(data))
        .unwrap_or_default();
    verify_timestamp_token(token_der, &imprint, policy)
}

/// Verifies a TimeStampToken against an imprint the caller computed with the
/// token's imprint algorithm (read it with `tst_info_of_token`), e.g. over a
/// document timestamp's byte ranges streamed from disk.
pub fn verify_timestamp_token(token_der: &[u8], expected_imprint: &[u8], policy: &VerifyPolicy<'_>) -> TimestampReport {
    let failed = |problem: String| TimestampReport {
        gen_time: SystemTime::UNIX_EPOCH,
        serial: vec![],
        policy: oids::CT_TST_INFO,
        imprint_algorithm: None,
        imprint_ok: false,
        token: CmsReport {
            digest_algorithm: None,
            signature_algorithm: None,
            signer_certificate: None,
            signer_subject: None,
            message_digest_ok: false,
            signature_ok: false,
            signing_certificate_ok: None,
            signing_time: None,
            chain: Err(ChainError::Malformed(problem.clone())),
            checked_at: SystemTime::UNIX_EPOCH,
            revocation: vec![],
            timestamp: None,
            problems: vec![problem],
        },
    };
    let (sig, tst) = match CmsSignature::parse(token_der).and_then(|s| Ok((s, tst_info_of_token(token_der)?))) {
        Ok(v) => v,
        Err(e) => return failed(format!("timestamp token: {e}")),
    };
    let imprint_algorithm = DigestAlgorithm::from_oid(&tst.message_imprint.hash_algorithm.oid).ok();
    let imprint_ok = imprint_algorithm.is_some() && expected_imprint == tst.message_imprint.hashed_message.as_bytes();
    let gen_time = tst.gen_time.to_system_time();
    let token_policy = VerifyPolicy { at: Some(gen_time), purpose: KeyPurpose::TimeStamping, ..policy.clone() };
    let mut token = sig.verify(None, &token_policy);
    if !imprint_ok {
        token.problems.push("the timestamp imprint does not match the timestamped data".into());
    }
    TimestampReport {
        gen_time,
        serial: {
            let bytes = tst.serial_number.as_bytes();
            let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len().saturating_sub(1));
            bytes[first..].to_vec()
        },
        policy: tst.policy,
        imprint_algorithm,
        imprint_ok,
        token,
    }
}

/// Looks up every certificate of `path` (leaf first, anchor last, anchor
/// skipped) in the policy's OCSP responses and CRLs.
fn check_path_revocation(
    path: &[Vec<u8>],
    policy: &VerifyPolicy<'_>,
    at: SystemTime,
    problems: &mut Vec<String>,
) -> Vec<RevocationCheck> {
    let mut out = vec![];
    for pair in path.windows(2) {
        let (cert, issuer) = (&pair[0], &pair[1]);
        let Ok(parsed) = Certificate::from_der(cert) else { continue };
        let subject = subject_text(&parsed);
        // OCSP responders marked id-pkix-ocsp-nocheck are not checked (RFC 6960 §4.2.2.2.1).
        let no_check =
            parsed.tbs_certificate().extensions().is_some_and(|e| e.iter().any(|x| x.extn_id == oids::OCSP_NOCHECK));
        if no_check {
            continue;
        }
        let found = policy
            .ocsp_responses
            .iter()
            .find_map(|r| check_ocsp_response(r, cert, issuer).ok().map(|s| (s.status, "ocsp")))
            .or_else(|| policy.crls.iter().find_map(|c| check_crl(c, cert, issuer).ok().map(|s| (s.status, "crl"))));
        match found {
            Some((CertStatus::Revoked { time, .. }, _)) if time <= at => {
                problems.push(format!("certificate {subject} was revoked before the checked time"));
            }
            Some((CertStatus::Unknown, _)) if policy.require_revocation => {
                problems.push(format!("the responder does not know certificate {subject}"));
            }
            None if policy.require_revocation => problems.push(format!("no revocation data for {subject}")),
            _ => {}
        }
        out.push(RevocationCheck { subject, status: found.map(|f| f.0), source: found.map(|f| f.1) });
    }
    out
}

/// `RevocationInfoChoices` ([1] IMPLICIT SET OF): CertificateList (SEQUENCE) or
/// `other [1] IMPLICIT SEQUENCE { OID, ANY }` with id-ri-ocsp-response.
fn read_revocation_choices(field: &[u8]) -> Result<RevocationData> {
    let (mut ocsp, mut crls) = (vec![], vec![]);
    for choice in children(field)? {
        match choice.first() {
            Some(0x30) => crls.push(choice),
            Some(0xA1) => {
                let parts = children(&choice)?;
                if let [format, value] = parts.as_slice()
                    && ObjectIdentifier::from_der(format).is_ok_and(|o| o == oids::RI_OCSP_RESPONSE)
                {
                    ocsp.push(value.clone());
                }
            }
            _ => {}
        }
    }
    Ok((ocsp, crls))
}
