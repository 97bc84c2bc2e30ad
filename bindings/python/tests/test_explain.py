"""Decisions that explain themselves (issue 12): intercept basis, what is missing to decide,
the evidence behind each reason, traces, and route_many's one-row-per-encounter shape."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pyarrow as pa
import pytest

import offramp
from conftest import ENCOUNTERS, LEAD_ENCOUNTER, need, program_path, read_jsonl, run_cli, same

# An overdose follow-up eight days after the overdose: QRT's window is seven days.
QRT_LATE = {
    "id": "e-7",
    "at": "2026-03-09T10:00:00-05:00",
    "responder": "peer",
    "source": "overdose_follow_up",
    "overdose": {"at": "2026-03-01T10:00:00-05:00", "naloxone": True},
}

# A drug offence and a shoplifting: LEAD's "all offenses (drug)" fails on the second.
LEAD_TWO_OFFENSES = dict(
    LEAD_ENCOUNTER,
    id="e-2",
    offenses=[
        {"nibrs": "35A", "level": "misdemeanor", "violent": False},
        {"nibrs": "23C", "level": "misdemeanor", "violent": False},
    ],
)


@pytest.fixture(scope="module")
def qrt_router() -> offramp.Router:
    return offramp.Router(offramp.Program.from_file(program_path("qrt-hamilton-county")))


# ------------------------------------------------------------------ the decision's new fields


def test_decision_has_intercept_basis_and_needs_information(lead_router: offramp.Router) -> None:
    d = lead_router.route(LEAD_ENCOUNTER)
    assert d.intercept_basis is offramp.InterceptBasis.POLICE_RESPONDER
    # No history recorded: LEAD's serious-violent-history exclusion could change the decision.
    [need_history] = d.needs_information
    assert need_history.field == "history"
    assert need_history.pathways == [offramp.Pathway.OFFICER_INTERVENTION]
    assert need_history.exclusions == ["serious-violent-history"]
    assert "officer intervention" in need_history.decides()
    assert d.to_dict()["needs_information"] == [need_history.to_dict()]
    assert d.to_dict()["intercept_basis"] == "police_responder"
    assert "needs [history]" in repr(d)
    # With the history recorded there is nothing left to ask.
    known = lead_router.route(dict(LEAD_ENCOUNTER, history=[]))
    assert known.needs_information == []
    assert "needs" not in repr(known)


def test_intercept_basis_follows_the_responder(lead_router: offramp.Router) -> None:
    basis = offramp.InterceptBasis
    cases: List[tuple[Dict[str, Any], offramp.InterceptBasis]] = [
        ({"responder": "co_responder"}, basis.CO_RESPONDER),
        ({"responder": "peer"}, basis.COMMUNITY_RESPONDER),
        ({"source": "on_view"}, basis.ASSUMED_POLICE),
        ({}, basis.ASSUMED_COMMUNITY),
        ({"intercept": 0, "responder": "law_enforcement"}, basis.GIVEN),
    ]
    for extra, expected in cases:
        d = lead_router.route({"id": "b", "at": "2026-03-02T14:05:00-08:00", **extra})
        assert d.intercept_basis is expected, extra


def test_new_fields_take_part_in_equality_and_round_trips(lead_router: offramp.Router) -> None:
    d = lead_router.route(LEAD_TWO_OFFENSES)
    assert offramp.Decision.from_json(d.to_json()) == d
    assert offramp.Decision.from_dict(d.to_dict()) == d
    needs = lead_router.route(LEAD_ENCOUNTER)
    changed = needs.to_dict()
    assert changed["needs_information"] != []
    changed["needs_information"] = []
    assert offramp.Decision.from_dict(changed) != needs
    changed = d.to_dict()
    changed["intercept_basis"] = "assumed_police"
    assert offramp.Decision.from_dict(changed) != d
    changed = d.to_dict()
    changed["ineligible"][0]["reasons"][0]["evidence"]["parts"] = []
    assert offramp.Decision.from_dict(changed) != d


def test_reason_evidence_names_the_deciding_offence(lead_router: offramp.Router) -> None:
    d = lead_router.route(LEAD_TWO_OFFENSES)
    [officer] = [i for i in d.ineligible if i.pathway is offramp.Pathway.OFFICER_INTERVENTION]
    [reason] = officer.reasons
    ev = reason.evidence
    assert ev is not None
    assert ev.result is offramp.Truth.FALSE
    assert ev.clause.startswith("all offenses")
    # The item that broke `all`: the shoplifting, by position, code and name only.
    [item] = ev.parts
    assert item.offense is not None
    assert (item.offense.index, item.offense.nibrs, item.offense.name) == (1, "23C", "Shoplifting")
    assert item.result is offramp.Truth.FALSE
    # Each failing alternative, with the value read and the limit.
    first = item.parts[0]
    assert (first.clause, first.field, first.value, first.limit) == ('nibrs == "40A"', "nibrs", "23C", "40A")
    assert first.offense is None and first.event is None and first.parts == []
    assert "offence 2 (23C, Shoplifting)" in ev.detail()
    assert reason.to_dict()["evidence"] == ev.to_dict()
    assert "Shoplifting" in reason.because


def test_a_reason_that_is_no_clause_has_no_evidence(lead_router: offramp.Router) -> None:
    d = lead_router.route(dict(LEAD_ENCOUNTER, offenses=[]))
    [officer] = [i for i in d.ineligible if i.pathway is offramp.Pathway.OFFICER_INTERVENTION]
    chargeable = [r for r in officer.reasons if r.rule == "officer_intervention.chargeable"]
    assert chargeable and chargeable[0].evidence is None
    assert "evidence" not in chargeable[0].to_dict()


# ------------------------------------------------------------------------------------ traces


def test_trace_shows_the_value_and_the_limit(qrt_router: offramp.Router) -> None:
    trace = qrt_router.trace(QRT_LATE)
    assert trace.decision == qrt_router.route(QRT_LATE)
    [pathway] = trace.pathways
    assert pathway.pathway is offramp.Pathway.NALOXONE_PLUS
    assert pathway.responder is offramp.Truth.TRUE
    rule = pathway.rules[0]
    assert rule.result is offramp.Truth.FALSE
    [window] = [c for c in rule.clauses if c.clause.startswith("since")]
    assert (window.clause, window.value, window.limit) == ("since overdose.at <= 7d", "8d", "7d")
    assert window.result is offramp.Truth.FALSE
    # Every clause is there, the true ones too.
    assert [c.result for c in rule.clauses].count(offramp.Truth.TRUE) >= 1
    assert "[value 8d; limit 7d]" in trace.explain()
    assert trace.to_dict() == json.loads(trace.to_json())
    assert trace.to_dict()["decision"] == trace.decision.to_dict()


def test_trace_names_offences_by_reference(lead_router: offramp.Router) -> None:
    trace = lead_router.trace(LEAD_TWO_OFFENSES)
    assert [(o.offense.index, o.offense.nibrs, o.chargeable) for o in trace.offenses] == [
        (0, "35A", True),
        (1, "23C", True),
    ]
    assert trace.offenses[1].offense.name == "Shoplifting"
    assert [x.id for x in trace.exclusions][:1] == ["violent-offense"]
    [officer] = [p for p in trace.pathways if p.pathway is offramp.Pathway.OFFICER_INTERVENTION]
    [all_drug] = [c for c in officer.rules[0].clauses if c.clause.startswith("all offenses")]
    # A trace keeps every item of a quantifier, each with its offence.
    refs = [p.offense for p in all_drug.parts]
    assert [(r.index, r.nibrs) for r in refs if r is not None] == [(0, "35A"), (1, "23C")]
    assert [p.result for p in all_drug.parts] == [offramp.Truth.TRUE, offramp.Truth.FALSE]
    # History was not recorded: the exclusion's clause is unknown and names the field.
    [history] = [x for x in trace.exclusions if x.id == "serious-violent-history"]
    assert history.result is offramp.Truth.UNKNOWN
    assert history.clauses[0].field == "history" and history.clauses[0].value is None


def test_trace_equals_the_commands_trace(lead_router: offramp.Router) -> None:
    text = json.dumps(LEAD_TWO_OFFENSES)
    out = run_cli("explain", "--program", str(program_path("lead-king-county")), "--trace", "--format", "json", text)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == lead_router.trace(LEAD_TWO_OFFENSES).to_dict()


def test_trace_refuses_a_bad_encounter_like_route(lead_router: offramp.Router) -> None:
    with pytest.raises(offramp.EncounterError) as info:
        lead_router.trace({"id": "x", "at": "2026-03-02T14:05:00-08:00", "age": "old"})
    assert info.value.field == "age"


# ---------------------------------------------------------------- route_many(shape=...)


def lead_rows() -> List[Dict[str, Any]]:
    rows: List[Dict[str, Any]] = [json.loads(line) for line in read_jsonl(ENCOUNTERS / "lead-king-county.jsonl")]
    # Some with no eligible pathway, some with two or more, some missing information.
    rows.append({"id": "nothing", "at": "2026-03-02T14:05:00-08:00", "responder": "fire"})
    rows.append(dict(LEAD_ENCOUNTER, id="needs-history"))
    return rows


def test_decisions_shape_is_one_row_per_encounter(lead_router: offramp.Router) -> None:
    rows = lead_rows()
    decisions = [lead_router.route(r) for r in rows]
    table = lead_router.route_many(rows, shape="decisions")
    assert table.num_rows == len(rows)
    assert table.schema.metadata[b"offramp.program_id"] == b"lead-king-county"
    for k, (row, d) in enumerate(zip(table.to_pylist(), decisions)):
        assert row["row"] == k
        assert row["encounter_id"] == d.encounter_id
        assert row["intercept"] == d.intercept
        assert row["intercept_basis"] == d.intercept_basis
        assert row["disposition"] == d.disposition
        assert row["pathways"] == d.pathways
        assert row["pathway"] == (d.pathways[0] if d.pathways else None)
        assert row["rule"] == (d.eligible[0].rule if d.eligible else None)
        assert row["needs_information"] == [n.field for n in d.needs_information]
        assert row["ineligible"] == [
            {"pathway": i.pathway.value, "rule": r.rule, "clause": r.clause, "because": r.because}
            for i in d.ineligible
            for r in i.reasons
        ]
        assert row["warnings"] == [{"code": w.code.value, "message": w.message} for w in d.warnings]
    last = table.to_pylist()[-2:]
    # No eligible pathway: one row, an empty list and a null first pathway.
    assert last[0]["encounter_id"] == "nothing"
    assert last[0]["pathways"] == [] and last[0]["pathway"] is None and last[0]["disposition"] == "none"
    assert last[1]["needs_information"] == ["history"]


def test_counting_dispositions_on_the_decisions_shape(lead_router: offramp.Router) -> None:
    pd = need("pandas")
    rows = lead_rows()
    by_decision = lead_router.route_many(rows, shape="decisions").to_pandas()
    counts = by_decision.groupby("disposition", observed=True).size()
    assert int(counts.sum()) == len(rows)
    expected = pd.Series([lead_router.route(r).disposition.value for r in rows]).value_counts()
    assert {str(k): int(v) for k, v in counts.items()} == {str(k): int(v) for k, v in expected.items()}
    # The pathways shape has a row per eligible pathway: it over-counts whenever an encounter
    # is eligible for more than one.
    by_pathway = lead_router.route_many(rows)
    extra = sum(max(0, len(lead_router.route(r).eligible) - 1) for r in rows)
    assert by_pathway.num_rows == len(rows) + extra


def test_pathways_stays_the_default(lead_router: offramp.Router) -> None:
    rows = lead_rows()
    assert same(lead_router.route_many(rows), lead_router.route_many(rows, shape="pathways"))
    assert lead_router.route_many(rows).column_names == lead_router.columns


def test_every_input_kind_gives_the_same_decisions_table(lead_router: offramp.Router) -> None:
    rows = [dict(LEAD_ENCOUNTER, id=f"e-{i}", age=20 + i) for i in range(12)]
    rows.append({"id": "nothing", "at": "2026-03-02T14:05:00-08:00", "responder": "fire"})
    expected = lead_router.route_many(rows, shape="decisions")
    table = pa.Table.from_struct_array(pa.array(rows))
    inputs: List[Any] = [
        [offramp.Encounter.from_dict(r) for r in rows],
        [json.dumps(r) for r in rows],
        table,
        table.combine_chunks().to_batches()[0],
        pa.RecordBatchReader.from_batches(table.schema, table.to_batches()),
    ]
    for data in inputs:
        assert same(lead_router.route_many(data, shape="decisions"), expected), type(data)
    pd = need("pandas")
    assert same(lead_router.route_many(pd.DataFrame(rows), shape="decisions"), expected)
    pl = need("polars")
    plain = [dict(LEAD_ENCOUNTER, id=f"e-{i}", age=20 + i) for i in range(12)]
    assert same(
        lead_router.route_many(pl.DataFrame(plain), shape="decisions"),
        lead_router.route_many(plain, shape="decisions"),
    )


def test_decisions_shape_with_errors_collect(lead_router: offramp.Router) -> None:
    rows: List[Dict[str, Any]] = [
        dict(LEAD_ENCOUNTER, id="a"),
        {"id": "bad", "at": "1850-01-01T00:00:00Z"},
        {"id": "nothing", "at": "2026-03-02T14:05:00-08:00", "responder": "fire"},
    ]
    for data in (rows, pa.Table.from_struct_array(pa.array(rows))):
        decisions, failures = lead_router.route_many(data, errors="collect", shape="decisions")
        assert decisions.column("row").to_pylist() == [0, 2]
        assert decisions.column("encounter_id").to_pylist() == ["a", "nothing"]
        assert failures.column("row").to_pylist() == [1]
        assert failures.column("field").to_pylist() == ["at"]


def test_an_empty_input_keeps_the_decisions_columns(lead_router: offramp.Router) -> None:
    empty = lead_router.route_many([], shape="decisions")
    assert empty.num_rows == 0
    assert empty.column_names == [
        "row",
        "encounter_id",
        "program_id",
        "intercept",
        "intercept_basis",
        "disposition",
        "pathway",
        "rule",
        "pathways",
        "needs_information",
        "ineligible",
        "warnings",
    ]


def test_an_unknown_shape_names_the_keyword(lead_router: offramp.Router) -> None:
    for bad in ("rows", "Decisions", ""):
        with pytest.raises(ValueError) as info:
            lead_router.route_many([LEAD_ENCOUNTER], shape=bad)  # type: ignore[call-overload]
        message = str(info.value)
        assert "shape" in message and '"decisions"' in message and '"pathways"' in message
        assert not isinstance(info.value, offramp.OfframpError)
