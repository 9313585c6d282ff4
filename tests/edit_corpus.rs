//! The edit corpus: realistic edits, half dangerous and half safe look-alikes, each run through
//! every front-end that judges an edit (`diff OLD NEW`, git mode, the language server,
//! `hook claude` and `gate`), which must agree.
//!
//! `tests/data/edit-corpus/scripted.toml` describes edits of real modules from the shared corpus
//! archives (`../shared/corpus/real-iac.tar.gz` and `real-iac-2.tar.gz` beside the project, see
//! their README): the folder to take, and the steps that make the new text. The project holds
//! the steps and the expectations, never a copy of the modules; without the archives those
//! pairs are skipped with a message. `REDLINE_CORPUS_ARCHIVE` names another copy of
//! `real-iac.tar.gz`, and `real-iac-2.tar.gz` is looked up beside it.
//! `tests/data/edit-corpus/hand.toml` holds hand-written pairs for cases the modules do not
//! offer.
//!
//! A pair expects one rule id, reported at error or warning level, or `quiet`: no error or
//! warning from any rule. Each front-end must find at least `MIN_RECALL` of the dangerous
//! pairs and raise no false alarm on the safe ones. `cargo test --test edit_corpus --
//! --nocapture` prints a table per front-end.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde::Deserialize;
use serde_json::{Value, json};

mod support {
    pub mod git;
    #[allow(dead_code)]
    pub mod lsp_client;
    pub mod sandbox;
}

use support::git::git;
use support::lsp_client::{LspClient, file_uri};
use support::sandbox::{Sandbox, copy_tree};

/// The share of dangerous pairs each front-end must find.
const MIN_RECALL: f64 = 0.95;

/// The least number of pairs the corpus holds when the archives are present.
const MIN_PAIRS: usize = 80;

/// A data file of pairs.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairFile {
    pair: Vec<Pair>,
}

/// One edit and what it should give.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pair {
    /// A unique name, for the report.
    name: String,
    /// The rule id the edit must raise at error or warning level, or `quiet`.
    expect: String,
    /// For a scripted pair: the archive (`real-iac` or `real-iac-2`).
    archive: Option<String>,
    /// For a scripted pair: the folder of the archive to take (the repository or pattern), in
    /// which every path of the steps is relative.
    root: Option<String>,
    /// For a scripted pair: the steps that make the new text from the old, in order.
    #[serde(default)]
    step: Vec<Step>,
    /// For a hand-written pair: the files before and after.
    #[serde(default)]
    file: Vec<HandFile>,
}

/// One step of a scripted edit, on one file of the root.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    /// The file, relative to the root.
    file: String,
    /// Search only after the first occurrence of this text.
    after: Option<String>,
    /// `[find, with]`: replace the first occurrence of `find`.
    replace: Option<[String; 2]>,
    /// With `replace`: replace every occurrence instead.
    #[serde(default)]
    all: bool,
    /// Remove the line that, trimmed, starts with this text.
    remove_line: Option<String>,
    /// Remove the block whose first line, trimmed, starts with this text: to its matching
    /// closing brace when the line opens one, else its indented lines.
    remove_block: Option<String>,
    /// Remove the YAML document (between `---` lines) that holds this text.
    remove_document: Option<String>,
    /// Move the block whose first line starts with this text to the end of `to`.
    move_block: Option<String>,
    /// The file `move_block` moves to.
    to: Option<String>,
    /// Add this text at the end of the file (which may be new).
    append: Option<String>,
    /// Delete the file.
    #[serde(default)]
    delete: bool,
}

/// A file of a hand-written pair.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HandFile {
    path: String,
    /// The text before; none for a file the edit creates.
    old: Option<String>,
    /// The text after; none for a file the edit deletes.
    new: Option<String>,
}

