//! `--set KEY=V1,V2,...`: variants of a scenario, made by editing its TOML.
//!
//! A key is a dotted path into the scenario file as written, with an index
//! for a table array: `greenroom.policy`, `item[0].rule`. An override edits
//! the parsed TOML document and the result goes through the same scenario
//! parser as a file, so a bad key or value is refused with the parser's own
//! words; the error names the `--set` key and value rather than a line of a
//! file the user never wrote. Every table on the path must exist in the
//! scenario (an `item[3]` of a scenario with two items is an error); the
//! last key may be new, and the parser refuses it if scenarios have no such
//! key.
//!
//! A value is read as a TOML value (`3`, `0.5`, `true`, `"text"`,
//! `["BRA"]`) and, if it is not one, as a string (`reformed`,
//! `two-thirds-of-members`). Values are split on commas, so an array with
//! several elements cannot be one of them.

use rappard_core::scenario::{self, Scenario, ScenarioError};
use toml::{Table, Value};

use crate::error::{Error, Result};

/// One `--set` option: a key and the values it takes.
#[derive(Clone, Debug)]
pub struct Set {
    /// The key as written.
    pub key: String,
    /// The path it names.
    path: Vec<Step>,
    /// Its values, as written and as TOML.
    pub values: Vec<(String, Value)>,
}

/// One step of a key: a table's key, and an index if it names an array.
#[derive(Clone, Debug)]
struct Step {
    name: String,
    index: Option<usize>,
}

/// One variant: a value for each `--set` key, in the options' order.
pub type Variant = Vec<(String, String)>;

impl Set {
    /// Reads `KEY=V1,V2,...`.
    pub fn parse(arg: &str) -> Result<Self> {
        let bad = |reason: &str| Error::Set {
            what: arg.to_owned(),
            reason: reason.to_owned(),
        };
        let (key, values) = arg
            .split_once('=')
            .ok_or_else(|| bad("expected KEY=V1,V2,..."))?;
        let path = key
            .split('.')
            .map(Step::parse)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad("a key is NAME or NAME[INDEX], joined by dots"))?;
        let values: Vec<(String, Value)> = values
            .split(',')
            .map(|v| (v.to_owned(), value_of(v)))
            .collect();
        if values.iter().any(|(v, _)| v.is_empty()) {
            return Err(bad("an empty value"));
        }
        Ok(Self {
            key: key.to_owned(),
            path,
            values,
        })
    }
}

impl Step {
    /// `name` or `name[index]`.
    fn parse(s: &str) -> Option<Self> {
        let (name, index) = match s.strip_suffix(']') {
            Some(rest) => {
                let (name, i) = rest.split_once('[')?;
                (name, Some(i.parse().ok()?))
            }
            None => (s, None),
        };
        let ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        ok.then(|| Self {
            name: name.to_owned(),
            index,
        })
    }
}

/// A value as TOML if it is one, else as a string.
fn value_of(text: &str) -> Value {
    format!("v = {text}")
        .parse::<Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(text.to_owned()))
}

/// Every variant of the grid, the first key's values varying slowest (one
/// empty variant when there is no `--set`).
pub fn grid(sets: &[Set]) -> Vec<Variant> {
    let mut variants: Vec<Variant> = vec![Vec::new()];
    for set in sets {
        variants = variants
            .into_iter()
            .flat_map(|v| {
                set.values.iter().map(move |(raw, _)| {
                    let mut v = v.clone();
                    v.push((set.key.clone(), raw.clone()));
                    v
                })
            })
            .collect();
    }
    variants
}

/// A scenario file, read once, from which variants are made.
pub struct Base {
    /// The file, as given.
    pub file: String,
    /// Its text.
    text: String,
    /// Its TOML document.
    doc: Table,
}

