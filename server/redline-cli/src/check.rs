//! `redline check`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use indicatif::ProgressBar;
use rayon::prelude::*;
use redline_engine::{
    AnalysisOptions, CalledModules, FileAnalysis, FixMode, SourceInput, analyze_folder_with_calls,
    analyze_in_folder, apply_fixes, fix_file,
};
use redline_syntax::SourceHints;
use redline_syntax::terraform_eval::calls::local_sources;
use redline_workspace::modules::{
    CalledFile, CalledFolders, CalledModulesOptions, SharedReads, canonical_folder,
    read_modules_called_by,
};
use redline_workspace::{
    Bounds, DiscoverOptions, FileJob, FileProblem, ProblemKind, SourceText, discover,
    is_terraform_file, read_module_files, read_source,
};

use crate::Exit;
use crate::args::{CheckArgs, OutputFormat};
use crate::baseline::{self, Baseline};
use crate::emit::{self, ReportOptions, ReportWriter};
use crate::escape;
use crate::findings::{self, Finding};
use crate::output::{Output, Replace};
use crate::progress;
use crate::render;
use crate::report::Report;
use crate::repository::RepositoryFindings;
use crate::write::{Written, replace_file};

/// How many files are analysed in parallel before their findings are written.
const BATCH: usize = 256;

/// The most files a cluster of folders that call each other may have and still be analysed in
/// one batch, so that each of its called folders is parsed once.
const CLUSTER_BATCH: usize = 1024;

