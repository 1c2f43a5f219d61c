"""Invitations and reminders by e-mail: templates in, RFC 5322 messages out, sent in batches.

Templates are edited by the secretariat in the browser and filled with data from invitation
lists, so both sides are untrusted. A template is checked once against a short list of what a
mail needs (variables, ``{% if %}``, a few text filters) and then rendered by Jinja2's
sandbox as well, so neither a typo nor an attempt to reach Python internals can do more than
fail with a message. Every value that reaches a header is reduced to one line: a name with a
line break in it cannot add a header, and the envelope recipient is always the invitation's
own address, never one read back from the headers.

Two mailers share one small protocol: SMTP for real rounds and a folder of .eml files, the
default, so a demo works without a mail server. Nothing here imports Flask or storage:
sending a round's mail, which reads and records who was reached, is an operation
(``operations.mail``).
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from secrets import token_hex
from types import TracebackType
from typing import Any, Protocol, Self

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from survey.addresses import deliverable
from survey.dates import norwegian_date
from survey.errors import InvalidInput, Unavailable
from survey.resources import MAIL_TEMPLATES
from survey.settings import SettingError, typed

DEFAULT_SENDER = "noreply@localhost"
KINDS = ("invitation", "reminder")
VARIABLES = ("name", "round_name", "title", "closes_on", "link")
FILTERS = frozenset({"upper", "lower", "capitalize", "title", "trim", "default", "d"})
MAX_SUBJECT = 200
MAX_BODY = 20_000

# A mail needs text, variables, conditions and a few text filters. Loops, calls, arithmetic
# and attribute access are refused before the sandbox sees them: the sandbox stops escapes
# but not a template that spins for an hour or builds a gigabyte string.
_ALLOWED = (
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.If,
    nodes.CondExpr,
    nodes.Filter,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
)
_NOT_ALLOWED_NB = {
    "Getattr": "'.' for å nå inn i en verdi",
    "Getitem": "'[...]' for å nå inn i en verdi",
    "Call": "funksjonskall",
    "For": "{% for %}-løkker",
    "Macro": "makroer",
    "Assign": "{% set %}",
    "Include": "{% include %}",
    "Extends": "{% extends %}",
    "Import": "{% import %}",
    "FromImport": "{% from ... import %}",
    "Test": "tester ('is ...')",
} | dict.fromkeys(("Add", "Sub", "Mul", "Div", "FloorDiv", "Mod", "Pow", "Neg", "Pos"), "regning")
_WHERE_NB = {"the subject": "emnet", "the body": "teksten"}
_NOT_ALLOWED = {
    "Getattr": "'.' to reach inside a value",
    "Getitem": "'[...]' to reach inside a value",
    "Call": "function calls",
    "For": "{% for %} loops",
    "Macro": "macros",
    "Assign": "{% set %}",
    "Include": "{% include %}",
    "Extends": "{% extends %}",
    "Import": "{% import %}",
    "FromImport": "{% from ... import %}",
    "Test": "tests ('is ...')",
} | dict.fromkeys(
    ("Add", "Sub", "Mul", "Div", "FloorDiv", "Mod", "Pow", "Neg", "Pos"), "arithmetic"
)
_EXAMPLE_LINK = "https://eksempel.invalid/s/EKSEMPELTOKEN"
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
# SMTP's line endings; a header folded here (the To header, see _encoded_address) is written
# as folded, even where one line is longer than 78 characters (a long address), instead of
# being unfolded and folded again by the library, which is what breaks display names.
MESSAGE_POLICY = policy.SMTP.clone(refold_source="none")
LINE_LENGTH = 78  # the line RFC 5322 asks for, and the policy's max_line_length

_env = SandboxedEnvironment(
    autoescape=False,  # plain-text mail: HTML escaping would show "&amp;" to respondents
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_env.globals.clear()  # no range(), lipsum(), dict(), cycler ... : nothing to call or reach into


class MailTemplateError(InvalidInput, ValueError):
    """A template that cannot be used; the message says where and how to fix it, in English
    for the CLI and (``message_nb``) in bokmål for the secretariat's page."""

    def __init__(self, message: str, *, nb: str) -> None:
        super().__init__(message, message_nb=nb)


class MailError(Unavailable):
    """A message could not be sent (the server refused it or could not be reached): nothing
    the person who asked can fix by changing their input, so the edges show it as "not
    available now"."""

    default_nb = "E-posten kan ikke sendes akkurat nå. Prøv igjen om litt."


