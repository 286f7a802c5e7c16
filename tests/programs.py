"""Small MA programs for the diagnosis tests: one healthy, and one variant per failure pattern.

The healthy program runs January to June 2025 (June is program month 6: 成長期, and a scoring-review
month). Every month, in numbers a reader can check:
- 100 new leads scored 1..100, created on days 1–10; scores 61+ become MQL two days later (40),
  are touched by sales the next day, and scores 81+ become SQL two days after that (20);
- scores 89+ get a deal the day after (12: opportunity rate 60 %), closed five days later:
  95+ won (6), 92–94 lost (3), 89–91 still open (3), ¥1,000,000 each; spend ¥400,000;
- three live scenarios (the third launched in March) send 10 times a month, each month with a new
  piece (100 delivered, 30 opens, 4 clicks), plus one newsletter (1,000 delivered, 250 opens,
  30 clicks, 2 unsubscribes);
- the calendar plans 2 blogs and 1 newsletter a month (the cadence), all published, July planned;
- the team meets the source article's hours, with a full-time MA admin (50–200 employees).

The variants change one thing each, from May (months 5 and 6), so the run of months is visible.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from retropack.config import Config, load_config
from retropack.flow.steps import load
from retropack.load import Dataset

MONTH = "2025-06"
MONTHS = range(1, 7)
LATE = (5, 6)  # the months a variant spoils
SCENARIOS = (("SC01", "資料DL後フォロー", 1), ("SC02", "ウェビナー参加者育成", 1), ("SC03", "休眠掘り起こし", 3))


def _at(month: int, day: int, hour: int = 10) -> pd.Timestamp:
    return pd.Timestamp(2025, month, day, hour)


def _iso(moment: pd.Timestamp | None) -> str:
    return "" if moment is None else moment.isoformat()


def _leads() -> pd.DataFrame:
    rows = []
    for m in MONTHS:
        for i in range(100):
            score = i + 1
            created = _at(m, 1 + i % 10)
            mql = created + pd.Timedelta(days=2) if score >= 61 else None
            touch = mql + pd.Timedelta(days=1) if mql is not None else None
            sql = touch + pd.Timedelta(days=2) if score >= 81 else None
            rows.append({
                "lead_id": f"L{m}{i:03d}", "created_at": _iso(created), "source": ("web", "event", "partner")[i % 3],
                "segment": ("smb", "mid_market", "enterprise")[i % 3], "email": f"p{m}-{i}@example.co.jp",
                "company": f"検証{m}-{i}株式会社", "score": score, "mql_at": _iso(mql), "sql_at": _iso(sql),
                "first_sales_touch_at": _iso(touch), "last_activity_at": _iso(sql or touch or created),
                "owner": ("佐藤 健太", "鈴木 一郎")[i % 2] if mql is not None else "",
            })
    return pd.DataFrame(rows)


def _deals() -> pd.DataFrame:
    rows = []
    for m in MONTHS:
        for score in range(89, 101):
            created = _at(m, 1 + (score - 1) % 10) + pd.Timedelta(days=6)
            stage = "won" if score >= 95 else "lost" if score >= 92 else "open"
            rows.append({"deal_id": f"D{m}{score}", "created_at": _iso(created), "amount": 1_000_000, "stage": stage,
                         "closed_at": _iso(created + pd.Timedelta(days=5)) if stage != "open" else "",
                         "lead_id": f"L{m}{score - 1:03d}", "ma_sourced": ""})
    return pd.DataFrame(rows)


def _sends() -> pd.DataFrame:
    rows = []
    for m in MONTHS:
        for sid, name, launched in SCENARIOS:
            if m < launched:
                continue
            for day in range(1, 11):
                rows.append({"send_id": f"E{sid}{m}{day:02d}", "sent_at": _iso(_at(m, day, 9)),
                             "campaign": f"{name} step1", "scenario": sid, "sent": 105, "delivered": 100,
                             "unique_opens": 30, "unique_clicks": 4, "unsubscribes": 0, "bounces": 5,
                             "content_id": f"CT-{sid}-{m}"})
        rows.append({"send_id": f"ENL{m}", "sent_at": _iso(_at(m, 12)), "campaign": f"メルマガ {m}月", "scenario": "",
                     "sent": 1020, "delivered": 1000, "unique_opens": 250, "unique_clicks": 30, "unsubscribes": 2,
                     "bounces": 20, "content_id": f"NL-{m}"})
    return pd.DataFrame(rows)


def _calendar() -> pd.DataFrame:
    rows = []
    for m in (*MONTHS, 7):
        for content_id, kind, day in ((f"B{m}a", "blog", 5), (f"B{m}b", "blog", 15), (f"NL-{m}", "newsletter", 12)):
            rows.append({"content_id": content_id, "title": f"{kind} {m}-{day}", "type": kind,
                         "planned_date": f"2025-{m:02d}-{day:02d}",
                         "published_at": _iso(_at(m, day)) if m <= 6 else "", "scenario": "", "owner": "山本 彩"})
    return pd.DataFrame(rows)


def _scenarios() -> pd.DataFrame:
    return pd.DataFrame([{"scenario_id": sid, "name": name, "status": "live", "launch_date": f"2025-{launched:02d}-01",
                          "owner": "山本 彩"} for sid, name, launched in SCENARIOS])


HEALTHY_TEAM = {
    "company_size": "50-200",
    "roles": {"ma_admin": {"people": 1, "weekly_hours": 18, "dedicated": True},
              "content": {"people": 1, "weekly_hours": 12}, "analyst": {"people": 0.5, "weekly_hours": 6},
              "sales_liaison": {"people": 1, "weekly_hours": 4}},
}


@dataclass
class Program:
    tables: dict[str, pd.DataFrame]
    config: dict = field(default_factory=dict)

    def write(self, folder: Path) -> Path:
        """The program as a client would hand it over: CSV files and a YAML config; returns the config."""
        data = folder / "data"
        data.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables.items():
            frame.to_csv(data / f"{name}.csv", index=False)
        config = folder / "program.yaml"
        config.write_text(yaml.safe_dump(self.config, allow_unicode=True), encoding="utf-8")
        return config

    def load(self, folder: Path) -> tuple[Config, Dataset]:
        config = load_config(self.write(folder))
        return config, load(config.settings)


def healthy() -> Program:
    return Program(
        tables={"leads": _leads(), "email_sends": _sends(), "deals": _deals(),
                "spend": pd.DataFrame({"month": [f"2025-{m:02d}" for m in MONTHS], "channel": "tools",
                                       "amount": 400_000}),
                "content_calendar": _calendar(), "scenarios": _scenarios()},
        config={
            "client": "fixture", "program": {"name": "検証プログラム", "start_month": "2025-01", "locale": "ja"},
            "data": {"path": "data"},
            "targets": {"default": {"new_leads": 100, "mqls": 40, "opportunity_rate": 0.5, "sla_followup_rate": 0.85}},
            "content": {"cadence": {"blog": 2, "newsletter": 1}},
            "team": copy.deepcopy(HEALTHY_TEAM),
        },
    )


def _late(frame: pd.DataFrame, column: str) -> pd.Series:
    """Rows whose ``column`` falls in the spoilt months."""
    return pd.to_datetime(frame[column]).dt.month.isin(LATE)


def without_goals(program: Program) -> Program:
    """Pattern 1: this phase's focus KPIs have no target, and spend is not recorded (no CPL, ROI, CAC)."""
    program.config["targets"]["growth"] = {"mqls": None, "mql_to_sql_rate": None}
    del program.tables["spend"]
    return program


