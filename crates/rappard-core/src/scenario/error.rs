//! Scenario errors and where they are: file, line, column and field.
//!
//! A user fixes a scenario from the error alone, so every error carries its
//! place in the file. The TOML parser reports syntax and type errors by byte
//! offset only; [`field_at`] recovers the field (`table.key`) from the text
//! around that offset. Checks made after parsing know their field and the
//! span of the value, and place the error through [`Ctx::at`].

use std::fmt;
use std::ops::Range;

/// A scenario error: where, which field, what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file, as given.
    pub file: String,
    /// 1-based line (0 when the error has no place in the file).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The field, as `table.key` (empty for a syntax error).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.field.is_empty() {
            write!(f, ": field `{}`", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// The file being parsed: its name and text, to place errors.
pub(super) struct Ctx<'a> {
    /// The file, as given.
    pub file: &'a str,
    /// Its text.
    pub text: &'a str,
}

impl Ctx<'_> {
    /// An error at a span of the text.
    pub fn at(&self, span: Range<usize>, field: &str, message: impl Into<String>) -> ScenarioError {
        let (line, column) = line_col(self.text, span.start);
        ScenarioError {
            file: self.file.to_owned(),
            line,
            column,
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// An error about the scenario as a whole, with no place in the file.
    pub fn nowhere(&self, field: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            file: self.file.to_owned(),
            line: 0,
            column: 0,
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// A syntax or type error of the TOML parser, with its field recovered
    /// from the text.
    pub fn syntax(&self, e: &toml::de::Error) -> ScenarioError {
        let offset = e.span().map_or(0, |s| s.start);
        ScenarioError {
            field: field_at(self.text, offset),
            ..self.at(offset..offset, "", e.message().trim())
        }
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = prefix(text, offset);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The text before a byte offset, cut at the last character boundary at or
/// before it (an offset past the end or inside a character never panics).
fn prefix(text: &str, offset: usize) -> &str {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The field at a byte offset, as `table.key`: the last table header above
/// it and the key on its line. Used to name the field of a syntax or type
/// error that the TOML parser reports only by position. An array of tables
/// is named with its index, as every other error names it (`item[1].rule`,
/// `item[1].positions.USA`).
fn field_at(text: &str, offset: usize) -> String {
    let before = prefix(text, offset);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_owned())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let on_header = key.is_none() && line.trim_start().starts_with('[');
    // The header in force: this line's if it is one, else the last above.
    let upto = if on_header { line_end } else { line_start };
    let table = last_table(&text[..upto]);
    match (table, key) {
        (Some(t), Some(k)) => format!("{t}.{k}"),
        (None, Some(k)) => k,
        (Some(t), None) => t,
        (None, None) => String::new(),
    }
}

/// The last table header of `text`, as a path whose arrays of tables carry
/// the index of their current entry (`item[2].positions`).
fn last_table(text: &str) -> Option<String> {
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut last = None;
    for l in text.lines().map(str::trim) {
        let Some((path, is_array)) = header(l) else {
            continue;
        };
        if is_array {
            *counts.entry(path.clone()).or_default() += 1;
        }
        last = Some(path);
    }
    let path = last?;
    let segments: Vec<&str> = path.split('.').map(str::trim).collect();
    // The longest leading part that is an array of tables gets its index.
    for n in (1..=segments.len()).rev() {
        let head = segments[..n].join(".");
        if let Some(count) = counts.get(&head) {
            let mut out = format!("{head}[{}]", count - 1);
            for s in &segments[n..] {
                out.push('.');
                out.push_str(s);
            }
            return Some(out);
        }
    }
    Some(segments.join("."))
}

/// A table header line, `[name]` or `[[name]]` (a comment may follow): its
/// name, and whether it is an array of tables.
fn header(line: &str) -> Option<(String, bool)> {
    let (rest, close, is_array) = if let Some(r) = line.strip_prefix("[[") {
        (r, "]]", true)
    } else {
        (line.strip_prefix('[')?, "]", false)
    };
    let name = rest.split(close).next().unwrap_or(rest).trim();
    Some((
        name.trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_owned(),
        is_array,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_an_offset_by_line_and_character() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        // Inside the two bytes of `é`, and past the end: no panic.
        assert_eq!(line_col(text, 8), (2, 2));
        assert_eq!(line_col(text, 1000), (3, 1));
    }

    #[test]
    fn names_the_field_of_an_offset() {
        let text = "[scenario]\nseed = x\n[[item]]\nid = 1\n";
        assert_eq!(field_at(text, 18), "scenario.seed");
        assert_eq!(field_at(text, 35), "item[0].id");
        assert_eq!(field_at(text, 22), "item[0]");
        assert_eq!(field_at("x = 1", 2), "x");
        assert_eq!(field_at("", 0), "");
    }

    /// Arrays of tables are named with the index of the entry, as every
    /// other error names them, their sub-tables too.
    #[test]
    fn names_the_entry_of_an_array_of_tables() {
        let text = "[[item]]\nid = 1\n[[item]] # second\nid = 2\n\
                    [item.positions]\nUSA = 3\n[[initiative]]\nid = 4\n";
        let at = |needle: &str| field_at(text, text.find(needle).expect("in text"));
        assert_eq!(at("1"), "item[0].id");
        assert_eq!(at("2"), "item[1].id");
        assert_eq!(at("[[item]] #"), "item[1]");
        assert_eq!(at("3"), "item[1].positions.USA");
        assert_eq!(at("4"), "initiative[0].id");
    }
}
