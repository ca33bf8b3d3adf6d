"""Argument types and option checks shared by the subcommands (no Qt, no OpenCV).

* :func:`non_empty`: an argparse ``type`` for options whose empty value would silently mean
  "the default" (``--endpoint ""`` once fell back to the real Tencent endpoint): an empty value
  is a usage error (exit 2) instead;
* :func:`input_file_problem`: what is wrong with a file named by an option (missing, a folder,
  a named pipe, a device, a loop of symbolic links), in one line naming the option, checked
  before a command starts any work; nothing is opened.

Pure functions, thread-safe.
"""

from __future__ import annotations

import argparse
import os

from kiosk.core.bounded_read import BoundedReadError, check_regular_file

__all__ = ["input_file_problem", "non_empty"]


def non_empty(text: str) -> str:
    """``text`` unchanged; an empty (or blank) value raises ``ArgumentTypeError`` (exit 2)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty (leave the option out for the default)")
    return text


def input_file_problem(label: str, path: str | os.PathLike[str] | None) -> str | None:
    """``None`` when ``path`` is None or a regular file, else ``"LABEL: PATH: what it is"``."""
    if path is None:
        return None
    try:
        check_regular_file(path)
    except BoundedReadError as exc:
        return f"{label}: {exc}"
    return None
