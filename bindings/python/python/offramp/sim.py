"""Pathway simulation: what a program, its partners and their capacity would do for a
population over time, compared with no program at all (see ``docs/simulation.md``).

The engine is the Rust core's (``offramp::sim``), run with the real router; this module reads
scenarios, runs them without holding the GIL, and returns the tables as pyarrow Tables::

    import offramp.sim

    scenario = offramp.sim.Scenario.from_file("examples/scenarios/lead-king-county.toml")
    results = offramp.sim.run(scenario, seed=7, replications=4)
    results.funnel.to_pandas()          # or polars.from_arrow(results.funnel)

``sweep`` runs a parameter grid on a Dask cluster (``pip install "offramp[sim]"``).
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import itertools
import json
import os
import warnings
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

import pyarrow as pa

from offramp import _offramp
from offramp._errors import SimulationError

if TYPE_CHECKING:
    from distributed import Client

    from offramp._offramp import _Encounters

__all__ = [
    "TABLES",
    "WORK_BUDGET",
    "Progress",
    "Scenario",
    "SimResults",
    "SimulationError",
    "run",
    "sweep",
]

_Path = Union[str, "os.PathLike[str]"]

#: The names of the result tables, in the order ``offramp simulate`` writes them.
TABLES: Tuple[str, ...] = tuple(_offramp._sim_tables())

#: The most encounters (first contacts and overdoses, over every replication and both arms) a
#: run or a sweep may be expected to simulate unless ``allow_large=True`` (the core's
#: ``offramp::sim::WORK_BUDGET``; see docs/limits.md).
WORK_BUDGET: int = _offramp._WORK_BUDGET

#: What ``progress=`` takes: ``True`` for a tqdm bar (when tqdm is installed), or a function
#: called as ``progress(done, total)`` (simulated days for ``run``, finished tasks for
#: ``sweep``), from the calling thread.
Progress = Union[bool, Callable[[int, int], object], None]


def _whole(name: str, value: Optional[int], high: int) -> None:
    """Refuses a ``seed``, ``replications`` or ``threads`` that is not a whole number in
    0..=high, naming the keyword (Rust would otherwise raise a bare ``OverflowError``)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise SimulationError(
            f"{name} must be a whole number from 0 to {high}", field=name
        )


def _progress_callback(
    progress: Progress, unit: str
) -> Tuple[Optional[Callable[[int, int], object]], Callable[[], None]]:
    """The function to report progress through, and the one to call at the end."""
    if progress is None or progress is False:
        return None, lambda: None
    if progress is True:
        try:
            tqdm = importlib.import_module("tqdm.auto").tqdm
        except ImportError:
            warnings.warn("progress=True needs tqdm (pip install tqdm); no bar is shown", stacklevel=3)
            return None, lambda: None
        bar = tqdm(total=0, unit=unit, desc="simulating", leave=False)

        def show(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        return show, bar.close
    if callable(progress):
        return progress, lambda: None
    raise TypeError("progress must be True, False, None or a function of (done, total)")


class Scenario:
    """A checked scenario: the program and directory files, the population, behaviour,
    services, the justice path and costs (the TOML format of ``docs/simulation.md``).

    Build one with ``from_file``, ``from_toml`` or ``from_json``; ``replace`` returns a copy
    with some values changed. A scenario pickles (it is its JSON form), so it can be sent to
    Dask workers; its file paths must then be readable there.
    """

    __slots__ = ("_json",)

    def __init__(self, _json: str) -> None:
        self._json = _json

    @classmethod
    def from_file(cls, path: _Path) -> "Scenario":
        """Reads a scenario file (TOML; JSON when it ends in ``.json``). Paths inside it are
        resolved against the file's folder. Raises ``SimulationError``."""
        return cls(_offramp._scenario_from_file(os.fspath(path)))

    @classmethod
    def from_toml(
        cls, text: str, name: str = "<scenario>", base: Optional[_Path] = None
    ) -> "Scenario":
        """Reads a scenario from TOML text; ``name`` is used in errors. Relative paths are
        resolved against ``base`` when given, else kept relative to the working directory."""
        b = None if base is None else os.fspath(base)
        return cls(_offramp._scenario_from_text(text, name, b, False))

    @classmethod
    def from_json(
        cls, text: str, name: str = "<scenario>", base: Optional[_Path] = None
    ) -> "Scenario":
        """Reads a scenario from JSON text (the same structure as the TOML)."""
        b = None if base is None else os.fspath(base)
        return cls(_offramp._scenario_from_text(text, name, b, True))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], name: str = "<scenario>") -> "Scenario":
        """A scenario from a dict of the same structure as the TOML. Errors name the dotted
        key of the value at fault (``scenario.days``)."""
        return cls(_offramp._scenario_from_text(json.dumps(data), name, None, True, True))

    def to_dict(self) -> Dict[str, Any]:
        """Every value, defaults included, as a dict."""
        value: Dict[str, Any] = json.loads(self._json)
        return value

    def to_json(self) -> str:
        """The scenario as JSON text."""
        return self._json

    def to_toml(self) -> str:
        """The scenario as TOML text."""
        return _offramp._scenario_to_toml(self._json)

    def replace(self, changes: Mapping[str, Any]) -> "Scenario":
        """A copy with values changed, by dotted path: ``{"behaviour.accept.default": 0.8,
        "scenario.population": 20000}``. The result is checked like any scenario."""
        data = self.to_dict()
        for path, value in changes.items():
            _set_path(data, path, value)
        return Scenario.from_dict(data)

    def __getstate__(self) -> str:
        return self._json

    def __setstate__(self, state: str) -> None:
        self._json = state

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self._json)

    def __repr__(self) -> str:
        name = self.to_dict().get("scenario", {}).get("name", "")
        return f"Scenario({name!r})"


