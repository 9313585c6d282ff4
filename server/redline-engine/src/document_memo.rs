//! Findings of the rules local to one document, kept per YAML document between analyses.
//!
//! On a keystroke in a long Kubernetes stream, one document changes and the thousands of
//! others keep their text (at other offsets, when the edit added or removed bytes before
//! them). A rule that declares `Locality::Document` finds in a document only what that
//! document's text says, so its findings there are kept by the document's text, relative to
//! where the document starts, and the rule runs only on the documents whose text the memo
//! does not hold. The findings are those of running the rule on the whole file, in the same
//! order: each document's are put back in document order.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

use redline_diagnostics::Diagnostic;
use redline_rules::{Locality, Rule, RuleContext, RuleMeta, all_rules};
use redline_syntax::{Format, SourceFile};
use redline_text::TextSize;

use crate::Config;

/// The default bound of the memo: the texts of documents of up to 32 MB.
const DEFAULT_DOCUMENT_BYTES: usize = 32 << 20;

/// Findings per document text and rule (see the module's documentation). Shared between
/// threads.
pub struct DocumentMemo {
    entries: Mutex<Entries>,
    max_bytes: usize,
}

#[derive(Default)]
struct Entries {
    /// By the hash of the document's text.
    by_hash: HashMap<u64, Entry>,
    /// The sum of the texts' lengths.
    bytes: usize,
    /// Counts analyses, to tell the least recently used entry.
    clock: u64,
    /// Rule runs on one document answered from the memo, and documents a rule ran on.
    taken: u64,
    judged: u64,
    /// The documents of the last two versions of each file analysed, by path, the latest
    /// first.
    last: HashMap<Box<str>, Vec<Last>>,
}

/// The most files whose last version the memo keeps the documents of.
const MAX_LAST: usize = 64;

/// The documents of the last version of a file analysed: its length, and each document's span,
/// hash and text (the memo's copy).
struct Last {
    len: usize,
    spans: Vec<(usize, usize)>,
    hashes: Vec<u64>,
    texts: Vec<Arc<str>>,
    findings: Vec<Findings>,
}

impl Last {
    /// The hash and kept copy of `text`, a document at `start` of a version `len` bytes long,
    /// when the last version had the same text at the same offset or at the same distance
    /// from its end.
    fn same(&self, start: usize, len: usize, text: &str) -> Option<(u64, Arc<str>, Findings)> {
        let at = |offset: usize| {
            self.spans
                .binary_search_by_key(&offset, |&(start, _)| start)
                .ok()
        };
        let same_start = at(start);
        let same_distance = (start + self.len)
            .checked_sub(len)
            .and_then(at)
            .filter(|_| self.len != len);
        [same_start, same_distance]
            .into_iter()
            .flatten()
            .find(|&index| *self.texts[index] == *text)
            .map(|index| {
                (
                    self.hashes[index],
                    Arc::clone(&self.texts[index]),
                    Arc::clone(&self.findings[index]),
                )
            })
    }
}

struct Entry {
    /// The document's text, from the start of the line it starts on to the start of the next
    /// document's; compared when first looked up in an analysis, since a hash alone is not
    /// proof.
    text: Arc<str>,
    /// The findings of each rule local to one document that ran on it, by its place in
    /// `DOCUMENT_RULES`, with ranges relative to the start of `text`.
    findings: Findings,
    used: u64,
}

/// The findings of the rules local to one document in one document text, each set once.
type Findings = Arc<[OnceLock<Vec<Diagnostic>>]>;

/// The rules local to one document, whose places index `Findings`.
static DOCUMENT_RULES: LazyLock<Vec<&'static RuleMeta>> = LazyLock::new(|| {
    all_rules()
        .iter()
        .map(|rule| rule.meta())
        .filter(|meta| meta.locality == Locality::Document)
        .collect()
});

fn no_findings() -> Findings {
    (0..DOCUMENT_RULES.len()).map(|_| OnceLock::new()).collect()
}

/// How often the memo answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DocumentMemoStats {
    /// A rule's findings in one document, taken from the memo.
    pub taken: u64,
    /// A rule's runs on one document, whose findings were then kept.
    pub judged: u64,
    /// Documents held.
    pub documents: usize,
}

