"""Return codes: the short number printed on a personal paper form, typed in when it returns.

Not the web token: a token opens a person's answers and is 192 random bits, far too long to
type from paper; a return code only says which invitation a returned form belongs to, within
one round, so a round-local serial number is enough (the invitation is found with the round).

The last digit is a Damm check digit (H. M. Damm, 2004: a totally anti-symmetric
quasigroup of order 10). Unlike Luhn's, it catches every single mistyped digit *and* every
swap of two neighbouring digits (Luhn misses 09 <-> 90), the two slips people make most
when typing numbers. A code is printed in groups of three ("000 123 4" reads "0001234")
and read back whatever spaces or dashes are typed between the digits.

Pure: no Flask or SQLite.
"""

from __future__ import annotations

from survey.errors import InvalidInput

DIGITS = 6
"""Digits of the serial number before the check digit: a round of up to 999,999 forms."""

# Damm's quasigroup: row = interim digit, column = next digit of the number.
_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def check_digit(digits: str) -> int:
    """The Damm check digit of a string of digits: appended, the whole checks to 0."""
    interim = 0
    for digit in digits:
        interim = _TABLE[interim][int(digit)]
    return interim


def is_valid(digits: str) -> bool:
    """Whether a string of digits (check digit last) checks to 0."""
    return digits.isascii() and digits.isdigit() and check_digit(digits) == 0


def return_code(number: int) -> str:
    """The printed code of a round-local number (1 ..): "000 012 3" for 12."""
    if not 1 <= number < 10**DIGITS:
        raise ValueError(f"a return code numbers 1 to {10**DIGITS - 1}, not {number}")
    digits = f"{number:0{DIGITS}d}"
    digits += str(check_digit(digits))
    return " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))


def parse_return_code(typed: str) -> int:
    """The number of a typed code; InvalidInput (with a bokmål message) when it is not one.

    Spaces, dashes and dots between the digits are ignored; anything else is refused, and
    so is a code whose check digit does not fit, which is nearly always a slip of typing."""
    digits = "".join(ch for ch in typed if ch not in " -.\u00a0\t")
    if not (digits.isascii() and digits.isdigit()) or len(digits) != DIGITS + 1:
        raise InvalidInput(
            f"a return code has {DIGITS + 1} digits, e.g. 000 012 3; got {typed.strip()!r}",
            message_nb=(
                f"En returkode har {DIGITS + 1} sifre, for eksempel 000 012 3. "
                "Skriv koden slik den står på skjemaet."
            ),
            field="return_code",
        )
    if check_digit(digits) != 0:
        raise InvalidInput(
            f"{typed.strip()!r} is not a return code: its check digit does not fit "
            "(a digit mistyped or two swapped?)",
            message_nb=(
                "Kontrollsifferet stemmer ikke: et siffer er nok skrevet feil, eller to "
                "sifre har byttet plass. Se på skjemaet og skriv koden på nytt."
            ),
            field="return_code",
        )
    number = int(digits[:-1])
    if number == 0:
        raise InvalidInput(
            "000 000 0 is no form's return code",
            message_nb="000 000 0 er ikke returkoden til noe skjema.",
            field="return_code",
        )
    return number
