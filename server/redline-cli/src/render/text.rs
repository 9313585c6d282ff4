//! The human-readable report.
//!
//! Paths, messages, fix titles and source lines come from the analysed repository, so they
//! pass through `escape::line` before they reach the terminal; only redline's own colour codes
//! are written raw.

use std::fmt::Write as _;

use redline_diagnostics::{Applicability, Category, Severity};

use super::Renderer;
use crate::escape;
use crate::findings::Finding;
use crate::report::{Summary, Tally};

const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// The text report: each finding as it arrives, then the counts.
pub struct TextRenderer {
    color: bool,
    /// Written before the findings: `redline plan`'s summary of what the plan destroys.
    prelude: String,
}

impl TextRenderer {
    /// The report of `check`, `diff` and `gate`; `color` adds the terminal's colours.
    pub fn new(color: bool) -> TextRenderer {
        TextRenderer::with_prelude(color, String::new())
    }

    /// A report that starts with `prelude`, already escaped and coloured.
    pub fn with_prelude(color: bool, prelude: String) -> TextRenderer {
        TextRenderer { color, prelude }
    }
}

impl Renderer for TextRenderer {
    fn streams(&self) -> bool {
        true
    }

    fn begin(&mut self, out: &mut String) -> anyhow::Result<()> {
        out.push_str(&self.prelude);
        Ok(())
    }

    fn finding(&mut self, out: &mut String, finding: &Finding) -> anyhow::Result<()> {
        render_finding(out, finding, self.color);
        Ok(())
    }

    fn end(&mut self, out: &mut String, summary: &Summary<'_>) -> anyhow::Result<()> {
        out.push_str(&closing(summary.files, summary.tally));
        Ok(())
    }
}

/// Appends one finding: its heading, source excerpt, related locations and fixes.
fn render_finding(res: &mut String, finding: &Finding, color: bool) {
    let paint = |style: &str, text: &str| {
        if color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_owned()
        }
    };
    let severity_style = match finding.severity {
        Severity::Error => RED,
        Severity::Warning => YELLOW,
        Severity::Info => CYAN,
    };
    let _ = writeln!(
        res,
        "{}: {} {}",
        paint(
            BOLD,
            &format!(
                "{}:{}:{}",
                escape::line(&finding.path),
                finding.start.line,
                finding.start.column
            )
        ),
        paint(
            severity_style,
            &format!("{}[{}]", finding.severity, finding.rule.id)
        ),
        escape::line(&finding.message)
    );
    let line_number = finding.start.line.to_string();
    let gutter = " ".repeat(line_number.len());
    if !finding.source_line.is_empty() {
        excerpt(res, finding, &line_number, severity_style, &paint);
    }
    for related in &finding.related {
        let _ = writeln!(
            res,
            " {gutter} {} {}:{}:{}: {}",
            paint(DIM, "="),
            escape::line(&related.path),
            related.start.line,
            related.start.column,
            escape::line(&related.message)
        );
    }
    for fix in &finding.fixes {
        let how = match fix.applicability {
            Applicability::Safe => "safe fix, applied by --fix",
            Applicability::Unsafe => "unsafe fix, applied by --fix --unsafe-fixes",
            Applicability::DisplayOnly => "suggestion",
        };
        let _ = writeln!(
            res,
            " {gutter} {} {how}: {}",
            paint(DIM, "="),
            escape::line(&fix.title)
        );
    }
    res.push('\n');
}

/// The source line of a finding with a caret span under the flagged text.
///
/// The line is shown escaped, so the caret is placed by the width of the escaped text before
/// the start column and spans the escaped width of the flagged characters.
fn excerpt(
    res: &mut String,
    finding: &Finding,
    line_number: &str,
    severity_style: &str,
    paint: &dyn Fn(&str, &str) -> String,
) {
    let gutter = " ".repeat(line_number.len());
    let source_line = &finding.source_line;
    let _ = writeln!(
        res,
        " {} {} {}",
        paint(DIM, line_number),
        paint(DIM, "|"),
        escape::line(source_line)
    );
    let line_chars = source_line.chars().count();
    let start = finding.start.column.saturating_sub(1) as usize;
    let end = if finding.end.line == finding.start.line {
        finding.end.column.saturating_sub(1) as usize
    } else {
        line_chars
    };
    let (caret_start, caret_end) = (
        escaped_column(source_line, start),
        escaped_column(source_line, end.max(start)),
    );
    let width = (caret_end - caret_start).max(1);
    let _ = writeln!(
        res,
        " {gutter} {} {}{}",
        paint(DIM, "|"),
        " ".repeat(caret_start),
        paint(severity_style, &"^".repeat(width))
    );
}