/// Where the findings of each file go.
enum Destination<'a> {
    /// The report, written while the walk goes on.
    Report(Box<ReportWriter<'a>>),
    /// `--write-baseline FILE`: every finding, unfiltered, kept for the baseline file.
    Baseline { path: &'a Path, kept: Vec<Finding> },
    /// `--diff`: only the diffs are printed, after the walk.
    Diffs,
}

/// What happened to one file.
struct FileOutcome {
    findings: Vec<Finding>,
    problem: Option<FileProblem>,
    analysed: bool,
    fixes_applied: usize,
    diff: Option<String>,
}

pub fn run(args: &CheckArgs) -> anyhow::Result<Exit> {
    let cwd = std::env::current_dir().context("cannot determine the current folder")?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut baseline = match &args.baseline {
        Some(path) => Some(Baseline::read(path)?),
        None => None,
    };
    let mut discovery = discover(&DiscoverOptions {
        paths: &paths,
        config_file: args.config.as_deref(),
        cwd: &cwd,
    })?;
    let calls = mark_called_modules(&mut discovery.files);
    // Before sharding: a repository finding joins files that other shards analyse.
    let repository = RepositoryFindings::gather(&discovery.files);
    if let Some(shard) = args.shard {
        discovery.files.retain(|file| shard.contains(&file.display));
        discovery
            .problems
            .retain(|problem| shard.contains(&problem.path));
    }
    let options = AnalysisOptions {
        today: Some(redline_workspace::today()),
        select: None,
    };
    let fix_mode = (args.fix || args.diff).then_some(if args.unsafe_fixes {
        FixMode::Unsafe
    } else {
        FixMode::Safe
    });

    let report = &args.report;
    let mut destination = if args.diff {
        Destination::Diffs
    } else if let Some(path) = &args.write_baseline {
        Destination::Baseline {
            path,
            kept: Vec::new(),
        }
    } else {
        let color = emit::use_color(args.color, report.output.as_deref());
        let options = ReportOptions {
            baseline: baseline.take(),
            ..ReportOptions::from_args(report, Replace::WhenComplete)
        };
        Destination::Report(Box::new(ReportWriter::begin(
            render::for_format(report.format, color)?,
            options,
        )?))
    };

    let mut errors = discovery.problems;
    let mut files = 0;
    let mut fixes_applied = 0;
    let mut diffs = String::new();
    // Files are analysed a batch at a time and their findings written in walk order before
    // the next batch starts, so memory does not grow with the number of files.
    let progress = progress::bar(
        discovery.files.len(),
        !args.no_progress && report.format == OutputFormat::Text && !args.diff,
    );
    analyse_files(
        &discovery.files,
        &discovery.bounds,
        &calls,
        &Analysis {
            options: &options,
            fix_mode,
            diff_only: args.diff,
            progress: &progress,
            repository: &repository,
        },
        |outcome| {
            files += usize::from(outcome.analysed);
            fixes_applied += outcome.fixes_applied;
            errors.extend(outcome.problem);
            match &mut destination {
                // The report may be streaming to the same terminal as the bar.
                Destination::Report(writer) => progress.suspend(|| writer.add(outcome.findings))?,
                Destination::Baseline { kept, .. } => kept.extend(outcome.findings),
                Destination::Diffs => {}
            }
            if let Some(diff) = outcome.diff {
                diffs.push_str(&diff);
            }
            Ok(())
        },
    )?;
    progress.finish_and_clear();
    emit::note_problems(&mut errors);
    let mut stderr = std::io::stderr().lock();
    let io_failed = errors.iter().any(|error| error.kind == ProblemKind::Io);

    // `--diff` applies no fix: it prints them.
    if args.fix && !args.diff {
        note_fixes_applied(fixes_applied);
    }
    match destination {
        Destination::Report(writer) => writer.end(&errors, files),
        Destination::Baseline { path, kept } => {
            baseline::write(path, &kept)?;
            let _ = writeln!(
                stderr,
                "redline: wrote {} finding(s) to baseline {}",
                kept.len(),
                path.display()
            );
            Ok(emit::exit_status(io_failed, false))
        }
        Destination::Diffs => write_diffs(report.output.as_deref(), &diffs, io_failed),
    }
}

/// Writes the unified diffs of `--diff` to standard output or `output`; the exit status says
/// whether there was one.
pub(crate) fn write_diffs(
    output: Option<&std::path::Path>,
    diffs: &str,
    io_failed: bool,
) -> anyhow::Result<Exit> {
    // On a terminal the diff is read, so the repository's text is escaped like any other
    // human output; written to a file or a pipe it stays exact, so that it still applies.
    let diffs = if output.is_none() && std::io::stdout().is_terminal() {
        escape::lines(diffs)
    } else {
        std::borrow::Cow::Borrowed(diffs)
    };
    Output::write_all(output, &diffs)?;
    Ok(emit::exit_status(io_failed, !diffs.is_empty()))
}

/// Tells how many fixes `--fix` applied, on standard error.
pub(crate) fn note_fixes_applied(fixes_applied: usize) {
    if fixes_applied > 0 {
        let _ = writeln!(
            std::io::stderr().lock(),
            "redline: applied {fixes_applied} fix(es)"
        );
    }
}

/// Every finding of the files and folders `paths` (relative to `cwd`), as `redline check PATHS`
/// reports them, without fixing anything: the files that cannot be read are the report's
/// errors.
pub fn collect(paths: &[PathBuf], cwd: &Path) -> anyhow::Result<Report> {
    let mut discovery = discover(&DiscoverOptions {
        paths,
        config_file: None,
        cwd,
    })?;
    let calls = mark_called_modules(&mut discovery.files);
    let repository = RepositoryFindings::gather(&discovery.files);
    let options = AnalysisOptions {
        today: Some(redline_workspace::today()),
        select: None,
    };
    let mut report = Report {
        findings: Vec::new(),
        errors: discovery.problems,
        files: 0,
    };
    analyse_files(
        &discovery.files,
        &discovery.bounds,
        &calls,
        &Analysis {
            options: &options,
            fix_mode: None,
            diff_only: false,
            progress: &ProgressBar::hidden(),
            repository: &repository,
        },
        |outcome| {
            report.files += usize::from(outcome.analysed);
            report.errors.extend(outcome.problem);
            report.findings.extend(outcome.findings);
            Ok(())
        },
    )?;
    report
        .errors
        .sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    Ok(report)
}

/// How the files of a run are analysed.
struct Analysis<'a> {
    options: &'a AnalysisOptions,
    fix_mode: Option<FixMode>,
    diff_only: bool,
    progress: &'a ProgressBar,
    /// The repository findings of the run's files.
    repository: &'a RepositoryFindings,
}

