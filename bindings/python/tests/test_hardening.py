"""Hardening (issue 10): times outside the accepted range, a bad row that never takes the
others with it (``route_many(errors="collect")``), the Python edges (a polars Null column, a
negative seed, a duplicated Arrow column, a missing program file), and simulation bounds (the
work budget, progress, Ctrl-C)."""

from __future__ import annotations

import _thread
import threading
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import offramp
import offramp.sim as sim

from conftest import ROOT, need, program_path

ABSURD = "-262143-01-01T00:00:00Z"
LEAD_SCENARIO = ROOT / "examples" / "scenarios" / "lead-king-county.toml"
QRT_SCENARIO = ROOT / "examples" / "scenarios" / "qrt-hamilton-county.toml"


def held(at: str = "2026-03-02T14:05:00-05:00", id: str = "e-1") -> Dict[str, Any]:
    """A Leon County adult civil citation: Officer Intervention holds charges for 90 days."""
    return {
        "id": id,
        "at": at,
        "responder": "law_enforcement",
        "source": "on_view",
        "age": 30,
        "history": [],
        "offenses": [{"nibrs": "23C", "level": "misdemeanor"}],
    }


@pytest.fixture(scope="module")
def router() -> offramp.Router:
    """Leon County's program, which holds charges."""
    return offramp.Router(offramp.Program.from_file(program_path("pad-acc-leon-county")))


# ------------------------------------------------------------------ times


