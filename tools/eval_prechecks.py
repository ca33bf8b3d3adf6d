"""Evaluate the local prechecks on a labelled set built from the shared assets.

    .venv/bin/python tools/eval_prechecks.py [--assets ../shared/assets] [--json] [--save DIR]

Labels come from how each image was MADE (a defocus of known size, a gain, a second face of
known size, a card moved partly out of the frame...), never from the detector. The only use of
the detector is on the *source* photographs, to know where the face is before we blur it
relative to the face size or cover the eyes; the test image itself is labelled by construction.

Prints, per class: how many bad images were caught (``ok`` false) and how many were caught with
the expected code; and the false-rejection rate of the good images (with their problems).
Exit 0 if caught >= 95 % and false rejections <= 5 %, else 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.core.vision import synth  # noqa: E402
from kiosk.core.vision.detector import FaceDetector  # noqa: E402
from kiosk.core.vision.quality import assess  # noqa: E402
from kiosk.core.vision.virtual_camera import VirtualCamera, VirtualScript  # noqa: E402


@dataclass
class Sample:
    kind: str  # "face" | "card"
    label: str  # "good" or the expected problem code
    name: str
    image: np.ndarray | None


def _gain(img: np.ndarray, g: float, offset: float = 0.0) -> np.ndarray:
    return np.clip(img.astype(np.float32) * g + offset, 0, 255).astype(np.uint8)


def _noise(img: np.ndarray, rng: np.random.Generator, sigma: float = 2.0) -> np.ndarray:
    return np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


def _rotate(img: np.ndarray, deg: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REFLECT)


def _centre_on_face(img: np.ndarray, cx: float) -> np.ndarray:
    """Crop the photo's sides so the face is horizontally centred (a customer faces the camera)."""
    w = img.shape[1]
    half = int(min(cx, w - cx))
    return img[:, int(cx) - half : int(cx) + half].copy()


def face_samples(assets: Path, det: FaceDetector, rng: np.random.Generator) -> Iterator[Sample]:
    photos = {p.stem: cv2.imread(str(p)) for p in sorted((assets / "faces").iterdir())}
    usable = {k: v for k, v in photos.items() if min(v.shape[:2]) >= 300}
    names = sorted(usable)
    for i, name in enumerate(names):
        img = usable[name]
        face = det.detect(img)[0]  # where the face is in the SOURCE photo (for construction only)
        other = usable[names[(i + 1) % len(names)]]
        # ---------------- good
        yield Sample("face", "good", f"{name}/original", img)
        yield Sample(
            "face",
            "good",
            f"{name}/jpeg85",
            cv2.imdecode(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])[1], cv2.IMREAD_COLOR),
        )
        centred = _centre_on_face(img, face.center[0])
        for j in range(8):  # kiosk frames: size, position, exposure, noise, compression, head roll
            # no more than 1.3x upscaling: a photo blown up further is blurry by construction
            hf = min(rng.uniform(0.85, 1.35), 1.3 * centred.shape[0] / 720)
            bg = synth.room_background(seed=10 * i + j)
            scene = synth.compose_face_scene(
                centred,
                bg,
                height_frac=hf,
                center=(rng.uniform(0.45, 0.55), 0.5 + 0.1 * (hf - 1)),
                rng=rng,
                noise=rng.uniform(1.0, 3.5),
            )
            scene = _gain(scene, rng.uniform(0.75, 1.1))
            if j % 3 == 1:
                scene = _rotate(scene, rng.uniform(-5, 5))
            if j % 2:
                scene = cv2.imdecode(cv2.imencode(".jpg", scene, [cv2.IMWRITE_JPEG_QUALITY, 80])[1], cv2.IMREAD_COLOR)
            yield Sample("face", "good", f"{name}/kiosk{j}", scene)
        for g in (0.8, 1.1):
            yield Sample("face", "good", f"{name}/gain{g}", _noise(_gain(img, g), rng))
        small_by = other
        scene = synth.compose_face_scene(
            img,
            synth.room_background(seed=i),
            height_frac=1.05,
            bystanders=[(small_by, 0.15, (0.12, 0.3))],
            rng=rng,
        )
        yield Sample("face", "good", f"{name}/bystander", scene)
        # ---------------- bad
        fw = face.box[2]
        for k in (1.5, 2.5, 4.0):
            yield Sample("face", "blurry", f"{name}/blur{k}", synth.defocus(img, k * fw / 160))
        yield Sample("face", "too_dark", f"{name}/dark", _noise(_gain(img, 0.25), rng, 1.5))
        yield Sample("face", "too_bright", f"{name}/bright", _gain(img, 1.7, 60))
        two = synth.compose_face_scene(
            img,
            synth.room_background(seed=i + 3),
            height_frac=0.85,
            center=(0.3, 0.5),
            bystanders=[(other, 0.85, (0.72, 0.5))],
            rng=rng,
        )
        yield Sample("face", "multiple_faces", f"{name}/two_faces", two)
        yield Sample(
            "face",
            "face_too_small",
            f"{name}/far",
            synth.compose_face_scene(
                img, synth.room_background(seed=i + 4), height_frac=0.3, center=(0.5, 0.45), rng=rng
            ),
        )
        for cx in (0.12, 0.88):
            yield Sample(
                "face",
                "face_off_center",
                f"{name}/off{cx}",
                synth.compose_face_scene(
                    img, synth.room_background(seed=i + 5), height_frac=0.9, center=(cx, 0.5), rng=rng
                ),
            )
        for deg in (32, -35):
            rot = _rotate(img, deg)
            yield Sample("face", "face_turned", f"{name}/roll{deg}", rot)
        covered = img.copy()
        re, le = face.landmarks[0], face.landmarks[1]
        d = float(np.hypot(*(le - re)))
        for ex, ey in (re, le):  # dark glasses
            cv2.ellipse(covered, (int(ex), int(ey)), (int(0.42 * d), int(0.3 * d)), 0, 0, 360, (18, 18, 18), -1)
        cv2.line(covered, tuple(int(v) for v in re), tuple(int(v) for v in le), (18, 18, 18), max(2, int(0.08 * d)))
        yield Sample("face", "eyes_not_visible", f"{name}/sunglasses", covered)
        thumb = cv2.resize(img, (160, round(160 * img.shape[0] / img.shape[1])))
        yield Sample("face", "image_too_small", f"{name}/thumb", thumb)
    yield Sample("face", "image_too_small", "codait_bryan/original", photos["codait_bryan"])
    for p in sorted((assets / "negatives").iterdir()):
        yield Sample("face", "no_face", f"{p.stem}", cv2.imread(str(p)))
    for s in range(3):
        yield Sample("face", "no_face", f"room{s}", synth.room_background(seed=100 + s))
    yield Sample("face", "unreadable_image", "corrupt", None)


