"""offramp.sim's tables carry the column types the core declares, as the command's Parquet
files do, whatever the values (an empty table keeps its columns: see the core's tests)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import offramp.sim as sim

from conftest import ROOT, cli_path, missing

QRT = ROOT / "examples" / "scenarios" / "qrt-hamilton-county.toml"


def short(days: int = 30) -> sim.Scenario:
    return sim.Scenario.from_file(QRT).replace({"scenario.days": days})


def test_funnel_and_timeline_have_their_declared_types() -> None:
    r = sim.run(short(), seed=3, replications=1)
    assert r.funnel.schema == pa.schema(
        [
            pa.field("replication", pa.uint32(), nullable=False),
            pa.field("pathway", pa.string(), nullable=False),
            pa.field("stage", pa.string(), nullable=False),
            pa.field("count", pa.uint64(), nullable=False),
            pa.field("rate_from_previous", pa.float64()),
            pa.field("rate_from_encounter", pa.float64()),
        ]
    )
    timeline = r.timeline.schema
    assert timeline.field("arm").type == pa.string() and timeline.field("arm").nullable
    assert timeline.field("start").type == pa.date32()
    assert timeline.field("jail_bed_days").type == pa.float64()
    assert r.timeline.column("start")[0].as_py().isoformat() == r.info["start"]


def test_same_types_as_the_commands_parquet(tmp_path: Path) -> None:
    cli = cli_path()
    if cli is None:
        missing("the offramp command")
        return
    subprocess.run(
        [cli, "simulate", str(QRT), "--out", str(tmp_path), "--seed", "3",
         "--replications", "1", "--format", "parquet", "--quiet"],
        check=True, capture_output=True,
    )
    r = sim.run(QRT, seed=3, replications=1)
    for name in sim.TABLES:
        on_disk = pq.read_table(tmp_path / f"{name}.parquet")
        assert on_disk.schema.remove_metadata() == r.table(name).schema, name
        assert on_disk.num_rows == r.table(name).num_rows, name


def test_types_do_not_depend_on_the_values() -> None:
    # A one-day run has few values and many empty ones (a type guessed from an empty column
    # would be `null`); its tables have the same types as a longer run's.
    brief = sim.run(short(days=1), seed=3, replications=1)
    longer = sim.run(short(), seed=3, replications=1)
    assert brief.time_to_intake.schema.field("mean_hours").type == pa.float64()
    for name in sim.TABLES:
        table = brief.table(name)
        assert table.schema == longer.table(name).schema, name
        assert table.column_names == brief.csv(name).splitlines()[0].split(","), name