impl Default for DocumentMemo {
    fn default() -> Self {
        Self::new(DEFAULT_DOCUMENT_BYTES)
    }
}

/// The documents of one file, as the memo knows them for one analysis.
pub(crate) struct Documents<'f> {
    file: &'f SourceFile<'f>,
    /// Each document's byte span, from the start of its first line to the start of the next
    /// document's (the first from the start of the text, the last to its end).
    spans: Vec<(usize, usize)>,
    /// The findings of each document's text, shared with the memo's entry for it.
    findings: Vec<Findings>,
}

impl DocumentMemo {
    /// A memo holding the texts of documents of at most `max_bytes` in all.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            entries: Mutex::new(Entries::default()),
            max_bytes,
        }
    }

    /// How often the memo answered, and what it holds.
    pub fn stats(&self) -> DocumentMemoStats {
        let entries = self.lock();
        DocumentMemoStats {
            taken: entries.taken,
            judged: entries.judged,
            documents: entries.by_hash.len(),
        }
    }

    /// The documents of `file` for the rules local to one document, entered in the memo; `None`
    /// when the file is not a stream of several Kubernetes documents that parses as written (a
    /// template's values that come from its actions are not in its neutral text, and where a
    /// syntax error is, or flow collections were relaxed for one, a document's values may
    /// depend on the text around it), or is too long to hold.
    pub(crate) fn enter<'f>(&self, file: &'f SourceFile<'f>) -> Option<Documents<'f>> {
        if file.format != Format::Kubernetes
            || file.templated
            || file.relaxed()
            || file.documents.len() < 2
            || file.text.len() > self.max_bytes
            || file.first_parse_problem().is_some()
        {
            return None;
        }
        // Each document's span runs from the start of its first line to the start of the
        // next one's: the spans cover the text, with what is between two documents (a
        // comment, a marker) in the span before the second.
        let mut starts = Vec::with_capacity(file.documents.len());
        for (index, document) in file.documents.iter().enumerate() {
            let line = file.line_index.line_of(document.range.start());
            let start = if index == 0 {
                0
            } else {
                file.line_index.line_start(line).to_usize()
            };
            // Two documents on one line, or out of order: not kept apart.
            if starts.last().is_some_and(|&last| start <= last) {
                return None;
            }
            starts.push(start);
        }
        let spans: Vec<(usize, usize)> = starts
            .iter()
            .zip(starts.iter().skip(1).chain([&file.text.len()]))
            .map(|(&start, &end)| (start, end))
            .collect();
        let mut entries = self.lock();
        entries.clock += 1;
        let clock = entries.clock;
        // A document whose text is that of a document at the same offset in one of the last
        // two versions of the file analysed, or at the same distance from its end (every
        // document before and after a keystroke), is the memo's copy of that text: compared,
        // not hashed again.
        let mut last = entries.last.remove(file.path).unwrap_or_default();
        let hasher = foldhash::fast::FixedState::with_seed(0);
        let mut hashes = Vec::with_capacity(spans.len());
        let mut texts = Vec::with_capacity(spans.len());
        let mut findings = Vec::with_capacity(spans.len());
        for &(start, end) in &spans {
            let text = &file.text[start..end];
            let entries = &mut *entries;
            if let Some((hash, kept, found)) = last
                .iter()
                .find_map(|last| last.same(start, file.text.len(), text))
            {
                // Its entry is used again; one dropped since goes back in.
                let held = match entries.by_hash.get_mut(&hash) {
                    Some(entry) => {
                        entry.used = clock;
                        Arc::ptr_eq(&entry.text, &kept)
                    }
                    None => {
                        entries.bytes += kept.len();
                        entries.by_hash.insert(
                            hash,
                            Entry {
                                text: Arc::clone(&kept),
                                findings: Arc::clone(&found),
                                used: clock,
                            },
                        );
                        true
                    }
                };
                if held {
                    hashes.push(hash);
                    texts.push(kept);
                    findings.push(found);
                    continue;
                }
            }
            let hash = hasher.hash_one(text);
            hashes.push(hash);
            match entries.by_hash.get_mut(&hash) {
                Some(entry) if *entry.text == *text => {
                    entry.used = clock;
                    texts.push(Arc::clone(&entry.text));
                    findings.push(Arc::clone(&entry.findings));
                }
                found => {
                    // A new text, or another text with the same hash, which takes its place.
                    let entry = Entry {
                        text: Arc::from(text),
                        findings: no_findings(),
                        used: clock,
                    };
                    texts.push(Arc::clone(&entry.text));
                    findings.push(Arc::clone(&entry.findings));
                    entries.bytes += text.len();
                    if let Some(old) = found {
                        entries.bytes -= old.text.len();
                        *old = entry;
                    } else {
                        entries.by_hash.insert(hash, entry);
                    }
                }
            }
        }
        if entries.last.len() >= MAX_LAST {
            entries.last.clear();
        }
        // The version analysed before this one stays: an editor analyses each keystroke's
        // text and the base it is judged against, turn about.
        last.truncate(1);
        last.insert(
            0,
            Last {
                len: file.text.len(),
                spans: spans.clone(),
                hashes,
                texts,
                findings: findings.clone(),
            },
        );
        entries.last.insert(Box::from(file.path), last);
        entries.evict(self.max_bytes, clock, file.path);
        Some(Documents {
            file,
            spans,
            findings,
        })
    }

    /// What `rule` reports in the file of `documents`: from the memo for the documents it holds
    /// the rule's findings in, and by running the rule on the others, whose findings it then
    /// keeps. `None` when the rule reported a finding outside the document it ran on, which a
    /// rule local to one document never does, or is not local to one document: the caller
    /// runs it on the whole file instead.
    pub(crate) fn run(
        &self,
        rule: &'static dyn Rule,
        documents: &Documents<'_>,
        config: &Config,
    ) -> Option<Vec<Diagnostic>> {
        let place = DOCUMENT_RULES
            .iter()
            .position(|meta| std::ptr::eq(*meta, rule.meta()))?;
        let count = documents.spans.len();
        let mut found: Vec<Option<Vec<Diagnostic>>> = (0..count)
            .map(|index| {
                let findings = documents.findings[index][place].get()?;
                let from = TextSize::from_usize(0);
                let to = TextSize::from_usize(documents.spans[index].0);
                Some(
                    findings
                        .iter()
                        .map(|finding| finding.clone().moved(from, to))
                        .collect(),
                )
            })
            .collect();
        let taken = found.iter().filter(|found| found.is_some()).count();
        let mut judged = 0;
        let missing: Vec<bool> = found.iter().map(Option::is_none).collect();
        if taken < count {
            let findings = run_on_documents(rule, documents.file, &missing, config)?;
            let mut by_document: Vec<Vec<Diagnostic>> = vec![Vec::new(); count];
            for finding in findings {
                let index = documents.document_of(&finding)?;
                if !missing[index] {
                    return None;
                }
                by_document[index].push(finding);
            }
            for (index, findings) in by_document.into_iter().enumerate() {
                if !missing[index] {
                    continue;
                }
                let from = TextSize::from_usize(documents.spans[index].0);
                let to = TextSize::from_usize(0);
                let relative = findings
                    .iter()
                    .map(|finding| finding.clone().moved(from, to))
                    .collect();
                if documents.findings[index][place].set(relative).is_ok() {
                    judged += 1;
                }
                found[index] = Some(findings);
            }
        }
        let mut entries = self.lock();
        entries.taken += taken as u64;
        entries.judged += judged;
        drop(entries);
        Some(found.into_iter().flatten().flatten().collect())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Entries {
    /// Drops the least recently used documents until the texts fit in three quarters of
    /// `max_bytes`, once they no longer fit in it; those of the analysis at `clock` stay. The
    /// last versions of files other than `path`, which hold texts of their own, go too.
    fn evict(&mut self, max_bytes: usize, clock: u64, path: &str) {
        if self.bytes <= max_bytes {
            return;
        }
        let mut old: Vec<(u64, u64)> = self
            .by_hash
            .iter()
            .filter(|(_, entry)| entry.used < clock)
            .map(|(&hash, entry)| (entry.used, hash))
            .collect();
        old.sort_unstable();
        for (_, hash) in old {
            if self.bytes <= max_bytes / 4 * 3 {
                break;
            }
            if let Some(entry) = self.by_hash.remove(&hash) {
                self.bytes -= entry.text.len();
            }
        }
        self.last.retain(|last, _| **last == *path);
    }
}

impl Documents<'_> {
    /// The document every range of `finding` is in; `None` when there is none.
    fn document_of(&self, finding: &Diagnostic) -> Option<usize> {
        let start = finding.range.start().to_usize();
        let index = self
            .spans
            .partition_point(|&(span_start, _)| span_start <= start)
            .checked_sub(1)?;
        let (span_start, span_end) = self.spans[index];
        finding
            .own_ranges()?
            .iter()
            .all(|range| {
                range.start().to_usize() >= span_start && range.end().to_usize() <= span_end
            })
            .then_some(index)
    }
}

