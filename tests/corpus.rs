//! End-to-end on real code written by others: a public module from the shared corpus
//! (`../shared/corpus/real-iac.tar.gz` beside the project, see its README), unpacked into a
//! temporary folder at test time. The project holds no copy of it; without the archive the
//! test says so and checks nothing. `REDLINE_CORPUS_ARCHIVE` names another copy of it.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod support {
    pub mod sandbox;
}

use support::sandbox::Sandbox;

/// The archive, if it is where the project expects it.
fn archive() -> Option<PathBuf> {
    let path = match std::env::var_os("REDLINE_CORPUS_ARCHIVE") {
        Some(path) => PathBuf::from(path),
        None => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real-iac.tar.gz")
        }
    };
    path.is_file().then_some(path)
}

/// Unpacks `folder` of the archive into the sandbox.
fn unpack(archive: &Path, sandbox: &Sandbox, folder: &str) {
    let status = Command::new("tar")
        .arg("xzf")
        .arg(archive)
        .arg("-C")
        .arg(sandbox.path())
        .arg(folder)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "cannot unpack {folder} from {}",
        archive.display()
    );
}

/// The 1-based number of the line of `path` that, trimmed, starts with `prefix`, after the line
/// that starts with `after`.
fn line_of(path: &Path, after: &str, prefix: &str) -> u64 {
    let text = std::fs::read_to_string(path).unwrap();
    let start = text
        .lines()
        .position(|line| line.trim_start().starts_with(after))
        .unwrap_or_else(|| panic!("no `{after}` in {}", path.display()));
    let index = text
        .lines()
        .enumerate()
        .skip(start)
        .find(|(_, line)| line.trim_start().starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` in {}", path.display()))
        .0;
    index as u64 + 1
}

/// terraform-aws-modules/terraform-aws-rds is a published module (`examples/`, `modules/`):
/// its own defaults, in the root module and in `modules/db_instance`, stay quiet. Its example
/// `complete-postgres` calls it with `source = "../../"` and sets `skip_final_snapshot = true`
/// and `deletion_protection = false`, which reach `aws_db_instance.this` of
/// `modules/db_instance` two calls down: both are reported at those inputs, with the called
/// module's line as related information and a fix on the input.
#[test]
fn terraform_aws_rds_defaults_are_quiet_and_example_inputs_are_flagged() {
    let Some(archive) = archive() else {
        eprintln!(
            "skipped: the shared corpus archive real-iac.tar.gz is not beside the project \
             (set REDLINE_CORPUS_ARCHIVE to its path)"
        );
        return;
    };
    let sandbox = Sandbox::new();
    unpack(&archive, &sandbox, "terraform-aws-rds");
    let output = sandbox.run(&[
        "check",
        "--format",
        "json",
        "--fail-on",
        "never",
        "terraform-aws-rds",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let protective = [
        "RL-TF-008",
        "RL-TF-009",
        "RL-TF-010",
        "RL-TF-011",
        "RL-TF-012",
    ];

    // The module's own files: nothing.
    let own: Vec<&Value> = findings
        .iter()
        .filter(|finding| protective.contains(&finding["rule"].as_str().unwrap()))
        .filter(|finding| !finding["path"].as_str().unwrap().contains("/examples/"))
        .collect();
    assert!(own.is_empty(), "{own:#?}");

    let example = "terraform-aws-rds/examples/complete-postgres/main.tf";
    let example_path = sandbox.path().join(example);
    let at = |rule: &str, line: u64| {
        findings
            .iter()
            .find(|finding| {
                finding["rule"] == rule
                    && finding["path"] == example
                    && finding["range"]["start"]["line"] == line
            })
            .unwrap_or_else(|| panic!("no {rule} at {example}:{line}: {findings:#?}"))
    };
    let snapshot = at(
        "RL-TF-009",
        line_of(&example_path, "module \"db\" {", "skip_final_snapshot"),
    );
    let protection = at(
        "RL-TF-008",
        line_of(&example_path, "module \"db\" {", "deletion_protection"),
    );
    for (finding, safe) in [(snapshot, "false"), (protection, "true")] {
        assert_eq!(finding["severity"], "error");
        let message = finding["message"].as_str().unwrap();
        assert!(
            message.contains("`module.db.module.db_instance.aws_db_instance.this`"),
            "{message}"
        );
        assert_eq!(
            finding["related"][0]["path"], "terraform-aws-rds/modules/db_instance/main.tf",
            "{finding:#}"
        );
        assert_eq!(finding["fixes"][0]["edits"][0]["new_text"], safe);
    }
}
