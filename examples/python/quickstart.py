"""Quickstart: load a program and a partner directory, route one encounter, print why.

Run from anywhere after `pip install ./bindings/python`:

    python examples/python/quickstart.py
"""

from __future__ import annotations

from pathlib import Path

import offramp

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    # King County's LEAD program, and the partner services it refers to (HSDS 3.0).
    program = offramp.Program.from_file(ROOT / "examples" / "programs" / "lead-king-county.toml")
    directory = offramp.Directory.from_hsds(
        ROOT / "examples" / "providers" / "king-county.json", timezone=program.timezone
    )
    router = offramp.Router(program, directory)
    print(f"{program.name} ({program.jurisdiction}), version {program.hash[:19]}...")
    print(f"{len(directory)} partner services loaded\n")

    # An officer on a call finds a man with a small amount of a controlled substance.
    decision = router.route(
        {
            "id": "kc-demo-1",
            "at": "2026-03-02T14:05:00-08:00",
            "responder": "law_enforcement",
            "source": "call_for_service",
            "needs": ["sud", "homelessness"],
            "offenses": [{"nibrs": "35A", "level": "misdemeanor", "violent": False}],
            "age": 34,
            "location": {"lat": 47.6009, "lon": -122.3301},
        }
    )

    # Typed answers for code ...
    if decision.disposition is offramp.Disposition.PRE_ARREST_DIVERSION:
        best = decision.eligible[0]
        print(f"Offer first: {best.pathway} (rule {best.rule})")
        for option in best.providers or []:
            status = "open now" if option.open_now else "closed"
            print(f"  partner: {option.service} at {option.organization} ({status})")
    # ... and sentences for people.
    print()
    print(decision.explain())


if __name__ == "__main__":
    main()
