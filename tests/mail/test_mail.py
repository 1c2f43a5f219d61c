"""Invitations and reminders sent through a real SMTP server on 127.0.0.1 and read back.

The server is aiosmtpd in a thread; the database is a real SQLite file (and PostgreSQL database) with the 2009
questionnaire and a round of 20 invited people. Every socket has a timeout, so a hang fails
the test instead of the run."""

from __future__ import annotations

import email
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import getaddresses

import pytest
from aiosmtpd.controller import Controller
from jinja2.sandbox import SecurityError

from survey.accounts import operator
from survey.errors import Conflict, InvalidInput
from survey.invitation_list import Person
from survey.mail import (
    MailError,
    MailTemplate,
    MailTemplateError,
    OutboxMailer,
    SendResult,
    SmtpMailer,
    compose,
    default_template,
    mailer_from_config,
    norwegian_date,
    one_line,
)
from survey.operations.mail import mail_text, send_mail, set_mail_text
from survey.questionnaire import load_file
from survey.storage import open_database
from survey.storage.invitations import Invitation, add_invitations
from survey.storage.mailings import invitation_statuses, mark_bounced, recipients
from survey.storage.questionnaires import publish, questionnaire_of_version
from survey.storage.responses import response_for_invitation, save_answers
from survey.storage.rounds import close_round, create_round, get_round
from survey.storage.store import Store
from tests.conftest import QUESTIONNAIRES

TIMEOUT = 5  # seconds for any one SMTP conversation or server start
BASE_URL = "http://127.0.0.1:5000"
SENDER = "Sekretariatet for Kvalitetskommuneprogrammet <post@ks.example>"
ROLES = ("ordforer", "radmann", "tillitsvalgt", "prosjektleder")
PEOPLE = [
    Person(
        f"Åse Ødegård {i}",
        f"person{i}@kommune{i % 4}.example",
        ROLES[i % 4],
        f"Kommune {i % 4}",
        {},
    )
    for i in range(20)
]


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    peer: tuple[str, int]  # the client's address: one per connection
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=policy.default)

    @property
    def body(self) -> str:
        """The text as the respondent reads it (SMTP lines end in CRLF)."""
        return self.message.get_content().replace("\r\n", "\n")


@dataclass
class Collector:
    """aiosmtpd handler: keeps every message and refuses the addresses in ``refuse``."""

    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    hang_up_at: int | None = None  # answer 421 once when holding this many messages
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            if len(self.messages) == self.hang_up_at:
                self.hang_up_at = None
                return "421 4.7.0 Too many messages on this connection"
            self.messages.append(
                Received(
                    envelope.mail_from, tuple(envelope.rcpt_tos), session.peer, envelope.content
                )
            )
        return "250 Message accepted for delivery"

    def take(self) -> list[Received]:
        with self.lock:
            taken, self.messages[:] = list(self.messages), []
        return taken


