"""Where the kiosk's read-only resources are (model, fonts, translations, theme, demo people).

In a source checkout they are in ``resources/`` beside the ``kiosk`` package; in a PyInstaller
bundle they are under the bundle's data folder (``sys._MEIPASS``); ``$KIOSK_RESOURCES`` overrides
both (used by installers that put them elsewhere). Pure and thread-safe.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The folder that holds ``models/``, ``fonts/``, ``i18n/``, ``theme/`` and ``demo_people/``."""
    override = os.environ.get("KIOSK_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """A path inside :func:`resources_dir`, e.g. ``resource("models", "x.onnx")``."""
    return resources_dir().joinpath(*parts)
