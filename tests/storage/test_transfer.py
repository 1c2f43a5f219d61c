"""Bulk import and export: paper forms in, the same table out, nothing lost or invented."""

from __future__ import annotations

import csv
import io

import pytest

from survey.csvfile import CsvProblems
from survey.responses_csv import export_table, neutralise, read_responses, restore
from survey.storage.questionnaires import questionnaire_of_version
from survey.storage.responses import import_responses, respondents_of, submitted_responses
from survey.storage.rounds import create_round
from tests.storage.conftest import PAPER_FORMS, invited_round


def import_file(db, round_, data: bytes, *, strict: bool = False) -> int:
    q = questionnaire_of_version(db, round_.questionnaire_version_id)
    imported = read_responses(data, q, respondents=respondents_of(db, round_.id), strict=strict)
    return import_responses(db, q, round_.id, imported).stored


def test_a_row_with_too_many_cells_is_a_problem(db):
    round_ = invited_round(db)
    data = b"email,q1\nkari@ex.no,ordforer,extra\n"
    with pytest.raises(CsvProblems) as exc:
        import_file(db, round_, data)
    assert [str(p) for p in exc.value.problems] == ["row 2: 3 cells, but the header has 2 columns"]


def test_import_and_export_round_trip(db):
    round_ = invited_round(db)
    q = questionnaire_of_version(db, round_.questionnaire_version_id)
    data = PAPER_FORMS
    assert import_file(db, round_, data) == 2
    assert import_file(db, round_, data) == 2  # again: replaces, never duplicates
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 2
    exported = submitted_responses(db, q, round_.id)
    kari, ola = exported
    assert (kari[1], kari[2], kari[3]) == ("ordforer", "Levanger", {"pulje": "2"})
    assert kari[4]["q5"].value == 5 and kari[4]["q9b"].value == "vet_ikke"
    assert kari[4]["q14"].value == "=HYPERLINK(1)"
    assert ola[4]["q3"].value == frozenset({"skifte", "okt_frikjop"})
    assert dict(ola[4]["q4"].details) == {"frikjopt": 12.5}
    assert dict(ola[4]["q2"].details) == {"ja": "Ny ordfører"}

    # export without identities, import into a fresh anonymous round: the same data
    text = export_table(q, exported, identity=False)
    assert text[0][:3] == ["role", "unit", "pulje"]
    assert text[1][text[0].index("q14")] == "'=HYPERLINK(1)"  # no formula in a spreadsheet
    buffer = io.StringIO()
    csv.writer(buffer).writerows(text)
    fresh = create_round(db, "kvalitetskommune-2009", "Kopi", anonymous=True)
    imported = read_responses(buffer.getvalue().encode(), q, respondents=None)
    import_responses(db, q, fresh.id, imported)
    copied = submitted_responses(db, q, fresh.id)
    assert [(r[1], r[2], r[3], r[4]) for r in copied] == [
        (r[1], r[2], r[3], r[4]) for r in exported
    ]


def test_every_problem_is_reported_and_nothing_is_stored(db):
    round_ = invited_round(db)
    data = (
        b"email,q1,q2,q5,q6,q7,q8,q9a,q9b,q10,q11a,q11b,q12,q13\n"
        b"kari@ex.no,ordforer,ja,7,4,3,6,6,vet_ikke,ja_begge,nei,ja,5,5\n"
        b"nobody@ex.no,ordforer,,5,4,3,6,6,kanskje,ja_begge,nei,ja,5,5\n"
        b"ola@ex.no,prosjektleder,,5,4,3,6,6,ja,ja_begge,nei,ja,5,\n"
    )
    with pytest.raises(CsvProblems) as exc:
        import_file(db, round_, data, strict=True)  # the web form's rules (issue 17)
    assert [str(p) for p in exc.value.problems] == [
        "row 2, column q5: value '7': Velg et tall fra 1 til 6.",
        "row 2, column q2: value 'ja': not asked of a respondent with role 'ordforer' "
        "(audience or show_if)",
        "row 3, column email: value 'nobody@ex.no': no invitation in this round has this email",
        "row 3, column q9b: value 'kanskje': Velg et av alternativene.",
        "row 4, column q2: value '': Du må svare på dette spørsmålet.",
        "row 4, column q3: value '': Du må svare på dette spørsmålet.",
        "row 4, column q4: value '': Du må svare på dette spørsmålet.",
        "row 4, column q13: value '': Du må svare på dette spørsmålet.",
    ]
    assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == 0
    # as returned forms: the blanks are counted, the impossible values still refused
    with pytest.raises(CsvProblems) as exc:
        import_file(db, round_, data)
    assert [str(p) for p in exc.value.problems] == [
        "row 2, column q5: value '7': Velg et tall fra 1 til 6.",
        "row 3, column email: value 'nobody@ex.no': no invitation in this round has this email",
        "row 3, column q9b: value 'kanskje': Velg et av alternativene.",
    ]
    assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == 0