impl Base {
    /// Reads a scenario file and checks it as it is.
    pub fn read(path: &std::path::Path) -> Result<Self> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::ReadScenario {
            path: file.clone(),
            source,
        })?;
        scenario::parse(&file, &text)?;
        let doc = text
            .parse::<Table>()
            .map_err(|e| Error::Run(format!("{file}: {e}")))?;
        Ok(Self { file, text, doc })
    }

    /// Checks each value of each key alone, so that an error names the one
    /// key and value at fault.
    pub fn check(&self, sets: &[Set]) -> Result<()> {
        for set in sets {
            for (raw, _) in &set.values {
                self.variant(sets, &[(set.key.clone(), raw.clone())])?;
            }
        }
        Ok(())
    }

    /// The scenario under `variant` (the file itself for no override).
    pub fn variant(&self, sets: &[Set], variant: &[(String, String)]) -> Result<Scenario> {
        if variant.is_empty() {
            return Ok(scenario::parse(&self.file, &self.text)?);
        }
        let named = variant
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" --set ");
        let fail = |reason: String| Error::Set {
            what: format!("{named} (in {})", self.file),
            reason,
        };
        let mut doc = self.doc.clone();
        for (key, raw) in variant {
            let set = sets.iter().find(|s| &s.key == key).ok_or_else(|| {
                fail(format!("no --set option has the key {key}")) // unreachable from the grid
            })?;
            let value = value_of(raw);
            put(&mut doc, &set.path, value).map_err(&fail)?;
        }
        let text = toml::to_string(&doc).map_err(|e| fail(e.to_string()))?;
        scenario::parse(&self.file, &text).map_err(|e| fail(placeless(&e)))
    }
}

/// A scenario error without its line and column, which are those of the
/// edited document, not of the file.
fn placeless(e: &ScenarioError) -> String {
    if e.field.is_empty() {
        e.message.clone()
    } else {
        format!("field `{}`: {}", e.field, e.message)
    }
}

/// Sets the value at `path` in `doc`: every table on the way must exist.
fn put(doc: &mut Table, path: &[Step], value: Value) -> std::result::Result<(), String> {
    let Some((last, way)) = path.split_last() else {
        return Err("an empty key".into());
    };
    let mut table = doc;
    let mut at = String::new();
    for step in way {
        at = join(&at, step);
        let slot = table
            .get_mut(&step.name)
            .ok_or_else(|| format!("the scenario has no {at}"))?;
        table = match (slot, step.index) {
            (Value::Table(t), None) => t,
            (Value::Array(a), Some(i)) => {
                let len = a.len();
                match a.get_mut(i) {
                    Some(Value::Table(t)) => t,
                    Some(_) => return Err(format!("{at} is not a table")),
                    None => return Err(format!("the scenario has no {at} ({len} of them)")),
                }
            }
            (Value::Array(_), None) => return Err(format!("{at} is a list: give an index")),
            _ => return Err(format!("{at} is not a table")),
        };
    }
    let here = join(&at, last);
    match last.index {
        None => {
            table.insert(last.name.clone(), value);
        }
        Some(i) => match table.get_mut(&last.name) {
            Some(Value::Array(a)) if i < a.len() => a[i] = value,
            Some(Value::Array(a)) => {
                return Err(format!("the scenario has no {here} ({} of them)", a.len()));
            }
            _ => return Err(format!("the scenario has no list {}", last.name)),
        },
    }
    Ok(())
}

/// `at.step` as the user writes it.
fn join(at: &str, step: &Step) -> String {
    let dot = if at.is_empty() { "" } else { "." };
    match step.index {
        Some(i) => format!("{at}{dot}{}[{i}]", step.name),
        None => format!("{at}{dot}{}", step.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_values_and_the_grid() {
        let a = Set::parse("greenroom.policy=traditional,reformed").expect("a");
        let b = Set::parse("item[0].rule=consensus,two-thirds-of-members,3").expect("b");
        assert_eq!(b.values[2].1, Value::Integer(3));
        assert_eq!(a.values[0].1, Value::String("traditional".into()));
        let g = grid(&[a, b]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[1][0].1, "traditional");
        assert_eq!(g[1][1].1, "two-thirds-of-members");
        assert!(Set::parse("item[x].rule=a").is_err());
        assert!(Set::parse("item.rule").is_err());
        assert!(Set::parse("item.rule=a,").is_err());
        assert_eq!(grid(&[]), vec![Vec::new()]);
    }

    #[test]
    fn paths_must_exist_up_to_the_last_key() {
        let mut doc: Table = "[g]\np = 1\n[[item]]\nr = 2\n".parse().expect("toml");
        let set = |k: &str| Set::parse(&format!("{k}=9")).expect("set").path;
        assert!(put(&mut doc, &set("item[0].r"), Value::Integer(9)).is_ok());
        assert_eq!(doc["item"][0]["r"], Value::Integer(9));
        let err = put(&mut doc, &set("item[1].r"), Value::Integer(9)).expect_err("no item[1]");
        assert!(err.contains("item[1]"), "{err}");
        assert!(put(&mut doc, &set("h.p"), Value::Integer(9)).is_err());
        assert!(put(&mut doc, &set("item.r"), Value::Integer(9)).is_err());
    }
}
