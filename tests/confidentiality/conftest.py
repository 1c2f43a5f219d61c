"""What the confidentiality attacks share: an analyst (who may read results, never single
responses) signed in to a real server through its sign-in page, as a browser would."""

from __future__ import annotations

import html as entities
import random
import re
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from http.cookiejar import CookieJar

from survey import create_app
from survey.demo import answers_2009
from survey.invitation_list import Person
from survey.questionnaire import LoadResult, load_file
from survey.questionnaire.answers import Answer, check_answers
from survey.records import ImportedResponse
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish, questionnaire_of_version
from survey.storage.responses import import_responses, respondents_of
from survey.storage.rounds import create_round
from survey.storage.users import add_user
from tests.conftest import QUESTIONNAIRES, server_thread
from tests.web.conftest import csrf

ANALYST = "analytiker@ks.no"
PASSWORD = "et langt og godt passord"


@contextmanager
def analyst_server(db_path: str, email: str = ANALYST) -> Iterator[str]:
    """A real server on 127.0.0.1 over the database at ``db_path`` (its address), with an
    analyst's account (``email``, PASSWORD) to sign in with."""
    db = open_database(db_path)
    add_user(db, email, PASSWORD, "analyst", ())
    db.close()
    with server_thread(create_app({"DATABASE": db_path, "SECRET_KEY": "test"})) as base:
        yield base


