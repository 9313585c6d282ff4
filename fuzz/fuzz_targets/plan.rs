//! Terraform plan reader (`plan_json`, `terraform_plan`) and the plan rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_fuzz::analyze_checked;
use redline_syntax::terraform_plan::Plan;
use redline_syntax::{Format, SourceHints, parse_source};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(file) = parse_source("plan.json", &text, SourceHints::default()) {
        for document in &file.documents {
            let plan = Plan::from_document(document);
            for change in &plan.resource_changes {
                let _ = (change.kind(), change.is_replace(), change.reason_in_words());
                let _ = change.before_attribute("name", &text);
                let _ = change.after_attribute("name", &text);
            }
        }
    }
    analyze_checked(("plan.json", Some(Format::TerraformPlan)), &text);
    analyze_checked(("tfplan.json", None), &text);
});
