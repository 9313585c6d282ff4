//! Writing fixed files: atomically, keeping permissions, never over a file that changed.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, bail};

/// Replaces the contents of `path` with `new_bytes` if it still holds `original_bytes`.
///
/// The new contents go to a temporary file in the same folder, which then replaces the
/// original in one rename, so a reader never sees a half-written file.
pub fn replace_file(path: &Path, original_bytes: &[u8], new_bytes: &[u8]) -> anyhow::Result<()> {
    replace_file_with(path, original_bytes, new_bytes, |file, bytes| {
        file.write_all(bytes)
    })
}

/// `replace_file`, writing the temporary file with `write`, so that tests can make the write
/// fail halfway.
fn replace_file_with(
    path: &Path,
    original_bytes: &[u8],
    new_bytes: &[u8],
    write: impl FnOnce(&mut fs::File, &[u8]) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let permissions = fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .permissions();
    let mut temp = tempfile::Builder::new()
        .prefix(".redline-fix-")
        .tempfile_in(folder)
        .with_context(|| format!("cannot create a temporary file in {}", folder.display()))?;
    write(temp.as_file_mut(), new_bytes)
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write a temporary file in {}", folder.display()))?;
    fs::set_permissions(temp.path(), permissions)
        .with_context(|| format!("cannot set permissions on the fixed {}", path.display()))?;
    let current = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if current != original_bytes {
        bail!(
            "{} changed while it was analysed: not fixed",
            path.display()
        );
    }
    temp.persist(path)
        .map_err(|error| error.error)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_file_that_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("main.tf");
        fs::write(&path, "edited by someone else").unwrap();
        let error = replace_file(&path, b"original", b"fixed").unwrap_err();
        assert!(error.to_string().contains("changed while it was analysed"));
        assert_eq!(fs::read_to_string(&path).unwrap(), "edited by someone else");
        replace_file(&path, b"edited by someone else", b"fixed").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "fixed");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }

    /// A write that fails halfway (a full disk, a killed process) leaves the original bytes,
    /// with CRLF, a BOM and no final newline, exactly as they were, and no temporary file.
    #[test]
    fn a_failed_write_leaves_the_original_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("main.tf");
        let original = "\u{feff}resource \"a\" \"é\" {\r\n\tforce_destroy = true\r\n}".as_bytes();
        fs::write(&path, original).unwrap();
        let error = replace_file_with(&path, original, b"fixed and much longer", |file, bytes| {
            file.write_all(&bytes[..5])?;
            Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "no space left on device",
            ))
        })
        .unwrap_err();
        assert!(
            format!("{error:#}").contains("cannot write a temporary file"),
            "{error:#}"
        );
        assert_eq!(fs::read(&path).unwrap(), original);
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }

    /// A file whose folder cannot hold a temporary file is not touched. `/proc/self` refuses
    /// new files even for root, which ignores read-only permissions.
    #[test]
    fn a_folder_without_room_for_the_temporary_file_leaves_the_original_intact() {
        let path = Path::new("/proc/self/comm");
        let Ok(original) = fs::read(path) else {
            return;
        };
        let error = replace_file(path, &original, b"fixed").unwrap_err();
        assert!(
            format!("{error:#}").contains("cannot create a temporary file"),
            "{error:#}"
        );
        assert_eq!(fs::read(path).unwrap(), original);
    }
}
