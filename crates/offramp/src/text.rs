//! `Text`: the string type of decisions, cheap to copy into millions of them; and the few
//! helpers that write values as text for decisions' sentences.
//!
//! A decision repeats the same few strings: a program's rule ids, clauses and sentences, and a
//! directory's service ids, service, organization and site names, capacity units and the
//! reason words made from them. Sharing them through reference counts makes every core write to
//! the same counters, which serialises batch routing. Instead, they are interned when a program
//! is compiled or a router indexes a directory, into a process-wide pool that lives as long as
//! the process; a decision holds plain references to them and copying one costs nothing.
//!
//! The pool holds each distinct string once, so loading the same program or directory again
//! adds nothing: its size follows the distinct strings a process has loaded, not how many times
//! it loaded them ([`pool_size`] tells). A long-running process that reloads a directory grows
//! it only by names that are new. Strings read back from JSON, and text made for one decision,
//! are owned by the value instead.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::{LazyLock, Mutex};

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

static POOL: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

/// How many distinct strings the process-wide pool holds, for watching a long-running process:
/// it follows the distinct program and directory strings loaded, not the number of loads.
pub fn pool_size() -> usize {
    POOL.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .len()
}

/// Returns the pooled copy of `s`, adding it on first use.
pub(crate) fn intern(s: &str) -> &'static str {
    let mut pool = POOL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = pool.get(s) {
        return found;
    }
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    pool.insert(leaked);
    leaked
}

thread_local! {
    /// Where a text made for one decision is written before it is copied out at its exact
    /// length: routing a batch makes millions of them, and growing a fresh buffer for each
    /// (then shrinking it to fit) cost more than the rest of routing.
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The most bytes the scratch buffer keeps between uses: a longer text is written once and the
/// buffer then gives the memory back.
const SCRATCH_KEEP: usize = 4096;

/// Runs `f` with this thread's scratch buffer, empty. A call made from inside `f` gets a fresh
/// buffer of its own.
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut String) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => {
            s.clear();
            let r = f(&mut s);
            s.clear();
            if s.capacity() > SCRATCH_KEEP {
                s.shrink_to(SCRATCH_KEEP);
            }
            r
        }
        Err(_) => f(&mut String::new()),
    })
}

/// An immutable string in a decision: a program string shared by reference, or text read back
/// from JSON. It derefs to `str` and serialises as a JSON string.
///
/// ```
/// let d = offramp::Decision::from_json(r#"{"encounter_id":"e","program":{"id":"p","hash":"h"},
///   "intercept":1,"intercept_basis":"given","disposition":"none","eligible":[],"ineligible":[],"warnings":[],
///   "needs_information":[]}"#).unwrap();
/// assert_eq!(&*d.program.id, "p");
/// ```
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Pooled(&'static str),
    Owned(Box<str>),
}

impl Text {
    /// A pooled string (for a program's own strings).
    pub(crate) fn pooled(s: &str) -> Text {
        Text(Repr::Pooled(intern(s)))
    }

    /// A string that lives for the whole run (a table's name), shared without pooling.
    pub(crate) const fn from_static(s: &'static str) -> Text {
        Text(Repr::Pooled(s))
    }

    /// An owned string (for text made for one decision).
    pub fn owned(s: impl Into<Box<str>>) -> Text {
        Text(Repr::Owned(s.into()))
    }

    /// An owned text written by `args`, in one allocation of exactly its length (for a
    /// sentence made for one decision: `format!` would grow a buffer and then shrink it).
    pub(crate) fn format(args: fmt::Arguments<'_>) -> Text {
        with_scratch(|s| {
            let _ = fmt::Write::write_fmt(s, args);
            Text::owned(&**s)
        })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Pooled(s) => s,
            Repr::Owned(s) => s,
        }
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::owned(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::owned(s)
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.as_str().to_owned()
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        String::deserialize(d).map(Text::from)
    }
}

impl JsonSchema for Text {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "String".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string" })
    }
}

/// Local `HH:MM` for a time on the same local day as `now`, else the weekday and date too.
pub(crate) fn short_time(
    t: &chrono::DateTime<chrono::FixedOffset>,
    now: &Option<chrono::DateTime<chrono::FixedOffset>>,
) -> String {
    use chrono::{Datelike, Timelike};
    // The day each falls on in `t`'s offset, computed with checked sums (a time at the edge
    // of chrono's calendar, read back from a stored decision, has no day there).
    let day = |x: &chrono::DateTime<chrono::FixedOffset>| {
        x.naive_utc()
            .checked_add_offset(*t.offset())
            .map(|d| d.date())
    };
    let same_day = now.is_some_and(|n| day(&n).is_some() && day(&n) == day(t));
    if same_day {
        format!("{:02}:{:02}", t.hour(), t.minute())
    } else {
        format!(
            "{} {} {:02}:{:02}",
            t.weekday(),
            t.format("%-d %b"),
            t.hour(),
            t.minute()
        )
    }
}

/// Text made safe for XML and HTML content and attribute values: the five characters XML
/// gives a meaning become entities, tabs and line breaks stay, and every other control
/// character (which XML 1.0 cannot hold) becomes U+FFFD, so a file's bytes can never break
/// the document. The SIM map and the command's JUnit report both write through it.
///
/// ```
/// assert_eq!(offramp::text::xml_escape("a<b & 'c'\u{1}"), "a&lt;b &amp; &#39;c&#39;\u{FFFD}");
/// ```
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Whether a character would move the cursor, change colours or reorder text on a terminal
/// rather than show as itself: the control characters (newline, ESC, ...) and the Unicode
/// bidirectional controls, which can make text read differently from what it holds.
fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unprintable character (the control characters and the Unicode
/// bidirectional controls) written as its Rust escape (`\n`, `\u{1b}`), cut to at most `max`
/// characters without splitting an escape. Text from a file or an encounter goes through it
/// before a report shows it on one line: the command's reports and the scenario results'
/// text (`ScenarioReport::text`).
///
/// ```
/// use offramp::text::printable;
/// assert_eq!(printable("a\nb\u{1b}[31mc", 100), "a\\nb\\u{1b}[31mc");
/// assert_eq!(printable("kc-26-0001", 4), "kc-2");
/// ```
pub fn printable(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut shown = 0usize;
    for c in text.chars() {
        let piece: String = if unprintable(c) {
            c.escape_default().collect()
        } else {
            c.to_string()
        };
        let width = piece.chars().count();
        if shown.saturating_add(width) > max {
            break;
        }
        shown = shown.saturating_add(width);
        out.push_str(&piece);
    }
    out
}

/// Each line of `text` made [`printable`], each ended by a line break (a final line without
/// one gets one; `\r\n` ends a line as `\n` does). The analysis report is printed this way.
///
/// ```
/// assert_eq!(offramp::text::printable_each_line("a\u{1b}b\nc"), "a\\u{1b}b\nc\n");
/// ```
pub fn printable_each_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(&printable(line, usize::MAX));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_strings_are_shared_and_compare_by_content() {
        let a = Text::pooled("rule-a");
        let b = Text::pooled(&String::from("rule-a"));
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_eq!(a, Text::owned("rule-a"));
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"rule-a\"");
        let back: Text = serde_json::from_str("\"rule-a\"").unwrap();
        assert_eq!(back, a);
    }
}
