//! Local Terraform modules on disk: the files of the modules a folder calls, and which folders
//! of a repository some local module call names.
//!
//! The engine judges a local module call (`source = "../modules/db"`) with the called module's
//! files, which the front-end reads here and gives it under the display paths that
//! `redline_syntax::terraform_eval::calls::local_source_folder` computes from the caller's, so
//! that the engine finds them by name. Sources are found by a scan of the text
//! (`calls::local_sources`), without parsing.
//!
//! Everything is bounded: a called folder is read only where its path, links resolved, stays
//! inside the bounds (the folders of the run and their git work tree), and at most
//! `MAX_CALL_DEPTH` levels, `MAX_CALLED_FOLDERS` folders and `MAX_CALLED_FILES` files are read
//! for one folder; a repository scan reads at most `MAX_SCANNED_FILES` files of at most
//! `MAX_SCANNED_FILE_SIZE` bytes each.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use redline_syntax::terraform_eval::calls::{local_source_folder, local_sources};

use crate::{Bounds, Resolution, SKIPPED_FOLDERS, decode, is_terraform_file, read_found_file};

/// How many levels of local calls are followed from a folder; the engine judges no deeper.
pub const MAX_CALL_DEPTH: usize = redline_engine::MAX_CALL_DEPTH;

/// How many called folders are read for one calling folder.
pub const MAX_CALLED_FOLDERS: usize = 64;

/// How many files of called folders are read for one calling folder.
pub const MAX_CALLED_FILES: usize = 1024;

/// How many Terraform files a repository scan for local calls reads.
pub const MAX_SCANNED_FILES: usize = 20_000;

/// The largest Terraform file a repository scan reads; a module call is near the top of a
/// hand-written file, and a larger file is generated.
pub const MAX_SCANNED_FILE_SIZE: u64 = 1024 * 1024;

/// A file of a called module, read for the engine.
#[derive(Clone, Debug)]
pub struct CalledFile {
    /// Where it is on disk.
    pub path: PathBuf,
    /// The display path the engine resolves the call's `source` to: the caller's display
    /// folder joined with the `source`, then the file name.
    pub display: String,
    /// Its text, shared with the other callers of its folder that read it through the same
    /// `SharedReads`.
    pub text: Arc<str>,
}

/// The called files already read in one run, by path, so that many folders calling the same
/// module (the examples of a published module) hold one copy of its text.
#[derive(Debug, Default)]
pub struct SharedReads {
    texts: Mutex<BTreeMap<PathBuf, Arc<str>>>,
}

/// What `read_called_modules` may read.
pub struct CalledModulesOptions<'a> {
    /// Called folders are read only where they lead inside these.
    pub bounds: &'a Bounds,
    /// The largest file read.
    pub max_file_size: u64,
    /// The text of a file the front-end holds in memory (an editor's open buffer), which wins
    /// over the file on disk.
    pub open_text: &'a dyn Fn(&Path) -> Option<String>,
    /// Texts read for earlier callers, reused and added to; `None` reads every file.
    pub shared: Option<&'a SharedReads>,
}

/// The folders of a repository that a local module call of another folder names, by canonical
/// path, so that a module meant to be called is told from a root.
#[derive(Clone, Debug, Default)]
pub struct CalledFolders {
    // Invariant: every path is canonical.
    folders: BTreeSet<PathBuf>,
    /// (calling folder, called folder), both canonical.
    calls: BTreeSet<(PathBuf, PathBuf)>,
    /// The local `source` values of each scanned file that writes one, by its path as given,
    /// in the order the file writes them.
    sources: BTreeMap<PathBuf, Vec<String>>,
}

