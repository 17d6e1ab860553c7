//! The signing page's use cases: issue a signer's link, and (through the link) read the
//! contract, prove willingness, choose or draw a seal, place it, and sign or reject with the
//! same core path the API uses (`sign_flow`, `reject_flow`: same engine, audit and callbacks).
//!
//! An organisation signs through its agent (经办人, the account's `agent_id`): the agent
//! receives and types the willingness code and the organisation's own seals are offered.

use bytes::Bytes;
use serde_json::json;
use signet_seal::SignatureInput;
use time::OffsetDateTime;

use super::Signet;
use super::flows::flow_scope;
use crate::accounts::{AccountKind, AccountRecord};
use crate::audit::AuditEntry;
use crate::codes::CodeSent;
use crate::flows::{Field, FlowRecord, FlowSigner, FlowStatus, Position, SignerAuth, SignerStatus};
use crate::ids::AppId;
use crate::links::{IssuedLink, LinkPurpose, NewLink, PageLinkRecord, RateLimit};
use crate::notify::Channel;
use crate::ports::{BlobKey, FlowChange};
use crate::seals::{SealKind, SealRecord};
use crate::{Error, Result, SealSource, SignMode};

/// Codes a link may request: the core's 60-second resend wait applies on top.
const SEND_LIMIT: RateLimit = RateLimit { max: 5, window_seconds: 3600 };
/// Code checks per link (each code also dies after 3 wrong answers).
const CHECK_LIMIT: RateLimit = RateLimit { max: 10, window_seconds: 600 };
/// Most seals one signer may drop on the pages.
const MAX_PLACEMENTS: usize = 20;
/// Preview resolution in pixels per point (sharp on 2× phone screens).
pub const PREVIEW_SCALE: f32 = 2.0;

/// Proof that a signing page checked the signer's willingness; only this module makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageProof(());

/// What the signing page shows instead of a form, or that the form is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignPageState {
    Open,
    NotYourTurn,
    SignerSigned,
    SignerRejected,
    SignerWithdrawn,
    Flow(FlowStatus),
}

/// Everything the signing page needs.
#[derive(Debug, Clone)]
pub struct SignPage {
    pub flow: FlowRecord,
    pub signer: FlowSigner,
    /// The signing account (a person, or the organisation).
    pub account: AccountRecord,
    /// The person acting: the account itself, or the organisation's agent.
    pub actor: AccountRecord,
    /// Name of the app that sent the contract.
    pub initiator: String,
    pub state: SignPageState,
    /// The account's seals the signer may use here, default first.
    pub seals: Vec<SealRecord>,
    /// The signer may draw a signature (a person acting for itself, where the task allows it).
    pub can_draw: bool,
    /// Signing needs the documents' edit password (an e签宝 flow created with `encryption`).
    pub needs_document_password: bool,
    /// Willingness is proven on this link (or not needed).
    pub verified: bool,
    pub redirect_url: Option<String>,
}

/// Which kinds of seal a signer may sign with on the page (e签宝's `sealType`: 0 hand-drawn,
/// 1 template); native flows allow both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealOffer {
    /// Seals the account already has that are not hand-drawn: template and image seals.
    pub saved: bool,
    /// Hand-drawn signatures, drawn on the page or saved earlier.
    pub drawn: bool,
}

impl Default for SealOffer {
    fn default() -> Self {
        Self { saved: true, drawn: true }
    }
}

impl SealOffer {
    pub fn allows(self, kind: SealKind) -> bool {
        match kind {
            SealKind::Handwritten => self.drawn,
            SealKind::PersonTemplate | SealKind::CompanyTemplate | SealKind::Image => self.saved,
        }
    }
}

/// What the signing page asks of a signer beyond willingness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PageTerms {
    pub offer: SealOffer,
    pub document_password: bool,
}

/// The seal the signer chose on the page.
#[derive(Debug, Clone)]
pub enum SealChoice {
    Existing(String),
    Drawn(SignatureInput),
}

/// A seal dropped by the signer: centre in points of the visible page, origin bottom-left.
#[derive(Debug, Clone, Copy)]
pub struct PagePlacement {
    pub document: usize,
    pub page: usize,
    pub x: f64,
    pub y: f64,
}

impl PagePlacement {
    /// The fixed-position field this drop stands for, checked against a flow of `documents`
    /// documents.
    pub(super) fn field(&self, documents: usize) -> Result<Field> {
        let field = Field {
            document: self.document,
            position: Position::At { pages: vec![self.page], x: self.x, y: self.y },
            width: None,
            show_time: false,
            show_digest: false,
        };
        field.validate(documents)?;
        Ok(field)
    }
}

