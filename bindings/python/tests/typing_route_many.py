"""Checked by ``mypy --strict`` in ``scripts/test-python``, not run: ``route_many`` and
``offramp.sim`` take the table and sequence types they accept, and refuse others (with
``warn_unused_ignores``, an ignore that is not needed fails the check, so ``Any`` would too)."""

from typing import Any, Dict, List

import pandas as pd
import polars as pl
import pyarrow as pa

import offramp
import offramp.sim


def accepted(router: offramp.Router, scenario: offramp.sim.Scenario) -> None:
    rows: List[Dict[str, Any]] = [{"id": "a", "at": "2026-01-01T00:00:00Z", "needs": ["sud"]}]
    table = pa.Table.from_pylist(rows)
    router.route_many(rows)
    router.route_many([{"id": "a", "at": "2026-01-01T00:00:00Z", "age": 30}])
    router.route_many([offramp.Encounter.from_dict(r) for r in rows])
    router.route_many(offramp.Encounter.from_dict(r) for r in rows)
    router.route_many(table)
    router.route_many(table.to_batches()[0])
    router.route_many(table.to_reader())
    router.route_many(pd.DataFrame(rows))
    router.route_many(pl.DataFrame(rows))
    decisions, failures = router.route_many(rows, errors="collect")
    _: int = decisions.num_rows + failures.num_rows
    router.route_many(rows, shape="decisions")
    router.route_many(table, shape="pathways")
    one_each, failed = router.route_many(rows, errors="collect", shape="decisions")
    trace: offramp.Trace = router.trace(rows[0])
    needs: List[str] = [n.field for n in router.route(rows[0]).needs_information]
    offramp.sim.run(scenario, encounters=table)
    offramp.sim.run(scenario, encounters=rows)


def refused(router: offramp.Router, scenario: offramp.sim.Scenario) -> None:
    router.route_many(3)  # type: ignore[call-overload]
    router.route_many([], errors="skip")  # type: ignore[call-overload]
    router.route_many([], shape="rows")  # type: ignore[call-overload]
    router.route_many({"id": "a", "at": "2026-01-01T00:00:00Z"})  # type: ignore[dict-item]
    router.route_many(["{}"])  # type: ignore[list-item]
    offramp.sim.run(scenario, encounters=3)  # type: ignore[arg-type]


def errors() -> None:
    from offramp.sim import SimulationError

    try:
        offramp.sim.Scenario.from_toml("")
    except SimulationError as e:
        print(e.field)