/// The Terraform files (`.tf`, `.tf.json`) of the local modules that `texts` call, and of the
/// local modules those call, in breadth-first order. `texts` are the calling folder's files as
/// (display path, text); `folder` is that folder on disk and `display_folder` its display path
/// (`""` for the current folder). A folder outside the bounds, missing, already read (a cycle,
/// or the folder itself) or past a limit is left out.
pub fn read_called_modules(
    folder: &Path,
    display_folder: &str,
    texts: &[(&str, &str)],
    options: &CalledModulesOptions<'_>,
) -> Vec<CalledFile> {
    let sources = texts
        .iter()
        .flat_map(|(path, text)| local_sources(path, text))
        .collect();
    read_modules_called_by(folder, display_folder, sources, options)
}

/// The files of the local modules that `sources` (the local `source` values of the files of
/// `folder`, in their order) name, and of those they call, as `read_called_modules` reads
/// them.
pub fn read_modules_called_by(
    folder: &Path,
    display_folder: &str,
    sources: Vec<String>,
    options: &CalledModulesOptions<'_>,
) -> Vec<CalledFile> {
    let mut res: Vec<CalledFile> = Vec::new();
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    if let Ok(canonical) = fs::canonicalize(folder) {
        seen.insert(canonical);
    }
    // (folder on disk, display folder, sources it writes, depth)
    let mut pending: Vec<(PathBuf, String, Vec<String>, usize)> =
        vec![(folder.to_path_buf(), display_folder.to_owned(), sources, 0)];
    let mut next = 0;
    while let Some((from, from_display, sources, depth)) = pending.get(next).cloned() {
        next += 1;
        if depth >= MAX_CALL_DEPTH {
            continue;
        }
        for source in sources {
            if seen.len() > MAX_CALLED_FOLDERS || res.len() >= MAX_CALLED_FILES {
                return res;
            }
            let Some(display) = local_source_folder(&from_display, &source) else {
                continue;
            };
            let target = lexical(&from.join(source.replace('\\', "/")));
            let Ok(Resolution::Inside(canonical)) = options.bounds.resolve(&target) else {
                continue;
            };
            if !canonical.is_dir() || !seen.insert(canonical) {
                continue;
            }
            let files = read_terraform_files(&target, options, MAX_CALLED_FILES - res.len());
            let mut called_sources = Vec::new();
            for (path, text) in files {
                let name = path
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let file_display = if display.is_empty() {
                    name
                } else {
                    format!("{display}/{name}")
                };
                called_sources.extend(local_sources(&file_display, &text));
                res.push(CalledFile {
                    path,
                    display: file_display,
                    text,
                });
            }
            pending.push((target, display, called_sources, depth + 1));
        }
    }
    res
}

/// `folder` with its links and `.`/`..` steps resolved, as `CalledFolders` names folders: the
/// folder of `main.tf` is `.`, not the empty path, which names no folder.
pub fn canonical_folder(folder: &Path) -> Option<PathBuf> {
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    fs::canonicalize(folder).ok()
}

/// `path` with `.` and `..` steps resolved by name, without following links (the bounds
/// judge where links lead), so that a called file has the path an editor knows it by.
fn lexical(path: &Path) -> PathBuf {
    let mut res = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let climbs = matches!(
                    res.components().next_back(),
                    None | Some(Component::ParentDir)
                );
                if climbs || !res.pop() {
                    res.push("..");
                }
            }
            other => res.push(other),
        }
    }
    // A relative path that climbs back to where it started is the current folder, not an
    // empty path (which names no folder at all).
    if res.as_os_str().is_empty() {
        res.push(".");
    }
    res
}

