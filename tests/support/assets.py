"""Where the tests find their photographs and documents: inside the repository, nowhere else.

- ``tests/assets/faces``, ``tests/assets/negatives``, ``tests/assets/docs``: copies listed with
  source, licence and sha256 in ``tests/assets/MANIFEST.md`` (tests/test_repository.py checks
  the manifest against the files).
- The public-domain / CC0 demo portraits the product already ships
  (``resources/demo_people/portraits``) are reused, not copied a second time: ``face(name)``
  looks there after ``tests/assets/faces``.

A missing file means a broken checkout: the test fails naming the path, it never skips.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
ASSETS = REPO / "tests" / "assets"
DEMO_PORTRAITS = REPO / "resources" / "demo_people" / "portraits"


def _existing(*candidates: Path) -> Path:
    for path in candidates:
        if path.is_file():
            return path
    pytest.fail(f"test asset missing: {' or '.join(str(p.relative_to(REPO)) for p in candidates)}")


def face(name: str) -> Path:
    """A photograph of one person: tests/assets/faces or the shipped demo portraits."""
    return _existing(ASSETS / "faces" / name, DEMO_PORTRAITS / name)


def negative(name: str) -> Path:
    """A photograph without a human face (a cat, a coffee cup)."""
    return _existing(ASSETS / "negatives" / name)


def doc(name: str) -> Path:
    """A reference document (the FaceID API notes and Tencent's official examples)."""
    return _existing(ASSETS / "docs" / name)


def image(path: Path) -> np.ndarray:
    """``path`` decoded as BGR; fails the test when OpenCV cannot read it."""
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        pytest.fail(f"test asset unreadable: {path}")
    return img
