"""The error summary at the top of a page sent with errors (GOV.UK's pattern): it takes the
focus when the page loads, names each question that is wrong and links to its first input;
each field keeps its own message beside it, tied to its inputs, and what was answered stays."""

from __future__ import annotations

import lxml.html

from tests.web.conftest import HOME_CARE_PAGE_1, csrf
from tests.web.test_anonymous import anonymous_app

LEADER = "ola@verdal.kommune.no"
REQUIRED = "Du må svare på dette spørsmålet."


def send(client, url: str, data: dict) -> lxml.html.HtmlElement:
    page = client.get(url)
    reply = client.post(url, data={"csrf_token": csrf(page.get_data(as_text=True)), **data})
    assert reply.status_code == 200, reply.status_code
    return lxml.html.fromstring(reply.get_data(as_text=True))


def summary_lines(html: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    (summary,) = html.find_class("error-summary")
    return [(a.get("href"), a.text_content()) for a in summary.iter("a")]


def test_the_summary_takes_the_focus_and_names_each_question_beside_fields_marked(setup):
    """Page 3 of the 2009 questionnaire sent with two of its six questions answered."""
    html = send(
        setup.app.test_client(),
        f"/s/{setup.tokens[LEADER]}/side/3",
        {"q5": "4", "q7": "3", "action": "next"},
    )
    (summary,) = html.find_class("error-summary")
    assert summary.get("tabindex") == "-1" and summary.get("autofocus") is not None
    assert summary.xpath("string(.//h2)") == "Det er noe som må rettes"
    assert summary.xpath(".//*[@role='alert']")  # announced, too
    first_in_main = html.xpath("//main/*[not(@class='progress')]")[0]
    assert first_in_main is summary  # above the page's heading
    assert summary_lines(html) == [
        (
            "#q6",
            "Jeg opplever at møtet mellom tjenesteyter og innbygger er blitt styrket i… "
            + REQUIRED,
        ),
        ("#q8", "Jeg opplever at deltakelse i nettverket har vært nyttig. " + REQUIRED),
        ("#q9a", "Det er viktig at nettverket opprettholdes etter programperioden. " + REQUIRED),
        ("#q9b", "Har deres nettverk planer for videreføring av nettverket? " + REQUIRED),
    ]
    assert html.xpath("string(//title)").startswith("Feil – ")
    # each field keeps its own message, tied to its inputs, and what was answered stays
    for href, _ in summary_lines(html):
        target = html.get_element_by_id(href[1:])
        assert target.tag == "input"  # the link lands on the field's first input
        fieldset = target.xpath("ancestor::fieldset")[0]
        message = html.get_element_by_id(f"{target.get('name')}-feil")
        assert message.xpath("ancestor::fieldset")[0] is fieldset  # beside the field
        assert REQUIRED in message.text_content()
        for radio in fieldset.xpath(".//input[@type='radio']"):
            assert radio.get("aria-invalid") == "true"
            assert message.get("id") in radio.get("aria-describedby").split()
    for answered, value in (("q5", "4"), ("q7", "3")):
        radios = html.xpath(f"//input[@name='{answered}']")
        assert [r.get("value") for r in radios if r.get("checked") is not None] == [value]
        assert all(r.get("aria-invalid") is None for r in radios)


def test_a_specify_field_and_a_question_without_a_stop_are_named(setup):
    html = send(
        setup.app.test_client(),
        f"/s/{setup.tokens[LEADER]}/side/2",
        {"q2": "ja", "q3": "skifte", "action": "next"},
    )
    assert summary_lines(html) == [
        (
            "#q2__ja",
            "Har det vært endringer/utskiftninger i styringsgruppa i programperioden? "
            "Skriv hva du mener med «Ja – spesifiser».",
        ),
        ("#q4", "Grad av frikjøp av prosjektleder: " + REQUIRED),
    ]
    assert html.get_element_by_id("q2__ja").get("aria-invalid") == "true"


def test_alike_messages_of_a_matrix_name_their_statements(database):
    """Issue 16, defect 7: eight times "Du må svare på dette spørsmålet." told nobody which."""
    app, _, token = anonymous_app(database)
    client = app.test_client()
    send_first = client.get(f"/a/{token}/side/1")
    client.post(
        f"/a/{token}/side/1",
        data={"csrf_token": csrf(send_first.get_data(as_text=True)), **HOME_CARE_PAGE_1},
    )
    html = send(client, f"/a/{token}/side/2", {"f_respekt": "5", "action": "next"})
    lines = summary_lines(html)
    assert [href for href, _ in lines] == [
        "#f_informasjon",
        "#f_tidspunkt",
        "#f_tid",
        "#f_kontinuitet",
        "#f_faglig",
        "#f_medvirkning",
        "#f_trygghet",
    ]
    assert lines[1][1] == (
        "Hvor viktig er det for deg at de ansatte kommer til avtalt tid? " + REQUIRED
    )
    assert len({text for _, text in lines}) == len(lines)  # no two alike
