//! Documentation pages, rendered from rule metadata. `docs/rules/` holds their output.

use std::fmt::Write as _;

use redline_diagnostics::{
    Confidence, INTERNAL_ERROR, PARSE_ERROR, SUPPRESSION, Severity, TEMPLATE_SKIPPED,
};

use crate::{FixAvailability, RuleMeta, Status, all_rules, find_rule};

/// Where the rule pages of `docs/rules/` are published.
pub const DOCS_BASE_URL: &str = "https://github.com/redline-lint/redline/blob/main/docs/rules/";

/// The published documentation page of a rule.
pub fn doc_url(id: &str) -> String {
    format!("{DOCS_BASE_URL}{id}.md")
}

/// The engine's own rules: they have documentation but no check of their own.
pub static META_RULES: [RuleMeta; 4] = [
    RuleMeta {
        code: PARSE_ERROR,
        summary: "A file has a syntax error, so findings after it may be missing",
        severity: Severity::Info,
        confidence: Confidence::High,
        formats: redline_syntax::Format::ALL,
        fix: FixAvailability::None,
        status: Status::Stable,
        doc: " ## What it flags
 The first syntax error of a file redline analyses.

 ## Why it matters
 redline still analyses every part of the file that parses, but a resource, statement or job
 inside the broken part is invisible to the rules, so a dangerous change there is not reported.

 ## What to do
 Fix the syntax error; the message shows where the parser gave up.

 ## Suppression
 `[rules] disable = [\"parse-error\"]` in `redline.toml`.
",
        locality: crate::Locality::File,
    },
    RuleMeta {
        code: SUPPRESSION,
        summary: "A suppression comment is malformed, has no reason, has expired or silences nothing",
        severity: Severity::Info,
        confidence: Confidence::High,
        formats: redline_syntax::Format::ALL,
        fix: FixAvailability::None,
        status: Status::Stable,
        doc: " ## What it flags
 A `redline:ignore` or `redline:ignore-file` comment that
 - names no rule, or a rule that does not exist;
 - gives no reason after `--`;
 - has an `until=YYYY-MM-DD` date that has passed (its findings are reported again);
 - matches no finding, so it no longer does anything.

 ## Why it matters
 A suppression is a decision that a risk is accepted.
 Without a reason nobody can review that decision, and a stale suppression silently
 accepts whatever is written on that line next.

 ## Example
 ```hcl
 resource \"aws_s3_bucket\" \"scratch\" {
   # redline:ignore RL-TF-010 until=2027-01-31 -- emptied and recreated by CI
   force_destroy = true
 }
 ```

 ## Syntax
 `# redline:ignore <rule>[,<rule>…] [until=YYYY-MM-DD] -- <reason>` on the line above the
 finding or at the end of its line; `//` and `/* */` comments work in Terraform.
 `# redline:ignore-file <rule>… -- <reason>` anywhere in a file silences the rules for the whole
 file. Rules are named by id (`RL-TF-010`) or name (`force-destroy-enabled`).
 JSON files have no comments: use `[[ignore]]` entries in `redline.toml`.
",
        locality: crate::Locality::File,
    },
    RuleMeta {
        code: INTERNAL_ERROR,
        summary: "A rule failed while analysing a file",
        severity: Severity::Warning,
        confidence: Confidence::High,
        formats: redline_syntax::Format::ALL,
        fix: FixAvailability::None,
        status: Status::Stable,
        doc: " ## What it flags
 A rule that stopped with an internal error on this file.
 The other rules and files were still analysed; only that rule's findings for this file are
 missing.

 ## What to do
 Report it with the file (or a reduced copy) so the rule can be fixed.
",
        locality: crate::Locality::File,
    },
    RuleMeta {
        code: TEMPLATE_SKIPPED,
        summary: "A template is skipped because its literal parts do not parse",
        severity: Severity::Info,
        confidence: Confidence::High,
        formats: &[
            redline_syntax::Format::Kubernetes,
            redline_syntax::Format::CloudFormation,
            redline_syntax::Format::AzurePipelines,
        ],
        fix: FixAvailability::None,
        status: Status::Stable,
        doc: " ## What it flags
 A YAML file with template actions (`{{ .Values.replicas }}`, `{{- if … }}`), such as a Helm
 chart's `templates/` files, whose literal parts do not form valid YAML.
 redline reads a template on its literal parts: each action is read as a value it does not
 know, and a line that holds only actions (`{{- if … }}`, `{{- end }}`,
 `{{- toYaml .Values.x | nindent 8 }}`) as a blank line. When what is left does not parse,
 the syntax error may be the template's doing, so the file is skipped rather than misread.

 ## Why it matters
 Nothing in the file is analysed, so its dangers go unreported.

 ## What to do
 Render the chart and check the output:
 `helm template my-release ./chart > rendered.yaml && redline check rendered.yaml`.

 ## Suppression
 `[rules] disable = [\"template-skipped\"]` in `redline.toml`, or `exclude` the templates.
",
        locality: crate::Locality::File,
    },
];

