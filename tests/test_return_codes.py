"""Return codes are typed from paper: the check digit catches the slips people make."""

from __future__ import annotations

import pytest

from survey.errors import InvalidInput
from survey.return_codes import DIGITS, check_digit, is_valid, parse_return_code, return_code

NUMBERS = [1, 2, 9, 10, 12, 90, 99, 123, 690, 1009, 4711, 65432, 100000, 999999]


def digits(code: str) -> str:
    return code.replace(" ", "")


def test_a_code_is_the_number_and_its_check_digit_in_groups_of_three():
    assert return_code(12) == "000 012 " + str(check_digit("000012"))
    assert len(digits(return_code(690))) == DIGITS + 1
    for number in NUMBERS:
        assert is_valid(digits(return_code(number)))
        assert parse_return_code(return_code(number)) == number
    with pytest.raises(ValueError):
        return_code(0)
    with pytest.raises(ValueError):
        return_code(10**DIGITS)


def test_every_single_mistyped_digit_is_caught():
    for number in NUMBERS + list(range(1, 2000)):
        code = digits(return_code(number))
        _no_typo_passes(code)


def _no_typo_passes(code: str) -> None:
    for position in range(len(code)):
        for digit in "0123456789":
            if digit != code[position]:
                typo = code[:position] + digit + code[position + 1 :]
                assert not is_valid(typo), (code, typo)


def test_every_swap_of_two_neighbouring_digits_is_caught():
    for number in NUMBERS + list(range(1, 2000)):
        code = digits(return_code(number))
        for position in range(len(code) - 1):
            a, b = code[position], code[position + 1]
            if a != b:
                swapped = code[:position] + b + a + code[position + 2 :]
                assert not is_valid(swapped), (code, swapped)


def test_spaces_and_dashes_are_forgiven_and_nothing_else():
    code = digits(return_code(4711))
    for typed in (code, f" {code[:3]}-{code[3:6]}-{code[6]} ", f"{code[:3]}.{code[3:]}"):
        assert parse_return_code(typed) == 4711
    for typed in ("", "abc", code[:-1], code + "0", "٠٠٠٠١٢٣"):
        with pytest.raises(InvalidInput, match="7 digits") as error:
            parse_return_code(typed)
        assert "7 sifre" in error.value.message_nb


def test_a_wrong_check_digit_is_refused_with_a_clear_message():
    code = digits(return_code(12))
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(InvalidInput, match="check digit") as error:
        parse_return_code(wrong)
    assert "Kontrollsifferet stemmer ikke" in error.value.message_nb
    with pytest.raises(InvalidInput, match="no form"):
        parse_return_code("0000000")
