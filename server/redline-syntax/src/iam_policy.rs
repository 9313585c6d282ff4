//! One typed model of AWS IAM policies, whatever file they are written in.
//!
//! Policies come from standalone JSON policy files, from Terraform (`jsonencode({…})`, heredoc
//! JSON, `data "aws_iam_policy_document"` blocks, `aws_lambda_permission`) and from
//! CloudFormation templates (`PolicyDocument`, `AssumeRolePolicyDocument`, `KeyPolicy`).
//! Every element keeps the exact source range of each value, so findings point at the
//! offending `"*"` or action. A value redline cannot know (a variable, `!Ref`, an
//! interpolation) is an `Item` without a value: rules neither treat it as `*` nor as safe.

use redline_text::{TextRange, TextSize};
use tree_sitter::Node as TsNode;

use crate::cloudformation;
use crate::hcl::{self, Literal};
use crate::terraform::{self, Expr, Value};
use crate::tree::{node_text, range};
use crate::value::{Entry, Node, NodeKind, Scalar, ScalarKind};
use crate::{Format, Language, SourceFile};

/// How deep HCL object and tuple expressions are read before they count as unknown.
const MAX_EXPR_DEPTH: usize = 32;

/// One policy document.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Identity, resource or trust policy.
    pub kind: PolicyKind,
    /// Where the policy is written, for messages: `aws_iam_role.deploy`, `DeployRole`; empty
    /// for a standalone policy file.
    pub owner: String,
    /// The whole document (or block).
    pub range: TextRange,
    /// The statements, in source order.
    pub statements: Vec<Statement>,
    /// Whether some statements could not be read (a `dynamic` block, an unknown list).
    pub incomplete: bool,
}

/// What a policy is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// Attached to a user, group or role: says what the holder may do.
    Identity,
    /// Attached to a resource (bucket, key, queue, topic, function): says who may use it.
    Resource,
    /// A role's trust policy: says who may assume the role.
    Trust,
}

/// How the statement is written, which decides what text a fix may insert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// A JSON object (a policy file, heredoc JSON, CloudFormation JSON).
    Json,
    /// An HCL object inside `jsonencode(…)`.
    HclObject,
    /// A `statement { … }` block of `aws_iam_policy_document`.
    HclBlock,
    /// YAML (CloudFormation), or a statement redline builds itself.
    Other,
}

/// `Allow`, `Deny`, or something redline cannot read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// `"Effect": "Allow"` (also the default of `aws_iam_policy_document`).
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
    /// Missing or not a literal.
    Unknown,
}

/// One statement.
#[derive(Clone, Debug)]
pub struct Statement {
    /// The `Sid`, if written literally.
    pub sid: Option<String>,
    /// The effect.
    pub effect: Effect,
    /// The whole statement.
    pub range: TextRange,
    /// How it is written.
    pub syntax: Syntax,
    /// Where text can be inserted at the start of the statement (just after `{`), if known.
    pub insert_at: Option<TextSize>,
    /// `Action`.
    pub action: Option<Values>,
    /// `NotAction`.
    pub not_action: Option<Values>,
    /// `Resource`.
    pub resource: Option<Values>,
    /// `NotResource`.
    pub not_resource: Option<Values>,
    /// `Principal`.
    pub principal: Option<Principals>,
    /// `NotPrincipal`.
    pub not_principal: Option<Principals>,
    /// `Condition`.
    pub condition: Option<Conditions>,
}

/// A string-or-list element such as `Action` or `Resource`.
#[derive(Clone, Debug)]
pub struct Values {
    /// The items that are written out; an unknown item has no value.
    pub items: Vec<Item>,
    /// The element's value as written.
    pub range: TextRange,
    /// Whether the list itself is unknown (a variable, `!Ref`), so more items may exist.
    pub unknown: bool,
}

/// One string of an element.
#[derive(Clone, Debug)]
pub struct Item {
    /// The string, or `None` when it cannot be known.
    pub value: Option<String>,
    /// The item as written (quotes included).
    pub range: TextRange,
}

/// `Principal` or `NotPrincipal`.
#[derive(Clone, Debug)]
pub struct Principals {
    /// Each principal with its type; `"Principal": "*"` gives one entry of type `*`.
    pub entries: Vec<PrincipalEntry>,
    /// The element's value as written.
    pub range: TextRange,
    /// Whether some of it cannot be known.
    pub unknown: bool,
}

/// One principal.
#[derive(Clone, Debug)]
pub struct PrincipalEntry {
    /// `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*`.
    pub kind: String,
    /// The identifier.
    pub value: Item,
}

/// The `Condition` element.
#[derive(Clone, Debug)]
pub struct Conditions {
    /// Each operator/key pair.
    pub entries: Vec<Condition>,
    /// The element as written.
    pub range: TextRange,
    /// Whether some of it cannot be known; such a condition may restrict anything.
    pub unknown: bool,
}

