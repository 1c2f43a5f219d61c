"""Which changes a round's next snapshot may take: the gate between live answers and
released figures.

Figures are released from snapshots (``storage.snapshots``). Two releases of the same group
from two snapshots give away the *difference*: the answers of whoever arrived, changed
their answers or left in between. Read just before and just after one submission, the same
report gives that one person's answers (docs/confidentiality.md, attack 4). So a new
snapshot may take a change only if, for every snapshot figures were released from, the
number of changed respondents in every group those figures let an attacker difference is
0 or at least the minimum, and no such group is pinned within ±1 either.

**Per kind of figure.** What counts as a change depends on the figure: an item's mean
changes when someone arrives, leaves or changes *that item's* answer; a response rate only
when someone arrives or leaves, counted in the group of their invitation. A respondent who
saves a page again without changing it, or changes another item, is no change to this
item's figures, and must not count as one (otherwise k - 1 such saves would let a single
arrival through, and its answers be the difference). So figures come in *kinds* (chosen
by the caller: an item, an index's items, response rates …), and ``view(response,
revision, kind)`` says in which groups a version is counted for that kind and what of it
those figures depend on; a version whose view differs from its earlier one is a change.

**The model.** For an earlier snapshot, a kind and the candidate, count the respondents
changed for that kind per *move*: from their cell then to their cell now (cells over every
dimension the earlier release of that kind used; arriving, leaving, or changing in place),
each respondent in exactly one. The groups released from the earlier snapshot are the
figures: each may be released again from the candidate, and then its difference is known;
a group sees a move that enters or leaves it, or changes what it reads inside it (someone
who moves between two cells of a group, answering the same, is no change to it).
``audit`` then asks, exactly as for one table, whether any union of moves with 1 to k - 1
changed respondents is determinable from those differences.

**Holding back.** Rather than freeze the whole round because one unit had a single new
answer, the changes in the cells of a finding are held back (the respondents keep the
version the last snapshot has, or stay out, or stay in if they withdrew), and the audit
runs again; the held-back answers enter a later snapshot once enough others have changed
around them. If a finding holds no change that can still be held back, the last snapshot
stays. Before anything is released a snapshot takes everything.

This is a pure function of memberships and views; ``operations.snapshots`` feeds it from
the database and the release ledger."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

from survey.scoring.breakdown import group_key

Members = Mapping[int, int]
"""A snapshot's responses: response id -> the revision it counts."""

Groups = Mapping[str, str | None]
K = TypeVar("K", bound=Hashable)
View = tuple[Groups, Hashable] | None
"""A version as figures of one kind see it: its groups and what the figures depend on, or
None when it is in none of them (a residual role's)."""

Audited = dict[tuple[object, ...], frozenset[object] | None]
"""Audits already made in one run of the gate, by their table of changes and figures."""

Release = tuple[Members, Mapping[K, Sequence[Groups]]]
"""An earlier snapshot's members, and per kind of figure the groups released from it (each
a mapping of dimension to value; the empty mapping is the total)."""


def admitted(
    base: Members,
    live: Members,
    releases: Sequence[tuple[Members, Mapping[K, Sequence[Groups]]]],
    view: Callable[[int, int, K], View],
    k: int,
) -> dict[int, int]:
    """The members of the next snapshot: ``live`` (every response sent in now), except the
    changes since ``base`` (the last snapshot) that would give away fewer than ``k``
    respondents' changes against any of ``releases``."""
    chosen = dict(live)
    views: dict[tuple[int, int, K], View] = {}
    audited: Audited = {}  # many kinds share one table of changes

    def seen(response: int, revision: int | None, kind: K) -> View:
        if revision is None:
            return None
        key = (response, revision, kind)
        if key not in views:
            views[key] = view(response, revision, kind)
        return views[key]

    while True:
        finding = next(
            (
                (kind, found)
                for members, kinds in releases
                for kind, groups in kinds.items()
                if (found := _changed_group(members, chosen, groups, kind, seen, k, audited))
            ),
            None,
        )
        if finding is None:
            return chosen
        kind, (names, members, moves) = finding
        held = False
        for response in _changes(base, chosen):
            now = _seen_in(seen(response, chosen.get(response), kind), names)
            before = _seen_in(seen(response, base.get(response), kind), names)
            if now == before:
                continue  # no change to this kind of figure since the last snapshot
            then = _seen_in(seen(response, members.get(response), kind), names)
            if _move(then, now) in moves or _move(then, before) in moves:
                held = True
                if response in base:
                    chosen[response] = base[response]
                else:
                    del chosen[response]
        if not held:
            return dict(base)


