"""offramp.audit: the exports of an `offramp serve` audit log read back as one typed table.

The sample exports in tests/data/ are written by `offramp audit export` from a fixed log and
pinned by crates/offramp-serve/tests/export.rs, so these tests read what the command writes.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, Dict, List

import pyarrow as pa
import pytest

import offramp.audit
from conftest import need

DATA = Path(__file__).parent / "data"
FORMATS = ["csv", "jsonl", "parquet"]


def sample(fmt: str) -> Path:
    return DATA / f"audit-export.{fmt}"


def test_the_columns_are_the_command_s() -> None:
    header = sample("csv").read_text().splitlines()[0]
    assert tuple(header.split(",")) == offramp.audit.COLUMNS
    assert tuple(offramp.audit.SCHEMA.names) == offramp.audit.COLUMNS


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_reads_into_the_same_typed_table(fmt: str) -> None:
    table = offramp.audit.read_export(sample(fmt))
    assert table.schema == offramp.audit.SCHEMA
    assert table.num_rows == 3
    assert table.column("seq").to_pylist() == [1, 2, 3]
    assert table.column("at").type == pa.timestamp("us", tz="UTC")
    assert table.column("at").to_pylist()[1] == datetime.datetime(
        2026, 3, 2, 14, 5, 0, 2, tzinfo=datetime.timezone.utc
    )
    assert table.column("eligible").to_pylist() == [
        ["officer_intervention", "first_responder_referral"],
        ["officer_intervention", "first_responder_referral"],
        [],
    ]
    assert table.column("disposition").to_pylist() == [
        "pre_arrest_diversion",
        "pre_arrest_diversion",
        "none",
    ]
    # Only the second decision kept its encounter; elsewhere it is null, not empty text.
    encounters = table.column("encounter").to_pylist()
    assert encounters[0] is None and encounters[2] is None
    assert json.loads(encounters[1]) == {"id": "e-2", "note": 'a, "quoted" value'}
    # The chain's hashes come through as written.
    hashes = table.column("hash").to_pylist()
    assert table.column("prev_hash").to_pylist()[1:] == hashes[:-1]


def records(fmt: str) -> List[Dict[str, Any]]:
    return offramp.audit.read_records(sample(fmt))


def test_the_three_formats_hold_the_same_records() -> None:
    csv, jsonl, parquet = (records(f) for f in FORMATS)
    assert csv == jsonl == parquet
    first = csv[0]
    assert first["decision"]["eligible"][0] == {"pathway": "officer_intervention"}
    assert first["encounter"] is None
    assert csv[1]["encounter"]["note"] == 'a, "quoted" value'
    assert isinstance(first["at"], datetime.datetime)
    assert first["at"].utcoffset() == datetime.timedelta(0)


def test_the_table_goes_to_pandas_and_polars() -> None:
    pd = need("pandas")
    pl = need("polars")
    table = offramp.audit.read_export(sample("parquet"))
    frame = table.to_pandas()
    assert str(frame["at"].dtype) in ("datetime64[us, UTC]", "datetime64[ns, UTC]")
    assert frame.groupby("disposition").size().to_dict() == {"none": 1, "pre_arrest_diversion": 2}
    assert isinstance(frame, pd.DataFrame)
    polars_frame = pl.from_arrow(table)
    assert polars_frame.schema["eligible"] == pl.List(pl.String)
    assert polars_frame.filter(pl.col("eligible").list.len() == 0)["seq"].to_list() == [3]


# A value that stands for something personal: no error may repeat it.
SECRET = "Jane Q. Doe 555-0100"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def lines(fmt: str) -> List[str]:
    return sample(fmt).read_text().splitlines(keepends=True)


def test_a_file_that_is_not_an_export_is_refused_by_name(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", f"{SECRET}\n")
    with pytest.raises(ValueError) as e:
        offramp.audit.read_export(path)
    message = str(e.value)
    assert message.startswith(f"{path}: not an export of an offramp audit log")
    assert SECRET not in message


def test_a_csv_with_another_header_names_the_column(tmp_path: Path) -> None:
    text = sample("csv").read_text().replace("seq,at,endpoint,", "seq,at,route,", 1)
    with pytest.raises(ValueError, match=r"header: column 3 is `route` where `endpoint` belongs"):
        offramp.audit.read_export(write(tmp_path, "a.csv", text))


def test_a_malformed_csv_row_is_refused_without_its_content(tmp_path: Path) -> None:
    text = "".join(lines("csv")[:2]) + f'4,"{SECRET}",x\n'
    with pytest.raises(ValueError) as e:
        offramp.audit.read_export(write(tmp_path, "a.csv", text))
    assert "not a well-formed CSV export" in str(e.value)
    assert SECRET not in str(e.value)


def test_a_json_line_that_does_not_read_names_its_line(tmp_path: Path) -> None:
    good = lines("jsonl")
    broken = good[0] + '{"seq": 2, "note": "' + SECRET + "\n"
    with pytest.raises(ValueError) as e:
        offramp.audit.read_export(write(tmp_path, "a.jsonl", broken))
    assert str(e.value).startswith(f"{tmp_path / 'a.jsonl'}: line 2: not JSON")
    assert SECRET not in str(e.value)
    row = json.loads(good[1])
    del row["token_id"]
    with pytest.raises(ValueError, match=r"line 2: column `token_id` is missing"):
        offramp.audit.read_export(write(tmp_path, "b.jsonl", good[0] + json.dumps(row) + "\n"))
    row = json.loads(good[1])
    row["at"] = SECRET
    with pytest.raises(ValueError) as e:
        offramp.audit.read_export(write(tmp_path, "c.jsonl", good[0] + json.dumps(row) + "\n"))
    assert str(e.value).endswith("row 2: column `at` is not an RFC 3339 time")
    assert SECRET not in str(e.value)


def test_a_parquet_file_with_other_columns_is_refused(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"seq": [1], "name": [SECRET]}), path)
    with pytest.raises(ValueError) as e:
        offramp.audit.read_export(path)
    assert str(e.value) == f"{path}: the Parquet schema: column 2 is `name` where `at` belongs"


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        offramp.audit.read_export(tmp_path / "nowhere.csv")
