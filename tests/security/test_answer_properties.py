"""Property: whatever a browser (or anyone) posts, the database holds exactly what the core's
answer rules allow, and a submitted response obeys every rule.

Hypothesis plays respondents of the anonymous home-care survey (roles, a show_if page and
show_if questions, a matrix with "vet ikke", an exclusive option, a specify text, a length
limit). Each step posts one page through the Flask test client: sometimes valid, sometimes
with out-of-scale values, unknown or foreign codes, duplicate fields, answers to hidden
questions, over-long texts or hostile characters; sometimes "Tilbake" instead of "Neste";
sometimes a page the respondent should not be on. The expected outcome of each post is
worked out from the core alone (``parse_answer``, ``check_answers``, visibility), then
compared with what the database holds afterwards.

Hypothesis draws a fixed-shape plan (per step: which page, which button, hostile or not, a
seed) plus a few texts; the forms are built from the seed. Nothing drawn depends on what
the server answered, so a failing plan replays and shrinks exactly."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

import pytest
from hypothesis import Phase, event, given, settings
from hypothesis import strategies as st

from survey import create_app
from survey.questionnaire import load_file
from survey.questionnaire.answers import Answer, ParseError, check_answers, parse_answer
from survey.questionnaire.model import (
    MultipleChoiceQuestion,
    Page,
    Question,
    Questionnaire,
    ScaleQuestion,
    SingleChoiceQuestion,
)
from survey.questionnaire.visibility import prune_hidden, stated_role, visible_questions
from survey.storage import open_database
from survey.storage.questionnaires import publish, questionnaire_of_version
from survey.storage.responses import load_answers
from survey.storage.rounds import create_round
from tests.conftest import QUESTIONNAIRES

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
HOSTILE = ["", "  ", "0", "7", "-1", "3.5", "6,0", " 4 ", "1e1", "abc", "ukjent", "ja"]
HOSTILE += ["vet_ikke", "<script>", "'; DROP TABLE answers; --", "\x00", "\u202e", "x" * 2001]


class Survey:
    """The app and its anonymous round (a plain class: short in a failure report)."""

    def __init__(self, app, path: str, round_id: int, token: str, questionnaire: Questionnaire):
        self.app, self.path, self.round_id = app, path, round_id
        self.token, self.questionnaire = token, questionnaire

    def __repr__(self) -> str:
        return f"Survey({self.questionnaire.id}, round {self.round_id})"


@pytest.fixture(scope="module")
def survey(tmp_path_factory) -> Survey:
    path = str(tmp_path_factory.mktemp("properties") / "survey.sqlite3")
    db = open_database(path)
    publish(db, load_file(QUESTIONNAIRES / "brukerundersokelse-hjemmetjeneste.yaml"))
    round_ = create_round(db, "brukerundersokelse-hjemmetjeneste", "Egenskaper", anonymous=True)
    questionnaire = questionnaire_of_version(db, round_.questionnaire_version_id)
    db.close()
    # CSRF is tested elsewhere; here it would only cost a GET before every post.
    config = {"DATABASE": path, "SECRET_KEY": "t", "TESTING": True, "WTF_CSRF_ENABLED": False}
    return Survey(create_app(config), path, round_.id, round_.open_token, questionnaire)


def valid_fields(question: Question, rng: random.Random, texts: list[str]) -> dict:
    """Values a real form could send for one question (possibly still breaking a rule)."""
    if isinstance(question, ScaleQuestion):
        points = [str(v) for v in question.scale.values] + sorted(question.scale.not_scored_codes)
        return {aid: [rng.choice(points)] for aid in question.answer_ids}
    if isinstance(question, SingleChoiceQuestion):
        return {question.id: [rng.choice(question.codes)]}
    if isinstance(question, MultipleChoiceQuestion):
        plain = [c.code for c in question.choices if not c.exclusive]
        exclusive = [c.code for c in question.choices if c.exclusive]
        if exclusive and rng.random() < 0.2:
            return {question.id: [rng.choice(exclusive)]}
        return {question.id: rng.sample(plain, rng.randint(1, len(plain)))}
    return {question.id: [rng.choice([*texts, ""])]}


def hostile_fields(question: Question, rng: random.Random, texts: list[str]) -> dict:
    pool = HOSTILE + texts
    return {
        aid: [rng.choice(pool) for _ in range(rng.randint(0, 3))]
        for aid in question.answer_ids
        if rng.random() < 0.7
    }


def page_form(
    questionnaire: Questionnaire, page: Page, hostile: bool, seed: int, texts: list[str]
) -> dict[str, list[str]]:
    rng = random.Random(seed)
    form: dict[str, list[str]] = {}
    for question in page.questions:
        form |= (hostile_fields if hostile else valid_fields)(question, rng, texts)
        for choice in question.detail_choices:
            if rng.random() < 0.6:
                form[f"{question.id}__{choice.code}"] = [rng.choice(texts + HOSTILE)]
    if rng.random() < 0.2:  # an answer to some question not on this page
        form |= valid_fields(rng.choice(questionnaire.questions), rng, texts)
    return form


def values(answers: dict[str, Answer]) -> dict:
    return {k: a.value for k, a in answers.items()}


def role_of(q: Questionnaire, answers: dict[str, Answer]) -> str | None:
    return stated_role(q, values(answers), None)


@dataclass
class Outcome:
    answers: dict[str, Answer]  # what the database must hold afterwards
    page: int | None  # where the respondent is sent; None: the thank-you page
    refused: bool = False  # the page is shown again with messages


def page_numbers(q: Questionnaire, answers: dict[str, Answer]) -> list[int]:
    shown = {
        question.page_id for question in visible_questions(q, role_of(q, answers), values(answers))
    }
    return [i + 1 for i, page in enumerate(q.pages) if page.id in shown]


def expected_after(
    q: Questionnaire, stored: dict[str, Answer], number: int, form: dict, action: str
) -> Outcome:
    """The outcome of posting ``form`` to page ``number``, worked out from the core's rules
    alone (parse_answer, check_answers, visibility)."""
    visible = visible_questions(q, role_of(q, stored), values(stored))
    on_page = [question for question in q.pages[number - 1].questions if question in visible]
    if not on_page:  # not this respondent's page: sent on, nothing read
        later = [n for n in page_numbers(q, stored) if n > number]
        return Outcome(stored, later[0] if later else None)
    parsed: dict[str, Answer] = {}
    unparsed: set[str] = set()
    for question in on_page:
        details = {
            c.code: form.get(f"{question.id}__{c.code}", [""])[0] for c in question.detail_choices
        }
        for aid in question.answer_ids:
            try:
                answer = parse_answer(question, aid, form.get(aid, []), details)
            except ParseError:
                unparsed.add(aid)
                continue
            if answer is not None:
                parsed[aid] = answer
    ids = {aid for question in on_page for aid in question.answer_ids}
    merged = {k: v for k, v in stored.items() if k not in ids} | parsed
    broken = {e.answer_id for e in check_answers(q, role_of(q, merged), merged, on_page)}
    if action == "next" and (unparsed or broken - unparsed):
        return Outcome(stored, number, refused=True)
    if action == "back":  # a refused answer keeps what was stored before
        refused = unparsed | broken
        merged = {k: v for k, v in merged.items() if k not in refused} | {
            k: v for k, v in stored.items() if k in refused
        }
    kept = {k: merged[k] for k in prune_hidden(q, role_of(q, merged), values(merged))}
    numbers = page_numbers(q, merged)
    if action == "back":
        earlier = [n for n in numbers if n < number]
        return Outcome(kept, earlier[-1] if earlier else number)
    later = [n for n in numbers if n > number]
    if later:
        return Outcome(kept, later[0])
    incomplete = {
        q.question_for(e.answer_id).page_id for e in check_answers(q, role_of(q, kept), kept)
    }
    first = [i + 1 for i, page in enumerate(q.pages) if page.id in incomplete]
    return Outcome(kept, first[0] if first else None)


def stored_state(survey: Survey, client) -> tuple[dict[str, Answer], bool]:
    secret = client.get_cookie("survey_anonymous", path=f"/a/{survey.token}").value
    key = hashlib.sha256(f"{survey.round_id}:{secret}".encode()).hexdigest()
    db = open_database(survey.path, migrate=False)
    try:
        found = db.execute(
            "SELECT id, submitted FROM responses WHERE session_key = ?", [key]
        ).fetchone()
        if found is None:  # nothing saved yet: the response is stored with its first page
            return {}, False
        response_id, submitted = found
        return load_answers(db, survey.questionnaire, response_id), bool(submitted)
    finally:
        db.close()


STEP = st.tuples(
    st.integers(0, 9),  # 0: post to any page (the next number), else where the rules lead
    st.integers(1, 7),
    st.integers(0, 7),  # 0: "Tilbake" instead of "Neste"
    st.integers(0, 4),  # 0: a hostile form, else one a browser could send
    st.integers(0, 2**32 - 1),  # the seed the form is built from
)


# No shrinking: every example is a dozen HTTP requests, and a plan of at most 16 steps
# reads well enough as it is found.
@settings(max_examples=30, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(steps=st.lists(STEP, min_size=1, max_size=16), texts=st.lists(TEXT, min_size=1, max_size=4))
def test_what_is_stored_is_exactly_what_the_rules_allow(survey, steps, texts):
    q = survey.questionnaire
    client = survey.app.test_client()
    base = f"/a/{survey.token}"
    assert client.get(f"{base}/side/1").status_code == 200
    number = 1
    model: dict[str, Answer] = {}  # what the database holds, according to the rules
    for stray, any_page, back, hostile, seed in steps:
        number = min(any_page, len(q.pages)) if stray == 0 else number
        form = page_form(q, q.pages[number - 1], hostile == 0, seed, texts)
        action = "back" if back == 0 else "next"
        expected = expected_after(q, model, number, form, action)
        r = client.post(f"{base}/side/{number}", data={**form, "action": action})
        after, submitted = stored_state(survey, client)
        assert after == expected.answers
        before, model = model, expected.answers
        if expected.refused:
            assert r.status_code == 200
            event("refused")
            continue
        where = "ferdig" if expected.page is None else f"side/{expected.page}"
        assert (r.status_code, r.headers["Location"]) == (302, f"{base}/{where}")
        event("stored" if after != before else "unchanged")
        # Whatever is stored breaks no rule; what is submitted misses nothing either.
        problems = check_answers(q, role_of(q, after), after)
        assert [e for e in problems if e.answer_id in after] == []
        if expected.page is None:
            assert submitted and problems == []
            event("submitted")
            number = 1
        else:
            number = expected.page
