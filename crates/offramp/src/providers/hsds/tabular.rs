//! Reading an HSDS tabular data package (`datapackage.json` and CSV files).

use super::builder::{Builder, Limits};
use super::fields::strip_position;
use super::fields::{Indexed, Rec, Rows, SRC, Tables, get_text, short_value};
use super::{LoadOptions, Loaded};
use crate::providers::error::DirectoryError;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::path::{Component, Path};
use std::sync::Arc;

use crate::providers::MAX_DIRECTORY_BYTES;
use crate::source::read_capped;
/// The tables offramp reads, by file stem or datapackage resource name.
pub(super) fn table_name(name: &str) -> Option<&'static str> {
    let stem = name
        .trim()
        .trim_end_matches(".csv")
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_lowercase();
    Some(match stem.as_str() {
        "organizations" | "organization" => "organizations",
        "services" | "service" => "services",
        "locations" | "location" => "locations",
        "service_at_location" | "service_at_locations" => "service_at_location",
        "schedules" | "schedule" => "schedules",
        "languages" | "language" => "languages",
        "attributes" | "attribute" => "attributes",
        "taxonomy_terms" | "taxonomy_term" => "taxonomy_terms",
        "taxonomies" | "taxonomy" => "taxonomies",
        "service_capacity" | "service_capacities" | "capacities" => "service_capacity",
        "units" | "unit" => "units",
        _ => return None,
    })
}

/// Reads an HSDS tabular data package: `datapackage.json` in `dir` and the CSV files its
/// resources name (organizations, services, locations, service_at_location, schedules,
/// languages, attributes, taxonomy_terms, taxonomies; HSDS 3.1 service_capacity and units).
/// Other tables are not read. Errors name the CSV file and row (the header is row 1).
///
/// ```
/// use offramp::providers::hsds::{from_datapackage, LoadOptions};
/// let dir = std::env::temp_dir().join("offramp-doc-datapackage");
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("datapackage.json"), r#"{"resources": [
///   {"name": "service", "path": "services.csv"}, {"name": "organization", "path": "organizations.csv"}]}"#).unwrap();
/// std::fs::write(dir.join("organizations.csv"), "id,name\no1,Example Org\n").unwrap();
/// std::fs::write(dir.join("services.csv"), "id,organization_id,name,status\ns1,o1,Drop-in centre,active\ns1,o1,Again,active\n").unwrap();
/// let e = from_datapackage(&dir, &LoadOptions::default()).unwrap_err();
/// assert!(e.to_string().ends_with("services.csv: row 3: id: the id is already used by row 2"), "{e}");
/// ```
pub fn from_datapackage(dir: &Path, options: &LoadOptions) -> Result<Loaded, DirectoryError> {
    read_package(dir, options, Limits::DIRECTORY)
}

