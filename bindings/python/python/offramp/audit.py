"""Read the tables ``offramp audit export`` writes from an ``offramp serve`` audit log.

An agency's analyst exports the decisions of a verified log (CSV, JSON lines or Parquet) and
reads them here into one typed table, whatever the format::

    import offramp.audit

    table = offramp.audit.read_export("decisions.parquet")   # a pyarrow.Table
    frame = table.to_pandas()                                # or polars.from_arrow(table)
    frame.groupby("disposition").size()

    for row in offramp.audit.read_records("decisions.csv"):   # decisions as dicts
        print(row["seq"], row["at"], row["decision"]["disposition"])

The columns are those of the export, in its order (``COLUMNS``):

- ``seq`` (int64): the row's number in the log; ``at`` (timestamp, microseconds, UTC): when
  the decision was logged;
- ``endpoint``, ``token_id``, ``program_id``, ``program_hash``, ``encounter_id`` (string);
- ``intercept``, ``disposition`` (string, as the decision record writes them) and ``eligible``
  (list of string: the eligible pathways, in the decision's order);
- ``decision`` (string): the decision record as JSON text; ``encounter`` (string or null): the
  encounter as sent, when the service kept encounters;
- ``prev_hash``, ``hash`` (string): the row's place in the log's hash chain.

The format is told from the file's content, not its name. A file that is not an export, or a
row that does not read, raises ``ValueError`` naming the file, the line or row, and the column;
never a value from the file, since decisions and encounters may concern people.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from typing import Any, Dict, List, Sequence, Union

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

__all__ = ["COLUMNS", "SCHEMA", "read_export", "read_records"]

#: The columns of an export, in order (the same in every format).
COLUMNS: tuple[str, ...] = (
    "seq",
    "at",
    "endpoint",
    "token_id",
    "program_id",
    "program_hash",
    "encounter_id",
    "intercept",
    "disposition",
    "eligible",
    "decision",
    "encounter",
    "prev_hash",
    "hash",
)

_TIME = pa.timestamp("us", tz="UTC")

#: The table ``read_export`` returns.
SCHEMA: pa.Schema = pa.schema(
    [
        pa.field(name, kind, nullable=(name == "encounter"))
        for name, kind in (
            ("seq", pa.int64()),
            ("at", _TIME),
            ("endpoint", pa.string()),
            ("token_id", pa.string()),
            ("program_id", pa.string()),
            ("program_hash", pa.string()),
            ("encounter_id", pa.string()),
            ("intercept", pa.string()),
            ("disposition", pa.string()),
            ("eligible", pa.list_(pa.string())),
            ("decision", pa.string()),
            ("encounter", pa.string()),
            ("prev_hash", pa.string()),
            ("hash", pa.string()),
        )
    ]
)

# RFC 3339 in UTC as the log writes it: seconds, an optional fraction, `Z` or an offset.
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})\Z"
)

PathLike = Union[str, "os.PathLike[str]"]


def read_export(path: PathLike) -> pa.Table:
    """Read an export of an audit log (CSV, JSON lines or Parquet) into a typed table.

    Returns a ``pyarrow.Table`` with ``SCHEMA``: one row per decision, in the log's order.
    Raises ``ValueError`` for a file that is not an export or a row that does not read, and
    ``OSError`` (``FileNotFoundError`` and the like) for a file that cannot be opened.
    """
    name = os.fspath(path)
    with open(name, "rb") as f:
        # Enough to tell the formats apart: Parquet's magic, or the first line (bounded, since
        # a file that is neither may have no line ending at all).
        head = f.readline(64 * 1024)
    if head.startswith(b"PAR1"):
        columns = _parquet(name)
    else:
        first = head.decode("utf-8", errors="replace")
        if first.lstrip().startswith("{"):
            columns = _jsonl(name)
        elif first.split(",", 1)[0].strip('"\ufeff') == COLUMNS[0]:
            columns = _csv(name)
        else:
            raise ValueError(
                f"{name}: not an export of an offramp audit log: expected CSV with the header "
                f"`{','.join(COLUMNS)}`, JSON lines or Parquet (`offramp audit export --format`)"
            )
    return _typed(name, columns)


def read_records(path: PathLike) -> List[Dict[str, Any]]:
    """Read an export as one dict per decision, with ``decision`` and ``encounter`` parsed.

    Each dict has the keys of ``COLUMNS``: ``seq`` an int, ``at`` a timezone-aware
    ``datetime`` in UTC, ``eligible`` a list of pathway names, ``decision`` the decision record
    as a dict, ``encounter`` the encounter as a dict or ``None``, the rest strings.
    """
    rows: List[Dict[str, Any]] = read_export(path).to_pylist()
    for row in rows:
        row["decision"] = json.loads(row["decision"])
        if row["encounter"] is not None:
            row["encounter"] = json.loads(row["encounter"])
    return rows


def _check_columns(name: str, found: Sequence[str], where: str) -> None:
    if tuple(found) == COLUMNS:
        return
    for i, expected in enumerate(COLUMNS):
        if i >= len(found):
            raise ValueError(f"{name}: {where}: column `{expected}` is missing")
        if found[i] != expected:
            raise ValueError(
                f"{name}: {where}: column {i + 1} is `{found[i]}` where `{expected}` belongs"
            )
    raise ValueError(
        f"{name}: {where}: {len(found) - len(COLUMNS)} column(s) more than an export has"
    )


def _parquet(name: str) -> Dict[str, List[Any]]:
    try:
        table = pq.read_table(name)
    except (pa.ArrowException, OSError) as e:
        kind = type(e).__name__
        raise ValueError(f"{name}: not a Parquet file pyarrow can read ({kind})") from None
    _check_columns(name, table.column_names, "the Parquet schema")
    return {c: table.column(c).to_pylist() for c in COLUMNS}


def _csv(name: str) -> Dict[str, List[Any]]:
    try:
        table = pa_csv.read_csv(
            name,
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={c: pa.string() for c in COLUMNS},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as e:
        # pyarrow's message quotes the row at fault: keep only what it says is wrong.
        text = str(e)
        parts = text.split(": ")
        what = parts[1] if text.startswith("CSV parse error") and len(parts) > 2 else "malformed"
        raise ValueError(f"{name}: not a well-formed CSV export: {what}") from None
    _check_columns(name, table.column_names, "the header")
    columns: Dict[str, List[Any]] = {c: table.column(c).to_pylist() for c in COLUMNS}
    columns["seq"] = [_int(name, "row", i, v) for i, v in enumerate(columns["seq"], start=1)]
    # CSV has no null: an encounter not kept is an empty cell.
    columns["encounter"] = [v if v else None for v in columns["encounter"]]
    return columns


def _jsonl(name: str) -> Dict[str, List[Any]]:
    columns: Dict[str, List[Any]] = {c: [] for c in COLUMNS}
    with open(name, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{name}: line {number}: not JSON ({e.msg})") from None
            if not isinstance(row, dict):
                raise ValueError(f"{name}: line {number}: not a JSON object")
            for c in COLUMNS:
                if c not in row:
                    raise ValueError(f"{name}: line {number}: column `{c}` is missing")
            extra = sorted(set(row) - set(COLUMNS))
            if extra:
                raise ValueError(
                    f"{name}: line {number}: `{extra[0]}` is not a column of an export"
                )
            for c in COLUMNS:
                value = row[c]
                if c in ("decision", "encounter"):
                    if value is not None:
                        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
                elif c == "seq":
                    value = _int(name, "line", number, value)
                elif not isinstance(value, str):
                    raise ValueError(f"{name}: line {number}: column `{c}` is not text")
                columns[c].append(value)
    return columns


def _int(name: str, unit: str, number: int, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ValueError(f"{name}: {unit} {number}: column `seq` is not a whole number")


def _times(name: str, values: List[Any]) -> "pa.Array[Any]":
    """The ``at`` column: Parquet gives datetimes, CSV and JSON lines RFC 3339 text."""
    if all(isinstance(v, datetime.datetime) for v in values):
        return pa.array(values, _TIME)
    for row, v in enumerate(values, start=1):
        if not isinstance(v, str) or not _RFC3339.match(v):
            raise ValueError(f"{name}: row {row}: column `at` is not an RFC 3339 time")
    return pa.array(values, pa.string()).cast(_TIME)


def _pathways(name: str, row: int, value: Any) -> List[str]:
    if isinstance(value, list) and all(isinstance(p, str) for p in value):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{name}: row {row}: column `eligible` is not text")
    return value.split(";") if value else []


def _typed(name: str, columns: Dict[str, List[Any]]) -> pa.Table:
    for c in COLUMNS:
        if c == "encounter":
            continue
        for row, v in enumerate(columns[c], start=1):
            if v is None:
                raise ValueError(f"{name}: row {row}: column `{c}` is empty")
    arrays = []
    for field in SCHEMA:
        values = columns[field.name]
        if field.name == "at":
            arrays.append(_times(name, values))
        elif field.name == "eligible":
            arrays.append(
                pa.array(
                    [_pathways(name, row, v) for row, v in enumerate(values, start=1)],
                    field.type,
                )
            )
        else:
            arrays.append(pa.array(values, field.type))
    return pa.Table.from_arrays(arrays, schema=SCHEMA)
