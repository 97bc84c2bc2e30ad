//! Source files and what is wrong in them: positions (byte offsets, lines and columns), where
//! a key path's value sits as the TOML or JSON parser reports it, and [`Diagnostic`], the one
//! type every loader (programs, directories, taxonomy mappings, scenarios) reports through.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// One problem found in a file (a program, a directory, a taxonomy mapping or a scenario),
/// with where it is.
///
/// [`Display`](fmt::Display) gives one line, `FILE:LINE:COL: message (help)` (`FILE: message`
/// when no position is known); [`Diagnostic::render`] adds a snippet of the file with the place
/// marked, as `offramp check` prints it. It is also a [`miette::Diagnostic`].
///
/// ```
/// let text = "[program]\nid = \"Bad Id\"\njurisdiction = \"X\"\ntimezone = \"UTC\"\n\
///     [[pathways]]\npathway = \"self_referral\"\n[[pathways.rules]]\nid = \"r\"\nwhen = \"true\"\n";
/// let e = offramp::Program::from_toml(text, "p.toml").unwrap_err();
/// let d = &e.diagnostics()[0];
/// assert_eq!((d.line, d.column), (2, 7));
/// assert_eq!(d.code, "offramp::program");
/// assert!(d.render().starts_with("p.toml:2:7: error: program id `Bad Id` must be"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Diagnostic {
    /// What kind of file the problem is in: `offramp::program`, `offramp::directory`,
    /// `offramp::taxonomy`, `offramp::scenario` (a simulation's) or `offramp::scenarios` (a
    /// scenario file of `offramp test`).
    #[serde(default)]
    pub code: String,
    /// The file (or the name given for text).
    pub file: String,
    /// 1-based line; 0 when no position is known (the problem is then named by `path`).
    pub line: usize,
    /// 1-based column, in characters; 0 when unknown.
    pub column: usize,
    /// The dotted key path of the value at fault (`pathways[0].rules[1].when`), when the
    /// problem is about one value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
    /// A hint, such as the name that was probably meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Byte range in the file (empty at 0 when no position is known).
    pub span: Range<usize>,
    /// The file's text, for snippets.
    #[serde(skip)]
    #[schemars(skip)]
    source_text: Option<Arc<str>>,
}

impl Diagnostic {
    /// A problem with no position yet.
    pub(crate) fn new(code: &str, file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: code.to_string(),
            file: file.to_string(),
            line: 0,
            column: 0,
            path: None,
            message: message.into(),
            help: None,
            span: 0..0,
            source_text: None,
        }
    }

    /// The same problem at `span` of `text` (clamped to the text and to character boundaries).
    pub(crate) fn at(self, text: &Arc<str>, span: Range<usize>) -> Diagnostic {
        self.placed(text, span, line_col)
    }

    /// [`Diagnostic::at`] with the text's line index made once, for a loader that reports many
    /// problems in one file: each is then placed without reading the file from the top.
    pub(crate) fn at_indexed(
        self,
        text: &Arc<str>,
        lines: &LineIndex,
        span: Range<usize>,
    ) -> Diagnostic {
        self.placed(text, span, |text, offset| lines.line_col(text, offset))
    }

    fn placed(
        mut self,
        text: &Arc<str>,
        span: Range<usize>,
        line_col: impl Fn(&str, usize) -> (usize, usize),
    ) -> Diagnostic {
        let start = floor_boundary(text, span.start.min(text.len()));
        let end = floor_boundary(text, span.end.clamp(start, text.len()));
        let (line, column) = line_col(text, start);
        self.line = line;
        self.column = column;
        self.span = start..end;
        self.source_text = Some(text.clone());
        self
    }

    /// The same problem about the value at a dotted key path.
    pub(crate) fn with_path(mut self, path: impl Into<String>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }

    /// The same problem with a hint.
    pub(crate) fn with_help(mut self, help: Option<String>) -> Diagnostic {
        self.help = help;
        self
    }

    /// `:LINE:COL`, `:LINE`, or nothing, as known.
    fn place(&self) -> String {
        match (self.line, self.column) {
            (0, _) => String::new(),
            (l, 0) => format!(":{l}"),
            (l, c) => format!(":{l}:{c}"),
        }
    }

    /// `FILE:LINE:COL: error: message`, then a snippet of the file with the place marked and
    /// any help; what `offramp check` prints. Without the file's text, the first line and the
    /// help only.
    pub fn render(&self) -> String {
        self.render_as("error")
    }

    /// As [`Diagnostic::render`], labelled `warning:`: for what a program that loads should
    /// still change (a program's `warnings()`).
    pub fn render_warning(&self) -> String {
        self.render_as("warning")
    }

    fn render_as(&self, label: &str) -> String {
        let mut out = format!("{}{}: {label}: {}\n", self.file, self.place(), self.message);
        let snippet = self
            .source_text
            .as_ref()
            .filter(|_| self.line > 0)
            .and_then(|text| {
                let handler = miette::GraphicalReportHandler::new_themed(
                    miette::GraphicalTheme::unicode_nocolor(),
                )
                .with_context_lines(1);
                let report = Snippet {
                    message: self.message.clone(),
                    src: Excerpt::around(&self.file, text, self.span.clone(), self.line)?,
                    span: (self.span.start, self.span.len()).into(),
                    help: self.help.clone(),
                };
                let mut rendered = String::new();
                handler.render_report(&mut rendered, &report).ok()?;
                // The first line repeats the message; keep the snippet and help.
                Some(rendered.lines().skip(1).collect::<Vec<_>>().join("\n"))
            });
        match (snippet, &self.help) {
            (Some(s), _) => {
                out.push_str(&s);
                out.push('\n');
            }
            (None, Some(h)) => out.push_str(&format!("  help: {h}\n")),
            (None, None) => {}
        }
        out
    }
}

