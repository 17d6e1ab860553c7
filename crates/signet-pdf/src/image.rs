//! Seal images: PNG (alpha kept as an `/SMask`, so text under the seal shows through like
//! ink) and JPEG (passed through as `/DCTDecode`).

use crate::error::{PdfError, Result};
use crate::obj::{Dict, Obj};
use flate2::Compression;
use flate2::write::ZlibEncoder;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A stream to write: dictionary and (already encoded) data.
pub(crate) type StreamParts = (Dict, Vec<u8>);

/// A decoded seal image, ready to become an image XObject.
#[derive(Debug, Clone)]
pub(crate) struct SealImage {
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Physical width in points when the file declares a resolution (PNG pHYs in metres).
    pub(crate) physical_width_pt: Option<f64>,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Raw { colour: Vec<u8>, channels: u8, alpha: Option<Vec<u8>> },
    Jpeg { data: Vec<u8>, components: u8 },
}

/// Seals already encoded, by SHA-256 of their file: a service signs with the same few seal
/// images over and over, and deflating the pixels dominated the cost of a visible signature.
static ENCODED: Mutex<Vec<([u8; 32], Arc<Encoded>)>> = Mutex::new(Vec::new());
const CACHE_SEALS: usize = 16;

/// A seal image encoded as XObject streams (and its size), shared between signatures.
#[derive(Debug)]
pub(crate) struct Encoded {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) physical_width_pt: Option<f64>,
    pub(crate) image: StreamParts,
    pub(crate) mask: Option<StreamParts>,
}

/// Decodes and encodes a seal image, or returns the cached encoding of the same bytes.
pub(crate) fn encoded_seal(bytes: &[u8]) -> Result<Arc<Encoded>> {
    let key: [u8; 32] = Sha256::digest(bytes).into();
    if let Ok(cache) = ENCODED.lock()
        && let Some((_, e)) = cache.iter().find(|(k, _)| *k == key)
    {
        return Ok(e.clone());
    }
    let img = SealImage::decode(bytes)?;
    let (image, mask) = img.xobjects();
    let e = Arc::new(Encoded {
        width: img.width,
        height: img.height,
        physical_width_pt: img.physical_width_pt,
        image,
        mask,
    });
    if let Ok(mut cache) = ENCODED.lock() {
        if cache.len() >= CACHE_SEALS {
            cache.remove(0);
        }
        cache.push((key, e.clone()));
    }
    Ok(e)
}