/// Analyses `files` (and with a fix mode, fixes them) and hands each file's outcome to `sink`,
/// in walk order. The Terraform files of a folder form a module and are analysed together, as
/// one job; every other file is a job of its own. Jobs run a batch at a time, and each file's
/// outcome is handed over as soon as the files before it are, so memory does not grow with the
/// number of files.
fn analyse_files(
    files: &[FileJob],
    bounds: &Bounds,
    calls: &CalledFolders,
    analysis: &Analysis<'_>,
    mut sink: impl FnMut(FileOutcome) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let groups = jobs(files);
    let mut pending: BTreeMap<usize, FileOutcome> = BTreeMap::new();
    let mut next = 0;
    // Analysing a file takes many times its size (a 2 MB manifest with one 23,000-line
    // document takes about 45 MB while its tree is built), so large files take turns, each on
    // a short-lived thread: glibc gives a new thread the allocator arena of the last thread
    // that ended, so every large file reuses the same memory, where each worker's own arena
    // would keep its own high-water mark.
    let large_file_turn = Mutex::new(());
    for batch in batches(clusters(files, groups, calls)) {
        let batch = batch.as_slice();
        let members = |group: &[usize]| -> Vec<&FileJob> {
            group.iter().map(|&index| &files[index]).collect()
        };
        // The local modules that the jobs of the batch call are read first, so that those
        // that several folders call are read and parsed once for them all. A job's own files
        // are read when it is analysed, and dropped after: only the called modules' texts stay
        // for the batch.
        let shared = SharedReads::default();
        let called_by_job: Vec<Vec<CalledFile>> = batch
            .par_iter()
            .map(|group| read_called(&members(group), calls, bounds, &shared))
            .collect();
        drop(shared);
        let called_files: BTreeMap<String, Arc<str>> = called_by_job
            .iter()
            .flatten()
            .map(|file| (file.display.clone(), Arc::clone(&file.text)))
            .collect();
        let mut called = CalledModules::new(
            called_files
                .iter()
                .map(|(display, text)| (display.as_str(), &**text)),
        );
        // A folder that several jobs call is parsed once for them all, and, when the batch
        // also analyses it, for its own job too; one that a single job calls and the batch
        // does not analyse is parsed in that job and dropped with it.
        called.count_callers(
            called_by_job
                .iter()
                .map(|files| files.iter().map(|file| file.display.as_str())),
        );
        called.also_analysed(batch.iter().filter_map(|group| {
            terraform_folder(&members(group)).map(|(_, display)| display.trim_end_matches('/'))
        }));
        let outcomes: Vec<(usize, FileOutcome)> = batch
            .par_iter()
            .zip(called_by_job)
            .flat_map_iter(|(group, called_files)| {
                let members = members(group);
                let mut read = read_own(&members, bounds);
                read.called = called_files;
                let large = read.sources.iter().any(|source| {
                    matches!(source, Ok(Some(source)) if source.text.len() >= LARGE_FILE_BYTES)
                });
                let process = || process_group(&members, &read, &called, analysis, bounds);
                let outcomes = if large {
                    let _turn = large_file_turn
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    std::thread::scope(|scope| scope.spawn(process).join())
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                } else {
                    process()
                };
                analysis.progress.inc(group.len() as u64);
                group.iter().copied().zip(outcomes)
            })
            .collect();
        pending.extend(outcomes);
        while let Some(outcome) = pending.remove(&next) {
            next += 1;
            sink(outcome)?;
        }
    }
    Ok(())
}

/// From this size on, files are analysed one at a time (see `analyse_files`).
const LARGE_FILE_BYTES: usize = 1 << 20;