def _set_path(data: Dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    node: Any = data
    for k in keys[:-1]:
        if not isinstance(node, dict):
            raise KeyError(path)
        if node.get(k) is None:
            node[k] = {}
        node = node[k]
    if not isinstance(node, dict):
        raise KeyError(path)
    node[keys[-1]] = copy.deepcopy(value)


class _LazyCsv(Mapping[str, str]):
    """A run's tables as CSV text, each written (by the core) when first read and then kept."""

    __slots__ = ("_source", "_done")

    def __init__(self, source: "_offramp.SimCsv") -> None:
        self._source = source
        self._done: Dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        text = self._done.get(name)
        if text is None:
            # The core raises KeyError for a name that is not a table.
            text = self._done[name] = self._source.csv(name)
        return text

    def __contains__(self, name: object) -> bool:
        return name in TABLES

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)


class SimResults:
    """The tables of a run, as ``offramp simulate`` writes them (see ``docs/simulation.md``).

    Each table is a ``pyarrow.Table`` (``.to_pandas()``, ``polars.from_arrow(...)``): ``funnel``,
    ``time_to_intake``, ``referrals``, ``providers``, ``provider_periods`` (utilisation over
    time), ``intercepts``, ``timeline`` (outcomes over time), ``costs``, ``outcomes``,
    ``equity``, ``effects`` (re-arrest among the people reached), ``summary`` (each outcome's
    mean with the program, without it and their difference, each with a 95% interval across
    replications). ``report()`` is the one-page text summary. The core builds each table with the column types it declares for
    it (the types of ``offramp simulate --format parquet``), so a table with no rows still has
    its columns. ``info`` is ``run.json`` as a dict; ``csv(name)`` is a table's CSV text, byte
    for byte the file the command writes.
    """

    __slots__ = ("_csv", "_info", "_report", "_tables")

    def __init__(
        self,
        info: Dict[str, Any],
        csv: Mapping[str, str],
        tables: Mapping[str, pa.Table],
        report: str = "",
    ) -> None:
        self._info = info
        # A run's own CSV is written when first asked for; a mapping given is copied.
        self._csv: Mapping[str, str] = csv if isinstance(csv, _LazyCsv) else dict(csv)
        self._tables = dict(tables)
        self._report = report

    def report(self) -> str:
        """The one-page text summary ``offramp simulate`` prints (and writes as
        ``report.txt``): each outcome with and without the program and the difference with its
        95% interval across replications, re-arrest among the people reached, the funnel and
        unmet demand."""
        return self._report

    @property
    def info(self) -> Dict[str, Any]:
        """What was run: scenario, program id and hash, seed, replications, span, population."""
        return dict(self._info)

    def csv(self, name: str) -> str:
        """One table as CSV text (one of ``TABLES``)."""
        if name not in self._csv:
            raise KeyError(f"no table {name!r}; expected one of {', '.join(TABLES)}")
        return self._csv[name]

    def table(self, name: str) -> pa.Table:
        """One table by name, as a pyarrow Table."""
        if name not in self._tables:
            raise KeyError(f"no table {name!r}; expected one of {', '.join(TABLES)}")
        return self._tables[name]

    def tables(self) -> Dict[str, pa.Table]:
        """Every table, by name."""
        return dict(self._tables)

    @property
    def funnel(self) -> pa.Table:
        """Replication, pathway (``all`` first), stage: counts and conversion rates."""
        return self.table("funnel")

    @property
    def time_to_intake(self) -> pa.Table:
        """Replication, pathway: intakes and hours from encounter to intake."""
        return self.table("time_to_intake")

    @property
    def referrals(self) -> pa.Table:
        """Replication, pathway: what became of accepted offers."""
        return self.table("referrals")

    @property
    def providers(self) -> pa.Table:
        """Replication, service: referrals, intakes, waitlisted, lost, utilisation."""
        return self.table("providers")

    @property
    def provider_periods(self) -> pa.Table:
        """Replication, service, period: utilisation and unmet demand over time."""
        return self.table("provider_periods")

    @property
    def utilisation(self) -> pa.Table:
        """The same as ``provider_periods``."""
        return self.table("provider_periods")

    @property
    def intercepts(self) -> pa.Table:
        """Replication, arm, intercept: encounters, bookings and jail admissions."""
        return self.table("intercepts")

    @property
    def timeline(self) -> pa.Table:
        """Replication, arm, period: outcomes over time."""
        return self.table("timeline")

    @property
    def costs(self) -> pa.Table:
        """Replication, item: costs with and without the program, and the difference
        (program minus counterfactual: negative when the program saves)."""
        return self.table("costs")

    @property
    def outcomes(self) -> pa.Table:
        """Replication, measure: with the program, without it, and the difference (program
        minus counterfactual)."""
        return self.table("outcomes")

    @property
    def equity(self) -> pa.Table:
        """Replication, arm, group, stage: relative rate index and absolute difference."""
        return self.table("equity")

    @property
    def summary(self) -> pa.Table:
        """Each outcome's mean per replication with the program, without it and their
        difference, each with its 95% confidence interval across replications (``_low``,
        ``_high``; empty for a single replication)."""
        return self.table("summary")

    @property
    def effects(self) -> pa.Table:
        """Replication, effect: re-arrest within 180 days of a first accepted offer, among the
        same people with and without the program, and its odds ratio."""
        return self.table("effects")

    def write(self, folder: _Path) -> List[str]:
        """Writes every table as ``<table>.csv``, ``run.json`` and ``report.txt`` into
        ``folder`` (created when missing), as ``offramp simulate --format csv`` does. Returns
        the paths."""
        os.makedirs(folder, exist_ok=True)
        written = []
        for name, text in self._csv.items():
            p = os.path.join(folder, f"{name}.csv")
            with open(p, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            written.append(p)
        p = os.path.join(folder, "run.json")
        with open(p, "w", encoding="utf-8") as f:
            f.write(json.dumps(self._info, indent=2) + "\n")
        written.append(p)
        p = os.path.join(folder, "report.txt")
        with open(p, "w", encoding="utf-8", newline="") as f:
            f.write(self._report)
        written.append(p)
        return written

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, SimResults)
            and dict(self._csv) == dict(other._csv)
            and self._info == other._info
        )

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> Tuple[Dict[str, Any], Dict[str, str], Dict[str, pa.Table], str]:
        return (self._info, dict(self._csv), self._tables, self._report)

    def __setstate__(
        self, state: Tuple[Dict[str, Any], Dict[str, str], Dict[str, pa.Table], str]
    ) -> None:
        self._info, self._csv, self._tables, self._report = state

    def __repr__(self) -> str:
        i = self._info
        return (
            f"SimResults(scenario={i.get('scenario')!r}, seed={i.get('seed')}, "
            f"replications={i.get('replications')})"
        )


