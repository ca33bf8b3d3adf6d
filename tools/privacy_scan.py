"""Scan files and text for customer data and secrets the kiosk must never leave behind.

What counts as a finding:

* ``name``: a customer's name (given with ``--name``; the registry people by default), as UTF-8,
  UTF-16, GB18030 or a JSON ``\\uXXXX`` escape;
* ``id_number``: a given ID number (all 18 characters, also with separators such as spaces,
  dashes or dots between digits), and any other string that is a *valid* resident ID number
  (checksum and date), so a customer not in the list is caught too;
* ``image``: JPEG (SOI + JFIF/Exif/any marker), PNG signature, WebP/BMP headers, and base64 of a
  JPEG (``/9j/``) or PNG (``iVBORw0KGgo``) followed by a long base64 run;
* ``secret``: a given secret (SecretKey, STS token, PIN) verbatim.

Masked forms (``310***********0426``, ``林**``) are what the kiosk is allowed to write; they do not
match. Usage::

    python -m tools.privacy_scan DIR... [--name N] [--id-number ID] [--secret S] [--json]

Exit 0: nothing found; 1: findings (one line each: kind, file, offset, a masked excerpt).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Finding", "PrivacyScanner", "default_scanner"]

MAX_FILE_BYTES = 64 * 1024 * 1024

_IMAGE_MAGIC: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("jpeg", re.compile(rb"\xff\xd8\xff[\xc0-\xfe]")),  # SOI + any marker (JFIF e0, Exif e1, DQT db, ...)
    ("jpeg_jfif", re.compile(rb"JFIF\x00")),
    ("png", re.compile(rb"\x89PNG\r\n\x1a\n")),
    ("webp", re.compile(rb"RIFF....WEBPVP8", re.DOTALL)),
    ("jpeg_base64", re.compile(rb"/9j/[A-Za-z0-9+/]{60}")),
    ("png_base64", re.compile(rb"iVBORw0KGgo[A-Za-z0-9+/]{60}")),
)
_ID_CANDIDATE = re.compile(rb"(?<![0-9])[1-9]\d{16}[0-9Xx](?![0-9A-Za-z])")
_SEPARATORS = rb"[ \-_./:]?"


@dataclass(frozen=True)
class Finding:
    kind: str  # name | id_number | image | secret
    where: str  # file path or a label for text
    offset: int
    excerpt: str  # masked: never the finding itself

    def __str__(self) -> str:
        return f"{self.kind}\t{self.where}\t@{self.offset}\t{self.excerpt}"


def _mask(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    if len(text) <= 4:
        return "*" * len(text)
    return text[:2] + "*" * (len(text) - 4) + text[-2:]


def _valid_id(candidate: bytes) -> bool:
    try:
        from kiosk.core import idnumber

        return bool(idnumber.is_valid(candidate.decode("ascii")))
    except Exception:  # the scanner must work without the kiosk package too
        return _checksum_ok(candidate.decode("ascii"))


def _checksum_ok(text: str) -> bool:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(text[:17], weights, strict=True))
    return "10X98765432"[total % 11] == text[17].upper()


class PrivacyScanner:
    """Holds the patterns for a set of names, ID numbers and secrets; scans bytes, text, files."""

    def __init__(self, names: Iterable[str] = (), id_numbers: Iterable[str] = (), secrets: Iterable[str] = (),
                 *, any_valid_id: bool = True, images: bool = True) -> None:
        self.any_valid_id = any_valid_id
        self.images = images
        self._patterns: list[tuple[str, re.Pattern[bytes]]] = []
        for name in {n for n in names if n and len(n) >= 2}:
            forms = {name.encode("utf-8"), name.encode("utf-16-le"), name.encode("gb18030")}
            escaped = "".join(f"\\u{ord(c):04x}" for c in name)
            forms |= {escaped.encode(), escaped.upper().replace("\\U", "\\u").encode()}
            for form in forms:
                self._patterns.append(("name", re.compile(re.escape(form), re.IGNORECASE if b"\\u" in form else 0)))
        for number in {i.strip().upper() for i in id_numbers if i and len(i.strip()) == 18}:
            chars = [re.escape(c.encode()) if c != "X" else rb"[Xx]" for c in number]
            self._patterns.append(("id_number", re.compile(_SEPARATORS.join(chars))))
        for secret in {s for s in secrets if s and len(s) >= 6}:
            self._patterns.append(("secret", re.compile(re.escape(secret.encode()))))

    def scan_bytes(self, data: bytes, where: str) -> list[Finding]:
        found: list[Finding] = []
        for kind, pattern in self._patterns:
            for m in pattern.finditer(data):
                found.append(Finding(kind, where, m.start(), _mask(m.group(0))))
        if self.any_valid_id:
            for m in _ID_CANDIDATE.finditer(data):
                if _valid_id(m.group(0)) and not any(f.offset == m.start() for f in found):
                    found.append(Finding("id_number", where, m.start(), _mask(m.group(0))))
        if self.images:
            for label, pattern in _IMAGE_MAGIC:
                m = pattern.search(data)
                if m:
                    found.append(Finding("image", where, m.start(), label))
        return found

    def scan_text(self, text: str, where: str = "<text>") -> list[Finding]:
        return self.scan_bytes(text.encode("utf-8", "surrogatepass"), where)

    def scan_paths(self, paths: Iterable[str | os.PathLike[str]]) -> list[Finding]:
        found: list[Finding] = []
        for root in paths:
            for path in _walk(Path(root)):
                try:
                    if path.stat().st_size > MAX_FILE_BYTES:
                        found.append(Finding("unscanned", str(path), 0, "file too large to scan"))
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                found.extend(self.scan_bytes(data, str(path)))
        return found


def _walk(root: Path) -> Iterable[Path]:
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        return
    for dirpath, _dirs, files in os.walk(root, followlinks=False):
        for f in files:
            p = Path(dirpath) / f
            if p.is_file() and not p.is_symlink():
                yield p


def default_scanner(extra_secrets: Sequence[str] = ()) -> PrivacyScanner:
    """Names and ID numbers of the emulator's built-in registry; the demo SecretKey."""
    from kiosk.emulator.registry import Registry
    from kiosk.emulator.server import DEMO_SECRET_KEY

    people = Registry.builtin().people
    return PrivacyScanner(
        names=[p.name for p in people],
        id_numbers=[p.id_number for p in people],
        secrets=[DEMO_SECRET_KEY, *extra_secrets],
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="privacy_scan", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="files or folders to scan")
    parser.add_argument("--name", action="append", default=[], help="a customer name (repeatable)")
    parser.add_argument("--id-number", action="append", default=[], help="an ID number (repeatable)")
    parser.add_argument("--secret", action="append", default=[], help="a secret value (repeatable)")
    parser.add_argument("--no-registry", action="store_true", help="do not add the emulator registry's people")
    parser.add_argument("--json", action="store_true", help="JSON lines")
    args = parser.parse_args(argv)
    if args.no_registry:
        scanner = PrivacyScanner(args.name, args.id_number, args.secret)
    else:
        base = default_scanner(args.secret)
        scanner = base if not (args.name or args.id_number) else PrivacyScanner(
            [*args.name, *(p for p in _registry_names())], [*args.id_number, *_registry_ids()],
            args.secret)
    findings = scanner.scan_paths(args.paths)
    for f in findings:
        print(json.dumps(asdict(f), ensure_ascii=False) if args.json else str(f))
    if not args.json:
        print(f"privacy_scan: {len(findings)} finding(s) in {', '.join(args.paths)}", file=sys.stderr)
    return 1 if findings else 0


def _registry_names() -> list[str]:
    from kiosk.emulator.registry import Registry

    return [p.name for p in Registry.builtin().people]


def _registry_ids() -> list[str]:
    from kiosk.emulator.registry import Registry

    return [p.id_number for p in Registry.builtin().people]


if __name__ == "__main__":
    raise SystemExit(main())
