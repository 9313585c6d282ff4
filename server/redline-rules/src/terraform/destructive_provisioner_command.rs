use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::shell::{self, SourceMap};
use redline_syntax::terraform::{Block, Value};
use redline_text::TextRange;

use crate::shell::catalog::{SHELL_RULES, matches, rm_recursive_forced};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `local-exec` or `remote-exec` provisioner, in any resource and notably in
    /// `terraform_data` and `null_resource`, whose command the destructive-command catalog of
    /// the shell rules flags (`terraform destroy`, `kubectl delete namespace`, `aws s3 rm
    /// --recursive`, `DROP TABLE` through `psql -c`, …), or that runs `rm -rf` on any path.
    /// Destroy-time provisioners (`when = destroy`) are included.
    ///
    /// The command is read from its literal text: interpolations such as `${var.dir}` are
    /// treated as opaque words, so `rm -rf ${var.dir}` is still recognised.
    ///
    /// ## Why it matters
    /// A plan shows such a resource as one harmless "create" or "destroy" line, while the
    /// command it runs can delete a whole environment, a cluster's workloads or a disk.
    /// Nobody reviewing the plan sees it, and `prevent_destroy` does not stop it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "terraform_data" "reset" {
    ///   provisioner "local-exec" {
    ///     command = "kubectl delete namespace ${var.namespace}"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Run the destructive step in a reviewed pipeline job with an approval gate, or manage
    /// the namespace as a resource so that its deletion shows in the plan:
    /// ```hcl
    /// resource "kubernetes_namespace" "app" {
    ///   metadata {
    ///     name = var.namespace
    ///   }
    /// }
    /// ```
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-014 -- removes a temporary build folder` on the line above the
    /// command.
    ///
    /// ## References
    /// - Terraform language, "Provisioners" (a last resort)
    DestructiveProvisionerCommand {
        id: "RL-TF-014", name: "destructive-provisioner-command",
        summary: "A provisioner runs a destructive command the plan does not show",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::Medium,
        formats: &[Format::Terraform], fix: FixAvailability::None, status: Status::Preview,
    }
}

/// Attributes of provisioners that hold commands.
const COMMAND_ATTRIBUTES: &[&str] = &["command", "inline"];

fn check(ctx: &mut RuleContext<'_>) {
    let model = ctx.file().terraform();
    for resource in model.resources() {
        for provisioner in resource.block.body.blocks_of("provisioner") {
            let Some(kind @ ("local-exec" | "remote-exec")) = provisioner.label(0) else {
                continue;
            };
            for name in COMMAND_ATTRIBUTES {
                let Some(attribute) = provisioner.body.attribute(name) else {
                    continue;
                };
                // Each element of `inline` is its own command; report the one that deletes.
                let pieces: Vec<(TextRange, TextRange)> = match &attribute.value.value {
                    Value::List(items) => {
                        items.iter().map(|item| (item.range, item.range)).collect()
                    }
                    _ => vec![(attribute.range, attribute.value.range)],
                };
                let Some((range, found)) = pieces.into_iter().find_map(|(range, source)| {
                    find_destructive(&literal_text(ctx.file().slice(source)))
                        .map(|found| (range, found))
                }) else {
                    continue;
                };
                let when = if runs_at_destroy(provisioner, ctx.text()) {
                    " when it is destroyed"
                } else {
                    ""
                };
                let address = resource.address();
                let message = format!(
                    "the `{kind}` provisioner of `{address}` runs `{found}`{when}: the plan \
                     shows only the resource, not what this command deletes; move the command \
                     to a reviewed pipeline step, or manage what it deletes as a resource"
                );
                let diagnostic = ctx.diagnostic(range, message);
                ctx.report(diagnostic);
            }
        }
    }
}

/// Whether the provisioner is `when = destroy` (written as a bare keyword).
fn runs_at_destroy(provisioner: &Block, text: &str) -> bool {
    provisioner.body.attribute("when").is_some_and(|when| {
        let written = text.get(when.value.range.to_std()).unwrap_or("").trim();
        written == "destroy" || written == "\"destroy\""
    })
}

/// The expression's source with `${…}` and `%{…}` replaced by an opaque word, string quotes
/// and escapes removed, and list punctuation turned into command separators.
fn literal_text(source: &str) -> String {
    // A heredoc's first and last lines are its markers.
    let source = match source.trim_start().strip_prefix("<<") {
        Some(rest) => {
            let body = rest.split_once('\n').map_or("", |(_, body)| body);
            body.rsplit_once('\n').map_or(body, |(body, _)| body)
        }
        None => source,
    };
    let mut res = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' | '%' if chars.peek() == Some(&'{') => {
                chars.next();
                let mut depth = 1;
                for inner in chars.by_ref() {
                    match inner {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                res.push_str("VALUE");
            }
            '\\' => match chars.next() {
                Some('n') => res.push('\n'),
                Some(other) => res.push(other),
                None => {}
            },
            // HCL string delimiters; escaped quotes are handled above.
            '"' => {}
            // List elements of `inline` are separate commands.
            ',' | '[' | ']' => res.push('\n'),
            other => res.push(other),
        }
    }
    res
}

/// The first command of `script` that the destructive-command catalog flags, as its words.
fn find_destructive(script: &str) -> Option<String> {
    let map = SourceMap::whole(TextRange::default());
    shell::commands(script, &map)
        .into_iter()
        .find(|command| {
            // Any recursive forced delete counts here: on the machine a provisioner reaches,
            // `rm -rf /data` deletes data the plan never mentions.
            let recursive_delete = command.words.first().is_some_and(|program| {
                shell::program_name(&program.text) == "rm"
                    && rm_recursive_forced(&command.words[1..])
            });
            recursive_delete
                || SHELL_RULES
                    .iter()
                    .any(|rule| !matches(rule, command, Format::Shell).is_empty())
        })
        .map(|command| {
            let words: Vec<&str> = command
                .words
                .iter()
                .map(|word| word.text.as_str())
                .collect();
            words.join(" ")
        })
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    use super::{find_destructive, literal_text};

    #[test]
    fn fires() {
        check_fixture("terraform/destructive-provisioner-command/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/destructive-provisioner-command/quiet.tf");
    }

    #[test]
    fn commands() {
        let found = |source: &str| find_destructive(&literal_text(source));
        assert_eq!(
            found("\"cd ${path.module} && terraform -chdir=x destroy -auto-approve\"").as_deref(),
            Some("terraform -chdir=x destroy -auto-approve")
        );
        assert!(found("\"sudo rm -r -f /data\"").is_some());
        assert!(found("\"rm --recursive --force /data\"").is_some());
        assert!(found("\"rm -f /tmp/lock\"").is_none());
        assert!(found("\"terraform plan -destroy\"").is_none());
        assert!(found("\"echo kubectl delete pod x\"").is_none());
        assert!(found("[\"kubectl get pods\", \"kubectl delete ns ${var.ns}\"]").is_some());
        assert!(
            found("<<-EOT\n  cd ${path.module}\n  tofu apply -destroy -auto-approve\nEOT")
                .is_some()
        );
    }
}
