"""The channel table's words and numbers: one table for the month, one for the trailing three months."""

from __future__ import annotations

from retropack.insights.channels import UNKNOWN, ChannelFigures, ChannelRow, ChannelTable
from retropack.present.cells import Table
from retropack.present.formatting import NO_VALUE, format_amount, format_value
from retropack.present.messages import Translator

__all__ = ["channel_tables"]


def _name(row: ChannelRow, tr: Translator) -> str:
    if row.kind == "total":
        return tr("channels.total")
    if row.kind == "spend_only":
        return tr("channels.spend_only", name=tr.group("channel", row.code))
    return tr.group("source", None if row.code == UNKNOWN else row.code)


def _cells(row: ChannelRow, figures: ChannelFigures, tr: Translator, currency: str) -> tuple[str, ...]:
    money = [format_amount(figures.spend, tr.locale, currency), format_amount(figures.cpl, tr.locale, currency)]
    if row.kind == "spend_only":  # no lead comes from it: its spend alone
        return (_name(row, tr), money[0], *[NO_VALUE] * 7)
    counts = [format_value(float(n), "count", tr.locale) for n in (figures.leads, figures.mqls, figures.sqls,
                                                                    figures.deals)]
    return (_name(row, tr), money[0], counts[0], money[1], *counts[1:],
            format_amount(figures.pipeline, tr.locale, currency), format_amount(figures.won, tr.locale, currency))


def channel_tables(table: ChannelTable, tr: Translator, currency: str) -> tuple[Table, Table]:
    """(the month, the trailing three months), each a row per source, spend-only channel and the total; the
    trailing table carries the note on how rows join."""
    header = tuple(tr(f"channels.col.{c}") for c in ("source", "spend", "leads", "cpl", "mqls", "sqls", "deals",
                                                      "pipeline", "won"))
    month = Table(header, tuple(_cells(r, r.month, tr, currency) for r in table.rows))  # the note once, below both
    trailing = Table(header, tuple(_cells(r, r.trailing, tr, currency) for r in table.rows), tr("channels.note"))
    return month, trailing
