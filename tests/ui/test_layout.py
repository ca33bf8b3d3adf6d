"""Every page, in both languages, at every supported display size: nothing cut, nothing overlapping.

The checker is :mod:`tests.ui.layout_check` (reusable for other display modes); these tests
resize one window through the sizes instead of building one per size (fast, offscreen).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from tests.ui.layout_check import SIZES, every_size_every_state, layout_problems, settle


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_page_fits_every_display(make_kiosk, language) -> None:
    k = make_kiosk(start=False, settings={"language": language})
    w = k.window
    visited, problems = every_size_every_state(w)
    assert visited == len(SIZES) * 21
    assert not problems, "\n".join(problems)


def test_portrait_puts_the_customer_tools_in_the_lower_half(make_kiosk) -> None:
    k = make_kiosk(start=False)
    w = k.window
    for width, height in ((1080, 1920), (800, 1280)):
        w.resize(width, height)
        settle()
        for page in (w.welcome, w.consent, w.card_page, w.face_page, w.verifying, w.out_of_service):
            w._show_page(page)
            settle()
            for button in (w.lang_button, w.staff_button):
                y = button.mapTo(w, button.rect().center()).y()
                assert button.isVisible() and y > height / 2, (page.name, button.text(), y)
    w.resize(1366, 768)
    settle()
    w._show_page(w.welcome)
    settle()
    assert w.lang_button.mapTo(w, w.lang_button.rect().center()).y() < 768 / 4  # landscape: header


def test_portrait_preview_uses_the_width_and_the_hint_follows_it(make_kiosk) -> None:
    k = make_kiosk(start=False)
    w = k.window
    w.resize(1080, 1920)
    settle()
    w.face_page.enter(None, 1, 3)
    w._show_page(w.face_page)
    settle()
    preview = w.face_page.preview
    assert preview.width() >= 1080 * 0.9
    assert abs(preview.height() - preview.width() * 9 / 16) <= 2
    hint_top = w.face_page.hint.mapTo(w, w.face_page.hint.rect().topLeft()).y()
    preview_bottom = preview.mapTo(w, preview.rect().bottomLeft()).y()
    assert 0 <= hint_top - preview_bottom <= 40


def test_sizes_follow_the_display(make_kiosk) -> None:
    k = make_kiosk(start=False)
    w = k.window
    w.resize(1920, 1080)
    settle()
    big_font = w.welcome.title.font().pixelSize()
    big_button = w.welcome.start_button.minimumHeight()
    w.resize(1280, 720)
    settle()
    assert w.welcome.title.font().pixelSize() < big_font * 0.75
    assert 48 <= w.welcome.start_button.minimumHeight() < big_button
    w.set_text_scale(1.5)  # the large-text hook: fonts grow, targets stay
    settle()
    assert w.welcome.title.font().pixelSize() > big_font * 0.9


def test_the_checker_finds_cut_text_overlaps_and_strays(qtbot) -> None:
    """The checker itself: each kind of problem is reported (so the tests above can fail)."""
    win = QWidget()
    qtbot.addWidget(win)
    win.resize(400, 300)
    row = QHBoxLayout(win)
    cut = QLabel("a label whose text is much longer than the room it is given on screen")
    cut.setWordWrap(True)
    cut.setFixedSize(120, 20)
    row.addWidget(cut)
    a = QPushButton("A", win)
    b = QPushButton("B", win)
    stray = QPushButton("a button far too wide for its text area", win)
    win.show()
    settle()
    a.setGeometry(10, 200, 80, 40)
    b.setGeometry(50, 210, 80, 40)
    stray.setGeometry(350, 250, 30, 30)
    problems = layout_problems(win, QSize(400, 300))
    text = "\n".join(problems)
    assert "needs" in text and "QLabel" in text
    assert "overlaps" in text
    assert "outside the window" in text
    assert any("QPushButton" in p and "needs" in p for p in problems)
    assert layout_problems(win, QSize(300, 300))[0].startswith("window is 400x300")


def test_headlines_render_with_a_real_bold_face(make_kiosk) -> None:
    from PySide6.QtGui import QFontDatabase, QFontInfo, QFontMetrics

    k = make_kiosk(start=False, settings={"language": "zh_CN"})
    w = k.window
    w.resize(1366, 768)
    settle()
    title = w.welcome.title
    assert title.font().bold()
    family = title.font().family()
    assert "Bold" in QFontDatabase.styles(family)
    info = QFontInfo(title.font())
    assert info.styleName() == "Bold"
    metrics = QFontMetrics(title.font())
    assert all(metrics.inFontUcs4(ord(ch)) for ch in title.text() if not ch.isspace())


def test_customer_texts_have_no_jargon_or_accusations(make_kiosk) -> None:
    from kiosk.core import messages
    from kiosk.ui import i18n

    make_kiosk(start=False, settings={"language": "zh_CN"})
    banned = ("权威库", "不是真人", "篡改", "几分钟")
    for key in i18n.all_message_keys():
        text = i18n.customer_text(key, "fail")
        assert not any(b in text for b in banned[:3]), (key, text)
        if key in messages.STAFF_FAULT_KEYS:
            assert not any(b in i18n.customer_next_step("unavailable", key) for b in banned), key
    for table in (i18n.outcome_titles(), i18n.outcome_next_steps()):
        assert not any(b in t for t in table.values() for b in banned[:3])
