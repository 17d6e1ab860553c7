//! Use cases of the WoSignDoc dialect: `CreateSignOrder` and the `PushSignedDoc` callback.
//!
//! An order becomes native parts: an account per signer (found again by its identity number on
//! later orders), the signer's seal (its `stampbase`, else a generated template seal), the
//! document as a file, and a flow whose signers sign in list order, each inside the relative
//! rectangles of its `signlist`. The identity materials are kept as evidence objects listed in
//! the order and in the flow's audit trail. Signing then runs per deployment policy
//! ([`WosignSigning`], fixed on the order): in the background ([`Signet::wosign_drive_orders`])
//! with each signer's own certificate, or by each signer on its signing page
//! ([`Signet::wosign_sign_link`]). Either way the signature that completes the flow commits the
//! `PushSignedDoc` outbox event (its body rendered by [`push_body`]) in the same transaction.

mod documents;
mod links;
mod materials;
mod push;
mod reports;
mod signing;

use bytes::Bytes;
use serde_json::json;
use sha2::{Digest, Sha256};
use signet_seal::{CompanySealSpec, PersonalSealSpec, UploadKind, UploadOptions};
use time::OffsetDateTime;
use tracing::info;

use super::SealSource;
use super::Signet;
use super::flows::flow_scope;
use crate::accounts::{AccountKind, AccountLookup, AccountRecord, NewAccount};
use crate::audit::AuditEntry;
use crate::flows::{
    Field, FlowDocument, FlowId, FlowRecord, FlowSigner, FlowStatus, Position, SignerAuth, SignerStatus,
};
use crate::identity::{IdError, IdType, check_id_number};
use crate::ids::AppId;
use crate::seals::{SealKind, SealRecord};
use crate::templates::TemplateRecord;
use crate::wosign_orders::{WosignOrder, WosignSigning};
use crate::{Error, Result};

pub use documents::{MAX_PASSWORD_BYTES, convertible_formats, normalise_format};
pub use links::SignLink;
pub use materials::{Material, MaterialError, check_material};
pub use push::{PUSH_SIGNED_DOC, PushNotice, PushOutcome, push_body};

/// Outbox events of this dialect are named `wosign.<action>`; their receivers acknowledge with
/// the body `1`.
pub const EVENT_PREFIX: &str = "wosign.";
/// Longest `subject` kept; longer ones end in "…" (the document: 最长 256 字符).
const MAX_SUBJECT_CHARS: usize = 256;
/// Flow titles are limited to 200 characters natively; the full subject stays in the order.
const MAX_TITLE_CHARS: usize = 200;
/// How long an order may stay without its flow before its number can be reused (a request
/// that died half-way).
const SETUP_GRACE: time::Duration = time::Duration::minutes(10);

/// Why an order was refused, where the dialect has a code of its own.
#[derive(Debug, thiserror::Error)]
pub enum WosignRefusal {
    /// -43: the template does not exist.
    #[error("the template does not exist")]
    TemplateUnknown,
    /// -46: the order number belongs to a signed order.
    #[error("the order has already been signed")]
    OrderSigned,
    /// -47: the order number belongs to an order being signed.
    #[error("the order is being signed")]
    OrderSigning,
    /// -48: no signer, or more than the deployment allows.
    #[error("expected 1 to {0} signers")]
    SignerCount(usize),
    /// -50: the organisation's number is not a valid licence number or does not match its name.
    #[error("organisation {0}: {1}")]
    OrgMismatch(usize, String),
    /// -61: a material is not the image it claims to be.
    #[error("{0}")]
    UnsafeContent(String),
    #[error(transparent)]
    Core(#[from] Error),
}

/// A `CreateSignOrder` request, parsed.
#[derive(Debug, Clone)]
pub struct OrderRequest {
    pub template_id: Option<String>,
    pub subject: Option<String>,
    pub password: Option<String>,
    pub document: Option<OrderDocument>,
    pub order_number: String,
    pub signers: Vec<OrderSigner>,
    /// The deployment's limit on signers per order.
    pub max_signers: usize,
    /// The deployment's signing policy, kept on the order.
    pub signing: WosignSigning,
}

/// `filebase` and `fileformat`.
#[derive(Debug, Clone)]
pub struct OrderDocument {
    pub bytes: Vec<u8>,
    pub format: String,
}

/// Who signs.
#[derive(Debug, Clone)]
pub enum Party {
    /// `signType` 1: `orgName`, `orgNo` (USCC or 15-digit registration number).
    Org { name: String, number: String },
    /// `signType` 2: `userName`, `userNo`, `country` (two letters, CN by default).
    Person { name: String, id_number: String, country: String },
}

/// One entry of `signerlist`.
#[derive(Debug, Clone)]
pub struct OrderSigner {
    pub party: Party,
    pub stamp: Option<Material>,
    pub pic: Material,
    pub other_pic: Material,
    /// `signlist`: page (from 1) and the rectangle as fractions, origin top-left.
    pub places: Vec<Place>,
}

/// One `signlist` entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub page: usize,
    pub rect: [f64; 4],
}

