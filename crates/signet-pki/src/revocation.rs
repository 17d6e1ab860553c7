//! OCSP responder (RFC 6960) and CRL generation (RFC 5280 §5).

use std::time::{Duration, SystemTime};

use der::asn1::{Any, BitString, Null, OctetString, Uint};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;

use crate::algorithm::DigestAlgorithm;
use crate::ca::{CaMaterial, CertifiedKey, parse_certificate};
use crate::cert_builder::{ext, extension, generalized_time, sign_structure, x509_time};
use crate::custody::KeyCustody;
use crate::error::{PkiError, Result};
use crate::keys::KeySigner;
use crate::ocsp_types::{
    BasicOcspResponse, CertId, CertStatusChoice, CrlReasonCode, OcspRequest, OcspResponse, OcspResponseStatus,
    ResponderId, ResponseBytes, ResponseData, RevokedInfo, SingleResponse,
};
use crate::oids;

/// The status the caller's records give for one certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertStatus {
    /// Issued and not revoked.
    Good,
    /// Revoked at `time`.
    Revoked {
        /// Revocation time.
        time: SystemTime,
        /// Reason, if recorded.
        reason: Option<CrlReasonCode>,
    },
    /// Never issued by this CA (as far as the records know).
    Unknown,
}

/// One CA's responder identity.
struct ResponderFor {
    /// URL name of the CA (`root`, `rsa`, `ecdsa`, `sm2`).
    name: &'static str,
    ca_subject_der: Vec<u8>,
    ca_key_bits: Vec<u8>,
    responder: CertifiedKey,
    signer: Box<dyn KeySigner>,
}

/// Answers OCSP requests for the built-in CAs, signing with each CA's delegated responder.
pub struct OcspResponder {
    responders: Vec<ResponderFor>,
    /// nextUpdate − thisUpdate.
    pub validity: Duration,
}

