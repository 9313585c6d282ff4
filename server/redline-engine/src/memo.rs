//! Parsed files kept between analyses.
//!
//! An editor analyses the same files over and over: on every keystroke, the edited file's base
//! and the other files of its module are the same as a moment ago. `ParseMemo` keeps their
//! parses (tree, value model, and the Terraform model and IAM policies once a rule built them)
//! by path, hints and text, so that only the edited text is parsed again. It holds at most a
//! given number of bytes of text, dropping the least recently used files first.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, PoisonError};

use redline_syntax::terraform_eval::symbols::Module;
use redline_syntax::{SourceFile, SourceHints, parse_source};

use crate::document_memo::DocumentMemo;

/// The default bound of a memo: parses of up to 64 MB of text (their trees take several times
/// that).
pub const DEFAULT_MEMO_BYTES: usize = 64 << 20;

/// A parse, kept.
pub type KeptFile = Arc<SourceFile<'static>>;

/// The most modules a memo keeps.
const MAX_MODULES: usize = 32;

/// Parses of files by path, hints and text (see the module's documentation). Shared between
/// threads.
pub struct ParseMemo {
    entries: Mutex<Entries>,
    max_bytes: usize,
    /// The findings of the rules local to one document, per document of a long stream.
    documents: DocumentMemo,
}

#[derive(Default)]
struct Entries {
    by_key: HashMap<Key, Entry>,
    /// Modules by the paths and text hashes of their files, in order, with when they were
    /// last used.
    modules: HashMap<ModuleKey, (Arc<Module>, u64)>,
    /// The sum of the texts' lengths.
    bytes: usize,
    /// Counts lookups, to tell the least recently used entry.
    clock: u64,
    /// Lookups answered from the memo, and parses made, for tests and benchmarks.
    hits: u64,
    parses: u64,
}

/// The paths and text hashes of a module's files, in order.
type ModuleKey = Vec<(Box<str>, u64)>;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    path: Box<str>,
    hints: SourceHints,
    hash: u64,
}

struct Entry {
    /// The text, compared on every hit: a hash alone is not proof.
    text: Arc<str>,
    /// `None` when redline does not analyse the file.
    file: Option<KeptFile>,
    used: u64,
}

/// How often a memo answered and parsed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoStats {
    /// Lookups answered without parsing.
    pub hits: u64,
    /// Parses made.
    pub parses: u64,
    /// Files held.
    pub files: usize,
    /// Bytes of text held.
    pub bytes: usize,
}

impl Default for ParseMemo {
    fn default() -> Self {
        Self::new(DEFAULT_MEMO_BYTES)
    }
}

