"""SPECIMEN resident ID cards: the card fields, the marker format and rendering.

The kiosk is demonstrated, tested and used for staff training without real identity documents.
:func:`render_specimen` draws the portrait side of a second-generation resident ID card
(居民身份证) in ID-1 format (85.6 x 54 mm at 300 dpi = 1012 x 638 px, rounded corners): labels
姓名 性别 民族 出生 住址 公民身份号码 with their values on a pale patterned background, the portrait on
the right, the whole card clearly overprinted **样本 SPECIMEN**, and a QR code carrying the card
fields (the *marker*, format in ``docs/specimen-marker.md``). The FaceID emulator reads cards
through the marker (:mod:`kiosk.core.specimen_reading`) instead of doing OCR.

Chinese text is drawn with OpenCV 5's TrueType text API (``cv2.FontFace`` / the ``putText``
overload taking a font), whose built-in fonts cover CJK; no Qt, no Pillow, no bundled font.

Marker summary: ``KSPEC1:<BASE32(GB18030 JSON array)>:<CRC32 hex>`` where the JSON array is
``[name, id_number, sex, nation, birth, address]``; upper-case ASCII only, so the QR code uses the
compact alphanumeric mode. The QR symbol always has version 8 (49 x 49 modules), error correction
L, 4 px per module at a fixed place on the card, so the card geometry follows from its corners.

Threading: every function is pure (inputs are never modified, results are new arrays owned by
the caller); OpenCV's QR encoder and font objects are created per call, so all functions are
thread-safe.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import asdict, dataclass

import cv2
import numpy as np

__all__ = [
    "CARD_SIZE",
    "MARKER_PREFIX",
    "PORTRAIT_BOX",
    "QR_SYMBOL_BOX",
    "SPECIMEN_FLAGS",
    "Person",
    "card_mask",
    "decode_marker",
    "decode_marker_flags",
    "encode_marker",
    "id_photo",
    "render_specimen",
]

#: card size in pixels (width, height): ID-1, 85.6 x 54 mm at 300 dpi.
CARD_SIZE: tuple[int, int] = (1012, 638)
#: corner radius of the card (3.18 mm at 300 dpi).
CORNER_RADIUS = 37
#: portrait area on the card, (x, y, w, h) in card pixels (26 x 32 mm photo proportions).
PORTRAIT_BOX: tuple[int, int, int, int] = (644, 52, 276, 340)
#: the QR symbol itself (without quiet zone), (x, y, w, h) in card pixels: version 8 = 49
#: modules at 4 px; a white quiet zone of 3 modules is drawn around it.
QR_SYMBOL_BOX: tuple[int, int, int, int] = (800, 424, 196, 196)
QR_VERSION = 8
QR_MODULE_PX = 4
#: the longest marker a version-8, level-L symbol holds in alphanumeric mode.
MARKER_MAX_CHARS = 279
#: marker prefix; the digit is the format version.
MARKER_PREFIX = "KSPEC1:"

_MAX_FIELD = {"name": 30, "id_number": 18, "sex": 2, "nation": 10, "birth": 10, "address": 70}
_BIRTH_RE = re.compile(r"^\d{4}/\d{2}/\d{2}$")

_BG = (238, 243, 246)  # pale warm card background (BGR)
_LABEL = (150, 100, 40)  # blue-ish labels
_VALUE = (25, 25, 25)
_RED = (40, 40, 200)


@dataclass(frozen=True, slots=True)
class Person:
    """The fields printed on the portrait side of a resident ID card.

    ``birth`` is ``YYYY/MM/DD`` (the FaceID ``Birth`` format); ``sex`` is ``男``/``女``; ``nation``
    the ethnic group without the ``族`` suffix (``汉``), as FaceID returns them.
    """

    name: str
    id_number: str
    sex: str
    nation: str
    birth: str
    address: str

    def to_dict(self) -> dict[str, str]:
        """The fields as a plain dict (people.json / JSON form)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Person:
        """Build from a people.json-style mapping (extra keys such as ``portrait`` are ignored).

        Raises ``ValueError`` naming the missing or non-string field.
        """
        values: dict[str, str] = {}
        for key in ("name", "id_number", "sex", "nation", "birth", "address"):
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"field {key!r} must be a non-empty string")
            values[key] = value.strip()
        return cls(**values)