/// Every diagnostic rendered (see [`Diagnostic::render`]), one after another.
pub(crate) fn render_all(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(Diagnostic::render).collect()
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}: {}", self.file, self.place(), self.message)?;
        if let Some(h) = &self.help {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source_text
            .as_ref()
            .filter(|_| self.line > 0)
            .map(|t| t as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.source_code()?;
        let label = miette::LabeledSpan::new_with_span(
            Some("here".into()),
            (self.span.start, self.span.len()),
        );
        Some(Box::new(std::iter::once(label)))
    }
}

/// What the graphical handler renders: the message, the named source, the place and the help.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
struct Snippet {
    message: String,
    #[source_code]
    src: Excerpt,
    #[label("here")]
    span: miette::SourceSpan,
    #[help]
    help: Option<String>,
}

/// The few lines of a file around a place, as the snippet renderer reads them. The renderer
/// finds lines by reading its source from the top; given the whole file, rendering every
/// problem of a long file would read it once per problem.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: Arc<str>,
    /// The byte range of the file shown: whole lines around the place.
    window: Range<usize>,
    /// The 0-based line the window starts on.
    first_line: usize,
}

impl Excerpt {
    /// How many lines around the place the excerpt keeps on each side: more than the snippet
    /// shows, so the renderer sees the same lines it would see in the whole file.
    const LINES: usize = 3;
    /// How far from the place an excerpt's edge may be, in bytes. A place on a longer line is
    /// shown without a snippet (its line alone would fill the screen).
    const REACH: usize = 4096;

    /// The excerpt around `span`, which starts on 1-based `line`; `None` when the lines around
    /// it are too long to show.
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
    )]
    fn around(name: &str, text: &Arc<str>, span: Range<usize>, line: usize) -> Option<Excerpt> {
        let lower = floor_boundary(text, span.start.saturating_sub(Self::REACH));
        let before = text.get(lower..span.start)?;
        let mut start = lower;
        let mut newlines = 0;
        for (i, _) in before.rmatch_indices('\n') {
            newlines += 1;
            start = lower + i + 1;
            if newlines == Self::LINES {
                break;
            }
        }
        if newlines < Self::LINES && lower > 0 {
            return None;
        }
        if newlines < Self::LINES {
            start = 0;
        }
        let upper = floor_boundary(text, span.end.saturating_add(Self::REACH).min(text.len()));
        let after = text.get(span.end..upper)?;
        let end = match after.match_indices('\n').nth(Self::LINES) {
            Some((i, _)) => span.end + i + 1,
            None if upper == text.len() => upper,
            None => return None,
        };
        let skipped = text.get(start..span.start)?.matches('\n').count();
        Some(Excerpt {
            name: name.to_string(),
            text: text.clone(),
            window: start..end,
            first_line: line.checked_sub(1 + skipped)?,
        })
    }
}

