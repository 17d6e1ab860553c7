//! Willingness codes (意愿认证): short codes sent by SMS or e-mail that a signer types back to
//! prove it is really them, right now.

use time::OffsetDateTime;

use crate::accounts::AccountId;
use crate::ids::AppId;
use crate::notify::Channel;

crate::ids::random_id!(
    /// The identifier of a sent code.
    CodeId,
    "code"
);

/// A code as stored: only its keyed hash, never the digits.
#[derive(Debug, Clone)]
pub struct CodeRecord {
    pub id: CodeId,
    pub app_id: AppId,
    /// What the code is for, e.g. `flow:<id>` or a dialect's purpose.
    pub scope: String,
    pub account_id: AccountId,
    pub channel: Channel,
    pub code_hash: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

/// Why a code was not accepted; dialects map each to their own error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeFailure {
    #[error("no verification code was sent for this signer")]
    NotSent,
    #[error("the verification code is wrong")]
    Wrong,
    #[error("the verification code has expired; request a new one")]
    Expired,
    #[error("the verification code has already been used; request a new one")]
    Used,
    #[error("too many wrong attempts; request a new code")]
    TooManyAttempts,
    #[error("a code was sent moments ago; wait before requesting another")]
    TooSoon,
}

/// Where a code was sent and until when it is valid.
#[derive(Debug, Clone)]
pub struct CodeSent {
    pub channel: Channel,
    /// The recipient, masked for display (`138****8000`).
    pub recipient_masked: String,
    pub expires_at: OffsetDateTime,
    /// When the next code may be requested.
    pub resend_after: OffsetDateTime,
}

/// Masks a phone number or e-mail address for display.
pub fn mask_recipient(recipient: &str) -> String {
    if let Some((local, domain)) = recipient.split_once('@') {
        let first: String = local.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let chars: Vec<char> = recipient.chars().collect();
    let keep_tail = 4.min(chars.len());
    let keep_head = 3.min(chars.len().saturating_sub(keep_tail));
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep_head || i >= chars.len() - keep_tail { *c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_masked() {
        assert_eq!(mask_recipient("13800138000"), "138****8000");
        assert_eq!(mask_recipient("li.lei@example.com"), "l***@example.com");
    }
}
