"""The labelled set built from the REAL photographs in ``../shared/assets/real`` (issue 13).

Used by ``tools/eval_prechecks.py`` (``--set real``, the default when the folder exists).

Labels come from two places only: the manifest's ``labels.json`` (looked at by eye:
frontal / turned / down / group / occluded / other) and how each derived image was MADE (a
disk defocus of known radius, a motion streak of known length, an exposure gain, a card placed
too small or partly out of the frame, the back of the card...). The checks' output never sets
a label. The detector is used on the SOURCE photographs only, to know where the face is before
blurring relative to its size or rendering an ID photo around it; a source photo whose face the
detector cannot find is not used for derived images.

Identities are split in two halves by a stable hash of the identity tag (``tune`` and
``held_out``); thresholds are meant to be chosen on ``tune`` and the report gives both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from kiosk.core import specimen
from kiosk.core.vision import degrade, synth, synth_scenes
from kiosk.core.vision.detector import FaceDetector

#: problem family of each code: "caught with the right family" means one of these codes
FAMILIES: dict[str, str] = {
    "blurry": "blur",
    "too_dark": "exposure",
    "too_bright": "exposure",
    "glare": "glare",
    "face_turned": "pose",
    "eyes_not_visible": "eyes",
    "multiple_faces": "count",
    "no_face": "framing",
    "face_too_small": "framing",
    "face_too_large": "framing",
    "face_off_center": "framing",
    "image_too_small": "framing",
    "no_card": "no_card",
    "card_cut_off": "framing",
    "card_too_small": "framing",
    "card_tilted": "tilt",
    "card_wrong_side": "wrong_side",
    "unreadable_image": "unreadable",
}


@dataclass
class Sample:
    kind: str  # "face" | "card"
    family: str  # "good" or the expected problem family
    name: str
    image: np.ndarray | None
    identity: str = "none"
    #: the codes accepted as the right answer (empty for good)
    codes: frozenset[str] = field(default_factory=frozenset)
    #: a live camera frame (checked with the on-screen oval) rather than a still photo or scan
    live: bool = False

    @property
    def split(self) -> str:
        return split_of(self.identity)


def split_of(identity: str) -> str:
    """``tune`` or ``held_out``, by a stable hash of the identity tag."""
    return "tune" if hashlib.sha256(identity.encode()).digest()[0] % 2 == 0 else "held_out"


def _codes(*codes: str) -> frozenset[str]:
    return frozenset(codes)


def _fam(codes: frozenset[str]) -> str:
    return FAMILIES[sorted(codes)[0]]


def _bad(kind: str, name: str, img: np.ndarray | None, ident: str, *codes: str, live: bool = False) -> Sample:
    cs = _codes(*codes)
    return Sample(kind, _fam(cs), name, img, ident, cs, live or (kind == "card" and "scan" not in name))


def _good(kind: str, name: str, img: np.ndarray, ident: str, live: bool = False) -> Sample:
    return Sample(kind, "good", name, img, ident, live=live or (kind == "card" and "scan" not in name))


#: manifest notes per file (the last column of MANIFEST.md's file table), filled by load_real
NOTES: dict[str, str] = {}


def load_real(real_dir: Path) -> list[tuple[str, dict, np.ndarray]]:
    labels = json.loads((real_dir / "labels.json").read_text(encoding="utf-8"))
    manifest = real_dir / "MANIFEST.md"
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in line.split("|")]
            if len(cells) > 3 and cells[1].startswith("`") and cells[1].strip("`") in labels:
                NOTES[cells[1].strip("`")] = cells[-2]
    out = []
    for f, lab in sorted(labels.items()):
        img = cv2.imread(str(real_dir / f), cv2.IMREAD_COLOR)
        if img is not None:
            out.append((f, lab, img))
    return out


def _ident(f: str, lab: dict) -> str:
    return lab.get("identity") or f"file:{f}"


def face_samples(real_dir: Path, det: FaceDetector, rng: np.random.Generator) -> Iterator[Sample]:
    """Face-stage samples: the real photographs as they are (labelled by eye), their mirror
    images, and camera degradations of the usable frontal ones."""
    for f, lab, img in load_real(real_dir):
        ident, label = _ident(f, lab), lab["label"]
        h, w = img.shape[:2]
        faces = det.detect(img, long_side=640)
        fw = faces[0].box[2] if faces else 0
        # the manifest's one "VERY DARK underexposed" frontal photo is an exposure case, not a good one
        dark_case = "underexposed" in NOTES.get(f, "")
        usable = label == "frontal" and min(h, w) >= 240 and len(faces) >= 1 and fw >= 80 and not dark_case
        for mirror in (False, True):
            src = cv2.flip(img, 1) if mirror else img
            tag = f"{f}{'/mirror' if mirror else ''}"
            if label == "frontal":
                if dark_case:
                    yield _bad("face", tag, src, ident, "too_dark")
                elif min(h, w) < 240:
                    yield _bad("face", tag, src, ident, "image_too_small")
                elif usable:
                    yield _good("face", tag, src, ident)
                elif len(faces) >= 1 and fw < 80:
                    # a frontal face narrower than 80 px (far from the camera, or a small photo)
                    yield _bad("face", tag, src, ident, "face_too_small")
            elif label == "turned":
                yield _bad("face", tag, src, ident, "face_turned")
            elif label == "down":
                yield _bad("face", tag, src, ident, "face_turned", "eyes_not_visible")
            elif label == "group":
                yield _bad("face", tag, src, ident, "multiple_faces")
            elif label == "occluded":
                yield _bad("face", tag, src, ident, "eyes_not_visible")
            elif label == "other":
                yield _bad("face", tag, src, ident, "no_face", "face_too_small")
        if not usable:
            continue
        face = faces[0]
        # ------------------------------------------------------------- degradations of a good photo
        yield _good(
            "face", f"{f}/webcam_jpeg", degrade.webcam_jpeg(degrade.expose(img, 0.85, rng, noise=2.0), 65), ident
        )
        yield _good("face", f"{f}/dim_ok", degrade.expose(img, rng.uniform(0.8, 0.9), rng, noise=2.5), ident)
        # defocus: a disk of 6-10 % of the face width (a 200 px face: 12-20 px across)
        for k in (0.03, 0.05):
            r = k * fw
            yield _bad(
                "face", f"{f}/defocus{k}", degrade.webcam_jpeg(degrade.defocus_disk(img, r), 80), ident, "blurry"
            )
        # motion: a streak of 10-16 % of the face width (16-27 px on a 170 px face at 720p)
        for k, ang in ((0.10, 0), (0.16, 70)):
            yield _bad(
                "face", f"{f}/motion{k}", degrade.motion_blur(img, k * fw, ang + rng.uniform(-10, 10)), ident, "blurry"
            )
        yield _bad("face", f"{f}/under", degrade.expose(img, 0.07, rng, noise=3.0), ident, "too_dark")
        yield _bad("face", f"{f}/over", degrade.expose(img, 5.0, rng, noise=2.0), ident, "too_bright")
        # a kiosk frame with the person far away (about 2 m): face 60-100 px wide in 1280x720
        scale = rng.uniform(60, 100) / fw
        small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        bg = synth.room_background(seed=int(rng.integers(1000)))
        sh, sw = small.shape[:2]
        if sh < 700 and sw < 1260:
            frame = bg.copy()
            y0, x0 = (720 - sh) // 2, (1280 - sw) // 2
            frame[y0 : y0 + sh, x0 : x0 + sw] = small
            yield _bad("face", f"{f}/far", frame, ident, "face_too_small", live=True)
        # the face near the side of a kiosk frame
        fx = face.center[0]
        scale = 300 / fw
        big = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        bh, bw = big.shape[:2]
        if bh >= 400:
            frame = synth.room_background(seed=int(rng.integers(1000)))
            cy = face.center[1] * scale
            y0 = int(360 - cy)
            x0 = int(1280 * 0.88 - fx * scale)
            ys, ye = max(0, y0), min(720, y0 + bh)
            xs, xe = max(0, x0), min(1280, x0 + bw)
            frame[ys:ye, xs:xe] = big[ys - y0 : ye - y0, xs - x0 : xe - x0]
            yield _bad("face", f"{f}/off_side", frame, ident, "face_off_center", live=True)


def _portrait(img: np.ndarray, det: FaceDetector) -> np.ndarray | None:
    faces = det.detect(img, long_side=640)
    if not faces:
        return None
    return specimen.id_photo(img, faces[0].box)


def card_samples(real_dir: Path, det: FaceDetector, rng: np.random.Generator, *, every: int = 1) -> Iterator[Sample]:
    """Card-stage samples: specimen cards carrying the real frontal portraits, on desks, held in
    hands (fingers over the edges, a palm behind), as flatbed scans; their degradations; the back
    of the card; and real photographs with no card at all."""
    photos = [(f, lab, img) for f, lab, img in load_real(real_dir)]
    kinds = ("wood", "dark", "cloth", "light")
    n_cards = 0
    n_portraits = 0
    for f, lab, img in photos:
        if lab["label"] != "frontal" or min(img.shape[:2]) < 240:
            continue
        portrait = _portrait(img, det)
        if portrait is None:
            continue
        n_portraits += 1
        if (n_portraits - 1) % every:
            continue  # --quick: cards for every n-th portrait only
        ident = _ident(f, lab)
        i = n_cards
        n_cards += 1
        card = synth.specimen_card(portrait)
        tone = synth_scenes.skin_tone(rng)

        def pose(width: float, *, cx: float = 640, cy: float = 360, ang: float = 0, tx: float = 0, ty: float = 0):
            return synth.CardPose((cx, cy), width, ang, tx, ty)

        def on_desk(p: synth.CardPose, kind: str, card_img: np.ndarray = card, gain: float = 0.86) -> np.ndarray:
            bg = synth.desk_background(seed=int(rng.integers(10_000)), kind=kind)
            return synth.compose_card_scene(card_img, bg, synth.card_corners(p), gain=gain, rng=rng)

        def in_hand(
            p: synth.CardPose, card_img: np.ndarray = card, gain: float = 0.86, tone: np.ndarray = tone
        ) -> np.ndarray:
            q = synth.card_corners(p)
            bg = synth_scenes.palm_background(1280, 720, tone, rng)
            scene = synth.compose_card_scene(card_img, bg, q, gain=gain, rng=rng)
            return synth_scenes.add_fingers(scene, q, rng, tone=tone, count=int(rng.integers(2, 4)))

        def random_pose() -> synth.CardPose:
            return pose(
                rng.uniform(0.5, 0.7) * 1280,
                cx=640 + rng.uniform(-50, 50),
                cy=360 + rng.uniform(-25, 25),
                ang=rng.uniform(-7, 7),
                tx=rng.uniform(-10, 10),
                ty=rng.uniform(-10, 10),
            )

        # ---------------------------------------------------------------------- good
        for j in range(3):
            scene = on_desk(random_pose(), kinds[(i + j) % 4], gain=rng.uniform(0.75, 0.95))
            yield _good("card", f"card:{f}/desk{j}", degrade.webcam_jpeg(scene, int(rng.integers(65, 90))), ident)
        for j in range(3):
            scene = in_hand(random_pose(), gain=rng.uniform(0.75, 0.95))
            yield _good("card", f"card:{f}/hand{j}", degrade.webcam_jpeg(scene, int(rng.integers(65, 90))), ident)
        yield _good(
            "card", f"card:{f}/scan", synth_scenes.scanner_bed(card, rng, dpi_scale=rng.uniform(0.8, 1.2)), ident
        )
        yield _good("card", f"card:{f}/scan_crop", card.copy(), ident)
        # ---------------------------------------------------------------------- bad
        ref_pose = pose(780, ang=rng.uniform(-4, 4), tx=rng.uniform(-6, 6))
        desk_kind = kinds[i % 4]

        def on_own_desk(p: synth.CardPose, desk_kind: str = desk_kind, **kw: float) -> np.ndarray:
            return on_desk(p, desk_kind, **kw)

        holder = in_hand if i % 2 else on_own_desk
        ref = holder(ref_pose)
        # defocus: disk radius 1.0-1.8 % of the card width (8-14 px on a 780 px card)
        yield _bad(
            "card", f"card:{f}/defocus", degrade.defocus_disk(ref, rng.uniform(0.010, 0.018) * 780), ident, "blurry"
        )
        yield _bad(
            "card",
            f"card:{f}/motion",
            degrade.motion_blur(ref, rng.uniform(0.025, 0.04) * 780, rng.uniform(0, 180)),
            ident,
            "blurry",
        )
        yield _bad("card", f"card:{f}/under", degrade.expose(ref, 0.08, rng, noise=3.0), ident, "too_dark")
        yield _bad("card", f"card:{f}/over", degrade.expose(ref, 4.0, rng, noise=2.0), ident, "too_bright")
        q = synth.card_corners(ref_pose)
        c = q.mean(axis=0)
        gx, gy = c[0] + rng.uniform(-0.3, 0.3) * 780, c[1] + rng.uniform(-0.15, 0.15) * 490
        g = degrade.specular_glare(ref, (gx, gy), rng.uniform(0.035, 0.06) * 780, angle=rng.uniform(0, 180))
        yield _bad("card", f"card:{f}/glare", degrade.webcam_jpeg(g, 85), ident, "glare")
        far = holder(pose(rng.uniform(280, 380), cx=640 + rng.uniform(-150, 150), cy=360 + rng.uniform(-80, 80)))
        yield _bad("card", f"card:{f}/far", far, ident, "card_too_small")
        side = rng.choice(["left", "right", "bottom", "top"])
        cx, cy = {"left": (230, 360), "right": (1050, 360), "bottom": (640, 640), "top": (640, 80)}[side]
        yield _bad("card", f"card:{f}/cut_{side}", holder(pose(820, cx=cx, cy=cy)), ident, "card_cut_off")
        yield _bad(
            "card",
            f"card:{f}/rotated",
            holder(pose(620, ang=rng.choice([-1, 1]) * rng.uniform(25, 35))),
            ident,
            "card_tilted",
        )
        yield _bad(
            "card",
            f"card:{f}/steep",
            holder(pose(700, tx=rng.choice([-1, 1]) * rng.uniform(42, 50))),
            ident,
            "card_tilted",
        )
        back = synth_scenes.render_card_back(variant=i)
        yield _bad(
            "card",
            f"card:{f}/back_desk",
            on_desk(random_pose(), kinds[(i + 2) % 4], card_img=back),
            ident,
            "card_wrong_side",
        )
        yield _bad("card", f"card:{f}/back_hand", in_hand(random_pose(), card_img=back), ident, "card_wrong_side")
        if i % 3 == 0:
            yield _bad("card", f"card:{f}/back_scan", synth_scenes.scanner_bed(back, rng), ident, "card_wrong_side")
    # ------------------------------------------------------------------------ no card at all
    for f, lab, img in photos:
        if min(img.shape[:2]) >= 400 and lab["label"] in ("other", "group", "turned"):
            yield _bad("card", f"nocard:{f}", img, _ident(f, lab), "no_card")
    for k, kind in enumerate(("wood", "dark", "cloth", "light")):
        yield _bad("card", f"nocard:desk_{kind}", synth.desk_background(seed=70 + k, kind=kind), "none", "no_card")
    for k in range(3):
        bg = synth_scenes.palm_background(1280, 720, synth_scenes.skin_tone(rng), rng)
        yield _bad("card", f"nocard:palm{k}", bg, "none", "no_card")
