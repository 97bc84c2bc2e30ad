"""Python benchmarks for the offramp package (issue #4's speed budgets).

Prints, on this machine:

1. one `Router.route` call from Python (with an `Encounter`, and with a dict), median per
   call, next to the Rust median for the same program and encounter (`cargo bench --bench
   routing -- route/lead-king-county`, read from target/criterion when present);
2. `Router.route_many` on 1,000,000 encounters from a pyarrow Table: median decisions/s;
3. the same LEAD rules written as plain Python functions, and with the `rule-engine` package
   from PyPI, side by side with offramp: time per encounter and the ratios.

Run after `pip install ./bindings/python[test]`:

    python benches/python_bench.py            # the full run
    python benches/python_bench.py --quick    # smaller sizes, for a smoke test
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import time
import timeit
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pyarrow as pa

import offramp

ROOT = Path(__file__).resolve().parents[1]
LEAD = ROOT / "examples" / "programs" / "lead-king-county.toml"

# The typical LEAD encounter of benches/routing.rs (`typical("lead-king-county")`).
TYPICAL = json.loads(
    '{"id":"b-4","at":"2026-03-02T14:05:00-08:00","responder":"law_enforcement",'
    '"source":"call_for_service","needs":["sud","homelessness"],"offenses":[{"nibrs":"35A",'
    '"level":"misdemeanor","violent":false}],"age":34,"history":[],"attributes":{'
    '"screening":"high"}}'
)

NEEDS = ["sud", "opioid_use", "stimulant_use", "alcohol_use", "mental_health", "mental_health_crisis",
         "co_occurring", "homelessness", "sex_work", "trafficking_victim", "suicidal"]
FLAGS = ["active_warrant", "pending_drug_charge", "weapon", "domestic_violence", "victim_present"]
CODES = ["35A", "35B", "40A", "90C", "90E", "90J", "23C", "13B", "13A", "23H"]
LEVELS = ["infraction", "misdemeanor", "misdemeanor", "felony"]
RESPONDERS = ["law_enforcement", "fire", "ems", "co_responder", "community_responder", "peer"]
SOURCES = ["self_initiated", "outreach", "overdose_follow_up", "call_for_service", "on_view"]
CONSENTS = ["not_asked", "verbal", "written", "declined", "revoked"]


def synthetic(n: int, seed: int = 7) -> List[Dict[str, Any]]:
    """`n` varied encounters over 2026, shaped like the Rust suite's `synthetic_encounters`."""
    rng = random.Random(seed)
    base = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
    rows = []
    for i in range(n):
        at = base + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        needs = list(dict.fromkeys(rng.choice(NEEDS) for _ in range(rng.randrange(3))))
        overdose = None
        if rng.random() < 0.25:
            back = dt.timedelta(minutes=rng.randrange(6 * 24 * 60))
            overdose = {"at": (at - back).isoformat(), "naloxone": rng.random() < 0.8}
        offenses = [
            {"nibrs": rng.choice(CODES), "level": rng.choice(LEVELS), "violent": rng.random() < 0.1}
            for _ in range(rng.randrange(3))
        ]
        rows.append({
            "id": f"syn-{i}",
            "at": at.isoformat(),
            "responder": rng.choice(RESPONDERS),
            "source": rng.choice(SOURCES),
            "needs": needs,
            "overdose": overdose,
            "offenses": offenses,
            "flags": [rng.choice(FLAGS)] if rng.random() < 0.2 else [],
            "age": 14 + rng.randrange(60) if rng.random() < 0.9 else None,
            "language": rng.choice(["eng", "spa"]) if rng.random() < 0.7 else None,
            "consent": rng.choice(CONSENTS) if rng.random() < 0.6 else None,
            "history": [{"kind": "arrest", "date": "2024-05-01"}] * rng.randrange(3) if rng.random() < 0.5 else None,
        })
    return rows


def arrow_table(rows: List[Dict[str, Any]], copies: int) -> pa.Table:
    """`copies` copies of the rows as one table, each row with its own id."""
    base = pa.Table.from_struct_array(pa.array(rows))
    table = pa.concat_tables([base] * copies)
    ids = pa.array([f"syn-{i}" for i in range(table.num_rows)])
    return table.set_column(table.schema.get_field_index("id"), "id", ids)


# ---------------------------------------------------------------- LEAD in plain Python

SCOPE = {"35A", "35B", "40A"}
DRUG = {"35A", "35B"}
RISK_NEEDS = {"sud", "opioid_use", "stimulant_use", "co_occurring", "sex_work"}