def _changes(before: Members, after: Members) -> list[int]:
    return sorted(r for r in before.keys() | after.keys() if before.get(r) != after.get(r))


def _cell(groups: Groups, names: Sequence[str]) -> tuple[str, ...]:
    return group_key(dict(groups), names)


def _seen_in(shown: View, names: Sequence[str]) -> Seen:
    """A view as the released figures tell it apart: its cell over their dimensions (a move
    in a dimension they do not split is no change to them) and its content."""
    return None if shown is None else (_cell(shown[0], names), shown[1])


Move = tuple[tuple[str, ...] | None, tuple[str, ...] | None, bool]
"""How one respondent changed for a kind of figure: their cell then and now (None: not in
those figures) and whether what the figures read of them changed."""


Seen = tuple[tuple[str, ...], Hashable] | None
"""A version as released figures tell it apart (``_seen_in``)."""


def _move(then: Seen, now: Seen) -> Move:
    return (
        None if then is None else then[0],
        None if now is None else now[0],
        then is not None and now is not None and then[1] != now[1],
    )


def _changed_group(
    members: Members,
    chosen: Members,
    released: Sequence[Groups],
    kind: K,
    seen: Callable[[int, int | None, K], View],
    k: int,
    audited: Audited,
) -> tuple[list[str], Members, set[Move]] | None:
    """A union of moves with 1 to k - 1 respondents changed for ``kind`` that its figures
    released from the snapshot ``members`` and repeated from ``chosen`` give away, as (the
    dimensions, ``members``, its moves), or None.

    The cells of this audit are *moves* (from a cell to a cell, arriving, leaving, or
    changing in place), each respondent in exactly one: a figure's group sees a move
    when it holds one end and not the other, or holds either end and what it reads
    changed. A respondent who changes role inside a unit, answering the same, is no
    change to the unit's figures; counted as a change in both cells, as before, they were
    two changes in the unit and let a lone arrival there through."""
    names = sorted({name for group in released for name in group})
    moves: dict[Move, int] = {}
    for response in _changes(members, chosen):
        then = _seen_in(seen(response, members.get(response), kind), names)
        now = _seen_in(seen(response, chosen.get(response), kind), names)
        if then != now:
            move = _move(then, now)
            moves[move] = moves.get(move, 0) + 1
    if all(n >= k for n in moves.values()):
        return None  # no union of moves holds 1 to k - 1 changes
    present: set[tuple[str, ...]] = set()
    for response in members.keys() | chosen.keys():  # every cell either snapshot has
        for revision in (members.get(response), chosen.get(response)):
            if (shown := seen(response, revision, kind)) is not None:
                present.add(_cell(shown[0], names))
    for cell in present:  # arriving, leaving, changing: possible where no one did
        for move in ((None, cell, False), (cell, None, False), (cell, cell, True)):
            moves.setdefault(move, 0)

    having: dict[tuple[int, str], set[tuple[str, ...]]] = {}  # (dimension, value) -> cells
    ends: dict[tuple[str, ...], list[Move]] = {}  # cell -> the moves from or to it
    for move in moves:
        for end in {move[0], move[1]}:
            if end is not None:
                ends.setdefault(end, []).append(move)
    for cell in ends:
        for i, value in enumerate(cell):
            having.setdefault((i, value), set()).add(cell)
    everything = set(ends)

    def seen_by(group: Groups) -> frozenset[Move]:
        inside = everything
        for name, value in group.items():
            inside = inside & having.get((names.index(name), str(value)), set())
        return frozenset(
            move
            for cell in inside
            for move in ends[cell]
            if move[2] or (move[0] in inside) != (move[1] in inside)
        )

    figures = sorted({seen_by(group) for group in released}, key=lambda f: sorted(map(repr, f)))
    key = (tuple(sorted(moves.items(), key=repr)), tuple(figures))
    if key not in audited:
        from survey.scoring.audit import audit  # SciPy loads only when there is work for it

        found = audit(moves, figures, k)
        audited[key] = None if found is None else frozenset(found.cells)
    result = audited[key]
    if result is None:
        return None
    return names, members, {move for move in result if isinstance(move, tuple)}