/// Tells the engine which Terraform folders a local module call of another checked folder
/// names (`SourceHints::called_module`): those are modules meant to be called, whose variable
/// defaults are only defaults. Every checked Terraform file is read for its `source` values
/// before any is analysed, since a caller may come after the folder it calls.
fn mark_called_modules(files: &mut [FileJob]) -> CalledFolders {
    let called = files
        .par_iter()
        .filter(|file| is_terraform_file(&file.display))
        .map(|file| {
            let mut called = CalledFolders::default();
            if let Ok(Some(source)) = read_source(file) {
                called.add(&file.path, &source.text);
            }
            called
        })
        .reduce(CalledFolders::default, |mut all, found| {
            all.merge(found);
            all
        });
    if called.is_empty() {
        return called;
    }
    let mut by_folder: BTreeMap<PathBuf, bool> = BTreeMap::new();
    for file in files.iter_mut() {
        if !is_terraform_file(&file.display) {
            continue;
        }
        let Some(folder) = file.path.parent() else {
            continue;
        };
        let is_called = *by_folder
            .entry(folder.to_path_buf())
            .or_insert_with(|| called.contains(folder));
        file.hints.called_module = is_called;
    }
    called
}

/// The jobs of a run, as indices into `files`, ordered by their first file: the Terraform
/// files of one folder together, every other file alone.
fn jobs(files: &[FileJob]) -> Vec<Vec<usize>> {
    let mut res: Vec<Vec<usize>> = Vec::new();
    let mut modules: BTreeMap<&Path, usize> = BTreeMap::new();
    for (index, file) in files.iter().enumerate() {
        let folder = file
            .path
            .parent()
            .filter(|_| is_terraform_file(&file.display));
        match folder {
            Some(folder) => match modules.get(folder) {
                Some(&job) => res[job].push(index),
                None => {
                    modules.insert(folder, res.len());
                    res.push(vec![index]);
                }
            },
            None => res.push(vec![index]),
        }
    }
    res
}

/// The jobs as clusters, in the order they run: a Terraform folder, the local modules it calls
/// and the folders that call it (transitively) form one cluster, placed where its first job
/// is in walk order; every other job is a cluster of its own. A batch then holds a caller
/// with the modules it calls whenever the cluster fits, so that each called folder is read
/// and parsed once, for its callers and its own analysis alike.
fn clusters(
    files: &[FileJob],
    groups: Vec<Vec<usize>>,
    calls: &CalledFolders,
) -> Vec<Vec<Vec<usize>>> {
    let mut root: Vec<usize> = (0..groups.len()).collect();
    fn find(root: &mut [usize], mut at: usize) -> usize {
        while root[at] != at {
            root[at] = root[root[at]];
            at = root[at];
        }
        at
    }
    let mut calls = calls.calls().peekable();
    if calls.peek().is_some() {
        let mut by_folder: BTreeMap<PathBuf, usize> = BTreeMap::new();
        for (index, group) in groups.iter().enumerate() {
            let members: Vec<&FileJob> = group.iter().map(|&file| &files[file]).collect();
            if let Some(canonical) =
                terraform_folder(&members).and_then(|(folder, _)| canonical_folder(folder))
            {
                by_folder.insert(canonical, index);
            }
        }
        for (from, to) in calls {
            if let (Some(&from), Some(&to)) = (by_folder.get(from), by_folder.get(to)) {
                let (from, to) = (find(&mut root, from), find(&mut root, to));
                root[from.max(to)] = from.min(to);
            }
        }
    }
    let mut res: Vec<Vec<Vec<usize>>> = Vec::new();
    let mut cluster_of: BTreeMap<usize, usize> = BTreeMap::new();
    for (index, group) in groups.into_iter().enumerate() {
        let cluster = find(&mut root, index);
        let at = *cluster_of.entry(cluster).or_insert_with(|| {
            res.push(Vec::new());
            res.len() - 1
        });
        res[at].push(group);
    }
    res
}

