//! What a rule reports: `Diagnostic`, and the `Fix`es that repair it.

use std::fmt;

use redline_text::{TextRange, TextSize};

/// The three kinds of danger redline reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Destroys or replaces stateful things.
    Destructive,
    /// Grants more than the task needs.
    Permissions,
    /// Lets a deploy or destroy run without a human approving it.
    Approval,
}

/// How serious a finding is. Ordered from least to most serious.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing; never fails a run unless asked to.
    Info,
    /// Risky; fails a run by default.
    Warning,
    /// Will destroy or expose something.
    Error,
}

/// How sure a rule is that the finding is real.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Confidence {
    /// A heuristic that may misfire.
    Low,
    /// Usually right.
    Medium,
    /// Follows from the text alone.
    High,
}

/// Whether a fix may be applied without a human looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Applicability {
    /// Contains placeholders; shown, never applied by a tool.
    DisplayOnly,
    /// Changes behaviour (permissions, triggers, resources); applied only with `--unsafe-fixes`.
    Unsafe,
    /// Only adds the guard the rule asks for; applied by `--fix`.
    Safe,
}

/// The identity of a rule as it appears on a diagnostic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleCode {
    /// Stable id, e.g. `RL-TF-010`.
    pub id: &'static str,
    /// Kebab-case name, e.g. `force-destroy-enabled`.
    pub name: &'static str,
    /// `None` only for the engine's own diagnostics (parse errors, suppressions, internal errors).
    pub category: Option<Category>,
}

/// One text replacement: `range` in the analysed text becomes `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edit {
    /// The bytes to replace; empty for an insertion.
    pub range: TextRange,
    /// The new text.
    pub replacement: String,
}

/// A titled set of edits that repairs a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, in the imperative ("Set `force_destroy = false`").
    pub title: String,
    /// Whether tools may apply it unattended.
    pub applicability: Applicability,
    // Invariant: sorted by range start, and no two edits overlap.
    edits: Vec<Edit>,
}

/// Another place that matters for a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// The file, by the display path the engine was given for it; `None` for the finding's own
    /// file.
    pub path: Option<String>,
    /// Where, in bytes of that file.
    pub range: TextRange,
    /// Why it matters.
    pub message: String,
}

/// A finding: one rule, one range, a message, and zero or more fixes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule that reported it.
    pub rule: RuleCode,
    /// Severity after configuration overrides.
    pub severity: Severity,
    /// How sure the rule is.
    pub confidence: Confidence,
    /// The flagged bytes.
    pub range: TextRange,
    /// What will happen, why it matters, and what to do.
    pub message: String,
    /// Ways to repair it, best first.
    pub fixes: Vec<Fix>,
    /// Other places that explain the finding.
    pub related: Vec<Related>,
    /// The object the finding is about, when the rule names one (an IAM statement, a
    /// CloudFormation resource, a Terraform resource, a Kubernetes workload or role), in the
    /// finding's own file: the engine keeps one finding per object and problem.
    pub subject: Option<TextRange>,
    /// What else the destroy or replace the finding reports takes with it, for findings
    /// about one (`None` for every other finding).
    pub impact: Option<Box<Impact>>,
}

/// The objects that go with a destroyed or replaced object: its blast radius.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Impact {
    /// The object the finding destroys or replaces (`aws_vpc.main`).
    pub root: String,
    /// Objects replaced with it, breadth first from the root.
    pub replaced: Vec<Impacted>,
    /// Objects that lose an input with it: they still reference a destroyed object, or read
    /// a value known only after the replacement where Terraform must know it to plan.
    pub destroyed: Vec<Impacted>,
}

/// One object in an `Impact`, with the edge that brings it in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Impacted {
    /// The object (`aws_db_instance.orders`).
    pub object: String,
    /// The object it depends on: the root, or another replaced object.
    pub parent: String,
    /// What it reads of `parent` (`aws_kms_key.data.arn`).
    pub via: String,
    /// Its attribute that reads `via` (`kms_key_id`).
    pub attribute: String,
    /// Whether it holds data that cannot be recreated (a database, a bucket, a volume, a key).
    pub holds_data: bool,
}

/// Why a set of edits cannot form a fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverlappingEdits;

/// The engine's own rule for files that do not parse cleanly.
pub const PARSE_ERROR: RuleCode = RuleCode {
    id: "RL-META-001",
    name: "parse-error",
    category: None,
};

/// The engine's own rule for suppression comments that are malformed, expired or unused.
pub const SUPPRESSION: RuleCode = RuleCode {
    id: "RL-META-002",
    name: "suppression",
    category: None,
};

/// The engine's own rule for a rule that failed while analysing a file.
pub const INTERNAL_ERROR: RuleCode = RuleCode {
    id: "RL-META-003",
    name: "internal-error",
    category: None,
};

/// The engine's own rule for templates that must be rendered before they can be analysed.
pub const TEMPLATE_SKIPPED: RuleCode = RuleCode {
    id: "RL-META-004",
    name: "template-skipped",
    category: None,
};

impl Category {
    /// Every category, in output order.
    pub const ALL: [Category; 3] = [
        Category::Destructive,
        Category::Permissions,
        Category::Approval,
    ];

