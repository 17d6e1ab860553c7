//! The document of an order: other formats converted to PDF with LibreOffice, and the PDF
//! encrypted with the order's password (AES-256) with qpdf, when the deployment has them.
//!
//! Why external tools: the PDF engine appends incremental revisions and never rewrites the
//! original bytes, so it can sign an encrypted PDF (its new strings and streams are encrypted
//! with the document key, AES-256 R6 included) but cannot turn a plain PDF into an encrypted
//! one — that is a full rewrite of every object. qpdf does that rewrite once, before the first
//! signature; every signature is then appended to the encrypted file. Both tools are looked up
//! on `PATH`; without them the request is refused with a clear reason instead of being faked.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// Formats LibreOffice converts to PDF for us (by file extension).
const CONVERTIBLE: [&str; 14] =
    ["doc", "docx", "odt", "rtf", "txt", "wps", "xls", "xlsx", "ods", "et", "ppt", "pptx", "odp", "dps"];
const CONVERT_TIMEOUT: Duration = Duration::from_secs(180);
const ENCRYPT_TIMEOUT: Duration = Duration::from_secs(120);
/// qpdf takes passwords up to 127 bytes for AES-256 (R6).
pub const MAX_PASSWORD_BYTES: usize = 127;

/// The normalised extension of `fileformat` ("PDF", ".docx" → "pdf", "docx").
pub fn normalise_format(raw: &str) -> String {
    raw.trim().trim_start_matches('.').to_ascii_lowercase()
}

/// Converts a document of `format` to PDF with LibreOffice headless (blocking).
pub fn convert_to_pdf(bytes: &[u8], format: &str) -> Result<Vec<u8>> {
    if !CONVERTIBLE.contains(&format) {
        return Err(Error::invalid(
            "fileformat",
            format!("{format} is not a supported document format (pdf, {})", CONVERTIBLE.join(", ")),
        ));
    }
    let soffice = find_tool(&["soffice", "libreoffice"]).ok_or_else(|| {
        Error::invalid(
            "fileformat",
            format!(
                "{format} documents need LibreOffice to convert them to PDF, and this deployment has none; send a PDF"
            ),
        )
    })?;
    let dir = tempfile::tempdir().map_err(|e| Error::Internal(format!("temporary directory: {e}")))?;
    let input = dir.path().join(format!("document.{format}"));
    std::fs::write(&input, bytes).map_err(|e| Error::Internal(format!("writing the document: {e}")))?;
    let profile = format!("file://{}", dir.path().join("profile").display());
    let mut command = Command::new(soffice);
    command
        .args(["--headless", "--norestore", "--nolockcheck"])
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&input);
    run(command, CONVERT_TIMEOUT, "LibreOffice")?;
    std::fs::read(dir.path().join("document.pdf"))
        .map_err(|_| Error::invalid("filebase", format!("LibreOffice could not convert this {format} document to PDF")))
}

/// Encrypts a PDF with `password` as user password (AES-256, revision 6) and a random owner
/// password, with qpdf (blocking). The passwords go through a private argument file, never the
/// command line (which other local users can read).
pub fn encrypt_pdf(pdf: &[u8], password: &str) -> Result<Vec<u8>> {
    let qpdf = find_tool(&["qpdf"]).ok_or_else(|| {
        Error::invalid("password", "encrypting the signed PDF needs qpdf, which this deployment does not have")
    })?;
    let dir = tempfile::tempdir().map_err(|e| Error::Internal(format!("temporary directory: {e}")))?;
    let input = dir.path().join("in.pdf");
    let output = dir.path().join("out.pdf");
    std::fs::write(&input, pdf).map_err(|e| Error::Internal(format!("writing the document: {e}")))?;
    let owner = crate::random::secret(32);
    let args = format!("--encrypt\n{password}\n{owner}\n256\n--\n{}\n{}\n", input.display(), output.display());
    let args_path = dir.path().join("args");
    write_private(&args_path, args.as_bytes())?;
    let mut command = Command::new(qpdf);
    command.arg(format!("@{}", args_path.display()));
    run(command, ENCRYPT_TIMEOUT, "qpdf")?;
    std::fs::read(&output).map_err(|e| Error::Internal(format!("qpdf wrote no output: {e}")))
}

fn write_private(path: &Path, content: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| Error::Internal(format!("argument file: {e}")))?;
    file.write_all(content).map_err(|e| Error::Internal(format!("argument file: {e}")))
}

/// Runs a tool to completion within `timeout`; exit codes 0 and 3 (qpdf: warnings) succeed.
fn run(mut command: Command, timeout: Duration, name: &str) -> Result<()> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::Internal(format!("could not start {name}: {e}")))?;
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if matches!(status.code(), Some(0 | 3)) => return Ok(()),
            Ok(Some(status)) => {
                return Err(Error::invalid("filebase", format!("{name} could not process the document ({status})")));
            }
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Internal(format!("{name} did not finish within {timeout:?}")));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(Error::Internal(format!("waiting for {name}: {e}"))),
        }
    }
}

/// The first of `names` found on `PATH`.
fn find_tool(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_normalised_and_unknown_ones_refused() {
        assert_eq!(normalise_format(" .PDF "), "pdf");
        assert_eq!(normalise_format("Docx"), "docx");
        let err = convert_to_pdf(b"x", "exe").unwrap_err();
        assert!(err.to_string().contains("not a supported document format"), "{err}");
    }
}
