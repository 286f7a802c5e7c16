"""The story line worded: one cause behind several KPIs, in one paragraph each.

「展示会・イベント」: 費用 38.1万円 → 0円、新規リード 59 → 13。これによりCPL・ROI・CACが改善し、新規リード数が
減少しました。9月の「展示会・イベント」への支出は単発です(直近12ヶ月のうち3ヶ月のみ)。…
"""

from __future__ import annotations

from retropack.insights.story import Movement, Story
from retropack.kpis.catalog import KPIS
from retropack.present.formatting import format_amount, format_value, month_label
from retropack.present.messages import Translator, catalogue

__all__ = ["story_line"]


def _value(move: Movement, tr: Translator, currency: str) -> tuple[str, str]:
    if move.measure in ("spend", "won_amount", "ma_pipeline_amount", "ma_won_amount"):
        return format_amount(move.before, tr.locale, currency), format_amount(move.now, tr.locale, currency)
    unit = KPIS[move.measure].unit if move.measure in KPIS else "count"
    unit = "count" if unit not in ("rate", "count") else unit
    return format_value(move.before, unit, tr.locale), format_value(move.now, unit, tr.locale)


def _measure(move: Movement, tr: Translator) -> str:
    key = f"story.measure.{move.measure}"
    return tr(key) if key in catalogue() else tr(f"factor.{move.measure}")


def _effect(story: Story, tr: Translator) -> str:
    """What the cause did to each KPI: a count rose or fell (増加/減少); a rate or an amount improved or
    worsened (改善/悪化), its direction being judged against the KPI's better side."""
    moved: dict[str, list[str]] = {"better": [], "worse": [], "rose": [], "fell": []}
    for kpi_id in story.kpis:
        better = kpi_id in story.better
        kpi = KPIS.get(kpi_id)
        if kpi is not None and kpi.unit == "count":
            moved["rose" if better == (kpi.better == "higher") else "fell"].append(kpi_id)
        else:
            moved["better" if better else "worse"].append(kpi_id)
    clauses = [tr(f"story.clause.{way}", names=tr.listing([tr.mid_sentence(tr.kpi_name(k)) for k in ids]))
               for way, ids in moved.items() if ids]
    return tr("story.effect", clauses=tr("story.clause_sep").join(clauses)) if clauses else ""


def story_line(story: Story, tr: Translator, currency: str) -> str:
    first = story.movements[0]
    group = tr.group(first.dimension, first.group)
    moves = tr("list.sep").join(tr("story.movement", measure=_measure(m, tr), before=_value(m, tr, currency)[0],
                                   now=_value(m, tr, currency)[1]) for m in story.movements)
    effect = _effect(story, tr)
    one_off = ""
    spent = story.one_off
    if spent is not None and spent.previous is not None:
        one_off = tr("story.recurring", month=month_label(str(spent.month), tr.locale),
                     group=tr.group(spent.dimension, spent.group), active=spent.months_active,
                     amount=format_amount(spent.amount, tr.locale, currency),
                     previous=month_label(str(spent.previous), tr.locale),
                     previous_amount=format_amount(spent.previous_amount or 0.0, tr.locale, currency),
                     gap=spent.month.index - spent.previous.index)
    elif spent is not None:
        one_off = tr("story.one_off", month=month_label(str(spent.month), tr.locale),
                     group=tr.group(spent.dimension, spent.group), active=spent.months_active)
    return tr.sentence_start(tr("story.line", group=group, movements=moves, effect=effect, one_off=one_off))
