"""Personal paper forms: one per invitation, each with its own return code (read back with
pdftotext) and a QR code that decodes (zbarimg) to that person's own web link; the return
code leads back to the invitation, a mistyped one is refused. Through the operation and the
CLI."""

from __future__ import annotations

import re
import subprocess

import pytest

from survey.errors import Conflict, InvalidInput, NotFound
from survey.operations.invitations import invite, personal_links
from survey.operations.paper_forms import (
    invitation_by_return_code,
    personal_forms,
    round_form,
    set_return_address,
)
from survey.operations.rounds import create_round
from survey.return_codes import return_code

BASE = "https://survey.example.no"


def people(count: int, *, addresses: bool = True) -> bytes:
    rows = ["name;email;role;unit;pulje;adresse;postnummer;poststed"]
    for n in range(1, count + 1):
        street = f"Storgata {n}" if addresses and n % 2 else ""
        code = "7600" if street else ""
        place = "Levanger" if street else ""
        rows.append(
            f"Person Nummer{n};p{n}@kommune.no;ordforer;Kommune {n};1;{street};{code};{place}"
        )
    return "\n".join(rows).encode()


def pages_text(pdf, tmp_path) -> list[str]:
    path = tmp_path / "brev.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def qr_links(pdf, tmp_path, pages: list[int]) -> list[str]:
    """The QR code on each of these pages (1-based), in order: the top right of the page
    (where the letterhead has it) rendered at 150 dpi with pdftoppm, read with zbarimg."""
    path = tmp_path / "qr.pdf"
    path.write_bytes(pdf)
    crops = []
    for page in pages:
        out = tmp_path / f"qr{page}"
        crop = ["-x", "600", "-y", "0", "-W", "640", "-H", "400"]
        subprocess.run(
            ["pdftoppm", "-r", "150", "-gray", "-png", "-singlefile", "-f", str(page), "-l",
             str(page), *crop, str(path), str(out)],
            check=True,
        )  # fmt: skip
        crops.append(f"{out}.png")
    found = []
    for crop in crops:  # one at a time, so each code is known by its page
        result = subprocess.run(["zbarimg", "-q", "--raw", crop], capture_output=True, text=True)
        found.append(result.stdout.strip())
    return found


def test_25_personal_forms_each_with_its_own_code_and_link(edges, tmp_path):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "Papir")
    invite(edges.db, edges.admin, round_.id, people(25))
    set_return_address(edges.db, edges.admin, round_.id, "Sekretariatet\nPostboks 1\n0101 Oslo")
    pdf = personal_forms(edges.db, edges.admin, round_.id, BASE)

    links = {link.name: link.url for link in personal_links(edges.db, edges.admin, round_.id, BASE)}
    pages = pages_text(pdf, tmp_path)
    firsts = [page for page in pages if "Returkode:" in page]
    assert len(firsts) == 25
    codes = {}
    for page in firsts:
        name = re.search(r"Person Nummer\d+", page).group(0)
        code = re.search(r"Returkode: (\d{3} \d{3} \d)", page).group(1)
        codes[name] = code
        # the return code resolves to that person's invitation
        assert invitation_by_return_code(edges.db, round_.id, code).name == name
        assert "Returadresse: Sekretariatet, Postboks 1, 0101 Oslo" in page
        if int(name.removeprefix("Person Nummer")) % 2:
            number = name.removeprefix("Person Nummer")
            assert re.search(rf"Storgata {number}[^\n]*\n([^\n]*\n)?\s*7600 Levanger", page)
        else:  # no postal address: the name and the unit
            assert re.search(
                rf"{name}[^\n]*\n([^\n]*\n)?\s*Kommune {name.removeprefix('Person Nummer')}\b", page
            )
        assert "Kommunenavn/bydel" not in page  # the invitation says who answers
    assert len(set(codes.values())) == 25
    assert sorted(codes.values()) == [return_code(n) for n in range(1, 26)]
    # each form: its cover page (its code in the footer too), then the questions, 1 to 14
    assert len([page for page in pages if page.strip()]) == 25 * 4
    for cover, *rest in (pages[i : i + 4] for i in range(0, 100, 4)):
        assert re.search(r"Returkode \d{3} \d{3} \d\s*$", cover)
        assert re.search(r"1\.\s+Hva er din tilknytning", rest[0])
        assert re.search(r"14\.\s+Dersom du har", rest[-1])

    first_pages = [i + 1 for i, page in enumerate(pages) if "Returkode:" in page]
    names = [re.search(r"Person Nummer\d+", pages[i - 1]).group(0) for i in first_pages]
    decoded = qr_links(pdf, tmp_path, first_pages)
    assert decoded == [links[name] for name in names]  # each person's own link
    assert sorted(decoded) == sorted(links.values())
    for page, name in zip(first_pages, names, strict=True):  # and printed to type in
        assert links[name] in pages[page - 1].replace("\n", "").replace(" ", "")
    assert (edges.admin.email, "paper forms printed", f"round {round_.id}: 25 forms") in (
        edges.audit()
    )


