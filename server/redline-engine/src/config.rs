//! `redline.toml`: parsing and validation. Reading the file is the front-end's job.

use std::collections::BTreeMap;
use std::fmt;

use globset::{Glob, GlobSet, GlobSetBuilder};
use redline_diagnostics::{INTERNAL_ERROR, PARSE_ERROR, SUPPRESSION, Severity, TEMPLATE_SKIPPED};
use redline_rules::{Rule, RuleOptions, find_rule};
use redline_text::{LineIndex, TextSize};
use serde::Deserialize;

/// The default cap on the size of a file redline reads: 10 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// The largest `max_file_size` a configuration may set: 1 GiB. A `redline.toml` comes with the
/// repository it governs, and must not make redline read arbitrarily large files.
pub const MAX_MAX_FILE_SIZE: u64 = 1024 * 1024 * 1024;

/// The most globs (`exclude` entries and `[[ignore]]` paths together) a configuration may hold.
/// Every file is matched against each, so the count bounds the time a repository's
/// configuration can cost.
pub const MAX_GLOBS: usize = 1_000;

/// The longest glob a configuration may hold, in bytes.
pub const MAX_GLOB_LEN: usize = 1_024;

/// A validated `redline.toml`.
pub struct Config {
    /// Globs of paths (relative to the config's folder) that are never analysed.
    pub exclude: GlobSet,
    /// The glob texts of `exclude`, as written.
    pub exclude_patterns: Vec<String>,
    /// Files larger than this many bytes are skipped with a warning.
    pub max_file_size: u64,
    /// Per-rule settings, keyed by rule id.
    pub rules: BTreeMap<&'static str, RuleSettings>,
    /// Rules (ids) that never run.
    pub disabled: Vec<&'static str>,
    /// `[[ignore]]` entries: rules silenced on matching paths, with their reasons.
    pub ignores: Vec<PathIgnore>,
}

/// Settings of one rule from its `[rules.<id>]` table.
#[derive(Default)]
pub struct RuleSettings {
    /// Replaces the rule's default severity.
    pub severity: Option<Severity>,
    /// The rule's own options, parsed by the rule.
    pub options: Option<RuleOptions>,
}

/// One `[[ignore]]` entry.
pub struct PathIgnore {
    /// Which paths (relative to the config's folder).
    pub path: GlobSet,
    /// The rule id, or `None` for every rule.
    pub rule: Option<&'static str>,
    /// Why.
    pub reason: String,
}

/// A problem in `redline.toml`, with its position.
#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    /// 1-based line of the problem, when known.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    exclude: Vec<toml::Spanned<String>>,
    max_file_size: Option<toml::Spanned<toml::Value>>,
    #[serde(default)]
    rules: BTreeMap<String, toml::Spanned<toml::Value>>,
    #[serde(default)]
    ignore: Vec<toml::Spanned<RawIgnore>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    path: String,
    rule: Option<String>,
    reason: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            exclude: GlobSet::empty(),
            exclude_patterns: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            rules: BTreeMap::new(),
            disabled: Vec::new(),
            ignores: Vec::new(),
        }
    }
}

impl Config {
    /// The options `[rules.<id>]` gives the rule `id`, as the rule parsed them.
    pub fn rule_options(&self, id: &str) -> Option<&(dyn std::any::Any + Send + Sync)> {
        self.rules
            .get(id)
            .and_then(|settings| settings.options.as_deref())
    }

    /// Parses and validates the text of a `redline.toml`.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let line_index = LineIndex::new(text);
        let line_of = |offset: usize| {
            line_index
                .line_column(TextSize::from_usize(offset), text)
                .line
        };
        let raw: RawConfig = toml::from_str(text).map_err(|error| ConfigError {
            line: error.span().map(|span| line_of(span.start)),
            message: error.message().trim_end_matches('\n').to_owned(),
        })?;
        let error_at = |span: std::ops::Range<usize>, message: String| ConfigError {
            line: Some(line_of(span.start)),
            message,
        };

        let n_globs = raw.exclude.len() + raw.ignore.len();
        if n_globs > MAX_GLOBS {
            return Err(ConfigError {
                line: None,
                message: format!(
                    "{n_globs} globs in `exclude` and `ignore`: at most {MAX_GLOBS} are allowed"
                ),
            });
        }
        let check_length = |glob: &str, span: std::ops::Range<usize>, key: &str| {
            if glob.len() > MAX_GLOB_LEN {
                Err(error_at(
                    span,
                    format!(
                        "a glob in `{key}` is {} bytes long: at most {MAX_GLOB_LEN} are allowed",
                        glob.len()
                    ),
                ))
            } else {
                Ok(())
            }
        };

