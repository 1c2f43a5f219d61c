"""Reading a round's results: what an account may see, by which breakdown, and the report.

A breakdown is checked here, once, for the web's ``?etter=`` and the CLI's ``--by`` alike:
only role, unit and the round's own attributes, each once, at most ``MAX_DIMENSIONS`` of
them, and only one the round declares (``declared_breakdowns``: the secretariat decides
which crossings may leave the system; figures by a crossing it did not choose are where
small groups are worked out by subtraction). Anything else used to reach pandas (a
repeated name crashed the scoring, ten names took half a minute of CPU inside one request).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import combinations

import numpy as np
import pandas as pd

from survey.accounts import Account
from survey.errors import InvalidInput
from survey.operations.access import require_manager, require_results
from survey.operations.snapshots import current_snapshot, held_back, retried
from survey.questionnaire.model import Questionnaire
from survey.records import Measure, Round
from survey.report.content import Ledger, Report, build_report
from survey.report.dimensions import breakdown_label
from survey.report.figures import EARLIER_N, Figure, report_figures
from survey.scoring.finest import KINDS, History, released_before
from survey.scoring.free_texts import EarlierSet
from survey.scoring.indexes import index_scores
from survey.scoring.likert import Respondent, columns_frame, item_scores, likert_frame
from survey.scoring.linked import Bound, PositionedBound
from survey.scoring.rates import (
    Invited,
    Shown,
    Stated,
    answered_as_respondents,
    linked_rates,
)
from survey.scoring.suppression import ALL, STATED, suppressed_groups
from survey.storage import rounds as rounds_store
from survey.storage.db import database_file
from survey.storage.measures import measures_of_round
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.releases import Figure as LedgerFigure
from survey.storage.releases import (
    LedgerMark,
    Pending,
    ledger_mark,
    record_release,
    released_at,
    released_counts,
    released_groups,
    released_reasons,
    text_sets,
)
from survey.storage.results import (
    RoundResults,
    attribute_names,
    likert_columns,
    snapshot_results,
)
from survey.storage.rounds import get_round, list_rounds
from survey.storage.snapshots import (
    Snapshot,
    members_of,
    snapshot_channels,
    snapshot_invited,
    snapshot_per_day,
    version_respondents,
)
from survey.storage.store import Store
from survey.storage.users import audit

MAX_DIMENSIONS = 3
MAX_OFFERED = 64
FIXED_DIMENSIONS = ("role", "unit")


def dimensions_of(db: Store, round_id: int) -> list[str]:
    """What the round's figures can be broken down by, in reading order: role, unit, then
    the attributes of its invitation list."""
    return [*FIXED_DIMENSIONS, *sorted(attribute_names(db, round_id) - set(FIXED_DIMENSIONS))]


def _parsed(known: list[str], round_id: int, by: str | Sequence[str]) -> list[str]:
    """``by`` ("role,unit" or a list of names) as a list of dimensions the round has;
    InvalidInput (with a bokmål message naming the choices) for anything else."""
    names = [n.strip() for n in by.split(",")] if isinstance(by, str) else [*by]
    names = [name for name in names if name]
    offered = ", ".join(known)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidInput(
            f"round {round_id} has no breakdown {unknown[0]!r}; use {offered}",
            message_nb=f"Runden kan ikke brytes ned etter «{unknown[0][:40]}». Velg blant: "
            f"{offered}.",
        )
    if len(set(names)) < len(names):
        raise InvalidInput(
            "a breakdown names each dimension once",
            message_nb="Nevn hver inndeling bare én gang.",
        )
    if len(names) > MAX_DIMENSIONS:
        raise InvalidInput(
            f"a breakdown has at most {MAX_DIMENSIONS} dimensions, not {len(names)}",
            message_nb=f"En nedbrytning kan ha høyst {MAX_DIMENSIONS} inndelinger.",
        )
    return names


def _canonical(known: list[str], names: Iterable[str]) -> tuple[str, ...]:
    """A breakdown as a set, written in reading order: role × unit is unit × role."""
    chosen = set(names)
    return tuple(name for name in known if name in chosen)


def declared_breakdowns(db: Store, round_id: int) -> list[tuple[str, ...]]:
    """The breakdowns the round's figures may be released by. Until the secretariat
    declares its own, every dimension alone and role × unit (a unit's report by role):
    crossings with the round's attributes, where small groups and the differences between
    them multiply, must be declared on purpose."""
    declared = rounds_store.declared_breakdowns(db, round_id)
    if declared is not None:
        return declared
    return [(name,) for name in dimensions_of(db, round_id)] + [FIXED_DIMENSIONS]


def checked_breakdown(
    db: Store,
    round_id: int,
    by: str | Sequence[str],
    *,
    unit: str | None = None,
    compared_with: str | None = None,
) -> list[str]:
    """``by`` as a list of dimensions, if the round releases that breakdown; InvalidInput
    (with a bokmål message naming what it offers) otherwise. One unit's figures broken down
    by ``by`` are the cells of ``by`` × unit, so that is the breakdown checked then. The
    overall figures (no breakdown) are always released. ``compared_with``: the name of the
    round a report compares this one with, for the message."""
    known = dimensions_of(db, round_id)
    names = _parsed(known, round_id, by)
    released = _canonical(known, [*names, *(["unit"] if unit else [])])
    declared = declared_breakdowns(db, round_id)
    if not _declared(released, declared):
        listed = "; ".join(" × ".join(b) for b in declared) or "-"
        asked = " × ".join(released)
        listed_nb = "; ".join(breakdown_label(b) for b in declared) or "ingen"
        asked_nb = breakdown_label(released)
        raise InvalidInput(
            f"round {round_id} does not release figures by {asked}; "
            f"its declared breakdowns: {listed}",
            message_nb=f"Runden er ikke satt opp for tall etter {asked_nb}. "
            f"Tillatte nedbrytninger: {listed_nb}."
            if compared_with is None
            else f"Runden det sammenlignes med («{compared_with}»), er ikke satt opp for tall "
            f"etter {asked_nb}, og sammenligningen ville vist tallene dens slik. Tillatte "
            f"nedbrytninger der: {listed_nb}.",
        )
    return names


def _declared(released: tuple[str, ...], declared: list[tuple[str, ...]]) -> bool:
    return not released or released in declared


@dataclass(frozen=True)
class Comparable:
    """An earlier round a report can be compared with, and by which breakdowns."""

    round_id: int
    name: str
    breakdowns: tuple[tuple[str, ...], ...]


def comparable_rounds(
    db: Store, round_id: int, breakdowns: Sequence[Sequence[str]], *, unit: str | None = None
) -> list[Comparable]:
    """The earlier rounds of the same questionnaire, each with those of ``breakdowns``
    (what this round offers; () is the whole round) it releases too: a comparison gives
    the earlier round's figures back by the report's breakdown (``report_request``), so a
    form can say which pairs it will make instead of offering ones it refuses."""
    questionnaire = questionnaire_of_version(db, get_round(db, round_id).questionnaire_version_id)
    return [
        Comparable(
            other.id,
            other.name,
            tuple(tuple(b) for b in breakdowns if may_release(db, other.id, b, unit=unit)),
        )
        for other in list_rounds(db)
        if other.id < round_id
        and questionnaire_of_version(db, other.questionnaire_version_id).id == questionnaire.id
    ]


def may_release(db: Store, round_id: int, names: Sequence[str], *, unit: str | None = None) -> bool:
    """Whether figures by ``names`` (of one unit, with ``unit``) may be shown: for pages
    that show what the round releases and leave the rest out rather than refuse."""
    known = dimensions_of(db, round_id)
    released = _canonical(known, [*names, *(["unit"] if unit else [])])
    return _declared(released, declared_breakdowns(db, round_id))


def offered_breakdowns(db: Store, round_id: int) -> list[tuple[str, ...]]:
    """Every breakdown the round could declare, in reading order, for a form to offer: each
    dimension alone, then the pairs, then the triples, as long as the list stays at most
    ``MAX_OFFERED`` long (a round with many attributes has thousands of triples)."""
    known = dimensions_of(db, round_id)
    offered: list[tuple[str, ...]] = []
    for size in range(1, MAX_DIMENSIONS + 1):
        more = list(combinations(known, size))
        if offered and len(offered) + len(more) > MAX_OFFERED:
            break
        offered += more
    return offered


def declare_breakdowns(
    db: Store,
    actor: Account,
    round_id: int,
    breakdowns: Sequence[str | Sequence[str]],
) -> list[tuple[str, ...]]:
    """Declare the breakdowns the round may be released by (each under the same rules as
    a breakdown asked for), replacing earlier ones; an empty list releases only overall
    figures. Admins only, audited."""
    require_manager(actor)
    get_round(db, round_id)  # NotFound for an unknown round
    known = dimensions_of(db, round_id)
    declared: list[tuple[str, ...]] = []
    for by in breakdowns:
        canonical = _canonical(known, _parsed(known, round_id, by))
        if canonical and canonical not in declared:
            declared.append(canonical)
    rounds_store.declare_breakdowns(db, round_id, declared)
    listed = "; ".join(",".join(b) for b in declared) or "-"
    audit(db, actor.email, "breakdowns declared", f"round {round_id}: {listed}")
    return declared


@retried
def rounds_overview(
    db: Store, actor: Account
) -> list[tuple[Round, Questionnaire, pd.Series | None]]:
    """Every round the account may see, with its questionnaire and its overall response
    rate (suppressed like every other figure): a unit leader sees only rounds that invited
    someone in their units, and only their units' rate."""
    found = []
    for round_ in list_rounds(db):
        mark = ledger_mark(db, round_.id)
        taken = current_snapshot(db, round_.id)
        everyone = snapshot_invited(db, round_.id, taken.id)
        units: Sequence[str | None] = [None]
        if actor.role == "unit-leader":
            units = sorted({str(g["unit"]) for g, _ in everyone if g.get("unit") in actor.units})
            if not units:
                continue
        elif not actor.may_read_results():
            continue
        questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
        everyone = _counted(everyone, questionnaire)
        k = round_.min_group_size
        ledger = rates_ledger(db, round_.id)
        tables = [  # the whole round's, or each of the leader's units' (their sum is shown)
            _linked_rates(questionnaire, everyone, [""], k, ledger, within)[0][1]
            for within in ({"unit": unit} if unit else None for unit in units)
        ]
        totals = [table.iloc[0] for table in tables if len(table)]
        rate = None
        if totals and len(totals) == len(units):
            shown = all(not total["suppressed"] for total in totals)
            invited_n = sum(int(total["invited"]) for total in totals)
            answered = sum(float(total["answered"]) for total in totals) if shown else np.nan
            rate = pd.Series(
                {
                    "invited": invited_n,
                    "answered": answered,
                    "rate": answered / invited_n if shown else np.nan,
                    "suppressed": not shown,
                }
            )
        found.append((round_, questionnaire, rate))
        if rate is not None and not rate["suppressed"]:
            figures = [
                ("rate", (("unit", unit),) if unit else (), stat, float(total[stat]))
                for unit, total in zip(units, totals, strict=True)
                for stat in ("answered", "invited")
            ]
            responses = int(rate["answered"])
            record_release(
                db,
                round_.id,
                actor.email,
                "rounds list",
                [],
                None,
                responses,
                figures,
                taken.id,
                mark,
            )
    return found


def results_for(db: Store, actor: Account, round_id: int, unit: str | None = None) -> RoundResults:
    """The round's results as its current snapshot has them (``operations.snapshots``), or
    one unit's: Forbidden unless the account may read them (a unit leader reads only their
    own units, never the whole round)."""
    return _results_and_round(db, actor, round_id, unit)[0]


def _results_and_round(
    db: Store, actor: Account, round_id: int, unit: str | None
) -> tuple[RoundResults, RoundResults]:
    """``results_for`` and the whole round's results from the same snapshot (what an
    audit of one unit's figures reasons over)."""
    require_results(actor, unit)
    results = _without_residual_roles(_snapshot_results(db, current_snapshot(db, round_id)))
    if unit is None:
        return results, results
    mine = replace(
        results,
        respondents=[r for r in results.respondents if r[0].get("unit") == unit],
        invitations=[i for i in results.invitations if i[0].get("unit") == unit],
    )
    return mine, results


def _snapshot_results(db: Store, taken: Snapshot) -> RoundResults:
    return replace(snapshot_results(db, taken), snapshot_id=taken.id)


def _counted(invitations: Sequence[Invited], questionnaire: Questionnaire) -> list[Invited]:
    """The invitations that enter released figures: all but the residual roles'. The whole
    round's, also for one unit's page, since the audit reasons over the whole round."""
    residual = questionnaire.residual_roles
    return [i for i in invitations if i[0].get("role") not in residual]


def _without_residual_roles(results: RoundResults) -> RoundResults:
    """The round without the respondents and invitations of its residual roles (e.g.
    "annet"), which enter no released figure: a handful of them would be hidden, and then
    another role with them so they cannot be worked out from the total. Left out of the
    total too, they cost no other role anything. Exports (admins only) keep them."""
    residual = results.questionnaire.residual_roles
    if not residual:
        return results
    return replace(
        results,
        respondents=[r for r in results.respondents if r[0].get("role") not in residual],
        invitations=[i for i in results.invitations if i[0].get("role") not in residual],
    )


@dataclass(frozen=True)
class RatesLedger:
    """What a round's response rates are audited with (``scoring.rates.linked_rates``):
    the answered counts released and the reasons given for hidden rates, and the counts
    of respondents the tables released and their reasons (``counted``: where respondents
    stated their invitations' groups, the same counts)."""

    answered: Sequence[Shown] = ()
    stated: Sequence[Stated] = ()
    counted: Sequence[Shown] = ()
    counted_stated: Sequence[Stated] = ()


def rates_ledger(db: Store, round_id: int, pending: Sequence[Pending] = ()) -> RatesLedger:
    """Every answered count, table count (n) and reason the round has released, from any
    snapshot (the rates' audit keeps those the counts still meet)."""
    reasons = released_reasons(db, round_id, tuple(STATED.values()), pending)
    return RatesLedger(
        released_counts(db, round_id, "rate", "answered", pending),
        _reasons_of(reasons, lambda measure: measure == "rate"),
        released_counts(db, round_id, None, "n", pending),
        _reasons_of(reasons, lambda measure: measure.partition(":")[0] in KINDS),
    )


def _linked_rates(
    questionnaire: Questionnaire,
    invitations: Sequence[Invited],
    dimensions: Sequence[str],
    k: int,
    ledger: RatesLedger,
    within: Mapping[str, str] | None = None,
) -> list[tuple[str, pd.DataFrame]]:
    """``scoring.rates.linked_rates`` with everything the ledger holds for it."""
    return linked_rates(
        questionnaire,
        invitations,
        dimensions,
        k,
        ledger.answered,
        within,
        ledger.stated,
        counted=ledger.counted,
        counted_stated=ledger.counted_stated,
    )


@dataclass(frozen=True)
class ReportRequest:
    """Everything one report is made from, read and checked: building it needs no database,
    so it can be built (and rendered) later, in another thread."""

    results: RoundResults
    by: list[str]
    earlier: RoundResults | None = None
    measures: Sequence[Measure] = ()
    texts_before: Sequence[EarlierSet] = ()
    rates_before: RatesLedger = RatesLedger()
    invited_all: Sequence[Invited] | None = None
    within: Mapping[str, str] | None = None
    released_before: Mapping[str, Sequence[Mapping[str, str]]] | None = None
    respondents_all: Sequence[Respondent] | None = None
    history: History | None = None
    mark: LedgerMark | None = None  # the ledger all of the above was read from
    stated_before: Mapping[str, Sequence[Bound]] | None = None  # reasons given before
    earlier_ledger: Ledger | None = None  # what the compared round has released
    earlier_mark: LedgerMark | None = None  # the compared round's ledger it was read from
    role_released: bool = True  # the round releases figures by role (of the unit, if one)

    def build(self) -> Report:
        """The report, built once per request (its file name, its release and its PDF
        each need it, and building one of a large round takes a second)."""
        return self._built

    @cached_property
    def _built(self) -> Report:
        return build_report(
            self.results,
            self.by,
            self.earlier,
            measures=self.measures,
            texts_before=self.texts_before,
            rates_before=self.rates_before.answered,
            invited_all=self.invited_all,
            within=self.within,
            released_before=self.released_before,
            respondents_all=self.respondents_all,
            history=self.history,
            stated_before=self.stated_before,
            rates_stated=self.rates_before.stated,
            counted_before=self.rates_before.counted,
            counted_stated=self.rates_before.counted_stated,
            earlier_ledger=self.earlier_ledger,
            role_released=self.role_released,
        )

    def decided_by_ledger(self) -> str:
        """What of the report depends on the releases before it: which figures it hides
        (tables and response rates are audited with what was released before) and which
        comments it shows; in short, the report as built now, but for the day it is made.
        A kept PDF is the same report only while this is the same (the ledger grows with
        every release, mostly without changing it)."""
        return repr(replace(self.build(), generated_on=""))


def report_request(
    db: Store,
    actor: Account,
    round_id: int,
    by: str | Sequence[str] = ("role",),
    *,
    unit: str | None = None,
    compare: int | None = None,
    pending: Sequence[Pending] = (),
) -> ReportRequest:
    """What the report of ``round_id`` (or one unit's) is made from, compared with an
    earlier round and the measures recorded after it when ``compare`` names one (a unit's
    report shows only that unit's measures). Forbidden, NotFound or InvalidInput (the
    breakdown) before anything is read. ``pending``: releases to decide it after, as if
    the ledger held them (``release_of``)."""
    dimensions = checked_breakdown(db, round_id, by, unit=unit)
    if compare is not None:  # a change gives the earlier round's figures by ``by`` back
        name = get_round(db, compare).name  # NotFound first, as for the round itself
        checked_breakdown(db, compare, by, unit=unit, compared_with=name)
    mark = ledger_mark(db, round_id)
    results, whole = _results_and_round(db, actor, round_id, unit)
    earlier, earlier_ledger, earlier_mark = None, None, None
    if compare is not None:
        earlier_mark = ledger_mark(db, compare)
        earlier, then = _results_and_round(db, actor, compare, unit)
        earlier_ledger = _ledger_of(db, earlier, then)
    measures = measures_of_round(db, compare, unit) if compare is not None else ()
    texts_before = text_sets(db, round_id, pending)  # every text set released, to whomever
    before, said = _tables_ledger(db, round_id, results.snapshot_id, whole.respondents, pending)
    return ReportRequest(
        results,
        dimensions,
        earlier,
        measures,
        texts_before,
        rates_ledger(db, round_id, pending),
        _counted(_invited(db, results), results.questionnaire),
        {"unit": unit} if unit is not None else None,
        before,
        whole.respondents,
        _history(db, round_id, results.snapshot_id, results.questionnaire),
        mark,
        said,
        earlier_ledger,
        earlier_mark,
        may_release(db, round_id, ["role"], unit=unit),
    )


def _ledger_of(db: Store, results: RoundResults, whole: RoundResults) -> Ledger:
    """What the round of ``results`` has released, as its tables are audited with it: a
    report compared with it releases its means too (``content.build_report``)."""
    round_id, snapshot = results.round.id, results.snapshot_id
    before, said = _tables_ledger(db, round_id, snapshot, whole.respondents)
    history = _history(db, round_id, snapshot, results.questionnaire)
    invited = _counted(_invited(db, results), results.questionnaire)
    return Ledger(before, whole.respondents, history, said, invited)


def _reasons_of(
    reasons: Mapping[int | None, Mapping[str, Sequence[Bound]]], wanted: Callable[[str], bool]
) -> list[Stated]:
    """Every reason given for a hidden group of the measures ``wanted``, from any
    snapshot, each once."""
    found = {
        (json.dumps(group, sort_keys=True), statistic, k)
        for per_measure in reasons.values()
        for measure, bounds in per_measure.items()
        if wanted(measure)
        for group, statistic, k in bounds
    }
    return [(json.loads(group), statistic, k) for group, statistic, k in sorted(found)]


def _tables_ledger(
    db: Store,
    round_id: int,
    snapshot_id: int | None,
    respondents: Sequence[Respondent] | Callable[[], Sequence[Respondent]],
    pending: Sequence[Pending] = (),
) -> tuple[dict[str, list[Mapping[str, str]]], dict[str, list[Bound]]]:
    """What the round has released of the snapshot's counts, as its tables are audited
    with it: per measure, the groups whose count is out and the reasons given for hidden
    ones; with the response rates' answered counts (those that are their group's count of
    ``respondents``) and their reasons read as figures of respondents
    (``scoring.rates.answered_as_respondents``), the other half of ``RatesLedger``."""
    before: dict[str, list[Mapping[str, str]]] = {
        measure: list(groups)
        for measure, groups in released_at(db, round_id, snapshot_id, pending).items()
    }
    reasons = released_reasons(db, round_id, tuple(STATED.values()), pending)
    said: dict[str, list[Bound]] = {
        measure: list(bounds) for measure, bounds in reasons.get(snapshot_id, {}).items()
    }
    answered = released_counts(db, round_id, "rate", "answered", pending)
    groups = []
    if answered:  # the respondents are read only when there is a count to compare
        people = respondents() if callable(respondents) else respondents
        groups = answered_as_respondents(answered, people)
    if groups:
        before["respondents"] = [*before.get("respondents", []), *groups]
    rate_reasons = _reasons_of(reasons, lambda measure: measure == "rate")
    if rate_reasons:
        said["respondents"] = [*said.get("respondents", []), *rate_reasons]
    return before, said


_HISTORIES_LOCK = threading.Lock()
_HISTORIES: dict[tuple[str, int, tuple[int, ...]], History] = {}
"""Histories read before, by database, round and snapshots: snapshots never change, nor
do the releases of one that is no longer the latest. A few, per process."""


def _history(
    db: Store, round_id: int, current: int | None, questionnaire: Questionnaire
) -> History | None:
    """What the round's snapshots before ``current`` released (figures and the reasons
    given for hidden ones) and who they counted, when any of them released a table's
    figures or reasons (``scoring.finest.History``); else None."""
    assert current is not None, "released figures come from a snapshot"
    # a mean shown alone (the summary) read as its distribution: more than it said
    ledger = released_groups(db, round_id, ("n", "mean"))
    reasons = released_reasons(db, round_id, tuple(STATED.values()))
    earlier = sorted(
        snapshot
        for snapshot in {*ledger, *(s for s in reasons if s is not None)}
        if snapshot < current
        and any(
            m.partition(":")[0] in KINDS
            for m in [*(m for m, _ in ledger.get(snapshot, [])), *reasons.get(snapshot, {})]
        )
    )
    if not earlier:
        return None
    key = (database_file(db), round_id, (*earlier, current))
    with _HISTORIES_LOCK:  # requests run in threads
        found = _HISTORIES.get(key)
    if found is None:
        snapshots = [members_of(db, snapshot) for snapshot in (*earlier, current)]
        wanted = {version for members in snapshots for version in members.items()}
        versions = version_respondents(db, questionnaire, round_id, wanted)
        groups: dict[str, list[tuple[int, Mapping[str, str]]]] = {}
        stated: dict[str, list[PositionedBound]] = {}
        for position, snapshot in enumerate(earlier):
            for measure, group in ledger.get(snapshot, []):
                groups.setdefault(measure, []).append((position, group))
            for measure, bounds in reasons.get(snapshot, {}).items():
                stated.setdefault(measure, []).extend((position, *b) for b in bounds)
        paths = [{r: (r, revision) for r, revision in m.items()} for m in snapshots]
        found = History(groups, paths, versions, stated)
        with _HISTORIES_LOCK:
            while len(_HISTORIES) >= 4:
                del _HISTORIES[next(iter(_HISTORIES))]
            _HISTORIES[key] = found
    return found


def _invited(db: Store, results: RoundResults) -> list[Invited]:
    """The whole round's invitations as the snapshot of ``results`` counts them."""
    assert results.snapshot_id is not None, "released figures come from a snapshot"
    return snapshot_invited(db, results.round.id, results.snapshot_id)


@retried
def make_report(
    db: Store,
    actor: Account,
    round_id: int,
    by: str | Sequence[str] = ("role",),
    *,
    unit: str | None = None,
    compare: int | None = None,
    channel: str = "report preview",
) -> Report:
    """The report's content, scored and suppressed (see ``report_request``), audited and
    recorded in the release ledger (``channel``: the preview, or a file the CLI wrote)."""
    request = report_request(db, actor, round_id, by, unit=unit, compare=compare)
    report = request.build()
    _released(db, actor, request, report, channel, unit)
    detail = f"round {round_id}, unit {unit or 'alle'}, by {','.join(request.by) or '-'}"
    audit(
        db, actor.email, "report made", detail + (f", compared with {compare}" if compare else "")
    )
    return report


def report_downloaded(
    db: Store,
    actor: Account,
    request: ReportRequest,
    unit: str | None = None,
) -> None:
    """A rendered report handed to the account (the PDF is rendered in the background and
    kept, so handing it out is a step of its own): checked and audited like making one,
    and recorded in the release ledger with the figures of the report it holds."""
    require_results(actor, unit)
    round_id = request.results.round.id
    audit(
        db,
        actor.email,
        "report downloaded",
        f"round {round_id}, unit {unit or 'alle'}, by {','.join(request.by) or '-'}",
    )
    _released(db, actor, request, request.build(), "report PDF", unit)


def _released(
    db: Store,
    actor: Account,
    request: ReportRequest,
    report: Report,
    channel: str,
    unit: str | None,
) -> None:
    every = report_figures(report, request.by)
    figures = [f for f in every if f.statistic != EARLIER_N]  # the compared round's
    if request.earlier is not None:  # a change is this round's mean minus the earlier one's
        means = {(f.measure, f.group): f.value for f in figures if f.statistic == "mean"}
        earlier = [
            Figure(f.measure, f.group, "mean", means[(f.measure, f.group)] - f.value)
            for f in figures
            if f.statistic == "change" and (f.measure, f.group) in means
        ]
        # with its count: the group's earlier mean is out, and that round's later tables
        # are audited with it as released (``released_at`` reads counts). First, and
        # refused if that round released figures since they were decided: recorded
        # twice on a retry at worst, never handed out unrecorded
        earlier += [
            Figure(f.measure, f.group, "n", f.value) for f in every if f.statistic == EARLIER_N
        ]
        after = request.earlier_mark
        _record(db, actor, request.earlier, channel, request.by, unit, earlier, after)
    _record(db, actor, request.results, channel, request.by, unit, figures, request.mark)


def _record(
    db: Store,
    actor: Account,
    results: RoundResults,
    channel: str,
    by: Sequence[str],
    unit: str | None,
    figures: Sequence[Figure],
    after: LedgerMark | None = None,
) -> None:
    """Enter a release in the ledger; one unit's figures carry their unit in every group.
    ``after``: the ledger the figures were decided on (``record_release``)."""
    record_release(
        db,
        results.round.id,
        actor.email,
        channel,
        by,
        unit,
        len(results.respondents),
        _within(figures, unit),
        results.snapshot_id,
        after,
    )


def _within(figures: Sequence[Figure], unit: str | None) -> list[LedgerFigure]:
    """Figures as the ledger holds them: one unit's carry their unit in every group."""
    within = (("unit", unit),) if unit is not None else ()
    return [(f.measure, within + f.group, f.statistic, f.value) for f in figures]


def release_of(request: ReportRequest, unit: str | None = None) -> Pending:
    """What handing out the report will enter in its round's ledger (``report_downloaded``),
    as a release still to come: a report pack decides each report after its earlier ones
    this way (``operations.report_packs``). A comparison's figures for the earlier round
    are not in it (a pack compares with none)."""
    figures = [f for f in report_figures(request.build(), request.by) if f.statistic != EARLIER_N]
    return Pending(request.results.snapshot_id, _within(figures, unit))


@dataclass(frozen=True)
class RoundPage:
    """The figures of a round's page in the workspace: response rates by every released
    dimension, one unit's indexes (on a unit's page), answers per day (the whole round's)."""

    results: RoundResults
    rates: list[tuple[str, list[dict]]]
    indexes: list[dict]
    per_day: list[tuple[str, int | None]]
    held_back: int | None = None  # responses not in the snapshot yet (told to managers)
    # answered by channel (web, paper, import), with each row's share of those invited;
    # empty unless some counted response came in another way than the web
    channels: list[dict] = field(default_factory=list)


@retried
def round_page(db: Store, actor: Account, round_id: int, unit: str | None = None) -> RoundPage:
    """What the round's page shows the account, suppressed, and recorded in the release
    ledger like a report: these are released figures too."""
    mark = ledger_mark(db, round_id)
    results, whole = _results_and_round(db, actor, round_id, unit)
    k = results.round.min_group_size
    q = results.questionnaire
    dimensions = ["role"] if unit else ["role", "unit"]
    dimensions += sorted(
        {name for groups, _ in results.invitations for name in groups} - {"role", "unit"}
    )
    dimensions = [d for d in dimensions if may_release(db, round_id, [d], unit=unit)]
    everyone = _counted(_invited(db, results), q)
    ledger = rates_ledger(db, round_id)
    within = {"unit": unit} if unit is not None else None
    rates = [
        (name, table.to_dict("records"))
        for name, table in _linked_rates(q, everyone, dimensions, k, ledger, within)
    ]
    figures = [
        Figure("rate", ((name, str(row[name])),) if row[name] != ALL else (), stat, row[column])
        for name, rows in rates
        for row in rows
        if not row["suppressed"]
        for stat, column in (("answered", "answered"), ("invited", "invited"))
    ]
    indexes: list[dict] = []
    if unit is not None:  # audited with the snapshot's released figures, like a report's,
        # and with the answered counts above (an index everyone has counts them too)
        shown = Pending(results.snapshot_id, _within(figures, unit))
        before, said = _tables_ledger(db, round_id, results.snapshot_id, whole.respondents, [shown])
        history = _history(db, round_id, results.snapshot_id, q)
        released = released_before(
            q, before, [], whole.respondents, within, history=history, stated=said, invited=everyone
        )
        frame = likert_frame(q, results.respondents, [])
        indexes = index_scores(q, frame, [], k, released).to_dict("records")
    per_day = _per_day(db, results, k) if unit is None else []
    channels = _channel_rates(db, results, everyone, rates, ledger) if unit is None else []
    figures += [
        Figure(f"index:{row['index']}", (), stat, float(row[stat]))
        for row in indexes
        if not row["suppressed"]
        for stat in ("n", "mean")
    ]
    figures += [Figure("submitted", (("day", day),), "n", n) for day, n in per_day if n is not None]
    figures += [
        Figure("rate", (("channel", str(row["channel"])),), "answered", row["answered"])
        for row in channels
        if not row["suppressed"] and row["channel"] != ALL
    ]
    _record(db, actor, results, "round page", [], unit, figures, mark)
    waiting = None
    if actor.may_manage() and results.snapshot_id is not None:
        waiting = held_back(db, round_id, results.snapshot_id)
    return RoundPage(results, rates, indexes, per_day, waiting, channels)


def _channel_rates(
    db: Store,
    results: RoundResults,
    everyone: Sequence[Invited],
    rates: Sequence[tuple[str, list[dict]]],
    ledger: RatesLedger,
) -> list[dict]:
    """Answers by the way they came in (web, paper, import), each a share of everyone
    invited: a breakdown of the answered like any other, so suppressed and audited with
    the page's other counts and every count released before (a channel's count less a
    role's could otherwise single someone out). Nothing when every answer came by web."""
    assert results.snapshot_id is not None, "released figures come from a snapshot"
    answered = _counted(
        snapshot_channels(db, results.round.id, results.snapshot_id), results.questionnaire
    )
    if all(groups["channel"] == "web" for groups, _ in answered):
        return []
    shown = [
        ({} if row[name] == ALL else {name: str(row[name])}, float(row["answered"]))
        for name, rows in rates
        for row in rows
        if not row["suppressed"]
    ]
    k = results.round.min_group_size
    ((_, table),) = linked_rates(  # its invited column, the answered again, is not shown
        results.questionnaire,
        answered,
        ["channel"],
        k,
        [*ledger.answered, *shown],
        stated=ledger.stated,
        invited_shown=False,
        counted=ledger.counted,
        counted_stated=ledger.counted_stated,
    )
    invited = len(everyone)
    table["share"] = table["answered"] / invited if invited else float("nan")
    return list(table[["channel", "answered", "share", "suppressed"]].to_dict("records"))


def answers_per_day(db: Store, actor: Account, round_id: int) -> list[tuple[str, int | None]]:
    """Responses submitted per day, None for a day that is hidden. The days add up to the
    round's total, which is shown too, so hiding only the days under the minimum let one
    hidden day be worked out as the total minus the others: the days are a breakdown with
    a margin, suppressed like every other (``scoring.suppression``)."""
    results = results_for(db, actor, round_id)
    return _per_day(db, results, results.round.min_group_size)


def _per_day(db: Store, results: RoundResults, k: int) -> list[tuple[str, int | None]]:
    assert results.snapshot_id is not None, "released figures come from a snapshot"
    residual = frozenset(results.questionnaire.residual_roles)
    days = snapshot_per_day(db, results.snapshot_id, excluding_roles=residual)
    hidden = suppressed_groups({(day,): n for day, n in days}, k)
    return [(day, None if (day,) in hidden else n) for day, n in days]


@retried
def scores(db: Store, actor: Account, round_id: int, by: str | Sequence[str] = ()) -> pd.DataFrame:
    """Item and index scores per group of the breakdown, margins included, suppressed by
    the round's minimum group size: the tables the report is made of, as one frame."""
    require_results(actor, None)
    dimensions = checked_breakdown(db, round_id, by)
    round_ = get_round(db, round_id)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    k = round_.min_group_size
    mark = ledger_mark(db, round_id)
    taken = current_snapshot(db, round_id)
    residual = questionnaire.residual_roles

    def likert(by: Sequence[str]) -> pd.DataFrame:
        read = by if not residual or "role" in by else [*by, "role"]
        columns = likert_columns(db, questionnaire, round_id, read, snapshot_id=taken.id)
        frame = columns_frame(questionnaire, columns, read)
        if residual:  # in no released figure (see _without_residual_roles)
            frame = frame[~frame["role"].isin(residual)]
        return frame

    frame = likert(dimensions)
    history = _history(db, round_id, taken.id, questionnaire)

    def everyone() -> list[Respondent]:  # read only if a count needs them (choices, …)
        people = _snapshot_results(db, taken).respondents
        return [p for p in people if p[0].get("role") not in residual]

    before, said = _tables_ledger(db, round_id, taken.id, everyone)
    released = released_before(
        questionnaire,
        before,
        dimensions,
        everyone,
        likert=likert,
        history=history,
        stated=said,
        invited=_counted(snapshot_invited(db, round_id, taken.id), questionnaire),
    )
    items = item_scores(questionnaire, frame, dimensions, k, released)
    indexes = index_scores(questionnaire, frame, dimensions, k, released)
    items.insert(len(dimensions), "kind", "item")
    indexes = indexes.rename(columns={"index": "item"})
    indexes.insert(len(dimensions), "kind", "index")
    # the reasons for hidden cells are the report's (and its ledger's), not this table's
    table = pd.concat([items, indexes], ignore_index=True).drop(columns="reason")
    table.insert(0, "min_group_size", k)
    shown = table[~table["suppressed"]]
    figures = [
        (
            f"{row['kind']}:{row['item']}",
            tuple((d, str(row[d])) for d in dimensions if row[d] != ALL),
            stat,
            float(row[stat]),
        )
        for _, row in shown.iterrows()
        for stat in ("n", "mean")
    ]
    figures += [  # the not-scored column beside n: the number who answered (review)
        (
            f"answered:{row['item']}",
            tuple((d, str(row[d])) for d in dimensions if row[d] != ALL),
            "n",
            float(row["n"] + row["not_scored"]),
        )
        for _, row in shown.iterrows()
        if row["kind"] == "item"
    ]
    respondents = int(frame["respondent"].nunique()) if len(frame) else 0
    record_release(
        db, round_id, actor.email, "scores", dimensions, None, respondents, figures, taken.id, mark
    )
    audit(db, actor.email, "scores read", f"round {round_id}, by {','.join(dimensions) or '-'}")
    return table
