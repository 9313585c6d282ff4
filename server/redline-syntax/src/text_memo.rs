//! A memo of values computed from a text, kept by that text and bounded by the bytes of text it
//! holds: emptied when the next text would pass the bound. One memo is shared by every thread
//! (`SharedMemo`): the language server analyses each keystroke on whichever thread of its pool
//! is free, and a memo kept per thread would start empty on each of them. What is computed is a
//! pure function of the text, so a value taken from the memo equals one computed again.
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use redline_text::TextSize;

/// A map keyed by text. The texts are whole blocks and documents, hashed on every keystroke,
/// so it uses a fast hash (foldhash) rather than the standard library's SipHash, which took
/// about 7% of a keystroke in a long stream; nothing here faces hash flooding, since a
/// user's own file is all it reads.
pub(crate) type TextMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Values by the text they were computed from.
pub(crate) struct TextMemo<V> {
    values: TextMap<Box<str>, V>,
    /// The bytes of text held.
    bytes: usize,
    /// The most text held.
    limit: usize,
    /// The longest text kept.
    longest: usize,
}

impl<V> TextMemo<V> {
    /// A memo of at most `limit` bytes of text, each text at most `longest` bytes.
    pub(crate) fn new(limit: usize, longest: usize) -> Self {
        TextMemo {
            values: TextMap::default(),
            bytes: 0,
            limit,
            longest: longest.min(limit),
        }
    }

    /// The value kept for `text`.
    pub(crate) fn get(&self, text: &str) -> Option<&V> {
        self.values.get(text)
    }

    /// The value kept for `text`, made with `make` if there is none; `None` for a text longer
    /// than the memo keeps. Each call counts `text` against the bound, emptying the memo first
    /// when it would pass it.
    pub(crate) fn entry(&mut self, text: &str, make: impl FnOnce() -> V) -> Option<&mut V> {
        if text.len() > self.longest {
            return None;
        }
        if self.bytes + text.len() > self.limit {
            self.values.clear();
            self.bytes = 0;
        }
        self.bytes += text.len();
        Some(self.values.entry(Box::from(text)).or_insert_with(make))
    }
}

/// A `TextMemo` behind a lock, made on first use; for a `static`.
pub(crate) struct SharedMemo<V> {
    limit: usize,
    longest: usize,
    memo: Mutex<Option<TextMemo<V>>>,
}

impl<V> SharedMemo<V> {
    /// A memo of at most `limit` bytes of text, each text at most `longest` bytes.
    pub(crate) const fn new(limit: usize, longest: usize) -> Self {
        SharedMemo {
            limit,
            longest,
            memo: Mutex::new(None),
        }
    }

    /// Runs `f` on the memo, under its lock: `f` must not use this memo again.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut TextMemo<V>) -> T) -> T {
        // What the memo holds is whole whatever panicked while it was held: a value is
        // inserted complete or not at all.
        let mut memo = self.memo.lock().unwrap_or_else(PoisonError::into_inner);
        f(memo.get_or_insert_with(|| TextMemo::new(self.limit, self.longest)))
    }
}

/// The value of a part of a text that starts at `start` and reads `part`, where the value is a
/// function of the part alone up to where it starts (a top-level block without syntax errors):
/// taken from `memo`, kept as if the part started at offset 0, and moved to `start`; else
/// made with `make` and kept, moved to offset 0. `shift(value, from, to)` moves a value made
/// for a part starting at `from` to one starting at `to`.
pub(crate) fn kept_at<V: Clone>(
    memo: &'static SharedMemo<V>,
    part: &str,
    start: TextSize,
    make: impl FnOnce() -> V,
    shift: impl Fn(&mut V, TextSize, TextSize),
) -> V {
    if let Some(mut found) = memo.with(|kept| kept.get(part).cloned()) {
        shift(&mut found, TextSize::from(0), start);
        return found;
    }
    let res = make();
    let mut to_keep = res.clone();
    shift(&mut to_keep, start, TextSize::from(0));
    memo.with(|kept| kept.entry(part, || to_keep).map(drop));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_values_by_text_within_its_bound() {
        let mut memo: TextMemo<usize> = TextMemo::new(12, 6);
        assert!(memo.entry("1234567", || 7).is_none());
        assert_eq!(memo.get("1234567"), None);
        memo.entry("abcd", || 1);
        memo.entry("efgh", || 2);
        assert_eq!(memo.get("abcd"), Some(&1));
        // A text already kept keeps its value, and counts again: 12 bytes.
        assert_eq!(memo.entry("abcd", || 9).copied(), Some(1));
        // 16 bytes would pass the bound of 12: the memo is emptied first.
        memo.entry("ijkl", || 3);
        assert_eq!(memo.get("efgh"), None);
        assert_eq!(memo.get("ijkl"), Some(&3));
    }

    /// The server analyses keystrokes on several threads: what one kept, another finds.
    #[test]
    fn a_value_kept_on_one_thread_is_found_on_another() {
        static MEMO: SharedMemo<usize> = SharedMemo::new(1 << 10, 1 << 10);
        let made = std::sync::atomic::AtomicUsize::new(0);
        let make = || {
            made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            7
        };
        let keep = || kept_at(&MEMO, "text", TextSize::from(0), make, |_, _, _| {});
        std::thread::scope(|scope| {
            scope.spawn(keep);
        });
        assert_eq!(keep(), 7);
        assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
