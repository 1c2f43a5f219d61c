"""Trusting a reverse proxy's X-Forwarded-* headers, and only when told to.

Behind a proxy that ends TLS, the app sees the proxy's address, plain http and an internal
host name. The proxy says what the client used in X-Forwarded-For, -Proto, -Host and
-Prefix, and werkzeug's ``ProxyFix`` puts that into the request, so that the link-guessing
brake counts the real client (``security.client_address``), a cookie is Secure when the
browser's connection is https, and the send page compares BASE_URL with the address the
secretariat is really using (``reachability``).

But anyone can send those headers. Trusted blindly, one client could escape the brake by
naming a new address in each request. So each header is trusted only for as many proxies
as the settings say (``PROXY_X_FOR`` and the others, 0 by default: ignored), and only the
entries those proxies appended are read. ``survey serve`` leaves every header to this
module (gunicorn's own handling is switched off in ``survey.server``), so there is one rule.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

SETTINGS = {  # ProxyFix's argument for each setting
    "PROXY_X_FOR": "x_for",
    "PROXY_X_PROTO": "x_proto",
    "PROXY_X_HOST": "x_host",
    "PROXY_X_PREFIX": "x_prefix",
}


def init_app(app: Flask) -> None:
    counts = {argument: app.config[name] for name, argument in SETTINGS.items()}
    if any(counts.values()):
        # ProxyFix's x_port is left at 0: a proxy that forwards the host sends it with its port
        app.wsgi_app = ProxyFix(app.wsgi_app, x_port=0, **counts)  # type: ignore[method-assign]
