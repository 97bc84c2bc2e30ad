"""Hostile input at every entry point: damaged programs, directories, scenarios and tables.

Each test feeds inputs a careless or malicious caller could send and counts what came back.
The only acceptable failure is an ``offramp.OfframpError`` (or one of its subclasses): no crash
of the interpreter, no bare ``Exception``, no ``OverflowError`` or ``KeyError`` leaking from
inside. The tallies are checked at the end of each test, so a run that never reached a path
fails too.
"""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any, Callable, Counter, Dict, List, Tuple

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import offramp
from offramp import sim
from conftest import PROGRAMS, PROVIDERS, ROOT, example_program_names, program_path

PROGRAM_TEXTS = sorted(p.read_text() for p in PROGRAMS.glob("*.toml"))
PROGRAM_JSONS = sorted(offramp.Program.from_toml(t).to_json() for t in PROGRAM_TEXTS)
DIRECTORY_TEXTS = sorted(p.read_text() for p in PROVIDERS.glob("*.json"))
SCENARIO_TEXTS = sorted(p.read_text() for p in (ROOT / "examples" / "scenarios").glob("*.toml"))
ROUTER = offramp.Router(offramp.Program.from_file(program_path("lead-king-county")))

# Pieces that make damage interesting: structure, quotes, escapes, huge and odd numbers,
# dates at the edge of the calendar, control characters, operators of the rules language.
NOISE = st.sampled_from([
    "", "[", "]", "{", "}", '"', "'", "\\", "\\u0000", "\n", "\x00", "\x1b[31m", "=", ",",
    "[[pathways]]", "[[pathways.rules]]", "when = ", "and", "or", "not", "(", ")",
    "99999999999d", "-1", "1e309", "NaN", "18446744073709551616", "-262143-01-01T00:00:00Z",
    "9999-12-31T23:59:60Z", "any offenses (", "attributes.", "race_code", "\u202e", "é",
])


@st.composite
def damaged(draw: Callable[..., Any], texts: List[str]) -> str:
    """A real file with a few cuts, insertions and repeats at positions Hypothesis picks."""
    text = draw(st.sampled_from(texts))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        n = len(text)
        i = draw(st.integers(min_value=0, max_value=n))
        j = draw(st.integers(min_value=i, max_value=min(n, i + 200)))
        kind = draw(st.sampled_from(["cut", "insert", "repeat"]))
        if kind == "cut":
            text = text[:i] + text[j:]
        elif kind == "insert":
            piece = draw(st.one_of(NOISE, st.text(max_size=12)))
            text = text[:i] + piece + text[i:]
        else:
            text = text[:j] + text[i:j] * draw(st.integers(min_value=1, max_value=3)) + text[j:]
    return text


def attempt(tally: Counter[str], call: Callable[[], Any]) -> None:
    """Runs one call and counts how it ended; anything but success or OfframpError fails."""
    try:
        call()
    except offramp.OfframpError:
        tally["offramp_error"] += 1
    except BaseException as e:  # noqa: BLE001 - the point is to catch what should not happen
        raise AssertionError(f"{type(e).__name__} escaped instead of an OfframpError: {e}") from e
    else:
        tally["ok"] += 1


SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PROGRAM_TALLY: Counter[str] = collections.Counter()


@SETTINGS
@given(text=damaged(PROGRAM_TEXTS))
def test_damaged_program_toml(text: str) -> None:
    attempt(PROGRAM_TALLY, lambda: offramp.Program.from_toml(text, "damaged.toml"))


@SETTINGS
@given(text=damaged(PROGRAM_JSONS))
def test_damaged_program_json(text: str) -> None:
    attempt(PROGRAM_TALLY, lambda: offramp.Program.from_json(text, "damaged.json"))


def test_damaged_programs_reached_both_outcomes() -> None:
    # Run after the two above (pytest keeps file order): damage must both load and be refused.
    if PROGRAM_TALLY:
        assert PROGRAM_TALLY["offramp_error"] > 0, PROGRAM_TALLY


