//! Seals (印章): template seals rendered by `signet-seal`, uploaded images, hand-drawn signatures.

use time::OffsetDateTime;

use crate::accounts::AccountId;
use crate::ids::AppId;
use crate::ports::BlobKey;

crate::ids::random_id!(
    /// The public identifier of a seal.
    SealId,
    "seal"
);

/// Where a seal's image came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealKind {
    /// Rendered from a personal template (name seal).
    PersonTemplate,
    /// Rendered from a company template (round or oval).
    CompanyTemplate,
    /// An uploaded image (scanned stamp, designed seal).
    Image,
    /// A hand-drawn signature; its strokes are kept as evidence.
    Handwritten,
}

impl SealKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PersonTemplate => "person_template",
            Self::CompanyTemplate => "company_template",
            Self::Image => "image",
            Self::Handwritten => "handwritten",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::PersonTemplate, Self::CompanyTemplate, Self::Image, Self::Handwritten]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }
}

/// A seal as stored.
#[derive(Debug, Clone)]
pub struct SealRecord {
    pub id: SealId,
    pub app_id: AppId,
    pub account_id: AccountId,
    pub kind: SealKind,
    /// A label for people ("合同专用章").
    pub name: String,
    /// The PNG (RGBA, with its physical size in pHYs).
    pub image_key: BlobKey,
    pub width_mm: f64,
    pub height_mm: f64,
    /// The template parameters (JSON) for template seals.
    pub spec: Option<String>,
    /// Stroke data of hand-drawn signatures, kept as evidence.
    pub evidence_key: Option<BlobKey>,
    pub is_default: bool,
    pub active: bool,
    pub created_at: OffsetDateTime,
}
