"""The invitation list reader: every problem with the row number Excel shows, all at once."""

from __future__ import annotations

import codecs
import subprocess
import sys
from types import MappingProxyType

import pytest

from survey.invitation_list import (
    MAX_BYTES,
    MAX_ROWS,
    InvitationListError,
    Person,
    RowProblem,
    read_invitation_list,
)

ROLES = ("ordforer", "radmann", "tillitsvalgt", "prosjektleder", "annet")
VALID = "valid roles: ordforer, radmann, tillitsvalgt, prosjektleder, annet"
NAME = "Ærlig Ødegård Åsen"


def read(text: str | bytes, **kwargs: object) -> list[Person]:
    data = text.encode() if isinstance(text, str) else text
    return read_invitation_list(data, ROLES, **kwargs)  # type: ignore[arg-type]


def problems(text: str | bytes, **kwargs: object) -> list[str]:
    """The problems as the secretariat's CLI prints them."""
    with pytest.raises(InvitationListError) as caught:
        read(text, **kwargs)
    return [str(problem) for problem in caught.value.problems]


def person(name: str, email: str, role: str, unit: str, **attributes: str) -> Person:
    return Person(name, email, role, unit, MappingProxyType(attributes))


# --- reading what is right ------------------------------------------------------------------


def test_happy_path_with_extra_column_in_column_order():
    people = read(
        "name,email,role,unit,pulje,merknad\n"
        "Kari Nordmann,kari@bomlo.kommune.no,ordforer,Sentraladministrasjonen,1,\n"
        "  Ola Hansen ,  Ola.Hansen@Bomlo.Kommune.NO ,prosjektleder, Helse og omsorg ,2,ny\n"
    )
    assert people == [
        person(
            "Kari Nordmann",
            "kari@bomlo.kommune.no",
            "ordforer",
            "Sentraladministrasjonen",
            pulje="1",
            merknad="",
        ),
        person(
            "Ola Hansen",
            "ola.hansen@bomlo.kommune.no",
            "prosjektleder",
            "Helse og omsorg",
            pulje="2",
            merknad="ny",
        ),
    ]
    attributes = people[1].attributes
    assert isinstance(attributes, MappingProxyType)
    assert list(attributes) == ["pulje", "merknad"]


