//! `redline diff`: judge an edit, not only the snapshot. Compares the working tree with a git
//! revision, or one file or folder with another, and reports what the change introduced.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use rayon::prelude::*;
use redline_engine::{
    AnalysisOptions, ChangeInput, FixMode, Report as Reported, analyze_change, fix_text,
};
use redline_rules::BASE_PREFIX;
use redline_syntax::SourceHints;
use redline_syntax::detect::is_candidate_path;
use redline_workspace::git::Repository;
use redline_workspace::modules::{CalledFolders, CalledModulesOptions, read_called_modules};
use redline_workspace::{
    Bounds, DiscoverOptions, FileJob, FileProblem, LoadedConfig, ProblemKind, decode, discover,
    file_jobs, is_module_file, is_terraform_file, read_source,
};

use crate::Exit;
use crate::args::DiffArgs;
use crate::check::{note_fixes_applied, unified_diff, write_diffs, write_fixed};
use crate::emit::{self, ReportOptions};
use crate::findings::{self, Finding};
use crate::output::Replace;
use crate::render;
use crate::report::Report;
use crate::write::Written;

/// One file of the comparison, read and ready for the engine.
pub(crate) struct Prepared {
    /// The file on the new side (for a deleted file, where it was).
    pub job: FileJob,
    /// The text before the change; `None` for a new file.
    pub base: Option<String>,
    /// The text after the change; `None` for a deleted file.
    pub new: Option<String>,
    /// Whether findings in this file are reported; other files are context (the rest of a
    /// Terraform module, or changed files outside the requested paths).
    pub reported: bool,
}

/// What to compare.
enum Mode<'a> {
    /// The working tree against a git revision, restricted to some paths.
    Git,
    /// An old and a new file, or an old and a new folder.
    Paths { old: &'a Path, new: &'a Path },
}

pub fn run(args: &DiffArgs) -> anyhow::Result<Exit> {
    let cwd = std::env::current_dir().context("cannot determine the current folder")?;
    let cwd = cwd.canonicalize().unwrap_or(cwd);
    let (prepared, mut errors, modules) = match mode(args) {
        Mode::Git => git_inputs(args, &cwd)?,
        Mode::Paths { old, new } => {
            let (prepared, errors) = path_inputs(args, &cwd, old, new)?;
            let bounds = Bounds::new(&[new.to_path_buf()], &cwd);
            let modules = Modules {
                together: true,
                ..Modules::scan(new, bounds)
            };
            (prepared, errors, modules)
        }
    };
    let report = if args.all {
        Reported::All
    } else {
        Reported::Introduced
    };
    let fix = (args.fix || args.diff).then_some(Fixing {
        mode: if args.unsafe_fixes {
            FixMode::Unsafe
        } else {
            FixMode::Safe
        },
        write: !args.diff,
    });
    let mut analysed = analyse(&prepared, report, &modules, fix);
    analysed.findings.sort_by(|a, b| a.path.cmp(&b.path));
    errors.append(&mut analysed.problems);

    emit::note_problems(&mut errors);
    if args.diff {
        let io_failed = errors.iter().any(|error| error.kind == ProblemKind::Io);
        return write_diffs(args.report.output.as_deref(), &analysed.diffs, io_failed);
    }
    if args.fix {
        note_fixes_applied(analysed.fixes_applied);
    }
    let report = Report {
        findings: analysed.findings,
        errors,
        files: analysed.files,
    };
    let color = emit::use_color(args.color, args.report.output.as_deref());
    emit::write_report(
        report,
        render::for_format(args.report.format, color)?,
        ReportOptions::from_args(&args.report, Replace::InPlace),
    )
}

