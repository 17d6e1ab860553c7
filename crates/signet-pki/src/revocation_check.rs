//! Reading revocation data: OCSP responses and CRLs checked against a certificate,
//! and the URLs a certificate points to (for the caller's fetching).

use std::time::SystemTime;

use der::asn1::GeneralizedTime;
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints, ExtendedKeyUsage};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;

use crate::algorithm::{DigestAlgorithm, SignatureAlgorithm};
use crate::ca::parse_certificate;
use crate::chain::{is_issued_by, signed_parts};
use crate::error::{PkiError, Result};
use crate::ocsp_types::{
    BasicOcspResponse, CertStatusChoice, CrlReasonCode, OcspResponse, OcspResponseStatus, ResponderId, ResponseData,
};
use crate::oids;
use crate::revocation::CertStatus;
use crate::verify_signature::verify_signature;

/// Where a certificate says its issuer and revocation data live.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertificateUrls {
    /// AIA OCSP responders.
    pub ocsp: Vec<String>,
    /// AIA caIssuers.
    pub ca_issuers: Vec<String>,
    /// CRL distribution points.
    pub crl: Vec<String>,
}

/// The AIA and CRL DP URLs of a certificate.
pub fn certificate_urls(cert_der: &[u8]) -> Result<CertificateUrls> {
    let cert = parse_certificate(cert_der)?;
    let tbs = cert.tbs_certificate();
    let mut urls = CertificateUrls::default();
    let uri = |name: &GeneralName| match name {
        GeneralName::UniformResourceIdentifier(u) => Some(u.to_string()),
        _ => None,
    };
    if let Some((_, aia)) = tbs.get_extension::<AuthorityInfoAccessSyntax>().map_err(PkiError::asn1("AIA"))? {
        for access in aia.0 {
            if let Some(u) = uri(&access.access_location) {
                if access.access_method == oids::AD_OCSP {
                    urls.ocsp.push(u);
                } else if access.access_method == oids::AD_CA_ISSUERS {
                    urls.ca_issuers.push(u);
                }
            }
        }
    }
    if let Some((_, dps)) = tbs.get_extension::<CrlDistributionPoints>().map_err(PkiError::asn1("CRL DP"))? {
        for dp in dps.0 {
            if let Some(DistributionPointName::FullName(names)) = dp.distribution_point {
                urls.crl.extend(names.iter().filter_map(uri));
            }
        }
    }
    Ok(urls)
}

/// A checked OCSP answer for one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspStatus {
    /// good / revoked / unknown.
    pub status: CertStatus,
    /// When the responder signed.
    pub produced_at: SystemTime,
    /// Status known correct at.
    pub this_update: SystemTime,
    /// Fresh until.
    pub next_update: Option<SystemTime>,
}

fn revoked(time: &GeneralizedTime, reason: Option<CrlReasonCode>) -> CertStatus {
    CertStatus::Revoked { time: time.to_system_time(), reason }
}