class _AnyPortController(Controller):
    """Listens on a port the system picks, so parallel runs never collide. aiosmtpd pokes
    its own server once it listens; by then the real port is known."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SmtpServer:
    collector: Collector
    port: int

    def mailer(self) -> SmtpMailer:
        return SmtpMailer("127.0.0.1", self.port, False, None, None, SENDER, timeout=TIMEOUT)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    collector = Collector()
    controller = _AnyPortController(collector, hostname="127.0.0.1", port=0, ready_timeout=TIMEOUT)
    controller.start()
    try:
        yield SmtpServer(collector, controller.port)
    finally:
        controller.stop()


@dataclass
class Round:
    db: Store
    id: int
    invitations: list[Invitation]

    def by_email(self, address: str) -> Invitation:
        return next(i for i in self.invitations if i.email == address)

    def answer(self, invitation: Invitation, *, page: int | None = None) -> None:
        """Open the link; with ``page``, get that far; without, submit."""
        response = response_for_invitation(
            self.db, self.id, invitation.id, invitation.role, invitation.unit, {}
        )
        version = get_round(self.db, self.id).questionnaire_version_id
        save_answers(
            self.db,
            questionnaire_of_version(self.db, version),
            response,
            {},
            page=1 if page is None else page,
            role=invitation.role,
            submitting=page is None,
        )


@pytest.fixture
def round_(database) -> Iterator[Round]:
    db = open_database(database)
    publish(db, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    created = create_round(db, "kvalitetskommune-2009", "Evaluering høsten 2009")
    try:
        yield Round(db, created.id, add_invitations(db, created.id, PEOPLE))
    finally:
        db.close()


def send(round_: Round, kind: str, smtp: SmtpServer) -> tuple[SendResult, list[Received]]:
    result = send_mail(round_.db, operator(), round_.id, kind, BASE_URL, smtp.mailer())
    return result, smtp.collector.take()


def addressee(received: Received) -> str:
    (address,) = received.rcpt_tos
    return address


def test_invitations_reach_each_person_with_their_own_link(round_, smtp):
    result, received = send(round_, "invitation", smtp)

    assert result == SendResult(sent=20, failed=0)
    assert sorted(map(addressee, received)) == sorted(p.email for p in PEOPLE)
    tokens = {i.token for i in round_.invitations}
    for mail in received:
        invitation = round_.by_email(addressee(mail))
        message, body = mail.message, mail.body
        assert f"{BASE_URL}/s/{invitation.token}\n" in body
        assert [t for t in tokens if t in body] == [invitation.token]
        (to,) = message["To"].addresses
        assert (to.display_name, to.addr_spec) == (invitation.name, invitation.email)
        subject = "Invitasjon til spørreundersøkelse: Evaluering av Kvalitetskommuneprogrammet"
        assert message["Subject"] == subject
        assert f"Hei {invitation.name}," in body
        assert "«Evaluering av Kvalitetskommuneprogrammet» (Evaluering høsten 2009)" in body
        assert "Svarene behandles konfidensielt." in body
        assert mail.data.isascii()  # headers encoded, body quoted-printable: any server copes
        assert message["Auto-Submitted"] == "auto-generated"
    assert set(invitation_statuses(round_.db, round_.id).values()) == {"sent"}


def test_invitations_are_not_sent_twice(round_, smtp):
    send(round_, "invitation", smtp)

    assert send(round_, "invitation", smtp) == (SendResult(0, 0), [])


def test_one_connection_carries_the_whole_batch(round_, smtp):
    _, received = send(round_, "invitation", smtp)

    assert len({mail.peer for mail in received}) == 1


def test_reminders_go_only_to_those_who_have_not_answered(round_, smtp):
    send(round_, "invitation", smtp)
    answered = round_.invitations[:3]
    for invitation in answered:
        round_.answer(invitation)
    round_.answer(round_.invitations[3], page=2)  # started: still reminded

    result, received = send(round_, "reminder", smtp)

    assert result == SendResult(sent=17, failed=0)
    assert len(received) == 17
    assert not {i.email for i in answered} & set(map(addressee, received))
    for mail in received:
        message = mail.message
        assert message["Subject"] == "Påminnelse: Evaluering av Kvalitetskommuneprogrammet"
        token = round_.by_email(addressee(mail)).token
        assert f"{BASE_URL}/s/{token}\n" in mail.body


def test_bounced_address_gets_no_reminder(round_, smtp):
    send(round_, "invitation", smtp)
    bounced = round_.invitations[5]
    assert mark_bounced(round_.db, bounced.email.upper(), round_.id) == bounced.id

    result, received = send(round_, "reminder", smtp)

    assert result.sent == 19
    assert bounced.email not in map(addressee, received)


def test_nobody_is_reminded_who_was_never_invited(round_, smtp):
    assert send(round_, "reminder", smtp) == (SendResult(0, 0), [])


def test_statuses_follow_mail_and_answers(round_, smtp):
    first, second, third, fourth, fifth = round_.invitations[:5]
    smtp.collector.refuse.add(first.email)
    send(round_, "invitation", smtp)
    round_.answer(second)
    round_.answer(third, page=0)
    round_.answer(fourth, page=1)
    mark_bounced(round_.db, fifth.email, round_.id)

    statuses = invitation_statuses(round_.db, round_.id)

    assert [statuses[i.id] for i in (first, second, third, fourth, fifth)] == [
        "not sent",
        "answered",
        "opened",
        "in progress",
        "bounced",
    ]
    assert [statuses[i.id] for i in round_.invitations[5:]] == ["sent"] * 15


def test_refused_address_is_recorded_and_the_batch_goes_on(round_, smtp):
    refused = round_.invitations[7]
    smtp.collector.refuse.add(refused.email)

    result, received = send(round_, "invitation", smtp)

    assert (result.sent, result.failed, len(received)) == (19, 1, 19)
    assert result.errors == ((refused.email, "550 5.1.1 No such user here"),)
    rows = round_.db.execute(
        "SELECT sent_at, error FROM mailings WHERE invitation_id = ?", [refused.id]
    ).fetchall()
    assert rows == [(None, "550 5.1.1 No such user here")]

    smtp.collector.refuse.clear()
    result, received = send(round_, "invitation", smtp)

    assert result == SendResult(1, 0)
    assert list(map(addressee, received)) == [refused.email]


def test_server_hanging_up_mid_batch_costs_nobody_their_mail(round_, smtp):
    smtp.collector.hang_up_at = 5

    result, received = send(round_, "invitation", smtp)

    assert result == SendResult(20, 0)
    assert sorted(map(addressee, received)) == sorted(p.email for p in PEOPLE)
    assert len({mail.peer for mail in received}) == 2


def test_unreachable_server_fails_the_batch_quickly_and_sends_nothing(round_):
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailer = SmtpMailer("127.0.0.1", port, False, None, None, SENDER, timeout=TIMEOUT)
    started = time.monotonic()

    result = send_mail(round_.db, operator(), round_.id, "invitation", BASE_URL, mailer)

    assert time.monotonic() - started < TIMEOUT
    assert (result.sent, result.failed) == (0, 20)
    assert "could not use the mail server 127.0.0.1" in result.errors[0][1]
    assert set(invitation_statuses(round_.db, round_.id).values()) == {"not sent"}


def test_round_template_is_stored_and_used(round_, smtp):
    body = "Kjære {{ name }}!\n\nSvar innen {{ closes_on }}: {{ link }}\n"
    closes = datetime.now(UTC).date() + timedelta(days=30)  # still open whenever this runs
    round_.db.execute(
        "UPDATE rounds SET closes_on = ? WHERE id = ?", [closes.isoformat(), round_.id]
    )
    set_mail_text(
        round_.db, operator(), round_.id, "invitation", "Blåbær og {{ round_name }}", body
    )

    _, received = send(round_, "invitation", smtp)

    assert mail_text(round_.db, operator(), round_.id, "invitation") == (
        "Blåbær og {{ round_name }}",
        body,
    )
    assert mail_text(round_.db, operator(), round_.id, "reminder") == default_template("reminder")
    assert received[0].message["Subject"] == "Blåbær og Evaluering høsten 2009"
    assert f"Svar innen {norwegian_date(closes)}: http://127.0.0.1:5000/s/" in received[0].body


@pytest.mark.parametrize(
    ("subject", "body", "message"),
    [
        ("Hei", "Svar her, takk.\n", "does not always contain the personal link"),
        ("Hei", "{% if closes_on %}{{ link }}{% endif %}", "does not always contain"),
        ("Hei", "{{ link|upper }}", "does not always contain"),
        ("Hei", "{{ navn }} {{ link }}", "line 1 of the body: 'navn' is not a variable"),
        ("Hei {{ name", "{{ link }}", "line 1 of the subject: unexpected end of template"),
        ("", "{{ link }}", "the subject is empty"),
        ("Hei\nBcc: x@evil.example", "{{ link }}", "the subject must be one line"),
        ("Hei\rBcc: x@evil.example", "{{ link }}", "the subject must be one line"),
        (
            "Hei",
            "{% for i in range(9) %}{% endfor %}{{ link }}",
            "mail templates cannot use {% for %} loops",
        ),
        ("Hei", "{{ link|center(999999999) }}", "the filter 'center' is not available"),
        ("Hei", "{{ name * 999999999 }} {{ link }}", "mail templates cannot use arithmetic"),
        ("Hei", "{{ [link] }}", "mail templates cannot use this kind of expression"),
    ],
)
def test_unusable_template_is_refused_with_a_reason(round_, subject, body, message):
    with pytest.raises(InvalidInput, match="the invitation e-mail cannot be used") as refused:
        set_mail_text(round_.db, operator(), round_.id, "invitation", subject, body)

    assert message in str(refused.value)
    assert mail_text(round_.db, operator(), round_.id, "invitation") == default_template(
        "invitation"
    )


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ name.__class__.__base__.__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ self._TemplateReference__context }}",
        "{{ name['__class__'] }}",
    ],
)
def test_sandbox_escape_is_refused(round_, escape):
    with pytest.raises(InvalidInput, match=r"mail templates cannot use|is not a variable"):
        set_mail_text(
            round_.db, operator(), round_.id, "reminder", "Hei", f"{escape}\n{{{{ link }}}}"
        )


def test_sandbox_stops_an_escape_that_got_past_the_check():
    """The check is the first wall; the sandbox, which every template is rendered in, is the
    second."""
    template = MailTemplate("Hei", "{{ link }}")
    environment = template._body.environment

    with pytest.raises(SecurityError):
        environment.from_string("{{ ''.__class__.__mro__ }}").render()


def test_template_stored_around_the_check_stops_the_batch_before_any_mail(round_, smtp):
    round_.db.execute(
        "INSERT INTO mail_templates (round_id, kind, subject, body) VALUES (?, ?, ?, ?)",
        [round_.id, "invitation", "Hei", "{{ ''.__class__.__mro__ }} {{ link }}"],
    )

    with pytest.raises(InvalidInput, match=r"mail templates cannot use '\.'"):
        send(round_, "invitation", smtp)
    assert smtp.collector.take() == []


def test_line_break_in_a_name_adds_no_header(tmp_path, smtp):
    db = open_database(tmp_path / "survey.sqlite3")
    try:
        publish(db, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
        created = create_round(db, "kvalitetskommune-2009", "Runde\r\nX-Injected: yes")
        evil = Person("Eve\r\nBcc: x@evil.example", "eve@kommune.example", "ordforer", "A", {})
        add_invitations(db, created.id, [evil])

        assert (
            send_mail(db, operator(), created.id, "invitation", BASE_URL, smtp.mailer()).sent == 1
        )
    finally:
        db.close()

    (mail,) = smtp.collector.take()
    message = mail.message
    assert mail.rcpt_tos == ("eve@kommune.example",)
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert b"\nBcc:" not in mail.data and b"\nX-Injected:" not in mail.data
    assert [a.addr_spec for a in message["To"].addresses] == ["eve@kommune.example"]
    assert message["To"].addresses[0].display_name == "Eve Bcc: x@evil.example"


# Names as invitation lists hold them: commas, semicolons, quotes, angle brackets and
# addresses inside the name, non-ASCII, encoded-word look-alikes, and names far longer than a
# header line. Each must reach the mail client as one address, the invitation's own.
HOSTILE_NAMES = [
    "Styreleder Kari Nordmann, Levanger kommune, seksjon for helse og omsorg; tlf. 123 45 678",
    "Nordmann, Kari",
    'Kari "Sjefen" Nordmann <ordforer@evil.example>, ola@evil.example; per@evil.example',
    'Kari \\ "Nordmann\\" <x@evil.example>',
    "Ærlig Ødegård, Åsen kommune; «seksjon» – helse og omsorg (tlf. 123) <a@evil.example>",
    "=?utf-8?q?ola=40evil=2Eexample?= <ola@evil.example>",
    "Kari Nordmann, Levanger kommune; " * 30,
    "x" * 300,
    "Ola 🙂 Nordmann\u202e, seksjon; " * 10,
    "undisclosed-recipients:;",
    "Kari (kommentar, med komma) Nordmann",
]


def _to_as_a_client_reads_it(data: bytes) -> list[tuple[str, str]]:
    """Every (name, address) of the To header as a mail client reads it: the parser of the
    standard library's older API, which does no unfolding magic, then names decoded."""
    parsed = email.message_from_bytes(data)
    return [
        (str(make_header(decode_header(name))), address)
        for name, address in getaddresses(parsed.get_all("To", []))
    ]


