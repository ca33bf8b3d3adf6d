"""WCAG contrast of every colour pair the kiosk draws, in the standard and the large-text look.

Text >= 4.5:1 (the kiosk holds large text to it too), component boundaries, graphics and the
focus ring >= 3:1. Disabled buttons (Start while the service is down): WCAG 1.4.3 / 1.4.11 exempt
inactive components, but the kiosk keeps a disabled button's text >= 3:1 on its own fill so the
customer can still read what is unavailable (the notice beside it says why); its boundary is
exempt (a disabled button is not meant to invite a touch). The stylesheet pairs come from
parsing kiosk.qss (and kiosk-large.qss laid over it); the painted pairs from kiosk.ui.palette,
where the painted widgets take their colours.
"""

from __future__ import annotations

import inspect
import re

import pytest

from kiosk.resources import resource
from kiosk.ui import palette, widgets
from kiosk.ui.palette import GRAPHIC_MIN, TEXT_MIN, contrast_ratio
from kiosk.ui.screens import AttractArt, Spinner

HEX = re.compile(r"#[0-9A-Fa-f]{6}\b")
BOUNDED = ("QPushButton", "QComboBox", "QListWidget", "pinDisplay")
DISABLED_TEXT_MIN = 3.0  # see the module docstring


def parse_qss(text: str) -> dict[str, dict[str, str]]:
    """selector -> {property: value}; later rules and files override earlier ones per property."""
    rules: dict[str, dict[str, str]] = {}
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        decls = {}
        for decl in body.split(";"):
            if ":" in decl:
                prop, value = decl.split(":", 1)
                decls[prop.strip()] = value.strip()
        for selector in (s.strip() for s in selectors.split(",")):
            rules.setdefault(selector, {}).update(decls)
    return rules


def _hex(value: str | None) -> str | None:
    m = HEX.search(value or "")
    return m.group(0).upper() if m else None


def sheet(large: bool) -> dict[str, dict[str, str]]:
    text = resource("theme", "kiosk.qss").read_text(encoding="utf-8")
    if large:
        text += "\n" + resource("theme", "kiosk-large.qss").read_text(encoding="utf-8")
    return parse_qss(text)


def containers(rules: dict[str, dict[str, str]]) -> dict[str, str]:
    """The backgrounds a widget without its own background can sit on."""
    found = {
        "page": _hex(rules["QWidget"].get("background")),
        "header": _hex(rules["QWidget#header"].get("background")),
        "panel": _hex(rules["QFrame#panel"].get("background")),
        "idle panel": _hex(rules["QFrame#idlePanel"].get("background")),
        "footer": _hex(rules["QWidget#footer"].get("background")),  # portrait: the customer tools
        "confirm box": _hex(rules["QFrame#confirmBox"].get("background")),  # staff exit question
    }
    return {k: v for k, v in found.items() if v}


def qss_pairs(rules: dict[str, dict[str, str]]) -> list[tuple[str, str, str, float]]:
    bgs = containers(rules)
    pairs = []
    for selector, decls in rules.items():
        base = re.sub(r":(pressed|checked|hover|focus)$", "", selector)
        inherited = rules.get(base, {}) if base != selector else {}
        fg = _hex(decls.get("color")) or _hex(inherited.get("color"))
        bg = _hex(decls.get("background")) or _hex(inherited.get("background"))
        own_bg = bg is not None and "transparent" not in (decls.get("background") or inherited.get("background", ""))
        disabled = selector.endswith(":disabled")
        if fg and ("color" in decls or "background" in decls):
            for where, under in ([("own", bg)] if own_bg else bgs.items()):
                pairs.append((f"{selector} text on {where}", fg, under, DISABLED_TEXT_MIN if disabled else TEXT_MIN))
        if any(b in selector for b in BOUNDED) and not selector.endswith(":pressed") and not disabled:
            border = _hex(decls.get("border")) or _hex(inherited.get("border"))
            edges = [c for c in (border, bg if own_bg else None) if c]
            if not edges:
                continue  # a base rule (QPushButton): the role rules give the colours
            for where, under in bgs.items():
                # a control is seen by its border or by its fill, whichever stands out more
                edge = max(edges, key=lambda c, u=under: contrast_ratio(c, u))
                pairs.append((f"{selector} boundary on {where}", edge, under, GRAPHIC_MIN))
    return pairs


