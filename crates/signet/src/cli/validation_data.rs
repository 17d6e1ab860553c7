//! Validation data for PAdES B-LT: the certificate paths and their revocation status (OCSP
//! responses, CRLs), fetched from the URLs the certificates name (AIA caIssuers and OCSP, CRL
//! distribution points), ready for a DSS revision.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, bail};
use der::{Decode, Encode};
use signet_pdf::Dss;
use signet_pki::ocsp_types::{BasicOcspResponse, CertStatusChoice, OcspResponse, OcspResponseStatus, ResponseData};
use signet_pki::{build_ocsp_request, is_issued_by, oids, parse_certificate, read_certificates};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};

/// Fetches what validators need to check `certificates` (and the issuers they lead to) later,
/// without network. Fails when a certificate is revoked, or when the status of a certificate
/// that needs one (all but self-signed roots and OCSP no-check responders) cannot be obtained.
pub fn collect(certificates: &[Vec<u8>], transport: &dyn Transport) -> anyhow::Result<Dss> {
    fetch_all(certificates, true, transport)
}

/// Whatever validation data can be fetched for `certificates`, revoked statuses included, for
/// a verifier that judges it itself (`signet verify --check-revocation`). Never fails on a
/// missing source: the verifier then reports the certificate as unchecked.
pub fn gather(certificates: &[Vec<u8>]) -> Dss {
    Http::new(Duration::from_secs(30)).and_then(|http| fetch_all(certificates, false, &http)).unwrap_or_default()
}

/// How validation data is fetched: over HTTP, or answered in-process by the deployment that
/// owns the URL (see `deployment.rs`).
pub trait Transport {
    /// GET `url`; the body of a successful answer.
    fn get(&self, url: &str) -> anyhow::Result<Vec<u8>>;
    /// POST `body` as `content_type` to `url`; the body of a successful answer.
    fn post(&self, url: &str, content_type: &str, body: Vec<u8>) -> anyhow::Result<Vec<u8>>;
}

/// Plain HTTP.
pub struct Http(reqwest::blocking::Client);

impl Http {
    pub fn new(timeout: Duration) -> anyhow::Result<Self> {
        Ok(Self(reqwest::blocking::Client::builder().timeout(timeout).build().context("HTTP client")?))
    }
}

impl Transport for Http {
    fn get(&self, url: &str) -> anyhow::Result<Vec<u8>> {
        answer(self.0.get(url).send())
    }

    fn post(&self, url: &str, content_type: &str, body: Vec<u8>) -> anyhow::Result<Vec<u8>> {
        answer(self.0.post(url).header("Content-Type", content_type).body(body).send())
    }
}

fn answer(sent: reqwest::Result<reqwest::blocking::Response>) -> anyhow::Result<Vec<u8>> {
    let response = sent.context("no answer")?;
    if !response.status().is_success() {
        bail!("HTTP {}", response.status());
    }
    Ok(response.bytes()?.to_vec())
}

fn fetch_all(certificates: &[Vec<u8>], strict: bool, client: &dyn Transport) -> anyhow::Result<Dss> {
    let mut pool: Vec<Vec<u8>> = Vec::new();
    for der in certificates {
        if !pool.contains(der) {
            pool.push(der.clone());
        }
    }
    complete_paths(client, &mut pool)?;
    let mut dss = Dss { certs: pool.clone(), ..Dss::default() };
    let mut fetched_crls: HashMap<String, usize> = HashMap::new();
    for der in &pool {
        let cert = parse_certificate(der).context("a certificate in the signature does not parse")?;
        if is_self_signed(&cert) || has_ocsp_nocheck(&cert) {
            continue;
        }
        let name = cert.tbs_certificate().subject().to_string();
        let Some(issuer) = pool.iter().find(|i| issuer_matches(der, &cert, i)) else {
            if !strict {
                continue;
            }
            bail!("the issuer of {name} is not available (no caIssuers URL led to it)");
        };
        let mut covered = false;
        let mut failures = Vec::new();
        for url in ocsp_urls(&cert) {
            match fetch_ocsp(client, &url, der, issuer, strict) {
                Ok(response) => {
                    dss.ocsps.push(response);
                    covered = true;
                    break;
                }
                Err(err) if err.downcast_ref::<Revoked>().is_some() => return Err(err),
                Err(err) => failures.push(format!("OCSP {url}: {err:#}")),
            }
        }
        for url in crl_urls(&cert) {
            let crl = match fetched_crls.get(&url) {
                Some(&index) => &dss.crls[index],
                None => match client.get(&url) {
                    Ok(crl) => {
                        dss.crls.push(crl);
                        fetched_crls.insert(url, dss.crls.len() - 1);
                        &dss.crls[dss.crls.len() - 1]
                    }
                    Err(err) => {
                        failures.push(format!("CRL {url}: {err:#}"));
                        continue;
                    }
                },
            };
            if strict && crl_lists(crl, &cert) {
                return Err(Revoked(name).into());
            }
            covered = true;
        }
        if !covered && strict {
            let why =
                if failures.is_empty() { "it names no OCSP responder or CRL".to_owned() } else { failures.join("; ") };
            bail!("no revocation data for {name}: {why}");
        }
    }
    Ok(dss)
}

