"""Imports that take real forms (issue 17): a returned paper form may leave questions blank
(counted, not refused, unless --strict), and an answer to a question the form said to skip
is kept aside (stored, never scored or exported). Through the CLI, the web page and the
operation; the expected scores are worked out here with plain Python from the file."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import Counter
from statistics import mean

import pytest

from survey.invitation_list import Person
from survey.operations.responses import import_responses
from survey.operations.results import scores
from survey.storage.invitations import add_invitations, list_invitations
from survey.storage.rounds import create_round
from tests.web.conftest import csrf

ROLES = ("ordforer", "radmann", "tillitsvalgt", "prosjektleder")
LIKERT = ("q5", "q6", "q7", "q8", "q9a", "q12", "q13")
CHOICES = {"q9b": ("ja", "nei", "vet_ikke"), "q10": ("ja_internt", "nei"), "q11a": ("ja", "nei")}
CHOICES |= {"q11b": ("ja", "nei")}
LEADER_ONLY = {"q2": "nei", "q3": "ingen_endringer", "q4": "ikke_frikjopt"}
HEADER = ["email", "q1", *LEADER_ONLY, *LIKERT[:5], *CHOICES, *LIKERT[5:], "q14"]
ORDER = ["q1", *LEADER_ONLY, "q5", "q6", "q7", "q8", "q9a", "q9b", "q10", "q11a", "q11b"]
ORDER += ["q12", "q13", "q14"]  # the questionnaire's order of answer ids


def invited(edges, people: int = 60) -> int:
    round_ = create_round(edges.db, "kvalitetskommune-2009", "Papir 2009")
    add_invitations(
        edges.db,
        round_.id,
        [
            Person(f"Person {i}", f"p{i}@ex.no", ROLES[i % 4], f"Enhet {i % 3}", {})
            for i in range(people)
        ],
    )
    return round_.id


def paper_forms(edges, round_id: int, seed: int = 17) -> tuple[bytes, list[dict[str, str]]]:
    """Every invited person's returned form, with answers skipped here and there as
    people do (about one in six), as CSV and as the rows written."""
    rng = random.Random(seed)
    rows = []
    for invitation in list_invitations(edges.db, round_id):
        row = dict.fromkeys(HEADER, "")
        row |= {"email": invitation.email, "q1": invitation.role}
        if invitation.role == "prosjektleder":
            row |= {k: v if rng.random() > 0.2 else "" for k, v in LEADER_ONLY.items()}
        for item in LIKERT:
            row[item] = str(rng.randint(1, 6)) if rng.random() > 0.17 else ""
        for item, codes in CHOICES.items():
            row[item] = rng.choice(codes) if rng.random() > 0.1 else ""
        rows.append(row)
    text = io.StringIO()
    writer = csv.DictWriter(text, HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode(), rows


def blanks(rows: list[dict[str, str]]) -> dict[str, int]:
    """Per answer id, the forms that were asked it and left it blank, in form order."""
    counted = Counter(
        item
        for row in rows
        for item in ORDER
        if not row.get(item) and (item not in LEADER_ONLY or row["q1"] == "prosjektleder")
    )
    return {item: counted[item] for item in ORDER if counted[item]}


def test_skipped_answers_are_stored_counted_and_scored_over_what_was_answered(edges, tmp_path):
    """The done-when of issue 17: on a9417a5 this file was refused whole ("Du må svare på
    dette spørsmålet" on every row with a blank); --strict still refuses it."""
    round_id = invited(edges)
    data, rows = paper_forms(edges, round_id)
    path = tmp_path / "skjemaer.csv"
    path.write_bytes(data)
    expected = blanks(rows)
    assert expected["q5"] > 0 and expected["q2"] > 0 and expected["q14"] == len(rows)

    status, output = edges.cli("import-responses", str(round_id), str(path), "--strict")
    assert status == 1
    assert re.search(r"^row \d+, column q\w+: value '': Du må svare på dette spørsmålet", output)
    required_blanks = sum(n for item, n in expected.items() if item != "q14")  # q14 is optional
    assert output.rstrip().endswith(f"{required_blanks} problem(s); nothing was imported")
    assert edges.count("responses") == 0

    status, output = edges.cli("import-responses", str(round_id), str(path))
    assert status == 0, output
    lines = output.splitlines()
    assert lines[0] == f"imported {len(rows)} responses into round {round_id}"
    assert lines[1:] == [f"{item}: {n} unanswered" for item, n in expected.items()]
    stored = edges.db.execute(
        "SELECT count(*), min(channel), max(channel) FROM responses WHERE submitted = 1"
    ).fetchone()
    assert stored == (len(rows), "import", "import")

    table = scores(edges.db, edges.admin, round_id, "")
    for item in LIKERT:
        answered = [int(row[item]) for row in rows if row[item]]
        (line,) = table[(table["kind"] == "item") & (table["item"] == item)].to_dict("records")
        assert line["n"] == len(answered) == len(rows) - expected.get(item, 0)
        assert line["mean"] == pytest.approx(mean(answered))


def test_the_web_page_imports_with_a_summary_in_bokmal_and_strict_refuses(edges):
    round_id = invited(edges, people=24)
    data, rows = paper_forms(edges, round_id, seed=3)
    client = edges.web()
    url = f"/sekretariat/runder/{round_id}/import"
    page = client.get(url)
    assert page.status_code == 200
    token = csrf(page.get_data(as_text=True))

    def upload(**fields):
        return client.post(
            url,
            data={"csrf_token": token, "file": (io.BytesIO(data), "skjemaer.csv"), **fields},
            content_type="multipart/form-data",
        )

    refused = upload(strict="y")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Ingenting ble importert" in html and "Du må svare på dette spørsmålet." in html
    assert edges.count("responses") == 0

    done = upload()
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert f"Importert: {len(rows)} skjemaer" in html
    shown = re.findall(r"<li>(q\w+: \d+ ubesvart)</li>", html)
    assert shown == [f"{item}: {n} ubesvart" for item, n in blanks(rows).items()]
    assert edges.count("responses") == len(rows)

    forged = client.post(url, data={"file": (io.BytesIO(data), "x.csv")})
    assert forged.status_code == 422  # no CSRF token: refused, nothing imported
    assert [a for _, a, _ in edges.audit() if a == "responses imported"] == ["responses imported"]


def test_an_answer_the_form_said_to_skip_is_kept_aside_not_scored_or_exported(edges, tmp_path):
    """A mayor ticked "nei" in q2, which only project leaders are asked: on a9417a5 the file was
    refused ("not asked of a respondent with role 'ordforer'"). Now it is stored beside
    the response, reported, and shown to the secretariat, but not an answer."""
    round_id = invited(edges, people=8)
    data, rows = paper_forms(edges, round_id, seed=5)
    mayor = next(row for row in rows if row["q1"] == "ordforer")
    email = mayor["email"]
    text = data.decode().replace(f"{email},ordforer,,,,", f"{email},ordforer,nei,,,")
    path = tmp_path / "skjemaer.csv"
    path.write_text(text)
    status, output = edges.cli("import-responses", str(round_id), str(path))
    assert status == 0, output
    assert "q2: 1 answered although the form said to skip it (kept aside, not scored)" in output

    (response_id, aside) = edges.db.execute(
        "SELECT r.id, r.set_aside FROM responses r JOIN invitations i ON i.id = r.invitation_id "
        "WHERE i.email = ?",
        [mayor["email"]],
    ).fetchone()
    assert json.loads(aside) == [["q2", "nei", None, None]]
    assert not edges.db.execute(
        "SELECT * FROM answers WHERE response_id = ? AND item = 'q2'", [response_id]
    ).fetchall()
    counts = edges.db.execute(
        "SELECT count(*) FROM answers a JOIN responses r ON r.id = a.response_id "
        "JOIN invitations i ON i.id = r.invitation_id WHERE a.item = 'q2' AND i.role != "
        "'prosjektleder'"
    ).fetchone()
    assert counts == (0,)

    status, exported = edges.cli("export", str(round_id), "--format", "csv")
    assert status == 0
    (line,) = [r for r in csv.DictReader(io.StringIO(exported)) if r["email"] == mayor["email"]]
    assert line["q2"] == ""

    page = edges.web().get(f"/sekretariat/runder/{round_id}").get_data(as_text=True)
    assert "Svar lagt til side" in page and "<li>q2: 1 skjema</li>" in page

    # strict: the old refusal, with row and column
    status, output = edges.cli("import-responses", str(round_id), str(path), "--strict")
    assert status == 1 and "column q2: value 'nei': not asked of a respondent" in output


def test_codes_ranges_and_roles_stay_errors_with_row_and_column(edges):
    round_ = create_round(edges.db, "kvalitetskommune-2009", "Anonym", anonymous=True)
    data = "role,q1,q5,q9b\nordforer,ordforer,7,\nordforer,ordforer,,kanskje\nordfører,,3,\n"
    from survey.csvfile import CsvProblems

    with pytest.raises(CsvProblems) as refused:
        import_responses(edges.db, edges.admin, round_.id, data.encode())
    assert [str(p) for p in refused.value.problems] == [
        "row 2, column q5: value '7': Velg et tall fra 1 til 6.",
        "row 3, column q9b: value 'kanskje': Velg et av alternativene.",
        "row 4, column role: value 'ordfører': unknown role (valid roles: ordforer, radmann, "
        "tillitsvalgt, prosjektleder, annet)",
    ]
    assert edges.count("responses") == 0
