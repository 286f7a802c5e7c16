"""Values from the data quoted in messages stay on one line (issue 12, found by the property test): a cell
holding '0\x1e' (a record separator, a line break to ``str.splitlines``) split the ``Error:`` paragraph."""

from __future__ import annotations

from retropack.errors import visible


def test_control_characters_and_line_separators_are_written_as_escapes() -> None:
    text = "0\x1e a\nb\tc\x85d\u2028e"
    assert visible(text) == "0\\x1e a\\x0ab\\x09c\\x85d\\u2028e"
    assert len(visible(text).splitlines()) == 1


def test_plain_text_is_unchanged() -> None:
    assert visible("株式会社ABC 'x' ¥1,000") == "株式会社ABC 'x' ¥1,000"