/// Runs a rule local to one document on the documents marked in `documents`; `None` when it
/// panicked, which the caller reports by running it on the whole file, or asked for the edit,
/// which it did not promise to.
fn run_on_documents(
    rule: &'static dyn Rule,
    file: &SourceFile<'_>,
    documents: &[bool],
    config: &Config,
) -> Option<Vec<Diagnostic>> {
    let meta = rule.meta();
    let options = config.rule_options(meta.id());
    catch_unwind(AssertUnwindSafe(|| {
        let mut ctx = RuleContext::new(file, meta, options).with_documents(Some(documents));
        rule.check(&mut ctx);
        // A rule that asked for the edit judged it without one here.
        (!ctx.asked_change()).then(|| ctx.into_diagnostics())
    }))
    .ok()
    .flatten()
}

#[cfg(test)]
mod tests {
    use redline_syntax::{SourceHints, parse_source};

    use super::*;

    /// A stream of pods that share their host's network, one per name.
    fn stream(names: &[&str]) -> String {
        names
            .iter()
            .map(|name| {
                format!(
                    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  hostNetwork: \
                     true\n  containers:\n    - name: app\n      image: app\n"
                )
            })
            .collect::<Vec<_>>()
            .join("---\n")
    }

    #[test]
    fn a_stream_with_a_syntax_error_is_judged_whole() {
        let memo = DocumentMemo::default();
        let clean = stream(&["a", "b"]);
        let file = parse_source("pods.yaml", &clean, SourceHints::default()).expect("parsed");
        assert!(memo.enter(&file).is_some());
        // Error recovery may read across documents: nothing of the broken text is kept.
        let broken = clean.replacen("  name: b", "  name: [b", 1);
        let file = parse_source("pods.yaml", &broken, SourceHints::default()).expect("parsed");
        assert!(file.first_parse_problem().is_some());
        assert!(memo.enter(&file).is_none());
    }

