//! WoSignDoc orders: the record tying the calling platform's `orderNumber` to the `signid` we
//! answer with and to the native flow that signs it.

use time::OffsetDateTime;

use crate::flows::FlowId;
use crate::ids::AppId;

/// One `CreateSignOrder` as stored.
#[derive(Debug, Clone)]
pub struct WosignOrder {
    /// The `signid` answered to the caller (a UUID, as the vendor's examples show).
    pub sign_id: String,
    pub app_id: AppId,
    /// The caller's own order number, unique per app.
    pub order_number: String,
    /// The flow doing the signing; `None` while the order is being set up.
    pub flow_id: Option<FlowId>,
    /// The document password, sealed under the master key (`None`: the PDF is not encrypted).
    pub password_sealed: Option<Vec<u8>>,
    /// The identity materials kept as evidence, as JSON (object keys and hashes per signer).
    pub materials: String,
    /// How the order is signed, fixed at creation.
    pub signing: WosignSigning,
    pub created_at: OffsetDateTime,
}

/// How a deployment has WoSignDoc orders signed (setting `wosign_signing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WosignSigning {
    /// The background driver signs for every signer, in order, with its own certificate.
    #[default]
    Auto,
    /// Each signer signs, in order, on its signing page (`/p/{token}`).
    Pages,
}

impl WosignSigning {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Pages => "pages",
        }
    }

    /// Reads a stored or configured name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "auto" => Some(Self::Auto),
            "pages" => Some(Self::Pages),
            _ => None,
        }
    }
}
