//! Use cases of the e签宝 open-service dialect that the native API does not have.
//!
//! e签宝 flows are open-ended: `addProcess` names the documents only, each sign task then adds
//! one signer (and usually signs at once), and the flow ends when the platform archives it
//! rather than when the last listed signer signs. The platform signs with its own organisation
//! account. Downloads are short-lived signed links, and callbacks carry the dialect's body and
//! headers ([`notices`]), whichever path changed the flow: request shapes stay in the HTTP layer,
//! but a signature on a signing page must be reported the dialect's way too.

mod notices;
mod passwords;

pub use notices::{flow_status, format_time, signer_status};

use std::collections::HashMap;

use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;
use signet_seal::CompanySealSpec;
use time::{Duration, OffsetDateTime};
use tracing::{info, warn};

use super::SealSource;
use super::Signet;
use super::flows::{MAX_REBASES, Signature, flow_scope};
use super::origin::FlowOrigin;
use super::sign_pages::SealOffer;
use crate::accounts::{AccountId, AccountKind, AccountLookup, AccountRecord, NewAccount};
use crate::apps::{App, AppChanges};
use crate::audit::{AuditEntry, AuditRecord};
use crate::events::OutboxEvent;
use crate::files::FileId;
use crate::flows::{Field, FlowDocument, FlowId, FlowRecord, FlowSigner, FlowStatus, SignerAuth, SignerStatus};
use crate::identity::{IdType, check_id_number};
use crate::ids::AppId;
use crate::notify::{Channel, OutgoingMessage, Purpose};
use crate::seals::{SealId, SealRecord};
use crate::tokens;
use crate::{Error, Result};

/// The third-party id of an app's platform account: create an organisation account with this
/// `thirdId` to sign platform tasks with a real identity; otherwise one is made on first use.
pub const PLATFORM_THIRD_ID: &str = "signet:platform";
/// Outbox events of this dialect are named `esign.<action>` and signed the dialect's way.
pub const EVENT_PREFIX: &str = "esign.";
const DOWNLOAD_PURPOSE: &str = "esign-download";
const MAX_DOCUMENTS: usize = 20;

/// Why an e签宝 use case refused, where the dialect has a code of its own.
#[derive(Debug, thiserror::Error)]
pub enum EsignRefusal {
    /// The signer named by a task does not exist for this app.
    #[error("the signer's account does not exist")]
    SignerUnknown,
    /// The signer has neither the requested seal nor a default one.
    #[error("the account has no seal to sign with")]
    NoSeal,
    /// Silent signing without an active authorization.
    #[error("the account has not authorized silent signing")]
    NotAuthorized,
    /// Archiving a flow nobody was asked to sign.
    #[error("the flow has no signer")]
    NoSigners,
    /// A task of an `encryption` flow without the documents' edit password (`docPwd`).
    #[error("docPwd is not the documents' edit password")]
    DocumentPassword,
    #[error(transparent)]
    Core(#[from] Error),
}

/// A flow as `addProcess` describes it.
#[derive(Debug, Clone)]
pub struct EsignNewFlow {
    pub title: String,
    /// File ids (the dialect's `docId`s) with an optional display name each.
    pub documents: Vec<(String, Option<String>)>,
    pub callback_url: Option<String>,
    pub expires_at: Option<OffsetDateTime>,
    /// Show the signing time under every seal of the flow (`addSignTime`).
    pub add_sign_time: bool,
    /// Other parameters, kept in the flow's audit trail (initiator, payer, redirect URL, ...).
    pub recorded: serde_json::Value,
}

/// Who signs a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    /// The app's own platform account, at once.
    Platform,
    /// A user who authorized silent signing, at once.
    Auto,
    /// A user on a signing page later: the signer is added, waiting.
    Hand,
}

/// One sign task.
#[derive(Debug, Clone)]
pub struct EsignTask {
    pub kind: TaskKind,
    /// The signer (ignored for [`TaskKind::Platform`]).
    pub account_id: String,
    pub seal_id: Option<String>,
    pub fields: Vec<Field>,
    pub third_order_no: Option<String>,
    /// `sealType` of a hand task: the seals its page offers.
    pub seal_offer: SealOffer,
    /// `docPwd`: the documents' edit password, for a flow created with `encryption`.
    pub document_password: Option<String>,
}

