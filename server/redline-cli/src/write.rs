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
    temp.write_all(new_bytes)
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
