"""Writes the playground's examples as one script (scripts/build-playground runs this).

For each example program (examples/programs/NAME.toml): its text, a title from its [program]
table, its scenario tests (tests/scenarios/NAME.toml), example encounters (the lines of
examples/encounters/NAME.jsonl, then each scenario's encounter), and the partner directory that
serves its area, as examples/directories.json pairs them. Prints
`window.OFFRAMP_EXAMPLES = {...};`.
"""

import json
import pathlib
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> None:
    directories = {
        path.stem: path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "examples/providers").glob("*.json"))
    }
    serves = json.loads((ROOT / "examples/directories.json").read_text(encoding="utf-8"))["serves"]
    for program, directory in serves.items():
        if directory not in directories or not (ROOT / "examples/programs" / f"{program}.toml").exists():
            sys.exit(f"examples/directories.json: {program} -> {directory}: no such program or directory")
    programs = []
    for path in sorted((ROOT / "examples/programs").glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        head = tomllib.loads(text)["program"]
        encounters = []
        lines = ROOT / "examples/encounters" / f"{path.stem}.jsonl"
        if lines.exists():
            for line in lines.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    label = json.loads(line).get("id", f"line {len(encounters) + 1}")
                    encounters.append({"label": f"{label} (examples/encounters)", "json": line})
        scenarios_path = ROOT / "tests/scenarios" / f"{path.stem}.toml"
        scenarios = scenarios_path.read_text(encoding="utf-8") if scenarios_path.exists() else ""
        if scenarios:
            for s in tomllib.loads(scenarios).get("scenario", []):
                encounters.append({"label": f"scenario: {s['name']}", "json": s["encounter"].strip()})
        directory = serves.get(path.stem)
        programs.append(
            {
                "name": path.stem,
                "title": f"{head['name']} ({head.get('jurisdiction', path.stem)})",
                "text": text,
                "scenarios": scenarios,
                "encounters": encounters,
                "directory": directory,
            }
        )
    data = {"programs": programs, "directories": directories}
    sys.stdout.write("// The example programs, encounters, scenario tests and directories (generated).\n")
    sys.stdout.write("window.OFFRAMP_EXAMPLES = ")
    json.dump(data, sys.stdout, ensure_ascii=False)
    sys.stdout.write(";\n")


if __name__ == "__main__":
    main()