        let mut res = Config::default();
        let mut builder = GlobSetBuilder::new();
        for pattern in &raw.exclude {
            check_length(pattern.get_ref(), pattern.span(), "exclude")?;
            let glob = Glob::new(pattern.get_ref()).map_err(|error| {
                error_at(
                    pattern.span(),
                    format!("invalid glob in `exclude`: {error}"),
                )
            })?;
            builder.add(glob);
            res.exclude_patterns.push(pattern.get_ref().clone());
        }
        res.exclude = builder.build().map_err(|error| ConfigError {
            line: None,
            message: format!("invalid `exclude`: {error}"),
        })?;

        if let Some(size) = &raw.max_file_size {
            res.max_file_size = parse_size(size.get_ref()).ok_or_else(|| {
                error_at(
                    size.span(),
                    "invalid `max_file_size`: expected a number of bytes or a string such as \"10MB\""
                        .to_owned(),
                )
            })?;
            if res.max_file_size > MAX_MAX_FILE_SIZE {
                return Err(error_at(
                    size.span(),
                    format!(
                        "`max_file_size` is at most {MAX_MAX_FILE_SIZE} bytes (1 GiB), not {}",
                        res.max_file_size
                    ),
                ));
            }
        }

        for (key, value) in &raw.rules {
            let span = value.span();
            match key.as_str() {
                "disable" => {
                    let names = value.get_ref().as_array().ok_or_else(|| {
                        error_at(
                            span.clone(),
                            "`rules.disable` must be a list of rule ids or names".to_owned(),
                        )
                    })?;
                    for name in names {
                        let name = name.as_str().ok_or_else(|| {
                            error_at(
                                span.clone(),
                                "`rules.disable` must be a list of rule ids or names".to_owned(),
                            )
                        })?;
                        let id = resolve_rule_id(name).ok_or_else(|| {
                            error_at(
                                span.clone(),
                                format!("unknown rule `{name}` in `rules.disable`"),
                            )
                        })?;
                        res.disabled.push(id);
                    }
                }
                rule_key => {
                    let Some(rule) = find_rule(rule_key) else {
                        return Err(error_at(
                            span,
                            format!("unknown key `rules.{rule_key}`: not a rule id or name"),
                        ));
                    };
                    let table = value.get_ref().as_table().ok_or_else(|| {
                        error_at(span.clone(), format!("`rules.{rule_key}` must be a table"))
                    })?;
                    let settings = parse_rule_settings(rule, rule_key, table)
                        .map_err(|message| error_at(span.clone(), message))?;
                    res.rules.insert(rule.meta().id(), settings);
                }
            }
        }

        for entry in &raw.ignore {
            let raw_ignore = entry.get_ref();
            check_length(&raw_ignore.path, entry.span(), "ignore.path")?;
            let glob = Glob::new(&raw_ignore.path).map_err(|error| {
                error_at(
                    entry.span(),
                    format!("invalid glob in `ignore.path`: {error}"),
                )
            })?;
            let path = GlobSetBuilder::new().add(glob).build().map_err(|error| {
                error_at(entry.span(), format!("invalid `ignore.path`: {error}"))
            })?;
            let rule = match &raw_ignore.rule {
                Some(name) => Some(resolve_rule_id(name).ok_or_else(|| {
                    error_at(
                        entry.span(),
                        format!("unknown rule `{name}` in `ignore.rule`"),
                    )
                })?),
                None => None,
            };
            if raw_ignore.reason.trim().is_empty() {
                return Err(error_at(
                    entry.span(),
                    "`ignore.reason` must not be empty".to_owned(),
                ));
            }
            res.ignores.push(PathIgnore {
                path,
                rule,
                reason: raw_ignore.reason.clone(),
            });
        }
        Ok(res)
    }

    /// Whether `relative_path` (relative to the config's folder) is excluded.
    pub fn is_excluded(&self, relative_path: &str) -> bool {
        let path = relative_path.trim_start_matches("./");
        if self.exclude.is_match(path) {
            return true;
        }
        // A pattern that names a folder excludes everything below it.
        let mut prefix = path;
        while let Some((parent, _)) = prefix.rsplit_once('/') {
            if self.exclude.is_match(parent) {
                return true;
            }
            prefix = parent;
        }
        false
    }
}