def test_mail_to_header_of_a_long_hostile_name_reads_back_as_one_address(tmp_path, smtp):
    people = [
        Person(name.strip(), f"person{i}@kommune.example", "ordforer", "A", {})
        for i, name in enumerate(HOSTILE_NAMES)
    ]
    outbox = tmp_path / "outbox"
    db = open_database(tmp_path / "survey.sqlite3")
    try:
        publish(db, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
        for name, mailer in [("SMTP", smtp.mailer()), ("Outbox", OutboxMailer(outbox))]:
            created = create_round(db, "kvalitetskommune-2009", name)
            add_invitations(db, created.id, people)
            result = send_mail(db, operator(), created.id, "invitation", BASE_URL, mailer)
            assert result == SendResult(sent=len(people), failed=0)
    finally:
        db.close()

    received = smtp.collector.take()
    written = [path.read_bytes() for path in sorted(outbox.iterdir())]
    assert len(received) == len(written) == len(people)
    name_of = {p.email: one_line(p.name) for p in people}
    # The envelope is the invitation's (the SMTP server says so); the outbox has none, so
    # there each message's To must at least name one of the people, each person once.
    envelopes = [(mail.rcpt_tos[0], mail.data) for mail in received]
    in_the_outbox = [(_to_as_a_client_reads_it(data)[0][1], data) for data in written]
    assert sorted(a for a, _ in in_the_outbox) == sorted(a for a, _ in envelopes)
    for address, data in envelopes + in_the_outbox:
        assert _to_as_a_client_reads_it(data) == [(name_of[address], address)]
        # The newer parser keeps the blank between two encoded words as a space, which RFC
        # 2047 (and mail clients, and the reading above) drop; it too finds one address.
        to = email.message_from_bytes(data, policy=policy.default)["To"]
        assert [("".join(a.display_name.split()), a.addr_spec) for a in to.addresses] == [
            ("".join(name_of[address].split()), address)
        ]
        head = data.split(b"\r\n\r\n", 1)[0]
        assert head.isascii() and max(map(len, head.split(b"\r\n"))) <= 998


@pytest.mark.parametrize(
    "subject", ["Hei\r\nBcc: x@evil.example", "Hei\nBcc: x", "Hei\u2028Bcc: x"]
)
def test_line_break_in_a_subject_adds_no_header(subject):
    message = compose(sender=SENDER, name="Kari", email="kari@a.example", subject=subject, body="")

    parsed = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed["Bcc"] is None
    assert parsed["Subject"].startswith("Hei Bcc: x")


def test_unicode_domain_is_sent_in_its_ascii_form():
    message = compose(sender=SENDER, name="Kari", email="kari@bø.example", subject="S", body="")

    assert message["To"].addresses[0].addr_spec == "kari@xn--b-5ga.example"


@pytest.mark.parametrize("address", ["kari", "kåri@a.example", "kari@", "kari@a b.example"])
def test_undeliverable_address_is_refused(address):
    with pytest.raises(InvalidInput, match="is not an address the mail server can deliver to"):
        compose(sender=SENDER, name="Kari", email=address, subject="S", body="")


def test_outbox_writes_eml_files_that_parse_back(round_, tmp_path):
    outbox = tmp_path / "instance" / "outbox"

    result = send_mail(
        round_.db, operator(), round_.id, "invitation", BASE_URL, OutboxMailer(outbox)
    )

    files = sorted(outbox.iterdir())
    assert result.sent == 20
    assert [f.suffix for f in files] == [".eml"] * 20  # no half-written file left behind
    assert {f.stat().st_mode & 0o777 for f in files} == {0o600}
    links = set()
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        invitation = round_.by_email(message["To"].addresses[0].addr_spec)
        assert message["Subject"].startswith("Invitasjon til spørreundersøkelse")
        assert f"{BASE_URL}/s/{invitation.token}" in message.get_content()
        links.add(invitation.token)
    assert len(links) == 20


def test_outbox_is_the_default_and_smtp_comes_from_config(tmp_path):
    outbox = mailer_from_config({}, instance_path=tmp_path)
    assert isinstance(outbox, OutboxMailer) and outbox.folder == tmp_path / "outbox"
    assert mailer_from_config({"MAIL_OUTBOX": str(tmp_path / "x")}).folder == tmp_path / "x"

    smtp = mailer_from_config(
        {
            "MAIL_SERVER": "smtp.kommune.example",
            "MAIL_USE_TLS": "true",
            "MAIL_USERNAME": "survey",
            "MAIL_PASSWORD": "secret",
            "MAIL_SENDER": SENDER,
        }
    )
    assert isinstance(smtp, SmtpMailer)
    assert (smtp.host, smtp.port, smtp.starttls, smtp.sender) == (
        "smtp.kommune.example",
        587,
        True,
        SENDER,
    )
    plain = {"MAIL_SERVER": "relay.example", "MAIL_USE_TLS": "false", "MAIL_SENDER": SENDER}
    assert mailer_from_config(plain).port == 25


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"MAIL_SERVER": "smtp.example"}, "MAIL_SENDER is not"),
        (
            {"MAIL_SERVER": "smtp.example", "MAIL_SENDER": "a@b", "MAIL_PORT": "x"},
            "MAIL_PORT: 'x' is not a whole number",
        ),
        (
            {"MAIL_SERVER": "smtp.example", "MAIL_SENDER": "a@b", "MAIL_USE_TLS": "flase"},
            "MAIL_USE_TLS: 'flase' is not a yes/no value",
        ),
        ({"MAIL_SENDER": "Eve\r\nBcc: x@evil <a@b.example>"}, "is not an address"),
        (
            {"MAIL_SERVER": "smtp.example", "MAIL_SENDER": "a@b", "MAIL_USERNAME": "u"},
            "unencrypted",
        ),
    ],
)
def test_wrong_mail_settings_are_refused(tmp_path, config, message):
    with pytest.raises(MailError, match=message):
        mailer_from_config(config, instance_path=tmp_path)


