//! What can go wrong loading a directory, and what is incomplete but loads: used by every
//! directory reader.

use std::fmt;
use std::sync::Arc;

use crate::source::{Diagnostic, char_offset, offset_of};

/// Something incomplete in a directory that did not stop it loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryWarning {
    /// The file.
    pub file: String,
    /// The record (`service 8a2c...`, `row 4`).
    pub record: String,
    /// The field, when one.
    pub field: Option<String>,
    /// What is incomplete or was ignored.
    pub message: String,
    /// The load setting that would settle it, when one. The message does not name it, since
    /// each surface spells it its own way (see [`DirectoryWarning::message_naming`]).
    pub setting: Option<LoadSetting>,
}

/// A setting given when a directory is loaded, as a warning points to it. Every surface
/// names each one (a match on this enum, so a new setting must be named everywhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadSetting {
    /// The directory's IANA time zone ([`LoadOptions::timezone`](super::LoadOptions) in Rust).
    Timezone,
}

impl LoadSetting {
    /// Its name in the Rust API.
    pub const fn rust_name(self) -> &'static str {
        match self {
            LoadSetting::Timezone => "LoadOptions::timezone",
        }
    }

    /// What to do, naming the setting `name`.
    fn advice(self, name: &str) -> String {
        match self {
            LoadSetting::Timezone => format!("set the directory's IANA time zone with {name}"),
        }
    }
}

impl DirectoryWarning {
    /// A warning with no setting to point to.
    pub(crate) fn new(
        file: impl Into<String>,
        record: impl Into<String>,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> DirectoryWarning {
        DirectoryWarning {
            file: file.into(),
            record: record.into(),
            field: field.map(str::to_string),
            message: message.into(),
            setting: None,
        }
    }

    /// The message, followed by what to set when a setting would settle it, named as `name`
    /// gives it: the command passes `--timezone`, Python `timezone=`.
    ///
    /// ```
    /// use offramp::providers::{DirectoryWarning, LoadSetting};
    /// let w = DirectoryWarning { file: "a.json".into(), record: "schedule s1".into(),
    ///     field: Some("timezone".into()), message: "no time zone given".into(),
    ///     setting: Some(LoadSetting::Timezone) };
    /// assert_eq!(w.message_naming(|_| "--timezone"),
    ///     "no time zone given: set the directory's IANA time zone with --timezone");
    /// ```
    pub fn message_naming(&self, name: impl Fn(LoadSetting) -> &'static str) -> String {
        match self.setting {
            Some(s) => format!("{}: {}", self.message, s.advice(name(s))),
            None => self.message.clone(),
        }
    }

    /// `FILE: RECORD: FIELD: message` (`-` for no field), with any setting named as `name`
    /// gives it; [`Display`](fmt::Display) uses the Rust names.
    pub fn render(&self, name: impl Fn(LoadSetting) -> &'static str) -> String {
        format!(
            "{}: {}: {}: {}",
            self.file,
            self.record,
            self.field.as_deref().unwrap_or("-"),
            self.message_naming(name)
        )
    }
}

impl fmt::Display for DirectoryWarning {
    /// `FILE: RECORD: FIELD: message` (`-` for no field).
    ///
    /// ```
    /// use offramp::providers::DirectoryWarning;
    /// let w = DirectoryWarning { file: "a.json".into(), record: "service s1".into(), field: None,
    ///     message: "no hours".into(), setting: None };
    /// assert_eq!(w.to_string(), "a.json: service s1: -: no hours");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(LoadSetting::rust_name))
    }
}

/// The former name of [`DirectoryWarning`].
#[deprecated(
    since = "0.1.0",
    note = "renamed `DirectoryWarning`, as in the bindings"
)]
pub type LoadWarning = DirectoryWarning;