impl miette::SourceCode for Excerpt {
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
    )]
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let shown = self
            .text
            .get(self.window.clone())
            .ok_or(miette::MietteError::OutOfBounds)?;
        let offset = span
            .offset()
            .checked_sub(self.window.start)
            .ok_or(miette::MietteError::OutOfBounds)?;
        let inner = shown.read_span(
            &(offset, span.len()).into(),
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            (
                inner.span().offset() + self.window.start,
                inner.span().len(),
            )
                .into(),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count() + self.first_line,
        )))
    }
}

/// Reads a file, but no more than `max` bytes of it: `Ok(None)` when it is longer, found by
/// reading one byte past `max`, so that a huge file is refused without being held.
pub(crate) fn read_capped(path: &std::path::Path, max: usize) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() <= max).then_some(bytes))
}

/// [`read_capped`] for a text file: an error of kind `InvalidData` when it is not UTF-8.
pub(crate) fn read_text_capped(
    path: &std::path::Path,
    max: usize,
) -> std::io::Result<Option<String>> {
    match read_capped(path, max)? {
        None => Ok(None),
        Some(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            )
        }),
    }
}

#[cfg(test)]
thread_local! {
    /// How many TOML documents this thread has parsed through [`parse_toml`]: tests use it to
    /// show a loader reads its file once however many problems it places.
    pub(crate) static TOML_PARSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Parses a TOML document keeping every key's and value's place: what [`SpanIndex`] asks, and
/// what a loader deserializes from when it also needs places (parsing the text once).
pub(crate) fn parse_toml(
    text: &str,
) -> Result<toml::Spanned<toml::de::DeTable<'_>>, toml::de::Error> {
    #[cfg(test)]
    TOML_PARSES.with(|n| n.set(n.get() + 1));
    toml::de::DeTable::parse(text)
}

/// Where each line of a text starts, and how many characters precede every few thousand
/// bytes, so that a byte offset becomes a line and column without reading from the top.
pub(crate) struct LineIndex {
    /// The byte offset of each line's start; the first is 0.
    starts: Vec<usize>,
    /// (byte offset, characters before it) every `STRIDE` bytes, at character boundaries.
    marks: Vec<(usize, usize)>,
}

impl LineIndex {
    const STRIDE: usize = 4096;

    /// Indexes `text`.
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
    )]
    pub(crate) fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut marks = vec![(0, 0)];
        let mut chars = 0;
        let mut last = 0;
        while last + Self::STRIDE < text.len() {
            // A character is at most 4 bytes, so this is always past `last`.
            let next = floor_boundary(text, last + Self::STRIDE);
            chars += text.get(last..next).map_or(0, |s| s.chars().count());
            marks.push((next, chars));
            last = next;
        }
        LineIndex { starts, marks }
    }

    /// How many characters precede byte `offset` (a character boundary).
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
    )]
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let i = self.marks.partition_point(|(at, _)| *at <= offset);
        let (at, count) = self
            .marks
            .get(i.saturating_sub(1))
            .copied()
            .unwrap_or((0, 0));
        count + text.get(at..offset).map_or(0, |s| s.chars().count())
    }

    /// 1-based line and column (in characters) of a byte offset, as [`line_col`] gives them.
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
    )]
    pub(crate) fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|s| *s <= offset);
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let column = self
            .chars_before(text, offset)
            .saturating_sub(self.chars_before(text, start))
            + 1;
        (line, column)
    }
}

/// 1-based line and column (in characters) of a byte offset in a file's text; an offset inside
/// a character counts as that character's start.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
)]
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..floor_boundary(text, offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The largest character boundary at or before byte `i`.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
)]
pub(crate) fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The byte offset of a 1-based line and column (the column counted in bytes, as serde_json
/// reports it); 0 for line 0, the end of the text for a line past the last.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
)]
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return floor_boundary(text, (offset + column.saturating_sub(1)).min(text.len()));
        }
        offset += l.len();
    }
    text.len()
}

/// The byte offset of a 1-based line and column counted in characters (as [`line_col`] gives
/// them).
#[expect(
    clippy::arithmetic_side_effects,
    reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
)]
pub(crate) fn char_offset(text: &str, line: usize, column: usize) -> usize {
    let start = offset_of(text, line, 1);
    let within: usize = text
        .get(start..)
        .unwrap_or("")
        .chars()
        .take_while(|c| *c != '\n')
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    start + within
}