def _with_person(
    scenario: Scenario, encounters: Optional["_Encounters"], person_attribute: Optional[str]
) -> Scenario:
    """The scenario with ``replay.person_attribute`` set, for encounters given in memory."""
    if person_attribute is None:
        return scenario
    if encounters is None:
        raise SimulationError(
            "person_attribute is for encounters given in memory; "
            "a replay file's scenario sets replay.person_attribute",
            field="replay.person_attribute",
        )
    data = scenario.to_dict()
    replay = dict(data.get("replay") or {})
    replay["person_attribute"] = person_attribute
    data["replay"] = replay
    return Scenario.from_dict(data)


def run(
    scenario: Union[Scenario, _Path],
    *,
    seed: Optional[int] = None,
    replications: Optional[int] = None,
    threads: Optional[int] = None,
    encounters: Optional["_Encounters"] = None,
    person_attribute: Optional[str] = None,
    allow_large: bool = False,
    progress: Progress = None,
) -> SimResults:
    """Runs a scenario (or a scenario file): every replication with and without the program,
    in parallel on ``threads`` threads (all cores by default; more than the machine's cores are
    not started), without holding the GIL.

    ``seed`` and ``replications`` default to the scenario's. The same seed gives the same
    tables whatever ``threads`` is, and the same tables as ``offramp simulate`` with that seed.

    Historical replay: ``encounters`` (a list of encounter dicts or ``Encounter`` objects, a
    pandas or polars DataFrame, or a pyarrow Table, in the shapes ``Router.route_many`` reads)
    are fed to the model instead of a generated population; ``person_attribute`` names the
    encounter attribute that links one person's encounters (without it, every encounter is a
    different person). The scenario must not also name a replay file.

    A run expected to simulate more than ``WORK_BUDGET`` encounters is refused before it starts
    unless ``allow_large=True``. Ctrl-C stops a run within a fraction of a second (raising
    ``KeyboardInterrupt``). ``progress=True`` shows a tqdm bar when tqdm is installed;
    ``progress`` may also be a function, called as ``progress(done, total)`` in simulated days
    from this thread (an exception it raises stops the run and is raised here).

    Raises ``SimulationError`` (``ProgramError``/``DirectoryError`` for the files it names,
    ``EncounterError`` with the row for an encounter that cannot be read).
    """
    _whole("seed", seed, 2**64 - 1)
    _whole("replications", replications, 2**32 - 1)
    _whole("threads", threads, 2**32 - 1)
    if not isinstance(scenario, Scenario):
        scenario = Scenario.from_file(scenario)
    scenario = _with_person(scenario, encounters, person_attribute)
    callback, close = _progress_callback(progress, "day")
    try:
        info, report, tables, csv = _offramp._simulate(
            scenario.to_json(),
            seed,
            replications,
            threads,
            encounters,
            allow_large,
            callback,
        )
    finally:
        close()
    return SimResults(json.loads(info), _LazyCsv(csv), dict(tables), report)


