//! Findings over a whole repository (`RL-WS-…`): the facts of every checked file, joined per
//! repository before the files are analysed, so that each finding can be added to its file's
//! outcome while outcomes are still written in walk order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use redline_diagnostics::Diagnostic;
use redline_engine::{
    AnalysisOptions, Config, SourceInput, finish_workspace_findings, workspace_facts,
};
use redline_rules::workspace::{FactKind, FileFacts, join, may_have_facts, may_hold_actor};
use redline_workspace::{
    DiscoverOptions, FileJob, discover, is_terraform_file, read_source, repository_root,
};

use crate::findings::{self, Finding};

/// The repository findings of a run, by the file they are reported on.
#[derive(Default)]
pub(crate) struct RepositoryFindings {
    /// The facts of each repository, each file's in path order.
    repositories: Vec<Vec<FileFacts>>,
    /// The root of each repository (see `repository_root`), in the same order.
    roots: Vec<Option<PathBuf>>,
    /// The repository of each file with facts, by display path.
    repository_of: BTreeMap<String, usize>,
    /// The text of each file with facts, by display path: related places point into them.
    texts: BTreeMap<String, Arc<str>>,
    /// The joined findings, by the display path of their file.
    findings: BTreeMap<String, Vec<Diagnostic>>,
}

impl RepositoryFindings {
    /// Reads every file of `files` for its facts, groups them by repository (see
    /// `repository_root`) and joins each repository. Only files that may name an actor are
    /// parsed at first; the files that can only hold other links (roles, grants, bindings) are
    /// parsed for the repositories that have an actor. Files that cannot be read are left out
    /// here; their analysis reports why.
    pub(crate) fn gather(files: &[FileJob]) -> Self {
        Self::gather_texts(files, &|file| Some(read_source(file).ok()??.text))
    }

    /// `gather`, with each file's text as `text_of` gives it (`None`: left out).
    fn gather_texts(
        files: &[FileJob],
        text_of: &(dyn Fn(&FileJob) -> Option<String> + Sync),
    ) -> Self {
        // A Terraform file names no actor: it is read only for a repository that has one.
        let found: Vec<Found> = files
            .par_iter()
            .enumerate()
            .filter(|(_, file)| !is_terraform_file(&file.display))
            .filter_map(|(index, file)| {
                let text = text_of(file)?;
                if !may_have_facts(&file.display, &text) {
                    return None;
                }
                let root = repository_root(&file.path, &file.config);
                let read = may_hold_actor(&file.display, &text)
                    .then(|| (facts_of(file, &text), Arc::from(text)));
                Some(Found { root, index, read })
            })
            .collect();
        let with_actor: BTreeSet<&Option<PathBuf>> = found
            .iter()
            .filter(|found| {
                found
                    .read
                    .as_ref()
                    .is_some_and(|(facts, _)| has_actor(facts))
            })
            .map(|found| &found.root)
            .collect();
        let mut terraform: Vec<Found> = Vec::new();
        if !with_actor.is_empty() {
            let mut roots: BTreeMap<&Path, Option<PathBuf>> = BTreeMap::new();
            for (index, file) in files.iter().enumerate() {
                let Some(folder) = file
                    .path
                    .parent()
                    .filter(|_| is_terraform_file(&file.display))
                else {
                    continue;
                };
                let root = roots
                    .entry(folder)
                    .or_insert_with(|| repository_root(&file.path, &file.config));
                if with_actor.contains(&*root) {
                    terraform.push(Found {
                        root: root.clone(),
                        index,
                        read: None,
                    });
                }
            }
        }
        let links: Vec<(Option<PathBuf>, FileFacts, Arc<str>)> = found
            .par_iter()
            .filter(|found| found.read.is_none() && with_actor.contains(&found.root))
            .chain(terraform.par_iter())
            .filter_map(|found| {
                let file = &files[found.index];
                let text = text_of(file)?;
                if !may_have_facts(&file.display, &text) {
                    return None;
                }
                let facts = facts_of(file, &text);
                Some((found.root.clone(), facts, Arc::from(text)))
            })
            .collect();
        let actors = found.into_iter().filter_map(|found| {
            let (facts, text) = found.read?;
            Some((found.root, facts, text))
        });
        let mut by_root: BTreeMap<Option<PathBuf>, Vec<FileFacts>> = BTreeMap::new();
        let mut res = Self::default();
        for (root, facts, text) in actors.chain(links) {
            if facts.facts.is_empty() {
                continue;
            }
            res.texts.insert(facts.path.clone(), text);
            by_root.entry(root).or_default().push(facts);
        }
        for (root, repository) in by_root {
            res.add_repository(root, repository);
        }
        res
    }

