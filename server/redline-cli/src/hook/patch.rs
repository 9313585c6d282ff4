//! Codex `apply_patch` envelopes, applied in memory.
//!
//! The format, as Codex's `apply_patch` tool defines it:
//!
//! ```text
//! *** Begin Patch
//! *** Add File: PATH          then `+` lines: the new file
//! *** Delete File: PATH
//! *** Update File: PATH
//! *** Move to: NEW_PATH       optional, renames the file
//! @@ HEADER                   optional header, a line to find before the hunk
//!  context / -old / +new      hunk lines
//! *** End of File             optional
//! *** End Patch
//! ```
//!
//! Hunks are found as Codex finds them: the old lines exactly, then ignoring trailing
//! whitespace, then ignoring surrounding whitespace, searching forward from the previous hunk.

use std::path::{Path, PathBuf};

/// One file a patch changes.
#[derive(Debug, PartialEq, Eq)]
pub struct FileChange {
    /// The file, joined to the call's folder.
    pub path: PathBuf,
    /// Its text after the patch; `None` when the patch deletes (or moves) it.
    pub proposed: Option<String>,
    /// The file it was moved from (`*** Move to:`), joined to the call's folder.
    pub moved_from: Option<PathBuf>,
}

/// The files `patch` changes and their new text, read from disk under `cwd`; `None` when the
/// patch is malformed or does not apply, which Codex refuses as well.
pub fn apply(patch: &str, cwd: &Path) -> Option<Vec<FileChange>> {
    let operations = parse(patch)?;
    let mut res = Vec::new();
    for operation in operations {
        match operation {
            Operation::Add { path, content } => res.push(FileChange {
                path: cwd.join(path),
                proposed: Some(content),
                moved_from: None,
            }),
            Operation::Delete { path } => res.push(FileChange {
                path: cwd.join(path),
                proposed: None,
                moved_from: None,
            }),
            Operation::Update {
                path,
                move_to,
                hunks,
            } => {
                let current = std::fs::read_to_string(cwd.join(&path)).ok()?;
                let proposed = apply_hunks(&current, &hunks)?;
                match move_to {
                    Some(target) => {
                        res.push(FileChange {
                            path: cwd.join(&path),
                            proposed: None,
                            moved_from: None,
                        });
                        res.push(FileChange {
                            path: cwd.join(target),
                            proposed: Some(proposed),
                            moved_from: Some(cwd.join(path)),
                        });
                    }
                    None => res.push(FileChange {
                        path: cwd.join(path),
                        proposed: Some(proposed),
                        moved_from: None,
                    }),
                }
            }
        }
    }
    Some(res)
}

#[derive(Debug)]
enum Operation {
    Add {
        path: String,
        content: String,
    },
    Delete {
        path: String,
    },
    Update {
        path: String,
        move_to: Option<String>,
        hunks: Vec<Hunk>,
    },
}

#[derive(Debug, Default)]
struct Hunk {
    header: Option<String>,
    old: Vec<String>,
    new: Vec<String>,
}

fn parse(patch: &str) -> Option<Vec<Operation>> {
    // The envelope may come wrapped (a heredoc given to the shell tool): keep what is inside.
    let start = patch.find("*** Begin Patch")?;
    let body = &patch[start..];
    let mut lines = body.lines().skip(1).peekable();
    let mut res = Vec::new();
    loop {
        let line = lines.next()?;
        if line.trim_end() == "*** End Patch" {
            return Some(res);
        }
        if let Some(path) = line.strip_prefix("*** Add File: ") {
            let mut content = String::new();
            while let Some(added) = lines.peek().and_then(|line| line.strip_prefix('+')) {
                content.push_str(added);
                content.push('\n');
                lines.next();
            }
            res.push(Operation::Add {
                path: path.trim().to_owned(),
                content,
            });
        } else if let Some(path) = line.strip_prefix("*** Delete File: ") {
            res.push(Operation::Delete {
                path: path.trim().to_owned(),
            });
        } else if let Some(path) = line.strip_prefix("*** Update File: ") {
            let move_to = lines
                .peek()
                .and_then(|line| line.strip_prefix("*** Move to: "))
                .map(|target| target.trim().to_owned());
            if move_to.is_some() {
                lines.next();
            }
            let mut hunks: Vec<Hunk> = Vec::new();
            while let Some(line) = lines.peek() {
                if line.starts_with("*** ") && line.trim_end() != "*** End of File" {
                    break;
                }
                let line = lines.next()?;
                if let Some(header) = line.strip_prefix("@@") {
                    let header = header.trim();
                    hunks.push(Hunk {
                        header: (!header.is_empty()).then(|| header.to_owned()),
                        ..Hunk::default()
                    });
                    continue;
                }
                if line.trim_end() == "*** End of File" {
                    continue;
                }
                if hunks.is_empty() {
                    hunks.push(Hunk::default());
                }
                let hunk = hunks.last_mut()?;
                match line.chars().next() {
                    Some('+') => hunk.new.push(line[1..].to_owned()),
                    Some('-') => hunk.old.push(line[1..].to_owned()),
                    Some(' ') => {
                        hunk.old.push(line[1..].to_owned());
                        hunk.new.push(line[1..].to_owned());
                    }
                    // An empty line in a hunk is an empty context line.
                    None => {
                        hunk.old.push(String::new());
                        hunk.new.push(String::new());
                    }
                    Some(_) => return None,
                }
            }
            res.push(Operation::Update {
                path: path.trim().to_owned(),
                move_to,
                hunks,
            });
        } else if !line.trim().is_empty() {
            return None;
        }
    }
}