def stretched(program: Program) -> Program:
    """Pattern 2: one part-timer gives MA six hours a week; May's and June's second blogs never came out."""
    program.config["team"]["roles"] = {"ma_admin": {"people": 1, "weekly_hours": 4},
                                       "content": {"people": 0.5, "weekly_hours": 2}}
    calendar = program.tables["content_calendar"]
    calendar.loc[calendar["content_id"].isin(["B5b", "B6b"]), "published_at"] = ""
    return program


def unaligned(program: Program) -> Program:
    """Pattern 3: sales stopped touching MQLs in May."""
    leads = program.tables["leads"]
    leads.loc[_late(leads, "created_at"), "first_sales_touch_at"] = ""
    return program


def starved(program: Program) -> Program:
    """Pattern 4: scenario SC02 ran out of content and has sent nothing since May."""
    sends = program.tables["email_sends"]
    program.tables["email_sends"] = sends[~((sends["scenario"] == "SC02") & _late(sends, "sent_at"))]
    return program


def dirty(program: Program) -> Program:
    """Pattern 5: from May, one new lead in ten re-uses a January lead's e-mail and one in five has no segment."""
    leads = program.tables["leads"]
    late = _late(leads, "created_at")
    number = leads["lead_id"].str[-3:].astype(int)
    leads.loc[late & (number % 10 == 0), "email"] = leads.loc[late & (number % 10 == 0), "lead_id"].map(
        lambda lead: f"p1-{int(lead[-3:])}@example.co.jp")
    leads.loc[late & (number % 5 == 1), "segment"] = ""
    return program


VARIANTS: dict[str, Callable[[Program], Program]] = {
    "tool_as_goal": without_goals,
    "stretched_team": stretched,
    "sales_alignment": unaligned,
    "content_shortage": starved,
    "data_quality": dirty,
}


def struggling() -> Program:
    """All five failure patterns at once."""
    program = healthy()
    for spoil in VARIANTS.values():
        program = spoil(program)
    return program
