//! `redline plan`: what a Terraform plan destroys, then the findings on it.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, bail};
use redline_diagnostics::Impact;
use redline_engine::{AnalysisOptions, SourceInput, analyze_parsed};
use redline_syntax::terraform_plan::{ChangeKind, Plan, ResourceChange};
use redline_syntax::{Format, SourceHints, parse_source};
use redline_text::LineIndex;
use redline_workspace::{UnitResolver, decode};
use serde::Serialize;

use crate::Exit;
use crate::args::{PlanArgs, PlanFormat};
use crate::emit::{self, ReportOptions};
use crate::escape;
use crate::findings;
use crate::render::Renderer;
use crate::render::json::JsonRenderer;
use crate::render::text::TextRenderer;
use crate::report::Report;

/// One destructive change, as the summary shows it.
struct Destruction<'a> {
    change: &'a ResourceChange<'a>,
    action: &'static str,
    reason: String,
    line: u32,
    declared_at: Option<Declaration>,
}

/// Where a resource (or the attribute that forces its replacement) is declared.
#[derive(Clone, Debug, Serialize)]
struct Declaration {
    path: String,
    line: u32,
    column: u32,
}

/// The resource blocks and module calls of a root module, by address.
#[derive(Default)]
struct Declarations {
    // Address (`aws_db_instance.main`, `module.app`) → where the block starts, and the
    // positions of its attributes by name.
    blocks: std::collections::BTreeMap<String, (Declaration, Vec<(String, Declaration)>)>,
}

/// What the JSON report adds between `tool` and `findings`.
#[derive(Serialize)]
struct JsonPlanMembers<'a> {
    plan: JsonPlan<'a>,
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    path: &'a str,
    format_version: Option<&'a str>,
    terraform_version: Option<&'a str>,
    counts: JsonCounts,
    destructive_changes: Vec<JsonDestruction<'a>>,
}

#[derive(Serialize)]
struct JsonCounts {
    changes: usize,
    create: usize,
    update: usize,
    delete: usize,
    replace: usize,
    destroyed_holding_data: usize,
}

#[derive(Serialize)]
struct JsonDestruction<'a> {
    declared_at: Option<&'a Declaration>,
    address: &'a str,
    #[serde(rename = "type")]
    resource_type: &'a str,
    action: &'static str,
    actions: &'a [&'a str],
    action_reason: Option<&'a str>,
    reason: &'a str,
    replace_paths: &'a [String],
    previous_address: Option<&'a str>,
    deposed: Option<&'a str>,
    line: u32,
}

pub fn run(args: &PlanArgs) -> anyhow::Result<Exit> {
    let cwd = std::env::current_dir().context("cannot determine the current folder")?;
    let color = emit::use_color(args.color, args.output.as_deref());
    let plan = PlanInput {
        plan: &args.plan,
        config: args.config.as_deref(),
        terraform_dir: args.terraform_dir.as_deref(),
    };
    let (report, renderer) = report(&plan, &cwd, args.format, color)?;
    let options = ReportOptions::unfiltered(args.output.as_deref(), args.fail_on);
    emit::write_report(report, renderer, options)
}

/// The plan a report is about, and where to read what it needs.
pub struct PlanInput<'a> {
    /// The JSON of `terraform show -json PLANFILE`.
    pub plan: &'a Path,
    /// `--config`: the configuration file used instead of the discovered one.
    pub config: Option<&'a Path>,
    /// `--terraform-dir`: the root module the plan was made from.
    pub terraform_dir: Option<&'a Path>,
}