def chargeable(e: Dict[str, Any]) -> bool:
    """Washington's switches in the LEAD program: Good Samaritan and protective custody."""
    for o in e["offenses"]:
        if o["level"] not in ("misdemeanor", "felony"):
            continue
        if e["overdose"] is not None and o["nibrs"] in DRUG:
            continue
        if o["nibrs"] == "90E":
            continue
        return True
    return False


def excluded_python(e: Dict[str, Any]) -> bool:
    return (
        any(o["violent"] for o in e["offenses"])
        or "weapon" in e["flags"]
        or "domestic_violence" in e["flags"]
        or (e["age"] is not None and e["age"] < 18)
    )


def officer_intervention(e: Dict[str, Any]) -> bool:
    offenses = e["offenses"]
    return (
        e["responder"] == "law_enforcement"
        and any(o["nibrs"] in SCOPE for o in offenses)
        and all(o["nibrs"] in SCOPE and o["level"] != "felony" for o in offenses)
    )


def social_contact(e: Dict[str, Any]) -> bool:
    return (
        e["responder"] == "law_enforcement"
        and any(n in RISK_NEEDS for n in e["needs"])
        and not any(o["level"] in ("misdemeanor", "felony") for o in e["offenses"])
    )


def decide(e: Dict[str, Any], excluded: Callable[[Dict[str, Any]], bool],
           rules: List[Tuple[str, Callable[[Dict[str, Any]], bool]]]) -> Tuple[str, List[str]]:
    eligible = [] if excluded(e) else [name for name, rule in rules if rule(e)]
    if not eligible:
        return "none", eligible
    return ("pre_arrest_diversion" if chargeable(e) else "deflection"), eligible


PYTHON_RULES = [("officer_intervention", officer_intervention), ("first_responder_referral", social_contact)]


def route_python(e: Dict[str, Any]) -> Tuple[str, List[str]]:
    return decide(e, excluded_python, PYTHON_RULES)


# ---------------------------------------------------------------- LEAD with rule-engine

def rule_engine_router() -> Optional[Callable[[Dict[str, Any]], Tuple[str, List[str]]]]:
    try:
        import rule_engine
    except ImportError:
        return None
    exclusion = rule_engine.Rule(
        "[o for o in offenses if o['violent']].length > 0 or 'weapon' in flags"
        " or 'domestic_violence' in flags or (age != null and age < 18)"
    )
    arrest = rule_engine.Rule(
        "responder == 'law_enforcement'"
        " and [o for o in offenses if o['nibrs'] in ['35A', '35B', '40A']].length > 0"
        " and [o for o in offenses if not (o['nibrs'] in ['35A', '35B', '40A']"
        " and o['level'] != 'felony')].is_empty"
    )
    social = rule_engine.Rule(
        "responder == 'law_enforcement'"
        " and [n for n in needs if n in ['sud', 'opioid_use', 'stimulant_use', 'co_occurring', 'sex_work']].length > 0"
        " and [o for o in offenses if o['level'] in ['misdemeanor', 'felony']].is_empty"
    )
    rules = [("officer_intervention", arrest.matches), ("first_responder_referral", social.matches)]

    def route(e: Dict[str, Any]) -> Tuple[str, List[str]]:
        return decide(e, exclusion.matches, rules)

    return route


def complete(e: Dict[str, Any]) -> Dict[str, Any]:
    """The fields the Python versions read, with defaults for the absent ones."""
    return {
        "responder": e.get("responder"),
        "needs": e.get("needs") or [],
        "offenses": e.get("offenses") or [],
        "flags": e.get("flags") or [],
        "age": e.get("age"),
        "overdose": e.get("overdose"),
    }


# ---------------------------------------------------------------- measuring

def per_call(fn: Callable[[], object], number: int, repeat: int) -> float:
    """Median seconds per call over `repeat` timings of `number` calls."""
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number


