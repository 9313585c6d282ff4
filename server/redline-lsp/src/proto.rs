//! Engine values → protocol values: diagnostics, code actions, hover text.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr as _;

use redline_diagnostics::{Applicability, Diagnostic, Impact, Impacted, Severity};
use redline_engine::{Resolved, Unknown};
use redline_rules::terraform::provenance::{code, quoted};
use redline_syntax::Language;
use redline_text::{TextRange, TextSize};
use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types as lsp;

use crate::convert::{self, PositionEncoding};
use crate::escape::visible;
use crate::session::Analysis;

/// The code action kind that applies every safe fix of a document.
pub const FIX_ALL_KIND: &str = "source.fixAll.redline";

/// What a published diagnostic carries in `data`, so that a code action request can find the
/// finding (and its fixes) it was computed from.
#[derive(Debug, Deserialize, Serialize)]
pub struct DiagnosticData {
    /// The rule id.
    pub rule: String,
    /// The id of the report the finding was published in (`report_id`). Any analysis whose
    /// report has this id has the finding at `index`, so a report that later versions of the
    /// document leave as it was still leads to its findings' fixes.
    pub report: String,
    /// The finding's index in that analysis.
    pub index: usize,
    /// The titles of its fixes, best first.
    pub fixes: Vec<String>,
}

/// The protocol form of every finding of an analysis, most severe first.
///
/// Editors cap the markers they draw per file (VS Code draws 500): ordering by severity keeps
/// the errors among those drawn in a file with many lesser findings. The order among findings of
/// one severity stays the engine's (by position).
pub fn diagnostics(analysis: &Analysis, encoding: PositionEncoding) -> Vec<lsp::Diagnostic> {
    report(analysis, encoding).items
}

/// The diagnostics of an analysis as one report, with its id.
pub struct Report {
    /// The report's id (`report_id`).
    pub id: String,
    /// The diagnostics, as `diagnostics` orders them.
    pub items: Vec<lsp::Diagnostic>,
}

/// The report of an analysis: its diagnostics, and an id that is the same for every analysis
/// that gives the same diagnostics. A client that pulls is told that a report is unchanged by
/// its id, and a keystroke leaves most findings of a long file where they were, line and
/// column.
pub fn report(analysis: &Analysis, encoding: PositionEncoding) -> Report {
    let id = report_id(analysis, encoding);
    let items = order(analysis)
        .map(|index| {
            let mut item = to_lsp_without_data(analysis, index, encoding);
            item.data = data(analysis, index, &id);
            item
        })
        .collect();
    Report { id, items }
}

/// The indices of an analysis's findings in the order of its report: most severe first, then
/// the engine's order.
fn order(analysis: &Analysis) -> impl Iterator<Item = usize> + '_ {
    let mut order: Vec<usize> = (0..analysis.diagnostics.len()).collect();
    order.sort_by_key(|&index| std::cmp::Reverse(analysis.diagnostics[index].severity));
    order.into_iter()
}

/// The id of the report of an analysis (see `report`): a hash of what a client is shown of
/// each finding, and of what its `data` leads to, its index in the analysis and its fixes'
/// titles. It is made from the findings themselves, without their protocol form, so that a
/// client holding the report learns that it is unchanged at the cost of a hash: a message is
/// hashed as the engine wrote it (its visible escape is a function of it), and so is whether
/// the finding is drawn as unnecessary.
pub fn report_id(analysis: &Analysis, encoding: PositionEncoding) -> String {
    use std::hash::{Hash as _, Hasher as _};
    analysis
        .report_id
        .get_or_init(|| {
            let mut hasher = std::hash::DefaultHasher::new();
            let range = |hasher: &mut std::hash::DefaultHasher, range: lsp::Range| {
                (range.start.line, range.start.character).hash(hasher);
                (range.end.line, range.end.character).hash(hasher);
            };
            (analysis.info_as_hint, analysis.diagnostics.len()).hash(&mut hasher);
            for index in order(analysis) {
                let diagnostic = &analysis.diagnostics[index];
                (index, diagnostic.rule.id, diagnostic.severity).hash(&mut hasher);
                range(&mut hasher, analysis.range(diagnostic.range, encoding));
                diagnostic.message.hash(&mut hasher);
                for (uri, place, related) in related_places(analysis, diagnostic) {
                    uri.as_str().hash(&mut hasher);
                    range(&mut hasher, place.range(related.range, encoding));
                    related.message.hash(&mut hasher);
                }
                for fix in &diagnostic.fixes {
                    fix.title.hash(&mut hasher);
                }
            }
            format!("{:016x}", hasher.finish())
        })
        .clone()
}

