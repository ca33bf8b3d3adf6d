"""The demo's world: the built-in emulator, the verifiers and the virtual customers.

* :class:`DemoWorld` starts :class:`kiosk.emulator.EmulatorServer` in-process on loopback (demo
  credentials, its own RSA key for the encrypted fields), builds the real FaceID client and
  :class:`~kiosk.core.verification.Verifier`, and makes :class:`~kiosk.core.vision.VirtualCamera`
  sources that play a scenario's customer (people from the emulator's built-in registry, cards
  rendered with the specimen renderer). :class:`SwitchVerifier` points the kiosk at the working
  or at the dead service a scenario asks for.
* :class:`IdleCamera` (an empty scene until the world is ready) and :class:`UnpluggedCamera`
  (the camera-lost screen) are frame sources of the demo.
* :class:`ScenarioRotator`: the interactive demo; the next scenario's customer steps up each
  time the welcome page shows (the unattended walk is :mod:`kiosk.ui.demo_autopilot`).

Threading: the world and the rotator are used on the GUI thread. The emulator serves on its own
thread; the verifier runs on the pool (via the window); the camera sources are made, read and
closed in the camera thread; :class:`SwitchVerifier` is only re-targeted on the welcome page,
when no verification is in flight.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Slot

from kiosk.ui.demo_scenarios import SCENARIOS, Scenario
from kiosk.ui.shell import KioskWindow

# the demo's log name before the split (kiosk.ui.demo): same log lines
log = logging.getLogger("kiosk.ui.demo")


def _dead_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SwitchVerifier:
    """Delegates ``verify`` to ``target``; the autopilot re-targets it between sessions."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.policy = getattr(target, "policy", None)

    def verify(self, *args: Any, **kwargs: Any) -> Any:
        return self.target.verify(*args, **kwargs)

    @property
    def audit(self) -> Any:
        """The target's audit trail (the window writes its session records there)."""
        return getattr(self.target, "audit", None)


class UnpluggedCamera:
    """A FrameSource whose device is gone (for the camera-lost screen in the screenshot tour)."""

    def open(self) -> Any:
        from kiosk.core.vision import SourceError

        raise SourceError("camera unplugged (demo)")

    def read(self) -> None:
        return None

    def set_stage(self, stage: str) -> None:
        pass

    def close(self) -> None:
        pass


class IdleCamera:
    """A FrameSource showing an empty grey scene at 30 fps (until the demo world is ready)."""

    def __init__(self, width: int = 1280, height: int = 720, fps: float = 30.0) -> None:
        self.width, self.height, self.fps = width, height, fps
        self._next = 0.0
        self._n = 0

    def open(self) -> Any:
        from kiosk.core.vision import SourceInfo

        self._next = time.monotonic()
        return SourceInfo(self.width, self.height, self.fps, "idle")

    def read(self) -> Any:
        import numpy as np

        self._next += 1.0 / self.fps
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._n += 1
        return np.full((self.height, self.width, 3), 40 + self._n % 2, np.uint8)

    def set_stage(self, stage: str) -> None:
        pass

    def close(self) -> None:
        pass


