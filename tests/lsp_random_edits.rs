//! End-to-end: a thousand random edits in the language server, with its diagnostics compared
//! every few edits with those of a fresh `redline` process run on the same texts.
//!
//! The server analyses incrementally: it edits its ropes and syntax trees in place, keeps
//! analyses per version and reads the other files of the module from its open buffers. The CLI
//! reads everything from scratch. Three files of a committed Terraform module are open; after
//! every `CHECK_EVERY` edits (typed characters, deleted ranges, pasted and deleted blocks,
//! replaced values, unbalanced braces and quotes, undos), the diagnostics the client pulls for
//! each open document must equal what `redline diff --all` (for a document whose text differs
//! from the commit) or `redline check` (for one equal to it) reports for the same file: rule id,
//! start, end, severity and message. The seed is fixed and printed on failure;
//! `REDLINE_RANDOM_EDITS_SEED=N` replays another one.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod support {
    pub mod git;
    #[allow(dead_code)]
    pub mod lsp_client;
    pub mod random_edits;
}

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use serde_json::json;
use support::git::git;
use support::lsp_client::{LspClient, file_uri};
use support::random_edits::{
    Edit, Rewind, Rng, Seen, cli_findings, from_lsp, minimal_edit, position, replace_value, undo,
    undo_to_balanced,
};

/// The seed used unless `REDLINE_RANDOM_EDITS_SEED` names another.
const SEED: u64 = 0x5eed_2026_0601;

/// How many edits the run makes.
const N_EDITS: usize = 1_000;

/// How many edits are made between two comparisons (the last edit is always compared).
const CHECK_EVERY: usize = 10;

/// A file is not grown past this many bytes: past it, an edit that would add text reverts the
/// file to its committed text instead.
const MAX_FILE_LEN: usize = 6_000;

/// The module, as committed: the base the server judges edits against. Non-ASCII text inside
/// strings (an accent, an emoji, a CJK character) makes UTF-16 columns differ from byte and
/// character columns.
const MAIN_TF: &str = r#"# Network and database of the orders service (café ☕).
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"

  tags = {
    Name = "orders-vpc 🚀"
  }
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "eu-west-1a"
}

resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "eu-west-1b"
}

resource "aws_db_subnet_group" "orders" {
  name       = "orders-中"
  subnet_ids = [aws_subnet.a.id, aws_subnet.b.id]
}

resource "aws_db_instance" "orders" {
  identifier           = "orders"
  engine               = "postgres"
  instance_class       = var.db_instance_class
  allocated_storage    = 20
  db_subnet_group_name = aws_db_subnet_group.orders.name
  skip_final_snapshot  = false
  deletion_protection  = true
}

resource "aws_s3_bucket" "exports" {
  bucket        = "orders-exports-é"
  force_destroy = var.force_destroy
}
"#;

const VARIABLES_TF: &str = r#"variable "force_destroy" {
  description = "Whether the exports bucket may be destroyed with its objects (é)."
  type        = bool
  default     = false
}

variable "db_instance_class" {
  type    = string
  default = "db.t3.micro"
}
"#;

const OUTPUTS_TF: &str = r#"output "vpc_id" {
  value = aws_vpc.main.id
}

output "db_endpoint" {
  description = "Where the orders database listens 🚀"
  value       = aws_db_instance.orders.endpoint
}

output "exports_bucket" {
  value = aws_s3_bucket.exports.bucket
}
"#;

const TFVARS: &str = "db_instance_class = \"db.t3.small\"\nforce_destroy     = false\n";

/// The files of the module; the first `N_OPEN` are open in the editor, the others stay as
/// committed on disk.
const FILES: [(&str, &str); 4] = [
    ("main.tf", MAIN_TF),
    ("variables.tf", VARIABLES_TF),
    ("outputs.tf", OUTPUTS_TF),
    ("terraform.tfvars", TFVARS),
];

const N_OPEN: usize = 3;

/// The rule id of a syntax error.
const SYNTAX_ERROR: &str = "RL-META-001";