/// The related places of a finding that a client can be shown, each with the document it is
/// in: the analysed document, or one of the related files the analysis read. A place in a file
/// not among them is left out.
fn related_places<'a>(
    analysis: &'a Analysis,
    diagnostic: &'a Diagnostic,
) -> impl Iterator<Item = (&'a lsp::Uri, Place<'a>, &'a redline_diagnostics::Related)> + 'a {
    diagnostic
        .related
        .iter()
        .filter_map(|related| match &related.path {
            None => Some((&analysis.snapshot.uri, Place::Analysed(analysis), related)),
            Some(path) => analysis
                .related_files
                .iter()
                .find(|file| file.path == *path)
                .map(|file| (&file.uri, Place::Related(&file.rope), related)),
        })
}

/// The text a related place is in.
#[derive(Clone, Copy)]
enum Place<'a> {
    /// The analysed document.
    Analysed(&'a Analysis),
    /// Another file the analysis read.
    Related(&'a ropey::Rope),
}

impl Place<'_> {
    fn range(self, range: TextRange, encoding: PositionEncoding) -> lsp::Range {
        match self {
            Place::Analysed(analysis) => analysis.range(range, encoding),
            Place::Related(rope) => convert::range(rope, range, encoding),
        }
    }
}

/// The `data` of the finding at `index`, published in the report `report`.
fn data(analysis: &Analysis, index: usize, report: &str) -> Option<serde_json::Value> {
    let diagnostic = &analysis.diagnostics[index];
    serde_json::to_value(DiagnosticData {
        rule: diagnostic.rule.id.to_owned(),
        report: report.to_owned(),
        index,
        fixes: diagnostic
            .fixes
            .iter()
            .map(|fix| fix.title.clone())
            .collect(),
    })
    .ok()
}

/// The protocol form of the finding at `index` of an analysis. Its related places may point
/// into the analysis's related files, as the analysis read them; a place in a file not among
/// them is left out.
pub fn to_lsp(analysis: &Analysis, index: usize, encoding: PositionEncoding) -> lsp::Diagnostic {
    let mut res = to_lsp_without_data(analysis, index, encoding);
    res.data = data(analysis, index, &report_id(analysis, encoding));
    res
}

/// `to_lsp` without the `data` that names the report.
fn to_lsp_without_data(
    analysis: &Analysis,
    index: usize,
    encoding: PositionEncoding,
) -> lsp::Diagnostic {
    let diagnostic = &analysis.diagnostics[index];
    let id = diagnostic.rule.id;
    let related: Vec<_> = related_places(analysis, diagnostic)
        .map(|(uri, place, related)| lsp::DiagnosticRelatedInformation {
            location: lsp::Location {
                uri: uri.clone(),
                range: place.range(related.range, encoding),
            },
            message: visible(&related.message).into_owned(),
        })
        .collect();
    // An unused suppression is dead text: editors grey it out.
    let unnecessary = diagnostic.rule == redline_diagnostics::SUPPRESSION
        && diagnostic.message.contains("matches no finding");
    lsp::Diagnostic {
        range: analysis.range(diagnostic.range, encoding),
        severity: Some(severity(diagnostic.severity, analysis.info_as_hint)),
        code: Some(lsp::NumberOrString::String(id.to_owned())),
        code_description: code_description(id),
        source: Some("redline".to_owned()),
        // Messages quote names from the document: escaped for display, positions untouched.
        message: visible(&diagnostic.message).into_owned(),
        related_information: (!related.is_empty()).then_some(related),
        tags: unnecessary.then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

/// The link to a rule's documentation page, made once per rule and process.
fn code_description(id: &'static str) -> Option<lsp::CodeDescription> {
    static LINKS: std::sync::LazyLock<std::sync::Mutex<HashMap<&'static str, Option<lsp::Uri>>>> =
        std::sync::LazyLock::new(Default::default);
    let mut links = LINKS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    links
        .entry(id)
        .or_insert_with(|| lsp::Uri::from_str(&redline_rules::doc_url(id)).ok())
        .clone()
        .map(|href| lsp::CodeDescription { href })
}

/// The protocol severity of a finding; `info_as_hint` shows info findings as hints, which editors
/// draw faintly and leave out of their problem lists.
pub fn severity(severity: Severity, info_as_hint: bool) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info if info_as_hint => lsp::DiagnosticSeverity::HINT,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// How to build edits for the client.
#[derive(Clone, Copy, Debug)]
pub struct EditOptions {
    /// The negotiated encoding.
    pub encoding: PositionEncoding,
    /// Whether the client takes `documentChanges`, which pin the document version.
    pub document_changes: bool,
}

/// The code actions for `range` of an analysed document.
pub fn code_actions(
    analysis: &Analysis,
    range: TextRange,
    context: &lsp::CodeActionContext,
    options: EditOptions,
) -> Vec<lsp::CodeActionOrCommand> {
    let wants = |kind: &lsp::CodeActionKind| match &context.only {
        None => true,
        Some(only) => only.iter().any(|wanted| {
            let wanted = wanted.as_str();
            let kind = kind.as_str();
            kind == wanted || kind.starts_with(&format!("{wanted}."))
        }),
    };
    let mut res = Vec::new();
    let rope = &analysis.snapshot.rope;
    // Findings the client names in its context (by our `data`), plus those touching the range.
    let mut selected: Vec<usize> = context
        .diagnostics
        .iter()
        .filter_map(|diagnostic| diagnostic.data.clone())
        .filter_map(|data| serde_json::from_value::<DiagnosticData>(data).ok())
        .filter(|data| {
            data.report == report_id(analysis, options.encoding)
                && data.index < analysis.diagnostics.len()
        })
        .map(|data| data.index)
        .collect();
    for (index, diagnostic) in analysis.diagnostics.iter().enumerate() {
        if diagnostic.range.start() <= range.end() && range.start() <= diagnostic.range.end() {
            selected.push(index);
        }
    }
    selected.sort_unstable();
    selected.dedup();

    if wants(&lsp::CodeActionKind::QUICKFIX) {
        for &index in &selected {
            let diagnostic = &analysis.diagnostics[index];
            let lsp_diagnostic = to_lsp(analysis, index, options.encoding);
            for fix in &diagnostic.fixes {
                if fix.applicability == Applicability::DisplayOnly || fix.edits().is_empty() {
                    continue;
                }
                let fix_title = visible(&fix.title);
                let title = match fix.applicability {
                    Applicability::Safe => format!("{fix_title} ({})", diagnostic.rule.id),
                    _ => format!("{fix_title} ({}, unsafe: review it)", diagnostic.rule.id),
                };
                let edits = fix
                    .edits()
                    .iter()
                    .map(|edit| lsp::TextEdit {
                        range: convert::range(rope, edit.range, options.encoding),
                        new_text: edit.replacement.clone(),
                    })
                    .collect();
                res.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title,
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diagnostic.clone()]),
                    edit: Some(workspace_edit(analysis, edits, options)),
                    is_preferred: Some(fix.applicability == Applicability::Safe),
                    ..Default::default()
                }));
            }
            if let Some(edit) = suppression_edit(analysis, diagnostic, options.encoding) {
                res.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: format!("Suppress {} here (add reason)", diagnostic.rule.id),
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diagnostic]),
                    edit: Some(workspace_edit(analysis, vec![edit], options)),
                    is_preferred: Some(false),
                    ..Default::default()
                }));
            }
        }
    }

    let fix_all = lsp::CodeActionKind::from(FIX_ALL_KIND);
    if wants(&fix_all)
        && let Some(edit) = fix_all_edit(analysis, options.encoding)
    {
        res.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title: "redline: apply all safe fixes".to_owned(),
            kind: Some(fix_all),
            edit: Some(workspace_edit(analysis, vec![edit], options)),
            ..Default::default()
        }));
    }
    res
}

