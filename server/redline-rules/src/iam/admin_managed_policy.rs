use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::cloudformation::resources;
use redline_syntax::terraform::{Expr, Syntax, TerraformFile, Value};
use redline_syntax::value::{Node, NodeKind};
use redline_syntax::{Format, SourceFile};
use redline_text::TextRange;

use crate::terraform::{HOLE, module_inputs, reference, string_shape, through_module};
use crate::{FixAvailability, RuleContext, Status, Written, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An AWS-managed administrator-class policy attached to a role, user or group:
    /// `AdministratorAccess` (an error), `PowerUserAccess` and `IAMFullAccess` (warnings),
    /// in any partition (`arn:aws`, `arn:aws-us-gov`, `arn:aws-cn`, or the partition as an
    /// interpolation).
    /// In Terraform it reads `policy_arn` of `aws_iam_role_policy_attachment`,
    /// `aws_iam_user_policy_attachment`, `aws_iam_group_policy_attachment` and
    /// `aws_iam_policy_attachment`, `policy_arns` of the `*_policy_attachments_exclusive`
    /// resources, `managed_policy_arns` of `aws_iam_role`, `managed_policy_arn` of
    /// `aws_ssoadmin_managed_policy_attachment`, and `data "aws_iam_policy"` lookups of those
    /// policies; and the `policy_attachments` lists of IAM Identity Center permission-set objects (the
    /// schema of `cloudposse/sso/aws//modules/permission-sets`) written in `locals` or `module`
    /// blocks, where each literal ARN is reported.
    /// It also reads the inputs of the registry modules redline knows that attach policies
    /// (`policies` of `terraform-aws-modules/iam/aws//modules/iam-role`, the role policy inputs
    /// of the EKS, EMR, EC2 and Auto Scaling modules; `redline --version` lists the modules),
    /// and reports them at the input.
    /// In CloudFormation it reads `ManagedPolicyArns` of `AWS::IAM::Role`, `AWS::IAM::User`
    /// and `AWS::IAM::Group` (plain strings, `!Sub` and `!Join`), and `Policies` of SAM
    /// functions and state machines; each branch of an `!If` is judged, and a finding in a
    /// branch says under which condition the policy is attached.
    /// An ARN computed in Terraform (`each.value` of a `for_each` over `var.policies`, a
    /// variable, a local) is read instance by instance, with the values the module decides; a
    /// local module (`source = "./…"`) called with an administrator-class policy is reported
    /// at the caller's string literal that writes the ARN (in the input, a local, or the
    /// call's `for_each`).
    /// A called module's own default is the module's choice: a call that writes no such ARN
    /// is not reported.
    /// Values redline cannot know (`var.policy_arn` without a value, `!Ref PolicyArn`) are
    /// never reported.
    ///
    /// ## Why it matters
    /// `AdministratorAccess` allows every action on every resource.
    /// `PowerUserAccess` allows every action of every service except most of IAM and
    /// Organizations: enough to delete every database, bucket and cluster in the account.
    /// `IAMFullAccess` allows creating roles and attaching any policy, so its holder can grant
    /// itself administrator access.
    /// Attached to a CI role or a coding agent, any of them means one mistaken command can
    /// destroy production, and nothing in the account stops it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_role_policy_attachment" "deploy" {
    ///   role       = aws_iam_role.deploy.name
    ///   policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// A customer-managed policy with the actions the principal uses, and a permissions
    /// boundary on the role that caps what it can ever be granted:
    /// ```hcl
    /// resource "aws_iam_role_policy_attachment" "deploy" {
    ///   role       = aws_iam_role.deploy.name
    ///   policy_arn = aws_iam_policy.deploy.arn
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: only the owner knows which actions the principal needs.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-012 -- break-glass role, MFA-only` on the line above.
    ///
    /// ## References
    /// - AWS IAM User Guide, "AWS managed policies for job functions"
    /// - Checkov CKV_AWS_274, CKV_AWS_275, CKV2_AWS_56
    AdminManagedPolicy {
        id: "RL-IAM-012", name: "admin-managed-policy",
        summary: "An AWS-managed administrator-class policy is attached to a principal",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Terraform, Format::CloudFormation], fix: FixAvailability::None,
        status: Status::Preview,
    }
}

/// An AWS-managed policy this rule reports.
pub(crate) struct AdminPolicy {
    /// The policy name, the last part of its ARN.
    pub(crate) name: &'static str,
    /// How serious attaching it is.
    pub(crate) severity: Severity,
    /// What the policy allows, completing "the principal …".
    pub(crate) grants: &'static str,
}

const POLICIES: &[AdminPolicy] = &[
    AdminPolicy {
        name: "AdministratorAccess",
        severity: Severity::Error,
        grants: "can do anything in the account, including deleting every environment",
    },
    AdminPolicy {
        name: "PowerUserAccess",
        severity: Severity::Warning,
        grants: "can use every service except IAM and Organizations management, enough to \
                 delete every database, bucket and cluster",
    },
    AdminPolicy {
        name: "IAMFullAccess",
        severity: Severity::Warning,
        grants: "has full control of IAM, so it can grant itself anything, including \
                 administrator access",
    },
];

/// Terraform resource types and their attribute holding one or several policy ARNs.
const TERRAFORM_ATTRIBUTES: &[(&str, &str)] = &[
    ("aws_iam_role_policy_attachment", "policy_arn"),
    ("aws_iam_user_policy_attachment", "policy_arn"),
    ("aws_iam_group_policy_attachment", "policy_arn"),
    ("aws_iam_policy_attachment", "policy_arn"),
    ("aws_iam_role_policy_attachments_exclusive", "policy_arns"),
    ("aws_iam_user_policy_attachments_exclusive", "policy_arns"),
    ("aws_iam_group_policy_attachments_exclusive", "policy_arns"),
    ("aws_iam_role", "managed_policy_arns"),
    (
        "aws_ssoadmin_managed_policy_attachment",
        "managed_policy_arn",
    ),
];

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    match file.format {
        Format::Terraform => {
            check_attachments(ctx, file);
            check_computed_attachments(ctx, file);
            check_permission_sets(ctx, file);
            module_inputs::check(ctx, AdminManagedPolicy::META.code.id);
        }
        Format::CloudFormation => check_attachments(ctx, file),
        _ => {}
    }
}

fn check_attachments(ctx: &mut RuleContext<'_>, file: &SourceFile<'_>) {
    for attachment in attachments(file) {
        if let Some(policy) = POLICIES
            .iter()
            .find(|policy| policy.name == attachment.name)
        {
            report(
                ctx,
                attachment.range,
                &attachment.subject,
                attachment.condition.as_deref(),
                policy,
            );
        }
    }
}

/// Judges the attachments whose policy ARN is computed (`each.value` of a `for_each` over
/// `var.policies`, a variable, a local), one instance at a time, as the module decides the
/// value. A reusable module's variables are unknown when it is analysed on its own; judged for
/// a local module call, they hold the call's inputs, and a finding goes to the caller's
/// literal that writes the ARN.
fn check_computed_attachments(ctx: &mut RuleContext<'_>, file: &SourceFile<'_>) {
    let model = file.terraform();
    for resource in model.resources() {
        let Some((_, attribute_name)) = TERRAFORM_ATTRIBUTES
            .iter()
            .find(|(kind, _)| *kind == resource.resource_type)
        else {
            continue;
        };
        let Some(attribute) = resource.attribute(attribute_name) else {
            continue;
        };
        // Literals and `data "aws_iam_policy"` lookups are read as written.
        let computed = match &attribute.value.value {
            Value::Unknown => is_computed(file, &attribute.value),
            Value::List(items) => items.iter().any(|item| is_computed(file, item)),
            _ => false,
        };
        if !computed {
            continue;
        }
        let Some(evaluator) = through_module::evaluator(ctx) else {
            return;
        };
        let address = resource.address();
        let written_here = |arn: &str| {
            attribute
                .value
                .value
                .items()
                .iter()
                .any(|item| string_shape(file, item).as_deref() == Some(arn))
        };
        let mut reported: Vec<&'static str> = Vec::new();
        for judged in through_module::instances(ctx, evaluator, &resource) {
            let Some(read) = through_module::read(ctx, evaluator, attribute, &judged) else {
                continue;
            };
            for arn in through_module::strings(&read.value) {
                let Some(policy) = policy_of_arn(&arn) else {
                    continue;
                };
                if reported.contains(&policy.name) || written_here(&arn) {
                    continue;
                }
                reported.push(policy.name);
                let through = through_module::chain(ctx, &read)
                    .map(|chain| format!(" through {chain}"))
                    .unwrap_or_default();
                let message = format!(
                    "`{address}` attaches the AWS-managed `{}` policy{through}: the principal \
                     {}; attach a customer-managed policy with only the actions it uses and set \
                     a permissions boundary",
                    policy.name, policy.grants
                );
                through_module::note(
                    ctx,
                    attribute,
                    &read,
                    Written {
                        text: arn.clone(),
                        fix: None,
                    },
                );
                let mut diagnostic = ctx.diagnostic(attribute.value.range, message);
                diagnostic.severity = policy.severity;
                ctx.report(diagnostic);
            }
        }
    }
}

/// Whether `check_attachments` leaves an ARN expression to the module: not a string, a string
/// template or a `data "aws_iam_policy"` lookup.
fn is_computed(file: &SourceFile<'_>, value: &Expr) -> bool {
    value.value == Value::Unknown
        && string_shape(file, value).is_none()
        && reference(file, value)
            .is_none_or(|traversal| !traversal.starts_with("data.aws_iam_policy."))
}

/// An AWS-managed policy attached to a role, user, group or function.
pub(crate) struct Attachment {
    /// Where the policy is named.
    pub(crate) range: TextRange,
    /// The attaching resource: its Terraform address or CloudFormation logical id.
    pub(crate) subject: String,
    /// When the policy is attached only under a condition: `when condition `Prod` holds`.
    pub(crate) condition: Option<String>,
    /// The policy's name, the last part of its ARN (`AdministratorAccess`).
    pub(crate) name: String,
}

/// The AWS-managed policies the file attaches: in Terraform through the attachment resources
/// and `managed_policy_arns`, with ARNs written as strings or looked up with
/// `data "aws_iam_policy"`; in CloudFormation through `ManagedPolicyArns` and SAM `Policies`,
/// each branch of an `Fn::If` apart.
pub(crate) fn attachments(file: &SourceFile<'_>) -> Vec<Attachment> {
    match file.format {
        Format::Terraform => terraform_attachments(file),
        Format::CloudFormation => cloudformation_attachments(file),
        _ => Vec::new(),
    }
}

fn terraform_attachments(file: &SourceFile<'_>) -> Vec<Attachment> {
    let model = file.terraform();
    let mut res = Vec::new();
    for resource in model.resources() {
        let Some((_, attribute_name)) = TERRAFORM_ATTRIBUTES
            .iter()
            .find(|(kind, _)| *kind == resource.resource_type)
        else {
            continue;
        };
        let Some(attribute) = resource.attribute(attribute_name) else {
            continue;
        };
        let values: Vec<&Expr> = match attribute.value.value.items() {
            [] => vec![&attribute.value],
            items => items.iter().collect(),
        };
        for value in values {
            if let Some(name) = terraform_policy_name(file, model, value) {
                res.push(Attachment {
                    range: value.range,
                    subject: resource.address(),
                    condition: None,
                    name,
                });
            }
        }
    }
    res
}

/// Judges the `policy_attachments` lists of IAM Identity Center permission-set objects (the
/// schema of the `cloudposse/sso/aws//modules/permission-sets` module's `permission_sets`
/// input), written in a `locals` block or a `module` block: each literal ARN is judged where
/// it is written, so a permission set is reported once, wherever the object goes.
fn check_permission_sets(ctx: &mut RuleContext<'_>, file: &SourceFile<'_>) {
    let model = file.terraform();
    if model.syntax != Syntax::Hcl {
        return;
    }
    let mut found = Vec::new();
    for block in model.blocks_of("locals").chain(model.blocks_of("module")) {
        for attribute in &block.body.attributes {
            let text = file.slice(attribute.value.range);
            let base = attribute.value.range.start().to_usize();
            for (range, shape) in policy_attachments(text) {
                let Some(policy) = policy_of_arn(&shape) else {
                    continue;
                };
                let subject = if block.kind == "locals" {
                    format!("local.{}", attribute.name)
                } else {
                    format!("module.{}", block.label(0).unwrap_or_default())
                };
                let range = TextRange::from_usize(base + range.start, base + range.end);
                found.push((range, subject, policy));
            }
        }
    }
    for (range, subject, policy) in found {
        let mut diagnostic = ctx.diagnostic(
            range,
            format!(
                "`{subject}` gives an IAM Identity Center permission set the AWS-managed `{}` \
                 policy: in every account it is assigned to, everyone holding it {}; attach a \
                 customer-managed policy with only the actions they use",
                policy.name, policy.grants
            ),
        );
        diagnostic.severity = policy.severity;
        ctx.report(diagnostic);
    }
}

/// The string literals of every `policy_attachments = [ … ]` in `text`, each with its range in
/// `text` and its shape (interpolations replaced by [`HOLE`]); a list holding anything but
/// string literals yields the literals before it.
fn policy_attachments(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    const KEY: &str = "policy_attachments";
    let bytes = text.as_bytes();
    let is_word = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_';
    let skip_blank = |mut at: usize| {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b',') {
            at += 1;
        }
        at
    };
    let mut res = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find(KEY) {
        let start = from + found;
        let end = start + KEY.len();
        from = end;
        let before = start.checked_sub(1).map(|at| bytes[at]);
        if before.is_some_and(|byte| is_word(byte) || byte == b'"') {
            continue;
        }
        if bytes
            .get(end)
            .is_some_and(|byte| is_word(*byte) || *byte == b'"')
        {
            continue;
        }
        let mut at = end;
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if !matches!(bytes.get(at), Some(b'=' | b':')) {
            continue;
        }
        at = skip_blank(at + 1);
        if bytes.get(at) != Some(&b'[') {
            continue;
        }
        at = skip_blank(at + 1);
        while bytes.get(at) == Some(&b'"') {
            let Some(length) = string_literal_length(&text[at..]) else {
                break;
            };
            let literal = &text[at..at + length];
            if let Some(shape) = template_shape(&literal[1..length - 1]) {
                res.push((at..at + length, shape));
            }
            at = skip_blank(at + length);
        }
    }
    res
}

