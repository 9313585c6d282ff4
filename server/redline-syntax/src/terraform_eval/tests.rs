//! Tests of the Terraform evaluation layer: symbols, tfvars, the evaluator, and its bounds.

use super::evaluate::{Evaluation, Evaluator, Instance, Instances, Origin};
use super::symbols::{KindReason, Module, ModuleKind, ModuleLayout};
use super::tfvars::Tfvars;
use super::{Key, Part, Reference, Step, Value};
use crate::{SourceFile, SourceHints, parse_source};

fn parse<'a>(files: &[(&'a str, &'a str)]) -> Vec<SourceFile<'a>> {
    files
        .iter()
        .map(|(path, text)| parse_source(path, text, SourceHints::default()).expect("terraform"))
        .collect()
}

fn build(files: &[(&str, &str)]) -> Module {
    let parsed = parse(files);
    let refs: Vec<&SourceFile<'_>> = parsed.iter().collect();
    Module::build(&refs)
}

fn tfvars(files: &[(&str, &str)]) -> Vec<Tfvars> {
    files
        .iter()
        .map(|(path, text)| Tfvars::parse(path, text))
        .collect()
}

/// Evaluates `local.x` of a root module made of one file.
fn local_in(text: &str, name: &str) -> Evaluation {
    let module = build(&[("main.tf", text)]);
    Evaluator::new(&module, &[], ModuleKind::Root).local(name)
}

/// Evaluates `expression` in a root module that declares a few variables and locals to read.
fn value_of(expression: &str) -> Value {
    let text = format!(
        "variable \"flag\" {{\n  default = true\n}}\n\
         variable \"n\" {{\n  default = 3\n}}\n\
         variable \"open\" {{}}\n\
         resource \"aws_s3_bucket\" \"logs\" {{}}\n\
         data \"aws_iam_policy_document\" \"x\" {{}}\n\
         module \"vpc\" {{\n  source = \"./vpc\"\n}}\n\
         locals {{\n  m = {{ a = 1, b = \"two\" }}\n  l = [\"x\", \"y\", \"z\"]\n  x = {expression}\n}}\n"
    );
    local_in(&text, "x").value
}

fn shows(expression: &str) -> String {
    value_of(expression).to_string()
}

fn reference(text: &str) -> Reference {
    match value_of(text) {
        Value::Reference(reference) => *reference,
        other => panic!("{text} gave {other}, not a reference"),
    }
}

#[test]
fn variable_default_flows_into_a_resource_attribute_with_its_provenance() {
    let variables = "# Destroying the bucket deletes the logs.\nvariable \"force_destroy\" {\n  type    = bool\n  default = true\n}\n";
    let main = "resource \"aws_s3_bucket\" \"logs\" {\n  force_destroy = var.force_destroy\n}\n";
    let parsed = parse(&[("variables.tf", variables), ("main.tf", main)]);
    let refs: Vec<&SourceFile<'_>> = parsed.iter().collect();
    let module = Module::build(&refs);
    assert_eq!(module.files, ["main.tf", "variables.tf"]);
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
    let model = parsed[1].terraform();
    let resource = model.resources().next().expect("one resource");
    let attribute = resource.attribute("force_destroy").expect("written");
    let evaluation = evaluator.attribute("main.tf", attribute, None);
    assert_eq!(evaluation.value, Value::Bool(true));
    assert!(!evaluation.limit_reached);
    let [Origin::Default { variable, location }] = evaluation.trace.as_slice() else {
        panic!("trace: {:?}", evaluation.trace);
    };
    assert_eq!(variable, "force_destroy");
    assert_eq!(location.to_string(), "variables.tf:4");
    assert_eq!(&variables[location.range.to_std()], "true");
    let declared = &module.variables["force_destroy"];
    assert_eq!(declared.type_constraint.as_deref(), Some("bool"));
    assert!(declared.nullable && !declared.sensitive);
    assert_eq!(declared.location.line, 2);
}

#[test]
fn tfvars_follow_terraform_precedence_and_say_where_values_come_from() {
    let module = build(&[(
        "vars.tf",
        "variable \"a\" { default = 0 }\nvariable \"b\" { default = 0 }\nvariable \"c\" { default = 0 }\nvariable \"d\" { default = 0 }\nvariable \"e\" { default = 0 }\n",
    )]);
    // Given out of order, and with a file Terraform only reads when told to.
    let files = tfvars(&[
        ("env/b.auto.tfvars", "c = 4\n"),
        ("env/prod.tfvars", "a = 99\nb = 99\nc = 99\nd = 99\n"),
        ("env/terraform.tfvars.json", "{\"b\": 2, \"c\": 2}"),
        ("env/a.auto.tfvars.json", "{\"c\": 3, \"d\": 3}"),
        ("env/terraform.tfvars", "a = 1\nb = 1\nc = 1\n"),
    ]);
    let evaluator = Evaluator::new(&module, &files, ModuleKind::Root);
    let number = |name: &str| {
        evaluator
            .variable(name)
            .map(|variable| variable.value.clone())
    };
    assert_eq!(number("a"), Some(Value::Number(1.0)));
    assert_eq!(number("b"), Some(Value::Number(2.0)));
    assert_eq!(number("c"), Some(Value::Number(4.0)));
    assert_eq!(number("d"), Some(Value::Number(3.0)));
    assert_eq!(number("e"), Some(Value::Number(0.0)));
    let c = evaluator.variable("c").expect("declared");
    let Origin::Tfvars { variable, location } = &c.origin else {
        panic!("origin: {:?}", c.origin);
    };
    assert_eq!(variable, "c");
    assert_eq!(location.to_string(), "env/b.auto.tfvars:1");
    assert_eq!(c.default, Some(Value::Number(0.0)));
    let b = evaluator.variable("b").expect("declared");
    assert!(
        matches!(&b.origin, Origin::Tfvars { location, .. } if location.path == "env/terraform.tfvars.json")
    );
    assert!(matches!(
        &evaluator.variable("e").expect("declared").origin,
        Origin::Default { .. }
    ));
}

#[test]
fn tfvars_values_are_converted_to_the_declared_type_and_null_respects_nullable() {
    let module = build(&[(
        "vars.tf",
        "variable \"flag\" {\n  type = bool\n  default = false\n}\nvariable \"strict\" {\n  type = string\n  nullable = false\n  default = \"kept\"\n}\nvariable \"loose\" {\n  default = \"dropped\"\n}\nvariable \"count\" {\n  type = number\n}\n",
    )]);
    let files = tfvars(&[(
        "terraform.tfvars",
        "flag = \"true\"\nstrict = null\nloose = null\ncount = \"3\"\n",
    )]);
    let evaluator = Evaluator::new(&module, &files, ModuleKind::Root);
    let value = |name: &str| evaluator.variable(name).map(|v| v.value.clone());
    assert_eq!(value("flag"), Some(Value::Bool(true)));
    assert_eq!(value("strict"), Some(Value::String("kept".into())));
    assert!(matches!(
        evaluator.variable("strict").map(|v| &v.origin),
        Some(Origin::Default { .. })
    ));
    assert_eq!(value("loose"), Some(Value::Null));
    assert_eq!(value("count"), Some(Value::Number(3.0)));
}

#[test]
fn a_variable_without_value_is_unset_and_unknown() {
    let module = build(&[("vars.tf", "variable \"region\" {}\n")]);
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
    let region = evaluator.variable("region").expect("declared");
    assert_eq!(region.value, Value::Unknown);
    assert!(matches!(&region.origin, Origin::Unset { variable, .. } if variable == "region"));
}

