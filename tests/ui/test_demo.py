"""An in-process autopilot run: the real kiosk window, the real vision checks and auto-capture
on the virtual camera, the real FaceID client and verifier against the real emulator."""

from __future__ import annotations

import pytest

from kiosk.ui.camera_worker import CameraController
from kiosk.ui.demo_autopilot import Autopilot
from kiosk.ui.demo_scenarios import SCENARIOS
from kiosk.ui.demo_world import DemoWorld
from kiosk.ui.frame_analysis import VisionPipeline
from kiosk.ui.i18n import LanguageManager
from kiosk.ui.pin import DEMO_PIN, hash_pin
from kiosk.ui.settings import UiSettings
from kiosk.ui.shell import KioskWindow


@pytest.mark.timeout(400)
def test_autopilot_sessions_end_as_their_scenarios_expect(qtbot, tmp_path) -> None:
    world = DemoWorld(realtime=False)
    languages = LanguageManager()
    languages.set_language("zh_CN")
    settings = UiSettings(fullscreen=False, language="zh_CN", staff_pin_hash=hash_pin(DEMO_PIN, n=2**8))
    camera = CameraController(world.source_factory(SCENARIOS["pass"]), VisionPipeline)
    window = KioskWindow(settings, camera, world.switch, languages, client=world.client, service_probe=world.probe)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    lines: list[str] = []
    try:
        window.start()
        names = ["pass", "other_face", "blurry_card_then_good", "service_down"]
        pilot = Autopilot(
            window, world, names, len(names), screenshots=tmp_path, pin=DEMO_PIN, quit_app=False, out=lines.append
        )
        with qtbot.waitSignal(pilot.sig_finished, timeout=360_000) as blocker:
            pilot.start()
        assert [r.outcome for r in pilot.records] == ["pass", "fail", "pass", "unavailable"], "\n".join(lines)
        assert blocker.args == [0]
        assert "blurry" in pilot.records[2].hints, "the kiosk told the customer the card was blurry"
        shots = {p.name.split("_", 1)[1] for p in tmp_path.glob("*.png")}
        for screen in (
            "welcome",
            "consent",
            "card_capture",
            "face_capture",
            "verifying",
            "result_pass",
            "result_fail",
            "result_unavailable",
            "idle_warning",
            "staff_pin",
            "staff",
            "out_of_service",
        ):
            assert {f"{screen}_zh.png", f"{screen}_en.png"} & shots, f"no screenshot of {screen}"
        assert any(s.endswith("_zh.png") for s in shots) and any(s.endswith("_en.png") for s in shots)
        assert not window.session.has_customer_data()
    finally:
        window.allow_close()
        window.shutdown()
        world.close()
        languages.set_language("en")


@pytest.mark.timeout(300)
def test_kiosk_demo_command_exits_0(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo", "--autopilot", "--fast", "--sessions", "2", "--scenario", "pass"],
        capture_output=True,
        text=True,
        env=env,
        timeout=280,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "sessions: 2, as expected: 2" in out.stdout
    assert "verdict: pass" in out.stdout
