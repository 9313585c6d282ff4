//! Terraform evaluation: the input is read as a module file and as a tfvars file, and every
//! local, variable, output, attribute and instance set of the module is evaluated, as a root
//! module and as a reusable one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_syntax::terraform::Block;
use redline_syntax::terraform_eval::Location;
use redline_syntax::terraform_eval::evaluate::{Evaluator, Instances};
use redline_syntax::terraform_eval::symbols::{Module, ModuleKind, ModuleLayout};
use redline_syntax::terraform_eval::tfvars::Tfvars;
use redline_syntax::{SourceHints, parse_source};

/// The module file and the tfvars file the input is read as, picked by the first byte.
const PATHS: &[(&str, &str)] = &[
    ("main.tf", "terraform.tfvars"),
    ("main.tf.json", "terraform.tfvars.json"),
    ("x_override.tf", "a.auto.tfvars"),
];

/// How many instances of one block are evaluated, so that one input stays fast.
const INSTANCES_PER_BLOCK: usize = 4;

fuzz_target!(|data: &[u8]| {
    let (selector, rest) = data.split_first().unwrap_or((&0, &[]));
    let (module_path, tfvars_path) = PATHS[usize::from(*selector) % PATHS.len()];
    let text = String::from_utf8_lossy(rest);
    let tfvars = [Tfvars::parse(tfvars_path, &text)];
    for problem in &tfvars[0].problems {
        check_location(&problem.location, &text);
    }
    let Some(file) = parse_source(module_path, &text, SourceHints::default()) else {
        return;
    };
    let module = Module::build(&[&file]);
    for problem in &module.problems {
        check_location(&problem.location, &text);
    }
    for local in module.locals.values() {
        check_location(&local.value, &text);
    }
    let layout = ModuleLayout {
        is_called: false,
        has_examples_or_modules_dir: false,
        has_tfvars: true,
    };
    let _ = module.classify(&layout);
    for kind in [ModuleKind::Root, ModuleKind::Reusable] {
        let evaluator = Evaluator::new(&module, &tfvars, kind);
        for name in module.variables.keys() {
            if let Some(variable) = evaluator.variable(name) {
                let _ = variable.value.to_string();
            }
        }
        for name in module.locals.keys() {
            let _ = evaluator.local(name).value.to_string();
        }
        for output in module.outputs.values() {
            if let Some(value) = &output.value {
                let _ = evaluator.evaluate(value, None);
            }
        }
        for block in &file.terraform().blocks {
            evaluate_block(&evaluator, module_path, block);
        }
    }
});

/// Evaluates every attribute of `block` and its nested blocks, once without an instance and
/// once per known instance.
fn evaluate_block(evaluator: &Evaluator<'_>, path: &str, block: &Block) {
    let instances = match evaluator.instances(path, block) {
        Instances::Known(instances) => instances,
        Instances::Single | Instances::Unknown => Vec::new(),
    };
    for attribute in &block.body.attributes {
        let _ = evaluator.attribute(path, attribute, None).value.to_string();
        for instance in instances.iter().take(INSTANCES_PER_BLOCK) {
            let evaluation = evaluator.attribute(path, attribute, Some(instance));
            let _ = evaluation.value.reference_with_suffix();
        }
    }
    for nested in &block.body.blocks {
        evaluate_block(evaluator, path, nested);
    }
}

/// Every location the layer reports lies inside the text, on character boundaries.
fn check_location(location: &Location, text: &str) {
    let range = location.range;
    assert!(
        range.end().to_usize() <= text.len()
            && text.is_char_boundary(range.start().to_usize())
            && text.is_char_boundary(range.end().to_usize()),
        "{location} ({range:?}) is outside the text or inside a character"
    );
}