/// One `Operator: {Key: values}` test.
#[derive(Clone, Debug)]
pub struct Condition {
    /// `StringEquals`, `StringLike`, `ForAnyValue:StringLike`, …
    pub operator: String,
    /// The condition key, e.g. `aws:PrincipalOrgID`.
    pub key: String,
    /// The values.
    pub values: Values,
}

/// Every policy of a file, in source order.
pub fn policies(file: &SourceFile<'_>) -> Vec<Policy> {
    let mut res = Vec::new();
    match file.format {
        Format::IamPolicy => {
            for document in &file.documents {
                res.extend(
                    from_node(document, None, "", false)
                        .map(|policy| with_syntax(policy, Syntax::Json)),
                );
            }
        }
        Format::CloudFormation => {
            for document in &file.documents {
                cloudformation_policies(document, file.language == Language::Json, &mut res);
            }
        }
        Format::Terraform => terraform_policies(file, &mut res),
        _ => {}
    }
    res
}

impl Policy {
    /// The statements that allow something.
    pub fn allows(&self) -> impl Iterator<Item = &Statement> {
        self.statements
            .iter()
            .filter(|statement| statement.effect == Effect::Allow)
    }
}

impl Statement {
    /// `statement `Sid` of aws_iam_role.x`, `a statement of …`, or `this statement` in a
    /// policy file, for messages.
    pub fn describe(&self, policy: &Policy) -> String {
        match (&self.sid, policy.owner.is_empty()) {
            (Some(sid), true) => format!("statement `{sid}`"),
            (Some(sid), false) => format!("statement `{sid}` of `{}`", policy.owner),
            (None, true) => "this statement".to_owned(),
            (None, false) => format!("a statement of `{}`", policy.owner),
        }
    }

    /// Whether the statement applies to every resource: `Resource` holds `*`, or it uses
    /// `NotResource`.
    pub fn all_resources(&self) -> Option<TextRange> {
        if let Some(resource) = &self.resource {
            return resource.star().map(|item| item.range);
        }
        self.not_resource.as_ref().map(|not| not.range)
    }

    /// Whether any condition is written (or cannot be read).
    pub fn has_condition(&self) -> bool {
        self.condition
            .as_ref()
            .is_some_and(|condition| condition.unknown || !condition.entries.is_empty())
    }

    /// Whether a condition tests one of `keys` (case-insensitively), or the condition
    /// cannot be read.
    pub fn has_condition_key(&self, keys: &[&str]) -> bool {
        self.condition.as_ref().is_some_and(|condition| {
            condition.unknown
                || condition
                    .entries
                    .iter()
                    .any(|entry| keys.iter().any(|key| entry.key.eq_ignore_ascii_case(key)))
        })
    }

    /// Whether the principal is everyone: `"*"` or `{"AWS": "*"}`.
    pub fn public_principal(&self) -> Option<&Item> {
        self.principal.as_ref()?.entries.iter().find_map(|entry| {
            (matches!(entry.kind.as_str(), "*" | "AWS")
                && entry.value.value.as_deref() == Some("*"))
            .then_some(&entry.value)
        })
    }
}

impl Values {
    /// The literal `"*"` item, if any.
    pub fn star(&self) -> Option<&Item> {
        self.items
            .iter()
            .find(|item| item.value.as_deref() == Some("*"))
    }

    /// The items whose value is known.
    pub fn known(&self) -> impl Iterator<Item = (&str, &Item)> {
        self.items
            .iter()
            .filter_map(|item| item.value.as_deref().map(|value| (value, item)))
    }
}

/// Reads one policy document from the value model. `unknown_interpolation` marks strings
/// holding `${…}` as unknown (Terraform heredocs, where it is an interpolation rather than an
/// IAM policy variable).
fn from_node(
    document: &Node,
    kind: Option<PolicyKind>,
    owner: &str,
    unknown_interpolation: bool,
) -> Option<Policy> {
    let reader = NodeReader {
        unknown_interpolation,
    };
    let statement_node = document.get("Statement")?;
    let mut statements = Vec::new();
    let mut incomplete = reader.is_unknown(statement_node);
    for node in statement_node.one_or_many() {
        if !node.is_mapping() {
            incomplete = true;
            continue;
        }
        statements.push(reader.statement(node));
    }
    Some(Policy {
        kind: kind.unwrap_or_else(|| infer_kind(&statements)),
        owner: owner.to_owned(),
        range: document.range,
        statements,
        incomplete,
    })
}

