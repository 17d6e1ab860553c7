use signet_seal::*;

use crate::support::{decode, encode};

fn zigzag(pressure: Option<f32>, timed: bool) -> SignatureInput {
    let points = (0..60)
        .map(|i| StrokePoint {
            x: i as f32 * 5.0,
            y: if i % 10 < 5 { (i % 5) as f32 * 12.0 } else { (5 - i % 5) as f32 * 12.0 },
            pressure,
            t_ms: timed.then_some(i as f64 * 16.0),
        })
        .collect();
    SignatureInput {
        strokes: vec![
            Stroke { points },
            Stroke { points: vec![StrokePoint { x: 310.0, y: 30.0, pressure: None, t_ms: None }] },
        ],
    }
}

#[test]
fn strokes_become_a_clean_transparent_png_of_true_size() {
    let style = SignatureStyle::default();
    let img = render_signature(&zigzag(None, true), &style).unwrap();
    let png = decode(&img.png);
    assert_eq!(png.pixels_per_metre, Some((23_622, 23_622)));
    assert!((img.height_mm() - 15.0).abs() < 0.05, "{}", img.height_mm());
    assert!(img.width_mm() > img.height_mm() * 2.0, "wide zigzag: {} mm", img.width_mm());
    for (x, y) in [(0, 0), (png.width - 1, 0), (0, png.height - 1), (png.width - 1, png.height - 1)] {
        assert_eq!(png.alpha(x, y), 0);
    }
    let ink = png.ink_pixels();
    assert!(ink > 5_000, "{ink}");
    for p in png.rgba.chunks_exact(4).filter(|p| p[3] > 0) {
        assert_eq!([p[0], p[1], p[2]], InkColor::Black.rgb());
    }
}

#[test]
fn pressure_changes_the_line_width() {
    let style = SignatureStyle::default();
    let light = decode(&render_signature(&zigzag(Some(0.1), false), &style).unwrap().png).ink_pixels();
    let heavy = decode(&render_signature(&zigzag(Some(1.0), false), &style).unwrap().png).ink_pixels();
    assert!(heavy as f64 > light as f64 * 1.5, "light {light} heavy {heavy}");
}

#[test]
fn stroke_data_round_trips_as_evidence() {
    let input = zigzag(Some(0.5), true);
    let json = serde_json::to_string(&input).unwrap();
    assert!(json.contains("\"pressure\":0.5") && json.contains("\"t_ms\":16.0"));
    let back: SignatureInput = serde_json::from_str(&json).unwrap();
    assert_eq!(back, input);
    let minimal: SignatureInput =
        serde_json::from_str(r#"{"strokes":[{"points":[{"x":1,"y":2},{"x":3,"y":4}]}]}"#).unwrap();
    assert!(render_signature(&minimal, &SignatureStyle::default()).is_ok());
}

#[test]
fn bad_strokes_are_errors() {
    let style = SignatureStyle::default();
    let bad = |input: SignatureInput| render_signature(&input, &style).unwrap_err();
    assert!(matches!(bad(SignatureInput::default()), SealError::InvalidStrokes(_)));
    let point = |x: f32, pressure: Option<f32>| SignatureInput {
        strokes: vec![Stroke { points: vec![StrokePoint { x, y: 0.0, pressure, t_ms: None }] }],
    };
    assert!(matches!(bad(point(f32::NAN, None)), SealError::InvalidStrokes(_)));
    assert!(matches!(bad(point(f32::INFINITY, None)), SealError::InvalidStrokes(_)));
    assert!(matches!(bad(point(1.0, Some(2.0))), SealError::InvalidStrokes(_)));
    assert!(render_signature(&point(1.0, Some(1.0)), &style).is_ok(), "a single dot is a signature");
    let huge = SignatureStyle { height_mm: 100.0, dpi: 2400, ..style };
    assert!(matches!(render_signature(&zigzag(None, false), &huge).unwrap_err(), SealError::OutOfRange { .. }));
    let tiny = SignatureStyle { height_mm: 0.5, ..style };
    assert!(matches!(render_signature(&zigzag(None, false), &tiny).unwrap_err(), SealError::OutOfRange { .. }));
}

#[test]
fn a_canvas_png_is_cleaned_and_cropped() {
    let (w, h) = (300u32, 150u32);
    let mut rgba = vec![255u8; (w * h * 4) as usize];
    for x in 60..240 {
        let y = 75 + ((x as f32 / 12.0).sin() * 20.0) as u32;
        for dy in 0..4 {
            let i = (((y + dy) * w + x) * 4) as usize;
            rgba[i..i + 3].copy_from_slice(&[10, 10, 10]);
        }
    }
    let canvas = encode(w, h, &rgba, png::Compression::Fast);
    let style = SignatureStyle { color: InkColor::Blue, recolor: true, ..SignatureStyle::default() };
    let img = clean_canvas_png(&canvas, &style).unwrap();
    assert!(img.width < 200 && img.height < 60, "{}x{}", img.width, img.height);
    let png = decode(&img.png);
    assert_eq!(png.alpha(0, 0), 0);
    assert!((img.height_mm() - 15.0).abs() < 0.3);
    let inked: Vec<&[u8]> = png.rgba.chunks_exact(4).filter(|p| p[3] == 255).collect();
    assert!(!inked.is_empty());
    assert!(inked.iter().all(|p| p[..3] == InkColor::Blue.rgb()));

    let blank = encode(w, h, &vec![255u8; (w * h * 4) as usize], png::Compression::Fast);
    assert_eq!(clean_canvas_png(&blank, &style).unwrap_err(), SealError::NoInk);
}
