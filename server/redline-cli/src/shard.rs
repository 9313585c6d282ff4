//! `--shard I/N`: a deterministic split of the analysed files over N CI jobs.
//!
//! A file belongs to shard `1 + fnv1a64(path) % N`, where `path` is the path shown in
//! reports (relative to the current folder, `/`-separated). The hash depends on nothing but
//! the path, so jobs that walk the same tree agree on the split whatever order they walk it
//! in, and adding a file moves no other file to another shard.

use std::fmt;

/// One shard of N, numbered from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub total: u64,
}

impl Shard {
    /// Parses `I/N` with `1 <= I <= N`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (index, total) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not of the form I/N, such as 1/4"))?;
        let index: u64 = index
            .trim()
            .parse()
            .map_err(|_| format!("`{index}` is not a shard number"))?;
        let total: u64 = total
            .trim()
            .parse()
            .map_err(|_| format!("`{total}` is not a shard count"))?;
        if total == 0 || index == 0 || index > total {
            return Err(format!(
                "shard {index}/{total} does not exist: I must be between 1 and N, and N at least 1"
            ));
        }
        Ok(Self { index, total })
    }

    /// Whether the file shown as `path` belongs to this shard.
    pub fn contains(self, path: &str) -> bool {
        let normalised = path.replace('\\', "/");
        let normalised = normalised.strip_prefix("./").unwrap_or(&normalised);
        fnv1a64(normalised.as_bytes()) % self.total == self.index - 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}

/// 64-bit FNV-1a: simple, stable across platforms and releases, and well spread for paths.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(Shard::parse("2/4").unwrap(), Shard { index: 2, total: 4 });
        for bad in ["0/4", "5/4", "1/0", "1", "a/2", "1/b", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn every_path_is_in_exactly_one_shard() {
        let paths: Vec<String> = (0..200).map(|i| format!("modules/m{i}/main.tf")).collect();
        let total = 4;
        let mut sizes = vec![0; 4];
        for path in &paths {
            let owners: Vec<u64> = (1..=total)
                .filter(|&index| Shard { index, total }.contains(path))
                .collect();
            assert_eq!(owners.len(), 1, "{path} is in shards {owners:?}");
            sizes[usize::try_from(owners[0] - 1).unwrap()] += 1;
        }
        assert!(
            sizes.iter().all(|&size| size > 25),
            "uneven split {sizes:?}"
        );
    }

    #[test]
    fn the_hash_is_pinned() {
        // The split must not change between releases: CI configurations depend on it.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert!(Shard::parse("1/1").unwrap().contains("anything.tf"));
        assert_eq!(
            Shard { index: 1, total: 2 }.contains("./main.tf"),
            Shard { index: 1, total: 2 }.contains("main.tf")
        );
    }
}
