"""Fast data entry (issue 17): a returned paper form typed in by keyboard, through the
import's rules and store (channel paper), one form at a time with save-and-next."""

from __future__ import annotations

import re
from html import unescape
from statistics import mean

import pytest

from survey.invitation_list import Person
from survey.operations.results import scores
from survey.records import Respondent
from survey.responses_csv import read_form
from survey.return_codes import return_code
from survey.storage import responses
from survey.storage.invitations import add_invitations, list_invitations
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.return_codes import assign_numbers
from survey.storage.rounds import create_round
from tests.web.conftest import csrf

ROLES = ("ordforer", "radmann", "tillitsvalgt", "prosjektleder")


def paper_round(edges, people: int = 8) -> tuple[int, dict[str, str]]:
    """An invited 2009 round whose personal forms were printed: return codes by e-mail."""
    round_ = create_round(edges.db, "kvalitetskommune-2009", "Papir 2009")
    add_invitations(
        edges.db,
        round_.id,
        [Person(f"Person {i}", f"p{i}@ex.no", ROLES[i % 4], f"Enhet {i % 2}", {}) for i in range(people)],
    )  # fmt: skip
    numbers = assign_numbers(edges.db, round_.id)
    return round_.id, {
        inv.email: return_code(numbers[inv.id]) for inv in list_invitations(edges.db, round_.id)
    }


def typed_form(code: str, **answers: str) -> dict[str, str]:
    """A mayor's form as the secretariat types it: option and scale point numbers."""
    form = {"return_code": code, "q1": "1", "q5": "5", "q6": "4", "q7": "", "q8": "6"}
    form |= {"q9a": "3", "q9b": "3", "q10": "4", "q11a": "1", "q11b": "2", "q12": "2"}
    return form | {"q13": "", "q14": "Godt samarbeid <b>i</b> år"} | answers


def page(edges, round_id):
    client = edges.web()
    url = f"/sekretariat/runder/{round_id}/skjema"
    first = client.get(url)
    return client, url, first, csrf(first.get_data(as_text=True))


def stored_answers(edges, email: str) -> dict[str, object]:
    rows = edges.db.execute(
        "SELECT a.item, a.code, a.number, a.text FROM answers a JOIN responses r "
        "ON r.id = a.response_id JOIN invitations i ON i.id = r.invitation_id WHERE i.email = ?",
        [email],
    ).fetchall()
    return {
        item: code or (number if number is not None else text) for item, code, number, text in rows
    }


def test_typed_forms_are_stored_as_paper_scored_and_the_page_asks_for_the_next(edges):
    round_id, codes = paper_round(edges)
    client, url, first, token = page(edges, round_id)
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert re.search(r'id="return_code"[^>]*autofocus', html)
    # one input per answer in the paper form's order and numbering
    names = re.findall(r'<input type="text" id="(\w+)"', html)
    assert names[:5] == ["return_code", "q1", "q1_detail", "q2", "q2_detail"]
    assert names[-4:] == ["q11b", "q12", "q13", "q14"]
    assert '<span class="number">9a.</span>' in html and "1–6" in html
    assert "Skrevet inn i denne runden: 0 skjemaer." in html

    q5s = ["5", "2", "6", "4", "1", "3", "5", "6"]
    # "" is skipped: allowed. Both skips are Enhet 0's ordførere's: one each in two groups
    # where everyone else answered would pin them (q12's total less the others' numbers
    # invited), and the total would be hidden (docs/confidentiality.md)
    q12s = ["", "2", "4", "4", "", "5", "6", "1"]
    for i in range(8):
        form = typed_form(codes[f"p{i}@ex.no"], q1=str(i % 4 + 1), q5=q5s[i], q12=q12s[i])
        saved = client.post(url, data={"csrf_token": token, **form})
        assert saved.status_code == 302 and saved.location.endswith("?lagret=1")
        after = client.get(saved.location).get_data(as_text=True)
        assert "Skjema lagret" in after
        assert 'value=""' in re.search(r'<input[^>]*id="return_code"[^>]*>', after).group(0)
    assert "Skrevet inn i denne runden: 8 skjemaer." in after

    channels = edges.db.execute("SELECT DISTINCT channel FROM responses").fetchall()
    assert channels == [("paper",)]
    first_form = stored_answers(edges, "p0@ex.no")
    assert first_form["q1"] == "ordforer" and first_form["q9b"] == "vet_ikke"
    assert first_form["q10"] == "nei" and first_form["q11b"] == "nei"
    assert first_form["q5"] == 5 and "q7" not in first_form and "q13" not in first_form
    assert first_form["q14"] == "Godt samarbeid <b>i</b> år"
    assert "q12" not in stored_answers(edges, "p4@ex.no")
    assert stored_answers(edges, "p3@ex.no")["q1"] == "prosjektleder"

    table = scores(edges.db, edges.admin, round_id, "")
    (q5,) = table[(table["kind"] == "item") & (table["item"] == "q5")].to_dict("records")
    assert (q5["n"], q5["mean"]) == (8, pytest.approx(mean(int(v) for v in q5s)))
    (q12,) = table[(table["kind"] == "item") & (table["item"] == "q12")].to_dict("records")
    assert (q12["n"], q12["mean"]) == (6, pytest.approx(mean(int(v) for v in q12s if v)))
    audited = [d for _, a, d in edges.audit() if a == "responses imported"]
    assert audited[-1] == f"round {round_id}: 1 responses typed in from paper"


