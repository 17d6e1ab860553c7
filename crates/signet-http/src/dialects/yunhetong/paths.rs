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

/// Reads a confined file, refusing files larger than `limit` before reading them.
pub async fn read_limited(path: &Path, limit: u64, field: &'static str) -> Result<Bytes, YhtError> {
    let meta = tokio::fs::metadata(path).await.map_err(|e| YhtError::ReadFailed(e.to_string()))?;
    if meta.len() > limit {
        return Err(YhtError::Param(format!("{field} 文件超过大小限制 ({} 字节)", limit)));
    }
    tokio::fs::read(path).await.map(Bytes::from).map_err(|e| YhtError::ReadFailed(e.to_string()))
}

/// Writes `bytes` to `target` atomically: a temporary file in the same directory, synced, renamed.
pub async fn write_atomic(target: PathBuf, bytes: Vec<u8>) -> Result<(), YhtError> {
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let dir = target.parent().ok_or_else(|| std::io::Error::other("no parent directory"))?;
        let mut temp = tempfile::Builder::new().prefix(".signet-").suffix(".tmp").tempfile_in(dir)?;
        temp.write_all(&bytes)?;
        temp.as_file().sync_all()?;
        temp.persist(&target).map_err(|e| e.error)?;
        std::fs::File::open(dir)?.sync_all()
    })
    .await
    .map_err(|e| YhtError::SaveFailed(e.to_string()))?
    .map_err(|e| YhtError::SaveFailed(e.to_string()))
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
        let (root, _outside, _roots) = setup();
        let target = root.path().join("a.pdf");
        write_atomic(target.clone(), b"%PDF-2.0 new".to_vec()).await.unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"%PDF-2.0 new");
        let names: Vec<_> = std::fs::read_dir(root.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.pdf")]);
        assert!(matches!(read_limited(&target, 4, "filePath").await, Err(YhtError::Param(_))), "over the limit");
    }
}
