"""Who sees what: audiences and show_if conditions, decided the same way everywhere.

The web form asks which questions to render, the server asks which answers to keep, the
importer asks which cells may be filled: all of them call ``visible_questions`` so the
rules cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar

from survey.questionnaire.conditions import Value, evaluate

if TYPE_CHECKING:  # the model imports answers, which asks this module what is visible
    from survey.questionnaire.model import Page, Question, Questionnaire

V = TypeVar("V")


def stated_role(
    questionnaire: Questionnaire, answers: Mapping[str, Value], default: str | None
) -> str | None:
    """The role a respondent gave in the role question, else ``default`` (the role the
    invitation says). Reports are scored per the stated role, so it must win everywhere."""
    if questionnaire.role_question_id:
        stated = answers.get(questionnaire.role_question_id)
        if isinstance(stated, str) and questionnaire.role(stated) is not None:
            return stated
    return default


def in_audience(audience: frozenset[str] | None, role: str | None) -> bool:
    return audience is None or (role is not None and role in audience)


def visible_questions(
    questionnaire: Questionnaire, role: str | None, answers: Mapping[str, Value]
) -> list[Question]:
    """Questions this respondent sees, given their role and answers so far.

    ``role`` is the role known beforehand (from the invitation); an answer to the role
    question overrides it.

    Answers to questions that are themselves hidden are ignored while deciding later ones,
    so hiding cascades: a hidden q2 cannot keep q3 (which depends on it) visible.
    """
    role = stated_role(questionnaire, answers, role)
    kept: dict[str, Value] = {}
    shown: list[Question] = []
    for page in questionnaire.pages:
        if not _page_visible(page, role, kept):
            continue
        for question in page.questions:
            if not in_audience(question.audience, role):
                continue
            if question.show_if is not None and not evaluate(question.show_if, kept):
                continue
            shown.append(question)
            for answer_id in question.answer_ids:
                if answer_id in answers:
                    kept[answer_id] = answers[answer_id]
    return shown


def _page_visible(page: Page, role: str | None, answers: Mapping[str, Value]) -> bool:
    if not in_audience(page.audience, role):
        return False
    return page.show_if is None or evaluate(page.show_if, answers)


def prune_hidden(
    questionnaire: Questionnaire, role: str | None, answers: Mapping[str, Value]
) -> dict[str, Value]:
    """The answers that may be stored: those to questions the respondent can see."""
    return answers_to(visible_questions(questionnaire, role, answers), answers)


def answers_to(questions: Iterable[Question], answers: Mapping[str, V]) -> dict[str, V]:
    """The answers that belong to ``questions``; for callers that already hold the visible
    questions and so need not work them out again."""
    allowed = {aid for q in questions for aid in q.answer_ids}
    return {k: v for k, v in answers.items() if k in allowed}