/// Markdown for the blast radius of a destroy or replace: the root, then each object it takes
/// with it under the object it depends on, as a nested list.
fn impact_tree(impact: &Impact) -> String {
    let mut res = format!("What goes with `{}`:\n\n", visible(&impact.root));
    let mut children: BTreeMap<&str, Vec<(&Impacted, bool)>> = BTreeMap::new();
    for entry in &impact.replaced {
        children
            .entry(&entry.parent)
            .or_default()
            .push((entry, true));
    }
    for entry in &impact.destroyed {
        children
            .entry(&entry.parent)
            .or_default()
            .push((entry, false));
    }
    write_branch(&mut res, &children, &impact.root, 0);
    res
}

/// How deep the hover's tree goes; deeper objects are left out.
const MAX_TREE_DEPTH: usize = 16;

fn write_branch(
    res: &mut String,
    children: &BTreeMap<&str, Vec<(&Impacted, bool)>>,
    parent: &str,
    depth: usize,
) {
    let Some(list) = children.get(parent) else {
        return;
    };
    if depth >= MAX_TREE_DEPTH {
        return;
    }
    let indent = "  ".repeat(depth);
    for &(entry, replaced) in list {
        let what = if replaced {
            "replaced"
        } else {
            "loses its input"
        };
        let data = if entry.holds_data {
            ", **holds data**"
        } else {
            ""
        };
        res.push_str(&format!(
            "{indent}- `{}` {what}{data}: `{}` reads `{}`\n",
            visible(&entry.object),
            visible(&entry.attribute),
            visible(&entry.via)
        ));
        // Each object appears once in an impact and only replaced ones have children, so
        // the walk ends; the depth bound guards against an impact built otherwise.
        if replaced && entry.object != parent {
            write_branch(res, children, &entry.object, depth + 1);
        }
    }
}

