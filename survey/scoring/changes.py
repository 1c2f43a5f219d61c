"""Which changes a round's next snapshot may take: the gate between live answers and
released figures.

Figures are released from snapshots (``storage.snapshots``). Two releases of the same group
from two snapshots give away the *difference*: the answers of whoever arrived, changed
their answers or left in between. Read just before and just after one submission, the same
report gives that one person's answers (docs/confidentiality.md, attack 4). So a new
snapshot may take a change only if, for every snapshot figures were released from, the
number of changed respondents in every group those figures let an attacker difference is
0 or at least the minimum, and no such group is pinned within ±1 either.

**The model.** For an earlier snapshot and the candidate, count per finest cell (every
dimension the earlier release used, "day" included) the respondents whose version differs
between the two: arrived, changed (in the cells of both their versions, if they moved),
or gone. The groups released from the earlier snapshot are the figures: each may be
released again from the candidate (every declared breakdown may be), and then its
difference is known. ``audit`` then asks, exactly as for one table, whether any union of
cells with 1 to k - 1 changed respondents is determinable from those differences. Changed
answers count like arrivals: the difference of two sums gives away the change of the one
person who changed.

**Holding back.** Rather than freeze the whole round because one unit had a single new
answer, the changes in the cells of a finding are held back (the respondents keep the
version the last snapshot has, or stay out), and the audit runs again; the held-back
answers enter a later snapshot once enough others have arrived around them. If a finding
holds no change that can still be held back, the last snapshot stays. Only the groups of
earlier releases limit a snapshot: before anything is released, a snapshot takes
everything.

This is a pure function of memberships and group values; ``operations.snapshots`` feeds it
from the database and the release ledger."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from survey.scoring.breakdown import group_key

Members = Mapping[int, int]
"""A snapshot's responses: response id -> the revision it counts."""

Groups = Mapping[str, str | None]
Release = tuple[Members, Sequence[Groups]]
"""An earlier snapshot's members, and the groups figures were released for from it (each a
mapping of dimension to value; the empty mapping is the total)."""


def admitted(
    base: Members,
    live: Members,
    releases: Sequence[Release],
    groups_of: Callable[[int, int], Groups | None],
    k: int,
) -> dict[int, int]:
    """The members of the next snapshot: ``live`` (every response sent in now), except the
    changes since ``base`` (the last snapshot) that would give away fewer than ``k``
    respondents' changes against any of ``releases``. ``groups_of(response, revision)``
    gives a version's group values, or None for a version in no released figure (a
    residual role's), whose changes count for nothing."""
    chosen = dict(live)
    while True:
        finding = next(
            (
                found
                for members, groups in releases
                if (found := _changed_group(members, chosen, groups, groups_of, k))
            ),
            None,
        )
        if finding is None:
            return chosen
        members, cells = finding
        held = False
        for response in _changes(members, chosen):
            if chosen.get(response) == base.get(response):
                continue  # already as the last snapshot has it
            touched = {
                _cell(groups_of(response, revision), cells[0])
                for revision in (members.get(response), chosen.get(response))
                if revision is not None and groups_of(response, revision) is not None
            }
            if touched & cells[1]:
                held = True
                if response in base:
                    chosen[response] = base[response]
                else:
                    del chosen[response]
        if not held:
            return dict(base)


def _changes(before: Members, after: Members) -> list[int]:
    return sorted(r for r in before.keys() | after.keys() if before.get(r) != after.get(r))


def _cell(groups: Groups | None, names: Sequence[str]) -> tuple[str, ...]:
    return group_key(dict(groups or {}), names)


def _changed_group(
    members: Members,
    chosen: Members,
    released: Sequence[Groups],
    groups_of: Callable[[int, int], Groups | None],
    k: int,
) -> tuple[Members, tuple[list[str], set[tuple[str, ...]]]] | None:
    """A union of cells with 1 to k - 1 changed respondents that the figures released from
    the snapshot ``members`` and repeated from ``chosen`` give away, as (members, (the
    dimensions, its cells)), or None."""
    names = sorted({name for group in released for name in group})
    counts: dict[tuple[str, ...], int] = {}
    for response in members.keys() | chosen.keys():  # every cell either snapshot has
        for revision in (members.get(response), chosen.get(response)):
            groups = groups_of(response, revision) if revision is not None else None
            if groups is not None:
                counts.setdefault(_cell(groups, names), 0)
    for response in _changes(members, chosen):
        touched = {
            _cell(groups, names)
            for revision in (members.get(response), chosen.get(response))
            if revision is not None and (groups := groups_of(response, revision)) is not None
        }
        for cell in touched:
            counts[cell] += 1
    if all(n == 0 or n >= k for n in counts.values()):
        return None  # no union of cells holds 1 to k - 1 changes

    def cells(group: Groups) -> list[tuple[str, ...]]:
        at = [(names.index(name), str(value)) for name, value in group.items()]
        return [cell for cell in counts if all(cell[i] == value for i, value in at)]

    from survey.scoring.audit import audit  # SciPy loads only when there is work for it

    figures = [cells(group) for group in {tuple(sorted(g.items())): g for g in released}.values()]
    found = audit(counts, figures, k)
    if found is None:
        return None
    return members, (names, {cell for cell in found.cells if isinstance(cell, tuple)})
