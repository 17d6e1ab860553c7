//! Identity materials and stamp images (`pic`, `otherpic`, `stampbase`): an image must be what it
//! claims to be (the vendor's -61, "传入的信息存在危险性，例如：图片含有木马").
//!
//! A material passes when it is a PNG or JPEG that decodes completely, ends where its format ends
//! (nothing appended after PNG's `IEND` or JPEG's end-of-image marker, the usual way to smuggle a
//! script into an "image"), carries no script markers, and matches the type a `data:` prefix
//! declares.

use signet_seal::{ImageKind, decode_image, sniff};

/// Script openings that have no business in an image.
const SCRIPT_MARKERS: [&[u8]; 4] = [b"<?php", b"<script", b"<%@", b"eval("];

/// One image as the caller sent it, with the MIME type a `data:` URL declared, if any.
#[derive(Debug, Clone)]
pub struct Material {
    pub bytes: Vec<u8>,
    pub declared_type: Option<String>,
}

/// Why a material was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaterialError {
    #[error("is not a PNG or JPEG image: {0}")]
    NotAnImage(String),
    #[error("is declared as {declared} but is a {actual}")]
    Mislabelled { declared: String, actual: &'static str },
    #[error("has data after the end of the image")]
    TrailingData,
    #[error("contains script code")]
    Script,
}

/// Checks one material (CPU-bound: call off the async workers for large images).
pub fn check_material(material: &Material) -> Result<ImageKind, MaterialError> {
    let bytes = &material.bytes;
    let kind = sniff(bytes).map_err(|e| MaterialError::NotAnImage(e.to_string()))?;
    let actual = match kind {
        ImageKind::Png => "image/png",
        ImageKind::Jpeg => "image/jpeg",
    };
    if let Some(declared) = &material.declared_type {
        let declared_norm = declared.trim().to_ascii_lowercase().replace("image/jpg", "image/jpeg");
        if declared_norm != actual {
            return Err(MaterialError::Mislabelled { declared: declared.clone(), actual });
        }
    }
    if SCRIPT_MARKERS.iter().any(|m| contains_ignore_case(bytes, m)) {
        return Err(MaterialError::Script);
    }
    let ends_properly = match kind {
        ImageKind::Png => bytes.ends_with(b"IEND\xAE\x42\x60\x82"),
        ImageKind::Jpeg => {
            // Some encoders pad with zero bytes after the marker; nothing else may follow it.
            let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
            bytes[..end].ends_with(&[0xFF, 0xD9])
        }
    };
    if !ends_properly {
        return Err(MaterialError::TrailingData);
    }
    decode_image(bytes).map_err(|e| MaterialError::NotAnImage(e.to_string()))?;
    Ok(kind)
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/../signet-pdf/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn plain(bytes: Vec<u8>) -> Material {
        Material { bytes, declared_type: None }
    }

    #[test]
    fn real_images_pass_and_disguised_ones_do_not() {
        let png = fixture("seal.png");
        let jpg = fixture("seal.jpg");
        assert_eq!(check_material(&plain(png.clone())), Ok(ImageKind::Png));
        assert_eq!(check_material(&plain(jpg.clone())), Ok(ImageKind::Jpeg));
        let declared = Material { bytes: jpg.clone(), declared_type: Some("image/png".into()) };
        assert!(matches!(check_material(&declared), Err(MaterialError::Mislabelled { .. })));
        let mut appended = png.clone();
        appended.extend_from_slice(b"<?php system($_GET['c']); ?>");
        assert_eq!(check_material(&plain(appended)), Err(MaterialError::Script));
        let mut trailing = jpg;
        trailing.extend_from_slice(b"PK\x03\x04zip");
        assert_eq!(check_material(&plain(trailing)), Err(MaterialError::TrailingData));
        assert!(matches!(check_material(&plain(b"MZ\x90\x00".to_vec())), Err(MaterialError::NotAnImage(_))));
        assert!(matches!(check_material(&plain(fixture("not-an-image.gif"))), Err(MaterialError::NotAnImage(_))));
    }
}
