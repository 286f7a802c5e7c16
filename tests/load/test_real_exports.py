"""Real exports read right (issue 22, contract §1 and §7.1): files shaped exactly like HubSpot's deals and contacts
exports and Mailchimp's campaign reports (their real header lines, their quoting, labels and encodings; the rows
are made up)."""

from __future__ import annotations

from pathlib import Path

from retropack.load.dataset import Finding
from retropack.present.messages import Translator
from retropack.present.tables import quality_tables
from tests.load.test_exports import HUBSPOT, SENDS_HEADER, client, hubspot_file, load

CONTACT = {"Record ID": "101", "Create Date": "2025-06-02 10:15", "Email": "a@example.com"}


def deal(record: str, stage: str, closed: str, probability: str, *, amount: str = "1000",
         created: str = "2025-06-10 10:00", close: str = "2025-06-20 10:00") -> dict[str, str]:
    return {"Record ID": record, "Deal Name": f"Deal {record}", "Create Date": created, "Amount": amount,
            "Deal Stage": stage, "Close Date": close, "Is Deal Closed?": closed, "Deal probability": probability,
            "Pipeline": "Sales Pipeline", "Associated Contact": "101"}


def hubspot_folder(tmp_path: Path, deals: list[dict[str, str]], **data: object) -> Path:
    """A folder with HubSpot's full deals and contacts exports (real header lines) and an empty send table."""
    exports = tmp_path / "exports"
    exports.mkdir(exist_ok=True)
    hubspot_file(HUBSPOT / "contacts_all_properties.header.csv", [CONTACT],
                 exports / "hubspot-crm-exports-all-contacts-2025-07-01.csv")
    hubspot_file(HUBSPOT / "deals_all_properties.header.csv", deals,
                 exports / "hubspot-crm-exports-all-deals-2025-07-01.csv")
    (exports / "email_sends.csv").write_text(SENDS_HEADER, encoding="utf-8")
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
