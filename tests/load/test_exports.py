"""A tool's export read as it is (contract §7.1): the public CRM dataset with its own headers and
values, HubSpot's contacts and deals exports (real header lines, English and Japanese), Salesforce
report exports with their footer, and errors that name the export's header and the mapping key."""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from retropack.config import load_config
from retropack.errors import ConfigError, DataError
from retropack.flow import steps
from retropack.kpis import formulas
from retropack.kpis.inputs import KpiParams, build_inputs
from retropack.months import Month
from tests.conftest import ROOT

CRM = ROOT / "tests" / "data" / "crm" / "sales_pipeline.csv"
HUBSPOT = ROOT / "tests" / "data" / "hubspot"
LEADS_HEADER = "lead_id,created_at\n"
LEADS_OLD = LEADS_HEADER + "L0,2015-01-05\n"  # likewise one lead long before
SENDS_HEADER = "send_id,sent_at,delivered,unique_opens,unique_clicks,unsubscribes\n"
SENDS_OLD = SENDS_HEADER + "S0,2015-01-05,0,0,0,0\n"  # a required table has rows: one send long before the months read


def client(folder: Path, data: dict, **settings: object) -> Path:
    """A client config beside its dataset folder ``exports/``; returns the config's path."""
    config = {"client": "export-test", "program": {"name": "Export test", "start_month": "2016-10",
                                                    "timezone": "UTC", "currency": "USD", "locale": "en"},
              "data": {"path": "exports", **data}, **settings}
    path = folder / "client.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def load(config: Path):
    loaded = load_config(config)
    return loaded, steps.load(loaded.settings)


# --- the public CRM dataset, untouched -------------------------------------------------------------------

CRM_MAPPING = {
    "files": {"deals": "sales_pipeline.csv"},
    "columns": {"deals": {"opportunity_id": "deal_id", "engage_date": "created_at", "close_value": "amount",
                          "deal_stage": "stage", "close_date": "closed_at", "sales_agent": "owner"}},
    "values": {"deals": {"stage": {"Won": "won", "Lost": "lost", "*": "open"}}},
    "defaults": {"deals": {"ma_sourced": "true"}},  # every opportunity of this CRM counts as the program's
}


