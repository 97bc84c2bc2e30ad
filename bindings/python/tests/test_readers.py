"""Every way into offramp reads every encounter field, and reads it alike: the constructor, a
dict, JSON text, a list, a pyarrow Table (text or timestamp times), pandas and polars. The
sample encounter must hold every field of the core's JSON Schema, so a field added to the core
fails here until each way reads it."""

from __future__ import annotations

import ast
import datetime
import json
import sys
from typing import Any, Dict, List

import pytest

import offramp
from offramp import _offramp

from conftest import ROOT, need, to_table

FULL: Dict[str, Any] = {
    "id": "e-full",
    "at": "2026-03-02T14:05:00-08:00",
    "responder": "law_enforcement",
    "source": "call_for_service",
    "needs": ["sud", "homelessness"],
    "overdose": {"at": "2026-03-01T10:00:00-08:00", "naloxone": True},
    # Issue 11: the offence facts, given by name and by NIBRS letter, and an offence that
    # leaves `violent` to the code table.
    "offenses": [
        {
            "nibrs": "35A",
            "level": "misdemeanor",
            "violent": False,
            "activity": ["possessing", "U"],
            "drug_types": ["heroin"],
            "quantity": {"amount": 0.5, "unit": "GM"},
        },
        {"nibrs": "13B", "level": "misdemeanor"},
    ],
    "flags": ["weapon"],
    "age": 34,
    "language": "spa",
    "consent": "verbal",
    "willing": "yes",
    "history": [
        {"kind": "conviction", "date": "2019-05-01", "nibrs": "13B", "level": "misdemeanor"},
        {"kind": "referral", "date": "2026-02-10"},
    ],
    "location": {"lat": 47.6, "lon": -122.3},
    "intercept": 1,
    "attributes": {"priors": 2, "score": 0.5, "veteran": True, "unit": "north"},
}

SCHEMA = offramp.json_schema("encounter")


def test_the_sample_has_every_field_of_the_schema() -> None:
    assert sorted(FULL) == sorted(SCHEMA["properties"])
    assert sorted(_offramp._encounter_fields()) == sorted(SCHEMA["properties"])


def expected() -> Dict[str, Any]:
    return offramp.Encounter.from_json(json.dumps(FULL)).to_dict()


def test_every_way_in_reads_every_field_alike() -> None:
    want = expected()
    assert sorted(want) == sorted(SCHEMA["properties"])
    ways: Dict[str, Any] = {
        "constructor": offramp.Encounter(**FULL),
        "from_dict": offramp.Encounter.from_dict(FULL),
        "list": _offramp._read_encounters([FULL])[0],
        "list of JSON": _offramp._read_encounters([json.dumps(FULL)])[0],
        "pyarrow": _offramp._read_encounters(to_table([FULL]))[0],
    }
    for name, enc in ways.items():
        assert enc.to_dict() == want, name


def test_python_values_the_quick_reader_leaves_to_the_core() -> None:
    # Aware datetimes, tuples and enum members: read through the JSON form.
    given = dict(
        FULL,
        at=datetime.datetime.fromisoformat(FULL["at"]),
        needs=(offramp.Need.SUD, "homelessness"),
        responder=offramp.Responder.LAW_ENFORCEMENT,
        age=34.0,
        intercept=offramp.Intercept.LAW_ENFORCEMENT,
    )
    assert _offramp._read_encounters([given])[0].to_dict() == expected()


def test_an_arrow_timestamp_column_and_whole_floats() -> None:
    import pyarrow as pa

    table = to_table([FULL])
    at = pa.array([datetime.datetime.fromisoformat(FULL["at"])], pa.timestamp("us", "-08:00"))
    table = table.set_column(table.schema.get_field_index("at"), "at", at)
    age = pa.array([34.0], pa.float64())
    table = table.set_column(table.schema.get_field_index("age"), "age", age)
    [enc] = _offramp._read_encounters(table)
    assert enc.to_dict() == expected()


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_data_frames_read_every_field(library: str) -> None:
    lib = need(library)
    frame = lib.DataFrame([FULL])
    [enc] = _offramp._read_encounters(frame, ["priors"])
    assert enc.to_dict() == expected()


def test_a_bad_field_is_named_alike_on_every_way_in() -> None:
    bad = dict(FULL, offenses=[{"nibrs": "35A", "level": "misdemeanour"}])
    messages: List[str] = []
    for data in ([bad], to_table([bad])):
        with pytest.raises(offramp.EncounterError) as e:
            _offramp._read_encounters(data)
        assert e.value.field == "offenses[0].level"
        messages.append(str(e.value))
    with pytest.raises(offramp.EncounterError) as e:
        offramp.Encounter.from_dict(bad)
    assert e.value.field == "offenses[0].level"
    assert messages[0] == messages[1]


def test_the_constructor_and_getters_cover_the_schema() -> None:
    import inspect

    if sys.version_info < (3, 10):
        # CPython 3.9 reads no signature from a class defined in C (pyo3 gives it none to
        # read there); the newer interpreters of the test command check it.
        pytest.skip("no constructor signature to read under CPython 3.9")
    params = inspect.signature(offramp.Encounter).parameters
    assert sorted(params) == sorted(SCHEMA["properties"])
    for name in SCHEMA["properties"]:
        assert hasattr(offramp.Encounter, name), name


def test_the_stub_constructor_covers_the_schema() -> None:
    stub = ROOT / "bindings" / "python" / "python" / "offramp" / "_offramp.pyi"
    tree = ast.parse(stub.read_text(encoding="utf-8"))
    [cls] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Encounter"]
    [new] = [n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__new__"]
    names = [a.arg for a in new.args.args[1:] + new.args.kwonlyargs]
    assert sorted(names) == sorted(SCHEMA["properties"])
    getters = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    assert set(SCHEMA["properties"]) <= getters


def test_offence_facts_read_from_their_enums() -> None:
    # Issue 11: the offence facts have Python enums, read like the others; a member, its name
    # and its NIBRS letter are the same value.
    assert offramp.CriminalActivity("possessing") is offramp.CriminalActivity.POSSESSING
    with_members = json.loads(json.dumps(FULL))
    with_members["offenses"][0].update(
        activity=[offramp.CriminalActivity.POSSESSING, offramp.CriminalActivity.USING],
        drug_types=[offramp.DrugType.HEROIN],
        quantity={"amount": 0.5, "unit": offramp.DrugUnit.GRAM},
    )
    assert offramp.Encounter.from_dict(with_members).to_dict() == expected()
    assert offramp.Encounter(**with_members).to_dict() == expected()


def test_a_null_history_in_a_table_is_not_recorded() -> None:
    # A history left out of one row of a table is unknown for that row, as it is in a dict,
    # not an empty (known, clean) record: Leon County's first-time rule reads the difference.
    rows = [
        {"id": "h-1", "at": "2026-03-02T14:05:00-08:00", "history": [{"kind": "arrest", "date": "2020-01-15"}]},
        {"id": "h-2", "at": "2026-03-02T14:05:00-08:00"},
        {"id": "h-3", "at": "2026-03-02T14:05:00-08:00", "history": []},
    ]
    table = to_table(rows)
    read = [e.history for e in _offramp._read_encounters(table)]
    assert read == [offramp.Encounter.from_dict(r).history for r in rows]
    assert read[1] is None and read[2] == []
