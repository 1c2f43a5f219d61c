"""Declared breakdowns (issue 14): a round's figures leave the system only by breakdowns the
secretariat chose. Until it chooses, every dimension alone and role × unit (a unit's report
by role); a crossing with an attribute such as pulje must be declared on purpose. Tested at
the operation, on the web and in the CLI, with the same rule each time."""

from __future__ import annotations

import html
import re

import pytest

from survey.accounts import Account
from survey.errors import Forbidden, InvalidInput, NotFound
from survey.invitation_list import Person
from survey.operations.results import (
    checked_breakdown,
    declare_breakdowns,
    declared_breakdowns,
    report_request,
)
from survey.operations.rounds import create_round
from survey.storage.invitations import add_invitations

DEFAULT = [("role",), ("unit",), ("pulje",), ("role", "unit")]
ANALYST = Account(99, "analytiker@ks.no", "analyst", ())


@pytest.fixture
def round_id(edges) -> int:
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "Evaluering 2009")
    people = [
        Person("Kari", "kari@levanger.kommune.no", "ordforer", "Levanger", {"pulje": "2"}),
        Person("Ola", "ola@verdal.kommune.no", "prosjektleder", "Verdal", {"pulje": "3"}),
    ]
    add_invitations(edges.db, round_.id, people)
    return round_.id


def refused(edges, round_id: int, by: str, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        checked_breakdown(edges.db, round_id, by, **kwargs)
    return caught.value


def test_until_declared_each_dimension_alone_and_role_by_unit_are_released(edges, round_id):
    assert declared_breakdowns(edges.db, round_id) == DEFAULT
    assert checked_breakdown(edges.db, round_id, "pulje") == ["pulje"]
    assert checked_breakdown(edges.db, round_id, "unit,role") == ["unit", "role"]  # as asked
    assert checked_breakdown(edges.db, round_id, "") == []  # overall figures, always
    problem = refused(edges, round_id, "role,pulje")
    assert problem.message_nb == (
        "Runden er ikke satt opp for tall etter rolle × pulje. "
        "Tillatte nedbrytninger: rolle; enhet; pulje; rolle × enhet."
    )


def test_a_declaration_replaces_the_default_and_is_audited(edges, round_id):
    declared = declare_breakdowns(edges.db, edges.admin, round_id, ["pulje,role", ["unit"], "role"])
    assert declared == [("role", "pulje"), ("unit",), ("role",)]  # each in reading order
    assert declared_breakdowns(edges.db, round_id) == declared
    assert checked_breakdown(edges.db, round_id, "pulje,role") == ["pulje", "role"]
    refused(edges, round_id, "pulje")  # no longer released alone
    refused(edges, round_id, "role,unit")
    assert edges.audit()[-1] == (
        edges.admin.email,
        "breakdowns declared",
        f"round {round_id}: role,pulje; unit; role",
    )


def test_only_an_admin_declares_and_a_bad_declaration_stores_nothing(edges, round_id):
    with pytest.raises(Forbidden):
        declare_breakdowns(edges.db, ANALYST, round_id, ["role,pulje"])
    with pytest.raises(InvalidInput):
        declare_breakdowns(edges.db, edges.admin, round_id, ["role", "kommune"])
    with pytest.raises(InvalidInput):
        declare_breakdowns(edges.db, edges.admin, round_id, ["role,unit,pulje,role"])
    assert declared_breakdowns(edges.db, round_id) == DEFAULT
    assert "breakdowns declared" not in [action for _, action, _ in edges.audit()]


def test_one_units_figures_are_checked_as_their_crossing_with_unit(edges, round_id):
    """A unit's report by role releases the cells of role × unit: that is what must be
    declared, not role alone."""
    report_request(edges.db, edges.admin, round_id, "role", unit="Levanger")  # default: fine
    declare_breakdowns(edges.db, edges.admin, round_id, ["role", "unit"])
    with pytest.raises(InvalidInput, match="role × unit"):
        report_request(edges.db, edges.admin, round_id, "role", unit="Levanger")
    report_request(edges.db, edges.admin, round_id, "", unit="Levanger")  # the unit alone


def test_a_comparison_is_by_a_breakdown_both_rounds_declared(edges, round_id):
    """A change against an earlier round gives that round's figures back by the same
    breakdown, so the earlier round must have declared it too."""
    later = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "Evaluering 2010")
    report_request(edges.db, edges.admin, later.id, "unit", compare=round_id)  # both default
    declare_breakdowns(edges.db, edges.admin, round_id, ["role"])
    with pytest.raises(InvalidInput) as caught:
        report_request(edges.db, edges.admin, later.id, "unit", compare=round_id)
    assert caught.value.message_nb == (
        "Runden det sammenlignes med («Evaluering 2009»), er ikke satt opp for tall etter "
        "enhet, og sammenligningen ville vist tallene dens slik. Tillatte nedbrytninger der: "
        "rolle."
    )
    with pytest.raises(InvalidInput, match="role × unit"):  # one unit's, by role
        report_request(edges.db, edges.admin, later.id, "role", unit="Levanger", compare=round_id)
    with pytest.raises(NotFound):
        report_request(edges.db, edges.admin, later.id, "role", compare=later.id + 1)
    report_request(edges.db, edges.admin, later.id, "role", compare=round_id)
    report_request(edges.db, edges.admin, later.id, "unit")  # not compared: the later's own