impl Signet {
    /// Issues (or re-issues, killing the previous one) the signing link of a signer of a flow.
    /// The link never outlives the flow's own deadline.
    pub async fn issue_signer_link(
        &self,
        app: &AppId,
        flow_id: &str,
        account_id: &str,
        redirect_url: Option<String>,
        ttl: Option<time::Duration>,
    ) -> Result<(FlowRecord, IssuedLink)> {
        let flow = self.flow(app, flow_id).await?;
        let account = self.account(app, account_id).await.map_err(|_| Error::NotFound("signer"))?;
        if flow.signer(&account.id).is_none() {
            return Err(Error::NotFound("signer"));
        }
        if !flow.status.is_open() {
            return Err(Error::Conflict(format!("the flow is {}", flow.status.as_str())));
        }
        let now = self.clock.now();
        let mut ttl = ttl.unwrap_or(self.config.link_validity);
        if let Some(deadline) = flow.expires_at {
            ttl = ttl.min(deadline - now);
        }
        let link = self
            .issue_link(
                app,
                NewLink {
                    purpose: LinkPurpose::Sign,
                    flow_id: Some(flow.id.clone()),
                    account_id: Some(account.id.clone()),
                    detail: json!({}),
                    redirect_url,
                    ttl: Some(ttl),
                },
            )
            .await?;
        Ok((flow, link))
    }

    /// The signing page of a live sign link.
    pub async fn sign_page(&self, link: &PageLinkRecord) -> Result<SignPage> {
        let (flow, account) = self.link_subject(link).await?;
        let flow = match self.expire_if_due(&flow).await {
            Ok(()) => flow,
            Err(_) => self.store.flow_get(&flow.app_id, &flow.id).await?.ok_or(Error::NotFound("flow"))?,
        };
        let signer = flow.signer(&account.id).cloned().ok_or(Error::NotFound("signer"))?;
        let state = match (signer.status, flow.status) {
            (SignerStatus::Signed, _) => SignPageState::SignerSigned,
            (SignerStatus::Rejected, _) => SignPageState::SignerRejected,
            (SignerStatus::Withdrawn, _) => SignPageState::SignerWithdrawn,
            (_, FlowStatus::Signing) => match flow.turn_of(&account.id) {
                Ok(_) => SignPageState::Open,
                Err(_) => SignPageState::NotYourTurn,
            },
            (_, status) => SignPageState::Flow(status),
        };
        let actor = self.actor_of(&account).await?;
        let terms = self.page_terms(&flow, &account.id).await?;
        let mut seals = self.store.seal_list(&account.app_id, &account.id).await?;
        seals.retain(|s| terms.offer.allows(s.kind));
        let can_draw = terms.offer.drawn && account.kind == AccountKind::Person && actor.id == account.id;
        let verified = signer.auth == SignerAuth::None || self.link_verified(link);
        let initiator = self.app(&flow.app_id).await?.name;
        Ok(SignPage {
            flow,
            signer,
            account,
            actor,
            initiator,
            state,
            seals,
            can_draw,
            needs_document_password: terms.document_password,
            verified,
            redirect_url: link.redirect_url.clone(),
        })
    }

    /// Sends the willingness code of the link's signer (to the agent for an organisation).
    pub async fn sign_page_send_code(&self, link: &PageLinkRecord) -> Result<CodeSent> {
        let (flow, account) = self.link_subject(link).await?;
        let signer = flow.turn_of(&account.id)?.clone();
        self.rate_check(&format!("page-code-send:{}", link.id), SEND_LIMIT).await?;
        let actor = self.actor_of(&account).await?;
        let channel = if signer.auth == SignerAuth::Email { Channel::Email } else { Channel::Sms };
        let scope = flow_scope(&flow.id);
        self.send_code(&actor, &scope, channel, 6, &scope).await
    }

    /// Checks the willingness code typed on the page; on success the link is verified.
    pub async fn sign_page_verify(&self, link: &PageLinkRecord, code: &str) -> Result<()> {
        let (flow, account) = self.link_subject(link).await?;
        flow.turn_of(&account.id)?;
        self.rate_check(&format!("page-code-check:{}", link.id), CHECK_LIMIT).await?;
        let actor = self.actor_of(&account).await?;
        let scope = flow_scope(&flow.id);
        self.check_code(&actor, &scope, code).await?;
        self.mark_link_verified(link).await?;
        let detail = json!({"accountId": account.id.as_str(), "actorId": actor.id.as_str(), "via": "signing page"});
        self.store
            .audit_append(&AuditEntry::new(&flow.app_id, scope, "willingness.verified", detail, self.clock.now()))
            .await
    }

