"""Staff rehearsal: build an emulator registry from a folder of portrait photos.

``kiosk emulator --enroll PHOTOS --registry OUT`` gives every usable photo in ``PHOTOS`` a
generated *fictional* identity (a valid resident ID number, a name, sex, birth date, address),
copies the photo as that person's registry portrait and renders their specimen card, so that
staff can rehearse the whole kiosk with their own faces:

    OUT/people.json          the registry (format: resources/demo_people/README.md)
    OUT/portraits/NNN.ext    the photos, byte for byte
    OUT/cards/NNN.png        the specimen cards (1012 x 638 px; print at 85.6 x 54 mm)

Then ``kiosk emulator --registry OUT`` serves it. A photo is used when exactly one face is found
in it (:class:`kiosk.emulator.facefind.FaceFinder`: same detector as the service) and the active
matcher can describe it; other photos are skipped with the reason.

The identities are generated, never read from anywhere: names from a fixed list of common
surnames and given names, ID numbers from real district codes with a random birth date and
sequence and the ISO 7064 check character (:mod:`kiosk.core.idnumber`). They are deterministic for
a given ``seed``. The cards say SPECIMEN / NOT VALID.

Privacy: the output folder holds the staff's photos; it is theirs, kept where they put it, and
nothing here logs a name or a full ID number.
"""

from __future__ import annotations

import datetime as _dt
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import cv2

from kiosk.core import idnumber
from kiosk.core.specimen import Person, id_photo, render_specimen
from kiosk.emulator.matcher import FaceMatcher, default_matcher
from kiosk.emulator.registry import Registry

__all__ = ["PHOTO_SUFFIXES", "EnrollError", "EnrollResult", "enroll", "fictional_person"]

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")

# district codes (GB/T 2260) and a matching street address, all real places, fictional numbers
_DISTRICTS = (
    ("110101", "北京市东城区东四北大街{n}号"),
    ("110108", "北京市海淀区中关村南大街{n}号"),
    ("310104", "上海市徐汇区漕溪北路{n}号"),
    ("310115", "上海市浦东新区世纪大道{n}号"),
    ("440305", "广东省深圳市南山区科技园路{n}号"),
    ("440106", "广东省广州市天河区天河路{n}号"),
    ("330106", "浙江省杭州市西湖区文三路{n}号"),
    ("320102", "江苏省南京市玄武区中山路{n}号"),
    ("510107", "四川省成都市武侯区人民南路{n}号"),
    ("420106", "湖北省武汉市武昌区中南路{n}号"),
    ("610113", "陕西省西安市雁塔区长安南路{n}号"),
    ("370202", "山东省青岛市市南区香港中路{n}号"),
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
_GIVEN_F = [
    "秀英",
    "丽娟",
    "晓雨",
    "文静",
    "海燕",
    "雪梅",
    "婷婷",
    "思雨",
    "佳怡",
    "玉兰",
    "欣妍",
    "慧敏",
    "春花",
    "梓涵",
]
_GIVEN_M = ["建国", "志强", "伟", "立安", "浩然", "子轩", "俊杰", "文华", "明", "海涛", "宇航", "国栋", "柏然", "晨阳"]
_NATIONS = ("汉",) * 8 + ("满", "回", "壮", "苗")


class EnrollError(ValueError):
    """The photo folder or the output folder cannot be used (message says why)."""


@dataclass(frozen=True, slots=True)
class EnrollResult:
    """What :func:`enroll` wrote and what it skipped (``(file name, reason)``)."""

    registry_dir: Path
    people: list[tuple[str, Person, Path]]  # (photo file name, person, card PNG)
    skipped: list[tuple[str, str]]


def fictional_person(rng: random.Random, sex: str | None = None, *, today: _dt.date | None = None) -> Person:
    """A generated person with a valid resident ID number (``sex``: ``男``/``女``/random)."""
    today = today or _dt.date.today()
    sex = sex or rng.choice(("男", "女"))
    code, street = rng.choice(_DISTRICTS)
    born = _dt.date(rng.randint(1950, today.year - 18), 1, 1) + _dt.timedelta(days=rng.randint(0, 364))
    seq = rng.randint(0, 49) * 2 + (1 if sex == "男" else 0)  # 17th digit odd for men
    first17 = f"{code}{born:%Y%m%d}{rng.randint(0, 9)}{seq:02d}"
    id_number = first17 + idnumber.check_char(first17)
    given = rng.choice(_GIVEN_M if sex == "男" else _GIVEN_F)
    return Person(
        name=rng.choice(_SURNAMES) + given,
        id_number=id_number,
        sex=sex,
        nation=rng.choice(_NATIONS),
        birth=f"{born:%Y/%m/%d}",
        address=street.format(n=rng.randint(1, 300)),
    )


def _photos(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise EnrollError(f"{folder}: not a folder of photos")
    photos = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES)
    if not photos:
        raise EnrollError(f"{folder}: no photos ({', '.join(PHOTO_SUFFIXES)})")
    return photos


def enroll(
    photos_dir: str | Path,
    registry_dir: str | Path,
    *,
    seed: int = 0,
    matcher: FaceMatcher | None = None,
) -> EnrollResult:
    """Build ``registry_dir`` from the photos in ``photos_dir`` (see the module docstring).

    Raises :class:`EnrollError` when there is nothing to enrol, when ``registry_dir`` already holds
    a ``people.json`` (never overwritten) or cannot be written. The result is loaded back with
    :meth:`Registry.load` before returning, so what was written is a valid registry.
    """
    source, out = Path(photos_dir), Path(registry_dir)
    photos = _photos(source)
    if (out / "people.json").exists():
        raise EnrollError(f"{out / 'people.json'} already exists; choose another --registry folder")
    m = matcher or default_matcher()
    rng = random.Random(seed)  # noqa: S311  (fictional test identities, not a secret)
    used: set[str] = set()
    entries: list[dict[str, str]] = []
    people: list[tuple[str, Person, Path]] = []
    skipped: list[tuple[str, str]] = []
    try:
        (out / "portraits").mkdir(parents=True, exist_ok=True)
        (out / "cards").mkdir(exist_ok=True)
        for photo in photos:
            image = cv2.imread(str(photo), cv2.IMREAD_COLOR)
            if image is None:
                skipped.append((photo.name, "not a readable image"))
                continue
            faces = m.faces(image)
            if len(faces) != 1:
                skipped.append((photo.name, "no face found" if not faces else f"{len(faces)} faces, need one"))
                continue
            if m.template(image, faces[0]) is None:
                skipped.append((photo.name, "the face cannot be described"))
                continue
            person = fictional_person(rng)
            while person.id_number in used:
                person = fictional_person(rng)
            used.add(person.id_number)
            number = f"{len(people) + 1:03d}"
            portrait = out / "portraits" / f"{number}{photo.suffix.lower()}"
            shutil.copyfile(photo, portrait)
            card_path = out / "cards" / f"{number}.png"
            card = render_specimen(person, id_photo(image, faces[0].box))
            if not cv2.imwrite(str(card_path), card):
                raise EnrollError(f"{card_path}: cannot write the card")
            entries.append({**person.to_dict(), "portrait": f"portraits/{portrait.name}"})
            people.append((photo.name, person, card_path))
        if not entries:
            raise EnrollError(f"{source}: no photo with exactly one usable face")
        (out / "people.json").write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise EnrollError(f"{out}: cannot write the registry ({exc.strerror or exc})") from None
    Registry.load(out)  # what was written must load
    return EnrollResult(registry_dir=out, people=people, skipped=skipped)