/// Blocks pasted at the start of a line: dangerous ones (a bucket destroyed with its objects,
/// a database without a final snapshot, a VPC renamed or with another range, a wildcard
/// policy) and harmless ones.
const BLOCKS: &[&str] = &[
    "resource \"aws_s3_bucket\" \"scratch\" {\n  bucket        = \"scratch-🚀\"\n  force_destroy = true\n}\n",
    "resource \"aws_db_instance\" \"replica\" {\n  identifier          = \"orders-réplica\"\n  replicate_source_db = aws_db_instance.orders.identifier\n  instance_class      = \"db.t3.micro\"\n  skip_final_snapshot = true\n}\n",
    "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.9.0.0/16\"\n}\n",
    "resource \"aws_vpc\" \"primary\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n",
    "moved {\n  from = aws_vpc.main\n  to   = aws_vpc.primary\n}\n",
    "variable \"force_destroy\" {\n  default = true\n}\n",
    "output \"note\" {\n  value = \"naïve 🚀 output\"\n}\n",
    "resource \"aws_iam_role_policy\" \"admin\" {\n  role   = \"orders\"\n  policy = jsonencode({\n    Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }]\n  })\n}\n",
    "resource \"aws_s3_bucket\" \"exports\" {\n  bucket = \"orders-exports-é\"\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
];

/// Lines pasted at the start of a line, usually inside a block.
const LINES: &[&str] = &[
    "  force_destroy = true\n",
    "  skip_final_snapshot = true\n",
    "  deletion_protection = false\n",
    "  cidr_block = \"10.7.0.0/16\"\n",
    "  lifecycle {\n    prevent_destroy = true\n  }\n",
    "  name = \"😀 ok\"\n",
];

/// Values replaced in place, each way.
const REPLACEMENTS: &[(&str, &str)] = &[
    ("10.0.0.0/16", "10.1.0.0/16"),
    ("10.0.1.0/24", "10.0.8.0/24"),
    ("\"main\"", "\"primary\""),
    ("\"orders\"", "\"orders_v2\""),
    ("false", "true"),
    ("postgres", "mysql"),
    ("var.force_destroy", "true"),
    ("eu-west-1a", "eu-west-1c"),
];

/// Characters typed one at a time.
const TYPED: &[char] = &[
    'a', 'e', 's', '_', '1', ' ', ' ', '=', '.', '\n', '"', '{', '}', '[', ']', '#', 'é', '🚀',
    '中',
];

/// A random character boundary of `text` (its end included).
fn boundary(rng: &mut Rng, text: &str) -> usize {
    let n_chars = text.chars().count();
    let index = rng.below(n_chars + 1);
    text.char_indices()
        .nth(index)
        .map_or(text.len(), |(offset, _)| offset)
}

/// The start of a random line of `text` (or its end, after a final newline).
fn line_start(rng: &mut Rng, text: &str) -> usize {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(offset, _)| offset + 1))
        .collect();
    *rng.pick(&starts)
}

/// The byte ranges of the top-level blocks of `text`: from a line that starts with a letter
/// and ends with `{` to the next line that is `}`, newline included.
fn blocks(text: &str) -> Vec<(usize, usize)> {
    let mut res = Vec::new();
    let mut open = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        if bare.starts_with(|c: char| c.is_ascii_alphabetic()) && bare.ends_with('{') {
            open = Some(offset);
        } else if bare == "}"
            && let Some(start) = open.take()
        {
            res.push((start, offset + line.len()));
        }
        offset += line.len();
    }
    res
}

/// Whether every line of `text` holds an even number of quotes and its braces balance: a rough
/// sign that it parses.
fn looks_balanced(text: &str) -> bool {
    text.lines().all(|line| line.matches('"').count() % 2 == 0)
        && text.matches('{').count() == text.matches('}').count()
}

