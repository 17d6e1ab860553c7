//! `signet verify`: checks every signature and document timestamp of a PDF: byte range and
//! coverage, digest, cryptographic validity, path to the trust roots, timestamps, and what later
//! revisions changed. Exit status 0 only when every signature is valid and trusted.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::Context;
use clap::Args;
use serde_json::{Value, json};
use signet_pdf::{Coverage, EmbeddedSignature};
use signet_pki::{CmsReport, CmsSignature, Hasher, TimestampReport, VerifyPolicy, verify_timestamp_token};

use super::pdf_output::open_input;
use super::validation_data;

/// Verify the signatures of a PDF.
#[derive(Debug, Args)]
pub(super) struct VerifyArgs {
    /// The PDF to check.
    input: PathBuf,
    /// PEM file of trusted root certificates. Repeatable.
    #[arg(long, value_name = "CA.pem")]
    trust: Vec<PathBuf>,
    /// Print a JSON report instead of text.
    #[arg(long)]
    json: bool,
    /// User password of an encrypted PDF.
    #[arg(long, value_name = "PW")]
    user_password: Option<String>,
    /// Check revocation online: fetch OCSP responses and CRLs from the URLs the certificates
    /// name; a certificate without obtainable status, or revoked before signing, fails.
    #[arg(long)]
    check_revocation: bool,
}