def test_header_names_are_case_insensitive_stripped_and_in_any_order():
    people = read(" Unit ;ROLE; EMail ;Name ;Pulje\nHelse;radmann;a@ex.no;Kari;3\n")
    assert people == [person("Kari", "a@ex.no", "radmann", "Helse", pulje="3")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_norwegian_letters_in_utf8_utf8_bom_and_windows_1252(encoding: str):
    text = f"name;email;role;unit;pulje\n{NAME};aerlig@ex.no;radmann;Bømlo helse;Vår\n"
    people = read(text.encode(encoding))
    assert people == [person(NAME, "aerlig@ex.no", "radmann", "Bømlo helse", pulje="Vår")]


def test_bom_does_not_end_up_in_the_first_column_name():
    # Without removing the BOM the first column would be '\ufeffname' and 'name' missing.
    data = codecs.BOM_UTF8 + "name,email,role,unit\nÅse,ase@ex.no,annet,Økonomi\n".encode()
    assert read(data) == [person("Åse", "ase@ex.no", "annet", "Økonomi")]


def test_utf16_from_excel_unicode_text():
    data = f"name\temail\trole\tunit\n{NAME}\ta@ex.no\tannet\tØkonomi\n".encode("utf-16")
    assert read(data) == [person(NAME, "a@ex.no", "annet", "Økonomi")]


def test_semicolon_separator_keeps_commas_in_values():
    people = read("name;email;role;unit\nHansen, Kari;kari@ex.no;annet;Helse, omsorg og velferd\n")
    assert people == [person("Hansen, Kari", "kari@ex.no", "annet", "Helse, omsorg og velferd")]


def test_tab_separator():
    people = read("name\temail\trole\tunit\nKari, Ola\tkari@ex.no\tannet\tSkole; barnehage\n")
    assert people == [person("Kari, Ola", "kari@ex.no", "annet", "Skole; barnehage")]


def test_comma_separator_with_quoted_comma_and_line_break():
    people = read('name,email,role,unit\n"Hansen, Kari",kari@ex.no,annet,"Helse\nomsorg"\n')
    assert people == [person("Hansen, Kari", "kari@ex.no", "annet", "Helse\nomsorg")]


def test_semicolon_wins_when_the_header_has_both():
    people = read("name;email;role;unit;pulje, gruppe\nKari;k@ex.no;annet;Helse;1\n")
    assert people == [person("Kari", "k@ex.no", "annet", "Helse", **{"pulje, gruppe": "1"})]


def test_role_is_matched_case_insensitively_and_normalised_to_the_code():
    people = read("name,email,role,unit\nKari,k@ex.no,Ordforer,U\nOla,o@ex.no, RADMANN ,U\n")
    assert [p.role for p in people] == ["ordforer", "radmann"]


def test_crlf_line_endings_from_windows():
    people = read(b"name;email;role;unit\r\nKari;k@ex.no;annet;U\r\n\r\nOla;o@ex.no;annet;U\r\n")
    assert [p.name for p in people] == ["Kari", "Ola"]


@pytest.mark.parametrize(
    "email",
    [
        "kari@ex.no",
        "kari.nordmann+svar@post.bomlo.kommune.no",
        "o'brien@ex.no",
        "ola_h@my-domain.co.uk",
        "ase@bø.kommune.no",
        "123@ex.no",
    ],
)
def test_emails_that_are_accepted(email: str):
    assert read(f"name,email,role,unit\nKari,{email},annet,U\n")[0].email == email


def test_a_letter_the_mail_server_cannot_deliver_is_refused_in_the_list_not_when_sending():
    with pytest.raises(InvitationListError) as refused:
        read("name,email,role,unit\nKåre,kåre@kommune.no,annet,U\n")
    assert [str(p) for p in refused.value.problems] == [
        "row 2, column email: invalid email 'kåre@kommune.no': a letter such as æ, ø or å "
        "before the '@' cannot be delivered by most mail servers; use the address as the "
        "person's mail system writes it"
    ]


# --- header problems ------------------------------------------------------------------------


def test_missing_columns_one_problem_each_listing_the_columns_found():
    assert problems("fornavn;E-mail;role\nKari;k@ex.no;annet\n") == [
        "row 1, column name: missing required column 'name' (found: fornavn, e-mail, role)",
        "row 1, column email: missing required column 'email'; did you mean 'e-mail'? (found: fornavn, e-mail, role)",
        "row 1, column unit: missing required column 'unit' (found: fornavn, e-mail, role)",
    ]


def test_duplicate_and_empty_column_names():
    assert problems("name,email,role,unit,Email,,pulje\nKari,k@ex.no,annet,U,x,y,1\n") == [
        "row 1, column email: duplicate column 'email' (columns B and E)",
        "row 1: column F has no name",
    ]


def test_trailing_separator_in_header_is_an_unnamed_column():
    assert problems("name;email;role;unit;\nKari;k@ex.no;annet;U;\n") == [
        "row 1: column E has no name"
    ]


# --- row problems ---------------------------------------------------------------------------


def test_too_few_and_too_many_cells():
    assert problems(
        "name;email;role;unit\n"
        "Kari;k@ex.no;annet\n"
        "Ola;o@ex.no;annet;Helse;omsorg\n"
        "Per;p@ex.no;annet;U\n"
    ) == [
        "row 2: 3 cells, but the header has 4 columns",
        "row 3: 5 cells, but the header has 4 columns; a value containing ';' must be in double quotes",
    ]


def test_unclosed_quote_swallowing_the_next_lines_is_pointed_out():
    assert problems('name,email,role,unit\n"Kari,k@ex.no,annet,U\nOla,o@ex.no,annet,U\n') == [
        "row 2: 1 cell, but the header has 4 columns; the row runs over 2 lines: is a '\"' never closed?"
    ]


def test_unclosed_quote_in_a_large_file_is_reported_not_raised():
    text = 'name,email,role,unit\nKari,k@ex.no,annet,U\n"Ola,o@ex.no\n' + "x" * 200_000 + "\n"
    assert problems(text) == [
        "row 3: unreadable: a cell is over 131,072 characters long; is a '\"' never closed?"
    ]


def test_empty_name_email_and_unit():
    assert problems(
        "name,email,role,unit\n ,k@ex.no,annet,U\nOla,,annet,U\nPer,p@ex.no,annet,\n"
    ) == [
        "row 2, column name: name is empty",
        "row 3, column email: email is empty",
        "row 4, column unit: unit is empty",
    ]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("kari.ex.no", "invalid email 'kari.ex.no': it has no '@'"),
        ("kari@@ex.no", "invalid email 'kari@@ex.no': it has 2 '@'"),
        ("kari@ex.no;ola@ex.no", "invalid email 'kari@ex.no;ola@ex.no': it has 2 '@'"),
        ("@ex.no", "invalid email '@ex.no': nothing before the '@'"),
        ("kari@ex", "invalid email 'kari@ex': no dot in the domain 'ex'"),
        ("Kari <kari@ex.no>", "invalid email 'Kari <kari@ex.no>': it contains a space"),
        ("kari @ex.no", "invalid email 'kari @ex.no': it contains a space"),
        ("kari\u00a0@ex.no", "invalid email 'kari\u00a0@ex.no': it contains a space"),
        (
            "kari\u200b@ex.no",
            "invalid email 'kari\u200b@ex.no': it contains an invisible character",
        ),
        ("kari@ex.no.", "invalid email 'kari@ex.no.': not a valid email address"),
        ("kari@.ex.no", "invalid email 'kari@.ex.no': not a valid email address"),
        ("kari@ex..no", "invalid email 'kari@ex..no': not a valid email address"),
        ("kari@ex,no.no", "invalid email 'kari@ex,no.no': not a valid email address"),
        ("mailto:kari@ex.no", "invalid email 'mailto:kari@ex.no': not a valid email address"),
        ("kari@-ex.no", "invalid email 'kari@-ex.no': not a valid email address"),
    ],
)
def test_invalid_emails(email: str, message: str):
    assert problems(f'name;email;role;unit\nKari;"{email}";annet;U\n') == [
        f"row 2, column email: {message}"
    ]


