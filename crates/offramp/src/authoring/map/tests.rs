use super::*;
use crate::authoring::analysis::{AnalysedProgram, Condition, Gap};
use crate::domain::{Encounter, Responder};

fn program(id: &str, name: &str) -> AnalysedProgram {
    AnalysedProgram {
        id: id.to_string(),
        name: name.to_string(),
        hash: "0".repeat(8),
    }
}

fn gap(summary: &str, intercepts: &[Intercept], encounters: Option<u64>) -> Gap {
    Gap {
        conditions: vec![Condition {
            field: "responder".to_string(),
            text: "law_enforcement".to_string(),
        }],
        summary: summary.to_string(),
        intercepts: intercepts.to_vec(),
        classes: 12,
        encounters,
        example: Encounter::from_json(r#"{"id":"gap-1","at":"2026-03-02T14:05:00-08:00"}"#)
            .unwrap(),
    }
}

/// Two programs: one covers self-referral at intercept 0, both officer intervention at
/// intercept 1; intercept 1 has gaps (two regions, one also at intercept 2).
fn sample() -> Analysis {
    let mut coverage = Vec::new();
    for intercept in Intercept::ALL {
        for pathway in Pathway::ALL {
            let mut cell = CoverageCell {
                intercept,
                pathway,
                programs: vec![],
                responders: vec![],
                partner_kinds: vec![],
                gap: matches!(
                    intercept,
                    Intercept::LawEnforcement | Intercept::InitialDetention
                ),
            };
            match (intercept, pathway) {
                (Intercept::CommunityServices, Pathway::SelfReferral) => {
                    cell.programs = vec!["safe-station".to_string()];
                    cell.responders = vec![Responder::Fire];
                    cell.partner_kinds = vec!["moud".to_string()];
                }
                (Intercept::LawEnforcement, Pathway::OfficerIntervention) => {
                    cell.programs = vec!["lead".to_string(), "safe-station".to_string()];
                    cell.responders = vec![Responder::LawEnforcement, Responder::CoResponder];
                    cell.partner_kinds = vec!["case_management".to_string()];
                }
                _ => {}
            }
            coverage.push(cell);
        }
    }
    Analysis {
        programs: vec![
            program("lead", "LEAD, King County"),
            program("safe-station", "Safe Station"),
        ],
        encounters_examined: 1234,
        gaps: vec![
            gap(
                "law-enforcement on-view felony possession: no pathway",
                &[Intercept::LawEnforcement],
                Some(7),
            ),
            gap(
                "people in custody: no pathway",
                &[Intercept::LawEnforcement, Intercept::InitialDetention],
                None,
            ),
        ],
        gaps_left_out: 0,
        overlaps: vec![],
        dead_rules: vec![],
        whole_exclusions: vec![],
        coverage,
    }
}

fn cell_mut(a: &mut Analysis, i: Intercept, p: Pathway) -> &mut CoverageCell {
    (a.coverage.iter_mut())
        .find(|c| c.intercept == i && c.pathway == p)
        .unwrap()
}

/// The texts of an element and its descendants, one per `<text>` element.
fn texts(node: roxmltree::Node<'_, '_>) -> Vec<String> {
    (node.descendants())
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            n.descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect::<String>()
        })
        .collect()
}

/// An HTML page parsed as XML: the page is written so that it is well-formed.
fn html_document(html: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(html, options).unwrap()
}

fn by_id<'a, 'i>(doc: &'a roxmltree::Document<'i>, id: &str) -> roxmltree::Node<'a, 'i> {
    (doc.descendants())
        .find(|n| n.attribute("id") == Some(id))
        .unwrap_or_else(|| panic!("no element with id {id}"))
}

#[test]
fn the_svg_is_well_formed_and_draws_all_36_cells_with_their_state() {
    let analysis = sample();
    let svg = render(&analysis, MapFormat::Svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let cells = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("cell"));
    assert_eq!(cells.count(), 36);
    for cell in &analysis.coverage {
        let id = format!(
            "cell-i{}-{}",
            cell.intercept.as_str(),
            cell.pathway.as_str()
        );
        let node = by_id(&doc, &id);
        let covered = cell.covered().to_string();
        assert_eq!(
            node.attribute("data-covered"),
            Some(covered.as_str()),
            "{id}"
        );
        let gap = cell.gap.to_string();
        assert_eq!(node.attribute("data-gap"), Some(gap.as_str()), "{id}");
    }
    let lead = texts(by_id(&doc, "cell-i1-officer_intervention"));
    assert_eq!(
        lead,
        [
            "lead, safe-station",
            "by law_enforcement,",
            "co_responder",
            "partners case_management"
        ]
    );
    assert_eq!(
        texts(by_id(&doc, "cell-i0-active_outreach")),
        ["not covered"]
    );
    assert_eq!(
        texts(by_id(&doc, "cell-i2-self_referral")),
        ["not covered: gap"]
    );
}

