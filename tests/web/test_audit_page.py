"""The audit log speaks the language of its page (issue 20, defect 4): every action the
engine records has a bokmål name, details are translated, and times are Norwegian."""

from __future__ import annotations

import ast
import re

from survey.web.audit_names import ACTIONS
from tests.conftest import ROOT
from tests.web.conftest import csrf
from tests.web.test_manage import PEOPLE, admin, new_round, upload  # noqa: F401

KINDS = ("invitation", "reminder")  # what {kind} stands for in an action


def recorded_actions() -> set[str]:
    """Every action an ``audit(db, actor, action, …)`` call in the package can record."""

    def values(node: ast.expr) -> list[str]:
        if isinstance(node, ast.Constant):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return values(node.body) + values(node.orelse)
        if isinstance(node, ast.JoinedStr):
            template = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
            )
            return [template.format(kind) for kind in KINDS]
        raise AssertionError(f"an action the test cannot read: {ast.unparse(node)}")

    found = set()
    for path in (ROOT / "survey").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "audit"
                and node.args
                and ast.unparse(node.args[0]) == "db"
            ):
                found.update(values(node.args[2]))
    return found


def test_every_action_the_engine_records_has_a_bokmal_name():
    actions = recorded_actions()
    assert len(actions) > 20  # the walk found the calls
    assert actions - ACTIONS.keys() == set()


def test_the_audit_page_is_bokmal_throughout(admin):  # noqa: F811
    wrong = admin.application.test_client()
    form = wrong.get("/logg-inn").get_data(as_text=True)
    wrong.post(
        "/logg-inn",
        data={"csrf_token": csrf(form), "email": "admin@sekretariatet.no", "password": "feil"},
    )
    round_id = new_round(admin)
    upload(admin, f"/sekretariat/runder/{round_id}/invitasjoner", "p.csv", PEOPLE.encode())
    page = admin.get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    admin.post(
        f"/sekretariat/runder/{round_id}/lukk",
        data={"csrf_token": csrf(page), "bekreft": "ja", "begrunnelse": "Ferdig"},
    )
    admin.get(f"/sekretariat/runder/{round_id}/svar.csv")
    html = admin.get("/sekretariat/revisjon").get_data(as_text=True)
    log = html[html.index("<h2>Hendelser</h2>") :]
    for shown in (
        "mislykket innlogging",
        "logget inn",
        "spørreskjema publisert",
        "runde opprettet",
        "invitasjoner lagt til",
        f"runde {round_id}: 2 personer",
        "runde lukket",
        f"runde {round_id}: Ferdig",
        "svar eksportert",
        f"runde {round_id} som csv",
    ):
        assert shown in log, shown
    english = set(ACTIONS) | {"round ", "people", " as csv", "UTC"}
    assert not [word for word in english if word in log]
    assert 'lang="en"' not in log
    assert re.search(r"<td>\d{1,2}\. \w+ \d{4} kl\. \d\d\.\d\d</td>", log)  # 5. desember …
