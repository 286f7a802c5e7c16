"""The stalled-deal list's words: company, owner, amount, days open, last activity."""

from __future__ import annotations

from collections.abc import Sequence

from retropack.insights.open_deals import OpenDeal
from retropack.present.cells import Table
from retropack.present.clean import data_text
from retropack.present.formatting import NO_VALUE, format_day, format_value
from retropack.present.messages import Translator

__all__ = ["open_deals_table"]


def open_deals_table(deals: Sequence[OpenDeal], tr: Translator, currency: str) -> Table:
    """A row a deal; the last-activity column only when some deal has one (the data may lack the column)."""
    with_activity = any(d.last_activity is not None for d in deals)
    keys = ("company", "owner", "amount", "days_open", *(("last_activity",) if with_activity else ()))
    header = tuple(tr(f"open_deals.col.{k}") for k in keys)
    rows = []
    for d in deals:
        cells = [data_text(d.company or d.deal_id), data_text(d.owner) if d.owner else NO_VALUE,
                 format_value(d.amount, "money", tr.locale, currency), tr("unit.days", value=f"{d.days_open:,}")]
        if with_activity:
            cells.append(format_day(d.last_activity.date(), tr.locale) if d.last_activity else NO_VALUE)
        rows.append(tuple(cells))
    return Table(header, tuple(rows), tr("open_deals.note"))
