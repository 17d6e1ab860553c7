//! Uploaded seal images (云合同 `/moulage/upload`, e签宝 image seals): validation, white
//! background removal and recolouring of scanned stamps.

use serde::{Deserialize, Serialize};

use crate::png_io::{DecodedImage, ImageKind, decode_image, encode_rgba_png};
use crate::{InkColor, SealError};

/// 云合同's limit for uploaded seal images.
pub const MAX_UPLOAD_BYTES: usize = 400 * 1024;

/// What the image is meant to be; decides the accepted shape.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UploadKind {
    /// Personal seal or signature (云合同 suggests 110×200 px): any aspect up to 1:6.
    #[default]
    Personal,
    /// Round company seal (200×200 px): square within 10 %.
    RoundCompany,
    /// Oval company seal (160×300 px): wider or taller than square, up to 1:3.
    OvalCompany,
}

impl UploadKind {
    fn check_aspect(self, width: u32, height: u32) -> Result<(), SealError> {
        let (long, short) = (width.max(height) as f32, width.min(height) as f32);
        let ratio = long / short;
        let (ok, rule) = match self {
            UploadKind::Personal => (ratio <= 6.0, "a personal seal may be at most 6 times longer than wide"),
            UploadKind::RoundCompany => (ratio <= 1.1, "a round seal image must be square (within 10 %)"),
            UploadKind::OvalCompany => {
                ((1.1..=3.0).contains(&ratio), "an oval seal image must be 1.1 to 3 times longer than wide")
            }
        };
        if ok { Ok(()) } else { Err(SealError::ImageDimensions { width, height, rule: rule.to_string() }) }
    }
}

/// Options for [`prepare_upload`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct UploadOptions {
    /// Intended use, for the aspect check.
    pub kind: UploadKind,
    /// Byte limit (default [`MAX_UPLOAD_BYTES`]).
    pub max_bytes: usize,
    /// Smallest accepted side in pixels (default 64: smaller is unreadable at seal size).
    pub min_side: u32,
    /// Largest accepted side in pixels (default 2000).
    pub max_side: u32,
    /// Make a white/near-white background transparent (scanned stamps).
    pub remove_white: bool,
    /// Repaint every visible pixel in this ink, keeping its opacity.
    pub recolor: Option<InkColor>,
    /// Crop to the visible ink (plus a 2 % margin).
    pub trim: bool,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            kind: UploadKind::Personal,
            max_bytes: MAX_UPLOAD_BYTES,
            min_side: 64,
            max_side: 2000,
            remove_white: false,
            recolor: None,
            trim: false,
        }
    }
}

/// A validated, normalised image: RGBA PNG bytes and its size.
#[derive(Clone, Debug)]
pub struct PreparedImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The type of the file that was uploaded.
    pub source_kind: ImageKind,
    /// Normalised RGBA PNG.
    pub png: Vec<u8>,
}

/// Validates an uploaded seal image and normalises it to an RGBA PNG.
pub fn prepare_upload(bytes: &[u8], options: &UploadOptions) -> Result<PreparedImage, SealError> {
    if bytes.len() > options.max_bytes {
        return Err(SealError::ImageTooLarge { size: bytes.len(), max: options.max_bytes });
    }
    let mut image = decode_image(bytes)?;
    let (w, h) = (image.width, image.height);
    if w.min(h) < options.min_side || w.max(h) > options.max_side {
        return Err(SealError::ImageDimensions {
            width: w,
            height: h,
            rule: format!("each side must be {} to {} px", options.min_side, options.max_side),
        });
    }
    options.kind.check_aspect(w, h)?;
    if options.remove_white {
        remove_white(&mut image.rgba);
    }
    if let Some(ink) = options.recolor {
        recolor(&mut image.rgba, ink);
    }
    if !image.rgba.chunks_exact(4).any(|p| p[3] > 16) {
        return Err(SealError::NoInk);
    }
    if options.trim {
        image = trim(image, 0.02)?;
    }
    let png = encode_rgba_png(image.width, image.height, &image.rgba, None)?;
    Ok(PreparedImage { width: image.width, height: image.height, source_kind: image.kind, png })
}

/// Paper below this lightness stays fully opaque ink; above `PAPER` it is fully transparent.
const INK: f32 = 0.55;
const PAPER: f32 = 0.92;

/// Un-mixes each pixel from a white background: opacity from how far its lightest channel
/// is from white, colour recovered as (pixel − (1 − α)·white) / α so anti-aliased edges keep
/// the ink's hue instead of a pale fringe.
pub(crate) fn remove_white(rgba: &mut [u8]) {
    for p in rgba.chunks_exact_mut(4) {
        let min = f32::from(p[0].min(p[1]).min(p[2])) / 255.0;
        let coverage = ((PAPER - min) / (PAPER - INK)).clamp(0.0, 1.0);
        let alpha = coverage * f32::from(p[3]) / 255.0;
        if alpha <= 0.0 {
            p.copy_from_slice(&[255, 255, 255, 0]);
            continue;
        }
        for c in &mut p[..3] {
            let v = f32::from(*c) / 255.0;
            let unmixed = ((v - (1.0 - coverage)) / coverage.max(1e-3)).clamp(0.0, 1.0);
            *c = (unmixed * 255.0).round() as u8;
        }
        p[3] = (alpha * 255.0).round() as u8;
    }
}

pub(crate) fn recolor(rgba: &mut [u8], ink: InkColor) {
    let [r, g, b] = ink.rgb();
    for p in rgba.chunks_exact_mut(4) {
        p[0] = r;
        p[1] = g;
        p[2] = b;
    }
}

/// Crops to the pixels with visible ink plus `margin` (share of the larger side).
pub(crate) fn trim(image: DecodedImage, margin: f32) -> Result<DecodedImage, SealError> {
    let (w, h) = (image.width as usize, image.height as usize);
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0usize, 0usize);
    for y in 0..h {
        for x in 0..w {
            if image.rgba[(y * w + x) * 4 + 3] > 16 {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
        }
    }
    if x0 == usize::MAX {
        return Err(SealError::NoInk);
    }
    let pad = ((w.max(h) as f32) * margin).ceil() as usize;
    let (x0, y0) = (x0.saturating_sub(pad), y0.saturating_sub(pad));
    let (x1, y1) = ((x1 + pad).min(w - 1), (y1 + pad).min(h - 1));
    let (nw, nh) = (x1 - x0 + 1, y1 - y0 + 1);
    let mut rgba = Vec::with_capacity(nw * nh * 4);
    for y in y0..=y1 {
        rgba.extend_from_slice(&image.rgba[(y * w + x0) * 4..(y * w + x1 + 1) * 4]);
    }
    Ok(DecodedImage { width: nw as u32, height: nh as u32, rgba, kind: image.kind })
}