/// A trust policy allows `sts:AssumeRole*`; a resource policy names principals; anything
/// else is an identity policy.
fn infer_kind(statements: &[Statement]) -> PolicyKind {
    let has_principal = statements
        .iter()
        .any(|statement| statement.principal.is_some() || statement.not_principal.is_some());
    if !has_principal {
        return PolicyKind::Identity;
    }
    let assumes = statements.iter().any(|statement| {
        statement.action.as_ref().is_some_and(|action| {
            action
                .known()
                .any(|(value, _)| value.to_ascii_lowercase().starts_with("sts:assumerole"))
        })
    });
    if assumes {
        PolicyKind::Trust
    } else {
        PolicyKind::Resource
    }
}

struct NodeReader {
    unknown_interpolation: bool,
}

impl NodeReader {
    fn is_unknown(&self, node: &Node) -> bool {
        cloudformation::is_intrinsic(node)
            || (self.unknown_interpolation
                && node
                    .as_str()
                    .is_some_and(|value| value.contains("${") || value.contains("%{")))
    }

    fn statement(&self, node: &Node) -> Statement {
        let text = |key: &str| {
            node.get(key)
                .filter(|value| !self.is_unknown(value))
                .and_then(Node::as_str)
                .map(str::to_owned)
        };
        let effect = match text("Effect").as_deref() {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            _ => Effect::Unknown,
        };
        Statement {
            sid: text("Sid"),
            effect,
            range: node.range,
            syntax: Syntax::Other,
            insert_at: None,
            action: node.get("Action").map(|value| self.values(value)),
            not_action: node.get("NotAction").map(|value| self.values(value)),
            resource: node.get("Resource").map(|value| self.values(value)),
            not_resource: node.get("NotResource").map(|value| self.values(value)),
            principal: node.get("Principal").map(|value| self.principals(value)),
            not_principal: node.get("NotPrincipal").map(|value| self.principals(value)),
            condition: node.get("Condition").map(|value| self.conditions(value)),
        }
    }

    fn item(&self, node: &Node) -> Item {
        let value = if self.is_unknown(node) {
            None
        } else {
            node.as_str().map(str::to_owned)
        };
        Item {
            value,
            range: node.range,
        }
    }

    fn values(&self, node: &Node) -> Values {
        // A tagged or interpolated scalar is one unknown item; a computed list may hold
        // anything.
        let unknown = match &node.kind {
            NodeKind::Scalar(_) => false,
            NodeKind::Sequence(_) => node.is_opaque(),
            NodeKind::Mapping(_) | NodeKind::Unknown => true,
        };
        let items = if unknown {
            Vec::new()
        } else {
            node.one_or_many()
                .into_iter()
                .map(|item| self.item(item))
                .collect()
        };
        Values {
            items,
            range: node.range,
            unknown,
        }
    }

    fn principals(&self, node: &Node) -> Principals {
        let mut res = Principals {
            entries: Vec::new(),
            range: node.range,
            unknown: self.is_unknown(node),
        };
        if res.unknown {
            return res;
        }
        if node.as_str().is_some() {
            res.entries.push(PrincipalEntry {
                kind: "*".to_owned(),
                value: self.item(node),
            });
            return res;
        }
        if !node.is_mapping() {
            res.unknown = true;
            return res;
        }
        for entry in node.entries() {
            let Some(kind) = entry.key.as_str() else {
                res.unknown = true;
                continue;
            };
            let values = self.values(&entry.value);
            res.unknown |= values.unknown;
            for item in values.items {
                res.unknown |= item.value.is_none();
                res.entries.push(PrincipalEntry {
                    kind: kind.to_owned(),
                    value: item,
                });
            }
        }
        res
    }

    fn conditions(&self, node: &Node) -> Conditions {
        let mut res = Conditions {
            entries: Vec::new(),
            range: node.range,
            unknown: self.is_unknown(node) || !node.is_mapping(),
        };
        for operator in node.entries() {
            let Some(operator_name) = operator.key.as_str() else {
                res.unknown = true;
                continue;
            };
            if self.is_unknown(&operator.value) || !operator.value.is_mapping() {
                res.unknown = true;
                continue;
            }
            for test in operator.value.entries() {
                let Some(key) = test.key.as_str() else {
                    res.unknown = true;
                    continue;
                };
                res.entries.push(Condition {
                    operator: operator_name.to_owned(),
                    key: key.to_owned(),
                    values: self.values(&test.value),
                });
            }
        }
        res
    }
}

/// Marks statements read from JSON or an HCL object with where a fix may insert text.
fn with_syntax(mut policy: Policy, syntax: Syntax) -> Policy {
    for statement in &mut policy.statements {
        statement.syntax = syntax;
        if syntax != Syntax::Other {
            statement.insert_at = Some(statement.range.start() + TextSize::from(1));
        }
    }
    policy
}

// ---------------------------------------------------------------------------------------
// CloudFormation