/// What `CreateSignOrder` answers.
#[derive(Debug, Clone)]
pub struct OrderCreated {
    pub sign_id: String,
    pub order_number: String,
    pub flow_id: FlowId,
}

/// An order and its flow, for queries.
#[derive(Debug, Clone)]
pub struct OrderView {
    pub order: WosignOrder,
    pub flow: Option<FlowRecord>,
}

type Outcome<T> = std::result::Result<T, WosignRefusal>;

/// Where an order's document comes from.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// `filebase` / `fileformat`.
    Upload(&'a OrderDocument),
    /// The PDF of the template named by `tempid`.
    Template(&'a TemplateRecord),
}

impl Signet {
    /// The app named by `tokenid`: unknown ids are `NotFound("app")`, disabled ones `Forbidden`.
    /// The token alone proves nothing (the vendor sends no secret); the HTTP layer pairs it with
    /// the client certificate when the deployment requires one.
    pub async fn wosign_app(&self, token_id: &str) -> Result<crate::apps::App> {
        let id = AppId::parse(token_id).map_err(|_| Error::NotFound("app"))?;
        let app = self.app(&id).await?;
        if app.disabled {
            return Err(Error::Forbidden("this app is disabled".into()));
        }
        Ok(app)
    }

    /// `CreateSignOrder`: checks everything, claims the order number, sets up the native parts
    /// and leaves the flow signing; the background driver signs it.
    pub async fn wosign_create_order(&self, app: &AppId, request: OrderRequest) -> Outcome<OrderCreated> {
        let now = self.clock.now();
        if request.signers.is_empty() || request.signers.len() > request.max_signers {
            return Err(WosignRefusal::SignerCount(request.max_signers));
        }
        let order_number = request.order_number.trim().to_owned();
        if order_number.chars().count() > 64 || order_number.chars().any(char::is_control) {
            return Err(Error::invalid("orderNumber", "expected at most 64 characters").into());
        }
        // `tempid` names a native template of the app (-43 otherwise); its PDF is the document
        // unless `filebase` is sent, and its name the subject unless `subject` is.
        let template = match request.template_id.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(id) => match self.template(app, id).await {
                Ok(template) => Some(template),
                Err(Error::NotFound(_) | Error::InvalidInput { .. }) => return Err(WosignRefusal::TemplateUnknown),
                Err(err) => return Err(err.into()),
            },
            None => None,
        };
        let source = match (&request.document, &template) {
            (Some(document), _) => Source::Upload(document),
            (None, Some(template)) => Source::Template(template),
            (None, None) => {
                return Err(
                    Error::invalid("filebase", "a document (filebase) or a template (tempid) is required").into()
                );
            }
        };
        if let Source::Upload(document) = source {
            documents::check_format(&normalise_format(&document.format))?;
        }
        let password = match request.password.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) if p.len() > MAX_PASSWORD_BYTES || p.chars().any(char::is_control) => {
                return Err(Error::invalid("password", "expected at most 127 bytes without control characters").into());
            }
            // A signing page cannot open an encrypted document (no previews, no password to
            // sign with), so the pages policy takes plain documents only.
            Some(_) if request.signing == WosignSigning::Pages => {
                return Err(Error::invalid(
                    "password",
                    "this deployment has orders signed on the signing pages, which cannot open encrypted documents",
                )
                .into());
            }
            Some(p) => Some(p.to_owned()),
        };
        let parties = self.wosign_check_parties(&request.signers).await?;
        wosign_check_materials(&request.signers).await?;

        // The order number is claimed before the expensive work, so a concurrent duplicate is -47.
        let sign_id = uuid::Uuid::new_v4().to_string();
        let mut order = WosignOrder {
            sign_id: sign_id.clone(),
            app_id: app.clone(),
            order_number: order_number.clone(),
            flow_id: None,
            password_sealed: password
                .as_deref()
                .map(|p| self.keys.seal(p.as_bytes(), password_context(&sign_id).as_bytes())),
            materials: "{}".into(),
            signing: request.signing,
            created_at: now,
        };
        self.wosign_claim_number(&order, now).await?;
        match self.wosign_set_up(app, &request, source, password.as_deref(), &parties, &mut order).await {
            Ok(flow_id) => {
                info!(app.id = %app, flow.id = %flow_id, "WoSignDoc order created");
                Ok(OrderCreated { sign_id, order_number, flow_id })
            }
            Err(err) => {
                // Frees the number for a corrected retry: an order without a flow is replaceable.
                let mut failed = order.clone();
                failed.created_at = now - SETUP_GRACE - time::Duration::seconds(1);
                let _ = self.store.wosign_order_replace(&sign_id, &failed).await;
                Err(err)
            }
        }
    }

    /// An order of the app by `signid` or `orderNumber`, with its flow.
    pub async fn wosign_order(
        &self,
        app: &AppId,
        sign_id: Option<&str>,
        order_number: Option<&str>,
    ) -> Result<OrderView> {
        let order = match (sign_id, order_number) {
            (Some(id), _) => self.store.wosign_order_by_sign_id(app, id.trim()).await?,
            (None, Some(number)) => self.store.wosign_order_get(app, number.trim()).await?,
            (None, None) => None,
        }
        .ok_or(Error::NotFound("order"))?;
        let flow = match &order.flow_id {
            Some(id) => self.store.flow_get(app, id).await?,
            None => None,
        };
        Ok(OrderView { order, flow })
    }

    /// The order's document as it is now (signed once the order completes).
    pub async fn wosign_document(&self, app: &AppId, sign_id: &str) -> Result<(OrderView, Bytes)> {
        let view = self.wosign_order(app, Some(sign_id), None).await?;
        let flow = view.flow.as_ref().ok_or(Error::NotFound("order"))?;
        let document = flow.documents.first().ok_or(Error::NotFound("document"))?;
        let bytes = self.blobs.get(&document.current_key).await?;
        Ok((view, bytes))
    }

    /// Claims the number, or explains why it is taken: -46 signed, -47 being signed. An order
    /// that ended unsigned (revoked, expired, failed) gives its number to the new one.
    async fn wosign_claim_number(&self, order: &WosignOrder, now: OffsetDateTime) -> Outcome<()> {
        for _ in 0..3 {
            match self.store.wosign_order_insert(order).await {
                Ok(()) => return Ok(()),
                Err(Error::Conflict(_)) => {}
                Err(err) => return Err(err.into()),
            }
            let Some(existing) = self.store.wosign_order_get(&order.app_id, &order.order_number).await? else {
                continue;
            };
            let status = match &existing.flow_id {
                Some(flow) => self.store.flow_get(&order.app_id, flow).await?.map(|f| f.status),
                None if existing.created_at + SETUP_GRACE > now => return Err(WosignRefusal::OrderSigning),
                None => None,
            };
            match status {
                Some(FlowStatus::Completed) => return Err(WosignRefusal::OrderSigned),
                Some(FlowStatus::Signing | FlowStatus::Draft) => return Err(WosignRefusal::OrderSigning),
                _ => {
                    if self.store.wosign_order_replace(&existing.sign_id, order).await? {
                        return Ok(());
                    }
                }
            }
        }
        Err(WosignRefusal::OrderSigning)
    }

    /// -50 and identity checks: organisations need a valid USCC (GB 32100 check character) or
    /// 15-digit registration number (GS15 check digit) that the enterprise verification accepts
    /// for the name; persons a valid resident ID (CN) or a passport number.
    async fn wosign_check_parties(&self, signers: &[OrderSigner]) -> Outcome<Vec<(IdType, String)>> {
        let today = self.clock.now().date();
        let mut checked = Vec::new();
        for (index, signer) in signers.iter().enumerate() {
            match &signer.party {
                Party::Org { name, number } => {
                    let compact: String = number.chars().filter(|c| !c.is_whitespace()).collect();
                    let id_type = if compact.chars().count() == 15 { IdType::BizRegNo } else { IdType::Uscc };
                    let number = check_id_number(id_type, &compact, today).map_err(|err| {
                        let reason = match err {
                            IdError::CheckCharacter => "the check character of orgNo is wrong".to_owned(),
                            other => format!("orgNo {other}"),
                        };
                        WosignRefusal::OrgMismatch(index, reason)
                    })?;
                    if !self.wosign_enterprise_matches(name, &number).await? {
                        return Err(WosignRefusal::OrgMismatch(index, "orgName does not match orgNo".into()));
                    }
                    checked.push((id_type, number));
                }
                Party::Person { id_number, country, .. } => {
                    let id_type =
                        if country.eq_ignore_ascii_case("CN") { IdType::ResidentId } else { IdType::Passport };
                    let number = check_id_number(id_type, id_number, today)
                        .map_err(|e| Error::invalid("userNo", format!("signer {}: {e}", index + 1)))?;
                    checked.push((id_type, number));
                }
            }
        }
        Ok(checked)
    }

    /// Whether the organisation's name matches its number, per the deployment's enterprise
    /// verification provider (企业二要素: the order names no legal representative). A
    /// deployment without one (`Unsupported`) relies on the number's check character, already
    /// verified. A provider that gives no verdict fails the order: it is never accepted unchecked.
    async fn wosign_enterprise_matches(&self, name: &str, number: &str) -> Result<bool> {
        match self.verifier.org_name_matches(name.trim(), number).await {
            Ok(verdict) => {
                info!(matched = verdict.matched, reference = ?verdict.reference, "WoSignDoc organisation checked");
                Ok(verdict.matched)
            }
            Err(crate::verification::ProviderError::Unsupported { .. }) => Ok(true),
            Err(err) => Err(Error::Provider(err)),
        }
    }

    /// Creates the native parts and the flow, already signing; records the flow in the order.
    async fn wosign_set_up(
        &self,
        app: &AppId,
        request: &OrderRequest,
        source: Source<'_>,
        password: Option<&str>,
        parties: &[(IdType, String)],
        order: &mut WosignOrder,
    ) -> Outcome<FlowId> {
        let now = self.clock.now();
        let pdf = match source {
            Source::Upload(document) => self.wosign_pdf(document).await?,
            Source::Template(template) => self.blobs.get(&template.blob_key).await?.to_vec(),
        };
        let template_name = match source {
            Source::Template(template) => Some(template.name.as_str()),
            Source::Upload(_) => None,
        };
        let file =
            self.upload_file(app, &format!("{}.pdf", file_stem(&order.order_number)), Bytes::from(pdf.clone())).await?;
        let pages = file.pages.unwrap_or(0) as usize;
        for (index, signer) in request.signers.iter().enumerate() {
            for place in &signer.places {
                if place.page == 0 || place.page > pages {
                    return Err(Error::invalid(
                        "pagenumber",
                        format!("signer {}: page {} is not in the document ({pages} pages)", index + 1, place.page),
                    )
                    .into());
                }
            }
        }
        // The document the flow signs: the upload itself, or its encrypted copy.
        let flow_key = match password {
            Some(password) => {
                let owned = password.to_owned();
                let encrypted = tokio::task::spawn_blocking(move || documents::encrypt_pdf(&pdf, &owned))
                    .await
                    .map_err(|e| Error::Internal(format!("encryption panicked: {e}")))??;
                self.blobs.put(Bytes::from(encrypted)).await?
            }
            None => file.blob_key.clone(),
        };
        let mut signers = Vec::new();
        let mut materials = Vec::new();
        for (index, (signer, (id_type, number))) in request.signers.iter().zip(parties).enumerate() {
            let account = self.wosign_account(app, &signer.party, *id_type, number).await?;
            let seal = self.wosign_seal(app, &account, signer.stamp.as_ref()).await?;
            let pic = self.blobs.put(Bytes::from(signer.pic.bytes.clone())).await?;
            let other = self.blobs.put(Bytes::from(signer.other_pic.bytes.clone())).await?;
            materials.push(json!({
                "signer": index + 1,
                "accountId": account.id.as_str(),
                "sealId": seal.id.as_str(),
                "pic": pic.as_str(),
                "otherpic": other.as_str(),
            }));
            let fields = signer
                .places
                .iter()
                .map(|p| Field {
                    document: 0,
                    position: Position::Rect {
                        page: p.page,
                        x1: p.rect[0],
                        y1: p.rect[1],
                        x2: p.rect[2],
                        y2: p.rect[3],
                    },
                    width: None,
                    show_time: false,
                    show_digest: false,
                })
                .collect::<Vec<_>>();
            for field in &fields {
                field.validate(1)?;
            }
            if signers.iter().any(|s: &FlowSigner| s.account_id == account.id) {
                return Err(Error::invalid("signerlist", format!("signer {} is listed twice", index + 1)).into());
            }
            signers.push(FlowSigner {
                account_id: account.id.clone(),
                order: index as i64,
                seal_id: Some(seal.id.clone()),
                fields,
                auth: SignerAuth::None,
                status: SignerStatus::Waiting,
                signed_at: None,
                reject_reason: None,
            });
        }
        let subject = subject_of(request.subject.as_deref().or(template_name), &order.order_number);
        let flow = FlowRecord {
            id: FlowId::generate(),
            app_id: app.clone(),
            title: truncate(&subject, MAX_TITLE_CHARS),
            status: FlowStatus::Signing,
            callback_url: None,
            expires_at: None,
            archived: false,
            created_at: now,
            updated_at: now,
            documents: vec![FlowDocument {
                position: 0,
                file_id: file.id.clone(),
                name: file.name.clone(),
                current_key: flow_key,
                revision: 0,
            }],
            signers,
        };
        order.materials = json!({"signers": materials}).to_string();
        let detail = json!({
            "title": flow.title,
            "documents": [{"fileId": file.id.as_str(), "name": file.name}],
            "signers": flow.signers.iter().map(|s| s.account_id.as_str()).collect::<Vec<_>>(),
            "wosign": {
                "signId": order.sign_id,
                "orderNumber": order.order_number,
                "subject": subject,
                "encrypted": password.is_some(),
                "signing": order.signing.as_str(),
                "fileSha256": file.sha256,
                "materials": materials,
            },
        });
        let audit = AuditEntry::new(app, flow_scope(&flow.id), "flow.created", detail, now);
        self.store.flow_insert(&flow, &audit).await?;
        order.flow_id = Some(flow.id.clone());
        // Materials and flow in one write: the order row was claimed without them.
        if !self.store.wosign_order_replace(&order.sign_id, order).await? {
            return Err(Error::Conflict("the order was replaced while it was being created".into()).into());
        }
        Ok(flow.id)
    }

    /// The PDF to sign: `filebase` itself, or its conversion.
    async fn wosign_pdf(&self, document: &OrderDocument) -> Result<Vec<u8>> {
        let format = normalise_format(&document.format);
        if format == "pdf" {
            return Ok(document.bytes.clone());
        }
        let _permit =
            documents::CONVERSIONS.acquire().await.map_err(|_| Error::Internal("conversions are closed".into()))?;
        let bytes = document.bytes.clone();
        tokio::task::spawn_blocking(move || documents::convert_to_pdf(&bytes, &format))
            .await
            .map_err(|e| Error::Internal(format!("conversion panicked: {e}")))?
    }

    /// The signer's account: found by identity number, else created (with its certificate).
    async fn wosign_account(&self, app: &AppId, party: &Party, id_type: IdType, number: &str) -> Result<AccountRecord> {
        let lookup = AccountLookup::IdNumber { id_type, id_number: number.to_owned() };
        match self.find_account(app, lookup).await {
            Ok(account) if account.active => return Ok(account),
            Ok(_) | Err(Error::NotFound(_)) => {}
            Err(err) => return Err(err),
        }
        let (kind, name) = match party {
            Party::Org { name, .. } => (AccountKind::Org, name.clone()),
            Party::Person { name, .. } => (AccountKind::Person, name.clone()),
        };
        let new = NewAccount {
            kind,
            name,
            id_type,
            id_number: number.to_owned(),
            mobile: None,
            email: None,
            third_id: None,
            agent_id: None,
            waive_uscc_check: false,
        };
        match self.create_account(app, new).await {
            Ok(account) => Ok(account),
            // Another order created the same signer at the same moment.
            Err(Error::Conflict(_)) => {
                self.find_account(app, AccountLookup::IdNumber { id_type, id_number: number.to_owned() }).await
            }
            Err(err) => Err(err),
        }
    }

    /// The seal a signer signs this order with: its `stampbase` as a new image seal, else its
    /// template seal (generated the first time).
    async fn wosign_seal(&self, app: &AppId, account: &AccountRecord, stamp: Option<&Material>) -> Result<SealRecord> {
        let id = account.id.as_str();
        if let Some(stamp) = stamp {
            let kind = if account.kind == AccountKind::Org { UploadKind::OvalCompany } else { UploadKind::Personal };
            let options = UploadOptions { kind, ..UploadOptions::default() };
            let source =
                |options| SealSource::Image { bytes: Bytes::from(stamp.bytes.clone()), options, width_mm: None };
            // A round stamp is square: try the organisation's round shape before the oval one.
            if account.kind == AccountKind::Org {
                let round = UploadOptions { kind: UploadKind::RoundCompany, ..UploadOptions::default() };
                if let Ok(seal) = self.create_seal(app, id, Some("stampbase"), source(round), false).await {
                    return Ok(seal);
                }
            }
            return self.create_seal(app, id, Some("stampbase"), source(options), false).await.map_err(|e| match e {
                Error::InvalidInput { reason, .. } => Error::invalid("stampbase", reason),
                other => other,
            });
        }
        let template = matches!(account.kind, AccountKind::Org)
            .then_some(SealKind::CompanyTemplate)
            .unwrap_or(SealKind::PersonTemplate);
        if let Some(seal) = self.seals_of(app, id).await?.into_iter().find(|s| s.kind == template) {
            return Ok(seal);
        }
        let source = match account.kind {
            AccountKind::Org => SealSource::Company(CompanySealSpec::new(account.name.clone())),
            AccountKind::Person => SealSource::Person(PersonalSealSpec::new(account.name.clone())),
        };
        self.create_seal(app, id, None, source, true).await
    }
}

