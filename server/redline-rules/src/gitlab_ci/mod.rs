//! Rules for GitLab CI configuration, and a job view that follows `extends:` and `default:`.

pub mod deploy_without_manual_gate;

use redline_syntax::value::{Entry, Node};

/// Top-level keys that are not jobs.
const KEYWORDS: &[&str] = &[
    "stages",
    "variables",
    "include",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "default",
    "spec",
    "pages:deploy",
];

/// How deep `extends:` chains are followed.
const MAX_EXTENDS: usize = 10;

/// A job, with the jobs it extends.
pub(crate) struct Job<'n> {
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

/// The visible jobs of a GitLab CI document (hidden `.template` jobs are only extended).
pub(crate) fn jobs(document: &Node) -> Vec<Job<'_>> {
    let default = document.get("default");
    document
        .entries()
        .iter()
        .filter(|entry| {
            entry.value.is_mapping()
                && entry
                    .key
                    .as_str()
                    .is_some_and(|name| !name.starts_with('.') && !KEYWORDS.contains(&name))
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
