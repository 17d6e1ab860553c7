//! Flows: create, start, sign (in order, concurrently safe across nodes), reject, revoke,
//! archive, expire; every step audited and reported through the callback outbox.

use std::io::Cursor;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::json;
use signet_pdf::{Appearance, Placement, SignRequest};
use signet_pki::{CmsBuilder, KeyCustody};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tracing::{info, warn};

use super::Signet;
use crate::accounts::{AccountId, AccountRecord};
use crate::audit::{AuditEntry, AuditRecord, verify_chain};
use crate::certificates::CertificateRecord;
use crate::events::OutboxEvent;
use crate::flows::{
    Field, FlowDocument, FlowId, FlowRecord, FlowSigner, FlowStatus, Position, SignerAuth, SignerStatus,
};
use crate::ids::AppId;
use crate::ports::BlobKey;
use crate::seals::SealRecord;
use crate::signing::{CmsContainer, PadesLevel, add_document_timestamp, add_validation_data};
use crate::validation_data::{self, GatherPolicy, ValidationDataError};
use crate::{Error, Result};

pub use super::scene_certificates::CertificateChoice;

const MAX_DOCUMENTS: usize = 20;
const MAX_SIGNERS: usize = 50;
/// How often a use case re-reads a flow another node changed before giving up.
pub(super) const MAX_REBASES: usize = 5;

/// A flow as the caller describes it.
#[derive(Debug, Clone)]
pub struct NewFlow {
    pub title: String,
    pub file_ids: Vec<String>,
    pub signers: Vec<NewSigner>,
    pub callback_url: Option<String>,
    pub expires_at: Option<OffsetDateTime>,
}

/// A signer as the caller describes it.
#[derive(Debug, Clone)]
pub struct NewSigner {
    pub account_id: String,
    pub seal_id: Option<String>,
    pub order: i64,
    pub fields: Vec<Field>,
    pub auth: SignerAuth,
}

/// How a signature is authorised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignMode {
    /// Silent signing: needs an active authorization from the signer.
    Auto,
    /// The platform signs on the signer's explicit request; a signer whose auth is SMS or e-mail
    /// gives the willingness code it received.
    Platform { code: Option<String> },
    /// The signer proved willingness moments ago on its signing page, which checked (and
    /// consumed) the code; only the page use cases can make the proof.
    Verified(super::sign_pages::PageProof),
}

