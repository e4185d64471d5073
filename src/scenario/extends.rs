//! `extends = "markets/spx.toml"`: a scenario built on a base file (a reference market) that
//! it overrides key by key. Tables merge recursively; any other value, arrays of tables
//! (`[[instruments]]`) included, replaces the base's whole. A base may extend another (up to
//! eight files, no cycles). Relative paths inside any of the files (a pre-history file) are
//! resolved against the folder of the scenario that was loaded, the top of the chain.
//!
//! The merged text is what a run hashes and copies into its folder, so a run folder stands
//! alone; problems are located in whichever file set the key.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item};

use super::error::{Problem, ScenarioError};

/// Longest chain of files a scenario may extend through.
const MAX_DEPTH: usize = 8;

/// One file of a chain: the scenario first, then each base it extends.
#[derive(Clone, Debug)]
pub(super) struct Layer {
    pub path: PathBuf,
    pub source: String,
}

/// `source` with every base it extends merged in, and the chain of files (itself first). A
/// scenario without `extends` (or whose TOML does not parse: the normal reading reports that)
/// comes back as it is.
pub(super) fn expand(path: &Path, source: &str) -> Result<(String, Vec<Layer>), ScenarioError> {
    let mut layers = vec![Layer {
        path: path.to_path_buf(),
        source: source.to_string(),
    }];
    let Some(doc) = chain(&mut layers, 0)? else {
        return Ok((source.to_string(), layers));
    };
    // File names only: the merged text (and so a run's summary hash) must not depend on the
    // folder the scenario was run from.
    let header = layers
        .iter()
        .map(|l| {
            l.path.file_name().map_or_else(
                || l.path.display().to_string(),
                |n| n.to_string_lossy().into(),
            )
        })
        .collect::<Vec<_>>()
        .join(" extending ");
    Ok((format!("# merged from {header}\n{doc}"), layers))
}

/// The merged document of `layers[k]` and its bases, or `None` when it extends nothing.
fn chain(layers: &mut Vec<Layer>, k: usize) -> Result<Option<DocumentMut>, ScenarioError> {
    let Layer { path, source } = layers[k].clone();
    let Ok(mut doc) = source.parse::<DocumentMut>() else {
        return Ok(None);
    };
    let Some(ext) = doc.remove("extends") else {
        return Ok(Some(doc).filter(|_| k > 0));
    };
    let bad = |message: String| {
        let line = super::load::locate_exact(&source, "extends")
            .map_or(0, |off| super::load::line_col(&source, off).0);
        ScenarioError::Invalid {
            file: path.clone(),
            problems: vec![Problem {
                line,
                field: "extends".into(),
                message,
            }],
        }
    };
    let Some(rel) = ext.as_str().filter(|s| !s.trim().is_empty()) else {
        return Err(bad("must be the path of a scenario file".into()));
    };
    if layers.len() >= MAX_DEPTH {
        return Err(bad(format!("extends more than {MAX_DEPTH} files deep")));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let base_path = dir.join(rel);
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    };
    if layers.iter().any(|l| same(&l.path, &base_path)) {
        return Err(bad(format!(
            "{} is already in the chain (a cycle)",
            base_path.display()
        )));
    }
    // An unreadable base is the extending file's problem, at its `extends` line.
    let base_source = std::fs::read_to_string(&base_path)
        .map_err(|e| bad(format!("cannot read {}: {e}", base_path.display())))?;
    // A base that is not valid TOML is reported in its own file.
    if let Err(e) = base_source.parse::<DocumentMut>() {
        let (line, column) = e
            .span()
            .map(|s| super::load::line_col(&base_source, s.start))
            .unwrap_or((0, 0));
        return Err(ScenarioError::Syntax {
            file: base_path,
            line,
            column,
            message: e.message().trim().to_string(),
        });
    }
    layers.push(Layer {
        path: base_path,
        source: base_source.clone(),
    });
    let mut base = match chain(layers, k + 1)? {
        Some(d) => d,
        None => base_source.parse::<DocumentMut>().unwrap_or_default(),
    };
    merge(base.as_table_mut(), doc.as_table());
    Ok(Some(base))
}

/// Sets every key of `over` in `into`: tables merge, everything else replaces.
fn merge(into: &mut toml_edit::Table, over: &toml_edit::Table) {
    for (key, item) in over.iter() {
        match (into.get_mut(key), item) {
            (Some(Item::Table(dst)), Item::Table(src)) => merge(dst, src),
            (Some(dst), src) if dst.is_table_like() && src.is_table_like() => {
                if let (Some(d), Some(s)) = (dst.as_table_like_mut(), src.as_table_like()) {
                    for (k, v) in s.iter() {
                        d.insert(k, v.clone());
                    }
                }
            }
            _ => {
                into.insert(key, item.clone());
            }
        }
    }
}

/// The file and line where `field` is set: the first layer that has the whole path, else the
/// scenario itself at its nearest enclosing key.
pub(super) fn where_set(layers: &[Layer], field: &str) -> (PathBuf, usize, usize) {
    for l in layers {
        if let Some(off) = super::load::locate_exact(&l.source, field) {
            let (line, column) = super::load::line_col(&l.source, off);
            return (l.path.clone(), line, column);
        }
    }
    let top = &layers[0];
    let (line, column) = super::load::locate_nearest(&top.source, field)
        .map_or((0, 0), |off| super::load::line_col(&top.source, off));
    (top.path.clone(), line, column)
}