/// The clusters in batches of about `BATCH` files: a cluster of up to `CLUSTER_BATCH` files
/// is never split (it may make a batch of its own larger than `BATCH`), a larger one is cut
/// into runs of about `BATCH` files.
fn batches(clusters: Vec<Vec<Vec<usize>>>) -> Vec<Vec<Vec<usize>>> {
    let mut res: Vec<Vec<Vec<usize>>> = Vec::new();
    let mut batch: Vec<Vec<usize>> = Vec::new();
    let mut n_files = 0;
    for cluster in clusters {
        let size: usize = cluster.iter().map(Vec::len).sum();
        if !batch.is_empty() && n_files + size > BATCH {
            res.push(std::mem::take(&mut batch));
            n_files = 0;
        }
        let limit = if size <= CLUSTER_BATCH {
            size.max(BATCH)
        } else {
            BATCH
        };
        for group in cluster {
            if !batch.is_empty() && n_files + group.len() > limit {
                res.push(std::mem::take(&mut batch));
                n_files = 0;
            }
            n_files += group.len();
            batch.push(group);
        }
    }
    if !batch.is_empty() {
        res.push(batch);
    }
    res
}

/// What one job read: its files, the other files of their Terraform module, and the files of
/// the local modules the module calls.
struct GroupRead {
    /// Each member's text, or the problem that kept it from being read.
    sources: Vec<Result<Option<SourceText>, FileProblem>>,
    /// The module's other files, as (display path, text).
    context: Vec<(String, String)>,
    /// The files of the local modules it calls, transitively.
    called: Vec<CalledFile>,
}

/// Reads the files of one job: its members, and for the Terraform files of a folder the
/// folder's other files (its tfvars, and the Terraform files this run does not analyse: not
/// named, excluded, or in another shard, which Terraform still reads). The files of the local
/// modules it calls are read apart, by `read_called`.
fn read_own(members: &[&FileJob], bounds: &Bounds) -> GroupRead {
    GroupRead {
        sources: read_sources(members),
        context: read_context(members, bounds, |_| true),
        called: Vec::new(),
    }
}

/// Each member's text, or the problem that kept it from being read.
fn read_sources(members: &[&FileJob]) -> Vec<Result<Option<SourceText>, FileProblem>> {
    members.iter().map(|file| read_source(file)).collect()
}

/// The other files of a Terraform job's module that `wanted` accepts by name, as
/// `GroupRead::context` holds them: none for a job of another kind.
fn read_context(
    members: &[&FileJob],
    bounds: &Bounds,
    wanted: impl Fn(&str) -> bool,
) -> Vec<(String, String)> {
    let Some((folder, folder_display)) = terraform_folder(members) else {
        return Vec::new();
    };
    let first = members[0];
    let analysed: Vec<&str> = members
        .iter()
        .filter_map(|file| file.path.file_name()?.to_str())
        .collect();
    read_module_files(folder, bounds, first.config.config.max_file_size, |name| {
        analysed.contains(&name) || !wanted(name)
    })
    .into_iter()
    .map(|(path, text)| {
        let name = path.file_name().map(|name| name.to_string_lossy());
        (
            format!("{folder_display}{}", name.unwrap_or_default()),
            text,
        )
    })
    .collect()
}

/// The folder of a job of Terraform files, on disk and as displayed (with a trailing `/`).
fn terraform_folder<'m>(members: &[&'m FileJob]) -> Option<(&'m Path, &'m str)> {
    let first = members.first()?;
    let folder = first
        .path
        .parent()
        .filter(|_| is_terraform_file(&first.display))?;
    let folder_display = first
        .display
        .rfind('/')
        .map_or("", |index| &first.display[..=index]);
    Some((folder, folder_display))
}

/// The files of the local modules that a job's Terraform files call, transitively: the calls
/// of its own files are those the scan before the run found (`calls`), and the folder's
/// Terraform files that the run does not analyse are read for theirs (tfvars declare none).
fn read_called(
    members: &[&FileJob],
    calls: &CalledFolders,
    bounds: &Bounds,
    shared: &SharedReads,
) -> Vec<CalledFile> {
    let Some((folder, folder_display)) = terraform_folder(members) else {
        return Vec::new();
    };
    let mut sources: Vec<String> = members
        .iter()
        .flat_map(|file| calls.sources_of(&file.path).iter().cloned())
        .collect();
    for (path, text) in read_context(members, bounds, is_terraform_file) {
        sources.extend(local_sources(&path, &text));
    }
    if sources.is_empty() {
        return Vec::new();
    }
    let options = CalledModulesOptions {
        bounds,
        max_file_size: members[0].config.config.max_file_size,
        open_text: &|_| None,
        shared: Some(shared),
    };
    read_modules_called_by(
        folder,
        folder_display.trim_end_matches('/'),
        sources,
        &options,
    )
}