    /// Joins one repository's facts and adds its findings.
    fn add_repository(&mut self, root: Option<PathBuf>, mut repository: Vec<FileFacts>) {
        repository.sort_by(|a, b| a.path.cmp(&b.path));
        for finding in join(&repository) {
            self.findings
                .entry(finding.path)
                .or_default()
                .push(finding.diagnostic);
        }
        for file in &repository {
            self.repository_of
                .insert(file.path.clone(), self.repositories.len());
        }
        self.repositories.push(repository);
        self.roots.push(root);
    }

    /// The repository findings of the file `input`, after its suppressions, with the texts
    /// of the other files their related places name. `changed` says that `input.text` is no
    /// longer the text the facts were read from (`--fix` changed it): the file's facts are
    /// read again and its repository joined again.
    pub(crate) fn for_file(
        &self,
        input: &SourceInput<'_>,
        changed: bool,
        config: &Config,
        options: &AnalysisOptions,
    ) -> (Vec<Diagnostic>, Vec<(&str, &str)>) {
        let diagnostics = if changed {
            self.rejoined(input)
        } else {
            self.findings.get(input.path).cloned().unwrap_or_default()
        };
        self.finish(input, diagnostics, config, options)
    }

    /// `diagnostics`, repository findings of the file `input`, after its suppressions, with
    /// the texts of the other files their related places name.
    fn finish(
        &self,
        input: &SourceInput<'_>,
        diagnostics: Vec<Diagnostic>,
        config: &Config,
        options: &AnalysisOptions,
    ) -> (Vec<Diagnostic>, Vec<(&str, &str)>) {
        if diagnostics.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let diagnostics = finish_workspace_findings(input, diagnostics, config, options);
        let mut others: Vec<(&str, &str)> = Vec::new();
        for related in diagnostics
            .iter()
            .flat_map(|diagnostic| &diagnostic.related)
        {
            let Some(path) = related.path.as_deref() else {
                continue;
            };
            if let Some((path, text)) = self.texts.get_key_value(path)
                && !others.iter().any(|(other, _)| *other == path.as_str())
            {
                others.push((path.as_str(), &**text));
            }
        }
        (diagnostics, others)
    }

    /// The findings of `input` when its repository is joined with its current text.
    fn rejoined(&self, input: &SourceInput<'_>) -> Vec<Diagnostic> {
        let facts = FileFacts {
            path: input.path.to_owned(),
            facts: workspace_facts(input),
        };
        let mut repository: Vec<FileFacts> = match self.repository_of.get(input.path) {
            Some(&index) => self.repositories[index]
                .iter()
                .filter(|file| file.path != input.path)
                .cloned()
                .collect(),
            // A file without facts before the fix gets none from fixes, which only add guards.
            None => return Vec::new(),
        };
        repository.push(facts);
        join(&repository)
            .into_iter()
            .filter(|finding| finding.path == input.path)
            .map(|finding| finding.diagnostic)
            .collect()
    }
}

/// One file of a change that `introduced` judges: its job, and its text before and after
/// (`None`: the file does not exist then).
pub(crate) struct ChangedFile<'a> {
    pub(crate) job: &'a FileJob,
    pub(crate) base: Option<&'a str>,
    pub(crate) new: Option<&'a str>,
}