impl ParseMemo {
    /// A memo holding at most `max_bytes` of text.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            entries: Mutex::new(Entries::default()),
            max_bytes,
            documents: DocumentMemo::default(),
        }
    }

    /// The findings of the rules local to one document, kept per document.
    pub fn document_findings(&self) -> &DocumentMemo {
        &self.documents
    }

    /// The parse of `text` at `path` with `hints`, as `parse_source` gives it: from the memo
    /// when it holds this very text, otherwise parsed now and kept.
    pub fn parse(&self, path: &str, text: &str, hints: SourceHints) -> Option<KeptFile> {
        let key = Key {
            path: Box::from(path),
            hints,
            hash: text_hash(text),
        };
        {
            let mut entries = self.lock();
            entries.clock += 1;
            let clock = entries.clock;
            if let Some(entry) = entries.by_key.get_mut(&key)
                && *entry.text == *text
            {
                entry.used = clock;
                let file = entry.file.clone();
                entries.hits += 1;
                return file;
            }
        }
        // Parsed without the lock: other threads' lookups go on meanwhile.
        let file = parse_source(path, text, hints).map(|file| Arc::new(file.into_owned()));
        self.keep(key, Arc::from(text), file.clone());
        file
    }

    /// Keeps `file`, a parse of `text` at `path` with `hints` that the caller made itself, as
    /// `parse` would have kept it: an editor that parsed a document whose text is its base
    /// keeps that parse as the base for the next keystroke. The caller's parse must read the
    /// text as `parse_source` reads it (`parse_source_for_edits` does, and keeps more).
    pub fn insert(&self, path: &str, text: &str, hints: SourceHints, file: SourceFile<'_>) {
        let key = Key {
            path: Box::from(path),
            hints,
            hash: text_hash(text),
        };
        self.keep(key, Arc::from(text), Some(Arc::new(file.into_owned())));
    }

    /// The module that `files` form (`Module::build`): from the memo when it holds one of
    /// these very texts, otherwise read now and kept.
    pub fn module(&self, files: &[&SourceFile<'_>]) -> Arc<Module> {
        let key: ModuleKey = files
            .iter()
            .map(|file| (Box::from(file.path), text_hash(&file.text)))
            .collect();
        {
            let mut entries = self.lock();
            entries.clock += 1;
            let clock = entries.clock;
            if let Some((module, used)) = entries.modules.get_mut(&key) {
                *used = clock;
                let module = Arc::clone(module);
                entries.hits += 1;
                return module;
            }
        }
        let module = Arc::new(Module::build_reusing(files));
        let mut entries = self.lock();
        let clock = entries.clock;
        if entries.modules.len() >= MAX_MODULES
            && let Some(oldest) = entries
                .modules
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(key, _)| key.clone())
        {
            entries.modules.remove(&oldest);
        }
        entries.modules.insert(key, (Arc::clone(&module), clock));
        module
    }

    /// How often the memo answered and parsed, and what it holds.
    pub fn stats(&self) -> MemoStats {
        let entries = self.lock();
        MemoStats {
            hits: entries.hits,
            parses: entries.parses,
            files: entries.by_key.len(),
            bytes: entries.bytes,
        }
    }

    fn keep(&self, key: Key, text: Arc<str>, file: Option<KeptFile>) {
        let mut entries = self.lock();
        entries.parses += 1;
        if text.len() > self.max_bytes {
            return;
        }
        let used = entries.clock;
        let len = text.len();
        if let Some(old) = entries.by_key.insert(key, Entry { text, file, used }) {
            entries.bytes -= old.text.len();
        }
        entries.bytes += len;
        while entries.bytes > self.max_bytes {
            let Some(oldest) = entries
                .by_key
                .iter()
                .min_by_key(|(_, entry)| entry.used)
                .map(|(key, _)| key.clone())
            else {
                break;
            };
            if let Some(old) = entries.by_key.remove(&oldest) {
                entries.bytes -= old.text.len();
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The hash a text is kept by. A fast hash (foldhash) rather than SipHash: the whole text of
/// a long file is hashed on every keystroke. A kept parse is taken only when its text is the
/// same; a kept module is found by its files' paths and 64-bit hashes alone.
fn text_hash(text: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0).hash_one(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_parsed_once_and_the_oldest_goes_first() {
        let memo = ParseMemo::new(80);
        let a = "resource \"aws_s3_bucket\" \"a\" {}\n";
        let b = "resource \"aws_s3_bucket\" \"b\" {}\n";
        let hints = SourceHints::default();
        let first = memo.parse("main.tf", a, hints).expect("a Terraform file");
        let second = memo.parse("main.tf", a, hints).expect("a Terraform file");
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(memo.stats().parses, 1);
        assert_eq!(memo.stats().hits, 1);
        // Another text of the same path, or the same text elsewhere, is another parse.
        memo.parse("main.tf", b, hints);
        memo.parse("other.tf", a, hints);
        assert_eq!(memo.stats().parses, 3);
        // Three texts of 32 bytes do not fit in 80: the least recently used went.
        assert_eq!(memo.stats().files, 2);
        memo.parse("other.tf", a, hints);
        assert_eq!(memo.stats().parses, 3);
        memo.parse("main.tf", a, hints);
        assert_eq!(memo.stats().parses, 4, "main.tf's first text was dropped");
        // Not a file redline reads: remembered as such.
        assert!(memo.parse("notes.txt", "hello", hints).is_none());
        assert!(memo.parse("notes.txt", "hello", hints).is_none());
        assert_eq!(memo.stats().parses, 5);
        // A parse made elsewhere is taken as the memo's own.
        let c = "resource \"aws_s3_bucket\" \"c\" {}\n";
        let parsed = redline_syntax::parse_source_for_edits("c.tf", c, hints, None)
            .expect("a Terraform file");
        memo.insert("c.tf", c, hints, parsed);
        let parses = memo.stats().parses;
        let kept = memo.parse("c.tf", c, hints).expect("kept");
        assert_eq!(kept.text, c);
        assert_eq!(memo.stats().parses, parses);
    }
}