def test_duplicate_email_is_case_insensitive_and_names_the_first_row():
    assert problems(
        "name,email,role,unit\n"
        "Kari,kari@ex.no,annet,U\n"
        "Ola,ola@ex.no,annet,U\n"
        "Kari N,KARI@EX.NO ,annet,U\n"
        "Kari igjen,Kari@ex.no,annet,U\n"
    ) == [
        "row 4, column email: duplicate email 'kari@ex.no' (first on row 2)",
        "row 5, column email: duplicate email 'kari@ex.no' (first on row 2)",
    ]


def test_email_already_invited_in_this_round():
    text = "name,email,role,unit\nKari,Kari@Ex.no,annet,U\nOla,ola@ex.no,annet,U\n"
    assert problems(text, existing_emails={" KARI@ex.no"}) == [
        "row 2, column email: 'kari@ex.no' is already invited in this round"
    ]
    assert [p.email for p in read(text, existing_emails={"per@ex.no"})] == [
        "kari@ex.no",
        "ola@ex.no",
    ]


def test_unknown_role_with_and_without_suggestion_and_empty_role():
    assert problems(
        "name,email,role,unit\n"
        "Kari,k@ex.no,prosjektledr,U\n"
        "Ola,o@ex.no,Rådmann,U\n"
        "Per,p@ex.no,leder,U\n"
        "Ida,i@ex.no,,U\n"
    ) == [
        f"row 2, column role: unknown role 'prosjektledr'; did you mean 'prosjektleder'? ({VALID})",
        f"row 3, column role: unknown role 'Rådmann'; did you mean 'radmann'? ({VALID})",
        f"row 4, column role: unknown role 'leder' ({VALID})",
        f"row 5, column role: role is empty ({VALID})",
    ]


def test_roles_given_as_a_set_are_listed_sorted():
    data = b"name,email,role,unit\nKari,k@ex.no,x,U\n"
    with pytest.raises(InvitationListError) as caught:
        read_invitation_list(data, {"radmann", "annet", "ordforer"})
    assert [str(p) for p in caught.value.problems] == [
        "row 2, column role: unknown role 'x' (valid roles: annet, ordforer, radmann)"
    ]


# --- all problems at once, in order ---------------------------------------------------------


