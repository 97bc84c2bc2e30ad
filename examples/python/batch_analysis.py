"""Batch analysis: a day of synthetic encounters through `Router.route_many`, summarised with
pandas.

The encounters are made up (sequence-number ids, no personal data): a day of police, fire, EMS,
co-responder and peer contacts in King County, routed through the LEAD program and its partner
directory in one call that uses every core. Run:

    python examples/python/batch_analysis.py
"""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path
from typing import Any, Dict, List

import pandas as pd

import offramp

ROOT = Path(__file__).resolve().parents[2]
PACIFIC = dt.timezone(dt.timedelta(hours=-8))
CODES = ["35A", "35B", "40A", "90C", "90E", "23C", "13B", "23H"]


def synthetic_day(n: int, seed: int = 2026) -> pd.DataFrame:
    """`n` encounters spread over 2 March 2026, one row each, nested columns as in the JSON."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 3, 2, tzinfo=PACIFIC)
    rows: List[Dict[str, Any]] = []
    for i in range(n):
        at = start + dt.timedelta(seconds=rng.randrange(24 * 3600))
        responder = rng.choice(["law_enforcement"] * 6 + ["fire", "ems", "co_responder", "peer"])
        offenses = [
            {"nibrs": rng.choice(CODES), "level": rng.choice(["misdemeanor", "misdemeanor", "felony"]),
             "violent": rng.random() < 0.05}
            for _ in range(rng.choice([0, 0, 1, 1, 2]))
        ]
        overdose = None
        if rng.random() < 0.1:
            overdose = {"at": (at - dt.timedelta(hours=rng.randrange(1, 72))).isoformat(), "naloxone": True}
        rows.append(
            {
                "id": f"day-{i:05d}",
                "at": at.isoformat(),
                "responder": responder,
                "source": rng.choice(["call_for_service", "on_view", "outreach", "self_initiated"]),
                "needs": rng.sample(["sud", "opioid_use", "stimulant_use", "homelessness", "sex_work", "mental_health"], k=rng.randrange(0, 3)),
                "overdose": overdose,
                "offenses": offenses,
                "flags": ["weapon"] if rng.random() < 0.04 else [],
                "age": rng.randrange(16, 70) if rng.random() < 0.95 else None,
                "location": {"lat": 47.60 + rng.uniform(-0.1, 0.1), "lon": -122.33 + rng.uniform(-0.1, 0.1)},
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    program = offramp.Program.from_file(ROOT / "examples" / "programs" / "lead-king-county.toml")
    router = offramp.Router(program, ROOT / "examples" / "providers" / "king-county.json")
    encounters = synthetic_day(20_000)

    started = time.perf_counter()
    table = router.route_many(encounters)
    elapsed = time.perf_counter() - started
    print(f"routed {len(encounters):,} encounters into {table.num_rows:,} rows in {elapsed * 1000:.0f} ms\n")

    decisions = table.to_pandas()
    # One row per encounter, to count with: the table above has a row per eligible pathway.
    per_encounter = router.route_many(encounters, shape="decisions").to_pandas()

    print("Dispositions (share of encounters):")
    print(per_encounter["disposition"].value_counts(normalize=True).round(3).to_string(), "\n")

    print("First pathway offered, by responder:")
    first = decisions[decisions["rank"] == 1].merge(
        encounters[["responder"]], left_on="row", right_index=True
    )
    print(pd.crosstab(first["responder"], first["pathway"]).to_string(), "\n")

    print("Why people were not eligible (top reasons, by rule):")
    reasons = per_encounter.explode("ineligible").dropna(subset=["ineligible"])
    rules = reasons["ineligible"].map(lambda r: f"{r['pathway']}: {r['rule']}")
    print(rules.value_counts().head(8).to_string(), "\n")

    gaps = decisions["provider_gap"].notna().sum()
    print(f"Eligible pathways with no partner open at the time: {gaps:,}")
    print("Fields to record that could change a decision (encounters):")
    asks = per_encounter["needs_information"].explode().dropna()
    print(asks.value_counts().head(5).to_string(), "\n")
    hours = per_encounter.assign(hour=pd.to_datetime(encounters["at"].str[:19]).dt.hour)
    deflected = hours[hours["disposition"] != "none"].groupby("hour").size()
    print("Encounters with a pathway, by hour of the day:")
    print(deflected.to_string())


if __name__ == "__main__":
    main()