    /// The lowercase name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Destructive => "destructive",
            Category::Permissions => "permissions",
            Category::Approval => "approval",
        }
    }
}

impl Severity {
    /// The lowercase name used in output and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `error`, `warning` or `info`.
    pub fn parse(value: &str) -> Option<Severity> {
        match value {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl Confidence {
    /// The lowercase name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl Applicability {
    /// The lowercase name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Edit {
    /// Replaces `range` with `replacement`.
    pub fn replace(range: TextRange, replacement: impl Into<String>) -> Self {
        Self {
            range,
            replacement: replacement.into(),
        }
    }

    /// Inserts `text` at `offset`.
    pub fn insert(offset: redline_text::TextSize, text: impl Into<String>) -> Self {
        Self::replace(TextRange::empty(offset), text)
    }

    /// Deletes `range`.
    pub fn delete(range: TextRange) -> Self {
        Self::replace(range, String::new())
    }
}

impl Fix {
    /// Creates a fix; edits are sorted, and overlapping edits are refused.
    pub fn new(
        title: impl Into<String>,
        applicability: Applicability,
        mut edits: Vec<Edit>,
    ) -> Result<Self, OverlappingEdits> {
        edits.sort_by_key(|edit| (edit.range.start(), edit.range.end()));
        for pair in edits.windows(2) {
            if pair[0].range.end() > pair[1].range.start() {
                return Err(OverlappingEdits);
            }
        }
        Ok(Self {
            title: title.into(),
            applicability,
            edits,
        })
    }

    /// A fix made of one edit.
    pub fn single(title: impl Into<String>, applicability: Applicability, edit: Edit) -> Self {
        Self {
            title: title.into(),
            applicability,
            edits: vec![edit],
        }
    }

    /// The edits, sorted and non-overlapping.
    pub fn edits(&self) -> &[Edit] {
        &self.edits
    }

    /// The range from the first edit's start to the last edit's end.
    pub fn range(&self) -> Option<TextRange> {
        let first = self.edits.first()?;
        let last = self.edits.last()?;
        Some(TextRange::new(first.range.start(), last.range.end()))
    }
}

impl Diagnostic {
    /// Creates a diagnostic without fixes.
    pub fn new(
        rule: RuleCode,
        severity: Severity,
        confidence: Confidence,
        range: TextRange,
        message: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            severity,
            confidence,
            range,
            message: message.into(),
            fixes: Vec::new(),
            related: Vec::new(),
            subject: None,
            impact: None,
        }
    }

    /// Names the object the finding is about.
    pub fn with_subject(mut self, subject: TextRange) -> Self {
        self.subject = Some(subject);
        self
    }

    /// Every range of the finding in its own file: where it is, its fixes' edits, its
    /// subject, and its related places in the same file. `None` when a related place is in
    /// another file.
    pub fn own_ranges(&self) -> Option<Vec<TextRange>> {
        let mut res = vec![self.range];
        for fix in &self.fixes {
            res.extend(fix.edits.iter().map(|edit| edit.range));
        }
        res.extend(self.subject);
        for related in &self.related {
            if related.path.is_some() {
                return None;
            }
            res.push(related.range);
        }
        Some(res)
    }

    /// The same finding in a text where the text at `from` now starts at `to`: every range of
    /// `own_ranges`, which must all start at or after `from`, moves by `to - from`.
    #[must_use]
    pub fn moved(mut self, from: TextSize, to: TextSize) -> Self {
        let mv = |range: &mut TextRange| {
            *range = TextRange::new(range.start() - from + to, range.end() - from + to);
        };
        mv(&mut self.range);
        for fix in &mut self.fixes {
            for edit in &mut fix.edits {
                mv(&mut edit.range);
            }
        }
        if let Some(subject) = &mut self.subject {
            mv(subject);
        }
        for related in &mut self.related {
            if related.path.is_none() {
                mv(&mut related.range);
            }
        }
        self
    }

    /// The finding with the blast radius of the destroy or replace it reports.
    pub fn with_impact(mut self, impact: Impact) -> Self {
        self.impact = Some(Box::new(impact));
        self
    }

    /// Adds a fix.
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    /// Adds a related location in the finding's own file.
    pub fn with_related(mut self, range: TextRange, message: impl Into<String>) -> Self {
        self.related.push(Related {
            path: None,
            range,
            message: message.into(),
        });
        self
    }

    /// Adds a related location in another file, named by the display path the engine was
    /// given for it.
    pub fn with_related_in(
        mut self,
        path: impl Into<String>,
        range: TextRange,
        message: impl Into<String>,
    ) -> Self {
        self.related.push(Related {
            path: Some(path.into()),
            range,
            message: message.into(),
        });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_refuse_overlaps_and_sort() {
        let a = Edit::replace(TextRange::from_usize(5, 8), "x");
        let b = Edit::insert(redline_text::TextSize::new(1), "y");
        let fix = Fix::new("t", Applicability::Safe, vec![a.clone(), b]).expect("disjoint");
        assert_eq!(fix.edits()[1], a);
        let c = Edit::replace(TextRange::from_usize(6, 9), "z");
        assert_eq!(
            Fix::new("t", Applicability::Safe, vec![a, c]),
            Err(OverlappingEdits)
        );
    }
}