def test_closed_round_sends_nothing(round_, smtp):
    close_round(round_.db, round_.id)

    with pytest.raises(Conflict, match="is closed; reopen it"):
        send(round_, "invitation", smtp)
    assert smtp.collector.take() == []


def test_wrong_base_url_sends_nothing(round_, smtp):
    with pytest.raises(InvalidInput, match="is not a web address"):
        send_mail(round_.db, operator(), round_.id, "invitation", "127.0.0.1:5000", smtp.mailer())
    assert recipients(round_.db, round_.id, "invitation") == round_.invitations


@pytest.mark.parametrize(
    ("day", "text"),
    [(date(2026, 12, 1), "1. desember 2026"), (date(2009, 11, 30), "30. november 2009")],
)
def test_dates_are_written_as_in_a_norwegian_letter(day, text):
    assert norwegian_date(day) == text


def test_default_templates_render_and_carry_the_link():
    for kind in ("invitation", "reminder"):
        subject, body = default_template(kind)
        MailTemplate(subject, body)  # raises if not
        assert "Svarene behandles konfidensielt" in body


def test_template_error_names_the_line():
    with pytest.raises(MailTemplateError, match="line 3 of the body"):
        MailTemplate("Hei", "{{ link }}\n\n{% if name %}")


def test_unknown_kind_is_refused(round_, smtp):
    for attempt in (
        lambda: send_mail(round_.db, operator(), round_.id, "thanks", BASE_URL, smtp.mailer()),
        lambda: mail_text(round_.db, operator(), round_.id, "thanks"),
        lambda: set_mail_text(round_.db, operator(), round_.id, "thanks", "Hei", "{{ link }}"),
    ):
        with pytest.raises(InvalidInput, match="unknown kind of mail 'thanks'"):
            attempt()


