"""PII-safe audit trail: one JSON object per line, rotated by size.

Records (``"kind"``):

* ``call``: one FaceID call: ``session_id``, ``action``, ``outcome_code`` (``Success``, a
  ``FailedOperation.*`` result, an error code or a transport code), ``request_id``, ``sim``,
  ``elapsed_ms``, ``masked_id``.
* ``session``: one session step or end: ``session_id``, ``step``, ``outcome_code``, plus optional
  ``attempt``, ``elapsed_ms``, ``masked_id``, ``reason_code``.
* ``staff``: a staff action (PIN accepted / refused, settings changed, export).

Every record also has ``ts`` (UTC ISO 8601) and ``kiosk_id``. Only the keys listed in
``_ALLOWED`` are written; string values that look like a full resident ID number are masked on
the way out, as a second line of defence. Names, images and secrets are never passed in.

Hostile values (docs/security.md): every string is cut to :data:`MAX_FIELD_CHARS` (a 6 MB
RequestId must not force a rotation per call and push genuine records out) and control, C1 and
bidi characters are written as ``\\uXXXX`` escapes (:mod:`kiosk.core.textsafe`).

A record that cannot be written (disk full, folder removed) never raises and never prints a
traceback: :attr:`AuditTrail.failure` keeps the last error (``None`` while healthy) and
:attr:`AuditTrail.failed_records` counts the records lost, for the verdict and the staff page.

Thread-safe: records may come from the GUI thread and from workers (the logging handler locks).
The trail owns its file handler; call :meth:`close` at exit.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path
from typing import Any

from kiosk.core import idnumber
from kiosk.core.audit_files import OwnedRotatingFileHandler, give_to_folder_owner
from kiosk.core.textsafe import clip, dumps

_ALLOWED = frozenset({
    "ts", "kind", "kiosk_id", "session_id", "action", "step", "outcome_code", "reason_code",
    "request_id", "sim", "elapsed_ms", "masked_id", "attempt", "billed", "detail", "staff_action",
})
_ID_LIKE = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9A-Za-z])|(?<![0-9])\d{15}(?![0-9])")


def default_audit_dir() -> Path:
    """The platform data folder for the audit trail."""
    if sys.platform == "win32":
        base = Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData"))
        return base / "kiosk" / "audit"
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "kiosk" / "audit"


#: longest string value in a record (``detail`` may be longer: :data:`MAX_DETAIL_CHARS`)
MAX_FIELD_CHARS = 200
MAX_DETAIL_CHARS = 1000


def _scrub(value: Any, limit: int = MAX_FIELD_CHARS) -> Any:
    if isinstance(value, str):
        return _ID_LIKE.sub(lambda m: idnumber.mask(m.group(0)), clip(value, limit))
    if isinstance(value, float):
        return round(value, 2)
    return value


class _AuditFileHandler(OwnedRotatingFileHandler):
    """Rotating file handler that remembers a failed write instead of printing a traceback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failure: str | None = None
        self.failed_records = 0

    def emit(self, record: logging.LogRecord) -> None:
        self._error: BaseException | None = None
        try:
            if self.shouldRollover(record):
                self.doRollover()
            logging.FileHandler.emit(self, record)  # calls handleError on a failed write
            if self._error is None and self.stream is not None:
                self.stream.flush()  # an ENOSPC surfaces here, not at close
        except Exception as exc:
            self._fail(exc)
        if self._error is None:
            self.failure = None

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging API
        self._fail(sys.exc_info()[1])

    def _fail(self, exc: BaseException | None) -> None:
        self._error = exc or OSError("audit write failed")
        self.failed_records += 1
        self.failure = f"{type(self._error).__name__}: {getattr(self._error, 'strerror', None) or self._error}"
        if self.stream is not None:  # drop what the buffer holds; the next record opens a fresh file
            with contextlib.suppress(Exception):
                self.stream.close()
            self.stream = None  # type: ignore[assignment]


class AuditTrail:
    """Writes audit records to ``directory/audit.jsonl`` (rotated: ``audit.jsonl.1`` ...)."""

    FILE_NAME = "audit.jsonl"

    def __init__(self, directory: str | os.PathLike[str], *, kiosk_id: str = "kiosk-01",
                 max_bytes: int = 5_000_000, backups: int = 10) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        give_to_folder_owner(self.directory)  # as root: the kiosk user's files stay its own
        self.kiosk_id = kiosk_id
        self._logger = logging.getLogger(f"kiosk.audit.{id(self)}")
        self._logger.propagate = False
        self._logger.setLevel(logging.INFO)
        self._handler = _AuditFileHandler(
            self.directory / self.FILE_NAME, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", delay=True
        )
        self._handler.setFormatter(logging.Formatter("%(message)s"))
        self._logger.addHandler(self._handler)

    # ---- writing ----------------------------------------------------------------------------
    def write(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Write one record; unknown keys are dropped. Returns the record as written."""
        record: dict[str, Any] = {
            "ts": _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds"),
            "kind": kind,
            "kiosk_id": self.kiosk_id,
        }
        for key, value in fields.items():
            if key in _ALLOWED and value is not None:
                record[key] = _scrub(value, MAX_DETAIL_CHARS if key == "detail" else MAX_FIELD_CHARS)
        self._logger.info(dumps(record, separators=(",", ":")))
        return record

    @property
    def failure(self) -> str | None:
        """The last write error (e.g. ``OSError: No space left on device``); None while healthy."""
        return self._handler.failure

    @property
    def failed_records(self) -> int:
        """Records that could not be written since this trail was opened."""
        return self._handler.failed_records

    def call(self, *, session_id: str, action: str, outcome_code: str, request_id: str, sim: float | None,
             elapsed_ms: float, masked_id: str, billed: bool | None = None) -> dict[str, Any]:
        return self.write("call", session_id=session_id, action=action, outcome_code=outcome_code,
                          request_id=request_id, sim=sim, elapsed_ms=elapsed_ms, masked_id=masked_id,
                          billed=billed)

    def session(self, *, session_id: str, step: str, outcome_code: str = "", **extra: Any) -> dict[str, Any]:
        return self.write("session", session_id=session_id, step=step, outcome_code=outcome_code, **extra)

    def staff(self, staff_action: str, detail: str = "") -> dict[str, Any]:
        return self.write("staff", staff_action=staff_action, detail=detail)

    # ---- reading ----------------------------------------------------------------------------
    def files(self) -> list[Path]:
        """Audit files oldest first (``.N`` backups, then the live file)."""
        backups = sorted(self.directory.glob(self.FILE_NAME + ".*"),
                         key=lambda p: int(p.suffix[1:]) if p.suffix[1:].isdigit() else 0, reverse=True)
        live = self.directory / self.FILE_NAME
        return [*backups, *([live] if live.exists() else [])]

    def records(self) -> list[dict[str, Any]]:
        """Every readable record, oldest first; a damaged line is skipped, never fatal."""
        self._handler.flush()
        out: list[dict[str, Any]] = []
        for path in self.files():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if isinstance(obj, dict):
                    out.append(obj)
        return out

    def export(self, destination: str | os.PathLike[str]) -> int:
        """Staff export: every record into one JSON-lines file. Returns the number of records."""
        rows = self.records()
        dest = Path(destination)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.staff("audit_export", detail=f"{len(rows)} records")
        return len(rows)

    def close(self) -> None:
        self._logger.removeHandler(self._handler)
        self._handler.close()
