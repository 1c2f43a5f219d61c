"""What only the CLI could do, on the round page (issue 16, defect 3): the report by any
declared breakdown, compared with an earlier round, and the open link of an anonymous round."""

from __future__ import annotations

import html
import re

from survey import create_app
from survey.accounts import operator
from survey.demo import national_2009_round
from survey.operations.results import declare_breakdowns
from survey.storage import open_database
from survey.storage.rounds import create_round
from survey.storage.users import add_user
from tests.web.test_secretariat import ACCOUNTS, PASSWORD, signed_in


def test_the_round_page_offers_breakdowns_and_earlier_rounds_and_the_report_follows(
    tmp_path, database
):
    path = database
    db = open_database(path)
    first = national_2009_round(db, municipalities=12, answer_rate=1.0)
    anonymous = create_round(db, "kvalitetskommune-2009", "Åpen runde", anonymous=True)
    later = national_2009_round(db, name="Oppfølging 2010", municipalities=12, seed=2010)
    for email, (role, units) in ACCOUNTS.items():
        add_user(db, email, PASSWORD, role, units)
    db.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "test", "TESTING": True})
    app.instance_path = str(tmp_path / "instance")
    admin = signed_in(app, "admin@sekretariatet.no")

    page = admin.get(f"/sekretariat/runder/{later.id}").get_data(as_text=True)
    etter = re.search(r'<select id="etter".*?</select>', page, re.S).group(0)
    by = dict(re.findall(r'<option value="([^"]*)"(?: selected)?>([^<]+)</option>', etter))
    assert by[""] == "Hele runden" and by["role"] == "Rolle" and by["unit"] == "Enhet"
    compare = re.search(r'<select id="sammenlign".*?</select>', page, re.S).group(0)
    # the earlier rounds of the same questionnaire, never this one
    assert f'value="{first.id}"' in compare and f'value="{anonymous.id}"' in compare
    assert f'value="{later.id}"' not in compare
    assert 'formaction="/sekretariat/runder/' in page  # one form, two ways to read it

    compared = admin.get(
        f"/sekretariat/runder/{later.id}/rapport?etter=unit&sammenlign={first.id}"
    ).get_data(as_text=True)
    assert "Sammenlignet med" in compared and "Endring" in compared
    plain = admin.get(f"/sekretariat/runder/{later.id}/rapport?etter=unit").get_data(as_text=True)
    assert "Sammenlignet med" not in plain

    # the PDF of a comparison is a file of its own, not the plain report's
    with_compare = admin.get(f"/sekretariat/runder/{later.id}/rapport.pdf?sammenlign={first.id}")
    without = admin.get(f"/sekretariat/runder/{later.id}/rapport.pdf")
    status = re.compile(r'data-status="[^"]*/(runde-[^"]+)"')
    assert status.search(with_compare.get_data(as_text=True)).group(1) != status.search(
        without.get_data(as_text=True)
    ).group(1)

    anonymous_page = admin.get(f"/sekretariat/runder/{anonymous.id}").get_data(as_text=True)
    assert re.search(rf"http://127\.0\.0\.1:5000/a/{anonymous.open_token}", anonymous_page)
    analyst = signed_in(app, "analytiker@sekretariatet.no")
    seen = analyst.get(f"/sekretariat/runder/{anonymous.id}").get_data(as_text=True)
    assert anonymous.open_token not in seen  # the link is the secretariat's to hand out


def test_an_earlier_round_offered_for_comparison_says_by_which_breakdowns_it_can_be(
    tmp_path, database
):
    """A comparison gives the earlier round's figures back by the report's breakdown, so
    the earlier round must release it too. The list used to offer every earlier round
    alike, and the report then refused most pairs; now a round that releases fewer
    breakdowns than this one offers says which, and one that would be refused by every
    breakdown (on a unit's page, one that releases nothing by unit) is not offered."""
    db = open_database(database)
    by_role = national_2009_round(db, name="Bare etter rolle", municipalities=6, seed=1)
    overall = national_2009_round(db, name="Bare totalen", municipalities=6, seed=2)
    alike = national_2009_round(db, name="Som denne", municipalities=6, seed=3)
    later = national_2009_round(db, name="Oppfølging 2010", municipalities=6, seed=2010)
    declare_breakdowns(db, operator(), by_role.id, ["role"])
    declare_breakdowns(db, operator(), overall.id, [])
    unit = db.execute(
        "SELECT unit FROM invitations WHERE round_id = ? ORDER BY unit LIMIT 1", [later.id]
    ).fetchone()[0]
    add_user(db, "admin@sekretariatet.no", PASSWORD, "admin", ())
    db.close()
    app = create_app({"DATABASE": str(database), "SECRET_KEY": "test", "TESTING": True})
    app.instance_path = str(tmp_path / "instance")
    admin = signed_in(app, "admin@sekretariatet.no")

    def offered(address: str) -> dict[str, str]:
        page = admin.get(address).get_data(as_text=True)
        found = re.search(r'<select id="sammenlign".*?</select>', page, re.S)
        listed = re.findall(r'<option value="(\d+)">([^<]+)</option>', found.group(0))
        return {value: html.unescape(label) for value, label in listed}

    whole = offered(f"/sekretariat/runder/{later.id}")
    assert whole[str(alike.id)] == "Som denne"  # every breakdown: its name alone
    assert whole[str(by_role.id)] == "Bare etter rolle (bare for hele runden og etter rolle)"
    assert whole[str(overall.id)] == "Bare totalen (bare for hele runden)"

    one_unit = offered(f"/sekretariat/runder/{later.id}?enhet={unit}")
    assert one_unit[str(alike.id)] == "Som denne"
    # a unit's figures are the unit's cells: neither releases anything by unit
    assert str(overall.id) not in one_unit and str(by_role.id) not in one_unit
    # and what the list says is what the report does
    compared = f"/sekretariat/runder/{later.id}/rapport?sammenlign={by_role.id}"
    assert admin.get(f"{compared}&etter=role").status_code == 200
    assert admin.get(f"{compared}&etter=unit").status_code == 422
    assert admin.get(f"{compared}&etter=role&enhet={unit}").status_code == 422
