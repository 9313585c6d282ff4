//! `redline init`: a commented `redline.toml`, and on request coding agents' hooks and a
//! pre-commit configuration.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde_json::Value;

use crate::Exit;
use crate::args::{Agent, InitArgs};
use crate::hook;

/// The `redline.toml` that `init` writes: every key commented out, so that it changes nothing
/// until edited, and parses as it is.
pub const REDLINE_TOML: &str = r#"# redline configuration. redline looks this file up from each analysed file's folder
# upwards; the nearest one governs the file. Every key is optional: the defaults apply until
# you uncomment one. `redline rules` lists the rules, `redline explain RULE` documents one.

# Paths (globs relative to this file's folder) that are never analysed.
# exclude = ["vendor/**", "generated/**"]

# Files larger than this are skipped with a message (bytes, or "10MB").
# max_file_size = "10MB"

[rules]
# Rules that never run, by id or name.
# disable = ["RL-GHA-001"]

# Per-rule severity ("error", "warning", "info") and options.
# [rules.RL-TF-010]
# severity = "error"

# JSON files have no comments: silence a rule on matching paths here, with a reason.
# [[ignore]]
# path = "iam/break-glass.json"
# rule = "RL-IAM-001"
# reason = "break-glass role, MFA only, alarmed"
"#;

/// Runs redline from the `PATH` on the staged files at every commit.
pub const PRE_COMMIT_CONFIG: &str = r#"# pre-commit (https://pre-commit.com): `pre-commit install`, then redline runs on the
# staged files of every commit. Needs `redline` on the PATH
# (`cargo install --locked --path server/redline-cli` in a redline checkout).
repos:
  - repo: local
    hooks:
      - id: redline
        name: redline
        entry: redline check
        language: system
        pass_filenames: true
        require_serial: true
"#;

pub fn run(args: &InitArgs) -> anyhow::Result<Exit> {
    let mut agents = args.agent.clone();
    if args.claude {
        agents.push(Agent::Claude);
    }
    agents.sort_by_key(|agent| *agent as u8);
    agents.dedup();

    let toml = args.dir.join("redline.toml");
    let mut files: Vec<(PathBuf, &str)> = Vec::new();
    // Adding an agent's hook to a project that already has its configuration keeps it.
    if agents.is_empty() || args.force || !toml.exists() {
        files.push((toml, REDLINE_TOML));
    }
    if args.pre_commit {
        files.push((args.dir.join(".pre-commit-config.yaml"), PRE_COMMIT_CONFIG));
    }
    // Check everything first, so that a refusal leaves no file half-done.
    let existing: Vec<&Path> = files
        .iter()
        .map(|(path, _)| path.as_path())
        .filter(|path| path.exists())
        .collect();
    if !args.force && !existing.is_empty() {
        let names: Vec<String> = existing
            .iter()
            .map(|path| path.display().to_string())
            .collect();
        bail!(
            "{} already exist{}: not overwritten (pass --force to replace)",
            names.join(", "),
            if names.len() == 1 { "s" } else { "" }
        );
    }
    let mut edits = Vec::new();
    for agent in &agents {
        edits.extend(agent_edits(*agent, &args.dir)?);
    }

    for (path, contents) in &files {
        write(path, contents, false)?;
        eprintln!("redline: wrote {}", path.display());
    }
    for edit in edits {
        match edit.contents {
            Some(contents) => {
                write(&edit.path, &contents, edit.executable)?;
                eprintln!("redline: added the redline hook to {}", edit.path.display());
            }
            None => eprintln!("redline: {} already runs redline", edit.path.display()),
        }
    }
    Ok(Exit::Clean)
}

/// A file `init` writes for an agent; `contents` is `None` when it already holds the hook.
struct AgentEdit {
    path: PathBuf,
    contents: Option<String>,
    executable: bool,
}

