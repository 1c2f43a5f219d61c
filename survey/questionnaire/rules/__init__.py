"""Rules that span several parts of a questionnaire, one module per area."""

from __future__ import annotations

from survey.questionnaire.problems import Problem
from survey.questionnaire.rules import conditions, ids, limits, references, texts
from survey.questionnaire.rules.context import Context
from survey.questionnaire.yamlsource import Source


def check_rules(source: Source) -> list[Problem]:
    """Run every rule on a file whose shape is already valid."""
    ctx = Context(source)
    for rule in (ids, references, limits, conditions, texts):  # ids first: it registers the entries
        rule.check(ctx)
    return ctx.problems