#[test]
fn locals_chain_through_each_other_and_record_the_way() {
    let text = "variable \"env\" {\n  default = \"prod\"\n}\nlocals {\n  a = var.env\n  b = \"${local.a}-logs\"\n  c = upper(local.b)\n}\n";
    let evaluation = local_in(text, "c");
    assert_eq!(evaluation.value, Value::String("PROD-LOGS".into()));
    let names: Vec<String> = evaluation
        .trace
        .iter()
        .map(|origin| match origin {
            Origin::Local { name, .. } => format!("local.{name}"),
            Origin::Default { variable, .. } => format!("var.{variable}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(names, ["local.c", "local.b", "local.a", "var.env"]);
    // The second read comes from the cache and records the same way.
    let module = build(&[("main.tf", text)]);
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
    let first = evaluator.local("c");
    let second = evaluator.local("c");
    assert_eq!(first, second);
}

#[test]
fn conditional_count_gives_known_instances() {
    let text = "variable \"create\" {\n  default = false\n}\nresource \"aws_s3_bucket\" \"logs\" {\n  count  = var.create ? 1 : 0\n  bucket = \"logs-${count.index}\"\n}\n";
    let parsed = parse(&[("main.tf", text)]);
    let refs: Vec<&SourceFile<'_>> = parsed.iter().collect();
    let module = Module::build(&refs);
    let model = parsed[0].terraform();
    let resource = model.resources().next().expect("resource");
    let off = Evaluator::new(&module, &[], ModuleKind::Root);
    assert_eq!(
        off.instances("main.tf", resource.block),
        Instances::Known(Vec::new())
    );
    let on_files = tfvars(&[("terraform.tfvars", "create = true\n")]);
    let on = Evaluator::new(&module, &on_files, ModuleKind::Root);
    let instances = on.instances("main.tf", resource.block);
    assert_eq!(instances, Instances::Known(vec![Instance::Count(0)]));
    let bucket = resource.attribute("bucket").expect("written");
    assert_eq!(
        on.attribute("main.tf", bucket, Some(&Instance::Count(0)))
            .value,
        Value::String("logs-0".into())
    );
    // Without an instance, `count.index` is not known, but the text around it is.
    assert_eq!(
        on.attribute("main.tf", bucket, None).value,
        Value::Template(vec![
            Part::Text("logs-".into()),
            Part::Value(Value::Unknown)
        ])
    );
    let reusable = Evaluator::new(&module, &[], ModuleKind::Reusable);
    assert_eq!(
        reusable.instances("main.tf", resource.block),
        Instances::Unknown
    );
}

#[test]
fn possible_values_follow_unknown_conditions_through_locals() {
    let text = "variable \"export\" {}\nvariable \"env\" {}\nlocals {\n  role = var.export ? \"roles/cloudsql.admin\" : \"roles/cloudsql.viewer\"\n  nested = var.env == \"prod\" ? local.role : (!var.export ? \"a\" : \"b\")\n}\nresource \"google_project_iam_member\" \"m\" {\n  role  = local.role\n  other = local.nested\n  known = \"roles/viewer\"\n}\n";
    let parsed = parse(&[("main.tf", text)]);
    let refs: Vec<&SourceFile<'_>> = parsed.iter().collect();
    let module = Module::build(&refs);
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Reusable);
    let model = parsed[0].terraform();
    let resource = model.resources().next().expect("resource");
    let at = |name: &str| super::Location {
        path: "main.tf".into(),
        range: resource.attribute(name).expect("written").value.range,
        line: 1,
    };
    let role = evaluator.possible_values(&at("role"), None);
    let shown: Vec<(String, Vec<(String, bool)>)> = role
        .iter()
        .map(|possible| (possible.value.to_string(), possible.conditions.clone()))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "\"roles/cloudsql.admin\"".to_owned(),
                vec![("var.export".to_owned(), true)]
            ),
            (
                "\"roles/cloudsql.viewer\"".to_owned(),
                vec![("var.export".to_owned(), false)]
            ),
        ]
    );
    assert!(matches!(&role[0].trace[0], Origin::Local { name, .. } if name == "role"));
    let nested = evaluator.possible_values(&at("other"), None);
    assert_eq!(nested.len(), 4);
    assert_eq!(
        nested[3].conditions,
        [
            ("var.env == \"prod\"".to_owned(), false),
            ("!var.export".to_owned(), false)
        ]
    );
    let known = evaluator.possible_values(&at("known"), None);
    assert_eq!(known.len(), 1);
    assert!(known[0].conditions.is_empty());
}

#[test]
fn for_each_gives_each_key_and_value_per_instance() {
    let text = "variable \"buckets\" {\n  default = {\n    logs = { force = true }\n    data = { force = false }\n  }\n}\nresource \"aws_s3_bucket\" \"b\" {\n  for_each      = var.buckets\n  bucket        = each.key\n  force_destroy = each.value.force\n}\nresource \"aws_s3_bucket\" \"s\" {\n  for_each = toset([\"b\", \"a\", \"b\"])\n}\nresource \"aws_s3_bucket\" \"n\" {\n  count = 1000000000000\n}\n";
    let parsed = parse(&[("main.tf", text)]);
    let refs: Vec<&SourceFile<'_>> = parsed.iter().collect();
    let module = Module::build(&refs);
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
    let model = parsed[0].terraform();
    let mut resources = model.resources();
    let buckets = resources.next().expect("b");
    let Instances::Known(instances) = evaluator.instances("main.tf", buckets.block) else {
        panic!("for_each is known");
    };
    let keys: Vec<Key> = instances.iter().map(Instance::key).collect();
    assert_eq!(keys, [Key::Name("data".into()), Key::Name("logs".into())]);
    let force = buckets.attribute("force_destroy").expect("written");
    let name = buckets.attribute("bucket").expect("written");
    let values: Vec<(Value, Value)> = instances
        .iter()
        .map(|instance| {
            (
                evaluator.attribute("main.tf", name, Some(instance)).value,
                evaluator.attribute("main.tf", force, Some(instance)).value,
            )
        })
        .collect();
    assert_eq!(
        values,
        [
            (Value::String("data".into()), Value::Bool(false)),
            (Value::String("logs".into()), Value::Bool(true)),
        ]
    );
    let set = resources.next().expect("s");
    let Instances::Known(instances) = evaluator.instances("main.tf", set.block) else {
        panic!("toset is known");
    };
    assert_eq!(
        instances.iter().map(Instance::key).collect::<Vec<_>>(),
        [Key::Name("a".into()), Key::Name("b".into())]
    );
    let huge = resources.next().expect("n");
    assert_eq!(
        evaluator.instances("main.tf", huge.block),
        Instances::Unknown
    );
}

#[test]
fn templates_keep_known_text_around_references() {
    let value = value_of("\"${aws_s3_bucket.logs.arn}/*\"");
    let (reference, suffix) = value.reference_with_suffix().expect("reference + suffix");
    assert_eq!(reference.to_string(), "aws_s3_bucket.logs.arn");
    assert_eq!(suffix, "/*");
    assert_eq!(value.to_string(), "\"${aws_s3_bucket.logs.arn}/*\"");
    assert_eq!(
        value_of("\"arn:aws:s3:::${var.open}/*\""),
        Value::Template(vec![
            Part::Text("arn:aws:s3:::".into()),
            Part::Value(Value::Unknown),
            Part::Text("/*".into()),
        ])
    );
    // A template that is a single interpolation keeps the value's type.
    assert_eq!(value_of("\"${var.flag}\""), Value::Bool(true));
    assert_eq!(shows("\"n=${var.n}, ok=${var.flag}\""), "\"n=3, ok=true\"");
    assert_eq!(
        shows("\"a\\tb\\\"c\\u00e9 $${x} %%{y}\""),
        "\"a\\tb\\\"cé ${x} %{y}\""
    );
    assert_eq!(shows("\"  ${~ \"x\" ~}  y\""), "\"xy\"");
    assert_eq!(shows("\"%{ if true }x%{ endif }\""), "(known after apply)");
    assert_eq!(
        value_of("\"a-%{ if true }x%{ endif }\""),
        Value::Template(vec![Part::Text("a-".into()), Part::Value(Value::Unknown)])
    );
    assert_eq!(value_of("\"list: ${local.l}\""), Value::Unknown);
}

