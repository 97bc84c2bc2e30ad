//! Reading an HSDS JSON document.

use super::builder::Builder;
use super::fields::strip_position;
use super::fields::{Rec, Tables, get, short_value};
use super::tabular::{table_name, tabular};
use super::{LoadOptions, Loaded};
use crate::providers::error::DirectoryError;
use serde_json::Value;
use std::collections::HashMap;

/// Reads an HSDS 3.0 JSON document: one service, organization or service_at_location, a list
/// of them, an API page (`contents`), or the tabular package as JSON (`"services.csv": [...]`).
///
/// `file_name` is used in messages. Records missing information still load, with
/// [`Loaded::warnings`]; errors name the file, record and field.
///
/// ```
/// use offramp::providers::hsds::{from_json_str, LoadOptions, DirectoryError};
/// let bad = r#"{"id": "s1", "name": "x", "status": "active",
///   "schedules": [{"id": "h1", "opens_at": "9am", "closes_at": "17:00"}]}"#;
/// let e = from_json_str(bad, "dir.json", &LoadOptions::default()).unwrap_err();
/// assert_eq!(e.to_string(),
///     "dir.json: schedule h1: opens_at: expected a time as HH:MM or HH:MM:SS, optionally with Z or an offset such as -05:00, found `9am`");
/// ```
pub fn from_json_str(
    text: &str,
    file_name: &str,
    options: &LoadOptions,
) -> Result<Loaded, DirectoryError> {
    if text.len() > crate::providers::MAX_DIRECTORY_BYTES {
        return Err(DirectoryError::text_too_large(file_name));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| DirectoryError::Json {
        file: file_name.to_string(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
        source_text: Some(text.into()),
    })?;
    let mut b = Builder::new(file_name, options)?;
    match &value {
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                b.item(v, &format!("[{i}]"))?;
            }
        }
        Value::Object(o) if o.keys().any(|k| k.ends_with(".csv")) => {
            let mut tables: Tables = HashMap::new();
            for (k, v) in o {
                let Some(t) = table_name(k) else { continue };
                let Value::Array(rows) = v else {
                    return Err(DirectoryError::Shape {
                        file: file_name.into(),
                        record: k.clone(),
                        message: "expected a list of rows".into(),
                    });
                };
                let mut out = Vec::new();
                for (i, r) in rows.iter().enumerate() {
                    let rec = Rec {
                        file: file_name.to_string(),
                        record: format!("{k}[{i}]"),
                    };
                    let Value::Object(m) = r else {
                        return Err(DirectoryError::Shape {
                            file: file_name.into(),
                            record: rec.record,
                            message: "expected a row object".into(),
                        });
                    };
                    out.push((rec, m.clone()));
                }
                tables.insert(t, out);
            }
            tabular(&mut b, tables)?;
        }
        Value::Object(o) => match get(o, "contents") {
            Some(Value::Array(items)) => {
                for (i, v) in items.iter().enumerate() {
                    b.item(v, &format!("contents[{i}]"))?;
                }
            }
            Some(other) => {
                return Err(DirectoryError::Shape {
                    file: file_name.into(),
                    record: "contents".into(),
                    message: format!("expected a list, found {}", short_value(other)),
                });
            }
            None if o.contains_key("contents") || o.contains_key("total_items") => {}
            None => b.item(&value, "top level")?,
        },
        other => {
            return Err(DirectoryError::Shape {
                file: file_name.into(),
                record: "top level".into(),
                message: format!(
                    "expected an HSDS object or list, found {}",
                    match other {
                        Value::String(_) => "a string",
                        Value::Number(_) => "a number",
                        Value::Bool(_) => "a boolean",
                        _ => "null",
                    }
                ),
            });
        }
    }
    Ok(b.finish())
}