class _HeldMailer:
    """Delivers through ``smtp`` but holds its first message until ``release`` is set, so a
    second batch can be started while the first is under way."""

    def __init__(self, smtp: SmtpServer) -> None:
        self.inner = smtp.mailer()
        self.sender = self.inner.sender
        self.holding, self.release = threading.Event(), threading.Event()

    def __enter__(self) -> _HeldMailer:
        self.inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.inner.__exit__(None, None, None)

    def send(self, message: EmailMessage) -> None:
        if not self.holding.is_set():
            self.holding.set()
            assert self.release.wait(TIMEOUT)
        self.inner.send(message)


@pytest.mark.parametrize("kind", ["invitation", "reminder"])
def test_two_batches_at_once_mail_nobody_twice(round_, smtp, tmp_path, kind):
    if kind == "reminder":
        send(round_, "invitation", smtp)
    held = _HeldMailer(smtp)
    first: list[SendResult] = []
    worker = threading.Thread(
        target=lambda: first.append(
            send_mail(round_.db, operator(), round_.id, kind, BASE_URL, held)
        )
    )
    worker.start()
    try:
        assert held.holding.wait(TIMEOUT)
        other = open_database(round_.db.location)  # another worker's connection
        try:
            with pytest.raises(Conflict, match=f"{kind}s for round {round_.id} are being"):
                send_mail(other, operator(), round_.id, kind, BASE_URL, smtp.mailer())
        finally:
            other.close()
    finally:
        held.release.set()
        worker.join(TIMEOUT)

    assert first == [SendResult(20, 0)]
    assert sorted(map(addressee, smtp.collector.take())) == sorted(p.email for p in PEOPLE)
    # the claim is released: a later batch runs (no Conflict), and reaches nobody twice
    # (a reminder rests for REMINDER_PAUSE)
    again = send(round_, kind, smtp)
    assert again[0] == SendResult(0, 0)