fn parse_rule_settings(
    rule: &'static dyn Rule,
    rule_key: &str,
    table: &toml::Table,
) -> Result<RuleSettings, String> {
    let mut options = table.clone();
    let severity = match options.remove("severity") {
        None => None,
        Some(value) => {
            let name = value.as_str().unwrap_or("");
            Some(Severity::parse(name).ok_or_else(|| {
                format!("invalid `rules.{rule_key}.severity`: expected \"error\", \"warning\" or \"info\"")
            })?)
        }
    };
    let options = if options.is_empty() {
        None
    } else {
        Some(
            rule.parse_options(&options)
                .map_err(|message| format!("invalid `rules.{rule_key}`: {message}"))?,
        )
    };
    Ok(RuleSettings { severity, options })
}

/// The id of a rule given by id or name, including the engine's own rules.
pub fn resolve_rule_id(name: &str) -> Option<&'static str> {
    if let Some(rule) = find_rule(name) {
        return Some(rule.meta().id());
    }
    [PARSE_ERROR, SUPPRESSION, INTERNAL_ERROR, TEMPLATE_SKIPPED]
        .into_iter()
        .find(|code| code.id.eq_ignore_ascii_case(name) || code.name == name)
        .map(|code| code.id)
}

fn parse_size(value: &toml::Value) -> Option<u64> {
    match value {
        toml::Value::Integer(bytes) => u64::try_from(*bytes).ok(),
        toml::Value::String(text) => {
            let text = text.trim();
            let split = text
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(text.len());
            let (number, unit) = text.split_at(split);
            let number: u64 = number.parse().ok()?;
            let multiplier = match unit.trim().to_ascii_uppercase().as_str() {
                "" | "B" => 1,
                "KB" | "KIB" | "K" => 1024,
                "MB" | "MIB" | "M" => 1024 * 1024,
                "GB" | "GIB" | "G" => 1024 * 1024 * 1024,
                _ => return None,
            };
            number.checked_mul(multiplier)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        match Config::parse(text) {
            Ok(_) => "ok".to_owned(),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn valid_config() {
        let config = Config::parse(
            "exclude = [\"vendor/**\", \"scratch\"]\nmax_file_size = \"2MB\"\n[rules]\ndisable = [\"full-admin-grant\"]\n[rules.RL-TF-010]\nseverity = \"warning\"\nextra_resources = { acme_bucket = \"force_destroy\" }\n[[ignore]]\npath = \"iam/*.json\"\nrule = \"RL-IAM-001\"\nreason = \"break-glass\"\n",
        )
        .expect("config is valid");
        assert_eq!(config.max_file_size, 2 * 1024 * 1024);
        assert_eq!(config.disabled, ["RL-IAM-001"]);
        assert!(config.is_excluded("vendor/a/b.tf"));
        assert!(config.is_excluded("scratch/x.tf"));
        assert!(!config.is_excluded("main.tf"));
        assert_eq!(config.ignores.len(), 1);
        assert!(config.rules["RL-TF-010"].options.is_some());
    }

    #[test]
    fn errors_name_key_and_line() {
        assert!(error_of("exclude = []\nbogus = 1\n").starts_with("line 2: unknown field `bogus`"));
        assert_eq!(
            error_of("[rules]\ndisable = [\"nope\"]\n"),
            "line 2: unknown rule `nope` in `rules.disable`"
        );
        assert_eq!(
            error_of("[rules.RL-TF-010]\nseverity = \"fatal\"\n"),
            "line 1: invalid `rules.RL-TF-010.severity`: expected \"error\", \"warning\" or \"info\""
        );
        assert!(error_of("[rules.RL-TF-010]\nwhatever = 1\n").contains("unknown field `whatever`"));
        assert!(
            error_of("[rules.RL-IAM-001]\nwhatever = 1\n").contains("unknown option `whatever`")
        );
        assert!(error_of("[rules.RL-XX-999]\n").contains("unknown key `rules.RL-XX-999`"));
        assert!(
            error_of("max_file_size = \"ten\"\n").starts_with("line 1: invalid `max_file_size`")
        );
    }
}