/// A directory could not be read. Every variant names the file, the record (id, CSV row or
/// position) and the field; [`Display`](fmt::Display) gives `FILE: RECORD: FIELD: message`.
/// Messages name ids, fields and formats, never free-text contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// A file could not be read.
    #[error("{file}: -: -: cannot read the file: {message}")]
    Io {
        /// The path.
        file: String,
        /// The operating system's reason.
        message: String,
    },
    /// The text is not JSON.
    #[error("{file}: line {line}, column {column}: -: not valid JSON: {message}")]
    Json {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's reason.
        message: String,
        /// The text read, for snippets.
        source_text: Option<Arc<str>>,
    },
    /// The text is not TOML, or not offramp's directory format.
    #[error("{file}: line {line}, column {column}: -: {message}")]
    Toml {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's reason.
        message: String,
        /// The text read, for snippets.
        source_text: Option<Arc<str>>,
    },
    /// A CSV file could not be parsed.
    #[error("{file}: row {row}: -: not valid CSV: {message}")]
    Csv {
        /// The file.
        file: String,
        /// The row (the header is row 1).
        row: u64,
        /// The parser's reason.
        message: String,
    },
    /// The JSON is valid but is not an HSDS record or list that offramp reads.
    #[error("{file}: {record}: -: {message}")]
    Shape {
        /// The file.
        file: String,
        /// Where (`top level`, `contents[2]`).
        record: String,
        /// What was found and what was expected.
        message: String,
    },
    /// A required field is absent or empty.
    #[error("{file}: {record}: {field}: is missing; {expected}")]
    MissingField {
        /// The file.
        file: String,
        /// The record.
        record: String,
        /// The field.
        field: String,
        /// What is expected there.
        expected: String,
    },
    /// A field has a value offramp cannot read.
    #[error("{file}: {record}: {field}: expected {expected}{}", found.as_ref().map(|f| format!(", found `{f}`")).unwrap_or_default())]
    InvalidValue {
        /// The file.
        file: String,
        /// The record.
        record: String,
        /// The field.
        field: String,
        /// What was expected.
        expected: String,
        /// The value found, for format fields (times, dates, numbers, codes) only, cut to 40
        /// characters.
        found: Option<Box<str>>,
    },
    /// A field names a record the directory does not hold.
    #[error("{file}: {record}: {field}: names {target} `{id}`, which is not in the directory")]
    UnknownReference {
        /// The file.
        file: String,
        /// The record.
        record: String,
        /// The field holding the reference.
        field: String,
        /// What kind of record it should name (`location`).
        target: String,
        /// The id named.
        id: String,
    },
    /// The directory is over a size limit: its text over
    /// [`MAX_DIRECTORY_BYTES`](super::MAX_DIRECTORY_BYTES), more services than
    /// [`MAX_SERVICES`](super::MAX_SERVICES) or more schedules than
    /// [`MAX_SCHEDULES`](super::MAX_SCHEDULES). Refused before the work that grows with it.
    #[error("{file}: {record}: {field}: {message}")]
    TooLarge {
        /// The file (for a data package, the file being read when the limit was passed).
        file: String,
        /// The first record past the limit (`service s9`, `row 200002`), or `-` for the text.
        record: String,
        /// The field (`schedules`), or `-`.
        field: String,
        /// Which limit, named with its value.
        message: String,
    },
    /// Two records share an id.
    #[error("{file}: {record}: {field}: the id is already used by {first}")]
    Duplicate {
        /// The file.
        file: String,
        /// The second record.
        record: String,
        /// The field (`id`).
        field: String,
        /// Where the id was first used.
        first: String,
    },
}

impl DirectoryError {
    /// The error as a [`Diagnostic`] (code `offramp::directory`): at a line and column of the
    /// file, with a snippet, when the parser gave one; else naming the record and field.
    ///
    /// ```
    /// use offramp::providers::hsds::{from_json_str, LoadOptions};
    /// let e = from_json_str("[\n  {\"id\": }\n]", "bad.json", &LoadOptions::default()).unwrap_err();
    /// let d = e.diagnostic();
    /// assert_eq!((d.line, d.column), (2, 10));
    /// assert!(e.render().starts_with("bad.json:2:10: error: not valid JSON: expected value"), "{}", e.render());
    /// assert!(e.render().contains(r#"{"id": }"#));
    /// ```
    pub fn diagnostic(&self) -> Diagnostic {
        const CODE: &str = "offramp::directory";
        match self {
            DirectoryError::Io { file, message } => {
                Diagnostic::new(CODE, file, format!("cannot read the file: {message}"))
            }
            DirectoryError::Json {
                file,
                line,
                column,
                message,
                source_text,
            } => {
                let d = Diagnostic::new(CODE, file, format!("not valid JSON: {message}"));
                match source_text {
                    Some(t) if *line > 0 => {
                        let at = offset_of(t, *line, *column);
                        d.at(t, at..at)
                    }
                    _ => d,
                }
            }
            DirectoryError::Toml {
                file,
                line,
                column,
                message,
                source_text,
            } => {
                let d = Diagnostic::new(CODE, file, message.clone());
                match source_text {
                    Some(t) if *line > 0 => {
                        let at = char_offset(t, *line, *column);
                        d.at(t, at..at)
                    }
                    _ => d,
                }
            }
            DirectoryError::TooLarge {
                file,
                record,
                message,
                ..
            } if record == "-" => {
                // The text's size: at the file's start.
                let mut d = Diagnostic::new(CODE, file, message.clone());
                d.line = 1;
                d.column = 1;
                d
            }
            other => {
                let text = other.to_string();
                let message = text
                    .strip_prefix(&format!("{}: ", other.file()))
                    .unwrap_or(&text)
                    .to_string();
                let d = Diagnostic::new(CODE, other.file(), message);
                match other.field() {
                    "-" => d,
                    field => d.with_path(field.to_string()),
                }
            }
        }
    }

    /// The error as `offramp check` prints it: see [`Diagnostic::render`].
    pub fn render(&self) -> String {
        self.diagnostic().render()
    }