#[test]
fn heredocs_are_templates_and_flush_heredocs_lose_their_indentation() {
    let text = "locals {\n  plain = <<EOT\n  keep ${\"x\"}\nEOT\n  flush = <<-EOT\n    a\n      b ${1 + 1}\n    EOT\n}\n";
    assert_eq!(
        local_in(text, "plain").value,
        Value::String("  keep x\n".into())
    );
    assert_eq!(
        local_in(text, "flush").value,
        Value::String("a\n  b 2\n".into())
    );
}

#[test]
fn references_are_specific_objects_and_attributes() {
    let resource = reference("aws_s3_bucket.logs.arn");
    assert_eq!(resource.object, "aws_s3_bucket.logs");
    assert_eq!(resource.path, [Step::Attribute("arn".into())]);
    let module = reference("module.vpc.vpc_id");
    assert_eq!(module.object, "module.vpc");
    assert_eq!(module.to_string(), "module.vpc.vpc_id");
    let data = reference("data.aws_iam_policy_document.x.json");
    assert_eq!(data.object, "data.aws_iam_policy_document.x");
    assert_eq!(data.path, [Step::Attribute("json".into())]);
    let indexed = reference("aws_s3_bucket.logs[var.n - 3].arn");
    assert_eq!(indexed.instance, Some(Key::Index(0)));
    assert_eq!(indexed.to_string(), "aws_s3_bucket.logs[0].arn");
    let keyed = reference("aws_s3_bucket.logs[\"a\"].tags[\"Name\"]");
    assert_eq!(
        keyed.to_string(),
        "aws_s3_bucket.logs[\"a\"].tags[\"Name\"]"
    );
    assert_eq!(reference("aws_s3_bucket.logs").path, []);
    // Wildcards and unknown keys are never references.
    assert_eq!(value_of("aws_s3_bucket.logs[*].arn"), Value::Unknown);
    assert_eq!(value_of("aws_s3_bucket.logs[var.open].arn"), Value::Unknown);
    assert_eq!(value_of("path.module"), Value::Unknown);
    assert_eq!(value_of("terraform.workspace"), Value::Unknown);
    // Only declared objects are referenced.
    assert_eq!(value_of("aws_s3_bucket.other.arn"), Value::Unknown);
    assert_eq!(value_of("module.other.id"), Value::Unknown);
    assert_eq!(
        value_of("data.aws_iam_policy_document.other.json"),
        Value::Unknown
    );
    // A reference kept in a local keeps going.
    let text = "resource \"aws_s3_bucket\" \"logs\" {}\nlocals {\n  bucket = aws_s3_bucket.logs\n  arn = local.bucket.arn\n}\n";
    assert_eq!(
        local_in(text, "arn").value.to_string(),
        "aws_s3_bucket.logs.arn"
    );
}

#[test]
fn operators_follow_terraform() {
    let cases = [
        ("!var.flag", "false"),
        ("var.flag && var.n > 2", "true"),
        ("var.n == 3", "true"),
        ("var.n == \"3\"", "false"),
        ("var.n != 3 || false", "false"),
        ("-var.n + 1", "-2"),
        ("var.n * 2 - 1", "5"),
        ("7 / 2", "3.5"),
        ("7 % 4", "3"),
        ("var.n >= 3 && var.n <= 3 && var.n < 4", "true"),
        ("\"true\" && true", "true"),
        ("false && var.open", "false"),
        ("true || var.open", "true"),
        ("true && var.open", "(known after apply)"),
        ("var.open == 1", "(known after apply)"),
        ("1 / 0", "(known after apply)"),
        ("\"a\" + 1", "(known after apply)"),
        ("local.m == { a = 1, b = \"two\" }", "true"),
        ("[1, 2] == [1, 2]", "true"),
        ("null == null", "true"),
        ("var.flag ? \"on\" : \"off\"", "\"on\""),
        ("var.open ? 1 : 0", "(known after apply)"),
        ("var.n > 5 ? 1 : var.n > 2 ? 2 : 3", "2"),
        ("(var.n)", "3"),
        ("(local.m).a", "1"),
        ("local.l[1]", "\"y\""),
        ("local.l.0", "\"x\""),
        ("local.m[\"b\"]", "\"two\""),
        ("local.m.missing", "(known after apply)"),
        ("local.l[5]", "(known after apply)"),
        ("[{ a = 1 }, { a = 2 }][*].a", "[1, 2]"),
        ("{ (local.l[0]) = 1, b = 2 }", "{ \"b\" = 2, \"x\" = 1 }"),
    ];
    for (expression, expected) in cases {
        assert_eq!(shows(expression), expected, "{expression}");
    }
}

#[test]
fn trailing_steps_bind_to_the_operand_not_the_operation() {
    // tree-sitter-hcl parses these as `(var.a == var).b`, `(!var).flag`, `(-local).m.a`.
    let text = "variable \"a\" {\n  default = \"x\"\n}\nvariable \"b\" {\n  default = \"x\"\n}\nvariable \"flag\" {\n  default = false\n}\nlocals {\n  m = { a = 2 }\n  eq = var.a == var.b\n  not = !var.flag\n  neg = -local.m.a\n  sum = 1 + local.m.a * local.m.a\n  mixed = var.a == \"x\" && !var.flag\n}\n";
    assert_eq!(local_in(text, "eq").value, Value::Bool(true));
    assert_eq!(local_in(text, "not").value, Value::Bool(true));
    assert_eq!(local_in(text, "neg").value, Value::Number(-2.0));
    assert_eq!(local_in(text, "sum").value, Value::Number(5.0));
    assert_eq!(local_in(text, "mixed").value, Value::Bool(true));
}

