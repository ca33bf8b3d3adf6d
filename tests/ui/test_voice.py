"""Voice guidance: shipped audio is current and decodes; each page asks for its prompt."""

from __future__ import annotations

import itertools
import sys
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from kiosk.core import messages
from kiosk.core.session import Step
from kiosk.ui import i18n, voice_build
from kiosk.ui.voice import (
    Clip,
    CommandPlayer,
    MemoryPlayer,
    NullPlayer,
    VoiceGuide,
    VoiceLibrary,
    choose_player,
    read_wav,
)
from kiosk.ui.voice_prompts import page_prompt
from tests.ui._fakes import verdict

TIMEOUT = 5000


@pytest.fixture(scope="module")
def texts(qapp) -> dict[str, dict[str, str]]:
    from kiosk.ui.app import create_application

    create_application()
    return voice_build.current_texts()


def test_every_prompt_has_current_audio_in_both_languages(texts) -> None:
    assert set(texts) == set(i18n.LANGUAGES)
    assert voice_build.stale(texts) == [], "run: python -m kiosk.ui.voice_build"
    assert texts["en"]["step.card"] == "Hold the photo side of your ID card inside the frame"
    assert texts["zh_CN"]["step.card"] == "请将身份证人像面放入框内"


def test_every_prompt_file_decodes_to_audible_speech(texts) -> None:
    library = VoiceLibrary()
    for lang, table in texts.items():
        for key in table:
            samples = library.samples(key, lang)
            assert samples is not None, (lang, key)
            seconds = len(samples) / library.rate
            rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
            assert 0.3 < seconds < 90, (lang, key, seconds)
            assert rms > 1000, f"{lang} {key}: nearly silent (rms {rms:.0f})"
            assert int(np.abs(samples.astype(np.int32)).max()) > 20_000, (lang, key)
    for name in ("capture", "chime"):
        samples = library.samples(f"sound.{name}", "en")
        assert samples is not None and 0.1 < len(samples) / library.rate < 3


def test_every_page_prompt_key_has_audio(texts) -> None:
    keys = set(texts["en"])
    names = ["welcome", "consent", "card_capture", "face_capture", "verifying", "out_of_service", "idle_warning"]
    wanted = [k for n in names for k in page_prompt(n)]
    for outcome in i18n.outcome_titles():
        for message in i18n.all_message_keys():
            wanted += page_prompt(f"result_{outcome}", message_key=message)
    for message in i18n.all_message_keys():
        wanted += page_prompt("card_capture", hint_key=message)
    wanted += [f"hint.{c}" for c in i18n.all_hint_codes()]
    wanted += [*page_prompt("welcome", service_down=True, declined=True), "verifying.slow"]
    wanted += page_prompt("result_unavailable", message_key="err.service_timeout", can_retry=True)
    for state in ("sending", "failed"):
        wanted += page_prompt("result_staff", message_key="msg.staff_called", staff_call=state)
    assert sorted(set(wanted) - keys) == []
    assert page_prompt("staff") == [] and page_prompt("staff_pin") == []


def test_read_wav_refuses_what_it_cannot_play() -> None:
    with pytest.raises(ValueError):
        read_wav(b"not a wave file at all")
    with pytest.raises(ValueError):
        read_wav(b"RIFF\x00\x00\x00\x00WAVE")


def test_headless_runs_choose_silence() -> None:
    assert isinstance(choose_player("auto", {"QT_QPA_PLATFORM": "offscreen"}), NullPlayer)
    assert isinstance(choose_player("auto", {"CI": "true"}), NullPlayer)
    assert isinstance(choose_player("none"), NullPlayer)
    assert isinstance(choose_player("memory"), MemoryPlayer)