pub(super) fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let mut anchors = Vec::new();
    for path in &args.trust {
        let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let certs = signet_pki::read_certificates(&data)
            .ok()
            .filter(|c| !c.is_empty())
            .with_context(|| format!("{} holds no certificate", path.display()))?;
        anchors.extend(certs);
    }
    let mut file = open_input(&args.input)?;
    let inspection = signet_pdf::inspect(&mut file, args.user_password.as_deref())?;
    let mut reports = Vec::new();
    for signature in &inspection.signatures {
        let revinfo = if args.check_revocation {
            Some(validation_data::gather(&super::ltv_refresh::container_certificates(&signature.contents)?))
        } else {
            None
        };
        let mut policy = VerifyPolicy::new(&anchors);
        if let Some(dss) = &revinfo {
            policy.ocsp_responses = &dss.ocsps;
            policy.crls = &dss.crls;
            policy.extra_certificates = &dss.certs;
            policy.require_revocation = true;
        }
        reports.push(check(&mut file, signature, &policy)?);
    }
    let all_ok = !reports.is_empty() && reports.iter().all(|r| r.ok);
    if args.json {
        let value = json!({
            "file": args.input.display().to_string(),
            "revisions": inspection.revisions,
            "signatures": reports.iter().map(|r| r.json.clone()).collect::<Vec<_>>(),
            "valid": all_ok,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        if reports.is_empty() {
            println!("{}: no signatures", args.input.display());
        }
        for (i, report) in reports.iter().enumerate() {
            println!("Signature {} of {}:", i + 1, reports.len());
            for (label, value) in &report.lines {
                println!("  {label:<15}{value}");
            }
        }
        println!(
            "{}",
            if all_ok { "All signatures are valid and trusted." } else { "NOT all signatures are valid and trusted." }
        );
    }
    Ok(if all_ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// One signature's findings.
struct Report {
    ok: bool,
    lines: Vec<(&'static str, String)>,
    json: Value,
}

fn check(file: &mut File, signature: &EmbeddedSignature, policy: &VerifyPolicy<'_>) -> anyhow::Result<Report> {
    let is_doc_timestamp = signature.sub_filter.as_deref() == Some("ETSI.RFC3161")
        || signature.sig_type.as_deref() == Some("DocTimeStamp");
    let mut lines = vec![("field", signature.field_name.clone())];
    lines.push(("type", signature.sub_filter.clone().unwrap_or_else(|| "(no /SubFilter)".into())));
    let coverage = match signature.coverage {
        Coverage::EntireFile => "the whole file".to_owned(),
        Coverage::EntireRevision => format!("the whole of revision {} (later revisions follow)", signature.revision),
        Coverage::Suspicious => "NOT a whole revision".to_owned(),
    };
    lines.push(("byte range", format!("{:?}, covers {coverage}", signature.byte_range)));
    let mut problems = signature.problems.clone();
    let (cms_json, crypto_ok) = if is_doc_timestamp {
        // Hash the covered bytes in a stream with the token's own imprint algorithm.
        let imprint_algorithm = signet_pki::tst_info_of_token(&signature.contents)
            .ok()
            .and_then(|tst| signet_pki::DigestAlgorithm::from_oid(&tst.message_imprint.hash_algorithm.oid).ok());
        let imprint = match imprint_algorithm {
            Some(alg) => hash(signature.signed_bytes(&mut *file)?, alg)?,
            None => Vec::new(),
        };
        let report = verify_timestamp_token(&signature.contents, &imprint, policy);
        describe_timestamp("timestamp", &report, &mut lines);
        problems.extend(report.token.problems.iter().cloned());
        if !report.imprint_ok {
            problems.push("the document timestamp does not match the document".into());
        }
        (timestamp_json(&report), report.is_valid())
    } else {
        match CmsSignature::parse(&signature.contents) {
            Ok(cms) => {
                let digest = cms.digest_algorithm().ok();
                let content_digest = match digest {
                    Some(alg) => Some(hash(signature.signed_bytes(&mut *file)?, alg)?),
                    None => None,
                };
                let report = cms.verify(content_digest.as_deref(), policy);
                if let Some(time) = &signature.signing_time {
                    lines.push(("signing time", format!("{time} (claimed, /M)")));
                }
                describe_cms(&report, &mut lines);
                if let Some(ts) = &report.timestamp {
                    describe_timestamp("timestamp", ts, &mut lines);
                } else {
                    lines.push(("timestamp", "none".into()));
                }
                problems.extend(report.problems.iter().cloned());
                (cms_json(&report), report.is_valid())
            }
            Err(err) => {
                problems.push(format!("the signature container does not parse: {err}"));
                (Value::Null, false)
            }
        }
    };
    if let Some(level) = signature.certification {
        lines.push(("certification", certification_text(level).into()));
    }
    let later = summarise_changes(signature);
    lines.push(("later changes", if later.is_empty() { "none".into() } else { later.join("; ") }));
    let untouched = signature.is_untouched();
    if !untouched && signature.problems.is_empty() {
        problems.push("the document was modified after signing in a way signatures do not allow".into());
    }
    let ok = crypto_ok && untouched && problems.is_empty();
    lines.push(("result", if ok { "VALID".into() } else { format!("INVALID: {}", problems.join("; ")) }));
    let json = json!({
        "field": signature.field_name,
        "subFilter": signature.sub_filter,
        "documentTimestamp": is_doc_timestamp,
        "claimedSigningTime": signature.signing_time,
        "reason": signature.reason,
        "location": signature.location,
        "byteRange": signature.byte_range,
        "coverage": format!("{:?}", signature.coverage),
        "revision": signature.revision,
        "untouched": untouched,
        "certification": signature.certification.map(|l| l as u8),
        "laterChanges": signature.later_changes.iter().map(|c| json!({
            "revision": c.revision, "description": c.description, "allowed": c.allowed,
        })).collect::<Vec<_>>(),
        "cms": cms_json,
        "problems": problems,
        "valid": ok,
    });
    Ok(Report { ok, lines, json })
}

/// What a certification signature's DocMDP level allows, in words.
fn certification_text(level: signet_pdf::DocMdp) -> &'static str {
    match level {
        signet_pdf::DocMdp::NoChanges => "certified, DocMDP P=1: no changes allowed",
        signet_pdf::DocMdp::FormFilling => "certified, DocMDP P=2: form filling and signatures allowed",
        signet_pdf::DocMdp::Annotations => "certified, DocMDP P=3: form filling, signatures and annotations allowed",
    }
}

/// Later changes, one entry per distinct change and revision (`new object` x 12, ...).
fn summarise_changes(signature: &EmbeddedSignature) -> Vec<String> {
    let mut grouped: Vec<(usize, String, bool, usize)> = Vec::new();
    for change in &signature.later_changes {
        match grouped
            .iter_mut()
            .find(|(r, d, a, _)| *r == change.revision && *d == change.description && *a == change.allowed)
        {
            Some(entry) => entry.3 += 1,
            None => grouped.push((change.revision, change.description.clone(), change.allowed, 1)),
        }
    }
    grouped
        .into_iter()
        .map(|(revision, description, allowed, count)| {
            let times = if count > 1 { format!(" (x{count})") } else { String::new() };
            let verdict = if allowed { "" } else { " [NOT allowed]" };
            format!("revision {revision}: {description}{times}{verdict}")
        })
        .collect()
}

fn hash(mut bytes: impl Read, algorithm: signet_pki::DigestAlgorithm) -> anyhow::Result<Vec<u8>> {
    let mut hasher = Hasher::new(algorithm);
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = bytes.read(&mut buffer).context("cannot read the signed bytes")?;
        if n == 0 {
            return Ok(hasher.finish());
        }
        hasher.update(&buffer[..n]);
    }
}

fn describe_cms(report: &CmsReport, lines: &mut Vec<(&'static str, String)>) {
    lines.push(("signer", report.signer_subject.clone().unwrap_or_else(|| "(certificate not found)".into())));
    lines.push(("digest", if report.message_digest_ok { "intact".into() } else { "MISMATCH".into() }));
    let algorithm = report.signature_algorithm.map(|a| a.name()).unwrap_or("unknown algorithm");
    lines.push((
        "signature",
        if report.signature_ok {
            format!("cryptographically valid ({algorithm})")
        } else {
            format!("INVALID ({algorithm})")
        },
    ));
    lines.push(("certificate", chain_text(report)));
    if !report.revocation.is_empty() {
        lines.push(("revocation", revocation_text(report)));
    }
}

fn revocation_text(report: &CmsReport) -> String {
    report
        .revocation
        .iter()
        .map(|r| {
            let status = match (&r.status, r.source) {
                (Some(signet_pki::CertStatus::Good), Some(source)) => format!("good ({source})"),
                (Some(signet_pki::CertStatus::Revoked { time, .. }), Some(source)) => {
                    format!("REVOKED at {} ({source})", rfc3339(*time))
                }
                (Some(signet_pki::CertStatus::Unknown), _) => "unknown to the responder".into(),
                _ => "not checked".into(),
            };
            format!("{}: {status}", r.subject)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn describe_timestamp(label: &'static str, report: &TimestampReport, lines: &mut Vec<(&'static str, String)>) {
    let tsa = report.token.signer_subject.clone().unwrap_or_else(|| "unknown TSA".into());
    let state = if report.is_valid() { "valid" } else { "INVALID" };
    let imprint = if report.imprint_ok { "" } else { ", imprint MISMATCH" };
    lines.push((
        label,
        format!("{state}, {} by {tsa}{imprint}; {}", rfc3339(report.gen_time), chain_text(&report.token)),
    ));
}

fn chain_text(report: &CmsReport) -> String {
    match &report.chain {
        Ok(path) if path.len() == 1 => "trusted (a trust anchor itself)".to_owned(),
        Ok(path) => format!("trusted (path of {} certificates)", path.len()),
        Err(err) => format!("NOT trusted: {err}"),
    }
}

fn cms_json(report: &CmsReport) -> Value {
    json!({
        "signer": report.signer_subject,
        "digestAlgorithm": report.digest_algorithm.map(|d| d.name()),
        "signatureAlgorithm": report.signature_algorithm.map(|a| a.name()),
        "digestIntact": report.message_digest_ok,
        "signatureValid": report.signature_ok,
        "signingCertificateAttribute": report.signing_certificate_ok,
        "trusted": report.chain.is_ok(),
        "chainError": report.chain.as_ref().err().map(ToString::to_string),
        "revocation": report.revocation.iter().map(|r| json!({
            "subject": r.subject,
            "status": match &r.status {
                Some(signet_pki::CertStatus::Good) => "good",
                Some(signet_pki::CertStatus::Revoked { .. }) => "revoked",
                Some(signet_pki::CertStatus::Unknown) => "unknown",
                None => "unchecked",
            },
            "source": r.source,
        })).collect::<Vec<_>>(),
        "checkedAt": rfc3339(report.checked_at),
        "timestamp": report.timestamp.as_deref().map(timestamp_json),
    })
}

fn timestamp_json(report: &TimestampReport) -> Value {
    json!({
        "genTime": rfc3339(report.gen_time),
        "serial": hex::encode(&report.serial),
        "policy": report.policy.to_string(),
        "imprintOk": report.imprint_ok,
        "tsa": report.token.signer_subject,
        "trusted": report.token.chain.is_ok(),
        "valid": report.is_valid(),
        "problems": report.token.problems,
    })
}

fn rfc3339(time: SystemTime) -> String {
    time::OffsetDateTime::from(time).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