/// Chooses the next edit of the open document `file`. `history` holds each file's earlier texts,
/// which an undo returns to: without undos, typed quotes and braces would soon leave every
/// file unparsable and most rules with nothing to judge.
fn random_edit(rng: &mut Rng, file: usize, texts: &[String], history: &[Vec<String>]) -> Edit {
    let text = &texts[file];
    let committed = FILES[file].1;
    let insert = |start: usize, text: String, kind| Edit {
        file,
        start,
        end: start,
        text,
        kind,
        rewind: Rewind::No,
    };
    let roll = rng.below(100);
    let grows = roll < 40;
    if grows && text.len() > MAX_FILE_LEN {
        return Edit {
            file,
            start: 0,
            end: text.len(),
            text: committed.to_owned(),
            kind: "revert the file (too long)",
            rewind: Rewind::All,
        };
    }
    match roll {
        0..15 => {
            let at = boundary(rng, text);
            insert(at, rng.pick(TYPED).to_string(), "type a character")
        }
        15..25 => {
            let at = line_start(rng, text);
            insert(at, (*rng.pick(BLOCKS)).to_owned(), "paste a block")
        }
        25..35 => {
            let at = line_start(rng, text);
            insert(at, (*rng.pick(LINES)).to_owned(), "paste a line")
        }
        35..40 => {
            let at = boundary(rng, text);
            let unbalanced = if rng.below(2) == 0 { "{" } else { "\"" };
            insert(at, unbalanced.to_owned(), "break the syntax")
        }
        40..48 => {
            let start = boundary(rng, text);
            let n_chars = 1 + rng.below(24);
            let end = text[start..]
                .char_indices()
                .nth(n_chars)
                .map_or(text.len(), |(offset, _)| start + offset);
            Edit {
                file,
                start,
                end,
                text: String::new(),
                kind: "delete a range",
                rewind: Rewind::No,
            }
        }
        48..56 => {
            let found = blocks(text);
            if found.is_empty() {
                let at = line_start(rng, text);
                return insert(at, (*rng.pick(BLOCKS)).to_owned(), "paste a block");
            }
            let (start, end) = *rng.pick(&found);
            Edit {
                file,
                start,
                end,
                text: String::new(),
                kind: "delete a block",
                rewind: Rewind::No,
            }
        }
        56..74 => replace_value(rng, file, text, REPLACEMENTS).unwrap_or_else(|| {
            let at = line_start(rng, text);
            insert(at, (*rng.pick(LINES)).to_owned(), "paste a line")
        }),
        74..84 => undo(file, text, &history[file], committed),
        84..96 => undo_to_balanced(file, text, &history[file], committed, looks_balanced),
        _ => Edit {
            file,
            start: 0,
            end: text.len(),
            text: committed.to_owned(),
            kind: "revert the file",
            rewind: Rewind::All,
        },
    }
}

/// What the edits between two comparisons do. Most go to one document, the focus, so that the
/// others are often compared after edits of their siblings only: their versions are the same as
/// at the last comparison, but what the edits did to the module must show in them.
#[derive(Clone, Copy)]
enum Window {
    /// Random edits.
    Random(usize),
    /// Random edits of a document at its committed text, the last of which takes them all
    /// back: the server analyses it with the syntax tree it kept and edited along.
    Excursion(usize),
    /// Random edits, the last of which reverts the document to its committed text.
    Revert(usize),
}

/// Chooses what the next edits between two comparisons do.
fn next_window(rng: &mut Rng, texts: &[String]) -> Window {
    let at_commit: Vec<usize> = (0..N_OPEN)
        .filter(|index| texts[*index] == FILES[*index].1)
        .collect();
    if !at_commit.is_empty() && rng.below(2) == 0 {
        Window::Excursion(*rng.pick(&at_commit))
    } else if rng.below(4) == 0 {
        Window::Revert(rng.below(N_OPEN))
    } else {
        Window::Random(rng.below(N_OPEN))
    }
}

