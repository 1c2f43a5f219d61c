"""Run by test_read_only_file_system.py inside a mount namespace whose tmpfs holds the
database and has been remounted read-only: the real app on the real file, as a returning
respondent uses it. Prints what each request got, as JSON, for the test to judge."""

from __future__ import annotations

import json
import sys

from survey import create_app
from tests.security.conftest import LIKERT_P3
from tests.web.conftest import csrf


def main(db_path: str, token: str) -> None:
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "test", "TESTING": True})
    client = app.test_client()
    seen = {}
    for page in ("", "/side/3"):
        r = client.get(f"/s/{token}{page}")
        seen[f"GET{page}"] = {"status": r.status_code, "html": r.get_data(as_text=True)}
    if seen["GET/side/3"]["status"] != 200:
        print(json.dumps(seen))  # nothing to send: the test reports what the page was
        return
    form = {"csrf_token": csrf(seen["GET/side/3"]["html"]), **LIKERT_P3, "q5": "2"}
    r = client.post(f"/s/{token}/side/3", data=form)
    seen["POST/side/3"] = {
        "status": r.status_code,
        "retry_after": r.headers.get("Retry-After"),
        "html": r.get_data(as_text=True),
    }
    print(json.dumps(seen))


if __name__ == "__main__":
    main(*sys.argv[1:])
