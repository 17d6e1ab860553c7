//! Glue between the engines: CMS from `signet-pki` inside signatures of `signet-pdf`.
//!
//! The PDF engine reserves room, streams the signed byte ranges once, and asks a
//! [`ContainerSigner`] for the container; these adapters hash that stream and let the PKI engine
//! build CAdES signatures or RFC 3161 document timestamps.

use std::io::Read;

use signet_pdf::{ContainerSigner, SubFilter};
use signet_pki::{CmsBuilder, DigestAlgorithm, Hasher, TimestampSource};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A CAdES (or legacy PKCS#7) signature over the streamed byte ranges.
pub struct CmsContainer<'a> {
    builder: CmsBuilder<'a>,
    sub_filter: SubFilter,
}

impl<'a> CmsContainer<'a> {
    /// PAdES baseline: `ETSI.CAdES.detached`, no signing-time attribute.
    pub fn pades(builder: CmsBuilder<'a>) -> Self {
        Self { builder, sub_filter: SubFilter::CadesDetached }
    }

    /// `adbe.pkcs7.detached` for old validators (the builder must use the matching profile).
    pub fn pkcs7(builder: CmsBuilder<'a>) -> Self {
        Self { builder, sub_filter: SubFilter::Pkcs7Detached }
    }
}

impl ContainerSigner for CmsContainer<'_> {
    fn max_container_len(&self) -> usize {
        self.builder.max_len()
    }

    fn sub_filter(&self) -> SubFilter {
        self.sub_filter
    }

    fn sign(&self, signed_bytes: &mut dyn Read) -> Result<Vec<u8>, BoxError> {
        let digest = hash_stream(self.builder.digest_algorithm(), signed_bytes)?;
        Ok(self.builder.sign(&digest)?)
    }
}

/// A document timestamp (`ETSI.RFC3161`): the container is a bare TimeStampToken.
pub struct DocumentTimestamp<'a> {
    source: &'a dyn TimestampSource,
    digest: DigestAlgorithm,
    reserve: usize,
}

impl<'a> DocumentTimestamp<'a> {
    /// Timestamps with `source`, hashing with `digest`; `reserve` bounds the token size.
    pub fn new(source: &'a dyn TimestampSource, digest: DigestAlgorithm, reserve: usize) -> Self {
        Self { source, digest, reserve }
    }
}

impl ContainerSigner for DocumentTimestamp<'_> {
    fn max_container_len(&self) -> usize {
        self.reserve
    }

    fn sub_filter(&self) -> SubFilter {
        SubFilter::Rfc3161
    }

    fn sign(&self, signed_bytes: &mut dyn Read) -> Result<Vec<u8>, BoxError> {
        let imprint = hash_stream(self.digest, signed_bytes)?;
        Ok(self.source.timestamp(self.digest, &imprint)?)
    }
}

/// Hashes a stream in 64 KiB chunks.
fn hash_stream(algorithm: DigestAlgorithm, input: &mut dyn Read) -> std::io::Result<Vec<u8>> {
    let mut hasher = Hasher::new(algorithm);
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = input.read(&mut buffer)?;
        if n == 0 {
            return Ok(hasher.finish());
        }
        hasher.update(&buffer[..n]);
    }
}

/// The PAdES baseline level (ETSI EN 319 142-1) the service signs at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PadesLevel {
    /// A signature timestamp from the built-in TSA.
    BT,
    /// Plus a DSS with the signer's and the TSA's certificate paths and their OCSP responses.
    BLt,
    /// Plus a document timestamp over the DSS: the default, so archives stay verifiable after the
    /// certificates expire (`signet ltv-refresh` extends it later).
    BLta,
}

impl PadesLevel {
    /// The level's name: `B-T`, `B-LT`, `B-LTA`.
    pub fn as_str(self) -> &'static str {
        match self {
            PadesLevel::BT => "B-T",
            PadesLevel::BLt => "B-LT",
            PadesLevel::BLta => "B-LTA",
        }
    }
}

impl std::str::FromStr for PadesLevel {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_uppercase().as_str() {
            "B-T" => Ok(PadesLevel::BT),
            "B-LT" => Ok(PadesLevel::BLt),
            "B-LTA" => Ok(PadesLevel::BLta),
            other => Err(format!("unknown PAdES level {other:?} (expected B-T, B-LT or B-LTA)")),
        }
    }
}

/// Appends a DSS revision holding `dss` (PAdES B-LT).
pub fn add_validation_data(
    pdf: &[u8],
    dss: &signet_pdf::Dss,
    user_password: Option<&str>,
) -> Result<Vec<u8>, signet_pdf::PdfError> {
    let mut out = Vec::with_capacity(pdf.len() + 16 * 1024);
    signet_pdf::add_dss(std::io::Cursor::new(pdf), &mut out, dss, user_password)?;
    Ok(out)
}

/// Appends a document timestamp (`ETSI.RFC3161`, SHA-256) from `tsa` (PAdES B-LTA).
pub fn add_document_timestamp(
    pdf: &[u8],
    tsa: &dyn TimestampSource,
    user_password: Option<&str>,
) -> Result<Vec<u8>, signet_pdf::PdfError> {
    let container = DocumentTimestamp::new(tsa, DigestAlgorithm::Sha256, signet_pki::TIMESTAMP_RESERVE);
    let mut out = Vec::with_capacity(pdf.len() + signet_pki::TIMESTAMP_RESERVE * 2 + 4096);
    signet_pdf::timestamp_document(std::io::Cursor::new(pdf), &mut out, None, user_password, &container)?;
    Ok(out)
}
