//! A fast, lean reader for Terraform plan JSON.
//!
//! Plans are large (tens of megabytes for a monorepo) and rules read a small part of each
//! `resource_changes` entry. Parsing them with tree-sitter and building the full value model
//! costs seconds and many times the file size in memory, so plans are read here instead: one
//! pass over the bytes that builds `value::Node`s, with exact ranges, only for the parts the
//! plan model reads, and skips the rest.
//! Of `configuration`, only the resource addresses and the `references` lists of their
//! expressions are built: they tell which attribute reads which other object. Each attribute
//! of `expressions` becomes `{"references": [...]}` with every reference found anywhere in
//! it, in file order, and an attribute that references nothing is left out.
//! Whatever is skipped is absent from the documents, or an `Unknown` node with its range.
//! Malformed JSON makes the reader give up, and the file goes through tree-sitter, which
//! reports the syntax error.

use redline_text::TextRange;

use crate::value::{Entry, MAX_DEPTH, Node, NodeKind, Scalar, ScalarKind};

/// The root document of a plan, or `None` when the text is not well-formed JSON with an
/// object at the top.
pub(crate) fn plan_document(text: &str) -> Option<Node> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        position: 0,
    };
    reader.whitespace();
    if reader.peek() != Some(b'{') {
        return None;
    }
    let root = reader.value(Keep::Root, 0)?;
    reader.whitespace();
    (reader.position == reader.bytes.len()).then_some(root)
}

/// The object at `range` of `text` with its top-level scalar members (nested containers are
/// `Unknown`), or `None` when it is not a well-formed object.
pub fn shallow_object(text: &str, range: TextRange) -> Option<Node> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        position: range.start().to_usize(),
    };
    if reader.peek() != Some(b'{') {
        return None;
    }
    reader.value(Keep::Shallow, 0)
}

/// What to build of a value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// The plan's top-level object.
    Root,
    /// The `resource_changes` array.
    Changes,
    /// One `resource_changes` entry.
    Change,
    /// Its `change` object.
    ChangeBody,
    /// `before` or `after`: top-level scalars only.
    Shallow,
    /// A scalar, or `Unknown` for a container.
    ScalarOnly,
    /// `configuration`.
    Configuration,
    /// A module's configuration: `root_module`, or `module_calls.<name>.module`.
    Module,
    /// A module's `module_calls`.
    ModuleCalls,
    /// One module call.
    ModuleCall,
    /// A module's `resources`.
    ConfigResources,
    /// One configured resource.
    ConfigResource,
    /// Its `expressions`: each attribute is read with `Reader::references`.
    Expressions,
    /// Everything, down to `MAX_DEPTH`.
    Full,
    /// Nothing but the range: an `Unknown` node.
    Skip,
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    position: usize,
}

/// What to build for `key` inside an object built as `parent`; `None` leaves the entry out.
fn child(parent: Keep, key: &str) -> Option<Keep> {
    match parent {
        Keep::Root => Some(match key {
            "format_version" | "terraform_version" => Keep::Full,
            "resource_changes" => Keep::Changes,
            "configuration" => Keep::Configuration,
            _ => Keep::Skip,
        }),
        Keep::Configuration => (key == "root_module").then_some(Keep::Module),
        Keep::Module => match key {
            "resources" => Some(Keep::ConfigResources),
            "module_calls" => Some(Keep::ModuleCalls),
            _ => None,
        },
        Keep::ModuleCalls => Some(Keep::ModuleCall),
        Keep::ModuleCall => (key == "module").then_some(Keep::Module),
        Keep::ConfigResource => match key {
            "address" | "mode" => Some(Keep::Full),
            "expressions" => Some(Keep::Expressions),
            _ => None,
        },
        Keep::Change => match key {
            "address" | "previous_address" | "mode" | "type" | "deposed" | "action_reason" => {
                Some(Keep::Full)
            }
            "change" => Some(Keep::ChangeBody),
            _ => None,
        },
        Keep::ChangeBody => match key {
            "actions" | "replace_paths" => Some(Keep::Full),
            // Read on demand with `shallow_object`: most changes never need them.
            "before" | "after" => Some(Keep::Skip),
            _ => None,
        },
        Keep::Shallow => Some(Keep::ScalarOnly),
        Keep::Full => Some(Keep::Full),
        Keep::Expressions
        | Keep::Changes
        | Keep::ConfigResources
        | Keep::ScalarOnly
        | Keep::Skip => Some(Keep::Skip),
    }
}

