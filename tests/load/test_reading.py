"""Reading table files as text: encodings, headers, row numbers, Parquet, and the files' own errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retropack.errors import DataError
from retropack.load._reading import decode, find_file, read_table


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_utf8_file_is_read_as_text_with_nothing_converted(tmp_path: Path) -> None:
    path = write(tmp_path / "leads.csv", "lead_id,score,note\n00123,1e3,NA\n00124,,null\n")
    raw = read_table("leads", path)
    assert raw.encoding == "utf-8"
    assert raw.frame.to_dict("list") == {"lead_id": ["00123", "00124"], "score": ["1e3", ""], "note": ["NA", "null"]}


def test_utf8_bom_is_detected_and_not_part_of_the_first_header(tmp_path: Path) -> None:
    path = write(tmp_path / "leads.csv", "lead_id,company\nL1,株式会社テスト\n", "utf-8-sig")
    raw = read_table("leads", path)
    assert raw.encoding == "utf-8-sig"
    assert list(raw.frame.columns) == ["lead_id", "company"]
    assert raw.frame.loc[2, "company"] == "株式会社テスト"


def test_cp932_file_with_japanese_text_is_decoded(tmp_path: Path) -> None:
    text = "lead_id,company,segment\nL1,株式会社テスト,ｶﾌﾞｼｷｶﾞｲｼｬ\nL2,①丸数字㈱,髙橋\n"
    path = write(tmp_path / "leads.csv", text, "cp932")
    raw = read_table("leads", path)
    assert raw.encoding == "cp932"
    assert raw.frame["company"].tolist() == ["株式会社テスト", "①丸数字㈱"]
    assert raw.frame["segment"].tolist() == ["ｶﾌﾞｼｷｶﾞｲｼｬ", "髙橋"]


@pytest.mark.parametrize(
    ("data", "offset", "line"),
    [
        # UTF-8 Japanese text, then a byte that is neither UTF-8 nor CP932: the UTF-8 error is reported.
        ("lead_id\nテスト\n".encode() + b"\xff\n", 18, 3),
        # CP932 Japanese text, then a lead byte followed by a newline: the CP932 error is reported.
        ("lead_id\nテスト\n".encode("cp932") + b"ok\n\x81\n", 18, 4),
    ],
)
def test_undecodable_bytes_stop_with_file_offset_and_line(tmp_path: Path, data: bytes, offset: int, line: int) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(data)
    with pytest.raises(DataError, match=rf"leads\.csv.*UTF-8 or CP932.*offset {offset} \(line {line}\).*re-save"):
        read_table("leads", path)


def test_decode_reports_the_offset_in_the_file_when_it_has_a_bom(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"byte 0xff at offset 5 \(line 2\)"):
        decode(tmp_path / "x.csv", b"\xef\xbb\xbfa\n\xff")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_exports_are_named_as_such(tmp_path: Path, codec: str) -> None:
    data = "lead_id\tcreated_at\nL1\t2026-10-01\n".encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "leads.csv"
    path.write_bytes(data)
    with pytest.raises(DataError, match=r"leads\.csv' is UTF-16 \(Excel's 'Unicode Text' export\).*'CSV UTF-8'"):
        read_table("leads", path)


def test_headers_are_trimmed_and_case_insensitive_but_kept_as_written(tmp_path: Path) -> None:
    path = write(tmp_path / "leads.csv", " Lead_ID ,CREATED_AT\nL1,2025-06-01\n")
    raw = read_table("leads", path)
    assert list(raw.frame.columns) == ["lead_id", "created_at"]
    assert raw.headers == {"lead_id": " Lead_ID ", "created_at": "CREATED_AT"}


def test_headers_that_normalize_alike_stop_the_run(tmp_path: Path) -> None:
    path = write(tmp_path / "leads.csv", "lead_id,Lead_ID \nL1,L2\n")
    with pytest.raises(DataError, match=r"leads\.csv' has two columns named 'lead_id'.*rename or remove"):
        read_table("leads", path)


def test_unnamed_columns_are_dropped_when_empty_and_named_when_not(tmp_path: Path) -> None:
    path = write(tmp_path / "leads.csv", "lead_id,,\nL1,,kept\nL2,,\n")
    raw = read_table("leads", path)
    assert list(raw.frame.columns) == ["lead_id", "column_3"]
    assert raw.frame["column_3"].tolist() == ["kept", ""]


def test_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path: Path) -> None:
    # Row 3 is blank, row 5 holds a quoted line break, row 6 is Excel's empty ",," row.
    text = 'lead_id,company\nL1,A\n\nL2,B\nL3,"two\nlines"\n,\nL4,D\n'
    raw = read_table("leads", write(tmp_path / "leads.csv", text))
    assert raw.frame.index.tolist() == [2, 4, 5, 7]
    assert raw.frame.loc[5, "company"] == "two\nlines"
    assert raw.frame.loc[7, "lead_id"] == "L4"


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    raw = read_table("leads", write(tmp_path / "leads.csv", "lead_id,created_at\n"))
    assert raw.frame.empty
    assert list(raw.frame.columns) == ["lead_id", "created_at"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"leads\.csv' is empty; it needs at least a header row"),
        ("lead_id,created_at\nL1,2025-06-01,extra\n", r"leads\.csv' is not a well-formed CSV \(.*line 2.*\); check"),
    ],
)
def test_files_that_are_not_tables_stop_the_run(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_table("leads", write(tmp_path / "leads.csv", text))


def test_parquet_values_are_cast_to_the_text_a_csv_would_hold(tmp_path: Path) -> None:
    table = pa.table(
        {
            "Lead_ID": ["L1", None],
            "created_at": pa.array([pd.Timestamp("2025-05-31T15:00:00Z"), None], pa.timestamp("us", tz="UTC")),
            "mql_at": pa.array([pd.Timestamp("2025-06-01 09:00"), None], pa.timestamp("us")),
            "planned": pa.array([pd.Timestamp("2025-06-01").date(), None], pa.date32()),
            "score": pa.array([12, None], pa.int64()),
            "amount": pa.array([1234000.0, 0.5], pa.float64()),
            "flag": pa.array([True, None], pa.bool_()),
        }
    )
    path = tmp_path / "leads.parquet"
    pq.write_table(table, path)
    raw = read_table("leads", path)
    assert raw.encoding is None
    assert raw.headers["lead_id"] == "Lead_ID"
    assert raw.frame.index.tolist() == [2, 3]
    assert raw.frame.loc[2].to_dict() == {
        "lead_id": "L1",
        "created_at": "2025-05-31 15:00:00.000000Z",
        "mql_at": "2025-06-01 09:00:00.000000",
        "planned": "2025-06-01",
        "score": "12",
        "amount": "1234000",
        "flag": "true",
    }
    assert raw.frame.loc[3, ["lead_id", "created_at", "score", "flag"]].tolist() == ["", "", "", ""]


def test_unreadable_parquet_stops_the_run(tmp_path: Path) -> None:
    path = tmp_path / "deals.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(DataError, match=r"deals\.parquet' cannot be read as Parquet.*save it as CSV"):
        read_table("deals", path)


def test_find_file_takes_csv_or_parquet_whatever_the_case_of_the_name(tmp_path: Path) -> None:
    write(tmp_path / "Leads.CSV", "lead_id\n")
    (tmp_path / "deals.parquet").write_bytes(b"")
    assert find_file(tmp_path, "leads") == tmp_path / "Leads.CSV"
    assert find_file(tmp_path, "deals") == tmp_path / "deals.parquet"
    assert find_file(tmp_path, "spend") is None


def test_find_file_refuses_two_files_for_one_table(tmp_path: Path) -> None:
    write(tmp_path / "leads.csv", "lead_id\n")
    (tmp_path / "leads.parquet").write_bytes(b"")
    with pytest.raises(DataError, match=r"holds both 'leads\.csv' and 'leads\.parquet'; keep only one"):
        find_file(tmp_path, "leads")


def test_a_parquet_column_arrow_cannot_cast_to_text_is_read_through_str(tmp_path: Path) -> None:
    """A list column (a CRM's multi-select, as HubSpot exports it to Parquet) has no cast to string in Arrow:
    its cells are read as Python writes them, and an empty cell stays empty."""
    path = tmp_path / "leads.parquet"
    pq.write_table(pa.table({"lead_id": ["L1", "L2"], "tags": pa.array([["web", "展示会"], None],
                                                                        pa.list_(pa.string()))}), path)
    raw = read_table("leads", path)
    assert raw.frame.to_dict("list") == {"lead_id": ["L1", "L2"], "tags": ["['web', '展示会']", ""]}
