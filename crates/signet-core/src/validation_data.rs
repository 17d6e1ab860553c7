//! Validation data for PAdES B-LT/B-LTA: the certificate paths and their revocation status
//! (OCSP responses, CRLs) gathered from the URLs the certificates name (AIA caIssuers and OCSP,
//! CRL distribution points), ready for a DSS revision.
//!
//! Where the bytes come from is the caller's [`ValidationSource`]: the CLI fetches over HTTP,
//! the service answers its own CA's URLs in-process (`Signet::own_pki`). The checks themselves
//! are the PKI engine's (`check_ocsp_response`, `check_crl`), so a DSS never carries an answer
//! we did not verify, nor proof that the signer was revoked.

use signet_pdf::Dss;
use signet_pki::{
    CertStatus, build_ocsp_request, certificate_urls, check_crl, check_ocsp_response, is_issued_by, oids,
    parse_certificate, read_certificates, subject_text,
};

use crate::error::BoxError;

/// A path longer than this is not one of ours and not a sane PKI either.
const MAX_CERTIFICATES: usize = 32;

/// Where validation data is read from.
pub trait ValidationSource {
    /// GET `url`; the body of a successful answer.
    fn get(&self, url: &str) -> Result<Vec<u8>, BoxError>;
    /// POST `body` as `content_type` to `url`; the body of a successful answer.
    fn post(&self, url: &str, content_type: &str, body: Vec<u8>) -> Result<Vec<u8>, BoxError>;
}

/// Why validation data could not be gathered.
#[derive(Debug, thiserror::Error)]
pub enum ValidationDataError {
    /// A certificate is revoked: B-LT data would only prove it.
    #[error("certificate {0} is revoked")]
    Revoked(String),
    /// No issuer certificate was found for a certificate.
    #[error("the issuer of {0} is not available (no caIssuers URL led to it)")]
    IssuerMissing(String),
    /// No usable OCSP response or CRL for a certificate.
    #[error("no revocation data for {subject}: {why}")]
    NoRevocationData { subject: String, why: String },
    /// A certificate we were given does not parse.
    #[error("a certificate does not parse: {0}")]
    Certificate(#[from] signet_pki::PkiError),
}

/// How much to gather.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatherPolicy {
    /// Fail unless every certificate that needs a status has a verified "good" one; embed only
    /// verified answers. Without it, whatever could be fetched is embedded, revoked answers
    /// included, for a verifier that judges them itself.
    pub strict: bool,
    /// Fetch CRLs even when an OCSP response already covers a certificate.
    pub crls_with_ocsp: bool,
}

impl GatherPolicy {
    /// Everything, verified: OCSP responses and CRLs (what `signet sign --level B-LT` embeds).
    pub const COMPLETE: GatherPolicy = GatherPolicy { strict: true, crls_with_ocsp: true };
    /// Verified OCSP responses, CRLs only where OCSP gave no answer: what the service embeds
    /// per signature (a CRL lists every revoked certificate and costs a scan of them).
    pub const OCSP_FIRST: GatherPolicy = GatherPolicy { strict: true, crls_with_ocsp: false };
    /// Whatever can be fetched, unverified (for `signet verify --check-revocation`).
    pub const BEST_EFFORT: GatherPolicy = GatherPolicy { strict: false, crls_with_ocsp: true };
}

