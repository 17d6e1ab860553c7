//! The port through which willingness codes and notices reach people (SMS, e-mail).

use async_trait::async_trait;

use crate::Result;

/// The medium a message travels by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Sms,
    Email,
}

/// What a message is for; providers that send from pre-approved templates (SMS vendors) map the
/// purpose to a template and pass its parameters, others send `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// A willingness (意愿) verification code.
    VerificationCode { code: String, valid_minutes: u32 },
    /// A link a signer should open (signing invitations).
    SigningLink { url: String, flow_title: String },
    /// A signer's signature was made for them (an automatic task): where to see the result.
    SignedCopy { url: String, flow_title: String },
}

/// One message to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub channel: Channel,
    /// A normalised mobile number (`13800138000`, `+85261234567`) or e-mail address.
    pub recipient: String,
    pub purpose: Purpose,
    /// The message rendered as plain text in the deployment's language (subject line first for e-mail).
    pub text: String,
}

/// Delivers messages. Implementations: the development outbox file, SMTP, and SMS vendors' HTTP APIs.
#[async_trait]
pub trait MessageSender: Send + Sync {
    /// Sends one message; an error means it was not accepted by the provider.
    async fn send(&self, message: &OutgoingMessage) -> Result<()>;
}
