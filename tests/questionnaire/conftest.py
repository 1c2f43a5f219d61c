"""Every problem any linter test produces is also checked for its bokmål (issue 16, defect 5):
together the test_linter_* files reach every message the linter has, so a new message
without a real bokmål text fails whichever test first produces it."""

from __future__ import annotations

import pytest

from survey.questionnaire import loader
from survey.questionnaire.problems import Problem


def bokmal_problems(problem: Problem) -> list[str]:
    """What is wrong with a problem's bokmål, if anything."""
    wrong = []
    if not problem.message_nb or problem.message_nb == problem.message:
        wrong.append(f"no bokmål message for: {problem.message}")
    if bool(problem.hint) != bool(problem.hint_nb) or (
        problem.hint and problem.hint_nb == problem.hint
    ):
        wrong.append(f"no bokmål hint for: {problem.hint}")
    return wrong


@pytest.fixture(autouse=True)
def _every_problem_speaks_bokmal(monkeypatch):
    sort = loader._sorted
    seen: list[Problem] = []

    def checked(result: loader.LoadResult) -> loader.LoadResult:
        seen.extend(result.problems)
        return sort(result)

    monkeypatch.setattr(loader, "_sorted", checked)
    yield
    wrong = [text for problem in seen for text in bokmal_problems(problem)]
    assert not wrong, wrong
