//! A fast, lean reader for Terraform plan JSON.
//!
//! Plans are large (tens of megabytes for a monorepo) and rules read a small part of each
//! `resource_changes` entry. Parsing them with tree-sitter and building the full value model
//! costs seconds and many times the file size in memory, so plans are read here instead: one
//! pass over the bytes that builds `value::Node`s, with exact ranges, only for the parts the
//! plan model reads, and skips the rest.
//! `configuration` is left unread (an `Unknown` node with its range) and read on demand with
//! `configured_resources`, which builds only the resources asked for, with their addresses
//! and the `references` lists of their expressions: they tell which attribute reads which
//! other object. Each attribute of `expressions` becomes `{"references": [...]}` with every
//! reference found anywhere in it, in file order, and an attribute that references nothing
//! is left out.
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

/// One resource of a `configuration` section read by `configured_resources`.
#[derive(Clone, Debug)]
pub struct ConfigResourceEntry {
    /// The module path (`module.net.`), empty in the root module.
    pub prefix: String,
    /// The address inside its module (`aws_subnet.a`).
    pub address: String,
    /// The resource's entry, with `address`, `mode` and `expressions` as `plan_document`
    /// would build them.
    pub node: Node,
}

/// How deep module calls nest before the reader stops following them.
pub(crate) const MAX_MODULE_DEPTH: usize = 16;

/// The resources of the `configuration` section at `range` of `text` whose address with its
/// module path `wanted` accepts: root module first, then module calls in file order; `None`
/// when the section is not well-formed.
pub(crate) fn configured_resources(
    text: &str,
    range: TextRange,
    wanted: &dyn Fn(&str) -> bool,
) -> Option<Vec<ConfigResourceEntry>> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        position: range.start().to_usize(),
    };
    let mut res = Vec::new();
    reader.members(&mut |reader, key| {
        if key == "root_module" {
            res = reader.config_module("", 0, wanted)?;
        } else {
            reader.skip()?;
        }
        Some(())
    })?;
    Some(res)
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
            // Read on demand with `configured_resources`: only replacements need it.
            "configuration" => Keep::Skip,
            _ => Keep::Skip,
        }),
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
        Keep::Expressions | Keep::Changes | Keep::ScalarOnly | Keep::Skip => Some(Keep::Skip),
    }
}

/// What to build for the items of an array built as `parent`.
fn item(parent: Keep) -> Keep {
    match parent {
        Keep::Changes => Keep::Change,
        Keep::Full => Keep::Full,
        _ => Keep::Skip,
    }
}

