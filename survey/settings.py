"""Every setting of the engine, declared once: its name, environment variable, type,
default, whether it is secret, and what it is for.

Before this module the web factory and the mailer each read their own settings, in their
own way, and a mistyped value surfaced as a crash far from its cause (or, for a flag such
as ``MAIL_USE_TLS=flase``, not at all). Here every value is parsed strictly where it enters,
and an error names the variable, where it came from and what is expected.

Precedence, lowest first: the built-in default, the instance config file
(``instance/config.py``), the environment (``SURVEY_<NAME>``), the ``test_config`` given to
``create_app``. An empty environment variable counts as unset. Nothing here imports Flask:
``resolve`` returns plain values and their sources, and ``create_app`` applies them.

``python -m survey.settings --markdown`` prints the settings table that README.md carries.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

from survey.errors import InvalidInput

Kind = Literal["str", "int", "float", "bool", "path"]
Source = Literal["default", "config file", "environment", "test"]

ENV_PREFIX = "SURVEY_"
TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")
MASK = "********"


class SettingError(InvalidInput, ValueError):
    """A setting whose value cannot be used; the message says which, where from and why."""


@dataclass(frozen=True)
class Setting:
    """One setting. ``name`` is the Flask config key; ``default`` None means unset.

    ``instance_file`` makes the default a file in the instance folder (known only when the
    app is built); ``default_doc`` describes a default that is decided elsewhere."""

    name: str
    kind: Kind
    default: Any
    doc: str
    secret: bool = False
    minimum: float | None = None
    maximum: float | None = None
    instance_file: str | None = None
    default_doc: str | None = None
    bytes_ok: bool = False  # Flask's own examples set SECRET_KEY to bytes

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE",
        "path",
        None,
        "The SQLite database file, or a PostgreSQL database as "
        "`postgresql://user@host/name` (docs/deployment.md, several machines).",
        instance_file="survey.sqlite3",
    ),
    Setting(
        "BASE_URL",
        "str",
        "http://127.0.0.1:5000",
        "Address in personal links and mails; https also makes the cookies Secure.",
    ),
    Setting(
        "SECRET_KEY",
        "str",
        None,
        "Signs sessions and CSRF tokens; all worker processes must share it.",
        secret=True,
        default_doc="random, kept in `instance/secret_key`",
        bytes_ok=True,
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        "int",
        2 * 1024 * 1024,
        "Largest request body in bytes (uploads included); a page of answers is a few kB.",
        minimum=1,
    ),
    Setting(
        "TOKEN_FAILURE_LIMIT",
        "int",
        30,
        "Failed link look-ups per client address and window before answering 429.",
        minimum=1,
    ),
    Setting(
        "TOKEN_FAILURE_WINDOW",
        "float",
        600.0,
        "Length in seconds of the window TOKEN_FAILURE_LIMIT counts in.",
        minimum=1,
    ),
    Setting(
        "SESSION_IDLE_MINUTES",
        "int",
        30,
        "A secretariat sign-in ends after this many minutes without a request.",
        minimum=1,
    ),
    Setting(
        "SESSION_MAX_HOURS",
        "int",
        12,
        "A secretariat sign-in ends this many hours after it began, however active.",
        minimum=1,
    ),
    Setting(
        "ANONYMOUS_RESPONSE_LIMIT",
        "int",
        200,
        "New responses one client address may start through one open link per window before "
        "answering 429; people behind one address (a staff meeting) share it.",
        minimum=1,
    ),
    Setting(
        "ANONYMOUS_RESPONSE_WINDOW",
        "float",
        600.0,
        "Length in seconds of the window ANONYMOUS_RESPONSE_LIMIT counts in.",
        minimum=1,
    ),
    Setting(
        "PROXY_X_FOR",
        "int",
        0,
        "Reverse proxies in front that append to X-Forwarded-For; its entry that many from the "
        "right is the client address (the link-guessing brake, the access log). 0 ignores the "
        "header.",
        minimum=0,
        maximum=5,
    ),
    Setting(
        "PROXY_X_PROTO",
        "int",
        0,
        "Proxies that set X-Forwarded-Proto: https there makes cookies Secure. 0 ignores the "
        "header.",
        minimum=0,
        maximum=5,
    ),
    Setting(
        "PROXY_X_HOST",
        "int",
        0,
        "Proxies that set X-Forwarded-Host: the address the send page compares BASE_URL with. "
        "0 ignores the header.",
        minimum=0,
        maximum=5,
    ),
    Setting(
        "PROXY_X_PREFIX",
        "int",
        0,
        "Proxies that set X-Forwarded-Prefix, for an installation under a path such as "
        "`/survey`. 0 ignores the header.",
        minimum=0,
        maximum=5,
    ),
    Setting(
        "WEB_WORKERS",
        "int",
        None,
        "Processes `survey serve` runs; each renders at most one report at a time.",
        minimum=1,
        maximum=64,
        default_doc="one per CPU core, at least 2",
    ),
    Setting(
        "WEB_THREADS",
        "int",
        4,
        "Threads per process of `survey serve`: requests that wait (for mail, the database's "
        "write lock, a download) leave the others running. 1 means gunicorn's sync worker.",
        minimum=1,
        maximum=64,
    ),
    Setting(
        "WEB_TIMEOUT",
        "int",
        120,
        "Seconds a process of `survey serve` may stop answering its master before it is restarted.",
        minimum=10,
    ),
    Setting(
        "WEB_GRACEFUL_TIMEOUT",
        "int",
        60,
        "Seconds a process gets to finish its requests (and a report being rendered) on "
        "reload or stop before it is killed.",
        minimum=1,
    ),
    Setting(
        "ACCESS_LOG",
        "path",
        "-",
        "Where `survey serve` writes one line per request, `-` for standard output; personal "
        "tokens in paths are written as `[token]`.",
    ),
    Setting(
        "ORGANISATION",
        "str",
        None,
        "Who runs this installation, e.g. `Levanger kommune`: named on the accessibility "
        "statement (/tilgjengelighet).",
        default_doc="unset: the statement speaks of whoever sent the survey",
    ),
    Setting(
        "ACCESSIBILITY_CONTACT",
        "str",
        None,
        "E-mail address for feedback on accessibility, e.g. `postmottak@kommune.no`, given "
        "with a mailto link on the accessibility statement.",
        default_doc="unset: readers are told to ask whoever sent the survey",
    ),
    Setting(
        "ACCESSIBILITY_STATEMENT_URL",
        "str",
        None,
        "Address of the organisation's own statement for this solution on uustatus.no; "
        "the accessibility statement page links it first.",
    ),
    Setting(
        "WORKERS",
        "int",
        1,
        "Jobs (report PDFs) each web process runs itself, in threads, when it has queued "
        "some; 0 leaves them all to `survey worker` processes, as in production.",
        minimum=0,
        maximum=8,
    ),
    Setting(
        "JOB_LEASE",
        "float",
        60.0,
        "Seconds a worker holds a job without a heartbeat (it beats four times as often); "
        "a job of a worker silent for longer is taken up by another.",
        minimum=0.2,
    ),
    Setting(
        "JOB_ATTEMPTS",
        "int",
        3,
        "Times a job is tried before it is failed and the secretariat told.",
        minimum=1,
        maximum=20,
    ),
    Setting(
        "JOB_RETRY_DELAY",
        "float",
        10.0,
        "Seconds before a failed job's second attempt; each later one waits twice as long.",
        minimum=0,
    ),
    Setting(
        "REPORT_CACHE",
        "path",
        None,
        "Folder of rendered report PDFs; web processes and workers on several machines must "
        "share it.",
        default_doc="`instance/reports`",
    ),
    Setting(
        "MAIL_SERVER",
        "str",
        None,
        "SMTP host; unset means mail is written to MAIL_OUTBOX instead of sent.",
    ),
    Setting(
        "MAIL_PORT",
        "int",
        None,
        "SMTP port.",
        minimum=1,
        maximum=65535,
        default_doc="587 with MAIL_USE_TLS, else 25",
    ),
    Setting("MAIL_USE_TLS", "bool", False, "Use STARTTLS (needed to send a password off-host)."),
    Setting("MAIL_USERNAME", "str", None, "SMTP user name; unset means no login."),
    Setting("MAIL_PASSWORD", "str", None, "SMTP password.", secret=True),
    Setting(
        "MAIL_SENDER",
        "str",
        None,
        "From address, e.g. `Sekretariatet <post@kommune.no>`; required with MAIL_SERVER.",
        default_doc="`noreply@localhost` in the outbox",
    ),
    Setting(
        "MAIL_OUTBOX",
        "path",
        None,
        "Folder for .eml files when MAIL_SERVER is unset.",
        default_doc="`instance/outbox`",
    ),
    Setting(
        "MAIL_TIMEOUT",
        "float",
        30.0,
        "Seconds to wait for the SMTP server in any one step.",
        minimum=0.1,
    ),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}


class Resolved(NamedTuple):
    value: Any
    source: Source


def resolve(
    config_file: Mapping[str, Any] | None = None,
    test_config: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    instance_path: str | Path | None = None,
) -> dict[str, Resolved]:
    """The effective value of every setting and where it came from, in declaration order.

    ``config_file`` holds what the instance config file set; keys that are not settings
    (other Flask options) are ignored here and left to the caller. ``environ`` defaults to
    the process environment: this is the one place in the engine that reads it. Raises
    SettingError naming the first wrong value."""
    environ = os.environ if environ is None else environ
    layers: list[tuple[Source, Mapping[str, Any]]] = [
        ("config file", config_file or {}),
        ("environment", {s.name: environ[s.env] for s in SETTINGS if environ.get(s.env)}),
        ("test", test_config or {}),
    ]
    resolved = {}
    for setting in SETTINGS:
        default = setting.default
        if setting.instance_file and instance_path is not None:
            default = str(Path(instance_path) / setting.instance_file)
        current = Resolved(default, "default")
        for source, values in layers:
            if setting.name in values:
                value = parse(setting, values[setting.name], _where(setting, source))
                current = Resolved(value, source)
        resolved[setting.name] = current
    return resolved


def typed(config: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The settings ``names`` from a plain mapping (a Flask config, a test's dict), parsed
    as ``resolve`` would; missing or None ones get their default. For callers that are
    handed a config rather than building one, so a string "false" can never pass for True."""
    values = {}
    for name in names:
        setting = BY_NAME[name]
        value = parse(setting, config.get(name), setting.name)
        values[name] = setting.default if value is None else value
    return values


