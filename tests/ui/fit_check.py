"""A minimal layout fit check: does every visible text and control of the shown page fit?

``problems(window)`` lists, for the page on screen (plus the header and the idle overlay when
shown): a window that cannot shrink to its size (its minimum is larger), a control or label
outside the window, a label whose text needs more room than it has (wrapped labels: height for
their width; single-line labels and buttons: their size hint). Used by the large-text tests at
every display size; helper i15's layout checker covers the standard look.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QScrollArea, QWidget

DISPLAY_SIZES: tuple[tuple[int, int], ...] = (
    (1920, 1080),
    (1366, 768),
    (1280, 720),
    (1280, 1024),
    (1080, 1920),
    (800, 1280),
)
SLACK = 2  # px of rounding


def settle(rounds: int = 6) -> None:
    for _ in range(rounds):
        QApplication.processEvents()


def _roots(window) -> list[QWidget]:
    roots = [window.current_page(), window.header]
    if window.idle_overlay.isVisible():
        roots.append(window.idle_overlay)
    return [r for r in roots if r.isVisible()]


def _scrolled(w: QWidget) -> bool:
    parent = w.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def problems(window, size: tuple[int, int]) -> list[str]:
    """Everything that does not fit on the page shown now (empty: it fits)."""
    found: list[str] = []
    want = QSize(*size)
    if window.size() != want:
        hint = window.minimumSizeHint()
        found.append(
            f"window is {window.width()}x{window.height()}, not {size} (minimum {hint.width()}x{hint.height()})"
        )
    bounds = QRect(0, 0, window.width(), window.height())
    for root in _roots(window):
        for w in [root, *root.findChildren(QWidget)]:
            if not w.isVisibleTo(window) or not isinstance(w, QLabel | QAbstractButton):
                continue
            if _scrolled(w):
                continue  # content of a scroll area may be longer than its view: it scrolls
            label = f"{type(w).__name__}#{w.objectName() or '?'} {(w.text() if hasattr(w, 'text') else '')[:40]!r}"
            geo = QRect(w.mapTo(window, w.rect().topLeft()), w.size())
            if not bounds.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(geo):
                found.append(f"{label}: outside the window ({geo.x()},{geo.y()} {geo.width()}x{geo.height()})")
                continue
            if isinstance(w, QLabel) and not w.text():
                continue
            if isinstance(w, QLabel) and w.wordWrap():
                need = w.heightForWidth(w.width())
                if need > w.height() + SLACK:
                    found.append(f"{label}: needs {need} px of height, has {w.height()}")
            else:
                hint = w.sizeHint()
                if hint.width() > w.width() + SLACK:
                    found.append(f"{label}: needs {hint.width()} px of width, has {w.width()}")
                if isinstance(w, QAbstractButton) and hint.height() > w.height() + SLACK:
                    found.append(f"{label}: needs {hint.height()} px of height, has {w.height()}")
    return found