# --------------------------------------------------------------------------------------------
# marker


#: specimen flags (test/training variants the emulator reports as FaceID card warnings):
#: C photocopy (-9102), R screen re-shoot (-9103), T temporary ID card (-9104), P tampered (-9106).
SPECIMEN_FLAGS = "CRTP"


def encode_marker(person: Person, flags: str = "") -> str:
    """The ASCII marker text for ``person`` (see ``docs/specimen-marker.md``).

    ``flags`` (subset of :data:`SPECIMEN_FLAGS`) is appended as a 7th array element when non-empty.
    """
    fields = [person.name, person.id_number, person.sex, person.nation, person.birth, person.address]
    if flags:
        if set(flags) - set(SPECIMEN_FLAGS):
            raise ValueError(f"specimen flags must be a subset of {SPECIMEN_FLAGS!r}")
        fields.append("".join(sorted(set(flags), key=SPECIMEN_FLAGS.index)))
    body = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("gb18030")
    b32 = base64.b32encode(body).decode("ascii").rstrip("=")
    return f"{MARKER_PREFIX}{b32}:{zlib.crc32(body):08X}"


def decode_marker(text: str) -> Person | None:
    """Parse a marker; ``None`` for anything that is not a valid version-1 marker."""
    decoded = decode_marker_flags(text)
    return decoded[0] if decoded else None


