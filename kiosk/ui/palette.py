"""The colours the painted widgets use, in one place, for the standard and the high-contrast look.

Widgets that paint themselves (result badge, step dots, spinner, attract art, focus ring) take
their colours from :func:`current` at paint time, so switching the large-text / high-contrast
mode (:mod:`kiosk.ui.access.large_text`) repaints them in the other palette. The stylesheet
colours are in ``resources/theme/kiosk.qss`` (and ``kiosk-large.qss`` for the mode); both must
agree with :attr:`Palette.page` and friends. :func:`painted_pairs` lists every foreground /
background pair a painted widget draws, with the WCAG 2.x minimum it must meet; the contrast
test (``tests/ui/test_contrast.py``) computes them all, and the stylesheet's pairs too.

Pure data plus one module-level switch; GUI thread only (the switch is read while painting).
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT_MIN = 4.5  # WCAG 1.4.3 (the kiosk holds all text to it, large text too)
GRAPHIC_MIN = 3.0  # WCAG 1.4.11 graphics and component boundaries, 2.4.13 focus indicator


@dataclass(frozen=True)
class Palette:
    """One look. Colours are ``#RRGGBB`` strings (QColor accepts them)."""

    name: str
    page: str
    header: str
    panel: str
    text: str
    accent: str
    badge_ok: str
    badge_fail: str
    badge_info: str
    mark_ok: str
    mark_fail: str
    mark_info: str
    badge_outline: str
    dot_active: str
    dot_inactive: str
    spinner_track: str
    spinner_arc: str
    focus_ring: str
    art_screen: str
    art_card: str
    art_card_detail: str
    art_tick: str


STANDARD = Palette(
    name="standard",
    page="#0B2540",
    header="#071A2E",
    panel="#12365A",
    text="#FFFFFF",
    accent="#FFD54F",
    badge_ok="#00C853",
    badge_fail="#E53935",
    badge_info="#F9A825",
    mark_ok="#0B2540",
    mark_fail="#FFFFFF",
    mark_info="#1A1A1A",
    badge_outline="#FFFFFF",
    dot_active="#FFFFFF",
    dot_inactive="#7A93AD",
    spinner_track="#5C7A99",
    spinner_arc="#FFFFFF",
    focus_ring="#FFD54F",
    art_screen="#16385C",
    art_card="#E8EEF5",
    art_card_detail="#5C7A99",
    art_tick="#00C853",
)

HIGH_CONTRAST = Palette(
    name="high_contrast",
    page="#000000",
    header="#000000",
    panel="#000000",
    text="#FFFFFF",
    accent="#FFFF00",
    badge_ok="#00E676",
    badge_fail="#FF5252",
    badge_info="#FFD600",
    mark_ok="#000000",
    mark_fail="#000000",
    mark_info="#000000",
    badge_outline="#FFFFFF",
    dot_active="#FFFFFF",
    dot_inactive="#A0A0A0",
    spinner_track="#808080",
    spinner_arc="#FFFFFF",
    focus_ring="#00FFFF",
    art_screen="#000000",
    art_card="#FFFFFF",
    art_card_detail="#000000",
    art_tick="#00E676",
)

_current = STANDARD


def current() -> Palette:
    """The palette in force (read at paint time)."""
    return _current


def set_high_contrast(on: bool) -> Palette:
    """Switch the painted widgets' palette (callers repaint); returns the new palette."""
    global _current  # noqa: PLW0603 - one look for the whole window, switched by the mode
    _current = HIGH_CONTRAST if on else STANDARD
    return _current


def painted_pairs(p: Palette) -> list[tuple[str, str, str, float]]:
    """(what, foreground, background, minimum ratio) for everything the widgets paint."""
    backgrounds = {"page": p.page, "header": p.header, "panel": p.panel}
    pairs: list[tuple[str, str, str, float]] = []
    for kind in ("ok", "fail", "info"):
        fill, mark = getattr(p, f"badge_{kind}"), getattr(p, f"mark_{kind}")
        pairs.append((f"badge {kind}: mark on fill", mark, fill, GRAPHIC_MIN))
        pairs.append((f"badge {kind}: fill on page", fill, p.page, GRAPHIC_MIN))
        pairs.append((f"badge {kind}: outline on fill", p.badge_outline, fill, 1.0))  # edge only
    pairs.append(("badge outline on page", p.badge_outline, p.page, GRAPHIC_MIN))
    pairs.append(("step dot (current) on page", p.dot_active, p.page, GRAPHIC_MIN))
    pairs.append(("step dot (other) on page", p.dot_inactive, p.page, GRAPHIC_MIN))
    pairs.append(("step label text on page", p.text, p.page, TEXT_MIN))
    pairs.append(("spinner track on page", p.spinner_track, p.page, GRAPHIC_MIN))
    pairs.append(("spinner arc on track", p.spinner_arc, p.spinner_track, GRAPHIC_MIN))
    pairs.append(("spinner arc on page", p.spinner_arc, p.page, GRAPHIC_MIN))
    for where, bg in backgrounds.items():
        pairs.append((f"focus ring on {where}", p.focus_ring, bg, GRAPHIC_MIN))
    pairs.append(("attract art: outline on page", p.text, p.page, GRAPHIC_MIN))
    pairs.append(("attract art: guide on screen", p.accent, p.art_screen, GRAPHIC_MIN))
    pairs.append(("attract art: card on screen", p.art_card, p.art_screen, GRAPHIC_MIN))
    pairs.append(("attract art: card print on card", p.art_card_detail, p.art_card, GRAPHIC_MIN))
    pairs.append(("attract art: tick on screen", p.art_tick, p.art_screen, GRAPHIC_MIN))
    return pairs


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two ``#RRGGBB`` colours (1.0 .. 21.0)."""

    def luminance(color: str) -> float:
        h = color.lstrip("#")
        channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
