//! Writing fixed files: atomically, keeping permissions, never over a file that changed, and
//! never over a symbolic link.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use redline_workspace::{Bounds, Resolution};

/// What `replace_file` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    /// The file now holds the new contents.
    Replaced,
    /// The file already held the new contents, because another path to it (a symbolic link)
    /// was fixed first: nothing was written.
    AlreadyFixed,
}

/// Replaces the contents of `path` with `new_bytes` if it still holds `original_bytes`.
///
/// The new contents go to a temporary file in the same folder, which then replaces the
/// original in one rename, so a reader never sees a half-written file. When `path` is a
/// symbolic link, the file it leads to is replaced and the link is kept, but only when that
/// file is inside `bounds`: a repository must not get `--fix` to rewrite files it links to
/// elsewhere.
pub fn replace_file(
    path: &Path,
    original_bytes: &[u8],
    new_bytes: &[u8],
    bounds: &Bounds,
) -> anyhow::Result<Written> {
    replace_file_with(path, original_bytes, new_bytes, bounds, |file, bytes| {
        file.write_all(bytes)
    })
}

/// `replace_file`, writing the temporary file with `write`, so that tests can make the write
/// fail halfway.
fn replace_file_with(
    path: &Path,
    original_bytes: &[u8],
    new_bytes: &[u8],
    bounds: &Bounds,
    write: impl FnOnce(&mut fs::File, &[u8]) -> std::io::Result<()>,
) -> anyhow::Result<Written> {
    let target = write_target(path, bounds)?;
    let folder = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let permissions = fs::metadata(&target)
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
    let current = fs::read(&target).with_context(|| format!("cannot read {}", path.display()))?;
    if current != original_bytes {
        if current == new_bytes {
            return Ok(Written::AlreadyFixed);
        }
        bail!(
            "{} changed while it was analysed: not fixed",
            path.display()
        );
    }
    // A folder on the way may have been swapped for a link since `write_target` looked.
    if write_target(path, bounds)? != target {
        bail!(
            "{} changed while it was analysed (it leads elsewhere now): not fixed",
            path.display()
        );
    }
    temp.persist(&target)
        .map_err(|error| error.error)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(Written::Replaced)
}