/// Gathers what validators need to check `certificates` (and the issuers they lead to) later,
/// without network. Self-signed roots and OCSP no-check responders need no status.
pub fn gather(
    certificates: &[Vec<u8>],
    source: &dyn ValidationSource,
    policy: GatherPolicy,
) -> Result<Dss, ValidationDataError> {
    let mut pool: Vec<Vec<u8>> = Vec::new();
    for der in certificates {
        if !pool.contains(der) {
            pool.push(der.clone());
        }
    }
    complete_paths(source, &mut pool);
    let mut dss = Dss { certs: pool.clone(), ..Dss::default() };
    let mut fetched_crls: Vec<String> = Vec::new();
    for der in &pool {
        let cert = parse_certificate(der)?;
        if is_self_signed(der)? || has_ocsp_nocheck(der)? {
            continue;
        }
        let subject = subject_text(&cert);
        let Some(issuer) = pool.iter().find(|i| issuer_matches(der, i)) else {
            if policy.strict {
                return Err(ValidationDataError::IssuerMissing(subject));
            }
            continue;
        };
        let urls = certificate_urls(der)?;
        let mut covered = false;
        let mut failures = Vec::new();
        for url in urls.ocsp.iter().filter(|u| is_http(u)) {
            match fetch_ocsp(source, url, der, issuer, policy.strict) {
                Ok(response) => {
                    dss.ocsps.push(response);
                    covered = true;
                    break;
                }
                Err(Fetch::Revoked) => return Err(ValidationDataError::Revoked(subject)),
                Err(Fetch::Failed(why)) => failures.push(format!("OCSP {url}: {why}")),
            }
        }
        for url in urls.crl.iter().filter(|u| is_http(u)) {
            if covered && !policy.crls_with_ocsp {
                break;
            }
            let crl = if fetched_crls.contains(url) {
                None
            } else {
                match source.get(url) {
                    Ok(crl) => Some(crl),
                    Err(err) => {
                        failures.push(format!("CRL {url}: {err}"));
                        continue;
                    }
                }
            };
            let index = match crl {
                Some(crl) => {
                    fetched_crls.push(url.clone());
                    dss.crls.push(crl);
                    dss.crls.len() - 1
                }
                None => fetched_crls.iter().position(|u| u == url).unwrap_or_default(),
            };
            if !policy.strict {
                covered = true;
                continue;
            }
            match check_crl(&dss.crls[index], der, issuer) {
                Ok(status) if matches!(status.status, CertStatus::Revoked { .. }) => {
                    return Err(ValidationDataError::Revoked(subject));
                }
                Ok(_) => covered = true,
                Err(err) => failures.push(format!("CRL {url}: {err}")),
            }
        }
        if !covered && policy.strict {
            let why =
                if failures.is_empty() { "it names no OCSP responder or CRL".to_owned() } else { failures.join("; ") };
            return Err(ValidationDataError::NoRevocationData { subject, why });
        }
    }
    Ok(dss)
}

/// Asks the OCSP responder `cert` names whether it is revoked: `Ok(true)` revoked, `Ok(false)`
/// good, `Err` when no verified answer could be had (no URL, issuer missing, network).
pub fn is_revoked(
    cert_der: &[u8],
    chain: &[Vec<u8>],
    source: &dyn ValidationSource,
) -> Result<bool, ValidationDataError> {
    let subject = subject_text(&parse_certificate(cert_der)?);
    let issuer = chain
        .iter()
        .find(|i| issuer_matches(cert_der, i))
        .ok_or_else(|| ValidationDataError::IssuerMissing(subject.clone()))?;
    let mut failures = Vec::new();
    for url in certificate_urls(cert_der)?.ocsp.iter().filter(|u| is_http(u)) {
        match fetch_ocsp(source, url, cert_der, issuer, true) {
            Ok(_) => return Ok(false),
            Err(Fetch::Revoked) => return Ok(true),
            Err(Fetch::Failed(why)) => failures.push(format!("OCSP {url}: {why}")),
        }
    }
    let why = if failures.is_empty() { "it names no OCSP responder".to_owned() } else { failures.join("; ") };
    Err(ValidationDataError::NoRevocationData { subject, why })
}

enum Fetch {
    Revoked,
    Failed(String),
}

/// Asks `url` about `cert`; the whole OCSPResponse when it verifiably says good (or, unless
/// `strict`, whatever it says).
fn fetch_ocsp(
    source: &dyn ValidationSource,
    url: &str,
    cert: &[u8],
    issuer: &[u8],
    strict: bool,
) -> Result<Vec<u8>, Fetch> {
    let request = build_ocsp_request(cert, issuer).map_err(|e| Fetch::Failed(e.to_string()))?;
    let body = source.post(url, "application/ocsp-request", request).map_err(|e| Fetch::Failed(e.to_string()))?;
    if !strict {
        return Ok(body);
    }
    match check_ocsp_response(&body, cert, issuer).map_err(|e| Fetch::Failed(e.to_string()))?.status {
        CertStatus::Good => Ok(body),
        CertStatus::Revoked { .. } => Err(Fetch::Revoked),
        CertStatus::Unknown => Err(Fetch::Failed("the responder does not know the certificate".into())),
    }
}