class MailSettingsError(MailError):
    """The mail settings are wrong: only whoever runs the installation can fix them, and
    trying again will not help, so no retry is suggested."""

    retry = False
    default_nb = (
        "E-postoppsettet er ikke riktig, så e-post kan ikke sendes. Be den som drifter "
        "løsningen rette det; detaljene står i loggen."
    )


def one_line(text: str) -> str:
    """``text`` with every line break and control character turned into one space: the form
    in which names and subjects may enter a header."""
    return " ".join(_LINE_BREAKS.sub(" ", text).split())


def template_variables(
    *, name: str, round_name: str, title: str, closes_on: date | str | None, link: str
) -> dict[str, str]:
    """Everything a template may use. ``closes_on`` is "" when the round has no closing
    date, so a template can write ``{% if closes_on %}``."""
    if isinstance(closes_on, str):
        closes_on = date.fromisoformat(closes_on) if closes_on else None
    return {
        "name": one_line(name),
        "round_name": one_line(round_name),
        "title": one_line(title),
        "closes_on": norwegian_date(closes_on) if closes_on else "",
        "link": link,
    }


class MailTemplate:
    """A subject and a body that have been checked to render and to carry the link.

    Building one is the check: an instance exists only for a usable template."""

    def __init__(self, subject: str, body: str) -> None:
        self.subject = subject.strip()
        self.body = body.replace("\r\n", "\n").replace("\r", "\n")
        if not self.subject:
            raise MailTemplateError(
                "the subject is empty; write a subject line",
                nb="emnet er tomt; skriv en emnelinje",
            )
        if _LINE_BREAKS.search(self.subject) or len(self.subject) > MAX_SUBJECT:
            raise MailTemplateError(
                f"the subject must be one line of at most {MAX_SUBJECT} characters",
                nb=f"emnet må være én linje på høyst {MAX_SUBJECT} tegn",
            )
        if len(self.body) > MAX_BODY:
            raise MailTemplateError(
                f"the body is longer than {MAX_BODY:,} characters",
                nb=f"teksten er lengre enn {MAX_BODY:,} tegn".replace(",", "\u00a0"),
            )
        self._subject = _compile(self.subject, "the subject")
        self._body = _compile(self.body, "the body")
        for closes_on in ("1. desember 2026", ""):
            example = {
                "name": "Kari Nordmann",
                "round_name": "Runde",
                "title": "Spørreskjema",
                "closes_on": closes_on,
                "link": _EXAMPLE_LINK,
            }
            _, body = self.render(example)
            if _EXAMPLE_LINK not in body:
                raise MailTemplateError(
                    "the body does not always contain the personal link; put {{ link }} on a "
                    "line of its own, outside any {% if %}",
                    nb="teksten inneholder ikke alltid den personlige lenken; sett {{ link }} "
                    "på en egen linje, utenfor alle {% if %}",
                )

    def render(self, variables: Mapping[str, str]) -> tuple[str, str]:
        """(subject, body) for one person. The subject comes out as one line whatever the
        template or the data contain."""
        try:
            return one_line(self._subject.render(variables)), self._body.render(variables)
        except TemplateError as error:  # a variable missing from ``variables``
            raise MailTemplateError(
                f"the template cannot be filled in: {error}",
                nb=f"malen kan ikke fylles ut ({error})",
            ) from None


def _compile(source: str, where: str) -> Any:
    try:
        tree = _env.parse(source)
    except TemplateSyntaxError as error:
        raise MailTemplateError(
            f"line {error.lineno} of {where}: {error.message}",
            nb=f"linje {error.lineno} i {_WHERE_NB[where]}: malen kan ikke leses; sjekk at "
            "hver {{ har sin }} og hver {% if %} sin {% endif %} (Jinjas beskrivelse: "
            f"{error.message})",
        ) from None
    for node in tree.find_all(nodes.Node):
        line = f"line {node.lineno} of {where}"
        linje = f"linje {node.lineno} i {_WHERE_NB[where]}"
        if isinstance(node, nodes.Name) and node.name not in VARIABLES:
            raise MailTemplateError(
                f"{line}: '{node.name}' is not a variable; use {', '.join(VARIABLES)}",
                nb=f"{linje}: '{node.name}' er ikke en variabel; bruk {', '.join(VARIABLES)}",
            )
        if isinstance(node, nodes.Filter) and node.name not in FILTERS:
            raise MailTemplateError(
                f"{line}: the filter '{node.name}' is not available in mail templates; "
                f"use {', '.join(sorted(FILTERS))}",
                nb=f"{linje}: filteret '{node.name}' kan ikke brukes i e-postmaler; bruk "
                f"{', '.join(sorted(FILTERS))}",
            )
        if not isinstance(node, _ALLOWED):
            kind = type(node).__name__
            what = _NOT_ALLOWED.get(kind, "this kind of expression")
            hva = _NOT_ALLOWED_NB.get(kind, "denne typen uttrykk")
            raise MailTemplateError(
                f"{line}: mail templates cannot use {what}; use text, {{{{ variable }}}} "
                "and {% if variable %} ... {% endif %}",
                nb=f"{linje}: e-postmaler kan ikke bruke {hva}; bruk tekst, "
                "{{ variabel }} og {% if variabel %} ... {% endif %}",
            )
    return _env.from_string(tree)