/// A parser's message without the position serde_json appends (` at line 3 column 9`).
pub(crate) fn without_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

/// The syntax of a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

/// One step of a dotted key path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

/// `behaviour.accept.default`, `ages[2].max`, `pathways[0].rules[1].when` as steps.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
)]
fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, mut rest) = part.find('[').map_or((part, ""), |i| part.split_at(i));
        if !name.is_empty() {
            out.push(Step::Key(name));
        }
        while let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else { break };
            if let Ok(i) = r[..end].parse() {
                out.push(Step::Index(i));
            }
            rest = &r[end + 1..];
        }
    }
    out
}

/// Where the value at a dotted key path sits in `text` (its key instead, with `key`), as the
/// parser reports it. When the path goes further than the text, the deepest part that exists;
/// `None` when not even its first key is there, or the text does not parse.
///
/// This parses the text; a loader asking about many paths of one text makes a [`SpanIndex`]
/// once instead.
pub(crate) fn span_of(text: &str, syntax: Syntax, path: &str, key: bool) -> Option<Range<usize>> {
    SpanIndex::new(text, syntax)?.span(path, key)
}

/// A parsed text kept for finding where the values of key paths sit: parsing once and asking
/// many times keeps reporting every problem of a long file linear in its length.
pub(crate) enum SpanIndex<'t> {
    /// A TOML document as the TOML parser read it, with spans.
    Toml(toml::Spanned<toml::de::DeTable<'t>>),
    /// A JSON document's tree of spans.
    Json(JsonSpans),
}

/// Where a JSON value is, and its members or items.
pub(crate) struct JsonSpans {
    value: Range<usize>,
    key: Option<Range<usize>>,
    members: Vec<(String, JsonSpans)>,
    items: Vec<JsonSpans>,
}

impl<'t> SpanIndex<'t> {
    /// Parses `text`; `None` when it does not parse.
    pub(crate) fn new(text: &'t str, syntax: Syntax) -> Option<SpanIndex<'t>> {
        match syntax {
            Syntax::Toml => parse_toml(text).ok().map(SpanIndex::Toml),
            Syntax::Json => {
                let root: &RawValue = serde_json::from_str(text).ok()?;
                Some(SpanIndex::Json(JsonSpans::read(text, root, None, 0)))
            }
        }
    }

    /// Where the value at `path` is (its key, with `key`); see [`span_of`].
    pub(crate) fn span(&self, path: &str, key: bool) -> Option<Range<usize>> {
        let steps = steps(path);
        match self {
            SpanIndex::Toml(doc) => toml_span(doc, &steps, key),
            SpanIndex::Json(root) => json_span(root, &steps, key),
        }
    }
}

#[expect(
    clippy::arithmetic_side_effects,
    reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
)]
fn toml_span(
    doc: &toml::Spanned<toml::de::DeTable<'_>>,
    steps: &[Step<'_>],
    key: bool,
) -> Option<Range<usize>> {
    use toml::de::DeValue;
    let mut value: Option<&toml::Spanned<DeValue<'_>>> = None;
    let mut best = None;
    for (i, step) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        let next = match (*step, value.map(toml::Spanned::get_ref)) {
            (Step::Key(k), None) => doc.get_ref().iter().find(|(n, _)| n.get_ref() == k),
            (Step::Key(k), Some(DeValue::Table(t))) => t.iter().find(|(n, _)| n.get_ref() == k),
            (Step::Index(n), Some(DeValue::Array(a))) => match a.get(n) {
                Some(item) => {
                    best = Some(item.span());
                    value = Some(item);
                    continue;
                }
                None => break,
            },
            _ => break,
        };
        let Some((name, v)) = next else { break };
        best = Some(if last && key { name.span() } else { v.span() });
        value = Some(v);
    }
    best
}

impl JsonSpans {
    /// Deeper than this, a JSON value's members are not indexed (the parser refuses deeper
    /// documents anyway).
    const DEPTH: usize = 128;

