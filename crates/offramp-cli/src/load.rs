//! Loading what the subcommands share: programs, provider directories and routers, and the
//! flags that choose them.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Local};
use offramp::providers::taxonomy::TaxonomyMap;
use offramp::providers::{Directory, LoadOptions, LoadSetting};
use offramp::{Program, Router};

use crate::error::CliError;
use crate::words::count;

/// At most this many directory warnings are printed by `route` and `explain`; `offramp
/// providers check` prints them all.
const WARNINGS_SHOWN: usize = 20;

/// The flags that name a provider directory and how to read it.
#[derive(clap::Args, Debug, Clone)]
pub struct DirectoryArgs {
    /// The directory.
    pub path: PathBuf,
    /// IANA time zone of schedules that give only a UTC offset.
    #[arg(long, value_parser = parse_timezone)]
    pub timezone: Option<chrono_tz::Tz>,
    /// A taxonomy mapping file (TOML) instead of the default.
    #[arg(long)]
    pub taxonomy: Option<PathBuf>,
}

impl DirectoryArgs {
    /// Loads the directory the flags name.
    pub fn load(&self) -> Result<Directory, CliError> {
        load_directory(
            &self.path,
            self.timezone.map(|tz| tz.name().to_string()),
            self.taxonomy.as_deref(),
        )
    }
}

/// How `offramp providers` names a setting a directory warning points to.
pub fn option_name(setting: LoadSetting) -> &'static str {
    match setting {
        LoadSetting::Timezone => "--timezone",
    }
}

/// Reads `--timezone`: an IANA time zone name such as `America/Chicago`.
fn parse_timezone(text: &str) -> Result<chrono_tz::Tz, String> {
    text.trim()
        .parse()
        .map_err(|_| "expected an IANA time zone such as America/Chicago".to_string())
}

/// Reads a time flag (`--at`): `now`, in this machine's offset from UTC, or an RFC 3339 time
/// with its offset. Every flag that takes a time reads it here.
pub fn parse_time(text: &str) -> Result<DateTime<FixedOffset>, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("now") {
        return Ok(Local::now().fixed_offset());
    }
    DateTime::parse_from_rfc3339(text)
        .map_err(|_| "expected `now` or an RFC 3339 time such as 2026-03-02T22:30:00-06:00".into())
}

/// Loads a provider directory, with the time zone for its bare UTC offsets and a taxonomy
/// mapping file in place of the default.
pub fn load_directory(
    path: &Path,
    timezone: Option<String>,
    taxonomy: Option<&Path>,
) -> Result<Directory, CliError> {
    let mut options = LoadOptions {
        timezone,
        ..LoadOptions::default()
    };
    if let Some(t) = taxonomy {
        options.taxonomy = TaxonomyMap::from_file(t)?;
    }
    Ok(Directory::from_file_with(path, &options)?)
}

/// A router for a program file and, when given, a provider directory read in the program's
/// time zone. The directory's first warnings go to standard error.
pub fn make_router(program: &Path, providers: Option<&Path>) -> Result<Router, CliError> {
    let program = Program::from_file(program).map_err(|source| CliError::Program {
        path: program.to_path_buf(),
        source,
    })?;
    let Some(path) = providers else {
        return Ok(Router::new(program));
    };
    let tz = program.spec().program.timezone.clone();
    let dir = load_directory(path, Some(tz), None)?;
    let mut err = io::stderr().lock();
    // The directory is read in the program's time zone: that is the setting to change here.
    let setting_name = |setting| match setting {
        LoadSetting::Timezone => "the program's `timezone`",
    };
    for w in dir.warnings().iter().take(WARNINGS_SHOWN) {
        let _ = writeln!(err, "warning: {}", w.render(setting_name));
    }
    if dir.warnings().len() > WARNINGS_SHOWN {
        let _ = writeln!(
            err,
            "{}: {} more (see `offramp providers check`)",
            path.display(),
            count(dir.warnings().len() - WARNINGS_SHOWN, "warning")
        );
    }
    Ok(Router::with_directory(program, &dir)?)
}
