"""Double entry of returned paper forms (issue 17): each form typed in by two accounts; a
first keying is held apart from the responses, a second that agrees stores the response as
a single keying would, and one that differs is resolved question by question."""

from __future__ import annotations

import re
from html import unescape

from survey.operations.double_entry import set_double_entry
from survey.storage.mailings import recipients
from survey.storage.rounds import create_round
from survey.storage.users import add_user
from tests.operations.conftest import PASSWORD
from tests.operations.test_data_entry import page, paper_round, stored_answers, typed_form
from tests.web.conftest import csrf

SECOND = "ole@sekretariatet.no"


def second_client(edges):
    """A second admin signed in: double entry's other pair of hands."""
    add_user(edges.db, SECOND, PASSWORD, "admin")
    client = edges.app.test_client()
    form = client.get("/logg-inn").get_data(as_text=True)
    client.post("/logg-inn", data={"csrf_token": csrf(form), "email": SECOND, "password": PASSWORD})
    return client


def double_round(edges, people: int = 4) -> tuple[int, dict[str, str]]:
    round_id, codes = paper_round(edges, people)
    set_double_entry(edges.db, edges.admin, round_id, True)
    return round_id, codes


def keyed(client, url: str, form: dict[str, str]):
    token = csrf(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **form})


def test_the_settings_page_turns_double_entry_on_and_the_entry_page_says_so(edges):
    round_id, _ = paper_round(edges)
    client = edges.web()
    settings = f"/sekretariat/runder/{round_id}/innstillinger"
    html = client.get(settings).get_data(as_text=True)
    assert re.search(
        r'<input aria-describedby="dobbel-hjelp" id="double_entry" name="double_entry" type="checkbox"',
        html,
    )
    data = {"name": "Papir 2009", "min_group_size": "5", "double_entry": "y"}
    assert edges.post(client, settings, data).status_code == 302
    assert re.search(
        r'<input[^>]* checked id="double_entry"', client.get(settings).get_data(as_text=True)
    )
    entry = client.get(f"/sekretariat/runder/{round_id}/skjema").get_data(as_text=True)
    assert "Dobbel innskriving er på" in entry
    assert (
        "admin@sekretariatet.no",
        "double entry turned on",
        f"round {round_id}",
    ) in edges.audit()

    anonymous = create_round(edges.db, "kvalitetskommune-2009", "Anonym", anonymous=True)
    url = f"/sekretariat/runder/{anonymous.id}/innstillinger"
    refused = edges.post(
        client, url, {"name": "Anonym", "min_group_size": "5", "double_entry": "y"}
    )
    assert refused.status_code == 422
    assert "Dobbel innskriving trenger returkoder" in refused.get_data(as_text=True)
    assert edges.count("double_entry_rounds") == 1


def test_a_first_keying_is_held_apart_from_responses_counts_and_exports(edges):
    round_id, codes = double_round(edges)
    client, url, _, token = page(edges, round_id)
    saved = client.post(url, data={"csrf_token": token, **typed_form(codes["p0@ex.no"])})
    assert saved.status_code == 302, saved.get_data(as_text=True)[-3000:]
    assert saved.location.endswith("?lagret=3")
    after = client.get(saved.location).get_data(as_text=True)
    assert "Første innskriving er lagret" in after
    assert "Skrevet inn i denne runden: 0 skjemaer." in after
    assert f"venter på andre innskriving: 1 skjema ({codes['p0@ex.no']})" in after
    assert edges.count("responses") == 0 and edges.count("held_responses") == 0
    assert edges.count("paper_keyings") == 1
    export = client.get(f"/sekretariat/runder/{round_id}/svar.csv").get_data(as_text=True)
    assert len(export.strip().splitlines()) == 1  # the header only
    assert "Godt samarbeid" not in export
    # the person's form has arrived: no mail asks them for it
    waiting = [i.email for i in recipients(edges.db, round_id, "invitation")]
    assert waiting == ["p1@ex.no", "p2@ex.no", "p3@ex.no"]
    # the same account cannot key it the second time
    again = client.post(url, data={"csrf_token": token, **typed_form(codes["p0@ex.no"])})
    assert again.status_code == 422
    assert "Den andre innskrivingen gjøres av en annen person" in unescape(
        again.get_data(as_text=True)
    )
    assert edges.count("paper_keyings") == 1 and edges.count("responses") == 0


