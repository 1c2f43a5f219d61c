"""Paper and web in one round (issue 17's Done-when): 30 people answer on the web, then 20
returned paper forms are typed in by keyboard alone under double entry, by two admins in
two browsers, one form keyed differently the second time and resolved on its page; the
report the admin reads then shows the figures computed here from the typed values and the
web answers.

Everything goes through the real app: the web answers through the respondent's pages (the
Flask test client), the paper forms through Chromium on a real loopback server with
``page.keyboard`` only (focus moves by Enter and Tab; no clicks), the report read from its
HTML preview as the admin gets it."""

from __future__ import annotations

import re
from statistics import mean

from playwright.sync_api import Browser, Page, expect

from survey import create_app
from survey.invitation_list import Person
from survey.questionnaire import load_file
from survey.questionnaire.keying import entry_fields
from survey.return_codes import return_code
from survey.storage import open_database
from survey.storage.invitations import add_invitations
from survey.storage.questionnaires import publish
from survey.storage.return_codes import assign_numbers
from survey.storage.rounds import create_round
from survey.storage.users import add_user
from tests.browser.test_respondent_browser import assert_accessible
from tests.conftest import QUESTIONNAIRES, server_thread
from tests.web.test_answering import post

FIRST = "kari@sekretariatet.no"
SECOND = "ole@sekretariatet.no"
PASSWORD = "et langt og godt passord"
ROLES = ("ordforer", "radmann", "tillitsvalgt")  # q1's options 1, 2, 3
LIKERT = ("q5", "q6", "q7", "q8", "q9a", "q12", "q13")  # the scored items, 1–6
WEB, PAPER = 30, 20
DIFFERING = 7  # the paper form the second admin keys differently


def web_answers(i: int) -> dict[str, str]:
    """Person i's web answers: points spread over the scale (the web form asks for all)."""
    return {item: str((i * (n + 2) + n) % 6 + 1) for n, item in enumerate(LIKERT)}


def paper_answers(j: int) -> dict[str, str]:
    """Paper form j as written on paper, and so typed by both admins (as keys)."""
    answers = {item: str((j * (n + 3) + 2 * n) % 6 + 1) for n, item in enumerate(LIKERT)}
    if j % 4 == 1:
        answers["q12"] = ""  # left blank on paper
    return answers | {"q9b": str(j % 3 + 1), "q10": str(j % 4 + 1), "q11a": "1", "q11b": "2"}


def seed(tmp_path, database: str) -> tuple[object, int, list[str], list[str]]:
    """The round (minimum group size 5), 50 invited people, personal forms printed (return
    codes given) and two admins; returns the app, the round, the web people's tokens and
    the paper people's return codes."""
    path = database
    db = open_database(path)
    publish(db, load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml"))
    round_ = create_round(db, "kvalitetskommune-2009", "Papir og nett")
    people = [
        Person(f"Person {i}", f"p{i}@kommune.example.no", ROLES[i % 3], f"Enhet {i % 2}", {})
        for i in range(WEB + PAPER)
    ]
    invitations = add_invitations(db, round_.id, people)
    numbers = assign_numbers(db, round_.id)
    for email in (FIRST, SECOND):
        add_user(db, email, PASSWORD, "admin")
    db.close()
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "test"})
    app.instance_path = str(tmp_path / "instance")
    tokens = [inv.token for inv in invitations[:WEB]]
    codes = [return_code(numbers[inv.id]) for inv in invitations[WEB:]]
    return app, round_.id, tokens, codes


def answer_on_the_web(app, token: str, role: str, answers: dict[str, str]) -> None:
    """Through the respondent's own pages, as a browser would post them."""
    client = app.test_client()
    base = f"/s/{token}"
    assert post(client, f"{base}/side/1", {"q1": role, "action": "next"}).status_code == 302
    page3 = {k: v for k, v in answers.items() if k in LIKERT[:5] and v} | {"q9b": "vet_ikke"}
    assert post(client, f"{base}/side/3", {**page3, "action": "next"}).status_code == 302
    page4 = {"q10": "nei", "q11a": "ja", "q11b": "nei", "q12": answers["q12"]}
    page4 |= {"q13": answers["q13"], "action": "next"}
    assert post(client, f"{base}/side/4", page4).status_code == 302
    done = post(client, f"{base}/side/5", {"q14": "", "action": "next"})
    assert done.headers["Location"].endswith("/ferdig"), done.headers.get("Location")


FIELDS = [f.name for f in entry_fields(load_file(QUESTIONNAIRES / "kvalitetskommune-2009.yaml").questionnaire)]  # fmt: skip


def sign_in(browser: Browser, base: str, email: str) -> Page:
    """A browser of one's own, signed in by keyboard."""
    page = browser.new_context(locale="nb-NO").new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/logg-inn")
    page.get_by_label("E-postadresse").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Runder")).to_be_visible()
    return page


def key_in(page: Page, code: str, keys: dict[str, str]) -> None:
    """Type one form as the pile is typed: the return code, then Enter to the next field
    (typing the key where the form has a cross), Enter in the last field saves."""
    expect(page.locator("#return_code")).to_be_focused()
    page.keyboard.type(code)
    for name in FIELDS:
        page.keyboard.press("Enter")
        if keys.get(name):
            page.keyboard.type(keys[name])
    expect(page.locator(f"#{FIELDS[-1]}")).to_be_focused()
    page.keyboard.press("Enter")


def role_of(person: int) -> str:
    return ROLES[person % 3]


