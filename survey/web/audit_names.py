"""The audit log in bokmål. Entries are stored with English action codes and details (the
CLI, the tests and any log collector read those, and they must not change with a page's
wording); the workspace shows them in the language of its page (WCAG 3.1.2).

Every action the engine records has a name here (tests/web/test_audit_page.py finds each
``audit(...)`` call in the package and checks it); a detail is translated by the patterns
below, which cover what the operations write, and a detail no pattern knows (an old
entry, say) is shown as stored and marked as English for screen readers.
"""

from __future__ import annotations

import re

ACTIONS = {
    "bounce recorded": "e-post i retur registrert",
    "breakdowns declared": "nedbrytninger lagret",
    "codes created": "engangskoder laget",
    "invitation text changed": "invitasjonsteksten endret",
    "reminder text changed": "påminnelsesteksten endret",
    "invitations added": "invitasjoner lagt til",
    "measure added": "tiltak lagt til",
    "measure status changed": "tiltakets status endret",
    "password changed": "passord endret",
    "personal links listed": "personlige lenker hentet ut",
    "paper forms printed": "personlige papirskjemaer skrevet ut",
    "return address set": "returadresse for papirskjema endret",
    "double entry turned on": "dobbel innskriving av papirskjemaer slått på",
    "double entry turned off": "dobbel innskriving av papirskjemaer slått av",
    "paper form keyed once": "papirskjema skrevet inn første gang",
    "paper form keyings differed": "papirskjema skrevet inn to ganger med ulike svar",
    "paper form keyings resolved": "forskjeller i papirskjema avgjort",
    "responses exported": "svar eksportert",
    "responses imported": "svar importert",
    "response chosen": "svar valgt (nett eller papir)",
    "round created": "runde opprettet",
    "round closed": "runde lukket",
    "round reopened": "runde åpnet igjen",
    "round settings changed": "rundens innstillinger endret",
    "scores read": "tall hentet ut (kommandolinjen)",
    "sign-in failed": "mislykket innlogging",
    "signed in": "logget inn",
    "signed out": "logget ut",
    "user added": "bruker lagt til",
    "user disabled": "bruker deaktivert",
    "user enabled": "bruker aktivert igjen",
    "role changed": "rolle endret",
    "questionnaire published": "spørreskjema publisert",
    "questionnaire draft started": "spørreskjemautkast startet",
    "questionnaire draft saved": "spørreskjemautkast lagret",
    "questionnaire re-uploaded": "spørreskjema lastet opp igjen (samme versjon)",
    "report downloaded": "rapport lastet ned",
    "report made": "rapport laget",
    "report pack ordered": "rapportpakke bestilt",
    "report pack downloaded": "rapportpakke lastet ned",
    "invitations sent": "invitasjoner sendt",
    "reminders sent": "påminnelser sendt",
}

CHANNELS = {
    "report preview": "rapport i nettleseren",
    "report PDF": "rapport (PDF)",
    "report file": "rapportfil (kommandolinjen)",
    "round page": "rundens side",
    "rounds list": "rundeoversikten",
    "scores": "tall (kommandolinjen)",
}

ROLES = {"admin": "administrator", "analyst": "analytiker", "unit-leader": "enhetsleder"}

# (English pattern, bokmål replacement), applied in order to a stored detail.
_DETAILS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\bround (\d+)", r"runde \1"),
        (r" typed in from paper\b", " skrevet inn fra papir"),
        (r"\breturn code\b", "returkode"),
        (r"\b(\d+) differing answers\b", r"\1 ulike svar"),
        (r"\b(\d+) held beside web responses\b", r"\1 venter på valg mot nettsvar"),
        (r"\bconflict (\d+): the web response counts", r"valg \1: nettsvaret gjelder"),
        (r"\bconflict (\d+): the paper response counts", r"valg \1: papirsvaret gjelder"),
        (
            r"\bconflict (\d+): the import response counts",
            r"valg \1: det importerte svaret gjelder",
        ),
        (r"\bmeasure (\d+)", r"tiltak \1"),
        (r"\bdraft (\d+)", r"utkast \1"),
        (r"\bcopy of\b", "kopi av"),
        (r"\b(\d+) errors\b", r"\1 feil"),
        (r"\(anonymous, open link\)", "(anonym, åpen lenke)"),
        (r"\(anonymous, codes\)", "(anonym, engangskoder)"),
        (r"\baccount locked\b", "kontoen er låst en stund"),
        (r"\b1 session ended\b", "1 økt avsluttet"),
        (r"\b(\d+) sessions ended\b", r"\1 økter avsluttet"),
        (r"\b(\d+) people\b", r"\1 personer"),
        (r"\b(\d+) responses\b", r"\1 svar"),
        (r"\b(\d+) links\b", r"\1 lenker"),
        (r"\b(\d+) sent, (\d+) failed\b", r"\1 sendt, \2 feilet"),
        (r"\bunit alle\b", "alle enheter"),
        (r"\bunit ", "enhet "),
        (r"\bversion (\d+)", r"versjon \1"),
        (r", compared with (\d+)", r", sammenlignet med runde \1"),
        (r"\bas (csv|xlsx)\b", r"som \1"),
        (r"\bby -", "hele runden"),
        (r"\bby ([\w,]+)", r"etter \1"),
        (r"\bcloses on\b", "siste svardag"),
        (r"\bminimum group size\b", "minste gruppestørrelse"),
        (r"(?<=: )name\b", "navn"),
        (r"(?<=; )name\b", "navn"),
        (r" -> ", " → "),
        # a role change: "kari@ks.no: analyst → unit-leader for Verdal"
        (r"\badmin(?= →| for )|(?<=→ )admin\b", "administrator"),
        (r"\banalyst(?= →| for )|(?<=→ )analyst\b", "analytiker"),
        (r"\bunit-leader(?= →| for )|(?<=→ )unit-leader\b", "enhetsleder"),
        (r"\bNone\b", "ingen"),
        (r"\(admin\)", "(administrator)"),
        (r"\(analyst\)", "(analytiker)"),
        (r"\(unit-leader\)", "(enhetsleder)"),
        (r"\bfor units?\b", "for"),
    )
]
_ENGLISH = re.compile(
    r"\b(round|session|sessions|people|responses|links|account|as|by|version|the)\b"
)


def action_nb(action: str) -> str:
    return ACTIONS.get(action, action)


def detail_nb(detail: str) -> tuple[str, bool]:
    """The detail in bokmål, and whether English words are left in it."""
    for pattern, replacement in _DETAILS:
        detail = pattern.sub(replacement, detail)
    return detail, bool(_ENGLISH.search(detail))
