//! The results of a run as plain tables (a `Vec` of rows per table), and their writers. Each
//! row type declares its columns once (`row!`): the CSV, JSON and Arrow writers of
//! [`super::table`] all follow that declaration.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::SimError;
use super::table::{Cell, Column, ColumnValue, Row, Table};
use crate::vocab::vocabulary;

/// Declares a row type of a result table: the struct, and its [`Row`] columns from the same
/// field list (a field's name is its column's name; its type gives the column's type).
macro_rules! row {
    (
        $(#[doc = $doc:expr])*
        $(#[derive($($extra:ident),+)])?
        pub struct $name:ident {
            $( $(#[doc = $fdoc:expr])* pub $field:ident: $ty:ty, )+
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema $($(, $extra)+)?)]
        pub struct $name {
            $( $(#[doc = $fdoc])* pub $field: $ty, )+
        }

        impl Row for $name {
            const COLUMNS: &'static [Column] = &[$(
                Column {
                    name: stringify!($field),
                    ty: <$ty as ColumnValue>::TYPE,
                    nullable: <$ty as ColumnValue>::NULLABLE,
                },
            )+];

            fn cells<'s>(&'s self, each: &mut dyn FnMut(Cell<'s>)) {
                $( each(ColumnValue::cell(&self.$field)); )+
            }
        }
    };
}

/// Declares [`SimResults`] with its tables, and the list of the tables (names and views) from
/// the same fields.
macro_rules! tables {
    (
        $(#[doc = $doc:expr])*
        pub struct SimResults {
            $(#[doc = $idoc:expr])*
            pub info: RunInfo,
            $( $(#[doc = $tdoc:expr])* pub $table:ident: Vec<$row:ty>, )+
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
        pub struct SimResults {
            $(#[doc = $idoc])*
            pub info: RunInfo,
            $( $(#[doc = $tdoc])* pub $table: Vec<$row>, )+
        }

        impl SimResults {
            /// The names of the tables, in the order they are written.
            pub const TABLES: [&'static str; [$(stringify!($table)),+].len()] =
                [$(stringify!($table)),+];

            /// Every table, in the order of [`SimResults::TABLES`].
            ///
            /// ```
            /// # let results = offramp::sim::SimResults::empty_for_docs();
            /// let names: Vec<&str> = results.tables().iter().map(|t| t.name()).collect();
            /// assert_eq!(names, offramp::sim::SimResults::TABLES);
            /// ```
            pub fn tables(&self) -> [Table<'_>; SimResults::TABLES.len()] {
                [$(Table::new(stringify!($table), &self.$table)),+]
            }
        }
    };
}

vocabulary! {
    /// Which arm of the comparison a row belongs to.
    pub enum Arm: "arm" {
        /// With the deflection program, routed by the real router.
        Program = "program",
        /// The same population and arrivals with no deflection program.
        Counterfactual = "counterfactual",
    }
}

vocabulary! {
    /// A stage of the referral funnel, counted per encounter.
    pub enum Stage: "stage" {
        /// Every encounter.
        Encounter = "encounter",
        /// A pathway applied (for a pathway's rows: this pathway, at any rank).
        Eligible = "eligible",
        /// The responder offered the first-ranked pathway.
        Offered = "offered",
        /// The person accepted.
        Accepted = "accepted",
        /// The person started a service (intake).
        Linked = "linked",
        /// Still in the service, or finished it, 30 days after intake.
        Retained30 = "retained_30",
        /// Still in the service, or finished it, 90 days after intake (a share of those
        /// retained at 30 days).
        Retained90 = "retained_90",
        /// Booked into jail (arrest, or held charges filed); for equity rows only.
        Booked = "booked",
    }
}

impl Stage {
    /// The funnel stages in order, each a subset of the one before: an encounter counted at
    /// a stage is counted at every earlier one. (Completion is not a stage: it is reported
    /// beside retention, in the referrals table and the outcomes.)
    pub const FUNNEL: [Stage; 7] = [
        Stage::Encounter,
        Stage::Eligible,
        Stage::Offered,
        Stage::Accepted,
        Stage::Linked,
        Stage::Retained30,
        Stage::Retained90,
    ];
}

row! {
    /// One stage of the funnel for one pathway (or `all`).
    pub struct FunnelRow {
        /// The replication, from 0.
        pub replication: u32,
        /// A pathway's name, or `all`.
        pub pathway: String,
        /// The stage.
        pub stage: Stage,
        /// Encounters that reached the stage.
        pub count: u64,
        /// The share of the previous stage that reached this one.
        pub rate_from_previous: Option<f64>,
        /// The share of all encounters.
        pub rate_from_encounter: Option<f64>,
    }
}

row! {
    /// Time from the encounter to intake, for one pathway (or `all`).
    pub struct IntakeTimeRow {
        /// The replication.
        pub replication: u32,
        /// A pathway's name, or `all`.
        pub pathway: String,
        /// Intakes counted.
        pub intakes: u64,
        /// Mean hours.
        pub mean_hours: Option<f64>,
        /// Median hours.
        pub median_hours: Option<f64>,
        /// 90th percentile, hours.
        pub p90_hours: Option<f64>,
        /// Longest, hours.
        pub max_hours: Option<f64>,
        /// Mean km from the encounter's place (with `[places]`, the person's home) to the
        /// service, over the intakes whose distance is known.
        pub mean_km: Option<f64>,
        /// Median km to the service.
        pub median_km: Option<f64>,
        /// 90th percentile, km to the service.
        pub p90_km: Option<f64>,
    }
}

row! {
    /// What became of accepted offers, for one pathway (or `all`): where demand went unmet.
    pub struct ReferralRow {
        /// The replication.
        pub replication: u32,
        /// A pathway's name, or `all`.
        pub pathway: String,
        /// Offers accepted.
        pub accepted: u64,
        /// Accepted, but did not engage after the hand-off.
        pub did_not_engage: u64,
        /// Accepted while already waiting for or in a service (no new referral).
        pub already_referred: u64,
        /// Referrals made to a service.
        pub referred: u64,
        /// Referrals that reached intake.
        pub linked: u64,
        /// Intakes whose episode is finished rather than left early (drawn at intake, so an
        /// episode running past the span counts when it would finish).
        pub completed: u64,
        /// Lost: no partner service fits this person (a provider gap).
        pub lost_no_provider: u64,
        /// Lost: every fitting service was full with no room on its waitlist.
        pub lost_full: u64,
        /// Lost: waited longer than the service's maximum wait.
        pub lost_waiting: u64,
        /// Lost: every fitting service was closed for longer than the maximum wait.
        pub lost_closed: u64,
        /// Still waiting when the span ended.
        pub waiting_at_end: u64,
    }
}

row! {
    /// One service over the whole span.
    pub struct ProviderRow {
        /// The replication.
        pub replication: u32,
        /// The service id.
        pub provider_id: String,
        /// The service's name.
        pub provider: String,
        /// Places (absent: no limit).
        pub capacity: Option<u32>,
        /// Referrals that chose it first.
        pub referrals: u64,
        /// Intakes.
        pub intakes: u64,
        /// Referrals that joined its waitlist.
        pub waitlisted: u64,
        /// Referrals lost at it (full, waited too long, or closed too long): unmet demand.
        pub lost: u64,
        /// Mean places in use.
        pub mean_occupied: f64,
        /// Mean places in use over places (absent when there is no limit).
        pub utilisation: Option<f64>,
        /// People waiting when the span ended.
        pub waiting_at_end: u64,
    }
}

row! {
    /// One service over one period.
    pub struct ProviderPeriodRow {
        /// The replication.
        pub replication: u32,
        /// The service id.
        pub provider_id: String,
        /// The period, from 0.
        pub period: u32,
        /// The period's first day.
        pub start: NaiveDate,
        /// Places (absent: no limit).
        pub capacity: Option<u32>,
        /// Mean places in use.
        pub mean_occupied: f64,
        /// Mean places in use over places.
        pub utilisation: Option<f64>,
        /// Referrals that chose it first.
        pub referrals: u64,
        /// Intakes.
        pub intakes: u64,
        /// Referrals lost at it.
        pub lost: u64,
    }
}

row! {
    /// How many times people reached one intercept of the Sequential Intercept Model.
    pub struct InterceptRow {
        /// The replication.
        pub replication: u32,
        /// The arm.
        pub arm: Arm,
        /// The intercept, 0 to 5.
        pub intercept: u8,
        /// Its name.
        pub name: String,
        /// Encounters at intercepts 0 and 1; bookings at 2; jail admissions at 3.
        pub count: u64,
    }
}

row! {
    /// Outcomes over one period, for one arm.
    #[derive(Default)]
    pub struct TimelineRow {
        /// The replication.
        pub replication: u32,
        /// The arm.
        pub arm: Option<Arm>,
        /// The period, from 0.
        pub period: u32,
        /// The period's first day.
        pub start: Option<NaiveDate>,
        /// Encounters.
        pub encounters: u64,
        /// Encounters where a pathway applied.
        pub eligible: u64,
        /// Offers made.
        pub offered: u64,
        /// Offers accepted.
        pub accepted: u64,
        /// Intakes.
        pub linked: u64,
        /// Accepted offers with nothing chargeable.
        pub deflections: u64,
        /// Accepted offers in place of an arrest.
        pub diversions: u64,
        /// Arrests with booking.
        pub arrests: u64,
        /// Held charges that were filed (each is also a booking).
        pub charges_filed: u64,
        /// Bookings (arrests and filed charges).
        pub bookings: u64,
        /// Jail admissions.
        pub jail_admissions: u64,
        /// Jail bed-days spent in the period.
        pub jail_bed_days: f64,
        /// Overdoses.
        pub overdoses: u64,
        /// Fatal overdoses.
        pub overdose_deaths: u64,
        /// Charge holds started.
        pub holds_started: u64,
        /// Charge holds that ended with charges dropped.
        pub holds_dropped: u64,
        /// Post-overdose follow-up attempts.
        pub follow_up_attempts: u64,
        /// Follow-up attempts that reached the person.
        pub follow_up_contacts: u64,
        /// Officer hours.
        pub officer_hours: f64,
        /// People in a service at the period's end.
        pub in_service: u64,
        /// People waiting for a service at the period's end.
        pub waiting: u64,
    }
}

row! {
    /// One cost item, with and without the program.
    pub struct CostRow {
        /// The replication.
        pub replication: u32,
        /// `booking`, `jail_day`, `treatment_episode`, `officer_hour` or `total`.
        pub item: String,
        /// Unit cost (absent for the total).
        pub unit_cost: Option<f64>,
        /// Units with the program.
        pub quantity_program: Option<f64>,
        /// Units without it.
        pub quantity_counterfactual: Option<f64>,
        /// Cost with the program.
        pub cost_program: f64,
        /// Cost without it.
        pub cost_counterfactual: f64,
        /// Program minus counterfactual: negative when the program saves.
        pub difference: f64,
    }
}

row! {
    /// One outcome measure, with and without the program.
    pub struct OutcomeRow {
        /// The replication.
        pub replication: u32,
        /// The measure: `encounters`, `arrests`, `bookings`, `jail_bed_days`, `overdoses`...
        pub measure: String,
        /// With the program.
        pub program: f64,
        /// Without it.
        pub counterfactual: f64,
        /// Program minus counterfactual: what the program changed (negative when it lowers
        /// the measure, positive when it adds to it, as for deflections).
        pub difference: f64,
    }
}

row! {
    /// One stage for one group: the relative rate index against the reference group, with the
    /// absolute difference beside it.
    pub struct EquityRow {
        /// The replication.
        pub replication: u32,
        /// The arm.
        pub arm: Arm,
        /// The group.
        pub group: String,
        /// The stage.
        pub stage: Stage,
        /// Encounters of this group at the stage.
        pub count: u64,
        /// The base of the rate: the group's population for `encounter` (rate per 1,000 people),
        /// the previous stage's count otherwise (encounters for `booked`).
        pub base: f64,
        /// count / base (per 1,000 for `encounter`).
        pub rate: Option<f64>,
        /// The reference group's rate.
        pub reference_rate: Option<f64>,
        /// rate / reference rate.
        pub relative_rate_index: Option<f64>,
        /// rate minus reference rate.
        pub difference: Option<f64>,
    }
}

row! {
    /// One measure summarised over replications: the mean per replication of each arm and of
    /// the difference, each with its 95% confidence interval (Student's t over the
    /// replications; absent with a single replication).
    pub struct SummaryRow {
        /// The measure (as in the outcomes table).
        pub measure: String,
        /// Replications.
        pub replications: u32,
        /// Mean with the program.
        pub program: f64,
        /// Lower end of its 95% interval.
        pub program_low: Option<f64>,
        /// Upper end of its 95% interval.
        pub program_high: Option<f64>,
        /// Mean without it.
        pub counterfactual: f64,
        /// Lower end of its 95% interval.
        pub counterfactual_low: Option<f64>,
        /// Upper end of its 95% interval.
        pub counterfactual_high: Option<f64>,
        /// Mean of program minus counterfactual.
        pub difference: f64,
        /// Lower end of its 95% interval.
        pub difference_low: Option<f64>,
        /// Upper end of its 95% interval.
        pub difference_high: Option<f64>,
    }
}

row! {
    /// An effect on the people a program reached, measured on the same people in both arms.
    pub struct EffectRow {
        /// The replication.
        pub replication: u32,
        /// `rearrest_180d`: arrested again within 180 days of first accepting an offer (for
        /// people whose first acceptance falls in the counted span at least 180 days before
        /// its end); the counterfactual is the same people over the same days without the
        /// program.
        pub effect: String,
        /// People followed.
        pub people: u64,
        /// The share with the outcome, with the program.
        pub program: Option<f64>,
        /// The share with the outcome, without it.
        pub counterfactual: Option<f64>,
        /// The odds with the program over the odds without it.
        pub odds_ratio: Option<f64>,
    }
}

/// What was run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunInfo {
    /// The scenario's name.
    pub scenario: String,
    /// The program's id.
    pub program_id: String,
    /// The program's content hash.
    pub program_hash: String,
    /// Whether a provider directory was used.
    pub directory: bool,
    /// Whether encounters were replayed rather than generated.
    pub replay: bool,
    /// The seed.
    pub seed: u64,
    /// Replications.
    pub replications: u32,
    /// The first day.
    pub start: NaiveDate,
    /// Days counted (the warm-up not included).
    pub days: u32,
    /// Days simulated before `start` and left out of every table.
    pub warm_up_days: u32,
    /// People at risk.
    pub population: u32,
    /// Person-years simulated per replication (population times days over 365.25).
    pub person_years: f64,
    /// Encounters with the program, over all replications.
    pub encounters: u64,
    /// Events processed over all replications and both arms.
    pub events: u64,
    /// Replayed encounters outside the span, skipped.
    pub replay_skipped: u64,
    /// The offramp version.
    pub offramp_version: String,
}

tables! {
    /// Every table of a run.
    pub struct SimResults {
        /// What was run.
        pub info: RunInfo,
        /// The funnel per stage and pathway.
        pub funnel: Vec<FunnelRow>,
        /// Time from encounter to intake.
        pub time_to_intake: Vec<IntakeTimeRow>,
        /// What became of accepted offers (unmet demand by pathway).
        pub referrals: Vec<ReferralRow>,
        /// Provider utilisation and unmet demand over the span.
        pub providers: Vec<ProviderRow>,
        /// Provider utilisation per period.
        pub provider_periods: Vec<ProviderPeriodRow>,
        /// The distribution over intercepts.
        pub intercepts: Vec<InterceptRow>,
        /// Outcomes over time.
        pub timeline: Vec<TimelineRow>,
        /// Costs with and without the program.
        pub costs: Vec<CostRow>,
        /// Outcomes with and without the program.
        pub outcomes: Vec<OutcomeRow>,
        /// Relative rate indices by group and stage.
        pub equity: Vec<EquityRow>,
        /// Effects on the people the program reached (re-arrest).
        pub effects: Vec<EffectRow>,
        /// Outcomes summarised over replications.
        pub summary: Vec<SummaryRow>,
    }
}

vocabulary! {
    /// The file format of written tables.
    pub enum TableFormat: "table format" {
        /// One CSV file per table, with a header row.
        Csv = "csv",
        /// One JSON file per table: an array of row objects.
        Json = "json",
    }
}

impl SimResults {
    /// Writes every table into `dir` (created when missing) as `<table>.csv` or `.json`,
    /// `run.json` with what was run and `report.txt` (the [`report`](SimResults::report)).
    /// Returns the files written.
    ///
    /// ```no_run
    /// # fn demo(results: offramp::sim::SimResults) -> Result<(), offramp::sim::SimError> {
    /// let files = results.write("out", offramp::sim::TableFormat::Csv)?;
    /// assert!(files.iter().any(|f| f.ends_with("funnel.csv")));
    /// # Ok(()) }
    /// ```
    pub fn write(
        &self,
        dir: impl AsRef<Path>,
        format: TableFormat,
    ) -> Result<Vec<PathBuf>, SimError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|e| SimError::Output {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?;
        let mut written = Vec::with_capacity(Self::TABLES.len().saturating_add(1));
        for table in self.tables() {
            written.push(write_table(dir, table, format)?);
        }
        written.push(self.write_info(dir)?);
        written.push(self.write_report(dir)?);
        Ok(written)
    }

    /// Writes `report.txt` (the [`report`](SimResults::report)) into a folder that exists;
    /// returns its path.
    pub fn write_report(&self, dir: impl AsRef<Path>) -> Result<PathBuf, SimError> {
        let path = dir.as_ref().join("report.txt");
        std::fs::write(&path, self.report()).map_err(|e| SimError::Output {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(path)
    }

    /// Writes `run.json` (the run's [`RunInfo`]) into a folder that exists; returns its path.
    pub fn write_info(&self, dir: impl AsRef<Path>) -> Result<PathBuf, SimError> {
        let info = dir.as_ref().join("run.json");
        let text = serde_json::to_string_pretty(&self.info).map_err(|e| SimError::Output {
            path: info.display().to_string(),
            message: e.to_string(),
        })?;
        std::fs::write(&info, text + "\n").map_err(|e| SimError::Output {
            path: info.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(info)
    }

    /// One table by name (one of [`SimResults::TABLES`]).
    ///
    /// ```
    /// # let results = offramp::sim::SimResults::empty_for_docs();
    /// assert_eq!(results.table("timeline").unwrap().columns()[0].name, "replication");
    /// assert!(results.table("nonsense").is_none());
    /// ```
    pub fn table(&self, name: &str) -> Option<Table<'_>> {
        self.tables().into_iter().find(|t| t.name() == name)
    }

    /// One table as CSV text, by name (one of [`SimResults::TABLES`]): a header row of its
    /// columns, also when it has no rows, then one record per row.
    ///
    /// ```
    /// # use offramp::sim::*;
    /// # let results = SimResults::empty_for_docs();
    /// assert!(results.table_csv("funnel").is_ok());
    /// assert!(results.table_csv("nonsense").is_err());
    /// ```
    pub fn table_csv(&self, name: &str) -> Result<String, SimError> {
        match self.table(name) {
            Some(t) => t.to_csv(),
            None => Err(SimError::Output {
                path: "<table>".into(),
                message: format!("no such table; expected one of {}", Self::TABLES.join(", ")),
            }),
        }
    }

    /// Results with no rows, for documentation examples.
    #[doc(hidden)]
    pub fn empty_for_docs() -> SimResults {
        SimResults {
            info: RunInfo {
                scenario: String::new(),
                program_id: String::new(),
                program_hash: String::new(),
                directory: false,
                replay: false,
                seed: 0,
                replications: 0,
                start: NaiveDate::MIN,
                days: 0,
                warm_up_days: 0,
                population: 0,
                person_years: 0.0,
                encounters: 0,
                events: 0,
                replay_skipped: 0,
                offramp_version: String::new(),
            },
            funnel: Vec::new(),
            time_to_intake: Vec::new(),
            referrals: Vec::new(),
            providers: Vec::new(),
            provider_periods: Vec::new(),
            intercepts: Vec::new(),
            timeline: Vec::new(),
            costs: Vec::new(),
            outcomes: Vec::new(),
            equity: Vec::new(),
            effects: Vec::new(),
            summary: Vec::new(),
        }
    }
}

fn write_table(dir: &Path, table: Table<'_>, format: TableFormat) -> Result<PathBuf, SimError> {
    let path = dir.join(format!("{}.{}", table.name(), format.as_str()));
    let failed = |message: String| SimError::Output {
        path: path.display().to_string(),
        message,
    };
    let file = std::fs::File::create(&path).map_err(|e| failed(e.to_string()))?;
    let mut out = std::io::BufWriter::new(file);
    let written = match format {
        TableFormat::Csv => table.write_csv(&mut out),
        TableFormat::Json => table.write_json(&mut out),
    };
    written.map_err(|e| match e {
        SimError::Output { message, .. } => failed(message),
        other => other,
    })?;
    std::io::Write::flush(&mut out).map_err(|e| failed(e.to_string()))?;
    Ok(path)
}
