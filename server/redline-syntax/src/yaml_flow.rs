//! A second reading of YAML whose multi-line flow collections are indented less than
//! tree-sitter-yaml accepts.
//!
//! tree-sitter-yaml follows the YAML spec and wants every line inside a flow collection that
//! stands as a block value (`Resource: [`) to be indented more than the value's key; only the
//! closing bracket may stand at the key's column. libyaml and PyYAML (which CloudFormation,
//! Ansible and most tools use) ignore indentation inside flow collections, so files such as
//!
//! ```yaml
//!     Resource: [
//!     !Sub "arn:…:db:${Database}",
//!     !Sub "arn:…:snapshot:*"
//!     ]
//! ```
//!
//! are deployed as written, while tree-sitter turns the whole stream into one syntax error.
//!
//! `relax` writes a text of the same length in which the line break before each such line (and
//! the blank lines before it) is a space, so that the line joins the one above it inside the
//! collection, where a line break only separates tokens. Every byte keeps its offset, and a
//! break is joined only between tokens that a space separates as well as a line break does:
//! after `[`, `{` or `,`, or before `]` or `}`, and never after a comment. The caller uses the
//! second parse only when it has no syntax error at all, so text that is broken in another way
//! is reported as before, and text that parses cleanly is never read twice.

/// The text with the line breaks before under-indented lines of its flow collections replaced
/// by spaces, or `None` when it has no such line, or one that cannot be joined safely.
pub(crate) fn relax(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    if !bytes.iter().any(|byte| matches!(byte, b'[' | b'{')) {
        return None;
    }
    let mut joins: Vec<usize> = Vec::new();
    let mut scanner = Scanner { bytes, pos: 0 };
    // The key column of a block scalar (`key: |`) whose lines are being skipped.
    let mut block_scalar_parent: Option<usize> = None;
    while scanner.pos < bytes.len() {
        let line_start = scanner.pos;
        let indent = scanner.skip_spaces();
        if bytes.get(scanner.pos) == Some(&b'\t') {
            // Tabs make columns ambiguous: leave the file as tree-sitter read it.
            return None;
        }
        let blank = scanner.at_line_end();
        if let Some(parent) = block_scalar_parent {
            if blank || indent > parent {
                scanner.next_line();
                continue;
            }
            block_scalar_parent = None;
        }
        match scanner.block_line(line_start)? {
            LineValue::Other => {}
            LineValue::BlockScalar { parent } => block_scalar_parent = Some(parent),
            LineValue::Flow { key_column } => {
                scanner.flow_collection(key_column, &mut joins)?;
            }
        }
        scanner.next_line();
    }
    if joins.is_empty() {
        return None;
    }
    let mut res = bytes.to_vec();
    for at in joins {
        res[at] = b' ';
        if at > 0 && res[at - 1] == b'\r' {
            res[at - 1] = b' ';
        }
    }
    // Invariant: only ASCII line breaks were replaced by ASCII spaces, so the text is still
    // UTF-8.
    String::from_utf8(res).ok()
}

/// What the block-context part of a line leads to.
enum LineValue {
    /// Nothing this scan needs: a scalar, a key with its value on the next lines, a comment.
    Other,
    /// A block scalar header (`|`, `>`): its lines are those indented more than `parent`.
    BlockScalar { parent: usize },
    /// A flow collection opens at the scanner's position; lines inside it must be indented
    /// more than `key_column`.
    Flow { key_column: usize },
}

