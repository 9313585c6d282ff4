//! What interpreter one-liners run: the shell commands that `python -c`, `node -e`, `perl -e`,
//! `ruby -e`, `php -r` and `awk` programs start, and the folders they delete.
//!
//! This is a scan of the program text for the calls that start a shell or delete a tree, with
//! their literal arguments; nothing is evaluated. A call whose argument is not a literal (a
//! variable, a computed path) is not reported: what it does is only known at run time.

use crate::shell::program_name;

/// An interpreter whose one-liners are scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Language {
    Python,
    Node,
    Perl,
    Ruby,
    Php,
    Awk,
}

/// What a one-liner runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// A shell script (`os.system("…")`, `` `…` ``).
    Shell(String),
    /// A program and its arguments (`subprocess.run(["rm", "-rf", "/"])`), or the `rm -rf` a
    /// tree deletion amounts to (`shutil.rmtree("/")`).
    Argv(Vec<String>),
}

/// The interpreter a program name is.
pub(crate) fn language(program: &str) -> Option<Language> {
    let program = program_name(program);
    let base = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    Some(match base {
        "python" | "pypy" => Language::Python,
        "node" | "nodejs" | "bun" | "deno" => Language::Node,
        "perl" => Language::Perl,
        "ruby" => Language::Ruby,
        "php" => Language::Php,
        "awk" | "gawk" | "mawk" | "nawk" | "busybox-awk" => Language::Awk,
        _ => return None,
    })
}

/// The option that gives the program text, for messages.
pub(crate) fn flag(language: Language) -> &'static str {
    match language {
        Language::Python => "-c",
        Language::Node | Language::Perl | Language::Ruby => "-e",
        Language::Php => "-r",
        Language::Awk => "program",
    }
}

/// The program text given on the command line.
pub(crate) fn code(language: Language, words: &[crate::shell::Word]) -> Option<String> {
    let args = &words[1..];
    let value_after = |flags: &[&str]| {
        args.iter().enumerate().find_map(|(index, word)| {
            let text = word.text.as_str();
            if flags.contains(&text) {
                return args.get(index + 1).map(|value| value.text.clone());
            }
            // Clusters that end with the flag: `perl -lne CODE`, `ruby -pe CODE`.
            (text.len() > 2
                && text.starts_with('-')
                && !text.starts_with("--")
                && flags
                    .iter()
                    .any(|flag| flag.len() == 2 && text.ends_with(&flag[1..])))
            .then(|| args.get(index + 1).map(|value| value.text.clone()))
            .flatten()
        })
    };
    match language {
        Language::Python => value_after(&["-c"]),
        Language::Node => value_after(&["-e", "--eval", "-p", "--print", "eval"]),
        Language::Perl => value_after(&["-e", "-E"]),
        Language::Ruby => value_after(&["-e"]),
        Language::Php => value_after(&["-r"]),
        Language::Awk => {
            let mut index = 0;
            while let Some(word) = args.get(index) {
                match word.text.as_str() {
                    "-F" | "-v" => index += 2,
                    "-f" => return None,
                    text if text.starts_with('-') => index += 1,
                    _ => return Some(word.text.clone()),
                }
            }
            None
        }
    }
}

/// Whether the interpreter reads its program on standard input (`python3 - <<EOF`).
pub(crate) fn reads_code_from_stdin(words: &[crate::shell::Word]) -> bool {
    let operands: Vec<&str> = words[1..]
        .iter()
        .map(|word| word.text.as_str())
        .filter(|text| !text.starts_with('-') || *text == "-")
        .collect();
    matches!(operands.as_slice(), [] | ["-", ..])
}

/// Calls whose first argument is a shell script, or a program followed by its arguments.
const SHELL_CALLS: &[&str] = &[
    "system",
    "popen",
    "getoutput",
    "getstatusoutput",
    "check_output",
    "check_call",
    "call",
    "run",
    "Popen",
    "execSync",
    "exec",
    "spawn",
    "spawnSync",
    "execFile",
    "execFileSync",
    "shell_exec",
    "passthru",
    "proc_open",
    "capture2",
    "capture2e",
    "capture3",
    "qx",
];

