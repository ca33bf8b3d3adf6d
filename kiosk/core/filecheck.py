"""Refuse files that someone else could have written, the way ssh treats its configuration.

The configuration file names the credential command the kiosk executes, and the credential
command prints the keys: if another local user can change either, they own the kiosk's cloud
account. :func:`unsafe_reason` says why a file (or its folder) is not trustworthy:

* the file is a symlink target, a folder or any of its parent folders that is writable by
  "others" (a world-writable folder is accepted only with the sticky bit, like ``/tmp``);
* the file is writable by its group while that group is not root's (gid 0) or the user's own;
* the file is owned by a user other than root or the current user.

POSIX only: on Windows the installer sets the ACLs (docs/installing.md) and this returns None.
Pure functions, thread-safe.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

__all__ = ["unsafe_reason"]


def _owner_ok(st: os.stat_result) -> bool:
    return st.st_uid in (0, os.getuid())  # type: ignore[attr-defined,unused-ignore]


def unsafe_reason(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` must not be trusted (None when it may be). Missing files return None (the
    caller reports those in its own words)."""
    if sys.platform == "win32" or not hasattr(os, "getuid"):
        return None
    p = Path(path)
    try:
        target = p.resolve(strict=True)
        st = target.stat()
    except (OSError, RuntimeError):
        return None
    if not _owner_ok(st):
        return f"{target} is owned by uid {st.st_uid} (must be root or uid {os.getuid()})"
    if st.st_mode & stat.S_IWOTH:
        return f"{target} is writable by every user (chmod o-w {target})"
    if st.st_mode & stat.S_IWGRP and st.st_gid not in (0, os.getgid()):
        return f"{target} is writable by group {st.st_gid} (chmod g-w {target})"
    for folder in target.parents:
        try:
            fst = folder.stat()
        except OSError:
            continue
        if fst.st_mode & stat.S_IWOTH and not fst.st_mode & stat.S_ISVTX:
            return f"{folder} (a folder of {target.name}) is writable by every user"
        if not _owner_ok(fst):
            return f"{folder} (a folder of {target.name}) is owned by uid {fst.st_uid}"
    return None