@pytest.mark.parametrize(
    "at", [ABSURD, "0000-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "2200-06-01T00:00:00Z"]
)
def test_an_encounter_outside_the_accepted_times_is_refused_naming_at(
    router: offramp.Router, at: str
) -> None:
    with pytest.raises(offramp.EncounterError) as info:
        router.route(held(at))
    assert info.value.field == "at"
    assert at not in str(info.value)


def test_a_leap_second_is_refused(router: offramp.Router) -> None:
    with pytest.raises(offramp.EncounterError) as info:
        router.route(held("2026-03-02T14:05:60-05:00"))
    assert info.value.field == "at"


def test_the_charge_hold_of_a_normal_encounter_is_kept(router: offramp.Router) -> None:
    d = router.route(held())
    assert any(e.charge_hold is not None for e in d.eligible)


# ------------------------------------------------------------------ errors="collect"


def rows_with_two_bad() -> List[Dict[str, Any]]:
    rows = [held(id=f"e-{i}") for i in range(6)]
    rows[1] = held(ABSURD, id="e-1")
    rows[4] = dict(held(id="e-4"), responder="JaneDoe")
    return rows


def check_collected(result: Tuple[pa.Table, pa.Table], router: offramp.Router) -> None:
    decisions, failures = result
    assert isinstance(decisions, pa.Table) and isinstance(failures, pa.Table)
    assert failures.column_names == ["row", "field", "message"]
    assert failures.column("row").to_pylist() == [1, 4]
    assert failures.column("field").to_pylist() == ["at", "responder"]
    text = " ".join(failures.column("message").to_pylist())
    assert "262143" not in text and "JaneDoe" not in text
    assert set(decisions.column("row").to_pylist()) == {0, 2, 3, 5}
    alone = router.route_many([held(id="e-0")])
    first = decisions.filter(pc.equal(decisions.column("row"), 0))
    assert first.to_pylist() == alone.to_pylist()


def test_collect_decides_every_good_row_of_a_list(router: offramp.Router) -> None:
    check_collected(router.route_many(rows_with_two_bad(), errors="collect"), router)


def test_collect_decides_every_good_row_of_a_table(router: offramp.Router) -> None:
    table = pa.Table.from_struct_array(pa.array(rows_with_two_bad()))
    check_collected(router.route_many(table, errors="collect"), router)


def test_raise_is_the_default_and_names_the_row(router: offramp.Router) -> None:
    with pytest.raises(offramp.EncounterError) as info:
        router.route_many(rows_with_two_bad())
    assert info.value.row == 1 and info.value.field == "at"
    with pytest.raises(offramp.EncounterError):
        router.route_many(rows_with_two_bad(), errors="raise")


def test_collect_with_nothing_wrong_gives_an_empty_failures_table(router: offramp.Router) -> None:
    decisions, failures = router.route_many([held()], errors="collect")
    assert failures.num_rows == 0 and failures.column_names == ["row", "field", "message"]
    assert decisions.equals(router.route_many([held()]))


def test_an_unknown_errors_mode_is_a_value_error(router: offramp.Router) -> None:
    with pytest.raises(ValueError, match="errors"):
        router.route_many([held()], errors="ignore")  # type: ignore[call-overload]


# ------------------------------------------------------------------ Python edges


def test_a_duplicated_arrow_column_is_refused_naming_it(router: offramp.Router) -> None:
    table = pa.Table.from_arrays(
        [pa.array(["e-1"]), pa.array(["2026-03-02T14:05:00-08:00"]), pa.array(["1850-01-01T00:00:00Z"])],
        names=["id", "at", "at"],
    )
    for errors in ("raise", "collect"):
        with pytest.raises(offramp.EncounterError) as info:
            router.route_many(table, errors=errors)  # type: ignore[call-overload]
        assert info.value.field == "at"


def test_a_polars_null_column_is_read_as_not_recorded(router: offramp.Router) -> None:
    pl = need("polars")
    at = "2026-03-02T14:05:00-08:00"
    df = pl.DataFrame(
        {"id": ["e-1", "e-2"], "at": [at, at], "age": [None, None], "needs": [None, None]}
    )
    assert str(df.schema["age"]) == "Null"
    out = router.route_many(df)
    plain = router.route_many([{"id": "e-1", "at": at}, {"id": "e-2", "at": at}])
    assert out.to_pylist() == plain.to_pylist()
    # A required field that is all null is missing, and the error says which.
    with pytest.raises(offramp.EncounterError) as info:
        router.route_many(pl.DataFrame({"id": ["e-1"], "at": [None]}))
    assert "`at`" in str(info.value)


def test_a_negative_seed_names_seed() -> None:
    s = sim.Scenario.from_file(QRT_SCENARIO).replace({"scenario.days": 5})
    for keyword, value in (("seed", -1), ("seed", 2**64), ("replications", -2), ("threads", -1)):
        with pytest.raises(offramp.SimulationError) as info:
            sim.run(s, **{keyword: value})
        assert info.value.field == keyword
        assert keyword in str(info.value)


def test_a_missing_program_file_is_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(FileNotFoundError) as info:
        offramp.Program.from_file(missing)
    assert isinstance(info.value, offramp.ProgramError)
    assert isinstance(info.value, offramp.ProgramNotFoundError)
    assert info.value.filename == info.value.path and "missing.toml" in info.value.path
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    with pytest.raises(offramp.ProgramError) as other:
        offramp.Program.from_file(folder)
    assert not isinstance(other.value, FileNotFoundError)


# ------------------------------------------------------------------ simulation bounds


def runaway() -> sim.Scenario:
    """The issue's runaway: inside every per-field limit, far above the work budget."""
    return sim.Scenario.from_file(LEAD_SCENARIO).replace(
        {
            "scenario.days": 36600,
            "scenario.warm_up_days": 0,
            "scenario.population": 50_000_000,
            "contacts": {"call_for_service": 1_000_000.0},
        }
    )


def test_a_run_above_the_budget_is_refused_naming_allow_large() -> None:
    with pytest.raises(offramp.SimulationError) as info:
        sim.run(runaway(), replications=1)
    text = str(info.value)
    assert "allow_large=True" in text and f"{sim.WORK_BUDGET:,}" in text
    assert sim.WORK_BUDGET == 50_000_000


def test_ctrl_c_stops_a_run() -> None:
    # Ctrl-C every half second until the run stops: Python drops an interrupt that lands while
    # a finaliser runs (a garbage collection left from an earlier test can start one), as a
    # user pressing Ctrl-C again would not be ignored twice.
    stopped = threading.Event()

    def press() -> None:
        while not stopped.wait(0.5):
            _thread.interrupt_main()

    presser = threading.Thread(target=press, daemon=True)
    presser.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            sim.run(runaway(), replications=1, threads=1, allow_large=True)
    finally:
        # A press landing after the run stopped is taken here, not by the next test.
        while True:
            try:
                stopped.set()
                presser.join()
                for _ in range(3):
                    pass
                break
            except KeyboardInterrupt:
                continue


def test_progress_is_reported_and_can_stop_a_run() -> None:
    s = sim.Scenario.from_file(QRT_SCENARIO).replace({"scenario.days": 365})
    seen: List[Tuple[int, int]] = []
    r = sim.run(s, replications=2, progress=lambda done, total: seen.append((done, total)))
    assert r.info["replications"] == 2
    assert seen, "progress was called"
    assert all(total == 2 * 2 * 365 for _, total in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        raise Stop()

    with pytest.raises(Stop):
        sim.run(s, replications=4, progress=stop)


def test_progress_true_draws_a_tqdm_bar(capsys: pytest.CaptureFixture[str]) -> None:
    need("tqdm")
    s = sim.Scenario.from_file(QRT_SCENARIO).replace({"scenario.days": 200})
    sim.run(s, replications=1, progress=True)
    assert "simulating" in capsys.readouterr().err


def test_a_sweep_above_the_budget_is_refused_before_using_the_cluster() -> None:
    need("distributed")
    with pytest.raises(offramp.SimulationError) as info:
        sim.sweep(runaway(), {"behaviour.accept.default": [0.5]}, replications=1, client=object())  # type: ignore[arg-type]
    assert "allow_large=True" in str(info.value)
    with pytest.raises(offramp.SimulationError) as bad:
        sim.sweep(runaway(), {"behaviour.accept.default": [0.5]}, seed=-1, client=object())  # type: ignore[arg-type]
    assert bad.value.field == "seed"