/// Two paths that both exist, both files or both folders, and no revision: OLD NEW mode.
/// Anything else compares with git, so `redline diff --base HEAD a.tf b.tf` (as a pre-commit
/// hook runs it) restricts the git comparison to two files.
fn mode(args: &DiffArgs) -> Mode<'_> {
    if args.base.is_none()
        && args.merge_base.is_none()
        && let [old, new] = args.paths.as_slice()
        && let (Ok(old_meta), Ok(new_meta)) = (std::fs::metadata(old), std::fs::metadata(new))
        && ((old_meta.is_file() && new_meta.is_file()) || (old_meta.is_dir() && new_meta.is_dir()))
    {
        return Mode::Paths { old, new };
    }
    Mode::Git
}

/// What the Terraform modules of a comparison need from the repository around them.
pub(crate) struct Modules {
    /// The folders that a local module call names: modules meant to be called.
    pub called: CalledFolders,
    /// Where the files of called modules may be read.
    pub bounds: Bounds,
    /// Whether the files other than Terraform's are judged together wherever they are (two
    /// folders compared: a Kubernetes object moved to another subfolder is not removed),
    /// rather than folder by folder.
    pub together: bool,
}

impl Modules {
    /// The modules of the repository (or folder) at `root`, read within `bounds`.
    pub(crate) fn scan(root: &Path, bounds: Bounds) -> Modules {
        Modules {
            called: CalledFolders::scan(root, &bounds),
            bounds,
            together: false,
        }
    }
}

/// How `redline diff --fix` and `--diff` fix the new side of an edit.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fixing {
    /// Which fixes to apply.
    pub mode: FixMode,
    /// Whether to write the fixed files (`--fix`), or only show the fixes as diffs (`--diff`).
    pub write: bool,
}

/// What `analyse` found, and what fixing did.
#[derive(Default)]
pub(crate) struct Analysed {
    /// The findings of reported files (after fixing, with `--fix`).
    pub findings: Vec<Finding>,
    /// How many changed files were analysed.
    pub files: usize,
    /// How many fixes were applied.
    pub fixes_applied: usize,
    /// The fixes as unified diffs, with `--diff`.
    pub diffs: String,
    /// Files that could not be written.
    pub problems: Vec<FileProblem>,
}

