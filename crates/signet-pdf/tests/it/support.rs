//! Test PKI (openssl), a signer that shells out to `openssl cms`, and validator wrappers.

use signet_pdf::{ContainerSigner, SubFilter};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Runs a tool; a missing tool fails the test with a clear message.
pub fn tool(program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("required tool `{program}` could not be run ({e}); install it (see the test script)")
    })
}

fn must(program: &str, args: &[&str]) -> std::process::Output {
    let out = tool(program, args);
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The test CA, a signer certificate and an NSS database trusting the CA (and the fixture CA).
pub struct Pki {
    pub dir: tempfile::TempDir,
}

impl Pki {
    pub fn path(&self, f: &str) -> String {
        self.dir.path().join(f).to_string_lossy().into_owned()
    }
    pub fn nss(&self) -> String {
        format!("sql:{}", self.path("nss"))
    }
}

pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = |f: &str| dir.path().join(f).to_string_lossy().into_owned();
        std::fs::write(
            p("ext.cnf"),
            "[v3_ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n\
             [leaf]\nbasicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        )
        .expect("write ext.cnf");
        must("openssl", &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", &p("ca.key"), "-out", &p("ca.pem"), "-days", "3650", "-subj", "/CN=Signet Test CA", "-extensions", "v3_ca", "-config", &p("ext.cnf")]);
        // Distinct serials: NSS identifies certificates by issuer and serial.
        for (serial, name, cn) in [(1001, "signer1", "Signer One"), (1002, "signer2", "Signer Two"), (1003, "signer3", "Signer Three")] {
            must("openssl", &["req", "-newkey", "rsa:2048", "-nodes", "-keyout", &p(&format!("{name}.key")), "-out", &p(&format!("{name}.csr")), "-subj", &format!("/CN={cn}")]);
            must("openssl", &["x509", "-req", "-in", &p(&format!("{name}.csr")), "-CA", &p("ca.pem"), "-CAkey", &p("ca.key"), "-set_serial", &serial.to_string(), "-out", &p(&format!("{name}.pem")), "-days", "3650", "-extfile", &p("ext.cnf"), "-extensions", "leaf"]);
        }
        // A timestamping authority for document timestamps (openssl ts).
        std::fs::write(
            p("tsa-ext.cnf"),
            "[tsa_ext]\nbasicConstraints=CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        )
        .expect("write tsa-ext.cnf");
        must("openssl", &["req", "-newkey", "rsa:2048", "-nodes", "-keyout", &p("tsa.key"), "-out", &p("tsa.csr"), "-subj", "/CN=Signet Test TSA"]);
        must("openssl", &["x509", "-req", "-in", &p("tsa.csr"), "-CA", &p("ca.pem"), "-CAkey", &p("ca.key"), "-set_serial", "2001", "-out", &p("tsa.pem"), "-days", "3650", "-extfile", &p("tsa-ext.cnf"), "-extensions", "tsa_ext"]);
        std::fs::write(p("tsaserial"), "01\n").expect("tsa serial");
        std::fs::write(
            p("tsa.cnf"),
            format!(
                "[tsa]\ndefault_tsa = t\n[t]\nserial = {}\ncrypto_device = builtin\nsigner_cert = {}\ncerts = {}\nsigner_key = {}\n\
                 signer_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\nordering = yes\ntsa_name = yes\n\
                 ess_cert_id_chain = no\ness_cert_id_alg = sha256\n",
                p("tsaserial"),
                p("tsa.pem"),
                p("ca.pem"),
                p("tsa.key")
            ),
        )
        .expect("write tsa.cnf");
        std::fs::create_dir(p("nss")).expect("nss dir");
        let nss = format!("sql:{}", p("nss"));
        must("certutil", &["-N", "-d", &nss, "--empty-password"]);
        must("certutil", &["-A", "-n", "signet-test-ca", "-t", "CT,C,C", "-i", &p("ca.pem"), "-d", &nss]);
        let fixture_ca = fixture("fixture-ca.pem").to_string_lossy().into_owned();
        must("certutil", &["-A", "-n", "signet-fixture-ca", "-t", "CT,C,C", "-i", &fixture_ca, "-d", &nss]);
        Pki { dir }
    })
}

/// A test-only signer: `openssl cms -sign -cades` over the streamed bytes.
pub struct OpensslSigner {
    pub who: &'static str,
    pub sub_filter: SubFilter,
    pub max_len: usize,
}

impl OpensslSigner {
    pub fn new(who: &'static str) -> Self {
        Self { who, sub_filter: SubFilter::CadesDetached, max_len: 8192 }
    }
}

impl ContainerSigner for OpensslSigner {
    fn max_container_len(&self) -> usize {
        self.max_len
    }
    fn sub_filter(&self) -> SubFilter {
        self.sub_filter
    }
    fn sign(&self, signed: &mut dyn Read) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        let pki = pki();
        let mut child = Command::new("openssl")
            .args(["cms", "-sign", "-binary", "-outform", "DER", "-nosmimecap", "-md", "sha256", "-cades"])
            .args([
                "-signer",
                &pki.path(&format!("{}.pem", self.who)),
                "-inkey",
                &pki.path(&format!("{}.key", self.who)),
            ])
            .args(["-certfile", &pki.path("ca.pem")])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        // openssl reads all content before writing its small output: no deadlock.
        std::io::copy(signed, &mut stdin)?;
        stdin.flush()?;
        drop(stdin);
        let out = child.wait_with_output()?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
        }
        Ok(out.stdout)
    }
}

