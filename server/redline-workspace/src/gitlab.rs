//! GitLab CI `include: local` files are GitLab CI configuration whatever their names.

use std::collections::BTreeSet;
use std::path::PathBuf;

use globset::Glob;
use redline_syntax::value::Node;
use redline_syntax::{Format, SourceHints};

use crate::{FileJob, SourceText};

/// Marks the files that a `.gitlab-ci.yml` (or a file it includes) includes locally.
///
/// Local include paths are relative to the repository root, taken to be the folder of the
/// `.gitlab-ci.yml` that starts the chain.
pub(crate) fn mark_local_includes(files: &mut [FileJob]) {
    let mut pending: Vec<(usize, PathBuf)> = files
        .iter()
        .enumerate()
        .filter(|(_, file)| {
            file.path
                .file_name()
                .is_some_and(|name| name == ".gitlab-ci.yml" || name == ".gitlab-ci.yaml")
        })
        .filter_map(|(index, file)| Some((index, file.path.parent()?.to_path_buf())))
        .collect();
    let mut visited: BTreeSet<usize> = pending.iter().map(|(index, _)| *index).collect();
    while let Some((index, root)) = pending.pop() {
        // Read as any analysed file is: within the size cap and the symbolic link bounds.
        let Ok(Some(SourceText { text, .. })) = crate::read_source(&files[index]) else {
            continue;
        };
        let hints = SourceHints {
            format: Some(Format::GitlabCi),
            ..SourceHints::default()
        };
        let Some(source) = redline_syntax::parse_source(&files[index].display, &text, hints) else {
            continue;
        };
        let patterns: Vec<String> = source
            .documents
            .iter()
            .filter_map(|document| document.get("include"))
            .flat_map(local_includes)
            .collect();
        for pattern in patterns {
            let Ok(glob) = Glob::new(pattern.trim_start_matches('/')) else {
                continue;
            };
            let matcher = glob.compile_matcher();
            for (candidate, file) in files.iter_mut().enumerate() {
                let Ok(relative) = file.path.strip_prefix(&root) else {
                    continue;
                };
                let relative = relative.to_string_lossy().replace('\\', "/");
                if matcher.is_match(relative.as_str()) {
                    file.hints.format = Some(Format::GitlabCi);
                    if visited.insert(candidate) {
                        pending.push((candidate, root.clone()));
                    }
                }
            }
        }
    }
}

fn local_includes(include: &Node) -> Vec<String> {
    include
        .one_or_many()
        .into_iter()
        .filter_map(|item| match item.as_str() {
            Some(text) if !text.contains("://") => Some(text.to_owned()),
            Some(_) => None,
            None => item.get("local").and_then(Node::as_str).map(str::to_owned),
        })
        .collect()
}
