"""Text from outside (the service, the user, files) made safe to print, log and audit.

A string from the service can carry terminal escape sequences (``ESC [2J``), CR/LF that forge
log lines, C1 controls (``\\x9b`` is a one-byte CSI on some terminals) and bidi overrides that
make ``gnp.exe`` look like ``exe.png``. Every such character is shown as a ``\\uXXXX`` escape:

* :func:`escape` for plain text (log messages, one-line errors), with an optional length cap;
* :func:`dumps` for JSON: the same escapes inside strings, which are valid JSON string escapes,
  so the value a JSON reader sees is unchanged while the terminal sees only printable text (an
  ``indent`` keeps its newlines: the text stays valid, readable JSON);
* :func:`write_json` prints JSON whatever the stream's encoding (cp1252, ASCII): when the text
  cannot be encoded it falls back to ASCII-only JSON (``\\u`` escapes), never an exception;
* :class:`SafeFormatter`, the logging formatter of the CLI's handler (:func:`configure_cli_logging`).

Escaped: Unicode categories Cc (C0, DEL, C1), Cf (format: bidi embeddings/overrides/isolates,
zero-width joiners, the BOM, tag characters), Cs (lone surrogates), Co (private use), Cn (not
assigned), Zl and Zp (line and paragraph separators). Pure functions, thread-safe.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import unicodedata
from typing import Any, TextIO

__all__ = ["SafeFormatter", "clip", "configure_cli_logging", "dumps", "escape", "redact_url", "write_json"]

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_cache: dict[str, bool] = {}


def _unsafe(ch: str) -> bool:
    hit = _cache.get(ch)
    if hit is None:
        hit = unicodedata.category(ch) in _UNSAFE_CATEGORIES
        if len(_cache) < 4096:
            _cache[ch] = hit
    return hit


def _u_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair: valid in JSON and readable in text
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most about ``limit`` characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}...[+{len(text) - limit} chars]"


def escape(text: object, limit: int | None = None) -> str:
    """``str(text)`` with every unsafe character as ``\\uXXXX``; cut to ``limit`` characters first."""
    s = text if isinstance(text, str) else str(text)
    if limit is not None:
        s = clip(s, limit)
    if s.isprintable():  # fast path (isprintable is False for all unsafe categories and spaces)
        return s
    return "".join(_u_escape(ch) if _unsafe(ch) else ch for ch in s)


def dumps(obj: Any, *, ascii_only: bool = False, **kwargs: Any) -> str:
    """JSON with every unsafe character of a string escaped (the decoded value is unchanged).

    Only string contents are touched, so ``indent`` keeps its newlines and the text stays valid,
    readable JSON. JSON itself escapes every C0 control (U+0000..U+001F) inside a string
    (RFC 8259 section 7), so a raw C0 character in ``json.dumps``'s output is structural
    whitespace (the newline and indent of ``indent=2``); every other unsafe character (DEL, C1,
    bidi and format characters...) is legal raw in a JSON string and can only come from a string
    value or key: those are the ones escaped here.
    """
    text = json.dumps(obj, ensure_ascii=ascii_only, **kwargs)
    if ascii_only or text.isprintable():
        return text
    return "".join(_u_escape(ch) if ch >= " " and _unsafe(ch) else ch for ch in text)


def write_json(obj: Any, stream: TextIO | None = None, **kwargs: Any) -> None:
    """Print ``obj`` as one safe JSON text and a newline on ``stream`` (default ``sys.stdout``).

    If the stream's encoding cannot hold the text (a cp1252 or ASCII console), ASCII-only JSON is
    printed instead: the same JSON value, so a passed verdict is never lost to an encoding.
    """
    out = stream if stream is not None else sys.stdout
    text = dumps(obj, **kwargs)
    encoding = getattr(out, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = dumps(obj, ascii_only=True, **kwargs)
    out.write(text + "\n")
    out.flush()


class SafeFormatter(logging.Formatter):
    """A formatter whose message and traceback lines are escaped: one record, one line of
    printable text (CR/LF in a message cannot forge a second log line)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging API
        return escape(super().formatMessage(record), 4000)

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging API
        return "\n".join(escape(line, 4000) for line in super().formatException(ei).splitlines())

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging API
        return "\n".join(escape(line, 4000) for line in stack_info.splitlines())


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now; a failing write is dropped, never a traceback."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging API
        pass


def configure_cli_logging(level: int = logging.WARNING) -> logging.Handler:
    """Give the root logger the CLI's own stderr handler (once per process), so Python's
    last-resort handler never prints raw text; stdout/stderr get ``backslashreplace`` so no
    print can fail with UnicodeEncodeError. Returns the handler."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, _StderrHandler):
            return handler
    handler = _StderrHandler()
    handler.setFormatter(SafeFormatter("kiosk %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return handler


def redact_url(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@`` (for diagnostics and logs)."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if "@" not in parts.netloc:
        return escape(url, 300)
    host = parts.netloc.rpartition("@")[2]
    return escape(urlunsplit(parts._replace(netloc=f"***@{host}")), 300)