fn cloudformation_policies(template: &Node, json: bool, res: &mut Vec<Policy>) {
    for resource in cloudformation::resources(template) {
        let owner = resource.logical_id().to_owned();
        let mut push = |document: Option<&Node>, kind: PolicyKind| {
            let Some(document) = document else {
                return;
            };
            if let Some(policy) = from_node(document, Some(kind), &owner, false) {
                res.push(if json {
                    with_syntax(policy, Syntax::Json)
                } else {
                    policy
                });
            }
        };
        match resource.resource_type() {
            Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") => {
                push(resource.property("PolicyDocument"), PolicyKind::Identity);
            }
            Some("AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group") => {
                push(
                    resource.property("AssumeRolePolicyDocument"),
                    PolicyKind::Trust,
                );
                for inline in resource
                    .property("Policies")
                    .map(Node::items)
                    .unwrap_or_default()
                {
                    push(inline.get("PolicyDocument"), PolicyKind::Identity);
                }
            }
            Some(
                "AWS::S3::BucketPolicy"
                | "AWS::SQS::QueuePolicy"
                | "AWS::SNS::TopicPolicy"
                | "AWS::S3::AccessPointPolicy",
            ) => push(resource.property("PolicyDocument"), PolicyKind::Resource),
            Some("AWS::KMS::Key") => push(resource.property("KeyPolicy"), PolicyKind::Resource),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------
// Terraform

/// Resource attributes that hold a policy document, and the kind of policy.
fn policy_attribute(resource_type: &str) -> &'static [(&'static str, PolicyKind)] {
    match resource_type {
        "aws_iam_policy"
        | "aws_iam_role_policy"
        | "aws_iam_user_policy"
        | "aws_iam_group_policy" => &[("policy", PolicyKind::Identity)],
        "aws_iam_role" => &[("assume_role_policy", PolicyKind::Trust)],
        "aws_s3_bucket_policy"
        | "aws_kms_key"
        | "aws_sqs_queue_policy"
        | "aws_sns_topic_policy"
        | "aws_sqs_queue"
        | "aws_sns_topic"
        | "aws_ecr_repository_policy"
        | "aws_secretsmanager_secret_policy" => &[("policy", PolicyKind::Resource)],
        _ => &[],
    }
}

fn terraform_policies(file: &SourceFile<'_>, res: &mut Vec<Policy>) {
    let model = file.terraform();
    // Data sources are analysed where they are written; resources that reference them
    // (`data.aws_iam_policy_document.x.json`) see an unknown value and are skipped.
    for block in model.blocks_of("data") {
        if block.label(0) == Some("aws_iam_policy_document") {
            let owner = format!(
                "data.aws_iam_policy_document.{}",
                block.label(1).unwrap_or("")
            );
            res.push(policy_document(block, owner));
        }
    }
    // Where the resources that may hold a policy start: only their syntax is read again.
    let mut candidates = std::collections::HashSet::new();
    for resource in model.resources() {
        if resource.resource_type == "aws_lambda_permission" {
            res.extend(lambda_permission(&resource));
        }
        if resource.resource_type == "aws_iam_role"
            || !policy_attribute(resource.resource_type).is_empty()
        {
            candidates.insert(resource.block.range.start());
        }
    }
    if file.language != Language::Hcl || candidates.is_empty() {
        return;
    }
    let Some(root) = hcl::root_body(&file.tree) else {
        return;
    };
    // Without syntax errors, a top-level block's tree is a function of its text (see
    // `terraform::kept_block`), and so are its policies, up to where the block starts.
    let keep = file.for_edits && !file.tree.root_node().has_error();
    for block in root.blocks() {
        if !candidates.contains(&block.range().start()) {
            continue;
        }
        if keep {
            res.extend(kept_resource_policies(block, &file.text));
        } else {
            res.extend(resource_policies(block, &file.text));
        }
    }
}

/// The most text of top-level blocks whose policies are kept, and the longest block
/// kept.
const KEPT_POLICIES_TEXT: usize = 1 << 20;
const KEPT_POLICIES_LONGEST: usize = 256 << 10;

/// The policies of top-level resource blocks of files parsed for edits, by the block's
/// text, with offsets from the block's start.
static KEPT_POLICIES: crate::text_memo::SharedMemo<Vec<Policy>> =
    crate::text_memo::SharedMemo::new(KEPT_POLICIES_TEXT, KEPT_POLICIES_LONGEST);

/// `resource_policies`, taken from `KEPT_POLICIES` when a block of the same text was read
/// before, each moved to where the block starts now.
fn kept_resource_policies(block: hcl::Block<'_>, text: &str) -> Vec<Policy> {
    crate::text_memo::kept_at(
        &KEPT_POLICIES,
        &text[block.range().to_std()],
        block.range().start(),
        || resource_policies(block, text),
        |policies, from, to| {
            for policy in policies {
                move_policy(policy, &|offset| offset + to - from);
            }
        },
    )
}

