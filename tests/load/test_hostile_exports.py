"""Hostile exports and footer patterns: nothing a file or a pattern holds makes a run hang, run out of memory, or
show what lies outside the dataset folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from retropack.config import load_config
from retropack.errors import ConfigError, DataError
from retropack.load import _reading
from retropack.load._export import drop_footer
from retropack.load._reading import RawTable, read_table

SENDS_HEADER = "send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes\n"


def client(folder: Path, data: dict) -> Path:
    config = {"client": "hostile", "program": {"name": "Hostile", "start_month": "2025-06", "timezone": "UTC"},
              "data": {"path": "exports", **data}}
    path = folder / "client.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


# --- footer patterns run in RE2 ---------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", [r"(?=a)(a+)+$", r"^(?!Total).*$", r"(?<=x)y", r"(a)\1"])
def test_a_footer_pattern_that_needs_backtracking_is_refused_naming_the_key(tmp_path: Path, pattern: str) -> None:
    with pytest.raises(ConfigError, match=r"data\.footer.*cannot be used .*footer patterns run in RE2, which never "
                                          r"backtracks"):
        load_config(client(tmp_path, {"footer": ["^Total", pattern]}))


def test_a_nested_quantifier_meets_a_hostile_cell_and_still_drops_the_footer() -> None:
    """``(a+)+$`` against 'aaa…!' takes exponential time in a backtracking engine; RE2 answers at once."""
    cells = pd.DataFrame({"lead_id": ["1", "2", "a" * 5000 + "!", "Total aaaa"], "created_at": ["x", "y", "z", ""]},
                         index=pd.RangeIndex(2, 6, name="row"))
    raw = RawTable("leads", Path("leads.csv"), "utf-8", cells, {"lead_id": "lead_id", "created_at": "created_at"})
    kept, [finding] = drop_footer(raw, [r"^Total (a+)+$"])
    assert kept.frame["lead_id"].tolist() == ["1", "2", "a" * 5000 + "!"] and finding.count == 1


# --- bounded reading: same-shaped, smaller inputs than the probe's --------------------------------------------

LEADS = "lead_id,created_at,source\nL1,2025-06-01,web\nL2,2025-06-02,seminar\n"


def test_a_download_cut_short_with_nul_bytes_stops_before_it_is_read(tmp_path: Path) -> None:
    """The probe's 1 GiB of NUL bytes (12 GB RSS, a 1 GB rejects file) here as 64 KiB: the same error."""
    path = tmp_path / "leads.csv"
    path.write_bytes(LEADS.encode() + b"L3,2025-06" + b"\0" * 65536)
    with pytest.raises(DataError, match=r"leads\.csv' holds a run of NUL bytes from byte 76 on: a download cut "
                                        r"short.*download or export the file again"):
        read_table("leads", path)


def test_a_line_longer_than_any_row_stops_the_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_reading, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(_reading, "_SCAN_BYTES", 256)  # the long line crosses pieces of the scan
    path = tmp_path / "leads.csv"
    path.write_bytes(LEADS.encode() + b"L3," + b"x" * 1200 + b"\nL4,2025-06-03,web\n")
    with pytest.raises(DataError, match=r"leads\.csv': line 4 is longer than"):
        read_table("leads", path)