impl OcspResponder {
    /// Unwraps the responder keys once.
    pub fn new(ca: &CaMaterial, custody: &dyn KeyCustody) -> Result<Self> {
        let mut responders = vec![];
        let mut add = |name: &'static str, ca_cert: &CertifiedKey, responder: &CertifiedKey| -> Result<()> {
            let cert = parse_certificate(&ca_cert.certificate_der)?;
            responders.push(ResponderFor {
                name,
                ca_subject_der: cert.tbs_certificate().subject().to_der().map_err(PkiError::asn1("CA name"))?,
                ca_key_bits: cert.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes().to_vec(),
                responder: responder.clone(),
                signer: custody.signer(&responder.key)?,
            });
            Ok(())
        };
        add("root", &ca.root, &ca.root_ocsp)?;
        for i in &ca.issuing {
            add(i.family.name(), &i.ca, &i.ocsp)?;
        }
        Ok(OcspResponder { responders, validity: Duration::from_secs(24 * 3600) })
    }

    /// Answers a DER OCSPRequest. `lookup(ca_name, serial)` gives the status
    /// from the caller's records (`ca_name` is `root`, `rsa`, `ecdsa` or `sm2`;
    /// `serial` big-endian without sign padding). Malformed requests get a
    /// `malformedRequest` response, CAs not ours `unauthorized`.
    pub fn respond(
        &self,
        request_der: &[u8],
        lookup: &dyn Fn(&str, &[u8]) -> CertStatus,
        now: SystemTime,
    ) -> Result<Vec<u8>> {
        let status_only = |status| {
            OcspResponse { response_status: status, response_bytes: None }
                .to_der()
                .map_err(PkiError::asn1("OCSPResponse"))
        };
        let Ok(request) = OcspRequest::from_der(request_der) else {
            return status_only(OcspResponseStatus::MalformedRequest);
        };
        let list = &request.tbs_request.request_list;
        if list.is_empty() {
            return status_only(OcspResponseStatus::MalformedRequest);
        }
        // The first request picks the responder; other CAs' certificates in the same request get `unknown`.
        let Some(responder) = list.iter().find_map(|r| self.responder_for(&r.req_cert)) else {
            return status_only(OcspResponseStatus::Unauthorized);
        };
        let this_update = generalized_time(now)?;
        let next_update = generalized_time(now + self.validity)?;
        let mut responses = vec![];
        for r in list {
            let id = &r.req_cert;
            let mine = self.responder_for(id).is_some_and(|x| x.name == responder.name);
            let status = if mine {
                lookup(responder.name, strip_sign(id.serial_number.as_bytes()))
            } else {
                CertStatus::Unknown
            };
            let cert_status = match status {
                CertStatus::Good => CertStatusChoice::Good(Null),
                CertStatus::Unknown => CertStatusChoice::Unknown(Null),
                CertStatus::Revoked { time, reason } => CertStatusChoice::Revoked(RevokedInfo {
                    revocation_time: generalized_time(time)?,
                    revocation_reason: reason,
                }),
            };
            responses.push(SingleResponse {
                cert_id: id.clone(),
                cert_status,
                this_update,
                next_update: Some(next_update),
                single_extensions: None,
            });
        }
        // Echo the nonce (RFC 8954).
        let nonce = request
            .tbs_request
            .request_extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == oids::OCSP_NONCE)
            .cloned()
            .map(|mut e| {
                e.critical = false;
                e
            });
        let responder_cert = parse_certificate(&responder.responder.certificate_der)?;
        let key_hash = DigestAlgorithm::Sha1
            .digest(responder_cert.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes());
        let data = ResponseData {
            version: None,
            responder_id: ResponderId::ByKey(OctetString::new(key_hash).map_err(PkiError::asn1("responder id"))?),
            produced_at: this_update,
            responses,
            response_extensions: nonce.map(|n| vec![n]),
        };
        let tbs = data.to_der().map_err(PkiError::asn1("ResponseData"))?;
        let scheme = responder.signer.algorithm().default_signature();
        let signature = responder.signer.sign_with(scheme, &tbs)?;
        let basic = BasicOcspResponse {
            tbs_response_data: Any::from_der(&tbs).map_err(PkiError::asn1("ResponseData"))?,
            signature_algorithm: scheme.algorithm_identifier(),
            signature: BitString::from_bytes(&signature).map_err(PkiError::asn1("signature"))?,
            certs: Some(vec![responder_cert]),
        };
        OcspResponse {
            response_status: OcspResponseStatus::Successful,
            response_bytes: Some(ResponseBytes {
                response_type: oids::OCSP_BASIC,
                response: OctetString::new(basic.to_der().map_err(PkiError::asn1("BasicOCSPResponse"))?)
                    .map_err(PkiError::asn1("BasicOCSPResponse"))?,
            }),
        }
        .to_der()
        .map_err(PkiError::asn1("OCSPResponse"))
    }

    /// The `(ca_name, serial)` pairs a request asks about, for CAs served here,
    /// so an async caller can fetch the statuses first and then answer with
    /// `respond` and a lookup over what it fetched. Malformed requests give none.
    pub fn requested_serials(&self, request_der: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
        let Ok(request) = OcspRequest::from_der(request_der) else { return vec![] };
        request
            .tbs_request
            .request_list
            .iter()
            .filter_map(|r| {
                let responder = self.responder_for(&r.req_cert)?;
                Some((responder.name, strip_sign(r.req_cert.serial_number.as_bytes()).to_vec()))
            })
            .collect()
    }

    fn responder_for(&self, id: &CertId) -> Option<&ResponderFor> {
        let alg = DigestAlgorithm::from_oid(&id.hash_algorithm.oid).ok()?;
        self.responders.iter().find(|r| {
            alg.digest(&r.ca_subject_der) == id.issuer_name_hash.as_bytes()
                && alg.digest(&r.ca_key_bits) == id.issuer_key_hash.as_bytes()
        })
    }
}

/// Serial bytes without the leading zero DER adds for positive numbers.
fn strip_sign(bytes: &[u8]) -> &[u8] {
    match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => bytes,
    }
}

