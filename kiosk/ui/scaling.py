"""Sizes that follow the display: one scale factor for fonts, margins, spacings and touch targets.

The pages are designed for a 1920x1080 landscape panel (and 1080x1920 in portrait). On any other
display :func:`screen_scale` gives the factor that fits that design into the window, and
:func:`apply_scale` re-sizes every widget and layout of a window by it:

* the theme's ``px`` values (fonts, paddings, radii, min-heights) are multiplied by
  :func:`scale_qss` and set as the window's own style sheet (fonts by ``scale * text_scale``,
  so a large-text mode only changes ``text_scale``);
* widgets and layouts built with :func:`scaled_size` / :func:`scaled_layout` remember their
  design sizes (dynamic properties / a registry) and are re-sized from them, never compounded.

Touch targets never go below :data:`MIN_TOUCH_PX` and fonts never below :data:`MIN_FONT_PX`.

GUI thread only.
"""

from __future__ import annotations

import re
import weakref

from PySide6.QtWidgets import QBoxLayout, QGridLayout, QLayout, QWidget

# design sizes
LANDSCAPE = (1920, 1080)
PORTRAIT = (1080, 1920)
# smallest touch target (px) whatever the scale
MIN_TOUCH_PX = 48
# smallest font (px) whatever the scale
MIN_FONT_PX = 16
# the scale never goes below this (a 640x480 test window still gets readable text)
MIN_SCALE = 0.45

_PX = re.compile(r"(-?\d+(?:\.\d+)?)px")
_FONT = re.compile(r"(font-size\s*:\s*)(\d+(?:\.\d+)?)px")

_layouts: weakref.WeakKeyDictionary[QLayout, tuple[tuple[int, int, int, int], int]] = weakref.WeakKeyDictionary()


def is_portrait(width: int, height: int) -> bool:
    return height > width


def screen_scale(width: int, height: int) -> float:
    """The factor that fits the design (landscape or portrait by the window's shape) into WxH."""
    dw, dh = PORTRAIT if is_portrait(width, height) else LANDSCAPE
    return max(MIN_SCALE, min(1.0, width / dw, height / dh))


def scale_qss(qss: str, scale: float, text_scale: float = 1.0) -> str:
    """``qss`` with every ``Npx`` multiplied by ``scale`` (font sizes by ``scale * text_scale``)."""

    def font(m: re.Match[str]) -> str:
        size = max(MIN_FONT_PX, round(float(m.group(2)) * scale * text_scale))
        return f"{m.group(1)}{size}PX"  # upper case: not scaled again below

    out = _FONT.sub(font, qss)

    def px(m: re.Match[str]) -> str:
        value = float(m.group(1))
        if value == 0:
            return m.group(0)
        scaled = round(value * scale)
        if value > 0:
            scaled = max(1, scaled)
        return f"{scaled}px"

    out = _PX.sub(px, out)
    return out.replace("PX", "px")


def scaled_size(
    widget: QWidget,
    *,
    min_w: int | None = None,
    min_h: int | None = None,
    max_w: int | None = None,
    fixed_w: int | None = None,
    fixed_h: int | None = None,
    touch: bool = False,
) -> QWidget:
    """Remember ``widget``'s design sizes (px at scale 1) and set them at scale 1 now.

    ``touch`` marks a touch target: its heights never go below :data:`MIN_TOUCH_PX`.
    """
    for name, value in (("min_w", min_w), ("min_h", min_h), ("max_w", max_w), ("fixed_w", fixed_w),
                        ("fixed_h", fixed_h)):
        if value is not None:
            widget.setProperty(f"design_{name}", int(value))
    if touch:
        widget.setProperty("design_touch", True)
    _size_widget(widget, 1.0)
    return widget


def scaled_layout(layout: QLayout, margins: tuple[int, int, int, int] | None = None,
                  spacing: int | None = None) -> QLayout:
    """Remember ``layout``'s design margins and spacing and set them at scale 1 now."""
    if margins is None:
        m = layout.contentsMargins()
        margins = (m.left(), m.top(), m.right(), m.bottom())
    if spacing is None:
        spacing = max(0, layout.spacing())
    _layouts[layout] = (margins, spacing)
    _size_layout(layout, 1.0)
    return layout


def _px(value: int, scale: float, floor: int = 0) -> int:
    return max(floor, round(value * scale))


def _size_widget(widget: QWidget, scale: float) -> None:
    prop = widget.property
    floor = MIN_TOUCH_PX if prop("design_touch") else 0
    if (v := prop("design_fixed_w")) is not None:
        widget.setFixedWidth(_px(v, scale))
    if (v := prop("design_fixed_h")) is not None:
        widget.setFixedHeight(_px(v, scale, floor))
    if (v := prop("design_min_w")) is not None:
        widget.setMinimumWidth(_px(v, scale))
    if (v := prop("design_min_h")) is not None:
        widget.setMinimumHeight(_px(v, scale, floor))
    if (v := prop("design_max_w")) is not None:
        widget.setMaximumWidth(_px(v, scale))


def _size_layout(layout: QLayout, scale: float) -> None:
    margins, spacing = _layouts[layout]
    layout.setContentsMargins(*(_px(m, scale) for m in margins))
    if isinstance(layout, QGridLayout):
        layout.setHorizontalSpacing(_px(spacing, scale))
        layout.setVerticalSpacing(_px(spacing, scale))
    elif isinstance(layout, QBoxLayout | QLayout):
        layout.setSpacing(_px(spacing, scale))


def apply_scale(root: QWidget, scale: float) -> None:
    """Re-size every remembered widget and layout under ``root`` (and ``root``) by ``scale``."""
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        _size_widget(w, scale)
        lay = w.layout()
        if lay is not None:
            _walk_layout(lay, scale)


def _walk_layout(layout: QLayout, scale: float) -> None:
    if layout in _layouts:
        _size_layout(layout, scale)
    for i in range(layout.count()):
        item = layout.itemAt(i)
        child = item.layout() if item is not None else None
        if child is not None:
            _walk_layout(child, scale)
