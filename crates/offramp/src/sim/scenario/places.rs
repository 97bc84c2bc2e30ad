//! The `[places]` table: where simulated people live, and how the distance to a service
//! lowers the chance that they engage with it. Also the reader of an areas file (CSV).

use super::*;

/// The default distance decay: engagement halves every 17 km of travel from home to the
/// service (0.67 at 10 km). An assumption shaped by two published findings on treatment
/// completion (Beardsley et al. 2003; Alibrahim et al. 2022), documented with them in
/// `docs/simulation.md`.
pub const DEFAULT_HALF_KM: f64 = 17.0;

/// The most points a decay table may have (1,000).
pub const MAX_DECAY_POINTS: usize = 1_000;

/// The `[places]` table: every simulated person gets a home, drawn once per person, either
/// uniformly over a disc (`center` and `radius_km`) or in one of a list of areas chosen in
/// proportion to its population (`areas`, with an optional `radius_km` of jitter around each
/// area's centroid). A generated encounter happens at the person's home, so partners are
/// ranked by the distance from it; engagement after the hand-off is multiplied by `decay` of
/// the distance to the service the person is sent to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Places {
    /// The centre of the disc people live on (with `radius_km`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center: Option<crate::domain::Location>,
    /// The disc's radius in km (with `center`); with `areas`, how far from its centroid a home
    /// may lie, uniformly over a disc of this radius (absent: at the centroid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius_km: Option<f64>,
    /// Areas with their population and centroid (census tracts, say): a CSV file with the
    /// columns `id,population,lat,lon` (path relative to the scenario file), or the list
    /// itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub areas: Option<Areas>,
    /// How the probability of engaging falls with the distance to the service.
    #[serde(default)]
    pub decay: Decay,
}

/// The areas people live in: a file, or a list written in the scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Areas {
    /// A CSV file with a header row and the columns `id,population,lat,lon` (others are
    /// ignored), relative to the scenario file.
    File(PathBuf),
    /// The areas themselves (`[[places.areas]]`).
    List(Vec<Area>),
}

/// One area: its population and centroid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// A name for the area (a census tract's GEOID, say).
    pub id: String,
    /// People living there (any non-negative weight).
    pub population: f64,
    /// The centroid's latitude in degrees.
    pub lat: f64,
    /// The centroid's longitude in degrees.
    pub lon: f64,
}

/// How the probability of engaging falls with the distance from home to the service: give
/// one of `half_km` (exponential: halves every `half_km` km) or `points` (`[km, multiplier]`
/// pairs, linearly interpolated, the first multiplier before the first point and the last
/// after the last). `points = [[0, 1.0]]` turns decay off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decay {
    /// The distance, in km, over which engagement halves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_km: Option<f64>,
    /// `[km, multiplier]` points in increasing km, multipliers from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Vec<[f64; 2]>>,
}

impl Default for Decay {
    fn default() -> Self {
        Decay {
            half_km: Some(DEFAULT_HALF_KM),
            points: None,
        }
    }
}

impl Decay {
    /// The multiplier on engagement at `km` from home (1 for an unknown distance).
    ///
    /// ```
    /// use offramp::sim::Decay;
    /// let d = Decay { half_km: Some(10.0), points: None };
    /// assert!((d.multiplier(Some(20.0)) - 0.25).abs() < 1e-12);
    /// let t = Decay { half_km: None, points: Some(vec![[0.0, 1.0], [10.0, 0.5]]) };
    /// assert_eq!((t.multiplier(Some(5.0)), t.multiplier(Some(50.0)), t.multiplier(None)), (0.75, 0.5, 1.0));
    /// ```
    pub fn multiplier(&self, km: Option<f64>) -> f64 {
        let Some(km) = km.filter(|k| k.is_finite()) else {
            return 1.0;
        };
        let km = km.max(0.0);
        if let Some(points) = &self.points {
            return interpolate(points, km).clamp(0.0, 1.0);
        }
        match self.half_km {
            Some(h) if h > 0.0 => (-std::f64::consts::LN_2 * km / h).exp(),
            _ => 1.0,
        }
    }
}

/// Linear interpolation in a table of `[x, y]` points in increasing x.
fn interpolate(points: &[[f64; 2]], x: f64) -> f64 {
    let mut before: Option<[f64; 2]> = None;
    for p in points {
        let [px, py] = *p;
        if x <= px {
            return match before {
                Some([bx, by]) if px > bx => by + (py - by) * (x - bx) / (px - bx),
                _ => py,
            };
        }
        before = Some(*p);
    }
    before.map_or(1.0, |[_, y]| y)
}