/// What a fresh `redline` process reports for each open file, given the current `texts` of
/// every file. `scratch` holds the `old` and `new` folders.
///
/// A document equal to its commit is judged by `check`. A document that differs is judged by
/// `diff --all` as the server judges it: its own committed text against its current one, with
/// the other files of the module as they are now on both sides (the server reads the other
/// open buffers and the files on disk, and has no base for them). That is not what `redline
/// diff` says when several files of a module changed: it judges all of them against the
/// commit, and, for example, a resource cut from one file and pasted renamed into another is
/// removed in the server's view but renamed in the CLI's.
fn fresh_findings(scratch: &Path, texts: &[String]) -> Vec<Vec<Seen>> {
    let old = scratch.join("old");
    let new = scratch.join("new");
    for ((name, _), text) in FILES.iter().zip(texts) {
        std::fs::write(new.join(name), text).unwrap();
    }
    // Both commands run in the new folder, so that they name its files as the server names
    // them, relative to its workspace folder.
    let old_arg = old.to_str().unwrap();
    let mut checked: Option<Vec<(String, Seen)>> = None;
    let mut res = Vec::new();
    for (index, (name, committed)) in FILES[..N_OPEN].iter().enumerate() {
        let found = if texts[index] == *committed {
            checked
                .get_or_insert_with(|| cli_findings(&new, &["check", "--format", "json", "."]))
                .clone()
        } else {
            for (other, ((other_name, _), text)) in FILES.iter().zip(texts).enumerate() {
                let text = if other == index {
                    committed
                } else {
                    text.as_str()
                };
                std::fs::write(old.join(other_name), text).unwrap();
            }
            cli_findings(&new, &["diff", "--all", "--format", "json", old_arg, "."])
        };
        let mut seen: Vec<Seen> = found
            .into_iter()
            .filter(|(path, _)| path == name)
            .map(|(_, seen)| seen)
            .collect();
        seen.sort();
        res.push(seen);
    }
    res
}