struct Scanner<'t> {
    bytes: &'t [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) -> usize {
        let start = self.pos;
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
        self.pos - start
    }

    fn at_line_end(&self) -> bool {
        matches!(self.peek(), None | Some(b'\n' | b'\r' | b'#'))
    }

    /// Moves past the end of the current line.
    fn next_line(&mut self) {
        match self.bytes[self.pos.min(self.bytes.len())..]
            .iter()
            .position(|byte| *byte == b'\n')
        {
            Some(offset) => self.pos += offset + 1,
            None => self.pos = self.bytes.len(),
        }
    }

    fn column(&self, line_start: usize) -> usize {
        self.pos - line_start
    }

    /// Whether the byte at the position ends a token in block context (a space, a line break,
    /// the end of the text).
    fn separated_at(&self, at: usize) -> bool {
        matches!(
            self.bytes.get(at),
            None | Some(b' ' | b'\t' | b'\n' | b'\r')
        )
    }

    /// Reads the block-context start of a line, up to a flow collection, a block scalar header
    /// or the end of the line. `None` when a quoted scalar never closes.
    fn block_line(&mut self, line_start: usize) -> Option<LineValue> {
        // The column that a flow collection's lines must be indented beyond: the key's, or the
        // sequence indicator's for an item that is itself the collection.
        let mut parent = self.column(line_start);
        let mut seen_key = false;
        loop {
            self.skip_spaces();
            match self.peek() {
                None | Some(b'\n' | b'\r' | b'#') => return Some(LineValue::Other),
                Some(b'-') if !seen_key && self.separated_at(self.pos + 1) => {
                    parent = self.column(line_start);
                    self.pos += 1;
                }
                Some(b'!' | b'&') => {
                    while !self.separated_at(self.pos) {
                        self.pos += 1;
                    }
                }
                Some(b'[' | b'{') => return Some(LineValue::Flow { key_column: parent }),
                Some(b'|' | b'>') => return Some(LineValue::BlockScalar { parent }),
                Some(quote @ (b'"' | b'\'')) => {
                    let column = self.column(line_start);
                    self.quoted(quote)?;
                    self.skip_spaces();
                    if !seen_key && self.is_value_indicator() {
                        parent = column;
                        seen_key = true;
                        self.pos += 1;
                    } else {
                        return Some(LineValue::Other);
                    }
                }
                Some(_) => {
                    let column = self.column(line_start);
                    // A plain scalar: a key when `: ` follows it on this line.
                    loop {
                        match self.peek() {
                            None | Some(b'\n' | b'\r') => return Some(LineValue::Other),
                            Some(b'#') if self.separated_at(self.pos.wrapping_sub(1)) => {
                                return Some(LineValue::Other);
                            }
                            Some(b':') if self.is_value_indicator() => break,
                            Some(_) => self.pos += 1,
                        }
                    }
                    if seen_key {
                        return Some(LineValue::Other);
                    }
                    parent = column;
                    seen_key = true;
                    self.pos += 1;
                }
            }
        }
    }

    fn is_value_indicator(&self) -> bool {
        self.peek() == Some(b':') && self.separated_at(self.pos + 1)
    }

    /// Moves past a quoted scalar that starts at the position, across lines if need be;
    /// `None` when it never closes.
    fn quoted(&mut self, quote: u8) -> Option<()> {
        self.pos += 1;
        loop {
            match self.peek()? {
                b'\\' if quote == b'"' => self.pos += 2,
                b'\'' if quote == b'\'' && self.bytes.get(self.pos + 1) == Some(&b'\'') => {
                    self.pos += 2;
                }
                byte if byte == quote => {
                    self.pos += 1;
                    return Some(());
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Reads the flow collection that opens at the position, adding to `joins` the line breaks
    /// to replace; leaves the position after its closing bracket. `None` when it does not
    /// close, or an under-indented line cannot be joined safely.
    fn flow_collection(&mut self, key_column: usize, joins: &mut Vec<usize>) -> Option<()> {
        let mut depth = 0usize;
        // The last byte of the last token, and the line breaks and comments since then.
        let mut last_token = b'[';
        let mut breaks: Vec<usize> = Vec::new();
        let mut comment_since_token = false;
        loop {
            let byte = self.peek()?;
            match byte {
                b'[' | b'{' => depth += 1,
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            match byte {
                b' ' | b'\t' | b'\r' => {
                    self.pos += 1;
                    continue;
                }
                b'#' if self.separated_at(self.pos.wrapping_sub(1)) => {
                    comment_since_token = true;
                    while !matches!(self.peek(), None | Some(b'\n')) {
                        self.pos += 1;
                    }
                    continue;
                }
                b'\n' => {
                    breaks.push(self.pos);
                    self.pos += 1;
                    let indent = self.skip_spaces();
                    let first = self.peek();
                    if matches!(first, None | Some(b'\n' | b'\r' | b'#')) {
                        continue;
                    }
                    let closes_at_key = indent == key_column && matches!(first, Some(b']' | b'}'));
                    if indent <= key_column && !closes_at_key {
                        let separates = matches!(last_token, b'[' | b'{' | b',')
                            || matches!(first, Some(b']' | b'}'));
                        if comment_since_token || !separates {
                            return None;
                        }
                        joins.append(&mut breaks);
                    }
                    continue;
                }
                b'"' | b'\'' => {
                    self.quoted(byte)?;
                    last_token = byte;
                }
                _ => {
                    self.pos += 1;
                    last_token = byte;
                }
            }
            breaks.clear();
            comment_since_token = false;
            if depth == 0 {
                return Some(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::relax;

    fn parses_cleanly(text: &str) -> bool {
        let tree = crate::tree::parse(crate::Language::Yaml, text).expect("yaml grammar loads");
        !tree.root_node().has_error()
    }

    /// Items at the key's column, and a closing bracket left of it, are joined to the line
    /// above; the text keeps its length and every other byte.
    #[test]
    fn under_indented_flow_lines_are_joined() {
        let text = "Statement:\n  - Action: x\n    Resource: [\n    !Sub \"a\",\n    !Sub \"b\"\n    ]\n  - Resource: {\n      a: 1,\n   b: 2\n   }\n";
        assert!(!parses_cleanly(text));
        let relaxed = relax(text).expect("lines to join");
        assert_eq!(
            relaxed,
            "Statement:\n  - Action: x\n    Resource: [     !Sub \"a\",     !Sub \"b\"\n    ]\n  - Resource: {\n      a: 1,    b: 2    }\n"
        );
        assert_eq!(relaxed.len(), text.len());
        assert!(parses_cleanly(&relaxed));
    }

    /// Blank lines and CRLF breaks before an under-indented line are joined with it.
    #[test]
    fn blank_lines_and_crlf() {
        let text = "a:\r\n  k: [\r\n\r\n  x,\r\n  y]\r\n";
        let relaxed = relax(text).expect("lines to join");
        assert_eq!(relaxed, "a:\r\n  k: [      x,    y]\r\n");
        assert!(parses_cleanly(&relaxed));
    }

    /// Text that tree-sitter already reads, or that has no under-indented flow line, is left
    /// alone.
    #[test]
    fn nothing_to_join() {
        for text in [
            "a:\n  k: [\n    x,\n    y\n  ]\n",
            "a: [x, y]\nb: {c: 1}\n",
            "a: |\n  [\n  x,\n  y\n  ]\n",
            "a: \"[\nb\"\nc: 1\n",
            "a: x # [\nb: 1\n",
        ] {
            assert_eq!(relax(text), None, "{text:?}");
        }
    }

    /// A break that a space would not replace (after a comment, inside a multi-line scalar),
    /// a collection that never closes, and tabs make the whole text unrelaxed.
    #[test]
    fn unsafe_joins_are_refused() {
        for text in [
            "a:\n  k: [ x, # note\n  y ]\n",
            "a:\n  k: [ x\n  y ]\n",
            "a:\n  k: [ x,\n  y,\n",
            "a:\n\tk: [ x,\n  y ]\n",
        ] {
            assert_eq!(relax(text), None, "{text:?}");
        }
    }

    /// A file read through the relaxed text has no syntax error, and its values and their
    /// ranges are those of the file as written; a flow collection broken in another way is
    /// still reported.
    #[test]
    fn source_files_keep_values_and_ranges() {
        let text = "Resources:\n  Fn:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      Resource: [\n      !Sub \"arn:a\",\n      \"arn:b\"\n      ]\n      Next: 1\n";
        let file = crate::parse_source("t.yaml", text, Default::default()).expect("yaml parses");
        assert_eq!(file.first_parse_problem(), None);
        let resource = file.documents[0]
            .get("Resources")
            .and_then(|node| node.get("Fn"))
            .and_then(|node| node.get("Properties"))
            .and_then(|node| node.get("Resource"))
            .expect("Resource is read");
        let items: Vec<(Option<&str>, &str)> = resource
            .items()
            .iter()
            .map(|item| (item.tag.as_deref(), file.slice(item.range)))
            .collect();
        assert_eq!(items, [(Some("!Sub"), "\"arn:a\""), (None, "\"arn:b\"")]);
        assert_eq!(
            file.slice(resource.range),
            "[\n      !Sub \"arn:a\",\n      \"arn:b\"\n      ]"
        );
        assert!(file.parsed_tree().rewritten);

        for broken in [
            "a:\n  k: [\n  x,\n  y\n",
            "a:\n  k: [\n  x,\n  y\n  ]]\n",
            "a:\n  k: [\n  x,\n  y\n  ]\n  - z\n",
        ] {
            let hints = crate::SourceHints {
                format: Some(crate::Format::CloudFormation),
                ..Default::default()
            };
            let file = crate::parse_source("t.yaml", broken, hints).expect("yaml parses");
            assert!(file.first_parse_problem().is_some(), "{broken:?}");
        }
    }
}
