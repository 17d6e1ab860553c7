//! SMS willingness codes before signing (意愿认证): 4 digits, 15 minutes, single use, attempts
//! limited, through the deployment's SMS provider (the core's willingness codes).

use super::error::{DigestError, DigestResult};
use super::tokens::Caller;
use crate::Signet;
use crate::contact::normalise_mobile;
use crate::notify::Channel;
use crate::service::accounts::account_scope;

/// The purpose codes of this dialect are bound to: a code for signing is good for nothing else.
const SCOPE: &str = "yunhetong.sign";
/// The document: "短信验证码 4 位数字".
const DIGITS: usize = 4;

impl Signet {
    /// `/send/verifyCode`: sends a code to the user's mobile, or to `phone` when given.
    pub async fn yunhetong_send_code(&self, caller: &Caller, signer: i64, phone: Option<&str>) -> DigestResult<()> {
        caller.require_platform()?;
        let mut account = self.yunhetong_account(&caller.app, signer).await?;
        if let Some(raw) = phone {
            let mobile = normalise_mobile(raw).ok_or_else(|| DigestError::BadMobile(raw.to_owned()))?;
            account.mobile = Some(mobile);
        }
        if account.mobile.is_none() {
            return Err(DigestError::NoMobile);
        }
        let audit_scope = account_scope(&account.id);
        self.send_code(&account, SCOPE, Channel::Sms, DIGITS, &audit_scope).await?;
        Ok(())
    }

    /// Checks and consumes the user's latest signing code.
    pub async fn yunhetong_check_code(&self, caller: &Caller, signer: i64, code: &str) -> DigestResult<()> {
        caller.require_platform()?;
        let account = self.yunhetong_account(&caller.app, signer).await?;
        self.check_code(&account, SCOPE, code).await?;
        Ok(())
    }
}
