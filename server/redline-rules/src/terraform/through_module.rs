//! Attribute values of a resource as its module decides them, one instance at a time, for rules
//! that judge a combination of values (the ports and addresses of a firewall rule, the policy
//! ARN of each attachment, a role) rather than one protective switch.
//!
//! A published module computes such values from its inputs: `var.rules[var.ingress_rules[count.index]]`,
//! `lookup(var.ingress_with_cidr_blocks[count.index], "cidr_blocks", …)`, `each.value` of a
//! `for_each` over `var.policies`. Analysed on its own, a reusable module's variables are
//! unknown and these helpers find nothing; judged for a local module call (see the engine's
//! `calls`), the variables hold the call's inputs, and a finding is noted with the unsafe text
//! ([`Written`]) so that the engine reports it where the caller writes that text. A value that
//! the module's own defaults or literals decide is never reported at a caller.

use redline_syntax::terraform::{Attribute, Resource};
use redline_syntax::terraform_eval::evaluate::{Evaluator, Instance, Instances, Origin, Possible};
use redline_syntax::terraform_eval::{Location, Part, Value};

use crate::terraform::HOLE;
use crate::terraform::protection::{self, decided_place};
use crate::{RuleContext, ValueSource, Written};

/// The resource types whose attributes rules read through this module; the engine judges a
/// called module with a call's inputs only when it declares one of these or a protective type.
pub const READ_TYPES: &[&str] = &[
    "aws_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_iam_role_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_iam_role_policy_attachments_exclusive",
    "aws_iam_user_policy_attachments_exclusive",
    "aws_iam_group_policy_attachments_exclusive",
    "aws_iam_role",
    "google_project_iam_member",
    "google_project_iam_binding",
    "google_folder_iam_member",
    "google_folder_iam_binding",
    "google_organization_iam_member",
    "google_organization_iam_binding",
];

/// Whether a string literal may hold the unsafe text of a finding noted with [`note`] (whole
/// or as one of its comma-separated parts): every such text is an address range open to the
/// internet (`0.0.0.0/0`, `::/0`: a `/0` prefix), a policy ARN (`arn:`) or a role
/// (`roles/owner`), so a caller that writes no literal holding one of these cannot be where
/// such a finding is reported.
pub fn may_be_written(literal: &str) -> bool {
    literal.contains("/0") || literal.contains("arn:") || literal.contains("roles/")
}

/// How many instances of one resource are judged; the rest are not.
pub const MAX_INSTANCES: usize = 32;

/// One instance of a resource to judge.
#[derive(Clone, Debug)]
pub struct Judged {
    /// The instance, or `None` for a resource without `count` or `for_each`, or one whose
    /// instances are not known.
    pub instance: Option<Instance>,
    /// How `count` or `for_each` was computed: where `each.value` comes from.
    pub trace: Vec<Origin>,
}

/// A value read through the module, and the way it was computed.
#[derive(Clone, Debug)]
pub struct Read {
    /// The value; never `Unknown`.
    pub value: Value,
    /// The unknown conditions that lead to the value (see `Evaluator::possible_values`), as
    /// written with the side taken; empty for a value that depends on none.
    pub conditions: Vec<(String, bool)>,
    /// The variables, locals and module inputs the attribute was read through, after those of
    /// the instance's `count` or `for_each`.
    pub trace: Vec<Origin>,
    /// The variables, locals and module inputs the attribute itself was read through.
    pub own: Vec<Origin>,
}

/// The module's evaluator, when the engine gave one.
pub fn evaluator<'a>(ctx: &RuleContext<'a>) -> Option<&'a Evaluator<'a>> {
    ctx.terraform_module()
}

/// The instances of `resource` to judge, at most [`MAX_INSTANCES`]; none when the module turns
/// the resource off (`count = 0`).
pub fn instances(
    ctx: &RuleContext<'_>,
    evaluator: &Evaluator<'_>,
    resource: &Resource<'_>,
) -> Vec<Judged> {
    let path = ctx.file().path;
    let body = &resource.block.body;
    let trace = body
        .attribute("for_each")
        .or_else(|| body.attribute("count"))
        .map(|attribute| evaluator.attribute(path, attribute, None).trace)
        .unwrap_or_default();
    match evaluator.instances(path, resource.block) {
        Instances::Known(instances) => instances
            .into_iter()
            .take(MAX_INSTANCES)
            .map(|instance| Judged {
                instance: Some(instance),
                trace: trace.clone(),
            })
            .collect(),
        Instances::Single | Instances::Unknown => vec![Judged {
            instance: None,
            trace,
        }],
    }
}

