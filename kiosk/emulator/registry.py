"""The emulator's "authoritative database": people with a reference portrait.

``Registry.load(DIR)`` reads ``DIR/people.json`` (format in ``resources/demo_people/README.md``);
``Registry.builtin()`` loads the fictional demo people shipped in ``resources/demo_people``.
``people.json`` and the portraits are read with :mod:`kiosk.core.bounded_read` (regular files
only, so a FIFO never blocks the start; ``people.json`` at most :data:`MAX_PEOPLE_JSON_BYTES`, a
portrait at most 40 MB and 40 megapixels), and JSON nested too deep or holding an integer too long
for Python is a :class:`RegistryError` like any other malformed file.
Every entry is validated up front (ID checksum, birth date and sex consistent with the number,
unique numbers, decodable portrait) so a bad file fails at start with a clear message, not on the
first request. Error messages never contain a full ID number (masked).

Threading: a :class:`Registry` is immutable after construction and safe to share between threads;
:meth:`Registry.portrait` returns a fresh copy each time (callers own it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.core import idnumber
from kiosk.core.bounded_read import BoundedReadError, read_text_bounded
from kiosk.core.specimen import Person, id_photo, render_specimen
from kiosk.core.vision.imageio import ImageLoadError, load_image
from kiosk.resources import resource

__all__ = ["BUILTIN_DIR", "MAX_PEOPLE_JSON_BYTES", "Registry", "RegistryEntry", "RegistryError"]

#: the shipped demo registry.
BUILTIN_DIR: Path = resource("demo_people")
#: ``people.json`` larger than this is refused (a few hundred bytes per person: ~10,000 people)
MAX_PEOPLE_JSON_BYTES = 4 * 1024 * 1024

_BIRTH = re.compile(r"^(\d{4})/(\d{2})/(\d{2})$")
_KEYS = ("name", "id_number", "sex", "nation", "birth", "address")


class RegistryError(ValueError):
    """``people.json`` is missing, malformed or inconsistent (message says where and why)."""


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """One person and their reference portrait path (``None``: no photo on file)."""

    person: Person
    portrait_path: Path | None


class Registry:
    """People by ID number, with decoded reference portraits (immutable, thread-safe)."""

    def __init__(self, entries: Iterable[RegistryEntry], *, source: str = "<memory>") -> None:
        self._entries: dict[str, RegistryEntry] = {}
        self._portraits: dict[str, np.ndarray] = {}
        self.source = source
        for entry in entries:
            key = entry.person.id_number
            if key in self._entries:
                raise RegistryError(f"{source}: duplicate id_number {idnumber.mask(key)}")
            self._entries[key] = entry
            if entry.portrait_path is not None:
                try:
                    image = load_image(entry.portrait_path)
                except ImageLoadError as exc:
                    raise RegistryError(
                        f"{source}: portrait {entry.portrait_path} of {idnumber.mask(key)} "
                        f"is missing or not a readable image ({exc.reason})"
                    ) from None
                image.setflags(write=False)
                self._portraits[key] = image

    # ---------------------------------------------------------------- construction
    @classmethod
    def load(cls, directory: str | Path) -> Registry:
        """Read and validate ``directory/people.json``; raises :class:`RegistryError`."""
        base = Path(directory)
        path = base / "people.json"
        try:
            text = read_text_bounded(path, MAX_PEOPLE_JSON_BYTES)
        except BoundedReadError as exc:
            raise RegistryError(f"{path}: not found" if exc.reason == "missing" else str(exc)) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RegistryError(f"{path}: not readable JSON ({exc})") from None
        except ValueError:  # an integer literal longer than Python converts (4300 digits)
            raise RegistryError(f"{path}: not readable JSON (a number is too long)") from None
        except RecursionError:
            raise RegistryError(f"{path}: not readable JSON (nested too deeply)") from None
        if not isinstance(data, list) or not data:
            raise RegistryError(f"{path}: expected a non-empty JSON list of people")
        entries = [_parse_entry(item, i, base, path) for i, item in enumerate(data)]
        return cls(entries, source=str(path))

    @classmethod
    def builtin(cls) -> Registry:
        """The fictional demo people in ``resources/demo_people``."""
        return cls.load(BUILTIN_DIR)

    # ---------------------------------------------------------------- queries
    @property
    def people(self) -> list[Person]:
        """All people, in file order."""
        return [e.person for e in self._entries.values()]

    def by_id(self, id_number: str) -> Person | None:
        """The person with this ID number (case of a trailing ``x`` ignored), or ``None``."""
        entry = self._entries.get(idnumber.normalize(id_number) if isinstance(id_number, str) else "")
        return entry.person if entry else None

    def has_portrait(self, person: Person) -> bool:
        """Whether a reference photo is on file for ``person``."""
        return person.id_number in self._portraits

    def portrait(self, person: Person) -> np.ndarray | None:
        """A copy of the reference portrait (BGR), or ``None`` when none is on file."""
        image = self._portraits.get(person.id_number)
        return None if image is None else image.copy()

    def specimen(self, person: Person, detector: object | None = None) -> np.ndarray:
        """Render the specimen card of ``person`` with an ID-style crop of their portrait.

        ``detector`` is a :class:`kiosk.core.vision.detector.FaceDetector` (one is created if
        omitted); without a detectable face the whole portrait is used.
        """
        image = self._portraits.get(person.id_number)
        if image is None:
            raise RegistryError(f"no portrait on file for {idnumber.mask(person.id_number)}")
        if detector is None:
            from kiosk.core.vision.detector import FaceDetector

            detector = FaceDetector(detect_long_side=640)
        faces = detector.detect(image)  # type: ignore[attr-defined]
        photo = id_photo(image, faces[0].box) if faces else image
        return render_specimen(person, photo)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, id_number: object) -> bool:
        return isinstance(id_number, str) and self.by_id(id_number) is not None


def _parse_entry(item: object, index: int, base: Path, path: Path) -> RegistryEntry:
    where = f"{path}: entry {index}"
    if not isinstance(item, dict):
        raise RegistryError(f"{where}: expected an object")
    unknown = set(item) - {*_KEYS, "portrait"}
    if unknown:
        raise RegistryError(f"{where}: unknown keys {sorted(unknown)}")
    for key in _KEYS:
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise RegistryError(f"{where}: {key!r} must be a non-empty string")
    person = Person(**{key: item[key].strip() for key in _KEYS})
    person = Person(
        person.name, idnumber.normalize(person.id_number), person.sex, person.nation, person.birth, person.address
    )
    masked = idnumber.mask(person.id_number)
    result = idnumber.check(person.id_number)
    if not result.ok:
        raise RegistryError(f"{where} ({masked}): invalid id_number ({result.problem})")
    if len(person.name) > 30 or len(person.address) > 70 or len(person.nation) > 10:
        raise RegistryError(f"{where} ({masked}): name/nation/address too long (30/10/70)")
    match = _BIRTH.match(person.birth)
    if not match or "".join(match.groups()) != person.id_number[6:14]:
        raise RegistryError(f"{where} ({masked}): 'birth' must be YYYY/MM/DD and match the ID number")
    if person.sex not in ("男", "女"):
        raise RegistryError(f"{where} ({masked}): 'sex' must be 男 or 女")
    if (person.sex == "男") != (int(person.id_number[16]) % 2 == 1):
        raise RegistryError(f"{where} ({masked}): 'sex' disagrees with the 17th digit of the ID number")
    portrait = item.get("portrait")
    if portrait is None:
        return RegistryEntry(person, None)
    if not isinstance(portrait, str) or not portrait:
        raise RegistryError(f"{where} ({masked}): 'portrait' must be a relative path or null")
    portrait_path = Path(portrait)
    if portrait_path.is_absolute() or ".." in portrait_path.parts:
        raise RegistryError(f"{where} ({masked}): 'portrait' must be a path inside {base}")
    return RegistryEntry(person, base / portrait_path)
