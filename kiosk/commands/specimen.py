"""``kiosk specimen``: render a SPECIMEN resident ID card the emulator can read.

Two ways to name the person:

* from a registry (the emulator's ``people.json``): ``kiosk specimen --id N --out CARD.png``
  picks entry ``N`` (1-based, as ``--list`` shows them) or the person with ID number ``N`` from
  the built-in demo people, or from ``--registry DIR`` (a folder with ``people.json``, or the
  file itself); the portrait on file is used unless ``--portrait`` is given. ``--list`` prints
  the people (ID numbers masked) and exits.
* one person by hand: ``--person PERSON.json --portrait IMG`` where ``PERSON.json`` holds one
  person in the ``people.json`` form (``name``, ``id_number``, ``sex``, ``nation``, ``birth``
  ``YYYY/MM/DD``, ``address``; a ``portrait`` key is ignored). A whole ``people.json`` is
  accepted too, with ``--id`` to pick the entry.

The portrait is cropped to an ID-style photo around the largest face (``--no-crop`` keeps it as
given). By default the card is written flat (for printing); ``--photo`` writes it as a webcam
would see it lying on a desk at 1280x720, the picture ``kiosk verify --card`` expects, and checks
that it passes the kiosk's card prechecks. Exit 0 on success, 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HELP = "render a SPECIMEN resident ID card the emulator can read"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the person, registry and output options."""
    from kiosk.commands.options import non_empty

    parser.add_argument("--person", type=non_empty, metavar="JSON", help="JSON file with one person (people.json form)")
    parser.add_argument(
        "--portrait", type=non_empty, metavar="IMG",
        help="portrait photo (JPEG, PNG, BMP, WebP, TIFF; default: the registry's)",
    )
    parser.add_argument(
        "--registry",
        type=non_empty,
        metavar="DIR",
        help="folder with people.json (or the file itself) to pick --id from (default: the built-in demo people)",
    )
    parser.add_argument("--id", dest="pick", metavar="N", help="registry entry: 1-based position or ID number")
    parser.add_argument("--list", action="store_true", help="list the registry's people (masked) and exit")
    parser.add_argument("--out", type=non_empty, metavar="PNG", help="where to write the card image (.png, .jpg...)")
    parser.add_argument(
        "--photo",
        action="store_true",
        help="write the card as photographed on a desk (1280x720), as kiosk verify --card expects",
    )
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


class _InputError(ValueError):
    """Bad command-line input (the message is printed as is)."""


#: a person file holds one person (or a people.json of a few hundred): far below this
MAX_PERSON_BYTES = 1_000_000


def _registry(args: argparse.Namespace) -> Any:
    from kiosk.commands.options import input_file_problem
    from kiosk.emulator.registry import Registry, RegistryError

    if not args.registry:
        return Registry.builtin()
    path = Path(args.registry)
    folder = path.parent if path.name == "people.json" and not path.is_dir() else path
    # people.json is a regular file (a FIFO there would block the read) before the registry opens it
    problem = input_file_problem("--registry", folder / "people.json") if folder.is_dir() else None
    if problem:
        raise _InputError(problem)
    try:
        return Registry.load(folder)
    except RegistryError as exc:
        raise _InputError(f"bad --registry: {exc}") from None


def _pick(people: list[Any], pick: str | None, where: str) -> Any:
    from kiosk.core import idnumber

    if pick is None:
        if len(people) == 1:
            return people[0]
        raise _InputError(f"{where} holds {len(people)} people: choose one with --id N (see --list)")
    if pick.isdigit() and len(pick) <= 4:
        index = int(pick)
        if not 1 <= index <= len(people):
            raise _InputError(f"--id {pick}: {where} holds people 1..{len(people)}")
        return people[index - 1]
    wanted = idnumber.normalize(pick)
    for person in people:
        if person.id_number == wanted:
            return person
    raise _InputError(f"--id {idnumber.mask(wanted)}: no such person in {where}")


