"""The workload that trains the profile-guided build of the extension (scripts/lib/pgo-python).

It runs what users run, on the repository's examples, with an instrumented `offramp` wheel
installed: the simulation on both example scenarios as configured (with their places) and on
the LEAD one resized as benches/simpy_compare.py resizes it, every result table read as CSV and
as Arrow, and the router over the example encounters one by one (`route`, `explain`, `trace`)
and in batches (`route_many`, both shapes). It takes seconds; the instrumented extension writes
its counts to the folder that `-Cprofile-generate` named when the process exits.

    python bindings/python/pgo/train.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import offramp
import offramp.sim

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"

# (program, partner directory, encounters) for the router.
ROUTING = [
    ("lead-king-county", "king-county", "lead-king-county"),
    ("qrt-hamilton-county", "hamilton-county", "qrt-hamilton-county"),
    ("harvey-pd", "harvey-il", "harvey-pd"),
]


def simulate() -> int:
    """Runs the scenarios and reads every table; returns the number of runs."""
    runs = 0
    for name in ("lead-king-county", "qrt-hamilton-county"):
        scenario = offramp.sim.Scenario.from_file(EXAMPLES / "scenarios" / f"{name}.toml")
        # As configured (places, warm-up, one year), with a few replications.
        results = offramp.sim.run(scenario, seed=1, replications=3)
        for table in offramp.sim.TABLES:
            results.csv(table)
        results.tables()
        results.report()
        runs += 1
    # The benchmark's shape: a larger cohort, no warm-up, several years.
    base = offramp.sim.Scenario.from_file(EXAMPLES / "scenarios" / "lead-king-county.toml")
    resized = base.replace(
        {"scenario.population": 10000, "scenario.days": 1826, "scenario.warm_up_days": 0}
    )
    results = offramp.sim.run(resized, seed=1, replications=2)
    results.tables()
    return runs + 1


def route() -> int:
    """Routes the example encounters; returns the number of decisions made."""
    decided = 0
    for program_name, directory_name, encounters_name in ROUTING:
        program = offramp.Program.from_file(EXAMPLES / "programs" / f"{program_name}.toml")
        directory = offramp.Directory.from_hsds(
            EXAMPLES / "providers" / f"{directory_name}.json", timezone=program.timezone
        )
        lines = (EXAMPLES / "encounters" / f"{encounters_name}.jsonl").read_text(encoding="utf-8")
        encounters: List[Dict[str, Any]] = [json.loads(x) for x in lines.splitlines() if x.strip()]
        for router in (offramp.Router(program, directory), offramp.Router(program)):
            for encounter in encounters:
                decision = router.route(encounter)
                decision.explain()
                decision.to_json()
                router.explain(encounter)
                router.trace(encounter)
                decided += 1
            batch = encounters * 300
            router.route_many(batch)
            router.route_many(batch, shape="decisions")
            decided += 2 * len(batch)
    return decided


def main() -> None:
    began = time.perf_counter()
    runs = simulate()
    simulated = time.perf_counter()
    decided = route()
    done = time.perf_counter()
    print(
        f"pgo training: {runs} simulation runs in {simulated - began:.1f} s, "
        f"{decided:,} decisions in {done - simulated:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
