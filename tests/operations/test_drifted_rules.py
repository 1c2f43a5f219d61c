"""Rules the web and the CLI used to check differently, each settled in one operation and
tested three times: at the operation, through the web and through the CLI, with the same
outcome each time (issue 13)."""

from __future__ import annotations

import html
import io

import pytest
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey.errors import Conflict, InvalidInput
from survey.operations.invitations import invite, personal_links
from survey.operations.rounds import close_round, create_round, reopen_round
from survey.storage.invitations import list_invitations
from survey.storage.rounds import get_round, list_rounds
from tests.web.conftest import csrf

PEOPLE_CSV = "name;email;role;unit\nKari Nordmann;kari@levanger.kommune.no;ordforer;Levanger\n"
KARE_CSV = "name;email;role;unit\nKåre Ås;kåre@kommune.no;ordforer;Levanger\n"
KARE_PROBLEM_NB = "en bokstav som æ, ø eller å foran '@' kan de fleste e-posttjenere ikke levere"
KARE_PROBLEM = "a letter such as æ, ø or å before the '@' cannot be delivered"


def workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PEOPLE_XLSX = workbook(
    [
        ["name", "email", "role", "unit"],
        ["Ola Ødegård", "ola@verdal.kommune.no", "radmann", "Verdal"],
    ]
)


# --- minimum group size: 3 to 100 everywhere (the CLI and storage took 1) -------------------


@pytest.mark.parametrize("size", [1, 2, 101])
def test_min_group_size_outside_3_to_100_is_refused_by_the_operation(edges, size):
    with pytest.raises(InvalidInput, match="must be from 3 to 100") as refused:
        create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R", min_group_size=size)
    assert refused.value.message_nb == "Minste gruppestørrelse må være et tall fra 3 til 100."
    assert list_rounds(edges.db) == []


@pytest.mark.parametrize("size", [3, 100])
def test_min_group_size_at_the_ends_of_the_range_is_taken(edges, size):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R", min_group_size=size)
    assert get_round(edges.db, round_.id).min_group_size == size


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ("0", "Minste gruppestørrelse må være et tall fra 3 til 100."),
        ("2", "Minste gruppestørrelse må være et tall fra 3 til 100."),
        ("101", "Minste gruppestørrelse må være et tall fra 3 til 100."),
        ("fem", "Skriv et helt tall."),
    ],
)
def test_min_group_size_outside_3_to_100_is_refused_on_the_web(edges, size, message):
    client = edges.web()
    form = {"questionnaire": "kvalitetskommune-2009", "name": "R", "min_group_size": size}
    page = edges.post(client, "/sekretariat/runder/ny", form)
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)
    assert list_rounds(edges.db) == []


def test_min_group_size_2_is_refused_by_the_cli(edges):
    code, output = edges.cli(
        "round", "create", "kvalitetskommune-2009", "--name", "R", "--min-group-size", "2"
    )
    assert code == 1
    assert "Error: the minimum group size must be from 3 to 100, not 2" in output
    assert list_rounds(edges.db) == []


# --- invitation lists: CSV or .xlsx everywhere (the CLI refused .xlsx) ----------------------


def test_an_xlsx_list_is_taken_by_the_operation(edges):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    people = invite(edges.db, edges.admin, round_.id, PEOPLE_XLSX)
    assert [(p.name, p.email, p.role, p.unit) for p in people] == [
        ("Ola Ødegård", "ola@verdal.kommune.no", "radmann", "Verdal")
    ]


def test_an_xlsx_list_is_taken_on_the_web(edges):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    client = edges.web()
    url = f"/sekretariat/runder/{round_.id}/invitasjoner"
    answer = edges.post(client, url, {"file": (io.BytesIO(PEOPLE_XLSX), "liste.xlsx")})
    assert answer.status_code == 302
    assert [i.email for i in list_invitations(edges.db, round_.id)] == ["ola@verdal.kommune.no"]


def test_an_xlsx_list_is_taken_by_the_cli(edges, tmp_path):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    (tmp_path / "liste.xlsx").write_bytes(PEOPLE_XLSX)
    code, output = edges.cli("invite", str(round_.id), str(tmp_path / "liste.xlsx"))
    assert (code, output) == (0, f"invited 1 people to round {round_.id}\n")
    assert [i.email for i in list_invitations(edges.db, round_.id)] == ["ola@verdal.kommune.no"]


# --- an address the mail server cannot take is refused in the list, not at sending ---------