fn apply_hunks(current: &str, hunks: &[Hunk]) -> Option<String> {
    let mut lines: Vec<String> = current.lines().map(str::to_owned).collect();
    let mut position = 0;
    for hunk in hunks {
        if let Some(header) = &hunk.header {
            // A header names a line (a function, a block) the hunk comes after.
            if let Some(found) = seek(&lines, std::slice::from_ref(header), position) {
                position = found + 1;
            }
        }
        let at = if hunk.old.is_empty() {
            // Pure additions go at the end of the file, as Codex puts them.
            lines.len()
        } else {
            seek(&lines, &hunk.old, position)?
        };
        lines.splice(at..at + hunk.old.len(), hunk.new.iter().cloned());
        position = at + hunk.new.len();
    }
    let mut res = lines.join("\n");
    res.push('\n');
    Some(res)
}

/// Where `pattern` starts in `lines` at or after `from`: exactly, then ignoring trailing
/// whitespace, then ignoring surrounding whitespace.
fn seek(lines: &[String], pattern: &[String], from: usize) -> Option<usize> {
    let normalisations: [fn(&str) -> &str; 3] = [|line| line, str::trim_end, str::trim];
    normalisations.iter().find_map(|normalise| {
        (from..=lines.len().checked_sub(pattern.len())?).find(|&start| {
            pattern
                .iter()
                .zip(&lines[start..])
                .all(|(expected, line)| normalise(expected) == normalise(line))
        })
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn update_add_delete_and_move_apply_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.tf"), "one\ntwo\nthree\nfour\n").unwrap();
        std::fs::write(dir.path().join("b.txt"), "x\n").unwrap();
        let patch = "*** Begin Patch\n*** Update File: a.tf\n@@\n one\n-two\n+TWO\n three  \n@@ three\n-four\n+FOUR\n*** Add File: new.txt\n+hello\n*** Delete File: gone.txt\n*** Update File: b.txt\n*** Move to: c.txt\n@@\n-x\n+y\n*** End Patch\n";
        let changes = apply(patch, dir.path()).unwrap();
        let summary: Vec<(String, Option<&str>)> = changes
            .iter()
            .map(|change| {
                (
                    change
                        .path
                        .strip_prefix(dir.path())
                        .unwrap()
                        .display()
                        .to_string(),
                    change.proposed.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                // Context lines are written as the patch has them, as Codex writes them.
                ("a.tf".to_owned(), Some("one\nTWO\nthree  \nFOUR\n")),
                ("new.txt".to_owned(), Some("hello\n")),
                ("gone.txt".to_owned(), None),
                ("b.txt".to_owned(), None),
                ("c.txt".to_owned(), Some("y\n")),
            ]
        );
        // The file on disk is untouched.
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.tf")).unwrap(),
            "one\ntwo\nthree\nfour\n"
        );
    }

    #[test]
    fn patches_that_do_not_apply_are_none() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.tf"), "one\n").unwrap();
        for patch in [
            "not a patch",
            "*** Begin Patch\n*** Update File: a.tf\n@@\n-missing\n+x\n*** End Patch\n",
            "*** Begin Patch\n*** Update File: absent.tf\n@@\n-one\n*** End Patch\n",
            "*** Begin Patch\n*** Add File: x\n+y\n",
            "*** Begin Patch\n*** Frobnicate: x\n*** End Patch\n",
        ] {
            assert_eq!(apply(patch, dir.path()), None, "{patch}");
        }
    }
}