/// Markdown for the hover at `offset`: the value of the Terraform attribute there (`resolved`),
/// when it is flagged or worth showing unasked, then each rule's documentation and its fixes.
pub fn hover(
    analysis: &Analysis,
    offset: TextSize,
    resolved: Option<&Resolved>,
    encoding: PositionEncoding,
) -> Option<lsp::Hover> {
    let mut value = String::new();
    let mut covered: Option<TextRange> = None;
    let mut seen = Vec::new();
    for diagnostic in &analysis.diagnostics {
        if !(diagnostic.range.start() <= offset && offset <= diagnostic.range.end()) {
            continue;
        }
        covered = Some(match covered {
            Some(range) => TextRange::new(
                range.start().min(diagnostic.range.start()),
                range.end().max(diagnostic.range.end()),
            ),
            None => diagnostic.range,
        });
        if seen.contains(&diagnostic.rule.id) {
            continue;
        }
        seen.push(diagnostic.rule.id);
        if !value.is_empty() {
            value.push_str("\n---\n\n");
        }
        value.push_str(&format!(
            "**{}** `{}`: {}\n\n",
            diagnostic.rule.id,
            diagnostic.rule.name,
            visible(&diagnostic.message)
        ));
        for fix in &diagnostic.fixes {
            value.push_str(&format!(
                "- Fix ({}): {}\n",
                fix.applicability.as_str(),
                visible(&fix.title)
            ));
        }
        if let Some(impact) = &diagnostic.impact {
            value.push('\n');
            value.push_str(&impact_tree(impact));
        }
        if let Some(meta) = redline_rules::find_any_rule(diagnostic.rule.id) {
            value.push('\n');
            value.push_str(&meta.doc_markdown());
        }
    }
    // A finding on the attribute itself, not one on the whole block around it.
    let flagged = |range: TextRange| {
        analysis.diagnostics.iter().any(|diagnostic| {
            range.start() <= diagnostic.range.start() && diagnostic.range.end() <= range.end()
        })
    };
    if let Some(resolved) =
        resolved.filter(|resolved| resolved.worth_showing() || flagged(resolved.range))
    {
        let section = value_section(resolved);
        value = if value.is_empty() {
            section
        } else {
            format!("{section}\n\n---\n\n{value}")
        };
        covered = Some(match covered {
            Some(range) => TextRange::new(
                range.start().min(resolved.range.start()),
                range.end().max(resolved.range.end()),
            ),
            None => resolved.range,
        });
    }
    let range = covered?;
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value,
        }),
        range: Some(convert::range(&analysis.snapshot.rope, range, encoding)),
    })
}

