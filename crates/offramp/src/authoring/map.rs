//! The Sequential Intercept Model gap map, drawn from an [`Analysis`].
//!
//! The map is the grid SIM mapping workshops draw: the six intercepts as columns, left to right
//! from community services (0) to community corrections (5), and the six pathways as rows. A
//! cell that some program covers is filled and lists those programs, the responders on scene
//! and the partner service kinds the pathway asks for. A cell whose intercept has encounters
//! that reach no pathway is drawn with a dashed border, hatched when nothing covers it, and the
//! foot of each column counts the gap regions at that intercept.
//!
//! [`render`] draws the map as a standalone SVG picture, a Mermaid flowchart, or an HTML page
//! holding the picture and the list of gaps. Text read from files (program ids and names,
//! partner kinds, gap summaries) is escaped for each format. Text that would not fit a cell of
//! the picture is cut and counted (`+2 more`) rather than drawn past the cell's edge, and each
//! cell also clips what it draws.

use std::fmt::{self, Write as _};

use super::analysis::{Analysis, CoverageCell};
use crate::domain::{Intercept, Pathway};
use crate::vocab::vocabulary;

vocabulary! {
    /// The file format of a SIM map ([`render`]).
    ///
    /// ```
    /// use offramp::authoring::map::MapFormat;
    /// assert_eq!("mermaid".parse::<MapFormat>().unwrap(), MapFormat::Mermaid);
    /// assert!("png".parse::<MapFormat>().is_err());
    /// ```
    pub enum MapFormat: "map format" {
        /// A standalone SVG picture: no external fonts, images or scripts.
        Svg = "svg",
        /// A Mermaid flowchart (`flowchart LR`), one subgraph per intercept.
        Mermaid = "mermaid",
        /// A standalone HTML page: the SVG picture and the gaps as a table.
        Html = "html",
    }
}

/// Draws the SIM gap map of an analysis in the format asked for. Every one of the 36 cells is
/// drawn, in the order of [`Intercept::ALL`] and [`Pathway::ALL`], whatever the analysis holds:
/// a cell missing from [`Analysis::coverage`] is drawn as not covered.
///
/// ```
/// use offramp::authoring::analysis::Analysis;
/// use offramp::authoring::map::{render, MapFormat};
///
/// let empty = Analysis {
///     programs: vec![], encounters_examined: 0, gaps: vec![], gaps_left_out: 0,
///     overlaps: vec![], dead_rules: vec![], whole_exclusions: vec![], coverage: vec![],
/// };
/// let svg = render(&empty, MapFormat::Svg);
/// assert!(svg.contains(r#"id="cell-i1-self_referral""#));
/// assert!(render(&empty, MapFormat::Mermaid).contains("flowchart LR"));
/// ```
pub fn render(analysis: &Analysis, format: MapFormat) -> String {
    let grid = Grid::new(analysis);
    let mut out = String::new();
    // Writing into a String cannot fail; the `fmt::Result`s only carry `?` through.
    let _ = match format {
        MapFormat::Svg => svg(&mut out, &grid),
        MapFormat::Mermaid => mermaid(&mut out, &grid),
        MapFormat::Html => html(&mut out, &grid),
    };
    out
}