/// A flow's `addProcess` choices for its hand tasks.
#[derive(Debug, Clone, Default)]
pub struct HandOptions {
    /// `noticeType`: how the signing link is sent (`"1,2"`: SMS and e-mail).
    pub notice_type: String,
    /// `redirectUrl`: where the signing page sends the signer once signed.
    pub redirect_url: Option<String>,
}

/// What the audit trail of a flow made through this dialect says: its `addProcess` choices and
/// the `thirdOrderNo` of each signer's latest task, which its callbacks carry.
#[derive(Debug, Default)]
pub(super) struct EsignTrail {
    /// The dialect's part of the creation entry: `addSignTime` and the recorded parameters.
    creation: serde_json::Value,
    third_order_nos: HashMap<AccountId, String>,
    seal_offers: HashMap<AccountId, SealOffer>,
}

impl EsignTrail {
    /// `None` for a flow made otherwise.
    pub(super) fn read(records: &[AuditRecord]) -> Option<Self> {
        let creation = records.iter().find(|r| r.entry.action == "flow.created")?.entry.detail.get("esign")?;
        let mut trail = Self { creation: creation.clone(), ..Self::default() };
        for record in records {
            let detail = &record.entry.detail;
            let Some(account) = detail["accountId"].as_str().and_then(|a| AccountId::parse(a).ok()) else { continue };
            if let Some(no) = detail["thirdOrderNo"].as_str() {
                trail.third_order_nos.insert(account.clone(), no.to_owned());
            }
            if let Some(offer) = detail.get("sealOffer").filter(|o| o.is_object()) {
                let allows = |kind: &str| offer[kind].as_bool().unwrap_or(true);
                trail.seal_offers.insert(account, SealOffer { saved: allows("saved"), drawn: allows("drawn") });
            }
        }
        Some(trail)
    }

    /// Whether `addProcess` asked for the signing time under every seal (`addSignTime`).
    fn add_sign_time(&self) -> bool {
        self.creation["addSignTime"].as_bool().unwrap_or(false)
    }

    /// Whether `addProcess` said the contracts are protected by an edit password.
    pub(super) fn encrypted(&self) -> bool {
        self.creation["recorded"]["encryption"].as_bool() == Some(true)
    }

    /// The seals a hand task's `sealType` allows its signer.
    pub(super) fn seal_offer(&self, account: &AccountId) -> SealOffer {
        self.seal_offers.get(account).copied().unwrap_or_default()
    }
}

/// What a download link serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadTarget {
    File(FileId),
    FlowDocument { flow: FlowId, index: usize },
    Seal(SealId),
}

/// The content behind a download link.
#[derive(Debug, Clone)]
pub struct Download {
    pub name: String,
    pub content_type: String,
    pub bytes: Bytes,
}

impl Signet {
    /// Authenticates an app by id and secret. An app without a callback secret gets its app
    /// secret as callback secret, so the dialect's callbacks are signed with the secret the
    /// platform already knows.
    pub async fn esign_authenticate(&self, id: &str, secret: &str) -> Result<App> {
        let app = self.authenticate_app(id, secret).await?;
        if app.has_callback_secret || secret.is_empty() || secret.len() > 256 {
            return Ok(app);
        }
        let changes = AppChanges { callback_url: None, callback_secret: Some(Some(secret.to_owned())) };
        self.update_app(&app.id, changes).await
    }