/// A pair made concrete: the old tree and the changed files, in the order an agent would write
/// them.
struct Case {
    name: String,
    expect: Option<String>,
    /// Where the old tree is, and the folder name it takes in every sandbox.
    old_tree: PathBuf,
    root_name: String,
    changes: Vec<Change>,
    /// A single replacement that an agent's `Edit` can make: `(file, old_string, new_string)`.
    edit: Option<(String, String, String)>,
}

/// One changed file, relative to the root.
struct Change {
    path: String,
    old: Option<String>,
    new: Option<String>,
}

/// What one front-end said about one pair: the rules at error or warning level.
type Said = BTreeSet<String>;

/// A front-end's results over the corpus.
#[derive(Default)]
struct Tally {
    pairs: usize,
    dangerous: usize,
    found: usize,
    safe: usize,
    false_alarms: usize,
    notes: Vec<String>,
}

impl Tally {
    fn add(&mut self, case: &Case, said: &Said) {
        self.pairs += 1;
        match &case.expect {
            Some(rule) => {
                self.dangerous += 1;
                if said.contains(rule) {
                    self.found += 1;
                } else {
                    self.notes
                        .push(format!("missed {} ({rule}): said {said:?}", case.name));
                }
            }
            None => {
                self.safe += 1;
                if !said.is_empty() {
                    self.false_alarms += 1;
                    self.notes
                        .push(format!("false alarm {}: said {said:?}", case.name));
                }
            }
        }
    }

    fn recall(&self) -> f64 {
        if self.dangerous == 0 {
            1.0
        } else {
            self.found as f64 / self.dangerous as f64
        }
    }
}

fn data_file(name: &str) -> Vec<Pair> {
    let path = support::sandbox::data_dir().join("edit-corpus").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let file: PairFile = toml::from_str(&text)
        .unwrap_or_else(|error| panic!("{} does not parse: {error}", path.display()));
    file.pair
}

/// The folder holding the archives, if they are where the project expects them.
fn archive_folder() -> Option<PathBuf> {
    let archive = match std::env::var_os("REDLINE_CORPUS_ARCHIVE") {
        Some(path) => PathBuf::from(path),
        None => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real-iac.tar.gz")
        }
    };
    let folder = archive.parent()?.to_path_buf();
    (archive.is_file() && folder.join("real-iac-2.tar.gz").is_file()).then_some(folder)
}

/// The folder of `root` as unpacked from `archive`.
fn unpacked_root(unpacked: &Path, archive: &str, root: &str) -> PathBuf {
    match archive {
        "real-iac" => unpacked.join(root),
        "real-iac-2" => unpacked.join("real-iac-2").join(root),
        other => panic!("unknown archive {other}"),
    }
}

/// Unpacks every root the scripted pairs take, one `tar` run per archive.
fn unpack(folder: &Path, pairs: &[Pair], into: &Path) {
    let mut wanted: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for pair in pairs {
        let (Some(archive), Some(root)) = (&pair.archive, &pair.root) else {
            continue;
        };
        let member = match archive.as_str() {
            "real-iac-2" => format!("real-iac-2/{root}"),
            _ => root.clone(),
        };
        wanted.entry(archive.as_str()).or_default().insert(member);
    }
    for (archive, members) in wanted {
        let status = Command::new("tar")
            .arg("xzf")
            .arg(folder.join(format!("{archive}.tar.gz")))
            .arg("-C")
            .arg(into)
            .args(&members)
            .status()
            .unwrap();
        assert!(status.success(), "cannot unpack {members:?} from {archive}");
    }
}

/// Reads every file under `folder` as text, by relative path; files that are not UTF-8 are left
/// out (no step touches them).
fn read_tree(folder: &Path) -> BTreeMap<String, String> {
    let mut res = BTreeMap::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(current) = folders.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                folders.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let relative = path.strip_prefix(folder).unwrap();
                res.insert(relative.to_string_lossy().into_owned(), text);
            }
        }
    }
    res
}