def test_a_batch_left_by_a_crashed_process_is_taken_over_when_stale(round_, smtp):
    long_ago = "2009-11-02T08:00:00+00:00"
    round_.db.execute(
        "INSERT INTO mail_batches (round_id, claim, kind, started_at, touched_at) "
        "VALUES (?, 'gone', 'invitation', ?, ?)",
        [round_.id, long_ago, long_ago],
    )

    assert send(round_, "invitation", smtp)[0] == SendResult(20, 0)
    assert round_.db.execute("SELECT count(*) FROM mail_batches").fetchone()[0] == 0


def test_a_fresh_batch_of_another_process_is_respected(round_, smtp):
    now = datetime.now(UTC).isoformat(timespec="seconds")
    round_.db.execute(
        "INSERT INTO mail_batches (round_id, claim, kind, started_at, touched_at) "
        "VALUES (?, 'other', 'reminder', ?, ?)",
        [round_.id, now, now],
    )

    with pytest.raises(Conflict, match=r"reminders for round \d+ are being sent"):
        send(round_, "invitation", smtp)
    assert smtp.collector.take() == []
    assert set(invitation_statuses(round_.db, round_.id).values()) == {"not sent"}


def test_a_batch_whose_claim_was_taken_over_stops_and_leaves_the_new_claim(round_, smtp):
    held = _HeldMailer(smtp)
    outcome: list[BaseException] = []

    def first_batch() -> None:
        try:
            send_mail(round_.db, operator(), round_.id, "invitation", BASE_URL, held)
        except Conflict as error:
            outcome.append(error)

    worker = threading.Thread(target=first_batch)
    worker.start()
    try:
        assert held.holding.wait(TIMEOUT)
        # The first batch froze for longer than STALE_BATCH and another took the round over.
        other = open_database(round_.db.location)
        try:
            with other.conn:
                other.execute("DELETE FROM mail_batches")
                other.execute(
                    "INSERT INTO mail_batches (round_id, claim, kind, started_at, touched_at) "
                    "VALUES (?, 'newer', 'invitation', '2026-11-23', '2099-01-01')",
                    [round_.id],
                )
        finally:
            other.close()
    finally:
        held.release.set()
        worker.join(TIMEOUT)

    assert [str(e) for e in outcome] == [
        "another batch took over this round's mail; this one stops here"
    ]
    assert len(smtp.collector.take()) == 1  # the mail under way went; nothing after it
    assert round_.db.execute("SELECT claim FROM mail_batches").fetchall() == [("newer",)]
