"""Writing a questionnaire in the browser (issue 16, defect 9): a copy of a template under a
new id, edited with the linter's messages beside the lines, previewed as each role on the
respondent's own pages with nothing stored, and published only without errors."""

from __future__ import annotations

import html
import re

import pytest

from survey.resources import QUESTIONNAIRES
from tests.web.conftest import csrf
from tests.web.test_manage import BROKEN, admin, rows, upload  # noqa: F401 - admin: a fixture

EMPLOYEES = "fil:medarbeiderundersokelse.yaml"
NEW = "/sekretariat/sporreskjema/ny"
PAGE_1 = {
    "rolle": "medarbeider",
    "sektor": "oppvekst",
    "stilling": "heltid",
    "ansiennitet": "ar_3_9",
    "action": "next",
}
VALID = b"""id: test
version: 1
title: Test
pages:
  - id: p1
    questions:
      - {id: q1, type: text, text: Hei}
"""
LEADER_QUESTION = "Hvor mange medarbeidere har du personalansvar for?"
PART_TIME_QUESTION = "Ønsker du en større stilling enn den du har i dag?"


def start(client, template: str = EMPLOYEES, qid: str = "ansatte-2027", title: str = "Ansatte"):
    token = csrf(client.get(NEW).get_data(as_text=True))
    return client.post(
        NEW,
        data={"csrf_token": token, "template": template, "questionnaire_id": qid, "title": title},
    )


def editor_text(page: str) -> str:
    return html.unescape(re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", page, re.S).group(1))


def save(client, url: str, text: str, action: str = "kontroller", **extra: str):
    token = csrf(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "text": text, "action": action, **extra})


@pytest.fixture
def draft(admin):  # noqa: F811
    started = start(admin)
    assert started.status_code == 302
    return started.location


def test_the_templates_are_the_bundled_and_the_published_questionnaires(admin):  # noqa: F811
    upload(admin, "/sekretariat/sporreskjema", "test.yaml", VALID)
    page = admin.get(NEW).get_data(as_text=True)
    for path in QUESTIONNAIRES.glob("*.yaml"):
        assert f'value="fil:{path.name}"' in page
    assert "Medarbeiderundersøkelse" in page and "Nytt spørreskjema fra mal" in page


def test_a_copy_gets_the_new_id_and_title_and_never_overwrites_the_original(admin):  # noqa: F811
    original = (QUESTIONNAIRES / "medarbeiderundersokelse.yaml").read_bytes()
    started = start(admin, qid="ansatte-2027", title="Ansatte i Levanger 2027")
    page = admin.get(started.location).get_data(as_text=True)
    text = editor_text(page)
    assert "\nid: ansatte-2027\n" in text and '\ntitle: "Ansatte i Levanger 2027"\n' in text
    assert "id: medarbeiderundersokelse" not in text
    assert text.count("\n") == original.decode().count("\n")  # every other line as it was
    published = save(admin, started.location, text, "publiser")
    assert published.status_code == 302
    assert rows(admin, "SELECT questionnaire_id FROM questionnaire_versions") == [("ansatte-2027",)]
    assert (QUESTIONNAIRES / "medarbeiderundersokelse.yaml").read_bytes() == original


def test_a_copy_of_a_published_questionnaire_leaves_its_versions_alone(admin):  # noqa: F811
    employees = (QUESTIONNAIRES / "medarbeiderundersokelse.yaml").read_bytes()
    upload(admin, "/sekretariat/sporreskjema", "m.yaml", employees)
    (version_id, source), *_ = rows(admin, "SELECT id, source FROM questionnaire_versions")
    started = start(admin, template=f"versjon:{version_id}", qid="kopi", title="Kopi")
    assert started.status_code == 302
    page = admin.get(started.location)
    assert save(admin, started.location, editor_text(page.get_data(as_text=True)), "publiser")
    assert sorted(rows(admin, "SELECT questionnaire_id, source FROM questionnaire_versions")) == [
        ("kopi", rows(admin, "SELECT source FROM questionnaire_drafts")[0][0]),
        ("medarbeiderundersokelse", source),
    ]


@pytest.mark.parametrize(
    ("qid", "message"),
    [
        ("Ansatte 2027", "Id-en kan bare ha små bokstaver a–z"),
        ("", "Skriv en id for det nye spørreskjemaet."),
        ("medarbeiderundersokelse", "Id-en «medarbeiderundersokelse» er allerede brukt"),
        ("kvalitetskommune-2009", "Id-en «kvalitetskommune-2009» er allerede brukt"),
    ],
)
def test_a_bad_or_taken_id_is_refused_in_bokmal(admin, qid, message):  # noqa: F811
    refused = start(admin, qid=qid)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and message in page
    assert 'id="questionnaire_id-feil"' in page and "Noe må rettes" in page
    assert rows(admin, "SELECT count(*) FROM questionnaire_drafts") == [(0,)]