/// The files that give `agent` the redline hook under `dir`, merged with what is there.
fn agent_edits(agent: Agent, dir: &Path) -> anyhow::Result<Vec<AgentEdit>> {
    let json = |relative: &str, install: &dyn Fn(&mut Value) -> anyhow::Result<()>| {
        merge_json(&dir.join(relative), install)
    };
    Ok(match agent {
        Agent::Claude => vec![json(hook::claude::CONFIG_PATH, &hook::claude::install)?],
        Agent::Codex => vec![json(hook::codex::CONFIG_PATH, &hook::codex::install)?],
        Agent::Gemini => vec![json(hook::gemini::CONFIG_PATH, &hook::gemini::install)?],
        Agent::Cursor => vec![json(hook::cursor::CONFIG_PATH, &hook::cursor::install)?],
        Agent::Copilot => vec![json(hook::copilot::CONFIG_PATH, &hook::copilot::install)?],
        Agent::Windsurf => vec![json(hook::windsurf::CONFIG_PATH, &hook::windsurf::install)?],
        Agent::Droid => vec![json(hook::droid::CONFIG_PATH, &hook::droid::install)?],
        Agent::Kiro => vec![json(hook::kiro::CONFIG_PATH, &hook::kiro::install)?],
        Agent::Augment => {
            let script = dir.join(hook::augment::SCRIPT_PATH);
            // Augment runs hooks from its own current folder, so the script is named in full.
            let absolute = std::path::absolute(&script)
                .with_context(|| format!("cannot resolve {}", script.display()))?;
            let command = absolute.to_string_lossy().into_owned();
            vec![
                script_file(&script, hook::augment::SCRIPT, "redline hook augment")?,
                json(hook::augment::CONFIG_PATH, &|root| {
                    hook::augment::install(root, &command)
                })?,
            ]
        }
        Agent::Cline => vec![script_file(
            &dir.join(hook::cline::CONFIG_PATH),
            hook::cline::SCRIPT,
            "redline hook cline",
        )?],
    })
}

/// `path` with the hook merged in by `install`; everything else in the file is kept.
fn merge_json(
    path: &Path,
    install: &dyn Fn(&mut Value) -> anyhow::Result<()>,
) -> anyhow::Result<AgentEdit> {
    let mut root = if path.exists() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if text.trim().is_empty() {
            Value::Object(serde_json::Map::new())
        } else {
            let value: Value = serde_json::from_str(&text).map_err(|error| {
                anyhow::anyhow!(
                    "{} is not valid JSON ({error}): not changed; fix it, then run init again",
                    path.display()
                )
            })?;
            if !value.is_object() {
                bail!(
                    "{} does not hold a JSON object: not changed",
                    path.display()
                );
            }
            value
        }
    } else {
        Value::Object(serde_json::Map::new())
    };
    let before = root.clone();
    install(&mut root).with_context(|| format!("{}: not changed", path.display()))?;
    let contents = (root != before || !path.exists()).then(|| {
        let mut text = serde_json::to_string_pretty(&root)
            .expect("a JSON value read from JSON or built in memory serialises");
        text.push('\n');
        text
    });
    Ok(AgentEdit {
        path: path.to_owned(),
        contents,
        executable: false,
    })
}

/// A hook script at `path`: written when absent, kept when it already runs `command`, and
/// refused otherwise, since it is someone else's hook.
fn script_file(path: &Path, script: &str, command: &str) -> anyhow::Result<AgentEdit> {
    let contents = if path.exists() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if !text.contains(command) {
            bail!(
                "{} already exists and does not run redline: not changed; add `{command}` to it",
                path.display()
            );
        }
        None
    } else {
        Some(script.to_owned())
    };
    Ok(AgentEdit {
        path: path.to_owned(),
        contents,
        executable: true,
    })
}

fn write(path: &Path, contents: &str, executable: bool) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    if executable {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot make {} executable", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = executable;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_configuration_parses() {
        redline_engine::Config::parse(REDLINE_TOML).unwrap();
        // Uncommenting the examples gives a valid configuration too.
        let uncommented: String = REDLINE_TOML
            .lines()
            .map(|line| {
                line.strip_prefix("# ")
                    .filter(|rest| rest.starts_with('[') || rest.contains(" = "))
                    .unwrap_or(line)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let config = redline_engine::Config::parse(&uncommented).unwrap();
        assert!(config.is_excluded("vendor/x.tf"));
    }
}