/// Analyses the prepared files: one engine call per configuration and folder, since a
/// Terraform module is a folder and files of different folders never see each other, except
/// the files of the local modules a folder calls, which are read (from the comparison when it
/// holds them, else from disk) and given to the engine beside the folder's. With `fix`, the new
/// side of each reported file is fixed as `check --fix` fixes a file, each round judged
/// against the same base, and the findings are those that remain.
pub(crate) fn analyse(
    prepared: &[Prepared],
    report: Reported,
    modules: &Modules,
    fix: Option<Fixing>,
) -> Analysed {
    // A configuration is known by where it was loaded from: jobs made by separate walks (the
    // files of a folder, its tfvars, the files an edit deletes) hold separate copies of it.
    type ConfigKey<'p> = (Option<&'p Path>, &'p Path);
    let mut groups: BTreeMap<(ConfigKey<'_>, &str), Vec<&Prepared>> = BTreeMap::new();
    for file in prepared {
        let config = (
            file.job.config.path.as_deref(),
            file.job.config.root.as_path(),
        );
        let folder = if modules.together && !is_module_file(&file.job.display) {
            ""
        } else {
            parent(&file.job.display)
        };
        groups.entry((config, folder)).or_default().push(file);
    }
    let options = AnalysisOptions {
        today: Some(redline_workspace::today()),
        select: None,
    };
    let groups: Vec<Vec<&Prepared>> = groups.into_values().collect();
    let results: Vec<Analysed> = groups
        .par_iter()
        .map(|files| {
            let called = called_files(files, prepared, modules);
            let is_called = files
                .iter()
                .find(|file| is_terraform_file(&file.job.display))
                .and_then(|file| file.job.path.parent())
                .is_some_and(|folder| modules.called.contains(folder));
            let inputs: Vec<ChangeInput<'_>> = files
                .iter()
                .map(|file| ChangeInput {
                    path: &file.job.display,
                    base: file.base.as_deref(),
                    new: file.new.as_deref(),
                    hints: SourceHints {
                        called_module: is_called && is_terraform_file(&file.job.display),
                        ..file.job.hints
                    },
                    config_relative_path: Some(&file.job.config_relative),
                })
                .chain(called.iter().map(|(path, base, new)| ChangeInput {
                    path,
                    base: base.as_deref(),
                    new: new.as_deref(),
                    hints: SourceHints::default(),
                    config_relative_path: None,
                }))
                .collect();
            let config = &files[0].job.config.config;
            let mut analyses = analyze_change(&inputs, config, &options, report);
            let mut res = Analysed::default();
            // The fixed texts, by input; each file's fixes are judged with the files fixed
            // before it.
            let mut fixed: Vec<Option<String>> = vec![None; inputs.len()];
            if let Some(fix) = fix {
                for (index, file) in files.iter().enumerate() {
                    let Some(new) = file.new.as_deref() else {
                        continue;
                    };
                    if !file.reported || !inputs[index].is_changed() {
                        continue;
                    }
                    let outcome = fix_text(new, fix.mode, |text| {
                        let mut round: Vec<ChangeInput<'_>> = inputs
                            .iter()
                            .zip(&fixed)
                            .map(|(input, fixed)| ChangeInput {
                                new: fixed.as_deref().or(input.new),
                                ..*input
                            })
                            .collect();
                        round[index].new = Some(text);
                        analyze_change(&round, config, &options, report).swap_remove(index)
                    });
                    if outcome.applied == 0 {
                        continue;
                    }
                    if !fix.write {
                        res.diffs
                            .push_str(&unified_diff(&file.job.display, new, &outcome.text));
                    } else if let Err(error) = write_new_side(file, new, &outcome.text, modules) {
                        res.problems.push(FileProblem {
                            path: file.job.display.clone(),
                            message: format!("{error:#}"),
                            kind: ProblemKind::Io,
                        });
                        continue;
                    }
                    res.fixes_applied += outcome.applied;
                    analyses[index] = outcome.analysis;
                    fixed[index] = Some(outcome.text);
                }
            }
            // Related places point into the new side of the other files, or into the base of
            // a file (`base:main.tf`).
            let base_paths: Vec<String> = inputs
                .iter()
                .map(|input| format!("{BASE_PREFIX}{}", input.path))
                .collect();
            let others: Vec<(&str, &str)> = inputs
                .iter()
                .zip(&fixed)
                .filter_map(|(input, fixed)| Some((input.path, fixed.as_deref().or(input.new)?)))
                .chain(
                    inputs
                        .iter()
                        .zip(&base_paths)
                        .filter_map(|(input, path)| Some((path.as_str(), input.base?))),
                )
                .collect();
            for (((file, input), analysis), fixed) in
                files.iter().zip(&inputs).zip(analyses).zip(&fixed)
            {
                if !file.reported || !input.is_changed() {
                    continue;
                }
                res.files += usize::from(analysis.format.is_some());
                res.findings.extend(findings::from_diagnostics(
                    &file.job.display,
                    fixed.as_deref().or(file.new.as_deref()).unwrap_or(""),
                    &analysis.diagnostics,
                    &others,
                ));
            }
            res
        })
        .collect();
    let mut res = Analysed::default();
    for mut found in results {
        res.findings.append(&mut found.findings);
        res.files += found.files;
        res.fixes_applied += found.fixes_applied;
        res.diffs.push_str(&found.diffs);
        res.problems.append(&mut found.problems);
    }
    res
}

/// Writes the fixed new side of a file over the file it was read from, if it still holds what
/// was read (with or without a byte order mark).
fn write_new_side(
    file: &Prepared,
    read: &str,
    fixed: &str,
    modules: &Modules,
) -> anyhow::Result<()> {
    let on_disk = std::fs::read(&file.job.path)
        .with_context(|| format!("cannot read {}", file.job.path.display()))?;
    let had_bom = on_disk.starts_with("\u{feff}".as_bytes());
    let bounds = file.job.bounds.as_deref().unwrap_or(&modules.bounds);
    match write_fixed(&file.job.path, read, fixed, had_bom, bounds)? {
        Written::Replaced | Written::AlreadyFixed => Ok(()),
    }
}

/// The files of the local modules that the changed Terraform files of one folder call, as
/// (display path, base, new): the comparison's own sides when it holds the file, else the text
/// on disk on both sides.
fn called_files(
    files: &[&Prepared],
    prepared: &[Prepared],
    modules: &Modules,
) -> Vec<(String, Option<String>, Option<String>)> {
    let terraform: Vec<&&Prepared> = files
        .iter()
        .filter(|file| is_terraform_file(&file.job.display))
        .collect();
    let Some(first) = terraform.first() else {
        return Vec::new();
    };
    if !terraform.iter().any(|file| file.base != file.new) {
        return Vec::new();
    }
    let Some(folder) = first.job.path.parent() else {
        return Vec::new();
    };
    let texts: Vec<(&str, &str)> = terraform
        .iter()
        .filter_map(|file| Some((file.job.display.as_str(), file.new.as_deref()?)))
        .collect();
    let open_text = |path: &Path| {
        prepared
            .iter()
            .find(|file| file.job.path == path)
            .and_then(|file| file.new.clone())
    };
    let options = CalledModulesOptions {
        bounds: &modules.bounds,
        max_file_size: first.job.config.config.max_file_size,
        open_text: &open_text,
        shared: None,
    };
    read_called_modules(folder, parent(&first.job.display), &texts, &options)
        .into_iter()
        .map(
            |file| match prepared.iter().find(|other| other.job.path == file.path) {
                Some(other) => (file.display, other.base.clone(), other.new.clone()),
                None => (
                    file.display,
                    Some(file.text.to_string()),
                    Some(file.text.to_string()),
                ),
            },
        )
        .collect()
}

/// The working tree against a revision.
fn git_inputs(
    args: &DiffArgs,
    cwd: &Path,
) -> anyhow::Result<(Vec<Prepared>, Vec<FileProblem>, Modules)> {
    let restrict: Vec<PathBuf> = args.paths.iter().map(|path| real_path(path, cwd)).collect();
    let anchor = match restrict.first() {
        Some(path) => {
            let existing = existing_ancestor(path);
            if existing.is_dir() {
                existing
            } else {
                existing
                    .parent()
                    .map_or(existing.clone(), Path::to_path_buf)
            }
        }
        None => cwd.to_path_buf(),
    };
    let repository = Repository::discover(&anchor)?;
    for (path, given) in restrict.iter().zip(&args.paths) {
        if !path.starts_with(&repository.root) {
            bail!(
                "{} is outside the git repository at {}",
                given.display(),
                repository.root.display()
            );
        }
    }
    let base = match (&args.merge_base, &args.base) {
        (Some(reference), _) => repository.merge_base(reference)?,
        (None, revision) => repository.resolve(revision.as_deref().unwrap_or("HEAD"))?,
    };
    // Variable definitions files are no candidates of their own, but an edit of one is an
    // edit of its module's values.
    let changed: Vec<_> = repository
        .changed_files(&base)?
        .into_iter()
        .filter(|file| is_candidate_path(&file.path) || is_module_file(&file.path))
        .collect();

    // Selected changes, then the other files of each Terraform module they touch: the
    // engine needs the whole folder to tell a block moved to another file from one removed.
    let selected: Vec<bool> = changed
        .iter()
        .map(|file| {
            let absolute = repository.root.join(&file.path);
            restrict.is_empty() || restrict.iter().any(|root| absolute.starts_with(root))
        })
        .collect();
    let module_folders: BTreeSet<&str> = changed
        .iter()
        .zip(&selected)
        .filter(|(file, selected)| **selected && is_module_file(&file.path))
        .map(|(file, _)| parent(&file.path))
        .collect();
    let mut entries: Vec<(usize, bool)> = Vec::new();
    for (index, file) in changed.iter().enumerate() {
        if selected[index] {
            entries.push((index, true));
        } else if is_module_file(&file.path) && module_folders.contains(parent(&file.path)) {
            entries.push((index, false));
        }
    }
    let changed_paths: HashSet<&str> = changed.iter().map(|file| file.path.as_str()).collect();
    let mut unchanged_siblings = Vec::new();
    for folder in &module_folders {
        // Links are kept here and judged by `read_source` against the repository's bounds.
        let names = redline_workspace::folder_files(&repository.root.join(folder), is_module_file);
        for name in names
            .iter()
            .filter_map(|path| path.file_name())
            .map(|name| name.to_string_lossy().into_owned())
        {
            let path = if folder.is_empty() {
                name
            } else {
                format!("{folder}/{name}")
            };
            if !changed_paths.contains(path.as_str()) {
                unchanged_siblings.push(path);
            }
        }
    }

    let paths: Vec<PathBuf> = entries
        .iter()
        .map(|(index, _)| repository.root.join(&changed[*index].path))
        .chain(
            unchanged_siblings
                .iter()
                .map(|path| repository.root.join(path)),
        )
        .collect();
    let mut jobs = file_jobs(&paths, args.config.as_deref(), cwd)?;
    // Git and the folder listing found these files, the user did not name them: like files
    // found by walking, they are read only where they lead inside the repository.
    let bounds = Arc::new(Bounds::new(std::slice::from_ref(&repository.root), cwd));
    for job in jobs.iter_mut().flatten() {
        job.bounds = Some(Arc::clone(&bounds));
    }
    let (changed_jobs, sibling_jobs) = jobs.split_at(entries.len());

    let mut wanted: Vec<(usize, &FileJob, bool)> = Vec::new();
    for ((index, reported), job) in entries.iter().zip(changed_jobs) {
        if let Some(job) = job {
            wanted.push((*index, job, *reported));
        }
    }
    let blobs: Vec<&str> = wanted
        .iter()
        .filter_map(|(index, _, _)| changed[*index].base_blob.as_deref())
        .collect();
    let max_size = wanted
        .iter()
        .map(|(_, job, _)| job.config.config.max_file_size)
        .max()
        .unwrap_or(u64::MAX);
    // Git reads the base texts on a thread of its own while the working tree is read (and,
    // when a Terraform module changed, scanned for the folders local calls name) on every
    // core: neither waits for the other.
    let scan_modules = !module_folders.is_empty();
    let (contents, (read, siblings, modules)) = std::thread::scope(|scope| {
        let contents = scope.spawn(|| repository.read_blobs(&blobs, max_size));
        let read_tree = || {
            let read: Vec<Result<Option<String>, FileProblem>> = wanted
                .par_iter()
                .map(|(index, job, _)| {
                    if changed[*index].deleted {
                        Ok(None)
                    } else {
                        read_source(job).map(|source| source.map(|source| source.text))
                    }
                })
                .collect();
            let siblings: Vec<Option<String>> = sibling_jobs
                .par_iter()
                .map(|job| match job {
                    Some(job) => read_source(job).ok().flatten().map(|source| source.text),
                    None => None,
                })
                .collect();
            (read, siblings)
        };
        // Which folders local module calls name is a question about the whole repository,
        // asked only when a Terraform module changed.
        let scan = || {
            if scan_modules {
                Modules::scan(&repository.root, (*bounds).clone())
            } else {
                Modules {
                    called: CalledFolders::default(),
                    bounds: (*bounds).clone(),
                    together: false,
                }
            }
        };
        let ((read, siblings), modules) = rayon::join(read_tree, scan);
        let contents = contents
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (contents, (read, siblings, modules))
    });
    let mut contents = contents?.into_iter();

    let mut problems = Vec::new();
    let mut prepared = Vec::with_capacity(wanted.len() + sibling_jobs.len());
    for ((index, job, reported), new) in wanted.iter().zip(read) {
        let file = &changed[*index];
        let base = match &file.base_blob {
            Some(_) => {
                let bytes = contents.next().flatten();
                match base_text(bytes, job) {
                    Ok(text) => Some(text),
                    Err(problem) => {
                        if *reported {
                            problems.push(problem);
                        }
                        continue;
                    }
                }
            }
            None => None,
        };
        let new = match new {
            Ok(Some(text)) => Some(text),
            Ok(None) if file.deleted => None,
            Ok(None) => continue,
            Err(problem) => {
                if *reported {
                    problems.push(problem);
                }
                continue;
            }
        };
        prepared.push(Prepared {
            job: (*job).clone(),
            base,
            new,
            reported: *reported,
        });
    }
    for (job, text) in sibling_jobs.iter().zip(siblings) {
        if let (Some(job), Some(text)) = (job, text) {
            prepared.push(Prepared {
                job: job.clone(),
                base: Some(text.clone()),
                new: Some(text),
                reported: false,
            });
        }
    }
    Ok((prepared, problems, modules))
}

/// One file against another, or one folder against another (files matched by their path
/// relative to each folder).
fn path_inputs(
    args: &DiffArgs,
    cwd: &Path,
    old: &Path,
    new: &Path,
) -> anyhow::Result<(Vec<Prepared>, Vec<FileProblem>)> {
    let mut problems = Vec::new();
    if std::fs::metadata(old).is_ok_and(|meta| meta.is_file()) {
        let jobs = file_jobs(
            &[old.to_path_buf(), new.to_path_buf()],
            args.config.as_deref(),
            cwd,
        )?;
        let [Some(old_job), Some(new_job)] = jobs.as_slice() else {
            return Ok((Vec::new(), problems));
        };
        let mut prepared = Vec::new();
        if let (Some(base), Some(text)) = (
            read_or_note(old_job, &mut problems),
            read_or_note(new_job, &mut problems),
        ) {
            prepared.push(Prepared {
                job: new_job.clone(),
                base: Some(base),
                new: Some(text),
                reported: true,
            });
        }
        return Ok((prepared, problems));
    }

    let walk = |root: &Path| -> anyhow::Result<BTreeMap<String, FileJob>> {
        let discovery = discover(&DiscoverOptions {
            paths: &[root.to_path_buf()],
            config_file: args.config.as_deref(),
            cwd,
        })?;
        let mut res: BTreeMap<String, FileJob> = discovery
            .files
            .into_iter()
            .filter_map(|job| {
                let relative = job.path.strip_prefix(root).ok()?;
                Some((relative.to_string_lossy().replace('\\', "/"), job))
            })
            .collect();
        add_variable_definitions(root, &mut res, args.config.as_deref(), cwd)?;
        Ok(res)
    };
    let old_files = walk(old)?;
    let mut new_files = walk(new)?;
    let only_old: Vec<&String> = old_files
        .keys()
        .filter(|relative| !new_files.contains_key(*relative))
        .collect();
    let deleted_paths: Vec<PathBuf> = only_old.iter().map(|relative| new.join(relative)).collect();
    let deleted_jobs = file_jobs(&deleted_paths, args.config.as_deref(), cwd)?;
    let mut deleted: BTreeMap<String, FileJob> = BTreeMap::new();
    for (relative, job) in only_old.into_iter().zip(deleted_jobs) {
        if let Some(job) = job {
            deleted.insert(relative.clone(), job);
        }
    }
    let relatives: BTreeSet<String> = old_files.keys().chain(new_files.keys()).cloned().collect();
    let mut prepared = Vec::new();
    for relative in relatives {
        let base = match old_files.get(&relative) {
            Some(job) => match read_or_note(job, &mut problems) {
                Some(text) => Some(text),
                None => continue,
            },
            None => None,
        };
        let (job, text) = match new_files.remove(&relative) {
            Some(job) => match read_or_note(&job, &mut problems) {
                Some(text) => (job, Some(text)),
                None => continue,
            },
            None => match deleted.remove(&relative) {
                Some(job) => (job, None),
                None => continue,
            },
        };
        prepared.push(Prepared {
            job,
            base,
            new: text,
            reported: true,
        });
    }
    Ok((prepared, problems))
}

/// Adds to `files` (discovered below `root`, by relative path) the variable definitions files
/// Terraform loads (`terraform.tfvars`, `*.auto.tfvars` and their `.json` forms) of each folder
/// that holds a Terraform file. Discovery leaves them out, since they hold nothing to report
/// on their own, but they are the module's input: an edit of one can replace or destroy the
/// module's resources, and the engine reports that in the edited file.
fn add_variable_definitions(
    root: &Path,
    files: &mut BTreeMap<String, FileJob>,
    config_file: Option<&Path>,
    cwd: &Path,
) -> anyhow::Result<()> {
    let folders: BTreeSet<String> = files
        .keys()
        .filter(|relative| is_terraform_file(relative))
        .map(|relative| parent(relative).to_owned())
        .collect();
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    for folder in &folders {
        let Ok(listing) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        let mut names: Vec<String> = listing
            .filter_map(Result::ok)
            .filter(|entry| {
                entry
                    .file_type()
                    .is_ok_and(|kind| kind.is_file() || kind.is_symlink())
            })
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| is_module_file(name) && !is_terraform_file(name))
            .collect();
        names.sort();
        for name in names {
            let relative = if folder.is_empty() {
                name
            } else {
                format!("{folder}/{name}")
            };
            if !files.contains_key(&relative) {
                found.push((relative.clone(), root.join(&relative)));
            }
        }
    }
    let paths: Vec<PathBuf> = found.iter().map(|(_, path)| path.clone()).collect();
    // Found by listing, not named: read only where they lead inside the folder compared.
    let bounds = Arc::new(Bounds::new(&[root.to_path_buf()], cwd));
    for ((relative, _), job) in found.into_iter().zip(file_jobs(&paths, config_file, cwd)?) {
        if let Some(mut job) = job {
            job.bounds = Some(Arc::clone(&bounds));
            files.insert(relative, job);
        }
    }
    Ok(())
}

