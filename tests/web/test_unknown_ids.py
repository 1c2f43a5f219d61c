"""No route answers 500 for an id that does not exist: the whole URL map, walked as an admin,
with every id unknown, by GET and by POST (issue 13). Errors come as bokmål pages."""

from __future__ import annotations

from survey.storage import open_database
from survey.storage.users import add_user
from tests.web.conftest import csrf

PASSWORD = "et langt og godt passord"
UNKNOWN = {
    "round_id": 4242,
    "version_id": 4242,
    "measure_id": 4242,
    "number": 4242,
    "token": "finnes-ikke-" + "x" * 20,
    "name": "finnes-ikke.css",
    "filename": "finnes-ikke.css",
}


KINDS = {"secretariat.export": ["csv", "xlsx"]}  # other <kind> routes take the mail kinds


def _urls(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        values = {name: UNKNOWN[name] for name in rule.arguments if name in UNKNOWN}
        if "kind" in rule.arguments:
            kinds = KINDS.get(rule.endpoint, ["invitation", "reminder"])
        else:
            kinds = [None]
        for kind in kinds:
            args = dict(values, **({"kind": kind} if kind else {}))
            url = rule.build(args, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((method, url))
    return found


def test_every_route_with_unknown_ids_answers_without_a_server_error(setup):
    db = open_database(setup.db_path)
    add_user(db, "admin@ks.no", PASSWORD, "admin")
    db.conn.close()
    client = setup.app.test_client()
    page = client.get("/logg-inn").get_data(as_text=True)
    client.post(
        "/logg-inn", data={"csrf_token": csrf(page), "email": "admin@ks.no", "password": PASSWORD}
    )
    token = csrf(client.get("/sekretariat/").get_data(as_text=True))
    urls = _urls(setup.app)
    assert len(urls) >= 30
    statuses = {}
    for method, url in urls:
        if url in ("/logg-ut",):
            continue  # signing out would end the walk
        response = client.open(url, method=method, data={"csrf_token": token})
        statuses[method, url] = response.status_code
        assert response.status_code < 500, (method, url, response.status_code)
        if response.status_code >= 400 and response.mimetype == "text/html":
            assert 'lang="nb"' in response.get_data(as_text=True), (method, url)
    # ids that do not exist are "not found", not "bad request" or a crash
    round_pages = {k: v for k, v in statuses.items() if "/runder/4242" in k[1]}
    odd = {k: v for k, v in round_pages.items() if v not in (404, 405)}
    assert round_pages and not odd, odd
