"""Evaluate the emulator's face matcher on real photographs, through its HTTP interface.

    .venv/bin/python tools/eval_matcher.py [--real ../shared/assets/real] [--matcher auto|resnet|classic]
                                           [--no-card] [--calibration] [--json FILE]

The photo set is ``../shared/assets/real`` (``labels.json`` gives an ``identity`` per photo); it is
development material beside the repository, not part of it: when it is absent the tool says so
and exits 2.

**Pairs.** The identities with several photographs, each ordered pair of two different files:
``A`` is the registry portrait, ``B`` the probe. Same identity = same-person pair, else
different-person pair. ``person_001`` is left out: its two files are the same photograph (one a
downscaled copy), not a different-photo pair. ``person_011`` is identified by eye only
(unverified): it is included, and a second row leaves it out. The 150 x 150 pre-aligned chips
(``dlib_john_*``, ``faceapi_*``) are included as they are: the emulator up-scales small images
before detection; when it still finds no face the service's answer is an error code
(``LifePhotoDetectNoFaces`` / ``IdPhotoPoorQuality``), counted as *not passed*. Two files
(``inspireface_rd_d1/d2.jpeg``) are WebP, which ImageRecognitionV2 refuses (jpg/png only): they
are sent re-encoded as PNG (lossless) so that the matcher, not the format, is evaluated.

**How.** Every photo gets a generated fictional identity in an in-memory registry (portrait = the
photo, unchanged). An :class:`~kiosk.emulator.server.EmulatorServer` serves it on loopback and the
official SDK (``tencentcloud-sdk-python-faceid``) calls it:

- live face: ``ImageRecognitionV2`` with A's ID number and name and ``ImageBase64`` = B's file;
- card: ``CheckIdCardInformation`` with a specimen card of B's identity printed with an ID-style
  crop of **A** (the kiosk's card upload: the rectified card with a 3 % margin, JPEG q90), so the
  card portrait (A) is compared with B's registry portrait.

A pair passes when ``Result`` is ``Success`` (``Sim`` >= 70). Targets (issue 14): same-person pass
rate >= 95 %, different-person pass rate <= 1 %.

``--calibration`` also scores every pair of the labelled single-face photos in-process (no HTTP:
about 7,000 different-person pairs) and prints the distance/Sim operating points used in
docs/matcher-calibration.md (ResNet matcher only).
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

DEFAULT_REAL = ROOT.parent / "shared" / "assets" / "real"
# caveats of the development set's MANIFEST.md (other sets: --same-photo / --unverified)
SAME_PHOTO = {"person_001"}  # the same photograph twice: not a different-photo pair
UNVERIFIED = {"person_011"}  # identified by eye only
CARD_MARGIN = 0.03


@dataclass
class Tally:
    """Pass counts and the answers behind them for one path."""

    same: list[tuple[str, str, str, float | None]] = field(default_factory=list)  # (A, B, result, Sim)
    different: list[tuple[str, str, str, float | None]] = field(default_factory=list)

    def add(self, same: bool, a: str, b: str, result: str, sim: float | None) -> None:
        (self.same if same else self.different).append((a, b, result, sim))

    @staticmethod
    def rate(rows: list[tuple[str, str, str, float | None]], skip: set[str] | None = None) -> tuple[int, int]:
        kept = [r for r in rows if not skip or not ({r[0], r[1]} & skip)]
        return sum(r[2] == "Success" for r in kept), len(kept)


def _load_set(real: Path) -> tuple[dict[str, str], dict[str, Any]]:
    labels = json.loads((real / "labels.json").read_text(encoding="utf-8"))
    counts = Counter(v["identity"] for v in labels.values() if v.get("identity"))
    files = {
        name: v["identity"]
        for name, v in sorted(labels.items())
        if v.get("identity") and counts[v["identity"]] > 1 and v["identity"] not in SAME_PHOTO
    }
    return files, labels


def _registry(real: Path, files: dict[str, str], seed: int) -> tuple[Any, dict[str, Any]]:
    from kiosk.emulator.enroll import fictional_person
    from kiosk.emulator.registry import Registry, RegistryEntry

    rng = random.Random(seed)  # noqa: S311  (fictional identities)
    people: dict[str, Any] = {}
    used: set[str] = set()
    for name in files:
        person = fictional_person(rng)
        while person.id_number in used:
            person = fictional_person(rng)
        used.add(person.id_number)
        people[name] = person
    entries = [RegistryEntry(p, real / name) for name, p in people.items()]
    return Registry(entries, source=str(real)), people


def _card_upload(person: Any, photo: np.ndarray, matcher: Any) -> str:
    """The kiosk's card upload for a specimen card of ``person`` printed with ``photo``'s face."""
    from kiosk.core.specimen import id_photo, render_specimen

    faces = matcher.faces(photo)
    portrait = id_photo(photo, faces[0].box) if faces else photo
    card = render_specimen(person, portrait)
    h, w = card.shape[:2]
    my, mx = round(h * CARD_MARGIN), round(w * CARD_MARGIN)
    card = cv2.copyMakeBorder(card, my, my, mx, mx, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    ok, buf = cv2.imencode(".jpg", card, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return base64.b64encode(buf.tobytes()).decode("ascii")


def _probe_b64(path: Path) -> str:
    """The photo as ``ImageBase64``: its own bytes when JPEG/PNG (the formats ImageRecognitionV2
    takes), else re-encoded as PNG, losslessly (two set files are WebP named .jpeg; the kiosk
    always uploads JPEG, so the format is not what is evaluated here)."""
    data = path.read_bytes()
    if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")):
        ok, buf = cv2.imencode(".png", cv2.imread(str(path), cv2.IMREAD_COLOR))
        assert ok, path
        data = buf.tobytes()
    return base64.b64encode(data).decode("ascii")


def _call(fn: Any, req: Any) -> tuple[str, float | None]:
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

    try:
        resp = fn(req)
    except TencentCloudSDKException as exc:
        return f"error:{exc.get_code()}", None
    return str(resp.Result), (float(resp.Sim) if resp.Sim is not None else None)


def evaluate(real: Path, kind: str, *, card: bool, seed: int, progress: bool = True) -> dict[str, Any]:
    """Run every ordered pair through the emulator; returns tallies and timing."""
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.faceid.v20180301 import faceid_client, models

    from kiosk.emulator.matcher import describe, make_matcher
    from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer

    files, _ = _load_set(real)
    registry, people = _registry(real, files, seed)
    matcher = make_matcher(kind)  # type: ignore[arg-type]
    unlimited = {"CheckIdCardInformation": 1_000_000, "ImageRecognitionV2": 1_000_000}
    face_tally, card_tally = Tally(), Tally()
    started = time.perf_counter()
    with EmulatorServer(registry=registry, port=0, rate_limits=unlimited, matcher=matcher) as emu:
        http = HttpProfile(protocol=emu.scheme, endpoint=emu.endpoint, reqTimeout=60)
        client = faceid_client.FaceidClient(
            credential.Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY), "", ClientProfile(httpProfile=http)
        )
        raw = {name: _probe_b64(real / name) for name in files}
        pairs = list(itertools.permutations(files, 2))
        for i, (a, b) in enumerate(pairs):
            req = models.ImageRecognitionV2Request()
            req.IdCard, req.Name, req.ImageBase64 = people[a].id_number, people[a].name, raw[b]
            face_tally.add(files[a] == files[b], a, b, *_call(client.ImageRecognitionV2, req))
            if progress and i % 100 == 0:
                print(f"  face {i}/{len(pairs)}", file=sys.stderr, flush=True)
        if card:
            photos = {name: cv2.imread(str(real / name), cv2.IMREAD_COLOR) for name in files}
            for i, (a, b) in enumerate(pairs):
                req = models.CheckIdCardInformationRequest()
                req.ImageBase64 = _card_upload(people[b], photos[a], matcher)
                card_tally.add(files[a] == files[b], a, b, *_call(client.CheckIdCardInformation, req))
                if progress and i % 100 == 0:
                    print(f"  card {i}/{len(pairs)}", file=sys.stderr, flush=True)
    return {
        "matcher": describe(matcher),
        "files": len(files),
        "identities": len(set(files.values())),
        "seconds": time.perf_counter() - started,
        "face": face_tally,
        "card": card_tally if card else None,
    }


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} = {100.0 * n / d:.1f} %" if d else "-"


_TITLES = {
    "face": "ImageRecognitionV2 (live B vs registry A)",
    "card": "CheckIdCardInformation (card A vs registry B)",
}


def report(result: dict[str, Any]) -> str:
    """The results as a Markdown table plus the failures worth reading."""
    lines = [
        f"matcher: {result['matcher']}",
        f"photos: {result['files']} of {result['identities']} identities"
        + (f" (left out, same photo twice: {', '.join(sorted(SAME_PHOTO))})" if SAME_PHOTO else ""),
        "",
        "| path | pairs | same person passed (target >= 95 %) | different people passed (target <= 1 %) |",
        "|---|---|---|---|",
    ]
    for path in ("face", "card"):
        tally: Tally | None = result[path]
        if tally is None:
            continue
        title = _TITLES[path]
        rows: list[tuple[str, set[str] | None]] = [("all", None)]
        if UNVERIFIED:
            rows.append((f"without {', '.join(sorted(UNVERIFIED))}", _files_of(tally, UNVERIFIED)))
        for label, skip in rows:
            same = Tally.rate(tally.same, skip)
            diff = Tally.rate(tally.different, skip)
            lines.append(f"| {title}, {label} | {same[1] + diff[1]} | {_pct(*same)} | {_pct(*diff)} |")
    for path in ("face", "card"):
        tally = result[path]
        if tally is None:
            continue
        lines.append("")
        missed = [r for r in tally.same if r[2] != "Success"]
        false = [r for r in tally.different if r[2] == "Success"]
        lines.append(f"{path}: same-person pairs not passed ({len(missed)}):")
        lines += [f"  {a} -> {b}: {res} Sim {sim}" for a, b, res, sim in missed]
        lines.append(f"{path}: different-person pairs passed ({len(false)}):")
        lines += [f"  {a} -> {b}: Sim {sim}" for a, b, _, sim in false]
        errors = Counter(r[2] for r in tally.same + tally.different if r[2] != "Success")
        lines.append(f"{path}: answers other than Success: {dict(errors)}")
        sims = [r[3] for r in tally.same if r[3] is not None]
        dsims = [r[3] for r in tally.different if r[3] is not None]
        if sims and dsims:
            lines.append(
                f"{path}: Sim same person min/median {min(sims):.1f}/{np.median(sims):.1f}; "
                f"different people median/max {np.median(dsims):.1f}/{max(dsims):.1f}"
            )
    lines.append(f"\ntime: {result['seconds']:.0f} s")
    return "\n".join(lines)


def _files_of(tally: Tally, identities: set[str]) -> set[str]:
    names = {r[0] for r in tally.same + tally.different} | {r[1] for r in tally.same + tally.different}
    return {n for n in names if _IDENTITY.get(n) in identities}


_IDENTITY: dict[str, str] = {}


def calibration(real: Path) -> str:
    """Distances of all labelled single-face photos (ResNet matcher, in-process)."""
    from kiosk.emulator.matcher import make_matcher
    from kiosk.emulator.matcher_resnet import similarity_from_distance

    labels = json.loads((real / "labels.json").read_text(encoding="utf-8"))
    m = make_matcher("resnet")
    templates: dict[str, Any] = {}
    timings: list[float] = []
    for name, lab in sorted(labels.items()):
        if not lab.get("identity") or lab.get("faces") != 1:
            continue
        image = cv2.imread(str(real / name), cv2.IMREAD_COLOR)
        if image is None:
            continue
        t0 = time.perf_counter()
        t = m.template(image)
        timings.append(time.perf_counter() - t0)
        if t is not None:
            templates[name] = t
    genuine, impostor = [], []
    for a, b in itertools.combinations(sorted(templates), 2):
        ia, ib = labels[a]["identity"], labels[b]["identity"]
        if ia == ib and ia in SAME_PHOTO:
            continue
        (genuine if ia == ib else impostor).append(m.distance(templates[a], templates[b]))  # type: ignore[attr-defined]
    g, i = np.array(genuine), np.array(impostor)
    out = [
        f"calibration: {len(templates)} photos with a face, {len(g)} same-person pairs, "
        f"{len(i)} different-person pairs",
        f"template time per photo (detect + align + descriptor): median {1000 * np.median(timings):.0f} ms",
        f"same-person distance min/median/max {g.min():.3f}/{np.median(g):.3f}/{g.max():.3f}",
        f"different-person distance min/0.1 %/1 %/median {i.min():.3f}/{np.quantile(i, 0.001):.3f}/"
        f"{np.quantile(i, 0.01):.3f}/{np.median(i):.3f}",
        "",
        "| distance | Sim | same-person pairs passed | different-person pairs passed |",
        "|---|---|---|---|",
    ]
    for th in (0.40, 0.45, 0.50, 0.55, 0.58, 0.60, 0.65):
        same, diff = int(np.sum(g < th)), int(np.sum(i < th))
        out.append(
            f"| {th:.2f} | {similarity_from_distance(th):.1f} | {same}/{len(g)} = {100 * same / len(g):.1f} % "
            f"| {diff}/{len(i)} = {100 * diff / len(i):.2f} % |"
        )
    return "\n".join(out)


def _ids(given: str | None, default: str) -> set[str]:
    text = default if given is None else given
    return {part.strip() for part in text.split(",") if part.strip()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", type=Path, default=DEFAULT_REAL, help="folder with labels.json and the photos")
    parser.add_argument("--matcher", choices=("auto", "resnet", "classic"), default="auto")
    parser.add_argument("--no-card", action="store_true", help="skip the CheckIdCardInformation path")
    parser.add_argument("--calibration", action="store_true", help="also print the in-process operating points")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fictional identities")
    parser.add_argument("--json", type=Path, help="write every answer to this file")
    parser.add_argument(
        "--same-photo",
        metavar="IDS",
        help="comma-separated identities whose files are one photograph (left out; default for the "
        "development set: person_001, else none)",
    )
    parser.add_argument(
        "--unverified",
        metavar="IDS",
        help="comma-separated identities known by eye only (a second row leaves them out; default for the "
        "development set: person_011, else none)",
    )
    args = parser.parse_args(argv)
    default_set = args.real.resolve() == DEFAULT_REAL.resolve()
    SAME_PHOTO.clear()
    SAME_PHOTO.update(_ids(args.same_photo, "person_001" if default_set else ""))
    UNVERIFIED.clear()
    UNVERIFIED.update(_ids(args.unverified, "person_011" if default_set else ""))
    if not (args.real / "labels.json").is_file():
        print(
            f"eval_matcher: the real photographs are not here: {args.real} (expected labels.json; the set lives in "
            "../shared/assets/real beside the repository, development machines only). Nothing evaluated.",
            file=sys.stderr,
        )
        return 2
    try:
        import tencentcloud.faceid  # noqa: F401
    except ImportError:
        print("eval_matcher: the official SDK is not installed (pip install -e '.[test]')", file=sys.stderr)
        return 2
    files, _ = _load_set(args.real)
    _IDENTITY.update(files)
    result = evaluate(args.real, args.matcher, card=not args.no_card, seed=args.seed)
    print(report(result))
    if args.calibration:
        print()
        print(calibration(args.real))
    if args.json:
        dump = {k: (v.__dict__ if isinstance(v, Tally) else v) for k, v in result.items()}
        args.json.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
