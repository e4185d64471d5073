//! Reading a scenario file: TOML syntax and types first (serde), then the rules serde cannot
//! express (positive sizes, finite numbers, a possible calendar), each located in the file.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::error::{Problem, ScenarioError};
use super::schema::Scenario;
use super::validate::validate;

/// A scenario read from a file, with the file's location for resolving relative paths.
#[derive(Clone, Debug)]
pub struct LoadedScenario {
    pub scenario: Scenario,
    pub path: PathBuf,
    /// The file's text, kept for the run's scenario hash and copy in the run folder.
    pub source: String,
}

impl LoadedScenario {
    /// The folder relative paths in the scenario are resolved against.
    pub fn base_dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

pub fn load(path: &Path) -> Result<LoadedScenario, ScenarioError> {
    let source = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    let (scenario, source) = parse_expanded(path, &source)?;
    Ok(LoadedScenario {
        scenario,
        path: path.to_path_buf(),
        source,
    })
}

/// Parses and validates scenario text; `path` labels errors and anchors `extends`.
pub fn parse(path: &Path, source: &str) -> Result<Scenario, ScenarioError> {
    parse_expanded(path, source).map(|(s, _)| s)
}

/// The scenario and its text with any base files it extends merged in; problems are located
/// in the file that set the offending key.
fn parse_expanded(path: &Path, source: &str) -> Result<(Scenario, String), ScenarioError> {
    let (merged, layers) = super::extends::expand(path, source)?;
    if layers.len() == 1 {
        return check(source)
            .map(|s| (s, merged))
            .map_err(|e| e.into_error(path));
    }
    match check(&merged) {
        Ok(s) => Ok((s, merged)),
        Err(Unreadable::Syntax(f)) => {
            let field = f.field.clone().unwrap_or_default();
            let (file, line, column) = super::extends::where_set(&layers, &field);
            Err(ScenarioError::Syntax {
                file,
                line,
                column,
                message: match f.field {
                    Some(field) => format!("`{field}`: {}", f.message),
                    None => f.message,
                },
            })
        }
        Err(Unreadable::Invalid(problems)) => {
            let mut by_file: Vec<(PathBuf, Vec<Problem>)> = Vec::new();
            for p in problems {
                let (file, line, _) = super::extends::where_set(&layers, &p.field);
                let p = Problem { line, ..p };
                match by_file.iter_mut().find(|(f, _)| *f == file) {
                    Some((_, v)) => v.push(p),
                    None => by_file.push((file, vec![p])),
                }
            }
            let mut errors: Vec<ScenarioError> = by_file
                .into_iter()
                .map(|(file, problems)| ScenarioError::Invalid { file, problems })
                .collect();
            Err(if errors.len() == 1 {
                errors.remove(0)
            } else {
                ScenarioError::Several(errors)
            })
        }
    }
}

/// What is wrong with a scenario's text, before it is attached to a file name.
#[derive(Clone, Debug)]
pub(super) enum Unreadable {
    /// TOML syntax or a type serde refused: where, and the field when it can be named.
    Syntax(Found),
    /// Readable, but breaking rules of `validate` (one entry each).
    Invalid(Vec<Problem>),
}

/// A syntax or type error in TOML text.
#[derive(Clone, Debug)]
pub(super) struct Found {
    pub line: usize,
    pub column: usize,
    /// Dotted path of the field the error is about, when the document says.
    pub field: Option<String>,
    pub message: String,
}

impl Unreadable {
    pub(super) fn into_error(self, path: &Path) -> ScenarioError {
        match self {
            Unreadable::Syntax(f) => ScenarioError::Syntax {
                file: path.to_path_buf(),
                line: f.line,
                column: f.column,
                message: match f.field {
                    Some(field) => format!("`{field}`: {}", f.message),
                    None => f.message,
                },
            },
            Unreadable::Invalid(problems) => ScenarioError::Invalid {
                file: path.to_path_buf(),
                problems,
            },
        }
    }
}

/// Parses and validates scenario text.
pub(super) fn check(source: &str) -> Result<Scenario, Unreadable> {
    let scenario: Scenario = deserialize(source)
        .map_err(|found| Unreadable::Syntax(within_prehistory(source, found)))?;
    locate_problems(source, scenario, validate)
}

/// Parses TOML text into `T` and checks it with `rules` (dotted field, problem), each problem
/// located at its field's line.
fn check_with<T: serde::de::DeserializeOwned>(
    source: &str,
    rules: impl Fn(&T) -> Vec<(String, String)>,
) -> Result<T, Unreadable> {
    let value: T = deserialize(source).map_err(Unreadable::Syntax)?;
    locate_problems(source, value, rules)
}

/// `value` if `rules` find nothing wrong with it, else every problem located in `source`.
fn locate_problems<T>(
    source: &str,
    value: T,
    rules: impl Fn(&T) -> Vec<(String, String)>,
) -> Result<T, Unreadable> {
    let problems = rules(&value);
    if problems.is_empty() {
        return Ok(value);
    }
    let table = DeTable::parse(source).ok();
    let problems = problems
        .into_iter()
        .map(|(field, message)| Problem {
            line: table
                .as_ref()
                .and_then(|t| locate(t.get_ref(), &field))
                .map_or(0, |off| line_col(source, off).0),
            field,
            message,
        })
        .collect();
    Err(Unreadable::Invalid(problems))
}

/// Parses and checks any TOML settings file the way scenarios are (the monitor's, the
/// catalogue of estimates): syntax, types and unknown keys by serde, then `rules`, every
/// problem as `file:line: `field`: problem`.
pub fn parse_checked<T: serde::de::DeserializeOwned>(
    path: &Path,
    source: &str,
    rules: impl Fn(&T) -> Vec<(String, String)>,
) -> Result<T, ScenarioError> {
    check_with(source, rules).map_err(|e| e.into_error(path))
}

/// Problems found once a settings file was read (a reference to another file or table that
/// does not hold), each located at its field's line as [`parse_checked`] locates its own.
pub fn located_problems(
    path: &Path,
    source: &str,
    problems: Vec<(String, String)>,
) -> ScenarioError {
    let problems = problems
        .into_iter()
        .map(|(field, message)| Problem {
            line: locate_nearest(source, &field).map_or(0, |off| line_col(source, off).0),
            field,
            message,
        })
        .collect();
    ScenarioError::Invalid {
        file: path.to_path_buf(),
        problems,
    }
}

/// Problems of mechanical-class tables (the scenario's own types) as a scenario trading
/// `symbols` would report them, with the `agents.` prefix dropped from the paths: the monitor
/// checks its tables by the scenario's rules rather than a copy of them.
pub fn class_table_problems(
    agents: super::schema::AgentsCfg,
    symbols: &[String],
) -> Vec<(String, String)> {
    let mut text = String::from("name = \"monitor\"\ndays = 1\n");
    for sym in symbols {
        text.push_str(&format!(
            "[[instruments]]\nsymbol = {sym:?}\ninitial_price = 100.0\nnotional_per_unit = 1.0\n"
        ));
    }
    text.push_str("[agents]\n");
    let Ok(mut s) = toml::from_str::<Scenario>(&text) else {
        return vec![(
            "symbols".into(),
            "cannot form a market of these symbols".into(),
        )];
    };
    s.agents = agents;
    validate(&s)
        .into_iter()
        .filter_map(|(f, m)| f.strip_prefix("agents.").map(|f| (f.to_string(), m)))
        .collect()
}

/// `[prehistory]` is an internally tagged enum, which serde reads whole before choosing the
/// variant, so its errors point at the table, not at the key. Reading the table again as plain
/// fields finds the key (`prehistory.days`).
fn within_prehistory(source: &str, found: Found) -> Found {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default)]
        #[allow(dead_code)]
        prehistory: Option<PrehistoryProbe>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct PrehistoryProbe {
        kind: Option<String>,
        days: Option<u32>,
        annual_drift: Option<f64>,
        file: Option<String>,
        until: Option<String>,
        files: Option<toml::Table>,
        close_column: Option<String>,
    }
    if found.field.as_deref() != Some("prehistory") {
        return found;
    }
    match deserialize::<Probe>(source) {
        Err(inner)
            if inner
                .field
                .as_deref()
                .is_some_and(|f| f.starts_with("prehistory.")) =>
        {
            inner
        }
        _ => found,
    }
}