/// What to build for the items of an array built as `parent`.
fn item(parent: Keep) -> Keep {
    match parent {
        Keep::Changes => Keep::Change,
        Keep::ConfigResources => Keep::ConfigResource,
        Keep::Full => Keep::Full,
        _ => Keep::Skip,
    }
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.position += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.whitespace();
        (self.peek() == Some(byte)).then(|| self.position += 1)
    }

    fn range(&self, start: usize) -> TextRange {
        TextRange::from_usize(start, self.position)
    }

    fn value(&mut self, keep: Keep, depth: usize) -> Option<Node> {
        self.whitespace();
        let start = self.position;
        let first = self.peek()?;
        let is_container = matches!(first, b'{' | b'[');
        if keep == Keep::Skip
            || (keep == Keep::ScalarOnly && is_container)
            || (is_container && depth > MAX_DEPTH)
        {
            self.skip()?;
            return Some(Node::unknown(self.range(start)));
        }
        let kind = match first {
            b'{' => {
                self.position += 1;
                let mut entries = Vec::new();
                self.whitespace();
                if self.peek() == Some(b'}') {
                    self.position += 1;
                } else {
                    loop {
                        self.whitespace();
                        let key_start = self.position;
                        let key = self.string()?;
                        let key_range = self.range(key_start);
                        self.expect(b':')?;
                        // `before` and `after` of an object the plan leaves alone are never
                        // read; Terraform writes `actions` first, and most entries are no-ops.
                        let unread = keep == Keep::ChangeBody
                            && matches!(key.as_str(), "before" | "after")
                            && entries.iter().any(|entry: &Entry| {
                                entry.key.as_str() == Some("actions")
                                    && entry.value.items().iter().all(|action| {
                                        matches!(action.as_str(), Some("no-op" | "read"))
                                    })
                            });
                        if keep == Keep::Expressions {
                            let value_start = {
                                self.whitespace();
                                self.position
                            };
                            let mut references = Vec::new();
                            self.references(&mut references, depth + 1)?;
                            if !references.is_empty() {
                                let range = self.range(value_start);
                                let string = |value: &str| {
                                    Node::new(
                                        range,
                                        NodeKind::Scalar(Scalar {
                                            value: value.to_owned(),
                                            kind: ScalarKind::String { quoted: true },
                                        }),
                                    )
                                };
                                references.shrink_to_fit();
                                let list = Node::new(range, NodeKind::Sequence(references));
                                let value = Node::new(
                                    range,
                                    NodeKind::Mapping(vec![Entry {
                                        key: string("references"),
                                        value: list,
                                    }]),
                                );
                                let key = Node::new(
                                    key_range,
                                    NodeKind::Scalar(Scalar {
                                        value: key,
                                        kind: ScalarKind::String { quoted: true },
                                    }),
                                );
                                entries.push(Entry { key, value });
                            }
                        } else {
                            match child(keep, &key).filter(|_| !unread) {
                                Some(keep) => {
                                    let value = self.value(keep, depth + 1)?;
                                    let key = Node::new(
                                        key_range,
                                        NodeKind::Scalar(Scalar {
                                            value: key,
                                            kind: ScalarKind::String { quoted: true },
                                        }),
                                    );
                                    entries.push(Entry { key, value });
                                }
                                None => {
                                    self.whitespace();
                                    self.skip()?;
                                }
                            }
                        }
                        self.whitespace();
                        match self.peek()? {
                            b',' => self.position += 1,
                            b'}' => {
                                self.position += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                // Plans hold tens of thousands of these objects: no spare capacity.
                entries.shrink_to_fit();
                NodeKind::Mapping(entries)
            }
            b'[' => {
                self.position += 1;
                let mut items = Vec::new();
                self.whitespace();
                if self.peek() == Some(b']') {
                    self.position += 1;
                } else {
                    loop {
                        items.push(self.value(item(keep), depth + 1)?);
                        self.whitespace();
                        match self.peek()? {
                            b',' => self.position += 1,
                            b']' => {
                                self.position += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                items.shrink_to_fit();
                NodeKind::Sequence(items)
            }
            b'"' => NodeKind::Scalar(Scalar {
                value: self.string()?,
                kind: ScalarKind::String { quoted: true },
            }),
            _ => {
                let word_end = self.bytes[start..]
                    .iter()
                    .position(|byte| !matches!(byte, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'+' | b'.' | b'E'))
                    .map_or(self.bytes.len(), |length| start + length);
                let word = self.text.get(start..word_end)?;
                self.position = word_end;
                match word {
                    "true" | "false" => NodeKind::Scalar(Scalar {
                        value: word.to_owned(),
                        kind: ScalarKind::Bool(word == "true"),
                    }),
                    "null" => NodeKind::Scalar(Scalar {
                        value: String::new(),
                        kind: ScalarKind::Null,
                    }),
                    _ if word.starts_with(|c: char| c == '-' || c.is_ascii_digit())
                        && word.parse::<f64>().is_ok() =>
                    {
                        NodeKind::Scalar(Scalar {
                            value: word.to_owned(),
                            kind: ScalarKind::Number,
                        })
                    }
                    _ => return None,
                }
            }
        };
        Some(Node::new(self.range(start), kind))
    }

    /// Moves past one expression of `configuration` and adds the strings of every
    /// `references` list inside it, at any depth, to `res`, building nothing else. Constant
    /// values can be large (policies, user data) and name no other object: they are skipped.
    fn references(&mut self, res: &mut Vec<Node>, depth: usize) -> Option<()> {
        self.whitespace();
        match self.peek()? {
            b'{' if depth <= MAX_DEPTH => {
                self.position += 1;
                self.whitespace();
                if self.peek() == Some(b'}') {
                    self.position += 1;
                    return Some(());
                }
                loop {
                    self.whitespace();
                    let key_start = self.position;
                    self.skip_string()?;
                    let key = &self.bytes[key_start..self.position];
                    self.expect(b':')?;
                    self.whitespace();
                    match key {
                        b"\"references\"" if self.peek() == Some(b'[') => {
                            let list = self.value(Keep::Full, depth + 1)?;
                            if let NodeKind::Sequence(items) = list.kind {
                                res.extend(
                                    items.into_iter().filter(|item| item.as_str().is_some()),
                                );
                            }
                        }
                        b"\"constant_value\"" => self.skip()?,
                        _ => self.references(res, depth + 1)?,
                    }
                    self.whitespace();
                    match self.peek()? {
                        b',' => self.position += 1,
                        b'}' => {
                            self.position += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            // A nested block written more than once (`ingress`, `ebs_block_device`).
            b'[' if depth <= MAX_DEPTH => {
                self.position += 1;
                self.whitespace();
                if self.peek() == Some(b']') {
                    self.position += 1;
                    return Some(());
                }
                loop {
                    self.references(res, depth + 1)?;
                    self.whitespace();
                    match self.peek()? {
                        b',' => self.position += 1,
                        b']' => {
                            self.position += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            _ => self.skip(),
        }
    }

    /// Reads a string at the current position and returns its decoded value.
    fn string(&mut self) -> Option<String> {
        let start = self.position;
        self.skip_string()?;
        let raw = self.text.get(start + 1..self.position - 1)?;
        if !raw.contains('\\') {
            return Some(raw.to_owned());
        }
        Some(crate::json::decode_escapes(raw))
    }

    /// Moves past a string; the position must be at its opening quote.
    fn skip_string(&mut self) -> Option<()> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.position += 1;
        loop {
            let offset = self
                .bytes
                .get(self.position..)?
                .iter()
                .position(|byte| matches!(byte, b'"' | b'\\'))?;
            self.position += offset;
            if self.bytes[self.position] == b'"' {
                self.position += 1;
                return Some(());
            }
            // A backslash escapes the next byte; `\uXXXX` needs no special care here.
            self.position += 2;
        }
    }

    /// Moves past one value of any size without building it; iterative, so nesting depth
    /// cannot exhaust the stack.
    fn skip(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            self.whitespace();
            match self.peek()? {
                b'"' => self.skip_string()?,
                b'{' | b'[' => {
                    depth += 1;
                    self.position += 1;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.position += 1;
                }
                b',' | b':' if depth > 0 => self.position += 1,
                _ => {
                    let length = self.bytes[self.position..]
                        .iter()
                        .position(|byte| {
                            matches!(
                                byte,
                                b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t' | b':'
                            )
                        })
                        .unwrap_or(self.bytes.len() - self.position);
                    let word = self.text.get(self.position..self.position + length)?;
                    let is_literal = matches!(word, "true" | "false" | "null")
                        || (word.starts_with(|c: char| c == '-' || c.is_ascii_digit())
                            && word.parse::<f64>().is_ok());
                    if !is_literal {
                        return None;
                    }
                    self.position += length;
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_the_plan_model_reads() {
        let text = r#"{"format_version":"1.2","planned_values":{"x":[1,{"y":"}"}]},
 "resource_changes":[{"address":"a.b[\"k\"]","type":"a","unused":{"deep":[[[]]]},
   "change":{"actions":["delete","create"],"replace_paths":[["engine"],["e",0]],
     "before":{"deletion_protection":true,"tags":{"a":"b"},"n":7},"after":null,"after_unknown":{}}}]}"#;
        let root = plan_document(text).expect("well-formed");
        assert_eq!(
            root.get("format_version").and_then(Node::as_str),
            Some("1.2")
        );
        assert!(matches!(
            root.get("planned_values").map(|v| &v.kind),
            Some(NodeKind::Unknown)
        ));
        let change = &root.get("resource_changes").expect("changes").items()[0];
        assert_eq!(
            change.get("address").and_then(Node::as_str),
            Some("a.b[\"k\"]")
        );
        assert_eq!(
            &text[change.get("address").expect("address").range.to_std()],
            r#""a.b[\"k\"]""#
        );
        assert!(change.get("unused").is_none());
        let body = change.get("change").expect("change");
        assert_eq!(body.get("actions").map(|a| a.items().len()), Some(2));
        let before = body.get("before").expect("before");
        assert!(matches!(before.kind, NodeKind::Unknown));
        let before = shallow_object(text, before.range).expect("an object");
        assert_eq!(
            before.get("deletion_protection").and_then(Node::as_bool),
            Some(true)
        );
        assert_eq!(&text[before.get("n").expect("n").range.to_std()], "7");
        assert!(matches!(
            before.get("tags").map(|v| &v.kind),
            Some(NodeKind::Unknown)
        ));
        assert!(body.get("after_unknown").is_none());
    }

    #[test]
    fn unchanged_objects_keep_no_values() {
        let text = r#"{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["no-op"],"before":{"x":1},"after":{"x":1}}}]}"#;
        let root = plan_document(text).expect("well-formed");
        let body = root.get("resource_changes").expect("changes").items()[0]
            .get("change")
            .expect("change");
        assert!(body.get("actions").is_some());
        assert!(body.get("before").is_none() && body.get("after").is_none());
    }

    #[test]
    fn configuration_keeps_addresses_and_references_only() {
        let text = r#"{"configuration":{"provider_config":{"aws":{}},"root_module":{
 "resources":[{"address":"aws_subnet.a","schema_version":0,"expressions":{
   "vpc_id":{"references":["aws_vpc.main.id"]},"tags":{"constant_value":{"a":"b"}}}}],
 "module_calls":{"net":{"source":"./net","module":{"resources":[{"address":"aws_vpc.b"}]}}}}}}"#;
        let root = plan_document(text).expect("well-formed");
        let configuration = root.get("configuration").expect("configuration");
        assert!(configuration.get("provider_config").is_none());
        let module = configuration.get("root_module").expect("root module");
        let resource = &module.get("resources").expect("resources").items()[0];
        assert!(resource.get("schema_version").is_none());
        let expressions = resource.get("expressions").expect("expressions");
        let vpc_id = expressions.get("vpc_id").expect("vpc_id");
        assert_eq!(
            vpc_id
                .get("references")
                .map(|references| references.items().len()),
            Some(1)
        );
        assert!(expressions.get("tags").is_none());
        let call = module
            .get("module_calls")
            .and_then(|calls| calls.get("net"))
            .expect("module call");
        assert!(call.get("source").is_none());
        assert_eq!(
            call.get("module")
                .and_then(|module| module.get("resources"))
                .map(|resources| resources.items()[0].get("address").and_then(Node::as_str)),
            Some(Some("aws_vpc.b"))
        );
    }

    #[test]
    fn malformed_json_is_refused() {
        assert!(plan_document(r#"{"a": [1, 2}"#).is_none());
        assert!(plan_document(r#"{"a": "x"} trailing"#).is_none());
        assert!(plan_document(r#"{"a": tru}"#).is_none());
        assert!(plan_document("[1]").is_none());
        assert!(plan_document(r#"{"a": "unterminated}"#).is_none());
    }
}
