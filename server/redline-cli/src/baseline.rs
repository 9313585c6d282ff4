//! Baseline files: the fingerprints of accepted findings.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

use crate::findings::Finding;

/// The largest baseline read: 64 MiB, about 400,000 accepted findings. A baseline is often
/// committed with the repository, so its size is bounded like the repository's other inputs.
const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    findings: Vec<BaselineEntry>,
}

#[derive(Serialize, Deserialize, PartialEq, Eq, Hash, Clone)]
struct BaselineEntry {
    rule: String,
    path: String,
    fingerprint: String,
}

/// Accepted findings, as a multiset of entries.
pub struct Baseline {
    entries: HashMap<BaselineEntry, usize>,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn read(path: &Path) -> anyhow::Result<Baseline> {
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|file| {
                use std::io::Read as _;
                file.take(MAX_BASELINE_BYTES + 1).read_to_string(&mut text)
            })
            .with_context(|| format!("cannot read baseline {}", path.display()))?;
        if text.len() as u64 > MAX_BASELINE_BYTES {
            bail!(
                "baseline {} is larger than {} MiB: not read",
                path.display(),
                MAX_BASELINE_BYTES / (1024 * 1024)
            );
        }
        let file: BaselineFile = serde_json::from_str(&text)
            .with_context(|| format!("invalid baseline {}", path.display()))?;
        if file.version != 1 {
            bail!(
                "baseline {} has unsupported version {}",
                path.display(),
                file.version
            );
        }
        let mut entries = HashMap::new();
        for entry in file.findings {
            *entries.entry(entry).or_insert(0) += 1;
        }
        Ok(Baseline { entries })
    }

    /// Removes the findings the baseline accepts; each entry accepts one finding.
    pub fn filter(&mut self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter(|finding| {
                let key = entry_of(finding);
                match self.entries.get_mut(&key) {
                    Some(count) if *count > 0 => {
                        *count -= 1;
                        false
                    }
                    _ => true,
                }
            })
            .collect()
    }
}

/// Writes the findings as a baseline file.
pub fn write(path: &Path, findings: &[Finding]) -> anyhow::Result<()> {
    let file = BaselineFile {
        version: 1,
        findings: findings.iter().map(entry_of).collect(),
    };
    let mut text = serde_json::to_string_pretty(&file)?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("cannot write baseline {}", path.display()))
}

fn entry_of(finding: &Finding) -> BaselineEntry {
    BaselineEntry {
        rule: finding.rule.id.to_owned(),
        path: finding.path.clone(),
        fingerprint: finding.fingerprint.clone(),
    }
}
