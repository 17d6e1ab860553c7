//! Validation data for the CLI: the gathering itself is the core's
//! (`signet_core::validation_data`); this file only fetches over HTTP.

use std::time::Duration;

use anyhow::{Context, bail};
use signet_core::error::BoxError;
use signet_core::validation_data::{self, GatherPolicy, ValidationSource};
use signet_pdf::Dss;

/// Fetches what validators need to check `certificates` (and the issuers they lead to) later,
/// without network: verified OCSP responses and CRLs. Fails when a certificate is revoked, or
/// when the status of a certificate that needs one cannot be obtained.
pub fn collect(certificates: &[Vec<u8>], source: &dyn ValidationSource) -> anyhow::Result<Dss> {
    Ok(validation_data::gather(certificates, source, GatherPolicy::COMPLETE)?)
}

/// Whatever validation data can be fetched for `certificates`, revoked statuses included, for
/// a verifier that judges it itself (`signet verify --check-revocation`). Never fails on a
/// missing source: the verifier then reports the certificate as unchecked.
pub fn gather(certificates: &[Vec<u8>]) -> Dss {
    Http::new(Duration::from_secs(30))
        .ok()
        .and_then(|http| validation_data::gather(certificates, &http, GatherPolicy::BEST_EFFORT).ok())
        .unwrap_or_default()
}

/// Asks the OCSP responder the certificate names: `Ok(true)` revoked, `Ok(false)` good, `Err`
/// when no verified answer could be had.
pub fn is_revoked(cert_der: &[u8], chain: &[Vec<u8>], source: &dyn ValidationSource) -> anyhow::Result<bool> {
    Ok(validation_data::is_revoked(cert_der, chain, source)?)
}

/// Plain HTTP.
pub struct Http(reqwest::blocking::Client);

impl Http {
    pub fn new(timeout: Duration) -> anyhow::Result<Self> {
        Ok(Self(reqwest::blocking::Client::builder().timeout(timeout).build().context("HTTP client")?))
    }
}

impl ValidationSource for Http {
    fn get(&self, url: &str) -> Result<Vec<u8>, BoxError> {
        Ok(answer(self.0.get(url).send())?)
    }

    fn post(&self, url: &str, content_type: &str, body: Vec<u8>) -> Result<Vec<u8>, BoxError> {
        Ok(answer(self.0.post(url).header("Content-Type", content_type).body(body).send())?)
    }
}

fn answer(sent: reqwest::Result<reqwest::blocking::Response>) -> anyhow::Result<Vec<u8>> {
    let response = sent.context("no answer")?;
    if !response.status().is_success() {
        bail!("HTTP {}", response.status());
    }
    Ok(response.bytes()?.to_vec())
}