    /// The app's platform account (an organisation), made with a default seal on first use.
    pub async fn esign_platform_account(&self, app: &AppId) -> Result<AccountRecord> {
        let account = match self.find_account(app, AccountLookup::ThirdId(PLATFORM_THIRD_ID.into())).await {
            Ok(account) => account,
            Err(Error::NotFound(_)) => self.create_platform_account(app).await?,
            Err(err) => return Err(err),
        };
        // Also covers an operator-made platform account without seals, and a concurrent first
        // use that found the account before its seal existed.
        if self.store.seal_list(app, &account.id).await?.is_empty() {
            let spec = CompanySealSpec {
                horizontal_text: Some("电子签约专用章".into()),
                ..CompanySealSpec::new(account.name.clone())
            };
            let seal = match self.create_seal(app, account.id.as_str(), None, SealSource::Company(spec), true).await {
                Ok(seal) => seal,
                // A name the seal cannot carry (too short, too long, no glyphs): a generic one.
                Err(Error::InvalidInput { .. }) => {
                    let spec = CompanySealSpec::new("电子签约平台");
                    self.create_seal(app, account.id.as_str(), None, SealSource::Company(spec), true).await?
                }
                Err(err) => return Err(err),
            };
            info!(app.id = %app, account.id = %account.id, seal.id = %seal.id, "made the e签宝 platform seal");
        }
        Ok(account)
    }

    async fn create_platform_account(&self, app: &AppId) -> Result<AccountRecord> {
        let new = NewAccount {
            kind: AccountKind::Org,
            name: self.app(app).await?.name,
            id_type: IdType::Uscc,
            id_number: platform_uscc(app, self.clock.now()),
            mobile: None,
            email: None,
            third_id: Some(PLATFORM_THIRD_ID.into()),
            agent_id: None,
            waive_uscc_check: false,
        };
        match self.create_account(app, new).await {
            Ok(account) => {
                info!(app.id = %app, account.id = %account.id, "created the e签宝 platform account");
                Ok(account)
            }
            // Another request made it at the same moment.
            Err(Error::Conflict(_)) => self.find_account(app, AccountLookup::ThirdId(PLATFORM_THIRD_ID.into())).await,
            Err(err) => Err(err),
        }
    }