/// The findings on a plan, and the renderer that writes them after the plan's summary in
/// `format`.
pub fn report(
    plan_input: &PlanInput<'_>,
    cwd: &Path,
    format: PlanFormat,
    color: bool,
) -> anyhow::Result<(Report, Box<dyn Renderer>)> {
    let cwd = cwd.to_path_buf();
    let path = &plan_input.plan.to_path_buf();
    let metadata =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !metadata.is_file() {
        bail!(
            "{} is not a file: name the JSON of one plan",
            path.display()
        );
    }
    // A plan named on the command line is judged even where `exclude` names its path: it is
    // what the user asked about, not a file of the repository.
    let job = UnitResolver::new(plan_input.config, &cwd)?.file(path)?;
    // The plan is read whatever its size: `max_file_size` keeps `check` away from large
    // generated files, but a plan named on the command line is what the user asked about.
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.starts_with(b"PK") {
        bail!(
            "{} is a binary plan file: render it with `terraform show -json {} > plan.json` \
             and pass the JSON",
            job.display,
            path.display()
        );
    }
    let source = decode(bytes).map_err(|message| {
        anyhow::anyhow!(
            "{}: {message}; expected the JSON of `terraform show -json`",
            job.display
        )
    })?;
    let text = source.text;
    let hints = SourceHints {
        format: Some(Format::TerraformPlan),
        ..SourceHints::default()
    };
    let Some(file) = parse_source(&job.display, &text, hints) else {
        bail!(
            "{} is not a Terraform plan: expected the JSON of `terraform show -json PLANFILE`, \
             with `format_version` and `resource_changes`",
            job.display
        );
    };
    let Some(root) = file.documents.first() else {
        bail!("{} holds no JSON document", job.display);
    };

    let input = SourceInput {
        path: &job.display,
        text: &text,
        hints,
        config_relative_path: Some(&job.config_relative),
    };
    let options = AnalysisOptions {
        today: None,
        select: None,
    };
    let analysis = analyze_parsed(&input, &file, &job.config.config, &options);
    let findings = findings::from_diagnostics(&job.display, &text, &analysis.diagnostics, &[]);
    // Built after the analysis, whose rules build their own: one plan model at a time.
    let plan = Plan::from_document(root);

    let line_index = &file.line_index;
    let terraform_dir = match plan_input.terraform_dir {
        Some(dir) => Some(dir.to_path_buf()),
        None => path.parent().map(|parent| {
            if parent.as_os_str().is_empty() {
                std::path::PathBuf::from(".")
            } else {
                parent.to_path_buf()
            }
        }),
    };
    let declarations = terraform_dir
        .map(|dir| declarations(&dir, &cwd))
        .unwrap_or_default();
    let destructions = destructions(&plan, line_index, &declarations);
    let renderer: Box<dyn Renderer> = match format {
        PlanFormat::Text => {
            let impacts: Vec<&Impact> = analysis
                .diagnostics
                .iter()
                .filter_map(|diagnostic| diagnostic.impact.as_deref())
                .collect();
            let prelude = text_prelude(&job.display, &plan, &destructions, &impacts, color);
            Box::new(TextRenderer::with_prelude(color, prelude))
        }
        PlanFormat::Json => Box::new(JsonRenderer::with_members(&JsonPlanMembers {
            plan: json_plan(&job.display, &plan, &destructions),
        })?),
    };
    let report = Report {
        findings,
        errors: Vec::new(),
        files: 1,
    };
    Ok((report, renderer))
}

/// Every change that destroys an object, deletions first, in file order within each kind.
fn destructions<'a>(
    plan: &'a Plan<'a>,
    line_index: &LineIndex,
    declarations: &Declarations,
) -> Vec<Destruction<'a>> {
    let mut res: Vec<Destruction<'a>> = plan
        .resource_changes
        .iter()
        .filter(|change| change.is_managed() && change.is_destructive())
        .map(|change| {
            let action = match change.kind() {
                ChangeKind::Delete | ChangeKind::OtherDelete => "delete",
                ChangeKind::DeleteThenCreate => "replace",
                ChangeKind::CreateThenDelete => "replace (create first)",
                ChangeKind::Keep => "keep",
            };
            let reason = match change.reason_in_words() {
                Some(reason) => reason,
                None if !change.replace_paths.is_empty() => format!(
                    "{} changed, which forces replacement",
                    redline_syntax::terraform_plan::quoted_list(&change.replace_paths)
                ),
                None if change.deposed.is_some() => "deposed object".to_owned(),
                None => "no reason recorded".to_owned(),
            };
            Destruction {
                declared_at: declarations.locate(change),
                change,
                action,
                reason,
                line: u32::try_from(line_index.line_of(change.range.start()) + 1)
                    .unwrap_or(u32::MAX),
            }
        })
        .collect();
    res.sort_by_key(|destruction| !destruction.action.starts_with("delete"));
    res
}

