//! The one-page text summary of a run: what was run, each effect of the program with its 95%
//! interval across replications, re-arrest among the people it reached, the funnel and unmet
//! demand. Written from the result tables alone, so it says nothing the tables do not hold.

use std::fmt::Write as _;

use super::assemble::{REARREST_DAYS, mean_interval};
use super::results::{SimResults, Stage, SummaryRow};

/// A number with thousands separators and `decimals` decimals: `-1,234.5`.
fn number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::with_capacity(text.len().saturating_add(4));
    // A value that rounds to zero is shown without a sign.
    if x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('-');
    }
    out.push_str(&super::group_digits(whole));
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// A share as a percentage with one decimal.
fn percent(x: f64) -> String {
    format!("{}%", number(x * 100.0, 1))
}

/// `(low to high)`, or the reason there is no interval.
fn interval(low: Option<f64>, high: Option<f64>, decimals: usize) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!("({} to {})", number(l, decimals), number(h, decimals)),
        _ => "(no interval from one replication)".into(),
    }
}

/// The first 12 hexadecimal digits of a program hash (`sha256:…`).
fn short_hash(hash: &str) -> &str {
    let digits = hash.strip_prefix("sha256:").unwrap_or(hash);
    digits.get(..12).unwrap_or(digits)
}

/// What a measure counts, for the table's first column.
fn label(measure: &str) -> String {
    measure.replace('_', " ")
}

impl SimResults {
    /// A one-page text summary of the run: what was run; for every outcome, the mean per
    /// replication with the program, without it, and their difference with its 95%
    /// confidence interval across replications; re-arrest among the people the program
    /// reached, with its odds ratio; the funnel; completion; unmet demand. `offramp
    /// simulate` prints it and writes it as `report.txt`.
    ///
    /// ```
    /// use offramp::sim::{RunOptions, Scenario, Simulation};
    /// let mut scenario = Scenario::from_file(concat!(env!("CARGO_MANIFEST_DIR"),
    ///     "/../../examples/scenarios/qrt-hamilton-county.toml"))?;
    /// scenario.scenario.days = Some(30);
    /// let results = Simulation::new(scenario)?.run(&RunOptions { replications: Some(2), ..RunOptions::default() })?;
    /// let text = results.report();
    /// assert!(text.contains("overdoses"), "{text}");
    /// assert!(text.contains("95% interval"), "{text}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn report(&self) -> String {
        let mut out = String::new();
        let _ = self.report_into(&mut out);
        out
    }

    fn report_into(&self, out: &mut String) -> std::fmt::Result {
        let i = &self.info;
        writeln!(out, "{}", i.scenario)?;
        writeln!(
            out,
            "Program {} (hash {}), {} replication{} with seed {}",
            i.program_id,
            short_hash(&i.program_hash),
            i.replications,
            if i.replications == 1 { "" } else { "s" },
            i.seed
        )?;
        let warm = if i.warm_up_days > 0 {
            format!(
                ", after a {}-day warm-up left out of the counts",
                i.warm_up_days
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "{} people over {} days from {}{} ({} person-years per replication{})",
            number(f64::from(i.population), 0),
            number(f64::from(i.days), 0),
            i.start,
            warm,
            number(i.person_years, 0),
            if i.replay {
                ", replayed encounters"
            } else {
                ""
            }
        )?;
        writeln!(out)?;
        writeln!(
            out,
            "Means per replication; the difference is with the program minus without it, with \
             its 95% interval across replications."
        )?;
        writeln!(out)?;
        writeln!(
            out,
            "{:<20} {:>14} {:>14} {:>14}  95% interval",
            "outcome", "with program", "without", "difference"
        )?;
        for row in &self.summary {
            writeln!(out, "{}", outcome_line(row))?;
        }
        self.write_rearrest(out)?;
        self.write_funnel(out)?;
        Ok(())
    }

    fn write_rearrest(&self, out: &mut String) -> std::fmt::Result {
        let rows: Vec<_> = self.effects.iter().filter(|e| e.people > 0).collect();
        if rows.is_empty() {
            return Ok(());
        }
        let mean = |f: &dyn Fn(&super::results::EffectRow) -> Option<f64>| {
            mean_interval(&rows.iter().filter_map(|r| f(r)).collect::<Vec<f64>>())
        };
        let people = rows.iter().map(|r| r.people as f64).sum::<f64>() / rows.len() as f64;
        let (with, _) = mean(&|r| r.program);
        let (without, _) = mean(&|r| r.counterfactual);
        writeln!(out)?;
        writeln!(
            out,
            "Re-arrest within {REARREST_DAYS} days of first accepting an offer ({} people per \
             replication): {} with the program, {} without",
            number(people, 1),
            percent(with),
            percent(without)
        )?;
        let ratios: Vec<f64> = rows.iter().filter_map(|r| r.odds_ratio).collect();
        if ratios.is_empty() {
            writeln!(
                out,
                "  odds ratio: not defined (no one, or everyone, re-arrested)"
            )?;
        } else {
            let (or, range) = mean_interval(&ratios);
            writeln!(
                out,
                "  odds ratio {} {}",
                number(or, 2),
                interval(range.map(|r| r.0), range.map(|r| r.1), 2)
            )?;
        }
        Ok(())
    }

    fn write_funnel(&self, out: &mut String) -> std::fmt::Result {
        let reps = f64::from(self.info.replications.max(1));
        let stage = |s: Stage| {
            self.funnel
                .iter()
                .filter(|f| f.pathway == "all" && f.stage == s)
                .map(|f| f.count as f64)
                .sum::<f64>()
                / reps
        };
        writeln!(out)?;
        writeln!(
            out,
            "Funnel, all pathways (each stage a part of the one before):"
        )?;
        let mut previous: Option<f64> = None;
        for s in Stage::FUNNEL {
            let n = stage(s);
            let share = match previous {
                Some(p) if p > 0.0 => format!(" ({} of the stage before)", percent(n / p)),
                _ => String::new(),
            };
            writeln!(out, "  {:<12} {:>12}{share}", s.as_str(), number(n, 1))?;
            previous = Some(n);
        }
        let all: Vec<_> = self
            .referrals
            .iter()
            .filter(|r| r.pathway == "all")
            .collect();
        let sum = |f: &dyn Fn(&super::results::ReferralRow) -> u64| {
            all.iter().map(|r| f(r) as f64).sum::<f64>() / reps
        };
        let linked = sum(&|r| r.linked);
        let completed = sum(&|r| r.completed);
        if linked > 0.0 {
            writeln!(
                out,
                "Completed the episode: {} of {} linked ({})",
                number(completed, 1),
                number(linked, 1),
                percent(completed / linked)
            )?;
        }
        self.write_intake(out)?;
        let (none, full, waited, closed) = (
            sum(&|r| r.lost_no_provider),
            sum(&|r| r.lost_full),
            sum(&|r| r.lost_waiting),
            sum(&|r| r.lost_closed),
        );
        writeln!(
            out,
            "Unmet demand: {} referrals lost ({} with no partner, {} to full services, {} after \
             the longest wait, {} to closed services), {} still waiting at the end",
            number(none + full + waited + closed, 1),
            number(none, 1),
            number(full, 1),
            number(waited, 1),
            number(closed, 1),
            number(sum(&|r| r.waiting_at_end), 1)
        )
    }
}