/// Asks the OCSP responder `cert` names whether it is revoked: `Ok(true)` revoked, `Ok(false)`
/// good, `Err` when no answer could be had (no URL, issuer missing, network).
pub fn is_revoked(cert_der: &[u8], chain: &[Vec<u8>], client: &dyn Transport) -> anyhow::Result<bool> {
    let cert = parse_certificate(cert_der)?;
    let issuer = chain
        .iter()
        .find(|i| issuer_matches(cert_der, &cert, i))
        .context("the issuer certificate is not in the chain")?;
    let mut last = anyhow::anyhow!("the certificate names no OCSP responder");
    for url in ocsp_urls(&cert) {
        match fetch_ocsp(client, &url, cert_der, issuer, true) {
            Ok(_) => return Ok(false),
            Err(err) if err.downcast_ref::<Revoked>().is_some() => return Ok(true),
            Err(err) => last = err.context(format!("OCSP {url}")),
        }
    }
    Err(last)
}

/// Whether `crl` (DER, from `cert`'s issuer) lists `cert` as revoked. The CRL's signature is the
/// validator's business: this only keeps us from embedding proof of our own revocation.
fn crl_lists(crl: &[u8], cert: &Certificate) -> bool {
    let Ok(list) = CertificateList::from_der(crl) else { return false };
    let tbs = &list.tbs_cert_list;
    tbs.issuer == *cert.tbs_certificate().issuer()
        && tbs.revoked_certificates.iter().flatten().any(|r| r.serial_number == *cert.tbs_certificate().serial_number())
}

/// The certificate is revoked: B-LT data would only prove it.
#[derive(Debug, thiserror::Error)]
#[error("certificate {0} is revoked")]
pub struct Revoked(String);

/// Adds missing issuers from AIA caIssuers until every path ends at a self-signed certificate.
fn complete_paths(client: &dyn Transport, pool: &mut Vec<Vec<u8>>) -> anyhow::Result<()> {
    let mut i = 0;
    while i < pool.len() && pool.len() < 32 {
        let der = pool[i].clone();
        i += 1;
        let Ok(cert) = parse_certificate(&der) else { continue };
        if is_self_signed(&cert) || pool.iter().any(|c| issuer_matches(&der, &cert, c)) {
            continue;
        }
        for url in access_urls(&cert, oids::AD_CA_ISSUERS) {
            if let Ok(bytes) = client.get(&url) {
                let found = read_certificates(&bytes).unwrap_or_else(|_| vec![bytes]);
                for issuer in found {
                    if issuer_matches(&der, &cert, &issuer) && !pool.contains(&issuer) {
                        pool.push(issuer);
                    }
                }
            }
        }
    }
    Ok(())
}

fn issuer_matches(subject_der: &[u8], subject: &Certificate, issuer_der: &[u8]) -> bool {
    subject_der != issuer_der && parse_certificate(issuer_der).is_ok_and(|i| is_issued_by(subject_der, subject, &i))
}

fn is_self_signed(cert: &Certificate) -> bool {
    cert.tbs_certificate().issuer() == cert.tbs_certificate().subject()
}

/// OCSP responder certificates carrying id-pkix-ocsp-nocheck need no status of their own.
fn has_ocsp_nocheck(cert: &Certificate) -> bool {
    cert.tbs_certificate().extensions().is_some_and(|exts| exts.iter().any(|e| e.extn_id == oids::OCSP_NOCHECK))
}

/// URIs of one access method in the AIA extension.
fn access_urls(cert: &Certificate, method: der::asn1::ObjectIdentifier) -> Vec<String> {
    let Ok(Some((_, aia))) = cert.tbs_certificate().get_extension::<AuthorityInfoAccessSyntax>() else {
        return Vec::new();
    };
    aia.0
        .iter()
        .filter(|d| d.access_method == method)
        .filter_map(|d| match &d.access_location {
            GeneralName::UniformResourceIdentifier(uri) => Some(uri.to_string()),
            _ => None,
        })
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .collect()
}