/// The analysis arranged as the map reads it.
struct Grid<'a> {
    analysis: &'a Analysis,
    /// `cells[intercept][pathway]`.
    cells: [[Option<&'a CoverageCell>; Pathway::COUNT]; Intercept::COUNT],
    /// How many listed gap regions hold encounters at each intercept.
    regions: [usize; Intercept::COUNT],
    /// Whether some cell of the intercept's column is marked as a gap.
    column_gap: [bool; Intercept::COUNT],
}

impl<'a> Grid<'a> {
    fn new(analysis: &'a Analysis) -> Self {
        let mut cells = [[None; Pathway::COUNT]; Intercept::COUNT];
        let mut column_gap = [false; Intercept::COUNT];
        for cell in &analysis.coverage {
            let (i, p) = (cell.intercept.index(), cell.pathway.index());
            if let Some(slot) = cells.get_mut(i).and_then(|column| column.get_mut(p)) {
                slot.get_or_insert(cell);
            }
            if let Some(gap) = column_gap.get_mut(i) {
                *gap |= cell.gap;
            }
        }
        let mut regions = [0; Intercept::COUNT];
        for (i, count) in regions.iter_mut().enumerate() {
            *count = (analysis.gaps.iter())
                .filter(|g| g.intercepts.iter().any(|x| x.index() == i))
                .count();
        }
        Grid {
            analysis,
            cells,
            regions,
            column_gap,
        }
    }

    fn cell(&self, intercept: Intercept, pathway: Pathway) -> Option<&'a CoverageCell> {
        let column = self.cells.get(intercept.index());
        column
            .and_then(|c| c.get(pathway.index()))
            .copied()
            .flatten()
    }

    /// What the foot of a column says, and whether the column has gaps: its gap regions, or,
    /// without any, whether encounters were examined there at all. Every encounter examined
    /// either reaches a pathway (a covered cell of its intercept) or not (a gap there), so a
    /// column with neither had none.
    fn column_foot(&self, intercept: Intercept) -> (String, bool) {
        let i = intercept.index();
        let regions = self.regions.get(i).copied().unwrap_or_default();
        let marked = regions > 0 || self.column_gap.get(i).copied().unwrap_or_default();
        let covered = Pathway::ALL
            .iter()
            .any(|p| self.cell(intercept, *p).is_some_and(CoverageCell::covered));
        match (marked, covered) {
            (true, _) => (plural(regions, "gap region", "gap regions"), true),
            (false, true) => ("no gap".to_string(), false),
            (false, false) => ("no encounters here".to_string(), false),
        }
    }

    /// The map's title: the program's name, or how many programs are taken together.
    fn title(&self) -> String {
        match self.analysis.programs.as_slice() {
            [] => "Sequential Intercept Model map".to_string(),
            [one] => format!("Sequential Intercept Model map: {}", one.name),
            many => format!("Sequential Intercept Model map: {} programs", many.len()),
        }
    }

    /// One line on what was examined and found.
    fn summary(&self) -> String {
        let a = self.analysis;
        let gaps = a.gaps.len().saturating_add(a.gaps_left_out);
        let mut line = format!(
            "{} classes of encounters examined; {} reaching no pathway",
            grouped(a.encounters_examined),
            plural(gaps, "gap region", "gap regions")
        );
        if a.gaps_left_out > 0 {
            let _ = write!(
                line,
                " ({} listed and counted under the columns)",
                a.gaps.len()
            );
        }
        line
    }
}

/// `1234567` -> `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && digits.len().saturating_sub(i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 gap region`, `3 gap regions`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A pathway's name as a heading: `first_responder_referral` -> `First Responder Referral`.
fn pathway_title(p: Pathway) -> String {
    p.as_str()
        .split('_')
        .map(capitalised)
        .collect::<Vec<_>>()
        .join(" ")
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

/// The cell's lists, as plain words.
fn cell_lists(cell: &CoverageCell) -> [(&'static str, Vec<String>); 3] {
    [
        ("", cell.programs.clone()),
        (
            "by ",
            cell.responders.iter().map(|r| r.to_string()).collect(),
        ),
        ("partners ", cell.partner_kinds.clone()),
    ]
}

// ---------------------------------------------------------------------------------------------
// Measuring text. The picture names fonts whose letters are about as wide as Verdana's and
// measures conservatively, so a line it decides fits does fit; each cell clips besides.

/// The width of `text` at font size `size`, in the picture's units (an estimate on the wide
/// side for Verdana, DejaVu Sans and Arial).
fn text_width(text: &str, size: f64) -> f64 {
    let ems: f64 = (text.chars())
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | ' ' => 0.36,
            'f' | 'r' | 't' | '(' | ')' | '-' | '[' | ']' => 0.46,
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 1.0,
            'A'..='Z' | '0'..='9' | '#' | '&' | '+' | '_' | '~' => 0.72,
            c if c.is_ascii() => 0.64,
            c if u32::from(c) >= 0x1100 => 1.05,
            _ => 0.75,
        })
        .sum();
    ems * size
}

/// `text` cut to `width` with `…`, or whole if it fits.
fn ellipsized(text: &str, width: f64, size: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let room = width - text_width("…", size);
    for c in text.chars() {
        let mut next = out.clone();
        next.push(c);
        if text_width(&next, size) > room {
            break;
        }
        out = next;
    }
    out.push('…');
    out
}