def test_a_cell_longer_than_a_spreadsheet_cell_is_named(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(LEADS + "L3,2025-06-03," + "x" * 40_000 + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 4, column 'source' holds 40,000 characters, more than a spreadsheet "
                                        r"cell holds \(32,767\)"):
        read_table("leads", path)


def test_a_header_of_more_columns_than_any_export_is_refused(tmp_path: Path) -> None:
    """The probe's 3.3 M column names (11 GB) here just past the bound."""
    path = tmp_path / "leads.csv"
    names = ",".join(f"c{i}" for i in range(_reading.MAX_COLUMNS + 1))
    path.write_text(f"lead_id,{names}\nL1\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"has 200,002 columns, more than the 200,000 any export of one table has"):
        read_table("leads", path)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_of_a_wide_export_only_the_needed_columns_and_the_first_others_are_read(tmp_path: Path, suffix: str) -> None:
    """The probe's 100,000 extra columns (15 min, 4.9 GB) here as 1,500: every column the table or the mapping
    reads is read wherever it stands, and of the others only the first MAX_OTHER_COLUMNS."""
    extra = [f"extra{i}" for i in range(1_500)]
    header = ["lead_id", *extra[:1_200], "Created Date", *extra[1_200:], "source"]
    rows = [["L1", *["e"] * 1_200, "2025-06-01", *["e"] * 300, "web"]]
    frame = pd.DataFrame(rows, columns=header)
    path = tmp_path / f"leads{suffix}"
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path)
    raw = read_table("leads", path, mapped=["created date"])
    assert list(raw.frame.columns) == ["lead_id", *extra[:1_000], "created date", "source"]
    assert raw.frame.loc[2, ["lead_id", "created date", "source"]].tolist() == ["L1", "2025-06-01", "web"]


# --- files: a link out of the dataset folder -------------------------------------------------------------------


@pytest.mark.parametrize("table", ["leads", "email_events"])
def test_a_table_file_linking_outside_the_folder_is_refused_and_nothing_of_it_quoted(tmp_path: Path,
                                                                                    table: str) -> None:
    from retropack.load import load_dataset

    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:the-secret-line\n", encoding="utf-8")
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "leads.csv").write_text(LEADS, encoding="utf-8")
    (folder / "deals.csv").write_text("deal_id,created_at,amount,stage\n", encoding="utf-8")
    (folder / "email_sends.csv").write_text(SENDS_HEADER, encoding="utf-8")
    (folder / f"{table}.csv").unlink(missing_ok=True)
    (folder / f"{table}.csv").symlink_to(secret)
    with pytest.raises(DataError, match=rf"{table}\.csv' is a link to a file outside the dataset folder") as caught:
        load_dataset(folder)
    assert "the-secret-line" not in str(caught.value) and "secret.txt" not in str(caught.value)


def test_a_link_inside_the_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "leads-2025-06.csv").write_text(LEADS, encoding="utf-8")
    (tmp_path / "leads.csv").symlink_to(tmp_path / "leads-2025-06.csv")
    assert read_table("leads", tmp_path / "leads.csv").frame["lead_id"].tolist() == ["L1", "L2"]


# --- Parquet text that is not UTF-8 -------------------------------------------------------------------------


def test_a_parquet_row_with_bytes_that_are_not_utf8_is_a_reject_not_a_crash(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from retropack.load import load_dataset

    company = pa.array([b"\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbeA", b"\xff\xfebad", b"C"],
                       pa.binary()).view(pa.string())  # Parquet does not check that text is UTF-8
    table = pa.table({"lead_id": ["L1", "L2", "L3"], "created_at": ["2025-06-01", "nope", "2025-06-03"],
                      "company": company})
    pq.write_table(table, tmp_path / "leads.parquet")
    (tmp_path / "deals.csv").write_text("deal_id,created_at,amount,stage\n", encoding="utf-8")
    (tmp_path / "email_sends.csv").write_text(SENDS_HEADER, encoding="utf-8")
    dataset = load_dataset(tmp_path, max_reject_share=1.0)
    rejects = dataset.quality["leads"].rejects
    assert rejects[["row", "company"]].to_dict("records") == [{"row": 3, "company": "\\xff\\xfebad"}]
    assert rejects.loc[0, "reason"].startswith("bad_timestamp: column 'created_at' holds 'nope'")
    assert dataset.tables["leads"]["company"].tolist() == ["株式会社A", "C"]


# --- files that are not what their name says ------------------------------------------------------------------


def test_a_bom_in_front_of_a_cp932_body_is_named_at_the_first_byte_that_is_not_utf8(tmp_path: Path) -> None:
    body = "lead_id,company\nL1,株式会社テスト\n".encode("cp932")
    path = tmp_path / "leads.csv"
    path.write_bytes(b"\xef\xbb\xbf" + body)
    offset = 3 + body.index("株".encode("cp932"))
    with pytest.raises(DataError, match=rf"starts with a UTF-8 byte-order mark, but its text is CP932 \(Shift_JIS\): "
                                        rf"byte 0x{path.read_bytes()[offset]:02x} at offset {offset} \(line 2\)"):
        read_table("leads", path)


@pytest.mark.parametrize("start", [b"PK\x03\x04\x14\x00\x06\x00", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])
def test_an_excel_workbook_named_csv_is_called_a_workbook(tmp_path: Path, start: bytes) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(start + bytes(range(256)) * 4 + b"\0" * 8192)  # workbooks hold runs of NUL bytes
    with pytest.raises(DataError, match=r"leads\.csv' is an Excel workbook, not CSV text, though its name ends in "
                                        r"\.csv: open it in Excel and save it with 'Save As' → 'CSV UTF-8"):
        read_table("leads", path)
