"""Real exports read right (issue 22, contract §1 and §7.1): files shaped exactly like HubSpot's deals and contacts
exports and Mailchimp's campaign reports (their real header lines, their quoting, labels and encodings; the rows
are made up)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from retropack.config import load_config
from retropack.errors import ConfigError, DataError
from retropack.flow import steps
from retropack.kpis import formulas
from retropack.kpis.inputs import KpiParams, build_inputs
from retropack.load.dataset import Finding
from retropack.months import Month
from retropack.present.messages import Translator
from retropack.present.tables import quality_tables
from retropack.publish.kpis_json import kpis_document
from tests.load.test_exports import HUBSPOT, MQL, SENDS_OLD, client, hubspot_file, load

CONTACT = {"Record ID": "101", "Create Date": "2025-06-02 10:15", "Email": "a@example.com"}


def deal(record: str, stage: str, closed: str, probability: str, *, amount: str = "1000",
         created: str = "2025-06-10 10:00", close: str = "2025-06-20 10:00") -> dict[str, str]:
    return {"Record ID": record, "Deal Name": f"Deal {record}", "Create Date": created, "Amount": amount,
            "Deal Stage": stage, "Close Date": close, "Is Deal Closed?": closed, "Deal probability": probability,
            "Pipeline": "Sales Pipeline", "Associated Contact IDs": "101"}


def hubspot_folder(tmp_path: Path, deals: list[dict[str, str]], **data: object) -> Path:
    """A folder with HubSpot's full deals and contacts exports (real header lines) and an empty send table."""
    exports = tmp_path / "exports"
    exports.mkdir(exist_ok=True)
    hubspot_file(HUBSPOT / "contacts_all_properties.header.csv", [CONTACT],
                 exports / "hubspot-crm-exports-all-contacts-2025-07-01.csv")
    hubspot_file(HUBSPOT / "deals_all_properties.header.csv", deals,
                 exports / "hubspot-crm-exports-all-deals-2025-07-01.csv")
    (exports / "email_sends.csv").write_text(SENDS_OLD, encoding="utf-8")
    return client(tmp_path, {"preset": "hubspot-export", **data},
                  program={"name": "HubSpot", "start_month": "2025-01", "currency": "USD"})


# --- 1. a portal's own stages ------------------------------------------------------------------------------


def test_a_portals_own_stage_labels_are_read_by_the_preset_alone(tmp_path: Path) -> None:
    """As the sync reads the stage's metadata: closed and probability 1.0 is won, closed otherwise lost."""
    deals = [deal("1", "Closed: won", "true", "1.0"), deal("2", "Closed: lost", "true", "0.0"),
             deal("3", "Closed: abandoned", "true", "0"), deal("4", "Contract signed", "true", "1"),
             deal("5", "Demo given", "false", "0.4", close="2025-09-30 00:00"),
             deal("6", "Qualified", "", "", close="")]
    _, dataset = load(hubspot_folder(tmp_path, deals))
    assert dataset.tables["deals"]["stage"].tolist() == ["won", "lost", "lost", "won", "open", "open"]
    assert [f for f in dataset.findings if f.code == "stage_defaulted"] == [
        Finding("stage_defaulted", "deals", 1, {"values": "Qualified (1)"})]  # no flag said: "*" sent it to open


def test_stage_values_sent_to_open_are_listed_with_their_counts(tmp_path: Path) -> None:
    deals = [deal(str(n), stage, "", "", close="") for n, stage in
             enumerate(["Won (EU)", "Won (EU)", "Lost (EU)", "Won (EU)", "Demo"])]
    config = hubspot_folder(tmp_path, deals)
    _, dataset = load(config)
    assert [f for f in dataset.findings if f.code == "stage_defaulted"] == [
        Finding("stage_defaulted", "deals", 5, {"values": "Won (EU) (3), Demo (1), Lost (EU) (1)"}),
        Finding("stage_defaulted", "deals", 5, {"variant": "no_closed"})]
    _, findings = quality_tables(dataset, Translator("en"))
    assert ("5 deals have a stage mapped to neither won nor lost, so they were counted as open (Won (EU) (3), "
            "Demo (1), Lost (EU) (1)). Add any stage that means won or lost to data.values.deals.stage.") in findings
    assert "None of the 5 deals is won or lost; check that the stages meaning won and lost are mapped." in findings