/// [`from_datapackage`] with the given count limits.
fn read_package(
    dir: &Path,
    options: &LoadOptions,
    limits: Limits,
) -> Result<Loaded, DirectoryError> {
    let dp_path = dir.join("datapackage.json");
    let dp_name = dp_path.display().to_string();
    // Every file of the package counts against one budget of MAX_DIRECTORY_BYTES.
    let mut budget = MAX_DIRECTORY_BYTES;
    let text = String::from_utf8(read_counted(&dp_path, &dp_name, &mut budget)?).map_err(|_| {
        DirectoryError::Io {
            file: dp_name.clone(),
            message: "stream did not contain valid UTF-8".into(),
        }
    })?;
    let dp: Value = serde_json::from_str(&text).map_err(|e| DirectoryError::Json {
        file: dp_name.clone(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
        source_text: Some(text.as_str().into()),
    })?;
    let mut files: Vec<(&'static str, String)> = Vec::new();
    match dp.get("resources") {
        Some(Value::Array(res)) => {
            for (i, r) in res.iter().enumerate() {
                let Value::Object(r) = r else { continue };
                let Some(path) = get_text(r, "path") else {
                    continue;
                };
                let name = get_text(r, "name").unwrap_or_else(|| path.clone());
                let Some(t) = table_name(&name).or_else(|| table_name(&path)) else {
                    continue;
                };
                let p = Path::new(&path);
                if p.is_absolute() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
                    return Err(DirectoryError::InvalidValue {
                        file: dp_name.clone(),
                        record: format!("resources[{i}]"),
                        field: "path".into(),
                        expected: "a relative path inside the package's folder".into(),
                        found: Some(short_value(&Value::String(path.clone())).into()),
                    });
                }
                if !files.iter().any(|(n, _)| *n == t) {
                    files.push((t, path));
                }
            }
        }
        _ => {
            for t in [
                "organizations",
                "services",
                "locations",
                "service_at_location",
                "schedules",
                "languages",
                "attributes",
                "taxonomy_terms",
                "taxonomies",
                "service_capacity",
                "units",
            ] {
                if dir.join(format!("{t}.csv")).exists() {
                    files.push((t, format!("{t}.csv")));
                }
            }
        }
    }
    let mut tables = HashMap::new();
    for (t, rel) in files {
        let path = dir.join(&rel);
        let name = path.display().to_string();
        if !path.exists() {
            if t == "services" {
                return Err(DirectoryError::Io {
                    file: name,
                    message: "the services table named in datapackage.json is missing".into(),
                });
            }
            continue;
        }
        let bytes = read_counted(&path, &name, &mut budget)?;
        tables.insert(t, read_csv_bytes(&bytes, &name)?);
    }
    let mut b = Builder::new(&dp_name, options)?;
    b.limits = limits;
    tabular(&mut b, tables)?;
    Ok(b.finish())
}

/// Reads a file of a data package, at most `budget` bytes of it, and takes what it read from
/// the budget; a file that does not fit is refused, naming it, without being read whole.
fn read_counted(path: &Path, name: &str, budget: &mut usize) -> Result<Vec<u8>, DirectoryError> {
    match read_capped(path, *budget) {
        Ok(Some(bytes)) => {
            *budget = budget.saturating_sub(bytes.len());
            Ok(bytes)
        }
        Ok(None) => Err(DirectoryError::text_too_large(name)),
        Err(e) => Err(DirectoryError::Io {
            file: name.into(),
            message: e.to_string(),
        }),
    }
}

/// Reads one CSV table (a file's bytes) into rows; `name` names the file in errors.
pub(super) fn read_csv_bytes(bytes: &[u8], name: &str) -> Result<Rows, DirectoryError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let csv_err = |e: csv::Error, fallback: u64| {
        let row = e
            .position()
            .map_or(fallback, |p| p.record().saturating_add(1));
        let message = match e.kind() {
            csv::ErrorKind::Utf8 { .. } => "the text is not UTF-8".to_string(),
            _ => strip_position(&e.to_string()),
        };
        DirectoryError::Csv {
            file: name.into(),
            row,
            message,
        }
    };
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| csv_err(e, 1))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut out = Vec::new();
    for (i, r) in rdr.records().enumerate() {
        let row = (i as u64).saturating_add(2);
        let r = r.map_err(|e| csv_err(e, row))?;
        let rec = Rec {
            file: name.into(),
            record: format!("row {row}"),
        };
        let mut m = Map::new();
        for (h, v) in headers.iter().zip(r.iter()) {
            if !v.trim().is_empty() && !h.is_empty() {
                m.insert(h.clone(), Value::String(v.to_string()));
            }
        }
        out.push((rec, m));
    }
    Ok(out)
}