/// The repository findings that a change of `changed` would introduce: the repository of the
/// first changed file that may hold facts (before or after) is joined as it is on disk and as
/// the change leaves it, and a finding of the second whose rule is not reported on the same
/// file by the first is introduced. Nothing is read when no changed file may hold facts.
pub(crate) fn introduced(
    changed: &[ChangedFile<'_>],
    cwd: &Path,
    config_file: Option<&Path>,
    options: &AnalysisOptions,
) -> Vec<Finding> {
    let may_have = |file: &ChangedFile<'_>| {
        [file.base, file.new]
            .into_iter()
            .flatten()
            .any(|text| may_have_facts(&file.job.display, text))
    };
    let Some(first) = changed.iter().find(|file| may_have(file)) else {
        return Vec::new();
    };
    let Some(root) = repository_root(&first.job.path, &first.job.config) else {
        return Vec::new();
    };
    let Ok(discovery) = discover(&DiscoverOptions {
        paths: std::slice::from_ref(&root),
        config_file,
        cwd,
    }) else {
        return Vec::new();
    };
    let mut files = discovery.files;
    let is_changed = |file: &FileJob| changed.iter().find(|change| change.job.path == file.path);
    // A file the change creates is not on disk yet.
    for change in changed {
        if change.new.is_some() && !files.iter().any(|file| file.path == change.job.path) {
            files.push(change.job.clone());
        }
    }
    let on_disk = |file: &FileJob| Some(read_source(file).ok()??.text);
    let before = RepositoryFindings::gather_texts(&files, &|file| match is_changed(file) {
        Some(change) => change.base.map(str::to_owned),
        None => on_disk(file),
    });
    // The repository after the change: the facts read before, with those of the changed
    // files read from their new texts. Only a repository with an actor had its other links
    // read: one that gains its first actor is read again.
    let index = before
        .roots
        .iter()
        .position(|found| found.as_ref() == Some(&root));
    let had_actor = index.is_some_and(|index| before.repositories[index].iter().any(has_actor));
    let new_facts: Vec<(FileFacts, &str)> = files
        .iter()
        .filter_map(|file| {
            let text = is_changed(file)?.new?;
            let facts = facts_of(file, text);
            (!facts.facts.is_empty()).then_some((facts, text))
        })
        .collect();
    let after = if had_actor {
        let mut after = RepositoryFindings {
            texts: before.texts.clone(),
            ..RepositoryFindings::default()
        };
        let mut repository: Vec<FileFacts> = index
            .map(|index| before.repositories[index].clone())
            .unwrap_or_default();
        let changed_paths: Vec<&str> = files
            .iter()
            .filter(|job| is_changed(job).is_some())
            .map(|job| job.display.as_str())
            .collect();
        repository.retain(|file| !changed_paths.contains(&file.path.as_str()));
        for (facts, text) in new_facts {
            after.texts.insert(facts.path.clone(), Arc::from(text));
            repository.push(facts);
        }
        after.add_repository(Some(root.clone()), repository);
        after
    } else if new_facts.iter().any(|(facts, _)| has_actor(facts)) {
        RepositoryFindings::gather_texts(&files, &|file| match is_changed(file) {
            Some(change) => change.new.map(str::to_owned),
            None => on_disk(file),
        })
    } else {
        return Vec::new();
    };
    let mut res = Vec::new();
    for (path, diagnostics) in &after.findings {
        let reported_before = |rule: &str| {
            before
                .findings
                .get(path)
                .is_some_and(|found| found.iter().any(|diagnostic| diagnostic.rule.id == rule))
        };
        let new: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|diagnostic| !reported_before(diagnostic.rule.id))
            .collect();
        let (Some(job), Some(text)) = (
            files.iter().find(|file| &file.display == path),
            after.texts.get(path),
        ) else {
            continue;
        };
        if new.is_empty() {
            continue;
        }
        let input = job.input(text);
        let new = new.into_iter().cloned().collect();
        let (diagnostics, others) = after.finish(&input, new, &job.config.config, options);
        res.extend(findings::from_diagnostics(
            path,
            text,
            &diagnostics,
            &others,
        ));
    }
    res
}

/// A readable file that may hold facts.
struct Found {
    /// Its repository.
    root: Option<PathBuf>,
    /// Its index among the run's files.
    index: usize,
    /// Its facts and text when it may name an actor; `None` until its repository is known to
    /// have one.
    read: Option<(FileFacts, Arc<str>)>,
}

/// The facts of a discovered file read as `text`.
fn facts_of(file: &FileJob, text: &str) -> FileFacts {
    let input = file.input(text);
    FileFacts {
        path: file.display.clone(),
        facts: workspace_facts(&input),
    }
}

/// Whether a file's facts name an actor.
fn has_actor(facts: &FileFacts) -> bool {
    facts.facts.iter().any(|fact| {
        matches!(
            fact.kind,
            FactKind::AgentUnattended(_)
                | FactKind::CiJob(_)
                | FactKind::AutoPrune(_)
                | FactKind::McpServer(_)
                | FactKind::McpApproval(_)
                | FactKind::GitlabJob(_)
        )
    })
}
