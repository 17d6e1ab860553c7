//! RFC 6960 OCSP ASN.1 types on der 0.8 (the published x509-ocsp is der 0.7).

use der::asn1::{BitString, GeneralizedTime, Null, ObjectIdentifier, OctetString};
use der::{Choice, Enumerated, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;

/// `CertID`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertId {
    /// Hash used for the two issuer hashes.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// Hash of the issuer's subject Name DER.
    pub issuer_name_hash: OctetString,
    /// Hash of the issuer's subjectPublicKey bits.
    pub issuer_key_hash: OctetString,
    /// The certificate's serial number.
    pub serial_number: SerialNumber,
}

/// `Request`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct Request {
    /// Which certificate.
    pub req_cert: CertId,
    /// Per-request extensions.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub single_request_extensions: Option<Vec<Extension>>,
}

/// `TBSRequest`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TbsRequest {
    /// v1 = 0 (DEFAULT, absent).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub version: Option<u8>,
    /// Requestor.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub requestor_name: Option<GeneralName>,
    /// The certificates asked about.
    pub request_list: Vec<Request>,
    /// Extensions (nonce).
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub request_extensions: Option<Vec<Extension>>,
}

/// `Signature` of a signed request (ignored: we answer anyone).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RequestSignature {
    /// Algorithm.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// Value.
    pub signature: BitString,
    /// Certificates.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub certs: Option<Vec<Certificate>>,
}

/// `OCSPRequest`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct OcspRequest {
    /// The request.
    pub tbs_request: TbsRequest,
    /// Optional requestor signature.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub optional_signature: Option<RequestSignature>,
}

/// `OCSPResponseStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enumerated)]
#[repr(u8)]
pub enum OcspResponseStatus {
    /// Response has valid confirmations.
    Successful = 0,
    /// Illegal confirmation request.
    MalformedRequest = 1,
    /// Internal error in issuer.
    InternalError = 2,
    /// Try again later.
    TryLater = 3,
    /// Must sign the request.
    SigRequired = 5,
    /// Request unauthorized (issuer not served here).
    Unauthorized = 6,
}

/// `ResponseBytes`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct ResponseBytes {
    /// id-pkix-ocsp-basic.
    pub response_type: ObjectIdentifier,
    /// BasicOCSPResponse DER.
    pub response: OctetString,
}

/// `OCSPResponse`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct OcspResponse {
    /// Status.
    pub response_status: OcspResponseStatus,
    /// Present when successful.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub response_bytes: Option<ResponseBytes>,
}

/// `ResponderID`.
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum ResponderId {
    /// By name.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    ByName(Name),
    /// SHA-1 of the responder's subjectPublicKey bits.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    ByKey(OctetString),
}

/// `RevokedInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RevokedInfo {
    /// When.
    pub revocation_time: GeneralizedTime,
    /// CRLReason (ENUMERATED), explicit [0].
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub revocation_reason: Option<CrlReasonCode>,
}

/// `CRLReason` as an ENUMERATED.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enumerated)]
#[repr(u8)]
pub enum CrlReasonCode {
    /// unspecified.
    Unspecified = 0,
    /// keyCompromise.
    KeyCompromise = 1,
    /// cACompromise.
    CaCompromise = 2,
    /// affiliationChanged.
    AffiliationChanged = 3,
    /// superseded.
    Superseded = 4,
    /// cessationOfOperation.
    CessationOfOperation = 5,
    /// certificateHold.
    CertificateHold = 6,
    /// removeFromCRL.
    RemoveFromCrl = 8,
    /// privilegeWithdrawn.
    PrivilegeWithdrawn = 9,
    /// aACompromise.
    AaCompromise = 10,
}

/// `CertStatus`.
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum CertStatusChoice {
    /// Not revoked.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Good(Null),
    /// Revoked.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Revoked(RevokedInfo),
    /// Not known to this responder.
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    Unknown(Null),
}

/// `SingleResponse`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SingleResponse {
    /// The CertID as requested.
    pub cert_id: CertId,
    /// Status.
    pub cert_status: CertStatusChoice,
    /// When the status was known correct.
    pub this_update: GeneralizedTime,
    /// When newer information will be available.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub next_update: Option<GeneralizedTime>,
    /// Extensions.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub single_extensions: Option<Vec<Extension>>,
}

/// `ResponseData`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct ResponseData {
    /// v1 (DEFAULT, absent).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub version: Option<u8>,
    /// Who signed.
    pub responder_id: ResponderId,
    /// When signed.
    pub produced_at: GeneralizedTime,
    /// One per request.
    pub responses: Vec<SingleResponse>,
    /// Extensions (nonce).
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub response_extensions: Option<Vec<Extension>>,
}

/// `BasicOCSPResponse` (tbs kept as raw DER for signing and checking).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct BasicOcspResponse {
    /// ResponseData.
    pub tbs_response_data: der::asn1::Any,
    /// Signature algorithm.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// Signature.
    pub signature: BitString,
    /// Responder certificate(s).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub certs: Option<Vec<Certificate>>,
}
