"""``kiosk specimen``: render a SPECIMEN resident ID card the emulator can read.

``kiosk specimen --person PERSON.json --portrait IMG --out CARD.png`` where ``PERSON.json`` holds
one person in the ``people.json`` form (``name``, ``id_number``, ``sex``, ``nation``, ``birth``
``YYYY/MM/DD``, ``address``; a ``portrait`` key is ignored). The portrait is cropped to an ID-style
photo around the largest face (``--no-crop`` keeps it as given). Exit 0 on success, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "render a SPECIMEN resident ID card the emulator can read"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register ``--person``, ``--portrait`` and ``--out``."""
    parser.add_argument("--person", required=True, metavar="JSON", help="JSON file with one person (people.json form)")
    parser.add_argument("--portrait", required=True, metavar="IMG", help="portrait photo (JPEG/PNG)")
    parser.add_argument("--out", required=True, metavar="PNG", help="where to write the card image")
    parser.add_argument(
        "--no-crop",
        action="store_true",
        help="use the portrait as given (default: crop an ID-style photo around the face)",
    )
    parser.add_argument(
        "--flags",
        default="",
        metavar="CRTP",
        help="training variants: C copy, R re-shoot, T temporary card, P tampered",
    )


def run(args: argparse.Namespace) -> int:
    """Render the card; 0 on success, 2 on unreadable or invalid input."""
    import cv2

    from kiosk.core.specimen import Person, read_specimen, render_specimen

    try:
        data = json.loads(Path(args.person).read_text(encoding="utf-8"))
        if isinstance(data, list) and len(data) == 1:
            data = data[0]
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object with the person's fields")
        person = Person.from_dict(data)
    except (OSError, ValueError) as exc:
        print(f"kiosk specimen: bad --person {args.person}: {exc}", file=sys.stderr)
        return 2
    from kiosk.config import ConfigError, load_settings
    from kiosk.core.vision.imageio import ImageLoadError, load_image
    from kiosk.wiring import apply_process_limits

    try:  # the pixel limit (kiosk.max_image_megapixels) is a setting
        apply_process_limits(load_settings(getattr(args, "config", None)))
    except ConfigError as exc:
        print(f"kiosk specimen: {exc}", file=sys.stderr)
        return 2
    try:
        portrait = load_image(args.portrait)
    except ImageLoadError as exc:
        print(f"kiosk specimen: cannot read --portrait {args.portrait}: {exc}", file=sys.stderr)
        return 2
    if not args.no_crop:
        from kiosk.core.specimen import id_photo
        from kiosk.core.vision.detector import FaceDetector

        faces = FaceDetector(detect_long_side=640).detect(portrait)
        if faces:
            portrait = id_photo(portrait, faces[0].box)
    try:
        card = render_specimen(person, portrait, flags=args.flags)
    except ValueError as exc:
        print(f"kiosk specimen: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    if not cv2.imwrite(str(out), card):
        print(f"kiosk specimen: cannot write {out}", file=sys.stderr)
        return 2
    if read_specimen(card) != person:  # self-check: the emulator must be able to read it
        print("kiosk specimen: internal error: rendered card is not readable", file=sys.stderr)
        return 2
    print(str(out))
    return 0
