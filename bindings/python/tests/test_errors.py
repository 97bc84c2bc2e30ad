"""Every error path: the right exception class, the right attributes, and no personal data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Dict

import pyarrow as pa
import pytest

import offramp
from conftest import ENCOUNTERS, LEAD_ENCOUNTER, PROVIDERS, program_path

SECRET = "JaneDoe"


def test_hierarchy() -> None:
    for cls in (offramp.ProgramError, offramp.EncounterError, offramp.DirectoryError, offramp.CaseError):
        assert issubclass(cls, offramp.OfframpError)
    assert issubclass(offramp.OfframpError, Exception)
    assert issubclass(offramp.EncounterError, ValueError)


# ------------------------------------------------------------------ programs

BROKEN = """[program]
id = "broken"
jurisdiction = "Nowhere"
timezone = "America/Chicago"

[[pathways]]
pathway = "self_referral"
[[pathways.rules]]
id = "asks"
when = "sourse == self_initiated"
"""


def test_program_error_names_line_and_column() -> None:
    with pytest.raises(offramp.ProgramError) as info:
        offramp.Program.from_toml(BROKEN, "broken.toml")
    e = info.value
    assert e.path == "broken.toml"
    assert e.line == 10 and e.column is not None and e.column > 1
    assert "sourse" in e.message or "unknown" in e.message
    assert len(e.diagnostics) >= 1
    d = e.diagnostics[0]
    assert isinstance(d, offramp.Diagnostic)
    assert (d.file, d.line, d.column) == (e.path, e.line, e.column)
    assert d.help is None or "source" in d.help
    assert d.span[0] <= d.span[1]
    assert "broken.toml:10:" in str(e) and "broken.toml:10:" in str(d)
    assert "sourse" in e.rendered  # the snippet


def test_program_error_for_every_problem_at_once() -> None:
    two = BROKEN + '\n[[pathways.rules]]\nid = "other"\nwhen = "age < \\"x\\""\n'
    with pytest.raises(offramp.ProgramError) as info:
        offramp.Program.from_toml(two, "two.toml")
    assert len(info.value.diagnostics) >= 2


def test_program_errors_for_syntax_json_and_files(tmp_path: Path) -> None:
    with pytest.raises(offramp.ProgramError) as info:
        offramp.Program.from_toml("[program\n", "syntax.toml")
    assert info.value.line == 1
    with pytest.raises(offramp.ProgramError) as info:
        offramp.Program.from_json('{"program": ', "p.json")
    assert info.value.path == "p.json"
    with pytest.raises(offramp.ProgramError) as info:
        offramp.Program.from_file(tmp_path / "missing.toml")
    assert info.value.line is None and info.value.column is None
    assert info.value.diagnostics == []
    assert "missing.toml" in info.value.path
    with pytest.raises(offramp.ProgramError):
        offramp.check(tmp_path / "missing.toml")


def test_check_lists_diagnostics(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN)
    found = offramp.check(path)
    assert found and found[0].line == 10 and found[0].file.endswith("broken.toml")


def test_protected_attribute_is_refused() -> None:
    text = program_path("lead-king-county").read_text().replace(
        'when = "flags has weapon"', 'when = "flags has weapon or race == \\"x\\""'
    )
    with pytest.raises(offramp.ProgramError) as info:
        offramp.Program.from_toml(text, "lead.toml")
    assert "race" in str(info.value)


# ------------------------------------------------------------------ encounters

def lead_router() -> offramp.Router:
    return offramp.Router(offramp.Program.from_file(program_path("lead-king-county")))


def with_(**changes: Any) -> Dict[str, Any]:
    d = dict(LEAD_ENCOUNTER)
    d.update(changes)
    return d


@pytest.mark.parametrize(
    ("encounter", "field"),
    [
        (with_(respondr="fire"), "respondr"),
        (with_(responder="firefighter"), "responder"),
        (with_(offenses=[{"nibrs": "35A", "level": "misdemeanour"}]), "offenses[0].level"),
        (with_(offenses=[{"nibrs": "99Q", "level": "misdemeanor"}]), "offenses[0].nibrs"),
        (with_(age=200), "age"),
        (with_(language="Elvish"), "language"),
        (with_(language="xx"), "language"),
        (with_(age=-1), "age"),
        (with_(age="thirty"), "age"),
        (with_(intercept=7), "intercept"),
        (with_(location={"lat": 91, "lon": 0}), "location.lat"),
        (with_(overdose={"at": "2026-03-03T00:00:00-08:00"}), "overdose.at"),
        (with_(at="yesterday"), "at"),
        (with_(at=dt.datetime(2026, 3, 2, 14, 5)), "at"),
        (with_(needs=["sud", object()]), "needs[1]"),
        (with_(needs=["sud", None]), "needs[1]"),
        (with_(age=float("inf")), "age"),
        (with_(age=10**30), "age"),
        (with_(attributes={1: "x"}), "attributes"),
        (with_(id=""), "id"),
        ({k: v for k, v in LEAD_ENCOUNTER.items() if k != "id"}, "."),
    ],
)
def test_encounter_errors_name_the_field(encounter: Dict[str, Any], field: str) -> None:
    with pytest.raises(offramp.EncounterError) as info:
        lead_router().route(encounter)
    assert info.value.field == field, str(info.value)
    assert info.value.message
    assert info.value.row is None
    with pytest.raises(offramp.EncounterError):
        offramp.Encounter.from_dict(encounter)


def test_encounter_error_from_json_text_has_position() -> None:
    with pytest.raises(offramp.EncounterError) as info:
        lead_router().route('{"id": "e", "at": "2026-03-02T14:05:00-08:00", "age": "x"}')
    assert info.value.field == "age" and info.value.line == 1 and info.value.column
    with pytest.raises(offramp.EncounterError) as info:
        offramp.Encounter.from_json('{"id": "e",')
    assert info.value.line == 1


def test_not_an_encounter() -> None:
    router = lead_router()
    for bad in (42, None, [LEAD_ENCOUNTER], 3.5, b"\xff"):
        with pytest.raises(offramp.EncounterError):
            router.route(bad)  # type: ignore[arg-type]
    with pytest.raises(offramp.EncounterError):
        offramp.Encounter.from_dict("{}")  # type: ignore[arg-type]


def test_deep_nesting_is_refused_not_a_crash() -> None:
    deep: Any = "x"
    for _ in range(10_000):
        deep = {"a": deep}
    with pytest.raises(offramp.EncounterError):
        lead_router().route(with_(attributes=deep))
    deep_list: Any = []
    for _ in range(10_000):
        deep_list = [deep_list]
    with pytest.raises(offramp.EncounterError):
        lead_router().route(with_(needs=deep_list))
    with pytest.raises(offramp.EncounterError):
        lead_router().route("[" * 100_000)


@pytest.mark.parametrize(
    "encounter",
    [
        with_(age=SECRET),
        with_(responder=f"Officer {SECRET}"),
        with_(needs=[SECRET]),
        with_(**{SECRET: 1}),
        with_(offenses=[{"nibrs": SECRET, "level": "felony"}]),
        with_(language={SECRET: 1}),
        with_(attributes={SECRET: object()}),
    ],
)
def test_errors_never_repeat_what_was_typed(encounter: Dict[str, Any]) -> None:
    with pytest.raises(offramp.EncounterError) as info:
        lead_router().route(encounter)
    assert SECRET not in str(info.value)
    assert SECRET not in info.value.field and SECRET not in info.value.message


def test_an_unknown_nibrs_code_is_named_by_field_not_repeated() -> None:
    # "35C" is shaped like a code, and close to "35A": neither it nor a suggestion drawn
    # from it is repeated; the field and its position are named.
    encounter = with_(offenses=[{"nibrs": "35A", "level": "misdemeanor"}, {"nibrs": "35C", "level": "misdemeanor"}])
    for attempt in (
        lambda: lead_router().route(encounter),
        lambda: offramp.Encounter.from_dict(encounter),
        lambda: offramp.Encounter.from_json(json.dumps(encounter)),
    ):
        with pytest.raises(offramp.EncounterError) as info:
            attempt()
        assert info.value.field == "offenses[1].nibrs", str(info.value)
        assert "35C" not in str(info.value) and "did you mean" not in str(info.value)
    with pytest.raises(offramp.EncounterError) as info:
        offramp.Encounter.from_json(json.dumps(encounter))
    assert info.value.line == 1 and info.value.column


def test_route_many_errors_name_the_row() -> None:
    router = lead_router()
    rows = [LEAD_ENCOUNTER, LEAD_ENCOUNTER, with_(age="x")]
    with pytest.raises(offramp.EncounterError) as info:
        router.route_many(rows)
    assert info.value.row == 2 and info.value.field == "age"
    table = pa.Table.from_pylist([dict(LEAD_ENCOUNTER, age=a) for a in (30, 31, 300)])
    with pytest.raises(offramp.EncounterError) as info:
        router.route_many(table)
    assert info.value.row == 2 and info.value.field == "age"
    with pytest.raises(offramp.EncounterError) as info:
        router.route_many(pa.table({"id": ["a"], "at": ["2026-03-02T14:05:00-08:00"], "officer_note": ["x"]}))
    assert info.value.field == "officer_note" and info.value.row == 0
    naive = pa.table({"id": ["a"], "at": pa.array([dt.datetime(2026, 3, 2)], pa.timestamp("us"))})
    with pytest.raises(offramp.EncounterError) as info:
        router.route_many(naive)
    assert info.value.field == "at"
    odd = pa.table({"id": ["a"], "at": ["2026-03-02T14:05:00-08:00"], "age": pa.array([b"x"], pa.binary())})
    with pytest.raises(offramp.EncounterError) as info:
        router.route_many(odd)
    assert info.value.field == "age"
    with pytest.raises(offramp.EncounterError, match="use route for one"):
        router.route_many(LEAD_ENCOUNTER)  # one encounter is not many
    with pytest.raises(offramp.EncounterError):
        router.route_many(42)


def test_bad_lines_file_gives_the_cli_errors() -> None:
    router = lead_router()
    failures = 0
    for line in (ENCOUNTERS / "bad-lines.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        try:
            router.route(line)
        except offramp.EncounterError as e:
            failures += 1
            assert e.field
    assert failures >= 4


# ------------------------------------------------------------------ directories

def test_directory_errors(tmp_path: Path) -> None:
    with pytest.raises(offramp.DirectoryError) as info:
        offramp.Directory.from_hsds(tmp_path / "missing.json")
    assert info.value.file.endswith("missing.json")
    with pytest.raises(offramp.DirectoryError) as info:
        offramp.Directory.from_hsds_json("[1", "bad.json")
    assert info.value.file == "bad.json"
    with pytest.raises(offramp.DirectoryError) as info:
        offramp.Directory.from_hsds_json('[{"name": "x", "status": "active"}]', "x.json")
    assert info.value.field == "id"
    with pytest.raises(offramp.DirectoryError):
        offramp.Directory.from_toml("services = 3", "d.toml")
    with pytest.raises(offramp.DirectoryError):
        offramp.Directory.from_hsds(PROVIDERS / "harvey-il.json", taxonomy=tmp_path / "none.toml")
    bad_map = tmp_path / "map.toml"
    bad_map.write_text("this is = not [ toml")
    with pytest.raises(offramp.DirectoryError):
        offramp.Directory.from_hsds(PROVIDERS / "harvey-il.json", taxonomy=bad_map)
    with pytest.raises(offramp.DirectoryError):
        offramp.Router(offramp.Program.from_file(program_path("lead-king-county")), tmp_path / "nope.json")
    with pytest.raises(TypeError):
        offramp.Router(offramp.Program.from_file(program_path("lead-king-county")), 42)  # type: ignore[arg-type]


def test_capacity_errors() -> None:
    program = offramp.Program.from_file(program_path("lead-king-county"))
    with pytest.raises(offramp.DirectoryError) as info:
        offramp.Router(program).update_capacity("svc", 1)
    assert info.value.field == "service_id"
    router = offramp.Router(program, PROVIDERS / "king-county.json")
    with pytest.raises(offramp.DirectoryError):
        router.update_capacity("no-such-service", 1)
    with pytest.raises(offramp.DirectoryError):
        router.update_capacity(router.directory.service_ids[0], 1, updated="tomorrow")  # type: ignore[union-attr]


# ------------------------------------------------------------------ cases

def test_case_errors() -> None:
    at = "2026-03-02T10:00:00-05:00"
    case = offramp.Case("e-1", offramp.Pathway.SELF_REFERRAL, at)
    with pytest.raises(offramp.CaseError) as info:
        case.apply(offramp.CaseEvent.COMPLETE, at)
    assert "allowed from here" in str(info.value)
    assert case.status is offramp.CaseStatus.REFERRED
    case.apply("accept", "2026-03-03T10:00:00-05:00")
    with pytest.raises(offramp.CaseError):
        case.apply("engage", at)  # earlier than the last event
    with pytest.raises(offramp.CaseError):
        case.apply("dance", at)
    with pytest.raises(offramp.CaseError):
        case.apply("engage", dt.datetime(2026, 3, 4))
    with pytest.raises(offramp.CaseError):
        case.apply(offramp.CaseEvent.DROP_CHARGES, "2026-03-04T10:00:00-05:00")
    with pytest.raises(offramp.CaseError):
        offramp.Case("e-1", "no_such_pathway", at)
    with pytest.raises(offramp.CaseError):
        offramp.Case.from_json('{"encounter_id": "e", "pathway": "self_referral"}')
    tampered = json.loads(case.to_json())
    tampered["status"] = "completed"
    with pytest.raises(offramp.CaseError):
        offramp.Case.from_json(json.dumps(tampered))


def test_no_panic_exception_escapes() -> None:
    # Whatever goes wrong, the caller sees an OfframpError (or a TypeError for a wrong
    # argument type), never pyo3's PanicException, which derives from BaseException.
    router = lead_router()
    strange = [
        {"id": "x" * 10_000, "at": "2026-03-02T14:05:00-08:00"},
        {"id": "e", "at": "+262143-12-31T23:59:59-23:59"},
        {"id": "e", "at": "2026-03-02T14:05:00-08:00", "overdose": {"at": "-262143-01-01T00:00:00+23:59"}},
        {"id": "e", "at": "2026-03-02T14:05:00-08:00", "location": {"lat": float("nan"), "lon": 0}},
    ]
    for e in strange:
        try:
            router.route(e)
        except offramp.OfframpError:
            pass


def test_times_python_cannot_hold_raise_offramp_error() -> None:
    router = offramp.Router(offramp.Program.from_file(program_path("pad-acc-leon-county")))
    late = {
        "id": "e", "at": "9999-12-01T00:00:00-05:00", "responder": "law_enforcement",
        "source": "on_view", "age": 30, "history": [],
        "offenses": [{"nibrs": "23C", "level": "misdemeanor"}],
    }
    # Such a time is now refused when read (issue 10: times are bounded to 1900-2200), so no
    # decision can carry a deadline past what Python holds.
    with pytest.raises(offramp.EncounterError) as info:
        router.route(late)
    assert info.value.field == "at"
    latest = dict(late, at="2199-12-31T18:59:59-05:00")
    hold = router.route(latest).eligible[0].charge_hold
    assert hold is not None and hold.deadline.year == 2200