def signed_in_analyst(base: str, email: str = ANALYST) -> urllib.request.OpenerDirector:
    """A browser-like client signed in as the analyst (or as ``email``, with PASSWORD)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{base}/logg-inn", timeout=10).read().decode()
    form = {"csrf_token": csrf(page), "email": email, "password": PASSWORD}
    opener.open(f"{base}/logg-inn", urllib.parse.urlencode(form).encode(), timeout=10).read()
    return opener


def project_leaders(numbers: Iterable[int]) -> list[Person]:
    """Project leaders, each in a municipality of their own."""
    return [
        Person(f"Leder {i}", f"leder{i}@k{i}.kommune.no", "prosjektleder", f"Kommune {i}", {})
        for i in numbers
    ]


def add_project_leaders(db_path: str, round_id: int, shares: list[float], start: int) -> None:
    """Invite a project leader per share (unless invited already), each in a municipality
    of their own, and store their answers (submitted today, replacing any before) with
    that share as "frikjøpt __ %"."""
    db = open_database(db_path)
    round_row = db.execute(
        "SELECT questionnaire_version_id FROM rounds WHERE id = ?", [round_id]
    ).fetchone()
    questionnaire = questionnaire_of_version(db, round_row[0])
    people = project_leaders(range(start, start + len(shares)))
    add_invitations(
        db, round_id, [p for p in people if p.email not in respondents_of(db, round_id)]
    )
    invited = respondents_of(db, round_id)
    imported = []
    for row, (person, share) in enumerate(zip(people, shares, strict=True), start=1):
        answers = answers_2009(questionnaire, "prosjektleder", random.Random(row))
        answers["q4"] = Answer("frikjopt", {"frikjopt": share})
        assert not check_answers(questionnaire, "prosjektleder", answers)
        imported.append(
            ImportedResponse(row, answers, "prosjektleder", person.unit, {}, invited[person.email])
        )
    import_responses(db, questionnaire, round_id, imported)
    db.close()


def round_of_counts(
    db_path: str, counts: dict[tuple[str, str], int], k: int, seed: int
) -> tuple[int, dict[str, str]]:
    """A 2009 round with ``counts`` respondents per (role, unit), everyone answering q5 on
    the scale (so q5's n is the number of respondents); its id and the roles' labels."""
    return round_of_answers(db_path, {cell: [0] * n for cell, n in counts.items()}, k, seed)


@cache
def bundled_2009() -> LoadResult:
    """The bundled 2009 questionnaire, read once: the property tests build hundreds of
    rounds of it, and reading the file is a tenth of a second each time."""
    return load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")


def round_of_answers(
    db_path: str,
    q5: Mapping[tuple[str, str], Sequence[int | str]],
    k: int,
    seed: int,
    question: str | Sequence[str] = "q5",
) -> tuple[int, dict[str, str]]:
    """A 2009 round with one respondent per answer listed in ``q5`` for each (role, unit),
    answering ``question`` (q5 unless told) with it (0: a point drawn from ``seed`` like
    the other answers); its id and the roles' labels."""
    db = open_database(db_path)
    loaded = bundled_2009()
    publish(db, loaded)
    round_ = create_round(db, "kvalitetskommune-2009", "Evaluering 2009", min_group_size=k)
    db.close()
    add_answers(db_path, round_.id, q5, seed, question)
    return round_.id, {role.code: str(role.label) for role in loaded.questionnaire.roles}


def add_answers(
    db_path: str,
    round_id: int,
    q5: Mapping[tuple[str, str], Sequence[int | str]],
    seed: int,
    question: str | Sequence[str] = "q5",
    *,
    invited: Mapping[tuple[str, str], int] | None = None,
) -> None:
    """Respondents who sent in to the round of ``round_id``, as ``round_of_answers`` has
    them (``question`` may be several, each answered with the same point); each ``seed``
    names its own (a seed used before replaces those answers). With
    ``invited``, each of them is invited first, and as many more per (role, unit) as it
    says, who do not answer."""
    db = open_database(db_path)
    round_row = db.execute(
        "SELECT questionnaire_version_id FROM rounds WHERE id = ?", [round_id]
    ).fetchone()
    questionnaire = questionnaire_of_version(db, round_row[0])
    rng = random.Random(seed)
    cells = [(cell, point) for cell, points in q5.items() for point in points]
    people = [
        Person(f"Person {seed}-{row}", f"p{seed}-{row}@svar.kommune.no", role, unit, {})
        for row, ((role, unit), _) in enumerate(cells, start=1)
    ]
    if invited is not None:
        silent = [(cell, n) for cell, n in invited.items() for n in range(n)]
        add_invitations(db, round_id, people)
        add_invitations(
            db,
            round_id,
            [
                Person(
                    f"Stille {seed}-{n}",
                    f"s{seed}-{role}-{n}@{unit[-1]}.kommune.no",
                    role,
                    unit,
                    {},
                )
                for (role, unit), n in silent
            ],
        )
    known = respondents_of(db, round_id)
    imported = []
    for row, ((role, unit), point) in enumerate(cells, start=1):
        answers = answers_2009(questionnaire, role, rng)
        drawn = rng.randint(1, 6)
        for asked in [question] if isinstance(question, str) else question:
            answers[asked] = Answer(point or drawn)
        respondent = known.get(people[row - 1].email)
        source = f"test:{seed}:{row}"
        imported.append(ImportedResponse(row, answers, role, unit, {}, respondent, source))
    import_responses(db, questionnaire, round_id, imported)
    db.close()


def q5_read(page: str) -> dict[str, tuple[int, list[int]] | None]:
    """The q5 table of a report preview: group label -> (answers, each point's share in
    whole percent, as the chart's caption gives them), None for a hidden group; empty
    when the page has no q5 table."""
    found = re.search(
        r'id="q-q5".*?<figcaption>(.*?)</figcaption>.*?<table class="likert">(.*?)</table>',
        page,
        re.S,
    )
    if found is None:
        return {}
    caption, table = (entities.unescape(part) for part in found.groups())
    rows = re.findall(r'<th scope="row">(.*?)</th>\s*(<td[^>]*>[^<]*</td>)', table)
    counts = {
        label: None if "hidden-cell" in cell else int(re.sub(r"<[^>]+>", "", cell))
        for label, cell in rows
    }
    shares = {
        label: [int(v) for v in re.split(r", | og ", values)]
        for label, values in re.findall(r" ([^:;]+): ([\d, og]+)[;.]", caption)
    }
    assert {label for label, n in counts.items() if n is not None} == set(shares)
    return {label: None if n is None else (n, shares[label]) for label, n in counts.items()}
