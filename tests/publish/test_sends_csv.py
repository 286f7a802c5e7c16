"""A month of many sends: the page and the slide show the largest (in date order) and say the rest are in the CSV;
``sends.csv`` beside the pack holds every one, formula-like names escaped."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from retropack.insights.sends import SendLine, SendReport
from retropack.present.messages import Translator
from retropack.present.sends import PAGE_ROWS, SLIDE_ROWS, sends_view
from retropack.publish.sends_csv import write_sends

SENDS = 1000


def _line(i: int, kind: str = "blast") -> SendLine:
    day = date(2026, 10, 1 + i % 31)
    delivered = float((i * 37) % 1000 + 1)  # every size once: 1 … 1000
    return SendLine(kind, f"=mail {i}" if i == 7 else f"mail {i}", day, day, 1, delivered,
                    {"email_open_rate": 0.2, "email_ctr": 0.03, "unsubscribe_rate": None}, frozenset())


def report() -> SendReport:
    lines = tuple(sorted((_line(i) for i in range(SENDS)), key=lambda line: (line.first, line.name)))
    total = SendLine("total", "", date(2026, 10, 1), date(2026, 10, 31), SENDS, sum(x.delivered for x in lines),
                     {"email_open_rate": 0.2, "email_ctr": 0.03, "unsubscribe_rate": 0.001}, frozenset())
    return SendReport(lines, total, {}, {})


def test_a_thousand_sends_show_the_largest_in_date_order_and_name_the_csv() -> None:
    tr = Translator("ja")
    view = sends_view(report(), "2026年10月", tr)
    for table, shown in ((view.table, PAGE_ROWS), (view.slide, SLIDE_ROWS)):
        rows = table.rows[:-1]
        assert len(rows) == shown and table.rows[-1][1] == "当月合計"
        delivered = sorted((float(row[4].replace(",", "")) for row in rows), reverse=True)
        assert delivered == [float(1000 - k) for k in range(shown)]  # the largest, hand-counted: 1000, 999, …
        days = [int(row[0].split("/")[1]) for row in rows]  # "10/2"
        assert days == sorted(days)  # by date
        assert table.note == (f"到達数の多い順に表示しています(全1,000件のうちほか{SENDS - shown:,}件)。"
                              "全件は資料と同じフォルダの配信一覧(CSV)にあります。")


def test_a_short_month_shows_every_send_without_a_note() -> None:
    short = report()
    short = SendReport(short.lines[:5], short.total, {}, {})
    view = sends_view(short, "2026年10月", Translator("en"))
    assert len(view.table.rows) == 6 and view.table.note == "" and view.slide.note == ""


def test_the_csv_holds_every_send_and_the_total(tmp_path: Path) -> None:
    path = write_sends(report(), tmp_path)
    assert path == tmp_path / "sends.csv"
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == SENDS + 1 and rows[-1]["kind"] == "total"
    assert {row["name"] for row in rows if row["name"].endswith("mail 7")} == {"'=mail 7"}  # escaped as in rejects/
    assert sum(float(row["delivered"]) for row in rows[:-1]) == float(rows[-1]["delivered"])
    assert rows[0]["unsubscribe_rate"] == "" and rows[-1]["unsubscribe_rate"] == "0.001000"


def test_a_month_without_sends_writes_no_csv(tmp_path: Path) -> None:
    assert write_sends(SendReport((), None, {}, {}), tmp_path) is None and not (tmp_path / "sends.csv").exists()