#[test]
fn each_column_counts_its_gap_regions() {
    let svg = render(&sample(), MapFormat::Svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let counts: Vec<Vec<String>> = (0..6)
        .map(|i| texts(by_id(&doc, &format!("gaps-i{i}"))))
        .collect();
    assert_eq!(counts[0], ["no gap"]);
    assert_eq!(counts[1], ["2 gap regions"]);
    assert_eq!(counts[2], ["1 gap region"]);
    // Nothing covered and no gap: no encounter examined sits at intercept 5.
    assert_eq!(counts[5], ["no encounters here"]);
}

#[test]
fn every_cell_is_drawn_when_the_analysis_has_no_coverage() {
    let mut analysis = sample();
    analysis.coverage.clear();
    analysis.programs.clear();
    let svg = render(&analysis, MapFormat::Svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    for intercept in Intercept::ALL {
        for pathway in Pathway::ALL {
            let id = format!("cell-i{}-{}", intercept.as_str(), pathway.as_str());
            assert_eq!(texts(by_id(&doc, &id)), ["not covered"]);
        }
    }
}

#[test]
fn text_from_files_is_escaped_in_every_format() {
    let mut analysis = sample();
    let odd = r#"a<b>&"c'#`]]>"#;
    analysis.programs[0].name = odd.to_string();
    analysis.gaps[0].summary = odd.to_string();
    let cell = cell_mut(
        &mut analysis,
        Intercept::LawEnforcement,
        Pathway::OfficerIntervention,
    );
    cell.programs = vec![odd.to_string()];
    cell.partner_kinds = vec!["x\u{1}y".to_string()];

    let svg = render(&analysis, MapFormat::Svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts = texts(by_id(&doc, "cell-i1-officer_intervention"));
    assert_eq!(texts[0], odd);
    assert_eq!(texts[3], "partners x\u{FFFD}y");

    let html = render(&analysis, MapFormat::Html);
    let doc = html_document(&html);
    let summary = (doc.descendants())
        .find(|n| n.has_tag_name("td") && n.text() == Some(odd))
        .map(|n| n.text());
    assert_eq!(summary, Some(Some(odd)));

    let mermaid = render(&analysis, MapFormat::Mermaid);
    assert!(
        mermaid.contains("a#lt;b#gt;#amp;#quot;c'#35;#96;]]#gt;"),
        "{mermaid}"
    );
    for line in mermaid.lines().filter(|l| l.contains("[\"")) {
        // A label's only double quotes are the ones that open and close it.
        assert_eq!(line.matches('"').count(), 2, "{line}");
    }
}

#[test]
fn a_crowded_cell_is_cut_and_counted_within_its_bounds() {
    let mut analysis = sample();
    let cell = cell_mut(
        &mut analysis,
        Intercept::LawEnforcement,
        Pathway::OfficerIntervention,
    );
    cell.programs = (0..20)
        .map(|i| format!("mercy-project-county-{i:02}"))
        .collect();
    cell.partner_kinds = (0..12).map(|i| format!("kind_{i}")).collect();
    cell.programs.push("x".repeat(200));
    let svg = render(&analysis, MapFormat::Svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let lines = texts(by_id(&doc, "cell-i1-officer_intervention"));
    assert!(lines.len() <= CELL_LINES, "{lines:?}");
    let room = CELL_W - SPACE - 2.0 * PAD;
    for line in &lines {
        assert!(text_width(line, CELL_SIZE) <= room, "{line:?} is too wide");
    }
    // Every list keeps at least one line, and the last line of a cut list counts the rest.
    assert!(lines[0].starts_with("mercy-project-county-00"), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("by law_enforcement")));
    let programs_end = lines.iter().position(|l| l.starts_with("by ")).unwrap() - 1;
    let shown = lines[..programs_end].len() + lines[programs_end].matches(", ").count();
    assert_eq!(
        lines[programs_end].rsplit(", ").next().unwrap(),
        format!("+{} more", 21 - shown)
    );
    assert!(lines.last().unwrap().ends_with(" more"), "{lines:?}");
}

#[test]
fn fit_list_wraps_cuts_and_counts() {
    let items: Vec<String> = ["alpha", "beta", "gamma", "delta"]
        .map(String::from)
        .to_vec();
    let one_line = fit_list(&items, 0.0, 1000.0, 10.0, 3);
    assert_eq!(one_line, ["alpha, beta, gamma, delta"]);
    // Room for two items and a comma (and a little for the sum's rounding).
    let narrow = text_width("alpha, beta,", 10.0) + 0.5;
    assert_eq!(
        fit_list(&items, 0.0, narrow, 10.0, 3),
        ["alpha, beta,", "gamma,", "delta"]
    );
    assert_eq!(
        fit_list(&items, 0.0, narrow, 10.0, 2),
        ["alpha, beta,", "+2 more"]
    );
    assert_eq!(fit_list(&items, 0.0, narrow, 10.0, 1), ["+4 more"]);
    // An item gives way to the count when both do not fit.
    let count = text_width("alpha, +3 more", 10.0) + 0.5;
    assert_eq!(fit_list(&items, 0.0, count, 10.0, 1), ["alpha, +3 more"]);
    let long = vec!["a".repeat(50)];
    let cut = fit_list(&long, 0.0, 100.0, 10.0, 2);
    assert!(cut[0].ends_with('…') && text_width(&cut[0], 10.0) <= 100.0);
    assert!(fit_list(&[], 0.0, 100.0, 10.0, 2).is_empty());
    assert_eq!(share_lines([5, 1, 4], 7), [3, 1, 3]);
    assert_eq!(share_lines([0, 1, 1], 7), [0, 1, 1]);
    assert_eq!(
        [0, 999, 1000, 1234567].map(grouped),
        ["0", "999", "1,000", "1,234,567"]
    );
}

#[test]
fn the_html_page_holds_the_picture_and_the_gap_table() {
    let html = render(&sample(), MapFormat::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    let doc = html_document(&html);
    assert!(doc.descendants().any(|n| n.has_tag_name("svg")));
    let rows: Vec<_> = (doc.descendants())
        .filter(|n| n.has_tag_name("tr"))
        .collect();
    assert_eq!(rows.len(), 3, "a head row and one row per gap");
    let heads: Vec<_> = (rows[0].children()).filter_map(|n| n.text()).collect();
    assert!(heads.contains(&"Encounters"), "{heads:?}");
    let cells: Vec<_> = (rows[1].children())
        .filter(|n| n.has_tag_name("td"))
        .collect();
    assert_eq!(cells[3].text(), Some("1"));
    assert_eq!(cells[5].text(), Some("7"));
}

#[test]
fn an_analysis_without_gaps_says_so() {
    let mut analysis = sample();
    analysis.gaps.clear();
    analysis.coverage.iter_mut().for_each(|c| c.gap = false);
    let html = render(&analysis, MapFormat::Html);
    assert!(html.contains("No gap: every encounter examined reaches a pathway."));
    assert!(!render(&analysis, MapFormat::Mermaid).contains(":::gap"));
}

#[test]
fn the_mermaid_flowchart_is_pinned() {
    insta::assert_snapshot!(render(&sample(), MapFormat::Mermaid));
}

#[test]
fn the_svg_is_pinned() {
    insta::assert_snapshot!(render(&sample(), MapFormat::Svg));
}

/// Writes the sample's pictures to `OFFRAMP_MAP_SAMPLE` (a folder) when set, to look at them
/// rendered (`scripts/render-map`).
#[test]
fn sample_pictures_are_written_when_asked() {
    if let Ok(dir) = std::env::var("OFFRAMP_MAP_SAMPLE") {
        let mut crowded = sample();
        let cell = cell_mut(
            &mut crowded,
            Intercept::LawEnforcement,
            Pathway::OfficerIntervention,
        );
        cell.programs = (0..9)
            .map(|i| format!("mercy-project-walker-count{i}"))
            .collect();
        cell.partner_kinds = [
            "case_management",
            "sex_work_trafficking",
            "withdrawal_management",
            "moud",
            "mental_health_crisis",
            "crisis_stabilization",
            "outpatient",
            "shelter_housing",
        ]
        .map(String::from)
        .to_vec();
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join("sample.svg"), render(&sample(), MapFormat::Svg)).unwrap();
        std::fs::write(dir.join("crowded.svg"), render(&crowded, MapFormat::Svg)).unwrap();
        std::fs::write(dir.join("sample.html"), render(&crowded, MapFormat::Html)).unwrap();
        std::fs::write(dir.join("sample.mmd"), render(&crowded, MapFormat::Mermaid)).unwrap();
    }
}