def card_samples(assets: Path, rng: np.random.Generator) -> Iterator[Sample]:
    photos = [cv2.imread(str(p)) for p in sorted((assets / "faces").iterdir())]
    kinds = ("wood", "dark", "cloth", "light")
    for i, portrait in enumerate(photos):
        card = synth.specimen_card(portrait)

        def scene(
            pose: synth.CardPose,
            *,
            seed: int,
            kind: str,
            thumb: bool = False,
            gain: float = 0.86,
            card_img: np.ndarray = card,
        ) -> np.ndarray:
            q = synth.card_corners(pose)
            img = synth.compose_card_scene(card_img, synth.desk_background(seed=seed, kind=kind), q, gain=gain, rng=rng)
            return synth.add_thumb(img, q) if thumb else img

        # ---------------- good
        for j in range(10):
            pose = synth.CardPose(
                (640 + rng.uniform(-60, 60), 360 + rng.uniform(-30, 30)),
                rng.uniform(0.45, 0.68) * 1280,
                rng.uniform(-8, 8),
                rng.uniform(-12, 12),
                rng.uniform(-12, 12),
            )
            img = scene(pose, seed=10 * i + j, kind=kinds[(i + j) % 4], thumb=j % 2 == 0, gain=rng.uniform(0.7, 0.97))
            if j % 3 == 2:
                img = cv2.imdecode(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 85])[1], cv2.IMREAD_COLOR)
            if j % 4 == 3:
                img = _noise(img, rng, 3.0)
            yield Sample("card", "good", f"card{i}/good{j}", img)
        yield Sample("card", "good", f"card{i}/rectified", _gain(card, 0.88))
        base = synth.CardPose((640, 360), 800, 2.0, 5.0, -4.0)
        ref = scene(base, seed=i, kind=kinds[i % 4])
        # ---------------- bad
        for k in (0.8, 1.5, 2.5, 4.0):
            yield Sample("card", "blurry", f"card{i}/blur{k}", synth.defocus(ref, k * 800 / 320))
        yield Sample("card", "too_dark", f"card{i}/dark", _noise(_gain(ref, 0.33), rng))  # a dim room
        yield Sample("card", "too_bright", f"card{i}/bright", _gain(ref, 1.6, 30))
        q = synth.card_corners(base)
        c = q.mean(axis=0)
        for r, (ox, oy) in ((0.05, (0.25, -0.12)), (0.07, (0.2, -0.1)), (0.1, (-0.25, 0.15))):
            yield Sample(
                "card",
                "glare",
                f"card{i}/glare{r}",
                synth.add_glare(ref, (float(c[0] + ox * 800), float(c[1] + oy * 800)), r * 800),
            )
        for name, pose in (
            ("cut_left", synth.CardPose((250, 360), 800, 2, 0, 0)),
            ("cut_right", synth.CardPose((1080, 380), 800, -3, 0, 0)),
            ("cut_bottom", synth.CardPose((640, 620), 800, 0, 5, 0)),
        ):
            yield Sample("card", "card_cut_off", f"card{i}/{name}", scene(pose, seed=i + 1, kind=kinds[(i + 1) % 4]))
        yield Sample(
            "card",
            "card_too_small",
            f"card{i}/far",
            scene(synth.CardPose((640, 360), 330, 2, 0, 0), seed=i + 2, kind=kinds[(i + 2) % 4]),
        )
        yield Sample(
            "card",
            "card_tilted",
            f"card{i}/rotated",
            scene(synth.CardPose((640, 360), 560, 25 if i % 2 else -28, 0, 0), seed=i + 3, kind=kinds[i % 4]),
        )
        yield Sample(
            "card",
            "card_tilted",
            f"card{i}/steep",
            scene(
                synth.CardPose((640, 360), 760, 0, 42 if i % 2 else 0, 0 if i % 2 else 45),
                seed=i + 4,
                kind=kinds[(i + 1) % 4],
            ),
        )
        yield Sample(
            "card", "image_too_small", f"card{i}/lowres", cv2.resize(ref, (480, 270), interpolation=cv2.INTER_AREA)
        )
    for k, kind in enumerate(kinds):
        yield Sample("card", "no_card", f"desk_{kind}", synth.desk_background(seed=50 + k, kind=kind))
    for p in sorted((assets / "negatives").iterdir()):
        yield Sample("card", "no_card", p.stem, cv2.imread(str(p)))
    for i, portrait in enumerate(photos):
        if min(portrait.shape[:2]) >= 400:
            yield Sample("card", "no_card", f"face_photo{i}", portrait)
    yield Sample("card", "unreadable_image", "corrupt", None)