/// The byte offset from which `step` searches `text`.
fn search_start(name: &str, step: &Step, text: &str) -> usize {
    match &step.after {
        Some(anchor) => {
            let at = text
                .find(anchor.as_str())
                .unwrap_or_else(|| panic!("{name}: no `{anchor}` in {}", step.file));
            at + anchor.len()
        }
        None => 0,
    }
}

/// The start of the line holding `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |index| index + 1)
}

/// The byte range of the line that, trimmed, starts with `prefix`, from `from` on, with its
/// line break.
fn find_line(text: &str, from: usize, prefix: &str) -> Option<(usize, usize)> {
    let mut at = line_start(text, from);
    while at < text.len() {
        let end = text[at..]
            .find('\n')
            .map_or(text.len(), |index| at + index + 1);
        if text[at..end].trim_start().starts_with(prefix) {
            return Some((at, end));
        }
        at = end;
    }
    None
}

/// The byte range of the block whose first line starts with `header`, with its line break and
/// the blank line after it: brace-matched when the first line opens a brace, else the lines
/// indented deeper than the first.
fn find_block(text: &str, from: usize, header: &str) -> Option<(usize, usize)> {
    let (start, first_end) = find_line(text, from, header)?;
    let first = &text[start..first_end];
    let mut end = if first.trim_end().ends_with('{') {
        let mut depth = 0i32;
        let mut in_string = false;
        let mut res = None;
        let bytes = text.as_bytes();
        let mut index = start;
        while index < bytes.len() {
            let c = bytes[index];
            if in_string {
                if c == b'\\' {
                    index += 1;
                } else if c == b'"' {
                    in_string = false;
                }
            } else if c == b'"' {
                in_string = true;
            } else if c == b'#' {
                index = text[index..].find('\n').map_or(text.len(), |n| index + n);
                continue;
            } else if c == b'{' {
                depth += 1;
            } else if c == b'}' {
                depth -= 1;
                if depth == 0 {
                    res = Some(
                        text[index..]
                            .find('\n')
                            .map_or(text.len(), |n| index + n + 1),
                    );
                    break;
                }
            }
            index += 1;
        }
        res?
    } else {
        let indent = first.len() - first.trim_start().len();
        let mut at = first_end;
        let mut last = first_end;
        while at < text.len() {
            let end = text[at..]
                .find('\n')
                .map_or(text.len(), |index| at + index + 1);
            let line = &text[at..end];
            if !line.trim().is_empty() {
                if line.len() - line.trim_start().len() <= indent {
                    break;
                }
                last = end;
            }
            at = end;
        }
        last
    };
    // The blank lines after the block go with it.
    while end < text.len() {
        let line_end = text[end..]
            .find('\n')
            .map_or(text.len(), |index| end + index + 1);
        if !text[end..line_end].trim().is_empty() {
            break;
        }
        end = line_end;
    }
    Some((start, end))
}

/// The byte range of the YAML document that holds `needle`, with the `---` line that opens it
/// (or closes it, for the first document).
fn find_document(text: &str, needle: &str) -> Option<(usize, usize)> {
    let at = text.find(needle)?;
    let mut separators = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            separators.push(offset);
        }
        offset += line.len();
    }
    separators.push(text.len());
    let start = *separators
        .iter()
        .rev()
        .find(|separator| **separator <= at)?;
    let end = *separators.iter().find(|separator| **separator > at)?;
    if start == 0 && end < text.len() {
        // The first document: take the separator after it instead.
        let after = text[end..]
            .find('\n')
            .map_or(text.len(), |index| end + index + 1);
        return Some((0, after));
    }
    Some((start, end))
}