fn read_or_note(job: &FileJob, problems: &mut Vec<FileProblem>) -> Option<String> {
    match read_source(job) {
        Ok(source) => source.map(|source| source.text),
        Err(problem) => {
            problems.push(problem);
            None
        }
    }
}

/// A base blob as text, refused as `read_source` refuses a working-tree file.
fn base_text(bytes: Option<Vec<u8>>, job: &FileJob) -> Result<String, FileProblem> {
    let config: &LoadedConfig = &job.config;
    let problem = |message: String| FileProblem {
        path: job.display.clone(),
        message,
        kind: ProblemKind::Skipped,
    };
    let Some(bytes) = bytes.filter(|bytes| bytes.len() as u64 <= config.config.max_file_size)
    else {
        return Err(problem(format!(
            "the base version is over the {}-byte `max_file_size`: skipped",
            config.config.max_file_size
        )));
    };
    decode(bytes)
        .map(|source| source.text)
        .map_err(|message| problem(format!("the base version: {message}")))
}

/// The folder part of a `/`-separated path ("" for a bare file name).
fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |index| &path[..index])
}

/// `path` made absolute, with symbolic links resolved as far as it exists, so that it can be
/// compared with the repository root git reports.
fn real_path(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut lexical = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let existing = existing_ancestor(&lexical);
    let rest = lexical.strip_prefix(&existing).unwrap_or(Path::new(""));
    let real = existing.canonicalize().unwrap_or(existing);
    if rest.as_os_str().is_empty() {
        real
    } else {
        real.join(rest)
    }
}

/// The nearest of `path` and its ancestors that exists.
fn existing_ancestor(path: &Path) -> PathBuf {
    path.ancestors()
        .find(|ancestor| ancestor.exists())
        .unwrap_or(path)
        .to_path_buf()
}