/// The policies a top-level `resource` block writes in its policy attributes, and in an
/// `aws_iam_role`'s inline policies.
fn resource_policies(block: hcl::Block<'_>, text: &str) -> Vec<Policy> {
    let mut res = Vec::new();
    if block.kind(text) != "resource" {
        return res;
    }
    let labels = block.labels(text);
    let [resource_type, name, ..] = labels.as_slice() else {
        return res;
    };
    let Some(body) = block.body() else {
        return res;
    };
    let address = format!("{}.{}", resource_type.value, name.value);
    for (attribute, kind) in policy_attribute(&resource_type.value) {
        if let Some(attribute) = body.attribute(attribute, text) {
            res.extend(hcl_policy(attribute, *kind, &address, text));
        }
    }
    if resource_type.value == "aws_iam_role" {
        for inline in body.blocks() {
            if inline.kind(text) != "inline_policy" {
                continue;
            }
            if let Some(attribute) = inline
                .body()
                .and_then(|inner| inner.attribute("policy", text))
            {
                res.extend(hcl_policy(attribute, PolicyKind::Identity, &address, text));
            }
        }
    }
    res
}

/// Moves every offset of a policy with `by`.
fn move_policy(policy: &mut Policy, by: &impl Fn(TextSize) -> TextSize) {
    let range = |range: &mut TextRange| *range = TextRange::new(by(range.start()), by(range.end()));
    let values = |values: &mut Values| {
        range(&mut values.range);
        for item in &mut values.items {
            range(&mut item.range);
        }
    };
    let principals = |principals: &mut Principals| {
        range(&mut principals.range);
        for entry in &mut principals.entries {
            range(&mut entry.value.range);
        }
    };
    range(&mut policy.range);
    for statement in &mut policy.statements {
        range(&mut statement.range);
        if let Some(at) = &mut statement.insert_at {
            *at = by(*at);
        }
        for list in [
            &mut statement.action,
            &mut statement.not_action,
            &mut statement.resource,
            &mut statement.not_resource,
        ]
        .into_iter()
        .flatten()
        {
            values(list);
        }
        for list in [&mut statement.principal, &mut statement.not_principal]
            .into_iter()
            .flatten()
        {
            principals(list);
        }
        if let Some(condition) = &mut statement.condition {
            range(&mut condition.range);
            for entry in &mut condition.entries {
                values(&mut entry.values);
            }
        }
    }
}

/// A policy written as `jsonencode({…})` or as heredoc JSON.
fn hcl_policy(
    attribute: hcl::Attribute<'_>,
    kind: PolicyKind,
    owner: &str,
    text: &str,
) -> Option<Policy> {
    let expression = attribute.expression()?;
    let node = unwrap_expression(expression);
    match node.kind() {
        "function_call" => {
            let name = node.named_child(0).map(|child| node_text(child, text))?;
            if name != "jsonencode" {
                return None;
            }
            let arguments = first_named(node, "function_arguments")?;
            let argument = first_named(arguments, "expression")?;
            let document = hcl_value(argument, text, 0);
            from_node(&document, Some(kind), owner, false)
                .map(|policy| with_syntax(policy, Syntax::HclObject))
        }
        "template_expr" => {
            let heredoc = first_named(node, "heredoc_template")?;
            let document = heredoc_json(heredoc, text)?;
            from_node(&document, Some(kind), owner, true)
                .map(|policy| with_syntax(policy, Syntax::Json))
        }
        _ => None,
    }
}

fn unwrap_expression(mut node: TsNode<'_>) -> TsNode<'_> {
    while node.kind() == "expression" && node.named_child_count() == 1 {
        match node.named_child(0) {
            Some(child) => node = child,
            None => break,
        }
    }
    node
}

fn first_named<'t>(node: TsNode<'t>, kind: &str) -> Option<TsNode<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .find(|child| child.kind() == kind)
}

/// The JSON document of a heredoc, with ranges in the host file. `<<-` only strips
/// indentation, which JSON ignores, so the body is parsed as written.
fn heredoc_json(heredoc: TsNode<'_>, text: &str) -> Option<Node> {
    let whole = range(heredoc);
    let start_marker = first_named(heredoc, "heredoc_start")?;
    let body_start = text[range(start_marker).end().to_usize()..whole.end().to_usize()]
        .find('\n')
        .map(|newline| range(start_marker).end().to_usize() + newline + 1)?;
    let mut cursor = heredoc.walk();
    let end_marker = heredoc
        .named_children(&mut cursor)
        .filter(|child| child.kind() == "heredoc_identifier")
        .last()?;
    let body_end = range(end_marker).start().to_usize();
    let body = text.get(body_start..body_end)?;
    if !body.trim_start().starts_with('{') {
        return None;
    }
    let tree = crate::tree::parse(Language::Json, body)?;
    let mut document = crate::json::documents(&tree, body).into_iter().next()?;
    shift(
        &mut document,
        TextSize::from(u32::try_from(body_start).ok()?),
    );
    Some(document)
}