impl Signet {
    /// Creates a flow in `draft`.
    pub async fn create_flow(&self, app: &AppId, new: NewFlow) -> Result<FlowRecord> {
        let now = self.clock.now();
        let title = new.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(Error::invalid("title", "expected 1 to 200 characters"));
        }
        if new.file_ids.is_empty() || new.file_ids.len() > MAX_DOCUMENTS {
            return Err(Error::invalid("documents", format!("expected 1 to {MAX_DOCUMENTS} documents")));
        }
        if new.signers.is_empty() || new.signers.len() > MAX_SIGNERS {
            return Err(Error::invalid("signers", format!("expected 1 to {MAX_SIGNERS} signers")));
        }
        if new.expires_at.is_some_and(|t| t <= now) {
            return Err(Error::invalid("expiresAt", "must be in the future"));
        }
        let callback_url = new.callback_url.as_deref().map(super::apps::validate_callback_url).transpose()?;
        let mut documents = Vec::new();
        for (position, file_id) in new.file_ids.iter().enumerate() {
            let file =
                self.file(app, file_id).await.map_err(|_| Error::invalid("documents", format!("no file {file_id}")))?;
            if file.pages.is_none() {
                return Err(Error::invalid("documents", format!("file {file_id} is not a PDF")));
            }
            documents.push(FlowDocument {
                position,
                file_id: file.id,
                name: file.name,
                current_key: file.blob_key,
                revision: 0,
            });
        }
        let mut signers: Vec<FlowSigner> = Vec::new();
        for signer in new.signers {
            let account = self.account(app, &signer.account_id).await.map_err(|e| match e {
                Error::NotFound(_) => Error::invalid("signers.accountId", format!("no account {}", signer.account_id)),
                other => other,
            })?;
            if !account.active {
                return Err(Error::invalid("signers.accountId", format!("account {} is deactivated", account.id)));
            }
            if signers.iter().any(|s| s.account_id == account.id) {
                return Err(Error::invalid("signers.accountId", format!("account {} is listed twice", account.id)));
            }
            let seal_id = match &signer.seal_id {
                Some(id) => {
                    let seal = self
                        .seal(app, id)
                        .await
                        .map_err(|_| Error::invalid("signers.sealId", format!("no seal {id}")))?;
                    if seal.account_id != account.id {
                        return Err(Error::Forbidden(format!("seal {id} belongs to another account")));
                    }
                    Some(seal.id)
                }
                None => None,
            };
            for field in &signer.fields {
                field.validate(documents.len())?;
            }
            if !(0..=1000).contains(&signer.order) {
                return Err(Error::invalid("signers.order", "expected 0 to 1000"));
            }
            signers.push(FlowSigner {
                account_id: account.id,
                order: signer.order,
                seal_id,
                fields: signer.fields,
                auth: signer.auth,
                status: SignerStatus::Waiting,
                signed_at: None,
                reject_reason: None,
            });
        }
        signers.sort_by_key(|s| s.order);
        let flow = FlowRecord {
            id: FlowId::generate(),
            app_id: app.clone(),
            title: title.to_owned(),
            status: FlowStatus::Draft,
            callback_url,
            expires_at: new.expires_at,
            archived: false,
            created_at: now,
            updated_at: now,
            documents,
            signers,
        };
        let detail = json!({
            "title": flow.title,
            "documents": flow.documents.iter().map(|d| json!({"fileId": d.file_id.as_str(), "name": d.name})).collect::<Vec<_>>(),
            "signers": flow.signers.iter().map(|s| s.account_id.as_str()).collect::<Vec<_>>(),
        });
        let audit = AuditEntry::new(app, flow_scope(&flow.id), "flow.created", detail, now);
        self.store.flow_insert(&flow, &audit).await?;
        Ok(flow)
    }

    /// Reads a flow of the calling app.
    pub async fn flow(&self, app: &AppId, id: &str) -> Result<FlowRecord> {
        let id = FlowId::parse(id)?;
        self.store.flow_get(app, &id).await?.ok_or(Error::NotFound("flow"))
    }

    /// Starts a draft flow.
    pub async fn start_flow(&self, app: &AppId, id: &str) -> Result<FlowRecord> {
        self.transition(app, id, "flow.started", |flow| {
            if flow.status != FlowStatus::Draft {
                return Err(Error::Conflict(format!(
                    "only a draft flow can be started; it is {}",
                    flow.status.as_str()
                )));
            }
            flow.status = FlowStatus::Signing;
            Ok(json!({}))
        })
        .await
    }

    /// Revokes an open flow.
    pub async fn revoke_flow(&self, app: &AppId, id: &str, reason: Option<&str>) -> Result<FlowRecord> {
        let reason = reason.map(str::to_owned);
        self.transition(app, id, "flow.revoked", move |flow| {
            if !flow.status.is_open() {
                return Err(Error::Conflict(format!("the flow is already {}", flow.status.as_str())));
            }
            flow.status = FlowStatus::Revoked;
            Ok(json!({"reason": reason}))
        })
        .await
    }

    /// A signer declines to sign; the flow ends as rejected.
    pub async fn reject_flow(&self, app: &AppId, id: &str, account: &str, reason: &str) -> Result<FlowRecord> {
        let reason = reason.trim().to_owned();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(Error::invalid("reason", "expected 1 to 500 characters"));
        }
        let account = AccountId::parse(account).map_err(|_| Error::NotFound("signer"))?;
        let now = self.clock.now();
        self.transition(app, id, "flow.signer.rejected", move |flow| {
            flow.turn_of(&account)?;
            let signer = flow.signers.iter_mut().find(|s| s.account_id == account).ok_or(Error::NotFound("signer"))?;
            signer.status = SignerStatus::Rejected;
            signer.reject_reason = Some(reason.clone());
            signer.signed_at = Some(now);
            flow.status = FlowStatus::Rejected;
            Ok(json!({"accountId": account.as_str(), "reason": reason}))
        })
        .await
    }

    /// Archives a completed flow (refused while a signer has not finished).
    pub async fn archive_flow(&self, app: &AppId, id: &str) -> Result<FlowRecord> {
        self.transition(app, id, "flow.archived", |flow| {
            if flow.status != FlowStatus::Completed {
                return Err(Error::Conflict("only a completed flow can be archived".into()));
            }
            flow.archived = true;
            Ok(json!({}))
        })
        .await
    }

    /// Signs every document of the flow for one signer, with the signer's certificate and seal.
    pub async fn sign_flow(&self, app: &AppId, id: &str, account_id: &str, mode: SignMode) -> Result<FlowRecord> {
        self.sign_flow_as(app, id, account_id, mode, CertificateChoice::Deployment).await
    }

    /// [`Self::sign_flow`] with the caller's choice of certificate: the account's long-term one
    /// or a per-scene certificate issued for this signing only.
    pub async fn sign_flow_as(
        &self,
        app: &AppId,
        id: &str,
        account_id: &str,
        mode: SignMode,
        certificate: CertificateChoice,
    ) -> Result<FlowRecord> {
        let scene = match certificate {
            CertificateChoice::Deployment => self.config.scene_certificates,
            CertificateChoice::LongTerm => false,
            CertificateChoice::Scene => true,
        };
        let account = self.account(app, account_id).await.map_err(|_| Error::NotFound("signer"))?;
        for attempt in 0..MAX_REBASES {
            let flow = self.flow(app, id).await?;
            self.expire_if_due(&flow).await?;
            let signer = flow.turn_of(&account.id)?.clone();
            if !account.active {
                return Err(Error::Conflict("the signer's account is deactivated".into()));
            }
            let seal = self.seal_for_signing(&account, signer.seal_id.as_ref()).await?;
            match &mode {
                SignMode::Auto => {
                    if self.active_authorization(&account, &seal.id).await?.is_none() {
                        return Err(Error::Forbidden(
                            "automatic signing needs an active silent-sign authorization for this seal".into(),
                        ));
                    }
                }
                SignMode::Verified(_) => {}
                SignMode::Platform { code } => match (signer.auth, code.as_deref()) {
                    (SignerAuth::None, _) => {}
                    (auth, None) => {
                        return Err(Error::Forbidden(format!(
                            "this signer must give the willingness code sent by {}",
                            auth.as_str()
                        )));
                    }
                    // Checked once: a retry after a concurrent change must not ask for a new code.
                    (_, Some(code)) if attempt == 0 => self.check_code(&account, &flow_scope(&flow.id), code).await?,
                    _ => {}
                },
            }
            match self.sign_once(&flow, &signer, &account, &seal, &mode, scene).await {
                Err(Error::ConcurrentUpdate(_)) => {
                    warn!(flow.id = %flow.id, attempt, "another node changed the flow; signing the new revision");
                }
                other => return other,
            }
        }
        Err(Error::Conflict("the flow kept changing; retry".into()))
    }

    /// Sends a willingness code to a signer of the flow (6 digits, 15 minutes, single use).
    pub async fn send_flow_code(&self, app: &AppId, id: &str, account_id: &str) -> Result<crate::codes::CodeSent> {
        let flow = self.flow(app, id).await?;
        let account = self.account(app, account_id).await.map_err(|_| Error::NotFound("signer"))?;
        let signer = flow.turn_of(&account.id)?;
        let channel = match signer.auth {
            SignerAuth::Sms | SignerAuth::None => crate::notify::Channel::Sms,
            SignerAuth::Email => crate::notify::Channel::Email,
        };
        let scope = flow_scope(&flow.id);
        self.send_code(&account, &scope, channel, 6, &scope).await
    }

    /// The latest revision of a document of the flow.
    pub async fn flow_document(&self, app: &AppId, id: &str, index: usize) -> Result<(FlowDocument, Bytes)> {
        let flow = self.flow(app, id).await?;
        let document = flow.documents.get(index).cloned().ok_or(Error::NotFound("document"))?;
        let bytes = self.blobs.get(&document.current_key).await?;
        Ok((document, bytes))
    }

    /// The flow's audit trail and whether its chain is intact.
    pub async fn flow_audit(&self, app: &AppId, id: &str) -> Result<(Vec<AuditRecord>, bool)> {
        let flow = self.flow(app, id).await?;
        let records = self.store.audit_list(app, &flow_scope(&flow.id)).await?;
        let intact = verify_chain(&records);
        Ok((records, intact))
    }

    /// Expires open flows whose deadline has passed; returns how many. Run by the background job
    /// on every node: the optimistic check makes concurrent runs harmless.
    pub async fn expire_due_flows(&self) -> Result<usize> {
        let due = self.store.flows_expired(self.clock.now(), 100).await?;
        let mut expired = 0;
        for (app, id) in due {
            let flow = self.store.flow_get(&app, &id).await?.ok_or(Error::NotFound("flow"))?;
            match self.expire_if_due(&flow).await {
                Ok(()) | Err(Error::Conflict(_) | Error::ConcurrentUpdate(_)) => expired += 1,
                Err(err) => warn!(flow.id = %id, error = %err, "could not expire a flow"),
            }
        }
        Ok(expired)
    }

    pub(super) async fn expire_if_due(&self, flow: &FlowRecord) -> Result<()> {
        let now = self.clock.now();
        if !(flow.status.is_open() && flow.expires_at.is_some_and(|t| t <= now)) {
            return Ok(());
        }
        let mut expired = flow.clone();
        expired.status = FlowStatus::Expired;
        expired.updated_at = now;
        let origin = self.flow_origin(flow).await?;
        let change = self.change_for(&origin, flow, expired, "flow.expired", json!({}), now).await?;
        self.store.flow_update(&change).await?;
        info!(flow.id = %flow.id, "flow expired");
        Err(Error::Conflict("the flow has expired".into()))
    }

    /// Reads a flow, applies `step`, and commits it with the audit entries and callbacks its
    /// origin owes; re-reads and re-applies when another node changed the flow.
    pub(super) async fn transition<F>(&self, app: &AppId, id: &str, action: &str, step: F) -> Result<FlowRecord>
    where
        F: Fn(&mut FlowRecord) -> Result<serde_json::Value>,
    {
        for _ in 0..MAX_REBASES {
            let flow = self.flow(app, id).await?;
            self.expire_if_due(&flow).await?;
            let origin = self.flow_origin(&flow).await?;
            let now = self.clock.now();
            let mut next = flow.clone();
            let detail = step(&mut next)?;
            next.updated_at = now;
            let change = self.change_for(&origin, &flow, next.clone(), action, detail, now).await?;
            match self.store.flow_update(&change).await {
                Ok(()) => return Ok(next),
                Err(Error::ConcurrentUpdate(_)) => continue,
                Err(err) => return Err(err),
            }
        }
        Err(Error::Conflict("the flow kept changing; retry".into()))
    }

    /// A native outbox event for the flow's callback URL (or the app's).
    pub(super) async fn event(
        &self,
        flow: &FlowRecord,
        event: &str,
        detail: serde_json::Value,
        now: OffsetDateTime,
    ) -> Result<OutboxEvent> {
        let target = match &flow.callback_url {
            Some(url) => Some(url.clone()),
            None => self.app(&flow.app_id).await?.callback_url,
        };
        let mut body = json!({
            "event": event,
            "appId": flow.app_id.as_str(),
            "flowId": flow.id.as_str(),
            "status": flow.status.as_str(),
            "time": now.format(&Rfc3339).unwrap_or_default(),
        });
        if let (Some(body), Some(detail)) = (body.as_object_mut(), detail.as_object()) {
            for (key, value) in detail {
                body.entry(key.clone()).or_insert(value.clone());
            }
        }
        let mut outbox = OutboxEvent::new(&flow.app_id, event, String::new(), target, now);
        if let Some(object) = body.as_object_mut() {
            object.insert("eventId".into(), json!(outbox.id.as_str()));
        }
        outbox.body = body.to_string();
        Ok(outbox)
    }

    /// One signing attempt on the flow as read; a concurrent change makes the commit fail.
    async fn sign_once(
        &self,
        flow: &FlowRecord,
        signer: &FlowSigner,
        account: &AccountRecord,
        seal: &SealRecord,
        mode: &SignMode,
        scene: bool,
    ) -> Result<FlowRecord> {
        let now = self.clock.now();
        let origin = self.flow_origin(flow).await?;
        let certificate =
            if scene { self.scene_certificate(account).await? } else { self.account_certificate(account).await? };
        let mut next = flow.clone();
        let signature = Signature { account, seal, certificate: &certificate, now };
        let revisions = self.sign_documents(&mut next.documents, &signer.fields, true, &signature).await?;
        let signed_documents: Vec<_> = revisions
            .iter()
            .map(|r| json!({"document": r.position, "before": sha256_of_key(&r.before), "after": sha256_of_key(&r.after)}))
            .collect();
        let entry = next.signers.iter_mut().find(|s| s.account_id == account.id).ok_or(Error::NotFound("signer"))?;
        entry.status = SignerStatus::Signed;
        entry.signed_at = Some(now);
        entry.seal_id = Some(seal.id.clone());
        if origin.completes_when_all_signed() && next.signers.iter().all(|s| s.status == SignerStatus::Signed) {
            next.status = FlowStatus::Completed;
        }
        next.updated_at = now;
        let detail = json!({
            "accountId": account.id.as_str(),
            "sealId": seal.id.as_str(),
            "certificateSerial": certificate.serial,
            "certificateKind": if scene { "scene" } else { "long_term" },
            "mode": match mode { SignMode::Auto => "auto", SignMode::Platform { .. } => "platform", SignMode::Verified(_) => "page" },
            "documents": signed_documents,
        });
        let change = self.change_for(&origin, flow, next.clone(), "flow.signer.signed", detail, now).await?;
        self.store.flow_update(&change).await?;
        info!(flow.id = %flow.id, account.id = %account.id, "signed");
        self.log_signed_documents(&next).await;
        Ok(next)
    }

    /// Signs each document that `fields` place the seal on (and, when `fields` is empty and
    /// `unplaced_signs_all`, every document, without a visible seal), storing each new revision.
    pub(super) async fn sign_documents(
        &self,
        documents: &mut [FlowDocument],
        fields: &[Field],
        unplaced_signs_all: bool,
        signature: &Signature<'_>,
    ) -> Result<Vec<SignedRevision>> {
        let Signature { account, seal, certificate, now } = *signature;
        let seal_png = self.blobs.get(&seal.image_key).await?;
        let mut revisions = Vec::new();
        for document in documents {
            let mine: Vec<&Field> = fields.iter().filter(|f| f.document == document.position).collect();
            if mine.is_empty() && !(unplaced_signs_all && fields.is_empty()) {
                continue;
            }
            let pdf = self.blobs.get(&document.current_key).await?;
            let signed = self.sign_pdf(pdf, sign_request(&mine, &seal_png, seal, account, now), certificate).await?;
            let after = self.blobs.put(Bytes::from(signed)).await?;
            let before = std::mem::replace(&mut document.current_key, after.clone());
            document.revision += 1;
            revisions.push(SignedRevision { position: document.position, before, after });
        }
        Ok(revisions)
    }

    /// Signs one PDF with an account's certificate at the deployment's PAdES level (B-LTA by
    /// default: signature timestamp, DSS, document timestamp, all from the built-in CA and TSA),
    /// off the async workers.
    pub(super) async fn sign_pdf(
        &self,
        pdf: Bytes,
        request: SignRequest,
        certificate: &CertificateRecord,
    ) -> Result<Vec<u8>> {
        self.sign_pdf_engine(pdf, request, certificate).await?.map_err(pdf_error)
    }

    /// [`Self::sign_pdf`] with the PDF engine's error left as it is, for callers (dialects) that
    /// report placement and document errors with their own codes.
    pub(super) async fn sign_pdf_engine(
        &self,
        pdf: Bytes,
        request: SignRequest,
        certificate: &CertificateRecord,
    ) -> Result<Result<Vec<u8>, signet_pdf::PdfError>> {
        let pki = Arc::clone(&self.pki);
        let level = self.config.pades_level;
        let own_pki = if level >= PadesLevel::BLt { Some(self.own_pki()?) } else { None };
        let cert = certificate.certificate_der.clone();
        let key = signet_pki::KeyRef::from_bytes(certificate.key_ref.clone());
        let chain = self.chain_of(certificate).await?;
        // Our own certificates must come with verified revocation data; for an external CA's,
        // the service embeds what it has (the path) and leaves its revocation data to that CA.
        let policy = match signet_pki::parse_certificate(&cert) {
            Ok(parsed) if self.pki.ca.issuer_of(&parsed).is_some() => GatherPolicy::OCSP_FIRST,
            _ => GatherPolicy { strict: false, crls_with_ocsp: false },
        };
        tokio::task::spawn_blocking(move || -> Result<Result<Vec<u8>, signet_pdf::PdfError>> {
            let signer = pki.custody.signer(&key)?;
            let builder = CmsBuilder::new(signer.as_ref(), &cert, &chain)?.timestamp(&pki.tsa);
            let container = CmsContainer::pades(builder);
            let mut out = Vec::with_capacity(pdf.len() + 64 * 1024);
            if let Err(err) = signet_pdf::sign(Cursor::new(pdf), &mut out, &request, &container) {
                return Ok(Err(err));
            }
            let Some(source) = own_pki else { return Ok(Ok(out)) };
            // B-LT: the signer's and the TSA's paths with our responder's answers, computed here.
            let mut certificates = vec![cert];
            certificates.extend(chain);
            certificates.extend(pki.ca.tsa_chain()?);
            let dss = validation_data::gather(&certificates, &source, policy).map_err(validation_data_error)?;
            let password = request.user_password.as_deref();
            let out = match add_validation_data(&out, &dss, password) {
                Ok(out) => out,
                Err(err) => return Ok(Err(err)),
            };
            if level < PadesLevel::BLta {
                return Ok(Ok(out));
            }
            Ok(add_document_timestamp(&out, &pki.tsa, password))
        })
        .await
        .map_err(|e| Error::Internal(format!("signing panicked: {e}")))?
    }
}