def test_flat_and_deep_rules_never_crash_the_interpreter(tmp_path: Path) -> None:
    # A 10,000-term `or` chain once overflowed the stack (a segfault from Python); deep
    # parentheses must be refused with a position, never recursed into without bound.
    base = PROGRAM_TEXTS[0]
    flat = " or ".join(["age > 1"] * 10_000)
    deep = "(" * 5_000 + "age > 1" + ")" * 5_000
    for when in (flat, deep, "not " * 5_000 + "age > 1"):
        text = (
            '[program]\nid = "hostile"\ntimezone = "America/Chicago"\n'
            '[[pathways]]\npathway = "officer_intervention"\n'
            f'[[pathways.rules]]\nid = "r"\nwhen = "{when}"\n'
        )
        tally: Counter[str] = collections.Counter()
        attempt(tally, lambda: offramp.Program.from_toml(text, "hostile.toml"))
        path = tmp_path / "hostile.toml"
        path.write_text(text)
        attempt(tally, lambda: offramp.check(path))
        assert sum(tally.values()) == 2
    assert base  # the examples were read


DIRECTORY_TALLY: Counter[str] = collections.Counter()


@SETTINGS
@given(text=damaged(DIRECTORY_TEXTS))
def test_damaged_hsds_directories(text: str) -> None:
    attempt(DIRECTORY_TALLY, lambda: offramp.Directory.from_hsds_json(text, "damaged.json"))


@SETTINGS
@given(text=damaged(SCENARIO_TEXTS))
def test_damaged_scenarios(text: str) -> None:
    tally: Counter[str] = collections.Counter()
    attempt(tally, lambda: sim.Scenario.from_toml(text, "damaged.toml"))


# Tables: columns with names a records system might send and types it should not.
COLUMN_NAMES = st.sampled_from([
    "id", "at", "responder", "source", "needs", "offenses", "flags", "age", "language",
    "consent", "location", "intercept", "overdose", "attributes", "officer_note", "", "id ",
])


@st.composite
def columns(draw: Callable[..., Any], rows: int) -> Tuple[str, pa.Array]:
    name = draw(COLUMN_NAMES)
    kind = draw(st.sampled_from(["null", "int", "bigint", "float", "text", "bool", "list", "struct", "time"]))
    if kind == "null":
        return name, pa.nulls(rows)
    if kind == "int":
        return name, pa.array(draw(st.lists(st.integers(-(2**31), 2**31 - 1), min_size=rows, max_size=rows)), pa.int32())
    if kind == "bigint":
        return name, pa.array(draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=rows, max_size=rows)), pa.int64())
    if kind == "float":
        return name, pa.array(draw(st.lists(st.floats(), min_size=rows, max_size=rows)), pa.float64())
    if kind == "text":
        words = st.one_of(st.text(max_size=10), NOISE, st.sampled_from(["sud", "law_enforcement", "2026-03-02T14:05:00-08:00"]))
        return name, pa.array(draw(st.lists(st.one_of(st.none(), words), min_size=rows, max_size=rows)), pa.string())
    if kind == "bool":
        return name, pa.array(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)), pa.bool_())
    if kind == "list":
        return name, pa.array(draw(st.lists(st.lists(st.text(max_size=6), max_size=3), min_size=rows, max_size=rows)), pa.list_(pa.string()))
    if kind == "struct":
        return name, pa.array([{"nibrs": "35A", "level": draw(st.text(max_size=6))} for _ in range(rows)])
    return name, pa.array(draw(st.lists(st.integers(-(2**62), 2**62), min_size=rows, max_size=rows)), pa.timestamp("us", tz="UTC"))


@st.composite
def tables(draw: Callable[..., Any]) -> pa.Table:
    rows = draw(st.integers(min_value=0, max_value=4))
    cols = draw(st.lists(columns(rows), min_size=1, max_size=6))
    names = [n for n, _ in cols]
    arrays = [a for _, a in cols]
    # Duplicated names are allowed through here on purpose: the reader must refuse them.
    return pa.Table.from_arrays(arrays, names=names)


TABLE_TALLY: Counter[str] = collections.Counter()


@SETTINGS
@given(table=tables())
def test_hostile_tables_to_route_many(table: pa.Table) -> None:
    attempt(TABLE_TALLY, lambda: ROUTER.route_many(table))


@SETTINGS
@given(rows=st.lists(st.dictionaries(COLUMN_NAMES, st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=8), NOISE)), max_size=5))
def test_hostile_dict_lists_to_route_many(rows: List[Dict[str, Any]]) -> None:
    attempt(TABLE_TALLY, lambda: ROUTER.route_many(rows))


def test_every_example_program_still_loads() -> None:
    # The damage strategies start from these; if one stopped loading, the tests above would
    # only ever see errors.
    for name in example_program_names():
        offramp.Program.from_file(program_path(name))
