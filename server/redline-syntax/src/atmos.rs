//! Atmos workflow files: named workflows whose steps run Atmos subcommands or shell commands.
//!
//! ```yaml
//! workflows:
//!   deploy-basics:
//!     steps:
//!       - command: terraform deploy eks/cert-manager   # `atmos terraform deploy …`
//!       - command: ./scripts/smoke-test.sh
//!         type: shell
//! ```
//!
//! A step's `type` is `atmos` unless it says otherwise: its command is then an Atmos
//! subcommand, which Atmos splits into words and runs without a shell. redline reads it as the
//! shell command `atmos <command>`, so that rules on command lines judge it as they would
//! judge the same command in a script.

use crate::embedded::yaml_script;
use crate::shell::{self, Command};
use crate::value::Node;

/// The program name an Atmos step's words are read after.
pub const ATMOS: &str = "atmos";

/// One step of an Atmos workflow.
#[derive(Clone, Copy, Debug)]
pub struct Step<'d> {
    /// The workflow's name, as its key.
    pub workflow: &'d Node,
    /// The step's `command` value.
    pub command: &'d Node,
    /// How Atmos runs the command.
    pub kind: StepKind,
}

/// How Atmos runs a step's command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// `type: atmos` (the default): an Atmos subcommand.
    Atmos,
    /// `type: shell`: a shell command.
    Shell,
    /// Another step type, which redline does not read.
    Other,
}

/// Whether a YAML document is an Atmos workflow file: a `workflows` mapping whose workflows
/// each have a list of `steps`, every step a mapping with a `command` string (and, if it says
/// so, a `type` string). GitHub Actions (`on`, `jobs`), Kubernetes objects (Argo Workflows),
/// CircleCI (`workflows.<name>.jobs`) and other tools that have a `workflows` key do not
/// write that shape.
pub fn is_workflow_file(document: &Node) -> bool {
    let Some(workflows) = document.get("workflows") else {
        return false;
    };
    if ["on", "jobs", "apiVersion", "kind"]
        .iter()
        .any(|key| document.get(key).is_some())
    {
        return false;
    }
    let entries = workflows.entries();
    !entries.is_empty()
        && workflows.is_mapping()
        && entries.iter().all(|workflow| {
            let Some(steps) = workflow.value.get("steps") else {
                return false;
            };
            let items = steps.items();
            !items.is_empty()
                && items.iter().all(|step| {
                    step.get("command").and_then(Node::as_str).is_some()
                        && step.get("type").is_none_or(|kind| kind.as_str().is_some())
                })
        })
}

/// Every step of every workflow of an Atmos workflow file, in order.
pub fn steps(document: &Node) -> Vec<Step<'_>> {
    let Some(workflows) = document.get("workflows") else {
        return Vec::new();
    };
    let mut res = Vec::new();
    for workflow in workflows.entries() {
        for step in workflow
            .value
            .get("steps")
            .map(Node::items)
            .unwrap_or_default()
        {
            let Some(command) = step.get("command") else {
                continue;
            };
            let kind = match step.get("type").and_then(Node::as_str).map(str::trim) {
                None | Some("atmos") => StepKind::Atmos,
                Some("shell") => StepKind::Shell,
                Some(_) => StepKind::Other,
            };
            res.push(Step {
                workflow: &workflow.key,
                command,
                kind,
            });
        }
    }
    res
}

/// The commands a step runs, with ranges in the file: a shell step's commands, or an Atmos
/// step as the one command `atmos <command>`.
pub fn step_commands(step: &Step<'_>, text: &str) -> Vec<Command> {
    let Some((script, map)) = yaml_script(step.command, text) else {
        return Vec::new();
    };
    match step.kind {
        StepKind::Shell => shell::commands(&script, &map),
        StepKind::Atmos => {
            let prefix = format!("{ATMOS} ");
            let script = format!("{prefix}{script}");
            let map = map.shifted(prefix.len());
            // Atmos runs its words without a shell: what a shell would read as a second
            // command (`a; b`) is more arguments of the first.
            shell::commands(&script, &map)
                .into_iter()
                .take(1)
                .filter(|command| command.words.first().is_some_and(|word| word.text == ATMOS))
                .collect()
        }
        StepKind::Other => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn documents(text: &str) -> Vec<std::sync::Arc<Node>> {
        let tree = crate::tree::parse(crate::Language::Yaml, text).expect("yaml grammar loads");
        crate::yaml::documents(&tree, text)
    }

    #[test]
    fn workflow_files_are_told_by_shape() {
        let atmos = "workflows:\n  deploy:\n    description: d\n    steps:\n    - command: terraform deploy vpc\n    - command: echo done\n      type: shell\n";
        assert!(is_workflow_file(&documents(atmos)[0]));
        for other in [
            // GitHub Actions, CircleCI, Argo and a bare list of workflow names.
            "on: push\nworkflows:\n  a:\n    steps:\n    - command: x\n",
            "version: 2.1\nworkflows:\n  build:\n    jobs:\n      - test\n",
            "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nworkflows:\n  a:\n    steps:\n    - command: x\n",
            "workflows:\n  - build\n  - deploy\n",
            "workflows:\n  a:\n    steps:\n    - run: x\n",
            "workflows:\n  a:\n    steps: []\n",
        ] {
            assert!(!is_workflow_file(&documents(other)[0]), "{other:?}");
        }
    }

    #[test]
    fn atmos_steps_are_read_as_atmos_commands() {
        let text = "workflows:\n  w:\n    steps:\n    - command: terraform deploy vpc -s dev; x\n    - command: terraform destroy vpc && rm -rf /\n      type: shell\n    - command: y\n      type: script\n";
        let document = &documents(text)[0];
        let steps = steps(document);
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].workflow.as_str(), Some("w"));
        let words = |command: &Command| -> Vec<String> {
            command.words.iter().map(|word| word.text.clone()).collect()
        };
        let first = step_commands(&steps[0], text);
        assert_eq!(first.len(), 1);
        assert_eq!(
            words(&first[0]),
            ["atmos", "terraform", "deploy", "vpc", "-s", "dev"]
        );
        let vpc = &first[0].words[3];
        assert_eq!(&text[vpc.range.to_std()], "vpc");
        let shell_step = step_commands(&steps[1], text);
        assert_eq!(shell_step.len(), 2);
        assert_eq!(words(&shell_step[1]), ["rm", "-rf", "/"]);
        assert!(step_commands(&steps[2], text).is_empty());
    }
}