def test_mapping_the_stages_in_the_config_ends_the_finding(tmp_path: Path) -> None:
    deals = [deal("1", "Won (EU)", "", "", close="2025-06-20"), deal("2", "Demo", "", "", close="")]
    _, dataset = load(hubspot_folder(tmp_path, deals, values={"deals": {"stage": {"Won (EU)": "won", "Demo": "open"}}}))
    assert dataset.tables["deals"]["stage"].tolist() == ["won", "open"]
    assert not [f for f in dataset.findings if f.code == "stage_defaulted"]


# --- 2. won deals without amount, deals closed before created ---------------------------------------------


def test_won_deals_without_amount_count_in_the_win_rate_and_not_in_sums(tmp_path: Path) -> None:
    """Six won deals in June, four of them without amount, and two lost: all kept, all MA-sourced (contact 101
    became MQL before). Win rate 6/8 and cycle over six wins; sums and means over the two with an amount."""
    rows = [deal(str(n), "Closed: won", "true", "1.0", amount="") for n in range(1, 5)]
    rows += [deal("5", "Closed: won", "true", "1.0", amount="3000"),
             deal("6", "Closed: won", "true", "1.0", amount="1000", created="2025-06-11 10:00"),
             deal("7", "Closed: lost", "true", "0.0"), deal("8", "Closed: lost", "true", "0.0"),
             deal("9", "Closed: won", "true", "1.0", amount="500", created="2025-06-20 10:00",
                  close="2025-06-20 09:37"),  # entered 23 minutes after it closed
             deal("10", "Demo given", "false", "0.4", amount="2000", close="2025-08-31")]
    config = hubspot_folder(tmp_path, rows)
    hubspot_file(HUBSPOT / "contacts_all_properties.header.csv", [{**CONTACT, MQL: "2025-06-05 09:00"}],
                 tmp_path / "exports" / "hubspot-crm-exports-all-contacts-2025-07-01.csv")
    _, dataset = load(config)
    assert dataset.quality["deals"].rejected == 0 and len(dataset.tables["deals"]) == 10
    assert {f.code: f.count for f in dataset.findings if f.table == "deals" and f.code != "file_read"} == {
        "won_without_amount": 4, "closed_before_created": 1}
    june, inputs = Month(2025, 6), build_inputs(dataset, KpiParams())
    assert formulas.ma_won_amount(inputs, june) == 4500  # 3000 + 1000 + 500; the four without amount add nothing
    assert formulas.ma_pipeline_amount(inputs, june) == 8500  # and the lost deals' 2 × 1000 and the open one's 2000
    assert formulas.ltv(inputs, june) == 1500  # the mean of the three amounts, not of seven wins
    factors = formulas.velocity_factors(inputs, june)
    assert factors is not None
    assert factors["win_rate"] == 7 / 9  # seven won (four without amount) of nine closed
    assert factors["mean_won_amount"] == 1500
    assert factors["cycle_days"] == pytest.approx((5 * 10 + 9 + 0) / 7)  # deal 9 counts 0 days, not −23 minutes


# --- 3. an optional column the export lacks: unknown, not zero ----------------------------------------------

VIEW_HEADER = ('"Record ID","First Name","Last Name","Email","Phone Number","Contact owner",'
               '"Primary Associated Company ID","Last Activity Date","Lead Status","Marketing contact status",'
               '"Create Date"\n')  # HubSpot's default contacts view, exported as shown: no lifecycle dates


def test_a_view_export_without_lifecycle_dates_gives_no_mql_kpis(tmp_path: Path) -> None:
    config = hubspot_folder(tmp_path, [deal("1", "Closed: won", "true", "1.0")])
    rows = "".join(f'"{n}","A","B","c{n}@example.com","","","","","","Marketing contact","2025-06-{n - 100:02d} 10:00"\n'
                   for n in range(101, 129))
    (tmp_path / "exports" / "hubspot-crm-exports-all-contacts-2025-07-01.csv").write_text(VIEW_HEADER + rows,
                                                                                        encoding="utf-8")
    loaded, dataset = load(config)
    analysis = steps.compute(dataset, loaded, Month(2025, 6))
    results = {r.kpi.id: r for r in analysis.results}
    assert results["new_leads"].actual == 28
    for kpi in ("mqls", "sqls", "mql_to_sql_rate", "opportunity_rate", "sla_followup_rate", "ma_won_amount",
                "ma_pipeline_amount", "pipeline_velocity", "ltv"):
        assert results[kpi].actual is None, kpi
        assert results[kpi].status != "missed", kpi
    document = kpis_document("export-test", "2025-06", analysis.phase, analysis.results)
    assert {k["id"]: k["actual"] for k in document["kpis"]}["mqls"] is None
    fired = {c.kpi_id for c in analysis.actions.commitments}
    assert not fired & {"mqls", "sqls", "mql_to_sql_rate", "sla_followup_rate"}


