"""Staff PIN (hash, lockout), the staff page, exit, single instance."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt

from kiosk.core.session import Step
from kiosk.ui.app import SingleInstance
from kiosk.ui.pin import DEMO_PIN_HASH as DEMO_HASH
from kiosk.ui.pin import PinGuard, check_pin, hash_pin
from tests.ui.conftest import TEST_PIN


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_hash_is_salted_and_checks() -> None:
    a, b = hash_pin("246810", n=2**8), hash_pin("246810", n=2**8)
    assert a != b and a.startswith("scrypt$256$8$1$")
    assert "246810" not in a
    assert check_pin("246810", a) and not check_pin("246811", a)
    assert not check_pin("246810", "garbage") and not check_pin("246810", "md5$1$x$y")


def test_guard_locks_after_five_wrong_tries_then_recovers() -> None:
    clock = FakeClock()
    guard = PinGuard(hash_pin("246810", n=2**8), max_tries=5, lockout_s=300, clock=clock)
    for left in (4, 3, 2, 1):
        r = guard.attempt("0000")
        assert not r.ok and not r.locked and r.remaining_tries == left
    r = guard.attempt("0000")
    assert r.locked and r.locked_for_s == 300
    assert guard.attempt("246810").locked, "even the right PIN is refused while locked"
    clock.t += 301
    assert guard.attempt("246810").ok


def test_pin_pad_wrong_pin_lockout_and_staff_page(make_kiosk, qtbot) -> None:
    clock = FakeClock()
    k = make_kiosk(mode="empty", pin_clock=clock)
    w = k.window
    w.open_staff()
    assert w.current_page() is w.pin_page
    assert not w.header.isVisible()
    for _ in range(4):
        w.pin_page.pad.enter("0000")
        qtbot.mouseClick(w.pin_page.pad.keys["OK"], Qt.MouseButton.LeftButton)
    assert "1 tries left" in w.pin_page.message.text()
    w.pin_page.pad.enter("0000OK")
    assert "Try again in 60 s" in w.pin_page.message.text()
    qtbot.waitUntil(lambda: "Try again in 59 s" in w.pin_page.message.text(), timeout=3000)  # counts down
    w.pin_page.pad.enter(TEST_PIN + "OK")
    assert w.current_page() is w.pin_page, "locked: the right PIN does not open the staff page"
    clock.t += 61
    w.pin_page.pad.enter(TEST_PIN + "OK")
    assert w.current_page() is w.staff_page
    assert w.staff_page.resolution.text().startswith("320 × 180")
    qtbot.mouseClick(w.staff_page.back_button, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.welcome and w.session.step is Step.WELCOME


def test_pin_pad_backspace_and_cancel(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    w.open_staff()
    w.pin_page.pad.enter("12")
    assert w.pin_page.pad.display.text() == "●●"
    w.pin_page.pad.enter("⌫")
    assert w.pin_page.pad.display.text() == "●"
    qtbot.mouseClick(w.pin_page.pad.cancel_button, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.welcome


def test_brand_taps_open_the_pin_pad(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    for _ in range(5):
        qtbot.mouseClick(w.brand, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.pin_page


def test_no_configured_pin_never_opens(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty", settings={"staff_pin_hash": None})
    w = k.window
    w.open_staff()
    assert "No staff PIN" in w.pin_page.message.text()
    w.pin_page.pad.enter("1234OK")
    assert w.current_page() is w.pin_page


def test_staff_exit_and_service_test(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    w._service_probe = lambda: (True, "HTTP 200", 1.5)
    w.open_staff()
    w.pin_page.pad.enter(TEST_PIN + "OK")
    qtbot.mouseClick(w.staff_page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Reachable" in w.staff_page.service.text(), timeout=5000)
    assert w.staff_page.clock.text() == "+1.5 s"
    exits: list[bool] = []
    w.sig_exit_requested.connect(lambda: exits.append(True))
    qtbot.mouseClick(w.staff_page.exit_button, Qt.MouseButton.LeftButton)
    assert w.staff_page.asking_exit and not exits  # exit asks for confirmation first
    qtbot.mouseClick(w.staff_page.confirm_cancel_button, Qt.MouseButton.LeftButton)
    assert not w.staff_page.asking_exit and not exits and w.current_page() is w.staff_page
    qtbot.mouseClick(w.staff_page.exit_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(w.sig_exit_requested, timeout=1000):
        qtbot.mouseClick(w.staff_page.confirm_exit_button, Qt.MouseButton.LeftButton)


def test_recent_outcomes_hold_no_personal_data(make_kiosk, qtbot) -> None:
    from tests.ui._fakes import verdict

    k = make_kiosk(verdicts=[verdict("pass")])
    w = k.window
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.consent.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.session.step is Step.RESULT, timeout=5000)
    (line,) = w.recent_outcomes()
    assert "pass" in line and "*三" not in line and "1101" not in line


def test_single_instance_raises_the_first(qtbot, tmp_path) -> None:
    first = SingleInstance("idv-kiosk-test", str(tmp_path))
    second = SingleInstance("idv-kiosk-test", str(tmp_path))
    try:
        assert first.acquire()
        with qtbot.waitSignal(first.sig_raise_requested, timeout=3000):
            assert not second.acquire()
    finally:
        first.release()
    assert second.acquire()
    second.release()


def test_camera_loss_while_staff_is_in_settings(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    w.open_staff()
    w.pin_page.pad.enter(TEST_PIN + "OK")
    k.control.unplugged = True
    qtbot.waitUntil(lambda: w.session.step is Step.OUT_OF_SERVICE, timeout=5000)
    assert w.current_page() is w.staff_page, "staff are not thrown out of the settings"
    qtbot.mouseClick(w.staff_page.back_button, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.out_of_service
    k.control.unplugged = False
    qtbot.waitUntil(lambda: w.current_page() is w.welcome, timeout=5000)


def test_staff_pages_time_out_back_to_customers(make_kiosk, qtbot) -> None:
    k = make_kiosk(mode="empty")
    w = k.window
    w.staff_idle.setInterval(300)
    w.open_staff()
    w.pin_page.pad.enter(TEST_PIN + "OK")
    assert w.current_page() is w.staff_page
    qtbot.waitUntil(lambda: w.current_page() is w.welcome, timeout=5000)


def test_demo_pin_hash_matches_the_demo_pin() -> None:
    from kiosk.ui.pin import DEMO_PIN, DEMO_PIN_HASH

    assert check_pin(DEMO_PIN, DEMO_PIN_HASH) and not check_pin("0000", DEMO_PIN_HASH)


def test_pin_rules_six_digits_and_a_costly_hash() -> None:
    from kiosk.ui.pin import SCRYPT_N, hash_is_current

    with pytest.raises(ValueError, match="6 to 12 digits"):
        hash_pin("2468")
    assert SCRYPT_N >= 2**17
    assert hash_is_current(DEMO_HASH) and not hash_is_current(hash_pin("246810", n=2**8))
    assert not hash_is_current("pbkdf2_sha256$100000$c2FsdA==$aGFzaA==")
    # a hostile hash asking for n=2^30 (128 GB) is refused, not computed
    assert not check_pin("246810", "scrypt$1073741824$8$1$c2FsdA==$aGFzaA==")


def test_an_old_hash_still_opens_but_is_flagged() -> None:
    weak = hash_pin("246810", n=2**8)
    guard = PinGuard(weak)
    assert guard.attempt("246810").ok and guard.outdated
    assert not PinGuard(DEMO_HASH).outdated


def test_the_lockout_survives_a_restart(tmp_path) -> None:
    state = tmp_path / "pin-lockout.json"
    clock, wall = FakeClock(), FakeClock()
    wall.t = 1_800_000_000.0
    stored = hash_pin("246810", n=2**8)
    guard = PinGuard(stored, max_tries=3, lockout_s=300, clock=clock, state_file=state, wall=wall)
    assert guard.attempt("000000").remaining_tries == 2
    # a restart in between: the count of wrong tries is kept
    guard = PinGuard(stored, max_tries=3, lockout_s=300, clock=FakeClock(), state_file=state, wall=wall)
    assert guard.attempt("000000").remaining_tries == 1
    assert guard.attempt("000000").locked
    assert oct(state.stat().st_mode & 0o777) == "0o600"
    wall.t += 100
    restarted = PinGuard(stored, max_tries=3, lockout_s=300, clock=FakeClock(), state_file=state, wall=wall)
    r = restarted.attempt("246810")
    assert r.locked and 199 <= r.locked_for_s <= 200
    wall.t += 10_000_000  # the wall clock jumps: the lock is over, never longer than one lockout
    assert PinGuard(stored, max_tries=3, lockout_s=300, state_file=state, wall=wall).attempt("246810").ok
    wall.t -= 20_000_000  # set far back: still at most one lockout
    state.write_text('{"failures": 0, "locked_until": %f}' % (wall.t + 10**9), encoding="utf-8")
    assert PinGuard(stored, lockout_s=300, state_file=state, wall=wall).locked_for() <= 300


def test_a_damaged_state_file_counts_as_none(tmp_path) -> None:
    state = tmp_path / "pin-lockout.json"
    state.write_text("{not json", encoding="utf-8")
    assert PinGuard(hash_pin("246810", n=2**8), state_file=state).attempt("246810").ok


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_staff_page_shows_a_failing_audit_trail_and_an_outdated_pin_hash(make_kiosk, qtbot, tmp_path) -> None:
    from kiosk.core.audit import AuditTrail

    k = make_kiosk(mode="empty")
    w = k.window
    (tmp_path / "audit.jsonl").symlink_to("/dev/full")
    k.verifier.audit = AuditTrail(tmp_path)
    w.open_staff()
    w.pin_page.pad.enter(TEST_PIN + "OK")
    lines = [w.staff_page.recent.item(i).text() for i in range(w.staff_page.recent.count())]
    assert not any("Audit trail NOT" in line for line in lines)
    k.verifier.audit.staff("pin_ok")  # the disk is full: this record is lost
    w._refresh_staff()
    lines = [w.staff_page.recent.item(i).text() for i in range(w.staff_page.recent.count())]
    assert lines[0].startswith("Audit trail NOT being written: OSError: No space left on device")
    assert any("PIN hash is outdated" in line for line in lines)  # the test hash has n=2^8
    k.verifier.audit.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_state_file_that_is_a_fifo_neither_blocks_nor_counts(tmp_path) -> None:
    """Outside review: a FIFO pin-lockout.json kept `kiosk run` from ever reaching the welcome page."""
    state = tmp_path / "pin-lockout.json"
    os.mkfifo(state)
    guard = PinGuard(hash_pin("246810", n=2**8), state_file=state)  # reading it would block
    assert not guard.attempt("000000").ok and guard.attempt("246810").ok  # saving must not block either