fn shift(node: &mut Node, offset: TextSize) {
    node.range = TextRange::new(node.range.start() + offset, node.range.end() + offset);
    match &mut node.kind {
        NodeKind::Mapping(entries) => {
            for entry in entries {
                shift(&mut entry.key, offset);
                shift(&mut entry.value, offset);
            }
        }
        NodeKind::Sequence(items) => {
            for item in items {
                shift(item, offset);
            }
        }
        NodeKind::Scalar(_) | NodeKind::Unknown => {}
    }
}

/// An HCL expression as a value: objects, tuples and literal strings are read, anything
/// computed is unknown.
fn hcl_value(expression: TsNode<'_>, text: &str, depth: usize) -> Node {
    let node = unwrap_expression(expression);
    let node_range = range(node);
    if depth > MAX_EXPR_DEPTH {
        return Node::unknown(node_range);
    }
    match node.kind() {
        "literal_value" => {
            let kind = match hcl::literal(expression, text) {
                Literal::String(value) => ScalarKind::String { quoted: true }.with(value),
                Literal::Bool(value) => ScalarKind::Bool(value).with(value.to_string()),
                Literal::Number(value) => ScalarKind::Number.with(value),
                Literal::Null => ScalarKind::Null.with(String::new()),
                Literal::Unknown => NodeKind::Unknown,
            };
            Node::new(node_range, kind)
        }
        "collection_value" => {
            let Some(inner) = node.named_child(0) else {
                return Node::unknown(node_range);
            };
            let mut cursor = inner.walk();
            match inner.kind() {
                "tuple" => Node::new(
                    node_range,
                    NodeKind::Sequence(
                        inner
                            .named_children(&mut cursor)
                            .filter(|child| child.kind() == "expression")
                            .map(|child| hcl_value(child, text, depth + 1))
                            .collect(),
                    ),
                ),
                "object" => {
                    let mut entries = Vec::new();
                    for element in inner.named_children(&mut cursor) {
                        if element.kind() != "object_elem" {
                            continue;
                        }
                        let (Some(key), Some(value)) = (
                            element.child_by_field_name("key"),
                            element.child_by_field_name("val"),
                        ) else {
                            continue;
                        };
                        entries.push(Entry {
                            key: hcl_key(key, text),
                            value: hcl_value(value, text, depth + 1),
                        });
                    }
                    Node::new(node_range, NodeKind::Mapping(entries))
                }
                _ => Node::unknown(node_range),
            }
        }
        _ => Node::unknown(node_range),
    }
}

/// An object key: a bare identifier (`Effect = …`) or a string (`"aws:SourceArn" = …`).
fn hcl_key(key: TsNode<'_>, text: &str) -> Node {
    let node = unwrap_expression(key);
    let key_range = range(node);
    if node.kind() == "variable_expr" {
        return Node::new(
            key_range,
            ScalarKind::String { quoted: false }.with(node_text(node, text).to_owned()),
        );
    }
    hcl_value(key, text, 0)
}

impl ScalarKind {
    fn with(self, value: String) -> NodeKind {
        NodeKind::Scalar(Scalar { value, kind: self })
    }
}

/// `data "aws_iam_policy_document"`: `statement` blocks with `actions`, `resources`,
/// `principals { type identifiers }` and `condition { test variable values }`.
fn policy_document(block: &terraform::Block, owner: String) -> Policy {
    let mut statements = Vec::new();
    let mut incomplete = false;
    for inner in &block.body.blocks {
        match inner.kind.as_str() {
            "statement" => statements.push(document_statement(inner)),
            "dynamic" => incomplete = true,
            _ => {}
        }
    }
    incomplete |= block.body.attribute("source_policy_documents").is_some()
        || block.body.attribute("override_policy_documents").is_some();
    Policy {
        kind: infer_kind(&statements),
        owner,
        range: block.range,
        statements,
        incomplete,
    }
}