/// The `.tf` and `.tf.json` files of `folder`, at most `limit`, in path order, where their
/// links lead inside the bounds; open buffers win over the disk.
fn read_terraform_files(
    folder: &Path,
    options: &CalledModulesOptions<'_>,
    limit: usize,
) -> Vec<(PathBuf, Arc<str>)> {
    let Ok(listing) = fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = listing
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| is_terraform_file(&name.to_string_lossy()))
        })
        .collect();
    paths.sort();
    paths.truncate(limit);
    paths
        .into_iter()
        .filter_map(|path| {
            if let Some(text) = (options.open_text)(&path) {
                return Some((path, Arc::from(text)));
            }
            let shared = options.shared.and_then(|shared| shared.texts.lock().ok());
            if let Some(text) = shared.as_ref().and_then(|texts| texts.get(&path)) {
                return Some((path, Arc::clone(text)));
            }
            drop(shared);
            let bytes = read_found_file(&path, options.bounds, options.max_file_size).ok()?;
            let text: Arc<str> = Arc::from(decode(bytes).ok()?.text);
            if let Some(mut texts) = options.shared.and_then(|shared| shared.texts.lock().ok()) {
                texts.insert(path.clone(), Arc::clone(&text));
            }
            Some((path, text))
        })
        .collect()
}