def _frame_at(cam: VirtualCamera, t: float) -> np.ndarray:
    """Play the camera's current stage up to virtual time ``t`` (seconds) and return that frame."""
    frame = None
    while cam.frame_index <= round(t * cam.fps):
        frame = cam.read()
    assert frame is not None
    return frame


def session_samples(assets: Path) -> Iterator[Sample]:
    """Frames from scripted virtual-camera sessions, labelled by the script's phase at that time."""
    photos = [
        cv2.imread(str(assets / "faces" / n))
        for n in ("pexels_woman_neutral.jpeg", "grace_hopper.jpg", "codait_luciano.png")
    ]
    for i, face in enumerate(photos):
        other = photos[(i + 1) % len(photos)]
        desk = ("wood", "dark", "cloth")[i]
        s = VirtualScript(face_image=face, bystander_image=other, blurry_first=True, glare=True, desk=desk, seed=i)
        cam = VirtualCamera(s)
        cam.open()
        cam.set_stage("card")
        t_blur = s.enter_s + 0.5 * s.blurry_s
        t_glare = s.enter_s + s.blurry_s + 0.5 * s.glare_s
        t_settled = s.enter_s + s.blurry_s + s.glare_s + 0.5
        yield Sample("card", "blurry", f"session{i}/defocused", _frame_at(cam, t_blur))
        yield Sample("card", "glare", f"session{i}/glare", _frame_at(cam, t_glare))
        yield Sample("card", "good", f"session{i}/settled", _frame_at(cam, t_settled))
        yield Sample("card", "good", f"session{i}/settled2", _frame_at(cam, t_settled + 0.7))
        cam.set_stage("face")
        yield Sample("face", "good", f"session{i}/face_with_bystander", _frame_at(cam, 0.5))
        yield Sample("face", "good", f"session{i}/face_later", _frame_at(cam, 3.0))
        big = VirtualCamera(
            VirtualScript(
                face_image=face,
                bystander_image=other,
                bystander_height_frac=0.8,
                bystander_pos=(0.0, 0.1),
                face_height_frac=0.9,
                seed=i,
            )
        )
        big.open()
        big.set_stage("face")
        yield Sample("face", "multiple_faces", f"session{i}/second_person", _frame_at(big, 0.5))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--assets", type=Path, default=ROOT.parent / "shared" / "assets")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--save", type=Path, help="write every sample image here (for a look)")
    ap.add_argument("--verbose", action="store_true", help="list every miss and false rejection")
    ap.add_argument(
        "--seed", type=int, default=20261121, help="random poses/exposures (thresholds were set at the default)"
    )
    args = ap.parse_args(argv)
    missing = [d for d in ("faces", "negatives") if not (args.assets / d).is_dir()]
    if missing:
        print(
            f"eval_prechecks: no photo set at {args.assets} (missing {', '.join(d + '/' for d in missing)}). "
            "The default is the team's reference folder ../shared/assets beside the checkout, which is not "
            "part of the repository; pass --assets DIR (a folder with faces/ and negatives/).",
            file=sys.stderr,
        )
        return 2
    det = FaceDetector()
    rng = np.random.default_rng(args.seed)
    samples = [*face_samples(args.assets, det, rng), *card_samples(args.assets, rng), *session_samples(args.assets)]
    per: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    misses: list[str] = []
    t0 = time.perf_counter()
    for s in samples:
        a = assess(s.image, s.kind, detector=det) if s.image is not None else assess(None, s.kind, detector=det)
        c = per[(s.kind, s.label)]
        c["n"] += 1
        if s.label == "good":
            if not a.ok:
                c["rejected"] += 1
                misses.append(f"FALSE REJECT {s.kind} {s.name}: {','.join(a.problems)}")
        else:
            if not a.ok:
                c["caught"] += 1
            if s.label in a.problems:
                c["code"] += 1
            elif not a.ok:
                misses.append(f"other code   {s.kind} {s.name} ({s.label}): {','.join(a.problems)}")
            if a.ok:
                misses.append(f"MISSED       {s.kind} {s.name} ({s.label})")
        if args.save and s.image is not None:
            args.save.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(args.save / f"{s.kind}_{s.label}_{s.name.replace('/', '_')}.jpg"), s.image)
    elapsed = time.perf_counter() - t0
    bad_n = sum(c["n"] for (k, lab), c in per.items() if lab != "good")
    bad_caught = sum(c["caught"] for (k, lab), c in per.items() if lab != "good")
    bad_code = sum(c["code"] for (k, lab), c in per.items() if lab != "good")
    good_n = sum(c["n"] for (k, lab), c in per.items() if lab == "good")
    good_rej = sum(c["rejected"] for (k, lab), c in per.items() if lab == "good")
    summary = {
        "samples": len(samples),
        "bad": bad_n,
        "caught_rate": bad_caught / bad_n,
        "expected_code_rate": bad_code / bad_n,
        "good": good_n,
        "false_rejection_rate": good_rej / good_n,
        "per_class": {
            f"{k}:{lab}": (
                {"n": c["n"], "false_rejected": c["rejected"]}
                if lab == "good"
                else {"n": c["n"], "caught": c["caught"], "expected_code": c["code"]}
            )
            for (k, lab), c in sorted(per.items())
        },
        "seconds": round(elapsed, 1),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{'class':32} {'n':>4} {'caught':>8} {'code':>8}   (good: false rejections)")
        for (k, lab), c in sorted(per.items()):
            if lab == "good":
                print(f"{k + ':' + lab:32} {c['n']:>4} {'':>8} {'':>8}   {c['rejected']} rejected")
            else:
                print(f"{k + ':' + lab:32} {c['n']:>4} {c['caught']:>8} {c['code']:>8}")
        print(
            f"\nbad images:  {bad_caught}/{bad_n} caught = {100 * bad_caught / bad_n:.1f} %"
            f"  (with the expected code: {100 * bad_code / bad_n:.1f} %)"
        )
        print(f"good images: {good_rej}/{good_n} falsely rejected = {100 * good_rej / good_n:.1f} %")
        print(f"({len(samples)} samples; assess() took {elapsed:.1f} s in all, synthesis not counted)")
    if args.verbose or not args.json:
        for m in misses:
            print(m, file=sys.stderr if args.json else sys.stdout)
    ok = bad_caught / bad_n >= 0.95 and good_rej / good_n <= 0.05
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
