"""route_many: every input kind, row by row equal to route, and equal to `offramp route`."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from typing import Any, Dict, List

import pyarrow as pa
import pytest

import offramp
from conftest import ENCOUNTERS, EXAMPLES, LEAD_ENCOUNTER, PROVIDERS, need, program_path, read_jsonl, run_cli, same, to_table


def check_rows(table: pa.Table, decisions: List[offramp.Decision]) -> None:
    """The table holds exactly the decisions, one row per eligible pathway."""
    rows = table.to_pylist()
    i = 0
    for k, d in enumerate(decisions):
        for j in range(max(1, len(d.eligible))):
            row = rows[i]
            i += 1
            e = d.eligible[j] if d.eligible else None
            assert row["row"] == k
            assert row["encounter_id"] == d.encounter_id
            assert row["program_id"] == d.program.id
            assert row["intercept"] == d.intercept
            assert row["disposition"] == d.disposition
            assert row["pathway"] == (e.pathway if e else None)
            assert row["rank"] == (e.rank if e else None)
            assert row["rule"] == (e.rule if e else None)
            hold = e.charge_hold if e else None
            assert row["charge_hold_term"] == (hold.term if hold else None)
            assert row["charge_hold_deadline"] == (hold.deadline if hold else None)
            gap = e.provider_gap if e else None
            assert row["provider_gap"] == (gap.message if gap else None)
            options = e.providers if e else None
            if options is None:
                assert row["providers"] is None
            else:
                assert [o["service_id"] for o in row["providers"]] == [o.service_id for o in options]
                assert [o["open_now"] for o in row["providers"]] == [o.open_now for o in options]
                assert [o["reasons"] for o in row["providers"]] == [o.reasons for o in options]
                assert [o["next_open"] for o in row["providers"]] == [o.next_open for o in options]
            reasons = [
                {"pathway": i.pathway.value, "rule": r.rule, "clause": r.clause, "because": r.because}
                for i in d.ineligible
                for r in i.reasons
            ]
            assert row["ineligible"] == reasons
            assert row["warnings"] == [{"code": w.code.value, "message": w.message} for w in d.warnings]
    assert i == table.num_rows


@pytest.mark.parametrize("name", sorted(EXAMPLES))
@pytest.mark.parametrize("with_providers", [False, True])
def test_examples_route_many_equals_route_equals_cli(name: str, with_providers: bool) -> None:
    program = offramp.Program.from_file(program_path(name))
    providers = PROVIDERS / EXAMPLES[name]
    router = offramp.Router(program, providers if with_providers else None)
    lines = read_jsonl(ENCOUNTERS / f"{name}.jsonl")
    decisions = [router.route(line) for line in lines]
    encounters = [json.loads(line) for line in lines]
    table = router.route_many(encounters)
    check_rows(table, decisions)
    assert same(router.route_many(to_table(encounters)), table)
    assert same(router.route_many([offramp.Encounter.from_json(line) for line in lines]), table)

    args = ["route", "--program", str(program_path(name))]
    if with_providers:
        args += ["--providers", str(providers)]
    out = run_cli(*args, str(ENCOUNTERS / f"{name}.jsonl"))
    assert out.returncode == 0, out.stderr
    cli = [line for line in out.stdout.splitlines() if line.strip()]
    assert cli == [d.to_json() for d in decisions]


def test_bad_lines_match_the_cli(lead_router: offramp.Router) -> None:
    out = run_cli("route", "--program", str(program_path("lead-king-county")), str(ENCOUNTERS / "bad-lines.jsonl"))
    assert out.returncode == 1
    ours = []
    for line in (ENCOUNTERS / "bad-lines.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        try:
            ours.append(lead_router.route(line).to_json())
        except offramp.EncounterError:
            pass
    assert [line for line in out.stdout.splitlines() if line.strip()] == ours


def test_empty_input(lead_router: offramp.Router) -> None:
    empty = lead_router.route_many([])
    assert empty.num_rows == 0 and empty.column_names == lead_router.columns
    schema_only = pa.table({"id": pa.array([], pa.string()), "at": pa.array([], pa.string())})
    assert lead_router.route_many(schema_only).num_rows == 0


def test_record_batches_and_many_chunks(lead_router: offramp.Router) -> None:
    rows = [dict(LEAD_ENCOUNTER, id=f"e-{i}", age=16 + i % 40) for i in range(10_000)]
    table = pa.Table.from_pylist(rows)
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=777))
    expected = lead_router.route_many(rows)
    assert same(lead_router.route_many(chunked), expected)
    assert lead_router.route_many(table.to_batches()[0]).num_rows == expected.num_rows
    assert same(lead_router.route_many(iter(rows)), expected)
    assert expected.column("row").to_pylist()[-1] == 9_999


def test_dictionary_and_timestamp_columns(lead_router: offramp.Router) -> None:
    rows = [dict(LEAD_ENCOUNTER, id=f"e-{i}") for i in range(50)]
    plain = lead_router.route_many(rows)
    table = pa.Table.from_pylist(rows)
    encoded = table.set_column(
        table.schema.get_field_index("responder"), "responder", table.column("responder").dictionary_encode()
    )
    at = pa.array([dt.datetime(2026, 3, 2, 22, 5, tzinfo=dt.timezone.utc)] * 50, pa.timestamp("us", tz="America/Los_Angeles"))
    encoded = encoded.set_column(encoded.schema.get_field_index("at"), "at", at)
    large = encoded.cast(
        pa.schema([f.with_type(pa.large_string()) if f.name == "id" else f for f in encoded.schema])
    )
    assert same(lead_router.route_many(large), plain)


def test_pandas_dataframe(lead_router: offramp.Router) -> None:
    pd = need("pandas")
    rows: List[Dict[str, Any]] = [dict(LEAD_ENCOUNTER, id=f"e-{i}") for i in range(20)]
    rows[3] = {k: v for k, v in rows[3].items() if k != "age"}  # a gap makes the column float
    df = pd.DataFrame(rows)
    assert df["age"].dtype.kind == "f"
    expected = lead_router.route_many(rows)
    assert same(lead_router.route_many(df), expected)
    # Row by row from the same frame agrees too.
    singles = [lead_router.route(r) for r in df.to_dict("records")]
    check_rows(expected, singles)
    # The result is ready for pandas.
    summary = expected.to_pandas()
    assert list(summary["disposition"].unique()) == ["pre_arrest_diversion"]
    # A frame whose columns pyarrow cannot type still routes, row by row.
    mixed = pd.DataFrame({"id": ["a", "b"], "at": ["2026-03-02T14:05:00-08:00"] * 2, "age": [30, "x"]})
    with pytest.raises(offramp.EncounterError) as info:
        lead_router.route_many(mixed)
    assert info.value.row == 1 and info.value.field == "age"


def test_polars_dataframe(lead_router: offramp.Router) -> None:
    pl = need("polars")
    rows = [dict(LEAD_ENCOUNTER, id=f"e-{i}", age=20 + i) for i in range(20)]
    df = pl.DataFrame(rows)
    assert same(lead_router.route_many(df), lead_router.route_many(rows))
    back = pl.from_arrow(lead_router.route_many(df))
    assert back.height == 20  # type: ignore[union-attr]


def test_route_many_releases_the_interpreter(lead_router: offramp.Router) -> None:
    rows = [dict(LEAD_ENCOUNTER, id=f"e-{i}") for i in range(1000)]
    table = pa.Table.from_pylist(rows * 300)
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    try:
        start = ticks
        lead_router.route_many(table)
        during = ticks - start
    finally:
        done.set()
        t.join()
    assert during > 0


def test_route_from_threads(lead_router: offramp.Router) -> None:
    results: List[str] = []

    def work() -> None:
        for _ in range(200):
            results.append(lead_router.route(LEAD_ENCOUNTER).to_json())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 800