/// A signer whose certificate turns out revoked cannot sign; anything else gathering our own
/// CA's answers is our failure.
fn validation_data_error(err: ValidationDataError) -> Error {
    match err {
        ValidationDataError::Revoked(subject) => {
            Error::Conflict(format!("the certificate of {subject} is revoked: it can no longer sign"))
        }
        other => Error::Internal(format!("cannot gather validation data: {other}")),
    }
}

/// Who signs, with what, and when: the parts of one signature shared by every document.
#[derive(Clone, Copy)]
pub(super) struct Signature<'a> {
    pub account: &'a AccountRecord,
    pub seal: &'a SealRecord,
    pub certificate: &'a CertificateRecord,
    pub now: OffsetDateTime,
}

/// A document's new revision made by one signature.
pub(super) struct SignedRevision {
    pub position: usize,
    pub before: BlobKey,
    pub after: BlobKey,
}

impl Signet {
    /// Enters every signed revision into the evidence log (and, once complete, the final set).
    /// The signature is already committed, so a logging failure is reported, not returned.
    pub(super) async fn log_signed_documents(&self, flow: &FlowRecord) {
        let mut finals = Vec::new();
        for document in &flow.documents {
            let digest = sha256_of_key(&document.current_key);
            finals.push(digest.clone());
            let sid = format!("auto-{}", crate::random::lowercase_id(24));
            if let Err(err) = self.log_evidence(&flow.app_id, &sid, digest).await {
                warn!(flow.id = %flow.id, error = %err, "could not log a signed document as evidence");
            }
        }
        if flow.status == FlowStatus::Completed {
            use sha2::Digest;
            let summary = hex::encode(sha2::Sha256::digest(
                format!("flow {} completed: {}", flow.id, finals.join(",")).as_bytes(),
            ));
            let sid = format!("auto-{}", crate::random::lowercase_id(24));
            if let Err(err) = self.log_evidence(&flow.app_id, &sid, summary).await {
                warn!(flow.id = %flow.id, error = %err, "could not log a completed flow as evidence");
            }
        }
    }
}

