//! What every page response carries: a strict Content-Security-Policy (no inline script or
//! style, nothing from other origins), no referrer (page URLs hold tokens), no framing, no
//! caching of HTML; and the CSRF check every page POST passes.
//!
//! CSRF is a double submit bound to the link: the browser holds a random `signet_csrf` cookie
//! (HttpOnly, SameSite=Strict), the page embeds `MAC(link id, cookie)` in
//! `<meta name="csrf-token">`, and posts send it back in the `x-csrf-token` header (or a `csrf`
//! form field). Another site can neither read the cookie nor compute the MAC.

use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, COOKIE, REFERRER_POLICY, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use signet_core::links::{PageLinkRecord, csrf_nonce};

use crate::AppState;

/// The cookie holding the browser's CSRF nonce.
pub const CSRF_COOKIE: &str = "signet_csrf";
/// The header page scripts send the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every page and asset response (middleware).
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(HeaderName::from_static("x-content-type-options"), HeaderValue::from_static("nosniff"));
    headers.insert(HeaderName::from_static("x-frame-options"), HeaderValue::from_static("DENY"));
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: HttpOnly unless scripts must read it, SameSite, Secure on https.
pub fn set_cookie(state: &AppState, name: &str, value: &str, same_site: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.public_url.starts_with("https://") { "; Secure" } else { "" };
    let raw = format!("{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite={same_site}{secure}");
    HeaderValue::from_str(&raw).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// The browser's CSRF nonce, or a new one with the `Set-Cookie` header to store it.
pub fn csrf_nonce_for(state: &AppState, headers: &HeaderMap) -> (String, Option<(HeaderName, HeaderValue)>) {
    match cookie(headers, CSRF_COOKIE).filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_alphanumeric())) {
        Some(nonce) => (nonce, None),
        None => {
            let nonce = csrf_nonce();
            let header = set_cookie(state, CSRF_COOKIE, &nonce, "Strict", 60 * 60 * 24 * 31);
            (nonce, Some((SET_COOKIE, header)))
        }
    }
}

/// The token a page embeds for `link`.
pub fn csrf_token(state: &AppState, link: &PageLinkRecord, nonce: &str) -> String {
    state.signet.link_csrf_token(&link.id, nonce)
}

/// Whether a POST carries the right CSRF token for `link` (header, else `form_field`).
pub fn csrf_ok(state: &AppState, link: &PageLinkRecord, headers: &HeaderMap, form_field: Option<&str>) -> bool {
    let Some(nonce) = cookie(headers, CSRF_COOKIE) else { return false };
    let presented = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).or(form_field);
    presented.is_some_and(|token| state.signet.link_csrf_matches(&link.id, &nonce, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, "signet_csrf_x=1; signet_csrf=abc; other=2".parse().unwrap());
        assert_eq!(cookie(&headers, CSRF_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
    }
}
