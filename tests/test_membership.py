"""is_in: the answer of pandas' isin for text, by Arrow's hash lookup (pandas 3's is slow on large key sets)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from retropack._membership import is_in

TEXT = st.one_of(st.none(), st.sampled_from(["", "L1", "L2", " L1", "株式会社", "E0000001"]), st.text(max_size=4))


@given(values=st.lists(TEXT, max_size=30), keys=st.lists(TEXT, max_size=30), as_index=st.booleans())
def test_is_in_answers_as_pandas_isin(values: list[str | None], keys: list[str | None], as_index: bool) -> None:
    cells = pd.Series(values, dtype="str", index=[f"row{i}" for i in range(len(values))])
    known = pd.Index(keys, dtype=object) if as_index else pd.Series(keys, dtype="str")

    found = is_in(cells, known)

    pd.testing.assert_series_equal(found, cells.isin(known))


def test_an_empty_value_matches_an_empty_key_and_a_missing_one_only_a_missing_one() -> None:
    cells = pd.Series(["", None, "S1", "s1"], dtype="str")
    assert is_in(cells, pd.Series(["", "S1"], dtype="str")).tolist() == [True, False, True, False]
    assert is_in(cells, pd.Series([None], dtype="str")).tolist() == [False, True, False, False]
