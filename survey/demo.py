"""A generated national round of the 2009 evaluation, for demos, tests and benchmarks.

138 municipalities in three cohorts (puljer), each inviting its mayor, chief executive,
union representative and project leader; about nine in ten answer. Every generated answer
set passes ``check_answers``, so it is exactly what the web form could have stored. Roles
lean differently (project leaders are the most positive), so breakdowns have something to
show. Deterministic for a given seed.
"""

from __future__ import annotations

import random

from survey.invitation_list import Person
from survey.questionnaire import load_file
from survey.questionnaire.answers import Answer, check_answers
from survey.questionnaire.model import Questionnaire
from survey.resources import DEMO_QUESTIONNAIRE, EMPLOYEE_QUESTIONNAIRE
from survey.responses_csv import ImportedResponse
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.responses import import_responses, respondents_of
from survey.storage.rounds import Round, create_round
from survey.storage.store import Store

ROLES = ("ordforer", "radmann", "tillitsvalgt", "prosjektleder")
LEANING = {"ordforer": 0.3, "radmann": 0.1, "tillitsvalgt": -0.4, "prosjektleder": 0.6}
STEERING_CHANGES = (
    "Ny rådmann etter valget.",
    "Hovedtillitsvalgt byttet ut.",
    "Styringsgruppen ble utvidet med to enhetsledere.",
    "Ny ordfører fra 2007.",
)
COMMENTS = (
    "Programmet har gitt oss en felles plattform for kvalitetsarbeid.",
    "Nettverkssamlingene var nyttige, men for få.",
    "Samarbeidet med de tillitsvalgte er blitt bedre.",
    "Vi trenger mer tid til å følge opp tiltakene.",
    "Det var krevende å frigjøre tid til prosjektarbeidet.",
    "Brukerundersøkelsene gir oss et godt grunnlag for forbedring.",
)


def national_2009_round(
    db: Store,
    *,
    name: str = "Evaluering 2009 (generert)",
    municipalities: int = 138,
    answer_rate: float = 0.9,
    seed: int = 2009,
    shift: float = 0.0,
    cohorts: int = 3,
) -> Round:
    """Publish the 2009 questionnaire, invite 4 people per municipality and store the
    answers of about ``answer_rate`` of them. ``shift`` moves every Likert answer (a later
    round that went better)."""
    loaded = load_file(DEMO_QUESTIONNAIRE)
    questionnaire = loaded.questionnaire
    assert questionnaire is not None, loaded.problems
    publish(db, loaded)
    round_ = create_round(db, questionnaire.id, name)
    people = [
        Person(
            f"{role.capitalize()} {number:03d}",
            f"{role}@kommune{number:03d}.example.no",
            role,
            f"Kommune {number:03d}",
            {"pulje": str(1 + number % cohorts)},
        )
        for number in range(1, municipalities + 1)
        for role in ROLES
    ]
    add_invitations(db, round_.id, people)
    rng = random.Random(seed)
    invited = respondents_of(db, round_.id)
    imported = []
    for row, person in enumerate(people, start=1):
        if rng.random() >= answer_rate:
            continue
        answers = answers_2009(questionnaire, person.role, rng, shift)
        assert not check_answers(questionnaire, person.role, answers), person
        imported.append(
            ImportedResponse(
                row,
                answers,
                person.role,
                person.unit,
                dict(person.attributes),
                invited[person.email],
            )
        )
    # made-up people answering by their links: web responses, which they may change
    import_responses(db, questionnaire, round_.id, imported, channel="web")
    return round_


def employee_round(
    db: Store,
    *,
    name: str = "Medarbeiderundersøkelse (generert)",
    units: int = 200,
    per_unit: int = 8,
    seed: int = 10,
    min_group_size: int = 5,
) -> Round:
    """Publish the employee survey, invite ``per_unit`` people in each of ``units`` units
    ("Enhet 001" ...), the first of each its leader, and store everyone's answers: a round
    whose every unit has a report worth reading (a report pack, its tests and benchmark).
    Units lean differently, so their reports differ."""
    loaded = load_file(EMPLOYEE_QUESTIONNAIRE)
    questionnaire = loaded.questionnaire
    assert questionnaire is not None, loaded.problems
    publish(db, loaded)
    round_ = create_round(db, questionnaire.id, name, min_group_size=min_group_size)
    people = [
        Person(
            f"Ansatt {unit:03d}-{n:02d}",
            f"ansatt{n:02d}@enhet{unit:03d}.example.no",
            "leder" if n == 0 else "medarbeider",
            f"Enhet {unit:03d}",
            {},
        )
        for unit in range(1, units + 1)
        for n in range(per_unit)
    ]
    add_invitations(db, round_.id, people)
    rng = random.Random(seed)
    leaning = {f"Enhet {unit:03d}": rng.gauss(0, 0.5) for unit in range(1, units + 1)}
    invited = respondents_of(db, round_.id)
    imported = []
    for row, person in enumerate(people, start=1):
        answers = {
            "rolle": Answer(person.role),
            "sektor": Answer(rng.choice(("pleie_og_omsorg", "oppvekst", "helse_og_velferd"))),
            "stilling": Answer("heltid"),
            "ansiennitet": Answer(rng.choice(("under_1_ar", "ar_1_2", "ar_3_9"))),
            "medarbeidersamtale": Answer(rng.choice(("ja", "ja", "nei"))),
        }
        if person.role == "leder":
            answers["antall_medarbeidere"] = Answer("inntil_10")
        for item in questionnaire.items:
            if item.question_id == "q_lederrollen" and person.role != "leder":
                continue
            point = round(rng.gauss(4.4 + leaning[person.unit], 1.0))
            answers[item.id] = Answer(min(item.scale.high, max(item.scale.low, point)))
        assert not check_answers(questionnaire, person.role, answers), person
        imported.append(
            ImportedResponse(row, answers, person.role, person.unit, {}, invited[person.email])
        )
    import_responses(db, questionnaire, round_.id, imported, channel="web")
    return round_


def answers_2009(
    questionnaire: Questionnaire, role: str, rng: random.Random, shift: float = 0.0
) -> dict[str, Answer]:
    """One plausible, valid answer set for a respondent in ``role``."""
    answers = {"q1": Answer(role)}
    if role == "prosjektleder":
        answers["q2"] = (
            Answer("ja", {"ja": rng.choice(STEERING_CHANGES)})
            if rng.random() < 0.7
            else Answer("nei")
        )
        changes = {c for c in ("skifte", "okt_frikjop", "redusert_frikjop") if rng.random() < 0.2}
        answers["q3"] = Answer(frozenset(changes or {"ingen_endringer"}))
        answers["q4"] = (
            Answer("frikjopt", {"frikjopt": float(rng.choice((10, 20, 25, 50, 100)))})
            if rng.random() < 0.6
            else Answer(rng.choice(("ikke_frikjopt", "annet")))
        )
    for item in questionnaire.items:
        centre = 4.3 + LEANING[role] + shift
        point = round(rng.gauss(centre, 1.0))
        answers[item.id] = Answer(min(item.scale.high, max(item.scale.low, point)))
    for question_id in ("q9b", "q11a", "q11b"):
        answers[question_id] = Answer(rng.choices(("ja", "nei", "vet_ikke"), (6, 3, 1))[0])
    answers["q10"] = Answer(rng.choice(("ja_internt", "ja_eksternt", "ja_begge", "nei")))
    if rng.random() < 0.15:
        answers["q14"] = Answer(rng.choice(COMMENTS))
    return answers
