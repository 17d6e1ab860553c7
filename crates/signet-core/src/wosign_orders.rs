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
    pub created_at: OffsetDateTime,
}
