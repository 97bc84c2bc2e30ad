"""offramp.sim: scenarios, runs, results as pyarrow Tables, errors, and the Dask sweep."""

from __future__ import annotations

import pickle
import sys
import subprocess
from pathlib import Path

import pyarrow as pa
import pytest

import offramp
import offramp.sim as sim

from conftest import ROOT, cli_path, missing, need

SCENARIOS = ROOT / "examples" / "scenarios"
LEAD = SCENARIOS / "lead-king-county.toml"
QRT = SCENARIOS / "qrt-hamilton-county.toml"


def short(path: Path = LEAD, days: int = 60, population: int = 3000) -> sim.Scenario:
    return sim.Scenario.from_file(path).replace(
        {"scenario.days": days, "scenario.population": population}
    )


def test_run_returns_every_table_as_pyarrow() -> None:
    r = sim.run(short(), seed=7, replications=2)
    assert set(r.tables()) == set(sim.TABLES)
    for name in sim.TABLES:
        assert isinstance(r.table(name), pa.Table), name
    f = r.funnel
    assert f.column_names[:3] == ["replication", "pathway", "stage"]
    assert f.column("stage")[0].as_py() == "encounter"
    assert f.column("count")[0].as_py() > 0
    assert set(f.column("replication").to_pylist()) == {0, 1}
    assert r.utilisation.equals(r.provider_periods)
    assert r.info["seed"] == 7 and r.info["replications"] == 2
    assert r.funnel.to_pandas().shape[0] == f.num_rows
    pytest.importorskip("polars").from_arrow(r.timeline)


def test_places_add_the_distance_to_intake() -> None:
    near = {"center": {"lat": 39.14, "lon": -84.52}, "radius_km": 15.0}
    with_places = sim.run(short(QRT).replace({"places": near}), seed=1, replications=1)
    t = with_places.time_to_intake
    for column in ("mean_km", "median_km", "p90_km"):
        assert t.schema.field(column).type == pa.float64()
    all_rows = [r for r in t.to_pylist() if r["pathway"] == "all"]
    assert all_rows[0]["intakes"] > 0
    assert 0.0 < all_rows[0]["median_km"] <= all_rows[0]["p90_km"] < 40.0
    without = sim.run(short(QRT).replace({"places": None}), seed=1, replications=1)
    assert without.time_to_intake.column("mean_km").null_count == without.time_to_intake.num_rows


def test_same_seed_same_results_whatever_the_threads() -> None:
    s = short(QRT)
    a = sim.run(s, seed=11, replications=3, threads=1)
    b = sim.run(s, seed=11, replications=3, threads=2)
    assert a == b
    assert a.funnel.equals(b.funnel)
    c = sim.run(s, seed=12, replications=3)
    assert c.csv("timeline") != a.csv("timeline")


def test_results_pickle() -> None:
    r = sim.run(short(), seed=1, replications=1)
    again = pickle.loads(pickle.dumps(r))
    assert again == r and again.costs.equals(r.costs)


@pytest.mark.parametrize("path", [LEAD, QRT], ids=lambda p: p.stem)
def test_equals_offramp_simulate_csv(path: Path, tmp_path: Path) -> None:
    cli = cli_path()
    if cli is None:
        missing("the offramp command")
        return
    subprocess.run(
        [cli, "simulate", str(path), "--out", str(tmp_path), "--seed", "5",
         "--replications", "2", "--format", "csv"],
        check=True, capture_output=True,
    )
    r = sim.run(path, seed=5, replications=2)
    for name in sim.TABLES:
        assert r.csv(name) == (tmp_path / f"{name}.csv").read_text(), name
    out = tmp_path / "py"
    r.write(out)
    assert (out / "funnel.csv").read_text() == (tmp_path / "funnel.csv").read_text()
    assert r.report() == (out / "report.txt").read_text() == (tmp_path / "report.txt").read_text()


def test_scenario_round_trips() -> None:
    s = sim.Scenario.from_file(LEAD)
    assert sim.Scenario.from_json(s.to_json()) == s
    assert sim.Scenario.from_toml(s.to_toml()) == s
    assert pickle.loads(pickle.dumps(s)) == s
    t = s.replace({"behaviour.accept.default": 0.25})
    assert t.to_dict()["behaviour"]["accept"]["default"] == 0.25
    assert s.to_dict()["behaviour"]["accept"]["default"] != 0.25


