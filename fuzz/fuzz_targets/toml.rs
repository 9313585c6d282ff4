//! TOML front end: agent configurations written in TOML.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_fuzz::{Target, analyze_checked, select};
use redline_syntax::Format;

const TARGETS: &[Target] = &[
    (".codex/config.toml", None),
    ("config.toml", Some(Format::AgentConfig)),
];

fuzz_target!(|data: &[u8]| {
    let (target, text) = select(data, TARGETS);
    analyze_checked(target, &text);
});