@pytest.mark.parametrize("large", [False, True], ids=["standard", "large_high_contrast"])
def test_stylesheet_pairs_meet_wcag(large: bool) -> None:
    pairs = qss_pairs(sheet(large))
    assert len(pairs) > 40
    failures = [
        f"{what}: {fg} on {bg} = {contrast_ratio(fg, bg):.2f}:1 < {need}:1"
        for what, fg, bg, need in pairs
        if contrast_ratio(fg, bg) < need
    ]
    assert failures == []


@pytest.mark.parametrize("pal", [palette.STANDARD, palette.HIGH_CONTRAST], ids=lambda p: p.name)
def test_painted_pairs_meet_wcag(pal: palette.Palette) -> None:
    failures = [
        f"{what}: {fg} on {bg} = {contrast_ratio(fg, bg):.2f}:1 < {need}:1"
        for what, fg, bg, need in palette.painted_pairs(pal)
        if contrast_ratio(fg, bg) < need
    ]
    assert failures == []


@pytest.mark.parametrize(("pal", "large"), [(palette.STANDARD, False), (palette.HIGH_CONTRAST, True)])
def test_palette_matches_the_stylesheet(pal: palette.Palette, large: bool) -> None:
    bgs = containers(sheet(large))
    assert (bgs["page"], bgs["header"], bgs["panel"]) == (pal.page, pal.header, pal.panel)


@pytest.mark.parametrize("large", [False, True], ids=["standard", "large_high_contrast"])
def test_issue_15_chrome_is_covered(large: bool) -> None:
    """The rules issue 15 added (footer, service-down notice, disabled buttons, exit confirmation)
    are measured, in both looks, and the disabled Start keeps readable text."""
    rules = sheet(large)
    measured = {what.split(" text on ")[0].split(" boundary on ")[0] for what, *_ in qss_pairs(rules)}
    assert {"QLabel#serviceDown", "QPushButton:disabled"} <= measured
    assert {"footer", "confirm box"} <= set(containers(rules))
    off = rules["QPushButton:disabled"]
    assert contrast_ratio(_hex(off["color"]), _hex(off["background"])) >= DISABLED_TEXT_MIN
    if large:  # the large sheet restates the disabled look for every role (equal specificity)
        for role in ("primary", "secondary", "danger"):
            assert _hex(rules[f'QPushButton[role="{role}"]:disabled'].get("color")) == _hex(off["color"])


def test_painted_widgets_take_their_colours_from_the_palette() -> None:
    for cls in (widgets.ResultBadge, widgets.StepDots, widgets._Dots, Spinner, AttractArt):
        assert not HEX.search(inspect.getsource(cls)), f"{cls.__name__} paints a colour of its own"


def test_the_known_failures_are_fixed() -> None:
    """The pairs issue 16 found failing, now measured where they are drawn."""
    std = palette.STANDARD
    rules = sheet(False)
    ok = rules['QLabel#hint[state="ok"]']
    assert contrast_ratio(_hex(ok["color"]), _hex(ok["background"])) >= TEXT_MIN  # "hold still" bar
    assert contrast_ratio(std.mark_info, std.badge_info) >= GRAPHIC_MIN  # "!" on the amber badge
    assert contrast_ratio(std.dot_inactive, std.page) >= GRAPHIC_MIN  # step dots still to come
    assert contrast_ratio(std.spinner_track, std.page) >= GRAPHIC_MIN  # spinner track
    assert contrast_ratio(std.badge_fail, std.page) >= GRAPHIC_MIN + 0.5  # red badge on the page


def test_ratio_formula_matches_known_values() -> None:
    assert contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#00A651") == pytest.approx(3.19, abs=0.01)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
