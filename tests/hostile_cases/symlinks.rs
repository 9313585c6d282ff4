//! Symbolic links planted in a repository: a link to a file or folder outside it is neither
//! read nor written through, while links inside the git work tree keep working.

use std::os::unix::fs::symlink;
use std::path::Path;

use serde_json::Value;

use crate::support::sandbox::{Sandbox, stderr, stdout};

/// Appears only in files outside the scanned folders: finding it in any output means redline
/// read one of them.
const MARKER: &str = "SECRET_MARKER_4e1d9c";

/// A script redline would report (recursive delete of an unchecked variable), carrying the
/// marker in the flagged line.
fn secret_script() -> String {
    format!("#!/bin/bash\nrm -rf \"$HOME/\"\nrm -rf \"${MARKER}/\"\n")
}

/// A Terraform bucket with a finding that has a safe fix (`force_destroy = false`).
fn bucket(name: &str) -> String {
    format!("resource \"aws_s3_bucket\" \"{name}\" {{\n  force_destroy = true\n}}\n")
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink())
}

fn json_report(sandbox: &Sandbox, args: &[&str]) -> (Value, String, Option<i32>) {
    let mut full = vec!["check", "--format", "json"];
    full.extend_from_slice(args);
    let output = sandbox.run(&full);
    let text = stdout(&output);
    let report =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"));
    (report, stderr(&output), output.status.code())
}

fn finding_paths(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["path"].as_str().unwrap().to_owned())
        .collect()
}

/// A sandbox with `scanned/` (a git work tree of its own, so that no folder above the sandbox
/// widens the bounds) and `outside/`, which holds the secret script and a bucket.
fn scanned_and_outside() -> Sandbox {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path().join("scanned/.git")).unwrap();
    sandbox.write("scanned/visible.sh", "#!/bin/bash\nrm -rf \"$BUILD/\"\n");
    sandbox.write("outside/secret.sh", secret_script());
    sandbox.write("outside/main.tf", bucket(MARKER));
    sandbox
}

#[test]
fn a_link_to_a_file_outside_is_not_read() {
    let sandbox = scanned_and_outside();
    let root = sandbox.path();
    symlink(root.join("outside/secret.sh"), root.join("scanned/evil.sh")).unwrap();
    // A chain is judged by its final target: the first hop stays inside.
    symlink(root.join("outside/secret.sh"), root.join("scanned/hop.sh")).unwrap();
    symlink("hop.sh", root.join("scanned/chain.sh")).unwrap();

    let output = sandbox.run(&["check", "--no-progress", "scanned"]);
    let (text, errors) = (stdout(&output), stderr(&output));
    assert!(!text.contains(MARKER), "{text}");
    assert!(!errors.contains(MARKER), "{errors}");
    // The file inside is still analysed.
    assert!(text.contains("scanned/visible.sh"), "{text}");
    for link in ["evil.sh", "hop.sh", "chain.sh"] {
        assert!(
            errors.contains(&format!(
                "redline: scanned/{link}: symbolic link to a file outside the scanned folders"
            )),
            "{errors}"
        );
    }
    assert!(errors.contains("secret.sh): skipped"), "{errors}");
    assert_eq!(output.status.code(), Some(1), "the finding in visible.sh");

    let (report, errors, code) = json_report(&sandbox, &["scanned"]);
    let rendered = report.to_string();
    assert!(!rendered.contains(MARKER), "{rendered}");
    assert!(!errors.contains(MARKER), "{errors}");
    assert_eq!(finding_paths(&report), ["scanned/visible.sh"]);
    let skipped: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|error| {
            error["kind"] == "skipped"
                && error["message"]
                    .as_str()
                    .unwrap()
                    .contains("outside the scanned folders")
        })
        .map(|error| error["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        skipped,
        ["scanned/chain.sh", "scanned/evil.sh", "scanned/hop.sh"]
    );
    assert_eq!(code, Some(1));
}

