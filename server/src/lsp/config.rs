//! The server's settings: the `ward` object of `initializationOptions`
//! and of `workspace/didChangeConfiguration` (`{"settings": {"ward": …}}`).
//! Every field has a default, so a client may send any subset.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub inlay_hints: InlayHints,
    pub run: Run,
    /// Where `codeDescription` links of diagnostics point: a URL whose
    /// `#w0382-…` anchors are `docs/diagnostics.md`'s headings. Unset: the
    /// `docs/diagnostics.md` beside the server's sources, when it exists.
    pub diagnostics_docs: Option<String>,
}

// One switch per kind of hint, as the client's settings name them.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct InlayHints {
    /// `let` and closure parameter types.
    pub types: bool,
    pub lifetimes: LifetimeHints,
    /// Implicit drops at the end of scopes.
    pub drops: bool,
    pub capabilities: bool,
    /// Each zone's computed worst case.
    pub zones: bool,
}

impl Default for InlayHints {
    fn default() -> InlayHints {
        InlayHints {
            types: true,
            lifetimes: LifetimeHints::SkipTrivial,
            drops: false,
            capabilities: true,
            zones: true,
        }
    }
}

/// When elided lifetimes are shown on signatures.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum LifetimeHints {
    Always,
    /// Not where a single input lifetime is all there is.
    #[default]
    SkipTrivial,
    Never,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Run {
    /// Whether the Run and Profile lenses and commands may execute code.
    pub enabled: bool,
    /// The capabilities a run grants (`ward run --allow` entries: `"fs"`,
    /// `"fs=/var/ward/feeds"`, `"net=127.0.0.1:2575"`, or `"all"`).
    pub allow: AllowList,
    /// A run is stopped after this long.
    pub timeout_ms: u64,
    /// A run is stopped when the program holds more memory than this many
    /// MiB; 0: a quarter of the machine's memory.
    pub max_heap_mb: u64,
}

/// `ward.run.allow`: a list of capabilities. Before capabilities existed
/// it was a boolean turning runs on or off; `false` still turns them off.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum AllowList {
    Caps(Vec<String>),
    /// One `--allow` value: `"fs,clock"`.
    Text(String),
    /// The old on/off switch (now `ward.run.enabled`).
    Switch(bool),
    #[default]
    #[serde(skip)]
    Nothing,
}

impl Run {
    /// Whether runs may execute code.
    pub fn is_enabled(&self) -> bool {
        self.enabled && self.allow != AllowList::Switch(false)
    }

    /// What a run grants `main`; `Err` names an entry that is not a
    /// capability.
    pub fn grant(&self) -> Result<ward_runtime::caps::Grant, String> {
        let mut grant = ward_runtime::caps::Grant::none();
        let entries: Vec<&str> = match &self.allow {
            AllowList::Caps(list) => list.iter().map(String::as_str).collect(),
            AllowList::Text(text) => text.split(',').collect(),
            AllowList::Switch(_) | AllowList::Nothing => Vec::new(),
        };
        for entry in entries {
            if entry.trim() == "all" {
                grant.merge(ward_runtime::caps::Grant::all());
                continue;
            }
            let one = ward_runtime::caps::Grant::parse(entry)
                .map_err(|e| format!("`ward.run.allow` entry {entry:?}: {e}"))?;
            grant.merge(one);
        }
        Ok(grant)
    }

    /// The heap budget in bytes.
    pub fn max_heap_bytes(&self) -> usize {
        match self.max_heap_mb {
            0 => ward_runtime::embed::default_heap_budget(),
            mb => usize::try_from(mb.saturating_mul(1 << 20)).unwrap_or(usize::MAX),
        }
    }
}

impl Default for Run {
    fn default() -> Run {
        Run {
            enabled: true,
            allow: AllowList::Nothing,
            timeout_ms: 10_000,
            max_heap_mb: 0,
        }
    }
}

impl Settings {
    /// Settings from a `ward` object; `Err` names what did not fit.
    pub fn from_json(value: serde_json::Value) -> Result<Settings, String> {
        if value.is_null() {
            return Ok(Settings::default());
        }
        serde_json::from_value(value).map_err(|e| format!("invalid `ward` settings: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_settings_keep_the_defaults() {
        let s = Settings::from_json(serde_json::json!({"inlayHints": {"lifetimes": "always"}}))
            .unwrap_or_default();
        assert_eq!(s.inlay_hints.lifetimes, LifetimeHints::Always);
        assert!(s.inlay_hints.types);
        assert!(!s.inlay_hints.drops);
        assert_eq!(s.run.timeout_ms, 10_000);
        assert!(Settings::from_json(serde_json::json!({"run": {"timeoutMs": "soon"}})).is_err());
        assert!(s.run.is_enabled());
        assert_eq!(s.run.grant(), Ok(ward_runtime::caps::Grant::none()));
    }

    #[test]
    fn run_allow_is_a_capability_list_or_the_old_switch() {
        let s = Settings::from_json(serde_json::json!({"run": {"allow": ["fs", "clock"]}}))
            .unwrap_or_default();
        assert_eq!(
            s.run.grant().map(|g| g.caps().flag_list()),
            Ok("fs,clock".to_string())
        );
        let s =
            Settings::from_json(serde_json::json!({"run": {"allow": ["all"]}})).unwrap_or_default();
        assert_eq!(
            s.run.grant().map(|g| g.caps()),
            Ok(ward_runtime::caps::CapSet::ALL)
        );
        let s = Settings::from_json(serde_json::json!({"run": {"allow": ["fs", "bogus"]}}))
            .unwrap_or_default();
        assert!(s.run.grant().is_err_and(|e| e.contains("bogus")));
        let s =
            Settings::from_json(serde_json::json!({"run": {"allow": false}})).unwrap_or_default();
        assert!(!s.run.is_enabled());
        let s =
            Settings::from_json(serde_json::json!({"run": {"enabled": false}})).unwrap_or_default();
        assert!(!s.run.is_enabled());
    }
}
