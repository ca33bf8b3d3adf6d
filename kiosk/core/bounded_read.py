"""Read a small file the way a kiosk must: a regular file only, and never more than a bound.

Every file named on the command line or in the configuration (a PEM key, a registry's
``people.json``, a person file, an image, the configuration itself) is read through
:func:`read_bytes_bounded` or :func:`read_text_bounded`; :func:`check_regular_file` says what a
path is without opening it (a command checks its options before it starts):

* FIFOs, devices, sockets and folders are refused, by name, before they are opened (opening a
  FIFO for reading blocks until a writer comes; ``/dev/zero`` never ends);
* the size is bounded by reading at most ``max_bytes + 1`` bytes, not by trusting ``stat`` (a
  file can grow while it is read).

Failures raise :class:`BoundedReadError` whose ``reason`` is ``missing``, ``not_a_file``,
``too_large``, ``unreadable`` or ``not_text``, and whose message is one plain line for a user.

Pure functions, thread-safe.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = ["BoundedReadError", "check_regular_file", "read_bytes_bounded", "read_text_bounded"]


class BoundedReadError(ValueError):
    """A file was refused; ``reason`` is a stable word, ``str()`` a line for a user."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in words a technician knows."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "not a regular file (a named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "not a regular file (a device)"
    if stat.S_ISSOCK(mode):
        return "not a regular file (a socket)"
    return "not a regular file"


def check_regular_file(path: str | os.PathLike[str]) -> None:
    """Raise :class:`BoundedReadError` unless ``path`` is an existing regular file (after links).

    Nothing is opened: a FIFO or a device is named for what it is (``missing``, ``not_a_file``
    or ``unreadable``, e.g. a loop of symbolic links), so a command can refuse an option before
    it starts any work.
    """
    p = Path(path)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise BoundedReadError("missing", f"{p}: no such file") from None
    except NotADirectoryError:
        raise BoundedReadError("missing", f"{p}: no such file (a part of the path is not a folder)") from None
    except ValueError:  # an embedded NUL byte (from a config string) is no path at all
        shown = str(p).replace("\x00", "\\x00")
        raise BoundedReadError("missing", f"{shown}: not a valid file name (a NUL byte)") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop is OSError (ELOOP) or RuntimeError
        if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
            raise BoundedReadError("unreadable", f"{p}: cannot be read (a loop of symbolic links)") from None
        raise BoundedReadError("unreadable", f"{p}: cannot be read ({_why(exc)})") from None
    if not stat.S_ISREG(mode):
        raise BoundedReadError("not_a_file", f"{p}: {_kind(mode)}")


def _why(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


def read_bytes_bounded(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes``; raises :class:`BoundedReadError`."""
    p = Path(path)
    check_regular_file(p)
    try:
        # non-blocking open and a second check on the open file: a path swapped for a FIFO
        # between the check and the open neither blocks nor is read
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(p, flags)
        with os.fdopen(fd, "rb") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise BoundedReadError("not_a_file", f"{p}: {_kind(mode)}")
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise BoundedReadError("unreadable", f"{p}: cannot be read ({_why(exc)})") from None
    if len(data) > max_bytes:
        raise BoundedReadError("too_large", f"{p}: larger than {max_bytes} bytes")
    return data


def read_text_bounded(path: str | os.PathLike[str], max_bytes: int, encoding: str = "utf-8") -> str:
    """:func:`read_bytes_bounded` decoded with ``encoding`` (a UTF-8 byte-order mark is dropped)."""
    data = read_bytes_bounded(path, max_bytes)
    try:
        return data.decode("utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding)
    except UnicodeDecodeError:
        raise BoundedReadError("not_text", f"{Path(path)}: not {encoding} text") from None
