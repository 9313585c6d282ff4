use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;
use redline_syntax::gitlab_ci::{Job, SCRIPT_KEYS, jobs};
use redline_syntax::value::{Node, NodeKind};

use crate::shell::deploy_in_script;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A GitLab CI job that deploys or destroys (its scripts run `terraform apply|destroy`,
    /// `kubectl apply|delete`, `helm upgrade`, `cdk deploy`, … or it deploys to a
    /// `production` environment) with no blocking manual gate.
    /// `extends:`, `default:` and YAML anchors and merge keys are followed; a job that extends
    /// a template defined in another file is left alone, since that template may hold the gate.
    ///
    /// ## Why it matters
    /// Without a gate the job runs as soon as the pipeline reaches it: a merge, or a commit an
    /// agent pushed, changes production with nobody approving it.
    /// A job-level `when: manual` is not a gate: with the default `allow_failure: true` it is
    /// optional, the pipeline carries on without it, and the jobs after it run unreviewed.
    ///
    /// ## Example
    /// ```yaml
    /// deploy:
    ///   stage: deploy
    ///   script:
    ///     - terraform apply -auto-approve
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// deploy:
    ///   stage: deploy
    ///   rules:
    ///     - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
    ///       when: manual
    ///   environment:
    ///     name: production
    ///     deployment_tier: production
    ///   script:
    ///     - terraform apply tfplan
    /// ```
    /// and protect the `production` environment with required approvals.
    ///
    /// ## Fix safety
    /// The fix adds `when: manual` and `allow_failure: false` to a job without `rules:`. It is
    /// unsafe: the pipeline then stops at the job until someone runs it.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-GLC-101 -- review apps only` on the line above the job.
    ///
    /// ## References
    /// - GitLab Docs, "Choose when to run jobs: create a job that must be run manually"
    /// - GitLab Docs, "Deployment approvals"
    DeployWithoutManualGate {
        id: "RL-GLC-101", name: "deploy-without-manual-gate",
        summary: "A GitLab CI job deploys or destroys without a blocking manual gate",
        category: Category::Approval, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::GitlabCi], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for document in &file.documents {
        for job in jobs(document) {
            let Some((what, gate)) = ungated(&job, &file.text) else {
                continue;
            };
            let name = job.name();
            let message = match gate {
                Gate::Optional => format!(
                    "job `{name}` {what}, and its job-level `when: manual` is optional (`allow_failure` defaults to true): the pipeline carries on without it and nothing waits for an approval; add `allow_failure: false` or move `when: manual` into `rules:`"
                ),
                _ => format!(
                    "job `{name}` {what} with no blocking manual gate: it runs as soon as the pipeline reaches it and nobody has to approve it; add `when: manual` with `allow_failure: false` (or in `rules:`) and protect the environment"
                ),
            };
            let mut diagnostic = ctx.diagnostic(job.entry.key.range, message);
            if let Some(fix) = gate_fix(&file.text, &job, gate) {
                diagnostic = diagnostic.with_fix(fix);
            }
            ctx.report(diagnostic);
        }
    }
}

/// The manual gate a job has.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gate {
    /// None: the job runs when the pipeline reaches it.
    None,
    /// A job-level `when: manual` with `allow_failure` left true: the pipeline goes on without it.
    Optional,
    /// A manual step the pipeline waits for.
    Blocking,
}

/// What a job deploys, in words, and its gate, when it deploys with no blocking manual gate;
/// `None` when it deploys nothing, is gated, or extends a template of another file (which may
/// hold the gate: never guess). RL-WS-001 joins the same judgement.
pub(crate) fn ungated(job: &Job<'_>, text: &str) -> Option<(String, Gate)> {
    // GitLab creates `pages:deploy` itself to publish Pages: it deploys a static site, not
    // infrastructure.
    if job.name() == "pages:deploy" {
        return None;
    }
    let what = deploys(job, text)?;
    let gate = gate(job);
    if gate == Gate::Blocking || job.extends_elsewhere {
        return None;
    }
    Some((what, gate))
}

/// What the job deploys, in words, if it deploys.
fn deploys(job: &Job<'_>, text: &str) -> Option<String> {
    for field in SCRIPT_KEYS {
        let Some(value) = job.get_or_default(field) else {
            continue;
        };
        for line in value.one_or_many() {
            let lines: Vec<&Node> = match &line.kind {
                NodeKind::Sequence(items) => items.iter().collect(),
                _ => vec![line],
            };
            if let Some(effect) = lines
                .into_iter()
                .find_map(|line| deploy_in_script(line, text))
            {
                return Some(format!("runs `{effect}`"));
            }
        }
    }
    let environment = job.get("environment")?;
    let name = environment
        .as_str()
        .or_else(|| environment.get("name").and_then(Node::as_str))?;
    let production = crate::looks_like_production(name);
    production.then(|| format!("deploys to environment `{name}`"))
}

fn gate(job: &Job<'_>) -> Gate {
    let rules_gate = job.get("rules").is_some_and(|rules| {
        rules.items().iter().any(|rule| {
            rule.get("when").and_then(Node::as_str) == Some("manual")
                && rule.get("allow_failure").and_then(Node::as_bool) != Some(true)
        })
    });
    let tier_production = job
        .get("environment")
        .and_then(|environment| environment.get("deployment_tier"))
        .and_then(Node::as_str)
        == Some("production");
    if rules_gate || tier_production {
        return Gate::Blocking;
    }
    if job.get("when").and_then(Node::as_str) == Some("manual") {
        if job.get("allow_failure").and_then(Node::as_bool) == Some(false) {
            return Gate::Blocking;
        }
        return Gate::Optional;
    }
    Gate::None
}

/// Adds the missing parts of a job-level blocking gate; none when the job uses `rules:`.
pub(crate) fn gate_fix(text: &str, job: &Job<'_>, gate: Gate) -> Option<Fix> {
    let own = &job.entry.value;
    if job.get("rules").is_some() {
        return None;
    }
    let first = own.entries().first()?;
    let at = first.key.range.start();
    let offset = at.to_usize();
    let line_start = text[..offset].rfind('\n').map_or(0, |index| index + 1);
    let indent = &text[line_start..offset];
    if !indent.chars().all(|c| c == ' ') {
        return None;
    }
    let lines = match gate {
        Gate::Optional => "allow_failure: false".to_owned(),
        _ => format!("when: manual\n{indent}allow_failure: false"),
    };
    Some(Fix::single(
        match gate {
            Gate::Optional => "Add `allow_failure: false`",
            _ => "Add `when: manual` and `allow_failure: false`",
        },
        Applicability::Unsafe,
        Edit::insert(at, format!("{lines}\n{indent}")),
    ))
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("gitlab_ci/deploy-without-manual-gate/fires.yml");
    }

    #[test]
    fn quiet() {
        check_fixture("gitlab_ci/deploy-without-manual-gate/quiet.yml");
    }
}
