"""One-time codes of anonymous rounds: one rule for the web and the CLI, bounded, audited;
codes are typed by hand, so the usual slips are forgiven and nothing else is."""

from __future__ import annotations

import pytest

from survey.errors import Conflict, InvalidInput
from survey.operations.access_codes import MAX_CODES, create_codes, round_of_code
from survey.operations.invitations import personal_links
from survey.operations.rounds import close_round, create_round
from survey.tokens import normal_code


def test_anonymous_rounds_take_codes_unless_an_open_link_is_asked_for(edges):
    coded = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "Koder", anonymous=True)
    assert coded.uses_codes and coded.open_token is None
    linked = create_round(
        edges.db, edges.admin, "kvalitetskommune-2009", "Lenke", anonymous=True, open_link=True
    )
    assert not linked.uses_codes and linked.open_token
    invited = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "Navn", open_link=True)
    assert not invited.anonymous and invited.open_token is None  # no link without anonymity
    with pytest.raises(Conflict, match="one-time codes"):
        personal_links(edges.db, edges.admin, coded.id, "http://127.0.0.1:5000")
    for round_ in (linked, invited):
        with pytest.raises(InvalidInput):
            create_codes(edges.db, edges.admin, round_.id, 3)


def test_codes_are_bounded_audited_and_found_as_typed(edges):
    round_ = create_round(edges.db, edges.admin, "kvalitetskommune-2009", "R", anonymous=True)
    for count in (0, MAX_CODES + 1):
        with pytest.raises(InvalidInput):
            create_codes(edges.db, edges.admin, round_.id, count)
    codes = create_codes(edges.db, edges.admin, round_.id, 2)
    assert edges.count("access_codes") == 2
    stored = {row[0] for row in edges.db.execute("SELECT digest FROM access_codes").fetchall()}
    assert not stored & set(codes)  # only digests are kept
    assert edges.audit()[-1] == (edges.admin.email, "codes created", f"round {round_.id}: 2")
    assert codes[0] not in edges.audit()[-1][2]
    typed = codes[0].lower().replace("-", " ").replace("0", "o").replace("1", "l")
    found = round_of_code(edges.db, typed)
    assert found is not None and found[0].id == round_.id and found[1] == codes[0]
    assert round_of_code(edges.db, codes[0]) == found  # one code, one response key
    assert round_of_code(edges.db, codes[1])[2] != found[2]
    close_round(edges.db, edges.admin, round_.id, "")
    assert round_of_code(edges.db, codes[0]) is None  # closed looks like unknown


@pytest.mark.parametrize(
    "typed",
    ["", "AAAA-BBBB-CCCC", "AAAA-BBBB-CCCC-DDD", "AAAA-BBBB-CCCC-DDDDD", "AAAA-BBBB-CCCC-DDDU"]
    + ["Å" * 16, "A" * 41],
)
def test_what_cannot_be_a_code_is_refused_before_any_lookup(typed):
    assert normal_code(typed) is None


def test_the_cli_makes_codes_and_creates_code_rounds(edges):
    code, out = edges.cli("round", "create", "kvalitetskommune-2009", "--name", "A", "--anonymous")
    assert code == 0, out
    round_id = out.strip()
    code, out = edges.cli("codes", round_id, "--count", "3")
    assert code == 0, out
    assert len(out.split()) == 3 and all(normal_code(c) == c for c in out.split())
    code, out = edges.cli("links", round_id)
    assert code != 0 and "survey codes" in out
    code, out = edges.cli("codes", round_id, "--count", str(MAX_CODES + 1))
    assert code != 0
