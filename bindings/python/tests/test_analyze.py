"""offramp.analyze: the same analysis as `offramp analyze`, as typed Python objects."""

from __future__ import annotations

import json
import pathlib

import pytest

import offramp
from conftest import run_cli

ROOT = pathlib.Path(__file__).resolve().parents[3]
KNOWN = ROOT / "tests" / "analysis" / "known-findings.toml"
EMPTIED = ROOT / "tests" / "analysis" / "emptied.toml"
LEAD = ROOT / "examples" / "programs" / "lead-king-county.toml"
LEAD_ENCOUNTERS = ROOT / "examples" / "encounters" / "lead-king-county.jsonl"


def test_the_findings_are_typed_objects() -> None:
    a = offramp.analyze(KNOWN)
    assert [p.id for p in a.programs] == ["known-findings"]
    assert a.encounters_examined > 0
    assert a.gaps and all(isinstance(g, offramp.Gap) for g in a.gaps)
    gap = a.gaps[0]
    assert gap.summary.endswith("no pathway")
    assert gap.classes > 0
    assert gap.encounters is None
    assert all(isinstance(c, offramp.Condition) for c in gap.conditions)
    assert all(isinstance(i, offramp.Intercept) for i in gap.intercepts)
    assert isinstance(gap.example, offramp.Encounter)
    # The example reaches no pathway.
    assert offramp.Router(offramp.Program.from_file(str(KNOWN))).route(gap.example).eligible == []
    kinds = {(o.kind, o.pathway, o.other) for o in a.overlaps}
    assert (
        "always_together",
        offramp.Pathway.SELF_REFERRAL,
        offramp.Pathway.ACTIVE_OUTREACH,
    ) in kinds
    assert {d.rule for d in a.dead_rules} == {"older-adult", "no-charge", "teen"}
    assert all(isinstance(d.pathway, offramp.Pathway) for d in a.dead_rules)
    assert len(a.coverage) == 36
    cell = a.coverage[0]
    assert isinstance(cell, offramp.CoverageCell)
    assert isinstance(cell.intercept, offramp.Intercept)
    assert isinstance(cell.covered(), bool)
    assert any(c.covered() for c in a.coverage)
    assert all(isinstance(r, offramp.Responder) for c in a.coverage for r in c.responders)


def test_an_exclusion_that_empties_a_pathway() -> None:
    a = offramp.analyze([str(EMPTIED)])
    assert [(x.exclusion, x.pathway) for x in a.whole_exclusions] == [
        ("any-overdose", offramp.Pathway.NALOXONE_PLUS)
    ]
    assert [d.rule for d in a.dead_rules] == ["recent-overdose"]


@pytest.mark.parametrize("encounters", [False, True])
def test_python_and_the_command_agree(encounters: bool) -> None:
    args = [str(LEAD)]
    if encounters:
        args += ["--encounters", str(LEAD_ENCOUNTERS)]
    out = run_cli("analyze", *args, "--format", "json")
    assert out.returncode == 0, out.stderr
    a = offramp.analyze(LEAD, LEAD_ENCOUNTERS if encounters else None)
    assert json.loads(out.stdout) == a.to_dict()
    assert json.loads(a.to_json()) == a.to_dict()
    # The report is the command's text.
    text = run_cli("analyze", *args)
    assert text.returncode == 0, text.stderr
    assert text.stdout == str(a)
    if encounters:
        assert all(g.encounters is not None for g in a.gaps)


def test_several_programs_are_analysed_together() -> None:
    together = offramp.analyze([KNOWN, offramp.Program.from_file(str(EMPTIED))])
    assert [p.id for p in together.programs] == ["known-findings", "emptied"]
    out = run_cli("analyze", str(KNOWN), str(EMPTIED), "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == together.to_dict()


def test_encounters_as_a_list_count_like_the_file() -> None:
    lines = [json.loads(l) for l in LEAD_ENCOUNTERS.read_text().splitlines() if l.strip()]
    from_list = offramp.analyze(LEAD, lines)
    from_file = offramp.analyze(LEAD, str(LEAD_ENCOUNTERS))
    assert from_list.to_dict() == from_file.to_dict()


def test_errors_name_the_keyword(tmp_path: pathlib.Path) -> None:
    with pytest.raises(TypeError, match="^programs must be"):
        offramp.analyze(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="^programs must name"):
        offramp.analyze([])
    with pytest.raises(OSError, match="^encounters: "):
        offramp.analyze(KNOWN, tmp_path / "none.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "Jane Doe", "at": "2026-03-02T10:00:00-06:00", "age": "Jane"}\n')
    with pytest.raises(offramp.EncounterError, match="line 1") as e:
        offramp.analyze(KNOWN, bad)
    assert "Jane" not in str(e.value)