/// Analyses the files of one job, as `read_own` read them, returning one outcome per file,
/// in order. The Terraform files of a folder are analysed with the folder's other files as one
/// module, and its local module calls are judged with `called`.
fn process_group(
    members: &[&FileJob],
    read: &GroupRead,
    called: &CalledModules<'_>,
    analysis: &Analysis<'_>,
    bounds: &Bounds,
) -> Vec<FileOutcome> {
    let (options, fix_mode) = (analysis.options, analysis.fix_mode);
    let mut res: Vec<FileOutcome> = Vec::with_capacity(members.len());
    let mut sources: Vec<Option<&SourceText>> = Vec::with_capacity(members.len());
    for source in &read.sources {
        let mut outcome = FileOutcome {
            findings: Vec::new(),
            problem: None,
            analysed: false,
            fixes_applied: 0,
            diff: None,
        };
        sources.push(match source {
            Ok(source) => source.as_ref(),
            Err(problem) => {
                outcome.problem = Some(problem.clone());
                None
            }
        });
        res.push(outcome);
    }
    let Some(first) = members.first() else {
        return res;
    };
    let mut inputs: Vec<SourceInput<'_>> = Vec::new();
    let mut input_of: Vec<Option<usize>> = Vec::with_capacity(members.len());
    for (file, source) in members.iter().zip(&sources) {
        input_of.push(source.map(|source| {
            inputs.push(SourceInput {
                path: &file.display,
                text: &source.text,
                hints: file.hints,
                config_relative_path: Some(&file.config_relative),
            });
            inputs.len() - 1
        }));
    }
    let context_inputs: Vec<SourceInput<'_>> = read
        .context
        .iter()
        .map(|(path, text)| SourceInput {
            path,
            text,
            hints: first.hints,
            config_relative_path: None,
        })
        .collect();
    let called_inputs: Vec<SourceInput<'_>> = read
        .called
        .iter()
        .map(|file| SourceInput {
            path: &file.display,
            text: &file.text,
            hints: SourceHints::default(),
            config_relative_path: None,
        })
        .collect();
    // The files of a folder share its configuration.
    let config = &first.config.config;
    let mut analyses: Vec<Option<FileAnalysis>> = match fix_mode {
        None if inputs.len() > 1 || !context_inputs.is_empty() || !called_inputs.is_empty() => {
            analyze_folder_with_calls(&inputs, &context_inputs, called, config, options)
                .into_iter()
                .map(Some)
                .collect()
        }
        _ => vec![None; inputs.len()],
    };
    // With `--fix` a file is analysed again after each round of fixes, with the folder and the
    // modules it calls.
    let folder: Vec<SourceInput<'_>> = inputs
        .iter()
        .chain(&context_inputs)
        .chain(&called_inputs)
        .copied()
        .collect();
    for (index, file) in members.iter().enumerate() {
        let (Some(source), Some(input)) = (sources[index], input_of[index]) else {
            continue;
        };
        let run = analysis;
        let analysis = analyses[input].take();
        process(
            &mut res[index],
            file,
            source,
            &inputs[input],
            &folder,
            analysis,
            run,
            bounds,
        );
    }
    res
}

