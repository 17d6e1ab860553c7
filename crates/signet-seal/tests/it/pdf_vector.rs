//! The PDF vector form, rendered by poppler's pdftoppm, matches the engine's own raster.

use std::process::Command;

use signet_seal::*;

/// A one-page PDF whose page is exactly the seal, drawn by its content operators.
fn one_page_pdf(seal: &Seal) -> Vec<u8> {
    let content = seal.to_pdf_content();
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {:.3} {:.3}] /Contents 4 0 R /Resources << >> >>",
            seal.width_pt(),
            seal.height_pt()
        ),
    ];
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    offsets.push(pdf.len());
    pdf.extend_from_slice(format!("4 0 obj\n<< /Length {} >>\nstream\n", content.len()).as_bytes());
    pdf.extend_from_slice(&content);
    pdf.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = pdf.len();
    pdf.extend_from_slice(b"xref\n0 5\n0000000000 65535 f \n");
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    pdf
}

#[test]
fn pdftoppm_renders_the_vector_form_like_the_raster() {
    let dir = tempfile::tempdir().unwrap();
    let seals = [
        render_company(&CompanySealSpec {
            horizontal_text: Some("合同专用章".into()),
            code: Some("3301060012345".into()),
            ..CompanySealSpec::new("杭州天谷信息科技有限公司")
        })
        .unwrap(),
        render_company(&CompanySealSpec {
            shape: CompanyShape::Oval,
            star: false,
            bottom_text: Some("仅限合同使用".into()),
            ..CompanySealSpec::new("深圳市某某科技有限公司")
        })
        .unwrap(),
        render_personal(&PersonalSealSpec::new("欧阳娜娜")).unwrap(),
    ];
    for (i, seal) in seals.iter().enumerate() {
        let pdf = dir.path().join(format!("seal{i}.pdf"));
        std::fs::write(&pdf, one_page_pdf(seal)).unwrap();
        let prefix = dir.path().join(format!("page{i}"));
        let out = Command::new("pdftoppm")
            .args(["-r", "254", "-gray", "-singlefile"])
            .arg(&pdf)
            .arg(&prefix)
            .output()
            .expect("pdftoppm (poppler-utils) must be installed: apt-get install poppler-utils");
        assert!(out.status.success(), "pdftoppm failed: {}", String::from_utf8_lossy(&out.stderr));
        let pgm = std::fs::read(prefix.with_extension("pgm")).unwrap();
        let (w, h, gray) = parse_pgm(&pgm);
        // 254 dpi = 10 px/mm: both renderers land on the same pixel grid.
        let raster = seal.rasterize(254).unwrap();
        // pdftoppm rounds the page size up, the engine to the nearest pixel: compare the overlap.
        assert!(w.abs_diff(raster.width) <= 1 && h.abs_diff(raster.height) <= 1, "{w}x{h} vs raster");
        let (cw, ch) = (w.min(raster.width) as usize, h.min(raster.height) as usize);
        let mut differing = 0;
        for y in 0..ch {
            for x in 0..cw {
                let g = gray[y * w as usize + x];
                let a = raster.alpha[y * raster.width as usize + x];
                // Only clear disagreements count (ink in one, paper in the other), not edge shading.
                if (g < 64 && a < 32) || (g > 192 && a > 224) {
                    differing += 1;
                }
            }
        }
        let share = differing as f64 / (cw * ch) as f64;
        assert!(share < 0.002, "seal {i}: vector and raster differ on {share:.4} of the pixels");
        assert!(raster.alpha.iter().filter(|&&a| a > 96).count() > 5_000);
    }
}

fn parse_pgm(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    // "P5\n<w> <h>\n255\n" then raw bytes.
    let mut fields = Vec::new();
    let mut pos = 0;
    while fields.len() < 4 {
        while bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let start = pos;
        while !bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..pos]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (u32, u32) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let data = bytes[pos + 1..].to_vec();
    assert_eq!(data.len(), (w * h) as usize);
    (w, h, data)
}