# --- 4. where, date formats, encodings, delimiters ------------------------------------------------------------


def test_where_leaves_a_bulk_import_out_and_counts_it(tmp_path: Path) -> None:
    config = hubspot_folder(tmp_path, [deal("1", "Closed: won", "true", "1.0")], where={
        "leads": [{"column": "Original Traffic Source Drill-Down 1", "leave_out": ["IMPORT"]}]})
    imported = [{"Record ID": str(200 + n), "Create Date": f"2025-06-12 10:{n:02d}", "Email": f"i{n}@example.com",
                 "Original Traffic Source": "Offline Sources", "Original Traffic Source Drill-Down 1": "IMPORT",
                 "Original Traffic Source Drill-Down 2": "trade-show-list.xlsx"} for n in range(40)]
    organic = {**CONTACT, "Original Traffic Source": "Organic Search", "Original Traffic Source Drill-Down 1": "google"}
    hubspot_file(HUBSPOT / "contacts_all_properties.header.csv", [organic, *imported],
                 tmp_path / "exports" / "hubspot-crm-exports-all-contacts-2025-07-01.csv")
    _, dataset = load(config)
    assert dataset.tables["leads"]["lead_id"].tolist() == ["101"]
    assert dataset.quality["leads"].rejected == 0
    assert Finding("rows_left_out", "leads", 40, {"column": "Original Traffic Source Drill-Down 1",
                                                  "values": "IMPORT (40)"}) in dataset.findings


def test_where_on_a_column_the_export_lacks_is_named(tmp_path: Path) -> None:
    config = hubspot_folder(tmp_path, [deal("1", "Closed: won", "true", "1.0")],
                            where={"leads": [{"column": "Import name", "keep": ["x"]}]})
    with pytest.raises(DataError, match=r"data\.where\.leads: no column 'Import name' in "
                                        r"hubspot-crm-exports-all-contacts-2025-07-01\.csv"):
        load(config)


MAILCHIMP_HEADER = ('"Title","Subject","List","Send Date","Send Weekday","Total Recipients","Successful Deliveries",'
                    '"Soft Bounces","Hard Bounces","Total Bounces","Times Forwarded","Forwarded Opens","Unique Opens",'
                    '"Open Rate","Total Opens","Unique Clicks","Click Rate","Total Clicks","Unsubscribes",'
                    '"Abuse Complaints","Times Liked on Facebook","Folder Id","Unique Id"\n')


def mailchimp_rows(dates: tuple[str, str], *, ids: bool = True, sep: str = ",") -> str:
    """Two campaigns as Mailchimp's campaign report writes them (rates in per cent, not counts)."""
    rows = [["Spring offer \u2026 last call", "Don\u2019t miss it", "Customers", dates[0], "Friday", "1000", "980", "12",
             "8", "20", "0", "0", "245", "25.00%", "400", "49", "5.00%", "70", "3", "0", "0", "", "a1b2c3d4e5"],
            ["Newsletter March", "News", "Customers", dates[1], "Tuesday", "500", "490", "6", "4", "10", "0", "0",
             "98", "20.00%", "150", "10", "2.04%", "12", "1", "0", "0", "", "f6a7b8c9d0"]]
    header = MAILCHIMP_HEADER if sep == "," else MAILCHIMP_HEADER.replace('","', f'"{sep}"')
    if not ids:
        header = header.replace(f'{sep}"Unique Id"', "")
        rows = [row[:-1] for row in rows]
    return header + "".join(sep.join(f'"{cell}"' for cell in row) + "\n" for row in rows)


