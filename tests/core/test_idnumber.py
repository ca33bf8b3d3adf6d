"""Resident ID number validation and masking."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core import idnumber
from kiosk.core.idnumber import IdProblem


@pytest.mark.parametrize("good", ["11010519491231002X", "11010519491231002x", "110105200001010016"])
def test_known_valid_numbers(good: str) -> None:
    assert idnumber.is_valid(good)


def test_doc_example_born_1880_has_a_valid_checksum_but_fails_the_sanity_bound() -> None:
    # 440524188001010014 is a known-valid number (faceid-api.md §6); a birth year before 1900 is
    # our policy bound for a live customer.
    assert idnumber.check_char("44052418800101001") == "4"
    assert idnumber.check("440524188001010014").problem is IdProblem.BIRTH_DATE


def test_tencent_doc_sample_fails_checksum() -> None:
    # faceid-api.md §6: the doc sample's check character should be 4, not X.
    assert idnumber.check("11204416541220243X").problem in {IdProblem.BIRTH_DATE, IdProblem.CHECKSUM}
    assert idnumber.check_char("11204416541220243") == "4"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", IdProblem.FORMAT),
        ("1101051949123100", IdProblem.FORMAT),
        ("11010519491231002Y", IdProblem.FORMAT),
        ("110105194912310021X", IdProblem.FORMAT),
        ("99010519491231002X", IdProblem.PROVINCE),
        ("110105194902300020", IdProblem.BIRTH_DATE),
        ("110105189912310020", IdProblem.BIRTH_DATE),
        ("110105194912310021", IdProblem.CHECKSUM),
    ],
)
def test_problems(value: str, problem: IdProblem) -> None:
    assert idnumber.check(value).problem is problem


def test_future_birth_date_rejected() -> None:
    future = "11010520991231" + "002"
    full = future + idnumber.check_char(future)
    assert idnumber.check(full, today=dt.date(2026, 11, 21)).problem is IdProblem.BIRTH_DATE


def test_birth_and_sex() -> None:
    assert idnumber.birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert idnumber.sex("11010519491231002X") == "F"  # 17th digit 2
    assert idnumber.sex("110105200001010016") == "M"  # 17th digit 1
    assert idnumber.sex("bad") is None


@given(st.integers(min_value=0, max_value=10**17 - 1))
def test_check_char_makes_any_17_digits_valid_checksum(n: int) -> None:
    first17 = f"{n:017d}"
    s = first17 + idnumber.check_char(first17)
    # The checksum is right by construction; other rules may still reject it, never CHECKSUM.
    assert idnumber.check(s).problem is not IdProblem.CHECKSUM


@given(st.text(max_size=40))
def test_check_never_raises(value: str) -> None:
    assert isinstance(idnumber.check(value).ok, bool)
    masked = idnumber.mask(value)
    assert len(masked) <= 18


def test_mask_keeps_only_edges() -> None:
    assert idnumber.mask("11010519491231002X") == "110***********002X"
    assert idnumber.mask("abc") == "***"
    assert idnumber.mask(None) == ""
    assert idnumber.mask_name("韦小宝") == "韦**"
    assert idnumber.mask_name("Grace Hopper").startswith("G")
    assert "Hopper" not in idnumber.mask_name("Grace Hopper")