/// The audit scope of a flow.
pub(crate) fn flow_scope(id: &FlowId) -> String {
    format!("flow:{id}")
}

/// The engine's request for one document: every field's placement, one appearance.
pub(super) fn sign_request(
    fields: &[&Field],
    seal_png: &Bytes,
    seal: &SealRecord,
    account: &AccountRecord,
    now: OffsetDateTime,
) -> SignRequest {
    let placements = fields
        .iter()
        .map(|f| match &f.position {
            Position::At { pages, x, y } => Placement::At { pages: pages.clone(), x: *x, y: *y },
            Position::Keyword { text, dx, dy } => Placement::Keyword { text: text.clone(), offset: (*dx, *dy) },
            Position::Rect { page, x1, y1, x2, y2 } => {
                Placement::Rect { page: *page, x1: *x1, y1: *y1, x2: *x2, y2: *y2 }
            }
            Position::CrossPage { y } => Placement::CrossPage { y_fraction: *y },
        })
        .collect::<Vec<_>>();
    let first = fields.first();
    let appearance = (!placements.is_empty()).then(|| Appearance {
        image: seal_png.to_vec(),
        width_pt: first.and_then(|f| f.width).or(Some(seal.width_mm * 72.0 / 25.4)),
        show_time: first.is_some_and(|f| f.show_time),
        show_digest: first.is_some_and(|f| f.show_digest),
    });
    SignRequest {
        field_name: None,
        placements,
        appearance,
        reason: Some("签署".to_owned()),
        location: None,
        // Names the signer for viewers that show the contact line.
        contact_info: Some(account.name.clone()),
        signing_time: now.into(),
        user_password: None,
    }
}

fn sha256_of_key(key: &BlobKey) -> String {
    key.as_str().trim_start_matches("sha256/").to_owned()
}

/// The PDF engine's errors on stored documents are the caller's placement mistakes or ours.
fn pdf_error(err: signet_pdf::PdfError) -> Error {
    let text = err.to_string();
    if text.contains("keyword") || text.contains("page") || text.contains("image") {
        Error::invalid("fields", text)
    } else {
        Error::Internal(format!("signing failed: {text}"))
    }
}

impl FlowRecord {
    /// The signer entry of an account, for views.
    pub fn signer(&self, account: &AccountId) -> Option<&FlowSigner> {
        self.signers.iter().find(|s| &s.account_id == account)
    }
}