    /// Creates an open flow with its documents and no signer yet (`addProcess`), already signing.
    /// The dialect's parameters go into the creation audit entry, which marks the flow as this
    /// dialect's.
    pub async fn esign_create_flow(&self, app: &AppId, new: EsignNewFlow) -> Result<FlowRecord> {
        let now = self.clock.now();
        let title = new.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(Error::invalid("businessScene", "expected 1 to 200 characters"));
        }
        if new.documents.is_empty() || new.documents.len() > MAX_DOCUMENTS {
            return Err(Error::invalid("docList", format!("expected 1 to {MAX_DOCUMENTS} documents")));
        }
        if new.expires_at.is_some_and(|t| t <= now) {
            return Err(Error::invalid("signValidity", "must be in the future"));
        }
        let callback_url = new.callback_url.as_deref().map(super::apps::validate_callback_url).transpose()?;
        // The hand tasks' signing pages follow it once signed: refuse a bad one now, not then.
        if let Some(redirect) = new.recorded["redirectUrl"].as_str().filter(|r| !r.trim().is_empty()) {
            super::links::validate_redirect_url(redirect)?;
        }
        let mut documents = Vec::new();
        for (position, (file_id, name)) in new.documents.iter().enumerate() {
            let file = self.file(app, file_id).await?;
            if file.pages.is_none() {
                return Err(Error::invalid("docId", format!("file {file_id} is not a PDF")));
            }
            if documents.iter().any(|d: &FlowDocument| d.file_id == file.id) {
                return Err(Error::invalid("docId", format!("document {file_id} is listed twice")));
            }
            let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or(&file.name).to_owned();
            documents.push(FlowDocument { position, file_id: file.id, name, current_key: file.blob_key, revision: 0 });
        }
        if new.recorded["encryption"].as_bool() == Some(true) {
            self.esign_require_protected(&documents).await?;
        }
        let flow = FlowRecord {
            id: FlowId::generate(),
            app_id: app.clone(),
            title: title.to_owned(),
            status: FlowStatus::Signing,
            callback_url,
            expires_at: new.expires_at,
            archived: false,
            created_at: now,
            updated_at: now,
            documents,
            signers: Vec::new(),
        };
        let detail = json!({
            "title": flow.title,
            "documents": flow.documents.iter().map(|d| json!({"fileId": d.file_id.as_str(), "name": d.name})).collect::<Vec<_>>(),
            "signers": [],
            "esign": {"addSignTime": new.add_sign_time, "recorded": new.recorded},
        });
        let audit = AuditEntry::new(app, flow_scope(&flow.id), "flow.created", detail, now);
        self.store.flow_insert(&flow, &audit).await?;
        Ok(flow)
    }

    /// Adds a signer to an open flow and, unless it signs by hand, signs for it at once.
    pub async fn esign_task(
        &self,
        app: &AppId,
        flow_id: &str,
        task: EsignTask,
    ) -> std::result::Result<(FlowRecord, AccountRecord), EsignRefusal> {
        let account = match task.kind {
            TaskKind::Platform => self.esign_platform_account(app).await?,
            TaskKind::Auto | TaskKind::Hand => match self.account(app, &task.account_id).await {
                Ok(account) => account,
                Err(Error::NotFound(_)) => return Err(EsignRefusal::SignerUnknown),
                Err(err) => return Err(err.into()),
            },
        };
        let flow = self.flow(app, flow_id).await?;
        let trail = self.esign_trail(&flow).await?.unwrap_or_default();
        let mut fields = task.fields.clone();
        for field in &mut fields {
            field.show_time = field.show_time || trail.add_sign_time();
            field.validate(flow.documents.len())?;
        }
        if task.kind == TaskKind::Hand {
            let flow = self.esign_add_waiting(app, flow_id, &account, fields, &task).await?;
            return Ok((flow, account));
        }
        if trail.encrypted() {
            let password = task.document_password.as_deref().unwrap_or_default();
            let mut touched: Vec<usize> = fields.iter().map(|f| f.document).collect();
            if touched.is_empty() {
                touched = (0..flow.documents.len()).collect();
            }
            if !self.esign_password_opens(&flow, touched, password).await? {
                return Err(EsignRefusal::DocumentPassword);
            }
        }
        let seal = self.esign_seal(&account, task.seal_id.as_deref()).await?;
        if task.kind == TaskKind::Auto && self.active_authorization(&account, &seal.id).await?.is_none() {
            return Err(EsignRefusal::NotAuthorized);
        }
        for _ in 0..MAX_REBASES {
            match self.esign_sign_once(app, flow_id, &account, &seal, &fields, task.third_order_no.as_deref()).await {
                Err(Error::ConcurrentUpdate(_)) => continue,
                Ok(flow) => return Ok((flow, account)),
                Err(err) => return Err(err.into()),
            }
        }
        Err(Error::Conflict("the flow kept changing; retry".into()).into())
    }

    /// Withdraws a waiting signer's task (`undoTask`); a finished task cannot be withdrawn.
    pub async fn esign_undo_task(&self, app: &AppId, flow_id: &str, account_id: &str) -> Result<FlowRecord> {
        let account = AccountId::parse(account_id).map_err(|_| Error::NotFound("signer"))?;
        self.transition(app, flow_id, "flow.signer.withdrawn", move |flow| {
            if !flow.status.is_open() {
                return Err(Error::Conflict(format!("the flow is {}", flow.status.as_str())));
            }
            let signer = flow.signers.iter_mut().find(|s| s.account_id == account).ok_or(Error::NotFound("signer"))?;
            if signer.status != SignerStatus::Waiting {
                return Err(Error::Conflict(format!("the task has already {}", signer.status.as_str())));
            }
            signer.status = SignerStatus::Withdrawn;
            Ok(json!({"accountId": account.as_str()}))
        })
        .await
    }

    /// Ends a flow normally (`archiveProcess`): refused while a signer has not finished.
    pub async fn esign_archive(&self, app: &AppId, flow_id: &str) -> std::result::Result<FlowRecord, EsignRefusal> {
        let flow = self.flow(app, flow_id).await?;
        if flow.status == FlowStatus::Signing && !flow.signers.iter().any(|s| s.status == SignerStatus::Signed) {
            return Err(EsignRefusal::NoSigners);
        }
        let flow = self
            .transition(app, flow_id, "flow.archived", |flow| {
                if flow.status != FlowStatus::Signing {
                    return Err(Error::Conflict(format!("the flow is {}", flow.status.as_str())));
                }
                if let Some(waiting) = flow.signers.iter().find(|s| s.status == SignerStatus::Waiting) {
                    return Err(Error::Conflict(format!("signer {} has not finished signing", waiting.account_id)));
                }
                flow.status = FlowStatus::Completed;
                flow.archived = true;
                Ok(json!({}))
            })
            .await?;
        Ok(flow)
    }

    /// Ends an open flow as revoked (`/sign/revoke`).
    pub async fn esign_revoke(&self, app: &AppId, flow_id: &str) -> Result<FlowRecord> {
        self.transition(app, flow_id, "flow.revoked", |flow| {
            if !flow.status.is_open() {
                return Err(Error::Conflict(format!("the flow is already {}", flow.status.as_str())));
            }
            flow.status = FlowStatus::Revoked;
            Ok(json!({}))
        })
        .await
    }

    /// A signed link to `target` of the calling app, valid for `ttl`.
    pub fn esign_download_token(&self, app: &AppId, target: &DownloadTarget, ttl: Duration) -> String {
        let exp = (self.clock.now() + ttl).unix_timestamp();
        let payload = match target {
            DownloadTarget::File(id) => json!({"app": app.as_str(), "file": id.as_str(), "exp": exp}),
            DownloadTarget::FlowDocument { flow, index } => {
                json!({"app": app.as_str(), "flow": flow.as_str(), "doc": index, "exp": exp})
            }
            DownloadTarget::Seal(id) => json!({"app": app.as_str(), "seal": id.as_str(), "exp": exp}),
        };
        tokens::sign_payload(&self.keys, DOWNLOAD_PURPOSE, payload.to_string().as_bytes())
    }

    /// The content behind a download link; an altered or expired link is [`Error::Forbidden`].
    pub async fn esign_open_download(&self, token: &str) -> Result<Download> {
        let refused = || Error::Forbidden("the download link is not valid".into());
        let payload = tokens::open_payload(&self.keys, DOWNLOAD_PURPOSE, token).map_err(|_| refused())?;
        let claims: serde_json::Value = serde_json::from_slice(&payload).map_err(|_| refused())?;
        if claims["exp"].as_i64().unwrap_or(0) < self.clock.now().unix_timestamp() {
            return Err(Error::Forbidden("the download link has expired".into()));
        }
        let app = AppId::parse(claims["app"].as_str().unwrap_or_default()).map_err(|_| refused())?;
        if let Some(file) = claims["file"].as_str() {
            let (record, bytes) = self.file_content(&app, file).await?;
            return Ok(Download { name: record.name, content_type: record.content_type, bytes });
        }
        if let Some(flow) = claims["flow"].as_str() {
            let index = claims["doc"].as_u64().ok_or_else(refused)? as usize;
            let (document, bytes) = self.flow_document(&app, flow, index).await?;
            return Ok(Download { name: document.name, content_type: "application/pdf".into(), bytes });
        }
        let seal = claims["seal"].as_str().ok_or_else(refused)?;
        let record = self.store.seal_get(&app, &SealId::parse(seal)?).await?.ok_or(Error::NotFound("seal"))?;
        let bytes = self.blobs.get(&record.image_key).await?;
        Ok(Download { name: format!("{}.png", record.id), content_type: "image/png".into(), bytes })
    }

    /// Headers of an e签宝 callback: the app id, a millisecond timestamp, and
    /// `X-Tsign-Open-Signature`, the hex HMAC-SHA256 of `appId + timestamp + body` under the
    /// app's callback secret (its app secret unless the app set another one).
    pub(super) async fn esign_callback_headers(&self, event: &OutboxEvent) -> Result<Vec<(String, String)>> {
        let timestamp = (self.clock.now().unix_timestamp_nanos() / 1_000_000).to_string();
        let mut headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("X-Tsign-Open-App-Id".to_owned(), event.app_id.to_string()),
            ("X-Tsign-Open-Timestamp".to_owned(), timestamp.clone()),
            ("X-Tsign-Open-Event-Id".to_owned(), event.id.to_string()),
        ];
        if let Some(secret) = self.app_callback_secret(&event.app_id).await? {
            let mut mac = Hmac::<Sha256>::new_from_slice(&secret).map_err(|_| Error::Internal("HMAC key".into()))?;
            mac.update(event.app_id.as_str().as_bytes());
            mac.update(timestamp.as_bytes());
            mac.update(event.body.as_bytes());
            headers.push(("X-Tsign-Open-Signature".to_owned(), hex::encode(mac.finalize().into_bytes())));
        }
        Ok(headers)
    }

    /// The flow's trail in this dialect; `None` for a flow made otherwise.
    async fn esign_trail(&self, flow: &FlowRecord) -> Result<Option<EsignTrail>> {
        let records = self.store.audit_list(&flow.app_id, &flow_scope(&flow.id)).await?;
        Ok(EsignTrail::read(&records))
    }

    /// What the flow's `addProcess` said about hand tasks: how to send the link, where the page
    /// goes once signed.
    pub async fn esign_hand_options(&self, flow: &FlowRecord) -> Result<HandOptions> {
        let trail = self.esign_trail(flow).await?.unwrap_or_default();
        let recorded = &trail.creation["recorded"];
        let text = |key: &str| recorded[key].as_str().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        Ok(HandOptions { notice_type: text("noticeType").unwrap_or_default(), redirect_url: text("redirectUrl") })
    }

    /// The callbacks a committed change of one of this dialect's flows owes.
    pub(super) async fn esign_events(
        &self,
        trail: &EsignTrail,
        before: &FlowRecord,
        after: &FlowRecord,
        now: OffsetDateTime,
    ) -> Result<Vec<OutboxEvent>> {
        let mut events = Vec::new();
        for notice in notices::notices_for(before, after, &trail.third_order_nos, now) {
            events.push(self.esign_event(after, notice, now).await?);
        }
        Ok(events)
    }

    /// `SIGN_FLOW_UPDATE` with `signResult` 3 for a signature that could not be made.
    pub(super) async fn esign_failure_event(
        &self,
        trail: &EsignTrail,
        flow: &FlowRecord,
        signer: &FlowSigner,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<OutboxEvent> {
        let third_order_no = trail.third_order_nos.get(&signer.account_id).map(String::as_str);
        let notice = notices::signer_failed(flow, signer, reason, third_order_no, now);
        self.esign_event(flow, notice, now).await
    }

    /// Sends a hand task's signing link to the signer by the flow's `noticeType` (1 SMS, 2 e-mail;
    /// 3 Alipay is not available): to the person, or to an organisation's e-mail and its agent's
    /// mobile. Returns how many messages went out; a provider's refusal is logged, not fatal —
    /// the task stands and the platform still has the link.
    pub async fn esign_invite(
        &self,
        flow: &FlowRecord,
        account: &AccountRecord,
        url: &str,
        notice_type: &str,
    ) -> Result<usize> {
        let purpose = Purpose::SigningLink { url: url.to_owned(), flow_title: flow.title.clone() };
        let text = format!("【Signet】您有一份待签署的文件《{}》，请打开链接签署：{url}", flow.title);
        self.esign_send(flow, account, notice_type, purpose, &text).await
    }

    /// `noticeSignMessage`: tells a signer whose user task signed for them where to see the
    /// result — by the flow's `noticeType`, SMS when it has none.
    pub async fn esign_notify_signed(&self, flow: &FlowRecord, account: &AccountRecord, url: &str) -> Result<usize> {
        let options = self.esign_hand_options(flow).await?;
        let codes = if options.notice_type.is_empty() { "1" } else { options.notice_type.as_str() };
        let purpose = Purpose::SignedCopy { url: url.to_owned(), flow_title: flow.title.clone() };
        let text = format!("【Signet】文件《{}》已由您的授权完成签署，查看：{url}", flow.title);
        self.esign_send(flow, account, codes, purpose, &text).await
    }

    /// Sends one message per `noticeType` code the signer can be reached by.
    async fn esign_send(
        &self,
        flow: &FlowRecord,
        account: &AccountRecord,
        notice_type: &str,
        purpose: Purpose,
        text: &str,
    ) -> Result<usize> {
        let agent = match &account.agent_id {
            Some(agent) => self.store.account_get(&flow.app_id, agent).await?,
            None => None,
        };
        let mut sent = 0;
        for code in notice_type.split([',', '，']).map(str::trim) {
            let (channel, recipient) = match code {
                "1" => (Channel::Sms, account.mobile.clone().or_else(|| agent.as_ref().and_then(|a| a.mobile.clone()))),
                "2" => (Channel::Email, account.email.clone().or_else(|| agent.as_ref().and_then(|a| a.email.clone()))),
                _ => continue,
            };
            let Some(recipient) = recipient else { continue };
            let message = OutgoingMessage { channel, recipient, purpose: purpose.clone(), text: text.to_owned() };
            match self.messages.send(&message).await {
                Ok(()) => sent += 1,
                Err(err) => warn!(flow.id = %flow.id, error = %err, "could not send a signer's notice"),
            }
        }
        Ok(sent)
    }

    /// The seal a task signs with: the requested one of the account, else its default.
    async fn esign_seal(
        &self,
        account: &AccountRecord,
        requested: Option<&str>,
    ) -> std::result::Result<SealRecord, EsignRefusal> {
        if let Some(id) = requested {
            let seal = self.seal(&account.app_id, id).await.map_err(|_| Error::invalid("sealId", "no such seal"))?;
            if seal.account_id != account.id {
                return Err(Error::invalid("sealId", "the seal belongs to another account").into());
            }
            return Ok(seal);
        }
        let seals = self.store.seal_list(&account.app_id, &account.id).await?;
        seals.into_iter().next().ok_or(EsignRefusal::NoSeal)
    }

    /// Adds (or replaces) a waiting signer for a hand task. The page asks the signer (an
    /// organisation's agent) for a willingness code by SMS, else by e-mail: the document's
    /// signing page does 意愿认证 before signing.
    async fn esign_add_waiting(
        &self,
        app: &AppId,
        flow_id: &str,
        account: &AccountRecord,
        fields: Vec<Field>,
        task: &EsignTask,
    ) -> Result<FlowRecord> {
        let seal_id = match task.seal_id.as_deref() {
            Some(id) => Some(self.seal(app, id).await.map_err(|_| Error::invalid("sealId", "no such seal"))?.id),
            None => None,
        };
        let actor = self.actor_of(account).await?;
        let auth = match (&actor.mobile, &actor.email) {
            (Some(_), _) => SignerAuth::Sms,
            (None, Some(_)) => SignerAuth::Email,
            (None, None) => SignerAuth::None,
        };
        let account_id = account.id.clone();
        let third_order_no = task.third_order_no.clone();
        let offer = json!({"saved": task.seal_offer.saved, "drawn": task.seal_offer.drawn});
        self.transition(app, flow_id, "flow.signer.added", move |flow| {
            if flow.status != FlowStatus::Signing {
                return Err(Error::Conflict(format!("the flow is {}", flow.status.as_str())));
            }
            if flow.signer(&account_id).is_some_and(|s| s.status == SignerStatus::Signed) {
                return Err(Error::Conflict("this signer has already signed".into()));
            }
            let mut signer = waiting_signer(account_id.clone(), fields.clone(), seal_id.clone());
            signer.auth = auth;
            flow.signers.retain(|s| s.account_id != account_id);
            flow.signers.push(signer);
            Ok(json!({
                "accountId": account_id.as_str(),
                "mode": "hand",
                "thirdOrderNo": third_order_no,
                "sealOffer": offer,
            }))
        })
        .await
    }

    /// One signing attempt on the flow as read; a concurrent change makes the commit fail.
    #[allow(clippy::too_many_arguments, reason = "one task's parts, passed through once")]
    async fn esign_sign_once(
        &self,
        app: &AppId,
        flow_id: &str,
        account: &AccountRecord,
        seal: &SealRecord,
        fields: &[Field],
        third_order_no: Option<&str>,
    ) -> Result<FlowRecord> {
        let flow = self.flow(app, flow_id).await?;
        self.expire_if_due(&flow).await?;
        if flow.status != FlowStatus::Signing {
            return Err(Error::Conflict(format!("the flow is {}", flow.status.as_str())));
        }
        let now = self.clock.now();
        let certificate = self.account_certificate(account).await?;
        let mut next = flow.clone();
        let signature = Signature { account, seal, certificate: &certificate, now };
        let revisions = self.sign_documents(&mut next.documents, fields, false, &signature).await?;
        let signed_documents: Vec<_> =
            revisions.iter().map(|r| json!({"document": r.position, "after": r.after.as_str()})).collect();
        let mut all_fields = flow.signer(&account.id).map(|s| s.fields.clone()).unwrap_or_default();
        all_fields.extend(fields.iter().cloned());
        let mut signer = waiting_signer(account.id.clone(), all_fields, Some(seal.id.clone()));
        signer.status = SignerStatus::Signed;
        signer.signed_at = Some(now);
        next.signers.retain(|s| s.account_id != account.id);
        next.signers.push(signer);
        next.updated_at = now;
        let detail = json!({
            "accountId": account.id.as_str(),
            "sealId": seal.id.as_str(),
            "certificateSerial": certificate.serial,
            "mode": "esign",
            "documents": signed_documents,
            "thirdOrderNo": third_order_no,
        });
        let mut origin = self.flow_origin(&flow).await?;
        if let (FlowOrigin::Esign(trail), Some(no)) = (&mut origin, third_order_no) {
            trail.third_order_nos.insert(account.id.clone(), no.to_owned());
        }
        let change = self.change_for(&origin, &flow, next.clone(), "flow.signer.signed", detail, now).await?;
        self.store.flow_update(&change).await?;
        info!(flow.id = %flow.id, account.id = %account.id, "signed an e签宝 task");
        Ok(next)
    }

    /// An outbox event with the dialect's body, to the flow's notice URL or the app's.
    async fn esign_event(
        &self,
        flow: &FlowRecord,
        (action, body): (String, String),
        now: OffsetDateTime,
    ) -> Result<OutboxEvent> {
        let target = match &flow.callback_url {
            Some(url) => Some(url.clone()),
            None => self.app(&flow.app_id).await?.callback_url,
        };
        Ok(OutboxEvent::new(&flow.app_id, &format!("{EVENT_PREFIX}{action}"), body, target, now))
    }
}

