//! The rules redline runs: metadata, the context a rule reports into, and the registry.
//!
//! A rule sees one parsed file and its own options. It keeps no state between files and never
//! sees other rules' results.

pub mod agent_config;
pub mod atmos;
pub mod azure_pipelines;
pub mod cloudformation;
mod context;
pub mod data_value;
mod docs;
pub mod edit;
pub mod github_actions;
pub mod gitlab_ci;
pub mod iam;
pub mod kubernetes;
mod registry;
pub mod shell;
pub mod terraform;
pub mod terraform_plan;
pub mod workspace;

use std::any::Any;

pub use context::{
    CalledFolder, Change, EvaluateModule, ModuleEval, RuleContext, TfvarsText, ValueSource, Written,
};
pub use docs::{DOCS_BASE_URL, META_RULES, doc_page, doc_url, find_any_rule, rules_index};
use redline_diagnostics::{Category, Confidence, RuleCode, Severity};
use redline_syntax::Format;
pub use registry::{all_rules, find_rule, judges_variable_definitions, keep_one_per_object};
pub use terraform::module_change::ModuleChange;

/// The data sets compiled into the rules, each as (name, version), for `redline --version`;
/// `module-inputs` comes once per registry module its table knows.
pub fn data_versions() -> Vec<(&'static str, String)> {
    let mut res = vec![
        ("aws-actions", iam::actions::dataset().to_owned()),
        (
            "cfn-create-only",
            cloudformation::cfn_create_only_version().to_owned(),
        ),
        ("data-value", data_value::dataset().to_owned()),
        ("force-new", force_new_version().to_owned()),
    ];
    res.extend(
        terraform::module_inputs::module_versions()
            .into_iter()
            .map(|module| ("module-inputs", module)),
    );
    res
}

/// Reads the data sets compiled into the rules (IAM actions, force-new and create-only tables,
/// module inputs, data values, the shell catalog), which are otherwise read on first use: a
/// long-running front-end calls it on a spare thread at start, so that the first file it
/// analyses does not wait for them.
pub fn warm_up() {
    iam::actions::catalog();
    terraform::force_new::force_new_attributes("");
    terraform::module_inputs::module_inputs();
    cloudformation::create_only_properties("");
    data_value::of("");
    shell::catalog::warm_up();
}

/// Whether a rule offers fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixAvailability {
    /// Every finding has a fix.
    Always,
    /// Some findings have a fix.
    Sometimes,
    /// No finding has a fix.
    None,
}

/// How settled a rule is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// New; runs by default, but has not yet run quietly on many real repositories.
    Preview,
    /// Settled.
    Stable,
}

/// The prefix of the display path of a related place in the text before an edit
/// (`base:main.tf`); front-ends that hold the base text resolve it, others leave it out.
pub const BASE_PREFIX: &str = "base:";

/// Everything about a rule except its check.
#[derive(Debug)]
pub struct RuleMeta {
    /// Id, name and category.
    pub code: RuleCode,
    /// One line: what the rule flags.
    pub summary: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// How sure its findings are.
    pub confidence: Confidence,
    /// The formats the rule runs on.
    pub formats: &'static [Format],
    /// Whether it offers fixes.
    pub fix: FixAvailability,
    /// Preview or stable.
    pub status: Status,
    /// The Markdown documentation (the rule's doc comment).
    pub doc: &'static str,
    /// What the rule's findings in one part of a file depend on.
    pub locality: Locality,
}

/// What a rule's findings in one part of a file depend on, which decides what the engine may
/// keep of them between analyses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locality {
    /// Anything in the file, its module or the edit.
    File,
    /// Only the text of one YAML document of a Kubernetes stream: for each document, the rule
    /// reports exactly what it reports when it runs on that document alone, in the same order,
    /// with every range (finding, fix, related place, subject) inside the document. It reads
    /// the objects it judges through `RuleContext::kubernetes_objects` and nothing else of the
    /// file, takes no options, and ignores the edit. The engine may then run it only on the
    /// documents whose text it has not seen, and take its findings in the others from a memo.
    Document,
}