fn document_statement(block: &terraform::Block) -> Statement {
    let body = &block.body;
    let text = |name: &str| {
        body.attribute(name)
            .and_then(|attribute| attribute.value.value.as_str())
            .map(str::to_owned)
    };
    let effect = match body.attribute("effect") {
        None => Effect::Allow,
        Some(attribute) => match attribute.value.value.as_str() {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            _ => Effect::Unknown,
        },
    };
    let values = |name: &str| {
        body.attribute(name)
            .map(|attribute| expr_values(&attribute.value))
    };
    let principals = |kind: &str| {
        let blocks: Vec<&terraform::Block> = body.blocks_of(kind).collect();
        let first = blocks.first()?;
        let mut res = Principals {
            entries: Vec::new(),
            range: first.range,
            unknown: body.blocks_of("dynamic").next().is_some(),
        };
        for principal in blocks {
            let Some(kind) = principal
                .body
                .attribute("type")
                .and_then(|attribute| attribute.value.value.as_str())
            else {
                res.unknown = true;
                continue;
            };
            let Some(identifiers) = principal.body.attribute("identifiers") else {
                continue;
            };
            let identifiers = expr_values(&identifiers.value);
            res.unknown |= identifiers.unknown;
            for item in identifiers.items {
                res.unknown |= item.value.is_none();
                res.entries.push(PrincipalEntry {
                    kind: kind.to_owned(),
                    value: item,
                });
            }
        }
        Some(res)
    };
    let condition_blocks: Vec<&terraform::Block> = body.blocks_of("condition").collect();
    let condition = condition_blocks.first().map(|first| {
        let mut res = Conditions {
            entries: Vec::new(),
            range: first.range,
            unknown: false,
        };
        for condition in &condition_blocks {
            let attribute = |name: &str| {
                condition
                    .body
                    .attribute(name)
                    .and_then(|attribute| attribute.value.value.as_str())
                    .map(str::to_owned)
            };
            let (Some(operator), Some(key)) = (attribute("test"), attribute("variable")) else {
                res.unknown = true;
                continue;
            };
            let values = condition
                .body
                .attribute("values")
                .map(|attribute| expr_values(&attribute.value))
                .unwrap_or(Values {
                    items: Vec::new(),
                    range: condition.range,
                    unknown: true,
                });
            res.entries.push(Condition {
                operator,
                key,
                values,
            });
        }
        res
    });
    // A `dynamic "condition"` block may restrict anything.
    let condition = match condition {
        None if body.blocks_of("dynamic").next().is_some() => Some(Conditions {
            entries: Vec::new(),
            range: block.range,
            unknown: true,
        }),
        other => other,
    };
    Statement {
        sid: text("sid"),
        effect,
        range: block.range,
        syntax: Syntax::HclBlock,
        insert_at: block.open_brace_end,
        action: values("actions"),
        not_action: values("not_actions"),
        resource: values("resources"),
        not_resource: values("not_resources"),
        principal: principals("principals"),
        not_principal: principals("not_principals"),
        condition,
    }
}

fn expr_values(expr: &Expr) -> Values {
    let item = |expr: &Expr| Item {
        value: expr.value.as_str().map(str::to_owned),
        range: expr.range,
    };
    match &expr.value {
        Value::List(items) => Values {
            items: items.iter().map(item).collect(),
            range: expr.range,
            unknown: false,
        },
        Value::String(_) => Values {
            items: vec![item(expr)],
            range: expr.range,
            unknown: false,
        },
        _ => Values {
            items: Vec::new(),
            range: expr.range,
            unknown: true,
        },
    }
}

