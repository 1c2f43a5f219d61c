"""Every operation writes its audit entry, whoever calls it; and refuses an account that may
not do it, before anything is written."""

from __future__ import annotations

import getpass
import io
from datetime import date, timedelta

import pytest

from survey.accounts import Account
from survey.errors import Forbidden
from survey.mail import OutboxMailer
from survey.operations.accounts import add_account, change_password, disable_account
from survey.operations.invitations import invite, personal_links
from survey.operations.mail import mail_text, record_bounce, send_mail, set_mail_text
from survey.operations.measures import add_measure, set_measure_status
from survey.operations.questionnaires import publish_questionnaire
from survey.operations.responses import export_responses, import_responses
from survey.operations.results import make_report, scores
from survey.operations.rounds import close_round, create_round, reopen_round
from survey.questionnaire import load_file
from tests.conftest import QUESTIONNAIRES
from tests.operations.conftest import ADMIN

PEOPLE = (
    "name;email;role;unit\n"
    "Kari Nordmann;kari@levanger.kommune.no;ordforer;Levanger\n"
    "Ola Ødegård;ola@verdal.kommune.no;radmann;Verdal\n"
)
PAPER_FORM = (
    b"email,q1,q5,q6,q7,q8,q9a,q9b,q10,q11a,q11b,q12,q13\n"
    b"kari@levanger.kommune.no,ordforer,5,4,3,6,6,vet_ikke,ja_begge,nei,ja,5,5\n"
)
BASE = "https://survey.example.no"
DUE = date.today() + timedelta(days=90)  # a deadline ahead, whenever this runs
TABLES = ("rounds", "invitations", "mailings", "responses", "answers", "measures", "users")
TEXT = "Hei {{ name }}!\n\n{{ link }}\n"


def test_each_operation_writes_its_audit_entry(edges, tmp_path):
    db, admin = edges.db, edges.admin
    email = admin.email
    publish_questionnaire(db, admin, load_file(QUESTIONNAIRES / "medarbeiderundersokelse.yaml"))
    publish_questionnaire(db, admin, load_file(QUESTIONNAIRES / "medarbeiderundersokelse.yaml"))
    round_ = create_round(db, admin, "kvalitetskommune-2009", "Høsten 2009")
    r = round_.id
    invite(db, admin, r, PEOPLE.encode())
    personal_links(db, admin, r, BASE)
    set_mail_text(db, admin, r, "invitation", "Invitasjon", TEXT)
    send_mail(db, admin, r, "invitation", BASE, OutboxMailer(tmp_path / "outbox", "post@ks.no"))
    record_bounce(db, admin, r, "ola@verdal.kommune.no")
    import_responses(db, admin, r, PAPER_FORM)
    export_responses(db, admin, r, "csv", io.BytesIO())
    export_responses(db, admin, r, "xlsx", io.BytesIO())
    make_report(db, admin, r, ["role"])
    scores(db, admin, r, "role")
    measure = add_measure(
        db, admin, r, "Levanger", "vurdering_av_programmet", "Møte", "Kari", date(2010, 1, 1)
    )
    set_measure_status(db, admin, measure.id, "gjennomført")
    close_round(db, admin, r, "alle har svart")
    reopen_round(db, admin, r)
    add_account(db, admin, "analytiker@ks.no", "et langt og godt passord", "analyst")
    change_password(db, admin, "analytiker@ks.no", "et nytt og enda lengre passord")
    disable_account(db, admin, "analytiker@ks.no")

    sha = load_file(QUESTIONNAIRES / "medarbeiderundersokelse.yaml").sha256
    published = f"medarbeiderundersokelse version 1 ({sha[:12]})"
    assert edges.audit() == [
        (email, "questionnaire published", published),
        (email, "questionnaire re-uploaded", published),
        (email, "round created", f"round {r}: Høsten 2009"),
        (email, "invitations added", f"round {r}: 2 people"),
        (email, "personal links listed", f"round {r}: 2 links"),
        (email, "invitation text changed", f"round {r}"),
        (email, "invitations sent", f"round {r}: 2 sent, 0 failed"),
        (email, "bounce recorded", f"round {r}"),
        (email, "responses imported", f"round {r}: 1 responses"),
        (email, "responses exported", f"round {r} as csv"),
        (email, "responses exported", f"round {r} as xlsx"),
        (email, "report made", f"round {r}, unit alle, by role"),
        (email, "scores read", f"round {r}, by role"),
        (email, "measure added", f"round {r}, Levanger"),
        (email, "measure status changed", f"measure {measure.id}: gjennomført"),
        (email, "round closed", f"round {r}: alle har svart"),
        (email, "round reopened", f"round {r}"),
        (email, "user added", "analytiker@ks.no (analyst)"),
        (email, "password changed", "analytiker@ks.no: 0 sessions ended"),
        (email, "user disabled", "analytiker@ks.no: 0 sessions ended"),
    ]


