//! JUnit XML, as Jenkins, GitLab (`artifacts:reports:junit`) and most CI test viewers read it.
//!
//! One `<testsuite>` per file with findings or problems, named by its path; one failing
//! `<testcase>` per finding; files that could not be read are test cases with an `<error>`,
//! skipped files test cases with `<skipped>`. A run without any gets one passing test case,
//! so that the report is never empty.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use redline_workspace::{FileProblem, ProblemKind};

use crate::findings::Finding;
use crate::report::Summary;
use redline_text::visible;

#[derive(Default)]
struct Suite<'a> {
    findings: Vec<&'a Finding>,
    problems: Vec<&'a FileProblem>,
}

/// One test suite per file.
pub fn render(findings: &[Finding], summary: &Summary<'_>) -> anyhow::Result<String> {
    let mut suites: BTreeMap<&str, Suite<'_>> = BTreeMap::new();
    for finding in findings {
        suites
            .entry(finding.path.as_str())
            .or_default()
            .findings
            .push(finding);
    }
    for problem in summary.errors {
        suites
            .entry(problem.path.as_str())
            .or_default()
            .problems
            .push(problem);
    }
    let count = |kind: Option<ProblemKind>| {
        summary
            .errors
            .iter()
            .filter(|problem| kind.is_none_or(|kind| problem.kind == kind))
            .count()
    };
    let n_failures = findings.len();
    let n_errors = count(Some(ProblemKind::Io));
    let n_tests = if suites.is_empty() {
        1
    } else {
        n_failures + count(None)
    };

    let mut res = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        res,
        "<testsuites name=\"redline\" tests=\"{n_tests}\" failures=\"{n_failures}\" errors=\"{n_errors}\">"
    );
    if suites.is_empty() {
        let _ = writeln!(
            res,
            "  <testsuite name=\"redline\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n    \
             <testcase name=\"{} file(s) without findings\" classname=\"redline\"/>\n  </testsuite>",
            summary.files
        );
    }
    for (path, suite) in &suites {
        suite_xml(&mut res, path, suite);
    }
    res.push_str("</testsuites>\n");
    Ok(res)
}

fn suite_xml(res: &mut String, path: &str, suite: &Suite<'_>) {
    let n_errors = suite
        .problems
        .iter()
        .filter(|problem| problem.kind == ProblemKind::Io)
        .count();
    let n_skipped = suite.problems.len() - n_errors;
    let _ = writeln!(
        res,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{n_errors}\" skipped=\"{n_skipped}\">",
        escape(path),
        suite.findings.len() + suite.problems.len(),
        suite.findings.len(),
    );
    for finding in &suite.findings {
        let name = format!(
            "{} {} at {}:{}",
            finding.rule.id, finding.rule.name, finding.start.line, finding.start.column
        );
        let mut body = format!(
            "{}:{}:{}: {}[{}] {}",
            finding.path,
            finding.start.line,
            finding.start.column,
            finding.severity,
            finding.rule.id,
            finding.message
        );
        if !finding.source_line.is_empty() {
            body.push('\n');
            body.push_str(&finding.source_line);
        }
        let _ = writeln!(
            res,
            "    <testcase name=\"{}\" classname=\"{}\">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
            escape(&name),
            escape(path),
            finding.severity,
            escape(&finding.message),
            escape_text(&body)
        );
    }
    for problem in &suite.problems {
        let element = match problem.kind {
            ProblemKind::Io => format!(
                "<error type=\"io\" message=\"{}\"/>",
                escape(&problem.message)
            ),
            ProblemKind::Skipped => {
                format!("<skipped>{}</skipped>", escape_text(&problem.message))
            }
        };
        let _ = writeln!(
            res,
            "    <testcase name=\"read {}\" classname=\"{}\">\n      {element}\n    </testcase>",
            escape(path),
            escape(path)
        );
    }
    res.push_str("  </testsuite>\n");
}

/// Escapes element text: markup characters only, line breaks and quotes stay as they are.
fn escape_text(text: &str) -> String {
    escape(text)
        .replace("&#10;", "\n")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
}

/// Escapes text for an attribute. The characters XML 1.0 does not allow at all, even as
/// character references (most C0 controls, U+FFFE and U+FFFF), are written as the visible
/// `\u{XX}` of human output instead, so that the report still parses and shows they were there;
/// every other character is kept exactly, as a character reference when a terminal would act
/// on it or a reader would not see it.
fn escape(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => res.push_str("&amp;"),
            '<' => res.push_str("&lt;"),
            '>' => res.push_str("&gt;"),
            '"' => res.push_str("&quot;"),
            '\'' => res.push_str("&apos;"),
            '\n' => res.push_str("&#10;"),
            '\t' | '\r' => {
                let _ = write!(res, "&#{};", u32::from(c));
            }
            c if u32::from(c) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                visible::push_escape(&mut res, c);
            }
            // DEL, C1 controls, bidirectional and invisible characters are legal XML: a
            // character reference keeps them exact for a parser and inert in a terminal.
            c if visible::needs_escape(c) => {
                let _ = write!(res, "&#x{:x};", u32::from(c));
            }
            c => res.push(c),
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_makes_forbidden_characters_visible() {
        assert_eq!(
            escape("a<b & \"c\" 'd'\u{1}\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;\\u{1}&#10;"
        );
        // ESC, BEL and U+FFFF cannot appear in XML 1.0; tabs, carriage returns, C1 controls and
        // bidirectional characters can, and are kept exactly as character references.
        assert_eq!(
            escape("\u{1b}]0;x\u{7}\u{ffff}\t\r\u{85}\u{202e}\u{200b}é"),
            "\\u{1b}]0;x\\u{7}\\u{ffff}&#9;&#13;&#x85;&#x202e;&#x200b;é"
        );
        assert_eq!(escape_text("a\nb\u{0}"), "a\nb\\u{0}");
    }
}
