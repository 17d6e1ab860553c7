//! `signet sign`: a visible (or invisible) PAdES signature at coordinates, keywords, rectangles
//! or across pages, at baseline level B-B, B-T, B-LT or B-LTA.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, bail};
use base64::Engine;
use clap::{Args, ValueEnum};
use der::Encode;
use signet_core::signing::CmsContainer;
use signet_pdf::{Appearance, Placement, SignRequest};
use signet_pki::{CmsBuilder, CmsProfile, DigestAlgorithm, KeySigner, SoftwareKey, TimestampSource, parse_certificate};
use zeroize::Zeroizing;

use super::deployment::Deployment;
use super::ltv_refresh::{add_document_timestamp, add_validation_data, signature_certificates};
use super::pdf_output::{Stage, open_input};
use super::tsa_client::HttpTsa;
use super::validation_data::Http;
use crate::settings::Settings;
use signet_core::validation_data::ValidationSource;

/// PAdES baseline levels (ETSI EN 319 142-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub(super) enum Level {
    /// Basic signature.
    #[value(name = "B-B")]
    BB,
    /// Plus a signature timestamp from --tsa.
    #[value(name = "B-T")]
    BT,
    /// Plus validation data (certificates, OCSP responses, CRLs) in a DSS.
    #[value(name = "B-LT")]
    BLt,
    /// Plus a document timestamp over the DSS.
    #[value(name = "B-LTA")]
    BLta,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::BB => "B-B",
            Level::BT => "B-T",
            Level::BLt => "B-LT",
            Level::BLta => "B-LTA",
        })
    }
}

/// Sign a PDF with a seal image at coordinates, keywords, rectangles or across pages.
#[derive(Debug, Args)]
pub(super) struct SignArgs {
    /// The PDF to sign.
    input: PathBuf,
    /// Where to write the signed PDF (written atomically).
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// PKCS#12 file with the signing key, its certificate and chain.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["key", "cert"], requires = "password")]
    p12: Option<PathBuf>,
    /// Password of the PKCS#12 file.
    #[arg(long, value_name = "PW")]
    password: Option<String>,
    /// PEM private key (PKCS#8, unencrypted), with --cert.
    #[arg(long, value_name = "KEY.pem", requires = "cert")]
    key: Option<PathBuf>,
    /// PEM (or DER) signing certificate; further certificates in the file are taken as its chain.
    #[arg(long, value_name = "CERT.pem", requires = "key")]
    cert: Option<PathBuf>,
    /// PEM issuer certificates to embed.
    #[arg(long, value_name = "CHAIN.pem", requires = "cert")]
    chain: Option<PathBuf>,
    /// Seal image (PNG with transparency, or JPEG); without it the signature is invisible.
    #[arg(long, value_name = "SEAL.png")]
    image: Option<PathBuf>,
    /// Seal width in points (default: the PNG's physical size, else 120).
    #[arg(long, value_name = "PT")]
    width: Option<f64>,
    /// Seal centre at X,Y (points, visible page, origin bottom-left) on PAGE (e.g. 2, or 1-3,5). Repeatable.
    #[arg(long, value_name = "P,X,Y")]
    at: Vec<String>,
    /// Seal centre on the centre of every occurrence of TEXT.
    #[arg(long, value_name = "TEXT")]
    keyword: Option<String>,
    /// Shift of keyword seals, points (x right, y up).
    #[arg(long, value_name = "DX,DY", requires = "keyword", allow_hyphen_values = true)]
    offset: Option<String>,
    /// Seal fitted into a rectangle in fractions of the page, origin top-left. Repeatable.
    #[arg(long, value_name = "P,X1,Y1,X2,Y2")]
    rect: Vec<String>,
    /// Cross-page seal (骑缝章): one slice per page at the right edge.
    #[arg(long)]
    cross_page: bool,
    /// Vertical centre of the cross-page seal, fraction of the page height from the top.
    #[arg(long, value_name = "F", default_value_t = 0.5, requires = "cross_page")]
    cross_y: f64,
    /// PAdES baseline level.
    #[arg(long, value_enum, default_value_t = Level::BB)]
    level: Level,
    /// RFC 3161 time-stamping authority for B-T and up; may carry user:password@. Default: the
    /// Signet deployment configured here (SIGNET_DATA_DIR / SIGNET_DATABASE_URL), whose CA's
    /// OCSP and CRLs are then also answered in-process.
    #[arg(long, value_name = "URL")]
    tsa: Option<String>,
    /// Basic-auth user for the TSA.
    #[arg(long, value_name = "USER", requires = "tsa")]
    tsa_user: Option<String>,
    /// Basic-auth password for the TSA.
    #[arg(long, value_name = "PW", requires = "tsa")]
    tsa_password: Option<String>,
    /// /Reason of the signature.
    #[arg(long, value_name = "T")]
    reason: Option<String>,
    /// /Location of the signature.
    #[arg(long, value_name = "T")]
    location: Option<String>,
    /// Signature field name (default Signature1, Signature2, ...).
    #[arg(long, value_name = "NAME")]
    field: Option<String>,
    /// Print the signing time under the seal.
    #[arg(long)]
    show_time: bool,
    /// Print a short document digest under the seal.
    #[arg(long)]
    show_digest: bool,
    /// User password of an encrypted PDF.
    #[arg(long, value_name = "PW")]
    user_password: Option<String>,
    /// Digest algorithm (default: the key's, SM3 for SM2).
    #[arg(long, value_name = "ALG", value_parser = ["sha256", "sha384", "sha512", "sm3"])]
    digest: Option<String>,
    /// Write adbe.pkcs7.detached (with a signing-time attribute) instead of ETSI.CAdES.detached.
    #[arg(long)]
    pkcs7: bool,
    /// Do not ask the certificate's OCSP responder whether it was revoked before signing.
    #[arg(long)]
    no_revocation_check: bool,
    /// Make this a certification signature (the document's first) allowing afterwards:
    /// 1 no changes, 2 form filling and signatures, 3 also annotations.
    #[arg(long, value_name = "P", value_parser = clap::value_parser!(u8).range(1..=3))]
    certify: Option<u8>,
}

