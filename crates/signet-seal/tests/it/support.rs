//! Decoding and pixel helpers shared by the tests.

use signet_seal::Seal;

pub struct Png {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
    pub pixels_per_metre: Option<(u32, u32)>,
}

impl Png {
    pub fn alpha(&self, x: u32, y: u32) -> u8 {
        self.rgba[((y * self.width + x) * 4 + 3) as usize]
    }
    pub fn rgb(&self, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * self.width + x) * 4) as usize;
        [self.rgba[i], self.rgba[i + 1], self.rgba[i + 2]]
    }
    pub fn ink_pixels(&self) -> usize {
        self.rgba.chunks_exact(4).filter(|p| p[3] > 0).count()
    }
}

/// Decodes an RGBA PNG and its pHYs chunk.
pub fn decode(bytes: &[u8]) -> Png {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("valid PNG");
    let dims = reader.info().pixel_dims.and_then(|d| match d.unit {
        png::Unit::Meter => Some((d.xppu, d.yppu)),
        png::Unit::Unspecified => None,
    });
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("frame");
    assert_eq!(info.color_type, png::ColorType::Rgba, "seal PNGs are RGBA");
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    Png { width: info.width, height: info.height, rgba: buf, pixels_per_metre: dims }
}

pub fn png_of(seal: &Seal, dpi: u32) -> Png {
    decode(&seal.to_png(dpi).expect("png"))
}

/// Share of pixels whose alpha differs by more than 64 between two equal-size masks.
pub fn differing_share(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let n = a.iter().zip(b).filter(|(x, y)| x.abs_diff(**y) > 64).count();
    n as f64 / a.len() as f64
}

/// Encodes RGBA as PNG for upload tests.
pub fn encode(width: u32, height: u32, rgba: &[u8], compression: png::Compression) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(compression);
    let mut w = enc.write_header().expect("header");
    w.write_image_data(rgba).expect("data");
    w.finish().expect("finish");
    out
}

/// A white image with a red ring, like a scanned stamp.
pub fn white_with_red_ring(size: u32) -> Vec<u8> {
    let c = size as f32 / 2.0;
    let mut rgba = Vec::with_capacity((size * size * 4) as usize);
    for y in 0..size {
        for x in 0..size {
            let d = ((x as f32 + 0.5 - c).powi(2) + (y as f32 + 0.5 - c).powi(2)).sqrt();
            if d < c * 0.9 && d > c * 0.75 {
                rgba.extend_from_slice(&[205, 25, 30, 255]);
            } else {
                rgba.extend_from_slice(&[252, 252, 250, 255]);
            }
        }
    }
    rgba
}
