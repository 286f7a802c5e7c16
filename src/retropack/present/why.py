"""The causes of a KPI's change in words: which group moved, whether its share (the mix) or its own rate
moved, how much of the change it carries; small samples named as such; factors of ratios with their own
largest moving group."""

from __future__ import annotations

from retropack.insights.why import Cause, Drivers, Why
from retropack.kpis.catalog import KpiDefinition
from retropack.present.formatting import format_change, format_value
from retropack.present.messages import Translator

__all__ = ["FACTOR_UNITS", "cause_line", "caveat_line", "driver_lines", "group_who", "mostly_line", "part_label"]

# The unit each factor of a ratio is shown in.
FACTOR_UNITS = {"spend": "money", "new_leads": "count", "won_deals": "count", "won_amount": "money",
                "won_amount_12m": "money", "won_deals_12m": "count", "open_deals": "count",
                "mean_won_amount": "money", "win_rate": "rate", "cycle_days": "days", "sqls_from_mqls": "count",
                "mqls": "count", "opportunity_leads": "count", "sqls": "count"}
_BASE = {"sla_followup_rate": "sla"}  # what a rate's denominator is made of: e-mails, or MQLs


def group_who(dimension: str, group: str | None, tr: Translator) -> str:
    """The group with its dimension (セグメント「大企業」); the rows without a value by what they are, alone
    (「シナリオ外の配信(メルマガ等)」)."""
    name = tr.group(dimension, group)
    if group is None:
        return tr("why.who_unset", group=name)
    return tr("why.who", dimension=tr(f"dimension.{dimension}"), group=name)


def _who(cause: Cause, tr: Translator) -> str:
    assert cause.part is not None and cause.dimension is not None
    return group_who(cause.dimension, cause.part.group, tr)


def _value(value: float | None, unit: str, tr: Translator, currency: str) -> str:
    if unit == "days":
        return tr("unit.days", value=f"{value:,.1f}") if value is not None else format_value(None, "count", tr.locale)
    return format_value(value, unit, tr.locale, currency)


def _share(value: float, total: float) -> float | None:
    return value / total if total else None


def part_label(cause: Cause, tr: Translator) -> str:
    """A part's short name, for a waterfall bar."""
    if cause.moved == "mean":
        return tr("why.mean.label")
    if cause.moved == "factor":
        assert cause.factor is not None
        return tr(f"factor.{cause.factor.name}")
    assert cause.part is not None and cause.dimension is not None
    return tr.group(cause.dimension, cause.part.group)


def _moved(before: float, now: float, tr: Translator) -> str:
    return tr("why.moved.up" if now > before else "why.moved.down" if now < before else "why.moved.same")


def _factor_line(cause: Cause, kpi: KpiDefinition, tr: Translator, currency: str, effect: str) -> str:
    """A factor of a ratio in a manager's words: what it is (受注までの平均日数(直近12ヶ月)), how it moved, and
    what that did to the KPI."""
    factor = cause.factor
    assert factor is not None
    unit = FACTOR_UNITS[factor.name]
    line = tr("why.factor", subject=tr(f"factor.say.{factor.name}"), before=_value(factor.before, unit, tr, currency),
              now=_value(factor.now, unit, tr, currency), moved=_moved(factor.before, factor.now, tr),
              kpi=tr.mid_sentence(kpi.name(tr.locale)), effect=effect)
    if cause.detail is not None and cause.detail.part is not None:
        detail = cause.detail.part
        unit = "money" if unit == "money" else "count"
        line = tr("why.factor_detail", line=line, who=tr.mid_sentence(_who(cause.detail, tr)),
                  before=_value(detail.before.numerator, unit, tr, currency),
                  now=_value(detail.now.numerator, unit, tr, currency))
    return line


