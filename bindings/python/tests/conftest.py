"""Shared paths and helpers for the offramp Python tests."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional

import pytest

import offramp

ROOT = Path(__file__).resolve().parents[3]
PROGRAMS = ROOT / "examples" / "programs"
ENCOUNTERS = ROOT / "examples" / "encounters"
PROVIDERS = ROOT / "examples" / "providers"
SCENARIOS = ROOT / "tests" / "scenarios"

# Example encounter files, the program they are for, and the directory of partners beside it.
EXAMPLES = {
    "lead-king-county": "king-county.json",
    "harvey-pd": "harvey-il.json",
    "qrt-hamilton-county": "hamilton-county.json",
}


def program_path(name: str) -> Path:
    return PROGRAMS / f"{name}.toml"


def example_program_names() -> List[str]:
    return sorted(p.stem for p in PROGRAMS.glob("*.toml"))


def read_jsonl(path: Path) -> List[str]:
    return [line for line in path.read_text().splitlines() if line.strip()]


def cli_path() -> Optional[str]:
    """The `offramp` command: $OFFRAMP_CLI, a built binary in target/, or None."""
    given = os.environ.get("OFFRAMP_CLI")
    if given:
        return given
    for profile in ("release", "debug"):
        candidate = ROOT / "target" / profile / "offramp"
        if candidate.exists():
            return str(candidate)
    return shutil.which("offramp")


def missing(what: str) -> None:
    """Skips a test whose tool is missing, or fails it under CI (CI=true), where every suite
    must install what it needs and nothing may be skipped."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing, and CI may not skip")
    pytest.skip(f"{what} is missing")


def need(module: str) -> Any:
    """An optional module (pandas, polars), or a skip (a failure under CI)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        missing(f"the {module} package")


def run_cli(*args: str) -> "subprocess.CompletedProcess[str]":
    cli = cli_path()
    if cli is None:
        missing("the offramp command (cargo build --release -p offramp-cli)")
    assert cli is not None
    return subprocess.run([cli, *args], capture_output=True, text=True, cwd=ROOT, check=False)


@pytest.fixture(scope="session")
def lead() -> offramp.Program:
    return offramp.Program.from_file(program_path("lead-king-county"))


@pytest.fixture(scope="session")
def lead_router(lead: offramp.Program) -> offramp.Router:
    return offramp.Router(lead)


@pytest.fixture(scope="session")
def routers() -> Dict[str, offramp.Router]:
    return {name: offramp.Router(offramp.Program.from_file(program_path(name))) for name in example_program_names()}


LEAD_ENCOUNTER = {
    "id": "e-1",
    "at": "2026-03-02T14:05:00-08:00",
    "responder": "law_enforcement",
    "source": "call_for_service",
    "needs": ["sud"],
    "age": 34,
    "offenses": [{"nibrs": "35A", "level": "misdemeanor", "violent": False}],
}


def to_table(rows: List[Dict[str, object]]) -> "pa.Table":
    """A pyarrow Table of encounters with every key of every row as a column.

    (``pa.Table.from_pylist`` takes its columns from the first row alone, so a key the first
    encounter lacks would be dropped silently.)
    """
    import pyarrow as pa

    return pa.Table.from_struct_array(pa.array(rows))


def same(a: "pa.Table", b: "pa.Table") -> bool:
    """Whether two decision tables hold the same rows (their chunks, and so the dictionaries of
    their text columns, may differ)."""
    return a.schema == b.schema and a.to_pylist() == b.to_pylist()
