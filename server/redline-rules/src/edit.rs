//! Building edits on JSON and YAML documents.

use redline_diagnostics::Edit;
use redline_syntax::Language;
use redline_syntax::value::Node;

/// An edit that adds `key: value` as the first entry of `mapping`, in the mapping's own style:
/// a new line at the same indentation in a YAML block mapping, `key: value, ` in a flow mapping,
/// `"key": value, ` in JSON. `value` is written as given, so quote strings for JSON.
///
/// Returns `None` for an empty mapping, where the right indentation cannot be known.
pub fn insert_first_entry(
    text: &str,
    language: Language,
    mapping: &Node,
    key: &str,
    value: &str,
) -> Option<Edit> {
    let first = mapping.entries().first()?;
    let at = first.key.range.start();
    let offset = at.to_usize();
    let line_start = text[..offset].rfind('\n').map_or(0, |index| index + 1);
    let indent = &text[line_start..offset];
    let own_line = indent.chars().all(|c| c == ' ' || c == '\t');
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let entry = match language {
        Language::Json => format!("\"{key}\": {value},"),
        _ => format!("{key}: {value}"),
    };
    let inserted = if own_line {
        format!("{entry}{newline}{indent}")
    } else if language == Language::Json {
        format!("{entry} ")
    } else {
        format!("{entry}, ")
    };
    Some(Edit::insert(at, inserted))
}

/// The text to write for a string value in `language`.
pub fn string_literal(language: Language, value: &str) -> String {
    match language {
        Language::Json => format!("\"{value}\""),
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redline_syntax::{SourceHints, parse_source};

    fn first_document(path: &str, text: &str) -> Node {
        parse_source(path, text, SourceHints::default())
            .expect("recognised")
            .documents
            .remove(0)
            .as_ref()
            .clone()
    }

    fn apply(text: &str, edit: &Edit) -> String {
        let mut res = text.to_owned();
        res.replace_range(edit.range.to_std(), &edit.replacement);
        res
    }

    #[test]
    fn inserts_in_each_style() {
        let yaml =
            "AWSTemplateFormatVersion: x\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n";
        let root = first_document("t.yaml", yaml);
        let db = root.get("Resources").and_then(|r| r.get("Db")).expect("Db");
        let edit =
            insert_first_entry(yaml, Language::Yaml, db, "DeletionPolicy", "Retain").expect("edit");
        assert_eq!(
            apply(yaml, &edit),
            "AWSTemplateFormatVersion: x\nResources:\n  Db:\n    DeletionPolicy: Retain\n    Type: AWS::RDS::DBInstance\n"
        );
        let flow = "AWSTemplateFormatVersion: x\nResources: {Db: {Type: AWS::S3::Bucket}}\n";
        let root = first_document("t.yaml", flow);
        let db = root.get("Resources").and_then(|r| r.get("Db")).expect("Db");
        let edit =
            insert_first_entry(flow, Language::Yaml, db, "DeletionPolicy", "Retain").expect("edit");
        assert!(
            apply(flow, &edit).contains("{Db: {DeletionPolicy: Retain, Type: AWS::S3::Bucket}}")
        );
        let json = r#"{"Resources": {"Db": {"Type": "AWS::RDS::DBInstance"}}}"#;
        let root = first_document("t.json", json);
        let db = root.get("Resources").and_then(|r| r.get("Db")).expect("Db");
        let edit = insert_first_entry(json, Language::Json, db, "DeletionPolicy", "\"Retain\"")
            .expect("edit");
        assert!(apply(json, &edit).contains(r#"{"DeletionPolicy": "Retain", "Type""#));
    }
}
