//! Shell, Dockerfile and Makefile front ends, and commands embedded in them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_fuzz::{Target, analyze_checked, select};

const TARGETS: &[Target] = &[
    ("deploy.sh", None),
    ("bin/release", None),
    ("Dockerfile", None),
    ("Containerfile", None),
    ("Makefile", None),
    ("GNUmakefile", None),
];

fuzz_target!(|data: &[u8]| {
    let (target, text) = select(data, TARGETS);
    analyze_checked(target, &text);
});
