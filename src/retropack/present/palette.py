"""The one colour palette shared by the PDF, its charts and the deck."""

from __future__ import annotations

__all__ = ["ACCENT", "INK", "MUTED", "STATUS_COLOURS", "STATUS_TINTS", "TARGET"]

ACCENT = "#1f5fa8"
TARGET = "#d0453b"
MUTED = "#d9dee5"
INK = "#1d2430"
STATUS_COLOURS = {
    "achieved": "#2e7d4f",
    "near": "#c98a00",
    "missed": "#c0392b",
    "no_target": "#7a8594",
    "no_data": "#7a8594",
}
STATUS_TINTS = {
    "achieved": "#e3f2e8",
    "near": "#fcf1d6",
    "missed": "#f8e1de",
    "no_target": "#eef0f3",
    "no_data": "#eef0f3",
}