def per_encounter(fn: Callable[[List[Dict[str, Any]]], object], rows: List[Dict[str, Any]], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(rows)
        times.append(time.perf_counter() - start)
    return statistics.median(times) / len(rows)


def rust_median_us(given: Optional[float]) -> Tuple[float, str]:
    if given is not None:
        return given, "given on the command line"
    path = ROOT / "target" / "criterion" / "route" / "lead-king-county" / "new" / "estimates.json"
    if path.exists():
        estimate = json.loads(path.read_text())["median"]["point_estimate"]
        return estimate / 1000.0, f"criterion, {path.relative_to(ROOT)}"
    return 0.32, "benches/README.md (run `cargo bench --bench routing -- route/lead` to measure)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--rust-median-us", type=float, default=None, help="the Rust route median, in µs")
    args = parser.parse_args()
    quick = args.quick

    program = offramp.Program.from_file(LEAD)
    router = offramp.Router(program)
    print(f"offramp {offramp.__version__}, program {program.id}, {os.cpu_count()} cores\n")

    # 1. One route call.
    encounter = offramp.Encounter.from_dict(TYPICAL)
    n = 20_000 if quick else 200_000
    single_obj = per_call(lambda: router.route(encounter), n, 7) * 1e6
    single_dict = per_call(lambda: router.route(TYPICAL), n, 7) * 1e6
    rust, where = rust_median_us(args.rust_median_us)
    print("1. one route call (typical LEAD encounter)")
    print(f"   Rust median                     {rust:7.3f} µs  ({where})")
    print(f"   Python, Encounter object        {single_obj:7.3f} µs  (+{single_obj - rust:.2f} µs over Rust)")
    print(f"   Python, dict                    {single_dict:7.3f} µs  (+{single_dict - rust:.2f} µs over Rust)")
    print("   budget: at most 3 µs over Rust\n")

    # 2. route_many on a million encounters from a pyarrow Table.
    unique = synthetic(20_000 if quick else 100_000)
    copies = 1 if quick else 10
    table = arrow_table(unique, copies)
    router.route_many(table)  # warm-up: the allocator's first pages
    runs = []
    rows_out = 0
    for _ in range(3 if quick else 7):
        start = time.perf_counter()
        out = router.route_many(table)
        runs.append(time.perf_counter() - start)
        rows_out = out.num_rows
        del out
    median = statistics.median(runs)
    print(f"2. route_many on {table.num_rows:,} encounters from a pyarrow Table")
    print(f"   median {median * 1000:.0f} ms (runs: {', '.join(f'{r * 1000:.0f}' for r in runs)} ms)")
    print(f"   {table.num_rows / median:,.0f} decisions/s ({rows_out:,} output rows)")
    print("   budget: at least 1,000,000 decisions/s\n")

    # 3. The same LEAD rules in plain Python and with rule-engine.
    sample = unique[: (5_000 if quick else 20_000)]
    plain = [complete(e) for e in sample]
    agree = sum(
        route_python(p) == (d.disposition.value, [x.pathway.value for x in d.eligible])
        for p, d in zip(plain, (router.route(e) for e in sample))
    )
    offramp_single = per_encounter(lambda rows: [router.route(e) for e in rows], sample, 3)
    offramp_list = per_encounter(router.route_many, sample, 5)
    sample_table = pa.Table.from_struct_array(pa.array(sample))
    offramp_batch = per_encounter(lambda _: router.route_many(sample_table), sample, 5)
    python_time = per_encounter(lambda rows: [route_python(e) for e in rows], plain, 3)
    print(f"3. LEAD rules side by side ({len(sample):,} encounters; plain Python agrees with offramp on {agree / len(sample):.1%})")
    print(f"   offramp route (dict -> Decision)  {offramp_single * 1e6:8.2f} µs per encounter")
    print(f"   offramp route_many, list of dicts {offramp_list * 1e6:8.2f} µs per encounter")
    print(f"   offramp route_many, pyarrow Table {offramp_batch * 1e6:8.2f} µs per encounter")
    print(f"   plain Python functions            {python_time * 1e6:8.2f} µs per encounter")
    engine = rule_engine_router()
    engine_time = None
    if engine is None:
        print("   rule-engine                       not installed (pip install rule-engine)")
    else:
        small = plain[: (1_000 if quick else 5_000)]
        agree_engine = sum(engine(e) == route_python(e) for e in small)
        engine_time = per_encounter(lambda rows: [engine(e) for e in rows], small, 3)
        print(f"   rule-engine                       {engine_time * 1e6:8.2f} µs per encounter"
              f" (agrees with plain Python on {agree_engine / len(small):.1%})")
    print("   (offramp also gives every reason, warning and the audit record; the others give")
    print("    only the eligible pathways and the disposition. A ratio above 1 means offramp is")
    print("    that many times faster.)")
    print(f"   ratio plain Python / offramp: {python_time / offramp_single:.1f}x per call,"
          f" {python_time / offramp_batch:.1f}x against route_many on a Table")
    if engine_time is not None:
        print(f"   ratio rule-engine / offramp:  {engine_time / offramp_single:.1f}x per call,"
              f" {engine_time / offramp_batch:.1f}x against route_many on a Table")


if __name__ == "__main__":
    main()