def test_volume_scales_and_mute_silences(qapp, qtbot) -> None:
    library = VoiceLibrary()
    loud, quiet, muted = MemoryPlayer(), MemoryPlayer(), MemoryPlayer()
    for player, kwargs in ((loud, {"volume": 1.0}), (quiet, {"volume": 0.25}), (muted, {"enabled": False})):
        guide = VoiceGuide(library, player, lambda: "en", **kwargs)
        guide.say(["hint.blurry"])
        qtbot.waitUntil(lambda g=guide: not g._flush.isActive(), timeout=TIMEOUT)
    assert muted.played == []
    a, b = loud.played[0].samples.astype(np.float64), quiet.played[0].samples.astype(np.float64)
    assert len(a) == len(b) and np.abs(b).max() == pytest.approx(np.abs(a).max() * 0.25, rel=0.01)


def _played(player: MemoryPlayer) -> list[tuple[str, ...]]:
    return player.keys()


def _follows(played: list[tuple[str, ...]], first: tuple[str, ...], then: tuple[str, ...]) -> bool:
    """Whether ``then`` was played right after ``first`` (or both in one request)."""
    pairs = itertools.pairwise(played)
    return (*first, *then) in played or any(a == first and b == then for a, b in pairs)


def test_each_page_requests_its_prompt_in_the_current_language(make_kiosk, qtbot) -> None:
    k = make_kiosk(verdicts=[verdict("pass")], mode="empty")
    w = k.window
    player = MemoryPlayer(clock=lambda: 0.0)  # never "busy": every request reaches it
    w.access.voice.player = player
    w.access.voice.say(["step.welcome"])
    qtbot.waitUntil(lambda: ("step.welcome",) in _played(player), timeout=TIMEOUT)
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _played(player)[-1] == ("step.consent",), timeout=TIMEOUT)
    qtbot.mouseClick(w.lang_button, Qt.MouseButton.LeftButton)  # -> Chinese: the prompt again
    qtbot.waitUntil(lambda: player.played[-1].language == "zh_CN", timeout=TIMEOUT)
    assert player.played[-1].keys == ("step.consent",)
    qtbot.mouseClick(w.lang_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.consent.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _played(player)[-1] == ("step.card",), timeout=TIMEOUT)
    k.control.mode = "good"
    # the capture sound plays at the capture; the next step's prompt once "Captured" has shown
    qtbot.waitUntil(lambda: _follows(_played(player), ("sound.capture",), ("step.face",)), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: ("outcome.pass", "next.pass") in _played(player), timeout=TIMEOUT)
    assert _follows(_played(player), ("sound.capture",), ("step.verifying",))
    stops = player.stops
    qtbot.mouseClick(w.access.controls.repeat_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: player.stops > stops, timeout=TIMEOUT)
    assert _played(player)[-1] == ("outcome.pass", "next.pass")
    qtbot.mouseClick(w.result_page.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _played(player)[-1] == ("step.welcome",), timeout=TIMEOUT)
    assert all(c.language == "en" for c in player.played[-3:])


def test_staff_call_chimes_before_the_result_prompt(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    player = MemoryPlayer(clock=lambda: 0.0)
    w.access.voice.player = player
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.consent.accept_button, Qt.MouseButton.LeftButton)
    assert w.session.step is Step.CARD
    qtbot.mouseClick(w.staff_button, Qt.MouseButton.LeftButton)
    # the staff-called screen (issue 15): "Help is on the way ... Please wait here." while the call
    # is sent; no branch system is configured in the tests, so the state is "not_configured" at
    # once and the voice says the screen's final text: staff could not be called, go to the counter
    assert w.result_page.call_state == "not_configured"
    qtbot.waitUntil(lambda: ("sound.chime", "staff.failed") in _played(player), timeout=TIMEOUT)
    assert not any("outcome.staff" in keys for keys in _played(player)), "not the plain staff result"
    assert page_prompt("result_staff", message_key="msg.staff_called", staff_call="sending") == ["staff.on_the_way"]