def test_a_published_id_is_taken_too_and_a_title_is_needed(admin):  # noqa: F811
    upload(admin, "/sekretariat/sporreskjema", "t.yaml", VALID)
    assert "Id-en «test» er allerede brukt" in start(admin, qid="test").get_data(as_text=True)
    untitled = start(admin, qid="ny", title="  ")
    assert untitled.status_code == 422
    assert "Gi spørreskjemaet en tittel" in untitled.get_data(as_text=True)
    unknown = start(admin, template="fil:../../etc/passwd.yaml", qid="ny")
    assert unknown.status_code == 422


def test_an_error_shows_beside_its_line_is_kept_and_is_not_published(admin, draft):  # noqa: F811
    text = editor_text(admin.get(draft).get_data(as_text=True))
    broken = text.replace("type: likert_matrix", "type: likret_matrix", 1)
    line = broken.splitlines().index("        type: likret_matrix") + 1
    answer = save(admin, draft, broken, "publiser")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "kan ikke publiseres" in page  # saved, not published
    row = re.search(rf'<tr id="linje-{line}" class="has-error">(.*?)</tr>', page, re.S).group(1)
    assert "likret_matrix" in row and 'class="error">feil: ' in row
    assert rows(admin, "SELECT count(*) FROM questionnaire_versions") == [(0,)]
    # kept on the server: a reload shows the text as saved, with the same message
    again = admin.get(draft).get_data(as_text=True)
    assert editor_text(again) == broken and f'id="linje-{line}" class="has-error"' in again
    previewed = save(admin, draft, broken, "forhandsvis")
    assert previewed.status_code == 200 and "kan ikke forhåndsvises" in previewed.get_data(
        as_text=True
    )
    assert admin.get(draft + "/forhandsvisning").status_code == 409


def test_the_fixed_draft_publishes(admin, draft):  # noqa: F811
    text = editor_text(admin.get(draft).get_data(as_text=True))
    save(admin, draft, text.replace("type: likert_matrix", "type: likret_matrix", 1))
    published = save(admin, draft, text, "publiser")
    assert published.status_code == 302
    (version_id, qid), *_ = rows(admin, "SELECT id, questionnaire_id FROM questionnaire_versions")
    assert published.location == f"/sekretariat/sporreskjema/{version_id}" and qid == "ansatte-2027"
    assert ("spørreskjemautkast lagret",) not in rows(admin, "SELECT action FROM audit_log")
    actions = [a for (a,) in rows(admin, "SELECT action FROM audit_log")]
    assert actions.count("questionnaire draft saved") == 2
    assert "questionnaire draft started" in actions and "questionnaire published" in actions


def test_a_draft_publishes_only_under_its_own_id(admin, draft):  # noqa: F811
    text = editor_text(admin.get(draft).get_data(as_text=True))
    renamed = text.replace("id: ansatte-2027", "id: medarbeiderundersokelse")
    answer = save(admin, draft, renamed, "publiser")
    assert answer.status_code == 200 and "Sett id-en tilbake til ansatte-2027" in answer.get_data(
        as_text=True
    )
    assert rows(admin, "SELECT count(*) FROM questionnaire_versions") == [(0,)]


def test_a_draft_is_no_larger_than_an_upload(admin, draft):  # noqa: F811
    admin.application.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    before = rows(admin, "SELECT source FROM questionnaire_drafts")
    assert save(admin, draft, "# " + "x" * 65 * 1024).status_code == 413
    assert rows(admin, "SELECT source FROM questionnaire_drafts") == before


def test_the_editor_needs_an_admin_and_a_csrf_token(admin, draft):  # noqa: F811
    text = editor_text(admin.get(draft).get_data(as_text=True))
    expired = admin.post(draft, data={"text": text + "# ny linje\n", "action": "kontroller"})
    assert expired.status_code == 400 and "# ny linje" in expired.get_data(as_text=True)
    assert "# ny linje" not in rows(admin, "SELECT source FROM questionnaire_drafts")[0][0]
    assert admin.post(draft + "/kontroll", data={"text": text}).status_code == 400
    stranger = admin.application.test_client()
    assert stranger.get(draft).status_code == 302  # to the sign-in page


def test_the_live_check_answers_with_the_linters_problems(admin, draft):  # noqa: F811
    token = csrf(admin.get(draft).get_data(as_text=True))
    answer = admin.post(draft + "/kontroll", data={"csrf_token": token, "text": BROKEN.decode()})
    found = answer.get_json()
    assert answer.status_code == 200 and found["errors"] == 1
    assert found["problems"][0]["line"] == 10 and "finnes_ikke" in found["problems"][0]["message"]
    assert rows(admin, "SELECT source FROM questionnaire_drafts")[0][0] != BROKEN.decode()