#[test]
fn functions_compute_when_their_arguments_are_known() {
    let cases = [
        ("concat([1], [2, 3], [])", "[1, 2, 3]"),
        ("concat([1], var.open)", "(known after apply)"),
        (
            "merge({ a = 1, b = 1 }, null, { b = 2 })",
            "{ \"a\" = 1, \"b\" = 2 }",
        ),
        ("lookup(local.m, \"a\")", "1"),
        ("lookup(local.m, \"zz\", \"fallback\")", "\"fallback\""),
        ("lookup(local.m, \"zz\")", "(known after apply)"),
        ("coalesce(null, \"\", \"first\", \"second\")", "\"first\""),
        ("coalesce(var.open, \"x\")", "(known after apply)"),
        ("try(local.m.missing, local.m.a, 9)", "1"),
        ("try(local.m.missing, \"fallback\")", "\"fallback\""),
        ("try(var.open, 1)", "(known after apply)"),
        ("can(local.m.a)", "true"),
        ("can(local.m.missing)", "false"),
        (
            "format(\"%s-%d-%v-%t\", \"a\", 42, var.flag, true)",
            "\"a-42-true-true\"",
        ),
        ("format(\"web-%03d\", 7)", "\"web-007\""),
        ("format(\"%.2f%%\", 12.345)", "\"12.35%\""),
        ("format(\"%q\", \"x\")", "\"\\\"x\\\"\""),
        (
            "format(\"%s/*\", aws_s3_bucket.logs.arn)",
            "\"${aws_s3_bucket.logs.arn}/*\"",
        ),
        ("format(\"%s\")", "(known after apply)"),
        ("join(\",\", local.l)", "\"x,y,z\""),
        ("join(\"-\", [\"a\"], [\"b\", 1])", "\"a-b-1\""),
        ("split(\",\", \"a,b,,c\")", "[\"a\", \"b\", \"\", \"c\"]"),
        ("lower(\"AbC\")", "\"abc\""),
        ("upper(\"AbC\")", "\"ABC\""),
        ("tolist([\"b\", \"a\"])", "[\"b\", \"a\"]"),
        ("toset([\"b\", \"a\", \"b\"])", "[\"a\", \"b\"]"),
        ("toset([2, 10, 2])", "[2, 10]"),
        ("toset([1, \"a\"])", "[\"1\", \"a\"]"),
        ("tomap({ a = 1 })", "{ \"a\" = 1 }"),
        ("tomap([1])", "(known after apply)"),
        (
            "jsonencode({ b = [1, true, null], a = \"<x>\" })",
            "\"{\\\"a\\\":\\\"\\\\u003cx\\\\u003e\\\",\\\"b\\\":[1,true,null]}\"",
        ),
        ("jsonencode([var.open])", "(known after apply)"),
        ("length(local.l)", "3"),
        ("length(local.m)", "2"),
        ("length(\"héllo\")", "5"),
        ("length([var.open, 1])", "2"),
        ("contains(local.l, \"y\")", "true"),
        ("contains(local.l, \"q\")", "false"),
        ("element(local.l, 4)", "\"y\""),
        ("element([], 0)", "(known after apply)"),
        ("flatten([[1, [2]], [], 3])", "[1, 2, 3]"),
        ("flatten([var.open])", "(known after apply)"),
        ("keys({ b = 1, a = 2 })", "[\"a\", \"b\"]"),
        ("values({ b = 1, a = 2 })", "[2, 1]"),
        ("zipmap([\"a\", \"b\"], [1, 2])", "{ \"a\" = 1, \"b\" = 2 }"),
        ("zipmap([\"a\"], [1, 2])", "(known after apply)"),
        ("concat(local.l...)", "(known after apply)"),
        ("max([1, 5, 3]...)", "5"),
        ("min(4, 2)", "2"),
        ("tostring(5)", "\"5\""),
        ("tonumber(\"5\")", "5"),
        ("tobool(\"false\")", "false"),
        ("trimspace(\"  a \")", "\"a\""),
        ("replace(\"a-b-c\", \"-\", \"_\")", "\"a_b_c\""),
        ("replace(\"a-b\", \"/-/\", \"_\")", "(known after apply)"),
        ("compact([\"a\", \"\", null, \"b\"])", "[\"a\", \"b\"]"),
        ("distinct([1, 2, 1])", "[1, 2]"),
        (
            "sort([\"b\", \"a\", 10, 9])",
            "[\"10\", \"9\", \"a\", \"b\"]",
        ),
        ("one([])", "null"),
        ("one([\"x\"])", "\"x\""),
        ("startswith(\"arn:aws\", \"arn:\")", "true"),
        ("cidrsubnet(\"10.0.0.0/8\", 8, 1)", "(known after apply)"),
        ("provider::aws::arn_parse(\"x\")", "(known after apply)"),
    ];
    for (expression, expected) in cases {
        assert_eq!(shows(expression), expected, "{expression}");
    }
}

#[test]
fn for_expressions_evaluate_when_small_and_known() {
    let cases = [
        ("[for s in local.l : upper(s)]", "[\"X\", \"Y\", \"Z\"]"),
        (
            "[for i, s in local.l : \"${i}=${s}\" if s != \"y\"]",
            "[\"0=x\", \"2=z\"]",
        ),
        (
            "{ for k, v in local.m : k => v }",
            "{ \"a\" = 1, \"b\" = \"two\" }",
        ),
        (
            "{ for s in [\"a\", \"b\", \"a\"] : s => s... }",
            "{ \"a\" = [\"a\", \"a\"], \"b\" = [\"b\"] }",
        ),
        (
            "{ for s in [\"a\", \"a\"] : s => 1 }",
            "(known after apply)",
        ),
        ("[for s in var.open : s]", "(known after apply)"),
        ("[for s in local.l : s if var.open]", "(known after apply)"),
        ("[for s in [[1], [2]] : s[0]]", "[1, 2]"),
    ];
    for (expression, expected) in cases {
        assert_eq!(shows(expression), expected, "{expression}");
    }
}

#[test]
fn a_reusable_module_keeps_defaults_apart_from_values() {
    let text = "variable \"force_destroy\" {\n  default = true\n}\nresource \"aws_s3_bucket\" \"logs\" {\n  force_destroy = var.force_destroy\n}\n";
    let parsed = parse(&[("modules/bucket/main.tf", text)]);
    let refs: Vec<&SourceFile<'_>> = parsed.iter().collect();
    let module = Module::build(&refs);
    let layout = ModuleLayout {
        is_called: true,
        has_examples_or_modules_dir: false,
        has_tfvars: false,
    };
    let classification = module.classify(&layout);
    assert_eq!(classification.kind, ModuleKind::Reusable);
    assert_eq!(classification.reason, KindReason::Called);
    let evaluator = Evaluator::new(&module, &[], classification.kind);
    let model = parsed[0].terraform();
    let resource = model.resources().next().expect("resource");
    let attribute = resource.attribute("force_destroy").expect("written");
    let evaluation = evaluator.attribute("modules/bucket/main.tf", attribute, None);
    assert_eq!(evaluation.value, Value::Unknown);
    let [Origin::Caller { variable, default }] = evaluation.trace.as_slice() else {
        panic!("trace: {:?}", evaluation.trace);
    };
    assert_eq!(variable, "force_destroy");
    assert_eq!(
        default.as_ref().map(ToString::to_string).as_deref(),
        Some("modules/bucket/main.tf:2")
    );
    assert_eq!(
        evaluator
            .variable("force_destroy")
            .and_then(|v| v.default.clone()),
        Some(Value::Bool(true))
    );
    // The same module evaluated as a root shows what the default alone gives.
    let as_root = Evaluator::new(&module, &[], ModuleKind::Root);
    assert_eq!(
        as_root
            .attribute("modules/bucket/main.tf", attribute, None)
            .value,
        Value::Bool(true)
    );
}

