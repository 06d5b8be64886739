//! `revc.toml`: which lints run and how loud they are, found upward from the linted file.
//!
//! ```toml
//! [lint]
//! select = ["REV2"]        # codes or code prefixes; default: every lint
//! ignore = ["REV214"]      # codes or prefixes to skip
//!
//! [lint.severity]
//! REV201 = "error"         # error | warning | info | off
//! ```

use super::{LINTS, Lint};
use crate::diag::{Code, Severity};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The configuration file's name.
pub const FILE_NAME: &str = "revc.toml";

/// Lint configuration: the `[lint]` table of `revc.toml`.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Codes or prefixes to run; `None` runs every lint.
    select: Option<Vec<String>>,
    /// Codes or prefixes to skip (wins over `select`).
    ignore: Vec<String>,
    /// Severity per code; `None` turns the lint off.
    severity: HashMap<Code, Option<Severity>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    lint: Option<LintTable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LintTable {
    select: Option<Vec<String>>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    severity: HashMap<String, String>,
}

impl Config {
    /// Parses the text of a `revc.toml`; the error says what is wrong, for the user.
    pub fn parse(text: &str) -> Result<Config, String> {
        let file: File = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let Some(t) = file.lint else {
            return Ok(Config::default());
        };
        for sel in t.select.iter().flatten().chain(&t.ignore) {
            if !LINTS.iter().any(|l| matches(sel, l.code)) {
                return Err(format!(
                    "`{sel}` selects no lint (lint codes are REV201 to REV217)"
                ));
            }
        }
        let mut severity = HashMap::new();
        for (code, word) in &t.severity {
            let lint =
                super::lint_by_code(code).ok_or_else(|| format!("`{code}` is not a lint code"))?;
            let s = match word.to_ascii_lowercase().as_str() {
                "error" => Some(Severity::Error),
                "warning" => Some(Severity::Warning),
                "info" => Some(Severity::Info),
                "off" => None,
                _ => {
                    return Err(format!(
                        "severity of {code} is `{word}`: expected error, warning, info or off"
                    ));
                }
            };
            severity.insert(lint.code, s);
        }
        Ok(Config {
            select: t.select,
            ignore: t.ignore,
            severity,
        })
    }

    /// Reads and parses a `revc.toml`.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read `{}`: {}",
                path.display(),
                crate::cli::io_reason(&e)
            )
        })?;
        Config::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The nearest `revc.toml` in the file's directory or above it.
    pub fn find(file: &Path) -> Option<PathBuf> {
        let abs = std::path::absolute(file).ok()?;
        abs.ancestors()
            .skip(1)
            .map(|dir| dir.join(FILE_NAME))
            .find(|p| p.is_file())
    }

    /// The severity a lint runs at, or `None` when it does not run.
    pub fn severity(&self, lint: &Lint) -> Option<Severity> {
        let selected = self
            .select
            .as_ref()
            .is_none_or(|s| s.iter().any(|sel| matches(sel, lint.code)));
        if !selected || self.ignore.iter().any(|sel| matches(sel, lint.code)) {
            return None;
        }
        match self.severity.get(&lint.code) {
            Some(s) => *s,
            None => Some(lint.severity),
        }
    }
}

/// Whether a selector (`REV201`, `REV2`, `ALL`) covers a code.
fn matches(selector: &str, code: Code) -> bool {
    let sel = selector.trim().to_ascii_uppercase();
    sel == "ALL" || (!sel.is_empty() && code.as_str().starts_with(&sel))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(code: &str) -> &'static Lint {
        super::super::lint_by_code(code).unwrap()
    }

    #[test]
    fn select_ignore_and_severity() {
        let c = Config::parse(
            "[lint]\nselect = [\"REV20\"]\nignore = [\"REV203\"]\n[lint.severity]\nREV201 = \"error\"\nREV204 = \"off\"\n",
        )
        .unwrap();
        assert_eq!(c.severity(lint("REV201")), Some(Severity::Error));
        assert_eq!(c.severity(lint("REV202")), Some(Severity::Error));
        assert_eq!(c.severity(lint("REV203")), None);
        assert_eq!(c.severity(lint("REV204")), None);
        assert_eq!(c.severity(lint("REV205")), Some(Severity::Warning));
        assert_eq!(c.severity(lint("REV211")), None);
    }

    #[test]
    fn bad_configs_say_why() {
        assert!(
            Config::parse("[lint]\nselect = [\"REV9\"]\n")
                .unwrap_err()
                .contains("REV9")
        );
        assert!(
            Config::parse("[lint]\nfoo = 1\n")
                .unwrap_err()
                .contains("foo")
        );
        assert!(
            Config::parse("[lint.severity]\nREV201 = \"loud\"\n")
                .unwrap_err()
                .contains("loud")
        );
        assert!(Config::parse("[lint.severity]\nREV101 = \"error\"\n").is_err());
    }
}
