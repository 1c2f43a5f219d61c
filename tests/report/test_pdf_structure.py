"""The report PDF's structure tree, read back with pikepdf as assistive technology reads it:
its language, table headers a figure can be connected to (an /IDTree for the /Headers ids,
a /Scope on every TH), and a contents list of one described link per entry, its leader
dots no text. The marked text itself comes from pypdf (which decodes the fonts)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator

import pikepdf
import pydyf
import pytest
from pypdf import PdfReader

from survey.report.render import _name_tree
from tests.report.conftest import National


@pytest.fixture(scope="module")
def pdf(national: National) -> Iterator[pikepdf.Pdf]:
    with pikepdf.open(national.pdf) as document:
        yield document


def kids(element: pikepdf.Dictionary) -> list:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def is_element(obj: object) -> bool:
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj


def elements(pdf: pikepdf.Pdf) -> list[tuple[pikepdf.Dictionary, tuple[str, ...]]]:
    """Every structure element with the types of its ancestors, in document order."""
    found = []
    stack = [(k, ()) for k in reversed(kids(pdf.Root.StructTreeRoot))]
    while stack:
        element, ancestors = stack.pop()
        if not is_element(element):
            continue
        found.append((element, ancestors))
        inside = (*ancestors, str(element.S))
        stack.extend((k, inside) for k in reversed(kids(element)))
    return found


def attribute(element: pikepdf.Dictionary, name: str) -> object:
    """An attribute of the /Table owner, wherever /A keeps it (one dictionary or several)."""
    a = element.get("/A")
    for owner in (a if isinstance(a, pikepdf.Array) else [a]) if a is not None else []:
        if isinstance(owner, pikepdf.Dictionary) and name in owner:
            return owner[name]
    return None


def name_tree(node: pikepdf.Dictionary) -> dict[str, pikepdf.Object]:
    names = {}
    if "/Names" in node:
        pairs = list(node.Names)
        names |= {str(pairs[i]): pairs[i + 1] for i in range(0, len(pairs), 2)}
    for kid in node.get("/Kids", []):
        names |= name_tree(kid)
    return names


def marked_text(path, page_index: int) -> tuple[dict[int, str], str]:
    """A page's text by marked-content id, and the text marked as artifact."""
    tagged: dict[int, str] = defaultdict(str)
    artifacts: list[str] = []
    stack: list[object] = []

    def before(operator, operands, cm, tm):
        if operator in (b"BDC", b"BMC"):
            stack.append(operands)
        elif operator == b"EMC" and stack:
            stack.pop()

    def text(chunk, cm, tm, font, size):
        mcid = next(
            (
                ops[1]["/MCID"]
                for ops in reversed(stack)
                if len(ops) > 1 and isinstance(ops[1], dict) and "/MCID" in ops[1]
            ),
            None,
        )
        if mcid is None:
            artifacts.append(chunk)
        else:
            tagged[mcid] += chunk

    PdfReader(path).pages[page_index].extract_text(visitor_operand_before=before, visitor_text=text)
    return dict(tagged), "".join(artifacts)