/// Applies the steps of a scripted pair to `tree`; returns the files in the order they were
/// first touched (a move touches its target first, as an agent would write it first).
fn apply_steps(
    name: &str,
    steps: &[Step],
    tree: &mut BTreeMap<String, Option<String>>,
) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let touch = |path: &str, order: &mut Vec<String>| {
        if !order.iter().any(|known| known == path) {
            order.push(path.to_owned());
        }
    };
    for step in steps {
        let current = tree.get(&step.file).cloned().flatten();
        if step.delete {
            assert!(current.is_some(), "{name}: no {} to delete", step.file);
            touch(&step.file, &mut order);
            tree.insert(step.file.clone(), None);
            continue;
        }
        if let Some(text) = &step.append {
            touch(&step.file, &mut order);
            let mut res = current.unwrap_or_default();
            if !res.is_empty() && !res.ends_with('\n') {
                res.push('\n');
            }
            res.push_str(text);
            tree.insert(step.file.clone(), Some(res));
            continue;
        }
        let text = current.unwrap_or_else(|| panic!("{name}: no file {}", step.file));
        let from = search_start(name, step, &text);
        let missing = |what: &str| -> ! { panic!("{name}: no `{what}` in {}", step.file) };
        let res = if let Some([find, with]) = &step.replace
            && step.all
        {
            assert!(
                text.contains(find.as_str()),
                "{name}: no `{find}` in {}",
                step.file
            );
            format!(
                "{}{}",
                &text[..from],
                text[from..].replace(find.as_str(), with)
            )
        } else if let Some([find, with]) = &step.replace {
            let at = text[from..]
                .find(find.as_str())
                .map(|index| from + index)
                .unwrap_or_else(|| missing(find));
            format!("{}{with}{}", &text[..at], &text[at + find.len()..])
        } else if let Some(prefix) = &step.remove_line {
            let (start, end) = find_line(&text, from, prefix).unwrap_or_else(|| missing(prefix));
            format!("{}{}", &text[..start], &text[end..])
        } else if let Some(header) = &step.remove_block {
            let (start, end) = find_block(&text, from, header).unwrap_or_else(|| missing(header));
            format!("{}{}", &text[..start], &text[end..])
        } else if let Some(needle) = &step.remove_document {
            let (start, end) = find_document(&text, needle).unwrap_or_else(|| missing(needle));
            format!("{}{}", &text[..start], &text[end..])
        } else if let Some(header) = &step.move_block {
            let to = step
                .to
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: move without `to`"));
            let (start, end) = find_block(&text, from, header).unwrap_or_else(|| missing(header));
            let mut target = tree.get(to).cloned().flatten().unwrap_or_default();
            if !target.is_empty() {
                if !target.ends_with('\n') {
                    target.push('\n');
                }
                target.push('\n');
            }
            target.push_str(text[start..end].trim_end());
            target.push('\n');
            touch(to, &mut order);
            tree.insert(to.clone(), Some(target));
            format!("{}{}", &text[..start], &text[end..])
        } else {
            panic!("{name}: a step on {} does nothing", step.file);
        };
        touch(&step.file, &mut order);
        tree.insert(step.file.clone(), Some(res));
    }
    order
}