/// Adds missing issuers from AIA caIssuers until every path ends at a self-signed certificate.
fn complete_paths(source: &dyn ValidationSource, pool: &mut Vec<Vec<u8>>) {
    let mut i = 0;
    while i < pool.len() && pool.len() < MAX_CERTIFICATES {
        let der = pool[i].clone();
        i += 1;
        if is_self_signed(&der).unwrap_or(true) || pool.iter().any(|c| issuer_matches(&der, c)) {
            continue;
        }
        let Ok(urls) = certificate_urls(&der) else { continue };
        for url in urls.ca_issuers.iter().filter(|u| is_http(u)) {
            if let Ok(bytes) = source.get(url) {
                let found = read_certificates(&bytes).unwrap_or_else(|_| vec![bytes]);
                for issuer in found {
                    if issuer_matches(&der, &issuer) && !pool.contains(&issuer) {
                        pool.push(issuer);
                    }
                }
            }
        }
    }
}

fn issuer_matches(subject_der: &[u8], issuer_der: &[u8]) -> bool {
    subject_der != issuer_der
        && match (parse_certificate(subject_der), parse_certificate(issuer_der)) {
            (Ok(subject), Ok(issuer)) => is_issued_by(subject_der, &subject, &issuer),
            _ => false,
        }
}

fn is_self_signed(der: &[u8]) -> Result<bool, ValidationDataError> {
    let cert = parse_certificate(der)?;
    Ok(cert.tbs_certificate().issuer() == cert.tbs_certificate().subject())
}

/// OCSP responder certificates carrying id-pkix-ocsp-nocheck need no status of their own.
fn has_ocsp_nocheck(der: &[u8]) -> Result<bool, ValidationDataError> {
    let cert = parse_certificate(der)?;
    Ok(cert.tbs_certificate().extensions().is_some_and(|exts| exts.iter().any(|e| e.extn_id == oids::OCSP_NOCHECK)))
}