pub(super) fn run(settings: Settings, args: SignArgs) -> anyhow::Result<()> {
    let material = KeyMaterial::load(&args)?;
    material.check_validity(SystemTime::now())?;
    let request = sign_request(&args)?;
    let mut input = open_input(&args.input)?;
    // Without --tsa, levels above B-B use the deployment configured here (its TSA and its CA's
    // revocation answers, in-process).
    let deployment = match (&args.tsa, args.level > Level::BB) {
        (None, true) => Some(Deployment::open_existing(
            &settings,
            &format!("--level {} needs a time-stamping authority", args.level),
        )?),
        _ => None,
    };
    let http_tsa = match &args.tsa {
        Some(url) => Some(HttpTsa::new(url, args.tsa_user.as_deref(), args.tsa_password.as_deref())?),
        None => None,
    };
    let local_tsa = deployment.as_ref().map(Deployment::tsa).transpose()?;
    let tsa: Option<&dyn TimestampSource> = match (&http_tsa, &local_tsa) {
        (Some(t), _) => Some(t),
        (None, Some(t)) => Some(t),
        (None, None) => None,
    };
    let http = Http::new(std::time::Duration::from_secs(30))?;
    let transport: &dyn ValidationSource = match &deployment {
        Some(d) => d,
        None => &http,
    };

    let mut builder = CmsBuilder::new(&material.signer, &material.certificate, &material.chain)
        .context("the certificate or chain cannot be embedded")?;
    if let Some(digest) = &args.digest {
        let digest: DigestAlgorithm = digest.parse().map_err(|e| anyhow::anyhow!("--digest: {e}"))?;
        builder = builder.digest(digest).context("--digest does not suit the key")?;
    }
    if args.pkcs7 {
        builder = builder.profile(CmsProfile::AdbePkcs7Detached { signing_time: request.signing_time });
    }
    if let (Some(tsa), true) = (tsa, args.level >= Level::BT) {
        builder = builder.timestamp(tsa);
    }
    let container = if args.pkcs7 { CmsContainer::pkcs7(builder) } else { CmsContainer::pades(builder) };

    let mut signed = Stage::next_to(&args.output)?;
    // Last check before signing: the network is asked only once everything else is in order.
    if !args.no_revocation_check {
        let quick = Http::new(std::time::Duration::from_secs(5))?;
        material.check_not_revoked(if deployment.is_some() { transport } else { &quick })?;
    }
    let certify = args.certify.and_then(|p| signet_pdf::DocMdp::from_p(i64::from(p)));
    let outcome = signed.write(|out| match certify {
        Some(level) => Ok(signet_pdf::certify(&mut input, out, &request, level, &container)?),
        None => Ok(signet_pdf::sign(&mut input, out, &request, &container)?),
    })?;
    let mut last = signed;
    if args.level >= Level::BLt {
        let certs = signature_certificates(last.reader()?, &outcome.field_name, args.user_password.as_deref())?;
        last = add_validation_data(&mut last, &args.output, &certs, transport, args.user_password.as_deref())?;
    }
    if let (Some(tsa), Level::BLta) = (tsa, args.level) {
        last = add_document_timestamp(&mut last, &args.output, tsa, args.user_password.as_deref())?;
    }
    last.persist(&args.output)?;
    if let Some(deployment) = deployment {
        deployment.close();
    }
    if outcome.rewritten {
        eprintln!(
            "note: the input was an unsigned hybrid-reference file; it was rewritten with one xref section before signing"
        );
    }
    let seals = outcome.widgets.len();
    eprintln!(
        "signed {} -> {} (field {}, {} seal{}, level {})",
        args.input.display(),
        args.output.display(),
        outcome.field_name,
        seals,
        if seals == 1 { "" } else { "s" },
        args.level
    );
    Ok(())
}

