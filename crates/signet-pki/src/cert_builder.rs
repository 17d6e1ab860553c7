//! Assembles and signs X.509 structures with any `KeySigner` (certificates, CRLs, CSRs).

use std::time::SystemTime;

use der::asn1::{Any, BitString, GeneralizedTime, Ia5String, OctetString, PrintableStringRef, UtcTime, Utf8StringRef};
use der::{DateTime, Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies,
    CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectKeyIdentifier, certpolicy::PolicyInformation,
    crl::dp::DistributionPoint,
};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::algorithm::{DigestAlgorithm, SignatureAlgorithm};
use crate::error::{PkiError, Result};
use crate::keys::KeySigner;
use crate::oids;

/// One attribute of a distinguished name.
pub(crate) enum NamePart<'a> {
    /// Encoded as UTF8String (CN, O, OU: Chinese names need UTF-8).
    Utf8(der::asn1::ObjectIdentifier, &'a str),
    /// Encoded as PrintableString (C, serialNumber).
    Printable(der::asn1::ObjectIdentifier, &'a str),
}

/// Builds a Name with one attribute per RDN, in the given order.
pub(crate) fn build_name(parts: &[NamePart<'_>]) -> Result<Name> {
    let mut rdns = RdnSequence::default();
    for part in parts {
        let (oid, value) = match part {
            NamePart::Utf8(oid, s) => {
                (*oid, Any::encode_from(&Utf8StringRef::new(s).map_err(PkiError::asn1("name attribute"))?))
            }
            NamePart::Printable(oid, s) => (
                *oid,
                Any::encode_from(
                    &PrintableStringRef::new(s)
                        .map_err(|_| PkiError::Invalid(format!("{s:?} is not a PrintableString")))?,
                ),
            ),
        };
        let value = value.map_err(PkiError::asn1("name attribute"))?;
        let rdn = RelativeDistinguishedName::try_from(vec![AttributeTypeAndValue { oid, value }])
            .map_err(PkiError::asn1("name"))?;
        rdns.push(rdn);
    }
    // Name wraps RdnSequence with RFC 5280 checks; go through DER to get them.
    Name::from_der(&rdns.to_der().map_err(PkiError::asn1("name"))?).map_err(PkiError::asn1("name"))
}

/// X.509 time: UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
pub(crate) fn x509_time(t: SystemTime) -> Result<Time> {
    let dt = DateTime::from_system_time(t).map_err(PkiError::asn1("time"))?;
    if dt.year() < 2050 {
        Ok(Time::UtcTime(UtcTime::from_date_time(dt).map_err(PkiError::asn1("time"))?))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(dt)))
    }
}

/// GeneralizedTime at whole seconds.
pub(crate) fn generalized_time(t: SystemTime) -> Result<GeneralizedTime> {
    GeneralizedTime::from_system_time(t).map_err(PkiError::asn1("time"))
}

/// A random positive 16-byte serial number (RFC 5280 allows up to 20 octets).
pub(crate) fn random_serial() -> Result<SerialNumber> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    SerialNumber::new(&bytes).map_err(PkiError::asn1("serial number"))
}

/// RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
pub(crate) fn key_identifier(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    DigestAlgorithm::Sha1.digest(spki.subject_public_key.raw_bytes())
}

#[derive(Sequence)]
struct TbsCertificateOut {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<Extension>>,
}

/// `SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING }`: certificates, CRLs, CSRs.
#[derive(Sequence)]
pub(crate) struct SignedStructure {
    pub tbs: Any,
    pub algorithm: AlgorithmIdentifierOwned,
    pub signature: BitString,
}

/// Signs DER `tbs` and wraps it as a SignedStructure.
pub(crate) fn sign_structure(tbs_der: &[u8], signer: &dyn KeySigner, scheme: SignatureAlgorithm) -> Result<Vec<u8>> {
    let signature = signer.sign_with(scheme, tbs_der)?;
    SignedStructure {
        tbs: Any::from_der(tbs_der).map_err(PkiError::asn1("to-be-signed structure"))?,
        algorithm: scheme.algorithm_identifier(),
        signature: BitString::from_bytes(&signature).map_err(PkiError::asn1("signature"))?,
    }
    .to_der()
    .map_err(PkiError::asn1("signed structure"))
}

/// Everything that goes into a certificate except the signature.
pub(crate) struct CertificateTemplate {
    pub serial: SerialNumber,
    pub issuer: Name,
    pub subject: Name,
    pub not_before: SystemTime,
    pub not_after: SystemTime,
    pub spki: SubjectPublicKeyInfoOwned,
    pub extensions: Vec<Extension>,
}