def check_kind(kind: str) -> str:
    """``kind`` if it is a kind of mail a round sends, else InvalidInput."""
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind of mail '{kind}'; use one of {', '.join(KINDS)}")
    return kind


def default_template(kind: str) -> tuple[str, str]:
    """(subject, body) of templates/mail/<kind>.txt, whose first line is ``Subject: ...``."""
    check_kind(kind)
    text = (MAIL_TEMPLATES / f"{kind}.txt").read_text(encoding="utf-8")
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):  # pragma: no cover - the shipped files have it
        raise MailTemplateError(
            f"{kind}.txt must start with a 'Subject: ...' line",
            nb=f"{kind}.txt må begynne med en linje 'Subject: ...'",
        )
    return first.removeprefix("Subject:").strip(), body.removeprefix("\n")


def compose(*, sender: str, name: str, email: str, subject: str, body: str) -> EmailMessage:
    """One message to one person. ``name`` and ``subject`` are reduced to one line; an
    address that could not be delivered as written raises InvalidInput (the same rule the
    invitation list was checked by, so that happens only to addresses stored before it)."""
    local, domain = deliverable(email)
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = sender
    to = Address(one_line(name), local, domain)
    if _fits_one_line("To", to):
        message["To"] = to
    else:
        message.set_raw("To", _encoded_address(to))
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(
        domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    )
    # invitation runs are large; out-of-office replies to all of them help nobody
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message


def _fits_one_line(header: str, address: Address) -> bool:
    """Whether the library writes ``address`` as it is: ASCII on one line needs no folding.

    Python's folder (3.11 to 3.13 at least) loses the quotes of a display name it has to
    fold: "Styreleder Kari Nordmann, Levanger kommune; tlf. 123" came out unquoted over two
    lines, and every mail client read four bogus addresses out of it. So a name is left to
    the library only where it needs no folding."""
    text = f"{header}: {address}"
    return text.isascii() and len(text) <= LINE_LENGTH


def _encoded_address(address: Address) -> str:
    """``address`` as a header value folded here, not by the library: the display name as
    RFC 2047 encoded words of at most 75 characters (no comma, semicolon, quote or angle
    bracket of the name is left bare, so no parser can split it into more addresses), the
    address itself on the last line."""
    if not address.display_name:
        return address.addr_spec
    name = Header(address.display_name, "utf-8", header_name="To", maxlinelen=76).encode()
    return f"{name}\n <{address.addr_spec}>"


def _check_sender(sender: str) -> str:
    if _LINE_BREAKS.search(sender) or "@" not in parseaddr(sender)[1]:
        raise MailSettingsError(
            f"MAIL_SENDER {sender!r} is not an address like 'Name <post@kommune.no>'"
        )
    return sender.strip()


def _recipient(message: EmailMessage) -> str:
    return message["To"].addresses[0].addr_spec