impl Places {
    /// Checks the table (the areas of a file are checked when the file is read).
    pub(super) fn check(&self, v: &mut Validator<'_>) {
        match (&self.center, &self.areas) {
            (Some(_), Some(_)) => v.fail("places.areas", "cannot be given with places.center"),
            (None, None) => v.fail(
                "places",
                "must give either center (with radius_km) or areas",
            ),
            (Some(c), None) => {
                check_location(v, "places.center", c.lat, c.lon);
                match self.radius_km {
                    Some(r) => v.range_f("places.radius_km", r, 0.0, 2_000.0),
                    None => v.fail("places.radius_km", "must be given with places.center"),
                }
            }
            (None, Some(areas)) => {
                if let Some(r) = self.radius_km {
                    v.range_f("places.radius_km", r, 0.0, 2_000.0);
                }
                match areas {
                    Areas::File(p) if p.as_os_str().is_empty() => {
                        v.fail("places.areas", "must name the areas file");
                    }
                    Areas::File(_) => {}
                    Areas::List(list) => {
                        for (i, a) in list.iter().enumerate() {
                            let at = format!("places.areas[{i}]");
                            check_location(v, &at, a.lat, a.lon);
                            if !(a.population.is_finite() && a.population >= 0.0) {
                                v.fail(
                                    &format!("{at}.population"),
                                    "must be a number of at least 0",
                                );
                            }
                        }
                        if !list.iter().any(|a| a.population > 0.0) {
                            v.fail("places.areas", "must give some area a population above 0");
                        }
                    }
                }
            }
        }
        let d = &self.decay;
        match (d.half_km, &d.points) {
            (Some(_), Some(_)) => v.fail("places.decay", "must give half_km or points, not both"),
            (None, None) => v.fail("places.decay", "must give half_km or points"),
            (Some(h), None) => {
                if !(h.is_finite() && h > 0.0 && h <= 100_000.0) {
                    v.fail(
                        "places.decay.half_km",
                        "must be a number above 0 and at most 100000",
                    );
                }
            }
            (None, Some(points)) => {
                if points.is_empty() || points.len() > MAX_DECAY_POINTS {
                    v.fail(
                        "places.decay.points",
                        &format!("must hold from 1 to {MAX_DECAY_POINTS} points"),
                    );
                }
                let mut last = f64::NEG_INFINITY;
                for (i, [km, m]) in points.iter().enumerate() {
                    if !(km.is_finite() && *km >= 0.0 && *km > last) {
                        v.fail(
                            &format!("places.decay.points[{i}]"),
                            "must have a distance of at least 0, above the point before",
                        );
                    }
                    if !(m.is_finite() && (0.0..=1.0).contains(m)) {
                        v.fail(
                            &format!("places.decay.points[{i}]"),
                            "must have a multiplier from 0 to 1",
                        );
                    }
                    last = *km;
                }
            }
        }
    }

    /// The number of areas listed in the scenario itself.
    pub(crate) fn listed(&self) -> usize {
        match &self.areas {
            Some(Areas::List(list)) => list.len(),
            _ => 0,
        }
    }
}

fn check_location(v: &mut Validator<'_>, at: &str, lat: f64, lon: f64) {
    v.range_f(&format!("{at}.lat"), lat, -90.0, 90.0);
    v.range_f(&format!("{at}.lon"), lon, -180.0, 180.0);
}

/// Reads an areas file: CSV with a header row naming `id`, `population`, `lat` and `lon` (in
/// any order; other columns are ignored), at most [`MAX_SCENARIO_BYTES`] bytes and
/// [`MAX_SCENARIO_ENTRIES`] areas. A problem is reported with the file, the 1-based line and
/// the column's name, never the value.
pub(crate) fn read_areas(path: &Path) -> Result<Vec<Area>, ScenarioError> {
    let file = path.display().to_string();
    let bytes = match crate::source::read_capped(path, MAX_SCENARIO_BYTES) {
        Ok(Some(b)) => b,
        Ok(None) => {
            return Err(area_error(
                &file,
                1,
                "places.areas",
                &format!(
                    "is larger than {} MiB, the most an areas file may be",
                    MAX_SCENARIO_BYTES >> 20
                ),
            ));
        }
        Err(e) => {
            return Err(ScenarioError::Io {
                path: file,
                message: e.to_string(),
            });
        }
    };
    parse_areas(&bytes, &file)
}

/// An areas file's problem: `field` is the column's name.
fn area_error(file: &str, line: usize, field: &str, message: &str) -> ScenarioError {
    ScenarioError::Invalid {
        file: file.into(),
        line,
        column: 0,
        field: field.into(),
        message: message.into(),
        source_text: None,
    }
}

