"""offramp.diff: the same comparison as `offramp diff`, from Python."""

from __future__ import annotations

import json
import pathlib

import pytest

import offramp
from conftest import run_cli

ROOT = pathlib.Path(__file__).resolve().parents[3]
LEAD = ROOT / "examples" / "programs" / "lead-king-county.toml"
ENCOUNTERS = ROOT / "examples" / "encounters" / "lead-king-county.jsonl"


def revised(tmp_path: pathlib.Path) -> pathlib.Path:
    text = LEAD.read_text()
    new = (
        text.replace('when = "age < 18"', 'when = "age < 21"')
        .replace("protective_custody = true ", "protective_custody = false")
        .replace('version = "2026.2"', 'version = "2026.3"')
    )
    assert new != text
    path = tmp_path / "lead-2026.3.toml"
    path.write_text(new)
    return path


def young(i: int, age: int) -> dict[str, object]:
    return {
        "id": f"young-{i}",
        "at": "2026-04-01T10:00:00-07:00",
        "responder": "law_enforcement",
        "source": "on_view",
        "age": age,
        "history": [],
        "offenses": [{"nibrs": "35A", "level": "misdemeanor"}],
    }


def test_a_program_compared_with_itself_has_no_changes() -> None:
    p = offramp.Program.from_file(str(LEAD))
    d = offramp.diff(p, p)
    assert d.is_empty()
    assert d.decisions is None
    assert d.old == d.new


def test_changes_and_decisions_are_reported(tmp_path: pathlib.Path) -> None:
    d = offramp.diff(str(LEAD), revised(tmp_path), [young(0, 19), young(1, 30)])
    assert d.rules == [
        {
            "pathway": None,
            "kind": "exclusion",
            "change": "changed",
            "id": "minor",
            "old": "age < 18",
            "new": "age < 21",
        }
    ]
    assert d.settings == [{"key": "law.protective_custody", "old": "on", "new": "off"}]
    assert (d.old["version"], d.new["version"]) == ("2026.2", "2026.3")
    decisions = d.decisions
    assert decisions is not None
    assert (decisions["compared"], decisions["changed"]) == (2, 1)
    assert decisions["first_pathway"] == [
        {"from": "officer_intervention", "to": "none", "count": 1, "examples": ["young-0"]}
    ]
    assert not d.is_empty()


def test_python_and_the_command_agree(tmp_path: pathlib.Path) -> None:
    new = revised(tmp_path)
    out = run_cli("diff", str(LEAD), str(new), str(ENCOUNTERS), "--format", "json")
    assert out.returncode == 0, out.stderr
    from_python = offramp.diff(LEAD, new, ENCOUNTERS)
    assert json.loads(out.stdout) == from_python.to_dict()
    assert json.loads(from_python.to_json()) == from_python.to_dict()


def test_a_bad_encounter_in_a_list_names_its_row() -> None:
    p = offramp.Program.from_file(str(LEAD))
    bad = young(1, 30)
    bad["age"] = "thirty"
    with pytest.raises(offramp.EncounterError) as e:
        offramp.diff(p, p, [young(0, 19), bad])
    assert "thirty" not in str(e.value)


def test_a_bad_line_in_a_file_is_counted_and_the_others_compared(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "encounters.jsonl"
    path.write_text(json.dumps(young(0, 19)) + "\nnot json\n")
    p = offramp.Program.from_file(str(LEAD))
    decisions = offramp.diff(p, p, path).decisions
    assert decisions is not None
    assert (decisions["compared"], decisions["failed"]) == (1, 1)
    assert decisions["failures"][0]["line"] == 2


def test_errors_name_the_keyword() -> None:
    p = offramp.Program.from_file(str(LEAD))
    with pytest.raises(TypeError, match="^old must be"):
        offramp.diff(3, p)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^new must be"):
        offramp.diff(p, None)  # type: ignore[arg-type]
    with pytest.raises(OSError, match="^encounters: "):
        offramp.diff(p, p, "no-such-file.jsonl")


def scenario_file(tmp_path: pathlib.Path) -> pathlib.Path:
    """LEAD's scenarios and two more: people of 19 and 20 arrested for possession."""
    text = (ROOT / "tests" / "scenarios" / "lead-king-county.toml").read_text()
    for i, age in enumerate([19, 20]):
        text += (
            f'\n[[scenario]]\nname = "a {age}-year-old arrested for possession"\n'
            f"encounter = '{json.dumps(young(i, age))}'\n"
            'disposition = "pre_arrest_diversion"\neligible = ["officer_intervention"]\n'
        )
    path = tmp_path / "lead.scenarios.toml"
    path.write_text(text)
    return path


def test_a_scenario_files_encounters_are_compared_and_named_by_scenario(
    tmp_path: pathlib.Path,
) -> None:
    new = revised(tmp_path)
    scenarios = scenario_file(tmp_path)
    decisions = offramp.diff(LEAD, new, scenarios).decisions
    assert decisions is not None
    assert (decisions["compared"], decisions["changed"], decisions["failed"]) == (25, 2, 0)
    assert decisions["first_pathway"][0]["examples"] == [
        "a 19-year-old arrested for possession",
        "a 20-year-old arrested for possession",
    ]
    # The same answer as the command's.
    out = run_cli("diff", str(LEAD), str(new), str(scenarios), "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == offramp.diff(LEAD, new, str(scenarios)).to_dict()


def test_a_scenario_file_that_does_not_read_names_the_keyword(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[[scenario]]\nname = \"x\"\nencounter = '{\"id\": \"JaneDoe\", \"age\": \"JaneDoe\"}'\n"
        'disposition = "none"\neligible = []\n'
    )
    p = offramp.Program.from_file(str(LEAD))
    with pytest.raises(offramp.OfframpError, match="^encounters: .*bad.toml:3:14") as e:
        offramp.diff(p, p, bad)
    assert "JaneDoe" not in str(e.value)
    with pytest.raises(OSError, match="^encounters: "):
        offramp.diff(p, p, tmp_path / "none.toml")