    /// Signs as the link's signer with the chosen seal, at the flow's fixed fields or, where the
    /// flow leaves placement to the signer, where the signer dropped it.
    pub async fn sign_page_sign(
        &self,
        link: &PageLinkRecord,
        choice: SealChoice,
        placements: &[PagePlacement],
        document_password: Option<&str>,
    ) -> Result<FlowRecord> {
        let (flow, account) = self.link_subject(link).await?;
        let signer = flow.turn_of(&account.id)?.clone();
        if signer.auth != SignerAuth::None && !self.link_verified(link) {
            return Err(Error::Forbidden("prove willingness with the code first".into()));
        }
        let app = flow.app_id.clone();
        let terms = self.page_terms(&flow, &account.id).await?;
        let offer = terms.offer;
        if terms.document_password {
            let password = document_password.unwrap_or_default();
            let documents = 0..flow.documents.len();
            if password.is_empty() || !self.esign_password_opens(&flow, documents, password).await? {
                return Err(Error::invalid("documentPassword", "this is not the contract's edit password"));
            }
        }
        let seal = match choice {
            SealChoice::Existing(id) => {
                let seal = self.seal_for_signing(&account, Some(&crate::seals::SealId::parse(&id)?)).await?;
                if !offer.allows(seal.kind) {
                    return Err(Error::invalid("seal", "this task does not allow that kind of seal"));
                }
                seal
            }
            SealChoice::Drawn(strokes) => {
                if account.kind != AccountKind::Person {
                    return Err(Error::invalid("seal", "an organisation signs with one of its seals"));
                }
                if !offer.drawn {
                    return Err(Error::invalid("seal", "this task asks for a seal, not a drawn signature"));
                }
                let label = Some("手写签名");
                self.create_seal(&app, account.id.as_str(), label, SealSource::Handwritten(strokes), false).await?
            }
        };
        let fields = if signer.fields.is_empty() {
            if placements.is_empty() || placements.len() > MAX_PLACEMENTS {
                return Err(Error::invalid("placements", format!("place the seal 1 to {MAX_PLACEMENTS} times")));
            }
            placements.iter().map(|p| p.field(flow.documents.len())).collect::<Result<Vec<_>>>()?
        } else {
            signer.fields.clone()
        };
        // The choice is recorded on the flow (audited) before the common signing path runs.
        let now = self.clock.now();
        let mut next = flow.clone();
        let entry = next.signers.iter_mut().find(|s| s.account_id == account.id).ok_or(Error::NotFound("signer"))?;
        entry.seal_id = Some(seal.id.clone());
        entry.fields = fields.clone();
        next.updated_at = now;
        let detail = json!({
            "accountId": account.id.as_str(),
            "sealId": seal.id.as_str(),
            "sealKind": seal.kind.as_str(),
            "fields": fields.iter().map(Field::to_json).collect::<Vec<_>>(),
            "via": "signing page",
        });
        let audit = vec![AuditEntry::new(&app, flow_scope(&flow.id), "flow.signer.prepared", detail, now)];
        self.store
            .flow_update(&FlowChange { flow: next, expected_updated_at: flow.updated_at, audit, events: vec![] })
            .await?;
        let signed =
            self.sign_flow(&app, flow.id.as_str(), account.id.as_str(), SignMode::Verified(PageProof(()))).await;
        // A placement the document cannot take will fail every retry: the flow's creator hears
        // of it (the signer only sees the page's message).
        if let Err(Error::InvalidInput { field: "fields", reason }) = &signed {
            self.report_signing_failure(&app, flow.id.as_str(), &account.id, reason).await?;
        }
        signed
    }

    /// Declines to sign, with a reason, as the link's signer.
    pub async fn sign_page_reject(&self, link: &PageLinkRecord, reason: &str) -> Result<FlowRecord> {
        let (flow, account) = self.link_subject(link).await?;
        self.reject_flow(&flow.app_id, flow.id.as_str(), account.id.as_str(), reason).await
    }

