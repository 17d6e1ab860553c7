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
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tracing::warn;

use crate::{Error, Result};

/// Formats converted to PDF, by file extension, with the LibreOffice Writer import filter each
/// is read with. The filter is forced rather than detected, so a file that is not what its
/// extension says is refused instead of being typeset as plain text; text is read as UTF-8.
/// Writer formats only: the deployment needs nothing beyond `libreoffice-writer-nogui`.
const CONVERTIBLE: [(&str, &str); 8] = [
    ("doc", "MS Word 97"),
    ("docx", "MS Word 2007 XML"),
    ("odt", "writer8"),
    ("fodt", "OpenDocument Text Flat XML"),
    ("rtf", "Rich Text Format"),
    ("txt", "Text (encoded):UTF8"),
    ("html", "HTML (StarWriter)"),
    ("htm", "HTML (StarWriter)"),
];
/// Longest a conversion may take (a pathological document, not a busy machine: conversions
/// queue before they start, see [`CONVERSIONS`]).
const CONVERT_TIMEOUT: Duration = Duration::from_secs(180);
const ENCRYPT_TIMEOUT: Duration = Duration::from_secs(120);
/// LibreOffice conversions running at once on this node (each is a whole office process).
pub(super) static CONVERSIONS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
/// qpdf takes passwords up to 127 bytes for AES-256 (R6).
pub const MAX_PASSWORD_BYTES: usize = 127;
/// The profile every conversion starts from: macros never run and documents cannot make the
/// office fetch or open other files through "referer" links.
const PROFILE_SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"#;

/// The normalised extension of `fileformat` ("PDF", ".docx" → "pdf", "docx").
pub fn normalise_format(raw: &str) -> String {
    raw.trim().trim_start_matches('.').to_ascii_lowercase()
}

/// The formats accepted besides pdf, for messages and documentation.
pub fn convertible_formats() -> impl Iterator<Item = &'static str> {
    CONVERTIBLE.iter().map(|(ext, _)| *ext)
}

/// Refuses a format that is neither pdf nor convertible (before any other work).
pub fn check_format(format: &str) -> Result<()> {
    if format == "pdf" || CONVERTIBLE.iter().any(|(ext, _)| *ext == format) {
        return Ok(());
    }
    let known = std::iter::once("pdf").chain(convertible_formats()).collect::<Vec<_>>().join(", ");
    Err(Error::invalid("fileformat", format!("{format} is not a supported document format ({known})")))
}

/// Converts a document of `format` to PDF with LibreOffice headless (blocking: call it on a
/// blocking thread). Each conversion gets its own temporary directory holding the input, a
/// fresh user profile (`-env:UserInstallation`, so concurrent conversions and a root or
/// home-less service user work) and an output directory whose only PDF is the result; the
/// directory is removed when the conversion ends, whatever the outcome.
pub fn convert_to_pdf(bytes: &[u8], format: &str) -> Result<Vec<u8>> {
    check_format(format)?;
    let filter = CONVERTIBLE
        .iter()
        .find(|(ext, _)| *ext == format)
        .map(|(_, f)| *f)
        .ok_or_else(|| Error::invalid("fileformat", "pdf needs no conversion"))?;
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
    let output = dir.path().join("out");
    let profile = dir.path().join("profile");
    let settings = profile.join("user");
    std::fs::create_dir_all(&settings).map_err(|e| Error::Internal(format!("profile directory: {e}")))?;
    std::fs::write(settings.join("registrymodifications.xcu"), PROFILE_SETTINGS)
        .map_err(|e| Error::Internal(format!("profile settings: {e}")))?;
    std::fs::write(&input, bytes).map_err(|e| Error::Internal(format!("writing the document: {e}")))?;
    let log = std::fs::File::create(dir.path().join("soffice.log"))
        .map_err(|e| Error::Internal(format!("conversion log: {e}")))?;
    let mut command = Command::new(soffice);
    command
        .args(["--headless", "--invisible", "--norestore", "--nolockcheck", "--nodefault", "--nologo"])
        .arg(format!("-env:UserInstallation={}", file_url(&profile)))
        .arg(format!("--infilter={filter}"))
        .args(["--convert-to", "pdf", "--outdir"])
        .arg(&output)
        .arg(&input)
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .stdout(log.try_clone().map_err(|e| Error::Internal(format!("conversion log: {e}")))?)
        .stderr(log);
    // soffice is a launcher that starts the office as its child: its own process group lets a
    // timeout kill both.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let started = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| Error::Internal(format!("could not start LibreOffice: {e}")))?;
    match wait(child, CONVERT_TIMEOUT)? {
        Some(status) if status.success() => {}
        Some(status) => {
            warn!(%status, log = %log_tail(dir.path()), "LibreOffice failed");
            return Err(Error::invalid("filebase", format!("LibreOffice could not convert this {format} document")));
        }
        None => {
            return Err(Error::invalid(
                "filebase",
                format!("LibreOffice did not convert this {format} document within {} s", CONVERT_TIMEOUT.as_secs()),
            ));
        }
    }
    // LibreOffice answers 0 even when it cannot load the input; the result is the PDF it wrote.
    let pdf = std::fs::read_dir(&output)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")));
    let Some(pdf) = pdf else {
        warn!(log = %log_tail(dir.path()), "LibreOffice wrote no PDF");
        return Err(Error::invalid(
            "filebase",
            format!("LibreOffice could not read this document as {format} (damaged, or another format)"),
        ));
    };
    let bytes = std::fs::read(&pdf).map_err(|e| Error::Internal(format!("reading the conversion: {e}")))?;
    tracing::info!(format, millis = started.elapsed().as_millis() as u64, "converted a document with LibreOffice");
    Ok(bytes)
}

