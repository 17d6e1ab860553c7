//! Server paths (`contractPath`, `contractSavePath`, `filePath`, `fileSavePath`) confined to
//! the roots in `SIGNET_FILE_ROOTS`.
//!
//! A path is refused before anything is read or written when it is relative, contains `..`,
//! or resolves (symlinks followed) outside every root. Outputs are written to a temporary file
//! in the target directory and renamed over the target, so readers never see half a file.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use axum::body::Bytes;

use super::error::YhtError;

/// The directories the dialect may read and write, canonicalised once at startup.
#[derive(Debug, Clone, Default)]
pub struct FileRoots(Vec<PathBuf>);

impl FileRoots {
    /// Keeps the roots that exist (canonical form); missing ones are logged and ignored.
    pub fn new(roots: &[PathBuf]) -> Self {
        let mut kept = Vec::new();
        for root in roots {
            match root.canonicalize() {
                Ok(canonical) if canonical.is_dir() => kept.push(canonical),
                _ => tracing::warn!(root = %root.display(), "SIGNET_FILE_ROOTS names a directory that does not exist"),
            }
        }
        Self(kept)
    }

    fn contains(&self, path: &Path) -> bool {
        self.0.iter().any(|root| path.starts_with(root))
    }

    /// The lexical checks every path gets: absolute, no `..`, inside a root by name.
    fn lexical(&self, field: &'static str, raw: &str) -> Result<PathBuf, YhtError> {
        let path = PathBuf::from(raw);
        if !path.is_absolute() || path.components().any(|c| matches!(c, Component::ParentDir)) {
            return Err(YhtError::PathRefused(field));
        }
        Ok(path)
    }

    /// An existing file to read: its canonical path, inside a root.
    pub fn input(&self, field: &'static str, raw: &str) -> Result<PathBuf, YhtError> {
        let path = self.lexical(field, raw)?;
        match path.canonicalize() {
            Ok(canonical) if self.contains(&canonical) => {
                if canonical.is_file() {
                    Ok(canonical)
                } else {
                    Err(YhtError::ReadFailed(format!("{raw} 不是文件")))
                }
            }
            Ok(_) => Err(YhtError::PathRefused(field)),
            // Existence is only reported for paths that are inside a root by name.
            Err(_) if self.contains_lexically(&path) => Err(YhtError::ContractMissing(raw.to_owned())),
            Err(_) => Err(YhtError::PathRefused(field)),
        }
    }

    /// Whether the path's nearest existing ancestor resolves inside a root.
    fn contains_lexically(&self, path: &Path) -> bool {
        path.ancestors().skip(1).find_map(|a| a.canonicalize().ok()).is_some_and(|a| self.contains(&a))
    }

    /// A PDF to write: its directory must exist inside a root, the name must end in `.pdf`,
    /// and an existing target must be a regular file (never a symlink or a directory).
    pub fn output(&self, field: &'static str, raw: &str) -> Result<PathBuf, YhtError> {
        let path = self.lexical(field, raw)?;
        let name = path.file_name().ok_or(YhtError::PathRefused(field))?;
        let is_pdf = Path::new(name).extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
        if !is_pdf {
            return Err(YhtError::Param(format!("{field} 文件保存类型非法 (只支持 .pdf)")));
        }
        let parent = path.parent().ok_or(YhtError::PathRefused(field))?;
        let parent = match parent.canonicalize() {
            Ok(dir) if self.contains(&dir) => dir,
            Ok(_) => return Err(YhtError::PathRefused(field)),
            Err(_) if self.contains_lexically(parent) => {
                return Err(YhtError::SaveFailed(format!("目录 {} 不存在", parent.display())));
            }
            Err(_) => return Err(YhtError::PathRefused(field)),
        };
        let target = parent.join(name);
        if let Ok(meta) = target.symlink_metadata()
            && !meta.is_file()
        {
            return Err(YhtError::PathRefused(field));
        }
        Ok(target)
    }
}