/// Makes the cases: scripted pairs from the unpacked archives (when present), then the
/// hand-written ones, each with its old tree written under `work`.
fn cases(work: &Path) -> Vec<Case> {
    let scripted = data_file("scripted.toml");
    let hand = data_file("hand.toml");
    let mut res = Vec::new();
    let mut names = BTreeSet::new();
    match archive_folder() {
        Some(folder) => {
            let unpacked = work.join("unpacked");
            std::fs::create_dir_all(&unpacked).unwrap();
            unpack(&folder, &scripted, &unpacked);
            for pair in &scripted {
                let (Some(archive), Some(root)) = (&pair.archive, &pair.root) else {
                    panic!("{}: a scripted pair needs `archive` and `root`", pair.name);
                };
                let source = unpacked_root(&unpacked, archive, root);
                let old_files = read_tree(&source);
                let mut tree: BTreeMap<String, Option<String>> = old_files
                    .iter()
                    .map(|(path, text)| (path.clone(), Some(text.clone())))
                    .collect();
                let order = apply_steps(&pair.name, &pair.step, &mut tree);
                let changes = order
                    .iter()
                    .map(|path| Change {
                        path: path.clone(),
                        old: old_files.get(path).cloned(),
                        new: tree.get(path).cloned().flatten(),
                    })
                    .collect();
                let edit = match pair.step.as_slice() {
                    [step] if !step.all => step.replace.as_ref().and_then(|[find, with]| {
                        let text = old_files.get(&step.file)?;
                        (text.matches(find.as_str()).count() == 1)
                            .then(|| (step.file.clone(), find.clone(), with.clone()))
                    }),
                    _ => None,
                };
                let root_name = root.rsplit('/').next().unwrap().to_owned();
                res.push(case(pair, source, root_name, changes, edit));
            }
        }
        None => eprintln!(
            "skipped {} scripted pairs: the shared corpus archives real-iac.tar.gz and \
             real-iac-2.tar.gz are not beside the project (set REDLINE_CORPUS_ARCHIVE to the \
             path of real-iac.tar.gz)",
            scripted.len()
        ),
    }
    for pair in &hand {
        let old_tree = work.join("hand").join(&pair.name);
        std::fs::create_dir_all(&old_tree).unwrap();
        let mut changes = Vec::new();
        for file in &pair.file {
            if let Some(old) = &file.old {
                let path = old_tree.join(&file.path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, old).unwrap();
            }
            if file.old != file.new {
                changes.push(Change {
                    path: file.path.clone(),
                    old: file.old.clone(),
                    new: file.new.clone(),
                });
            }
        }
        let edit = match changes.as_slice() {
            [
                Change {
                    path,
                    old: Some(old),
                    new: Some(new),
                },
            ] => single_replacement(old, new).map(|(find, with)| (path.clone(), find, with)),
            _ => None,
        };
        res.push(case(pair, old_tree, "module".to_owned(), changes, edit));
    }
    for case in &res {
        assert!(names.insert(case.name.clone()), "{} twice", case.name);
        assert!(!case.changes.is_empty(), "{} changes nothing", case.name);
    }
    res
}

fn case(
    pair: &Pair,
    old_tree: PathBuf,
    root_name: String,
    changes: Vec<Change>,
    edit: Option<(String, String, String)>,
) -> Case {
    let expect = (pair.expect != "quiet").then(|| pair.expect.clone());
    if let Some(rule) = &expect {
        assert!(rule.starts_with("RL-"), "{}: expect `{rule}`", pair.name);
    }
    Case {
        name: pair.name.clone(),
        expect,
        old_tree,
        root_name,
        changes,
        edit,
    }
}

