"""email_events counted by DuckDB from the file: distinct recipients per send and event, rejects with their
reasons and row numbers, timezones, Parquet and CP932, and the same result as the pandas path on odd files."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

import retropack.load.validation as validation
from retropack.config import load_config
from retropack.errors import DataError
from retropack.flow import steps
from retropack.load._events import _PLAIN_END, _PLAIN_TIME
from retropack.load.dataset import Dataset, Finding
from retropack.load.validation import load_dataset, parse_timestamps
from retropack.months import Month
from retropack.publish.rejects import rows_as_read, write_rejects
from tests.conftest import DEMO_CONFIG, ROOT, rejected

LEADS = "lead_id,created_at\nL1,2025-06-01\n"
SENDS = ("send_id,sent_at,campaign,delivered,unique_opens,unique_clicks,unsubscribes,bounces\n"
         "S1,2025-06-02,June,3,2,1,0,0\nS2,2025-06-30T23:00:00+09:00,June end,2,1,0,0,1\nS3,soon,broken,1,1,1,0,0\n")
DEALS = "deal_id,created_at,amount,stage,closed_at\nD1,2025-06-03,1000,won,2025-06-20\n"
HEADER = "send_id,lead_id,event,occurred_at,campaign_name\n"
COUNTS = ["delivered", "unique_opens", "unique_clicks", "unsubscribes", "bounces"]
# S1: delivered to L1, L2, L3 (L1 twice), opened by L1 (three times) and L2, clicked by L1; S2 delivered to
# L1 and L4, opened by L4, and bounced for L5.
EVENTS = (
    "S1,L1,sent,2025-06-02T09:00:00+09:00,June\nS1,L1,delivered,2025-06-02T09:00:05+09:00,June\n"
    "S1,L2,delivered,2025-06-02T09:00:05+09:00,June\nS1,L3,delivered,2025-06-02T09:00:06+09:00,June\n"
    "S1,L1,delivered,2025-06-02T09:00:07+09:00,June\nS1,L1,open,2025-06-02T10:00:00+09:00,June\n"
    "S1,L1,open,2025-06-03T10:00:00+09:00,June\nS1,L1,OPEN,2025-06-04,June\nS1,L2,open,2025-06-02 12:00,June\n"
    "S1,L1,click,2025-06-02T10:01:00Z,June\n"
    "S2,L1,delivered,2025-06-30T14:00:00Z,June end\nS2,L4,delivered,2025-06-30T14:00:00Z,June end\n"
    "S2,L4,open,2025-06-30T15:30:00Z,June end\nS2,L5,bounce,2025-06-30T14:00:01Z,June end\n"
)


def folder(path: Path, events: str | bytes | pa.Table, *, sends: str = SENDS, encoding: str = "utf-8") -> Path:
    """A dataset folder with the required tables and ``events`` as email_events.csv (text or bytes) or .parquet."""
    path.mkdir(parents=True, exist_ok=True)
    for name, text in (("leads", LEADS), ("email_sends", sends), ("deals", DEALS)):
        (path / f"{name}.csv").write_text(text, encoding="utf-8")
    if isinstance(events, pa.Table):
        pq.write_table(events, path / "email_events.parquet")
    else:
        (path / "email_events.csv").write_bytes(events if isinstance(events, bytes) else events.encode(encoding))
    return path


def load(path: Path, *, pandas_path: bool = False, **options: object) -> Dataset:
    """Load with every reject tolerated; ``pandas_path`` reads the events as before DuckDB counted them."""
    options = {"max_reject_share": 1.0, **options}
    if not pandas_path:
        return load_dataset(path, **options)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validation, "_countable", lambda mapping: False)
        return load_dataset(path, **options)


def counts(dataset: Dataset) -> dict[str, list[float]]:
    sends = dataset.tables["email_sends"].set_index("send_id")
    return {send: sends.loc[send, COUNTS].tolist() for send in sends.index}


def assert_same(a: Dataset, b: Dataset) -> None:
    """Two loads agree on everything the run reads of the events."""
    pd.testing.assert_frame_equal(a.tables["email_sends"], b.tables["email_sends"])
    assert len(a.tables["email_events"]) == len(b.tables["email_events"])
    qa, qb = a.quality["email_events"], b.quality["email_events"]
    assert (qa.rows_read, qa.reasons, qa.encoding, qa.file) == (qb.rows_read, qb.reasons, qb.encoding, qb.file)
    ra, rb = rejected(qa), rejected(qb)
    assert (ra is None) == (rb is None)
    if ra is not None:
        pd.testing.assert_frame_equal(ra, rb)
    assert (a.findings, a.columns, a.files) == (b.findings, b.columns, b.files)


# --- counts -----------------------------------------------------------------------------------------------


def test_distinct_recipients_per_send_and_event(tmp_path: Path) -> None:
    ds = load(folder(tmp_path, HEADER + EVENTS))
    assert counts(ds) == {"S1": [3.0, 2.0, 1.0, 0.0, 0.0], "S2": [2.0, 1.0, 0.0, 0.0, 1.0]}
    assert ds.findings == []  # the file's own counts say the same
    assert ds.quality["email_events"].rows_read == 14 and rejected(ds.quality["email_events"]) is None
    assert len(ds.tables["email_events"]) == 14
    assert ds.columns["email_events"] == {"send_id", "lead_id", "event", "occurred_at", "campaign_name"}
    assert ds.files[2] == tmp_path / "email_events.csv"


def test_the_events_win_and_a_disagreement_is_a_finding(tmp_path: Path) -> None:
    sends = SENDS.replace("S1,2025-06-02,June,3,2,1", "S1,2025-06-02,June,30,2,0")
    ds = load(folder(tmp_path, HEADER + EVENTS, sends=sends))
    assert counts(ds)["S1"] == [3.0, 2.0, 1.0, 0.0, 0.0]
    assert ds.findings == [Finding("events_disagree_with_sends", "email_sends", 1, {"example": "S1"})]


def test_a_send_without_events_keeps_its_own_counts(tmp_path: Path) -> None:
    sends = SENDS + "S4,2025-06-10,July,10,4,1,1,0\n"
    assert counts(load(folder(tmp_path, HEADER + EVENTS, sends=sends)))["S4"] == [10.0, 4.0, 1.0, 1.0, 0.0]


# --- rejects ----------------------------------------------------------------------------------------------


def test_a_bad_timestamp_or_an_unknown_event_rejects_the_row_whole(tmp_path: Path) -> None:
    events = (HEADER + "S1,L1,delivered,2025-06-02,June\nS1,L7,open,2025-06-31 10:00,June\n"
              "S1,L8,opened,2025-06-02,June\n\nS1,L9,click,yesterday,\nS9,L1,open,2025-06-02,June\n")
    ds = load(folder(tmp_path, events))
    quality = ds.quality["email_events"]
    assert quality.reasons == {"bad_timestamp": 2, "bad_enum": 1, "unknown_send": 1}
    assert quality.rows_read == 5  # the blank line 5 is no row, but keeps its number
    assert counts(ds)["S1"] == [1.0, 0.0, 0.0, 0.0, 0.0]  # the rejected open and click count nowhere
    write_rejects(ds, tmp_path / "rejects")
    written = (tmp_path / "rejects" / "email_events.csv").read_text(encoding="utf-8-sig")
    assert written.splitlines() == [
        "row,send_id,lead_id,event,occurred_at,campaign_name,reason",
        "3,S1,L7,open,2025-06-31 10:00,June,\"bad_timestamp: column 'occurred_at' holds '2025-06-31 10:00', which "
        "is not a valid ISO-8601 date or date-time (such as 2025-06-30 or 2025-06-30T09:15:00+09:00).\"",
        "4,S1,L8,opened,2025-06-02,June,\"bad_enum: column 'event' holds 'opened', which is not one of sent, "
        "delivered, open, click, unsubscribe, bounce.\"",
        "6,S1,L9,click,yesterday,,\"bad_timestamp: column 'occurred_at' holds 'yesterday', which is not a valid "
        "ISO-8601 date or date-time (such as 2025-06-30 or 2025-06-30T09:15:00+09:00).\"",
        "7,S9,L1,open,2025-06-02,June,unknown_send: send_id 'S9' is not in email_sends.",
    ]


def test_an_empty_required_value_rejects_the_row_and_a_rejected_send_is_still_known(tmp_path: Path) -> None:
    events = HEADER + "S1,,open,2025-06-02,June\nS3,L1,open,2025-06-02,broken send\n,L1,open,2025-06-02,x\n"
    quality = load(folder(tmp_path, events)).quality["email_events"]
    assert quality.reasons == {"missing_value": 2}
    assert rejected(quality)["row"].tolist() == [2, 4]
    assert rejected(quality)["reason"].tolist() == [
        "missing_value: column 'lead_id' is empty, but every row needs a value.",
        "missing_value: column 'send_id' is empty, but every row needs a value.",
    ]


def test_values_spelled_unusually_are_read_as_the_validator_reads_them(tmp_path: Path) -> None:
    """Odd rows go through the same validator: trimmed ids, any case of an event, Excel's dates."""
    events = HEADER + ("S1, L1 ,Delivered,2025/6/2 9:05,\n S1,L2,delivered,2025-06-02,\nS1,L2\u3000,OPEN,2025-06-02,\n"
                       "S1,L3,delivered,2024-02-29,\nS1,L4,delivered,2025-02-29,\n")
    ds = load(folder(tmp_path, events))
    assert counts(ds)["S1"] == [3.0, 1.0, 0.0, 0.0, 0.0]  # L1, L2 (from ' S1'), L3; L2 opened
    assert ds.quality["email_events"].reasons == {"bad_timestamp": 1}  # 29 February 2025
    assert rejected(ds.quality["email_events"])["row"].tolist() == [6]


