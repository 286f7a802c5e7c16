"""load_dataset: types, rejects with their reasons, events, findings and the rules that stop a run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retropack.errors import DataError
from retropack.load.dataset import Dataset, Finding
from retropack.load.validation import load_dataset
from retropack.months import Month
from tests.conftest import rejected

LEADS = "lead_id,created_at\nL1,2025-06-01\n"
SENDS = "send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes\nS1,2025-06-02,100,20,5,1\n"
DEALS = "deal_id,created_at,amount,stage,closed_at\nD1,2025-06-03,1000,won,2025-06-20\n"
REQUIRED = {"leads": LEADS, "email_sends": SENDS, "deals": DEALS}


def folder(tmp_path: Path, **tables: str | None) -> Path:
    """A dataset folder with the three required tables, replaced or left out (None) by ``tables``."""
    for name, text in (REQUIRED | tables).items():
        if text is not None:
            (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return tmp_path


def load(tmp_path: Path, **tables: str | None) -> Dataset:
    """Load with every reject tolerated, to look at the rejects themselves."""
    return load_dataset(folder(tmp_path, **tables), max_reject_share=1.0)


def test_minimal_dataset_loads_with_the_documented_dtypes(tmp_path: Path) -> None:
    ds = load(tmp_path)
    leads, sends, deals = ds.tables["leads"], ds.tables["email_sends"], ds.tables["deals"]
    assert str(leads["created_at"].dtype) == "datetime64[ns, Asia/Tokyo]"
    assert leads["mql_at"].dtype == leads["created_at"].dtype and leads["mql_at"].isna().all()
    assert leads["score"].dtype == "float64" and leads["score"].isna().all()
    assert pd.api.types.is_string_dtype(leads["company"]) and leads["company"].isna().all()
    assert sends["delivered"].tolist() == [100.0] and sends["delivered"].dtype == "float64"
    assert deals["ma_sourced"].dtype == "boolean" and deals["ma_sourced"].isna().all()
    assert deals["stage"].tolist() == ["won"]
    assert ds.columns["leads"] == {"lead_id", "created_at"}
    assert not ds.has_column("leads", "first_sales_touch_at")
    assert set(ds.quality) == {"leads", "email_sends", "deals"}
    assert ds.files == [tmp_path / "leads.csv", tmp_path / "email_sends.csv", tmp_path / "deals.csv"]
    assert ds.findings == []
    assert all(q.rejects is None and q.rows_read == 1 for q in ds.quality.values())


@pytest.mark.parametrize(
    ("written", "expected", "month"),
    [
        ("2025-05-31T15:00:00Z", "2025-06-01 00:00:00+09:00", "2025-06"),  # UTC May is already June in Tokyo
        ("2025-06-30T14:59:59Z", "2025-06-30 23:59:59+09:00", "2025-06"),
        ("2025-06-30T15:00:00Z", "2025-07-01 00:00:00+09:00", "2025-07"),
        ("2025-07-01T08:59:59+09:00", "2025-07-01 08:59:59+09:00", "2025-07"),
        ("2025-06-30T10:00:00-05:00", "2025-07-01 00:00:00+09:00", "2025-07"),
        ("2025-06-30T23:30:00+0900", "2025-06-30 23:30:00+09:00", "2025-06"),
        ("2025-06-01", "2025-06-01 00:00:00+09:00", "2025-06"),  # no offset: taken as Tokyo time
        ("2025-05-31 23:59:59", "2025-05-31 23:59:59+09:00", "2025-05"),
        (" 2025/6/1 9:05 ", "2025-06-01 09:05:00+09:00", "2025-06"),  # as Excel re-saves it
    ],
)
def test_timestamps_land_in_the_program_timezone(tmp_path: Path, written: str, expected: str, month: str) -> None:
    ds = load(tmp_path, leads=f"lead_id,created_at\nL1,{written}\n")
    created = ds.tables["leads"].loc[0, "created_at"]
    assert str(created) == expected
    assert str(Month.of(created)) == month


def test_timestamps_follow_the_timezone_argument(tmp_path: Path) -> None:
    text = "lead_id,created_at\nL1,2025-05-31T15:00:00Z\nL2,2025-06-01\nL3,2025-03-09T02:30:00\n"
    ds = load_dataset(folder(tmp_path, leads=text), timezone="America/New_York")
    assert [str(t) for t in ds.tables["leads"]["created_at"]] == [
        "2025-05-31 11:00:00-04:00",
        "2025-06-01 00:00:00-04:00",
        "2025-03-09 03:00:00-04:00",  # a wall-clock time that DST skips is shifted forward, not rejected
    ]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ('"¥1,234,000"', 1234000.0),
        ('"1,234円"', 1234.0),
        ('"1,234 円"', 1234.0),
        ("$99.50", 99.5),
        ('"￥5,000"', 5000.0),  # full-width yen
        ('"＄1,200"', 1200.0),  # full-width dollar
        ("１２３", 123.0),  # full-width digits
        (" 700 ", 700.0),
        ("", None),  # an open deal may leave its amount empty
    ],
)
def test_amounts_may_carry_currency_marks_and_separators(tmp_path: Path, written: str, value: float | None) -> None:
    ds = load(tmp_path, deals=f"deal_id,created_at,amount,stage\nD1,2025-06-03,{written},open\n")
    amount = ds.tables["deals"].loc[0, "amount"]
    assert pd.isna(amount) if value is None else amount == value


@pytest.mark.parametrize(
    ("written", "value"),
    [("true", True), ("Yes", True), ("1", True), ("FALSE", False), ("no", False), ("0", False), ("", None)],
)
def test_ma_sourced_reads_true_false_one_zero_yes_no(tmp_path: Path, written: str, value: bool | None) -> None:
    deals = f"deal_id,created_at,amount,stage,ma_sourced\nD1,2025-06-03,1,open,{written}\n"
    flag = load(tmp_path, deals=deals).tables["deals"].loc[0, "ma_sourced"]
    assert flag is pd.NA if value is None else flag == value


def test_enums_match_case_insensitively_and_are_stored_lower_case(tmp_path: Path) -> None:
    deals = "deal_id,created_at,amount,stage,closed_at\nD1,2025-06-03,1, Won ,2025-06-04\nD2,2025-06-03,1,OPEN,\n"
    assert load(tmp_path, deals=deals).tables["deals"]["stage"].tolist() == ["won", "open"]


LEADS_HEADER = "lead_id,created_at,mql_at,score\n"
SENDS_HEADER = "send_id,sent_at,sent,delivered,unique_opens,unique_clicks,unsubscribes\n"
DEALS_HEADER = "deal_id,created_at,amount,stage,closed_at,ma_sourced\n"


@pytest.mark.parametrize(
    ("table", "text", "code", "sentence"),
    [
        ("leads", LEADS_HEADER + "L1,,,", "missing_value", "column 'created_at' is empty, but every row needs a value"),
        ("leads", LEADS_HEADER + " ,2025-06-01,,", "missing_value", "column 'lead_id' is empty"),
        ("leads", LEADS_HEADER + "L1,2025-13-01,,", "bad_timestamp", "column 'created_at' holds '2025-13-01', which is not a valid ISO-8601 date"),
        ("leads", LEADS_HEADER + "L1,2025-06-01,last week,", "bad_timestamp", "column 'mql_at' holds 'last week'"),
        ("leads", LEADS_HEADER + "L1,2025-06-01,,12abc", "bad_number", "column 'score' holds '12abc', which is not a number"),
        ("deals", DEALS_HEADER + 'D1,2025-06-03,"1,5",open,,', "bad_number", "column 'amount' holds '1,5'"),
        ("email_sends", SENDS_HEADER + "S1,2025-06-02,,10.5,1,0,0", "bad_number", "column 'delivered' holds '10.5', which is not a whole number"),
        ("deals", DEALS_HEADER + "D1,2025-06-03,-¥500,open,,", "negative", "column 'amount' holds '-¥500', which is negative"),
        ("email_sends", SENDS_HEADER + "S1,2025-06-02,,10,-1,0,0", "negative", "column 'unique_opens' holds '-1'"),
        ("deals", DEALS_HEADER + "D1,2025-06-03,1,pending,,", "bad_enum", "column 'stage' holds 'pending', which is not one of open, won, lost"),
        ("deals", DEALS_HEADER + "D1,2025-06-03,1,open,,maybe", "bad_bool", "column 'ma_sourced' holds 'maybe', which is not true/false, 1/0 or yes/no"),
        ("deals", DEALS_HEADER + "D1,2025-06-03,1,won,,", "missing_closed_at", "a deal at stage 'won' needs closed_at"),
        ("deals", DEALS_HEADER + "D1,2025-06-03,1,Lost,,", "missing_closed_at", "a deal at stage 'Lost' needs closed_at"),
        ("email_sends", SENDS_HEADER + "S1,2025-06-02,100,101,0,0,0", "delivered_exceeds_sent", "delivered '101' is greater than sent '100'"),
        ("email_sends", SENDS_HEADER + "S1,2025-06-02,,10,11,0,0", "opens_exceed_delivered", "unique_opens '11' is greater than delivered '10'"),
        ("email_sends", SENDS_HEADER + "S1,2025-06-02,,10,1,12,0", "clicks_exceed_delivered", "unique_clicks '12' is greater than delivered '10'"),
        ("email_sends", SENDS_HEADER + "S1,2025-06-02,,10,1,1,13", "unsubscribes_exceed_delivered", "unsubscribes '13' is greater than delivered '10'"),
        ("spend", "month,channel,amount\n2025-13,ads,100", "bad_month", "column 'month' holds '2025-13', which is not a month written YYYY-MM"),
        ("spend", "month,channel,amount\n2025-06,,100", "missing_value", "column 'channel' is empty"),
        ("content_calendar", "title,type,planned_date\nT,podcast,2025-06-01", "bad_enum", "which is not one of blog, whitepaper"),
        ("scenarios", "scenario_id,name,status\nSC1,Welcome,stopped", "bad_enum", "which is not one of planned, live, paused, retired"),
        ("email_events", "send_id,lead_id,event,occurred_at\nS9,L1,open,2025-06-02", "unknown_send", "send_id 'S9' is not in email_sends"),
    ],
)
def test_each_bad_row_is_rejected_with_a_code_and_a_sentence(
    tmp_path: Path, table: str, text: str, code: str, sentence: str
) -> None:
    ds = load(tmp_path, **{table: text + "\n"})
    quality = ds.quality[table]
    assert dict(quality.reasons) == {code: 1}
    rows = rejected(quality)
    assert rows is not None
    assert rows["row"].tolist() == [2]
    reason = rows["reason"].iloc[0]
    assert reason.startswith(f"{code}: ") and sentence in reason and reason.endswith(".")
    assert ds.tables[table].empty


def test_a_value_that_is_fine_is_not_rejected(tmp_path: Path) -> None:
    """The counterpart of the table above: the same columns, readable values, nothing rejected."""
    ds = load(
        tmp_path,
        leads=LEADS_HEADER + "L1,2025-06-01,2025-06-02,-5\n",
        email_sends=SENDS_HEADER + 'S1,2025-06-02,"1,000",900,900,5,2\n',
        deals=DEALS_HEADER + "D1,2025-06-03,,open,,no\nD2,2025-06-03,0,lost,2025-06-09,\n",
        spend="month,channel,amount\n2025-06,ads,100\n2025/7,ads,0\n2025-08-01,ads,1\n",
    )
    assert all(q.rejected == 0 for q in ds.quality.values())
    assert ds.tables["leads"].loc[0, "score"] == -5.0  # a score may be negative, an amount may not
    assert ds.tables["spend"]["month"].tolist() == ["2025-06", "2025-07", "2025-08"]


def test_a_row_is_rejected_once_for_its_first_problem(tmp_path: Path) -> None:
    ds = load(tmp_path, deals=DEALS_HEADER + "D1,someday,-1,maybe,,\n")
    assert dict(ds.quality["deals"].reasons) == {"bad_timestamp": 1}


def test_rejected_rows_are_kept_whole_as_read_with_their_row_numbers(tmp_path: Path) -> None:
    leads = " Lead_ID ,Created_At,Company,memo\nL1,2025-06-01,A,ok\n\nL2, not a date ,株式会社B,  spaced  \nL3,2025-06-02,C,\n"
    ds = load(tmp_path, leads=leads)
    rejects = ds.quality["leads"].rejects
    assert rejects.columns.tolist() == ["row", " Lead_ID ", "Created_At", "Company", "memo", "reason"]
    assert rejects.iloc[0, :-1].tolist() == [4, "L2", " not a date ", "株式会社B", "  spaced  "]
    assert rejects.iloc[0, -1].startswith("bad_timestamp: column 'created_at' holds ' not a date '")
    assert ds.tables["leads"]["lead_id"].tolist() == ["L1", "L3"]
    assert ds.quality["leads"].rows_read == 3


def test_a_repeated_key_keeps_the_first_row_and_rejects_the_later_ones(tmp_path: Path) -> None:
    leads = "lead_id,created_at,company\nL1,2025-06-01,first\nL2,2025-06-01,other\nL1 ,2025-06-02,second\nL1,2025-06-03,third\n"
    ds = load(tmp_path, leads=leads)
    assert ds.tables["leads"]["company"].tolist() == ["first", "other"]
    rejects = ds.quality["leads"].rejects
    assert rejects["row"].tolist() == [4, 5]
    assert rejects["reason"].tolist() == [
        "duplicate_key: lead_id 'L1 ' already appears on row 2, which is kept.",
        "duplicate_key: lead_id 'L1' already appears on row 2, which is kept.",
    ]
    assert ds.quality["leads"].reasons == {"duplicate_key": 2}


def test_extension_and_unknown_columns_are_kept_and_never_reject(tmp_path: Path) -> None:
    leads = "lead_id,created_at,last_activity_at,owner,memo\nL1,2025-06-01,2025-06-10T12:00:00Z,佐藤,<<anything 123>>\n"
    sends = "send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes,content_id\nS1,2025-06-02,1,1,0,0,C-7\n"
    deals = "deal_id,created_at,amount,stage,owner\nD1,2025-06-03,5,open,鈴木\n"
    ds = load(tmp_path, leads=leads, email_sends=sends, deals=deals)
    lead = ds.tables["leads"].iloc[0]
    assert str(lead["last_activity_at"]) == "2025-06-10 21:00:00+09:00"
    assert (lead["owner"], lead["memo"]) == ("佐藤", "<<anything 123>>")
    assert ds.tables["email_sends"].loc[0, "content_id"] == "C-7"
    assert ds.tables["deals"].loc[0, "owner"] == "鈴木"
    assert "memo" in ds.columns["leads"]
    assert all(q.rejected == 0 for q in ds.quality.values())


def test_cp932_and_bom_files_load_end_to_end(tmp_path: Path) -> None:
    folder(tmp_path)
    (tmp_path / "leads.csv").write_bytes("lead_id,created_at,company\nL1,2025-06-01,株式会社テスト\n".encode("cp932"))
    (tmp_path / "deals.csv").write_bytes(DEALS.encode("utf-8-sig"))
    ds = load_dataset(tmp_path)
    assert ds.tables["leads"].loc[0, "company"] == "株式会社テスト"
    assert ds.tables["deals"].loc[0, "deal_id"] == "D1"
    assert [ds.quality[t].encoding for t in ("leads", "email_sends", "deals")] == ["cp932", "utf-8", "utf-8-sig"]


EVENTS_HEADER = "send_id,lead_id,event,occurred_at\n"
# S1: delivered to three leads (L1 twice), opened by two (L1 twice), clicked by one.
S1_EVENTS = (
    "S1,L1,delivered,2025-06-02\nS1,L2,delivered,2025-06-02\nS1,L3,Delivered,2025-06-02\nS1,L1,delivered,2025-06-02\n"
    "S1,L1,open,2025-06-02\nS1,L1,open,2025-06-03\nS1,L2,OPEN,2025-06-02\nS1,L1,click,2025-06-02\nS1,L1,sent,2025-06-02\n"
)


def test_events_give_the_send_counts_as_distinct_leads(tmp_path: Path) -> None:
    sends = "send_id,sent_at\nS1,2025-06-02\nS2,2025-06-05\n"
    ds = load(tmp_path, email_sends=sends, email_events=EVENTS_HEADER + S1_EVENTS)
    counts = ds.tables["email_sends"].set_index("send_id")[
        ["delivered", "unique_opens", "unique_clicks", "unsubscribes", "bounces"]
    ]
    assert counts.loc["S1"].tolist() == [3.0, 2.0, 1.0, 0.0, 0.0]
    assert counts.loc["S2"].tolist() == [0.0, 0.0, 0.0, 0.0, 0.0]  # no events: nobody got it
    assert ds.findings == []
    assert not ds.has_column("email_sends", "delivered")  # the file did not have it
    assert len(ds.tables["email_events"]) == 9


def test_events_win_over_the_sends_and_a_disagreement_is_a_finding(tmp_path: Path) -> None:
    sends = SENDS_HEADER + "S1,2025-06-02,,3,2,0,0\nS2,2025-06-05,,10,4,1,0\nS3,2025-06-06,,50,5,1,0\n"
    events = EVENTS_HEADER + S1_EVENTS + "S3,L1,delivered,2025-06-06\n"
    ds = load(tmp_path, email_sends=sends, email_events=events)
    counts = ds.tables["email_sends"].set_index("send_id")[["delivered", "unique_opens", "unique_clicks"]]
    assert counts.loc["S1"].tolist() == [3.0, 2.0, 1.0]  # the file said 0 clicks
    assert counts.loc["S2"].tolist() == [10.0, 4.0, 1.0]  # no events: the row's own counts stay
    assert counts.loc["S3"].tolist() == [1.0, 0.0, 0.0]  # the file said 50 delivered
    assert ds.findings == [Finding("events_disagree_with_sends", "email_sends", 2, {"example": "S1"})]


def test_events_of_a_rejected_send_are_not_unknown(tmp_path: Path) -> None:
    sends = "send_id,sent_at\nS1,2025-06-02\nS2,soon\n"
    events = EVENTS_HEADER + "S2,L1,open,2025-06-02\nS9,L1,open,2025-06-02\nS1,L1,bounce,2025-06-02\nS1,L2,opened,2025-06-02\n"
    ds = load(tmp_path, email_sends=sends, email_events=events)
    assert ds.quality["email_sends"].reasons == {"bad_timestamp": 1}
    assert ds.quality["email_events"].reasons == {"unknown_send": 1, "bad_enum": 1}
    assert rejected(ds.quality["email_events"])["row"].tolist() == [3, 5]
    assert ds.tables["email_sends"]["bounces"].tolist() == [1.0]


def test_deals_without_amount_that_are_not_won_are_kept_and_counted(tmp_path: Path) -> None:
    deals = DEALS_HEADER + "D1,2025-06-03,,open,,\nD2,2025-06-03,,lost,2025-06-09,\nD3,2025-06-03,1,open,,\n"
    ds = load(tmp_path, deals=deals)
    assert len(ds.tables["deals"]) == 3
    assert ds.quality["deals"].rejected == 0
    assert ds.findings == [Finding("deals_without_amount", "deals", 2)]


def test_won_deals_without_amount_are_kept_and_counted_apart(tmp_path: Path) -> None:
    """Contract §1 (issue 22): a won deal with an empty amount is kept; it is not 0 in sums, so it has its finding."""
    deals = DEALS_HEADER + "D1,2025-06-03,,won,2025-06-09,\nD2,2025-06-03,,open,,\nD3,2025-06-03,5,won,2025-06-09,\n"
    ds = load(tmp_path, deals=deals)
    assert ds.quality["deals"].rejected == 0
    assert ds.tables["deals"]["amount"].isna().tolist() == [True, True, False]
    assert ds.findings == [Finding("deals_without_amount", "deals", 1), Finding("won_without_amount", "deals", 1)]


def test_optional_tables_are_read_when_present(tmp_path: Path) -> None:
    ds = load(
        tmp_path,
        spend='month,channel,amount\n2025-06,ads,"¥100,000"\n',
        content_calendar="title,type,planned_date\nGuide,Whitepaper,2025-06-10\n",
        scenarios="scenario_id,name,status,launch_date\nSC1,Welcome,live,2025-05-01\n",
    )
    assert ds.tables["spend"].loc[0, "amount"] == 100000.0
    assert ds.tables["content_calendar"].loc[0, "type"] == "whitepaper"
    assert str(ds.tables["scenarios"].loc[0, "launch_date"]) == "2025-05-01 00:00:00+09:00"
    assert set(ds.quality) == {"leads", "email_sends", "deals", "spend", "content_calendar", "scenarios"}
    assert len(ds.files) == 6


def test_a_parquet_dataset_loads_like_its_csv_export(tmp_path: Path) -> None:
    csv_dir, parquet_dir = tmp_path / "csv", tmp_path / "parquet"
    csv_dir.mkdir()
    parquet_dir.mkdir()
    leads = "lead_id,created_at,score\nL1,2025-05-31T15:00:00Z,10\nL2,2025-06-01T09:00:00,\nL2,2025-06-02,1\n"
    expected = load(csv_dir, leads=leads)
    pq.write_table(
        pa.table(
            {
                "lead_id": ["L1", "L2", "L2"],
                "created_at": pa.array(
                    [pd.Timestamp("2025-05-31T15:00:00Z"), pd.Timestamp("2025-06-01T00:00:00Z"), pd.Timestamp("2025-06-01T15:00:00Z")],
                    pa.timestamp("us", tz="UTC"),
                ),
                "score": pa.array([10, None, 1], pa.int64()),
            }
        ),
        parquet_dir / "leads.parquet",
    )
    for name in ("email_sends", "deals"):
        pq.write_table(pa.Table.from_pandas(pd.read_csv(csv_dir / f"{name}.csv", dtype=str)), parquet_dir / f"{name}.parquet")
    ds = load_dataset(parquet_dir, max_reject_share=1.0)
    for name in ("leads", "email_sends", "deals"):
        pd.testing.assert_frame_equal(ds.tables[name], expected.tables[name])
    assert ds.quality["leads"].reasons == {"duplicate_key": 1}
    assert ds.quality["leads"].rejects["row"].tolist() == [4]
    assert ds.quality["leads"].encoding is None


@pytest.mark.parametrize("missing", ["leads", "email_sends", "deals"])
def test_a_missing_required_file_stops_the_run(tmp_path: Path, missing: str) -> None:
    with pytest.raises(DataError, match=rf"Required file '.*{missing}\.csv' \(or '{missing}\.parquet'\) is missing; export"):
        load(tmp_path, **{missing: None})


def test_a_missing_folder_stops_the_run(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"Dataset folder '.*nowhere' does not exist.*data\.path"):
        load_dataset(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("table", "text", "message"),
    [
        ("leads", "lead_id,created\nL1,2025-06-01\n", r"leads\.csv' has no column 'created_at'.*did you mean 'created'\?"),
        ("deals", "deal_id,created_at,stage\nD1,2025-06-01,open\n", r"deals\.csv' has no column 'amount'.*it has: deal_id, created_at, stage"),
        ("email_sends", "send_id,sent_at\nS1,2025-06-02\n", r"email_sends\.csv' has no columns 'delivered', 'unique_opens', 'unique_clicks', "
                                                   r"'unsubscribes', which.*or provide email_events"),
        ("spend", "month,amount\n2025-06,1\n", r"spend\.csv' has no column 'channel'.*add the column"),
        ("email_events", "send_id,lead_id,occurred_at\nS1,L1,2025-06-02\n", r"email_events\.csv' has no column 'event'"),
    ],
)
def test_a_missing_required_column_stops_the_run(tmp_path: Path, table: str, text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load(tmp_path, **{table: text})


def leads_with_bad_rows(total: int, bad: int) -> str:
    rows = [f"L{i},2025-06-01" for i in range(total - bad)] + [f"X{i},2025-06-3{i}" for i in range(2, bad + 2)]
    return "lead_id,created_at\n" + "\n".join(rows) + "\n"


def test_too_many_rejected_rows_stop_the_run_naming_table_share_reason_row_and_setting(tmp_path: Path) -> None:
    folder(tmp_path, leads=leads_with_bad_rows(total=20, bad=2))
    with pytest.raises(DataError) as stopped:
        load_dataset(tmp_path)
    message = str(stopped.value)
    assert "Table leads" in message and "leads.csv" in message
    assert "2 of 20 rows (10.0%) were rejected, more than data_quality.max_reject_share (5.0%)" in message
    assert "most common reason is bad_timestamp (2 of them, e.g. row 20: bad_timestamp: column 'created_at' holds '2025-06-32'" in message
    assert "raise data_quality.max_reject_share" in message


@pytest.mark.parametrize(("bad", "limit", "stops"), [(1, 0.05, False), (2, 0.05, True), (2, 0.10, False), (0, 0.0, False)])
def test_max_reject_share_is_the_largest_share_that_still_runs(tmp_path: Path, bad: int, limit: float, stops: bool) -> None:
    folder(tmp_path, leads=leads_with_bad_rows(total=20, bad=bad))
    if stops:
        with pytest.raises(DataError, match="max_reject_share"):
            load_dataset(tmp_path, max_reject_share=limit)
    else:
        assert load_dataset(tmp_path, max_reject_share=limit).quality["leads"].rejected == bad