impl FileRoots {
    /// Reads a file [`Self::input`] accepted, refusing files larger than `limit` before reading.
    ///
    /// The check and the open are separate calls, so the opened descriptor's real path is checked
    /// again (`/proc/self/fd`): a file swapped for a symlink in between is refused unread.
    pub async fn read(&self, path: &Path, limit: u64, field: &'static str) -> Result<Bytes, YhtError> {
        let roots = self.clone();
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || -> Result<Bytes, YhtError> {
            let mut file = std::fs::File::open(&path).map_err(|e| YhtError::ReadFailed(e.to_string()))?;
            roots.check_opened(&file, field)?;
            let meta = file.metadata().map_err(|e| YhtError::ReadFailed(e.to_string()))?;
            if !meta.is_file() {
                return Err(YhtError::ReadFailed(format!("{} 不是文件", path.display())));
            }
            if meta.len() > limit {
                return Err(YhtError::Param(format!("{field} 文件超过大小限制 ({limit} 字节)")));
            }
            let mut bytes = Vec::with_capacity(meta.len() as usize);
            std::io::Read::read_to_end(&mut file, &mut bytes).map_err(|e| YhtError::ReadFailed(e.to_string()))?;
            Ok(Bytes::from(bytes))
        })
        .await
        .map_err(|e| YhtError::ReadFailed(e.to_string()))?
    }

    /// Writes `bytes` to a target [`Self::output`] accepted, atomically: a temporary file in the
    /// same directory (its real path checked like [`Self::read`]), synced, renamed over the target.
    pub async fn write_atomic(&self, target: PathBuf, bytes: Vec<u8>, field: &'static str) -> Result<(), YhtError> {
        let roots = self.clone();
        tokio::task::spawn_blocking(move || -> Result<(), YhtError> {
            let failed = |e: std::io::Error| YhtError::SaveFailed(e.to_string());
            let dir = target.parent().ok_or(YhtError::PathRefused(field))?;
            let mut temp =
                tempfile::Builder::new().prefix(".signet-").suffix(".tmp").tempfile_in(dir).map_err(failed)?;
            roots.check_opened(temp.as_file(), field)?;
            temp.write_all(&bytes).map_err(failed)?;
            temp.as_file().sync_all().map_err(failed)?;
            temp.persist(&target).map_err(|e| failed(e.error))?;
            std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(failed)
        })
        .await
        .map_err(|e| YhtError::SaveFailed(e.to_string()))?
    }

    /// Refuses an open file whose real path (as the kernel sees it) is outside every root.
    /// Where `/proc` is not mounted the path checks made before opening stand alone.
    fn check_opened(&self, file: &std::fs::File, field: &'static str) -> Result<(), YhtError> {
        use std::os::fd::AsRawFd;
        match std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) {
            Ok(real) if !self.contains(&real) => Err(YhtError::PathRefused(field)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    fn setup() -> (tempfile::TempDir, tempfile::TempDir, FileRoots) {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("a.pdf"), b"%PDF-1.7").unwrap();
        std::fs::write(outside.path().join("secret.pdf"), b"%PDF-1.7 secret").unwrap();
        let roots = FileRoots::new(&[root.path().to_owned(), PathBuf::from("/no/such/root")]);
        (root, outside, roots)
    }

    fn s(path: &Path) -> String {
        path.display().to_string()
    }

    #[test]
    fn inputs_stay_inside_the_roots() {
        let (root, outside, roots) = setup();
        let inside = root.path().join("a.pdf");
        assert_eq!(roots.input("contractPath", &s(&inside)).unwrap(), inside.canonicalize().unwrap());
        let refused =
            |raw: String| matches!(roots.input("contractPath", &raw), Err(YhtError::PathRefused("contractPath")));
        assert!(refused(s(&outside.path().join("secret.pdf"))), "absolute path elsewhere");
        assert!(refused(format!("{}/../{}", s(root.path()), "x.pdf")), "..");
        assert!(refused("a.pdf".into()), "relative");
        symlink(outside.path().join("secret.pdf"), root.path().join("link.pdf")).unwrap();
        assert!(refused(s(&root.path().join("link.pdf"))), "symlink out");
        assert!(refused(s(&outside.path().join("missing.pdf"))), "a missing file elsewhere is not reported as missing");
        assert!(matches!(
            roots.input("contractPath", &s(&root.path().join("missing.pdf"))),
            Err(YhtError::ContractMissing(_))
        ));
        assert!(matches!(roots.input("contractPath", &s(root.path())), Err(YhtError::ReadFailed(_))), "a directory");
    }

    #[test]
    fn outputs_are_pdfs_in_existing_directories_inside_the_roots() {
        let (root, outside, roots) = setup();
        let target = root.path().join("out.pdf");
        assert_eq!(
            roots.output("fileSavePath", &s(&target)).unwrap(),
            root.path().canonicalize().unwrap().join("out.pdf")
        );
        assert!(matches!(roots.output("fileSavePath", &s(&root.path().join("out.txt"))), Err(YhtError::Param(_))));
        assert!(matches!(
            roots.output("fileSavePath", &s(&outside.path().join("o.pdf"))),
            Err(YhtError::PathRefused(_))
        ));
        assert!(matches!(
            roots.output("fileSavePath", &s(&root.path().join("no/dir/o.pdf"))),
            Err(YhtError::SaveFailed(_))
        ));
        symlink(outside.path(), root.path().join("out")).unwrap();
        assert!(matches!(
            roots.output("fileSavePath", &s(&root.path().join("out/o.pdf"))),
            Err(YhtError::PathRefused(_))
        ));
        symlink(outside.path().join("secret.pdf"), root.path().join("over.pdf")).unwrap();
        assert!(matches!(
            roots.output("fileSavePath", &s(&root.path().join("over.pdf"))),
            Err(YhtError::PathRefused(_))
        ));
        assert!(FileRoots::default().output("fileSavePath", &s(&target)).is_err(), "no roots, no paths");
    }

    #[tokio::test]
    async fn writes_replace_atomically_and_leave_no_temporary_files() {
        let (root, _outside, roots) = setup();
        let target = roots.output("fileSavePath", &s(&root.path().join("a.pdf"))).unwrap();
        roots.write_atomic(target.clone(), b"%PDF-2.0 new".to_vec(), "fileSavePath").await.unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"%PDF-2.0 new");
        let names: Vec<_> = std::fs::read_dir(root.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.pdf")]);
        assert!(matches!(roots.read(&target, 4, "filePath").await, Err(YhtError::Param(_))), "over the limit");
        assert_eq!(roots.read(&target, 100, "filePath").await.unwrap(), &b"%PDF-2.0 new"[..]);
        // A file opened outside the roots (as after a swap between check and open) is refused.
        let (_other_root, outside, _) = setup();
        let err = roots.read(&outside.path().join("secret.pdf"), 100, "filePath").await;
        assert!(matches!(err, Err(YhtError::PathRefused("filePath"))));
        let err = roots.write_atomic(outside.path().join("w.pdf"), vec![1], "fileSavePath").await;
        assert!(matches!(err, Err(YhtError::PathRefused("fileSavePath"))));
        assert!(!outside.path().join("w.pdf").exists());
    }
}
