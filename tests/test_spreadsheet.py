"""The Excel export: the CSV export's table with numbers as numbers, a labelled copy and a
codebook, written to a real file and read back with openpyxl."""

from __future__ import annotations

import io
import tempfile
import zipfile
from types import MappingProxyType

import openpyxl
import pytest

from survey import spreadsheet
from survey.questionnaire import load_questionnaire
from survey.questionnaire.answers import Answer
from survey.responses_csv import FORMULA_START, export_table, neutralise
from survey.spreadsheet import CELL_LIMIT, CODEBOOK_COLUMNS, CUT_NOTE, write_workbook
from tests.conftest import QUESTIONNAIRES

HOSTILE = ['=HYPERLINK("http://x")', "+1", "@SUM(A1)", "<script>", "-2+3"]
LIKERT = ("q5", "q6", "q7", "q8", "q9a", "q12", "q13")
P4 = {"q10": Answer("ja_begge"), "q11a": Answer("nei"), "q11b": Answer("ja")}


@pytest.fixture(scope="module")
def questionnaire():
    return load_questionnaire(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")


def likert(*points: int) -> dict[str, Answer]:
    return {item: Answer(point) for item, point in zip(LIKERT, points, strict=True)}


def respondents():
    """(email, role, unit, attributes, answers), as storage.responses.submitted_responses."""
    kari = {
        "q1": Answer("ordforer"),
        **likert(1, 2, 3, 4, 5, 6, 6),
        "q9b": Answer("vet_ikke"),
        **P4,
        "q14": Answer("007"),  # text that looks like a number stays text
    }
    ola = {
        "q1": Answer("prosjektleder"),
        "q2": Answer("ja", MappingProxyType({"ja": "Ny ordfører"})),
        "q3": Answer(frozenset({"okt_frikjop", "skifte"})),
        "q4": Answer("frikjopt", MappingProxyType({"frikjopt": 12.5})),
        **likert(6, 6, 5, 5, 4, 4, 1),
        "q9b": Answer("ja"),
        **P4,
    }
    rows = [
        ("tok-kari", "ordforer", "0301", {"pulje": "2"}, kari),
        ("tok-ola", "prosjektleder", "Verdal", {"pulje": "3", "fylke": "Trøndelag"}, ola),
        (None, None, None, {}, {}),  # an imported paper form with nothing filled in
    ]
    for number, text in enumerate(HOSTILE):
        answers = {
            "q1": Answer("annet", MappingProxyType({"annet": text})),
            **likert(3, 3, 3, 3, 3, 3, 3),
            "q9b": Answer("nei"),
            **P4,
            "q14": Answer(text),
        }
        rows.append((f"tok-{number}", "annet", "Bergen", {"pulje": "1"}, answers))
    return rows


def write_and_read(tmp_path, questionnaire, rows, *, identity=True):
    path = tmp_path / "svar.xlsx"
    write_workbook(questionnaire, rows, path, identity=identity)
    return path, openpyxl.load_workbook(path)


def values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def as_records(sheet) -> list[dict]:
    header, *rows = values(sheet)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_sheets_are_named_with_a_bold_header_row_that_stays_in_view(tmp_path, questionnaire):
    _, workbook = write_and_read(tmp_path, questionnaire, respondents())
    assert workbook.sheetnames == ["Svar (koder)", "Svar (etiketter)", "Kodebok"]
    for sheet in workbook:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.bold for cell in sheet[1]), sheet.title
        assert not any(cell.font.bold for cell in sheet[2]), sheet.title


