"""The one declaration of every KPI: id, names, owner, direction, unit, formula text and function.

The KPI table, charts, JSON, e-mail and definitions appendix all read from ``CATALOG``;
adding a KPI is one entry here plus its function in ``formulas``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from retropack.kpis import formulas
from retropack.kpis.inputs import KpiInputs
from retropack.months import Month

__all__ = ["CATALOG", "KPI_IDS", "KPIS", "SEED_COMMITMENTS", "SEED_TARGETS", "Better", "KpiDefinition", "Owner", "Unit"]

Owner = Literal["marketing", "sales", "joint"]
Better = Literal["higher", "lower"]
Unit = Literal["count", "money", "rate", "money_per_day"]


@dataclass(frozen=True)
class KpiDefinition:
    id: str
    name_ja: str
    name_en: str
    owner: Owner
    better: Better
    unit: Unit
    formula_ja: str
    formula_en: str
    compute: Callable[[KpiInputs, Month], float | None]

    def name(self, locale: str) -> str:
        return self.name_ja if locale == "ja" else self.name_en

    def formula(self, locale: str) -> str:
        return self.formula_ja if locale == "ja" else self.formula_en


CATALOG: tuple[KpiDefinition, ...] = (
    KpiDefinition("new_leads", "新規リード数", "New leads", "marketing", "higher", "count",
                  "当月に作成されたリード数", "Leads created in the month",
                  formulas.new_leads),
    KpiDefinition("cpl", "リード獲得コスト（CPL）", "Cost per lead (CPL)", "marketing", "lower", "money",
                  "当月の費用合計 ÷ 新規リード数", "Spend of the month ÷ new leads",
                  formulas.cpl),
    KpiDefinition("mqls", "MQL数", "MQLs", "marketing", "higher", "count",
                  "当月に MQL となったリード数", "Leads that became MQL in the month",
                  formulas.mqls),
    KpiDefinition("email_open_rate", "メール開封率", "Email open rate", "marketing", "higher", "rate",
                  "当月配信のユニーク開封数 ÷ 到達数", "Unique opens ÷ delivered, sends of the month",
                  formulas.email_open_rate),
    KpiDefinition("email_ctr", "メールCTR", "Email CTR", "marketing", "higher", "rate",
                  "当月配信のユニーククリック数 ÷ 到達数", "Unique clicks ÷ delivered, sends of the month",
                  formulas.email_ctr),
    KpiDefinition("mql_to_sql_rate", "MQL→SQL転換率", "MQL→SQL rate", "joint", "higher", "rate",
                  "当月に SQL となった MQL 経由リード数 ÷ MQL数",
                  "Leads with an MQL date that became SQL in the month ÷ MQLs",
                  formulas.mql_to_sql_rate),
    KpiDefinition("sqls", "SQL数", "SQLs", "sales", "higher", "count",
                  "当月に SQL となったリード数", "Leads that became SQL in the month",
                  formulas.sqls),
    KpiDefinition("opportunity_rate", "商談化率", "Opportunity rate", "sales", "higher", "rate",
                  "当月作成の商談のうち SQL 済みリードの数 (重複なし) ÷ SQL数",
                  "Distinct SQL leads with a deal created in the month ÷ SQLs",
                  formulas.opportunity_rate),
    KpiDefinition("ma_pipeline_amount", "MA起点の商談金額", "MA-sourced pipeline", "joint", "higher", "money",
                  "当月作成の MA 起点商談の金額合計", "Amount of MA-sourced deals created in the month",
                  formulas.ma_pipeline_amount),
    KpiDefinition("ma_won_amount", "MA起点の受注金額", "MA-sourced won revenue", "sales", "higher", "money",
                  "当月受注の MA 起点商談の金額合計", "Amount of MA-sourced deals won in the month",
                  formulas.ma_won_amount),
    KpiDefinition("unsubscribe_rate", "配信停止率", "Unsubscribe rate", "marketing", "lower", "rate",
                  "当月配信の配信停止数 ÷ 到達数", "Unsubscribes ÷ delivered, sends of the month",
                  formulas.unsubscribe_rate),
    KpiDefinition("sla_followup_rate", "MQLフォロー SLA遵守率", "MQL follow-up SLA rate", "sales", "higher", "rate",
                  "当月 MQL のうち SLA 日数以内に営業が初回フォローした割合",
                  "Share of the month's MQLs first followed up by sales within the SLA days",
                  formulas.sla_followup_rate),
    KpiDefinition("roi", "ROI", "ROI", "joint", "higher", "rate",
                  "(MA起点の受注金額 × 粗利率 − 当月費用) ÷ 当月費用",
                  "(MA-sourced won revenue × gross margin − spend) ÷ spend",
                  formulas.roi),
    KpiDefinition("cac", "CAC", "CAC", "joint", "lower", "money",
                  "当月費用 ÷ 当月受注の MA 起点商談数", "Spend ÷ MA-sourced deals won in the month",
                  formulas.cac),
    KpiDefinition("ltv", "LTV", "LTV", "joint", "higher", "money",
                  "直近12ヶ月の MA 起点受注の平均金額 × 粗利率 × 継続倍率",
                  "Mean MA-sourced won amount over 12 months × gross margin × lifetime multiplier",
                  formulas.ltv),
    KpiDefinition("pipeline_velocity", "パイプライン速度（日次）", "Pipeline velocity (per day)", "sales", "higher",
                  "money_per_day",
                  "月末時点の MA 起点オープン商談数 × 平均受注金額 × 勝率 ÷ 平均商談日数 (直近12ヶ月)",
                  "MA-sourced open deals at month end × mean won amount × win rate ÷ mean cycle days (12 months)",
                  formulas.pipeline_velocity),
)

KPIS: dict[str, KpiDefinition] = {kpi.id: kpi for kpi in CATALOG}
KPI_IDS: tuple[str, ...] = tuple(KPIS)

# The seed's KPI dashboard example targets: where a new program starts.
SEED_TARGETS: dict[str, float] = {
    "new_leads": 200,
    "cpl": 5000,
    "mqls": 50,
    "email_open_rate": 0.25,
    "email_ctr": 0.03,
    "mql_to_sql_rate": 0.30,
    "sqls": 15,
    "ma_pipeline_amount": 5_000_000,
    "ma_won_amount": 1_500_000,
    "unsubscribe_rate": 0.005,
    "sla_followup_rate": 0.90,
}
# What the seed holds as a commitment rather than an example: nearly every MQL followed up within the SLA. Without a
# target set, a value far below it is still no "no problem" (contract §3, §10).
SEED_COMMITMENTS: dict[str, float] = {"sla_followup_rate": 0.90}
