"""PII and secret masking used by model reprs, credential reprs and log records.

Pure functions, thread-safe. The output never contains more than the first and last character
of an ID number, the first character of a name, or anything of a secret.
"""

from __future__ import annotations

__all__ = ["mask_id", "mask_name", "mask_secret", "size_hint"]


def mask_name(name: str | None) -> str:
    """``韦小宝`` -> ``韦**``; empty stays empty."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_id(id_number: str | None) -> str:
    """``11204416541220243X`` -> ``1****************X``; short values are fully masked."""
    if not id_number:
        return ""
    if len(id_number) < 6:
        return "*" * len(id_number)
    return id_number[0] + "*" * (len(id_number) - 2) + id_number[-1]


def mask_secret(secret: str | None) -> str:
    """Nothing of a secret is shown, only whether one is set."""
    return "<set>" if secret else "<unset>"


def size_hint(data: str | bytes | None) -> str:
    """``<123456 chars>`` for images: the size only, never the content."""
    if data is None:
        return "None"
    return f"<{len(data)} chars>"
