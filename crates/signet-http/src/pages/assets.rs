//! Static assets embedded in the binary, served under content-hashed names
//! (`/assets/sign.3f2a9c1d7e0b.js`) with a year-long immutable cache: a new build changes the
//! name, so browsers never run a stale script against a new page.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Every asset: logical name and bytes.
const FILES: &[(&str, &[u8])] = &[
    ("pages.css", include_bytes!("assets/pages.css")),
    ("common.js", include_bytes!("assets/common.js")),
    ("sign.js", include_bytes!("assets/sign.js")),
    ("position.js", include_bytes!("assets/position.js")),
    ("authorize.css", include_bytes!("assets/authorize.css")),
    ("authorize.js", include_bytes!("assets/authorize.js")),
];

/// The URL prefix assets are served under.
pub const PREFIX: &str = "/assets";

struct Asset {
    name: &'static str,
    hashed: String,
    bytes: &'static [u8],
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, bytes)| {
            let digest = hex::encode(&Sha256::digest(bytes)[..6]);
            let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
            Asset { name, hashed: format!("{stem}.{digest}.{ext}"), bytes }
        })
        .collect()
});

/// The public URL path of an asset by its logical name (`sign.js` → `/assets/sign.<hash>.js`).
pub fn url(name: &str) -> String {
    ASSETS
        .iter()
        .find(|a| a.name == name)
        .map(|a| format!("{PREFIX}/{}", a.hashed))
        .unwrap_or_else(|| format!("{PREFIX}/missing-{name}"))
}

/// Every asset's URL by logical name, for templates (`assets["sign.js"]`).
pub fn urls() -> std::collections::BTreeMap<&'static str, String> {
    ASSETS.iter().map(|a| (a.name, format!("{PREFIX}/{}", a.hashed))).collect()
}

/// `GET /assets/{hashed name}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.hashed == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = match asset.name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        _ => "application/octet-stream",
    };
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        asset.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_content_hash() {
        let url = url("common.js");
        assert!(url.starts_with("/assets/common.") && url.ends_with(".js"));
        assert_eq!(url.len(), "/assets/common..js".len() + 12);
        assert_ne!(url, super::url("pages.css"));
    }
}