def _from_person_file(args: argparse.Namespace) -> Any:
    from kiosk.core.bounded_read import BoundedReadError, read_text_bounded
    from kiosk.core.specimen import Person

    try:  # a regular file only, bounded: never /dev/zero into memory, never a FIFO that blocks
        text = read_text_bounded(args.person, MAX_PERSON_BYTES)
    except BoundedReadError as exc:
        raise _InputError(f"--person: {exc}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _InputError(f"bad --person {args.person}: not JSON ({exc.__class__.__name__}: {exc})") from None
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise _InputError(f"bad --person {args.person}: expected a JSON object (or a people.json list)")
    try:
        people = [Person.from_dict(item) for item in items]
    except ValueError as exc:
        raise _InputError(f"bad --person {args.person}: {exc}") from None
    return _pick(people, args.pick, args.person)


def _list(registry: Any) -> int:
    from kiosk.core import idnumber

    print(f"{len(registry)} people in {registry.source}:")
    for i, person in enumerate(registry.people, 1):
        photo = "portrait on file" if registry.has_portrait(person) else "no portrait"
        print(f"  {i}. {idnumber.mask(person.id_number)}  {person.sex} {person.birth}  ({photo})")
    return 0


def _photographed(card: Any) -> Any:
    """The card on a desk at 1280x720 as a webcam sees it (exposure, perspective, noise)."""
    from kiosk.core.vision import synth

    background = synth.desk_background(1280, 720, seed=7)
    corners = synth.card_corners(synth.CardPose(center=(640, 370), width=780, angle=2.0, tilt_x=3.0, tilt_y=-2.0))
    return synth.compose_card_scene(card, background, corners)


def _check_out(out: Path) -> None:
    """Refuse an output OpenCV cannot write before any work: no image format for the name
    (``/dev/null``), an existing folder, FIFO or device, a missing or read-only folder."""
    import os

    import cv2

    from kiosk.core.bounded_read import BoundedReadError, check_regular_file

    if not cv2.haveImageWriter(str(out)):
        raise _InputError(f"cannot write {out}: no image format for that name (end it in .png or .jpg)")
    if os.path.lexists(out):
        try:
            check_regular_file(out)
        except BoundedReadError as exc:
            if exc.reason != "missing":  # a dangling link is written through
                raise _InputError(f"cannot write {exc}") from None
    folder = out.parent
    if not folder.is_dir():
        raise _InputError(f"cannot write {out}: no folder {folder}")
    if not os.access(folder, os.W_OK):
        raise _InputError(f"cannot write {out}: the folder {folder} is not writable")


def run(args: argparse.Namespace) -> int:
    """Render the card; 0 on success, 2 on unreadable or invalid input."""
    try:
        return _run(args)
    except _InputError as exc:
        print(f"kiosk specimen: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    import cv2

    from kiosk.core.specimen import render_specimen
    from kiosk.core.specimen_reading import read_specimen

    registry = None
    if args.list:
        return _list(_registry(args))
    if not args.out:
        raise _InputError("--out PNG is required")
    _check_out(Path(args.out))
    if args.person:
        person = _from_person_file(args)
        if not args.portrait:
            raise _InputError("--portrait IMG is required with --person")
    else:
        if args.pick is None and not args.registry:
            raise _InputError(
                "name a person: --id N (built-in demo people, see --list), --registry DIR --id N, "
                "or --person JSON --portrait IMG"
            )
        registry = _registry(args)
        person = _pick(registry.people, args.pick, registry.source)
    if args.portrait:
        from kiosk.config import ConfigError, load_settings
        from kiosk.core.vision.imageio import ImageLoadError, load_image
        from kiosk.wiring import apply_process_limits

        try:  # the pixel limit (kiosk.max_image_megapixels) is a setting
            apply_process_limits(load_settings(getattr(args, "config", None)))
        except ConfigError as exc:
            raise _InputError(str(exc)) from None
        try:
            portrait = load_image(args.portrait)
        except ImageLoadError as exc:
            raise _InputError(f"cannot read --portrait {args.portrait}: {exc}") from None
    else:
        portrait = registry.portrait(person)
        if portrait is None:
            raise _InputError("this person has no portrait on file: give --portrait IMG")
    if not args.no_crop:
        from kiosk.core.specimen import id_photo
        from kiosk.core.vision.detector import FaceDetector

        faces = FaceDetector(detect_long_side=640).detect(portrait)
        if faces:
            portrait = id_photo(portrait, faces[0].box)
    try:
        card = render_specimen(person, portrait, flags=args.flags)
    except ValueError as exc:
        raise _InputError(str(exc)) from None
    if read_specimen(card) != person:  # self-check: the emulator must be able to read it
        print("kiosk specimen: internal error: rendered card is not readable", file=sys.stderr)
        return 2
    image = card
    if args.photo:
        from kiosk.core.vision.prepare import PrepareError, prepare_image

        image = _photographed(card)
        try:
            prepare_image(image, "card")  # what kiosk verify --card will do with it
        except PrepareError as exc:
            print(f"kiosk specimen: the photographed card fails the card checks: {exc.problems}", file=sys.stderr)
            return 2
    out = Path(args.out)
    try:
        written = cv2.imwrite(str(out), image)
    except cv2.error:
        written = False
    if not written:
        raise _InputError(f"cannot write {out}")
    print(str(out))
    return 0