def test_a_wrong_check_digit_an_unknown_and_a_used_code_are_refused_keeping_what_was_typed(edges):
    round_id, codes = paper_round(edges)
    client, url, _, token = page(edges, round_id)
    digits = codes["p0@ex.no"].replace(" ", "")
    wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    refused = client.post(url, data={"csrf_token": token, **typed_form(wrong, q14="Kept")})
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422
    assert "Kontrollsifferet stemmer ikke" in html
    assert '<a href="#return_code"><span class="question-name">Returkode</span>' in html
    assert f'value="{wrong}"' in html and 'value="Kept"' in html
    assert edges.count("responses") == 0

    unknown = client.post(url, data={"csrf_token": token, **typed_form(return_code(999))})
    assert unknown.status_code == 422
    assert "Ingen skjema i denne runden har returkoden 000 999" in unescape(
        unknown.get_data(as_text=True)
    )

    assert client.post(url, data={"csrf_token": token, **typed_form(codes["p0@ex.no"])}).status_code == 302  # fmt: skip
    again = client.post(url, data={"csrf_token": token, **typed_form(codes["p0@ex.no"])})
    assert again.status_code == 422
    assert "er skrevet inn allerede" in again.get_data(as_text=True)
    assert edges.count("responses") == 1


def test_a_form_of_someone_who_answered_on_the_web_is_held_as_a_conflict(edges):
    round_id, codes = paper_round(edges)
    round_ = edges.db.execute(
        "SELECT questionnaire_version_id FROM rounds WHERE id = ?", [round_id]
    ).fetchone()
    questionnaire = questionnaire_of_version(edges.db, round_[0])
    (inv,) = [i for i in list_invitations(edges.db, round_id) if i.email == "p0@ex.no"]
    _, web = read_form(
        questionnaire,
        {"q1": "ordforer", "q5": "1"},
        respondent=Respondent(inv.email, inv.id, inv.role, inv.unit),
        source="web",
    )
    responses.import_responses(edges.db, questionnaire, round_id, [web], channel="web")
    client, url, _, token = page(edges, round_id)
    saved = client.post(url, data={"csrf_token": token, **typed_form(codes["p0@ex.no"])})
    assert saved.status_code == 302 and saved.location.endswith("?lagret=2")
    assert "alt svart på nett" in client.get(saved.location).get_data(as_text=True)
    assert stored_answers(edges, "p0@ex.no")["q5"] == 1  # the web answer still counts
    assert edges.db.execute("SELECT channel FROM responses").fetchall() == [("web",)]
    held = edges.db.execute("SELECT channel, chosen FROM held_responses").fetchall()
    assert held == [("paper", None)]
    overview = client.get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    assert re.search(rf'action="/sekretariat/runder/{round_id}/valg/\d+"', overview)


def test_no_csrf_token_is_refused_and_nothing_is_stored(edges):
    round_id, codes = paper_round(edges)
    client, url, _, _ = page(edges, round_id)
    assert client.post(url, data=typed_form(codes["p0@ex.no"])).status_code == 400
    assert edges.count("responses") == 0 and edges.count("held_responses") == 0


def test_values_out_of_range_are_named_per_question_and_everything_is_kept(edges):
    round_id, codes = paper_round(edges)
    client, url, _, token = page(edges, round_id)
    form = typed_form(codes["p0@ex.no"], q5="9", q9b="7", q3="1 x")
    refused = client.post(url, data={"csrf_token": token, **form})
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422
    summary = re.findall(
        r'<li><a href="#(\w+)"><span class="question-name">Spørsmål ([\w]+):', html
    )
    assert [name for name, _ in summary] == ["q3", "q5", "q9b"]
    assert "Velg et tall fra 1 til 6." in html
    for name in ("q5", "q9b", "q14", "return_code"):
        value = form[name]
        assert re.search(rf'id="{name}" name="{name}" value="{re.escape(value)}"', html), name
    assert 'aria-invalid="true"' in html
    assert edges.count("responses") == 0


def test_an_anonymous_round_takes_the_header_fields_written_in_by_hand(edges):
    round_ = create_round(edges.db, "kvalitetskommune-2009", "Anonym papir", anonymous=True)
    client, url, first, token = page(edges, round_.id)
    html = first.get_data(as_text=True)
    assert 'id="return_code"' not in html
    assert re.search(r'<label for="unit">Kommunenavn/bydel</label>', html)
    assert re.search(r'id="unit"[^>]*autofocus', html)
    form = {k: v for k, v in typed_form("").items() if k != "return_code"}
    for _ in range(2):  # two people's identical forms are two forms
        saved = client.post(url, data={"csrf_token": token, "unit": "Frosta", "pulje": "3", **form})
        assert saved.status_code == 302
    rows = edges.db.execute("SELECT unit, attributes, channel FROM responses").fetchall()
    assert rows == [("Frosta", '{"pulje": "3"}', "paper")] * 2