/// Checks an OCSPResponse about `cert` (issued by `issuer`): a successful basic
/// response, signed by the issuer or by a responder the issuer certified for
/// OCSP signing, with a SingleResponse whose CertID names `cert`.
pub fn check_ocsp_response(response_der: &[u8], cert_der: &[u8], issuer_der: &[u8]) -> Result<OcspStatus> {
    let response = OcspResponse::from_der(response_der).map_err(PkiError::asn1("OCSPResponse"))?;
    if response.response_status != OcspResponseStatus::Successful {
        return Err(PkiError::Invalid(format!("OCSP responder answered {:?}", response.response_status)));
    }
    let bytes = response.response_bytes.ok_or_else(|| PkiError::Invalid("OCSP response without body".into()))?;
    if bytes.response_type != oids::OCSP_BASIC {
        return Err(PkiError::UnsupportedAlgorithm(format!("OCSP response type {}", bytes.response_type)));
    }
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes()).map_err(PkiError::asn1("BasicOCSPResponse"))?;
    let tbs = basic.tbs_response_data.to_der().map_err(PkiError::asn1("ResponseData"))?;
    let data = ResponseData::from_der(&tbs).map_err(PkiError::asn1("ResponseData"))?;
    let cert = parse_certificate(cert_der)?;
    let issuer = parse_certificate(issuer_der)?;

    // Who signed: the issuer itself or a delegated responder issued by it.
    let matches_id = |c: &Certificate| match &data.responder_id {
        ResponderId::ByName(name) => c.tbs_certificate().subject() == name,
        ResponderId::ByKey(hash) => {
            DigestAlgorithm::Sha1.digest(c.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes())
                == hash.as_bytes()
        }
    };
    let signer = if matches_id(&issuer) {
        issuer.clone()
    } else {
        let delegated = basic
            .certs
            .iter()
            .flatten()
            .find(|c| matches_id(c))
            .cloned()
            .ok_or_else(|| PkiError::Invalid("the OCSP responder certificate is not in the response".into()))?;
        let delegated_der = delegated.to_der().map_err(PkiError::asn1("responder certificate"))?;
        if !is_issued_by(&delegated_der, &delegated, &issuer) {
            return Err(PkiError::Invalid("the OCSP responder is not certified by the certificate's issuer".into()));
        }
        let eku = delegated.tbs_certificate().get_extension::<ExtendedKeyUsage>().map_err(PkiError::asn1("EKU"))?;
        if !eku.is_some_and(|(_, e)| e.0.contains(&oids::KP_OCSP_SIGNING)) {
            return Err(PkiError::Invalid("the OCSP responder certificate lacks id-kp-OCSPSigning".into()));
        }
        delegated
    };
    let scheme = SignatureAlgorithm::from_algorithm_identifier(&basic.signature_algorithm, None)?;
    let signature = basic.signature.as_bytes().ok_or(PkiError::BadSignature("OCSP signature has unused bits"))?;
    verify_signature(signer.tbs_certificate().subject_public_key_info(), scheme, &tbs, signature)?;

    let issuer_name = issuer.tbs_certificate().subject().to_der().map_err(PkiError::asn1("issuer name"))?;
    let issuer_key = issuer.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes();
    let single = data
        .responses
        .iter()
        .find(|r| {
            let id = &r.cert_id;
            DigestAlgorithm::from_oid(&id.hash_algorithm.oid).is_ok_and(|alg| {
                alg.digest(&issuer_name) == id.issuer_name_hash.as_bytes()
                    && alg.digest(issuer_key) == id.issuer_key_hash.as_bytes()
            }) && id.serial_number == *cert.tbs_certificate().serial_number()
        })
        .ok_or_else(|| PkiError::Invalid("the OCSP response does not cover this certificate".into()))?;
    let status = match &single.cert_status {
        CertStatusChoice::Good(_) => CertStatus::Good,
        CertStatusChoice::Unknown(_) => CertStatus::Unknown,
        CertStatusChoice::Revoked(info) => revoked(&info.revocation_time, info.revocation_reason),
    };
    Ok(OcspStatus {
        status,
        produced_at: data.produced_at.to_system_time(),
        this_update: single.this_update.to_system_time(),
        next_update: single.next_update.map(|t| t.to_system_time()),
    })
}

#[derive(Sequence)]
struct RevokedCertIn {
    serial: SerialNumber,
    date: Time,
    #[asn1(optional = "true")]
    extensions: Option<Vec<Extension>>,
}

#[derive(Sequence)]
struct TbsCertListIn {
    #[asn1(optional = "true")]
    version: Option<u8>,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    this_update: Time,
    #[asn1(optional = "true")]
    next_update: Option<Time>,
    #[asn1(optional = "true")]
    revoked: Option<Vec<RevokedCertIn>>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<Extension>>,
}

/// A checked CRL answer for one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrlStatus {
    /// good (not listed) or revoked.
    pub status: CertStatus,
    /// CRL thisUpdate.
    pub this_update: SystemTime,
    /// CRL nextUpdate.
    pub next_update: Option<SystemTime>,
}

/// Checks that `crl_der` is signed by `issuer` (name and signature) and looks `cert` up in it.
pub fn check_crl(crl_der: &[u8], cert_der: &[u8], issuer_der: &[u8]) -> Result<CrlStatus> {
    let (tbs, scheme, signature) = signed_parts(crl_der)?;
    let list = TbsCertListIn::from_der(&tbs).map_err(PkiError::asn1("CRL"))?;
    let cert = parse_certificate(cert_der)?;
    let issuer = parse_certificate(issuer_der)?;
    if &list.issuer != issuer.tbs_certificate().subject() || cert.tbs_certificate().issuer() != &list.issuer {
        return Err(PkiError::Invalid("the CRL is not from this certificate's issuer".into()));
    }
    verify_signature(issuer.tbs_certificate().subject_public_key_info(), scheme, &tbs, &signature)?;
    let reason_of = |ext: &Option<Vec<Extension>>| {
        ext.iter()
            .flatten()
            .find(|e| e.extn_id == oids::EXT_CRL_REASON)
            .and_then(|e| CrlReasonCode::from_der(e.extn_value.as_bytes()).ok())
    };
    let serial = cert.tbs_certificate().serial_number();
    let status = list.revoked.iter().flatten().find(|r| &r.serial == serial).map_or(CertStatus::Good, |r| {
        CertStatus::Revoked { time: r.date.to_system_time(), reason: reason_of(&r.extensions) }
    });
    Ok(CrlStatus {
        status,
        this_update: list.this_update.to_system_time(),
        next_update: list.next_update.map(|t| t.to_system_time()),
    })
}