/// Where character column `column` (0-based) of `source_line` is once the line is escaped;
/// columns past the end of the line count one each.
fn escaped_column(source_line: &str, column: usize) -> usize {
    match source_line.char_indices().nth(column) {
        Some((index, _)) => escape::line_width(&source_line[..index]),
        None => escape::line_width(source_line) + (column - source_line.chars().count()),
    }
}

/// The closing lines: counts by category and how many findings have fixes.
fn closing(files: usize, tally: &Tally) -> String {
    let files = plural(files, "file", "files");
    if tally.findings == 0 {
        return format!("No findings in {files}.\n");
    }
    let by_category: Vec<String> = Category::ALL
        .iter()
        .zip(tally.by_category)
        .map(|(category, count)| format!("{count} {}", category.as_str()))
        .collect();
    let mut res = format!(
        "Found {} in {files}: {}",
        plural(tally.findings, "finding", "findings"),
        by_category.join(", ")
    );
    if tally.other > 0 {
        let _ = write!(res, ", {} other", tally.other);
    }
    res.push_str(".\n");
    if tally.safe_fixes > 0 {
        let _ = writeln!(
            res,
            "{} fixable with `--fix`.",
            plural(tally.safe_fixes, "finding", "findings")
        );
    }
    if tally.unsafe_fixes > 0 {
        let _ = writeln!(
            res,
            "{} fixable with `--fix --unsafe-fixes` (review the changes).",
            plural(tally.unsafe_fixes, "more finding", "more findings")
        );
    }
    res
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

#[cfg(test)]
mod tests {
    use redline_diagnostics::{Confidence, RuleCode};
    use redline_text::LineColumn;

    use super::*;
    use crate::findings::FindingRelated;

    fn finding(source_line: &str, start: u32, end: u32) -> Finding {
        let at = |column| LineColumn { line: 3, column };
        Finding {
            rule: RuleCode {
                id: "RL-TF-010",
                name: "force-destroy-enabled",
                category: Some(Category::Destructive),
            },
            severity: Severity::Error,
            confidence: Confidence::High,
            path: "a\u{1b}[2J.tf".to_owned(),
            start: at(start),
            end: at(end),
            message: "on `b\u{1b}]0;PWNED\u{7}`\nforged".to_owned(),
            fixes: Vec::new(),
            impact: None,
            related: vec![FindingRelated {
                path: "a\u{1b}[2J.tf".to_owned(),
                start: at(1),
                end: at(2),
                message: "see \u{202e}here".to_owned(),
            }],
            source_line: source_line.to_owned(),
            fingerprint: String::new(),
        }
    }

    #[test]
    fn analysed_text_is_escaped_and_the_caret_lines_up() {
        // `force_destroy` is character 15, after an ESC, a BEL and a bidi override.
        let line = "r \"b\u{1b}]0;\u{7}\u{202e}\" { force_destroy = true }";
        let mut res = String::new();
        render_finding(&mut res, &finding(line, 15, 28), false);
        let lines: Vec<&str> = res.lines().collect();
        assert_eq!(
            lines,
            [
                "a\\u{1b}[2J.tf:3:15: error[RL-TF-010] on `b\\u{1b}]0;PWNED\\u{7}`\\u{a}forged",
                " 3 | r \"b\\u{1b}]0;\\u{7}\\u{202e}\" { force_destroy = true }",
                &format!("   | {}{}", " ".repeat(30), "^".repeat(13)),
                "   = a\\u{1b}[2J.tf:3:1: see \\u{202e}here",
                "",
            ]
        );
        assert_eq!(lines[1].find("force_destroy"), lines[2].find('^'));
    }

    #[test]
    fn flagged_control_characters_widen_the_caret() {
        let mut res = String::new();
        render_finding(&mut res, &finding("a\u{1b}b", 2, 3), false);
        let carets: Vec<&str> = res.lines().skip(2).take(1).collect();
        assert_eq!(carets, ["   |  ^^^^^^"]);
    }

    #[test]
    fn own_colour_codes_are_the_only_escape_sequences() {
        let mut res = String::new();
        render_finding(&mut res, &finding("x\u{1b}[2J", 1, 2), true);
        let mut rest = res.as_str();
        while let Some(index) = rest.find('\u{1b}') {
            rest = &rest[index + 1..];
            let sgr = rest.strip_prefix('[').map(|tail| {
                tail.find('m')
                    .is_some_and(|end| tail[..end].chars().all(|c| c.is_ascii_digit()))
            });
            assert_eq!(sgr, Some(true), "{res:?}");
        }
    }
}