/// The engine request from the command line.
fn sign_request(args: &SignArgs) -> anyhow::Result<SignRequest> {
    let mut placements = Vec::new();
    for at in &args.at {
        placements.push(parse_at(at)?);
    }
    if let Some(text) = &args.keyword {
        let offset = args.offset.as_deref().map(|o| parse_pair(o, "--offset")).transpose()?.unwrap_or((0.0, 0.0));
        placements.push(Placement::Keyword { text: text.clone(), offset });
    }
    for rect in &args.rect {
        placements.push(parse_rect(rect)?);
    }
    if args.cross_page {
        placements.push(Placement::CrossPage { y_fraction: args.cross_y });
    }
    let appearance = match &args.image {
        Some(path) => Some(Appearance {
            image: std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
            width_pt: args.width,
            show_time: args.show_time,
            show_digest: args.show_digest,
        }),
        None if !placements.is_empty() => {
            bail!("a seal position (--at, --keyword, --rect, --cross-page) needs --image")
        }
        None => None,
    };
    if appearance.is_some() && placements.is_empty() {
        bail!("--image needs a position: --at, --keyword, --rect or --cross-page");
    }
    Ok(SignRequest {
        field_name: args.field.clone(),
        placements,
        appearance,
        reason: args.reason.clone(),
        location: args.location.clone(),
        contact_info: None,
        signing_time: SystemTime::now(),
        user_password: args.user_password.clone(),
    })
}

/// `PAGES,X,Y` where PAGES may itself contain commas (`1-3,5,100,200`).
fn parse_at(spec: &str) -> anyhow::Result<Placement> {
    let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
    let [pages @ .., x, y] = parts.as_slice() else { bail!("--at {spec:?}: expected PAGE,X,Y") };
    if pages.is_empty() {
        bail!("--at {spec:?}: expected PAGE,X,Y");
    }
    let pages = signet_pdf::parse_pages(&pages.join(",")).map_err(|e| anyhow::anyhow!("--at {spec:?}: {e}"))?;
    Ok(Placement::At { pages, x: number(x, "--at")?, y: number(y, "--at")? })
}

/// `PAGE,X1,Y1,X2,Y2` in fractions of the page.
fn parse_rect(spec: &str) -> anyhow::Result<Placement> {
    let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
    let [page, x1, y1, x2, y2] = parts.as_slice() else { bail!("--rect {spec:?}: expected PAGE,X1,Y1,X2,Y2") };
    let page = page.parse().map_err(|_| anyhow::anyhow!("--rect {spec:?}: bad page {page:?}"))?;
    Ok(Placement::Rect {
        page,
        x1: number(x1, "--rect")?,
        y1: number(y1, "--rect")?,
        x2: number(x2, "--rect")?,
        y2: number(y2, "--rect")?,
    })
}

fn parse_pair(spec: &str, option: &str) -> anyhow::Result<(f64, f64)> {
    let Some((a, b)) = spec.split_once(',') else { bail!("{option} {spec:?}: expected DX,DY") };
    Ok((number(a.trim(), option)?, number(b.trim(), option)?))
}

fn number(text: &str, option: &str) -> anyhow::Result<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite()).with_context(|| format!("{option}: {text:?} is not a number"))
}

/// The signing key with its certificate and chain.
struct KeyMaterial {
    signer: SoftwareKey,
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
}

