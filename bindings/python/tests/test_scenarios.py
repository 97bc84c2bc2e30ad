"""The core's hand-checked scenarios (tests/scenarios/*.toml), routed again through Python."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

import offramp
from conftest import SCENARIOS, example_program_names, program_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9 and 3.10
    import tomli as tomllib


def scenario_files() -> List[Path]:
    return sorted(SCENARIOS.glob("*.toml"))


def load(path: Path) -> Dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


CASES = [
    pytest.param(path, index, id=f"{path.stem}/{index}")
    for path in scenario_files()
    for index in range(len(load(path)["scenario"]))
]


def test_every_example_program_has_scenarios() -> None:
    # Each file names its program relative to itself.
    covered = {Path(load(p)["program"]).name for p in scenario_files()}
    assert covered == {f"{name}.toml" for name in example_program_names()}


@pytest.mark.parametrize(("path", "index"), CASES)
def test_scenario(path: Path, index: int) -> None:
    spec = load(path)
    s = spec["scenario"][index]
    program = offramp.Program.from_file(program_path(Path(spec["program"]).stem))
    router = offramp.Router(program)
    # Through a dict, through the Encounter class, and through JSON text: the same decision.
    import json

    as_dict = json.loads(s["encounter"])
    decision = router.route(as_dict)
    assert router.route(offramp.Encounter.from_json(s["encounter"])) == decision
    assert router.route(s["encounter"]) == decision

    assert decision.disposition is offramp.Disposition(s["disposition"])
    assert [e.pathway for e in decision.eligible] == [offramp.Pathway(p) for p in s["eligible"]]
    assert all(isinstance(e.pathway, offramp.Pathway) for e in decision.eligible)
    assert [e.rank for e in decision.eligible] == list(range(1, len(decision.eligible) + 1))
    if "intercept" in s:
        assert decision.intercept is offramp.Intercept(s["intercept"])
    for pathway, rule in s.get("ineligible", {}).items():
        found = [i for i in decision.ineligible if i.pathway is offramp.Pathway(pathway)]
        assert found, f"{pathway} is not among the ineligible"
        assert rule in [r.rule for r in found[0].reasons]
        assert all(r.because for r in found[0].reasons)
    if "charge_hold_deadline" in s:
        deadlines = [e.charge_hold.deadline.isoformat() for e in decision.eligible if e.charge_hold]
        assert s["charge_hold_deadline"] in deadlines
    codes = {w.code for w in decision.warnings}
    for w in s.get("warnings", []):
        assert offramp.WarningCode(w) in codes
