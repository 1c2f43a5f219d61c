"""The snapshot a round's figures are released from now (``scoring.changes`` decides what
a new one may take; ``storage.snapshots`` keeps them).

Every release reads ``current_snapshot``: the latest snapshot while nothing has changed,
otherwise a new one with every change the gate admits against the release ledger. Reading
a report twice therefore shows the same figures until enough has changed around every
released group; a round closed since the last snapshot gets its final one."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Mapping
from typing import ParamSpec, TypeVar

from survey.errors import Conflict
from survey.questionnaire.model import Questionnaire
from survey.scoring.changes import Groups, View, admitted
from survey.scoring.suppression import STATED
from survey.storage.db import database_file
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.releases import last_release, released_groups
from survey.storage.rounds import get_round
from survey.storage.snapshots import (
    Members,
    Snapshot,
    StaleSnapshot,
    changed,
    invitation_groups,
    latest_snapshot,
    live_members,
    members_of,
    store_snapshot,
    version_answers,
    version_groups,
)
from survey.storage.store import Store

P = ParamSpec("P")
T = TypeVar("T")

ATTEMPTS = 5
"""Times a snapshot is chosen again when answers changed while it was stored."""

_UNCHANGED: dict[tuple[str, int], tuple[int | None, int | None, int]] = {}
"""Per database and round, the last state (latest snapshot, last release, live responses)
in which the gate admitted nothing: while answers wait, every release would otherwise run
it again, and its cost grows with every snapshot released from. Per process."""


def current_snapshot(db: Store, round_id: int) -> Snapshot:
    """The snapshot the round's figures are released from now (see the module)."""
    round_ = get_round(db, round_id)
    closed = not round_.is_open()
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    for _ in range(ATTEMPTS):
        ledger = last_release(db, round_id)  # read first: a later release fails the store
        latest = latest_snapshot(db, round_id)
        live = live_members(db, round_id)
        base = members_of(db, latest.id) if latest else {}
        settled = latest is not None and (latest.final or not closed)
        if settled and base == live:
            return latest  # type: ignore[return-value]  # settled says it is not None
        where = (database_file(db), round_id)
        state = (latest.id if latest else None, ledger, hash(frozenset(live.items())))
        if settled and _UNCHANGED.get(where) == state:
            return latest  # type: ignore[return-value]  # the gate said so for this state
        chosen = _admitted(db, round_id, questionnaire, base, live, round_.min_group_size)
        if settled and chosen == base:
            _UNCHANGED[where] = state
            return latest  # type: ignore[return-value]
        try:
            after = latest.id if latest else None
            return store_snapshot(db, round_id, chosen, final=closed, after=after, ledger=ledger)
        except StaleSnapshot:
            continue
    raise Conflict(
        f"round {round_id}: answers changed on every attempt to take a snapshot",
        message_nb="Svarene endrer seg for raskt til at tallene kan hentes nå. Prøv igjen om litt.",
    )


RATES = "rates"
"""The kind of response rates: who answered, counted by their invitation's groups."""
DAYS = "days"
"""The kind of answers per day: who answered, by the day they first sent in."""
PRESENCE = "presence"
"""The kind of the number of answers: who answered, counted by the groups they stated."""
EVERYTHING = "everything"
"""The kind of a figure not known here: every answer counts."""

Kind = str | frozenset[str] | tuple[str, ...]


def figure_kind(questionnaire: Questionnaire, measure: str) -> Kind:
    """What a released figure (by its ledger measure) depends on: a kind above; the items
    whose answers enter it (an item, an index's items, a quality pair's or dimension's
    items); or one part of a question's answer
    (its choices, its numbers, its texts or one choice's "specify" texts), since a choice
    question's figures move separately: a changed share is no change to the choice counts."""
    if measure == "rate":
        return RATES
    if measure == "submitted":
        return DAYS
    if measure == "respondents":
        return PRESENCE
    prefix, _, name = measure.partition(":")
    if prefix in ("item", "answered"):  # "answered:q5": q5's n with its "vet ikke"
        return frozenset({name})
    if prefix in ("choice", "number"):  # "number:q2:annet": all of q2's numbers move it
        return (prefix, name.partition(":")[0])
    if prefix == "texts":
        question, _, code = name.partition(":")  # "texts:q2:annet": q2's "specify" texts
        return ("texts", question, code)
    if prefix == "index":
        for index in questionnaire.indexes:
            if index.id == name:
                return frozenset(item.id for item in index.items)
    if prefix == "quality":  # "quality:pair:x" or "quality:dimension:y": the pairs' items
        part, _, which = name.partition(":")
        pairs = [
            p
            for p in questionnaire.quality_pairs
            if which == (p.id if part == "pair" else p.dimension)
        ]
        if pairs:
            return frozenset(i.id for p in pairs for i in (p.expectation, p.experience))
    return EVERYTHING