/// Deserialises TOML text into `T`, locating a syntax or type error by line, column and the
/// dotted name of the field. Scenario and sweep files share it so that both report problems
/// the same way.
pub(super) fn deserialize<T: serde::de::DeserializeOwned>(source: &str) -> Result<T, Found> {
    toml::from_str(source).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|s| line_col(source, s.start))
            .unwrap_or((0, 0));
        let message = plain_types(e.message().trim());
        // An error about the document itself (a key missing from the top level) comes with an
        // empty span at its start, where the first key is: that key is not what is wrong.
        if e.span().is_some_and(|sp| sp.is_empty() && sp.start == 0) {
            return Found {
                line,
                column,
                field: None,
                message: format!("{message} at the top level of the file"),
            };
        }
        let field = e.span().and_then(|sp| {
            DeTable::parse(source)
                .ok()
                .and_then(|t| key_at(t.get_ref(), sp.start, ""))
                .or_else(|| key_on_line(source, sp.start))
        });
        Found {
            line,
            column,
            field,
            message,
        }
    })
}

/// serde's names of number types in words, with their ranges (`expected u32` reads as
/// `expected a whole number from 0 to 4294967295`).
fn plain_types(message: &str) -> String {
    let mut m = message.to_string();
    for (rust, words) in [
        ("u32", format!("a whole number from 0 to {}", u32::MAX)),
        ("u64", format!("a whole number from 0 to {}", u64::MAX)),
        (
            "i32",
            format!("a whole number from {} to {}", i32::MIN, i32::MAX),
        ),
        (
            "i64",
            format!("a whole number from {} to {}", i64::MIN, i64::MAX),
        ),
        ("f64", "a number".to_string()),
    ] {
        let from = format!("expected {rust}");
        if let Some(at) = m.find(&from) {
            let end = at + from.len();
            // Only the whole word: not `u32` inside a longer name.
            if !m[end..].starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                m.replace_range(at..end, &format!("expected {words}"));
            }
        }
    }
    m
}

