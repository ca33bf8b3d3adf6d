"""Languages and the one place where stable keys become translated text.

* Widgets translate their own labels with ``self.tr()`` in a ``retranslate()`` method that the
  shell calls on ``QEvent.LanguageChange``.
* Stable keys from the core (problem codes from the vision checks, ``Verdict.message_key``,
  outcomes) become translated text here, and nowhere else: the English source of every service
  and hint key is the table in :mod:`kiosk.core.messages` (marked with ``QT_TRANSLATE_NOOP`` so
  ``pyside6-lupdate`` extracts it), translated here with ``QCoreApplication.translate``; the few
  keys the session and UI produce, and the outcome titles, are written out below. Never compare
  translated text, only keys.
* ``.ts`` sources and compiled ``.qm`` files live in ``resources/i18n``; regenerate them with
  ``python -m kiosk.ui.i18n_build``.

Threading: GUI thread only (QTranslator installation and translation lookups).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator, Signal

from kiosk.core import messages
from kiosk.resources import resource

log = logging.getLogger(__name__)

I18N_DIR = resource("i18n")
# Languages offered on every customer screen, in toggle order. English is the source language.
LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
SOURCE_LANGUAGE = "en"


def ui_messages() -> dict[str, str]:
    """Keys produced by the session and the UI itself (the service keys are in kiosk.core.messages)."""
    return {
        "err.too_many_attempts": QCoreApplication.translate(
            "Messages", "The photos could not be used after several tries."
        ),
        "msg.staff_called": QCoreApplication.translate("Messages", "A member of staff has been called."),
        "msg.face_retake": QCoreApplication.translate("Messages", "Let's take your photo once more."),
        "err.service_unavailable": QCoreApplication.translate(
            "Messages", "The verification service cannot be reached."
        ),
        "err.service_timeout": QCoreApplication.translate(
            "Messages", "The verification service did not answer in time."
        ),
    }


def all_message_keys() -> set[str]:
    """Every message key the result and retake screens can be asked to show."""
    return set(messages.MESSAGES) | set(ui_messages()) | set(messages.CUSTOMER_TEXTS)


def all_hint_codes() -> set[str]:
    """Every problem code with a hint (``hint.<code>`` in kiosk.core.messages)."""
    return {k.removeprefix("hint.") for k in messages.HINTS}


def outcome_titles() -> dict[str, str]:
    """Outcome -> the headline of the result screen."""
    return {
        "pass": QCoreApplication.translate("Outcomes", "Verified"),
        "fail": QCoreApplication.translate("Outcomes", "Not verified"),
        "staff": QCoreApplication.translate("Outcomes", "Please see a member of staff"),
        "registration_office": QCoreApplication.translate("Outcomes", "Not verified"),
        "unavailable": QCoreApplication.translate("Outcomes", "Service unavailable"),
        "retake_card": QCoreApplication.translate("Outcomes", "Let's try the card again"),
        "retake_face": QCoreApplication.translate("Outcomes", "Let's try the photo again"),
    }


def outcome_next_steps() -> dict[str, str]:
    """Outcome -> what the customer should do next."""
    return {
        "pass": QCoreApplication.translate("Outcomes", "You can continue at the counter."),
        "fail": QCoreApplication.translate("Outcomes", "Please see a member of staff at the counter."),
        "staff": QCoreApplication.translate("Outcomes", "A member of staff will help you at the counter."),
        "registration_office": QCoreApplication.translate(
            "Outcomes",
            "Please visit your household registration office to update your record.",
        ),
        "unavailable": QCoreApplication.translate(
            "Outcomes", "Please try again in a few minutes or see a member of staff."
        ),
        "retake_card": QCoreApplication.translate("Outcomes", "Hold your card up to the camera again."),
        "retake_face": QCoreApplication.translate("Outcomes", "Look at the camera again."),
    }


def hint_text(code: str | None) -> str:
    """Translated hint for a problem code ('' for None; the code itself is never shown)."""
    if not code:
        return ""
    source = messages.HINTS.get(f"hint.{code}")
    if source is None:
        log.warning("no hint text for problem code %r", code)
        source = messages.HINTS["hint.hold_still"]
    return QCoreApplication.translate("Hints", source)


def message_text(key: str | None, outcome: str | None = None) -> str:
    """Translated text for a message key; an unknown key gets a generic sentence (and a log line)."""
    if key and key in messages.MESSAGES:
        return QCoreApplication.translate("Messages", messages.MESSAGES[key])
    if key and key in messages.CUSTOMER_TEXTS:
        return QCoreApplication.translate("Messages", messages.CUSTOMER_TEXTS[key])
    own = ui_messages()
    if key and key in own:
        return own[key]
    if key:
        log.warning("no text for message key %r", key)
    if outcome == "pass":
        return QCoreApplication.translate("Messages", messages.MESSAGES["ok.pass"])
    return QCoreApplication.translate("Messages", messages.MESSAGES["err.unknown"])


def customer_text(key: str | None, outcome: str | None = None) -> str:
    """What a customer reads for ``key``: fraud signals and staff-only faults become neutral."""
    if key:
        ck = messages.customer_key(key)
        if ck in messages.CUSTOMER_TEXTS:
            return QCoreApplication.translate("Messages", messages.CUSTOMER_TEXTS[ck])
    return message_text(key, outcome)


def customer_next_step(outcome: str, key: str | None = None) -> str:
    """What the customer does next; a staff-only fault or a fraud signal sends them to the counter."""
    if key and messages.customer_key(key) != key:
        return QCoreApplication.translate("Outcomes", "Please see a member of staff at the counter.")
    return outcome_next_steps().get(outcome, "")


def language_name(code: str) -> str:
    """The name of a language in that language (what the toggle button shows)."""
    return {"zh_CN": "中文", "en": "English"}.get(code, code)


class LanguageManager(QObject):
    """Installs the translators for one language at a time (GUI thread only).

    Installing a translator makes Qt send ``QEvent.LanguageChange`` to every widget; widgets
    re-run their ``retranslate()`` then.
    """

    language_changed = Signal(str)
    """Emitted with the new language code after the translators are installed."""

    def __init__(self, parent: QObject | None = None, i18n_dir: Path = I18N_DIR) -> None:
        super().__init__(parent)
        self._dir = i18n_dir
        self._installed: list[QTranslator] = []
        # translators are loaded once per language and reused: a kiosk switches language on
        # every session, and a new QTranslator each time would keep every old one alive
        self._cache: dict[str, list[QTranslator]] = {}
        self._language = SOURCE_LANGUAGE

    @property
    def language(self) -> str:
        return self._language

    def set_language(self, code: str) -> None:
        """Switch to ``code`` (one of :data:`LANGUAGES`)."""
        if code not in LANGUAGES:
            raise ValueError(f"unsupported language {code!r}")
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("no QCoreApplication")
        for old in self._installed:
            app.removeTranslator(old)
        self._installed = []
        if code != SOURCE_LANGUAGE:
            for translator in self._translators(code):
                app.installTranslator(translator)
                self._installed.append(translator)
        QLocale.setDefault(QLocale(code if code != "en" else "en_US"))
        changed = code != self._language
        self._language = code
        if changed or code == SOURCE_LANGUAGE:
            self.language_changed.emit(code)

    def _translators(self, code: str) -> list[QTranslator]:
        """Qt's own and the kiosk's translators for ``code`` (loaded on first use, then cached)."""
        if code not in self._cache:
            loaded = []
            qt_tr = QTranslator(self)
            if qt_tr.load(f"qtbase_{code}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
                loaded.append(qt_tr)
            app_tr = QTranslator(self)
            if app_tr.load(f"kiosk_{code}", str(self._dir)):
                loaded.append(app_tr)
            else:
                log.error("missing translation file kiosk_%s.qm in %s", code, self._dir)
            self._cache[code] = loaded
        return self._cache[code]

    def toggle(self) -> str:
        """Switch to the next language; returns it."""
        nxt = LANGUAGES[(LANGUAGES.index(self._language) + 1) % len(LANGUAGES)]
        self.set_language(nxt)
        return nxt