/// A quoted JSON string as a node: a key, or the `references` key of an expression.
fn quoted(range: TextRange, value: String) -> Node {
    Node::new(
        range,
        NodeKind::Scalar(Scalar {
            value,
            kind: ScalarKind::String { quoted: true },
        }),
    )
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
                                references.shrink_to_fit();
                                let list = Node::new(range, NodeKind::Sequence(references));
                                let value = Node::new(
                                    range,
                                    NodeKind::Mapping(vec![Entry {
                                        key: quoted(range, "references".to_owned()),
                                        value: list,
                                    }]),
                                );
                                entries.push(Entry {
                                    key: quoted(key_range, key),
                                    value,
                                });
                            }
                        } else {
                            match child(keep, &key).filter(|_| !unread) {
                                Some(keep) => {
                                    let value = self.value(keep, depth + 1)?;
                                    entries.push(Entry {
                                        key: quoted(key_range, key),
                                        value,
                                    });
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

    /// Reads the object at the current position, calling `member` with the reader at each
    /// value and its key; `member` must move past the value.
    fn members(&mut self, member: &mut dyn FnMut(&mut Self, &str) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.position += 1;
            return Some(());
        }
        loop {
            self.whitespace();
            // Keys are compared, rarely kept: decoded only when they hold an escape.
            let text = self.text;
            let key_start = self.position;
            self.skip_string()?;
            let raw = text.get(key_start + 1..self.position - 1)?;
            let key = if raw.contains('\\') {
                std::borrow::Cow::Owned(crate::json::decode_escapes(raw))
            } else {
                std::borrow::Cow::Borrowed(raw)
            };
            self.expect(b':')?;
            self.whitespace();
            member(self, &key)?;
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

    /// Reads the array at the current position, calling `item` with the reader at each item;
    /// `item` must move past it.
    fn items(&mut self, item: &mut dyn FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.expect(b'[')?;
        self.whitespace();
        if self.peek() == Some(b']') {
            self.position += 1;
            return Some(());
        }
        loop {
            self.whitespace();
            item(self)?;
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

    /// The wanted resources of the module at the current position and of its calls, their
    /// module path starting with `prefix`: its own resources first, then its calls in file
    /// order.
    fn config_module(
        &mut self,
        prefix: &str,
        depth: usize,
        wanted: &dyn Fn(&str) -> bool,
    ) -> Option<Vec<ConfigResourceEntry>> {
        if depth > MAX_MODULE_DEPTH || self.peek() != Some(b'{') {
            self.skip()?;
            return Some(Vec::new());
        }
        let mut own = Vec::new();
        let mut calls = Vec::new();
        let mut address = String::new();
        self.members(&mut |reader, key| match key {
            "resources" if reader.peek() == Some(b'[') => reader.items(&mut |reader| {
                let start = reader.position;
                let mut local = None;
                if reader.peek() == Some(b'{') {
                    reader.members(&mut |reader, key| {
                        if key == "address" && reader.peek() == Some(b'"') && local.is_none() {
                            local = Some(reader.string()?);
                            Some(())
                        } else {
                            reader.skip()
                        }
                    })?;
                } else {
                    reader.skip()?;
                }
                let Some(local) = local else {
                    return Some(());
                };
                address.clear();
                address.push_str(prefix);
                address.push_str(&local);
                if wanted(&address) {
                    let end = reader.position;
                    reader.position = start;
                    let node = reader.value(Keep::ConfigResource, depth + 1)?;
                    reader.position = end;
                    own.push(ConfigResourceEntry {
                        prefix: prefix.to_owned(),
                        address: local,
                        node,
                    });
                }
                Some(())
            }),
            "module_calls" if reader.peek() == Some(b'{') => reader.members(&mut |reader, name| {
                if reader.peek() != Some(b'{') {
                    return reader.skip();
                }
                reader.members(&mut |reader, key| {
                    if key == "module" {
                        let child = format!("{prefix}module.{name}.");
                        calls.extend(reader.config_module(&child, depth + 1, wanted)?);
                        Some(())
                    } else {
                        reader.skip()
                    }
                })
            }),
            _ => reader.skip(),
        })?;
        own.extend(calls);
        Some(own)
    }

    /// Moves past one expression of `configuration` and adds the strings of every
    /// `references` list inside it, at any depth, to `res`, building nothing else. Constant
    /// values can be large (policies, user data) and name no other object: they are skipped.
    fn references(&mut self, res: &mut Vec<Node>, depth: usize) -> Option<()> {
        self.whitespace();
        match self.peek()? {
            b'{' if depth <= MAX_DEPTH => self.members(&mut |reader, key| match key {
                "references" if reader.peek() == Some(b'[') => {
                    let list = reader.value(Keep::Full, depth + 1)?;
                    if let NodeKind::Sequence(items) = list.kind {
                        res.extend(items.into_iter().filter(|item| item.as_str().is_some()));
                    }
                    Some(())
                }
                "constant_value" => reader.skip(),
                _ => reader.references(res, depth + 1),
            }),
            // A nested block written more than once (`ingress`, `ebs_block_device`).
            b'[' if depth <= MAX_DEPTH => {
                self.items(&mut |reader| reader.references(res, depth + 1))
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
    fn configuration_is_read_on_demand_for_the_resources_asked() {
        let text = r#"{"format_version":"1.2","configuration":{"provider_config":{"aws":{}},"root_module":{
 "module_calls":{"net":{"source":"./net","module":{"resources":[{"address":"aws_vpc.b"}]}}},
 "resources":[{"address":"aws_subnet.a","schema_version":0,"expressions":{
   "vpc_id":{"references":["aws_vpc.main.id"]},"tags":{"constant_value":{"a":"b","references":["x"]}},
   "ingress":[{"cidr_blocks":{"references":["var.cidr"]}},{"to_port":{"constant_value":22}}]}},
   {"expressions":{"x":{"references":["y"]}},"address":"aws_instance.c"}]}}}"#;
        let root = plan_document(text).expect("well-formed");
        let configuration = root.get("configuration").expect("configuration");
        assert!(matches!(configuration.kind, NodeKind::Unknown));
        let read = |wanted: &dyn Fn(&str) -> bool| {
            configured_resources(text, configuration.range, wanted).expect("well-formed")
        };
        let all = read(&|_| true);
        let addresses: Vec<String> = all
            .iter()
            .map(|entry| format!("{}{}", entry.prefix, entry.address))
            .collect();
        assert_eq!(
            addresses,
            ["aws_subnet.a", "aws_instance.c", "module.net.aws_vpc.b"]
        );
        let resource = &all[0].node;
        assert!(resource.get("schema_version").is_none());
        let expressions = resource.get("expressions").expect("expressions");
        let references = |name: &str| -> Vec<&str> {
            expressions
                .get(name)
                .and_then(|expression| expression.get("references"))
                .map(|references| references.items().iter().filter_map(Node::as_str).collect())
                .unwrap_or_default()
        };
        assert_eq!(references("vpc_id"), ["aws_vpc.main.id"]);
        assert_eq!(references("ingress"), ["var.cidr"]);
        assert!(expressions.get("tags").is_none());
        let asked = read(&|address| address == "aws_instance.c");
        assert_eq!(asked.len(), 1);
        assert!(
            asked[0]
                .node
                .get("expressions")
                .and_then(|expressions| expressions.get("x"))
                .is_some()
        );
        assert!(
            configured_resources(
                r#"{"root_module":{"resources":[{"address":}]}}"#,
                TextRange::from_usize(0, 40),
                &|_| true
            )
            .is_none()
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