/// 1-based line and column of a byte offset.
pub(super) fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// The bare key written at `offset` (`key = …`), when the document cannot be parsed into
/// tables (a duplicate key, say).
fn key_on_line(source: &str, offset: usize) -> Option<String> {
    let rest = source.get(offset..)?;
    let line = rest.lines().next()?;
    let key = line.split('=').next()?.trim();
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    (bare && line.contains('=')).then(|| key.to_string())
}

/// Dotted path of the deepest key whose key or value covers byte `offset`. Tables are
/// searched whatever their own span says, because a table opened by a `[header]` spans only
/// the header.
fn key_at(table: &DeTable<'_>, offset: usize, prefix: &str) -> Option<String> {
    table.iter().find_map(|(k, v)| {
        let name = if prefix.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{prefix}.{}", k.get_ref())
        };
        if k.span().contains(&offset) {
            return Some(name);
        }
        value_key_at(v.get_ref(), offset, &name)
            .or_else(|| (v.span().contains(&offset) || v.span().start == offset).then_some(name))
    })
}

fn value_key_at(v: &DeValue<'_>, offset: usize, name: &str) -> Option<String> {
    match v {
        DeValue::Table(t) => key_at(t, offset, name),
        DeValue::Array(items) => items.iter().enumerate().find_map(|(i, it)| {
            let n = format!("{name}[{i}]");
            value_key_at(it.get_ref(), offset, &n)
                .or_else(|| it.span().contains(&offset).then_some(n))
        }),
        _ => None,
    }
}

/// Byte offset of the deepest part of a dotted path (`a.b[2].c`) that exists in the document.
fn locate(table: &DeTable<'_>, path: &str) -> Option<usize> {
    locate_full(table, path).map(|(offset, _)| offset)
}

/// Byte offset of the deepest part of a dotted path that exists in `source`.
pub(super) fn locate_nearest(source: &str, path: &str) -> Option<usize> {
    let table = DeTable::parse(source).ok()?;
    locate(table.get_ref(), path)
}

/// Byte offset of the whole dotted path, when every part of it is in the document.
pub(super) fn locate_exact(source: &str, path: &str) -> Option<usize> {
    let table = DeTable::parse(source).ok()?;
    match locate_full(table.get_ref(), path) {
        Some((offset, true)) => Some(offset),
        _ => None,
    }
}

/// Byte offset of the deepest part of a dotted path (`a.b[2].c`) that exists in the document,
/// and whether that part is the whole path.
fn locate_full(table: &DeTable<'_>, path: &str) -> Option<(usize, bool)> {
    let mut found = None;
    let mut current: Option<&DeValue<'_>> = None;
    let mut current_table = Some(table);
    let mut matched = 0;
    let parts = path.split('.').count();
    for part in path.split('.') {
        let (key, index) = match part.find('[') {
            Some(i) => (
                &part[..i],
                part[i + 1..part.len() - 1].parse::<usize>().ok(),
            ),
            None => (part, None),
        };
        let t = match (current_table, current) {
            (Some(t), _) => t,
            (None, Some(DeValue::Table(t))) => t,
            _ => break,
        };
        let Some((k, v)) = t.iter().find(|(k, _)| k.get_ref().as_ref() == key) else {
            break;
        };
        found = Some(k.span().start);
        current_table = None;
        current = Some(v.get_ref());
        if let Some(i) = index {
            match v.get_ref() {
                DeValue::Array(items) if i < items.len() => {
                    found = Some(items[i].span().start);
                    current = Some(items[i].get_ref());
                }
                _ => break,
            }
        }
        matched += 1;
    }
    found.map(|offset| (offset, matched == parts))
}
