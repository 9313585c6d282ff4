use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;
use redline_syntax::value::Entry;
use redline_text::TextRange;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `permissions: write-all` in a GitHub Actions workflow, at the top level or on a job.
    ///
    /// ## Why it matters
    /// The job's `GITHUB_TOKEN` can then write to everything the token can reach: code,
    /// releases, packages, deployments, environments' statuses, issues and pull requests.
    /// Any step in the job, including third-party actions and commands an agent added, can
    /// push to protected branches' sources, publish packages or rewrite releases with it.
    ///
    /// ## Example
    /// ```yaml
    /// permissions: write-all
    /// jobs:
    ///   build:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - run: make
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// permissions:
    ///   contents: read
    /// jobs:
    ///   build:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - run: make
    /// ```
    /// Grant further scopes (`pull-requests: write`, `id-token: write`) only on the jobs
    /// that need them.
    ///
    /// ## Fix safety
    /// The fix replaces `write-all` with `contents: read`. It is unsafe: steps that push,
    /// publish or comment lose their permission and fail until the scopes they need are
    /// granted explicitly. Apply it with `--fix --unsafe-fixes` and review the jobs.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-GHA-001 -- release job, reviewed` on the line above or at the end
    /// of the line.
    ///
    /// ## References
    /// - GitHub Docs, "Controlling permissions for GITHUB_TOKEN"
    /// - zizmor `excessive-permissions`, Checkov CKV2_GHA_1
    WriteAllPermissions {
        id: "RL-GHA-001", name: "write-all-permissions",
        summary: "A workflow or job grants `permissions: write-all` to its token",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::GithubActions], fix: FixAvailability::Always, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for document in &file.documents {
        if let Some(entry) = document.entry("permissions") {
            report(ctx, entry, "every job of this workflow");
        }
        let Some(jobs) = document.get("jobs") else {
            continue;
        };
        for job in jobs.entries() {
            let Some(entry) = job.value.entry("permissions") else {
                continue;
            };
            let scope = match job.key.as_str() {
                Some(name) => format!("job `{name}`"),
                None => "this job".to_owned(),
            };
            report(ctx, entry, &scope);
        }
    }
}

fn report(ctx: &mut RuleContext<'_>, entry: &Entry, scope: &str) {
    if entry.value.as_str() != Some("write-all") {
        return;
    }
    let message = format!(
        "`permissions: write-all` gives {scope} a token that can write to code, releases, \
         packages and deployments; grant `contents: read` and add only the scopes a job needs"
    );
    let fix = Fix::single(
        "Replace `write-all` with `contents: read`",
        Applicability::Unsafe,
        read_only_edit(ctx.text(), entry),
    );
    let diagnostic = ctx.diagnostic(entry.value.range, message).with_fix(fix);
    ctx.report(diagnostic);
}

/// Rewrites the entry's value as a block mapping `contents: read`, or as a flow mapping when
/// the key does not start its line.
fn read_only_edit(text: &str, entry: &Entry) -> Edit {
    let key_start = entry.key.range.start().to_usize();
    let line_start = text[..key_start].rfind('\n').map_or(0, |index| index + 1);
    let indent = &text[line_start..key_start];
    if indent.chars().all(|c| c == ' ') {
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let range = TextRange::new(entry.key.range.end(), entry.value.range.end());
        Edit::replace(range, format!(":{newline}{indent}  contents: read"))
    } else {
        Edit::replace(entry.value.range, "{contents: read}")
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("github_actions/write-all-permissions/fires.yml");
    }

    #[test]
    fn quiet() {
        check_fixture("github_actions/write-all-permissions/quiet.yml");
    }
}