/// `file://` URL of an absolute path (percent-encoding what a URL cannot hold as is).
fn file_url(path: &Path) -> String {
    url::Url::from_directory_path(path).map(String::from).unwrap_or_else(|()| format!("file://{}", path.display()))
}

/// The end of the conversion log (LibreOffice's reasons), for the server log only.
fn log_tail(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("soffice.log")).unwrap_or_default();
    let start = text.char_indices().rev().nth(500).map_or(0, |(i, _)| i);
    text[start..].trim().replace('\n', " | ")
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
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::Internal(format!("could not start {name}: {e}")))?;
    match wait(child, timeout)? {
        Some(status) if matches!(status.code(), Some(0 | 3)) => Ok(()),
        Some(status) => Err(Error::invalid("filebase", format!("{name} could not process the document ({status})"))),
        None => Err(Error::Internal(format!("{name} did not finish within {timeout:?}"))),
    }
}

/// Waits for `child` at most `timeout`; past it, kills the child's process group (when it
/// leads one) and the child, and answers `None`.
fn wait(mut child: Child, timeout: Duration) -> Result<Option<std::process::ExitStatus>> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(Some(status)),
            Ok(None) if Instant::now() >= deadline => {
                #[cfg(unix)]
                if let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) {
                    // The group exists while its leader (our child, not yet reaped) does.
                    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
                }
                let _ = child.kill();
                let _ = child.wait();
                return Ok(None);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(Error::Internal(format!("waiting for a tool: {e}"))),
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
        assert!(check_format("pdf").is_ok() && check_format("docx").is_ok() && check_format("htm").is_ok());
        for bad in ["exe", "xlsx", "", "pdf.exe"] {
            let err = convert_to_pdf(b"x", bad).unwrap_err();
            assert!(err.to_string().contains("not a supported document format"), "{bad}: {err}");
        }
    }

    /// A tool past its time is killed with everything it started (soffice's launcher starts the
    /// office as its child): the grandchild of a timed-out shell does not survive it.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_timed_out_tool_is_killed_with_its_children() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let mut command = Command::new("sh");
        command.arg("-c").arg(format!("sleep 120 & echo $! > {}; wait", pid_file.display()));
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.stdin(Stdio::null()).spawn().unwrap();
        assert!(wait(child, Duration::from_secs(2)).unwrap().is_none(), "the shell ended by itself");
        let pid = std::fs::read_to_string(&pid_file).expect("the shell started its child");
        let stat = format!("/proc/{}/stat", pid.trim());
        // Killed: gone, or a zombie until its new parent reaps it.
        let deadline = Instant::now() + Duration::from_secs(10);
        while let Ok(state) = std::fs::read_to_string(&stat) {
            if state.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')) {
                break;
            }
            assert!(Instant::now() < deadline, "the grandchild outlived the timeout: {state}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A damaged Word file is the caller's error naming `filebase`, and a text file sent as
    /// docx is not typeset as text (the import filter is forced). Needs LibreOffice.
    #[test]
    fn damaged_documents_are_refused_when_libreoffice_is_there() {
        if find_tool(&["soffice", "libreoffice"]).is_none() {
            let err = convert_to_pdf(b"PK\x03\x04", "docx").unwrap_err();
            assert!(err.to_string().contains("has none"), "{err}");
            return;
        }
        for bytes in [&b"PK\x03\x04 not a zip"[..], b"plain text pretending"] {
            match convert_to_pdf(bytes, "docx") {
                Err(Error::InvalidInput { field: "filebase", reason }) => {
                    assert!(reason.contains("could not read"), "{reason}")
                }
                other => panic!("expected a filebase refusal, got {other:?}"),
            }
        }
        let pdf = convert_to_pdf("合同 contract".as_bytes(), "txt").unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