fn ocsp_urls(cert: &Certificate) -> Vec<String> {
    access_urls(cert, oids::AD_OCSP)
}

fn crl_urls(cert: &Certificate) -> Vec<String> {
    let Ok(Some((_, points))) = cert.tbs_certificate().get_extension::<CrlDistributionPoints>() else {
        return Vec::new();
    };
    points
        .0
        .iter()
        .filter_map(|p| match &p.distribution_point {
            Some(DistributionPointName::FullName(names)) => Some(names.clone()),
            _ => None,
        })
        .flatten()
        .filter_map(|n| match n {
            GeneralName::UniformResourceIdentifier(uri) => Some(uri.to_string()),
            _ => None,
        })
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .collect()
}

/// Asks `url` for the status of `cert`; returns the whole OCSPResponse when it says good (or,
/// unless `refuse_revoked`, whatever it says).
fn fetch_ocsp(
    client: &dyn Transport,
    url: &str,
    cert: &[u8],
    issuer: &[u8],
    refuse_revoked: bool,
) -> anyhow::Result<Vec<u8>> {
    let request = build_ocsp_request(cert, issuer)?;
    let body = client.post(url, "application/ocsp-request", request)?;
    match ocsp_status(&body)? {
        CertStatusChoice::Good(_) => Ok(body),
        _ if !refuse_revoked => Ok(body),
        CertStatusChoice::Revoked(_) => {
            let name = parse_certificate(cert).map(|c| c.tbs_certificate().subject().to_string()).unwrap_or_default();
            Err(Revoked(name).into())
        }
        CertStatusChoice::Unknown(_) => bail!("the responder does not know the certificate"),
    }
}

/// The status in a one-certificate OCSPResponse.
pub fn ocsp_status(der: &[u8]) -> anyhow::Result<CertStatusChoice> {
    let response = OcspResponse::from_der(der).context("not an OCSPResponse")?;
    if response.response_status != OcspResponseStatus::Successful {
        bail!("the responder answered {:?}", response.response_status);
    }
    let bytes = response.response_bytes.context("a successful OCSPResponse without a response")?;
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes()).context("not a BasicOCSPResponse")?;
    let data: ResponseData =
        ResponseData::from_der(&basic.tbs_response_data.to_der()?).context("malformed OCSP ResponseData")?;
    let single = data.responses.into_iter().next().context("an OCSP response with no status")?;
    Ok(single.cert_status)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use signet_pki::{
        CaMaterial, CaSettings, KeyAlgorithm, KeyFamily, KeySigner, MasterKey, RevokedEntry, SoftwareKey,
        SoftwareKeystore, SubjectInfo, ValidityPeriod, generate_crl, issue_signing_certificate,
    };

    use super::*;

    #[test]
    fn crls_are_searched_for_the_certificate() {
        let custody = SoftwareKeystore::new(&MasterKey::generate().unwrap()).unwrap();
        let mut settings = CaSettings::new("http://127.0.0.1:9", "Test");
        settings.root_algorithm = KeyAlgorithm::P256;
        settings.ecdsa_issuing_algorithm = KeyAlgorithm::P256;
        settings.issuing_families = vec![KeyFamily::Ecdsa];
        let ca = CaMaterial::generate(&settings, &custody).unwrap();
        let key = SoftwareKey::generate(KeyAlgorithm::P256).unwrap();
        let subject = SubjectInfo {
            common_name: "t".into(),
            organisation: None,
            organisational_unit: None,
            country: None,
            serial_number: None,
        };
        let period = ValidityPeriod::starting(SystemTime::now(), Duration::from_secs(3600));
        let der = issue_signing_certificate(&ca, &custody, &subject, &key.public_key_der(), period).unwrap();
        let cert = parse_certificate(&der).unwrap();
        let now = SystemTime::now();
        let later = now + Duration::from_secs(3600);
        let empty = generate_crl(&ca, &custody, "ecdsa", 1, now, later, &[]).unwrap();
        assert!(!crl_lists(&empty, &cert));
        let entry = RevokedEntry {
            serial: cert.tbs_certificate().serial_number().as_bytes().to_vec(),
            time: now,
            reason: None,
        };
        let listing = generate_crl(&ca, &custody, "ecdsa", 2, now, later, &[entry]).unwrap();
        assert!(crl_lists(&listing, &cert));
        assert!(!crl_lists(b"not a CRL", &cert));
    }
}