/// Words wrapped into lines at most `width` wide; a word wider than a line is cut.
fn wrapped(text: &str, width: f64, size: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line} {word}"), size) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(ellipsized(word, width, size)),
        }
    }
    lines
}

/// A list laid out in at most `max_lines` lines (none for an empty list or no lines) `width` wide, the first after a lead `lead`
/// wide, items separated by commas. Items past the last line are counted on it as `+N more`;
/// an item wider than a line is cut with `…`.
fn fit_list(items: &[String], lead: f64, width: f64, size: f64, max_lines: usize) -> Vec<String> {
    if items.is_empty() || max_lines == 0 {
        return Vec::new();
    }
    let comma = text_width(",", size);
    let gap = text_width(", ", size);
    let room = |line: usize| width - if line == 0 { lead } else { 0.0 } - comma;
    let mut lines: Vec<Vec<String>> = vec![Vec::new()];
    let mut used = 0.0;
    for item in items {
        let mut at = lines.len().saturating_sub(1);
        let sep = if used > 0.0 { gap } else { 0.0 };
        if used > 0.0 && used + sep + text_width(item, size) > room(at) {
            lines.push(Vec::new());
            at = at.saturating_add(1);
            used = 0.0;
        }
        let item = ellipsized(item, room(at) - if used > 0.0 { gap } else { 0.0 }, size);
        used += if used > 0.0 { gap } else { 0.0 } + text_width(&item, size);
        if let Some(line) = lines.last_mut() {
            line.push(item);
        }
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        let shown_before: usize = lines.iter().rev().skip(1).map(Vec::len).sum();
        if let Some(last) = lines.last_mut() {
            loop {
                let hidden = items
                    .len()
                    .saturating_sub(shown_before.saturating_add(last.len()));
                let more = format!("+{hidden} more");
                let mut text = last.join(", ");
                if !text.is_empty() {
                    text.push_str(", ");
                }
                text.push_str(&more);
                let lead_here = if max_lines == 1 { lead } else { 0.0 };
                if last.is_empty() || text_width(&text, size) <= width - lead_here {
                    last.push(more);
                    break;
                }
                last.pop();
            }
        }
    }
    let count = lines.len();
    (lines.into_iter().enumerate())
        .map(|(i, line)| line.join(", ") + if i.saturating_add(1) < count { "," } else { "" })
        .collect()
}