impl CertificateTemplate {
    /// Signs the template, returning certificate DER.
    pub(crate) fn sign(self, signer: &dyn KeySigner) -> Result<Vec<u8>> {
        let scheme = signer.algorithm().default_signature();
        if self.not_after <= self.not_before {
            return Err(PkiError::Invalid("certificate validity ends before it begins".into()));
        }
        let tbs = TbsCertificateOut {
            version: 2,
            serial_number: self.serial,
            signature: scheme.algorithm_identifier(),
            issuer: self.issuer,
            validity: Validity::new(x509_time(self.not_before)?, x509_time(self.not_after)?),
            subject: self.subject,
            subject_public_key_info: self.spki,
            extensions: if self.extensions.is_empty() { None } else { Some(self.extensions) },
        };
        let tbs_der = tbs.to_der().map_err(PkiError::asn1("TBSCertificate"))?;
        sign_structure(&tbs_der, signer, scheme)
    }
}

/// An extension with a DER-encoded value.
pub(crate) fn extension(oid: der::asn1::ObjectIdentifier, critical: bool, value: &impl Encode) -> Result<Extension> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(PkiError::asn1("extension"))?)
            .map_err(PkiError::asn1("extension"))?,
    })
}

fn uri(url: &str) -> Result<GeneralName> {
    Ia5String::new(url)
        .map(GeneralName::UniformResourceIdentifier)
        .map_err(|_| PkiError::Invalid(format!("URL {url:?} is not ASCII")))
}

/// Extension helpers, one per profile element.
pub(crate) mod ext {
    use super::*;

    pub fn basic_constraints(ca: bool, path_len: Option<u8>) -> Result<Extension> {
        extension(oids::EXT_BASIC_CONSTRAINTS, true, &BasicConstraints { ca, path_len_constraint: path_len })
    }

    pub fn key_usage(usages: impl Into<der::flagset::FlagSet<KeyUsages>>) -> Result<Extension> {
        extension(oids::EXT_KEY_USAGE, true, &KeyUsage(usages.into()))
    }

    pub fn extended_key_usage(critical: bool, purposes: &[der::asn1::ObjectIdentifier]) -> Result<Extension> {
        extension(oids::EXT_EXTENDED_KEY_USAGE, critical, &ExtendedKeyUsage(purposes.to_vec()))
    }

    pub fn subject_key_id(spki: &SubjectPublicKeyInfoOwned) -> Result<Extension> {
        let id = OctetString::new(key_identifier(spki)).map_err(PkiError::asn1("key identifier"))?;
        extension(oids::EXT_SUBJECT_KEY_ID, false, &SubjectKeyIdentifier(id))
    }

    pub fn authority_key_id(issuer_spki: &SubjectPublicKeyInfoOwned) -> Result<Extension> {
        let id = OctetString::new(key_identifier(issuer_spki)).map_err(PkiError::asn1("key identifier"))?;
        extension(
            oids::EXT_AUTHORITY_KEY_ID,
            false,
            &AuthorityKeyIdentifier {
                key_identifier: Some(id),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        )
    }

    /// AIA with caIssuers and, when given, OCSP.
    pub fn authority_info_access(ca_issuers: &str, ocsp: Option<&str>) -> Result<Extension> {
        let mut access = vec![];
        if let Some(ocsp) = ocsp {
            access.push(AccessDescription { access_method: oids::AD_OCSP, access_location: uri(ocsp)? });
        }
        access.push(AccessDescription { access_method: oids::AD_CA_ISSUERS, access_location: uri(ca_issuers)? });
        extension(oids::EXT_AUTHORITY_INFO_ACCESS, false, &AuthorityInfoAccessSyntax(access))
    }

    pub fn crl_distribution_point(url: &str) -> Result<Extension> {
        let point = DistributionPoint {
            distribution_point: Some(DistributionPointName::FullName(vec![uri(url)?])),
            reasons: None,
            crl_issuer: None,
        };
        extension(oids::EXT_CRL_DISTRIBUTION_POINTS, false, &CrlDistributionPoints(vec![point]))
    }

    pub fn certificate_policies(policies: &[der::asn1::ObjectIdentifier]) -> Result<Extension> {
        let infos =
            policies.iter().map(|oid| PolicyInformation { policy_identifier: *oid, policy_qualifiers: None }).collect();
        extension(oids::EXT_CERTIFICATE_POLICIES, false, &CertificatePolicies(infos))
    }

    /// id-pkix-ocsp-nocheck: validators need not check the responder's own status.
    pub fn ocsp_no_check() -> Result<Extension> {
        extension(oids::OCSP_NOCHECK, false, &der::asn1::Null)
    }
}

pub(crate) use x509_cert::ext::pkix::KeyUsages as Ku;