def test_kare_is_refused_by_the_invite_operation(edges):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    with pytest.raises(InvalidInput) as refused:
        invite(edges.db, edges.admin, round_.id, KARE_CSV.encode())
    assert KARE_PROBLEM in str(refused.value.problems[0])
    assert list_invitations(edges.db, round_.id) == []


def test_kare_is_refused_on_the_web(edges):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    client = edges.web()
    url = f"/sekretariat/runder/{round_.id}/invitasjoner"
    answer = edges.post(client, url, {"file": (io.BytesIO(KARE_CSV.encode()), "liste.csv")})
    assert answer.status_code == 422
    assert KARE_PROBLEM_NB in html.unescape(answer.get_data(as_text=True))  # the page's language
    assert list_invitations(edges.db, round_.id) == []


def test_kare_is_refused_by_the_cli(edges, tmp_path):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    (tmp_path / "liste.csv").write_text(KARE_CSV)
    code, output = edges.cli("invite", str(round_.id), str(tmp_path / "liste.csv"))
    assert code == 1
    assert KARE_PROBLEM in output and "nobody was invited" in output
    assert list_invitations(edges.db, round_.id) == []


# --- personal links: one builder that checks the base address (the CLI skipped it) ---------


def test_links_with_a_base_that_is_not_a_web_address_are_refused_by_the_operation(edges):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    invite(edges.db, edges.admin, round_.id, PEOPLE_CSV.encode())
    with pytest.raises(InvalidInput, match="is not a web address"):
        personal_links(edges.db, edges.admin, round_.id, "survey.example.no")
    links = personal_links(edges.db, edges.admin, round_.id, "https://survey.example.no/")
    token = list_invitations(edges.db, round_.id)[0].token
    assert [link.url for link in links] == [f"https://survey.example.no/s/{token}"]


def test_links_with_a_bad_base_are_refused_by_the_cli(edges):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    invite(edges.db, edges.admin, round_.id, PEOPLE_CSV.encode())
    edges.app.config["BASE_URL"] = "survey.example.no"
    code, output = edges.cli("links", str(round_.id))
    assert code == 1 and "is not a web address like https://example.no" in output
    assert "/s/" not in output


def test_mail_with_a_bad_base_is_refused_on_the_web_and_sends_nothing(edges, tmp_path):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    invite(edges.db, edges.admin, round_.id, PEOPLE_CSV.encode())
    edges.app.config.update(BASE_URL="survey.example.no", MAIL_OUTBOX=str(tmp_path / "ut"))
    client = edges.web()
    answer = edges.post(
        client,
        f"/sekretariat/runder/{round_.id}/send/invitation",
        {},
        form_page=f"/sekretariat/runder/{round_.id}/invitasjoner",
    )
    assert answer.status_code == 422
    assert "Noe må rettes" in answer.get_data(as_text=True)
    assert edges.count("mailings") == 0 and not (tmp_path / "ut").exists()


def test_mail_with_a_bad_base_is_refused_by_the_cli_and_sends_nothing(edges, tmp_path):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    invite(edges.db, edges.admin, round_.id, PEOPLE_CSV.encode())
    edges.app.config.update(BASE_URL="survey.example.no", MAIL_OUTBOX=str(tmp_path / "ut"))
    code, output = edges.cli("send", str(round_.id), "invitation")
    assert code == 1 and "is not a web address like https://example.no" in output
    assert edges.count("mailings") == 0 and not (tmp_path / "ut").exists()


# --- closing and reopening: one operation, on the web and now in the CLI -------------------


def test_close_and_reopen_by_the_operation(edges):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    assert not close_round(edges.db, edges.admin, round_.id, "ferdig").is_open()
    assert reopen_round(edges.db, edges.admin, round_.id).is_open()


def test_close_and_reopen_on_the_web(edges):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    client = edges.web()
    overview = f"/sekretariat/runder/{round_.id}"
    assert (
        edges.post(client, f"{overview}/lukk", {"bekreft": "ja"}, form_page=overview).status_code
        == 302
    )
    assert not get_round(edges.db, round_.id).is_open()
    assert (
        edges.post(
            client, f"{overview}/gjenapne", {"bekreft": "ja"}, form_page=overview
        ).status_code
        == 302
    )
    assert get_round(edges.db, round_.id).is_open()


def test_close_and_reopen_by_the_cli(edges):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    assert edges.cli("round", "close", str(round_.id), "--reason", "ferdig") == (
        0,
        f"round {round_.id} (R) is closed\n",
    )
    assert not get_round(edges.db, round_.id).is_open()
    assert edges.cli("round", "reopen", str(round_.id)) == (0, f"round {round_.id} (R) is open\n")
    assert get_round(edges.db, round_.id).is_open()