/// Shares `total` lines among lists that need `needs[i]` lines each: one each first, then one
/// more at a time, in order, while any list needs more.
fn share_lines(needs: [usize; 3], total: usize) -> [usize; 3] {
    let mut given = needs.map(|n| n.min(1));
    let mut left = total.saturating_sub(given.iter().sum());
    while left > 0 {
        let mut moved = false;
        for (g, n) in given.iter_mut().zip(needs) {
            if left > 0 && *g < n {
                *g = g.saturating_add(1);
                left = left.saturating_sub(1);
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    given
}

// ---------------------------------------------------------------------------------------------
// Escaping.

/// Text for XML and HTML content and attribute values.
fn xml(text: &str) -> String {
    crate::text::xml_escape(text)
}

/// Text for a Mermaid label in double quotes: Mermaid's `#name;` entities for the characters
/// its parser or its HTML labels would read.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The SVG picture. Okabe and Ito's colour-blind safe palette: blue for covered, vermillion for
// gaps, which a dashed border and hatching also mark, so no colour carries meaning alone.

const FONT: &str = "Verdana, 'DejaVu Sans', 'Bitstream Vera Sans', Arial, sans-serif";
const INK: &str = "#1a1a1a";
const MUTED: &str = "#595959";
const BLUE: &str = "#0072B2";
const COVERED_FILL: &str = "#d9ecf8";
const EMPTY_FILL: &str = "#f2f2f2";
const EMPTY_STROKE: &str = "#9a9a9a";
const VERMILLION: &str = "#D55E00";
const GAP_INK: &str = "#a13f00";
const HEADER_FILL: &str = "#23405c";
const LABEL_FILL: &str = "#e6ebf0";

const MARGIN: f64 = 24.0;
const LABEL_W: f64 = 200.0;
const CELL_W: f64 = 252.0;
const CELL_H: f64 = 138.0;
/// The space between neighbouring cells.
const SPACE: f64 = 6.0;
const PAD: f64 = 10.0;
const HEADER_H: f64 = 70.0;
const FOOT_H: f64 = 34.0;
const CELL_SIZE: f64 = 13.0;
const LINE_H: f64 = 16.0;
/// Lines of text a cell holds: (CELL_H - SPACE - 2 PAD) / LINE_H.
const CELL_LINES: usize = 7;
const WIDTH: f64 = MARGIN * 2.0 + LABEL_W + CELL_W * Intercept::COUNT as f64;
const LEGEND_COVERED: &str = "Covered: a program admits someone here. First line: the programs; by: the responders on scene; partners: the partner service kinds.";
const LEGEND_EMPTY: &str =
    "Not covered: no program admits anyone at this intercept on this pathway.";
const LEGEND_GAP: &str = "Gap: some encounters at this intercept reach no pathway at all (dashed border; hatched where not covered). Regions counted under each column.";
/// Columns of the key of program ids and names.
const KEY_COLUMNS: usize = 3;

fn svg(out: &mut String, grid: &Grid<'_>) -> fmt::Result {
    let a = grid.analysis;
    let inner = WIDTH - 2.0 * MARGIN;
    let title = ellipsized(&grid.title(), inner, 24.0);
    let summary = ellipsized(&grid.summary(), inner, 14.0);
    let top = 84.0;
    let grid_top = top + HEADER_H;
    let foot_top = grid_top + CELL_H * Pathway::COUNT as f64;
    let legend_top = foot_top + FOOT_H + 20.0;
    let key_top = legend_top + 3.0 * 22.0 + 18.0;
    let key_rows = a.programs.len().div_ceil(KEY_COLUMNS);
    let height = key_top + 22.0 * key_rows as f64 + MARGIN;

    writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="map-title map-desc" font-family="{FONT}" fill="{INK}">"#
    )?;
    writeln!(
        out,
        r#"<title id="map-title">{}</title>"#,
        xml(&grid.title())
    )?;
    writeln!(
        out,
        r#"<desc id="map-desc">{}</desc>"#,
        xml(&grid.summary())
    )?;
    writeln!(
        out,
        r##"<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="10" height="10" patternTransform="rotate(45)"><rect width="10" height="10" fill="#ffffff"/><rect width="3" height="10" fill="{VERMILLION}" fill-opacity="0.3"/></pattern></defs>"##
    )?;
    writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    )?;
    let bold = r#" font-weight="bold""#;
    text(
        out,
        MARGIN,
        MARGIN + 22.0,
        &format!(r#" font-size="24"{bold}"#),
        &title,
    )?;
    let muted = format!(r#" font-size="14" fill="{MUTED}""#);
    text(out, MARGIN, MARGIN + 46.0, &muted, &summary)?;

    // Column heads, then the row heads and the cells, then the gap counts under the columns.
    for intercept in Intercept::ALL {
        let x = MARGIN + LABEL_W + CELL_W * intercept.index() as f64;
        writeln!(
            out,
            r##"<g id="intercept-{n}"><rect x="{x}" y="{top}" width="{w}" height="{h}" rx="4" fill="{HEADER_FILL}"/><text x="{tx}" y="{ty}" font-size="15" font-weight="bold" fill="#ffffff">Intercept {n}</text>"##,
            n = intercept.as_str(),
            w = CELL_W - SPACE,
            h = HEADER_H - SPACE,
            tx = x + PAD,
            ty = top + 22.0,
        )?;
        let name = wrapped(
            &capitalised(intercept.name()),
            CELL_W - SPACE - 2.0 * PAD,
            13.0,
        );
        for (i, line) in name.iter().take(2).enumerate() {
            let y = top + 41.0 + 16.0 * i as f64;
            text(out, x + PAD, y, r##" font-size="13" fill="#ffffff""##, line)?;
        }
        writeln!(out, "</g>")?;
        let (words, marked) = grid.column_foot(intercept);
        let style = format!(
            r#" id="gaps-i{}" font-size="14" fill="{}"{}"#,
            intercept.as_str(),
            if marked { GAP_INK } else { MUTED },
            if marked { bold } else { "" }
        );
        text(out, x + PAD, foot_top + 22.0, &style, &words)?;
    }
    for pathway in Pathway::ALL {
        let y = grid_top + CELL_H * pathway.index() as f64;
        let w = LABEL_W - SPACE;
        writeln!(
            out,
            r#"<g id="pathway-{p}"><rect x="{MARGIN}" y="{y}" width="{w}" height="{h}" rx="4" fill="{LABEL_FILL}"/>"#,
            p = pathway.as_str(),
            h = CELL_H - SPACE,
        )?;
        let lines = wrapped(&pathway_title(pathway), w - 2.0 * PAD, 15.0);
        for (i, line) in lines.iter().enumerate() {
            let ty = y + PAD + 18.0 + 19.0 * i as f64;
            text(
                out,
                MARGIN + PAD,
                ty,
                &format!(r#" font-size="15"{bold}"#),
                line,
            )?;
        }
        let ty = y + PAD + 22.0 + 19.0 * lines.len() as f64;
        let name = ellipsized(pathway.as_str(), w - 2.0 * PAD, 11.0);
        text(
            out,
            MARGIN + PAD,
            ty,
            &format!(r#" font-size="11" fill="{MUTED}""#),
            &name,
        )?;
        writeln!(out, "</g>")?;
        for intercept in Intercept::ALL {
            let x = MARGIN + LABEL_W + CELL_W * intercept.index() as f64;
            svg_cell(out, grid.cell(intercept, pathway), intercept, pathway, x, y)?;
        }
    }

    // The legend and the key of programs.
    let legend = [
        (COVERED_FILL, BLUE, "", LEGEND_COVERED),
        (EMPTY_FILL, EMPTY_STROKE, "", LEGEND_EMPTY),
        (
            "url(#hatch)",
            VERMILLION,
            r#" stroke-dasharray="6 3""#,
            LEGEND_GAP,
        ),
    ];
    writeln!(out, r#"<g id="legend" font-size="13">"#)?;
    for (i, (fill, stroke, dash, words)) in legend.into_iter().enumerate() {
        let y = legend_top + 22.0 * i as f64;
        writeln!(
            out,
            r#"<rect x="{MARGIN}" y="{}" width="30" height="16" rx="2" fill="{fill}" stroke="{stroke}" stroke-width="2"{dash}/>"#,
            y - 13.0
        )?;
        text(
            out,
            MARGIN + 42.0,
            y,
            "",
            &ellipsized(words, inner - 42.0, 13.0),
        )?;
    }
    writeln!(out, "</g>")?;
    if !a.programs.is_empty() {
        writeln!(
            out,
            r#"<g id="programs" font-size="13"><text x="{MARGIN}" y="{key_top}" font-weight="bold">Programs</text>"#
        )?;
        let column_w = inner / KEY_COLUMNS as f64;
        for (i, program) in a.programs.iter().enumerate() {
            let (row, column) = (i / KEY_COLUMNS, i % KEY_COLUMNS);
            let entry = format!("{}: {}", program.id, program.name);
            let x = MARGIN + column_w * column as f64;
            let y = key_top + 22.0 * row.saturating_add(1) as f64;
            text(out, x, y, "", &ellipsized(&entry, column_w - 16.0, 13.0))?;
        }
        writeln!(out, "</g>")?;
    }
    writeln!(out, "</svg>")
}

/// Writes one `<text>` element: `attrs` as given (each with a leading space), `content`
/// escaped.
fn text(out: &mut String, x: f64, y: f64, attrs: &str, content: &str) -> fmt::Result {
    writeln!(
        out,
        r#"<text x="{x}" y="{y}"{attrs}>{}</text>"#,
        xml(content)
    )
}

fn svg_cell(
    out: &mut String,
    cell: Option<&CoverageCell>,
    intercept: Intercept,
    pathway: Pathway,
    x: f64,
    y: f64,
) -> fmt::Result {
    let covered = cell.is_some_and(CoverageCell::covered);
    let gap = cell.is_some_and(|c| c.gap);
    let id = format!("i{}-{}", intercept.as_str(), pathway.as_str());
    let (w, h) = (CELL_W - SPACE, CELL_H - SPACE);
    let (fill, stroke, width, dash) = match (covered, gap) {
        (true, false) => (COVERED_FILL, BLUE, 1.5, ""),
        (true, true) => (COVERED_FILL, VERMILLION, 3.0, r#" stroke-dasharray="8 4""#),
        (false, false) => (EMPTY_FILL, EMPTY_STROKE, 1.0, ""),
        (false, true) => ("url(#hatch)", VERMILLION, 3.0, r#" stroke-dasharray="8 4""#),
    };
    writeln!(
        out,
        r#"<g id="cell-{id}" class="cell" data-covered="{covered}" data-gap="{gap}"><clipPath id="clip-{id}"><rect x="{x}" y="{y}" width="{w}" height="{h}"/></clipPath><rect x="{rx}" y="{ry}" width="{rw}" height="{rh}" rx="3" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/><g clip-path="url(#clip-{id})" font-size="{CELL_SIZE}">"#,
        rx = x + 1.5,
        ry = y + 1.5,
        rw = w - 3.0,
        rh = h - 3.0,
    )?;
    let (tx, first) = (x + PAD, y + PAD + 13.0);
    let Some(cell) = cell.filter(|c| c.covered()) else {
        let (label, ink) = match gap {
            true => ("not covered: gap", GAP_INK),
            false => ("not covered", MUTED),
        };
        if gap {
            // A white ground keeps the words readable on the hatching.
            writeln!(
                out,
                r##"<rect x="{}" y="{}" width="{}" height="20" rx="3" fill="#ffffff"/>"##,
                tx - 6.0,
                first - 14.0,
                text_width(label, CELL_SIZE) + 12.0
            )?;
        }
        text(
            out,
            tx,
            first,
            &format!(r#" font-style="italic" fill="{ink}""#),
            label,
        )?;
        return writeln!(out, "</g></g>");
    };
    let width = w - 2.0 * PAD;
    let lists = cell_lists(cell);
    // The programs' line is bold, so it is measured a little wider.
    let size = |lead: &str| CELL_SIZE * if lead.is_empty() { 1.04 } else { 1.0 };
    let laid = |(lead, items): &(&str, Vec<String>), lines: usize| {
        fit_list(items, text_width(lead, CELL_SIZE), width, size(lead), lines)
    };
    let needs = lists.each_ref().map(|list| laid(list, usize::MAX).len());
    let mut ty = first;
    for (list, share) in lists.iter().zip(share_lines(needs, CELL_LINES)) {
        for (i, line) in laid(list, share).iter().enumerate() {
            match (list.0, i) {
                ("", _) => text(out, tx, ty, r#" font-weight="bold""#, line)?,
                (lead, 0) => writeln!(
                    out,
                    r#"<text x="{tx}" y="{ty}"><tspan fill="{MUTED}">{}</tspan> {}</text>"#,
                    lead.trim_end(),
                    xml(line)
                )?,
                _ => text(out, tx, ty, "", line)?,
            }
            ty += LINE_H;
        }
    }
    writeln!(out, "</g></g>")
}

// ---------------------------------------------------------------------------------------------
// Mermaid and HTML.

fn mermaid(out: &mut String, grid: &Grid<'_>) -> fmt::Result {
    // The title goes in the front matter as a YAML double-quoted string.
    let title: String = (grid.title().chars())
        .filter(|c| !c.is_control())
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    writeln!(out, "---\ntitle: \"{title}\"\n---\nflowchart LR")?;
    let gap_style = format!("stroke:{VERMILLION},stroke-width:3px,stroke-dasharray:6 4");
    writeln!(
        out,
        "    classDef covered fill:{COVERED_FILL},stroke:{BLUE},color:{INK}\n    \
         classDef coveredgap fill:{COVERED_FILL},{gap_style},color:{INK}\n    \
         classDef gap fill:#fbe3d6,{gap_style},color:{INK}\n    \
         classDef none fill:{EMPTY_FILL},stroke:{EMPTY_STROKE},color:{MUTED}"
    )?;
    for intercept in Intercept::ALL {
        let n = intercept.as_str();
        writeln!(
            out,
            "    subgraph i{n}[\"Intercept {n}: {}\"]\n        direction TB",
            mermaid_text(intercept.name())
        )?;
        let mut any = false;
        for pathway in Pathway::ALL {
            let Some(cell) = grid.cell(intercept, pathway).filter(|c| c.covered()) else {
                continue;
            };
            any = true;
            let mut label = format!("<b>{}</b>", pathway_title(pathway));
            for (lead, items) in cell_lists(cell) {
                if !items.is_empty() {
                    let lead = if lead.is_empty() {
                        "programs"
                    } else {
                        lead.trim_end()
                    };
                    let _ = write!(label, "<br/>{lead}: {}", mermaid_text(&items.join(", ")));
                }
            }
            let class = if cell.gap { "coveredgap" } else { "covered" };
            writeln!(
                out,
                "        i{n}_{}[\"{label}\"]:::{class}",
                pathway.as_str()
            )?;
        }
        match grid.column_foot(intercept) {
            (words, true) => writeln!(
                out,
                "        i{n}_gaps[\"{words}: encounters that reach no pathway\"]:::gap"
            )?,
            (words, false) if !any => writeln!(out, "        i{n}_none[\"{words}\"]:::none")?,
            _ => {}
        }
        writeln!(out, "    end")?;
    }
    let chain: Vec<String> = Intercept::ALL.iter().map(|i| format!("i{i}")).collect();
    writeln!(out, "    {}", chain.join(" --> "))
}

fn html(out: &mut String, grid: &Grid<'_>) -> fmt::Result {
    let a = grid.analysis;
    let title = xml(&grid.title());
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{title}</title>\n<style>\nbody {{ font-family: {FONT}; color: {INK}; margin: 24px; }}\nsvg {{ max-width: 100%; height: auto; }}\ntable {{ border-collapse: collapse; margin-top: 8px; }}\nth, td {{ border: 1px solid #b0b0b0; padding: 4px 8px; text-align: left; vertical-align: top; }}\nth {{ background: {LABEL_FILL}; }}\ntd.number {{ text-align: right; }}\n</style>\n</head>\n<body>\n<h1>{title}</h1>\n<p>{}</p>",
        xml(&grid.summary())
    )?;
    svg(out, grid)?;
    writeln!(out, "<h2>Gaps: encounters that reach no pathway</h2>")?;
    if a.gaps.is_empty() && a.gaps_left_out == 0 {
        return writeln!(
            out,
            "<p>No gap: every encounter examined reaches a pathway.</p>\n</body>\n</html>"
        );
    }
    let counted = a.gaps.iter().any(|g| g.encounters.is_some());
    writeln!(
        out,
        "<table>\n<thead><tr><th>#</th><th>Where no pathway is reached</th><th>Conditions</th><th>Intercepts</th><th>Classes</th>{}<th>Example encounter</th></tr></thead>\n<tbody>",
        if counted { "<th>Encounters</th>" } else { "" }
    )?;
    for (i, gap) in a.gaps.iter().enumerate() {
        let conditions: Vec<String> = (gap.conditions.iter())
            .map(|c| format!("<code>{}</code>: {}", xml(&c.field), xml(&c.text)))
            .collect();
        let intercepts: Vec<String> = gap.intercepts.iter().map(|i| i.to_string()).collect();
        write!(
            out,
            "<tr><td class=\"number\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"number\">{}</td>",
            i.saturating_add(1),
            xml(&gap.summary),
            conditions.join("<br/>"),
            intercepts.join(", "),
            gap.classes
        )?;
        if counted {
            let n = gap.encounters.map_or_else(String::new, |n| n.to_string());
            write!(out, "<td class=\"number\">{n}</td>")?;
        }
        let json = gap.example.to_json().unwrap_or_default();
        writeln!(
            out,
            "<td><details><summary>{}</summary><code>{}</code></details></td></tr>",
            xml(&gap.example.id),
            xml(&json)
        )?;
    }
    writeln!(out, "</tbody>\n</table>")?;
    if a.gaps_left_out > 0 {
        writeln!(
            out,
            "<p>{} more not listed.</p>",
            plural(a.gaps_left_out, "gap region", "gap regions")
        )?;
    }
    writeln!(out, "</body>\n</html>")
}

#[cfg(test)]
mod tests;
