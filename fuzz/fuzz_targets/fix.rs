//! Applying fixes: analyse, apply every safe and unsafe fix, repeat. Must not panic, and the
//! result must be valid UTF-8 that parses with no more errors than it had.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_engine::{AnalysisOptions, Config, FixMode, SourceInput, fix_file};
use redline_fuzz::{Target, select};
use redline_syntax::{Format, SourceHints};

const TARGETS: &[Target] = &[
    ("main.tf", None),
    ("template.yaml", Some(Format::CloudFormation)),
    ("deploy/app.yaml", Some(Format::Kubernetes)),
    (".github/workflows/ci.yml", None),
    (".gitlab-ci.yml", None),
    ("azure-pipelines.yml", None),
    ("template.json", Some(Format::CloudFormation)),
    ("policy.json", Some(Format::IamPolicy)),
    (".claude/settings.json", None),
    (".codex/config.toml", None),
    ("deploy.sh", None),
    ("Dockerfile", None),
    ("Makefile", None),
];

fuzz_target!(|data: &[u8]| {
    let ((path, format), text) = select(data, TARGETS);
    let input = SourceInput {
        path,
        text: &text,
        hints: SourceHints {
            format,
            ..SourceHints::default()
        },
        config_relative_path: None,
    };
    for mode in [FixMode::Safe, FixMode::Unsafe] {
        let outcome = fix_file(
            &input,
            &[],
            &Config::default(),
            &AnalysisOptions::default(),
            mode,
        );
        // A `String` is UTF-8 by construction; check the bytes anyway, since this is what is
        // written back to the user's file.
        assert!(std::str::from_utf8(outcome.text.as_bytes()).is_ok());
        if outcome.applied == 0 {
            assert_eq!(outcome.text, *text, "no fix applied, yet the text changed");
        }
    }
});
