"""The PDF report of a national round, read back with pdftotext and pypdf and looked at as
a PNG: the figures are the ones an independent calculation gives, and the four people of
role "annet" cannot be found in it. "annet" is the 2009 questionnaire's residual role: its
respondents enter no figure, so no other role has to be hidden to protect them."""

from __future__ import annotations

import re
import statistics
import subprocess

from PIL import Image
from pypdf import PdfReader

from survey.questionnaire import load_questionnaire
from tests.conftest import QUESTIONNAIRES
from tests.report.conftest import SECRET_COMMENT, SECRET_ROLE, National

Q2009 = load_questionnaire(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")

ROLE_LABELS = {
    "ordforer": "Ordfører",
    "radmann": "Rådmann",
    "tillitsvalgt": "Tillitsvalgt",
    "prosjektleder": "Prosjektleder",
}


def norwegian(value: float, places: int = 1) -> str:
    return f"{value:.{places}f}".replace(".", ",")


def points(results, item_id: str, role: str | None) -> list[int]:
    return [
        answers[item_id].value
        for groups, answers in results.respondents
        if item_id in answers
        and isinstance(answers[item_id].value, int)
        and (groups["role"] == role if role else groups["role"] != "annet")  # residual
    ]


def section(text: str, item_id: str, next_id: str) -> str:
    """The report text from a question's heading (its text: ids are not printed) to the
    next question's heading, both after the summary and the response rates."""
    body = text.index("står i invitasjonslisten")  # the response rates' lead
    start = re.search(_heading(item_id), text[body:])
    assert start, item_id
    at = body + start.end()
    end = re.search(_heading(next_id), text[at:])
    return text[body + start.start() : at + (end.start() if end else len(text))]


def _heading(question_id: str) -> str:
    """A question's text, however pdftotext wraps it."""
    question = Q2009.question(question_id)
    words = (re.escape(word).replace("/", r"/\s*") for word in str(question.text).split())
    return r"\s+".join(words)  # a line may break after "kommune/"


def test_every_item_mean_per_role_matches_an_independent_calculation(national: National):
    items = [item.id for item in national.results.questionnaire.items]
    checked = 0
    for item_id, next_id in zip(items, [*items[1:], "q14"], strict=True):
        text = section(national.text, item_id, next_id)
        # "annet" is residual: in no figure, "Alle" included, so every role is shown
        for role, label in [(None, "Alle"), *ROLE_LABELS.items()]:
            answered = points(national.results, item_id, role)
            mean = norwegian(statistics.fmean(answered))
            median = norwegian(statistics.median(answered))
            row = rf"^\s*{label}\s+{len(answered)}\s+{mean}\s+{median}\s"
            assert re.search(row, text, re.M), f"{item_id} {label}: no row {row}"
            checked += 1
    assert checked == len(items) * 5


def test_the_change_from_the_earlier_round_is_printed(national: National):
    role = "ordforer"  # every role is shown: "annet" is residual, no role protects it
    now = statistics.fmean(points(national.results, "q5", role))
    before = statistics.fmean(points(national.earlier, "q5", role))
    change = round(now - before, 1)
    sign = "+" if change > 0 else "−"
    text = section(national.text, "q5", "q6")
    row = rf"^\s*{ROLE_LABELS[role]}\s.*{re.escape(sign + norwegian(abs(change)))}\s*$"
    assert re.search(row, text, re.M)


def test_index_means_and_target(national: National):
    q = national.results.questionnaire
    index = q.indexes[0]
    scores = []
    for groups, answers in national.results.respondents:
        if groups["role"] != "prosjektleder":
            continue
        mine = [answers[i.id].value for i in index.items if i.id in answers]
        if len(mine) >= index.min_answered:
            scores.append(statistics.fmean(mine))
    row = rf"^\s*{index.label}\s+Prosjektleder\s+{len(scores)}\s+{norwegian(statistics.fmean(scores))}\s"
    assert re.search(row, national.text, re.M)
    assert "▼ under mål" in national.text  # the union representatives' index is below 4,5


def test_response_rates_per_role(national: National):
    invited = dict.fromkeys(ROLE_LABELS, 0)
    answered = dict.fromkeys(ROLE_LABELS, 0)
    for groups, was_answered in national.results.invitations:
        if groups["role"] in invited:
            invited[groups["role"]] += 1
            answered[groups["role"]] += was_answered
    for role, label in ROLE_LABELS.items():  # every role: none is hidden to protect "annet"
        rate = round(100 * answered[role] / invited[role])
        row = rf"^\s*{label}\s+{invited[role]}\s+{answered[role]}\s+{rate}\s%"  # nbsp -> " "
        assert re.search(row, national.text, re.M), row


def test_the_group_of_four_appears_nowhere(national: National):
    text = national.text
    assert SECRET_COMMENT not in text and SECRET_ROLE not in text
    # no group "Annet" at all, hidden or shown (q1's and q4's option "Annet" print a "%")
    for line in text.splitlines():
        cells = line.split()
        assert cells[:1] != ["Annet"] or "%" in line, line
    # nor their mean (1,0 on every statement) in the total: the total is of the four roles,
    # and not one of them is hidden to protect the four
    q5 = section(text, "q5", "q6")
    assert not re.findall(r"^\s*(\S+)\s+færre enn 5 svar", q5, re.M)
    # and the method page says so
    method = " ".join(text.split())
    assert "Svar fra rollen «Annet» er tatt vare på, men inngår ikke i noen tall" in method


def test_comments_are_listed_but_not_the_small_groups(national: National):
    comments = {
        answers["q14"].value
        for groups, answers in national.results.respondents
        if "q14" in answers and groups["role"] != "annet"
    }
    appendix = national.text[national.text.index("Kommentarene er gjengitt") :]
    assert all(comment in appendix for comment in comments)


def flatten(outline: list) -> list:
    return [
        e for entry in outline for e in (flatten(entry) if isinstance(entry, list) else [entry])
    ]


def test_pdf_is_tagged_bookmarked_numbered_and_embeds_its_fonts(national: National):
    reader = PdfReader(national.pdf)
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    assert reader.metadata.title.startswith("Evaluering av Kvalitetskommuneprogrammet")
    titles = [entry.title for entry in flatten(reader.outline)]
    assert "Sammendrag" in titles and "Om tallene" in titles
    pages = len(reader.pages)
    assert f"Side 1 av {pages}" in national.text and f"Side {pages} av {pages}" in national.text
    fonts = subprocess.run(
        ["pdffonts", str(national.pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(" yes yes yes " in line for line in fonts), fonts
    assert "Rådmann" in national.text and "Tillitsvalgt" in national.text  # æøå survive


def test_first_page_renders_as_a_real_page(national: National, tmp_path):
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-png", str(national.pdf), tmp_path / "p"],
        check=True,
    )
    (png,) = tmp_path.glob("p*.png")
    image = Image.open(png).convert("L")
    dark = image.point(lambda value: 255 if value < 128 else 0).histogram()[255]
    assert image.size[0] > 300 and dark > 500  # the title and the facts, not a blank page