def _mean_line(cause: Cause, tr: Translator, currency: str, effect: str) -> str:
    """A mean's change told by the deals that came into (or left) its window against the average before:
    "the 2 deals added were smaller than the average", never "more wins lowered it"."""
    total, count = cause.factor, cause.over
    assert total is not None and count is not None
    n0, n1 = round(count.before), round(count.now)
    mean0 = total.before / count.before
    loc = tr.locale
    values = {"before": f"{n0:,}", "now": f"{n1:,}", "average": format_value(mean0, "money", loc, currency),
              "effect": effect}
    if n1 == n0:
        return tr("why.mean.same", count=f"{n1:,}", total_before=format_value(total.before, "money", loc, currency),
                  total_now=format_value(total.now, "money", loc, currency), effect=effect)
    added = n1 > n0
    mean = (total.now - total.before) / (n1 - n0)  # the deals that came in (or went out), net, on average
    side = "larger" if (mean > mean0) else "smaller"
    return tr(f"why.mean.{'in' if added else 'out'}.{side}", deals=f"{abs(n1 - n0):,}",
              mean=format_value(mean, "money", loc, currency), **values)


def _noise(cause: Cause, tr: Translator) -> str:
    """Said of a part that is no cause: too few rows, or a rate that moved within noise."""
    part = cause.part
    if part is None:
        return ""
    if part.small:
        return tr("why.tag.small", rows=part.now.rows + part.before.rows)
    if cause.moved == "rate" and not part.significant:
        return tr("why.tag.noise")
    return ""


def driver_lines(net: Drivers, kpi: KpiDefinition, tr: Translator, currency: str,
                 totals: tuple[float, float]) -> tuple[str, ...]:
    """The net drivers in words, in the waterfall's order, with "others": what is told sums to the change."""
    lines = [cause_line(c, kpi, tr, currency, totals) + _noise(c, tr) for c in net.parts]
    if net.others is not None:
        lines.append(tr("why.others", effect=format_change(net.others, kpi.unit, tr.locale, currency)))
    return tuple(lines)


def cause_line(cause: Cause, kpi: KpiDefinition, tr: Translator, currency: str, totals: tuple[float, float]) -> str:
    """One part in a sentence; ``totals`` are the KPI's denominators (M, M−1), for a group's share."""
    effect = format_change(cause.effect, kpi.unit, tr.locale, currency)
    if cause.moved == "mean":
        return _mean_line(cause, tr, currency, effect)
    if cause.moved == "factor":
        return _factor_line(cause, kpi, tr, currency, effect)
    part = cause.part
    assert part is not None
    who = _who(cause, tr)
    if cause.moved == "change":
        unit = kpi.unit if kpi.unit != "rate" else "count"
        return tr.sentence_start(tr("why.change", who=who, before=_value(part.before.numerator, unit, tr, currency),
                                    now=_value(part.now.numerator, unit, tr, currency), effect=effect))
    if cause.moved == "rate":
        return tr.sentence_start(tr("why.rate", who=who, metric=tr.mid_sentence(kpi.name(tr.locale)),
                  before=format_value(part.before.rate, "rate", tr.locale),
                  now=format_value(part.now.rate, "rate", tr.locale), effect=effect))
    base = _BASE.get(kpi.id, "email")
    if not part.before.denominator or not part.now.denominator:  # a group that came or went this month
        side, share = (part.now, _share(part.now.denominator or 0, totals[0])) if part.now.denominator \
            else (part.before, _share(part.before.denominator or 0, totals[1]))
        return tr.sentence_start(tr(f"why.{'new' if part.now.denominator else 'gone'}.{base}", who=who,
                                    share=format_value(share, "rate", tr.locale),
                                    metric=tr.mid_sentence(kpi.name(tr.locale)),
                                    rate=format_value(side.rate, "rate", tr.locale), effect=effect))
    return tr.sentence_start(tr(f"why.mix.{base}", who=who,
                                before=format_value(_share(part.before.denominator or 0, totals[1]), "rate", tr.locale),
                                now=format_value(_share(part.now.denominator or 0, totals[0]), "rate", tr.locale),
                                effect=effect))


def caveat_line(cause: Cause, kpi: KpiDefinition, tr: Translator, currency: str) -> str:
    """A large part on too few rows, said as what it is."""
    part = cause.part
    assert part is not None
    return tr.sentence_start(tr("why.small", who=_who(cause, tr),
                                effect=format_change(cause.effect, kpi.unit, tr.locale, currency),
                                rows=part.now.rows + part.before.rows))


def mostly_line(why: Why, kpi: KpiDefinition, tr: Translator) -> str:
    """For a rate: whether who we sent to (the mix) or how each group responded (the rate) moved it."""
    if why.mostly is None:
        return ""
    return tr(f"why.mostly.{why.mostly}.{_BASE.get(kpi.id, 'email')}")