/// One line on a Terraform attribute's value: `` `force_destroy` = `true` — through
/// `var.force_destroy` (set in terraform.tfvars:3; default `false` in variables.tf:12) ``.
fn value_section(resolved: &Resolved) -> String {
    let name = code(&resolved.name);
    let shown = || {
        if resolved.sensitive {
            "(sensitive value)".to_owned()
        } else {
            code(&quoted(&resolved.value))
        }
    };
    let mut res = match &resolved.unknown {
        None => format!("{name} = {}", shown()),
        Some(Unknown::AfterApply) => format!("{name} = {} (known after apply)", shown()),
        Some(reason) => format!("{name} is unknown: {reason}"),
    };
    if !resolved.through.is_empty() {
        res.push_str(" — through ");
        res.push_str(&resolved.through.join(", "));
    }
    // Names and values come from the document: escaped for display.
    visible(&res).into_owned()
}

fn workspace_edit(
    analysis: &Analysis,
    edits: Vec<lsp::TextEdit>,
    options: EditOptions,
) -> lsp::WorkspaceEdit {
    let uri = analysis.snapshot.uri.clone();
    if options.document_changes {
        let edit = lsp::TextDocumentEdit {
            text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                uri,
                version: analysis.snapshot.version,
            },
            edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
        };
        lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Edits(vec![edit])),
            ..Default::default()
        }
    } else {
        lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri, edits)])),
            ..Default::default()
        }
    }
}

/// Inserts `# redline:ignore <id> -- <reason>` on a new line above the finding, indented like
/// the finding's line. JSON has no comments, and the engine's own findings cannot be silenced
/// this way, so those get no action.
fn suppression_edit(
    analysis: &Analysis,
    diagnostic: &Diagnostic,
    encoding: PositionEncoding,
) -> Option<lsp::TextEdit> {
    diagnostic.rule.category?;
    let marker = match analysis.language? {
        Language::Json => return None,
        Language::Hcl
        | Language::Yaml
        | Language::Bash
        | Language::Toml
        | Language::Make
        | Language::Dockerfile => "#",
    };
    let rope = &analysis.snapshot.rope;
    let line = rope.byte_to_line(diagnostic.range.start().to_usize().min(rope.len_bytes()));
    let line_start = rope.line_to_byte(line);
    let indent: String = rope
        .line(line)
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let line_break = if rope.line(line).chars().any(|c| c == '\r') {
        "\r\n"
    } else {
        "\n"
    };
    let at = convert::position(rope, TextSize::from_usize(line_start), encoding);
    Some(lsp::TextEdit {
        range: lsp::Range { start: at, end: at },
        new_text: format!(
            "{indent}{marker} redline:ignore {} -- <reason>{line_break}",
            diagnostic.rule.id
        ),
    })
}

