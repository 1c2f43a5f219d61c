"""The 2009 questionnaire as a paper form: every text of the form word for word, read back
from the PDF with pdftotext and compared both with the YAML and with the reference
transcription of the November 2009 paper form; a tagged PDF with its fonts embedded that
fetches nothing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from survey.questionnaire import load_questionnaire
from survey.report.paper import paper_form
from survey.report.render import AssetFetcher, render_paper_html, render_pdf
from tests.conftest import QUESTIONNAIRES

Q2009 = load_questionnaire(QUESTIONNAIRES / "kvalitetskommune-2009.yaml")
RETURN_ADDRESS = "Kvalitetskommuneprogrammet\nPostboks 1378 Vika\n0114 Oslo"

# The question and option texts of the 2009 form as the reference transcription of the
# secretariat's paper form has them (numbers as printed there), independent of the YAML.
REFERENCE = {
    "1": ("Hva er din tilknytning til kommunen?", [
        "Ordfører/leder bydelsutvalg", "Rådmann/bydelsdirektør", "Tillitsvalgt",
        "Prosjektleder (for kommunens/bydelens prosjekt i Kvalitetskommuneprogrammet)",
        "Annet, spesifiser"]),
    "2": ("Har det vært endringer/utskiftninger i styringsgruppa i programperioden?",
          ["Ja – spesifiser", "Nei"]),
    "3": ("Har det vært endringer i prosjektlederstillingen i programperioden?", [
        "Skifte av prosjektleder", "Prosjektleder fått økt frikjøp",
        "Prosjektleder fått redusert frikjøp", "Ingen endringer"]),
    "4": ("Grad av frikjøp av prosjektleder",
          ["Prosjektleder er frikjøpt", "Ikke frikjøpt", "Annet"]),
    "5": ("Jeg opplever at deltakelse i programmet har styrket samarbeidet i min "
          "kommune/bydel.", []),
    "6": ("Jeg opplever at møtet mellom tjenesteyter og innbygger er blitt styrket i "
          "programperioden.", []),
    "7": ("Jeg opplever at deltakelse i programmet har bidratt positivt i dette arbeidet.", []),
    "8": ("Jeg opplever at deltakelse i nettverket har vært nyttig.", []),
    "9a": ("Det er viktig at nettverket opprettholdes etter programperioden.", []),
    "9b": ("Har deres nettverk planer for videreføring av nettverket?",
           ["Ja", "Nei", "Vet ikke"]),
    "10": ("Kommunen/bydelen har aktivt arbeidet med å formidle/synliggjøre erfaringer fra "
           "prosjektene i Kvalitetskommuneprogrammet.",
           ["Ja – internt", "Ja – eksternt", "Ja – både internt og eksternt", "Nei"]),
    "11a": ("Det er laget en plan for evaluering av kvalitetskommuneprosjektet(ene) i vår "
            "kommune/bydel.", ["Ja", "Nei", "Vet ikke"]),
    "11b": ("Det er laget en plan for å spre gode erfaringer til andre deler av "
            "kommunens/bydelens virksomheter.", ["Ja", "Nei", "Vet ikke"]),
    "12": ("Jeg opplever at kommunens/bydelens omdømme er blitt styrket gjennom "
           "programperioden.", []),
    "13": ("Alt i alt opplever jeg at kommunens/bydelens kvalitetskommuneprosjekt har vært "
           "vellykket.", []),
    "14": ("Dersom du har ytterligere informasjon/erfaringer som du ønsker å formidle som "
           "ledd i evalueringen, vennligst bruk det åpne feltet under:", []),
}  # fmt: skip
REFERENCE_LEAD_INS = [
    "Kvalitetskommuneprogrammet vektlegger et konstruktivt samarbeid mellom de folkevalgte, "
    "administrasjonen og de tillitsvalgte. Vi ber deg ta stilling til følgende påstand:",
    "Kvalitetskommuneprogrammet har fokus på møtet mellom tjenesteyter og innbygger – på "
    "selve overleveringen av tjenesten. Vi ber deg ta stilling til følgende påstand:",
    "Det andre fokusområdet i Kvalitetskommuneprogrammet er å redusere sykefraværet/øke "
    "nærværet. Vi ber deg ta stilling til følgende påstand:",
    "Kommunene som deltar i Kvalitetskommuneprogrammet er blitt organisert i nettverk. Vi ber "
    "deg ta stilling til følgende påstand:",
    "Vi ber deg også ta stilling til følgende påstand:",
    "Kvalitetskommuneprogrammet har vært opptatt av å formidle/synliggjøre erfaringene i "
    "kommunene/bydelene. Vi ber deg ta stilling til følgende påstand:",
    "Evaluering er en viktig del av prosjektarbeidet. Vi ber deg ta stilling til følgende påstand:",
    "Kvalitetskommuneprogrammet har fokus på å styrke kommunenes/bydelenes omdømme. Vi ber "
    "deg ta stilling til følgende påstand:",
]
REFERENCE_OTHER = [
    "Evaluering av Kvalitetskommuneprogrammet",
    "Opplysningene som samles inn blir behandlet konfidensielt. Datamaterialet vil kun bli "
    "brukt til evaluering og analyser av Kvalitetskommuneprogrammet, og materialet vil bli "
    "presentert i en form som gjør at enkeltpersoner ikke kan kjennes igjen.",
    "Kommunenavn/bydel",
    "Pulje",
    "helt uenig",
    "helt enig",
    "Du er nå ferdig med spørreskjemaet! Takk for hjelpen!",
    "Postboks 1378 Vika",
    "0114 Oslo",
]


def normal(text: str) -> str:
    """Whitespace as one space, and none where a line broke after '/' or '–' (pdftotext
    ends a line there; the texts have no space after a '/')."""
    text = " ".join(text.split())
    return re.sub(r"/ ", "/", text)


@pytest.fixture(scope="module")
def form_pdf(tmp_path_factory) -> Path:
    fetcher = AssetFetcher()
    html = render_paper_html(paper_form(Q2009, return_address=RETURN_ADDRESS))
    pdf = tmp_path_factory.mktemp("paper") / "skjema.pdf"
    pdf.write_bytes(render_pdf(html, fetcher))
    assert fetcher.refused == []
    return pdf


@pytest.fixture(scope="module")
def text(form_pdf) -> str:
    out = subprocess.run(["pdftotext", str(form_pdf), "-"], capture_output=True, text=True)
    return normal(out.stdout)


def test_every_text_of_the_questionnaire_is_on_the_form_word_for_word(text):
    q = Q2009
    expected = [str(q.title), str(q.introduction), str(q.confidentiality), str(q.closing)]
    for question in q.questions:
        expected.append(str(question.text))
        expected += [str(question.lead_in)] if question.lead_in else []
        for choice in getattr(question, "choices", ()):
            expected.append(str(choice.label))
        scale = getattr(question, "scale", None)
        expected += [str(label) for label in scale.labels.values()] if scale else []
    expected += [str(a.label) for a in q.respondent_attributes]
    missing = [t for t in expected if normal(t) not in text]
    assert missing == []


def test_the_form_carries_the_reference_transcription(text):
    # The margin labels stand beside the question's first line: pdftotext reads them
    # between its number and its text.
    text = re.sub(r" (Alle|Kun prosjektleder)(?= )", "", text)
    for number, (question, options) in REFERENCE.items():
        assert f"{number}. {normal(question)}" in text
        for option in options:
            assert normal(option) in text, (number, option)
    for passage in REFERENCE_LEAD_INS + REFERENCE_OTHER:
        assert normal(passage) in text
    # The introduction as printed: the same words as the reference's first paragraph
    assert (
        normal(
            "Spørreundersøkelsen kartlegger erfaringer med, og vurderinger av hva "
            "kommunen/bydelen har oppnådd gjennom programdeltakelsen."
        )
        in text
    )


def test_who_answers_what_is_said_in_words(text):
    assert text.count("Kun prosjektleder") == 3  # beside questions 2-4
    assert text.count("Alle") == 13  # beside question 1 and 5 onwards
    assert text.count("Sett ett kryss.") == 14 and text.count("Sett kryss for alt som passer.") == 1


def test_a_tagged_pdf_with_embedded_fonts(form_pdf):
    reader = PdfReader(form_pdf)
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    assert reader.metadata.title.startswith("Evaluering av Kvalitetskommuneprogrammet")
    assert 3 <= len(reader.pages) <= 5
    fonts = subprocess.run(
        ["pdffonts", str(form_pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(" yes yes yes " in line for line in fonts), fonts


def test_no_question_is_split_over_two_pages(form_pdf, tmp_path):
    """Each page's text starts with a whole question (a lead-in or a number), never with
    the tail of one: pdftotext page by page."""
    reader = PdfReader(form_pdf)
    starts = []
    for page in range(2, len(reader.pages) + 1):
        out = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(form_pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        starts.append(normal(out)[:40])
    openings = [normal(str(q.lead_in or "")) for q in Q2009.questions]
    for start in starts:
        assert re.match(r"\d+[ab]?\. ", start) or any(
            o and o.startswith(start[:30]) for o in openings
        ), start


@pytest.mark.parametrize(
    "name", ["medarbeiderundersokelse.yaml", "brukerundersokelse-hjemmetjeneste.yaml"]
)
def test_every_bundled_questionnaire_prints_with_its_conditions_in_words(name, tmp_path):
    q = load_questionnaire(QUESTIONNAIRES / name)
    path = tmp_path / "skjema.pdf"
    path.write_bytes(render_pdf(render_paper_html(paper_form(q))))
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    text = normal(re.sub(r"\n(Alle|Kun [^\n]+)\n", "\n", out))
    for question in q.questions:
        assert normal(str(question.text)) in text, question.id
        for item in getattr(question, "statements", ()):
            assert normal(str(item.text)) in text, item.id
    if name.startswith("medarbeider"):  # a page on a condition, and a matrix
        assert "Hvis du svarte «Deltid» på spørsmål 3: svar på spørsmål 5. Ellers gå videre " \
            "til spørsmål 6." in text  # fmt: skip
        assert text.count("Sett ett kryss på hver linje.") >= 5
    else:  # a question on a condition
        assert "Hvis du krysset av for «Trygghetsalarm» på spørsmål 4:" in text