def test_from_toml_resolves_paths_against_base() -> None:
    text = LEAD.read_text()
    s = sim.Scenario.from_toml(text, "lead.toml", base=SCENARIOS)
    assert sim.run(s.replace({"scenario.days": 10}), replications=1).funnel.num_rows > 0


def test_invalid_value_is_a_simulation_error() -> None:
    with pytest.raises(offramp.SimulationError) as info:
        sim.Scenario.from_toml('[behaviour]\naccept = { default = 2.0 }\n', "bad.toml")
    e = info.value
    assert isinstance(e, offramp.OfframpError)
    assert e.field == "behaviour.accept.default"
    assert (e.line, e.column) == (2, 12)  # the key `default`
    assert "bad.toml" in str(e)


def test_parse_errors_and_missing_files() -> None:
    with pytest.raises(offramp.SimulationError):
        sim.Scenario.from_toml("[scenario\n")
    with pytest.raises(offramp.SimulationError):
        sim.Scenario.from_toml("[nonsense]\nx = 1\n")
    with pytest.raises(offramp.SimulationError):
        sim.Scenario.from_file(SCENARIOS / "no-such.toml")
    with pytest.raises(offramp.SimulationError):
        sim.Scenario.from_file(LEAD).replace({"scenario.days": "many"})


def test_replace_errors_name_the_dotted_key() -> None:
    with pytest.raises(offramp.SimulationError) as bad_type:
        sim.Scenario.from_file(LEAD).replace({"scenario.population": "many"})
    assert bad_type.value.field == "scenario.population"
    assert bad_type.value.line is None and bad_type.value.column is None
    assert "`scenario.population`" in str(bad_type.value)
    with pytest.raises(offramp.SimulationError) as out_of_range:
        sim.Scenario.from_file(LEAD).replace({"behaviour.accept.default": 1.5})
    assert out_of_range.value.field == "behaviour.accept.default"
    assert out_of_range.value.line is None


def test_program_that_does_not_load_is_a_program_error(tmp_path: Path) -> None:
    s = sim.Scenario.from_file(LEAD).replace({"scenario.program": str(tmp_path / "nope.toml")})
    with pytest.raises(offramp.ProgramError):
        sim.run(s, replications=1)
    bad = tmp_path / "bad.toml"
    bad.write_text("this is not a program")
    with pytest.raises(offramp.ProgramError):
        sim.run(s.replace({"scenario.program": str(bad)}), replications=1)


def test_directory_that_does_not_load_is_a_directory_error(tmp_path: Path) -> None:
    s = sim.Scenario.from_file(QRT).replace({"scenario.directory": str(tmp_path / "none.json")})
    with pytest.raises(offramp.DirectoryError):
        sim.run(s, replications=1)


def test_unknown_table() -> None:
    r = sim.run(short(days=5), replications=1)
    with pytest.raises(KeyError):
        r.csv("nonsense")


def test_sweep_on_a_two_worker_local_cluster() -> None:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        missing("dask.distributed (the offramp[sim] extra)")
        return
    s = short(days=30, population=2000)
    grid = {"behaviour.accept.default": [0.3, 0.9]}
    with LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1,
        host="127.0.0.1", dashboard_address=None,
    ) as cluster, Client(cluster) as client:
        out = sim.sweep(s, grid, replications=2, seed=3, client=client)
        again = sim.sweep(s, grid, replications=2, seed=3, client=cluster.scheduler_address)
        people = sim.sweep(
            short(days=120), {"scenario.population": [4000, 8000]},
            replications=2, seed=3, client=client,
        )
        replayed = sim.sweep(
            s.replace({"scenario.days": None}), {"behaviour.offer.default": [0.0, 1.0]},
            replications=1, seed=3, client=client, encounters=lead_encounters(),
        )
    assert out.points == [{"behaviour.accept.default": 0.3}, {"behaviour.accept.default": 0.9}]
    f = out.funnel
    assert f.column_names[:3] == ["point", "behaviour.accept.default", "replication"]
    assert sorted(set(zip(f.column("point").to_pylist(), f.column("replication").to_pylist()))) == [
        (0, 0), (0, 1), (1, 0), (1, 1)]
    assert f.equals(again.funnel)
    df = f.to_pandas()
    acc = df[(df.pathway == "all") & (df.stage == "accepted")].groupby("point")["count"].sum()
    assert acc[1] > acc[0]
    assert "summary" not in out.tables()
    # Contact rates are per 1,000 people: doubling the population doubles the encounters.
    pf = people.funnel.to_pandas()
    met = pf[(pf.pathway == "all") & (pf.stage == "encounter")].groupby("point")["count"].sum()
    assert 1.6 < met[1] / met[0] < 2.4, met
    # A replayed table reaches every worker: the same encounters at both points, and offers
    # only where the grid allows them.
    rf = replayed.funnel.to_pandas()
    every = rf[(rf.pathway == "all")].set_index(["point", "stage"])["count"]
    n = len(lead_encounters())
    assert every[(0, "encounter")] == every[(1, "encounter")] == n
    assert every[(0, "offered")] == 0 < every[(1, "offered")]


