//! Positions in a source file: byte offsets, lines and columns.

/// 1-based line and column (in characters) of a byte offset in a file's text; an offset inside
/// a character counts as that character's start. Every loader's errors use it.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..floor_boundary(text, offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The largest character boundary at or before byte `i`.
pub(crate) fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The byte offset of a 1-based line and column (the column counted in bytes); 0 for line 0,
/// the end of the text for a line past the last.
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
