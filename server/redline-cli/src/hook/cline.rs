//! Cline `PreToolUse` (<https://docs.cline.bot/customization/hooks> and
//! <https://docs.cline.bot/features/hooks/hook-reference>).
//!
//! A hook is an executable file named after its event in `.clinerules/hooks/`. Input:
//! `workspaceRoots` and `preToolUse` with `toolName` and `parameters`. `execute_command` runs
//! `command`; `write_to_file` writes `content` to `path`; `replace_in_file` applies the
//! SEARCH/REPLACE blocks of `diff` to `path`. The answer is `{"cancel": true, "errorMessage": …}`
//! to stop the call, `{"cancel": false}` otherwise; there is no `ask`, so a warning cancels
//! too. Unreadable input is answered with a cancel as well, whatever Cline makes of a failed
//! hook.

use serde_json::Value;

use super::{Action, Adapter, Answer, Call, Decision, Replacement, Verdict, string_field};

/// How `redline hook cline` reads a call and answers.
pub const ADAPTER: Adapter = Adapter {
    parse,
    answer,
    refuse: Some(refuse),
};

/// The hook file `init --agent cline` writes.
pub const CONFIG_PATH: &str = ".clinerules/hooks/PreToolUse";

/// The hook script.
pub const SCRIPT: &str = "#!/bin/sh\n# Runs redline on each tool call Cline is about to make.\nexec redline hook cline\n";

fn parse(input: &Value) -> anyhow::Result<Call> {
    let Some(call) = input.get("preToolUse") else {
        anyhow::bail!("the Cline hook input has no `preToolUse`");
    };
    let tool = string_field(call, "toolName", "Cline")?;
    let parameters = super::object_field(call, "parameters");
    let field = |name: &str| string_field(parameters, name, tool);
    let action = match tool {
        "execute_command" => Action::Command(field("command")?.to_owned()),
        "write_to_file" => Action::Write {
            path: field("path")?.into(),
            content: field("content")?.to_owned(),
        },
        "replace_in_file" => Action::Replace {
            path: field("path")?.into(),
            edits: search_replace_blocks(field("diff")?)?,
        },
        _ => Action::Other,
    };
    let cwd = input
        .get("workspaceRoots")
        .and_then(Value::as_array)
        .and_then(|roots| roots.first())
        .and_then(Value::as_str)
        .map(Into::into);
    Ok(Call { cwd, action })
}

/// The replacements of Cline's SEARCH/REPLACE blocks, in order:
/// `------- SEARCH` (or `<<<<<<< SEARCH`), the old lines, `=======`, the new lines, then
/// `+++++++ REPLACE` (or `>>>>>>> REPLACE`).
fn search_replace_blocks(diff: &str) -> anyhow::Result<Vec<Replacement>> {
    let mut res = Vec::new();
    let mut lines = diff.split_inclusive('\n');
    while let Some(line) = lines.next() {
        if !is_marker(line, "SEARCH") {
            continue;
        }
        let mut old = String::new();
        let mut new = String::new();
        let mut in_new = false;
        let mut closed = false;
        for line in lines.by_ref() {
            if !in_new && line.trim_end() == "=======" {
                in_new = true;
            } else if in_new && is_marker(line, "REPLACE") {
                closed = true;
                break;
            } else if in_new {
                new.push_str(line);
            } else {
                old.push_str(line);
            }
        }
        if !closed {
            anyhow::bail!("the replace_in_file `diff` has a SEARCH block without its REPLACE end");
        }
        res.push(Replacement {
            old,
            new,
            all: false,
        });
    }
    if res.is_empty() {
        anyhow::bail!("the replace_in_file `diff` has no SEARCH/REPLACE block");
    }
    Ok(res)
}

fn is_marker(line: &str, word: &str) -> bool {
    let line = line.trim_end();
    line.strip_suffix(word).is_some_and(|head| {
        let head = head.trim_end();
        head.len() >= 3 && head.chars().all(|c| matches!(c, '-' | '<' | '+' | '>'))
    })
}

fn answer(verdict: &Verdict) -> Answer {
    match verdict.decision {
        Decision::Allow => Answer::print("{\"cancel\":false}\n".to_owned()),
        Decision::Ask | Decision::Deny => Answer::print(format!("{}\n", cancel(&verdict.reason))),
    }
}

fn refuse(message: &str) -> Answer {
    Answer {
        stdout: format!("{}\n", cancel(message)),
        stderr: format!("{message}\n"),
        exit: crate::Exit::Clean,
    }
}

fn cancel(reason: &str) -> Value {
    serde_json::json!({"cancel": true, "errorMessage": reason})
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn search_replace_blocks_are_read_in_order() {
        let diff = "------- SEARCH\na\nb\n=======\nc\n+++++++ REPLACE\n<<<<<<< SEARCH\nd\n=======\n>>>>>>> REPLACE\n";
        let blocks = search_replace_blocks(diff).unwrap();
        let pairs: Vec<(&str, &str)> = blocks
            .iter()
            .map(|block| (block.old.as_str(), block.new.as_str()))
            .collect();
        assert_eq!(pairs, [("a\nb\n", "c\n"), ("d\n", "")]);
        assert!(search_replace_blocks("no blocks").is_err());
        assert!(search_replace_blocks("------- SEARCH\na\n=======\n").is_err());
    }
}