def test_rejected_events_wait_on_disk_and_are_written_a_batch_at_a_time(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The validator's batches spill their rejects to disk, and the rejects file is written from there a batch at
    a time: byte for byte the file the pandas path writes in one piece, formula escape and BOM included."""
    import retropack.load._events as events_module
    import retropack.load.spill as spill_module

    monkeypatch.setattr(events_module, "_BATCH", 3)  # odd rows handed to the validator 3 at a time
    monkeypatch.setattr(spill_module, "_READ_BATCH", 2)  # and read back 2 at a time
    bad = "".join(f"S1,L{i},=HYPERLINK(\"x\"),2025-06-02,\n" if i % 2 else f"S9,L{i},open,2025-06-02,六月号\n"
                  for i in range(10))
    path = folder(tmp_path / "data", HEADER + EVENTS + bad)
    by_duckdb, by_pandas = load(path), load(path, pandas_path=True)

    quality = by_duckdb.quality["email_events"]
    assert quality.rejects is None and quality.spilled is not None and quality.spilled.rows == 10
    assert [len(batch) for batch in quality.reject_batches()] == [2, 2, 2, 2, 2]
    assert rejected(quality)["row"].tolist() == list(range(16, 26))
    for name, ds in (("duckdb", by_duckdb), ("pandas", by_pandas)):
        write_rejects(ds, tmp_path / name)
    written = {name: (tmp_path / name / "email_events.csv").read_bytes() for name in ("duckdb", "pandas")}
    assert written["duckdb"] == written["pandas"]
    assert written["duckdb"].count(b"\xef\xbb\xbf") == 1 and written["duckdb"].count(b"row,send_id") == 1
    assert written["duckdb"].count(b"\"'=HYPERLINK") == 5  # the cell, escaped; its reason quotes it as read
    as_read = {name: b"".join(rows_as_read(ds)["rejects/email_events.csv"]) for name, ds in
               (("duckdb", by_duckdb), ("pandas", by_pandas))}
    assert as_read["duckdb"] == as_read["pandas"] and b"\"'=HYPERLINK" not in as_read["duckdb"]


def test_too_many_rejected_events_stop_the_run_as_any_table_does(tmp_path: Path) -> None:
    events = HEADER + "S1,L1,open,2025-06-02,\n" * 18 + "S1,L2,open,someday,\nS1,L3,open,someday,\n"
    path = folder(tmp_path, events, sends=SENDS.replace("S3,soon,broken,1,1,1,0,0\n", ""))
    messages = []
    for pandas_path in (False, True):
        with pytest.raises(DataError) as stopped:
            load(path, pandas_path=pandas_path, max_reject_share=0.05)
        messages.append(str(stopped.value))
    assert messages[0] == messages[1]
    assert "Table email_events" in messages[0] and "2 of 20 rows (10.0%)" in messages[0]
    assert "e.g. row 20: bad_timestamp: column 'occurred_at' holds 'someday'" in messages[0]


# --- timezones and month boundaries -------------------------------------------------------------------------


def test_a_month_boundary_in_utc_or_tokyo_changes_no_count(tmp_path: Path) -> None:
    """An event's own month does not matter: it counts for its send, whose sent_at gives the month."""
    events = HEADER + ("S2,L1,delivered,2025-06-30T14:59:59Z,\nS2,L2,delivered,2025-06-30T15:00:00Z,\n"
                       "S2,L2,open,2025-07-01T00:30:00+09:00,\nS2,L3,delivered,2025-06-30 23:59:59,\n"
                       "S2,L4,delivered,2025-07-01,\n")
    path = folder(tmp_path, events)
    tokyo, utc = load(path, timezone="Asia/Tokyo"), load(path, timezone="UTC")
    assert counts(tokyo)["S2"] == counts(utc)["S2"] == [4.0, 1.0, 0.0, 0.0, 0.0]
    sent_at = {name: ds.tables["email_sends"].set_index("send_id").loc["S2", "sent_at"] for name, ds in
               (("tokyo", tokyo), ("utc", utc))}
    assert (str(Month.of(sent_at["tokyo"])), str(Month.of(sent_at["utc"]))) == ("2025-06", "2025-06")
    new_york = load(path, timezone="America/New_York")  # 2025-06-30T23:00+09:00 is still June there too
    assert counts(new_york)["S2"] == [4.0, 1.0, 0.0, 0.0, 0.0]


def test_a_local_time_that_daylight_saving_skips_is_not_rejected(tmp_path: Path) -> None:
    events = HEADER + "S1,L1,delivered,2025-03-09T02:30:00,\nS1,L2,delivered,2025-03-09T02:30:00-05:00,\n"
    ds = load(folder(tmp_path, events), timezone="America/New_York")
    assert ds.quality["email_events"].rejected == 0 and counts(ds)["S1"][0] == 2.0


# --- formats ----------------------------------------------------------------------------------------------


def test_a_parquet_file_with_typed_columns(tmp_path: Path) -> None:
    table = pa.table({
        "Send_ID": ["S1", "S1", "S1", "S2", "S1"],
        "lead_id": pa.array([1, 2, 1, 1, None], pa.int64()),
        "event": pa.array(["delivered", "delivered", "open", "Delivered", "open"]).dictionary_encode(),
        "occurred_at": pa.array([pd.Timestamp("2025-06-02T00:00:00Z")] * 3 + [pd.Timestamp("2025-06-30T15:00:00Z"),
                                                                                pd.Timestamp("2025-06-02T00:00:00Z")],
                                pa.timestamp("ms", tz="UTC")),
    })
    ds = load(folder(tmp_path, table))
    assert counts(ds) == {"S1": [2.0, 1.0, 0.0, 0.0, 0.0], "S2": [1.0, 0.0, 0.0, 0.0, 0.0]}
    assert ds.quality["email_events"].encoding is None
    rejects = rejected(ds.quality["email_events"])
    assert rejects.columns.tolist() == ["row", "Send_ID", "lead_id", "event", "occurred_at", "reason"]
    assert rejects.iloc[0, :-1].tolist() == [6, "S1", "", "open", "2025-06-02 00:00:00.000Z"]
    assert_same(ds, load(tmp_path, pandas_path=True))


def test_a_cp932_csv_with_japanese_cells(tmp_path: Path) -> None:
    events = HEADER + "S1,L1,delivered,2025-06-02,六月号\nS1,L2,開封,2025-06-02,六月号\n"
    ds = load(folder(tmp_path, events, encoding="cp932"))
    assert ds.quality["email_events"].encoding == "cp932"
    assert counts(ds)["S1"] == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert rejected(ds.quality["email_events"]).iloc[0, 1:-1].tolist() == ["S1", "L2", "開封", "2025-06-02", "六月号"]
    assert_same(ds, load(tmp_path, pandas_path=True))


# Files DuckDB would number or split differently are read the pandas way (they are named in READ_BY_PANDAS).
READ_BY_PANDAS = ("blank line between rows", "a short row")
ODD_FILES = {
    "utf-8 with BOM": ("\ufeff" + HEADER + EVENTS).encode("utf-8"),
    "CRLF": (HEADER + EVENTS).replace("\n", "\r\n").encode(),
    "CR only": (HEADER + EVENTS).replace("\n", "\r").encode(),
    "blank line between rows": (HEADER + EVENTS.replace("\nS2,L4", "\n\nS2,L4")).encode(),
    "blank lines at the end": (HEADER + EVENTS + "\n\n").encode(),
    "a wholly empty row": (HEADER + ",,,,\n" + EVENTS).encode(),
    "a short row": (HEADER + "S1,L6,open\n" + EVENTS).encode(),
    "a quoted line break": (HEADER + 'S1,L6,open,2025-06-02,"two\nlines"\nS1,L7,open,bad,"a ""quote"""\n').encode(),
    "headers in any case, an unnamed empty column": (" Send_ID ,LEAD_ID,Event,occurred_at,campaign_name,\n"
                                                     + EVENTS.replace("\n", ",\n")).encode(),
    "a repeated extra header": (b"send_id,lead_id,event,occurred_at,memo,MEMO\nS1,L1,open,2025-06-02,a,b\n"),
    "times of every shape": (HEADER + "".join(f"S1,L{i},open,{t},\n" for i, t in enumerate([
        "2025-13-01", "", "2025/6/1 9:05", "2024-02-29", " 2025-06-01 ", "2025-06-30T15:00:00Z", "2025-06-01T24:00:00",
        "2025-06-01T10:00", "2025-6-1", "１２", "2025-06-01T10:00:00.1234567", "1677-01-01", "2262-06-01",
        "2025-06-01T10:00:00+0900", "2025-06-01T10:00:00+09", "2025-06-01T10:00:00+15:00", "2025-06-01t10:00:00"]))).encode(),
    "ids and events spelled oddly": (HEADER + "".join(f"{s},{lead},{e},2025-06-02,\n" for s, lead, e in [
        ("S1", "L1\xa0", "open"), ("S1", "\ufeffL1", "open"), ("S1", '"L1\t"', "open"), ("S1", "L 1", "open"),
        ("s1", "L1", "open"), ("S2 ", "L1", "open"), ("S1", "L1", "ｏｐｅｎ"), ("S1", "L1", "clic\u212a"),
        ("S1", "L1", " Click "), ("S1", "L1", "unknown")])).encode(),
}


@pytest.mark.parametrize(("name", "content"), ODD_FILES.items(), ids=ODD_FILES.keys())
def test_odd_files_give_what_the_pandas_path_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                                   content: bytes) -> None:
    path = folder(tmp_path, content)
    opened = []
    original = validation._open_events
    monkeypatch.setattr(validation, "_open_events", lambda *args: opened.append(original(*args)) or opened[-1])
    by_duckdb = load(path)
    assert (opened[0] is None) == (name in READ_BY_PANDAS)
    assert_same(by_duckdb, load(path, pandas_path=True))


