"""A question's ``help`` stands with it and describes its field for assistive technology."""

from __future__ import annotations

import lxml.html

from tests.web.conftest import HOME_CARE_PAGE_1, csrf
from tests.web.test_anonymous import anonymous_app
from tests.web.test_error_summary import send


def test_a_questions_help_is_shown_with_it_and_describes_its_field(database):
    """``help`` ("shown with the question", says the format's reference) was never shown:
    not the home-care survey's "Er du pårørende, oppgir du alderen til den som mottar
    hjemmetjenester.", nor its warning not to write names in the comment."""
    app, _, token = anonymous_app(database)
    client = app.test_client()
    first = client.get(f"/a/{token}/side/1")
    html = lxml.html.fromstring(first.get_data(as_text=True))
    age = html.get_element_by_id("alder").xpath("ancestor::fieldset")[0]
    assert age.get("aria-describedby") == "alder-hjelp"
    help_text = html.get_element_by_id("alder-hjelp")
    assert help_text.xpath("ancestor::fieldset")[0] is age
    assert help_text.text_content() == (
        "Er du pårørende, oppgir du alderen til den som mottar hjemmetjenester."
    )
    data = {"csrf_token": csrf(first.get_data(as_text=True)), **HOME_CARE_PAGE_1}
    assert client.post(f"/a/{token}/side/1", data=data).status_code == 302
    html = send(client, f"/a/{token}/side/7", {"kommentar": "x" * 2001, "action": "next"})
    comment = html.get_element_by_id("kommentar")
    assert comment.get("aria-describedby") == "kommentar-hjelp kommentar-feil"
    assert comment.get("aria-invalid") == "true"
    assert "Ikke skriv navn" in html.get_element_by_id("kommentar-hjelp").text_content()