def mailchimp_folder(tmp_path: Path, text: bytes, **data: object) -> Path:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "leads.csv").write_text("lead_id,created_at\nL0,2015-01-05\n", encoding="utf-8")
    (exports / "deals.csv").write_text("deal_id,created_at,amount,stage\nD0,2015-01-05,0,open\n", encoding="utf-8")
    (exports / "campaigns.csv").write_bytes(text)
    return client(tmp_path, {"preset": "mailchimp-campaigns", "files": {"email_sends": "campaigns*.csv"}, **data})


def test_an_excel_resaved_mailchimp_report_in_mac_roman_reads_with_its_encoding(tmp_path: Path) -> None:
    text = mailchimp_rows(("2/24/17 11:29", "3/7/17 9:05")).encode("mac_roman")
    _, dataset = load(mailchimp_folder(tmp_path, text, encoding={"email_sends": "mac_roman"}))
    sends = dataset.tables["email_sends"]
    assert sends["campaign"].tolist() == ["Spring offer \u2026 last call", "Newsletter March"]
    assert sends["sent_at"].tolist() == [pd.Timestamp("2017-02-24 11:29", tz="UTC"), pd.Timestamp("2017-03-07 09:05",
                                                                                                  tz="UTC")]
    assert sends[["sent", "delivered", "unique_opens", "unique_clicks", "unsubscribes", "bounces"]].iloc[0].tolist() \
        == [1000, 980, 245, 49, 3, 20]
    assert sends["send_id"].tolist() == ["a1b2c3d4e5", "f6a7b8c9d0"]
    assert not [f for f in dataset.findings if f.code == "suspect_encoding"]


def test_the_same_report_without_its_encoding_is_a_suspect_encoding_finding(tmp_path: Path) -> None:
    text = mailchimp_rows(("2/24/17 11:29", "3/7/17 9:05")).encode("mac_roman")
    _, dataset = load(mailchimp_folder(tmp_path, text))
    [finding] = [f for f in dataset.findings if f.code == "suspect_encoding"]
    assert (finding.table, finding.count, finding.params["file"]) == ("email_sends", 1, "campaigns.csv")
    assert "\uff89" in str(finding.params["example"])  # … read as CP932 is ﾉ


def test_mailchimps_own_dates_and_title_as_the_id(tmp_path: Path) -> None:
    text = mailchimp_rows(("Jun 01, 2023 09:46 pm", "Jun 13, 2023 08:00 am"), ids=False).encode("utf-8")
    _, dataset = load(mailchimp_folder(tmp_path, text))
    sends = dataset.tables["email_sends"]
    assert sends["send_id"].tolist() == ["Spring offer \u2026 last call", "Newsletter March"]
    assert sends["sent_at"].tolist() == [pd.Timestamp("2023-06-01 21:46", tz="UTC"), pd.Timestamp("2023-06-13 08:00",
                                                                                                  tz="UTC")]


def test_a_semicolon_export_with_european_dates(tmp_path: Path) -> None:
    text = mailchimp_rows(("24.02.2017", "07.03.2017"), sep=";").encode("cp1252")
    _, dataset = load(mailchimp_folder(tmp_path, text, delimiter={"email_sends": ";"}, encoding={"email_sends": "cp1252"},
                                       date_format={"email_sends": {"sent_at": "%d.%m.%Y"}}))
    assert dataset.tables["email_sends"]["sent_at"].tolist() == [pd.Timestamp("2017-02-24", tz="UTC"),
                                                                 pd.Timestamp("2017-03-07", tz="UTC")]
    assert dataset.tables["email_sends"]["campaign"].iloc[0] == "Spring offer \u2026 last call"


