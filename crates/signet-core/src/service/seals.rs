//! Seals: template seals rendered here, uploaded images, hand-drawn signatures; silent-sign
//! authorizations over them.

use bytes::Bytes;
use serde_json::json;
use signet_seal::{
    CompanySealSpec, PersonalSealSpec, SealError, SignatureInput, SignatureStyle, UploadOptions, prepare_upload,
    render_company, render_personal, render_signature,
};
use time::OffsetDateTime;

use super::Signet;
use super::accounts::account_scope;
use crate::accounts::{AccountKind, AccountRecord};
use crate::audit::AuditEntry;
use crate::authorizations::{AuthorizationId, AuthorizationRecord};
use crate::ids::AppId;
use crate::seals::{SealId, SealKind, SealRecord};
use crate::{Error, Result};

/// Resolution of rendered template seals: 600 dpi keeps edges crisp when printed.
const TEMPLATE_DPI: u32 = 600;
/// Resolution assumed for uploaded images without their own physical size (96 dpi screens).
const UPLOAD_DPI: f64 = 96.0;

/// How a new seal is made.
#[derive(Debug, Clone)]
pub enum SealSource {
    Person(PersonalSealSpec),
    Company(CompanySealSpec),
    /// An uploaded PNG or JPEG, validated and normalised.
    Image {
        bytes: Bytes,
        options: UploadOptions,
        width_mm: Option<f64>,
    },
    /// Strokes from a drawing pad.
    Handwritten(SignatureInput),
}

impl Signet {
    /// Creates a seal for an account. Person templates belong to persons, company templates to organisations.
    pub async fn create_seal(
        &self,
        app: &AppId,
        account_id: &str,
        name: Option<&str>,
        source: SealSource,
        make_default: bool,
    ) -> Result<SealRecord> {
        let account = self.account(app, account_id).await?;
        if !account.active {
            return Err(Error::Conflict("the account is deactivated".into()));
        }
        let (kind, spec_json, rendered, evidence) = render(&account, source).await?;
        let label = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(kind.default_label()).to_owned();
        if label.chars().count() > 50 {
            return Err(Error::invalid("name", "expected at most 50 characters"));
        }
        let image_key = self.blobs.put(Bytes::from(rendered.png)).await?;
        let evidence_key = match evidence {
            Some(strokes) => Some(self.blobs.put(Bytes::from(strokes)).await?),
            None => None,
        };
        let is_default = make_default || self.store.seal_list(app, &account.id).await?.is_empty();
        let seal = SealRecord {
            id: SealId::generate(),
            app_id: app.clone(),
            account_id: account.id,
            kind,
            name: label,
            image_key,
            width_mm: rendered.width_mm,
            height_mm: rendered.height_mm,
            spec: spec_json,
            evidence_key,
            is_default,
            active: true,
            created_at: self.clock.now(),
        };
        self.store.seal_insert(&seal).await?;
        Ok(seal)
    }

    /// Reads an active seal of the calling app.
    pub async fn seal(&self, app: &AppId, id: &str) -> Result<SealRecord> {
        let id = SealId::parse(id)?;
        let seal = self.store.seal_get(app, &id).await?.ok_or(Error::NotFound("seal"))?;
        if seal.active { Ok(seal) } else { Err(Error::NotFound("seal")) }
    }

    /// The seal's PNG.
    pub async fn seal_image(&self, app: &AppId, id: &str) -> Result<Bytes> {
        let seal = self.seal(app, id).await?;
        self.blobs.get(&seal.image_key).await
    }

    /// An account's active seals, the default first.
    pub async fn seals_of(&self, app: &AppId, account_id: &str) -> Result<Vec<SealRecord>> {
        let account = self.account(app, account_id).await?;
        self.store.seal_list(app, &account.id).await
    }

    /// Makes a seal its account's default.
    pub async fn set_default_seal(&self, app: &AppId, id: &str) -> Result<SealRecord> {
        let seal = self.seal(app, id).await?;
        self.store.seal_set_default(app, &seal.id).await?;
        self.seal(app, id).await
    }

    /// Deactivates a seal; flows that named it fall back to the account's default.
    pub async fn delete_seal(&self, app: &AppId, id: &str) -> Result<()> {
        let seal = self.seal(app, id).await?;
        self.store.seal_deactivate(app, &seal.id).await
    }

    /// The seal an account signs with: the requested one if it is the account's own (or, for an
    /// organisation's agent, the organisation's), else the account's default.
    pub async fn seal_for_signing(&self, account: &AccountRecord, requested: Option<&SealId>) -> Result<SealRecord> {
        let app = &account.app_id;
        if let Some(id) = requested {
            let seal = self.store.seal_get(app, id).await?.filter(|s| s.active).ok_or(Error::NotFound("seal"))?;
            if seal.account_id != account.id {
                return Err(Error::Forbidden("the seal belongs to another account".into()));
            }
            return Ok(seal);
        }
        let seals = self.store.seal_list(app, &account.id).await?;
        seals.into_iter().next().ok_or_else(|| Error::Conflict(format!("account {} has no seal", account.id)))
    }

