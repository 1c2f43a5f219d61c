"""Every operation writes its audit entry, whoever calls it; and refuses an account that may
not do it, before anything is written."""

from __future__ import annotations

import getpass
import io
from datetime import date

import pytest

from survey.accounts import Account
from survey.errors import Forbidden
from survey.mail import OutboxMailer
from survey.operations.accounts import add_account, change_password, disable_account
from survey.operations.invitations import invite, personal_links
from survey.operations.mail import record_bounce, send_mail, set_mail_text
from survey.operations.measures import add_measure, set_measure_status
from survey.operations.questionnaires import publish_questionnaire
from survey.operations.responses import export_responses, import_responses
from survey.operations.results import make_report
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
    measure = add_measure(
        db, admin, r, "Levanger", "vurdering_av_programmet", "Møte", "Kari", date(2010, 1, 1)
    )
    set_measure_status(db, admin, measure.id, "gjennomført")
    close_round(db, admin, r, "alle har svart")
    reopen_round(db, admin, r)
    add_account(db, admin, "analytiker@ks.no", "et langt og godt passord", "analyst")
    change_password(db, admin, "analytiker@ks.no", "et nytt og enda lengre passord")
    disable_account(db, admin, "analytiker@ks.no")

    assert edges.audit() == [
        (email, "questionnaire published", edges.audit()[0][2]),
        (email, "questionnaire re-uploaded", edges.audit()[0][2]),
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
        (email, "measure added", f"round {r}, Levanger"),
        (email, "measure status changed", f"measure {measure.id}: gjennomført"),
        (email, "round closed", f"round {r}: alle har svart"),
        (email, "round reopened", f"round {r}"),
        (email, "user added", "analytiker@ks.no (analyst)"),
        (email, "password changed", "analytiker@ks.no: 0 sessions ended"),
        (email, "user disabled", "analytiker@ks.no: 0 sessions ended"),
    ]
    assert edges.audit()[0][2].startswith("medarbeiderundersokelse version 1 (")


def test_the_cli_is_audited_under_the_system_user(edges, tmp_path):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    (tmp_path / "people.csv").write_text(PEOPLE)
    assert edges.cli("invite", str(round_.id), str(tmp_path / "people.csv"))[0] == 0
    assert edges.cli("export", str(round_.id), "-o", str(tmp_path / "svar.csv"))[0] == 0
    assert edges.cli("links", str(round_.id))[0] == 0
    assert edges.cli("round", "close", str(round_.id))[0] == 0
    actor = f"cli:{getpass.getuser()}"
    assert edges.audit()[1:] == [
        (actor, "invitations added", f"round {round_.id}: 2 people"),
        (actor, "responses exported", f"round {round_.id} as csv"),
        (actor, "personal links listed", f"round {round_.id}: 2 links"),
        (actor, "round closed", f"round {round_.id}"),
    ]


@pytest.mark.parametrize("role", ["analyst", "unit-leader"])
def test_running_a_round_is_refused_to_everyone_but_admins(edges, role):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    before = edges.audit()
    actor = Account(99, "noen@ks.no", role, ("Levanger",))
    for attempt in (
        lambda: create_round(edges.db, actor, "kvalitetskommune-2009", "R2"),
        lambda: invite(edges.db, actor, round_.id, PEOPLE.encode()),
        lambda: personal_links(edges.db, actor, round_.id, BASE),
        lambda: export_responses(edges.db, actor, round_.id, "csv", io.BytesIO()),
        lambda: close_round(edges.db, actor, round_.id),
        lambda: add_account(edges.db, actor, "x@ks.no", "et langt og godt passord", "admin"),
        lambda: change_password(edges.db, actor, ADMIN, "et langt og godt passord"),
        lambda: disable_account(edges.db, actor, ADMIN),
    ):
        with pytest.raises(Forbidden):
            attempt()
    assert edges.audit() == before
    assert edges.count("invitations") == 0 and edges.count("rounds") == 1


def test_a_unit_leader_reads_and_follows_up_only_their_own_unit(edges):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    leader = Account(99, "leder@levanger.no", "unit-leader", ("Levanger",))
    make_report(edges.db, leader, round_.id, ["role"], unit="Levanger")
    with pytest.raises(Forbidden):
        make_report(edges.db, leader, round_.id, ["role"])
    with pytest.raises(Forbidden):
        make_report(edges.db, leader, round_.id, ["role"], unit="Verdal")
    with pytest.raises(Forbidden):
        add_measure(
            edges.db, leader, round_.id, "Verdal", "vurdering_av_programmet", "x", "y", date.today()
        )
