//! Detached CMS SignedData for PAdES (CAdES baseline attributes) and adbe.pkcs7.detached.

use std::time::SystemTime;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;

use crate::algorithm::{DigestAlgorithm, SignatureAlgorithm};
use crate::cert_builder::x509_time;
use crate::error::{PkiError, Result};
use crate::keys::KeySigner;
use crate::oids;
use crate::tsp_types::{EssCertIdV2, IssuerSerial, RevocationInfoArchival, SigningCertificateV2};

/// Obtains RFC 3161 tokens; the transport (built-in TSA, HTTP client) is the caller's.
pub trait TimestampSource: Send + Sync {
    /// Returns a TimeStampToken (ContentInfo DER) over `imprint`, a digest made with `imprint_alg`.
    fn timestamp(&self, imprint_alg: DigestAlgorithm, imprint: &[u8]) -> Result<Vec<u8>>;
}

/// Which signed attributes to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmsProfile {
    /// `ETSI.CAdES.detached` (PAdES baseline): content-type, message-digest,
    /// signing-certificate-v2; no signing-time.
    Pades,
    /// `adbe.pkcs7.detached`: the same plus signing-time.
    AdbePkcs7Detached {
        /// The claimed signing time.
        signing_time: SystemTime,
    },
}

/// Builds detached SignedData over a content digest the caller computed.
pub struct CmsBuilder<'a> {
    signer: &'a dyn KeySigner,
    identity: SignerIdentity,
    digest: DigestAlgorithm,
    scheme: SignatureAlgorithm,
    profile: CmsProfile,
    timestamp: Option<&'a dyn TimestampSource>,
    revocation: Option<RevocationInfoArchival>,
    gm_oids: bool,
}

/// Bytes reserved for a signature timestamp token when estimating `max_len`.
pub const TIMESTAMP_RESERVE: usize = 12 * 1024;

impl<'a> CmsBuilder<'a> {
    /// A builder for `signer`, whose certificate is `certificate_der`; `chain`
    /// holds the issuers to embed (leaf excluded). The digest defaults to the key's.
    /// Certificates are parsed once here, so one builder can sign many digests fast.
    pub fn new(signer: &'a dyn KeySigner, certificate_der: &[u8], chain: &[Vec<u8>]) -> Result<Self> {
        let algorithm = signer.algorithm();
        let embedded: Vec<&[u8]> = std::iter::once(certificate_der).chain(chain.iter().map(Vec::as_slice)).collect();
        Ok(CmsBuilder {
            signer,
            identity: SignerIdentity::new(signer, certificate_der, &embedded)?,
            digest: algorithm.default_digest(),
            scheme: algorithm.default_signature(),
            profile: CmsProfile::Pades,
            timestamp: None,
            revocation: None,
            gm_oids: false,
        })
    }

    /// Digest for content and signed attributes; the signature scheme follows
    /// (PKCS#1 v1.5 for RSA; ECDSA P-256 with ring only signs SHA-256).
    pub fn digest(mut self, digest: DigestAlgorithm) -> Result<Self> {
        self.scheme = SignatureAlgorithm::for_family(self.signer.algorithm().family(), digest)?;
        self.digest = digest;
        Ok(self)
    }

    /// Overrides the signature scheme (e.g. RSASSA-PSS); it must hash with the chosen digest.
    pub fn scheme(mut self, scheme: SignatureAlgorithm) -> Result<Self> {
        if scheme.digest() != self.digest || scheme.family() != self.signer.algorithm().family() {
            return Err(PkiError::UnsupportedAlgorithm(format!("{} with {}", scheme.name(), self.digest.name())));
        }
        self.scheme = scheme;
        Ok(self)
    }

    /// Chooses the attribute profile.
    pub fn profile(mut self, profile: CmsProfile) -> Self {
        self.profile = profile;
        self
    }

    /// Adds a signature timestamp (id-aa-signatureTimeStampToken) from `source`.
    pub fn timestamp(mut self, source: &'a dyn TimestampSource) -> Self {
        self.timestamp = Some(source);
        self
    }

    /// Embeds OCSP responses and CRLs as the signed attribute
    /// adbe-revocationInfoArchival (Adobe's LTV for `adbe.pkcs7.detached`; PAdES
    /// puts them in the DSS instead). Counted in `max_len`.
    pub fn revocation_values(mut self, ocsp_responses: &[Vec<u8>], crls: &[Vec<u8>]) -> Result<Self> {
        let many = |items: &[Vec<u8>]| -> Result<Option<Vec<Any>>> {
            if items.is_empty() {
                return Ok(None);
            }
            items
                .iter()
                .map(|d| Any::from_der(d).map_err(PkiError::asn1("revocation value")))
                .collect::<Result<_>>()
                .map(Some)
        };
        self.revocation = Some(RevocationInfoArchival { crl: many(crls)?, ocsp: many(ocsp_responses)?, other: None });
        Ok(self)
    }