#[test]
fn a_link_to_a_folder_outside_is_not_walked() {
    let sandbox = scanned_and_outside();
    let root = sandbox.path();
    symlink(root.join("outside"), root.join("scanned/conf")).unwrap();

    let (report, errors, _) = json_report(&sandbox, &["scanned"]);
    let rendered = report.to_string();
    assert!(!rendered.contains(MARKER), "{rendered}");
    assert_eq!(finding_paths(&report), ["scanned/visible.sh"]);
    let problems = report["errors"].as_array().unwrap();
    assert!(
        problems.iter().any(|error| error["path"] == "scanned/conf"
            && error["kind"] == "skipped"
            && error["message"]
                .as_str()
                .unwrap()
                .starts_with("symbolic link to a folder outside the scanned folders")),
        "{problems:?}"
    );
    assert!(errors.contains("redline: scanned/conf: symbolic link to a folder"));
}

#[test]
fn links_inside_the_git_work_tree_are_followed() {
    let sandbox = Sandbox::new();
    let root = sandbox.path();
    std::fs::create_dir_all(root.join("repo/.git")).unwrap();
    sandbox.write("repo/shared/main.tf", bucket("shared"));
    sandbox.write("repo/a/own.tf", bucket("own"));
    symlink("../shared/main.tf", root.join("repo/a/link.tf")).unwrap();
    symlink("../shared", root.join("repo/a/modules")).unwrap();

    let (report, errors, code) = json_report(&sandbox, &["repo/a"]);
    let mut paths = finding_paths(&report);
    paths.dedup();
    assert_eq!(
        paths,
        ["repo/a/link.tf", "repo/a/modules/main.tf", "repo/a/own.tf"]
    );
    assert_eq!(report["errors"], Value::Array(Vec::new()), "{errors}");
    assert_eq!(code, Some(1));

    // A `.git` file (a linked worktree or a submodule) marks a work tree as well.
    std::fs::remove_dir(root.join("repo/.git")).unwrap();
    std::fs::write(root.join("repo/.git"), "gitdir: /elsewhere\n").unwrap();
    let (report, _, _) = json_report(&sandbox, &["repo/a"]);
    let mut again = finding_paths(&report);
    again.dedup();
    assert_eq!(again, paths);

    // Without any `.git`, the bounds are the scanned folder alone and the shared folder is
    // outside. A machine whose temporary folder is itself inside a work tree cannot show this.
    std::fs::remove_file(root.join("repo/.git")).unwrap();
    if !root.ancestors().any(|folder| folder.join(".git").exists()) {
        let (report, _, _) = json_report(&sandbox, &["repo/a"]);
        let mut paths = finding_paths(&report);
        paths.dedup();
        assert_eq!(paths, ["repo/a/own.tf"]);
    }
}

#[test]
fn a_link_named_on_the_command_line_is_read() {
    let sandbox = scanned_and_outside();
    let root = sandbox.path();
    symlink(root.join("outside/main.tf"), root.join("scanned/named.tf")).unwrap();

    let (report, errors, code) = json_report(&sandbox, &["scanned/named.tf"]);
    let paths = finding_paths(&report);
    assert!(paths.contains(&"scanned/named.tf".to_owned()), "{paths:?}");
    assert_eq!(report["errors"], Value::Array(Vec::new()), "{errors}");
    assert_eq!(code, Some(1));

    // The same link found by walking the folder is skipped.
    let (report, _, _) = json_report(&sandbox, &["scanned"]);
    assert!(!report.to_string().contains(MARKER));
}

