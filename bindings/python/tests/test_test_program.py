"""offramp.test_program: scenario files run against programs, with the command's results."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import offramp
from conftest import ROOT, SCENARIOS, program_path

CRISIS = ROOT / "crates" / "offramp-cli" / "tests" / "fixtures" / "test" / "crisis.toml"
CRISIS_SCENARIOS = CRISIS.with_name("crisis.scenarios.toml")


def test_every_example_scenario_passes() -> None:
    program = offramp.Program.from_file(program_path("lead-king-county"))
    report = offramp.test_program(program, SCENARIOS / "lead-king-county.toml")
    assert report.program == "lead-king-county"
    assert report.failed == 0
    assert report.passed == len(report.results) >= 5
    assert all(r.passed and r.mismatches == [] and r.reasons == [] for r in report.results)


def test_a_failing_scenario_shows_expected_against_actual() -> None:
    # The program may be given as a path.
    report = offramp.test_program(str(CRISIS), CRISIS_SCENARIOS)
    assert (report.passed, report.failed) == (1, 1)
    failed = report.results[1]
    assert not failed.passed
    assert [m.field for m in failed.mismatches] == ["disposition", "eligible", "because.self_referral"]
    first = failed.mismatches[0]
    assert (first.expected, first.actual) == ("deflection", "none")
    assert str(first) == "disposition: expected deflection, got none"
    assert failed.reasons[0].startswith("self_referral: mental-health-need: ")


def test_results_match_the_command() -> None:
    exe = os.environ.get("OFFRAMP_BIN") or str(
        Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug" / "offramp"
    )
    if not Path(exe).is_file():
        pytest.skip("the offramp command is not built")
    out = subprocess.run(
        [exe, "test", str(program_path("cit-memphis")), "--scenarios", str(SCENARIOS / "cit-memphis.toml")],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    report = offramp.test_program(program_path("cit-memphis"), SCENARIOS / "cit-memphis.toml")
    lines = [f"{'ok  ' if r.passed else 'FAIL'} {report.program} / {r.name}" for r in report.results]
    lines.append(f"{report.passed} passed, {report.failed} failed")
    assert out.splitlines() == lines


def test_a_bad_scenario_file_raises_naming_the_keyword(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[scenario]]\nname = \"x\"\nelegible = []\n")
    with pytest.raises(offramp.OfframpError, match=r"^scenarios: .*bad\.toml:3:1: unknown field `elegible`"):
        offramp.test_program(program_path("lead-king-county"), bad)
    with pytest.raises(offramp.OfframpError, match="^scenarios: "):
        offramp.test_program(program_path("lead-king-county"), tmp_path / "missing.toml")
    with pytest.raises(TypeError, match="program must be a Program"):
        offramp.test_program(42, bad)  # type: ignore[arg-type]
