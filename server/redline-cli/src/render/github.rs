//! GitHub Actions workflow commands: one annotation per finding.

use std::fmt::Write as _;

use redline_diagnostics::Severity;

use super::Renderer;
use crate::findings::Finding;
use crate::report::Summary;
use redline_text::visible;

/// One annotation per finding, written as it arrives; nothing before or after.
pub struct GithubRenderer;

impl Renderer for GithubRenderer {
    fn streams(&self) -> bool {
        true
    }

    fn finding(&mut self, out: &mut String, finding: &Finding) -> anyhow::Result<()> {
        render_finding(out, finding);
        Ok(())
    }

    fn end(&mut self, _out: &mut String, _summary: &Summary<'_>) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Appends the annotation of one finding.
fn render_finding(res: &mut String, finding: &Finding) {
    let command = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let title = format!("{} {}", finding.rule.id, finding.rule.name);
    let _ = writeln!(
        res,
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(&finding.path),
        finding.start.line,
        finding.start.column,
        finding.end.line,
        finding.end.column,
        escape_property(&title),
        escape_data(&finding.message)
    );
}

/// Escapes an annotation's message. GitHub decodes only `%25`, `%0D` and `%0A`, and reads
/// workflow commands from the start of log lines, so escaping `%` and the line breaks is what
/// stops a message from starting a command of its own. The other characters of
/// `visible::needs_escape` take the visible escape of text output: the log and the annotation
/// are read by people, and the same output may go to a terminal.
fn escape_data(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => res.push_str("%25"),
            '\r' => res.push_str("%0D"),
            '\n' => res.push_str("%0A"),
            c if visible::needs_escape(c) => visible::push_escape(&mut res, c),
            c => res.push(c),
        }
    }
    res
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_cannot_start_a_command_or_drive_a_terminal() {
        let message = "x\n::error file=a::forged\r\n::stop-commands::t 100%\u{1b}[2J\u{202e}";
        let escaped = escape_data(message);
        assert_eq!(
            escaped,
            "x%0A::error file=a::forged%0D%0A::stop-commands::t 100%25\\u{1b}[2J\\u{202e}"
        );
        assert!(!escaped.chars().any(visible::needs_escape));
        assert_eq!(escape_property("a:b,c\n"), "a%3Ab%2Cc%0A");
    }
}