    #[test]
    fn the_least_recently_used_documents_go_and_the_findings_stay_those_of_the_file() {
        let config = Config::default();
        let rule = redline_rules::find_rule("host-namespaces").expect("a rule");
        assert_eq!(rule.meta().locality, Locality::Document);
        // Room for about five documents of about 120 bytes.
        let memo = DocumentMemo::new(600);
        let first = stream(&["a", "b", "c", "d"]);
        let second = stream(&["e", "f", "g", "h"]);
        let rounds = [("a.yaml", &first), ("b.yaml", &second)].repeat(2);
        for (round, (path, text)) in rounds.into_iter().enumerate() {
            let file = parse_source(path, text, SourceHints::default()).expect("parsed");
            let documents = memo.enter(&file).expect("a stream of pods");
            let found = memo.run(rule, &documents, &config).expect("local findings");
            let mut ctx = RuleContext::new(&file, rule.meta(), None);
            rule.check(&mut ctx);
            assert_eq!(found, ctx.into_diagnostics(), "round {round}");
            assert_eq!(found.len(), 4);
            let entries = memo.lock();
            assert!(entries.bytes <= 600 || entries.by_hash.len() <= 4);
            assert_eq!(
                entries.last.len(),
                1,
                "only the file analysed keeps its versions"
            );
        }
        // Each stream pushed the other's documents out, and the other file's versions with
        // them: every round judged all four.
        assert_eq!(memo.stats().judged, 16);
        assert_eq!(memo.stats().taken, 0);
    }
}
