#!/usr/bin/env python3
"""Writes the hand-checked scenarios of tests/scenarios/*.toml as tab-separated lines, so that
the Kotlin and Swift tests (which have no TOML reader) check the same expectations as the Rust
scenario test.

Columns: program file, scenario name, encounter JSON, disposition, eligible pathways
(comma-separated, in rank order), intercept (or empty), ineligible pathway=rule pairs
(semicolon-separated), charge-hold deadline (or empty), warning codes (comma-separated),
needs_information fields (comma-separated, in order), and pathway=words pairs a reason must
contain (separated by `|`, since the words may hold semicolons).
"""
import pathlib
import sys
import tomllib

root = pathlib.Path(sys.argv[1])
out = []
for path in sorted((root / "tests" / "scenarios").glob("*.toml")):
    data = tomllib.loads(path.read_text())
    for s in data["scenario"]:
        row = [
            pathlib.Path(data["program"]).name,
            s["name"],
            s["encounter"].replace("\n", " "),
            s["disposition"],
            ",".join(s["eligible"]),
            "" if s.get("intercept") is None else str(s["intercept"]),
            ";".join(f"{k}={v}" for k, v in s.get("ineligible", {}).items()),
            s.get("charge_hold_deadline") or "",
            ",".join(s.get("warnings", [])),
            ",".join(s.get("needs_information", [])),
            "|".join(f"{k}={v}" for k, v in s.get("because", {}).items()),
        ]
        for cell in row:
            if "\t" in cell or "\n" in cell or ("|" in cell and cell is not row[-1]):
                sys.exit(f"{path}: {s['name']}: a tab or newline cannot be written as TSV")
        out.append("\t".join(row))
sys.stdout.write("\n".join(out) + "\n")
