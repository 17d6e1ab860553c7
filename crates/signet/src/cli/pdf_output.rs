//! Writing PDFs atomically: every stage goes to a temporary file next to the destination, which
//! is renamed into place only when the whole pipeline succeeded. A failure never leaves a
//! half-written PDF behind.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use tempfile::NamedTempFile;

/// The output of a pipeline stage, readable by the next one.
pub struct Stage {
    file: NamedTempFile,
}

impl Stage {
    /// A new empty stage file in the destination's directory.
    pub fn next_to(destination: &Path) -> anyhow::Result<Self> {
        let dir = parent_dir(destination);
        let file = tempfile::Builder::new()
            .prefix(".signet-")
            .suffix(".pdf.tmp")
            .tempfile_in(&dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        Ok(Self { file })
    }

    /// Runs `write` on a buffered writer into this stage and flushes it.
    pub fn write<T>(&mut self, write: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let mut out = BufWriter::new(self.file.as_file_mut());
        let value = write(&mut out)?;
        out.flush().context("failed to write the output")?;
        Ok(value)
    }

    /// The stage's content, from the start, for reading.
    pub fn reader(&mut self) -> anyhow::Result<&mut File> {
        let file = self.file.as_file_mut();
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
    }

    /// Syncs and renames the stage onto `destination`.
    pub fn persist(self, destination: &Path) -> anyhow::Result<()> {
        self.file.as_file().sync_all().context("failed to flush the output")?;
        self.file
            .persist(destination)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", destination.display()))?;
        Ok(())
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Opens an input file with a clear error.
pub fn open_input(path: &Path) -> anyhow::Result<File> {
    File::open(path).with_context(|| format!("cannot open {}", path.display()))
}