    /// The file the error is in.
    ///
    /// ```
    /// use offramp::providers::hsds::{from_json_str, LoadOptions};
    /// let e = from_json_str("[1", "x.json", &LoadOptions::default()).unwrap_err();
    /// assert_eq!(e.file(), "x.json");
    /// ```
    pub fn file(&self) -> &str {
        match self {
            DirectoryError::Io { file, .. }
            | DirectoryError::Json { file, .. }
            | DirectoryError::Toml { file, .. }
            | DirectoryError::Csv { file, .. }
            | DirectoryError::Shape { file, .. }
            | DirectoryError::MissingField { file, .. }
            | DirectoryError::InvalidValue { file, .. }
            | DirectoryError::UnknownReference { file, .. }
            | DirectoryError::TooLarge { file, .. }
            | DirectoryError::Duplicate { file, .. } => file,
        }
    }

    /// The record (`service 8a2c...`, `row 4`, `line 3, column 9`), or `-`.
    ///
    /// ```
    /// use offramp::providers::hsds::{from_json_str, LoadOptions};
    /// let e = from_json_str(r#"[{"name": "x", "status": "active"}]"#, "x.json", &LoadOptions::default()).unwrap_err();
    /// assert_eq!(e.record(), "service at [0]");
    /// ```
    pub fn record(&self) -> String {
        match self {
            DirectoryError::Io { .. } => "-".into(),
            DirectoryError::Json { line, column, .. }
            | DirectoryError::Toml { line, column, .. } => {
                format!("line {line}, column {column}")
            }
            DirectoryError::Csv { row, .. } => format!("row {row}"),
            DirectoryError::Shape { record, .. }
            | DirectoryError::MissingField { record, .. }
            | DirectoryError::InvalidValue { record, .. }
            | DirectoryError::UnknownReference { record, .. }
            | DirectoryError::TooLarge { record, .. }
            | DirectoryError::Duplicate { record, .. } => record.clone(),
        }
    }

    /// The field, or `-`.
    ///
    /// ```
    /// use offramp::providers::hsds::{from_json_str, LoadOptions};
    /// let e = from_json_str(r#"[{"name": "x", "status": "active"}]"#, "x.json", &LoadOptions::default()).unwrap_err();
    /// assert_eq!(e.field(), "id");
    /// ```
    pub fn field(&self) -> &str {
        match self {
            DirectoryError::Io { .. }
            | DirectoryError::Json { .. }
            | DirectoryError::Toml { .. }
            | DirectoryError::Csv { .. }
            | DirectoryError::Shape { .. } => "-",
            DirectoryError::MissingField { field, .. }
            | DirectoryError::InvalidValue { field, .. }
            | DirectoryError::UnknownReference { field, .. }
            | DirectoryError::TooLarge { field, .. }
            | DirectoryError::Duplicate { field, .. } => field,
        }
    }
}

impl DirectoryError {
    pub(crate) fn invalid(file: &str, record: String, field: &str, expected: String) -> Self {
        DirectoryError::InvalidValue {
            file: file.into(),
            record,
            field: field.into(),
            expected,
            found: None,
        }
    }

    pub(crate) fn hours(service: &str, field: &str, message: &str) -> Self {
        DirectoryError::invalid(
            "<directory>",
            format!("service {service}"),
            field,
            format!("valid hours ({message})"),
        )
    }

    /// The error for a directory text (or data package) over
    /// [`MAX_DIRECTORY_BYTES`](super::MAX_DIRECTORY_BYTES).
    pub(crate) fn text_too_large(file: &str) -> Self {
        DirectoryError::TooLarge {
            file: file.into(),
            record: "-".into(),
            field: "-".into(),
            message: format!(
                "the directory is larger than {} MiB, the most a directory may be (a data package's files counted together)",
                super::MAX_DIRECTORY_BYTES >> 20
            ),
        }
    }

    /// The error for the first service past [`MAX_SERVICES`](super::MAX_SERVICES).
    pub(crate) fn too_many_services(file: &str, record: String) -> Self {
        DirectoryError::TooLarge {
            file: file.into(),
            record,
            field: "-".into(),
            message: format!(
                "the directory has more than {} services, the most a directory may hold",
                super::MAX_SERVICES
            ),
        }
    }

    /// The error for the schedules that pass [`MAX_SCHEDULES`](super::MAX_SCHEDULES).
    pub(crate) fn too_many_schedules(file: &str, record: String, field: &str) -> Self {
        DirectoryError::TooLarge {
            file: file.into(),
            record,
            field: field.into(),
            message: format!(
                "the directory has more than {} schedules (a location's schedules counted once for each service offered there), the most a directory may hold",
                super::MAX_SCHEDULES
            ),
        }
    }

    pub(crate) fn too_large() -> Self {
        DirectoryError::invalid(
            "<directory>",
            "-".into(),
            "services",
            "fewer services or sites than 2^32".into(),
        )
    }
}