def words(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_declares_its_language_and_is_marked(pdf):
    """A guard: WeasyPrint already writes these; a change to the pipeline must keep them."""
    assert str(pdf.Root.Lang) == "nb"
    assert bool(pdf.Root.MarkInfo.Marked) is True
    assert "/StructTreeRoot" in pdf.Root


def test_every_table_header_has_a_scope(pdf):
    """Column headers in the table's head, row headers in its body, as the templates'
    scope attributes say."""
    scopes = Counter()
    for element, ancestors in elements(pdf):
        if element.S != "/TH":
            continue
        scope = attribute(element, "/Scope")
        assert scope in ("/Row", "/Column"), (ancestors, scope)
        section = next(a for a in reversed(ancestors) if a in ("/THead", "/TBody", "/Table"))
        assert scope == ("/Column" if section == "/THead" else "/Row"), section
        scopes[str(scope)] += 1
    assert scopes["/Row"] > 50 and scopes["/Column"] > 50, scopes


def test_every_data_cell_reaches_its_headers_through_the_id_tree(pdf):
    root = pdf.Root.StructTreeRoot
    assert "/IDTree" in root, "elements carry /ID but the structure tree has no /IDTree"
    ids = name_tree(root.IDTree)
    found = elements(pdf)
    carrying = {str(e.ID): e for e, _ in found if "/ID" in e}
    assert carrying and set(carrying) == set(ids)
    for name, element in carrying.items():
        assert ids[name].objgen == element.objgen, name
    checked = 0
    for table, _ in found:
        if table.S != "/Table":
            continue
        inside = descendants(table)
        has_head = any(e.S == "/THead" for e in inside)
        for cell in inside:
            if cell.S != "/TD":
                continue
            headers = [str(h) for h in attribute(cell, "/Headers") or []]
            assert headers, "a data cell without headers"
            assert all(ids[h].S == "/TH" for h in headers)
            scopes = {str(attribute(ids[h], "/Scope")) for h in headers}
            # a figure is known by its row and by its column (the cover's facts by their row)
            assert scopes == ({"/Row", "/Column"} if has_head else {"/Row"}), headers
            checked += 1
    assert checked > 300


def test_a_long_id_tree_is_split_into_leaves_with_limits():
    pdf = pydyf.PDF()
    names = sorted((f"{n}-{i}-0", f"{n} 0 R".encode()) for n in range(3) for i in range(900))
    root = pdf.objects[int(_name_tree(pdf, names).split()[0])]
    leaves = [pdf.objects[int(kid.split()[0])] for kid in root["Kids"]]
    assert "Names" not in root and "Limits" not in root and len(leaves) == 3
    keys = [leaf["Names"][i].string for leaf in leaves for i in range(0, len(leaf["Names"]), 2)]
    assert keys == [name for name, _ in names]
    for leaf in leaves:
        first, last = leaf["Names"][0].string, leaf["Names"][-2].string
        assert [limit.string for limit in leaf["Limits"]] == [first, last]
        assert len(leaf["Names"]) <= 2 * 1000


def descendants(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    out = []
    for kid in kids(element):
        if is_element(kid):
            out += [kid, *descendants(kid)]
    return out


def test_the_covers_facts_are_a_table_of_names_and_values(pdf, national):
    """Not a flat list in which "Svarperiode" and its dates are two unrelated items."""
    cover = pdf.pages[0].obj.objgen
    on_cover = [e for e, _ in elements(pdf) if "/Pg" in e and e.Pg.objgen == cover]
    assert not [e for e in on_cover if e.S in ("/L", "/LI")]
    texts, _ = marked_text(national.pdf, 0)
    (facts,) = [e for e in on_cover if e.S == "/Table"]
    rows = [r for r in descendants(facts) if r.S == "/TR"]
    pairs = [[words(text_of(c, texts)) for c in kids(r) if is_element(c)] for r in rows]
    assert ["Minste gruppestørrelse", "5 svar"] in pairs
    names = [name for name, _ in pairs]
    assert names[:2] == ["Svarperiode", "Tall per"] and "Sammenlignet med" in names
    for r in rows:
        header, value = [c for c in kids(r) if is_element(c)]
        assert header.S == "/TH" and attribute(header, "/Scope") == "/Row" and value.S == "/TD"


def contents_list(pdf) -> tuple[pikepdf.Dictionary, list[pikepdf.Dictionary]]:
    """The contents list (the list after the heading "Innhold") and its entries."""
    for element, _ in elements(pdf):
        entries = [k for k in kids(element) if is_element(k) and k.S == "/LI"]
        if element.S == "/L" and entries and all(links_within(e) for e in entries):
            return element, entries
    raise AssertionError("no list of links")


def links_within(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    out = []
    for kid in kids(element):
        if is_element(kid):
            if kid.S == "/Link":
                out.append(kid)
            out += links_within(kid)
    return out


def page_index(pdf, page: pikepdf.Dictionary) -> int:
    return next(i for i, p in enumerate(pdf.pages) if p.obj.objgen == page.objgen)


def text_of(element: pikepdf.Dictionary, texts: dict[int, str]) -> str:
    parts = []
    for kid in kids(element):
        if isinstance(kid, int):
            parts.append(texts.get(kid, ""))
        elif is_element(kid):
            parts.append(text_of(kid, texts))
    return "".join(parts)


def test_the_contents_list_tags_no_leader_dots(pdf, national):
    toc, entries = contents_list(pdf)
    assert len(entries) >= 8
    texts, _ = marked_text(national.pdf, page_index(pdf, toc.Pg))
    tagged = [words(text_of(entry, texts)) for entry in entries]
    assert tagged[0].startswith("Sammendrag") and tagged[-1].startswith("Om tallene")
    for entry in tagged:
        assert "..." not in entry and not re.search(r"\.\s*\.", entry), entry
        assert re.fullmatch(r"\S.*\S \d+", entry), entry  # the title, its page
    assert sum(t.count(".") for t in texts.values()) < 10  # no dots tagged on the page


def test_each_contents_entry_is_one_link_described_by_its_title(pdf, national):
    toc, entries = contents_list(pdf)
    texts, _ = marked_text(national.pdf, page_index(pdf, toc.Pg))
    for entry in entries:
        (link,) = links_within(entry)  # no links nested in links
        (annotation,) = [
            k.Obj
            for k in kids(link)
            if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
        ]
        title = words(text_of(link, texts))
        assert title and str(annotation.Contents) == title, (str(annotation.Contents), title)
    annotations = [a for a in toc.Pg.get("/Annots", []) if a.Subtype == "/Link"]
    assert len(annotations) == len(entries)  # one link annotation per entry


def test_every_link_is_described_by_its_text(pdf, national):
    """Not only the contents list: no link anywhere is described by an internal id."""
    by_page = defaultdict(list)
    for element, _ in elements(pdf):
        if element.S == "/Link":
            by_page[page_index(pdf, element.Pg)].append(element)
    assert len(by_page) >= 2  # the contents list and the comments' references
    for index, links in by_page.items():
        texts, _ = marked_text(national.pdf, index)
        for link in links:
            for kid in kids(link):
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                    described = str(kid.Obj.Contents)
                    assert described == words(text_of(link, texts)), described
                    assert described != str(kid.Obj.get("/Dest")), described  # not its id