def test_the_cli_is_audited_under_the_system_user(edges, tmp_path):
    edges.app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    (tmp_path / "people.csv").write_text(PEOPLE)
    (tmp_path / "svar.csv").write_bytes(PAPER_FORM)
    employee = str(QUESTIONNAIRES / "medarbeiderundersokelse.yaml")
    commands = [
        ("load", employee),
        ("round", "create", "kvalitetskommune-2009", "--name", "R"),
        ("invite", "1", str(tmp_path / "people.csv")),
        ("links", "1"),
        ("send", "1", "invitation"),
        ("import-responses", "1", str(tmp_path / "svar.csv")),
        ("export", "1", "-o", str(tmp_path / "ut.csv")),
        ("scores", "1", "--by", "role"),
        ("report", "1", "-o", str(tmp_path / "rapport.html")),
        ("round", "close", "1", "--reason", "ferdig"),
        ("round", "reopen", "1"),
        ("user", "add", "ny@ks.no", "--role", "analyst", "--password", "et langt og godt passord"),
    ]
    for command in commands:
        code, output = edges.cli(*command)
        assert code == 0, (command, output)
    actor = f"cli:{getpass.getuser()}"
    assert [(who, what) for who, what, _ in edges.audit()] == [
        (actor, "questionnaire published"),
        (actor, "round created"),
        (actor, "invitations added"),
        (actor, "personal links listed"),
        (actor, "invitations sent"),
        (actor, "responses imported"),
        (actor, "responses exported"),
        (actor, "scores read"),
        (actor, "report made"),
        (actor, "round closed"),
        (actor, "round reopened"),
        (actor, "user added"),
    ]


@pytest.mark.parametrize("role", ["analyst", "unit-leader"])
def test_running_a_round_is_refused_to_everyone_but_admins(edges, tmp_path, role):
    db = edges.db
    round_ = create_round(db, edges.admin, "kvalitetskommune-2009", "R")
    r = round_.id
    invite(db, edges.admin, r, PEOPLE.encode())
    measure = add_measure(db, edges.admin, r, "Verdal", "vurdering_av_programmet", "x", "y", DUE)
    before = (edges.audit(), [edges.count(t) for t in TABLES])
    actor = Account(99, "noen@ks.no", role, ("Levanger",))
    outbox = OutboxMailer(tmp_path / "outbox", "post@ks.no")
    employee = load_file(QUESTIONNAIRES / "medarbeiderundersokelse.yaml")
    attempts = {
        "publish": lambda: publish_questionnaire(db, actor, employee),
        "create": lambda: create_round(db, actor, "kvalitetskommune-2009", "R2"),
        "invite": lambda: invite(db, actor, r, PEOPLE.encode()),
        "links": lambda: personal_links(db, actor, r, BASE),
        "mail text": lambda: mail_text(db, actor, r, "invitation"),
        "set mail text": lambda: set_mail_text(db, actor, r, "invitation", "Hei", TEXT),
        "send": lambda: send_mail(db, actor, r, "invitation", BASE, outbox),
        "bounce": lambda: record_bounce(db, actor, r, "ola@verdal.kommune.no"),
        "import": lambda: import_responses(db, actor, r, PAPER_FORM),
        "export": lambda: export_responses(db, actor, r, "csv", io.BytesIO()),
        "close": lambda: close_round(db, actor, r),
        "reopen": lambda: reopen_round(db, actor, r),
        "account": lambda: add_account(db, actor, "x@ks.no", "et langt og godt passord", "admin"),
        "password": lambda: change_password(db, actor, ADMIN, "et langt og godt passord"),
        "disable": lambda: disable_account(db, actor, ADMIN),
        "other unit's measure": lambda: set_measure_status(db, actor, measure.id, "i gang"),
    }
    refused = []
    for name, attempt in attempts.items():
        with pytest.raises(Forbidden):
            attempt()
        refused.append(name)
    assert len(refused) == len(attempts)
    assert (edges.audit(), [edges.count(t) for t in TABLES]) == before
    assert not (tmp_path / "outbox").exists()


def test_a_unit_leader_reads_and_follows_up_only_their_own_unit(edges):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    leader = Account(99, "leder@levanger.no", "unit-leader", ("Levanger",))
    make_report(edges.db, leader, round_.id, ["role"], unit="Levanger")
    with pytest.raises(Forbidden):
        make_report(edges.db, leader, round_.id, ["role"])
    with pytest.raises(Forbidden):
        make_report(edges.db, leader, round_.id, ["role"], unit="Verdal")
    with pytest.raises(Forbidden):
        add_measure(edges.db, leader, round_.id, "Verdal", "vurdering_av_programmet", "x", "y", DUE)
    own = add_measure(
        edges.db, leader, round_.id, "Levanger", "vurdering_av_programmet", "x", "y", DUE
    )
    assert set_measure_status(edges.db, leader, own.id, "i gang").unit == "Levanger"