def test_all_problems_at_once_sorted_by_row_then_column_order():
    # Columns in an unusual order: problems follow the file's columns, not the check order.
    assert problems(
        "Unit;Role;Email;Name;Unit\n"
        ";sjef;kari@ex;;x\n"
        "Helse;annet;ola@ex.no;Ola;x\n"
        "Helse;annet;OLA@ex.no;Ola 2;x\n"
        "Helse;annet;per@ex.no\n"
        "Helse;annet;ida@ex.no;Ida;x\n",
        existing_emails=["ida@ex.no"],
    ) == [
        "row 1, column unit: duplicate column 'unit' (columns A and E)",
        "row 2, column unit: unit is empty",
        f"row 2, column role: unknown role 'sjef' ({VALID})",
        "row 2, column email: invalid email 'kari@ex': no dot in the domain 'ex'",
        "row 2, column name: name is empty",
        "row 4, column email: duplicate email 'ola@ex.no' (first on row 3)",
        "row 5: 3 cells, but the header has 5 columns",
        "row 6, column email: 'ida@ex.no' is already invited in this round",
    ]


def test_nothing_is_returned_when_any_row_is_wrong():
    with pytest.raises(InvitationListError) as caught:
        read("name,email,role,unit\nKari,k@ex.no,annet,U\nOla,o@ex.no,sjef,U\n")
    assert [p.row for p in caught.value.problems] == [3]


def test_blank_lines_are_skipped_but_keep_row_numbers():
    text = (
        "\n"  # row 1: blank, so the header is row 2
        "name;email;role;unit\n"
        "\n"  # row 3
        "Kari;k@ex.no;annet;U\n"
        ";;;\n"  # row 5: only separators, as Excel writes an empty row
        '"Ola";o@ex.no;annet;"Helse\nog omsorg"\n'  # row 6, two lines in the file
        "   \n"  # row 7: only spaces
        "Per;p@ex.no;sjef;U\n"  # row 8
    )
    assert problems(text) == [f"row 8, column role: unknown role 'sjef' ({VALID})"]
    assert problems(text.replace("unit\n", "unti\n", 1)) == [
        "row 2, column unit: missing required column 'unit'; did you mean 'unti'? (found: name, email, role, unti)",
        f"row 8, column role: unknown role 'sjef' ({VALID})",
    ]


# --- whole-file problems --------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n", codecs.BOM_UTF8, b"name,email,role,unit\n", b"name;email;role;unit\n;;;\n\n"],
)
def test_empty_or_header_only_file_has_no_people(data: bytes):
    assert problems(data) == ["the file has no people in it"]


def test_header_only_with_header_problems_reports_both():
    assert problems("name,email,role\n") == [
        "the file has no people in it",
        "row 1, column unit: missing required column 'unit' (found: name, email, role)",
    ]


@pytest.mark.parametrize("magic", [b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])
def test_excel_workbook_instead_of_csv(magic: bytes):
    assert problems(magic + b"\x00\x01rest of workbook") == [
        "this is an Excel workbook, not a CSV file; in Excel choose "
        "File > Save As > 'CSV UTF-8 (comma delimited)' and use that file"
    ]


def test_binary_file_is_not_text():
    assert problems(b"name,email\x00\x00\x00,role,unit\n") == [
        "the file is not readable text; save it from Excel as 'CSV UTF-8 (comma delimited)'"
    ]


def test_file_larger_than_20_mb_is_refused_before_reading():
    header = b"name,email,role,unit\n"
    # Every row would be a problem, but only the size is reported.
    data = header + b"x" * (MAX_BYTES - len(header) + 1)
    assert MAX_BYTES == 20 * 1024 * 1024
    assert problems(data) == ["the file is larger than the limit of 20 MB"]
    with pytest.raises(InvitationListError) as caught:
        read(data[:MAX_BYTES])
    assert str(caught.value.problems[0]) != "the file is larger than the limit of 20 MB"


def test_more_than_100_000_people_is_one_problem_without_checking_rows():
    header = b"name,email,role,unit\n"
    assert MAX_ROWS == 100_000
    # Every row is wrong, yet only the count is reported.
    data = header + b"Kari,not-an-email,sjef,U\n" * (MAX_ROWS + 1)
    assert problems(data) == [
        "the file has more than 100,000 people; the limit is 100,000 per list"
    ]


def test_exactly_100_000_people_are_accepted_and_blank_lines_do_not_count():
    rows = b"".join(b"P,p%d@ex.no,annet,U\n" % i for i in range(MAX_ROWS))
    people = read(b"name,email,role,unit\n\n\n" + rows)
    assert len(people) == MAX_ROWS
    assert people[-1].email == "p99999@ex.no"


