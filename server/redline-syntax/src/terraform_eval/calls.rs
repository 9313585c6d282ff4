//! Local module calls: the folder a `source = "./…"` names, and the values a call gives the
//! called module's variables.
//!
//! Paths are display paths, `/`-separated, as the caller gave them for the module's files; a
//! front-end gives the files of a called folder under the path `local_source_folder` computes,
//! so that the engine finds them by name without reading anything.

use std::collections::BTreeMap;

use super::evaluate::{Evaluator, Instance, Origin};
use super::symbols::{Module, ModuleCall};
use super::{Location, Value};

/// A module call's inputs, as the caller evaluated them, ready for `Evaluator::called`.
#[derive(Clone, Debug)]
pub struct Binding {
    /// The call's name (`db` in `module "db"`).
    pub call: String,
    /// The `module` block in the caller.
    pub call_location: Location,
    /// The inputs that set a variable the called module declares, by variable name.
    pub inputs: BTreeMap<String, BoundInput>,
}

/// One input of a module call, evaluated in the caller.
#[derive(Clone, Debug)]
pub struct BoundInput {
    /// The value.
    pub value: Value,
    /// The input's value expression in the caller.
    pub location: Location,
    /// Whether the input is written as a literal.
    pub literal: bool,
    /// How the caller computed the value.
    pub trace: Vec<Origin>,
}

/// Whether `source` names a folder on disk, as Terraform reads it: it starts with `./` or
/// `../` (or their `\` forms). Registry addresses, URLs and absolute paths do not.
pub fn is_local_source(source: &str) -> bool {
    ["./", "../", ".\\", "..\\"]
        .iter()
        .any(|prefix| source.starts_with(prefix))
}

/// The display path of the folder a local `source` names, from the display path of the
/// calling module's folder (`""` for the current folder): `local_source_folder("examples/a",
/// "../../")` is `""`, and `local_source_folder("", "../x")` is `"../x"`. `None` for a source
/// that is not local, or that climbs above the root of an absolute path.
pub fn local_source_folder(caller_folder: &str, source: &str) -> Option<String> {
    if !is_local_source(source) {
        return None;
    }
    let absolute = caller_folder.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    let joined = format!("{caller_folder}/{source}").replace('\\', "/");
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => return None,
                _ => parts.push(".."),
            },
            name => parts.push(name),
        }
    }
    let folder = parts.join("/");
    Some(if absolute {
        format!("/{folder}")
    } else {
        folder
    })
}

/// The local `source` values a Terraform file's text writes (`source = "../modules/db"`, or
/// `"source": "./x"` in the JSON syntax), found by a scan of the text without parsing, for a
/// front-end that must know which folders a whole repository calls before it analyses any.
///
/// The scan takes a line whose first word is `source` followed by `=` (or the JSON key
/// `"source"` followed by `:`) and a string. It does not check that the line is inside a
/// `module` block: a provisioner's `source = "./files"` counts too, which only matters if that
/// folder holds Terraform files.
pub fn local_sources(path: &str, text: &str) -> Vec<String> {
    let key = if path.ends_with(".json") {
        "\"source\""
    } else {
        "source"
    };
    let assign = if key == "source" { '=' } else { ':' };
    let mut res = Vec::new();
    // The key's occurrences are found by a substring search, which is much faster than
    // walking every line of a long file; one counts where it is a line's first word.
    for (at, _) in text.match_indices(key) {
        let line_start = text[..at].rfind('\n').map_or(0, |index| index + 1);
        if !text[line_start..at].trim_start().is_empty() {
            continue;
        }
        let line_end = text[at..].find('\n').map_or(text.len(), |index| at + index);
        let Some(rest) = text[at + key.len()..line_end]
            .trim_start()
            .strip_prefix(assign)
        else {
            continue;
        };
        let Some(value) = rest.trim_start().strip_prefix('"') else {
            continue;
        };
        let Some(end) = value.find('"') else {
            continue;
        };
        let source = &value[..end];
        if is_local_source(source) && !source.contains("${") {
            res.push(source.to_owned());
        }
    }
    res
}

