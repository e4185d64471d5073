//! Parameters named by dotted path (`agents.noise.count`, `instruments.0.annual_vol`) and
//! setting them in a scenario's TOML text.
//!
//! Overrides edit the document rather than re-serialising a parsed scenario, so comments,
//! order and layout survive: an overridden scenario reads like the file it came from, and a
//! point with no overrides is byte-for-byte its base. Whether a path names a real field is
//! not decided here: the edited text goes through the same validation as any scenario file,
//! which refuses unknown keys.

use std::fmt;

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

/// One step of a dotted path: a key of a table, or an index into a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A parameter's place in a scenario: `agents.noise.count`, `instruments.0.annual_vol`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamPath {
    text: String,
    segments: Vec<Segment>,
}

impl ParamPath {
    /// Reads `a.b.0.c`: parts are separated by dots; a part of digits indexes a list.
    pub fn parse(text: &str) -> Result<ParamPath, String> {
        let mut segments = Vec::new();
        for part in text.split('.') {
            if part.is_empty() {
                return Err(
                    "a parameter is a dotted path such as `agents.noise.count`; \
                            this one has an empty part"
                        .into(),
                );
            }
            if part.bytes().all(|b| b.is_ascii_digit()) {
                let i = part
                    .parse()
                    .map_err(|_| format!("list index {part} is too large"))?;
                if segments.is_empty() {
                    return Err("a parameter starts with a key, not a list index".into());
                }
                segments.push(Segment::Index(i));
            } else {
                segments.push(Segment::Key(part.to_string()));
            }
        }
        Ok(ParamPath {
            text: text.to_string(),
            segments,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The path the way scenario errors name fields: `instruments[0].annual_vol`.
    pub fn field_name(&self) -> String {
        let mut s = String::new();
        for seg in &self.segments {
            match seg {
                Segment::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                Segment::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        s
    }

    /// Whether a scenario error about `field` (as [`ParamPath::field_name`] spells it) is
    /// about this parameter: the field lies inside it, or it inside the field.
    pub fn concerns(&self, field: &str) -> bool {
        let own = self.field_name();
        let inside = |outer: &str, inner: &str| {
            inner == outer
                || inner
                    .strip_prefix(outer)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        };
        inside(&own, field) || inside(field, &own)
    }
}

impl fmt::Display for ParamPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Sets `path` to `value` in `doc`, creating missing tables on the way. Existing values keep
/// their surrounding whitespace and comments. Fails when the path runs through something
/// that is not a table or list, or past the end of a list.
pub fn apply(doc: &mut DocumentMut, path: &ParamPath, value: &toml::Value) -> Result<(), String> {
    let new = to_edit_value(value)?;
    set(doc.as_item_mut(), path.segments(), "", new)
}

/// The value at `path` in a parsed document, if any.
pub fn lookup<'a>(root: &'a toml::Value, path: &ParamPath) -> Option<&'a toml::Value> {
    path.segments()
        .iter()
        .try_fold(root, |v, seg| match (v, seg) {
            (toml::Value::Table(t), Segment::Key(k)) => t.get(k),
            (toml::Value::Array(a), Segment::Index(i)) => a.get(*i),
            _ => None,
        })
}

/// A value as TOML writes it inline: `3`, `0.25`, `"csv"`, `[0.07, 0.13]`, `{ days = 30 }`.
pub fn display_value(value: &toml::Value) -> String {
    value.to_string()
}

fn to_edit_value(value: &toml::Value) -> Result<Value, String> {
    display_value(value)
        .parse::<Value>()
        .map_err(|e| format!("cannot write {value} into the scenario: {e}"))
}

fn joined(at: &str, seg: &Segment) -> String {
    match seg {
        Segment::Key(k) if at.is_empty() => k.clone(),
        Segment::Key(k) => format!("{at}.{k}"),
        Segment::Index(i) => format!("{at}.{i}"),
    }
}

/// A new, empty container for the next step of a path.
fn container(next: &Segment, at: &str) -> Result<Value, String> {
    match next {
        Segment::Key(_) => Ok(Value::InlineTable(InlineTable::new())),
        Segment::Index(i) => Err(format!(
            "`{at}` does not exist in the base scenario, so it has no element {i}"
        )),
    }
}

/// Runs `f` on a value as if it were an item, so that one walk handles tables, inline
/// tables and lists alike.
fn in_item(
    slot: &mut Value,
    f: impl FnOnce(&mut Item) -> Result<(), String>,
) -> Result<(), String> {
    let mut item = Item::Value(std::mem::replace(slot, Value::from(false)));
    let r = f(&mut item);
    match item.into_value() {
        Ok(v) => *slot = v,
        Err(_) => return Err("internal: a value became a table".into()),
    }
    r
}

fn replace(old: &mut Item, mut new: Value) {
    if let Item::Value(v) = old {
        *new.decor_mut() = v.decor().clone();
    }
    *old = Item::Value(new);
}

fn set(item: &mut Item, path: &[Segment], at: &str, new: Value) -> Result<(), String> {
    let Some((seg, rest)) = path.split_first() else {
        replace(item, new);
        return Ok(());
    };
    let here = joined(at, seg);
    match (item, seg) {
        (Item::Table(t), Segment::Key(k)) => set_in_table(t, k, rest, &here, new),
        (Item::Value(Value::InlineTable(t)), Segment::Key(k)) => {
            if t.get(k).is_none() {
                match rest.first() {
                    None => {
                        t.insert(k, new);
                        return Ok(());
                    }
                    Some(next) => {
                        t.insert(k, container(next, &here)?);
                    }
                }
            }
            let slot = t
                .get_mut(k)
                .ok_or_else(|| format!("internal: `{here}` vanished"))?;
            in_item(slot, |i| set(i, rest, &here, new))
        }
        (Item::ArrayOfTables(a), Segment::Index(i)) => {
            let len = a.len();
            let t = a.get_mut(*i).ok_or_else(|| out_of_range(at, *i, len))?;
            let mut item = Item::Table(std::mem::take(t));
            let r = set(&mut item, rest, &here, new);
            match item.into_table() {
                Ok(table) => *t = table,
                Err(_) => return Err(format!("`{here}` is a table and cannot be replaced")),
            }
            r
        }
        (Item::Value(Value::Array(a)), Segment::Index(i)) => {
            let len = a.len();
            let slot = a.get_mut(*i).ok_or_else(|| out_of_range(at, *i, len))?;
            in_item(slot, |item| set(item, rest, &here, new))
        }
        (Item::ArrayOfTables(_) | Item::Value(Value::Array(_)), Segment::Key(k)) => Err(format!(
            "`{at}` is a list: name an element by its index, as in `{at}.0.{k}`"
        )),
        (_, Segment::Index(i)) => Err(format!("`{at}` is not a list, so it has no element {i}")),
        (_, Segment::Key(k)) => Err(format!("`{at}` is a single value, so it has no `{k}`")),
    }
}

fn set_in_table(
    t: &mut Table,
    key: &str,
    rest: &[Segment],
    here: &str,
    new: Value,
) -> Result<(), String> {
    if !t.contains_key(key) {
        match rest.first() {
            None => {
                t.insert(key, Item::Value(new));
                return Ok(());
            }
            Some(Segment::Key(_)) => {
                // A new section (`[market.circuit_breakers]`); an empty parent stays unwritten.
                let mut child = Table::new();
                child.set_implicit(true);
                t.insert(key, Item::Table(child));
            }
            Some(next) => {
                t.insert(key, Item::Value(container(next, here)?));
            }
        }
    }
    let child = t
        .get_mut(key)
        .ok_or_else(|| format!("internal: `{here}` vanished"))?;
    set(child, rest, here, new)
}

fn out_of_range(at: &str, index: usize, len: usize) -> String {
    format!(
        "`{at}` has {len} element{} in the base scenario, so there is no element {index}",
        if len == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"name = "t" # the name
days = 2

[[instruments]]
symbol = "SPX"
annual_vol = 0.16  # vol

[agents.noise]
count = 30
"#;

    fn edited(path: &str, value: toml::Value) -> Result<String, String> {
        let mut doc: DocumentMut = BASE.parse().unwrap();
        apply(&mut doc, &ParamPath::parse(path)?, &value)?;
        Ok(doc.to_string())
    }

    #[test]
    fn existing_values_are_replaced_in_place_with_their_comments() {
        let out = edited("instruments.0.annual_vol", toml::Value::Float(0.3)).unwrap();
        assert_eq!(out, BASE.replace("0.16  # vol", "0.3  # vol"));
        let out = edited("agents.noise.count", toml::Value::Integer(5)).unwrap();
        assert_eq!(out, BASE.replace("count = 30", "count = 5"));
    }

    #[test]
    fn missing_keys_and_tables_are_created() {
        let out = edited("agents.noise.market_share", toml::Value::Float(0.2)).unwrap();
        assert!(out.contains("count = 30\nmarket_share = 0.2\n"), "{out}");
        let out = edited(
            "market.circuit_breakers.enabled",
            toml::Value::Boolean(false),
        )
        .unwrap();
        assert!(
            out.contains("[market.circuit_breakers]\nenabled = false\n")
                && !out.contains("[market]"),
            "{out}"
        );
        let parsed: toml::Value = toml::from_str(&out).unwrap();
        let p = ParamPath::parse("market.circuit_breakers.enabled").unwrap();
        assert_eq!(lookup(&parsed, &p), Some(&toml::Value::Boolean(false)));
    }

    #[test]
    fn impossible_paths_say_why() {
        let e = edited("instruments.3.annual_vol", toml::Value::Float(0.3)).unwrap_err();
        assert!(e.contains("1 element") && e.contains("no element 3"), "{e}");
        let e = edited("instruments.annual_vol", toml::Value::Float(0.3)).unwrap_err();
        assert!(e.contains("instruments.0.annual_vol"), "{e}");
        let e = edited("days.x", toml::Value::Float(0.3)).unwrap_err();
        assert!(e.contains("single value"), "{e}");
        assert!(ParamPath::parse("agents..count").is_err());
        assert!(ParamPath::parse("0.count").is_err());
    }

    #[test]
    fn field_names_match_scenario_errors() {
        let p = ParamPath::parse("instruments.0.annual_vol").unwrap();
        assert_eq!(p.field_name(), "instruments[0].annual_vol");
        assert!(p.concerns("instruments[0].annual_vol"));
        assert!(p.concerns("instruments[0]"));
        assert!(!p.concerns("instruments[0].annual_volume"));
        assert!(!p.concerns("instruments[1].annual_vol"));
        let q = ParamPath::parse("agents.wizard.count").unwrap();
        assert!(q.concerns("agents.wizard"));
    }
}