def test_codes_sheet_is_the_csv_export_cell_by_cell_with_numbers_as_numbers(
    tmp_path, questionnaire
):
    rows = respondents()
    _, workbook = write_and_read(tmp_path, questionnaire, rows)
    csv_table = export_table(questionnaire, rows, identity=True)
    sheet = values(workbook["Svar (koder)"])
    assert len(sheet) == len(csv_table) == len(rows) + 1
    assert sheet[0] == csv_table[0]
    numbers = 0
    for line, (cells, expected) in enumerate(zip(sheet[1:], csv_table[1:], strict=True), start=2):
        assert len(cells) == len(expected), line
        for column, cell, text in zip(csv_table[0], cells, expected, strict=True):
            if isinstance(cell, int | float):
                assert cell == float(text), (line, column)
                numbers += 1
            else:
                assert cell == (text or None), (line, column)  # blank is an empty cell
    assert numbers == 7 * (len(rows) - 1) + 1  # every Likert point and q4_detail
    kari, ola, empty = as_records(workbook["Svar (koder)"])[:3]
    assert kari["q5"] == 1 and isinstance(kari["q5"], int)
    assert ola["q4_detail"] == 12.5
    assert (kari["unit"], kari["q14"]) == ("0301", "007")  # text stays text
    assert ola["q3"] == "skifte;okt_frikjop" and ola["q2_detail"] == "Ny ordfører"
    assert set(empty.values()) == {None}


def test_labels_sheet_has_the_same_rows_with_labels_for_codes(tmp_path, questionnaire):
    _, workbook = write_and_read(tmp_path, questionnaire, respondents())
    codes, labels = values(workbook["Svar (koder)"]), values(workbook["Svar (etiketter)"])
    scale_answers = [
        a for q in questionnaire.questions if q.type.startswith("likert") for a in q.answer_ids
    ]
    expected = [c for c in codes[0] for c in ([c, f"{c} (etikett)"] if c in scale_answers else [c])]
    assert labels[0] == expected  # each scale answer followed by its label
    assert len(labels) == len(codes)
    kari, ola, empty, *hostile = as_records(workbook["Svar (etiketter)"])
    assert kari["role"] == "Ordfører" and ola["role"] == "Prosjektleder"
    assert kari["q1"] == "Ordfører/leder bydelsutvalg"
    assert kari["q9b"] == "Vet ikke" and kari["q10"] == "Ja – både internt og eksternt"
    assert ola["q2"] == "Ja – spesifiser" and ola["q2_detail"] == "Ny ordfører"
    # multiple choice: the questionnaire's order, not the order of the stored set
    assert ola["q3"] == "Skifte av prosjektleder; Prosjektleder fått økt frikjøp"
    assert ola["q4"] == "Prosjektleder er frikjøpt" and ola["q4_detail"] == 12.5
    # Likert: the point a number in its own column, its label (if it has one) beside it
    assert [kari[item] for item in LIKERT] == [1, 2, 3, 4, 5, 6, 6]
    assert [kari[f"{item} (etikett)"] for item in LIKERT] == [
        "helt uenig",
        None,
        None,
        None,
        None,
        "helt enig",
        "helt enig",
    ]
    assert ola["q13"] == 1 and ola["q13 (etikett)"] == "helt uenig" and ola["q9a"] == 4
    assert (kari["unit"], kari["pulje"], kari["q14"]) == ("0301", "2", "007")
    assert set(empty.values()) == {None}
    assert {row["q1"] for row in hostile} == {"Annet, spesifiser"}


def test_every_column_of_the_labels_sheet_holds_one_type(tmp_path, questionnaire):
    """A scale's numbers can be averaged: no label text among them (issue 16)."""
    rows = respondents()
    _, workbook = write_and_read(tmp_path, questionnaire, rows)
    header, *lines = values(workbook["Svar (etiketter)"])
    for column, name in enumerate(header):
        kinds = {type(line[column]) for line in lines if line[column] is not None}
        kinds = {float if kind is int else kind for kind in kinds}
        assert len(kinds) <= 1, (name, kinds)
        if name.endswith(" (etikett)"):
            assert kinds <= {str}, name