#[test]
fn root_or_reusable_follows_backend_providers_calls_and_layout() {
    let layout = |is_called, has_examples_or_modules_dir, has_tfvars| ModuleLayout {
        is_called,
        has_examples_or_modules_dir,
        has_tfvars,
    };
    let backend = build(&[(
        "main.tf",
        "terraform {\n  backend \"s3\" {\n    bucket = \"state\"\n  }\n}\n",
    )]);
    let decided = backend.classify(&layout(true, true, false));
    assert_eq!(decided.kind, ModuleKind::Root);
    assert!(matches!(decided.reason, KindReason::Backend(_)));
    assert_eq!(
        backend.backend.as_ref().map(|b| b.kind.as_str()),
        Some("s3")
    );
    let cloud = build(&[("main.tf", "terraform {\n  cloud {}\n}\n")]);
    assert_eq!(
        cloud.backend.as_ref().map(|b| b.kind.as_str()),
        Some("cloud")
    );
    let provider = build(&[(
        "main.tf",
        "provider \"aws\" {\n  region = \"eu-west-1\"\n  alias = \"eu\"\n}\n",
    )]);
    let decided = provider.classify(&layout(true, false, false));
    assert!(matches!(decided.reason, KindReason::Provider(_)));
    assert_eq!(provider.providers[0].alias.as_deref(), Some("eu"));
    let plain = build(&[("main.tf", "resource \"a\" \"b\" {}\n")]);
    assert_eq!(
        plain.classify(&layout(false, false, true)).reason,
        KindReason::Tfvars
    );
    assert_eq!(
        plain.classify(&layout(true, false, false)).kind,
        ModuleKind::Reusable
    );
    assert_eq!(
        plain.classify(&layout(false, true, false)).reason,
        KindReason::PublishedLayout
    );
    let decided = plain.classify(&layout(false, false, false));
    assert_eq!(
        (decided.kind, decided.reason),
        (ModuleKind::Root, KindReason::NotCalled)
    );
    let published = build(&[
        ("main.tf", "resource \"a\" \"b\" {}\n"),
        (
            "versions.tf",
            "terraform {\n  required_version = \">= 1.5\"\n  required_providers {\n    aws = { source = \"hashicorp/aws\" }\n  }\n}\n",
        ),
    ]);
    assert_eq!(
        published.classify(&layout(false, false, false)).kind,
        ModuleKind::Reusable
    );
}

#[test]
fn the_symbol_table_lists_every_declaration() {
    let main = "module \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n  version = \"5.0.0\"\n  count = 1\n  cidr = \"10.0.0.0/16\"\n  providers = { aws = aws }\n}\nresource \"aws_s3_bucket\" \"logs\" {\n  for_each = toset([\"a\"])\n}\ndata \"aws_caller_identity\" \"current\" {}\noutput \"arn\" {\n  value = aws_s3_bucket.logs[\"a\"].arn\n  sensitive = true\n}\nmoved {\n  from = aws_s3_bucket.old\n  to   = aws_s3_bucket.logs\n}\nremoved {\n  from = aws_s3_bucket.gone\n  lifecycle {\n    destroy = false\n  }\n}\nimport {\n  to = aws_s3_bucket.logs[\"a\"]\n  id = \"logs-a\"\n}\n";
    let module = build(&[("main.tf", main)]);
    let vpc = &module.module_calls["vpc"];
    assert_eq!(vpc.source.as_deref(), Some("terraform-aws-modules/vpc/aws"));
    assert_eq!(vpc.version.as_deref(), Some("5.0.0"));
    assert_eq!(vpc.inputs.keys().collect::<Vec<_>>(), ["cidr"]);
    assert!(vpc.count.is_some() && vpc.for_each.is_none());
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
    assert_eq!(
        evaluator.evaluate(&vpc.inputs["cidr"], None).value,
        Value::String("10.0.0.0/16".into())
    );
    let logs = &module.resources["aws_s3_bucket.logs"];
    assert_eq!(logs.resource_type, "aws_s3_bucket");
    assert!(logs.for_each.is_some());
    assert!(
        module
            .data_sources
            .contains_key("data.aws_caller_identity.current")
    );
    let output = &module.outputs["arn"];
    assert!(output.sensitive);
    let value = output.value.as_ref().expect("value");
    assert_eq!(
        evaluator.evaluate(value, None).value.to_string(),
        "aws_s3_bucket.logs[\"a\"].arn"
    );
    assert_eq!(module.moved[0].from.as_deref(), Some("aws_s3_bucket.old"));
    assert_eq!(module.moved[0].to.as_deref(), Some("aws_s3_bucket.logs"));
    assert_eq!(
        module.removed[0].from.as_deref(),
        Some("aws_s3_bucket.gone")
    );
    assert_eq!(module.removed[0].destroy, Some(false));
    assert_eq!(
        module.imports[0].to.as_deref(),
        Some("aws_s3_bucket.logs[\"a\"]")
    );
    assert!(module.imports[0].id.is_some());
    assert!(module.problems.is_empty(), "{:?}", module.problems);
}

#[test]
fn duplicates_keep_the_first_declaration_and_report_the_rest() {
    let module = build(&[
        (
            "a.tf",
            "variable \"x\" {\n  default = 1\n}\nlocals {\n  l = \"first\"\n}\nresource \"r\" \"n\" {}\n",
        ),
        (
            "b.tf",
            "variable \"x\" {\n  default = 2\n}\nlocals {\n  l = \"second\"\n}\nresource \"r\" \"n\" {}\noutput \"o\" {}\noutput \"o\" {}\n",
        ),
    ]);
    assert_eq!(module.problems.len(), 4, "{:?}", module.problems);
    assert!(module.problems[0].message.contains("a.tf:1"));
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
    assert_eq!(
        evaluator.variable("x").map(|v| v.value.clone()),
        Some(Value::Number(1.0))
    );
    assert_eq!(evaluator.local("l").value, Value::String("first".into()));
}

#[test]
fn override_files_replace_locals_and_variable_defaults() {
    let module = build(&[
        (
            "z_override.tf",
            "locals {\n  l = \"override\"\n}\nvariable \"x\" {\n  default = 2\n}\nvariable \"ghost\" {}\n",
        ),
        (
            "main.tf",
            "variable \"x\" {\n  type = number\n  default = 1\n}\nlocals {\n  l = \"main\"\n}\n",
        ),
    ]);
    assert_eq!(module.files, ["main.tf", "z_override.tf"]);
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
    assert_eq!(evaluator.local("l").value, Value::String("override".into()));
    let x = evaluator.variable("x").expect("declared");
    assert_eq!(x.value, Value::Number(2.0));
    assert_eq!(
        module.variables["x"].type_constraint.as_deref(),
        Some("number")
    );
    assert_eq!(module.problems.len(), 1);
}

#[test]
fn the_json_syntax_reads_like_hcl() {
    let variables = r#"{"variable": {"force_destroy": {"type": "bool", "default": true}, "tags": {"default": {"team": "${not interpolated}"}}}}"#;
    let main = r#"{
  "locals": {
    "prefix": "logs-${var.force_destroy}",
    "settings": {"retain": "${!var.force_destroy}"},
    "names": ["a", "${upper(\"b\")}"]
  },
  "resource": {"aws_s3_bucket": {"logs": {"force_destroy": "${var.force_destroy}", "policy": "${aws_s3_bucket.x.arn}/*"}, "x": {}}}
}"#;
    let parsed = parse(&[("variables.tf.json", variables), ("main.tf.json", main)]);
    let refs: Vec<&SourceFile<'_>> = parsed.iter().collect();
    let module = Module::build(&refs);
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
    assert_eq!(
        evaluator.local("prefix").value,
        Value::String("logs-true".into())
    );
    assert_eq!(
        evaluator.local("settings").value.to_string(),
        "{ \"retain\" = false }"
    );
    assert_eq!(evaluator.local("names").value.to_string(), "[\"a\", \"B\"]");
    assert_eq!(
        evaluator
            .variable("tags")
            .map(|v| v.value.to_string())
            .as_deref(),
        Some("{ \"team\" = \"${not interpolated}\" }")
    );
    let model = parsed[1].terraform();
    let resource = model.resources().next().expect("resource");
    let force = resource.attribute("force_destroy").expect("written");
    let evaluation = evaluator.attribute("main.tf.json", force, None);
    assert_eq!(evaluation.value, Value::Bool(true));
    assert!(matches!(
        evaluation.trace.as_slice(),
        [Origin::Default { location, .. }] if location.path == "variables.tf.json"
    ));
    let policy = resource.attribute("policy").expect("written");
    assert_eq!(
        evaluator
            .attribute("main.tf.json", policy, None)
            .value
            .to_string(),
        "\"${aws_s3_bucket.x.arn}/*\""
    );
}