fn is_http(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use signet_pki::{
        CaMaterial, CaSettings, KeyAlgorithm, KeyFamily, KeySigner, MasterKey, OcspResponder, RevokedEntry,
        SoftwareKey, SoftwareKeystore, SubjectInfo, ValidityPeriod, generate_crl, issue_signing_certificate,
    };

    use super::*;

    const BASE: &str = "http://127.0.0.1:9/pki/";

    /// A CA answering its URLs the way the HTTP endpoints do, with a chosen revocation answer.
    struct Stand {
        ca: CaMaterial,
        custody: SoftwareKeystore,
        leaf: Vec<u8>,
        ocsp: Option<CertStatus>,
        crl_lists_leaf: bool,
    }

    impl Stand {
        fn new() -> Self {
            let custody = SoftwareKeystore::new(&MasterKey::generate().unwrap()).unwrap();
            let mut settings = CaSettings::new("http://127.0.0.1:9", "Test");
            settings.root_algorithm = KeyAlgorithm::P256;
            settings.ecdsa_issuing_algorithm = KeyAlgorithm::P256;
            settings.issuing_families = vec![KeyFamily::Ecdsa];
            let ca = CaMaterial::generate(&settings, &custody).unwrap();
            let key = SoftwareKey::generate(KeyAlgorithm::P256).unwrap();
            let subject = SubjectInfo { common_name: "t".into(), ..Default::default() };
            let period = ValidityPeriod::starting(SystemTime::now(), Duration::from_secs(3600));
            let leaf = issue_signing_certificate(&ca, &custody, &subject, &key.public_key_der(), period).unwrap();
            Stand { ca, custody, leaf, ocsp: Some(CertStatus::Good), crl_lists_leaf: false }
        }
    }

    impl ValidationSource for Stand {
        fn get(&self, url: &str) -> Result<Vec<u8>, BoxError> {
            let path = url.strip_prefix(BASE).ok_or("foreign URL")?;
            if let Some(name) = path.strip_prefix("ca/").and_then(|p| p.strip_suffix(".cer")) {
                return Ok(self.ca.ca_certificate(name).ok_or("no such CA")?.to_vec());
            }
            let name = path.strip_prefix("crl/").and_then(|p| p.strip_suffix(".crl")).ok_or("not found")?;
            let serial = parse_certificate(&self.leaf)?.tbs_certificate().serial_number().as_bytes().to_vec();
            let now = SystemTime::now();
            let listed = self.crl_lists_leaf && name == "ecdsa";
            let entries: Vec<RevokedEntry> =
                listed.then_some(RevokedEntry { serial, time: now, reason: None }).into_iter().collect();
            Ok(generate_crl(&self.ca, &self.custody, name, 1, now, now + Duration::from_secs(3600), &entries)?)
        }

        fn post(&self, _url: &str, _content_type: &str, body: Vec<u8>) -> Result<Vec<u8>, BoxError> {
            let status = self.ocsp.ok_or("responder down")?;
            let responder = OcspResponder::new(&self.ca, &self.custody)?;
            Ok(responder.respond(&body, &|_, _| status, SystemTime::now())?)
        }
    }

    #[test]
    fn paths_are_completed_and_ocsp_answers_verified() {
        let stand = Stand::new();
        let dss = gather(std::slice::from_ref(&stand.leaf), &stand, GatherPolicy::OCSP_FIRST).unwrap();
        assert_eq!(dss.certs.len(), 3, "leaf, issuing CA and root from caIssuers");
        assert_eq!(dss.ocsps.len(), 2, "leaf and issuing CA; the root needs none");
        assert!(dss.crls.is_empty(), "OCSP covered every certificate");
        let complete = gather(std::slice::from_ref(&stand.leaf), &stand, GatherPolicy::COMPLETE).unwrap();
        assert_eq!(complete.crls.len(), 2);
        assert!(!is_revoked(&stand.leaf, &dss.certs, &stand).unwrap());
    }

    #[test]
    fn a_revoked_certificate_is_refused() {
        let mut stand = Stand::new();
        stand.ocsp = Some(CertStatus::Revoked { time: SystemTime::now(), reason: None });
        let err = gather(std::slice::from_ref(&stand.leaf), &stand, GatherPolicy::OCSP_FIRST).unwrap_err();
        assert!(matches!(err, ValidationDataError::Revoked(_)), "{err}");
        let chain = stand.ca.chain_for(KeyFamily::Ecdsa).unwrap();
        assert!(is_revoked(&stand.leaf, &chain, &stand).unwrap());
        // Best effort embeds the revoked answer for a verifier to judge.
        let dss = gather(std::slice::from_ref(&stand.leaf), &stand, GatherPolicy::BEST_EFFORT).unwrap();
        assert_eq!(dss.ocsps.len(), 2);
    }

    #[test]
    fn without_ocsp_the_crl_decides() {
        let mut stand = Stand::new();
        stand.ocsp = None;
        let dss = gather(std::slice::from_ref(&stand.leaf), &stand, GatherPolicy::OCSP_FIRST).unwrap();
        assert!(dss.ocsps.is_empty());
        assert_eq!(dss.crls.len(), 2, "the issuing CA's and the root's CRL");
        stand.crl_lists_leaf = true;
        let err = gather(std::slice::from_ref(&stand.leaf), &stand, GatherPolicy::OCSP_FIRST).unwrap_err();
        assert!(matches!(err, ValidationDataError::Revoked(_)), "{err}");
        let chain = stand.ca.chain_for(KeyFamily::Ecdsa).unwrap();
        assert!(is_revoked(&stand.leaf, &chain, &stand).is_err(), "no OCSP answer: unknown, not good");
    }
}
