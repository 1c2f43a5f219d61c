"""Change since an earlier round of the same questionnaire, cell by cell.

A change is shown only where both rounds show the cell: a difference with a hidden figure
would give the hidden figure back."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def with_change(
    now: pd.DataFrame, before: pd.DataFrame, by: Sequence[str], per: str, figure: str = "mean"
) -> pd.DataFrame:
    """``now`` with ``before`` (the earlier round's figure), ``before_n`` (its count) and
    ``change`` columns."""
    earlier = before[[*by, per, figure, "n"]].rename(columns={figure: "before", "n": "before_n"})
    earlier[per] = earlier[per].astype(str)
    merged = now.assign(**{per: now[per].astype(str)}).merge(
        earlier, on=[*by, per], how="left", validate="many_to_one"
    )
    merged[per] = now[per].array  # as it was: an item column stays categorical, in order
    merged["change"] = merged[figure] - merged["before"]
    return merged