/// Analyses (and with `fix_mode`, fixes) one file that has been read; `folder` holds the
/// other files of its folder, and `analysis` its analysis when it was made with them.
#[allow(clippy::too_many_arguments)]
fn process(
    res: &mut FileOutcome,
    file: &FileJob,
    source: &SourceText,
    input: &SourceInput<'_>,
    folder: &[SourceInput<'_>],
    analysis: Option<FileAnalysis>,
    run: &Analysis<'_>,
    bounds: &Bounds,
) {
    let (options, fix_mode, diff_only) = (run.options, run.fix_mode, run.diff_only);
    let config = &file.config.config;
    let mut others: Vec<(&str, &str)> = folder
        .iter()
        .map(|other| (other.path, other.text))
        .collect();
    let (text, analysis) = match fix_mode {
        Some(mode) => {
            let mut outcome = fix_file(input, folder, config, options, mode);
            // A repository finding's fix edits this file too: it is applied on the text the
            // file's own fixes left, and the file is analysed again.
            let repository_fixed = {
                let fixed = SourceInput {
                    text: &outcome.text,
                    ..*input
                };
                let changed = outcome.text != source.text;
                let (repository, _) = run.repository.for_file(&fixed, changed, config, options);
                apply_fixes(&outcome.text, &repository, mode)
            };
            if let Some((text, applied)) = repository_fixed {
                let fixed = SourceInput {
                    text: &text,
                    ..*input
                };
                outcome.analysis = analyze_in_folder(&fixed, folder, config, options);
                outcome.applied += applied;
                outcome.text = text;
            }
            if outcome.applied > 0 {
                res.fixes_applied = outcome.applied;
                if diff_only {
                    res.diff = Some(unified_diff(&file.display, &source.text, &outcome.text));
                } else {
                    match write_fixed(
                        &file.path,
                        &source.text,
                        &outcome.text,
                        source.had_bom,
                        bounds,
                    ) {
                        Ok(Written::Replaced) => {}
                        // A link and the file it leads to were both found and fixed: count the
                        // fixes once.
                        Ok(Written::AlreadyFixed) => res.fixes_applied = 0,
                        Err(error) => {
                            res.problem = Some(FileProblem {
                                path: file.display.clone(),
                                message: format!("{error:#}"),
                                kind: ProblemKind::Io,
                            });
                            res.fixes_applied = 0;
                            let analysis = analyze_in_folder(input, folder, config, options);
                            res.analysed = analysis.format.is_some();
                            res.findings = findings::from_diagnostics(
                                &file.display,
                                &source.text,
                                &analysis.diagnostics,
                                &others,
                            );
                            return;
                        }
                    }
                }
            }
            (Cow::Owned(outcome.text), outcome.analysis)
        }
        None => {
            let analysis =
                analysis.unwrap_or_else(|| analyze_in_folder(input, folder, config, options));
            (Cow::Borrowed(source.text.as_str()), analysis)
        }
    };
    res.analysed = analysis.format.is_some();
    let mut diagnostics = analysis.diagnostics;
    // Repository findings reported on this file, judged on the text reported (after `--fix`,
    // the fixed text, whose facts are read again).
    let reported = SourceInput {
        text: &text,
        ..*input
    };
    let (repository, related_texts) =
        run.repository
            .for_file(&reported, *text != *source.text, config, options);
    if !repository.is_empty() {
        diagnostics.extend(repository);
        diagnostics.sort_by(|a, b| {
            (a.range.start(), a.rule.id, a.range.end(), &a.message).cmp(&(
                b.range.start(),
                b.rule.id,
                b.range.end(),
                &b.message,
            ))
        });
        others.extend(related_texts);
    }
    res.findings = findings::from_diagnostics(&file.display, &text, &diagnostics, &others);
}

/// Replaces the text of a file that `--fix` fixed (see `replace_file`), keeping its byte order
/// mark.
pub(crate) fn write_fixed(
    path: &std::path::Path,
    original: &str,
    fixed: &str,
    had_bom: bool,
    bounds: &Bounds,
) -> anyhow::Result<Written> {
    let bom = if had_bom { "\u{feff}" } else { "" };
    let original = format!("{bom}{original}");
    let fixed = format!("{bom}{fixed}");
    replace_file(path, original.as_bytes(), fixed.as_bytes(), bounds)
}

/// The fixes of one file as a unified diff, as `--diff` prints them.
pub(crate) fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
