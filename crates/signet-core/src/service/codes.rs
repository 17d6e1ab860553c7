//! Willingness codes: send by SMS or e-mail, check once.

use serde_json::json;

use super::Signet;
use crate::accounts::AccountRecord;
use crate::audit::AuditEntry;
use crate::codes::{CodeFailure, CodeId, CodeRecord, CodeSent, mask_recipient};
use crate::ids::AppId;
use crate::notify::{Channel, OutgoingMessage, Purpose};
use crate::{Error, Result};

/// Wrong answers before a code is dead.
const MAX_ATTEMPTS: i32 = 3;
/// Wait between two codes for the same signer and purpose.
const RESEND_SECONDS: i64 = 60;

impl Signet {
    /// Sends a `digits`-long code to the account's mobile (SMS) or e-mail, for `scope`, and
    /// records it in the audit trail of `audit_scope`.
    pub async fn send_code(
        &self,
        account: &AccountRecord,
        scope: &str,
        channel: Channel,
        digits: usize,
        audit_scope: &str,
    ) -> Result<CodeSent> {
        let now = self.clock.now();
        let app = &account.app_id;
        if let Some(previous) = self.store.code_latest(app, scope, &account.id).await?
            && previous.used_at.is_none()
            && now < previous.created_at + time::Duration::seconds(RESEND_SECONDS)
        {
            return Err(Error::Code(CodeFailure::TooSoon));
        }
        let recipient = match channel {
            Channel::Sms => {
                account.mobile.clone().ok_or_else(|| Error::invalid("mobile", "the account has no mobile number"))?
            }
            Channel::Email => {
                account.email.clone().ok_or_else(|| Error::invalid("email", "the account has no e-mail address"))?
            }
        };
        let code = crate::random::digits(digits.clamp(4, 8));
        let record = CodeRecord {
            id: CodeId::generate(),
            app_id: app.clone(),
            scope: scope.to_owned(),
            account_id: account.id.clone(),
            channel,
            code_hash: self.code_hash(app, scope, &account.id.to_string(), &code),
            attempts: 0,
            max_attempts: MAX_ATTEMPTS,
            expires_at: now + self.config.code_validity,
            used_at: None,
            created_at: now,
        };
        // Minutes shown to the person, rounded up (a 90-second code says 2 minutes).
        let minutes = u32::try_from((self.config.code_validity.whole_seconds() + 59) / 60).unwrap_or(u32::MAX);
        let text = format!("【Signet】您的签署验证码为 {code}，{minutes} 分钟内有效。请勿泄露给他人。");
        let message = OutgoingMessage {
            channel,
            recipient: recipient.clone(),
            purpose: Purpose::VerificationCode { code, valid_minutes: minutes },
            text: match channel {
                Channel::Email => format!("签署验证码 / Signing code\n{text}"),
                Channel::Sms => text,
            },
        };
        self.messages.send(&message).await?;
        self.store.code_insert(&record).await?;
        let masked = mask_recipient(&recipient);
        let detail = json!({"channel": channel_name(channel), "recipient": masked, "purpose": scope});
        self.store
            .audit_append(&AuditEntry::new(app, audit_scope.to_owned(), "willingness.code_sent", detail, now))
            .await?;
        Ok(CodeSent {
            channel,
            recipient_masked: masked,
            expires_at: record.expires_at,
            resend_after: now + time::Duration::seconds(RESEND_SECONDS),
        })
    }

    /// Checks and consumes the latest code of `scope` for the account.
    pub async fn check_code(&self, account: &AccountRecord, scope: &str, code: &str) -> Result<()> {
        let now = self.clock.now();
        let record = self
            .store
            .code_latest(&account.app_id, scope, &account.id)
            .await?
            .ok_or(Error::Code(CodeFailure::NotSent))?;
        if record.used_at.is_some() {
            return Err(Error::Code(CodeFailure::Used));
        }
        if now >= record.expires_at {
            return Err(Error::Code(CodeFailure::Expired));
        }
        if record.attempts >= record.max_attempts {
            return Err(Error::Code(CodeFailure::TooManyAttempts));
        }
        let presented = self.code_hash(&account.app_id, scope, &account.id.to_string(), code.trim());
        if !constant_time_eq(presented.as_bytes(), record.code_hash.as_bytes()) {
            self.store.code_count_attempt(&record.id).await?;
            let failure = if record.attempts + 1 >= record.max_attempts {
                CodeFailure::TooManyAttempts
            } else {
                CodeFailure::Wrong
            };
            return Err(Error::Code(failure));
        }
        if self.store.code_consume(&record.id, now).await? { Ok(()) } else { Err(Error::Code(CodeFailure::Used)) }
    }

    /// Codes are short, so only a keyed hash is stored: without the master key the hash does not
    /// reveal the code even to someone reading the database.
    fn code_hash(&self, app: &AppId, scope: &str, account: &str, code: &str) -> String {
        hex::encode(self.keys.token_mac(format!("willingness-code\n{app}\n{scope}\n{account}\n{code}").as_bytes()))
    }
}

fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "sms",
        Channel::Email => "email",
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
