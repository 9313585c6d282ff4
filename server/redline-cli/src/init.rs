//! `redline init`: a commented `redline.toml`, and on request the Claude Code hook and a
//! pre-commit configuration.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::Exit;
use crate::args::InitArgs;

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

/// A Claude Code project setting that asks redline before every edit and shell command.
pub const CLAUDE_SETTINGS: &str = r#"{
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Write|Edit|MultiEdit|Bash",
        "hooks": [
          {
            "type": "command",
            "command": "redline hook claude"
          }
        ]
      }
    ]
  }
}
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
    let mut files: Vec<(PathBuf, &str)> = vec![(args.dir.join("redline.toml"), REDLINE_TOML)];
    if args.claude {
        files.push((
            args.dir.join(".claude").join("settings.json"),
            CLAUDE_SETTINGS,
        ));
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
    for (path, contents) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(path, contents)
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("redline: wrote {}", path.display());
    }
    Ok(Exit::Clean)
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
        let _: serde_json::Value = serde_json::from_str(CLAUDE_SETTINGS).unwrap();
    }
}
