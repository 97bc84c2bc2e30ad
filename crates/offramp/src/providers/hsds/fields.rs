//! Reading fields of HSDS JSON objects, and [`Rec`], where a record came from, for messages.

use crate::providers::error::{DirectoryError, DirectoryWarning, LoadSetting};
use serde_json::{Map, Value};
use std::collections::HashMap;
/// Where a record came from, for messages.
#[derive(Debug, Clone)]
pub(super) struct Rec {
    pub(super) file: String,
    pub(super) record: String,
}

impl Rec {
    pub(super) fn missing(&self, field: &str, expected: &str) -> DirectoryError {
        DirectoryError::MissingField {
            file: self.file.clone(),
            record: self.record.clone(),
            field: field.into(),
            expected: expected.into(),
        }
    }

    pub(super) fn invalid(
        &self,
        field: &str,
        expected: &str,
        found: Option<&Value>,
    ) -> DirectoryError {
        DirectoryError::InvalidValue {
            file: self.file.clone(),
            record: self.record.clone(),
            field: field.into(),
            expected: expected.into(),
            found: found.map(|v| short_value(v).into()),
        }
    }

    pub(super) fn unknown(&self, field: &str, target: &str, id: &str) -> DirectoryError {
        DirectoryError::UnknownReference {
            file: self.file.clone(),
            record: self.record.clone(),
            field: field.into(),
            target: target.into(),
            id: id.into(),
        }
    }

    pub(super) fn duplicate(&self, field: &str, first: &Rec) -> DirectoryError {
        let first = if first.file == self.file {
            first.record.clone()
        } else {
            format!("{}: {}", first.file, first.record)
        };
        DirectoryError::Duplicate {
            file: self.file.clone(),
            record: self.record.clone(),
            field: field.into(),
            first,
        }
    }

    pub(super) fn warn(&self, field: Option<&str>, message: impl Into<String>) -> DirectoryWarning {
        DirectoryWarning::new(self.file.clone(), self.record.clone(), field, message)
    }

    /// A warning that a load setting would settle.
    pub(super) fn warn_setting(
        &self,
        field: &str,
        message: impl Into<String>,
        setting: LoadSetting,
    ) -> DirectoryWarning {
        DirectoryWarning {
            setting: Some(setting),
            ..self.warn(Some(field), message)
        }
    }
}

/// A value for a message: strings and numbers, cut to 40 characters.
pub(super) fn short_value(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    };
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Rows of one table, each with where it came from.
pub(super) type Rows = Vec<(Rec, Map<String, Value>)>;
/// Tables by canonical name.
pub(super) type Tables = HashMap<&'static str, Rows>;
/// Rows by id.
pub(super) type Indexed = HashMap<String, (Rec, Map<String, Value>)>;

/// The key under which tabular rows remember their file and row.
pub(super) const SRC: &str = "$src";

/// A field, treating `null` and blank strings as absent.
pub(super) fn get<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    match o.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(v) => Some(v),
    }
}

/// A string or number as trimmed text.
pub(super) fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn get_text(o: &Map<String, Value>, key: &str) -> Option<String> {
    get(o, key).and_then(text_of)
}

/// A number, or a string holding one.
pub(super) fn num_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|f| f.is_finite())
}

/// A list field: an array, or a single object read as a list of one.
pub(super) fn list_of<'a>(o: &'a Map<String, Value>, key: &str) -> Vec<&'a Value> {
    match get(o, key) {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    }
}

pub(super) fn rec_of(o: &Map<String, Value>, file: &str, fallback: String) -> Rec {
    if let Some(Value::Object(src)) = o.get(SRC) {
        let f = src.get("file").and_then(Value::as_str).unwrap_or(file);
        let r = src.get("record").and_then(Value::as_str).unwrap_or("-");
        return Rec {
            file: f.to_string(),
            record: r.to_string(),
        };
    }
    Rec {
        file: file.to_string(),
        record: fallback,
    }
}

/// A parser's message without its trailing position (`at line 3 column 9`).
pub(super) fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_string(),
        None => msg.to_string(),
    }
}