def test_run_releases_the_gil() -> None:
    import threading
    import time

    # No clock thresholds here (speed belongs in benchmarks): the test counts how often this
    # thread gets to run Python while another thread is inside `sim.run`. Were the lock held
    # for the whole run, this thread could not run at all until the run returned.
    s = sim.Scenario.from_file(LEAD).replace({"scenario.days": 1460})
    entering = threading.Event()
    finished = threading.Event()

    def work() -> None:
        entering.set()
        sim.run(s, seed=1, replications=2, threads=1)
        finished.set()

    t = threading.Thread(target=work)
    t.start()
    entering.wait()
    ticks = 0
    while t.is_alive() and not finished.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    assert finished.is_set(), "sim.run raised in its thread"
    assert ticks >= 5, ticks


def test_sweep_refuses_a_bad_grid_before_using_the_cluster() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        missing("dask.distributed (the offramp[sim] extra)")
        return
    s = short(days=5)
    with pytest.raises(offramp.SimulationError):
        sim.sweep(s, {"behaviour.nonsense": [1]}, client=object())  # type: ignore[arg-type]
    with pytest.raises(offramp.SimulationError):
        sim.sweep(s, [{"behaviour.accept.default": 1.5}], client=object())  # type: ignore[arg-type]


# ------------------------------------------------------------------ historical replay in memory

LEAD_ENCOUNTERS = ROOT / "examples" / "encounters" / "lead-king-county.jsonl"


def lead_encounters() -> list[dict[str, object]]:
    import json

    return [json.loads(line) for line in LEAD_ENCOUNTERS.read_text().splitlines() if line]


def replay_file_scenario(tmp_path: Path) -> sim.Scenario:
    """The LEAD scenario replaying the example encounters from their file."""
    data = sim.Scenario.from_file(LEAD).to_dict()
    data["scenario"]["days"] = None
    data["replay"] = {"encounters": str(LEAD_ENCOUNTERS)}
    return sim.Scenario.from_dict(data)


def test_replay_from_a_table_equals_replay_from_the_file(tmp_path: Path) -> None:
    from_file = sim.run(replay_file_scenario(tmp_path), seed=5, replications=2)
    assert from_file.info["replay"] is True
    s = sim.Scenario.from_file(LEAD).replace({"scenario.days": None})
    rows = lead_encounters()
    pd = need("pandas")
    pl = need("polars")
    inputs = {
        "list of dicts": rows,
        "Encounter objects": [offramp.Encounter.from_dict(r) for r in rows],
        # (pa.Table.from_pylist would take its columns from the first row alone.)
        "pyarrow": pa.Table.from_batches([pa.RecordBatch.from_struct_array(pa.array(rows))]),
        "pandas": pd.DataFrame(rows),
        "polars": pl.DataFrame(rows),
    }
    for what, data in inputs.items():
        r = sim.run(s, seed=5, replications=2, encounters=data)
        assert r.info["replay"] is True, what
        assert r == from_file, what
    all_ = from_file.funnel.to_pandas()
    all_ = all_[(all_.pathway == "all") & (all_.stage == "encounter")]
    assert all_["count"].tolist() == [len(rows), len(rows)]


def test_replay_links_people_by_an_attribute() -> None:
    s = sim.Scenario.from_file(LEAD).replace({"scenario.days": None})
    rows = lead_encounters()
    # The key is added to each record's own attributes (some LEAD records carry one).
    distinct = [dict(r, attributes={**(r.get("attributes") or {}), "person": f"p{i}"}) for i, r in enumerate(rows)]
    one = [dict(r, attributes={**(r.get("attributes") or {}), "person": "p0"}) for r in rows]
    alone = sim.run(s, seed=2, replications=1, encounters=rows)
    # Distinct keys are as many people as encounters: the same run as no key at all.
    assert sim.run(s, seed=2, replications=1, encounters=distinct, person_attribute="person") == alone
    linked = sim.run(s, seed=2, replications=1, encounters=one, person_attribute="person")
    assert linked != alone
    with pytest.raises(offramp.SimulationError) as e:
        sim.run(s, person_attribute="person")
    assert e.value.field == "replay.person_attribute"