@pytest.mark.parametrize("text", ["=1+1", "+47 123", "-", "@SUM(A1)", "'=x", "''", "vanlig"])
def test_formula_neutralising_is_reversible(text):
    assert restore(neutralise(text)) == text
    assert not neutralise(text).startswith(("=", "+", "-", "@"))


def test_units_and_attributes_from_invitation_lists_are_neutralised_too(db):
    """They are text someone typed into a spreadsheet: a unit "=HYPERLINK(...)" must not
    become a formula in the export, and must come back unchanged on import."""
    q = questionnaire_of_version(db, invited_round(db).questionnaire_version_id)
    round_ = create_round(db, "kvalitetskommune-2009", "Anonym", anonymous=True)
    data = (
        b"unit,+kanal,q1,q5,q6,q7,q8,q9a,q9b,q10,q11a,q11b,q12,q13\n"
        b"'=HYPERLINK(1),'@SUM(A1),ordforer,5,4,3,6,6,ja,nei,nei,ja,5,5\n"
    )
    import_responses(db, q, round_.id, read_responses(data, q, respondents=None))
    stored = submitted_responses(db, q, round_.id)
    assert (stored[0][2], stored[0][3]) == ("=HYPERLINK(1)", {"+kanal": "@SUM(A1)"})
    text = export_table(q, stored, identity=False)
    assert text[0][:3] == ["role", "unit", "'+kanal"]
    assert text[1][1:3] == ["'=HYPERLINK(1)", "'@SUM(A1)"]


def test_exports_hand_out_no_personal_links(db, tmp_path):
    """Issue 15, item 1: the token in a personal link opens and changes that person's
    answers; exports named respondents by it. Now they carry the e-mail the admin invited
    them by, an import refuses a token column, and export -> import into a new invited round
    of the same people still reproduces every answer."""
    from openpyxl import load_workbook

    from survey.accounts import operator
    from survey.operations.invitations import invite
    from survey.operations.responses import export_responses
    from survey.operations.responses import import_responses as import_operation
    from survey.storage.invitations import list_invitations

    round_ = invited_round(db)
    import_file(db, round_, PAPER_FORMS)
    tokens = [i.token for i in list_invitations(db, round_.id)]
    csv_file, xlsx_file = io.BytesIO(), io.BytesIO()
    export_responses(db, operator(), round_.id, "csv", csv_file)
    export_responses(db, operator(), round_.id, "xlsx", xlsx_file)
    workbook = load_workbook(io.BytesIO(xlsx_file.getvalue()), read_only=True)
    cells = [
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    exported = csv_file.getvalue().decode("utf-8-sig")
    for token in tokens:
        assert token not in exported and not any(token in cell for cell in cells)
    assert exported.splitlines()[0].startswith("email,role,unit")
    assert [line.split(",")[0] for line in exported.splitlines()[1:]] == ["kari@ex.no", "ola@ex.no"]

    people = "name;email;role;unit;pulje\nKari;kari@ex.no;ordforer;Levanger;2\nOla;ola@ex.no;prosjektleder;Verdal;3\n"
    again = create_round(db, "kvalitetskommune-2009", "Kopi")
    invite(db, operator(), again.id, people.encode())
    assert import_operation(db, operator(), again.id, csv_file.getvalue()).stored == 2
    q = questionnaire_of_version(db, round_.questionnaire_version_id)
    assert submitted_responses(db, q, again.id) == submitted_responses(db, q, round_.id)

    with_tokens = f"token,q1\n{tokens[0]},ordforer\n".encode()
    with pytest.raises(CsvProblems) as refused:
        import_operation(db, operator(), again.id, with_tokens)
    assert [str(p) for p in refused.value.problems] == [
        "row 1, column token: personal links' tokens are not taken from files (they open a "
        "person's answers); name respondents in an 'email' column"
    ]