def _counts(client) -> list[tuple]:
    return rows(
        client,
        "SELECT (SELECT count(*) FROM responses), (SELECT count(*) FROM answers), "
        "(SELECT count(*) FROM questionnaire_versions)",
    )


def _page(client, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, answer.status_code
    return answer.get_data(as_text=True)


def test_the_preview_shows_each_role_its_own_pages_and_stores_nothing(admin, draft):  # noqa: F811
    preview = draft + "/forhandsvisning"
    employee = _page(admin, preview + "?rolle=medarbeider")
    assert "Forhåndsvisning – ingenting lagres" in employee and "<h1>Ansatte</h1>" in employee
    first = _page(admin, preview + "/side/1?rolle=medarbeider")
    assert "Side 1 av 9" in first
    assert re.search(r'value="medarbeider" id="rolle"\s+checked', first)  # as an invitation
    assert "Forhåndsvisning – ingenting lagres" in first
    leader = _page(admin, preview + "/side/1?rolle=leder")
    assert "Side 1 av 10" in leader
    # the leaders' page (6): shown to a leader, skipped for an employee
    assert LEADER_QUESTION in _page(admin, preview + "/side/6?rolle=leder")
    skipped = admin.get(preview + "/side/6?rolle=medarbeider")
    assert skipped.status_code == 302 and skipped.location.endswith("/side/7?rolle=medarbeider")
    assert admin.get(preview + "/side/1?rolle=ordforer").status_code == 404
    assert _counts(admin) == [(0, 0, 0)]


def test_the_preview_applies_conditions_and_the_role_question(admin, draft):  # noqa: F811
    url = draft + "/forhandsvisning/side/1?rolle=medarbeider"
    token = csrf(_page(admin, url))
    full_time = admin.post(url, data={"csrf_token": token, **PAGE_1})
    page = full_time.get_data(as_text=True)
    assert full_time.status_code == 200 and "Side 2 av 9" in page
    assert PART_TIME_QUESTION not in page and "Forhåndsvisning – ingenting lagres" in page
    part_time = {**PAGE_1, "stilling": "deltid", "stilling__deltid": "60"}
    page = admin.post(url, data={"csrf_token": token, **part_time}).get_data(as_text=True)
    assert PART_TIME_QUESTION in page and "Side 2 av 10" in page
    # the answers of page 1 travel with page 2's form; the role question overrides the role
    leader = {**PAGE_1, "rolle": "leder"}
    page = admin.post(url, data={"csrf_token": token, **leader}).get_data(as_text=True)
    assert "Side 2 av 10" in page
    carried = html.unescape(
        re.search(r'name="forhandsvisning_svar" type="hidden" value="([^"]*)"', page).group(1)
    )
    assert '"rolle": ["leder"]' in carried
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
    back = admin.post(
        html.unescape(action),
        data={"csrf_token": token, "forhandsvisning_svar": carried, "action": "back"},
    ).get_data(as_text=True)
    assert "Side 1 av 10" in back and re.search(r'value="leder" id="rolle-leder"\s+checked', back)
    # an error is shown as a respondent would see it
    missing = admin.post(url, data={"csrf_token": token, "action": "next"})
    assert missing.status_code == 200 and "Det er noe som må rettes" in missing.get_data(
        as_text=True
    )
    assert _counts(admin) == [(0, 0, 0)]


def test_the_preview_ends_on_the_thank_you_page(admin, tmp_path):  # noqa: F811
    started = start(admin)
    small = """id: ansatte-2027
version: 1
title: Lite
roles:
  - {code: a, label: A}
  - {code: b, label: B}
pages:
  - id: p1
    questions:
      - {id: q1, type: text, text: "Navn?"}
  - id: p2
    audience: [b]
    questions:
      - {id: q2, type: text, text: "Bare for B?"}
"""
    assert save(admin, started.location, small).status_code == 200
    url = started.location + "/forhandsvisning/side/1?rolle=a"
    token = csrf(_page(admin, url))
    done = admin.post(url, data={"csrf_token": token, "q1": "Kari", "action": "next"})
    page = done.get_data(as_text=True)
    assert "Svaret ditt er registrert" in page and "ingenting lagres" in page
    # said before the respondent's own words, so nobody takes them for a real submission
    said = page.index("Ingenting ble sendt inn eller")
    assert said < page.index("<h1>Svaret ditt er registrert")
    as_b = admin.post(url.replace("rolle=a", "rolle=b"), data={"csrf_token": token, "q1": "Ola"})
    assert "Bare for B?" in as_b.get_data(as_text=True)
    assert _counts(admin) == [(0, 0, 0)]