def parse(setting: Setting, raw: Any, where: str) -> Any:
    """``raw`` as the setting's type: text (from the environment or a file) is parsed,
    Python values of the right type pass. None means unset. ``where`` starts the message."""
    if raw is None:
        return None
    if setting.bytes_ok and isinstance(raw, bytes):
        return raw
    parser = _PARSERS[setting.kind]
    try:
        value = parser(raw)
    except (TypeError, ValueError) as error:
        if setting.secret:  # the message would quote the value
            raise SettingError(
                f"{where}: expected text, got {type(raw).__name__} (not shown: it is secret)"
            ) from None
        raise SettingError(f"{where}: {error}") from None
    if setting.minimum is not None and value < setting.minimum:
        raise SettingError(f"{where}: {raw!r} is below the minimum of {_number(setting.minimum)}")
    if setting.maximum is not None and value > setting.maximum:
        raise SettingError(f"{where}: {raw!r} is above the maximum of {_number(setting.maximum)}")
    return value


def _where(setting: Setting, source: Source) -> str:
    if source == "environment":
        return f"environment variable {setting.env}"
    if source == "config file":
        return f"{setting.name} in the instance config file"
    return f"{setting.name} in test_config"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _str(raw: Any) -> str:
    if not isinstance(raw, str):
        raise TypeError(f"expected text, got {type(raw).__name__} {raw!r}")
    return raw


