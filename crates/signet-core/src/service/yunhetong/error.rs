//! Why a dialect use case failed, in the dialect's own terms (the HTTP layer maps each to a code).

use crate::Error;

/// Result of a digest-signing use case.
pub type DigestResult<T> = Result<T, DigestError>;

/// A failure the 云合同 dialect reports with its own code; anything else stays a core [`Error`].
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// A failure the native API shares (input naming a field, storage, PKI).
    #[error(transparent)]
    Core(#[from] Error),
    /// `appId`/`appKey` do not match an enabled app.
    #[error("wrong appId or appKey")]
    LoginFailed,
    #[error("the token has expired")]
    TokenExpired,
    #[error("the token is not valid")]
    TokenInvalid,
    /// A user token on a route only the platform token may call.
    #[error("this route needs the platform token")]
    PlatformOnly,
    /// A user token on another user, or a user of the wrong kind for the route.
    #[error("{0}")]
    NoPermission(String),
    /// An update repeats the current value (the document forbids it).
    #[error("the new {0} is the same as the current value")]
    Unchanged(&'static str),
    #[error("user {0} does not exist")]
    SignerNotFound(String),
    #[error("the ID number {0} is registered already")]
    IdNumberTaken(String),
    #[error("seal {0} does not exist")]
    SealNotFound(i64),
    #[error("seal {0} belongs to another user")]
    SealOfAnotherSigner(i64),
    /// The document cannot be read as a PDF.
    #[error("not a usable PDF: {0}")]
    UnreadablePdf(String),
    /// The PDF was read but could not be signed (keyword absent, one page for a cross-page seal, ...).
    #[error("{0}")]
    SigningFailed(String),
    /// The evidence `sid` is taken in this app.
    #[error("sid {0} exists already")]
    SidTaken(String),
    /// Nothing was deposited under the `sid`.
    #[error("no evidence under sid {0}")]
    NoEvidence(String),
    /// A mobile number given for a code is not one.
    #[error("not a mobile number: {0}")]
    BadMobile(String),
    /// No mobile number to send a code to.
    #[error("the user has no mobile number")]
    NoMobile,
}

impl DigestError {
    /// Shorthand for an input error naming a field.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Core(Error::invalid(field, reason))
    }
}
