//! Every fixture's findings, rendered in full (rule, range, message, related places, fixes and
//! their edits), are held by an insta snapshot in `tests/snapshots/`, so that a changed
//! message, range or fix is reviewed. One data-driven test walks every fixture case, checks
//! it with `redline_test_support`, and compares its rendering with its snapshot. A `quiet*`
//! fixture's snapshot says `no findings`, and the test also refuses one that fires.
//!
//! Review changes with `cargo insta review`, or rewrite them with
//! `INSTA_UPDATE=always cargo test -p redline-rules --test fixture_snapshots` and read the diff.
//! The registry test refuses a fixture without a snapshot and a snapshot without a fixture.
#![allow(clippy::unwrap_used)]

use std::panic::{AssertUnwindSafe, catch_unwind};

use redline_test_support::{fixture_cases, snapshot_fixture};

#[test]
fn every_fixture_matches_its_snapshot() {
    let mut failures = Vec::new();
    for case in fixture_cases() {
        // Each case runs on its own, so one mismatch still lets insta record every other
        // case's new snapshot for review.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let rendered = snapshot_fixture(&case);
            if case.name().starts_with("quiet") {
                assert_eq!(
                    rendered, "no findings\n",
                    "{}: a quiet fixture must not fire",
                    case.relative
                );
            }
            insta::with_settings!({
                snapshot_path => format!("snapshots/{}", case.rule_folder()),
                prepend_module_to_snapshot => false,
                omit_expression => true,
                description => format!("fixtures/{}", case.relative),
            }, {
                insta::assert_snapshot!(case.name(), rendered);
            });
        }));
        if outcome.is_err() {
            failures.push(case.relative);
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed (messages above):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
