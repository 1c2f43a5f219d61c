"""Report packs: every unit's own report of a round, plus the overall one, made at once.

An admin orders a pack. Its first job (``report-pack``, ``make_pack``) decides the
reports one after the other, and queues each one's PDF as a job of its own (``report-pdf``,
the job of one PDF asked for, see ``report_files``), so every worker and every core takes
part in the rendering; the pack's progress is read from its jobs' rows, never by making
reports. A unit's report is by the first breakdown the round declares for one unit's
figures (``pack_breakdown``), the one its leader gets on the round page.

Nothing is released by making a pack. The zip (admins only) is put together report by
report: each one is decided again as the account that downloads it, and released through
``results.report_downloaded`` right before its bytes go into the zip, exactly as a single
PDF is. So each report is audited with the pack's reports before it, and that is how the
pack's job decides it too: with the ledger as the zip will find it, its earlier reports'
releases read as made (``results.release_of``). A report and one by unit can each be
safe alone and give a small group away together; deciding every report with the ledger
as it stands when it is made would let the zip find three reports of eight changed.
A report whose figures moved on since it was made (someone released figures meanwhile)
is not in the cache under its new name: it is queued again, left out of the zip, and
named in a note inside it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey.accounts import Account
from survey.errors import InvalidInput, NotFound
from survey.operations.access import require_manager, require_results
from survey.operations.report_files import (
    Progress,
    acting_as,
    job_actor,
    order_decided,
    order_report_pdf,
)
from survey.operations.results import (
    declared_breakdowns,
    may_release,
    release_of,
    report_downloaded,
    report_request,
    results_for,
)
from survey.scoring.breakdown import NOT_GIVEN, reading_order
from survey.storage.releases import Pending
from survey.storage.report_packs import (
    Pack,
    PackEntry,
    Planned,
    follow_job,
    get_pack,
    latest_pack,
    order_pack,
    pack_entries,
)
from survey.storage.rounds import get_round
from survey.storage.snapshots import StaleSnapshot
from survey.storage.store import Store
from survey.storage.users import audit

KIND = "report-pack"
MAX_UNITS = 2000  # a pack of more reports than this is a mistake, not a pack
STATES_NB = {
    "queued": "I kø",
    "retrying": "Prøves igjen",
    "running": "Lages",
    "done": "Ferdig",
    "failed": "Feilet",
    "again": "Lages på nytt ved nedlasting",
}


def pack_breakdown(db: Store, round_id: int, unit: str | None) -> tuple[str, ...]:
    """The breakdown of the pack's report of ``unit`` (None: the overall report), as the
    round page offers it first: the first declared breakdown (for one unit, the first
    without ``unit`` that the round releases within a unit), else none (the overall
    figures, or one unit's totals). InvalidInput when the round releases no figures per
    unit at all: then a pack has no unit reports to hold."""
    for by in declared_breakdowns(db, round_id):
        if unit is None or ("unit" not in by and may_release(db, round_id, by, unit=unit)):
            return by
    if unit is None or may_release(db, round_id, (), unit=unit):
        return ()
    raise InvalidInput(
        f"round {round_id} releases no figures per unit; declare a breakdown with unit first",
        message_nb="Runden er ikke satt opp for tall per enhet. Tillat nedbrytning etter "
        "enhet under «Nedbrytninger» først.",
    )


def pack_units(db: Store, actor: Account, round_id: int) -> list[str]:
    """The units of the round's current figures (invited or answered), in reading order;
    "not given" is nobody's unit."""
    results = results_for(db, actor, round_id)
    found = {str(person.get("unit") or "") for person, *_ in results.invitations}
    found |= {str(person.get("unit") or "") for person, *_ in results.respondents}
    return reading_order(results.questionnaire, "unit", found - {"", NOT_GIVEN})


@dataclass(frozen=True)
class PackOrder:
    pack: Pack
    new: bool  # False: a pack of the round was still being made, and this is it


def order_report_pack(
    db: Store, actor: Account, round_id: int, *, max_attempts: int = 3
) -> PackOrder:
    """Queue the overall report and every unit's report of the round, one job each (admins
    only, audited). While a pack of the round is being made, ordering again returns it."""
    require_manager(actor)
    get_round(db, round_id)
    units = pack_units(db, actor, round_id)
    if len(units) > MAX_UNITS:
        raise InvalidInput(
            f"round {round_id} has {len(units)} units; a pack holds at most {MAX_UNITS}",
            message_nb=f"Runden har {len(units)} enheter; en rapportpakke kan ha høyst "
            f"{MAX_UNITS}.",
        )
    planned = [Planned(unit, pack_breakdown(db, round_id, unit)) for unit in [None, *units]]
    payload = {**acting_as(actor), "round": round_id, "attempts": max_attempts}
    pack, new = order_pack(
        db, round_id, actor.email, planned, KIND, payload, max_attempts=max_attempts
    )
    if new:
        audit(db, actor.email, "report pack ordered", f"round {round_id}: {len(units)} units")
    return PackOrder(pack, new)


def make_pack(db: Store, payload: Mapping[str, Any], cache: Path, progress: Progress) -> str:
    """The pack's job: as the account that ordered it, decide each report in the pack's
    order with the ledger the zip will find it in (the ledger now and the pack's earlier
    reports' releases), queue its PDF's job and let the report follow it. Returns how
    many reports were queued."""
    actor = job_actor(db, payload)
    pack_id, attempts = payload.get("pack"), payload.get("attempts", 3)
    pack = get_pack(db, pack_id) if isinstance(pack_id, int) else None
    if pack is None or not isinstance(attempts, int):
        raise NotFound(f"no report pack {pack_id}")
    entries = pack_entries(db, pack.id)
    before: list[Pending] = []
    for n, entry in enumerate(entries):
        progress(n, len(entries), f"Bestemmer tallene i rapport {n + 1} av {len(entries)}")
        asked = report_request(db, actor, pack.round_id, entry.by, unit=entry.unit, pending=before)
        job = order_decided(db, actor, asked, entry.unit, cache, max_attempts=attempts)
        follow_job(db, pack.id, entry.position, job.key)
        before.append(release_of(asked, entry.unit))
    progress(len(entries), len(entries), "Ferdig")
    return f"{len(entries)} reports"


@dataclass(frozen=True)
class PackReport:
    """One report of a pack as the secretariat sees it."""

    entry: PackEntry
    state: str  # a key of STATES_NB

    @property
    def unit(self) -> str | None:
        return self.entry.unit

    @property
    def state_nb(self) -> str:
        return STATES_NB[self.state]


@dataclass(frozen=True)
class PackProgress:
    pack: Pack
    reports: list[PackReport]  # those the account may read

    @property
    def done(self) -> bool:
        return all(r.state in ("done", "again") for r in self.reports)

    def count(self, state: str) -> int:
        return sum(1 for r in self.reports if r.state == state)


def pack_progress(
    db: Store, actor: Account, round_id: int, cache: Path, pack_id: int | None = None
) -> PackProgress | None:
    """The round's latest pack (or ``pack_id``) with the state of each report the account
    may read: a unit leader sees only their own units' reports. Read from the jobs' rows
    and the cache's file names, so asking often costs little. None: no pack yet."""
    get_round(db, round_id)
    pack = latest_pack(db, round_id) if pack_id is None else get_pack(db, pack_id)
    if pack is None:
        return None
    if pack.round_id != round_id:
        raise NotFound(f"no report pack {pack_id} of round {round_id}")
    reports = [
        PackReport(entry, _state(entry, cache))
        for entry in pack_entries(db, pack.id)
        if actor.may_read_results(entry.unit)
    ]
    return PackProgress(pack, reports)


def _state(entry: PackEntry, cache: Path) -> str:
    if entry.job_key.startswith(f"{KIND}:") and entry.state == "running":
        return "queued"  # its figures are being decided: its PDF is not queued yet
    if entry.state == "queued":
        return "retrying" if entry.attempts else "queued"
    if entry.state in ("running", "failed"):
        return entry.state
    if entry.state == "done" and entry.result and (cache / entry.result).is_file():
        return "done"
    return "again"  # superseded or purged: its download decides and queues it again


@dataclass(frozen=True)
class PackZip:
    """A pack's zip as it is being written: ``chunks`` yields its bytes, and the lists
    fill as it goes."""

    chunks: Iterator[bytes]
    written: list[str] = field(default_factory=list)  # the reports in the zip
    missing: list[str] = field(default_factory=list)  # made again; named in LES-MEG.txt


def pack_zip(
    db: Store,
    actor: Account,
    round_id: int,
    cache: Path,
    *,
    max_attempts: int = 3,
) -> PackZip:
    """The latest pack of the round as a zip, written while it is read (admins only):
    each report decided again as ``actor``, released (``report_downloaded``) and copied
    from the cache right before its bytes are yielded, one after the other, so each is
    audited with the releases before it, and a download broken off releases no more.
    NotFound without a pack and InvalidInput while reports are being made, at once."""
    require_manager(actor)
    progress = pack_progress(db, actor, round_id, cache)
    if progress is None:
        raise NotFound(
            f"round {round_id} has no report pack",
            message_nb="Runden har ingen rapportpakke ennå.",
        )
    if not progress.done:
        raise InvalidInput(
            f"the report pack of round {round_id} is not ready",
            message_nb="Rapportpakken er ikke ferdig ennå. Prøv igjen når alle rapportene "
            "er laget.",
        )
    written: list[str] = []
    missing: list[str] = []

    def chunks() -> Iterator[bytes]:
        sink = _Sink()
        names: set[str] = set()
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as archive:  # PDFs: compressed
            for report in progress.reports:
                name = _file_name(round_id, report.unit, names)
                entry = report.entry
                if _pack_one(db, actor, progress.pack, entry, cache, archive, name, max_attempts):
                    written.append(name)
                else:
                    missing.append(name)
                yield sink.take()
            if missing:
                archive.writestr("LES-MEG.txt", _note(missing))
        yield sink.take()
        detail = f"round {round_id}: {len(written)} reports"
        audit(db, actor.email, "report pack downloaded", detail)

    return PackZip(chunks(), written, missing)


class _Sink:
    """Where the zip is written, a piece at a time (zipfile writes a stream it cannot
    seek in with data descriptors, as a zip streamed over HTTP must be)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def _pack_one(
    db: Store,
    actor: Account,
    pack: Pack,
    entry: PackEntry,
    cache: Path,
    archive: zipfile.ZipFile,
    name: str,
    max_attempts: int,
) -> bool:
    """Decide, release and copy one report; False (and queued again) when its file is not
    the one its figures now make."""
    require_results(actor, entry.unit)
    for _ in range(3):  # figures released meanwhile by someone else: decide again
        order = order_report_pdf(
            db, actor, pack.round_id, entry.by, cache, unit=entry.unit, max_attempts=max_attempts
        )
        try:
            file = order.path.open("rb")  # open before the release: kept if deleted now
        except FileNotFoundError:
            if order.job is not None:
                follow_job(db, pack.id, entry.position, order.job.key)
            return False
        with file:
            try:
                report_downloaded(db, actor, order.asked, entry.unit)
            except StaleSnapshot:
                continue
            with archive.open(name, "w") as target:
                while chunk := file.read(1 << 16):
                    target.write(chunk)  # the sink holds one report at most
            return True
    return False


def _file_name(round_id: int, unit: str | None, taken: set[str]) -> str:
    """``rapport-runde-7-hele-runden.pdf``, ``rapport-runde-7-enhet-12.pdf``: by unit, each
    name once (two units that differ only in punctuation get a number)."""
    slug = re.sub(r"[^\w]+", "-", (unit or "hele runden").lower()).strip("-") or "enhet"
    name, n = f"rapport-runde-{round_id}-{slug}.pdf", 1
    while name in taken:
        n += 1
        name = f"rapport-runde-{round_id}-{slug}-{n}.pdf"
    taken.add(name)
    return name


def _note(missing: Sequence[str]) -> str:
    return (
        "Disse rapportene er ikke med: tallene deres er endret siden de ble laget, og de "
        "lages nå på nytt. Last ned rapportpakken igjen når den er ferdig.\n\n"
        + "\n".join(missing)
        + "\n"
    )