/// A test-only RFC 3161 TSA: `openssl ts -query | openssl ts -reply -token_out`.
pub struct TsaSigner;

impl ContainerSigner for TsaSigner {
    fn max_container_len(&self) -> usize {
        8192
    }
    fn sub_filter(&self) -> SubFilter {
        SubFilter::Rfc3161
    }
    fn sign(&self, signed: &mut dyn Read) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        let pki = pki();
        let dir = tempfile::tempdir()?;
        let data = dir.path().join("data");
        let query = dir.path().join("q.tsq");
        let token = dir.path().join("t.der");
        std::io::copy(signed, &mut std::fs::File::create(&data)?)?;
        let q = Command::new("openssl")
            .args(["ts", "-query", "-sha256", "-cert", "-data"])
            .arg(&data)
            .arg("-out")
            .arg(&query)
            .output()?;
        if !q.status.success() {
            return Err(String::from_utf8_lossy(&q.stderr).into_owned().into());
        }
        let r = Command::new("openssl")
            .args(["ts", "-reply", "-token_out", "-config", &pki.path("tsa.cnf"), "-queryfile"])
            .arg(&query)
            .arg("-out")
            .arg(&token)
            .output()?;
        if !r.status.success() {
            return Err(String::from_utf8_lossy(&r.stderr).into_owned().into());
        }
        Ok(std::fs::read(&token)?)
    }
}

/// DER of a PEM certificate file in the test PKI.
pub fn cert_der(name: &str) -> Vec<u8> {
    let out = must("openssl", &["x509", "-in", &pki().path(name), "-outform", "DER"]);
    out.stdout
}