def test_the_web_report_refuses_an_undeclared_breakdown_and_names_the_declared(edges, round_id):
    client = edges.web()
    answer = client.get(f"/sekretariat/runder/{round_id}/rapport?etter=role,pulje")
    assert answer.status_code == 422
    text = html.unescape(answer.get_data(as_text=True))
    assert "Tillatte nedbrytninger: rolle; enhet; pulje; rolle × enhet." in text
    assert client.get(f"/sekretariat/runder/{round_id}/rapport?etter=pulje").status_code == 200
    declare_breakdowns(edges.db, edges.admin, round_id, ["role,pulje"])
    assert client.get(f"/sekretariat/runder/{round_id}/rapport?etter=pulje,role").status_code == 200
    assert client.get(f"/sekretariat/runder/{round_id}/rapport.pdf?etter=unit").status_code == 422


def test_the_cli_shows_declares_and_keeps_to_the_breakdowns(edges, round_id):
    r = str(round_id)
    assert edges.cli("round", "breakdowns", r) == (0, "role\nunit\npulje\nrole,unit\n")
    code, output = edges.cli("scores", r, "--by", "role,pulje")
    assert code != 0 and "does not release figures by role × pulje" in output
    assert edges.cli("round", "breakdowns", r, "--allow", "pulje,role", "--allow", "unit") == (
        0,
        "role,pulje\nunit\n",
    )
    code, output = edges.cli("scores", r, "--by", "role,pulje")
    assert code == 0 and output.startswith("min_group_size"), output
    code, output = edges.cli("scores", r, "--by", "role")
    assert code != 0 and "its declared breakdowns: role × pulje; unit" in output
    assert edges.cli("round", "breakdowns", r, "--overall-only") == (0, "")
    assert edges.cli("scores", r)[0] == 0  # overall figures are always released
    code, output = edges.cli("round", "breakdowns", r, "--allow", "kommune")
    assert code != 0 and "has no breakdown 'kommune'" in output
    assert declared_breakdowns(edges.db, round_id) == []


def ticked(page: str) -> list[str]:
    return re.findall(r'name="nedbrytning" value="([^"]+)" id="[^"]+" checked', page)


def test_the_round_page_declares_and_shows_only_the_declared_breakdowns(edges, round_id):
    client = edges.web()
    url = f"/sekretariat/runder/{round_id}"
    page = client.get(url).get_data(as_text=True)
    assert ticked(page) == ["role", "unit", "pulje", "role,unit"]
    offered = re.findall(r'name="nedbrytning" value="([^"]+)"', page)
    assert len(offered) == 7 and "role,unit,pulje" in offered  # 3 alone, 3 pairs, 1 triple
    assert "<caption>Etter pulje</caption>" in page
    answer = edges.post(
        client,
        f"{url}/nedbrytninger",
        {"nedbrytning": ["pulje,role", "unit"]},
        form_page=url,
    )
    assert answer.status_code == 302
    assert declared_breakdowns(edges.db, round_id) == [("role", "pulje"), ("unit",)]
    page = client.get(url).get_data(as_text=True)
    assert ticked(page) == ["unit", "role,pulje"]
    # the response rates shown are those of declared breakdowns only
    assert (
        "<caption>Etter pulje</caption>" not in page
        and "<caption>Etter rolle</caption>" not in page
    )
    assert edges.post(client, f"{url}/nedbrytninger", {}, form_page=url).status_code == 302
    assert declared_breakdowns(edges.db, round_id) == []  # nothing ticked: overall only


def test_an_analyst_sees_no_declaration_form_and_cannot_post_one(edges, round_id):
    from survey.storage.users import add_user
    from tests.operations.conftest import PASSWORD
    from tests.web.conftest import csrf

    add_user(edges.db, ANALYST.email, PASSWORD, "analyst")
    client = edges.app.test_client()
    page = client.get("/logg-inn").get_data(as_text=True)
    form = {"csrf_token": csrf(page), "email": ANALYST.email, "password": PASSWORD}
    client.post("/logg-inn", data=form)
    page = client.get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    assert "nedbrytning" not in page
    answer = client.post(
        f"/sekretariat/runder/{round_id}/nedbrytninger",
        data={"csrf_token": csrf(page), "nedbrytning": "role,pulje"},
    )
    assert answer.status_code == 403
    assert declared_breakdowns(edges.db, round_id) == DEFAULT