/// The length of the quoted string at the start of `text`, interpolations included.
fn string_literal_length(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut escaped = false;
    let mut chars = text.char_indices().skip(1).peekable();
    while let Some((index, c)) = chars.next() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '$' if depth == 0 && chars.peek().is_some_and(|(_, next)| *next == '{') => {
                chars.next();
                depth = 1;
            }
            '{' if depth > 0 => depth += 1,
            '}' if depth > 0 => depth -= 1,
            '"' if depth == 0 => return Some(index + 1),
            '\n' if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

/// A template's text with each `${…}` replaced by [`HOLE`]; `None` for `%{…}` directives.
fn template_shape(inner: &str) -> Option<String> {
    if inner.contains("%{") {
        return None;
    }
    let mut res = String::new();
    let mut rest = inner;
    while let Some(start) = rest.find("${") {
        res.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        res.push_str(HOLE);
        rest = &after[end + 1..];
    }
    res.push_str(rest);
    Some(res)
}

/// The name of the AWS-managed policy an ARN expression names: a string (or a template whose
/// partition is interpolated), or a reference to a `data "aws_iam_policy"` lookup in the same
/// file.
fn terraform_policy_name(
    file: &SourceFile<'_>,
    model: &TerraformFile,
    value: &Expr,
) -> Option<String> {
    if let Some(shape) = string_shape(file, value) {
        return aws_managed_name(&shape).map(str::to_owned);
    }
    let traversal = reference(file, value)?;
    let name = traversal
        .strip_prefix("data.aws_iam_policy.")?
        .strip_suffix(".arn")?;
    let lookup = model
        .blocks_of("data")
        .find(|block| block.label(0) == Some("aws_iam_policy") && block.label(1) == Some(name))?;
    if let Some(arn) = lookup.body.attribute("arn") {
        return aws_managed_name(&string_shape(file, &arn.value)?).map(str::to_owned);
    }
    lookup
        .body
        .attribute("name")?
        .value
        .value
        .as_str()
        .map(str::to_owned)
}

fn cloudformation_attachments(file: &SourceFile<'_>) -> Vec<Attachment> {
    let mut res = Vec::new();
    for document in &file.documents {
        for resource in resources(document) {
            let (policies, sam) = match resource.resource_type() {
                Some("AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group") => {
                    (resource.property("ManagedPolicyArns"), false)
                }
                Some("AWS::Serverless::Function" | "AWS::Serverless::StateMachine") => {
                    (resource.property("Policies"), true)
                }
                _ => (None, false),
            };
            let Some(policies) = policies else {
                continue;
            };
            for (list, list_condition) in branches(policies, None) {
                for item in list.one_or_many() {
                    for (item, condition) in branches(item, list_condition.clone()) {
                        let Some(shape) = cloudformation_shape(item) else {
                            continue;
                        };
                        // SAM accepts AWS-managed policy names as well as ARNs.
                        let name = match aws_managed_name(&shape) {
                            Some(name) => name,
                            None if sam && !shape.contains([':', '/']) => shape.as_str(),
                            None => continue,
                        };
                        res.push(Attachment {
                            range: item.range,
                            subject: resource.logical_id().to_owned(),
                            condition,
                            name: name.to_owned(),
                        });
                    }
                }
            }
        }
    }
    res
}

/// The values a node may take: the node itself, or each branch of an `Fn::If` (nested ones
/// too), with the condition under which it applies (`when condition `Prod` holds`). Either
/// branch of a condition may be the one deployed, so each is judged.
fn branches(node: &Node, condition: Option<String>) -> Vec<(&Node, Option<String>)> {
    let Some(("If", argument)) = intrinsic(node) else {
        return vec![(node, condition)];
    };
    let [name, then, otherwise] = argument.items() else {
        return vec![(node, condition)];
    };
    let name = name.as_str().unwrap_or("?");
    let join = |own: String| match &condition {
        Some(outer) => Some(format!("{outer} and {own}")),
        None => Some(format!("when {own}")),
    };
    let mut res = branches(then, join(format!("condition `{name}` holds")));
    res.extend(branches(
        otherwise,
        join(format!("condition `{name}` does not hold")),
    ));
    res
}

/// The shape of a CloudFormation string value: a plain string, or the template of `!Sub` or
/// `!Join` with every substitution replaced by [`HOLE`].
fn cloudformation_shape(node: &Node) -> Option<String> {
    if let Some(text) = node.as_str() {
        return Some(text.to_owned());
    }
    let (function, argument) = intrinsic(node)?;
    match function {
        "Sub" => {
            let template = match &argument.kind {
                NodeKind::Sequence(items) => items.first()?,
                _ => argument,
            };
            let template = &template.scalar()?.value;
            Some(substitute(template))
        }
        "Join" => {
            let [delimiter, parts] = argument.items() else {
                return None;
            };
            let delimiter = delimiter.as_str()?;
            let parts: Vec<&str> = parts
                .items()
                .iter()
                .map(|part| part.as_str().unwrap_or(HOLE))
                .collect();
            Some(parts.join(delimiter))
        }
        _ => None,
    }
}

/// `!Name argument` in YAML or `{"Fn::Name": argument}`: the function name and its argument.
fn intrinsic(node: &Node) -> Option<(&str, &Node)> {
    if let Some(name) = node.tag.as_deref().and_then(|tag| tag.strip_prefix('!')) {
        return Some((name, node));
    }
    match node.entries() {
        [entry] => {
            let name = entry.key.as_str()?.strip_prefix("Fn::")?;
            Some((name, &entry.value))
        }
        _ => None,
    }
}

/// A `!Sub` template with each `${Name}` replaced by [`HOLE`]; `${!Literal}` stays literal.
fn substitute(template: &str) -> String {
    let mut res = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        res.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            res.push_str(&rest[start..]);
            return res;
        };
        match after.strip_prefix('!') {
            Some(literal) => {
                res.push_str("${");
                res.push_str(&literal[..end - 1]);
                res.push('}');
            }
            None => res.push_str(HOLE),
        }
        rest = &after[end + 1..];
    }
    res.push_str(rest);
    res
}