def test_codebook_has_every_answer_id_with_its_codes_and_labels(tmp_path, questionnaire):
    _, workbook = write_and_read(tmp_path, questionnaire, respondents())
    header, *rows = values(workbook["Kodebok"])
    assert header == list(CODEBOOK_COLUMNS)
    book = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert [row[0] for row in rows] == [a for q in questionnaire.questions for a in q.answer_ids]
    q5 = book["q5"]
    assert q5["spørsmål"].startswith("Jeg opplever at deltakelse i programmet har styrket")
    assert q5["type"] == "likert"
    assert q5["koder og etiketter"] == "1 = helt uenig\n2\n3\n4\n5\n6 = helt enig"
    assert book["q9b"]["koder og etiketter"] == "ja = Ja\nnei = Nei\nvet_ikke = Vet ikke"
    assert book["q3"]["type"] == "multiple_choice"
    assert book["q3"]["koder og etiketter"].splitlines() == [
        "skifte = Skifte av prosjektleder",
        "okt_frikjop = Prosjektleder fått økt frikjøp",
        "redusert_frikjop = Prosjektleder fått redusert frikjøp",
        "ingen_endringer = Ingen endringer",
    ]
    assert book["q1"]["spesifiser"] == "q1_detail: tekst når annet er valgt"
    assert book["q4"]["spesifiser"] == "q4_detail: tall 0–100 % når frikjopt er valgt"
    assert book["q2"]["målgruppe"] == "prosjektleder (hele siden)"
    assert book["q1"]["målgruppe"] is None and book["q5"]["spesifiser"] is None
    assert book["q14"]["type"] == "long_text"


def test_codebook_names_a_matrix_statement_with_its_matrix_and_keeps_show_if_as_written(
    tmp_path,
):
    questionnaire = load_questionnaire(QUESTIONNAIRES / "medarbeiderundersokelse.yaml")
    _, workbook = write_and_read(tmp_path, questionnaire, [])
    header, *rows = values(workbook["Kodebok"])
    book = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    matrix = questionnaire.question_for("m_med_1")
    assert book["m_med_1"]["spørsmål"] == (
        f"{matrix.text} – Jeg vet hva som forventes av meg i jobben min."
    )
    assert book["m_med_1"]["type"] == "likert_matrix"
    assert book["m_nae_2"]["type"] == "likert_matrix (reversert)"
    assert book["m_med_1"]["koder og etiketter"].splitlines()[-1] == "vet_ikke = Vet ikke"
    assert book["uonsket_deltid"]["vises hvis"] == "stilling == 'deltid' (hele siden)"
    assert values(workbook["Svar (koder)"])[1:] == []  # no responses: header only


def test_hostile_text_is_neutralised_exactly_as_in_the_csv_and_no_cell_is_a_formula(
    tmp_path, questionnaire
):
    rows = respondents()
    path, workbook = write_and_read(tmp_path, questionnaire, rows)
    csv_rows = export_table(questionnaire, rows, identity=True)
    csv_by_token = {line[0]: dict(zip(csv_rows[0], line, strict=True)) for line in csv_rows[1:]}
    for sheet in ("Svar (koder)", "Svar (etiketter)"):
        by_token = {row["email"]: row for row in as_records(workbook[sheet])}
        for number, text in enumerate(HOSTILE):
            cells, csv = by_token[f"tok-{number}"], csv_by_token[f"tok-{number}"]
            for column in ("q14", "q1_detail"):
                assert cells[column] == csv[column] == neutralise(text), (sheet, text, column)
            if text.startswith(FORMULA_START):
                assert cells["q14"] == "'" + text, (sheet, text)
        for cell in (c for row in workbook[sheet].iter_rows() for c in row):
            assert cell.data_type != "f", (sheet, cell.coordinate)
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 3
        assert not any(b"<f>" in archive.read(name) for name in sheets)


def test_invitation_data_is_neutralised_too_and_control_characters_replaced(
    tmp_path, questionnaire
):
    """E-mails, units and attributes are neutralised like answers (openpyxl would store
    '=...' as a formula), exactly as in the CSV export."""
    answers = {"q1": Answer("annet", MappingProxyType({"annet": "før\x00etter"}))}
    rows = [("=tok", "ordforer", "=1+1", {"@kolonne": "+47 123"}, answers)]
    _, workbook = write_and_read(tmp_path, questionnaire, rows)
    for sheet in ("Svar (koder)", "Svar (etiketter)"):
        (row,) = as_records(workbook[sheet])
        assert "'@kolonne" in row and "@kolonne" not in row, sheet
        assert (row["email"], row["unit"], row["'@kolonne"]) == ("'=tok", "'=1+1", "'+47 123")
        assert row["q1_detail"] == "før\ufffdetter", sheet


