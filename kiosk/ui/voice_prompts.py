"""What the kiosk says: every spoken prompt key and the text it speaks, in the current language.

The texts come from the same places as the screen texts, so a prompt never says something the
screen does not: page titles are read from freshly built pages after ``retranslate()`` (the
pages' own ``self.tr()`` strings), results, reasons and hints from :mod:`kiosk.ui.i18n` (the
table in :mod:`kiosk.core.messages` and the outcome texts). Only the few sentences a screen has
no need for ("press Enter to start") are written here, in context ``Voice``, and translated in
the same ``.ts`` file.

Prompt keys:

* ``step.<name>``: one per customer page (welcome, consent, card, face, verifying,
  out_of_service); ``idle.warning`` for "are you still there?";
* ``outcome.<outcome>``: the result headline; ``next.<outcome>``: what to do next;
* ``msg.<message key>``: the reason a result or a retake gives;
* ``hint.<problem code>``: the capture hints;
* issue 15's states: ``step.welcome_down`` (Welcome while the service is down: no "press
  Enter"), ``welcome.declined`` (the note after "No, thanks"), ``verifying.slow`` (the slow
  note), ``staff.on_the_way`` / ``staff.failed`` (the staff-called screen, call delivered or
  not), ``next.try_again`` (the "Try again" button is offered), ``next.counter`` (a fraud or
  staff-only fault: the neutral "see staff at the counter").

Reasons are spoken in their customer wording (:func:`kiosk.core.messages.customer_key`), as
the screen shows them: a fraud signal is never read out.

:func:`prompt_texts` needs a ``QApplication`` and the wanted language's translators installed
(the generator :mod:`kiosk.ui.voice_build` and the freshness test do exactly that). GUI thread.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QCoreApplication

from kiosk.core import messages
from kiosk.core.messages import QT_TRANSLATE_NOOP
from kiosk.ui import i18n

# Sentences only the voice needs (context "Voice"; translated in resources/i18n like the rest).
VOICE_LINES: dict[str, str] = {
    "start": QT_TRANSLATE_NOOP("Voice", "To start, touch the screen or press Enter."),
    "consent": QT_TRANSLATE_NOOP(
        "Voice", "To agree and continue, press Enter. To stop, choose No, thanks."
    ),
    "still_here": QT_TRANSLATE_NOOP("Voice", "If you need more time, touch the screen or press Enter."),
    "try_again": QT_TRANSLATE_NOOP("Voice", "To send the same photos again, choose Try again."),
}

# Non-speech sounds (the same in every language): file stem under resources/voice/sounds.
SOUNDS: tuple[str, ...] = ("capture", "chime")

# The customer pages that have a step prompt, in flow order.
STEP_PAGES: tuple[str, ...] = ("welcome", "consent", "card", "face", "verifying", "out_of_service")


def voice_line(name: str) -> str:
    return QCoreApplication.translate("Voice", VOICE_LINES[name])


def _plain(text: str) -> str:
    """Rich text -> one spoken line (list items become sentences)."""
    text = re.sub(r"<li[^>]*>", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def join(parts: list[str]) -> str:
    """Join sentences for speech (a full stop between them when a part has none)."""
    out: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and out[-1][-1] not in ".。!！?？…:：":
            out[-1] += "。" if _cjk(out[-1]) else "."
        out.append(part)
    return " ".join(out)


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def step_texts() -> dict[str, str]:
    """``step.*`` and ``idle.warning`` texts, read from freshly built pages (current language)."""
    from PySide6.QtWidgets import QWidget

    from kiosk.core.session import KEY_STAFF_CALLED, ResultView
    from kiosk.core.verification import Outcome
    from kiosk.ui.screens import (
        CapturePage,
        ConsentPage,
        IdleOverlay,
        OutOfServicePage,
        ResultPage,
        VerifyingPage,
        WelcomePage,
    )

    welcome = WelcomePage()
    consent = ConsentPage()
    card, face = CapturePage("card"), CapturePage("face")
    verifying = VerifyingPage()
    out = OutOfServicePage()
    result = ResultPage()
    host = QWidget()
    idle = IdleOverlay(host)
    for page in (welcome, consent, card, face, verifying, out, idle, result):
        page.retranslate()
    texts = {
        "step.welcome": join([welcome.title.text(), welcome.subtitle.text(), voice_line("start")]),
        "step.consent": join([consent.title.text(), _plain(consent.notice.text()), voice_line("consent")]),
        "step.card": card.title.text(),
        "step.face": face.title.text(),
        "step.verifying": join([verifying.title.text(), verifying.note.text()]),
        "step.out_of_service": join([out.title.text(), out.body.text()]),
        "idle.warning": join([idle.title.text(), voice_line("still_here")]),
        "step.welcome_down": join([welcome.title.text(), welcome.status.text()]),
        "welcome.declined": welcome.note.text(),
        "next.try_again": voice_line("try_again"),
    }
    verifying._on_slow()
    texts["verifying.slow"] = verifying.note.text()
    verifying._slow_timer.stop()
    result.show_result(ResultView(Outcome.STAFF, KEY_STAFF_CALLED))
    result.set_call_state("sending")
    texts["staff.on_the_way"] = join([result.title.text(), result.reason.text(), result.next_step.text()])
    result.set_call_state("failed")
    texts["staff.failed"] = join([result.title.text(), result.reason.text(), result.next_step.text()])
    for w in (welcome, consent, card, face, verifying, out, result, host):
        w.deleteLater()
    return texts


def prompt_texts() -> dict[str, str]:
    """Every prompt key -> the text spoken for it in the current language."""
    texts = step_texts()
    titles, next_steps = i18n.outcome_titles(), i18n.outcome_next_steps()
    for outcome, title in titles.items():
        texts[f"outcome.{outcome}"] = title
    for outcome, text in next_steps.items():
        texts[f"next.{outcome}"] = text
    texts["next.counter"] = i18n.customer_next_step("fail", sorted(messages.FRAUD_KEYS)[0])
    for key in sorted(i18n.all_message_keys()):
        texts[f"msg.{key}"] = i18n.message_text(key)
    for code in sorted(i18n.all_hint_codes()):
        texts[f"hint.{code}"] = i18n.hint_text(code)
    return texts


def page_prompt(
    page_name: str,
    *,
    hint_key: str | None = None,
    message_key: str | None = None,
    staff_call: str = "",
    can_retry: bool = False,
    service_down: bool = False,
    declined: bool = False,
) -> list[str]:
    """The prompt keys to say when page ``page_name`` (``sig_page_shown``) appears.

    ``hint_key``: the retake reason on a capture page; ``message_key``: the result's reason;
    ``staff_call``: the delivery state of the staff call on the staff-called result screen
    ("" when it is not that screen); ``can_retry``: "Try again" is offered; ``service_down`` /
    ``declined``: Welcome while the service is down / after "No, thanks". Pages without a
    prompt (staff pages, the result page with no result) give an empty list.
    """
    if page_name in ("card_capture", "face_capture"):
        step = "step.card" if page_name == "card_capture" else "step.face"
        return ([f"msg.{messages.customer_key(hint_key)}"] if hint_key else []) + [step]
    if page_name.startswith("result_"):
        outcome = page_name.removeprefix("result_")
        if outcome == "none":
            return []
        if staff_call:
            return ["staff.failed" if staff_call in ("failed", "not_configured") else "staff.on_the_way"]
        shown = messages.customer_key(message_key) if message_key else None
        reason = [f"msg.{shown}"] if shown and outcome != "pass" else []
        after = "next.counter" if shown and shown != message_key else f"next.{outcome}"
        return [f"outcome.{outcome}", *reason, after, *(["next.try_again"] if can_retry else [])]
    if page_name == "idle_warning":
        return ["idle.warning"]
    if page_name == "welcome":
        return [*(["welcome.declined"] if declined else []), "step.welcome_down" if service_down else "step.welcome"]
    if page_name in ("consent", "verifying", "out_of_service"):
        return [f"step.{page_name}"]
    return []