/// Parsed `[rules.<id>]` options, owned by the rule that parsed them.
pub type RuleOptions = Box<dyn Any + Send + Sync>;

/// A rule: metadata, options and the check itself.
pub trait Rule: Send + Sync {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;

    /// Parses the rule's options from its `[rules.<id>]` table (minus `severity`/`enabled`).
    fn parse_options(&self, table: &toml::Table) -> Result<RuleOptions, String>;

    /// Inspects one file and reports into `ctx`.
    fn check(&self, ctx: &mut RuleContext<'_>);
}

impl RuleMeta {
    /// The id.
    pub fn id(&self) -> &'static str {
        self.code.id
    }

    /// The name.
    pub fn name(&self) -> &'static str {
        self.code.name
    }

    /// The category; `None` only for the engine's own rules.
    pub fn category(&self) -> Option<Category> {
        self.code.category
    }

    /// The documentation with the one leading space of each doc-comment line removed.
    pub fn doc_markdown(&self) -> String {
        let mut res = String::new();
        for line in self.doc.lines() {
            res.push_str(line.strip_prefix(' ').unwrap_or(line));
            res.push('\n');
        }
        res
    }
}

/// The version of the data the Terraform edit rules read: the provider commits the
/// force-new table was taken from.
pub fn force_new_version() -> &'static str {
    terraform::force_new::force_new_version()
}

/// Whether a name (namespace, cluster, environment) looks like production: one of its words
/// is `prod`, `production` or `prd`.
pub(crate) fn looks_like_production(name: &str) -> bool {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            matches!(
                word.to_ascii_lowercase().as_str(),
                "prod" | "production" | "prd"
            )
        })
}

/// Options for rules that take none: only an empty table is accepted.
pub fn no_options(table: &toml::Table) -> Result<RuleOptions, String> {
    match table.keys().next() {
        Some(key) => Err(format!("unknown option `{key}`")),
        None => Ok(Box::new(())),
    }
}

/// Declares a rule's struct and metadata from its doc comment and a field list.
///
/// The rule's module must define `fn check(ctx: &mut RuleContext<'_>)`; with `options: T`, it
/// must also let `T: serde::Deserialize + Default + Send + Sync + 'static`. `locality` is
/// `Locality::File` unless given (see `Locality` for what `Locality::Document` promises).
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $name:ident {
            id: $id:literal, name: $rule_name:literal, summary: $summary:literal,
            category: $category:expr, severity: $severity:expr, confidence: $confidence:expr,
            formats: $formats:expr, fix: $fix:expr, status: $status:expr
            $(, locality: $locality:expr)? $(, options: $options:ty)? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            /// The rule's metadata.
            pub const META: $crate::RuleMeta = $crate::RuleMeta {
                code: ::redline_diagnostics::RuleCode {
                    id: $id,
                    name: $rule_name,
                    category: Some($category),
                },
                summary: $summary,
                severity: $severity,
                confidence: $confidence,
                formats: $formats,
                fix: $fix,
                status: $status,
                doc: concat!($($doc, "\n"),*),
                locality: $crate::declare_rule!(@locality $($locality)?),
            };
        }

        impl $crate::Rule for $name {
            fn meta(&self) -> &'static $crate::RuleMeta {
                static META: $crate::RuleMeta = $name::META;
                &META
            }

            fn parse_options(
                &self,
                table: &::toml::Table,
            ) -> ::std::result::Result<$crate::RuleOptions, String> {
                $crate::declare_rule!(@options table $($options)?)
            }

            fn check(&self, ctx: &mut $crate::RuleContext<'_>) {
                check(ctx)
            }
        }
    };
    (@locality) => {
        $crate::Locality::File
    };
    (@locality $locality:expr) => {
        $locality
    };
    (@options $table:ident) => {
        $crate::no_options($table)
    };
    (@options $table:ident $options:ty) => {
        ::toml::Value::Table($table.clone())
            .try_into::<$options>()
            .map(|options| Box::new(options) as $crate::RuleOptions)
            .map_err(|error| error.message().to_owned())
    };
}
