//! The analysis as a plain-text report for a program coordinator: what was examined, the gaps
//! with how much of the domain (and of an encounter file) each holds, overlaps, rules that can
//! never admit, exclusions that empty a pathway, and the Sequential Intercept Model coverage
//! grid drawn with characters a terminal shows. `offramp analyze` prints it and Python's
//! `str(analysis)` returns it.

use std::fmt::{self, Write as _};

use super::{Analysis, CoverageCell, Gap};
use crate::domain::{Intercept, Pathway};

/// The mark of a covered cell of the grid.
const COVERED: char = '✓';
/// The mark of a cell no program covers.
const EMPTY: char = '·';
/// The mark, under the grid, of an intercept where some encounters reach no pathway.
const GAP: char = '!';

impl fmt::Display for Analysis {
    /// The report, in sections; an empty section says "none found".
    ///
    /// ```
    /// use offramp::authoring::analysis::Analysis;
    /// let empty = Analysis {
    ///     programs: Vec::new(),
    ///     encounters_examined: 0,
    ///     gaps: Vec::new(),
    ///     gaps_left_out: 0,
    ///     overlaps: Vec::new(),
    ///     dead_rules: Vec::new(),
    ///     whole_exclusions: Vec::new(),
    ///     coverage: Vec::new(),
    /// };
    /// let text = empty.to_string();
    /// assert!(text.contains("Gaps: encounters that reach no pathway\n  none found"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.header(f)?;
        self.gap_section(f)?;
        self.overlap_section(f)?;
        self.dead_section(f)?;
        self.exclusion_section(f)?;
        self.coverage_section(f)
    }
}

impl Analysis {
    /// Whether the gaps carry counts from an encounter file.
    fn with_file(&self) -> bool {
        self.gaps.iter().any(|g| g.encounters.is_some())
    }

    /// Whether more than one program was analysed, so that findings name their program.
    fn several(&self) -> bool {
        self.programs.len() > 1
    }

    fn header(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.programs.as_slice() {
            [one] => writeln!(f, "Analysis of {}", program_line(one))?,
            many => {
                writeln!(f, "Analysis of {} programs taken together:", many.len())?;
                for p in many {
                    writeln!(f, "  {}", program_line(p))?;
                }
            }
        }
        writeln!(
            f,
            "{} examined: every combination of the values the rules tell apart, one encounter \
             standing for each",
            plural(
                self.encounters_examined,
                "class of encounters",
                "classes of encounters"
            )
        )
    }

    fn gap_section(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\nGaps: encounters that reach no pathway\n")?;
        if self.gaps.is_empty() && self.gaps_left_out == 0 {
            return f.write_str("  none found\n");
        }
        if self.with_file() {
            f.write_str("  (most common in the encounters given first)\n")?;
        }
        for (i, gap) in self.gaps.iter().enumerate() {
            self.gap(f, i.saturating_add(1), gap)?;
        }
        if self.gaps_left_out > 0 {
            writeln!(
                f,
                "  and {} not listed",
                plural(
                    u64::try_from(self.gaps_left_out).unwrap_or(u64::MAX),
                    "more gap",
                    "more gaps"
                )
            )?;
        }
        Ok(())
    }

    fn gap(&self, f: &mut fmt::Formatter<'_>, n: usize, gap: &Gap) -> fmt::Result {
        writeln!(f, "  {n}. {}", gap.summary)?;
        let mut size = format!(
            "{} of the {} examined ({})",
            grouped(gap.classes),
            grouped(self.encounters_examined),
            share(gap.classes, self.encounters_examined)
        );
        if let Some(count) = gap.encounters {
            let _ = write!(
                size,
                "; {} in the file given",
                plural(count, "encounter", "encounters")
            );
        }
        writeln!(f, "     {size}")?;
        if !gap.intercepts.is_empty() {
            let names: Vec<String> = gap.intercepts.iter().map(|i| intercept(*i)).collect();
            writeln!(f, "     at intercept {}", names.join(", "))?;
        }
        Ok(())
    }

    fn overlap_section(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\nOverlaps\n")?;
        if self.overlaps.is_empty() {
            return f.write_str("  none found\n");
        }
        for o in &self.overlaps {
            writeln!(f, "  {}", o.summary)?;
        }
        Ok(())
    }

    fn dead_section(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\nRules that can never admit\n")?;
        if self.dead_rules.is_empty() {
            return f.write_str("  none found\n");
        }
        for d in &self.dead_rules {
            writeln!(f, "  {}", d.summary)?;
        }
        Ok(())
    }

    fn exclusion_section(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\nExclusions that empty a pathway\n")?;
        if self.whole_exclusions.is_empty() {
            return f.write_str("  none found\n");
        }
        for x in &self.whole_exclusions {
            writeln!(f, "  {}", x.summary)?;
        }
        Ok(())
    }