# ------------------------------------------------------------------------------ sweep


_Grid = Union[Mapping[str, Sequence[Any]], Sequence[Mapping[str, Any]]]


def _grid_points(grid: _Grid) -> List[Dict[str, Any]]:
    if isinstance(grid, Mapping):
        keys = list(grid)
        return [dict(zip(keys, values)) for values in itertools.product(*(grid[k] for k in keys))]
    return [dict(p) for p in grid]


def _task_seed(seed: int, replication: int) -> int:
    digest = hashlib.sha256(f"offramp-sweep:{seed}:{replication}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def _sweep_task(
    scenario_json: str,
    changes: Dict[str, Any],
    seed: int,
    replication: int,
    encounters: Optional["_Encounters"] = None,
) -> Dict[str, pa.Table]:
    """One (parameter set, replication): runs in a Dask worker, returns its tables."""
    scenario = Scenario(scenario_json).replace(changes)
    result = run(
        scenario,
        seed=_task_seed(seed, replication),
        replications=1,
        threads=1,
        encounters=encounters,
        allow_large=True,  # the sweep as a whole was checked against the budget
    )
    return result.tables()


def _tag(table: pa.Table, point: int, changes: Mapping[str, Any], replication: int) -> pa.Table:
    n = table.num_rows
    if "replication" in table.column_names:
        table = table.drop_columns(["replication"])
    cols: Dict[str, Any] = {"point": pa.array([point] * n, pa.int64())}
    for k, v in changes.items():
        cols[k] = pa.array([v] * n)
    cols["replication"] = pa.array([replication] * n, pa.int64())
    front = pa.table(cols)
    for name in table.column_names:
        front = front.append_column(name, table.column(name))
    return front