/// Calls that delete a folder with everything in it, and the words that, when the call needs
/// them, must be among its arguments (`fs.rmSync(p)` fails on a folder without `recursive`).
const TREE_DELETIONS: &[(&str, Option<&str>)] = &[
    ("rmtree", None),
    ("remove_tree", None),
    ("rm_rf", None),
    ("rm_r", None),
    ("remove_dir", None),
    ("remove_entry", None),
    ("remove_entry_secure", None),
    ("rimraf", None),
    ("sync", Some("rimraf")),
    ("removeSync", None),
    ("remove", Some("fse")),
    ("emptyDirSync", None),
    ("rmSync", Some("recursive")),
    ("rmdirSync", Some("recursive")),
    ("rm", Some("recursive")),
    ("rmdir", Some("recursive")),
    ("RemoveAll", None),
];

/// What `code` runs and deletes, in order.
pub(crate) fn scan(language: Language, code: &str) -> Vec<Found> {
    let mut res = Vec::new();
    let bytes = code.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        // Backticks and `%x(…)` run a shell in Perl, Ruby and PHP.
        if byte == b'`'
            && matches!(language, Language::Perl | Language::Ruby | Language::Php)
            && let Some(end) = code[index + 1..].find('`')
        {
            res.push(Found::Shell(code[index + 1..index + 1 + end].to_owned()));
            index += end + 2;
            continue;
        }
        if !(byte.is_ascii_alphabetic() || byte == b'_') {
            index += 1;
            continue;
        }
        let start = index;
        while index < bytes.len() && (bytes[index].is_ascii_alphanumeric() || bytes[index] == b'_')
        {
            index += 1;
        }
        let name = &code[start..index];
        let before = code[..start].trim_end();
        let receiver: &str = before
            .strip_suffix('.')
            .map(|rest| {
                let from = rest
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(0, |at| at + 1);
                &rest[from..]
            })
            .unwrap_or("");
        let after = code[index..].trim_start();
        let paren = after.starts_with('(');
        // Perl and Ruby call without parentheses: `system "rm -rf /"`.
        let bare = !paren
            && matches!(language, Language::Perl | Language::Ruby)
            && (after.starts_with('"') || after.starts_with('\''));
        if matches!(language, Language::Perl | Language::Ruby) && name == "qx"
            || name == "x" && before.ends_with('%')
        {
            if let Some(open) = after.chars().next()
                && let Some(close) = closing(open)
                && let Some(end) = after[1..].find(close)
            {
                res.push(Found::Shell(after[1..1 + end].to_owned()));
            }
            continue;
        }
        if !(paren || bare) {
            continue;
        }
        let args_start = code.len() - after.len() + usize::from(paren);
        let args = arguments(code, args_start);
        let call_text = &code[start..args.end.min(code.len())];
        if SHELL_CALLS.contains(&name) && shell_call_applies(language, name, receiver) {
            match args.values.as_slice() {
                [Value::Text(script)] => res.push(Found::Shell(script.clone())),
                [Value::Text(program), Value::List(list), ..] => {
                    let mut argv = vec![program.clone()];
                    argv.extend(list.iter().cloned());
                    res.push(Found::Argv(argv));
                }
                [Value::List(list), ..] if !list.is_empty() => res.push(Found::Argv(list.clone())),
                [Value::Text(_), ..]
                    if args
                        .values
                        .iter()
                        .all(|value| matches!(value, Value::Text(_))) =>
                {
                    let argv = args
                        .values
                        .iter()
                        .filter_map(|value| match value {
                            Value::Text(text) => Some(text.clone()),
                            _ => None,
                        })
                        .collect();
                    res.push(Found::Argv(argv));
                }
                [Value::Text(script), ..] => res.push(Found::Shell(script.clone())),
                _ => {}
            }
        } else if let Some((_, needs)) = TREE_DELETIONS.iter().find(|(call, needs)| {
            *call == name
                && needs.is_none_or(|needed| call_text.contains(needed) || receiver == needed)
        }) && (needs.is_some() || name != "rm")
            && let Some(Value::Text(path)) = args.values.first()
        {
            res.push(Found::Argv(vec![
                "rm".to_owned(),
                "-rf".to_owned(),
                path.clone(),
            ]));
        }
        index = args_start;
    }
    res
}