def test_closing_an_unknown_round_is_not_found_everywhere(edges):
    from survey.errors import NotFound

    with pytest.raises(NotFound, match="there is no round 42"):
        close_round(edges.db, edges.admin, 42)
    client = edges.web()
    page = client.get("/sekretariat/")  # any page of the workspace carries a token
    from tests.web.conftest import csrf

    answer = client.post(
        "/sekretariat/runder/42/lukk", data={"csrf_token": csrf(page.get_data(as_text=True))}
    )
    assert answer.status_code == 404 and "Finnes ikke" in answer.get_data(as_text=True)
    assert edges.cli("round", "close", "42") == (
        1,
        "Error: there is no round 42; 'survey round list' shows them\n",
    )


def test_an_anonymous_round_has_no_invitations_anywhere(edges, tmp_path):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R", anonymous=True)
    with pytest.raises(Conflict, match="is anonymous"):
        invite(edges.db, edges.admin, round_.id, KARE_CSV.encode())  # before the list's problems
    (tmp_path / "liste.csv").write_text(PEOPLE_CSV)
    code, output = edges.cli("invite", str(round_.id), str(tmp_path / "liste.csv"))
    assert code == 1 and "is anonymous: nobody is invited by name" in output
    client = edges.web()
    url = f"/sekretariat/runder/{round_.id}/invitasjoner"
    answer = edges.post(client, url, {"file": (io.BytesIO(PEOPLE_CSV.encode()), "liste.csv")})
    assert answer.status_code == 409
    assert "Runden er anonym" in answer.get_data(as_text=True)
    assert edges.count("invitations") == 0


# --- how large an invitation list may be: 20 MB on the web as in the CLI (the web took 2) --


def _large_list() -> bytes:
    """A valid list of 1,500 people over 4 MB: each has a long note column."""
    note = "Merknad " + "x" * 2800
    rows = [f"Person {i};p{i}@levanger.kommune.no;ordforer;Levanger;{note}" for i in range(1500)]
    return ("name;email;role;unit;merknad\n" + "\n".join(rows) + "\n").encode()


def test_a_list_over_2_mb_is_taken_on_the_web_as_by_the_cli(edges, tmp_path):
    data = _large_list()
    assert len(data) > 4 * 1024 * 1024
    web_round = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "Web")
    cli_round = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "CLI")
    client = edges.web()
    url = f"/sekretariat/runder/{web_round.id}/invitasjoner"
    token = csrf(client.get(url).get_data(as_text=True))
    # encoded here in memory: the test client would spool a body this size to a temporary
    # file that it never closes
    boundary, body = encode_multipart(
        {"csrf_token": token, "file": FileStorage(io.BytesIO(data), "liste.csv")}
    )
    answer = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert answer.status_code == 302
    (tmp_path / "liste.csv").write_bytes(data)
    assert edges.cli("invite", str(cli_round.id), str(tmp_path / "liste.csv"))[0] == 0
    assert len(list_invitations(edges.db, web_round.id)) == 1500
    assert len(list_invitations(edges.db, cli_round.id)) == 1500


# --- exports: the same bytes from the web and the CLI ---------------------------------------


def test_the_csv_export_is_the_same_file_from_the_web_and_the_cli(edges, tmp_path):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R")
    invite(edges.db, edges.admin, round_.id, PEOPLE_CSV.encode())
    paper = (
        b"email,q1,q5,q6,q7,q8,q9a,q9b,q10,q11a,q11b,q12,q13\n"
        b"kari@levanger.kommune.no,ordforer,5,4,3,6,6,vet_ikke,ja_begge,nei,ja,5,5\n"
    )
    edges.cli("import-responses", str(round_.id), str(_write(tmp_path / "svar.csv", paper)))
    web = edges.web().get(f"/sekretariat/runder/{round_.id}/svar.csv").get_data()
    assert edges.cli("export", str(round_.id), "-o", str(tmp_path / "ut.csv"))[0] == 0
    assert web == (tmp_path / "ut.csv").read_bytes()
    assert web.startswith("\ufeff".encode()) and b"kari@levanger.kommune.no" not in web[:3]


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_a_failed_export_leaves_an_earlier_file_as_it_was(edges, tmp_path):
    (tmp_path / "ut.csv").write_text("an earlier, good export\n")
    code, output = edges.cli("export", "4242", "-o", str(tmp_path / "ut.csv"))
    assert code == 1 and "there is no round 4242" in output
    assert (tmp_path / "ut.csv").read_text() == "an earlier, good export\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]
