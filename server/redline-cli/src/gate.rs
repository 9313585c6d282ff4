//! `redline gate`: judge a file's proposed contents, read from standard input, against the file
//! as it is now. For agents and tools that write files on someone's behalf.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use redline_engine::{AnalysisOptions, Report as Reported};
use redline_workspace::modules::CalledFolders;
use redline_workspace::{Bounds, FileJob, file_jobs, read_source};

use crate::Exit;
use crate::args::GateArgs;
use crate::diff_cmd::{Modules, Prepared, analyse};
use crate::emit::{self, ReportOptions};
use crate::render;
use crate::report::Report;
use crate::repository::{self, ChangedFile};

pub fn run(args: &GateArgs) -> anyhow::Result<Exit> {
    let cwd = std::env::current_dir().context("cannot determine the current folder")?;
    let bytes = read_stdin("the proposed contents")?;
    let Ok(proposed) = String::from_utf8(bytes) else {
        bail!("the proposed contents on standard input are not UTF-8");
    };
    let report = judge(&args.path, Some(&proposed), &cwd, args.config.as_deref())?;
    let renderer = render::for_format(args.format, emit::use_color(args.color, None))?;
    emit::write_report(
        report,
        renderer,
        ReportOptions::unfiltered(None, args.fail_on),
    )
}

/// The most `gate` and `hook` read from standard input. Whoever drives them (an agent, a tool
/// writing files for someone) is not trusted to bound its input; a file this large is already
/// over the largest `max_file_size` worth analysing.
pub const MAX_STDIN_BYTES: u64 = 64 * 1024 * 1024;

/// Reads standard input, up to `MAX_STDIN_BYTES`; more is an error naming `what` was read.
pub fn read_stdin(what: &str) -> anyhow::Result<Vec<u8>> {
    read_bounded(std::io::stdin().lock(), what)
}

fn read_bounded(input: impl std::io::Read, what: &str) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    input
        .take(MAX_STDIN_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {what} from standard input"))?;
    if bytes.len() as u64 > MAX_STDIN_BYTES {
        bail!(
            "standard input holds more than {} MiB ({what}): not judged",
            MAX_STDIN_BYTES / (1024 * 1024)
        );
    }
    Ok(bytes)
}

/// The findings that writing `proposed` to `path` would introduce (`None`: deleting it).
/// The file on disk is the base; for a Terraform file or a tfvars file Terraform loads, the
/// other files of its module (`.tf`, `.tf.json` and the tfvars Terraform loads) are passed as
/// context.
pub fn judge(
    path: &Path,
    proposed: Option<&str>,
    cwd: &Path,
    config_file: Option<&Path>,
) -> anyhow::Result<Report> {
    judge_changes(
        &[Change {
            path: path.to_path_buf(),
            proposed: proposed.map(str::to_owned),
            moved_from: None,
        }],
        cwd,
        config_file,
    )
}

/// One file of a change: its new text, or `None` when the change deletes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The file, absolute or relative to the folder the change is judged from.
    pub path: PathBuf,
    /// Its text after the change; `None` when the change deletes it.
    pub proposed: Option<String>,
    /// The file it was moved from, when the change moves it: the text of that file on disk is
    /// its base, so that what the file held before is not taken for new.
    pub moved_from: Option<PathBuf>,
}