#[test]
fn fix_through_a_link_inside_fixes_the_target_and_keeps_the_link() {
    let sandbox = Sandbox::new();
    let root = sandbox.path();
    std::fs::create_dir_all(root.join("repo/.git")).unwrap();
    sandbox.write("repo/target.tf", bucket("b"));
    symlink("target.tf", root.join("repo/link.tf")).unwrap();

    // Named on the command line: only the link is analysed and fixed.
    let output = sandbox.run(&["check", "--fix", "repo/link.tf"]);
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("applied"), "{}", stderr(&output));
    let link = root.join("repo/link.tf");
    assert!(is_symlink(&link), "the link was replaced");
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("target.tf"));
    let fixed = sandbox.read("repo/target.tf");
    assert!(fixed.contains("force_destroy = false"), "{fixed}");
    assert!(!fixed.contains("force_destroy = true"), "{fixed}");
    let names: Vec<_> = std::fs::read_dir(root.join("repo"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 3, "no temporary file is left: {names:?}");

    // Walked: the link and its target are both found; fixing one must not make the other fail.
    sandbox.write("repo/target.tf", bucket("b"));
    let output = sandbox.run(&["check", "--fix", "repo"]);
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(is_symlink(&link), "the link was replaced");
    assert!(
        sandbox
            .read("repo/target.tf")
            .contains("force_destroy = false")
    );
}

#[test]
fn fix_through_a_link_outside_is_refused() {
    let sandbox = scanned_and_outside();
    let root = sandbox.path();
    let target = root.join("outside/main.tf");
    let link = root.join("scanned/shared.tf");
    symlink(&target, &link).unwrap();
    let before = std::fs::read(&target).unwrap();

    // Named: read (it is trusted), but the fix is not written through the link.
    let output = sandbox.run(&["check", "--fix", "scanned/shared.tf"]);
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{errors}");
    assert!(
        errors.contains("is a symbolic link to")
            && errors.contains("outside the repository: not fixed"),
        "{errors}"
    );
    assert!(!errors.contains("applied"), "{errors}");
    assert_eq!(std::fs::read(&target).unwrap(), before);
    assert!(is_symlink(&link), "the link was replaced");
    assert_eq!(std::fs::read_link(&link).unwrap(), target);
    let names: Vec<_> = std::fs::read_dir(root.join("outside"))
        .unwrap()
        .chain(std::fs::read_dir(root.join("scanned")).unwrap())
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 5, "no temporary file is left: {names:?}");

    // Walked: skipped before it is read, so nothing is fixed either.
    let output = sandbox.run(&["check", "--fix", "scanned"]);
    assert!(
        stderr(&output).contains("scanned/shared.tf: symbolic link to a file outside"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&target).unwrap(), before);
    assert!(is_symlink(&link), "the link was replaced");
}

/// A local module call that names a folder outside the repository, directly or through a link
/// inside it, reads nothing there: the module's bucket, whose name is the marker, appears in no
/// finding, message or related place, in `check` and in `gate`.
#[test]
fn a_module_call_cannot_read_a_folder_outside() {
    let sandbox = scanned_and_outside();
    sandbox.write(
        "outside/variables.tf",
        "variable \"force_destroy\" {\n  default = false\n}\n",
    );
    symlink(
        sandbox.path().join("outside"),
        sandbox.path().join("scanned/linked"),
    )
    .unwrap();
    let caller = "module \"direct\" {\n  source        = \"../outside\"\n  force_destroy = true\n}\nmodule \"linked\" {\n  source        = \"./linked\"\n  force_destroy = true\n}\n";
    sandbox.write("scanned/main.tf", caller);
    let (report, errors, code) = json_report(&sandbox, &["scanned"]);
    let text = report.to_string();
    assert!(!text.contains(MARKER), "{report:#}");
    assert!(!errors.contains(MARKER), "{errors}");
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|finding| finding["rule"] != "RL-TF-010"),
        "{report:#}"
    );
    assert!(code.is_some());

    let output = sandbox
        .command(&["gate", "--path", "scanned/main.tf", "--format", "json"])
        .write_stdin(caller.replace("true", "true "))
        .output()
        .unwrap();
    assert!(!stdout(&output).contains(MARKER), "{}", stdout(&output));
}
