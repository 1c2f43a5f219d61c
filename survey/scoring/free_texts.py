"""Free-text comments and "specify" texts, released only where no one can be recognised.

A text is listed under its group only when the group's figures are shown. A group below
the minimum releases no text at all: a comment can name its writer by its content, and a
pool would still say "one of these few people". Groups hidden only to protect a small
neighbour (complementary suppression) meet the minimum each; their texts are pooled under
one heading, since listing them under their own name would tell which group was hidden.
If the round as a whole is below the minimum, no text is released. Within a heading,
texts are sorted alphabetically: the order of answers could tell who wrote first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from survey.questionnaire.model import Questionnaire, TextQuestion
from survey.scoring.breakdown import group_key, reading_order
from survey.scoring.likert import Respondent
from survey.scoring.suppression import ALL, suppressed_groups


@dataclass(frozen=True)
class ReleasedText:
    question: str
    code: str  # the choice a "specify" text belongs to; "" for a text question
    group: tuple[str, ...]  # ALL in every place for the pool of hidden groups
    text: str


def released_texts(
    questionnaire: Questionnaire,
    respondents: Sequence[Respondent],
    by: Sequence[str],
    min_group_size: int,
) -> list[ReleasedText]:
    """Texts in questionnaire order, per shown group, then the pool; each sorted."""
    text_questions = {q.id for q in questionnaire.questions if isinstance(q, TextQuestion)}
    sizes: dict[tuple[str, ...], int] = {}
    found: list[tuple[tuple[str, ...], str, str, str]] = []
    for groups, answers in respondents:
        key = group_key(groups, by)
        sizes[key] = sizes.get(key, 0) + 1
        for answer_id, answer in answers.items():
            if answer_id in text_questions and isinstance(answer.value, str):
                found.append((key, answer_id, "", answer.value))
            for code, detail in answer.details.items():
                if isinstance(detail, str):
                    found.append((key, answer_id, code, detail))
    hidden = suppressed_groups(sizes, min_group_size)
    pool = tuple(ALL for _ in by)
    if pool in hidden:  # the round as a whole is below the minimum
        return []
    found = [f for f in found if sizes[f[0]] >= min_group_size]
    order = {q.id: rank for rank, q in enumerate(questionnaire.questions)}
    ranks = [
        {
            value: rank
            for rank, value in enumerate(reading_order(questionnaire, name, {k[i] for k in sizes}))
        }
        for i, name in enumerate(by)
    ]

    def group_rank(group: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(rank[value] for rank, value in zip(ranks, group, strict=True))

    released = [
        ReleasedText(question, code, pool if key in hidden else key, text.strip())
        for key, question, code, text in found
        if text.strip()
    ]
    return sorted(
        released,
        key=lambda t: (
            order[t.question],
            t.code,
            t.group == pool,
            () if t.group == pool else group_rank(t.group),
            *_alphabetical(t.text),
        ),
    )


_NORWEGIAN = str.maketrans({"æ": "z\U0010fffd", "ø": "z\U0010fffe", "å": "z\U0010ffff"})
"""Bokmål order puts æ, ø, å after z (code points would give å, æ, ø)."""


def _alphabetical(text: str) -> tuple[str, str]:
    """A sort key for the text alone: letters in bokmål order, case ignored, and the text
    itself to break ties ("Bra" and "bra"), so no order of submission survives."""
    return text.casefold().translate(_NORWEGIAN), text