    /// The visible size in points of each page of a document of the link's flow.
    pub async fn sign_page_sizes(&self, link: &PageLinkRecord, document: usize) -> Result<Vec<(f64, f64)>> {
        let bytes = self.sign_page_document(link, document).await?;
        tokio::task::spawn_blocking(move || signet_pdf::render::page_sizes(&bytes))
            .await
            .map_err(|e| Error::Internal(format!("page sizes panicked: {e}")))?
            .map_err(|e| Error::Internal(format!("page sizes: {e}")))
    }

    /// A page of a document of the link's flow as PNG, rendered once per revision and page and
    /// kept in the object store (the key is remembered in the system table, shared by all nodes).
    pub async fn sign_page_preview(&self, link: &PageLinkRecord, document: usize, page: usize) -> Result<Bytes> {
        let flow = self.link_flow(link).await?;
        let doc = flow.documents.get(document).ok_or(Error::NotFound("document"))?;
        let cache_key = format!("page-preview:{}:{page}:{PREVIEW_SCALE}", doc.current_key.as_str());
        if let Some(key) = self.store.system_get(&cache_key).await?.and_then(|k| String::from_utf8(k).ok())
            && let Some(key) = BlobKey::parse(&key)
            && let Ok(png) = self.blobs.get(&key).await
        {
            return Ok(png);
        }
        let pdf = self.blobs.get(&doc.current_key).await?;
        let png =
            tokio::task::spawn_blocking(move || signet_pdf::render::render_page_png(pdf.to_vec(), page, PREVIEW_SCALE))
                .await
                .map_err(|e| Error::Internal(format!("preview panicked: {e}")))?
                .map_err(|e| match e {
                    signet_pdf::PdfError::PageOutOfRange { .. } => Error::NotFound("page"),
                    other => Error::Internal(format!("preview: {other}")),
                })?;
        let png = Bytes::from(png);
        let key = self.blobs.put(png.clone()).await?;
        self.store.system_put_if_absent(&cache_key, key.as_str().as_bytes()).await?;
        Ok(png)
    }

    /// The current revision of a document of the link's flow.
    pub async fn sign_page_document(&self, link: &PageLinkRecord, document: usize) -> Result<Bytes> {
        let flow = self.link_flow(link).await?;
        let doc = flow.documents.get(document).ok_or(Error::NotFound("document"))?;
        self.blobs.get(&doc.current_key).await
    }

    /// The image of one of the signer's seals.
    pub async fn sign_page_seal_image(&self, link: &PageLinkRecord, seal_id: &str) -> Result<Bytes> {
        let (_, account) = self.link_subject(link).await?;
        let seal = self.seal_for_signing(&account, Some(&crate::seals::SealId::parse(seal_id)?)).await?;
        self.blobs.get(&seal.image_key).await
    }

    /// The flow a live sign or positioning link opens.
    pub(super) async fn link_flow(&self, link: &PageLinkRecord) -> Result<FlowRecord> {
        let open = matches!(link.purpose, LinkPurpose::Sign | LinkPurpose::Position);
        if !open || link.dead_reason(self.clock.now()).is_some() {
            return Err(Error::NotFound("link"));
        }
        let flow_id = link.flow_id.as_ref().ok_or(Error::NotFound("link"))?;
        self.store.flow_get(&link.app_id, flow_id).await?.ok_or(Error::NotFound("flow"))
    }

    /// The flow and account a live sign link opens; anything else is not found.
    async fn link_subject(&self, link: &PageLinkRecord) -> Result<(FlowRecord, AccountRecord)> {
        if link.purpose != LinkPurpose::Sign || link.dead_reason(self.clock.now()).is_some() {
            return Err(Error::NotFound("link"));
        }
        let (Some(flow_id), Some(account_id)) = (&link.flow_id, &link.account_id) else {
            return Err(Error::NotFound("link"));
        };
        let flow = self.store.flow_get(&link.app_id, flow_id).await?.ok_or(Error::NotFound("flow"))?;
        let account = self.account(&link.app_id, account_id.as_str()).await?;
        Ok((flow, account))
    }

    /// The person who acts for `account`: its agent for an organisation that has one.
    pub(super) async fn actor_of(&self, account: &AccountRecord) -> Result<AccountRecord> {
        match (&account.kind, &account.agent_id) {
            (AccountKind::Org, Some(agent)) => self.account(&account.app_id, agent.as_str()).await,
            _ => Ok(account.clone()),
        }
    }

    /// Willingness proven on this link recently enough (a code's validity).
    fn link_verified(&self, link: &PageLinkRecord) -> bool {
        let now: OffsetDateTime = self.clock.now();
        link.verified_at.is_some_and(|at| now - at < self.config.code_validity)
    }
}
