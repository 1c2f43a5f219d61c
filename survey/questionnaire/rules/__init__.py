"""Rules that span several parts of a questionnaire, one module per area."""

from __future__ import annotations

from survey.questionnaire.problems import Problem
from survey.questionnaire.rules import ids, limits, references, show_if, translations
from survey.questionnaire.rules.context import Context
from survey.questionnaire.yamlsource import Source


def check_rules(source: Source) -> list[Problem]:
    """Run every rule on a file whose shape is already valid."""
    ctx = Context(source)
    # ids first: it registers the entries the others look up
    for rule in (ids, references, limits, show_if, translations):
        rule.check(ctx)
    return ctx.problems