#[test]
fn a_cycle_among_locals_is_unknown() {
    let text = "locals {\n  a = local.b\n  b = local.a\n  self = \"x${local.self}\"\n  uses = [local.a, 1]\n}\n";
    let module = build(&[("main.tf", text)]);
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
    for name in ["a", "b", "self"] {
        let evaluation = evaluator.local(name);
        assert_eq!(evaluation.value, Value::Unknown, "{name}");
        assert!(!evaluation.limit_reached, "{name}");
    }
    assert_eq!(
        evaluator.local("uses").value,
        Value::List(vec![Value::Unknown, Value::Number(1.0)])
    );
}

#[test]
fn ten_thousand_deep_expressions_are_unknown() {
    let depth = 10_000;
    let nested = |open: &str, inner: &str, close: &str| {
        format!(
            "locals {{\n  x = {}{inner}{}\n}}\n",
            open.repeat(depth),
            close.repeat(depth)
        )
    };
    let texts = [
        nested("(", "1", ")"),
        nested("[", "1", "]"),
        nested("upper(", "\"a\"", ")"),
        nested("true ? ", "1", " : 0"),
        nested("-", "1", ""),
        nested("!", "true", ""),
        format!("locals {{\n  x = {}1\n}}\n", "1 + ".repeat(depth)),
        format!("locals {{\n  x = {}1\n}}\n", "1 * 1 + ".repeat(depth)),
    ];
    for text in &texts {
        let evaluation = local_in(text, "x");
        assert_eq!(evaluation.value, Value::Unknown, "{}", &text[..40]);
        assert!(evaluation.limit_reached, "{}", &text[..40]);
    }
    // The grammar's template scanner gives up on deep nesting before lowering does; the
    // result is unknown all the same.
    let templates = format!(
        "locals {{\n  x = \"{}\"\n}}\n",
        "${\"".repeat(depth) + &"\"}".repeat(depth)
    );
    assert_eq!(local_in(&templates, "x").value, Value::Unknown);
}

#[test]
fn expressions_just_inside_the_depth_bound_are_evaluated() {
    let depth = 60;
    let text = format!(
        "locals {{\n  x = {}\"a\"{}\n  y = {}1{}\n}}\n",
        "upper(".repeat(depth),
        ")".repeat(depth),
        "(".repeat(depth),
        ")".repeat(depth)
    );
    assert_eq!(local_in(&text, "x").value, Value::String("A".into()));
    assert_eq!(local_in(&text, "y").value, Value::Number(1.0));
}

#[test]
fn long_chains_of_locals_reach_the_depth_bound() {
    let mut text = String::from("locals {\n  l0 = 1\n");
    for index in 1..10_000 {
        text.push_str(&format!("  l{index} = local.l{}\n", index - 1));
    }
    text.push_str("}\n");
    let evaluation = local_in(&text, "l9999");
    assert_eq!(evaluation.value, Value::Unknown);
    assert!(evaluation.limit_reached);
    // A short chain is fine.
    assert_eq!(local_in(&text, "l20").value, Value::Number(1.0));
}

#[test]
fn values_that_double_at_every_step_exhaust_the_budget() {
    let mut text = String::from("locals {\n  l0 = [\"aaaaaaaaaaaaaaaa\", \"b\"]\n");
    for index in 1..64 {
        let previous = index - 1;
        text.push_str(&format!(
            "  l{index} = concat(local.l{previous}, local.l{previous})\n"
        ));
    }
    text.push_str("  s0 = \"xxxxxxxxxxxxxxxx\"\n");
    for index in 1..64 {
        let previous = index - 1;
        text.push_str(&format!(
            "  s{index} = \"${{local.s{previous}}}${{local.s{previous}}}\"\n"
        ));
    }
    text.push_str("}\n");
    for name in ["l63", "s63"] {
        let evaluation = local_in(&text, name);
        assert_eq!(evaluation.value, Value::Unknown, "{name}");
        assert!(evaluation.limit_reached, "{name}");
    }
    assert_eq!(
        local_in(&text, "l3").value.items().len(),
        16,
        "small doublings still evaluate"
    );
}

#[test]
fn a_for_over_a_hundred_thousand_items_is_unknown() {
    let items = vec!["0"; 100_000].join(",");
    let text = format!(
        "locals {{\n  big = [{items}]\n  doubled = [for i in local.big : i * 2]\n  from_split = [for s in split(\",\", \"{items}\") : s]\n}}\n"
    );
    let module = build(&[("main.tf", &text)]);
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
    for name in ["doubled", "from_split", "big"] {
        let evaluation = evaluator.local(name);
        assert_eq!(evaluation.value, Value::Unknown, "{name}");
        assert!(evaluation.limit_reached, "{name}");
    }
}

#[test]
fn garbage_tfvars_give_the_values_that_parsed() {
    let files = tfvars(&[
        (
            "terraform.tfvars",
            "a = 1\nb = [1, 2\nc = \"ok\"\nblock {\n}\nd = = =\n",
        ),
        ("x.auto.tfvars.json", "{\"e\": true, \"f\": [1, }"),
        ("y.auto.tfvars.json", "[1, 2]"),
        ("z.auto.tfvars", "\u{0}\u{1}\u{fffd}=\"\n\"\"\"${"),
    ]);
    let hcl = &files[0];
    assert!(!hcl.problems.is_empty());
    assert!(hcl.assignments.contains_key("a"));
    assert!(hcl.assignments.contains_key("c"));
    assert!(!files[1].problems.is_empty());
    assert!(files[1].assignments.contains_key("e"));
    assert!(!files[2].problems.is_empty());
    assert!(!files[3].problems.is_empty());
    let module = build(&[(
        "vars.tf",
        "variable \"a\" {}\nvariable \"c\" {}\nvariable \"d\" {\n  default = 5\n}\nvariable \"e\" {}\n",
    )]);
    let evaluator = Evaluator::new(&module, &files, ModuleKind::Root);
    let value = |name: &str| evaluator.variable(name).map(|v| v.value.clone());
    assert_eq!(value("a"), Some(Value::Number(1.0)));
    assert_eq!(value("c"), Some(Value::String("ok".into())));
    assert_eq!(value("e"), Some(Value::Bool(true)));
}

#[test]
fn tfvars_name_repeats_and_blocks_are_problems() {
    let file = Tfvars::parse("terraform.tfvars", "a = 1\na = 2\nb {}\n");
    assert_eq!(file.problems.len(), 2, "{:?}", file.problems);
    assert_eq!(file.problems[0].location.line, 2);
    let module = build(&[("vars.tf", "variable \"a\" {}\n")]);
    let evaluator = Evaluator::new(&module, &[file], ModuleKind::Root);
    assert_eq!(
        evaluator.variable("a").map(|v| v.value.clone()),
        Some(Value::Number(1.0))
    );
}

#[test]
fn tfvars_are_literals_and_cannot_name_anything() {
    let module = build(&[("vars.tf", "variable \"a\" {}\nvariable \"b\" {}\n")]);
    let files = tfvars(&[("terraform.tfvars", "a = var.b\nb = upper(\"x\")\n")]);
    let evaluator = Evaluator::new(&module, &files, ModuleKind::Root);
    assert_eq!(
        evaluator.variable("a").map(|v| v.value.clone()),
        Some(Value::Unknown)
    );
    assert_eq!(
        evaluator.variable("b").map(|v| v.value.clone()),
        Some(Value::String("X".into()))
    );
}

