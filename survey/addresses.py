"""Where people are reached: e-mail addresses and the web links sent to them.

One rule for an e-mail address serves both the invitation list and the mail sender, so an
address that passes the list is one the sender can deliver to: before, ``kåre@kommune.no``
was invited and then refused at sending time, when the list was long gone. Likewise one
function builds every link, so the CLI's ``survey links``, the demo and the invitations all
check the base address the same way.

Pure: no Flask or SQLite.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from survey.errors import InvalidInput

_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"  # letters (æøå too) and digits, inner '-' or '_'
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+{_LABEL}")
_SPACE = re.compile(r"\s")
# RFC 5321's dot-atom in ASCII: what every mail server accepts before '@'. Letters such as
# 'å' there need SMTPUTF8, which few municipal servers offer; the domain may have them (it is
# sent as IDNA, bø.kommune.no as xn--b-5ga.kommune.no).
_LOCAL = re.compile(r"[!#$%&'*+\-/=?^_`{|}~.0-9A-Za-z]+")


def email_problem(email: str) -> str | None:
    """Why ``email`` (already stripped) cannot be used, or None if it can.

    Deliberately simple: one '@', something before it that a mail server accepts, a dotted
    domain of letters, digits and hyphens. Whether the mailbox exists is for the mail server
    to say; this catches the slips of typing and copying: a missing or doubled '@',
    ``Kari <kari@ex.no>``, two addresses in one cell, a missing dot, a trailing dot, a
    letter such as 'å' before the '@'."""
    found = _email_problem(email)
    return found[0] if found else None


def email_problem_nb(email: str) -> str | None:
    """``email_problem``'s reason in bokmål, for the secretariat's pages."""
    found = _email_problem(email)
    return found[1] if found else None


def _email_problem(email: str) -> tuple[str, str] | None:
    """(English, bokmål) reason, or None."""
    if _SPACE.search(email):
        return "it contains a space", "den inneholder et mellomrom"
    if not email.isprintable():
        return "it contains an invisible character", "den inneholder et usynlig tegn"
    count = email.count("@")
    if count != 1:
        if count == 0:
            return "it has no '@'", "den mangler '@'"
        return f"it has {count} '@'", f"den har {count} '@'"
    local, domain = email.split("@")
    if not local:
        return "nothing before the '@'", "det står ingenting foran '@'"
    if "." not in domain:
        return f"no dot in the domain '{domain}'", f"domenet '{domain}' mangler punktum"
    if not _DOMAIN.fullmatch(domain) or (not _LOCAL.fullmatch(local) and local.isascii()):
        return "not a valid email address", "den er ikke en gyldig e-postadresse"
    if not _LOCAL.fullmatch(local):
        return (
            "a letter such as æ, ø or å before the '@' cannot be delivered by most mail "
            "servers; use the address as the person's mail system writes it",
            "en bokstav som æ, ø eller å foran '@' kan de fleste e-posttjenere ikke levere "
            "til; bruk adressen slik personens e-postsystem skriver den",
        )
    return None


def deliverable(email: str) -> tuple[str, str]:
    """(local part, ASCII domain) of an address for a mail header; InvalidInput if
    ``email_problem`` finds anything."""
    email = email.strip()
    problem = email_problem(email)
    if problem is not None:
        raise InvalidInput(f"'{email}' is not an address the mail server can deliver to: {problem}")
    local, _, domain = email.rpartition("@")
    return local, domain.encode("idna").decode("ascii")


def check_base_url(base_url: str) -> str:
    """``base_url`` without a trailing '/', once it is known to be a web address: it comes
    from configuration, so it is checked rather than trusted."""
    parts = urlsplit(base_url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or " ".join(base_url.split()) != base_url
        or not base_url.isprintable()
    ):
        raise InvalidInput(f"BASE_URL {base_url!r} is not a web address like https://example.no")
    return base_url.rstrip("/")


def personal_link(base_url: str, token: str) -> str:
    """An invited respondent's own address: it carries their token, so it goes only into
    their own invitation (and the operator's ``survey links``)."""
    return f"{check_base_url(base_url)}/s/{token}"


def open_link(base_url: str, token: str) -> str:
    """The one link of an anonymous round, shared with everyone asked."""
    return f"{check_base_url(base_url)}/a/{token}"


# An invitation list's columns for a postal address, in Norwegian or English (lower-cased,
# as the list keeps attribute names); the first of each that a person has is used.
STREET_COLUMNS = ("adresse", "postadresse", "gateadresse", "address", "street")
POSTCODE_COLUMNS = ("postnummer", "postnr", "postcode", "postal_code", "zip")
PLACE_COLUMNS = ("poststed", "sted", "city", "town")
MAX_ADDRESS_LINES = 5
"""A window envelope shows five or six lines: the name and up to four more."""


def postal_address(name: str, unit: str, attributes: dict[str, str]) -> tuple[str, ...]:
    """The lines of the address block on a personal paper form, the name first.

    From the invitation list's address columns when the person has them ("Storgata 1",
    "7600 Levanger"; a street cell may hold several lines, split at line breaks or ';');
    otherwise the name and the unit, which is how internal mail reaches a person."""

    def first(columns: tuple[str, ...]) -> str:
        return next((v.strip() for c in columns if (v := attributes.get(c, "")).strip()), "")

    street = [part.strip() for part in first(STREET_COLUMNS).replace(";", "\n").splitlines()]
    place = " ".join(part for part in (first(POSTCODE_COLUMNS), first(PLACE_COLUMNS)) if part)
    lines = [line for line in (*street, place) if line]
    if not lines:
        lines = [unit] if unit.strip() else []
    return (name, *lines)[:MAX_ADDRESS_LINES]
