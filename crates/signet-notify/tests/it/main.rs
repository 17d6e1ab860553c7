//! Integration tests of the delivery adapters against real local counterparts: the file
//! system, an aiosmtpd SMTP server, and HTTP stand-ins that verify each vendor's signature.

mod aliyun;
mod config;
mod outbox;
mod smtp;
mod standin;
mod tencent;

use signet_core::notify::{Channel, OutgoingMessage, Purpose};

/// A willingness-code SMS.
pub fn code_sms(recipient: &str, code: &str) -> OutgoingMessage {
    OutgoingMessage {
        channel: Channel::Sms,
        recipient: recipient.into(),
        purpose: Purpose::VerificationCode { code: code.into(), valid_minutes: 15 },
        text: format!("【签署平台】您的签署验证码为 {code}，15 分钟内有效。"),
    }
}
