"""The accessibility statement's one source of truth: every WCAG 2.1 success criterion of
level A and AA, its status in this product, how the product meets it, and the tests that
check it.

Why a Python module and not a YAML file: the claims are code-reviewed data that tests
import (``tests/accessibility/test_statement.py``), mypy checks their shape, and there is
no loader, schema or error catalogue to write and keep; a municipality never edits it (it
publishes its own statement on uustatus.no, see README.md). The page ``/tilgjengelighet``
(``survey/web/statement.py``) is rendered from ``CRITERIA``, so what the page says is what
this list says, and the test that reads it makes the list unable to drift from the suite:
every cited test must exist, and, since the cited tests run in the same suite, a claim
whose test fails turns the build red.

Names are those of the Norwegian translation published by Digdir/Uu-tilsynet
(uutilsynet.no, "WCAG-standarden"). Statuses are those of the statement form on
uustatus.no, in bokmål: oppfylt, delvis oppfylt, ikke oppfylt, ikke relevant.

The Norwegian regulation (forskrift om universell utforming av IKT-løsninger § 4, as in
force for the public sector from 1 February 2023) requires 47 of these 50: all except
1.2.3, 1.2.4 and 1.2.5, the three about audio description and live captions of
time-based media (``NOT_REQUIRED``). Some later secondary sources speak of 48 criteria;
check the regulation's current wording on lovdata.no (FOR-2013-06-21-732) before relying
on the count. It changes nothing here: the product has no audio or video, so all three are
"ikke relevant" whichever way the count goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Status = Literal["oppfylt", "delvis oppfylt", "ikke oppfylt", "ikke relevant"]
Level = Literal["A", "AA"]

#: When a person last went through every claim below (a release's review, not a test run).
CHECKED = date(2026, 12, 5)
#: The three A/AA criteria the Norwegian regulation leaves out (see the module's text).
NOT_REQUIRED = frozenset({"1.2.3", "1.2.4", "1.2.5"})


@dataclass(frozen=True)
class Criterion:
    """One success criterion. ``how`` says in bokmål how the product meets it (or why it
    does not apply); ``tests`` are pytest node ids that check it; ``manual`` says what a
    person checked where no test can, and why; ``deviation`` says what falls short."""

    number: str
    name: str
    level: Level
    status: Status
    how: str
    tests: tuple[str, ...] = ()
    manual: str = ""
    deviation: str = ""

    @property
    def required(self) -> bool:
        """Whether the Norwegian regulation requires it (47 of the 50)."""
        return self.number not in NOT_REQUIRED


# The tests cited, by what they do. A node id without [parameters] stands for all of them.
AXE = "tests/accessibility/test_second_engine.py::test_axe_finds_no_violation_on_any_page"
HTMLCS = (
    "tests/accessibility/test_second_engine.py::test_html_codesniffer_finds_no_error_on_any_page"
)
NU = "tests/accessibility/test_html_valid.py::test_no_page_has_an_html_error"
WIDTH = "tests/accessibility/test_second_engine.py::test_no_page_is_wider_than_its_window"
EVERY_TEMPLATE = (
    "tests/accessibility/test_html_valid.py::test_every_template_is_among_the_pages_checked"
)
FOOTER = (
    "tests/accessibility/test_statement.py::test_every_page_links_the_statement_from_its_footer"
)
REFLOW = (
    "tests/browser/test_reflow_browser.py::"
    "test_every_respondent_page_reflows_with_labels_beside_their_inputs"
)
REFLOW_PAGE = "tests/browser/test_respondent_browser.py::test_reflows_without_horizontal_scrolling"
CODE_PAGE = (
    "tests/browser/test_respondent_browser.py::"
    "test_the_code_page_is_accessible_and_says_what_is_wrong"
)
KEYBOARD = "tests/browser/test_respondent_browser.py::test_keyboard_only"
SUMMARY_FOCUS = (
    "tests/browser/test_respondent_browser.py::"
    "test_the_error_summary_takes_the_focus_and_its_links_reach_each_field"
)
ERRORS_KEEP_ANSWERS = (
    "tests/browser/test_respondent_browser.py::"
    "test_validation_error_keeps_answers_and_summary_moves_focus"
)
SUMMARY_NAMES = (
    "tests/web/test_error_summary.py::"
    "test_the_summary_takes_the_focus_and_names_each_question_beside_fields_marked"
)
ERROR_MARKS = (
    "tests/web/test_page_rendering.py::test_an_error_marks_every_input_of_its_field_and_no_other"
)
OPTIONAL = "tests/web/test_page_rendering.py::test_an_optional_question_says_so"
INPUTS = (
    "tests/web/test_page_rendering.py::test_every_type_of_question_is_drawn_with_its_own_inputs"
)
HELP = (
    "tests/web/test_question_help.py::"
    "test_a_questions_help_is_shown_with_it_and_describes_its_field"
)
ERRORS_LINKED = (
    "tests/web/test_answering.py::test_validation_error_keeps_every_answer_and_links_to_fields"
)
EXPIRED_FORM = "tests/web/test_answering.py::test_expired_csrf_token_keeps_the_answers"
BACK = "tests/web/test_answering.py::test_back_saves_without_complaining"
AUDIT_BOKMAL = "tests/web/test_audit_page.py::test_the_audit_page_is_bokmal_throughout"
LINTER_BOKMAL = "tests/web/test_manage.py::test_the_linters_problems_are_shown_in_bokmal"
UPLOAD_LINES = (
    "tests/web/test_manage.py::"
    "test_a_broken_questionnaire_shows_its_problems_by_line_and_is_not_published"
)
LIST_BOKMAL = "tests/web/test_manage.py::test_invitation_list_problems_are_shown_in_bokmal"
MAIL_TEXT_BOKMAL = "tests/web/test_manage.py::test_mail_text_problems_are_shown_in_bokmal"
FORMS_BOKMAL = "tests/web/test_manage.py::test_wtforms_own_messages_are_in_bokmal"
CLOSE_ASKS = "tests/web/test_round_settings.py::test_closing_asks_first_and_keeps_the_reason"
PAST_DATE = (
    "tests/web/test_round_settings.py::"
    "test_a_closing_date_in_the_past_is_refused_with_the_form_kept"
)
NO_RELOAD = (
    "tests/web/test_secretariat.py::test_the_page_that_waits_for_a_report_never_reloads_itself"
)
TIMEOUT_SETTINGS = "tests/web/test_sessions.py::test_the_timeouts_are_settings"
TOO_LONG = (
    "tests/security/test_hostile_text.py::"
    "test_text_over_the_limit_is_refused_with_a_message_and_not_stored"
)
CHART_TEXT = (
    "tests/report/test_chart_text.py::"
    "test_every_share_is_given_as_text_also_where_the_segment_is_too_narrow"
)
NEIGHBOURS = "tests/report/test_palette.py::test_every_neighbouring_pair_is_told_apart"
AGAINST_PAGE = "tests/report/test_palette.py::test_every_segment_is_told_from_the_page"
PRINTED_SHARE = "tests/report/test_palette.py::test_a_share_printed_on_a_segment_has_4_5_to_1"
PDF_LANGUAGE = (
    "tests/report/test_pdf_structure.py::test_the_pdf_declares_its_language_and_is_marked"
)
PDF_SCOPE = "tests/report/test_pdf_structure.py::test_every_table_header_has_a_scope"
PDF_HEADERS = (
    "tests/report/test_pdf_structure.py::"
    "test_every_data_cell_reaches_its_headers_through_the_id_tree"
)
PDF_COVER = (
    "tests/report/test_pdf_structure.py::test_the_covers_facts_are_a_table_of_names_and_values"
)
PDF_LINKS = "tests/report/test_pdf_structure.py::test_every_link_is_described_by_its_text"
PDF_DOTS = "tests/report/test_pdf_structure.py::test_the_contents_list_tags_no_leader_dots"

ENGINES = (AXE, HTMLCS)
NO_MEDIA = (
    "Løsningen har ikke lyd eller video: spørreskjemaer, rapporter og sekretariatets sider "
    "består av tekst, skjemaer og tabeller."
)

CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "1.1.1",
        "Ikke-tekstlig innhold",
        "A",
        "oppfylt",
        "Diagrammet over svar per dag har en tekstbeskrivelse. Diagrammene i rapporten har "
        "hver andel også som tekst, også der en stolpe er for smal til å vise tallet.",
        (*ENGINES, CHART_TEXT),
    ),
    Criterion("1.2.1", "Bare lyd og bare video (forhåndsinnspilt)", "A", "ikke relevant", NO_MEDIA),
    Criterion("1.2.2", "Teksting (forhåndsinnspilt)", "A", "ikke relevant", NO_MEDIA),
    Criterion(
        "1.2.3",
        "Synstolking eller mediealternativ (forhåndsinnspilt)",
        "A",
        "ikke relevant",
        NO_MEDIA,
    ),
    Criterion("1.2.4", "Teksting (direkte)", "AA", "ikke relevant", NO_MEDIA),
    Criterion("1.2.5", "Synstolking (forhåndsinnspilt)", "AA", "ikke relevant", NO_MEDIA),
    Criterion(
        "1.3.1",
        "Informasjon og relasjoner",
        "A",
        "oppfylt",
        "Overskrifter, lister, tabeller og skjemaer er kodet som det de ser ut som: hvert "
        "spørsmål er en gruppe med en overskrift (legend), hvert svaralternativ har sin "
        "ledetekst, og tabellene har kolonne- og radoverskrifter. I rapporten (PDF) er "
        "tabellenes overskrifter knyttet til cellene.",
        (*ENGINES, NU, INPUTS, PDF_SCOPE, PDF_HEADERS, PDF_COVER),
    ),
    Criterion(
        "1.3.2",
        "Meningsfylt rekkefølge",
        "A",
        "oppfylt",
        "Innholdet står i koden i den rekkefølgen det leses; svaralternativets ledetekst står "
        "ved siden av alternativet, også på en smal skjerm.",
        (REFLOW, PDF_DOTS),
        manual="At lesefølgen gir mening, er vurdert ved gjennomgang av sidemalene; en "
        "automatisk test kan ikke avgjøre om en rekkefølge gir mening.",
    ),
    Criterion(
        "1.3.3",
        "Sensoriske egenskaper",
        "A",
        "oppfylt",
        "Instruksjonene viser til spørsmål og knapper ved navn, ikke ved form, farge eller "
        "plassering.",
        manual="Løsningens egne tekster er gjennomgått; ingen test kan lese en instruksjon "
        "slik et menneske gjør. Teksten i spørreskjemaene skriver virksomheten selv.",
    ),
    Criterion(
        "1.3.4",
        "Visningsretning",
        "AA",
        "oppfylt",
        "Sidene låser ikke skjermretningen og fungerer både stående og liggende.",
        (REFLOW,),
    ),
    Criterion(
        "1.3.5",
        "Identifiser formål med inndata",
        "AA",
        "oppfylt",
        "Innloggingen oppgir formålet med feltene (brukernavn og passord), så nettleseren "
        "kan fylle dem ut. Undersøkelsene spør ikke om opplysninger om den som svarer, "
        "som navn eller adresse.",
        ENGINES,
    ),
    Criterion(
        "1.4.1",
        "Bruk av farge",
        "A",
        "oppfylt",
        "Feil vises med tekst («Feil:») og en strek ved feltet, ikke bare med farge. Lenker "
        "er understreket. I rapportens diagrammer skiller en svart kant og tallene som tekst "
        "delene fra hverandre.",
        (AXE, ERROR_MARKS, CHART_TEXT, NEIGHBOURS),
    ),
    Criterion(
        "1.4.2",
        "Styring av lyd",
        "A",
        "ikke relevant",
        "Løsningen spiller ikke av lyd.",
    ),
    Criterion(
        "1.4.3",
        "Kontrast (minimum)",
        "AA",
        "oppfylt",
        "All tekst har minst 4,5:1 i kontrast mot bakgrunnen, også tall som står i "
        "rapportens diagrammer.",
        (*ENGINES, PRINTED_SHARE),
    ),
    Criterion(
        "1.4.4",
        "Endring av tekststørrelse",
        "AA",
        "oppfylt",
        "Teksten kan forstørres til 200 % uten at innhold eller funksjon går tapt; sidene "
        "hindrer ikke zoom.",
        (WIDTH, REFLOW, REFLOW_PAGE, AXE),
    ),
    Criterion(
        "1.4.5",
        "Bilder av tekst",
        "AA",
        "oppfylt",
        "Løsningen bruker ikke bilder av tekst; også diagrammenes tall er tekst.",
        manual="Sidemalene, stilarket og rapportens maler er gjennomgått: det eneste bildet "
        "er nettstedsikonet, og det har ingen tekst. En test kan ikke se om et bilde viser "
        "tekst.",
    ),
    Criterion(
        "1.4.10",
        "Dynamisk tilpasning (Reflow)",
        "AA",
        "oppfylt",
        "Hver side er målt i 320 px bredde og ved 200 % zoom: ingenting er bredere enn "
        "vinduet. Brede tabeller i sekretariatet ruller innenfor sitt eget felt, og på "
        "sidene for dem som svarer, står hvert svaralternativ ved siden av ledeteksten sin.",
        (WIDTH, REFLOW, REFLOW_PAGE, CODE_PAGE),
    ),
    Criterion(
        "1.4.11",
        "Kontrast for ikke-tekstlig innhold",
        "AA",
        "oppfylt",
        "Feltkanter og fokusmarkering har minst 3:1 mot bakgrunnen. I rapportens diagrammer "
        "skilles hver del fra naboen og fra siden med minst 3:1, av fargen eller av en "
        "svart kant.",
        (NEIGHBOURS, AGAINST_PAGE),
        manual="Feltkanter (#1b1b1b) og fokusmarkering (gul ring med mørk kant) er kontrollert "
        "mot stilarket; testene regner ut kontrasten i diagrammene.",
    ),
    Criterion(
        "1.4.12",
        "Tekstavstand",
        "AA",
        "oppfylt",
        "Ingen tekst står i bokser med fast høyde, så større linje-, ord- og bokstavavstand "
        "gjør at teksten tar mer plass, ikke at den blir borte.",
        manual="Stilarket er gjennomgått for faste høyder og avkuttet tekst; ingen av testene "
        "endrer tekstavstanden ennå.",
    ),
    Criterion(
        "1.4.13",
        "Pekerfølsomt innhold eller innhold ved tastaturfokus",
        "AA",
        "ikke relevant",
        "Løsningen viser ikke innhold som dukker opp ved pekeren eller ved tastaturfokus "
        "(verktøytips, menyer som folder seg ut).",
    ),
    Criterion(
        "2.1.1",
        "Tastatur",
        "A",
        "oppfylt",
        "Alt kan gjøres med tastaturet: svare, bla fram og tilbake, sende inn, og arbeide i "
        "sekretariatet. Tabeller som ruller, kan nås og rulles med tastaturet.",
        (KEYBOARD, SUMMARY_FOCUS, AXE),
    ),
    Criterion(
        "2.1.2",
        "Ingen tastaturfelle",
        "A",
        "oppfylt",
        "Løsningen bruker bare vanlige skjemaelementer og lenker, som fokus kan flyttes bort fra.",
        (KEYBOARD,),
        manual="Det finnes ingen egne komponenter som fanger fokus; vurdert ved gjennomgang av "
        "sidemalene og skriptet på siden som venter på rapporten.",
    ),
    Criterion(
        "2.1.4",
        "Hurtigtaster som består av ett tegn",
        "A",
        "ikke relevant",
        "Løsningen har ingen hurtigtaster.",
    ),
    Criterion(
        "2.2.1",
        "Justerbar hastighet",
        "A",
        "delvis oppfylt",
        "Den som svarer, har ingen tidsgrense: svarene lagres side for side, og et skjema som "
        "har ligget lenge, beholder svarene. Siden som venter på rapporten, laster seg ikke "
        "inn på nytt.",
        (EXPIRED_FORM, NO_RELOAD, TIMEOUT_SETTINGS),
        deviation="Innloggingen i sekretariatets arbeidsflate avsluttes etter en tid uten "
        "aktivitet (30 minutter om ikke innstillingen SURVEY_SESSION_IDLE_MINUTES sier "
        "noe annet) uten varsel på forhånd, og et "
        "skjema som ikke er sendt, må da fylles ut på nytt. Den som drifter løsningen, kan "
        "sette en lengre tid.",
    ),
    Criterion(
        "2.2.2",
        "Pause, stopp, skjul",
        "A",
        "oppfylt",
        "Ingenting beveger seg, blinker eller ruller. Siden som venter på rapporten, sier "
        "fra én gang når rapporten er klar.",
        (NO_RELOAD,),
    ),
    Criterion(
        "2.3.1",
        "Terskelverdi på maksimalt tre glimt",
        "A",
        "ikke relevant",
        "Løsningen har ikke innhold som blinker eller glimter.",
    ),
    Criterion(
        "2.4.1",
        "Hoppe over blokker",
        "A",
        "oppfylt",
        "Hver side begynner med lenken «Hopp til innholdet», og innholdet står i et "
        "hovedområde (main). Forhåndsvisningen av rapporten er delt opp med overskrifter.",
        (KEYBOARD, *ENGINES),
    ),
    Criterion(
        "2.4.2",
        "Sidetitler",
        "A",
        "oppfylt",
        "Hver side har en tittel som sier hva den er; når den som svarer, får en side "
        "tilbake med feil, begynner tittelen med «Feil».",
        (*ENGINES, NU, REFLOW),
    ),
    Criterion(
        "2.4.3",
        "Fokusrekkefølge",
        "A",
        "oppfylt",
        "Fokus følger innholdets rekkefølge. Når et skjema har feil, får oppsummeringen av "
        "feilene fokus, og lenkene i den fører til hvert felt.",
        (KEYBOARD, SUMMARY_FOCUS, SUMMARY_NAMES, AXE),
    ),
    Criterion(
        "2.4.4",
        "Formål med lenke (i kontekst)",
        "A",
        "oppfylt",
        "Lenketekstene sier hvor lenken fører. I rapporten (PDF) er hver lenke beskrevet med "
        "teksten sin.",
        (*ENGINES, PDF_LINKS),
        manual="At lenketekstene er forståelige, er vurdert ved gjennomgang; verktøyene "
        "kontrollerer bare at hver lenke har en tekst.",
    ),
    Criterion(
        "2.4.5",
        "Flere måter",
        "AA",
        "delvis oppfylt",
        "Sidene for dem som svarer, er trinn i en prosess, som kriteriet unntar. I "
        "sekretariatet nås hver runde fra rundelisten, og rundens sider fra rundens side.",
        manual="Vurdert ved gjennomgang av navigasjonen; en test kan ikke avgjøre hvilke "
        "veier til en side som er nok.",
        deviation="Sekretariatets arbeidsflate har én vei til hver side (rundelisten og "
        "rundens side) og ikke søk eller en oversikt over alle sider.",
    ),
    Criterion(
        "2.4.6",
        "Overskrifter og ledetekster",
        "AA",
        "oppfylt",
        "Hver side har en overskrift som sier hva den gjelder, og hvert felt en ledetekst "
        "som sier hva som skal fylles inn. I feiloppsummeringen er spørsmålet navngitt.",
        (SUMMARY_NAMES, AXE),
        manual="At overskriftene og ledetekstene beskriver innholdet, er vurdert ved "
        "gjennomgang; verktøyene kontrollerer at de finnes. Spørsmålstekstene skriver "
        "virksomheten selv.",
    ),
    Criterion(
        "2.4.7",
        "Synlig fokus",
        "AA",
        "oppfylt",
        "Alt som kan få fokus, får en tydelig gul ring med mørk kant.",
        (KEYBOARD,),
        manual="Stilarket gir hvert element som kan få fokus, en ring på 3 px (:focus-visible); "
        "kontrollert ved gjennomgang av stilarket, siden testen med tastatur ikke måler ringen.",
    ),
    Criterion(
        "2.5.1",
        "Pekerbevegelser",
        "A",
        "ikke relevant",
        "Ingenting i løsningen brukes med sveip, flere fingre eller bevegelser langs en bane.",
    ),
    Criterion(
        "2.5.2",
        "Pekeravbrytelse",
        "A",
        "oppfylt",
        "Knapper og lenker er nettleserens egne, som handler når pekeren slippes, ikke når den "
        "trykkes ned.",
        manual="Løsningen har ingen skript som reagerer på at pekeren trykkes ned; vurdert ved "
        "gjennomgang av skriptene.",
    ),
    Criterion(
        "2.5.3",
        "Ledetekst i navn",
        "A",
        "oppfylt",
        "Feltenes og knappenes tilgjengelige navn er den synlige teksten deres.",
        (KEYBOARD, ERRORS_KEEP_ANSWERS, *ENGINES),
        manual="Ledetekstene er knyttet til feltene med label, og knappene har bare sin "
        "synlige tekst; vurdert ved gjennomgang av sidemalene.",
    ),
    Criterion(
        "2.5.4",
        "Bevegelsesaktivering",
        "A",
        "ikke relevant",
        "Ingenting i løsningen styres ved å bevege eller riste enheten.",
    ),
    Criterion(
        "3.1.1",
        "Språk på siden",
        "A",
        "oppfylt",
        "Hver side og rapporten (PDF) oppgir bokmål som språk.",
        (*ENGINES, NU, PDF_LANGUAGE),
    ),
    Criterion(
        "3.1.2",
        "Språk på deler av innhold",
        "AA",
        "oppfylt",
        "Løsningens egne tekster er på bokmål; det som står på engelsk i revisjonsloggen, er "
        "merket som engelsk. Feilmeldinger og skjemaer i sekretariatet er på bokmål.",
        (AUDIT_BOKMAL, FORMS_BOKMAL, AXE),
        manual="Tekst på andre språk i spørreskjemaene skriver virksomheten selv og må merkes der.",
    ),
    Criterion(
        "3.2.1",
        "Fokus",
        "A",
        "oppfylt",
        "Ingenting skjer av seg selv når et element får fokus.",
        (KEYBOARD,),
        manual="Det eneste skriptet (siden som venter på rapporten) reagerer ikke på fokus; "
        "vurdert ved gjennomgang.",
    ),
    Criterion(
        "3.2.2",
        "Inndata",
        "A",
        "oppfylt",
        "Å velge et svar sender ikke skjemaet; det sendes først når du trykker «Neste» "
        "eller «Send inn».",
        (KEYBOARD,),
    ),
    Criterion(
        "3.2.3",
        "Konsekvent navigering",
        "AA",
        "oppfylt",
        "Alle sider har samme oppbygning: lenken «Hopp til innholdet» øverst og lenken til "
        "tilgjengelighetserklæringen nederst; sekretariatets sider har samme meny øverst.",
        (FOOTER, EVERY_TEMPLATE),
        manual="Sekretariatets meny kommer fra én felles mal; vurdert ved gjennomgang.",
    ),
    Criterion(
        "3.2.4",
        "Konsekvent identifikasjon",
        "AA",
        "oppfylt",
        "Det som gjør det samme, heter det samme overalt («Neste», «Tilbake», «Send inn»).",
        manual="Knappene og lenkene kommer fra felles maler; vurdert ved gjennomgang. En test "
        "kan ikke avgjøre hva som gjør «det samme».",
    ),
    Criterion(
        "3.3.1",
        "Identifikasjon av feil",
        "A",
        "oppfylt",
        "Feil vises øverst på siden i en oppsummering med lenke til hvert felt, og ved "
        "feltet selv, i tekst. Svarene du har gitt, blir stående.",
        (
            ERRORS_LINKED,
            SUMMARY_NAMES,
            ERROR_MARKS,
            ERRORS_KEEP_ANSWERS,
            CODE_PAGE,
            UPLOAD_LINES,
        ),
    ),
    Criterion(
        "3.3.2",
        "Ledetekster eller instruksjoner",
        "A",
        "oppfylt",
        "Hvert felt har en ledetekst; spørsmål som kan hoppes over, er merket, og "
        "hjelpetekster står ved spørsmålet og er knyttet til feltet.",
        (OPTIONAL, HELP, INPUTS, *ENGINES),
    ),
    Criterion(
        "3.3.3",
        "Forslag ved feil",
        "AA",
        "oppfylt",
        "Feilmeldingene sier hva som må rettes og hvordan, på bokmål: for svar som mangler, "
        "tekst som er for lang, og i sekretariatet for spørreskjemaer, lister og e-posttekster.",
        (ERRORS_LINKED, TOO_LONG, LINTER_BOKMAL, LIST_BOKMAL, MAIL_TEXT_BOKMAL, PAST_DATE),
    ),
    Criterion(
        "3.3.4",
        "Forhindring av feil (juridiske feil, økonomiske feil, datafeil)",
        "AA",
        "oppfylt",
        "Du kan gå tilbake og endre svarene før du sender inn. I sekretariatet må lukking av "
        "en runde og utsending av e-post bekreftes før noe skjer.",
        (BACK, CLOSE_ASKS),
    ),
    Criterion(
        "4.1.1",
        "Parsing (oppdeling)",
        "A",
        "oppfylt",
        "Hver side er gyldig HTML etter W3Cs kontrollverktøy (Nu HTML Checker), uten feil.",
        (NU, EVERY_TEMPLATE),
    ),
    Criterion(
        "4.1.2",
        "Navn, rolle, verdi",
        "A",
        "oppfylt",
        "Løsningen bruker nettleserens egne skjemaelementer, knapper og lenker, med navn fra "
        "ledetekstene; feil er knyttet til feltet de gjelder.",
        (*ENGINES, INPUTS, ERROR_MARKS),
    ),
    Criterion(
        "4.1.3",
        "Statusbeskjeder",
        "AA",
        "oppfylt",
        "Beskjeder som «Innstillingene er lagret» og at rapporten er klar, leses opp av "
        "skjermleser uten at fokus flyttes.",
        (NO_RELOAD,),
    ),
)
