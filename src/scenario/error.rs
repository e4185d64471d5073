//! Scenario errors: each names the file, the line and the field, and says what is expected.

use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ScenarioError {
    #[error("{file}: cannot read the scenario")]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}", format_problems(file, problems))]
    Invalid {
        file: PathBuf,
        problems: Vec<Problem>,
    },
    /// Problems in several files (a scenario and the base it extends).
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Several(Vec<ScenarioError>),
}

/// One thing wrong with an otherwise readable scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Line of the offending key (or of its nearest enclosing table), 1-based; 0 if unknown.
    pub line: usize,
    /// Dotted path of the field, e.g. `agents.noise.count` or `instruments[0].tick_size`.
    pub field: String,
    pub message: String,
}

fn format_problems(file: &std::path::Path, problems: &[Problem]) -> String {
    let mut s = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        if p.line > 0 {
            s.push_str(&format!(
                "{}:{}: `{}`: {}",
                file.display(),
                p.line,
                p.field,
                p.message
            ));
        } else {
            s.push_str(&format!("{}: `{}`: {}", file.display(), p.field, p.message));
        }
    }
    s
}