def shown(number: str) -> float:
    return float(number.replace(",", ".").replace("\u2212", "-"))


def test_paper_forms_keyed_twice_by_keyboard_and_web_answers_make_the_report(
    browser: Browser, tmp_path, database
):
    app, round_id, tokens, codes = seed(tmp_path, database)
    for i, token in enumerate(tokens):
        answer_on_the_web(app, token, role_of(i), web_answers(i))
    paper = [paper_answers(j) | {"q1": str(ROLES.index(role_of(WEB + j)) + 1)} for j in range(PAPER)]  # fmt: skip
    # a slip far enough off the scale's point that a report with it would show it
    wrong = paper[DIFFERING] | {"q6": "6" if int(paper[DIFFERING]["q6"]) <= 3 else "1"}

    with server_thread(app) as base:
        first = sign_in(browser, base, FIRST)
        url = f"{base}/sekretariat/runder/{round_id}/innstillinger"
        first.goto(url)
        first.get_by_label("Dobbel innskriving av papirskjemaer").focus()
        first.keyboard.press("Space")
        first.get_by_role("button", name="Lagre innstillingene").focus()
        first.keyboard.press("Enter")
        expect(first.get_by_text("Innstillingene er lagret.")).to_be_visible()

        entry = f"{base}/sekretariat/runder/{round_id}/skjema"
        first.goto(entry)
        expect(first.locator("#dobbel")).to_contain_text("Dobbel innskriving er på")
        assert_accessible(first)
        for j in range(PAPER):
            key_in(first, codes[j], paper[j])
            expect(first.get_by_text("Første innskriving er lagret.")).to_be_visible()
        expect(first.locator("#skrevet-inn")).to_have_text(
            "Skrevet inn i denne runden: 0 skjemaer."
        )
        expect(first.get_by_text("venter på andre innskriving: 20 skjemaer")).to_be_visible()

        second = sign_in(browser, base, SECOND)
        second.goto(entry)
        for j in range(PAPER):
            key_in(second, codes[j], wrong if j == DIFFERING else paper[j])
            if j != DIFFERING:
                expect(second.get_by_text("Skriv inn neste skjema.")).to_be_visible()
                continue
            # the one form keyed differently: its answers side by side, settled by keyboard
            expect(second.get_by_role("heading", level=1)).to_have_text(
                f"Avgjør forskjeller: returkode {codes[j]}"
            )
            difference = second.locator("fieldset.difference")
            expect(difference).to_have_count(1)
            expect(difference.locator("td.first")).to_have_text(paper[j]["q6"])
            expect(difference.locator("td.second")).to_have_text(wrong["q6"])
            assert_accessible(second)
            expect(second.locator("#valg-q6-1")).to_be_focused()
            second.keyboard.press("Space")  # the first keying is what the paper says
            second.keyboard.press("Tab")  # to "type anew", left empty
            expect(second.locator("#ny-q6")).to_be_focused()
            second.keyboard.press("Enter")
            expect(second.get_by_text("Forskjellene er avgjort, og svaret er lagret.")).to_be_visible()  # fmt: skip
            second.goto(entry)
        expect(second.locator("#skrevet-inn")).to_have_text(
            "Skrevet inn i denne runden: 20 skjemaer."
        )
        expect(second.locator("text=Venter")).to_have_count(0)

        first.goto(f"{base}/sekretariat/runder/{round_id}/rapport")
        expect(first.get_by_role("heading", level=1)).to_be_visible()
        report = first.content()

    # the figures, computed here from what was typed and what was answered on the web
    people = [(role_of(i), web_answers(i)) for i in range(WEB)]
    people += [(role_of(WEB + j), paper[j]) for j in range(PAPER)]
    facts = dict(re.findall(r'<th scope="row">(Svar|Inviterte)</th><td>(\d+)</td>', report))
    assert facts == {"Inviterte": "50", "Svar": "50"}
    groups = {"Alle": list(ROLES), "Ordfører": ["ordforer"], "Rådmann": ["radmann"]}
    groups |= {"Tillitsvalgt": ["tillitsvalgt"]}
    compared = 0
    for item in LIKERT:
        article = re.search(rf'<article id="q-{item}" class="question">.*?</article>', report, re.S)
        assert article, item
        rows = re.findall(
            r'<th scope="row">(\w+)</th><td class="num">(\d+)</td><td class="num mean">([\d,]+)</td>',
            article.group(0),
        )  # fmt: skip
        assert [group for group, _, _ in rows] == list(groups), (item, rows)
        for group, n, mean_shown in rows:
            values = [int(a[item]) for role, a in people if role in groups[group] and a.get(item)]
            assert int(n) == len(values), (item, group)
            assert abs(shown(mean_shown) - mean(values)) <= 0.05 + 1e-9, (item, group)
            compared += 1
    assert compared == len(LIKERT) * 4
    # the index: each person's mean over the items they answered (at least 4), averaged
    index_rows = re.findall(
        r'<th scope="row">Vurdering av programmet</th><td>(\w+)</td><td class="num">(\d+)</td>'
        r'<td class="num mean">([\d,]+)',
        report,
    )
    assert [group for group, _, _ in index_rows] == list(groups)
    for group, n, mean_shown in index_rows:
        scores = [
            mean(int(a[item]) for item in LIKERT if a.get(item))
            for role, a in people
            if role in groups[group] and sum(bool(a.get(item)) for item in LIKERT) >= 4
        ]
        assert int(n) == len(scores), group
        assert abs(shown(mean_shown) - mean(scores)) <= 0.05 + 1e-9, group
