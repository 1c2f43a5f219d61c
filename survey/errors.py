"""The one error hierarchy: what went wrong, in kinds each edge knows how to show.

Every failure a user can cause, or act on, is a ``SurveyError`` of one of five kinds. The
kind, not the module that raised it, decides how it is shown: the web picks the HTTP status
and a bokmål page from it (``survey.web.errors``), the CLI prints the message and exits
non-zero (``survey.cli``). So a new rule anywhere needs no new handler anywhere, and no route
answers 500 for something a user did. Anything that is not a ``SurveyError`` is a bug and is
left to fail loudly.

The message is for the operator, in English, saying what and how to fix it. ``message_nb``
is what a respondent or the secretariat may read on a page; kinds have a bokmål default so a
page never shows English. This module imports nothing: the pure core raises these too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar


class SurveyError(Exception):
    """Base of every error a user can cause or act on."""

    status: ClassVar[int] = 400
    title_nb: ClassVar[str] = "Noe gikk galt"
    default_nb: ClassVar[str] = "Forespørselen kunne ikke utføres."

    def __init__(self, message: str, *, message_nb: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_nb = message_nb or self.default_nb


class NotFound(SurveyError):
    """Asked for something that does not exist (an unknown round, version, measure)."""

    status = 404
    title_nb = "Finnes ikke"
    default_nb = "Det du ba om, finnes ikke. Kanskje lenken er feil eller gammel."


class Conflict(SurveyError):
    """Cannot be done in the current state (a closed round, a version already published)."""

    status = 409
    title_nb = "Kan ikke gjøres nå"
    default_nb = "Dette kan ikke gjøres slik saken står nå."


class InvalidInput(SurveyError):
    """The input is wrong; ``problems`` lists each problem (rows of a file, lines of YAML)."""

    status = 422
    title_nb = "Noe må rettes"
    default_nb = "Noe av det som ble sendt inn, må rettes."

    def __init__(
        self,
        message: str,
        problems: Sequence[object] = (),
        *,
        message_nb: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, message_nb=message_nb)
        self.problems: Sequence[object] = list(problems)
        self.field = field  # the input it is about, so a form can show it there


class Forbidden(SurveyError):
    """The acting account may not do this."""

    status = 403
    title_nb = "Ingen tilgang"
    default_nb = "Kontoen din har ikke tilgang til dette."


class Unavailable(SurveyError):
    """Something this needs cannot be reached now (mail server, database); try again."""

    status = 503
    retry: ClassVar[bool] = True  # whether trying again later may help (Retry-After)
    title_nb = "Ikke tilgjengelig akkurat nå"
    default_nb = "Tjenesten er ikke tilgjengelig akkurat nå. Prøv igjen om litt."