#[test]
fn broken_configuration_never_panics_and_stays_unknown() {
    let texts = [
        "locals {\n  a = (1 +\n  b = 2\n}\n",
        "locals {\n  a = \"${\n}\n",
        "locals {\n  a = [for x in : x]\n  b = { for }\n}\n",
        "variable {\n}\nresource \"only_type\" {}\nmodule {}\noutput {}\nlocals {\n  x = local.\n}\n",
        "locals {\n  a = <<EOT\n  unterminated\n",
        "locals {\n  a = 1 % 0\n  b = -\"x\"\n  c = format(\"%99999999999999999999d\", 1)\n  d = format(\"%\")\n}\n",
        "\u{0}\u{1}{{{{}}}}\"\"\"",
    ];
    for text in texts {
        let module = build(&[("main.tf", text)]);
        let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
        for name in module.locals.keys() {
            let value = evaluator.local(name).value;
            assert!(
                matches!(value, Value::Unknown | Value::Number(_)),
                "{text:?}: local.{name} = {value}"
            );
        }
    }
    assert_eq!(
        local_in("locals {\n  a = 1 % 0\n}\n", "a").value,
        Value::Unknown
    );
}

#[test]
fn dynamic_block_iterators_are_not_references() {
    let text = "variable \"cidrs\" {\n  default = [\"10.0.0.0/8\"]\n}\nresource \"aws_security_group\" \"web\" {\n  dynamic \"ingress\" {\n    for_each = var.cidrs\n    content {\n      cidr_blocks = [ingress.value]\n    }\n  }\n}\n";
    let parsed = parse(&[("main.tf", text)]);
    let refs: Vec<&SourceFile<'_>> = parsed.iter().collect();
    let module = Module::build(&refs);
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
    let model = parsed[0].terraform();
    let resource = model.resources().next().expect("resource");
    let dynamic = resource.block.body.block("dynamic").expect("dynamic");
    let for_each = dynamic.body.attribute("for_each").expect("for_each");
    assert_eq!(
        evaluator
            .attribute("main.tf", for_each, None)
            .value
            .to_string(),
        "[\"10.0.0.0/8\"]"
    );
    let content = dynamic.body.block("content").expect("content");
    let cidrs = content.body.attribute("cidr_blocks").expect("cidr_blocks");
    assert_eq!(
        evaluator.attribute("main.tf", cidrs, None).value,
        Value::List(vec![Value::Unknown])
    );
}

/// Expressions inside attribute values (a `jsonencode` argument's fields, tuple items, the
/// items of a nested block's list) are evaluated by their range, lowered on demand.
#[test]
fn expressions_inside_attribute_values() {
    let text = "resource \"aws_s3_bucket\" \"logs\" {}\n\
                resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({\n    Resource = \
                [aws_s3_bucket.logs.arn, \"${aws_s3_bucket.logs.arn}/*\"]\n  })\n}\n\
                data \"aws_iam_policy_document\" \"d\" {\n  statement {\n    resources = \
                [var.arn]\n  }\n}\nvariable \"arn\" {\n  default = \"arn:aws:s3:::x\"\n}\n";
    let files = parse(&[("main.tf", text)]);
    let refs: Vec<&SourceFile<'_>> = files.iter().collect();
    let module = Module::build(&refs);
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
    let at = |needle: &str| {
        let start = text.find(needle).expect("written");
        redline_text::TextRange::from_usize(start, start + needle.len())
    };
    let value = |needle: &str| evaluator.expression(&files[0], at(needle), None).value;
    assert_eq!(
        value("aws_s3_bucket.logs.arn").to_string(),
        "aws_s3_bucket.logs.arn"
    );
    let list = value("[aws_s3_bucket.logs.arn, \"${aws_s3_bucket.logs.arn}/*\"]");
    assert_eq!(
        list.items()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["aws_s3_bucket.logs.arn", "\"${aws_s3_bucket.logs.arn}/*\""]
    );
    let (reference, suffix) = list.items()[1]
        .reference_with_suffix()
        .expect("a reference");
    assert_eq!(
        (reference.object.as_str(), suffix),
        ("aws_s3_bucket.logs", "/*")
    );
    assert_eq!(value("var.arn"), Value::String("arn:aws:s3:::x".to_owned()));
    // Not an expression's exact range: nothing is guessed.
    assert_eq!(value("logs.arn"), Value::Unknown);
    assert_eq!(value("jsonencode"), Value::Unknown);
}

/// Every attribute value of `text` (an HCL file), lowered in place and cut out of the file:
/// the two must agree. Returns how many values were compared.
fn lowered_both_ways(text: &str) -> usize {
    fn walk(body: crate::hcl::Body<'_>, text: &str, depth: usize, compared: &mut usize) {
        for attribute in body.attributes() {
            let Some(expression) = attribute.expression() else {
                continue;
            };
            let in_place = format!("{:?}", super::lower::from_hcl(expression, text));
            let cut_out = format!(
                "{:?}",
                super::lower::from_hcl_source(&text[expression.byte_range()])
            );
            assert_eq!(in_place, cut_out, "{}", &text[expression.byte_range()]);
            *compared += 1;
        }
        if depth < 32 {
            for block in body.blocks() {
                if let Some(inner) = block.body() {
                    walk(inner, text, depth + 1, compared);
                }
            }
        }
    }
    let Some(tree) = crate::tree::parse(crate::Language::Hcl, text) else {
        return 0;
    };
    let mut compared = 0;
    if let Some(body) = crate::hcl::root_body(&tree) {
        walk(body, text, 0, &mut compared);
    }
    compared
}