/// `field -> judgement` from `pyhanko sign validate`.
pub fn pyhanko_validate(pdf: &Path, extra_trust: bool, password: Option<&str>) -> Vec<(String, String)> {
    let pki = pki();
    let ca = pki.path("ca.pem");
    let fixture_ca = fixture("fixture-ca.pem").to_string_lossy().into_owned();
    let file = pdf.to_string_lossy().into_owned();
    let mut args = vec!["sign", "validate", "--trust-replace", "--trust", &ca, "--no-revocation-check"];
    if extra_trust {
        args.extend(["--trust", &fixture_ca]);
    }
    if let Some(pw) = password {
        args.extend(["--password", pw]);
    }
    args.push(&file);
    let out = tool("pyhanko", &args);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // One line per signature: `name:fingerprint:JUDGEMENT` (the judgement has ':' too).
    let lines: Vec<(String, String)> = text
        .lines()
        .filter(|l| l.matches(':').count() >= 2)
        .map(|l| {
            let mut it = l.splitn(3, ':');
            let name = it.next().unwrap_or_default().to_string();
            let _fingerprint = it.next();
            (name, it.next().unwrap_or_default().to_string())
        })
        .collect();
    assert!(
        !lines.is_empty(),
        "pyhanko printed no judgement for {file}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    lines
}

/// Every signature INTACT:TRUSTED; the last one UNTOUCHED, earlier ones UNTOUCHED or with
/// ACCEPTABLE_MODIFICATIONS only (later signatures are form filling in pyHanko's model).
pub fn assert_pyhanko_all_valid(pdf: &Path, expected: usize, extra_trust: bool, password: Option<&str>) {
    let j = pyhanko_validate(pdf, extra_trust, password);
    assert_eq!(j.len(), expected, "signature count per pyHanko: {j:?}");
    let untouched = j.iter().filter(|(_, v)| v.contains("UNTOUCHED")).count();
    assert!(untouched >= 1, "no signature covers the whole file: {j:?}");
    for (name, verdict) in &j {
        assert!(
            verdict.starts_with("INTACT:TRUSTED")
                && (verdict.contains("UNTOUCHED") || verdict.contains("ACCEPTABLE_MODIFICATIONS")),
            "pyHanko judged {name}: {verdict}"
        );
    }
}

/// pdfsig must say every listed signature is valid and trusted (it exits 0 either way), and
/// list `expected` distinct signatures (a signature with several seals is listed per seal).
pub fn assert_pdfsig_valid(pdf: &Path, expected: usize, password: Option<&str>) {
    let pki = pki();
    let file = pdf.to_string_lossy().into_owned();
    let nss = pki.nss();
    let mut args = vec!["-nssdir", &nss];
    if let Some(pw) = password {
        args.extend(["-upw", pw]);
    }
    args.push(&file);
    let out = tool("pdfsig", &args);
    let text = String::from_utf8_lossy(&out.stdout);
    // One block per listed signature; blocks of the same signature share their ranges.
    let blocks: Vec<&str> = text.split("Signature #").skip(1).collect();
    let mut by_range: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for b in &blocks {
        let range = b.lines().find(|l| l.contains("Signed Ranges:")).unwrap_or("none").to_string();
        by_range.entry(range).or_default().push(b);
    }
    assert_eq!(by_range.len(), expected, "pdfsig: {text}");
    for (range, bs) in &by_range {
        assert!(bs.iter().all(|b| b.contains("Signature is Valid.")), "pdfsig {range}: {text}");
        // NSS reports a certificate it already verified in this run as "Unknown issue" when
        // a signature is listed once per seal; one trusted verdict per signature is required.
        assert!(bs.iter().any(|b| b.contains("Certificate is Trusted.")), "pdfsig {range}: {text}");
    }
    assert!(text.contains("Total document signed"), "pdfsig: {text}");
}

pub fn assert_qpdf_check(pdf: &Path, password: Option<&str>) {
    let file = pdf.to_string_lossy().into_owned();
    let pw;
    let mut args = vec!["--check"];
    if let Some(p) = password {
        pw = format!("--password={p}");
        args.push(&pw);
    }
    args.push(&file);
    let out = tool("qpdf", &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "qpdf --check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// All three validators, and our own inspection agrees: every signature sound and untouched.
pub fn assert_all_valid(pdf: &Path, expected: usize) {
    assert_qpdf_check(pdf, None);
    assert_pdfsig_valid(pdf, expected, None);
    assert_pyhanko_all_valid(pdf, expected, false, None);
    let data = std::fs::read(pdf).expect("read signed file");
    let i = signet_pdf::inspect(std::io::Cursor::new(&data), None).expect("inspect");
    assert_eq!(i.signatures.len(), expected);
    for s in &i.signatures {
        assert!(s.is_untouched(), "{}: {:?} {:?}", s.field_name, s.problems, s.later_changes);
    }
    assert_eq!(i.signatures.last().map(|s| s.coverage), Some(signet_pdf::Coverage::EntireFile));
}

/// A page rendered by `pdftoppm -r 72 -cropbox` (what a viewer shows): RGB pixels, origin top-left.
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Raster {
    pub fn render(pdf: &Path, page: usize, password: Option<&str>) -> Raster {
        let dir = tempfile::tempdir().expect("tempdir");
        let prefix = dir.path().join("p").to_string_lossy().into_owned();
        let file = pdf.to_string_lossy().into_owned();
        let page_s = page.to_string();
        let mut args = vec!["-r", "72", "-cropbox", "-png", "-singlefile", "-f", &page_s, "-l", &page_s];
        if let Some(pw) = password {
            args.extend(["-upw", pw]);
        }
        args.extend([file.as_str(), prefix.as_str()]);
        must("pdftoppm", &args);
        let f = std::fs::File::open(format!("{prefix}.png")).expect("rendered png");
        let mut dec = png::Decoder::new(std::io::BufReader::new(f));
        dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut r = dec.read_info().expect("png header");
        let mut buf = vec![0; r.output_buffer_size().expect("size")];
        let info = r.next_frame(&mut buf).expect("png frame");
        let ch = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            png::ColorType::Grayscale => 1,
            png::ColorType::GrayscaleAlpha => 2,
            png::ColorType::Indexed => panic!("indexed png"),
        };
        let (w, h) = (info.width as usize, info.height as usize);
        let mut rgb = Vec::with_capacity(w * h * 3);
        for px in buf[..w * h * ch].chunks(ch) {
            if ch >= 3 {
                rgb.extend_from_slice(&px[..3]);
            } else {
                rgb.extend_from_slice(&[px[0], px[0], px[0]]);
            }
        }
        Raster { width: w, height: h, rgb }
    }

    fn is_red(&self, x: usize, y: usize) -> bool {
        let i = (y * self.width + x) * 3;
        let (r, g, b) = (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]);
        r > 150 && g < 90 && b < 90
    }

    /// Bounding box of red pixels in visible-page points (origin bottom-left), if any.
    pub fn red_box(&self) -> Option<[f64; 4]> {
        let mut b: Option<[usize; 4]> = None;
        for y in 0..self.height {
            for x in 0..self.width {
                if self.is_red(x, y) {
                    b = Some(match b {
                        None => [x, y, x, y],
                        Some(o) => [o[0].min(x), o[1].min(y), o[2].max(x), o[3].max(y)],
                    });
                }
            }
        }
        b.map(|[x0, y0, x1, y1]| {
            let h = self.height as f64;
            [x0 as f64, h - y1 as f64 - 1.0, x1 as f64 + 1.0, h - y0 as f64]
        })
    }

    /// Red pixel count inside a visible-page rectangle.
    pub fn red_in(&self, r: [f64; 4]) -> usize {
        let h = self.height as f64;
        let (x0, x1) = (r[0].max(0.0) as usize, (r[2].min(self.width as f64)) as usize);
        let (y0, y1) = ((h - r[3]).max(0.0) as usize, (h - r[1]).min(h) as usize);
        let mut n = 0;
        for y in y0..y1 {
            for x in x0..x1 {
                if self.is_red(x, y) {
                    n += 1;
                }
            }
        }
        n
    }
}

/// Asserts the red seal on `page` is centred on (cx, cy) (visible points) within `tol`.
pub fn assert_seal_at(pdf: &Path, page: usize, cx: f64, cy: f64, width: f64, tol: f64) {
    let r = Raster::render(pdf, page, None);
    let b = r.red_box().unwrap_or_else(|| panic!("no red seal pixels on page {page}"));
    let (bx, by) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    assert!(
        (bx - cx).abs() <= tol && (by - cy).abs() <= tol,
        "seal on page {page} centred at ({bx:.1}, {by:.1}), expected ({cx:.1}, {cy:.1}); box {b:?}"
    );
    assert!(((b[2] - b[0]) - width).abs() <= tol, "seal width {:.1}, expected {width:.1}", b[2] - b[0]);
}

/// Signs `input` into a temp file and returns its path (kept alive by the returned dir).
pub fn sign_to_file(
    input: &[u8],
    req: &signet_pdf::SignRequest,
    signer: &dyn ContainerSigner,
) -> (tempfile::TempDir, PathBuf, signet_pdf::SignOutcome) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("signed.pdf");
    let mut buf = Vec::new();
    let outcome = signet_pdf::sign(std::io::Cursor::new(input), &mut buf, req, signer)
        .unwrap_or_else(|e| panic!("signing failed: {e}"));
    std::fs::write(&out, &buf).expect("write output");
    assert_eq!(outcome.output_len, buf.len() as u64);
    // An unsigned hybrid file is rewritten before its first signature (the one exception).
    assert!(outcome.rewritten || buf.starts_with(input), "the original bytes must be kept as they are");
    (dir, out, outcome)
}

pub fn seal_request(placements: Vec<signet_pdf::Placement>) -> signet_pdf::SignRequest {
    signet_pdf::SignRequest {
        placements,
        appearance: Some(signet_pdf::Appearance {
            image: fixture_bytes("seal.png"),
            width_pt: None,
            show_time: false,
            show_digest: false,
        }),
        reason: Some("合同签署".into()),
        location: Some("Shanghai".into()),
        ..Default::default()
    }
}
