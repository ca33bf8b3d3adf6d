"""A reusable layout checker: what on a window is cut off, overlapping or outside its page.

:func:`layout_problems` looks at what is visible on a top-level window right now and returns
one line per problem (an empty list when the layout is sound):

* the window is larger than the size asked for (a page forces a minimum size);
* a visible widget lies outside the window or outside its parent (cut off);
* two visible interactive widgets (buttons, combo boxes, lists, inputs) overlap;
* a label's text needs more room than the label has (word-wrapped labels: ``heightForWidth``
  at the label's width; others: ``sizeHint``);
* a push button's text (with the style's padding) is wider or taller than the button.

Widgets inside a scroll area's viewport are checked only as far as the scroll area itself
(their content scrolls). The checker only reads geometry: it never changes the window. It is
meant for any mode of the kiosk (sizes, languages, large text, high contrast): set the mode,
show a page, call :func:`layout_problems`.

GUI thread only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

INTERACTIVE = (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView)
#: pixels of slack for rounding
SLACK = 1


def settle() -> None:
    """Let pending layout requests and polish events run."""
    app = QApplication.instance()
    for _ in range(3):
        app.sendPostedEvents()
        app.processEvents()


def _describe(w: QWidget) -> str:
    name = w.objectName() or type(w).__name__
    text = ""
    if isinstance(w, QLabel | QAbstractButton):
        text = w.text().replace("\n", " ")
        if len(text) > 40:
            text = text[:37] + "…"
        text = f" {text!r}"
    parent = w.parentWidget()
    where = parent.objectName() or type(parent).__name__ if parent is not None else "-"
    return f"{type(w).__name__}#{name}{text} in {where}"


def _rect_in(window: QWidget, w: QWidget) -> QRect:
    return QRect(w.mapTo(window, QPoint(0, 0)), w.size())


def _in_scroll_content(window: QWidget, w: QWidget) -> bool:
    parent = w.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def visible_widgets(window: QWidget) -> list[QWidget]:
    """Widgets the user can see now (visible up to ``window``, non-empty)."""
    out = []
    for w in window.findChildren(QWidget):
        if w.isWindow() or not w.isVisibleTo(window) or w.width() <= 0 or w.height() <= 0:
            continue
        out.append(w)
    return out


def label_needs(label: QLabel) -> QSize:
    """The room ``label``'s text needs at the label's current width."""
    hint = label.sizeHint()
    if label.wordWrap() and label.hasHeightForWidth():
        return QSize(min(hint.width(), label.width()), label.heightForWidth(label.width()))
    return hint


def layout_problems(window: QWidget, expected: QSize | None = None) -> list[str]:
    """Everything wrong with what ``window`` shows now; see the module docstring."""
    settle()
    problems: list[str] = []
    size = window.size()
    if expected is not None and (size.width() > expected.width() or size.height() > expected.height()):
        problems.append(f"window is {size.width()}x{size.height()}, larger than {expected.width()}x{expected.height()}")
    lay = window.layout()
    if lay is not None:
        need = lay.totalMinimumSize()
        if need.width() > size.width() + SLACK or need.height() > size.height() + SLACK:
            problems.append(f"the pages need at least {need.width()}x{need.height()}, the window is "
                            f"{size.width()}x{size.height()}")
    win_rect = QRect(QPoint(0, 0), size)
    shown = visible_widgets(window)
    interactive: list[tuple[QWidget, QRect]] = []
    for w in shown:
        if _in_scroll_content(window, w):
            continue
        r = _rect_in(window, w)
        if not win_rect.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(r):
            problems.append(f"{_describe(w)} at {r.getRect()} is outside the window")
        parent = w.parentWidget()
        if parent is not None and parent is not window:
            pr = _rect_in(window, parent).adjusted(-SLACK, -SLACK, SLACK, SLACK)
            if not pr.contains(r):
                problems.append(f"{_describe(w)} at {r.getRect()} is outside its parent {pr.getRect()}")
        if isinstance(w, INTERACTIVE):
            interactive.append((w, r))
        if isinstance(w, QLabel) and w.text():
            need = label_needs(w)
            if need.height() > w.height() + SLACK or need.width() > w.width() + SLACK:
                problems.append(f"{_describe(w)} needs {need.width()}x{need.height()}, has {w.width()}x{w.height()}")
        if isinstance(w, QPushButton) and w.text():
            hint = w.sizeHint()
            if hint.width() > w.width() + SLACK or w.fontMetrics().height() > w.height():
                problems.append(f"{_describe(w)} needs {hint.width()}x{hint.height()}, has {w.width()}x{w.height()}")
    for i, (a, ra) in enumerate(interactive):
        for b, rb in interactive[i + 1:]:
            if a.isAncestorOf(b) or b.isAncestorOf(a):
                continue
            inter = ra.intersected(rb)
            if inter.width() > SLACK and inter.height() > SLACK:
                problems.append(f"{_describe(a)} overlaps {_describe(b)}")
    return problems


# ---- visiting every page of a KioskWindow -----------------------------------------------------
SIZES: tuple[tuple[int, int], ...] = ((1920, 1080), (1366, 768), (1280, 720), (1280, 1024), (1080, 1920), (800, 1280))


def _longest(texts: list[str], label: QLabel) -> str:
    fm = label.fontMetrics()
    return max(texts, key=fm.horizontalAdvance)


def page_states(window: Any) -> Iterator[str]:
    """Show every page of ``window`` (a KioskWindow) in turn, in its worst-case content.

    A generator: after each ``next()`` the window shows one state, named by the value yielded.
    Pages are shown directly (no session flow), so it is fast and needs no camera or service.
    """
    from kiosk.core.session import ResultView
    from kiosk.core.verification import Outcome
    from kiosk.ui import i18n

    w = window
    w._show_page(w.welcome)
    w.welcome.set_service_ok(True)
    yield "welcome"
    w.welcome.set_service_ok(False)
    yield "welcome_service_down"
    w.welcome.set_service_ok(True)
    w.welcome.show_declined_note()
    yield "welcome_after_decline"
    w.welcome.note.setVisible(False)
    w._show_page(w.consent)
    yield "consent"
    for page in (w.card_page, w.face_page):
        page.enter("err.face_low_similarity", 2, 3)
        page._show_manual()
        w._show_page(page)
        hints = [i18n.hint_text(c) for c in sorted(i18n.all_hint_codes())]
        longest = _longest(hints, page.hint)
        code = next(c for c in sorted(i18n.all_hint_codes()) if i18n.hint_text(c) == longest)
        page.set_hint(code, False)
        yield f"{page.name}_longest_hint"
        page.leave()
    w.verifying.enter(card_done=True)
    w._show_page(w.verifying)
    yield "verifying"
    w.verifying.enter(card_done=False)
    yield "verifying_card"
    w.verifying._on_slow()
    yield "verifying_slow"
    messages = sorted(i18n.all_message_keys())
    for outcome in ("pass", "fail", "staff", "registration_office", "unavailable"):
        if outcome == "pass":
            views = [ResultView(Outcome.PASS, "ok.pass", "*三", "1101**********0015")]
        else:
            texts = {k: i18n.message_text(k) for k in messages}
            key = max(texts, key=lambda k: w.result_page.reason.fontMetrics().horizontalAdvance(texts[k]))
            views = [ResultView(Outcome(outcome), key)]
        for view in views:
            w.result_page.show_result(view, can_retry=outcome == "unavailable")
            w.result_page.set_seconds_left(20)
            w._show_page(w.result_page)
            yield f"result_{outcome}"
    for state in ("sending", "failed"):
        w.result_page.show_result(ResultView(Outcome.STAFF, "msg.staff_called"))
        w.result_page.set_call_state(state)
        yield f"result_staff_called_{state}"
    w.result_page.clear()
    w._show_page(w.out_of_service)
    yield "out_of_service"
    w._show_page(w.welcome)
    w.show_idle_warning()
    yield "idle_warning"
    w.idle_overlay.hide()
    w.warning_timer.stop()
    w.pin_page.set_message("locked", 300)
    w._show_page(w.pin_page)
    yield "staff_pin"
    w.pin_page.set_message("")
    w._refresh_staff()
    w.staff_page.set_service_result("failed", "ConnectionRefusedError")
    w.staff_page.set_health(False, "credentials", "AuthFailure.SignatureFailure")
    w.staff_page.set_calls([("10:01:02", "out_of_service", "failed"), ("10:00:00", "customer_request", "delivered")])
    w._show_page(w.staff_page)
    yield "staff"
    w.staff_page.exit_button.click()
    yield "staff_exit_confirm"
    w.staff_page.confirm_cancel_button.click()
    w._show_page(w.welcome)


def every_size_every_state(window: Any) -> tuple[int, list[str]]:
    """Resize ``window`` to each of :data:`SIZES`, walk :func:`page_states` at each, and return
    (states visited, problems found); fails at once if the window does not take a size."""
    problems: list[str] = []
    visited = 0
    for width, height in SIZES:
        window.resize(width, height)
        settle()
        assert window.size() == QSize(width, height), f"the window did not take {width}x{height}: {window.size()}"
        for state in page_states(window):
            visited += 1
            problems += [f"{width}x{height} {state}: {p}" for p in layout_problems(window, QSize(width, height))]
    return visited, problems
