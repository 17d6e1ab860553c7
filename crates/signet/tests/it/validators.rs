//! The independent referees: pyHanko, poppler's pdfsig, qpdf, and pdftoppm for placement.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Api;

/// What pyHanko said about each signature: (field, summary line).
pub fn pyhanko(pdf: &Path, ca_pem: &Path) -> String {
    let output = Command::new("pyhanko")
        .args(["sign", "validate", "--pretty-print", "--no-revocation-check", "--trust-replace", "--trust"])
        .arg(ca_pem)
        .arg(pdf)
        .output()
        .expect("pyhanko must be on PATH (scripts/test.sh installs pyhanko-cli into .venv)");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "pyHanko judged {} invalid:\n{text}", pdf.display());
    text
}

/// Writes `signed`, a PDF the server produced, into `dir` and asserts that pyHanko and pdfsig,
/// both trusting the server's CA, find `count` valid signatures and that qpdf finds the file
/// clean. Returns the file's path, for renders.
pub fn assert_served_pdf_valid(api: &Api, dir: &Path, signed: &[u8], count: usize) -> PathBuf {
    let pdf = dir.join("signed.pdf");
    std::fs::write(&pdf, signed).unwrap();
    let ca = api.ca_file(dir);
    assert_pyhanko_valid(&pdf, &ca, count);
    assert_pdfsig_valid(&pdf, &ca, count);
    assert_qpdf_clean(&pdf);
    pdf
}

/// Asserts that pyHanko finds `count` signatures, each intact, trusted and covering its revision.
pub fn assert_pyhanko_valid(pdf: &Path, ca_pem: &Path, count: usize) {
    let report = pyhanko(pdf, ca_pem);
    let valid = report.matches("judged VALID").count();
    assert_eq!(valid, count, "pyHanko report:\n{report}");
    assert!(!report.contains("INVALID"), "pyHanko report:\n{report}");
}

/// Asserts that pdfsig (with an NSS database trusting `ca_pem`) finds `count` valid, trusted signatures.
pub fn assert_pdfsig_valid(pdf: &Path, ca_pem: &Path, count: usize) {
    let dir = tempfile::tempdir().unwrap();
    let nss = format!("sql:{}", dir.path().display());
    let run = |program: &str, args: &[&str]| {
        let status =
            Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program} must be installed: {e}"));
        assert!(status.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&status.stderr));
    };
    run("certutil", &["-N", "-d", &nss, "--empty-password"]);
    run("certutil", &["-A", "-n", "signet", "-t", "CT,C,C", "-i", ca_pem.to_str().unwrap(), "-d", &nss]);
    let output = Command::new("pdfsig").args(["-nssdir", &nss]).arg(pdf).output().expect("pdfsig must be installed");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    // pdfsig exits 0 even for invalid signatures: read what it says. It lists a signature once per
    // widget (a cross-page seal has one per page); repeated entries of one field re-run NSS's
    // certificate check against its OCSP cache and may print "Unknown issue", so the certificate
    // verdict is read from each field's first entry, the signature verdict from every entry.
    // Document timestamps (PAdES B-LTA) are listed too, as "Signature Type: unknown" that
    // poppler cannot check; they are pyHanko's to judge (see `assert_lta_valid`).
    let blocks: Vec<&str> =
        text.split("Signature #").skip(1).filter(|b| !b.contains("- Signature Type: unknown")).collect();
    let mut seen: Vec<&str> = Vec::new();
    for block in &blocks {
        assert!(block.contains("Signature is Valid."), "pdfsig:\n{text}");
        let field = block.lines().find_map(|l| l.trim().strip_prefix("- Signature Field Name: ")).unwrap_or_default();
        if !seen.contains(&field) {
            seen.push(field);
            assert!(block.contains("Certificate is Trusted."), "pdfsig, field {field}:\n{text}");
        }
    }
    assert_eq!(seen.len(), count, "pdfsig:\n{text}");
}

/// Asserts `qpdf --check` finds no error.
pub fn assert_qpdf_clean(pdf: &Path) {
    let output = Command::new("qpdf").arg("--check").arg(pdf).output().expect("qpdf must be installed");
    // 0 = clean, 3 = warnings only; 2 = errors.
    assert!(matches!(output.status.code(), Some(0 | 3)), "qpdf --check: {}", String::from_utf8_lossy(&output.stdout));
}

/// Renders page `page` at 72 dpi with pdftoppm and returns (width, height, RGB pixels).
pub fn render_page(pdf: &Path, page: usize) -> (usize, usize, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("page");
    let status = Command::new("pdftoppm")
        .args(["-r", "72", "-f", &page.to_string(), "-l", &page.to_string(), "-singlefile"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm must be installed");
    assert!(status.success());
    let ppm = std::fs::read(dir.path().join("page.ppm")).unwrap();
    parse_ppm(&ppm)
}

/// Counts reddish pixels (seal ink) inside a box given in PDF points, origin bottom-left.
pub fn red_pixels(image: &(usize, usize, Vec<u8>), x0: f64, y0: f64, x1: f64, y1: f64) -> usize {
    let (width, height, pixels) = image;
    let mut count = 0;
    for y in (height.saturating_sub(y1.max(0.0) as usize))..(height.saturating_sub(y0.max(0.0) as usize)).min(*height) {
        for x in (x0.max(0.0) as usize)..(x1 as usize).min(*width) {
            let i = (y * width + x) * 3;
            let (r, g, b) = (pixels[i], pixels[i + 1], pixels[i + 2]);
            if r > 150 && g < 110 && b < 110 {
                count += 1;
            }
        }
    }
    count
}

fn parse_ppm(data: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P6");
    let (width, height): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (width, height, data[i + 1..].to_vec())
}

/// Asserts pyHanko's AdES LTA validation (`ades_lta_validation`, embedded data only, revocation
/// data required for every certificate) passes every signature, trusting only `trust_pem`.
pub fn assert_lta_valid(pdf: &Path, trust_pem: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/lta_validate.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(pdf)
        .arg(trust_pem)
        .output()
        .expect("python3 with pyHanko must be on PATH (scripts/test.sh installs it into .venv)");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && text.contains("LTA: PASSED"), "pyHanko AdES LTA on {}: {text}", pdf.display());
}