impl SimResults {
    /// Time from the encounter to intake and, with places, the distance travelled: the mean
    /// over replications of each replication's median and 90th percentile, for all pathways.
    fn write_intake(&self, out: &mut String) -> std::fmt::Result {
        let rows: Vec<_> = self
            .time_to_intake
            .iter()
            .filter(|r| r.pathway == "all" && r.intakes > 0)
            .collect();
        let mean = |f: &dyn Fn(&super::results::IntakeTimeRow) -> Option<f64>| {
            let xs: Vec<f64> = rows.iter().filter_map(|r| f(r)).collect();
            (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
        };
        if let (Some(median), Some(p90)) = (mean(&|r| r.median_hours), mean(&|r| r.p90_hours)) {
            writeln!(
                out,
                "Time to intake: median {} hours, 90th percentile {} hours",
                number(median, 1),
                number(p90, 1)
            )?;
        }
        if let (Some(median), Some(p90)) = (mean(&|r| r.median_km), mean(&|r| r.p90_km)) {
            writeln!(
                out,
                "Distance from home to intake: median {} km, 90th percentile {} km",
                number(median, 1),
                number(p90, 1)
            )?;
        }
        Ok(())
    }
}

/// One outcome's line of the report.
fn outcome_line(row: &SummaryRow) -> String {
    let decimals = 1;
    format!(
        "{:<20} {:>14} {:>14} {:>14}  {}",
        label(&row.measure),
        number(row.program, decimals),
        number(row.counterfactual, decimals),
        number(row.difference, decimals),
        interval(row.difference_low, row.difference_high, decimals)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(number(1_234_567.25, 1), "1,234,567.2");
        assert_eq!(number(-1_234.56, 1), "-1,234.6");
        assert_eq!(number(-0.01, 1), "0.0");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(f64::NAN, 1), "-");
        assert_eq!(percent(0.1234), "12.3%");
        assert_eq!(
            interval(None, None, 1),
            "(no interval from one replication)"
        );
    }
}