impl KeyMaterial {
    fn load(args: &SignArgs) -> anyhow::Result<Self> {
        match (&args.p12, &args.key, &args.cert) {
            (Some(p12), None, None) => {
                let data = read(p12)?;
                let password = args.password.as_deref().unwrap_or_default();
                let contents = signet_pki::read_pkcs12(&data, password)
                    .with_context(|| format!("cannot open {} (wrong password?)", p12.display()))?;
                let signer = contents.signer().context("the key in the PKCS#12 file is not usable")?;
                Ok(Self { signer, certificate: contents.certificate.clone(), chain: contents.chain.clone() })
            }
            (None, Some(key), Some(cert)) => {
                let mut certs = signet_pki::read_certificates(&read(cert)?)
                    .with_context(|| format!("{} holds no certificate", cert.display()))?;
                if certs.is_empty() {
                    bail!("{} holds no certificate", cert.display());
                }
                let certificate = certs.remove(0);
                let mut chain = certs;
                if let Some(path) = &args.chain {
                    chain.extend(
                        signet_pki::read_certificates(&read(path)?)
                            .with_context(|| format!("{} holds no certificate", path.display()))?,
                    );
                }
                let spki = parse_certificate(&certificate)?
                    .tbs_certificate()
                    .subject_public_key_info()
                    .to_der()
                    .context("the certificate's public key does not encode")?;
                let algorithm = signet_pki::key_algorithm_of_spki(&spki).context("unsupported certificate key")?;
                let pkcs8 = pem_private_key(&read(key)?, key)?;
                let signer = SoftwareKey::from_pkcs8(algorithm, &pkcs8)
                    .with_context(|| format!("{} is not a {} private key", key.display(), algorithm.name()))?;
                if signer.public_key_der() != spki {
                    bail!("the key in {} does not belong to the certificate in {}", key.display(), cert.display());
                }
                Ok(Self { signer, certificate, chain })
            }
            _ => bail!("give the signing key as --p12 FILE --password PW, or --key KEY.pem --cert CERT.pem"),
        }
    }

    /// A revoked certificate can no longer sign. When the responder cannot be reached the
    /// signature is still made (offline use), with a warning.
    fn check_not_revoked(&self, transport: &dyn ValidationSource) -> anyhow::Result<()> {
        match super::validation_data::is_revoked(&self.certificate, &self.chain, transport) {
            Ok(false) => Ok(()),
            Ok(true) => {
                let subject = parse_certificate(&self.certificate)?.tbs_certificate().subject().to_string();
                bail!("the certificate of {subject} is revoked: it can no longer sign")
            }
            Err(err) => {
                eprintln!("signet: warning: revocation not checked: {err:#}");
                Ok(())
            }
        }
    }

    /// A certificate outside its validity period can no longer sign.
    fn check_validity(&self, now: SystemTime) -> anyhow::Result<()> {
        let cert = parse_certificate(&self.certificate)?;
        let validity = cert.tbs_certificate().validity();
        let subject = cert.tbs_certificate().subject().to_string();
        if now < validity.not_before.to_system_time() {
            bail!("the certificate of {subject} is not valid before {}", validity.not_before);
        }
        if now > validity.not_after.to_system_time() {
            bail!("the certificate of {subject} expired on {}", validity.not_after);
        }
        Ok(())
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The PKCS#8 DER inside a `PRIVATE KEY` PEM block (or a DER file).
fn pem_private_key(data: &[u8], path: &Path) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    let text = String::from_utf8_lossy(data);
    if !text.contains("-----BEGIN") {
        return Ok(Zeroizing::new(data.to_vec()));
    }
    if text.contains("ENCRYPTED PRIVATE KEY") {
        bail!("{} is an encrypted key: decrypt it (openssl pkcs8) or use --p12", path.display());
    }
    let begin = "-----BEGIN PRIVATE KEY-----";
    let Some(start) = text.find(begin) else {
        bail!("{} holds no PKCS#8 'PRIVATE KEY' block (convert with: openssl pkcs8 -topk8 -nocrypt)", path.display());
    };
    let body = &text[start + begin.len()..];
    let end = body.find("-----END PRIVATE KEY-----").with_context(|| format!("{} is truncated", path.display()))?;
    let b64: Zeroizing<String> = Zeroizing::new(body[..end].chars().filter(|c| !c.is_whitespace()).collect());
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .with_context(|| format!("{} is not valid PEM", path.display()))?;
    Ok(Zeroizing::new(der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_parse() {
        assert_eq!(parse_at("1-2,4,100,200.5").unwrap(), Placement::At { pages: vec![1, 2, 4], x: 100.0, y: 200.5 });
        assert!(parse_at("1,100").is_err());
        assert!(parse_at("x,1,2").is_err());
        assert_eq!(
            parse_rect("2,0.1,0.2,0.3,0.4").unwrap(),
            Placement::Rect { page: 2, x1: 0.1, y1: 0.2, x2: 0.3, y2: 0.4 }
        );
        assert!(parse_rect("2,0.1,0.2").is_err());
        assert_eq!(parse_pair("-10,5", "--offset").unwrap(), (-10.0, 5.0));
        assert!(parse_pair("nan,5", "--offset").is_err());
    }
}
