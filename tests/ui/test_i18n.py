"""Translations: files current, every key translated, Chinese renders, switching everywhere."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase, QFontMetrics

from kiosk.core import messages
from kiosk.core.faceid import catalog
from kiosk.core.session import KEY_SERVICE_UNAVAILABLE, KEY_STAFF_CALLED, KEY_TOO_MANY_ATTEMPTS, Step
from kiosk.ui import i18n, i18n_build
from kiosk.ui.app import load_fonts


def test_ts_and_qm_are_current_and_complete() -> None:
    assert i18n_build.check() == []


@pytest.fixture
def zh():
    m = i18n.LanguageManager()
    m.set_language("zh_CN")
    yield m
    m.set_language("en")


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_every_message_key_and_hint_is_translated(zh) -> None:
    keys = i18n.all_message_keys()
    # every catalog outcome except Success itself (a pass is shown with the verdict's "ok.pass")
    keys |= {e.message_key for e in catalog.all_entries() if e.category is not catalog.Category.SUCCESS}
    keys |= {w.message_key for w in catalog.all_warnings()}
    keys |= {KEY_TOO_MANY_ATTEMPTS, KEY_STAFF_CALLED, KEY_SERVICE_UNAVAILABLE}
    untranslated = sorted(k for k in keys if not _has_cjk(i18n.message_text(k)))
    assert untranslated == []
    missing = sorted(k for k in keys if k not in messages.MESSAGES and k not in i18n.ui_messages()
                     and k not in messages.CUSTOMER_TEXTS)
    assert missing == [], "message keys without a text in kiosk.core.messages"
    assert all(_has_cjk(i18n.hint_text(code)) for code in i18n.all_hint_codes())
    for table in (i18n.outcome_titles(), i18n.outcome_next_steps()):
        assert all(_has_cjk(t) for t in table.values())


def test_english_is_the_source(qapp) -> None:
    assert i18n.message_text("err.no_face") == "No face was found in the picture."
    assert i18n.hint_text("card_tilted") == "Hold the card straight, facing the camera"
    assert i18n.message_text("no.such.key") == messages.MESSAGES["err.unknown"]


def test_bundled_font_has_chinese_glyphs(qapp) -> None:
    family = load_fonts()
    # the bold face (kiosk-bold.otf) joins the family from another foundry: Qt then lists
    # "WenQuanYi Micro Hei [WQYF]" and "WenQuanYi Micro Hei [    ]"
    assert family and any(f == family or f.startswith(family + " [") for f in QFontDatabase.families())
    assert {"Regular", "Bold"} <= set(QFontDatabase.styles(family))
    font = QCoreApplication.instance().font()
    assert font.family() == family
    metrics = QFontMetrics(font)
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "身份核验请看摄像头")


def test_language_switch_on_every_customer_screen(make_kiosk, qtbot) -> None:
    from tests.ui._fakes import verdict

    k = make_kiosk(verdicts=[verdict("pass")], mode="empty")
    w = k.window

    def check_both() -> None:
        assert w.lang_button.isVisible()
        assert w.lang_button.text() == "中文"
        qtbot.mouseClick(w.lang_button, Qt.MouseButton.LeftButton)
        assert k.languages.language == "zh_CN"
        assert w.lang_button.text() == "English"
        assert w.staff_button.text() == "呼叫工作人员"
        qtbot.mouseClick(w.lang_button, Qt.MouseButton.LeftButton)
        assert w.staff_button.text() == "Call staff"

    check_both()
    assert w.welcome.start_button.text() == "Touch to start"
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    check_both()
    qtbot.mouseClick(w.consent.accept_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.lang_button, Qt.MouseButton.LeftButton)
    assert w.card_page.title.text() == "请将身份证人像面放入框内"
    qtbot.mouseClick(w.lang_button, Qt.MouseButton.LeftButton)
    k.control.mode = "good"
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=5000)
    qtbot.mouseClick(w.lang_button, Qt.MouseButton.LeftButton)
    assert w.result_page.title.text() == "核验通过"
    assert "姓名" in w.result_page.identity.text()


def test_reset_returns_to_the_configured_language(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty", settings={"language": "zh_CN"})
    w = k.window
    assert w.welcome.start_button.text() == "点击开始"
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.lang_button, Qt.MouseButton.LeftButton)
    assert w.consent.accept_button.text() == "I agree, continue"
    qtbot.mouseClick(w.consent.decline_button, Qt.MouseButton.LeftButton)
    assert w.welcome.start_button.text() == "点击开始"


def test_switching_languages_reuses_the_translators(qapp) -> None:
    from PySide6.QtCore import QTranslator

    m = i18n.LanguageManager()
    try:
        for _ in range(20):
            m.set_language("zh_CN")
            m.set_language("en")
        assert len(m.findChildren(QTranslator)) <= 2, "one set of translators per language, not per switch"
        m.set_language("zh_CN")
        assert QCoreApplication.translate("Outcomes", "Verified") == "核验通过"
    finally:
        m.set_language("en")