def test_a_second_keying_that_agrees_stores_what_a_single_keying_stores(edges):
    round_id, codes = double_round(edges)
    single_id, single_codes = paper_round(edges)
    leader = {"q1": "4", "q2": "2", "q3": "1 2", "q4": "2"}  # a project leader's form
    first, second = edges.web(), second_client(edges)
    url = f"/sekretariat/runder/{round_id}/skjema"
    assert keyed(first, url, typed_form(codes["p3@ex.no"], **leader)).location.endswith("=3")
    # the same boxes, typed with another separator and order, agree
    agreeing = typed_form(codes["p3@ex.no"], **leader | {"q3": "2,1", "q5": " 5 "})
    saved = keyed(second, url, agreeing)
    assert saved.status_code == 302 and saved.location.endswith("?lagret=1")
    assert edges.count("paper_keyings") == 0
    single = f"/sekretariat/runder/{single_id}/skjema"
    assert keyed(first, single, typed_form(single_codes["p3@ex.no"], **leader)).status_code == 302
    rows = edges.db.execute(
        "SELECT r.round_id, r.channel, r.role, r.unit, r.submitted, a.item, a.code, a.number, "
        "a.text FROM responses r JOIN answers a ON a.response_id = r.id ORDER BY a.item, a.code"
    ).fetchall()
    double = [row[1:] for row in rows if row[0] == round_id]
    assert double == [row[1:] for row in rows if row[0] == single_id]
    assert ("paper", "prosjektleder", "Enhet 1", 1, "q3", "skifte", None, None) in double
    assert len(double) == 15  # q7 and q13 left empty; q3 two boxes


def test_a_second_keying_that_differs_is_resolved_side_by_side(edges):
    round_id, codes = double_round(edges)
    first, second = edges.web(), second_client(edges)
    url = f"/sekretariat/runder/{round_id}/skjema"
    code = codes["p0@ex.no"]
    keyed(first, url, typed_form(code, q5="5", q8="6", q12="2"))
    differs = keyed(second, url, typed_form(code, q5="4", q8="6", q12="", q13="3"))
    assert differs.status_code == 302
    assert re.search(rf"/runder/{round_id}/skjema/forskjeller/\d+$", differs.location)
    assert edges.count("responses") == 0 and edges.count("paper_keyings") == 2

    html = unescape(second.get(differs.location).get_data(as_text=True))
    assert f"<h1>Avgjør forskjeller: returkode {code}</h1>" in html
    shown = re.findall(
        r'<fieldset class="difference" id="(\w+)">.*?<td class="first">([^<]*)</td>'
        r'<td class="second">([^<]*)</td>',
        html,
        re.S,
    )
    assert shown == [("q5", "5", "4"), ("q12", "2", "(tomt)"), ("q13", "(tomt)", "3")]
    assert "av admin@sekretariatet.no og ole@sekretariatet.no" in html
    entry = first.get(url).get_data(as_text=True)
    assert f"Avgjør forskjellene for returkode {code}" in entry
    # a third keying waits for the resolving, whoever types it
    third = keyed(first, url, typed_form(code))
    assert third.status_code == 422 and "Avgjør forskjellene" in unescape(
        third.get_data(as_text=True)
    )

    token = csrf(html)
    assert second.post(differs.location, data={"valg-q5": "1"}).status_code == 400  # no CSRF
    unsettled = second.post(differs.location, data={"csrf_token": token, "valg-q5": "1"})
    assert unsettled.status_code == 422
    assert re.findall(r'<a href="#valg-(\w+)-1">', unsettled.get_data(as_text=True)) == [
        "q12",
        "q13",
    ]
    bad = {"csrf_token": token, "valg-q5": "ny", "ny-q5": "9", "valg-q12": "2", "ny-q13": "1"}
    refused = second.post(differs.location, data=bad)
    assert refused.status_code == 422 and "Velg et tall fra 1 til 6." in unescape(
        refused.get_data(as_text=True)
    )
    assert edges.count("responses") == 0
    good = {"csrf_token": token, "valg-q5": "ny", "ny-q5": "3", "valg-q12": "1", "valg-q13": "2"}
    resolved = second.post(differs.location, data=good)
    assert resolved.status_code == 302 and resolved.location.endswith("?lagret=4")
    answers = stored_answers(edges, "p0@ex.no")
    assert (answers["q5"], answers["q8"], answers["q12"], answers["q13"]) == (3, 6, 2, 3)
    assert edges.count("paper_keyings") == 0
    assert second.get(differs.location).status_code == 404  # resolved: nothing left here
    audited = [(a, d) for _, a, d in edges.audit() if a.startswith("paper form")]
    assert audited == [
        ("paper form keyed once", f"round {round_id}: return code {code}"),
        ("paper form keyings differed", f"round {round_id}: return code {code}: 3 differing answers"),
        ("paper form keyings resolved", f"round {round_id}: return code {code}: 3 differing answers"),
    ]  # fmt: skip


def test_double_entry_cannot_be_turned_off_while_forms_wait(edges):
    round_id, codes = double_round(edges)
    client = edges.web()
    keyed(client, f"/sekretariat/runder/{round_id}/skjema", typed_form(codes["p1@ex.no"]))
    settings = f"/sekretariat/runder/{round_id}/innstillinger"
    refused = edges.post(client, settings, {"name": "Papir 2009", "min_group_size": "5"})
    assert refused.status_code == 422
    assert "1 skjema(er) er skrevet inn bare én gang" in refused.get_data(as_text=True)
    assert edges.count("double_entry_rounds") == 1
