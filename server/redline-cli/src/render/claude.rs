//! The answer of a Claude Code `PreToolUse` hook (`redline hook claude`): a permission decision
//! of `deny` when the change introduces an error, `ask` when it introduces a warning, and
//! nothing at all otherwise, so that Claude Code goes on as it would without the hook.

use std::fmt::Write as _;

use redline_diagnostics::Severity;
use serde_json::Value;

use crate::escape;
use crate::findings::Finding;
use crate::report::Summary;

/// The hook's answer, a line of JSON, when it has one: it follows from the worst finding.
pub fn render(findings: &[Finding], _summary: &Summary<'_>) -> anyhow::Result<String> {
    Ok(decision(findings).map_or_else(String::new, |decision| format!("{decision}\n")))
}

/// The hook's answer: `deny` for an error, `ask` for a warning, nothing otherwise.
fn decision(findings: &[Finding]) -> Option<Value> {
    let worst = findings.iter().map(|finding| finding.severity).max()?;
    let permission = match worst {
        Severity::Error => "deny",
        Severity::Warning => "ask",
        Severity::Info => return None,
    };
    // Informational findings do not change the decision, so they are left out of the reason.
    let shown: Vec<&Finding> = findings
        .iter()
        .filter(|finding| finding.severity >= Severity::Warning)
        .collect();
    let mut reason = format!(
        "redline: this change introduces {} finding{}:",
        shown.len(),
        if shown.len() == 1 { "" } else { "s" }
    );
    // The reason is shown to the person and the agent deciding: the file's text in it is
    // escaped as in text output, so that it can neither drive a terminal nor hide from a reader.
    for finding in shown {
        let _ = write!(
            reason,
            "\n- {}:{}: {}[{}] {}",
            escape::line(&finding.path),
            finding.start.line,
            finding.severity,
            finding.rule.id,
            escape::line(&finding.message)
        );
        if let Some(fix) = finding.fixes.first() {
            let _ = write!(reason, " (fix: {})", escape::line(&fix.title));
        }
    }
    Some(serde_json::json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": permission,
            "permissionDecisionReason": reason,
        }
    }))
}
