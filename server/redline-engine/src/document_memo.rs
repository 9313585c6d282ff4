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
use std::sync::{Arc, Mutex, PoisonError};

use redline_diagnostics::Diagnostic;
use redline_rules::{Rule, RuleContext};
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
}

struct Entry {
    /// The document's text, from the start of the line it starts on to the start of the next
    /// document's; compared when first looked up in an analysis, since a hash alone is not
    /// proof.
    text: Arc<str>,
    /// The findings of each rule that ran on it, with ranges relative to the start of `text`.
    findings: Vec<(&'static str, Vec<Diagnostic>)>,
    used: u64,
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
    hashes: Vec<u64>,
    /// The memo's copy of each document's text, which identifies its entry during this
    /// analysis.
    texts: Vec<Arc<str>>,
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
    /// when the file is not a stream of several Kubernetes documents read as written (a
    /// template's values that come from its actions are not in its neutral text), or too long
    /// to hold.
    pub(crate) fn enter<'f>(&self, file: &'f SourceFile<'f>) -> Option<Documents<'f>> {
        if file.format != Format::Kubernetes
            || file.templated
            || file.documents.len() < 2
            || file.text.len() > self.max_bytes
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
        let hasher = foldhash::fast::FixedState::with_seed(0);
        let hashes: Vec<u64> = spans
            .iter()
            .map(|&(start, end)| hasher.hash_one(&file.text[start..end]))
            .collect();
        let mut entries = self.lock();
        entries.clock += 1;
        let clock = entries.clock;
        let mut texts = Vec::with_capacity(spans.len());
        for (&(start, end), &hash) in spans.iter().zip(&hashes) {
            let text = &file.text[start..end];
            let entries = &mut *entries;
            match entries.by_hash.get_mut(&hash) {
                Some(entry) if *entry.text == *text => {
                    entry.used = clock;
                    texts.push(Arc::clone(&entry.text));
                }
                found => {
                    // A new text, or another text with the same hash, which takes its place.
                    let entry = Entry {
                        text: Arc::from(text),
                        findings: Vec::new(),
                        used: clock,
                    };
                    texts.push(Arc::clone(&entry.text));
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
        entries.evict(self.max_bytes, clock);
        Some(Documents {
            file,
            spans,
            hashes,
            texts,
        })
    }

    /// What `rule` reports in the file of `documents`: from the memo for the documents it holds
    /// the rule's findings in, and by running the rule on the others, whose findings it then
    /// keeps. `None` when the rule reported a finding outside the document it ran on, which a
    /// rule local to one document never does: the caller runs it on the whole file instead.
    pub(crate) fn run(
        &self,
        rule: &'static dyn Rule,
        documents: &Documents<'_>,
        config: &Config,
    ) -> Option<Vec<Diagnostic>> {
        let id = rule.meta().id();
        let count = documents.spans.len();
        let mut found: Vec<Option<Vec<Diagnostic>>> = {
            let mut entries = self.lock();
            let found: Vec<Option<Vec<Diagnostic>>> = (0..count)
                .map(|index| {
                    let entry = entries.by_hash.get(&documents.hashes[index])?;
                    if !Arc::ptr_eq(&entry.text, &documents.texts[index]) {
                        return None;
                    }
                    let (_, findings) = entry.findings.iter().find(|(rule, _)| *rule == id)?;
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
            entries.taken += found.iter().filter(|found| found.is_some()).count() as u64;
            found
        };
        let missing: Vec<bool> = found.iter().map(Option::is_none).collect();
        if missing.iter().any(|&missing| missing) {
            let findings = run_on_documents(rule, documents.file, &missing, config)?;
            let mut judged: Vec<Vec<Diagnostic>> = vec![Vec::new(); count];
            for finding in findings {
                let index = documents.document_of(&finding)?;
                if !missing[index] {
                    return None;
                }
                judged[index].push(finding);
            }
            let mut entries = self.lock();
            let mut kept = 0;
            for (index, findings) in judged.into_iter().enumerate() {
                if !missing[index] {
                    continue;
                }
                if let Some(entry) = entries.by_hash.get_mut(&documents.hashes[index])
                    && Arc::ptr_eq(&entry.text, &documents.texts[index])
                    && entry.findings.iter().all(|(rule, _)| *rule != id)
                {
                    let from = TextSize::from_usize(documents.spans[index].0);
                    let to = TextSize::from_usize(0);
                    entry.findings.push((
                        id,
                        findings
                            .iter()
                            .map(|finding| finding.clone().moved(from, to))
                            .collect(),
                    ));
                    kept += 1;
                }
                found[index] = Some(findings);
            }
            entries.judged += kept;
        }
        Some(found.into_iter().flatten().flatten().collect())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Entries {
    /// Drops the least recently used documents until the texts fit in `max_bytes`; those of
    /// the analysis at `clock` stay.
    fn evict(&mut self, max_bytes: usize, clock: u64) {
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
            if self.bytes <= max_bytes {
                break;
            }
            if let Some(entry) = self.by_hash.remove(&hash) {
                self.bytes -= entry.text.len();
            }
        }
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
/// panicked, which the caller reports by running it on the whole file.
fn run_on_documents(
    rule: &'static dyn Rule,
    file: &SourceFile<'_>,
    documents: &[bool],
    config: &Config,
) -> Option<Vec<Diagnostic>> {
    let meta = rule.meta();
    let options = config
        .rules
        .get(meta.id())
        .and_then(|settings| settings.options.as_deref());
    catch_unwind(AssertUnwindSafe(|| {
        let mut ctx = RuleContext::new(file, meta, options).with_documents(Some(documents));
        rule.check(&mut ctx);
        ctx.into_diagnostics()
    }))
    .ok()
}