def _path(raw: Any) -> str:
    if isinstance(raw, Path):
        raw = str(raw)
    if not isinstance(raw, str) or not raw.strip():
        raise TypeError(f"expected a file or folder path, got {raw!r}")
    return raw


def _int(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            pass
    raise ValueError(f"{raw!r} is not a whole number, e.g. 587")


def _float(raw: Any) -> float:
    value: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    elif isinstance(raw, str):
        with contextlib.suppress(ValueError):  # said below, with the value
            value = float(raw.strip())
    if value is None or not math.isfinite(value):
        raise ValueError(f"{raw!r} is not a number, e.g. 30 or 2.5")
    return value


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in TRUE + FALSE:
        return raw.strip().lower() in TRUE
    raise ValueError(f"{raw!r} is not a yes/no value; use one of {'/'.join(TRUE + FALSE)}")


_PARSERS: dict[Kind, Callable[[Any], Any]] = {
    "str": _str,
    "path": _path,
    "int": _int,
    "float": _float,
    "bool": _bool,
}


def shown(setting: Setting, value: Any) -> str:
    """A value as `survey config` prints it: secrets masked, unset as ``(unset)``."""
    if value is None or value == "":
        return "(unset)"
    if setting.secret:
        return MASK
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    return str(value)


def markdown_table() -> str:
    """The README's settings table, generated so that it cannot drift from SETTINGS."""
    lines = [
        "| Setting | Environment variable | Type | Default | Meaning |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        if s.default_doc:
            default = s.default_doc
        elif s.instance_file:
            default = f"`instance/{s.instance_file}`"
        elif s.default is None:
            default = "unset"
        else:
            default = f"`{shown(s, s.default)}`"
        meaning = s.doc + (" Secret: never printed." if s.secret else "")
        lines.append(f"| `{s.name}` | `{s.env}` | {s.kind} | {default} | {meaning} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if argv != ["--markdown"]:
        print("usage: python -m survey.settings --markdown", file=sys.stderr)
        return 2
    sys.stdout.write(markdown_table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
