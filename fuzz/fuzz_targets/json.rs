//! JSON front end: CloudFormation, IAM policies, Terraform JSON, agent configurations.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_fuzz::{Target, analyze_checked, select};
use redline_syntax::Format;

const TARGETS: &[Target] = &[
    ("template.json", None),
    ("template.json", Some(Format::CloudFormation)),
    ("policy.json", Some(Format::IamPolicy)),
    ("main.tf.json", None),
    (".claude/settings.json", None),
    (".cursor/mcp.json", None),
    ("plan.json", Some(Format::TerraformPlan)),
];

fuzz_target!(|data: &[u8]| {
    let (target, text) = select(data, TARGETS);
    analyze_checked(target, &text);
});