fn counts(plan: &Plan<'_>) -> JsonCounts {
    let managed: Vec<&ResourceChange<'_>> = plan
        .resource_changes
        .iter()
        .filter(|change| change.is_managed())
        .collect();
    let has = |change: &ResourceChange<'_>, action: &str| change.actions.contains(&action);
    JsonCounts {
        changes: managed
            .iter()
            .filter(|change| !change.actions.iter().all(|action| *action == "no-op"))
            .count(),
        create: managed
            .iter()
            .filter(|change| has(change, "create") && !change.is_destructive())
            .count(),
        update: managed
            .iter()
            .filter(|change| has(change, "update"))
            .count(),
        delete: managed
            .iter()
            .filter(|change| change.is_destructive() && !change.is_replace())
            .count(),
        replace: managed.iter().filter(|change| change.is_replace()).count(),
        destroyed_holding_data: managed
            .iter()
            .filter(|change| {
                change.is_destructive()
                    && redline_rules::terraform::protection::is_stateful(change.resource_type)
            })
            .count(),
    }
}

/// The summary that text output shows before the findings: the counts of changes, then each
/// destructive change with its reason.
fn text_prelude(
    path: &str,
    plan: &Plan<'_>,
    destructions: &[Destruction<'_>],
    impacts: &[&Impact],
    color: bool,
) -> String {
    use std::fmt::Write as _;
    let bold = |text: &str| {
        if color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let counts = counts(plan);
    let mut res = String::new();
    // Addresses, reasons and the Terraform version come from the plan JSON and paths from the
    // repository: all are escaped for the terminal, and columns are padded by escaped width.
    let version = plan
        .terraform_version
        .map(|version| format!(", Terraform {}", escape::line(version)))
        .unwrap_or_default();
    let _ = writeln!(
        res,
        "{}",
        bold(&format!("Plan {}{version}", escape::line(path)))
    );
    let _ = writeln!(
        res,
        "{} deleted, {} replaced ({} of them hold data); {} created, {} updated; {} changes in all",
        counts.delete,
        counts.replace,
        counts.destroyed_holding_data,
        counts.create,
        counts.update,
        counts.changes
    );
    if !destructions.is_empty() {
        res.push('\n');
        let width = destructions
            .iter()
            .map(|destruction| escape::line_width(destruction.change.address))
            .max()
            .unwrap_or(0);
        let action_width = destructions
            .iter()
            .map(|destruction| destruction.action.len())
            .max()
            .unwrap_or(0);
        // Plans can replace thousands of objects: look roots and causes up by address.
        let roots: BTreeMap<&str, &Impact> = impacts
            .iter()
            .map(|impact| (impact.root.as_str(), *impact))
            .collect();
        let causes: BTreeMap<&str, &str> = impacts
            .iter()
            .flat_map(|impact| &impact.replaced)
            .map(|entry| (entry.object.as_str(), entry.parent.as_str()))
            .collect();
        for destruction in destructions {
            let declared = destruction
                .declared_at
                .as_ref()
                .map(|at| format!(", declared at {}:{}", escape::line(&at.path), at.line))
                .unwrap_or_default();
            let address = destruction.change.address;
            // A replacement in another one's cascade says so, and its tree is under the root.
            let cause = causes
                .get(address)
                .map(|parent| format!(", because `{parent}` is replaced"))
                .unwrap_or_default();
            let _ = writeln!(
                res,
                "  {:<action_width$}  {:<width$}  {}{} (line {}{declared})",
                destruction.action,
                escape::line(address),
                escape::line(&destruction.reason),
                escape::line(&cause),
                destruction.line
            );
            if let Some(impact) = roots.get(address) {
                write_cascade(&mut res, impact, address, action_width + 4, 0);
            }
        }
    }
    res.push('\n');
    res
}

/// How deep the cascade tree under a root change goes; deeper objects are left out.
const MAX_TREE_DEPTH: usize = 16;

/// The objects replaced because `parent` is, as an indented tree: one line each, with what it
/// reads of its parent and in which attribute.
fn write_cascade(res: &mut String, impact: &Impact, parent: &str, indent: usize, depth: usize) {
    use std::fmt::Write as _;
    if depth >= MAX_TREE_DEPTH {
        return;
    }
    let pad = " ".repeat(indent + 2 * depth);
    for entry in impact
        .replaced
        .iter()
        .filter(|entry| entry.parent == parent)
    {
        let data = if entry.holds_data { ", holds data" } else { "" };
        let _ = writeln!(
            res,
            "{pad}└ {}  replaced: `{}` reads `{}`{data}",
            escape::line(&entry.object),
            escape::line(&entry.attribute),
            escape::line(&entry.via),
        );
        write_cascade(res, impact, &entry.object, indent, depth + 1);
    }
}

/// The `plan` member of JSON output.
fn json_plan<'a>(
    path: &'a str,
    plan: &'a Plan<'a>,
    destructions: &'a [Destruction<'a>],
) -> JsonPlan<'a> {
    JsonPlan {
        path,
        format_version: plan.format_version,
        terraform_version: plan.terraform_version,
        counts: counts(plan),
        destructive_changes: destructions
            .iter()
            .map(|destruction| JsonDestruction {
                address: destruction.change.address,
                resource_type: destruction.change.resource_type,
                action: if destruction.action == "delete" {
                    "delete"
                } else {
                    "replace"
                },
                actions: &destruction.change.actions,
                action_reason: destruction.change.action_reason,
                reason: &destruction.reason,
                replace_paths: &destruction.change.replace_paths,
                previous_address: destruction.change.previous_address,
                deposed: destruction.change.deposed,
                line: destruction.line,
                declared_at: destruction.declared_at.as_ref(),
            })
            .collect(),
    }
}