/// A rule or one of the engine's own rules, by id or name.
pub fn find_any_rule(id_or_name: &str) -> Option<&'static RuleMeta> {
    if let Some(rule) = find_rule(id_or_name) {
        return Some(rule.meta());
    }
    META_RULES
        .iter()
        .find(|meta| meta.id().eq_ignore_ascii_case(id_or_name) || meta.name() == id_or_name)
}

/// The Markdown page of a rule, as committed in `docs/rules/<id>.md`.
pub fn doc_page(meta: &RuleMeta) -> String {
    let mut res = String::new();
    let category = meta.category().map_or("—", |category| category.as_str());
    let formats: Vec<&str> = meta.formats.iter().map(|format| format.as_str()).collect();
    let fix = match meta.fix {
        FixAvailability::Always => "always",
        FixAvailability::Sometimes => "sometimes",
        FixAvailability::None => "none",
    };
    let status = match meta.status {
        Status::Preview => "preview",
        Status::Stable => "stable",
    };
    let _ = writeln!(res, "# {} · {}\n", meta.id(), meta.name());
    let _ = writeln!(res, "{}.\n", meta.summary);
    let _ = writeln!(res, "| | |\n|---|---|");
    let _ = writeln!(res, "| Category | {category} |");
    let _ = writeln!(res, "| Default severity | {} |", meta.severity.as_str());
    let _ = writeln!(res, "| Confidence | {} |", meta.confidence.as_str());
    // A repository rule runs on no single file: it joins the facts of a repository's files.
    let formats = if formats.is_empty() {
        "the files of a repository, joined".to_owned()
    } else {
        formats.join(", ")
    };
    let _ = writeln!(res, "| Formats | {formats} |");
    let _ = writeln!(res, "| Fix | {fix} |");
    let _ = writeln!(res, "| Status | {status} |\n");
    res.push_str(&meta.doc_markdown());
    res
}

/// The Markdown index of every rule, as committed in `docs/rules/README.md`.
pub fn rules_index() -> String {
    let mut res = String::from(
        "# Rules\n\nEvery rule redline runs, with its id, name, category and default severity.\n\
         `redline rules` prints the same list; `redline explain <id>` prints a page.\n\n\
         | Id | Name | Category | Severity | Fix | Summary |\n|---|---|---|---|---|---|\n",
    );
    let metas = all_rules()
        .iter()
        .map(|rule| rule.meta())
        .chain(META_RULES.iter());
    for meta in metas {
        let _ = writeln!(
            res,
            "| [{id}]({id}.md) | {} | {} | {} | {} | {} |",
            meta.name(),
            meta.category().map_or("—", |category| category.as_str()),
            meta.severity.as_str(),
            match meta.fix {
                FixAvailability::Always => "yes",
                FixAvailability::Sometimes => "some",
                FixAvailability::None => "no",
            },
            meta.summary,
            id = meta.id(),
        );
    }
    res
}
