//! The one view of a GitLab CI document: which top-level keys are jobs, the jobs with what
//! they inherit through `extends:` and `default:`, and the script lines every job runs.
//! Rules and the embedded-shell reader both use it, so they agree on what a job is.

use crate::value::{Entry, Node, NodeKind};

/// Top-level keys that are not jobs: the global keywords, and the deprecated globals that
/// `default:` replaced.
pub const KEYWORDS: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "spec",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

/// The keys holding shell lines.
pub const SCRIPT_KEYS: &[&str] = &["before_script", "script", "after_script"];

/// How deep `extends:` chains are followed.
const MAX_EXTENDS: usize = 10;

/// A job, with the jobs it extends.
pub struct Job<'n> {
    /// The `name: {…}` entry.
    pub entry: &'n Entry,
    /// Whether some `extends:` names a job this file does not define (an included template):
    /// the job's settings are then not fully known.
    pub extends_elsewhere: bool,
    // Invariant: chain[0] is the job itself, followed by what it extends, nearest first.
    chain: Vec<&'n Node>,
    default: Option<&'n Node>,
}

impl<'n> Job<'n> {
    /// The job's name.
    pub fn name(&self) -> &'n str {
        self.entry.key.as_str().unwrap_or("job")
    }

    /// A key of the job, from the job itself or the jobs it extends.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.chain.iter().find_map(|node| node.get(key))
    }

    /// A key that `default:` can also provide (`before_script`, `after_script`, …).
    pub fn get_or_default(&self, key: &str) -> Option<&'n Node> {
        self.get(key)
            .or_else(|| self.default.and_then(|default| default.get(key)))
    }
}

/// Every job entry of a document, hidden `.template` jobs included: a mapping under a key that
/// is not a keyword.
pub fn job_entries(document: &Node) -> impl Iterator<Item = &Entry> {
    document.entries().iter().filter(|entry| {
        entry.value.is_mapping()
            && entry
                .key
                .as_str()
                .is_some_and(|name| !KEYWORDS.contains(&name))
    })
}

/// The visible jobs of a GitLab CI document (hidden `.template` jobs are only extended).
pub fn jobs(document: &Node) -> Vec<Job<'_>> {
    let default = document.get("default");
    job_entries(document)
        .filter(|entry| {
            entry
                .key
                .as_str()
                .is_some_and(|name| !name.starts_with('.'))
        })
        .map(|entry| {
            let (chain, extends_elsewhere) = extends_chain(document, &entry.value);
            Job {
                entry,
                chain,
                extends_elsewhere,
                default,
            }
        })
        .collect()
}

/// The `script`, `before_script` and `after_script` lines of every job (hidden templates
/// included, where they are written) and of `default:`.
pub fn script_lines(document: &Node) -> Vec<&Node> {
    let mut res = Vec::new();
    let holders = job_entries(document)
        .map(|entry| &entry.value)
        .chain(document.get("default").filter(|node| node.is_mapping()));
    for holder in holders {
        for field in SCRIPT_KEYS {
            let Some(value) = holder.get(field) else {
                continue;
            };
            for item in value.one_or_many() {
                // Nested lists (from `!reference` or anchors) are flattened one level.
                match &item.kind {
                    NodeKind::Sequence(items) => res.extend(items.iter()),
                    _ => res.push(item),
                }
            }
        }
    }
    res
}

fn extends_chain<'n>(document: &'n Node, job: &'n Node) -> (Vec<&'n Node>, bool) {
    let mut res = vec![job];
    let mut elsewhere = false;
    let mut pending: Vec<&'n Node> = vec![job];
    while let Some(current) = pending.pop() {
        if res.len() > MAX_EXTENDS {
            break;
        }
        let Some(extends) = current.get("extends") else {
            continue;
        };
        for name in extends.one_or_many().into_iter().filter_map(Node::as_str) {
            elsewhere |= document.get(name).is_none();
            if let Some(parent) = document.get(name).filter(|parent| parent.is_mapping())
                && !res.iter().any(|seen| std::ptr::eq(*seen, parent))
            {
                res.push(parent);
                pending.push(parent);
            }
        }
    }
    (res, elsewhere)
}
