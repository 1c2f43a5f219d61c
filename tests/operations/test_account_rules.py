"""Managing accounts through the one set of operations the workspace and the CLI share: a
role change and re-enabling are audited, a unit leader needs units, and there is always an
enabled admin (the last one can be neither disabled nor demoted, from either edge)."""

from __future__ import annotations

import pytest

from survey.errors import Conflict, InvalidInput
from survey.operations.accounts import (
    account_problems,
    add_account,
    change_role,
    disable_account,
    enable_account,
    list_accounts,
)
from survey.storage.users import LastAdmin, sign_in
from tests.operations.conftest import ADMIN, PASSWORD


def test_the_last_enabled_admin_can_be_neither_disabled_nor_demoted(edges):
    db, admin = edges.db, edges.admin
    before = edges.audit()
    with pytest.raises(LastAdmin) as refused:
        disable_account(db, admin, ADMIN)
    assert "eneste aktive administratoren" in refused.value.message_nb
    with pytest.raises(LastAdmin):
        change_role(db, admin, ADMIN, "analyst")
    code, output = edges.cli("user", "disable", ADMIN)
    assert code == 1 and f"{ADMIN} is the only enabled admin" in output
    code, output = edges.cli("user", "role", ADMIN, "--role", "unit-leader", "--unit", "Verdal")
    assert code == 1 and "only enabled admin" in output
    assert edges.audit() == before
    assert sign_in(db, ADMIN, PASSWORD).role == "admin"  # untouched

    # a second admin, but disabled, does not count; enabled, it does
    add_account(db, admin, "nestleder@ks.no", PASSWORD, "admin")
    disable_account(db, admin, "nestleder@ks.no")
    with pytest.raises(Conflict):
        change_role(db, admin, ADMIN, "analyst")
    enable_account(db, admin, "nestleder@ks.no")
    assert change_role(db, admin, ADMIN, "analyst").role == "analyst"
    with pytest.raises(LastAdmin):
        disable_account(db, admin, "nestleder@ks.no")


def test_role_changes_and_enabling_are_audited_and_units_belong_to_unit_leaders(edges):
    db, admin = edges.db, edges.admin
    added = add_account(db, admin, "ny@ks.no", PASSWORD, "analyst", ["Verdal"])
    assert added.units == ()  # an analyst reads every unit: no units kept
    leader = change_role(
        db, admin, "ny@ks.no", "unit-leader", [" Verdal ", "", "Levanger", "Verdal"]
    )
    assert leader.units == ("Verdal", "Levanger")
    change_role(db, admin, "ny@ks.no", "unit-leader", ["Verdal", "Levanger"])  # no change
    disable_account(db, admin, "ny@ks.no")
    enable_account(db, admin, "ny@ks.no")
    assert sign_in(db, "ny@ks.no", PASSWORD).units == ("Verdal", "Levanger")
    assert edges.audit() == [
        (ADMIN, "user added", "ny@ks.no (analyst)"),
        (ADMIN, "role changed", "ny@ks.no: analyst -> unit-leader for Verdal, Levanger"),
        (ADMIN, "user disabled", "ny@ks.no: 0 sessions ended"),
        (ADMIN, "user enabled", "ny@ks.no"),
    ]
    with pytest.raises(InvalidInput) as refused:
        change_role(db, admin, "ny@ks.no", "unit-leader", [])
    assert refused.value.field == "units"
    assert refused.value.message_nb == "En enhetsleder må ha minst én enhet."
    entries = {entry.account.email: entry for entry in list_accounts(db, admin)}
    assert entries["ny@ks.no"].active and entries["ny@ks.no"].last_sign_in is not None
    assert entries[ADMIN].last_sign_in is None  # never signed in here


def test_every_problem_of_a_new_account_is_reported_at_its_field_in_bokmal():
    problems = account_problems("kari at ks.no", "kort", "unit-leader", ["  "])
    assert [(p.field, p.message_nb) for p in problems] == [
        ("email", "Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."),
        ("password", "Passordet må ha minst 12 tegn."),
        ("units", "En enhetsleder må ha minst én enhet."),
    ]
    assert [p.field for p in account_problems("a@ks.no", PASSWORD, "sjef")] == ["role"]
    assert account_problems("a@ks.no", PASSWORD, "unit-leader", ["Verdal"]) == []


def test_the_cli_changes_roles_enables_and_lists_accounts(edges):
    assert edges.cli("user", "add", "ny@ks.no", "--role", "analyst", "--password", PASSWORD)[0] == 0
    code, output = edges.cli(
        "user", "role", "ny@ks.no", "--role", "unit-leader", "--unit", "Verdal"
    )
    assert (code, output) == (0, "ny@ks.no is now unit-leader for Verdal\n")
    assert edges.cli("user", "disable", "ny@ks.no")[0] == 0
    code, output = edges.cli("user", "list")
    lines = output.splitlines()
    assert code == 0 and lines[0] == f"{ADMIN}\tadmin\tenabled\tnever signed in"
    assert lines[1].startswith("ny@ks.no\tunit-leader (Verdal)\tdisabled 20")
    assert edges.cli("user", "enable", "ny@ks.no") == (0, "enabled ny@ks.no (unit-leader)\n")
    assert [action for _, action, _ in edges.audit()][-3:] == [
        "role changed",
        "user disabled",
        "user enabled",
    ]
    code, output = edges.cli("user", "enable", "ingen@ks.no")
    assert code == 1 and "no account for ingen@ks.no" in output
