//! Parsing with tree-sitter, and tree walks shared by every language.

use redline_text::TextRange;
use tree_sitter::{Node, Parser, Tree};

use crate::{Language, ParseProblem};

/// The tree-sitter grammar for `language`.
pub fn grammar(language: Language) -> tree_sitter::Language {
    match language {
        Language::Hcl => tree_sitter_hcl::LANGUAGE.into(),
        Language::Json => tree_sitter_json::LANGUAGE.into(),
        Language::Yaml => tree_sitter_yaml::LANGUAGE.into(),
        Language::Bash => tree_sitter_bash::LANGUAGE.into(),
        Language::Toml => tree_sitter_toml_ng::LANGUAGE.into(),
        Language::Make => tree_sitter_make::LANGUAGE.into(),
        Language::Dockerfile => tree_sitter_containerfile::LANGUAGE.into(),
    }
}

/// Parses `text` with the grammar of `language`.
///
/// Returns `None` only if tree-sitter refuses to parse at all, which it does not do for a
/// grammar that loaded; syntax errors become ERROR and MISSING nodes in the tree instead.
pub fn parse(language: Language, text: &str) -> Option<Tree> {
    parse_incremental(language, text, None)
}

/// Parses `text`, reusing the unchanged parts of `previous`, a tree of the same language that
/// was edited (`ParsedTree::edit`) to match `text`.
pub fn parse_incremental(language: Language, text: &str, previous: Option<&Tree>) -> Option<Tree> {
    with_parser(language, |parser| parser.parse(text, previous))
}

/// How many bytes of shell script the trees are kept for (see `parse_script`).
const KEPT_SCRIPT_BYTES: usize = 256 * 1024;

/// The trees of the shell scripts parsed, by text.
static SCRIPTS: crate::text_memo::SharedMemo<Tree> =
    crate::text_memo::SharedMemo::new(KEPT_SCRIPT_BYTES, KEPT_SCRIPT_BYTES);

/// Parses a shell script (a workflow's `run:` step, a GitLab `script:` line, a `bash -c`
/// argument), keeping its tree by its text: several rules, the file's commands and the
/// repository facts each read the same steps, and an editor reads them again on every
/// keystroke. A tree is immutable and cheap to clone; the memo is shared by every thread,
/// bounded by the bytes of text it holds, and emptied when full.
pub(crate) fn parse_script(script: &str) -> Option<Tree> {
    if let Some(tree) = SCRIPTS.with(|kept| kept.get(script).cloned()) {
        return Some(tree);
    }
    let tree = parse(Language::Bash, script)?;
    SCRIPTS.with(|kept| kept.entry(script, || tree.clone()).map(drop));
    Some(tree)
}

/// How many idle parsers a thread keeps for each language.
const IDLE_PARSERS: usize = 2;