@pytest.mark.parametrize(("data", "message"), [
    ({"where": {"lead": [{"column": "x", "keep": ["y"]}]}}, r"unknown table 'lead'"),
    ({"where": {"leads": [{"column": "x"}]}}, r"needs exactly one of keep or leave_out"),
    ({"where": {"leads": [{"column": "x", "keep": ["y"], "drop": ["z"]}]}}, r"drop"),
    ({"encoding": {"leads": "macroman2"}}, r"unknown encoding 'macroman2'"),
    ({"delimiter": {"leads": ";;"}}, r"delimiter ';;' must be one character"),
    ({"date_format": {"deals": {"close_at": "%d.%m.%Y"}}}, r"'close_at' is not a date column of the deals table"),
    ({"date_format": {"deals": "dd.mm.yyyy"}}, r"'dd\.mm\.yyyy' is not a date format"),
    ({"dateformat": {"deals": "%d"}}, r"dateformat"),
])
def test_bad_export_keys_are_refused_naming_the_key(tmp_path: Path, data: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(client(tmp_path, data))


# --- 5. the newest of several exports ------------------------------------------------------------------------


def test_the_export_dated_latest_in_its_name_wins_whatever_the_modification_times(tmp_path: Path) -> None:
    """Three exports of one portal, copied so that the oldest has the newest modification time."""
    config = hubspot_folder(tmp_path, [deal("1", "Closed: won", "true", "1.0")])
    exports = tmp_path / "exports"
    (exports / "hubspot-crm-exports-all-contacts-2025-07-01.csv").unlink()
    dated = {"2025-05-16": [CONTACT], "2025-07-01": [CONTACT, {**CONTACT, "Record ID": "102"}],
             "2025-06-02": [{**CONTACT, "Record ID": "103"}]}
    for date, rows in dated.items():
        hubspot_file(HUBSPOT / "contacts_all_properties.header.csv", rows,
                     exports / f"hubspot-crm-exports-all-contacts-{date}.csv")
    for when, date in enumerate(["2025-07-01", "2025-06-02", "2025-05-16"]):  # the oldest export touched last
        os.utime(exports / f"hubspot-crm-exports-all-contacts-{date}.csv", (1_000 + when, 1_000 + when))
    _, dataset = load(config)
    assert dataset.tables["leads"]["lead_id"].tolist() == ["101", "102"]
    assert Finding("file_read", "leads", 3, {"file": "hubspot-crm-exports-all-contacts-2025-07-01.csv"}) \
        in dataset.findings
    _, findings = quality_tables(dataset, Translator("en"))
    assert "Leads was read from hubspot-crm-exports-all-contacts-2025-07-01.csv (the newest by the date in its name " \
           "of 3 matching exports)." in findings


def test_without_dates_in_the_names_the_latest_modified_wins_and_a_truncated_one_is_named(tmp_path: Path) -> None:
    config = hubspot_folder(tmp_path, [deal("1", "Closed: won", "true", "1.0")],
                            files={"leads": "contacts*.csv"})
    exports = tmp_path / "exports"
    many = [{**CONTACT, "Record ID": str(n), "Email": f"c{n}@example.com",
             "Original Traffic Source": "Organic Search", "Industry": "Manufacturing"} for n in range(300)]
    hubspot_file(HUBSPOT / "contacts_all_properties.header.csv", many, exports / "contacts.csv")
    full = (exports / "contacts.csv").read_bytes()
    (exports / "contacts (1).csv").write_bytes(full)
    header_and_one_row = full[:full.index(b"\n", full.index(b'"0"')) + 1]
    (exports / "contacts (2).csv").write_bytes(header_and_one_row)  # a download cut short
    for when, name in enumerate(["contacts (1).csv", "contacts.csv", "contacts (2).csv"]):
        os.utime(exports / name, (1_000 + when, 1_000 + when))
    _, dataset = load(config)
    assert Finding("file_read", "leads", 3, {"file": "contacts (2).csv"}) in dataset.findings  # the newest, though cut
    differs = [f for f in dataset.findings if f.code == "export_size_differs"]
    assert [f.params["other"] for f in differs] == ["contacts (1).csv", "contacts.csv"]


# --- 7. every missing column at once ---------------------------------------------------------------------------


def test_a_deals_view_export_without_amount_and_stage_names_both_and_says_to_export_again(tmp_path: Path) -> None:
    config = hubspot_folder(tmp_path, [])
    (tmp_path / "exports" / "hubspot-crm-exports-all-deals-2025-07-01.csv").write_text(
        '"Record ID","Deal Name","Create Date","Deal owner"\n"1","A","2025-06-10 10:00","Taro"\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"has no columns 'amount' \(the export's 'Amount'\), 'stage' \(the export's "
                                        r"'Deal Stage'\), which the deals table requires \(it has: Record ID, Deal "
                                        r"Name, Create Date, Deal owner\); add these columns to the export view and "
                                        r"export again"):
        load(config)