@pytest.fixture(scope="module")
def crm(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("crm")
    (folder / "exports").mkdir()
    shutil.copy(CRM, folder / "exports" / "sales_pipeline.csv")
    (folder / "exports" / "leads.csv").write_text(LEADS_OLD, encoding="utf-8")
    (folder / "exports" / "email_sends.csv").write_text(SENDS_OLD, encoding="utf-8")
    config = client(folder, CRM_MAPPING, data_quality={"max_reject_share": 0.06})
    return folder, *load(config)


def test_the_crm_export_is_read_untouched(crm) -> None:
    folder, _, dataset = crm
    assert (folder / "exports" / "sales_pipeline.csv").read_bytes() == CRM.read_bytes()
    deals = dataset.tables["deals"]
    assert len(deals) == 8_300 and deals["stage"].value_counts().to_dict() == {"won": 4238, "lost": 2473,
                                                                                "open": 1589}  # Engaging; Prospecting has no date
    assert deals["ma_sourced"].all()


def test_its_undated_rows_are_rejected_whole_under_their_own_headers(crm) -> None:
    _, _, dataset = crm
    quality = dataset.quality["deals"]
    assert (quality.rows_read, quality.rejected, dict(quality.reasons)) == (8_800, 500, {"missing_value": 500})
    rejects = quality.rejects
    assert list(rejects.columns) == ["row", "opportunity_id", "sales_agent", "product", "account", "deal_stage",
                                     "engage_date", "close_date", "close_value", "reason"]
    assert set(rejects["deal_stage"]) == {"Prospecting"} and set(rejects["engage_date"]) == {""}
    assert rejects["reason"].iloc[0] == ("missing_value: column 'created_at' (the export's 'engage_date') is "
                                         "empty, but every row needs a value.")
    raw = pd.read_csv(CRM, dtype=str, keep_default_na=False)
    first = int(rejects["row"].iloc[0])
    assert raw.iloc[first - 2]["opportunity_id"] == rejects["opportunity_id"].iloc[0]  # row numbers point at the file


@pytest.mark.parametrize("month", ["2017-06", "2017-12"])
def test_kpis_from_the_crm_export_match_a_hand_computation(crm, month: str) -> None:
    _, config, dataset = crm
    raw = pd.read_csv(CRM, dtype=str, keep_default_na=False)
    value = pd.to_numeric(raw["close_value"], errors="coerce").fillna(0)
    won = raw["deal_stage"].eq("Won")
    in_month = raw["close_date"].str.startswith(month)
    engaged = raw["engage_date"].str.startswith(month)
    inputs = build_inputs(dataset, KpiParams())
    m = Month.parse(month)
    assert formulas.ma_won_amount(inputs, m) == value[won & in_month].sum()
    assert formulas.ma_pipeline_amount(inputs, m) == value[engaged].sum()
    last12 = raw["close_date"].str[:7].between(str(m.shift(-11)), month)
    assert formulas.ltv(inputs, m) == pytest.approx(value[won & last12].mean())
    assert formulas.cac(inputs, m) is None  # no spend table: unknown, not zero


def test_a_whole_pack_is_written_from_the_crm_export(crm, tmp_path: Path) -> None:
    _, config, dataset = crm
    analysis = steps.compute(dataset, config, Month.parse("2017-06"))
    view = steps.view(analysis, dataset, config, "test", steps.now_in(config.settings))
    files = steps.render_and_publish(view, analysis, dataset, config.settings, tmp_path, "test",
                                     steps.now_in(config.settings)).files
    rejects = pd.read_csv(files.folder / "rejects" / "deals.csv", dtype=str, keep_default_na=False,
                          encoding="utf-8-sig")
    assert len(rejects) == 500 and "engage_date" in rejects.columns
    assert files.pdf.stat().st_size > 50_000 and files.pptx.exists()


# --- HubSpot's exports -----------------------------------------------------------------------------------


def hubspot_file(header_file: Path, rows: list[dict[str, str]], path: Path) -> None:
    """A file shaped like HubSpot's export: the real header line as exported, rows quoted as HubSpot quotes."""
    raw = header_file.read_bytes()
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    path.write_bytes(raw + out.getvalue().encode("utf-8"))


MQL = 'Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"'
SQL = 'Date entered "Sales Qualified Lead (Lifecycle Stage Pipeline)"'
CONTACTS = [  # four contacts of June 2025; two become MQL in June, one of them SQL
    {"Record ID": "101", "Email": "a@example.jp", "Create Date": "2025-06-02 10:15", "Industry": "製造",
     "Original Traffic Source": "Organic Search", "HubSpot Score": "72", "Contact owner": "佐藤 健太",
     MQL: "2025-06-05 09:00", SQL: "2025-06-09 11:30", "Company Name": "株式会社A"},
    {"Record ID": "102", "Email": "b@example.jp", "Create Date": "2025-06-03 08:00", "Industry": "IT",
     "Original Traffic Source": "Paid Search", "HubSpot Score": "55", MQL: "2025-06-20 16:40"},
    {"Record ID": "103", "Email": "c@example.jp", "Create Date": "2025-06-12 14:00", "Industry": "IT",
     "Original Traffic Source": "Referrals", "HubSpot Score": "12"},
    {"Record ID": "104", "Email": "d@example.jp", "Create Date": "2025-06-30 23:59", "Industry": "製造",
     "Original Traffic Source": "Organic Search", "HubSpot Score": "30"},
]
DEALS = [  # two June deals of MQL contacts (one won in June), one lost, one open with a forecast close date
    {"Record ID": "9001", "Deal Name": "A社 導入", "Create Date": "2025-06-10 10:00", "Amount": "1200000.0",
     "Deal Stage": "Closed won", "Close Date": "2025-06-27 18:00", "Deal owner": "佐藤 健太",
     "Associated Contact IDs": "101;103"},
    {"Record ID": "9002", "Deal Name": "B社 検討", "Create Date": "2025-06-21 10:00", "Amount": "800000",
     "Deal Stage": "Contract sent", "Close Date": "2025-06-28 00:00", "Deal owner": "鈴木 一郎",
     "Associated Contact IDs": "102"},
    {"Record ID": "9003", "Deal Name": "C社", "Create Date": "2025-06-15 10:00", "Amount": "300000",
     "Deal Stage": "Closed lost", "Close Date": "2025-06-25 12:00", "Associated Contact IDs": "103"},
]


@pytest.fixture()
def hubspot(tmp_path: Path) -> Path:
    exports = tmp_path / "exports"
    exports.mkdir()
    hubspot_file(HUBSPOT / "contacts_all_properties.header.csv", CONTACTS,
                 exports / "hubspot-crm-exports-all-contacts-2025-07-01.csv")
    hubspot_file(HUBSPOT / "deals_all_properties.header.csv", DEALS,
                 exports / "hubspot-crm-exports-all-deals-2025-07-01.csv")
    (exports / "email_sends.csv").write_text(SENDS_OLD, encoding="utf-8")
    return client(tmp_path, {"preset": "hubspot-export"},
                  program={"name": "HubSpot", "start_month": "2025-01", "currency": "JPY"})


def test_hubspot_exports_read_with_the_preset(hubspot: Path) -> None:
    config, dataset = load(hubspot)
    leads, deals = dataset.tables["leads"], dataset.tables["deals"]
    assert leads["lead_id"].tolist() == ["101", "102", "103", "104"]
    assert leads.loc[0, "created_at"] == pd.Timestamp("2025-06-02 10:15", tz="Asia/Tokyo")
    assert leads.loc[0, "source"] == "Organic Search" and leads.loc[0, "owner"] == "佐藤 健太"
    assert deals["stage"].tolist() == ["won", "open", "lost"]
    assert deals["lead_id"].tolist() == ["101", "102", "103"]  # the first of several associated contacts
    june = Month(2025, 6)
    inputs = build_inputs(dataset, KpiParams())
    assert (formulas.new_leads(inputs, june), formulas.mqls(inputs, june), formulas.sqls(inputs, june)) == (4, 2, 1)
    assert formulas.mql_to_sql_rate(inputs, june) == 0.5
    assert formulas.ma_won_amount(inputs, june) == 1_200_000  # 9001: lead 101 was an MQL before the deal
    assert formulas.ma_pipeline_amount(inputs, june) == 2_000_000  # 9001 + 9002; 9003's lead never became MQL
    assert formulas.pipeline_velocity(inputs, june) is not None  # 9002 stays open: its close date is a forecast


def test_the_newest_matching_export_is_the_one_read(hubspot: Path) -> None:
    exports = hubspot.parent / "exports"
    older = exports / "hubspot-crm-exports-all-contacts-2025-06-01.csv"
    hubspot_file(HUBSPOT / "contacts_all_properties.header.csv", CONTACTS[:1], older)
    os.utime(older, (1, 1))
    _, dataset = load(hubspot)
    assert len(dataset.tables["leads"]) == 4
    assert any(path.name.endswith("2025-07-01.csv") for path in dataset.files)


def test_japanese_headers_and_stages_read_with_the_same_preset(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "hubspot-crm-exports-all-contacts-2025-07-01.csv").write_text(
        '"レコードID","作成日","業種","コンタクト担当者"\n"101","2025-06-02 10:15","製造","佐藤 健太"\n', encoding="utf-8")
    (exports / "hubspot-crm-exports-all-deals-2025-07-01.csv").write_text(
        '"レコードID","作成日","金額","取引ステージ","クローズ日","取引担当者"\n'
        '"9001","2025-06-10 10:00","1200000","成約","2025-06-27 18:00","佐藤 健太"\n'
        '"9002","2025-06-11 10:00","500000","失注","2025-06-20 18:00","佐藤 健太"\n'
        '"9003","2025-06-12 10:00","","アポ設定済み","2025-09-30 00:00",""\n', encoding="utf-8-sig")
    (exports / "email_sends.csv").write_text(SENDS_OLD, encoding="utf-8")
    _, dataset = load(client(tmp_path, {"preset": "hubspot-export"}))
    assert dataset.tables["deals"]["stage"].tolist() == ["won", "lost", "open"]
    assert dataset.tables["leads"]["segment"].tolist() == ["製造"]


# --- Salesforce report exports ---------------------------------------------------------------------------

SF_FOOTER = ('\n"Leads by source"\n"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."\n'
             '"Confidential Information - Do Not Distribute"\n"Generated By:  Taro Yamada  7/1/2025 9:12 AM"\n'
             '"Example KK"\n')


def test_salesforce_reports_read_with_their_footer_dropped(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "report1751328000001.csv").write_text(
        '"Lead ID","Created Date","Lead Source","Industry","Lead Owner","Converted Date"\n'
        '"00Q1","6/2/2025","Web","Manufacturing","Taro Yamada","6/20/2025"\n'
        '"00Q2","6/30/2025","Trade Show","Retail","Taro Yamada",""\n' + SF_FOOTER, encoding="utf-8")
    (exports / "report1751328000002.csv").write_text(
        '"Opportunity ID","Opportunity Name","Stage","Amount","Created Date","Close Date","Opportunity Owner"\n'
        '"0061","A","Closed Won","$1,200,000","6/21/2025","6/28/2025","Taro Yamada"\n'
        '"0062","B","Negotiation/Review","$500,000","6/22/2025","7/31/2025","Taro Yamada"\n' + SF_FOOTER,
        encoding="utf-8")
    (exports / "email_sends.csv").write_text(SENDS_OLD, encoding="utf-8")
    config = client(tmp_path, {"preset": "salesforce-report",
                               "files": {"leads": "report1751328000001.csv", "deals": "report1751328000002.csv"}})
    _, dataset = load(config)
    assert dataset.quality["leads"].rows_read == 2 and dataset.quality["leads"].rejected == 0
    assert [f.count for f in dataset.findings if f.code == "footer_skipped"] == [5, 5]  # name … company
    deals = dataset.tables["deals"]
    assert deals["stage"].tolist() == ["won", "open"] and deals["amount"].tolist() == [1_200_000, 500_000]
    assert deals.loc[0, "created_at"] == pd.Timestamp("2025-06-21", tz="UTC")
    assert dataset.tables["leads"].loc[0, "sql_at"] == pd.Timestamp("2025-06-20", tz="UTC")


# --- errors that name the header and the key -----------------------------------------------------------


def crm_folder(tmp_path: Path) -> Path:
    (tmp_path / "exports").mkdir()
    shutil.copy(CRM, tmp_path / "exports" / "sales_pipeline.csv")
    (tmp_path / "exports" / "leads.csv").write_text(LEADS_OLD, encoding="utf-8")
    (tmp_path / "exports" / "email_sends.csv").write_text(SENDS_OLD, encoding="utf-8")
    return tmp_path


def test_a_mapped_header_missing_from_the_export_is_named(tmp_path: Path) -> None:
    data = {**CRM_MAPPING, "columns": {"deals": {**CRM_MAPPING["columns"]["deals"], "Deal Stage": "stage"}}}
    del data["columns"]["deals"]["deal_stage"]
    with pytest.raises(DataError, match=r"data\.columns\.deals: no column 'Deal Stage' in sales_pipeline\.csv; "
                                        r"its headers are opportunity_id, sales_agent, product, account, deal_stage"):
        load(client(crm_folder(tmp_path), data, data_quality={"max_reject_share": 0.06}))


def test_an_unmapped_stage_value_says_where_to_map_it(tmp_path: Path) -> None:
    data = {**CRM_MAPPING, "values": {"deals": {"stage": {"Won": "won", "Lost": "lost", "Prospecting": "open"}}}}
    _, dataset = load(client(crm_folder(tmp_path), data, data_quality={"max_reject_share": 1.0}))
    reasons = dataset.quality["deals"].rejects["reason"]
    assert reasons.str.contains("holds 'Engaging', which is not one of open, won, lost; map it to one of them "
                                "in data.values.deals.stage").any()


@pytest.mark.parametrize(("data", "message"), [
    ({"columns": {"deal": {"x": "deal_id"}}}, r"key 'data\.columns': unknown table 'deal' \(did you mean 'deals'\?\)"),
    ({"columns": {"deals": {"x": "deal_idd"}}}, r"'deal_idd' is not a column of the deals table \(did you mean 'deal_id'"),
    ({"preset": "hubspot"}, r"unknown preset 'hubspot' \(did you mean 'hubspot-export'\?\)"),
    ({"values": {"deals": {"stag": {"Won": "won"}}}}, r"values\.deals: 'stag' is not a column"),
    ({"date_order": "YMD"}, r"data\.date_order"),
])
def test_bad_mapping_keys_are_refused_at_config_time(tmp_path: Path, data: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(client(tmp_path, data))


def test_a_file_pattern_outside_the_dataset_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"data\.files\.deals: '\.\./secret\.csv' must be a file name or pattern"):
        load(client(crm_folder(tmp_path), {**CRM_MAPPING, "files": {"deals": "../secret.csv"}}))


def test_a_configured_file_that_is_not_there_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"data\.files\.deals: no file matching 'pipeline\.csv' in .*its files are "
                                        r"email_sends\.csv, leads\.csv, sales_pipeline\.csv"):
        load(client(crm_folder(tmp_path), {**CRM_MAPPING, "files": {"deals": "pipeline.csv"}}))