/// Replaces the document with the result of applying every safe fix, when there is one.
fn fix_all_edit(analysis: &Analysis, encoding: PositionEncoding) -> Option<lsp::TextEdit> {
    let (fixed, _) = redline_engine::apply_fixes(
        &analysis.text,
        &analysis.diagnostics,
        redline_engine::FixMode::Safe,
    )?;
    Some(lsp::TextEdit {
        range: convert::whole_document(&analysis.snapshot.rope, encoding),
        new_text: fixed,
    })
}

#[cfg(test)]
mod tests {
    use redline_syntax::terraform_eval::{Reference, Step, Value};

    use super::*;

    fn resolved(value: Value, unknown: Option<Unknown>) -> Resolved {
        Resolved {
            name: "bucket".to_owned(),
            range: TextRange::default(),
            value,
            through: vec!["`var.name` (default in variables.tf:2)".to_owned()],
            unknown,
            sensitive: false,
        }
    }

    #[test]
    fn the_value_section_names_the_value_or_why_it_is_unknown() {
        let reference = Value::Reference(Box::new(Reference {
            object: "aws_s3_bucket.logs".to_owned(),
            instance: None,
            path: vec![Step::Attribute("id".to_owned())],
        }));
        assert_eq!(
            value_section(&resolved(reference, Some(Unknown::AfterApply))),
            "`bucket` = `aws_s3_bucket.logs.id` (known after apply) — through `var.name` \
             (default in variables.tf:2)"
        );
        let unset = Unknown::SetOutside {
            variable: "name".to_owned(),
        };
        assert_eq!(
            value_section(&resolved(Value::Unknown, Some(unset))),
            "`bucket` is unknown: `var.name` is set outside the files — through `var.name` \
             (default in variables.tf:2)"
        );
        let mut secret = resolved(Value::String("hunter2".to_owned()), None);
        secret.sensitive = true;
        assert!(!value_section(&secret).contains("hunter2"));
    }

    /// Values come from the document: control characters are escaped, and backticks cannot
    /// close the code span early.
    #[test]
    fn values_from_the_document_are_escaped() {
        let hostile = Value::String("a`b\u{1b}[2J\u{202e}".to_owned());
        assert_eq!(
            value_section(&resolved(hostile, None)),
            "`bucket` = `` \"a`b\\u{1b}[2J\\u{202e}\" `` — through `var.name` (default in \
             variables.tf:2)"
        );
    }

    #[test]
    fn impact_is_a_tree_under_the_root() {
        let entry = |object: &str, parent: &str, via: &str, attribute: &str, data: bool| Impacted {
            object: object.to_owned(),
            parent: parent.to_owned(),
            via: via.to_owned(),
            attribute: attribute.to_owned(),
            holds_data: data,
        };
        let impact = Impact {
            root: "aws_vpc.main".to_owned(),
            replaced: vec![
                entry(
                    "aws_subnet.a",
                    "aws_vpc.main",
                    "aws_vpc.main.id",
                    "vpc_id",
                    false,
                ),
                entry(
                    "aws_subnet.b",
                    "aws_vpc.main",
                    "aws_vpc.main.id",
                    "vpc_id",
                    false,
                ),
                entry(
                    "aws_nat_gateway.a",
                    "aws_subnet.a",
                    "aws_subnet.a.id",
                    "subnet_id",
                    false,
                ),
            ],
            destroyed: vec![entry(
                "aws_instance.x",
                "aws_vpc.main",
                "aws_vpc.main",
                "count",
                false,
            )],
        };
        assert_eq!(
            impact_tree(&impact),
            "What goes with `aws_vpc.main`:\n\n\
             - `aws_subnet.a` replaced: `vpc_id` reads `aws_vpc.main.id`\n\
             \x20 - `aws_nat_gateway.a` replaced: `subnet_id` reads `aws_subnet.a.id`\n\
             - `aws_subnet.b` replaced: `vpc_id` reads `aws_vpc.main.id`\n\
             - `aws_instance.x` loses its input: `count` reads `aws_vpc.main`\n"
        );
    }
}