/// Assembles tabular rows into nested HSDS objects and reads them.
pub(super) fn tabular(b: &mut Builder<'_>, mut tables: Tables) -> Result<(), DirectoryError> {
    let mut take = |t: &str| tables.remove(t).unwrap_or_default();
    let with_src = |rec: &Rec, mut m: Map<String, Value>| {
        m.insert(SRC.into(), json!({"file": rec.file, "record": rec.record}));
        m
    };
    // Index a table by id, refusing duplicates and missing ids.
    fn index(rows: Rows, what: &str) -> Result<(Vec<String>, Indexed), DirectoryError> {
        let mut order = Vec::new();
        let mut map: HashMap<String, (Rec, Map<String, Value>)> = HashMap::new();
        for (rec, m) in rows {
            let id = get_text(&m, "id")
                .ok_or_else(|| rec.missing("id", &format!("every {what} needs an id")))?;
            if let Some((first, _)) = map.get(&id) {
                return Err(rec.duplicate("id", first));
            }
            order.push(id.clone());
            map.insert(id, (rec, m));
        }
        Ok((order, map))
    }
    let (org_order, orgs) = index(take("organizations"), "organization")?;
    let (_, taxonomies) = index(take("taxonomies"), "taxonomy")?;
    let (_, mut terms) = index(take("taxonomy_terms"), "taxonomy term")?;
    let (_, units) = index(take("units"), "unit")?;
    let (_, mut locations) = index(take("locations"), "location")?;
    let (svc_order, mut services) = index(take("services"), "service")?;
    let (sal_order, mut sals) = index(take("service_at_location"), "service_at_location")?;
    for (_, (_, t)) in terms.iter_mut() {
        if let Some(tid) = get_text(t, "taxonomy_id")
            && let Some((_, tx)) = taxonomies.get(&tid)
        {
            let mut d = Map::new();
            if let Some(n) = get_text(tx, "name") {
                d.insert("name".into(), Value::String(n));
            }
            if let Some(u) = get_text(tx, "uri") {
                d.insert("uri".into(), Value::String(u));
            }
            t.insert("taxonomy_detail".into(), Value::Object(d));
        }
    }
    let push = |m: &mut Map<String, Value>, key: &str, v: Value| {
        if let Value::Array(a) = m
            .entry(key.to_string())
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            a.push(v);
        }
    };
    for (rec, sal) in sals.values() {
        let sid = get_text(sal, "service_id")
            .ok_or_else(|| rec.missing("service_id", "a service_at_location names its service"))?;
        if !services.contains_key(&sid) {
            return Err(rec.unknown("service_id", "service", &sid));
        }
        let lid = get_text(sal, "location_id").ok_or_else(|| {
            rec.missing("location_id", "a service_at_location names its location")
        })?;
        if !locations.contains_key(&lid) {
            return Err(rec.unknown("location_id", "location", &lid));
        }
    }
    for (rec, l) in take("languages") {
        let v = Value::Object(with_src(&rec, l.clone()));
        if let Some(sid) = get_text(&l, "service_id") {
            let (_, s) = services
                .get_mut(&sid)
                .ok_or_else(|| rec.unknown("service_id", "service", &sid))?;
            push(s, "languages", v.clone());
        }
        if let Some(lid) = get_text(&l, "location_id") {
            let (_, loc) = locations
                .get_mut(&lid)
                .ok_or_else(|| rec.unknown("location_id", "location", &lid))?;
            push(loc, "languages", v.clone());
        }
    }
    for (rec, s) in take("schedules") {
        let v = Value::Object(with_src(&rec, s.clone()));
        if let Some(id) = get_text(&s, "service_id") {
            let (_, t) = services
                .get_mut(&id)
                .ok_or_else(|| rec.unknown("service_id", "service", &id))?;
            push(t, "schedules", v.clone());
        }
        if let Some(id) = get_text(&s, "location_id") {
            let (_, t) = locations
                .get_mut(&id)
                .ok_or_else(|| rec.unknown("location_id", "location", &id))?;
            push(t, "schedules", v.clone());
        }
        if let Some(id) = get_text(&s, "service_at_location_id") {
            let (_, t) = sals
                .get_mut(&id)
                .ok_or_else(|| rec.unknown("service_at_location_id", "service_at_location", &id))?;
            push(t, "schedules", v.clone());
        }
    }
    for (rec, a) in take("attributes") {
        let Some(link) = get_text(&a, "link_id") else {
            continue;
        };
        let entity = get_text(&a, "link_entity")
            .unwrap_or_default()
            .to_lowercase();
        let Some((_, svc)) = services.get_mut(&link) else {
            if entity == "service" {
                return Err(rec.unknown("link_id", "service", &link));
            }
            continue;
        };
        let tid = get_text(&a, "taxonomy_term_id").ok_or_else(|| {
            rec.missing("taxonomy_term_id", "an attribute names its taxonomy term")
        })?;
        let (_, term) = terms
            .get(&tid)
            .ok_or_else(|| rec.unknown("taxonomy_term_id", "taxonomy term", &tid))?;
        let mut attr = with_src(&rec, a.clone());
        attr.insert("taxonomy_term".into(), Value::Object(term.clone()));
        push(svc, "attributes", Value::Object(attr));
    }
    for (rec, c) in take("service_capacity") {
        let sid = get_text(&c, "service_id")
            .ok_or_else(|| rec.missing("service_id", "a service_capacity names its service"))?;
        let (_, svc) = services
            .get_mut(&sid)
            .ok_or_else(|| rec.unknown("service_id", "service", &sid))?;
        let mut cap = c.clone();
        if let Some(uid) = get_text(&c, "unit_id") {
            let (_, unit) = units
                .get(&uid)
                .ok_or_else(|| rec.unknown("unit_id", "unit", &uid))?;
            cap.insert("unit".into(), Value::Object(unit.clone()));
        }
        push(svc, "capacities", Value::Object(with_src(&rec, cap)));
    }
    for id in &org_order {
        if let Some((rec, o)) = orgs.get(id) {
            b.add_org(o, id, rec);
        }
    }
    // Each location is registered once and shared by the sites at it, which name it by id.
    for (lid, (lrec, loc)) in locations {
        b.locations.insert(lid, Arc::new(with_src(&lrec, loc)));
    }
    let mut sals_by_service: HashMap<String, Vec<String>> = HashMap::new();
    for id in &sal_order {
        if let Some(sid) = sals.get(id).and_then(|(_, s)| get_text(s, "service_id")) {
            sals_by_service.entry(sid).or_default().push(id.clone());
        }
    }
    for sid in &svc_order {
        let Some((rec, s)) = services.get(sid) else {
            continue;
        };
        let mut s = with_src(rec, s.clone());
        if let Some(oid) = get_text(&s, "organization_id")
            && !orgs.contains_key(&oid)
        {
            b.warnings.push(rec.warn(
                Some("organization_id"),
                format!("organization `{oid}` is not in the organizations table"),
            ));
        }
        let mut links = Vec::new();
        for sal_id in sals_by_service.get(sid).map(Vec::as_slice).unwrap_or(&[]) {
            let Some((srec, sal)) = sals.get(sal_id) else {
                continue;
            };
            links.push(Value::Object(with_src(srec, sal.clone())));
        }
        s.insert("service_at_locations".into(), Value::Array(links));
        b.service(&s, &rec.record, None, false)?;
    }
    if services.is_empty() {
        b.skipped.insert("no services table rows");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A package of `services` services, each offered at one location that has `schedules`
    /// schedules.
    fn package(name: &str, services: usize, schedules: usize) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("offramp-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("datapackage.json"), "{}").unwrap();
        std::fs::write(dir.join("organizations.csv"), "id,name\no1,Org\n").unwrap();
        std::fs::write(
            dir.join("locations.csv"),
            "id,name,latitude,longitude\nl1,Main,41.6,-87.6\n",
        )
        .unwrap();
        let mut svc = String::from("id,organization_id,name,status\n");
        let mut sal = String::from("id,service_id,location_id\n");
        for i in 0..services {
            svc.push_str(&format!("s{i},o1,Service {i},active\n"));
            sal.push_str(&format!("sal{i},s{i},l1\n"));
        }
        let mut sch = String::from("id,location_id,freq,byday,opens_at,closes_at\n");
        for i in 0..schedules {
            sch.push_str(&format!("h{i},l1,WEEKLY,MO,09:00,17:00\n"));
        }
        std::fs::write(dir.join("services.csv"), svc).unwrap();
        std::fs::write(dir.join("service_at_location.csv"), sal).unwrap();
        std::fs::write(dir.join("schedules.csv"), sch).unwrap();
        dir
    }

    #[test]
    fn a_locations_schedules_count_once_for_each_service_there() {
        let dir = package("fan-out", 4, 3);
        let options = LoadOptions {
            timezone: Some("America/Chicago".into()),
            ..LoadOptions::default()
        };
        let at = |schedules| Limits {
            services: 100,
            schedules,
        };
        // Four sites of three schedules: twelve.
        let loaded = read_package(&dir, &options, at(12)).unwrap();
        assert_eq!(loaded.services.len(), 4);
        let e = read_package(&dir, &options, at(11)).unwrap_err();
        assert!(matches!(e, DirectoryError::TooLarge { .. }), "{e:?}");
        // Named at the location whose schedules pass the limit when one more site reads them.
        assert!(
            e.to_string().ends_with(
                "locations.csv: row 2: schedules: the directory has more than 1000000 schedules \
                 (a location's schedules counted once for each service offered there), the most \
                 a directory may hold"
            ),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_first_service_past_the_limit_is_refused() {
        let dir = package("services", 3, 0);
        let limits = Limits {
            services: 2,
            schedules: 100,
        };
        let e = read_package(&dir, &LoadOptions::default(), limits).unwrap_err();
        assert_eq!(e.record(), "row 4", "{e}");
        assert!(e.to_string().contains("more than 200000 services"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_package_is_read_within_one_byte_budget() {
        let dir = package("bytes", 1, 0);
        let big = std::fs::File::create(dir.join("languages.csv")).unwrap();
        // A sparse file: one byte past the budget, holding nothing on disk.
        big.set_len(u64::try_from(MAX_DIRECTORY_BYTES).unwrap() + 1)
            .unwrap();
        let e = from_datapackage(&dir, &LoadOptions::default()).unwrap_err();
        assert!(e.file().ends_with("languages.csv"), "{e}");
        assert!(
            e.to_string().ends_with(
                "-: -: the directory is larger than 256 MiB, the most a directory may be (a data package's files counted together)"
            ),
            "{e}"
        );
        assert_eq!((e.diagnostic().line, e.diagnostic().column), (1, 1));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