/// The smallest whole-line replacement that turns `old` into `new`, when its old text occurs
/// once in `old` (so that an `Edit` can make it).
fn single_replacement(old: &str, new: &str) -> Option<(String, String)> {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let prefix = old_lines
        .iter()
        .zip(&new_lines)
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = old_lines[prefix..]
        .iter()
        .rev()
        .zip(new_lines[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let find = old_lines[prefix..old_lines.len() - suffix].concat();
    let with = new_lines[prefix..new_lines.len() - suffix].concat();
    (!find.is_empty() && old.matches(find.as_str()).count() == 1).then_some((find, with))
}

/// The rules at error or warning level in a JSON report.
fn report_rules(output: &Output, what: &str) -> Said {
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{what}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "{what}: {error}: {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| matches!(finding["severity"].as_str(), Some("error" | "warning")))
        .map(|finding| finding["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// The rules at error or warning level in a hook's reason.
fn reason_rules(reason: &str) -> Said {
    let pattern = regex::Regex::new(r"(?:error|warning)\[(RL-[A-Z0-9]+-[0-9]+)\]").unwrap();
    pattern
        .captures_iter(reason)
        .map(|captures| captures[1].to_owned())
        .collect()
}

fn redline(cwd: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_redline"));
    command
        .args(args)
        .current_dir(cwd)
        .env("REDLINE_TODAY", "2026-06-01")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    if let Some(input) = stdin {
        use std::io::Write as _;
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(input.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// Runs `hook claude` on one tool call; returns the rules its reason names.
fn hook(repository: &Path, tool: &str, input: Value) -> Said {
    let call = json!({
        "session_id": "edit-corpus", "cwd": repository.to_str().unwrap(),
        "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": input,
    });
    let output = redline(repository, &["hook", "claude"], Some(&call.to_string()));
    assert_eq!(
        output.status.code(),
        Some(0),
        "hook: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    if stdout.trim().is_empty() {
        return Said::new();
    }
    let answer: Value = serde_json::from_str(&stdout).unwrap();
    let reason = answer["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap_or_default();
    reason_rules(reason)
}

/// Writes or deletes one changed file.
fn apply(folder: &Path, change: &Change) {
    let path = folder.join(&change.path);
    match &change.new {
        Some(text) => {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        None => std::fs::remove_file(path).unwrap(),
    }
}

/// The language id a client would give.
fn language_id(path: &str) -> &'static str {
    if path.ends_with(".tf") || path.ends_with(".tfvars") {
        "terraform"
    } else if path.ends_with(".json") {
        "json"
    } else {
        "yaml"
    }
}

/// Counts the findings at error or warning level that the language server publishes for one
/// open document, by rule.
fn count_published(diagnostics: &[Value], counts: &mut BTreeMap<String, usize>) {
    for diagnostic in diagnostics {
        if !matches!(diagnostic["severity"].as_u64(), Some(1 | 2)) {
            continue;
        }
        let rule = diagnostic["code"].as_str().unwrap_or_default().to_owned();
        *counts.entry(rule).or_default() += 1;
        // Findings of other rules about the same object are folded into this one, as related
        // places (`also RL-CFN-006 (…): …`): they are shown too.
        for related in diagnostic["relatedInformation"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let message = related["message"].as_str().unwrap_or_default();
            if let Some(rule) = message
                .strip_prefix("also ")
                .and_then(|rest| rest.split_once(' '))
                .map(|(rule, _)| rule)
            {
                *counts.entry(rule.to_owned()).or_default() += 1;
            }
        }
    }
}

/// The results of every front-end for one case.
struct Verdicts {
    diff: Said,
    git: Said,
    lsp: Said,
    hook_write: Said,
    hook_edit: Option<Said>,
    gate: Said,
}

/// Runs one case through every front-end. `client` is a language server whose workspace folder
/// holds `repository`'s parent.
fn judge(case: &Case, work: &Path, client: &mut LspClient, version: &mut i32) -> Verdicts {
    let folder = work.join("pairs").join(&case.name);
    // `diff OLD NEW` on the two folders.
    let old = folder.join("old").join(&case.root_name);
    let new = folder.join("new").join(&case.root_name);
    std::fs::create_dir_all(&old).unwrap();
    std::fs::create_dir_all(&new).unwrap();
    copy_tree(&case.old_tree, &old);
    copy_tree(&case.old_tree, &new);
    for change in &case.changes {
        apply(&new, change);
    }
    let output = redline(
        &folder,
        &[
            "diff",
            "--format",
            "json",
            "--fail-on",
            "never",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
        ],
        None,
    );
    let diff = report_rules(&output, &format!("{}: diff", case.name));

    // A repository holding the old tree, committed.
    let repository = work.join("repositories").join(&case.name);
    std::fs::create_dir_all(&repository).unwrap();
    copy_tree(&case.old_tree, &repository);
    git(&repository, &["init", "-q", "-b", "main"]);
    git(&repository, &["add", "-A"]);
    git(&repository, &["commit", "-q", "-m", "base"]);

    // The language server, before the edit: the changed files that exist are open with their
    // old text; for a deleted file, a remaining file of its folder is.
    let mut open: Vec<(String, String)> = Vec::new();
    for change in &case.changes {
        if change.old.is_some() && change.new.is_some() {
            open.push((change.path.clone(), change.old.clone().unwrap()));
        } else if change.new.is_none() {
            let parent = Path::new(&change.path).parent().unwrap_or(Path::new(""));
            let mut siblings: Vec<String> = std::fs::read_dir(repository.join(parent))
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .map(|name| parent.join(name).to_string_lossy().into_owned())
                .filter(|path| {
                    !case.changes.iter().any(|change| &change.path == path)
                        && Path::new(path).extension() == Path::new(&change.path).extension()
                        && repository.join(path).is_file()
                })
                .collect();
            siblings.sort();
            if let Some(sibling) = siblings.into_iter().next()
                && !open.iter().any(|(path, _)| *path == sibling)
            {
                let text = std::fs::read_to_string(repository.join(&sibling)).unwrap();
                open.push((sibling, text));
            }
        }
    }
    // The language server shows every finding of an open document, not only those the edit
    // introduced: a rule counts as said when the open documents show it more often after the
    // edit than before (a finding that moves with its block to another file, or follows its
    // block's new address, is not new).
    let mut counts_before: BTreeMap<String, usize> = BTreeMap::new();
    let mut before: BTreeMap<String, i32> = BTreeMap::new();
    for (path, text) in &open {
        let uri = file_uri(&repository.join(path));
        *version += 1;
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id(path),
                "version": *version, "text": text}}),
        );
        let diagnostics = client.diagnostics(&uri, json!(*version));
        count_published(&diagnostics, &mut counts_before);
        before.insert(path.clone(), *version);
    }

    // `hook claude` and `gate`, one file at a time against the files on disk, each write
    // applied before the next is judged.
    let mut hook_write = Said::new();
    let mut gate = Said::new();
    let mut hook_edit = None;
    if let Some((file, find, with)) = &case.edit {
        hook_edit = Some(hook(
            &repository,
            "Edit",
            json!({"file_path": repository.join(file).to_str().unwrap(),
                "old_string": find, "new_string": with}),
        ));
    }
    for change in &case.changes {
        let path = repository.join(&change.path);
        match &change.new {
            Some(text) => {
                hook_write.extend(hook(
                    &repository,
                    "Write",
                    json!({"file_path": path.to_str().unwrap(), "content": text}),
                ));
                let output = redline(
                    &repository,
                    &[
                        "gate",
                        "--path",
                        &change.path,
                        "--format",
                        "json",
                        "--fail-on",
                        "never",
                    ],
                    Some(text),
                );
                gate.extend(report_rules(&output, &format!("{}: gate", case.name)));
            }
            None => {
                hook_write.extend(hook(
                    &repository,
                    "Bash",
                    json!({"command": format!("rm {}", change.path)}),
                ));
                // `gate` takes proposed contents: a deleted file is judged as emptied.
                let output = redline(
                    &repository,
                    &[
                        "gate",
                        "--path",
                        &change.path,
                        "--format",
                        "json",
                        "--fail-on",
                        "never",
                    ],
                    Some(""),
                );
                gate.extend(report_rules(&output, &format!("{}: gate", case.name)));
            }
        }
        apply(&repository, change);
    }

    // Git mode: the working tree now holds the new text.
    let output = redline(
        &repository,
        &["diff", "--format", "json", "--fail-on", "never"],
        None,
    );
    let git_said = report_rules(&output, &format!("{}: git diff", case.name));

    // The language server, after the edit: the files on disk changed, and the open documents
    // are changed to their new text.
    let events: Vec<Value> = case
        .changes
        .iter()
        .map(|change| {
            let typ = match (&change.old, &change.new) {
                (None, _) => 1,
                (_, None) => 3,
                _ => 2,
            };
            json!({"uri": file_uri(&repository.join(&change.path)), "type": typ})
        })
        .collect();
    let deletes = case.changes.iter().any(|change| change.new.is_none());
    if deletes {
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": events }),
        );
    }
    let mut after: BTreeMap<String, i32> = BTreeMap::new();
    for change in &case.changes {
        let Some(text) = &change.new else {
            continue;
        };
        let uri = file_uri(&repository.join(&change.path));
        *version += 1;
        if change.old.is_none() {
            // A new file is opened empty and typed into.
            client.notify(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": uri, "languageId": language_id(&change.path),
                    "version": *version, "text": ""}}),
            );
            before.insert(change.path.clone(), *version);
            let _ = client.diagnostics(&uri, json!(*version));
            *version += 1;
        }
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": *version},
                "contentChanges": [{"text": text}]}),
        );
        after.insert(change.path.clone(), *version);
    }
    let mut counts_after: BTreeMap<String, usize> = BTreeMap::new();
    for (path, opened) in &before {
        let uri = file_uri(&repository.join(path));
        let version = after.get(path).copied().unwrap_or(*opened);
        let diagnostics = client.diagnostics(&uri, json!(version));
        count_published(&diagnostics, &mut counts_after);
        client.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
    }
    let lsp = counts_after
        .into_iter()
        .filter(|(rule, count)| *count > counts_before.get(rule).copied().unwrap_or(0))
        .map(|(rule, _)| rule)
        .collect();
    Verdicts {
        diff,
        git: git_said,
        lsp,
        hook_write,
        hook_edit,
        gate,
    }
}