/// Reads the areas from a CSV file's bytes; `file` names it in errors.
pub(crate) fn parse_areas(bytes: &[u8], file: &str) -> Result<Vec<Area>, ScenarioError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let line_of = |e: &csv::Error, fallback: usize| {
        e.position()
            .and_then(|p| usize::try_from(p.line()).ok())
            .unwrap_or(fallback)
    };
    let bad_text = |e: &csv::Error| match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text".to_string(),
        csv::ErrorKind::UnequalLengths { .. } => {
            "has a row with a different number of fields from the header".to_string()
        }
        _ => "cannot be read as CSV".to_string(),
    };
    let headers = rdr
        .headers()
        .map_err(|e| area_error(file, line_of(&e, 1), "places.areas", &bad_text(&e)))?
        .clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                area_error(
                    file,
                    1,
                    name,
                    "is a column the areas file must have (header: id,population,lat,lon)",
                )
            })
    };
    let (id, population, lat, lon) = (find("id")?, find("population")?, find("lat")?, find("lon")?);
    let mut areas = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let fallback = areas.len().saturating_add(2);
        match rdr.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(area_error(
                    file,
                    line_of(&e, fallback),
                    "places.areas",
                    &bad_text(&e),
                ));
            }
        }
        let line = record
            .position()
            .and_then(|p| usize::try_from(p.line()).ok())
            .unwrap_or(fallback);
        if areas.len() >= MAX_SCENARIO_ENTRIES {
            return Err(area_error(
                file,
                line,
                "places.areas",
                &format!("has more than {MAX_SCENARIO_ENTRIES} areas, the most allowed"),
            ));
        }
        let cell = |i: usize| record.get(i).map(str::trim).unwrap_or("");
        let number = |i: usize, name: &str, lo: f64, hi: f64| {
            cell(i)
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= lo && *x <= hi)
                .ok_or_else(|| {
                    area_error(
                        file,
                        line,
                        name,
                        &format!("must be a number from {lo} to {hi}"),
                    )
                })
        };
        let area_id = cell(id);
        if area_id.is_empty() {
            return Err(area_error(file, line, "id", "must not be empty"));
        }
        areas.push(Area {
            id: area_id.to_string(),
            population: number(population, "population", 0.0, 1e12)?,
            lat: number(lat, "lat", -90.0, 90.0)?,
            lon: number(lon, "lon", -180.0, 180.0)?,
        });
    }
    if !areas.iter().any(|a| a.population > 0.0) {
        return Err(area_error(
            file,
            1,
            "population",
            "must be above 0 for some area",
        ));
    }
    Ok(areas)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_read_and_bad_values_placed_by_line_and_column() {
        let ok = parse_areas(
            b"id,population,lat,lon,name\na,100,47.6,-122.3,x\nb,0,47.5,-122.2,y\n",
            "a.csv",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].population, 0.0);
        let e = parse_areas(
            b"id,population,lat,lon\na,100,47.6,-122.3\nb,5,97.5,-122.2\n",
            "a.csv",
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("lat"));
        assert!(
            e.to_string().starts_with("a.csv:3: `lat` must be a number"),
            "{e}"
        );
        assert!(!e.to_string().contains("97.5"), "{e}");
        let e = parse_areas(b"id,pop,lat,lon\na,1,0,0\n", "a.csv").unwrap_err();
        assert_eq!(e.field(), Some("population"));
        assert!(e.to_string().starts_with("a.csv:1: "), "{e}");
        let e = parse_areas(b"id,population,lat,lon\na,1,0\n", "a.csv").unwrap_err();
        assert!(e.to_string().starts_with("a.csv:2: "), "{e}");
        let e = parse_areas(b"id,population,lat,lon\na,NaN,0,0\n", "a.csv").unwrap_err();
        assert_eq!(e.field(), Some("population"));
        let e = parse_areas(b"id,population,lat,lon\na,0,0,0\n", "a.csv").unwrap_err();
        assert!(e.to_string().contains("above 0 for some area"), "{e}");
        let mut big = String::from("id,population,lat,lon\n");
        for i in 0..=MAX_SCENARIO_ENTRIES {
            big.push_str(&format!("a{i},1,0,0\n"));
        }
        let e = parse_areas(big.as_bytes(), "a.csv").unwrap_err();
        assert!(e.to_string().contains("more than 10000 areas"), "{e}");
    }

    #[test]
    fn decay_tables_interpolate_and_hold_their_ends() {
        let pts = [[2.0, 0.8], [4.0, 0.4]];
        assert_eq!(interpolate(&pts, 0.0), 0.8);
        assert!((interpolate(&pts, 3.0) - 0.6).abs() < 1e-12);
        assert_eq!(interpolate(&pts, 9.0), 0.4);
        let d = Decay::default();
        assert!((d.multiplier(Some(DEFAULT_HALF_KM)) - 0.5).abs() < 1e-12);
        assert_eq!(d.multiplier(None), 1.0);
    }
}