    /// Lets the app sign silently for an account until `expires_at` (optionally only with some seals).
    pub async fn grant_authorization(
        &self,
        app: &AppId,
        account_id: &str,
        seal_ids: &[String],
        expires_at: OffsetDateTime,
    ) -> Result<AuthorizationRecord> {
        let now = self.clock.now();
        let account = self.account(app, account_id).await?;
        if expires_at <= now {
            return Err(Error::invalid("expiresAt", "must be in the future"));
        }
        let mut seals = Vec::new();
        for id in seal_ids {
            let seal = self.seal(app, id).await.map_err(|_| Error::invalid("sealIds", format!("no seal {id}")))?;
            if seal.account_id != account.id {
                return Err(Error::invalid("sealIds", format!("seal {id} belongs to another account")));
            }
            seals.push(seal.id);
        }
        let record = AuthorizationRecord {
            id: AuthorizationId::generate(),
            app_id: app.clone(),
            account_id: account.id.clone(),
            seal_ids: seals,
            expires_at,
            revoked_at: None,
            created_at: now,
        };
        let detail = json!({
            "authorizationId": record.id.as_str(),
            "sealIds": record.seal_ids.iter().map(SealId::as_str).collect::<Vec<_>>(),
            "expiresAt": expires_at.unix_timestamp(),
        });
        let audit = AuditEntry::new(app, account_scope(&account.id), "authorization.granted", detail, now);
        self.store.authorization_insert(&record, &audit).await?;
        Ok(record)
    }

    /// An account's authorizations, newest first.
    pub async fn authorizations_of(&self, app: &AppId, account_id: &str) -> Result<Vec<AuthorizationRecord>> {
        let account = self.account(app, account_id).await?;
        self.store.authorization_list(app, &account.id).await
    }

    /// Revokes an authorization.
    pub async fn revoke_authorization(&self, app: &AppId, account_id: &str, id: &str) -> Result<()> {
        let account = self.account(app, account_id).await?;
        let id = AuthorizationId::parse(id)?;
        if !self.store.authorization_list(app, &account.id).await?.iter().any(|a| a.id == id) {
            return Err(Error::NotFound("authorization"));
        }
        let now = self.clock.now();
        let audit = AuditEntry::new(
            app,
            account_scope(&account.id),
            "authorization.revoked",
            json!({"authorizationId": id.as_str()}),
            now,
        );
        self.store.authorization_revoke(app, &id, now, &audit).await
    }

    /// The authorization that lets the app sign for `account` with `seal` now, if any.
    pub async fn active_authorization(
        &self,
        account: &AccountRecord,
        seal: &SealId,
    ) -> Result<Option<AuthorizationRecord>> {
        let now = self.clock.now();
        let all = self.store.authorization_list(&account.app_id, &account.id).await?;
        Ok(all.into_iter().find(|a| a.allows(Some(seal), now)))
    }
}

impl SealKind {
    fn default_label(self) -> &'static str {
        match self {
            Self::PersonTemplate => "个人印章",
            Self::CompanyTemplate => "企业印章",
            Self::Image => "上传印章",
            Self::Handwritten => "手写签名",
        }
    }
}

/// A rendered seal image with its physical size.
struct Rendered {
    png: Vec<u8>,
    width_mm: f64,
    height_mm: f64,
}

/// Renders off the async workers (rasterising is CPU work) and maps engine errors to fields.
async fn render(
    account: &AccountRecord,
    source: SealSource,
) -> Result<(SealKind, Option<String>, Rendered, Option<Vec<u8>>)> {
    let kind = account.kind;
    tokio::task::spawn_blocking(move || match source {
        SealSource::Person(spec) => {
            if kind != AccountKind::Person {
                return Err(Error::invalid("template", "person seals are for person accounts"));
            }
            let seal = render_personal(&spec).map_err(seal_error)?;
            let png = seal.to_png(TEMPLATE_DPI).map_err(seal_error)?;
            let spec = serde_json::to_string(&spec).ok();
            Ok((SealKind::PersonTemplate, spec, rendered(png, seal.width_mm(), seal.height_mm()), None))
        }
        SealSource::Company(spec) => {
            if kind != AccountKind::Org {
                return Err(Error::invalid("template", "company seals are for organisation accounts"));
            }
            let seal = render_company(&spec).map_err(seal_error)?;
            let png = seal.to_png(TEMPLATE_DPI).map_err(seal_error)?;
            let spec = serde_json::to_string(&spec).ok();
            Ok((SealKind::CompanyTemplate, spec, rendered(png, seal.width_mm(), seal.height_mm()), None))
        }
        SealSource::Image { bytes, options, width_mm } => {
            let image = prepare_upload(&bytes, &options).map_err(seal_error)?;
            let natural = f64::from(image.width) * 25.4 / UPLOAD_DPI;
            let width = width_mm.unwrap_or(natural);
            if !(5.0..=100.0).contains(&width) {
                return Err(Error::invalid("widthMm", "expected 5 to 100 mm"));
            }
            let height = width * f64::from(image.height) / f64::from(image.width);
            Ok((SealKind::Image, None, Rendered { png: image.png, width_mm: width, height_mm: height }, None))
        }
        SealSource::Handwritten(strokes) => {
            let image = render_signature(&strokes, &SignatureStyle::default()).map_err(seal_error)?;
            let evidence = serde_json::to_vec(&strokes).ok();
            let rendered = rendered(image.png.clone(), image.width_mm(), image.height_mm());
            Ok((SealKind::Handwritten, None, rendered, evidence))
        }
    })
    .await
    .map_err(|e| Error::Internal(format!("seal rendering panicked: {e}")))?
}

fn rendered(png: Vec<u8>, width_mm: f32, height_mm: f32) -> Rendered {
    Rendered { png, width_mm: f64::from(width_mm), height_mm: f64::from(height_mm) }
}

/// Seal engine errors are all about the caller's input.
fn seal_error(err: SealError) -> Error {
    let field = match &err {
        SealError::ImageTooLarge { .. } | SealError::UnsupportedImageType(_) => "image",
        _ => "template",
    };
    Error::invalid(field, err.to_string())
}