def test_replay_errors_name_the_row_and_the_field(tmp_path: Path) -> None:
    s = sim.Scenario.from_file(LEAD).replace({"scenario.days": None})
    rows = lead_encounters()
    rows[3] = dict(rows[3], age="thirty")
    with pytest.raises(offramp.EncounterError) as e:
        sim.run(s, encounters=rows)
    assert e.value.row == 3 and e.value.field == "age"
    assert "thirty" not in str(e.value)
    with pytest.raises(offramp.EncounterError, match="encounters takes many encounters"):
        sim.run(s, encounters={"id": "one encounter, not many"})
    with pytest.raises(offramp.SimulationError) as s_err:
        sim.run(replay_file_scenario(tmp_path), encounters=lead_encounters())
    assert s_err.value.field == "replay.encounters"
    # A [replay] table without a file needs the encounters in memory.
    data = s.to_dict()
    data["replay"] = {"person_attribute": "person"}
    with pytest.raises(offramp.SimulationError) as s_err:
        sim.run(sim.Scenario.from_dict(data))
    assert s_err.value.field == "replay.encounters"


def test_the_report_and_summary_state_each_effect_with_its_interval() -> None:
    r = sim.run(short(QRT, days=60, population=12000), seed=3, replications=3)
    text = r.report()
    assert text.startswith(r.info["scenario"])
    assert "95% interval" in text and "Funnel, all pathways" in text
    s = r.summary.to_pylist()
    assert r.summary.column_names == [
        "measure", "replications", "program", "program_low", "program_high",
        "counterfactual", "counterfactual_low", "counterfactual_high",
        "difference", "difference_low", "difference_high",
    ]
    for row in s:
        assert abs(row["program"] - row["counterfactual"] - row["difference"]) < 1e-6, row
        assert row["difference_low"] <= row["difference"] <= row["difference_high"], row
    deflections = next(row for row in s if row["measure"] == "deflections")
    assert deflections["difference"] > 0, "deflections are added by the program"
    for row in r.outcomes.to_pylist():
        assert row["difference"] == row["program"] - row["counterfactual"]
    stages = [x for x in r.funnel.column("stage").to_pylist()[:7]]
    assert stages == ["encounter", "eligible", "offered", "accepted", "linked",
                      "retained_30", "retained_90"]
    assert set(r.effects.column("effect").to_pylist()) == {"rearrest_180d"}


def test_a_warm_up_is_run_and_left_out() -> None:
    s = short(QRT, days=30, population=12000).replace({"scenario.warm_up_days": 60})
    r = sim.run(s, seed=3, replications=1)
    assert r.info["warm_up_days"] == 60 and r.info["days"] == 30
    assert "after a 60-day warm-up" in r.report()
    starts = r.timeline.column("start").to_pylist()
    assert min(starts).isoformat() == s.to_dict()["scenario"]["start"]
    with pytest.raises(offramp.SimulationError) as info:
        s.replace({"scenario.warm_up_days": -1})
    assert info.value.field == "scenario.warm_up_days"


def test_csv_read_after_pickling_equals_the_run_s() -> None:
    # A run's CSV text is written when first read; a pickle made before any is read carries
    # every table's, the same text the run gives.
    r = sim.run(short(), seed=2, replications=1)
    again = pickle.loads(pickle.dumps(r))
    for name in sim.TABLES:
        assert again.csv(name) == r.csv(name), name
    assert again == r


def test_tables_are_handed_over_without_importing_pandas() -> None:
    # pyarrow.table() asks whether its argument is a pandas DataFrame, importing pandas (about
    # 0.3 s) at a process's first run; the tables are read from their Arrow stream instead.
    code = (
        "import sys, offramp, offramp.sim as sim\n"
        f"s = sim.Scenario.from_file({str(QRT)!r}).replace({{'scenario.days': 5}})\n"
        "r = sim.run(s, seed=1, replications=1)\n"
        "assert r.funnel.num_rows > 0\n"
        "p = offramp.Program.from_file(s.to_dict()['scenario']['program'])\n"
        "t = offramp.Router(p).route_many([{'id': 'a', 'at': '2026-01-01T00:00:00Z'}])\n"
        "assert t.num_rows == 1\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"