class SweepResults:
    """The tables of a sweep: each table of ``SimResults`` for every (point, replication),
    concatenated, with columns ``point`` (the index in ``points``), one per swept parameter
    (named by its dotted path) and ``replication`` in front. ``summary`` is not included (it
    summarises one run); aggregate the others with pandas or polars."""

    def __init__(self, points: List[Dict[str, Any]], tables: Dict[str, pa.Table]) -> None:
        self.points = points
        self._tables = tables

    def table(self, name: str) -> pa.Table:
        """One table by name."""
        return self._tables[name]

    def tables(self) -> Dict[str, pa.Table]:
        """Every table, by name."""
        return dict(self._tables)

    def __getattr__(self, name: str) -> pa.Table:
        tables: Dict[str, pa.Table] = self.__dict__.get("_tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


def _gather(client: "Client", futures: List[Any], progress: Progress) -> List[Any]:
    """The results of ``futures`` in order, reporting each finished task; on Ctrl-C (or an
    error) the tasks not yet finished are cancelled."""
    from distributed import as_completed

    callback, close = _progress_callback(progress, "task")
    try:
        if callback is not None:
            callback(0, len(futures))
        done = 0
        for _ in as_completed(futures):  # type: ignore[no-untyped-call]
            done += 1
            if callback is not None:
                callback(done, len(futures))
        return list(client.gather(futures))  # type: ignore[no-untyped-call]
    except BaseException:
        client.cancel(futures)  # type: ignore[no-untyped-call]
        raise
    finally:
        close()


def sweep(
    scenario: Union[Scenario, _Path],
    grid: _Grid,
    *,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    client: Union["Client", str, None] = None,
    tables: Optional[Sequence[str]] = None,
    encounters: Optional["_Encounters"] = None,
    person_attribute: Optional[str] = None,
    allow_large: bool = False,
    progress: Progress = None,
) -> SweepResults:
    """Runs a parameter grid on a Dask cluster: one task per (parameter set, replication),
    each running one replication (with and without the program) in a worker.

    ``grid`` maps dotted scenario paths to the values to try (every combination is run), or is
    a list of dicts, one per parameter set. ``client`` is a ``dask.distributed.Client``, or the
    address of a scheduler (``"tcp://HOST:8786"``: a client is connected for the call); without
    one, the current default client is used (``distributed.get_client()``), and failing that a
    ``LocalCluster`` is started for the call. To use a real cluster, start a scheduler and
    workers (``dask scheduler``; ``dask worker tcp://HOST:8786 --nthreads 1`` on each machine,
    with ``offramp[sim]`` installed and the scenario's files at the same paths) and pass its
    address.

    Replication ``r`` of every point uses the same seed, derived from ``seed`` (the scenario's
    by default) and ``r``, so points are compared on common random numbers; the results do not
    depend on the cluster's size. (They differ from ``run``'s replications, which derive their
    streams inside one run.)

    ``encounters`` and ``person_attribute`` replay a table of real encounters at every point,
    as in ``run``; the table is sent once to every worker.

    A sweep expected to simulate more than ``WORK_BUDGET`` encounters over all its points and
    replications is refused before anything is sent, unless ``allow_large=True``. Ctrl-C
    cancels the tasks not yet finished and raises ``KeyboardInterrupt``. ``progress`` is as in
    ``run``, counted in finished tasks.
    """
    from distributed import Client, get_client

    if not isinstance(scenario, Scenario):
        scenario = Scenario.from_file(scenario)
    scenario = _with_person(scenario, encounters, person_attribute)
    base = scenario.to_dict()
    if seed is None:
        seed = int(base.get("scenario", {}).get("seed", 0))
    if replications is None:
        replications = int(base.get("scenario", {}).get("replications", 1))
    _whole("seed", seed, 2**64 - 1)
    _whole("replications", replications, 2**32 - 1)
    points = _grid_points(grid)
    replayed = None if encounters is None else len(_offramp._read_encounters(encounters))
    expected = 0
    for p in points:
        # Refuses a bad grid before sending anything, and adds up the work.
        point = scenario.replace(p)
        expected += _offramp._work_estimate(point.to_json(), replications, replayed)[0]
    if expected > WORK_BUDGET and not allow_large:
        raise SimulationError(
            f"this sweep would simulate about {expected:,} encounters over {len(points)} "
            f"point(s) and {replications} replication(s) each, above the budget of "
            f"{WORK_BUDGET:,} per run; pass allow_large=True to run it anyway"
        )
    names = [t for t in (tables or TABLES) if t != "summary"]
    own: Optional[Client] = None
    if isinstance(client, str):
        own = client = Client(client)  # type: ignore[no-untyped-call]
    elif client is None:
        try:
            client = get_client()
        except ValueError:
            own = client = Client(processes=False)  # type: ignore[no-untyped-call]
    try:
        text = scenario.to_json()
        shared = None
        if encounters is not None:
            [shared] = client.scatter([encounters], broadcast=True)  # type: ignore[no-untyped-call]
        futures = []
        keys = []
        for i, p in enumerate(points):
            for r in range(replications):
                futures.append(
                    client.submit(_sweep_task, text, p, seed, r, shared, pure=False)
                )
                keys.append((i, r))
        outputs = _gather(client, futures, progress)
    finally:
        if own is not None:
            own.close()  # type: ignore[no-untyped-call]
    parts: Dict[str, List[pa.Table]] = {n: [] for n in names}
    for (i, r), out in zip(keys, outputs):
        for n in names:
            parts[n].append(_tag(out[n], i, points[i], r))
    joined = {
        n: pa.concat_tables(ts, promote_options="permissive") for n, ts in parts.items() if ts
    }
    return SweepResults(points, joined)