def test_issue_15_states_are_spoken(make_kiosk, qtbot) -> None:
    """Service down on Welcome, the note after "No, thanks", the slow check, "Try again"."""
    from kiosk.core.session import ResultView
    from kiosk.core.verification import Outcome

    k = make_kiosk(mode="empty")
    w = k.window
    player = MemoryPlayer(clock=lambda: 0.0)
    w.access.voice.player = player
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.consent.decline_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _played(player)[-1:] == [("welcome.declined", "step.welcome")], timeout=TIMEOUT)
    w.welcome.note.setVisible(False)
    w.verifying.enter()
    w._show_page(w.verifying)
    w.verifying._on_slow()
    qtbot.waitUntil(lambda: _played(player)[-1:] == [("verifying.slow",)], timeout=TIMEOUT)
    w.result_page.show_result(ResultView(Outcome.UNAVAILABLE, "err.service_timeout"), can_retry=True)
    w._show_page(w.result_page)
    expected = ("outcome.unavailable", "msg.err.service_timeout", "next.unavailable", "next.try_again")
    qtbot.waitUntil(lambda: _played(player)[-1:] == [expected], timeout=TIMEOUT)
    assert page_prompt("result_fail", message_key=sorted(messages.FRAUD_KEYS)[0]) == [
        "outcome.fail", "msg.cust.needs_staff", "next.counter"], "a fraud signal is never read out"
    assert page_prompt("welcome", service_down=True) == ["step.welcome_down"]


def test_hint_is_spoken_once_when_the_voice_is_free(make_kiosk, qtbot) -> None:
    now = [0.0]
    k = make_kiosk(mode="bad")
    w = k.window
    player = MemoryPlayer(clock=lambda: now[0])
    w.access.voice.player = player
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.consent.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _played(player)[-1:] == [("step.card",)], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: w.card_page.hint_code == "blurry", timeout=TIMEOUT)
    qtbot.wait(300)
    assert ("hint.blurry",) not in _played(player), "a hint never cuts into the step prompt"
    now[0] = 1000.0  # the step prompt has finished
    qtbot.waitUntil(lambda: ("hint.blurry",) in _played(player), timeout=TIMEOUT)
    qtbot.wait(300)
    assert _played(player).count(("hint.blurry",)) == 1
    assert w.access.voice.last_prompt == ["step.card"], "repeat replays the step, not the hint"


def test_idle_warning_is_spoken_and_stops_when_answered(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty", settings={"idle_timeout_s": 0.2, "idle_warning_s": 3})
    w = k.window
    player = MemoryPlayer(clock=lambda: 0.0)
    w.access.voice.player = player
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(w.idle_overlay.isVisible, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: _played(player)[-1:] == [("idle.warning",)], timeout=TIMEOUT)
    stops = player.stops
    qtbot.mouseClick(w.idle_overlay.button, Qt.MouseButton.LeftButton)
    assert player.stops > stops


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a /bin/sh stand-in for aplay")
def test_command_player_never_blocks_and_stops_the_process(qapp, qtbot, tmp_path) -> None:
    """A real subprocess as the player: it receives a playable WAV, and stop() ends it."""
    copy = tmp_path / "heard.wav"
    program = tmp_path / "fake-play"
    program.write_text(f'#!/bin/sh\ncp "$1" "{copy}"\nexec sleep 30\n')
    program.chmod(0o755)
    player = CommandPlayer(str(program))
    library = VoiceLibrary()
    samples = library.samples("hint.blurry", "en")
    clip = Clip(("hint.blurry",), "en", samples, library.rate)
    started = time.monotonic()
    player.play(clip)
    assert time.monotonic() - started < 0.5, "play() returned at once"
    qtbot.waitUntil(lambda: copy.exists() and copy.stat().st_size > 1000, timeout=TIMEOUT)
    assert player.busy()
    rate, heard = read_wav(copy.read_bytes())
    assert rate == library.rate and np.array_equal(heard, samples)
    player.stop()
    qtbot.waitUntil(lambda: not player.busy(), timeout=TIMEOUT)


def test_a_page_without_prompt_stops_the_voice(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    player = MemoryPlayer()  # real clock: the welcome prompt "plays" for its length
    w.access.voice.player = player
    w.access.voice.say(["step.welcome"])
    qtbot.waitUntil(lambda: len(player.played) == 1 and player.busy(), timeout=TIMEOUT)
    w.open_staff()  # the staff PIN page has no prompt
    qtbot.waitUntil(lambda: not player.busy(), timeout=TIMEOUT)
    assert len(player.played) == 1 and player.stops >= 1