def _part(given: Mapping[str, tuple], kind: tuple[str, ...]) -> Hashable:
    """The part of a version's answer rows (item, code, number, text) a kind reads."""
    rows = given.get(kind[1], ())
    if kind[0] == "choice":
        return tuple(sorted(row[1] for row in rows))
    if kind[0] == "number":
        return tuple(sorted(row[2] for row in rows if row[2] is not None))
    return tuple(sorted(row[3] for row in rows if row[3] and row[1] == kind[2]))


def _admitted(
    db: Store,
    round_id: int,
    questionnaire: Questionnaire,
    base: Members,
    live: Members,
    k: int,
) -> Members:
    """``scoring.changes.admitted`` over the round's versions and its release ledger."""
    residual = set(questionnaire.residual_roles)
    stated = version_groups(db, round_id)
    invited = invitation_groups(db, round_id)
    answers: dict[tuple[int, int], dict[str, tuple]] = {}

    def view(response: int, revision: int, kind: Kind) -> View:
        if kind == RATES:
            groups = invited.get(response)
            return None if groups is None or groups.get("role") in residual else (groups, None)
        if (response, revision) not in stated:
            return None
        groups, day = stated[(response, revision)]
        if groups.get("role") in residual:
            return None
        if kind == DAYS:
            return {"day": day}, None
        if kind == PRESENCE:
            return groups, None
        if (response, revision) not in answers:
            answers[(response, revision)] = version_answers(db, response, revision)
        given = answers[(response, revision)]
        if kind == EVERYTHING:
            return groups, tuple(sorted(given.items()))
        # someone who gave no answer these figures count is in none of them: an arrival
        # without "frikjøpt __ %" must not count as a change to its numbers (review).
        # Texts are the exception: everyone who could have written one is its cover
        # (scoring.free_texts), so an arrival without a comment still counts
        part = _part(given, kind) if isinstance(kind, tuple) else None
        if isinstance(kind, tuple):
            return (groups, part) if part or kind[0] == "texts" else None
        items = tuple(given.get(item) for item in sorted(kind))
        return (groups, items) if any(rows for rows in items) else None

    releases = []
    # a reason for a hidden group is a bound, not a value whose difference is known: the
    # reports' audits read it (over paths), the gate does not
    bounds = tuple(STATED.values())
    for snapshot_id, figures in released_groups(db, round_id, excluding=bounds).items():
        kinds: dict[Kind, list[Groups]] = {}
        for measure, group in figures:
            kinds.setdefault(figure_kind(questionnaire, measure), []).append(group)
        releases.append((members_of(db, snapshot_id), kinds))
    return admitted(base, live, releases, view, k)


def retried(operation: Callable[P, T]) -> Callable[P, T]:
    """``operation`` (which releases figures from the current snapshot) run again when a
    newer snapshot came between reading the snapshot and recording the release: figures
    are only ever released from the latest snapshot, which the next one is audited
    against."""

    @functools.wraps(operation)
    def again(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(ATTEMPTS):
            try:
                return operation(*args, **kwargs)
            except StaleSnapshot:
                if attempt == ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    return again


def held_back(db: Store, round_id: int, snapshot_id: int) -> int:
    """How many responses are not in the snapshot as they stand now (new, changed or
    withdrawn since): what the secretariat is told is not in the figures yet."""
    return sum(1 for _ in changed(members_of(db, snapshot_id), live_members(db, round_id)))