/// `aws_lambda_permission` as a one-statement resource policy: `principal` is who may invoke
/// the function, and `source_arn`, `source_account`, `principal_org_id` are its conditions.
fn lambda_permission(resource: &terraform::Resource<'_>) -> Option<Policy> {
    let principal = resource.attribute("principal")?;
    let item = Item {
        value: principal.value.value.as_str().map(str::to_owned),
        range: principal.value.range,
    };
    let unknown = item.value.is_none();
    let mut entries = Vec::new();
    for (attribute, key) in [
        ("source_arn", "aws:SourceArn"),
        ("source_account", "aws:SourceAccount"),
        ("principal_org_id", "aws:PrincipalOrgID"),
    ] {
        if let Some(attribute) = resource.attribute(attribute) {
            entries.push(Condition {
                operator: "StringEquals".to_owned(),
                key: key.to_owned(),
                values: expr_values(&attribute.value),
            });
        }
    }
    let condition = (!entries.is_empty()).then_some(Conditions {
        entries,
        range: resource.block.range,
        unknown: false,
    });
    let statement = Statement {
        sid: None,
        effect: Effect::Allow,
        range: resource.block.range,
        syntax: Syntax::Other,
        insert_at: None,
        action: resource
            .attribute("action")
            .map(|attribute| expr_values(&attribute.value)),
        not_action: None,
        resource: None,
        not_resource: None,
        principal: Some(Principals {
            entries: vec![PrincipalEntry {
                kind: "AWS".to_owned(),
                value: item,
            }],
            range: principal.value.range,
            unknown,
        }),
        not_principal: None,
        condition,
    };
    Some(Policy {
        kind: PolicyKind::Resource,
        owner: resource.address(),
        range: resource.block.range,
        statements: vec![statement],
        incomplete: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SourceHints, parse_source};

    fn policies_of(path: &str, text: &str) -> Vec<Policy> {
        let file = parse_source(path, text, SourceHints::default()).expect("parses");
        file.policies().to_vec()
    }

    /// Policies of blocks taken again by text, at their new offsets, are those read afresh.
    #[test]
    fn kept_policies_are_the_policies_read_afresh() {
        let role = "resource \"aws_iam_role\" \"r\" {\n  assume_role_policy = <<-EOF\n    {\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\",\n      \"Principal\": {\"AWS\": \"*\"}, \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"true\"}}}]}\n  EOF\n  inline_policy {\n    policy = jsonencode({ Statement = [{ Effect = \"Allow\", NotAction = \"iam:*\", NotResource = [\"a\", var.b] }] })\n  }\n}\n";
        let committed = format!(
            "resource \"aws_iam_policy\" \"a\" {{\n  policy = jsonencode({{ Statement = [{{ Sid = \"x\", Effect = \"Allow\", Action = \"*\", Resource = \"*\" }}] }})\n}}\n\n{role}"
        );
        let sid = committed.find("\"x\"").expect("the sid") + 1;
        let edits: [(usize, &str, &str); 3] = [
            // A block edited, the other moved.
            (sid, "x", "xy"),
            // A line above them all: every block moved, none edited.
            (0, "", "# é\n"),
            // The same block twice.
            (0, "", role),
        ];
        crate::tests::check_edits_against_fresh(&committed, &edits, |edited, fresh, text| {
            assert_eq!(
                format!("{:?}", edited.policies()),
                format!("{:?}", fresh.policies()),
                "{text}"
            );
            assert!(!fresh.policies().is_empty());
        });
    }

    #[test]
    fn terraform_sources_map_to_exact_ranges() {
        let text = r#"resource "aws_iam_policy" "a" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Sid = "All", Effect = "Allow", Action = ["iam:PassRole", var.x], Resource = "*" }]
  })
}
resource "aws_iam_role" "r" {
  assume_role_policy = <<-EOF
    {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
      "Principal": {"AWS": "*"}, "Resource": "${var.arn}"}]}
  EOF
}
data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [var.org]
    }
  }
}
resource "aws_iam_role_policy" "ref" {
  policy = data.aws_iam_policy_document.d.json
}
"#;
        let policies = policies_of("main.tf", text);
        assert_eq!(policies.len(), 3);
        let document = &policies[0];
        assert_eq!(document.owner, "data.aws_iam_policy_document.d");
        let statement = &document.statements[0];
        assert_eq!(statement.effect, Effect::Allow);
        let star = statement.all_resources().expect("resources = [\"*\"]");
        assert_eq!(&text[star.to_std()], "\"*\"");
        assert!(statement.has_condition_key(&["aws:principalorgid"]));

        let encoded = &policies[1];
        assert_eq!(encoded.owner, "aws_iam_policy.a");
        let statement = &encoded.statements[0];
        assert_eq!(statement.sid.as_deref(), Some("All"));
        let action = statement.action.as_ref().expect("action");
        assert_eq!(&text[action.items[0].range.to_std()], "\"iam:PassRole\"");
        assert_eq!(action.items[1].value, None);
        assert!(statement.all_resources().is_some());

        let trust = &policies[2];
        assert_eq!(trust.kind, PolicyKind::Trust);
        let statement = &trust.statements[0];
        let public = statement.public_principal().expect("AWS *");
        assert_eq!(&text[public.range.to_std()], "\"*\"");
        assert_eq!(
            statement.resource.as_ref().expect("resource").items[0].value,
            None
        );
    }

    #[test]
    fn cloudformation_yaml_and_policy_files() {
        let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: {AWS: '*'}\n            Action: sts:AssumeRole\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n              - Effect: Allow\n                Action: '*'\n                Resource: !Sub 'arn:aws:s3:::${Bucket}'\n";
        let policies = policies_of("template.yaml", text);
        assert_eq!(policies.len(), 2);
        assert_eq!(policies[0].kind, PolicyKind::Trust);
        assert_eq!(policies[0].owner, "Role");
        assert!(policies[0].statements[0].public_principal().is_some());
        let resource = policies[1].statements[0]
            .resource
            .as_ref()
            .expect("resource");
        assert_eq!(resource.items[0].value, None);

        let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}"#;
        let policies = policies_of("policy.json", text);
        assert_eq!(policies.len(), 1);
        assert_eq!(policies[0].kind, PolicyKind::Identity);
        assert!(policies[0].statements[0].not_action.is_some());
        assert_eq!(policies[0].statements[0].syntax, Syntax::Json);
    }
}
