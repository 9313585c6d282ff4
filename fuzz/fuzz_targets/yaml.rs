//! YAML front end: CloudFormation, Kubernetes, GitHub Actions, GitLab CI and Azure Pipelines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_fuzz::{Target, analyze_checked, select};
use redline_syntax::Format;

const TARGETS: &[Target] = &[
    ("template.yaml", None),
    ("deploy/app.yaml", Some(Format::Kubernetes)),
    ("template.yml", Some(Format::CloudFormation)),
    (".github/workflows/ci.yml", None),
    (".github/actions/setup/action.yml", None),
    (".gitlab-ci.yml", None),
    ("azure-pipelines.yml", None),
    ("chart/templates/deployment.yaml", None),
];

fuzz_target!(|data: &[u8]| {
    let (target, text) = select(data, TARGETS);
    analyze_checked(target, &text);
});
