//! The one error type of the domain, with stable codes the HTTP layer maps to statuses.

use std::fmt;

/// Result of a use case.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A boxed cause from an adapter (database driver, object store, ...).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a use case failed.
///
/// Variants that carry a message are safe to show to the caller; [`Error::Storage`] and
/// [`Error::Internal`] are not, and the HTTP layer replaces them with a generic message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request names a field whose value is unacceptable.
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: &'static str, reason: String },
    /// No credentials, or credentials that do not identify an app.
    #[error("unauthenticated: {0}")]
    Unauthenticated(&'static str),
    /// The caller is known but may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The resource does not exist for this caller (another app's resources are reported the same way).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the current state (duplicate key, out-of-turn signing, ...).
    #[error("{0}")]
    Conflict(String),
    /// An optimistic write lost a race: the record (named) changed since it was read. Use cases
    /// that can rebase read it again and retry; callers see a conflict.
    #[error("the {0} changed concurrently; retry")]
    ConcurrentUpdate(&'static str),
    /// A willingness code was refused (wrong, expired, used, ...).
    #[error("{0}")]
    Code(crate::codes::CodeFailure),
    /// The caller must slow down.
    #[error("{0}")]
    RateLimited(String),
    /// A message could not be handed to the SMS or e-mail provider.
    #[error("message delivery failed")]
    Delivery(#[source] BoxError),
    /// The real-name verification provider gave no verdict.
    #[error("{0}")]
    Provider(#[source] crate::verification::ProviderError),
    /// The metadata or object store failed.
    #[error("storage failure")]
    Storage(#[source] BoxError),
    /// The PKI engine failed on data we produced ourselves.
    #[error("pki failure")]
    Pki(#[source] signet_pki::PkiError),
    /// A broken invariant; details are logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidInput { field, reason: reason.into() }
    }

    /// Wraps an adapter failure.
    pub fn storage(err: impl Into<BoxError>) -> Self {
        Self::Storage(err.into())
    }

    /// The stable, documented code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidInput { .. } => ErrorCode::InvalidInput,
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Conflict(_) | Self::ConcurrentUpdate(_) => ErrorCode::Conflict,
            Self::Code(crate::codes::CodeFailure::TooSoon) | Self::RateLimited(_) => ErrorCode::RateLimited,
            Self::Code(_) => ErrorCode::InvalidInput,
            Self::Delivery(_) => ErrorCode::Unavailable,
            Self::Provider(crate::verification::ProviderError::Unsupported { .. }) => ErrorCode::Conflict,
            Self::Provider(_) => ErrorCode::Unavailable,
            Self::Storage(_) | Self::Pki(_) | Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<signet_pki::PkiError> for Error {
    fn from(err: signet_pki::PkiError) -> Self {
        Self::Pki(err)
    }
}

/// Stable error codes of the native API; adapters map them to transport statuses in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Conflict,
    Forbidden,
    Internal,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
}

impl ErrorCode {
    /// The snake_case name sent to API callers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Conflict => "conflict",
            Self::Forbidden => "forbidden",
            Self::Internal => "internal",
            Self::InvalidInput => "invalid_input",
            Self::NotFound => "not_found",
            Self::RateLimited => "rate_limited",
            Self::Unauthenticated => "unauthenticated",
            Self::Unavailable => "unavailable",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