/// The file to replace: where `path` leads once its symbolic links are resolved, if that is
/// inside `bounds`. Replacing the link itself would turn it into a regular file and leave the
/// file it shares unfixed.
fn write_target(path: &Path, bounds: &Bounds) -> anyhow::Result<PathBuf> {
    let is_link = fs::symlink_metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .file_type()
        .is_symlink();
    let resolution = bounds
        .resolve(path)
        .with_context(|| format!("cannot resolve {}", path.display()))?;
    match resolution {
        Resolution::Inside(target) => Ok(target),
        Resolution::Outside(target) if is_link => bail!(
            "{} is a symbolic link to {} outside the repository: not fixed",
            path.display(),
            target.display()
        ),
        Resolution::Outside(target) => bail!(
            "{} leads through a symbolic link to {} outside the repository: not fixed",
            path.display(),
            target.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    /// The bounds of a run over `folder`.
    fn bounds(folder: &Path) -> Bounds {
        Bounds::new(&[folder.to_path_buf()], folder)
    }

    #[test]
    fn refuses_a_file_that_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("main.tf");
        fs::write(&path, "edited by someone else").unwrap();
        let bounds = bounds(dir.path());
        let error = replace_file(&path, b"original", b"fixed", &bounds).unwrap_err();
        assert!(error.to_string().contains("changed while it was analysed"));
        assert_eq!(fs::read_to_string(&path).unwrap(), "edited by someone else");
        let written = replace_file(&path, b"edited by someone else", b"fixed", &bounds).unwrap();
        assert_eq!(written, Written::Replaced);
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
        let error = replace_file_with(
            &path,
            original,
            b"fixed and much longer",
            &bounds(dir.path()),
            |file, bytes| {
                file.write_all(&bytes[..5])?;
                Err(std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "no space left on device",
                ))
            },
        )
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
        let bounds = Bounds::new(&[path.to_path_buf()], Path::new("/"));
        let error = replace_file(path, &original, b"fixed", &bounds).unwrap_err();
        assert!(
            format!("{error:#}").contains("cannot create a temporary file"),
            "{error:#}"
        );
        assert_eq!(fs::read(path).unwrap(), original);
    }

    /// A link inside the bounds stays a link; the file it leads to is fixed, with its
    /// permissions, and the temporary file goes next to that file.
    #[test]
    fn fixes_the_target_of_a_link_and_keeps_the_link() {
        use std::os::unix::fs::PermissionsExt as _;

        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("repo/.git")).unwrap();
        fs::create_dir_all(dir.path().join("repo/shared")).unwrap();
        fs::create_dir_all(dir.path().join("repo/a")).unwrap();
        let target = dir.path().join("repo/shared/main.tf");
        fs::write(&target, "original").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("repo/a/main.tf");
        // A chain: the link leads to another link, which leads to the file.
        symlink("../shared/main.tf", dir.path().join("repo/a/hop.tf")).unwrap();
        symlink("hop.tf", &link).unwrap();
        // The bounds are those of a run over `repo/a`: its work tree holds `shared`.
        let bounds = bounds(&dir.path().join("repo/a"));

        let written = replace_file(&link, b"original", b"fixed", &bounds).unwrap();
        assert_eq!(written, Written::Replaced);
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_link(&link).unwrap(), Path::new("hop.tf"));
        assert_eq!(fs::read_to_string(&target).unwrap(), "fixed");
        let mode = fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        for folder in ["repo/a", "repo/shared"] {
            let names: Vec<_> = fs::read_dir(dir.path().join(folder)).unwrap().collect();
            let expected = if folder == "repo/a" { 2 } else { 1 };
            assert_eq!(names.len(), expected, "no temporary file in {folder}");
        }

        // Fixing the file again through another path finds it already fixed.
        let written = replace_file(&target, b"original", b"fixed", &bounds).unwrap();
        assert_eq!(written, Written::AlreadyFixed);
        assert_eq!(fs::read_to_string(&target).unwrap(), "fixed");
    }

    /// A link leading outside the bounds is refused, and neither the link nor the file it
    /// leads to changes.
    #[test]
    fn refuses_a_link_outside_the_bounds() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("repo/.git")).unwrap();
        fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
        let target = dir.path().join("elsewhere/shared.tf");
        fs::write(&target, "original").unwrap();
        let link = dir.path().join("repo/shared.tf");
        symlink(&target, &link).unwrap();

        let bounds = bounds(&dir.path().join("repo"));
        let error = replace_file(&link, b"original", b"fixed", &bounds).unwrap_err();
        let message = format!("{error:#}");
        assert!(
            message.contains("is a symbolic link to")
                && message.ends_with("outside the repository: not fixed"),
            "{message}"
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "original");
        assert_eq!(fs::read_link(&link).unwrap(), target);
        for folder in ["repo", "elsewhere"] {
            let names: Vec<_> = fs::read_dir(dir.path().join(folder)).unwrap().collect();
            assert_eq!(names.len(), if folder == "repo" { 2 } else { 1 });
        }
    }

    /// A file reached through a link to a folder outside the bounds is refused as well.
    #[test]
    fn refuses_a_path_through_a_folder_link_outside_the_bounds() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("repo/.git")).unwrap();
        fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
        fs::write(dir.path().join("elsewhere/main.tf"), "original").unwrap();
        symlink(dir.path().join("elsewhere"), dir.path().join("repo/conf")).unwrap();

        let bounds = bounds(&dir.path().join("repo"));
        let path = dir.path().join("repo/conf/main.tf");
        let error = replace_file(&path, b"original", b"fixed", &bounds).unwrap_err();
        assert!(
            format!("{error:#}").contains("leads through a symbolic link to"),
            "{error:#}"
        );
        let text = fs::read_to_string(dir.path().join("elsewhere/main.tf")).unwrap();
        assert_eq!(text, "original");
    }
}