/// The value of `attribute` (of the analysed file) for `judged`, when the module decides it.
pub fn read(
    ctx: &RuleContext<'_>,
    evaluator: &Evaluator<'_>,
    attribute: &Attribute,
    judged: &Judged,
) -> Option<Read> {
    let evaluation = evaluator.attribute(ctx.file().path, attribute, judged.instance.as_ref());
    if evaluation.limit_reached || evaluation.value == Value::Unknown {
        return None;
    }
    Some(Read {
        value: evaluation.value,
        conditions: Vec::new(),
        trace: joined(&judged.trace, &evaluation.trace),
        own: evaluation.trace,
    })
}

/// The values `attribute` may take for `judged`: its value, or each branch of a conditional
/// whose condition is not known (see `Evaluator::possible_values`); unknown values left out.
pub fn possible(
    ctx: &RuleContext<'_>,
    evaluator: &Evaluator<'_>,
    attribute: &Attribute,
    judged: &Judged,
) -> Vec<Read> {
    let at = Location {
        path: ctx.file().path.to_owned(),
        range: attribute.value.range,
        line: 0,
    };
    evaluator
        .possible_values(&at, judged.instance.as_ref())
        .into_iter()
        .filter(|possible| possible.value != Value::Unknown)
        .map(|possible: Possible| Read {
            value: possible.value,
            conditions: possible.conditions,
            trace: joined(&judged.trace, &possible.trace),
            own: possible.trace,
        })
        .collect()
}

/// `first` followed by the origins of `then` that it does not hold.
fn joined(first: &[Origin], then: &[Origin]) -> Vec<Origin> {
    let mut res = first.to_vec();
    for origin in then {
        if !res.contains(origin) {
            res.push(origin.clone());
        }
    }
    res
}

/// The strings of a value: the value itself, or the items of a list; a partly known string
/// with its unknown parts as [`HOLE`].
pub fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::List(items) => items.iter().filter_map(string).collect(),
        other => string(other).into_iter().collect(),
    }
}

fn string(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Template(parts) => Some(
            parts
                .iter()
                .map(|part| match part {
                    Part::Text(text) => text.as_str(),
                    Part::Value(_) => HOLE,
                })
                .collect(),
        ),
        _ => None,
    }
}

/// The variables, locals and module inputs a read value came through, for messages:
/// `` `var.policies` (set by `module.admin` at main.tf:12) ``; `None` when it came through
/// none of them. The attribute's own way is named, else that of the instance (where
/// `each.value` comes from); a default that a call leaves in place is not named, since it is
/// not where an unsafe text is written.
pub fn chain(ctx: &RuleContext<'_>, read: &Read) -> Option<String> {
    let named = |trace: &[Origin]| -> Vec<Origin> {
        trace
            .iter()
            .filter(|origin| !matches!(origin, Origin::InputDefault { .. }))
            .cloned()
            .collect()
    };
    let mut trace = named(&read.own);
    if trace.is_empty() {
        trace = named(&read.trace);
    }
    protection::through(&trace, ctx.home_folder(), false)
        .map(|through| through.chain)
        .filter(|chain| !chain.is_empty())
}

/// Notes that a finding the rule reports next at `attribute` holds `written`, read as `read`
/// says: in a called module the engine reports it where the caller writes that text. The
/// related place is the input, variable value or local the attribute itself read last.
pub fn note(ctx: &RuleContext<'_>, attribute: &Attribute, read: &Read, written: Written) {
    debug_assert!(
        may_be_written(&written.text),
        "{} is not a text `may_be_written` admits",
        written.text
    );
    let decided = read
        .own
        .iter()
        .rev()
        .find(|origin| {
            matches!(
                origin,
                Origin::Input { .. } | Origin::Default { .. } | Origin::Tfvars { .. }
            )
        })
        .or_else(|| {
            read.own
                .iter()
                .rev()
                .find(|origin| matches!(origin, Origin::Local { .. }))
        })
        .and_then(decided_place);
    ctx.note_source(ValueSource {
        attribute: attribute.range,
        value: attribute.value.range,
        trace: read.trace.clone(),
        // A fix of the module's attribute never moves to the caller: `written` says how to
        // fix the caller's literal.
        deciding: None,
        decided,
        reusable_default: false,
        written: Some(written),
    });
}