    #[expect(
        clippy::arithmetic_side_effects,
        reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
    )]
    fn read(text: &str, raw: &RawValue, key: Option<Range<usize>>, depth: usize) -> JsonSpans {
        let start = (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        let mut node = JsonSpans {
            value: start..start + raw.get().len(),
            key,
            members: Vec::new(),
            items: Vec::new(),
        };
        if depth >= Self::DEPTH {
            return node;
        }
        let start_of =
            |r: &RawValue| (r.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        match raw.get().as_bytes().first() {
            Some(b'{') => {
                if let Ok(map) = serde_json::from_str::<BTreeMap<String, &RawValue>>(raw.get()) {
                    node.members = map
                        .into_iter()
                        .map(|(k, v)| {
                            let key = json_key_before(text, start_of(v));
                            (k, JsonSpans::read(text, v, key, depth + 1))
                        })
                        .collect();
                }
            }
            Some(b'[') => {
                if let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(raw.get()) {
                    node.items = items
                        .into_iter()
                        .map(|v| JsonSpans::read(text, v, None, depth + 1))
                        .collect();
                }
            }
            _ => {}
        }
        node
    }
}

#[expect(
    clippy::arithmetic_side_effects,
    reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
)]
fn json_span(root: &JsonSpans, steps: &[Step<'_>], key: bool) -> Option<Range<usize>> {
    let mut current = root;
    let mut best = None;
    for (i, step) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        let next = match *step {
            Step::Key(k) => current
                .members
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v),
            Step::Index(n) => current.items.get(n),
        };
        let Some(next) = next else { break };
        best = Some(match (step, &next.key) {
            (Step::Key(_), Some(k)) if last && key => k.clone(),
            _ => next.value.clone(),
        });
        current = next;
    }
    best
}

/// The inside of a string literal (or quoted key) at `span`: without its quotes, and without
/// the newline that may follow a multi-line string's opening quotes. Other values unchanged.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
)]
pub(crate) fn unquoted(text: &str, span: Range<usize>) -> Range<usize> {
    let literal = text.get(span.clone()).unwrap_or("");
    let delimiter = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|d| literal.len() >= 2 * d.len() && literal.starts_with(d) && literal.ends_with(d));
    let Some(d) = delimiter else { return span };
    let body = &literal[d.len()..literal.len() - d.len()];
    let newline = match (d.len(), body.starts_with("\r\n"), body.starts_with('\n')) {
        (3, true, _) => 2,
        (3, _, true) => 1,
        _ => 0,
    };
    span.start + d.len() + newline..span.end - d.len()
}

/// The quoted key before the value starting at `value_start`: `"key"` `:` and white space
/// lie between them, as the parser has accepted them.
#[expect(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
)]
fn json_key_before(text: &str, value_start: usize) -> Option<Range<usize>> {
    let before = text.get(..value_start)?.trim_end();
    let before = before.strip_suffix(':')?.trim_end();
    let close = before.len().checked_sub(1)?;
    let bytes = before.as_bytes();
    let mut i = close;
    while i > 0 {
        i -= 1;
        if bytes[i] == b'"' {
            let backslashes = bytes[..i].iter().rev().take_while(|b| **b == b'\\').count();
            if backslashes % 2 == 0 {
                return Some(i..close + 1);
            }
        }
    }
    None
}

