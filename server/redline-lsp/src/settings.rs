//! What the client configures: `initializationOptions` and `workspace/didChangeConfiguration`.

use std::collections::BTreeMap;

use redline_diagnostics::Severity;
use serde::Deserialize;

/// The debounce used when the client does not set `debounceMs`.
pub const DEFAULT_DEBOUNCE_MS: u64 = 100;

/// Client settings, as JSON: `{"enable": true, "severity": "info", "rules": {"disable": [...],
/// "severity": {"RL-TF-010": "warning"}}, "debounceMs": 100, "scanWorkspace": true,
/// "infoAsHint": false}`.
///
/// The object may also be wrapped as `{"redline": {...}}`, which is how VS Code sends a section.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// `false` turns the server off: no findings are shown.
    pub enable: Option<bool>,
    /// The least severe finding shown: `info`, `warning` or `error`.
    pub severity: Option<String>,
    /// Rules to disable and severities to change, on top of `redline.toml`.
    pub rules: RuleSettings,
    /// Milliseconds to wait after a change before analysing.
    pub debounce_ms: Option<u64>,
    /// Whether to analyse every file of the workspace folders on start.
    pub scan_workspace: Option<bool>,
    /// Whether info findings are published as hints, which editors draw faintly and leave out
    /// of their problem lists, rather than as information.
    pub info_as_hint: Option<bool>,
}

/// Rule settings from the client.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RuleSettings {
    /// Rule ids or names that never run.
    pub disable: Vec<String>,
    /// Severity per rule id or name.
    pub severity: BTreeMap<String, String>,
}

impl Settings {
    /// Reads settings from JSON; `null` gives the defaults.
    pub fn from_json(value: &serde_json::Value) -> Result<Settings, String> {
        let value = match value.get("redline") {
            Some(inner) => inner,
            None => value,
        };
        if value.is_null() {
            return Ok(Settings::default());
        }
        let res: Settings = serde_json::from_value(value.clone())
            .map_err(|error| format!("invalid redline settings: {error}"))?;
        res.minimum_severity()?;
        for rule in res.rules.disable.iter().chain(res.rules.severity.keys()) {
            if redline_rules::find_any_rule(rule).is_none() {
                return Err(format!("invalid redline settings: unknown rule `{rule}`"));
            }
        }
        for severity in res.rules.severity.values() {
            if Severity::parse(severity).is_none() {
                return Err(format!(
                    "invalid redline settings: unknown severity `{severity}` (expected error, warning or info)"
                ));
            }
        }
        Ok(res)
    }

    /// Whether findings are shown at all.
    pub fn enabled(&self) -> bool {
        self.enable.unwrap_or(true)
    }

    /// The least severe finding shown.
    pub fn minimum_severity(&self) -> Result<Severity, String> {
        match &self.severity {
            None => Ok(Severity::Info),
            Some(name) => Severity::parse(name).ok_or_else(|| {
                format!(
                    "invalid redline settings: unknown severity `{name}` (expected error, warning or info)"
                )
            }),
        }
    }

    /// Whether to scan the workspace folders on start.
    pub fn scan_workspace(&self) -> bool {
        self.scan_workspace.unwrap_or(true)
    }

    /// Whether info findings are published as hints.
    pub fn info_as_hint(&self) -> bool {
        self.info_as_hint.unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_accept_a_wrapped_section_and_refuse_unknown_rules() {
        let wrapped = serde_json::json!({"redline": {"severity": "warning",
            "rules": {"disable": ["force-destroy-enabled"]}}});
        let settings = Settings::from_json(&wrapped).expect("valid settings");
        assert_eq!(settings.minimum_severity(), Ok(Severity::Warning));
        assert_eq!(settings.rules.disable, ["force-destroy-enabled"]);
        let unknown = serde_json::json!({"rules": {"disable": ["RL-NOPE-001"]}});
        assert!(Settings::from_json(&unknown).is_err());
        assert!(Settings::from_json(&serde_json::Value::Null).is_ok());
    }
}