def test_a_parquet_file_of_text_with_nulls_gives_what_the_pandas_path_gives(tmp_path: Path) -> None:
    columns = {"send_id": ["S1", "S1", "S9", None, None], "lead_id": ["L1", "L2", "L1", "L1", None],
               "event": ["open", "Open", "open", "open", None],
               "occurred_at": ["2025-06-02", "x", "2025-06-02", "2025-06-02", None],
               "score": pa.array([1.5, None, 2.0, 3.0, None]), "memo": ["a", "b", "c", "d", None],
               "MEMO": ["e", "f", "g", "h", None], "file_row_number": [7, 8, 9, 10, None]}  # names DuckDB uses
    table = pa.Table.from_arrays([pa.array(values) for values in columns.values()], names=list(columns))
    path = folder(tmp_path, table)
    assert_same(load(path), load(path, pandas_path=True))


def test_rejected_rows_keep_the_text_of_typed_columns(tmp_path: Path) -> None:
    """Cells of a typed Parquet column read as pyarrow writes them out, whichever way the row is fetched."""
    moments = [pd.Timestamp("2025-06-02T09:15:22.123456789Z"), pd.Timestamp("2025-06-30T15:00:00Z")]
    table = pa.table({"send_id": ["S1", "S9"], "lead_id": ["L1", "L2"], "event": ["open", "open"],
                      "occurred_at": pa.array(moments, pa.timestamp("ms", tz="Asia/Tokyo")),
                      "clicked_at": pa.array(moments, pa.timestamp("ns")), "price": pa.array([1.5, 2.25]),
                      "tags": pa.array([["a"], ["b", "c"]]), "source": pa.array(["web", "mail"]).dictionary_encode()})
    for name, options in (("plain", {}), ("int96", {"use_deprecated_int96_timestamps": True})):
        (tmp_path / name).mkdir()
        path = folder(tmp_path / name, pa.table({}))
        pq.write_table(table, path / "email_events.parquet", **options)
        by_duckdb = load(path)
        assert rejected(by_duckdb.quality["email_events"])["row"].tolist() == [3]
        assert_same(by_duckdb, load(path, pandas_path=True))