impl SealImage {
    /// Decodes PNG or JPEG bytes; anything else is refused.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            decode_png(bytes)
        } else if bytes.starts_with(&[0xff, 0xd8]) {
            decode_jpeg(bytes)
        } else {
            Err(PdfError::BadImage("the seal image is neither PNG nor JPEG".into()))
        }
    }

    /// The image (and its soft mask) as XObject dictionary + data pairs: `(image, smask)`.
    pub(crate) fn xobjects(&self) -> (StreamParts, Option<StreamParts>) {
        let base = |cs: &str| {
            Dict::new()
                .with("Type", Obj::name("XObject"))
                .with("Subtype", Obj::name("Image"))
                .with("Width", Obj::Int(i64::from(self.width)))
                .with("Height", Obj::Int(i64::from(self.height)))
                .with("ColorSpace", Obj::name(cs))
                .with("BitsPerComponent", Obj::Int(8))
        };
        match &self.kind {
            Kind::Raw { colour, channels, alpha } => {
                let cs = if *channels == 1 { "DeviceGray" } else { "DeviceRGB" };
                let img = (base(cs).with("Filter", Obj::name("FlateDecode")), deflate(colour));
                let mask =
                    alpha.as_ref().map(|a| (base("DeviceGray").with("Filter", Obj::name("FlateDecode")), deflate(a)));
                (img, mask)
            }
            Kind::Jpeg { data, components } => {
                let cs = match components {
                    1 => "DeviceGray",
                    4 => "DeviceCMYK",
                    _ => "DeviceRGB",
                };
                let mut d = base(cs).with("Filter", Obj::name("DCTDecode"));
                if *components == 4 {
                    // Adobe writes inverted CMYK JPEGs; this is what viewers expect.
                    d.set("Decode", Obj::Array([1, 0, 1, 0, 1, 0, 1, 0].map(Obj::Int).to_vec()));
                }
                ((d, data.clone()), None)
            }
        }
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

fn decode_png(bytes: &[u8]) -> Result<SealImage> {
    let bad = |e: png::DecodingError| PdfError::BadImage(format!("PNG: {e}"));
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(bad)?;
    let info = reader.info();
    let (width, height) = (info.width, info.height);
    let physical_width_pt = info.pixel_dims.and_then(|d| {
        (d.unit == png::Unit::Meter && d.xppu > 0).then(|| f64::from(width) / f64::from(d.xppu) / 0.0254 * 72.0)
    });
    if u64::from(width) * u64::from(height) > 64_000_000 {
        return Err(PdfError::BadImage("the seal image is unreasonably large".into()));
    }
    let size = reader.output_buffer_size().ok_or_else(|| PdfError::BadImage("PNG: unknown output size".into()))?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(bad)?;
    let buf = &buf[..frame.buffer_size()];
    let px = (width * height) as usize;
    let (channels, has_alpha) = match frame.color_type {
        png::ColorType::Grayscale => (1u8, false),
        png::ColorType::GrayscaleAlpha => (1, true),
        png::ColorType::Rgb => (3, false),
        png::ColorType::Rgba => (3, true),
        png::ColorType::Indexed => {
            return Err(PdfError::BadImage("PNG: palette not expanded".into()));
        }
    };
    let stride = usize::from(channels) + usize::from(has_alpha);
    if buf.len() < px * stride {
        return Err(PdfError::BadImage("PNG: short image data".into()));
    }
    let (colour, alpha) = if has_alpha {
        let mut colour = Vec::with_capacity(px * usize::from(channels));
        let mut alpha = Vec::with_capacity(px);
        for p in buf.chunks_exact(stride).take(px) {
            colour.extend_from_slice(&p[..usize::from(channels)]);
            alpha.push(p[usize::from(channels)]);
        }
        (colour, Some(alpha))
    } else {
        (buf[..px * stride].to_vec(), None)
    };
    Ok(SealImage { width, height, physical_width_pt, kind: Kind::Raw { colour, channels, alpha } })
}

/// Reads the frame header of a JPEG (no pixel decoding: the data is passed through).
fn decode_jpeg(bytes: &[u8]) -> Result<SealImage> {
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xff {
            i += 1;
            continue;
        }
        let marker = bytes[i + 1];
        if marker == 0xff {
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let is_sof = matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc);
        if is_sof {
            let seg = bytes
                .get(i + 4..i + 2 + len)
                .filter(|s| s.len() >= 6)
                .ok_or_else(|| PdfError::BadImage("JPEG: truncated frame header".into()))?;
            let height = u32::from(u16::from_be_bytes([seg[1], seg[2]]));
            let width = u32::from(u16::from_be_bytes([seg[3], seg[4]]));
            let components = seg[5];
            if width == 0 || height == 0 || !matches!(components, 1 | 3 | 4) {
                return Err(PdfError::BadImage("JPEG: unsupported frame".into()));
            }
            return Ok(SealImage {
                width,
                height,
                physical_width_pt: None,
                kind: Kind::Jpeg { data: bytes.to_vec(), components },
            });
        }
        i += 2 + len;
    }
    Err(PdfError::BadImage("JPEG: no frame header".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_other_formats() {
        assert!(matches!(SealImage::decode(b"GIF89a...."), Err(PdfError::BadImage(_))));
        assert!(matches!(SealImage::decode(b"\x89PNG\r\n\x1a\nbroken"), Err(PdfError::BadImage(_))));
        assert!(matches!(SealImage::decode(&[0xff, 0xd8, 0xff]), Err(PdfError::BadImage(_))));
    }
}
