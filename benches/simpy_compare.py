"""offramp.sim against the same model written with SimPy, side by side in one run.

The SimPy model follows the engine's model (docs/simulation.md) for the parts that carry the
work: Poisson first contacts by source over the cohort, people with needs and an age drawn once,
offences by the scenario's mix, routing by the *real* router (offramp.Router, the Rust core
through the Python bindings, so eligibility is identical), offer, acceptance and engagement,
one capacity-limited service pool with a waitlist and a longest wait, retention at
30 and 90 days, re-contacts, overdoses among people at risk, and the justice path (arrest,
booking, jail days, no contacts while in jail), run twice: with the program and without it.
The router is given the scenario's partner directory, as the engine's is, but the SimPy model
refers people to one pool rather than to the ranked partners; it leaves out charge holds,
follow-up visits and the equity and period tables, so it does less work per person-year than
the engine: the ratio printed is, if anything, flattering to SimPy.

Both are timed in person-years simulated per second (population x years x replications), on
the LEAD King County example: SimPy at a size it finishes in a few seconds, the engine at the
size of `cargo bench --bench simulation` (25,000 people, 10 years, 4 replications), each after
one untimed run. The two take turns (five by default, `--repeat`), so that a change in the
machine's load falls on both; the ratio printed is the median of the turns' ratios. Run in the
test virtual environment (SimPy comes with the `test` extra):

    python benches/simpy_compare.py            # a few seconds of SimPy
    python benches/simpy_compare.py --quick    # a smoke run
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import statistics
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import simpy

import offramp
import offramp.sim

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "scenarios" / "lead-king-county.toml"
PACIFIC = dt.timezone(dt.timedelta(hours=-8))


def pick(rng: random.Random, shares: Dict[str, float]) -> str:
    x = rng.random() * sum(shares.values())
    for k, v in shares.items():
        x -= v
        if x <= 0:
            return k
    return next(iter(shares))


class Arm:
    """One arm (with or without the program) of one replication, as SimPy processes."""

    def __init__(self, sc: Dict[str, Any], router: offramp.Router, program: bool, seed: int,
                 population: int, days: int) -> None:
        self.sc, self.router, self.program = sc, router, program
        self.population, self.days = population, days
        self.rng = random.Random(seed)
        self.env = simpy.Environment()
        self.people: Dict[int, Dict[str, Any]] = {}
        p = sc["providers"]
        cap = max(1, int(sum(s.get("capacity") or 50 for s in p.get("services", [])) or 50))
        self.service = simpy.Resource(self.env, capacity=cap)
        self.waitlist, self.max_wait = int(p["waitlist"]), float(p["max_wait_days"])
        self.service_days = float(p["default_service_days"])
        self.counts: Dict[str, float] = {}
        at_risk = 1.0
        for need in sc["overdoses"]["needs"]:
            at_risk *= 1.0 - sc["needs"].get(need, 0.0)
        od = sc["overdoses"]
        self.overdoses_per_day = (od.get("per_1000", 0.0) * population * (1.0 - at_risk) / 1000
                                  + od.get("per_day", 0.0))
        self.start = dt.datetime(2026, 1, 1, tzinfo=PACIFIC)
        self.serial = 0

    def count(self, key: str, n: float = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def person(self, i: int) -> Dict[str, Any]:
        p = self.people.get(i)
        if p is None:
            r = self.rng
            band = r.choices(self.sc["ages"], [a["share"] for a in self.sc["ages"]])[0]
            needs = [n for n, q in self.sc["needs"].items()
                     if n not in ("mental_health_crisis", "suicidal") and r.random() < q]
            p = {"age": r.randint(band["min"], band["max"]), "needs": needs, "jailed_until": -1.0,
                 "in_care": False}
            self.people[i] = p
        return p

    def contacts(self, source: str, rate: float) -> Any:
        while True:
            yield self.env.timeout(self.rng.expovariate(rate))
            self.encounter(self.rng.randrange(self.population), source)

    def overdoses(self) -> Any:
        od = self.sc["overdoses"]
        while True:
            yield self.env.timeout(self.rng.expovariate(self.overdoses_per_day))
            p = self.person(self.rng.randrange(self.population))
            while not any(n in p["needs"] for n in od["needs"]):  # among people at risk
                p = self.person(self.rng.randrange(self.population))
            if self.env.now < p["jailed_until"]:
                continue
            ratio = self.sc["behaviour"]["engaged_overdose_ratio"] if p["in_care"] else 1.0
            if self.rng.random() < ratio:
                self.count("overdoses")
                if self.rng.random() < od["fatal"]:
                    self.count("deaths")
                elif self.rng.random() < 1 - math.exp(-od["repeat_within_year"]):
                    self.env.process(self.repeat(p))

    def repeat(self, p: Dict[str, Any]) -> Any:
        yield self.env.timeout(self.rng.expovariate(1 / 365.0))
        if self.env.now >= p["jailed_until"]:
            self.count("overdoses")

    def encounter(self, i: int, source: str) -> None:
        p, r, sc = self.person(i), self.rng, self.sc
        if self.env.now < p["jailed_until"]:
            return
        if p["in_care"] and r.random() > sc["behaviour"]["engaged_contact_ratio"]:
            return
        self.count("encounter")
        needs = list(p["needs"])
        for episodic in ("mental_health_crisis", "suicidal"):
            if r.random() < sc["needs"].get(episodic, 0.0):
                needs.append(episodic)
        offenses: List[Dict[str, Any]] = []
        if r.random() < sc["offenses"]["probability"].get(source, 0.0):
            mix = r.choices(sc["offenses"]["mix"], [m["share"] for m in sc["offenses"]["mix"]])[0]
            offenses.append({"nibrs": mix["nibrs"], "level": pick(r, mix["levels"]),
                             "violent": r.random() < (mix.get("violent") or 0.0)})
        self.serial += 1
        at = self.start + dt.timedelta(days=self.env.now)
        enc = {"id": f"s-{self.serial}", "at": at.isoformat(), "source": source,
               "responder": pick(r, sc["responders"][source]), "needs": needs, "age": p["age"],
               "offenses": offenses, "consent": pick(r, sc["consent"])}
        diverted = False
        if self.program:
            decision = self.router.route(enc)
            if decision.eligible:
                self.count("eligible")
                b = sc["behaviour"]
                if r.random() < b["offer"]["default"]:
                    self.count("offered")
                    if r.random() < b["accept"]["default"]:
                        self.count("accepted")
                        diverted = True
                        if r.random() < b["engage"]["default"]:
                            self.env.process(self.refer(p))
        if offenses and not diverted:
            self.justice(p, offenses[0]["level"])
        if r.random() < 1 - math.exp(-sc["behaviour"]["recontact_within_year"]):
            delay = r.expovariate(1 / 365.0)
            self.env.process(self.later(delay, i, source))

    def later(self, delay: float, i: int, source: str) -> Any:
        yield self.env.timeout(delay)
        self.encounter(i, source)

    def justice(self, p: Dict[str, Any], level: str) -> None:
        j, r = self.sc["justice"], self.rng
        if r.random() < j["arrest"].get(level, 0.0):
            self.count("bookings")
            if r.random() < j["jail"].get(level, 0.0):
                days = r.expovariate(1 / j["jail_days"].get(level, 1.0))
                self.count("jail_days", days)
                p["jailed_until"] = self.env.now + days

    def refer(self, p: Dict[str, Any]) -> Any:
        if len(self.service.queue) >= self.waitlist:
            self.count("lost_full")
            return
        with self.service.request() as req:
            got = yield req | self.env.timeout(self.max_wait)
            if req not in got:
                self.count("lost_waiting")
                return
            yield self.env.timeout(self.rng.expovariate(1.0))  # intake delay, about a day
            self.count("linked")
            p["in_care"] = True
            b = self.sc["behaviour"]
            stay = self.service_days * (0.5 + self.rng.random())
            u = self.rng.random()
            if u > b["retained_30"]["default"]:
                stay = min(stay, self.rng.uniform(0, 30))
            elif u > b["retained_90"]["default"]:
                stay = min(stay, self.rng.uniform(30, 90))
            else:
                self.count("retained90")
            yield self.env.timeout(stay)
            p["in_care"] = False

    def run(self) -> Dict[str, float]:
        # Rates per 1,000 people (per 1,000 people at risk for overdoses), as the engine reads
        # them, made per day across this cohort.
        for source, rate in self.sc["contacts"].items():
            if rate > 0:
                self.env.process(self.contacts(source, rate * self.population / 1000))
        self.env.process(self.overdoses())
        self.env.run(until=self.days)
        return self.counts


def simpy_run(sc: Dict[str, Any], router: offramp.Router, replications: int, seed: int,
              population: int, days: int) -> List[Tuple[Dict[str, float], Dict[str, float]]]:
    out = []
    for rep in range(replications):
        with_ = Arm(sc, router, True, seed + rep, population, days).run()
        without = Arm(sc, router, False, seed + rep, population, days).run()
        out.append((with_, without))
    return out


def scaled(base: offramp.sim.Scenario, population: int, days: int) -> offramp.sim.Scenario:
    """The scenario with its cohort resized (rates are per 1,000 people, so they follow) and
    no warm-up (the SimPy model has none)."""
    return base.replace({"scenario.population": population, "scenario.days": days,
                         "scenario.warm_up_days": 0})


def main(argv: Optional[List[str]] = None) -> None:
    ap = argparse.ArgumentParser(description="offramp.sim against SimPy")
    ap.add_argument("--quick", action="store_true", help="a smoke run (tiny sizes)")
    ap.add_argument("--repeat", type=int, default=5,
                    help="turns, each timing both sides once; medians are printed (default 5)")
    args = ap.parse_args(argv)
    repeat = 1 if args.quick else max(1, args.repeat)
    base = offramp.sim.Scenario.from_file(SCENARIO)
    if args.quick:
        small, big = (2000, 60, 1), (2000, 60, 1)
    else:
        small, big = (20000, 365, 3), (25000, 3653, 4)

    pop, days, reps = small
    sc = scaled(base, pop, days)
    d = sc.to_dict()
    program = offramp.Program.from_file(d["scenario"]["program"])
    directory = d["scenario"].get("directory")
    router = offramp.Router(program, directory) if directory else offramp.Router(program)
    simpy_py = pop * days / 365.25 * reps

    pop2, days2, reps2 = big
    big_sc = scaled(base, pop2, days2)
    rust_py = pop2 * days2 / 365.25 * reps2

    t = time.perf_counter()
    res = simpy_run(d, router, reps, 1, pop, days)
    first_simpy_s = time.perf_counter() - t
    enc = sum(w.get("encounter", 0) + wo.get("encounter", 0) for w, wo in res)
    t = time.perf_counter()
    offramp.sim.run(sc, seed=1, replications=reps)
    same_s = time.perf_counter() - t
    # The first runs also start the thread pool and warm the allocator; like criterion, leave
    # them out when timing more than once. Then the two sides take turns, so that a change in
    # the machine's load while the script runs falls on both; the ratio printed is the median
    # of each turn's ratio.
    if repeat > 1:
        offramp.sim.run(big_sc, seed=1, replications=reps2)
    simpy_times, rust_times, ratios = [], [], []
    for _ in range(repeat):
        if repeat > 1:
            t = time.perf_counter()
            simpy_run(d, router, reps, 1, pop, days)
            simpy_times.append(time.perf_counter() - t)
        else:
            simpy_times.append(first_simpy_s)
        t = time.perf_counter()
        offramp.sim.run(big_sc, seed=1, replications=reps2)
        rust_times.append(time.perf_counter() - t)
        ratios.append((rust_py / rust_times[-1]) / (simpy_py / simpy_times[-1]))
    simpy_s = statistics.median(simpy_times)
    rust_s = statistics.median(rust_times)

    simpy_rate, rust_rate = simpy_py / simpy_s, rust_py / rust_s
    print(f"SimPy {simpy.__version__}: {simpy_py:,.0f} person-years x 2 arms ({enc:,} encounters) "
          f"in {simpy_s:.2f} s = {simpy_rate:,.0f} person-years/s")
    print(f"offramp.sim, same size: {same_s:.3f} s ({simpy_s / same_s:.0f}x; dominated by set-up)")
    print(f"offramp.sim: {rust_py:,.0f} person-years x 2 arms in {rust_s:.2f} s "
          f"= {rust_rate:,.0f} person-years/s")
    print(f"ratio (person-years per second): {statistics.median(ratios):,.0f}x"
          f" (median of {repeat} turn{'s' if repeat > 1 else ''}; each turn's: "
          f"{', '.join(f'{r:.0f}x' for r in ratios)})")


if __name__ == "__main__":
    main()