@pytest.mark.parametrize(("content", "message"), [
    (b"", r"email_events\.csv' is empty"),
    (b"send_id,lead_id,occurred_at\nS1,L1,2025-06-02\n", r"has no column 'event'"),
    (b"send_id,lead_id,event,occurred_at,Event\n", r"two columns named 'event'"),
    ((HEADER + "S1,L1,open,2025-06-02,x,y\n").encode(), r"not a well-formed CSV"),
    (HEADER.encode("utf-16"), r"is UTF-16"),
    (HEADER.encode() + b"S1,L1,open,\x81 ,\n", r"cannot be read as UTF-8 or CP932"),
])
def test_a_broken_events_file_stops_the_run_as_before(tmp_path: Path, content: bytes, message: str) -> None:
    path = folder(tmp_path, content)
    with pytest.raises(DataError, match=message) as by_duckdb:
        load(path)
    with pytest.raises(DataError) as by_pandas:
        load(path, pandas_path=True)
    assert str(by_duckdb.value) == str(by_pandas.value)


# --- an export mapping over the events: read the pandas way ---------------------------------------------------


def test_an_export_mapping_of_the_events_still_applies(tmp_path: Path) -> None:
    data = folder(tmp_path / "exports", "Email,Recipient,Type,Time\nS1,L1,Opened,2025-06-02\nS1,L2,Delivered,"
                                        "2025-06-02\nS1,L3,Clicked,2025-06-02\nS1,L4,Forwarded,2025-06-02\n")
    (data / "email_events.csv").rename(data / "events-export.csv")
    config = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    config["data"] = {"path": "exports", "files": {"email_events": "events-*.csv"},
                      "columns": {"email_events": {"Email": "send_id", "Recipient": "lead_id", "Type": "event",
                                                   "Time": "occurred_at"}},
                      "values": {"email_events": {"event": {"Opened": "open", "Delivered": "delivered",
                                                            "Clicked": "click"}}}}
    config["data_quality"] = {"max_reject_share": 1.0}
    (tmp_path / "client.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    ds = steps.load(load_config(tmp_path / "client.yaml").settings)
    assert counts(ds)["S1"] == [1.0, 1.0, 1.0, 0.0, 0.0]
    assert rejected(ds.quality["email_events"])["reason"].tolist() == [
        "bad_enum: column 'event' (the export's 'Type') holds 'Forwarded', which is not one of sent, delivered, "
        "open, click, unsubscribe, bounce; map it to one of them in data.values.email_events.event."]


# --- the checks DuckDB makes pass only what the validator passes unchanged ------------------------------------


def test_every_time_of_the_plain_shape_is_one_the_parser_reads() -> None:
    random.seed(15)
    parts = {"y": ["1899", "1900", "2025", "2199", "2200"], "m": ["00", "01", "02", "04", "12", "13", "6"],
             "d": ["00", "01", "28", "29", "30", "31", "32", "1"], "sep": ["T", " ", "t"], "H": ["00", "09", "23", "24"],
             "M": ["00", "59", "60"], "S": ["", "00", "59", "60"], "f": ["", ".1", ".123456", ".1234567"],
             "z": ["", "Z", "+09:00", "+0900", "+09", "-05:00", "+14:59", "+15:00", "-00:00"]}
    written = set()
    for _ in range(20_000):
        y, m, d, sep, h, mi, s, f, z = (random.choice(parts[k]) for k in parts)
        written.add(f"{y}-{m}-{d}" + random.choice(["", f"{sep}{h}:{mi}{z}", f"{sep}{h}:{mi}:{s}{f}{z}"]))
    values = pd.Series(sorted(written), dtype=str)
    plain = duckdb.execute(f"SELECT regexp_full_match(v, '{_PLAIN_TIME}') FROM (SELECT unnest(?) AS v)",
                           [values.tolist()]).fetchnumpy()
    plain = pd.Series(np.asarray(list(plain.values())[0], dtype=bool))
    assert plain.sum() > 300
    for tz in ("Asia/Tokyo", "UTC", "America/New_York"):
        parsed = parse_timestamps(values, tz)
        assert parsed[plain].notna().all(), values[plain & parsed.isna()].tolist()


def test_every_character_an_id_may_start_or_end_with_is_one_strip_keeps() -> None:
    found = duckdb.execute(f"SELECT c FROM (SELECT range AS c FROM range(1114112)) WHERE {_PLAIN_END.format(c='c')}"
                           ).fetchnumpy()["c"]
    characters = [chr(c) for c in found if not 0xD800 <= c <= 0xDFFF]
    edged = pd.Series([f"{c}x{c}" for c in characters], dtype=str)
    assert (edged.str.strip() == edged).all()
    assert all(f"{c}x{c}".strip() == f"{c}x{c}" for c in characters)


# --- the demo, with events derived from its sends ---------------------------------------------------------------


def events_of(sends: pd.DataFrame) -> pa.Table:
    """Events whose distinct counts are the sends' own: per send, leads 0..delivered-1 delivered, the first of
    them opened (twice each), clicked and unsubscribed, and ``bounces`` more leads bounced."""
    counts_of = sends[COUNTS].fillna(0).astype(int)
    frames = []
    for column, event in (("delivered", "delivered"), ("unique_opens", "open"), ("unique_opens", "open"),
                          ("unique_clicks", "click"), ("unsubscribes", "unsubscribe"), ("bounces", "bounce")):
        n = counts_of[column].to_numpy()
        send = np.repeat(sends["send_id"].to_numpy(), n)
        lead = np.concatenate([np.arange(k) for k in n]) if n.sum() else np.empty(0, dtype=int)
        if event == "bounce":
            lead = lead + np.repeat(counts_of["delivered"].to_numpy(), n)
        sent_at = np.repeat(sends["sent_at"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(), n)
        frames.append(pd.DataFrame({"send_id": send, "lead_id": [f"L{k:06d}" for k in lead], "event": event,
                                    "occurred_at": pd.DatetimeIndex(sent_at, tz="UTC") + pd.Timedelta(hours=3)}))
    events = pd.concat(frames, ignore_index=True)
    return pa.Table.from_pandas(events, preserve_index=False)


def test_the_demo_with_events_derived_from_its_sends_gives_the_golden_kpis(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "demo", data)
    config = load_config(DEMO_CONFIG, data=data)
    sends = steps.load(config.settings).tables["email_sends"]
    recent = sends[sends["sent_at"].map(lambda t: str(Month.of(t))).isin(["2026-09", "2026-10"])]
    pq.write_table(events_of(recent), data / "email_events.parquet")
    dataset = load_dataset(data, timezone=config.settings.program.timezone,
                           max_reject_share=config.settings.data_quality.max_reject_share)
    assert dataset.quality["email_events"].rows_read > 50_000 and dataset.findings == \
        steps.load(load_config(DEMO_CONFIG).settings).findings  # no disagreement between events and sends
    analysis = steps.compute(dataset, config, Month.parse("2026-10"))
    generated = steps.now_in(config.settings)
    view = steps.view(analysis, dataset, config, "test", generated)
    folder_out = steps.render_and_publish(view, analysis, dataset, config.settings, tmp_path / "reports", "test",
                                          generated).files.folder
    golden = json.loads((ROOT / "tests" / "data" / "demo-2026-10-kpis.json").read_text(encoding="utf-8"))
    assert json.loads((folder_out / "kpis.json").read_text(encoding="utf-8"))["kpis"] == golden["kpis"]