/// Whether a call named like a shell call starts one in this language: Python's own `exec`
/// and `run` of other objects do not.
fn shell_call_applies(language: Language, name: &str, receiver: &str) -> bool {
    match (language, name) {
        (Language::Python, "exec") => false,
        (Language::Python, "run" | "call" | "Popen" | "check_output" | "check_call") => {
            receiver == "subprocess" || receiver.is_empty()
        }
        (_, "run" | "call") => matches!(language, Language::Python),
        (Language::Node, "exec" | "spawn") => true,
        (Language::Perl | Language::Php, "exec") => true,
        (Language::Ruby, "exec") => true,
        _ => true,
    }
}

fn closing(open: char) -> Option<char> {
    Some(match open {
        '(' => ')',
        '{' => '}',
        '[' => ']',
        '<' => '>',
        '|' | '!' | '/' | '#' => open,
        _ => return None,
    })
}

/// A literal argument.
#[derive(Debug)]
enum Value {
    Text(String),
    List(Vec<String>),
    Other,
}

struct Arguments {
    values: Vec<Value>,
    /// Where the call ends (after its closing parenthesis), or the end of the code.
    end: usize,
}

/// The literal arguments of a call whose arguments start at `start`.
fn arguments(code: &str, start: usize) -> Arguments {
    let mut values = Vec::new();
    let mut index = start;
    let bytes = code.as_bytes();
    loop {
        while index < bytes.len() && bytes[index].is_ascii_whitespace() {
            index += 1;
        }
        if index >= bytes.len() {
            break;
        }
        if bytes[index] == b')' || bytes[index] == b';' {
            index += 1;
            break;
        }
        let (value, end) = value(code, index);
        values.push(value);
        index = skip_argument(code, end);
        if index < bytes.len() && bytes[index] == b',' {
            index += 1;
        } else if index < bytes.len() && bytes[index] == b')' {
            index += 1;
            break;
        } else {
            break;
        }
        if values.len() >= 8 {
            break;
        }
    }
    Arguments { values, end: index }
}

/// Skips the rest of an argument: up to a `,` or `)` outside brackets and strings.
fn skip_argument(code: &str, start: usize) -> usize {
    let bytes = code.as_bytes();
    let mut depth = 0usize;
    let mut index = start;
    while index < bytes.len() {
        match bytes[index] {
            b'\'' | b'"' | b'`' => {
                index = string_end(code, index).unwrap_or(bytes.len());
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth > 0 => depth -= 1,
            b',' | b')' if depth == 0 => return index,
            b';' | b'\n' if depth == 0 => return index,
            _ => {}
        }
        index += 1;
    }
    index
}

/// Where the string literal starting at `start` ends (after its closing quote).
fn string_end(code: &str, start: usize) -> Option<usize> {
    let bytes = code.as_bytes();
    let quote = bytes[start];
    let mut index = start + 1;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            byte if byte == quote => return Some(index + 1),
            _ => index += 1,
        }
    }
    None
}

/// Expressions that mean the home folder.
const HOME_EXPRESSIONS: &[&str] = &[
    "os.homedir()",
    "require('os').homedir()",
    "require(\"os\").homedir()",
    "Path.home()",
    "pathlib.Path.home()",
    "process.env.HOME",
    "process.env['HOME']",
    "process.env[\"HOME\"]",
    "os.environ['HOME']",
    "os.environ[\"HOME\"]",
    "os.getenv('HOME')",
    "os.getenv(\"HOME\")",
    "ENV['HOME']",
    "ENV[\"HOME\"]",
    "$ENV{HOME}",
    "$ENV{'HOME'}",
    "Dir.home",
    "getenv('HOME')",
    "getenv(\"HOME\")",
];

