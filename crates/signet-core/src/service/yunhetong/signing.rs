//! Digest signing (摘要签署) of a document the caller hands over, and document timestamps.
//!
//! Signing is the same engine call as a flow's (`Signet::sign_pdf_engine`: the account's
//! certificate, a CAdES signature with a timestamp from the built-in TSA, PAdES B-T); the dialect
//! only chooses placements and the appearance. Each signature gets a `summaryId` from a
//! deployment-wide counter and an entry in the user's audit trail.

use std::io::Cursor;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::json;
use sha2::{Digest, Sha256};
use signet_pdf::{Appearance, PdfError, Placement, SignRequest};
use signet_pki::DigestAlgorithm;

use super::error::{DigestError, DigestResult};
use super::tokens::Caller;
use crate::audit::AuditEntry;
use crate::service::accounts::account_scope;
use crate::signing::DocumentTimestamp;
use crate::{Error, Signet};

const SUMMARY_COUNTER: &str = "yunhetong.summary";
const TIMESTAMP_COUNTER: &str = "yunhetong.timestamp";
/// `/tsa/*` accept PDFs up to 20 MB (the document's limit).
pub const MAX_TIMESTAMP_BYTES: usize = 20 * 1024 * 1024;
/// Room for a TimeStampToken with the TSA's certificate chain.
const TIMESTAMP_RESERVE: usize = 16 * 1024;

/// Which seal image, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealChoice {
    /// `moulageId` -1: a fully transparent seal, i.e. an invisible signature.
    Invisible,
    /// A `moulageId`.
    Numbered(i64),
}

/// `sealClass`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealClass {
    /// 0 常规.
    Normal,
    /// 1 骑缝章: a slice on every page; the position is ignored.
    CrossPage,
    /// 2 含摘要: the document digest printed under the seal.
    WithDigest,
    /// 3 含签署时间: the signing time printed under the seal.
    WithTime,
}

/// `signPositionType` with its `positionContent`.
#[derive(Debug, Clone, PartialEq)]
pub enum DigestPosition {
    /// 0: the seal centred on every occurrence of the keyword.
    Keyword(String),
    /// 1: `page,x,y;...`, the seal centred on each point, origin bottom-left, in points.
    Points(Vec<(usize, f64, f64)>),
}

/// One signature to apply.
#[derive(Debug, Clone)]
pub struct DigestSign {
    pub signer: i64,
    pub seal: SealChoice,
    pub class: SealClass,
    /// Required unless the class is cross-page or the seal invisible.
    pub position: Option<DigestPosition>,
    pub title: Option<String>,
    /// The SMS code of the `verifyCode` routes, checked (and spent) once the user, the seal and
    /// the placement are known to be good, right before signing.
    pub code: Option<String>,
}

/// A signed document and its serial number.
#[derive(Debug, Clone)]
pub struct Signed {
    pub summary_id: i64,
    pub pdf: Vec<u8>,
}

/// A timestamped document and its serial number.
#[derive(Debug, Clone)]
pub struct Timestamped {
    pub timestamp_id: i64,
    pub pdf: Vec<u8>,
}

impl Signet {
    /// `/sign/*`: signs `pdf` for a user with one of the user's seals.
    pub async fn yunhetong_sign(&self, caller: &Caller, sign: DigestSign, pdf: Bytes) -> DigestResult<Signed> {
        caller.require_platform()?;
        let account = self.yunhetong_account(&caller.app, sign.signer).await?;
        let seal = match sign.seal {
            SealChoice::Invisible => None,
            SealChoice::Numbered(number) => {
                let seal = self.yunhetong_seal(&caller.app, number).await?;
                if seal.account_id != account.id {
                    return Err(DigestError::SealOfAnotherSigner(number));
                }
                Some(seal)
            }
        };
        let placements = match (&seal, sign.class, &sign.position) {
            (None, _, _) => Vec::new(),
            (Some(_), SealClass::CrossPage, _) => vec![Placement::CrossPage { y_fraction: 0.5 }],
            (Some(_), _, Some(position)) => placements(position),
            (Some(_), _, None) => return Err(DigestError::invalid("positionContent", "定位信息为空")),
        };
        let appearance = match &seal {
            Some(seal) => Some(Appearance {
                image: self.blobs.get(&seal.image_key).await?.to_vec(),
                width_pt: Some(seal.width_mm * 72.0 / 25.4),
                show_time: sign.class == SealClass::WithTime,
                show_digest: sign.class == SealClass::WithDigest,
            }),
            None => None,
        };
        let now = self.clock.now();
        let request = SignRequest {
            placements,
            appearance,
            reason: Some("签署".to_owned()),
            contact_info: Some(account.name.clone()),
            signing_time: now.into(),
            ..SignRequest::default()
        };
        if let Some(code) = &sign.code {
            self.yunhetong_check_code(caller, sign.signer, code).await?;
        }
        let certificate = self.account_certificate(&account).await?;
        let before = hex::encode(Sha256::digest(&pdf));
        let signed = self.sign_pdf_engine(pdf, request, &certificate).await?.map_err(engine_error)?;
        let summary_id = self.store.counter_next(SUMMARY_COUNTER).await?;
        let detail = json!({
            "dialect": "yunhetong",
            "summaryId": summary_id,
            "signerId": account.seq,
            "sealId": seal.as_ref().map(|s| s.id.as_str().to_owned()),
            "sealClass": format!("{:?}", sign.class),
            "certificateSerial": certificate.serial,
            "title": sign.title,
            "before": before,
            "after": hex::encode(Sha256::digest(&signed)),
        });
        let audit = AuditEntry::new(&caller.app, account_scope(&account.id), "document.signed", detail, now);
        self.store.audit_append(&audit).await?;
        Ok(Signed { summary_id, pdf: signed })
    }

