//! PNG encoding with physical size, and PNG/JPEG decoding of uploads (bounded, no panics).

use std::io::Cursor;

use crate::SealError;

/// Largest width or height accepted from an uploaded image (before any decoding work).
pub const MAX_IMAGE_SIDE: u32 = 4096;

/// Encodes straight RGBA as PNG; `dpi` adds a pHYs chunk so consumers know the true size.
pub(crate) fn encode_rgba_png(width: u32, height: u32, rgba: &[u8], dpi: Option<u32>) -> Result<Vec<u8>, SealError> {
    let mut out = Vec::with_capacity(rgba.len() / 8 + 1024);
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        // One cheap filter instead of per-row adaptive choice: seal rasters are mostly
        // constant rows, "Up" compresses them as well at a fraction of the time.
        enc.set_filter(png::Filter::Up);
        if let Some(dpi) = dpi {
            let per_metre = (f64::from(dpi) / 0.0254).round() as u32;
            enc.set_pixel_dims(Some(png::PixelDimensions { xppu: per_metre, yppu: per_metre, unit: png::Unit::Meter }));
        }
        let mut writer = enc.write_header().map_err(|e| SealError::Encode(e.to_string()))?;
        writer.write_image_data(rgba).map_err(|e| SealError::Encode(e.to_string()))?;
        writer.finish().map_err(|e| SealError::Encode(e.to_string()))?;
    }
    Ok(out)
}

/// The kind of an image file, told from its first bytes (never from a name or MIME type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
}

/// Identifies PNG/JPEG by magic bytes; names other common types in the error.
pub fn sniff(bytes: &[u8]) -> Result<ImageKind, SealError> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(PNG) {
        return Ok(ImageKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(ImageKind::Jpeg);
    }
    let named = if bytes.starts_with(b"GIF8") {
        "GIF"
    } else if bytes.starts_with(b"BM") {
        "BMP"
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "WebP"
    } else if bytes.starts_with(b"%PDF") {
        "PDF"
    } else if bytes.starts_with(b"<svg") || bytes.starts_with(b"<?xml") {
        "SVG/XML"
    } else if bytes.is_empty() {
        "empty file"
    } else {
        "unknown"
    };
    Err(SealError::UnsupportedImageType(named))
}

/// A decoded image: straight RGBA, 8 bits per channel.
#[derive(Clone, Debug)]
pub struct DecodedImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Row-major RGBA.
    pub rgba: Vec<u8>,
    /// File type it came from.
    pub kind: ImageKind,
}

fn check_side(width: u32, height: u32) -> Result<(), SealError> {
    if width == 0 || height == 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(SealError::ImageDimensions {
            width,
            height,
            rule: format!("each side must be 1 to {MAX_IMAGE_SIDE} px"),
        });
    }
    Ok(())
}

/// Decodes a PNG or JPEG after checking its header dimensions.
pub fn decode_image(bytes: &[u8]) -> Result<DecodedImage, SealError> {
    match sniff(bytes)? {
        ImageKind::Png => decode_png(bytes),
        ImageKind::Jpeg => decode_jpeg(bytes),
    }
}

fn decode_png(bytes: &[u8]) -> Result<DecodedImage, SealError> {
    let err = |e: png::DecodingError| SealError::ImageDecode(e.to_string());
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: 128 << 20 });
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let header = decoder.read_header_info().map_err(err)?;
    check_side(header.width, header.height)?;
    let mut reader = decoder.read_info().map_err(err)?;
    let size = reader.output_buffer_size().ok_or_else(|| SealError::ImageDecode("image too large to decode".into()))?;
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf).map_err(err)?;
    buf.truncate(info.buffer_size());
    let pixels = (info.width as usize) * (info.height as usize);
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        png::ColorType::GrayscaleAlpha => buf.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        png::ColorType::Indexed => {
            return Err(SealError::ImageDecode("palette PNG was not expanded".into()));
        }
    };
    if rgba.len() != pixels * 4 {
        return Err(SealError::ImageDecode("truncated PNG data".into()));
    }
    Ok(DecodedImage { width: info.width, height: info.height, rgba, kind: ImageKind::Png })
}

fn decode_jpeg(bytes: &[u8]) -> Result<DecodedImage, SealError> {
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .set_max_width(MAX_IMAGE_SIDE as usize)
        .set_max_height(MAX_IMAGE_SIDE as usize)
        .jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(Cursor::new(bytes), options);
    let err = |e: zune_jpeg::errors::DecodeErrors| SealError::ImageDecode(e.to_string());
    decoder.decode_headers().map_err(err)?;
    let info = decoder.info().ok_or_else(|| SealError::ImageDecode("JPEG without dimensions".into()))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_side(width, height)?;
    let size = decoder.output_buffer_size().ok_or_else(|| SealError::ImageDecode("JPEG output size unknown".into()))?;
    let mut rgb = vec![0u8; size];
    decoder.decode_into(&mut rgb).map_err(err)?;
    let pixels = (width as usize) * (height as usize);
    if rgb.len() != pixels * 3 {
        return Err(SealError::ImageDecode("unexpected JPEG colour layout".into()));
    }
    let rgba = rgb.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
    Ok(DecodedImage { width, height, rgba, kind: ImageKind::Jpeg })
}
