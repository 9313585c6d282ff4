use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::terraform::{Block, Value};
use redline_text::TextRange;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `local-exec` or `remote-exec` provisioner, in any resource and notably in
    /// `terraform_data` and `null_resource`, whose command runs `terraform destroy` (or
    /// `terraform apply -destroy`, and the same with `tofu`), `rm -rf`, or `kubectl delete`.
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
        let address = resource.address();
        for provisioner in resource.block.body.blocks_of("provisioner") {
            let Some(kind @ ("local-exec" | "remote-exec")) = provisioner.label(0) else {
                continue;
            };
            for name in COMMAND_ATTRIBUTES {
                let Some(attribute) = provisioner.body.attribute(name) else {
                    continue;
                };
                // Each element of `inline` is its own command; report the one that deletes.
                let pieces: Vec<TextRange> = match &attribute.value.value {
                    Value::List(items) => items.iter().map(|item| item.range).collect(),
                    _ => vec![attribute.range],
                };
                let Some((range, found)) = pieces.into_iter().find_map(|range| {
                    find_destructive(&literal_text(ctx.file().slice(range)))
                        .map(|found| (range, found))
                }) else {
                    continue;
                };
                let when = if runs_at_destroy(provisioner, ctx.text()) {
                    " when it is destroyed"
                } else {
                    ""
                };
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
            // List elements of `inline` are separate commands.
            ',' | '[' | ']' => res.push('\n'),
            other => res.push(other),
        }
    }
    res
}

/// The first destructive command in `script`, as written.
fn find_destructive(script: &str) -> Option<String> {
    for command in script.split(['\n', ';', '|', '&', '(', ')', '`']) {
        let words: Vec<&str> = command
            .split_whitespace()
            .map(|word| word.trim_matches(|c| c == '"' || c == '\''))
            .filter(|word| !word.is_empty())
            .collect();
        let mut rest = words.as_slice();
        // Skip wrappers and variable assignments in front of the program.
        while let [first, tail @ ..] = rest {
            let is_assignment = first.contains('=') && !first.starts_with('-');
            if is_assignment
                || matches!(
                    *first,
                    "sudo" | "exec" | "command" | "time" | "env" | "nohup"
                )
            {
                rest = tail;
            } else {
                break;
            }
        }
        let [program, arguments @ ..] = rest else {
            continue;
        };
        let program = program.rsplit('/').next().unwrap_or(program);
        let subcommand = arguments
            .iter()
            .find(|word| !word.starts_with('-'))
            .copied();
        let found = match program {
            "terraform" | "tofu" => {
                subcommand == Some("destroy")
                    || (subcommand == Some("apply")
                        && arguments
                            .iter()
                            .any(|word| *word == "-destroy" || *word == "--destroy"))
            }
            "kubectl" | "oc" => subcommand == Some("delete"),
            "rm" => is_recursive_force(arguments),
            _ => false,
        };
        if found {
            return Some(rest.join(" "));
        }
    }
    None
}

/// Whether `rm` arguments ask for both recursion and force, in any spelling.
fn is_recursive_force(arguments: &[&str]) -> bool {
    let mut recursive = false;
    let mut force = false;
    for word in arguments {
        match *word {
            "--recursive" => recursive = true,
            "--force" => force = true,
            "--" => break,
            flags if flags.starts_with('-') && !flags.starts_with("--") => {
                recursive |= flags.contains('r') || flags.contains('R');
                force |= flags.contains('f');
            }
            _ => {}
        }
    }
    recursive && force
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