fn waiting_signer(account_id: AccountId, fields: Vec<Field>, seal_id: Option<SealId>) -> FlowSigner {
    FlowSigner {
        account_id,
        order: 0,
        seal_id,
        fields,
        auth: SignerAuth::None,
        status: SignerStatus::Waiting,
        signed_at: None,
        reject_reason: None,
    }
}

/// A valid unified social credit code derived from the app id, for the generated platform
/// account (the account is the app's own; the code only has to be well-formed and stable).
fn platform_uscc(app: &AppId, now: OffsetDateTime) -> String {
    use sha2::Digest;
    let digest = Sha256::digest(app.as_str().as_bytes());
    let digits: String = digest.iter().take(9).map(|b| char::from(b'0' + b % 10)).collect();
    let body = format!("91110000{digits}");
    "0123456789ABCDEFGHJKLMNPQRTUWXY"
        .chars()
        .map(|c| format!("{body}{c}"))
        .find(|candidate| check_id_number(IdType::Uscc, candidate, now.date()).is_ok())
        .unwrap_or(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_codes_are_valid_and_stable() {
        let app = AppId::parse("bootstrap-app").unwrap();
        let now = OffsetDateTime::UNIX_EPOCH;
        let code = platform_uscc(&app, now);
        assert_eq!(code.len(), 18);
        assert!(check_id_number(IdType::Uscc, &code, now.date()).is_ok());
        assert_eq!(code, platform_uscc(&app, now));
    }
}