class Mailer(Protocol):
    """Sends a batch: ``with mailer: mailer.send(m)`` for each message. ``send`` raises
    MailError for a message that was not accepted and stays usable for the next one."""

    sender: str

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """Delivers through an SMTP server over one connection per batch.

    If the server drops the connection (many close after so many messages), the message is
    tried once more over a new one; if the server cannot be reached at all, the rest of the
    batch fails at once instead of waiting ``timeout`` seconds per person."""

    def __init__(
        self,
        host: str,
        port: int,
        starttls: bool,
        username: str | None,
        password: str | None,
        sender: str,
        timeout: float = 30.0,
    ) -> None:
        if username and not starttls and host not in ("localhost", "127.0.0.1", "::1"):
            raise MailError(
                f"refusing to send the password for {username!r} unencrypted to {host}; "
                "set MAIL_USE_TLS to true (SURVEY_MAIL_USE_TLS=true)"
            )
        self.host, self.port, self.starttls = host, port, starttls
        self.username, self.password = username, password
        self.sender = _check_sender(sender)
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None
        self._unreachable: str | None = None

    def __enter__(self) -> Self:
        self._unreachable = None
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()

    def send(self, message: EmailMessage) -> None:
        to = _recipient(message)
        for attempt in (1, 2):
            smtp = self._connection()
            try:
                smtp.send_message(message, parseaddr(self.sender)[1], [to])
                return
            except smtplib.SMTPRecipientsRefused as error:
                code, text = error.recipients.get(to, (0, b"refused"))
                raise MailError(f"{code} {_text(text)}") from None
            except smtplib.SMTPResponseException as error:
                # 421: the server is closing this connection; the message was not taken
                if error.smtp_code != 421 or attempt == 2:
                    raise MailError(f"{error.smtp_code} {_text(error.smtp_error)}") from None
            except smtplib.SMTPServerDisconnected as error:
                if attempt == 2:
                    raise MailError(f"the mail server closed the connection: {error}") from None
            except smtplib.SMTPException as error:
                raise MailError(str(error)) from None
            except OSError as error:
                # a timeout may come after the server took the message: not retried, so
                # nobody gets it twice; the next message starts a new connection
                self._close()
                raise MailError(f"the connection to the mail server failed: {error}") from None
            self._close()

    def _connection(self) -> smtplib.SMTP:
        if self._unreachable:
            raise MailError(self._unreachable)
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except (smtplib.SMTPException, OSError) as error:
                self._unreachable = (
                    f"could not use the mail server {self.host}:{self.port}: {error}"
                )
                raise MailError(self._unreachable) from None
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


class OutboxMailer:
    """Writes each message as an .eml file, for demos and for a secretariat without SMTP.

    The files hold personal links, which let anyone answer in someone's name, so they are
    readable by their owner only. Each appears whole or not at all (written aside, then
    renamed), so a program picking up the outbox never reads half a message."""

    def __init__(self, folder: str | os.PathLike[str], sender: str = DEFAULT_SENDER) -> None:
        self.folder = Path(folder)
        self.sender = _check_sender(sender)

    def __enter__(self) -> Self:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise MailError(f"cannot create the outbox {self.folder}: {error}") from None
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def send(self, message: EmailMessage) -> None:
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{token_hex(8)}.eml"
        try:
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(message.as_bytes())  # its own policy: see MESSAGE_POLICY
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temporary, self.folder / name)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise MailError(f"cannot write to the outbox {self.folder}: {error}") from None


MAIL_SETTINGS = (
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_SENDER",
    "MAIL_OUTBOX",
    "MAIL_TIMEOUT",
)


def mailer_from_config(
    config: Mapping[str, Any], *, instance_path: str | os.PathLike[str] | None = None
) -> Mailer:
    """SMTP when MAIL_SERVER is set, otherwise the outbox: MAIL_OUTBOX, or ``outbox`` in the
    instance folder (MailSettingsError without either). MAIL_USE_TLS means STARTTLS (port
    587 by default, 25 without).

    The values are declared and documented in survey.settings; they are parsed again here
    because a caller may hand over a plain mapping of text, where "false" must mean False."""
    try:
        mail = typed(config, MAIL_SETTINGS)
    except SettingError as error:
        raise MailSettingsError(str(error)) from None
    if not mail["MAIL_SERVER"]:
        if not (mail["MAIL_OUTBOX"] or instance_path):
            raise MailSettingsError("neither MAIL_SERVER nor MAIL_OUTBOX is set")
        folder = mail["MAIL_OUTBOX"] or Path(instance_path or ".") / "outbox"
        return OutboxMailer(folder, mail["MAIL_SENDER"] or DEFAULT_SENDER)
    if not mail["MAIL_SENDER"]:
        raise MailSettingsError(
            "MAIL_SERVER is set but MAIL_SENDER is not; set it to the address invitations "
            "come from, e.g. 'Sekretariatet <post@kommune.no>'"
        )
    tls = mail["MAIL_USE_TLS"]
    return SmtpMailer(
        mail["MAIL_SERVER"],
        mail["MAIL_PORT"] or (587 if tls else 25),
        starttls=tls,
        username=mail["MAIL_USERNAME"] or None,
        password=mail["MAIL_PASSWORD"] or None,
        sender=mail["MAIL_SENDER"],
        timeout=mail["MAIL_TIMEOUT"],
    )


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int
    errors: tuple[tuple[str, str], ...] = ()  # (address, what the server or mailer said)