/// The literal value at `start`: a string, a list of strings, the home folder, a path built
/// from those; and where it ends.
fn value(code: &str, start: usize) -> (Value, usize) {
    let rest = &code[start..];
    for home in HOME_EXPRESSIONS {
        if rest.starts_with(home) {
            return (Value::Text("~".to_owned()), start + home.len());
        }
    }
    for wrapper in [
        "os.path.expanduser(",
        "os.path.abspath(",
        "os.path.join(",
        "path.join(",
        "path.resolve(",
        "File.expand_path(",
        "File.join(",
        "Path(",
        "pathlib.Path(",
    ] {
        if let Some(inner) = rest.strip_prefix(wrapper) {
            let inner_start = start + wrapper.len();
            let args = arguments(code, inner_start);
            let _ = inner;
            let mut parts = Vec::new();
            for value in &args.values {
                match value {
                    Value::Text(text) => parts.push(text.trim_end_matches('/').to_owned()),
                    _ => return (Value::Other, args.end),
                }
            }
            if parts.is_empty() {
                return (Value::Other, args.end);
            }
            let joined = parts.join("/");
            let joined = if joined.is_empty() {
                "/".to_owned()
            } else {
                joined
            };
            return (Value::Text(joined), args.end);
        }
    }
    let bytes = code.as_bytes();
    let mut index = start;
    // String prefixes: r"…", b'…', u"…", f"…".
    while index < bytes.len()
        && matches!(bytes[index], b'r' | b'b' | b'u' | b'f' | b'R' | b'B')
        && index - start < 2
    {
        index += 1;
    }
    if index < bytes.len() && matches!(bytes[index], b'\'' | b'"' | b'`') {
        let Some(end) = string_end(code, index) else {
            return (Value::Other, code.len());
        };
        let raw = &code[index + 1..end - 1];
        return (Value::Text(unescape(raw)), end);
    }
    if bytes.get(start) == Some(&b'[') {
        let mut items = Vec::new();
        let mut at = start + 1;
        loop {
            while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b',') {
                at += 1;
            }
            if at >= bytes.len() {
                return (Value::Other, at);
            }
            if bytes[at] == b']' {
                return (Value::List(items), at + 1);
            }
            match value(code, at) {
                (Value::Text(text), end) => {
                    items.push(text);
                    at = end;
                }
                (_, end) => return (Value::Other, skip_argument(code, end)),
            }
        }
    }
    (Value::Other, start)
}

fn unescape(raw: &str) -> String {
    let mut res = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => res.push('\n'),
                Some('t') => res.push('\t'),
                Some(other) => res.push(other),
                None => {}
            }
        } else {
            res.push(c);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(text: &str) -> Found {
        Found::Shell(text.to_owned())
    }

    fn argv(words: &[&str]) -> Found {
        Found::Argv(words.iter().map(|word| (*word).to_owned()).collect())
    }

    #[test]
    fn shells_and_deletions() {
        assert_eq!(
            scan(Language::Python, "import os; os.system('rm -rf /')"),
            [shell("rm -rf /")]
        );
        assert_eq!(
            scan(
                Language::Python,
                "import subprocess; subprocess.run(['rm','-rf','/'])"
            ),
            [argv(&["rm", "-rf", "/"])]
        );
        assert_eq!(
            scan(
                Language::Python,
                "import shutil; shutil.rmtree(os.path.expanduser('~'))"
            ),
            [argv(&["rm", "-rf", "~"])]
        );
        assert_eq!(
            scan(
                Language::Node,
                "require('fs').rmSync('/', {recursive: true, force: true})"
            ),
            [argv(&["rm", "-rf", "/"])]
        );
        assert_eq!(scan(Language::Node, "require('fs').rmSync('a.txt')"), []);
        assert_eq!(
            scan(
                Language::Node,
                "require('child_process').execSync(\"git reset --hard\")"
            ),
            [shell("git reset --hard")]
        );
        assert_eq!(
            scan(Language::Perl, "system(\"rm -rf /\")"),
            [shell("rm -rf /")]
        );
        assert_eq!(
            scan(Language::Perl, "use File::Path; rmtree('/etc')"),
            [argv(&["rm", "-rf", "/etc"])]
        );
        assert_eq!(scan(Language::Ruby, "`rm -rf ~`"), [shell("rm -rf ~")]);
        assert_eq!(
            scan(
                Language::Ruby,
                "require 'fileutils'; FileUtils.rm_rf(Dir.home)"
            ),
            [argv(&["rm", "-rf", "~"])]
        );
        assert_eq!(
            scan(Language::Awk, "BEGIN { system(\"rm -rf /\") }"),
            [shell("rm -rf /")]
        );
        assert_eq!(scan(Language::Python, "print(sum([1, 2]))"), []);
        assert_eq!(scan(Language::Python, "exec('x = 1')"), []);
    }
}
