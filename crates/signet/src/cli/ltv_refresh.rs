//! `signet ltv-refresh`: extends an archived PDF's life (PAdES B-LTA, ETSI EN 319 142-1 §5.5):
//! fresh validation data for every signature and timestamp in a DSS revision, then a new
//! document timestamp over it. Also the building blocks `signet sign` uses for B-LT and B-LTA.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use signet_core::signing::DocumentTimestamp;
use signet_pki::{CmsSignature, DigestAlgorithm, TIMESTAMP_RESERVE, TimestampSource};

use super::deployment::Deployment;
use super::validation_data::Http;
use crate::settings::Settings;
use signet_core::validation_data::ValidationSource;

use super::pdf_output::{Stage, open_input};
use super::tsa_client::HttpTsa;
use super::validation_data;

/// Add fresh validation data and a new document timestamp to a signed PDF.
#[derive(Debug, Args)]
pub(super) struct LtvRefreshArgs {
    /// The signed PDF.
    input: PathBuf,
    /// Where to write the extended PDF (written atomically).
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// RFC 3161 time-stamping authority for the document timestamp; may carry user:password@.
    /// Default: the Signet deployment configured here (its TSA; its CA's OCSP and CRLs answered
    /// in-process).
    #[arg(long, value_name = "URL")]
    tsa: Option<String>,
    /// Basic-auth user for the TSA.
    #[arg(long, value_name = "USER", requires = "tsa")]
    tsa_user: Option<String>,
    /// Basic-auth password for the TSA.
    #[arg(long, value_name = "PW", requires = "tsa")]
    tsa_password: Option<String>,
    /// User password of an encrypted PDF.
    #[arg(long, value_name = "PW")]
    user_password: Option<String>,
}

pub(super) fn run(settings: Settings, args: LtvRefreshArgs) -> anyhow::Result<()> {
    let (http_tsa, deployment) = match &args.tsa {
        Some(url) => (Some(HttpTsa::new(url, args.tsa_user.as_deref(), args.tsa_password.as_deref())?), None),
        None => (None, Some(Deployment::open_existing(&settings, "ltv-refresh needs a time-stamping authority")?)),
    };
    let local_tsa = deployment.as_ref().map(Deployment::tsa).transpose()?;
    let tsa: &dyn TimestampSource = match (&http_tsa, &local_tsa) {
        (Some(t), _) => t,
        (None, Some(t)) => t,
        (None, None) => bail!("no time-stamping authority"),
    };
    let http = Http::new(std::time::Duration::from_secs(30))?;
    let transport: &dyn ValidationSource = match &deployment {
        Some(d) => d,
        None => &http,
    };
    let password = args.user_password.as_deref();
    let mut input = open_input(&args.input)?;
    let inspection = signet_pdf::inspect(&mut input, password)?;
    if inspection.signatures.is_empty() {
        bail!("{} has no signature to extend", args.input.display());
    }
    let mut certs = Vec::new();
    for signature in &inspection.signatures {
        certs.extend(container_certificates(&signature.contents)?);
    }
    let mut copy = Stage::next_to(&args.output)?;
    copy.write(|out| {
        std::io::copy(&mut input, out).context("cannot read the input")?;
        Ok(())
    })?;
    let mut with_data = add_validation_data(&mut copy, &args.output, &certs, transport, password)?;
    let stamped = add_document_timestamp(&mut with_data, &args.output, tsa, password)?;
    stamped.persist(&args.output)?;
    if let Some(deployment) = deployment {
        deployment.close();
    }
    eprintln!(
        "extended {} -> {} ({} signature(s) and timestamps covered, new document timestamp)",
        args.input.display(),
        args.output.display(),
        inspection.signatures.len()
    );
    Ok(())
}

/// The certificates of the signature in field `field` of `file` and of its timestamp token.
pub(super) fn signature_certificates(
    file: &mut File,
    field: &str,
    user_password: Option<&str>,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let inspection = signet_pdf::inspect(file, user_password)?;
    let signature = inspection
        .signatures
        .iter()
        .find(|s| s.field_name == field)
        .with_context(|| format!("the new signature {field} is not in the output"))?;
    container_certificates(&signature.contents)
}

/// Certificates inside a CMS signature (or a bare timestamp token) and its signature timestamp.
pub(super) fn container_certificates(der: &[u8]) -> anyhow::Result<Vec<Vec<u8>>> {
    let cms = CmsSignature::parse(der).context("a signature's CMS does not parse")?;
    let mut certs = cms.certificates().to_vec();
    if let Some(token) = cms.signature_timestamp_token() {
        certs.extend(
            CmsSignature::parse(&token).context("a signature timestamp does not parse")?.certificates().to_vec(),
        );
    }
    Ok(certs)
}

/// Appends a DSS revision with the paths and revocation data of `certificates`.
pub(super) fn add_validation_data(
    input: &mut Stage,
    destination: &Path,
    certificates: &[Vec<u8>],
    transport: &dyn ValidationSource,
    user_password: Option<&str>,
) -> anyhow::Result<Stage> {
    let dss = validation_data::collect(certificates, transport).context("cannot gather validation data (B-LT)")?;
    let mut next = Stage::next_to(destination)?;
    let reader = input.reader()?;
    next.write(|out| Ok(signet_pdf::add_dss(reader, out, &dss, user_password)?))?;
    Ok(next)
}

/// Appends a document timestamp (ETSI.RFC3161) from `tsa`.
pub(super) fn add_document_timestamp(
    input: &mut Stage,
    destination: &Path,
    tsa: &dyn TimestampSource,
    user_password: Option<&str>,
) -> anyhow::Result<Stage> {
    let container = DocumentTimestamp::new(tsa, DigestAlgorithm::Sha256, TIMESTAMP_RESERVE);
    let mut next = Stage::next_to(destination)?;
    let reader = input.reader()?;
    next.write(|out| Ok(signet_pdf::timestamp_document(reader, out, None, user_password, &container)?))?;
    Ok(next)
}