    /// GB/T 35275 identifiers for SM2 signatures: content types
    /// 1.2.156.10197.6.1.4.2.{1,2} and signature algorithm SM2-1
    /// (1.2.156.10197.1.301.1), as Chinese 国密 toolkits expect. SM2 keys only.
    pub fn gm_oids(mut self) -> Result<Self> {
        if self.scheme != SignatureAlgorithm::Sm2Sm3 {
            return Err(PkiError::UnsupportedAlgorithm("GB/T 35275 identifiers need an SM2 key".into()));
        }
        self.gm_oids = true;
        Ok(self)
    }

    /// The digest the caller must compute over the content.
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.digest
    }

    /// An upper bound on the DER length of `sign`'s output, so the PDF engine
    /// can reserve /Contents (times two for hex). Includes `TIMESTAMP_RESERVE`
    /// when a timestamp source is set.
    pub fn max_len(&self) -> usize {
        let certs: usize = self.identity.embedded_len;
        let signature = match self.signer.algorithm().rsa_bits() {
            Some(bits) => bits / 8 + 8,
            None => 2 * 66 + 16,
        };
        let fixed = 1024; // headers, algorithm identifiers, attributes, issuer name margin
        let issuer = self.identity.leaf.tbs_certificate().issuer().to_der().map_or(512, |n| 2 * n.len() + 64);
        let ts = if self.timestamp.is_some() { TIMESTAMP_RESERVE } else { 0 };
        let revocation = self.revocation.as_ref().and_then(|r| r.to_der().ok()).map_or(0, |d| d.len() + 32);
        certs + signature + fixed + issuer + self.digest.output_len() * 2 + ts + revocation
    }

    /// Signs `content_digest` (made with `digest_algorithm()`), returning ContentInfo DER.
    pub fn sign(&self, content_digest: &[u8]) -> Result<Vec<u8>> {
        if content_digest.len() != self.digest.output_len() {
            return Err(PkiError::Invalid(format!(
                "content digest has {} bytes, {} gives {}",
                content_digest.len(),
                self.digest.name(),
                self.digest.output_len()
            )));
        }
        let unsigned = |signature: &[u8]| -> Result<Option<SetOfVec<Attribute>>> {
            let Some(source) = self.timestamp else { return Ok(None) };
            let imprint = self.digest.digest(signature);
            let token = source.timestamp(self.digest, &imprint)?;
            let token = Any::from_der(&token).map_err(PkiError::asn1("timestamp token"))?;
            let mut values = SetOfVec::new();
            values.insert(token).map_err(PkiError::asn1("timestamp token"))?;
            let mut set = SetOfVec::new();
            set.insert(Attribute { oid: oids::ATTR_SIGNATURE_TIME_STAMP, values })
                .map_err(PkiError::asn1("unsigned attributes"))?;
            Ok(Some(set))
        };
        let signing_time = match self.profile {
            CmsProfile::AdbePkcs7Detached { signing_time } => Some(signing_time),
            CmsProfile::Pades => None,
        };
        assemble_signed_data(&SignedDataParts {
            signer: self.signer,
            scheme: self.scheme,
            digest: self.digest,
            identity: &self.identity,
            econtent_type: if self.gm_oids { oids::GM_DATA } else { oids::CT_DATA },
            econtent: None,
            gm_oids: self.gm_oids,
            content_digest,
            signing_time,
            revocation: self.revocation.as_ref(),
            unsigned: &unsigned,
        })
    }
}

/// A signer's certificate and the certificates to embed, parsed and sorted once.
pub(crate) struct SignerIdentity {
    pub certificate_der: Vec<u8>,
    pub leaf: Certificate,
    pub certificates: Option<CertificateSet>,
    pub embedded_len: usize,
}

impl SignerIdentity {
    /// Checks that `certificate_der` is `signer`'s and prepares `embedded` (may be empty).
    pub(crate) fn new(signer: &dyn KeySigner, certificate_der: &[u8], embedded: &[&[u8]]) -> Result<Self> {
        let leaf = Certificate::from_der(certificate_der).map_err(PkiError::asn1("signer certificate"))?;
        if leaf.tbs_certificate().subject_public_key_info().to_der().map_err(PkiError::asn1("SPKI"))?
            != signer.public_key_der()
        {
            return Err(PkiError::Invalid("the certificate is not for this signing key".into()));
        }
        let mut certs = SetOfVec::new();
        for der in embedded {
            let c = Certificate::from_der(der).map_err(PkiError::asn1("chain certificate"))?;
            // A chain that repeats a certificate is harmless; SET OF refuses duplicates.
            let _ = certs.insert(CertificateChoices::Certificate(c));
        }
        Ok(SignerIdentity {
            certificate_der: certificate_der.to_vec(),
            leaf,
            certificates: if certs.is_empty() { None } else { Some(CertificateSet(certs)) },
            embedded_len: embedded.iter().map(|c| c.len()).sum(),
        })
    }
}

