"""Chinese resident identity numbers (GB 11643-1999): validation and masking.

Layout: 6-digit address code, 8-digit birth date ``YYYYMMDD``, 3-digit sequence (odd 17th digit =
male), 1 check character from ISO 7064 MOD 11-2 (``0-9`` or ``X``). See faceid-api.md §6.

Everything here is pure and thread-safe. Masking is the only form in which an ID number or a name
may reach a log line, an audit record or a screen other than the customer's own pass screen.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from enum import StrEnum

WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

#: Province-level prefixes of GB/T 2260 (mainland), plus 71 Taiwan, 81 Hong Kong, 82 Macau.
PROVINCE_PREFIXES: frozenset[str] = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
    | {"71", "81", "82"}
)

_SHAPE = re.compile(r"\d{17}[\dX]")


class IdProblem(StrEnum):
    """Why an ID number is not acceptable (stable codes; the UI translates them)."""

    FORMAT = "id_format"
    PROVINCE = "id_province"
    BIRTH_DATE = "id_birth_date"
    CHECKSUM = "id_checksum"


@dataclass(frozen=True)
class IdCheck:
    """Result of :func:`check`. ``normalized`` is upper-cased and stripped."""

    normalized: str
    problem: IdProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def normalize(id_number: str) -> str:
    """Strip surrounding white space and upper-case a trailing ``x``."""
    return id_number.strip().upper()


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def check(id_number: str, *, today: _dt.date | None = None) -> IdCheck:
    """Validate shape, province, birth date (1900..today) and checksum, in that order."""
    s = normalize(id_number) if isinstance(id_number, str) else ""
    if not _SHAPE.fullmatch(s):
        return IdCheck(s, IdProblem.FORMAT)
    if s[:2] not in PROVINCE_PREFIXES:
        return IdCheck(s, IdProblem.PROVINCE)
    try:
        born = _dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return IdCheck(s, IdProblem.BIRTH_DATE)
    if born.year < 1900 or born > (today or _dt.date.today()):
        return IdCheck(s, IdProblem.BIRTH_DATE)
    if check_char(s[:17]) != s[17]:
        return IdCheck(s, IdProblem.CHECKSUM)
    return IdCheck(s, None)


def is_valid(id_number: str) -> bool:
    """True when :func:`check` finds no problem."""
    return check(id_number).ok


def birth_date(id_number: str) -> _dt.date | None:
    """The birth date encoded in a valid number, else None."""
    result = check(id_number)
    if not result.ok:
        return None
    s = result.normalized
    return _dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))


def sex(id_number: str) -> str | None:
    """``"M"`` or ``"F"`` from the 17th digit of a valid number, else None."""
    result = check(id_number)
    if not result.ok:
        return None
    return "M" if int(result.normalized[16]) % 2 else "F"


def mask(id_number: str | None) -> str:
    """Mask for display and logs: first 3 and last 4 characters kept (``110***********002X``).

    Anything that is not a plausible 15-18 character number is masked entirely, so a garbled
    value can never leak more than a well-formed one.
    """
    if not id_number:
        return ""
    s = normalize(str(id_number))
    if len(s) < 15 or len(s) > 18:
        return "*" * min(len(s), 18)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def mask_name(name: str | None) -> str:
    """Mask a person's name: keep the first character (the family name in most Chinese names).

    ``韦小宝`` -> ``韦**``; ``Zhang San`` -> ``Z********``; two-character names keep one.
    """
    if not name:
        return ""
    s = str(name).strip()
    if len(s) <= 1:
        return "*"
    return s[0] + "*" * (len(s) - 1)