thread_local! {
    /// Parsers this thread made and no longer uses, by language: a new tree-sitter parser
    /// allocates and clears its tables, which costs as much as parsing a small file.
    static IDLE: std::cell::RefCell<Vec<(Language, Parser)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `parse` with a parser set to `language`, one this thread used before when it has one.
/// The parser is taken out of the pool for the call, so a parse may start another (a script
/// inside a script), and it is reset before it goes back.
pub(crate) fn with_parser<T>(
    language: Language,
    parse: impl FnOnce(&mut Parser) -> Option<T>,
) -> Option<T> {
    let idle = IDLE.with(|idle| {
        let mut idle = idle.borrow_mut();
        let at = idle.iter().position(|(other, _)| *other == language)?;
        Some(idle.swap_remove(at).1)
    });
    let mut parser = match idle {
        Some(parser) => parser,
        None => {
            let mut parser = Parser::new();
            parser.set_language(&grammar(language)).ok()?;
            parser
        }
    };
    let res = parse(&mut parser);
    parser.reset();
    if parser.set_included_ranges(&[]).is_ok() {
        IDLE.with(|idle| {
            let mut idle = idle.borrow_mut();
            if idle.iter().filter(|(other, _)| *other == language).count() < IDLE_PARSERS {
                idle.push((language, parser));
            }
        });
    }
    res
}

/// How many lines of YAML one tree-sitter parse covers before a stream is cut at its next
/// document marker.
///
/// tree-sitter-yaml's scanner keeps its line number in a 16-bit integer, so a parse that runs
/// past line 32,767 can fail on valid input. Long multi-document streams are therefore parsed
/// document group by document group, with byte offsets kept absolute (included ranges). The
/// groups are small: an edit parses only its own again (a candidate repair of a broken stream
/// too, with error recovery kept inside it), and a batch run holds one group's tree at a time.
const YAML_LINES_PER_PARSE: usize = 2_048;

/// Whether a YAML text is long enough to be parsed in parts.
pub fn is_long_yaml(text: &str) -> bool {
    text.bytes().filter(|byte| *byte == b'\n').count() > YAML_LINES_PER_PARSE
}

/// Parses a YAML stream, in several trees when it is long enough to need it.
pub fn parse_yaml_stream(text: &str) -> Option<Vec<Tree>> {
    let parts = yaml_parts(text);
    parts
        .iter()
        .map(|part| parse_yaml_part(text, &parts, part, None))
        .collect()
}

/// Where each part of a YAML stream lies: one range for a stream parsed whole, several for a
/// long one (see `YAML_LINES_PER_PARSE`), which cut it at document markers.
pub(crate) fn yaml_parts(text: &str) -> Vec<tree_sitter::Range> {
    yaml_parts_of(text, YAML_LINES_PER_PARSE)
}

/// `yaml_parts` cut every `lines_per_part` lines: a part starts at the first document marker
/// on or past each multiple of `lines_per_part` lines (a multiple that one part already
/// spans starts none).
///
/// The cuts are counted from the start of the text, not from the cut before: an edit that adds
/// or removes a marker, or lines, then moves only the cuts near it, or none, instead of every
/// cut after it, and the parts past it keep their trees.
fn yaml_parts_of(text: &str, lines_per_part: usize) -> Vec<tree_sitter::Range> {
    let bytes = text.as_bytes();
    let mut starts = vec![0usize];
    // The line of `counted`, and the line past which the next part starts.
    let (mut line, mut counted, mut next_cut) = (0usize, 0usize, lines_per_part);
    // A document marker is a line that starts with `---` and a blank or nothing: only those
    // after a line break can start a part (the first line starts the first part anyway).
    for found in memchr::memmem::find_iter(bytes, b"\n---") {
        let start = found + 1;
        if !matches!(
            bytes.get(start + 3),
            None | Some(b' ' | b'\t' | b'\r' | b'\n')
        ) {
            continue;
        }
        line += redline_text::count_newlines(&bytes[counted..start]);
        counted = start;
        if line >= next_cut {
            starts.push(start);
            next_cut = (line / lines_per_part + 1) * lines_per_part;
        }
    }
    let mut res = Vec::with_capacity(starts.len());
    let mut row = 0usize;
    for (index, start) in starts.iter().enumerate() {
        let end = starts.get(index + 1).copied().unwrap_or(text.len());
        let part = &text[*start..end];
        let lines = redline_text::count_newlines(part.as_bytes());
        let last_line_start = part.rfind('\n').map_or(*start, |i| start + i + 1);
        res.push(tree_sitter::Range {
            start_byte: *start,
            end_byte: end,
            start_point: tree_sitter::Point { row, column: 0 },
            end_point: tree_sitter::Point {
                row: row + lines,
                column: end - last_line_start,
            },
        });
        row += lines;
    }
    res
}

/// Parses `part`, one of the `parts` of a YAML stream (`yaml_parts`), reusing `previous`, the
/// edited tree of the same part. A stream of one part is parsed whole, without ranges, and
/// byte offsets are those of the whole text either way.
pub(crate) fn parse_yaml_part(
    text: &str,
    parts: &[tree_sitter::Range],
    part: &tree_sitter::Range,
    previous: Option<&Tree>,
) -> Option<Tree> {
    #[cfg(test)]
    YAML_PART_PARSES.with(|count| count.set(count.get() + 1));
    if parts.len() == 1 {
        return parse_incremental(Language::Yaml, text, previous);
    }
    with_parser(Language::Yaml, |parser| {
        parser.set_included_ranges(&[*part]).ok()?;
        parser.parse(text, previous)
    })
}

#[cfg(test)]
thread_local! {
    /// How many YAML parts this thread parsed, for tests of what an edit parses again.
    pub(crate) static YAML_PART_PARSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The byte range of a node.
pub fn range(node: Node<'_>) -> TextRange {
    TextRange::from_usize(node.start_byte(), node.end_byte())
}

/// The text of a node, or `""` if the node does not lie on char boundaries.
pub fn node_text<'a>(node: Node<'_>, text: &'a str) -> &'a str {
    text.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

/// Adds the range of every error and missing node of `tree` to `res`, outermost only: the
/// inside of an error region is not searched.
pub fn error_ranges(tree: &Tree, res: &mut Vec<TextRange>) {
    let mut pending = vec![tree.root_node()];
    while let Some(node) = pending.pop() {
        if node.is_error() || node.is_missing() {
            res.push(range(node));
            continue;
        }
        if !node.has_error() {
            continue;
        }
        let mut cursor = node.walk();
        pending.extend(node.children(&mut cursor));
    }
}

/// The first ERROR or MISSING node in document order, described for users.
pub fn first_error(tree: &Tree, text: &str) -> Option<ParseProblem> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    // Walk down, always into the first child that contains an error. The walk is iterative
    // so that deeply nested input cannot exhaust the stack.
    let mut node = root;
    loop {
        if node.is_missing() {
            return Some(ParseProblem {
                range: TextRange::empty(range(node).start()),
                message: format!("syntax error: missing `{}`", node.kind()),
            });
        }
        if node.is_error() {
            let snippet: String = node_text(node, text)
                .chars()
                .take_while(|c| *c != '\n')
                .take(40)
                .collect();
            let message = if snippet.trim().is_empty() {
                "syntax error".to_owned()
            } else {
                format!("syntax error near `{}`", snippet.trim())
            };
            return Some(ParseProblem {
                range: first_line(range(node), text),
                message,
            });
        }
        let mut cursor = node.walk();
        let next = node
            .children(&mut cursor)
            .find(|child| child.has_error() || child.is_missing() || child.is_error());
        match next {
            Some(child) => node = child,
            None => {
                return Some(ParseProblem {
                    range: first_line(range(node), text),
                    message: "syntax error".to_owned(),
                });
            }
        }
    }
}

/// The range of every `comment` node, in source order.
pub fn comments(tree: &Tree) -> Vec<TextRange> {
    let mut res = Vec::new();
    let mut cursor = tree.walk();
    // Pre-order traversal with a cursor keeps memory flat for any nesting depth.
    'walk: loop {
        let node = cursor.node();
        if node.kind() == "comment" {
            res.push(range(node));
        } else if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    res
}

/// Cuts a range at the end of its first line, so that a problem is shown on one line.
fn first_line(range: TextRange, text: &str) -> TextRange {
    let segment = text.get(range.to_std()).unwrap_or("");
    match segment.find('\n') {
        Some(index) => {
            TextRange::from_usize(range.start().to_usize(), range.start().to_usize() + index)
        }
        None => range,
    }
}

#[cfg(test)]
mod tests {

    /// The parts as the stream's lines, read one by one, give them.
    #[test]
    fn parts_start_at_document_markers_past_the_bound() {
        fn by_lines(text: &str, lines_per_part: usize) -> Vec<usize> {
            let mut starts = vec![0];
            let mut offset = 0;
            // The multiple of `lines_per_part` the last part started on or past.
            let mut multiple = 0;
            for (number, line) in text.split_inclusive('\n').enumerate() {
                let marker = line.starts_with("---")
                    && matches!(
                        line.as_bytes().get(3),
                        None | Some(b' ' | b'\t' | b'\r' | b'\n')
                    );
                if marker && number / lines_per_part > multiple {
                    starts.push(offset);
                    multiple = number / lines_per_part;
                }
                offset += line.len();
            }
            starts
        }
        let texts = [
            "",
            "a: 1\n",
            "---\na: 1\n---\nb: 2\n--- # c\nc: 3\n----\nd: 4\n---x\n---\r\ne: 5\r\n---\tf\n---",
            "a: |\n  ---\n---\n\n\n---\nb: 1",
        ];
        for text in texts {
            for lines_per_part in [1, 2, 3, 5] {
                let parts = yaml_parts_of(text, lines_per_part);
                let starts: Vec<usize> = parts.iter().map(|part| part.start_byte).collect();
                assert_eq!(
                    starts,
                    by_lines(text, lines_per_part),
                    "{text:?} {lines_per_part}"
                );
                assert_eq!(parts.last().map(|part| part.end_byte), Some(text.len()));
                for part in &parts {
                    let before = &text[..part.start_byte];
                    assert_eq!(part.start_point.row, before.matches('\n').count());
                    let through = &text[..part.end_byte];
                    assert_eq!(part.end_point.row, through.matches('\n').count());
                    let line_start = through.rfind('\n').map_or(0, |at| at + 1);
                    assert_eq!(
                        part.end_point.column,
                        part.end_byte - line_start.max(part.start_byte)
                    );
                }
            }
        }
    }

    use super::*;

    /// An edit moves only the cuts near it: a broken document marker that started a part, or
    /// a line added at the top, leaves the parts past the next cut as they were (here no
    /// marker is just before a multiple of the lines per part, which a line added above would
    /// move onto it).
    #[test]
    fn an_edit_moves_only_the_cuts_near_it() {
        let mut text = String::new();
        for index in 0..2_500 {
            text.push_str(&format!("---\na: {index}\nb: 1\nc: 2\n"));
        }
        let parts = |text: &str| -> Vec<String> {
            yaml_parts(text)
                .iter()
                .map(|part| text[part.start_byte..part.end_byte].to_owned())
                .collect()
        };
        let before = parts(&text);
        assert!(before.len() > 3);
        let mut broken = text.clone();
        broken.remove(yaml_parts(&text)[1].start_byte);
        let after = parts(&broken);
        assert_eq!(after.len(), before.len());
        assert_eq!(after[2..], before[2..]);
        let after = parts(&format!("# a note\n{text}"));
        assert_eq!(after[1..], before[1..]);
    }

    /// The HCL grammar reads a run of template text as one token (see grammars/README.md), so
    /// a string's tree does not grow with its length; strings and heredocs parse as before.
    #[test]
    fn hcl_template_text_is_read_in_runs() {
        fn chunks(text: &str) -> (usize, Tree) {
            let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let seen = std::sync::Arc::clone(&count);
            let mut parser = Parser::new();
            parser
                .set_language(&grammar(Language::Hcl))
                .expect("hcl grammar loads");
            parser.set_logger(Some(Box::new(move |kind, message| {
                if kind == tree_sitter::LogType::Parse
                    && message.starts_with("lexed_lookahead sym:_template_literal_chunk")
                {
                    seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            })));
            let tree = parser.parse(text, None).expect("hcl grammar loads");
            (count.load(std::sync::atomic::Ordering::Relaxed), tree)
        }
        let long = format!("a = \"{}\"\n", "word, and more ".repeat(400));
        let (count, tree) = chunks(&long);
        assert!(count <= 2, "{count} tokens for one run of text");
        assert!(!tree.root_node().has_error());

        let text = concat!(
            "a = <<-EOT\n",
            "  EOTX is not the end ${var.x}, %{ if var.y }yes%{ endif } $${kept} 100%\n",
            "  EO\n",
            "  EOT\n",
            "b = \"quote \\\" slash \\\\ line \\n $${kept} ${var.z} 100%\"\n",
            "c = \"plain text\"\n",
        );
        let (count, tree) = chunks(text);
        let root = tree.root_node();
        assert!(!root.has_error(), "{}", root.to_sexp());
        let sexp = root.to_sexp();
        // The heredoc ends at its own line, so `b` and `c` are attributes of the body.
        assert_eq!(sexp.matches("(attribute").count(), 3, "{sexp}");
        assert_eq!(
            sexp.matches("(template_interpolation ").count(),
            2,
            "{sexp}"
        );
        assert_eq!(sexp.matches("(template_directive ").count(), 1, "{sexp}");
        assert!(count < 40, "{count} tokens");
    }

    /// A reused parser starts afresh: a parse inside another gets a parser of its own, and the
    /// ranges a long YAML stream set do not limit the next parse.
    #[test]
    fn reused_parsers_start_afresh() {
        let outer = with_parser(Language::Bash, |parser| {
            let inner = parse(Language::Bash, "echo inner").expect("bash grammar loads");
            assert_eq!(inner.root_node().end_byte(), "echo inner".len());
            parser.parse("rm -rf build", None)
        })
        .expect("bash grammar loads");
        assert!(!outer.root_node().has_error());
        let mut long = String::new();
        for index in 0..3 {
            long.push_str("---\n");
            for line in 0..YAML_LINES_PER_PARSE {
                long.push_str(&format!("k{index}_{line}: v\n"));
            }
        }
        let trees = parse_yaml_stream(&long).expect("yaml grammar loads");
        assert!(trees.len() > 1);
        let text = "a: 1\nb: 2\n";
        let tree = parse(Language::Yaml, text).expect("yaml grammar loads");
        assert_eq!(tree.root_node().end_byte(), text.len());
        assert!(!tree.root_node().has_error());
    }

    #[test]
    fn errors_and_comments() {
        let text = "resource \"a\" \"b\" {\n  # note\n  x = \n}\n";
        let tree = parse(Language::Hcl, text).expect("hcl grammar loads");
        assert!(first_error(&tree, text).is_some());
        assert_eq!(comments(&tree).len(), 1);
        let clean = "a = 1 // c\n/* d */\n";
        let tree = parse(Language::Hcl, clean).expect("hcl grammar loads");
        assert!(first_error(&tree, clean).is_none());
        assert_eq!(comments(&tree).len(), 2);
    }

    /// A file without its tree answers from its model and kept errors as it did with it.
    #[test]
    fn shed_tree_keeps_what_rules_read() {
        let text = "# note\nresource \"aws_s3_bucket\" \"a\" {\n  force_destroy = true\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\n}\n";
        let mut file = crate::parse_source("main.tf", text, Default::default())
            .expect("a Terraform file parses");
        let blocks: Vec<TextRange> = file.terraform().blocks.iter().map(|b| b.range).collect();
        let before: Vec<bool> = blocks.iter().map(|r| file.has_error_in(*r)).collect();
        assert_eq!(before, [false, true]);
        let policies = file.policies().len();
        let comments = file.comments();
        let problem = file.first_parse_problem();
        assert!(problem.is_some());
        file.shed_tree(true);
        assert_eq!(file.comments(), comments);
        assert_eq!(file.first_parse_problem(), problem);
        assert_eq!(file.tree.root_node().end_byte(), 0);
        let after: Vec<bool> = blocks.iter().map(|r| file.has_error_in(*r)).collect();
        assert_eq!(after, before);
        assert_eq!(file.terraform().blocks.len(), 2);
        assert_eq!(file.policies().len(), policies);
        assert!(file.terraform().resources().next().is_some());
    }
}