/// Builds an OCSP request for `cert` issued by `issuer` (SHA-256 CertID, with nonce).
pub fn build_ocsp_request(cert_der: &[u8], issuer_der: &[u8]) -> Result<Vec<u8>> {
    let cert = parse_certificate(cert_der)?;
    let issuer = parse_certificate(issuer_der)?;
    let alg = DigestAlgorithm::Sha256;
    let id = CertId {
        hash_algorithm: alg.algorithm_identifier(),
        issuer_name_hash: OctetString::new(
            alg.digest(&issuer.tbs_certificate().subject().to_der().map_err(PkiError::asn1("name"))?),
        )
        .map_err(PkiError::asn1("CertID"))?,
        issuer_key_hash: OctetString::new(
            alg.digest(issuer.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes()),
        )
        .map_err(PkiError::asn1("CertID"))?,
        serial_number: cert.tbs_certificate().serial_number().clone(),
    };
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
    let nonce_ext =
        extension(oids::OCSP_NONCE, false, &OctetString::new(nonce.to_vec()).map_err(PkiError::asn1("nonce"))?)?;
    OcspRequest {
        tbs_request: crate::ocsp_types::TbsRequest {
            version: None,
            requestor_name: None,
            request_list: vec![crate::ocsp_types::Request { req_cert: id, single_request_extensions: None }],
            request_extensions: Some(vec![nonce_ext]),
        },
        optional_signature: None,
    }
    .to_der()
    .map_err(PkiError::asn1("OCSPRequest"))
}

/// One revoked certificate for a CRL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry {
    /// Serial number, big-endian.
    pub serial: Vec<u8>,
    /// Revocation time.
    pub time: SystemTime,
    /// Reason, if recorded.
    pub reason: Option<CrlReasonCode>,
}

#[derive(Sequence)]
struct RevokedCert {
    serial: SerialNumber,
    date: Time,
    #[asn1(optional = "true")]
    extensions: Option<Vec<Extension>>,
}

#[derive(Sequence)]
struct TbsCertList {
    version: u8,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    this_update: Time,
    next_update: Time,
    #[asn1(optional = "true")]
    revoked: Option<Vec<RevokedCert>>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    extensions: Vec<Extension>,
}

/// A v2 CRL for the CA named `ca_name` (`root`, `rsa`, `ecdsa`, `sm2`), signed by
/// that CA, with AKI and CRL number; entries carry reason codes.
pub fn generate_crl(
    ca: &CaMaterial,
    custody: &dyn KeyCustody,
    ca_name: &str,
    crl_number: u64,
    this_update: SystemTime,
    next_update: SystemTime,
    revoked: &[RevokedEntry],
) -> Result<Vec<u8>> {
    let issuer = if ca_name == "root" {
        &ca.root
    } else {
        &ca.issuing
            .iter()
            .find(|i| i.family.name() == ca_name)
            .ok_or_else(|| PkiError::Invalid(format!("no CA named {ca_name:?}")))?
            .ca
    };
    let issuer_cert: Certificate = parse_certificate(&issuer.certificate_der)?;
    let signer = custody.signer(&issuer.key)?;
    let scheme = signer.algorithm().default_signature();
    let entries = revoked
        .iter()
        .map(|r| {
            let extensions = match r.reason {
                Some(reason) => Some(vec![extension(oids::EXT_CRL_REASON, false, &reason)?]),
                None => None,
            };
            Ok(RevokedCert {
                serial: SerialNumber::new(&r.serial).map_err(PkiError::asn1("serial"))?,
                date: x509_time(r.time)?,
                extensions,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let tbs = TbsCertList {
        version: 1,
        signature: scheme.algorithm_identifier(),
        issuer: issuer_cert.tbs_certificate().subject().clone(),
        this_update: x509_time(this_update)?,
        next_update: x509_time(next_update)?,
        revoked: if entries.is_empty() { None } else { Some(entries) },
        extensions: vec![
            ext::authority_key_id(issuer_cert.tbs_certificate().subject_public_key_info())?,
            extension(
                oids::EXT_CRL_NUMBER,
                false,
                &Uint::new(&crl_number.to_be_bytes()).map_err(PkiError::asn1("CRL number"))?,
            )?,
        ],
    };
    let tbs_der = tbs.to_der().map_err(PkiError::asn1("TBSCertList"))?;
    sign_structure(&tbs_der, signer.as_ref(), scheme)
}
