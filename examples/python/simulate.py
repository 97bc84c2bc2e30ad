"""Simulate a deflection program and draw what it does: the referral funnel and the partner
services' utilisation over time, as PNG files.

Runs the LEAD (King County) example scenario (or the scenario given with --scenario) with
offramp.sim, which uses the real router on every simulated encounter, and draws two charts with
matplotlib (Agg backend, no display needed). Needs ``pip install "offramp[sim]"``. Run:

    python examples/python/simulate.py out/charts
    python examples/python/simulate.py --scenario examples/scenarios/qrt-hamilton-county.toml

Without a folder, the charts go to a new temporary folder, whose path is printed.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import List, Optional

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

import offramp.sim  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
STAGES = ["encounter", "eligible", "offered", "accepted", "linked", "retained_30", "retained_90"]


def draw_funnel(results: offramp.sim.SimResults, out: Path) -> Path:
    """Mean count per stage over replications, for every pathway together."""
    df = results.funnel.to_pandas()
    means = df[df.pathway == "all"].groupby("stage")["count"].mean().reindex(STAGES)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.barh(STAGES[::-1], list(means.values[::-1]), color="#3b6ea5")
    for y, v in enumerate(means.values[::-1]):
        ax.text(float(v), y, f" {v:,.0f}", va="center", fontsize=8)
    ax.set_xlabel("encounters (mean over replications)")
    ax.set_title(f"Referral funnel: {results.info['scenario']}", fontsize=10)
    fig.tight_layout()
    path = out / "funnel.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def draw_utilisation(results: offramp.sim.SimResults, out: Path) -> Path:
    """Share of places in use per period, for each service with a capacity."""
    df = results.provider_periods.to_pandas()
    df = df[df.utilisation.notna()]
    names = results.providers.to_pandas().drop_duplicates("provider_id")
    label = dict(zip(names.provider_id, names.provider))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for service, rows in df.groupby("provider_id"):
        line = rows.groupby("start")["utilisation"].mean()
        name = str(label.get(service, service))[:40]
        ax.plot(list(line.index), list(line.values), label=name, linewidth=1.2)
    ax.set_ylabel("places in use (share of capacity)")
    ax.set_ylim(0, 1.05)
    ax.set_title("Partner services: utilisation over time", fontsize=10)
    if not df.empty:
        ax.legend(fontsize=7, loc="lower right")
    fig.autofmt_xdate()
    fig.tight_layout()
    path = out / "utilisation.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", help="folder for the PNGs (default: a new temp folder)")
    default = ROOT / "examples" / "scenarios" / "lead-king-county.toml"
    parser.add_argument("--scenario", default=str(default))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--replications", type=int, default=4)
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="offramp-sim-"))
    out.mkdir(parents=True, exist_ok=True)

    scenario = offramp.sim.Scenario.from_file(args.scenario)
    results = offramp.sim.run(scenario, seed=args.seed, replications=args.replications)
    print(results.report())
    for path in (draw_funnel(results, out), draw_utilisation(results, out)):
        print(path)


if __name__ == "__main__":
    main()
