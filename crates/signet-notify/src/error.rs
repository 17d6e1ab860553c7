//! Why a message was not delivered.

use signet_core::Error as CoreError;

/// A delivery failure. Messages never contain credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// The recipient cannot be addressed by this provider (malformed number or address).
    #[error("invalid recipient: {0}")]
    InvalidRecipient(String),
    /// The provider has no template or route for this kind of message.
    #[error("unsupported message: {0}")]
    Unsupported(String),
    /// The outbox file could not be written.
    #[error("outbox write failed: {0}")]
    Outbox(#[source] std::io::Error),
    /// The SMTP server refused the message or could not be reached.
    #[error("smtp delivery failed: {0}")]
    Smtp(String),
    /// The vendor's API could not be reached or answered with something unreadable.
    #[error("{vendor} request failed: {reason}")]
    Transport { vendor: &'static str, reason: String },
    /// The vendor answered with an error code (bad signature, template, quota, ...).
    #[error("{vendor} rejected the message: {code}: {message}")]
    Rejected { vendor: &'static str, code: String, message: String },
    /// The provider could not be set up from its configuration.
    #[error("invalid provider configuration: {0}")]
    Config(String),
}

impl From<NotifyError> for CoreError {
    fn from(err: NotifyError) -> Self {
        match err {
            NotifyError::InvalidRecipient(reason) => CoreError::invalid("recipient", reason),
            // The core has no delivery-specific variant; `Storage` is its wrapper for adapter
            // failures and keeps the cause for logging without sending it to API callers.
            other => CoreError::storage(other),
        }
    }
}