def decode_marker_flags(text: str) -> tuple[Person, str] | None:
    """Parse a marker into (person, flags); ``None`` if it is not a valid version-1 marker."""
    if not isinstance(text, str) or not text.startswith(MARKER_PREFIX):
        return None
    rest = text[len(MARKER_PREFIX) :].strip()
    b32, sep, crc = rest.rpartition(":")
    if not sep or not re.fullmatch(r"[0-9A-F]{8}", crc) or not re.fullmatch(r"[A-Z2-7]+", b32):
        return None
    try:
        body = base64.b32decode(b32 + "=" * (-len(b32) % 8))
    except (binascii.Error, ValueError):
        return None
    if zlib.crc32(body) != int(crc, 16):
        return None
    try:
        fields = json.loads(body.decode("gb18030"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not (isinstance(fields, list) and len(fields) in (6, 7) and all(isinstance(f, str) for f in fields)):
        return None
    flags = fields[6] if len(fields) == 7 else ""
    if set(flags) - set(SPECIMEN_FLAGS):
        return None
    return Person(*fields[:6]), flags


def _validate(person: Person, flags: str = "") -> None:
    for key, limit in _MAX_FIELD.items():
        value = getattr(person, key)
        if not isinstance(value, str) or not value:
            raise ValueError(f"specimen field {key!r} must be a non-empty string")
        if len(value) > limit:
            raise ValueError(f"specimen field {key!r} is longer than {limit} characters")
    if not _BIRTH_RE.match(person.birth):
        raise ValueError("specimen field 'birth' must be YYYY/MM/DD")
    if len(encode_marker(person, flags)) > MARKER_MAX_CHARS:
        raise ValueError("name and address are too long for the specimen marker (about 60 Chinese characters together)")


# --------------------------------------------------------------------------------------------
# rendering


def card_mask() -> np.ndarray:
    """``uint8`` mask (H, W) of the card shape: 255 inside the rounded rectangle, 0 outside.

    Use it to composite a rendered card onto a scene (the corners of the rendered image are
    white filler).
    """
    w, h = CARD_SIZE
    r = CORNER_RADIUS
    mask = np.zeros((h, w), np.uint8)
    cv2.rectangle(mask, (r, 0), (w - 1 - r, h - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (w - 1, h - 1 - r), 255, -1)
    for cx, cy in ((r, r), (w - 1 - r, r), (r, h - 1 - r), (w - 1 - r, h - 1 - r)):
        cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return mask


def _font() -> cv2.FontFace:
    return cv2.FontFace("sans")


def _text(
    img: np.ndarray, text: str, org: tuple[int, int], color: tuple[int, int, int], size: int, weight: int = 400
) -> int:
    """Draw ``text`` with its baseline at ``org``; returns the x where the text ends."""
    end, _ = cv2.putText(img, text, org, color, _font(), size, weight)
    return int(end[0])


def _text_width(text: str, size: int, weight: int = 400) -> int:
    rect = cv2.getTextSize((0, 0), text, (0, 0), _font(), size, weight)
    return int(rect[2])


def _wrap(text: str, size: int, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and _text_width(current + ch, size) > width:
            lines.append(current)
            current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    return lines


def _background() -> np.ndarray:
    w, h = CARD_SIZE
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = _BG
    # guilloche-like interference pattern in pale blue/green
    wave = (
        np.sin(xx / 9.0 + 6.0 * np.sin(yy / 47.0))
        + np.sin(yy / 7.0 + 5.0 * np.sin(xx / 61.0))
        + 0.6 * np.sin(np.hypot(xx - 300.0, yy - 300.0) / 5.5)
    )
    lines = np.clip(1.0 - np.abs(wave) * 2.2, 0.0, 1.0)[..., None]
    tint = np.array([210, 220, 200], np.float32)
    img = img * (1.0 - 0.35 * lines) + tint * (0.35 * lines)
    # soft vertical gradient
    img *= (0.97 + 0.03 * (yy / h))[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def _fit_portrait(portrait_bgr: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Cover-fit (centre crop + resize) ``portrait_bgr`` to ``size`` (w, h)."""
    if portrait_bgr is None or portrait_bgr.ndim not in (2, 3) or portrait_bgr.size == 0:
        raise ValueError("portrait must be a non-empty image")
    img = portrait_bgr if portrait_bgr.ndim == 3 else cv2.cvtColor(portrait_bgr, cv2.COLOR_GRAY2BGR)
    if img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    tw, th = size
    h, w = img.shape[:2]
    scale = max(tw / w, th / h)
    cw, ch = min(w, round(tw / scale)), min(h, round(th / scale))
    x0, y0 = (w - cw) // 2, (h - ch) // 2
    crop = img[y0 : y0 + ch, x0 : x0 + cw]
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(crop, (tw, th), interpolation=interp)


def id_photo(image_bgr: np.ndarray, face_box: tuple[int, int, int, int]) -> np.ndarray:
    """Crop an ID-style photo (26:32, head and shoulders) around ``face_box`` (x, y, w, h).

    The face box height becomes ~55 % of the photo height, centred horizontally; areas beyond the
    image are filled by edge replication. Returns a new array, ready for :func:`render_specimen`.
    """
    x, y, w, h = face_box
    if w <= 0 or h <= 0:
        raise ValueError("empty face box")
    ph = h / 0.55
    pw = ph * PORTRAIT_BOX[2] / PORTRAIT_BOX[3]
    cx, cy = x + w / 2.0, y + h * 0.55
    x0, y0 = round(cx - pw / 2), round(cy - ph * 0.52)
    x1, y1 = x0 + round(pw), y0 + round(ph)
    ih, iw = image_bgr.shape[:2]
    pad = max(0, -x0, -y0, x1 - iw, y1 - ih)
    img = image_bgr
    if pad:
        img = cv2.copyMakeBorder(image_bgr, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        x0, x1, y0, y1 = x0 + pad, x1 + pad, y0 + pad, y1 + pad
    return img[y0:y1, x0:x1].copy()


def _qr_symbol(text: str) -> np.ndarray:
    params = cv2.QRCodeEncoder_Params()
    params.correction_level = cv2.QRCodeEncoder_CORRECT_LEVEL_L
    params.version = QR_VERSION
    code = cv2.QRCodeEncoder.create(params).encode(text)
    if code is None or code.size == 0:
        raise ValueError("marker too long for a QR code")
    ys, xs = np.nonzero(code < 128)
    return code[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def render_specimen(person: Person, portrait_bgr: np.ndarray, *, flags: str = "") -> np.ndarray:
    """Render the portrait side of a SPECIMEN card for ``person``.

    Returns a new ``uint8`` BGR image of ``CARD_SIZE`` (1012 x 638); the area outside the rounded
    corners is white (see :func:`card_mask`). ``portrait_bgr`` (BGR, BGRA or gray) is centre-cropped
    to the photo proportions and placed at ``PORTRAIT_BOX``. ``flags`` (see
    :data:`SPECIMEN_FLAGS`) marks training variants (e.g. ``"T"``: temporary ID card) in the marker
    and prints them on the card. Raises ``ValueError`` on invalid fields or flags.
    """
    _validate(person, flags)
    w, h = CARD_SIZE
    card = _background()

    # diagonal translucent watermark over the text side
    overlay = card.copy()
    for i, y in enumerate(range(150, 700, 170)):
        _text(overlay, "样本 SPECIMEN", (20 + 60 * (i % 2), y), (170, 170, 235), 64, 700)
    rot = cv2.getRotationMatrix2D((320, 320), 18, 1.0)
    overlay = cv2.warpAffine(overlay, rot, (w, h), borderMode=cv2.BORDER_REFLECT)
    text_zone = np.zeros((h, w), np.uint8)
    cv2.rectangle(text_zone, (0, 60), (620, 520), 255, -1)
    card = np.where(text_zone[..., None] > 0, cv2.addWeighted(card, 0.55, overlay, 0.45, 0), card)

    # header stamp
    cv2.rectangle(card, (52, 16), (604, 62), _RED, 2, cv2.LINE_AA)
    _text(card, "样本 SPECIMEN · 非有效证件 NOT VALID", (64, 50), _RED, 26, 700)

    # fields
    lx, vx = 60, 170
    _text(card, "姓名", (lx, 124), _LABEL, 30)
    _text(card, person.name, (vx, 126), _VALUE, 40, 600)
    _text(card, "性别", (lx, 194), _LABEL, 30)
    _text(card, person.sex, (vx, 196), _VALUE, 36)
    _text(card, "民族", (300, 194), _LABEL, 30)
    _text(card, person.nation, (400, 196), _VALUE, 36)
    year, month, day = person.birth.split("/")
    _text(card, "出生", (lx, 264), _LABEL, 30)
    x = _text(card, year, (vx, 266), _VALUE, 36)
    x = _text(card, "年", (x + 14, 264), _LABEL, 30)
    x = _text(card, str(int(month)), (x + 14, 266), _VALUE, 36)
    x = _text(card, "月", (x + 14, 264), _LABEL, 30)
    x = _text(card, str(int(day)), (x + 14, 266), _VALUE, 36)
    _text(card, "日", (x + 14, 264), _LABEL, 30)
    _text(card, "住址", (lx, 334), _LABEL, 30)
    for i, line in enumerate(_wrap(person.address, 34, 440)[:4]):
        _text(card, line, (vx, 336 + 48 * i), _VALUE, 34)
    _text(card, "公民身份号码", (lx, 574), _LABEL, 30)
    digits = person.id_number
    x = 300
    for ch in digits:  # fixed pitch like the OCR-B style number on the real card
        _text(card, ch, (x, 578), _VALUE, 40, 600)
        x += 26

    # portrait
    px, py, pw, ph = PORTRAIT_BOX
    card[py : py + ph, px : px + pw] = _fit_portrait(portrait_bgr, (pw, ph))
    _text(card, "样本", (px + 8, py + ph - 12), _RED, 30, 700)

    # marker: QR with a white quiet zone
    qx, qy, qw, qh = QR_SYMBOL_BOX
    if flags:
        names = {"C": "复印件 COPY", "R": "翻拍 RESHOOT", "T": "临时 TEMPORARY", "P": "篡改 TAMPERED"}
        label = " / ".join(names[f] for f in flags if f in names)
        _text(card, label, (60, 520), _RED, 26, 700)
    modules = _qr_symbol(encode_marker(person, flags))
    symbol = np.kron(modules, np.ones((QR_MODULE_PX, QR_MODULE_PX), np.uint8))
    assert symbol.shape == (qh, qw), symbol.shape
    quiet = 3 * QR_MODULE_PX
    cv2.rectangle(card, (qx - quiet, qy - quiet), (qx + qw + quiet - 1, qy + qh + quiet - 1), (255, 255, 255), -1)
    card[qy : qy + qh, qx : qx + qw] = symbol[..., None]

    # rounded corners: white outside the card, thin edge line inside
    mask = card_mask()
    card[mask == 0] = 255
    edge = cv2.morphologyEx(mask, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    card[(edge > 0) & (mask > 0)] = (190, 190, 190)
    return card
