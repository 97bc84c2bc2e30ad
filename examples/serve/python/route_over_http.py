"""Routes encounters through a running ``offramp serve`` with httpx.

    OFFRAMP_URL=http://127.0.0.1:8750 OFFRAMP_TOKEN=... \\
        python examples/serve/python/route_over_http.py [--url URL] [--token SECRET] [ENCOUNTERS.jsonl]

The URL and the bearer token come from ``--url``/``--token`` or else from ``OFFRAMP_URL`` and
``OFFRAMP_TOKEN`` (the environment keeps the secret out of the process list). The encounters
file defaults to examples/encounters/lead-king-county.jsonl. It prints one line per decision,
first routing the encounters one request each (``route ID DISPOSITION``), then all of them as
one JSON-lines batch (``batch ID DISPOSITION``, or ``batch line N: FIELD: error`` for a line
that is not an encounter), and last sends an encounter with a wrong field to show the problem
document (RFC 9457) the service answers with: ``problem STATUS CODE FIELD``.

This needs only httpx (``pip install httpx``), not the offramp package.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import httpx

JSON = "application/json"
NDJSON = "application/x-ndjson"


def print_problem(response: httpx.Response) -> None:
    """Prints a problem document: its status, offramp's code and the field at fault."""
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        print(f"problem {response.status_code} (not a problem document)")
        return
    problem = response.json()
    print(f"problem {problem['status']} {problem['code']} {problem.get('field', '-')}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Routes encounters through a running offramp serve.")
    parser.add_argument("--url", default=os.environ.get("OFFRAMP_URL", "http://127.0.0.1:8750"))
    parser.add_argument("--token", default=os.environ.get("OFFRAMP_TOKEN"))
    parser.add_argument(
        "encounters", nargs="?", default="examples/encounters/lead-king-county.jsonl", type=Path
    )
    args = parser.parse_args()
    if not args.token:
        print("route_over_http.py: give the bearer token with --token or OFFRAMP_TOKEN", file=sys.stderr)
        return 2
    lines = args.encounters.read_text(encoding="utf-8").splitlines()

    with httpx.Client(
        base_url=args.url,
        headers={"Authorization": f"Bearer {args.token}"},
        timeout=30.0,
    ) as client:
        # One request per encounter: the answer is the decision, one line of JSON.
        for line in lines:
            if not line.strip():
                continue
            response = client.post("/v1/route", content=line, headers={"Content-Type": JSON})
            if response.status_code != 200:
                print_problem(response)
                continue
            decision = response.json()
            print(f"route {decision['encounter_id']} {decision['disposition']}")

        # The whole file as one JSON-lines batch: one answer line per line sent.
        body = "\n".join(lines) + "\n"
        batch = client.post("/v1/route", content=body, headers={"Content-Type": NDJSON})
        if batch.status_code != 200:
            print_problem(batch)
        else:
            for answer in batch.text.splitlines():
                if not answer.strip():
                    continue
                record = json.loads(answer)
                error = record.get("error")
                if error is not None:
                    print(f"batch line {error['line']}: {error.get('field')}: error")
                else:
                    print(f"batch {record['encounter_id']} {record['disposition']}")

        # An encounter whose age is not a number: the service answers 400 with a problem
        # document naming the field (never the value sent).
        bad = {
            "id": "example-bad",
            "at": "2026-02-03T09:14:00-08:00",
            "responder": "law_enforcement",
            "source": "on_view",
            "age": "thirty",
        }
        print_problem(client.post("/v1/route", json=bad))
    return 0


if __name__ == "__main__":
    sys.exit(main())
