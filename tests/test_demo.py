"""The demo generator: reproducible bytes, the shapes the pack relies on, and the bad rows it must reject."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from retropack.demo import generate
from tests.conftest import ROOT

REPO_DEMO = ROOT / "data" / "demo"
REQUIRED = ("leads", "email_sends", "deals")


def _read(folder: Path, table: str) -> pd.DataFrame:
    """A table as raw text, exactly as a loader would first see it."""
    encoding = {"content_calendar": "cp932", "deals": "utf-8-sig"}.get(table, "utf-8")
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False, encoding=encoding)


def _moments(text: pd.Series) -> pd.Series:
    """ISO-8601 text to UTC instants (naive = JST); NaT where empty or unreadable."""
    naive = text.str.len() == 19
    text = text.where(~naive, text + "+09:00").where(text != "")
    return pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)


def _unreadable(text: pd.Series) -> pd.Series:
    return (text != "") & _moments(text).isna()


def _number(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text.str.replace(r"[,¥円]", "", regex=True).where(text != ""), errors="coerce")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out)


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    generate(first, months=5, scale=0.3)
    generate(second, months=5, scale=0.3)
    names = sorted(path.name for path in first.iterdir())
    assert names == sorted(path.name for path in second.iterdir())
    assert all((first / name).read_bytes() == (second / name).read_bytes() for name in names)


def test_another_seed_gives_another_program(tmp_path: Path) -> None:
    generate(tmp_path / "a", months=4, scale=0.3, seed=1)
    generate(tmp_path / "b", months=4, scale=0.3, seed=2)
    assert (tmp_path / "a" / "leads.csv").read_bytes() != (tmp_path / "b" / "leads.csv").read_bytes()


def test_committed_demo_is_the_generators_default_output(demo: tuple[Path, dict[str, int]]) -> None:
    out, rows = demo
    for table in rows:
        assert (REPO_DEMO / f"{table}.csv").read_bytes() == (out / f"{table}.csv").read_bytes(), table


def test_row_counts_returned_match_the_files(demo: tuple[Path, dict[str, int]]) -> None:
    out, rows = demo
    assert set(rows) == {"leads", "email_sends", "deals", "spend", "content_calendar", "scenarios", "mql_feedback",
                         "action_log"}
    assert not (out / "email_events.csv").exists()
    for table, count in rows.items():
        assert len(_read(out, table)) == count


def test_content_calendar_is_cp932_with_japanese_titles(demo: tuple[Path, dict[str, int]]) -> None:
    raw = (demo[0] / "content_calendar.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp932")
    assert "ホワイトペーパー" in text and "メルマガ" in text


def test_leads_per_month_grow_and_vary_around_the_target(demo: tuple[Path, dict[str, int]]) -> None:
    leads = _read(demo[0], "leads")
    month = _moments(leads["created_at"]).dt.tz_convert("Asia/Tokyo").dt.strftime("%Y-%m")
    per_month = month.value_counts().sort_index()
    complete = per_month.loc["2025-06":"2026-10"]
    assert len(complete) == 17
    assert complete.between(130, 350).all()
    assert (complete < 180).any() and (complete > 220).any()
    assert complete.iloc[-6:].mean() > complete.iloc[:3].mean()


def test_timestamps_span_eighteen_months_in_three_styles(demo: tuple[Path, dict[str, int]]) -> None:
    created = _read(demo[0], "leads")["created_at"]
    local = _moments(created).dt.tz_convert("Asia/Tokyo")
    assert local.min().strftime("%Y-%m") == "2025-06" and local.max().strftime("%Y-%m") == "2026-11"
    assert local.dt.strftime("%Y-%m").nunique() == 18
    utc = created.str.endswith("Z")
    assert created.str.endswith("+09:00").any() and (created.str.len() == 19).any()
    # Some UTC stamps belong to the next month in JST: only honouring the offset places them right.
    assert (local[utc].dt.strftime("%Y-%m") != created[utc].str[:7]).any()


def test_required_tables_carry_each_kind_of_bad_row(demo: tuple[Path, dict[str, int]]) -> None:
    leads, sends, deals = (_read(demo[0], table) for table in REQUIRED)
    assert _unreadable(leads["created_at"]).sum() >= 2 and _unreadable(leads["mql_at"]).sum() >= 2
    assert (leads["score"].ne("") & _number(leads["score"]).isna()).sum() >= 2
    assert leads["lead_id"].duplicated().sum() >= 2

    assert _unreadable(sends["sent_at"]).sum() >= 2
    counts = sends[["delivered", "unique_opens", "unique_clicks", "unsubscribes"]].apply(_number)
    assert (counts < 0).any(axis=1).sum() >= 2
    assert (counts["unique_opens"] > counts["delivered"]).sum() >= 2
    assert counts["unique_clicks"].isna().sum() >= 2
    assert sends["send_id"].duplicated().sum() >= 2

    won = deals["stage"] == "won"
    assert _unreadable(deals["created_at"]).any()
    assert (_number(deals["amount"]) < 0).any()
    assert deals["stage"].eq("pending").any()
    assert (won & deals["closed_at"].eq("")).any() and (won & deals["amount"].eq("")).any()
    assert deals["deal_id"].duplicated().any()
    assert (~won & deals["amount"].eq("")).sum() >= 5  # early-stage deals without an amount are allowed


@pytest.mark.parametrize(("months", "scale"), [(18, 1.0), (4, 0.3)])
def test_bad_rows_stay_under_three_percent(tmp_path: Path, months: int, scale: float) -> None:
    generate(tmp_path, months=months, scale=scale)
    leads, sends, deals = (_read(tmp_path, table) for table in REQUIRED)
    counts = sends[["delivered", "unique_opens", "unique_clicks", "unsubscribes"]].apply(_number)
    bad = {
        "leads": _unreadable(leads["created_at"]) | _unreadable(leads["mql_at"])
        | (leads["score"].ne("") & _number(leads["score"]).isna()) | leads["lead_id"].duplicated(),
        "email_sends": _unreadable(sends["sent_at"]) | counts.isna().any(axis=1) | (counts < 0).any(axis=1)
        | (counts["unique_opens"] > counts["delivered"]) | sends["send_id"].duplicated(),
        "deals": _unreadable(deals["created_at"]) | (_number(deals["amount"]) < 0)
        | ~deals["stage"].isin(["open", "won", "lost"]) | deals["deal_id"].duplicated()
        | (deals["stage"].eq("won") & (deals["closed_at"].eq("") | deals["amount"].eq(""))),
    }
    for table, rows in bad.items():
        assert rows.mean() < 0.03, table


def test_funnel_and_program_shape(demo: tuple[Path, dict[str, int]]) -> None:
    leads = _read(demo[0], "leads")
    mql, sql = leads["mql_at"].ne(""), leads["sql_at"].ne("")
    assert 0.18 < mql.mean() < 0.32
    assert 0.2 < (sql & mql).sum() / mql.sum() < 0.4
    assert 0 < (sql & ~mql).sum() < 0.1 * sql.sum()
    assert (mql & leads["first_sales_touch_at"].eq("")).any()
    for column in ("source", "segment", "email"):
        assert leads[column].eq("").any()

    scenarios = _read(demo[0], "scenarios")
    assert set(scenarios["status"]) == {"planned", "live", "paused", "retired"}
    assert scenarios.loc[scenarios["status"] == "planned", "launch_date"].str.startswith("2026-12").any()

    calendar = _read(demo[0], "content_calendar")
    assert calendar["planned_date"].str.startswith("2026-12").any()
    assert calendar["published_at"].eq("").any()


def test_sales_feedback_judges_octobers_mqls_that_sales_contacted(demo: tuple[Path, dict[str, int]]) -> None:
    feedback, leads = _read(demo[0], "mql_feedback"), _read(demo[0], "leads")
    assert len(feedback) == 8 and set(feedback["month"]) == {"2026-10"}
    judged = leads.drop_duplicates("lead_id").set_index("lead_id").loc[feedback["lead_id"]]
    assert _moments(judged["mql_at"]).dt.tz_convert("Asia/Tokyo").dt.strftime("%Y-%m").eq("2026-10").all()
    assert judged["first_sales_touch_at"].ne("").all()
    became_sql = judged["sql_at"].ne("").to_numpy()
    assert (feedback["verdict"].to_numpy() == ["good" if sql else "bad" for sql in became_sql]).all()
    assert {"good", "bad"} == set(feedback["verdict"]) and feedback["reason"].ne("").all()