    fn coverage_section(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\nCoverage: the Sequential Intercept Model\n")?;
        if self.coverage.is_empty() {
            return f.write_str("  none found\n");
        }
        writeln!(
            f,
            "  {COVERED} someone is admitted there, {EMPTY} no one; {GAP} under an intercept: \
             some encounters there reach no pathway"
        )?;
        let intercepts: Vec<Intercept> = Intercept::ALL
            .into_iter()
            .filter(|i| self.coverage.iter().any(|c| c.intercept == *i))
            .collect();
        let pathways: Vec<Pathway> = Pathway::ALL
            .into_iter()
            .filter(|p| self.coverage.iter().any(|c| c.pathway == *p))
            .collect();
        let width = pathways
            .iter()
            .map(|p| p.as_str().len())
            .max()
            .unwrap_or(0)
            .max("intercept".len());
        let mut line = format!("  {:width$}", "intercept");
        for i in &intercepts {
            let _ = write!(line, "  {}", i.number());
        }
        writeln!(f, "{}", line.trim_end())?;
        for p in &pathways {
            let mut line = format!("  {:width$}", p.as_str());
            for i in &intercepts {
                let covered = self.cell(*i, *p).is_some_and(CoverageCell::covered);
                let _ = write!(line, "  {}", if covered { COVERED } else { EMPTY });
            }
            writeln!(f, "{line}")?;
        }
        let mut line = format!("  {:width$}", "");
        for i in &intercepts {
            let gap = self.coverage.iter().any(|c| c.intercept == *i && c.gap);
            let _ = write!(line, "  {}", if gap { GAP } else { ' ' });
        }
        if line.trim().is_empty() {
            f.write_str("  (no intercept has a gap)\n")?;
        } else {
            writeln!(f, "{}", line.trim_end())?;
        }
        let names: Vec<String> = intercepts.iter().map(|i| intercept(*i)).collect();
        writeln!(f, "  intercepts: {}", names.join(", "))?;
        for c in self.coverage.iter().filter(|c| c.covered()) {
            let mut who = format!("  {} at {}:", c.pathway, intercept(c.intercept));
            if self.several() {
                let _ = write!(who, " {};", c.programs.join(", "));
            }
            let responders: Vec<&str> = c.responders.iter().map(|r| r.as_str()).collect();
            let _ = write!(
                who,
                " responders {}",
                if responders.is_empty() {
                    "any".to_string()
                } else {
                    responders.join(", ")
                }
            );
            if !c.partner_kinds.is_empty() {
                let _ = write!(who, "; partners {}", c.partner_kinds.join(", "));
            }
            writeln!(f, "{who}")?;
        }
        Ok(())
    }

    /// The grid's cell at `intercept` and `pathway`.
    fn cell(&self, intercept: Intercept, pathway: Pathway) -> Option<&CoverageCell> {
        self.coverage
            .iter()
            .find(|c| c.intercept == intercept && c.pathway == pathway)
    }
}

/// `lead-king-county (LEAD, King County), sha256:cb8de13051a0`.
fn program_line(p: &super::AnalysedProgram) -> String {
    let hash: String = p
        .hash
        .chars()
        .take("sha256:".len().saturating_add(12))
        .collect();
    if p.name.is_empty() {
        format!("{}, {hash}", p.id)
    } else {
        format!("{} ({}), {hash}", p.id, p.name)
    }
}

/// `1 (law enforcement)`.
fn intercept(i: Intercept) -> String {
    format!("{} ({})", i.number(), i.name())
}

/// `1 class of encounters`, `12,480 classes of encounters`.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", grouped(n), if n == 1 { one } else { many })
}

/// A whole number with its thousands grouped: `12,480`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len().saturating_mul(4) / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len().saturating_sub(i)) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` of `whole` as a percentage with one decimal: `4.2%`; `under 0.1%` for a share too
/// small to show but not nothing.
fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "no share".into();
    }
    // Tenths of a percent, rounded; u128 cannot overflow for u64 operands.
    let tenths = u128::from(part)
        .saturating_mul(1000)
        .saturating_add(u128::from(whole) / 2)
        .checked_div(u128::from(whole))
        .unwrap_or(0);
    if tenths == 0 && part > 0 {
        return "under 0.1%".into();
    }
    format!("{}.{}%", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_shares_rounded() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(4_000_000), "4,000,000");
        assert_eq!(share(1, 3), "33.3%");
        assert_eq!(share(1, 100_000), "under 0.1%");
        assert_eq!(share(0, 10), "0.0%");
        assert_eq!(share(10, 10), "100.0%");
        assert_eq!(share(1, 0), "no share");
        assert_eq!(plural(1, "class", "classes"), "1 class");
        assert_eq!(plural(2, "class", "classes"), "2 classes");
    }
}
