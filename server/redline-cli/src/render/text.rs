//! The human-readable report.

use std::fmt::Write as _;

use redline_diagnostics::{Applicability, Category, Severity};

use crate::check::Report;
use crate::findings::{Finding, Tally};

const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

pub fn render(report: &Report, color: bool) -> String {
    let mut res = String::new();
    for finding in &report.findings {
        render_finding(&mut res, finding, color);
    }
    res.push_str(&summary(report.files, &Tally::of(&report.findings)));
    res
}

/// Appends one finding: its heading, source excerpt, related locations and fixes.
pub fn render_finding(res: &mut String, finding: &Finding, color: bool) {
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
                finding.path, finding.start.line, finding.start.column
            )
        ),
        paint(
            severity_style,
            &format!("{}[{}]", finding.severity, finding.rule.id)
        ),
        finding.message
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
            finding.path,
            related.start.line,
            related.start.column,
            related.message
        );
    }
    for fix in &finding.fixes {
        let how = match fix.applicability {
            Applicability::Safe => "safe fix, applied by --fix",
            Applicability::Unsafe => "unsafe fix, applied by --fix --unsafe-fixes",
            Applicability::DisplayOnly => "suggestion",
        };
        let _ = writeln!(res, " {gutter} {} {how}: {}", paint(DIM, "="), fix.title);
    }
    res.push('\n');
}

/// The source line of a finding with a caret span under the flagged text.
fn excerpt(
    res: &mut String,
    finding: &Finding,
    line_number: &str,
    severity_style: &str,
    paint: &dyn Fn(&str, &str) -> String,
) {
    let gutter = " ".repeat(line_number.len());
    let _ = writeln!(
        res,
        " {} {} {}",
        paint(DIM, line_number),
        paint(DIM, "|"),
        finding.source_line
    );
    let line_chars = finding.source_line.chars().count() as u32;
    let start = finding.start.column.saturating_sub(1);
    let end = if finding.end.line == finding.start.line {
        finding.end.column.saturating_sub(1)
    } else {
        line_chars
    };
    let width = end.saturating_sub(start).max(1) as usize;
    let _ = writeln!(
        res,
        " {gutter} {} {}{}",
        paint(DIM, "|"),
        " ".repeat(start as usize),
        paint(severity_style, &"^".repeat(width))
    );
}

/// The closing lines: counts by category and how many findings have fixes.
pub fn summary(files: usize, tally: &Tally) -> String {
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
            "{} fixable with `redline check --fix`.",
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