#[test]
fn resource_values_lowered_on_first_use_are_lowered_as_in_place() {
    let text = r#"
variable "names" {
  default = ["a", "b"]
}
resource "aws_s3_bucket" "logs" {
  bucket        = "${var.prefix}-logs-${count.index}"
  force_destroy = var.env == "dev" ? true : false # trailing comment
  count         = length(var.names) > 0 ? length(var.names) : 0
  tags = merge(var.tags, {
    Name = upper(local.name) // inner comment
    "kebab-key" = [for k, v in var.map : "${k}=${v}" if v != null]
  })
  policy = <<-EOT
    {"Statement": [{"Resource": "${aws_s3_bucket.other.arn}/*"}]}
  EOT
  list  = [1, -2.5, 0x1F, !var.flag, (var.a + var.b) * 2, var.m[*].id, var.o.*.name]
  broken = [1, 2
  lifecycle {
    prevent_destroy = true
  }
}
data "aws_iam_policy_document" "x" {
  statement {
    actions   = ["s3:*"]
    resources = ["${module.bucket.arn}/*", "*"]
  }
}
"#;
    assert!(lowered_both_ways(text) >= 10);
    // Lowered on first use through the module, a resource value evaluates as before.
    let module = build(&[("main.tf", text)]);
    let evaluator = Evaluator::new(&module, &[], ModuleKind::Root);
    let declaration = &module.resources["aws_s3_bucket.logs"];
    let count = declaration.count.as_ref().expect("count");
    assert_eq!(evaluator.evaluate(count, None).value, Value::Number(2.0));
}

#[test]
fn object_reads_follow_locals_and_nested_expressions() {
    use super::references::ObjectRead;
    let text = "resource \"aws_vpc\" \"main\" {}\nresource \"aws_kms_key\" \"k\" {}\nlocals {\n  vpc = aws_vpc.main.id\n  again = local.vpc\n  self_loop = local.self_loop\n}\nresource \"aws_subnet\" \"a\" {\n  vpc_id = local.again\n  tags = { k = \"${aws_kms_key.k.arn}/x\", n = upper(module.net.name) }\n  cidr_block = cidrsubnet(var.cidr, 8, count.index)\n  az = data.aws_zones.all.names[0]\n  loop = local.self_loop\n}\n";
    let files = parse(&[("main.tf", text)]);
    let module = Module::build(&files.iter().collect::<Vec<_>>());
    let model = files[0].terraform();
    let subnet = model
        .resources()
        .find(|resource| resource.name == "a")
        .unwrap();
    let reads =
        |name: &str| module.object_reads("main.tf", subnet.attribute(name).unwrap().value.range);
    let read = |object: &str, attribute: &str| ObjectRead {
        object: object.into(),
        attribute: Some(attribute.into()),
    };
    assert_eq!(reads("vpc_id"), [read("aws_vpc.main", "id")]);
    assert_eq!(
        reads("tags"),
        [read("aws_kms_key.k", "arn"), read("module.net", "name")]
    );
    assert!(reads("cidr_block").is_empty());
    let cidr = subnet.attribute("cidr_block").unwrap().value.range;
    assert_eq!(
        module.reads_with_variables("main.tf", cidr),
        [ObjectRead {
            object: "var.cidr".into(),
            attribute: None,
        }]
    );
    assert_eq!(reads("az"), [read("data.aws_zones.all", "names")]);
    assert!(reads("loop").is_empty());
    assert_eq!(module.local_reads("again"), [read("aws_vpc.main", "id")]);
}

#[test]
fn reads_of_only_a_length_or_a_null_check_see_no_value() {
    let text = "locals {\n  ids = var.ids\n}\nresource \"aws_db_instance\" \"a\" {\n  availability_zone = length(local.ids) > 1 ? null : \"eu-west-1a\"\n  kms_key_id = var.key == null ? \"k\" : \"x\"\n  db_name = local.ids[0]\n  username = \"${length(var.ids)}-${var.key}\"\n}\n";
    let files = parse(&[("main.tf", text)]);
    let module = Module::build(&files.iter().collect::<Vec<_>>());
    let model = files[0].terraform();
    let db = model.resources().next().unwrap();
    let reads = |name: &str, object: &str| {
        module.reads_value_of("main.tf", db.attribute(name).unwrap().value.range, object)
    };
    assert!(!reads("availability_zone", "var.ids"));
    assert!(!reads("kms_key_id", "var.key"));
    assert!(reads("db_name", "var.ids"));
    assert!(!reads("username", "var.ids"));
    assert!(reads("username", "var.key"));
}

#[test]
fn a_module_assembled_from_kept_file_symbols_equals_one_read_afresh() {
    let files = [
        (
            "b.tf",
            "variable \"x\" {\n  default = 2\n}\nlocals {\n  l = \"second\"\n}\nresource \"r\" \"n\" {}\noutput \"o\" {}\noutput \"o\" {}\nmodule \"m\" {\n  source = \"./m\"\n  size = var.x\n}\nmodule \"m\" {}\nterraform {\n  backend \"s3\" {}\n}\nprovider \"aws\" {\n  alias = \"east\"\n}\n",
        ),
        (
            "a.tf",
            "variable \"x\" {\n  default = 1\n}\nvariable {}\nlocals {\n  l = \"first\"\n  l = \"again\"\n}\nresource \"r\" \"n\" {\n  count = 2\n}\ndata \"d\" \"n\" {}\ndata \"d\" \"n\" {}\nmoved {\n  from = r.old\n  to = r.n\n}\nremoved {\n  from = r.gone\n  lifecycle {\n    destroy = false\n  }\n}\nimport {\n  to = r.n\n  id = \"i\"\n}\nterraform {\n  backend \"gcs\" {}\n}\n",
        ),
        (
            "versions.tf",
            "terraform {\n  required_providers {\n    aws = { source = \"hashicorp/aws\" }\n  }\n}\n",
        ),
        (
            "z_override.tf",
            "locals {\n  l = \"override\"\n}\nvariable \"x\" {\n  default = 3\n}\nvariable \"ghost\" {}\nresource \"r\" \"ignored\" {}\n",
        ),
        (
            "c.tf.json",
            r#"{"variable": {"x": {"default": 4}, "y": {"default": {"k": "v"}}}, "locals": {"j": "${var.y}"}, "output": {"o": {"value": 1}}}"#,
        ),
    ];
    let parsed = parse(&files);
    let refs: Vec<&SourceFile<'_>> = parsed.iter().collect();
    let afresh = Module::build(&refs);
    // The first backend in reading order, and every duplicate after its first declaration.
    assert_eq!(
        afresh.backend.as_ref().map(|b| b.kind.as_str()),
        Some("gcs")
    );
    assert_eq!(afresh.problems.len(), 11, "{:?}", afresh.problems);
    assert_eq!(
        afresh.problems[0].message,
        "a variable block without a name"
    );
    assert!(
        afresh.problems[3]
            .message
            .starts_with("duplicate variable `x`; the declaration at a.tf:1")
    );
    assert_eq!(afresh.locals["l"].location.path, "z_override.tf");
    assert_eq!(afresh.variables["x"].location.path, "a.tf");
    // Twice: the first reads and keeps each file's symbols, the second only reuses them.
    for _ in 0..2 {
        let reused = Module::build_reusing(&refs);
        assert_eq!(format!("{reused:?}"), format!("{afresh:?}"));
    }
    // Another module that shares a file reads the same kept symbols.
    let pair = Module::build_reusing(&[refs[1], refs[2]]);
    assert_eq!(
        format!("{pair:?}"),
        format!("{:?}", Module::build(&[refs[1], refs[2]]))
    );
}

/// The symbols of a file typed in, read block by block and taken again by text at their new
/// offsets and lines, are those read afresh: every kind of declaration, and a problem.
#[test]
fn kept_block_symbols_are_the_symbols_read_afresh() {
    let output = "output \"id\" {\n  value = aws_s3_bucket.a[0].id\n}\n";
    let committed = format!(
        "terraform {{\n  backend \"s3\" {{}}\n}}\n\nprovider \"aws\" {{\n  alias = \"eu\"\n}}\n\n\
         variable \"name\" {{\n  default = \"x\"\n}}\n\nvariable {{}}\n\n\
         locals {{\n  a = var.name\n  b = \"${{local.a}}-b\"\n}}\n\n\
         resource \"aws_s3_bucket\" \"a\" {{\n  count = 2\n  bucket = local.b\n}}\n\n\
         data \"aws_iam_policy\" \"p\" {{\n  for_each = toset([\"a\"])\n  name = each.key\n}}\n\n\
         module \"m\" {{\n  source = \"./m\"\n  count = 1\n  input = local.a\n}}\n\n\
         moved {{\n  from = aws_s3_bucket.old\n  to = aws_s3_bucket.a\n}}\n\n\
         removed {{\n  from = aws_s3_bucket.gone\n  lifecycle {{\n    destroy = false\n  }}\n}}\n\n\
         import {{\n  to = aws_s3_bucket.a[0]\n  id = \"bucket\"\n}}\n\n{output}"
    );
    let name = committed.find("\"x\"").expect("the default") + 1;
    let edits: [(usize, &str, &str); 4] = [
        // A block edited, the others kept where they were or moved.
        (name, "x", "xy"),
        // A line above them all: every block moved by a line, none edited.
        (0, "", "# é\n"),
        // The same block twice.
        (0, "", output),
        // Joined lines: blocks after the edit move up a line.
        (0, "# é\n", ""),
    ];
    crate::tests::check_edits_against_fresh(&committed, &edits, |edited, fresh, text| {
        assert_eq!(
            format!("{:?}", edited.module_symbols()),
            format!("{:?}", fresh.module_symbols()),
            "{text}"
        );
    });
}
