//! Inline suppressions: `redline:ignore` comments, their targets, and what is wrong with them.

use std::fmt;

use redline_diagnostics::{Confidence, Diagnostic, SUPPRESSION, Severity};
use redline_syntax::SourceFile;
use redline_text::TextRange;

use crate::config::resolve_rule_id;

/// A calendar date, for suppression expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year, e.g. 2027.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31.
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let year: u16 = parts.next().filter(|p| p.len() == 4)?.parse().ok()?;
        let month: u8 = parts.next().filter(|p| p.len() == 2)?.parse().ok()?;
        let day: u8 = parts.next().filter(|p| p.len() == 2)?.parse().ok()?;
        if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// The date of a Unix timestamp (seconds since 1970-01-01, UTC).
    pub fn from_unix_seconds(seconds: u64) -> Date {
        // Civil-from-days, after Howard Hinnant's public-domain algorithm.
        let days = (seconds / 86_400) as i64 + 719_468;
        let era = days.div_euclid(146_097);
        let day_of_era = days.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (year_of_era + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One parsed `redline:ignore` or `redline:ignore-file` comment.
#[derive(Debug)]
pub(crate) struct Suppression {
    /// The comment.
    pub range: TextRange,
    /// Rule ids it names (unknown names are reported and left out).
    pub rules: Vec<&'static str>,
    /// The 0-based line whose findings it silences; `None` for the whole file.
    pub target_line: Option<usize>,
    /// Expiry date.
    pub until: Option<Date>,
    /// Whether a reason follows `--`.
    pub has_reason: bool,
    /// For each entry of `rules`, whether it silenced a finding.
    pub used: Vec<bool>,
}

/// Whether `file` may hold a suppression comment: only comments starting with
/// `redline:ignore` matter, most files have none, and finding the comments walks the whole
/// tree.
pub(crate) fn may_have_suppressions(file: &SourceFile<'_>) -> bool {
    file.text.contains("redline:ignore")
}

/// Reads every suppression comment of `file`; problems found while reading are returned as
/// diagnostics.
pub(crate) fn parse_suppressions(file: &SourceFile<'_>) -> (Vec<Suppression>, Vec<Diagnostic>) {
    let mut suppressions = Vec::new();
    let mut problems = Vec::new();
    if !may_have_suppressions(file) {
        return (suppressions, problems);
    }
    let comments = file.comments();
    let own_line_comment_lines: Vec<(usize, usize)> = comments
        .iter()
        .filter(|range| starts_line(file, **range))
        .map(|range| {
            (
                file.line_index.line_of(range.start()),
                file.line_index.line_of(range.end()),
            )
        })
        .collect();
    for range in comments {
        let body = comment_body(file.slice(range));
        let (file_level, rest) = if let Some(rest) = body.strip_prefix("redline:ignore-file") {
            (true, rest)
        } else if let Some(rest) = body.strip_prefix("redline:ignore") {
            (false, rest)
        } else {
            continue;
        };
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let (spec, reason) = match rest.split_once("--") {
            Some((spec, reason)) => (spec, reason.trim()),
            None => (rest, ""),
        };
        let mut rules = Vec::new();
        let mut named_any = false;
        let mut until = None;
        for token in spec
            .split([',', ' ', '\t'])
            .filter(|token| !token.is_empty())
        {
            if let Some(date) = token.strip_prefix("until=") {
                match Date::parse(date) {
                    Some(date) => until = Some(date),
                    None => problems.push(problem(
                        range,
                        format!(
                            "suppression has an invalid date `{date}`: write `until=YYYY-MM-DD`"
                        ),
                    )),
                }
                continue;
            }
            named_any = true;
            match resolve_rule_id(token) {
                Some(id) => rules.push(id),
                None => problems.push(problem(
                    range,
                    format!("suppression names unknown rule `{token}`"),
                )),
            }
        }
        if rules.is_empty() {
            if named_any {
                continue;
            }
            problems.push(problem(
                range,
                "suppression names no rule: write `redline:ignore RL-… -- reason`".to_owned(),
            ));
            continue;
        }
        let target_line = if file_level {
            None
        } else {
            Some(target_line(file, range, &own_line_comment_lines))
        };
        let used = vec![false; rules.len()];
        suppressions.push(Suppression {
            range,
            rules,
            target_line,
            until,
            has_reason: !reason.is_empty(),
            used,
        });
    }
    (suppressions, problems)
}

/// Removes suppressed diagnostics, marking the suppressions that matched.
pub(crate) fn apply(
    file: &SourceFile<'_>,
    suppressions: &mut [Suppression],
    diagnostics: Vec<Diagnostic>,
    today: Option<Date>,
) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter(|diagnostic| {
            let line = file.line_index.line_of(diagnostic.range.start());
            let mut suppressed = false;
            for suppression in suppressions.iter_mut() {
                if suppression.target_line.is_some_and(|target| target != line) {
                    continue;
                }
                let expired = is_expired(suppression, today);
                for (index, rule) in suppression.rules.iter().enumerate() {
                    if *rule == diagnostic.rule.id {
                        suppression.used[index] = true;
                        suppressed |= !expired;
                    }
                }
            }
            !suppressed
        })
        .collect()
}

/// Diagnostics about suppressions: missing reasons, expiry, and names that matched nothing.
pub(crate) fn report(
    suppressions: &[Suppression],
    today: Option<Date>,
    is_active: impl Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    let mut res = Vec::new();
    for suppression in suppressions {
        let names = suppression.rules.join(", ");
        if !suppression.has_reason {
            res.push(problem(
                suppression.range,
                format!("suppression of {names} has no reason: write why after `--`"),
            ));
        }
        if let (true, Some(until)) = (is_expired(suppression, today), suppression.until) {
            res.push(problem(
                suppression.range,
                format!(
                    "suppression of {names} expired on {until}: its findings are reported again; \
                     fix them or move the date"
                ),
            ));
            continue;
        }
        for (rule, used) in suppression.rules.iter().zip(&suppression.used) {
            if !used && is_active(rule) {
                res.push(problem(
                    suppression.range,
                    format!("suppression of {rule} matches no finding: remove it"),
                ));
            }
        }
    }
    res
}

fn is_expired(suppression: &Suppression, today: Option<Date>) -> bool {
    matches!((suppression.until, today), (Some(until), Some(today)) if today > until)
}

fn problem(range: TextRange, message: String) -> Diagnostic {
    Diagnostic::new(
        SUPPRESSION,
        Severity::Info,
        Confidence::High,
        range,
        message,
    )
}

/// The text of a comment without its markers.
fn comment_body(comment: &str) -> &str {
    let body = if let Some(rest) = comment.strip_prefix("/*") {
        rest.strip_suffix("*/").unwrap_or(rest)
    } else if let Some(rest) = comment.strip_prefix("//") {
        rest
    } else {
        comment.strip_prefix('#').unwrap_or(comment)
    };
    body.trim()
}

/// Whether only whitespace precedes the comment on its line.
fn starts_line(file: &SourceFile<'_>, range: TextRange) -> bool {
    let line = file.line_index.line_of(range.start());
    let line_start = file.line_index.line_start(line);
    file.slice(TextRange::new(line_start, range.start()))
        .trim()
        .is_empty()
}

/// The line a comment applies to: its own line when it trails code, otherwise the next line
/// that is neither blank nor another comment.
fn target_line(
    file: &SourceFile<'_>,
    range: TextRange,
    own_line_comments: &[(usize, usize)],
) -> usize {
    let line = file.line_index.line_of(range.start());
    if !starts_line(file, range) {
        return line;
    }
    let mut candidate = file.line_index.line_of(range.end()) + 1;
    while candidate < file.line_index.line_count() {
        let text = file.slice(file.line_index.line_range(candidate, &file.text));
        let in_comment = own_line_comments
            .iter()
            .find(|(start, end)| *start <= candidate && candidate <= *end);
        if let Some((_, end)) = in_comment {
            candidate = end + 1;
            continue;
        }
        if text.trim().is_empty() {
            candidate += 1;
            continue;
        }
        return candidate;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            Date::parse("2027-01-31"),
            Some(Date {
                year: 2027,
                month: 1,
                day: 31
            })
        );
        assert_eq!(Date::parse("2027-1-31"), None);
        assert_eq!(Date::from_unix_seconds(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_unix_seconds(1_795_564_800).to_string(),
            "2026-11-25"
        );
        assert_eq!(
            Date::from_unix_seconds(951_782_400).to_string(),
            "2000-02-29"
        );
    }
}