/// The admin-class policy an ARN (or ARN shape) names.
pub(crate) fn policy_of_arn(arn: &str) -> Option<&'static AdminPolicy> {
    let name = aws_managed_name(arn)?;
    POLICIES.iter().find(|policy| policy.name == name)
}

/// The name of the AWS-managed policy an ARN (or ARN shape) names, with its path
/// (`service-role/AWSLambdaBasicExecutionRole`), in any partition.
pub(crate) fn aws_managed_name(arn: &str) -> Option<&str> {
    let (partition, rest) = arn.strip_prefix("arn:")?.split_once(':')?;
    if !matches!(partition, "aws" | "aws-us-gov" | "aws-cn" | HOLE) {
        return None;
    }
    rest.strip_prefix("iam::aws:policy/")
}

/// Reports `policy` attached by `subject`, only when `condition` holds if there is one.
fn report(
    ctx: &mut RuleContext<'_>,
    range: TextRange,
    subject: &str,
    condition: Option<&str>,
    policy: &AdminPolicy,
) {
    let condition = condition
        .map(|condition| format!(" {condition}"))
        .unwrap_or_default();
    let message = format!(
        "`{subject}` attaches the AWS-managed `{}` policy{condition}: the principal {}; attach \
         a customer-managed policy with only the actions it uses and set a permissions boundary",
        policy.name, policy.grants
    );
    let mut diagnostic = ctx.diagnostic(range, message);
    diagnostic.severity = policy.severity;
    ctx.report(diagnostic);
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires_terraform() {
        insta::assert_snapshot!(check_fixture("iam/admin-managed-policy/fires.tf"));
    }

    #[test]
    fn quiet_terraform() {
        check_fixture("iam/admin-managed-policy/quiet.tf");
    }

    #[test]
    fn fires_cloudformation() {
        check_fixture("iam/admin-managed-policy/fires.yaml");
    }

    #[test]
    fn quiet_cloudformation() {
        check_fixture("iam/admin-managed-policy/quiet.yaml");
    }

    #[test]
    fn cloudformation_json() {
        insta::assert_snapshot!(check_fixture("iam/admin-managed-policy/fires.json"));
    }
}