def test_return_codes_are_kept_and_mistyped_ones_refused(edges):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "Papir")
    other = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "Annen")
    invite(edges.db, edges.admin, round_.id, people(3))
    from survey.storage.return_codes import assign_numbers

    first = assign_numbers(edges.db, round_.id)
    assert sorted(first.values()) == [1, 2, 3]
    assert assign_numbers(edges.db, round_.id) == first  # printing again: the same codes
    code = return_code(2)
    found = invitation_by_return_code(edges.db, round_.id, code.replace(" ", "-"))
    assert found.email == "p2@kommune.no"
    digits = code.replace(" ", "")
    swapped = digits[:-2] + digits[-1] + digits[-2]
    if swapped != digits:
        with pytest.raises(InvalidInput, match="check digit"):
            invitation_by_return_code(edges.db, round_.id, swapped)
    with pytest.raises(NotFound, match="no form with return code"):
        invitation_by_return_code(edges.db, other.id, code)
    with pytest.raises(NotFound):
        invitation_by_return_code(edges.db, round_.id, return_code(4))


def test_rounds_without_people_print_the_blank_form(edges, tmp_path):
    anonymous = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "A", anonymous=True)
    empty = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "Tom")
    for round_ in (anonymous, empty):
        with pytest.raises(Conflict):
            personal_forms(edges.db, edges.admin, round_.id, BASE)
    set_return_address(edges.db, edges.admin, empty.id, "Sekretariatet\nPostboks 1\n0101 Oslo")
    text = "".join(pages_text(round_form(edges.db, edges.admin, empty.id), tmp_path))
    assert "Returneres til: Sekretariatet, Postboks 1, 0101 Oslo" in text
    assert "Kommunenavn/bydel" in text and "Pulje" in text and "Returkode" not in text
    with pytest.raises(InvalidInput):
        set_return_address(edges.db, edges.admin, empty.id, "x\n" * 6)


def test_the_cli_prints_blank_and_personal_forms(edges, tmp_path):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "Papir")
    code, out = edges.cli("paper-form", "--round", str(round_.id), "-o", str(tmp_path / "a.pdf"))
    assert code == 0 and "a blank form" in out
    invite(edges.db, edges.admin, round_.id, people(2))
    code, out = edges.cli(
        "round", "return-address", str(round_.id), "Sekretariatet;Postboks 1;0101 Oslo"
    )
    assert code == 0 and out.splitlines() == ["Sekretariatet", "Postboks 1", "0101 Oslo"]
    code, out = edges.cli(
        "paper-form",
        "kvalitetskommune-2009",
        "--round",
        str(round_.id),
        "-o",
        str(tmp_path / "b.pdf"),
    )
    assert code == 0 and "2 personal forms" in out, out
    pdf = (tmp_path / "b.pdf").read_bytes()
    firsts = [i + 1 for i, page in enumerate(pages_text(pdf, tmp_path)) if "Returkode:" in page]
    assert all(link.startswith(BASE) for link in qr_links(pdf, tmp_path, firsts))
    code, out = edges.cli(
        "paper-form", "--round", str(round_.id), "--blank", "-o", str(tmp_path / "c.pdf")
    )
    assert code == 0 and "a blank form" in out
    code, out = edges.cli(
        "paper-form", "medarbeiderundersokelse", "--round", str(round_.id), "-o", "x.pdf"
    )
    assert code != 0 and "not of medarbeiderundersokelse" in out
    code, out = edges.cli("paper-form", "finnes-ikke", "-o", str(tmp_path / "d.pdf"))
    assert code == 1 and "no published questionnaire 'finnes-ikke'" in out
    assert not (tmp_path / "d.pdf").exists()


def test_the_secretariat_downloads_blank_forms_and_sets_the_return_address(edges, tmp_path):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "Papir")
    web = edges.web()
    version_id = edges.db.execute("SELECT max(id) FROM questionnaire_versions").fetchone()[0]
    page = web.get(f"/sekretariat/sporreskjema/{version_id}").get_data(as_text=True)
    assert f'href="/sekretariat/sporreskjema/{version_id}/papirskjema.pdf"' in page
    blank = web.get(f"/sekretariat/sporreskjema/{version_id}/papirskjema.pdf")
    assert blank.status_code == 200 and blank.mimetype == "application/pdf"
    assert "papirskjema-kvalitetskommune-2009.pdf" in blank.headers["Content-Disposition"]
    assert "Kommunenavn/bydel" in "".join(pages_text(blank.data, tmp_path))

    settings = f"/sekretariat/runder/{round_.id}/innstillinger"
    data = {"name": "Papir", "closes_on": "", "min_group_size": "5"}
    too_long = edges.post(web, settings, {**data, "return_address": "linje\n" * 6})
    assert too_long.status_code == 422 and "høyst 5 linjer" in too_long.get_data(as_text=True)
    saved = edges.post(web, settings, {**data, "return_address": "Sekretariatet\r\nPostboks 1"})
    assert saved.status_code == 302
    assert "Sekretariatet\nPostboks 1" in web.get(settings).get_data(as_text=True)
    overview = web.get(f"/sekretariat/runder/{round_.id}").get_data(as_text=True)
    assert f'href="/sekretariat/runder/{round_.id}/papirskjema.pdf"' in overview
    form = web.get(f"/sekretariat/runder/{round_.id}/papirskjema.pdf")
    assert "Returneres til: Sekretariatet, Postboks 1" in "".join(pages_text(form.data, tmp_path))
    assert (
        edges.admin.email,
        "return address set",
        f"round {round_.id}: 'Sekretariatet\\nPostboks 1'",
    ) in edges.audit()
    assert web.get("/sekretariat/runder/999/papirskjema.pdf").status_code == 404