/// The file offset of byte `offset` of a string value whose literal (quotes included) is
/// `literal` starting at `literal_start`. Escapes are accounted for as JSON writes them, which
/// TOML's basic strings share.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "byte offsets, lines and columns within one file's text, which the loaders cap (MAX_PROGRAM_BYTES for programs); offsets come from the same text's parser"
)]
pub(crate) fn offset_in_string(
    literal: &str,
    literal_start: usize,
    value: &str,
    offset: usize,
) -> usize {
    let (open, close) = if literal.starts_with("\"\"\"") || literal.starts_with("'''") {
        (3, 3)
    } else if literal.starts_with('"') || literal.starts_with('\'') {
        (1, 1)
    } else {
        (0, 0)
    };
    let mut body_start = open;
    if open == 3 {
        // A newline right after the opening delimiter is not part of the value.
        let rest = literal.get(3..).unwrap_or("");
        body_start += if rest.starts_with("\r\n") {
            2
        } else {
            usize::from(rest.starts_with('\n'))
        };
    }
    let body = literal
        .get(body_start..literal.len().saturating_sub(close))
        .unwrap_or("");
    let prefix = value
        .get(..floor_boundary(value, offset.min(value.len())))
        .unwrap_or("");
    let within = if body == value || literal.starts_with('\'') {
        prefix.len()
    } else {
        serde_json::to_string(prefix).map_or(prefix.len(), |s| s.len().saturating_sub(2))
    };
    literal_start + body_start + within.min(body.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_are_found_where_the_parser_read_them() {
        let toml = "[a]\nb = [1, {c = \"x\"}]\n\n[[d]]\ne = 1\n[[d]]\ne = 22\n";
        let at = |path: &str, key: bool| span_of(toml, Syntax::Toml, path, key).map(|s| &toml[s]);
        assert_eq!(at("a.b[1].c", false), Some("\"x\""));
        assert_eq!(at("a.b[1].c", true), Some("c"));
        assert_eq!(at("d[1].e", false), Some("22"));
        assert_eq!(at("a.b[7]", false), Some("[1, {c = \"x\"}]"));
        assert_eq!(at("nothing", false), None);

        let json = r#"{"a": {"b": [1, {"c": "x"}]}, "d": [{"e": 1}, {"e": 22}]}"#;
        let at = |path: &str, key: bool| span_of(json, Syntax::Json, path, key).map(|s| &json[s]);
        assert_eq!(at("a.b[1].c", false), Some("\"x\""));
        assert_eq!(at("a.b[1].c", true), Some("\"c\""));
        assert_eq!(at("d[1].e", false), Some("22"));
        assert_eq!(at("nothing", false), None);
    }

    #[test]
    fn offsets_inside_strings_skip_quotes_and_escapes() {
        assert_eq!(unquoted("x = \"ab\"", 4..8), 5..7);
        assert_eq!(unquoted("x = 12", 4..6), 4..6);
        assert_eq!(offset_in_string("\"abc\"", 10, "abc", 1), 12);
        assert_eq!(offset_in_string("\"a\\\"bc\"", 0, "a\"bc", 2), 4);
        assert_eq!(offset_in_string("'''\nabc'''", 0, "abc", 0), 4);
    }

    #[test]
    fn the_line_index_agrees_with_reading_from_the_top() {
        let mut text = String::new();
        for i in 0..3_000 {
            text.push_str(&format!("é{i} = \"ü{}\"\n", "x".repeat(i % 7)));
            if i % 500 == 0 {
                text.push_str(&"ñ".repeat(5_000));
            }
        }
        let lines = LineIndex::new(&text);
        for offset in (0..=text.len()).step_by(97).chain([text.len(), 1, 2]) {
            assert_eq!(
                lines.line_col(&text, offset),
                line_col(&text, offset),
                "{offset}"
            );
        }
    }

    #[test]
    fn an_excerpt_renders_like_the_whole_file() {
        let text: Arc<str> = (1..=200)
            .map(|i| format!("key{i} = {i}\n"))
            .collect::<String>()
            .into();
        let at = text.find("key100").unwrap();
        let d = Diagnostic::new("offramp::test", "f.toml", "wrong").at(&text, at..at + 6);
        let r = d.render();
        assert!(r.starts_with("f.toml:100:1: error: wrong\n"), "{r}");
        assert!(r.contains("[f.toml:100:1]"), "{r}");
        assert!(
            r.contains(" 99 │ key99 = 99") && r.contains("101 │ key101 = 101"),
            "{r}"
        );
        assert!(!r.contains("key98 ") && !r.contains("key102"), "{r}");
        // A place on a line too long to show has no snippet, but keeps its help.
        let long: Arc<str> = format!("a = \"{}\"\n", "x".repeat(10_000)).into();
        let d = Diagnostic::new("offramp::test", "f.toml", "wrong")
            .at(&long, 5_000..5_001)
            .with_help(Some("shorter".into()));
        assert_eq!(d.render(), "f.toml:1:5001: error: wrong\n  help: shorter\n");
    }

    #[test]
    fn a_diagnostic_renders_its_place_snippet_and_help() {
        let text: Arc<str> = "a = 1\nb = 2\n".into();
        let d = Diagnostic::new("offramp::test", "f.toml", "b is wrong")
            .at(&text, 10..11)
            .with_help(Some("try 3".into()));
        assert_eq!(d.to_string(), "f.toml:2:5: b is wrong (try 3)");
        let r = d.render();
        assert!(r.starts_with("f.toml:2:5: error: b is wrong\n"), "{r}");
        assert!(r.contains("b = 2") && r.contains("try 3"), "{r}");
        let bare = Diagnostic::new("offramp::test", "<spec>", "x: is wrong").with_path("x");
        assert_eq!(bare.render(), "<spec>: error: x: is wrong\n");
    }
}
