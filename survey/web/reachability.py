"""Does the public address in invitations (BASE_URL) reach this installation?

Every link in every e-mail is BASE_URL plus a token. Served on another port or behind a
proxy with BASE_URL left at its default, the mails would all point at an address where
nothing answers, and nothing could call them back. So before a batch is sent the address
is checked, in two ways, either of which is enough:

- the secretariat is using this very address right now (the request came in on it), or
- a request to it, made from here, is answered by this installation: the probe path
  answers a mark derived from SECRET_KEY, which every worker process of this installation
  shares and no other installation has (an HMAC: the key cannot be read back from it).

The probe is bounded (one request, a few seconds) and its result kept for a minute.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, make_response, request

from survey.addresses import check_base_url

PROBE_PATH = "/.well-known/survey-instance"
TIMEOUT = 3.0  # seconds for the probe request
REMEMBER = 60.0  # seconds a probe's outcome is kept

bp = Blueprint("reachability", __name__)
_remembered: dict[tuple[str, str], tuple[float, bool]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Reach:
    """The outcome of a check: ``ok``, and what the secretariat is told."""

    base_url: str
    ok: bool
    message_nb: str


def instance_mark(secret_key: str) -> str:
    return hmac.new(secret_key.encode(), b"survey-instance", hashlib.sha256).hexdigest()[:32]


@bp.route(PROBE_PATH)
def probe() -> Response:
    response = make_response(instance_mark(current_app.config["SECRET_KEY"]))
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response


def check_reach() -> Reach:
    """Whether links built on BASE_URL lead to this installation (see the module)."""
    base_url = check_base_url(current_app.config["BASE_URL"])
    here = request.host_url.rstrip("/")
    if _origin(base_url) == _origin(here) or _answers(base_url):
        return Reach(base_url, True, f"Lenkene går til {base_url}, og den adressen fører hit.")
    return Reach(
        base_url,
        False,
        f"Lenkene ville gått til {base_url}, men den adressen fører ikke til denne "
        f"løsningen (du bruker den på {here}). Ingen e-post er sendt. Be den som drifter "
        "løsningen sette innstillingen SURVEY_BASE_URL til adressen mottakerne skal bruke.",
    )


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].lower()
    default = {"http": ":80", "https": ":443"}.get(scheme, "")
    return f"{scheme}://{host.removesuffix(default)}"


def _answers(base_url: str) -> bool:
    mark = instance_mark(current_app.config["SECRET_KEY"])
    key = (base_url, mark)
    with _lock:
        seen = _remembered.get(key)
        if seen and time.monotonic() - seen[0] < REMEMBER:
            return seen[1]
    try:
        with urllib.request.urlopen(base_url + PROBE_PATH, timeout=TIMEOUT) as answer:
            ok = hmac.compare_digest(answer.read(64).decode("ascii", "replace"), mark)
    except (urllib.error.URLError, OSError, ValueError):
        ok = False
    with _lock:
        _remembered[key] = (time.monotonic(), ok)
    return ok
