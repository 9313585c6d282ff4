//! Terraform (HCL) front end: parsing, the Terraform model and every Terraform rule.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_fuzz::{Target, analyze_checked, select};
use redline_syntax::Format;

const TARGETS: &[Target] = &[
    ("main.tf", None),
    ("main.tf", Some(Format::Terraform)),
    ("modules/db/variables.tf", None),
];

fuzz_target!(|data: &[u8]| {
    let (target, text) = select(data, TARGETS);
    analyze_checked(target, &text);
});
