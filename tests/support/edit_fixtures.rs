//! The before/after fixture pairs of the rules that judge an edit, for end-to-end tests.

use std::path::{Path, PathBuf};

/// The rule fixtures that judge an edit: `(rule folder, kind, extension, base, new)` for every
/// `<kind>.before.<ext>` beside `<kind>.<ext>` (single-file pairs; folder cases are covered by
/// the rules' own tests).
pub fn edit_fixture_pairs() -> Vec<(String, String, String, String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../redline-rules/tests/fixtures");
    let mut res = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let Some((kind, ext)) = name.split_once(".before.") else {
                continue;
            };
            let new_path = path.with_file_name(format!("{kind}.{ext}"));
            if !new_path.exists() {
                continue;
            }
            let rule = folder.file_name().unwrap().to_str().unwrap().to_owned();
            res.push((
                rule,
                kind.to_owned(),
                ext.to_owned(),
                std::fs::read_to_string(&path).unwrap(),
                std::fs::read_to_string(&new_path).unwrap(),
            ));
        }
    }
    res
}