    /// `/tsa/*`: adds a PAdES document timestamp from the built-in TSA (PDF only, at most 20 MB).
    pub async fn yunhetong_timestamp(
        &self,
        caller: &Caller,
        pdf: Bytes,
        title: Option<String>,
    ) -> DigestResult<Timestamped> {
        caller.require_platform()?;
        if pdf.len() > MAX_TIMESTAMP_BYTES {
            return Err(DigestError::invalid("filePath", "文件最大 20M"));
        }
        if !looks_like_pdf(&pdf) {
            return Err(DigestError::invalid("filePath", "只支持 pdf"));
        }
        let before = hex::encode(Sha256::digest(&pdf));
        let pki = Arc::clone(&self.pki);
        let stamped = tokio::task::spawn_blocking(move || {
            let container = DocumentTimestamp::new(&pki.tsa, DigestAlgorithm::Sha256, TIMESTAMP_RESERVE);
            let mut out = Vec::with_capacity(pdf.len() + TIMESTAMP_RESERVE * 2 + 4096);
            signet_pdf::timestamp_document(Cursor::new(pdf), &mut out, None, None, &container).map(|_| out)
        })
        .await
        .map_err(|e| Error::Internal(format!("timestamping panicked: {e}")))?
        .map_err(engine_error)?;
        let timestamp_id = self.store.counter_next(TIMESTAMP_COUNTER).await?;
        let detail = json!({
            "dialect": "yunhetong",
            "timeStampSignId": timestamp_id,
            "title": title,
            "before": before,
            "after": hex::encode(Sha256::digest(&stamped)),
        });
        let scope = format!("timestamp:{timestamp_id}");
        let audit = AuditEntry::new(&caller.app, scope, "document.timestamped", detail, self.clock.now());
        self.store.audit_append(&audit).await?;
        Ok(Timestamped { timestamp_id, pdf: stamped })
    }
}

fn placements(position: &DigestPosition) -> Vec<Placement> {
    match position {
        DigestPosition::Keyword(text) => vec![Placement::Keyword { text: text.clone(), offset: (0.0, 0.0) }],
        DigestPosition::Points(points) => {
            points.iter().map(|&(page, x, y)| Placement::At { pages: vec![page], x, y }).collect()
        }
    }
}

/// `%PDF-` within the first KiB, as readers accept it.
fn looks_like_pdf(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(1024)].windows(5).any(|w| w == b"%PDF-")
}

/// The engine's errors in the dialect's terms: unreadable documents, placement mistakes, failures.
fn engine_error(err: PdfError) -> DigestError {
    match err {
        PdfError::NotPdf(_)
        | PdfError::BrokenXref(_)
        | PdfError::Malformed(_)
        | PdfError::WrongPassword
        | PdfError::UnsupportedEncryption(_)
        | PdfError::Io(_) => DigestError::UnreadablePdf(err.to_string()),
        PdfError::PageOutOfRange { page, count } => {
            DigestError::invalid("positionContent", format!("页码 {page} 超出范围 (文档共 {count} 页)"))
        }
        PdfError::KeywordNotFound(keyword) => DigestError::SigningFailed(format!("关键字({keyword})未找到")),
        PdfError::InvalidRequest(reason) | PdfError::BadImage(reason) => DigestError::SigningFailed(reason),
        other => DigestError::Core(Error::Internal(format!("signing failed: {other}"))),
    }
}
