"""Nothing a user can type answers 500: the whole URL map, walked as each role, with every id
unknown and with every form filled in (so the id is looked up, not just the form refused),
and the query parameters a user can edit given values no page offers. Every error is a
bokmål page (issue 13)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from survey.storage import open_database
from survey.storage.users import add_user
from tests.web.conftest import csrf

PASSWORD = "et langt og godt passord"
ACCOUNTS = {
    "admin@ks.no": ("admin", ()),
    "analytiker@ks.no": ("analyst", ()),
    "leder@levanger.no": ("unit-leader", ("Levanger",)),
}
UNKNOWN_ID = 4242
UNKNOWN = {
    "round_id": UNKNOWN_ID,
    "version_id": UNKNOWN_ID,
    "draft_id": UNKNOWN_ID,
    "measure_id": UNKNOWN_ID,
    "conflict_id": UNKNOWN_ID,
    "keying_id": UNKNOWN_ID,
    "account_id": UNKNOWN_ID,
    "number": UNKNOWN_ID,
    "token": "finnes-ikke-" + "x" * 20,
    "name": "finnes-ikke.css",
    "filename": "finnes-ikke.css",
}
KINDS = {"secretariat.export": ["csv", "xlsx"]}  # other <kind> routes take the mail kinds
# Every field any form has, with a valid value: a POST then passes its form's checks and
# reaches the lookup of the id in its URL.
FIELDS = {
    "keep": "counted",
    "status": "i gang",
    "index": "vurdering_av_programmet",
    "what": "Møte i kvalitetsutvalget",
    "who": "Kari",
    "due": (date.today() + timedelta(days=90)).isoformat(),
    "email": "kari@levanger.kommune.no",
    "subject": "Hei",
    "body": "{{ link }}",
    "name": "Runde",
    "questionnaire": "kvalitetskommune-2009",
    "min_group_size": "5",
    "count": "3",
    "template": "fil:medarbeiderundersokelse.yaml",
    "questionnaire_id": "ny-undersokelse",
    "title": "Ny undersøkelse",
}
ENGLISH = ("Not Found", "Bad Request", "Method Not Allowed", "Internal Server Error", "Forbidden")


def _urls(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every route, with every id in it unknown."""
    found = []
    for rule in app.url_map.iter_rules():
        values = {name: UNKNOWN[name] for name in rule.arguments if name in UNKNOWN}
        kinds = KINDS.get(rule.endpoint, ["invitation", "reminder"])
        for kind in kinds if "kind" in rule.arguments else [None]:
            args = dict(values, **({"kind": kind} if kind else {}))
            url = rule.build(args, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, url))
    return found


def _signed_in(setup, email: str):
    db = open_database(setup.db_path)
    role, units = ACCOUNTS[email]
    add_user(db, email, PASSWORD, role, units)
    db.close()
    client = setup.app.test_client()
    page = client.get("/logg-inn").get_data(as_text=True)
    client.post("/logg-inn", data={"csrf_token": csrf(page), "email": email, "password": PASSWORD})
    return client, csrf(client.get("/sekretariat/").get_data(as_text=True))


def _assert_a_bokmal_error_page(response, what) -> None:
    assert response.status_code < 500, (what, response.status_code)
    if response.status_code >= 400 and response.mimetype == "text/html":
        text = response.get_data(as_text=True)
        assert not any(english in text for english in ENGLISH), (what, text[:300])


@pytest.mark.parametrize("email", list(ACCOUNTS))
def test_every_route_with_unknown_ids_answers_not_found_and_never_500(setup, email):
    client, token = _signed_in(setup, email)
    urls = _urls(setup.app)
    assert len(urls) >= 30
    statuses = {}
    for endpoint, method, url in urls:
        if endpoint == "auth.sign_out":
            continue  # signing out would end the walk
        response = client.open(url, method=method, data={"csrf_token": token, **FIELDS})
        statuses[method, url] = response.status_code
        _assert_a_bokmal_error_page(response, (method, url))
    with_ids = {
        key: status
        for key, status in statuses.items()
        if str(UNKNOWN_ID) in key[1] or UNKNOWN["token"] in key[1] or "finnes-ikke" in key[1]
    }
    # an unknown id is "not found" (or, for an account that may not use the route at all,
    # "forbidden": it learns nothing about which ids exist)
    allowed = {404} if email == "admin@ks.no" else {403, 404}
    odd = {key: status for key, status in with_ids.items() if status not in allowed}
    assert len(with_ids) >= 25 and not odd, odd


BAD_QUERIES = [
    "etter=role,role",
    "etter=role,unit,pulje,role",
    "etter=finnes_ikke",
    "etter=" + "x," * 300,
    "etter=",
    "enhet=Finnes+ikke",
    "enhet=" + "å" * 5000,
    "rolle=zzz",
    "sendt=abc",
]


@pytest.mark.parametrize("email", list(ACCOUNTS))
def test_query_parameters_no_page_offers_get_a_bokmal_answer_not_500(setup, email):
    client, _ = _signed_in(setup, email)
    pages = [
        f"/sekretariat/runder/{setup.round_id}",
        f"/sekretariat/runder/{setup.round_id}/rapport",
        f"/sekretariat/runder/{setup.round_id}/rapport.pdf",
        f"/sekretariat/runder/{setup.round_id}/invitasjoner",
        f"/sekretariat/runder/{setup.round_id}/svar.csv",
        "/sekretariat/sporreskjema/1",
    ]
    for page in pages:
        for query in BAD_QUERIES:
            _assert_a_bokmal_error_page(client.get(f"{page}?{query}"), f"{page}?{query}")


def test_a_repeated_breakdown_is_refused_with_the_choices_the_round_offers(setup):
    client, _ = _signed_in(setup, "admin@ks.no")
    answer = client.get(f"/sekretariat/runder/{setup.round_id}/rapport?etter=role,role")
    assert answer.status_code == 422
    assert "Nevn hver inndeling bare én gang." in answer.get_data(as_text=True)
    answer = client.get(f"/sekretariat/runder/{setup.round_id}/rapport?etter=kommune")
    assert answer.status_code == 422
    assert "Velg blant: role, unit, pulje." in answer.get_data(as_text=True)


@pytest.mark.parametrize("too_large", [2**63, 10**30])
def test_an_id_too_large_for_the_database_is_not_found_not_500(setup, too_large):
    """Found by the fuzzing pass: ids are 64-bit integers, and a number beyond them reached
    the database driver, which raises OverflowError instead of finding nothing (500)."""
    client, token = _signed_in(setup, "admin@ks.no")
    urls = [
        (endpoint, method, url.replace(str(UNKNOWN_ID), str(too_large)))
        for endpoint, method, url in _urls(setup.app)
        if str(UNKNOWN_ID) in url
    ]
    assert len(urls) >= 15
    for _, method, url in urls:
        response = client.open(url, method=method, data={"csrf_token": token, **FIELDS})
        # not found; werkzeug says 405 where a path no rule takes matches a rule's shape
        assert response.status_code in (404, 405), (method, url, response.status_code)
        _assert_a_bokmal_error_page(response, (method, url))
    runner = setup.app.test_cli_runner()
    for command in (["round", "close", str(too_large)], ["export", str(too_large)]):
        result = runner.invoke(args=command)
        assert result.exit_code == 2 and "not in the range" in result.output, result.output
