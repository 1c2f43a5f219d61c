"""Response rates per group: invited against answered.

Groups come from the invitation list (its role, unit and attributes), because that is what
the number invited is known for. A rate rests on the respondents who answered, so a group
with fewer answers than the minimum is hidden like any other cell - including a group where
no one answered, since "0 %" for a unit with one invited mayor names a non-respondent.
The number invited is the secretariat's own list and stays visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from survey.questionnaire.model import Questionnaire
from survey.scoring.breakdown import as_categories, group_key, roll_up
from survey.scoring.suppression import mark_suppressed

Invited = tuple[Mapping[str, str | None], bool]
"""An invitation's group values and whether it was answered (submitted)."""


def response_rates(
    questionnaire: Questionnaire,
    invitations: Iterable[Invited],
    by: Sequence[str],
    min_group_size: int,
) -> pd.DataFrame:
    """One row per group (margins included): invited, answered, rate, suppressed."""
    records = [(*group_key(groups, by), 1, int(answered)) for groups, answered in invitations]
    finest = as_categories(
        pd.DataFrame.from_records(records, columns=[*by, "invited", "n"]), by, questionnaire
    )
    if finest.empty:
        return pd.DataFrame(columns=[*by, "invited", "answered", "rate", "suppressed"])
    table = roll_up(finest.assign(_round=0), by, ["_round"], {"invited": "sum", "n": "sum"})
    table["suppressed"] = mark_suppressed(table, by, "_round", min_group_size)
    table["answered"] = table["n"].astype(float).where(~table["suppressed"], np.nan)
    table["rate"] = table["answered"] / table["invited"]
    return table[[*by, "invited", "answered", "rate", "suppressed"]]