/// Checks every image of the order off the async workers (-61 on the first bad one).
async fn wosign_check_materials(signers: &[OrderSigner]) -> Outcome<()> {
    let signers = signers.to_vec();
    tokio::task::spawn_blocking(move || {
        for (index, signer) in signers.iter().enumerate() {
            let named = [
                ("pic", Some(&signer.pic)),
                ("otherpic", Some(&signer.other_pic)),
                ("stampbase", signer.stamp.as_ref()),
            ];
            for (name, material) in named {
                if let Some(material) = material
                    && let Err(err) = check_material(material)
                {
                    return Err(WosignRefusal::UnsafeContent(format!("signer {}: {name} {err}", index + 1)));
                }
            }
        }
        Ok(())
    })
    .await
    .map_err(|e| Error::Internal(format!("material check panicked: {e}")))?
}

/// The flow title: the subject cut to 256 characters with "…" (as documented), else a default.
fn subject_of(subject: Option<&str>, order_number: &str) -> String {
    match subject.map(str::trim).filter(|s| !s.is_empty()) {
        Some(subject) => truncate(subject, MAX_SUBJECT_CHARS),
        None => format!("WoSignDoc {order_number}"),
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// A file name from the order number (no path separators or control characters).
fn file_stem(order_number: &str) -> String {
    let stem: String =
        order_number.chars().map(|c| if c.is_control() || c == '/' || c == '\\' { '_' } else { c }).take(100).collect();
    if stem.trim().is_empty() { "order".into() } else { stem }
}

/// The associated data of an order's sealed password (binds it to its order).
pub(super) fn password_context(sign_id: &str) -> String {
    format!("wosign-password:{sign_id}")
}

/// SHA-256 in hex, as `PushSignedDoc` reports it.
pub fn sha256_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_cut_with_an_ellipsis() {
        let long = "合".repeat(300);
        let cut = subject_of(Some(&long), "n");
        assert_eq!(cut.chars().count(), 256);
        assert!(cut.ends_with('…'));
        assert_eq!(subject_of(Some("  "), "A-1"), "WoSignDoc A-1");
        assert_eq!(truncate("short", 200), "short");
        assert_eq!(file_stem("a/b\\c"), "a_b_c");
    }
}