# --- the problem type -----------------------------------------------------------------------


def test_problem_text_for_cell_row_and_whole_file():
    assert str(RowProblem(4, "email", "duplicate email 'kari@ex.no' (first on row 3)")) == (
        "row 4, column email: duplicate email 'kari@ex.no' (first on row 3)"
    )
    assert str(RowProblem(5, "", "3 cells, but the header has 4 columns")) == (
        "row 5: 3 cells, but the header has 4 columns"
    )
    assert str(RowProblem(0, "", "the file has no people in it")) == "the file has no people in it"


def test_error_carries_problems_and_prints_them_all():
    with pytest.raises(InvitationListError) as caught:
        read("name,email,role,unit\n,k@ex.no,annet,U\nOla,o@ex,annet,U\n")
    assert caught.value.problems == [
        RowProblem(2, "name", "name is empty"),
        RowProblem(3, "email", "invalid email 'o@ex': no dot in the domain 'ex'"),
    ]
    assert str(caught.value) == (
        "row 2, column name: name is empty\n"
        "row 3, column email: invalid email 'o@ex': no dot in the domain 'ex'"
    )


def test_module_imports_no_flask_or_sqlite():
    forbidden = (
        "flask",
        "flask_wtf",
        "sqlite3",
        "sqlite_utils",
        "psycopg",
        "weasyprint",
        "werkzeug",
    )
    code = (
        "import sys, survey.invitation_list;"
        f"print(sorted(m for m in {forbidden!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# --- Norwegian headers and bokmål problems (issue 16, defect 5) ----------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Navn;E-post;Rolle;Enhet;Pulje",
        "NAVN;epost;rolle;ENHET;pulje",
        "navn;E-postadresse;Rolle;Enhet;Pulje",
        "Navn;email;Rolle;unit;Pulje",
    ],
)
def test_norwegian_headers_are_understood_and_other_columns_keep_their_name(header):
    text = f"{header}\nKari Nordmann;kari@ex.no;ordforer;Levanger;2\n"
    assert read(text) == [person("Kari Nordmann", "kari@ex.no", "ordforer", "Levanger", pulje="2")]


def test_a_norwegian_and_an_english_name_for_one_column_are_a_duplicate():
    assert problems("name;Navn;email;role;unit\nKari;Kari;k@ex.no;annet;U\n") == [
        "row 1, column name: duplicate column 'name' (columns A and B)"
    ]


def bokmal(text: str | bytes, **kwargs: object) -> list[str]:
    """The problems as the secretariat's page shows them."""
    with pytest.raises(InvitationListError) as caught:
        read(text, **kwargs)
    return [problem.nb for problem in caught.value.problems]


def test_problems_in_bokmal_name_the_row_and_the_column():
    text = (
        "Navn;E-post;Rolle;Enhet;;Pulje\n"
        ";kari@ex.no;ordforer;Levanger;;1\n"
        "Ola;ola@ex;keiser;Verdal;;2\n"
        "Per;kari@ex.no;Ordforer;;;3\n"
        "Eva;eva@ex.no;ordforer\n"
    )
    assert bokmal(text, existing_emails=["eva@ex.no"]) == [
        "rad 1: kolonne E har ikke noe navn",
        "rad 2, kolonne navn: er tom",
        "rad 3, kolonne e-post: 'ola@ex' kan ikke brukes: domenet 'ex' mangler punktum",
        "rad 3, kolonne rolle: ukjent rolle 'keiser' (gyldige roller: " + ", ".join(ROLES) + ")",
        "rad 4, kolonne e-post: 'kari@ex.no' står to ganger i listen (først på rad 2)",
        "rad 4, kolonne enhet: er tom",
        "rad 5: 3 celler, men overskriftsraden har 6 kolonner",
    ]


def test_whole_file_problems_in_bokmal():
    assert bokmal("Navn;E-post;Rolle\n") == [
        "filen har ingen personer i seg",
        "rad 1, kolonne enhet: mangler den obligatoriske kolonnen 'enhet' (eller 'unit') "
        "(fant: navn, e-post, rolle)",
    ]
    assert bokmal(b"\xd0\xcf\x11\xe0 old excel")[0].startswith(
        "dette er en Excel-arbeidsbok av gammel type"
    )
