//! RFC 3161 and RFC 5035 ASN.1 types, on der 0.8 (the published x509-tsp is der 0.7).

use der::asn1::{Any, BitString, GeneralizedTime, Int, ObjectIdentifier, OctetString, Utf8StringRef};
use der::{Enumerated, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::{GeneralName, GeneralNames};
use x509_cert::serial_number::SerialNumber;

/// `MessageImprint ::= SEQUENCE { hashAlgorithm, hashedMessage OCTET STRING }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct MessageImprint {
    /// The digest algorithm.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// The digest value.
    pub hashed_message: OctetString,
}

/// `TimeStampReq` (RFC 3161 §2.4.1).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TimeStampReq {
    /// Always 1.
    pub version: u8,
    /// What to time-stamp.
    pub message_imprint: MessageImprint,
    /// Requested policy.
    #[asn1(optional = "true")]
    pub req_policy: Option<ObjectIdentifier>,
    /// Replay protection, echoed in TSTInfo.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// Whether to include the TSA certificate.
    #[asn1(default = "Default::default")]
    pub cert_req: bool,
    /// Extensions (none are supported; critical ones are refused).
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Vec<Extension>>,
}

/// `PKIStatus` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enumerated)]
#[asn1(type = "INTEGER")]
#[repr(u8)]
pub enum PkiStatus {
    /// A token is present.
    Granted = 0,
    /// A token is present, with modifications.
    GrantedWithMods = 1,
    /// Refused.
    Rejection = 2,
    /// Not yet.
    Waiting = 3,
    /// Revocation is imminent.
    RevocationWarning = 4,
    /// Revoked.
    RevocationNotification = 5,
}

/// `PKIStatusInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PkiStatusInfo {
    /// Overall status.
    pub status: PkiStatus,
    /// Free text (SEQUENCE OF UTF8String).
    #[asn1(optional = "true")]
    pub status_string: Option<Vec<Any>>,
    /// Failure bits (RFC 3161 §2.4.2).
    #[asn1(optional = "true")]
    pub fail_info: Option<BitString>,
}

impl PkiStatusInfo {
    /// A rejection with a reason and a failure bit.
    pub(crate) fn rejection(text: &str, fail_bit: usize) -> Self {
        let text = Utf8StringRef::new(text).ok().and_then(|t| Any::encode_from(&t).ok());
        let mut bits = vec![0u8; fail_bit / 8 + 1];
        bits[fail_bit / 8] |= 0x80 >> (fail_bit % 8);
        let unused = (7 - fail_bit % 8) as u8;
        PkiStatusInfo {
            status: PkiStatus::Rejection,
            status_string: text.map(|t| vec![t]),
            fail_info: BitString::new(unused, bits).ok(),
        }
    }
}

/// Failure bits.
pub(crate) mod fail_info {
    pub const BAD_ALG: usize = 0;
    pub const BAD_REQUEST: usize = 2;
    pub const BAD_DATA_FORMAT: usize = 5;
    pub const UNACCEPTED_POLICY: usize = 15;
    pub const UNACCEPTED_EXTENSION: usize = 16;
    pub const SYSTEM_FAILURE: usize = 25;
}

/// `TimeStampResp`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TimeStampResp {
    /// Status.
    pub status: PkiStatusInfo,
    /// The token (a CMS ContentInfo) when granted.
    #[asn1(optional = "true")]
    pub time_stamp_token: Option<Any>,
}

/// `Accuracy`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct Accuracy {
    /// Whole seconds.
    #[asn1(optional = "true")]
    pub seconds: Option<u32>,
    /// Milliseconds 1..999.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<u16>,
    /// Microseconds 1..999.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<u16>,
}

/// `TSTInfo` (RFC 3161 §2.4.2).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TstInfo {
    /// Always 1.
    pub version: u8,
    /// The TSA policy under which the token was issued.
    pub policy: ObjectIdentifier,
    /// The imprint from the request.
    pub message_imprint: MessageImprint,
    /// Unique per TSA.
    pub serial_number: Int,
    /// Time of stamping.
    pub gen_time: GeneralizedTime,
    /// Accuracy of `gen_time`.
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    /// Ordering guarantee.
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    /// The request's nonce.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// The TSA's name.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    /// Extensions.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Vec<Extension>>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber }` (RFC 5035).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct IssuerSerial {
    /// Issuer as a directoryName.
    pub issuer: GeneralNames,
    /// Certificate serial.
    pub serial_number: SerialNumber,
}

/// `ESSCertIDv2`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct EssCertIdV2 {
    /// Digest of the certificate (absent = SHA-256, as DER requires for the default).
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// Digest of the whole certificate DER.
    pub cert_hash: OctetString,
    /// Issuer and serial of the certificate.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SigningCertificateV2 {
    /// First entry = the signing certificate.
    pub certs: Vec<EssCertIdV2>,
    /// Policies (not used).
    #[asn1(optional = "true")]
    pub policies: Option<Any>,
}

/// `ESSCertID` (v1, SHA-1).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct EssCertId {
    /// SHA-1 of the certificate.
    pub cert_hash: OctetString,
    /// Issuer and serial.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `SigningCertificate` (v1).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SigningCertificate {
    /// First entry = the signing certificate.
    pub certs: Vec<EssCertId>,
    /// Policies (not used).
    #[asn1(optional = "true")]
    pub policies: Option<Any>,
}

/// Adobe `RevocationInfoArchival` (signed attribute 1.2.840.113583.1.1.8).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RevocationInfoArchival {
    /// CRLs (DER CertificateList each).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub crl: Option<Vec<Any>>,
    /// OCSP responses (DER OCSPResponse each).
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub ocsp: Option<Vec<Any>>,
    /// Other revocation info (not read).
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub other: Option<Vec<Any>>,
}