class DemoWorld:
    """The emulator, the verifiers and the virtual customers (see the module docstring)."""

    def __init__(self, *, realtime: bool = True, language: str = "zh_CN") -> None:
        from kiosk.core.audit import AuditTrail, default_audit_dir
        from kiosk.core.faceid.client import FaceIdClient
        from kiosk.core.faceid.credentials import Credential, StaticCredentialProvider
        from kiosk.core.faceid.settings import ClientSettings
        from kiosk.core.verification import Policy, Verifier
        from kiosk.emulator.registry import Registry
        from kiosk.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, EmulatorServer

        self.realtime = realtime
        self.registry = Registry.builtin()
        self.people = [p for p in self.registry.people if self.registry.has_portrait(p)]
        self.server = EmulatorServer(
            registry=self.registry, host="127.0.0.1", port=0, secret_id=DEMO_SECRET_ID, secret_key=DEMO_SECRET_KEY
        )
        self.server.start()
        credentials = StaticCredentialProvider(Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY))
        api_language = "zh-CN" if language == "zh_CN" else "en-US"

        def client(endpoint: str, **kw: Any) -> FaceIdClient:
            return FaceIdClient(
                ClientSettings(
                    endpoint=endpoint,
                    language=api_language,
                    encrypt_fields=True,
                    encryption_public_key_pem=self.server.public_key_pem,
                    **kw,
                ),
                credentials,
            )

        self.client = client(self.server.url)
        # "service down": nothing listens there; short timeouts so the demo does not drag
        self.down_client = client(f"http://127.0.0.1:{_dead_port()}", connect_timeout=1.0, read_timeout=2.0)
        policy = Policy()
        # The demo keeps an audit trail like a real kiosk (masked, no PII), in the platform folder.
        self.audit = AuditTrail(default_audit_dir() / "demo")
        self.verifier = Verifier(self.client, policy, audit=self.audit)
        self.down_verifier = Verifier(self.down_client, policy, audit=self.audit)
        self.switch = SwitchVerifier(self.verifier)
        self._cards: dict[int, Any] = {}

    @property
    def url(self) -> str:
        return str(self.server.url)

    def card(self, index: int) -> Any:
        """The rendered specimen card of person ``index`` (cached)."""
        if index not in self._cards:
            self._cards[index] = self.registry.specimen(self.people[index % len(self.people)])
        return self._cards[index]

    def portrait(self, index: int) -> Any:
        return self.registry.portrait(self.people[index % len(self.people)])

    def source_factory(self, scenario: Scenario, seed: int = 0) -> Callable[[], Any]:
        """A factory (called in the camera thread) for the scenario's virtual customer."""
        from kiosk.core.vision import VirtualCamera, VirtualScript, WatchedSource

        script = VirtualScript(
            face_image=self.portrait(scenario.face_person),
            card_image=self.card(scenario.card_person),
            bystander_image=None if scenario.bystander_person is None else self.portrait(scenario.bystander_person),
            blurry_first=scenario.blurry_first,
            seed=seed,
            **dict(scenario.script),
        )
        realtime = self.realtime

        def make() -> Any:
            return WatchedSource(VirtualCamera(script, realtime=realtime))

        return make

    def use(self, scenario: Scenario) -> None:
        """Point the kiosk's verifier at the scenario's service (GUI thread, between sessions)."""
        self.switch.target = self.down_verifier if scenario.service_down else self.verifier
        self.server.clear_calls()  # the emulator keeps a call log for tests; the demo does not need it

    def health(self) -> Any:
        """The service health check against the emulator (pool thread)."""
        from kiosk.core.service_health import check_service

        return check_service(self.client)

    @staticmethod
    def notifier() -> Any:
        """The demo's "branch system": a command that prints each staff call on the console."""
        import sys

        from kiosk.core.staff_call import StaffNotifier

        script = "import sys; print('kiosk demo: staff call to the branch system:', sys.stdin.read(), flush=True)"
        return StaffNotifier(command=(sys.executable, "-c", script), timeout_s=10, attempts=2, retry_delay_s=1)

    def probe(self) -> tuple[bool, str, float | None]:
        from kiosk.ui.service_tasks import http_probe

        return http_probe(self.url)

    def close(self) -> None:
        for c in (self.client, self.down_client):
            try:
                c.close()
            except Exception:  # closing must not mask the demo's result
                log.exception("client close failed")
        self.server.stop()


class ScenarioRotator(QObject):
    """Interactive demo: each time the welcome page shows, the next scenario's customer steps up."""

    def __init__(self, window: KioskWindow, world: DemoWorld, scenarios: list[str]) -> None:
        super().__init__(window)
        self.window = window
        self.world = world
        self.scenarios = [SCENARIOS[name] for name in scenarios]
        self._index = 0
        window.sig_page_shown.connect(self._on_page)

    def start(self) -> None:
        self._apply()

    def _apply(self) -> None:
        scenario = self.scenarios[self._index % len(self.scenarios)]
        self.world.use(scenario)
        self.window.camera.worker.replace_source(self.world.source_factory(scenario, seed=self._index))

    @Slot(str)
    def _on_page(self, name: str) -> None:
        if name.startswith("result_"):
            self._index += 1
        elif name == "welcome":
            self._apply()