/// Reads the `*.tf` and `*.tf.json` files of a root module (not its subfolders); files that
/// cannot be read are left out, since the summary only points at them.
fn declarations(dir: &std::path::Path, cwd: &std::path::Path) -> Declarations {
    let mut res = Declarations::default();
    let paths = redline_workspace::folder_files(dir, redline_workspace::is_terraform_file);
    // The files were found by listing the folder, not named: as in `redline check`, a link is
    // read only where it leads inside the folder or its git work tree, and only regular files
    // up to the default size cap are read.
    let bounds = redline_workspace::Bounds::new(&[dir.to_path_buf()], cwd);
    for path in paths {
        let max = redline_engine::config::DEFAULT_MAX_FILE_SIZE;
        let Ok(bytes) = redline_workspace::read_found_file(&path, &bounds, max) else {
            continue;
        };
        let Ok(source) = decode(bytes) else {
            continue;
        };
        let display = redline_workspace::display_path(&path, cwd);
        let hints = SourceHints {
            format: Some(Format::Terraform),
            ..SourceHints::default()
        };
        let Some(file) = parse_source(&display, &source.text, hints) else {
            continue;
        };
        let at = |offset| {
            let position = file.line_index.line_column(offset, &source.text);
            Declaration {
                path: display.clone(),
                line: position.line,
                column: position.column,
            }
        };
        let model = file.terraform();
        for resource in model.resources() {
            let attributes = resource
                .block
                .body
                .attributes
                .iter()
                .map(|attribute| (attribute.name.clone(), at(attribute.range.start())))
                .collect();
            res.blocks
                .entry(resource.address())
                .or_insert((at(resource.block.range.start()), attributes));
        }
        for module in model.blocks_of("module") {
            if let Some(name) = module.label(0) {
                res.blocks
                    .entry(format!("module.{name}"))
                    .or_insert((at(module.range.start()), Vec::new()));
            }
        }
    }
    res
}

impl Declarations {
    /// The declaration behind a change: the attribute that forces a replacement when the plan
    /// names one, else the resource block; for resources inside modules, the module call.
    fn locate(&self, change: &ResourceChange<'_>) -> Option<Declaration> {
        let address = change.address;
        let key = match address.strip_prefix("module.") {
            Some(rest) => {
                let name_end = rest.find(['.', '[']).unwrap_or(rest.len());
                format!("module.{}", &rest[..name_end])
            }
            None => address
                .split_once('[')
                .map_or(address, |(base, _)| base)
                .to_owned(),
        };
        let (block, attributes) = self.blocks.get(&key)?;
        let forcing = change.replace_paths.first().and_then(|path| {
            let name = path.split(['.', '[']).next().unwrap_or(path);
            attributes
                .iter()
                .find(|(attribute, _)| attribute == name)
                .map(|(_, at)| at.clone())
        });
        Some(forcing.unwrap_or_else(|| block.clone()))
    }
}