#[test]
fn edit_corpus_through_every_front_end() {
    let work = Sandbox::new();
    let cases = cases(work.path());
    let scripted_present = archive_folder().is_some();
    if scripted_present {
        assert!(cases.len() >= MIN_PAIRS, "{} pairs", cases.len());
    }
    let repositories = work.path().join("repositories");
    std::fs::create_dir_all(&repositories).unwrap();
    let mut client = LspClient::start(&repositories);
    client.initialize(
        &repositories,
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        json!({"scanWorkspace": false, "debounceMs": 0}),
    );
    let mut version = 0;
    let names = [
        "diff OLD NEW",
        "git mode",
        "lsp",
        "hook Write",
        "hook Edit",
        "gate",
    ];
    let mut tallies: Vec<Tally> = names.iter().map(|_| Tally::default()).collect();
    for case in &cases {
        let verdicts = judge(case, work.path(), &mut client, &mut version);
        tallies[0].add(case, &verdicts.diff);
        tallies[1].add(case, &verdicts.git);
        tallies[2].add(case, &verdicts.lsp);
        tallies[3].add(case, &verdicts.hook_write);
        if let Some(said) = &verdicts.hook_edit {
            tallies[4].add(case, said);
        }
        tallies[5].add(case, &verdicts.gate);
    }
    client.shutdown();

    eprintln!(
        "\n{:<14} {:>6} {:>10} {:>6} {:>8} {:>6} {:>13}",
        "front-end", "pairs", "dangerous", "found", "recall", "safe", "false alarms"
    );
    for (name, tally) in names.iter().zip(&tallies) {
        eprintln!(
            "{:<14} {:>6} {:>10} {:>6} {:>7.1}% {:>6} {:>13}",
            name,
            tally.pairs,
            tally.dangerous,
            tally.found,
            tally.recall() * 100.0,
            tally.safe,
            tally.false_alarms
        );
    }
    for (name, tally) in names.iter().zip(&tallies) {
        for note in &tally.notes {
            eprintln!("{name}: {note}");
        }
    }
    for (name, tally) in names.iter().zip(&tallies) {
        assert!(
            tally.recall() >= MIN_RECALL,
            "{name}: recall {:.1}% is below {:.0}%",
            tally.recall() * 100.0,
            MIN_RECALL * 100.0
        );
        assert_eq!(tally.false_alarms, 0, "{name}: false alarms on safe pairs");
    }
}