/// Inputs of one SignerInfo inside a SignedData.
pub(crate) struct SignedDataParts<'a> {
    pub signer: &'a dyn KeySigner,
    pub scheme: SignatureAlgorithm,
    pub digest: DigestAlgorithm,
    pub identity: &'a SignerIdentity,
    pub econtent_type: der::asn1::ObjectIdentifier,
    /// Encapsulated content (TSTInfo), or None for detached.
    pub econtent: Option<Vec<u8>>,
    pub content_digest: &'a [u8],
    pub signing_time: Option<SystemTime>,
    /// GB/T 35275 content type and SM2-1 signature identifiers.
    pub gm_oids: bool,
    /// adbe-revocationInfoArchival, when set.
    pub revocation: Option<&'a RevocationInfoArchival>,
    /// Unsigned attributes computed from the signature value.
    #[allow(clippy::type_complexity)]
    pub unsigned: &'a dyn Fn(&[u8]) -> Result<Option<SetOfVec<Attribute>>>,
}

/// Builds ContentInfo(SignedData) with one signer: content-type, message-digest,
/// signing-certificate-v2 and optionally signing-time as signed attributes.
pub(crate) fn assemble_signed_data(p: &SignedDataParts<'_>) -> Result<Vec<u8>> {
    let cert = &p.identity.leaf;
    let tbs = cert.tbs_certificate();

    let mut attrs = SetOfVec::new();
    let mut add = |oid, value: Any| -> Result<()> {
        let mut values = SetOfVec::new();
        values.insert(value).map_err(PkiError::asn1("attribute"))?;
        attrs.insert(Attribute { oid, values }).map_err(PkiError::asn1("signed attributes"))?;
        Ok(())
    };
    add(oids::ATTR_CONTENT_TYPE, any(&p.econtent_type)?)?;
    add(
        oids::ATTR_MESSAGE_DIGEST,
        any(&OctetString::new(p.content_digest).map_err(PkiError::asn1("message digest"))?)?,
    )?;
    add(
        oids::ATTR_SIGNING_CERTIFICATE_V2,
        any(&signing_certificate_v2(cert, &p.identity.certificate_der, p.digest)?)?,
    )?;
    if let Some(signing_time) = p.signing_time {
        add(oids::ATTR_SIGNING_TIME, any(&x509_time(signing_time)?)?)?;
    }
    if let Some(revocation) = p.revocation {
        add(oids::ADBE_REVOCATION_INFO_ARCHIVAL, any(revocation)?)?;
    }
    let signed_der = attrs.to_der().map_err(PkiError::asn1("signed attributes"))?;
    let signature = p.signer.sign_with(p.scheme, &signed_der)?;
    let unsigned_attrs = (p.unsigned)(&signature)?;

    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: p.digest.algorithm_identifier(),
        signed_attrs: Some(attrs),
        signature_algorithm: if p.gm_oids {
            AlgorithmIdentifierOwned { oid: oids::SM2_SIGN, parameters: None }
        } else {
            p.scheme.algorithm_identifier()
        },
        signature: OctetString::new(signature).map_err(PkiError::asn1("signature"))?,
        unsigned_attrs,
    };
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(p.digest.algorithm_identifier()).map_err(PkiError::asn1("digest algorithms"))?;
    let mut infos = SetOfVec::new();
    infos.insert(signer_info).map_err(PkiError::asn1("signer infos"))?;
    let econtent = match &p.econtent {
        Some(bytes) => Some(any(&OctetString::new(bytes.as_slice()).map_err(PkiError::asn1("content"))?)?),
        None => None,
    };
    let signed_data = SignedData {
        // RFC 5652 §5.1: version 3 when the content is not id-data.
        version: if p.econtent_type == oids::CT_DATA || p.econtent_type == oids::GM_DATA {
            CmsVersion::V1
        } else {
            CmsVersion::V3
        },
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo { econtent_type: p.econtent_type, econtent },
        certificates: p.identity.certificates.clone(),
        crls: None,
        signer_infos: SignerInfos(infos),
    };
    ContentInfo {
        content_type: if p.gm_oids { oids::GM_SIGNED_DATA } else { oids::CT_SIGNED_DATA },
        content: Any::encode_from(&signed_data).map_err(PkiError::asn1("SignedData"))?,
    }
    .to_der()
    .map_err(PkiError::asn1("ContentInfo"))
}

fn any<T: Encode>(value: &T) -> Result<Any> {
    Any::from_der(&value.to_der().map_err(PkiError::asn1("attribute"))?).map_err(PkiError::asn1("attribute"))
}

/// ESS signing-certificate-v2 for `cert` (hash omitted from DER when SHA-256, its default).
pub(crate) fn signing_certificate_v2(
    cert: &Certificate,
    cert_der: &[u8],
    digest: DigestAlgorithm,
) -> Result<SigningCertificateV2> {
    let digest = if digest == DigestAlgorithm::Sha1 { DigestAlgorithm::Sha256 } else { digest };
    let tbs = cert.tbs_certificate();
    Ok(SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: (digest != DigestAlgorithm::Sha256).then(|| digest.algorithm_identifier()),
            cert_hash: OctetString::new(digest.digest(cert_der)).map_err(PkiError::asn1("cert hash"))?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            }),
        }],
        policies: None,
    })
}
