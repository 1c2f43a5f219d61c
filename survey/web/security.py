"""Headers every response carries, and the brake on guessing respondent links.

The headers: no script at all, and styles, images and fonts only from our own files (so an
answer that slips past escaping still cannot run or load anything; the fonts are the
report's own, which its HTML preview loads), never inside a frame, no MIME sniffing, and no
Referer that could carry a token in its URL to another site.

The brake counts *failed* token lookups (unknown token, closed round) per client address in
a fixed window. A respondent with a working link never touches it beyond one dictionary
lookup, so the answering path stays as fast as it was. Counts live in the process: with
several worker processes each keeps its own (the limit is then per worker). Behind a
reverse proxy the client address comes from X-Forwarded-For only as far as
``PROXY_X_FOR`` trusts it (``proxies``); otherwise the header is ignored, so a client
cannot pick a new address per request to escape the brake.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable, Mapping

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import URLSafeTimedSerializer
from werkzeug.wrappers import Response
from wtforms import ValidationError

from survey.errors import Unavailable

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "script-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class TooManyFailures(Unavailable):
    """This address has had too many failed token lookups (``reason`` "links"), or has
    started too many anonymous responses through one open link ("responses"); retry after
    ``retry_after``. Unavailable to this address for a while, so 429 rather than 503; its
    own page (``errors._too_many``) says for how long."""

    status = 429

    def __init__(self, retry_after: int, reason: str = "links"):
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after
        self.reason = reason


class FailureLimiter:
    """At most ``limit`` failures per address in a fixed window of ``window`` seconds.

    Also counts what is not a failure but must not come in floods (``count``, keyed by more
    than the address): new anonymous responses per address and open link."""

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        max_addresses: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        reason: str = "links",
    ):
        self.limit = limit
        self.window = window
        self.max_addresses = max_addresses
        self.clock = clock
        self.reason = reason
        self._failures: dict[str, tuple[float, int]] = {}  # address -> (window start, count)
        self._lock = threading.Lock()

    @property
    def tracked(self) -> int:
        return len(self._failures)

    def check(self, address: str) -> None:
        """Raise TooManyFailures if the address is blocked (the hot path: one dict lookup)."""
        entry = self._failures.get(address)
        if entry is None:
            return
        started, count = entry
        left = started + self.window - self.clock()
        if count >= self.limit and left > 0:
            raise TooManyFailures(max(1, int(left + 0.999)), self.reason)

    def failed(self, address: str) -> None:
        now = self.clock()
        with self._lock:
            started, count = self._failures.get(address, (now, 0))
            if now - started >= self.window:
                started, count = now, 0
            self._failures[address] = (started, count + 1)
            if len(self._failures) > self.max_addresses:
                self._forget_oldest(now)

    count = failed  # the name where what is counted is not a failure

    def _forget_oldest(self, now: float) -> None:
        """Drop expired windows, then the oldest tenth, so this runs rarely under a flood."""
        entries = sorted(self._failures.items(), key=lambda item: item[1][0])
        keep = int(self.max_addresses * 0.9)
        live = [(a, e) for a, e in entries if now - e[0] < self.window]
        self._failures = dict(live[-keep:] if len(live) > keep else live)


def limiter() -> FailureLimiter:
    return current_app.extensions["survey_token_limiter"]


def new_responses() -> FailureLimiter:
    """Anonymous responses created per client address and open link (``response_key``)."""
    return current_app.extensions["survey_response_limiter"]


def response_key(round_id: int) -> str:
    return f"{round_id} {client_address()}"


def client_address() -> str:
    """The client's IPv4 address, or its IPv6 /64 (one subscriber gets a whole /64)."""
    address = request.remote_addr or "unknown"
    if ":" in address:
        try:
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        except ValueError:
            return address
    return address


def csrf_token() -> str:
    """The session's signed CSRF token, from Flask-WTF like every FlaskForm's, without
    building a form instance per request only to render or check this one field (its cost:
    docs/performance.md, "Figures behind the code")."""
    return generate_csrf()


def csrf_valid(form: Mapping[str, str]) -> bool:
    """What ``FlaskForm().validate()`` decides for a form whose only field is the token."""
    config = current_app.config
    if not config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(form.get(config.get("WTF_CSRF_FIELD_NAME", "csrf_token")))
    except ValidationError:
        return False
    return True


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signing serializer built once per key set
    rather than twice per request (building one runs a trial JSON dump each time)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            assert serializer is not None
            self._serializers = {key: serializer}  # the key rarely changes: keep only the latest
        return serializer

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure with an https BASE_URL, and whenever the browser's connection is https:
        behind a trusted proxy that ends TLS (``proxies``) the request says so, though the
        proxy talks plain http to us."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def _security_headers(response: Response) -> Response:
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    for name, value in HEADERS.items():
        if name.lower() not in present:  # a view may set its own (setdefault, in one pass)
            headers.add(name, value)
    return response


def init_app(app: Flask) -> None:
    app.extensions["survey_token_limiter"] = FailureLimiter(
        app.config["TOKEN_FAILURE_LIMIT"], app.config["TOKEN_FAILURE_WINDOW"]
    )
    app.extensions["survey_response_limiter"] = FailureLimiter(
        app.config["ANONYMOUS_RESPONSE_LIMIT"],
        app.config["ANONYMOUS_RESPONSE_WINDOW"],
        reason="responses",
    )
    app.session_interface = SessionInterface()
    app.after_request(_security_headers)
