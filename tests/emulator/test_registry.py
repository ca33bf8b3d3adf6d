"""The emulator's registry: the built-in demo people and people.json validation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from kiosk.core import idnumber
from kiosk.core.specimen_reading import read_specimen
from kiosk.emulator.registry import BUILTIN_DIR, Registry, RegistryError
from tests.emulator.fixtures import demo_card
from tests.support.assets import face, negative


def make_id(area: str, birth: str, seq: str) -> str:
    """A valid 18-character ID number (ISO 7064 MOD 11-2 check character)."""
    first17 = area + birth + seq
    return first17 + idnumber.check_char(first17)


def _valid_entry(**overrides: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "name": "测试员",
        "id_number": "11010519491231002X",
        "sex": "女",
        "nation": "汉",
        "birth": "1949/12/31",
        "address": "北京市东城区景山前街4号",
        "portrait": "p.jpg",
    }
    entry.update(overrides)
    return entry


def _write(tmp_path: Path, people: object, portrait: Path | None = None) -> Path:
    shutil.copy(portrait or face("grace_hopper.jpg"), tmp_path / "p.jpg")
    (tmp_path / "people.json").write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_builtin_people_are_valid(registry: Registry) -> None:
    assert len(registry) == 4
    for person in registry.people:
        assert idnumber.is_valid(person.id_number)
        assert person.birth.replace("/", "") == person.id_number[6:14]
        portrait = registry.portrait(person)
        assert portrait is not None and portrait.ndim == 3
        assert registry.by_id(person.id_number) == person
    assert (BUILTIN_DIR / "README.md").is_file() and (BUILTIN_DIR / "LICENSES.md").is_file()


def test_portrait_is_a_copy(registry: Registry) -> None:
    person = registry.people[0]
    a = registry.portrait(person)
    assert a is not None
    a[:] = 0
    b = registry.portrait(person)
    assert b is not None and b.any()


def test_by_id_normalises_and_misses(registry: Registry) -> None:
    bryan = next(p for p in registry.people if p.id_number.endswith("X"))
    assert registry.by_id(bryan.id_number.lower()) == bryan
    assert registry.by_id("11010519491231002X") is None
    assert "11010519491231002X" not in registry


def test_demo_cards_render_and_read(registry: Registry) -> None:
    for i, person in enumerate(registry.people):
        assert read_specimen(demo_card(i)) == person


def test_load_custom_with_null_portrait(tmp_path: Path) -> None:
    reg = Registry.load(
        _write(
            tmp_path,
            [
                _valid_entry(),
                _valid_entry(
                    id_number=make_id("440305", "19900101", "011"), birth="1990/01/01", sex="男", portrait=None
                ),
            ],
        )
    )
    assert len(reg) == 2
    first, second = reg.people
    assert reg.has_portrait(first) and not reg.has_portrait(second)
    assert reg.portrait(second) is None


@pytest.mark.parametrize(
    ("people", "match"),
    [
        ({"not": "a list"}, "non-empty JSON list"),
        ([], "non-empty JSON list"),
        (["x"], "expected an object"),
        ([_valid_entry(name="")], "'name'"),
        ([_valid_entry(extra=1)], "unknown keys"),
        ([_valid_entry(id_number="110105194912310021")], "invalid id_number"),
        ([_valid_entry(birth="1949/12/30")], "match the ID number"),
        ([_valid_entry(birth="1949-12-31")], "YYYY/MM/DD"),
        ([_valid_entry(sex="男")], "17th digit"),
        ([_valid_entry(sex="M")], "男 or 女"),
        ([_valid_entry(), _valid_entry()], "duplicate"),
        ([_valid_entry(portrait="missing.jpg")], "not a readable image"),
        ([_valid_entry(portrait="/etc/passwd")], "inside"),
        ([_valid_entry(portrait="../p.jpg")], "inside"),
        ([_valid_entry(portrait=3)], "relative path or null"),
    ],
)
def test_validation_errors(tmp_path: Path, people: object, match: str) -> None:
    with pytest.raises(RegistryError, match=match) as info:
        Registry.load(_write(tmp_path, people))
    assert "11010519491231002X" not in str(info.value)  # never the full ID number


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not found"):
        Registry.load(tmp_path)
    (tmp_path / "people.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(RegistryError, match="not readable JSON"):
        Registry.load(tmp_path)


def test_portrait_without_face_still_loads(tmp_path: Path) -> None:
    reg = Registry.load(_write(tmp_path, [_valid_entry()], portrait=negative("coffee.png")))
    person = reg.people[0]
    card = reg.specimen(person)  # no face: the whole picture is used
    assert isinstance(card, np.ndarray) and read_specimen(card) == person
