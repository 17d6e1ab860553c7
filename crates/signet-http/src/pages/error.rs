//! The pages' one mapping from failures to responses: an HTML state page for page loads
//! ([`PageError`]), a `{code, message}` JSON body in the page's language for the scripts'
//! POSTs ([`ActionError`]). Causes of internal errors go to the log, never to the page.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use signet_core::codes::CodeFailure;
use signet_core::{Error, ErrorCode};

use super::i18n::Lang;
use super::templates;

/// Why a page could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum PageFailure {
    #[error("no such link")]
    UnknownLink,
    #[error(transparent)]
    Core(#[from] Error),
    #[error("template: {0}")]
    Template(#[from] minijinja::Error),
}

/// A page failure with the language to explain it in.
#[derive(Debug)]
pub struct PageError {
    pub lang: Lang,
    pub failure: PageFailure,
}

impl PageError {
    pub fn new(lang: Lang, failure: impl Into<PageFailure>) -> Self {
        Self { lang, failure: failure.into() }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let lang = self.lang;
        let (status, key) = match &self.failure {
            PageFailure::UnknownLink | PageFailure::Core(Error::NotFound(_)) => (StatusCode::NOT_FOUND, "link_unknown"),
            PageFailure::Core(err) if err.code() == ErrorCode::RateLimited => {
                (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
            }
            other => {
                tracing::error!(error = ?other, "page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "error_generic")
            }
        };
        state_page(lang, status, lang.t("state_title"), lang.t(key))
    }
}

/// Renders the state page (a title and one message) with `status`.
pub fn state_page(lang: Lang, status: StatusCode, title: &str, message: &str) -> Response {
    match templates::render("state.html", lang, context! { title, message }) {
        Ok(html) => (status, html).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "state page template failed");
            (status, message.to_owned()).into_response()
        }
    }
}

/// A failed page action (a script's POST), answered as `{code, message}`.
#[derive(Debug)]
pub struct ActionError {
    pub lang: Lang,
    pub kind: ActionFailure,
}

/// Why a page action failed.
#[derive(Debug, thiserror::Error)]
pub enum ActionFailure {
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("the link is dead or unknown")]
    Link,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Core(#[from] Error),
}

impl ActionError {
    pub fn new(lang: Lang, kind: impl Into<ActionFailure>) -> Self {
        Self { lang, kind: kind.into() }
    }
}

impl IntoResponse for ActionError {
    fn into_response(self) -> Response {
        let t = |key| self.lang.t(key).to_owned();
        let (status, code, message) = match &self.kind {
            ActionFailure::Csrf => (StatusCode::FORBIDDEN, "csrf", t("csrf_failed")),
            ActionFailure::Link => (StatusCode::GONE, "link_dead", t("link_expired")),
            ActionFailure::Invalid(reason) => (StatusCode::BAD_REQUEST, "invalid_input", reason.clone()),
            ActionFailure::Core(Error::Code(failure)) => {
                let (code, key) = match failure {
                    CodeFailure::NotSent => ("code_not_sent", "code_not_sent"),
                    CodeFailure::Wrong => ("code_wrong", "code_wrong"),
                    CodeFailure::Expired => ("code_expired", "code_expired"),
                    CodeFailure::Used => ("code_used", "code_used"),
                    CodeFailure::TooManyAttempts => ("code_too_many", "code_too_many"),
                    CodeFailure::TooSoon => ("code_too_soon", "code_too_soon"),
                };
                let status = if *failure == CodeFailure::TooSoon {
                    StatusCode::TOO_MANY_REQUESTS
                } else {
                    StatusCode::BAD_REQUEST
                };
                (status, code, t(key))
            }
            ActionFailure::Core(err) => {
                let code = err.code();
                let status = crate::error::status_for(code);
                let message = match code {
                    ErrorCode::RateLimited => t("rate_limited"),
                    ErrorCode::Internal | ErrorCode::Unavailable => {
                        tracing::error!(error = ?err, "page action failed");
                        t("error_generic")
                    }
                    // Conflicts and refusals name the state in the domain's words.
                    _ => err.to_string(),
                };
                (status, code.as_str(), message)
            }
        };
        (status, Json(serde_json::json!({"code": code, "message": message}))).into_response()
    }
}