/// The findings that a change of several files at once would introduce, judged together as
/// [`judge`] judges one file: the files on disk are the base, and the other files of each
/// Terraform module the change touches are context, so that a block moved from one file of a
/// module to another is a move and not a removal.
pub fn judge_changes(
    changes: &[Change],
    cwd: &Path,
    config_file: Option<&Path>,
) -> anyhow::Result<Report> {
    let absolute = |path: &Path| {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            cwd.join(path)
        }
    };
    let changed: Vec<(PathBuf, Option<&str>)> = changes
        .iter()
        .map(|change| (absolute(&change.path), change.proposed.as_deref()))
        .collect();
    let origins: Vec<Option<PathBuf>> = changes
        .iter()
        .map(|change| change.moved_from.as_deref().map(absolute))
        .collect();
    let origin_jobs = {
        let named: Vec<PathBuf> = origins.iter().flatten().cloned().collect();
        let mut jobs = file_jobs(&named, config_file, cwd)?.into_iter();
        origins
            .iter()
            .map(|origin| origin.as_ref().and_then(|_| jobs.next().flatten()))
            .collect::<Vec<_>>()
    };
    let mut paths: Vec<PathBuf> = changed.iter().map(|(path, _)| path.clone()).collect();
    // The other files of each folder the change touches that belong with the changed ones: the
    // files of a Terraform module, or the other manifests beside a changed YAML file (an object
    // of a deleted manifest may have moved to one of them).
    let mut folders: Vec<(&Path, Kind)> = changed
        .iter()
        .filter_map(|(path, _)| Some((path.parent()?, Kind::of(&display(path))?)))
        .collect();
    folders.sort();
    folders.dedup();
    let mut siblings = Vec::new();
    for (folder, kind) in folders {
        // Links are kept here and judged by `read_source` against the sibling bounds below.
        siblings.extend(
            redline_workspace::folder_files(folder, |_| true)
                .into_iter()
                .filter(|sibling| {
                    !paths.contains(sibling) && Kind::of(&display(sibling)) == Some(kind)
                }),
        );
    }
    siblings.sort();
    siblings.dedup();
    let n_changed = paths.len();
    paths.extend(siblings);
    let jobs = file_jobs(&paths, config_file, cwd)?;
    let mut prepared = Vec::new();
    for (((path, proposed), job), origin) in changed.iter().zip(&jobs).zip(&origin_jobs) {
        // `None`: the configuration excludes the file.
        let Some(job) = job.clone() else {
            continue;
        };
        let base = match origin {
            Some(origin) if origin.path.is_file() => current_text(origin)?,
            _ if path.is_file() => current_text(&job)?,
            _ => None,
        };
        let proposed = proposed.map(|text| text.strip_prefix('\u{feff}').unwrap_or(text));
        prepared.push(Prepared {
            job,
            base,
            new: proposed.map(str::to_owned),
            reported: true,
        });
    }
    if prepared.is_empty() {
        return Ok(Report {
            findings: Vec::new(),
            errors: Vec::new(),
            files: 0,
        });
    }
    // The siblings were found by listing the folders, not named: like files found by walking,
    // they are read only where they lead inside the folders or their git work tree.
    let bounds = Arc::new(Bounds::new(&paths[..n_changed], cwd));
    for mut sibling in jobs.into_iter().skip(n_changed).flatten() {
        sibling.bounds = Some(Arc::clone(&bounds));
        if let Ok(Some(source)) = read_source(&sibling) {
            prepared.push(Prepared {
                job: sibling,
                base: Some(source.text.clone()),
                new: Some(source.text),
                reported: false,
            });
        }
    }
    let terraform = changed
        .iter()
        .find(|(path, _)| redline_workspace::is_terraform_file(&display(path)));
    let modules = match terraform {
        // The repository the file is in (its git work tree, else its folder) is scanned for
        // the folders local module calls name.
        Some((path, _)) => Modules::scan(&bounds_root(path), (*bounds).clone()),
        None => Modules {
            called: CalledFolders::default(),
            bounds: (*bounds).clone(),
            together: false,
        },
    };
    let analysed = analyse(&prepared, Reported::Introduced, &modules, None);
    let (mut findings, files) = (analysed.findings, analysed.files);
    // A change to a file that may hold repository facts (an agent's configuration, a
    // workflow, a role) may open a path to production that no one approves.
    let changed: Vec<ChangedFile<'_>> = prepared
        .iter()
        .filter(|file| file.reported)
        .map(|file| ChangedFile {
            job: &file.job,
            base: file.base.as_deref(),
            new: file.new.as_deref(),
        })
        .collect();
    let options = AnalysisOptions {
        today: Some(redline_workspace::today()),
        select: None,
    };
    findings.extend(repository::introduced(&changed, cwd, config_file, &options));
    findings.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Report {
        findings,
        errors: Vec::new(),
        files,
    })
}

/// The kinds of files judged together with the other files of their folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A file of a Terraform module: blocks move between them.
    Module,
    /// A YAML file redline reads: Kubernetes objects move between manifests.
    Yaml,
}

impl Kind {
    fn of(path: &str) -> Option<Kind> {
        if redline_workspace::is_module_file(path) {
            Some(Kind::Module)
        } else if (path.ends_with(".yaml") || path.ends_with(".yml"))
            && redline_syntax::detect::is_candidate_path(path)
        {
            Some(Kind::Yaml)
        } else {
            None
        }
    }
}

fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The git work tree holding `path`, else its folder, within the read limit of the process
/// (`redline_workspace::limit_reads_to`).
fn bounds_root(path: &Path) -> PathBuf {
    let folder = path.parent().unwrap_or(path);
    let root = redline_workspace::git::work_tree(folder)
        .unwrap_or(folder)
        .to_path_buf();
    redline_workspace::within_read_limit(root).unwrap_or_else(|| folder.to_path_buf())
}

fn current_text(job: &FileJob) -> anyhow::Result<Option<String>> {
    match read_source(job) {
        Ok(source) => Ok(source.map(|source| source.text)),
        Err(problem) => bail!("{}: {}", problem.path, problem.message),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn standard_input_is_read_up_to_the_limit() {
        let limit = usize::try_from(MAX_STDIN_BYTES).unwrap();
        let at_limit = std::io::repeat(b'a').take(MAX_STDIN_BYTES);
        assert_eq!(read_bounded(at_limit, "the input").unwrap().len(), limit);
        let over = std::io::repeat(b'a').take(MAX_STDIN_BYTES + 1);
        let error = read_bounded(over, "the input").unwrap_err();
        assert_eq!(
            error.to_string(),
            "standard input holds more than 64 MiB (the input): not judged"
        );
        // An endless stream ends at the limit too.
        assert!(read_bounded(std::io::repeat(b'a'), "the input").is_err());
    }
}
