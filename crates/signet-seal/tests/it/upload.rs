use signet_seal::*;

use crate::support::{decode, encode, white_with_red_ring};

fn round_opts() -> UploadOptions {
    UploadOptions { kind: UploadKind::RoundCompany, ..UploadOptions::default() }
}

#[test]
fn a_scanned_png_becomes_transparent_and_recoloured() {
    let png = encode(200, 200, &white_with_red_ring(200), png::Compression::Balanced);
    let kept = prepare_upload(&png, &round_opts()).unwrap();
    assert_eq!((kept.width, kept.height, kept.source_kind), (200, 200, ImageKind::Png));
    assert_eq!(decode(&kept.png).alpha(0, 0), 255, "without remove_white the paper stays");

    let cleaned =
        prepare_upload(&png, &UploadOptions { remove_white: true, recolor: Some(InkColor::Blue), ..round_opts() })
            .unwrap();
    let out = decode(&cleaned.png);
    assert_eq!(out.alpha(0, 0), 0);
    assert_eq!(out.alpha(100, 100), 0, "paper inside the ring is transparent too");
    assert_eq!(out.alpha(100, 10 + 5), 255, "the ring stays opaque");
    assert_eq!(out.rgb(100, 15), InkColor::Blue.rgb());

    let trimmed = prepare_upload(&png, &UploadOptions { remove_white: true, trim: true, ..round_opts() }).unwrap();
    assert!(trimmed.width < 200 && trimmed.width >= 180, "{}", trimmed.width);
    assert_eq!(decode(&trimmed.png).rgb(trimmed.width / 2, 6), [205, 25, 30], "ink colour unmixed");
}

#[test]
fn a_scanned_jpeg_is_accepted() {
    let jpeg = include_bytes!("fixtures/scanned-stamp.jpg");
    let out = prepare_upload(jpeg, &UploadOptions { remove_white: true, ..round_opts() }).unwrap();
    assert_eq!((out.width, out.height, out.source_kind), (240, 240, ImageKind::Jpeg));
    let img = decode(&out.png);
    assert_eq!(img.alpha(2, 2), 0);
    assert!(img.alpha(120, 120) > 200, "star centre is ink");
}

#[test]
fn bad_uploads_are_rejected() {
    let opts = UploadOptions::default();
    // Too big: 400×400 noise without compression is ~640 KB.
    let noise: Vec<u8> = (0..400u32 * 400 * 4).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let big = encode(400, 400, &noise, png::Compression::NoCompression);
    assert!(matches!(prepare_upload(&big, &opts).unwrap_err(), SealError::ImageTooLarge { max: 409_600, .. }));
    // Wrong types, named.
    assert_eq!(prepare_upload(b"GIF89a\x01\x00", &opts).unwrap_err(), SealError::UnsupportedImageType("GIF"));
    assert_eq!(prepare_upload(b"%PDF-1.7", &opts).unwrap_err(), SealError::UnsupportedImageType("PDF"));
    assert_eq!(prepare_upload(b"", &opts).unwrap_err(), SealError::UnsupportedImageType("empty file"));
    // Corrupt data.
    let good = encode(100, 100, &white_with_red_ring(100), png::Compression::Fast);
    assert!(matches!(prepare_upload(&good[..good.len() / 2], &opts).unwrap_err(), SealError::ImageDecode(_)));
    assert!(matches!(prepare_upload(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0], &opts).unwrap_err(), SealError::ImageDecode(_)));
    // Too small, wrong aspect for a round seal.
    let tiny = encode(20, 20, &white_with_red_ring(20), png::Compression::Fast);
    assert!(matches!(prepare_upload(&tiny, &opts).unwrap_err(), SealError::ImageDimensions { .. }));
    let wide = encode(200, 100, &vec![200u8; 200 * 100 * 4], png::Compression::Fast);
    assert!(matches!(
        prepare_upload(&wide, &round_opts()).unwrap_err(),
        SealError::ImageDimensions { width: 200, height: 100, .. }
    ));
    assert!(prepare_upload(&wide, &UploadOptions { kind: UploadKind::OvalCompany, ..opts }).is_ok());
    // A header claiming 100000×100000 is refused before any pixel is decoded.
    assert!(matches!(
        prepare_upload(&png_header_only(100_000, 100_000), &opts).unwrap_err(),
        SealError::ImageDimensions { width: 100_000, .. }
    ));
    // Blank paper has no ink once the white is removed.
    let blank = encode(100, 100, &vec![255u8; 100 * 100 * 4], png::Compression::Fast);
    assert_eq!(prepare_upload(&blank, &UploadOptions { remove_white: true, ..opts }).unwrap_err(), SealError::NoInk);
}

/// PNG signature + IHDR (with a correct CRC) and nothing else.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&width.to_be_bytes());
    chunk.extend_from_slice(&height.to_be_bytes());
    chunk.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
