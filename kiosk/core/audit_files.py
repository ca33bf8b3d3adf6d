"""Who owns the audit files, and whether this process can append to them.

The audit folder belongs to the kiosk user (``/var/lib/kiosk/audit``, made by the package). A
staff command run as root (``kiosk verify``, ``kiosk doctor --export-audit``) must not leave an
``audit.jsonl`` (or a rotated one) that the kiosk user can no longer append to: the kiosk would
then refuse to start. :class:`OwnedRotatingFileHandler` therefore gives every file it creates or
opens to the owner of the folder when it runs as root; as any other user it changes nothing.

:func:`audit_write_problem` is the check ``kiosk doctor`` and ``kiosk run`` make before relying
on the trail: the folder and every file that will be appended to (the live file and, because
rotation renames them, the backups), not just the folder.

No Qt. Thread-safety: the handler inherits :class:`logging.handlers.RotatingFileHandler`'s lock.
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
import os
import stat
from pathlib import Path

__all__ = ["OwnedRotatingFileHandler", "audit_write_problem", "give_to_folder_owner"]

log = logging.getLogger(__name__)


def give_to_folder_owner(path: Path) -> None:
    """As root: make ``path`` belong to the owner and group of its folder (no-op otherwise,
    when the folder is root's own, or on platforms without ``os.chown``)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    try:
        folder = path.parent.stat()
        st = path.stat()
        if folder.st_uid != 0 and (st.st_uid, st.st_gid) != (folder.st_uid, folder.st_gid):
            os.chown(path, folder.st_uid, folder.st_gid)
    except OSError as exc:  # never lose an audit record over ownership
        log.warning("could not hand %s to the audit folder's owner: %s", path, exc.strerror)


class OwnedRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files stay the audit folder owner's when run as root."""

    def _open(self):  # type: ignore[no-untyped-def]  # (the base class's signature)
        # opened non-blocking and checked on the open file: an audit.jsonl that is a FIFO must
        # fail the write, not block the kiosk for ever in open() (a device such as /dev/full is
        # left to fail its writes, as a full disk does)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        fd = os.open(self.baseFilename, flags, 0o666)
        try:
            if _blocks(os.fstat(fd).st_mode):
                raise OSError(errno.EINVAL, "the audit file is a named pipe or a socket", self.baseFilename)
            stream = open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115 - the handler owns it
        except BaseException:
            os.close(fd)
            raise
        give_to_folder_owner(Path(self.baseFilename))
        return stream

    def doRollover(self) -> None:  # noqa: N802 - logging's name
        super().doRollover()
        for path in Path(self.baseFilename).parent.glob(Path(self.baseFilename).name + ".*"):
            give_to_folder_owner(path)


def audit_write_problem(directory: Path, file_name: str = "audit.jsonl") -> str | None:
    """Why this process could not append to the audit trail in ``directory``, or ``None``.

    Checks that the folder exists (or can be made) and is writable, and that the live file and
    any rotated files are writable by this process (rotation renames them and reopens the live
    one). Creates the folder if missing, but no file.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create the audit folder {directory} ({exc.strerror})"
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"the audit folder {directory} is not writable by this user ({_owner(directory)})"
    for path in sorted([directory / file_name, *directory.glob(file_name + ".*")]):
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:  # a loop of symbolic links, a broken mount
            return f"{path} cannot be opened ({exc.strerror or type(exc).__name__})"
        if _blocks(mode):
            return f"{path} is a named pipe or a socket, not a file"
        if not os.access(path, os.W_OK):
            return f"{path} is not writable by this user ({_owner(path)})"
    return None


def _blocks(mode: int) -> bool:
    """A FIFO or a socket: what an append would wait on (or fail at) rather than write to."""
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _owner(path: Path) -> str:
    try:
        st = path.stat()
        import pwd

        owner = pwd.getpwuid(st.st_uid).pw_name
    except (OSError, KeyError, ImportError):
        return "owner unknown"
    return f"owned by {owner}, mode {st.st_mode & 0o777:o}"