#[test]
fn random_edits_match_a_fresh_run() {
    let seed = std::env::var("REDLINE_RANDOM_EDITS_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(SEED);
    // Printed with the test's output when anything below fails.
    eprintln!("seed {seed}");
    let started = Instant::now();
    let workspace = tempfile::tempdir().unwrap();
    let root = workspace.path();
    for (name, text) in FILES {
        std::fs::write(root.join(name), text).unwrap();
    }
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    let scratch = tempfile::tempdir().unwrap();
    std::fs::create_dir(scratch.path().join("old")).unwrap();
    std::fs::create_dir(scratch.path().join("new")).unwrap();

    let mut client = LspClient::start(root);
    // Like VS Code: the client pulls diagnostics and can be asked to pull again, so the server
    // pushes nothing and each pull analyses the current version.
    let init = client.initialize(
        root,
        json!({
            "textDocument": {
                "diagnostic": {"dynamicRegistration": false},
                "publishDiagnostics": {"versionSupport": true}
            },
            "workspace": {"diagnostics": {"refreshSupport": true}}
        }),
        json!({"scanWorkspace": false, "debounceMs": 0}),
    );
    assert!(
        init["capabilities"]["diagnosticProvider"].is_object(),
        "{init}"
    );
    let mut texts: Vec<String> = FILES.iter().map(|(_, text)| (*text).to_owned()).collect();
    let mut history: Vec<Vec<String>> = vec![Vec::new(); N_OPEN];
    let mut versions = [1_i64; N_OPEN];
    let uris: Vec<String> = FILES[..N_OPEN]
        .iter()
        .map(|(name, _)| file_uri(&root.join(name)))
        .collect();
    for (uri, text) in uris.iter().zip(&texts) {
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "terraform", "version": 1, "text": text}}),
        );
    }

    let mut rng = Rng::new(seed);
    let mut recent: Vec<String> = Vec::new();
    let mut n_compared = 0;
    let mut window = Window::Random(0);
    // What the comparisons covered, so that a run that stopped exercising the rules (every
    // file broken, say) fails instead of passing on empty lists.
    let mut n_parsed = 0;
    let mut n_findings = 0;
    // Documents at their committed text at two comparisons in a row, edited in between: the
    // server analyses those with the syntax tree it kept from the first and edited along.
    let mut n_back_at_commit = 0;
    let mut compared_versions = versions;
    let mut was_at_commit = [false; N_OPEN];
    let mut rules: BTreeSet<String> = BTreeSet::new();
    for n_edit in 1..=N_EDITS {
        if n_edit % CHECK_EVERY == 1 {
            window = next_window(&mut rng, &texts);
        }
        let (Window::Random(focus) | Window::Excursion(focus) | Window::Revert(focus)) = window;
        let file = if rng.below(4) == 0 {
            rng.below(N_OPEN)
        } else {
            focus
        };
        let closes_window = n_edit % CHECK_EVERY == 0;
        let edit = match window {
            Window::Excursion(file) if closes_window => {
                let kind = "take back the edits since the last comparison";
                minimal_edit(file, &texts[file], FILES[file].1, kind, Rewind::All)
            }
            Window::Revert(file) if closes_window => minimal_edit(
                file,
                &texts[file],
                FILES[file].1,
                "revert the file",
                Rewind::All,
            ),
            _ => random_edit(&mut rng, file, &texts, &history),
        };
        let text = &mut texts[edit.file];
        let range = json!({"start": position(text, edit.start), "end": position(text, edit.end)});
        versions[edit.file] += 1;
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uris[edit.file], "version": versions[edit.file]},
                   "contentChanges": [{"range": range, "text": edit.text}]}),
        );
        recent.push(format!(
            "{n_edit}: {} in {}, {range}: {:?}",
            edit.kind, FILES[edit.file].0, edit.text
        ));
        match edit.rewind {
            Rewind::No => history[edit.file].push(text.clone()),
            Rewind::All => history[edit.file].clear(),
            Rewind::One => {
                history[edit.file].pop();
            }
            Rewind::ToBalanced => {
                let earlier = &mut history[edit.file];
                while earlier.pop().is_some_and(|text| !looks_balanced(&text)) {}
            }
        }
        text.replace_range(edit.start..edit.end, &edit.text);
        if n_edit % CHECK_EVERY != 0 && n_edit != N_EDITS {
            continue;
        }
        n_compared += 1;
        let expected = fresh_findings(scratch.path(), &texts);
        for (index, uri) in uris.iter().enumerate() {
            let pulled = client
                .request(
                    "textDocument/diagnostic",
                    json!({"textDocument": {"uri": uri}}),
                )
                .unwrap();
            // The result id is the version, then the generation of the module's folder.
            let result_id = pulled["resultId"].as_str().unwrap_or_default();
            assert_eq!(
                result_id.split('.').next(),
                Some(versions[index].to_string().as_str()),
                "{pulled}"
            );
            let lines: Vec<&str> = texts[index].split('\n').collect();
            let mut served: Vec<Seen> = pulled["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|diagnostic| from_lsp(&lines, diagnostic))
                .collect();
            served.sort();
            n_parsed += usize::from(served.iter().all(|seen| seen.rule != SYNTAX_ERROR));
            let at_commit = texts[index] == FILES[index].1;
            n_back_at_commit += usize::from(
                at_commit && was_at_commit[index] && versions[index] != compared_versions[index],
            );
            was_at_commit[index] = at_commit;
            compared_versions[index] = versions[index];
            n_findings += served.len();
            rules.extend(served.iter().map(|seen| seen.rule.clone()));
            if served != expected[index] {
                let others: Vec<String> = FILES
                    .iter()
                    .zip(&texts)
                    .filter(|((name, committed), text)| {
                        *name != FILES[index].0 && *committed != text.as_str()
                    })
                    .map(|((name, _), text)| format!("--- {name}:\n{text}"))
                    .collect();
                panic!(
                    "seed {seed}, after edit {n_edit}: the server and a fresh run disagree on \
                     {}\n--- its text:\n{}\n--- the other changed files:\n{}\n--- the last \
                     edits:\n{}\n--- the server:\n{served:#?}\n--- a fresh run:\n{:#?}",
                    FILES[index].0,
                    texts[index],
                    others.join("\n"),
                    recent.join("\n"),
                    expected[index]
                );
            }
        }
        recent.clear();
    }
    assert_eq!(client.shutdown().code(), Some(0));
    eprintln!(
        "seed {seed}: {N_EDITS} edits, {n_compared} comparisons of {} documents ({n_parsed} \
         without a syntax error, {n_back_at_commit} edited back to their commit), {n_findings} \
         findings of {} rules, in {:.1?}",
        n_compared * N_OPEN,
        rules.len(),
        started.elapsed()
    );
    assert!(
        n_parsed >= n_compared * N_OPEN / 5,
        "seed {seed}: only {n_parsed} documents compared without a syntax error"
    );
    assert!(rules.len() >= 6, "seed {seed}: only the rules {rules:?}");
}