/// The folders (display paths) that the local module calls of `files` (display path, text)
/// name, each once, a folder's calls of itself left out.
pub fn called_folders<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> std::collections::BTreeSet<String> {
    let mut res = std::collections::BTreeSet::new();
    for (path, text) in files {
        let folder = folder_of(path);
        for source in local_sources(path, text) {
            if let Some(called) = local_source_folder(folder, &source)
                && called != folder
            {
                res.insert(called);
            }
        }
    }
    res
}

/// The folder part of a display path (`""` for a bare file name).
pub fn folder_of(path: &str) -> &str {
    path.rfind(['/', '\\']).map_or("", |index| &path[..index])
}

/// Binds the inputs of `call` (a module call of the module `caller` evaluates) that set a
/// variable of `child`, for one instance of the call when given.
pub fn bind(
    caller: &Evaluator<'_>,
    call: &ModuleCall,
    child: &Module,
    instance: Option<&Instance>,
) -> Binding {
    let mut inputs = BTreeMap::new();
    for (name, location) in &call.inputs {
        if !child.variables.contains_key(name) {
            continue;
        }
        let evaluation = caller.evaluate(location, instance);
        let value = if evaluation.limit_reached {
            Value::Unknown
        } else {
            evaluation.value
        };
        inputs.insert(
            name.clone(),
            BoundInput {
                value,
                location: location.clone(),
                literal: caller.is_literal(location),
                trace: evaluation.trace,
            },
        );
    }
    Binding {
        call: call.name.clone(),
        call_location: call.location.clone(),
        inputs,
    }
}

impl Binding {
    /// Whether two bindings give the called module the same values, so that judging it once
    /// answers for both.
    pub fn same_values(&self, other: &Binding) -> bool {
        self.inputs.len() == other.inputs.len()
            && self.inputs.iter().zip(&other.inputs).all(
                |((name, input), (other_name, other_input))| {
                    name == other_name && input.value == other_input.value
                },
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_sources_resolve_against_the_caller_folder() {
        assert_eq!(
            local_source_folder("rds/examples/complete", "../../").as_deref(),
            Some("rds")
        );
        assert_eq!(
            local_source_folder("rds", "./modules/db_instance").as_deref(),
            Some("rds/modules/db_instance")
        );
        assert_eq!(local_source_folder("", "../x").as_deref(), Some("../x"));
        assert_eq!(local_source_folder("a", "../../x").as_deref(), Some("../x"));
        assert_eq!(local_source_folder("a", "./").as_deref(), Some("a"));
        assert_eq!(local_source_folder("/r/a", "../b").as_deref(), Some("/r/b"));
        assert_eq!(local_source_folder("/r", "../../../b"), None);
        assert_eq!(
            local_source_folder("a", ".\\b\\c").as_deref(),
            Some("a/b/c")
        );
        assert_eq!(
            local_source_folder("a", "terraform-aws-modules/rds/aws"),
            None
        );
        assert_eq!(local_source_folder("a", "/abs/path"), None);
        assert_eq!(local_source_folder("a", "git::https://x/y.git"), None);
    }

    #[test]
    fn the_scan_finds_local_sources_only() {
        let text = "module \"a\" {\n  source = \"../modules/a\"\n}\nmodule \"b\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n}\nmodule \"c\" {\n  source=\"./c\" # local\n}\n# source = \"./commented\" is not a line that starts with source\nlocals {\n  x = \"source = \\\"./no\\\"\"\n}\n";
        assert_eq!(local_sources("main.tf", text), ["../modules/a", "./c"]);
        let json = "{\"module\": {\"a\": {\n  \"source\": \"./a\"\n}}}\n";
        assert_eq!(local_sources("main.tf.json", json), ["./a"]);
        // Only where `source` is a line's first word and is assigned: not inside `resource`,
        // not `source_code_hash`; at the first line and the last, with CRLF line ends.
        let text = "source = \"./first\"\r\nresource \"x\" \"y\" {\r\n  source_code_hash = \"./no\"\r\n  sourcey = \"./no\"\r\n\tsource = \"./tab\"\r\n}\r\n  source = \"./last\"";
        assert_eq!(
            local_sources("main.tf", text),
            ["./first", "./tab", "./last"]
        );
    }
}
