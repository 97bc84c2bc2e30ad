//! Where a value of a program's spec sits in its source text, for diagnostics.

use std::collections::BTreeSet;
use std::ops::Range;

use super::Diagnostic;
use crate::source::line_col;

/// Finds where a value from the file appears in the source, for diagnostics.
pub(super) struct Locator<'s> {
    pub(super) src: &'s str,
    pub(super) used: BTreeSet<usize>,
}

/// Where a rule's text sits in the file, so rule offsets can be mapped to file offsets.
#[derive(Clone, Copy)]
pub(super) struct Placed<'t> {
    pub(super) base: usize,
    pub(super) escaped: bool,
    pub(super) found: bool,
    pub(super) text: &'t str,
}

impl Placed<'_> {
    pub(super) fn file_offset(&self, rule_offset: usize) -> usize {
        if !self.escaped {
            return self.base + rule_offset;
        }
        let mut prefix_end = rule_offset.min(self.text.len());
        while !self.text.is_char_boundary(prefix_end) {
            prefix_end -= 1;
        }
        let escaped = serde_json::to_string(&self.text[..prefix_end]).unwrap_or_default();
        self.base + escaped.len().saturating_sub(2)
    }
}

impl<'s> Locator<'s> {
    pub(super) fn find_from(&self, needle: &str) -> Option<usize> {
        if needle.is_empty() {
            return None;
        }
        let mut start = 0;
        while let Some(i) = self.src[start..].find(needle) {
            let at = start + i;
            if !self.used.contains(&at) {
                return Some(at);
            }
            start = at + needle.len().max(1);
            if start >= self.src.len() {
                break;
            }
        }
        None
    }

    /// Places a string value (a rule, an id, a time zone) in the source. A quoted occurrence
    /// (`"fire"`) is preferred over the same letters inside other text (`id = "fire-oi"`).
    pub(super) fn place<'t>(&mut self, text: &'t str) -> Placed<'t> {
        for quote in ['"', '\''] {
            let quoted = format!("{quote}{text}{quote}");
            if let Some(at) = self.find_from(&quoted) {
                self.used.insert(at);
                return Placed {
                    base: at + 1,
                    escaped: false,
                    found: true,
                    text,
                };
            }
        }
        if let Some(at) = self.find_from(text) {
            self.used.insert(at);
            return Placed {
                base: at,
                escaped: false,
                found: true,
                text,
            };
        }
        let json = serde_json::to_string(text).unwrap_or_default();
        let inner = json
            .get(1..json.len().saturating_sub(1))
            .unwrap_or_default();
        if let Some(at) = self.find_from(inner) {
            self.used.insert(at);
            return Placed {
                base: at,
                escaped: true,
                found: true,
                text,
            };
        }
        Placed {
            base: 0,
            escaped: false,
            found: false,
            text,
        }
    }

    pub(super) fn diagnostic(
        &self,
        file: &str,
        span: Range<usize>,
        message: String,
        help: Option<String>,
    ) -> Diagnostic {
        let start = span.start.min(self.src.len());
        let end = span.end.clamp(start, self.src.len());
        let (line, column) = line_col(self.src, start);
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            message,
            help,
            span: start..end,
        }
    }
}