impl CalledFolders {
    /// The folders that the local calls of Terraform files name: each file given as (its path
    /// on disk, its text). Only folders that exist count.
    pub fn from_texts<'a>(files: impl IntoIterator<Item = (&'a Path, &'a str)>) -> Self {
        let mut res = CalledFolders::default();
        for (path, text) in files {
            res.add(path, text);
        }
        res
    }

    /// Scans the Terraform files below `root` (ignore files honoured, the folders `check`
    /// skips skipped, links followed only inside `bounds`) for local module calls, reading at
    /// most `MAX_SCANNED_FILES` files.
    pub fn scan(root: &Path, bounds: &Bounds) -> Self {
        let mut res = CalledFolders::default();
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .parents(true)
            .follow_links(false)
            .filter_entry(|entry| {
                let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
                !(entry.depth() > 0
                    && is_dir
                    && SKIPPED_FOLDERS.contains(&entry.file_name().to_string_lossy().as_ref()))
            })
            .build();
        let mut n_files = 0;
        for entry in walker.filter_map(Result::ok) {
            let path = entry.path();
            if !entry.file_type().is_some_and(|kind| kind.is_file())
                || !is_terraform_file(&path.to_string_lossy())
            {
                continue;
            }
            n_files += 1;
            if n_files > MAX_SCANNED_FILES {
                break;
            }
            let Ok(bytes) = read_found_file(path, bounds, MAX_SCANNED_FILE_SIZE) else {
                continue;
            };
            let Ok(source) = decode(bytes) else {
                continue;
            };
            res.add(path, &source.text);
        }
        res
    }

    /// Adds the folders that the local calls in `text` (the file at `path`) name.
    pub fn add(&mut self, path: &Path, text: &str) {
        let Some(folder) = path.parent() else {
            return;
        };
        let name = path.to_string_lossy();
        let sources = local_sources(&name, text);
        if sources.is_empty() {
            return;
        }
        let own = canonical_folder(folder);
        for source in &sources {
            if let Ok(called) = fs::canonicalize(folder.join(source.replace('\\', "/")))
                && called.is_dir()
                && Some(&called) != own.as_ref()
            {
                if let Some(own) = &own {
                    self.calls.insert((own.clone(), called.clone()));
                }
                self.folders.insert(called);
            }
        }
        self.sources.insert(path.to_path_buf(), sources);
    }

    /// The local `source` values that the file at `path` (as it was given to `add`) writes,
    /// in its order: none for a file not scanned.
    pub fn sources_of(&self, path: &Path) -> &[String] {
        self.sources.get(path).map_or(&[], Vec::as_slice)
    }

    /// Whether some local module call names `folder` (any path to it; links resolved). A
    /// folder's calls of itself do not count.
    pub fn contains(&self, folder: &Path) -> bool {
        canonical_folder(folder).is_some_and(|folder| self.folders.contains(&folder))
    }

    /// The local calls found, as (calling folder, called folder), both canonical, in path
    /// order.
    pub fn calls(&self) -> impl Iterator<Item = (&Path, &Path)> {
        self.calls
            .iter()
            .map(|(from, to)| (from.as_path(), to.as_path()))
    }

    /// Adds the folders `other` found.
    pub fn merge(&mut self, other: CalledFolders) {
        self.folders.extend(other.folders);
        self.calls.extend(other.calls);
        self.sources.extend(other.sources);
    }

    /// Whether no call was found.
    pub fn is_empty(&self) -> bool {
        self.folders.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn read(root: &Path, folder: &str, bounds: &Bounds) -> Vec<String> {
        let main = fs::read_to_string(root.join(folder).join("main.tf")).unwrap();
        let display = format!("{folder}/main.tf");
        let options = CalledModulesOptions {
            bounds,
            max_file_size: 1 << 20,
            open_text: &|_| None,
            shared: None,
        };
        read_called_modules(
            &root.join(folder),
            folder,
            &[(display.as_str(), main.as_str())],
            &options,
        )
        .into_iter()
        .map(|file| file.display)
        .collect()
    }

    #[test]
    fn called_modules_are_read_transitively_within_the_bounds() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        write(
            &root,
            "examples/complete/main.tf",
            "module \"db\" {\n  source = \"../../\"\n}\nmodule \"gone\" {\n  source = \"./missing\"\n}\nmodule \"self\" {\n  source = \"./\"\n}\n",
        );
        write(
            &root,
            "main.tf",
            "module \"db_instance\" {\n  source = \"./modules/db_instance\"\n}\nmodule \"back\" {\n  source = \"./examples/complete\"\n}\n",
        );
        write(&root, "terraform.tfvars", "x = 1\n");
        write(
            &root,
            "modules/db_instance/main.tf",
            "resource \"a\" \"b\" {}\n",
        );
        write(
            &root,
            "modules/db_instance/variables.tf",
            "variable \"v\" {}\n",
        );
        // A module outside the repository, and a link that leads there.
        write(
            dir.path(),
            "outside/main.tf",
            "resource \"a\" \"secret\" {}\n",
        );
        write(
            &root,
            "linked/main.tf",
            "module \"out\" {\n  source = \"../../outside\"\n}\nmodule \"via_link\" {\n  source = \"./link\"\n}\n",
        );
        std::os::unix::fs::symlink(dir.path().join("outside"), root.join("linked/link")).unwrap();
        let bounds = Bounds::new(std::slice::from_ref(&root), &root);
        assert_eq!(
            read(&root, "examples/complete", &bounds),
            [
                "main.tf",
                "modules/db_instance/main.tf",
                "modules/db_instance/variables.tf"
            ]
        );
        assert!(read(&root, "linked", &bounds).is_empty());
    }

    #[test]
    fn paths_are_resolved_by_name() {
        assert_eq!(lexical(Path::new("a/b/../../c")), Path::new("c"));
        assert_eq!(lexical(Path::new("../../x")), Path::new("../../x"));
        assert_eq!(lexical(Path::new("a/./../../x")), Path::new("../x"));
        assert_eq!(lexical(Path::new("/r/a/../b")), Path::new("/r/b"));
        assert_eq!(lexical(Path::new("examples/a/../..")), Path::new("."));
        assert_eq!(lexical(Path::new("./a/../")), Path::new("."));
    }

    #[test]
    fn called_folders_are_found_by_a_scan() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "envs/prod/main.tf",
            "module \"app\" {\n  source = \"../../modules/app\"\n}\nmodule \"me\" {\n  source = \"./\"\n}\n",
        );
        write(root, "modules/app/main.tf", "resource \"a\" \"b\" {}\n");
        write(root, "modules/unused/main.tf", "resource \"a\" \"b\" {}\n");
        write(
            root,
            ".terraform/modules/x/main.tf",
            "module \"y\" {\n  source = \"../../../modules/unused\"\n}\n",
        );
        let bounds = Bounds::new(&[root.to_path_buf()], root);
        let called = CalledFolders::scan(root, &bounds);
        assert!(called.contains(&root.join("modules/app")));
        assert!(called.contains(&root.join("envs/../modules/app")));
        assert!(!called.contains(&root.join("modules/unused")));
        assert!(!called.contains(&root.join("envs/prod")));
    }
}
