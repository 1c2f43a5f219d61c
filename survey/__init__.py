"""Questionnaire engine for Norwegian municipal quality work.

``create_app`` is imported lazily so that the pure core (``survey.questionnaire``) can be
used, and tested, without importing Flask.
"""

from __future__ import annotations

from typing import Any


def create_app(test_config: dict[str, Any] | None = None) -> Any:
    """Application factory; found by ``flask --app survey``."""
    from survey.web import create_app as _create_app

    return _create_app(test_config)
