//! The 云合同 摘要签署 (Yunhetong digest signing, v2.4.1) use cases on top of the core: numeric
//! user and seal ids, stateless 15-minute tokens (platform or user), signing documents the caller
//! hands over as bytes, document timestamps.
//!
//! The HTTP dialect (`signet-http`, `dialects/yunhetong`) owns the JSON, the error codes and the
//! server file paths; everything here is shared with the native API: the same accounts,
//! certificates, seals, audit trail and PDF engine call.

mod codes;
mod error;
mod evidence;
mod seals;
mod signing;
mod tokens;
mod users;

pub use error::{DigestError, DigestResult};
pub use seals::DigestSeal;
pub use signing::{DigestPosition, DigestSign, SealChoice, SealClass, Signed, Timestamped};
pub use tokens::{Caller, RENEW_BEFORE};
pub use users::DigestUser;