def test_anonymous_workbook_has_no_identity_columns(tmp_path, questionnaire):
    rows = respondents()
    path, workbook = write_and_read(tmp_path, questionnaire, rows, identity=False)
    anonymous = export_table(questionnaire, rows, identity=False)
    for sheet in ("Svar (koder)", "Svar (etiketter)"):
        header = values(workbook[sheet])[0]
        assert [c for c in header if not c.endswith(" (etikett)")] == anonymous[0], sheet
        assert not {"token", "email", "name", "navn", "epost"} & set(header), sheet
        assert header[:4] == ["role", "unit", "fylke", "pulje"], sheet
    with zipfile.ZipFile(path) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"tok-" not in everything  # no token anywhere, not even in shared strings
    _, invited = write_and_read(tmp_path, questionnaire, rows, identity=True)
    assert values(invited["Svar (koder)"])[1][0] == "tok-kari"  # the check above can fail


def test_links_stay_text_and_line_breaks_are_plain_newlines(tmp_path, questionnaire):
    """A web address is not made a hyperlink, and a browser's CR LF reads back as LF, as
    it did when openpyxl wrote the file (an XML parser drops the CR)."""
    answers = {
        "q1": Answer("annet", MappingProxyType({"annet": "http://example.com"})),
        "q14": Answer("første linje\r\nandre linje\rtredje linje"),
    }
    path, workbook = write_and_read(tmp_path, questionnaire, [("tok", None, None, {}, answers)])
    for sheet in ("Svar (koder)", "Svar (etiketter)"):
        (row,) = as_records(workbook[sheet])
        assert row["q1_detail"] == "http://example.com", sheet
        assert row["q14"] == "første linje\nandre linje\ntredje linje", sheet
        assert not any(cell.hyperlink for line in workbook[sheet].iter_rows() for cell in line)
    with zipfile.ZipFile(path) as archive:
        assert not any(b"hyperlink" in archive.read(name) for name in archive.namelist())


def test_a_text_longer_than_a_cell_holds_is_cut_with_a_note(tmp_path, questionnaire):
    long = "lang tekst " * 4000  # 44,000 characters: more than Excel's 32,767
    answers = {"q14": Answer(long)}
    _, workbook = write_and_read(tmp_path, questionnaire, [("tok", None, None, {}, answers)])
    (row,) = as_records(workbook["Svar (koder)"])
    assert len(row["q14"]) == CELL_LIMIT
    assert row["q14"].startswith(long[:30000]) and row["q14"].endswith(CUT_NOTE)


def test_a_binary_file_gets_the_same_workbook_as_a_path(tmp_path, questionnaire):
    rows = respondents()
    _, from_path = write_and_read(tmp_path, questionnaire, rows)
    buffer = io.BytesIO()
    write_workbook(questionnaire, rows, buffer, identity=True)
    from_buffer = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert from_buffer.sheetnames == from_path.sheetnames
    for sheet in from_path.sheetnames:
        assert values(from_buffer[sheet]) == values(from_path[sheet]), sheet


def test_a_failed_export_leaves_no_file_and_no_temporary_files(
    tmp_path, questionnaire, monkeypatch
):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def broken(question, answers):
        raise RuntimeError("broken label")

    monkeypatch.setattr(spreadsheet, "label_values", broken)
    target = tmp_path / "svar.xlsx"
    with pytest.raises(RuntimeError, match="broken label"):
        write_workbook(questionnaire, respondents(), target, identity=True)
    assert not target.exists()
    assert list(scratch.iterdir()) == []


def test_the_characters_a_cell_cannot_hold_are_openpyxls():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    assert spreadsheet.ILLEGAL_CHARACTERS.pattern == ILLEGAL_CHARACTERS_RE.pattern
    every = "".join(map(chr, range(128)))
    assert spreadsheet.ILLEGAL_CHARACTERS.sub("", every) == ILLEGAL_CHARACTERS_RE.sub("", every)
